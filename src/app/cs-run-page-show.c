/* cs-run-page-show.c: the run page scrolled to one candidate's card
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-run-page"

#include "config.h"

#include "cs-candidate-card.h"
#include "cs-run-page-private.h"

#define HIGHLIGHT_MS 1600

static void
unhighlight_cb (gpointer data)
{
  g_autoptr(GtkWidget) card = data;

  gtk_widget_remove_css_class (card, "candidate-highlight");
}

static GtkWidget *
find_card (CsRunPage  *self,
           const char *candidate_id)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->candidates_flow));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *card;

      if (!GTK_IS_FLOW_BOX_CHILD (child))
        continue;
      card = gtk_flow_box_child_get_child (GTK_FLOW_BOX_CHILD (child));
      if (CS_IS_CANDIDATE_CARD (card) &&
          g_strcmp0 (cs_candidate_get_id (cs_candidate_card_get_candidate (CS_CANDIDATE_CARD (card))),
                     candidate_id) == 0)
        return card;
    }
  return NULL;
}

gboolean
cs_run_page_show_candidate (CsRunPage  *self,
                            const char *candidate_id)
{
  GtkWidget *scroller;
  GtkWidget *content;
  GtkWidget *card;
  GtkAdjustment *adjustment;
  double x = 0, y = 0;

  g_return_val_if_fail (CS_IS_RUN_PAGE (self), FALSE);

  if (candidate_id == NULL || (card = find_card (self, candidate_id)) == NULL)
    return FALSE;
  /* the template's root, AdwBin's child: a scrolled window around the
   * viewport around the page's content */
  scroller = adw_bin_get_child (ADW_BIN (self));
  content = gtk_widget_get_first_child (gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scroller)));
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
  if (content != NULL && gtk_widget_translate_coordinates (card, content, 0, 0, &x, &y))
    gtk_adjustment_set_value (adjustment, MAX (0, y - 12));

  if (!gtk_widget_has_css_class (card, "candidate-highlight"))
    {
      gtk_widget_add_css_class (card, "candidate-highlight");
      g_timeout_add_once (HIGHLIGHT_MS, unhighlight_cb, g_object_ref (card));
    }
  return TRUE;
}
