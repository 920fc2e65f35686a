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
#include <stdlib.h>

#include <adwaita.h>
#include <glib/gstdio.h>

#include "cs-application.h"
#include "cs-candidate-card.h"
#include "cs-result-view.h"
#include "cs-run-page-rounds.h"
#include "cs-test-provider.h"
#include "cs-window-private.h"

static const char *architect_problem =
  "Design the backend for a food-delivery app: customers order from local "
  "restaurants and follow their order live on a map.\n\n"
  "- Order tracking from checkout to the door, with push notifications\n"
  "- Couriers send their location every 5 s while on a delivery\n"
  "- 50k orders/day, peaks at lunch and dinner (about 10× the average)\n"
  "- EU only: personal data must stay in the EU (GDPR)";

static const char *support_problem =
  "nginx returns 502 Bad Gateway after the upgrade to PHP 8.2 on Debian 12.\n\n"
  "Every PHP page fails; static files are served fine. The error log says:\n"
  "connect() to unix:/run/php/php8.1-fpm.sock failed (2: No such file or directory)";

static const char *models[] = {
  "demo/demo-alpha", "demo/demo-beta", "demo/demo-gamma", "demo/demo-delta", NULL
};

static char *out_dir;
static gint64 run_started;

static gboolean
wake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static gboolean
wait_for (gboolean (*cond) (gpointer),
          gpointer   data,
          guint      timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  guint wake = g_timeout_add (20, wake_cb, NULL);
  gboolean ok;

  while (!(ok = cond (data)) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);
  return ok;
}

static gboolean
never (gpointer data)
{
  return FALSE;
}

static void
spin (guint ms)
{
  wait_for (never, NULL, ms);
}

static gboolean
not_running (gpointer data)
{
  return !_cs_window_is_running (CS_WINDOW (data));
}

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
  if (g_get_monotonic_time () - run_started < 2500 * 1000)
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
save_shot (CsWindow   *win,
           const char *name)
{
  GtkWidget *widget = GTK_WIDGET (win->toast_overlay);
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = g_build_filename (out_dir, name, NULL);
  int w, h;

  spin (400);
  paintable = gtk_widget_paintable_new (widget);
  /* a window that was just resized draws on its next frame */
  for (guint i = 0; node == NULL && i < 20; i++)
    {
      w = gtk_widget_get_width (widget);
      h = gtk_widget_get_height (widget);
      snapshot = gtk_snapshot_new ();
      gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), w, h);
      node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
      if (node == NULL)
        spin (200);
    }
  if (node == NULL)
    {
      g_printerr ("screenshot-driver: nothing drawn for %s\n", name);
      exit (1);
    }
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (win)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, w, h));
  if (!gdk_texture_save_to_png (texture, path))
    {
      g_printerr ("screenshot-driver: could not write %s\n", path);
      exit (1);
    }
  printf ("%s (%dx%d)\n", path, w, h);
}

static void
write_config (const char *config_home,
              const char *base_url)
{
  g_autofree char *dir = g_build_filename (config_home, "consilium", NULL);
  g_autofree char *path = g_build_filename (dir, "providers.ini", NULL);
  g_autofree char *ini = NULL;
  g_autoptr(GError) error = NULL;

  ini = g_strdup_printf ("[provider demo]\n"
                         "name=Demo (synthetic answers)\n"
                         "base-url=%s\n"
                         "api=openai-chat\n"
                         "models=demo-alpha;demo-beta;demo-gamma;demo-delta;demo-judge\n"
                         "max-concurrent=8\n"
                         "requests-per-minute=0\n"
                         "max-retries=0\n",
                         base_url);
  g_mkdir_with_parents (dir, 0700);
  if (!g_file_set_contents (path, ini, -1, &error))
    {
      g_printerr ("screenshot-driver: %s\n", error->message);
      exit (1);
    }
}

static void
compose_architect (CsWindow *win)
{
  _cs_window_show_compose (win);
  _cs_window_set_mode (win, "architect");
  gtk_text_buffer_set_text (_cs_window_get_problem_buffer (win), architect_problem, -1);
  gtk_editable_set_text (GTK_EDITABLE (win->compose_page->budget_row), "$3000/month");
  gtk_editable_set_text (GTK_EDITABLE (win->compose_page->technologies_row), "Go, PostgreSQL");
  gtk_editable_set_text (GTK_EDITABLE (win->compose_page->scale_row), "50k orders/day; 2,000 couriers online at peak");
  gtk_editable_set_text (GTK_EDITABLE (win->compose_page->hosting_row), "Cloud, EU regions only");
  _cs_window_select_models (win, models);
  _cs_window_select_judge (win, "demo/demo-judge");
}

static void
run_and_wait (CsWindow *win)
{
  run_started = g_get_monotonic_time ();
  if (!gtk_widget_activate_action (GTK_WIDGET (win), "win.run", NULL) ||
      _cs_window_get_run (win) == NULL)
    {
      g_printerr ("screenshot-driver: the run did not start\n");
      exit (1);
    }
}

static void
scroll_to_top (CsWindow *win)
{
  cs_run_page_scroll_to_top (win->run_page);
}

static GtkWidget *
find_named (GtkWidget  *root,
            const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (root), name) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_named (child, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* A follow-up round through the bar under the result, and its end. */
static void
follow_up (CsWindow   *win,
           const char *action)
{
  if (!gtk_widget_activate_action (GTK_WIDGET (cs_run_page_get_follow_up_bar (win->run_page)), action, NULL) ||
      !wait_for (not_running, win, 120000))
    {
      g_printerr ("screenshot-driver: the follow-up round did not run\n");
      exit (1);
    }
  spin (800);
}

/* The first step's report toggle @name (or output) in the result shown. */
static GtkWidget *
first_step_part (CsWindow   *win,
                 const char *name)
{
  GtkWidget *expander = find_named (GTK_WIDGET (win->run_page->result_view), "step-output-expander");

  if (expander != NULL && g_str_equal (name, "step-output"))
    gtk_expander_set_expanded (GTK_EXPANDER (expander), TRUE);
  return find_named (GTK_WIDGET (win->run_page->result_view), name);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *child = g_build_filename (path, name, NULL);

        if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
          remove_tree (child);
        else
          g_unlink (child);
      }
  g_rmdir (path);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsTestProvider) provider = NULL;
  g_autoptr(CsApplication) app = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *data_home = NULL;
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
  out_dir = argv[1];
  if (argc > 2 && sscanf (argv[2], "%dx%d", &width, &height) != 2)
    {
      g_printerr ("screenshot-driver: %s is not WIDTHxHEIGHT\n", argv[2]);
      return 2;
    }
  g_mkdir_with_parents (out_dir, 0755);

  /* fresh directories: no history, no draft */
  tmp = g_dir_make_tmp ("cs-screenshots-XXXXXX", &error);
  g_assert_no_error (error);
  data_home = g_build_filename (tmp, "data", NULL);
  config_home = g_build_filename (tmp, "config", NULL);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_setenv ("XDG_CONFIG_HOME", config_home, TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_unsetenv ("CONSILIUM_DEMO_URL");

  setlocale (LC_ALL, "");
  gtk_init ();
  adw_init ();

  provider = cs_test_provider_new ();
  if (!cs_test_provider_start (provider, 0, &error))
    {
      g_printerr ("screenshot-driver: %s\n", error->message);
      return 1;
    }
  base = cs_test_provider_dup_base_url (provider);
  write_config (config_home, base);

  app = cs_application_new (G_APPLICATION_NON_UNIQUE);
  g_application_set_application_id (G_APPLICATION (app), APP_ID ".Screenshots");
  if (!g_application_register (G_APPLICATION (app), NULL, &error))
    {
      g_printerr ("screenshot-driver: %s\n", error->message);
      return 1;
    }
  win = cs_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (win), width, height);
  gtk_window_present (GTK_WINDOW (win));
  spin (500);
  /* the content, not the frame around it, gets the size asked for */
  {
    int dw = width - gtk_widget_get_width (GTK_WIDGET (win->toast_overlay));
    int dh = height - gtk_widget_get_height (GTK_WIDGET (win->toast_overlay));

    if (dw != 0 || dh != 0)
      {
        gtk_window_set_default_size (GTK_WINDOW (win), width + dw, height + dh);
        spin (500);
      }
  }

  /* 1. streaming: slow enough to catch the cards half-way */
  compose_architect (win);
  cs_test_provider_set_delay_ms (provider, 60);
  run_and_wait (win);
  if (!wait_for (cards_streaming, win, 60000))
    g_printerr ("screenshot-driver: the cards did not all stream\n");
  save_shot (win, "streaming.png");
  cs_test_provider_set_delay_ms (provider, 3);

  /* 2. the blueprint */
  if (!wait_for (not_running, win, 120000))
    {
      g_printerr ("screenshot-driver: the architect run did not end\n");
      return 1;
    }
  spin (500);
  scroll_to_top (win);
  save_shot (win, "blueprint.png");
  architect_run = g_object_ref (_cs_window_get_run (win));

  /* 3. a support run's checklist, its first step ticked */
  _cs_window_show_compose (win);
  _cs_window_set_mode (win, "support");
  gtk_text_buffer_set_text (_cs_window_get_problem_buffer (win), support_problem, -1);
  gtk_editable_set_text (GTK_EDITABLE (win->compose_page->os_row), "Debian 12");
  gtk_editable_set_text (GTK_EDITABLE (win->compose_page->stack_row), "nginx 1.22, PHP-FPM 8.2");
  gtk_editable_set_text (GTK_EDITABLE (win->compose_page->tried_row), "Restarted nginx; the site worked with PHP 8.1");
  _cs_window_select_models (win, models);
  _cs_window_select_judge (win, "demo/demo-judge");
  run_and_wait (win);
  if (!wait_for (not_running, win, 120000))
    {
      g_printerr ("screenshot-driver: the support run did not end\n");
      return 1;
    }
  spin (500);
  checks = cs_result_view_get_step_checks (win->run_page->result_view);
  if (checks != NULL && checks->len > 0)
    gtk_check_button_set_active (g_ptr_array_index (checks, 0), TRUE);
  scroll_to_top (win);
  save_shot (win, "checklist.png");
  support_run = g_object_ref (_cs_window_get_run (win));

  /* 4. composing the next question, the history beside it */
  compose_architect (win);
  gtk_widget_grab_focus (GTK_WIDGET (win->compose_page->problem_view));
  save_shot (win, "composing.png");

  /* 5. a follow-up the judge answered: round 2 of 2 */
  _cs_window_show_run (win, architect_run);
  spin (500);
  gtk_text_buffer_set_text (cs_follow_up_bar_get_buffer (cs_run_page_get_follow_up_bar (win->run_page)),
                            "What if we drop the stream processor and keep the live map on PostgreSQL "
                            "with LISTEN/NOTIFY? We are three developers.", -1);
  follow_up (win, "follow-up.ask");
  scroll_to_top (win);
  save_shot (win, "followup.png");

  /* 6. the troubleshooting loop: step 1 did not work, the next steps */
  _cs_window_show_run (win, support_run);
  spin (500);
  if ((part = first_step_part (win, "step-failed")) != NULL)
    gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (part), TRUE);
  if ((part = first_step_part (win, "step-output")) != NULL)
    gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (part)),
                              "× php8.2-fpm.service - The PHP 8.2 FastCGI Process Manager\n"
                              "     Active: failed (Result: exit-code) since Sun 2026-12-06 09:12:03 UTC", -1);
  follow_up (win, "follow-up.next-steps");
  /* what was pasted, as the round keeps it */
  if ((part = find_named (GTK_WIDGET (cs_run_page_get_round_switcher (win->run_page)), "round-step-output")) != NULL)
    gtk_expander_set_expanded (GTK_EXPANDER (part), TRUE);
  if ((part = first_step_part (win, "step-worked")) != NULL)
    gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (part), TRUE);
  scroll_to_top (win);
  save_shot (win, "troubleshooting.png");

  gtk_window_destroy (GTK_WINDOW (win));
  spin (200);
  cs_run_store_flush (cs_application_get_store (app));

  remove_tree (tmp);

  return 0;
}
