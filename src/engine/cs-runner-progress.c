/* cs-runner-progress.c: quorum, deadline, the time limit, and how a run ends
 *
 * Synthesis starts when `quorum` candidates are valid (0: when every
 * candidate is final), or when the deadline has passed and at least one is
 * valid (if none is valid yet, at the first valid one), or when all are
 * final. Candidates still streaming then go on (and are kept) unless
 * cancel-late is set, in which case they are cancelled with their partial
 * text kept. Every run is bounded: after CS_RUNNER_MAX_RUN_S (30 minutes)
 * whatever still streams is stopped and the run synthesizes from what it
 * has. Each change of the run's state is saved through the store, if any
 * (and the store saves each final change of a candidate at once).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-runner"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "cs-model-label.h"
#include "cs-runner-private.h"
#include "cs-synthesis.h"

/* Saving */

static void
save_now (CsRunner *self)
{
  if (self->store != NULL)
    cs_run_store_save (self->store, self->run);
}

/* The fused result saved while the judge answers (cs-runner-synthesis.c)
 * gives way to the run's own ending. */
static void
drop_pending_result (CsRunner *self)
{
  if (self->store != NULL)
    cs_run_store_set_pending_result (self->store, self->run, NULL);
}

void
_cs_runner_set_run_state (CsRunner   *self,
                          CsRunState  state)
{
  if (cs_run_get_state (self->run) == state)
    return;
  if (state == CS_RUN_DONE || state == CS_RUN_FAILED || state == CS_RUN_CANCELLED)
    _cs_runner_budget_finished (self);
  cs_run_set_state (self->run, state);
  save_now (self);
}

/* Candidates */

void
_cs_runner_slot_finished (CsRunner     *self,
                          CsRunnerSlot *slot)
{
  if (slot->retry_task != NULL && self->phase != CS_RUNNER_PHASE_FINISHED)
    {
      /* the run's own flow synthesizes */
      GTask *task = g_steal_pointer (&slot->retry_task);
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
    }
  else if (slot->retry_task != NULL)
    {
      /* the run had finished: synthesize again with this candidate (not
       * when the retry was cancelled: the run keeps the result it had) */
      GTask *task = g_steal_pointer (&slot->retry_task);
      GCancellable *cancellable = g_task_get_cancellable (task);
      gboolean stopped = cancellable != NULL && g_cancellable_is_cancelled (cancellable);

      if (cs_run_count_status (self->run, CS_CANDIDATE_OK) > 0 && !self->cancelled && !stopped)
        {
          g_ptr_array_add (self->synth_waiters, task);
          self->phase = CS_RUNNER_PHASE_RUNNING;
          _cs_runner_start_synthesis (self);
        }
      else
        {
          /* stopped, or nothing valid to synthesize: report and stay as
           * we were */
          if (stopped)
            g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                     _("The retry of %s was cancelled"), cs_candidate_get_id (slot->candidate));
          else
            g_task_return_new_error (task, CS_RUNNER_ERROR, CS_RUNNER_ERROR_NO_CANDIDATE,
                                     "%s: %s", cs_candidate_get_id (slot->candidate),
                                     cs_candidate_get_error (slot->candidate)
                                       ? cs_candidate_get_error (slot->candidate)
                                       : cs_candidate_status_to_string (cs_candidate_get_status (slot->candidate)));
          g_object_unref (task);
          if (cs_run_count_status (self->run, CS_CANDIDATE_OK) == 0)
            _cs_runner_set_run_state (self, self->cancelled || stopped ? CS_RUN_CANCELLED : CS_RUN_FAILED);
          else
            _cs_runner_set_run_state (self, CS_RUN_DONE);
        }
    }
}

/* Endings */

static void
complete_waiters (CsRunner *self,
                  GError   *error)
{
  g_autoptr(GPtrArray) waiters = g_steal_pointer (&self->synth_waiters);

  self->synth_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < waiters->len; i++)
    {
      GTask *task = g_ptr_array_index (waiters, i);

      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_boolean (task, TRUE);
    }
  if (self->execute_task != NULL)
    {
      GTask *task = g_steal_pointer (&self->execute_task);

      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_boolean (task, TRUE);
      g_object_unref (task);
    }
}

static void
stop_timers (CsRunner *self)
{
  g_clear_handle_id (&self->deadline_id, g_source_remove);
  g_clear_handle_id (&self->max_time_id, g_source_remove);
  _cs_runner_budget_stop (self);
}

static char *
failure_summary (CsRunner *self)
{
  g_autoptr(GString) str = g_string_new (_("No candidate succeeded"));
  guint shown = 0;

  for (guint i = 0; i < self->slots->len; i++)
    {
      CsRunnerSlot *slot = g_ptr_array_index (self->slots, i);
      const char *error = cs_candidate_get_error (slot->candidate);
      g_autofree char *label = cs_model_label (self->config, cs_candidate_get_model (slot->candidate));

      if (shown == 3)
        {
          g_string_append (str, "; …");
          break;
        }
      g_string_append_printf (str, "%s %s (%s): %s",
                              shown == 0 ? ":" : ";",
                              cs_candidate_get_id (slot->candidate),
                              label,
                              error ? error : cs_candidate_status_to_string (cs_candidate_get_status (slot->candidate)));
      shown++;
    }
  return g_string_free (g_steal_pointer (&str), FALSE);
}

static void
finish_failed (CsRunner *self)
{
  g_autofree char *summary = failure_summary (self);
  g_autoptr(GError) error = g_error_new_literal (CS_RUNNER_ERROR, CS_RUNNER_ERROR_NO_CANDIDATE, summary);

  self->phase = CS_RUNNER_PHASE_FINISHED;
  stop_timers (self);
  if (!_cs_runner_follow_up_end (self, CS_RUN_FAILED, summary))
    {
      cs_run_set_message (self->run, summary);
      _cs_runner_set_run_state (self, CS_RUN_FAILED);
    }
  complete_waiters (self, error);
}

/* A follow-up round without a result (its judge failed): the result before
 * it stands (cs-runner-follow-up.c). */
void
_cs_runner_finish_round_failed (CsRunner   *self,
                                const char *why)
{
  g_autoptr(GError) error = g_error_new (CS_RUNNER_ERROR, CS_RUNNER_ERROR_ROUND_FAILED,
                                         "The round got no result: %s", why);

  self->phase = CS_RUNNER_PHASE_FINISHED;
  stop_timers (self);
  g_clear_pointer (&self->fused, json_node_unref);
  drop_pending_result (self);
  _cs_runner_follow_up_end (self, CS_RUN_FAILED, why);
  complete_waiters (self, error);
}

/* Cancelled (or stopped by quitting) while the judge answered: the votes
 * and consensus are computed and stay the run's result, marked degraded,
 * the message saying that the judge was cancelled. FALSE when there is no
 * fused result yet (cancelled while candidates streamed or fusion ran). */
static gboolean
keep_fused_on_cancel (CsRunner *self)
{
  g_autoptr(JsonNode) result = NULL;
  g_autofree char *note = NULL;
  const char *judge = cs_run_get_judge (self->run);

  if (self->fused == NULL)
    return FALSE;
  if (judge != NULL)
    {
      g_autofree char *label = cs_model_label (self->config, judge);

      /* Translators: the judge's model ("o3 from OpenAI") */
      note = g_strdup_printf (_("The judge, %s, was cancelled before it answered. "
                                "The result combines votes and consensus only."), label);
    }
  else
    note = g_strdup (_("The run was cancelled before its synthesis ended. "
                       "The result combines votes and consensus only."));
  result = cs_synthesis_mark_degraded (self->fused, note);
  cs_run_set_synthesis (self->run, result);
  /* the result's own note says what it combines */
  cs_run_set_message (self->run, _("The run was cancelled while the judge answered."));
  return TRUE;
}

void
_cs_runner_maybe_finish_cancelled (CsRunner *self)
{
  g_autoptr(GError) error = NULL;

  if (!self->cancelled || self->phase == CS_RUNNER_PHASE_FINISHED || self->requests->len > 0)
    return;

  for (guint i = 0; i < self->slots->len; i++)
    {
      CsRunnerSlot *slot = g_ptr_array_index (self->slots, i);
      if (!_cs_runner_slot_is_final (slot))
        {
          cs_candidate_set_error (slot->candidate, "Cancelled");
          cs_candidate_set_status (slot->candidate, CS_CANDIDATE_CANCELLED);
        }
    }

  self->phase = CS_RUNNER_PHASE_FINISHED;
  stop_timers (self);
  /* a fusion still running in its thread is dropped: its callback sees
   * the serial changed */
  self->fuse_serial++;
  if (self->fuse_cancellable != NULL)
    g_cancellable_cancel (self->fuse_cancellable);
  g_clear_object (&self->fuse_cancellable);
  /* a follow-up round cancelled leaves the result before it (cs-runner-follow-up.c) */
  if (self->follow_up == NULL && !keep_fused_on_cancel (self))
    cs_run_set_message (self->run, _("The run was cancelled."));
  g_clear_pointer (&self->fused, json_node_unref);
  drop_pending_result (self);
  if (!_cs_runner_follow_up_end (self, CS_RUN_CANCELLED, "cancelled"))
    _cs_runner_set_run_state (self, CS_RUN_CANCELLED);
  error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("The run was cancelled"));
  complete_waiters (self, error);
}

void
_cs_runner_finish_done (CsRunner *self,
                        JsonNode *result)
{
  JsonNode *note;
  JsonNode *degraded;

  self->phase = CS_RUNNER_PHASE_FINISHED;
  stop_timers (self);
  g_clear_pointer (&self->fused, json_node_unref);
  drop_pending_result (self);
  cs_run_set_synthesis (self->run, result);

  cs_run_set_message (self->run, NULL);
  if (result != NULL && JSON_NODE_HOLDS_OBJECT (result))
    {
      JsonObject *obj = json_node_get_object (result);
      degraded = json_object_get_member (obj, "degraded");
      note = json_object_get_member (obj, "note");
      if (degraded != NULL && JSON_NODE_HOLDS_VALUE (degraded) &&
          json_node_get_value_type (degraded) == G_TYPE_BOOLEAN && json_node_get_boolean (degraded) &&
          note != NULL && JSON_NODE_HOLDS_VALUE (note) && json_node_get_value_type (note) == G_TYPE_STRING)
        cs_run_set_message (self->run, json_node_get_string (note));
    }
  _cs_runner_follow_up_end (self, CS_RUN_DONE, cs_run_get_message (self->run));
  _cs_runner_set_run_state (self, CS_RUN_DONE);
  complete_waiters (self, NULL);
}

/* Quorum, deadline and the time limit */

void
_cs_runner_check_progress (CsRunner *self)
{
  guint n_ok;
  gboolean all_final;

  if (self->phase != CS_RUNNER_PHASE_RUNNING || self->cancelled)
    return;

  n_ok = cs_run_count_status (self->run, CS_CANDIDATE_OK);
  all_final = TRUE;
  for (guint i = 0; i < self->slots->len; i++)
    if (!_cs_runner_slot_is_final (g_ptr_array_index (self->slots, i)))
      all_final = FALSE;

  if (n_ok > 0 && (all_final ||
                   (self->quorum > 0 && n_ok >= self->quorum) ||
                   self->deadline_passed || self->timed_out || self->budget_reached))
    _cs_runner_start_synthesis (self);
  else if (all_final && n_ok == 0)
    finish_failed (self);
}

static gboolean
deadline_cb (gpointer user_data)
{
  CsRunner *self = user_data;

  self->deadline_id = 0;
  self->deadline_passed = TRUE;
  g_debug ("Deadline passed");
  _cs_runner_check_progress (self);
  return G_SOURCE_REMOVE;
}

static gboolean
max_time_cb (gpointer user_data)
{
  CsRunner *self = user_data;
  g_autofree char *reason = g_strdup_printf (_("Stopped: the run reached its time limit of %d minutes"),
                                             CS_RUNNER_MAX_RUN_S / 60);

  self->max_time_id = 0;
  self->timed_out = TRUE;
  g_debug ("Run time limit reached");
  _cs_runner_cancel_live (self, reason);
  _cs_runner_check_progress (self);
  return G_SOURCE_REMOVE;
}

void
_cs_runner_start_timers (CsRunner *self)
{
  if (self->deadline_s > 0)
    self->deadline_id = g_timeout_add (MIN (self->deadline_s, CS_RUNNER_MAX_RUN_S) * 1000, deadline_cb, self);
  self->max_time_id = g_timeout_add_seconds (CS_RUNNER_MAX_RUN_S, max_time_cb, self);
  _cs_runner_budget_start (self);
}
