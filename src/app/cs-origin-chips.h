/* cs-origin-chips.h: which candidates proposed an item, as small chips
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cs-engine.h"

G_BEGIN_DECLS

/* A row of chips, one per candidate id of @origin ("c2"; its tooltip: the
 * model and angle; activating it shows that candidate's card), then "judge
 * added" or "judge changed" when the judge did; NULL when there is nothing
 * to show. */
GtkWidget  *cs_origin_chips_new        (const CsOrigin *origin);
/* The chips of @origin at the end of @row (an AdwActionRow or an
 * AdwExpanderRow); nothing when there are none. */
void        cs_origin_chips_add_to_row (GtkWidget      *row,
                                        const CsOrigin *origin);
/* The chips of @origin right after @sibling in its parent box. */
void        cs_origin_chips_add_after  (GtkWidget      *sibling,
                                        const CsOrigin *origin);
/* @label followed by the chips of @origin, in a box (or @label alone). */
GtkWidget  *cs_origin_chips_line       (GtkWidget      *label,
                                        const CsOrigin *origin);
/* The candidate id a chip stands for (for tests), or NULL. */
const char *cs_origin_chip_get_candidate (GtkWidget    *chip);

G_END_DECLS
