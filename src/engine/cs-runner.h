/* cs-runner.h: drives one run: plan, fan-out, quorum, repair, synthesis
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "cs-types.h"
#include "cs-config.h"
#include "cs-run.h"
#include "cs-run-store.h"

G_BEGIN_DECLS

#define CS_RUNNER_ERROR (cs_runner_error_quark ())
typedef enum {
  CS_RUNNER_ERROR_CONFIG,        /* unknown model, bad plan */
  CS_RUNNER_ERROR_NO_CANDIDATE,  /* every candidate failed */
  CS_RUNNER_ERROR_INPUT,         /* empty or unusable problem (or follow-up) */
  CS_RUNNER_ERROR_ROUND_FAILED,  /* a follow-up round got no result (its judge failed) */
  CS_RUNNER_ERROR_BUDGET,        /* the run's spending has reached its budget */
} CsRunnerError;
GQuark cs_runner_error_quark (void);

#define CS_TYPE_RUNNER (cs_runner_get_type ())
G_DECLARE_FINAL_TYPE (CsRunner, cs_runner, CS, RUNNER, GObject)

CsRunner   *cs_runner_new            (CsConfig     *config,
                                      CsRun        *run);
/* A follow-up round (cs-round.h) on @run, which must be done with a result:
 * scope judge (the run's judge revises the current result) or all (every
 * model of the current round answers again, then votes, consensus and the
 * judge). @follow_up is the question or change asked for (may be NULL or
 * empty when @step_reports, of CsStepReport, are given: steps of the
 * current checklist by number, with their outcome and output). The run's
 * providers, models and judge are reused. Returns NULL with an error
 * (CS_RUNNER_ERROR_INPUT: nothing to ask, a step the checklist does not
 * have, an output too large; CS_RUNNER_ERROR_CONFIG: the judge or a model
 * no longer configured; CS_RUNNER_ERROR_BUDGET: the run has spent its
 * budget, cs_runner_check_budget_left ()) and leaves the run untouched. Otherwise drive it
 * like any runner (set_store, set_quorum…, execute_async): the round starts
 * when it executes, its candidates replace the run's items (scope all), and
 * it ends with the run showing the round's result, or, when it fails or is
 * cancelled, the previous result, the run's message saying why (execute
 * then fails: CS_RUNNER_ERROR_NO_CANDIDATE, _ROUND_FAILED or
 * G_IO_ERROR_CANCELLED). The run emits ::changed and its usual
 * notifications all along. */
CsRunner   *cs_runner_new_follow_up  (CsConfig     *config,
                                      CsRun        *run,
                                      CsRoundScope  scope,
                                      const char   *follow_up,
                                      GPtrArray    *step_reports,
                                      GError      **error);
CsRun      *cs_runner_get_run        (CsRunner     *self);
/* Optional: save the run on every change through @store. */
void        cs_runner_set_store      (CsRunner     *self,
                                      CsRunStore   *store);
/* Synthesis starts once @quorum candidates are valid (0 = wait for all) or
 * @deadline_s seconds have passed (0 = none); candidates still streaming
 * then go on (and are kept) unless @cancel_late is TRUE. */
void        cs_runner_set_quorum     (CsRunner     *self,
                                      guint         quorum);
void        cs_runner_set_deadline   (CsRunner     *self,
                                      guint         deadline_s);
void        cs_runner_set_cancel_late (CsRunner    *self,
                                       gboolean     cancel_late);
/* A follow-up round's own knobs for @model ("provider/model", a candidate
 * model's or the judge's), on top of those the run used: for this round
 * only, recorded by its candidates and its judge (and so by the rounds
 * that follow it). Before the runner executes; NULL or empty knobs remove
 * them. */
void        cs_runner_set_round_knobs (CsRunner    *self,
                                       const char  *model,
                                       const CsKnobs *knobs);

/* Creates the run's candidates from @models ("provider/model" or
 * "provider/model:COUNT"), spreading angles and temperatures for diversity
 * and grouping candidates of one model into requests of up to max-n.
 * Errors name the unknown model. */
gboolean    cs_runner_plan           (CsRunner            *self,
                                      const char * const  *models,
                                      GError             **error);

/* Runs every queued candidate, then synthesizes (with the run's judge, if
 * any). Completes when the run has a result (TRUE) or no candidate succeeded
 * (FALSE, CS_RUNNER_ERROR_NO_CANDIDATE), or was cancelled. */
void        cs_runner_execute_async  (CsRunner            *self,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
gboolean    cs_runner_execute_finish (CsRunner            *self,
                                      GAsyncResult        *result,
                                      GError             **error);

/* Stops one candidate's request at once (status cancelled). */
void        cs_runner_cancel_candidate (CsRunner   *self,
                                        const char *candidate_id);
/* Streams one finished (failed, …) candidate again, then synthesizes again.
 * A candidate this runner did not plan (a run reopened from the history, a
 * round the judge alone answered) is found among the run's current
 * candidates, those its current round was made from; the synthesis made
 * again is the current round's (with its follow-up), earlier rounds stay
 * as they were. Cancelling @cancellable while the candidate streams stops
 * it (status cancelled) and the run keeps the result it had, nothing
 * synthesized (G_IO_ERROR_CANCELLED); once the candidate has ended, it
 * stops the synthesis as a run's cancel does (the run cancelled, the votes
 * and consensus kept when the judge was answering). A run whose spending
 * has reached its budget is not asked again (CS_RUNNER_ERROR_BUDGET,
 * nothing sent); otherwise the candidate is stopped when the spending
 * reaches it, as in a first run. */
void        cs_runner_retry_candidate_async  (CsRunner            *self,
                                              const char          *candidate_id,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean    cs_runner_retry_candidate_finish (CsRunner            *self,
                                              GAsyncResult        *result,
                                              GError             **error);

/* The budget is the run's, across its rounds and retries: what every
 * request of the run cost (cs_run_get_total_cost_usd (), the figure the
 * totals show) counts against cs_run_get_budget_usd (). TRUE when the run
 * has no budget or has spent less; else FALSE with CS_RUNNER_ERROR_BUDGET
 * and the figures: no follow-up or retry may start until the run's budget
 * is raised (cs_run_set_budget_usd ()). */
gboolean    cs_runner_check_budget_left      (CsRun               *run,
                                              GError             **error);

G_END_DECLS
