/* cs-json-util.c: type-checked access to untrusted JSON
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-json-util"

#include "config.h"

#include <math.h>
#include <string.h>

#include "cs-json-util.h"

JsonNode *
cs_json_deep_copy (JsonNode *node)
{
  JsonNode *copy;

  if (node == NULL)
    return NULL;
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject *in = json_node_get_object (node);
        JsonObject *out = json_object_new ();
        g_autoptr(GList) members = json_object_get_members (in);

        for (GList *l = members; l != NULL; l = l->next)
          json_object_set_member (out, l->data, cs_json_deep_copy (json_object_get_member (in, l->data)));
        copy = json_node_alloc ();
        json_node_init_object (copy, out);
        json_object_unref (out);
        return copy;
      }
    case JSON_NODE_ARRAY:
      {
        JsonArray *in = json_node_get_array (node);
        guint n = json_array_get_length (in);
        JsonArray *out = json_array_sized_new (n);

        for (guint i = 0; i < n; i++)
          json_array_add_element (out, cs_json_deep_copy (json_array_get_element (in, i)));
        copy = json_node_alloc ();
        json_node_init_array (copy, out);
        json_array_unref (out);
        return copy;
      }
    case JSON_NODE_VALUE:
      {
        GType type = json_node_get_value_type (node);

        /* a fresh value: json_node_copy () would share it */
        if (type == G_TYPE_STRING)
          return json_node_init_string (json_node_alloc (), json_node_get_string (node));
        if (type == G_TYPE_INT64)
          return json_node_init_int (json_node_alloc (), json_node_get_int (node));
        if (type == G_TYPE_DOUBLE)
          return json_node_init_double (json_node_alloc (), json_node_get_double (node));
        if (type == G_TYPE_BOOLEAN)
          return json_node_init_boolean (json_node_alloc (), json_node_get_boolean (node));
        return json_node_init_null (json_node_alloc ());
      }
    case JSON_NODE_NULL:
    default:
      return json_node_init_null (json_node_alloc ());
    }
}

JsonObject *
cs_json_node_object (JsonNode *node)
{
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  return json_node_get_object (node);
}

const char *
cs_json_get_string (JsonObject *obj,
                    const char *key)
{
  JsonNode *node;
  const char *s;

  if (obj == NULL)
    return NULL;
  node = json_object_get_member (obj, key);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  s = json_node_get_string (node);
  return s != NULL && g_utf8_validate (s, -1, NULL) ? s : NULL;
}

const char *
cs_json_node_get_string (JsonNode   *node,
                         const char *key)
{
  return cs_json_get_string (cs_json_node_object (node), key);
}

JsonNode *
cs_json_get_array_node (JsonObject *obj,
                        const char *key)
{
  JsonNode *node;

  if (obj == NULL)
    return NULL;
  node = json_object_get_member (obj, key);
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;
  return node;
}

JsonArray *
cs_json_get_array (JsonObject *obj,
                   const char *key)
{
  JsonNode *node = cs_json_get_array_node (obj, key);

  return node != NULL ? json_node_get_array (node) : NULL;
}

JsonObject *
cs_json_get_object (JsonObject *obj,
                    const char *key)
{
  if (obj == NULL)
    return NULL;
  return cs_json_node_object (json_object_get_member (obj, key));
}

gboolean
cs_json_node_get_number (JsonNode *node,
                         double   *out)
{
  GType type;
  double v;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64)
    v = (double)json_node_get_int (node);
  else if (type == G_TYPE_DOUBLE)
    v = json_node_get_double (node);
  else
    return FALSE;
  if (!isfinite (v))
    return FALSE;
  *out = v;
  return TRUE;
}

gboolean
cs_json_get_number (JsonObject *obj,
                    const char *key,
                    double     *out)
{
  if (obj == NULL)
    return FALSE;
  return cs_json_node_get_number (json_object_get_member (obj, key), out);
}

gboolean
cs_json_get_int (JsonObject *obj,
                 const char *key,
                 gint64     *out)
{
  JsonNode *node;
  double v;

  if (obj == NULL)
    return FALSE;
  node = json_object_get_member (obj, key);
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
    {
      *out = json_node_get_int (node);
      return TRUE;
    }
  /* a double converts only inside the range (2^63 itself does not fit) */
  if (!cs_json_node_get_number (node, &v) || v >= 9223372036854775808.0 || v < -9223372036854775808.0)
    return FALSE;
  *out = (gint64)v;
  return TRUE;
}

gint64
cs_json_get_int_or (JsonObject *obj,
                    const char *key,
                    gint64      fallback)
{
  gint64 v;

  return cs_json_get_int (obj, key, &v) ? v : fallback;
}

gboolean
cs_json_get_bool (JsonObject *obj,
                  const char *key)
{
  JsonNode *node;

  if (obj == NULL)
    return FALSE;
  node = json_object_get_member (obj, key);
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_BOOLEAN && json_node_get_boolean (node);
}

JsonObject *
cs_json_array_object (JsonArray *array,
                      guint      index)
{
  if (array == NULL || index >= json_array_get_length (array))
    return NULL;
  return cs_json_node_object (json_array_get_element (array, index));
}

guint
cs_json_array_length (JsonArray *array)
{
  return array != NULL ? json_array_get_length (array) : 0;
}

char *
cs_markdown_fence (const char *text)
{
  guint longest = 0, run = 0;

  for (const char *p = text != NULL ? text : ""; *p; p++)
    {
      run = *p == '`' ? run + 1 : 0;
      longest = MAX (longest, run);
    }
  return g_strnfill (MAX (3, longest + 1), '`');
}

gsize
cs_json_fix_exponents (char *text)
{
  char *in;
  char *out;
  gboolean in_string = FALSE;

  if (text == NULL)
    return 0;

  in = out = text;
  while (*in != '\0')
    {
      if (in_string)
        {
          if (*in == '\\' && in[1] != '\0')
            {
              *out++ = *in++;
              *out++ = *in++;
              continue;
            }
          if (*in == '"')
            in_string = FALSE;
          *out++ = *in++;
          continue;
        }

      if (*in == '"')
        {
          in_string = TRUE;
          *out++ = *in++;
          continue;
        }

      if (*in == '-' || g_ascii_isdigit (*in))
        {
          /* A number token: copy it, dropping a ".0" after an exponent. */
          const char *start = in;
          gsize n = strspn (in, "0123456789+-.eE");
          gboolean exponent = memchr (start, 'e', n) != NULL || memchr (start, 'E', n) != NULL;

          if (exponent && n >= 2 && start[n - 2] == '.' && start[n - 1] == '0')
            {
              memmove (out, start, n - 2);
              out += n - 2;
            }
          else
            {
              memmove (out, start, n);
              out += n;
            }
          in += n;
          continue;
        }

      *out++ = *in++;
    }
  *out = '\0';

  return (gsize) (out - text);
}

char *
cs_json_to_string (JsonNode *node,
                   gboolean  pretty)
{
  g_autoptr(JsonGenerator) gen = NULL;
  char *text;

  g_return_val_if_fail (node != NULL, NULL);

  gen = json_generator_new ();
  json_generator_set_pretty (gen, pretty);
  json_generator_set_indent (gen, 2);
  json_generator_set_root (gen, node);
  text = json_generator_to_data (gen, NULL);
  cs_json_fix_exponents (text);
  return text;
}
