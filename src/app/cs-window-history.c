/* cs-window-history.c: the window's history sidebar: rows, rename, delete with undo
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-window-history"

#include "config.h"

#include <glib/gi18n.h>

#include "cs-history-row.h"
#include "cs-window-private.h"

#define DATES_INTERVAL_S 60

static gboolean
refresh_dates_cb (gpointer user_data)
{
  CsWindow *self = user_data;
  GtkListBoxRow *row;

  for (int i = 0; (row = gtk_list_box_get_row_at_index (self->history_list, i)) != NULL; i++)
    cs_history_row_update_date (CS_HISTORY_ROW (row));

  return G_SOURCE_CONTINUE;
}

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  return cs_history_row_new (CS_RUN (item));
}

static void
row_activated_cb (CsWindow      *self,
                  GtkListBoxRow *row,
                  GtkListBox    *list)
{
  _cs_window_show_run (self, cs_history_row_get_run (CS_HISTORY_ROW (row)));
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

/* Runs waiting for their undo toast are hidden already. */
static gboolean
filter_func (gpointer item,
             gpointer user_data)
{
  CsWindow *self = user_data;

  return !g_hash_table_contains (self->pending_delete, cs_run_get_id (CS_RUN (item)));
}

static void
items_changed_cb (CsWindow   *self,
                  guint       position,
                  guint       removed,
                  guint       added,
                  GListModel *model)
{
  gtk_stack_set_visible_child_name (self->history_stack,
                                    g_list_model_get_n_items (model) > 0 ? "list" : "empty");
}

void
_cs_window_history_select (CsWindow *self,
                           CsRun    *run)
{
  GListModel *model = G_LIST_MODEL (self->history_model);
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; run != NULL && i < n; i++)
    {
      g_autoptr(CsRun) item = g_list_model_get_item (model, i);

      if (item == run)
        {
          gtk_list_box_select_row (self->history_list,
                                   gtk_list_box_get_row_at_index (self->history_list, i));
          return;
        }
    }
  gtk_list_box_unselect_all (self->history_list);
}

void
_cs_window_history_setup (CsWindow *self)
{
  self->pending_delete = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->history_filter = gtk_custom_filter_new (filter_func, self, NULL);
  self->history_model = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->store)),
                                                   g_object_ref (GTK_FILTER (self->history_filter)));
  g_signal_connect_object (self->history_model, "items-changed",
                           G_CALLBACK (items_changed_cb), self, G_CONNECT_SWAPPED);
  gtk_list_box_bind_model (self->history_list, G_LIST_MODEL (self->history_model),
                           create_row, self, NULL);
  g_signal_connect_object (self->history_list, "row-activated",
                           G_CALLBACK (row_activated_cb), self, G_CONNECT_SWAPPED);
  items_changed_cb (self, 0, 0, 0, G_LIST_MODEL (self->history_model));
  self->dates_source = g_timeout_add_seconds (DATES_INTERVAL_S, refresh_dates_cb, self);
}

/* Runs waiting for their undo toast are deleted now. */
void
_cs_window_history_dispose (CsWindow *self)
{
  g_clear_handle_id (&self->dates_source, g_source_remove);

  if (self->pending_delete != NULL && self->store != NULL)
    {
      GHashTableIter iter;
      gpointer value;

      g_hash_table_iter_init (&iter, self->pending_delete);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        cs_run_store_delete (self->store, CS_RUN (value), NULL);
      g_hash_table_remove_all (self->pending_delete);
    }

  g_clear_object (&self->history_model);
  g_clear_object (&self->history_filter);
  g_clear_pointer (&self->pending_delete, g_hash_table_unref);
}

/* -------------------------------------------------------------------------
 * Rename
 */

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
  CsRun *run = cs_run_store_find (self->store, g_variant_get_string (param, NULL));
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

/* -------------------------------------------------------------------------
 * Delete with undo
 */

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
  CsRun *run = cs_run_store_find (self->store, g_variant_get_string (param, NULL));
  AdwToast *toast;
  DeleteData *d;
  g_autofree char *title = NULL;
  g_autofree char *escaped = NULL;

  if (run == NULL)
    return;
  if (cs_run_manager_is_running (self->manager, run))
    {
      _cs_window_toast (self, _("Cancel the run before deleting it"));
      return;
    }

  g_hash_table_insert (self->pending_delete, g_strdup (cs_run_get_id (run)), g_object_ref (run));
  gtk_filter_changed (GTK_FILTER (self->history_filter), GTK_FILTER_CHANGE_MORE_STRICT);
  if (_cs_window_get_run (self) == run)
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

void
_cs_window_class_history_init (CsWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_install_action (widget_class, "win.rename-run", "s", rename_run_action);
  gtk_widget_class_install_action (widget_class, "win.delete-run", "s", delete_run_action);
}
