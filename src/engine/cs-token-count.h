/* cs-token-count.h: the one rule that turns text into tokens
 *
 * Before a provider reports usage, the engine counts tokens itself: the
 * estimate before a run (cs-estimate.c), the budget during one
 * (cs-runner-budget.c) and the usage saved for a request the budget stopped
 * before its provider said. All three use this rule, so they agree on the
 * same text: a token for every 4 bytes of UTF-8, rounded up. That is 4
 * characters of English; a German umlaut counts 2 bytes, a Japanese or
 * Chinese character 3 (three quarters of a token, where tokenizers make
 * most such characters one token or more; 4 characters a token would count
 * them at a quarter). Sizes add up before they are rounded.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define CS_TOKEN_BYTES 4

/* The tokens of text @size bytes long. */
gint64 cs_token_count          (gsize        size);
/* The tokens of @text (NULL: 0). */
gint64 cs_token_count_text     (const char  *text);
/* The size of the "content" strings of a messages array (non-strings and
 * other members skipped). */
gsize  cs_token_messages_size  (JsonNode    *messages);
/* The tokens of a messages array, as sent. */
gint64 cs_token_count_messages (JsonNode    *messages);

G_END_DECLS
