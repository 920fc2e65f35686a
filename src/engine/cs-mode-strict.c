/* cs-mode-strict.c: a mode's schema in the form OpenAI's strict structured
 * outputs accept
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-mode"

#include "config.h"

#include "cs-mode-private.h"

/* ------------------------------------------------------------------------ */
/* OpenAI strict structured outputs                                          */
/* ------------------------------------------------------------------------ */

/* Keywords kept in the strict copy. Validation keywords (minItems, maxItems,
 * minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf, minLength,
 * maxLength, pattern, format, uniqueItems, minProperties, maxProperties,
 * patternProperties, default, …) are not accepted by every model and
 * deployment that offers strict mode (fine-tuned models, older snapshots,
 * compatible servers reject them with a 400), so the copy drops them and
 * says them in the description instead; the engine enforces them itself
 * when it validates the reply. */
static const char * const strict_keywords[] = {
  "type", "properties", "required", "additionalProperties", "items", "enum",
  "anyOf", "description", "title", "$defs", "definitions", "$ref",
};

static gboolean
is_strict_keyword (const char *key)
{
  for (guint i = 0; i < G_N_ELEMENTS (strict_keywords); i++)
    if (g_str_equal (strict_keywords[i], key))
      return TRUE;
  return FALSE;
}

/* Adds "What: N." to @hints when @value is a number. */
static void
append_hint (GString    *hints,
             const char *what,
             JsonNode   *value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  GType type;

  if (value == NULL || !JSON_NODE_HOLDS_VALUE (value))
    return;

  type = json_node_get_value_type (value);
  if (type != G_TYPE_INT64 && type != G_TYPE_DOUBLE)
    return;

  if (hints->len > 0)
    g_string_append_c (hints, ' ');
  if (type == G_TYPE_INT64)
    g_string_append_printf (hints, "%s %" G_GINT64_FORMAT ".", what, json_node_get_int (value));
  else
    g_string_append_printf (hints, "%s %s.", what,
                            g_ascii_formatd (buf, sizeof buf, "%g", json_node_get_double (value)));
}

static JsonNode *strict_copy (JsonNode *schema, guint depth);

static JsonNode *
strict_copy_object_of_schemas (JsonNode *node,
                               guint     depth)
{
  JsonObject *in = json_node_get_object (node);
  JsonObject *out = json_object_new ();
  g_autoptr(GList) members = json_object_get_members (in);
  JsonNode *ret;

  for (const GList *l = members; l != NULL; l = l->next)
    json_object_set_member (out, l->data,
                            strict_copy (json_object_get_member (in, l->data), depth + 1));

  ret = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (ret, out);
  return ret;
}

/* Makes an optional property nullable, as strict mode requires every
 * property to be listed in "required". */
static void
make_nullable (JsonNode *schema)
{
  JsonObject *obj;
  JsonNode *type;

  if (schema == NULL || !JSON_NODE_HOLDS_OBJECT (schema))
    return;
  obj = json_node_get_object (schema);
  type = json_object_get_member (obj, "type");
  if (type != NULL && JSON_NODE_HOLDS_VALUE (type) &&
      json_node_get_value_type (type) == G_TYPE_STRING)
    {
      JsonArray *types = json_array_new ();

      if (g_str_equal (json_node_get_string (type), "null"))
        {
          json_array_unref (types);
          return;
        }
      json_array_add_string_element (types, json_node_get_string (type));
      json_array_add_string_element (types, "null");
      json_object_set_array_member (obj, "type", types);
    }
  else if (type != NULL && JSON_NODE_HOLDS_ARRAY (type))
    {
      JsonArray *types = json_node_get_array (type);

      for (guint i = 0; i < json_array_get_length (types); i++)
        if (g_strcmp0 (_cs_mode_string_or_null (json_array_get_element (types, i)), "null") == 0)
          return;
      json_array_add_string_element (types, "null");
    }
}

/* The validation keywords strict mode drops, as words for the description. */
static const struct {
  const char *keyword;
  const char *words;
} dropped_keyword_words[] = {
  { "minItems", "At least this many items:" },
  { "maxItems", "At most this many items:" },
  { "minimum", "Minimum:" },
  { "maximum", "Maximum:" },
  { "exclusiveMinimum", "Greater than:" },
  { "exclusiveMaximum", "Less than:" },
  { "minLength", "At least this many characters:" },
  { "maxLength", "At most this many characters:" },
};

/* Says a dropped keyword in @hints ("At least this many items: 1."). */
static void
append_dropped_keyword (GString    *hints,
                        const char *key,
                        JsonNode   *value)
{
  for (guint i = 0; i < G_N_ELEMENTS (dropped_keyword_words); i++)
    if (g_str_equal (key, dropped_keyword_words[i].keyword))
      {
        append_hint (hints, dropped_keyword_words[i].words, value);
        return;
      }
}

/* Copies one kept keyword into @out, its subschemas made strict too. */
static void
copy_keyword (JsonObject *out,
              const char *key,
              JsonNode   *value,
              guint       depth)
{
  if ((g_str_equal (key, "properties") || g_str_equal (key, "$defs") ||
       g_str_equal (key, "definitions")) && JSON_NODE_HOLDS_OBJECT (value))
    json_object_set_member (out, key, strict_copy_object_of_schemas (value, depth));
  else if ((g_str_equal (key, "items") || g_str_equal (key, "additionalProperties")) &&
           JSON_NODE_HOLDS_OBJECT (value))
    json_object_set_member (out, key, strict_copy (value, depth + 1));
  else if (g_str_equal (key, "anyOf") && JSON_NODE_HOLDS_ARRAY (value))
    {
      JsonArray *alts = json_node_get_array (value);
      JsonArray *copy = json_array_new ();

      for (guint i = 0; i < json_array_get_length (alts); i++)
        json_array_add_element (copy, strict_copy (json_array_get_element (alts, i), depth + 1));
      json_object_set_array_member (out, key, copy);
    }
  else
    json_object_set_member (out, key, json_node_copy (value));
}

static gboolean
is_required (JsonNode   *req_node,
             const char *name)
{
  JsonArray *req;

  if (req_node == NULL || !JSON_NODE_HOLDS_ARRAY (req_node))
    return FALSE;

  req = json_node_get_array (req_node);
  for (guint i = 0; i < json_array_get_length (req); i++)
    if (g_strcmp0 (_cs_mode_string_or_null (json_array_get_element (req, i)), name) == 0)
      return TRUE;
  return FALSE;
}

/* Objects: no additional properties, every property required (the ones
 * @in did not require made nullable). */
static void
require_every_property (JsonObject *out,
                        JsonObject *in)
{
  JsonNode *props_node = json_object_get_member (out, "properties");
  JsonNode *req_node = json_object_get_member (in, "required");
  g_autoptr(GList) names = NULL;
  JsonObject *props;
  JsonArray *required;

  if (props_node == NULL || !JSON_NODE_HOLDS_OBJECT (props_node))
    return;

  props = json_node_get_object (props_node);
  names = json_object_get_members (props);
  required = json_array_new ();
  for (const GList *l = names; l != NULL; l = l->next)
    {
      if (!is_required (req_node, l->data))
        make_nullable (json_object_get_member (props, l->data));
      json_array_add_string_element (required, l->data);
    }
  json_object_set_array_member (out, "required", required);
  json_object_set_boolean_member (out, "additionalProperties", FALSE);
}

static JsonNode *
strict_copy (JsonNode *schema,
             guint     depth)
{
  JsonObject *in;
  JsonObject *out;
  g_autoptr(GList) members = NULL;
  g_autoptr(GString) hints = g_string_new (NULL);
  JsonNode *ret;

  if (schema == NULL)
    return json_node_new (JSON_NODE_NULL);
  if (!JSON_NODE_HOLDS_OBJECT (schema) || depth > 64)
    return json_node_copy (schema);

  in = json_node_get_object (schema);
  out = json_object_new ();
  members = json_object_get_members (in);

  for (const GList *l = members; l != NULL; l = l->next)
    {
      const char *key = l->data;
      JsonNode *value = json_object_get_member (in, key);

      if (g_str_equal (key, "const"))
        {
          /* "const" is the one-value "enum" */
          JsonArray *values = json_array_new ();

          json_array_add_element (values, json_node_copy (value));
          json_object_set_array_member (out, "enum", values);
        }
      else if (!is_strict_keyword (key))
        append_dropped_keyword (hints, key, value);
      else
        copy_keyword (out, key, value, depth);
    }

  if (hints->len > 0)
    {
      const char *desc = _cs_mode_string_or_null (json_object_get_member (out, "description"));
      g_autofree char *merged = desc && *desc ? g_strdup_printf ("%s %s", desc, hints->str)
                                              : g_strdup (hints->str);

      json_object_set_string_member (out, "description", merged);
    }

  require_every_property (out, in);

  ret = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (ret, out);
  return ret;
}

JsonNode *
cs_mode_schema_for_strict (JsonNode *schema)
{
  g_return_val_if_fail (schema != NULL, NULL);

  return strict_copy (schema, 0);
}
