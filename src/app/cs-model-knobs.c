/* cs-model-knobs.c: one model's settings for the next run, without widgets
 *
 * What the settings popover of a model row edits, kept apart from the
 * popover so that a compose page of many models builds no popover until
 * one is opened (nine popovers were a tenth of the app's launch). With
 * cs_model_knobs_remember () they outlive the app: the "model-knobs"
 * setting keeps each model's as "key=value, …" (the CLI's --option words),
 * written on each change (GSettings writes in the background); all Default
 * forgets a model's.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-model-knobs"

#include "config.h"

#include <math.h>
#include <glib/gi18n.h>

#include "cs-model-knobs.h"

#define SETTINGS_KEY "model-knobs"

struct _CsModelKnobs
{
  GObject       parent_instance;

  CsKnobs      *knobs;
  char         *model_id;       /* "provider/model" as configured */
  CsApiDialect  dialect;
  gboolean      supports_temperature;
  char         *defaults;       /* the caption's first sentence */
  char         *caption;
  GSettings    *settings;       /* where they are remembered, or NULL */
  char         *settings_id;
};

G_DEFINE_FINAL_TYPE (CsModelKnobs, cs_model_knobs, G_TYPE_OBJECT)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* "Default is the providers file's setting: temperature 0.7, …" */
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

CsModelKnobs *
cs_model_knobs_new (const CsModelConfig *model,
                    CsApiDialect         dialect)
{
  CsModelKnobs *self;

  g_return_val_if_fail (model != NULL, NULL);

  self = g_object_new (CS_TYPE_MODEL_KNOBS, NULL);
  self->model_id = g_strdup (model->id);
  self->dialect = dialect;
  self->supports_temperature = model->supports_temperature;
  self->defaults = describe_defaults (model);
  self->caption = g_strdup (self->defaults);
  return self;
}

const char *
cs_model_knobs_get_model_id (CsModelKnobs *self)
{
  g_return_val_if_fail (CS_IS_MODEL_KNOBS (self), NULL);
  return self->model_id;
}

CsApiDialect
cs_model_knobs_get_dialect (CsModelKnobs *self)
{
  g_return_val_if_fail (CS_IS_MODEL_KNOBS (self), CS_API_OPENAI_CHAT);
  return self->dialect;
}

gboolean
cs_model_knobs_get_supports_temperature (CsModelKnobs *self)
{
  g_return_val_if_fail (CS_IS_MODEL_KNOBS (self), FALSE);
  return self->supports_temperature;
}

const char *
cs_model_knobs_get_caption (CsModelKnobs *self)
{
  g_return_val_if_fail (CS_IS_MODEL_KNOBS (self), NULL);
  return self->caption;
}

const CsKnobs *
cs_model_knobs_get_knobs (CsModelKnobs *self)
{
  g_return_val_if_fail (CS_IS_MODEL_KNOBS (self), NULL);
  return self->knobs;
}

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
save (CsModelKnobs *self)
{
  g_autofree char *value = NULL;
  g_autofree char *before = NULL;

  if (self->settings == NULL)
    return;
  value = cs_knobs_to_string (self->knobs);
  {
    g_autoptr(GVariant) old = g_settings_get_value (self->settings, SETTINGS_KEY);

    g_variant_lookup (old, self->settings_id, "s", &before);
  }
  /* nothing set is nothing remembered */
  if (g_strcmp0 (before, value[0] != '\0' ? value : NULL) == 0)
    return;
  g_settings_set_value (self->settings, SETTINGS_KEY,
                        dictionary_with (self->settings, self->settings_id, value[0] != '\0' ? value : NULL));
}

void
cs_model_knobs_set_knobs (CsModelKnobs  *self,
                          const CsKnobs *knobs)
{
  g_autoptr(CsKnobs) copy = NULL;

  g_return_if_fail (CS_IS_MODEL_KNOBS (self));

  copy = knobs != NULL ? cs_knobs_copy (knobs) : cs_knobs_new ();
  /* a rounded temperature, as the popover shows it: 0.30000001 is 0.3 */
  if (!isnan (copy->temperature))
    copy->temperature = round (copy->temperature * 10) / 10;
  if (!self->supports_temperature)
    copy->temperature = NAN;
  /* verbosity is OpenAI's; several answers to one request Chat Completions' */
  if (self->dialect == CS_API_OLLAMA)
    g_clear_pointer (&copy->verbosity, g_free);
  if (self->dialect != CS_API_OPENAI_CHAT)
    copy->n = 0;
  if (cs_knobs_equal (copy, self->knobs))
    return;
  cs_knobs_free (self->knobs);
  self->knobs = g_steal_pointer (&copy);
  save (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

void
cs_model_knobs_remember (CsModelKnobs *self,
                         GSettings    *settings,
                         const char   *model_id)
{
  g_autoptr(GVariant) saved = NULL;
  g_autofree char *text = NULL;

  g_return_if_fail (CS_IS_MODEL_KNOBS (self));
  g_return_if_fail (G_IS_SETTINGS (settings));
  g_return_if_fail (model_id != NULL);

  g_set_object (&self->settings, settings);
  g_free (self->settings_id);
  self->settings_id = g_strdup (model_id);
  g_free (self->caption);
  self->caption = g_strconcat (self->defaults, " ",
                               _("What you set here is kept for the next runs until "
                                 "you choose Use the Defaults."), NULL);
  saved = g_settings_get_value (settings, SETTINGS_KEY);
  if (g_variant_lookup (saved, model_id, "s", &text))
    {
      g_autoptr(CsKnobs) knobs = knobs_from_string (text);

      cs_model_knobs_set_knobs (self, knobs);
    }
}

static void
cs_model_knobs_finalize (GObject *object)
{
  CsModelKnobs *self = CS_MODEL_KNOBS (object);

  g_clear_pointer (&self->knobs, cs_knobs_free);
  g_clear_object (&self->settings);
  g_free (self->settings_id);
  g_free (self->model_id);
  g_free (self->defaults);
  g_free (self->caption);

  G_OBJECT_CLASS (cs_model_knobs_parent_class)->finalize (object);
}

static void
cs_model_knobs_class_init (CsModelKnobsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cs_model_knobs_finalize;

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
cs_model_knobs_init (CsModelKnobs *self)
{
  self->knobs = cs_knobs_new ();
}
