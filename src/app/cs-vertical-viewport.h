/* cs-vertical-viewport.h: a viewport for pages that scroll vertically only
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CS_TYPE_VERTICAL_VIEWPORT (cs_vertical_viewport_get_type ())

G_DECLARE_FINAL_TYPE (CsVerticalViewport, cs_vertical_viewport, CS, VERTICAL_VIEWPORT, GtkWidget)

GtkWidget *cs_vertical_viewport_new       (void);
void       cs_vertical_viewport_set_child (CsVerticalViewport *self,
                                           GtkWidget          *child);
GtkWidget *cs_vertical_viewport_get_child (CsVerticalViewport *self);

G_END_DECLS
