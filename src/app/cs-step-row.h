/* cs-step-row.h: one step of a checklist (or an alternative to try)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "cs-engine.h"

G_BEGIN_DECLS

#define CS_TYPE_STEP_ROW (cs_step_row_get_type ())

G_DECLARE_FINAL_TYPE (CsStepRow, cs_step_row, CS, STEP_ROW, GtkBox)

/* @prefix goes before the title ("2. ", "After step 3: "); @support is
 * the agreement behind the step, or NULL. */
CsStepRow      *cs_step_row_new       (const CsStep *step,
                                       const char   *prefix,
                                       const char   *support);
/* Gives the row a check box (a step of the checklist, not an alternative). */
GtkCheckButton *cs_step_row_add_check (CsStepRow    *self,
                                       gboolean      checked);
/* Adds the step's report (Worked / Did not work and the output) below it. */
void            cs_step_row_add_report (CsStepRow   *self,
                                        GtkWidget   *report);

G_END_DECLS
