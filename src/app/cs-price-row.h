/* cs-price-row.h: one model's prices in the preferences
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cs-config-file.h"

G_BEGIN_DECLS

#define CS_TYPE_PRICE_ROW (cs_price_row_get_type ())

G_DECLARE_FINAL_TYPE (CsPriceRow, cs_price_row, CS, PRICE_ROW, AdwActionRow)

/* Edits go to @file's configuration; ::edited follows each. */
CsPriceRow *cs_price_row_new    (CsConfigFile *file,
                                 const char   *model_id);
/* Shows the prices the configuration now has. */
void        cs_price_row_update (CsPriceRow   *self);

G_END_DECLS
