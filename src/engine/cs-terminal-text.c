/* cs-terminal-text.c: text from the network made inert for a terminal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-terminal-text"

#include "config.h"

#include <string.h>

#include "cs-terminal-text.h"

gboolean
cs_unichar_is_bidi_control (gunichar c)
{
  return c == 0x061C || c == 0x200E || c == 0x200F ||
         (c >= 0x202A && c <= 0x202E) ||
         (c >= 0x2066 && c <= 0x2069);
}

gboolean
cs_unichar_is_terminal_unsafe (gunichar c)
{
  return c < 0x20 || (c >= 0x7F && c <= 0x9F) ||
         c == 0x2028 || c == 0x2029 ||
         cs_unichar_is_bidi_control (c);
}

char *
cs_text_for_terminal (const char *text,
                      gboolean    keep_newlines)
{
  g_autofree char *valid = NULL;
  GString *out;

  if (text == NULL)
    return NULL;

  valid = g_utf8_make_valid (text, -1);
  out = g_string_sized_new (strlen (valid));
  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (!cs_unichar_is_terminal_unsafe (c))
        g_string_append_unichar (out, c);
      else if (c == '\n' || c == '\t')
        g_string_append_c (out, keep_newlines ? (char) c : ' ');
      else if (c == '\r' && (!keep_newlines || p[1] == '\n'))
        {
          /* CRLF is a newline; alone on one line, a space */
          if (!keep_newlines)
            g_string_append_c (out, ' ');
        }
      else if (c < 0x100)
        g_string_append_printf (out, "\\x%02x", c);
      else
        g_string_append_printf (out, "\\u%04x", c);
    }
  return g_string_free (out, FALSE);
}
