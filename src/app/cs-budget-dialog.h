/* cs-budget-dialog.h: asking before a run whose estimate passes the budget
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cs-engine.h"

G_BEGIN_DECLS

/* Completes TRUE at once when @estimate's upper figure is within
 * @budget_usd; otherwise asks in a dialog on @parent, with the figures,
 * and completes TRUE when the person chooses to run (stopped at the
 * budget), FALSE when they do not. Takes @estimate (NULL: no model, TRUE). */
void     cs_budget_check_async  (GtkWindow           *parent,
                                 CsEstimate          *estimate,
                                 double               budget_usd,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data);
gboolean cs_budget_check_finish (GAsyncResult        *result,
                                 GError             **error);

G_END_DECLS
