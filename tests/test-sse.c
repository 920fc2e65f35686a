/* test-sse.c: the server-sent events parser and the NDJSON splitter
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib.h>

#include "cs-sse-parser.h"

/* Records every event as "type|id|data\n", with the data's control and
 * non-ASCII bytes escaped, so that whole streams compare as strings. */
typedef struct {
  GString *log;
  guint    n_events;
  gsize    last_len;
} Recorder;

static void
append_escaped (GString    *out,
                const char *data,
                gsize       len)
{
  gsize i;

  for (i = 0; i < len; i++)
    {
      guchar c = data[i];

      if (c == '\n')
        g_string_append (out, "\\n");
      else if (c == '\\')
        g_string_append (out, "\\\\");
      else if (c < 0x20 || c >= 0x7f || c == '|')
        g_string_append_printf (out, "\\x%02x", c);
      else
        g_string_append_c (out, c);
    }
}

static void
record_event (const CsSseEvent *event,
              gpointer          user_data)
{
  Recorder *rec = user_data;

  g_assert_nonnull (event->type);
  g_assert_nonnull (event->data);
  /* The data is NUL-terminated at data_len. */
  g_assert_cmpint (event->data[event->data_len], ==, '\0');

  append_escaped (rec->log, event->type, strlen (event->type));
  g_string_append_c (rec->log, '|');
  if (event->id != NULL)
    append_escaped (rec->log, event->id, strlen (event->id));
  else
    g_string_append (rec->log, "(null)");
  g_string_append_c (rec->log, '|');
  append_escaped (rec->log, event->data, event->data_len);
  g_string_append_c (rec->log, '\n');

  rec->n_events++;
  rec->last_len = event->data_len;
}

/* Parses @input fed in pieces of @piece bytes (0: all at once) and returns
 * the log. */
static char *
parse_sse (const char *input,
           gsize       len,
           gsize       piece,
           gint64     *retry_out)
{
  Recorder rec = { g_string_new (NULL), 0, 0 };
  g_autoptr(CsSseParser) parser = cs_sse_parser_new (record_event, &rec);
  gsize off;

  if (piece == 0)
    piece = MAX (len, 1);

  for (off = 0; off < len; off += piece)
    cs_sse_parser_feed (parser, input + off, MIN (piece, len - off));
  cs_sse_parser_finish (parser);

  if (retry_out != NULL)
    *retry_out = cs_sse_parser_get_retry (parser);

  return g_string_free (rec.log, FALSE);
}

/* Checks that @input gives @expected whole, byte by byte and in pieces of
 * 2, 3, 5 and 7 bytes. */
static void
assert_sse (const char *input,
            gssize      len,
            const char *expected)
{
  static const gsize pieces[] = { 0, 1, 2, 3, 5, 7 };
  guint i;

  if (len < 0)
    len = strlen (input);

  for (i = 0; i < G_N_ELEMENTS (pieces); i++)
    {
      g_autofree char *log = parse_sse (input, len, pieces[i], NULL);

      g_assert_cmpstr (log, ==, expected);
    }
}

static void
test_sse_line_endings (void)
{
  assert_sse ("data: lf\n\n", -1, "message|(null)|lf\n");
  assert_sse ("data: cr\r\r", -1, "message|(null)|cr\n");
  assert_sse ("data: crlf\r\n\r\n", -1, "message|(null)|crlf\n");
  /* All three in one stream, inside one event and between events. */
  assert_sse ("data: a\rdata: b\ndata: c\r\n\n"
              "data: d\r\n\r"
              "data: e\n\r\n",
              -1,
              "message|(null)|a\\nb\\nc\n"
              "message|(null)|d\n"
              "message|(null)|e\n");
  /* LF CR is two line ends, CR LF only one. */
  assert_sse ("data: x\n\rdata: y\r\n\r\n", -1,
              "message|(null)|x\n"
              "message|(null)|y\n");
}

static void
test_sse_crlf_split (void)
{
  Recorder rec = { g_string_new (NULL), 0, 0 };
  g_autoptr(CsSseParser) parser = cs_sse_parser_new (record_event, &rec);
  g_autofree char *log = NULL;

  /* If the LF after the CR counted as a second line end, "a" would be
   * dispatched alone. */
  cs_sse_parser_feed (parser, "data: a\r", 8);
  cs_sse_parser_feed (parser, "\ndata: b\r", 9);
  cs_sse_parser_feed (parser, "\n", 1);
  g_assert_cmpuint (rec.n_events, ==, 0);
  cs_sse_parser_feed (parser, "\r", 1);
  /* A CR dispatches at once, without waiting to see whether LF follows. */
  g_assert_cmpuint (rec.n_events, ==, 1);
  cs_sse_parser_feed (parser, "\n", 1);
  cs_sse_parser_feed (parser, "", 0);
  cs_sse_parser_feed (parser, "data: c\r", 8);
  cs_sse_parser_feed (parser, "", 0);  /* an empty feed keeps the pending CR */
  cs_sse_parser_feed (parser, "\n\n", 2);
  cs_sse_parser_finish (parser);

  log = g_string_free (rec.log, FALSE);
  g_assert_cmpstr (log, ==,
                   "message|(null)|a\\nb\n"
                   "message|(null)|c\n");
}

static void
test_sse_bom (void)
{
  /* One BOM at the very start is dropped, whole or split. */
  assert_sse ("\xEF\xBB\xBF" "data: x\n\n", -1, "message|(null)|x\n");
  /* A second BOM is not: it becomes part of the field name, which is then
   * unknown, so nothing is dispatched. */
  assert_sse ("\xEF\xBB\xBF\xEF\xBB\xBF" "data: x\n\n", -1, "");
  /* A BOM later in the stream is data. */
  assert_sse ("data: x\n\n" "\xEF\xBB\xBF" "data: y\n\n"
              "data: \xEF\xBB\xBF" "z\n\n", -1,
              "message|(null)|x\n"
              "message|(null)|\\xef\\xbb\\xbfz\n");
  /* A partial BOM is not a BOM: its bytes are kept. */
  assert_sse ("\xEF\xBB" "data: x\n\n", -1, "");
  assert_sse ("\xEF" "\n" "data: x\n\n", -1, "message|(null)|x\n");
}

static void
test_sse_bom_after_finish (void)
{
  Recorder rec = { g_string_new (NULL), 0, 0 };
  g_autoptr(CsSseParser) parser = cs_sse_parser_new (record_event, &rec);
  g_autofree char *log = NULL;

  /* finish() ends a stream: the next one may start with a BOM again. */
  cs_sse_parser_feed (parser, "\xEF\xBB\xBF" "data: 1\n\n", 13);
  cs_sse_parser_finish (parser);
  cs_sse_parser_feed (parser, "\xEF\xBB", 2);
  cs_sse_parser_feed (parser, "\xBF" "data: 2\n\n", 10);
  cs_sse_parser_finish (parser);

  log = g_string_free (rec.log, FALSE);
  g_assert_cmpstr (log, ==, "message|(null)|1\nmessage|(null)|2\n");
}

static void
test_sse_comments (void)
{
  assert_sse (": OPENROUTER PROCESSING\n\n"
              ":\n"
              ": keep-alive\r\n\r\n", -1, "");
  /* A comment inside an event does not end it. */
  assert_sse ("data: a\n: note\ndata: b\n\n", -1, "message|(null)|a\\nb\n");
}

static void
test_sse_fields (void)
{
  /* One leading space is dropped, no more. */
  assert_sse ("data:x\n\n", -1, "message|(null)|x\n");
  assert_sse ("data:  two\n\n", -1, "message|(null)| two\n");
  assert_sse ("data: x \n\n", -1, "message|(null)|x \n");
  assert_sse ("data:\tx\n\n", -1, "message|(null)|\\x09x\n");
  /* Only the first colon separates. */
  assert_sse ("data: a: b:c\n\n", -1, "message|(null)|a: b:c\n");
  /* A line without a colon is a field with an empty value. */
  assert_sse ("data\ndata\n\n", -1, "message|(null)|\\n\n");
  assert_sse ("event\ndata: x\n\n", -1, "message|(null)|x\n");
  /* Unknown fields and case differences are ignored. */
  assert_sse ("foo: bar\nDATA: no\nData: no\ndata: yes\n\n", -1, "message|(null)|yes\n");
  /* Field names are not trimmed. */
  assert_sse (" data: no\ndata : no\n\n", -1, "");
}

static void
test_sse_multiline (void)
{
  assert_sse ("data: first\ndata: second\ndata:\ndata: fourth\n\n", -1,
              "message|(null)|first\\nsecond\\n\\nfourth\n");
  /* Several events in one piece. */
  assert_sse ("data: 1\n\ndata: 2\n\ndata: 3\n\n", -1,
              "message|(null)|1\nmessage|(null)|2\nmessage|(null)|3\n");
}

static void
test_sse_event_type (void)
{
  /* The type applies to one event, then falls back to "message". */
  assert_sse ("event: add\ndata: x\n\ndata: y\n\n", -1,
              "add|(null)|x\nmessage|(null)|y\n");
  /* The last event: field wins. */
  assert_sse ("event: a\nevent: b\ndata: x\n\n", -1, "b|(null)|x\n");
  /* An empty event: field means "message". */
  assert_sse ("event: a\nevent:\ndata: x\n\n", -1, "message|(null)|x\n");
  assert_sse ("event: response.output_text.delta\r\ndata: {}\r\n\r\n", -1,
              "response.output_text.delta|(null)|{}\n");
}

static void
test_sse_id (void)
{
  static const char input[] =
    "id: 1\ndata: a\n\n"
    "data: b\n\n"                 /* keeps the last id */
    "id: 2\0x\ndata: c\n\n"       /* an id with NUL is ignored */
    "id: 3\n\n"                   /* no data: no event, but the id is set */
    "data: d\n\n"
    "id\ndata: e\n\n"             /* an empty id resets it */
    "id: é\ndata: f\n\n";

  assert_sse (input, sizeof input - 1,
              "message|1|a\n"
              "message|1|b\n"
              "message|1|c\n"
              "message|3|d\n"
              "message|(null)|e\n"
              "message|\\xc3\\xa9|f\n");
}

static void
test_sse_retry (void)
{
  static const struct {
    const char *input;
    gint64      retry;
  } cases[] = {
    { "data: x\n\n", -1 },
    { "retry: 1500\n", 1500 },
    { "retry:0\n", 0 },
    { "retry: 1500\nretry: 15x\n", 1500 },
    { "retry: -1\n", -1 },
    { "retry:\n", -1 },
    { "retry\n", -1 },
    { "retry: 2000 \n", -1 },
    { "retry:  2000\n", -1 },
    { "retry: 1e3\n", -1 },
    { "retry: ３\n", -1 },   /* a fullwidth digit is not an ASCII digit */
    { "retry: 99999999999999999999999\n", G_MAXINT64 },
    { "retry: 10\nretry: 20\n", 20 },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gint64 retry = -2;
      g_autofree char *log = parse_sse (cases[i].input, strlen (cases[i].input), 1, &retry);

      g_test_message ("case %u: %s", i, cases[i].input);
      g_assert_cmpint (retry, ==, cases[i].retry);
    }
}

static void
test_sse_empty_data (void)
{
  /* No data: no dispatch, and the type is reset. */
  assert_sse ("event: ping\n\ndata: x\n\n", -1, "message|(null)|x\n");
  assert_sse ("\n\n\n\r\n\r", -1, "");
  /* An empty data: line makes the buffer "\n", which is not empty: the
   * event is dispatched with empty data (WHATWG). */
  assert_sse ("event: ping\ndata:\n\n", -1, "ping|(null)|\n");
}

static void
test_sse_finish_discards (void)
{
  Recorder rec = { g_string_new (NULL), 0, 0 };
  g_autoptr(CsSseParser) parser = cs_sse_parser_new (record_event, &rec);
  g_autofree char *log = NULL;

  assert_sse ("data: complete\n\ndata: no blank line\n", -1, "message|(null)|complete\n");
  assert_sse ("data: complete\n\ndata: no line end", -1, "message|(null)|complete\n");
  assert_sse ("data: cr then eof\r", -1, "");

  /* After finish, the parser starts over: nothing leaks into the next
   * stream. */
  cs_sse_parser_feed (parser, "event: stale\ndata: stale\n", 25);
  cs_sse_parser_feed (parser, "data: half", 10);
  cs_sse_parser_finish (parser);
  g_assert_cmpuint (rec.n_events, ==, 0);
  cs_sse_parser_feed (parser, "data: fresh\n\n", 13);
  cs_sse_parser_finish (parser);

  log = g_string_free (rec.log, FALSE);
  g_assert_cmpstr (log, ==, "message|(null)|fresh\n");
}

static void
test_sse_not_line_ends (void)
{
  /* U+2028, U+2029, NEL (U+0085), VT and FF are data, not line ends; so
   * is a NUL byte. */
  static const char input[] =
    "data: a\xE2\x80\xA8" "b\xE2\x80\xA9" "c\xC2\x85" "d\x0B" "e\x0C" "f\0g\n\n";

  assert_sse (input, sizeof input - 1,
              "message|(null)|a\\xe2\\x80\\xa8b\\xe2\\x80\\xa9c\\xc2\\x85d\\x0be\\x0cf\\x00g\n");
}

static void
test_sse_utf8_split (void)
{
  static const char input[] = "data: é日本語🚀\n\n";
  gsize len = sizeof input - 1;
  gsize split;

  /* Every split point, including inside each multi-byte sequence. */
  for (split = 0; split <= len; split++)
    {
      Recorder rec = { g_string_new (NULL), 0, 0 };
      g_autoptr(CsSseParser) parser = cs_sse_parser_new (record_event, &rec);
      g_autofree char *log = NULL;

      cs_sse_parser_feed (parser, input, split);
      cs_sse_parser_feed (parser, input + split, len - split);
      cs_sse_parser_finish (parser);

      log = g_string_free (rec.log, FALSE);
      g_assert_cmpstr (log, ==,
                       "message|(null)|\\xc3\\xa9\\xe6\\x97\\xa5\\xe6\\x9c\\xac\\xe8\\xaa\\x9e"
                       "\\xf0\\x9f\\x9a\\x80\n");
    }
}

typedef struct {
  guint  n_events;
  gsize  len;
  char  *data;
} LongRecorder;

static void
record_long (const CsSseEvent *event,
             gpointer          user_data)
{
  LongRecorder *rec = user_data;

  rec->n_events++;
  rec->len = event->data_len;
  g_free (rec->data);
  rec->data = g_memdup2 (event->data, event->data_len + 1);
}

static void
test_sse_long_line (void)
{
  const gsize line_len = 1024 * 1024;
  static const gsize pieces[] = { 0, 16384, 4093, 1 };
  g_autoptr(GString) input = g_string_new ("data: ");
  g_autofree char *expected = NULL;
  guint i;
  gsize j;

  /* 1 MiB of varied printable text on one line, then a second line. */
  for (j = 0; j < line_len; j++)
    g_string_append_c (input, 'a' + (j * 7) % 26);
  g_string_append (input, "\ndata: tail\r\n\r\n");

  expected = g_strdup_printf ("%.*s\ntail", (int) line_len, input->str + 6);

  for (i = 0; i < G_N_ELEMENTS (pieces); i++)
    {
      LongRecorder rec = { 0, 0, NULL };
      g_autoptr(CsSseParser) parser = cs_sse_parser_new (record_long, &rec);
      gsize piece = pieces[i] ? pieces[i] : input->len;
      gsize off;

      for (off = 0; off < input->len; off += piece)
        cs_sse_parser_feed (parser, input->str + off, MIN (piece, input->len - off));
      cs_sse_parser_finish (parser);

      g_assert_cmpuint (rec.n_events, ==, 1);
      g_assert_cmpuint (rec.len, ==, line_len + 5);
      g_assert_true (memcmp (rec.data, expected, rec.len) == 0);
      g_free (rec.data);
    }
}

static guint
count_lines (const char *str)
{
  guint n = 0;

  for (; *str != '\0'; str++)
    n += *str == '\n';

  return n;
}

static GBytes *
load_stream (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "streams", name, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);

  return g_bytes_new_take (contents, len);
}

/* Every recorded SSE stream gives the same events however it is split. */
static void
test_sse_recorded_splits (void)
{
  g_autofree char *dir = g_test_build_filename (G_TEST_DIST, "data", "streams", NULL);
  g_autoptr(GDir) gdir = NULL;
  g_autoptr(GError) error = NULL;
  const char *name;
  guint n_files = 0;

  gdir = g_dir_open (dir, 0, &error);
  g_assert_no_error (error);

  while ((name = g_dir_read_name (gdir)) != NULL)
    {
      g_autoptr(GBytes) bytes = NULL;
      g_autofree char *whole = NULL;
      g_autofree char *one = NULL;
      const char *data;
      gsize len;
      gsize split;
      guint round;

      if (!g_str_has_suffix (name, ".sse"))
        continue;

      n_files++;
      bytes = load_stream (name);
      data = g_bytes_get_data (bytes, &len);

      whole = parse_sse (data, len, 0, NULL);
      one = parse_sse (data, len, 1, NULL);
      g_test_message ("%s: %s", name, whole);
      g_assert_cmpstr (one, ==, whole);

      /* Each split point in two. */
      for (split = 0; split <= len; split++)
        {
          Recorder rec = { g_string_new (NULL), 0, 0 };
          g_autoptr(CsSseParser) parser = cs_sse_parser_new (record_event, &rec);
          g_autofree char *log = NULL;

          cs_sse_parser_feed (parser, data, split);
          cs_sse_parser_feed (parser, data + split, len - split);
          cs_sse_parser_finish (parser);
          log = g_string_free (rec.log, FALSE);
          g_assert_cmpstr (log, ==, whole);
        }

      /* Random pieces. */
      for (round = 0; round < 20; round++)
        {
          Recorder rec = { g_string_new (NULL), 0, 0 };
          g_autoptr(CsSseParser) parser = cs_sse_parser_new (record_event, &rec);
          g_autofree char *log = NULL;
          gsize off = 0;

          while (off < len)
            {
              gsize piece = g_test_rand_int_range (0, 64);

              piece = MIN (piece, len - off);

              cs_sse_parser_feed (parser, data + off, piece);
              off += piece;
            }
          cs_sse_parser_finish (parser);
          log = g_string_free (rec.log, FALSE);
          g_assert_cmpstr (log, ==, whole);
        }
    }

  g_assert_cmpuint (n_files, >=, 10);
}

/* The line-ending variants of one recording give the same events. */
static void
test_sse_recorded_variants (void)
{
  static const char *variants[] = {
    "openai-chat-crlf.sse", "openai-chat-cr.sse", "openai-chat-bom.sse",
  };
  g_autoptr(GBytes) basic = load_stream ("openai-chat-basic.sse");
  g_autofree char *expected = parse_sse (g_bytes_get_data (basic, NULL),
                                         g_bytes_get_size (basic), 0, NULL);
  guint i;

  /* The role chunk, 9 content chunks, finish, usage and [DONE]. */
  g_assert_cmpuint (count_lines (expected), ==, 13);
  for (i = 0; i < G_N_ELEMENTS (variants); i++)
    {
      g_autoptr(GBytes) bytes = load_stream (variants[i]);
      g_autofree char *log = parse_sse (g_bytes_get_data (bytes, NULL),
                                        g_bytes_get_size (bytes), 1, NULL);

      g_assert_cmpstr (log, ==, expected);
    }
}

/* NDJSON */

static void
record_line (const char *line,
             gsize       len,
             gpointer    user_data)
{
  GString *log = user_data;

  g_assert_cmpuint (strlen (line), ==, len);
  g_assert_cmpuint (len, >, 0);
  append_escaped (log, line, len);
  g_string_append_c (log, '\n');
}

static char *
parse_ndjson (const char *input,
              gsize       len,
              gsize       piece)
{
  GString *log = g_string_new (NULL);
  g_autoptr(CsNdjsonParser) parser = cs_ndjson_parser_new (record_line, log);
  gsize off;

  if (piece == 0)
    piece = MAX (len, 1);

  for (off = 0; off < len; off += piece)
    cs_ndjson_parser_feed (parser, input + off, MIN (piece, len - off));
  cs_ndjson_parser_finish (parser);

  return g_string_free (log, FALSE);
}

static void
assert_ndjson (const char *input,
               const char *expected)
{
  static const gsize pieces[] = { 0, 1, 2, 3, 7 };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (pieces); i++)
    {
      g_autofree char *log = parse_ndjson (input, strlen (input), pieces[i]);

      g_assert_cmpstr (log, ==, expected);
    }
}

static void
test_ndjson_lines (void)
{
  assert_ndjson ("{\"a\":1}\n{\"b\":2}\n", "{\"a\":1}\n{\"b\":2}\n");
  assert_ndjson ("{\"a\":1}\r\n{\"b\":2}\r\n", "{\"a\":1}\n{\"b\":2}\n");
  /* Blank and whitespace-only lines are skipped. */
  assert_ndjson ("\n\r\n  \n{\"a\":1}\n\t\r\n\n", "{\"a\":1}\n");
  /* U+2028 is not a line end. */
  assert_ndjson ("{\"a\":\"x\xE2\x80\xA8y\"}\n", "{\"a\":\"x\\xe2\\x80\\xa8y\"}\n");
  assert_ndjson ("", "");
}

static void
test_ndjson_final_line (void)
{
  GString *log = g_string_new (NULL);
  g_autoptr(CsNdjsonParser) parser = cs_ndjson_parser_new (record_line, log);
  g_autofree char *result = NULL;

  /* The last line arrives without a newline: it is held back until the
   * stream ends, then delivered. */
  cs_ndjson_parser_feed (parser, "{\"n\":1}\n{\"done\":", 16);
  g_assert_cmpstr (log->str, ==, "{\"n\":1}\n");
  cs_ndjson_parser_feed (parser, "true}", 5);
  g_assert_cmpstr (log->str, ==, "{\"n\":1}\n");
  cs_ndjson_parser_finish (parser);
  g_assert_cmpstr (log->str, ==, "{\"n\":1}\n{\"done\":true}\n");

  /* finish() again delivers nothing new. */
  cs_ndjson_parser_finish (parser);
  result = g_string_free (log, FALSE);
  g_assert_cmpstr (result, ==, "{\"n\":1}\n{\"done\":true}\n");

  assert_ndjson ("{\"a\":1}\n{\"b\":2}\r", "{\"a\":1}\n{\"b\":2}\n");
}

static void
test_ndjson_recorded_splits (void)
{
  static const char *names[] = {
    "ollama-chat.ndjson", "ollama-chat-crlf.ndjson", "ollama-chat-no-final-newline.ndjson",
  };
  g_autofree char *expected = NULL;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(GBytes) bytes = load_stream (names[i]);
      const char *data;
      gsize len;
      gsize split;
      g_autofree char *whole = NULL;

      data = g_bytes_get_data (bytes, &len);
      whole = parse_ndjson (data, len, 0);
      if (expected == NULL)
        expected = g_strdup (whole);
      g_assert_cmpstr (whole, ==, expected);

      for (split = 0; split <= len; split++)
        {
          GString *log = g_string_new (NULL);
          g_autoptr(CsNdjsonParser) parser = cs_ndjson_parser_new (record_line, log);
          g_autofree char *result = NULL;

          cs_ndjson_parser_feed (parser, data, split);
          cs_ndjson_parser_feed (parser, data + split, len - split);
          cs_ndjson_parser_finish (parser);
          result = g_string_free (log, FALSE);
          g_assert_cmpstr (result, ==, expected);
        }
    }

  /* Five lines, the same for all three recordings. */
  g_assert_cmpuint (count_lines (expected), ==, 5);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sse/line-endings", test_sse_line_endings);
  g_test_add_func ("/sse/crlf-split", test_sse_crlf_split);
  g_test_add_func ("/sse/bom", test_sse_bom);
  g_test_add_func ("/sse/bom-after-finish", test_sse_bom_after_finish);
  g_test_add_func ("/sse/comments", test_sse_comments);
  g_test_add_func ("/sse/fields", test_sse_fields);
  g_test_add_func ("/sse/multiline", test_sse_multiline);
  g_test_add_func ("/sse/event-type", test_sse_event_type);
  g_test_add_func ("/sse/id", test_sse_id);
  g_test_add_func ("/sse/retry", test_sse_retry);
  g_test_add_func ("/sse/empty-data", test_sse_empty_data);
  g_test_add_func ("/sse/finish-discards", test_sse_finish_discards);
  g_test_add_func ("/sse/not-line-ends", test_sse_not_line_ends);
  g_test_add_func ("/sse/utf8-split", test_sse_utf8_split);
  g_test_add_func ("/sse/long-line", test_sse_long_line);
  g_test_add_func ("/sse/recorded-splits", test_sse_recorded_splits);
  g_test_add_func ("/sse/recorded-variants", test_sse_recorded_variants);
  g_test_add_func ("/ndjson/lines", test_ndjson_lines);
  g_test_add_func ("/ndjson/final-line", test_ndjson_final_line);
  g_test_add_func ("/ndjson/recorded-splits", test_ndjson_recorded_splits);

  return g_test_run ();
}
