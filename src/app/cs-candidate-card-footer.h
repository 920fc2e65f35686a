/* cs-candidate-card-footer.h: a card footer's label, measured width first
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CS_TYPE_CANDIDATE_CARD_FOOTER (cs_candidate_card_footer_get_type ())
G_DECLARE_FINAL_TYPE (CsCandidateCardFooter, cs_candidate_card_footer, CS, CANDIDATE_CARD_FOOTER, GtkWidget)

G_END_DECLS
