/* cs-diagram.h: a component diagram from data.components and connections
 *
 * Laid out with Graphviz (libgvc, "dot") when available, else in simple
 * layers; drawn with cairo.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define CS_TYPE_DIAGRAM (cs_diagram_get_type ())

G_DECLARE_FINAL_TYPE (CsDiagram, cs_diagram, CS, DIAGRAM, GtkWidget)

GtkWidget *cs_diagram_new          (void);
/* @data: the blueprint object (components, data_stores, connections) */
void       cs_diagram_set_data     (CsDiagram *self,
                                    JsonNode  *data);
guint      cs_diagram_get_n_nodes  (CsDiagram *self);
guint      cs_diagram_get_n_edges  (CsDiagram *self);

G_END_DECLS
