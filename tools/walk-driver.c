/* walk-driver.c: a picture of every screen, for a person to look at
 *
 * Usage: walk-driver OUTDIR [walk|welcome|error|narrow|faults|rounds|chooser]
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
 *   narrow, faults, rounds, chooser: see walk-more.c
 * Run it with tools/walk.sh (Xvfb, a session bus, the language asked for).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "walk-driver"

#include "config.h"

#include <locale.h>
#include <glib/gi18n.h>

#include <adwaita.h>
#include <glib/gstdio.h>

#include "cs-application.h"
#include "cs-candidate-card.h"
#include "cs-result-view.h"
#include "cs-preferences-window.h"
#include "cs-requests-window.h"
#include "cs-candidate-card-private.h"
#include "cs-candidate-window.h"
#include "driver-common.h"
#include "walk-more.h"

static void
scroll_page (CsWindow *win, double frac)
{
  GtkWidget *scroller = adw_bin_get_child (ADW_BIN (_cs_window_get_run_page (win)));
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
  double max = gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj);
  gtk_adjustment_set_value (adj, max * frac);
}

static void
shot_scrolled (CsWindow *win, const char *prefix)
{
  for (int i = 0; i <= 4; i++)
    {
      g_autofree char *n = g_strdup_printf ("%s-%d.png", prefix, i);
      scroll_page (win, i / 4.0);
      driver_save_shot (win, n);
    }
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
  g_autoptr(GPtrArray) pages = NULL;
  g_autoptr(GPtrArray) expanders = g_ptr_array_new ();

  driver_show_window (pw, GTK_WINDOW (win));
  driver_save_widget (GTK_WIDGET (pw), "preferences.png");
  collect (GTK_WIDGET (pw), ADW_TYPE_EXPANDER_ROW, expanders);
  if (expanders->len > 0)
    {
      adw_expander_row_set_expanded (g_ptr_array_index (expanders, 0), TRUE);
      driver_save_widget (GTK_WIDGET (pw), "preferences-provider.png");
    }
  /* the window's own pages: libadwaita's search results are a page too */
  pages = cs_test_ui_preferences_pages (ADW_PREFERENCES_WINDOW (pw));
  for (guint i = 1; i < pages->len; i++)
    {
      g_autofree char *n = g_strdup_printf ("preferences-page-%u.png", i);

      adw_preferences_window_set_visible_page (ADW_PREFERENCES_WINDOW (pw), g_ptr_array_index (pages, i));
      driver_save_widget (GTK_WIDGET (pw), n);
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

  driver_show_window (cw, GTK_WINDOW (win));
  driver_save_widget (GTK_WIDGET (cw), "candidate-window.png");
  gtk_window_destroy (cw);
  collect (GTK_WIDGET (_cs_window_get_run_page (win)), CS_TYPE_CANDIDATE_CARD, cards);
  if (cards->len > 0)
    {
      CsCandidateCard *card = g_ptr_array_index (cards, 0);

      gtk_toggle_button_set_active (card->raw_button, TRUE);
      gtk_widget_grab_focus (GTK_WIDGET (card->raw_button));
      driver_save_shot (win, "card-raw.png");
      gtk_toggle_button_set_active (card->raw_button, FALSE);
    }
}

static gboolean
requests_loaded (gpointer data)
{
  return !cs_requests_window_is_loading (data);
}

/* The Requests window of the run shown, as @name. */
static void
shot_requests (CsWindow   *win,
               const char *name)
{
  GtkWindow *rw = GTK_WINDOW (cs_requests_window_new (_cs_window_get_run (win)));

  driver_show_window (rw, GTK_WINDOW (win));
  cs_test_wait_for (requests_loaded, rw, 10000);
  driver_save_widget (GTK_WIDGET (rw), name);
  gtk_window_destroy (rw);
}

static int
walk (int argc, char *argv[], char **tmp_out)
{
  g_autoptr(CsTestProvider) provider = NULL;
  g_autoptr(CsApplication) app = NULL;
  g_autofree char *tmp = NULL, *config_home = NULL, *base = NULL;
  const char *what = argc > 2 ? argv[2] : "walk";
  CsWindow *win;

  if (argc < 2)
    {
      g_printerr ("Usage: %s OUTDIR [walk|welcome|error|narrow|faults|rounds|chooser]\n", argv[0]);
      return 2;
    }
  driver_init ("walk-driver", argv[1]);
  tmp = driver_make_dirs ("cs-walk-XXXXXX", &config_home);
  *tmp_out = g_strdup (tmp);
  g_setenv ("XDG_RUNTIME_DIR", tmp, TRUE);
  setlocale (LC_ALL, "");
  if (g_getenv ("WALK_LOCALEDIR") != NULL)
    {
      bindtextdomain (GETTEXT_PACKAGE, g_getenv ("WALK_LOCALEDIR"));
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      textdomain (GETTEXT_PACKAGE);
    }
  gtk_init ();
  adw_init ();

  provider = driver_start_provider ();
  base = cs_test_provider_dup_base_url (provider);
  if (g_str_equal (what, "welcome") || g_str_equal (what, "narrow"))
    g_setenv ("CONSILIUM_DEMO_URL", base, TRUE);
  else
    {
      g_autofree char *faults = walk_faults_config (base);

      g_unsetenv ("CONSILIUM_DEMO_URL");
      driver_write_config (config_home, base,
                           g_str_equal (what, "error")
                           ? "[provider custom]\nname=My server\nbase-url=http://127.0.0.1:9/v1\n"
                             "api=openai-chat\nmodels=llama3\nmax-retries=1\n"
                           : g_str_equal (what, "faults") ? faults : NULL);
    }

  app = cs_test_ui_start_app ("Walk");
  if (g_str_equal (what, "narrow"))
    {
      walk_narrow (app);
      return 0;
    }
  win = driver_open_window (app, 1280, 800);

  if (g_str_equal (what, "welcome"))
    {
      driver_save_shot (win, "welcome.png");
      return 0;
    }
  if (g_str_equal (what, "faults") || g_str_equal (what, "rounds") || g_str_equal (what, "chooser"))
    {
      if (g_str_equal (what, "faults"))
        walk_faults (win);
      else if (g_str_equal (what, "rounds"))
        walk_rounds (win);
      else
        walk_chooser (win);
      return 0;
    }
  if (g_str_equal (what, "error"))
    {
      const char *m[] = { "demo/demo-alpha", "custom/llama3", NULL };
      driver_compose_architect (win);
      _cs_window_select_models (win, m);
      driver_save_shot (win, "error-compose.png");
      driver_run (win);
      driver_wait_run_end (win, 60000);
      shot_scrolled (win, "error-run");
      shot_requests (win, "error-requests.png");
      return 0;
    }
  /* architect with ranking */
  driver_compose_architect (win);
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
      driver_save_shot (win, n);
    }
  cs_test_provider_set_delay_ms (provider, 40);
  driver_run (win);
  driver_pause (700);
  driver_save_shot (win, "arch-stream-early.png");
  driver_pause (2500);
  driver_save_shot (win, "arch-stream-mid.png");
  scroll_page (win, 1.0);
  driver_save_shot (win, "arch-stream-bottom.png");
  cs_test_provider_set_delay_ms (provider, 3);
  driver_wait_run_end (win, 120000);
  shot_scrolled (win, "arch-done");
  {
    g_autoptr(GFile) f = g_file_new_build_filename (driver_get_out_dir (), "export.md", NULL);
    _cs_window_export_to_file (win, f, FALSE);
    cs_test_ui_settle (5000);
    driver_save_shot (win, "arch-exported.png");
  }
  shot_requests (win, "requests.png");
  shot_candidate (win);

  /* support */
  driver_compose_support (win, "Restarted nginx", NULL);
  driver_save_shot (win, "support-compose.png");
  cs_test_provider_set_delay_ms (provider, 40);
  driver_run (win);
  driver_pause (400);
  driver_save_shot (win, "support-stream-early.png");
  driver_pause (1200);
  driver_save_shot (win, "support-stream-mid.png");
  cs_test_provider_set_delay_ms (provider, 3);
  driver_wait_run_end (win, 120000);
  shot_scrolled (win, "support-done");

  /* the troubleshooting loop: the first step did not work, its output */
  {
    g_autoptr(GPtrArray) toggles = g_ptr_array_new ();
    g_autoptr(GPtrArray) expanders = g_ptr_array_new ();

    collect (GTK_WIDGET (_cs_window_get_run_page (win)), GTK_TYPE_TOGGLE_BUTTON, toggles);
    for (guint i = 0; i < toggles->len; i++)
      if (g_strcmp0 (gtk_widget_get_name (g_ptr_array_index (toggles, i)), "step-failed") == 0)
        {
          gtk_toggle_button_set_active (g_ptr_array_index (toggles, i), TRUE);
          break;
        }
    collect (GTK_WIDGET (_cs_window_get_run_page (win)), GTK_TYPE_EXPANDER, expanders);
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
    driver_save_shot (win, "support-report.png");
  }

  /* a narrow window */
  gtk_window_set_default_size (GTK_WINDOW (win), 560, 800);
  cs_test_ui_settle (5000);
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
    cs_test_rm_rf (tmp);
  return status;
}
