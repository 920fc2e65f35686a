/* cs-stream-layout.h: streamed answer text, laid out for a card's raw view
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  CS_STREAM_LAYOUT_UNKNOWN,   /* nothing but white space yet */
  CS_STREAM_LAYOUT_JSON,
  CS_STREAM_LAYOUT_PLAIN,
} CsStreamLayoutKind;

/* The state of one stream's layout; all zero is a fresh stream. */
typedef struct {
  CsStreamLayoutKind kind;
  guint              depth;
  guint              in_string : 1;
  guint              escape : 1;
  guint              pending_break : 1;   /* a new line before the next token */
  guint              space : 1;           /* white space since the last token */
  guint              bare : 1;            /* the last character was a bare word's */
} CsStreamLayout;

void cs_stream_layout_reset (CsStreamLayout *self);

/* How the answer that starts with @text (@len bytes) shows: JSON (also in
 * a Markdown code fence), anything else, or UNKNOWN while too little has
 * come to tell. */
CsStreamLayoutKind cs_stream_layout_detect (const char *text,
                                            gsize       len);

/* Moves what can be shown of @pending (the text streamed since the last
 * call, and whatever an earlier call kept) to the end of @out: JSON laid
 * out one member or element per line, anything else as it is. While too
 * little has come to tell which, the text stays in @pending, unless @final
 * (nothing more will come). */
void cs_stream_layout_take  (CsStreamLayout *self,
                             GString        *pending,
                             gboolean        final,
                             GString        *out);

G_END_DECLS
