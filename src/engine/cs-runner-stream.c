/* cs-runner-stream.c: a request's events and its end
 *
 * Events are mapped to candidates by choice index. Usage arrives once per
 * request, for all its choices: the output tokens are split between the
 * candidates in proportion to the length of their text and reasoning, the
 * input tokens evenly (the prompt is shared), so the totals stay exact.
 * When the request ends, each of its candidates gets its times and a
 * status; a reply that does not validate gets ONE repair request (n = 1)
 * carrying the validation error, and if that fails too the candidate is
 * invalid, its text kept. Text goes through a splitter per choice first:
 * a leading <think> block is the candidate's reasoning, not its answer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-runner"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "cs-mode.h"
#include "cs-run-judges.h"
#include "cs-runner-private.h"
#include "cs-run-ranking.h"
#include "cs-think-splitter.h"

static gint64
ms_since (gint64 start_us)
{
  return (g_get_monotonic_time () - start_us) / 1000;
}

/* Events */

/* The judge's reply: only its first choice counts. */
static void
judge_event (CsRunnerRequest     *request,
             const CsStreamEvent *event)
{
  if (event->type == CS_STREAM_EVENT_TEXT && event->choice == 0 && event->text != NULL)
    g_string_append_len (request->judge_text, event->text, event->len);
  else if (event->type == CS_STREAM_EVENT_REFUSAL && event->choice == 0 && event->text != NULL)
    g_string_append_len (request->judge_refusal, event->text, event->len);
  else if (event->type == CS_STREAM_EVENT_FINISH && event->choice == 0)
    {
      g_free (request->judge_finish);
      request->judge_finish = g_strdup (event->text);
    }
}

static void
note_first_event (CsRunnerSlot *slot)
{
  if (!slot->got_first)
    {
      slot->got_first = TRUE;
      slot->first_us = g_get_monotonic_time ();
    }
}

/* A candidate's text, reasoning, refusal or finish reason. */
static void
slot_event (CsRunnerSlot        *slot,
            const CsStreamEvent *event)
{
  switch (event->type)
    {
    case CS_STREAM_EVENT_TEXT:
      if (event->text == NULL || event->len == 0)
        break;
      note_first_event (slot);
      cs_candidate_append (slot->candidate, CS_STREAM_TEXT, event->text, event->len);
      cs_candidate_set_status (slot->candidate, CS_CANDIDATE_STREAMING);
      break;

    case CS_STREAM_EVENT_REASONING:
      if (event->text == NULL || event->len == 0)
        break;
      note_first_event (slot);
      cs_candidate_append (slot->candidate, CS_STREAM_REASONING, event->text, event->len);
      if (cs_candidate_get_status (slot->candidate) == CS_CANDIDATE_QUEUED)
        cs_candidate_set_status (slot->candidate, CS_CANDIDATE_THINKING);
      break;

    case CS_STREAM_EVENT_REFUSAL:
      if (event->text == NULL || event->len == 0)
        break;
      note_first_event (slot);
      cs_candidate_append (slot->candidate, CS_STREAM_REFUSAL, event->text, event->len);
      if (cs_candidate_get_status (slot->candidate) == CS_CANDIDATE_QUEUED)
        cs_candidate_set_status (slot->candidate, CS_CANDIDATE_STREAMING);
      break;

    case CS_STREAM_EVENT_FINISH:
      cs_candidate_set_finish_reason (slot->candidate, event->text);
      break;

    case CS_STREAM_EVENT_USAGE:
    case CS_STREAM_EVENT_ERROR:
    case CS_STREAM_EVENT_DONE:
    default:
      break;
    }
}

static void
deliver (CsRunnerRequest     *request,
         CsRunnerSlot        *slot,
         const CsStreamEvent *event)
{
  if (request->is_judge)
    judge_event (request, event);
  else
    slot_event (slot, event);
}

static CsThinkSplitter *
choice_splitter (CsRunnerRequest *request,
                 guint            choice)
{
  if (request->think == NULL)
    request->think = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_think_splitter_free);
  if (request->think->len <= choice)
    g_ptr_array_set_size (request->think, choice + 1);
  if (g_ptr_array_index (request->think, choice) == NULL)
    g_ptr_array_index (request->think, choice) = cs_think_splitter_new ();
  return g_ptr_array_index (request->think, choice);
}

/* A text event (or, with @event NULL, the end of choice @choice's text)
 * through the choice's splitter: reasoning, then answer. */
static void
deliver_text (CsRunnerRequest     *request,
              CsRunnerSlot        *slot,
              guint                choice,
              const CsStreamEvent *event)
{
  CsThinkSplitter *splitter = choice_splitter (request, choice);
  g_autoptr(GString) reasoning = g_string_new (NULL);
  g_autoptr(GString) answer = g_string_new (NULL);
  CsStreamEvent part = { 0, };

  if (event != NULL)
    {
      part = *event;
      cs_think_splitter_feed (splitter, event->text, event->len, reasoning, answer);
    }
  else
    cs_think_splitter_finish (splitter, reasoning, answer);

  part.choice = choice;
  part.type = CS_STREAM_EVENT_REASONING;
  part.text = reasoning->str;
  part.len = reasoning->len;
  if (part.len > 0)
    deliver (request, slot, &part);
  part.type = CS_STREAM_EVENT_TEXT;
  part.text = answer->str;
  part.len = answer->len;
  if (part.len > 0)
    deliver (request, slot, &part);
}

/* The stream ended: what each choice's splitter still holds. */
static void
flush_splitters (CsRunnerRequest *request)
{
  for (guint i = 0; request->think != NULL && i < request->think->len; i++)
    {
      CsRunnerSlot *slot = NULL;

      if (g_ptr_array_index (request->think, i) == NULL)
        continue;
      if (!request->is_judge)
        {
          slot = i < request->slots->len ? g_ptr_array_index (request->slots, i) : NULL;
          if (slot == NULL || slot->request != request || slot->user_cancelled)
            continue;
        }
      deliver_text (request, slot, i, NULL);
    }
}

static void
request_event_cb (const CsStreamEvent *event,
                  gpointer             user_data)
{
  CsRunnerRequest *request = user_data;
  CsRunnerSlot *slot = NULL;

  switch (event->type)
    {
    case CS_STREAM_EVENT_USAGE:
      if (event->input_tokens >= 0)
        request->input_tokens = event->input_tokens;
      if (event->output_tokens >= 0)
        request->output_tokens = event->output_tokens;
      if (event->reasoning_tokens >= 0)
        request->reasoning_tokens = event->reasoning_tokens;
      return;
    case CS_STREAM_EVENT_ERROR:
      /* one unreadable chunk is not fatal by itself: the reply's own
       * validation decides (the client fails the request on real errors) */
      if (g_strcmp0 (event->code, "malformed-chunk") == 0)
        return;
      if (request->stream_error == NULL)
        request->stream_error = g_strdup (event->text ? event->text : _("The provider reported an error"));
      return;
    case CS_STREAM_EVENT_DONE:
      return;
    case CS_STREAM_EVENT_TEXT:
    case CS_STREAM_EVENT_REASONING:
    case CS_STREAM_EVENT_REFUSAL:
    case CS_STREAM_EVENT_FINISH:
    default:
      break;
    }

  if (request->is_judge && event->choice != 0)
    return;
  if (!request->is_judge)
    {
      if (event->choice >= request->slots->len)
        {
          g_debug ("Dropping an event for choice %u of a request with %u", event->choice, request->slots->len);
          return;
        }
      slot = g_ptr_array_index (request->slots, event->choice);
      if (slot == NULL || slot->request != request || slot->user_cancelled)
        return;
    }

  if (event->type == CS_STREAM_EVENT_TEXT && event->text != NULL && event->len > 0)
    deliver_text (request, slot, event->choice, event);
  else
    deliver (request, slot, event);
}

/* The end of a request */

/* Splits the request's usage over its candidates (see the top comment). */
void
_cs_runner_account_usage (CsRunnerRequest *request)
{
  guint n = request->slots->len;
  g_autofree gint64 *weights = NULL;
  gint64 total_weight = 0;
  gint64 out_left, reasoning_left, in_left;

  if (n == 0)
    return;

  weights = g_new0 (gint64, n);
  for (guint i = 0; i < n; i++)
    {
      CsRunnerSlot *slot = g_ptr_array_index (request->slots, i);
      weights[i] = (gint64)strlen (cs_candidate_get_text (slot->candidate)) +
                   (gint64)strlen (cs_candidate_get_reasoning (slot->candidate)) + 1;
      total_weight += weights[i];
    }

  out_left = request->output_tokens;
  reasoning_left = request->reasoning_tokens;
  in_left = request->input_tokens;

  for (guint i = 0; i < n; i++)
    {
      CsRunnerSlot *slot = g_ptr_array_index (request->slots, i);
      gint64 in = -1, out = -1, reasoning = -1;
      double cost;

      if (request->input_tokens >= 0)
        in = i + 1 == n ? in_left : request->input_tokens / n;
      if (request->output_tokens >= 0)
        out = i + 1 == n ? out_left : (gint64)((double)request->output_tokens * weights[i] / total_weight);
      if (request->reasoning_tokens >= 0)
        reasoning = i + 1 == n ? reasoning_left : (gint64)((double)request->reasoning_tokens * weights[i] / total_weight);
      if (in >= 0)
        in_left -= in;
      if (out >= 0)
        out_left -= out;
      if (reasoning >= 0)
        reasoning_left -= reasoning;

      if (in < 0 && out < 0 && reasoning < 0)
        continue;
      cs_candidate_add_usage (slot->candidate, in, out, reasoning);
      cost = cs_model_config_cost (request->model, MAX (in, 0), MAX (out, 0));
      cs_candidate_set_cost_usd (slot->candidate, cs_candidate_get_cost_usd (slot->candidate) + cost);
    }
}

char *
_cs_runner_short_text (const char *text,
                       guint       max_chars)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);

  g_strstrip (valid);
  if (g_utf8_strlen (valid, -1) <= max_chars)
    return g_steal_pointer (&valid);
  {
    g_autofree char *cut = g_utf8_substring (valid, 0, max_chars);
    return g_strconcat (cut, "…", NULL);
  }
}

/* The reply of a candidate's request is complete: decide its status. */
static void
finish_slot_reply (CsRunner        *self,
                   CsRunnerSlot    *slot,
                   CsRunnerRequest *request)
{
  CsCandidate *c = slot->candidate;
  const char *finish = cs_candidate_get_finish_reason (c);
  const char *refusal = cs_candidate_get_refusal (c);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) data = NULL;

  if (g_strcmp0 (finish, "content_filter") == 0)
    {
      cs_candidate_set_error (c, _("The provider's content filter stopped the reply"));
      cs_candidate_set_status (c, CS_CANDIDATE_REFUSED);
      return;
    }
  if (refusal != NULL && refusal[0] != '\0')
    {
      g_autofree char *shown = _cs_runner_short_text (refusal, 300);
      g_autofree char *message = g_strdup_printf (_("The model refused: %s"), shown);
      cs_candidate_set_error (c, message);
      cs_candidate_set_status (c, CS_CANDIDATE_REFUSED);
      return;
    }
  if (g_strcmp0 (finish, "length") == 0)
    {
      cs_candidate_set_error (c, _("The reply was cut off at the token limit"));
      cs_candidate_set_status (c, CS_CANDIDATE_TRUNCATED);
      return;
    }

  data = cs_mode_parse_reply (cs_run_get_mode (self->run), cs_candidate_get_text (c), &error);
  if (data != NULL && JSON_NODE_HOLDS_OBJECT (data))
    {
      cs_candidate_set_validation_error (c, NULL);
      cs_candidate_set_error (c, NULL);
      cs_candidate_set_data (c, data);
      cs_candidate_set_status (c, CS_CANDIDATE_OK);
      return;
    }

  {
    const char *why = error != NULL ? error->message : _("The reply is not a JSON object");

    if (slot->repairs < CS_RUNNER_MAX_REPAIRS && !self->cancelled &&
        slot->group != NULL && slot->group->messages != NULL)
      {
        g_autoptr(JsonNode) repair = NULL;
        g_autofree char *bad = g_strdup (cs_candidate_get_text (c));
        gint64 ttft = cs_candidate_get_ttft_ms (c);
        gint64 duration = cs_candidate_get_duration_ms (c);

        slot->repairs++;
        g_debug ("%s: repairing (%s)", cs_candidate_get_id (c), why);
        repair = cs_mode_build_repair_messages (slot->group->messages, bad, why);
        cs_candidate_reset_stream (c);
        cs_candidate_set_ttft_ms (c, ttft);
        cs_candidate_set_duration_ms (c, duration);
        cs_candidate_set_validation_error (c, why);
        cs_candidate_set_status (c, CS_CANDIDATE_STREAMING);
        if (repair != NULL)
          {
            _cs_runner_start_slot_alone (self, slot, repair, TRUE);
            return;
          }
        cs_candidate_set_text (c, bad);
      }

    cs_candidate_set_validation_error (c, why);
    cs_candidate_set_error (c, why);
    cs_candidate_set_status (c, CS_CANDIDATE_INVALID);
  }
}

/* The request failed: what that makes of one of its candidates. */
static void
fail_slot_reply (CsRunnerSlot    *slot,
                 CsRunnerRequest *request,
                 const GError    *error)
{
  CsCandidate *c = slot->candidate;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      cs_candidate_set_error (c, request->cancel_reason ? request->cancel_reason : "Cancelled");
      cs_candidate_set_status (c, CS_CANDIDATE_CANCELLED);
    }
  else if (g_error_matches (error, CS_CLIENT_ERROR, CS_CLIENT_ERROR_TRUNCATED))
    {
      cs_candidate_set_error (c, error->message);
      cs_candidate_set_status (c, CS_CANDIDATE_TRUNCATED);
    }
  else if (g_strcmp0 (cs_candidate_get_finish_reason (c), "length") == 0)
    {
      cs_candidate_set_error (c, _("The reply was cut off at the token limit"));
      cs_candidate_set_status (c, CS_CANDIDATE_TRUNCATED);
    }
  else
    {
      cs_candidate_set_error (c, error->message);
      cs_candidate_set_status (c, CS_CANDIDATE_FAILED);
    }
}

/* The request ended: the times, attempts and status of one of its
 * candidates. */
static void
finish_slot_request (CsRunner          *self,
                     CsRunnerSlot      *slot,
                     CsRunnerRequest   *request,
                     gboolean           ok,
                     const GError      *error,
                     const CsChatStats *stats)
{
  CsCandidate *c = slot->candidate;
  gint64 queued_ms = MAX (stats->queued_ms, 0);

  slot->request = NULL;

  if (slot->got_first && cs_candidate_get_ttft_ms (c) < 0)
    cs_candidate_set_ttft_ms (c, MAX ((slot->first_us - request->start_us) / 1000 - queued_ms, 0));
  /* a repair's time adds to the first attempt's */
  cs_candidate_set_duration_ms (c, (request->is_repair ? MAX (cs_candidate_get_duration_ms (c), 0) : 0) +
                                   MAX (ms_since (request->start_us) - queued_ms, 0));
  if (stats->attempts > 1)
    cs_candidate_set_attempts (c, cs_candidate_get_attempts (c) + stats->attempts - 1);

  if (slot->user_cancelled)
    {
      /* already marked cancelled */
    }
  else if (!ok)
    fail_slot_reply (slot, request, error);
  else
    finish_slot_reply (self, slot, request);

  if (_cs_runner_slot_is_final (slot))
    _cs_runner_slot_finished (self, slot);
}

static void
judge_stream_done (CsRunner        *self,
                   CsRunnerRequest *request,
                   gboolean         ok,
                   const GError    *error)
{
  if (request->ranker != NULL)
    {
      _cs_runner_ranker_done (self, request, ok, ok ? NULL : request->cancel_reason ? request->cancel_reason : error->message);
      return;
    }
  /* a judge (or a fallback judge) without a price leaves the cost unknown */
  if (!cs_model_config_has_price (request->model))
    cs_run_set_judge_price_known (self->run, FALSE);
  cs_run_add_judge_usage (self->run,
                          request->input_tokens,
                          request->output_tokens,
                          cs_model_config_cost (request->model,
                                                MAX (request->input_tokens, 0),
                                                MAX (request->output_tokens, 0)),
                          ms_since (request->start_us));
  {
    CsJudgeUse use = {
      .model = request->model->id,
      .fallback = g_strcmp0 (request->model->id, cs_run_get_judge (self->run)) != 0 &&
                  g_strcmp0 (request->model->id, cs_run_get_fallback_judge (self->run)) == 0,
      .input_tokens = request->input_tokens,
      .output_tokens = request->output_tokens,
      .cost_usd = cs_model_config_cost (request->model, MAX (request->input_tokens, 0),
                                        MAX (request->output_tokens, 0)),
      .price_known = cs_model_config_has_price (request->model),
      .duration_ms = ms_since (request->start_us),
      .estimated = request->usage_estimated,
    };

    cs_run_add_judge_use (self->run, &use);
  }
  if (!ok)
    _cs_runner_judge_done (self, request, FALSE, request->cancel_reason ? request->cancel_reason : error->message);
  else
    _cs_runner_judge_done (self, request, TRUE, NULL);
}

static void
stream_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  CsRunnerRequest *request = user_data;
  CsRunner *self = request->runner;
  g_autoptr(GError) error = NULL;
  CsChatStats stats = { 0 };
  gboolean ok;

  ok = cs_provider_client_stream_finish (CS_PROVIDER_CLIENT (object), result, &stats, &error);
  g_object_ref (self);
  _cs_runner_remove_request (self, request);

  flush_splitters (request);
  _cs_runner_budget_estimate_usage (self, request);

  if (ok && request->stream_error != NULL)
    {
      ok = FALSE;
      g_set_error_literal (&error, CS_CLIENT_ERROR, CS_CLIENT_ERROR_STREAM, request->stream_error);
    }

  if (request->is_judge)
    {
      judge_stream_done (self, request, ok, error);
      _cs_runner_request_free (request);
      _cs_runner_maybe_finish_cancelled (self);
      g_object_unref (self);
      return;
    }

  /* a request the budget stopped was counted then (cs-runner-budget.c) */
  if (!request->usage_accounted)
    _cs_runner_account_usage (request);

  for (guint i = 0; i < request->slots->len; i++)
    {
      CsRunnerSlot *slot = g_ptr_array_index (request->slots, i);

      if (slot->request == request)
        finish_slot_request (self, slot, request, ok, error, &stats);
    }

  _cs_runner_request_free (request);
  _cs_runner_check_progress (self);
  _cs_runner_maybe_finish_cancelled (self);
  g_object_unref (self);
}

/* Sending */

/* "c1,c2" for the request log; "judge" for the judge's, "ranking" for a
 * peer ranker's. */
static char *
request_candidates (CsRunnerRequest *request)
{
  GString *ids;

  if (request->ranker != NULL)
    return g_strdup ("ranking");
  if (request->is_judge)
    return g_strdup ("judge");
  ids = g_string_new (NULL);
  for (guint i = 0; i < request->slots->len; i++)
    {
      CsRunnerSlot *slot = g_ptr_array_index (request->slots, i);

      if (slot == NULL || slot->candidate == NULL)
        continue;
      if (ids->len > 0)
        g_string_append_c (ids, ',');
      g_string_append (ids, cs_candidate_get_id (slot->candidate));
    }
  return g_string_free (ids, FALSE);
}

void
_cs_runner_send_request (CsRunner        *self,
                         CsRunnerRequest *request)
{
  CsChatRequest chat = { 0 };
  g_autofree char *candidates = request_candidates (request);

  chat.model = request->model->name;
  chat.messages = request->messages;
  chat.n = MAX (request->slots->len, 1);
  chat.temperature = request->temperature;
  chat.reasoning_effort = request->model->reasoning_effort;
  chat.max_output_tokens = request->model->max_output_tokens;
  chat.verbosity = request->model->verbosity;
  chat.structured = request->structured;
  chat.schema = request->schema;
  chat.schema_name = request->schema_name;
  chat.run_id = cs_run_get_id (self->run);
  chat.candidates = candidates;

  request->start_us = g_get_monotonic_time ();
  g_ptr_array_add (self->requests, request);
  cs_provider_client_stream_async (request->provider->client, &chat,
                                   request_event_cb, request,
                                   request->cancellable,
                                   stream_cb, request);
}

void
_cs_runner_send_when_ready (CsRunner                *self,
                            CsRunnerProvider        *provider,
                            CsRunnerRequest         *request,
                            CsRunnerRequestDoneFunc  done)
{
  request->provider = provider;
  _cs_runner_remove_request (self, request);
  if (self->cancelled)
    {
      _cs_runner_request_free (request);
      _cs_runner_maybe_finish_cancelled (self);
      return;
    }
  if (provider->key_error != NULL)
    {
      done (self, request, FALSE, provider->key_error);
      _cs_runner_request_free (request);
      return;
    }
  _cs_runner_send_request (self, request);
}
