/* cs-json-schema.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-json-schema"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "cs-json-schema.h"

/* How deep schemas and instances may nest before we give up (cleanly). */
#define MAX_DEPTH 64
/* How many problems one error message reports. */
#define MAX_PROBLEMS 5
/* How many characters of an instance string an error message quotes. */
#define MAX_QUOTE_CHARS 60
/* How many enum values an error message lists. */
#define MAX_ENUM_LISTED 20

G_DEFINE_QUARK (cs-schema-error-quark, cs_schema_error)

/* ------------------------------------------------------------------------ */
/* Formatting helpers                                                        */
/* ------------------------------------------------------------------------ */

/* Appends @str as a JSON string literal, cut after @max_chars characters
 * (0: no limit) with an ellipsis. Invalid UTF-8 is replaced. */
static void
append_quoted (GString    *out,
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

static void
append_number (GString *out,
               double   value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (isfinite (value) && value == floor (value) && fabs (value) < 1e15)
    g_string_append_printf (out, "%" G_GINT64_FORMAT, (gint64)value);
  else
    g_string_append (out, g_ascii_formatd (buf, sizeof buf, "%.15g", value));
}

/* Reads a JSON number node; FALSE when @node is not a number. */
static gboolean
node_get_number (JsonNode *node,
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

/* The JSON type name of @node, for messages ("number" for any number). */
static const char *
node_type_name (JsonNode *node)
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

/* A short rendering of a value for messages: strings quoted and cut, numbers
 * as numbers, containers by kind. */
static void
append_value (GString  *out,
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
    append_quoted (out, json_node_get_string (node), MAX_QUOTE_CHARS);
  else if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
  else if (node_get_number (node, &d, NULL))
    append_number (out, d);
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

static void
path_append_key (GString    *path,
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
      append_quoted (path, key, MAX_QUOTE_CHARS);
      g_string_append_c (path, ']');
    }
}

/* ------------------------------------------------------------------------ */
/* Equality (enum, const)                                                    */
/* ------------------------------------------------------------------------ */

static gboolean
nodes_equal (JsonNode *a,
             JsonNode *b,
             guint     depth)
{
  double da, db;

  if (a == NULL || b == NULL)
    return a == b;
  if (depth > MAX_DEPTH)
    return FALSE;

  if (node_get_number (a, &da, NULL) && node_get_number (b, &db, NULL))
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
          if (!nodes_equal (json_array_get_element (aa, i),
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
                !nodes_equal (json_object_get_member (oa, key),
                              json_object_get_member (ob, key), depth + 1))
              return FALSE;
          }
        return TRUE;
      }

    default:
      return FALSE;
    }
}

/* ------------------------------------------------------------------------ */
/* Checking the schema itself                                                */
/* ------------------------------------------------------------------------ */

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
node_is_string (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_STRING;
}

static gboolean
node_is_boolean (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_BOOLEAN;
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
  if (!node_get_number (node, &d, &is_int) || !is_int || d < 0)
    return bad_schema (error, spath, "\"%s\" must be a non-negative integer", keyword);
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

  if (node_is_boolean (schema))
    return TRUE;

  if (!JSON_NODE_HOLDS_OBJECT (schema))
    return bad_schema (error, spath, "a schema must be an object or a boolean, not %s",
                       node_type_name (schema));

  obj = json_node_get_object (schema);

  if ((node = json_object_get_member (obj, "type")) != NULL)
    {
      if (node_is_string (node))
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

              if (!node_is_string (t) || !is_type_name (json_node_get_string (t)))
                return bad_schema (error, spath, "\"type\" lists something that is not a type name");
            }
        }
      else
        return bad_schema (error, spath, "\"type\" must be a string or an array of strings");
    }

  if ((node = json_object_get_member (obj, "properties")) != NULL)
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
    }

  if ((node = json_object_get_member (obj, "required")) != NULL)
    {
      JsonArray *req;

      if (!JSON_NODE_HOLDS_ARRAY (node))
        return bad_schema (error, spath, "\"required\" must be an array of strings");
      req = json_node_get_array (node);
      for (guint i = 0; i < json_array_get_length (req); i++)
        if (!node_is_string (json_array_get_element (req, i)))
          return bad_schema (error, spath, "\"required\" must be an array of strings");
    }

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
      !check_count (obj, "maxLength", spath, error))
    return FALSE;

  {
    static const char * const bounds[] = { "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum" };

    for (guint i = 0; i < G_N_ELEMENTS (bounds); i++)
      {
        double d;

        node = json_object_get_member (obj, bounds[i]);
        if (node == NULL)
          continue;
        /* draft 4 wrote exclusiveMinimum/Maximum as booleans */
        if (i >= 2 && node_is_boolean (node))
          continue;
        if (!node_get_number (node, &d, NULL) || !isfinite (d))
          return bad_schema (error, spath, "\"%s\" must be a number", bounds[i]);
      }
  }

  if ((node = json_object_get_member (obj, "anyOf")) != NULL)
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
    }

  return TRUE;
}

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
    return node_is_string (instance);
  if (g_str_equal (type, "boolean"))
    return node_is_boolean (instance);
  if (g_str_equal (type, "number"))
    return node_get_number (instance, &d, NULL) && isfinite (d);
  if (g_str_equal (type, "integer"))
    return node_get_number (instance, &d, &is_int) && is_int;
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

  if (node_is_string (type_node))
    {
      if (type_matches (json_node_get_string (type_node), instance))
        return TRUE;
      problem (v, "expected %s, got %s", json_node_get_string (type_node),
               node_type_name (instance));
      return FALSE;
    }

  if (!JSON_NODE_HOLDS_ARRAY (type_node))
    return TRUE;

  types = json_node_get_array (type_node);
  n = json_array_get_length (types);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *t = json_array_get_element (types, i);

      if (node_is_string (t) && type_matches (json_node_get_string (t), instance))
        return TRUE;
    }

  expected = g_string_new (NULL);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *t = json_array_get_element (types, i);

      if (i > 0)
        g_string_append (expected, i + 1 == n ? " or " : ", ");
      g_string_append (expected, node_is_string (t) ? json_node_get_string (t) : "?");
    }
  problem (v, "expected %s, got %s", expected->str, node_type_name (instance));
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

  if (!node_get_number (instance, &d, NULL))
    return;
  append_number (value, d);

  if (node_get_number (min_node, &b, NULL))
    {
      gboolean exclusive = node_is_boolean (xmin_node) && json_node_get_boolean (xmin_node);

      g_string_truncate (bound, 0);
      append_number (bound, b);
      if (exclusive ? !(d > b) : !(d >= b))
        problem (v, exclusive ? "%s is not greater than the exclusive minimum %s"
                              : "%s is less than the minimum %s",
                 value->str, bound->str);
    }

  if (node_get_number (max_node, &b, NULL))
    {
      gboolean exclusive = node_is_boolean (xmax_node) && json_node_get_boolean (xmax_node);

      g_string_truncate (bound, 0);
      append_number (bound, b);
      if (exclusive ? !(d < b) : !(d <= b))
        problem (v, exclusive ? "%s is not less than the exclusive maximum %s"
                              : "%s is greater than the maximum %s",
                 value->str, bound->str);
    }

  if (node_get_number (xmin_node, &b, NULL) && !(d > b))
    {
      g_string_truncate (bound, 0);
      append_number (bound, b);
      problem (v, "%s is not greater than the exclusive minimum %s", value->str, bound->str);
    }

  if (node_get_number (xmax_node, &b, NULL) && !(d < b))
    {
      g_string_truncate (bound, 0);
      append_number (bound, b);
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

  if (node_get_number (json_object_get_member (schema, "minLength"), &limit, NULL) &&
      (double)len < limit)
    problem (v, "expected at least %.0f character%s, got %ld",
             limit, limit == 1 ? "" : "s", len);

  if (node_get_number (json_object_get_member (schema, "maxLength"), &limit, NULL) &&
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

  if (node_get_number (json_object_get_member (schema, "minItems"), &limit, NULL) &&
      (double)n < limit)
    problem (v, "expected at least %.0f item%s, got %u", limit, limit == 1 ? "" : "s", n);

  if (node_get_number (json_object_get_member (schema, "maxItems"), &limit, NULL) &&
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

          if (!node_is_string (name) || json_object_has_member (object, json_node_get_string (name)))
            continue;
          quoted = g_string_new (NULL);
          append_quoted (quoted, json_node_get_string (name), 0);
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
          path_append_key (v->path, key);
          validate_node (v, sub, value, depth + 1);
          g_string_truncate (v->path, len);
        }
      else if (additional != NULL && node_is_boolean (additional))
        {
          if (!json_node_get_boolean (additional))
            {
              g_autoptr(GString) quoted = g_string_new (NULL);

              append_quoted (quoted, key, MAX_QUOTE_CHARS);
              problem (v, "unexpected property %s", quoted->str);
            }
        }
      else if (additional != NULL)
        {
          path_append_key (v->path, key);
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
    if (nodes_equal (json_array_get_element (values, i), instance, 0))
      return;

  msg = g_string_new (NULL);
  append_value (msg, instance);
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
      append_value (msg, json_array_get_element (values, i));
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

  if (node_is_boolean (schema))
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

      if (!nodes_equal (expected, instance, 0))
        {
          g_autoptr(GString) e = g_string_new (NULL);
          g_autoptr(GString) got = g_string_new (NULL);

          append_value (e, expected);
          append_value (got, instance);
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
      if (node_is_string (instance))
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
  g_autoptr(GString) spath = g_string_new ("#");
  g_autoptr(GString) path = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GString) msg = NULL;
  Validator v;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_schema (schema, spath, 0, error))
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

/* ------------------------------------------------------------------------ */
/* Bounded, strict parsing                                                   */
/* ------------------------------------------------------------------------ */

typedef struct
{
  const char *data;
  gsize       len;
  gsize       pos;
  GError    **error;
} Scanner;

static gboolean
scan_fail (Scanner    *s,
           const char *format,
           ...) G_GNUC_PRINTF (2, 3);

static gboolean
scan_fail (Scanner    *s,
           const char *format,
           ...)
{
  g_autofree char *msg = NULL;
  guint line = 1, column = 1;
  va_list args;

  for (gsize i = 0; i < s->pos && i < s->len; i++)
    {
      if (s->data[i] == '\n')
        {
          line++;
          column = 1;
        }
      else if (((guchar)s->data[i] & 0xc0) != 0x80)
        column++;
    }

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (s->error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_PARSE,
               "line %u, column %u: %s", line, column, msg);
  return FALSE;
}

/* The character at the scanner's position for a message: 'x', or U+0001
 * for an invisible one. The text is valid UTF-8 (checked before scanning). */
static char *
describe_char (Scanner *s)
{
  gunichar c = g_utf8_get_char (s->data + s->pos);
  char buf[8] = { 0 };

  if (!g_unichar_isgraph (c))
    return g_strdup_printf ("U+%04X", c);
  g_unichar_to_utf8 (c, buf);
  return g_strdup_printf ("'%s'", buf);
}

static void
scan_ws (Scanner *s)
{
  while (s->pos < s->len &&
         (s->data[s->pos] == ' ' || s->data[s->pos] == '\t' ||
          s->data[s->pos] == '\n' || s->data[s->pos] == '\r'))
    s->pos++;
}

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

static gboolean
scan_hex4 (Scanner *s,
           guint   *out)
{
  guint value = 0;

  if (s->len - s->pos < 4)
    return scan_fail (s, "incomplete \\u escape");
  for (guint i = 0; i < 4; i++)
    {
      int h = hex_value (s->data[s->pos + i]);

      if (h < 0)
        return scan_fail (s, "bad \\u escape");
      value = value * 16 + (guint)h;
    }
  s->pos += 4;
  *out = value;
  return TRUE;
}

/* At the opening quote. */
static gboolean
scan_string (Scanner *s)
{
  s->pos++;
  while (s->pos < s->len)
    {
      guchar c = (guchar)s->data[s->pos];

      if (c == '"')
        {
          s->pos++;
          return TRUE;
        }
      if (c < 0x20)
        return scan_fail (s, "control character inside a string");
      if (c != '\\')
        {
          s->pos++;
          continue;
        }

      s->pos++;
      if (s->pos >= s->len)
        break;
      switch (s->data[s->pos])
        {
        case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
          s->pos++;
          break;
        case 'u':
          {
            guint cp;

            s->pos++;
            if (!scan_hex4 (s, &cp))
              return FALSE;
            if (cp >= 0xdc00 && cp <= 0xdfff)
              return scan_fail (s, "lone low surrogate in a \\u escape");
            if (cp >= 0xd800 && cp <= 0xdbff)
              {
                guint low;

                if (s->len - s->pos < 2 || s->data[s->pos] != '\\' || s->data[s->pos + 1] != 'u')
                  return scan_fail (s, "lone high surrogate in a \\u escape");
                s->pos += 2;
                if (!scan_hex4 (s, &low))
                  return FALSE;
                if (low < 0xdc00 || low > 0xdfff)
                  return scan_fail (s, "malformed surrogate pair in a \\u escape");
              }
            break;
          }
        default:
          return scan_fail (s, "invalid escape sequence in a string");
        }
    }
  return scan_fail (s, "unterminated string");
}

static gboolean
scan_number (Scanner *s)
{
  gsize start = s->pos;
  gboolean is_int = TRUE;
  g_autofree char *text = NULL;

  if (s->data[s->pos] == '-')
    s->pos++;
  if (s->pos >= s->len || !g_ascii_isdigit (s->data[s->pos]))
    return scan_fail (s, "invalid number");
  if (s->data[s->pos] == '0')
    s->pos++;
  else
    while (s->pos < s->len && g_ascii_isdigit (s->data[s->pos]))
      s->pos++;

  if (s->pos < s->len && s->data[s->pos] == '.')
    {
      is_int = FALSE;
      s->pos++;
      if (s->pos >= s->len || !g_ascii_isdigit (s->data[s->pos]))
        return scan_fail (s, "invalid number: digits expected after '.'");
      while (s->pos < s->len && g_ascii_isdigit (s->data[s->pos]))
        s->pos++;
    }

  if (s->pos < s->len && (s->data[s->pos] == 'e' || s->data[s->pos] == 'E'))
    {
      is_int = FALSE;
      s->pos++;
      if (s->pos < s->len && (s->data[s->pos] == '+' || s->data[s->pos] == '-'))
        s->pos++;
      if (s->pos >= s->len || !g_ascii_isdigit (s->data[s->pos]))
        return scan_fail (s, "invalid number: digits expected in the exponent");
      while (s->pos < s->len && g_ascii_isdigit (s->data[s->pos]))
        s->pos++;
    }

  text = g_strndup (s->data + start, s->pos - start);
  errno = 0;
  if (is_int)
    {
      g_ascii_strtoll (text, NULL, 10);
      if (errno == ERANGE)
        {
          s->pos = start;
          return scan_fail (s, "integer out of range");
        }
    }
  else if (!isfinite (g_ascii_strtod (text, NULL)))
    {
      s->pos = start;
      return scan_fail (s, "number out of range");
    }
  return TRUE;
}

static gboolean
scan_literal (Scanner    *s,
              const char *word)
{
  gsize n = strlen (word);

  if (s->len - s->pos < n || memcmp (s->data + s->pos, word, n) != 0)
    {
      g_autofree char *what = describe_char (s);

      return scan_fail (s, "unexpected character %s", what);
    }
  s->pos += n;
  return TRUE;
}

/* Checks strict JSON without recursion; the stack holds '{' and '['. */
static gboolean
scan_json (Scanner *s,
           guint    max_depth)
{
  g_autoptr(GByteArray) stack = g_byte_array_new ();

  scan_ws (s);
  if (s->pos >= s->len)
    return scan_fail (s, "no JSON value");

  for (;;)
    {
      /* a value is expected here */
      scan_ws (s);
      if (s->pos >= s->len)
        return scan_fail (s, "unexpected end of the text: a value is expected");

      switch (s->data[s->pos])
        {
        case '{':
        case '[':
          {
            guint8 open = (guint8)s->data[s->pos];

            if (stack->len >= max_depth)
              return scan_fail (s, "nested deeper than %u levels", max_depth);
            g_byte_array_append (stack, &open, 1);
            s->pos++;
            scan_ws (s);
            if (s->pos < s->len && s->data[s->pos] == (open == '{' ? '}' : ']'))
              {
                s->pos++;
                g_byte_array_set_size (stack, stack->len - 1);
                break;
              }
            if (open == '[')
              continue;
            if (s->pos >= s->len || s->data[s->pos] != '"')
              return scan_fail (s, "expected a property name in double quotes");
            if (!scan_string (s))
              return FALSE;
            scan_ws (s);
            if (s->pos >= s->len || s->data[s->pos] != ':')
              return scan_fail (s, "expected ':' after a property name");
            s->pos++;
            continue;
          }
        case '"':
          if (!scan_string (s))
            return FALSE;
          break;
        case 't':
          if (!scan_literal (s, "true"))
            return FALSE;
          break;
        case 'f':
          if (!scan_literal (s, "false"))
            return FALSE;
          break;
        case 'n':
          if (!scan_literal (s, "null"))
            return FALSE;
          break;
        default:
          if (s->data[s->pos] == '-' || g_ascii_isdigit (s->data[s->pos]))
            {
              if (!scan_number (s))
                return FALSE;
              break;
            }
          {
            g_autofree char *what = describe_char (s);

            return scan_fail (s, "unexpected character %s: a value is expected", what);
          }
        }

      /* after a complete value: close containers, or find the next one */
      for (;;)
        {
          guint8 top;

          scan_ws (s);
          if (stack->len == 0)
            {
              if (s->pos < s->len)
                return scan_fail (s, "unexpected text after the JSON value");
              return TRUE;
            }
          if (s->pos >= s->len)
            return scan_fail (s, "unexpected end of the text: the JSON is incomplete");

          top = stack->data[stack->len - 1];
          if (s->data[s->pos] == (top == '{' ? '}' : ']'))
            {
              s->pos++;
              g_byte_array_set_size (stack, stack->len - 1);
              continue;
            }
          if (s->data[s->pos] != ',')
            return scan_fail (s, top == '{' ? "expected ',' or '}'" : "expected ',' or ']'");
          s->pos++;
          if (top == '{')
            {
              scan_ws (s);
              if (s->pos >= s->len || s->data[s->pos] != '"')
                return scan_fail (s, "expected a property name in double quotes");
              if (!scan_string (s))
                return FALSE;
              scan_ws (s);
              if (s->pos >= s->len || s->data[s->pos] != ':')
                return scan_fail (s, "expected ':' after a property name");
              s->pos++;
            }
          break;
        }
    }
}

JsonNode *
cs_json_parse_bounded (const char  *data,
                       gssize       length,
                       guint        max_depth,
                       GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  const char *end = NULL;
  Scanner s;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (data == NULL)
    data = "";
  if (length < 0)
    length = (gssize)strlen (data);
  if (max_depth == 0)
    max_depth = CS_JSON_DEFAULT_MAX_DEPTH;

  if (!g_utf8_validate (data, length, &end))
    {
      g_set_error (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA,
                   "byte %" G_GSIZE_FORMAT ": %s", (gsize)(end - data),
                   memchr (data, '\0', (gsize)length) != NULL
                   ? "the text contains a NUL byte or invalid UTF-8"
                   : "the text is not valid UTF-8");
      return NULL;
    }

  s.data = data;
  s.len = (gsize)length;
  s.pos = 0;
  s.error = error;
  if (!scan_json (&s, max_depth))
    return NULL;

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, data, length, error))
    return NULL;

  return json_parser_steal_root (parser);
}
