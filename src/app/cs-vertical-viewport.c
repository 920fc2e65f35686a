/* cs-vertical-viewport.c: a viewport for pages that scroll vertically only
 *
 * GtkViewport (GTK 4.8) also computes a horizontal range: it asks its
 * child for its width at the height it would have, and every wrapping
 * label below then searches that width by halving, a dozen Pango layouts
 * each, on every change of the page's height (a card that grows, a
 * result row added). A page that never scrolls sideways needs none of
 * that: this viewport lays its child out at its own width (or the child's
 * minimum width, if larger), height for width, and scrolls it vertically.
 * Like GtkViewport, it scrolls the focused widget into view.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-vertical-viewport"

#include "config.h"

#include "cs-vertical-viewport.h"

struct _CsVerticalViewport
{
  GtkWidget            parent_instance;

  GtkWidget           *child;
  GtkAdjustment       *adjustment[2];   /* by GtkOrientation */
  GtkScrollablePolicy  scroll_policy[2];
  GtkRoot             *root;            /* whose focus is followed */
};

G_DEFINE_FINAL_TYPE_WITH_CODE (CsVerticalViewport, cs_vertical_viewport, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (GTK_TYPE_SCROLLABLE, NULL))

enum {
  PROP_0,
  PROP_CHILD,
  N_PROPS,
  /* GtkScrollable */
  PROP_HADJUSTMENT = N_PROPS,
  PROP_VADJUSTMENT,
  PROP_HSCROLL_POLICY,
  PROP_VSCROLL_POLICY,
};

static GParamSpec *properties[N_PROPS];

static void
adjustment_value_changed_cb (GtkAdjustment      *adjustment,
                             CsVerticalViewport *self)
{
  gtk_widget_queue_allocate (GTK_WIDGET (self));
}

static void
set_adjustment (CsVerticalViewport *self,
                GtkOrientation      orientation,
                GtkAdjustment      *adjustment)
{
  GtkAdjustment **slot = &self->adjustment[orientation];

  if (adjustment != NULL && adjustment == *slot)
    return;

  if (*slot != NULL)
    {
      g_signal_handlers_disconnect_by_func (*slot, adjustment_value_changed_cb, self);
      g_clear_object (slot);
    }
  if (adjustment == NULL)
    adjustment = gtk_adjustment_new (0, 0, 0, 0, 0, 0);
  *slot = g_object_ref_sink (adjustment);
  g_signal_connect (adjustment, "value-changed", G_CALLBACK (adjustment_value_changed_cb), self);
  gtk_widget_queue_allocate (GTK_WIDGET (self));
}

/* Scrolls by the least that shows @size from @pos (in the viewport's
 * coordinates), as GtkViewport does for the focus. */
static void
scroll_to_view (GtkAdjustment *adjustment,
                double         pos,
                double         size)
{
  double value = gtk_adjustment_get_value (adjustment);
  double page = gtk_adjustment_get_page_size (adjustment);

  if (pos < 0)
    gtk_adjustment_set_value (adjustment, value + pos);
  else if (pos + size >= page)
    gtk_adjustment_set_value (adjustment, value + pos + size - page);
}

static void
focus_changed_cb (CsVerticalViewport *self)
{
  GtkWidget *focus;
  graphene_rect_t bounds;
  double x, y;

  if ((gtk_widget_get_state_flags (GTK_WIDGET (self)) & GTK_STATE_FLAG_FOCUS_WITHIN) == 0 ||
      self->child == NULL || self->root == NULL ||
      (focus = gtk_root_get_focus (self->root)) == NULL)
    return;

  /* an entry's text, as the entry */
  if (GTK_IS_TEXT (focus) && gtk_widget_get_parent (focus) != NULL)
    focus = gtk_widget_get_parent (focus);
  if (!gtk_widget_compute_bounds (focus, self->child, &bounds))
    return;
  gtk_widget_translate_coordinates (self->child, GTK_WIDGET (self), bounds.origin.x, bounds.origin.y, &x, &y);
  scroll_to_view (self->adjustment[GTK_ORIENTATION_HORIZONTAL], x, bounds.size.width);
  scroll_to_view (self->adjustment[GTK_ORIENTATION_VERTICAL], y, bounds.size.height);
}

/* ---- public ---- */

GtkWidget *
cs_vertical_viewport_new (void)
{
  return g_object_new (CS_TYPE_VERTICAL_VIEWPORT, NULL);
}

void
cs_vertical_viewport_set_child (CsVerticalViewport *self,
                                GtkWidget          *child)
{
  g_return_if_fail (CS_IS_VERTICAL_VIEWPORT (self));
  g_return_if_fail (child == NULL || GTK_IS_WIDGET (child));

  if (self->child == child)
    return;
  g_clear_pointer (&self->child, gtk_widget_unparent);
  if (child != NULL)
    {
      self->child = child;
      gtk_widget_set_parent (child, GTK_WIDGET (self));
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHILD]);
}

GtkWidget *
cs_vertical_viewport_get_child (CsVerticalViewport *self)
{
  g_return_val_if_fail (CS_IS_VERTICAL_VIEWPORT (self), NULL);

  return self->child;
}

/* ---- GtkWidget ---- */

static void
cs_vertical_viewport_measure (GtkWidget      *widget,
                              GtkOrientation  orientation,
                              int             for_size,
                              int            *minimum,
                              int            *natural,
                              int            *minimum_baseline,
                              int            *natural_baseline)
{
  CsVerticalViewport *self = CS_VERTICAL_VIEWPORT (widget);

  /* The height is only the scrolled window's business when it propagates
   * it or never scrolls vertically, which a vertical viewport is not for:
   * measuring it would lay the page out at the window's width for
   * nothing, once more than size_allocate () does. */
  *minimum = *natural = 0;
  if (orientation == GTK_ORIENTATION_HORIZONTAL && self->child != NULL && gtk_widget_get_visible (self->child))
    gtk_widget_measure (self->child, orientation, -1, minimum, natural, NULL, NULL);
}

static void
cs_vertical_viewport_size_allocate (GtkWidget *widget,
                                    int        width,
                                    int        height,
                                    int        baseline)
{
  CsVerticalViewport *self = CS_VERTICAL_VIEWPORT (widget);
  GtkAdjustment *hadjustment = self->adjustment[GTK_ORIENTATION_HORIZONTAL];
  GtkAdjustment *vadjustment = self->adjustment[GTK_ORIENTATION_VERTICAL];
  int child_width = width, child_height = height;

  if (self->child != NULL && gtk_widget_get_visible (self->child))
    {
      int min_width, min_height, nat_height;

      gtk_widget_measure (self->child, GTK_ORIENTATION_HORIZONTAL, -1, &min_width, NULL, NULL, NULL);
      child_width = MAX (width, min_width);
      gtk_widget_measure (self->child, GTK_ORIENTATION_VERTICAL, child_width, &min_height, &nat_height, NULL, NULL);
      child_height = MAX (height, self->scroll_policy[GTK_ORIENTATION_VERTICAL] == GTK_SCROLL_MINIMUM
                                    ? min_height : nat_height);
    }

  g_object_freeze_notify (G_OBJECT (hadjustment));
  g_object_freeze_notify (G_OBJECT (vadjustment));
  gtk_adjustment_configure (hadjustment, gtk_adjustment_get_value (hadjustment), 0, child_width,
                            width * 0.1, width * 0.9, width);
  gtk_adjustment_configure (vadjustment, gtk_adjustment_get_value (vadjustment), 0, child_height,
                            height * 0.1, height * 0.9, height);

  if (self->child != NULL && gtk_widget_get_visible (self->child))
    gtk_widget_size_allocate (self->child,
                              &(GtkAllocation) {
                                -gtk_adjustment_get_value (hadjustment),
                                -gtk_adjustment_get_value (vadjustment),
                                child_width, child_height
                              }, -1);

  g_object_thaw_notify (G_OBJECT (hadjustment));
  g_object_thaw_notify (G_OBJECT (vadjustment));
}

static void
cs_vertical_viewport_root (GtkWidget *widget)
{
  CsVerticalViewport *self = CS_VERTICAL_VIEWPORT (widget);

  GTK_WIDGET_CLASS (cs_vertical_viewport_parent_class)->root (widget);

  self->root = gtk_widget_get_root (widget);
  g_signal_connect_swapped (self->root, "notify::focus-widget", G_CALLBACK (focus_changed_cb), self);
}

static void
cs_vertical_viewport_unroot (GtkWidget *widget)
{
  CsVerticalViewport *self = CS_VERTICAL_VIEWPORT (widget);

  if (self->root != NULL)
    g_signal_handlers_disconnect_by_func (self->root, focus_changed_cb, self);
  self->root = NULL;

  GTK_WIDGET_CLASS (cs_vertical_viewport_parent_class)->unroot (widget);
}

/* ---- GObject ---- */

static void
cs_vertical_viewport_dispose (GObject *object)
{
  CsVerticalViewport *self = CS_VERTICAL_VIEWPORT (object);

  g_clear_pointer (&self->child, gtk_widget_unparent);
  for (guint i = 0; i < G_N_ELEMENTS (self->adjustment); i++)
    if (self->adjustment[i] != NULL)
      {
        g_signal_handlers_disconnect_by_func (self->adjustment[i], adjustment_value_changed_cb, self);
        g_clear_object (&self->adjustment[i]);
      }

  G_OBJECT_CLASS (cs_vertical_viewport_parent_class)->dispose (object);
}

static void
cs_vertical_viewport_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  CsVerticalViewport *self = CS_VERTICAL_VIEWPORT (object);

  switch (prop_id)
    {
    case PROP_CHILD:
      g_value_set_object (value, self->child);
      break;

    case PROP_HADJUSTMENT:
      g_value_set_object (value, self->adjustment[GTK_ORIENTATION_HORIZONTAL]);
      break;

    case PROP_VADJUSTMENT:
      g_value_set_object (value, self->adjustment[GTK_ORIENTATION_VERTICAL]);
      break;

    case PROP_HSCROLL_POLICY:
      g_value_set_enum (value, self->scroll_policy[GTK_ORIENTATION_HORIZONTAL]);
      break;

    case PROP_VSCROLL_POLICY:
      g_value_set_enum (value, self->scroll_policy[GTK_ORIENTATION_VERTICAL]);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
set_scroll_policy (CsVerticalViewport  *self,
                   GtkOrientation       orientation,
                   GtkScrollablePolicy  policy,
                   GParamSpec          *pspec)
{
  if (self->scroll_policy[orientation] == policy)
    return;
  self->scroll_policy[orientation] = policy;
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), pspec);
}

static void
cs_vertical_viewport_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  CsVerticalViewport *self = CS_VERTICAL_VIEWPORT (object);

  switch (prop_id)
    {
    case PROP_CHILD:
      cs_vertical_viewport_set_child (self, g_value_get_object (value));
      break;

    case PROP_HADJUSTMENT:
      set_adjustment (self, GTK_ORIENTATION_HORIZONTAL, g_value_get_object (value));
      break;

    case PROP_VADJUSTMENT:
      set_adjustment (self, GTK_ORIENTATION_VERTICAL, g_value_get_object (value));
      break;

    case PROP_HSCROLL_POLICY:
      set_scroll_policy (self, GTK_ORIENTATION_HORIZONTAL, g_value_get_enum (value), pspec);
      break;

    case PROP_VSCROLL_POLICY:
      set_scroll_policy (self, GTK_ORIENTATION_VERTICAL, g_value_get_enum (value), pspec);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_vertical_viewport_class_init (CsVerticalViewportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cs_vertical_viewport_dispose;
  object_class->get_property = cs_vertical_viewport_get_property;
  object_class->set_property = cs_vertical_viewport_set_property;

  widget_class->measure = cs_vertical_viewport_measure;
  widget_class->size_allocate = cs_vertical_viewport_size_allocate;
  widget_class->root = cs_vertical_viewport_root;
  widget_class->unroot = cs_vertical_viewport_unroot;

  properties[PROP_CHILD] =
    g_param_spec_object ("child", NULL, NULL,
                         GTK_TYPE_WIDGET,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_object_class_override_property (object_class, PROP_HADJUSTMENT, "hadjustment");
  g_object_class_override_property (object_class, PROP_VADJUSTMENT, "vadjustment");
  g_object_class_override_property (object_class, PROP_HSCROLL_POLICY, "hscroll-policy");
  g_object_class_override_property (object_class, PROP_VSCROLL_POLICY, "vscroll-policy");

  /* styled as GtkViewport */
  gtk_widget_class_set_css_name (widget_class, "viewport");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
cs_vertical_viewport_init (CsVerticalViewport *self)
{
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  set_adjustment (self, GTK_ORIENTATION_HORIZONTAL, NULL);
  set_adjustment (self, GTK_ORIENTATION_VERTICAL, NULL);
}
