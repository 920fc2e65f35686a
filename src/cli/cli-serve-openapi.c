/* cli-serve-openapi.c: the OpenAPI 3.1 document of consilium-cli --serve
 * (GET /v1/openapi.json)
 *
 * The paths come from the route table (serve_routes_list ()), so that the
 * document lists exactly the routes the server answers; each operation's
 * parameters, body and responses come from the fragments below, keyed by
 * operationId. tests/test-serve.py requests every documented operation.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "consilium-cli"

#include "config.h"

#include <string.h>

#include "cli-serve-private.h"

/* components and one fragment per operation */
static const char spec[] =
"{"
" \"components\": {"
"  \"securitySchemes\": {\"bearer\": {\"type\": \"http\", \"scheme\": \"bearer\","
"    \"description\": \"The token in $XDG_RUNTIME_DIR/consilium/api-token (or --token-file)\"}},"
"  \"parameters\": {\"id\": {\"name\": \"id\", \"in\": \"path\", \"required\": true, \"schema\": {\"type\": \"string\"}},"
"   \"cid\": {\"name\": \"cid\", \"in\": \"path\", \"required\": true, \"schema\": {\"type\": \"string\"},"
"    \"description\": \"a candidate of the run's current round, as c2\"}},"
"  \"responses\": {"
"   \"error\": {\"description\": \"An error\", \"content\": {\"application/json\": {\"schema\": {\"$ref\": \"#/components/schemas/Error\"}}}}"
"  },"
"  \"schemas\": {"
"   \"Error\": {\"type\": \"object\", \"required\": [\"error\"], \"properties\": {\"error\": {\"type\": \"object\","
"     \"required\": [\"code\", \"message\"], \"properties\": {\"code\": {\"type\": \"string\"}, \"message\": {\"type\": \"string\"}}}}},"
"   \"NewRun\": {\"type\": \"object\", \"required\": [\"problem\", \"models\"], \"additionalProperties\": false, \"properties\": {"
"     \"mode\": {\"enum\": [\"architect\", \"support\"], \"default\": \"architect\"},"
"     \"problem\": {\"type\": \"string\", \"maxLength\": 1048576},"
"     \"constraints\": {\"type\": \"object\", \"additionalProperties\": {\"type\": \"string\"}},"
"     \"models\": {\"type\": \"array\", \"minItems\": 1, \"maxItems\": 64, \"items\": {\"type\": \"string\","
"       \"description\": \"provider/model or provider/model:count\"}},"
"     \"judge\": {\"type\": \"string\", \"description\": \"provider/model\"},"
"     \"fallback_judge\": {\"type\": \"string\", \"description\": \"provider/model, tried when the judge fails\"},"
"     \"rank\": {\"type\": \"boolean\", \"default\": false, \"description\": \"peer ranking of the candidates\"},"
"     \"seed\": {\"type\": \"integer\", \"minimum\": 0, \"maximum\": 4294967295},"
"     \"quorum\": {\"type\": \"integer\", \"minimum\": 0, \"maximum\": 1000},"
"     \"deadline\": {\"type\": \"integer\", \"minimum\": 0, \"maximum\": 86400, \"description\": \"seconds\"},"
"     \"budget_usd\": {\"type\": \"number\", \"minimum\": 0, \"description\": \"the run's hard budget, across its rounds and retries: 400 when the upper estimate passes it\"}}},"
"   \"FollowUp\": {\"type\": \"object\", \"additionalProperties\": false, \"properties\": {"
"     \"question\": {\"type\": \"string\", \"maxLength\": 262144},"
"     \"scope\": {\"enum\": [\"judge\", \"all\"], \"default\": \"judge\"},"
"     \"steps\": {\"type\": \"array\", \"maxItems\": 200, \"items\": {\"type\": \"object\", \"required\": [\"step\", \"outcome\"],"
"       \"properties\": {\"step\": {\"type\": \"integer\", \"minimum\": 1}, \"outcome\": {\"enum\": [\"worked\", \"failed\", \"skipped\"]},"
"       \"output\": {\"type\": \"string\", \"maxLength\": 32768}}}},"
"     \"options\": {\"type\": \"array\", \"maxItems\": 64, \"items\": {\"type\": \"string\","
"       \"description\": \"[MODEL@]KEY=VALUE: this round's own setting (temperature, reasoning-effort, verbosity,"
" max-output-tokens, n) on top of those the run used, for MODEL (a model of the run or its judge) or every model the"
" round asks\"}},"
"     \"quorum\": {\"type\": \"integer\", \"minimum\": 0}, \"deadline\": {\"type\": \"integer\", \"minimum\": 0},"
"     \"budget_usd\": {\"type\": \"number\", \"minimum\": 0, \"description\": \"the run's new budget; 409 budget_reached when it has spent the one it has\"}}},"
"   \"Created\": {\"type\": \"object\", \"required\": [\"id\", \"events\"], \"properties\": {"
"     \"id\": {\"type\": \"string\"}, \"events\": {\"type\": \"string\"}, \"state\": {\"type\": \"string\"}}},"
"   \"RunSummary\": {\"type\": \"object\", \"properties\": {\"id\": {\"type\": \"string\"}, \"title\": {\"type\": [\"string\", \"null\"]},"
"     \"mode\": {\"type\": \"string\"}, \"state\": {\"type\": \"string\"}, \"created\": {\"type\": \"integer\"},"
"     \"updated\": {\"type\": \"integer\"}, \"candidates\": {\"type\": \"integer\"}, \"rounds\": {\"type\": \"integer\"}}},"
"   \"Run\": {\"type\": \"object\", \"description\": \"The run as consilium-cli --format=json writes it\"},"
"   \"Models\": {\"type\": \"object\", \"properties\": {\"providers\": {\"type\": \"array\", \"items\": {\"type\": \"object\","
"     \"properties\": {\"id\": {\"type\": \"string\"}, \"name\": {\"type\": \"string\"}, \"base_url\": {\"type\": \"string\"},"
"     \"api\": {\"type\": \"string\"}, \"models\": {\"type\": \"array\", \"items\": {\"type\": \"object\", \"properties\": {"
"      \"id\": {\"type\": \"string\"}, \"name\": {\"type\": \"string\"}, \"max_n\": {\"type\": \"integer\"},"
"      \"structured_output\": {\"type\": \"string\"}, \"price_input\": {\"type\": [\"number\", \"null\"]},"
"      \"price_output\": {\"type\": [\"number\", \"null\"]}}}}}}}}}"
"  }"
" },"
" \"operations\": {"
"  \"createRun\": {\"requestBody\": {\"required\": true, \"content\": {\"application/json\": {\"schema\": {\"$ref\": \"#/components/schemas/NewRun\"}}}},"
"   \"responses\": {\"201\": {\"description\": \"Started or queued\", \"content\": {\"application/json\": {\"schema\": {\"$ref\": \"#/components/schemas/Created\"}}}},"
"    \"400\": {\"$ref\": \"#/components/responses/error\"}, \"411\": {\"$ref\": \"#/components/responses/error\"},"
"    \"413\": {\"$ref\": \"#/components/responses/error\"},"
"    \"429\": {\"description\": \"Too many runs running or queued; see Retry-After\", \"headers\": {\"Retry-After\": {\"schema\": {\"type\": \"integer\"}}},"
"      \"content\": {\"application/json\": {\"schema\": {\"$ref\": \"#/components/schemas/Error\"}}}}}},"
"  \"listRuns\": {\"description\": \"The runs folder as it is when the request comes in (runs saved, changed or removed"
" by the app or another consilium-cli included), and the runs queued here.\","
"   \"parameters\": [{\"name\": \"limit\", \"in\": \"query\", \"schema\": {\"type\": \"integer\", \"minimum\": 1, \"maximum\": 1000, \"default\": 100}}],"
"   \"responses\": {\"200\": {\"description\": \"The runs\", \"content\": {\"application/json\": {\"schema\": {\"type\": \"object\","
"     \"properties\": {\"runs\": {\"type\": \"array\", \"items\": {\"$ref\": \"#/components/schemas/RunSummary\"}}}}}}}}},"
"  \"getRun\": {\"parameters\": [{\"$ref\": \"#/components/parameters/id\"}],"
"   \"description\": \"As the runs folder has it when the request comes in: a run the app or another consilium-cli changed"
" since is read again, one whose file was removed is 404. A run in progress here is served as it runs.\","
"   \"responses\": {\"200\": {\"description\": \"The run\", \"content\": {\"application/json\": {\"schema\": {\"$ref\": \"#/components/schemas/Run\"}}}},"
"    \"404\": {\"$ref\": \"#/components/responses/error\"}}},"
"  \"cancelRun\": {\"parameters\": [{\"$ref\": \"#/components/parameters/id\"}],"
"   \"responses\": {\"202\": {\"description\": \"Cancelling\", \"content\": {\"application/json\": {\"schema\": {\"type\": \"object\"}}}},"
"    \"404\": {\"$ref\": \"#/components/responses/error\"}, \"409\": {\"$ref\": \"#/components/responses/error\"}}},"
"  \"runEvents\": {\"parameters\": [{\"$ref\": \"#/components/parameters/id\"},"
"    {\"name\": \"Last-Event-ID\", \"in\": \"header\", \"schema\": {\"type\": \"string\"}}],"
"   \"description\": \"A run started or continued here streams its events as they come, with ids; a run saved by another"
" process, or changed by one since it ended here, streams as saved: a snapshot (id 1) and done (id 2).\","
"   \"responses\": {\"200\": {\"description\": \"Server-sent events: candidate, delta, synthesis, error, done, snapshot, round, retry\","
"     \"content\": {\"text/event-stream\": {\"schema\": {\"type\": \"string\"}}}},"
"    \"404\": {\"$ref\": \"#/components/responses/error\"}}},"
"  \"getRunMarkdown\": {\"parameters\": [{\"$ref\": \"#/components/parameters/id\"}],"
"   \"responses\": {\"200\": {\"description\": \"The Markdown export\", \"content\": {\"text/markdown\": {\"schema\": {\"type\": \"string\"}}}},"
"    \"404\": {\"$ref\": \"#/components/responses/error\"}}},"
"  \"createFollowUp\": {\"parameters\": [{\"$ref\": \"#/components/parameters/id\"}],"
"   \"requestBody\": {\"required\": true, \"content\": {\"application/json\": {\"schema\": {\"$ref\": \"#/components/schemas/FollowUp\"}}}},"
"   \"responses\": {\"201\": {\"description\": \"The round started; its events follow on the run's stream\","
"     \"content\": {\"application/json\": {\"schema\": {\"type\": \"object\", \"properties\": {\"id\": {\"type\": \"string\"},"
"      \"events\": {\"type\": \"string\"}, \"round\": {\"type\": \"integer\"}, \"last_event_id\": {\"type\": \"integer\"}}}}}},"
"    \"400\": {\"$ref\": \"#/components/responses/error\"}, \"404\": {\"$ref\": \"#/components/responses/error\"},"
"    \"409\": {\"$ref\": \"#/components/responses/error\"}, \"413\": {\"$ref\": \"#/components/responses/error\"},"
"    \"429\": {\"$ref\": \"#/components/responses/error\"}}},"
"  \"retryCandidate\": {\"parameters\": [{\"$ref\": \"#/components/parameters/id\"}, {\"$ref\": \"#/components/parameters/cid\"}],"
"   \"description\": \"The candidate (one that failed, was refused, invalid or truncated: those the app offers Retry for) is"
" asked by itself with the settings its request went with, then votes, consensus and the judge run again. Its events follow"
" on the run's stream: retry, candidate, delta, synthesis, error (when it fails again), done. 409 with the code running"
" while the run runs, not_retryable for a candidate that succeeded or was cancelled (stopped on purpose: a follow-up with"
" scope all asks every model again), not_configured when its model is no longer configured, budget_reached when the run"
" has spent its budget (the budget is the run's, every round and retry included).\","
"   \"requestBody\": {\"required\": false, \"content\": {\"application/json\": {\"schema\": {\"type\": \"object\","
"     \"additionalProperties\": false, \"properties\": {\"budget_usd\": {\"type\": \"number\", \"minimum\": 0,"
"      \"description\": \"the run's new budget\"}}}}}},"
"   \"responses\": {\"202\": {\"description\": \"The retry started; its events follow on the run's stream\","
"     \"content\": {\"application/json\": {\"schema\": {\"type\": \"object\", \"properties\": {\"id\": {\"type\": \"string\"},"
"      \"candidate\": {\"type\": \"string\"}, \"events\": {\"type\": \"string\"}, \"last_event_id\": {\"type\": \"integer\"}}}}}},"
"    \"400\": {\"$ref\": \"#/components/responses/error\"}, \"404\": {\"$ref\": \"#/components/responses/error\"},"
"    \"409\": {\"$ref\": \"#/components/responses/error\"}, \"429\": {\"$ref\": \"#/components/responses/error\"}}},"
"  \"listModels\": {\"responses\": {\"200\": {\"description\": \"Providers and models\","
"    \"content\": {\"application/json\": {\"schema\": {\"$ref\": \"#/components/schemas/Models\"}}}}}},"
"  \"openapi\": {\"responses\": {\"200\": {\"description\": \"This document\", \"content\": {\"application/json\": {\"schema\": {\"type\": \"object\"}}}}}}"
" }"
"}";

static void
add_error_response (JsonObject *responses,
                    const char *status)
{
  JsonObject *ref = json_object_new ();

  if (json_object_has_member (responses, status))
    return;
  json_object_set_string_member (ref, "$ref", "#/components/responses/error");
  json_object_set_object_member (responses, status, ref);
}

/* The fragment of @route with its id, summary and the errors every route
 * may answer (401, 403; 503 while stopping). */
static JsonNode *
operation (JsonObject       *fragments,
           const ServeRoute *route)
{
  JsonNode *node;
  JsonObject *op, *responses;

  if (json_object_has_member (fragments, route->operation))
    node = json_node_copy (json_object_get_member (fragments, route->operation));
  else
    {
      g_critical ("No OpenAPI fragment for %s", route->operation);
      node = json_node_new (JSON_NODE_OBJECT);
      json_node_take_object (node, json_object_new ());
    }
  op = json_node_get_object (node);
  json_object_set_string_member (op, "operationId", route->operation);
  json_object_set_string_member (op, "summary", route->summary);
  if (!json_object_has_member (op, "responses"))
    json_object_set_object_member (op, "responses", json_object_new ());
  responses = json_object_get_object_member (op, "responses");
  add_error_response (responses, "401");
  add_error_response (responses, "403");
  add_error_response (responses, "503");
  return node;
}

JsonNode *
serve_openapi_document (Serve *serve)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *url = NULL;
  JsonObject *root, *fragments, *doc, *info, *paths, *server, *security;
  JsonArray *servers, *security_list;
  const ServeRoute *routes;
  guint n_routes;

  if (!json_parser_load_from_data (parser, spec, -1, NULL))
    g_error ("The OpenAPI fragments do not parse");
  root = json_node_get_object (json_parser_get_root (parser));
  fragments = json_object_get_object_member (root, "operations");

  doc = json_object_new ();
  json_object_set_string_member (doc, "openapi", "3.1.0");
  info = json_object_new ();
  json_object_set_string_member (info, "title", "Consilium local API");
  json_object_set_string_member (info, "version", PACKAGE_VERSION);
  json_object_set_object_member (doc, "info", info);

  servers = json_array_new ();
  server = json_object_new ();
  url = g_strdup_printf ("http://127.0.0.1:%u", serve->port);
  json_object_set_string_member (server, "url", url);
  json_array_add_object_element (servers, server);
  json_object_set_array_member (doc, "servers", servers);

  security_list = json_array_new ();
  security = json_object_new ();
  json_object_set_array_member (security, "bearer", json_array_new ());
  json_array_add_object_element (security_list, security);
  json_object_set_array_member (doc, "security", security_list);

  paths = json_object_new ();
  routes = serve_routes_list (&n_routes);
  for (guint i = 0; i < n_routes; i++)
    {
      g_autofree char *method = g_ascii_strdown (routes[i].method, -1);
      JsonObject *item;

      if (!json_object_has_member (paths, routes[i].pattern))
        json_object_set_object_member (paths, routes[i].pattern, json_object_new ());
      item = json_object_get_object_member (paths, routes[i].pattern);
      json_object_set_member (item, method, operation (fragments, &routes[i]));
    }
  json_object_set_object_member (doc, "paths", paths);
  json_object_set_member (doc, "components", json_node_copy (json_object_get_member (root, "components")));

  {
    JsonNode *node = json_node_new (JSON_NODE_OBJECT);

    json_node_take_object (node, doc);
    return node;
  }
}
