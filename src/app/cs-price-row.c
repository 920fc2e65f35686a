/* cs-price-row.c: one model's prices in the preferences
 *
 * A price not set is shown empty, never 0.00, its field saying in grey
 * which price it is ("input", "output": two empty fields side by side
 * told nothing apart) and the row's subtitle that the price is unknown; a
 * price typed sets that price alone (the model's costs count once both
 * are set), 0 included.
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
  gboolean       typed_input;  /* typed into since the last commit */
  gboolean       typed_output;

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

static double
known_price (const CsModelConfig *m,
             CsPriceRow          *self,
             GtkSpinButton       *spin)
{
  return spin == self->input_spin ? m->price_input : m->price_output;
}

/* Sets the price of @spin (input or output) to its value. */
static void
commit_price (CsPriceRow    *self,
              GtkSpinButton *spin)
{
  const CsModelConfig *m = find_model (self);
  g_autoptr(CsModelConfig) copy = NULL;

  if (self->updating || m == NULL)
    return;
  copy = cs_model_config_copy (m);
  if (spin == self->input_spin)
    copy->price_input = gtk_spin_button_get_value (spin);
  else
    copy->price_output = gtk_spin_button_get_value (spin);
  self->typed_input = self->typed_output = FALSE;
  cs_config_file_edit (self->file, set_model_edit, copy);
  cs_price_row_update (self);
  g_signal_emit (self, signals[EDITED], 0);
}

static void
price_changed_cb (GtkSpinButton *spin,
                  CsPriceRow    *self)
{
  commit_price (self, spin);
}

static void
text_changed_cb (GtkEditable *editable,
                 CsPriceRow  *self)
{
  if (self->updating)
    return;
  if (GTK_SPIN_BUTTON (editable) == self->input_spin)
    self->typed_input = TRUE;
  else
    self->typed_output = TRUE;
}

/* An unknown price shows empty (its placeholder says so), never 0.00; a 0
 * typed into it (no change of value, so no ::value-changed) is a price. */
static gboolean
spin_output_cb (GtkSpinButton *spin,
                CsPriceRow    *self)
{
  const CsModelConfig *m = find_model (self);
  gboolean typed = spin == self->input_spin ? self->typed_input : self->typed_output;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (spin));

  if (m == NULL || !isnan (known_price (m, self, spin)))
    return FALSE;
  if (gtk_spin_button_get_value (spin) != 0)
    return FALSE; /* being set: ::value-changed follows */
  if (typed && text[0] != '\0' && !self->updating)
    {
      commit_price (self, spin);
      return FALSE;
    }
  if (text[0] != '\0')
    {
      gboolean was = self->updating;

      self->updating = TRUE;
      gtk_editable_set_text (GTK_EDITABLE (spin), "");
      self->updating = was;
    }
  return TRUE;
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
  /* the same value emits no ::output: an unknown price is shown empty here */
  spin_output_cb (self->input_spin, self);
  spin_output_cb (self->output_spin, self);
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
  gtk_widget_class_bind_template_callback (widget_class, spin_output_cb);
  gtk_widget_class_bind_template_callback (widget_class, text_changed_cb);
}

static void
cs_price_row_init (CsPriceRow *self)
{
  self->updating = TRUE;
  gtk_widget_init_template (GTK_WIDGET (self));
  /* Translators: the placeholder of a model's input price field without a
   * price (dollars per million input tokens) */
  gtk_text_set_placeholder_text (GTK_TEXT (gtk_editable_get_delegate (GTK_EDITABLE (self->input_spin))),
                                 C_("price field", "input"));
  /* Translators: the placeholder of a model's output price field without a
   * price (dollars per million output tokens) */
  gtk_text_set_placeholder_text (GTK_TEXT (gtk_editable_get_delegate (GTK_EDITABLE (self->output_spin))),
                                 C_("price field", "output"));
  self->updating = FALSE;
}
