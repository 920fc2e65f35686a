/* cs-window-actions.c: the window's actions: run, cancel, export, history
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-window-actions"

#include "config.h"

#include <glib/gi18n.h>

#include "cs-preferences-window.h"
#include "cs-window-private.h"

static CsApplication *
get_app (CsWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  return CS_IS_APPLICATION (app) ? CS_APPLICATION (app) : NULL;
}

void
_cs_window_actions_update (CsWindow *self)
{
  const char *page;
  gboolean running, has_run, has_result;
  GtkTextBuffer *buffer;

  g_return_if_fail (CS_IS_WINDOW (self));

  if (self->main_stack == NULL)
    return;

  page = gtk_stack_get_visible_child_name (self->main_stack);
  running = self->running_run != NULL;
  has_run = self->run != NULL && g_strcmp0 (page, "run") == 0;
  has_result = has_run;
  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->problem_view));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.run",
                                 !running && g_strcmp0 (page, "compose") == 0 &&
                                 gtk_text_buffer_get_char_count (buffer) > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.cancel", running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export", has_result);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export-json", has_result);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.copy-markdown", has_result);

  if (running && g_strcmp0 (page, "run") == 0 && self->run == self->running_run)
    gtk_stack_set_visible_child_name (self->run_button_stack, "cancel");
  else if (g_strcmp0 (page, "run") == 0)
    gtk_stack_set_visible_child_name (self->run_button_stack, "new");
  else
    gtk_stack_set_visible_child_name (self->run_button_stack, "run");
}

static void
run_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *param)
{
  _cs_window_start_run (CS_WINDOW (widget));
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  _cs_window_cancel_run (CS_WINDOW (widget));
}

static void
new_run_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  CsWindow *self = CS_WINDOW (widget);

  _cs_window_show_compose (self);
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

static void
toggle_sidebar_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *param)
{
  CsWindow *self = CS_WINDOW (widget);

  g_settings_set_boolean (self->settings, "sidebar-visible",
                          !g_settings_get_boolean (self->settings, "sidebar-visible"));
}

static void
show_sidebar_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  CsWindow *self = CS_WINDOW (widget);

  g_settings_set_boolean (self->settings, "sidebar-visible", TRUE);
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static CsRun *
find_run (CsWindow   *self,
          const char *id)
{
  return cs_run_store_find (self->store, id);
}

/* ---- retry ---- */

static void
retry_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(CsWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!cs_runner_retry_candidate_finish (CS_RUNNER (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
      self->toast_overlay != NULL)
    _cs_window_toast (self, error->message);
}

static void
retry_candidate_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *param)
{
  CsWindow *self = CS_WINDOW (widget);
  const char *id = g_variant_get_string (param, NULL);
  CsRunner *runner;

  if (self->run == NULL || cs_run_find_candidate (self->run, id) == NULL)
    return;

  runner = _cs_window_ensure_runner (self, self->run);
  if (runner == NULL)
    return;

  cs_runner_retry_candidate_async (runner, id, self->cancellable, retry_cb, g_object_ref (self));
}

static void
cancel_candidate_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *param)
{
  CsWindow *self = CS_WINDOW (widget);
  const char *id = g_variant_get_string (param, NULL);
  CsRunner *runner;

  if (self->run == NULL || cs_run_find_candidate (self->run, id) == NULL)
    return;
  runner = g_hash_table_lookup (self->runners, cs_run_get_id (self->run));
  if (runner != NULL)
    cs_runner_cancel_candidate (runner, id);
}

/* ---- rename ---- */

static void
rename_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    gpointer          user_data)
{
  CsRun *run = user_data;
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "cs-entry");
  g_autofree char *title = NULL;

  if (g_strcmp0 (response, "rename") != 0)
    return;

  title = g_strstrip (g_strdup (gtk_editable_get_text (entry)));
  if (title[0] != '\0')
    {
      cs_run_set_title (run, title);
      cs_run_touch (run);
    }
}

static void
rename_run_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  CsWindow *self = CS_WINDOW (widget);
  CsRun *run = find_run (self, g_variant_get_string (param, NULL));
  GtkWidget *dialog, *entry;

  if (run == NULL)
    return;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Rename Run"), NULL);
  entry = gtk_entry_new ();
  gtk_editable_set_text (GTK_EDITABLE (entry), cs_run_get_title (run) ? cs_run_get_title (run) : "");
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Title"),
                                  -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "rename", _("_Rename"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "rename", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "rename");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "cs-entry", entry);
  g_signal_connect_data (dialog, "response", G_CALLBACK (rename_response_cb),
                         g_object_ref (run), (GClosureNotify) (void (*) (void)) g_object_unref, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

/* ---- delete with undo ---- */

typedef struct
{
  CsWindow *self;   /* weak */
  char     *id;
  gboolean  undone;
} DeleteData;

static void
delete_data_free (gpointer data)
{
  DeleteData *d = data;

  g_clear_weak_pointer (&d->self);
  g_free (d->id);
  g_free (d);
}

static void
delete_undo_cb (AdwToast   *toast,
                DeleteData *d)
{
  d->undone = TRUE;
  if (d->self != NULL && d->self->pending_delete != NULL)
    {
      g_hash_table_remove (d->self->pending_delete, d->id);
      gtk_filter_changed (GTK_FILTER (d->self->history_filter), GTK_FILTER_CHANGE_LESS_STRICT);
    }
}

static void
delete_dismissed_cb (AdwToast   *toast,
                     DeleteData *d)
{
  g_autoptr(GError) error = NULL;
  CsRun *run;

  /* a disposed window has deleted its pending runs already */
  if (d->undone || d->self == NULL || d->self->pending_delete == NULL)
    return;

  run = g_hash_table_lookup (d->self->pending_delete, d->id);
  if (run == NULL)
    return;

  if (!cs_run_store_delete (d->self->store, run, &error))
    _cs_window_toast (d->self, error->message);
  g_hash_table_remove (d->self->pending_delete, d->id);
}

static void
delete_run_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  CsWindow *self = CS_WINDOW (widget);
  CsRun *run = find_run (self, g_variant_get_string (param, NULL));
  AdwToast *toast;
  DeleteData *d;
  g_autofree char *title = NULL;
  g_autofree char *escaped = NULL;

  if (run == NULL || run == self->running_run)
    {
      if (run != NULL)
        _cs_window_toast (self, _("Cancel the run before deleting it"));
      return;
    }

  g_hash_table_insert (self->pending_delete, g_strdup (cs_run_get_id (run)), g_object_ref (run));
  gtk_filter_changed (GTK_FILTER (self->history_filter), GTK_FILTER_CHANGE_MORE_STRICT);
  if (self->run == run)
    _cs_window_show_compose (self);

  d = g_new0 (DeleteData, 1);
  g_set_weak_pointer (&d->self, self);
  d->id = g_strdup (cs_run_get_id (run));

  /* toast titles are markup on libadwaita 1.2 */
  escaped = g_markup_escape_text (cs_run_get_title (run) ? cs_run_get_title (run) : _("Untitled"), -1);
  title = g_strdup_printf (_("“%s” deleted"), escaped);
  toast = adw_toast_new (title);
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  g_signal_connect (toast, "button-clicked", G_CALLBACK (delete_undo_cb), d);
  g_signal_connect_data (toast, "dismissed", G_CALLBACK (delete_dismissed_cb), d,
                         (GClosureNotify) (void (*) (void)) delete_data_free, 0);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* ---- export ---- */

static void
export_write_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (object), result, NULL, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
_cs_window_export_async (CsWindow            *self,
                         GFile               *file,
                         gboolean             json,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GBytes) bytes = NULL;
  char *text;

  g_return_if_fail (CS_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, _cs_window_export_async);
  g_task_set_task_data (task, g_object_ref (file), g_object_unref);

  if (self->run == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("There is no run to export"));
      return;
    }

  text = json ? cs_export_json (self->run) : cs_export_markdown (self->run);
  if (text == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, _("The run could not be exported"));
      return;
    }

  bytes = g_bytes_new_take (text, strlen (text));
  g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE,
                                       G_FILE_CREATE_REPLACE_DESTINATION,
                                       cancellable, export_write_cb,
                                       g_steal_pointer (&task));
}

gboolean
_cs_window_export_finish (CsWindow      *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
export_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  CsWindow *self = CS_WINDOW (object);
  g_autoptr(GError) error = NULL;

  if (!_cs_window_export_finish (self, result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *msg = g_strdup_printf (_("Could not export: %s"), error->message);
          _cs_window_toast (self, msg);
        }
    }
  else
    {
      GFile *file = g_task_get_task_data (G_TASK (result));
      g_autofree char *name = file != NULL ? g_file_get_basename (file) : NULL;
      g_autofree char *msg = g_strdup_printf (_("Saved as “%s”"), name != NULL ? name : "");

      _cs_window_toast (self, msg);
    }
}

static char *
export_file_name (CsRun      *run,
                  const char *ext)
{
  g_autofree char *title = g_strdup (cs_run_get_title (run) != NULL ? cs_run_get_title (run) : "consilium");

  g_strdelimit (title, "/\\:*?\"<>|\n\r\t", '-');
  if (strlen (title) > 60)
    title[60] = '\0';
  return g_strconcat (title, ext, NULL);
}

static void
chooser_response_cb (GtkNativeDialog *dialog,
                     int              response,
                     gpointer         user_data)
{
  g_autoptr(CsWindow) self = user_data;
  gboolean json = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "cs-json"));

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (file != NULL)
        _cs_window_export_async (self, file, json, self->cancellable, export_done_cb, NULL);
    }

  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
export_with_chooser (CsWindow *self,
                     gboolean  json)
{
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  g_autofree char *name = NULL;

  if (self->run == NULL)
    return;

  chooser = gtk_file_chooser_native_new (json ? _("Export JSON") : _("Export Markdown"),
                                         GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE,
                                         _("_Export"), _("_Cancel"));
  if (json)
    {
      gtk_file_filter_set_name (filter, _("JSON"));
      gtk_file_filter_add_mime_type (filter, "application/json");
    }
  else
    {
      gtk_file_filter_set_name (filter, _("Markdown"));
      gtk_file_filter_add_mime_type (filter, "text/markdown");
      gtk_file_filter_add_pattern (filter, "*.md");
    }
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  name = export_file_name (self->run, json ? ".json" : ".md");
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_object_set_data (G_OBJECT (chooser), "cs-json", GINT_TO_POINTER (json));
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  export_with_chooser (CS_WINDOW (widget), FALSE);
}

static void
export_json_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  export_with_chooser (CS_WINDOW (widget), TRUE);
}

static void
copy_markdown_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  CsWindow *self = CS_WINDOW (widget);
  g_autofree char *text = NULL;

  if (self->run == NULL)
    return;

  text = cs_export_markdown (self->run);
  if (text == NULL)
    {
      _cs_window_toast (self, _("The run could not be exported"));
      return;
    }
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), text);
  _cs_window_toast (self, _("Copied as Markdown"));
}

static void
copied_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  _cs_window_toast (CS_WINDOW (widget), _("Copied to the clipboard"));
}

/* -------------------------------------------------------------------------
 * Welcome page: presets and local servers
 */

static char *
demo_base_url (void)
{
  const char *env = g_getenv ("CONSILIUM_DEMO_URL");
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  guint64 port;

  if (env != NULL && env[0] != '\0')
    return g_strdup (env);

  /* tools/run.sh writes it in $XDG_RUNTIME_DIR, or /tmp without one */
  path = g_build_filename (g_get_user_runtime_dir (), "consilium-demo-provider.port", NULL);
  if (!g_file_get_contents (path, &contents, NULL, NULL))
    {
      g_free (path);
      path = g_build_filename (g_get_tmp_dir (), "consilium-demo-provider.port", NULL);
      if (g_getenv ("XDG_RUNTIME_DIR") != NULL ||
          !g_file_get_contents (path, &contents, NULL, NULL))
        return NULL;
    }
  g_strstrip (contents);
  if (!g_ascii_string_to_unsigned (contents, 10, 1, 65535, &port, NULL))
    return NULL;

  return g_strdup_printf ("http://127.0.0.1:%u/v1", (guint) port);
}

typedef struct
{
  CsWindow         *self;   /* weak */
  CsProviderConfig *provider;
  GtkWidget        *row;    /* weak */
  GtkWidget        *button; /* weak */
} ProbeData;

static void
probe_data_free (ProbeData *d)
{
  g_clear_weak_pointer (&d->self);
  g_clear_weak_pointer (&d->row);
  g_clear_weak_pointer (&d->button);
  cs_provider_config_free (d->provider);
  g_free (d);
}

/* The models of @a, then those of @b not in @a; NULL-terminated. */
static char **
merge_models (const char * const *a,
              const char * const *b)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; a != NULL && a[i] != NULL; i++)
    g_strv_builder_add (builder, a[i]);
  for (guint i = 0; b != NULL && b[i] != NULL; i++)
    {
      if (a == NULL || !g_strv_contains (a, b[i]))
        g_strv_builder_add (builder, b[i]);
    }

  return g_strv_builder_end (builder);
}

static void
use_provider (CsWindow               *self,
              const CsProviderConfig *provider,
              const char * const     *models)
{
  CsApplication *app = get_app (self);
  g_autoptr(CsConfig) config = NULL;
  g_autoptr(CsProviderConfig) merged = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  const CsProviderConfig *existing;
  char **names;
  guint n;

  if (app == NULL)
    return;

  /* a fresh copy of the current configuration, written back in one go; a
   * file that cannot be read is left as it is, never replaced */
  path = cs_config_get_default_path ();
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      config = cs_config_new_from_file (path, &error);
      if (config == NULL)
        {
          g_debug ("Not writing %s: %s", path, error->message);
          /* Translators: %s is the file's path, then the reason it could not be read */
          text = g_strdup_printf (_("The providers file %s was left unchanged: it could not be read: %s"),
                                  path, error->message);
          _cs_window_toast (self, text);
          return;
        }
    }
  else
    config = cs_config_new ();

  /* a provider already there keeps its settings and its models' prices;
   * cs_config_set_provider gives only the models new to it defaults */
  existing = cs_config_find_provider (config, provider->id);
  if (existing != NULL)
    {
      merged = cs_provider_config_copy (existing);
      g_free (merged->base_url);
      merged->base_url = g_strdup (provider->base_url);
      merged->api = provider->api;
      merged->key_optional = provider->key_optional;
    }
  else
    merged = cs_provider_config_copy (provider);

  names = merge_models ((const char * const *) merged->models, models);
  g_strfreev (merged->models);
  merged->models = names;

  cs_config_set_provider (config, merged);

  if (!cs_config_save (config, path, &error))
    {
      text = g_strdup_printf (_("Could not save the providers: %s"), error->message);
      _cs_window_toast (self, text);
      return;
    }

  cs_application_set_config (app, config);

  /* the provider's models (names the config dropped as invalid not counted) */
  existing = cs_config_find_provider (config, merged->id);
  n = existing != NULL && existing->models != NULL ? g_strv_length (existing->models) : 0;
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s added with %u model", "%s added with %u models", n),
                          merged->name != NULL ? merged->name : merged->id, n);
  _cs_window_toast (self, text);
}

static void
probe_use_cb (GtkButton *button,
              GStrv      models)
{
  GtkWidget *widget = GTK_WIDGET (button);
  CsWindow *self = CS_WINDOW (gtk_widget_get_root (widget));
  CsProviderConfig *provider = g_object_get_data (G_OBJECT (button), "cs-provider");

  use_provider (self, provider, (const char * const *) models);
}

static void
probe_models_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  ProbeData *d = user_data;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) models = NULL;
  g_autofree char *subtitle = NULL;

  models = cs_provider_client_list_models_finish (CS_PROVIDER_CLIENT (object), result, &error);

  if (d->row != NULL && d->button != NULL)
    {
      if (models == NULL || models[0] == NULL)
        gtk_widget_set_visible (d->row, FALSE);
      else
        {
          guint n = g_strv_length (models);

          subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Answers on %s with %u model", "Answers on %s with %u models", n),
                                      d->provider->base_url, n);
          adw_action_row_set_subtitle (ADW_ACTION_ROW (d->row), subtitle);
          gtk_widget_set_visible (d->row, TRUE);
          gtk_widget_set_sensitive (d->button, TRUE);
          g_object_set_data_full (G_OBJECT (d->button), "cs-provider",
                                  cs_provider_config_copy (d->provider),
                                  (GDestroyNotify) cs_provider_config_free);
          g_signal_connect_data (d->button, "clicked", G_CALLBACK (probe_use_cb),
                                 g_steal_pointer (&models),
                                 (GClosureNotify) (void (*) (void)) g_strfreev, 0);
        }
    }

  probe_data_free (d);
}

static void
add_probe_row (CsWindow         *self,
               CsProviderConfig *provider,
               const char       *title,
               const char       *button_label)
{
  g_autoptr(CsProviderClient) client = NULL;
  GtkWidget *row, *button;
  ProbeData *d;

  row = adw_action_row_new ();
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _("Looking…"));
  button = gtk_button_new_with_mnemonic (button_label);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_sensitive (button, FALSE);
  gtk_widget_add_css_class (button, "suggested-action");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  gtk_widget_set_visible (row, FALSE);
  gtk_list_box_append (self->welcome_list, row);

  d = g_new0 (ProbeData, 1);
  g_set_weak_pointer (&d->self, self);
  g_set_weak_pointer (&d->row, row);
  g_set_weak_pointer (&d->button, button);
  d->provider = provider;

  client = cs_provider_client_new (provider);
  cs_provider_client_list_models_async (client, self->cancellable, probe_models_cb, d);
}

static void
preset_clicked_cb (GtkButton *button,
                   CsWindow  *self)
{
  CsApplication *app = get_app (self);
  const char *preset_id = g_object_get_data (G_OBJECT (button), "cs-preset");
  GtkWidget *prefs;

  if (app == NULL)
    return;

  /* the preferences, with the preset added and waiting for its key */
  prefs = GTK_WIDGET (cs_preferences_window_new (app));
  gtk_window_set_transient_for (GTK_WINDOW (prefs), GTK_WINDOW (self));
  gtk_window_present (GTK_WINDOW (prefs));
  if (preset_id != NULL)
    gtk_widget_activate_action (prefs, "prefs.add-preset", "s", preset_id);
}

static gboolean
refill_welcome_cb (gpointer user_data)
{
  CsWindow *self = user_data;

  self->welcome_source = 0;
  self->welcome_retries++;
  _cs_window_fill_welcome (self);
  return G_SOURCE_REMOVE;
}

void
_cs_window_fill_welcome (CsWindow *self)
{
  CsApplication *app = get_app (self);
  g_autoptr(GPtrArray) presets = NULL;
  g_autofree char *demo_url = NULL;
  GtkWidget *child;

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "welcome") != 0)
    return;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->welcome_list))) != NULL)
    gtk_list_box_remove (self->welcome_list, child);

  if (app != NULL && cs_application_get_config_error (app) != NULL)
    {
      /* the status page's description is markup */
      g_autofree char *escaped = g_markup_escape_text (cs_application_get_config_error (app), -1);

      adw_status_page_set_description (self->welcome_page, escaped);
    }

  demo_url = demo_base_url ();
  if (demo_url != NULL)
    add_probe_row (self,
                   cs_provider_config_new ("demo", demo_url, CS_API_OPENAI_CHAT),
                   _("Demo provider (synthetic answers)"),
                   _("_Use Demo"));
  else if (self->welcome_retries < 5 && self->welcome_source == 0)
    /* the demo provider may be starting next to the app: look again */
    self->welcome_source = g_timeout_add (1000, refill_welcome_cb, self);

  add_probe_row (self,
                 cs_provider_config_new ("ollama", "http://127.0.0.1:11434", CS_API_OLLAMA),
                 _("Local Ollama server"),
                 _("_Use Ollama"));
  add_probe_row (self,
                 cs_provider_config_new ("local", "http://127.0.0.1:8080/v1", CS_API_OPENAI_CHAT),
                 _("Local OpenAI-compatible server (llama.cpp)"),
                 _("Use _Local Server"));

  presets = cs_config_get_presets ();
  for (guint i = 0; presets != NULL && i < presets->len; i++)
    {
      const CsProviderConfig *preset = g_ptr_array_index (presets, i);
      GtkWidget *row, *button;

      /* Ollama is listed whether or not a server answers now (the row
       * above offers its models in one click when one does) */
      row = adw_action_row_new ();
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), preset->name != NULL ? preset->name : preset->id);
      if (preset->api == CS_API_OLLAMA)
        {
          g_autofree char *subtitle = g_strdup_printf (_("Local models, no API key · %s"), preset->base_url);

          adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
        }
      else
        adw_action_row_set_subtitle (ADW_ACTION_ROW (row), preset->base_url);
      button = gtk_button_new_with_mnemonic (_("_Set Up…"));
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      g_object_set_data_full (G_OBJECT (button), "cs-preset", g_strdup (preset->id), g_free);
      g_signal_connect_object (button, "clicked", G_CALLBACK (preset_clicked_cb), self, 0);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), button);
      gtk_list_box_append (self->welcome_list, row);
    }
}

/* -------------------------------------------------------------------------
 * Class
 */

void
_cs_window_class_actions_init (CsWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_install_property_action (widget_class, "win.mode", "mode");
  gtk_widget_class_install_action (widget_class, "win.run", NULL, run_action);
  gtk_widget_class_install_action (widget_class, "win.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "win.new-run", NULL, new_run_action);
  gtk_widget_class_install_action (widget_class, "win.show-sidebar", NULL, show_sidebar_action);
  gtk_widget_class_install_action (widget_class, "win.toggle-sidebar", NULL, toggle_sidebar_action);
  gtk_widget_class_install_action (widget_class, "win.cancel-candidate", "s", cancel_candidate_action);
  gtk_widget_class_install_action (widget_class, "win.retry-candidate", "s", retry_candidate_action);
  gtk_widget_class_install_action (widget_class, "win.rename-run", "s", rename_run_action);
  gtk_widget_class_install_action (widget_class, "win.delete-run", "s", delete_run_action);
  gtk_widget_class_install_action (widget_class, "win.export", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "win.export-json", NULL, export_json_action);
  gtk_widget_class_install_action (widget_class, "win.copy-markdown", NULL, copy_markdown_action);
  gtk_widget_class_install_action (widget_class, "win.copied", NULL, copied_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "win.run", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK, "win.run", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.cancel", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "win.new-run", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F9, 0, "win.toggle-sidebar", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK, "win.export", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.export-json", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.copy-markdown", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1, GDK_ALT_MASK, "win.mode", "s", "architect");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_2, GDK_ALT_MASK, "win.mode", "s", "support");
}
