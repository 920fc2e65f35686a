/* cs-knobs-popover.c: one model's settings for the next run
 *
 * Each value reads "Default" until set: the spin buttons' lowest value
 * (-0.1 for the temperature, 0 for the counts) and the drop-downs' first
 * item stand for "what the providers file says", which the caption below
 * names. A view of a CsModelKnobs, which holds the values (and remembers
 * them): the compose page builds a row's popover when it is first opened.
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

  CsModelKnobs   *model;
  gboolean        updating;

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

/* An edit in a widget: the model takes the widgets' values. */
static void
edited_cb (CsKnobsPopover *self)
{
  g_autoptr(CsKnobs) knobs = NULL;
  double t;
  int max_tokens, n;

  if (self->updating || self->model == NULL)
    return;
  knobs = cs_knobs_new ();
  t = gtk_spin_button_get_value (self->temperature_spin);
  max_tokens = gtk_spin_button_get_value_as_int (self->max_tokens_spin);
  n = gtk_spin_button_get_value_as_int (self->n_spin);
  knobs->temperature = t < 0 ? NAN : t;
  knobs->reasoning_effort = g_strdup (drop_value (self->effort_drop, efforts));
  knobs->verbosity = g_strdup (drop_value (self->verbosity_drop, verbosities));
  knobs->max_output_tokens = max_tokens > 0 ? (guint64) max_tokens : 0;
  knobs->n = n > 0 ? (guint) n : 0;
  cs_model_knobs_set_knobs (self->model, knobs);
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

/* The widgets show the model's values. */
static void
model_changed_cb (CsKnobsPopover *self)
{
  const CsKnobs *knobs = cs_model_knobs_get_knobs (self->model);

  self->updating = TRUE;
  gtk_spin_button_set_value (self->temperature_spin,
                             !isnan (knobs->temperature) ? knobs->temperature : -0.1);
  gtk_drop_down_set_selected (self->effort_drop, index_of (efforts, knobs->reasoning_effort));
  gtk_drop_down_set_selected (self->verbosity_drop, index_of (verbosities, knobs->verbosity));
  gtk_spin_button_set_value (self->max_tokens_spin, (double) knobs->max_output_tokens);
  gtk_spin_button_set_value (self->n_spin, knobs->n);
  gtk_widget_set_sensitive (GTK_WIDGET (self->reset_button), !cs_knobs_is_empty (knobs));
  gtk_label_set_text (self->defaults_label, cs_model_knobs_get_caption (self->model));
  self->updating = FALSE;
}

static void
reset_clicked_cb (CsKnobsPopover *self)
{
  cs_model_knobs_set_knobs (self->model, NULL);
}

CsModelKnobs *
cs_knobs_popover_get_model (CsKnobsPopover *self)
{
  g_return_val_if_fail (CS_IS_KNOBS_POPOVER (self), NULL);
  return self->model;
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

CsKnobsPopover *
cs_knobs_popover_new (CsModelKnobs *model)
{
  CsKnobsPopover *self;
  g_autofree char *title = NULL;
  CsApiDialect dialect;

  g_return_val_if_fail (CS_IS_MODEL_KNOBS (model), NULL);

  self = g_object_new (CS_TYPE_KNOBS_POPOVER, NULL);
  self->model = g_object_ref (model);
  dialect = cs_model_knobs_get_dialect (model);
  /* Translators: the heading of a model's settings popover, "Settings of openai/gpt-5" */
  title = g_strdup_printf (_("Settings of %s"), cs_model_knobs_get_model_id (model));
  gtk_label_set_text (self->title_label, title);
  gtk_widget_set_sensitive (GTK_WIDGET (self->temperature_spin),
                            cs_model_knobs_get_supports_temperature (model));
  /* verbosity is OpenAI's; several answers to one request Chat Completions' */
  gtk_widget_set_visible (GTK_WIDGET (self->verbosity_label), dialect != CS_API_OLLAMA);
  gtk_widget_set_visible (GTK_WIDGET (self->verbosity_drop), dialect != CS_API_OLLAMA);
  gtk_widget_set_visible (GTK_WIDGET (self->n_label), dialect == CS_API_OPENAI_CHAT);
  gtk_widget_set_visible (GTK_WIDGET (self->n_spin), dialect == CS_API_OPENAI_CHAT);
  model_changed_cb (self);
  g_signal_connect_object (model, "changed", G_CALLBACK (model_changed_cb), self, G_CONNECT_SWAPPED);
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

  g_clear_object (&self->model);

  G_OBJECT_CLASS (cs_knobs_popover_parent_class)->finalize (object);
}

static void
cs_knobs_popover_class_init (CsKnobsPopoverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cs_knobs_popover_dispose;
  object_class->finalize = cs_knobs_popover_finalize;

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

  self->updating = TRUE;
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_drop_down_set_model (self->effort_drop, effort_model);
  gtk_drop_down_set_model (self->verbosity_drop, verbosity_model);
  self->updating = FALSE;
}
