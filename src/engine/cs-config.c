/* cs-config.c: providers and models, read from and written to a GKeyFile
 *
 * The object and its editing functions; reading the file is in
 * cs-config-load.c, writing it in cs-config-save.c, one value either way in
 * cs-config-keyfile.c, validation in cs-config-check.c, the presets in
 * cs-config-presets.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-config"

#include "config.h"

#include <math.h>
#include <string.h>

#include "cs-config-private.h"

G_DEFINE_FINAL_TYPE (CsConfig, cs_config, G_TYPE_OBJECT)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_QUARK (cs-config-error-quark, cs_config_error)

/* ---------------------------------------------------------------------- */
/* Structs */

CsProviderConfig *
cs_provider_config_new (const char   *id,
                        const char   *base_url,
                        CsApiDialect  api)
{
  CsProviderConfig *p = g_new0 (CsProviderConfig, 1);

  p->id = g_strdup (id);
  p->name = g_strdup (id);
  p->base_url = g_strdup (base_url);
  p->api = api;
  p->key_optional = base_url != NULL && cs_config_url_is_local (base_url);
  p->models = g_new0 (char *, 1);
  p->max_concurrent = DEFAULT_MAX_CONCURRENT;
  p->requests_per_minute = DEFAULT_REQUESTS_PER_MINUTE;
  p->connect_timeout_s = DEFAULT_CONNECT_TIMEOUT;
  p->first_byte_timeout_s = DEFAULT_FIRST_BYTE_TIMEOUT;
  p->idle_timeout_s = DEFAULT_IDLE_TIMEOUT;
  p->max_retries = DEFAULT_MAX_RETRIES;
  p->max_reply_bytes = DEFAULT_MAX_REPLY_BYTES;

  return p;
}

CsProviderConfig *
cs_provider_config_copy (const CsProviderConfig *p)
{
  CsProviderConfig *copy;

  g_return_val_if_fail (p != NULL, NULL);

  copy = g_memdup2 (p, sizeof *p);
  copy->id = g_strdup (p->id);
  copy->name = g_strdup (p->name);
  copy->base_url = g_strdup (p->base_url);
  copy->api_key_env = g_strdup (p->api_key_env);
  copy->models = p->models ? g_strdupv (p->models) : g_new0 (char *, 1);

  return copy;
}

void
cs_provider_config_free (CsProviderConfig *p)
{
  if (p == NULL)
    return;

  g_free (p->id);
  g_free (p->name);
  g_free (p->base_url);
  g_free (p->api_key_env);
  g_strfreev (p->models);
  g_free (p);
}

CsModelConfig *
cs_model_config_new (const char *provider,
                     const char *name)
{
  CsModelConfig *m = g_new0 (CsModelConfig, 1);

  m->provider = g_strdup (provider);
  m->name = g_strdup (name);
  m->id = g_strdup_printf ("%s/%s", provider ? provider : "", name ? name : "");
  m->max_n = DEFAULT_MAX_N;
  m->structured = CS_STRUCTURED_JSON_SCHEMA;
  m->temperature = NAN;
  m->supports_temperature = TRUE;
  m->price_input = NAN;
  m->price_output = NAN;

  return m;
}

CsModelConfig *
cs_model_config_copy (const CsModelConfig *m)
{
  CsModelConfig *copy;

  g_return_val_if_fail (m != NULL, NULL);

  copy = g_memdup2 (m, sizeof *m);
  copy->provider = g_strdup (m->provider);
  copy->name = g_strdup (m->name);
  if (m->provider != NULL && m->name != NULL)
    copy->id = g_strdup_printf ("%s/%s", m->provider, m->name);
  else
    copy->id = g_strdup (m->id);
  copy->reasoning_effort = g_strdup (m->reasoning_effort);
  copy->verbosity = g_strdup (m->verbosity);

  return copy;
}

void
cs_model_config_free (CsModelConfig *m)
{
  if (m == NULL)
    return;

  g_free (m->id);
  g_free (m->provider);
  g_free (m->name);
  g_free (m->reasoning_effort);
  g_free (m->verbosity);
  g_free (m);
}

gboolean
cs_model_config_has_price (const CsModelConfig *model)
{
  g_return_val_if_fail (model != NULL, FALSE);

  return !isnan (model->price_input) && !isnan (model->price_output);
}

double
cs_model_config_cost (const CsModelConfig *model,
                      gint64               input_tokens,
                      gint64               output_tokens)
{
  g_return_val_if_fail (model != NULL, 0.0);

  if (!cs_model_config_has_price (model))
    return 0.0;
  return ((double) MAX (input_tokens, 0) * model->price_input +
          (double) MAX (output_tokens, 0) * model->price_output) / 1e6;
}

const char *
cs_structured_output_to_string (CsStructuredOutput s)
{
  switch (s)
    {
    case CS_STRUCTURED_JSON_SCHEMA: return "json-schema";
    case CS_STRUCTURED_JSON_OBJECT: return "json-object";
    case CS_STRUCTURED_NONE: return "none";
    default: return NULL;
    }
}

gboolean
cs_structured_output_from_string (const char         *str,
                                  CsStructuredOutput *out)
{
  CsStructuredOutput s;

  if (g_strcmp0 (str, "json-schema") == 0)
    s = CS_STRUCTURED_JSON_SCHEMA;
  else if (g_strcmp0 (str, "json-object") == 0)
    s = CS_STRUCTURED_JSON_OBJECT;
  else if (g_strcmp0 (str, "none") == 0)
    s = CS_STRUCTURED_NONE;
  else
    return FALSE;

  if (out != NULL)
    *out = s;
  return TRUE;
}

/* ---------------------------------------------------------------------- */
/* The object */

static void
cs_config_finalize (GObject *object)
{
  CsConfig *self = (CsConfig *)object;

  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->keyfile, g_key_file_unref);
  g_clear_pointer (&self->providers, g_ptr_array_unref);
  g_clear_pointer (&self->models, g_hash_table_unref);
  g_clear_pointer (&self->warnings, g_strfreev);

  G_OBJECT_CLASS (cs_config_parent_class)->finalize (object);
}

static void
cs_config_class_init (CsConfigClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cs_config_finalize;

  /**
   * CsConfig::changed:
   *
   * Emitted after a provider or model was added, replaced or removed.
   */
  signals[CHANGED] =
    g_signal_new ("changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
cs_config_init (CsConfig *self)
{
  self->keyfile = g_key_file_new ();
  self->providers = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_provider_config_free);
  self->models = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                        (GDestroyNotify) cs_model_config_free);
  self->warnings = g_new0 (char *, 1);
}

const char * const *
cs_config_get_warnings (CsConfig *self)
{
  g_return_val_if_fail (CS_IS_CONFIG (self), NULL);

  return (const char * const *) self->warnings;
}

CsConfig *
cs_config_new (void)
{
  return g_object_new (CS_TYPE_CONFIG, NULL);
}

gboolean
_cs_config_strv_contains (char       **strv,
                          const char  *str)
{
  return strv != NULL && g_strv_contains ((const char * const *) strv, str);
}

void
_cs_config_insert_model (CsConfig      *self,
                         CsModelConfig *m)
{
  /* the key is the model's own id, so remove before replacing */
  g_hash_table_remove (self->models, m->id);
  g_hash_table_insert (self->models, m->id, m);
}

void
_cs_config_sync_models (CsConfig               *self,
                        const CsProviderConfig *p)
{
  GHashTableIter iter;
  CsModelConfig *m;

  g_hash_table_iter_init (&iter, self->models);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &m))
    {
      if (g_strcmp0 (m->provider, p->id) == 0 && !_cs_config_strv_contains (p->models, m->name))
        g_hash_table_iter_remove (&iter);
    }

  for (guint i = 0; p->models[i] != NULL; i++)
    {
      g_autofree char *id = g_strdup_printf ("%s/%s", p->id, p->models[i]);

      if (!g_hash_table_contains (self->models, id))
        _cs_config_insert_model (self, cs_model_config_new (p->id, p->models[i]));
    }
}

CsProviderConfig *
_cs_config_find_provider (CsConfig   *self,
                          const char *id,
                          guint      *index)
{
  for (guint i = 0; i < self->providers->len; i++)
    {
      CsProviderConfig *p = g_ptr_array_index (self->providers, i);

      if (g_strcmp0 (p->id, id) == 0)
        {
          if (index != NULL)
            *index = i;
          return p;
        }
    }

  return NULL;
}

void
_cs_config_add_model_name (CsProviderConfig *p,
                           const char       *name)
{
  guint len = g_strv_length (p->models);

  p->models = g_renew (char *, p->models, len + 2);
  p->models[len] = g_strdup (name);
  p->models[len + 1] = NULL;
}

char *
cs_config_get_default_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "consilium", "providers.ini", NULL);
}

const char *
cs_config_get_path (CsConfig *self)
{
  g_return_val_if_fail (CS_IS_CONFIG (self), NULL);

  return self->path;
}

GPtrArray *
cs_config_get_providers (CsConfig *self)
{
  g_return_val_if_fail (CS_IS_CONFIG (self), NULL);

  return self->providers;
}

const CsProviderConfig *
cs_config_find_provider (CsConfig   *self,
                         const char *id)
{
  g_return_val_if_fail (CS_IS_CONFIG (self), NULL);

  if (id == NULL)
    return NULL;

  return _cs_config_find_provider (self, id, NULL);
}

const CsModelConfig *
cs_config_find_model (CsConfig   *self,
                      const char *id)
{
  g_return_val_if_fail (CS_IS_CONFIG (self), NULL);

  if (id == NULL)
    return NULL;

  return g_hash_table_lookup (self->models, id);
}

GPtrArray *
cs_config_list_models (CsConfig *self)
{
  GPtrArray *ret;

  g_return_val_if_fail (CS_IS_CONFIG (self), NULL);

  ret = g_ptr_array_new ();

  for (guint i = 0; i < self->providers->len; i++)
    {
      const CsProviderConfig *p = g_ptr_array_index (self->providers, i);

      for (guint j = 0; p->models[j] != NULL; j++)
        {
          g_autofree char *id = g_strdup_printf ("%s/%s", p->id, p->models[j]);
          CsModelConfig *m = g_hash_table_lookup (self->models, id);

          g_assert (m != NULL);
          g_ptr_array_add (ret, m);
        }
    }

  return ret;
}

/* ---------------------------------------------------------------------- */
/* Editing */

static guint64
clamp_u64 (guint64 value,
           guint64 min,
           guint64 max)
{
  return CLAMP (value, min, max);
}

static double
clamp_price (double price)
{
  if (isnan (price))
    return NAN; /* unknown stays unknown */
  return isfinite (price) ? CLAMP (price, 0, MAX_PRICE) : 0;
}

/* Makes an edited provider one that saves into a loadable file: numbers in
 * range, an invalid api-key-env dropped, invalid or repeated model names
 * dropped. The app validates what people type; this is the safety net. */
static void
sanitize_provider (CsProviderConfig *p)
{
  GPtrArray *models = g_ptr_array_new ();

  if (p->name == NULL || *p->name == '\0' || !g_utf8_validate (p->name, -1, NULL))
    {
      g_free (p->name);
      p->name = g_strdup (p->id);
    }

  if (p->api_key_env != NULL && !_cs_config_is_valid_env_name (p->api_key_env))
    {
      g_debug ("provider %s: dropping invalid api-key-env", p->id);
      g_clear_pointer (&p->api_key_env, g_free);
    }

  if ((guint) p->api > CS_API_OLLAMA)
    p->api = CS_API_OPENAI_CHAT;

  for (guint i = 0; p->models[i] != NULL; i++)
    {
      char *m = p->models[i];

      if (!_cs_config_is_valid_model_name (m) ||
          g_ptr_array_find_with_equal_func (models, m, g_str_equal, NULL))
        {
          g_debug ("provider %s: dropping model name \"%s\"", p->id, m);
          g_free (m);
          continue;
        }
      g_ptr_array_add (models, m);
    }
  g_ptr_array_add (models, NULL);
  g_free (p->models);
  p->models = (char **) g_ptr_array_free (models, FALSE);

  p->max_concurrent = clamp_u64 (p->max_concurrent, RANGE_MAX_CONCURRENT);
  p->requests_per_minute = clamp_u64 (p->requests_per_minute, RANGE_REQUESTS_PER_MINUTE);
  p->connect_timeout_s = clamp_u64 (p->connect_timeout_s, RANGE_CONNECT_TIMEOUT);
  p->first_byte_timeout_s = clamp_u64 (p->first_byte_timeout_s, RANGE_FIRST_BYTE_TIMEOUT);
  p->idle_timeout_s = clamp_u64 (p->idle_timeout_s, RANGE_IDLE_TIMEOUT);
  p->max_retries = clamp_u64 (p->max_retries, RANGE_MAX_RETRIES);
  p->max_reply_bytes = clamp_u64 (p->max_reply_bytes, RANGE_MAX_REPLY_BYTES);
}

static void
sanitize_model (CsModelConfig *m)
{
  m->price_input = clamp_price (m->price_input);
  m->price_output = clamp_price (m->price_output);
  m->max_n = clamp_u64 (m->max_n, RANGE_MAX_N);
  m->max_output_tokens = clamp_u64 (m->max_output_tokens, RANGE_MAX_OUTPUT_TOKENS);
  if (!isnan (m->temperature))
    m->temperature = isfinite (m->temperature) ? CLAMP (m->temperature, 0, MAX_TEMPERATURE) : NAN;
  if ((guint) m->structured > CS_STRUCTURED_NONE)
    m->structured = CS_STRUCTURED_JSON_SCHEMA;
  if (m->reasoning_effort != NULL &&
      !_cs_config_is_reasoning_effort (m->reasoning_effort))
    {
      g_debug ("model %s: dropping reasoning-effort \"%s\"", m->id, m->reasoning_effort);
      g_clear_pointer (&m->reasoning_effort, g_free);
    }
  if (m->verbosity != NULL && !_cs_config_is_verbosity (m->verbosity))
    {
      g_debug ("model %s: dropping verbosity \"%s\"", m->id, m->verbosity);
      g_clear_pointer (&m->verbosity, g_free);
    }
}


void
cs_config_set_provider (CsConfig               *self,
                        const CsProviderConfig *provider)
{
  CsProviderConfig *copy;
  char *url;
  guint index;

  g_return_if_fail (CS_IS_CONFIG (self));
  g_return_if_fail (provider != NULL);
  g_return_if_fail (_cs_config_is_valid_provider_id (provider->id));
  g_return_if_fail (cs_config_check_base_url (provider->base_url, NULL));

  copy = cs_provider_config_copy (provider);
  if (copy->api_key_env != NULL && *copy->api_key_env == '\0')
    g_clear_pointer (&copy->api_key_env, g_free);
  sanitize_provider (copy);
  url = _cs_config_normalize_base_url (copy->base_url);
  g_free (copy->base_url);
  copy->base_url = url;

  if (_cs_config_find_provider (self, provider->id, &index) != NULL)
    {
      cs_provider_config_free (g_ptr_array_index (self->providers, index));
      g_ptr_array_index (self->providers, index) = copy;
    }
  else
    g_ptr_array_add (self->providers, copy);

  _cs_config_sync_models (self, copy);
  g_signal_emit (self, signals[CHANGED], 0);
}

void
cs_config_remove_provider (CsConfig   *self,
                           const char *id)
{
  GHashTableIter iter;
  CsModelConfig *m;
  guint index;

  g_return_if_fail (CS_IS_CONFIG (self));
  g_return_if_fail (id != NULL);

  if (_cs_config_find_provider (self, id, &index) == NULL)
    return;

  g_ptr_array_remove_index (self->providers, index);

  g_hash_table_iter_init (&iter, self->models);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &m))
    {
      if (g_strcmp0 (m->provider, id) == 0)
        g_hash_table_iter_remove (&iter);
    }

  g_signal_emit (self, signals[CHANGED], 0);
}

void
cs_config_set_model (CsConfig            *self,
                     const CsModelConfig *model)
{
  CsProviderConfig *p;
  CsModelConfig *copy;

  g_return_if_fail (CS_IS_CONFIG (self));
  g_return_if_fail (model != NULL);
  g_return_if_fail (model->provider != NULL);
  g_return_if_fail (_cs_config_is_valid_model_name (model->name));

  p = _cs_config_find_provider (self, model->provider, NULL);
  g_return_if_fail (p != NULL);

  copy = cs_model_config_copy (model);
  if (copy->reasoning_effort != NULL && *copy->reasoning_effort == '\0')
    g_clear_pointer (&copy->reasoning_effort, g_free);
  if (copy->verbosity != NULL && *copy->verbosity == '\0')
    g_clear_pointer (&copy->verbosity, g_free);
  sanitize_model (copy);

  if (!_cs_config_strv_contains (p->models, copy->name))
    _cs_config_add_model_name (p, copy->name);

  _cs_config_insert_model (self, copy);
  g_signal_emit (self, signals[CHANGED], 0);
}
