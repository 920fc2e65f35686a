/* cli-serve-routes.c: the routes of consilium-cli --serve and their JSON
 *
 * Every error is {"error": {"code", "message"}} with a fitting status.
 * The route table below is also what the OpenAPI document describes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "consilium-cli"

#include "config.h"

#include <stdlib.h>
#include <math.h>
#include <string.h>

#include "cs-json-parse.h"
#include "cli-budget.h"
#include "cli-serve-private.h"

#define DEFAULT_LIST_LIMIT 100
#define MAX_LIST_LIMIT     1000

static const ServeRoute routes[] = {
  { "POST",   "/v1/runs",                "createRun",   "Start a run; answers at once with its id and events URL" },
  { "GET",    "/v1/runs",                "listRuns",    "The saved runs, newest first" },
  { "GET",    "/v1/runs/{id}",           "getRun",      "A run as consilium-cli --format=json writes it" },
  { "DELETE", "/v1/runs/{id}",           "cancelRun",   "Cancel a queued or running run (a finished one is kept)" },
  { "GET",    "/v1/runs/{id}/events",    "runEvents",   "The run's events as server-sent events" },
  { "GET",    "/v1/runs/{id}/markdown",  "getRunMarkdown", "The run's Markdown export" },
  { "POST",   "/v1/runs/{id}/follow-ups", "createFollowUp", "A follow-up round on a finished run" },
  { "POST",   "/v1/runs/{id}/candidates/{cid}/retry", "retryCandidate",
    "Ask one candidate of a finished run that did not succeed again, then synthesize again" },
  { "GET",    "/v1/models",              "listModels",  "The configured providers and models, with prices" },
  { "GET",    "/v1/openapi.json",        "openapi",     "This API's OpenAPI 3.1 document" },
};

const ServeRoute *
serve_routes_list (guint *n_routes)
{
  *n_routes = G_N_ELEMENTS (routes);
  return routes;
}

/* Replies */

void
serve_reply_json (SoupServerMessage *msg,
                  guint              status,
                  JsonNode          *node)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  gsize len = 0;
  char *text;

  json_generator_set_root (gen, node);
  text = json_generator_to_data (gen, &len);
  soup_server_message_set_status (msg, status,
                                  status == SERVE_STATUS_TOO_MANY_REQUESTS ? "Too Many Requests" : NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, text, len);
}

void
serve_reply_error (SoupServerMessage *msg,
                   guint              status,
                   const char        *code,
                   const char        *message)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "error");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "code");
  json_builder_add_string_value (b, code);
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, message);
  json_builder_end_object (b);
  json_builder_end_object (b);
  node = json_builder_get_root (b);
  serve_reply_json (msg, status, node);
}

static void
reply_text (SoupServerMessage *msg,
            const char        *content_type,
            char              *text)
{
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, content_type, SOUP_MEMORY_TAKE, text, strlen (text));
}

/* A run by id, as it is now: one this server runs or queued, else the
 * saved one as the runs folder has it (cli-serve-store.c). */
static CsRun *
find_run (Serve      *serve,
          const char *id)
{
  ServeRun *srun;

  serve_store_refresh (serve);
  srun = serve_find_run (serve, id);
  if (srun != NULL)
    return srun->run;
  return cs_run_store_find (serve->store, id);
}

static char *
run_url (const char *id,
         const char *suffix)
{
  g_autofree char *escaped = g_uri_escape_string (id, NULL, FALSE);

  return g_strconcat ("/v1/runs/", escaped, suffix, NULL);
}

/* POST /v1/runs: the body read */

static gboolean
read_models (JsonObject  *o,
             Serve       *serve,
             GStrv       *models,
             GError     **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonNode *node = json_object_get_member (o, "models");
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node) ||
      json_array_get_length (array = json_node_get_array (node)) == 0 ||
      json_array_get_length (array) > SERVE_MAX_MODELS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "“models” must be an array of 1 to %d \"provider/model[:count]\" strings",
                   SERVE_MAX_MODELS);
      return FALSE;
    }
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *m = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (m) || json_node_get_value_type (m) != G_TYPE_STRING)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "“models” must hold strings (\"provider/model[:count]\")");
          return FALSE;
        }
      g_strv_builder_add (builder, json_node_get_string (m));
    }
  *models = g_strv_builder_end (builder);
  return TRUE;
}

static gboolean
read_constraints (JsonObject  *o,
                  CsRun       *run,
                  GError     **error)
{
  JsonNode *node = json_object_get_member (o, "constraints");
  g_autoptr(GList) members = NULL;
  JsonObject *c;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node) ||
      json_object_get_size (c = json_node_get_object (node)) > SERVE_MAX_CONSTRAINTS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "“constraints” must be an object of at most %d string values", SERVE_MAX_CONSTRAINTS);
      return FALSE;
    }
  members = json_object_get_members (c);
  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *v = json_object_get_member (c, l->data);

      if (!JSON_NODE_HOLDS_VALUE (v) || json_node_get_value_type (v) != G_TYPE_STRING ||
          ((const char *) l->data)[0] == '\0')
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "constraint “%s” must be a string under a non-empty key", (const char *) l->data);
          return FALSE;
        }
      cs_run_set_constraint (run, l->data, json_node_get_string (v));
    }
  return TRUE;
}

/* A whole number member between 0 and @max, 0 when absent. */
static gboolean
read_count (JsonObject  *o,
            const char  *name,
            gint64       max,
            guint       *out,
            GError     **error)
{
  JsonNode *node = json_object_get_member (o, name);
  gint64 v;

  *out = 0;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64 ||
      (v = json_node_get_int (node)) < 0 || v > max)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "“%s” must be a whole number from 0 to %" G_GINT64_FORMAT, name, max);
      return FALSE;
    }
  *out = (guint) v;
  return TRUE;
}

/* "rank" (a boolean) and "seed" (0 to 2^32 - 1), as --rank and --seed. */
static gboolean
read_ranking (JsonObject  *o,
              CsRun       *run,
              GError     **error)
{
  JsonNode *rank = json_object_get_member (o, "rank");
  JsonNode *seed = json_object_get_member (o, "seed");

  if (rank != NULL && !JSON_NODE_HOLDS_NULL (rank))
    {
      if (!JSON_NODE_HOLDS_VALUE (rank) || json_node_get_value_type (rank) != G_TYPE_BOOLEAN)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "“rank” must be true or false");
          return FALSE;
        }
      cs_run_set_rank (run, json_node_get_boolean (rank));
    }
  if (seed != NULL && !JSON_NODE_HOLDS_NULL (seed))
    {
      if (!JSON_NODE_HOLDS_VALUE (seed) || json_node_get_value_type (seed) != G_TYPE_INT64 ||
          json_node_get_int (seed) < 0 || json_node_get_int (seed) > G_MAXUINT32)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "“seed” must be a whole number from 0 to %u", G_MAXUINT32);
          return FALSE;
        }
      cs_run_set_seed (run, (guint32) json_node_get_int (seed));
    }
  return TRUE;
}

static const char *
optional_string (JsonObject *o,
                 const char *name,
                 gboolean   *ok)
{
  JsonNode *node = json_object_get_member (o, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      *ok = FALSE;
      return NULL;
    }
  return json_node_get_string (node);
}

/* The run the body asks for, planned once on a scratch run so that an
 * unknown model is a 400 now, not a failure later. */
static CsRun *
read_run (Serve       *serve,
          JsonObject  *o,
          GStrv       *models,
          guint       *quorum,
          guint       *deadline,
          GError     **error)
{
  g_autoptr(CsRun) run = NULL;
  g_autoptr(CsRun) scratch = NULL;
  g_autoptr(CsRunner) planner = NULL;
  const char *mode_name, *problem, *judge, *fallback;
  g_autofree char *stripped = NULL;
  gboolean ok = TRUE;
  CsMode mode = CS_MODE_ARCHITECT;

  static const char * const known[] = { "mode", "problem", "constraints", "models", "judge",
                                        "fallback_judge", "quorum", "deadline", "rank", "seed", "budget_usd", NULL };
  g_autoptr(GList) members = json_object_get_members (o);

  for (GList *l = members; l != NULL; l = l->next)
    if (!g_strv_contains (known, l->data))
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "unknown member “%s”", (const char *) l->data);
        return NULL;
      }

  mode_name = optional_string (o, "mode", &ok);
  problem = optional_string (o, "problem", &ok);
  judge = optional_string (o, "judge", &ok);
  fallback = optional_string (o, "fallback_judge", &ok);
  if (!ok || (mode_name != NULL && !cs_mode_from_string (mode_name, &mode)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "“mode” must be \"architect\" or \"support\"; “problem”, “judge” and “fallback_judge” strings");
      return NULL;
    }
  if (problem != NULL && strlen (problem) > SERVE_MAX_PROBLEM_BYTES)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                   "“problem” is larger than %d bytes", SERVE_MAX_PROBLEM_BYTES);
      return NULL;
    }
  if (problem == NULL || (stripped = g_strstrip (g_strdup (problem)))[0] == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "“problem” must be a non-empty string");
      return NULL;
    }
  if ((judge != NULL && cs_config_find_model (serve->config, judge) == NULL) ||
      (fallback != NULL && cs_config_find_model (serve->config, fallback) == NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "unknown judge model %s",
                   judge != NULL && cs_config_find_model (serve->config, judge) == NULL ? judge : fallback);
      return NULL;
    }
  run = cs_run_new (mode, problem);
  if (!read_constraints (o, run, error) || !read_models (o, serve, models, error) ||
      !read_count (o, "quorum", 1000, quorum, error) ||
      !read_count (o, "deadline", 24 * 3600, deadline, error))
    return NULL;
  if (!read_ranking (o, run, error) || !cli_budget_from_json (o, run, error))
    return NULL;
  if (judge != NULL)
    cs_run_set_judge (run, judge);
  cs_run_set_fallback_judge (run, fallback);

  scratch = cs_run_new (mode, problem);
  planner = cs_runner_new (serve->config, scratch);
  if (!cs_runner_plan (planner, (const char * const *) *models, error) ||
      !cli_budget_check_new_run (serve->config, serve->store, run, *models, error))
    return NULL;
  return g_steal_pointer (&run);
}

static JsonNode *
parse_body (SoupServerMessage  *msg,
            GError            **error)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  g_autoptr(JsonNode) root = NULL;
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);

  if (len == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "the body must be a JSON object");
      return NULL;
    }
  root = cs_json_parse_bounded (data, (gssize) len, 32, error);
  if (root == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "the body must be a JSON object");
      return NULL;
    }
  return g_steal_pointer (&root);
}

static void
create_run (Serve             *serve,
            SoupServerMessage *msg)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) body = parse_body (msg, &error);
  g_autoptr(CsRun) run = NULL;
  g_auto(GStrv) models = NULL;
  g_autoptr(JsonBuilder) b = NULL;
  g_autoptr(JsonNode) reply = NULL;
  g_autofree char *events = NULL;
  g_autofree char *self_url = NULL;
  guint wait_s = 0, quorum = 0, deadline = 0;

  if (body != NULL)
    run = read_run (serve, json_node_get_object (body), &models, &quorum, &deadline, &error);
  if (run == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE))
        serve_reply_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "problem_too_large", error->message);
      else
        serve_reply_error (msg, SOUP_STATUS_BAD_REQUEST, "bad_request", error->message);
      return;
    }
  if (!serve_submit (serve, run, models, quorum, deadline, &wait_s))
    {
      g_autofree char *seconds = g_strdup_printf ("%u", wait_s);

      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After", seconds);
      serve_reply_error (msg, SERVE_STATUS_TOO_MANY_REQUESTS, "too_many_runs",
                         "Too many runs are running or waiting; try again later.");
      return;
    }

  events = run_url (cs_run_get_id (run), "/events");
  self_url = run_url (cs_run_get_id (run), "");
  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, cs_run_get_id (run));
  json_builder_set_member_name (b, "events");
  json_builder_add_string_value (b, events);
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, cs_run_state_to_string (cs_run_get_state (run)));
  json_builder_end_object (b);
  reply = json_builder_get_root (b);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Location", self_url);
  serve_reply_json (msg, SOUP_STATUS_CREATED, reply);
}

/* GET /v1/runs */

static void
add_run_summary (JsonBuilder *b,
                 CsRun       *run)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, cs_run_get_id (run));
  json_builder_set_member_name (b, "title");
  json_builder_add_string_value (b, cs_run_get_title (run));
  json_builder_set_member_name (b, "mode");
  json_builder_add_string_value (b, cs_mode_to_string (cs_run_get_mode (run)));
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, cs_run_state_to_string (cs_run_get_state (run)));
  json_builder_set_member_name (b, "created");
  json_builder_add_int_value (b, cs_run_get_created (run));
  json_builder_set_member_name (b, "updated");
  json_builder_add_int_value (b, cs_run_get_updated (run));
  json_builder_set_member_name (b, "candidates");
  json_builder_add_int_value (b, g_list_model_get_n_items (G_LIST_MODEL (run)));
  json_builder_set_member_name (b, "rounds");
  json_builder_add_int_value (b, cs_run_get_n_rounds (run));
  json_builder_end_object (b);
}

static void
list_runs (Serve             *serve,
           SoupServerMessage *msg)
{
  GHashTable *query = g_uri_parse_params (g_uri_get_query (soup_server_message_get_uri (msg)) ?: "",
                                          -1, "&", G_URI_PARAMS_NONE, NULL);
  const char *limit_text = query != NULL ? g_hash_table_lookup (query, "limit") : NULL;
  GListModel *model = G_LIST_MODEL (serve->store);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) reply = NULL;
  guint64 limit = DEFAULT_LIST_LIMIT;
  GHashTableIter iter;
  gpointer value;
  guint n = 0;

  if (limit_text != NULL &&
      !g_ascii_string_to_unsigned (limit_text, 10, 1, MAX_LIST_LIMIT, &limit, NULL))
    {
      g_clear_pointer (&query, g_hash_table_unref);
      serve_reply_error (msg, SOUP_STATUS_BAD_REQUEST, "bad_request", "“limit” must be from 1 to 1000");
      return;
    }
  g_clear_pointer (&query, g_hash_table_unref);
  serve_store_refresh (serve);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "runs");
  json_builder_begin_array (b);
  /* queued runs are not in the store yet */
  g_hash_table_iter_init (&iter, serve->runs);
  while (g_hash_table_iter_next (&iter, NULL, &value) && n < limit)
    if (!((ServeRun *) value)->started)
      {
        add_run_summary (b, ((ServeRun *) value)->run);
        n++;
      }
  for (guint i = 0; i < g_list_model_get_n_items (model) && n < limit; i++, n++)
    {
      g_autoptr(CsRun) run = g_list_model_get_item (model, i);

      add_run_summary (b, run);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  reply = json_builder_get_root (b);
  serve_reply_json (msg, SOUP_STATUS_OK, reply);
}

/* GET /v1/models */

static void
list_models (Serve             *serve,
             SoupServerMessage *msg)
{
  GPtrArray *providers = cs_config_get_providers (serve->config);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) reply = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "providers");
  json_builder_begin_array (b);
  for (guint i = 0; i < providers->len; i++)
    {
      const CsProviderConfig *p = g_ptr_array_index (providers, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, p->id);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, p->name != NULL ? p->name : p->id);
      json_builder_set_member_name (b, "base_url");
      json_builder_add_string_value (b, p->base_url);
      json_builder_set_member_name (b, "api");
      json_builder_add_string_value (b, cs_api_dialect_to_string (p->api));
      json_builder_set_member_name (b, "models");
      json_builder_begin_array (b);
      for (guint j = 0; p->models != NULL && p->models[j] != NULL; j++)
        {
          g_autofree char *id = g_strdup_printf ("%s/%s", p->id, p->models[j]);
          const CsModelConfig *m = cs_config_find_model (serve->config, id);

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "id");
          json_builder_add_string_value (b, id);
          json_builder_set_member_name (b, "name");
          json_builder_add_string_value (b, p->models[j]);
          json_builder_set_member_name (b, "max_n");
          json_builder_add_int_value (b, m != NULL ? MAX (m->max_n, 1) : 1);
          json_builder_set_member_name (b, "structured_output");
          json_builder_add_string_value (b, cs_structured_output_to_string (m != NULL ? m->structured
                                                                                   : CS_STRUCTURED_JSON_SCHEMA));
          /* null: the price is unknown (never 0, which means free) */
          json_builder_set_member_name (b, "price_input");
          if (m != NULL && !isnan (m->price_input))
            json_builder_add_double_value (b, m->price_input);
          else
            json_builder_add_null_value (b);
          json_builder_set_member_name (b, "price_output");
          if (m != NULL && !isnan (m->price_output))
            json_builder_add_double_value (b, m->price_output);
          else
            json_builder_add_null_value (b);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  reply = json_builder_get_root (b);
  serve_reply_json (msg, SOUP_STATUS_OK, reply);
}

/* /v1/runs/{id}... */

static void
cancel_run (Serve             *serve,
            SoupServerMessage *msg,
            const char        *id)
{
  ServeRun *srun = serve_find_run (serve, id);
  g_autoptr(JsonBuilder) b = NULL;
  g_autoptr(JsonNode) reply = NULL;

  if (srun == NULL && cs_run_store_find (serve->store, id) == NULL)
    {
      serve_reply_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", "No run has this id.");
      return;
    }
  if (srun == NULL || !serve_cancel (serve, srun))
    {
      serve_reply_error (msg, SOUP_STATUS_CONFLICT, "not_running",
                         "The run is not running here; a finished run is kept.");
      return;
    }
  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, id);
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, srun->ended ? cs_run_state_to_string (cs_run_get_state (srun->run))
                                                : "cancelling");
  json_builder_end_object (b);
  reply = json_builder_get_root (b);
  serve_reply_json (msg, SOUP_STATUS_ACCEPTED, reply);
}

static guint64
last_event_id (SoupServerMessage *msg)
{
  const char *text = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                   "Last-Event-ID");
  guint64 id = 0;

  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT64, &id, NULL))
    return 0;
  return id;
}

static void
run_route (Serve             *serve,
           SoupServerMessage *msg,
           const char        *method,
           const char        *id,
           const char        *tail)
{
  CsRun *run = find_run (serve, id);
  ServeRun *srun;

  if (run == NULL)
    {
      serve_reply_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", "No run has this id.");
      return;
    }
  if (tail == NULL && g_str_equal (method, "GET"))
    {
      reply_text (msg, "application/json", cs_export_json (run));
      return;
    }
  if (tail == NULL && g_str_equal (method, "DELETE"))
    {
      cancel_run (serve, msg, id);
      return;
    }
  if (g_strcmp0 (tail, "markdown") == 0 && g_str_equal (method, "GET"))
    {
      reply_text (msg, "text/markdown; charset=utf-8", cs_export_markdown_with_names (run, serve->config));
      return;
    }
  if (g_strcmp0 (tail, "events") == 0 && g_str_equal (method, "GET"))
    {
      srun = serve_find_run (serve, id);
      if (srun != NULL)
        serve_events_stream (srun, msg, last_event_id (msg));
      else
        serve_events_stream_saved (run, msg);
      return;
    }
  if (g_strcmp0 (tail, "follow-ups") == 0 && g_str_equal (method, "POST"))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) body = parse_body (msg, &error);

      if (body == NULL)
        serve_reply_error (msg, SOUP_STATUS_BAD_REQUEST, "bad_request", error->message);
      else
        serve_follow_up (serve, msg, run, json_node_get_object (body));
      return;
    }
  if (tail == NULL || g_str_equal (tail, "markdown") || g_str_equal (tail, "events") ||
      g_str_equal (tail, "follow-ups"))
    serve_reply_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "method_not_allowed",
                       "This method is not allowed here.");
  else
    serve_reply_error (msg, SOUP_STATUS_NOT_FOUND, "no_route", "No such route (see /v1/openapi.json).");
}

static void
retry_route (Serve             *serve,
             SoupServerMessage *msg,
             const char        *method,
             const char        *id_part,
             const char        *cid_part)
{
  g_autofree char *id = g_uri_unescape_string (id_part, NULL);
  g_autofree char *cid = g_uri_unescape_string (cid_part, NULL);
  CsRun *run;

  if (id == NULL || cid == NULL)
    serve_reply_error (msg, SOUP_STATUS_NOT_FOUND, "no_route", "No such route (see /v1/openapi.json).");
  else if (!g_str_equal (method, "POST"))
    serve_reply_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "method_not_allowed",
                       "This method is not allowed here.");
  else if ((run = find_run (serve, id)) == NULL)
    serve_reply_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", "No run has this id.");
  else
    serve_retry (serve, msg, run, cid);
}

void
serve_routes_handle (Serve             *serve,
                     SoupServerMessage *msg,
                     const char        *path)
{
  const char *method = soup_server_message_get_method (msg);
  g_auto(GStrv) parts = NULL;
  guint n;

  if (g_str_equal (path, "/v1/runs"))
    {
      if (g_str_equal (method, "POST"))
        create_run (serve, msg);
      else if (g_str_equal (method, "GET"))
        list_runs (serve, msg);
      else
        serve_reply_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "method_not_allowed",
                           "This method is not allowed here.");
      return;
    }
  if (g_str_equal (path, "/v1/models") || g_str_equal (path, "/v1/openapi.json"))
    {
      if (!g_str_equal (method, "GET"))
        serve_reply_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "method_not_allowed",
                           "This method is not allowed here.");
      else if (g_str_equal (path, "/v1/models"))
        list_models (serve, msg);
      else
        {
          g_autoptr(JsonNode) doc = serve_openapi_document (serve);
          serve_reply_json (msg, SOUP_STATUS_OK, doc);
        }
      return;
    }
  parts = g_strsplit (path, "/", -1);
  n = g_strv_length (parts);
  /* "", "v1", "runs", ID, "candidates", CID, "retry" */
  if (n == 7 && g_str_equal (parts[1], "v1") && g_str_equal (parts[2], "runs") &&
      g_str_equal (parts[4], "candidates") && g_str_equal (parts[6], "retry") &&
      parts[3][0] != '\0' && parts[5][0] != '\0')
    {
      retry_route (serve, msg, method, parts[3], parts[5]);
      return;
    }
  /* "", "v1", "runs", ID[, TAIL] */
  if ((n == 4 || n == 5) && g_str_equal (parts[1], "v1") && g_str_equal (parts[2], "runs") &&
      parts[3][0] != '\0')
    {
      g_autofree char *id = g_uri_unescape_string (parts[3], NULL);

      if (id != NULL && (n == 4 || parts[4][0] != '\0'))
        {
          run_route (serve, msg, method, id, n == 5 ? parts[4] : NULL);
          return;
        }
    }
  serve_reply_error (msg, SOUP_STATUS_NOT_FOUND, "no_route", "No such route (see /v1/openapi.json).");
}
