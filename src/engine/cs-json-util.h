/* cs-json-util.h: type-checked access to untrusted JSON (internal)
 *
 * Model replies, run files and synthesis results are hostile input: every
 * getter here checks the node type first and returns NULL, 0 or FALSE for a
 * missing member, a NULL container or a member of another type. Strings must
 * also be valid UTF-8, numbers finite. Also the one Markdown helper the
 * exporter and the judge's prompt share.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* A copy of @node that shares nothing with it, down to the values
 * (json_node_copy () shares objects, arrays and values): safe to hand to
 * another thread. NULL for NULL. */
JsonNode   *cs_json_deep_copy        (JsonNode    *node);

/* The node's object, or NULL when @node is NULL or not an object. */
JsonObject *cs_json_node_object      (JsonNode    *node);
/* The string member @key of @obj (NULL-safe), or NULL. */
const char *cs_json_get_string       (JsonObject  *obj,
                                      const char  *key);
/* The string member @key of the object @node, or NULL. */
const char *cs_json_node_get_string  (JsonNode    *node,
                                      const char  *key);
/* The array member @key of @obj, or NULL. */
JsonArray  *cs_json_get_array        (JsonObject  *obj,
                                      const char  *key);
/* The same as a node (for code that keeps nodes), or NULL. */
JsonNode   *cs_json_get_array_node   (JsonObject  *obj,
                                      const char  *key);
/* The object member @key of @obj, or NULL. */
JsonObject *cs_json_get_object       (JsonObject  *obj,
                                      const char  *key);
/* A finite number (integer or not) in @node or member @key of @obj. */
gboolean    cs_json_node_get_number  (JsonNode    *node,
                                      double      *out);
gboolean    cs_json_get_number       (JsonObject  *obj,
                                      const char  *key,
                                      double      *out);
/* A number member that fits a gint64 (fractions truncated). */
gboolean    cs_json_get_int          (JsonObject  *obj,
                                      const char  *key,
                                      gint64      *out);
/* A whole-number member (as cs_json_get_int()), or @fallback. */
gint64      cs_json_get_int_or       (JsonObject  *obj,
                                      const char  *key,
                                      gint64       fallback);
/* TRUE only for a boolean member that is true. */
gboolean    cs_json_get_bool         (JsonObject  *obj,
                                      const char  *key);
/* The object at @index of @array (NULL-safe, bounds-checked), or NULL. */
JsonObject *cs_json_array_object     (JsonArray   *array,
                                      guint        index);
/* The length of @array; 0 for NULL. */
guint       cs_json_array_length     (JsonArray   *array);

/* JSON text of @node, compact or pretty (indented by 2), that json-glib and
 * cs_json_parse_bounded () read back: json-glib 1.6's generator writes a
 * double whose shortest form has an exponent but no point with ".0"
 * appended (1e22 -> "1e+22.0", 5e-91 -> "5e-91.0"), which is not JSON; the
 * output is repaired with cs_json_fix_exponents (). */
char       *cs_json_to_string        (JsonNode    *node,
                                      gboolean     pretty);
/* Repairs generator output in place: outside JSON strings, a number token
 * containing 'e' or 'E' and ending in ".0" loses that ".0". Returns the new
 * length. NULL-safe (returns 0). */
gsize       cs_json_fix_exponents    (char        *text);

/* Untrusted text in Markdown: a fence of backticks longer than any run of
 * backticks in @text (at least three), so nothing inside can close it. */
char       *cs_markdown_fence        (const char  *text);

G_END_DECLS
