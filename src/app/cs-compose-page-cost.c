/* cs-compose-page-cost.c: what the run on the page would cost
 *
 * A moment after each change (the problem, a constraint, a model ticked,
 * its count or settings, the judge, the fallback judge, peer ranking, the
 * configuration, the budget) the page plans the run it would make, on a
 * scratch run, and hands the estimate (cs-estimate.h, with the past runs
 * of the application's store) to the button beside Run in the window's
 * header (cs-estimate-button.c); nothing is sent. With a budget set in the
 * preferences the button says whether the upper figure is above it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-compose-page"

#include "config.h"

#include <math.h>
#include <glib/gi18n.h>

#include "cs-application.h"
#include "cs-compose-page-private.h"

#define ESTIMATE_DELAY_MS 300

static GListModel *
history (void)
{
  GApplication *app = g_application_get_default ();

  if (app == NULL || !CS_IS_APPLICATION (app))
    return NULL;
  return G_LIST_MODEL (cs_application_get_store (CS_APPLICATION (app)));
}

CsEstimate *
_cs_compose_page_estimate (CsComposePage *self)
{
  g_auto(GStrv) models = NULL;
  g_autoptr(CsRun) run = NULL;
  g_autoptr(CsRunner) runner = NULL;
  g_autofree char *problem = NULL;
  g_autofree char *judge = NULL;
  GtkTextIter start, end;

  if (self->config == NULL || self->model_rows == NULL)
    return NULL;
  models = _cs_compose_page_dup_models (self);
  if (models[0] == NULL)
    return NULL;

  gtk_text_buffer_get_bounds (cs_compose_page_get_buffer (self), &start, &end);
  problem = gtk_text_buffer_get_text (cs_compose_page_get_buffer (self), &start, &end, FALSE);
  run = cs_run_new (self->mode, problem);
  judge = _cs_compose_page_dup_judge (self);
  cs_run_set_judge (run, judge);
  _cs_compose_page_apply_knobs (self, run);
  _cs_compose_page_estimate_synthesis (self, run);

  runner = cs_runner_new (self->config, run);
  if (!cs_runner_plan (runner, (const char * const *) models, NULL))
    return NULL;
  return cs_estimate_new (runner, history ());
}

static gboolean
estimate_cb (gpointer user_data)
{
  CsComposePage *self = user_data;
  g_autoptr(CsEstimate) estimate = NULL;
  double budget;

  self->estimate_source = 0;
  if (self->estimate_button == NULL)
    return G_SOURCE_REMOVE;
  estimate = _cs_compose_page_estimate (self);
  budget = self->settings != NULL ? g_settings_get_double (self->settings, "run-budget") : 0;
  cs_estimate_button_update (self->estimate_button, estimate, budget);
  return G_SOURCE_REMOVE;
}

CsEstimate *
cs_compose_page_estimate (CsComposePage *self)
{
  g_return_val_if_fail (CS_IS_COMPOSE_PAGE (self), NULL);
  return _cs_compose_page_estimate (self);
}

void
_cs_compose_page_set_estimate_button (CsComposePage    *self,
                                      CsEstimateButton *button)
{
  g_return_if_fail (CS_IS_COMPOSE_PAGE (self));
  g_return_if_fail (CS_IS_ESTIMATE_BUTTON (button));

  g_set_object (&self->estimate_button, button);
  g_signal_connect_object (self->rank_switch, "notify::active",
                           G_CALLBACK (_cs_compose_page_queue_estimate), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->fallback_row, "notify::selected",
                           G_CALLBACK (_cs_compose_page_queue_estimate), self, G_CONNECT_SWAPPED);
  _cs_compose_page_queue_estimate (self);
}

void
_cs_compose_page_queue_estimate (CsComposePage *self)
{
  if (self->estimate_button == NULL)
    return;
  g_clear_handle_id (&self->estimate_source, g_source_remove);
  self->estimate_source = g_timeout_add (ESTIMATE_DELAY_MS, estimate_cb, self);
}

void
_cs_compose_page_cost_dispose (CsComposePage *self)
{
  g_clear_handle_id (&self->estimate_source, g_source_remove);
  g_clear_object (&self->estimate_button);
}
