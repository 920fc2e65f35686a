/* cs-provider-row-models.c: a provider row's model check boxes and its connection test
 *
 * One check box per model: the provider's own, then those the server
 * listed at the last test. A row stays once shown (unticking keeps it, to
 * tick again); ticking writes the provider's models list. The entry above
 * them adds a model by name and filters the rows: a server may list
 * hundreds, of which the ticked ones and the first few are shown. The
 * test's result is the row's status: a line and an icon in the
 * Connection row.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-provider-row"

#include "config.h"

#include <glib/gi18n.h>

#include "cs-provider-row-private.h"

/* Unticked models shown without a filter */
#define MAX_UNTICKED_SHOWN 12

typedef struct
{
  char           *name;
  char           *folded;  /* for the filter */
  GtkWidget      *row;     /* an AdwActionRow in the expander */
  GtkCheckButton *check;
} CsModelCheck;

static void
cs_model_check_free (CsModelCheck *mc)
{
  g_free (mc->name);
  g_free (mc->folded);
  g_free (mc);
}

static CsModelCheck *
find_check (CsProviderRow *self,
            const char    *name)
{
  for (guint i = 0; i < self->model_rows->len; i++)
    {
      CsModelCheck *mc = g_ptr_array_index (self->model_rows, i);

      if (g_str_equal (mc->name, name))
        return mc;
    }
  return NULL;
}

GtkCheckButton *
_cs_provider_row_get_model_check (CsProviderRow *self,
                                  const char    *model)
{
  CsModelCheck *mc;

  g_return_val_if_fail (CS_IS_PROVIDER_ROW (self), NULL);

  mc = find_check (self, model);
  return mc != NULL ? mc->check : NULL;
}

/* ---- the filter ---- */

static void
refilter (CsProviderRow *self)
{
  g_autofree char *filter = g_utf8_casefold (gtk_editable_get_text (GTK_EDITABLE (self->add_model_row)), -1);
  guint shown = 0;
  guint hidden = 0;

  g_strstrip (filter);
  for (guint i = 0; i < self->model_rows->len; i++)
    {
      CsModelCheck *mc = g_ptr_array_index (self->model_rows, i);
      gboolean ticked = gtk_check_button_get_active (mc->check);
      gboolean visible;

      if (filter[0] != '\0')
        visible = strstr (mc->folded, filter) != NULL && (ticked || shown < MAX_UNTICKED_SHOWN);
      else
        visible = ticked || shown < MAX_UNTICKED_SHOWN;
      if (visible && !ticked)
        shown++;
      if (!visible && filter[0] == '\0')
        hidden++;
      gtk_widget_set_visible (mc->row, visible);
    }

  if (hidden > 0)
    {
      g_autofree char *title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                             "Add a model by name, or type to find %u more model",
                                                             "Add a model by name, or type to find %u more models",
                                                             hidden),
                                                hidden);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->add_model_row), title);
    }
  else
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->add_model_row), _("Add a Model by Name"));
}

void
_cs_provider_row_filter_changed_cb (GtkEditable   *entry,
                                    CsProviderRow *self)
{
  gtk_widget_remove_css_class (GTK_WIDGET (self->add_model_row), "error");
  refilter (self);
}

/* ---- ticking ---- */

static void
check_toggled_cb (GtkCheckButton *check,
                  CsProviderRow  *self)
{
  CsModelCheck *mc = g_object_get_data (G_OBJECT (check), "cs-model-check");
  g_autoptr(CsProviderConfig) p = NULL;
  g_autoptr(GStrvBuilder) builder = NULL;
  gboolean active = gtk_check_button_get_active (check);

  if (self->updating || mc == NULL || (p = _cs_provider_row_dup_provider (self)) == NULL ||
      g_strv_contains ((const char * const *) p->models, mc->name) == active)
    return;

  builder = g_strv_builder_new ();
  for (guint i = 0; p->models[i] != NULL; i++)
    if (!g_str_equal (p->models[i], mc->name))
      g_strv_builder_add (builder, p->models[i]);
  if (active)
    g_strv_builder_add (builder, mc->name);
  g_strfreev (p->models);
  p->models = g_strv_builder_end (builder);
  _cs_provider_row_save (self, p);
}

static void
add_check (CsProviderRow *self,
           const char    *name)
{
  CsModelCheck *mc = g_new0 (CsModelCheck, 1);
  g_autofree char *label = g_strdup_printf (_("Ask %s"), name);

  mc->name = g_strdup (name);
  mc->folded = g_utf8_casefold (name, -1);
  mc->check = GTK_CHECK_BUTTON (gtk_check_button_new ());
  gtk_widget_set_valign (GTK_WIDGET (mc->check), GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (mc->check), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  g_object_set_data (G_OBJECT (mc->check), "cs-model-check", mc);
  g_signal_connect_object (mc->check, "toggled", G_CALLBACK (check_toggled_cb), self, 0);

  mc->row = adw_action_row_new ();
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (mc->row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (mc->row), name);
  adw_action_row_add_prefix (ADW_ACTION_ROW (mc->row), GTK_WIDGET (mc->check));
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (mc->row), GTK_WIDGET (mc->check));
  gtk_widget_add_css_class (mc->row, "model-check");
  adw_expander_row_add_row (ADW_EXPANDER_ROW (self), mc->row);
  g_ptr_array_add (self->model_rows, mc);
}

void
_cs_provider_row_show_models (CsProviderRow          *self,
                              const CsProviderConfig *p)
{
  for (guint i = 0; p->models[i] != NULL; i++)
    if (find_check (self, p->models[i]) == NULL)
      add_check (self, p->models[i]);
  for (guint i = 0; self->listed != NULL && self->listed[i] != NULL; i++)
    if (find_check (self, self->listed[i]) == NULL)
      add_check (self, self->listed[i]);

  for (guint i = 0; i < self->model_rows->len; i++)
    {
      CsModelCheck *mc = g_ptr_array_index (self->model_rows, i);
      gboolean ticked = g_strv_contains ((const char * const *) p->models, mc->name);
      gboolean unlisted = self->listed != NULL && !g_strv_contains ((const char * const *) self->listed, mc->name);

      gtk_check_button_set_active (mc->check, ticked);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (mc->row), unlisted ? _("Not listed by the server") : NULL);
    }
  refilter (self);
}

/* ---- adding one by name ---- */

void
_cs_provider_row_add_model_applied_cb (AdwEntryRow   *row,
                                       CsProviderRow *self)
{
  g_autoptr(CsProviderConfig) p = _cs_provider_row_dup_provider (self);
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strdup (gtk_editable_get_text (GTK_EDITABLE (row)));
  g_autoptr(GStrvBuilder) builder = NULL;

  g_strstrip (name);
  if (p == NULL || name[0] == '\0')
    return;
  if (!cs_config_check_model_name (name, &error))
    {
      gtk_widget_add_css_class (GTK_WIDGET (row), "error");
      _cs_provider_row_set_status (self, CS_PROVIDER_ROW_STATUS_FAILED, error->message);
      return;
    }

  gtk_editable_set_text (GTK_EDITABLE (row), "");
  if (g_strv_contains ((const char * const *) p->models, name))
    return;
  builder = g_strv_builder_new ();
  g_strv_builder_addv (builder, (const char **) p->models);
  g_strv_builder_add (builder, name);
  g_strfreev (p->models);
  p->models = g_strv_builder_end (builder);
  _cs_provider_row_save (self, p);
}

/* ---- the status ---- */

void
_cs_provider_row_set_status (CsProviderRow       *self,
                             CsProviderRowStatus  status,
                             const char          *message)
{
  static const char * const icons[] = {
    [CS_PROVIDER_ROW_STATUS_OK] = "emblem-ok-symbolic",
    [CS_PROVIDER_ROW_STATUS_FAILED] = "dialog-warning-symbolic",
  };
  GtkWidget *icon = GTK_WIDGET (self->test_icon);

  self->status = status;
  g_free (self->status_message);
  self->status_message = g_strdup (message);

  gtk_spinner_set_spinning (self->test_spinner, status == CS_PROVIDER_ROW_STATUS_TESTING);
  gtk_widget_set_visible (GTK_WIDGET (self->test_spinner), status == CS_PROVIDER_ROW_STATUS_TESTING);
  gtk_widget_set_visible (icon, icons[status] != NULL);
  if (icons[status] != NULL)
    gtk_image_set_from_icon_name (self->test_icon, icons[status]);
  gtk_widget_set_tooltip_text (icon, message);
  if (message != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL, message, -1);
  gtk_widget_remove_css_class (icon, "success");
  gtk_widget_remove_css_class (icon, "warning");
  gtk_widget_add_css_class (icon, status == CS_PROVIDER_ROW_STATUS_OK ? "success" : "warning");
  gtk_widget_set_sensitive (GTK_WIDGET (self->test_button), status != CS_PROVIDER_ROW_STATUS_TESTING);
  adw_action_row_set_subtitle (self->test_row,
                               message != NULL ? message
                                               : _("List the provider’s models to check the URL and the key"));
}

CsProviderRowStatus
_cs_provider_row_get_status (CsProviderRow  *self,
                             const char    **message)
{
  g_return_val_if_fail (CS_IS_PROVIDER_ROW (self), CS_PROVIDER_ROW_STATUS_NONE);

  if (message != NULL)
    *message = self->status_message;
  return self->status;
}

/* ---- the connection test ---- */

typedef struct
{
  CsProviderRow    *self;
  CsProviderClient *client;
  GCancellable     *cancellable;
} TestData;

static void
test_data_free (TestData *d)
{
  g_clear_object (&d->self);
  g_clear_object (&d->client);
  g_clear_object (&d->cancellable);
  g_free (d);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestData, test_data_free)

static void
list_models_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(TestData) d = user_data;
  CsProviderRow *self = d->self;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) models = cs_provider_client_list_models_finish (CS_PROVIDER_CLIENT (object), result, &error);
  g_autoptr(CsProviderConfig) p = NULL;
  g_autofree char *msg = NULL;

  /* a later test, or the row went away */
  if (g_cancellable_is_cancelled (d->cancellable))
    return;

  if (models == NULL)
    {
      msg = g_strdup_printf (_("Test failed: %s"), error->message);
      _cs_provider_row_set_status (self, CS_PROVIDER_ROW_STATUS_FAILED, msg);
      return;
    }

  g_strfreev (self->listed);
  self->listed = g_steal_pointer (&models);
  msg = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                      "It works: the server lists %u model; tick the ones to ask",
                                      "It works: the server lists %u models; tick the ones to ask",
                                      g_strv_length (self->listed)),
                         g_strv_length (self->listed));
  _cs_provider_row_set_status (self, CS_PROVIDER_ROW_STATUS_OK, msg);
  if ((p = _cs_provider_row_dup_provider (self)) != NULL)
    {
      self->updating = TRUE;
      _cs_provider_row_show_models (self, p);
      self->updating = FALSE;
    }
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
    g_debug ("No key for %s: %s", d->self->provider_id, error->message);
  cs_provider_client_set_api_key (d->client, key);
  cs_provider_client_list_models_async (d->client, d->cancellable, list_models_cb, d);
}

void
_cs_provider_row_test_clicked_cb (GtkButton     *button,
                                  CsProviderRow *self)
{
  const CsProviderConfig *p;
  TestData *d;

  /* the URL as typed is the one tested (and kept) */
  if (!_cs_provider_row_apply_url (self))
    return;
  p = cs_config_find_provider (cs_config_file_get_config (self->file), self->provider_id);
  if (p == NULL)
    return;

  g_cancellable_cancel (self->test_cancellable);
  g_clear_object (&self->test_cancellable);
  self->test_cancellable = g_cancellable_new ();

  d = g_new0 (TestData, 1);
  d->self = g_object_ref (self);
  d->client = cs_provider_client_new (p);
  d->cancellable = g_object_ref (self->test_cancellable);
  _cs_provider_row_set_status (self, CS_PROVIDER_ROW_STATUS_TESTING, _("Asking the provider for its models…"));
  cs_secrets_lookup_async (p, d->cancellable, test_key_cb, d);
}

void
_cs_provider_row_forget_test (CsProviderRow *self)
{
  g_cancellable_cancel (self->test_cancellable);
  g_clear_pointer (&self->listed, g_strfreev);
  _cs_provider_row_set_status (self, CS_PROVIDER_ROW_STATUS_NONE, NULL);
}

void
_cs_provider_row_models_init (CsProviderRow *self)
{
  self->model_rows = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_model_check_free);
}

void
_cs_provider_row_models_dispose (CsProviderRow *self)
{
  g_cancellable_cancel (self->test_cancellable);
  g_clear_object (&self->test_cancellable);
}

void
_cs_provider_row_models_finalize (CsProviderRow *self)
{
  g_clear_pointer (&self->model_rows, g_ptr_array_unref);
  g_clear_pointer (&self->listed, g_strfreev);
  g_clear_pointer (&self->status_message, g_free);
}
