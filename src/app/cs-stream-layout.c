/* cs-stream-layout.c: streamed answer text, laid out for a card's raw view
 *
 * What kind of text an answer is (JSON, also in a code fence, or anything
 * else) tells the card to show an outline or the text's end. In the raw
 * view (the card's Raw toggle), streamed JSON is laid out on the way in
 * (one member per line, indented), whatever the model's own layout: a
 * compact reply is one long line, and Pango and GtkSourceView lay out and
 * highlight a whole line again on every insertion. Not a validator:
 * whatever comes is shown, and words that are not JSON keep one space
 * between them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-stream-layout"

#include "config.h"

#include <string.h>

#include "cs-stream-layout.h"

/* Deeper JSON is not indented further (hostile nesting). */
#define JSON_INDENT_MAX 12

void
cs_stream_layout_reset (CsStreamLayout *self)
{
  memset (self, 0, sizeof *self);
}

static gboolean
is_space (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void
json_break (CsStreamLayout *self,
            GString        *out)
{
  if (!self->pending_break)
    return;
  self->pending_break = FALSE;
  g_string_append_c (out, '\n');
  for (guint i = 0; i < MIN (self->depth, JSON_INDENT_MAX); i++)
    g_string_append (out, "  ");
}

/* A character outside strings; white space is handled by the caller. */
static void
json_token (CsStreamLayout *self,
            char            c,
            GString        *out)
{
  switch (c)
    {
    case '{': case '[':
      json_break (self, out);
      g_string_append_c (out, c);
      self->depth++;
      self->pending_break = TRUE;
      break;
    case '}': case ']':
      if (self->depth > 0)
        self->depth--;
      if (self->pending_break)
        self->pending_break = FALSE;   /* an empty object or array */
      else
        {
          self->pending_break = TRUE;
          json_break (self, out);
        }
      g_string_append_c (out, c);
      /* what follows the whole value (a code fence's end) */
      if (self->depth == 0)
        self->pending_break = TRUE;
      break;
    case ',':
      g_string_append_c (out, c);
      self->pending_break = TRUE;
      break;
    case ':':
      g_string_append (out, ": ");
      break;
    case '"':
      json_break (self, out);
      g_string_append_c (out, c);
      self->in_string = TRUE;
      break;
    default:
      json_break (self, out);
      g_string_append_c (out, c);
      self->bare = TRUE;
      break;
    }
}

/* White space outside strings is dropped and replaced; strings are copied
 * as they are. */
static void
reflow_json (CsStreamLayout *self,
             const char     *text,
             gsize           len,
             GString        *out)
{
  for (gsize i = 0; i < len; i++)
    {
      char c = text[i];

      if (self->in_string)
        {
          g_string_append_c (out, c);
          if (self->escape)
            self->escape = FALSE;
          else if (c == '\\')
            self->escape = TRUE;
          else if (c == '"')
            self->in_string = FALSE;
          continue;
        }

      if (is_space (c))
        {
          self->space = TRUE;
          continue;
        }
      if (self->pending_break)
        self->space = FALSE;
      if (self->space && self->bare && (c == '\0' || strchr ("{[]},:\"", c) == NULL))
        g_string_append_c (out, ' ');
      self->space = FALSE;
      self->bare = FALSE;
      json_token (self, c, out);
    }
}

/* How the text starting with @text shows: JSON (also in a Markdown code
 * fence, whose first line then goes in as it is: *verbatim its length) or
 * anything else; UNKNOWN while too little has come to tell. */
static CsStreamLayoutKind
detect_layout (const char *text,
               gsize       len,
               gsize      *verbatim)
{
  const char *p = text;
  const char *end = text + len;
  const char *nl;

  *verbatim = 0;
  while (p < end && is_space (*p))
    p++;
  if (p == end)
    return CS_STREAM_LAYOUT_UNKNOWN;
  if (*p == '{' || *p == '[')
    return CS_STREAM_LAYOUT_JSON;
  if (strncmp (p, "```", MIN (3, (gsize) (end - p))) != 0)
    return CS_STREAM_LAYOUT_PLAIN;

  /* ```json and a new line, then an object or array */
  nl = memchr (p, '\n', end - p);
  if (nl == NULL)
    return (end - p) < 64 ? CS_STREAM_LAYOUT_UNKNOWN : CS_STREAM_LAYOUT_PLAIN;
  for (p = nl + 1; p < end && is_space (*p); p++)
    ;
  if (p == end)
    return CS_STREAM_LAYOUT_UNKNOWN;
  if (*p != '{' && *p != '[')
    return CS_STREAM_LAYOUT_PLAIN;
  *verbatim = nl + 1 - text;
  return CS_STREAM_LAYOUT_JSON;
}

CsStreamLayoutKind
cs_stream_layout_detect (const char *text,
                         gsize       len)
{
  gsize verbatim;

  return detect_layout (text, len, &verbatim);
}

void
cs_stream_layout_take (CsStreamLayout *self,
                       GString        *pending,
                       gboolean        final,
                       GString        *out)
{
  if (pending->len == 0)
    return;

  if (self->kind == CS_STREAM_LAYOUT_UNKNOWN)
    {
      gsize verbatim = 0;

      self->kind = detect_layout (pending->str, pending->len, &verbatim);
      /* nothing more will come to tell */
      if (self->kind == CS_STREAM_LAYOUT_UNKNOWN && final)
        self->kind = CS_STREAM_LAYOUT_PLAIN;
      /* a code fence's first line */
      g_string_append_len (out, pending->str, verbatim);
      g_string_erase (pending, 0, verbatim);
    }

  switch (self->kind)
    {
    case CS_STREAM_LAYOUT_UNKNOWN:
      /* wait for more: the text stays pending */
      return;
    case CS_STREAM_LAYOUT_JSON:
      reflow_json (self, pending->str, pending->len, out);
      break;
    case CS_STREAM_LAYOUT_PLAIN:
    default:
      g_string_append_len (out, pending->str, pending->len);
      break;
    }
  g_string_truncate (pending, 0);
}
