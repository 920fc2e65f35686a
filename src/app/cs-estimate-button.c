/* cs-estimate-button.c: the run's estimated cost beside *Run*
 *
 * A flat menu button in the header, "≈ $0.02–0.09", its popover giving the
 * range and the budget above a small table of the estimate per model and
 * stage (cs-estimate-table.c; models by their display names). With a budget whose upper figure the
 * estimate passes, it turns to a warning (an icon, the warning colour, the
 * tooltip and the popover say so); the window still asks before such a
 * run starts (cs-budget-dialog.c). Where the header has no room for the
 * range (a squeezer picks the first form whose natural width fits), it
 * says the upper figure alone, "≤ $0.09", or "No price" when no model has
 * one (words, never "$ ?"), so that it stays whole beside Run and the
 * header's minimum width is the short form's. A model without a price puts
 * *Set Prices…* in the popover (app.prices). The compose page
 * computes the estimate a moment after each change and hands it here
 * (cs-compose-page-cost.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-estimate-button"

#include "config.h"

#include <glib/gi18n.h>

#include "cs-estimate-button.h"
#include "cs-estimate-table.h"

struct _CsEstimateButton
{
  AdwBin          parent_instance;

  GtkMenuButton  *button;
  GtkImage       *warning_icon;
  GtkLabel       *label;        /* the range */
  GtkLabel       *narrow_label; /* the upper figure */
  GtkWidget      *prices_button;
  GtkPopover     *popover;
  GtkLabel       *range_label;
  GtkLabel       *budget_label;
  GtkGrid        *table;
  GtkLabel       *notes_label;
  char           *details;      /* the popover as text, for tests */

  gboolean        over_budget;
};

G_DEFINE_FINAL_TYPE (CsEstimateButton, cs_estimate_button, ADW_TYPE_BIN)

/* The budget sentence, or NULL without a budget. */
static char *
budget_text (const CsEstimate *estimate,
             double            budget_usd,
             gboolean         *over)
{
  *over = FALSE;
  if (budget_usd <= 0)
    return NULL;
  *over = cs_estimate_exceeds (estimate, budget_usd);
  if (*over && !estimate->priced)
    /* Translators: a model has no price, so the budget (dollars) cannot be checked */
    return g_strdup_printf (_("A model has no price, so the budget of $%.2f cannot be checked: "
                              "Run asks first."), budget_usd);
  if (*over)
    /* Translators: the upper estimate is above the budget (dollars) set in the preferences */
    return g_strdup_printf (_("Above the budget of $%.2f: Run asks first, and a run stops at the budget."),
                            budget_usd);
  return g_strdup_printf (_("Within the budget of $%.2f."), budget_usd);
}

/* The upper figure alone, for a narrow header: "≤ $0.09", "≤ $0.09 + ?";
 * words, not "$ ?", when no model has a price. */
static char *
narrow_text (const CsEstimate *estimate)
{
  if (!estimate->priced && estimate->usd_high <= 0)
    /* Translators: on the estimate button in a narrow window: no chosen
     * model has a price, so the run's cost is unknown. Keep it as short as
     * the English: it must fit a 360 px window's header beside Run */
    return g_strdup (_("No price"));
  return cs_estimate_to_narrow (estimate);
}

static void
prices_clicked_cb (GtkButton        *button,
                   CsEstimateButton *self)
{
  gtk_popover_popdown (self->popover);
}

void
cs_estimate_button_update (CsEstimateButton *self,
                           const CsEstimate *estimate,
                           double            budget_usd)
{
  g_autofree char *wide = NULL;
  g_autofree char *narrow = NULL;
  g_autofree char *range = NULL;
  g_autofree char *budget = NULL;
  g_autofree char *tooltip = NULL;
  gboolean over = FALSE;

  g_return_if_fail (CS_IS_ESTIMATE_BUTTON (self));

  if (estimate == NULL)
    {
      gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
      gtk_popover_popdown (self->popover);
      self->over_budget = FALSE;
      return;
    }

  wide = cs_estimate_to_compact (estimate);
  narrow = narrow_text (estimate);
  range = cs_estimate_to_short (estimate);
  budget = budget_text (estimate, budget_usd, &over);
  self->over_budget = over;

  gtk_label_set_text (self->label, wide);
  gtk_label_set_text (self->narrow_label, narrow);
  gtk_label_set_text (self->range_label, range);
  g_free (self->details);
  {
    g_autofree char *rows = cs_estimate_table_fill (self->table, self->notes_label, estimate);
    GtkWidget *scroller = gtk_widget_get_ancestor (GTK_WIDGET (self->table), GTK_TYPE_SCROLLED_WINDOW);
    int height;

    /* the table keeps its whole height up to the scroller's maximum: GTK
     * 4.8's popover may size its height for a wider content than it then
     * gets (a wrapped note one line taller), and the scroller gave up the
     * difference, cutting the total off (seen in German) */
    gtk_widget_measure (GTK_WIDGET (self->table), GTK_ORIENTATION_VERTICAL, -1, NULL, &height, NULL, NULL);
    gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scroller),
                                                MIN (height, gtk_scrolled_window_get_max_content_height (GTK_SCROLLED_WINDOW (scroller))));

    self->details = g_strdup_printf ("%s\n%s%s%s", range, budget != NULL ? budget : "",
                                     budget != NULL ? "\n" : "", rows);
  }
  gtk_label_set_text (self->budget_label, budget != NULL ? budget : "");
  gtk_widget_set_visible (GTK_WIDGET (self->budget_label), budget != NULL);
  gtk_widget_set_visible (self->prices_button, !estimate->priced);
  gtk_widget_set_visible (GTK_WIDGET (self->warning_icon), over);
  if (over)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->button), "warning");
      gtk_widget_add_css_class (GTK_WIDGET (self->budget_label), "warning");
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->button), "warning");
      gtk_widget_remove_css_class (GTK_WIDGET (self->budget_label), "warning");
    }

  /* Translators: the button's tooltip: the estimated range, then the budget sentence if any */
  tooltip = g_strdup_printf (_("Estimated cost of this run: %s%s%s"), range,
                             budget != NULL ? "\n" : "", budget != NULL ? budget : "");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->button), tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip,
                                  -1);
  gtk_widget_set_visible (GTK_WIDGET (self), TRUE);
}

const char *
cs_estimate_button_get_text (CsEstimateButton *self)
{
  g_return_val_if_fail (CS_IS_ESTIMATE_BUTTON (self), NULL);
  return gtk_widget_get_visible (GTK_WIDGET (self)) ? gtk_label_get_text (self->label) : NULL;
}

const char *
cs_estimate_button_get_shown_text (CsEstimateButton *self)
{
  GtkWidget *shown;

  g_return_val_if_fail (CS_IS_ESTIMATE_BUTTON (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self)))
    return NULL;
  shown = adw_squeezer_get_visible_child (ADW_SQUEEZER (gtk_widget_get_parent (GTK_WIDGET (self->label))));
  return GTK_IS_LABEL (shown) ? gtk_label_get_text (GTK_LABEL (shown)) : NULL;
}

const char *
cs_estimate_button_get_details (CsEstimateButton *self)
{
  g_return_val_if_fail (CS_IS_ESTIMATE_BUTTON (self), NULL);
  return self->details != NULL ? self->details : "";
}

gboolean
cs_estimate_button_get_over_budget (CsEstimateButton *self)
{
  g_return_val_if_fail (CS_IS_ESTIMATE_BUTTON (self), FALSE);
  return self->over_budget;
}

GtkPopover *
cs_estimate_button_get_popover (CsEstimateButton *self)
{
  g_return_val_if_fail (CS_IS_ESTIMATE_BUTTON (self), NULL);
  return self->popover;
}

static void
cs_estimate_button_dispose (GObject *object)
{
  /* the bin lets its child go first: the template would unparent it
   * behind the bin's back */
  adw_bin_set_child (ADW_BIN (object), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (object), CS_TYPE_ESTIMATE_BUTTON);

  G_OBJECT_CLASS (cs_estimate_button_parent_class)->dispose (object);
}

static void
cs_estimate_button_finalize (GObject *object)
{
  g_free (CS_ESTIMATE_BUTTON (object)->details);

  G_OBJECT_CLASS (cs_estimate_button_parent_class)->finalize (object);
}

static void
cs_estimate_button_class_init (CsEstimateButtonClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cs_estimate_button_dispose;
  object_class->finalize = cs_estimate_button_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/consilium/Consilium/cs-estimate-button.ui");
  gtk_widget_class_bind_template_child (widget_class, CsEstimateButton, button);
  gtk_widget_class_bind_template_child (widget_class, CsEstimateButton, warning_icon);
  gtk_widget_class_bind_template_child (widget_class, CsEstimateButton, label);
  gtk_widget_class_bind_template_child (widget_class, CsEstimateButton, narrow_label);
  gtk_widget_class_bind_template_child (widget_class, CsEstimateButton, prices_button);
  gtk_widget_class_bind_template_callback (widget_class, prices_clicked_cb);
  gtk_widget_class_bind_template_child (widget_class, CsEstimateButton, popover);
  gtk_widget_class_bind_template_child (widget_class, CsEstimateButton, range_label);
  gtk_widget_class_bind_template_child (widget_class, CsEstimateButton, budget_label);
  gtk_widget_class_bind_template_child (widget_class, CsEstimateButton, table);
  gtk_widget_class_bind_template_child (widget_class, CsEstimateButton, notes_label);
}

static void
cs_estimate_button_init (CsEstimateButton *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
