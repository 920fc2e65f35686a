/* cs-price-row.c: one model's prices in the preferences
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-price-row"

#include "config.h"

#include <math.h>
#include <glib/gi18n.h>

#include "cs-price-row.h"

struct _CsPriceRow
{
  AdwActionRow   parent_instance;

  CsConfigFile  *file;
  char          *model_id;     /* "provider/model" */
  gboolean       updating;     /* the spins are being set, not edited */

  GtkSpinButton *input_spin;
  GtkSpinButton *output_spin;
  GtkButton     *clear_button;
};

G_DEFINE_FINAL_TYPE (CsPriceRow, cs_price_row, ADW_TYPE_ACTION_ROW)

enum {
  EDITED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const CsModelConfig *
find_model (CsPriceRow *self)
{
  if (self->file == NULL)
    return NULL;
  return cs_config_find_model (cs_config_file_get_config (self->file), self->model_id);
}

static void
set_model_edit (CsConfig *config,
                gpointer  model)
{
  cs_config_set_model (config, model);
}

static void
price_changed_cb (GtkSpinButton *spin,
                  CsPriceRow    *self)
{
  const CsModelConfig *m = find_model (self);
  g_autoptr(CsModelConfig) copy = NULL;

  if (self->updating || m == NULL)
    return;
  copy = cs_model_config_copy (m);
  /* a price typed makes both known: the other is what its spin shows */
  copy->price_input = gtk_spin_button_get_value (self->input_spin);
  copy->price_output = gtk_spin_button_get_value (self->output_spin);
  cs_config_file_edit (self->file, set_model_edit, copy);
  cs_price_row_update (self);
  g_signal_emit (self, signals[EDITED], 0);
}

/* Forgets the price: the model's cost is "price unknown" again, never $0. */
static void
clear_clicked_cb (GtkButton  *button,
                  CsPriceRow *self)
{
  const CsModelConfig *m = find_model (self);
  g_autoptr(CsModelConfig) copy = NULL;

  if (m == NULL || !cs_model_config_has_price (m))
    return;
  copy = cs_model_config_copy (m);
  copy->price_input = NAN;
  copy->price_output = NAN;
  cs_config_file_edit (self->file, set_model_edit, copy);
  cs_price_row_update (self);
  g_signal_emit (self, signals[EDITED], 0);
}

void
cs_price_row_update (CsPriceRow *self)
{
  const CsModelConfig *m;

  g_return_if_fail (CS_IS_PRICE_ROW (self));

  if ((m = find_model (self)) == NULL)
    return;
  self->updating = TRUE;
  gtk_spin_button_set_value (self->input_spin, isnan (m->price_input) ? 0 : m->price_input);
  gtk_spin_button_set_value (self->output_spin, isnan (m->price_output) ? 0 : m->price_output);
  self->updating = FALSE;
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self),
                               cs_model_config_has_price (m)
                               ? _("input · output, USD per million tokens")
                               : _("Price unknown: costs are not counted until both are set"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->clear_button), cs_model_config_has_price (m));
}

CsPriceRow *
cs_price_row_new (CsConfigFile *file,
                  const char   *model_id)
{
  CsPriceRow *self;
  const CsModelConfig *m;
  g_autofree char *input_label = NULL;
  g_autofree char *output_label = NULL;

  g_return_val_if_fail (CS_IS_CONFIG_FILE (file), NULL);
  g_return_val_if_fail (model_id != NULL, NULL);

  self = g_object_new (CS_TYPE_PRICE_ROW, NULL);
  self->file = g_object_ref (file);
  self->model_id = g_strdup (model_id);

  m = find_model (self);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), m != NULL ? m->name : model_id);
  input_label = g_strdup_printf (_("Input price of %s"), m != NULL ? m->name : model_id);
  output_label = g_strdup_printf (_("Output price of %s"), m != NULL ? m->name : model_id);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->input_spin), GTK_ACCESSIBLE_PROPERTY_LABEL, input_label, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->output_spin), GTK_ACCESSIBLE_PROPERTY_LABEL, output_label, -1);
  cs_price_row_update (self);
  return self;
}

static void
cs_price_row_dispose (GObject *object)
{
  CsPriceRow *self = CS_PRICE_ROW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), CS_TYPE_PRICE_ROW);
  g_clear_object (&self->file);

  G_OBJECT_CLASS (cs_price_row_parent_class)->dispose (object);
}

static void
cs_price_row_finalize (GObject *object)
{
  CsPriceRow *self = CS_PRICE_ROW (object);

  g_free (self->model_id);

  G_OBJECT_CLASS (cs_price_row_parent_class)->finalize (object);
}

static void
cs_price_row_class_init (CsPriceRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cs_price_row_dispose;
  object_class->finalize = cs_price_row_finalize;

  /* the configuration was edited: it wants saving */
  signals[EDITED] = g_signal_new ("edited", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/consilium/Consilium/cs-price-row.ui");
  gtk_widget_class_bind_template_child (widget_class, CsPriceRow, input_spin);
  gtk_widget_class_bind_template_child (widget_class, CsPriceRow, output_spin);
  gtk_widget_class_bind_template_child (widget_class, CsPriceRow, clear_button);
  gtk_widget_class_bind_template_callback (widget_class, price_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, clear_clicked_cb);
}

static void
cs_price_row_init (CsPriceRow *self)
{
  self->updating = TRUE;
  gtk_widget_init_template (GTK_WIDGET (self));
  self->updating = FALSE;
}
