/* cs-think-splitter.h: a leading <think>…</think> block of an answer, as reasoning
 *
 * Models served through Ollama or OpenAI-compatible servers (DeepSeek-R1,
 * Qwen3, QwQ) often put their reasoning inline, as a <think> block at the
 * very start of the content. Feed the content as it streams, in pieces cut
 * at any byte; the splitter hands back what is reasoning and what is the
 * answer. Only a block at the start counts (leading white space allowed):
 * "<think>" anywhere else is text. A block still open when the stream ends
 * stays reasoning. White space just inside the tags and just after the
 * closing tag is dropped.
 *
 * Pure code, no I/O.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _CsThinkSplitter CsThinkSplitter;

CsThinkSplitter *cs_think_splitter_new    (void);
void             cs_think_splitter_free   (CsThinkSplitter *self);

/* Appends what @text decides to @reasoning and @answer; some bytes may be
 * held back until the next piece shows what they are. */
void             cs_think_splitter_feed   (CsThinkSplitter *self,
                                           const char      *text,
                                           gsize            len,
                                           GString         *reasoning,
                                           GString         *answer);
/* The end of the content: appends what was held back. */
void             cs_think_splitter_finish (CsThinkSplitter *self,
                                           GString         *reasoning,
                                           GString         *answer);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsThinkSplitter, cs_think_splitter_free)

G_END_DECLS
