/* cs-requests-window.h: a run's HTTP attempts, from the request log
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cs-engine.h"

G_BEGIN_DECLS

#define CS_TYPE_REQUESTS_WINDOW (cs_requests_window_get_type ())

G_DECLARE_FINAL_TYPE (CsRequestsWindow, cs_requests_window, CS, REQUESTS_WINDOW, AdwWindow)

CsRequestsWindow *cs_requests_window_new     (CsRun            *run);
CsRun            *cs_requests_window_get_run (CsRequestsWindow *self);
/* TRUE while the log is being read (for tests). */
gboolean          cs_requests_window_is_loading (CsRequestsWindow *self);

G_END_DECLS
