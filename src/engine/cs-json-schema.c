/* cs-json-schema.c: a JSON Schema validator for model replies
 *
 * The validator; the check of the schema itself is in
 * cs-json-schema-check.c, the value helpers in cs-json-schema-values.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-json-schema"

#include "config.h"

#include <math.h>
#include <string.h>

#include "cs-json-schema-private.h"

/* How many problems one error message reports. */
#define MAX_PROBLEMS 5
/* How many enum values an error message lists. */
#define MAX_ENUM_LISTED 20

G_DEFINE_QUARK (cs-schema-error-quark, cs_schema_error)

/* ------------------------------------------------------------------------ */
/* Validating an instance                                                    */
/* ------------------------------------------------------------------------ */

typedef struct
{
  GString   *path;      /* "$.steps[2]" while visiting that node */
  GPtrArray *problems;  /* "path: message", at most MAX_PROBLEMS */
  guint      more;      /* how many further problems were found */
} Validator;

static gboolean
validator_full (Validator *v)
{
  return v->problems->len >= MAX_PROBLEMS;
}

static void
problem (Validator  *v,
         const char *format,
         ...) G_GNUC_PRINTF (2, 3);

static void
problem (Validator  *v,
         const char *format,
         ...)
{
  g_autofree char *msg = NULL;
  va_list args;

  if (validator_full (v))
    {
      v->more++;
      return;
    }

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);

  g_ptr_array_add (v->problems, g_strdup_printf ("%s: %s", v->path->str, msg));
}

static gboolean
type_matches (const char *type,
              JsonNode   *instance)
{
  JsonNodeType nt = JSON_NODE_TYPE (instance);
  gboolean is_int = FALSE;
  double d;

  if (g_str_equal (type, "object"))
    return nt == JSON_NODE_OBJECT;
  if (g_str_equal (type, "array"))
    return nt == JSON_NODE_ARRAY;
  if (g_str_equal (type, "null"))
    return nt == JSON_NODE_NULL;
  if (g_str_equal (type, "string"))
    return _cs_schema_is_string (instance);
  if (g_str_equal (type, "boolean"))
    return _cs_schema_is_boolean (instance);
  if (g_str_equal (type, "number"))
    return _cs_schema_get_number (instance, &d, NULL) && isfinite (d);
  if (g_str_equal (type, "integer"))
    return _cs_schema_get_number (instance, &d, &is_int) && is_int;
  return FALSE;
}

/* Checks "type"; on mismatch reports "expected string or null, got number". */
static gboolean
check_type (Validator  *v,
            JsonNode   *type_node,
            JsonNode   *instance)
{
  g_autoptr(GString) expected = NULL;
  JsonArray *types;
  guint n;

  if (type_node == NULL)
    return TRUE;

  if (_cs_schema_is_string (type_node))
    {
      if (type_matches (json_node_get_string (type_node), instance))
        return TRUE;
      problem (v, "expected %s, got %s", json_node_get_string (type_node),
               _cs_schema_type_name (instance));
      return FALSE;
    }

  if (!JSON_NODE_HOLDS_ARRAY (type_node))
    return TRUE;

  types = json_node_get_array (type_node);
  n = json_array_get_length (types);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *t = json_array_get_element (types, i);

      if (_cs_schema_is_string (t) && type_matches (json_node_get_string (t), instance))
        return TRUE;
    }

  expected = g_string_new (NULL);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *t = json_array_get_element (types, i);

      if (i > 0)
        g_string_append (expected, i + 1 == n ? " or " : ", ");
      g_string_append (expected, _cs_schema_is_string (t) ? json_node_get_string (t) : "?");
    }
  problem (v, "expected %s, got %s", expected->str, _cs_schema_type_name (instance));
  return FALSE;
}

static void validate_node (Validator *v, JsonNode *schema, JsonNode *instance, guint depth);

static void
validate_number (Validator  *v,
                 JsonObject *schema,
                 JsonNode   *instance)
{
  JsonNode *min_node = json_object_get_member (schema, "minimum");
  JsonNode *max_node = json_object_get_member (schema, "maximum");
  JsonNode *xmin_node = json_object_get_member (schema, "exclusiveMinimum");
  JsonNode *xmax_node = json_object_get_member (schema, "exclusiveMaximum");
  g_autoptr(GString) value = g_string_new (NULL);
  g_autoptr(GString) bound = g_string_new (NULL);
  double d, b;

  if (!_cs_schema_get_number (instance, &d, NULL))
    return;
  _cs_schema_append_number (value, d);

  if (_cs_schema_get_number (min_node, &b, NULL))
    {
      gboolean exclusive = _cs_schema_is_boolean (xmin_node) && json_node_get_boolean (xmin_node);

      g_string_truncate (bound, 0);
      _cs_schema_append_number (bound, b);
      if (exclusive ? !(d > b) : !(d >= b))
        problem (v, exclusive ? "%s is not greater than the exclusive minimum %s"
                              : "%s is less than the minimum %s",
                 value->str, bound->str);
    }

  if (_cs_schema_get_number (max_node, &b, NULL))
    {
      gboolean exclusive = _cs_schema_is_boolean (xmax_node) && json_node_get_boolean (xmax_node);

      g_string_truncate (bound, 0);
      _cs_schema_append_number (bound, b);
      if (exclusive ? !(d < b) : !(d <= b))
        problem (v, exclusive ? "%s is not less than the exclusive maximum %s"
                              : "%s is greater than the maximum %s",
                 value->str, bound->str);
    }

  if (_cs_schema_get_number (xmin_node, &b, NULL) && !(d > b))
    {
      g_string_truncate (bound, 0);
      _cs_schema_append_number (bound, b);
      problem (v, "%s is not greater than the exclusive minimum %s", value->str, bound->str);
    }

  if (_cs_schema_get_number (xmax_node, &b, NULL) && !(d < b))
    {
      g_string_truncate (bound, 0);
      _cs_schema_append_number (bound, b);
      problem (v, "%s is not less than the exclusive maximum %s", value->str, bound->str);
    }
}

static void
validate_string (Validator  *v,
                 JsonObject *schema,
                 JsonNode   *instance)
{
  const char *str = json_node_get_string (instance);
  glong len;
  double limit;

  if (str == NULL)
    str = "";
  len = g_utf8_validate (str, -1, NULL) ? g_utf8_strlen (str, -1) : (glong)strlen (str);

  if (_cs_schema_get_number (json_object_get_member (schema, "minLength"), &limit, NULL) &&
      (double)len < limit)
    problem (v, "expected at least %.0f character%s, got %ld",
             limit, limit == 1 ? "" : "s", len);

  if (_cs_schema_get_number (json_object_get_member (schema, "maxLength"), &limit, NULL) &&
      (double)len > limit)
    problem (v, "expected at most %.0f character%s, got %ld",
             limit, limit == 1 ? "" : "s", len);
}

static void
validate_array (Validator  *v,
                JsonObject *schema,
                JsonNode   *instance,
                guint       depth)
{
  JsonArray *array = json_node_get_array (instance);
  guint n = json_array_get_length (array);
  JsonNode *items = json_object_get_member (schema, "items");
  double limit;

  if (_cs_schema_get_number (json_object_get_member (schema, "minItems"), &limit, NULL) &&
      (double)n < limit)
    problem (v, "expected at least %.0f item%s, got %u", limit, limit == 1 ? "" : "s", n);

  if (_cs_schema_get_number (json_object_get_member (schema, "maxItems"), &limit, NULL) &&
      (double)n > limit)
    problem (v, "expected at most %.0f item%s, got %u", limit, limit == 1 ? "" : "s", n);

  if (items == NULL)
    return;

  for (guint i = 0; i < n; i++)
    {
      gsize len = v->path->len;

      g_string_append_printf (v->path, "[%u]", i);
      validate_node (v, items, json_array_get_element (array, i), depth + 1);
      g_string_truncate (v->path, len);
    }
}

static void
validate_object (Validator  *v,
                 JsonObject *schema,
                 JsonNode   *instance,
                 guint       depth)
{
  JsonObject *object = json_node_get_object (instance);
  JsonNode *required = json_object_get_member (schema, "required");
  JsonNode *properties = json_object_get_member (schema, "properties");
  JsonNode *additional = json_object_get_member (schema, "additionalProperties");
  JsonObject *props = NULL;
  g_autoptr(GList) members = NULL;

  if (properties != NULL && JSON_NODE_HOLDS_OBJECT (properties))
    props = json_node_get_object (properties);

  if (required != NULL && JSON_NODE_HOLDS_ARRAY (required))
    {
      JsonArray *req = json_node_get_array (required);

      for (guint i = 0; i < json_array_get_length (req); i++)
        {
          JsonNode *name = json_array_get_element (req, i);
          g_autoptr(GString) quoted = NULL;

          if (!_cs_schema_is_string (name) || json_object_has_member (object, json_node_get_string (name)))
            continue;
          quoted = g_string_new (NULL);
          _cs_schema_append_quoted (quoted, json_node_get_string (name), 0);
          problem (v, "missing required property %s", quoted->str);
        }
    }

  members = json_object_get_members (object);
  for (const GList *l = members; l != NULL; l = l->next)
    {
      const char *key = l->data;
      JsonNode *value = json_object_get_member (object, key);
      JsonNode *sub = props ? json_object_get_member (props, key) : NULL;
      gsize len = v->path->len;

      if (sub != NULL)
        {
          _cs_schema_path_append_key (v->path, key);
          validate_node (v, sub, value, depth + 1);
          g_string_truncate (v->path, len);
        }
      else if (additional != NULL && _cs_schema_is_boolean (additional))
        {
          if (!json_node_get_boolean (additional))
            {
              g_autoptr(GString) quoted = g_string_new (NULL);

              _cs_schema_append_quoted (quoted, key, MAX_QUOTE_CHARS);
              problem (v, "unexpected property %s", quoted->str);
            }
        }
      else if (additional != NULL)
        {
          _cs_schema_path_append_key (v->path, key);
          validate_node (v, additional, value, depth + 1);
          g_string_truncate (v->path, len);
        }
    }
}

static void
validate_enum (Validator *v,
               JsonNode  *enum_node,
               JsonNode  *instance)
{
  g_autoptr(GString) msg = NULL;
  JsonArray *values;
  guint n;

  if (enum_node == NULL || !JSON_NODE_HOLDS_ARRAY (enum_node))
    return;

  values = json_node_get_array (enum_node);
  n = json_array_get_length (values);
  for (guint i = 0; i < n; i++)
    if (_cs_schema_nodes_equal (json_array_get_element (values, i), instance, 0))
      return;

  msg = g_string_new (NULL);
  _cs_schema_append_value (msg, instance);
  if (n == 0)
    g_string_append (msg, " is not allowed (the list of allowed values is empty)");
  else
    g_string_append (msg, " is not one of ");
  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append (msg, ", ");
      if (i >= MAX_ENUM_LISTED)
        {
          g_string_append (msg, "…");
          break;
        }
      _cs_schema_append_value (msg, json_array_get_element (values, i));
    }
  problem (v, "%s", msg->str);
}

static void
validate_any_of (Validator *v,
                 JsonNode  *any_of,
                 JsonNode  *instance,
                 guint      depth)
{
  JsonArray *alts;
  g_autoptr(GPtrArray) best = NULL;
  guint n;

  if (any_of == NULL || !JSON_NODE_HOLDS_ARRAY (any_of))
    return;

  alts = json_node_get_array (any_of);
  n = json_array_get_length (alts);
  for (guint i = 0; i < n; i++)
    {
      Validator sub = { v->path, g_ptr_array_new_with_free_func (g_free), 0 };
      gsize len = v->path->len;

      validate_node (&sub, json_array_get_element (alts, i), instance, depth + 1);
      g_string_truncate (v->path, len);

      if (sub.problems->len == 0)
        {
          g_ptr_array_unref (sub.problems);
          return;
        }
      if (best == NULL || sub.problems->len < best->len)
        {
          g_clear_pointer (&best, g_ptr_array_unref);
          best = sub.problems;
        }
      else
        g_ptr_array_unref (sub.problems);
    }

  if (best != NULL && best->len > 0)
    problem (v, "matches none of the %u allowed alternatives (closest: %s)",
             n, (const char *)g_ptr_array_index (best, 0));
}

static void
validate_node (Validator *v,
               JsonNode  *schema,
               JsonNode  *instance,
               guint      depth)
{
  JsonObject *obj;

  if (depth > MAX_DEPTH)
    {
      problem (v, "nested deeper than %d levels", MAX_DEPTH);
      return;
    }

  if (schema == NULL)
    return;

  if (_cs_schema_is_boolean (schema))
    {
      if (!json_node_get_boolean (schema))
        problem (v, "no value is allowed here");
      return;
    }

  if (!JSON_NODE_HOLDS_OBJECT (schema))
    return;

  if (instance == NULL)
    {
      problem (v, "no value");
      return;
    }

  obj = json_node_get_object (schema);

  if (!check_type (v, json_object_get_member (obj, "type"), instance))
    return;

  validate_enum (v, json_object_get_member (obj, "enum"), instance);

  if (json_object_has_member (obj, "const"))
    {
      JsonNode *expected = json_object_get_member (obj, "const");

      if (!_cs_schema_nodes_equal (expected, instance, 0))
        {
          g_autoptr(GString) e = g_string_new (NULL);
          g_autoptr(GString) got = g_string_new (NULL);

          _cs_schema_append_value (e, expected);
          _cs_schema_append_value (got, instance);
          problem (v, "expected %s, got %s", e->str, got->str);
        }
    }

  switch (JSON_NODE_TYPE (instance))
    {
    case JSON_NODE_OBJECT:
      validate_object (v, obj, instance, depth);
      break;
    case JSON_NODE_ARRAY:
      validate_array (v, obj, instance, depth);
      break;
    case JSON_NODE_VALUE:
      if (_cs_schema_is_string (instance))
        validate_string (v, obj, instance);
      else
        validate_number (v, obj, instance);
      break;
    case JSON_NODE_NULL:
    default:
      break;
    }

  validate_any_of (v, json_object_get_member (obj, "anyOf"), instance, depth);
}

gboolean
cs_json_schema_validate (JsonNode  *schema,
                         JsonNode  *instance,
                         GError   **error)
{
  g_autoptr(GString) path = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GString) msg = NULL;
  Validator v;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_cs_schema_check (schema, error))
    return FALSE;

  path = g_string_new ("$");
  problems = g_ptr_array_new_with_free_func (g_free);
  v.path = path;
  v.problems = problems;
  v.more = 0;

  validate_node (&v, schema, instance, 0);

  if (problems->len == 0)
    return TRUE;

  msg = g_string_new (NULL);
  for (guint i = 0; i < problems->len; i++)
    {
      if (i > 0)
        g_string_append (msg, "; ");
      g_string_append (msg, g_ptr_array_index (problems, i));
    }
  if (v.more > 0)
    g_string_append_printf (msg, "; and %u more problem%s", v.more, v.more == 1 ? "" : "s");

  g_set_error_literal (error, CS_SCHEMA_ERROR, CS_SCHEMA_ERROR_INVALID, msg->str);
  return FALSE;
}
