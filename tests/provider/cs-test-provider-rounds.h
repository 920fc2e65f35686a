/* cs-test-provider-rounds.h: the test provider's answers in follow-up rounds
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* What a follow-up round's prompt says (cs-mode-follow-up.c): its round
 * number and the steps reported so far. */
typedef struct _CsTestRounds CsTestRounds;

/* NULL when @user_text is not a follow-up round's. */
CsTestRounds *cs_test_rounds_parse    (const char   *user_text);
void          cs_test_rounds_free     (CsTestRounds *rounds);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsTestRounds, cs_test_rounds_free)
/* Whether @text is the title or the command of a step reported as worked or
 * failed (case and spacing ignored); a skipped step may come back. */
gboolean      cs_test_rounds_is_tried (CsTestRounds *rounds,
                                       const char   *text);
/* Marks @answer (a candidate's or the judge's result, in the mode's schema)
 * with the round: the summary starts "Round N:" and says what the reports
 * ruled out or which step fixed it; a blueprint gains a trade-off naming the
 * round; a checklist left without steps gets one for the round. */
void          cs_test_rounds_adjust   (CsTestRounds *rounds,
                                       JsonObject   *answer,
                                       const char   *service);

G_END_DECLS
