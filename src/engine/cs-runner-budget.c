/* cs-runner-budget.c: a run's hard budget, and its wall time
 *
 * A run with a budget (cs_run_set_budget_usd ()) checks what it has spent
 * five times a second while its candidates stream: the cost of the usage
 * the providers reported, plus, for each request still streaming without
 * usage, an estimate from its prompt and the text streamed so far (4
 * characters a token, at the model's prices). When the spending reaches
 * the budget, the candidates still streaming are stopped (their partial
 * text kept, status cancelled, the reason as their error) and the run
 * synthesizes from the valid ones, its message saying why. The judge's
 * cost counts in the estimate before the run (cs-estimate.h), not here.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-runner"

#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "cs-runner-private.h"

#define BUDGET_CHECK_MS     200
#define CHARS_PER_TOKEN     4

static gint64
chars_to_tokens (gsize chars)
{
  return (gint64) ((chars + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN);
}

static gsize
messages_chars (JsonNode *messages)
{
  JsonArray *array;
  gsize total = 0;

  if (messages == NULL || !JSON_NODE_HOLDS_ARRAY (messages))
    return 0;
  array = json_node_get_array (messages);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *e = json_array_get_element (array, i);
      const char *content;

      if (!JSON_NODE_HOLDS_OBJECT (e))
        continue;
      content = json_object_get_string_member_with_default (json_node_get_object (e), "content", NULL);
      if (content != NULL)
        total += strlen (content);
    }
  return total;
}

/* A request still streaming: its usage if reported, else the estimate. */
static double
request_spent (CsRunnerRequest *request)
{
  gint64 in = request->input_tokens;
  gint64 out = request->output_tokens;

  if (request->is_judge)
    return 0;
  if (in < 0)
    in = chars_to_tokens (messages_chars (request->messages));
  if (out < 0)
    {
      gsize chars = 0;

      for (guint i = 0; i < request->slots->len; i++)
        {
          CsRunnerSlot *slot = g_ptr_array_index (request->slots, i);

          chars += strlen (cs_candidate_get_text (slot->candidate)) +
                   strlen (cs_candidate_get_reasoning (slot->candidate));
        }
      out = chars_to_tokens (chars);
    }
  return cs_model_config_cost (request->model, in, out);
}

double
_cs_runner_spent_usd (CsRunner *self)
{
  double spent = cs_run_get_total_cost_usd (self->run);

  for (guint i = 0; i < self->requests->len; i++)
    spent += request_spent (g_ptr_array_index (self->requests, i));
  return spent;
}

static void
reach_budget (CsRunner *self,
              double    budget,
              double    spent)
{
  g_autofree char *reason = NULL;

  self->budget_reached = TRUE;
  g_clear_handle_id (&self->budget_id, g_source_remove);
  /* Translators: the error of a candidate stopped at the run's budget */
  reason = g_strdup_printf (_("Stopped: the run reached its budget of $%.4f (spent about $%.4f)"),
                            budget, spent);
  g_debug ("%s", reason);
  _cs_runner_cancel_live (self, reason);
  _cs_runner_check_progress (self);
}

static gboolean
budget_cb (gpointer user_data)
{
  CsRunner *self = user_data;
  double budget = cs_run_get_budget_usd (self->run);
  double spent;

  if (self->phase != CS_RUNNER_PHASE_RUNNING || self->cancelled || isnan (budget))
    {
      self->budget_id = 0;
      return G_SOURCE_REMOVE;
    }
  spent = _cs_runner_spent_usd (self);
  if (spent >= budget)
    {
      self->budget_id = 0;
      reach_budget (self, budget, spent);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

void
_cs_runner_budget_start (CsRunner *self)
{
  if (self->execute_start_us == 0)
    self->execute_start_us = g_get_monotonic_time ();
  if (isnan (cs_run_get_budget_usd (self->run)) || self->budget_id != 0)
    return;
  self->budget_id = g_timeout_add (BUDGET_CHECK_MS, budget_cb, self);
}

void
_cs_runner_budget_stop (CsRunner *self)
{
  g_clear_handle_id (&self->budget_id, g_source_remove);
}

void
_cs_runner_budget_finished (CsRunner *self)
{
  if (self->execute_start_us > 0)
    cs_run_set_wall_ms (self->run, (g_get_monotonic_time () - self->execute_start_us) / 1000);

  if (self->budget_reached)
    {
      const char *message = cs_run_get_message (self->run);
      g_autofree char *note = NULL;
      g_autofree char *text = NULL;

      /* Translators: the run's message when its budget stopped it */
      note = g_strdup_printf (_("The run reached its budget of $%.4f: the candidates still streaming "
                                "were stopped, and the result was made from the %u valid ones."),
                              cs_run_get_budget_usd (self->run),
                              cs_run_count_status (self->run, CS_CANDIDATE_OK));
      if (message != NULL && strstr (message, note) != NULL)
        return;
      text = message != NULL && message[0] != '\0' ? g_strconcat (note, " ", message, NULL)
                                                   : g_steal_pointer (&note);
      cs_run_set_message (self->run, text);
    }
}
