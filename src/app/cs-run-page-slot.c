/* cs-run-page-slot.c: a card's place in the run page's flow box
 *
 * GtkFlowBox puts as many children on a row as fit at the largest natural
 * width among them, and measures them all again whenever that changes. A
 * card's natural width follows its content (a long model name or angle, a
 * Stop button while it streams): while eight candidates streamed, one
 * card 1 px too wide put them all on one column, and as the run ended (the
 * Stop buttons gone) they went back to two, every card laid out again at
 * a new width, and the whole page drawn again, in one frame. A slot gives
 * its card a natural width of its own (SLOT_NATURAL_WIDTH, or the card's
 * minimum if larger), so that the columns follow the page's width alone.
 *
 * A slot also measures its card's width without regard to a height: the
 * flow box asks for the width a child needs at a given height, and every
 * wrapping label in a card then searches that width by halving, a Pango
 * layout a try. Cards are laid out height for width, always.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-run-page"

#include "config.h"

#include "cs-run-page-slot.h"

/* About the natural width of a finished card with the usual model names
 * and angles (340-370 px): two columns in a window of the default width,
 * three from about 1,200 px of page. */
#define SLOT_NATURAL_WIDTH 380

struct _CsRunPageSlot
{
  GtkFlowBoxChild parent_instance;
};

G_DEFINE_FINAL_TYPE (CsRunPageSlot, cs_run_page_slot, GTK_TYPE_FLOW_BOX_CHILD)

GtkWidget *
cs_run_page_slot_new (GtkWidget *card)
{
  GtkWidget *self;

  g_return_val_if_fail (GTK_IS_WIDGET (card), NULL);

  self = g_object_new (CS_TYPE_RUN_PAGE_SLOT, NULL);
  gtk_flow_box_child_set_child (GTK_FLOW_BOX_CHILD (self), card);
  return self;
}

static void
cs_run_page_slot_measure (GtkWidget      *widget,
                          GtkOrientation  orientation,
                          int             for_size,
                          int            *minimum,
                          int            *natural,
                          int            *minimum_baseline,
                          int            *natural_baseline)
{
  GtkWidget *card = gtk_flow_box_child_get_child (GTK_FLOW_BOX_CHILD (widget));

  *minimum = *natural = 0;
  if (card == NULL || !gtk_widget_get_visible (card))
    return;

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      gtk_widget_measure (card, orientation, -1, minimum, NULL, NULL, NULL);
      *natural = MAX (*minimum, SLOT_NATURAL_WIDTH);
    }
  else
    gtk_widget_measure (card, orientation, for_size, minimum, natural, NULL, NULL);
}

static void
cs_run_page_slot_size_allocate (GtkWidget *widget,
                                int        width,
                                int        height,
                                int        baseline)
{
  GtkWidget *card = gtk_flow_box_child_get_child (GTK_FLOW_BOX_CHILD (widget));

  if (card != NULL && gtk_widget_get_visible (card))
    gtk_widget_allocate (card, width, height, -1, NULL);
}

static GtkSizeRequestMode
cs_run_page_slot_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
cs_run_page_slot_class_init (CsRunPageSlotClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  widget_class->measure = cs_run_page_slot_measure;
  widget_class->size_allocate = cs_run_page_slot_size_allocate;
  widget_class->get_request_mode = cs_run_page_slot_get_request_mode;
}

static void
cs_run_page_slot_init (CsRunPageSlot *self)
{
  /* the measure and size_allocate above, not the flow box child's layout */
  gtk_widget_set_layout_manager (GTK_WIDGET (self), NULL);
}
