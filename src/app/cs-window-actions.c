/* cs-window-actions.c: the window's actions: run, cancel, candidates, export
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-window-actions"

#include "config.h"

#include <glib/gi18n.h>

#include "cs-requests-window.h"
#include "cs-ui-util.h"
#include "cs-window-private.h"

/* The one place that says which actions are enabled, and which button
 * the header shows (Run, New Run or Cancel). */
void
_cs_window_actions_update (CsWindow *self)
{
  const char *page;
  gboolean running, on_run, on_compose;

  g_return_if_fail (CS_IS_WINDOW (self));

  /* a disposed window */
  if (self->main_stack == NULL)
    return;

  page = gtk_stack_get_visible_child_name (self->main_stack);
  on_run = g_strcmp0 (page, "run") == 0 && _cs_window_get_run (self) != NULL;
  on_compose = g_strcmp0 (page, "compose") == 0;
  running = _cs_window_is_running (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.run",
                                 !running && on_compose &&
                                 cs_compose_page_get_has_problem (self->compose_page));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.cancel", running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export", on_run);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export-json", on_run);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.copy-markdown", on_run);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.show-requests", on_run);

  if (on_run && cs_run_manager_is_running (self->manager, _cs_window_get_run (self)))
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

/* An empty page for a new question; a question not sent yet stays. */
static void
new_run_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  CsWindow *self = CS_WINDOW (widget);

  if (cs_compose_page_get_sent (self->compose_page))
    cs_compose_page_clear (self->compose_page);
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

/* -------------------------------------------------------------------------
 * One candidate: retry, cancel
 */

static void
retry_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  GWeakRef *window = user_data;
  g_autoptr(CsWindow) self = g_weak_ref_get (window);
  g_autoptr(GError) error = NULL;

  g_weak_ref_clear (window);
  g_free (window);
  if (!cs_run_manager_retry_candidate_finish (CS_RUN_MANAGER (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
      self != NULL)
    {
      g_autofree char *message = cs_error_text (error);

      _cs_window_toast (self, message);
    }
}

/* The candidate's run, when it is the one shown. */
static CsRun *
run_of_candidate (CsWindow   *self,
                  const char *candidate_id)
{
  CsRun *run = _cs_window_get_run (self);

  if (run == NULL || cs_run_find_candidate (run, candidate_id) == NULL)
    return NULL;
  return run;
}

static void
retry_candidate_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *param)
{
  CsWindow *self = CS_WINDOW (widget);
  const char *id = g_variant_get_string (param, NULL);
  CsRun *run = run_of_candidate (self, id);
  CsConfig *config = _cs_window_get_config (self);
  GWeakRef *window;

  if (run == NULL || config == NULL)
    return;

  /* the retry is the manager's: closing the window does not stop it */
  window = g_new0 (GWeakRef, 1);
  g_weak_ref_init (window, self);
  cs_run_manager_retry_candidate_async (self->manager, config, run, id, retry_cb, window);
}

static void
cancel_candidate_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *param)
{
  CsWindow *self = CS_WINDOW (widget);
  const char *id = g_variant_get_string (param, NULL);
  CsRun *run = run_of_candidate (self, id);

  if (run != NULL)
    cs_run_manager_cancel_candidate (self->manager, run, id);
}

/* -------------------------------------------------------------------------
 * Export
 */

static void
export_write_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!cs_safe_file_write_finish (result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

/* The export goes through the one rule for files a person chose
 * (cs-safe-file.h): a link, a device or a read-only file is refused, a
 * file is replaced only once the new text is complete. */
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
  g_autofree char *path = NULL;
  CsRun *run;
  char *text;

  g_return_if_fail (CS_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, _cs_window_export_async);
  g_task_set_task_data (task, g_object_ref (file), g_object_unref);

  run = _cs_window_get_run (self);
  if (run == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("There is no run to export"));
      return;
    }
  path = g_file_get_path (file);
  if (path == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("The run can only be exported to a local file"));
      return;
    }

  text = json ? cs_export_json (run) : cs_export_markdown_with_names (run, _cs_window_get_config (self));
  if (text == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, _("The run could not be exported"));
      return;
    }

  bytes = g_bytes_new_take (text, strlen (text));
  cs_safe_file_write_async (path, bytes, NULL, cancellable, export_write_cb, g_steal_pointer (&task));
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
      g_autofree char *uri = file != NULL ? g_file_get_uri (file) : NULL;
      g_autofree char *msg = g_strdup_printf (_("Saved as “%s”"), name != NULL ? name : "");

      /* the file just written, a click away */
      if (uri != NULL)
        _cs_window_toast_with_button (self, msg, _("_Open"), "win.open-export", uri);
      else
        _cs_window_toast (self, msg);
    }
}

/* What the chooser does with the file chosen: remembers its folder for the
 * next export, exports, and says how it went in a toast. */
void
_cs_window_export_to_file (CsWindow *self,
                           GFile    *file,
                           gboolean  json)
{
  g_autoptr(GFile) parent = NULL;
  g_autofree char *folder = NULL;

  g_return_if_fail (CS_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  parent = g_file_get_parent (file);
  folder = parent != NULL ? g_file_get_path (parent) : NULL;
  if (folder != NULL)
    g_settings_set_string (self->settings, "export-folder", folder);
  _cs_window_export_async (self, file, json, self->cancellable, export_done_cb, NULL);
}

/* A file name from the run's title: at most 60 characters, cut on a
 * character boundary, without the "…" of a shortened title, with "-" for
 * what file systems and shells trip on, never hidden. */
char *
_cs_window_export_file_name (CsRun      *run,
                             const char *ext)
{
  g_autofree char *title = g_utf8_make_valid (cs_run_get_title (run) != NULL ? cs_run_get_title (run) : "", -1);
  g_autoptr(GString) name = g_string_new (NULL);
  guint n = 0;

  for (const char *p = title; *p != '\0' && n < 60; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == 0x2026)   /* … */
        continue;
      if (g_unichar_iscntrl (c) || (c < 0x80 && strchr ("/\\:*?\"<>|", (int) c) != NULL))
        g_string_append_c (name, '-');
      else
        g_string_append_unichar (name, c);
      n++;
    }
  /* no leading dot (hidden), no trailing blanks or dots */
  while (name->len > 0 && (name->str[name->len - 1] == ' ' || name->str[name->len - 1] == '.'))
    g_string_truncate (name, name->len - 1);
  while (name->len > 0 && (name->str[0] == ' ' || name->str[0] == '.'))
    g_string_erase (name, 0, 1);
  if (name->len == 0)
    g_string_assign (name, "consilium");
  g_string_append (name, ext);
  return g_string_free (g_steal_pointer (&name), FALSE);
}

/* The last folder exported to, else Documents, else the home folder:
 * never the process's working directory. */
static GFile *
export_start_folder (CsWindow *self)
{
  g_autofree char *last = g_settings_get_string (self->settings, "export-folder");
  const char *documents = g_get_user_special_dir (G_USER_DIRECTORY_DOCUMENTS);
  g_autofree char *home_documents = g_build_filename (g_get_home_dir (), "Documents", NULL);

  if (last[0] != '\0' && g_path_is_absolute (last) && g_file_test (last, G_FILE_TEST_IS_DIR))
    return g_file_new_for_path (last);
  if (documents != NULL && g_file_test (documents, G_FILE_TEST_IS_DIR))
    return g_file_new_for_path (documents);
  if (g_file_test (home_documents, G_FILE_TEST_IS_DIR))
    return g_file_new_for_path (home_documents);
  return g_file_new_for_path (g_get_home_dir ());
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
        _cs_window_export_to_file (self, file, json);
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
  g_autoptr(GFile) folder = NULL;
  g_autoptr(GError) error = NULL;
  CsRun *run = _cs_window_get_run (self);

  if (run == NULL)
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
  folder = export_start_folder (self);
  if (!gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), folder, &error))
    g_debug ("The save dialog cannot start in the folder: %s", error->message);
  name = _cs_window_export_file_name (run, json ? ".json" : ".md");
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

/* The run's HTTP attempts, from the request log (cs-requests-window.c). */
static void
show_requests_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  CsRun *run = _cs_window_get_run (CS_WINDOW (widget));
  GtkWindow *window;

  if (run == NULL)
    return;
  window = GTK_WINDOW (cs_requests_window_new (run));
  gtk_window_set_transient_for (window, GTK_WINDOW (widget));
  gtk_window_present (window);
}

static void
copy_markdown_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  CsWindow *self = CS_WINDOW (widget);
  CsRun *run = _cs_window_get_run (self);
  g_autofree char *text = NULL;

  if (run == NULL)
    return;

  text = cs_export_markdown_with_names (run, _cs_window_get_config (self));
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
 * Class
 */

static void
open_export_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(CsWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *msg = g_strdup_printf (_("Could not open the export: %s"), error->message);

      _cs_window_toast (self, msg);
    }
}

/* The file an export wrote, in the application that opens its type. */
static void
open_export_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  g_autoptr(GAppLaunchContext) context = G_APP_LAUNCH_CONTEXT (gdk_display_get_app_launch_context (gtk_widget_get_display (widget)));

  g_app_info_launch_default_for_uri_async (g_variant_get_string (param, NULL), context,
                                           CS_WINDOW (widget)->cancellable, open_export_cb, g_object_ref (widget));
}

/* A toast's whole message (its title is cut to one line), in a dialog. */
static void
toast_details_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (widget), NULL, g_variant_get_string (param, NULL));

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_widget_set_name (dialog, "toast-details");
  gtk_window_present (GTK_WINDOW (dialog));
}

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
  gtk_widget_class_install_action (widget_class, "win.export", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "win.export-json", NULL, export_json_action);
  gtk_widget_class_install_action (widget_class, "win.copy-markdown", NULL, copy_markdown_action);
  gtk_widget_class_install_action (widget_class, "win.copied", NULL, copied_action);
  gtk_widget_class_install_action (widget_class, "win.show-requests", NULL, show_requests_action);
  gtk_widget_class_install_action (widget_class, "win.toast-details", "s", toast_details_action);
  gtk_widget_class_install_action (widget_class, "win.open-export", "s", open_export_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "win.run", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK, "win.run", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.cancel", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "win.new-run", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F9, 0, "win.toggle-sidebar", NULL);
  /* as every GNOME window: asks first when it is the last and a run goes on */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK, "win.export", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.export-json", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.copy-markdown", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1, GDK_ALT_MASK, "win.mode", "s", "architect");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_2, GDK_ALT_MASK, "win.mode", "s", "support");
}
