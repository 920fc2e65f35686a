/* cs-export-origin.c: where each item came from, in the Markdown export
 *
 * After each item of the result, the ids of the candidates whose answers
 * held it and what the judge did to it when it changed or added it:
 * " (c1, c3)", " (c2; judge: changed)", " (judge: added)". Once per export,
 * a legend says who each id is: its model and angle.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-export"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "cs-export-private.h"

/* "c1, c3; judge: changed" (raw text), or NULL when there is nothing to say. */
static char *
origin_text (const CsOrigin *origin)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; origin->sources != NULL && origin->sources[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append (text, ", ");
      g_string_append (text, origin->sources[i]);
    }
  if (origin->judge == CS_JUDGE_CHANGED || origin->judge == CS_JUDGE_ADDED)
    {
      if (text->len > 0)
        g_string_append (text, "; ");
      g_string_append (text, origin->judge == CS_JUDGE_CHANGED ? _("judge: changed") : _("judge: added"));
    }
  return text->len > 0 ? g_string_free (g_steal_pointer (&text), FALSE) : NULL;
}

void
cs_export_append_origin (GString        *out,
                         const CsOrigin *origin)
{
  g_autofree char *text = origin_text (origin);

  if (text == NULL)
    return;
  g_string_append (out, " (");
  cs_export_append_inline (out, text);
  g_string_append (out, ")");
}

char *
cs_export_origin_cell (const char     *text,
                       const CsOrigin *origin)
{
  g_autofree char *cell = cs_export_cell (text);
  g_autofree char *raw = origin_text (origin);
  g_autofree char *suffix = NULL;

  if (raw == NULL)
    return g_steal_pointer (&cell);
  suffix = cs_export_cell (raw);
  return g_strdup_printf ("%s (%s)", cell, suffix);
}

void
cs_export_append_summary_origin (GString  *out,
                                 CsResult *result)
{
  g_autofree char *text = origin_text (cs_result_get_summary_origin (result));

  if (!cs_result_has_origins (result) || text == NULL)
    return;
  g_string_append_printf (out, "%s ", _("Summary from:"));
  cs_export_append_inline (out, text);
  g_string_append (out, "\n\n");
}

void
cs_export_append_origin_legend (GString  *out,
                                CsRun    *run,
                                CsResult *result)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (run));

  if (!cs_result_has_origins (result) || n == 0)
    return;
  g_string_append_printf (out, "%s\n\n",
                          _("Sources: the ids in parentheses after an item are the candidates whose "
                            "answers had it; “judge: changed” or “judge: added” when the judge "
                            "rewrote it or added it."));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CsCandidate) candidate = g_list_model_get_item (G_LIST_MODEL (run), i);
      const char *angle = cs_export_angle_label (cs_run_get_mode (run), cs_candidate_get_angle (candidate));

      g_string_append (out, "- ");
      cs_export_append_inline (out, cs_candidate_get_id (candidate));
      g_string_append (out, ": ");
      cs_export_append_inline (out, cs_export_model_name (cs_candidate_get_model (candidate)));
      if (angle != NULL)
        {
          g_string_append_printf (out, ", %s ", _("angle:"));
          cs_export_append_inline (out, angle);
        }
      g_string_append_c (out, '\n');
    }
  g_string_append_c (out, '\n');
}
