/* cli-serve-retry.c: POST /v1/runs/{id}/candidates/{cid}/retry, one
 * candidate of a finished run asked again, as consilium-cli --retry does
 *
 * The candidate (of the run's current round, one the app offers Retry for:
 * failed, refused, invalid or truncated) is asked by itself with the settings its request went with (kept in the run
 * file), then the round is synthesized again. The body is empty, {} or
 * {"budget_usd": N}, the run's new budget (cli-budget.c).
 * Checked before the run changes (cli_retry_check ()): 404 for an unknown
 * run or candidate, 409 while the run is running, for a candidate that
 * succeeded or was cancelled (not_retryable) or whose model is no longer
 * configured, 409 "budget_reached" for a run that has spent its budget
 * (cli-budget.c), 429 over --max-runs.
 * 202 at once; the events follow the run's earlier ones on its stream: a
 * "retry" event, the candidate's, the synthesis's, "error" when it failed
 * again, and a new "done". DELETE cancels it (the run keeps the result it
 * had while the candidate streamed).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "consilium-cli"

#include "config.h"

#include <string.h>

#include "cs-json-parse.h"
#include "cli-budget.h"
#include "cli-serve-private.h"

typedef struct {
  ServeRun *srun;
  char     *candidate_id;
} Retry;

static void
retry_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  Retry *retry = user_data;
  ServeRun *srun = retry->srun;
  g_autoptr(GError) error = NULL;
  gboolean ok = cs_runner_retry_candidate_finish (CS_RUNNER (object), result, &error);
  CsCandidate *candidate = cs_run_find_candidate (srun->run, retry->candidate_id);
  g_autofree char *failure = NULL;

  if (ok && (candidate == NULL || cs_candidate_get_status (candidate) != CS_CANDIDATE_OK))
    failure = g_strdup_printf ("The retry of %s failed: %s", retry->candidate_id,
                               candidate != NULL && cs_candidate_get_error (candidate) != NULL
                                 ? cs_candidate_get_error (candidate) : "no answer");
  else if (!ok && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    failure = g_strdup_printf ("The retry of %s failed: %s", retry->candidate_id, error->message);

  serve_reopen_end (srun, failure);
  g_free (retry->candidate_id);
  g_free (retry);
}

/* An empty body, {}, or {"budget_usd": N} (the run's new budget,
 * cli-budget.c): nothing else is taken. */
static gboolean
check_body (SoupServerMessage  *msg,
            CsRun              *run,
            GError            **error)
{
  g_autoptr(GBytes) bytes = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  g_autoptr(JsonNode) root = NULL;
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);

  if (len == 0 || strspn (data, " \t\r\n") == len)
    return TRUE;
  root = cs_json_parse_bounded (data, (gssize) len, 8, error);
  if (root == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (root) ||
      json_object_get_size (json_node_get_object (root)) > (json_object_has_member (json_node_get_object (root), "budget_usd") ? 1 : 0))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "the body must be empty, {} or {\"budget_usd\": N}: a retry takes the candidate's own settings");
      return FALSE;
    }
  return cli_budget_from_json (json_node_get_object (root), run, error);
}

static void
reply_refused (SoupServerMessage *msg,
               GError            *error)
{
  if (cli_budget_reply_refused (msg, error))
    return;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    serve_reply_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", error->message);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BUSY))
    serve_reply_error (msg, SOUP_STATUS_CONFLICT, "running", error->message);
  else if (g_error_matches (error, CS_RUNNER_ERROR, CS_RUNNER_ERROR_CONFIG))
    serve_reply_error (msg, SOUP_STATUS_CONFLICT, "not_configured", error->message);
  else
    serve_reply_error (msg, SOUP_STATUS_CONFLICT, "not_retryable", error->message);
}

static void
emit_retry (ServeRun   *srun,
            const char *candidate_id)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  CsCandidate *candidate = cs_run_find_candidate (srun->run, candidate_id);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "candidate");
  json_builder_add_string_value (b, candidate_id);
  json_builder_set_member_name (b, "model");
  json_builder_add_string_value (b, cs_candidate_get_model (candidate));
  json_builder_end_object (b);
  serve_events_reopen_with (srun, "retry", b);
}

void
serve_retry (Serve             *serve,
             SoupServerMessage *msg,
             CsRun             *run,
             const char        *candidate_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsRunner) runner = NULL;
  ServeRun *srun = serve_find_run (serve, cs_run_get_id (run));
  double budget_before = cs_run_get_budget_usd (run);
  Retry *retry;
  guint64 last_id;

  if ((srun != NULL && !srun->ended) || cs_run_manager_is_running (serve->manager, run))
    {
      serve_reply_error (msg, SOUP_STATUS_CONFLICT, "running", "The run is running: wait for its end.");
      return;
    }
  if (!check_body (msg, run, &error))
    {
      cs_run_set_budget_usd (run, budget_before);
      serve_reply_error (msg, SOUP_STATUS_BAD_REQUEST, "bad_request", error->message);
      return;
    }
  /* every check before the run changes: a refusal leaves it as it was */
  if (!cli_retry_check (serve->config, run, candidate_id, &error))
    {
      cs_run_set_budget_usd (run, budget_before);
      reply_refused (msg, error);
      return;
    }
  if (serve_refuse_too_many (serve, msg))
    {
      cs_run_set_budget_usd (run, budget_before);
      return;
    }

  runner = cs_runner_new (serve->config, run);
  cs_runner_set_store (runner, serve->store);
  srun = serve_reopen_begin (serve, run, runner, &last_id);
  emit_retry (srun, candidate_id);

  retry = g_new0 (Retry, 1);
  retry->srun = srun;
  retry->candidate_id = g_strdup (candidate_id);
  cs_runner_retry_candidate_async (runner, candidate_id, srun->follow_up_cancellable, retry_cb, retry);
  serve_reply_reopened (msg, SOUP_STATUS_ACCEPTED, srun, "candidate",
                        json_node_init_string (json_node_alloc (), candidate_id), last_id);
}
