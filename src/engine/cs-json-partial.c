/* cs-json-partial.c: the JSON object a stream has sent so far, closed
 *
 * One pass over the prefix with a small state machine (no recursion): it
 * remembers the last "safe point", a byte offset where every value opened
 * so far is either whole or a container that can simply be closed, and the
 * closers the open containers need there. A string value still open at the
 * end is kept (cut to whole characters and escapes) and closed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-json-partial"

#include "config.h"

#include <string.h>

#include "cs-json-partial.h"
#include "cs-json-schema.h"

typedef enum
{
  EXPECT_KEY,       /* in an object, after '{' or ',' */
  EXPECT_COLON,     /* after a key */
  EXPECT_VALUE,     /* after ':' in an object, or in an array */
  AFTER_VALUE,      /* after a whole value: ',' or the closer next */
} State;

typedef struct
{
  GString *stack;          /* '{' and '[' of the open containers */
  State    state;
  gboolean in_string;
  gboolean string_is_key;
  gboolean escaped;
  gsize    string_start;   /* offset of the opening quote */
  gboolean in_scalar;
  gsize    safe_len;       /* 0: no safe point yet */
  GString *safe_closers;
} Scan;

static void
closers_for (GString    *out,
             GString    *stack)
{
  g_string_truncate (out, 0);
  for (gsize i = stack->len; i > 0; i--)
    g_string_append_c (out, stack->str[i - 1] == '{' ? '}' : ']');
}

static void
mark_safe (Scan  *scan,
           gsize  len)
{
  scan->safe_len = len;
  closers_for (scan->safe_closers, scan->stack);
}

static void
value_done (Scan  *scan,
            gsize  end)
{
  scan->state = AFTER_VALUE;
  mark_safe (scan, end);
}

/* Returns FALSE when the scan must stop (top level closed, or too deep). */
static gboolean
scan_structural (Scan       *scan,
                 const char *text,
                 gsize       i)
{
  char c = text[i];

  switch (c)
    {
    case '{':
    case '[':
      if (scan->stack->len >= CS_JSON_DEFAULT_MAX_DEPTH)
        return FALSE;
      g_string_append_c (scan->stack, c);
      scan->state = c == '{' ? EXPECT_KEY : EXPECT_VALUE;
      mark_safe (scan, i + 1);
      return TRUE;
    case '}':
    case ']':
      if (scan->stack->len == 0 || scan->stack->str[scan->stack->len - 1] != (c == '}' ? '{' : '['))
        return FALSE;   /* not JSON: keep what was safe */
      g_string_truncate (scan->stack, scan->stack->len - 1);
      value_done (scan, i + 1);
      return scan->stack->len > 0;
    case '"':
      scan->in_string = TRUE;
      scan->escaped = FALSE;
      scan->string_start = i;
      scan->string_is_key = scan->stack->str[scan->stack->len - 1] == '{' && scan->state == EXPECT_KEY;
      return TRUE;
    case ':':
      scan->state = EXPECT_VALUE;
      return TRUE;
    case ',':
      scan->state = scan->stack->str[scan->stack->len - 1] == '{' ? EXPECT_KEY : EXPECT_VALUE;
      return TRUE;
    case ' ':
    case '\t':
    case '\r':
    case '\n':
      return TRUE;
    default:
      scan->in_scalar = TRUE;   /* a number, true, false or null */
      return TRUE;
    }
}

static gboolean
is_delimiter (char c)
{
  return c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ':';
}

static gboolean
is_hex (char c)
{
  return g_ascii_isxdigit (c);
}

/* The length of the string body text[start, end) once an escape cut in the
 * middle, a lone high surrogate and a character cut in the middle are
 * dropped. */
static gsize
whole_string_prefix (const char *text,
                     gsize       start,
                     gsize       end)
{
  gsize cut = end;
  gsize i = start;
  const char *valid_end = NULL;

  while (i < end)
    {
      if (text[i] != '\\')
        {
          i++;
          continue;
        }
      if (i + 1 >= end)
        {
          cut = i;
          break;
        }
      if (text[i + 1] != 'u')
        {
          i += 2;
          continue;
        }
      if (i + 6 > end || !is_hex (text[i + 2]) || !is_hex (text[i + 3]) ||
          !is_hex (text[i + 4]) || !is_hex (text[i + 5]))
        {
          cut = i;
          break;
        }
      {
        char hex[5];
        guint unit;

        memcpy (hex, text + i + 2, 4);
        hex[4] = '\0';
        unit = (guint)g_ascii_strtoull (hex, NULL, 16);
        /* a high surrogate whose low half has not arrived whole */
        if (unit >= 0xD800 && unit <= 0xDBFF && i + 12 > end)
          {
            cut = i;
            break;
          }
      }
      i += 6;
    }

  g_utf8_validate (text + start, cut - start, &valid_end);
  return valid_end - text;
}

char *
cs_json_close_partial (const char *text,
                       gssize      len)
{
  g_autoptr(GString) stack = g_string_new (NULL);
  g_autoptr(GString) safe_closers = g_string_new (NULL);
  Scan scan = { stack, EXPECT_KEY, FALSE, FALSE, FALSE, 0, FALSE, 0, safe_closers };
  const char *open;
  gsize length;
  gsize begin;
  gsize i;
  GString *out;

  g_return_val_if_fail (text != NULL || len == 0, NULL);

  length = len < 0 ? strlen (text) : (gsize)len;
  open = length > 0 ? memchr (text, '{', length) : NULL;
  if (open == NULL)
    return NULL;
  begin = open - text;

  for (i = begin; i < length; i++)
    {
      char c = text[i];

      if (scan.in_string)
        {
          if (scan.escaped)
            scan.escaped = FALSE;
          else if (c == '\\')
            scan.escaped = TRUE;
          else if (c == '"')
            {
              scan.in_string = FALSE;
              if (scan.string_is_key)
                scan.state = EXPECT_COLON;
              else
                value_done (&scan, i + 1);
            }
          continue;
        }
      if (scan.in_scalar)
        {
          if (!is_delimiter (c))
            continue;
          scan.in_scalar = FALSE;
          value_done (&scan, i);
        }
      if (!scan_structural (&scan, text, i))
        break;
    }

  out = g_string_new (NULL);
  if (i >= length && scan.in_string && !scan.string_is_key && stack->len > 0)
    {
      gsize body_end = whole_string_prefix (text, scan.string_start + 1, length);

      g_string_append_len (out, text + begin, body_end - begin);
      g_string_append_c (out, '"');
      closers_for (safe_closers, stack);
    }
  else
    g_string_append_len (out, text + begin, scan.safe_len - begin);
  g_string_append_len (out, safe_closers->str, safe_closers->len);
  return g_string_free (out, FALSE);
}

JsonNode *
cs_json_parse_partial (const char *text,
                       gssize      len)
{
  g_autofree char *closed = cs_json_close_partial (text, len);

  if (closed == NULL)
    return NULL;
  return cs_json_parse_bounded (closed, -1, 0, NULL);
}
