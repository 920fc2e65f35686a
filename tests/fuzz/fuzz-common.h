/* fuzz-common.h: shared set-up for the libFuzzer harnesses
 *
 * Every harness defines LLVMFuzzerTestOneInput(). Built with -Dfuzzing=true
 * and clang, it links libFuzzer; otherwise it links fuzz-replay.c, which runs
 * every file of the corpus through it (the fuzz-smoke test suite).
 *
 * Inputs are hostile: a harness must never crash, never hit a g_warning or
 * g_critical (both abort here), never leak and must check the invariants its
 * header promises, aborting with fuzz_fail() when one is broken.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <glib.h>

G_BEGIN_DECLS

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

/* Makes warnings and criticals fatal and keeps debug output quiet. */
static inline void
fuzz_setup (void)
{
  static gboolean done = FALSE;

  if (done)
    return;
  done = TRUE;
  g_log_set_always_fatal (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  g_setenv ("G_MESSAGES_DEBUG", "", TRUE);
}

/* A broken invariant: print why and abort so that the fuzzer keeps the input. */
#define fuzz_fail(...) \
  G_STMT_START { \
    g_printerr ("fuzz invariant broken at %s:%d: ", __FILE__, __LINE__); \
    g_printerr (__VA_ARGS__); \
    g_printerr ("\n"); \
    abort (); \
  } G_STMT_END

#define fuzz_check(cond) \
  G_STMT_START { \
    if (G_UNLIKELY (!(cond))) \
      fuzz_fail ("%s", #cond); \
  } G_STMT_END

/* Splits an input into a stream fed in pieces. The first byte is a header:
 * its low three bits give the number n of size bytes that follow, its high
 * five bits are the harness's to use (fuzz_pieces_init() returns them). The
 * stream is the rest. With n = 0 the stream is fed whole; otherwise in pieces
 * of (size byte % 64) + 1 bytes, the size bytes taken in turn, cyclically. */
typedef struct {
  const guint8 *sizes;
  gsize         n_sizes;
  const guint8 *stream;
  gsize         stream_len;
} FuzzPieces;

static inline guint
fuzz_pieces_init (FuzzPieces   *p,
                  const guint8 *data,
                  gsize         size)
{
  guint header = 0;
  gsize n = 0;

  if (size > 0)
    {
      header = data[0];
      data++;
      size--;
      n = MIN ((gsize) (header & 0x7), size);
    }
  p->sizes = data;
  p->n_sizes = n;
  p->stream = data + n;
  p->stream_len = size - n;
  return header >> 3;
}

/* Calls @feed for each piece in order. */
static inline void
fuzz_pieces_foreach (const FuzzPieces *p,
                     void            (*feed) (gpointer, const char *, gsize),
                     gpointer          user_data)
{
  gsize pos = 0, i = 0;

  if (p->n_sizes == 0)
    {
      feed (user_data, (const char *) p->stream, p->stream_len);
      return;
    }

  while (pos < p->stream_len)
    {
      gsize want = (p->sizes[i % p->n_sizes] % 64) + 1;
      gsize len = MIN (want, p->stream_len - pos);

      feed (user_data, (const char *) p->stream + pos, len);
      pos += len;
      i++;
    }
}

/* A NUL-terminated copy of an input (cut at its first NUL, as C APIs see it). */
static inline char *
fuzz_strndup (const uint8_t *data,
              size_t         size)
{
  return g_strndup ((const char *) data, size);
}

G_END_DECLS
