/* cs-stream-decoder.h: provider stream bytes → typed events
 *
 * Pure code, no I/O: feed it the response body as it arrives, in pieces of
 * any size; it frames (SSE or NDJSON, per dialect), parses each JSON chunk
 * defensively and calls back with events. Fuzzed.
 *
 * Event details (cs-stream-decoder.c):
 * - text is never NULL: "" for USAGE and DONE; TEXT, REASONING and REFUSAL
 *   deltas are never empty. Token counts are -1 except in USAGE.
 * - ERROR does not stop decoding. A chunk that is not a JSON object gives
 *   ERROR "The provider sent a malformed chunk" with code "malformed-chunk".
 *   A stream whose last word is an error has no terminator: finish()
 *   returns FALSE.
 * - FINISH for a Responses "response.incomplete" says "length" (or
 *   "content_filter"); its code is the provider's own reason, e.g.
 *   "max_output_tokens".
 * - Nothing is emitted after DONE. The callback must not free the decoder.
 * - Lines and events are buffered whole with no upper limit: enforce a size
 *   limit with cs_stream_decoder_get_bytes().
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "cs-types.h"

G_BEGIN_DECLS

typedef enum {
  CS_STREAM_EVENT_TEXT,       /* text: a delta of the answer */
  CS_STREAM_EVENT_REASONING,  /* text: a delta of the reasoning */
  CS_STREAM_EVENT_REFUSAL,    /* text: a delta of a refusal */
  CS_STREAM_EVENT_FINISH,     /* text: the finish reason ("stop", "length", "content_filter", …) */
  CS_STREAM_EVENT_USAGE,      /* the *_tokens fields; covers all choices of the request */
  CS_STREAM_EVENT_ERROR,      /* text: the provider's message; code: its code or type, may be NULL */
  CS_STREAM_EVENT_DONE,       /* the stream's own terminator ([DONE], done:true, response.completed) */
} CsStreamEventType;

typedef struct {
  CsStreamEventType  type;
  guint              choice;            /* the choice index (n > 1); 0 otherwise */
  const char        *text;              /* NUL-terminated, valid UTF-8, valid during the callback */
  gsize              len;
  const char        *code;
  gint64             input_tokens;      /* -1 when unknown */
  gint64             output_tokens;
  gint64             reasoning_tokens;
} CsStreamEvent;

typedef void (*CsStreamEventFunc) (const CsStreamEvent *event,
                                   gpointer             user_data);

typedef struct _CsStreamDecoder CsStreamDecoder;

CsStreamDecoder *cs_stream_decoder_new    (CsApiDialect        dialect,
                                           CsStreamEventFunc   func,
                                           gpointer            user_data);
void             cs_stream_decoder_free   (CsStreamDecoder    *self);
/* Feed raw bytes as read from the network. */
void             cs_stream_decoder_feed   (CsStreamDecoder    *self,
                                           const char         *data,
                                           gsize               len);
/* End of the body. Returns TRUE if the stream ended properly (a terminator
 * was seen, or for dialects without one, a completion event). A stream that
 * ends otherwise is truncated. */
gboolean         cs_stream_decoder_finish (CsStreamDecoder    *self);
/* Bytes of payload seen so far (to enforce a per-candidate size limit). */
gsize            cs_stream_decoder_get_bytes (CsStreamDecoder *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsStreamDecoder, cs_stream_decoder_free)

G_END_DECLS
