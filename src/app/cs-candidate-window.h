/* cs-candidate-window.h: a window with one candidate's full answer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cs-engine.h"

G_BEGIN_DECLS

#define CS_TYPE_CANDIDATE_WINDOW (cs_candidate_window_get_type ())

G_DECLARE_FINAL_TYPE (CsCandidateWindow, cs_candidate_window, CS, CANDIDATE_WINDOW, AdwWindow)

CsCandidateWindow *cs_candidate_window_new           (CsCandidate       *candidate);
CsCandidate       *cs_candidate_window_get_candidate (CsCandidateWindow *self);

G_END_DECLS
