/* cs-run-manager.c: the runs in progress, their runners and their saving
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-run-manager"

#include "config.h"

#include <math.h>

#include "cs-run-manager.h"
#include "cs-request-log.h"

struct _CsRunManager
{
  GObject       parent_instance;

  CsRunStore   *store;
  GHashTable   *runners;        /* run id → CsRunner (started or retried) */
  GHashTable   *running;        /* run id → GCancellable of its execution */
  GCancellable *cancellable;    /* the manager's lifetime: retries */
  GHashTable   *save_failures;  /* run id → time of the last failure (µs) */
  guint         quorum;
  guint         deadline_s;
  double        budget_usd;     /* for follow-ups and retries: < 0 the run's own, 0 none */
};

G_DEFINE_FINAL_TYPE (CsRunManager, cs_run_manager, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STORE,
  PROP_QUORUM,
  PROP_DEADLINE_SECONDS,
  PROP_BUDGET_USD,
  PROP_N_RUNNING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  RUN_STARTED,
  RUN_ENDED,
  SAVE_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

CsRunManager *
cs_run_manager_new (CsRunStore *store)
{
  g_return_val_if_fail (CS_IS_RUN_STORE (store), NULL);

  return g_object_new (CS_TYPE_RUN_MANAGER, "store", store, NULL);
}

CsRunStore *
cs_run_manager_get_store (CsRunManager *self)
{
  g_return_val_if_fail (CS_IS_RUN_MANAGER (self), NULL);

  return self->store;
}

guint
cs_run_manager_get_quorum (CsRunManager *self)
{
  g_return_val_if_fail (CS_IS_RUN_MANAGER (self), 0);

  return self->quorum;
}

void
cs_run_manager_set_quorum (CsRunManager *self,
                           guint         quorum)
{
  g_return_if_fail (CS_IS_RUN_MANAGER (self));

  if (self->quorum == quorum)
    return;
  self->quorum = quorum;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_QUORUM]);
}

guint
cs_run_manager_get_deadline (CsRunManager *self)
{
  g_return_val_if_fail (CS_IS_RUN_MANAGER (self), 0);

  return self->deadline_s;
}

void
cs_run_manager_set_deadline (CsRunManager *self,
                             guint         deadline_s)
{
  g_return_if_fail (CS_IS_RUN_MANAGER (self));

  if (self->deadline_s == deadline_s)
    return;
  self->deadline_s = deadline_s;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEADLINE_SECONDS]);
}

double
cs_run_manager_get_budget (CsRunManager *self)
{
  g_return_val_if_fail (CS_IS_RUN_MANAGER (self), -1);

  return self->budget_usd;
}

void
cs_run_manager_set_budget (CsRunManager *self,
                           double        budget_usd)
{
  g_return_if_fail (CS_IS_RUN_MANAGER (self));

  if (!(budget_usd >= 0))
    budget_usd = -1;
  if (self->budget_usd == budget_usd)
    return;
  self->budget_usd = budget_usd;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUDGET_USD]);
}

/* Gives @run the manager's budget for a follow-up or retry; the budget it
 * had, for a refusal to put back. */
static double
apply_budget (CsRunManager *self,
              CsRun        *run)
{
  double before = cs_run_get_budget_usd (run);

  if (self->budget_usd >= 0)
    cs_run_set_budget_usd (run, self->budget_usd > 0 ? self->budget_usd : NAN);
  return before;
}

/* -------------------------------------------------------------------------
 * Save failures
 */

/* A save succeeded: the next failure of that run is news again. */
static void
store_saved_cb (CsRunManager *self,
                CsRun        *run,
                CsRunStore   *store)
{
  if (g_hash_table_remove (self->save_failures, cs_run_get_id (run)))
    g_debug ("Run %s saved again", cs_run_get_id (run));
}

static void
store_save_failed_cb (CsRunManager *self,
                      CsRun        *run,
                      const char   *reason,
                      CsRunStore   *store)
{
  gint64 *failed_at;
  gboolean known;

  g_debug ("Could not save run %s: %s", cs_run_get_id (run), reason);

  /* once per run until a save succeeds: a full disk fails every save */
  known = g_hash_table_contains (self->save_failures, cs_run_get_id (run));
  failed_at = g_new (gint64, 1);
  *failed_at = g_get_real_time ();
  g_hash_table_insert (self->save_failures, g_strdup (cs_run_get_id (run)), failed_at);

  if (!known)
    g_signal_emit (self, signals[SAVE_FAILED], 0, run, reason);
}

gboolean
cs_run_manager_has_save_failure (CsRunManager *self,
                                 const char   *run_id)
{
  g_return_val_if_fail (CS_IS_RUN_MANAGER (self), FALSE);
  g_return_val_if_fail (run_id != NULL, FALSE);

  return g_hash_table_contains (self->save_failures, run_id);
}

guint
cs_run_manager_get_n_save_failures (CsRunManager *self)
{
  g_return_val_if_fail (CS_IS_RUN_MANAGER (self), 0);

  return g_hash_table_size (self->save_failures);
}

/* -------------------------------------------------------------------------
 * Runs
 */

static CsRunner *
new_runner (CsRunManager *self,
            CsConfig     *config,
            CsRun        *run)
{
  CsRunner *runner = cs_runner_new (config, run);

  cs_runner_set_quorum (runner, self->quorum);
  cs_runner_set_deadline (runner, self->deadline_s);
  return runner;
}

CsRunner *
cs_run_manager_ensure_runner (CsRunManager *self,
                              CsConfig     *config,
                              CsRun        *run)
{
  CsRunner *runner;

  g_return_val_if_fail (CS_IS_RUN_MANAGER (self), NULL);
  g_return_val_if_fail (CS_IS_RUN (run), NULL);

  runner = g_hash_table_lookup (self->runners, cs_run_get_id (run));
  if (runner != NULL || config == NULL)
    return runner;

  runner = new_runner (self, config, run);
  cs_runner_set_store (runner, self->store);
  g_hash_table_insert (self->runners, g_strdup (cs_run_get_id (run)), runner);

  return runner;
}

gboolean
cs_run_manager_drives (CsRunManager *self,
                       CsRun        *run)
{
  g_return_val_if_fail (CS_IS_RUN_MANAGER (self), FALSE);
  g_return_val_if_fail (CS_IS_RUN (run), FALSE);

  return g_hash_table_contains (self->runners, cs_run_get_id (run));
}

gboolean
cs_run_manager_is_running (CsRunManager *self,
                           CsRun        *run)
{
  g_return_val_if_fail (CS_IS_RUN_MANAGER (self), FALSE);

  return run != NULL && g_hash_table_contains (self->running, cs_run_get_id (run));
}

guint
cs_run_manager_get_n_running (CsRunManager *self)
{
  g_return_val_if_fail (CS_IS_RUN_MANAGER (self), 0);

  return g_hash_table_size (self->running);
}

static void
execute_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(CsRunManager) self = user_data;
  g_autoptr(GError) error = NULL;
  CsRunner *runner = CS_RUNNER (object);
  g_autoptr(CsRun) run = g_object_ref (cs_runner_get_run (runner));
  const char *failure = NULL;

  if (!cs_runner_execute_finish (runner, result, &error))
    {
      g_debug ("Run %s ended: %s", cs_run_get_id (run), error->message);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          if (cs_run_get_message (run) == NULL)
            cs_run_set_message (run, error->message);
          failure = error->message;
        }
      else if (cs_run_get_state (run) == CS_RUN_RUNNING ||
               cs_run_get_state (run) == CS_RUN_SYNTHESIZING)
        cs_run_set_state (run, CS_RUN_CANCELLED);
    }

  g_hash_table_remove (self->running, cs_run_get_id (run));
  /* a follow-up round that got no result keeps its candidates to itself:
   * the run shows the round before it, which this runner does not drive */
  if (error != NULL && cs_round_get_index (cs_run_get_current_round (run)) < cs_run_get_n_rounds (run))
    g_hash_table_remove (self->runners, cs_run_get_id (run));
  cs_run_store_save (self->store, run);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_RUNNING]);
  g_signal_emit (self, signals[RUN_ENDED], 0, run, failure);
}

static void start_runner (CsRunManager *self,
                          CsRunner     *runner,
                          CsRun        *run);

gboolean
cs_run_manager_start (CsRunManager        *self,
                      CsConfig            *config,
                      CsRun               *run,
                      const char * const  *models,
                      GError             **error)
{
  CsRunner *runner;

  g_return_val_if_fail (CS_IS_RUN_MANAGER (self), FALSE);
  g_return_val_if_fail (CS_IS_CONFIG (config), FALSE);
  g_return_val_if_fail (CS_IS_RUN (run), FALSE);
  g_return_val_if_fail (!cs_run_manager_is_running (self, run), FALSE);

  /* planned before the store sees it: a run that cannot start is not
   * added to the history */
  runner = new_runner (self, config, run);
  if (!cs_runner_plan (runner, models, error))
    {
      g_object_unref (runner);
      return FALSE;
    }
  start_runner (self, runner, run);
  return TRUE;
}

gboolean
cs_run_manager_follow_up (CsRunManager  *self,
                          CsConfig      *config,
                          CsRun         *run,
                          CsRoundScope   scope,
                          const char    *follow_up,
                          GPtrArray     *step_reports,
                          GError       **error)
{
  CsRunner *runner;
  double before;

  g_return_val_if_fail (CS_IS_RUN_MANAGER (self), FALSE);
  g_return_val_if_fail (CS_IS_CONFIG (config), FALSE);
  g_return_val_if_fail (CS_IS_RUN (run), FALSE);

  if (cs_run_manager_is_running (self, run))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_BUSY, "The run is still in progress");
      return FALSE;
    }
  /* every check first: a follow-up that cannot go changes nothing */
  before = apply_budget (self, run);
  runner = cs_runner_new_follow_up (config, run, scope, follow_up, step_reports, error);
  if (runner == NULL)
    {
      cs_run_set_budget_usd (run, before);
      return FALSE;
    }
  cs_runner_set_quorum (runner, self->quorum);
  cs_runner_set_deadline (runner, self->deadline_s);
  start_runner (self, runner, run);
  return TRUE;
}

/* Takes @runner, which drives @run from now on, and executes it. */
static void
start_runner (CsRunManager *self,
              CsRunner     *runner,
              CsRun        *run)
{
  GCancellable *cancellable;

  cs_runner_set_store (runner, self->store);
  g_hash_table_replace (self->runners, g_strdup (cs_run_get_id (run)), runner);

  cancellable = g_cancellable_new ();
  g_hash_table_insert (self->running, g_strdup (cs_run_get_id (run)), cancellable);
  cs_runner_execute_async (runner, cancellable, execute_cb, g_object_ref (self));

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_RUNNING]);
  g_signal_emit (self, signals[RUN_STARTED], 0, run);
}

void
cs_run_manager_cancel (CsRunManager *self,
                       CsRun        *run)
{
  GCancellable *cancellable;

  g_return_if_fail (CS_IS_RUN_MANAGER (self));
  g_return_if_fail (CS_IS_RUN (run));

  cancellable = g_hash_table_lookup (self->running, cs_run_get_id (run));
  if (cancellable != NULL)
    g_cancellable_cancel (cancellable);
}

void
cs_run_manager_cancel_all (CsRunManager *self)
{
  GHashTableIter iter;
  gpointer value;

  g_return_if_fail (CS_IS_RUN_MANAGER (self));

  g_hash_table_iter_init (&iter, self->running);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_cancellable_cancel (G_CANCELLABLE (value));
}

static gboolean
wake_up_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

void
cs_run_manager_shutdown (CsRunManager *self,
                         guint         timeout_ms)
{
  gint64 deadline;
  guint wake;

  g_return_if_fail (CS_IS_RUN_MANAGER (self));

  g_object_ref (self);
  g_cancellable_cancel (self->cancellable);
  cs_run_manager_cancel_all (self);

  /* the runners end their requests on the main context */
  deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  wake = g_timeout_add (20, wake_up_cb, NULL);
  while (g_hash_table_size (self->running) > 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);

  cs_run_store_flush (self->store);
  cs_request_log_flush (2000);
  g_object_unref (self);
}

void
cs_run_manager_cancel_candidate (CsRunManager *self,
                                 CsRun        *run,
                                 const char   *candidate_id)
{
  CsRunner *runner;

  g_return_if_fail (CS_IS_RUN_MANAGER (self));
  g_return_if_fail (CS_IS_RUN (run));
  g_return_if_fail (candidate_id != NULL);

  runner = g_hash_table_lookup (self->runners, cs_run_get_id (run));
  if (runner != NULL)
    cs_runner_cancel_candidate (runner, candidate_id);
}

static void
retry_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!cs_runner_retry_candidate_finish (CS_RUNNER (object), result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
cs_run_manager_retry_candidate_async (CsRunManager        *self,
                                      CsConfig            *config,
                                      CsRun               *run,
                                      const char          *candidate_id,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  CsRunner *runner;
  double before;

  g_return_if_fail (CS_IS_RUN_MANAGER (self));
  g_return_if_fail (CS_IS_CONFIG (config));
  g_return_if_fail (CS_IS_RUN (run));
  g_return_if_fail (candidate_id != NULL);

  task = g_task_new (self, self->cancellable, callback, user_data);
  g_task_set_source_tag (task, cs_run_manager_retry_candidate_async);

  /* a run that has spent its budget asks nothing more (and keeps the
   * budget it had) */
  before = apply_budget (self, run);
  if (!cs_runner_check_budget_left (run, &error))
    {
      cs_run_set_budget_usd (run, before);
      g_task_return_error (task, error);
      return;
    }

  runner = cs_run_manager_ensure_runner (self, config, run);
  cs_runner_retry_candidate_async (runner, candidate_id, self->cancellable,
                                   retry_cb, g_steal_pointer (&task));
}

gboolean
cs_run_manager_retry_candidate_finish (CsRunManager  *self,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* -------------------------------------------------------------------------
 * GObject
 */

static void
cs_run_manager_constructed (GObject *object)
{
  CsRunManager *self = CS_RUN_MANAGER (object);

  G_OBJECT_CLASS (cs_run_manager_parent_class)->constructed (object);

  g_assert (CS_IS_RUN_STORE (self->store));
  g_signal_connect_object (self->store, "save-failed",
                           G_CALLBACK (store_save_failed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->store, "saved",
                           G_CALLBACK (store_saved_cb), self, G_CONNECT_SWAPPED);
}

static void
cs_run_manager_dispose (GObject *object)
{
  CsRunManager *self = CS_RUN_MANAGER (object);

  g_cancellable_cancel (self->cancellable);
  if (self->running != NULL)
    cs_run_manager_cancel_all (self);

  G_OBJECT_CLASS (cs_run_manager_parent_class)->dispose (object);
}

static void
cs_run_manager_finalize (GObject *object)
{
  CsRunManager *self = CS_RUN_MANAGER (object);

  g_clear_pointer (&self->runners, g_hash_table_unref);
  g_clear_pointer (&self->running, g_hash_table_unref);
  g_clear_pointer (&self->save_failures, g_hash_table_unref);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (cs_run_manager_parent_class)->finalize (object);
}

static void
cs_run_manager_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  CsRunManager *self = CS_RUN_MANAGER (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_QUORUM:
      g_value_set_uint (value, self->quorum);
      break;

    case PROP_DEADLINE_SECONDS:
      g_value_set_uint (value, self->deadline_s);
      break;

    case PROP_BUDGET_USD:
      g_value_set_double (value, self->budget_usd);
      break;

    case PROP_N_RUNNING:
      g_value_set_uint (value, cs_run_manager_get_n_running (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_run_manager_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  CsRunManager *self = CS_RUN_MANAGER (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;

    case PROP_QUORUM:
      cs_run_manager_set_quorum (self, g_value_get_uint (value));
      break;

    case PROP_DEADLINE_SECONDS:
      cs_run_manager_set_deadline (self, g_value_get_uint (value));
      break;

    case PROP_BUDGET_USD:
      cs_run_manager_set_budget (self, g_value_get_double (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_run_manager_class_init (CsRunManagerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = cs_run_manager_constructed;
  object_class->dispose = cs_run_manager_dispose;
  object_class->finalize = cs_run_manager_finalize;
  object_class->get_property = cs_run_manager_get_property;
  object_class->set_property = cs_run_manager_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         CS_TYPE_RUN_STORE,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties[PROP_QUORUM] =
    g_param_spec_uint ("quorum", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_DEADLINE_SECONDS] =
    g_param_spec_uint ("deadline-seconds", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_BUDGET_USD] =
    g_param_spec_double ("budget-usd", NULL, NULL,
                         -1, G_MAXDOUBLE, -1,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_N_RUNNING] =
    g_param_spec_uint ("n-running", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CsRunManager::run-started:
   * @run: the run now executing
   */
  signals[RUN_STARTED] =
    g_signal_new ("run-started",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, CS_TYPE_RUN);

  /**
   * CsRunManager::run-ended:
   * @run: the run that finished, failed or was cancelled (saved already)
   * @failure: (nullable): why it failed, NULL when it has a result or was
   *   cancelled
   */
  signals[RUN_ENDED] =
    g_signal_new ("run-ended",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, CS_TYPE_RUN, G_TYPE_STRING);

  /**
   * CsRunManager::save-failed:
   * @run: the run that could not be written (it stays in memory)
   * @message: why, in a sentence
   *
   * Once per run until one of its saves succeeded (a full disk fails
   * every save).
   */
  signals[SAVE_FAILED] =
    g_signal_new ("save-failed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, CS_TYPE_RUN, G_TYPE_STRING);
}

static void
cs_run_manager_init (CsRunManager *self)
{
  self->runners = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->running = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->save_failures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->cancellable = g_cancellable_new ();
  self->budget_usd = -1;
}
