/* cs-think-splitter.c: a leading <think>…</think> block of an answer, as reasoning
 *
 * States: START holds leading white space and what may still become
 * "<think>"; THINK passes reasoning on, holding back a tail that may be
 * white space before "</think>" or the start of it; AFTER drops the white
 * space after the closing tag; TEXT passes everything on. Held-back bytes
 * are always ASCII, so pieces handed on split no UTF-8 sequence that the
 * input did not split.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-think-splitter"

#include "config.h"

#include <string.h>

#include "cs-think-splitter.h"

#define OPEN_TAG  "<think>"
#define CLOSE_TAG "</think>"

typedef enum {
  STATE_START,
  STATE_THINK,
  STATE_AFTER,
  STATE_TEXT,
} State;

struct _CsThinkSplitter
{
  State    state;
  GString *held;
  gboolean reasoning_started;  /* some reasoning was handed on */
};

CsThinkSplitter *
cs_think_splitter_new (void)
{
  CsThinkSplitter *self = g_new0 (CsThinkSplitter, 1);

  self->held = g_string_new (NULL);
  return self;
}

void
cs_think_splitter_free (CsThinkSplitter *self)
{
  if (self == NULL)
    return;
  g_string_free (self->held, TRUE);
  g_free (self);
}

static gboolean
is_space (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static gsize
skip_space (const char *s,
            gsize       len)
{
  gsize i = 0;

  while (i < len && is_space (s[i]))
    i++;
  return i;
}

/* START: the held bytes are white space, then a prefix of the open tag. */
static void
feed_start (CsThinkSplitter *self,
            GString         *answer)
{
  gsize ws = skip_space (self->held->str, self->held->len);
  gsize rest = self->held->len - ws;
  gsize cmp = MIN (rest, strlen (OPEN_TAG));

  if (strncmp (self->held->str + ws, OPEN_TAG, cmp) != 0)
    {
      g_string_append_len (answer, self->held->str, self->held->len);
      g_string_truncate (self->held, 0);
      self->state = STATE_TEXT;
    }
  else if (rest >= strlen (OPEN_TAG))
    {
      g_string_erase (self->held, 0, ws + strlen (OPEN_TAG));
      self->state = STATE_THINK;
    }
}

/* How many bytes at the end of @s (@len) may be white space before the
 * close tag and the start of the close tag itself. */
static gsize
held_tail (const char *s,
           gsize       len)
{
  gsize tail = 0;
  gsize start;

  for (gsize k = MIN (len, strlen (CLOSE_TAG) - 1); k > 0; k--)
    if (strncmp (s + len - k, CLOSE_TAG, k) == 0)
      {
        tail = k;
        break;
      }
  start = len - tail;
  while (start > 0 && is_space (s[start - 1]))
    start--;
  return len - start;
}

/* THINK: the held bytes are reasoning not yet handed on. */
static void
feed_think (CsThinkSplitter *self,
            GString         *reasoning)
{
  const char *close = g_strstr_len (self->held->str, self->held->len, CLOSE_TAG);
  gsize from = 0;
  gsize upto;

  if (!self->reasoning_started)
    from = skip_space (self->held->str, self->held->len);

  if (close != NULL)
    {
      upto = close - self->held->str;
      while (upto > from && is_space (self->held->str[upto - 1]))
        upto--;
    }
  else
    upto = self->held->len - held_tail (self->held->str, self->held->len);

  if (upto > from)
    {
      g_string_append_len (reasoning, self->held->str + from, upto - from);
      self->reasoning_started = TRUE;
    }

  if (close != NULL)
    {
      g_string_erase (self->held, 0, (close - self->held->str) + strlen (CLOSE_TAG));
      self->state = STATE_AFTER;
    }
  else
    g_string_erase (self->held, 0, MAX (upto, from));
}

void
cs_think_splitter_feed (CsThinkSplitter *self,
                        const char      *text,
                        gsize            len,
                        GString         *reasoning,
                        GString         *answer)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (reasoning != NULL && answer != NULL);

  if (text == NULL || len == 0)
    return;

  if (self->state == STATE_TEXT)
    {
      g_string_append_len (answer, text, len);
      return;
    }

  g_string_append_len (self->held, text, len);

  if (self->state == STATE_START)
    feed_start (self, answer);
  if (self->state == STATE_THINK)
    feed_think (self, reasoning);
  if (self->state == STATE_AFTER)
    {
      gsize ws = skip_space (self->held->str, self->held->len);

      g_string_erase (self->held, 0, ws);
      if (self->held->len > 0)
        self->state = STATE_TEXT;
    }
  if (self->state == STATE_TEXT && self->held->len > 0)
    {
      g_string_append_len (answer, self->held->str, self->held->len);
      g_string_truncate (self->held, 0);
    }
}

void
cs_think_splitter_finish (CsThinkSplitter *self,
                          GString         *reasoning,
                          GString         *answer)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (reasoning != NULL && answer != NULL);

  if (self->state == STATE_START)
    g_string_append_len (answer, self->held->str, self->held->len);
  else if (self->state == STATE_THINK)
    {
      /* An unterminated block: all of it was reasoning. */
      gsize from = self->reasoning_started ? 0 : skip_space (self->held->str, self->held->len);
      gsize upto = self->held->len;

      while (upto > from && is_space (self->held->str[upto - 1]))
        upto--;
      g_string_append_len (reasoning, self->held->str + from, upto - from);
    }
  g_string_truncate (self->held, 0);
  self->state = STATE_TEXT;
}
