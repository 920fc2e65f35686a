/* cs-provider-row.c: one provider in the preferences, its settings inside
 *
 * Each edit replaces the provider in the application's configuration
 * (cs_config_file_edit) and emits ::edited, for the preferences to save
 * it. API keys never touch the configuration: they go to the keyring.
 * The models and the connection test are in cs-provider-row-models.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-provider-row"

#include "config.h"

#include <glib/gi18n.h>

#include "cs-provider-row-private.h"
#include "cs-ui-util.h"

G_DEFINE_FINAL_TYPE (CsProviderRow, cs_provider_row, ADW_TYPE_EXPANDER_ROW)

enum {
  EDITED,
  TOAST,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
toast (CsProviderRow *self,
       const char    *message)
{
  g_signal_emit (self, signals[TOAST], 0, message);
}

CsProviderConfig *
_cs_provider_row_dup_provider (CsProviderRow *self)
{
  const CsProviderConfig *p = NULL;

  if (self->file != NULL)
    p = cs_config_find_provider (cs_config_file_get_config (self->file), self->provider_id);
  return p != NULL ? cs_provider_config_copy (p) : NULL;
}

static void
set_provider_edit (CsConfig *config,
                   gpointer  provider)
{
  cs_config_set_provider (config, provider);
}

void
_cs_provider_row_save (CsProviderRow    *self,
                       CsProviderConfig *p)
{
  g_autoptr(CsProviderRow) hold = g_object_ref (self);

  cs_config_file_edit (self->file, set_provider_edit, p);
  g_signal_emit (self, signals[EDITED], 0);
}

/* ---- edits ---- */

static void
name_applied_cb (AdwEntryRow   *row,
                 CsProviderRow *self)
{
  g_autoptr(CsProviderConfig) p = _cs_provider_row_dup_provider (self);

  if (p == NULL)
    return;
  g_free (p->name);
  p->name = g_strdup (gtk_editable_get_text (GTK_EDITABLE (row)));
  _cs_provider_row_save (self, p);
}

/* The header follows what is typed, before it is applied. */
static void
name_changed_cb (GtkEditable   *entry,
                 CsProviderRow *self)
{
  const char *name = gtk_editable_get_text (entry);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), name[0] != '\0' ? name : self->provider_id);
}

static void
url_changed_cb (GtkEditable   *entry,
                CsProviderRow *self)
{
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (self), gtk_editable_get_text (entry));
}

gboolean
_cs_provider_row_apply_url (CsProviderRow *self)
{
  g_autoptr(CsProviderConfig) p = _cs_provider_row_dup_provider (self);
  g_autoptr(GError) error = NULL;
  const char *url = gtk_editable_get_text (GTK_EDITABLE (self->url_row));

  if (p == NULL)
    return FALSE;
  if (!cs_config_check_base_url (url, &error))
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->url_row), "error");
      _cs_provider_row_set_status (self, CS_PROVIDER_ROW_STATUS_FAILED, error->message);
      return FALSE;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (self->url_row), "error");
  /* applied (also by Test): the entry's apply button goes, as after Enter */
  adw_entry_row_set_show_apply_button (self->url_row, FALSE);
  adw_entry_row_set_show_apply_button (self->url_row, TRUE);
  if (self->status == CS_PROVIDER_ROW_STATUS_FAILED)
    _cs_provider_row_set_status (self, CS_PROVIDER_ROW_STATUS_NONE, NULL);
  if (g_strcmp0 (url, p->base_url) == 0)
    return TRUE;
  g_free (p->base_url);
  p->base_url = g_strdup (url);
  p->key_optional = cs_config_url_is_local (url);
  _cs_provider_row_save (self, p);
  return TRUE;
}

static void
url_applied_cb (AdwEntryRow   *row,
                CsProviderRow *self)
{
  _cs_provider_row_apply_url (self);
}

static void
api_selected_cb (AdwComboRow   *row,
                 GParamSpec    *pspec,
                 CsProviderRow *self)
{
  g_autoptr(CsProviderConfig) p = NULL;
  guint selected = adw_combo_row_get_selected (row);

  if (self->updating || (p = _cs_provider_row_dup_provider (self)) == NULL ||
      selected > CS_API_OLLAMA || p->api == (CsApiDialect) selected)
    return;
  p->api = (CsApiDialect) selected;
  _cs_provider_row_save (self, p);
}

static void
limit_changed_cb (GtkSpinButton *spin,
                  CsProviderRow *self)
{
  g_autoptr(CsProviderConfig) p = NULL;
  guint value = gtk_spin_button_get_value_as_int (spin);

  if (self->updating || (p = _cs_provider_row_dup_provider (self)) == NULL)
    return;
  if (spin == self->concurrent_spin)
    p->max_concurrent = MAX (value, 1);
  else
    p->requests_per_minute = value;
  _cs_provider_row_save (self, p);
}

/* allow-insecure-key: the person's opt-in to a key in clear */
static void
insecure_active_cb (GtkSwitch     *sw,
                    GParamSpec    *pspec,
                    CsProviderRow *self)
{
  g_autoptr(CsProviderConfig) p = NULL;
  gboolean active = gtk_switch_get_active (sw);

  if (self->updating || (p = _cs_provider_row_dup_provider (self)) == NULL ||
      p->allow_insecure_key == active)
    return;
  p->allow_insecure_key = active;
  _cs_provider_row_save (self, p);
}

static void
remove_provider_edit (CsConfig *config,
                      gpointer  id)
{
  cs_config_remove_provider (config, id);
}

static void
remove_clicked_cb (GtkButton     *button,
                   CsProviderRow *self)
{
  g_autoptr(CsProviderRow) hold = g_object_ref (self);

  cs_config_file_edit (self->file, remove_provider_edit, self->provider_id);
  g_signal_emit (self, signals[EDITED], 0);
}

/* ---- the key ---- */

static void
has_key_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(CsProviderRow) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean has = cs_secrets_has_key_finish (result, &error);
  const char *title;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (error != NULL)
    title = _("API Key (keyring unavailable)");
  else if (has)
    title = _("API Key (stored in the keyring; type to replace)");
  else
    title = _("API Key (none stored)");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->key_row), title);
}

static void
update_key_state (CsProviderRow *self)
{
  cs_secrets_has_key_async (self->provider_id, self->cancellable, has_key_cb, g_object_ref (self));
}

static void
key_done (CsProviderRow *self,
          gboolean       stored,
          GError        *error)
{
  g_autofree char *msg = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (error != NULL && stored)
    msg = g_strdup_printf (_("The key was not stored. %s"), error->message);
  else if (error != NULL)
    msg = g_strdup_printf (_("The keyring is not available: %s"), error->message);
  toast (self, msg != NULL ? msg
                           : stored ? _("API key stored in the keyring")
                                    : _("API key removed from the keyring"));
  if (error == NULL)
    update_key_state (self);
}

static void
key_stored_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(CsProviderRow) self = user_data;
  g_autoptr(GError) error = NULL;

  cs_secrets_store_finish (result, &error);
  key_done (self, TRUE, error);
}

static void
key_cleared_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(CsProviderRow) self = user_data;
  g_autoptr(GError) error = NULL;

  cs_secrets_clear_finish (result, &error);
  key_done (self, FALSE, error);
}

static void
key_applied_cb (AdwEntryRow   *row,
                CsProviderRow *self)
{
  g_autofree char *key = g_strdup (gtk_editable_get_text (GTK_EDITABLE (row)));

  g_strstrip (key);
  if (key[0] == '\0')
    cs_secrets_clear_async (self->provider_id, self->cancellable, key_cleared_cb, g_object_ref (self));
  else
    cs_secrets_store_async (self->provider_id, key, self->cancellable, key_stored_cb, g_object_ref (self));

  /* the key leaves the widget at once */
  gtk_editable_set_text (GTK_EDITABLE (row), "");
  memset (key, 0, strlen (key));
}

/* ---- showing ---- */

/* Sets an entry's text when the configuration's value changed since it
 * was shown (so that text being typed elsewhere stays). */
static void
show_text (AdwEntryRow *row,
           const char  *value,
           const char  *was,
           gboolean     first)
{
  if (first || g_strcmp0 (value, was) != 0)
    gtk_editable_set_text (GTK_EDITABLE (row), value != NULL ? value : "");
}

static void
show_key (CsProviderRow          *self,
          const CsProviderConfig *p,
          gboolean                first)
{
  gboolean env = p->api_key_env != NULL;

  if (env)
    {
      g_autofree char *subtitle = g_strdup_printf (_("Read from the environment variable %s"), p->api_key_env);

      adw_action_row_set_subtitle (self->key_env_row, subtitle);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->key_env_row), env);
  gtk_widget_set_visible (GTK_WIDGET (self->key_row), !env);
  if (!env && (first || self->shown->api_key_env != NULL))
    update_key_state (self);
}

/* Plain http to a server that is not this computer: the key goes only
 * with allow-insecure-key, which the row offers and warns about. */
static void
show_insecure (CsProviderRow          *self,
               const CsProviderConfig *p)
{
  const char *scheme = p->base_url != NULL ? g_uri_peek_scheme (p->base_url) : NULL;
  gboolean lan = g_strcmp0 (scheme, "http") == 0 && !cs_config_url_is_loopback (p->base_url);
  gboolean in_clear = cs_provider_config_key_in_clear (p);

  gtk_widget_set_visible (GTK_WIDGET (self->insecure_row), lan);
  gtk_switch_set_active (self->insecure_switch, p->allow_insecure_key);
  gtk_widget_set_visible (GTK_WIDGET (self->warning_icon), in_clear);
  if (in_clear)
    {
      adw_action_row_set_subtitle (self->insecure_row, _("Anyone on the network between here and the server can read the key"));
      gtk_widget_add_css_class (GTK_WIDGET (self->insecure_row), "key-in-clear");
    }
  else
    {
      adw_action_row_set_subtitle (self->insecure_row, _("Off: requests to this server go without the key"));
      gtk_widget_remove_css_class (GTK_WIDGET (self->insecure_row), "key-in-clear");
    }
}

void
cs_provider_row_update (CsProviderRow *self)
{
  g_autoptr(CsProviderConfig) p = NULL;
  gboolean first = self->shown == NULL;

  g_return_if_fail (CS_IS_PROVIDER_ROW (self));

  if ((p = _cs_provider_row_dup_provider (self)) == NULL)
    return;

  self->updating = TRUE;
  /* then the header follows the entries (name_changed_cb, url_changed_cb) */
  if (first)
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), p->name != NULL ? p->name : p->id);
      adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (self), p->base_url);
    }
  show_text (self->name_row, p->name, first ? NULL : self->shown->name, first);
  show_text (self->url_row, p->base_url, first ? NULL : self->shown->base_url, first);
  adw_combo_row_set_selected (self->api_row, p->api);
  gtk_spin_button_set_value (self->concurrent_spin, p->max_concurrent);
  gtk_spin_button_set_value (self->rpm_spin, p->requests_per_minute);
  show_key (self, p, first);
  show_insecure (self, p);
  if (!first && (g_strcmp0 (p->base_url, self->shown->base_url) != 0 || p->api != self->shown->api))
    _cs_provider_row_forget_test (self);
  _cs_provider_row_show_models (self, p);
  self->updating = FALSE;

  g_clear_pointer (&self->shown, cs_provider_config_free);
  self->shown = g_steal_pointer (&p);
}

CsProviderRow *
cs_provider_row_new (CsConfigFile *file,
                     const char   *provider_id)
{
  CsProviderRow *self;

  g_return_val_if_fail (CS_IS_CONFIG_FILE (file), NULL);
  g_return_val_if_fail (provider_id != NULL, NULL);

  self = g_object_new (CS_TYPE_PROVIDER_ROW, NULL);
  self->file = g_object_ref (file);
  self->provider_id = g_strdup (provider_id);
  cs_provider_row_update (self);
  return self;
}

const char *
cs_provider_row_get_provider_id (CsProviderRow *self)
{
  g_return_val_if_fail (CS_IS_PROVIDER_ROW (self), NULL);

  return self->provider_id;
}

static void
cs_provider_row_dispose (GObject *object)
{
  CsProviderRow *self = CS_PROVIDER_ROW (object);

  g_cancellable_cancel (self->cancellable);
  _cs_provider_row_models_dispose (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), CS_TYPE_PROVIDER_ROW);
  g_clear_object (&self->file);

  G_OBJECT_CLASS (cs_provider_row_parent_class)->dispose (object);
}

static void
cs_provider_row_finalize (GObject *object)
{
  CsProviderRow *self = CS_PROVIDER_ROW (object);

  _cs_provider_row_models_finalize (self);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->shown, cs_provider_config_free);
  g_free (self->provider_id);

  G_OBJECT_CLASS (cs_provider_row_parent_class)->finalize (object);
}

static void
cs_provider_row_class_init (CsProviderRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cs_provider_row_dispose;
  object_class->finalize = cs_provider_row_finalize;

  /* the configuration was edited: it wants saving */
  signals[EDITED] = g_signal_new ("edited", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* a message for a toast */
  signals[TOAST] = g_signal_new ("toast", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/consilium/Consilium/cs-provider-row.ui");
  gtk_widget_class_bind_template_child (widget_class, CsProviderRow, warning_icon);
  gtk_widget_class_bind_template_child (widget_class, CsProviderRow, name_row);
  gtk_widget_class_bind_template_child (widget_class, CsProviderRow, url_row);
  gtk_widget_class_bind_template_child (widget_class, CsProviderRow, api_row);
  gtk_widget_class_bind_template_child (widget_class, CsProviderRow, key_env_row);
  gtk_widget_class_bind_template_child (widget_class, CsProviderRow, key_row);
  gtk_widget_class_bind_template_child (widget_class, CsProviderRow, insecure_row);
  gtk_widget_class_bind_template_child (widget_class, CsProviderRow, insecure_switch);
  gtk_widget_class_bind_template_child (widget_class, CsProviderRow, concurrent_spin);
  gtk_widget_class_bind_template_child (widget_class, CsProviderRow, rpm_spin);
  gtk_widget_class_bind_template_child (widget_class, CsProviderRow, test_row);
  gtk_widget_class_bind_template_child (widget_class, CsProviderRow, test_spinner);
  gtk_widget_class_bind_template_child (widget_class, CsProviderRow, test_icon);
  gtk_widget_class_bind_template_child (widget_class, CsProviderRow, test_button);
  gtk_widget_class_bind_template_child (widget_class, CsProviderRow, add_model_row);
  gtk_widget_class_bind_template_callback (widget_class, name_applied_cb);
  gtk_widget_class_bind_template_callback (widget_class, name_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, url_applied_cb);
  gtk_widget_class_bind_template_callback (widget_class, url_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, api_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, limit_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, insecure_active_cb);
  gtk_widget_class_bind_template_callback (widget_class, key_applied_cb);
  gtk_widget_class_bind_template_callback (widget_class, remove_clicked_cb);
  gtk_widget_class_bind_template_callback_full (widget_class, "test_clicked_cb",
                                                G_CALLBACK (_cs_provider_row_test_clicked_cb));
  gtk_widget_class_bind_template_callback_full (widget_class, "add_model_applied_cb",
                                                G_CALLBACK (_cs_provider_row_add_model_applied_cb));
  gtk_widget_class_bind_template_callback_full (widget_class, "filter_changed_cb",
                                                G_CALLBACK (_cs_provider_row_filter_changed_cb));
}

static void
cs_provider_row_init (CsProviderRow *self)
{
  self->cancellable = g_cancellable_new ();
  /* until cs_provider_row_update() shows the provider */
  self->updating = TRUE;
  gtk_widget_init_template (GTK_WIDGET (self));
  cs_combo_row_wrap_labels (self->api_row);
  _cs_provider_row_models_init (self);
}
