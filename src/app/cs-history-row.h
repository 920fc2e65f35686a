/* cs-history-row.h: one saved run in the history sidebar
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "cs-engine.h"

G_BEGIN_DECLS

#define CS_TYPE_HISTORY_ROW (cs_history_row_get_type ())

G_DECLARE_FINAL_TYPE (CsHistoryRow, cs_history_row, CS, HISTORY_ROW, GtkListBoxRow)

GtkWidget *cs_history_row_new          (CsRun        *run);
CsRun     *cs_history_row_get_run      (CsHistoryRow *self);
/* Says "5 minutes ago" anew: the window calls it every minute. */
void       cs_history_row_update_date  (CsHistoryRow *self);

/* "Just now", "5 minutes ago", "Today 14:05", "3 March", … */
char      *cs_format_relative_date     (gint64        unix_time);

G_END_DECLS
