/* cs-json-schema.h: a JSON Schema validator for model replies
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define CS_SCHEMA_ERROR (cs_schema_error_quark ())
typedef enum {
  CS_SCHEMA_ERROR_INVALID,     /* the instance does not match */
  CS_SCHEMA_ERROR_BAD_SCHEMA,  /* the schema itself is unusable */
} CsSchemaError;

GQuark   cs_schema_error_quark      (void);

/* Validates @instance against @schema: type (incl. arrays of types,
 * "integer", "null"), required, properties, additionalProperties (false or a
 * schema), enum, const, items, minItems/maxItems, minimum/maximum,
 * exclusiveMinimum/exclusiveMaximum, minLength/maxLength, anyOf.
 * The error names the JSON path: `$.steps[2].risk: "extreme" is not one of
 * "none", "low", "medium", "high"`. Reports the first few problems. */
gboolean cs_json_schema_validate    (JsonNode  *schema,
                                     JsonNode  *instance,
                                     GError   **error);

/* The default nesting limit of cs_json_parse_bounded(). */
#define CS_JSON_DEFAULT_MAX_DEPTH 128

/* Parses untrusted JSON safely. json-glib 1.6 recurses once per nesting
 * level (a reply of 100000 `[` overflows the stack) and accepts things that
 * are not JSON (comments, single-quoted strings, lone surrogates that become
 * invalid UTF-8, integers that silently wrap). This checks first, without
 * recursion, that @data is exactly one strict RFC 8259 JSON value in valid
 * UTF-8, nested at most @max_depth levels (0 means
 * CS_JSON_DEFAULT_MAX_DEPTH), with finite numbers and integers that fit in 64
 * bits; only then does json-glib parse it. @length may be -1 for a
 * NUL-terminated string. Errors are in JSON_PARSER_ERROR and read
 * "line 3, column 7: expected ',' or '}'". Returns the root node (owned). */
JsonNode *cs_json_parse_bounded     (const char  *data,
                                     gssize       length,
                                     guint        max_depth,
                                     GError     **error);

G_END_DECLS
