/* cs-diagram.h: a blueprint's components, data stores and connections
 *
 * Laid out with Graphviz (libgvc, "dot") when available, else in simple
 * layers; drawn with cairo.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "cs-engine.h"

G_BEGIN_DECLS

#define CS_TYPE_DIAGRAM (cs_diagram_get_type ())

G_DECLARE_FINAL_TYPE (CsDiagram, cs_diagram, CS, DIAGRAM, GtkWidget)

GtkWidget *cs_diagram_new          (void);
/* Its components and data stores as nodes, its connections as edges;
 * NULL: nothing. */
void       cs_diagram_set_blueprint (CsDiagram   *self,
                                     CsBlueprint *blueprint);
guint      cs_diagram_get_n_nodes  (CsDiagram *self);
guint      cs_diagram_get_n_edges  (CsDiagram *self);

G_END_DECLS
