/* cs-json-schema.h: a JSON Schema validator for model replies
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

/* the validator's callers parse replies with cs_json_parse_bounded() */
#include "cs-json-parse.h"

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

G_END_DECLS
