/* driver-common.c: what the screenshot and walk drivers share
 * (driver-common.h)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <glib/gstdio.h>

#include "cs-result-view.h"
#include "cs-run-page-rounds.h"
#include "driver-common.h"

const char *driver_architect_problem =
  "Design the backend for a food-delivery app: customers order from local "
  "restaurants and follow their order live on a map.\n\n"
  "- Order tracking from checkout to the door, with push notifications\n"
  "- Couriers send their location every 5 s while on a delivery\n"
  "- 50k orders/day, peaks at lunch and dinner (about 10× the average)\n"
  "- EU only: personal data must stay in the EU (GDPR)";

const char *driver_support_problem =
  "nginx returns 502 Bad Gateway after the upgrade to PHP 8.2 on Debian 12.\n\n"
  "Every PHP page fails; static files are served fine. The error log says:\n"
  "connect() to unix:/run/php/php8.1-fpm.sock failed (2: No such file or directory)";

const char *driver_models[] = {
  "demo/demo-alpha", "demo/demo-beta", "demo/demo-gamma", "demo/demo-delta", NULL
};

static const char *driver_name = "driver";
static char *out_dir;
static gint64 run_started;

void
driver_init (const char *name,
             const char *dir)
{
  driver_name = name;
  g_free (out_dir);
  out_dir = g_strdup (dir);
  if (g_mkdir_with_parents (out_dir, 0755) != 0)
    driver_fail ("could not make %s", out_dir);
}

const char *
driver_get_out_dir (void)
{
  return out_dir;
}

void
driver_fail (const char *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("%s: %s\n", driver_name, message);
  exit (1);
}

char *
driver_make_dirs (const char  *template,
                  char       **config_home)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_home = NULL;
  char *tmp = g_dir_make_tmp (template, &error);

  if (tmp == NULL)
    driver_fail ("%s", error->message);
  data_home = g_build_filename (tmp, "data", NULL);
  *config_home = g_build_filename (tmp, "config", NULL);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_setenv ("XDG_CONFIG_HOME", *config_home, TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  return tmp;
}

CsTestProvider *
driver_start_provider (void)
{
  g_autoptr(CsTestProvider) provider = cs_test_provider_new ();
  g_autoptr(GError) error = NULL;

  if (!cs_test_provider_start (provider, 0, &error))
    driver_fail ("%s", error->message);
  return g_steal_pointer (&provider);
}

void
driver_write_config (const char *config_home,
                     const char *base_url,
                     const char *extra)
{
  g_autofree char *dir = g_build_filename (config_home, "consilium", NULL);
  g_autofree char *path = g_build_filename (dir, "providers.ini", NULL);
  g_autoptr(GError) error = NULL;
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
                         base_url, extra != NULL ? extra : "");
  if (g_mkdir_with_parents (dir, 0700) != 0 || !g_file_set_contents (path, ini, -1, &error))
    driver_fail ("could not write %s: %s", path, error != NULL ? error->message : g_strerror (errno));
}

typedef struct {
  GtkWidget *widget;
  int        width;
  int        height;
} Size;

static gboolean
sized (gpointer data)
{
  Size *size = data;

  return gtk_widget_get_width (size->widget) == size->width &&
         gtk_widget_get_height (size->widget) == size->height;
}

static gboolean
drawn_some (gpointer data)
{
  return gtk_widget_get_mapped (data) && gtk_widget_get_width (data) > 0;
}

CsWindow *
driver_open_window (CsApplication *app,
                    int            width,
                    int            height)
{
  CsWindow *win = cs_window_new (app);
  Size content = { GTK_WIDGET (win->toast_overlay), width, height };

  gtk_window_set_default_size (GTK_WINDOW (win), width, height);
  gtk_window_present (GTK_WINDOW (win));
  if (!cs_test_wait_for (drawn_some, content.widget, 10000))
    driver_fail ("the window was not shown");
  cs_test_ui_settle (5000);
  /* the content, not the frame around it, gets the size asked for */
  if (!sized (&content))
    {
      int dw = width - gtk_widget_get_width (content.widget);
      int dh = height - gtk_widget_get_height (content.widget);

      gtk_window_set_default_size (GTK_WINDOW (win), width + dw, height + dh);
      if (!cs_test_wait_for (sized, &content, 10000))
        g_printerr ("%s: the content is %dx%d, not %dx%d\n", driver_name,
                    gtk_widget_get_width (content.widget), gtk_widget_get_height (content.widget),
                    width, height);
    }
  cs_test_ui_settle (5000);
  return win;
}

void
driver_show_window (GtkWindow *window,
                    GtkWindow *parent)
{
  gtk_window_set_transient_for (window, parent);
  gtk_window_present (window);
  if (!cs_test_wait_for (drawn_some, window, 10000))
    driver_fail ("a window was not shown");
  cs_test_ui_settle (5000);
}

void
driver_pause (guint ms)
{
  cs_test_wait_for (cs_test_never, NULL, ms);
}

void
driver_compose_architect (CsWindow *win)
{
  _cs_window_show_compose (win);
  _cs_window_set_mode (win, "architect");
  gtk_text_buffer_set_text (_cs_window_get_problem_buffer (win), driver_architect_problem, -1);
  gtk_editable_set_text (GTK_EDITABLE (win->compose_page->budget_row), "$3000/month");
  gtk_editable_set_text (GTK_EDITABLE (win->compose_page->technologies_row), "Go, PostgreSQL");
  gtk_editable_set_text (GTK_EDITABLE (win->compose_page->scale_row), "50k orders/day; 2,000 couriers online at peak");
  gtk_editable_set_text (GTK_EDITABLE (win->compose_page->hosting_row), "Cloud, EU regions only");
  _cs_window_select_models (win, driver_models);
  _cs_window_select_judge (win, "demo/demo-judge");
}

void
driver_compose_support (CsWindow   *win,
                        const char *tried,
                        const char *judge)
{
  _cs_window_show_compose (win);
  _cs_window_set_mode (win, "support");
  gtk_text_buffer_set_text (_cs_window_get_problem_buffer (win), driver_support_problem, -1);
  gtk_editable_set_text (GTK_EDITABLE (win->compose_page->os_row), "Debian 12");
  gtk_editable_set_text (GTK_EDITABLE (win->compose_page->stack_row), "nginx 1.22, PHP-FPM 8.2");
  gtk_editable_set_text (GTK_EDITABLE (win->compose_page->tried_row), tried);
  _cs_window_select_models (win, driver_models);
  if (judge != NULL)
    _cs_window_select_judge (win, judge);
}

void
driver_run (CsWindow *win)
{
  run_started = g_get_monotonic_time ();
  if (!gtk_widget_activate_action (GTK_WIDGET (win), "win.run", NULL) ||
      _cs_window_get_run (win) == NULL)
    driver_fail ("the run did not start");
}

gint64
driver_get_run_started (void)
{
  return run_started;
}

static gboolean
run_ended (gpointer data)
{
  CsWindow *win = data;

  return !_cs_window_is_running (win) &&
         !cs_result_view_get_building (_cs_window_get_run_page (win)->result_view);
}

gboolean
driver_wait_run_end (CsWindow *win,
                     guint     timeout_ms)
{
  gboolean ok = cs_test_wait_for (run_ended, win, timeout_ms);

  cs_test_ui_settle (5000);
  return ok;
}

void
driver_follow_up (CsWindow   *win,
                  const char *action)
{
  if (!gtk_widget_activate_action (GTK_WIDGET (cs_run_page_get_follow_up_bar (_cs_window_get_run_page (win))), action, NULL) ||
      !driver_wait_run_end (win, 120000))
    driver_fail ("the follow-up round did not run");
}

void
driver_save_widget (GtkWidget  *widget,
                    const char *name)
{
  g_autofree char *path = g_build_filename (out_dir, name, NULL);
  g_autoptr(GError) error = NULL;

  /* scrolling and expanding animate */
  driver_pause (400);
  if (!cs_test_ui_save_png (widget, path, 5000, &error))
    driver_fail ("%s", error->message);
  printf ("%s (%dx%d)\n", path, gtk_widget_get_width (widget), gtk_widget_get_height (widget));
}

void
driver_save_shot (CsWindow   *win,
                  const char *name)
{
  driver_save_widget (GTK_WIDGET (win->toast_overlay), name);
}
