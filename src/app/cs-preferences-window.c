/* cs-preferences-window.c: providers, models, keys and limits
 *
 * The rows edit the application's one configuration (its CsConfigFile) and
 * the window writes it back, debounced, with cs_config_file_save; the rows
 * follow the configuration whoever changes it. API keys never touch the
 * file: they go to the keyring.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-preferences-window"

#include "config.h"

#include <glib/gi18n.h>

#include "cs-preferences-window.h"
#include "cs-preferences-window-private.h"
#include "cs-price-row.h"
#include "cs-provider-row.h"

#define SAVE_DELAY_MS 500

struct _CsPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  CsApplication        *app;
  CsConfigFile         *file;
  char                 *load_error;   /* the file could not be read: never written */
  char                 *last_toast;   /* for the tests */
  guint                 save_source;
  GPtrArray            *provider_rows;  /* of CsProviderRow, in providers_group */
  GPtrArray            *price_groups;   /* in prices_page */
  char                 *prices_shape;   /* what the price groups were built for */
  GPtrArray            *warning_rows;   /* in warnings_group */
  char                **warnings_shown; /* what they say */

  AdwPreferencesPage   *providers_page;
  AdwPreferencesGroup  *warnings_group;
  AdwPreferencesGroup  *providers_group;
  GtkWidget            *empty_row;
  GtkMenuButton        *add_button;
  AdwPreferencesPage   *prices_page;
  GtkAdjustment        *candidates_adjustment;
  GtkAdjustment        *quorum_adjustment;
  GtkAdjustment        *deadline_adjustment;
  GtkAdjustment        *budget_adjustment;
  GtkSwitch            *log_prompts_switch;
};

G_DEFINE_FINAL_TYPE (CsPreferencesWindow, cs_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static void
toast (CsPreferencesWindow *self,
       const char          *message)
{
  g_autofree char *escaped = g_markup_escape_text (message, -1);
  AdwToast *t = adw_toast_new (escaped);

  adw_toast_set_timeout (t, 6);
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), t);
  g_free (self->last_toast);
  self->last_toast = g_strdup (message);
}

const char *
_cs_preferences_window_get_last_toast (CsPreferencesWindow *self)
{
  g_return_val_if_fail (CS_IS_PREFERENCES_WINDOW (self), NULL);

  return self->last_toast;
}

AdwPreferencesGroup *
_cs_preferences_window_get_warnings_group (CsPreferencesWindow *self)
{
  g_return_val_if_fail (CS_IS_PREFERENCES_WINDOW (self), NULL);

  return self->warnings_group;
}

static void
row_toast_cb (GtkWidget           *row,
              const char          *message,
              CsPreferencesWindow *self)
{
  toast (self, message);
}

/* ---- saving ---- */

static gboolean
save_cb (gpointer user_data)
{
  CsPreferencesWindow *self = user_data;
  const char *path = cs_config_file_get_path (self->file);
  g_autoptr(GError) error = NULL;
  g_autofree char *msg = NULL;

  self->save_source = 0;

  if (self->load_error == NULL && cs_config_file_save (self->file, &error))
    return G_SOURCE_REMOVE;

  /* a providers file that cannot be read (now, or when the window opened)
   * is the person's to fix: it is never replaced with what is shown */
  if (self->load_error == NULL && g_error_matches (error, CS_CONFIG_FILE_ERROR, CS_CONFIG_FILE_ERROR_UNREADABLE))
    self->load_error = g_strdup (error->message);
  if (self->load_error != NULL)
    /* Translators: %s is the file's path, then the reason it could not be read */
    msg = g_strdup_printf (_("Not saved: the providers file %s could not be read: %s"),
                           path, self->load_error);
  else
    msg = g_strdup_printf (_("Could not save the providers: %s"), error->message);
  toast (self, msg);
  return G_SOURCE_REMOVE;
}

static void
schedule_save (CsPreferencesWindow *self)
{
  g_clear_handle_id (&self->save_source, g_source_remove);
  self->save_source = g_timeout_add (SAVE_DELAY_MS, save_cb, self);
}

/* ---- following the configuration ---- */

static void
add_provider_row (CsPreferencesWindow    *self,
                  const CsProviderConfig *p)
{
  CsProviderRow *row = cs_provider_row_new (self->file, p->id);

  g_signal_connect_object (row, "edited", G_CALLBACK (schedule_save), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (row, "toast", G_CALLBACK (row_toast_cb), self, 0);
  adw_preferences_group_add (self->providers_group, GTK_WIDGET (row));
  g_ptr_array_add (self->provider_rows, row);
}

/* One row per provider, in order: rows of providers still there are kept
 * (open, with what is typed in them) and updated. */
static void
update_provider_rows (CsPreferencesWindow *self)
{
  GPtrArray *providers = cs_config_get_providers (cs_config_file_get_config (self->file));
  gboolean same = providers->len == self->provider_rows->len;

  for (guint i = 0; same && i < providers->len; i++)
    same = g_strcmp0 (((const CsProviderConfig *) g_ptr_array_index (providers, i))->id,
                      cs_provider_row_get_provider_id (g_ptr_array_index (self->provider_rows, i))) == 0;

  if (same)
    {
      for (guint i = 0; i < self->provider_rows->len; i++)
        cs_provider_row_update (g_ptr_array_index (self->provider_rows, i));
    }
  else
    {
      g_autoptr(GPtrArray) old = g_steal_pointer (&self->provider_rows);

      self->provider_rows = g_ptr_array_new ();
      for (guint i = 0; i < providers->len; i++)
        {
          const CsProviderConfig *p = g_ptr_array_index (providers, i);
          CsProviderRow *row = NULL;

          for (guint j = 0; j < old->len && row == NULL; j++)
            if (g_strcmp0 (cs_provider_row_get_provider_id (g_ptr_array_index (old, j)), p->id) == 0)
              row = g_ptr_array_steal_index (old, j);
          if (row == NULL)
            {
              add_provider_row (self, p);
              continue;
            }
          /* kept, moved to its place */
          g_object_ref (row);
          adw_preferences_group_remove (self->providers_group, GTK_WIDGET (row));
          adw_preferences_group_add (self->providers_group, GTK_WIDGET (row));
          g_object_unref (row);
          g_ptr_array_add (self->provider_rows, row);
          cs_provider_row_update (row);
        }
      for (guint j = 0; j < old->len; j++)
        adw_preferences_group_remove (self->providers_group, g_ptr_array_index (old, j));
    }

  gtk_widget_set_visible (self->empty_row, providers->len == 0);
}

/* The providers, their names and models: what the price groups show. */
static char *
prices_shape (CsConfig *config)
{
  GPtrArray *providers = cs_config_get_providers (config);
  GString *shape = g_string_new (NULL);

  for (guint i = 0; i < providers->len; i++)
    {
      const CsProviderConfig *p = g_ptr_array_index (providers, i);
      g_autofree char *models = g_strjoinv ("\n", p->models);

      g_string_append_printf (shape, "%s\n%s\n%s\n\n", p->id, p->name != NULL ? p->name : "", models);
    }
  return g_string_free (shape, FALSE);
}

static GtkWidget *
build_price_group (CsPreferencesWindow    *self,
                   const CsProviderConfig *p)
{
  CsConfig *config = cs_config_file_get_config (self->file);
  GtkWidget *group = adw_preferences_group_new ();
  /* group titles are markup on libadwaita 1.2 */
  g_autofree char *title = g_markup_escape_text (p->name != NULL ? p->name : p->id, -1);

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group), _("Prices in US dollars per million tokens, for the cost figures"));

  for (guint j = 0; p->models[j] != NULL; j++)
    {
      g_autofree char *id = g_strdup_printf ("%s/%s", p->id, p->models[j]);
      CsPriceRow *row;

      if (cs_config_find_model (config, id) == NULL)
        continue;
      row = cs_price_row_new (self->file, id);
      g_signal_connect_object (row, "edited", G_CALLBACK (schedule_save), self, G_CONNECT_SWAPPED);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (row));
    }
  return group;
}

static void
update_price_row (GtkWidget *widget)
{
  if (CS_IS_PRICE_ROW (widget))
    cs_price_row_update (CS_PRICE_ROW (widget));
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    update_price_row (child);
}

/* Rebuilt when the providers or their models changed; else the prices
 * are updated where they are (a spin being edited keeps its focus). */
static void
update_prices_page (CsPreferencesWindow *self)
{
  CsConfig *config = cs_config_file_get_config (self->file);
  GPtrArray *providers = cs_config_get_providers (config);
  g_autofree char *shape = prices_shape (config);

  if (g_strcmp0 (shape, self->prices_shape) == 0)
    {
      for (guint i = 0; i < self->price_groups->len; i++)
        update_price_row (g_ptr_array_index (self->price_groups, i));
      return;
    }

  g_free (self->prices_shape);
  self->prices_shape = g_steal_pointer (&shape);
  for (guint i = 0; i < self->price_groups->len; i++)
    adw_preferences_page_remove (self->prices_page, g_ptr_array_index (self->price_groups, i));
  g_ptr_array_set_size (self->price_groups, 0);

  for (guint i = 0; i < providers->len; i++)
    {
      GtkWidget *group = build_price_group (self, g_ptr_array_index (providers, i));

      adw_preferences_page_add (self->prices_page, ADW_PREFERENCES_GROUP (group));
      g_ptr_array_add (self->price_groups, group);
    }
}

/* What the configuration warns about its file (unknown keys, with the key
 * probably meant), a row each, at the top of the providers page. */
static void
update_warnings (CsPreferencesWindow *self)
{
  const char * const *warnings = cs_config_get_warnings (cs_config_file_get_config (self->file));
  const char *path = cs_config_file_get_path (self->file);
  g_autofree char *prefix = g_strconcat (path, ": ", NULL);
  g_autofree char *escaped = NULL;
  g_autofree char *description = NULL;

  static const char * const none[] = { NULL };

  if (warnings == NULL)
    warnings = none;
  if (self->warnings_shown != NULL && g_strv_equal (warnings, (const char * const *) self->warnings_shown))
    return;

  for (guint i = 0; i < self->warning_rows->len; i++)
    adw_preferences_group_remove (self->warnings_group, g_ptr_array_index (self->warning_rows, i));
  g_ptr_array_set_size (self->warning_rows, 0);
  g_strfreev (self->warnings_shown);
  self->warnings_shown = g_strdupv ((char **) warnings);

  for (guint i = 0; warnings[i] != NULL; i++)
    {
      const char *text = g_str_has_prefix (warnings[i], prefix) ? warnings[i] + strlen (prefix) : warnings[i];
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");

      gtk_widget_add_css_class (icon, "warning");
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), text);
      adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 0);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
      adw_preferences_group_add (self->warnings_group, row);
      g_ptr_array_add (self->warning_rows, row);
    }

  /* group descriptions are markup on libadwaita 1.2 */
  escaped = g_markup_escape_text (path, -1);
  /* Translators: %s is the providers file's path */
  description = g_strdup_printf (_("What these lines say is ignored. Fix them in %s with a text editor."), escaped);
  adw_preferences_group_set_description (self->warnings_group, description);
  gtk_widget_set_visible (GTK_WIDGET (self->warnings_group), warnings[0] != NULL);
}

static void
config_changed_cb (CsPreferencesWindow *self)
{
  update_warnings (self);
  update_provider_rows (self);
  update_prices_page (self);
}

/* ---- adding a preset ---- */

typedef struct
{
  const CsProviderConfig *preset;
  const char             *id;     /* a free one */
} PresetEdit;

static void
add_preset_edit (CsConfig *config,
                 gpointer  user_data)
{
  PresetEdit *edit = user_data;
  g_autoptr(CsProviderConfig) copy = cs_provider_config_copy (edit->preset);
  g_autoptr(GPtrArray) models = cs_config_get_preset_models (edit->preset->id);

  g_free (copy->id);
  copy->id = g_strdup (edit->id);
  cs_config_set_provider (config, copy);
  for (guint i = 0; i < models->len; i++)
    {
      CsModelConfig *m = g_ptr_array_index (models, i);

      g_free (m->provider);
      m->provider = g_strdup (edit->id);
      g_free (m->id);
      m->id = g_strdup_printf ("%s/%s", edit->id, m->name);
      cs_config_set_model (config, m);
    }
}

static void
add_preset_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  CsPreferencesWindow *self = CS_PREFERENCES_WINDOW (widget);
  const char *preset_id = g_variant_get_string (param, NULL);
  g_autoptr(GPtrArray) presets = cs_config_get_presets ();
  CsConfig *config = cs_config_file_get_config (self->file);
  PresetEdit edit = { NULL, NULL };
  g_autofree char *id = NULL;
  g_autofree char *msg = NULL;

  /* the pages are insensitive then, and the action disabled: a
   * gtk_widget_activate_action from elsewhere still lands here */
  if (self->load_error != NULL)
    return;

  for (guint i = 0; i < presets->len && edit.preset == NULL; i++)
    if (g_strcmp0 (((const CsProviderConfig *) g_ptr_array_index (presets, i))->id, preset_id) == 0)
      edit.preset = g_ptr_array_index (presets, i);
  if (edit.preset == NULL)
    return;

  /* a free id: openai, openai-2, … */
  id = g_strdup (preset_id);
  for (guint n = 2; cs_config_find_provider (config, id) != NULL; n++)
    {
      g_free (id);
      id = g_strdup_printf ("%s-%u", preset_id, n);
    }
  edit.id = id;

  cs_config_file_edit (self->file, add_preset_edit, &edit);
  schedule_save (self);

  /* the new row opens, for its key */
  for (guint i = 0; i < self->provider_rows->len; i++)
    {
      CsProviderRow *row = g_ptr_array_index (self->provider_rows, i);

      if (g_strcmp0 (cs_provider_row_get_provider_id (row), id) == 0)
        adw_expander_row_set_expanded (ADW_EXPANDER_ROW (row), TRUE);
    }
  if (edit.preset->key_optional)
    msg = g_strdup_printf (_("%s added"), edit.preset->name != NULL ? edit.preset->name : id);
  else
    msg = g_strdup_printf (_("%s added: enter its API key in its row"),
                           edit.preset->name != NULL ? edit.preset->name : id);
  toast (self, msg);
}

static void
fill_add_menu (CsPreferencesWindow *self)
{
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GPtrArray) presets = cs_config_get_presets ();

  for (guint i = 0; i < presets->len; i++)
    {
      const CsProviderConfig *preset = g_ptr_array_index (presets, i);
      g_autoptr(GMenuItem) item = g_menu_item_new (preset->name != NULL ? preset->name : preset->id, NULL);

      g_menu_item_set_action_and_target_value (item, "prefs.add-preset", g_variant_new_string (preset->id));
      g_menu_append_item (menu, item);
    }
  gtk_menu_button_set_menu_model (self->add_button, G_MENU_MODEL (menu));
}

/* ---- the window ---- */

static void
bind_run_settings (CsPreferencesWindow *self)
{
  GSettings *settings = cs_application_get_settings (self->app);

  g_settings_bind (settings, "candidates-per-model", self->candidates_adjustment, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "quorum", self->quorum_adjustment, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "deadline-seconds", self->deadline_adjustment, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "run-budget", self->budget_adjustment, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "log-prompts", self->log_prompts_switch, "active", G_SETTINGS_BIND_DEFAULT);
}

CsPreferencesWindow *
cs_preferences_window_new (CsApplication *app)
{
  CsPreferencesWindow *self;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (CS_IS_APPLICATION (app), NULL);

  self = g_object_new (CS_TYPE_PREFERENCES_WINDOW, NULL);
  self->app = g_object_ref (app);
  self->file = g_object_ref (cs_application_get_config_file (app));

  /* a file edited by hand since the application read it is read again */
  if (!cs_config_file_check (self->file, &error))
    self->load_error = g_strdup (error->message);

  bind_run_settings (self);
  fill_add_menu (self);
  config_changed_cb (self);
  g_signal_connect_object (self->file, "changed", G_CALLBACK (config_changed_cb), self, G_CONNECT_SWAPPED);

  if (self->load_error != NULL)
    {
      /* Translators: %s is the file's path, then the reason it could not be read */
      g_autofree char *msg = g_strdup_printf (_("The providers file %s could not be read: %s. Fix it in a text editor; it is not changed here."),
                                              cs_config_file_get_path (self->file), self->load_error);
      toast (self, msg);
      gtk_widget_set_sensitive (GTK_WIDGET (self->providers_page), FALSE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->prices_page), FALSE);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "prefs.add-preset", FALSE);
    }

  return self;
}

void
cs_preferences_window_show_prices (CsPreferencesWindow *self)
{
  g_return_if_fail (CS_IS_PREFERENCES_WINDOW (self));
  adw_preferences_window_set_visible_page (ADW_PREFERENCES_WINDOW (self), ADW_PREFERENCES_PAGE (self->prices_page));
}

static void
cs_preferences_window_dispose (GObject *object)
{
  CsPreferencesWindow *self = CS_PREFERENCES_WINDOW (object);

  if (self->file != NULL)
    g_signal_handlers_disconnect_by_data (self->file, self);

  /* pending edits are written now */
  if (self->save_source != 0)
    {
      g_clear_handle_id (&self->save_source, g_source_remove);
      if (self->file != NULL)
        save_cb (self);
    }

  gtk_widget_dispose_template (GTK_WIDGET (self), CS_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->file);
  g_clear_object (&self->app);
  g_clear_pointer (&self->provider_rows, g_ptr_array_unref);
  g_clear_pointer (&self->price_groups, g_ptr_array_unref);
  g_clear_pointer (&self->warning_rows, g_ptr_array_unref);

  G_OBJECT_CLASS (cs_preferences_window_parent_class)->dispose (object);
}

static void
cs_preferences_window_finalize (GObject *object)
{
  CsPreferencesWindow *self = CS_PREFERENCES_WINDOW (object);

  g_free (self->load_error);
  g_free (self->last_toast);
  g_free (self->prices_shape);
  g_strfreev (self->warnings_shown);

  G_OBJECT_CLASS (cs_preferences_window_parent_class)->finalize (object);
}

static void
cs_preferences_window_class_init (CsPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cs_preferences_window_dispose;
  object_class->finalize = cs_preferences_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/consilium/Consilium/cs-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CsPreferencesWindow, providers_page);
  gtk_widget_class_bind_template_child (widget_class, CsPreferencesWindow, warnings_group);
  gtk_widget_class_bind_template_child (widget_class, CsPreferencesWindow, providers_group);
  gtk_widget_class_bind_template_child (widget_class, CsPreferencesWindow, empty_row);
  gtk_widget_class_bind_template_child (widget_class, CsPreferencesWindow, add_button);
  gtk_widget_class_bind_template_child (widget_class, CsPreferencesWindow, prices_page);
  gtk_widget_class_bind_template_child (widget_class, CsPreferencesWindow, candidates_adjustment);
  gtk_widget_class_bind_template_child (widget_class, CsPreferencesWindow, quorum_adjustment);
  gtk_widget_class_bind_template_child (widget_class, CsPreferencesWindow, deadline_adjustment);
  gtk_widget_class_bind_template_child (widget_class, CsPreferencesWindow, budget_adjustment);
  gtk_widget_class_bind_template_child (widget_class, CsPreferencesWindow, log_prompts_switch);

  gtk_widget_class_install_action (widget_class, "prefs.add-preset", "s", add_preset_action);
}

static void
cs_preferences_window_init (CsPreferencesWindow *self)
{
  self->provider_rows = g_ptr_array_new ();
  self->price_groups = g_ptr_array_new ();
  self->warning_rows = g_ptr_array_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}
