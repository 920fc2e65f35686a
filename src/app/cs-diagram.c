/* cs-diagram.c: a blueprint's components, data stores and connections
 *
 * The layout comes from Graphviz ("dot", left to right) when the app is
 * built with libgvc: node positions and edge splines are copied out of the
 * laid-out graph and drawn with cairo. Without libgvc a simple layered
 * layout (longest path from the sources) with straight edges is used.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-diagram"

#include "config.h"

#include <math.h>

#if HAVE_GVC
# include <gvc.h>
#endif

#include "cs-diagram.h"

/* Bounds for hostile data: a diagram past these is not readable anyway,
 * and the layout must not stall the main loop. */
#define MAX_NODES  80
#define MAX_EDGES  300

#define PAD        16.0
#define NODE_PAD_X 14.0
#define NODE_PAD_Y 8.0

typedef struct
{
  char    *name;
  char    *detail;       /* the technology */
  gboolean store;
  double   x, y;         /* centre, in layout units (points, y down) */
  double   w, h;
} Node;

typedef struct
{
  guint   from, to;
  GArray *points;        /* of graphene_point_t: a cubic bezier chain, or 2 points */
  gboolean bezier;
} Edge;

struct _CsDiagram
{
  GtkWidget  parent_instance;

  GPtrArray *nodes;      /* of Node* */
  GPtrArray *edges;      /* of Edge* */
  double     width, height;  /* of the layout */
};

G_DEFINE_FINAL_TYPE (CsDiagram, cs_diagram, GTK_TYPE_WIDGET)

static void
node_free (Node *n)
{
  g_free (n->name);
  g_free (n->detail);
  g_free (n);
}

static void
edge_free (Edge *e)
{
  g_array_unref (e->points);
  g_free (e);
}

static PangoLayout *
node_layout (CsDiagram  *self,
             const Node *n)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), NULL);
  g_autofree char *name = g_markup_escape_text (n->name, -1);
  g_autofree char *detail = n->detail != NULL ? g_markup_escape_text (n->detail, -1) : NULL;
  g_autofree char *markup = NULL;

  /* the texts are escaped: only our own markup is interpreted */
  if (detail != NULL && detail[0] != '\0')
    markup = g_strdup_printf ("<b>%s</b>\n<small>%s</small>", name, detail);
  else
    markup = g_strdup_printf ("<b>%s</b>", name);
  pango_layout_set_markup (layout, markup, -1);
  pango_layout_set_alignment (layout, PANGO_ALIGN_CENTER);
  pango_layout_set_width (layout, 180 * PANGO_SCALE);
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  return layout;
}

static int
find_node (CsDiagram  *self,
           const char *name)
{
  if (name == NULL)
    return -1;
  for (guint i = 0; i < self->nodes->len; i++)
    {
      Node *n = g_ptr_array_index (self->nodes, i);

      if (g_utf8_collate (n->name, name) == 0 || g_ascii_strcasecmp (n->name, name) == 0)
        return (int) i;
    }
  return -1;
}

/* A node for @name, unless there is one (or too many) already. */
static void
add_node (CsDiagram  *self,
          const char *name,
          const char *technology,
          gboolean    store)
{
  Node *n;

  if (self->nodes->len >= MAX_NODES ||
      name == NULL || name[0] == '\0' || find_node (self, name) >= 0)
    return;
  n = g_new0 (Node, 1);
  n->name = g_strdup (name);
  n->detail = g_strdup (technology);
  n->store = store;
  g_ptr_array_add (self->nodes, n);
}

static void
add_nodes (CsDiagram   *self,
           CsBlueprint *bp)
{
  GPtrArray *components = cs_blueprint_get_components (bp);
  GPtrArray *stores = cs_blueprint_get_data_stores (bp);

  for (guint i = 0; i < components->len; i++)
    {
      const CsComponent *c = g_ptr_array_index (components, i);

      add_node (self, c->name, c->technology, FALSE);
    }
  for (guint i = 0; i < stores->len; i++)
    {
      const CsDataStore *d = g_ptr_array_index (stores, i);

      add_node (self, d->name, d->technology, TRUE);
    }
}

static void
add_edges (CsDiagram   *self,
           CsBlueprint *bp)
{
  GPtrArray *connections = cs_blueprint_get_connections (bp);

  for (guint i = 0; i < connections->len && self->edges->len < MAX_EDGES; i++)
    {
      const CsConnection *c = g_ptr_array_index (connections, i);
      int from = find_node (self, c->from);
      int to = find_node (self, c->to);
      Edge *e;

      if (from < 0 || to < 0)
        continue;
      e = g_new0 (Edge, 1);
      e->from = from;
      e->to = to;
      e->points = g_array_new (FALSE, FALSE, sizeof (graphene_point_t));
      g_ptr_array_add (self->edges, e);
    }
}

static void
measure_nodes (CsDiagram *self)
{
  for (guint i = 0; i < self->nodes->len; i++)
    {
      Node *n = g_ptr_array_index (self->nodes, i);
      g_autoptr(PangoLayout) layout = node_layout (self, n);
      int w, h;

      pango_layout_get_pixel_size (layout, &w, &h);
      n->w = MAX (w, 60) + 2 * NODE_PAD_X;
      n->h = h + 2 * NODE_PAD_Y;
    }
}

#if HAVE_GVC
static GVC_t *shared_gvc;

/* The graph to lay out: a fixed-size box per node, an edge per edge. */
static Agraph_t *
graphviz_graph (CsDiagram  *self,
                Agnode_t  **gnodes)
{
  Agraph_t *g;

  agseterr (AGMAX);
  g = agopen ((char *) "blueprint", Agdirected, NULL);
  agattr (g, AGRAPH, (char *) "rankdir", (char *) "LR");
  agattr (g, AGRAPH, (char *) "nodesep", (char *) "0.35");
  agattr (g, AGRAPH, (char *) "ranksep", (char *) "0.6");
  agattr (g, AGNODE, (char *) "shape", (char *) "box");
  agattr (g, AGNODE, (char *) "fixedsize", (char *) "true");
  agattr (g, AGNODE, (char *) "label", (char *) "");
  agattr (g, AGNODE, (char *) "width", (char *) "1");
  agattr (g, AGNODE, (char *) "height", (char *) "0.5");

  for (guint i = 0; i < self->nodes->len; i++)
    {
      Node *n = g_ptr_array_index (self->nodes, i);
      char id[32];
      char width[G_ASCII_DTOSTR_BUF_SIZE];
      char height[G_ASCII_DTOSTR_BUF_SIZE];

      g_snprintf (id, sizeof id, "n%u", i);
      gnodes[i] = agnode (g, id, 1);
      g_ascii_dtostr (width, sizeof width, n->w / 72.0);
      g_ascii_dtostr (height, sizeof height, n->h / 72.0);
      agset (gnodes[i], (char *) "width", width);
      agset (gnodes[i], (char *) "height", height);
    }

  for (guint i = 0; i < self->edges->len; i++)
    {
      Edge *e = g_ptr_array_index (self->edges, i);
      char id[32];

      g_snprintf (id, sizeof id, "e%u", i);
      agedge (g, gnodes[e->from], gnodes[e->to], id, 1);
    }

  return g;
}

/* The edges' splines, in layout units (graphviz's y axis points up). */
static void
graphviz_copy_edges (CsDiagram  *self,
                     Agraph_t   *g,
                     Agnode_t  **gnodes,
                     boxf        bb)
{
  for (guint i = 0; i < self->edges->len; i++)
    {
      Edge *e = g_ptr_array_index (self->edges, i);
      char id[32];
      Agedge_t *ge;
      splines *spl;

      g_snprintf (id, sizeof id, "e%u", i);
      ge = agedge (g, gnodes[e->from], gnodes[e->to], id, 0);
      if (ge == NULL || (spl = ED_spl (ge)) == NULL || spl->size < 1)
        continue;

      g_array_set_size (e->points, 0);
      for (int p = 0; p < spl->list[0].size; p++)
        {
          graphene_point_t pt = GRAPHENE_POINT_INIT (spl->list[0].list[p].x - bb.LL.x,
                                                     bb.UR.y - spl->list[0].list[p].y);
          g_array_append_val (e->points, pt);
        }
      if (spl->list[0].eflag)
        {
          graphene_point_t pt = GRAPHENE_POINT_INIT (spl->list[0].ep.x - bb.LL.x,
                                                     bb.UR.y - spl->list[0].ep.y);
          /* the arrow tip: a straight segment from the last control point */
          graphene_point_t last = g_array_index (e->points, graphene_point_t, e->points->len - 1);
          graphene_point_t c1 = last, c2 = pt;

          g_array_append_val (e->points, c1);
          g_array_append_val (e->points, c2);
          g_array_append_val (e->points, pt);
        }
      e->bezier = TRUE;
    }
}

static gboolean
layout_graphviz (CsDiagram *self)
{
  GVC_t *gvc;
  Agraph_t *g;
  g_autofree Agnode_t **gnodes = NULL;
  boxf bb;

  /* one context for the process: creating it loads Graphviz's plugins */
  if (shared_gvc == NULL)
    shared_gvc = gvContext ();
  gvc = shared_gvc;
  if (gvc == NULL)
    return FALSE;

  gnodes = g_new0 (Agnode_t *, self->nodes->len);
  g = graphviz_graph (self, gnodes);
  if (gvLayout (gvc, g, "dot") != 0)
    {
      agclose (g);
      return FALSE;
    }

  bb = GD_bb (g);
  self->width = bb.UR.x - bb.LL.x;
  self->height = bb.UR.y - bb.LL.y;

  /* graphviz's y axis points up */
  for (guint i = 0; i < self->nodes->len; i++)
    {
      Node *n = g_ptr_array_index (self->nodes, i);
      pointf c = ND_coord (gnodes[i]);

      n->x = c.x - bb.LL.x;
      n->y = bb.UR.y - c.y;
    }
  graphviz_copy_edges (self, g, gnodes, bb);

  gvFreeLayout (gvc, g);
  agclose (g);

  return TRUE;
}
#endif

/* Longest-path layers from the sources, left to right. */
static void
layout_layers (CsDiagram *self)
{
  guint n = self->nodes->len;
  g_autofree guint *layer = g_new0 (guint, n);
  g_autofree double *column_y = NULL;
  guint max_layer = 0;
  double x = 0;
  g_autofree double *column_w = NULL;
  g_autofree double *column_x = NULL;

  /* relax n times: cycles simply stop growing */
  for (guint round = 0; round < n; round++)
    {
      gboolean changed = FALSE;

      for (guint i = 0; i < self->edges->len; i++)
        {
          Edge *e = g_ptr_array_index (self->edges, i);

          if (e->from != e->to && layer[e->to] < layer[e->from] + 1 && layer[e->from] + 1 < n)
            {
              layer[e->to] = layer[e->from] + 1;
              changed = TRUE;
            }
        }
      if (!changed)
        break;
    }

  for (guint i = 0; i < n; i++)
    max_layer = MAX (max_layer, layer[i]);

  column_y = g_new0 (double, max_layer + 1);
  column_w = g_new0 (double, max_layer + 1);
  column_x = g_new0 (double, max_layer + 1);
  for (guint i = 0; i < n; i++)
    {
      Node *node = g_ptr_array_index (self->nodes, i);
      column_w[layer[i]] = MAX (column_w[layer[i]], node->w);
    }
  for (guint l = 0; l <= max_layer; l++)
    {
      column_x[l] = x;
      x += column_w[l] + 48;
    }

  self->height = 0;
  for (guint i = 0; i < n; i++)
    {
      Node *node = g_ptr_array_index (self->nodes, i);

      node->x = column_x[layer[i]] + column_w[layer[i]] / 2;
      node->y = column_y[layer[i]] + node->h / 2;
      column_y[layer[i]] += node->h + 24;
      self->height = MAX (self->height, column_y[layer[i]] - 24);
    }
  self->width = MAX (x - 48, 0);

  for (guint i = 0; i < self->edges->len; i++)
    {
      Edge *e = g_ptr_array_index (self->edges, i);
      Node *a = g_ptr_array_index (self->nodes, e->from);
      Node *b = g_ptr_array_index (self->nodes, e->to);
      graphene_point_t p1 = GRAPHENE_POINT_INIT (a->x + a->w / 2, a->y);
      graphene_point_t p2 = GRAPHENE_POINT_INIT (b->x - b->w / 2, b->y);

      if (b->x <= a->x)
        {
          p1.x = a->x;
          p1.y = a->y + a->h / 2;
          p2.x = b->x;
          p2.y = b->y - b->h / 2;
        }
      g_array_set_size (e->points, 0);
      g_array_append_val (e->points, p1);
      g_array_append_val (e->points, p2);
      e->bezier = FALSE;
    }
}

void
cs_diagram_set_blueprint (CsDiagram   *self,
                          CsBlueprint *blueprint)
{
  gboolean laid_out = FALSE;

  g_return_if_fail (CS_IS_DIAGRAM (self));

  g_ptr_array_set_size (self->edges, 0);
  g_ptr_array_set_size (self->nodes, 0);
  self->width = self->height = 0;

  if (blueprint != NULL)
    {
      add_nodes (self, blueprint);
      add_edges (self, blueprint);
    }

  if (self->nodes->len > 0)
    {
      measure_nodes (self);
#if HAVE_GVC
      laid_out = layout_graphviz (self);
#endif
      if (!laid_out)
        layout_layers (self);
    }

  gtk_widget_set_visible (GTK_WIDGET (self), self->nodes->len > 0);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

guint
cs_diagram_get_n_nodes (CsDiagram *self)
{
  g_return_val_if_fail (CS_IS_DIAGRAM (self), 0);

  return self->nodes->len;
}

guint
cs_diagram_get_n_edges (CsDiagram *self)
{
  g_return_val_if_fail (CS_IS_DIAGRAM (self), 0);

  return self->edges->len;
}

GtkWidget *
cs_diagram_new (void)
{
  return g_object_new (CS_TYPE_DIAGRAM, NULL);
}

static void
cs_diagram_measure (GtkWidget      *widget,
                    GtkOrientation  orientation,
                    int             for_size,
                    int            *minimum,
                    int            *natural,
                    int            *minimum_baseline,
                    int            *natural_baseline)
{
  CsDiagram *self = CS_DIAGRAM (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 100;
      *natural = (int) ceil (self->width + 2 * PAD);
    }
  else
    {
      double scale = 1.0;

      if (for_size > 0 && self->width + 2 * PAD > for_size)
        scale = for_size / (self->width + 2 * PAD);
      *minimum = *natural = (int) ceil ((self->height + 2 * PAD) * scale);
    }
}

static GtkSizeRequestMode
cs_diagram_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
rounded_rect (cairo_t *cr,
              double   x,
              double   y,
              double   w,
              double   h,
              double   r)
{
  cairo_new_sub_path (cr);
  cairo_arc (cr, x + w - r, y + r, r, -G_PI / 2, 0);
  cairo_arc (cr, x + w - r, y + h - r, r, 0, G_PI / 2);
  cairo_arc (cr, x + r, y + h - r, r, G_PI / 2, G_PI);
  cairo_arc (cr, x + r, y + r, r, G_PI, 3 * G_PI / 2);
  cairo_close_path (cr);
}

static void
cs_diagram_snapshot (GtkWidget   *widget,
                     GtkSnapshot *snapshot)
{
  CsDiagram *self = CS_DIAGRAM (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  cairo_t *cr;
  GdkRGBA fg;
  double scale, ox, oy;

  if (self->nodes->len == 0 || width <= 0 || height <= 0)
    return;

G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
G_GNUC_END_IGNORE_DEPRECATIONS

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));

  scale = MIN (1.0, MIN ((width - 2 * PAD) / MAX (self->width, 1), (height - 2 * PAD) / MAX (self->height, 1)));
  ox = (width - self->width * scale) / 2;
  oy = (height - self->height * scale) / 2;
  cairo_translate (cr, ox, oy);
  cairo_scale (cr, scale, scale);

  /* edges */
  cairo_set_line_width (cr, 1.5);
  for (guint i = 0; i < self->edges->len; i++)
    {
      Edge *e = g_ptr_array_index (self->edges, i);
      graphene_point_t *pts = (graphene_point_t *) (gpointer) e->points->data;
      guint np = e->points->len;
      graphene_point_t tip, prev;
      double angle;

      if (np < 2)
        continue;

      cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.55);
      cairo_move_to (cr, pts[0].x, pts[0].y);
      if (e->bezier && (np - 1) % 3 == 0)
        for (guint p = 1; p + 2 < np; p += 3)
          cairo_curve_to (cr, pts[p].x, pts[p].y, pts[p + 1].x, pts[p + 1].y, pts[p + 2].x, pts[p + 2].y);
      else
        for (guint p = 1; p < np; p++)
          cairo_line_to (cr, pts[p].x, pts[p].y);
      cairo_stroke (cr);

      /* the arrow head */
      tip = pts[np - 1];
      prev = pts[np - 2];
      for (guint p = np - 1; p > 0 && fabs (prev.x - tip.x) + fabs (prev.y - tip.y) < 0.5; p--)
        prev = pts[p - 1];
      angle = atan2 (tip.y - prev.y, tip.x - prev.x);
      cairo_move_to (cr, tip.x, tip.y);
      cairo_line_to (cr, tip.x - 9 * cos (angle - 0.4), tip.y - 9 * sin (angle - 0.4));
      cairo_line_to (cr, tip.x - 9 * cos (angle + 0.4), tip.y - 9 * sin (angle + 0.4));
      cairo_close_path (cr);
      cairo_fill (cr);
    }

  /* nodes */
  for (guint i = 0; i < self->nodes->len; i++)
    {
      Node *n = g_ptr_array_index (self->nodes, i);
      g_autoptr(PangoLayout) layout = node_layout (self, n);
      int tw, th;

      rounded_rect (cr, n->x - n->w / 2, n->y - n->h / 2, n->w, n->h, n->store ? 12 : 6);
      if (n->store)
        cairo_set_source_rgba (cr, 0.21, 0.52, 0.89, 0.18);
      else
        cairo_set_source_rgba (cr, 0.38, 0.21, 0.51, 0.12);
      cairo_fill_preserve (cr);
      if (n->store)
        cairo_set_source_rgba (cr, 0.21, 0.52, 0.89, 0.9);
      else
        cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.45);
      cairo_set_line_width (cr, 1.2);
      cairo_stroke (cr);

      pango_layout_get_pixel_size (layout, &tw, &th);
      cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, fg.alpha);
      cairo_move_to (cr, n->x - 90, n->y - th / 2.0);
      pango_cairo_show_layout (cr, layout);
    }

  cairo_destroy (cr);
}

static void
cs_diagram_dispose (GObject *object)
{
  CsDiagram *self = CS_DIAGRAM (object);

  g_clear_pointer (&self->edges, g_ptr_array_unref);
  g_clear_pointer (&self->nodes, g_ptr_array_unref);

  G_OBJECT_CLASS (cs_diagram_parent_class)->dispose (object);
}

static void
cs_diagram_class_init (CsDiagramClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cs_diagram_dispose;
  widget_class->measure = cs_diagram_measure;
  widget_class->get_request_mode = cs_diagram_get_request_mode;
  widget_class->snapshot = cs_diagram_snapshot;

  gtk_widget_class_set_css_name (widget_class, "diagram");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
cs_diagram_init (CsDiagram *self)
{
  self->nodes = g_ptr_array_new_with_free_func ((GDestroyNotify) node_free);
  self->edges = g_ptr_array_new_with_free_func ((GDestroyNotify) edge_free);
}
