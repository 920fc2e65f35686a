/* cs-json-partial.h: the JSON object a stream has sent so far, closed
 *
 * While a candidate streams, its text is the first part of a JSON object.
 * To show what has arrived as an outline instead of raw JSON, that prefix is
 * cut back to the last point where every value is whole (or inside a string
 * value, which is kept and closed), and the open strings, arrays and objects
 * are closed. The result is valid JSON whose members are those received.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The JSON text made of @text (the first @len bytes, or up to its NUL when
 * @len < 0) from its first '{' on, cut back to the last whole value and
 * closed; a string value cut in the middle is kept up to the last whole
 * character and closed. NULL when @text holds no '{' yet. Any text after
 * the top-level object is ignored. Never reads past @len. */
char     *cs_json_close_partial (const char *text,
                                 gssize      len);

/* cs_json_close_partial () parsed (depth-bounded), or NULL. */
JsonNode *cs_json_parse_partial (const char *text,
                                 gssize      len);

G_END_DECLS
