/* cs-diagram.c: a component diagram from data.components and connections
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-diagram"

#include "config.h"

#include "cs-diagram.h"

struct _CsDiagram
{
  GtkWidget  parent_instance;
  guint      n_nodes;
  guint      n_edges;
};

G_DEFINE_FINAL_TYPE (CsDiagram, cs_diagram, GTK_TYPE_WIDGET)

GtkWidget *
cs_diagram_new (void)
{
  return g_object_new (CS_TYPE_DIAGRAM, NULL);
}

void
cs_diagram_set_data (CsDiagram *self,
                     JsonNode  *data)
{
  g_return_if_fail (CS_IS_DIAGRAM (self));
}

guint
cs_diagram_get_n_nodes (CsDiagram *self)
{
  return self->n_nodes;
}

guint
cs_diagram_get_n_edges (CsDiagram *self)
{
  return self->n_edges;
}

static void
cs_diagram_class_init (CsDiagramClass *klass)
{
}

static void
cs_diagram_init (CsDiagram *self)
{
}
