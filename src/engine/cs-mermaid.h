/* cs-mermaid.h: Mermaid flowcharts regenerated from a fused blueprint
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A label that cannot break Mermaid syntax: letters, digits, spaces and a
 * few harmless punctuation marks (anything else becomes a space), at most
 * @max_chars characters, cut at a word with "…"; "?" when nothing is left. */
char    *cs_mermaid_label          (const char *text,
                                    gsize       max_chars);

/* A flowchart: "flowchart LR\n", then nodes n1, n2, … and edges between
 * them, one line each. */
GString *cs_mermaid_flowchart_new  (void);
/* Node @index (0-based, written n<index + 1>): a box, or a cylinder for a
 * data store; its label is @name made safe. */
void     cs_mermaid_add_node       (GString    *chart,
                                    guint       index,
                                    const char *name,
                                    gboolean    store);
/* An arrow between nodes (0-based), labelled unless @label is empty. */
void     cs_mermaid_add_edge       (GString    *chart,
                                    int         from,
                                    int         to,
                                    const char *label);

G_END_DECLS
