/* cs-run-page.h: one run: its state, its question, the result and the candidates
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cs-engine.h"

G_BEGIN_DECLS

#define CS_TYPE_RUN_PAGE (cs_run_page_get_type ())

G_DECLARE_FINAL_TYPE (CsRunPage, cs_run_page, CS, RUN_PAGE, AdwBin)

/* Tells which runs are live (driven by a runner, not left "running" by a
 * crash). */
void        cs_run_page_set_manager (CsRunPage    *self,
                                     CsRunManager *manager);
/* Property "run": the run shown, followed as it changes (at most four
 * times a second while candidates stream). */
CsRun      *cs_run_page_get_run     (CsRunPage    *self);
void        cs_run_page_set_run     (CsRunPage    *self,
                                     CsRun        *run);
/* Shows the run's state again now. */
void        cs_run_page_update      (CsRunPage    *self);
/* Scrolls back to the title. */
void        cs_run_page_scroll_to_top (CsRunPage  *self);
/* Scrolls to candidate @candidate_id's card and highlights it a moment
 * (cs-run-page-show.c); FALSE when the run has no such card. */
gboolean    cs_run_page_show_candidate (CsRunPage *self,
                                        const char *candidate_id);

G_END_DECLS
