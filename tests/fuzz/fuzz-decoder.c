/* fuzz-decoder.c: libFuzzer harness for the provider stream decoder
 *
 * Header byte (fuzz-common.h): bits 3-4 choose the dialect (Chat
 * Completions, Responses, Ollama; 3 wraps to Chat), the low bits how the
 * body is cut. The body is decoded whole and in pieces: events, the finish()
 * result and the byte count must be identical, and obey
 * cs-stream-decoder.h.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "cs-stream-decoder.h"
#include "fuzz-common.h"

typedef struct {
  GString  *log;
  gboolean  done;
} Recorder;

static void
event_cb (const CsStreamEvent *event,
          gpointer             user_data)
{
  Recorder *rec = user_data;

  fuzz_check (event != NULL);
  fuzz_check (!rec->done);  /* nothing after DONE */
  fuzz_check (event->type <= CS_STREAM_EVENT_DONE);
  fuzz_check (event->text != NULL);
  fuzz_check (event->text[event->len] == '\0');
  fuzz_check (strlen (event->text) == event->len);
  fuzz_check (g_utf8_validate (event->text, event->len, NULL));
  if (event->code != NULL)
    fuzz_check (g_utf8_validate (event->code, -1, NULL));

  switch (event->type)
    {
    case CS_STREAM_EVENT_TEXT:
    case CS_STREAM_EVENT_REASONING:
    case CS_STREAM_EVENT_REFUSAL:
      fuzz_check (event->len > 0);
      break;
    case CS_STREAM_EVENT_USAGE:
    case CS_STREAM_EVENT_DONE:
      fuzz_check (event->len == 0);
      break;
    case CS_STREAM_EVENT_FINISH:
    case CS_STREAM_EVENT_ERROR:
    default:
      break;
    }

  if (event->type != CS_STREAM_EVENT_USAGE)
    {
      fuzz_check (event->input_tokens == -1);
      fuzz_check (event->output_tokens == -1);
      fuzz_check (event->reasoning_tokens == -1);
    }
  else
    {
      fuzz_check (event->input_tokens >= -1);
      fuzz_check (event->output_tokens >= -1);
      fuzz_check (event->reasoning_tokens >= -1);
    }

  if (event->type == CS_STREAM_EVENT_DONE)
    rec->done = TRUE;

  g_string_append_printf (rec->log, "%d/%u/%" G_GSIZE_FORMAT ":%s/%s/%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT "\n",
                          (int) event->type, event->choice, event->len, event->text,
                          event->code ? event->code : "(null)",
                          event->input_tokens, event->output_tokens, event->reasoning_tokens);
}

static void
feed (gpointer    decoder,
      const char *data,
      gsize       len)
{
  cs_stream_decoder_feed (decoder, data, len);
}

static void
run (CsApiDialect      dialect,
     const FuzzPieces *pieces,
     GString          *log)
{
  Recorder rec = { log, FALSE };
  g_autoptr(CsStreamDecoder) decoder = cs_stream_decoder_new (dialect, event_cb, &rec);
  gboolean ended;
  gsize bytes;

  fuzz_pieces_foreach (pieces, feed, decoder);
  bytes = cs_stream_decoder_get_bytes (decoder);
  fuzz_check (bytes <= pieces->stream_len);
  ended = cs_stream_decoder_finish (decoder);
  /* A stream whose terminator was seen ended properly. */
  if (rec.done)
    fuzz_check (ended);
  g_string_append_printf (log, "finish %d bytes %" G_GSIZE_FORMAT "\n", ended, bytes);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static const CsApiDialect dialects[] = {
    CS_API_OPENAI_CHAT, CS_API_OPENAI_RESPONSES, CS_API_OLLAMA, CS_API_OPENAI_CHAT,
  };
  FuzzPieces pieces, whole;
  CsApiDialect dialect;
  g_autoptr(GString) log_pieces = g_string_new (NULL);
  g_autoptr(GString) log_whole = g_string_new (NULL);

  fuzz_setup ();
  dialect = dialects[fuzz_pieces_init (&pieces, data, size) & 0x3];
  whole = pieces;
  whole.n_sizes = 0;

  run (dialect, &pieces, log_pieces);
  run (dialect, &whole, log_whole);
  if (!g_string_equal (log_pieces, log_whole))
    fuzz_fail ("decoded events depend on how the stream is cut (dialect %d):\n--- whole\n%s\n--- pieces\n%s",
               (int) dialect, log_whole->str, log_pieces->str);

  return 0;
}
