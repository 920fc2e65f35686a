/* bench-sse.c: throughput of the SSE parser and the stream decoder
 *
 * Builds a large, realistic Chat Completions stream in memory (content
 * deltas of varied length with non-ASCII text and JSON escapes, some
 * reasoning deltas, keep-alive comments, CRLF and LF line ends), feeds it in
 * 16 KiB pieces through the SSE parser alone and through the full decoder,
 * five times each, and prints the median throughput.
 *
 * Usage: bench-sse [MEGABYTES]   (default 64)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bench-sse"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "cs-sse-parser.h"
#include "cs-stream-decoder.h"

#define PIECE_SIZE (16 * 1024)
#define N_ROUNDS   5

static const char *words[] = {
  "the", "service", "queue", "database", "latency", "throughput", "shard",
  "replica", "cache", "Kafka", "PostgreSQL", "résumé", "naïve", "Überblick",
  "日本語", "数据库", "🚀", "—", "→", "\\n", "\\n\\n", "\\\"quoted\\\"",
  "`code`", "**bold**", "- item", "1.", "{", "}", "\\t", "p99", "SLO", "99.95%",
  "$1,200/month", "idempotent", "back-pressure", "e.g.", "i.e.", "\\u00e9",
};

static GString *
build_stream (gsize target)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20250101);
  GString *out = g_string_sized_new (target + 4096);
  guint64 n = 0;

  while (out->len < target)
    {
      guint n_words = g_rand_int_range (rand, 1, 12);
      gboolean reasoning = g_rand_int_range (rand, 0, 10) == 0;
      const char *eol = g_rand_int_range (rand, 0, 4) == 0 ? "\r\n" : "\n";
      guint i;

      if (g_rand_int_range (rand, 0, 200) == 0)
        g_string_append_printf (out, ": keep-alive%s%s", eol, eol);

      g_string_append_printf (out,
                              "data: {\"id\":\"chatcmpl-CQ7xK2mZr%06" G_GUINT64_FORMAT "\","
                              "\"object\":\"chat.completion.chunk\",\"created\":1760000000,"
                              "\"model\":\"gpt-5-mini-2025-08-07\",\"service_tier\":\"default\","
                              "\"system_fingerprint\":null,\"choices\":[{\"index\":0,\"delta\":{\"%s\":\"",
                              n % 1000000, reasoning ? "reasoning_content" : "content");
      for (i = 0; i < n_words; i++)
        {
          if (i > 0 || g_rand_boolean (rand))
            g_string_append_c (out, ' ');
          g_string_append (out, words[g_rand_int_range (rand, 0, G_N_ELEMENTS (words))]);
        }
      g_string_append_printf (out,
                              "\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null,"
                              "\"obfuscation\":\"%08x\"}%s%s",
                              g_rand_int (rand), eol, eol);
      n++;
    }

  g_string_append (out,
                   "data: {\"id\":\"chatcmpl-CQ7xK2mZr\",\"object\":\"chat.completion.chunk\","
                   "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
                   "data: {\"id\":\"chatcmpl-CQ7xK2mZr\",\"object\":\"chat.completion.chunk\","
                   "\"choices\":[],\"usage\":{\"prompt_tokens\":100,\"completion_tokens\":900000,"
                   "\"total_tokens\":900100}}\n\n"
                   "data: [DONE]\n\n");

  return out;
}

typedef struct {
  guint64 n_events;
  guint64 n_bytes;
  gboolean done;
} Counts;

static void
count_sse_event (const CsSseEvent *event,
                 gpointer          user_data)
{
  Counts *counts = user_data;

  counts->n_events++;
  counts->n_bytes += event->data_len;
}

static void
count_stream_event (const CsStreamEvent *event,
                    gpointer             user_data)
{
  Counts *counts = user_data;

  counts->n_events++;
  counts->n_bytes += event->len;
  if (event->type == CS_STREAM_EVENT_DONE)
    counts->done = TRUE;
  if (event->type == CS_STREAM_EVENT_ERROR)
    {
      g_printerr ("bench-sse: unexpected error event: %s\n", event->text);
      exit (EXIT_FAILURE);
    }
}

static double
run_sse (const GString *stream,
         Counts        *counts)
{
  g_autoptr(CsSseParser) parser = NULL;
  gint64 start;
  gsize off;

  memset (counts, 0, sizeof *counts);
  parser = cs_sse_parser_new (count_sse_event, counts);

  start = g_get_monotonic_time ();
  for (off = 0; off < stream->len; off += PIECE_SIZE)
    cs_sse_parser_feed (parser, stream->str + off, MIN (PIECE_SIZE, stream->len - off));
  cs_sse_parser_finish (parser);

  return (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
}

static double
run_decoder (const GString *stream,
             Counts        *counts)
{
  g_autoptr(CsStreamDecoder) decoder = NULL;
  gint64 start;
  gsize off;

  memset (counts, 0, sizeof *counts);
  decoder = cs_stream_decoder_new (CS_API_OPENAI_CHAT, count_stream_event, counts);

  start = g_get_monotonic_time ();
  for (off = 0; off < stream->len; off += PIECE_SIZE)
    cs_stream_decoder_feed (decoder, stream->str + off, MIN (PIECE_SIZE, stream->len - off));
  if (!cs_stream_decoder_finish (decoder))
    {
      g_printerr ("bench-sse: the decoder did not see the end of the stream\n");
      exit (EXIT_FAILURE);
    }

  return (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return x < y ? -1 : x > y ? 1 : 0;
}

static double
median_mb_per_s (const GString *stream,
                 double       (*run) (const GString *, Counts *),
                 Counts        *counts)
{
  double rates[N_ROUNDS];
  guint i;

  for (i = 0; i < N_ROUNDS; i++)
    {
      double seconds = run (stream, counts);

      rates[i] = stream->len / (1024.0 * 1024.0) / MAX (seconds, 1e-9);
    }

  qsort (rates, N_ROUNDS, sizeof rates[0], compare_doubles);

  return rates[N_ROUNDS / 2];
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GString) stream = NULL;
  gsize megabytes = 64;
  Counts sse_counts;
  Counts decoder_counts;
  double sse_rate;
  double decoder_rate;

  if (argc > 1)
    {
      guint64 value = 0;

      if (!g_ascii_string_to_unsigned (argv[1], 10, 1, 4096, &value, NULL))
        {
          g_printerr ("Usage: %s [MEGABYTES]\n", argv[0]);
          return EXIT_FAILURE;
        }
      megabytes = value;
    }

  stream = build_stream (megabytes * 1024 * 1024);

  sse_rate = median_mb_per_s (stream, run_sse, &sse_counts);
  decoder_rate = median_mb_per_s (stream, run_decoder, &decoder_counts);

  printf ("input: %.1f MB, %" G_GUINT64_FORMAT " SSE events, %" G_GUINT64_FORMAT
          " decoder events, %d-byte pieces\n",
          stream->len / (1024.0 * 1024.0), sse_counts.n_events,
          decoder_counts.n_events, PIECE_SIZE);
  printf ("sse-parser: %.1f MB/s (median of %d)\n", sse_rate, N_ROUNDS);
  printf ("decoder: %.1f MB/s (median of %d)\n", decoder_rate, N_ROUNDS);

  return EXIT_SUCCESS;
}
