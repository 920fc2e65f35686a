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
  CS_RUNNER_ERROR_INPUT,         /* empty or unusable problem */
} CsRunnerError;
GQuark cs_runner_error_quark (void);

#define CS_TYPE_RUNNER (cs_runner_get_type ())
G_DECLARE_FINAL_TYPE (CsRunner, cs_runner, CS, RUNNER, GObject)

CsRunner   *cs_runner_new            (CsConfig     *config,
                                      CsRun        *run);
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
/* Streams one finished (failed, …) candidate again, then synthesizes again. */
void        cs_runner_retry_candidate_async  (CsRunner            *self,
                                              const char          *candidate_id,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean    cs_runner_retry_candidate_finish (CsRunner            *self,
                                              GAsyncResult        *result,
                                              GError             **error);

G_END_DECLS
