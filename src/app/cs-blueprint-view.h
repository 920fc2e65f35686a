/* cs-blueprint-view.h: a synthesized blueprint, section by section
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "cs-engine.h"

G_BEGIN_DECLS

#define CS_TYPE_BLUEPRINT_VIEW (cs_blueprint_view_get_type ())

G_DECLARE_FINAL_TYPE (CsBlueprintView, cs_blueprint_view, CS, BLUEPRINT_VIEW, GtkBox)

/* @result holds a blueprint. */
/* An empty view of @result: cs_blueprint_view_build_step () fills it. */
GtkWidget *cs_blueprint_view_new        (CsResult        *result);
/* Adds the next part (the overview, the diagram, a row of a section, the
 * rationale); FALSE, adding nothing, when the view is complete. */
gboolean   cs_blueprint_view_build_step (CsBlueprintView *self);

G_END_DECLS
