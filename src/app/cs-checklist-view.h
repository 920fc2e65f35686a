/* cs-checklist-view.h: a synthesized checklist, steps to tick
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "cs-engine.h"

G_BEGIN_DECLS

#define CS_TYPE_CHECKLIST_VIEW (cs_checklist_view_get_type ())

G_DECLARE_FINAL_TYPE (CsChecklistView, cs_checklist_view, CS, CHECKLIST_VIEW, GtkBox)

/* @result (the result of @run) holds a checklist; ticked steps are saved
 * with @run. */
/* An empty view of @result: cs_checklist_view_build_step () fills it. */
GtkWidget *cs_checklist_view_new        (CsRun           *run,
                                         CsResult        *result);
/* Adds the next part (the summary and causes, a step, an alternative, a
 * closing section); FALSE, adding nothing, when the view is complete. */
gboolean   cs_checklist_view_build_step (CsChecklistView *self);
/* The steps' check buttons, in step order (owned by @self). */
GPtrArray *cs_checklist_view_get_checks (CsChecklistView *self);

G_END_DECLS
