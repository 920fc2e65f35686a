/* cs-run-totals.h: a run's cost, tokens and wall time in words
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cs-engine.h"

G_BEGIN_DECLS

/* @state (taken) followed by " · $0.0123" (or "price unknown"), and once
 * the run has ended " · 12,345 tokens · 42.0 s". */
char *cs_run_page_append_totals (CsRun *run,
                                 char  *state);

G_END_DECLS
