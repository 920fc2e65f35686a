/* cs-run-manager.h: the runs in progress, their runners and their saving
 *
 * One per application (CsApplication owns it; the CLI and tests may make
 * their own). Windows only show runs: a run is started, cancelled and
 * retried here, lives as long as the manager does, and ends only when it
 * finishes, is cancelled or the manager stops everything (the application
 * quits). Closing a window therefore never decides a run's fate by itself.
 *
 * Signals: ::run-started (run), ::run-ended (run, failure or NULL) and
 * ::save-failed (run, message), the last once per run until a save of it
 * succeeded; property "n-running" follows the runs in progress.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "cs-config.h"
#include "cs-run.h"
#include "cs-run-store.h"
#include "cs-runner.h"

G_BEGIN_DECLS

#define CS_TYPE_RUN_MANAGER (cs_run_manager_get_type ())

G_DECLARE_FINAL_TYPE (CsRunManager, cs_run_manager, CS, RUN_MANAGER, GObject)

CsRunManager *cs_run_manager_new             (CsRunStore          *store);
CsRunStore   *cs_run_manager_get_store       (CsRunManager        *self);

/* Applied to the runners created after the change (properties "quorum"
 * and "deadline-seconds", see cs_runner_set_quorum()). */
guint         cs_run_manager_get_quorum      (CsRunManager        *self);
void          cs_run_manager_set_quorum      (CsRunManager        *self,
                                              guint                quorum);
guint         cs_run_manager_get_deadline    (CsRunManager        *self);
void          cs_run_manager_set_deadline    (CsRunManager        *self,
                                              guint                deadline_s);
/* The budget a follow-up or a retry started here gives its run (property
 * "budget-usd", the app's Budget per Run): below 0 (the default) the run
 * keeps its own, 0 none, else that many US dollars. The budget is the
 * run's, across its rounds and retries (cs_runner_check_budget_left ()): a
 * run that has spent it is refused (CS_RUNNER_ERROR_BUDGET) and keeps the
 * budget it had. */
double        cs_run_manager_get_budget      (CsRunManager        *self);
void          cs_run_manager_set_budget      (CsRunManager        *self,
                                              double               budget_usd);

/* Plans @run from @models (see cs_runner_plan()), adds it to the store
 * (saved on its changes) and executes it. FALSE with the planning error,
 * and nothing started. Emits ::run-started, later ::run-ended. */
gboolean      cs_run_manager_start           (CsRunManager        *self,
                                              CsConfig            *config,
                                              CsRun               *run,
                                              const char * const  *models,
                                              GError             **error);
/* A follow-up round on @run (see cs_runner_new_follow_up ()): checked
 * first (FALSE with the error, nothing changed, nothing started; also when
 * @run is still in progress), then executed like a run started here, with
 * ::run-started and ::run-ended (failure set when the round got no result:
 * the run then shows its previous result, its message saying why), and
 * cancelled with cs_run_manager_cancel (). */
gboolean      cs_run_manager_follow_up       (CsRunManager        *self,
                                              CsConfig            *config,
                                              CsRun               *run,
                                              CsRoundScope         scope,
                                              const char          *follow_up,
                                              GPtrArray           *step_reports,
                                              GError             **error);
/* Stops a run started here (it ends as cancelled); nothing otherwise. */
void          cs_run_manager_cancel          (CsRunManager        *self,
                                              CsRun               *run);
/* Stops every run started here. */
void          cs_run_manager_cancel_all      (CsRunManager        *self);
/* Stops every run, waits (iterating the default main context, at most
 * @timeout_ms) until they have ended, then waits for their saves: for an
 * application about to quit. */
void          cs_run_manager_shutdown        (CsRunManager        *self,
                                              guint                timeout_ms);

/* Started here and not ended yet. */
gboolean      cs_run_manager_is_running      (CsRunManager        *self,
                                              CsRun               *run);
guint         cs_run_manager_get_n_running   (CsRunManager        *self);
/* A runner drives @run (started or retried here): a run whose file says
 * "running" after a crash has none, and is not live. */
gboolean      cs_run_manager_drives          (CsRunManager        *self,
                                              CsRun               *run);

/* The runner of @run, made with @config when there is none yet (retrying
 * a candidate of a saved run needs one). NULL without a config. */
CsRunner     *cs_run_manager_ensure_runner   (CsRunManager        *self,
                                              CsConfig            *config,
                                              CsRun               *run);
void          cs_run_manager_cancel_candidate (CsRunManager       *self,
                                               CsRun              *run,
                                               const char         *candidate_id);
/* Streams one finished candidate again, then synthesizes again; stopped
 * only with the manager (no caller's cancellable: a closed window does
 * not stop it). */
void          cs_run_manager_retry_candidate_async  (CsRunManager        *self,
                                                     CsConfig            *config,
                                                     CsRun               *run,
                                                     const char          *candidate_id,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean      cs_run_manager_retry_candidate_finish (CsRunManager        *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);

/* Runs whose last save failed (by id) until a later save succeeded. */
gboolean      cs_run_manager_has_save_failure (CsRunManager       *self,
                                               const char         *run_id);
guint         cs_run_manager_get_n_save_failures (CsRunManager    *self);

G_END_DECLS
