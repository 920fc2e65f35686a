/* cs-ranking-view.c: the peer ranking in the result view, and the rank
 * badge on each candidate card
 *
 * Every text shown comes from the run (ids, numbers, notes the engine
 * wrote); none of it is markup.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-ranking-view"

#include "config.h"

#include <glib/gi18n.h>
#include <adwaita.h>

#include "cs-candidate-card-private.h"
#include "cs-ranking-view.h"
#include "cs-result-parts.h"

struct _CsRankingView
{
  GtkBox      parent_instance;

  guint       n_rows;
  GtkListBox *rows_list;
  GtkLabel   *notes_label;
};

G_DEFINE_FINAL_TYPE (CsRankingView, cs_ranking_view, GTK_TYPE_BOX)

static GtkWidget *
place_label (guint place)
{
  g_autofree char *text = g_strdup_printf ("%u", place);
  GtkWidget *label = gtk_label_new (text);

  gtk_widget_set_valign (label, GTK_ALIGN_CENTER);
  gtk_widget_set_size_request (label, 28, -1);
  gtk_widget_add_css_class (label, "title-3");
  gtk_widget_add_css_class (label, place == 1 ? "accent" : "dim-label");
  return label;
}

static GtkWidget *
rank_row (CsRun           *run,
          const CsRankRow *row)
{
  GtkWidget *action = adw_action_row_new ();
  g_autofree char *title = cs_result_candidate_text (run, row->candidate);
  g_autofree char *subtitle = NULL;

  if (row->votes == 0)
    subtitle = g_strdup (_("Not ranked by any other model"));
  else
    subtitle = g_strdup_printf (g_dngettext (NULL, "%g points · mean place %.1f · %u ballot",
                                             "%g points · mean place %.1f · %u ballots", row->votes),
                                row->points, row->mean_rank, row->votes);
  /* titles are markup in AdwPreferencesRow: plain text only */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (action), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (action), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (action), subtitle);
  if (row->votes > 0)
    adw_action_row_add_prefix (ADW_ACTION_ROW (action), place_label (row->place));
  return action;
}

void
cs_ranking_view_set_run (CsRankingView *self,
                         CsRun         *run)
{
  JsonNode *ranking = run != NULL ? cs_run_get_ranking (run) : NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_auto(GStrv) notes = NULL;
  g_autofree char *notes_text = NULL;
  GtkWidget *child;

  g_return_if_fail (CS_IS_RANKING_VIEW (self));

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->rows_list))) != NULL)
    gtk_list_box_remove (self->rows_list, child);
  self->n_rows = 0;
  gtk_widget_set_visible (GTK_WIDGET (self), ranking != NULL);
  if (ranking == NULL)
    return;

  rows = cs_ranking_rows_from_json (ranking);
  for (guint i = 0; i < rows->len; i++)
    {
      gtk_list_box_append (self->rows_list, rank_row (run, g_ptr_array_index (rows, i)));
      self->n_rows++;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->rows_list), self->n_rows > 0);
  notes = cs_ranking_notes_from_json (ranking);
  notes_text = g_strjoinv ("\n", notes);
  gtk_label_set_text (self->notes_label, notes_text);
  gtk_widget_set_visible (GTK_WIDGET (self->notes_label), notes[0] != NULL);
}

guint
cs_ranking_view_get_n_rows (CsRankingView *self)
{
  g_return_val_if_fail (CS_IS_RANKING_VIEW (self), 0);
  return self->n_rows;
}

GtkWidget *
cs_ranking_view_new (void)
{
  return g_object_new (CS_TYPE_RANKING_VIEW, NULL);
}

static void
cs_ranking_view_class_init (CsRankingViewClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/consilium/Consilium/cs-ranking-view.ui");
  gtk_widget_class_bind_template_child (widget_class, CsRankingView, rows_list);
  gtk_widget_class_bind_template_child (widget_class, CsRankingView, notes_label);
}

static void
cs_ranking_view_init (CsRankingView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/* The badge */

#define BADGE_KEY "cs-rank-badge"

static GtkLabel *
ensure_badge (CsCandidateCard *card)
{
  GtkLabel *badge = g_object_get_data (G_OBJECT (card), BADGE_KEY);

  if (badge != NULL)
    return badge;
  badge = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_set_name (GTK_WIDGET (badge), "rank-badge");
  gtk_label_set_xalign (badge, 0);
  gtk_widget_set_margin_start (GTK_WIDGET (badge), 12);
  gtk_widget_set_margin_end (GTK_WIDGET (badge), 12);
  gtk_widget_add_css_class (GTK_WIDGET (badge), "caption");
  gtk_widget_add_css_class (GTK_WIDGET (badge), "rank-badge");
  /* under the judge's score, in the card's own box */
  gtk_widget_insert_after (GTK_WIDGET (badge), GTK_WIDGET (card), GTK_WIDGET (card->judge_label));
  g_object_set_data (G_OBJECT (card), BADGE_KEY, badge);
  return badge;
}

void
cs_ranking_badge_apply (CsCandidateCard *card,
                        CsRun           *run)
{
  JsonNode *ranking = run != NULL ? cs_run_get_ranking (run) : NULL;
  const char *id = cs_candidate_get_id (cs_candidate_card_get_candidate (card));
  g_autoptr(GPtrArray) rows = NULL;
  GtkLabel *badge;
  guint ranked = 0;
  const CsRankRow *mine = NULL;

  g_return_if_fail (CS_IS_CANDIDATE_CARD (card));

  if (ranking == NULL && g_object_get_data (G_OBJECT (card), BADGE_KEY) == NULL)
    return;
  badge = ensure_badge (card);
  rows = cs_ranking_rows_from_json (ranking);
  for (guint i = 0; i < rows->len; i++)
    {
      const CsRankRow *row = g_ptr_array_index (rows, i);

      if (row->votes > 0)
        ranked++;
      if (row->votes > 0 && g_strcmp0 (row->candidate, id) == 0)
        mine = row;
    }
  gtk_widget_set_visible (GTK_WIDGET (badge), mine != NULL);
  if (mine != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Peer rank %u of %u"), mine->place, ranked);
      g_autofree char *tooltip = g_strdup_printf (g_dngettext (NULL, "%g Borda points, mean place %.1f over %u ballot",
                                                               "%g Borda points, mean place %.1f over %u ballots",
                                                               mine->votes),
                                                  mine->points, mine->mean_rank, mine->votes);

      gtk_label_set_text (badge, text);
      gtk_widget_set_tooltip_text (GTK_WIDGET (badge), tooltip);
      gtk_widget_remove_css_class (GTK_WIDGET (badge), "accent");
      if (mine->place == 1)
        gtk_widget_add_css_class (GTK_WIDGET (badge), "accent");
    }
}

const char *
cs_ranking_badge_get_text (CsCandidateCard *card)
{
  GtkLabel *badge = g_object_get_data (G_OBJECT (card), BADGE_KEY);

  if (badge == NULL || !gtk_widget_get_visible (GTK_WIDGET (badge)))
    return NULL;
  return gtk_label_get_text (badge);
}
