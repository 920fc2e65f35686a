/* cs-mode-reply.c: finding the JSON object in a model's reply, checking it
 * against the mode's schema, and making its Mermaid diagram safe to render
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-mode"

#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "cs-json-schema.h"
#include "cs-mode-private.h"

/* How many candidate `{` the brace scan of cs_mode_extract_json() tries. */
#define MAX_BRACE_ATTEMPTS 32
/* How many fenced blocks cs_mode_extract_json() tries. */
#define MAX_FENCE_ATTEMPTS 16

/* ------------------------------------------------------------------------ */
/* Finding the JSON in a reply                                               */
/* ------------------------------------------------------------------------ */

/* Removes <think>…</think> and <thinking>…</thinking> blocks. A reply that
 * starts inside a block (the opening tag was in the prompt template) loses
 * everything up to the first closing tag; an unclosed block runs to the end. */
static char *
strip_think_blocks (const char *text)
{
  static const char * const tags[][2] = {
    { "<think>", "</think>" },
    { "<thinking>", "</thinking>" },
  };
  g_autofree char *copy = g_strdup (text);

  for (guint t = 0; t < G_N_ELEMENTS (tags); t++)
    {
      const char *open_tag = tags[t][0];
      const char *close_tag = tags[t][1];
      GString *out = g_string_new (NULL);
      const char *p = copy;
      const char *first_open = strstr (copy, open_tag);
      const char *first_close = strstr (copy, close_tag);

      if (first_close != NULL && (first_open == NULL || first_close < first_open))
        p = first_close + strlen (close_tag);

      for (;;)
        {
          const char *open = strstr (p, open_tag);
          const char *close;

          if (open == NULL)
            {
              g_string_append (out, p);
              break;
            }
          g_string_append_len (out, p, open - p);
          close = strstr (open + strlen (open_tag), close_tag);
          if (close == NULL)
            break;
          p = close + strlen (close_tag);
        }

      g_free (copy);
      copy = g_string_free (out, FALSE);
    }

  return g_steal_pointer (&copy);
}

/* Parses @len bytes at @data; returns an object node, or NULL and sets
 * *first_error (only if not yet set) to why not. */
static JsonNode *
try_object (const char  *data,
            gsize        len,
            char       **first_error)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  node = cs_json_parse_bounded (data, (gssize)len, 0, &error);
  if (node == NULL)
    {
      if (*first_error == NULL)
        *first_error = g_strdup_printf ("The reply is not JSON: %s.", error->message);
      return NULL;
    }

  /* some models encode the object once more, as a JSON string */
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      const char *inner = json_node_get_string (node);
      g_autoptr(JsonNode) decoded = NULL;

      while (inner != NULL && g_ascii_isspace (*inner))
        inner++;
      if (inner != NULL && *inner == '{')
        decoded = cs_json_parse_bounded (inner, -1, 0, NULL);
      if (decoded != NULL && JSON_NODE_HOLDS_OBJECT (decoded))
        return g_steal_pointer (&decoded);
    }

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      if (*first_error == NULL)
        *first_error = g_strdup_printf ("The reply is JSON but not a JSON object: "
                                        "expected {…}, got %s.",
                                        JSON_NODE_HOLDS_ARRAY (node) ? "an array [...]"
                                                                     : "a single value");
      return NULL;
    }

  return g_steal_pointer (&node);
}

/* Tries each ``` fenced block whose info string is empty or json. */
static JsonNode *
try_fences (const char  *text,
            char       **first_error)
{
  const char *p = text;

  for (guint attempt = 0; attempt < MAX_FENCE_ATTEMPTS; attempt++)
    {
      const char *fence = strstr (p, "```");
      const char *info;
      const char *body;
      const char *end;
      g_autofree char *lang = NULL;

      if (fence == NULL)
        return NULL;

      info = fence + 3;
      body = strchr (info, '\n');
      if (body == NULL)
        return NULL;
      lang = g_strstrip (g_strndup (info, (gsize)(body - info)));
      body++;

      end = strstr (body, "```");
      if (end == NULL)
        end = body + strlen (body);   /* an unclosed fence runs to the end */

      if (*lang == '\0' || g_ascii_strcasecmp (lang, "json") == 0 ||
          g_ascii_strcasecmp (lang, "jsonc") == 0 || g_ascii_strcasecmp (lang, "json5") == 0)
        {
          JsonNode *node = try_object (body, (gsize)(end - body), first_error);

          if (node != NULL)
            return node;
        }

      if (*end == '\0')
        return NULL;
      p = end + 3;
    }

  return NULL;
}

/* Finds the end of the balanced {…} that starts at @start, respecting
 * strings and escapes; NULL when it never closes. */
static const char *
find_balanced_end (const char *start)
{
  gsize depth = 0;
  gboolean in_string = FALSE;

  for (const char *p = start; *p != '\0'; p++)
    {
      if (in_string)
        {
          if (*p == '\\' && p[1] != '\0')
            p++;
          else if (*p == '"')
            in_string = FALSE;
          continue;
        }

      switch (*p)
        {
        case '"':
          in_string = TRUE;
          break;
        case '{':
        case '[':
          depth++;
          break;
        case '}':
        case ']':
          if (depth > 0)
            depth--;
          if (depth == 0)
            return p + 1;
          break;
        default:
          break;
        }
    }
  return NULL;
}

/* Tries the top-level {…} blocks in order. A block that never closes ends
 * the search: the braces after it are inside it (a cut-off reply), and an
 * inner object is not the answer. */
static JsonNode *
try_braces (const char  *text,
            char       **first_error,
            gboolean    *incomplete)
{
  const char *p = text;

  for (guint attempt = 0; attempt < MAX_BRACE_ATTEMPTS; attempt++)
    {
      const char *start = strchr (p, '{');
      const char *end;
      JsonNode *node;

      if (start == NULL)
        return NULL;

      end = find_balanced_end (start);
      if (end == NULL)
        {
          *incomplete = TRUE;
          return NULL;
        }

      node = try_object (start, (gsize)(end - start), first_error);
      if (node != NULL)
        return node;
      p = end;
    }

  return NULL;
}

JsonNode *
cs_mode_extract_json (const char  *text,
                      GError     **error)
{
  g_autofree char *valid = NULL;
  g_autofree char *stripped = NULL;
  g_autofree char *first_error = NULL;
  const char *body;
  gboolean incomplete = FALSE;
  JsonNode *node;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (_cs_mode_is_blank (text))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "The reply is empty: it contains no JSON object.");
      return NULL;
    }

  valid = g_utf8_make_valid (text, -1);
  stripped = strip_think_blocks (valid);
  body = stripped;
  while (g_ascii_isspace (*body))
    body++;

  if (*body == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "The reply contains only reasoning (<think>) and no JSON object.");
      return NULL;
    }

  /* 1. the whole text */
  if (*body == '{' || *body == '[' || *body == '"')
    {
      gsize len = strlen (body);

      while (len > 0 && g_ascii_isspace (body[len - 1]))
        len--;
      if ((node = try_object (body, len, &first_error)) != NULL)
        return node;
    }

  /* 2. a fenced block */
  if ((node = try_fences (body, &first_error)) != NULL)
    return node;

  /* 3. the first top-level balanced {…} that parses */
  if ((node = try_braces (body, &first_error, &incomplete)) != NULL)
    return node;

  if (first_error != NULL)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, first_error);
  else if (incomplete)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                         "The reply is not JSON: a JSON object starts but never closes; "
                         "the reply may have been cut off.");
  else
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                         "The reply is not JSON: it contains no JSON object ({…}).");
  return NULL;
}

/* ------------------------------------------------------------------------ */
/* Mermaid                                                                   */
/* ------------------------------------------------------------------------ */

static gboolean
is_word_char (char c)
{
  return g_ascii_isalnum (c) || c == '_';
}

/* Whether a line is only the keyword closing a subgraph ("end", "end;"). */
static gboolean
closes_subgraph (const char *line,
                 gsize       len)
{
  while (len > 0 && g_ascii_isspace (*line))
    line++, len--;
  while (len > 0 && (g_ascii_isspace (line[len - 1]) || line[len - 1] == ';'))
    len--;
  return len == 3 && memcmp (line, "end", 3) == 0;
}

char *
cs_mode_sanitize_mermaid (const char *source)
{
  GString *out;
  const char *line;

  g_return_val_if_fail (source != NULL, NULL);

  out = g_string_sized_new (strlen (source) + 16);
  line = source;
  while (*line != '\0')
    {
      const char *eol = strchr (line, '\n');
      gsize len = eol != NULL ? (gsize)(eol - line) : strlen (line);
      char quote = 0;       /* inside "…" */
      int depth = 0;        /* inside […], (…), {…} */
      gboolean pipe = FALSE; /* inside an edge label |…| */

      if (closes_subgraph (line, len))
        {
          g_string_append_len (out, line, len);
        }
      else
        {
          for (gsize i = 0; i < len; i++)
            {
              char c = line[i];

              if (quote != 0)
                {
                  if (c == quote)
                    quote = 0;
                }
              else if (c == '"')
                quote = c;
              else if (c == '[' || c == '(' || c == '{')
                depth++;
              else if ((c == ']' || c == ')' || c == '}') && depth > 0)
                depth--;
              else if (c == '|' && depth == 0)
                pipe = !pipe;
              else if (depth == 0 && !pipe &&
                       (i == 0 || !is_word_char (line[i - 1])) &&
                       i + 3 <= len && memcmp (line + i, "end", 3) == 0 &&
                       (i + 3 == len || !is_word_char (line[i + 3])))
                {
                  g_string_append (out, "end_");
                  i += 2;
                  continue;
                }
              g_string_append_c (out, c);
            }
        }
      if (eol == NULL)
        break;
      g_string_append_c (out, '\n');
      line = eol + 1;
    }

  return g_string_free (out, FALSE);
}

/* Models sometimes wrap the diagram in a ```mermaid fence although the schema
 * says not to; the exporter adds its own fence, so drop that one. A node
 * called `end` is renamed (cs_mode_sanitize_mermaid()). */
static void
normalize_mermaid (JsonNode *node)
{
  JsonObject *obj = json_node_get_object (node);
  const char *mermaid = _cs_mode_string_or_null (json_object_get_member (obj, "mermaid"));
  g_autofree char *copy = NULL;
  g_autofree char *safe = NULL;
  char *body;
  char *end;

  if (mermaid == NULL)
    return;

  copy = g_strstrip (g_strdup (mermaid));
  body = copy;
  if (g_str_has_prefix (copy, "```") && strchr (copy, '\n') != NULL)
    {
      body = strchr (copy, '\n') + 1;
      end = strstr (body, "```");
      if (end != NULL)
        *end = '\0';
      g_strstrip (body);
    }
  safe = cs_mode_sanitize_mermaid (body);
  if (g_strcmp0 (safe, mermaid) != 0)
    json_object_set_string_member (obj, "mermaid", safe);
}

/* ------------------------------------------------------------------------ */
/* Checking a reply                                                          */
/* ------------------------------------------------------------------------ */

/* The value of an object's only member, when that is an object. */
static JsonNode *
single_wrapped_object (JsonNode *node)
{
  JsonObject *obj = json_node_get_object (node);
  g_autoptr(GList) members = NULL;
  JsonNode *inner;

  if (json_object_get_size (obj) != 1)
    return NULL;
  members = json_object_get_members (obj);
  inner = json_object_get_member (obj, members->data);
  return inner != NULL && JSON_NODE_HOLDS_OBJECT (inner) ? inner : NULL;
}

JsonNode *
cs_mode_parse_reply (CsMode       mode,
                     const char  *text,
                     GError     **error)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonNode *schema;

  g_return_val_if_fail (_cs_mode_is_valid (mode), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  node = cs_mode_extract_json (text, error);
  if (node == NULL)
    return NULL;

  schema = cs_mode_get_schema (mode);
  if (schema == NULL)
    {
      g_set_error_literal (error, CS_SCHEMA_ERROR, CS_SCHEMA_ERROR_BAD_SCHEMA,
                           "The schema of the mode is missing.");
      return NULL;
    }

  if (!cs_json_schema_validate (schema, node, &local_error))
    {
      JsonNode *inner = single_wrapped_object (node);

      /* {"architecture_candidate": {…}}: a wrapper around a valid answer */
      if (inner != NULL &&
          g_error_matches (local_error, CS_SCHEMA_ERROR, CS_SCHEMA_ERROR_INVALID) &&
          cs_json_schema_validate (schema, inner, NULL))
        {
          g_autoptr(JsonNode) unwrapped = json_node_copy (inner);

          g_debug ("Accepting a reply wrapped in a single-member object");
          if (mode == CS_MODE_ARCHITECT)
            normalize_mermaid (unwrapped);
          return g_steal_pointer (&unwrapped);
        }

      if (g_error_matches (local_error, CS_SCHEMA_ERROR, CS_SCHEMA_ERROR_INVALID))
        g_set_error (error, CS_SCHEMA_ERROR, CS_SCHEMA_ERROR_INVALID,
                     "The JSON object does not match the required schema: %s",
                     local_error->message);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  if (mode == CS_MODE_ARCHITECT)
    normalize_mermaid (node);

  return g_steal_pointer (&node);
}
