/* cs-knobs-popover.c: one model's settings for the next run
 *
 * Each value reads "Default" until set: the spin buttons' lowest value
 * (-0.1 for the temperature, 0 for the counts) and the drop-downs' first
 * item stand for "what the providers file says", which the caption below
 * names. The compose page hands the settings to the run it makes
 * (cs_run_set_knobs ()). With cs_knobs_popover_remember () they outlive the
 * app: the "model-knobs" setting keeps each model's as "key=value, …" (the
 * CLI's --option words), written on each change (GSettings writes in the
 * background); Use the Defaults forgets a model's.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-knobs-popover"

#include "config.h"

#include <math.h>
#include <glib/gi18n.h>

#include "cs-knobs-popover.h"

struct _CsKnobsPopover
{
  GtkPopover      parent_instance;

  CsKnobs        *knobs;
  gboolean        updating;
  GSettings      *settings;     /* where they are remembered, or NULL */
  char           *model_id;
  gboolean        remembering;  /* the caption says so */

  GtkLabel       *title_label;
  GtkSpinButton  *temperature_spin;
  GtkDropDown    *effort_drop;
  GtkLabel       *verbosity_label;
  GtkDropDown    *verbosity_drop;
  GtkSpinButton  *max_tokens_spin;
  GtkLabel       *n_label;
  GtkSpinButton  *n_spin;
  GtkLabel       *defaults_label;
  GtkButton      *reset_button;
};

G_DEFINE_FINAL_TYPE (CsKnobsPopover, cs_knobs_popover, GTK_TYPE_POPOVER)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* the API's own words, after "Default" */
static const char * const efforts[] = { "minimal", "low", "medium", "high", NULL };
static const char * const verbosities[] = { "low", "medium", "high", NULL };

static gboolean
temperature_output_cb (GtkSpinButton *spin,
                       gpointer       user_data)
{
  double v = gtk_spin_button_get_value (spin);
  g_autofree char *text = NULL;

  if (v < 0)
    text = g_strdup (_("Default"));
  else
    text = g_strdup_printf ("%.1f", v);
  gtk_editable_set_text (GTK_EDITABLE (spin), text);
  return TRUE;
}

static gboolean
count_output_cb (GtkSpinButton *spin,
                 gpointer       user_data)
{
  double v = gtk_spin_button_get_value (spin);
  g_autofree char *text = NULL;

  if (v < 1)
    text = g_strdup (_("Default"));
  else
    text = g_strdup_printf ("%.0f", v);
  gtk_editable_set_text (GTK_EDITABLE (spin), text);
  return TRUE;
}

/* "Default" (or nothing) typed: the lowest value */
static int
default_input_cb (GtkSpinButton *spin,
                  double        *new_value,
                  gpointer       user_data)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (spin));
  double lower;

  if (text != NULL && text[0] != '\0' && g_strcmp0 (text, _("Default")) != 0)
    return FALSE;
  gtk_spin_button_get_range (spin, &lower, NULL);
  *new_value = lower;
  return TRUE;
}

static const char *
drop_value (GtkDropDown        *drop,
            const char * const *values)
{
  guint selected = gtk_drop_down_get_selected (drop);

  if (selected == 0 || selected == GTK_INVALID_LIST_POSITION || selected > g_strv_length ((char **) values))
    return NULL;
  return values[selected - 1];
}

static void
read_widgets (CsKnobsPopover *self)
{
  double t = gtk_spin_button_get_value (self->temperature_spin);
  int max_tokens = gtk_spin_button_get_value_as_int (self->max_tokens_spin);
  int n = gtk_spin_button_get_value_as_int (self->n_spin);

  /* rounded as shown: 0.30000001 is 0.3 */
  self->knobs->temperature = t < 0 ? NAN : round (t * 10) / 10;
  g_free (self->knobs->reasoning_effort);
  self->knobs->reasoning_effort = g_strdup (drop_value (self->effort_drop, efforts));
  g_free (self->knobs->verbosity);
  self->knobs->verbosity = gtk_widget_get_visible (GTK_WIDGET (self->verbosity_drop))
                             ? g_strdup (drop_value (self->verbosity_drop, verbosities)) : NULL;
  self->knobs->max_output_tokens = max_tokens > 0 ? (guint64) max_tokens : 0;
  self->knobs->n = n > 0 && gtk_widget_get_visible (GTK_WIDGET (self->n_spin)) ? (guint) n : 0;
}

static void save (CsKnobsPopover *self);

static void
edited_cb (CsKnobsPopover *self)
{
  if (self->updating)
    return;
  read_widgets (self);
  save (self);
  gtk_widget_set_sensitive (GTK_WIDGET (self->reset_button), !cs_knobs_is_empty (self->knobs));
  g_signal_emit (self, signals[CHANGED], 0);
}

static guint
index_of (const char * const *values,
          const char         *value)
{
  for (guint i = 0; value != NULL && values[i] != NULL; i++)
    if (g_str_equal (values[i], value))
      return i + 1;
  return 0;
}

void
cs_knobs_popover_set_knobs (CsKnobsPopover *self,
                            const CsKnobs  *knobs)
{
  g_return_if_fail (CS_IS_KNOBS_POPOVER (self));

  self->updating = TRUE;
  gtk_spin_button_set_value (self->temperature_spin,
                             knobs != NULL && !isnan (knobs->temperature) ? knobs->temperature : -0.1);
  gtk_drop_down_set_selected (self->effort_drop, index_of (efforts, knobs ? knobs->reasoning_effort : NULL));
  gtk_drop_down_set_selected (self->verbosity_drop, index_of (verbosities, knobs ? knobs->verbosity : NULL));
  gtk_spin_button_set_value (self->max_tokens_spin, knobs != NULL ? (double) knobs->max_output_tokens : 0);
  gtk_spin_button_set_value (self->n_spin, knobs != NULL ? knobs->n : 0);
  self->updating = FALSE;
  edited_cb (self);
}

static void
reset_clicked_cb (CsKnobsPopover *self)
{
  cs_knobs_popover_set_knobs (self, NULL);
}

const CsKnobs *
cs_knobs_popover_get_knobs (CsKnobsPopover *self)
{
  g_return_val_if_fail (CS_IS_KNOBS_POPOVER (self), NULL);
  return self->knobs;
}

/* Remembering */

#define SETTINGS_KEY "model-knobs"

/* "temperature=0.3, verbosity=low" → knobs; what does not read (a hand
 * edit, a key of a later version) is left out. */
static CsKnobs *
knobs_from_string (const char *text)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);
  CsKnobs *knobs = cs_knobs_new ();

  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      g_auto(GStrv) kv = g_strsplit (g_strstrip (parts[i]), "=", 2);

      if (kv[0] == NULL || kv[0][0] == '\0' || kv[1] == NULL)
        continue;
      if (!cs_knobs_set (knobs, g_strstrip (kv[0]), g_strstrip (kv[1]), &error))
        g_debug ("Ignoring a remembered setting: %s", error->message);
    }
  return knobs;
}

/* @settings' dictionary with @model_id's entry set to @value (NULL: removed). */
static GVariant *
dictionary_with (GSettings  *settings,
                 const char *model_id,
                 const char *value)
{
  g_autoptr(GVariant) old = g_settings_get_value (settings, SETTINGS_KEY);
  GVariantBuilder builder;
  GVariantIter iter;
  const char *key, *text;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{ss}"));
  g_variant_iter_init (&iter, old);
  while (g_variant_iter_next (&iter, "{&s&s}", &key, &text))
    if (!g_str_equal (key, model_id))
      g_variant_builder_add (&builder, "{ss}", key, text);
  if (value != NULL)
    g_variant_builder_add (&builder, "{ss}", model_id, value);
  return g_variant_builder_end (&builder);
}

static void
save (CsKnobsPopover *self)
{
  g_autofree char *value = NULL;
  g_autofree char *before = NULL;

  if (self->settings == NULL)
    return;
  value = cs_knobs_to_string (self->knobs);
  {
    g_autoptr(GVariant) old = g_settings_get_value (self->settings, SETTINGS_KEY);

    g_variant_lookup (old, self->model_id, "s", &before);
  }
  /* nothing set is nothing remembered */
  if (g_strcmp0 (before, value[0] != '\0' ? value : NULL) == 0)
    return;
  g_settings_set_value (self->settings, SETTINGS_KEY,
                        dictionary_with (self->settings, self->model_id, value[0] != '\0' ? value : NULL));
}

void
cs_knobs_popover_remember (CsKnobsPopover *self,
                           GSettings      *settings,
                           const char     *model_id)
{
  g_autoptr(GVariant) saved = NULL;
  g_autofree char *text = NULL;

  g_return_if_fail (CS_IS_KNOBS_POPOVER (self));
  g_return_if_fail (G_IS_SETTINGS (settings));
  g_return_if_fail (model_id != NULL);

  g_set_object (&self->settings, settings);
  g_free (self->model_id);
  self->model_id = g_strdup (model_id);
  if (!self->remembering)
    {
      g_autofree char *caption = g_strconcat (gtk_label_get_text (self->defaults_label), " ",
                                              _("What you set here is kept for the next runs until "
                                                "you choose Use the Defaults."), NULL);

      gtk_label_set_text (self->defaults_label, caption);
      self->remembering = TRUE;
    }
  saved = g_settings_get_value (settings, SETTINGS_KEY);
  if (g_variant_lookup (saved, model_id, "s", &text))
    {
      g_autoptr(CsKnobs) knobs = knobs_from_string (text);

      cs_knobs_popover_set_knobs (self, knobs);
    }
}

static GListModel *
drop_model (const char * const *values)
{
  GtkStringList *list = gtk_string_list_new (NULL);

  gtk_string_list_append (list, _("Default"));
  for (guint i = 0; values[i] != NULL; i++)
    gtk_string_list_append (list, values[i]);
  return G_LIST_MODEL (list);
}

/* "Defaults: temperature 0.7 (or spread over requests), …" */
static char *
describe_defaults (const CsModelConfig *model)
{
  g_autoptr(GString) s = g_string_new (_("Default is the providers file’s setting: "));

  if (!model->supports_temperature)
    g_string_append (s, _("no temperature (the model takes none)"));
  else if (!isnan (model->temperature))
    g_string_append_printf (s, _("temperature %.1f"), model->temperature);
  else
    g_string_append (s, _("the provider’s temperature (spread when a model sends several requests)"));
  g_string_append_printf (s, _(", reasoning effort %s"),
                          model->reasoning_effort != NULL ? model->reasoning_effort : _("not sent"));
  if (model->max_output_tokens > 0)
    g_string_append_printf (s, _(", at most %u output tokens"), (guint) MIN (model->max_output_tokens, G_MAXUINT));
  g_string_append_printf (s, ngettext (", up to %u answer per request.", ", up to %u answers per request.",
                                       MAX (model->max_n, 1)),
                          MAX (model->max_n, 1));
  return g_string_free (g_steal_pointer (&s), FALSE);
}

CsKnobsPopover *
cs_knobs_popover_new (const CsModelConfig *model,
                      CsApiDialect         dialect)
{
  CsKnobsPopover *self;
  g_autofree char *defaults = NULL;
  g_autofree char *title = NULL;

  g_return_val_if_fail (model != NULL, NULL);

  self = g_object_new (CS_TYPE_KNOBS_POPOVER, NULL);
  /* Translators: the heading of a model's settings popover, "Settings of openai/gpt-5" */
  title = g_strdup_printf (_("Settings of %s"), model->id);
  gtk_label_set_text (self->title_label, title);
  defaults = describe_defaults (model);
  gtk_label_set_text (self->defaults_label, defaults);

  gtk_widget_set_sensitive (GTK_WIDGET (self->temperature_spin), model->supports_temperature);
  /* verbosity is OpenAI's; several answers to one request Chat Completions' */
  gtk_widget_set_visible (GTK_WIDGET (self->verbosity_label), dialect != CS_API_OLLAMA);
  gtk_widget_set_visible (GTK_WIDGET (self->verbosity_drop), dialect != CS_API_OLLAMA);
  gtk_widget_set_visible (GTK_WIDGET (self->n_label), dialect == CS_API_OPENAI_CHAT);
  gtk_widget_set_visible (GTK_WIDGET (self->n_spin), dialect == CS_API_OPENAI_CHAT);
  return self;
}

static void
cs_knobs_popover_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), CS_TYPE_KNOBS_POPOVER);

  G_OBJECT_CLASS (cs_knobs_popover_parent_class)->dispose (object);
}

static void
cs_knobs_popover_finalize (GObject *object)
{
  CsKnobsPopover *self = CS_KNOBS_POPOVER (object);

  g_clear_pointer (&self->knobs, cs_knobs_free);
  g_clear_object (&self->settings);
  g_free (self->model_id);

  G_OBJECT_CLASS (cs_knobs_popover_parent_class)->finalize (object);
}

static void
cs_knobs_popover_class_init (CsKnobsPopoverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cs_knobs_popover_dispose;
  object_class->finalize = cs_knobs_popover_finalize;

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/consilium/Consilium/cs-knobs-popover.ui");
  gtk_widget_class_bind_template_child (widget_class, CsKnobsPopover, title_label);
  gtk_widget_class_bind_template_child (widget_class, CsKnobsPopover, temperature_spin);
  gtk_widget_class_bind_template_child (widget_class, CsKnobsPopover, effort_drop);
  gtk_widget_class_bind_template_child (widget_class, CsKnobsPopover, verbosity_label);
  gtk_widget_class_bind_template_child (widget_class, CsKnobsPopover, verbosity_drop);
  gtk_widget_class_bind_template_child (widget_class, CsKnobsPopover, max_tokens_spin);
  gtk_widget_class_bind_template_child (widget_class, CsKnobsPopover, n_label);
  gtk_widget_class_bind_template_child (widget_class, CsKnobsPopover, n_spin);
  gtk_widget_class_bind_template_child (widget_class, CsKnobsPopover, defaults_label);
  gtk_widget_class_bind_template_child (widget_class, CsKnobsPopover, reset_button);
  gtk_widget_class_bind_template_callback (widget_class, temperature_output_cb);
  gtk_widget_class_bind_template_callback (widget_class, count_output_cb);
  gtk_widget_class_bind_template_callback (widget_class, default_input_cb);
  gtk_widget_class_bind_template_callback (widget_class, edited_cb);
  gtk_widget_class_bind_template_callback (widget_class, reset_clicked_cb);
}

static void
cs_knobs_popover_init (CsKnobsPopover *self)
{
  g_autoptr(GListModel) effort_model = drop_model (efforts);
  g_autoptr(GListModel) verbosity_model = drop_model (verbosities);

  self->knobs = cs_knobs_new ();
  self->updating = TRUE;
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_drop_down_set_model (self->effort_drop, effort_model);
  gtk_drop_down_set_model (self->verbosity_drop, verbosity_model);
  self->updating = FALSE;
  gtk_widget_set_sensitive (GTK_WIDGET (self->reset_button), FALSE);
}
