/* cs-json-parse.c: a bounded, strict JSON parser: checks untrusted text
 * without recursion before json-glib parses it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-json-parse"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "cs-json-parse.h"

typedef struct
{
  const char *data;
  gsize       len;
  gsize       pos;
  GError    **error;
} Scanner;

static gboolean
scan_fail (Scanner    *s,
           const char *format,
           ...) G_GNUC_PRINTF (2, 3);

static gboolean
scan_fail (Scanner    *s,
           const char *format,
           ...)
{
  g_autofree char *msg = NULL;
  guint line = 1, column = 1;
  va_list args;

  for (gsize i = 0; i < s->pos && i < s->len; i++)
    {
      if (s->data[i] == '\n')
        {
          line++;
          column = 1;
        }
      else if (((guchar)s->data[i] & 0xc0) != 0x80)
        column++;
    }

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (s->error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_PARSE,
               "line %u, column %u: %s", line, column, msg);
  return FALSE;
}

/* The character at the scanner's position for a message: 'x', or U+0001
 * for an invisible one. The text is valid UTF-8 (checked before scanning). */
static char *
describe_char (Scanner *s)
{
  gunichar c = g_utf8_get_char (s->data + s->pos);
  char buf[8] = { 0 };

  if (!g_unichar_isgraph (c))
    return g_strdup_printf ("U+%04X", c);
  g_unichar_to_utf8 (c, buf);
  return g_strdup_printf ("'%s'", buf);
}

static void
scan_ws (Scanner *s)
{
  while (s->pos < s->len &&
         (s->data[s->pos] == ' ' || s->data[s->pos] == '\t' ||
          s->data[s->pos] == '\n' || s->data[s->pos] == '\r'))
    s->pos++;
}

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

static gboolean
scan_hex4 (Scanner *s,
           guint   *out)
{
  guint value = 0;

  if (s->len - s->pos < 4)
    return scan_fail (s, "incomplete \\u escape");
  for (guint i = 0; i < 4; i++)
    {
      int h = hex_value (s->data[s->pos + i]);

      if (h < 0)
        return scan_fail (s, "bad \\u escape");
      value = value * 16 + (guint)h;
    }
  s->pos += 4;
  *out = value;
  return TRUE;
}

/* At the opening quote. */
static gboolean
scan_string (Scanner *s)
{
  s->pos++;
  while (s->pos < s->len)
    {
      guchar c = (guchar)s->data[s->pos];

      if (c == '"')
        {
          s->pos++;
          return TRUE;
        }
      if (c < 0x20)
        return scan_fail (s, "control character inside a string");
      if (c != '\\')
        {
          s->pos++;
          continue;
        }

      s->pos++;
      if (s->pos >= s->len)
        break;
      switch (s->data[s->pos])
        {
        case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
          s->pos++;
          break;
        case 'u':
          {
            guint cp;

            s->pos++;
            if (!scan_hex4 (s, &cp))
              return FALSE;
            if (cp >= 0xdc00 && cp <= 0xdfff)
              return scan_fail (s, "lone low surrogate in a \\u escape");
            if (cp >= 0xd800 && cp <= 0xdbff)
              {
                guint low;

                if (s->len - s->pos < 2 || s->data[s->pos] != '\\' || s->data[s->pos + 1] != 'u')
                  return scan_fail (s, "lone high surrogate in a \\u escape");
                s->pos += 2;
                if (!scan_hex4 (s, &low))
                  return FALSE;
                if (low < 0xdc00 || low > 0xdfff)
                  return scan_fail (s, "malformed surrogate pair in a \\u escape");
              }
            break;
          }
        default:
          return scan_fail (s, "invalid escape sequence in a string");
        }
    }
  return scan_fail (s, "unterminated string");
}

static gboolean
scan_number (Scanner *s)
{
  gsize start = s->pos;
  gboolean is_int = TRUE;
  g_autofree char *text = NULL;

  if (s->data[s->pos] == '-')
    s->pos++;
  if (s->pos >= s->len || !g_ascii_isdigit (s->data[s->pos]))
    return scan_fail (s, "invalid number");
  if (s->data[s->pos] == '0')
    s->pos++;
  else
    while (s->pos < s->len && g_ascii_isdigit (s->data[s->pos]))
      s->pos++;

  if (s->pos < s->len && s->data[s->pos] == '.')
    {
      is_int = FALSE;
      s->pos++;
      if (s->pos >= s->len || !g_ascii_isdigit (s->data[s->pos]))
        return scan_fail (s, "invalid number: digits expected after '.'");
      while (s->pos < s->len && g_ascii_isdigit (s->data[s->pos]))
        s->pos++;
    }

  if (s->pos < s->len && (s->data[s->pos] == 'e' || s->data[s->pos] == 'E'))
    {
      is_int = FALSE;
      s->pos++;
      if (s->pos < s->len && (s->data[s->pos] == '+' || s->data[s->pos] == '-'))
        s->pos++;
      if (s->pos >= s->len || !g_ascii_isdigit (s->data[s->pos]))
        return scan_fail (s, "invalid number: digits expected in the exponent");
      while (s->pos < s->len && g_ascii_isdigit (s->data[s->pos]))
        s->pos++;
    }

  text = g_strndup (s->data + start, s->pos - start);
  errno = 0;
  if (is_int)
    {
      g_ascii_strtoll (text, NULL, 10);
      if (errno == ERANGE)
        {
          s->pos = start;
          return scan_fail (s, "integer out of range");
        }
    }
  else if (!isfinite (g_ascii_strtod (text, NULL)))
    {
      s->pos = start;
      return scan_fail (s, "number out of range");
    }
  return TRUE;
}

static gboolean
scan_literal (Scanner    *s,
              const char *word)
{
  gsize n = strlen (word);

  if (s->len - s->pos < n || memcmp (s->data + s->pos, word, n) != 0)
    {
      g_autofree char *what = describe_char (s);

      return scan_fail (s, "unexpected character %s", what);
    }
  s->pos += n;
  return TRUE;
}

/* After '{' or a ',' in an object: a property name and its ':'. */
static gboolean
scan_member_name (Scanner *s)
{
  if (s->pos >= s->len || s->data[s->pos] != '"')
    return scan_fail (s, "expected a property name in double quotes");
  if (!scan_string (s))
    return FALSE;
  scan_ws (s);
  if (s->pos >= s->len || s->data[s->pos] != ':')
    return scan_fail (s, "expected ':' after a property name");
  s->pos++;
  return TRUE;
}

/* What scan_json() does after a step. */
typedef enum
{
  SCAN_FAILED,          /* the error is set */
  SCAN_COMPLETE,        /* a complete value was read */
  SCAN_EXPECT_VALUE,    /* a container was opened or continued: a value follows */
  SCAN_END,             /* the outermost value is complete and nothing follows */
} ScanStep;

/* At '{' or '[': an empty container is a complete value; an object starts
 * with its first property name. */
static ScanStep
scan_open (Scanner    *s,
           GByteArray *stack,
           guint       max_depth)
{
  guint8 open = (guint8)s->data[s->pos];

  if (stack->len >= max_depth)
    {
      scan_fail (s, "nested deeper than %u levels", max_depth);
      return SCAN_FAILED;
    }
  g_byte_array_append (stack, &open, 1);
  s->pos++;
  scan_ws (s);
  if (s->pos < s->len && s->data[s->pos] == (open == '{' ? '}' : ']'))
    {
      s->pos++;
      g_byte_array_set_size (stack, stack->len - 1);
      return SCAN_COMPLETE;
    }
  if (open == '[')
    return SCAN_EXPECT_VALUE;
  return scan_member_name (s) ? SCAN_EXPECT_VALUE : SCAN_FAILED;
}

/* At the first character of a value. */
static ScanStep
scan_value (Scanner    *s,
            GByteArray *stack,
            guint       max_depth)
{
  gboolean ok;

  switch (s->data[s->pos])
    {
    case '{':
    case '[':
      return scan_open (s, stack, max_depth);
    case '"':
      ok = scan_string (s);
      break;
    case 't':
      ok = scan_literal (s, "true");
      break;
    case 'f':
      ok = scan_literal (s, "false");
      break;
    case 'n':
      ok = scan_literal (s, "null");
      break;
    default:
      if (s->data[s->pos] == '-' || g_ascii_isdigit (s->data[s->pos]))
        {
          ok = scan_number (s);
          break;
        }
      {
        g_autofree char *what = describe_char (s);

        scan_fail (s, "unexpected character %s: a value is expected", what);
        return SCAN_FAILED;
      }
    }

  return ok ? SCAN_COMPLETE : SCAN_FAILED;
}

/* After a complete value: closes the containers it completes, then finds
 * the next value of the innermost one still open, or the end of the text. */
static ScanStep
scan_after_value (Scanner    *s,
                  GByteArray *stack)
{
  for (;;)
    {
      guint8 top;

      scan_ws (s);
      if (stack->len == 0)
        {
          if (s->pos < s->len)
            {
              scan_fail (s, "unexpected text after the JSON value");
              return SCAN_FAILED;
            }
          return SCAN_END;
        }
      if (s->pos >= s->len)
        {
          scan_fail (s, "unexpected end of the text: the JSON is incomplete");
          return SCAN_FAILED;
        }

      top = stack->data[stack->len - 1];
      if (s->data[s->pos] == (top == '{' ? '}' : ']'))
        {
          s->pos++;
          g_byte_array_set_size (stack, stack->len - 1);
          continue;
        }
      if (s->data[s->pos] != ',')
        {
          scan_fail (s, top == '{' ? "expected ',' or '}'" : "expected ',' or ']'");
          return SCAN_FAILED;
        }
      s->pos++;
      if (top == '{')
        {
          scan_ws (s);
          if (!scan_member_name (s))
            return SCAN_FAILED;
        }
      return SCAN_EXPECT_VALUE;
    }
}

/* Checks strict JSON without recursion; the stack holds '{' and '['. */
static gboolean
scan_json (Scanner *s,
           guint    max_depth)
{
  g_autoptr(GByteArray) stack = g_byte_array_new ();

  scan_ws (s);
  if (s->pos >= s->len)
    return scan_fail (s, "no JSON value");

  for (;;)
    {
      ScanStep step;

      /* a value is expected here */
      scan_ws (s);
      if (s->pos >= s->len)
        return scan_fail (s, "unexpected end of the text: a value is expected");

      step = scan_value (s, stack, max_depth);
      if (step == SCAN_FAILED)
        return FALSE;
      if (step == SCAN_EXPECT_VALUE)
        continue;

      step = scan_after_value (s, stack);
      if (step == SCAN_FAILED)
        return FALSE;
      if (step == SCAN_END)
        return TRUE;
    }
}

JsonNode *
cs_json_parse_bounded (const char  *data,
                       gssize       length,
                       guint        max_depth,
                       GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  const char *end = NULL;
  Scanner s;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (data == NULL)
    data = "";
  if (length < 0)
    length = (gssize)strlen (data);
  if (max_depth == 0)
    max_depth = CS_JSON_DEFAULT_MAX_DEPTH;

  if (!g_utf8_validate (data, length, &end))
    {
      g_set_error (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA,
                   "byte %" G_GSIZE_FORMAT ": %s", (gsize)(end - data),
                   memchr (data, '\0', (gsize)length) != NULL
                   ? "the text contains a NUL byte or invalid UTF-8"
                   : "the text is not valid UTF-8");
      return NULL;
    }

  s.data = data;
  s.len = (gsize)length;
  s.pos = 0;
  s.error = error;
  if (!scan_json (&s, max_depth))
    return NULL;

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, data, length, error))
    return NULL;

  return json_parser_steal_root (parser);
}
