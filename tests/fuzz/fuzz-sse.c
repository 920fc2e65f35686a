/* fuzz-sse.c: libFuzzer harness for the SSE parser and the NDJSON splitter
 *
 * The input's first bytes choose how the stream is cut into pieces
 * (fuzz-common.h). The stream goes through both parsers twice, whole and in
 * pieces: the events must be identical (framing may not depend on where the
 * network cut the body) and obey cs-sse-parser.h.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "cs-sse-parser.h"
#include "fuzz-common.h"

static void
log_bytes (GString    *log,
           const char *data,
           gsize       len)
{
  g_string_append_printf (log, "%" G_GSIZE_FORMAT ":", len);
  g_string_append_len (log, data, len);
  g_string_append_c (log, ';');
}

static void
sse_event_cb (const CsSseEvent *event,
              gpointer          user_data)
{
  GString *log = user_data;

  fuzz_check (event != NULL);
  /* Not checked: a non-empty type. "event:\0x" gives a type that starts
   * with NUL, which C strings cannot tell from "". */
  fuzz_check (event->type != NULL);
  fuzz_check (event->data != NULL);
  fuzz_check (event->data[event->data_len] == '\0');

  g_string_append (log, "E");
  log_bytes (log, event->type, strlen (event->type));
  log_bytes (log, event->data, event->data_len);
  if (event->id != NULL)
    log_bytes (log, event->id, strlen (event->id));
  else
    g_string_append (log, "-;");
  g_string_append_c (log, '\n');
}

static void
ndjson_line_cb (const char *line,
                gsize       len,
                gpointer    user_data)
{
  GString *log = user_data;
  gsize i;
  gboolean blank = TRUE;

  fuzz_check (line != NULL);
  fuzz_check (len > 0);
  fuzz_check (line[len] == '\0');
  fuzz_check (memchr (line, '\n', len) == NULL);
  for (i = 0; i < len; i++)
    if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
      blank = FALSE;
  fuzz_check (!blank);

  g_string_append (log, "L");
  log_bytes (log, line, len);
  g_string_append_c (log, '\n');
}

static void
sse_feed (gpointer    parser,
          const char *data,
          gsize       len)
{
  cs_sse_parser_feed (parser, data, len);
}

static void
ndjson_feed (gpointer    parser,
             const char *data,
             gsize       len)
{
  cs_ndjson_parser_feed (parser, data, len);
}

/* Runs the SSE parser over the stream, then again as a second stream on the
 * same parser (finish() makes it ready for a new one). */
static void
run_sse (const FuzzPieces *pieces,
         GString          *log)
{
  g_autoptr(CsSseParser) parser = cs_sse_parser_new (sse_event_cb, log);
  gint64 retry;

  fuzz_pieces_foreach (pieces, sse_feed, parser);
  cs_sse_parser_finish (parser);
  retry = cs_sse_parser_get_retry (parser);
  fuzz_check (retry >= -1);
  g_string_append_printf (log, "R%" G_GINT64_FORMAT "\n", retry);

  fuzz_pieces_foreach (pieces, sse_feed, parser);
  cs_sse_parser_finish (parser);
  g_string_append_printf (log, "R%" G_GINT64_FORMAT "\n", cs_sse_parser_get_retry (parser));
}

static void
run_ndjson (const FuzzPieces *pieces,
            GString          *log)
{
  g_autoptr(CsNdjsonParser) parser = cs_ndjson_parser_new (ndjson_line_cb, log);

  fuzz_pieces_foreach (pieces, ndjson_feed, parser);
  cs_ndjson_parser_finish (parser);
  g_string_append (log, "F\n");
  fuzz_pieces_foreach (pieces, ndjson_feed, parser);
  cs_ndjson_parser_finish (parser);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  FuzzPieces pieces, whole;
  g_autoptr(GString) log_pieces = g_string_new (NULL);
  g_autoptr(GString) log_whole = g_string_new (NULL);

  fuzz_setup ();
  fuzz_pieces_init (&pieces, data, size);
  whole = pieces;
  whole.n_sizes = 0;

  run_sse (&pieces, log_pieces);
  run_sse (&whole, log_whole);
  if (!g_string_equal (log_pieces, log_whole))
    fuzz_fail ("SSE events depend on how the stream is cut:\n--- whole\n%s\n--- pieces\n%s",
               log_whole->str, log_pieces->str);

  g_string_truncate (log_pieces, 0);
  g_string_truncate (log_whole, 0);
  run_ndjson (&pieces, log_pieces);
  run_ndjson (&whole, log_whole);
  if (!g_string_equal (log_pieces, log_whole))
    fuzz_fail ("NDJSON lines depend on how the stream is cut:\n--- whole\n%s\n--- pieces\n%s",
               log_whole->str, log_pieces->str);

  return 0;
}
