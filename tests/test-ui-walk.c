/* test-ui-walk.c: what a new user walking the app tripped over
 *
 * - /ui/walk/toast-details: a toast cuts its message to one line; a long
 *   one (an error with its path and reason) has a Details button that
 *   shows the whole message in a dialog, a short one has none.
 * - /ui/walk/export-open: the toast after an export has Open, for the file
 *   written (its URI), not only its name.
 * - /ui/walk/close-key: Ctrl+W, pressed on the X server, closes the main
 *   window as in every GNOME app (listed in the shortcuts window).
 * - /ui/walk/chips-narrow: a result row with its origin chips in a 360 px
 *   window keeps its title's and subtitle's words whole (the chips wrap);
 *   in a wide one the chips sit in one line at the row's end.
 * - /ui/walk/step-outcomes-narrow: a checklist step's outcome buttons
 *   (Worked, Did Not Work, Skipped) wrap in a window narrower than their
 *   line instead of widening it (German's words made a run page 503 px).
 * - /ui/walk/alternatives-narrow: the checklist's "If that did not work,
 *   try…" heading wraps (an expander's own label does not: in German it
 *   held the page at 503 px).
 * - /ui/walk/run-header-narrow: the run page's title at 360 px has the
 *   page's width, Export under it; at 1000 px Export is beside it, at the
 *   end.
 *
 * Runs under Xvfb (GDK_BACKEND=x11, GSK_RENDERER=cairo); CS_TEST_UI_SHOTS=DIR
 * saves its PNGs in DIR.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <math.h>
#include <string.h>

#ifdef CS_TEST_UI_X11
# include <X11/keysym.h>
#endif

#include "cs-origin-chips.h"
#include "cs-checklist-view.h"
#include "cs-run-page-private.h"
#include "cs-step-report-box.h"
#include "cs-test-provider.h"
#include "cs-window-private.h"
#include "test-ui-util.h"

static CsTestProvider *provider;
static char *tmp_dir;

/* The first mapped button under @root whose action is @action. */
static GtkWidget *
find_action_button (GtkWidget  *root,
                    const char *action)
{
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found;

      if (GTK_IS_BUTTON (c) && gtk_widget_get_mapped (c) &&
          g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (c)), action) == 0)
        return c;
      if ((found = find_action_button (c, action)) != NULL)
        return found;
    }
  return NULL;
}

typedef struct {
  GtkWidget  *root;
  const char *action;
  GtkWidget  *found;
} ButtonWait;

static gboolean
button_shown (gpointer data)
{
  ButtonWait *w = data;

  return (w->found = find_action_button (w->root, w->action)) != NULL;
}

/* A mapped label under @root saying @text. */
static gboolean
has_label (GtkWidget  *root,
           const char *text)
{
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    if ((GTK_IS_LABEL (c) && gtk_widget_get_mapped (c) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (c)), text) == 0) ||
        has_label (c, text))
      return TRUE;
  return FALSE;
}

static gboolean
toast_shown (gpointer data)
{
  CsWindow *win = data;

  return has_label (GTK_WIDGET (win->toast_overlay), win->last_toast);
}

static gboolean
details_shown (gpointer data)
{
  GListModel *tops = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (tops); i++)
    {
      g_autoptr(GtkWindow) w = g_list_model_get_item (tops, i);

      if (ADW_IS_MESSAGE_DIALOG (w) && gtk_widget_get_mapped (GTK_WIDGET (w)) &&
          g_strcmp0 (gtk_widget_get_name (GTK_WIDGET (w)), "toast-details") == 0)
        {
          *(GtkWindow **) data = w;
          return TRUE;
        }
    }
  return FALSE;
}

static void
test_toast_details (void)
{
  g_autoptr(CsApplication) app = cs_test_ui_start_app ("Walk");
  CsWindow *win = cs_window_new (app);
  const char *longer = "Could not export: Error opening file “/home/ada/Documents/Design the "
                       "backend for a food-delivery app.md”: Permission denied";
  ButtonWait wait = { NULL, "win.toast-details", NULL };
  GtkWindow *dialog = NULL;
  g_autofree char *target = NULL;

  gtk_window_set_default_size (GTK_WINDOW (win), 360, 700);
  gtk_window_present (GTK_WINDOW (win));
  cs_test_ui_settle (5000);
  wait.root = GTK_WIDGET (win->toast_overlay);

  /* a long one: Details, the whole message in a dialog */
  _cs_window_toast (win, longer);
  g_assert_true (cs_test_wait_for (button_shown, &wait, 10000));
  target = g_variant_print (gtk_actionable_get_action_target_value (GTK_ACTIONABLE (wait.found)), FALSE);
  g_assert_nonnull (strstr (target, "Permission denied"));
  g_assert_true (cs_test_wait_for (toast_shown, win, 10000));
  cs_test_ui_settle (5000);
  cs_test_ui_save_shot (GTK_WIDGET (win), "walk-toast-details.png");
  gtk_widget_activate (wait.found);
  g_assert_true (cs_test_wait_for (details_shown, &dialog, 10000));
  g_assert_cmpstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)), ==, longer);
  cs_test_ui_save_shot (GTK_WIDGET (dialog), "walk-toast-details-dialog.png");
  gtk_window_destroy (dialog);
  gtk_window_destroy (GTK_WINDOW (win));

  /* a short message, in a window of its own (toasts queue): read whole,
   * no button */
  win = cs_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (win), 360, 700);
  gtk_window_present (GTK_WINDOW (win));
  cs_test_ui_settle (5000);
  _cs_window_toast (win, "Saved as “plan.md”");
  g_assert_true (cs_test_wait_for (toast_shown, win, 10000));
  cs_test_ui_settle (5000);
  g_assert_null (find_action_button (GTK_WIDGET (win->toast_overlay), "win.toast-details"));
  gtk_window_destroy (GTK_WINDOW (win));
  cs_test_ui_settle (5000);
}

/* Every line of @label after the first starts after a space: no word cut;
 * its lines counted. */
static int
assert_words_whole (GtkLabel   *label,
                    const char *where)
{
  PangoLayout *layout = gtk_label_get_layout (label);
  const char *text = pango_layout_get_text (layout);
  GSList *lines = pango_layout_get_lines_readonly (layout);

  g_test_message ("%s: “%s” in %d lines, %d px wide", where, text, g_slist_length (lines),
                  gtk_widget_get_width (GTK_WIDGET (label)));
  for (GSList *l = lines != NULL ? lines->next : NULL; l != NULL; l = l->next)
    {
      PangoLayoutLine *line = l->data;

      if (line->start_index > 0 && text[line->start_index - 1] != ' ')
        g_error ("%s: “%s” is cut inside a word, before “%s”", where, text, text + line->start_index);
    }
  return g_slist_length (lines);
}

static GtkLabel *
find_label (GtkWidget  *root,
            const char *text)
{
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkLabel *found;

      if (GTK_IS_LABEL (c) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (c)), text) == 0)
        return GTK_LABEL (c);
      if ((found = find_label (c, text)) != NULL)
        return found;
    }
  return NULL;
}

static void
check_chips_row (int width)
{
  const char *title = "Service language: Go";
  const char *subtitle = "judge chose Go; 3 of 3 candidates chose Kotlin (Spring Boot)";
  char *sources[] = { "c1", "c2", "c3", NULL };
  CsOrigin origin = { sources, CS_JUDGE_CHANGED };
  GtkWidget *window = gtk_window_new ();
  GtkWidget *list = gtk_list_box_new ();
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *where = g_strdup_printf ("%d px", width);
  g_autofree char *shot = g_strdup_printf ("walk-chips-%d.png", width);
  GtkWidget *chips, *first_chip = NULL;
  graphene_rect_t a, b;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  cs_origin_chips_add_to_row (row, &origin);
  gtk_list_box_append (GTK_LIST_BOX (list), row);
  gtk_widget_add_css_class (list, "boxed-list");
  gtk_widget_set_margin_start (list, 18);
  gtk_widget_set_margin_end (list, 18);
  gtk_widget_set_valign (list, GTK_ALIGN_START);
  gtk_window_set_child (GTK_WINDOW (window), list);
  gtk_window_set_default_size (GTK_WINDOW (window), width, 300);
  gtk_window_present (GTK_WINDOW (window));
  cs_test_ui_settle (5000);
  cs_test_ui_save_shot (window, shot);

  /* the title a line or two, the subtitle at most four (a box of chips
   * left them 79 px at 360 px: three and five lines) */
  g_assert_cmpint (assert_words_whole (find_label (row, title), where), <=, 2);
  g_assert_cmpint (assert_words_whole (find_label (row, subtitle), where), <=, 4);
  chips = gtk_widget_get_ancestor (GTK_WIDGET (find_label (row, "c1")), GTK_TYPE_BUTTON);
  g_assert_nonnull (chips);
  first_chip = chips;
  g_assert_true (gtk_widget_get_mapped (first_chip));
  g_assert_true (gtk_widget_compute_bounds (first_chip, row, &a));
  g_assert_true (gtk_widget_compute_bounds (GTK_WIDGET (find_label (row, "judge changed")), row, &b));
  if (width >= 900)
    {
      /* one line, at the end: the mark beside the chips, right of the middle */
      g_assert_cmpfloat (fabs (a.origin.y + a.size.height / 2 - (b.origin.y + b.size.height / 2)), <, 2);
      g_assert_cmpfloat (a.origin.x, >, gtk_widget_get_width (row) / 2);
    }
  gtk_window_destroy (GTK_WINDOW (window));
  cs_test_ui_settle (5000);
}

static void
test_chips_narrow (void)
{
  check_chips_row (360);
  check_chips_row (560);
  check_chips_row (1000);
}

static void
check_run_header (int width)
{
  g_autoptr(CsRun) run = cs_run_new (CS_MODE_ARCHITECT,
                                     "Design the backend for a food-delivery app: customers order from "
                                     "local restaurants and follow their order live on a map.");
  CsRunPage *page = g_object_new (CS_TYPE_RUN_PAGE, NULL);
  GtkWidget *window = gtk_window_new ();
  g_autofree char *shot = g_strdup_printf ("walk-run-header-%d.png", width);
  GtkWidget *export = NULL;
  graphene_rect_t title, button;
  int header;

  cs_run_page_set_run (page, run);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (page));
  gtk_window_set_default_size (GTK_WINDOW (window), width, 500);
  gtk_window_present (GTK_WINDOW (window));
  cs_test_ui_settle (5000);
  cs_test_ui_save_shot (window, shot);

  for (GtkWidget *c = gtk_widget_get_first_child (page->header_box); c != NULL && export == NULL; c = gtk_widget_get_next_sibling (c))
    for (GtkWidget *b = gtk_widget_get_first_child (c); b != NULL; b = gtk_widget_get_next_sibling (b))
      if (GTK_IS_BUTTON (b) && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (b)), "win.export") == 0)
        export = b;
  g_assert_nonnull (export);
  header = gtk_widget_get_width (page->header_box);
  g_assert_true (gtk_widget_compute_bounds (GTK_WIDGET (page->title_label), page->header_box, &title));
  g_assert_true (gtk_widget_compute_bounds (export, page->header_box, &button));
  g_test_message ("%d px: the title %.0f of %d px wide, Export at %.0f, %.0f", width, title.size.width, header,
                  button.origin.x, button.origin.y);
  if (width <= 400)
    {
      g_assert_cmpfloat (title.size.width, >=, header - 1);
      g_assert_cmpfloat (button.origin.y, >=, title.origin.y + title.size.height);
    }
  else
    {
      g_assert_cmpfloat (button.origin.x, >=, title.origin.x + title.size.width);
      g_assert_cmpfloat (button.origin.y, <, title.origin.y + title.size.height);
      g_assert_cmpfloat (button.origin.x + button.size.width, >, header - 60);
    }
  gtk_window_destroy (GTK_WINDOW (window));
  cs_test_ui_settle (5000);
}

typedef struct {
  GtkWidget *widget;
  int        width;
} WidthWait;

static gboolean
at_most (gpointer data)
{
  WidthWait *w = data;

  return gtk_widget_get_mapped (w->widget) && gtk_widget_get_width (w->widget) > 0 &&
         gtk_widget_get_width (w->widget) <= w->width;
}

static void
test_step_outcomes_narrow (void)
{
  g_autoptr(CsRun) run = cs_run_new (CS_MODE_SUPPORT, "The printer queue is stuck");
  GtkWidget *box = cs_step_report_box_new (run, 1);
  GtkWidget *window = gtk_window_new ();
  GtkWidget *worked = cs_test_ui_find_named (box, "step-worked");
  GtkWidget *skipped = cs_test_ui_find_named (box, "step-skipped");
  int line = 0;
  WidthWait w = { window, 0 };
  graphene_rect_t a, b;

  gtk_widget_measure (gtk_widget_get_parent (worked), GTK_ORIENTATION_HORIZONTAL, -1, NULL, &line, NULL, NULL);
  g_test_message ("the outcomes need %d px in a line", line);
  w.width = line * 2 / 3;
  gtk_window_set_child (GTK_WINDOW (window), box);
  gtk_window_set_default_size (GTK_WINDOW (window), w.width, 300);
  gtk_window_present (GTK_WINDOW (window));
  cs_test_ui_settle (5000);
  if (!cs_test_wait_for (at_most, &w, 5000))
    g_error ("a window with a step's outcomes is %d px wide, not %d", gtk_widget_get_width (window), w.width);
  cs_test_ui_save_shot (window, "walk-step-outcomes-narrow.png");
  /* all three there, the last one on a line of its own */
  g_assert_true (gtk_widget_get_mapped (skipped));
  g_assert_true (gtk_widget_compute_bounds (worked, window, &a));
  g_assert_true (gtk_widget_compute_bounds (skipped, window, &b));
  g_assert_cmpfloat (b.origin.y, >=, a.origin.y + a.size.height - 1);
  g_assert_cmpfloat (b.origin.x + b.size.width, <=, gtk_widget_get_width (window));
  gtk_window_destroy (GTK_WINDOW (window));
  cs_test_ui_settle (5000);
}

static gboolean
file_there (gpointer data)
{
  return g_file_test (data, G_FILE_TEST_IS_REGULAR);
}

static void
test_export_open (void)
{
  g_autoptr(CsApplication) app = cs_test_ui_start_app ("Walk");
  CsWindow *win = cs_window_new (app);
  g_autoptr(CsRun) run = cs_run_new (CS_MODE_SUPPORT, "The printer queue is stuck");
  g_autofree char *path = g_build_filename (tmp_dir, "printer.md", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *uri = g_file_get_uri (file);
  g_autofree char *target = NULL;
  ButtonWait wait = { GTK_WIDGET (win->toast_overlay), "win.open-export", NULL };

  gtk_window_present (GTK_WINDOW (win));
  cs_test_ui_settle (5000);
  _cs_window_show_run (win, run);
  _cs_window_export_to_file (win, file, FALSE);
  g_assert_true (cs_test_wait_for (file_there, path, 10000));
  g_assert_true (cs_test_wait_for (button_shown, &wait, 10000));
  g_assert_cmpstr (win->last_toast, ==, "Saved as “printer.md”");
  target = g_variant_dup_string (gtk_actionable_get_action_target_value (GTK_ACTIONABLE (wait.found)), NULL);
  g_assert_cmpstr (target, ==, uri);
  g_assert_true (gtk_widget_is_sensitive (wait.found));
  gtk_window_destroy (GTK_WINDOW (win));
  cs_test_ui_settle (5000);
}

static void
test_alternatives_narrow (void)
{
  GtkWidget *view = g_object_ref_sink (g_object_new (CS_TYPE_CHECKLIST_VIEW, NULL));
  GtkWidget *label = cs_test_ui_find_named (view, "alternatives-label");
  GtkWidget *expander;
  int expander_min = 0, line = 0;

  g_assert_nonnull (label);
  expander = gtk_widget_get_ancestor (label, GTK_TYPE_EXPANDER);
  g_assert_nonnull (expander);
  /* shown with a checklist's alternatives */
  gtk_widget_set_visible (expander, TRUE);
  gtk_widget_measure (label, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &line, NULL, NULL);
  gtk_widget_measure (expander, GTK_ORIENTATION_HORIZONTAL, -1, &expander_min, NULL, NULL, NULL);
  g_test_message ("the heading needs %d px in a line, the expander at least %d", line, expander_min);
  g_assert_cmpint (expander_min, >, 0);
  g_assert_cmpint (expander_min, <, line);
  g_object_unref (view);
}

static void
test_run_header_narrow (void)
{
  check_run_header (360);
  check_run_header (1000);
}

#ifdef CS_TEST_UI_X11
static gboolean
window_gone (gpointer data)
{
  return *(GtkWidget **) data == NULL;
}

static void
test_close_key (void)
{
  g_autoptr(CsApplication) app = cs_test_ui_start_app ("Walk");
  CsWindow *win = cs_window_new (app);
  g_autoptr(GtkBuilder) builder = gtk_builder_new_from_resource ("/io/github/consilium/Consilium/help-overlay.ui");
  g_autoptr(GSList) objects = gtk_builder_get_objects (builder);
  GtkWidget *watched = GTK_WIDGET (win);
  gboolean listed = FALSE;

  /* the shortcuts window says so */
  for (GSList *o = objects; o != NULL; o = o->next)
    if (GTK_IS_SHORTCUTS_SHORTCUT (o->data))
      {
        g_autofree char *accel = NULL;

        g_object_get (o->data, "accelerator", &accel, NULL);
        listed = listed || g_strcmp0 (accel, "<Control>w") == 0;
      }
  g_assert_true (listed);
  gtk_window_destroy (GTK_WINDOW (gtk_builder_get_object (builder, "help_overlay")));

  gtk_window_present (GTK_WINDOW (win));
  g_object_add_weak_pointer (G_OBJECT (win), (gpointer *) &watched);
  cs_test_ui_settle (5000);
  gtk_widget_grab_focus (GTK_WIDGET (win->compose_page->problem_view));
  cs_test_ui_settle (5000);
  if (!cs_test_ui_press_key (GTK_WIDGET (win), XK_Control_L, XK_w))
    {
      g_test_skip ("no XTest");
      gtk_window_destroy (GTK_WINDOW (win));
      return;
    }
  g_assert_true (cs_test_wait_for (window_gone, &watched, 10000));
  cs_test_ui_settle (5000);
}
#endif

int
main (int argc, char *argv[])
{
  g_autofree char *conf = NULL;
  int status;

  tmp_dir = cs_test_make_data_home ("ui-walk");
  conf = g_build_filename (tmp_dir, "config", NULL);
  g_setenv ("XDG_CONFIG_HOME", conf, TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("LANGUAGE", "en", TRUE);
  g_unsetenv ("CONSILIUM_DEMO_URL");
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  provider = cs_test_provider_start_new ();
  {
    g_autofree char *base = cs_test_provider_dup_base_url (provider);
    g_autofree char *ini = g_strdup_printf ("[provider demo]\n"
                                            "name=Demo\n"
                                            "base-url=%s\n"
                                            "api=openai-chat\n"
                                            "models=demo-alpha;demo-beta;demo-gamma;demo-judge\n"
                                            "max-concurrent=8\nrequests-per-minute=0\nmax-retries=0\n", base);

    cs_test_ui_write_providers (conf, ini);
  }

  g_test_add_func ("/ui/walk/toast-details", test_toast_details);
  g_test_add_func ("/ui/walk/chips-narrow", test_chips_narrow);
  g_test_add_func ("/ui/walk/run-header-narrow", test_run_header_narrow);
  g_test_add_func ("/ui/walk/step-outcomes-narrow", test_step_outcomes_narrow);
  g_test_add_func ("/ui/walk/alternatives-narrow", test_alternatives_narrow);
  g_test_add_func ("/ui/walk/export-open", test_export_open);
#ifdef CS_TEST_UI_X11
  g_test_add_func ("/ui/walk/close-key", test_close_key);
#endif
  status = g_test_run ();

  g_clear_object (&provider);
  cs_test_rm_rf (tmp_dir);
  g_free (tmp_dir);
  return status;
}
