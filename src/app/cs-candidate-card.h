/* cs-candidate-card.h: one candidate answer as a card, live while it streams
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "cs-engine.h"

G_BEGIN_DECLS

#define CS_TYPE_CANDIDATE_CARD (cs_candidate_card_get_type ())

G_DECLARE_FINAL_TYPE (CsCandidateCard, cs_candidate_card, CS, CANDIDATE_CARD, GtkBox)

CsCandidateCard *cs_candidate_card_new           (CsCandidate     *candidate);
CsCandidate     *cs_candidate_card_get_candidate (CsCandidateCard *self);
/* The badge's text and its CSS class ("done", "failed", "refused", …). */
const char      *cs_candidate_card_get_badge     (CsCandidateCard *self);

/* The judge's verdict on this candidate (score 1–10, or < 0 for none). */
void             cs_candidate_card_set_critique  (CsCandidateCard *self,
                                                  int              score,
                                                  const char      *strengths,
                                                  const char      *weaknesses);

/* Loads the highlighting definitions and the monospace font the cards use,
 * with @widget's font settings (once; cheap after). */
void             cs_candidate_card_prepare       (GtkWidget       *widget);

G_END_DECLS
