/* cs-ranking-view.h: the peer ranking in the result view, and the rank
 * badge on each candidate card
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "cs-candidate-card.h"
#include "cs-engine.h"

G_BEGIN_DECLS

#define CS_TYPE_RANKING_VIEW (cs_ranking_view_get_type ())

G_DECLARE_FINAL_TYPE (CsRankingView, cs_ranking_view, CS, RANKING_VIEW, GtkBox)

GtkWidget *cs_ranking_view_new          (void);
/* Shows @run's peer ranking (a row per candidate, best first, and the
 * notes); hidden when the run has none. */
void       cs_ranking_view_set_run      (CsRankingView   *self,
                                         CsRun           *run);
guint      cs_ranking_view_get_n_rows   (CsRankingView   *self);

/* The card's rank badge ("Peer rank 1 of 4", next to the judge's score),
 * from @run's ranking; hidden when the candidate was not ranked. */
void       cs_ranking_badge_apply       (CsCandidateCard *card,
                                         CsRun           *run);
/* The badge's text, NULL when hidden (for the tests). */
const char *cs_ranking_badge_get_text   (CsCandidateCard *card);

G_END_DECLS
