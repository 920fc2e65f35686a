/* test-ui-header.c: the main header at any width, in English and German
 *
 * - /ui/header/en, /ui/header/de, with GNOME's window buttons (Close
 *   alone), and /ui/header/three-buttons (English, Minimize, Maximize and
 *   Close): the window at 360, 560 and 900 px wide
 *   (the compose page, a priced model chosen so the estimate shows): the
 *   window is as wide as asked (its minimum fits 360 px), the header's
 *   parts (back or sidebar button, mode switcher, estimate, Run, menu,
 *   window buttons) do not overlap and stay inside it, each label in them
 *   gets its natural width (nothing cut), and a way to switch the mode is
 *   on screen at each width (in the header, or in the bar at the bottom).
 *   German under LANGUAGE=de from the translations this build made; in
 *   German also the follow-up bar under a result fits a 360 px window.
 *
 * Runs under Xvfb (GDK_BACKEND=x11, GSK_RENDERER=cairo); CS_TEST_UI_SHOTS=DIR
 * saves DIR/header-LANG-BUTTONS-WIDTH.png.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <locale.h>
#include <string.h>
#include <glib/gi18n.h>

#include "cs-estimate-button.h"
#include "cs-follow-up-bar.h"
#include "cs-test-provider.h"
#include "cs-window-private.h"
#include "test-ui-util.h"

/* A failure: fatal, or FALSE for a wait to try again. */
#define FAIL(...) G_STMT_START { if (fatal) g_error (__VA_ARGS__); return FALSE; } G_STMT_END

static CsTestProvider *provider;
static char *tmp_dir;

static gboolean
estimate_shown (gpointer data)
{
  CsWindow *win = data;

  return cs_estimate_button_get_text (win->estimate_button) != NULL;
}

/* The estimate of the models chosen last is shown (it follows a change a
 * moment later: until then the one before may be). */
static gboolean
estimate_priced (gpointer data)
{
  CsWindow *win = data;

  return estimate_shown (win) &&
         g_str_has_prefix (cs_estimate_button_get_text (win->estimate_button), "≈");
}

static gboolean
estimate_unpriced (gpointer data)
{
  CsWindow *win = data;

  return estimate_shown (win) &&
         g_strcmp0 (cs_estimate_button_get_text (win->estimate_button), "Price unknown") == 0;
}

/* The header's parts as a person sees them: the mapped children of its
 * start and end boxes and its title, one level down where a box holds
 * several (the linked mode buttons, the estimate beside Run). */
static void
collect_parts (GtkWidget *w,
               int        depth,
               GPtrArray *out)
{
  for (GtkWidget *c = gtk_widget_get_first_child (w); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      if (!gtk_widget_get_mapped (c) || gtk_widget_get_width (c) == 0)
        continue;
      if (GTK_IS_BUTTON (c) || GTK_IS_MENU_BUTTON (c) || CS_IS_ESTIMATE_BUTTON (c) ||
          ADW_IS_WINDOW_TITLE (c) || GTK_IS_WINDOW_CONTROLS (c) || GTK_IS_LABEL (c))
        g_ptr_array_add (out, c);
      else if (depth < 8)
        collect_parts (c, depth + 1, out);
    }
}

static void
collect_labels (GtkWidget *w,
                GPtrArray *out)
{
  for (GtkWidget *c = gtk_widget_get_first_child (w); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      if (!gtk_widget_get_mapped (c))
        continue;
      if (GTK_IS_LABEL (c))
        g_ptr_array_add (out, c);
      collect_labels (c, out);
    }
}

/* For messages: the type and text of @w (two buffers in turn, so two
 * can be in one message). */
static const char *
describe (GtkWidget *w)
{
  static char bufs[2][256];
  static guint n;
  char *buf = bufs[n++ % 2];
  const char *text = NULL;

  if (GTK_IS_BUTTON (w))
    text = gtk_button_get_label (GTK_BUTTON (w));
  else if (GTK_IS_LABEL (w))
    text = gtk_label_get_text (GTK_LABEL (w));
  else if (CS_IS_ESTIMATE_BUTTON (w))
    text = cs_estimate_button_get_text (CS_ESTIMATE_BUTTON (w));
  g_snprintf (buf, sizeof bufs[0], "%s “%s”", G_OBJECT_TYPE_NAME (w), text != NULL ? text : "");
  return buf;
}

static GtkWidget *
find_header (GtkWidget *w)
{
  if (ADW_IS_HEADER_BAR (w) && gtk_widget_get_mapped (w) && gtk_widget_get_name (w) != NULL &&
      g_str_equal (gtk_widget_get_name (w), "main-header"))
    return w;
  for (GtkWidget *c = gtk_widget_get_first_child (w); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_header (c);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The parts of @header do not overlap, stay inside it and show each label
 * whole. */
static gboolean
header_fits (GtkWidget  *header,
             const char *where,
             gboolean    fatal)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  int width = gtk_widget_get_width (header);

  collect_parts (header, 0, parts);
  g_assert_cmpuint (parts->len, >=, 3);
  for (guint i = 0; i < parts->len; i++)
    {
      GtkWidget *a = g_ptr_array_index (parts, i);
      graphene_rect_t ra;

      g_assert_true (gtk_widget_compute_bounds (a, header, &ra));
      if (fatal)
        g_test_message ("%s: %s at %.0f, %.0f wide", where, describe (a), ra.origin.x, ra.size.width);
      if (ra.origin.x < 0 || ra.origin.x + ra.size.width > width + 0.5)
        FAIL ("%s: %s (%.0f to %.0f) is not inside the header (%d wide)", where, describe (a),
                 ra.origin.x, ra.origin.x + ra.size.width, width);
      for (guint j = i + 1; j < parts->len; j++)
        {
          GtkWidget *b = g_ptr_array_index (parts, j);
          graphene_rect_t rb;
          double slack;

          g_assert_true (gtk_widget_compute_bounds (b, header, &rb));
          /* linked buttons share their 1 px border */
          slack = gtk_widget_get_parent (a) == gtk_widget_get_parent (b) &&
                  gtk_widget_has_css_class (gtk_widget_get_parent (a), "linked") ? 1.5 : 0.5;
          if (ra.origin.x < rb.origin.x + rb.size.width - slack && rb.origin.x < ra.origin.x + ra.size.width - slack)
            FAIL ("%s: %s (%.0f to %.0f) overlaps %s (%.0f to %.0f)", where,
                     describe (a), ra.origin.x, ra.origin.x + ra.size.width,
                     describe (b), rb.origin.x, rb.origin.x + rb.size.width);
        }
    }

  collect_labels (header, labels);
  for (guint i = 0; i < labels->len; i++)
    {
      GtkWidget *label = g_ptr_array_index (labels, i);
      int natural = 0;

      if (gtk_label_get_text (GTK_LABEL (label))[0] == '\0')
        continue;
      gtk_widget_measure (label, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &natural, NULL, NULL);
      if (natural > gtk_widget_get_width (label))
        FAIL ("%s: %s is cut: %d px of %d", where, describe (label), gtk_widget_get_width (label), natural);
    }
  return TRUE;
}

/* A toggle for each mode is on screen (the header's or the bottom bar's). */
static gboolean
modes_reachable (CsWindow   *win,
                 const char *where,
                 gboolean    fatal)
{
  const char *modes[] = { "'architect'", "'support'" };

  for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
    {
      gboolean found = FALSE;

      /* the toggles are found by their action target */
      {
        GPtrArray *stack = g_ptr_array_new ();

        g_ptr_array_add (stack, win);
        while (stack->len > 0 && !found)
          {
            GtkWidget *w = g_ptr_array_steal_index (stack, stack->len - 1);

            if (GTK_IS_TOGGLE_BUTTON (w) && gtk_widget_get_mapped (w) &&
                g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (w)), "win.mode") == 0)
              {
                g_autofree char *target = g_variant_print (gtk_actionable_get_action_target_value (GTK_ACTIONABLE (w)), FALSE);
                graphene_rect_t b;

                g_assert_true (gtk_widget_compute_bounds (w, GTK_WIDGET (win), &b));
                if (g_str_equal (target, modes[m]) && b.origin.x >= 0 &&
                    b.origin.x + b.size.width <= gtk_widget_get_width (GTK_WIDGET (win)) &&
                    b.origin.y >= 0 && b.origin.y + b.size.height <= gtk_widget_get_height (GTK_WIDGET (win)))
                  found = TRUE;
              }
            for (GtkWidget *c = gtk_widget_get_first_child (w); c != NULL; c = gtk_widget_get_next_sibling (c))
              g_ptr_array_add (stack, c);
          }
        g_ptr_array_unref (stack);
      }
      if (!found)
        FAIL ("%s: no toggle for the %s mode on screen", where, modes[m]);
    }
  return TRUE;
}

typedef struct {
  CsWindow   *win;
  const char *where;
} Laid;

/* Both hold (once the leaflet's and the bar's animations are over). */
static gboolean
animating (GtkWidget *w)
{
  if (GTK_IS_REVEALER (w) && gtk_widget_get_mapped (w) &&
      gtk_revealer_get_child_revealed (GTK_REVEALER (w)) != gtk_revealer_get_reveal_child (GTK_REVEALER (w)))
    return TRUE;
  if (ADW_IS_SQUEEZER (w) && adw_squeezer_get_transition_running (ADW_SQUEEZER (w)))
    return TRUE;
  if (ADW_IS_LEAFLET (w) && adw_leaflet_get_child_transition_running (ADW_LEAFLET (w)))
    return TRUE;
  for (GtkWidget *c = gtk_widget_get_first_child (w); c != NULL; c = gtk_widget_get_next_sibling (c))
    if (animating (c))
      return TRUE;
  return FALSE;
}

static gboolean
laid_out (gpointer data)
{
  Laid *l = data;
  GtkWidget *header = find_header (GTK_WIDGET (l->win));

  return header != NULL && !animating (GTK_WIDGET (l->win)) &&
         header_fits (header, l->where, FALSE) && modes_reachable (l->win, l->where, FALSE);
}

typedef struct {
  GtkWidget *widget;
  int        width;
} WidthWait;

static gboolean
has_width (gpointer data)
{
  WidthWait *w = data;

  return gtk_widget_get_width (w->widget) == w->width;
}

/* What the estimate shows can be read: an amount (a digit) or words (a
 * letter), never bare signs such as "$ ?". */
static void
estimate_readable (CsWindow   *win,
                   const char *where)
{
  const char *shown = cs_estimate_button_get_shown_text (win->estimate_button);
  gboolean readable = FALSE;

  g_assert_nonnull (shown);
  g_test_message ("%s: the estimate shows “%s”", where, shown);
  for (const char *p = shown; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_isalnum (g_utf8_get_char (p)))
      readable = TRUE;
  if (!readable)
    g_error ("%s: the estimate shows “%s”, which says nothing", where, shown);
}

/* @layout: the window buttons' (GtkSettings:gtk-decoration-layout);
 * @models: those chosen, @priced whether they all have a price; @widths:
 * the window's, -1 ended */
static void
check_widths_of (const char  *lang,
                 const char  *layout,
                 const char **models,
                 gboolean     priced,
                 const int   *widths)
{
  g_autoptr(CsApplication) app = cs_test_ui_start_app ("Header");
  CsWindow *win = cs_window_new (app);
  int frame;

  g_object_set (gtk_settings_get_default (), "gtk-decoration-layout", layout, NULL);
  gtk_window_set_default_size (GTK_WINDOW (win), widths[0], 700);
  gtk_window_present (GTK_WINDOW (win));
  cs_test_ui_settle (5000);
  _cs_window_set_mode (win, "architect");
  gtk_text_buffer_set_text (_cs_window_get_problem_buffer (win), "A cache in front of a slow inventory service", -1);
  _cs_window_select_models (win, models);
  /* (in German the range is not "≈ …" nor is "Price unknown" the words) */
  g_assert_true (cs_test_wait_for (estimate_shown, win, 10000));
  if (g_str_equal (lang, "en"))
    g_assert_true (cs_test_wait_for (priced ? estimate_priced : estimate_unpriced, win, 10000));
  /* the window's frame (its shadow) around the content */
  frame = widths[0] - gtk_widget_get_width (GTK_WIDGET (win->toast_overlay));
  g_assert_cmpint (frame, >=, 0);

  for (guint i = 0; widths[i] > 0; i++)
    {
      g_autofree char *where = g_strdup_printf ("%s, %s, %s, %d px", lang, layout, models[0], widths[i]);
      g_autofree char *shot = g_strdup_printf ("header-%s-%s-%s-%d.png", lang, layout[0] == ':' ? "three" : "close",
                                               strchr (models[0], '/') + 1, widths[i]);
      WidthWait w = { GTK_WIDGET (win->toast_overlay), widths[i] };
      Laid laid = { win, where };
      GtkWidget *header;

      gtk_window_set_default_size (GTK_WINDOW (win), widths[i] + frame, 700);
      cs_test_ui_settle (5000);
      if (!cs_test_wait_for (has_width, &w, 5000))
        g_error ("%s: the window is %d px wide, not %d (its minimum is too wide)", where,
                 gtk_widget_get_width (w.widget), widths[i]);
      /* the leaflet folds and the bar slides in: the layout once they
       * are done (a failure is told below) */
      cs_test_wait_for (laid_out, &laid, 5000);
      cs_test_ui_settle (5000);
      cs_test_ui_save_shot (GTK_WIDGET (win), shot);
      header = find_header (GTK_WIDGET (win));
      g_assert_nonnull (header);
      g_assert_true (estimate_shown (win));
      header_fits (header, where, TRUE);
      modes_reachable (win, where, TRUE);
      estimate_readable (win, where);
    }

  gtk_window_destroy (GTK_WINDOW (win));
  cs_test_ui_settle (5000);
}

static void
check_widths (const char *lang,
              const char *layout)
{
  const char *priced[] = { "demo/demo-alpha", NULL };
  const int widths[] = { 900, 560, 360, -1 };

  check_widths_of (lang, layout, priced, TRUE, widths);
}

/* GNOME's window buttons: Close alone */
#define GNOME_LAYOUT "appmenu:close"

static void
test_english (void)
{
  g_setenv ("LANGUAGE", "en", TRUE);
  check_widths ("en", GNOME_LAYOUT);
}

/* Minimize, Maximize and Close, as other desktops have them */
static void
test_three_buttons (void)
{
  g_setenv ("LANGUAGE", "en", TRUE);
  check_widths ("en", ":minimize,maximize,close");
}

static gboolean
prices_shown (gpointer data)
{
  GListModel *tops = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (tops); i++)
    {
      g_autoptr(GtkWindow) w = g_list_model_get_item (tops, i);
      AdwPreferencesPage *page;

      if (!ADW_IS_PREFERENCES_WINDOW (w) || !gtk_widget_get_mapped (GTK_WIDGET (w)))
        continue;
      page = adw_preferences_window_get_visible_page (ADW_PREFERENCES_WINDOW (w));
      if (page != NULL && g_strcmp0 (adw_preferences_page_get_title (page), "Prices") == 0)
        {
          *(GtkWindow **) data = w;
          return TRUE;
        }
    }
  return FALSE;
}

/* A model without a price (Minimize, Maximize and Close): the estimate
 * says so in words from 1200 px down to 360 px, and its popover leads to
 * the prices. */
static void
test_unpriced (void)
{
  const char *unpriced[] = { "demo/demo-beta", NULL };
  const int widths[] = { 1200, 900, 560, 360, -1 };
  g_autoptr(CsApplication) app = NULL;
  GtkWidget *set_prices;
  GtkWindow *prefs = NULL;
  CsWindow *win;

  g_setenv ("LANGUAGE", "en", TRUE);
  check_widths_of ("en", ":minimize,maximize,close", unpriced, FALSE, widths);

  app = cs_test_ui_start_app ("Header");
  win = cs_window_new (app);
  gtk_window_present (GTK_WINDOW (win));
  cs_test_ui_settle (5000);
  _cs_window_set_mode (win, "architect");
  gtk_text_buffer_set_text (_cs_window_get_problem_buffer (win), "A cache in front of a slow inventory service", -1);
  _cs_window_select_models (win, unpriced);
  g_assert_true (cs_test_wait_for (estimate_unpriced, win, 10000));
  gtk_popover_popup (cs_estimate_button_get_popover (win->estimate_button));
  cs_test_ui_settle (5000);
  set_prices = cs_test_ui_find_named (GTK_WIDGET (win->estimate_button), "set-prices");
  g_assert_nonnull (set_prices);
  g_assert_true (gtk_widget_get_mapped (set_prices));
  g_assert_true (gtk_widget_activate (set_prices));
  g_assert_true (cs_test_wait_for (prices_shown, &prefs, 10000));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (cs_estimate_button_get_popover (win->estimate_button))));
  gtk_window_destroy (prefs);

  /* a priced model: no such button */
  {
    const char *priced[] = { "demo/demo-alpha", NULL };

    _cs_window_select_models (win, priced);
    g_assert_true (cs_test_wait_for (estimate_priced, win, 10000));
    gtk_popover_popup (cs_estimate_button_get_popover (win->estimate_button));
    cs_test_ui_settle (5000);
    g_assert_false (gtk_widget_get_visible (set_prices));
    gtk_popover_popdown (cs_estimate_button_get_popover (win->estimate_button));
  }
  gtk_window_destroy (GTK_WINDOW (win));
  cs_test_ui_settle (5000);
}

typedef struct {
  GtkWidget *window;
  int        width;
} SizedWait;

static gboolean
window_sized (gpointer data)
{
  SizedWait *w = data;

  return gtk_widget_get_mapped (w->window) && gtk_widget_get_width (w->window) > 0 &&
         gtk_widget_get_width (w->window) <= w->width;
}

/* The follow-up bar under a result (German: its longest words) fits a
 * 360 px window: the scope's drop-down gives way (its choice cut short,
 * the whole of it in its list), not the window. */
static void
check_follow_up_bar (void)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *bar = cs_follow_up_bar_new ();
  SizedWait w = { window, 360 };
  int min = 0;

  gtk_widget_set_visible (bar, TRUE);
  gtk_window_set_child (GTK_WINDOW (window), bar);
  gtk_window_set_default_size (GTK_WINDOW (window), 360, 300);
  gtk_window_present (GTK_WINDOW (window));
  cs_test_ui_settle (5000);
  gtk_widget_measure (bar, GTK_ORIENTATION_HORIZONTAL, -1, &min, NULL, NULL, NULL);
  g_test_message ("the follow-up bar needs %d px", min);
  if (!cs_test_wait_for (window_sized, &w, 5000))
    g_error ("a window with the follow-up bar is %d px wide, not 360 (the bar needs %d)",
             gtk_widget_get_width (window), min);
  cs_test_ui_save_shot (window, "follow-up-bar-narrow.png");
  gtk_window_destroy (GTK_WINDOW (window));
  cs_test_ui_settle (5000);
}

static void
test_german (void)
{
  g_autofree char *localedir = g_test_build_filename (G_TEST_BUILT, "..", "po", NULL);
  g_autofree char *mo = g_build_filename (localedir, "de", "LC_MESSAGES", GETTEXT_PACKAGE ".mo", NULL);

  /* built with the app (po/meson.build): missing, the build is broken */
  g_assert_true (g_file_test (mo, G_FILE_TEST_IS_REGULAR));
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  /* the templates' domain, as the app's main () sets it */
  textdomain (GETTEXT_PACKAGE);
  g_setenv ("LANGUAGE", "de", TRUE);
  /* any locale but C lets LANGUAGE choose (gtk_test_init () asks for
   * en_US.UTF-8, which may not be there); C.UTF-8 is always there */
  g_assert_nonnull (setlocale (LC_ALL, "C.UTF-8"));
  g_assert_cmpstr (_("_Run"), !=, "_Run");
  check_widths ("de", GNOME_LAYOUT);
  check_follow_up_bar ();
  /* English again: the C locale reads no translation */
  setlocale (LC_ALL, "C");
  g_setenv ("LANGUAGE", "en", TRUE);
}

int
main (int argc, char *argv[])
{
  g_autofree char *conf = NULL;
  int status;

  tmp_dir = cs_test_make_data_home ("ui-header");
  conf = g_build_filename (tmp_dir, "config", NULL);
  g_setenv ("XDG_CONFIG_HOME", conf, TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
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
                                            "models=demo-alpha;demo-beta\n"
                                            "max-concurrent=8\nrequests-per-minute=0\nmax-retries=0\n\n"
                                            "[model demo/demo-alpha]\n"
                                            "price-input=1.25\n"
                                            "price-output=10\n", base);

    cs_test_ui_write_providers (conf, ini);
  }

  g_test_add_func ("/ui/header/en", test_english);
  g_test_add_func ("/ui/header/de", test_german);
  g_test_add_func ("/ui/header/three-buttons", test_three_buttons);
  g_test_add_func ("/ui/header/unpriced", test_unpriced);
  status = g_test_run ();

  g_clear_object (&provider);
  cs_test_rm_rf (tmp_dir);
  g_free (tmp_dir);
  return status;
}
