/* cli-serve-follow-up.c: POST /v1/runs/{id}/follow-ups, a follow-up round
 * on a finished run (cs_runner_new_follow_up ()), as consilium-cli
 * --follow-up does
 *
 * Body: {"question"?, "scope"?: "judge"|"all", "steps"?: [{"step", "outcome":
 * "worked"|"failed"|"skipped", "output"?}], "options"?: ["[MODEL@]KEY=VALUE"],
 * "quorum"?, "deadline"?, "budget_usd"?: the run's new budget, cli-budget.c}. The run keeps its mode, models, judges and
 * constraints; each model is asked with the settings the run used, the
 * options on top (as --option with --follow-up: cli-round-knobs.c). Everything is checked
 * before the run changes (400, or 409 while the run is running). The
 * round's events follow the run's earlier ones on the same stream: a
 * "round" event, then candidate, delta, synthesis … and a new "done". A
 * round counts as a run against --max-runs; DELETE cancels it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "consilium-cli"

#include "config.h"

#include <string.h>

#include "cs-json-parse.h"
#include "cli-budget.h"
#include "cli-serve-private.h"

#define MAX_QUESTION_BYTES (256 * 1024)
#define MAX_STEPS          200
#define MAX_OPTIONS        64

static gboolean
read_step (JsonNode   *node,
           GPtrArray  *reports,
           GError    **error)
{
  JsonObject *o = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  JsonNode *step = o != NULL ? json_object_get_member (o, "step") : NULL;
  JsonNode *outcome = o != NULL ? json_object_get_member (o, "outcome") : NULL;
  JsonNode *output = o != NULL ? json_object_get_member (o, "output") : NULL;
  g_autoptr(CsStepReport) report = NULL;
  CsStepOutcome value;

  if (step == NULL || !JSON_NODE_HOLDS_VALUE (step) || json_node_get_value_type (step) != G_TYPE_INT64 ||
      json_node_get_int (step) < 1 || json_node_get_int (step) > 10000 ||
      outcome == NULL || !JSON_NODE_HOLDS_VALUE (outcome) || json_node_get_value_type (outcome) != G_TYPE_STRING ||
      !cs_step_outcome_from_string (json_node_get_string (outcome), &value) ||
      (output != NULL && !JSON_NODE_HOLDS_NULL (output) &&
       (!JSON_NODE_HOLDS_VALUE (output) || json_node_get_value_type (output) != G_TYPE_STRING)))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "each of “steps” must be {\"step\": N from 1, \"outcome\": \"worked\", \"failed\" "
                           "or \"skipped\", \"output\"?: text}");
      return FALSE;
    }
  for (guint i = 0; i < reports->len; i++)
    if (((CsStepReport *) g_ptr_array_index (reports, i))->step == (guint) json_node_get_int (step))
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "step %u is given twice",
                     (guint) json_node_get_int (step));
        return FALSE;
      }
  report = cs_step_report_new ((guint) json_node_get_int (step), value,
                               output != NULL && JSON_NODE_HOLDS_VALUE (output) ? json_node_get_string (output) : NULL);
  if (!cs_step_report_check (report, error))
    return FALSE;
  g_ptr_array_add (reports, g_steal_pointer (&report));
  return TRUE;
}

/* The body's question, scope and step reports; FALSE with why. */
static gboolean
read_body (JsonObject    *o,
           char         **question,
           CsRoundScope  *scope,
           GPtrArray     *reports,
           GError       **error)
{
  static const char * const known[] = { "question", "scope", "steps", "options", "quorum", "deadline", "budget_usd", NULL };
  g_autoptr(GList) members = json_object_get_members (o);
  JsonNode *q = json_object_get_member (o, "question");
  JsonNode *s = json_object_get_member (o, "scope");
  JsonNode *steps = json_object_get_member (o, "steps");

  for (GList *l = members; l != NULL; l = l->next)
    if (!g_strv_contains (known, l->data))
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "unknown member “%s”", (const char *) l->data);
        return FALSE;
      }
  if (q != NULL && !JSON_NODE_HOLDS_NULL (q) &&
      (!JSON_NODE_HOLDS_VALUE (q) || json_node_get_value_type (q) != G_TYPE_STRING ||
       strlen (json_node_get_string (q)) > MAX_QUESTION_BYTES))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "“question” must be a string of at most %d bytes", MAX_QUESTION_BYTES);
      return FALSE;
    }
  *question = g_strdup (q != NULL && JSON_NODE_HOLDS_VALUE (q) ? json_node_get_string (q) : "");
  *scope = CS_ROUND_SCOPE_JUDGE;
  if (s != NULL && !JSON_NODE_HOLDS_NULL (s) &&
      (!JSON_NODE_HOLDS_VALUE (s) || json_node_get_value_type (s) != G_TYPE_STRING ||
       !cs_round_scope_from_string (json_node_get_string (s), scope) || *scope == CS_ROUND_SCOPE_FIRST))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "“scope” must be \"judge\" or \"all\"");
      return FALSE;
    }
  if (steps != NULL && !JSON_NODE_HOLDS_NULL (steps))
    {
      JsonArray *array = JSON_NODE_HOLDS_ARRAY (steps) ? json_node_get_array (steps) : NULL;

      if (array == NULL || json_array_get_length (array) > MAX_STEPS)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "“steps” must be an array of at most %d step reports", MAX_STEPS);
          return FALSE;
        }
      for (guint i = 0; i < json_array_get_length (array); i++)
        if (!read_step (json_array_get_element (array, i), reports, error))
          return FALSE;
    }
  return TRUE;
}

/* "options": the round's own settings, "[MODEL@]KEY=VALUE" each, as
 * --option with --follow-up; NULL with why when it is not an array of
 * strings. */
static GStrv
read_options (JsonObject  *o,
              GError     **error)
{
  JsonNode *node = json_object_get_member (o, "options");
  JsonArray *array = node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (node != NULL && !JSON_NODE_HOLDS_NULL (node) && (array == NULL || json_array_get_length (array) > MAX_OPTIONS))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "“options” must be an array of at most %d \"[MODEL@]KEY=VALUE\" strings", MAX_OPTIONS);
      return NULL;
    }
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (item) || json_node_get_value_type (item) != G_TYPE_STRING)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               "each of “options” must be a \"[MODEL@]KEY=VALUE\" string");
          return NULL;
        }
      g_strv_builder_add (builder, json_node_get_string (item));
    }
  return g_strv_builder_end (builder);
}

static guint
member_count (JsonObject *o,
              const char *name)
{
  JsonNode *node = json_object_get_member (o, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64 ||
      json_node_get_int (node) < 0)
    return 0;
  return (guint) MIN (json_node_get_int (node), 24 * 3600);
}

ServeRun *
serve_adopt_run (Serve *serve,
                 CsRun *run)
{
  ServeRun *srun = g_new0 (ServeRun, 1);

  srun->serve = serve;
  srun->run = g_object_ref (run);
  srun->events = serve_events_new ();
  srun->started = TRUE;
  srun->ended = TRUE;
  g_hash_table_insert (serve->runs, g_strdup (cs_run_get_id (run)), srun);
  return srun;
}

gboolean
serve_refuse_too_many (Serve             *serve,
                       SoupServerMessage *msg)
{
  g_autofree char *seconds = NULL;

  if (serve_n_running (serve) < serve->max_runs)
    return FALSE;
  seconds = g_strdup_printf ("%u", serve_retry_after (serve));
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After", seconds);
  serve_reply_error (msg, SERVE_STATUS_TOO_MANY_REQUESTS, "too_many_runs",
                     "Too many runs are running; try again later.");
  return TRUE;
}

ServeRun *
serve_reopen_begin (Serve    *serve,
                    CsRun    *run,
                    CsRunner *runner,
                    guint64  *last_id)
{
  ServeRun *srun = serve_find_run (serve, cs_run_get_id (run));

  if (srun == NULL)
    srun = serve_adopt_run (serve, run);
  *last_id = serve_events_last_id (srun->events);
  srun->follow_up = g_object_ref (runner);
  srun->follow_up_cancellable = g_cancellable_new ();
  srun->ended = FALSE;
  srun->started_us = g_get_monotonic_time ();
  serve->n_follow_ups++;
  return srun;
}

void
serve_reopen_end (ServeRun   *srun,
                  const char *failure)
{
  Serve *serve = srun->serve;

  g_clear_object (&srun->follow_up);
  g_clear_object (&srun->follow_up_cancellable);
  serve->n_follow_ups--;
  srun->ended = TRUE;
  cs_run_store_save (serve->store, srun->run);
  serve_events_end (srun, failure);
  serve_start_next (serve);
}

void
serve_reply_reopened (SoupServerMessage *msg,
                      guint              status,
                      ServeRun          *srun,
                      const char        *member,
                      JsonNode          *value,
                      guint64            last_id)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) reply = NULL;
  g_autofree char *escaped = g_uri_escape_string (cs_run_get_id (srun->run), NULL, FALSE);
  g_autofree char *events = g_strconcat ("/v1/runs/", escaped, "/events", NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, cs_run_get_id (srun->run));
  json_builder_set_member_name (b, "events");
  json_builder_add_string_value (b, events);
  json_builder_set_member_name (b, member);
  json_builder_add_value (b, value);
  json_builder_set_member_name (b, "last_event_id");
  json_builder_add_int_value (b, (gint64) last_id);
  json_builder_end_object (b);
  reply = json_builder_get_root (b);
  serve_reply_json (msg, status, reply);
}

static void
follow_up_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  ServeRun *srun = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = cs_runner_execute_finish (CS_RUNNER (object), result, &error);

  serve_reopen_end (srun, ok || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ? NULL : error->message);
}

void
serve_follow_up (Serve             *serve,
                 SoupServerMessage *msg,
                 CsRun             *run,
                 JsonObject        *body)
{
  g_autoptr(GPtrArray) reports = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_step_report_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *question = NULL;
  g_autoptr(CsRunner) runner = NULL;
  g_auto(GStrv) options = NULL;
  ServeRun *srun = serve_find_run (serve, cs_run_get_id (run));
  CsRoundScope scope;
  guint64 last_id;
  guint round;

  if (srun != NULL && !srun->ended)
    {
      serve_reply_error (msg, SOUP_STATUS_CONFLICT, "running", "The run is running: wait for its end.");
      return;
    }
  if (!read_body (body, &question, &scope, reports, &error) || (options = read_options (body, &error)) == NULL)
    {
      serve_reply_error (msg, SOUP_STATUS_BAD_REQUEST, "bad_request", error->message);
      return;
    }
  if (serve_refuse_too_many (serve, msg))
    return;
  /* every check before the run changes: a refusal leaves it as it was */
  runner = cli_budget_follow_up (serve->config, run, body, scope, question, reports, &error);
  if (runner == NULL)
    {
      if (!cli_budget_reply_refused (msg, error))
        serve_reply_error (msg, SOUP_STATUS_BAD_REQUEST, "bad_request", error->message);
      return;
    }
  if (!cli_round_knobs_set (run, runner, scope, (const char * const *) options, &error))
    {
      g_autofree char *message = g_strdup_printf ("“options”: %s", error->message);

      serve_reply_error (msg, SOUP_STATUS_BAD_REQUEST, "bad_request", message);
      return;
    }
  cs_runner_set_store (runner, serve->store);
  cs_runner_set_quorum (runner, member_count (body, "quorum"));
  cs_runner_set_deadline (runner, member_count (body, "deadline"));

  round = cs_run_get_n_rounds (run) + 1;
  srun = serve_reopen_begin (serve, run, runner, &last_id);
  serve_events_reopen (srun, round, scope);
  cs_runner_execute_async (runner, srun->follow_up_cancellable, follow_up_cb, srun);
  serve_reply_reopened (msg, SOUP_STATUS_CREATED, srun, "round", json_node_init_int (json_node_alloc (), round),
                        last_id);
}

void
serve_follow_ups_cancel (Serve *serve)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, serve->runs);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (((ServeRun *) value)->follow_up_cancellable != NULL)
      g_cancellable_cancel (((ServeRun *) value)->follow_up_cancellable);
}
