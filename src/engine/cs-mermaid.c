/* cs-mermaid.c: Mermaid flowcharts regenerated from a fused blueprint
 *
 * The fused architecture's diagram is drawn again from the components,
 * stores and connections that were kept; every label is cleaned so that no
 * candidate's text can break the chart's syntax.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-mermaid"

#include "config.h"

#include <string.h>

#include "cs-mermaid.h"

char *
cs_mermaid_label (const char *text,
                  gsize       max_chars)
{
  g_autoptr(GString) out = g_string_new (NULL);
  gsize n = 0;
  gboolean space = FALSE;
  gboolean cut = FALSE;

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return g_strdup ("?");

  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      gboolean punct = c < 0x80 && c != 0 && strchr (".,:/+-_'?!=*", (int)c) != NULL;

      if (n >= max_chars)
        {
          cut = TRUE;
          break;
        }
      if (g_unichar_isalnum (c) || punct)
        {
          /* no space before trailing punctuation ("sync ." → "sync.") */
          if (space && out->len > 0 && !(punct && strchr (".,:?!", (int)c) != NULL))
            {
              g_string_append_c (out, ' ');
              n++;
            }
          space = FALSE;
          g_string_append_unichar (out, c);
          n++;
        }
      else
        space = TRUE;
    }
  if (cut)
    {
      /* back to the last word boundary */
      char *last = strrchr (out->str, ' ');

      if (last != NULL && last - out->str > 10)
        g_string_truncate (out, last - out->str);
      while (out->len > 0 && strchr (" .,:/+-_'?!=*", out->str[out->len - 1]) != NULL)
        g_string_truncate (out, out->len - 1);
      g_string_append (out, "…");
    }
  if (out->len == 0)
    g_string_append (out, "?");
  return g_string_free (g_steal_pointer (&out), FALSE);
}


GString *
cs_mermaid_flowchart_new (void)
{
  return g_string_new ("flowchart LR\n");
}

void
cs_mermaid_add_node (GString    *chart,
                     guint       index,
                     const char *name,
                     gboolean    store)
{
  g_autofree char *label = cs_mermaid_label (name, 60);

  if (store)
    g_string_append_printf (chart, "  n%u[(\"%s\")]\n", index + 1, label);
  else
    g_string_append_printf (chart, "  n%u[\"%s\"]\n", index + 1, label);
}

void
cs_mermaid_add_edge (GString    *chart,
                     int         from,
                     int         to,
                     const char *label)
{
  g_autofree char *safe = cs_mermaid_label (label, 40);

  if (label != NULL && *label != '\0')
    g_string_append_printf (chart, "  n%d -->|\"%s\"| n%d\n", from + 1, safe, to + 1);
  else
    g_string_append_printf (chart, "  n%d --> n%d\n", from + 1, to + 1);
}
