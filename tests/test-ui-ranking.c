/* test-ui-ranking.c: the peer ranking in the app: the result view's table
 * and the cards' rank badges over a real run (the in-process test provider
 * over HTTP), and the compose page's fallback judge and peer ranking rows
 * into the run and the settings.
 *
 * Runs under Xvfb (GDK_BACKEND=x11, GSK_RENDERER=cairo, memory settings);
 * CS_TEST_UI_SHOTS=DIR saves DIR/ranking.png.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "cs-candidate-card.h"
#include "cs-compose-page-private.h"
#include "cs-ranking-view.h"
#include "cs-result-view.h"
#include "cs-test-provider.h"
#include "test-ui-util.h"

static CsTestProvider *provider;

static gboolean
not_building (gpointer data)
{
  return !cs_result_view_get_building (data);
}

static CsConfig *
make_config (void)
{
  g_autofree char *ini = cs_test_demo_ini (provider, "demo-alpha;demo-beta;demo-gamma;demo-thinking;demo-judge");
  g_autoptr(GError) error = NULL;
  CsConfig *config = cs_config_new_from_data (ini, "test", &error);

  g_assert_no_error (error);
  return config;
}

static CsRun *
make_run (gboolean rank)
{
  g_autoptr(CsConfig) config = make_config ();
  g_autoptr(CsRunner) runner = NULL;
  g_autoptr(GError) error = NULL;
  CsRun *run = cs_run_new (CS_MODE_ARCHITECT, "Design a URL shortener <b>bold</b>");
  static const char * const models[] = { "demo/demo-alpha", "demo/demo-beta", "demo/demo-gamma",
                                         "demo/demo-thinking", NULL };
  CsTestWait e = { 0 };

  cs_run_set_judge (run, "demo/demo-judge");
  cs_run_set_rank (run, rank);
  runner = cs_runner_new (config, run);
  g_assert_true (cs_runner_plan (runner, models, &error));
  g_assert_no_error (error);
  cs_test_execute (runner, NULL, &e, 120);
  g_assert_true (e.ok);
  return run;
}

static CsRankingView *
find_ranking_view (GtkWidget *result_view)
{
  for (GtkWidget *c = gtk_widget_get_first_child (result_view); c != NULL; c = gtk_widget_get_next_sibling (c))
    if (CS_IS_RANKING_VIEW (c))
      return CS_RANKING_VIEW (c);
  return NULL;
}

/* The table: a row per candidate, best first, plain text; a badge on each
 * card with its place; nothing of it for a run without ranking. */
static void
test_ranking_view (void)
{
  g_autoptr(CsRun) run = make_run (TRUE);
  g_autoptr(CsRun) plain = make_run (FALSE);
  g_autoptr(GPtrArray) rows = cs_ranking_rows_from_json (cs_run_get_ranking (run));
  GtkWidget *window = gtk_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *cards = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *view = cs_result_view_new ();
  CsRankingView *ranking;
  GtkWidget *list;
  guint i = 0;

  gtk_box_append (GTK_BOX (box), cards);
  gtk_box_append (GTK_BOX (box), view);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), box);
  gtk_window_set_child (GTK_WINDOW (window), scroller);
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 900);
  gtk_window_present (GTK_WINDOW (window));

  cs_result_view_set_run (CS_RESULT_VIEW (view), run);
  g_assert_true (cs_test_wait_for (not_building, view, 40000));
  ranking = find_ranking_view (view);
  g_assert_nonnull (ranking);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (ranking)));
  g_assert_cmpuint (cs_ranking_view_get_n_rows (ranking), ==, 4);
  list = gtk_widget_get_template_child (GTK_WIDGET (ranking), CS_TYPE_RANKING_VIEW, "rows_list") != NULL
         ? GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (ranking), CS_TYPE_RANKING_VIEW, "rows_list")) : NULL;
  g_assert_nonnull (list);
  for (GtkWidget *row = gtk_widget_get_first_child (list); row != NULL; row = gtk_widget_get_next_sibling (row), i++)
    {
      const CsRankRow *want = g_ptr_array_index (rows, i);
      const char *title = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row));

      g_assert_false (adw_preferences_row_get_use_markup (ADW_PREFERENCES_ROW (row)));
      g_assert_true (g_str_has_prefix (title, want->candidate));
      g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "ballots"));
    }
  g_assert_cmpuint (i, ==, 4);

  /* a badge on each card */
  for (guint c = 0; c < g_list_model_get_n_items (G_LIST_MODEL (run)); c++)
    {
      g_autoptr(CsCandidate) candidate = g_list_model_get_item (G_LIST_MODEL (run), c);
      CsCandidateCard *card = cs_candidate_card_new (candidate);
      g_autofree char *want = NULL;

      for (guint r = 0; r < rows->len; r++)
        {
          const CsRankRow *row = g_ptr_array_index (rows, r);

          if (g_str_equal (row->candidate, cs_candidate_get_id (candidate)))
            want = g_strdup_printf ("Peer rank %u of 4", row->place);
        }
      gtk_box_append (GTK_BOX (cards), GTK_WIDGET (card));
      cs_ranking_badge_apply (card, run);
      g_assert_cmpstr (cs_ranking_badge_get_text (card), ==, want);
      /* a run without a ranking takes the badge away */
      if (c == 0)
        {
          cs_ranking_badge_apply (card, plain);
          g_assert_null (cs_ranking_badge_get_text (card));
          cs_ranking_badge_apply (card, run);
          g_assert_cmpstr (cs_ranking_badge_get_text (card), ==, want);
        }
    }
  cs_test_ui_save_shot (window, "ranking.png");

  /* without a ranking: no table */
  cs_result_view_set_run (CS_RESULT_VIEW (view), plain);
  g_assert_true (cs_test_wait_for (not_building, view, 40000));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (find_ranking_view (view))));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* The compose page's rows: into the run, into the settings, and back on a
 * new page. */
static void
test_compose_rows (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(CsConfig) config = make_config ();
  CsComposePage *page = g_object_new (CS_TYPE_COMPOSE_PAGE, NULL);
  CsComposePage *again = NULL;
  GtkWidget *window = gtk_window_new ();
  g_autoptr(CsRun) run = NULL;
  g_auto(GStrv) models = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *saved = NULL;
  const char *chosen[] = { "demo/demo-alpha", "demo/demo-beta", NULL };
  guint beta = 0;

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (page));
  cs_compose_page_set_settings (page, settings);
  cs_compose_page_set_config (page, config);
  gtk_window_present (GTK_WINDOW (window));
  cs_test_ui_wait_frames (window, 1, 5000);
  /* the rows come in the frame after the first */
  g_assert_true (cs_test_ui_wait_models (page, 5000));

  /* off by default; the fallback combo offers the judge's models */
  g_assert_false (gtk_switch_get_active (page->rank_switch));
  g_assert_cmpuint (adw_combo_row_get_selected (page->fallback_row), ==, 0);
  g_assert_true (adw_combo_row_get_model (page->fallback_row) == adw_combo_row_get_model (page->judge_row));
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (page->judge_ids)); i++)
    if (g_strcmp0 (gtk_string_list_get_string (page->judge_ids, i), "demo/demo-beta") == 0)
      beta = i;
  g_assert_cmpuint (beta, >, 0);

  gtk_text_buffer_set_text (cs_compose_page_get_buffer (page), "Design a queue", -1);
  cs_compose_page_select_models (page, chosen);
  cs_compose_page_select_judge (page, "demo/demo-judge");
  adw_combo_row_set_selected (page->fallback_row, beta);
  gtk_switch_set_active (page->rank_switch, TRUE);
  run = cs_compose_page_create_run (page, &models, &error);
  g_assert_no_error (error);
  g_assert_nonnull (run);
  g_assert_true (cs_run_get_rank (run));
  g_assert_cmpstr (cs_run_get_fallback_judge (run), ==, "demo/demo-beta");
  g_assert_true (g_settings_get_boolean (settings, "peer-ranking"));
  saved = g_settings_get_string (settings, "fallback-judge-model");
  g_assert_cmpstr (saved, ==, "demo/demo-beta");

  /* a new page remembers, once shown (its rows come after its first frame) */
  again = g_object_new (CS_TYPE_COMPOSE_PAGE, NULL);
  g_object_ref_sink (again);
  cs_compose_page_set_settings (again, settings);
  cs_compose_page_set_config (again, config);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (again));
  g_assert_true (cs_test_ui_wait_models (again, 5000));
  g_assert_true (gtk_switch_get_active (again->rank_switch));
  g_assert_cmpuint (adw_combo_row_get_selected (again->fallback_row), ==, beta);
  gtk_window_set_child (GTK_WINDOW (window), NULL);
  g_object_unref (again);

  g_settings_reset (settings, "peer-ranking");
  g_settings_reset (settings, "fallback-judge-model");
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int argc, char *argv[])
{
  g_autofree char *tmp = g_dir_make_tmp ("cs-test-ui-ranking-XXXXXX", NULL);
  int status;

  g_setenv ("XDG_DATA_HOME", tmp, TRUE);
  g_setenv ("XDG_STATE_HOME", tmp, TRUE);
  g_setenv ("LANGUAGE", "en", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  provider = cs_test_provider_start_new ();

  g_test_add_func ("/ui/ranking/view-and-badges", test_ranking_view);
  g_test_add_func ("/ui/ranking/compose-rows", test_compose_rows);
  status = g_test_run ();

  g_clear_object (&provider);
  g_rmdir (tmp);
  return status;
}
