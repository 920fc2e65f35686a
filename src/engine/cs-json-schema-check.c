/* cs-json-schema-check.c: whether a schema is one the validator can use
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-json-schema"

#include "config.h"

#include <math.h>

#include "cs-json-schema-private.h"

static const char * const type_names[] = {
  "object", "array", "string", "number", "integer", "boolean", "null",
};

static gboolean
is_type_name (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (type_names); i++)
    if (g_strcmp0 (name, type_names[i]) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
bad_schema (GError     **error,
            GString     *spath,
            const char  *format,
            ...) G_GNUC_PRINTF (3, 4);

static gboolean
bad_schema (GError     **error,
            GString     *spath,
            const char  *format,
            ...)
{
  g_autofree char *msg = NULL;
  va_list args;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, CS_SCHEMA_ERROR, CS_SCHEMA_ERROR_BAD_SCHEMA,
               "Unusable schema at %s: %s", spath->str, msg);
  return FALSE;
}

static gboolean check_schema (JsonNode *schema, GString *spath, guint depth, GError **error);

static gboolean
check_subschema (JsonNode    *schema,
                 GString     *spath,
                 const char  *segment,
                 guint        depth,
                 GError     **error)
{
  gsize len = spath->len;
  gboolean ret;

  g_string_append_c (spath, '/');
  g_string_append (spath, segment);
  ret = check_schema (schema, spath, depth + 1, error);
  g_string_truncate (spath, len);
  return ret;
}

static gboolean
check_count (JsonObject  *obj,
             const char  *keyword,
             GString     *spath,
             GError     **error)
{
  JsonNode *node = json_object_get_member (obj, keyword);
  double d;
  gboolean is_int = FALSE;

  if (node == NULL)
    return TRUE;
  if (!_cs_schema_get_number (node, &d, &is_int) || !is_int || d < 0)
    return bad_schema (error, spath, "\"%s\" must be a non-negative integer", keyword);
  return TRUE;
}

/* "type": a type name or a non-empty array of them. */
static gboolean
check_type_keyword (JsonNode  *node,
                    GString   *spath,
                    GError   **error)
{
  if (_cs_schema_is_string (node))
    {
      if (!is_type_name (json_node_get_string (node)))
        return bad_schema (error, spath, "unknown type \"%s\"", json_node_get_string (node));
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *types = json_node_get_array (node);

      if (json_array_get_length (types) == 0)
        return bad_schema (error, spath, "\"type\" is an empty array");
      for (guint i = 0; i < json_array_get_length (types); i++)
        {
          JsonNode *t = json_array_get_element (types, i);

          if (!_cs_schema_is_string (t) || !is_type_name (json_node_get_string (t)))
            return bad_schema (error, spath, "\"type\" lists something that is not a type name");
        }
    }
  else
    return bad_schema (error, spath, "\"type\" must be a string or an array of strings");

  return TRUE;
}

/* "properties": an object of schemas. */
static gboolean
check_properties (JsonNode  *node,
                  GString   *spath,
                  guint      depth,
                  GError   **error)
{
  JsonObject *props;
  g_autoptr(GList) members = NULL;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return bad_schema (error, spath, "\"properties\" must be an object");
  props = json_node_get_object (node);
  members = json_object_get_members (props);
  for (const GList *l = members; l != NULL; l = l->next)
    {
      gsize len = spath->len;
      gboolean ok;

      g_string_append (spath, "/properties/");
      g_string_append (spath, l->data);
      ok = check_schema (json_object_get_member (props, l->data), spath, depth + 1, error);
      g_string_truncate (spath, len);
      if (!ok)
        return FALSE;
    }

  return TRUE;
}

/* "required": an array of strings. */
static gboolean
check_required (JsonNode  *node,
                GString   *spath,
                GError   **error)
{
  JsonArray *req;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    return bad_schema (error, spath, "\"required\" must be an array of strings");
  req = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (req); i++)
    if (!_cs_schema_is_string (json_array_get_element (req, i)))
      return bad_schema (error, spath, "\"required\" must be an array of strings");

  return TRUE;
}

/* "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum": finite
 * numbers (the exclusive ones may be draft 4's booleans). */
static gboolean
check_bounds (JsonObject  *obj,
              GString     *spath,
              GError     **error)
{
  static const char * const bounds[] = { "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum" };

  for (guint i = 0; i < G_N_ELEMENTS (bounds); i++)
    {
      JsonNode *node = json_object_get_member (obj, bounds[i]);
      double d;

      if (node == NULL)
        continue;
      /* draft 4 wrote exclusiveMinimum/Maximum as booleans */
      if (i >= 2 && _cs_schema_is_boolean (node))
        continue;
      if (!_cs_schema_get_number (node, &d, NULL) || !isfinite (d))
        return bad_schema (error, spath, "\"%s\" must be a number", bounds[i]);
    }

  return TRUE;
}

/* "anyOf": a non-empty array of schemas. */
static gboolean
check_any_of (JsonNode  *node,
              GString   *spath,
              guint      depth,
              GError   **error)
{
  JsonArray *alts;

  if (!JSON_NODE_HOLDS_ARRAY (node) || json_array_get_length (json_node_get_array (node)) == 0)
    return bad_schema (error, spath, "\"anyOf\" must be a non-empty array of schemas");
  alts = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (alts); i++)
    {
      g_autofree char *segment = g_strdup_printf ("anyOf/%u", i);

      if (!check_subschema (json_array_get_element (alts, i), spath, segment, depth, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
check_schema (JsonNode  *schema,
              GString   *spath,
              guint      depth,
              GError   **error)
{
  JsonObject *obj;
  JsonNode *node;

  if (depth > MAX_DEPTH)
    return bad_schema (error, spath, "nested deeper than %d levels", MAX_DEPTH);

  if (schema == NULL)
    return bad_schema (error, spath, "no schema");

  if (_cs_schema_is_boolean (schema))
    return TRUE;

  if (!JSON_NODE_HOLDS_OBJECT (schema))
    return bad_schema (error, spath, "a schema must be an object or a boolean, not %s",
                       _cs_schema_type_name (schema));

  obj = json_node_get_object (schema);

  if ((node = json_object_get_member (obj, "type")) != NULL &&
      !check_type_keyword (node, spath, error))
    return FALSE;

  if ((node = json_object_get_member (obj, "properties")) != NULL &&
      !check_properties (node, spath, depth, error))
    return FALSE;

  if ((node = json_object_get_member (obj, "required")) != NULL &&
      !check_required (node, spath, error))
    return FALSE;

  if ((node = json_object_get_member (obj, "additionalProperties")) != NULL &&
      !check_subschema (node, spath, "additionalProperties", depth, error))
    return FALSE;

  if ((node = json_object_get_member (obj, "items")) != NULL)
    {
      if (JSON_NODE_HOLDS_ARRAY (node))
        return bad_schema (error, spath, "\"items\" as an array (tuple validation) is not supported");
      if (!check_subschema (node, spath, "items", depth, error))
        return FALSE;
    }

  if ((node = json_object_get_member (obj, "enum")) != NULL &&
      !JSON_NODE_HOLDS_ARRAY (node))
    return bad_schema (error, spath, "\"enum\" must be an array");

  if (!check_count (obj, "minItems", spath, error) ||
      !check_count (obj, "maxItems", spath, error) ||
      !check_count (obj, "minLength", spath, error) ||
      !check_count (obj, "maxLength", spath, error) ||
      !check_bounds (obj, spath, error))
    return FALSE;

  if ((node = json_object_get_member (obj, "anyOf")) != NULL &&
      !check_any_of (node, spath, depth, error))
    return FALSE;

  return TRUE;
}

gboolean
_cs_schema_check (JsonNode  *schema,
                  GError   **error)
{
  g_autoptr(GString) spath = g_string_new ("#");

  return check_schema (schema, spath, 0, error);
}
