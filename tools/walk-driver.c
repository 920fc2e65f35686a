/* walk-driver.c: a picture of every screen, for a person to look at
 *
 * Usage: walk-driver OUTDIR [walk|welcome|error]
 *
 * Drives the real CsWindow against the test provider in this process, the
 * way a newcomer walks the app, and saves a PNG of each screen:
 *   welcome   the first start (no providers.ini, a demo provider offered)
 *   walk      an architect run with peer ranking (the compose page scrolled,
 *             the cards streaming, the result scrolled top to bottom, the
 *             Requests window, export.md, the first candidate's window and
 *             its card's Raw view), a support run (its checklist
 *             scrolled), the Preferences window (a provider expanded, each
 *             page)
 *             the support run's first step reported as not working, its
 *             output pasted; both results in a narrow window
 *   error     a run with one model at a port nothing listens on: the
 *             failed card and the Requests window
 * Run it with tools/walk.sh (Xvfb, a session bus, the language asked for).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "walk-driver"

#include "config.h"

#include <locale.h>
#include <glib/gi18n.h>
#include <stdio.h>
#include <stdlib.h>

#include <adwaita.h>
#include <glib/gstdio.h>

#include "cs-application.h"
#include "cs-candidate-card.h"
#include "cs-result-view.h"
#include "cs-test-provider.h"
#include "cs-window-private.h"
#include "cs-preferences-window.h"
#include "cs-requests-window.h"
#include "cs-candidate-card-private.h"
#include "cs-candidate-window.h"

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

static void
save_widget (GtkWidget *widget, GtkNative *native, const char *name);
static void
save_shot (CsWindow   *win,
           const char *name)
{
  save_widget (GTK_WIDGET (win->toast_overlay), GTK_NATIVE (win), name);
}
static void
save_widget (GtkWidget *widget, GtkNative *native, const char *name)
{
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
      g_printerr ("walk-driver: nothing drawn for %s\n", name);
      exit (1);
    }
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (native), node,
                                         &GRAPHENE_RECT_INIT (0, 0, w, h));
  if (!gdk_texture_save_to_png (texture, path))
    {
      g_printerr ("walk-driver: could not write %s\n", path);
      exit (1);
    }
  printf ("%s (%dx%d)\n", path, w, h);
}


static void
write_config (const char *config_home,
              const char *base_url,
              gboolean    broken)
{
  g_autofree char *dir = g_build_filename (config_home, "consilium", NULL);
  g_autofree char *path = g_build_filename (dir, "providers.ini", NULL);
  g_autofree char *ini = NULL;

  ini = g_strdup_printf ("[provider demo]\n"
                         "name=Demo (synthetic answers)\n"
                         "base-url=%s\n"
                         "api=openai-chat\n"
                         "models=demo-alpha;demo-beta;demo-gamma;demo-delta;demo-judge\n"
                         "max-concurrent=8\n"
                         "requests-per-minute=0\n"
                         "max-retries=0\n"
                         "%s",
                         base_url,
                         broken ? "[provider custom]\nname=My server\nbase-url=http://127.0.0.1:9/v1\napi=openai-chat\nmodels=llama3\nmax-retries=1\n" : "");
  g_mkdir_with_parents (dir, 0700);
  g_file_set_contents (path, ini, -1, NULL);
}

static void
scroll_page (CsWindow *win, double frac)
{
  GtkWidget *scroller = adw_bin_get_child (ADW_BIN (win->run_page));
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
  double max = gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj);
  gtk_adjustment_set_value (adj, max * frac);
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
    g_printerr ("walk-driver: the run did not start\n");
}

static void
shot_scrolled (CsWindow *win, const char *prefix)
{
  for (int i = 0; i <= 4; i++)
    {
      g_autofree char *n = g_strdup_printf ("%s-%d.png", prefix, i);
      scroll_page (win, i / 4.0);
      save_shot (win, n);
    }
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

/* Every descendant of @widget of @type, depth first. */
static void
collect (GtkWidget *widget,
         GType      type,
         GPtrArray *out)
{
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      if (g_type_is_a (G_OBJECT_TYPE (c), type))
        g_ptr_array_add (out, c);
      collect (c, type, out);
    }
}

static void
shot_preferences (CsApplication *app,
                  CsWindow      *win)
{
  GtkWindow *pw = GTK_WINDOW (cs_preferences_window_new (app));
  g_autoptr(GPtrArray) pages = g_ptr_array_new ();
  g_autoptr(GPtrArray) expanders = g_ptr_array_new ();

  gtk_window_set_transient_for (pw, GTK_WINDOW (win));
  gtk_window_present (pw);
  spin (1500);
  save_widget (GTK_WIDGET (pw), GTK_NATIVE (pw), "preferences.png");
  collect (GTK_WIDGET (pw), ADW_TYPE_EXPANDER_ROW, expanders);
  if (expanders->len > 0)
    {
      adw_expander_row_set_expanded (g_ptr_array_index (expanders, 0), TRUE);
      save_widget (GTK_WIDGET (pw), GTK_NATIVE (pw), "preferences-provider.png");
    }
  collect (GTK_WIDGET (pw), ADW_TYPE_PREFERENCES_PAGE, pages);
  for (guint i = 1; i < pages->len; i++)
    {
      g_autofree char *n = g_strdup_printf ("preferences-page-%u.png", i);

      adw_preferences_window_set_visible_page (ADW_PREFERENCES_WINDOW (pw), g_ptr_array_index (pages, i));
      save_widget (GTK_WIDGET (pw), GTK_NATIVE (pw), n);
    }
  gtk_window_destroy (pw);
}

/* The first candidate in its own window, and the first card's Raw view. */
static void
shot_candidate (CsWindow *win)
{
  g_autoptr(CsCandidate) c = g_list_model_get_item (G_LIST_MODEL (_cs_window_get_run (win)), 0);
  GtkWindow *cw = GTK_WINDOW (cs_candidate_window_new (c));
  g_autoptr(GPtrArray) cards = g_ptr_array_new ();

  gtk_window_set_transient_for (cw, GTK_WINDOW (win));
  gtk_window_present (cw);
  spin (1000);
  save_widget (GTK_WIDGET (cw), GTK_NATIVE (cw), "candidate-window.png");
  gtk_window_destroy (cw);
  collect (GTK_WIDGET (win->run_page), CS_TYPE_CANDIDATE_CARD, cards);
  if (cards->len > 0)
    {
      CsCandidateCard *card = g_ptr_array_index (cards, 0);

      gtk_toggle_button_set_active (card->raw_button, TRUE);
      gtk_widget_grab_focus (GTK_WIDGET (card->raw_button));
      save_shot (win, "card-raw.png");
      gtk_toggle_button_set_active (card->raw_button, FALSE);
    }
}

static int
walk (int argc, char *argv[], char **tmp_out)
{
  g_autoptr(CsTestProvider) provider = NULL;
  g_autoptr(CsApplication) app = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = NULL, *data_home = NULL, *config_home = NULL, *base = NULL;
  const char *what = argc > 2 ? argv[2] : "walk";
  CsWindow *win;
  const int width = 1280, height = 800;

  out_dir = argv[1];
  g_mkdir_with_parents (out_dir, 0755);
  if (argc < 2)
    {
      g_printerr ("Usage: %s OUTDIR [walk|welcome|error]\n", argv[0]);
      return 2;
    }
  tmp = g_dir_make_tmp ("cs-walk-XXXXXX", &error);
  g_assert_no_error (error);
  *tmp_out = g_strdup (tmp);
  data_home = g_build_filename (tmp, "data", NULL);
  config_home = g_build_filename (tmp, "config", NULL);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_setenv ("XDG_CONFIG_HOME", config_home, TRUE);
  g_setenv ("XDG_RUNTIME_DIR", tmp, TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  setlocale (LC_ALL, "");
  if (g_getenv ("WALK_LOCALEDIR") != NULL)
    {
      bindtextdomain (GETTEXT_PACKAGE, g_getenv ("WALK_LOCALEDIR"));
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      textdomain (GETTEXT_PACKAGE);
    }
  gtk_init ();
  adw_init ();

  provider = cs_test_provider_new ();
  if (!cs_test_provider_start (provider, 0, &error))
    {
      g_printerr ("walk-driver: %s\n", error->message);
      return 1;
    }
  base = cs_test_provider_dup_base_url (provider);
  if (g_str_equal (what, "welcome"))
    g_setenv ("CONSILIUM_DEMO_URL", base, TRUE);
  else
    {
      g_unsetenv ("CONSILIUM_DEMO_URL");
      write_config (config_home, base, g_str_equal (what, "error"));
    }

  app = cs_application_new (G_APPLICATION_NON_UNIQUE);
  g_application_set_application_id (G_APPLICATION (app), APP_ID ".Walk");
  if (!g_application_register (G_APPLICATION (app), NULL, &error))
    {
      g_printerr ("walk-driver: %s\n", error->message);
      return 1;
    }
  win = cs_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (win), width, height);
  gtk_window_present (GTK_WINDOW (win));
  spin (1500);

  if (g_str_equal (what, "welcome"))
    {
      save_shot (win, "welcome.png");
      return 0;
    }
  if (g_str_equal (what, "error"))
    {
      const char *m[] = { "demo/demo-alpha", "custom/llama3", NULL };
      compose_architect (win);
      _cs_window_select_models (win, m);
      save_shot (win, "error-compose.png");
      run_and_wait (win);
      wait_for (not_running, win, 60000);
      spin (500);
      shot_scrolled (win, "error-run");
      {
        GtkWindow *rw = GTK_WINDOW (cs_requests_window_new (_cs_window_get_run (win)));
        gtk_window_set_transient_for (rw, GTK_WINDOW (win));
        gtk_window_present (rw);
        spin (1500);
        save_widget (GTK_WIDGET (rw), GTK_NATIVE (rw), "error-requests.png");
      }
      return 0;
    }

  /* architect with ranking */
  compose_architect (win);
  gtk_switch_set_active (win->compose_page->rank_switch, TRUE);
  for (int i = 0; i <= 3; i++)
    {
      g_autofree char *n = g_strdup_printf ("compose-%d.png", i);
      GtkWidget *sc = gtk_widget_get_ancestor (GTK_WIDGET (win->compose_page->problem_view), GTK_TYPE_SCROLLED_WINDOW);
      sc = gtk_widget_get_ancestor (gtk_widget_get_parent (sc), GTK_TYPE_SCROLLED_WINDOW);
      if (sc)
        {
          GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (sc));
          gtk_adjustment_set_value (adj, (gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj)) * i / 3.0);
        }
      save_shot (win, n);
    }
  cs_test_provider_set_delay_ms (provider, 40);
  run_and_wait (win);
  spin (700);
  save_shot (win, "arch-stream-early.png");
  spin (2500);
  save_shot (win, "arch-stream-mid.png");
  scroll_page (win, 1.0);
  save_shot (win, "arch-stream-bottom.png");
  cs_test_provider_set_delay_ms (provider, 3);
  wait_for (not_running, win, 120000);
  spin (800);
  shot_scrolled (win, "arch-done");
  {
    g_autoptr(GFile) f = g_file_new_build_filename (out_dir, "export.md", NULL);
    _cs_window_export_to_file (win, f, FALSE);
    spin (800);
    save_shot (win, "arch-exported.png");
  }
  {
    GtkWindow *rw = GTK_WINDOW (cs_requests_window_new (_cs_window_get_run (win)));
    gtk_window_set_transient_for (rw, GTK_WINDOW (win));
    gtk_window_present (rw);
    spin (1500);
    save_widget (GTK_WIDGET (rw), GTK_NATIVE (rw), "requests.png");
    gtk_window_destroy (rw);
  }
  shot_candidate (win);

  /* support */
  _cs_window_show_compose (win);
  _cs_window_set_mode (win, "support");
  gtk_text_buffer_set_text (_cs_window_get_problem_buffer (win), support_problem, -1);
  gtk_editable_set_text (GTK_EDITABLE (win->compose_page->os_row), "Debian 12");
  gtk_editable_set_text (GTK_EDITABLE (win->compose_page->stack_row), "nginx 1.22, PHP-FPM 8.2");
  gtk_editable_set_text (GTK_EDITABLE (win->compose_page->tried_row), "Restarted nginx");
  _cs_window_select_models (win, models);
  save_shot (win, "support-compose.png");
  cs_test_provider_set_delay_ms (provider, 40);
  run_and_wait (win);
  spin (400);
  save_shot (win, "support-stream-early.png");
  spin (1200);
  save_shot (win, "support-stream-mid.png");
  cs_test_provider_set_delay_ms (provider, 3);
  wait_for (not_running, win, 120000);
  spin (800);
  shot_scrolled (win, "support-done");

  /* the troubleshooting loop: the first step did not work, its output */
  {
    g_autoptr(GPtrArray) toggles = g_ptr_array_new ();
    g_autoptr(GPtrArray) expanders = g_ptr_array_new ();

    collect (GTK_WIDGET (win->run_page), GTK_TYPE_TOGGLE_BUTTON, toggles);
    for (guint i = 0; i < toggles->len; i++)
      if (g_strcmp0 (gtk_widget_get_name (g_ptr_array_index (toggles, i)), "step-failed") == 0)
        {
          gtk_toggle_button_set_active (g_ptr_array_index (toggles, i), TRUE);
          break;
        }
    collect (GTK_WIDGET (win->run_page), GTK_TYPE_EXPANDER, expanders);
    for (guint i = 0; i < expanders->len; i++)
      if (g_strcmp0 (gtk_widget_get_name (g_ptr_array_index (expanders, i)), "step-output-expander") == 0)
        {
          GtkWidget *e = g_ptr_array_index (expanders, i);
          g_autoptr(GPtrArray) views = g_ptr_array_new ();

          gtk_expander_set_expanded (GTK_EXPANDER (e), TRUE);
          collect (e, GTK_TYPE_TEXT_VIEW, views);
          if (views->len > 0)
            gtk_text_buffer_set_text (gtk_text_view_get_buffer (g_ptr_array_index (views, 0)),
                                      "Filesystem      Size  Used Avail Use% Mounted on\n"
                                      "/dev/sda1        40G   12G   26G  32% /", -1);
          break;
        }
    scroll_page (win, 0.0);
    save_shot (win, "support-report.png");
  }

  /* a narrow window */
  gtk_window_set_default_size (GTK_WINDOW (win), 560, height);
  spin (800);
  shot_scrolled (win, "support-narrow");

  /* preferences */
  shot_preferences (app, win);
  return 0;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *tmp = NULL;
  int status = walk (argc, argv, &tmp);

  if (tmp != NULL)
    remove_tree (tmp);
  return status;
}
