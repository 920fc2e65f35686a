/* cs-window-runs.c: the window and the run manager: start, cancel, what it says, closing
 *
 * A run the window starts is handed to the application's CsRunManager and
 * outlives the window. The window toasts what the manager reports (a run
 * that failed, a save that failed) and, being the last window while a run
 * is in progress, asks before it closes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-window-runs"

#include "config.h"

#include <glib/gi18n.h>

#include "cs-budget-dialog.h"
#include "cs-window-private.h"

/* -------------------------------------------------------------------------
 * What the run manager says
 */

static void
save_failed_cb (CsWindow     *self,
                CsRun        *run,
                const char   *reason,
                CsRunManager *manager)
{
  const char *title = cs_run_get_title (run);
  g_autofree char *message = NULL;

  message = g_strdup_printf (_("Could not save “%s”: %s"),
                             title != NULL && title[0] != '\0' ? title : _("Untitled"),
                             reason != NULL ? reason : _("unknown error"));
  _cs_window_toast (self, message);
}

static void
run_started_cb (CsWindow     *self,
                CsRun        *run,
                CsRunManager *manager)
{
  _cs_window_actions_update (self);
}

/* Why a run failed is said where it was started or is shown. */
static void
run_ended_cb (CsWindow     *self,
              CsRun        *run,
              const char   *failure,
              CsRunManager *manager)
{
  if (failure != NULL &&
      (run == _cs_window_get_run (self) || g_strcmp0 (cs_run_get_id (run), self->started_id) == 0))
    _cs_window_toast (self, failure);

  if (self->run_page != NULL)
    cs_run_page_update (self->run_page);
  _cs_window_actions_update (self);
}

/* -------------------------------------------------------------------------
 * Running
 */

static void start_run (CsWindow *self);

static void
budget_checked_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(CsWindow) self = user_data;

  if (cs_budget_check_finish (result, NULL) && !_cs_window_is_running (self))
    start_run (self);
}

void
_cs_window_start_run (CsWindow *self)
{
  double budget;

  g_return_if_fail (CS_IS_WINDOW (self));

  /* one run at a time */
  if (_cs_window_is_running (self))
    return;

  /* a run whose upper estimate passes the budget asks first */
  budget = g_settings_get_double (self->settings, "run-budget");
  if (budget > 0)
    {
      cs_budget_check_async (GTK_WINDOW (self), cs_compose_page_estimate (self->compose_page), budget,
                             NULL, budget_checked_cb, g_object_ref (self));
      return;
    }
  start_run (self);
}

static void
start_run (CsWindow *self)
{
  g_auto(GStrv) models = NULL;
  g_autoptr(CsRun) run = NULL;
  g_autoptr(GError) error = NULL;
  CsConfig *config;
  double budget = g_settings_get_double (self->settings, "run-budget");

  run = cs_compose_page_create_run (self->compose_page, &models, &error);
  if (run == NULL)
    {
      _cs_window_toast (self, error->message);
      return;
    }

  if (budget > 0)
    cs_run_set_budget_usd (run, budget);

  config = _cs_window_get_config (self);
  if (config == NULL)
    {
      _cs_window_toast (self, _("No providers are configured"));
      return;
    }
  if (!cs_run_manager_start (self->manager, config, run, (const char * const *) models, &error))
    {
      _cs_window_toast (self, error->message);
      return;
    }

  cs_compose_page_mark_sent (self->compose_page);
  g_free (self->started_id);
  self->started_id = g_strdup (cs_run_get_id (run));
  _cs_window_show_run (self, run);
}

/* One run at a time: the one in progress, wherever it was started. */
void
_cs_window_cancel_run (CsWindow *self)
{
  g_return_if_fail (CS_IS_WINDOW (self));

  cs_run_manager_cancel_all (self->manager);
}

/* -------------------------------------------------------------------------
 * Closing
 */

static gboolean
is_last_window (CsWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  for (GList *l = app != NULL ? gtk_application_get_windows (app) : NULL; l != NULL; l = l->next)
    if (l->data != (gpointer) self && CS_IS_WINDOW (l->data))
      return FALSE;
  return TRUE;
}

static void
stop_response_cb (AdwMessageDialog *dialog,
                  const char       *response,
                  CsWindow         *self)
{
  if (g_strcmp0 (response, "stop") != 0)
    return;

  /* the dialog (alive until its signal returns) lets go of the window
   * before that goes */
  gtk_window_set_transient_for (GTK_WINDOW (dialog), NULL);
  gtk_window_destroy (GTK_WINDOW (dialog));
  cs_run_manager_cancel_all (self->manager);
  self->close_confirmed = TRUE;
  gtk_window_close (GTK_WINDOW (self));
}

static void
ask_to_stop (CsWindow *self)
{
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Stop the Run?"),
                                   _("Closing the last window quits Consilium, which stops the run in progress. "
                                     "The answers received so far stay in the history."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "keep", _("_Keep Running"),
                                    "stop", _("_Stop and Close"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "stop", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  g_signal_connect_object (dialog, "response", G_CALLBACK (stop_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Runs outlive the window, but closing the last one quits: TRUE, or FALSE
 * after asking whether to stop the run. */
gboolean
_cs_window_may_close (CsWindow *self)
{
  if (!self->close_confirmed && _cs_window_is_running (self) && is_last_window (self))
    {
      ask_to_stop (self);
      return FALSE;
    }
  return TRUE;
}

void
_cs_window_runs_connect (CsWindow *self)
{
  g_signal_connect_object (self->manager, "run-started", G_CALLBACK (run_started_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->manager, "run-ended", G_CALLBACK (run_ended_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->manager, "save-failed", G_CALLBACK (save_failed_cb), self, G_CONNECT_SWAPPED);
}
