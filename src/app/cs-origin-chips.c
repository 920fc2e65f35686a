/* cs-origin-chips.c: which candidates proposed an item, as small chips
 *
 * One flat pill per candidate id, its tooltip the candidate's model and
 * angle in words, read from the run shown when the chips are first mapped;
 * clicking it scrolls to that candidate's card and highlights it. An item
 * the judge added or changed gets a small mark saying so.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-origin-chips"

#include "config.h"

#include <glib/gi18n.h>

#include "cs-candidate-view.h"
#include "cs-origin-chips.h"
#include "cs-result-parts.h"
#include "cs-run-page.h"
#include "cs-ui-util.h"
#include "cs-wrap-layout.h"

#define CHIP_ID "cs-origin-candidate"

const char *
cs_origin_chip_get_candidate (GtkWidget *chip)
{
  g_return_val_if_fail (GTK_IS_WIDGET (chip), NULL);
  return g_object_get_data (G_OBJECT (chip), CHIP_ID);
}

static CsRunPage *
run_page_of (GtkWidget *widget)
{
  GtkWidget *page = gtk_widget_get_ancestor (widget, CS_TYPE_RUN_PAGE);

  return page != NULL ? CS_RUN_PAGE (page) : NULL;
}

/* "c2: kimi-k2 from Moonshot, angle: Cost first" */
static char *
chip_tooltip (GtkWidget  *chip,
              const char *id)
{
  CsRunPage *page = run_page_of (chip);
  CsRun *run = page != NULL ? cs_run_page_get_run (page) : NULL;
  CsCandidate *candidate = run != NULL ? cs_run_find_candidate (run, id) : NULL;
  g_autofree char *model = NULL;
  const char *angle;

  if (candidate == NULL)
    /* Translators: a chip's tooltip when the candidate is not known */
    return g_strdup_printf (_("Proposed by candidate %s"), id);
  model = cs_result_model_text (chip, cs_candidate_get_model (candidate));
  angle = cs_candidate_angle_label (candidate);
  if (angle == NULL)
    /* Translators: a chip's tooltip: the candidate's id and its model */
    return g_strdup_printf (_("Proposed by %s: %s"), id, model);
  /* Translators: a chip's tooltip: the candidate's id, its model and the
   * angle it answered from ("Proposed by c2: kimi-k2 from Moonshot, cost
   * first") */
  return g_strdup_printf (_("Proposed by %s: %s, %s"), id, model, angle);
}

/* The run is known once the chips are in the run page: each chip gets its
 * tooltip as the box is first mapped, while the chip is still hidden.
 * Setting a tooltip on a visible widget makes GTK query the pointer's
 * position (on X11 a round trip to the server per chip: dozens of them
 * in the frame that adds a result's rows). */
static void
chips_map_cb (GtkWidget *box,
              gpointer   user_data)
{
  for (GtkWidget *chip = gtk_widget_get_first_child (box); chip != NULL; chip = gtk_widget_get_next_sibling (chip))
    {
      g_autofree char *tooltip = NULL;

      if (gtk_widget_get_visible (chip) || cs_origin_chip_get_candidate (chip) == NULL)
        continue;
      tooltip = chip_tooltip (chip, cs_origin_chip_get_candidate (chip));
      gtk_widget_set_tooltip_text (chip, tooltip);
      gtk_accessible_update_property (GTK_ACCESSIBLE (chip), GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip, -1);
      gtk_widget_set_visible (chip, TRUE);
    }
}

static void
chip_clicked_cb (GtkButton *button,
                 gpointer   user_data)
{
  CsRunPage *page = run_page_of (GTK_WIDGET (button));

  if (page != NULL)
    cs_run_page_show_candidate (page, cs_origin_chip_get_candidate (GTK_WIDGET (button)));
}

static GtkWidget *
chip_new (const char *id)
{
  GtkWidget *button = gtk_button_new ();
  GtkWidget *label = cs_plain_label (id, FALSE, "caption", NULL);

  gtk_label_set_wrap (GTK_LABEL (label), FALSE);
  gtk_button_set_child (GTK_BUTTON (button), label);
  gtk_widget_add_css_class (button, "origin-chip");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  g_object_set_data_full (G_OBJECT (button), CHIP_ID, g_strdup (id), g_free);
  /* shown with its tooltip (chips_map_cb) */
  gtk_widget_set_visible (button, FALSE);
  g_signal_connect (button, "clicked", G_CALLBACK (chip_clicked_cb), NULL);
  return button;
}

GtkWidget *
cs_origin_chips_new (const CsOrigin *origin)
{
  GtkWidget *box;
  const char *mark = NULL;

  g_return_val_if_fail (origin != NULL, NULL);

  if (origin->judge == CS_JUDGE_ADDED)
    mark = _("judge added");
  else if (origin->judge == CS_JUDGE_CHANGED)
    mark = _("judge changed");
  if (mark == NULL && (origin->sources == NULL || origin->sources[0] == NULL))
    return NULL;

  /* the chips wrap: beside a row's title they take more lines, not the
   * title's width, and they take what a row has to spare (hexpand) */
  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
  gtk_widget_set_layout_manager (box, cs_wrap_layout_new (4));
  gtk_widget_set_hexpand (box, TRUE);
  gtk_widget_add_css_class (box, "origin-chips");
  gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
  gtk_widget_set_halign (box, GTK_ALIGN_START);
  g_signal_connect (box, "map", G_CALLBACK (chips_map_cb), NULL);
  for (guint i = 0; origin->sources != NULL && origin->sources[i] != NULL && i < 16; i++)
    gtk_box_append (GTK_BOX (box), chip_new (origin->sources[i]));
  if (mark != NULL)
    {
      GtkWidget *label = cs_plain_label (mark, FALSE, "caption", "origin-judge", NULL);

      gtk_label_set_wrap (GTK_LABEL (label), FALSE);
      gtk_widget_set_valign (label, GTK_ALIGN_CENTER);
      gtk_box_append (GTK_BOX (box), label);
    }
  return box;
}

void
cs_origin_chips_add_to_row (GtkWidget      *row,
                            const CsOrigin *origin)
{
  GtkWidget *chips = cs_origin_chips_new (origin);

  if (chips == NULL)
    return;
  /* beside the row's arrow where they fit in a line */
  gtk_widget_set_halign (chips, GTK_ALIGN_END);
  if (ADW_IS_EXPANDER_ROW (row))
    adw_expander_row_add_action (ADW_EXPANDER_ROW (row), chips);
  else if (ADW_IS_ACTION_ROW (row))
    adw_action_row_add_suffix (ADW_ACTION_ROW (row), chips);
  else
    g_object_ref_sink (chips), g_object_unref (chips);
}

void
cs_origin_chips_add_after (GtkWidget      *sibling,
                           const CsOrigin *origin)
{
  GtkWidget *parent = gtk_widget_get_parent (sibling);
  GtkWidget *chips;

  g_return_if_fail (GTK_IS_BOX (parent));

  if ((chips = cs_origin_chips_new (origin)) != NULL)
    gtk_box_insert_child_after (GTK_BOX (parent), chips, sibling);
}

GtkWidget *
cs_origin_chips_line (GtkWidget      *label,
                      const CsOrigin *origin)
{
  GtkWidget *chips = cs_origin_chips_new (origin);
  GtkWidget *box;

  if (chips == NULL)
    return label;
  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  gtk_widget_set_hexpand (label, FALSE);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), chips);
  return box;
}
