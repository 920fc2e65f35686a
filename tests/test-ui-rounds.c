/* test-ui-rounds.c: follow-up rounds and the troubleshooting loop in the app
 *
 * The real window (a CsApplication with a providers file for the in-process
 * test provider in a temporary XDG_CONFIG_HOME) runs an architect run, asks
 * a follow-up the judge answers, and moves between the rounds; runs a
 * support run, reports a step that did not work with its output, finds the
 * next steps (never the step tried), reports one that worked and sees the
 * resolution; then, restarted, reopens the saved run with all its rounds.
 *
 * Runs under Xvfb (GDK_BACKEND=x11, GSK_RENDERER=cairo, memory settings);
 * CS_TEST_UI_SHOTS=DIR saves DIR/rounds-*.png.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#ifdef CS_TEST_UI_X11
# include <X11/keysym.h>
#endif

#include "cs-application.h"
#include "cs-history-row.h"
#include "cs-result-view.h"
#include "cs-run-page-rounds.h"
#include "cs-step-reports.h"
#include "cs-test-provider.h"
#include "test-ui-util.h"
#include "cs-window-private.h"

static char *tmp_dir;
static CsTestProvider *provider;
static char *architect_id;
static char *support_id;

static void
write_config (const char *config_home)
{
  g_autofree char *ini = cs_test_demo_ini (provider, "demo-alpha;demo-beta;demo-judge");

  cs_test_ui_write_providers (config_home, ini);
}

/* The subtitle of @run_id's history row says @text. */
typedef struct {
  CsWindow   *win;
  const char *run_id;
  const char *text;
} HistorySays;

static const char *history_subtitle (CsWindow *win, const char *run_id);

static gboolean
history_says (gpointer data)
{
  HistorySays *h = data;
  const char *subtitle = history_subtitle (h->win, h->run_id);

  return subtitle != NULL && strstr (subtitle, h->text) != NULL;
}

static gboolean
not_running (gpointer data)
{
  return !_cs_window_is_running (CS_WINDOW (data));
}

static gboolean
result_built (gpointer data)
{
  return !cs_result_view_get_building (CS_RESULT_VIEW (data));
}

static gboolean
store_has_runs (gpointer data)
{
  return g_list_model_get_n_items (G_LIST_MODEL (data)) >= 2;
}

static gboolean
visible_in (GtkWidget *widget)
{
  for (; widget != NULL; widget = gtk_widget_get_parent (widget))
    if (!gtk_widget_get_visible (widget))
      return FALSE;
  return TRUE;
}

static void
start_run (CsWindow   *win,
           const char *mode,
           const char *problem)
{
  static const char * const models[] = { "demo/demo-alpha", "demo/demo-beta", NULL };

  _cs_window_set_mode (win, mode);
  gtk_text_buffer_set_text (_cs_window_get_problem_buffer (win), problem, -1);
  _cs_window_select_models (win, models);
  _cs_window_select_judge (win, "demo/demo-judge");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.run", NULL));
  g_assert_true (_cs_window_is_running (win));
  g_assert_true (cs_test_wait_for (not_running, win, 90000));
  g_assert_true (cs_test_wait_for (result_built, _cs_window_get_run_page (win)->result_view, 30000));
  cs_test_ui_settle (5000);
  g_assert_cmpint (cs_run_get_state (_cs_window_get_run (win)), ==, CS_RUN_DONE);
}

/* Starts a round through the bar's action and waits for its end. */
static void
ask (CsWindow   *win,
     const char *action)
{
  CsFollowUpBar *bar = cs_run_page_get_follow_up_bar (_cs_window_get_run_page (win));

  g_assert_true (gtk_widget_is_sensitive (cs_test_ui_find_named (GTK_WIDGET (bar),
                                                      g_str_equal (action, "follow-up.ask") ? "follow-up-ask" : "find-next-steps")));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (bar), action, NULL));
  g_assert_cmpstr (cs_follow_up_bar_get_error (bar), ==, NULL);
  g_assert_true (_cs_window_is_running (win));
  /* off while the round runs: the button is insensitive and the action,
   * with a question typed, starts nothing */
  {
    CsRun *run = _cs_window_get_run (win);
    guint n = cs_run_get_n_rounds (run);
    g_autofree char *kept = NULL;
    GtkTextBuffer *buffer = cs_follow_up_bar_get_buffer (bar);
    GtkTextIter start, end;

    gtk_text_buffer_get_bounds (buffer, &start, &end);
    kept = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
    g_assert_false (gtk_widget_is_sensitive (cs_test_ui_find_named (GTK_WIDGET (bar), "follow-up-ask")));
    gtk_text_buffer_set_text (buffer, "A second question while the first runs", -1);
    gtk_widget_activate_action (GTK_WIDGET (bar), "follow-up.ask", NULL);
    g_assert_cmpuint (cs_run_get_n_rounds (run), ==, n);
    gtk_text_buffer_set_text (buffer, kept, -1);
  }
  g_assert_true (cs_test_wait_for (not_running, win, 90000));
  g_assert_true (cs_test_wait_for (result_built, _cs_window_get_run_page (win)->result_view, 30000));
  cs_test_ui_settle (5000);
}

static char *
synthesis_text (JsonNode *node)
{
  return node != NULL ? json_to_string (node, FALSE) : NULL;
}

static const char *
history_subtitle (CsWindow   *win,
                  const char *run_id)
{
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (win->history_list)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (CS_IS_HISTORY_ROW (row) && g_str_equal (cs_run_get_id (cs_history_row_get_run (CS_HISTORY_ROW (row))), run_id))
      {
        GtkWidget *label = gtk_widget_get_template_child (row, CS_TYPE_HISTORY_ROW, "subtitle_label") != NULL
                           ? GTK_WIDGET (gtk_widget_get_template_child (row, CS_TYPE_HISTORY_ROW, "subtitle_label")) : NULL;
        return label != NULL ? gtk_label_get_text (GTK_LABEL (label)) : NULL;
      }
  return NULL;
}

/* Architect mode, scope judge: the judge revises the result; the switcher
 * shows both rounds and round 1 stays readable. */
static void
test_follow_up (void)
{
  g_autoptr(CsApplication) app = cs_test_ui_start_app ("TestRounds");
  CsWindow *win = cs_window_new (app);
  CsFollowUpBar *bar;
  CsRoundSwitcher *switcher;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  CsRun *run;
  CsRound *round;
  GtkWidget *label;

  gtk_window_set_default_size (GTK_WINDOW (win), 1280, 900);
  gtk_window_present (GTK_WINDOW (win));
  cs_test_ui_settle (5000);
  start_run (win, "architect", "Design a URL shortener for 10k writes a day");
  run = _cs_window_get_run (win);
  architect_id = g_strdup (cs_run_get_id (run));
  bar = cs_run_page_get_follow_up_bar (_cs_window_get_run_page (win));
  switcher = cs_run_page_get_round_switcher (_cs_window_get_run_page (win));
  g_assert_true (visible_in (GTK_WIDGET (bar)));
  g_assert_cmpint (cs_follow_up_bar_get_scope (bar), ==, CS_ROUND_SCOPE_JUDGE);
  /* one round: no switcher */
  g_assert_false (visible_in (cs_test_ui_find_named (GTK_WIDGET (switcher), "round-label")));
  /* no Find Next Steps under a blueprint */
  g_assert_false (visible_in (cs_test_ui_find_named (GTK_WIDGET (bar), "find-next-steps")));

  /* nothing typed: said, nothing started */
  g_assert_false (cs_follow_up_bar_ask (bar, FALSE));
  g_assert_nonnull (cs_follow_up_bar_get_error (bar));
  g_assert_cmpuint (cs_run_get_n_rounds (run), ==, 1);

  first = synthesis_text (cs_run_get_synthesis (run));
  gtk_text_buffer_set_text (cs_follow_up_bar_get_buffer (bar), "What if we drop Kafka and use <b>Postgres</b>?", -1);
  ask (win, "follow-up.ask");

  g_assert_cmpuint (cs_run_get_n_rounds (run), ==, 2);
  round = cs_run_get_round (run, 2);
  g_assert_cmpint (cs_round_get_state (round), ==, CS_RUN_DONE);
  g_assert_cmpint (cs_round_get_scope (round), ==, CS_ROUND_SCOPE_JUDGE);
  g_assert_cmpstr (cs_round_get_follow_up (round), ==, "What if we drop Kafka and use <b>Postgres</b>?");
  g_assert_true (cs_run_get_current_round (run) == round);
  second = synthesis_text (cs_run_get_synthesis (run));
  g_assert_cmpstr (first, !=, second);
  /* the field is empty again, the bar ready for the next */
  g_assert_cmpint (gtk_text_buffer_get_char_count (cs_follow_up_bar_get_buffer (bar)), ==, 0);
  g_assert_true (gtk_widget_is_sensitive (cs_test_ui_find_named (GTK_WIDGET (bar), "follow-up-ask")));

  /* the switcher: round 2 of 2 with its follow-up as plain text */
  g_assert_cmpuint (cs_round_switcher_get_shown (switcher), ==, 2);
  label = cs_test_ui_find_named (GTK_WIDGET (switcher), "round-label");
  g_assert_true (visible_in (label));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (label)), ==, "Round 2 of 2");
  label = cs_test_ui_find_named (GTK_WIDGET (switcher), "round-follow-up");
  g_assert_nonnull (label);
  g_assert_false (gtk_label_get_use_markup (GTK_LABEL (label)));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (label)), ==, "What if we drop Kafka and use <b>Postgres</b>?");
  g_assert_true (visible_in (GTK_WIDGET (_cs_window_get_run_page (win)->result_view)));
  g_assert_null (cs_round_switcher_get_earlier_view (switcher));
  cs_test_ui_save_shot (GTK_WIDGET (win), "rounds-follow-up.png");

  /* round 1 stays readable: its result in place of the current one */
  g_signal_emit_by_name (cs_test_ui_find_named (GTK_WIDGET (switcher), "round-previous"), "clicked");
  g_assert_cmpuint (cs_round_switcher_get_shown (switcher), ==, 1);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (cs_test_ui_find_named (GTK_WIDGET (switcher), "round-label"))), ==, "Round 1 of 2");
  g_assert_nonnull (cs_round_switcher_get_earlier_view (switcher));
  g_assert_true (visible_in (cs_round_switcher_get_earlier_view (switcher)));
  g_assert_false (visible_in (GTK_WIDGET (_cs_window_get_run_page (win)->result_view)));
  g_assert_null (cs_test_ui_find_named (GTK_WIDGET (switcher), "round-follow-up"));
  g_assert_false (gtk_widget_is_sensitive (cs_test_ui_find_named (GTK_WIDGET (switcher), "round-previous")));
  g_signal_emit_by_name (cs_test_ui_find_named (GTK_WIDGET (switcher), "round-next"), "clicked");
  g_assert_cmpuint (cs_round_switcher_get_shown (switcher), ==, 2);
  g_assert_true (visible_in (GTK_WIDGET (_cs_window_get_run_page (win)->result_view)));
  g_assert_null (cs_round_switcher_get_earlier_view (switcher));

  /* the history row counts the rounds */
  {
    HistorySays says = { win, architect_id, "2 rounds" };

    cs_test_wait_for (history_says, &says, 10000);
  }
  g_assert_nonnull (history_subtitle (win, architect_id));
  g_assert_nonnull (strstr (history_subtitle (win, architect_id), "2 rounds"));

  /* a round that fails (the provider now refuses every request): the
   * previous result stays, the reason is shown, the text comes back */
  cs_test_provider_set_required_key (provider, "a-key-the-config-lacks");
  gtk_text_buffer_set_text (cs_follow_up_bar_get_buffer (bar), "And with two regions?", -1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (bar), "follow-up.ask", NULL));
  g_assert_true (cs_test_wait_for (not_running, win, 90000));
  cs_test_ui_settle (5000);
  cs_test_provider_set_required_key (provider, NULL);
  g_assert_cmpuint (cs_run_get_n_rounds (run), ==, 3);
  g_assert_cmpint (cs_round_get_state (cs_run_get_round (run, 3)), ==, CS_RUN_FAILED);
  g_assert_true (cs_run_get_current_round (run) == cs_run_get_round (run, 2));
  g_assert_cmpint (cs_run_get_state (run), ==, CS_RUN_DONE);
  {
    g_autofree char *after = synthesis_text (cs_run_get_synthesis (run));

    g_assert_cmpstr (after, ==, second);
  }
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (cs_test_ui_find_named (GTK_WIDGET (switcher), "round-label"))), ==, "Round 3 of 3");
  label = cs_test_ui_find_named (GTK_WIDGET (switcher), "round-state");
  g_assert_nonnull (label);
  g_assert_true (visible_in (label));
  g_assert_true (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (label)), "This round got no result"));
  /* why, in the run's message above */
  g_assert_nonnull (strstr (cs_run_get_message (run), "401"));
  g_assert_true (visible_in (GTK_WIDGET (_cs_window_get_run_page (win)->result_view)));   /* round 2's, still */
  g_assert_nonnull (cs_follow_up_bar_get_error (bar));
  {
    GtkTextIter start, end;
    g_autofree char *text = NULL;

    gtk_text_buffer_get_bounds (cs_follow_up_bar_get_buffer (bar), &start, &end);
    text = gtk_text_buffer_get_text (cs_follow_up_bar_get_buffer (bar), &start, &end, FALSE);
    g_assert_cmpstr (text, ==, "And with two regions?");
  }
  g_assert_true (gtk_widget_is_sensitive (cs_test_ui_find_named (GTK_WIDGET (bar), "follow-up-ask")));
  cs_test_ui_save_shot (GTK_WIDGET (win), "rounds-failed.png");
  if (g_getenv ("CS_TEST_UI_SHOTS") != NULL)
    {
      /* the bar in view, the toast gone */
      GtkWidget *scroller = adw_bin_get_child (ADW_BIN (_cs_window_get_run_page (win)));
      GtkWidget *content = gtk_widget_get_first_child (gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scroller)));
      double x = 0, y = 0;

      /* the toast's own timeout: no state to ask for */
      cs_test_wait_for (cs_test_never, NULL, 6000);
      if (gtk_widget_translate_coordinates (GTK_WIDGET (bar), content, 0, 0, &x, &y))
        gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller)), MAX (0, y - 300));
      cs_test_ui_save_shot (GTK_WIDGET (win), "rounds-bar.png");
    }

  /* a run that has spent the budget set in Preferences: the round is
   * refused before anything is sent, and the bar says where to raise it */
  {
    g_autoptr(GSettings) settings = g_settings_new ("io.github.consilium.Consilium");
    CsCandidate *candidate = cs_run_find_candidate (run, "c1");
    const char *error;

    g_assert_nonnull (candidate);
    cs_candidate_set_cost_usd (candidate, 0.5);
    g_settings_set_double (settings, "run-budget", 0.25);
    gtk_text_buffer_set_text (cs_follow_up_bar_get_buffer (bar), "And with three regions?", -1);
    g_assert_false (cs_follow_up_bar_ask (bar, FALSE));
    g_assert_cmpuint (cs_run_get_n_rounds (run), ==, 3);
    error = cs_follow_up_bar_get_error (bar);
    g_assert_nonnull (error);
    g_assert_nonnull (strstr (error, "budget"));
    g_assert_nonnull (strstr (error, "Preferences"));
    g_settings_reset (settings, "run-budget");
  }

  cs_run_store_flush (cs_application_get_store (app));
  gtk_window_destroy (GTK_WINDOW (win));
  cs_test_ui_settle (5000);
}

/* The first step report box under the step @index (from 0) of the shown checklist. */
static GtkWidget *
step_part (CsWindow   *win,
           guint       index,
           const char *name)
{
  g_autoptr(GPtrArray) checks = cs_result_view_get_step_checks (_cs_window_get_run_page (win)->result_view);
  GtkWidget *row;

  g_assert_cmpuint (checks->len, >, index);
  /* the check sits in the step row's first line */
  row = gtk_widget_get_parent (gtk_widget_get_parent (g_ptr_array_index (checks, index)));
  /* a collapsed expander keeps its child out of the tree */
  if (g_str_has_prefix (name, "step-output"))
    gtk_expander_set_expanded (GTK_EXPANDER (cs_test_ui_find_named (row, "step-output-expander")), TRUE);
  return cs_test_ui_find_named (row, name);
}

static gboolean
has_step_titled (CsResult   *result,
                 const char *title)
{
  GPtrArray *steps = cs_checklist_get_steps (cs_result_get_checklist (result));

  for (guint i = 0; i < steps->len; i++)
    if (g_strcmp0 (((CsStep *) g_ptr_array_index (steps, i))->title, title) == 0)
      return TRUE;
  return FALSE;
}

/* Support mode: step 1 did not work (with its output), Find Next Steps:
 * the new checklist has no step tried; a step that worked closes it. */
static void
test_troubleshooting (void)
{
  g_autoptr(CsApplication) app = cs_test_ui_start_app ("TestRounds");
  CsWindow *win = cs_window_new (app);
  CsFollowUpBar *bar;
  CsRoundSwitcher *switcher;
  g_autofree char *tried = NULL;
  g_autofree char *big = NULL;
  const char *output = "$ systemctl status php8.2-fpm\n  Active: failed (Result: exit-code)\n\tline <b>3</b>\n";
  GPtrArray *reports;
  CsStepReport *report;
  CsRun *run;
  GtkWidget *resolution;

  gtk_window_set_default_size (GTK_WINDOW (win), 1280, 900);
  gtk_window_present (GTK_WINDOW (win));
  cs_test_ui_settle (5000);
  start_run (win, "support", "nginx returns 502 Bad Gateway after the upgrade to PHP 8.2");
  run = _cs_window_get_run (win);
  support_id = g_strdup (cs_run_get_id (run));
  bar = cs_run_page_get_follow_up_bar (_cs_window_get_run_page (win));
  switcher = cs_run_page_get_round_switcher (_cs_window_get_run_page (win));
  g_assert_cmpint (cs_follow_up_bar_get_scope (bar), ==, CS_ROUND_SCOPE_ALL);
  g_assert_true (visible_in (cs_test_ui_find_named (GTK_WIDGET (bar), "find-next-steps")));
  /* nothing reported yet */
  g_assert_false (gtk_widget_is_sensitive (cs_test_ui_find_named (GTK_WIDGET (bar), "find-next-steps")));
  tried = g_strdup (((CsStep *) g_ptr_array_index (cs_checklist_get_steps (cs_result_get_checklist (cs_run_get_result (run))), 0))->title);

  /* step 1 did not work; an output too large is refused with the engine's message */
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (step_part (win, 0, "step-failed")), TRUE);
  g_assert_true (gtk_widget_is_sensitive (cs_test_ui_find_named (GTK_WIDGET (bar), "find-next-steps")));
  big = g_strnfill (CS_STEP_OUTPUT_MAX_BYTES + 10, 'x');
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (step_part (win, 0, "step-output"))), big, -1);
  g_assert_true (gtk_widget_get_visible (step_part (win, 0, "step-output-error")));
  g_assert_null (cs_step_reports_get_output (cs_step_reports_for_run (run), 1));
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (step_part (win, 0, "step-output"))), output, -1);
  g_assert_false (gtk_widget_get_visible (step_part (win, 0, "step-output-error")));
  /* switching to Worked and back: one outcome at a time */
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (step_part (win, 0, "step-worked")), TRUE);
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (step_part (win, 0, "step-failed"))));
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (step_part (win, 0, "step-failed")), TRUE);
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (step_part (win, 0, "step-worked"))));
  cs_test_ui_save_shot (GTK_WIDGET (win), "rounds-report.png");

  ask (win, "follow-up.next-steps");
  g_assert_cmpuint (cs_run_get_n_rounds (run), ==, 2);
  g_assert_cmpint (cs_round_get_state (cs_run_get_round (run, 2)), ==, CS_RUN_DONE);
  g_assert_cmpint (cs_round_get_scope (cs_run_get_round (run, 2)), ==, CS_ROUND_SCOPE_ALL);
  reports = cs_round_get_step_reports (cs_run_get_round (run, 2));
  g_assert_cmpuint (reports->len, ==, 1);
  report = g_ptr_array_index (reports, 0);
  g_assert_cmpuint (report->step, ==, 1);
  g_assert_cmpint (report->outcome, ==, CS_STEP_FAILED);
  g_assert_cmpstr (report->output, ==, output);   /* verbatim */
  g_assert_cmpstr (report->title, ==, tried);
  /* the new checklist never repeats the step tried; its reports start afresh */
  g_assert_false (has_step_titled (cs_run_get_result (run), tried));
  g_assert_cmpuint (cs_step_reports_get_n (cs_step_reports_for_run (run)), ==, 0);
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (step_part (win, 0, "step-failed"))));
  g_assert_null (cs_run_get_resolution (run));
  g_assert_false (visible_in (cs_test_ui_find_named (GTK_WIDGET (switcher), "resolution")));

  /* step 1 of the new checklist worked: the session is closed */
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (step_part (win, 0, "step-worked")), TRUE);
  ask (win, "follow-up.next-steps");
  g_assert_cmpuint (cs_run_get_n_rounds (run), ==, 3);
  g_assert_nonnull (cs_run_get_resolution (run));
  g_assert_cmpuint (cs_run_get_resolution (run)->step, ==, 1);
  resolution = cs_test_ui_find_named (GTK_WIDGET (switcher), "resolution");
  g_assert_true (visible_in (resolution));
  g_assert_false (visible_in (cs_test_ui_find_named (GTK_WIDGET (bar), "find-next-steps")));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (cs_test_ui_find_named (GTK_WIDGET (switcher), "round-label"))), ==, "Round 3 of 3");
  cs_test_ui_save_shot (GTK_WIDGET (win), "rounds-resolved.png");

  /* round 2's steps stay readable, with the output as it was pasted */
  cs_round_switcher_show_round (switcher, 2);
  g_assert_nonnull (cs_round_switcher_get_earlier_view (switcher));
  g_assert_false (visible_in (resolution));

  cs_run_store_flush (cs_application_get_store (app));
  cs_test_ui_settle (5000);
  cs_run_store_flush (cs_application_get_store (app));
  gtk_window_destroy (GTK_WINDOW (win));
  cs_test_ui_settle (5000);
}

/* After a restart the saved runs come back with all their rounds. */
static void
test_reopen (void)
{
  g_autoptr(CsApplication) app = NULL;
  CsWindow *win;
  CsRunStore *store;
  CsRun *run;
  CsRoundSwitcher *switcher;

  g_assert_nonnull (architect_id);
  g_assert_nonnull (support_id);
  app = cs_test_ui_start_app ("TestRounds");
  store = cs_application_get_store (app);
  g_assert_true (cs_test_wait_for (store_has_runs, store, 10000));
  win = cs_window_new (app);
  gtk_window_present (GTK_WINDOW (win));
  cs_test_ui_settle (5000);

  run = cs_run_store_find (store, support_id);
  g_assert_nonnull (run);
  g_assert_cmpuint (cs_run_get_n_rounds (run), ==, 3);
  g_assert_nonnull (cs_run_get_resolution (run));
  g_assert_cmpuint (cs_round_get_step_reports (cs_run_get_round (run, 2))->len, ==, 1);
  _cs_window_show_run (win, run);
  g_assert_true (cs_test_wait_for (result_built, _cs_window_get_run_page (win)->result_view, 30000));
  switcher = cs_run_page_get_round_switcher (_cs_window_get_run_page (win));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (cs_test_ui_find_named (GTK_WIDGET (switcher), "round-label"))), ==, "Round 3 of 3");
  g_assert_true (visible_in (cs_test_ui_find_named (GTK_WIDGET (switcher), "resolution")));
  cs_round_switcher_show_round (switcher, 1);
  g_assert_nonnull (cs_round_switcher_get_earlier_view (switcher));

  run = cs_run_store_find (store, architect_id);
  g_assert_nonnull (run);
  g_assert_cmpuint (cs_run_get_n_rounds (run), ==, 3);   /* the last one failed */
  g_assert_cmpint (cs_round_get_state (cs_run_get_round (run, 3)), ==, CS_RUN_FAILED);
  g_assert_true (cs_run_get_current_round (run) == cs_run_get_round (run, 2));
  _cs_window_show_run (win, run);
  g_assert_true (cs_test_wait_for (result_built, _cs_window_get_run_page (win)->result_view, 30000));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (cs_test_ui_find_named (GTK_WIDGET (switcher), "round-label"))), ==, "Round 3 of 3");
  g_assert_true (visible_in (cs_test_ui_find_named (GTK_WIDGET (switcher), "round-state")));
  g_assert_cmpstr (cs_round_get_follow_up (cs_run_get_round (run, 2)), ==, "What if we drop Kafka and use <b>Postgres</b>?");
  /* a follow-up on a reopened run is possible */
  g_assert_true (gtk_widget_is_sensitive (cs_test_ui_find_named (GTK_WIDGET (cs_run_page_get_follow_up_bar (_cs_window_get_run_page (win))), "follow-up-ask")));

  gtk_window_destroy (GTK_WINDOW (win));
  cs_test_ui_settle (5000);
}

#ifdef CS_TEST_UI_X11
static gboolean
is_running (gpointer data)
{
  return _cs_window_is_running (CS_WINDOW (data));
}

/* A real Ctrl+Enter in the follow-up field asks; it types no new line. */
static void
test_keyboard (void)
{
  g_autoptr(CsApplication) app = cs_test_ui_start_app ("TestRounds");
  CsWindow *win;
  CsFollowUpBar *bar;
  CsRun *run;
  GtkTextIter start, end;
  g_autofree char *text = NULL;
  guint n;

  g_assert_true (cs_test_wait_for (store_has_runs, cs_application_get_store (app), 10000));
  win = cs_window_new (app);
  gtk_window_present (GTK_WINDOW (win));
  cs_test_ui_settle (5000);
  run = cs_run_store_find (cs_application_get_store (app), architect_id);
  g_assert_nonnull (run);
  n = cs_run_get_n_rounds (run);
  _cs_window_show_run (win, run);
  g_assert_true (cs_test_wait_for (result_built, _cs_window_get_run_page (win)->result_view, 30000));
  bar = cs_run_page_get_follow_up_bar (_cs_window_get_run_page (win));
  gtk_text_buffer_set_text (cs_follow_up_bar_get_buffer (bar), "Keyboard: and with a CDN?", -1);
  gtk_widget_grab_focus (cs_test_ui_find_named (GTK_WIDGET (bar), "follow-up-text"));
  cs_test_ui_settle (5000);
  if (!cs_test_ui_press_key (GTK_WIDGET (win), XK_Control_L, XK_Return))
    {
      g_test_skip ("no XTest");
      gtk_window_destroy (GTK_WINDOW (win));
      return;
    }
  g_assert_true (cs_test_wait_for (is_running, win, 5000));
  g_assert_true (cs_test_wait_for (not_running, win, 90000));
  cs_test_ui_settle (5000);
  g_assert_cmpuint (cs_run_get_n_rounds (run), ==, n + 1);
  g_assert_cmpstr (cs_round_get_follow_up (cs_run_get_round (run, n + 1)), ==, "Keyboard: and with a CDN?");
  g_assert_cmpint (cs_round_get_state (cs_run_get_round (run, n + 1)), ==, CS_RUN_DONE);
  gtk_text_buffer_get_bounds (cs_follow_up_bar_get_buffer (bar), &start, &end);
  text = gtk_text_buffer_get_text (cs_follow_up_bar_get_buffer (bar), &start, &end, FALSE);
  g_assert_cmpstr (text, ==, "");

  gtk_window_destroy (GTK_WINDOW (win));
  cs_run_store_flush (cs_application_get_store (app));
  cs_test_ui_settle (5000);
}
#endif

int
main (int   argc,
      char *argv[])
{
  g_autofree char *conf = NULL;
  int ret;

  tmp_dir = cs_test_make_data_home ("ui-rounds");
  conf = g_build_filename (tmp_dir, "config", NULL);
  g_setenv ("XDG_CONFIG_HOME", conf, TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_unsetenv ("CONSILIUM_DEMO_URL");

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  provider = cs_test_provider_start_new ();
  write_config (conf);

  g_test_add_func ("/ui-rounds/follow-up", test_follow_up);
  g_test_add_func ("/ui-rounds/troubleshooting", test_troubleshooting);
  g_test_add_func ("/ui-rounds/reopen", test_reopen);
#ifdef CS_TEST_UI_X11
  g_test_add_func ("/ui-rounds/keyboard", test_keyboard);
#endif
  ret = g_test_run ();

  g_object_unref (provider);
  cs_test_rm_rf (tmp_dir);
  g_free (tmp_dir);
  g_free (architect_id);
  g_free (support_id);
  return ret;
}
