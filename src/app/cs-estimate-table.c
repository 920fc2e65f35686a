/* cs-estimate-table.c: an estimate's breakdown as a small table
 *
 * One row a model and stage (the model and its provider by their display
 * names, the stage, the requests, the low and the high amount, numbers
 * right-aligned), a total row, and the notes the figures need under it
 * (an assumed output cap, past answers, repairs). The same text, a row a
 * line and its cells tab-separated, for tests.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-estimate-button"

#include "config.h"

#include <glib/gi18n.h>

#include "cs-estimate-table.h"
#include "cs-number-format.h"

enum {
  COL_MODEL,
  COL_PROVIDER,
  COL_STAGE,
  COL_REQUESTS,
  COL_LOW,
  COL_HIGH,
  N_COLS
};

static const char *
stage_name (CsEstimateStage stage)
{
  switch (stage)
    {
    case CS_ESTIMATE_RANKING:
      return C_("estimate stage", "Peer ranking");
    case CS_ESTIMATE_JUDGE:
      return C_("estimate stage", "Judge");
    case CS_ESTIMATE_FALLBACK_JUDGE:
      return C_("estimate stage", "Fallback judge");
    case CS_ESTIMATE_CANDIDATES:
    default:
      return C_("estimate stage", "Answers");
    }
}

/* A plain label in the grid (never markup: model names come from files
 * and servers); numbers right-aligned in tabular figures. */
static GtkWidget *
cell (GtkGrid    *grid,
      GString    *text,
      const char *words,
      int         column,
      int         row,
      int         width,
      gboolean    number)
{
  GtkWidget *label = gtk_label_new (words);

  gtk_label_set_use_markup (GTK_LABEL (label), FALSE);
  gtk_label_set_xalign (GTK_LABEL (label), number ? 1.0 : 0.0);
  gtk_label_set_selectable (GTK_LABEL (label), FALSE);
  if (number)
    gtk_widget_add_css_class (label, "numeric");
  gtk_grid_attach (grid, label, column, row, width, 1);
  if (column > 0)
    g_string_append_c (text, '\t');
  g_string_append (text, words);
  return label;
}

static char *
dollars (double usd)
{
  /* Translators: an amount in US dollars in the estimate's table */
  return g_strdup_printf (_("$%.4f"), usd);
}

/* The requests a line sends in any case, "+ N" those sent only when an
 * answer fails. */
static char *
requests_text (guint requests,
               guint repairs)
{
  if (repairs == 0)
    return g_strdup_printf ("%u", requests);
  /* Translators: requests sent in any case + those sent only when an answer fails, "3 + 3" */
  return g_strdup_printf (_("%u + %u"), requests, repairs);
}

/* Low and high, or "price unknown" across both columns; @partial: some
 * part has no price, "+ ?" after the high figure. */
static void
amounts (GtkGrid    *grid,
         GString    *text,
         gboolean    priced,
         gboolean    partial,
         double      low,
         double      high,
         int         row)
{
  g_autofree char *l = NULL;
  g_autofree char *h = NULL;

  if (!priced && !partial)
    {
      GtkWidget *label = cell (grid, text, _("price unknown"), COL_LOW, row, 2, TRUE);

      gtk_widget_add_css_class (label, "dim-label");
      return;
    }
  l = dollars (low);
  h = dollars (high);
  if (partial)
    {
      g_autofree char *known = g_steal_pointer (&h);

      /* Translators: the priced part's high figure, plus a part without a price */
      h = g_strdup_printf (_("%s + ?"), known);
    }
  cell (grid, text, l, COL_LOW, row, 1, TRUE);
  cell (grid, text, h, COL_HIGH, row, 1, TRUE);
}

static void
add_line (GtkGrid              *grid,
          GString              *text,
          const CsEstimateLine *line,
          int                   row)
{
  g_autofree char *requests = requests_text (line->requests, line->repairs);
  g_autofree char *in_low = cs_format_count (line->input_low);
  g_autofree char *in_high = cs_format_count (line->input_tokens);
  g_autofree char *out_low = cs_format_count (line->output_low);
  g_autofree char *out_high = cs_format_count (line->output_high);
  /* Translators: a row's tooltip in the estimate's table: tokens in and out, low to high */
  g_autofree char *tokens = g_strdup_printf (_("Input ~%s–%s tokens, output %s–%s tokens"),
                                             in_low, in_high, out_low, out_high);
  GtkWidget *model = cell (grid, text, line->label, COL_MODEL, row, 1, FALSE);
  GtkWidget *provider = cell (grid, text, line->provider, COL_PROVIDER, row, 1, FALSE);

  gtk_widget_set_tooltip_text (model, tokens);
  gtk_widget_add_css_class (provider, "dim-label");
  cell (grid, text, stage_name (line->stage), COL_STAGE, row, 1, FALSE);
  cell (grid, text, requests, COL_REQUESTS, row, 1, TRUE);
  amounts (grid, text, line->priced, FALSE, line->usd_low, line->usd_high, row);
  g_string_append_c (text, '\n');
}

/* The notes the figures need, a line each; NULL without any. */
static char *
notes (const CsEstimate *estimate)
{
  g_autoptr(GString) s = g_string_new (NULL);
  g_autoptr(GPtrArray) assumed = g_ptr_array_new ();
  guint past = 0;

  for (guint i = 0; i < estimate->lines->len; i++)
    {
      const CsEstimateLine *line = g_ptr_array_index (estimate->lines, i);
      gboolean seen = FALSE;

      past = MAX (past, line->past_samples);
      if (line->output_capped)
        continue;
      for (guint k = 0; k < assumed->len && !seen; k++)
        seen = g_str_equal (g_ptr_array_index (assumed, k), line->label);
      if (!seen)
        g_ptr_array_add (assumed, line->label);
    }
  if (assumed->len > 0)
    {
      g_autofree char *names = NULL;
      g_autofree char *cap = cs_format_count (CS_ESTIMATE_ASSUMED_MAX_OUTPUT);

      g_ptr_array_add (assumed, NULL);
      names = g_strjoinv (", ", (char **) assumed->pdata);
      /* Translators: the first %s lists models; the second is a number of tokens, "16,384" */
      g_string_append_printf (s, _("No max-output-tokens for %s: the high figures assume %s output tokens a request."),
                              names, cap);
    }
  if (past > 0)
    g_string_append_printf (s, "%s%s", s->len > 0 ? "\n" : "",
                            _("The low figures take the median output of the model's past answers."));
  if (estimate->repairs > 0)
    {
      g_string_append (s, s->len > 0 ? "\n" : "");
      g_string_append_printf (s, ngettext ("The high figures count %u request a run sends only when an "
                                           "answer fails (a repair, the fallback judge); the low ones do not.",
                                           "The high figures count %u requests a run sends only when an "
                                           "answer fails (repairs, the fallback judge); the low ones do not.",
                                           estimate->repairs),
                              estimate->repairs);
    }
  return s->len > 0 ? g_strdup (s->str) : NULL;
}

char *
cs_estimate_table_fill (GtkGrid          *grid,
                        GtkLabel         *notes_label,
                        const CsEstimate *estimate)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *requests = NULL;
  g_autofree char *note = NULL;
  const char *heads[N_COLS] = {
    C_("estimate column", "Model"), C_("estimate column", "Provider"), C_("estimate column", "Stage"),
    C_("estimate column", "Requests"), C_("estimate column", "Low"), C_("estimate column", "High"),
  };
  GtkWidget *child;
  int row = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (grid))) != NULL)
    gtk_grid_remove (grid, child);

  for (int c = 0; c < N_COLS; c++)
    gtk_widget_add_css_class (cell (grid, text, heads[c], c, row, 1, c >= COL_REQUESTS), "caption-heading");
  g_string_append_c (text, '\n');
  row++;

  for (guint i = 0; i < estimate->lines->len; i++)
    add_line (grid, text, g_ptr_array_index (estimate->lines, i), row++);

  requests = requests_text (estimate->requests, estimate->repairs);
  gtk_widget_add_css_class (cell (grid, text, C_("estimate row", "Total"), COL_MODEL, row, 3, FALSE), "caption-heading");
  g_string_append (text, "\t\t");
  cell (grid, text, requests, COL_REQUESTS, row, 1, TRUE);
  /* the total: the priced lines', "+ ?" when some line has no price */
  amounts (grid, text, estimate->priced, !estimate->priced && estimate->usd_high > 0,
           estimate->usd_low, estimate->usd_high, row);
  g_string_append_c (text, '\n');

  note = notes (estimate);
  gtk_label_set_text (notes_label, note != NULL ? note : "");
  gtk_widget_set_visible (GTK_WIDGET (notes_label), note != NULL);
  if (note != NULL)
    g_string_append_printf (text, "%s\n", note);
  return g_string_free (g_steal_pointer (&text), FALSE);
}
