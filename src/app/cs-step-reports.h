/* cs-step-reports.h: what the person reported on the current checklist's steps
 *
 * A book of step reports kept with a run (one a run, made on first use)
 * until a round takes them: the step rows write into it (cs-step-report-box.c),
 * the follow-up bar (cs-follow-up-bar.c) starts a round with them. The book
 * is about one round's checklist: reports on an older one are dropped.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cs-engine.h"

G_BEGIN_DECLS

#define CS_TYPE_STEP_REPORTS (cs_step_reports_get_type ())

G_DECLARE_FINAL_TYPE (CsStepReports, cs_step_reports, CS, STEP_REPORTS, GObject)

/* The run's book (owned by the run), about its current round's checklist. */
CsStepReports *cs_step_reports_for_run     (CsRun         *run);
/* @step counts from 1; an outcome < 0 withdraws the step's report (its
 * output is kept for when it is reported again). Emits ::changed. */
void           cs_step_reports_set_outcome (CsStepReports *self,
                                            guint          step,
                                            int            outcome);
/* -1 when the step is not reported */
int            cs_step_reports_get_outcome (CsStepReports *self,
                                            guint          step);
void           cs_step_reports_set_output  (CsStepReports *self,
                                            guint          step,
                                            const char    *output);
const char    *cs_step_reports_get_output  (CsStepReports *self,
                                            guint          step);
guint          cs_step_reports_get_n       (CsStepReports *self);
/* The reported steps in order, of CsStepReport (transfer full). */
GPtrArray     *cs_step_reports_dup         (CsStepReports *self);
void           cs_step_reports_clear       (CsStepReports *self);

G_END_DECLS
