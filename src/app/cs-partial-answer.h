/* cs-partial-answer.h: what a streamed answer holds so far, for a label
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cs-engine.h"

G_BEGIN_DECLS

/* The answer in @text (its first @len bytes) as far as it came: the JSON
 * object from its first '{' on, closed, without the element of a list that
 * the stream is in the middle of (only whole items), read both as a
 * blueprint and as a checklist (lenient: what is not there is empty).
 * FALSE, both NULL, while there is no object to read. */
gboolean  cs_partial_answer_read (const char   *text,
                                  gsize         len,
                                  CsBlueprint **blueprint,
                                  CsChecklist **checklist);

/* @text (its first @len bytes; cut where it stops being valid UTF-8)
 * without control characters and direction marks, embeddings, overrides or
 * isolates, runs of white space as one space, at most @max_chars
 * characters ("…" when cut). With @keep_lines, line breaks stay (runs of
 * them as one), else they are spaces. Owned. */
char     *cs_clean_label_text    (const char   *text,
                                  gsize         len,
                                  gsize         max_chars,
                                  gboolean      keep_lines);

G_END_DECLS
