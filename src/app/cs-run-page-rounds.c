/* cs-run-page-rounds.c: the run page's rounds: the switcher above the result, the follow-up under it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-run-page"

#include "config.h"

#include "cs-follow-up-bar.h"
#include "cs-round-switcher.h"
#include "cs-run-page-rounds.h"
#include "cs-run-page-private.h"

static void
run_changed_cb (CsRunPage  *self,
                GParamSpec *pspec,
                gpointer    data)
{
  cs_round_switcher_set_run (cs_run_page_get_round_switcher (self), self->run);
  cs_follow_up_bar_set_manager (cs_run_page_get_follow_up_bar (self), self->manager);
  cs_follow_up_bar_set_run (cs_run_page_get_follow_up_bar (self), self->run);
}

void
cs_run_page_rounds_attach (CsRunPage *self)
{
  GtkWidget *result_view = GTK_WIDGET (self->result_view);
  GtkWidget *parent = gtk_widget_get_parent (result_view);
  GtkWidget *switcher = cs_round_switcher_new (result_view);
  GtkWidget *bar = cs_follow_up_bar_new ();

  gtk_widget_insert_before (switcher, parent, result_view);
  gtk_widget_insert_after (bar, parent, result_view);
  g_object_set_data (G_OBJECT (self), "cs-round-switcher", switcher);
  g_object_set_data (G_OBJECT (self), "cs-follow-up-bar", bar);
  g_signal_connect (self, "notify::run", G_CALLBACK (run_changed_cb), NULL);
}

CsRoundSwitcher *
cs_run_page_get_round_switcher (CsRunPage *self)
{
  return g_object_get_data (G_OBJECT (self), "cs-round-switcher");
}

CsFollowUpBar *
cs_run_page_get_follow_up_bar (CsRunPage *self)
{
  return g_object_get_data (G_OBJECT (self), "cs-follow-up-bar");
}
