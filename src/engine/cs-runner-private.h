/* cs-runner-private.h: what the cs-runner*.c files share
 *
 * - cs-runner.c: the object, its public API, execution and cancelling;
 * - cs-run-plan.c: the candidates and the requests they share;
 * - cs-runner-requests.c: providers and their keys, and sending a group's
 *   (or one candidate's) request;
 * - cs-runner-stream.c: a request's events and its end: text, usage,
 *   status and repair of each candidate;
 * - cs-runner-progress.c: quorum, deadline, the time limit, and how a run
 *   ends (its state saved each time);
 * - cs-runner-synthesis.c: the fusion in a worker thread, then the judge.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cs-provider-client.h"
#include "cs-run-plan.h"
#include "cs-runner.h"

G_BEGIN_DECLS

#define CS_RUNNER_MAX_RUN_S       (30 * 60)
#define CS_RUNNER_MAX_REPAIRS      1
/* Fewer valid candidates than this: no peer ranking. */
#define CS_RUNNER_RANK_MIN_CANDIDATES 3

typedef struct _CsRunnerProvider CsRunnerProvider;
typedef struct _CsRunnerRanker CsRunnerRanker;
typedef struct _CsRunnerJudge CsRunnerJudge;
typedef struct _CsRunnerRanking CsRunnerRanking;
typedef struct _CsRunnerFollowUp CsRunnerFollowUp;

typedef enum {
  CS_RUNNER_PHASE_IDLE,          /* planned, not executing */
  CS_RUNNER_PHASE_RUNNING,       /* candidates streaming, no result yet */
  CS_RUNNER_PHASE_SYNTHESIZING,
  CS_RUNNER_PHASE_FINISHED,      /* done, failed or cancelled */
} CsRunnerPhase;

typedef void (*CsRunnerProviderReadyFunc) (CsRunner         *self,
                                           CsRunnerProvider *provider,
                                           gpointer          data);

struct _CsRunnerProvider
{
  CsProviderConfig *config;         /* a copy */
  CsProviderClient *client;
  gboolean          key_looked_up;
  gboolean          lookup_pending;
  char             *key_error;      /* why requests cannot go, or NULL */
  GPtrArray        *waiters;        /* of Waiter* (cs-runner-requests.c) */
};

struct _CsRunnerRequest
{
  CsRunner            *runner;      /* a reference */
  CsRunnerProvider    *provider;
  const CsModelConfig *model;
  GPtrArray           *slots;       /* of CsRunnerSlot*, index = choice; empty for the judge */
  JsonNode            *messages;
  JsonNode            *schema;
  const char          *schema_name;
  CsStructuredOutput   structured;
  double               temperature;
  GCancellable        *cancellable;
  char                *cancel_reason; /* why the runner stopped it, or NULL */
  gint64               start_us;
  gint64               input_tokens;
  gint64               output_tokens;
  gint64               reasoning_tokens;
  char                *stream_error;
  gboolean             is_repair;
  gboolean             is_judge;
  GString             *judge_text;
  GString             *judge_refusal;
  char                *judge_finish;
  GPtrArray           *think;       /* of CsThinkSplitter*, index = choice, or NULL */
  CsRunnerRanker      *ranker;      /* a peer ranking request's (is_judge too), or NULL */
  gboolean             budget_stopped; /* stopped at the run's budget (cs-runner-budget.c) */
  gboolean             usage_accounted; /* its usage is its candidates' already */
  gboolean             usage_estimated; /* its usage counted by the engine (cs-token-count.h) */
};

struct _CsRunner
{
  GObject        parent_instance;

  CsConfig      *config;
  CsRun         *run;
  CsRunStore    *store;
  guint          quorum;
  guint          deadline_s;
  gboolean       cancel_late;

  GPtrArray     *groups;            /* of CsRunnerGroup* */
  GPtrArray     *slots;             /* of CsRunnerSlot*, in candidate order */
  GHashTable    *providers;         /* id → CsRunnerProvider* */
  GPtrArray     *requests;          /* of CsRunnerRequest*, in flight */

  CsRunnerPhase  phase;
  gboolean       cancelled;
  gboolean       deadline_passed;
  gboolean       timed_out;
  guint          deadline_id;
  guint          max_time_id;
  GTask         *execute_task;
  GCancellable  *execute_cancellable;
  gulong         cancelled_id;
  GPtrArray     *synth_waiters;     /* of GTask*, completed when a synthesis ends */
  JsonNode      *fused;             /* during the judge phase */
  gint64         judge_start_us;
  GCancellable  *fuse_cancellable;  /* the fusion in its worker thread, or NULL */
  guint          fuse_serial;       /* which fusion's result is awaited */
  GPtrArray     *synth_valid;       /* of CsCandidate*: what the fusion, rankers and judge see */
  CsRunnerJudge *judge;             /* the judge stage (cs-runner-synthesis.c), or NULL */
  CsRunnerRanking *ranking;         /* the peer ranking stage (cs-runner-ranking.c), or NULL */
  CsRunnerFollowUp *follow_up;      /* a follow-up round (cs-runner-follow-up.c), or NULL */

  /* cs-runner-budget.c */
  gint64         execute_start_us;  /* when execution started, 0 before */
  gint64         wall_base_ms;      /* the run's wall time before it (earlier rounds, retries) */
  guint          budget_id;         /* the spending check while a budget is set */
  gboolean       budget_reached;    /* the spending reached the budget: requests were stopped */
  gboolean       budget_in_candidates; /* … while the candidates streamed */
  double         budget_rankers;    /* the upper cost of the rankers sent */
  GString       *budget_notes;      /* what the budget did in the synthesis, for the message */
};

/* cs-runner.c */
gboolean         _cs_runner_slot_is_final      (CsRunnerSlot        *slot);
/* Constraint keys and values of the run, as parallel NULL-terminated arrays. */
void             _cs_runner_get_constraints    (CsRun               *run,
                                                GStrv               *keys_out,
                                                GStrv               *values_out);

/* cs-runner-requests.c */
void             _cs_runner_provider_free      (CsRunnerProvider    *provider);
/* Calls @func once the provider's client is ready (key looked up). */
void             _cs_runner_with_provider      (CsRunner            *self,
                                                const char          *provider_id,
                                                CsRunnerProviderReadyFunc func,
                                                gpointer             data);
CsRunnerRequest *_cs_runner_request_new        (CsRunner            *self,
                                                const CsModelConfig *model);
void             _cs_runner_request_free       (CsRunnerRequest     *request);
void             _cs_runner_remove_request     (CsRunner            *self,
                                                CsRunnerRequest     *request);
void             _cs_runner_start_group        (CsRunner            *self,
                                                CsRunnerGroup       *group);
/* A request for one candidate: a repair, or a retry. */
void             _cs_runner_start_slot_alone   (CsRunner            *self,
                                                CsRunnerSlot        *slot,
                                                JsonNode            *messages,
                                                gboolean             is_repair);
/* Cancels @request's HTTP request with @reason (NULL: by the person). */
void             _cs_runner_cancel_request     (CsRunnerRequest     *request,
                                                const char          *reason);
void             _cs_runner_cancel_live        (CsRunner            *self,
                                                const char          *reason);

/* cs-runner-stream.c */
void             _cs_runner_send_request       (CsRunner            *self,
                                                CsRunnerRequest     *request);
/* How a request of its own (a judge's, a ranker's) ends without an answer. */
typedef void (*CsRunnerRequestDoneFunc) (CsRunner            *self,
                                         CsRunnerRequest     *request,
                                         gboolean             ok,
                                         const char          *why);
/* Once @provider is ready for such a @request: freed when the run was
 * cancelled, ended by @done when the provider has no key, sent otherwise. */
void             _cs_runner_send_when_ready    (CsRunner                *self,
                                                CsRunnerProvider        *provider,
                                                CsRunnerRequest         *request,
                                                CsRunnerRequestDoneFunc  done);
char            *_cs_runner_short_text         (const char          *text,
                                                guint                max_chars);

/* cs-runner-progress.c */
void             _cs_runner_set_run_state      (CsRunner            *self,
                                                CsRunState           state);
void             _cs_runner_start_timers       (CsRunner            *self);
void             _cs_runner_slot_finished      (CsRunner            *self,
                                                CsRunnerSlot        *slot);
void             _cs_runner_check_progress     (CsRunner            *self);
void             _cs_runner_maybe_finish_cancelled (CsRunner        *self);
void             _cs_runner_finish_done        (CsRunner            *self,
                                                JsonNode            *result);
void             _cs_runner_finish_round_failed (CsRunner           *self,
                                                 const char         *why);

/* cs-runner-stream.c: splits a candidates' request's usage over them */
void             _cs_runner_account_usage      (CsRunnerRequest     *request);

/* cs-runner-budget.c: the run's budget and wall time */
/* Starts checking the spending when the run has a budget. */
void             _cs_runner_budget_start       (CsRunner            *self);
void             _cs_runner_budget_stop        (CsRunner            *self);
/* A candidate asked again after the run finished (its budget checked
 * first, cs_runner_check_budget_left ()): the spending is watched from
 * now, so the candidate is stopped at the budget as in a first run, and
 * the run's wall time grows by the retry's. The synthesis it leads
 * to is a new one. What the budget stopped or kept from the last is
 * forgotten (the candidates' errors keep it), so each request of the new
 * synthesis is weighed against the budget as in a first run: the judge is
 * asked when the spending so far plus its upper cost fits, else the result
 * is votes and consensus with the note a first run gets. */
void             _cs_runner_budget_retry       (CsRunner            *self);
/* What the run has spent so far: the cost of the usage reported, and for
 * requests still streaming without usage an estimate from their prompt
 * and the text streamed so far (cs-token-count.h). */
double           _cs_runner_spent_usd          (CsRunner            *self);
/* Records the wall time when the run ends; adds what the budget stopped
 * or kept from being sent to the run's message. */
void             _cs_runner_budget_finished    (CsRunner            *self);
/* A request the budget stopped after it was sent, ending without the usage
 * its provider would have reported: its prompt and the text it streamed,
 * counted by the one rule (cs-token-count.h), become its usage, marked
 * estimated on its candidates and the run. Called as its stream ends, and
 * for the candidates' requests when the budget stops them (their usage is
 * their candidates' at once, before the synthesis may end the run). */
void             _cs_runner_budget_estimate_usage (CsRunner         *self,
                                                   CsRunnerRequest  *request);
void             _cs_runner_budget_free        (CsRunner            *self);
/* Whether @request (a ranker's, the judge's, a repair's) may be sent: its
 * upper cost and the spending so far stay within the run's budget (a
 * ranker also leaves room for the judge). FALSE with @why (for a note)
 * when it may not; always TRUE without a budget. */
gboolean         _cs_runner_budget_allows      (CsRunner            *self,
                                                CsRunnerRequest     *request,
                                                char               **why);

/* cs-runner-synthesis.c */
void             _cs_runner_start_synthesis    (CsRunner            *self);
void             _cs_runner_judge_done         (CsRunner            *self,
                                                CsRunnerRequest     *request,
                                                gboolean             ok,
                                                const char          *why);
void             _cs_runner_synthesis_continue (CsRunner            *self);
void             _cs_runner_judge_free         (CsRunnerJudge       *judge);

/* cs-runner-ranking.c: the optional peer ranking, while the fusion runs */
void             _cs_runner_start_ranking      (CsRunner            *self,
                                                GPtrArray           *valid);
/* TRUE while rankers are still answering (the judge waits for them). */
gboolean         _cs_runner_ranking_pending    (CsRunner            *self);
void             _cs_runner_ranker_done        (CsRunner            *self,
                                                CsRunnerRequest     *request,
                                                gboolean             ok,
                                                const char          *why);
void             _cs_runner_ranker_free        (CsRunnerRanker      *ranker);
void             _cs_runner_ranking_free       (CsRunnerRanking     *ranking);

/* cs-runner-follow-up.c */
void             _cs_runner_follow_up_free     (CsRunnerFollowUp    *follow_up);
/* Starts the round on the run (scope all: plans its candidates). */
gboolean         _cs_runner_follow_up_begin    (CsRunner            *self,
                                                GError             **error);
gboolean         _cs_runner_follow_up_judge_only (CsRunner          *self);
/* The judge @judge as this runner asks it, a copy: in a follow-up with the
 * settings the round before recorded for it (else its defaults) and the
 * round's own knobs on top; in a first round with the run's knobs for it.
 * n is 1. */
CsModelConfig   *_cs_runner_judge_model        (CsRunner            *self,
                                                const CsModelConfig *judge);
/* The current round records the settings @asked (a judge as asked) goes with. */
void             _cs_runner_record_judge_knobs (CsRunner            *self,
                                                const CsModelConfig *asked);
void             _cs_runner_follow_up_start_judge (CsRunner         *self);
/* A candidate's messages in the round. */
JsonNode        *_cs_runner_follow_up_messages (CsRunner            *self,
                                                const CsAngle       *angle,
                                                gboolean             schema_in_prompt);
/* Adds the round's follow-up section to the judge's messages (nothing
 * outside a follow-up). */
void             _cs_runner_follow_up_extend_judge (CsRunner        *self,
                                                    JsonNode        *messages);
/* Ends the round as @state (done, failed, cancelled) with @message. TRUE
 * when it has also set the run's state and message (a failed or cancelled
 * round: the previous result stands), FALSE when the caller goes on as for
 * a run (outside a follow-up, or a round done). */
gboolean         _cs_runner_follow_up_end      (CsRunner            *self,
                                                CsRunState           state,
                                                const char          *message);

G_END_DECLS
