/* walk-more.c: the walk-driver's further walks (walk-more.h)
 *
 *   narrow    the first start in a 360 px window (the welcome page, the
 *             demo taken), the compose page, a run streaming and done, the
 *             history sidebar
 *   faults    providers that fail in each way the test provider scripts
 *             (quota, broken JSON, an error inside the stream, a refusal)
 *             and a judge answering 500: the cards, the result, Requests
 *   rounds    a support run, step 1 reported as not working with its
 *             output, the next steps (round 2), a step that worked
 *   chooser   the export's save dialog, the file it writes, the history
 *             row's menu, rename and delete with undo, the shortcuts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "walk-driver"

#include "config.h"

#include <string.h>

#include <adwaita.h>

#include "cs-estimate-button.h"
#include "cs-follow-up-bar.h"
#include "cs-requests-window.h"
#include "cs-result-view.h"
#include "cs-run-page-rounds.h"
#include "driver-common.h"
#include "walk-more.h"

char *
walk_faults_config (const char *base_url)
{
  return g_strdup_printf ("[provider flaky]\n"
                          "name=Flaky server\n"
                          "base-url=%s\n"
                          "api=openai-chat\n"
                          "models=demo-beta+quota;demo-gamma+malformed;demo-delta+streamerror;"
                          "demo-alpha+refuse;demo-judge+500\n"
                          "max-retries=0\n", base_url);
}

static void
scroll_to (CsWindow *win,
           double    frac)
{
  GtkWidget *scroller = adw_bin_get_child (ADW_BIN (_cs_window_get_run_page (win)));
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));

  gtk_adjustment_set_value (adj, (gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj)) * frac);
}

static void
shots_scrolled (CsWindow   *win,
                const char *prefix,
                int         n)
{
  for (int i = 0; i <= n; i++)
    {
      g_autofree char *name = g_strdup_printf ("%s-%d.png", prefix, i);

      scroll_to (win, (double) i / n);
      driver_save_shot (win, name);
    }
}

/* The first button under @root whose label is @label (mnemonics left out). */
static GtkWidget *
find_button (GtkWidget  *root,
             const char *label)
{
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found;

      if (GTK_IS_BUTTON (c) && gtk_widget_get_mapped (c) && gtk_button_get_label (GTK_BUTTON (c)) != NULL)
        {
          g_autofree char *plain = g_strdup (gtk_button_get_label (GTK_BUTTON (c)));
          char *u;

          while ((u = strchr (plain, '_')) != NULL)
            memmove (u, u + 1, strlen (u));
          if (g_str_equal (plain, label))
            return c;
        }
      if ((found = find_button (c, label)) != NULL)
        return found;
    }
  return NULL;
}

/* The first descendant of @root of @type, depth first. */
static GtkWidget *
find_type (GtkWidget *root,
           GType      type)
{
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found;

      if (g_type_is_a (G_OBJECT_TYPE (c), type))
        return c;
      if ((found = find_type (c, type)) != NULL)
        return found;
    }
  return NULL;
}

static gboolean
has_config (gpointer data)
{
  CsWindow *win = data;

  return g_strcmp0 (gtk_stack_get_visible_child_name (win->main_stack), "welcome") != 0;
}

/* The newest toplevel of @type other than @not, or NULL. */
static GtkWindow *
find_toplevel (GType      type,
               GtkWindow *not)
{
  GListModel *tops = gtk_window_get_toplevels ();

  for (guint i = g_list_model_get_n_items (tops); i > 0; i--)
    {
      g_autoptr(GtkWindow) w = g_list_model_get_item (tops, i - 1);

      if (w != not && g_type_is_a (G_OBJECT_TYPE (w), type) && gtk_widget_get_mapped (GTK_WIDGET (w)))
        return w;
    }
  return NULL;
}

typedef struct {
  GType      type;
  GtkWindow *not;
} TopWait;

static gboolean
toplevel_shown (gpointer data)
{
  TopWait *w = data;

  return find_toplevel (w->type, w->not) != NULL;
}

static GtkWindow *
wait_toplevel (GType      type,
               GtkWindow *not)
{
  TopWait w = { type, not };

  if (!cs_test_wait_for (toplevel_shown, &w, 10000))
    return NULL;
  cs_test_ui_settle (5000);
  return find_toplevel (type, not);
}

void
walk_narrow (CsApplication *app)
{
  CsWindow *win = driver_open_window (app, 360, 720);
  GtkWidget *use, *set_prices;

  driver_save_shot (win, "narrow-welcome-0.png");
  use = find_button (GTK_WIDGET (win->welcome_list), "Use Demo");
  if (use == NULL)
    use = find_button (GTK_WIDGET (win), "Demo verwenden");
  if (use != NULL)
    gtk_widget_activate (use);
  if (!cs_test_wait_for (has_config, win, 10000))
    driver_fail ("the demo was not taken");
  cs_test_ui_settle (5000);
  driver_save_shot (win, "narrow-compose-0.png");
  driver_compose_architect (win);
  driver_pause (1500);
  driver_save_shot (win, "narrow-compose-1.png");
  gtk_popover_popup (cs_estimate_button_get_popover (win->estimate_button));
  driver_save_widget (GTK_WIDGET (cs_estimate_button_get_popover (win->estimate_button)), "narrow-estimate-popover.png");
  set_prices = cs_test_ui_find_named (GTK_WIDGET (win->estimate_button), "set-prices");
  if (set_prices != NULL && gtk_widget_get_mapped (set_prices))
    {
      GtkWindow *prefs;

      gtk_widget_activate (set_prices);
      if ((prefs = wait_toplevel (ADW_TYPE_PREFERENCES_WINDOW, GTK_WINDOW (win))) != NULL)
        {
          driver_save_widget (GTK_WIDGET (prefs), "narrow-set-prices.png");
          gtk_window_destroy (prefs);
        }
    }
  gtk_popover_popdown (cs_estimate_button_get_popover (win->estimate_button));
  driver_run (win);
  driver_pause (1500);
  driver_save_shot (win, "narrow-stream.png");
  driver_wait_run_end (win, 120000);
  shots_scrolled (win, "narrow-done", 4);
  gtk_widget_activate_action (GTK_WIDGET (win), "win.show-sidebar", NULL);
  cs_test_ui_settle (5000);
  driver_save_shot (win, "narrow-history.png");
}

void
walk_faults (CsWindow *win)
{
  const char *models[] = { "demo/demo-alpha", "demo/demo-beta", "flaky/demo-beta+quota",
                           "flaky/demo-gamma+malformed", "flaky/demo-delta+streamerror",
                           "flaky/demo-alpha+refuse", NULL };
  GtkWindow *rw;

  driver_compose_architect (win);
  _cs_window_select_models (win, models);
  _cs_window_select_judge (win, "flaky/demo-judge+500");
  driver_pause (1500);
  driver_save_shot (win, "faults-compose.png");
  driver_run (win);
  driver_pause (700);
  driver_save_shot (win, "faults-stream.png");
  driver_wait_run_end (win, 120000);
  shots_scrolled (win, "faults-done", 5);
  rw = GTK_WINDOW (cs_requests_window_new (_cs_window_get_run (win)));
  driver_show_window (rw, GTK_WINDOW (win));
  driver_pause (1000);
  driver_save_widget (GTK_WIDGET (rw), "faults-requests.png");
  gtk_window_destroy (rw);
}

static GtkWidget *
step_part (CsWindow   *win,
           const char *name)
{
  return cs_test_ui_find_named (GTK_WIDGET (_cs_window_get_run_page (win)->result_view), name);
}

void
walk_rounds (CsWindow *win)
{
  GtkWidget *part;

  driver_compose_support (win, "Restarted nginx", "demo/demo-judge");
  driver_run (win);
  driver_wait_run_end (win, 120000);
  if ((part = step_part (win, "step-failed")) != NULL)
    gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (part), TRUE);
  if ((part = step_part (win, "step-output-expander")) != NULL)
    gtk_expander_set_expanded (GTK_EXPANDER (part), TRUE);
  if ((part = step_part (win, "step-output")) != NULL)
    gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (part)),
                              "× php8.2-fpm.service - The PHP 8.2 FastCGI Process Manager\n"
                              "     Active: failed (Result: exit-code)", -1);
  cs_test_ui_settle (5000);
  scroll_to (win, 0);
  driver_save_shot (win, "rounds-reported.png");
  shots_scrolled (win, "rounds-before", 3);
  driver_follow_up (win, "follow-up.next-steps");
  cs_run_page_scroll_to_top (_cs_window_get_run_page (win));
  driver_save_shot (win, "rounds-2-top.png");
  if ((part = cs_test_ui_find_named (GTK_WIDGET (cs_run_page_get_round_switcher (_cs_window_get_run_page (win))),
                                     "round-step-output")) != NULL)
    gtk_expander_set_expanded (GTK_EXPANDER (part), TRUE);
  driver_save_shot (win, "rounds-2-tried.png");
  shots_scrolled (win, "rounds-2", 4);
  if ((part = step_part (win, "step-worked")) != NULL)
    gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (part), TRUE);
  driver_follow_up (win, "follow-up.next-steps");
  cs_run_page_scroll_to_top (_cs_window_get_run_page (win));
  driver_save_shot (win, "rounds-3-resolved.png");
  shots_scrolled (win, "rounds-3", 3);
}

static gboolean
file_written (gpointer data)
{
  return g_file_test (data, G_FILE_TEST_IS_REGULAR);
}

void
walk_chooser (CsWindow *win)
{
  g_autofree char *path = g_build_filename (driver_get_out_dir (), "chosen.md", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  GtkListBoxRow *row;
  GtkWindow *dialog;
  GtkWidget *row_menu;

  driver_compose_support (win, "Restarted nginx", NULL);
  driver_run (win);
  driver_wait_run_end (win, 120000);
  gtk_widget_activate_action (GTK_WIDGET (win), "win.export", NULL);
  dialog = wait_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG, GTK_WINDOW (win));
  if (dialog == NULL)
    driver_fail ("no save dialog");
  driver_save_widget (GTK_WIDGET (dialog), "export-dialog.png");
  {
    g_autoptr(GFile) folder = g_file_get_parent (file);

    if (!gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (dialog), folder, NULL))
      driver_fail ("the dialog took no folder");
    gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), "chosen.md");
  }
  gtk_dialog_response (GTK_DIALOG (dialog), GTK_RESPONSE_ACCEPT);
  if (!cs_test_wait_for (file_written, path, 10000))
    driver_fail ("%s was not written", path);
  cs_test_ui_settle (5000);
  driver_save_shot (win, "export-toast.png");
  /* an export that fails: its toast in a narrow window, Details */
  {
    g_autoptr(GFile) bad = g_file_new_for_path ("/nonexistent/Design notes for the team/plan.md");
    GtkWidget *details;

    gtk_window_set_default_size (GTK_WINDOW (win), 360, 720);
    driver_pause (6000);
    _cs_window_export_to_file (win, bad, FALSE);
    driver_pause (1000);
    driver_save_shot (win, "export-error-toast.png");
    if ((details = find_button (GTK_WIDGET (win->toast_overlay), "Details")) != NULL)
      {
        gtk_widget_activate (details);
        if ((dialog = wait_toplevel (ADW_TYPE_MESSAGE_DIALOG, GTK_WINDOW (win))) != NULL)
          {
            driver_save_widget (GTK_WIDGET (dialog), "export-error-details.png");
            gtk_window_destroy (dialog);
          }
      }
    gtk_window_set_default_size (GTK_WINDOW (win), 1280, 800);
    cs_test_ui_settle (5000);
  }

  /* the history row's menu, rename, delete */
  row = gtk_list_box_get_row_at_index (win->history_list, 0);
  row_menu = row != NULL ? find_type (GTK_WIDGET (row), GTK_TYPE_MENU_BUTTON) : NULL;
  if (row_menu != NULL)
    {
      gtk_menu_button_popup (GTK_MENU_BUTTON (row_menu));
      driver_pause (400);
      driver_save_widget (GTK_WIDGET (win), "history-menu.png");
      gtk_menu_button_popdown (GTK_MENU_BUTTON (row_menu));
    }
  gtk_widget_activate_action (GTK_WIDGET (win), "win.rename-run", "s", cs_run_get_id (_cs_window_get_run (win)));
  dialog = wait_toplevel (ADW_TYPE_MESSAGE_DIALOG, GTK_WINDOW (win));
  if (dialog != NULL)
    {
      driver_save_widget (GTK_WIDGET (dialog), "history-rename.png");
      gtk_window_destroy (dialog);
    }
  gtk_widget_activate_action (GTK_WIDGET (win), "win.delete-run", "s", cs_run_get_id (_cs_window_get_run (win)));
  cs_test_ui_settle (5000);
  driver_save_shot (win, "history-deleted.png");

  g_action_group_activate_action (G_ACTION_GROUP (gtk_window_get_application (GTK_WINDOW (win))), "shortcuts", NULL);
  dialog = wait_toplevel (GTK_TYPE_SHORTCUTS_WINDOW, GTK_WINDOW (win));
  if (dialog != NULL)
    {
      driver_save_widget (GTK_WIDGET (dialog), "shortcuts.png");
      gtk_window_destroy (dialog);
    }
}
