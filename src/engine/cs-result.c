/* cs-result.c: the typed result model (a blueprint, a checklist, a synthesis)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-result"

#include "config.h"

#include "cs-result.h"
