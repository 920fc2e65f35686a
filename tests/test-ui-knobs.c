/* test-ui-knobs.c: a model's settings in the app
 *
 * - /ui/knobs/remembered: the compose page's popover remembered across
 *   restarts: set in the popover, kept in the settings (a keyfile backend
 *   standing in for dconf), restored by a new page over a new backend
 *   reading the same file, and forgotten by Use the Defaults;
 * - /ui/knobs/follow-up: a run made with a popover's settings, then a
 *   follow-up from the bar under its result (every model again): the
 *   round's requests carry the run's settings, and its cards show them.
 *
 * Runs under Xvfb (GDK_BACKEND=x11, GSK_RENDERER=cairo); CS_TEST_UI_SHOTS=DIR
 * saves DIR/knobs-popover.png and DIR/knobs-follow-up.png.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_SETTINGS_ENABLE_BACKEND 1
#include <gio/gsettingsbackend.h>

#include <adwaita.h>
#include <math.h>
#include <glib/gstdio.h>

#include "cs-candidate-card-private.h"
#include "cs-candidate-view.h"
#include "cs-compose-page-private.h"
#include "cs-follow-up-bar.h"
#include "cs-run-page-rounds.h"
#include "cs-result-view.h"
#include "cs-test-provider.h"
#include "cs-window-private.h"
#include "test-ui-util.h"

static CsTestProvider *provider;
static char *tmp_dir;

static gboolean
wait_for (gboolean (*cond) (gpointer), gpointer data, guint timeout_ms)
{
  return cs_test_wait_for (cond, data, timeout_ms);
}

static CsConfig *
make_config (void)
{
  g_autofree char *base = cs_test_provider_dup_base_url (provider);
  g_autofree char *ini = g_strdup_printf ("[provider demo]\n"
                                          "base-url=%s\n"
                                          "api=openai-chat\n"
                                          "models=demo-alpha;demo-beta;qwen3:8b\n"
                                          "max-concurrent=8\nrequests-per-minute=0\nmax-retries=0\n\n"
                                          "[model demo/demo-alpha]\n"
                                          "temperature=0.9\n", base);
  g_autoptr(GError) error = NULL;
  CsConfig *config = cs_config_new_from_data (ini, "test", &error);

  g_assert_no_error (error);
  return config;
}

static CsModelRow *
find_row (CsComposePage *page,
          const char    *id)
{
  for (guint i = 0; i < page->model_rows->len; i++)
    {
      CsModelRow *row = g_ptr_array_index (page->model_rows, i);

      if (g_str_equal (row->id, id))
        return row;
    }
  g_assert_not_reached ();
}

static gpointer
child (CsModelRow *row,
       const char *name)
{
  GObject *object;

  /* built when first opened, as a person would */
  if (gtk_menu_button_get_popover (row->knobs_button) == NULL)
    {
      gtk_menu_button_popup (row->knobs_button);
      gtk_menu_button_popdown (row->knobs_button);
    }
  g_assert_true (cs_knobs_popover_get_model (CS_KNOBS_POPOVER (gtk_menu_button_get_popover (row->knobs_button))) == row->knobs);
  object = gtk_widget_get_template_child (GTK_WIDGET (gtk_menu_button_get_popover (row->knobs_button)), CS_TYPE_KNOBS_POPOVER, name);

  g_assert_nonnull (object);
  return object;
}

/* A page as the window makes one: settings first, then the providers. */
static CsComposePage *
new_page (GtkWindow *window,
          GSettings *settings,
          CsConfig  *config)
{
  CsComposePage *page = g_object_new (CS_TYPE_COMPOSE_PAGE, NULL);

  gtk_window_set_child (window, GTK_WIDGET (page));
  cs_compose_page_set_settings (page, settings);
  cs_compose_page_set_config (page, config);
  return page;
}

static char *settings_path;

static gboolean
file_holds (gpointer needle)
{
  g_autofree char *text = NULL;

  return g_file_get_contents (settings_path, &text, NULL, NULL) && strstr (text, needle) != NULL;
}

static gboolean
file_lacks (gpointer needle)
{
  g_autofree char *text = NULL;

  return g_file_get_contents (settings_path, &text, NULL, NULL) && strstr (text, needle) == NULL;
}

static gboolean
knobs_empty (gpointer popover)
{
  return cs_knobs_is_empty (cs_model_knobs_get_knobs (popover));
}

static void
test_remembered (void)
{
  g_autoptr(CsConfig) config = make_config ();
  g_autoptr(GSettingsBackend) backend = g_keyfile_settings_backend_new (settings_path, "/io/github/consilium/Consilium/", "consilium");
  g_autoptr(GSettings) settings = g_settings_new_with_backend (APP_ID, backend);
  GtkWidget *window = gtk_window_new ();
  CsComposePage *page;
  CsModelRow *row;
  g_autoptr(CsRun) run = NULL;
  g_auto(GStrv) models = NULL;
  g_autoptr(GError) error = NULL;
  const char *chosen[] = { "demo/demo-alpha", "demo/qwen3:8b", NULL };
  const CsKnobs *knobs;

  gtk_window_set_default_size (GTK_WINDOW (window), 900, 800);
  page = new_page (GTK_WINDOW (window), settings, config);
  gtk_window_present (GTK_WINDOW (window));
  cs_test_ui_settle (5000);

  /* no popover built before one is opened (they were a tenth of the launch) */
  for (guint i = 0; i < page->model_rows->len; i++)
    g_assert_null (gtk_menu_button_get_popover (((CsModelRow *) g_ptr_array_index (page->model_rows, i))->knobs_button));

  /* nothing remembered: every value Default */
  row = find_row (page, "demo/demo-alpha");
  g_assert_true (cs_knobs_is_empty (cs_model_knobs_get_knobs (row->knobs)));

  /* set as a person would, in the popover's widgets */
  gtk_menu_button_popup (row->knobs_button);
  gtk_spin_button_set_value (child (row, "temperature_spin"), 0.3);
  gtk_drop_down_set_selected (child (row, "verbosity_drop"), 1); /* low */
  gtk_spin_button_set_value (child (row, "max_tokens_spin"), 700);
  cs_test_ui_settle (5000);
  cs_test_ui_save_shot (GTK_WIDGET (gtk_menu_button_get_popover (row->knobs_button)), "knobs-popover.png");
  gtk_menu_button_popdown (row->knobs_button);
  gtk_spin_button_set_value (child (find_row (page, "demo/qwen3:8b"), "n_spin"), 2);
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (row->knobs_button), "accent"));

  /* written to the backend's file (a new process would read it) */
  g_settings_sync ();
  g_assert_true (wait_for (file_holds, "demo/demo-alpha", 5000));
  g_assert_true (wait_for (file_holds, "temperature=0.3, verbosity=low, max-output-tokens=700", 5000));
  g_assert_true (wait_for (file_holds, "demo/qwen3:8b", 5000));

  /* a restart: the page, the settings and their backend all new */
  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&settings);
  g_clear_object (&backend);
  cs_test_ui_settle (5000);
  backend = g_keyfile_settings_backend_new (settings_path, "/io/github/consilium/Consilium/", "consilium");
  settings = g_settings_new_with_backend (APP_ID, backend);
  window = gtk_window_new ();
  page = new_page (GTK_WINDOW (window), settings, config);
  gtk_window_present (GTK_WINDOW (window));
  cs_test_ui_settle (5000);

  row = find_row (page, "demo/demo-alpha");
  knobs = cs_model_knobs_get_knobs (row->knobs);
  g_assert_cmpfloat_with_epsilon (knobs->temperature, 0.3, 1e-9);
  g_assert_cmpstr (knobs->verbosity, ==, "low");
  g_assert_cmpuint (knobs->max_output_tokens, ==, 700);
  g_assert_null (knobs->reasoning_effort);
  g_assert_cmpfloat_with_epsilon (gtk_spin_button_get_value (child (row, "temperature_spin")), 0.3, 1e-9);
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (row->knobs_button), "accent"));
  g_assert_true (gtk_widget_get_sensitive (child (row, "reset_button")));
  g_assert_cmpuint (cs_model_knobs_get_knobs (find_row (page, "demo/qwen3:8b")->knobs)->n, ==, 2);
  g_assert_true (cs_knobs_is_empty (cs_model_knobs_get_knobs (find_row (page, "demo/demo-beta")->knobs)));

  /* the run made on the page goes with them */
  gtk_text_buffer_set_text (cs_compose_page_get_buffer (page), "Design a queue", -1);
  cs_compose_page_select_models (page, chosen);
  run = cs_compose_page_create_run (page, &models, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (cs_run_get_knobs (run, "demo/demo-alpha")->temperature, 0.3, 1e-9);
  g_assert_cmpuint (cs_run_get_knobs (run, "demo/qwen3:8b")->n, ==, 2);

  /* Use the Defaults forgets the model's, and only its */
  gtk_menu_button_popup (row->knobs_button);
  g_assert_true (gtk_widget_activate (child (row, "reset_button")));
  g_assert_true (wait_for (knobs_empty, row->knobs, 5000));
  gtk_menu_button_popdown (row->knobs_button);
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (row->knobs_button), "accent"));
  g_settings_sync ();
  g_assert_true (wait_for (file_lacks, "temperature=0.3", 5000));
  g_assert_true (file_holds ("'demo/qwen3:8b': 'n=2'"));

  gtk_window_destroy (GTK_WINDOW (window));
  cs_test_ui_settle (5000);
}

/* The app: a run with a popover's settings, a follow-up from the bar */

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

/* The bodies of the requests to @model since the provider's reset. */
static GPtrArray *
bodies_for (const char *model)
{
  g_autoptr(GPtrArray) requests = cs_test_provider_get_requests (provider);
  GPtrArray *bodies = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);

  for (guint i = 0; i < requests->len; i++)
    {
      JsonObject *r = json_node_get_object (g_ptr_array_index (requests, i));
      JsonNode *body = json_object_get_member (r, "body");

      if (g_strcmp0 (json_object_get_string_member_with_default (r, "model", ""), model) == 0 &&
          body != NULL && JSON_NODE_HOLDS_OBJECT (body))
        g_ptr_array_add (bodies, json_object_ref (json_node_get_object (body)));
    }
  return bodies;
}

static void
assert_alpha_asked (void)
{
  g_autoptr(GPtrArray) alpha = bodies_for ("demo-alpha");
  JsonObject *body;

  g_assert_cmpuint (alpha->len, ==, 1);
  body = g_ptr_array_index (alpha, 0);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (body, "temperature"), 0.3, 1e-9);
  g_assert_cmpint (json_object_get_int_member (body, "max_completion_tokens"), ==, 600);
}

/* The card of @candidate under @widget, or NULL. */
static CsCandidateCard *
find_card (GtkWidget   *widget,
           CsCandidate *candidate)
{
  if (CS_IS_CANDIDATE_CARD (widget) && cs_candidate_card_get_candidate (CS_CANDIDATE_CARD (widget)) == candidate)
    return CS_CANDIDATE_CARD (widget);
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      CsCandidateCard *card = find_card (c, candidate);

      if (card != NULL)
        return card;
    }
  return NULL;
}

static void
test_follow_up (void)
{
  static const char * const models[] = { "demo/demo-alpha", "demo/demo-beta", NULL };
  g_autoptr(CsApplication) app = cs_test_ui_start_app ("TestKnobs");
  CsWindow *win = cs_window_new (app);
  CsFollowUpBar *bar;
  CsModelRow *row;
  CsRun *run;

  gtk_window_set_default_size (GTK_WINDOW (win), 1400, 900);
  gtk_window_present (GTK_WINDOW (win));
  cs_test_ui_settle (5000);
  _cs_window_set_mode (win, "architect");
  gtk_text_buffer_set_text (_cs_window_get_problem_buffer (win), "A cache in front of a slow inventory service", -1);
  _cs_window_select_models (win, models);
  _cs_window_select_judge (win, "demo/demo-judge");
  row = find_row (win->compose_page, "demo/demo-alpha");
  gtk_spin_button_set_value (child (row, "temperature_spin"), 0.3);
  gtk_spin_button_set_value (child (row, "max_tokens_spin"), 600);

  cs_test_provider_reset (provider);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.run", NULL));
  g_assert_true (wait_for (not_running, win, 90000));
  g_assert_true (wait_for (result_built, _cs_window_get_run_page (win)->result_view, 30000));
  run = _cs_window_get_run (win);
  g_assert_cmpint (cs_run_get_state (run), ==, CS_RUN_DONE);
  assert_alpha_asked ();

  /* every model again, from the bar under the result */
  bar = cs_run_page_get_follow_up_bar (_cs_window_get_run_page (win));
  cs_follow_up_bar_set_scope (bar, CS_ROUND_SCOPE_ALL);
  gtk_text_buffer_set_text (cs_follow_up_bar_get_buffer (bar), "And with two regions?", -1);
  cs_test_provider_reset (provider);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (bar), "follow-up.ask", NULL));
  g_assert_cmpstr (cs_follow_up_bar_get_error (bar), ==, NULL);
  g_assert_true (wait_for (not_running, win, 90000));
  g_assert_true (wait_for (result_built, _cs_window_get_run_page (win)->result_view, 30000));
  g_assert_cmpuint (cs_run_get_n_rounds (run), ==, 2);
  g_assert_cmpint (cs_round_get_state (cs_run_get_round (run, 2)), ==, CS_RUN_DONE);
  assert_alpha_asked ();
  {
    g_autoptr(CsCandidate) c1 = g_list_model_get_item (G_LIST_MODEL (run), 0);
    g_autofree char *footer = cs_candidate_format_footer (c1, -1);
    CsCandidateCard *card;

    g_assert_true (c1 != g_ptr_array_index (cs_round_get_candidates (cs_run_get_round (run, 1)), 0));
    g_assert_nonnull (strstr (footer, "temperature=0.3, max-output-tokens=600"));
    /* the round's card on the run page says so */
    cs_test_ui_settle (5000);
    card = find_card (GTK_WIDGET (win), c1);
    g_assert_nonnull (card);
    g_assert_nonnull (strstr (gtk_label_get_text (card->footer_label), "temperature=0.3, max-output-tokens=600"));
    cs_test_ui_save_shot (GTK_WIDGET (card), "knobs-follow-up-card.png");
  }
  cs_test_ui_save_shot (GTK_WIDGET (win), "knobs-follow-up.png");

  /* the popover's settings stay for the next run (in the app's settings) */
  cs_model_knobs_set_knobs (row->knobs, NULL);
  gtk_window_destroy (GTK_WINDOW (win));
  cs_test_ui_settle (5000);
}

int
main (int argc, char *argv[])
{
  g_autofree char *conf = NULL;
  int status;

  tmp_dir = cs_test_make_data_home ("ui-knobs");
  conf = g_build_filename (tmp_dir, "config", NULL);
  g_setenv ("XDG_CONFIG_HOME", conf, TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("LANGUAGE", "en", TRUE);
  g_unsetenv ("CONSILIUM_DEMO_URL");
  settings_path = g_build_filename (tmp_dir, "settings.ini", NULL);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  provider = cs_test_provider_start_new ();
  {
    g_autofree char *base = cs_test_provider_dup_base_url (provider);
    g_autofree char *ini = g_strdup_printf ("[provider demo]\n"
                                            "base-url=%s\n"
                                            "api=openai-chat\n"
                                            "models=demo-alpha;demo-beta;demo-judge\n"
                                            "max-concurrent=8\nrequests-per-minute=0\nmax-retries=0\n\n"
                                            "[model demo/demo-alpha]\n"
                                            "temperature=0.9\n"
                                            "max-output-tokens=3000\n", base);

    cs_test_ui_write_providers (conf, ini);
  }

  g_test_add_func ("/ui/knobs/remembered", test_remembered);
  g_test_add_func ("/ui/knobs/follow-up", test_follow_up);
  status = g_test_run ();

  g_clear_object (&provider);
  cs_test_rm_rf (tmp_dir);
  g_free (settings_path);
  g_free (tmp_dir);
  return status;
}
