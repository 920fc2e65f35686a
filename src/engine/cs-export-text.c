/* cs-export-text.c: untrusted text as Markdown, and figures, for the export
 *
 * Everything a model or a person wrote is untrusted text here: inline text is
 * backslash-escaped and kept on one line where structure depends on it
 * (headings, list items, table cells); blocks of code or problem text go in
 * fences longer than any run of backticks inside them, so nothing can close
 * a fence early, start a heading or inject HTML. Control characters (an
 * escape sequence from a provider) and bidi controls (which reorder what a
 * reader sees) never reach the file.
 *
 * Dollar signs: renderers with math (GitHub, GitLab, pandoc, markdown-it,
 * Markdig) read `$…$` as TeX. Their rules agree that a closing `$` needs a
 * non-space character on its left, and a `$ … $` span an opening `$`
 * followed by a space. So one rule, here, for all text: a `$` stays as it
 * is only where it begins an amount (at the start of the output or after
 * whitespace, and before a digit: "$2,000", "$0.0123"); every other `$` is
 * written `\$`. Such a `$` can neither close a span nor open one that
 * anything closes, whoever wrote it. The export's own figures are written
 * that way too (" $0.0123", "| $2,000/month"), so the same amount reads the
 * same in a sentence of ours, a table or a model's text.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-export"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "cs-export-private.h"
#include "cs-json-util.h"
#include "cs-terminal-text.h"

/* Whether the `$` at @p, to be appended to @out, begins an amount: after
 * whitespace (or nothing) in @out, before a digit. */
static gboolean
dollar_begins_amount (GString    *out,
                      const char *p)
{
  char before = out->len > 0 ? out->str[out->len - 1] : ' ';

  return (before == ' ' || before == '\n' || before == '\t') && g_ascii_isdigit (p[1]);
}

/* Appends @text as inline Markdown: on one line (newlines and tabs become
 * spaces), every character with a Markdown meaning backslash-escaped (a `$`
 * unless it begins an amount, see above). */
void
cs_export_append_inline (GString    *out,
                         const char *text)
{
  gboolean at_start = TRUE;     /* nothing written yet */
  gboolean leading_digits = TRUE;
  gboolean space = FALSE;

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return;

  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isspace (c) || g_unichar_iscntrl (c))
        {
          space = TRUE;
          continue;
        }
      if (cs_unichar_is_bidi_control (c))
        continue;
      if (space && !at_start)
        {
          g_string_append_c (out, ' ');
          leading_digits = FALSE;
        }
      space = FALSE;

      if (c == '&')
        g_string_append (out, "&amp;");
      else if (c == '$' && dollar_begins_amount (out, p))
        g_string_append_c (out, '$');
      else if (c < 0x80 && strchr ("\\`*_[]<>#|~$", (int)c) != NULL)
        {
          /* emphasis, code, links, HTML, headings, tables, strikethrough,
           * math (a `$` that could open or close it) */
          g_string_append_c (out, '\\');
          g_string_append_c (out, (char)c);
        }
      else if (c < 0x80 && at_start && strchr ("+-=!:", (int)c) != NULL)
        {
          /* a list item, a setext underline */
          g_string_append_c (out, '\\');
          g_string_append_c (out, (char)c);
        }
      else if ((c == '.' || c == ')') && leading_digits && !at_start)
        {
          /* "1." or "1)" would start an ordered list */
          g_string_append_c (out, '\\');
          g_string_append_c (out, (char)c);
        }
      else
        g_string_append_unichar (out, c);

      if (!g_ascii_isdigit (c) || c >= 0x80)
        leading_digits = FALSE;
      at_start = FALSE;
    }
}

static char *
inline_text (const char *text)
{
  GString *out = g_string_new (NULL);

  cs_export_append_inline (out, text);
  return g_string_free (out, FALSE);
}

/* A paragraph: like inline text, but blank lines between paragraphs are
 * kept (each paragraph collapsed to one line). @indent prefixes each line. */
void
cs_export_append_paragraphs (GString    *out,
                             const char *text,
                             const char *indent)
{
  g_auto(GStrv) paras = NULL;
  gboolean first = TRUE;

  if (text == NULL)
    return;
  paras = g_regex_split_simple ("\\n[ \\t\\r]*\\n", text, 0, 0);
  for (guint i = 0; paras[i] != NULL; i++)
    {
      g_autofree char *line = inline_text (paras[i]);

      if (*line == '\0')
        continue;
      if (!first)
        g_string_append_printf (out, "\n%s\n", indent);
      g_string_append (out, indent);
      g_string_append (out, line);
      first = FALSE;
    }
  if (!first)
    g_string_append_c (out, '\n');
}

/* A cell of a table: inline text with the pipe escaped (done by append_inline). */
char *
cs_export_cell (const char *text)
{
  g_autofree char *s = inline_text (text);

  return *s ? g_steal_pointer (&s) : g_strdup ("—");
}

/* A fenced code block with @info, every line prefixed by @indent. Control
 * characters other than tabs and newlines are dropped, bidi controls too. */
void
cs_export_append_code_block (GString    *out,
                             const char *info,
                             const char *text,
                             const char *indent)
{
  g_autofree char *fence = cs_markdown_fence (text);
  g_autoptr(GString) clean = g_string_new (NULL);
  g_auto(GStrv) lines = NULL;

  if (text != NULL && g_utf8_validate (text, -1, NULL))
    for (const char *p = text; *p; p = g_utf8_next_char (p))
      {
        gunichar c = g_utf8_get_char (p);

        if (c == '\r')
          continue;
        if (c == '\n' || c == '\t' ||
            (!g_unichar_iscntrl (c) && !cs_unichar_is_bidi_control (c)))
          g_string_append_unichar (clean, c);
      }
  while (clean->len > 0 && clean->str[clean->len - 1] == '\n')
    g_string_truncate (clean, clean->len - 1);

  g_string_append_printf (out, "%s%s%s\n", indent, fence, info != NULL ? info : "");
  lines = g_strsplit (clean->str, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    g_string_append_printf (out, "%s%s\n", *lines[i] ? indent : "", lines[i]);
  g_string_append_printf (out, "%s%s\n", indent, fence);
}

char *
cs_export_format_double (const char *format,
                         double      value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  return g_strdup (g_ascii_formatd (buf, sizeof buf, format, value));
}

char *
cs_export_format_cost (double   usd,
                       gboolean known)
{
  g_autofree char *figure = NULL;

  if (!known)
    return usd > 0 ? cs_export_format_at_least (usd) : g_strdup (_("price unknown"));
  figure = cs_export_format_double ("%.4f", usd);
  return g_strdup_printf ("$%s", figure);
}

char *
cs_export_format_at_least (double usd)
{
  g_autofree char *figure = cs_export_format_double ("%.4f", usd);

  /* Translators: a total of which a part has no price, "≥ $0.0123 (price
   * unknown)"; keep the `$` right before the figure, after a space */
  return g_strdup_printf (_("≥ $%s (price unknown)"), figure);
}

char *
cs_export_approx (char     *text,
                  gboolean  estimated)
{
  char *marked;

  if (!estimated)
    return text;
  marked = g_strdup_printf ("≈ %s", text);
  g_free (text);
  return marked;
}

char *
cs_export_cost_cell (double   usd,
                     gboolean known,
                     gboolean estimated)
{
  if (!known)
    return g_strdup (_("price unknown"));
  return cs_export_approx (cs_export_format_double ("%.4f", isfinite (usd) ? usd : 0), estimated);
}

/* "12,345" */
char *
cs_export_format_thousands (gint64 value)
{
  g_autofree char *digits = g_strdup_printf ("%" G_GINT64_FORMAT, value < 0 ? -value : value);
  GString *out = g_string_new (value < 0 ? "-" : "");
  gsize len = strlen (digits);

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_c (out, ',');
      g_string_append_c (out, digits[i]);
    }
  return g_string_free (out, FALSE);
}

/* Whole dollars with thousands separators; figures no person would write
 * (a model's 1e300) in exponent form rather than through an integer that
 * cannot hold them. */
char *
cs_export_format_dollars (double value)
{
  if (!isfinite (value) || fabs (value) >= 1e15)
    return g_strdup_printf ("%.3g", value);
  return cs_export_format_thousands ((gint64)llround (value));
}

char *
cs_export_format_tokens (gint64 tokens)
{
  return tokens >= 0 ? cs_export_format_thousands (tokens) : g_strdup ("—");
}
