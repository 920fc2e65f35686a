/* screenshot-driver.c: the README's and AppStream's screenshots, from the real app
 *
 * Usage: screenshot-driver OUTDIR [WIDTHxHEIGHT]
 *
 * Starts the test provider in this process (synthetic answers, labelled as
 * a demo), writes a providers.ini for it into fresh XDG directories, opens
 * the real CsWindow (default 1280x800) and drives it through the window's
 * own code, saving PNGs of its content (the window without its frame)
 * rendered by the window's own renderer:
 *   streaming.png   the candidate cards while the answers stream in
 *   blueprint.png   the architect result: the blueprint with its diagram
 *   checklist.png   a support run's checklist with the first step ticked
 *   composing.png   architect mode, a problem and constraints typed, models
 *                   chosen, the two runs before in the history
 *   followup.png    the architect run after a follow-up the judge answered:
 *                   round 2 of 2 above the revised blueprint
 *   troubleshooting.png  the support run after step 1 was reported as not
 *                   working with its output: round 2's new steps, one of
 *                   them being reported
 * Run it under an X server with tools/screenshots.sh.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "screenshot-driver"

#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include <adwaita.h>
#include <glib/gstdio.h>

#include "cs-application.h"
#include "cs-candidate-card.h"
#include "cs-result-view.h"
#include "cs-run-page-rounds.h"
#include "driver-common.h"

/* Every card shows streamed text, and some of it. */
static gboolean
cards_streaming (gpointer data)
{
  CsWindow *win = data;
  CsRun *run = _cs_window_get_run (win);
  guint n = run != NULL ? g_list_model_get_n_items (G_LIST_MODEL (run)) : 0;

  if (n == 0 || !_cs_window_is_running (win))
    return !_cs_window_is_running (win);
  /* the cards' clocks have ticked */
  if (g_get_monotonic_time () - driver_get_run_started () < 2500 * 1000)
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CsCandidate) c = g_list_model_get_item (G_LIST_MODEL (run), i);

      if (cs_candidate_get_status (c) != CS_CANDIDATE_STREAMING ||
          strlen (cs_candidate_get_text (c)) < 1200)
        return FALSE;
    }
  return TRUE;
}

static void
scroll_to_top (CsWindow *win)
{
  cs_run_page_scroll_to_top (_cs_window_get_run_page (win));
}

/* The first step's report toggle @name (or output) in the result shown. */
static GtkWidget *
first_step_part (CsWindow   *win,
                 const char *name)
{
  GtkWidget *expander = cs_test_ui_find_named (GTK_WIDGET (_cs_window_get_run_page (win)->result_view), "step-output-expander");

  if (expander != NULL && g_str_equal (name, "step-output"))
    gtk_expander_set_expanded (GTK_EXPANDER (expander), TRUE);
  return cs_test_ui_find_named (GTK_WIDGET (_cs_window_get_run_page (win)->result_view), name);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(CsTestProvider) provider = NULL;
  g_autoptr(CsApplication) app = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *config_home = NULL;
  g_autofree char *base = NULL;
  g_autoptr(GPtrArray) checks = NULL;
  g_autoptr(CsRun) architect_run = NULL;
  g_autoptr(CsRun) support_run = NULL;
  GtkWidget *part;
  CsWindow *win;
  int width = 1280, height = 800;

  if (argc < 2)
    {
      g_printerr ("Usage: %s OUTDIR [WIDTHxHEIGHT]\n", argv[0]);
      return 2;
    }
  if (argc > 2 && sscanf (argv[2], "%dx%d", &width, &height) != 2)
    {
      g_printerr ("screenshot-driver: %s is not WIDTHxHEIGHT\n", argv[2]);
      return 2;
    }
  driver_init ("screenshot-driver", argv[1]);

  /* fresh directories: no history, no draft */
  tmp = driver_make_dirs ("cs-screenshots-XXXXXX", &config_home);
  g_unsetenv ("CONSILIUM_DEMO_URL");

  setlocale (LC_ALL, "");
  gtk_init ();
  adw_init ();

  provider = driver_start_provider ();
  base = cs_test_provider_dup_base_url (provider);
  driver_write_config (config_home, base, NULL);

  app = cs_test_ui_start_app ("Screenshots");
  win = driver_open_window (app, width, height);

  /* 1. streaming: slow enough to catch the cards half-way */
  driver_compose_architect (win);
  cs_test_provider_set_delay_ms (provider, 60);
  driver_run (win);
  if (!cs_test_wait_for (cards_streaming, win, 60000))
    g_printerr ("screenshot-driver: the cards did not all stream\n");
  driver_save_shot (win, "streaming.png");
  cs_test_provider_set_delay_ms (provider, 3);

  /* 2. the blueprint */
  if (!driver_wait_run_end (win, 120000))
    driver_fail ("the architect run did not end");
  scroll_to_top (win);
  driver_save_shot (win, "blueprint.png");
  architect_run = g_object_ref (_cs_window_get_run (win));

  /* 3. a support run's checklist, its first step ticked */
  driver_compose_support (win, "Restarted nginx; the site worked with PHP 8.1", "demo/demo-judge");
  driver_run (win);
  if (!driver_wait_run_end (win, 120000))
    driver_fail ("the support run did not end");
  checks = cs_result_view_get_step_checks (_cs_window_get_run_page (win)->result_view);
  if (checks != NULL && checks->len > 0)
    gtk_check_button_set_active (g_ptr_array_index (checks, 0), TRUE);
  scroll_to_top (win);
  driver_save_shot (win, "checklist.png");
  support_run = g_object_ref (_cs_window_get_run (win));

  /* 4. composing the next question, the history beside it */
  driver_compose_architect (win);
  gtk_widget_grab_focus (GTK_WIDGET (win->compose_page->problem_view));
  driver_save_shot (win, "composing.png");

  /* 5. a follow-up the judge answered: round 2 of 2 */
  _cs_window_show_run (win, architect_run);
  driver_wait_run_end (win, 30000);
  gtk_text_buffer_set_text (cs_follow_up_bar_get_buffer (cs_run_page_get_follow_up_bar (_cs_window_get_run_page (win))),
                            "What if we drop the stream processor and keep the live map on PostgreSQL "
                            "with LISTEN/NOTIFY? We are three developers.", -1);
  driver_follow_up (win, "follow-up.ask");
  scroll_to_top (win);
  driver_save_shot (win, "followup.png");

  /* 6. the troubleshooting loop: step 1 did not work, the next steps */
  _cs_window_show_run (win, support_run);
  driver_wait_run_end (win, 30000);
  if ((part = first_step_part (win, "step-failed")) != NULL)
    gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (part), TRUE);
  if ((part = first_step_part (win, "step-output")) != NULL)
    gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (part)),
                              "× php8.2-fpm.service - The PHP 8.2 FastCGI Process Manager\n"
                              "     Active: failed (Result: exit-code) since Sun 2026-12-06 09:12:03 UTC", -1);
  driver_follow_up (win, "follow-up.next-steps");
  /* what was pasted, as the round keeps it */
  if ((part = cs_test_ui_find_named (GTK_WIDGET (cs_run_page_get_round_switcher (_cs_window_get_run_page (win))), "round-step-output")) != NULL)
    gtk_expander_set_expanded (GTK_EXPANDER (part), TRUE);
  if ((part = first_step_part (win, "step-worked")) != NULL)
    gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (part), TRUE);
  scroll_to_top (win);
  driver_save_shot (win, "troubleshooting.png");

  gtk_window_destroy (GTK_WINDOW (win));
  cs_test_ui_settle (5000);
  cs_run_store_flush (cs_application_get_store (app));

  cs_test_rm_rf (tmp);

  return 0;
}
