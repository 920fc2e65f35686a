/* fuzz-partial.c: libFuzzer harness for closing a streamed JSON prefix
 *
 * The input is what a candidate has streamed so far, any bytes of any
 * length: cs_json_close_partial () and cs_json_parse_partial () on exactly
 * those bytes (a heap copy of that size, so that AddressSanitizer sees a read
 * past the end). Checks: the closed text is NULL iff the input holds no '{',
 * else it starts with '{' and is at most the input's length +
 * CS_JSON_DEFAULT_MAX_DEPTH + 1 long; a parsed result is an object; the
 * NUL-terminated form (length -1) gives what the bytes up to the first NUL
 * give. When the input is itself one strict JSON object, closing it gives
 * it back (same cs_json_to_string () text), and every prefix of it (256 of
 * them past 1 KiB) closes to NULL (no '{' yet) or to an object whose
 * top-level members never get fewer as the prefix grows.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "cs-json-parse.h"
#include "cs-json-partial.h"
#include "cs-json-util.h"
#include "fuzz-common.h"

/* Checking every prefix of a strict object costs O(size²): up to this size
 * every cut is checked, past it N_CUTS cuts, one in each of N_CUTS equal
 * slices at an offset the input's hash picks (so that mutations move them). */
#define EVERY_CUT_MAX 1024
#define N_CUTS 256

/* Closes data[0, len) and checks what holds for any bytes. */
static char *
close_checked (const guint8 *data,
               gsize         len)
{
  char *closed = cs_json_close_partial ((const char *) data, (gssize) len);
  gboolean has_open = len > 0 && memchr (data, '{', len) != NULL;

  if (closed == NULL)
    {
      if (has_open)
        fuzz_fail ("NULL although the %" G_GSIZE_FORMAT " bytes hold a '{'", len);
      return NULL;
    }
  if (!has_open)
    fuzz_fail ("not NULL although the %" G_GSIZE_FORMAT " bytes hold no '{': %s", len, closed);
  fuzz_check (closed[0] == '{');
  if (strlen (closed) > len + CS_JSON_DEFAULT_MAX_DEPTH + 1)
    fuzz_fail ("%" G_GSIZE_FORMAT " bytes closed into %" G_GSIZE_FORMAT,
               len, strlen (closed));
  return closed;
}

/* The number of top-level members the prefix data[0, cut) closes into, or -1
 * when it holds no '{' yet. */
static int
prefix_members (const guint8 *data,
                gsize         cut)
{
  g_autofree guint8 *copy = g_malloc (MAX (cut, 1));
  g_autofree char *closed = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  memcpy (copy, data, cut);
  closed = close_checked (copy, cut);
  if (closed == NULL)
    return -1;
  node = cs_json_parse_bounded (closed, -1, 0, &error);
  if (node == NULL)
    fuzz_fail ("the first %" G_GSIZE_FORMAT " bytes of a JSON object close into "
               "what is not JSON (%s):\n%s", cut, error->message, closed);
  fuzz_check (JSON_NODE_HOLDS_OBJECT (node));
  return (int) json_object_get_size (json_node_get_object (node));
}

/* Checks the prefix data[0, cut); *@last: the members of the last shorter
 * prefix checked. */
static void
check_cut (const guint8 *data,
           gsize         cut,
           int          *last)
{
  int members = prefix_members (data, cut);

  if (members < *last)
    fuzz_fail ("the first %" G_GSIZE_FORMAT " bytes close into %d members, fewer "
               "than a shorter prefix (%d)", cut, members, *last);
  *last = members;
}

/* @data is one strict JSON object, @whole its parse. */
static void
check_object (const guint8 *data,
              gsize         size,
              JsonNode     *whole)
{
  g_autoptr(JsonNode) closed = cs_json_parse_partial ((const char *) data, (gssize) size);
  g_autofree char *expected = cs_json_to_string (whole, FALSE);
  g_autofree char *got = NULL;
  int last = -1;
  gsize cut;

  if (closed == NULL)
    fuzz_fail ("a whole JSON object does not close into JSON:\n%s", expected);
  got = cs_json_to_string (closed, FALSE);
  if (g_strcmp0 (expected, got) != 0)
    fuzz_fail ("a whole JSON object closes into another:\n--- object\n%s\n--- closed\n%s",
               expected, got);

  if (size <= EVERY_CUT_MAX)
    {
      for (cut = 0; cut < size; cut++)
        check_cut (data, cut, &last);
    }
  else
    {
      guint32 hash = 2166136261u;   /* FNV-1a */
      gsize slice = size / N_CUTS;

      for (cut = 0; cut < size; cut++)
        hash = (hash ^ data[cut]) * 16777619u;
      for (guint k = 0; k < N_CUTS; k++)
        {
          hash = hash * 1103515245u + 12345u;
          check_cut (data, k * slice + (hash >> 8) % slice, &last);
        }
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *closed = NULL;
  g_autofree char *text = NULL;
  g_autofree char *closed_text = NULL;
  g_autoptr(JsonNode) parsed = NULL;
  g_autoptr(JsonNode) whole = NULL;

  fuzz_setup ();

  closed = close_checked (data, size);
  parsed = cs_json_parse_partial ((const char *) data, (gssize) size);
  if (parsed != NULL)
    {
      fuzz_check (closed != NULL);
      fuzz_check (JSON_NODE_HOLDS_OBJECT (parsed));
    }

  /* Length -1: up to the first NUL, as a C string. */
  text = fuzz_strndup (data, size);
  closed_text = cs_json_close_partial (text, -1);
  {
    g_autofree char *closed_cut = cs_json_close_partial (text, (gssize) strlen (text));

    if (g_strcmp0 (closed_text, closed_cut) != 0)
      fuzz_fail ("length -1 and strlen () close differently:\n%s\n%s", closed_text, closed_cut);
  }

  whole = cs_json_parse_bounded ((const char *) data, (gssize) size, 0, NULL);
  if (whole != NULL && JSON_NODE_HOLDS_OBJECT (whole))
    check_object (data, size, whole);

  return 0;
}
