/* test-test-provider.c
 *
 * The test provider, over real HTTP on loopback: wire formats of the three
 * dialects, schema-valid answers for both modes and the judge, and every
 * scripted fault. The SSE here is parsed minimally on purpose: these tests
 * must not depend on the engine's own parser.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-test-provider"

#include "config.h"

#include <signal.h>
#include <string.h>

#include <glib/gstdio.h>

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "cs-config.h"
#include "cs-test-provider.h"

#define MAX_CHOICES 4

typedef struct {
  CsTestProvider *provider;
  SoupSession    *session;
  char           *base_url;
  char           *root_url;
} Fixture;

static JsonNode *architect_schema;
static JsonNode *support_schema;

/* CONSILIUM_TEST_SLOW=N (sanitizer builds): waits for a condition give up
 * N times later. */
static gint64 slack = 1;

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */
/* ------------------------------------------------------------------------ */

static JsonNode *
parse_json (const char *text,
            gssize      len,
            GError    **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (!json_parser_load_from_data (parser, text, len, error))
    return NULL;
  return json_node_ref (json_parser_get_root (parser));
}

static JsonNode *
load_schema (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "src", "engine", "schemas", name, NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *node;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  node = parse_json (text, -1, &error);
  g_assert_no_error (error);
  return node;
}

static JsonNode *
judge_schema (JsonNode *mode_schema)
{
  static const char judge[] =
    "{\"type\":\"object\",\"additionalProperties\":false,\"required\":[\"critiques\",\"rationale\",\"result\"],"
    "\"properties\":{\"critiques\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"additionalProperties\":false,"
    "\"required\":[\"candidate\",\"strengths\",\"weaknesses\",\"score\"],\"properties\":{\"candidate\":{\"type\":\"string\"},"
    "\"strengths\":{\"type\":\"string\"},\"weaknesses\":{\"type\":\"string\"},"
    "\"score\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":10}}}},\"rationale\":{\"type\":\"string\"}}}";
  JsonNode *node = parse_json (judge, -1, NULL);
  JsonObject *props = json_object_get_object_member (json_node_get_object (node), "properties");

  json_object_set_member (props, "result", json_node_copy (mode_schema));
  return node;
}

/* A small JSON Schema check (the subset our schemas use), independent of the
 * engine's validator. */
static gboolean
validate (JsonNode   *schema,
          JsonNode   *node,
          const char *where,
          GString    *err)
{
  JsonObject *s = json_node_get_object (schema);
  const char *type = json_object_has_member (s, "type") ? json_object_get_string_member (s, "type") : NULL;

  if (g_strcmp0 (type, "object") == 0)
    {
      JsonObject *o;
      JsonObject *props = json_object_get_object_member (s, "properties");
      g_autoptr(GList) members = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_string_append_printf (err, "%s: not an object; ", where);
          return FALSE;
        }
      o = json_node_get_object (node);
      if (json_object_has_member (s, "required"))
        {
          JsonArray *req = json_object_get_array_member (s, "required");

          for (guint i = 0; i < json_array_get_length (req); i++)
            if (!json_object_has_member (o, json_array_get_string_element (req, i)))
              {
                g_string_append_printf (err, "%s: missing %s; ", where, json_array_get_string_element (req, i));
                return FALSE;
              }
        }
      members = json_object_get_members (o);
      for (GList *l = members; l != NULL; l = l->next)
        {
          g_autofree char *sub = g_strdup_printf ("%s.%s", where, (char *) l->data);

          if (props == NULL || !json_object_has_member (props, l->data))
            {
              g_string_append_printf (err, "%s: not allowed; ", sub);
              return FALSE;
            }
          if (!validate (json_object_get_member (props, l->data), json_object_get_member (o, l->data), sub, err))
            return FALSE;
        }
      return TRUE;
    }
  if (g_strcmp0 (type, "array") == 0)
    {
      JsonArray *a;

      if (!JSON_NODE_HOLDS_ARRAY (node))
        {
          g_string_append_printf (err, "%s: not an array; ", where);
          return FALSE;
        }
      a = json_node_get_array (node);
      if (json_object_has_member (s, "minItems") &&
          json_array_get_length (a) < (guint) json_object_get_int_member (s, "minItems"))
        {
          g_string_append_printf (err, "%s: too few items; ", where);
          return FALSE;
        }
      for (guint i = 0; i < json_array_get_length (a); i++)
        {
          g_autofree char *sub = g_strdup_printf ("%s[%u]", where, i);

          if (!validate (json_object_get_member (s, "items"), json_array_get_element (a, i), sub, err))
            return FALSE;
        }
      return TRUE;
    }
  if (g_strcmp0 (type, "string") == 0)
    {
      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        {
          g_string_append_printf (err, "%s: not a string; ", where);
          return FALSE;
        }
      if (json_object_has_member (s, "enum"))
        {
          JsonArray *e = json_object_get_array_member (s, "enum");

          for (guint i = 0; i < json_array_get_length (e); i++)
            if (g_str_equal (json_array_get_string_element (e, i), json_node_get_string (node)))
              return TRUE;
          g_string_append_printf (err, "%s: not in enum; ", where);
          return FALSE;
        }
      return TRUE;
    }
  if (g_strcmp0 (type, "boolean") == 0)
    {
      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
        {
          g_string_append_printf (err, "%s: not a boolean; ", where);
          return FALSE;
        }
      return TRUE;
    }
  if (g_strcmp0 (type, "integer") == 0 || g_strcmp0 (type, "number") == 0)
    {
      double v;

      if (!JSON_NODE_HOLDS_VALUE (node) ||
          (json_node_get_value_type (node) != G_TYPE_INT64 &&
           (g_str_equal (type, "integer") || json_node_get_value_type (node) != G_TYPE_DOUBLE)))
        {
          g_string_append_printf (err, "%s: not a %s; ", where, type);
          return FALSE;
        }
      v = json_node_get_value_type (node) == G_TYPE_INT64 ? (double) json_node_get_int (node) : json_node_get_double (node);
      if ((json_object_has_member (s, "minimum") && v < json_object_get_double_member (s, "minimum")) ||
          (json_object_has_member (s, "maximum") && v > json_object_get_double_member (s, "maximum")))
        {
          g_string_append_printf (err, "%s: out of range; ", where);
          return FALSE;
        }
      return TRUE;
    }
  return TRUE;
}

static void
assert_valid (JsonNode *schema,
              JsonNode *data)
{
  g_autoptr(GString) err = g_string_new (NULL);

  if (!validate (schema, data, "$", err))
    g_error ("Schema violation: %s", err->str);
}

/* The JSON inside a ```json fence, or the whole text. */
static JsonNode *
extract_json (const char *text)
{
  const char *start = strstr (text, "```json\n");

  if (start != NULL)
    {
      const char *end = strstr (start + 8, "\n```");

      g_assert_nonnull (end);
      return parse_json (start + 8, end - (start + 8), NULL);
    }
  return parse_json (text, -1, NULL);
}

static void
got_result (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static gboolean
flag_cb (gpointer user_data)
{
  gboolean *flag = user_data;

  *flag = TRUE;
  return G_SOURCE_REMOVE;
}

static void
spin (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, flag_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static SoupMessage *
message_new (const char *method,
             const char *url,
             const char *body,
             const char *auth)
{
  SoupMessage *msg = soup_message_new (method, url);

  g_assert_nonnull (msg);
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  if (auth != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  return msg;
}

/* Sends a request and reads the whole reply. */
static GBytes *
fetch_full (Fixture             *f,
            const char          *method,
            const char          *url,
            const char          *body,
            const char          *auth,
            guint               *status,
            SoupMessageHeaders **headers)
{
  g_autoptr(SoupMessage) msg = message_new (method, url, body, auth);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GBytes *bytes;

  soup_session_send_and_read_async (f->session, msg, G_PRIORITY_DEFAULT, NULL, got_result, &result);
  bytes = soup_session_send_and_read_finish (f->session, wait_result (&result), &error);
  g_assert_no_error (error);
  if (status)
    *status = soup_message_get_status (msg);
  if (headers)
    *headers = soup_message_headers_ref (soup_message_get_response_headers (msg));
  return bytes;
}

static char *
fetch (Fixture    *f,
       const char *path,
       const char *body,
       guint      *status)
{
  g_autofree char *url = g_strconcat (f->root_url, path, NULL);
  g_autoptr(GBytes) bytes = fetch_full (f, body ? "POST" : "GET", url, body, NULL, status, NULL);
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  return g_strndup (data ? data : "", len);
}

static char *
chat_body (const char *model,
           const char *system,
           const char *user,
           JsonNode   *schema,
           guint       n,
           gboolean    include_usage)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonGenerator) gen = json_generator_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "model");
  json_builder_add_string_value (b, model);
  json_builder_set_member_name (b, "stream");
  json_builder_add_boolean_value (b, TRUE);
  if (n != 1)
    {
      json_builder_set_member_name (b, "n");
      json_builder_add_int_value (b, n);
    }
  if (include_usage)
    {
      json_builder_set_member_name (b, "stream_options");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "include_usage");
      json_builder_add_boolean_value (b, TRUE);
      json_builder_end_object (b);
    }
  json_builder_set_member_name (b, "messages");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "role");
  json_builder_add_string_value (b, "system");
  json_builder_set_member_name (b, "content");
  json_builder_add_string_value (b, system);
  json_builder_end_object (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "role");
  json_builder_add_string_value (b, "user");
  json_builder_set_member_name (b, "content");
  json_builder_add_string_value (b, user);
  json_builder_end_object (b);
  json_builder_end_array (b);
  if (schema != NULL)
    {
      json_builder_set_member_name (b, "response_format");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "type");
      json_builder_add_string_value (b, "json_schema");
      json_builder_set_member_name (b, "json_schema");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, "candidate");
      json_builder_set_member_name (b, "strict");
      json_builder_add_boolean_value (b, TRUE);
      json_builder_set_member_name (b, "schema");
      json_builder_add_value (b, json_node_copy (schema));
      json_builder_end_object (b);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

/* --- minimal SSE --- */

typedef struct {
  char *event;
  char *data;
} SseEvent;

static void
sse_event_free (SseEvent *ev)
{
  g_free (ev->event);
  g_free (ev->data);
  g_free (ev);
}

static GPtrArray *
sse_parse (const char *raw,
           guint      *n_comments)
{
  GPtrArray *events = g_ptr_array_new_with_free_func ((GDestroyNotify) sse_event_free);
  g_autoptr(GString) norm = g_string_new (raw);
  g_auto(GStrv) blocks = NULL;

  g_string_replace (norm, "\r\n", "\n", 0);
  g_string_replace (norm, "\r", "\n", 0);
  blocks = g_strsplit (norm->str, "\n\n", -1);
  if (n_comments)
    *n_comments = 0;

  for (guint i = 0; blocks[i] != NULL; i++)
    {
      g_auto(GStrv) lines = g_strsplit (blocks[i], "\n", -1);
      g_autoptr(GString) data = NULL;
      g_autofree char *event = NULL;

      for (guint j = 0; lines[j] != NULL; j++)
        {
          if (lines[j][0] == ':')
            {
              if (n_comments)
                (*n_comments)++;
            }
          else if (g_str_has_prefix (lines[j], "data: "))
            {
              if (data == NULL)
                data = g_string_new (lines[j] + 6);
              else
                g_string_append_printf (data, "\n%s", lines[j] + 6);
            }
          else if (g_str_has_prefix (lines[j], "event: "))
            {
              g_free (event);
              event = g_strdup (lines[j] + 7);
            }
          else
            g_assert_cmpstr (lines[j], ==, "");
        }
      if (data != NULL)
        {
          SseEvent *ev = g_new0 (SseEvent, 1);

          ev->event = g_steal_pointer (&event);
          ev->data = g_string_free (g_steal_pointer (&data), FALSE);
          g_ptr_array_add (events, ev);
        }
    }
  return events;
}

typedef struct {
  GString  *content[MAX_CHOICES];
  GString  *reasoning[MAX_CHOICES];
  GString  *refusal[MAX_CHOICES];
  char     *finish[MAX_CHOICES];
  gboolean  role_first[MAX_CHOICES];
  guint     chunks[MAX_CHOICES];
  gboolean  null_content[MAX_CHOICES];
  guint     switches;          /* changes of choice index between consecutive chunks */
  JsonNode *usage;
  JsonNode *error;
  gboolean  done;
  gboolean  data_after_done;
  gboolean  usage_choices_empty;
  guint     comments;
  guint     events;
} ChatResult;

static void
chat_result_free (ChatResult *r)
{
  for (guint i = 0; i < MAX_CHOICES; i++)
    {
      g_string_free (r->content[i], TRUE);
      g_string_free (r->reasoning[i], TRUE);
      g_string_free (r->refusal[i], TRUE);
      g_free (r->finish[i]);
    }
  g_clear_pointer (&r->usage, json_node_unref);
  g_clear_pointer (&r->error, json_node_unref);
  g_free (r);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChatResult, chat_result_free)

static ChatResult *
chat_parse (const char *raw)
{
  ChatResult *r = g_new0 (ChatResult, 1);
  g_autoptr(GPtrArray) events = sse_parse (raw, &r->comments);
  gint last_index = -1;

  for (guint i = 0; i < MAX_CHOICES; i++)
    {
      r->content[i] = g_string_new (NULL);
      r->reasoning[i] = g_string_new (NULL);
      r->refusal[i] = g_string_new (NULL);
    }
  r->events = events->len;

  for (guint e = 0; e < events->len; e++)
    {
      SseEvent *ev = g_ptr_array_index (events, e);
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(GError) error = NULL;
      JsonObject *o;
      JsonArray *choices;

      if (r->done)
        r->data_after_done = TRUE;
      if (g_str_equal (ev->data, "[DONE]"))
        {
          r->done = TRUE;
          continue;
        }
      node = parse_json (ev->data, -1, &error);
      g_assert_no_error (error);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
      o = json_node_get_object (node);
      if (json_object_has_member (o, "error"))
        {
          r->error = json_node_copy (json_object_get_member (o, "error"));
          continue;
        }
      g_assert_cmpstr (json_object_get_string_member (o, "object"), ==, "chat.completion.chunk");
      choices = json_object_get_array_member (o, "choices");
      g_assert_nonnull (choices);
      if (json_object_has_member (o, "usage") && !json_object_get_null_member (o, "usage"))
        {
          r->usage = json_node_copy (json_object_get_member (o, "usage"));
          r->usage_choices_empty = json_array_get_length (choices) == 0;
        }
      for (guint c = 0; c < json_array_get_length (choices); c++)
        {
          JsonObject *choice = json_array_get_object_element (choices, c);
          JsonObject *delta = json_object_get_object_member (choice, "delta");
          guint idx = (guint) json_object_get_int_member (choice, "index");

          g_assert_cmpuint (idx, <, MAX_CHOICES);
          if (r->chunks[idx] == 0)
            r->role_first[idx] = json_object_has_member (delta, "role") &&
                                 g_strcmp0 (json_object_get_string_member (delta, "role"), "assistant") == 0;
          r->chunks[idx]++;
          if (last_index >= 0 && (guint) last_index != idx)
            r->switches++;
          last_index = idx;

          if (json_object_has_member (delta, "content"))
            {
              if (json_object_get_null_member (delta, "content"))
                r->null_content[idx] = TRUE;
              else
                g_string_append (r->content[idx], json_object_get_string_member (delta, "content"));
            }
          if (json_object_has_member (delta, "reasoning_content"))
            g_string_append (r->reasoning[idx], json_object_get_string_member (delta, "reasoning_content"));
          if (json_object_has_member (delta, "refusal") && !json_object_get_null_member (delta, "refusal"))
            g_string_append (r->refusal[idx], json_object_get_string_member (delta, "refusal"));
          if (!json_object_get_null_member (choice, "finish_reason"))
            {
              g_assert_null (r->finish[idx]);
              r->finish[idx] = g_strdup (json_object_get_string_member (choice, "finish_reason"));
            }
        }
    }
  return r;
}

static ChatResult *
chat (Fixture    *f,
      const char *model,
      const char *system,
      const char *user,
      JsonNode   *schema,
      guint       n,
      guint      *status,
      char      **raw_out)
{
  g_autofree char *body = chat_body (model, system, user, schema, n, TRUE);
  g_autofree char *raw = fetch (f, "/v1/chat/completions", body, status);
  ChatResult *r = chat_parse (status == NULL || *status == 200 ? raw : "");

  if (raw_out)
    *raw_out = g_steal_pointer (&raw);
  return r;
}

static gint64
usage_int (JsonNode   *usage,
           const char *member)
{
  g_assert_nonnull (usage);
  return json_object_get_int_member (json_node_get_object (usage), member);
}

/* ------------------------------------------------------------------------ */
/* Fixture                                                                  */
/* ------------------------------------------------------------------------ */

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->provider = cs_test_provider_new ();
  cs_test_provider_set_delay_ms (f->provider, 0);
  g_assert_true (cs_test_provider_start (f->provider, 0, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (cs_test_provider_get_port (f->provider), >, 0);
  f->base_url = cs_test_provider_dup_base_url (f->provider);
  f->root_url = cs_test_provider_dup_root_url (f->provider);
  f->session = soup_session_new ();
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->session);
  g_clear_object (&f->provider);
  g_clear_pointer (&f->base_url, g_free);
  g_clear_pointer (&f->root_url, g_free);
  /* Let the sockets close. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static const char *architect_system = "You are a senior software architect. Answer in JSON.";
static const char *support_system = "You are a support engineer. Answer with a troubleshooting checklist in JSON.";
static const char *problem = "Our nginx reverse proxy returns 502 errors since this morning's upgrade.";

/* ------------------------------------------------------------------------ */
/* Tests                                                                    */
/* ------------------------------------------------------------------------ */

static void
test_urls (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *expected = g_strdup_printf ("http://127.0.0.1:%u/v1", cs_test_provider_get_port (f->provider));

  g_assert_cmpstr (f->base_url, ==, expected);
  g_assert_true (g_str_has_prefix (f->base_url, f->root_url));
}

static void
test_models (Fixture       *f,
             gconstpointer  data)
{
  guint status = 0;
  g_autofree char *openai = fetch (f, "/v1/models", NULL, &status);
  g_autofree char *ollama = NULL;
  g_autoptr(JsonNode) node = parse_json (openai, -1, NULL);
  g_autoptr(JsonNode) tags = NULL;
  JsonArray *list;
  gboolean found = FALSE;

  g_assert_cmpuint (status, ==, 200);
  g_assert_nonnull (node);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "object"), ==, "list");
  list = json_object_get_array_member (json_node_get_object (node), "data");
  g_assert_cmpuint (json_array_get_length (list), ==, g_strv_length ((char **) cs_test_provider_get_demo_models ()));
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *m = json_array_get_object_element (list, i);

      g_assert_cmpstr (json_object_get_string_member (m, "object"), ==, "model");
      found |= g_str_equal (json_object_get_string_member (m, "id"), "demo-alpha");
    }
  g_assert_true (found);

  ollama = fetch (f, "/api/tags", NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  tags = parse_json (ollama, -1, NULL);
  list = json_object_get_array_member (json_node_get_object (tags), "models");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (list, 0), "name"), ==, "demo-alpha:latest");

  g_free (fetch (f, "/v1/nothing-here", NULL, &status));
  g_assert_cmpuint (status, ==, 404);
}

static void
check_chat_answer (ChatResult *r,
                   guint       n,
                   JsonNode   *schema,
                   gsize       body_len)
{
  gsize chars = 0;

  g_assert_true (r->done);
  g_assert_false (r->data_after_done);
  g_assert_null (r->error);
  g_assert_nonnull (r->usage);
  g_assert_true (r->usage_choices_empty);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JsonNode) data = extract_json (r->content[i]->str);

      g_assert_true (r->role_first[i]);
      g_assert_cmpstr (r->finish[i], ==, "stop");
      g_assert_cmpuint (r->chunks[i], >, 20);
      g_assert_nonnull (data);
      assert_valid (schema, data);
      chars += r->content[i]->len;
    }
  g_assert_null (r->finish[n]);
  g_assert_cmpint (usage_int (r->usage, "prompt_tokens"), ==, (body_len + 3) / 4);
  g_assert_cmpint (ABS (usage_int (r->usage, "completion_tokens") - (gint64) chars / 4), <=, 2);
  g_assert_cmpint (usage_int (r->usage, "total_tokens"), ==,
                   usage_int (r->usage, "prompt_tokens") + usage_int (r->usage, "completion_tokens"));
}

static void
test_chat_architect (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *body = chat_body ("demo-alpha", architect_system, problem, architect_schema, 2, TRUE);
  g_autofree char *raw = fetch (f, "/v1/chat/completions", body, NULL);
  g_autoptr(ChatResult) r = chat_parse (raw);

  check_chat_answer (r, 2, architect_schema, strlen (body));
  /* Choices interleave, and they differ. */
  g_assert_cmpuint (r->switches, >, 10);
  g_assert_cmpstr (r->content[0]->str, !=, r->content[1]->str);
  /* Determinism: the same request gets the same answer. */
  {
    g_autofree char *raw2 = fetch (f, "/v1/chat/completions", body, NULL);
    g_autoptr(ChatResult) r2 = chat_parse (raw2);

    g_assert_cmpstr (r->content[0]->str, ==, r2->content[0]->str);
    g_assert_cmpstr (r->content[1]->str, ==, r2->content[1]->str);
  }
}

static void
test_chat_support (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *body = chat_body ("demo-beta", support_system, problem, support_schema, 3, TRUE);
  g_autofree char *raw = fetch (f, "/v1/chat/completions", body, NULL);
  g_autoptr(ChatResult) r = chat_parse (raw);
  g_autoptr(JsonNode) d = NULL;
  JsonArray *steps;
  gboolean mentions_nginx = FALSE;

  check_chat_answer (r, 3, support_schema, strlen (body));
  d = extract_json (r->content[0]->str);
  steps = json_object_get_array_member (json_node_get_object (d), "steps");
  for (guint i = 0; i < json_array_get_length (steps); i++)
    mentions_nginx |= strstr (json_object_get_string_member (json_array_get_object_element (steps, i), "command"), "nginx") != NULL;
  /* The service named in the problem appears in the commands. */
  g_assert_true (mentions_nginx);
}

static void
test_chat_judge (Fixture       *f,
                 gconstpointer  data)
{
  const char *user = "Problem: a URL shortener.\n\n### Candidate alpha-1\n{\"summary\":\"...\"}\n\n"
                     "### Candidate beta-2 (demo/demo-beta), angle: cost\n{}\n";
  g_autoptr(JsonNode) schema = judge_schema (support_schema);
  g_autoptr(ChatResult) r = chat (f, "demo-judge", "You are the judge.", user, schema, 1, NULL, NULL);
  g_autoptr(JsonNode) d = extract_json (r->content[0]->str);
  JsonArray *critiques;

  g_assert_nonnull (d);
  assert_valid (schema, d);
  critiques = json_object_get_array_member (json_node_get_object (d), "critiques");
  g_assert_cmpuint (json_array_get_length (critiques), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (critiques, 0), "candidate"), ==, "alpha-1");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (critiques, 1), "candidate"), ==, "beta-2");

  /* Without a schema: the system prompt says judge, the user text architect. */
  {
    g_autoptr(JsonNode) arch = judge_schema (architect_schema);
    g_autoptr(ChatResult) r2 = chat (f, "demo-judge", "You are an impartial judge of architect answers.",
                                     "Mode: architect\n### Candidate a\n### Candidate b\n### Candidate c\n",
                                     NULL, 1, NULL, NULL);
    g_autoptr(JsonNode) d2 = extract_json (r2->content[0]->str);

    g_assert_nonnull (d2);
    assert_valid (arch, d2);
    critiques = json_object_get_array_member (json_node_get_object (d2), "critiques");
    g_assert_cmpuint (json_array_get_length (critiques), ==, 3);
  }

  /* ... or troubleshooting: a support result. */
  {
    g_autoptr(ChatResult) r3 = chat (f, "demo-judge", "You are the judge of a panel. Several models answered the same troubleshooting problem.",
                                     "### Candidate c1 (demo/demo-alpha)\n{}\n### Candidate c2 (demo/demo-beta)\n{}\n",
                                     NULL, 1, NULL, NULL);
    g_autoptr(JsonNode) d3 = extract_json (r3->content[0]->str);

    g_assert_nonnull (d3);
    assert_valid (schema, d3);
    critiques = json_object_get_array_member (json_node_get_object (d3), "critiques");
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (critiques, 1), "candidate"), ==, "c2");
  }
}

/* Without a schema the mode comes from the system prompt, and about half of
 * the answers are fenced. Across seeds the answers overlap and differ. */
static void
test_chat_no_schema_diversity (Fixture       *f,
                               gconstpointer  data)
{
  guint fenced = 0, plain = 0;
  g_autoptr(GHashTable) gateways = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) databases = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) texts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint k = 0; k < 8; k++)
    {
      g_autofree char *model = g_strdup_printf ("model-%u", k);
      g_autoptr(ChatResult) r = chat (f, model, architect_system, problem, NULL, 1, NULL, NULL);
      g_autoptr(JsonNode) d = extract_json (r->content[0]->str);
      JsonArray *comps;
      gboolean has_gateway = FALSE;

      g_assert_nonnull (d);
      assert_valid (architect_schema, d);
      if (strstr (r->content[0]->str, "```json") != NULL)
        fenced++;
      else
        plain++;
      g_hash_table_add (texts, g_strdup (r->content[0]->str));

      comps = json_object_get_array_member (json_node_get_object (d), "components");
      for (guint i = 0; i < json_array_get_length (comps); i++)
        {
          JsonObject *c = json_array_get_object_element (comps, i);
          const char *tech = json_object_get_string_member (c, "technology");

          if (g_str_equal (tech, "Envoy") || g_str_equal (tech, "Kong") || g_str_equal (tech, "NGINX"))
            {
              has_gateway = TRUE;
              g_hash_table_add (gateways, g_strdup (tech));
            }
          if (g_str_has_prefix (tech, "PostgreSQL") || g_str_equal (tech, "CockroachDB") || g_str_has_prefix (tech, "MySQL"))
            g_hash_table_add (databases, g_strdup (tech));
        }
      g_assert_true (has_gateway);
      g_assert_true (g_str_has_prefix (json_object_get_string_member (json_node_get_object (d), "mermaid"), "flowchart LR\n"));
      g_assert_cmpfloat (json_object_get_double_member (json_node_get_object (d), "monthly_cost_usd"), >, 0);
    }
  g_assert_cmpuint (fenced, >, 0);
  g_assert_cmpuint (plain, >, 0);
  g_assert_cmpuint (g_hash_table_size (texts), ==, 8);
  g_assert_cmpuint (g_hash_table_size (gateways) + g_hash_table_size (databases), >, 2);

  /* A support system prompt gives a support answer. */
  {
    g_autoptr(ChatResult) r = chat (f, "model-x", support_system, problem, NULL, 1, NULL, NULL);
    g_autoptr(JsonNode) d = extract_json (r->content[0]->str);

    g_assert_nonnull (d);
    assert_valid (support_schema, d);
  }
}

static void
test_chat_no_stream (Fixture       *f,
                     gconstpointer  data)
{
  const char *body = "{\"model\":\"demo-alpha\",\"stream\":false,\"messages\":[{\"role\":\"system\",\"content\":\"support\"},"
                     "{\"role\":\"user\",\"content\":\"disk full\"}],\"response_format\":{\"type\":\"json_object\"}}";
  guint status = 0;
  g_autofree char *raw = fetch (f, "/v1/chat/completions", body, &status);
  g_autoptr(JsonNode) node = parse_json (raw, -1, NULL);
  JsonObject *o = json_node_get_object (node);
  JsonObject *choice = json_array_get_object_element (json_object_get_array_member (o, "choices"), 0);
  JsonObject *message = json_object_get_object_member (choice, "message");
  g_autoptr(JsonNode) d = parse_json (json_object_get_string_member (message, "content"), -1, NULL);

  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (o, "object"), ==, "chat.completion");
  g_assert_cmpstr (json_object_get_string_member (choice, "finish_reason"), ==, "stop");
  /* json_object mode: plain JSON, never fenced. */
  g_assert_nonnull (d);
  assert_valid (support_schema, d);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (o, "usage"), "prompt_tokens"), ==,
                   (strlen (body) + 3) / 4);
}

static void
test_chat_reasoning (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(ChatResult) r = chat (f, "demo-thinking", architect_system, problem, architect_schema, 2, NULL, NULL);
  g_autoptr(ChatResult) r2 = chat (f, "demo-alpha+reasoning", support_system, problem, support_schema, 1, NULL, NULL);

  g_assert_cmpuint (r->reasoning[0]->len, >, 50);
  g_assert_cmpuint (r->reasoning[1]->len, >, 50);
  g_assert_cmpint (usage_int (r->usage, "completion_tokens"), >, 0);
  g_assert_cmpuint (r2->reasoning[0]->len, >, 50);
  {
    JsonObject *details = json_object_get_object_member (json_node_get_object (r2->usage), "completion_tokens_details");

    g_assert_cmpint (json_object_get_int_member (details, "reasoning_tokens"), >, 0);
  }
  g_assert_cmpstr (r2->finish[0], ==, "stop");
}

static void
test_responses (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(JsonNode) body_node = NULL;
  g_autofree char *body = NULL;
  g_autofree char *raw = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GString) reasoning = g_string_new (NULL);
  g_autoptr(JsonNode) d = NULL;
  gboolean created = FALSE, completed = FALSE;
  guint status = 0;

  {
    g_autoptr(JsonBuilder) b = json_builder_new ();
    g_autoptr(JsonGenerator) gen = json_generator_new ();

    json_builder_begin_object (b);
    json_builder_set_member_name (b, "model");
    json_builder_add_string_value (b, "demo-thinking");
    json_builder_set_member_name (b, "stream");
    json_builder_add_boolean_value (b, TRUE);
    json_builder_set_member_name (b, "instructions");
    json_builder_add_string_value (b, support_system);
    json_builder_set_member_name (b, "input");
    json_builder_add_string_value (b, problem);
    json_builder_set_member_name (b, "text");
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "format");
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "type");
    json_builder_add_string_value (b, "json_schema");
    json_builder_set_member_name (b, "name");
    json_builder_add_string_value (b, "candidate");
    json_builder_set_member_name (b, "schema");
    json_builder_add_value (b, json_node_copy (support_schema));
    json_builder_end_object (b);
    json_builder_end_object (b);
    json_builder_end_object (b);
    body_node = json_builder_get_root (b);
    json_generator_set_root (gen, body_node);
    body = json_generator_to_data (gen, NULL);
  }

  raw = fetch (f, "/v1/responses", body, &status);
  g_assert_cmpuint (status, ==, 200);
  events = sse_parse (raw, NULL);
  for (guint i = 0; i < events->len; i++)
    {
      SseEvent *ev = g_ptr_array_index (events, i);
      g_autoptr(JsonNode) node = parse_json (ev->data, -1, NULL);
      JsonObject *o;

      g_assert_nonnull (node);
      o = json_node_get_object (node);
      g_assert_nonnull (ev->event);
      g_assert_cmpstr (ev->event, ==, json_object_get_string_member (o, "type"));
      if (g_str_equal (ev->event, "response.created"))
        created = i == 0;
      else if (g_str_equal (ev->event, "response.output_text.delta"))
        g_string_append (text, json_object_get_string_member (o, "delta"));
      else if (g_str_equal (ev->event, "response.reasoning_summary_text.delta"))
        g_string_append (reasoning, json_object_get_string_member (o, "delta"));
      else if (g_str_equal (ev->event, "response.completed"))
        {
          JsonObject *usage = json_object_get_object_member (json_object_get_object_member (o, "response"), "usage");

          completed = i == events->len - 1;
          g_assert_cmpint (json_object_get_int_member (usage, "input_tokens"), ==, (strlen (body) + 3) / 4);
          g_assert_cmpint (json_object_get_int_member (usage, "output_tokens"), >, (gint64) text->len / 4);
        }
    }
  g_assert_true (created);
  g_assert_true (completed);
  g_assert_cmpuint (reasoning->len, >, 50);
  d = parse_json (text->str, -1, NULL);
  g_assert_nonnull (d);
  assert_valid (support_schema, d);
}

static void
test_ollama (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *schema = json_to_string (support_schema, FALSE);
  g_autofree char *body = g_strdup_printf ("{\"model\":\"demo-local\",\"messages\":[{\"role\":\"user\",\"content\":\"%s\"}],\"format\":%s}",
                                           problem, schema);
  guint status = 0;
  g_autofree char *raw = fetch (f, "/api/chat", body, &status);
  g_auto(GStrv) lines = g_strsplit (raw, "\n", -1);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(JsonNode) d = NULL;
  guint n_lines = g_strv_length (lines);
  JsonObject *last = NULL;
  g_autoptr(JsonNode) last_node = NULL;

  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpuint (n_lines, >, 10);
  g_assert_cmpstr (lines[n_lines - 1], ==, "");
  for (guint i = 0; i + 1 < n_lines; i++)
    {
      g_autoptr(JsonNode) node = parse_json (lines[i], -1, NULL);
      JsonObject *o;

      g_assert_nonnull (node);
      o = json_node_get_object (node);
      g_string_append (text, json_object_get_string_member (json_object_get_object_member (o, "message"), "content"));
      if (json_object_get_boolean_member (o, "done"))
        {
          g_assert_cmpuint (i, ==, n_lines - 2);
          last_node = json_node_ref (node);
        }
    }
  g_assert_nonnull (last_node);
  last = json_node_get_object (last_node);
  g_assert_cmpstr (json_object_get_string_member (last, "done_reason"), ==, "stop");
  g_assert_cmpint (json_object_get_int_member (last, "prompt_eval_count"), ==, (strlen (body) + 3) / 4);
  g_assert_cmpint (json_object_get_int_member (last, "eval_count"), >, 100);
  d = parse_json (text->str, -1, NULL);
  g_assert_nonnull (d);
  assert_valid (support_schema, d);
}

/* --- HTTP faults --- */

static guint
post_status (Fixture             *f,
             const char          *model,
             const char          *auth,
             SoupMessageHeaders **headers,
             JsonNode           **error_out)
{
  g_autofree char *body = chat_body (model, support_system, problem, support_schema, 1, TRUE);
  g_autofree char *url = g_strconcat (f->base_url, "/chat/completions", NULL);
  guint status = 0;
  g_autoptr(GBytes) bytes = fetch_full (f, "POST", url, body, auth, &status, headers);

  if (error_out && status != 200)
    {
      gsize len;
      const char *data = g_bytes_get_data (bytes, &len);
      g_autoptr(JsonNode) node = parse_json (data, len, NULL);

      g_assert_nonnull (node);
      *error_out = json_node_copy (json_object_get_member (json_node_get_object (node), "error"));
    }
  return status;
}

static const char *
error_code (JsonNode *error)
{
  JsonObject *o = json_node_get_object (error);

  return json_object_get_null_member (o, "code") ? NULL : json_object_get_string_member (o, "code");
}

static void
test_fault_http (Fixture       *f,
                 gconstpointer  data)
{
  SoupMessageHeaders *h = NULL;
  JsonNode *err = NULL;

  /* 429once: first 429 with retry hints and rate-limit headers, then OK. */
  g_assert_cmpuint (post_status (f, "demo-a+429once", NULL, &h, &err), ==, 429);
  g_assert_cmpstr (soup_message_headers_get_one (h, "retry-after"), ==, "1");
  g_assert_cmpstr (soup_message_headers_get_one (h, "x-ratelimit-remaining-requests"), ==, "0");
  g_assert_nonnull (soup_message_headers_get_one (h, "x-ratelimit-reset-requests"));
  g_assert_cmpstr (error_code (err), ==, "rate_limit_exceeded");
  g_clear_pointer (&h, soup_message_headers_unref);
  g_clear_pointer (&err, json_node_unref);
  g_assert_cmpuint (post_status (f, "demo-a+429once", NULL, &h, NULL), ==, 200);
  g_assert_nonnull (soup_message_headers_get_one (h, "x-ratelimit-limit-requests"));
  g_clear_pointer (&h, soup_message_headers_unref);
  /* The counter is per full model name. */
  g_assert_cmpuint (post_status (f, "demo-b+429once", NULL, NULL, NULL), ==, 429);
  /* ... and reset() re-arms it. */
  cs_test_provider_reset (f->provider);
  g_assert_cmpuint (post_status (f, "demo-a+429once", NULL, NULL, NULL), ==, 429);

  g_assert_cmpuint (post_status (f, "demo+429ms", NULL, &h, NULL), ==, 429);
  g_assert_cmpstr (soup_message_headers_get_one (h, "retry-after-ms"), ==, "200");
  g_clear_pointer (&h, soup_message_headers_unref);

  g_assert_cmpuint (post_status (f, "demo+429", NULL, NULL, NULL), ==, 429);
  g_assert_cmpuint (post_status (f, "demo+429", NULL, &h, NULL), ==, 429);
  g_assert_cmpstr (soup_message_headers_get_one (h, "retry-after"), ==, "1");
  g_clear_pointer (&h, soup_message_headers_unref);

  g_assert_cmpuint (post_status (f, "demo+quota", NULL, &h, &err), ==, 429);
  g_assert_cmpstr (error_code (err), ==, "insufficient_quota");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (err), "type"), ==, "insufficient_quota");
  g_assert_null (soup_message_headers_get_one (h, "retry-after"));
  g_clear_pointer (&h, soup_message_headers_unref);
  g_clear_pointer (&err, json_node_unref);

  g_assert_cmpuint (post_status (f, "demo+500once", NULL, NULL, NULL), ==, 500);
  g_assert_cmpuint (post_status (f, "demo+500once", NULL, NULL, NULL), ==, 200);
  g_assert_cmpuint (post_status (f, "demo+503once", NULL, NULL, NULL), ==, 503);
  g_assert_cmpuint (post_status (f, "demo+503once", NULL, NULL, NULL), ==, 200);
  g_assert_cmpuint (post_status (f, "demo+500", NULL, NULL, NULL), ==, 500);
  g_assert_cmpuint (post_status (f, "demo+500", NULL, NULL, NULL), ==, 500);
  g_assert_cmpuint (post_status (f, "demo+503", NULL, NULL, &err), ==, 503);
  g_clear_pointer (&err, json_node_unref);
  g_assert_cmpuint (post_status (f, "demo+400", NULL, NULL, &err), ==, 400);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (err), "type"), ==, "invalid_request_error");
  g_clear_pointer (&err, json_node_unref);
  g_assert_cmpuint (post_status (f, "demo+404", NULL, NULL, &err), ==, 404);
  g_assert_cmpstr (error_code (err), ==, "model_not_found");
  g_clear_pointer (&err, json_node_unref);

  /* Counters. */
  g_assert_cmpuint (cs_test_provider_get_request_count (f->provider, "demo+500once"), ==, 2);
  g_assert_cmpuint (cs_test_provider_get_request_count (f->provider, "demo+429"), ==, 2);
  g_assert_cmpuint (cs_test_provider_get_request_count (f->provider, "nothing"), ==, 0);

  /* Not JSON at all. */
  {
    guint status = 0;

    g_free (fetch (f, "/v1/chat/completions", "{not json", &status));
    g_assert_cmpuint (status, ==, 400);
  }
}

static void
test_required_key (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GPtrArray) requests = NULL;
  JsonNode *err = NULL;

  cs_test_provider_set_required_key (f->provider, "sk-test-ABCDEF123456");
  g_assert_cmpuint (post_status (f, "demo", NULL, NULL, &err), ==, 401);
  g_assert_cmpstr (error_code (err), ==, "invalid_api_key");
  g_clear_pointer (&err, json_node_unref);
  g_assert_cmpuint (post_status (f, "demo", "Bearer wrong", NULL, NULL), ==, 401);
  g_assert_cmpuint (post_status (f, "demo", "Bearer sk-test-ABCDEF123456", NULL, NULL), ==, 200);

  requests = cs_test_provider_get_requests (f->provider);
  g_assert_cmpuint (requests->len, ==, 3);
  g_assert_cmpuint (cs_test_provider_get_request_count (f->provider, NULL), ==, 3);
  g_assert_cmpuint (cs_test_provider_get_request_count (f->provider, "demo"), ==, 3);
  for (guint i = 0; i < requests->len; i++)
    {
      JsonObject *o = json_node_get_object (g_ptr_array_index (requests, i));
      JsonObject *body = json_object_get_object_member (o, "body");
      g_autofree char *text = json_to_string (g_ptr_array_index (requests, i), FALSE);

      g_assert_cmpstr (json_object_get_string_member (o, "path"), ==, "/v1/chat/completions");
      g_assert_cmpstr (json_object_get_string_member (o, "model"), ==, "demo");
      g_assert_cmpstr (json_object_get_string_member (o, "authorization"), ==, i == 0 ? "absent" : "present");
      g_assert_true (json_object_get_boolean_member (body, "stream"));
      /* The key is never recorded. */
      g_assert_null (strstr (text, "ABCDEF"));
    }

  /* Ollama's native routes take no key. */
  {
    guint status = 0;
    g_autofree char *raw = fetch (f, "/api/chat", "{\"model\":\"demo-local\",\"stream\":false,\"messages\":[]}", &status);

    g_assert_cmpuint (status, ==, 200);
    g_assert_nonnull (strstr (raw, "\"done\":true"));
  }

  cs_test_provider_reset (f->provider);
  g_clear_pointer (&requests, g_ptr_array_unref);
  requests = cs_test_provider_get_requests (f->provider);
  g_assert_cmpuint (requests->len, ==, 0);
  g_assert_cmpuint (cs_test_provider_get_request_count (f->provider, "demo"), ==, 0);
}

/* --- stream faults --- */

static void
test_fault_stream_end (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(ChatResult) err = chat (f, "demo+streamerror", support_system, problem, support_schema, 1, NULL, NULL);
  g_autoptr(ChatResult) trunc = chat (f, "demo+truncate", support_system, problem, support_schema, 2, NULL, NULL);
  g_autoptr(ChatResult) plain = chat (f, "demo", support_system, problem, support_schema, 2, NULL, NULL);

  g_assert_nonnull (err->error);
  g_assert_cmpstr (error_code (err->error), ==, "overloaded");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (err->error), "message"), ==, "The model overloaded");
  g_assert_false (err->done);
  g_assert_null (err->finish[0]);
  g_assert_cmpuint (err->content[0]->len, >, 0);

  g_assert_false (trunc->done);
  g_assert_null (trunc->error);
  g_assert_null (trunc->usage);
  g_assert_null (trunc->finish[0]);
  g_assert_null (trunc->finish[1]);
  g_assert_cmpuint (trunc->content[0]->len, >, 0);
  /* A prefix of the full answer. */
  g_assert_true (g_str_has_prefix (plain->content[0]->str, trunc->content[0]->str));
  g_assert_cmpuint (trunc->content[0]->len, <, plain->content[0]->len);
}

static void
test_fault_content (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(ChatResult) malformed = chat (f, "demo+malformed", support_system, problem, support_schema, 1, NULL, NULL);
  g_autoptr(ChatResult) invalid = chat (f, "demo+invalid", support_system, problem, support_schema, 1, NULL, NULL);
  g_autoptr(ChatResult) arch_invalid = chat (f, "demo+invalid", architect_system, problem, architect_schema, 1, NULL, NULL);
  g_autoptr(ChatResult) once1 = chat (f, "demo+invalidonce", support_system, problem, support_schema, 1, NULL, NULL);
  g_autoptr(ChatResult) once2 = chat (f, "demo+invalidonce", support_system, "repair: missing steps", support_schema, 1, NULL, NULL);
  g_autoptr(ChatResult) length = chat (f, "demo+length", support_system, problem, support_schema, 1, NULL, NULL);
  g_autoptr(ChatResult) refuse = chat (f, "demo+refuse", support_system, problem, support_schema, 1, NULL, NULL);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GString) err = g_string_new (NULL);

  g_assert_true (malformed->done);
  g_assert_cmpstr (malformed->finish[0], ==, "stop");
  node = parse_json (malformed->content[0]->str, -1, NULL);
  g_assert_null (node);

  node = parse_json (invalid->content[0]->str, -1, NULL);
  g_assert_nonnull (node);
  g_assert_false (json_object_has_member (json_node_get_object (node), "steps"));
  g_assert_false (validate (support_schema, node, "$", err));
  g_clear_pointer (&node, json_node_unref);

  node = parse_json (arch_invalid->content[0]->str, -1, NULL);
  g_assert_nonnull (node);
  g_assert_false (json_object_has_member (json_node_get_object (node), "components"));
  g_clear_pointer (&node, json_node_unref);

  node = parse_json (once1->content[0]->str, -1, NULL);
  g_assert_false (validate (support_schema, node, "$", err));
  g_clear_pointer (&node, json_node_unref);
  node = parse_json (once2->content[0]->str, -1, NULL);
  assert_valid (support_schema, node);
  g_clear_pointer (&node, json_node_unref);

  g_assert_true (length->done);
  g_assert_cmpstr (length->finish[0], ==, "length");
  node = parse_json (length->content[0]->str, -1, NULL);
  g_assert_null (node);
  g_assert_cmpuint (length->content[0]->len, >, 100);

  g_assert_true (refuse->done);
  g_assert_cmpstr (refuse->finish[0], ==, "stop");
  g_assert_true (refuse->null_content[0]);
  g_assert_cmpuint (refuse->content[0]->len, ==, 0);
  g_assert_true (g_str_has_prefix (refuse->refusal[0]->str, "I'm sorry"));
}

static void
test_fault_framing (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *raw_crlf = NULL;
  g_autofree char *raw_comments = NULL;
  g_autofree char *raw_plain = NULL;
  g_autoptr(ChatResult) plain = chat (f, "demo", architect_system, problem, architect_schema, 1, NULL, &raw_plain);
  g_autoptr(ChatResult) crlf = chat (f, "demo+crlf", architect_system, problem, architect_schema, 1, NULL, &raw_crlf);
  g_autoptr(ChatResult) comments = chat (f, "demo+comments", architect_system, problem, architect_schema, 1, NULL, &raw_comments);
  g_autoptr(ChatResult) nousage = chat (f, "demo+nostream_usage", architect_system, problem, architect_schema, 1, NULL, NULL);

  g_assert_null (strstr (raw_plain, "\r"));
  g_assert_cmpuint (plain->comments, ==, 0);

  /* Every line end is CRLF. */
  g_assert_nonnull (strstr (raw_crlf, "\r\n\r\n"));
  for (const char *p = raw_crlf; *p; p++)
    if (*p == '\n')
      g_assert_true (p > raw_crlf && p[-1] == '\r');
  g_assert_true (crlf->done);
  g_assert_cmpstr (crlf->content[0]->str, ==, plain->content[0]->str);

  g_assert_true (g_str_has_prefix (raw_comments, ": OPENROUTER PROCESSING\n"));
  g_assert_nonnull (strstr (raw_comments, "\n: keep-alive\n"));
  g_assert_cmpuint (comments->comments, >, 2);
  g_assert_cmpstr (comments->content[0]->str, ==, plain->content[0]->str);

  g_assert_true (nousage->done);
  g_assert_null (nousage->usage);
  g_assert_cmpstr (nousage->finish[0], ==, "stop");
}

typedef struct {
  GInputStream *stream;
  GString      *data;
  guint         reads;
  gboolean      eof;
  GError       *error;
  GCancellable *cancellable;
  char          buf[4096];
  gboolean      pending;
} Reader;

static void
reader_read_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Reader *rd = user_data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &rd->error);

  rd->pending = FALSE;
  if (n > 0)
    {
      g_string_append_len (rd->data, rd->buf, n);
      rd->reads++;
    }
  else if (n == 0)
    rd->eof = TRUE;
}

static void
reader_next (Reader *rd)
{
  rd->pending = TRUE;
  g_input_stream_read_async (rd->stream, rd->buf, sizeof rd->buf, G_PRIORITY_DEFAULT,
                             rd->cancellable, reader_read_cb, rd);
}

static GInputStream *
open_stream (Fixture       *f,
             const char    *model,
             GCancellable  *cancellable,
             guint         *status)
{
  g_autofree char *body = chat_body (model, support_system, problem, support_schema, 1, TRUE);
  g_autofree char *url = g_strconcat (f->base_url, "/chat/completions", NULL);
  g_autoptr(SoupMessage) msg = message_new ("POST", url, body, NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GInputStream *stream;

  soup_session_send_async (f->session, msg, G_PRIORITY_DEFAULT, cancellable, got_result, &result);
  stream = soup_session_send_finish (f->session, wait_result (&result), &error);
  g_assert_no_error (error);
  *status = soup_message_get_status (msg);
  return stream;
}

static void
test_fault_bytewise (Fixture       *f,
                     gconstpointer  data)
{
  Reader rd = { 0 };
  guint status = 0;
  g_autoptr(ChatResult) parsed = NULL;
  /* A short stream (a refusal): every byte costs a main-loop iteration here. */
  g_autoptr(ChatResult) plain = chat (f, "demo+refuse", support_system, problem, support_schema, 1, NULL, NULL);

  rd.data = g_string_new (NULL);
  rd.stream = open_stream (f, "demo+refuse+bytewise", NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  while (!rd.eof && rd.error == NULL)
    {
      reader_next (&rd);
      while (rd.pending)
        g_main_context_iteration (NULL, TRUE);
    }
  g_assert_no_error (rd.error);
  /* One byte per HTTP chunk: (nearly) one byte per read. */
  g_assert_cmpuint (rd.reads, >, rd.data->len / 2);
  parsed = chat_parse (rd.data->str);
  g_assert_true (parsed->done);
  g_assert_nonnull (parsed->usage);
  g_assert_cmpuint (parsed->refusal[0]->len, >, 10);
  g_assert_cmpstr (parsed->refusal[0]->str, ==, plain->refusal[0]->str);
  g_object_unref (rd.stream);
  g_string_free (rd.data, TRUE);
}

static void
test_fault_big (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(ChatResult) big = chat (f, "demo+big", architect_system, problem, architect_schema, 1, NULL, NULL);
  g_autoptr(JsonNode) node = parse_json (big->content[0]->str, -1, NULL);

  g_assert_true (big->done);
  g_assert_cmpuint (big->content[0]->len, >, 6000000);
  g_assert_nonnull (node);
  assert_valid (architect_schema, node);
}

static void
test_fault_slow (Fixture       *f,
                 gconstpointer  data)
{
  gint64 start = g_get_monotonic_time ();
  g_autoptr(ChatResult) fast = chat (f, "demo", support_system, problem, support_schema, 1, NULL, NULL);
  gint64 fast_us = g_get_monotonic_time () - start;
  g_autoptr(ChatResult) slow = NULL;
  gint64 slow_us;

  start = g_get_monotonic_time ();
  slow = chat (f, "demo+slow=15", support_system, problem, support_schema, 1, NULL, NULL);
  slow_us = g_get_monotonic_time () - start;

  g_assert_true (slow->done);
  g_assert_cmpstr (slow->content[0]->str, ==, fast->content[0]->str);
  /* At least ten ticks of 15 ms. */
  g_assert_cmpint (slow_us, >, 150 * 1000);
  g_assert_cmpint (slow_us, >, fast_us);
}

static guint
count_events (const char *raw)
{
  guint n = 0;

  for (const char *p = strstr (raw, "\n\n"); p != NULL; p = strstr (p + 2, "\n\n"))
    n++;
  return n;
}

/* silence: headers and one delta, then nothing; other requests are served
 * meanwhile, and the client can go away. */
static void
test_fault_silence (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Reader rd = { 0 };
  guint status = 0;
  gint64 start;

  rd.data = g_string_new (NULL);
  rd.cancellable = cancellable;
  rd.stream = open_stream (f, "demo+silence", cancellable, &status);
  g_assert_cmpuint (status, ==, 200);

  /* Read until the role chunk and one content delta arrived. */
  start = g_get_monotonic_time ();
  while (count_events (rd.data->str) < 2)
    {
      reader_next (&rd);
      while (rd.pending)
        g_main_context_iteration (NULL, TRUE);
      g_assert_no_error (rd.error);
      g_assert_false (rd.eof);
      g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * slack * G_USEC_PER_SEC);
    }
  g_assert_cmpuint (count_events (rd.data->str), ==, 2);
  g_assert_nonnull (strstr (rd.data->str, "\"role\":\"assistant\""));

  /* Then silence. */
  reader_next (&rd);
  spin (300);
  g_assert_true (rd.pending);

  /* The server still answers. */
  {
    guint st = 0;
    g_autofree char *models = fetch (f, "/v1/models", NULL, &st);

    g_assert_cmpuint (st, ==, 200);
    g_assert_nonnull (strstr (models, "demo-alpha"));
  }
  g_assert_true (rd.pending);

  g_cancellable_cancel (cancellable);
  while (rd.pending)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (rd.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&rd.error);
  g_object_unref (rd.stream);
  g_string_free (rd.data, TRUE);
}

static void
test_fault_hang (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *body = chat_body ("demo+hang", support_system, problem, support_schema, 1, TRUE);
  g_autofree char *url = g_strconcat (f->base_url, "/chat/completions", NULL);
  g_autoptr(SoupMessage) msg = message_new ("POST", url, body, NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) stream = NULL;

  soup_session_send_async (f->session, msg, G_PRIORITY_DEFAULT, cancellable, got_result, &result);
  spin (300);
  g_assert_null (result);

  {
    guint st = 0;
    g_autofree char *models = fetch (f, "/v1/models", NULL, &st);

    g_assert_cmpuint (st, ==, 200);
    g_assert_nonnull (strstr (models, "demo-alpha"));
  }
  g_assert_null (result);
  g_assert_cmpuint (cs_test_provider_get_request_count (f->provider, "demo+hang"), ==, 1);

  g_cancellable_cancel (cancellable);
  stream = soup_session_send_finish (f->session, wait_result (&result), &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (stream);
}

/* The providers.ini that --write-config writes loads with the engine's
 * config parser and covers the three dialects. */
static gboolean
set_flag (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Started on a thread-default context other than the global one, the
 * provider streams on that context only: its tick timers must not land on
 * the global default context, which nobody iterates here. */
static void
test_own_context (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(CsTestProvider) provider = NULL;
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSource) timeout = NULL;
  g_autofree char *base = NULL;
  g_autofree char *url = NULL;
  g_autofree char *body = NULL;
  g_autofree char *text = NULL;
  gboolean timed_out = FALSE;

  g_main_context_push_thread_default (context);
  provider = cs_test_provider_new ();
  g_assert_true (cs_test_provider_start (provider, 0, &error));
  g_assert_no_error (error);
  session = soup_session_new ();
  base = cs_test_provider_dup_base_url (provider);
  url = g_strconcat (base, "/chat/completions", NULL);
  body = chat_body ("demo-alpha+slow=5", support_system, problem, NULL, 1, TRUE);
  msg = message_new ("POST", url, body, NULL);

  timeout = g_timeout_source_new_seconds (20);
  g_source_set_callback (timeout, set_flag, &timed_out, NULL);
  g_source_attach (timeout, context);

  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, got_result, &result);
  while (result == NULL && !timed_out)
    g_main_context_iteration (context, TRUE);
  g_source_destroy (timeout);
  g_assert_false (timed_out);
  bytes = soup_session_send_and_read_finish (session, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_assert_nonnull (strstr (text, "data: [DONE]"));

  g_clear_object (&session);
  g_clear_object (&provider);
  while (g_main_context_iteration (context, FALSE))
    ;
  g_main_context_pop_thread_default (context);
}

static void
test_config (void)
{
  g_autofree char *text = cs_test_provider_build_config (4321);
  g_autoptr(GError) error = NULL;
  g_autoptr(CsConfig) config = cs_config_new_from_data (text, "demo.ini", &error);
  const CsProviderConfig *demo;
  const CsProviderConfig *ollama;
  const CsProviderConfig *responses;
  const CsModelConfig *alpha;

  g_assert_no_error (error);
  g_assert_nonnull (config);
  demo = cs_config_find_provider (config, "demo");
  g_assert_nonnull (demo);
  g_assert_cmpstr (demo->base_url, ==, "http://127.0.0.1:4321/v1");
  g_assert_cmpint (demo->api, ==, CS_API_OPENAI_CHAT);
  g_assert_true (demo->key_optional);
  g_assert_true (g_strv_contains ((const char * const *) demo->models, "demo-judge"));
  g_assert_cmpuint (demo->max_concurrent, ==, 8);
  ollama = cs_config_find_provider (config, "demo-ollama");
  g_assert_nonnull (ollama);
  g_assert_cmpstr (ollama->base_url, ==, "http://127.0.0.1:4321");
  g_assert_cmpint (ollama->api, ==, CS_API_OLLAMA);
  responses = cs_config_find_provider (config, "demo-responses");
  g_assert_nonnull (responses);
  g_assert_cmpint (responses->api, ==, CS_API_OPENAI_RESPONSES);
  alpha = cs_config_find_model (config, "demo/demo-alpha");
  g_assert_nonnull (alpha);
  g_assert_cmpuint (alpha->max_n, ==, 4);
  g_assert_cmpfloat (alpha->price_input, ==, 0.60);
  g_assert_cmpint (alpha->structured, ==, CS_STRUCTURED_JSON_SCHEMA);
}

/* --- standalone program --- */

static void
test_standalone (void)
{
  const char *program = g_getenv ("CONSILIUM_TEST_PROVIDER");
  g_autofree char *built = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *port_file = NULL;
  g_autofree char *config_file = NULL;
  g_autofree char *port_text = NULL;
  g_autofree char *config = NULL;
  g_autofree char *out = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *url = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonNode) node = NULL;
  Fixture f = { 0 };
  guint64 port = 0;
  guint status = 0;
  gsize len;
  const char *data;

  if (program == NULL)
    program = built = g_test_build_filename (G_TEST_BUILT, "consilium-test-provider", NULL);

  dir = g_dir_make_tmp ("test-provider-XXXXXX", &error);
  g_assert_no_error (error);
  port_file = g_build_filename (dir, "port", NULL);
  config_file = g_build_filename (dir, "providers.ini", NULL);

  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, program,
                           "--port-file", port_file, "--write-config", config_file,
                           "--require-key", "sk-standalone", "--delay-ms", "0", NULL);
  g_assert_no_error (error);

  /* the port file appears once the server listens (written whole, after
   * the config) */
  {
    gint64 end = g_get_monotonic_time () + 30 * slack * G_USEC_PER_SEC;

    while (!g_file_test (port_file, G_FILE_TEST_EXISTS) && g_get_monotonic_time () < end)
      g_usleep (10 * 1000);
  }
  g_file_get_contents (port_file, &port_text, NULL, &error);
  g_assert_no_error (error);
  g_strstrip (port_text);
  g_assert_true (g_ascii_string_to_unsigned (port_text, 10, 1, 65535, &port, NULL));

  /* The config is a valid key file pointing at the server. */
  g_assert_true (g_key_file_load_from_file (kf, config_file, G_KEY_FILE_NONE, &error));
  g_assert_no_error (error);
  config = g_key_file_get_string (kf, "provider demo", "base-url", &error);
  g_assert_no_error (error);
  expected = g_strdup_printf ("http://127.0.0.1:%" G_GUINT64_FORMAT "/v1", port);
  g_assert_cmpstr (config, ==, expected);
  g_assert_true (g_key_file_has_group (kf, "provider demo-ollama"));
  g_assert_true (g_key_file_has_group (kf, "model demo/demo-alpha"));
  g_clear_pointer (&config, g_free);
  config = g_key_file_get_string (kf, "provider demo-ollama", "api", &error);
  g_assert_cmpstr (config, ==, "ollama");

  f.session = session;
  url = g_strdup_printf ("http://127.0.0.1:%" G_GUINT64_FORMAT "/v1/models", port);
  bytes = fetch_full (&f, "GET", url, NULL, NULL, &status, NULL);
  g_assert_cmpuint (status, ==, 401);
  g_clear_pointer (&bytes, g_bytes_unref);
  bytes = fetch_full (&f, "GET", url, NULL, "Bearer sk-standalone", &status, NULL);
  g_assert_cmpuint (status, ==, 200);
  data = g_bytes_get_data (bytes, &len);
  node = parse_json (data, len, NULL);
  g_assert_nonnull (node);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "object"), ==, "list");

  g_subprocess_send_signal (proc, SIGTERM);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("Consilium test provider (synthetic answers) listening on http://127.0.0.1:%" G_GUINT64_FORMAT "\n", port);
  g_assert_cmpstr (out, ==, expected);

  g_unlink (port_file);
  g_unlink (config_file);
  g_rmdir (dir);
}

static void
test_help (void)
{
  const char *program = g_getenv ("CONSILIUM_TEST_PROVIDER");
  g_autofree char *built = NULL;
  g_autofree char *out = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;

  if (program == NULL)
    program = built = g_test_build_filename (G_TEST_BUILT, "consilium-test-provider", NULL);
  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, program, "--help", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (out, "--port-file"));
  g_assert_nonnull (strstr (out, "429once"));
  g_assert_nonnull (strstr (out, "nostream_usage"));
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("CONSILIUM_TEST_SLOW") != NULL)
    slack = MAX (1, g_ascii_strtoll (g_getenv ("CONSILIUM_TEST_SLOW"), NULL, 10));

  architect_schema = load_schema ("architect.schema.json");
  support_schema = load_schema ("support.schema.json");

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/test-provider/urls", test_urls);
  ADD ("/test-provider/models", test_models);
  ADD ("/test-provider/chat/architect", test_chat_architect);
  ADD ("/test-provider/chat/support", test_chat_support);
  ADD ("/test-provider/chat/judge", test_chat_judge);
  ADD ("/test-provider/chat/no-schema-diversity", test_chat_no_schema_diversity);
  ADD ("/test-provider/chat/no-stream", test_chat_no_stream);
  ADD ("/test-provider/chat/reasoning", test_chat_reasoning);
  ADD ("/test-provider/responses", test_responses);
  ADD ("/test-provider/ollama", test_ollama);
  ADD ("/test-provider/fault/http", test_fault_http);
  ADD ("/test-provider/fault/required-key", test_required_key);
  ADD ("/test-provider/fault/stream-end", test_fault_stream_end);
  ADD ("/test-provider/fault/content", test_fault_content);
  ADD ("/test-provider/fault/framing", test_fault_framing);
  ADD ("/test-provider/fault/bytewise", test_fault_bytewise);
  ADD ("/test-provider/fault/big", test_fault_big);
  ADD ("/test-provider/fault/slow", test_fault_slow);
  ADD ("/test-provider/fault/silence", test_fault_silence);
  ADD ("/test-provider/fault/hang", test_fault_hang);
#undef ADD
  g_test_add_func ("/test-provider/config", test_config);
  g_test_add_func ("/test-provider/own-context", test_own_context);
  g_test_add_func ("/test-provider/standalone", test_standalone);
  g_test_add_func ("/test-provider/help", test_help);

  ret = g_test_run ();

  g_clear_pointer (&architect_schema, json_node_unref);
  g_clear_pointer (&support_schema, json_node_unref);
  return ret;
}
