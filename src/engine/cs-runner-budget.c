/* cs-runner-budget.c: a run's hard budget, and its wall time
 *
 * A run with a budget (cs_run_set_budget_usd ()) checks what it has spent
 * five times a second from its start to its end: the cost of the usage the
 * providers reported (candidates, rankers, judges), plus, for each request
 * still streaming without usage, an estimate from its prompt and the text
 * streamed so far (4 characters a token, at the model's prices).
 *
 * - While the candidates stream: when the spending reaches the budget, the
 *   candidates still streaming are stopped (their partial text kept,
 *   status cancelled, the reason as their error) and the run synthesizes
 *   from the valid ones, its message saying why.
 * - Before each request of the synthesis (a peer ranker, the judge, its
 *   repair, the fallback judge): its upper cost (its prompt and its
 *   model's max-output-tokens, 16,384 assumed where unset) is added to the
 *   spending; when that would pass the budget the request is not sent. A
 *   ranker also leaves room for the judge (the judge writes the answer;
 *   the ranking is evidence): a ranker left out gets a note in the
 *   ranking, a judge not asked makes the result votes and consensus only.
 * - During the synthesis: when the spending reaches the budget (late
 *   candidates, rankers and the judge all count), every request still
 *   streaming is stopped; the result is made from what is valid (the
 *   rankings that arrived; votes and consensus without a judge) and the
 *   run's message says so.
 * A model without a price counts nothing: its spending cannot be known
 * (the run was started knowing that, cs-estimate.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-runner"

#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "cs-estimate.h"
#include "cs-json-util.h"
#include "cs-runner-private.h"

#define BUDGET_CHECK_MS     200
#define CHARS_PER_TOKEN     4
/* the judge's own instructions and the fused result, beyond the answers */
#define JUDGE_PROMPT_CHARS  8000

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

  if (in < 0)
    in = chars_to_tokens (messages_chars (request->messages));
  if (out < 0)
    {
      gsize chars = 0;

      if (request->is_judge)
        chars = (request->judge_text != NULL ? request->judge_text->len : 0) +
                (request->judge_refusal != NULL ? request->judge_refusal->len : 0);
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
add_note (CsRunner   *self,
          const char *sentence)
{
  if (self->budget_notes == NULL)
    self->budget_notes = g_string_new (NULL);
  if (strstr (self->budget_notes->str, sentence) != NULL)
    return;
  if (self->budget_notes->len > 0)
    g_string_append_c (self->budget_notes, ' ');
  g_string_append (self->budget_notes, sentence);
}

/* Stops the rankers and the judge still answering. */
static void
cancel_synthesis_requests (CsRunner   *self,
                           const char *reason)
{
  g_autoptr(GPtrArray) copy = g_ptr_array_copy (self->requests, NULL, NULL);

  for (guint i = 0; i < copy->len; i++)
    {
      CsRunnerRequest *request = g_ptr_array_index (copy, i);

      if (request->is_judge)
        _cs_runner_cancel_request (request, reason);
    }
}

static void
reach_budget (CsRunner *self,
              double    budget,
              double    spent)
{
  g_autofree char *reason = NULL;
  gboolean synthesizing = self->phase == CS_RUNNER_PHASE_SYNTHESIZING;

  self->budget_reached = TRUE;
  g_clear_handle_id (&self->budget_id, g_source_remove);
  /* Translators: the error of a request stopped at the run's budget */
  reason = g_strdup_printf (_("Stopped: the run reached its budget of $%.4f (spent about $%.4f)"),
                            budget, spent);
  g_debug ("%s", reason);
  if (synthesizing)
    {
      g_autofree char *note = NULL;

      /* Translators: the run's message when its budget stopped the synthesis */
      note = g_strdup_printf (_("The run reached its budget of $%.4f during the synthesis: the requests "
                                "still answering were stopped, and the result was made from what had arrived."),
                              budget);
      add_note (self, note);
    }
  else
    self->budget_in_candidates = TRUE;
  _cs_runner_cancel_live (self, reason);
  cancel_synthesis_requests (self, reason);
  _cs_runner_check_progress (self);
}

static gboolean
budget_cb (gpointer user_data)
{
  CsRunner *self = user_data;
  double budget = cs_run_get_budget_usd (self->run);
  double spent;

  if ((self->phase != CS_RUNNER_PHASE_RUNNING && self->phase != CS_RUNNER_PHASE_SYNTHESIZING) ||
      self->cancelled || isnan (budget))
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

static double
upper_cost (const CsModelConfig *model,
            gsize                prompt_chars)
{
  gint64 cap = model->max_output_tokens > 0 ? (gint64) MIN (model->max_output_tokens, G_MAXINT32)
                                            : CS_ESTIMATE_ASSUMED_MAX_OUTPUT;

  return cs_model_config_cost (model, chars_to_tokens (prompt_chars), cap);
}

/* What the judge would cost at most, before its messages exist: the
 * answers it reads and its instructions. */
static double
judge_reserve (CsRunner *self)
{
  const char *judge_id = cs_run_get_judge (self->run);
  const CsModelConfig *judge;
  gsize chars = JUDGE_PROMPT_CHARS + strlen (cs_run_get_problem (self->run));

  if (judge_id == NULL || (judge = cs_config_find_model (self->config, judge_id)) == NULL)
    return 0;
  for (guint i = 0; self->synth_valid != NULL && i < self->synth_valid->len; i++)
    {
      CsCandidate *c = g_ptr_array_index (self->synth_valid, i);
      JsonNode *data = cs_candidate_get_data (c);
      g_autofree char *json = data != NULL ? cs_json_to_string (data, FALSE) : NULL;

      chars += json != NULL ? strlen (json) : strlen (cs_candidate_get_text (c));
    }
  return upper_cost (judge, chars);
}

gboolean
_cs_runner_budget_allows (CsRunner         *self,
                          CsRunnerRequest  *request,
                          char            **why)
{
  double budget = cs_run_get_budget_usd (self->run);
  double spent, upper, reserve = 0;
  gboolean ranker = request->ranker != NULL;

  if (isnan (budget))
    return TRUE;
  if (self->budget_reached)
    {
      *why = g_strdup_printf (_("not asked: the run had reached its budget of $%.4f"), budget);
      return FALSE;
    }
  if (!cs_model_config_has_price (request->model))
    return TRUE;

  spent = _cs_runner_spent_usd (self);
  upper = upper_cost (request->model, messages_chars (request->messages));
  if (ranker)
    reserve = self->budget_rankers + judge_reserve (self);
  if (spent + reserve + upper <= budget)
    {
      if (ranker)
        self->budget_rankers += upper;
      return TRUE;
    }

  if (ranker)
    *why = g_strdup_printf (_("not asked: with $%.4f spent, its ranking (up to $%.4f) and the judge's "
                              "answer would pass the run's budget of $%.4f"), spent, upper, budget);
  else
    *why = g_strdup_printf (_("not asked: with $%.4f spent, its answer (up to $%.4f) would pass the run's "
                              "budget of $%.4f"), spent, upper, budget);
  {
    g_autofree char *note = NULL;

    /* Translators: the run's message when the budget kept a request of the synthesis from going */
    note = g_strdup_printf (_("The run kept its budget of $%.4f: some requests of the synthesis were "
                              "not sent, and the result was made from what had arrived."), budget);
    add_note (self, note);
  }
  g_debug ("%s", *why);
  return FALSE;
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
_cs_runner_budget_free (CsRunner *self)
{
  g_clear_handle_id (&self->budget_id, g_source_remove);
  if (self->budget_notes != NULL)
    g_string_free (g_steal_pointer (&self->budget_notes), TRUE);
}

static void
prepend_to_message (CsRunner   *self,
                    const char *note)
{
  const char *message = cs_run_get_message (self->run);
  g_autofree char *text = NULL;

  if (message != NULL && strstr (message, note) != NULL)
    return;
  text = message != NULL && message[0] != '\0' ? g_strconcat (note, " ", message, NULL)
                                               : g_strdup (note);
  cs_run_set_message (self->run, text);
}

void
_cs_runner_budget_finished (CsRunner *self)
{
  if (self->execute_start_us > 0)
    cs_run_set_wall_ms (self->run, (g_get_monotonic_time () - self->execute_start_us) / 1000);

  if (self->budget_notes != NULL && self->budget_notes->len > 0)
    prepend_to_message (self, self->budget_notes->str);
  if (self->budget_in_candidates)
    {
      g_autofree char *note = NULL;

      /* Translators: the run's message when its budget stopped it */
      note = g_strdup_printf (_("The run reached its budget of $%.4f: the candidates still streaming "
                                "were stopped, and the result was made from the %u valid ones."),
                              cs_run_get_budget_usd (self->run),
                              cs_run_count_status (self->run, CS_CANDIDATE_OK));
      prepend_to_message (self, note);
    }
}
