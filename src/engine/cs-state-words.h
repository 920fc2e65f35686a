/* cs-state-words.h: a candidate's status and a run's state in words
 *
 * What a person reads (the Markdown export, the CLI's progress lines and
 * messages) says "streaming", "done", "cancelled"… in the user's language;
 * what a program reads (run files, --format=json, the local API) keeps the
 * keywords of cs_candidate_status_to_string () and cs_run_state_to_string ().
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cs-types.h"

G_BEGIN_DECLS

/* "done" for ok, else the status's name, translated (context "status") */
const char *cs_candidate_status_words (CsCandidateStatus status);
/* "running", "done", "failed"…, translated (context "run state") */
const char *cs_run_state_words        (CsRunState        state);

G_END_DECLS
