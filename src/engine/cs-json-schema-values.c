/* cs-json-schema-values.c: reading, comparing and quoting JSON values for
 * the schema validator and its messages
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-json-schema"

#include "config.h"

#include <math.h>

#include "cs-json-schema-private.h"

/* ------------------------------------------------------------------------ */
/* Reading and quoting values                                                */
/* ------------------------------------------------------------------------ */

void
_cs_schema_append_quoted (GString    *out,
                          const char *str,
                          guint       max_chars)
{
  g_autofree char *valid = g_utf8_make_valid (str ? str : "", -1);
  const char *p;
  guint n = 0;

  g_string_append_c (out, '"');
  for (p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (max_chars > 0 && n++ >= max_chars)
        {
          g_string_append (out, "…");
          break;
        }

      switch (c)
        {
        case '"': g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        default:
          if (c < 0x20 || c == 0x7f)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_unichar (out, c);
        }
    }
  g_string_append_c (out, '"');
}

void
_cs_schema_append_number (GString *out,
                          double   value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (isfinite (value) && value == floor (value) && fabs (value) < 1e15)
    g_string_append_printf (out, "%" G_GINT64_FORMAT, (gint64)value);
  else
    g_string_append (out, g_ascii_formatd (buf, sizeof buf, "%.15g", value));
}

gboolean
_cs_schema_get_number (JsonNode *node,
                       double   *out,
                       gboolean *is_integer)
{
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;

  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64)
    {
      *out = (double)json_node_get_int (node);
      if (is_integer)
        *is_integer = TRUE;
      return TRUE;
    }
  if (type == G_TYPE_DOUBLE)
    {
      double d = json_node_get_double (node);

      *out = d;
      if (is_integer)
        *is_integer = isfinite (d) && d == floor (d);
      return TRUE;
    }
  return FALSE;
}

const char *
_cs_schema_type_name (JsonNode *node)
{
  if (node == NULL)
    return "nothing";

  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT: return "object";
    case JSON_NODE_ARRAY: return "array";
    case JSON_NODE_NULL: return "null";
    case JSON_NODE_VALUE:
      {
        GType type = json_node_get_value_type (node);

        if (type == G_TYPE_STRING)
          return "string";
        if (type == G_TYPE_BOOLEAN)
          return "boolean";
        if (type == G_TYPE_INT64 || type == G_TYPE_DOUBLE)
          return "number";
        return "unknown value";
      }
    default:
      return "unknown value";
    }
}

gboolean
_cs_schema_is_string (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_STRING;
}

gboolean
_cs_schema_is_boolean (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_BOOLEAN;
}

void
_cs_schema_append_value (GString  *out,
                         JsonNode *node)
{
  double d;

  if (node == NULL)
    {
      g_string_append (out, "nothing");
      return;
    }

  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT: g_string_append (out, "an object"); return;
    case JSON_NODE_ARRAY: g_string_append (out, "an array"); return;
    case JSON_NODE_NULL: g_string_append (out, "null"); return;
    case JSON_NODE_VALUE:
    default:
      break;
    }

  if (json_node_get_value_type (node) == G_TYPE_STRING)
    _cs_schema_append_quoted (out, json_node_get_string (node), MAX_QUOTE_CHARS);
  else if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
  else if (_cs_schema_get_number (node, &d, NULL))
    _cs_schema_append_number (out, d);
  else
    g_string_append (out, "an unknown value");
}

static gboolean
is_identifier (const char *key)
{
  const char *p;

  if (key == NULL || !(g_ascii_isalpha (key[0]) || key[0] == '_'))
    return FALSE;
  for (p = key; *p != '\0'; p++)
    if (!(g_ascii_isalnum (*p) || *p == '_'))
      return FALSE;
  return p - key <= MAX_QUOTE_CHARS;
}

void
_cs_schema_path_append_key (GString    *path,
                            const char *key)
{
  if (is_identifier (key))
    {
      g_string_append_c (path, '.');
      g_string_append (path, key);
    }
  else
    {
      g_string_append_c (path, '[');
      _cs_schema_append_quoted (path, key, MAX_QUOTE_CHARS);
      g_string_append_c (path, ']');
    }
}

/* ------------------------------------------------------------------------ */
/* Equality (enum, const)                                                    */
/* ------------------------------------------------------------------------ */

gboolean
_cs_schema_nodes_equal (JsonNode *a,
                        JsonNode *b,
                        guint     depth)
{
  double da, db;

  if (a == NULL || b == NULL)
    return a == b;
  if (depth > MAX_DEPTH)
    return FALSE;

  if (_cs_schema_get_number (a, &da, NULL) && _cs_schema_get_number (b, &db, NULL))
    {
      if (json_node_get_value_type (a) == G_TYPE_INT64 &&
          json_node_get_value_type (b) == G_TYPE_INT64)
        return json_node_get_int (a) == json_node_get_int (b);
      return da == db;
    }

  if (JSON_NODE_TYPE (a) != JSON_NODE_TYPE (b))
    return FALSE;

  switch (JSON_NODE_TYPE (a))
    {
    case JSON_NODE_NULL:
      return TRUE;

    case JSON_NODE_VALUE:
      if (json_node_get_value_type (a) != json_node_get_value_type (b))
        return FALSE;
      if (json_node_get_value_type (a) == G_TYPE_STRING)
        return g_strcmp0 (json_node_get_string (a), json_node_get_string (b)) == 0;
      if (json_node_get_value_type (a) == G_TYPE_BOOLEAN)
        return !json_node_get_boolean (a) == !json_node_get_boolean (b);
      return FALSE;

    case JSON_NODE_ARRAY:
      {
        JsonArray *aa = json_node_get_array (a);
        JsonArray *ab = json_node_get_array (b);
        guint n = json_array_get_length (aa);

        if (n != json_array_get_length (ab))
          return FALSE;
        for (guint i = 0; i < n; i++)
          if (!_cs_schema_nodes_equal (json_array_get_element (aa, i),
                                       json_array_get_element (ab, i), depth + 1))
            return FALSE;
        return TRUE;
      }

    case JSON_NODE_OBJECT:
      {
        JsonObject *oa = json_node_get_object (a);
        JsonObject *ob = json_node_get_object (b);
        g_autoptr(GList) members = NULL;

        if (json_object_get_size (oa) != json_object_get_size (ob))
          return FALSE;
        members = json_object_get_members (oa);
        for (const GList *l = members; l != NULL; l = l->next)
          {
            const char *key = l->data;

            if (!json_object_has_member (ob, key) ||
                !_cs_schema_nodes_equal (json_object_get_member (oa, key),
                                         json_object_get_member (ob, key), depth + 1))
              return FALSE;
          }
        return TRUE;
      }

    default:
      return FALSE;
    }
}
