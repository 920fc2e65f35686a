/* test-ui-knobs.c: a model's settings popover on the compose page
 * remembered across restarts: set in the popover, kept in the settings
 * (a keyfile backend standing in for dconf), restored by a new page over a
 * new backend reading the same file, and forgotten by Use the Defaults.
 *
 * Runs under Xvfb (GDK_BACKEND=x11, GSK_RENDERER=cairo); CS_TEST_UI_SHOTS=DIR
 * saves DIR/knobs-popover.png.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_SETTINGS_ENABLE_BACKEND 1
#include <gio/gsettingsbackend.h>

#include <adwaita.h>
#include <math.h>
#include <glib/gstdio.h>

#include "cs-compose-page-private.h"
#include "cs-test-provider.h"

static CsTestProvider *provider;
static char *tmp_dir;

static gboolean
wake_up_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static gboolean
wait_for (gboolean (*cond) (gpointer), gpointer data, guint timeout_ms)
{
  guint slack = g_getenv ("CONSILIUM_TEST_SLOW") != NULL ? 6 : 1;
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * slack * 1000;
  guint wake = g_timeout_add (20, wake_up_cb, NULL);
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
child (CsKnobsPopover *popover,
       const char     *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (popover), CS_TYPE_KNOBS_POPOVER, name);

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
  return cs_knobs_is_empty (cs_knobs_popover_get_knobs (popover));
}

static void
save_shot (GtkWidget  *widget,
           const char *name)
{
  const char *dir = g_getenv ("CS_TEST_UI_SHOTS");
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  int w, h;

  if (dir == NULL)
    return;
  wait_for (never, NULL, 300);
  w = gtk_widget_get_width (widget);
  h = gtk_widget_get_height (widget);
  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), w, h);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, w, h));
  path = g_build_filename (dir, name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
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
  wait_for (never, NULL, 100);

  /* nothing remembered: every value Default */
  row = find_row (page, "demo/demo-alpha");
  g_assert_true (cs_knobs_is_empty (cs_knobs_popover_get_knobs (row->knobs)));

  /* set as a person would, in the popover's widgets */
  gtk_menu_button_popup (row->knobs_button);
  gtk_spin_button_set_value (child (row->knobs, "temperature_spin"), 0.3);
  gtk_drop_down_set_selected (child (row->knobs, "verbosity_drop"), 1); /* low */
  gtk_spin_button_set_value (child (row->knobs, "max_tokens_spin"), 700);
  save_shot (GTK_WIDGET (row->knobs), "knobs-popover.png");
  gtk_menu_button_popdown (row->knobs_button);
  gtk_spin_button_set_value (child (find_row (page, "demo/qwen3:8b")->knobs, "n_spin"), 2);
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
  wait_for (never, NULL, 100);
  backend = g_keyfile_settings_backend_new (settings_path, "/io/github/consilium/Consilium/", "consilium");
  settings = g_settings_new_with_backend (APP_ID, backend);
  window = gtk_window_new ();
  page = new_page (GTK_WINDOW (window), settings, config);
  gtk_window_present (GTK_WINDOW (window));
  wait_for (never, NULL, 100);

  row = find_row (page, "demo/demo-alpha");
  knobs = cs_knobs_popover_get_knobs (row->knobs);
  g_assert_cmpfloat_with_epsilon (knobs->temperature, 0.3, 1e-9);
  g_assert_cmpstr (knobs->verbosity, ==, "low");
  g_assert_cmpuint (knobs->max_output_tokens, ==, 700);
  g_assert_null (knobs->reasoning_effort);
  g_assert_cmpfloat_with_epsilon (gtk_spin_button_get_value (child (row->knobs, "temperature_spin")), 0.3, 1e-9);
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (row->knobs_button), "accent"));
  g_assert_true (gtk_widget_get_sensitive (child (row->knobs, "reset_button")));
  g_assert_cmpuint (cs_knobs_popover_get_knobs (find_row (page, "demo/qwen3:8b")->knobs)->n, ==, 2);
  g_assert_true (cs_knobs_is_empty (cs_knobs_popover_get_knobs (find_row (page, "demo/demo-beta")->knobs)));

  /* the run made on the page goes with them */
  gtk_text_buffer_set_text (cs_compose_page_get_buffer (page), "Design a queue", -1);
  cs_compose_page_select_models (page, chosen);
  run = cs_compose_page_create_run (page, &models, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (cs_run_get_knobs (run, "demo/demo-alpha")->temperature, 0.3, 1e-9);
  g_assert_cmpuint (cs_run_get_knobs (run, "demo/qwen3:8b")->n, ==, 2);

  /* Use the Defaults forgets the model's, and only its */
  gtk_menu_button_popup (row->knobs_button);
  g_assert_true (gtk_widget_activate (child (row->knobs, "reset_button")));
  g_assert_true (wait_for (knobs_empty, row->knobs, 5000));
  gtk_menu_button_popdown (row->knobs_button);
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (row->knobs_button), "accent"));
  g_settings_sync ();
  g_assert_true (wait_for (file_lacks, "temperature=0.3", 5000));
  g_assert_true (file_holds ("'demo/qwen3:8b': 'n=2'"));

  gtk_window_destroy (GTK_WINDOW (window));
  wait_for (never, NULL, 50);
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  tmp_dir = g_dir_make_tmp ("cs-test-ui-knobs-XXXXXX", NULL);
  g_setenv ("XDG_DATA_HOME", tmp_dir, TRUE);
  g_setenv ("XDG_STATE_HOME", tmp_dir, TRUE);
  g_setenv ("LANGUAGE", "en", TRUE);
  settings_path = g_build_filename (tmp_dir, "settings.ini", NULL);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  provider = cs_test_provider_new ();
  g_assert_true (cs_test_provider_start (provider, 0, &error));
  g_assert_no_error (error);

  g_test_add_func ("/ui/knobs/remembered", test_remembered);
  status = g_test_run ();

  g_clear_object (&provider);
  g_unlink (settings_path);
  g_rmdir (tmp_dir);
  g_free (settings_path);
  g_free (tmp_dir);
  return status;
}
