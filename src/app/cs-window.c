/* cs-window.c: the main window: history, compose, candidates, result
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-window"

#include "config.h"

#include <glib/gi18n.h>

#include "cs-candidate-card.h"
#include "cs-ui-util.h"
#include "cs-window-private.h"

G_DEFINE_FINAL_TYPE (CsWindow, cs_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_MODE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

#define DRAFT_SAVE_DELAY_MS 400

static void cs_window_rebuild_models (CsWindow *self);
static void apply_critiques          (CsWindow *self);

static void
cs_model_row_free (CsModelRow *row)
{
  g_free (row->id);
  g_free (row);
}

static CsApplication *
get_app (CsWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  return CS_IS_APPLICATION (app) ? CS_APPLICATION (app) : NULL;
}

static CsConfig *
get_config (CsWindow *self)
{
  CsApplication *app = get_app (self);

  return app != NULL ? cs_application_get_config (app) : NULL;
}

void
_cs_window_toast (CsWindow   *self,
                  const char *message)
{
  AdwToast *toast;
  g_autofree char *escaped = NULL;

  g_return_if_fail (CS_IS_WINDOW (self));

  /* a closed window has nowhere to show it */
  if (self->toast_overlay == NULL)
    return;

  /* toast titles are Pango markup on libadwaita 1.2; messages may quote
   * model or server text */
  escaped = g_markup_escape_text (message, -1);
  toast = adw_toast_new (escaped);
  adw_toast_set_timeout (toast, 5);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
  self->n_toasts++;
  g_free (self->last_toast);
  self->last_toast = g_strdup (message);
}

/* -------------------------------------------------------------------------
 * Saving and loading failures
 */

void
_cs_window_report_load_failures (CsWindow *self)
{
  CsApplication *app;
  guint n;
  g_autofree char *message = NULL;

  g_return_if_fail (CS_IS_WINDOW (self));

  app = get_app (self);
  if (app == NULL || (n = cs_application_take_load_failures (app)) == 0)
    return;

  /* the paths and reasons went to g_debug as they came */
  message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                          "%u saved run could not be read",
                                          "%u saved runs could not be read", n), n);
  _cs_window_toast (self, message);
}

/* When a run's file was written after its last failed save, the store
 * saved it since: the next failure is news again. */
static gboolean
check_saves_cb (gpointer user_data)
{
  CsWindow *self = user_data;
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, self->save_failures);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_autofree char *name = g_strconcat ((const char *) key, ".json", NULL);
      g_autoptr(GFile) file = g_file_new_build_filename (cs_run_store_get_dir (self->store), name, NULL);
      g_autoptr(GFileInfo) info = NULL;
      gint64 failed_at = *(gint64 *) value;
      gint64 modified;

      info = g_file_query_info (file,
                                G_FILE_ATTRIBUTE_TIME_MODIFIED "," G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC,
                                G_FILE_QUERY_INFO_NONE, NULL, NULL);
      if (info == NULL)
        continue;
      modified = (gint64) g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED) * G_USEC_PER_SEC +
                 g_file_info_get_attribute_uint32 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC);
      if (modified > failed_at)
        {
          g_debug ("Run %s saved again", (const char *) key);
          g_hash_table_iter_remove (&iter);
        }
    }

  if (g_hash_table_size (self->save_failures) > 0)
    return G_SOURCE_CONTINUE;
  self->save_check_source = 0;
  return G_SOURCE_REMOVE;
}

static void
save_failed_cb (CsWindow   *self,
                CsRun      *run,
                const char *reason,
                CsRunStore *store)
{
  gint64 *failed_at;
  gboolean known;

  g_debug ("Could not save run %s: %s", cs_run_get_id (run), reason);

  /* once per run until a save succeeds: a full disk fails every save */
  known = g_hash_table_contains (self->save_failures, cs_run_get_id (run));
  failed_at = g_new (gint64, 1);
  *failed_at = g_get_real_time ();
  g_hash_table_insert (self->save_failures, g_strdup (cs_run_get_id (run)), failed_at);

  if (!known)
    {
      const char *title = cs_run_get_title (run);
      g_autofree char *message = NULL;

      message = g_strdup_printf (_("Could not save “%s”: %s"),
                                 title != NULL && title[0] != '\0' ? title : _("Untitled"),
                                 reason != NULL ? reason : _("unknown error"));
      _cs_window_toast (self, message);
    }

  if (self->save_check_source == 0)
    self->save_check_source = g_timeout_add_seconds (1, check_saves_cb, self);
}

/* -------------------------------------------------------------------------
 * Constraints and draft
 */

typedef struct
{
  const char *key;
  gsize       offset;
} ConstraintRow;

static const ConstraintRow constraint_rows[] = {
  { "budget", G_STRUCT_OFFSET (CsWindow, budget_row) },
  { "technologies", G_STRUCT_OFFSET (CsWindow, technologies_row) },
  { "scale", G_STRUCT_OFFSET (CsWindow, scale_row) },
  { "hosting", G_STRUCT_OFFSET (CsWindow, hosting_row) },
  { "os", G_STRUCT_OFFSET (CsWindow, os_row) },
  { "stack", G_STRUCT_OFFSET (CsWindow, stack_row) },
  { "tried", G_STRUCT_OFFSET (CsWindow, tried_row) },
};

static AdwEntryRow *
constraint_row (CsWindow *self,
                guint     i)
{
  return G_STRUCT_MEMBER (AdwEntryRow *, self, constraint_rows[i].offset);
}

static gboolean
constraint_in_mode (const char *key,
                    CsMode      mode)
{
  const char * const *keys = cs_mode_get_constraint_keys (mode);

  if (keys != NULL && keys[0] != NULL)
    return g_strv_contains (keys, key);

  /* the engine's list is not there yet: the fixed split */
  if (mode == CS_MODE_ARCHITECT)
    return g_str_equal (key, "budget") || g_str_equal (key, "technologies") ||
           g_str_equal (key, "scale") || g_str_equal (key, "hosting");
  return g_str_equal (key, "os") || g_str_equal (key, "stack") || g_str_equal (key, "tried");
}

static char *
get_problem_text (CsWindow *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->problem_view));
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static gboolean
save_draft_cb (gpointer user_data)
{
  CsWindow *self = user_data;
  g_autofree char *problem = NULL;
  GVariantBuilder builder;

  self->draft_source = 0;

  problem = get_problem_text (self);
  g_settings_set_string (self->settings, "draft-problem", problem);

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{ss}"));
  for (guint i = 0; i < G_N_ELEMENTS (constraint_rows); i++)
    {
      const char *text = gtk_editable_get_text (GTK_EDITABLE (constraint_row (self, i)));

      if (text != NULL && text[0] != '\0')
        g_variant_builder_add (&builder, "{ss}", constraint_rows[i].key, text);
    }
  g_settings_set_value (self->settings, "draft-constraints", g_variant_builder_end (&builder));

  return G_SOURCE_REMOVE;
}

static void
schedule_draft_save (CsWindow *self)
{
  if (self->restoring)
    return;

  g_clear_handle_id (&self->draft_source, g_source_remove);
  self->draft_source = g_timeout_add (DRAFT_SAVE_DELAY_MS, save_draft_cb, self);
}

static void
flush_draft (CsWindow *self)
{
  if (self->draft_source != 0)
    {
      g_clear_handle_id (&self->draft_source, g_source_remove);
      save_draft_cb (self);
    }
}

static void
update_placeholder (CsWindow *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->problem_view));

  gtk_widget_set_visible (GTK_WIDGET (self->problem_placeholder),
                          gtk_text_buffer_get_char_count (buffer) == 0);
}

static void
problem_changed_cb (CsWindow      *self,
                    GtkTextBuffer *buffer)
{
  update_placeholder (self);
  schedule_draft_save (self);
  _cs_window_actions_update (self);
}

static void
constraint_changed_cb (CsWindow *self)
{
  schedule_draft_save (self);
}

static void
restore_draft (CsWindow *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->problem_view));
  g_autofree char *problem = NULL;
  g_autoptr(GVariant) constraints = NULL;

  self->restoring = TRUE;

  problem = g_settings_get_string (self->settings, "draft-problem");
  gtk_text_buffer_begin_irreversible_action (buffer);
  gtk_text_buffer_set_text (buffer, problem, -1);
  gtk_text_buffer_end_irreversible_action (buffer);

  constraints = g_settings_get_value (self->settings, "draft-constraints");
  for (guint i = 0; i < G_N_ELEMENTS (constraint_rows); i++)
    {
      const char *value = NULL;

      if (!g_variant_lookup (constraints, constraint_rows[i].key, "&s", &value))
        value = "";
      gtk_editable_set_text (GTK_EDITABLE (constraint_row (self, i)), value);
    }

  self->restoring = FALSE;
  update_placeholder (self);
}

/* -------------------------------------------------------------------------
 * Mode
 */

static CsMode
current_mode (CsWindow *self)
{
  CsMode mode = CS_MODE_ARCHITECT;

  cs_mode_from_string (self->mode, &mode);
  return mode;
}

static void
apply_mode (CsWindow *self)
{
  CsMode mode = current_mode (self);

  gtk_widget_set_visible (GTK_WIDGET (self->architect_group), mode == CS_MODE_ARCHITECT);
  gtk_widget_set_visible (GTK_WIDGET (self->support_group), mode == CS_MODE_SUPPORT);

  if (mode == CS_MODE_ARCHITECT)
    gtk_label_set_text (self->problem_placeholder,
                        _("What should the system do? Who uses it, how much data, what must never happen…"));
  else
    gtk_label_set_text (self->problem_placeholder,
                        _("What goes wrong? Paste the error message, say when it started and what changed…"));
}

void
_cs_window_set_mode (CsWindow   *self,
                     const char *mode)
{
  CsMode parsed;

  g_return_if_fail (CS_IS_WINDOW (self));

  if (mode == NULL || !cs_mode_from_string (mode, &parsed))
    mode = "architect";

  if (g_strcmp0 (self->mode, mode) != 0)
    {
      g_free (self->mode);
      self->mode = g_strdup (mode);
      if (self->settings != NULL)
        g_settings_set_string (self->settings, "last-mode", mode);
      apply_mode (self);
      cs_window_rebuild_models (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODE]);
    }

  /* Choosing a mode means writing a new question. */
  if (self->model_rows != NULL &&
      g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "run") == 0)
    _cs_window_show_compose (self);
}

/* -------------------------------------------------------------------------
 * Models
 */

static char *
models_key (CsWindow *self)
{
  return g_strdup_printf ("models-%s", self->mode);
}

static void
save_model_selection (CsWindow *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) strv = NULL;
  g_autofree char *key = models_key (self);
  guint per_model = g_settings_get_uint (self->settings, "candidates-per-model");

  for (guint i = 0; i < self->model_rows->len; i++)
    {
      CsModelRow *row = g_ptr_array_index (self->model_rows, i);
      guint count = gtk_spin_button_get_value_as_int (row->spin);

      if (!gtk_check_button_get_active (row->check))
        continue;
      if (count == per_model)
        g_strv_builder_add (builder, row->id);
      else
        {
          g_autofree char *item = g_strdup_printf ("%s:%u", row->id, count);
          g_strv_builder_add (builder, item);
        }
    }

  strv = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, key, (const char * const *) strv);
}

static void
model_toggled_cb (CsWindow       *self,
                  GtkCheckButton *check)
{
  _cs_window_actions_update (self);
}

void
_cs_window_select_models (CsWindow           *self,
                          const char * const *models)
{
  guint per_model;

  g_return_if_fail (CS_IS_WINDOW (self));

  per_model = self->settings != NULL ? g_settings_get_uint (self->settings, "candidates-per-model") : 1;

  for (guint i = 0; i < self->model_rows->len; i++)
    {
      CsModelRow *row = g_ptr_array_index (self->model_rows, i);
      gboolean active = FALSE;
      guint count = per_model;

      for (guint j = 0; models != NULL && models[j] != NULL; j++)
        {
          const char *colon = strrchr (models[j], ':');
          gsize len = colon != NULL ? (gsize) (colon - models[j]) : strlen (models[j]);

          if (strlen (row->id) == len && strncmp (row->id, models[j], len) == 0)
            {
              active = TRUE;
              if (colon != NULL)
                count = CLAMP (g_ascii_strtoull (colon + 1, NULL, 10), 1, 8);
              break;
            }
        }

      gtk_check_button_set_active (row->check, active);
      gtk_spin_button_set_value (row->spin, count);
    }

  _cs_window_actions_update (self);
}

static void
cs_window_rebuild_models (CsWindow *self)
{
  CsConfig *config = get_config (self);
  g_autoptr(GPtrArray) models = NULL;
  g_autofree char *key = NULL;
  g_auto(GStrv) selected = NULL;
  g_autofree char *judge = NULL;
  GtkWidget *child;
  guint judge_pos = 0;

  if (self->model_rows == NULL || self->settings == NULL)
    return;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->models_list))) != NULL)
    gtk_list_box_remove (self->models_list, child);
  g_ptr_array_set_size (self->model_rows, 0);
  gtk_string_list_splice (self->judge_ids, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->judge_ids)),
                          NULL);
  gtk_string_list_append (self->judge_ids, "");

  models = config != NULL ? cs_config_list_models (config) : g_ptr_array_new ();
  judge = g_settings_get_string (self->settings, "judge-model");

  for (guint i = 0; i < models->len; i++)
    {
      const CsModelConfig *model = g_ptr_array_index (models, i);
      const CsProviderConfig *provider;
      CsModelRow *row;
      GtkWidget *action_row;
      g_autofree char *label = NULL;

      provider = cs_config_find_provider (config, model->provider);

      row = g_new0 (CsModelRow, 1);
      row->id = g_strdup (model->id);
      row->check = GTK_CHECK_BUTTON (gtk_check_button_new ());
      gtk_widget_set_valign (GTK_WIDGET (row->check), GTK_ALIGN_CENTER);
      row->spin = GTK_SPIN_BUTTON (gtk_spin_button_new_with_range (1, 8, 1));
      gtk_widget_set_valign (GTK_WIDGET (row->spin), GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (GTK_WIDGET (row->spin), _("Candidate answers from this model"));
      label = g_strdup_printf (_("Candidate answers from %s"), model->id);
      gtk_accessible_update_property (GTK_ACCESSIBLE (row->spin),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                      -1);

      action_row = adw_action_row_new ();
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (action_row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (action_row), model->name);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (action_row),
                                   provider != NULL && provider->name != NULL ? provider->name : model->provider);
      adw_action_row_add_prefix (ADW_ACTION_ROW (action_row), GTK_WIDGET (row->check));
      adw_action_row_add_suffix (ADW_ACTION_ROW (action_row), GTK_WIDGET (row->spin));
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (action_row), GTK_WIDGET (row->check));
      g_signal_connect_object (row->check, "toggled", G_CALLBACK (model_toggled_cb), self, G_CONNECT_SWAPPED);
      gtk_list_box_append (self->models_list, action_row);

      g_ptr_array_add (self->model_rows, row);
      gtk_string_list_append (self->judge_ids, model->id);
      if (g_strcmp0 (judge, model->id) == 0)
        judge_pos = i + 1;
    }

  if (models->len == 0)
    {
      GtkWidget *empty = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (empty), _("No models configured"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (empty), _("Add a provider in Preferences"));
      gtk_list_box_append (self->models_list, empty);
    }

  /* the judge combo shows "None" for the empty id */
  {
    g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);

    gtk_string_list_append (labels, _("None (votes and consensus only)"));
    for (guint i = 0; i < models->len; i++)
      gtk_string_list_append (labels, ((const CsModelConfig *) g_ptr_array_index (models, i))->id);
    adw_combo_row_set_model (self->judge_row, G_LIST_MODEL (labels));
    adw_combo_row_set_selected (self->judge_row, judge_pos);
  }

  key = models_key (self);
  selected = g_settings_get_strv (self->settings, key);
  if (selected[0] == NULL && models->len > 0)
    {
      /* nothing chosen yet: every model, up to four */
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

      for (guint i = 0; i < models->len && i < 4; i++)
        g_strv_builder_add (builder, ((const CsModelConfig *) g_ptr_array_index (models, i))->id);
      g_strfreev (selected);
      selected = g_strv_builder_end (builder);
    }
  _cs_window_select_models (self, (const char * const *) selected);
}

static char *
selected_judge (CsWindow *self)
{
  guint pos = adw_combo_row_get_selected (self->judge_row);

  if (pos == GTK_INVALID_LIST_POSITION || pos == 0)
    return NULL;
  return g_strdup (gtk_string_list_get_string (self->judge_ids, pos));
}

static GStrv
selected_models (CsWindow *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < self->model_rows->len; i++)
    {
      CsModelRow *row = g_ptr_array_index (self->model_rows, i);
      g_autofree char *item = NULL;

      if (!gtk_check_button_get_active (row->check))
        continue;
      item = g_strdup_printf ("%s:%d", row->id, gtk_spin_button_get_value_as_int (row->spin));
      g_strv_builder_add (builder, item);
    }

  return g_strv_builder_end (builder);
}

/* -------------------------------------------------------------------------
 * Welcome (first run)
 */

static void
update_main_page (CsWindow *self)
{
  CsConfig *config = get_config (self);
  gboolean empty;
  const char *page = gtk_stack_get_visible_child_name (self->main_stack);

  empty = config == NULL || cs_config_get_providers (config)->len == 0;

  if (empty && g_strcmp0 (page, "run") != 0)
    gtk_stack_set_visible_child_name (self->main_stack, "welcome");
  else if (!empty && g_strcmp0 (page, "welcome") == 0)
    gtk_stack_set_visible_child_name (self->main_stack, "compose");
}

static void
config_changed_cb (CsWindow      *self,
                   CsApplication *app)
{
  cs_window_rebuild_models (self);
  update_main_page (self);
  _cs_window_fill_welcome (self);
  _cs_window_actions_update (self);
}

/* -------------------------------------------------------------------------
 * History
 */

static char *
format_date (gint64 unix_time)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (unix_time);
  GTimeSpan ago;

  if (when == NULL)
    return g_strdup ("");

  ago = g_date_time_difference (now, when);
  if (ago < G_TIME_SPAN_MINUTE)
    return g_strdup (_("Just now"));
  if (ago < G_TIME_SPAN_HOUR)
    {
      int minutes = ago / G_TIME_SPAN_MINUTE;
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d minute ago", "%d minutes ago", minutes), minutes);
    }
  if (g_date_time_get_day_of_year (now) == g_date_time_get_day_of_year (when) &&
      g_date_time_get_year (now) == g_date_time_get_year (when))
    return g_date_time_format (when, _("Today %H:%M"));
  if (ago < 2 * G_TIME_SPAN_DAY)
    return g_date_time_format (when, _("Yesterday %H:%M"));
  if (g_date_time_get_year (now) == g_date_time_get_year (when))
    return g_date_time_format (when, _("%e %B"));
  return g_date_time_format (when, _("%e %B %Y"));
}

static char *
run_subtitle (CsRun *run)
{
  g_autofree char *date = format_date (cs_run_get_created (run));
  const char *mode = cs_run_get_mode (run) == CS_MODE_ARCHITECT ? _("Architect") : _("Support");

  return g_strdup_printf ("%s · %s", mode, date);
}

static void
update_history_row (GtkWidget *row)
{
  CsRun *run = g_object_get_data (G_OBJECT (row), "cs-run");
  GtkLabel *title = g_object_get_data (G_OBJECT (row), "cs-title");
  GtkLabel *subtitle = g_object_get_data (G_OBJECT (row), "cs-subtitle");
  g_autofree char *sub = NULL;
  const char *text = cs_run_get_title (run);

  if (text == NULL || text[0] == '\0')
    text = _("Untitled");
  gtk_label_set_text (title, text);
  sub = run_subtitle (run);
  gtk_label_set_text (subtitle, sub);
}

static GtkWidget *
create_history_row (gpointer item,
                    gpointer user_data)
{
  CsRun *run = item;
  GtkWidget *row, *box, *vbox, *title, *subtitle, *menu_button;
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenuItem) rename = NULL;
  g_autoptr(GMenuItem) delete = NULL;
  g_autofree char *label = NULL;

  title = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
  subtitle = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (subtitle), 0);
  gtk_label_set_ellipsize (GTK_LABEL (subtitle), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (subtitle, "caption");
  gtk_widget_add_css_class (subtitle, "dim-label");

  vbox = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  gtk_widget_set_hexpand (vbox, TRUE);
  gtk_box_append (GTK_BOX (vbox), title);
  gtk_box_append (GTK_BOX (vbox), subtitle);

  rename = g_menu_item_new (_("_Rename…"), NULL);
  g_menu_item_set_action_and_target_value (rename, "win.rename-run", g_variant_new_string (cs_run_get_id (run)));
  g_menu_append_item (menu, rename);
  delete = g_menu_item_new (_("_Delete"), NULL);
  g_menu_item_set_action_and_target_value (delete, "win.delete-run", g_variant_new_string (cs_run_get_id (run)));
  g_menu_append_item (menu, delete);

  menu_button = gtk_menu_button_new ();
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (menu_button), "view-more-symbolic");
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (menu_button), G_MENU_MODEL (menu));
  gtk_widget_set_valign (menu_button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (menu_button, "flat");
  gtk_widget_set_tooltip_text (menu_button, _("Run Menu"));
  label = g_strdup_printf (_("Menu for “%s”"), cs_run_get_title (run) ? cs_run_get_title (run) : "");
  gtk_accessible_update_property (GTK_ACCESSIBLE (menu_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);

  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_box_append (GTK_BOX (box), vbox);
  gtk_box_append (GTK_BOX (box), menu_button);

  row = gtk_list_box_row_new ();
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  g_object_set_data_full (G_OBJECT (row), "cs-run", g_object_ref (run), g_object_unref);
  g_object_set_data (G_OBJECT (row), "cs-title", title);
  g_object_set_data (G_OBJECT (row), "cs-subtitle", subtitle);
  update_history_row (row);
  g_signal_connect_object (run, "notify::title", G_CALLBACK (update_history_row), row, G_CONNECT_SWAPPED);

  return row;
}

static gboolean
refresh_dates_cb (gpointer user_data)
{
  CsWindow *self = user_data;
  GtkListBoxRow *row;

  for (int i = 0; (row = gtk_list_box_get_row_at_index (self->history_list, i)) != NULL; i++)
    update_history_row (GTK_WIDGET (row));

  return G_SOURCE_CONTINUE;
}

static void
history_row_activated_cb (CsWindow      *self,
                          GtkListBoxRow *row,
                          GtkListBox    *list)
{
  CsRun *run = g_object_get_data (G_OBJECT (row), "cs-run");

  if (run != NULL)
    {
      _cs_window_show_run (self, run);
      adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
    }
}

static gboolean
history_filter_func (gpointer item,
                     gpointer user_data)
{
  CsWindow *self = user_data;

  return !g_hash_table_contains (self->pending_delete, cs_run_get_id (CS_RUN (item)));
}

static void
history_items_changed_cb (CsWindow   *self,
                          guint       position,
                          guint       removed,
                          guint       added,
                          GListModel *model)
{
  gtk_stack_set_visible_child_name (self->history_stack,
                                    g_list_model_get_n_items (model) > 0 ? "list" : "empty");
}

static void
select_history_row (CsWindow *self)
{
  GListModel *model = G_LIST_MODEL (self->history_model);
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CsRun) run = g_list_model_get_item (model, i);

      if (run == self->run)
        {
          gtk_list_box_select_row (self->history_list,
                                   gtk_list_box_get_row_at_index (self->history_list, i));
          return;
        }
    }
  gtk_list_box_unselect_all (self->history_list);
}

/* -------------------------------------------------------------------------
 * The run page
 */

static const char *
run_state_text (CsRun *run)
{
  switch (cs_run_get_state (run))
    {
    case CS_RUN_DRAFT:
      return _("Not started");
    case CS_RUN_RUNNING:
      return _("Asking the models…");
    case CS_RUN_SYNTHESIZING:
      return _("Synthesizing the answers…");
    case CS_RUN_DONE:
      return _("Done");
    case CS_RUN_FAILED:
      return _("Failed: no candidate gave a usable answer");
    case CS_RUN_CANCELLED:
      return _("Cancelled");
    default:
      return "";
    }
}

static void
update_run_page (CsWindow *self)
{
  CsRun *run = self->run;
  g_autofree char *state = NULL;
  const char *message;
  CsRunState run_state;
  guint n, n_ok;
  gboolean live;

  if (run == NULL)
    return;

  run_state = cs_run_get_state (run);
  /* a run left "running" by a crash is not live: nothing drives it */
  live = (run_state == CS_RUN_RUNNING || run_state == CS_RUN_SYNTHESIZING) &&
         g_hash_table_contains (self->runners, cs_run_get_id (run));
  n = g_list_model_get_n_items (G_LIST_MODEL (run));
  n_ok = cs_run_count_status (run, CS_CANDIDATE_OK);

  gtk_label_set_text (self->run_title_label,
                      cs_run_get_title (run) != NULL && cs_run_get_title (run)[0] ? cs_run_get_title (run) : _("Untitled"));

  if (run_state == CS_RUN_DRAFT && !live)
    state = g_strdup_printf ("%s · %s",
                             cs_run_get_mode (run) == CS_MODE_ARCHITECT ? _("Systems Architect") : _("Tech Support"),
                             run_state_text (run));
  else
    state = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                          "%s · %s · %u of %u candidate answered",
                                          "%s · %s · %u of %u candidates answered", n),
                             cs_run_get_mode (run) == CS_MODE_ARCHITECT ? _("Systems Architect") : _("Tech Support"),
                             run_state_text (run), n_ok, n);
  if (cs_run_get_total_cost_usd (run) > 0)
    {
      char *with_cost = g_strdup_printf (_("%s · $%.4f"), state, cs_run_get_total_cost_usd (run));

      g_free (state);
      state = with_cost;
    }
  gtk_label_set_text (self->run_state_label, state);

  /* the question, with its constraints */
  {
    g_autoptr(GString) question = g_string_new (cs_run_get_problem (run));
    const char * const *keys = cs_run_get_constraint_keys (run);

    for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
      {
        const char *label = keys[i];

        /* the compose page's row titles name the known keys */
        for (guint r = 0; r < G_N_ELEMENTS (constraint_rows); r++)
          if (g_str_equal (constraint_rows[r].key, keys[i]))
            label = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (constraint_row (self, r)));
        g_string_append_printf (question, "%s%s: %s", i == 0 ? "\n\n" : "\n",
                                label, cs_run_get_constraint (run, keys[i]));
      }
    gtk_label_set_text (self->run_problem_label, question->str);
  }

  gtk_spinner_set_spinning (self->run_spinner, live);
  gtk_widget_set_visible (GTK_WIDGET (self->run_spinner), live);

  message = cs_run_get_message (run);
  /* the result view shows the synthesis note itself */
  if (message != NULL && cs_run_get_synthesis (run) != NULL &&
      JSON_NODE_HOLDS_OBJECT (cs_run_get_synthesis (run)))
    {
      JsonObject *synthesis = json_node_get_object (cs_run_get_synthesis (run));

      if (json_object_has_member (synthesis, "note") &&
          JSON_NODE_HOLDS_VALUE (json_object_get_member (synthesis, "note")) &&
          g_strcmp0 (json_object_get_string_member (synthesis, "note"), message) == 0)
        message = NULL;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->run_message_label), message != NULL && message[0] != '\0');
  gtk_label_set_text (self->run_message_label, message != NULL ? message : "");

  gtk_widget_set_visible (GTK_WIDGET (self->result_view), cs_run_get_synthesis (run) != NULL);
  apply_critiques (self);

  _cs_window_actions_update (self);
}

#define RUN_PAGE_INTERVAL_MS 250

static gboolean
run_page_timeout_cb (gpointer user_data)
{
  CsWindow *self = user_data;

  if (self->run_page_dirty)
    {
      self->run_page_dirty = FALSE;
      update_run_page (self);
      return G_SOURCE_CONTINUE;
    }
  self->run_page_source = 0;
  return G_SOURCE_REMOVE;
}

/* A run emits ::changed for every token count and cost of every candidate
 * while they stream: the page follows at most four times a second. */
static void
run_changed_cb (CsWindow *self)
{
  if (self->run_page_source != 0)
    {
      self->run_page_dirty = TRUE;
      return;
    }
  update_run_page (self);
  self->run_page_source = g_timeout_add (RUN_PAGE_INTERVAL_MS, run_page_timeout_cb, self);
}

/* The judge's critique of a candidate, from the run's synthesis. */
static void
apply_critique (CsRun           *run,
                CsCandidateCard *card)
{
  JsonObject *synthesis = cs_ui_json_object (cs_run_get_synthesis (run));
  JsonArray *critiques = cs_ui_json_get_array (synthesis, "critiques");
  const char *id = cs_candidate_get_id (cs_candidate_card_get_candidate (card));

  for (guint i = 0; critiques != NULL && i < json_array_get_length (critiques); i++)
    {
      JsonObject *c = cs_ui_json_array_object (critiques, i);
      double score = cs_ui_json_get_number (c, "score", -1);

      if (g_strcmp0 (cs_ui_json_get_string (c, "candidate"), id) == 0 && score >= 0)
        {
          cs_candidate_card_set_critique (card, (int) CLAMP (score, 0, 10),
                                          cs_ui_json_get_string (c, "strengths"),
                                          cs_ui_json_get_string (c, "weaknesses"));
          return;
        }
    }
  cs_candidate_card_set_critique (card, -1, NULL, NULL);
}

static void
apply_critiques (CsWindow *self)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->candidates_flow));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *card = gtk_flow_box_child_get_child (GTK_FLOW_BOX_CHILD (child));

      if (CS_IS_CANDIDATE_CARD (card))
        apply_critique (self->run, CS_CANDIDATE_CARD (card));
    }
}

static GtkWidget *
create_card (gpointer item,
             gpointer user_data)
{
  CsWindow *self = user_data;
  CsCandidateCard *card = cs_candidate_card_new (CS_CANDIDATE (item));

  if (self->run != NULL)
    apply_critique (self->run, card);
  return GTK_WIDGET (card);
}

void
_cs_window_show_run (CsWindow *self,
                     CsRun    *run)
{
  g_return_if_fail (CS_IS_WINDOW (self));
  g_return_if_fail (CS_IS_RUN (run));

  if (g_set_object (&self->run, run))
    {
      g_signal_group_set_target (self->run_signals, run);
      gtk_flow_box_bind_model (self->candidates_flow, G_LIST_MODEL (run),
                               create_card, self, NULL);
      cs_result_view_set_run (self->result_view, run);
    }

  gtk_stack_set_visible_child_name (self->main_stack, "run");
  update_run_page (self);
  select_history_row (self);
}

void
_cs_window_show_compose (CsWindow *self)
{
  g_return_if_fail (CS_IS_WINDOW (self));

  gtk_stack_set_visible_child_name (self->main_stack, "compose");
  adw_leaflet_set_visible_child (self->leaflet, self->main_box);
  gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->problem_view));
  update_main_page (self);
  gtk_list_box_unselect_all (self->history_list);
  _cs_window_actions_update (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->problem_view));
}

CsRun *
_cs_window_get_run (CsWindow *self)
{
  g_return_val_if_fail (CS_IS_WINDOW (self), NULL);

  return self->run;
}

gboolean
_cs_window_is_running (CsWindow *self)
{
  g_return_val_if_fail (CS_IS_WINDOW (self), FALSE);

  return self->running_run != NULL;
}

GtkTextBuffer *
_cs_window_get_problem_buffer (CsWindow *self)
{
  g_return_val_if_fail (CS_IS_WINDOW (self), NULL);

  return gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->problem_view));
}

/* -------------------------------------------------------------------------
 * Running
 */

CsRunner *
_cs_window_ensure_runner (CsWindow *self,
                          CsRun    *run)
{
  CsRunner *runner;
  CsConfig *config;

  runner = g_hash_table_lookup (self->runners, cs_run_get_id (run));
  if (runner != NULL)
    return runner;

  config = get_config (self);
  if (config == NULL)
    return NULL;

  runner = cs_runner_new (config, run);
  cs_runner_set_store (runner, self->store);
  cs_runner_set_quorum (runner, g_settings_get_uint (self->settings, "quorum"));
  cs_runner_set_deadline (runner, g_settings_get_uint (self->settings, "deadline-seconds"));
  g_hash_table_insert (self->runners, g_strdup (cs_run_get_id (run)), runner);

  return runner;
}

static char *
make_title (const char *problem)
{
  g_autofree char *first = NULL;
  const char *p = problem;
  const char *end;
  glong len;

  while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '#')
    p++;
  end = strchr (p, '\n');
  first = end != NULL ? g_strndup (p, end - p) : g_strdup (p);
  g_strstrip (first);

  len = g_utf8_strlen (first, -1);
  if (len > 60)
    {
      g_autofree char *cut = g_utf8_substring (first, 0, 59);
      return g_strconcat (cut, "…", NULL);
    }
  return g_steal_pointer (&first);
}

static void
execute_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(CsWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  CsRunner *runner = CS_RUNNER (object);
  CsRun *run = cs_runner_get_run (runner);

  if (!cs_runner_execute_finish (runner, result, &error))
    {
      g_debug ("Run %s ended: %s", cs_run_get_id (run), error->message);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          if (cs_run_get_message (run) == NULL)
            cs_run_set_message (run, error->message);
          if (self->toast_overlay != NULL)
            _cs_window_toast (self, error->message);
        }
      else if (cs_run_get_state (run) == CS_RUN_RUNNING ||
               cs_run_get_state (run) == CS_RUN_SYNTHESIZING)
        cs_run_set_state (run, CS_RUN_CANCELLED);
    }

  if (self->running_run == run)
    {
      g_clear_object (&self->running_run);
      g_clear_object (&self->run_cancellable);
    }

  if (self->store != NULL)
    cs_run_store_save (self->store, run);

  update_run_page (self);
}

void
_cs_window_start_run (CsWindow *self)
{
  g_autofree char *problem = NULL;
  g_autofree char *title = NULL;
  g_autofree char *judge = NULL;
  g_auto(GStrv) models = NULL;
  g_autoptr(CsRun) run = NULL;
  g_autoptr(GError) error = NULL;
  CsRunner *runner;
  CsMode mode;

  g_return_if_fail (CS_IS_WINDOW (self));

  if (self->running_run != NULL)
    return;

  problem = get_problem_text (self);
  g_strstrip (problem);
  if (problem[0] == '\0')
    {
      _cs_window_toast (self, _("Describe the problem first"));
      gtk_widget_grab_focus (GTK_WIDGET (self->problem_view));
      return;
    }

  models = selected_models (self);
  if (models[0] == NULL)
    {
      _cs_window_toast (self, _("Choose at least one model"));
      return;
    }

  flush_draft (self);
  save_model_selection (self);

  mode = current_mode (self);
  run = cs_run_new (mode, problem);
  if (cs_run_get_title (run) == NULL || cs_run_get_title (run)[0] == '\0')
    {
      title = make_title (problem);
      cs_run_set_title (run, title);
    }

  for (guint i = 0; i < G_N_ELEMENTS (constraint_rows); i++)
    {
      const char *text = gtk_editable_get_text (GTK_EDITABLE (constraint_row (self, i)));

      if (constraint_in_mode (constraint_rows[i].key, mode) && text != NULL && text[0] != '\0')
        cs_run_set_constraint (run, constraint_rows[i].key, text);
    }

  judge = selected_judge (self);
  cs_run_set_judge (run, judge);
  g_settings_set_string (self->settings, "judge-model", judge != NULL ? judge : "");

  runner = _cs_window_ensure_runner (self, run);
  if (runner == NULL || !cs_runner_plan (runner, (const char * const *) models, &error))
    {
      g_hash_table_remove (self->runners, cs_run_get_id (run));
      _cs_window_toast (self, error != NULL ? error->message : _("No providers are configured"));
      return;
    }

  cs_run_store_watch (self->store, run);

  g_set_object (&self->running_run, run);
  g_clear_object (&self->run_cancellable);
  self->run_cancellable = g_cancellable_new ();

  _cs_window_show_run (self, run);

  cs_runner_execute_async (runner, self->run_cancellable, execute_cb, g_object_ref (self));
  update_run_page (self);
}

void
_cs_window_cancel_run (CsWindow *self)
{
  g_return_if_fail (CS_IS_WINDOW (self));

  if (self->run_cancellable != NULL)
    g_cancellable_cancel (self->run_cancellable);
}

/* -------------------------------------------------------------------------
 * GObject
 */

static gboolean
cs_window_close_request (GtkWindow *window)
{
  CsWindow *self = CS_WINDOW (window);
  int width, height;

  flush_draft (self);

  gtk_window_get_default_size (window, &width, &height);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));

  return GTK_WINDOW_CLASS (cs_window_parent_class)->close_request (window);
}

static gboolean
invert_boolean (gpointer instance,
                gboolean value)
{
  return !value;
}

static gboolean
prepare_cards_cb (gpointer user_data)
{
  cs_candidate_card_prepare (GTK_WIDGET (user_data));
  return G_SOURCE_REMOVE;
}

/* After construction: "application" is set only after constructed(). */
static void
cs_window_setup (CsWindow *self)
{
  CsApplication *app = get_app (self);
  g_autofree char *mode = NULL;

  if (app != NULL)
    {
      self->settings = g_object_ref (cs_application_get_settings (app));
      self->store = g_object_ref (cs_application_get_store (app));
      g_signal_connect_object (app, "config-changed", G_CALLBACK (config_changed_cb), self, G_CONNECT_SWAPPED);
    }
  else
    {
      self->settings = g_settings_new (APP_ID);
      self->store = cs_run_store_new (NULL);
    }

  g_settings_bind (self->settings, "sidebar-visible", self->sidebar, "visible", G_SETTINGS_BIND_GET);
  g_settings_bind (self->settings, "sidebar-visible", self->sidebar_separator, "visible", G_SETTINGS_BIND_GET);

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  self->history_filter = gtk_custom_filter_new (history_filter_func, self, NULL);
  self->history_model = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->store)),
                                                   g_object_ref (GTK_FILTER (self->history_filter)));
  g_signal_connect_object (self->history_model, "items-changed",
                           G_CALLBACK (history_items_changed_cb), self, G_CONNECT_SWAPPED);
  gtk_list_box_bind_model (self->history_list, G_LIST_MODEL (self->history_model),
                           create_history_row, self, NULL);
  history_items_changed_cb (self, 0, 0, 0, G_LIST_MODEL (self->history_model));
  self->dates_source = g_timeout_add_seconds (60, refresh_dates_cb, self);
  g_signal_connect_object (self->store, "save-failed", G_CALLBACK (save_failed_cb), self, G_CONNECT_SWAPPED);

  mode = g_settings_get_string (self->settings, "last-mode");
  _cs_window_set_mode (self, mode);
  apply_mode (self);

  restore_draft (self);
  cs_window_rebuild_models (self);
  gtk_stack_set_visible_child_name (self->main_stack, "compose");
  adw_leaflet_set_visible_child (self->leaflet, self->main_box);
  gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->problem_view));
  update_main_page (self);
  _cs_window_fill_welcome (self);
  _cs_window_actions_update (self);
  /* the history may have loaded before this window opened */
  _cs_window_report_load_failures (self);
  /* once the window is up, before the first run needs them */
  g_timeout_add_full (G_PRIORITY_LOW, 500, prepare_cards_cb, g_object_ref (self), g_object_unref);
}

static void
cs_window_dispose (GObject *object)
{
  CsWindow *self = CS_WINDOW (object);

  if (self->draft_source != 0)
    flush_draft (self);

  g_clear_handle_id (&self->dates_source, g_source_remove);
  g_clear_handle_id (&self->welcome_source, g_source_remove);
  g_clear_handle_id (&self->save_check_source, g_source_remove);
  g_clear_handle_id (&self->run_page_source, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  if (self->run_cancellable != NULL)
    g_cancellable_cancel (self->run_cancellable);

  /* runs waiting for their undo toast are deleted now */
  if (self->pending_delete != NULL && self->store != NULL)
    {
      GHashTableIter iter;
      gpointer value;

      g_hash_table_iter_init (&iter, self->pending_delete);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        cs_run_store_delete (self->store, CS_RUN (value), NULL);
      g_hash_table_remove_all (self->pending_delete);
    }

  if (self->run_signals != NULL)
    g_signal_group_set_target (self->run_signals, NULL);

  gtk_widget_dispose_template (GTK_WIDGET (self), CS_TYPE_WINDOW);

  g_clear_object (&self->history_model);
  g_clear_object (&self->history_filter);
  g_clear_object (&self->run);
  g_clear_object (&self->running_run);
  g_clear_object (&self->run_cancellable);
  g_clear_object (&self->run_signals);
  g_clear_pointer (&self->runners, g_hash_table_unref);
  g_clear_pointer (&self->pending_delete, g_hash_table_unref);
  g_clear_pointer (&self->save_failures, g_hash_table_unref);
  g_clear_pointer (&self->model_rows, g_ptr_array_unref);
  g_clear_object (&self->judge_ids);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (cs_window_parent_class)->dispose (object);
}

static void
cs_window_finalize (GObject *object)
{
  CsWindow *self = CS_WINDOW (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->mode, g_free);
  g_clear_pointer (&self->last_toast, g_free);

  G_OBJECT_CLASS (cs_window_parent_class)->finalize (object);
}

static void
cs_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  CsWindow *self = CS_WINDOW (object);

  switch (prop_id)
    {
    case PROP_MODE:
      g_value_set_string (value, self->mode);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  CsWindow *self = CS_WINDOW (object);

  switch (prop_id)
    {
    case PROP_MODE:
      _cs_window_set_mode (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_window_class_init (CsWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = cs_window_dispose;
  object_class->finalize = cs_window_finalize;
  object_class->get_property = cs_window_get_property;
  object_class->set_property = cs_window_set_property;
  window_class->close_request = cs_window_close_request;

  properties[PROP_MODE] =
    g_param_spec_string ("mode", NULL, NULL,
                         "architect",
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (GTK_SOURCE_TYPE_VIEW);
  g_type_ensure (CS_TYPE_RESULT_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/consilium/Consilium/cs-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CsWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, sidebar_separator);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, history_stack);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, history_list);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, main_box);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, run_button_stack);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, welcome_page);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, welcome_list);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, problem_view);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, problem_placeholder);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, architect_group);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, support_group);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, budget_row);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, technologies_row);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, scale_row);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, hosting_row);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, os_row);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, stack_row);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, tried_row);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, models_group);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, models_list);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, judge_row);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, run_title_label);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, run_state_label);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, run_spinner);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, run_message_label);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, run_problem_label);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, result_view);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, candidates_flow);

  gtk_widget_class_bind_template_callback (widget_class, invert_boolean);

  _cs_window_class_actions_init (klass);
}

static void
cs_window_init (CsWindow *self)
{
  GtkSourceLanguageManager *languages;
  GtkSourceLanguage *markdown;
  GtkTextBuffer *buffer;

  self->cancellable = g_cancellable_new ();
  self->mode = g_strdup ("architect");
  self->runners = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->pending_delete = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->save_failures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->judge_ids = gtk_string_list_new (NULL);
  self->run_signals = g_signal_group_new (CS_TYPE_RUN);
  g_signal_group_connect_swapped (self->run_signals, "notify::state", G_CALLBACK (update_run_page), self);
  g_signal_group_connect_swapped (self->run_signals, "notify::title", G_CALLBACK (update_run_page), self);
  g_signal_group_connect_swapped (self->run_signals, "notify::message", G_CALLBACK (update_run_page), self);
  g_signal_group_connect_swapped (self->run_signals, "notify::synthesis", G_CALLBACK (update_run_page), self);
  g_signal_group_connect_swapped (self->run_signals, "changed", G_CALLBACK (run_changed_cb), self);

  gtk_widget_init_template (GTK_WIDGET (self));

  self->model_rows = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_model_row_free);

  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->problem_view));
  languages = gtk_source_language_manager_get_default ();
  markdown = gtk_source_language_manager_get_language (languages, "markdown");
  if (markdown != NULL)
    gtk_source_buffer_set_language (GTK_SOURCE_BUFFER (buffer), markdown);
  gtk_source_buffer_set_highlight_matching_brackets (GTK_SOURCE_BUFFER (buffer), FALSE);
  g_signal_connect_object (buffer, "changed", G_CALLBACK (problem_changed_cb), self, G_CONNECT_SWAPPED);

  /* Ctrl+Enter runs, also from inside the editor (before it can take the
   * key for a new line) */
  {
    GtkEventController *shortcuts = gtk_shortcut_controller_new ();

    gtk_event_controller_set_propagation_phase (shortcuts, GTK_PHASE_CAPTURE);
    gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                          gtk_shortcut_new (gtk_shortcut_trigger_parse_string ("<Control>Return|<Control>KP_Enter"),
                                                            gtk_named_action_new ("win.run")));
    gtk_widget_add_controller (GTK_WIDGET (self->problem_view), shortcuts);
  }

  for (guint i = 0; i < G_N_ELEMENTS (constraint_rows); i++)
    g_signal_connect_object (constraint_row (self, i), "changed",
                             G_CALLBACK (constraint_changed_cb), self, G_CONNECT_SWAPPED);

  g_signal_connect_object (self->history_list, "row-activated",
                           G_CALLBACK (history_row_activated_cb), self, G_CONNECT_SWAPPED);
}

CsWindow *
cs_window_new (CsApplication *app)
{
  CsWindow *self;

  self = g_object_new (CS_TYPE_WINDOW,
                       "application", app,
                       NULL);
  cs_window_setup (self);

  return self;
}
