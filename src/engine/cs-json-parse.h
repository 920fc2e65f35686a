/* cs-json-parse.h: a bounded, strict JSON parser for untrusted text
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

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
