/* cs-runner-budget.c: a run's hard budget, and its wall time
 *
 * A run with a budget (cs_run_set_budget_usd ()) checks what it has spent
 * five times a second from its start to its end: the cost of the usage the
 * providers reported (candidates, rankers, judges), plus, for each request
 * still streaming without usage, an estimate from its prompt and the text
 * streamed so far (4 bytes of UTF-8 a token, cs-token-count.h, at the
 * model's prices).
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
 * - A request stopped at the budget before its provider reported usage
 *   counts its prompt and the text it streamed, by the same rule, marked
 *   estimated (the candidate's and the run's totals).
 * - The budget is the run's, across its rounds and retries: the spending
 *   is the run's total (every round's candidates, rankers and judges), so a
 *   follow-up or a retry gets what is left, and none starts once the run
 *   has spent its budget (cs_runner_check_budget_left ()) until it is
 *   raised. A candidate retried after the run finished is watched as in a
 *   first run and starts a new synthesis, weighed afresh
 *   (_cs_runner_budget_retry ()).
 * - The run's wall time adds up its rounds and retries: each execution
 *   adds its own to what the run had (wall_base_ms).
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
#include "cs-token-count.h"

#define BUDGET_CHECK_MS     200
/* the judge's own instructions and the fused result, beyond the answers */
#define JUDGE_PROMPT_BYTES  8000

/* What @request has used by the counting rule: its prompt, and the text
 * (and reasoning, and refusal) it streamed so far. */
static void
request_count (CsRunnerRequest *request,
               gint64          *in,
               gint64          *out)
{
  gsize size = 0;

  if (request->is_judge)
    size = (request->judge_text != NULL ? request->judge_text->len : 0) +
           (request->judge_refusal != NULL ? request->judge_refusal->len : 0);
  for (guint i = 0; request->slots != NULL && i < request->slots->len; i++)
    {
      CsRunnerSlot *slot = g_ptr_array_index (request->slots, i);

      if (slot == NULL || slot->candidate == NULL)
        continue;
      size += strlen (cs_candidate_get_text (slot->candidate)) +
              strlen (cs_candidate_get_reasoning (slot->candidate));
    }
  *in = cs_token_count_messages (request->messages);
  *out = cs_token_count (size);
}

/* A request still streaming: its usage if reported, else the estimate. */
static double
request_spent (CsRunnerRequest *request)
{
  gint64 in, out;

  request_count (request, &in, &out);
  if (request->input_tokens >= 0)
    in = request->input_tokens;
  if (request->output_tokens >= 0)
    out = request->output_tokens;
  return cs_model_config_cost (request->model, in, out);
}

void
_cs_runner_budget_estimate_usage (CsRunner        *self,
                                  CsRunnerRequest *request)
{
  gint64 in, out;

  if (!request->budget_stopped || request->start_us == 0 ||
      (request->input_tokens >= 0 && request->output_tokens >= 0))
    return;
  request_count (request, &in, &out);
  if (request->input_tokens < 0)
    request->input_tokens = in;
  if (request->output_tokens < 0)
    request->output_tokens = out;
  request->usage_estimated = TRUE;
  g_debug ("usage of a request stopped at the budget, estimated: %" G_GINT64_FORMAT " in, %"
           G_GINT64_FORMAT " out", request->input_tokens, request->output_tokens);
  cs_run_set_usage_estimated (self->run);
  for (guint i = 0; request->slots != NULL && i < request->slots->len; i++)
    {
      CsRunnerSlot *slot = g_ptr_array_index (request->slots, i);

      if (slot != NULL && slot->candidate != NULL)
        cs_candidate_set_usage_estimated (slot->candidate, TRUE);
    }
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
  for (guint i = 0; i < self->requests->len; i++)
    {
      CsRunnerRequest *request = g_ptr_array_index (self->requests, i);

      request->budget_stopped = TRUE;
      if (request->is_judge || request->start_us == 0 ||
          (request->input_tokens >= 0 && request->output_tokens >= 0))
        continue;
      /* the synthesis may end the run before this stream ends */
      _cs_runner_budget_estimate_usage (self, request);
      _cs_runner_account_usage (request);
      request->usage_accounted = TRUE;
    }
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

/* A candidate asked again after the run finished streams while the
 * runner's phase is finished: it is spending all the same. */
static gboolean
retry_pending (CsRunner *self)
{
  for (guint i = 0; i < self->slots->len; i++)
    if (((CsRunnerSlot *) g_ptr_array_index (self->slots, i))->retry_task != NULL)
      return TRUE;
  return FALSE;
}

static gboolean
budget_cb (gpointer user_data)
{
  CsRunner *self = user_data;
  double budget = cs_run_get_budget_usd (self->run);
  double spent;

  if ((self->phase != CS_RUNNER_PHASE_RUNNING && self->phase != CS_RUNNER_PHASE_SYNTHESIZING &&
       !retry_pending (self)) ||
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

/* Checks the spending five times a second, when the run has a budget and
 * nothing checks it yet. */
static void
watch_spending (CsRunner *self)
{
  if (isnan (cs_run_get_budget_usd (self->run)) || self->budget_id != 0)
    return;
  self->budget_id = g_timeout_add (BUDGET_CHECK_MS, budget_cb, self);
}

static double
upper_cost (const CsModelConfig *model,
            gsize                prompt_size)
{
  gint64 cap = model->max_output_tokens > 0 ? (gint64) MIN (model->max_output_tokens, G_MAXINT32)
                                            : CS_ESTIMATE_ASSUMED_MAX_OUTPUT;

  return cs_model_config_cost (model, cs_token_count (prompt_size), cap);
}

/* What the judge would cost at most, before its messages exist: the
 * answers it reads and its instructions. */
static double
judge_reserve (CsRunner *self)
{
  const char *judge_id = cs_run_get_judge (self->run);
  const CsModelConfig *judge;
  gsize size = JUDGE_PROMPT_BYTES + strlen (cs_run_get_problem (self->run));

  if (judge_id == NULL || (judge = cs_config_find_model (self->config, judge_id)) == NULL)
    return 0;
  for (guint i = 0; self->synth_valid != NULL && i < self->synth_valid->len; i++)
    {
      CsCandidate *c = g_ptr_array_index (self->synth_valid, i);
      JsonNode *data = cs_candidate_get_data (c);
      g_autofree char *json = data != NULL ? cs_json_to_string (data, FALSE) : NULL;

      size += json != NULL ? strlen (json) : strlen (cs_candidate_get_text (c));
    }
  return upper_cost (judge, size);
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
  upper = upper_cost (request->model, cs_token_messages_size (request->messages));
  if (ranker)
    reserve = self->budget_rankers + judge_reserve (self);
  if (spent + reserve + upper <= budget)
    {
      if (ranker)
        self->budget_rankers += upper;
      watch_spending (self);
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

gboolean
cs_runner_check_budget_left (CsRun   *run,
                             GError **error)
{
  double budget, spent;

  g_return_val_if_fail (CS_IS_RUN (run), FALSE);

  budget = cs_run_get_budget_usd (run);
  if (isnan (budget))
    return TRUE;
  spent = cs_run_get_total_cost_usd (run);
  if (spent < budget)
    return TRUE;
  g_set_error (error, CS_RUNNER_ERROR, CS_RUNNER_ERROR_BUDGET,
               /* Translators: a follow-up or retry refused; the run's total cost, its budget */
               _("The run has spent $%.4f, which reaches its budget of $%.4f: the budget is the whole "
                 "run's, every round and retry included, so nothing more is sent until it is raised"),
               spent, budget);
  return FALSE;
}

/* The run's wall time so far counts before this execution's. */
static void
start_clock (CsRunner *self)
{
  self->execute_start_us = g_get_monotonic_time ();
  self->wall_base_ms = MAX (cs_run_get_wall_ms (self->run), 0);
}

void
_cs_runner_budget_start (CsRunner *self)
{
  if (self->execute_start_us == 0)
    start_clock (self);
  watch_spending (self);
}

void
_cs_runner_budget_retry (CsRunner *self)
{
  self->budget_reached = FALSE;
  self->budget_in_candidates = FALSE;
  self->budget_rankers = 0;
  if (self->budget_notes != NULL)
    g_string_truncate (self->budget_notes, 0);
  start_clock (self);
  g_clear_handle_id (&self->budget_id, g_source_remove);
  watch_spending (self);
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
    cs_run_set_wall_ms (self->run, self->wall_base_ms + (g_get_monotonic_time () - self->execute_start_us) / 1000);

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
