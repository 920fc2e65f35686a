/* cs-step-report-box.h: Worked / Did not work / Skipped and the output, under a step
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "cs-engine.h"

G_BEGIN_DECLS

#define CS_TYPE_STEP_REPORT_BOX (cs_step_report_box_get_type ())

G_DECLARE_FINAL_TYPE (CsStepReportBox, cs_step_report_box, CS, STEP_REPORT_BOX, GtkBox)

/* The report on step @step (from 1) of @run's current checklist, kept in
 * the run's book (cs-step-reports.h). */
GtkWidget *cs_step_report_box_new (CsRun *run,
                                   guint  step);

G_END_DECLS
