/* cs-follow-up-bar.h: a follow-up under a finished result
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "cs-engine.h"

G_BEGIN_DECLS

#define CS_TYPE_FOLLOW_UP_BAR (cs_follow_up_bar_get_type ())

G_DECLARE_FINAL_TYPE (CsFollowUpBar, cs_follow_up_bar, CS, FOLLOW_UP_BAR, GtkBox)

GtkWidget     *cs_follow_up_bar_new          (void);
void           cs_follow_up_bar_set_run      (CsFollowUpBar *self,
                                              CsRun         *run);
/* The manager that starts rounds; without one, the application's. */
void           cs_follow_up_bar_set_manager  (CsFollowUpBar *self,
                                              CsRunManager  *manager);
/* Starts a round with the text typed and the steps reported (@next_steps:
 * the steps alone may be enough); FALSE, with the reason shown, when it
 * did not start. The actions "follow-up.ask" and "follow-up.next-steps"
 * call it. */
gboolean       cs_follow_up_bar_ask          (CsFollowUpBar *self,
                                              gboolean       next_steps);
GtkTextBuffer *cs_follow_up_bar_get_buffer   (CsFollowUpBar *self);
CsRoundScope   cs_follow_up_bar_get_scope    (CsFollowUpBar *self);
void           cs_follow_up_bar_set_scope    (CsFollowUpBar *self,
                                              CsRoundScope   scope);
/* The message shown under the field, or NULL. */
const char    *cs_follow_up_bar_get_error    (CsFollowUpBar *self);

G_END_DECLS
