/* cs-sse-parser.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-sse-parser"

#include "config.h"

#include <string.h>

#include "cs-sse-parser.h"

static const guchar utf8_bom[3] = { 0xEF, 0xBB, 0xBF };

struct _CsSseParser
{
  CsSseEventFunc  func;
  gpointer        user_data;

  GString        *line;        /* a line split across feeds, without its end */
  GString        *data;        /* the data buffer of the event being built */
  GString        *event_type;  /* the event type buffer */
  GString        *last_id;     /* the last event id buffer */
  gint64          retry;

  guint           bom_matched; /* bytes of a leading BOM seen so far */
  guint           bom_done : 1;
  guint           skip_lf : 1; /* the last feed ended with CR: drop a leading LF */
};

CsSseParser *
cs_sse_parser_new (CsSseEventFunc func,
                   gpointer       user_data)
{
  CsSseParser *self;

  g_return_val_if_fail (func != NULL, NULL);

  self = g_new0 (CsSseParser, 1);
  self->func = func;
  self->user_data = user_data;
  self->line = g_string_new (NULL);
  self->data = g_string_new (NULL);
  self->event_type = g_string_new (NULL);
  self->last_id = g_string_new (NULL);
  self->retry = -1;

  return self;
}

void
cs_sse_parser_free (CsSseParser *self)
{
  if (self == NULL)
    return;

  g_string_free (self->line, TRUE);
  g_string_free (self->data, TRUE);
  g_string_free (self->event_type, TRUE);
  g_string_free (self->last_id, TRUE);
  g_free (self);
}

gint64
cs_sse_parser_get_retry (CsSseParser *self)
{
  g_return_val_if_fail (self != NULL, -1);

  return self->retry;
}

static void
cs_sse_parser_dispatch (CsSseParser *self)
{
  CsSseEvent event;

  if (self->data->len == 0)
    {
      g_string_truncate (self->event_type, 0);
      return;
    }

  /* The data buffer always ends with the LF appended by the last data line. */
  if (self->data->str[self->data->len - 1] == '\n')
    g_string_truncate (self->data, self->data->len - 1);

  event.type = self->event_type->len > 0 ? self->event_type->str : "message";
  event.data = self->data->str;
  event.data_len = self->data->len;
  event.id = self->last_id->len > 0 ? self->last_id->str : NULL;

  self->func (&event, self->user_data);

  g_string_truncate (self->data, 0);
  g_string_truncate (self->event_type, 0);
}

static void
cs_sse_parser_set_retry (CsSseParser *self,
                         const char  *value,
                         gsize        len)
{
  gint64 retry = 0;
  gsize i;

  if (len == 0)
    return;

  for (i = 0; i < len; i++)
    {
      if (value[i] < '0' || value[i] > '9')
        return;
    }

  for (i = 0; i < len; i++)
    {
      int digit = value[i] - '0';

      if (retry > (G_MAXINT64 - digit) / 10)
        {
          retry = G_MAXINT64;
          break;
        }
      retry = retry * 10 + digit;
    }

  self->retry = retry;
}

static void
cs_sse_parser_process_line (CsSseParser *self,
                            const char  *line,
                            gsize        len)
{
  const char *colon;
  const char *value;
  gsize field_len;
  gsize value_len;

  if (len == 0)
    {
      cs_sse_parser_dispatch (self);
      return;
    }

  if (line[0] == ':')
    return;

  colon = memchr (line, ':', len);
  if (colon != NULL)
    {
      field_len = colon - line;
      value = colon + 1;
      value_len = len - field_len - 1;
      if (value_len > 0 && value[0] == ' ')
        {
          value++;
          value_len--;
        }
    }
  else
    {
      field_len = len;
      value = "";
      value_len = 0;
    }

  switch (field_len)
    {
    case 4:
      if (memcmp (line, "data", 4) == 0)
        {
          g_string_append_len (self->data, value, value_len);
          g_string_append_c (self->data, '\n');
        }
      break;

    case 5:
      if (memcmp (line, "event", 5) == 0)
        {
          g_string_truncate (self->event_type, 0);
          g_string_append_len (self->event_type, value, value_len);
        }
      else if (memcmp (line, "retry", 5) == 0)
        {
          cs_sse_parser_set_retry (self, value, value_len);
        }
      break;

    case 2:
      if (memcmp (line, "id", 2) == 0 && memchr (value, '\0', value_len) == NULL)
        {
          g_string_truncate (self->last_id, 0);
          g_string_append_len (self->last_id, value, value_len);
        }
      break;

    default:
      break;
    }
}

/* Splits @data into lines. Finding the line ends with memchr keeps long
 * lines cheap; the positions found are reused until they are passed, so the
 * whole piece is scanned once for each of CR and LF. */
static void
cs_sse_parser_feed_lines (CsSseParser *self,
                          const char  *data,
                          gsize        len)
{
  const char *p = data;
  const char *end = data + len;
  const char *lf = NULL;
  const char *cr = NULL;

  if (self->skip_lf && p < end)
    {
      if (*p == '\n')
        p++;
      self->skip_lf = FALSE;
    }

  while (p < end)
    {
      const char *eol;

      if (lf == NULL || lf < p)
        {
          lf = memchr (p, '\n', end - p);
          if (lf == NULL)
            lf = end;
        }
      if (cr == NULL || cr < p)
        {
          cr = memchr (p, '\r', end - p);
          if (cr == NULL)
            cr = end;
        }

      eol = MIN (lf, cr);
      if (eol == end)
        {
          g_string_append_len (self->line, p, end - p);
          break;
        }

      if (self->line->len > 0)
        {
          g_string_append_len (self->line, p, eol - p);
          cs_sse_parser_process_line (self, self->line->str, self->line->len);
          g_string_truncate (self->line, 0);
        }
      else
        {
          cs_sse_parser_process_line (self, p, eol - p);
        }

      p = eol + 1;
      if (*eol == '\r')
        {
          if (p == end)
            self->skip_lf = TRUE;
          else if (*p == '\n')
            p++;
        }
    }
}

void
cs_sse_parser_feed (CsSseParser *self,
                    const char  *data,
                    gsize        len)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (data != NULL || len == 0);

  if (!self->bom_done)
    {
      while (len > 0 && self->bom_matched < G_N_ELEMENTS (utf8_bom))
        {
          if ((guchar) data[0] != utf8_bom[self->bom_matched])
            {
              guint matched = self->bom_matched;

              /* Not a BOM after all: what matched so far is ordinary data. */
              self->bom_done = TRUE;
              self->bom_matched = 0;
              cs_sse_parser_feed_lines (self, (const char *) utf8_bom, matched);
              break;
            }
          self->bom_matched++;
          data++;
          len--;
        }

      if (self->bom_matched == G_N_ELEMENTS (utf8_bom))
        {
          self->bom_done = TRUE;
          self->bom_matched = 0;
        }

      if (!self->bom_done)
        return;
    }

  cs_sse_parser_feed_lines (self, data, len);
}

void
cs_sse_parser_finish (CsSseParser *self)
{
  g_return_if_fail (self != NULL);

  /* A last line without its end, and an event without its blank line, are
   * incomplete: both are discarded. */
  g_string_truncate (self->line, 0);
  g_string_truncate (self->data, 0);
  g_string_truncate (self->event_type, 0);
  self->bom_matched = 0;
  self->bom_done = FALSE;
  self->skip_lf = FALSE;
}

/* NDJSON */

struct _CsNdjsonParser
{
  CsNdjsonLineFunc  func;
  gpointer          user_data;
  GString          *line;
};

CsNdjsonParser *
cs_ndjson_parser_new (CsNdjsonLineFunc func,
                      gpointer         user_data)
{
  CsNdjsonParser *self;

  g_return_val_if_fail (func != NULL, NULL);

  self = g_new0 (CsNdjsonParser, 1);
  self->func = func;
  self->user_data = user_data;
  self->line = g_string_new (NULL);

  return self;
}

void
cs_ndjson_parser_free (CsNdjsonParser *self)
{
  if (self == NULL)
    return;

  g_string_free (self->line, TRUE);
  g_free (self);
}

static gboolean
is_blank (const char *str,
          gsize       len)
{
  gsize i;

  for (i = 0; i < len; i++)
    {
      if (str[i] != ' ' && str[i] != '\t' && str[i] != '\r' && str[i] != '\n')
        return FALSE;
    }

  return TRUE;
}

/* Delivers self->line (without its LF) and empties it. */
static void
cs_ndjson_parser_deliver (CsNdjsonParser *self)
{
  if (self->line->len > 0 && self->line->str[self->line->len - 1] == '\r')
    g_string_truncate (self->line, self->line->len - 1);

  if (!is_blank (self->line->str, self->line->len))
    self->func (self->line->str, self->line->len, self->user_data);

  g_string_truncate (self->line, 0);
}

void
cs_ndjson_parser_feed (CsNdjsonParser *self,
                       const char     *data,
                       gsize           len)
{
  const char *p = data;
  const char *end = data + len;

  g_return_if_fail (self != NULL);
  g_return_if_fail (data != NULL || len == 0);

  while (p < end)
    {
      const char *lf = memchr (p, '\n', end - p);

      if (lf == NULL)
        {
          g_string_append_len (self->line, p, end - p);
          break;
        }

      g_string_append_len (self->line, p, lf - p);
      cs_ndjson_parser_deliver (self);
      p = lf + 1;
    }
}

void
cs_ndjson_parser_finish (CsNdjsonParser *self)
{
  g_return_if_fail (self != NULL);

  /* Ollama may end the body without a final newline: the last line counts. */
  cs_ndjson_parser_deliver (self);
}
