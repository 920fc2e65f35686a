/* walk-more.h: the walk-driver's further walks (walk-more.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cs-window-private.h"

G_BEGIN_DECLS

/* The providers file's extra provider for walk_faults (), at the test
 * provider's @base_url. */
char *walk_faults_config (const char *base_url);

/* A 360 px window from the first start: opens it itself. */
void walk_narrow  (CsApplication *app);
void walk_faults  (CsWindow      *win);
void walk_rounds  (CsWindow      *win);
void walk_chooser (CsWindow      *win);

G_END_DECLS
