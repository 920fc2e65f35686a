/* cs-candidate-card-footer.c: a card footer's label, measured width first
 *
 * The footer (tokens, cost, first token, elapsed) is a wrapping label in
 * a row with the Raw toggle. GTK asked it for its width at a given height
 * (a dozen Pango layouts each: the label searches that width by halving)
 * several times whenever its text changed, 17-19 measurements and about
 * 5 ms of CPU in the frame where a candidate's answer completed. This
 * holder gives its child's width for any height and its height for the
 * width it is given: the card is laid out height for width, always.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-candidate-card"

#include "config.h"

#include "cs-candidate-card-footer.h"

struct _CsCandidateCardFooter
{
  GtkWidget parent_instance;
};

static void cs_candidate_card_footer_buildable_init (GtkBuildableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CsCandidateCardFooter, cs_candidate_card_footer, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (GTK_TYPE_BUILDABLE, cs_candidate_card_footer_buildable_init))

static GtkBuildableIface *parent_buildable_iface;

/* <child> in a template: the one child */
static void
cs_candidate_card_footer_add_child (GtkBuildable *buildable,
                                    GtkBuilder   *builder,
                                    GObject      *child,
                                    const char   *type)
{
  if (GTK_IS_WIDGET (child) && gtk_widget_get_first_child (GTK_WIDGET (buildable)) == NULL)
    gtk_widget_set_parent (GTK_WIDGET (child), GTK_WIDGET (buildable));
  else
    parent_buildable_iface->add_child (buildable, builder, child, type);
}

static void
cs_candidate_card_footer_buildable_init (GtkBuildableIface *iface)
{
  parent_buildable_iface = g_type_interface_peek_parent (iface);
  iface->add_child = cs_candidate_card_footer_add_child;
}

static void
cs_candidate_card_footer_measure (GtkWidget      *widget,
                                  GtkOrientation  orientation,
                                  int             for_size,
                                  int            *minimum,
                                  int            *natural,
                                  int            *minimum_baseline,
                                  int            *natural_baseline)
{
  GtkWidget *child = gtk_widget_get_first_child (widget);

  *minimum = *natural = 0;
  if (child == NULL || !gtk_widget_get_visible (child))
    return;
  gtk_widget_measure (child, orientation, orientation == GTK_ORIENTATION_HORIZONTAL ? -1 : for_size,
                      minimum, natural, NULL, NULL);
}

static void
cs_candidate_card_footer_size_allocate (GtkWidget *widget,
                                        int        width,
                                        int        height,
                                        int        baseline)
{
  GtkWidget *child = gtk_widget_get_first_child (widget);

  if (child != NULL && gtk_widget_get_visible (child))
    gtk_widget_allocate (child, width, height, -1, NULL);
}

static GtkSizeRequestMode
cs_candidate_card_footer_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
cs_candidate_card_footer_dispose (GObject *object)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (cs_candidate_card_footer_parent_class)->dispose (object);
}

static void
cs_candidate_card_footer_class_init (CsCandidateCardFooterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cs_candidate_card_footer_dispose;
  widget_class->measure = cs_candidate_card_footer_measure;
  widget_class->size_allocate = cs_candidate_card_footer_size_allocate;
  widget_class->get_request_mode = cs_candidate_card_footer_get_request_mode;
}

static void
cs_candidate_card_footer_init (CsCandidateCardFooter *self)
{
}
