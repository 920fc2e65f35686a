/* cs-wrap-layout.c: children in a line that wraps
 *
 * A layout manager: the children side by side at their natural widths,
 * in order, a new line where the next one does not fit; each line as high
 * as its tallest child, children centred in it, what a line leaves shared
 * by its children that expand (hexpand). Its minimum width is the largest
 * of its children's minimums, its natural width one line of them all: in a row beside
 * a title (a result row's origin chips) it gives the title its words and
 * wraps itself, where a box would squeeze the title to a few letters a
 * line. Height for width. GtkFlowBox (GTK 4.8) measured such a line as one
 * column and drew over what followed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-wrap-layout"

#include "config.h"

#include "cs-wrap-layout.h"

struct _CsWrapLayout
{
  GtkLayoutManager parent_instance;

  int              spacing;
};

G_DEFINE_FINAL_TYPE (CsWrapLayout, cs_wrap_layout, GTK_TYPE_LAYOUT_MANAGER)

static GtkSizeRequestMode
cs_wrap_layout_get_request_mode (GtkLayoutManager *manager,
                                 GtkWidget        *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

/* A child's width in a line @width wide. */
static int
child_width (GtkWidget *child,
             int        width)
{
  int natural = 0;

  gtk_widget_measure (child, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &natural, NULL, NULL);
  return MIN (natural, width);
}

static int
child_height (GtkWidget *child,
              int        width)
{
  int natural = 0;

  gtk_widget_measure (child, GTK_ORIENTATION_VERTICAL, width, NULL, &natural, NULL, NULL);
  return natural;
}

/* Allocates the line from @first to @end (excluded), @top down, @height
 * high, each child centred in it. */
static void
allocate_line (CsWrapLayout *self,
               GtkWidget    *first,
               GtkWidget    *end,
               int           width,
               int           top,
               int           height)
{
  int x = 0, used = 0, n_expand = 0, extra = 0;

  /* what the line leaves is shared by the children that expand */
  for (GtkWidget *c = first; c != end; c = gtk_widget_get_next_sibling (c))
    if (gtk_widget_should_layout (c))
      {
        used += child_width (c, width) + (used > 0 ? self->spacing : 0);
        n_expand += gtk_widget_compute_expand (c, GTK_ORIENTATION_HORIZONTAL);
      }
  if (n_expand > 0 && used < width)
    extra = (width - used) / n_expand;

  for (GtkWidget *c = first; c != end; c = gtk_widget_get_next_sibling (c))
    {
      int w, h;

      if (!gtk_widget_should_layout (c))
        continue;
      w = child_width (c, width);
      if (gtk_widget_compute_expand (c, GTK_ORIENTATION_HORIZONTAL))
        w += extra;
      h = child_height (c, w);
      gtk_widget_size_allocate (c, &(GtkAllocation) { x, top + (height - h) / 2, w, h }, -1);
      x += w + self->spacing;
    }
}

/* The children in lines at @width: their height; with @allocate, each
 * child allocated, the lines from @top down. */
static int
lay_out (CsWrapLayout *self,
         GtkWidget    *widget,
         int           width,
         gboolean      allocate,
         int           top)
{
  GtkWidget *first = NULL;
  int x = 0, y = 0, line_height = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      int w, h;

      if (!gtk_widget_should_layout (child))
        continue;
      w = child_width (child, width);
      h = child_height (child, w);
      if (first != NULL && x + w > width)
        {
          /* a new line */
          if (allocate)
            allocate_line (self, first, child, width, top + y, line_height);
          y += line_height + self->spacing;
          x = 0;
          line_height = 0;
          first = NULL;
        }
      if (first == NULL)
        first = child;
      x += w + self->spacing;
      line_height = MAX (line_height, h);
    }
  if (first == NULL)
    return 0;
  if (allocate)
    allocate_line (self, first, NULL, width, top + y, line_height);
  return y + line_height;
}

static void
cs_wrap_layout_measure (GtkLayoutManager *manager,
                        GtkWidget        *widget,
                        GtkOrientation    orientation,
                        int               for_size,
                        int              *minimum,
                        int              *natural,
                        int              *minimum_baseline,
                        int              *natural_baseline)
{
  CsWrapLayout *self = CS_WRAP_LAYOUT (manager);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      int widest = 0, line = 0, n = 0;

      for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
        {
          int child_min = 0, child_nat = 0;

          if (!gtk_widget_should_layout (child))
            continue;
          gtk_widget_measure (child, GTK_ORIENTATION_HORIZONTAL, -1, &child_min, &child_nat, NULL, NULL);
          widest = MAX (widest, child_min);
          line += child_nat;
          n++;
        }
      *minimum = widest;
      *natural = line + (n > 1 ? (n - 1) * self->spacing : 0);
    }
  else
    {
      int height = lay_out (self, widget, for_size < 0 ? G_MAXINT / 2 : for_size, FALSE, 0);

      *minimum = *natural = height;
    }
}

static void
cs_wrap_layout_allocate (GtkLayoutManager *manager,
                         GtkWidget        *widget,
                         int               width,
                         int               height,
                         int               baseline)
{
  CsWrapLayout *self = CS_WRAP_LAYOUT (manager);
  int needed = lay_out (self, widget, width, FALSE, 0);

  /* the lines centred in a taller allocation */
  lay_out (self, widget, width, TRUE, MAX (0, (height - needed) / 2));
}

static void
cs_wrap_layout_class_init (CsWrapLayoutClass *klass)
{
  GtkLayoutManagerClass *manager_class = GTK_LAYOUT_MANAGER_CLASS (klass);

  manager_class->get_request_mode = cs_wrap_layout_get_request_mode;
  manager_class->measure = cs_wrap_layout_measure;
  manager_class->allocate = cs_wrap_layout_allocate;
}

static void
cs_wrap_layout_init (CsWrapLayout *self)
{
}

GtkLayoutManager *
cs_wrap_layout_new (int spacing)
{
  CsWrapLayout *self = g_object_new (CS_TYPE_WRAP_LAYOUT, NULL);

  self->spacing = spacing;
  return GTK_LAYOUT_MANAGER (self);
}
