/* cs-compose-page-models.c: the compose page's model rows and judge row
 *
 * One row per configured model (a check and a count of candidate answers),
 * chosen per mode and kept in the settings ("models-architect",
 * "models-support"); the judge combo offers the same models. A new
 * configuration (every edit in the preferences makes one) keeps the rows of
 * the models still there as they are, ticked or not: only rows of models
 * added or removed are made or dropped.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-compose-page"

#include "config.h"

#include <glib/gi18n.h>

#include "cs-compose-page-private.h"
#include "cs-result-parts.h"

#define MAX_PER_MODEL 8

static void
cs_model_row_free (CsModelRow *row)
{
  g_clear_object (&row->knobs);
  g_free (row->id);
  g_free (row);
}

void
_cs_compose_page_apply_knobs (CsComposePage *self,
                              CsRun         *run)
{
  _cs_compose_page_flush_models (self);
  for (guint i = 0; i < self->model_rows->len; i++)
    {
      CsModelRow *row = g_ptr_array_index (self->model_rows, i);

      if (gtk_check_button_get_active (row->check))
        cs_run_set_knobs (run, row->id, cs_model_knobs_get_knobs (row->knobs));
    }
}

/* The settings button says when a model runs with settings of its own. */
static void
knobs_changed_cb (CsModelKnobs  *knobs,
                  GtkMenuButton *button)
{
  g_autofree char *text = cs_knobs_to_string (cs_model_knobs_get_knobs (knobs));

  if (text[0] != '\0')
    gtk_widget_add_css_class (GTK_WIDGET (button), "accent");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (button), "accent");
  gtk_widget_set_tooltip_text (GTK_WIDGET (button), text[0] != '\0' ? text : _("Settings for This Run"));
}

static char *
models_key (CsComposePage *self)
{
  return g_strdup_printf ("models-%s", cs_mode_to_string (self->mode));
}

static guint
per_model (CsComposePage *self)
{
  return self->settings != NULL ? g_settings_get_uint (self->settings, "candidates-per-model") : 1;
}

void
_cs_compose_page_save_models (CsComposePage *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) strv = NULL;
  g_autofree char *key = models_key (self);
  guint count_default = per_model (self);

  for (guint i = 0; i < self->model_rows->len; i++)
    {
      CsModelRow *row = g_ptr_array_index (self->model_rows, i);
      guint count = gtk_spin_button_get_value_as_int (row->spin);

      if (!gtk_check_button_get_active (row->check))
        continue;
      if (count == count_default)
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

GStrv
_cs_compose_page_dup_models (CsComposePage *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  _cs_compose_page_flush_models (self);
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

char *
_cs_compose_page_dup_judge (CsComposePage *self)
{
  guint pos;

  _cs_compose_page_flush_models (self);
  pos = adw_combo_row_get_selected (self->judge_row);
  if (pos == GTK_INVALID_LIST_POSITION || pos == 0)
    return NULL;
  return g_strdup (gtk_string_list_get_string (self->judge_ids, pos));
}

/* The count after the colon of "provider/model:COUNT" when @spec names
 * @id, else 0 (not named) or @fallback (named without a count). */
static guint
count_for (const char *spec,
           const char *id,
           guint       fallback)
{
  const char *colon = strrchr (spec, ':');
  gsize len = colon != NULL ? (gsize) (colon - spec) : strlen (spec);

  /* a whole name that holds a colon (Ollama's "qwen3:8b") */
  if (g_str_equal (spec, id))
    return fallback;
  if (strlen (id) != len || strncmp (id, spec, len) != 0)
    return 0;
  if (colon == NULL)
    return fallback;
  return CLAMP (g_ascii_strtoull (colon + 1, NULL, 10), 1, MAX_PER_MODEL);
}

void
cs_compose_page_select_models (CsComposePage      *self,
                               const char * const *models)
{
  guint count_default;

  g_return_if_fail (CS_IS_COMPOSE_PAGE (self));

  _cs_compose_page_flush_models (self);
  count_default = per_model (self);
  for (guint i = 0; i < self->model_rows->len; i++)
    {
      CsModelRow *row = g_ptr_array_index (self->model_rows, i);
      guint count = 0;

      for (guint j = 0; models != NULL && models[j] != NULL && count == 0; j++)
        count = count_for (models[j], row->id, count_default);

      gtk_check_button_set_active (row->check, count > 0);
      gtk_spin_button_set_value (row->spin, count > 0 ? count : count_default);
    }
}

void
cs_compose_page_select_judge (CsComposePage *self,
                              const char    *model_id)
{
  guint n;

  g_return_if_fail (CS_IS_COMPOSE_PAGE (self));

  _cs_compose_page_flush_models (self);
  n = g_list_model_get_n_items (G_LIST_MODEL (self->judge_ids));
  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (gtk_string_list_get_string (self->judge_ids, i), model_id != NULL ? model_id : "") == 0)
      {
        adw_combo_row_set_selected (self->judge_row, i);
        return;
      }
  adw_combo_row_set_selected (self->judge_row, 0);
}

static const char *
provider_label (CsComposePage       *self,
                const CsModelConfig *model)
{
  const CsProviderConfig *provider = cs_config_find_provider (self->config, model->provider);

  return provider != NULL && provider->name != NULL ? provider->name : model->provider;
}

static void
create_knobs_popover (GtkMenuButton *button,
                      gpointer       user_data)
{
  if (gtk_menu_button_get_popover (button) == NULL)
    gtk_menu_button_set_popover (button, GTK_WIDGET (cs_knobs_popover_new (user_data)));
}

static CsModelRow *
create_model_row (CsComposePage       *self,
                  const CsModelConfig *model)
{
  CsModelRow *row = g_new0 (CsModelRow, 1);
  GtkWidget *action_row;
  g_autofree char *label = NULL;

  row->id = g_strdup (model->id);
  row->check = GTK_CHECK_BUTTON (gtk_check_button_new ());
  gtk_widget_set_valign (GTK_WIDGET (row->check), GTK_ALIGN_CENTER);
  row->spin = GTK_SPIN_BUTTON (gtk_spin_button_new_with_range (1, MAX_PER_MODEL, 1));
  gtk_widget_set_valign (GTK_WIDGET (row->spin), GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (GTK_WIDGET (row->spin), _("Candidate answers from this model"));
  label = g_strdup_printf (_("Candidate answers from %s"), model->id);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row->spin),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);

  {
    const CsProviderConfig *provider = cs_config_find_provider (self->config, model->provider);

    row->knobs = cs_model_knobs_new (model, provider != NULL ? provider->api : CS_API_OPENAI_CHAT);
  }
  row->knobs_button = GTK_MENU_BUTTON (gtk_menu_button_new ());
  gtk_menu_button_set_icon_name (row->knobs_button, "document-properties-symbolic");
  /* the popover is built when first opened */
  gtk_menu_button_set_create_popup_func (row->knobs_button, create_knobs_popover,
                                         g_object_ref (row->knobs), g_object_unref);
  gtk_widget_set_valign (GTK_WIDGET (row->knobs_button), GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (GTK_WIDGET (row->knobs_button), "flat");
  gtk_widget_set_tooltip_text (GTK_WIDGET (row->knobs_button), _("Settings for This Run"));
  g_free (label);
  label = g_strdup_printf (_("Settings of %s for this run"), model->id);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row->knobs_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
  g_signal_connect_object (row->knobs, "changed", G_CALLBACK (knobs_changed_cb), row->knobs_button, 0);
  g_signal_connect_object (row->knobs, "changed", G_CALLBACK (_cs_compose_page_queue_estimate),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (row->check, "toggled", G_CALLBACK (_cs_compose_page_queue_estimate),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (row->spin, "value-changed", G_CALLBACK (_cs_compose_page_queue_estimate),
                           self, G_CONNECT_SWAPPED);
  /* the settings a model had when the app last ran */
  if (self->settings != NULL)
    cs_model_knobs_remember (row->knobs, self->settings, model->id);

  action_row = adw_action_row_new ();
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (action_row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (action_row), model->name);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (action_row), provider_label (self, model));
  adw_action_row_add_prefix (ADW_ACTION_ROW (action_row), GTK_WIDGET (row->check));
  adw_action_row_add_suffix (ADW_ACTION_ROW (action_row), GTK_WIDGET (row->spin));
  adw_action_row_add_suffix (ADW_ACTION_ROW (action_row), GTK_WIDGET (row->knobs_button));
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (action_row), GTK_WIDGET (row->check));

  row->row = action_row;
  self->n_model_rows_built++;
  return row;
}

static void
clear_models (CsComposePage *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->models_list))) != NULL)
    gtk_list_box_remove (self->models_list, child);
  g_ptr_array_set_size (self->model_rows, 0);
}

/* The judge combo shows "None" for the empty id, then the models; @judge
 * is chosen. */
static void
fill_judges (CsComposePage *self,
             GPtrArray     *models,
             const char    *judge)
{
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);

  gtk_string_list_splice (self->judge_ids, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->judge_ids)),
                          NULL);
  gtk_string_list_append (self->judge_ids, "");
  gtk_string_list_append (labels, _("None (votes and consensus only)"));
  for (guint i = 0; i < models->len; i++)
    {
      const CsModelConfig *model = g_ptr_array_index (models, i);

      g_autofree char *label = cs_result_model_text (GTK_WIDGET (self), model->id);

      gtk_string_list_append (self->judge_ids, model->id);
      gtk_string_list_append (labels, label);
    }
  adw_combo_row_set_model (self->judge_row, G_LIST_MODEL (labels));
  cs_compose_page_select_judge (self, judge);
}

/* The models chosen last time in this mode; nothing chosen yet: every
 * model, up to four. */
static void
restore_selection (CsComposePage *self,
                   GPtrArray     *models)
{
  g_autofree char *key = models_key (self);
  g_auto(GStrv) selected = g_settings_get_strv (self->settings, key);

  if (selected[0] == NULL && models->len > 0)
    {
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

      for (guint i = 0; i < models->len && i < 4; i++)
        g_strv_builder_add (builder, ((const CsModelConfig *) g_ptr_array_index (models, i))->id);
      g_strfreev (selected);
      selected = g_strv_builder_end (builder);
    }
  cs_compose_page_select_models (self, (const char * const *) selected);
}

/* A new row as the settings say for this mode: ticked if the models
 * chosen last time name it. */
static void
select_saved (CsComposePage *self,
              CsModelRow    *row)
{
  g_autofree char *key = models_key (self);
  g_auto(GStrv) selected = g_settings_get_strv (self->settings, key);
  guint count_default = per_model (self);
  guint count = 0;

  for (guint j = 0; selected[j] != NULL && count == 0; j++)
    count = count_for (selected[j], row->id, count_default);
  gtk_check_button_set_active (row->check, count > 0);
  gtk_spin_button_set_value (row->spin, count > 0 ? count : count_default);
}

/* TRUE when the rows are those of @models, in their order. */
static gboolean
same_models (CsComposePage *self,
             GPtrArray     *models)
{
  if (models->len != self->model_rows->len)
    return FALSE;
  for (guint i = 0; i < models->len; i++)
    if (g_strcmp0 (((const CsModelConfig *) g_ptr_array_index (models, i))->id,
                   ((CsModelRow *) g_ptr_array_index (self->model_rows, i))->id) != 0)
      return FALSE;
  return TRUE;
}

static CsModelRow *
steal_row (GPtrArray  *rows,
           const char *id)
{
  for (guint i = 0; i < rows->len; i++)
    if (g_strcmp0 (((CsModelRow *) g_ptr_array_index (rows, i))->id, id) == 0)
      return g_ptr_array_steal_index (rows, i);
  return NULL;
}

/* Rows for @models, in their order: a model's row is kept if it has one
 * (ticked or not, its count), made otherwise; rows of models gone go. */
static void
sync_rows (CsComposePage *self,
           GPtrArray     *models)
{
  g_autoptr(GPtrArray) old = g_steal_pointer (&self->model_rows);

  self->model_rows = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_model_row_free);
  for (guint i = 0; i < models->len; i++)
    {
      const CsModelConfig *model = g_ptr_array_index (models, i);
      CsModelRow *row = steal_row (old, model->id);

      if (row == NULL)
        {
          row = create_model_row (self, model);
          select_saved (self, row);
          gtk_list_box_insert (self->models_list, row->row, i);
        }
      else if (gtk_list_box_row_get_index (GTK_LIST_BOX_ROW (row->row)) != (int) i)
        {
          g_object_ref (row->row);
          gtk_list_box_remove (self->models_list, row->row);
          gtk_list_box_insert (self->models_list, row->row, i);
          g_object_unref (row->row);
        }
      g_ptr_array_add (self->model_rows, row);
    }
  for (guint i = 0; i < old->len; i++)
    gtk_list_box_remove (self->models_list, ((CsModelRow *) g_ptr_array_index (old, i))->row);
}

static void
fill_rows (CsComposePage *self,
           GPtrArray     *models)
{
  clear_models (self);
  for (guint i = 0; i < models->len; i++)
    {
      CsModelRow *row = create_model_row (self, g_ptr_array_index (models, i));

      gtk_list_box_append (self->models_list, row->row);
      g_ptr_array_add (self->model_rows, row);
    }

  if (models->len == 0)
    {
      GtkWidget *empty = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (empty), _("No Models Configured"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (empty), _("Add a provider in Preferences"));
      gtk_list_box_append (self->models_list, empty);
    }
}

/* Before the page's first frame: the model list (a row of a dozen widgets
 * for every configured model, and the judges' lists) is at the bottom of
 * the page, mostly under the fold, and building and measuring it was a
 * fifth of the work of the window's first frame. The rows come in the
 * frame after it; anything that reads them before that (a run started, a
 * selection made) has them made at once. */
static gboolean
defer_models (CsComposePage *self)
{
  if (self->models_ready)
    return FALSE;
  self->models_pending = TRUE;
  return TRUE;
}

static gboolean
models_idle_cb (gpointer user_data)
{
  CsComposePage *self = user_data;

  self->models_source = 0;
  _cs_compose_page_flush_models (self);
  return G_SOURCE_REMOVE;
}

/* The page's first frame is drawn: the rows are made right after it. */
static void
first_frame_cb (GdkFrameClock *clock,
                CsComposePage *self)
{
  g_signal_handlers_disconnect_by_func (clock, first_frame_cb, self);
  if (!self->models_ready && self->models_source == 0)
    self->models_source = g_idle_add_full (G_PRIORITY_DEFAULT, models_idle_cb, g_object_ref (self), g_object_unref);
}

static void
page_mapped_cb (CsComposePage *self)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));

  if (self->models_ready || clock == NULL)
    return;
  g_signal_handlers_disconnect_by_func (clock, first_frame_cb, self);
  g_signal_connect_object (clock, "after-paint", G_CALLBACK (first_frame_cb), self, 0);
}

void
_cs_compose_page_flush_models (CsComposePage *self)
{
  if (self->models_ready)
    return;
  self->models_ready = TRUE;
  g_clear_handle_id (&self->models_source, g_source_remove);
  if (self->models_pending)
    {
      self->models_pending = FALSE;
      _cs_compose_page_update_models (self);
    }
}

void
_cs_compose_page_models_dispose (CsComposePage *self)
{
  g_clear_handle_id (&self->models_source, g_source_remove);
}

void
_cs_compose_page_rebuild_models (CsComposePage *self)
{
  g_autoptr(GPtrArray) models = NULL;
  g_autofree char *judge = NULL;

  if (self->settings == NULL || self->config == NULL)
    return;
  if (defer_models (self))
    return;

  models = cs_config_list_models (self->config);
  if (!same_models (self, models) || models->len == 0)
    fill_rows (self, models);
  judge = g_settings_get_string (self->settings, "judge-model");
  fill_judges (self, models, judge);
  restore_selection (self, models);
  _cs_compose_page_queue_estimate (self);
}

void
_cs_compose_page_update_models (CsComposePage *self)
{
  g_autoptr(GPtrArray) models = NULL;

  if (self->settings == NULL || self->config == NULL)
    return;
  if (defer_models (self))
    return;

  /* nothing shown yet (or "No Models Configured"): as at the start */
  models = cs_config_list_models (self->config);
  if (self->model_rows->len == 0 || models->len == 0)
    {
      _cs_compose_page_rebuild_models (self);
      return;
    }

  if (!same_models (self, models))
    {
      g_autofree char *judge = _cs_compose_page_dup_judge (self);

      sync_rows (self, models);
      fill_judges (self, models, judge);
    }
  /* a provider renamed: its rows say so */
  for (guint i = 0; i < models->len; i++)
    {
      const CsModelConfig *model = g_ptr_array_index (models, i);
      CsModelRow *row = g_ptr_array_index (self->model_rows, i);

      adw_action_row_set_subtitle (ADW_ACTION_ROW (row->row), provider_label (self, model));
    }
  /* prices may have changed */
  _cs_compose_page_queue_estimate (self);
}

void
_cs_compose_page_models_init (CsComposePage *self)
{
  self->model_rows = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_model_row_free);
  self->judge_ids = gtk_string_list_new (NULL);
  g_signal_connect_object (self->judge_row, "notify::selected",
                           G_CALLBACK (_cs_compose_page_queue_estimate), self, G_CONNECT_SWAPPED);
  g_signal_connect (self, "map", G_CALLBACK (page_mapped_cb), NULL);
}
