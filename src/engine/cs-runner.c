/* cs-runner.c
 *
 * Drives one run: plan (cs-run-plan.c), fan-out (cs-runner-requests.c),
 * streaming and repair (cs-runner-stream.c), quorum and deadline
 * (cs-runner-progress.c), synthesis (cs-runner-synthesis.c).
 *
 * Execution. One CsProviderClient per provider (it queues to respect the
 * provider's limits), its key looked up once (environment or keyring).
 * Events are mapped to candidates by choice index. A reply that does not
 * validate gets ONE repair request (n = 1) carrying the validation error;
 * if that fails too the candidate is invalid, its text kept.
 *
 * Cancelling one candidate stops its HTTP request at once, unless the
 * request also carries other live candidates (n > 1): then the candidate is
 * marked cancelled and its further events are dropped while its siblings
 * finish. Cancelling the run (the execute cancellable) stops every request.
 *
 * This file: the object, its public API, execution and cancelling.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-runner"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "cs-runner-private.h"

G_DEFINE_QUARK (cs-runner-error-quark, cs_runner_error)

G_DEFINE_FINAL_TYPE (CsRunner, cs_runner, G_TYPE_OBJECT)

/* Small helpers */

static CsRunnerSlot *
find_slot (CsRunner   *self,
           const char *candidate_id)
{
  for (guint i = 0; i < self->slots->len; i++)
    {
      CsRunnerSlot *slot = g_ptr_array_index (self->slots, i);
      if (g_strcmp0 (cs_candidate_get_id (slot->candidate), candidate_id) == 0)
        return slot;
    }
  return NULL;
}

gboolean
_cs_runner_slot_is_final (CsRunnerSlot *slot)
{
  return cs_candidate_status_is_final (cs_candidate_get_status (slot->candidate));
}

void
_cs_runner_get_constraints (CsRun *run,
                            GStrv *keys_out,
                            GStrv *values_out)
{
  const char * const *keys = cs_run_get_constraint_keys (run);
  guint n = keys ? g_strv_length ((char **)keys) : 0;
  char **k = g_new0 (char *, n + 1);
  char **v = g_new0 (char *, n + 1);

  for (guint i = 0; i < n; i++)
    {
      k[i] = g_strdup (keys[i]);
      v[i] = g_strdup (cs_run_get_constraint (run, keys[i]));
    }
  *keys_out = k;
  *values_out = v;
}

/* GObject */

static void
cs_runner_dispose (GObject *object)
{
  CsRunner *self = (CsRunner *)object;

  /* Requests hold a reference on the runner: none is in flight here. */
  g_clear_handle_id (&self->deadline_id, g_source_remove);
  g_clear_handle_id (&self->max_time_id, g_source_remove);
  _cs_runner_budget_free (self);
  if (self->execute_cancellable != NULL && self->cancelled_id != 0)
    g_cancellable_disconnect (self->execute_cancellable, self->cancelled_id);
  self->cancelled_id = 0;
  g_clear_object (&self->execute_cancellable);
  g_clear_object (&self->execute_task);
  g_clear_object (&self->store);
  if (self->fuse_cancellable != NULL)
    g_cancellable_cancel (self->fuse_cancellable);
  g_clear_object (&self->fuse_cancellable);

  G_OBJECT_CLASS (cs_runner_parent_class)->dispose (object);
}

static void
cs_runner_finalize (GObject *object)
{
  CsRunner *self = (CsRunner *)object;

  g_clear_pointer (&self->requests, g_ptr_array_unref);
  g_clear_pointer (&self->synth_waiters, g_ptr_array_unref);
  g_clear_pointer (&self->groups, g_ptr_array_unref);
  g_clear_pointer (&self->slots, g_ptr_array_unref);
  g_clear_pointer (&self->providers, g_hash_table_unref);
  g_clear_pointer (&self->fused, json_node_unref);
  g_clear_pointer (&self->synth_valid, g_ptr_array_unref);
  g_clear_pointer (&self->judge, _cs_runner_judge_free);
  g_clear_pointer (&self->ranking, _cs_runner_ranking_free);
  g_clear_pointer (&self->follow_up, _cs_runner_follow_up_free);
  g_clear_object (&self->run);
  g_clear_object (&self->config);

  G_OBJECT_CLASS (cs_runner_parent_class)->finalize (object);
}

static void
cs_runner_class_init (CsRunnerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cs_runner_dispose;
  object_class->finalize = cs_runner_finalize;
}

static void
cs_runner_init (CsRunner *self)
{
  self->groups = g_ptr_array_new_with_free_func ((GDestroyNotify)_cs_runner_group_free);
  self->slots = g_ptr_array_new_with_free_func ((GDestroyNotify)_cs_runner_slot_free);
  self->providers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           (GDestroyNotify)_cs_runner_provider_free);
  self->requests = g_ptr_array_new ();
  self->synth_waiters = g_ptr_array_new_with_free_func (g_object_unref);
}

CsRunner *
cs_runner_new (CsConfig *config,
               CsRun    *run)
{
  CsRunner *self;

  g_return_val_if_fail (CS_IS_CONFIG (config), NULL);
  g_return_val_if_fail (CS_IS_RUN (run), NULL);

  self = g_object_new (CS_TYPE_RUNNER, NULL);
  self->config = g_object_ref (config);
  self->run = g_object_ref (run);
  return self;
}

CsRun *
cs_runner_get_run (CsRunner *self)
{
  g_return_val_if_fail (CS_IS_RUNNER (self), NULL);
  return self->run;
}

void
cs_runner_set_store (CsRunner   *self,
                     CsRunStore *store)
{
  g_return_if_fail (CS_IS_RUNNER (self));
  g_return_if_fail (!store || CS_IS_RUN_STORE (store));

  g_set_object (&self->store, store);
  if (store != NULL)
    cs_run_store_watch (store, self->run);
}

void
cs_runner_set_quorum (CsRunner *self,
                      guint     quorum)
{
  g_return_if_fail (CS_IS_RUNNER (self));
  self->quorum = quorum;
}

void
cs_runner_set_deadline (CsRunner *self,
                        guint     deadline_s)
{
  g_return_if_fail (CS_IS_RUNNER (self));
  self->deadline_s = deadline_s;
}

void
cs_runner_set_cancel_late (CsRunner *self,
                           gboolean  cancel_late)
{
  g_return_if_fail (CS_IS_RUNNER (self));
  self->cancel_late = !!cancel_late;
}

gboolean
cs_runner_plan (CsRunner            *self,
                const char * const  *models,
                GError             **error)
{
  g_return_val_if_fail (CS_IS_RUNNER (self), FALSE);
  g_return_val_if_fail (self->phase == CS_RUNNER_PHASE_IDLE, FALSE);

  return _cs_run_plan_add (self->config, self->run, models, self->groups, self->slots, error);
}

/* Execution */

static gboolean
cancel_idle_cb (gpointer user_data)
{
  CsRunner *self = user_data;
  g_autoptr(GPtrArray) copy = NULL;

  if (self->cancelled || self->phase == CS_RUNNER_PHASE_FINISHED ||
      self->phase == CS_RUNNER_PHASE_IDLE)
    return G_SOURCE_REMOVE;

  self->cancelled = TRUE;
  copy = g_ptr_array_copy (self->requests, NULL, NULL);
  for (guint i = 0; i < copy->len; i++)
    _cs_runner_cancel_request (g_ptr_array_index (copy, i), NULL);
  _cs_runner_maybe_finish_cancelled (self);
  return G_SOURCE_REMOVE;
}

static void
run_cancelled_cb (GCancellable *cancellable,
                  gpointer      user_data)
{
  CsRunner *self = user_data;

  /* g_cancellable_connect calls back in the cancelling thread and under
   * the cancellable's lock: do the work from the main context. */
  g_idle_add_full (G_PRIORITY_HIGH, cancel_idle_cb, g_object_ref (self), g_object_unref);
}

void
cs_runner_execute_async (CsRunner            *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *copy = NULL;
  const char *problem;

  g_return_if_fail (CS_IS_RUNNER (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cs_runner_execute_async);
  g_task_set_check_cancellable (task, FALSE);

  if (self->phase != CS_RUNNER_PHASE_IDLE || self->execute_task != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               _("The run is already executing"));
      return;
    }

  problem = cs_run_get_problem (self->run);
  copy = g_strstrip (g_strdup (problem ? problem : ""));
  if (copy[0] == '\0')
    {
      g_task_return_new_error (task, CS_RUNNER_ERROR, CS_RUNNER_ERROR_INPUT,
                               _("The problem is empty"));
      return;
    }
  if (self->follow_up != NULL)
    {
      g_autoptr(GError) error = NULL;

      /* a follow-up round starts here (cs-runner-follow-up.c) */
      if (!_cs_runner_follow_up_begin (self, &error))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
    }
  if (self->slots->len == 0 && !_cs_runner_follow_up_judge_only (self))
    {
      g_task_return_new_error (task, CS_RUNNER_ERROR, CS_RUNNER_ERROR_CONFIG,
                               _("No candidate was planned: choose at least one model"));
      return;
    }

  self->execute_task = g_steal_pointer (&task);
  self->phase = CS_RUNNER_PHASE_RUNNING;
  if (self->store != NULL)
    cs_run_store_watch (self->store, self->run);
  _cs_runner_set_run_state (self, CS_RUN_RUNNING);

  if (cancellable != NULL)
    {
      self->execute_cancellable = g_object_ref (cancellable);
      self->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (run_cancelled_cb),
                                                  self, NULL);
      if (g_cancellable_is_cancelled (cancellable))
        return;
    }

  _cs_runner_start_timers (self);

  if (_cs_runner_follow_up_judge_only (self))
    {
      _cs_runner_follow_up_start_judge (self);
      return;
    }

  for (guint i = 0; i < self->groups->len; i++)
    _cs_runner_start_group (self, g_ptr_array_index (self->groups, i));

  _cs_runner_check_progress (self);
}

gboolean
cs_runner_execute_finish (CsRunner      *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (CS_IS_RUNNER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
cs_runner_cancel_candidate (CsRunner   *self,
                            const char *candidate_id)
{
  CsRunnerSlot *slot;
  CsRunnerRequest *request;
  gboolean others_live = FALSE;

  g_return_if_fail (CS_IS_RUNNER (self));
  g_return_if_fail (candidate_id != NULL);

  slot = find_slot (self, candidate_id);
  if (slot == NULL || _cs_runner_slot_is_final (slot))
    return;

  request = slot->request;
  if (request != NULL)
    for (guint i = 0; i < request->slots->len; i++)
      {
        CsRunnerSlot *other = g_ptr_array_index (request->slots, i);
        if (other != slot && other->request == request && !other->user_cancelled &&
            !_cs_runner_slot_is_final (other))
          others_live = TRUE;
      }

  slot->user_cancelled = TRUE;
  cs_candidate_set_error (slot->candidate, "Cancelled");
  cs_candidate_set_status (slot->candidate, CS_CANDIDATE_CANCELLED);
  _cs_runner_slot_finished (self, slot);

  if (request != NULL && !others_live)
    _cs_runner_cancel_request (request, NULL);

  _cs_runner_check_progress (self);
}

static gboolean
run_is_over (CsRun *run)
{
  CsRunState state = cs_run_get_state (run);

  return state == CS_RUN_DONE || state == CS_RUN_FAILED || state == CS_RUN_CANCELLED;
}

void
cs_runner_retry_candidate_async (CsRunner            *self,
                                 const char          *candidate_id,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  CsRunnerSlot *slot;

  g_return_if_fail (CS_IS_RUNNER (self));
  g_return_if_fail (candidate_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cs_runner_retry_candidate_async);

  slot = find_slot (self, candidate_id);
  if (slot == NULL && cs_run_find_candidate (self->run, candidate_id) != NULL &&
      (self->phase == CS_RUNNER_PHASE_FINISHED ||
       (self->phase == CS_RUNNER_PHASE_IDLE && run_is_over (self->run))))
    {
      /* a run this runner did not plan: reopened from the history, or
       * after a round the judge alone answered (its candidates are the
       * round's before); cs-run-plan-adopt.c */
      if (_cs_run_plan_adopt (self->config, self->run, self->groups, self->slots) > 0)
        self->phase = CS_RUNNER_PHASE_FINISHED;
      slot = find_slot (self, candidate_id);
    }
  if (slot == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                               _("No candidate %s in this run"), candidate_id);
      return;
    }
  if (slot->group == NULL || slot->group->model == NULL)
    {
      g_task_return_new_error (task, CS_RUNNER_ERROR, CS_RUNNER_ERROR_CONFIG,
                               _("Candidate %s cannot be asked again: its model %s is no longer configured"),
                               candidate_id, cs_candidate_get_model (slot->candidate));
      return;
    }
  if (!_cs_runner_slot_is_final (slot) || slot->request != NULL || slot->retry_task != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_BUSY,
                               _("Candidate %s is still running"), candidate_id);
      return;
    }
  if (self->phase == CS_RUNNER_PHASE_IDLE || self->phase == CS_RUNNER_PHASE_SYNTHESIZING)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_BUSY,
                               _("The run is not ready for a retry"));
      return;
    }

  {
    GError *error = NULL;

    /* the budget is the run's: a run that has spent it asks nothing more */
    if (!cs_runner_check_budget_left (self->run, &error))
      {
        g_task_return_error (task, error);
        return;
      }
  }

  if (self->phase == CS_RUNNER_PHASE_FINISHED)
    {
      /* a fresh start after a cancelled run */
      self->cancelled = FALSE;
      _cs_runner_budget_retry (self);
      _cs_runner_set_run_state (self, CS_RUN_RUNNING);
    }

  slot->user_cancelled = FALSE;
  slot->repairs = 0;
  cs_candidate_reset_stream (slot->candidate);
  cs_candidate_set_status (slot->candidate, CS_CANDIDATE_QUEUED);
  slot->retry_task = g_steal_pointer (&task);
  _cs_runner_start_slot_alone (self, slot, NULL, FALSE);

  if (cancellable != NULL && slot->request != NULL)
    {
      /* cancelling the retry stops its request (the run keeps the result
       * it had, cs-runner-progress.c), or, once the candidate has ended,
       * the synthesis it started, as a run's is stopped */
      g_signal_connect_object (cancellable, "cancelled",
                               G_CALLBACK (g_cancellable_cancel),
                               slot->request->cancellable, G_CONNECT_SWAPPED);
      g_signal_connect_object (cancellable, "cancelled",
                               G_CALLBACK (run_cancelled_cb), self, 0);
    }
}

gboolean
cs_runner_retry_candidate_finish (CsRunner      *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (CS_IS_RUNNER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
