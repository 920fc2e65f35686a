/* cs-provider-row.h: one provider in the preferences, its settings inside
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cs-config-file.h"

G_BEGIN_DECLS

#define CS_TYPE_PROVIDER_ROW (cs_provider_row_get_type ())

G_DECLARE_FINAL_TYPE (CsProviderRow, cs_provider_row, CS, PROVIDER_ROW, AdwExpanderRow)

/* Edits go to @file's configuration (::edited follows each); messages for
 * a toast come as ::toast. */
CsProviderRow *cs_provider_row_new             (CsConfigFile  *file,
                                                const char    *provider_id);
const char    *cs_provider_row_get_provider_id (CsProviderRow *self);
/* Shows what the configuration now says of the provider. */
void           cs_provider_row_update          (CsProviderRow *self);

G_END_DECLS
