/* test-ui-requests.c: the Requests window (cs-requests-window.c) over a
 * request log the engine wrote for a real run against the in-process test
 * provider: a 429 then a success, a 500 twice, a provider that is gone, an
 * error message with markup and control characters. One row per attempt,
 * failed ones first, plain text.
 *
 * /ui/requests-menu opens it the way a person does: the main menu's
 * Requests entry, its action activated as the popover's item activates it,
 * in a window showing the run. /ui/log-prompts-preference: the switch that
 * puts prompts in the request log. /ui/retry-after-judge-round: the card's
 * retry (win.retry-candidate) after a round the judge alone answered.
 *
 * Runs under Xvfb (tools/test.sh, GDK_BACKEND=x11, GSK_RENDERER=cairo);
 * CS_TEST_UI_SHOTS=DIR saves a screenshot as DIR/requests.png.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "cs-application.h"
#include "cs-preferences-window.h"
#include "cs-request-log.h"
#include "cs-requests-window.h"
#include "cs-test-provider.h"
#include "cs-window-private.h"
#include "test-ui-util.h"

static gboolean
window_loaded (gpointer data)
{
  return !cs_requests_window_is_loading (data);
}

/* A real run: c1 429 then OK, c2 500 twice, c3 a provider that is gone,
 * c4 a 400 whose message holds escapes, c5 OK. */
static CsRun *
make_run (CsTestProvider *provider)
{
  g_autofree char *base = cs_test_provider_dup_base_url (provider);
  g_autofree char *ini = g_strdup_printf ("[provider demo]\n"
                                          "base-url=%s\n"
                                          "api=openai-chat\n"
                                          "models=demo-alpha+429once;demo-beta+500;demo-gamma+escapes;demo-alpha\n"
                                          "max-concurrent=8\nrequests-per-minute=0\nmax-retries=1\n\n"
                                          "[provider gone]\n"
                                          "base-url=http://127.0.0.1:1/v1\n"
                                          "api=openai-chat\nmodels=demo-alpha\nmax-retries=0\n", base);
  g_autoptr(GError) error = NULL;
  g_autoptr(CsConfig) config = cs_config_new_from_data (ini, "test", &error);
  g_autoptr(CsRunner) runner = NULL;
  CsRun *run = cs_run_new (CS_MODE_ARCHITECT, "Design a URL shortener <b>bold</b>");
  static const char * const models[] = { "demo/demo-alpha+429once", "demo/demo-beta+500", "gone/demo-alpha",
                                         "demo/demo-gamma+escapes", "demo/demo-alpha", NULL };
  CsTestWait e = { 0 };

  g_assert_no_error (error);
  runner = cs_runner_new (config, run);
  g_assert_true (cs_runner_plan (runner, models, &error));
  g_assert_no_error (error);
  cs_test_execute (runner, NULL, &e, 120);
  g_assert_true (e.ok);
  cs_request_log_flush (5000);
  return run;
}

static void
test_requests_window (void)
{
  g_autoptr(CsTestProvider) provider = cs_test_provider_start_new ();
  g_autoptr(CsRun) run = NULL;
  CsRequestsWindow *window;
  GtkListBox *list;
  GtkWidget *child;
  guint n_rows = 0, n_failed_first = 0;
  gboolean seen_ok = FALSE;

  run = make_run (provider);

  window = cs_requests_window_new (run);
  gtk_window_set_default_size (GTK_WINDOW (window), 760, 720);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (cs_test_wait_for (window_loaded, window, 20000));
  cs_test_ui_wait_frames (GTK_WIDGET (window), 2, 5000);

  list = GTK_LIST_BOX (gtk_widget_get_template_child (GTK_WIDGET (window), CS_TYPE_REQUESTS_WINDOW, "list_box"));
  for (child = gtk_widget_get_first_child (GTK_WIDGET (list)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      AdwActionRow *row = ADW_ACTION_ROW (child);
      const char *title = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row));
      const char *subtitle = adw_action_row_get_subtitle (row);
      gboolean failed = strstr (subtitle, "Succeeded") == NULL;

      n_rows++;
      g_assert_false (adw_preferences_row_get_use_markup (ADW_PREFERENCES_ROW (row)));
      g_assert_true (g_utf8_validate (subtitle, -1, NULL));
      for (const char *p = subtitle; *p != '\0'; p++)
        g_assert_true (*p == '\n' || (guchar) *p >= 0x20);
      if (failed)
        {
          g_assert_false (seen_ok);  /* failed ones first */
          n_failed_first++;
        }
      else
        seen_ok = TRUE;
      /* the model as people know it, never "provider-id/model" */
      g_assert_null (strstr (title, "demo/"));
      g_assert_null (strstr (title, "gone/"));
      g_assert_nonnull (strstr (title, " from "));
      if (strstr (title, "c1 ") == title && strstr (title, "attempt 1") != NULL)
        g_assert_nonnull (strstr (subtitle, "HTTP 429 · Rate limited · retried after"));
      if (strstr (title, "c3 ") == title)
        g_assert_nonnull (strstr (subtitle, "No HTTP status · Could not connect"));
    }
  /* c1 twice, c2 twice, c3, c4 (a 400 is not retried), c5; no judge */
  g_assert_cmpuint (n_rows, ==, 7);
  g_assert_cmpuint (n_failed_first, ==, 5);

  cs_test_ui_save_shot (GTK_WIDGET (window), "requests.png");
  gtk_window_destroy (GTK_WINDOW (window));
}

/* The main menu: the model of the header's menu button that offers
 * win.show-requests. */
static GMenuModel *
find_main_menu (GtkWidget *root)
{
  if (GTK_IS_MENU_BUTTON (root) && gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (root)) != NULL)
    return gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (root));
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GMenuModel *found = find_main_menu (child);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The item of @menu (or of its sections) whose action is @action: its
 * label and target, TRUE when there is one. */
static gboolean
find_menu_item (GMenuModel  *menu,
                const char  *action,
                char       **label,
                GVariant   **target)
{
  for (int i = 0; i < g_menu_model_get_n_items (menu); i++)
    {
      g_autofree char *name = NULL;
      g_autoptr(GMenuModel) section = g_menu_model_get_item_link (menu, i, G_MENU_LINK_SECTION);

      if (section != NULL && find_menu_item (section, action, label, target))
        return TRUE;
      if (g_menu_model_get_item_attribute (menu, i, G_MENU_ATTRIBUTE_ACTION, "s", &name) &&
          g_strcmp0 (name, action) == 0)
        {
          g_menu_model_get_item_attribute (menu, i, G_MENU_ATTRIBUTE_LABEL, "s", label);
          *target = g_menu_model_get_item_attribute_value (menu, i, G_MENU_ATTRIBUTE_TARGET, NULL);
          return TRUE;
        }
    }
  return FALSE;
}

/* The Requests windows open now. */
static GList *
requests_windows (void)
{
  g_autoptr(GList) all = gtk_window_list_toplevels ();
  GList *found = NULL;

  for (GList *l = all; l != NULL; l = l->next)
    if (CS_IS_REQUESTS_WINDOW (l->data))
      found = g_list_prepend (found, l->data);
  return found;
}

static gboolean
one_requests_window (gpointer data)
{
  g_autoptr(GList) open = requests_windows ();

  return g_list_length (open) == 1 && !cs_requests_window_is_loading (open->data);
}

static void
test_requests_menu (void)
{
  g_autoptr(CsTestProvider) provider = cs_test_provider_start_new ();
  g_autoptr(CsApplication) app = NULL;
  g_autoptr(CsRun) run = NULL;
  g_autoptr(GList) before = NULL;
  g_autoptr(GList) after = NULL;
  g_autoptr(GVariant) target = NULL;
  g_autofree char *label = NULL;
  CsRequestsWindow *requests;
  GMenuModel *menu;
  CsWindow *win;
  GtkListBox *list;
  guint n_rows = 0;

  run = make_run (provider);

  app = cs_test_ui_start_app ("TestRequestsMenu");
  win = cs_window_new (app);
  gtk_window_present (GTK_WINDOW (win));
  _cs_window_show_run (win, run);
  g_assert_true (_cs_window_get_run (win) == run);

  /* the entry is in the main menu, under its name */
  menu = find_main_menu (GTK_WIDGET (win));
  g_assert_nonnull (menu);
  g_assert_true (find_menu_item (menu, "win.show-requests", &label, &target));
  g_assert_cmpstr (label, ==, "_Requests");

  /* activated as the menu's item does: the action by name, with its target */
  before = requests_windows ();
  g_assert_null (before);
  g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (win), "win.show-requests", target));
  g_assert_true (cs_test_wait_for (one_requests_window, NULL, 20000));
  after = requests_windows ();
  requests = after->data;
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (requests)) == GTK_WINDOW (win));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (requests)));
  g_assert_true (cs_requests_window_get_run (requests) == run);

  /* the run's attempts, as /ui/requests-window counts them */
  list = GTK_LIST_BOX (gtk_widget_get_template_child (GTK_WIDGET (requests), CS_TYPE_REQUESTS_WINDOW, "list_box"));
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (list)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n_rows++;
  g_assert_cmpuint (n_rows, ==, 7);

  gtk_window_destroy (GTK_WINDOW (requests));
  gtk_window_destroy (GTK_WINDOW (win));
}

static gboolean
window_idle (gpointer data)
{
  return !_cs_window_is_running (CS_WINDOW (data));
}

static gboolean
c2_answered (gpointer data)
{
  CsRun *run = data;
  CsCandidate *c2 = cs_run_find_candidate (run, "c2");

  return c2 != NULL && cs_candidate_get_status (c2) == CS_CANDIDATE_OK && cs_run_get_state (run) == CS_RUN_DONE;
}

static gboolean
ended_rounds (gpointer data)
{
  CsRun *run = data;

  return cs_run_get_n_rounds (run) == 2 && cs_round_get_state (cs_run_get_round (run, 2)) == CS_RUN_DONE &&
         cs_run_get_state (run) == CS_RUN_DONE;
}

/* The card's retry after a round the judge alone answered: the window's
 * win.retry-candidate (what the card's button activates) asks c2 again,
 * found in the round it belongs to, and round 2's result is made again. */
static void
test_retry_after_judge_round (void)
{
  g_autoptr(CsTestProvider) provider = cs_test_provider_new ();
  g_autoptr(CsApplication) app = cs_application_new (G_APPLICATION_NON_UNIQUE);
  g_autoptr(GError) error = NULL;
  g_autofree char *base = NULL;
  g_autofree char *dir = g_build_filename (g_get_user_config_dir (), "consilium", NULL);
  g_autofree char *path = g_build_filename (dir, "providers.ini", NULL);
  g_autofree char *ini = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  static const char * const models[] = { "demo/demo-alpha", "demo/demo-beta+429once", NULL };
  CsWindow *win;
  CsRun *run;

  g_assert_true (cs_test_provider_start (provider, 0, &error));
  g_assert_no_error (error);
  base = cs_test_provider_dup_base_url (provider);
  ini = g_strdup_printf ("[provider demo]\nbase-url=%s\napi=openai-chat\n"
                         "models=demo-alpha;demo-beta+429once;demo-judge\n"
                         "max-concurrent=8\nrequests-per-minute=0\nmax-retries=0\n", base);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, ini, -1, &error);
  g_assert_no_error (error);

  g_application_set_application_id (G_APPLICATION (app), APP_ID ".TestRetryRound");
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  win = cs_window_new (app);
  gtk_window_present (GTK_WINDOW (win));
  _cs_window_set_mode (win, "support");
  gtk_text_buffer_set_text (_cs_window_get_problem_buffer (win), "nginx returns 502 after an upgrade", -1);
  _cs_window_select_models (win, models);
  _cs_window_select_judge (win, "demo/demo-judge");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.run", NULL));
  g_assert_true (cs_test_wait_for (window_idle, win, 90000));
  run = _cs_window_get_run (win);
  g_assert_cmpint (cs_run_get_state (run), ==, CS_RUN_DONE);
  g_assert_cmpint (cs_candidate_get_status (cs_run_find_candidate (run, "c2")), ==, CS_CANDIDATE_FAILED);

  /* a round the judge alone answers */
  g_assert_true (cs_run_manager_follow_up (cs_application_get_run_manager (app), cs_application_get_config (app),
                                           run, CS_ROUND_SCOPE_JUDGE, "Is it the upstream's keep-alive?",
                                           NULL, &error));
  g_assert_no_error (error);
  g_assert_true (cs_test_wait_for (ended_rounds, run, 90000));
  before = json_to_string (cs_run_get_synthesis (run), FALSE);

  /* the card's Retry */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.retry-candidate", "s", "c2"));
  g_assert_true (cs_test_wait_for (c2_answered, run, 90000));
  g_assert_cmpuint (cs_run_get_n_rounds (run), ==, 2);
  g_assert_cmpint (cs_round_get_state (cs_run_get_round (run, 2)), ==, CS_RUN_DONE);
  after = json_to_string (cs_run_get_synthesis (run), FALSE);
  g_assert_cmpstr (after, !=, before);
  gtk_window_destroy (GTK_WINDOW (win));
  g_unlink (path);
}

/* The preference that puts prompts in the request log: off by default; the
 * switch in Preferences sets the key, the key the log. */
static void
test_log_prompts_preference (void)
{
  g_autoptr(CsApplication) app = cs_application_new (G_APPLICATION_NON_UNIQUE);
  g_autoptr(GError) error = NULL;
  CsPreferencesWindow *prefs;
  GSettings *settings;
  GtkSwitch *toggle;

  g_application_set_application_id (G_APPLICATION (app), APP_ID ".TestLogPrompts");
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  settings = cs_application_get_settings (app);
  g_assert_false (g_settings_get_boolean (settings, "log-prompts"));
  g_assert_false (cs_request_log_get_log_prompts ());

  prefs = cs_preferences_window_new (app);
  toggle = GTK_SWITCH (gtk_widget_get_template_child (GTK_WIDGET (prefs), CS_TYPE_PREFERENCES_WINDOW,
                                                      "log_prompts_switch"));
  g_assert_false (gtk_switch_get_active (toggle));
  gtk_switch_set_active (toggle, TRUE);
  g_assert_true (g_settings_get_boolean (settings, "log-prompts"));
  g_assert_true (cs_request_log_get_log_prompts ());
  gtk_switch_set_active (toggle, FALSE);
  g_assert_false (cs_request_log_get_log_prompts ());
  gtk_window_destroy (GTK_WINDOW (prefs));
}

int
main (int argc, char *argv[])
{
  g_autofree char *tmp = g_dir_make_tmp ("cs-test-ui-requests-XXXXXX", NULL);
  int status;

  /* before GLib reads them: the log and the runs go to a fresh place */
  g_setenv ("XDG_STATE_HOME", tmp, TRUE);
  g_setenv ("XDG_DATA_HOME", tmp, TRUE);
  g_setenv ("XDG_CONFIG_HOME", tmp, TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("LANGUAGE", "en", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/ui/requests-window", test_requests_window);
  g_test_add_func ("/ui/requests-menu", test_requests_menu);
  g_test_add_func ("/ui/log-prompts-preference", test_log_prompts_preference);
  g_test_add_func ("/ui/retry-after-judge-round", test_retry_after_judge_round);
  status = g_test_run ();

  {
    g_autofree char *log = g_build_filename (tmp, "consilium", "requests.log", NULL);
    g_autofree char *dir = g_build_filename (tmp, "consilium", NULL);
    g_unlink (log);
    g_rmdir (dir);
    g_rmdir (tmp);
  }
  return status;
}
