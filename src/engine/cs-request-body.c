/* cs-request-body.c: a chat request → its HTTP body in each API dialect
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-request-body"

#include "config.h"

#include <math.h>
#include <string.h>

#include "cs-json-util.h"
#include "cs-request-body.h"

static char *
sanitize_schema_name (const char *name)
{
  char *s = g_strdup (name != NULL && name[0] != '\0' ? name : "candidate");

  for (char *p = s; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '-')
      *p = '_';
  if (strlen (s) > 64)
    s[64] = '\0';

  return s;
}

static void
add_messages (JsonBuilder         *builder,
              const CsChatRequest *request)
{
  if (request->messages != NULL)
    json_builder_add_value (builder, json_node_copy (request->messages));
  else
    {
      json_builder_begin_array (builder);
      json_builder_end_array (builder);
    }
}

static gboolean
wants_schema (const CsChatRequest *request)
{
  return request->structured == CS_STRUCTURED_JSON_SCHEMA &&
         request->schema != NULL && JSON_NODE_HOLDS_OBJECT (request->schema);
}

static gboolean
has_verbosity (const CsChatRequest *request)
{
  return request->verbosity != NULL && request->verbosity[0] != '\0';
}

static JsonNode *
build_chat_body (const CsChatRequest *request)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "model");
  json_builder_add_string_value (builder, request->model);
  json_builder_set_member_name (builder, "messages");
  add_messages (builder, request);
  json_builder_set_member_name (builder, "stream");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_set_member_name (builder, "stream_options");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "include_usage");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_end_object (builder);

  if (request->n > 1)
    {
      json_builder_set_member_name (builder, "n");
      json_builder_add_int_value (builder, request->n);
    }
  if (!isnan (request->temperature))
    {
      json_builder_set_member_name (builder, "temperature");
      json_builder_add_double_value (builder, request->temperature);
    }
  if (request->max_output_tokens > 0)
    {
      json_builder_set_member_name (builder, "max_completion_tokens");
      json_builder_add_int_value (builder, (gint64) MIN (request->max_output_tokens, G_MAXINT64));
    }
  if (request->reasoning_effort != NULL && request->reasoning_effort[0] != '\0')
    {
      json_builder_set_member_name (builder, "reasoning_effort");
      json_builder_add_string_value (builder, request->reasoning_effort);
    }
  if (has_verbosity (request))
    {
      json_builder_set_member_name (builder, "verbosity");
      json_builder_add_string_value (builder, request->verbosity);
    }

  if (wants_schema (request))
    {
      g_autofree char *name = sanitize_schema_name (request->schema_name);

      json_builder_set_member_name (builder, "response_format");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "type");
      json_builder_add_string_value (builder, "json_schema");
      json_builder_set_member_name (builder, "json_schema");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, name);
      json_builder_set_member_name (builder, "strict");
      json_builder_add_boolean_value (builder, TRUE);
      json_builder_set_member_name (builder, "schema");
      json_builder_add_value (builder, json_node_copy (request->schema));
      json_builder_end_object (builder);
      json_builder_end_object (builder);
    }
  else if (request->structured != CS_STRUCTURED_NONE)
    {
      json_builder_set_member_name (builder, "response_format");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "type");
      json_builder_add_string_value (builder, "json_object");
      json_builder_end_object (builder);
    }

  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* text.format of the Responses API, if any */
static void
add_responses_format (JsonBuilder         *builder,
                      const CsChatRequest *request)
{
  if (wants_schema (request))
    {
      g_autofree char *name = sanitize_schema_name (request->schema_name);

      json_builder_set_member_name (builder, "format");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "type");
      json_builder_add_string_value (builder, "json_schema");
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, name);
      json_builder_set_member_name (builder, "strict");
      json_builder_add_boolean_value (builder, TRUE);
      json_builder_set_member_name (builder, "schema");
      json_builder_add_value (builder, json_node_copy (request->schema));
      json_builder_end_object (builder);
    }
  else if (request->structured != CS_STRUCTURED_NONE)
    {
      json_builder_set_member_name (builder, "format");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "type");
      json_builder_add_string_value (builder, "json_object");
      json_builder_end_object (builder);
    }
}

static JsonNode *
build_responses_body (const CsChatRequest *request)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "model");
  json_builder_add_string_value (builder, request->model);
  json_builder_set_member_name (builder, "input");
  add_messages (builder, request);
  json_builder_set_member_name (builder, "stream");
  json_builder_add_boolean_value (builder, TRUE);

  if (!isnan (request->temperature))
    {
      json_builder_set_member_name (builder, "temperature");
      json_builder_add_double_value (builder, request->temperature);
    }
  if (request->max_output_tokens > 0)
    {
      json_builder_set_member_name (builder, "max_output_tokens");
      json_builder_add_int_value (builder, (gint64) MIN (request->max_output_tokens, G_MAXINT64));
    }
  if (request->reasoning_effort != NULL && request->reasoning_effort[0] != '\0')
    {
      json_builder_set_member_name (builder, "reasoning");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "effort");
      json_builder_add_string_value (builder, request->reasoning_effort);
      /* Without it the API reasons in silence: the summary is what the
       * reasoning view shows. */
      json_builder_set_member_name (builder, "summary");
      json_builder_add_string_value (builder, "auto");
      json_builder_end_object (builder);
    }

  if (wants_schema (request) || request->structured != CS_STRUCTURED_NONE ||
      has_verbosity (request))
    {
      json_builder_set_member_name (builder, "text");
      json_builder_begin_object (builder);
      add_responses_format (builder, request);
      if (has_verbosity (request))
        {
          json_builder_set_member_name (builder, "verbosity");
          json_builder_add_string_value (builder, request->verbosity);
        }
      json_builder_end_object (builder);
    }

  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static JsonNode *
build_ollama_body (const CsChatRequest *request)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  gboolean has_temperature = !isnan (request->temperature);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "model");
  json_builder_add_string_value (builder, request->model);
  json_builder_set_member_name (builder, "messages");
  add_messages (builder, request);
  json_builder_set_member_name (builder, "stream");
  json_builder_add_boolean_value (builder, TRUE);

  if (wants_schema (request))
    {
      json_builder_set_member_name (builder, "format");
      json_builder_add_value (builder, json_node_copy (request->schema));
    }
  else if (request->structured != CS_STRUCTURED_NONE)
    {
      json_builder_set_member_name (builder, "format");
      json_builder_add_string_value (builder, "json");
    }

  if (has_temperature || request->max_output_tokens > 0)
    {
      json_builder_set_member_name (builder, "options");
      json_builder_begin_object (builder);
      if (has_temperature)
        {
          json_builder_set_member_name (builder, "temperature");
          json_builder_add_double_value (builder, request->temperature);
        }
      if (request->max_output_tokens > 0)
        {
          json_builder_set_member_name (builder, "num_predict");
          json_builder_add_int_value (builder, (gint64) MIN (request->max_output_tokens, G_MAXINT64));
        }
      json_builder_end_object (builder);
    }

  if (request->reasoning_effort != NULL && request->reasoning_effort[0] != '\0')
    {
      json_builder_set_member_name (builder, "think");
      json_builder_add_boolean_value (builder, TRUE);
    }

  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* Public API */

const char *
cs_request_body_path (CsApiDialect dialect)
{
  switch (dialect)
    {
    case CS_API_OPENAI_RESPONSES:
      return "/responses";
    case CS_API_OLLAMA:
      return "/api/chat";
    case CS_API_OPENAI_CHAT:
    default:
      return "/chat/completions";
    }
}

GBytes *
cs_request_body_build (CsApiDialect         dialect,
                       const CsChatRequest *request)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  gsize len = 0;
  char *data;

  g_return_val_if_fail (request != NULL, NULL);

  switch (dialect)
    {
    case CS_API_OPENAI_RESPONSES:
      root = build_responses_body (request);
      break;
    case CS_API_OLLAMA:
      root = build_ollama_body (request);
      break;
    case CS_API_OPENAI_CHAT:
    default:
      root = build_chat_body (request);
      break;
    }

  json_generator_set_root (generator, root);
  data = json_generator_to_data (generator, &len);
  /* json-glib 1.6 writes 1e22 as "1e+22.0", which servers refuse. */
  len = cs_json_fix_exponents (data);
  return g_bytes_new_take (data, len);
}
