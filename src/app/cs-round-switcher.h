/* cs-round-switcher.h: the rounds of a run, above its result
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "cs-engine.h"

G_BEGIN_DECLS

#define CS_TYPE_ROUND_SWITCHER (cs_round_switcher_get_type ())

G_DECLARE_FINAL_TYPE (CsRoundSwitcher, cs_round_switcher, CS, ROUND_SWITCHER, GtkBox)

/* @result_view shows the run's current result; the switcher hides it while
 * an earlier round's result is shown in its place. */
GtkWidget  *cs_round_switcher_new        (GtkWidget       *result_view);
void        cs_round_switcher_set_run    (CsRoundSwitcher *self,
                                          CsRun           *run);
/* The round shown (from 1), and to show another (clamped to the rounds). */
guint       cs_round_switcher_get_shown  (CsRoundSwitcher *self);
void        cs_round_switcher_show_round (CsRoundSwitcher *self,
                                          guint            index);
/* For tests: the widget showing an earlier round's result, or NULL. */
GtkWidget  *cs_round_switcher_get_earlier_view (CsRoundSwitcher *self);

G_END_DECLS
