/* cs-result-view.h: the synthesized result: blueprint or checklist
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "cs-engine.h"

G_BEGIN_DECLS

#define CS_TYPE_RESULT_VIEW (cs_result_view_get_type ())

G_DECLARE_FINAL_TYPE (CsResultView, cs_result_view, CS, RESULT_VIEW, GtkBox)

GtkWidget *cs_result_view_new     (void);
void       cs_result_view_set_run (CsResultView *self,
                                   CsRun        *run);
CsRun     *cs_result_view_get_run (CsResultView *self);
/* For tests: the checklist's check buttons, in step order (transfer container). */
GPtrArray *cs_result_view_get_step_checks (CsResultView *self);
/* Whether the view is still adding the result's rows: in a window on
 * screen it adds them over a few frames ("notify::building"). */
gboolean   cs_result_view_get_building    (CsResultView *self);
/* "blueprint", "checklist" or "none" */
const char *cs_result_view_get_kind (CsResultView *self);

G_END_DECLS
