/* cs-stream-decoder.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-stream-decoder"

#include "config.h"

#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "cs-json-schema.h"
#include "cs-json-util.h"
#include "cs-sse-parser.h"
#include "cs-stream-decoder.h"

/* json-glib 1.6 parses recursively without a depth limit and accepts more
 * than one value: chunks go through cs_json_parse_bounded(), which refuses
 * deeper input, several values and non-JSON before json-glib sees them. */
#define MAX_JSON_DEPTH 128

#define MALFORMED_CHUNK_MESSAGE "The provider sent a malformed chunk"

struct _CsStreamDecoder
{
  CsApiDialect       dialect;
  CsStreamEventFunc  func;
  gpointer           user_data;

  CsSseParser       *sse;
  CsNdjsonParser    *ndjson;
  JsonNode          *root;     /* the last chunk parsed */

  gsize              bytes;
  gboolean           done;
  gint64             summary_part;  /* Responses: the last reasoning summary part, or -1 */
};

/* Emitting */

static void
emit (CsStreamDecoder   *self,
      CsStreamEventType  type,
      guint              choice,
      const char        *text,
      gssize             len,
      const char        *code)
{
  CsStreamEvent event = { 0, };
  g_autofree char *valid_text = NULL;
  g_autofree char *valid_code = NULL;

  if (text == NULL)
    text = "";
  if (len < 0)
    len = strlen (text);

  if (!g_utf8_validate (text, len, NULL) || memchr (text, '\0', len) != NULL)
    {
      valid_text = g_utf8_make_valid (text, len);
      text = valid_text;
      len = strlen (valid_text);
    }

  if (code != NULL && !g_utf8_validate (code, -1, NULL))
    code = valid_code = g_utf8_make_valid (code, -1);

  event.type = type;
  event.choice = choice;
  event.text = text;
  event.len = len;
  event.code = code;
  event.input_tokens = -1;
  event.output_tokens = -1;
  event.reasoning_tokens = -1;

  self->func (&event, self->user_data);
}

static void
emit_usage (CsStreamDecoder *self,
            gint64           input_tokens,
            gint64           output_tokens,
            gint64           reasoning_tokens)
{
  CsStreamEvent event = { 0, };

  event.type = CS_STREAM_EVENT_USAGE;
  event.text = "";
  event.input_tokens = input_tokens;
  event.output_tokens = output_tokens;
  event.reasoning_tokens = reasoning_tokens;

  self->func (&event, self->user_data);
}

static void
emit_done (CsStreamDecoder *self)
{
  if (self->done)
    return;

  self->done = TRUE;
  emit (self, CS_STREAM_EVENT_DONE, 0, "", 0, NULL);
}

/* Defensive JSON access */

/* A string member, or NULL if absent, null or not a string. */
static const char *
get_string (JsonObject *object,
            const char *member)
{
  JsonNode *node;

  if (object == NULL)
    return NULL;

  node = json_object_get_member (object, member);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

/* A non-empty string member, or NULL. */
static const char *
get_nonempty_string (JsonObject *object,
                     const char *member)
{
  const char *str = get_string (object, member);

  return str != NULL && str[0] != '\0' ? str : NULL;
}

/* A non-negative integer member, or -1. */
static gint64
get_count (JsonObject *object,
           const char *member)
{
  JsonNode *node;
  GType type;

  if (object == NULL)
    return -1;

  node = json_object_get_member (object, member);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return -1;

  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64)
    {
      gint64 value = json_node_get_int (node);

      return value >= 0 ? value : -1;
    }
  if (type == G_TYPE_DOUBLE)
    {
      double value = json_node_get_double (node);

      if (isfinite (value) && value >= 0 && value < 9.0e18)
        return (gint64) value;
    }

  return -1;
}

/* A code that may be a string or a number, as a string; NULL otherwise. */
static char *
get_code (JsonObject *object,
          const char *member)
{
  JsonNode *node;
  GType type;

  if (object == NULL)
    return NULL;

  node = json_object_get_member (object, member);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;

  type = json_node_get_value_type (node);
  if (type == G_TYPE_STRING)
    {
      const char *str = json_node_get_string (node);

      return str != NULL && str[0] != '\0' ? g_strdup (str) : NULL;
    }
  if (type == G_TYPE_INT64)
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
  if (type == G_TYPE_DOUBLE)
    {
      double value = json_node_get_double (node);

      if (isfinite (value) && value == floor (value) && fabs (value) < 1e15)
        return g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) value);
      {
        char buf[G_ASCII_DTOSTR_BUF_SIZE];

        /* the server's code as it sent it, not in the user's locale */
        return g_strdup (g_ascii_formatd (buf, sizeof buf, "%g", value));
      }
    }

  return NULL;
}

/* Emits ERROR for an error description: an object with message, code and
 * type (any may be missing), or a plain string. */
static void
emit_error_node (CsStreamDecoder *self,
                 JsonNode        *node,
                 const char      *fallback)
{
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      const char *message = get_nonempty_string (object, "message");
      g_autofree char *code = get_code (object, "code");

      if (code == NULL)
        code = get_code (object, "type");

      /* Some servers nest once more: {"error":{"error":{...}}} */
      if (message == NULL && json_object_has_member (object, "error"))
        {
          emit_error_node (self, json_object_get_member (object, "error"), fallback);
          return;
        }

      emit (self, CS_STREAM_EVENT_ERROR, 0, message ? message : fallback, -1, code);
    }
  else if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
           json_node_get_value_type (node) == G_TYPE_STRING &&
           json_node_get_string (node) != NULL &&
           json_node_get_string (node)[0] != '\0')
    {
      emit (self, CS_STREAM_EVENT_ERROR, 0, json_node_get_string (node), -1, NULL);
    }
  else
    {
      emit (self, CS_STREAM_EVENT_ERROR, 0, fallback, -1, NULL);
    }
}

static gboolean
is_blank (const char *data,
          gsize       len)
{
  gsize i;

  for (i = 0; i < len; i++)
    {
      if (data[i] != ' ' && data[i] != '\t' && data[i] != '\r' && data[i] != '\n')
        return FALSE;
    }

  return TRUE;
}

static gboolean
is_done_marker (const char *data,
                gsize       len)
{
  while (len > 0 && g_ascii_isspace (data[0]))
    {
      data++;
      len--;
    }
  while (len > 0 && g_ascii_isspace (data[len - 1]))
    len--;

  return len == 6 && memcmp (data, "[DONE]", 6) == 0;
}

/* Parses one JSON chunk: exactly one JSON value, nested at most
 * MAX_JSON_DEPTH levels. Returns its root object, owned by the decoder and
 * valid until the next parse, or NULL (after emitting ERROR) if the chunk is
 * not a JSON object. */
static JsonObject *
parse_chunk (CsStreamDecoder *self,
             const char      *data,
             gsize            len)
{
  g_autofree char *valid = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  if (!g_utf8_validate (data, len, NULL))
    {
      valid = g_utf8_make_valid (data, len);
      data = valid;
      len = strlen (valid);
    }

  g_clear_pointer (&self->root, json_node_unref);
  self->root = cs_json_parse_bounded (data, len, MAX_JSON_DEPTH, &error);
  if (self->root == NULL)
    {
      g_debug ("Malformed chunk: %s", error->message);
      emit (self, CS_STREAM_EVENT_ERROR, 0, MALFORMED_CHUNK_MESSAGE, -1, "malformed-chunk");
      return NULL;
    }

  root = self->root;
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_debug ("Chunk is not a JSON object");
      emit (self, CS_STREAM_EVENT_ERROR, 0, MALFORMED_CHUNK_MESSAGE, -1, "malformed-chunk");
      return NULL;
    }

  return json_node_get_object (root);
}

/* OpenAI Chat Completions and compatibles */

static void
decode_chat_usage (CsStreamDecoder *self,
                   JsonObject      *usage)
{
  JsonObject *details = cs_json_get_object (usage, "completion_tokens_details");

  emit_usage (self,
              get_count (usage, "prompt_tokens"),
              get_count (usage, "completion_tokens"),
              get_count (details, "reasoning_tokens"));
}

static void
decode_chat_choice (CsStreamDecoder *self,
                    JsonObject      *choice,
                    guint            position)
{
  JsonObject *delta = cs_json_get_object (choice, "delta");
  JsonObject *usage;
  const char *str;
  gint64 index;
  guint n;

  index = get_count (choice, "index");
  n = index >= 0 && index <= G_MAXUINT ? (guint) index : position;

  str = get_nonempty_string (delta, "reasoning_content");
  if (str == NULL)
    str = get_nonempty_string (delta, "reasoning");
  if (str != NULL)
    emit (self, CS_STREAM_EVENT_REASONING, n, str, -1, NULL);

  str = get_nonempty_string (delta, "content");
  if (str != NULL)
    emit (self, CS_STREAM_EVENT_TEXT, n, str, -1, NULL);

  str = get_nonempty_string (delta, "refusal");
  if (str != NULL)
    emit (self, CS_STREAM_EVENT_REFUSAL, n, str, -1, NULL);

  str = get_nonempty_string (choice, "finish_reason");
  if (str != NULL)
    emit (self, CS_STREAM_EVENT_FINISH, n, str, -1, NULL);

  /* Moonshot puts the usage of the request in its last choice. */
  usage = cs_json_get_object (choice, "usage");
  if (usage != NULL)
    decode_chat_usage (self, usage);
}

static void
decode_chat_chunk (CsStreamDecoder *self,
                   JsonObject      *chunk)
{
  JsonArray *choices;
  JsonObject *usage;

  if (json_object_has_member (chunk, "error"))
    {
      JsonNode *node = json_object_get_member (chunk, "error");

      if (!JSON_NODE_HOLDS_NULL (node))
        emit_error_node (self, node, "The provider reported an error");
    }

  choices = cs_json_get_array (chunk, "choices");
  if (choices != NULL)
    {
      guint n_choices = json_array_get_length (choices);
      guint i;

      for (i = 0; i < n_choices; i++)
        {
          JsonNode *node = json_array_get_element (choices, i);

          if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
            decode_chat_choice (self, json_node_get_object (node), i);
        }
    }

  usage = cs_json_get_object (chunk, "usage");
  if (usage != NULL)
    decode_chat_usage (self, usage);
}

static void
decode_chat_event (CsStreamDecoder  *self,
                   const CsSseEvent *event)
{
  JsonObject *chunk;

  if (strcmp (event->type, "ping") == 0)
    return;

  if (strcmp (event->type, "error") == 0)
    {
      g_autoptr(JsonNode) parsed = cs_json_parse_bounded (event->data, event->data_len,
                                                          MAX_JSON_DEPTH, NULL);

      if (parsed != NULL)
        {
          JsonNode *root = parsed;

          if (JSON_NODE_HOLDS_OBJECT (root) &&
              json_object_has_member (json_node_get_object (root), "error"))
            root = json_object_get_member (json_node_get_object (root), "error");

          emit_error_node (self, root, "The provider reported an error");
        }
      else
        {
          emit (self, CS_STREAM_EVENT_ERROR, 0, event->data, event->data_len, NULL);
        }
      return;
    }

  if (is_done_marker (event->data, event->data_len))
    {
      emit_done (self);
      return;
    }

  chunk = parse_chunk (self, event->data, event->data_len);
  if (chunk != NULL)
    decode_chat_chunk (self, chunk);
}

/* OpenAI Responses */

static void
decode_responses_usage (CsStreamDecoder *self,
                        JsonObject      *response)
{
  JsonObject *usage = cs_json_get_object (response, "usage");
  JsonObject *details;

  if (usage == NULL)
    return;

  details = cs_json_get_object (usage, "output_tokens_details");
  emit_usage (self,
              get_count (usage, "input_tokens"),
              get_count (usage, "output_tokens"),
              get_count (details, "reasoning_tokens"));
}

static void
decode_responses_event (CsStreamDecoder  *self,
                        const CsSseEvent *event)
{
  JsonObject *object;
  JsonObject *response;
  const char *type;

  if (strcmp (event->type, "ping") == 0)
    return;

  if (is_done_marker (event->data, event->data_len))
    {
      emit_done (self);
      return;
    }

  object = parse_chunk (self, event->data, event->data_len);
  if (object == NULL)
    return;

  type = event->type;
  if (strcmp (type, "message") == 0)
    {
      type = get_string (object, "type");
      if (type == NULL)
        return;
    }

  response = cs_json_get_object (object, "response");

  if (strcmp (type, "response.output_text.delta") == 0)
    {
      const char *delta = get_nonempty_string (object, "delta");

      if (delta != NULL)
        emit (self, CS_STREAM_EVENT_TEXT, 0, delta, -1, NULL);
    }
  else if (strcmp (type, "response.reasoning_summary_text.delta") == 0 ||
           strcmp (type, "response.reasoning_text.delta") == 0)
    {
      const char *delta = get_nonempty_string (object, "delta");
      gint64 part = get_count (object, "summary_index");

      /* A summary comes in parts, each a paragraph that usually opens with
       * its own bold title: keep them apart as the API's own viewers do. */
      if (delta != NULL && part >= 0 && self->summary_part >= 0 && part != self->summary_part)
        emit (self, CS_STREAM_EVENT_REASONING, 0, "\n\n", -1, NULL);
      if (delta != NULL && part >= 0)
        self->summary_part = part;
      if (delta != NULL)
        emit (self, CS_STREAM_EVENT_REASONING, 0, delta, -1, NULL);
    }
  else if (strcmp (type, "response.refusal.delta") == 0)
    {
      const char *delta = get_nonempty_string (object, "delta");

      if (delta != NULL)
        emit (self, CS_STREAM_EVENT_REFUSAL, 0, delta, -1, NULL);
    }
  else if (strcmp (type, "response.completed") == 0)
    {
      decode_responses_usage (self, response);
      emit (self, CS_STREAM_EVENT_FINISH, 0, "stop", -1, NULL);
      emit_done (self);
    }
  else if (strcmp (type, "response.incomplete") == 0)
    {
      JsonObject *details = cs_json_get_object (response, "incomplete_details");
      const char *reason = get_nonempty_string (details, "reason");
      const char *finish = "length";

      /* The finish reason in Chat Completions terms; code keeps the
       * provider's own reason ("max_output_tokens", "content_filter"). */
      if (g_strcmp0 (reason, "content_filter") == 0)
        finish = "content_filter";

      decode_responses_usage (self, response);
      emit (self, CS_STREAM_EVENT_FINISH, 0, finish, -1, reason);
      emit_done (self);
    }
  else if (strcmp (type, "response.failed") == 0)
    {
      JsonNode *error = NULL;

      if (response != NULL && json_object_has_member (response, "error"))
        error = json_object_get_member (response, "error");
      else if (json_object_has_member (object, "error"))
        error = json_object_get_member (object, "error");

      emit_error_node (self, error, "The response failed");
    }
  else if (strcmp (type, "error") == 0)
    {
      const char *message = get_nonempty_string (object, "message");
      g_autofree char *code = get_code (object, "code");

      if (message == NULL && json_object_has_member (object, "error"))
        emit_error_node (self, json_object_get_member (object, "error"),
                         "The provider reported an error");
      else
        emit (self, CS_STREAM_EVENT_ERROR, 0,
              message ? message : "The provider reported an error", -1, code);
    }
}

/* Ollama native */

static void
decode_ollama_line (const char *line,
                    gsize       len,
                    gpointer    user_data)
{
  CsStreamDecoder *self = user_data;
  JsonObject *object;
  JsonObject *message;
  const char *str;

  if (self->done)
    return;

  object = parse_chunk (self, line, len);
  if (object == NULL)
    return;

  if (json_object_has_member (object, "error"))
    {
      JsonNode *node = json_object_get_member (object, "error");

      if (!JSON_NODE_HOLDS_NULL (node))
        {
          emit_error_node (self, node, "The provider reported an error");
          return;
        }
    }

  message = cs_json_get_object (object, "message");

  str = get_nonempty_string (message, "thinking");
  if (str == NULL)
    str = get_nonempty_string (object, "thinking");   /* /api/generate */
  if (str != NULL)
    emit (self, CS_STREAM_EVENT_REASONING, 0, str, -1, NULL);

  str = get_nonempty_string (message, "content");
  if (str == NULL)
    str = get_nonempty_string (object, "response");   /* /api/generate */
  if (str != NULL)
    emit (self, CS_STREAM_EVENT_TEXT, 0, str, -1, NULL);

  if (cs_json_get_bool (object, "done"))
    {
      str = get_nonempty_string (object, "done_reason");
      emit (self, CS_STREAM_EVENT_FINISH, 0, str ? str : "stop", -1, NULL);
      emit_usage (self,
                  get_count (object, "prompt_eval_count"),
                  get_count (object, "eval_count"),
                  -1);
      emit_done (self);
    }
}

/* SSE dispatch */

static void
decode_sse_event (const CsSseEvent *event,
                  gpointer          user_data)
{
  CsStreamDecoder *self = user_data;

  /* Nothing counts after the stream's own terminator. */
  if (self->done)
    return;

  if (is_blank (event->data, event->data_len))
    return;

  if (self->dialect == CS_API_OPENAI_RESPONSES)
    decode_responses_event (self, event);
  else
    decode_chat_event (self, event);
}

/* Public API */

CsStreamDecoder *
cs_stream_decoder_new (CsApiDialect      dialect,
                       CsStreamEventFunc func,
                       gpointer          user_data)
{
  CsStreamDecoder *self;

  g_return_val_if_fail (func != NULL, NULL);
  g_return_val_if_fail (dialect == CS_API_OPENAI_CHAT ||
                        dialect == CS_API_OPENAI_RESPONSES ||
                        dialect == CS_API_OLLAMA, NULL);

  self = g_new0 (CsStreamDecoder, 1);
  self->dialect = dialect;
  self->func = func;
  self->user_data = user_data;
  self->summary_part = -1;

  if (dialect == CS_API_OLLAMA)
    self->ndjson = cs_ndjson_parser_new (decode_ollama_line, self);
  else
    self->sse = cs_sse_parser_new (decode_sse_event, self);

  return self;
}

void
cs_stream_decoder_free (CsStreamDecoder *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->sse, cs_sse_parser_free);
  g_clear_pointer (&self->ndjson, cs_ndjson_parser_free);
  g_clear_pointer (&self->root, json_node_unref);
  g_free (self);
}

void
cs_stream_decoder_feed (CsStreamDecoder *self,
                        const char      *data,
                        gsize            len)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (data != NULL || len == 0);

  self->bytes += len;

  if (self->sse != NULL)
    cs_sse_parser_feed (self->sse, data, len);
  else
    cs_ndjson_parser_feed (self->ndjson, data, len);
}

gboolean
cs_stream_decoder_finish (CsStreamDecoder *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (self->sse != NULL)
    cs_sse_parser_finish (self->sse);
  else
    cs_ndjson_parser_finish (self->ndjson);

  return self->done;
}

gsize
cs_stream_decoder_get_bytes (CsStreamDecoder *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->bytes;
}
