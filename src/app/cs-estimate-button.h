/* cs-estimate-button.h: the run's estimated cost beside *Run*
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cs-engine.h"

G_BEGIN_DECLS

#define CS_TYPE_ESTIMATE_BUTTON (cs_estimate_button_get_type ())

G_DECLARE_FINAL_TYPE (CsEstimateButton, cs_estimate_button, CS, ESTIMATE_BUTTON, AdwBin)

/* Shows @estimate ("≈ $0.02–0.09"; hidden for NULL: no model chosen), the
 * per-model breakdown in its popover, and whether its upper figure is
 * above @budget_usd (<= 0: no budget). Copies what it shows. */
void         cs_estimate_button_update        (CsEstimateButton *self,
                                               const CsEstimate *estimate,
                                               double            budget_usd);
/* What the button says, for tests: its range ("≈ $0.02–0.09"), its
 * popover as text (the range, the budget sentence, then the table a row a
 * line, cells tab-separated: "MODEL\tPROVIDER\tSTAGE\tREQUESTS\tLOW\tHIGH",
 * then its notes), and whether it warns of the budget. */
const char  *cs_estimate_button_get_text      (CsEstimateButton *self);
const char  *cs_estimate_button_get_details   (CsEstimateButton *self);
/* What the header shows of it at its width: the range or the upper figure
 * ("No price" without any); NULL while hidden. */
const char  *cs_estimate_button_get_shown_text (CsEstimateButton *self);
gboolean     cs_estimate_button_get_over_budget (CsEstimateButton *self);
GtkPopover  *cs_estimate_button_get_popover   (CsEstimateButton *self);

G_END_DECLS
