/* cs-secret-scrub.c: an API key removed from text that came from the
 * network, in every form a server may echo it (the forms are listed in
 * cs-secret-scrub.h)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-secret-scrub"

#include "config.h"

#include <string.h>

#include "cs-secret-scrub.h"

#define MIN_SECRET_BYTES    4
#define MIN_NEEDLE_CHARS    8
/* a key cut off at the end of a text is redacted from this many bytes on */
#define MIN_CUT_KEY_BYTES   8

struct _CsScrubber
{
  char      *secret;    /* NULL: nothing to scrub */
  gsize      len;
  GPtrArray *base64;    /* of char*: the key's part of base64 encodings */
};

struct _CsScrubStream
{
  const CsScrubber *scrubber;
  GString          *pending;
};

static void
wipe_free (gpointer data)
{
  char *s = data;

  if (s == NULL)
    return;
  memset (s, 0, strlen (s));
  g_free (s);
}

/* The characters of base64 (@shift bytes of anything) + key (+ anything)
 * that depend on the key's bytes alone. */
static char *
base64_needle (const char *secret,
               gsize       len,
               guint       shift,
               gboolean    url_safe)
{
  g_autofree guchar *data = g_malloc0 (shift + len);
  g_autofree char *b64 = NULL;
  gsize first = (8 * shift + 5) / 6;
  gsize last = (8 * (shift + len)) / 6;
  char *needle;

  memcpy (data + shift, secret, len);
  b64 = g_base64_encode (data, shift + len);
  memset (data, 0, shift + len);
  if (last <= first || last - first < MIN_NEEDLE_CHARS)
    {
      memset (b64, 0, strlen (b64));
      return NULL;
    }

  needle = g_strndup (b64 + first, last - first);
  memset (b64, 0, strlen (b64));
  if (url_safe)
    g_strdelimit (g_strdelimit (needle, "+", '-'), "/", '_');
  return needle;
}

CsScrubber *
cs_scrubber_new (const char *secret)
{
  CsScrubber *self = g_new0 (CsScrubber, 1);

  self->base64 = g_ptr_array_new_with_free_func (wipe_free);
  if (secret == NULL || strlen (secret) < MIN_SECRET_BYTES)
    return self;

  self->secret = g_strdup (secret);
  self->len = strlen (secret);
  for (guint shift = 0; shift < 3; shift++)
    for (guint url_safe = 0; url_safe < 2; url_safe++)
      {
        char *needle = base64_needle (secret, self->len, shift, url_safe);

        if (needle == NULL)
          continue;
        if (g_ptr_array_find_with_equal_func (self->base64, needle, g_str_equal, NULL))
          wipe_free (needle);
        else
          g_ptr_array_add (self->base64, needle);
      }
  return self;
}

void
cs_scrubber_free (CsScrubber *self)
{
  if (self == NULL)
    return;

  wipe_free (self->secret);
  g_ptr_array_unref (self->base64);
  g_free (self);
}

/* Matching */

typedef enum {
  MATCH_NONE,
  MATCH_FULL,
  MATCH_PARTIAL,   /* the text ends where a match could still go on */
} Match;

static int
hex_value (char c)
{
  return g_ascii_xdigit_value (c);
}

/* Whether the @avail bytes at @q could begin @n hex digits. */
static gboolean
hex_prefix (const char *q,
            gsize       avail)
{
  for (gsize i = 0; i < avail; i++)
    if (hex_value (q[i]) < 0)
      return FALSE;
  return TRUE;
}

/* One byte @k of the key at @q: as itself, %XX, \uXXXX (the backslash
 * possibly doubled), or \/ \".
 * Returns the bytes it takes; 0 when @q is something else, and sets
 * *partial when the text ends before that is known. */
static gsize
match_byte (const char *q,
            const char *end,
            guchar      k,
            gboolean   *partial)
{
  gsize avail = (gsize) (end - q);

  *partial = FALSE;
  if (avail == 0)
    {
      *partial = TRUE;
      return 0;
    }
  if ((guchar) q[0] == k)
    return 1;

  if (q[0] == '%')
    {
      if (avail < 3)
        {
          *partial = hex_prefix (q + 1, avail - 1);
          return 0;
        }
      return hex_value (q[1]) >= 0 && hex_value (q[2]) >= 0 &&
             hex_value (q[1]) * 16 + hex_value (q[2]) == k ? 3 : 0;
    }

  if (q[0] == '\\')
    {
      /* JSON inside JSON doubles the backslash: \\u0073 */
      gsize b = 1;
      const char *u;

      while (b < avail && b < 4 && q[b] == '\\')
        b++;
      if (avail < b + 1)
        {
          *partial = TRUE;
          return 0;
        }
      u = q + b;
      if (u[0] == (char) k && (k == '/' || k == '"'))
        return b + 1;
      if (u[0] != 'u' && u[0] != 'U')
        return 0;
      if (avail < b + 5)
        {
          *partial = hex_prefix (u + 1, avail - b - 1);
          return 0;
        }
      if (!hex_prefix (u + 1, 4))
        return 0;
      return (hex_value (u[1]) << 12 | hex_value (u[2]) << 8 |
              hex_value (u[3]) << 4 | hex_value (u[4])) == k ? b + 5 : 0;
    }

  return 0;
}

/* The key, each byte in any of its forms, at @p. */
static Match
match_encoded (const CsScrubber *self,
               const char       *p,
               const char       *end,
               gsize            *match_len,
               gsize            *key_bytes)
{
  const char *q = p;

  for (gsize i = 0; i < self->len; i++)
    {
      gboolean partial;
      gsize n = match_byte (q, end, (guchar) self->secret[i], &partial);

      if (n == 0)
        {
          *key_bytes = i;
          *match_len = (gsize) (end - p);
          return partial ? MATCH_PARTIAL : MATCH_NONE;
        }
      q += n;
    }
  *key_bytes = self->len;
  *match_len = (gsize) (q - p);
  return MATCH_FULL;
}

static Match
match_base64 (const CsScrubber *self,
              const char       *p,
              const char       *end,
              gsize            *match_len)
{
  gsize avail = (gsize) (end - p);
  Match best = MATCH_NONE;

  for (guint i = 0; i < self->base64->len; i++)
    {
      const char *needle = g_ptr_array_index (self->base64, i);
      gsize n = strlen (needle);

      if (avail >= n && memcmp (p, needle, n) == 0)
        {
          *match_len = n;
          return MATCH_FULL;
        }
      if (avail < n && memcmp (p, needle, avail) == 0)
        best = MATCH_PARTIAL;
    }
  return best;
}

/* What is at @p: the key in some form, possibly cut off by the end of the
 * text (*key_bytes says how much of it is there, for the encoded forms). */
static Match
match_at (const CsScrubber *self,
          const char       *p,
          const char       *end,
          gsize            *match_len,
          gsize            *key_bytes)
{
  Match encoded = match_encoded (self, p, end, match_len, key_bytes);
  Match base64;
  gsize b64_len = 0;

  if (encoded == MATCH_FULL)
    return MATCH_FULL;
  base64 = match_base64 (self, p, end, &b64_len);
  if (base64 == MATCH_FULL)
    {
      *match_len = b64_len;
      return MATCH_FULL;
    }
  return encoded == MATCH_PARTIAL || base64 == MATCH_PARTIAL ? MATCH_PARTIAL : MATCH_NONE;
}

/* Scrubs [@p, @end) into @out. At the end of the text: @final redacts a
 * key cut off there (once MIN_CUT_KEY_BYTES of it are there), otherwise
 * the scan stops; returns where it stopped. */
static const char *
scrub_into (const CsScrubber *self,
            const char       *p,
            const char       *end,
            gboolean          final,
            GString          *out)
{
  while (p < end)
    {
      gsize match_len = 0;
      gsize key_bytes = 0;
      Match m = match_at (self, p, end, &match_len, &key_bytes);

      if (m == MATCH_FULL ||
          (m == MATCH_PARTIAL && final && key_bytes >= MIN_CUT_KEY_BYTES))
        {
          g_string_append (out, CS_SCRUB_REDACTED);
          p += match_len;
          continue;
        }
      if (m == MATCH_PARTIAL && !final)
        return p;

      g_string_append_c (out, *p);
      p++;
    }
  return p;
}

char *
cs_scrubber_scrub (const CsScrubber *self,
                   const char       *text,
                   gssize            len)
{
  GString *out;

  g_return_val_if_fail (self != NULL, NULL);

  if (text == NULL)
    return NULL;
  if (len < 0)
    len = (gssize) strlen (text);
  if (self->secret == NULL)
    return g_strndup (text, (gsize) len);

  out = g_string_sized_new ((gsize) len);
  scrub_into (self, text, text + len, TRUE, out);
  return g_string_free (out, FALSE);
}

char *
cs_scrub_secret (const char *text,
                 const char *secret)
{
  g_autoptr(CsScrubber) scrubber = cs_scrubber_new (secret);

  return cs_scrubber_scrub (scrubber, text, -1);
}

/* Streams */

CsScrubStream *
cs_scrub_stream_new (const CsScrubber *scrubber)
{
  CsScrubStream *self;

  g_return_val_if_fail (scrubber != NULL, NULL);

  self = g_new0 (CsScrubStream, 1);
  self->scrubber = scrubber;
  self->pending = g_string_new (NULL);
  return self;
}

void
cs_scrub_stream_free (CsScrubStream *self)
{
  if (self == NULL)
    return;

  memset (self->pending->str, 0, self->pending->len);
  g_string_free (self->pending, TRUE);
  g_free (self);
}

char *
cs_scrub_stream_feed (CsScrubStream *self,
                      const char    *chunk,
                      gsize          len)
{
  GString *out;
  const char *stop;
  gsize kept;

  g_return_val_if_fail (self != NULL, NULL);

  if (self->scrubber->secret == NULL)
    return g_strndup (chunk, len);

  g_string_append_len (self->pending, chunk, (gssize) len);
  out = g_string_sized_new (self->pending->len);
  stop = scrub_into (self->scrubber, self->pending->str,
                     self->pending->str + self->pending->len, FALSE, out);
  kept = (gsize) (self->pending->str + self->pending->len - stop);
  memmove (self->pending->str, stop, kept);
  memset (self->pending->str + kept, 0, self->pending->len - kept);
  g_string_truncate (self->pending, kept);
  return g_string_free (out, FALSE);
}

char *
cs_scrub_stream_flush (CsScrubStream *self)
{
  char *rest;

  g_return_val_if_fail (self != NULL, NULL);

  rest = cs_scrubber_scrub (self->scrubber, self->pending->str, (gssize) self->pending->len);
  memset (self->pending->str, 0, self->pending->len);
  g_string_truncate (self->pending, 0);
  return rest;
}
