/* cs-mode-private.h: what the cs-mode*.c files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cs-mode.h"

G_BEGIN_DECLS

gboolean    _cs_mode_is_valid       (CsMode      mode);
/* TRUE for NULL, "" and white space only */
gboolean    _cs_mode_is_blank       (const char *str);
/* The string of a string value node, or NULL. */
const char *_cs_mode_string_or_null (JsonNode   *node);

G_END_DECLS
