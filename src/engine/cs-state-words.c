/* cs-state-words.c: a candidate's status and a run's state in words
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-engine"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "cs-candidate.h"
#include "cs-run.h"
#include "cs-state-words.h"

const char *
cs_candidate_status_words (CsCandidateStatus status)
{
  switch (status)
    {
    case CS_CANDIDATE_QUEUED: return C_("status", "queued");
    case CS_CANDIDATE_THINKING: return C_("status", "thinking");
    case CS_CANDIDATE_STREAMING: return C_("status", "streaming");
    case CS_CANDIDATE_OK: return C_("status", "done");
    case CS_CANDIDATE_FAILED: return C_("status", "failed");
    case CS_CANDIDATE_REFUSED: return C_("status", "refused");
    case CS_CANDIDATE_INVALID: return C_("status", "invalid");
    case CS_CANDIDATE_TRUNCATED: return C_("status", "truncated");
    case CS_CANDIDATE_CANCELLED: return C_("status", "cancelled");
    default: return cs_candidate_status_to_string (status);
    }
}

const char *
cs_run_state_words (CsRunState state)
{
  switch (state)
    {
    case CS_RUN_DRAFT: return C_("run state", "draft");
    case CS_RUN_RUNNING: return C_("run state", "running");
    case CS_RUN_SYNTHESIZING: return C_("run state", "synthesizing");
    case CS_RUN_DONE: return C_("run state", "done");
    case CS_RUN_FAILED: return C_("run state", "failed");
    case CS_RUN_CANCELLED: return C_("run state", "cancelled");
    default: return cs_run_state_to_string (state);
    }
}
