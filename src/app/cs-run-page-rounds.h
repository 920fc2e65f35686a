/* cs-run-page-rounds.h: the run page's rounds: the switcher above the result, the follow-up under it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cs-follow-up-bar.h"
#include "cs-round-switcher.h"
#include "cs-run-page.h"

G_BEGIN_DECLS

/* Called once from the page's init. */
void             cs_run_page_rounds_attach       (CsRunPage *self);
CsRoundSwitcher *cs_run_page_get_round_switcher  (CsRunPage *self);
CsFollowUpBar   *cs_run_page_get_follow_up_bar   (CsRunPage *self);

G_END_DECLS
