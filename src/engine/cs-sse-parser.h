/* cs-sse-parser.h: server-sent events and NDJSON framing
 *
 * Pure code, no I/O. Feed the bytes of a response body as they arrive, in
 * pieces of any size (a line, a CRLF or a UTF-8 sequence may be split
 * anywhere); the parser calls back once per complete event or line.
 *
 * CsSseParser follows the WHATWG "server-sent events" interpretation rules:
 * one leading UTF-8 BOM is dropped; lines end with CRLF, LF or CR; ':' starts
 * a comment; "field:value" drops one space after the colon; a line without a
 * colon is a field with an empty value; "data" appends value + LF; "event"
 * sets the type; "id" sets the last event id unless it contains NUL; "retry"
 * is taken only when it is all ASCII digits; other fields are ignored; a blank
 * line dispatches the event unless its data is empty. At the end of the
 * stream an event without its blank line is discarded.
 *
 * CsNdjsonParser splits newline-delimited JSON into lines (LF or CRLF ends).
 * Blank lines are skipped. Unlike SSE, a last line without a line end IS
 * delivered by cs_ndjson_parser_finish(): Ollama may omit the final newline.
 *
 * Callbacks must not free the parser they are called from.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cs-types.h"

G_BEGIN_DECLS

typedef struct {
  const char *type;      /* the event type; "message" if there was no event: field */
  const char *data;      /* the data, final LF dropped; NUL-terminated, may hold any byte */
  gsize       data_len;
  const char *id;        /* the last event id, or NULL if none (or reset by an empty id:) */
} CsSseEvent;

typedef void (*CsSseEventFunc) (const CsSseEvent *event,
                                gpointer          user_data);

typedef struct _CsSseParser CsSseParser;

CsSseParser *cs_sse_parser_new       (CsSseEventFunc  func,
                                      gpointer        user_data);
void         cs_sse_parser_free      (CsSseParser    *self);
void         cs_sse_parser_feed      (CsSseParser    *self,
                                      const char     *data,
                                      gsize           len);
/* End of stream: discards an event that has no blank line yet. The parser
 * is then ready for a new stream (the retry value and last id are kept). */
void         cs_sse_parser_finish    (CsSseParser    *self);
/* The reconnection time in milliseconds from the last valid retry: field,
 * or -1 if none was seen. */
gint64       cs_sse_parser_get_retry (CsSseParser    *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsSseParser, cs_sse_parser_free)

/* line: one line without its line end, NUL-terminated, never empty or
 * made only of whitespace. */
typedef void (*CsNdjsonLineFunc) (const char *line,
                                  gsize       len,
                                  gpointer    user_data);

typedef struct _CsNdjsonParser CsNdjsonParser;

CsNdjsonParser *cs_ndjson_parser_new    (CsNdjsonLineFunc  func,
                                         gpointer          user_data);
void            cs_ndjson_parser_free   (CsNdjsonParser   *self);
void            cs_ndjson_parser_feed   (CsNdjsonParser   *self,
                                         const char       *data,
                                         gsize             len);
/* End of stream: delivers a last line that had no line end. */
void            cs_ndjson_parser_finish (CsNdjsonParser   *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsNdjsonParser, cs_ndjson_parser_free)

G_END_DECLS
