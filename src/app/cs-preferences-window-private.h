/* cs-preferences-window-private.h: what the tests look at
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cs-preferences-window.h"

G_BEGIN_DECLS

/* the text of the last toast shown, or NULL */
const char *_cs_preferences_window_get_last_toast (CsPreferencesWindow *self);
/* the group that shows the configuration's warnings */
AdwPreferencesGroup *_cs_preferences_window_get_warnings_group (CsPreferencesWindow *self);

G_END_DECLS
