/* cs-json-schema-private.h: what the cs-json-schema*.c files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cs-json-schema.h"

G_BEGIN_DECLS

/* How deep schemas and instances may nest before we give up (cleanly). */
#define MAX_DEPTH 64
/* How many characters of an instance string an error message quotes. */
#define MAX_QUOTE_CHARS 60

/* cs-json-schema-values.c: reading, comparing and quoting values */
/* Reads a JSON number node; FALSE when @node is not a number. */
gboolean    _cs_schema_get_number      (JsonNode   *node,
                                        double     *out,
                                        gboolean   *is_integer);
/* The JSON type name of @node, for messages ("number" for any number). */
const char *_cs_schema_type_name       (JsonNode   *node);
gboolean    _cs_schema_is_string       (JsonNode   *node);
gboolean    _cs_schema_is_boolean      (JsonNode   *node);
/* JSON equality (numbers by value), for enum and const. */
gboolean    _cs_schema_nodes_equal     (JsonNode   *a,
                                        JsonNode   *b,
                                        guint       depth);
/* Appends @str as a JSON string literal, cut after @max_chars characters
 * (0: no limit) with an ellipsis. Invalid UTF-8 is replaced. */
void        _cs_schema_append_quoted   (GString    *out,
                                        const char *str,
                                        guint       max_chars);
void        _cs_schema_append_number   (GString    *out,
                                        double      value);
/* A short rendering of a value for messages: strings quoted and cut,
 * numbers as numbers, containers by kind. */
void        _cs_schema_append_value    (GString    *out,
                                        JsonNode   *node);
/* ".key", or ["key"] when the key is not an identifier. */
void        _cs_schema_path_append_key (GString    *path,
                                        const char *key);

/* cs-json-schema-check.c: checking the schema itself */
/* FALSE with CS_SCHEMA_ERROR_BAD_SCHEMA when @schema is unusable. */
gboolean    _cs_schema_check           (JsonNode   *schema,
                                        GError    **error);

G_END_DECLS
