/* cs-run-totals.c: a run's cost, tokens and wall time in words
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-run-page"

#include "config.h"

#include <glib/gi18n.h>

#include "cs-number-format.h"
#include "cs-run-totals.h"

char *
cs_run_page_append_totals (CsRun *run,
                           char  *state)
{
  g_autoptr(GString) s = g_string_new (state);
  double cost = cs_run_get_total_cost_usd (run);
  gint64 tokens = cs_run_get_total_input_tokens (run) + cs_run_get_total_output_tokens (run);
  gint64 wall_ms = cs_run_get_wall_ms (run);

  g_free (state);
  if (!cs_run_get_cost_known (run))
    {
      if (cost > 0)
        /* Translators: a total of which a part has no price */
        g_string_append_printf (s, _(" · at least $%.4f (price unknown)"), cost);
      else
        g_string_append_printf (s, " · %s", _("price unknown"));
    }
  else if (cost > 0)
    g_string_append_printf (s, " · $%.4f", cost);

  if (wall_ms >= 0 && tokens > 0)
    {
      g_autofree char *count = cs_format_count (tokens);

      /* Translators: the run's total tokens (a number), then its wall time in seconds */
      g_string_append_printf (s, _(" · %s tokens · %.1f s"), count, wall_ms / 1000.0);
    }
  if (cs_run_get_usage_estimated (run))
    /* Translators: the budget stopped a request before its provider said
     * what it used; Consilium counted it */
    g_string_append_printf (s, " · %s", _("usage estimated in part"));
  return g_string_free (g_steal_pointer (&s), FALSE);
}
