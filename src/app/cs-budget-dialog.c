/* cs-budget-dialog.c: asking before a run whose estimate passes the budget
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-budget-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "cs-budget-dialog.h"

static void
response_cb (AdwMessageDialog *dialog,
             const char       *response,
             gpointer          user_data)
{
  g_autoptr(GTask) task = user_data;

  g_task_return_boolean (task, g_strcmp0 (response, "run") == 0);
}

void
cs_budget_check_async (GtkWindow           *parent,
                       CsEstimate          *estimate,
                       double               budget_usd,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(CsEstimate) owned = estimate;
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autofree char *range = NULL;
  g_autofree char *details = NULL;
  g_autofree char *body = NULL;
  AdwMessageDialog *dialog;

  g_task_set_source_tag (task, cs_budget_check_async);

  if (owned == NULL || !cs_estimate_exceeds (owned, budget_usd))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  range = cs_estimate_to_short (owned);
  details = cs_estimate_to_text (owned);
  if (owned->priced)
    /* Translators: the estimated range, the budget, then the estimate per model */
    body = g_strdup_printf (_("This run is estimated at %s, above the budget of $%.2f set in the "
                              "preferences. If it runs, the answers still coming are stopped when the "
                              "spending reaches the budget.\n\n%s"),
                            range, budget_usd, details);
  else
    body = g_strdup_printf (_("A model of this run has no price (%s), so the budget of $%.2f cannot be "
                              "checked before it runs. Set its prices in the preferences.\n\n%s"),
                            range, budget_usd, details);

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (parent, _("Above the Budget"), body));
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "run", _("_Run, Stopping at the Budget"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "run", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (response_cb), g_steal_pointer (&task));
  gtk_window_present (GTK_WINDOW (dialog));
}

gboolean
cs_budget_check_finish (GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
