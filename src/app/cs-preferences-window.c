/* cs-preferences-window.c: providers, models, keys and limits
 *
 * Edits a copy of the providers file and writes it back (debounced) with
 * cs_config_save; the application then reloads it. API keys never touch the
 * file: they go to the keyring through cs_secrets_store_async.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-preferences-window"

#include "config.h"

#include <glib/gi18n.h>

#include "cs-preferences-window.h"
#include "cs-preferences-window-private.h"

#define SAVE_DELAY_MS 500

struct _CsPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  CsApplication        *app;
  CsConfig             *config;       /* the working copy */
  char                 *path;
  char                 *load_error;   /* the file could not be read: never written */
  char                 *last_toast;   /* for the tests */
  GCancellable         *cancellable;
  guint                 save_source;
  guint                 rebuild_source;

  AdwPreferencesPage   *providers_page;
  AdwPreferencesGroup  *providers_group;
  GPtrArray            *provider_rows;  /* widgets in providers_group */
  AdwPreferencesPage   *models_page;
  GPtrArray            *model_groups;   /* groups in models_page */
};

G_DEFINE_FINAL_TYPE (CsPreferencesWindow, cs_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static void rebuild (CsPreferencesWindow *self);

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

/* ---- saving ---- */

static gboolean
save_cb (gpointer user_data)
{
  CsPreferencesWindow *self = user_data;
  g_autoptr(GError) error = NULL;

  self->save_source = 0;

  /* a providers file that cannot be read (now, or when the window opened)
   * is the person's to fix: saving would replace it with what is shown */
  if (self->load_error == NULL && g_file_test (self->path, G_FILE_TEST_EXISTS))
    {
      g_autoptr(CsConfig) on_disk = cs_config_new_from_file (self->path, &error);

      if (on_disk == NULL)
        self->load_error = g_strdup (error->message);
      g_clear_error (&error);
    }
  if (self->load_error != NULL)
    {
      /* Translators: %s is the file's path, then the reason it could not be read */
      g_autofree char *msg = g_strdup_printf (_("Not saved: the providers file %s could not be read: %s"),
                                              self->path, self->load_error);
      g_debug ("Not writing %s: %s", self->path, self->load_error);
      toast (self, msg);
      return G_SOURCE_REMOVE;
    }

  if (!cs_config_save (self->config, self->path, &error))
    {
      g_autofree char *msg = g_strdup_printf (_("Could not save the providers: %s"), error->message);
      toast (self, msg);
      return G_SOURCE_REMOVE;
    }

  cs_application_reload_config (self->app);
  return G_SOURCE_REMOVE;
}

static void
schedule_save (CsPreferencesWindow *self)
{
  g_clear_handle_id (&self->save_source, g_source_remove);
  self->save_source = g_timeout_add (SAVE_DELAY_MS, save_cb, self);
}

static gboolean
rebuild_cb (gpointer user_data)
{
  CsPreferencesWindow *self = user_data;

  self->rebuild_source = 0;
  rebuild (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_rebuild (CsPreferencesWindow *self)
{
  if (self->rebuild_source == 0)
    self->rebuild_source = g_idle_add (rebuild_cb, self);
}

static CsProviderConfig *
dup_provider (CsPreferencesWindow *self,
              GObject             *row)
{
  const char *id = g_object_get_data (row, "cs-provider-id");
  const CsProviderConfig *p = id != NULL ? cs_config_find_provider (self->config, id) : NULL;

  return p != NULL ? cs_provider_config_copy (p) : NULL;
}

/* ---- provider edits ---- */

static void
name_applied_cb (AdwEntryRow         *row,
                 CsPreferencesWindow *self)
{
  g_autoptr(CsProviderConfig) p = dup_provider (self, G_OBJECT (row));

  if (p == NULL)
    return;
  g_free (p->name);
  p->name = g_strdup (gtk_editable_get_text (GTK_EDITABLE (row)));
  cs_config_set_provider (self->config, p);
  schedule_save (self);
  schedule_rebuild (self);
}

static void
url_applied_cb (AdwEntryRow         *row,
                CsPreferencesWindow *self)
{
  g_autoptr(CsProviderConfig) p = dup_provider (self, G_OBJECT (row));
  g_autoptr(GError) error = NULL;
  const char *url = gtk_editable_get_text (GTK_EDITABLE (row));

  if (p == NULL)
    return;
  if (!cs_config_check_base_url (url, &error))
    {
      gtk_widget_add_css_class (GTK_WIDGET (row), "error");
      toast (self, error->message);
      return;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
  g_free (p->base_url);
  p->base_url = g_strdup (url);
  p->key_optional = cs_config_url_is_local (url);
  cs_config_set_provider (self->config, p);
  schedule_save (self);
}

static void
models_applied_cb (AdwEntryRow         *row,
                   CsPreferencesWindow *self)
{
  g_autoptr(CsProviderConfig) p = dup_provider (self, G_OBJECT (row));
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) parts = NULL;

  if (p == NULL)
    return;

  parts = g_regex_split_simple ("[;,\\s]+", gtk_editable_get_text (GTK_EDITABLE (row)), 0, 0);
  for (guint i = 0; parts[i] != NULL; i++)
    if (parts[i][0] != '\0')
      g_strv_builder_add (builder, parts[i]);

  g_strfreev (p->models);
  p->models = g_strv_builder_end (builder);
  cs_config_set_provider (self->config, p);
  schedule_save (self);
  schedule_rebuild (self);
}

static void
api_selected_cb (AdwComboRow         *row,
                 GParamSpec          *pspec,
                 CsPreferencesWindow *self)
{
  g_autoptr(CsProviderConfig) p = dup_provider (self, G_OBJECT (row));
  guint selected = adw_combo_row_get_selected (row);

  if (p == NULL || selected > CS_API_OLLAMA || p->api == (CsApiDialect) selected)
    return;
  p->api = (CsApiDialect) selected;
  cs_config_set_provider (self->config, p);
  schedule_save (self);
}

static void
limit_changed_cb (GtkSpinButton       *spin,
                  CsPreferencesWindow *self)
{
  g_autoptr(CsProviderConfig) p = dup_provider (self, G_OBJECT (spin));
  const char *which = g_object_get_data (G_OBJECT (spin), "cs-limit");
  guint value = gtk_spin_button_get_value_as_int (spin);

  if (p == NULL)
    return;
  if (g_strcmp0 (which, "concurrent") == 0)
    p->max_concurrent = MAX (value, 1);
  else
    p->requests_per_minute = value;
  cs_config_set_provider (self->config, p);
  schedule_save (self);
}

/* ---- keys ---- */

static void
key_stored_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(CsPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!cs_secrets_store_finish (result, &error))
    {
      g_autofree char *msg = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      msg = g_strdup_printf (_("The key was not stored. %s"), error->message);
      toast (self, msg);
      return;
    }
  toast (self, _("API key stored in the keyring"));
  schedule_rebuild (self);
}

static void
key_cleared_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(CsPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!cs_secrets_clear_finish (result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *msg = g_strdup_printf (_("The keyring is not available: %s"), error->message);
          toast (self, msg);
        }
      return;
    }
  toast (self, _("API key removed from the keyring"));
  schedule_rebuild (self);
}

static void
key_applied_cb (AdwEntryRow         *row,
                CsPreferencesWindow *self)
{
  const char *id = g_object_get_data (G_OBJECT (row), "cs-provider-id");
  g_autofree char *key = g_strdup (gtk_editable_get_text (GTK_EDITABLE (row)));

  g_strstrip (key);
  if (key[0] == '\0')
    cs_secrets_clear_async (id, self->cancellable, key_cleared_cb, g_object_ref (self));
  else
    cs_secrets_store_async (id, key, self->cancellable, key_stored_cb, g_object_ref (self));

  /* the key leaves the widget at once */
  gtk_editable_set_text (GTK_EDITABLE (row), "");
  memset (key, 0, strlen (key));
}

typedef struct
{
  CsPreferencesWindow *self;   /* weak */
  GtkWidget           *row;    /* weak */
} KeyStateData;

static void
has_key_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  KeyStateData *d = user_data;
  g_autoptr(GError) error = NULL;
  gboolean has = cs_secrets_has_key_finish (result, &error);

  if (d->row != NULL)
    {
      const char *title;

      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        title = _("API key (keyring unavailable)");
      else if (has)
        title = _("API key (stored in the keyring; type to replace)");
      else
        title = _("API key (none stored)");
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (d->row), title);
    }

  g_clear_weak_pointer (&d->self);
  g_clear_weak_pointer (&d->row);
  g_free (d);
}

/* ---- test ---- */

typedef struct
{
  CsPreferencesWindow *self;
  CsProviderClient    *client;
  char                *provider_id;
} TestData;

static void
test_data_free (TestData *d)
{
  g_clear_object (&d->self);
  g_clear_object (&d->client);
  g_free (d->provider_id);
  g_free (d);
}

static void
list_models_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  TestData *d = user_data;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) models = cs_provider_client_list_models_finish (CS_PROVIDER_CLIENT (object), result, &error);

  if (models == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *msg = g_strdup_printf (_("Test failed: %s"), error->message);
          toast (d->self, msg);
        }
    }
  else
    {
      guint n = g_strv_length (models);
      g_autoptr(GString) list = g_string_new (NULL);
      g_autofree char *msg = NULL;

      for (guint i = 0; i < n && i < 6; i++)
        g_string_append_printf (list, "%s%s", i ? ", " : "", models[i]);
      if (n > 6)
        g_string_append (list, ", …");
      msg = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "It works: %u model (%s)", "It works: %u models (%s)", n), n, list->str);
      toast (d->self, msg);
    }

  test_data_free (d);
}

static void
test_key_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  TestData *d = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *key = cs_secrets_lookup_finish (result, &error);

  if (error != NULL)
    g_debug ("No key for %s: %s", d->provider_id, error->message);
  cs_provider_client_set_api_key (d->client, key);
  cs_provider_client_list_models_async (d->client, d->self->cancellable, list_models_cb, d);
}

static void
test_clicked_cb (GtkButton           *button,
                 CsPreferencesWindow *self)
{
  const char *id = g_object_get_data (G_OBJECT (button), "cs-provider-id");
  const CsProviderConfig *p = cs_config_find_provider (self->config, id);
  TestData *d;

  if (p == NULL)
    return;

  d = g_new0 (TestData, 1);
  d->self = g_object_ref (self);
  d->client = cs_provider_client_new (p);
  d->provider_id = g_strdup (id);
  toast (self, _("Asking the provider for its models…"));
  cs_secrets_lookup_async (p, self->cancellable, test_key_cb, d);
}

static void
remove_clicked_cb (GtkButton           *button,
                   CsPreferencesWindow *self)
{
  const char *id = g_object_get_data (G_OBJECT (button), "cs-provider-id");

  cs_config_remove_provider (self->config, id);
  schedule_save (self);
  schedule_rebuild (self);
}

/* ---- building ---- */

static GtkWidget *
spin_row (const char *title,
          const char *subtitle,
          double      min,
          double      max,
          double      step,
          double      value,
          guint       digits,
          GtkWidget **spin_out)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *spin = gtk_spin_button_new_with_range (min, max, step);

  gtk_spin_button_set_digits (GTK_SPIN_BUTTON (spin), digits);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), value);
  gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), spin);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), spin);
  *spin_out = spin;
  return row;
}

static GtkWidget *
entry_row (const char *title,
           const char *text,
           const char *provider_id)
{
  GtkWidget *row = adw_entry_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (row), TRUE);
  gtk_editable_set_text (GTK_EDITABLE (row), text != NULL ? text : "");
  g_object_set_data_full (G_OBJECT (row), "cs-provider-id", g_strdup (provider_id), g_free);
  return row;
}

static GtkWidget *
build_provider_row (CsPreferencesWindow    *self,
                    const CsProviderConfig *p)
{
  GtkWidget *expander, *row, *spin, *button;
  g_autofree char *models = g_strjoinv ("; ", p->models);
  g_autoptr(GtkStringList) apis = gtk_string_list_new (NULL);
  KeyStateData *key_state;

  expander = adw_expander_row_new ();
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (expander), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (expander), p->name != NULL ? p->name : p->id);
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (expander), p->base_url);

  row = entry_row (_("Name"), p->name, p->id);
  g_signal_connect_object (row, "apply", G_CALLBACK (name_applied_cb), self, 0);
  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), row);

  row = entry_row (_("Base URL"), p->base_url, p->id);
  g_signal_connect_object (row, "apply", G_CALLBACK (url_applied_cb), self, 0);
  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), row);

  gtk_string_list_append (apis, _("OpenAI Chat Completions"));
  gtk_string_list_append (apis, _("OpenAI Responses"));
  gtk_string_list_append (apis, _("Ollama"));
  row = adw_combo_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("API"));
  adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (apis));
  adw_combo_row_set_selected (ADW_COMBO_ROW (row), p->api);
  g_object_set_data_full (G_OBJECT (row), "cs-provider-id", g_strdup (p->id), g_free);
  g_signal_connect_object (row, "notify::selected", G_CALLBACK (api_selected_cb), self, 0);
  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), row);

  row = entry_row (_("Models (separated by ;)"), models, p->id);
  g_signal_connect_object (row, "apply", G_CALLBACK (models_applied_cb), self, 0);
  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), row);

  if (p->api_key_env != NULL)
    {
      g_autofree char *subtitle = g_strdup_printf (_("Read from the environment variable %s"), p->api_key_env);

      row = adw_action_row_new ();
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("API key"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), row);
    }
  else
    {
      row = adw_password_entry_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("API key"));
      adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (row), TRUE);
      g_object_set_data_full (G_OBJECT (row), "cs-provider-id", g_strdup (p->id), g_free);
      g_signal_connect_object (row, "apply", G_CALLBACK (key_applied_cb), self, 0);
      adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), row);

      key_state = g_new0 (KeyStateData, 1);
      g_set_weak_pointer (&key_state->self, self);
      g_set_weak_pointer (&key_state->row, row);
      cs_secrets_has_key_async (p->id, self->cancellable, has_key_cb, key_state);
    }

  row = spin_row (_("Requests at once"), NULL, 1, 64, 1, p->max_concurrent, 0, &spin);
  g_object_set_data_full (G_OBJECT (spin), "cs-provider-id", g_strdup (p->id), g_free);
  g_object_set_data (G_OBJECT (spin), "cs-limit", (gpointer) "concurrent");
  g_signal_connect_object (spin, "value-changed", G_CALLBACK (limit_changed_cb), self, 0);
  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), row);

  row = spin_row (_("Requests per minute"), _("0 for no limit"), 0, 100000, 10, p->requests_per_minute, 0, &spin);
  g_object_set_data_full (G_OBJECT (spin), "cs-provider-id", g_strdup (p->id), g_free);
  g_object_set_data (G_OBJECT (spin), "cs-limit", (gpointer) "rpm");
  g_signal_connect_object (spin, "value-changed", G_CALLBACK (limit_changed_cb), self, 0);
  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), row);

  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Connection"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _("List the provider’s models to check the URL and the key"));
  button = gtk_button_new_with_mnemonic (_("_Test"));
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  g_object_set_data_full (G_OBJECT (button), "cs-provider-id", g_strdup (p->id), g_free);
  g_signal_connect_object (button, "clicked", G_CALLBACK (test_clicked_cb), self, 0);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  button = gtk_button_new_with_mnemonic (_("_Remove"));
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "destructive-action");
  g_object_set_data_full (G_OBJECT (button), "cs-provider-id", g_strdup (p->id), g_free);
  g_signal_connect_object (button, "clicked", G_CALLBACK (remove_clicked_cb), self, 0);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), row);

  return expander;
}

static void
price_changed_cb (GtkSpinButton       *spin,
                  CsPreferencesWindow *self)
{
  const char *id = g_object_get_data (G_OBJECT (spin), "cs-model-id");
  const char *which = g_object_get_data (G_OBJECT (spin), "cs-price");
  const CsModelConfig *m = cs_config_find_model (self->config, id);
  g_autoptr(CsModelConfig) copy = NULL;

  if (m == NULL)
    return;
  copy = cs_model_config_copy (m);
  if (g_strcmp0 (which, "input") == 0)
    copy->price_input = gtk_spin_button_get_value (spin);
  else
    copy->price_output = gtk_spin_button_get_value (spin);
  cs_config_set_model (self->config, copy);
  schedule_save (self);
}

static void
build_models_page (CsPreferencesWindow *self)
{
  GPtrArray *providers = cs_config_get_providers (self->config);

  for (guint i = 0; i < self->model_groups->len; i++)
    adw_preferences_page_remove (self->models_page, g_ptr_array_index (self->model_groups, i));
  g_ptr_array_set_size (self->model_groups, 0);

  for (guint i = 0; i < providers->len; i++)
    {
      const CsProviderConfig *p = g_ptr_array_index (providers, i);
      GtkWidget *group = adw_preferences_group_new ();
      /* group titles are markup on libadwaita 1.2 */
      g_autofree char *title = g_markup_escape_text (p->name != NULL ? p->name : p->id, -1);

      adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
      adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group), _("Prices in US dollars per million tokens, for the cost figures"));

      for (guint j = 0; p->models[j] != NULL; j++)
        {
          g_autofree char *id = g_strdup_printf ("%s/%s", p->id, p->models[j]);
          const CsModelConfig *m = cs_config_find_model (self->config, id);
          GtkWidget *row, *in_spin, *out_spin;
          g_autofree char *in_label = g_strdup_printf (_("Input price of %s"), p->models[j]);
          g_autofree char *out_label = g_strdup_printf (_("Output price of %s"), p->models[j]);

          if (m == NULL)
            continue;

          row = spin_row (p->models[j], NULL, 0, 1000, 0.05, m->price_input, 2, &in_spin);
          gtk_widget_set_tooltip_text (in_spin, _("Input"));
          gtk_accessible_update_property (GTK_ACCESSIBLE (in_spin), GTK_ACCESSIBLE_PROPERTY_LABEL, in_label, -1);
          out_spin = gtk_spin_button_new_with_range (0, 1000, 0.05);
          gtk_spin_button_set_digits (GTK_SPIN_BUTTON (out_spin), 2);
          gtk_spin_button_set_value (GTK_SPIN_BUTTON (out_spin), m->price_output);
          gtk_widget_set_valign (out_spin, GTK_ALIGN_CENTER);
          gtk_widget_set_tooltip_text (out_spin, _("Output"));
          gtk_accessible_update_property (GTK_ACCESSIBLE (out_spin), GTK_ACCESSIBLE_PROPERTY_LABEL, out_label, -1);
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), out_spin);
          adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _("input · output"));

          g_object_set_data_full (G_OBJECT (in_spin), "cs-model-id", g_strdup (id), g_free);
          g_object_set_data (G_OBJECT (in_spin), "cs-price", (gpointer) "input");
          g_object_set_data_full (G_OBJECT (out_spin), "cs-model-id", g_strdup (id), g_free);
          g_object_set_data (G_OBJECT (out_spin), "cs-price", (gpointer) "output");
          g_signal_connect_object (in_spin, "value-changed", G_CALLBACK (price_changed_cb), self, 0);
          g_signal_connect_object (out_spin, "value-changed", G_CALLBACK (price_changed_cb), self, 0);
          adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
        }

      adw_preferences_page_add (self->models_page, ADW_PREFERENCES_GROUP (group));
      g_ptr_array_add (self->model_groups, group);
    }
}

static void
rebuild (CsPreferencesWindow *self)
{
  GPtrArray *providers = cs_config_get_providers (self->config);

  for (guint i = 0; i < self->provider_rows->len; i++)
    adw_preferences_group_remove (self->providers_group, g_ptr_array_index (self->provider_rows, i));
  g_ptr_array_set_size (self->provider_rows, 0);

  for (guint i = 0; i < providers->len; i++)
    {
      GtkWidget *row = build_provider_row (self, g_ptr_array_index (providers, i));

      adw_preferences_group_add (self->providers_group, row);
      g_ptr_array_add (self->provider_rows, row);
    }

  if (providers->len == 0)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("No providers yet"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _("Add one with the + button above"));
      adw_preferences_group_add (self->providers_group, row);
      g_ptr_array_add (self->provider_rows, row);
    }

  build_models_page (self);
}

/* ---- adding a preset ---- */

static void
add_preset_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  CsPreferencesWindow *self = CS_PREFERENCES_WINDOW (widget);
  const char *preset_id = g_variant_get_string (param, NULL);
  g_autoptr(GPtrArray) presets = cs_config_get_presets ();
  g_autoptr(GPtrArray) models = NULL;
  g_autoptr(CsProviderConfig) copy = NULL;
  g_autofree char *id = NULL;
  g_autofree char *msg = NULL;

  /* the pages are insensitive then, and the action disabled: a
   * gtk_widget_activate_action from elsewhere still lands here */
  if (self->load_error != NULL)
    return;

  for (guint i = 0; i < presets->len; i++)
    {
      const CsProviderConfig *preset = g_ptr_array_index (presets, i);

      if (g_strcmp0 (preset->id, preset_id) == 0)
        copy = cs_provider_config_copy (preset);
    }
  if (copy == NULL)
    return;

  /* a free id: openai, openai-2, … */
  id = g_strdup (copy->id);
  for (guint n = 2; cs_config_find_provider (self->config, id) != NULL; n++)
    {
      g_free (id);
      id = g_strdup_printf ("%s-%u", copy->id, n);
    }
  g_free (copy->id);
  copy->id = g_strdup (id);

  cs_config_set_provider (self->config, copy);
  models = cs_config_get_preset_models (preset_id);
  for (guint i = 0; i < models->len; i++)
    {
      CsModelConfig *m = g_ptr_array_index (models, i);

      g_free (m->provider);
      m->provider = g_strdup (id);
      g_free (m->id);
      m->id = g_strdup_printf ("%s/%s", id, m->name);
      cs_config_set_model (self->config, m);
    }

  schedule_save (self);
  rebuild (self);
  msg = g_strdup_printf (_("%s added: expand it to enter the API key"), copy->name != NULL ? copy->name : id);
  toast (self, msg);
}

static GtkWidget *
build_add_button (void)
{
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GPtrArray) presets = cs_config_get_presets ();
  GtkWidget *button;

  for (guint i = 0; i < presets->len; i++)
    {
      const CsProviderConfig *preset = g_ptr_array_index (presets, i);
      g_autoptr(GMenuItem) item = g_menu_item_new (preset->name != NULL ? preset->name : preset->id, NULL);

      g_menu_item_set_action_and_target_value (item, "prefs.add-preset", g_variant_new_string (preset->id));
      g_menu_append_item (menu, item);
    }

  button = gtk_menu_button_new ();
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (button), "list-add-symbolic");
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (button), G_MENU_MODEL (menu));
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, _("Add Provider"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Add Provider"), -1);
  return button;
}

static void
build_run_page (CsPreferencesWindow *self)
{
  GSettings *settings = cs_application_get_settings (self->app);
  GtkWidget *page = adw_preferences_page_new ();
  GtkWidget *group = adw_preferences_group_new ();
  GtkWidget *row, *spin;

  adw_preferences_page_set_title (ADW_PREFERENCES_PAGE (page), _("Runs"));
  adw_preferences_page_set_icon_name (ADW_PREFERENCES_PAGE (page), "media-playback-start-symbolic");
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("Defaults"));

  row = spin_row (_("Candidates per model"), _("How many answers each chosen model gives"), 1, 8, 1, 1, 0, &spin);
  g_settings_bind (settings, "candidates-per-model", gtk_spin_button_get_adjustment (GTK_SPIN_BUTTON (spin)), "value", G_SETTINGS_BIND_DEFAULT);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);

  row = spin_row (_("Quorum"), _("Synthesize once this many answers are valid; 0 waits for all"), 0, 64, 1, 0, 0, &spin);
  g_settings_bind (settings, "quorum", gtk_spin_button_get_adjustment (GTK_SPIN_BUTTON (spin)), "value", G_SETTINGS_BIND_DEFAULT);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);

  row = spin_row (_("Deadline"), _("Seconds after which the run synthesizes what it has"), 10, 3600, 10, 300, 0, &spin);
  g_settings_bind (settings, "deadline-seconds", gtk_spin_button_get_adjustment (GTK_SPIN_BUTTON (spin)), "value", G_SETTINGS_BIND_DEFAULT);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);

  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (group));
  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (self), ADW_PREFERENCES_PAGE (page));
}

CsPreferencesWindow *
cs_preferences_window_new (CsApplication *app)
{
  CsPreferencesWindow *self;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (CS_IS_APPLICATION (app), NULL);

  self = g_object_new (CS_TYPE_PREFERENCES_WINDOW,
                       "default-width", 720,
                       "default-height", 720,
                       "search-enabled", FALSE,
                       NULL);
  self->app = g_object_ref (app);
  self->path = cs_config_get_default_path ();

  if (g_file_test (self->path, G_FILE_TEST_EXISTS))
    {
      self->config = cs_config_new_from_file (self->path, &error);
      if (self->config == NULL)
        self->load_error = g_strdup (error->message);
    }
  if (self->config == NULL)
    self->config = cs_config_new ();

  self->providers_page = ADW_PREFERENCES_PAGE (adw_preferences_page_new ());
  adw_preferences_page_set_title (self->providers_page, _("Providers"));
  adw_preferences_page_set_icon_name (self->providers_page, "network-server-symbolic");
  self->providers_group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (self->providers_group, _("Providers"));
  adw_preferences_group_set_description (self->providers_group,
                                         _("Services Consilium may ask. Keys are kept in the system keyring, never in a file."));
  adw_preferences_group_set_header_suffix (self->providers_group, build_add_button ());
  adw_preferences_page_add (self->providers_page, self->providers_group);
  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (self), self->providers_page);

  self->models_page = ADW_PREFERENCES_PAGE (adw_preferences_page_new ());
  adw_preferences_page_set_title (self->models_page, _("Prices"));
  adw_preferences_page_set_icon_name (self->models_page, "accessories-calculator-symbolic");
  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (self), self->models_page);

  build_run_page (self);
  rebuild (self);

  if (self->load_error != NULL)
    {
      /* Translators: %s is the file's path, then the reason it could not be read */
      g_autofree char *msg = g_strdup_printf (_("The providers file %s could not be read: %s. Fix it in a text editor; it is not changed here."),
                                              self->path, self->load_error);
      toast (self, msg);
      gtk_widget_set_sensitive (GTK_WIDGET (self->providers_page), FALSE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->models_page), FALSE);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "prefs.add-preset", FALSE);
    }

  return self;
}

static void
cs_preferences_window_dispose (GObject *object)
{
  CsPreferencesWindow *self = CS_PREFERENCES_WINDOW (object);

  /* pending edits are written now */
  if (self->save_source != 0)
    {
      g_clear_handle_id (&self->save_source, g_source_remove);
      if (self->app != NULL)
        save_cb (self);
    }
  g_clear_handle_id (&self->rebuild_source, g_source_remove);
  g_cancellable_cancel (self->cancellable);

  g_clear_object (&self->config);
  g_clear_object (&self->app);
  g_clear_pointer (&self->provider_rows, g_ptr_array_unref);
  g_clear_pointer (&self->model_groups, g_ptr_array_unref);

  G_OBJECT_CLASS (cs_preferences_window_parent_class)->dispose (object);
}

static void
cs_preferences_window_finalize (GObject *object)
{
  CsPreferencesWindow *self = CS_PREFERENCES_WINDOW (object);

  g_clear_object (&self->cancellable);
  g_free (self->path);
  g_free (self->load_error);
  g_free (self->last_toast);

  G_OBJECT_CLASS (cs_preferences_window_parent_class)->finalize (object);
}

static void
cs_preferences_window_class_init (CsPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cs_preferences_window_dispose;
  object_class->finalize = cs_preferences_window_finalize;

  gtk_widget_class_install_action (widget_class, "prefs.add-preset", "s", add_preset_action);
}

static void
cs_preferences_window_init (CsPreferencesWindow *self)
{
  self->cancellable = g_cancellable_new ();
  self->provider_rows = g_ptr_array_new ();
  self->model_groups = g_ptr_array_new ();
}
