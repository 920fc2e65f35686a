/* cs-candidate-view.h: what a candidate's card and its window both show
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "cs-engine.h"

G_BEGIN_DECLS

/* The status in words ("Streaming") and as a CSS class ("streaming"). */
const char *cs_candidate_status_label     (CsCandidateStatus  status);
const char *cs_candidate_status_css_class (CsCandidateStatus  status);
/* The angle's label (translated), the angle's id if no mode knows it, or
 * NULL when the candidate has no angle. */
const char *cs_candidate_angle_label      (CsCandidate       *candidate);
/* Tokens, cost, first token and elapsed time; @live_elapsed_ms (or -1)
 * while the candidate has no duration yet. */
char       *cs_candidate_format_footer    (CsCandidate       *candidate,
                                           gint64             live_elapsed_ms);
/* Fills @box with labels showing the candidate's structured answer
 * (summary, components, decisions or steps); @full adds everything, else
 * the first few items. */
void        cs_candidate_fill_structure   (GtkBox            *box,
                                           CsCandidate       *candidate,
                                           gboolean           full);

G_END_DECLS
