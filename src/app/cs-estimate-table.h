/* cs-estimate-table.h: an estimate's breakdown as a small table
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "cs-estimate.h"

G_BEGIN_DECLS

/* Fills @grid (emptied first) with @estimate's rows: a header, a row a
 * model and stage (model, provider, stage, requests, low, high; numbers
 * right-aligned) and the total; @notes_label gets what the figures need
 * said (hidden without any). Returns the same as text, a row a line and
 * its cells tab-separated, then the notes. */
char *cs_estimate_table_fill (GtkGrid          *grid,
                              GtkLabel         *notes_label,
                              const CsEstimate *estimate);

G_END_DECLS
