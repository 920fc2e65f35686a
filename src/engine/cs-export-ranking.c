/* cs-export-ranking.c: the peer ranking in the Markdown export
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-export"

#include "config.h"

#include <math.h>
#include <glib/gi18n-lib.h>

#include "cs-export-private.h"
#include "cs-json-util.h"
#include "cs-ranking.h"
#include "cs-run-ranking.h"

static void
append_rows (GString   *out,
             CsRun     *run,
             GPtrArray *rows)
{
  g_string_append_printf (out, "| %s | %s | %s | %s | %s |\n"
                          "| ---: | --- | ---: | ---: | ---: |\n",
                          /* Translators: the export's peer ranking table's column titles */
                          _("Place"), _("Candidate"), _("Points"), _("Mean rank"), _("Ballots"));
  for (guint i = 0; i < rows->len; i++)
    {
      const CsRankRow *row = g_ptr_array_index (rows, i);
      g_autoptr(GString) who = g_string_new (NULL);
      g_autofree char *cell = NULL;
      g_autofree char *points = cs_export_format_double ("%g", row->points);
      g_autofree char *mean = row->votes > 0 ? cs_export_format_double ("%.2f", row->mean_rank) : g_strdup ("—");

      cs_export_append_candidate (who, run, row->candidate);
      cell = cs_export_cell (who->str);
      if (row->votes > 0)
        g_string_append_printf (out, "| %u | %s | %s | %s | %u |\n", row->place, cell, points, mean, row->votes);
      else
        g_string_append_printf (out, "| — | %s | — | — | 0 |\n", cell);
    }
  g_string_append_c (out, '\n');
}

void
cs_export_append_ranking (GString *out,
                          CsRun   *run)
{
  JsonNode *ranking = cs_run_get_ranking (run);
  g_autoptr(GPtrArray) rows = NULL;
  g_auto(GStrv) notes = NULL;
  gint64 self_votes = 0;

  if (ranking == NULL)
    return;
  rows = cs_ranking_rows_from_json (ranking);
  notes = cs_ranking_notes_from_json (ranking);
  cs_json_get_int (cs_json_node_object (ranking), "self_votes", &self_votes);

  g_string_append_printf (out, "## %s\n\n%s", _("Peer ranking"),
                          _("Each candidate's model ranked the other candidates, anonymized and shuffled. "
                            "Borda count: on a ballot of k answers, place p earns k − p points; ties go to "
                            "the better mean rank, then to more ballots."));
  if (self_votes > 0)
    {
      g_string_append_c (out, ' ');
      /* Translators: %d is how many votes were dropped (a number) */
      g_string_append_printf (out, _("Votes for the ranker's own model ignored: %d."),
                              (int) MIN (self_votes, G_MAXINT));
    }
  g_string_append (out, "\n\n");
  if (rows->len > 0)
    append_rows (out, run, rows);
  for (guint i = 0; notes[i] != NULL; i++)
    {
      g_string_append (out, "- ");
      cs_export_append_inline (out, notes[i]);
      g_string_append_c (out, '\n');
    }
  if (notes[0] != NULL)
    g_string_append_c (out, '\n');
}

void
cs_export_append_ranking_cost_row (GString *out,
                                   CsRun   *run)
{
  gint64 in_tokens = 0, out_tokens = 0;
  double cost = 0;
  gboolean known = TRUE, estimated = FALSE;
  g_autofree char *label = NULL;
  g_autofree char *in = NULL;
  g_autofree char *outt = NULL;
  g_autofree char *dollars = NULL;

  if (!cs_run_get_ranking_usage (run, &in_tokens, &out_tokens, &cost))
    return;
  cs_run_get_ranking_marks (run, &known, &estimated);
  /* Translators: the cost table's row of the peer ranking requests */
  label = cs_export_cell (_("peer ranking"));
  in = cs_export_approx (cs_export_format_tokens (in_tokens), estimated);
  outt = cs_export_approx (cs_export_format_tokens (out_tokens), estimated);
  dollars = cs_export_cost_cell (cost, known, estimated);
  g_string_append_printf (out, "| %s | — | %s | %s | %s | — | — | — |\n", label, in, outt, dollars);
}
