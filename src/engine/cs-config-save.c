/* cs-config-save.c: providers and models back into their providers file,
 * keeping its comments, unknown groups and unknown keys
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-config"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "cs-config-private.h"

static void
write_provider (GKeyFile               *kf,
                const CsProviderConfig *p)
{
  g_autofree char *group = g_strconcat (PROVIDER_PREFIX, p->id, NULL);
  g_autofree char *models = g_strjoinv (";", p->models);

  _cs_config_write_key (kf, group, "name", CS_CONFIG_VALUE_STRING, p->name, p->id);
  _cs_config_write_key (kf, group, "base-url", CS_CONFIG_VALUE_URL, p->base_url, NULL);
  _cs_config_write_key (kf, group, "api", CS_CONFIG_VALUE_STRING,
                        cs_api_dialect_to_string (p->api), NULL);
  _cs_config_write_key (kf, group, "api-key-env", CS_CONFIG_VALUE_STRING, p->api_key_env, NULL);
  _cs_config_write_bool (kf, group, "key-optional", p->key_optional,
                         cs_config_url_is_local (p->base_url));
  _cs_config_write_bool (kf, group, "allow-insecure-key", p->allow_insecure_key, FALSE);
  _cs_config_write_key (kf, group, "models", CS_CONFIG_VALUE_LIST, models, "");
  _cs_config_write_uint (kf, group, "max-concurrent", p->max_concurrent,
                         DEFAULT_MAX_CONCURRENT);
  _cs_config_write_uint (kf, group, "requests-per-minute", p->requests_per_minute,
                         DEFAULT_REQUESTS_PER_MINUTE);
  _cs_config_write_uint (kf, group, "connect-timeout", p->connect_timeout_s,
                         DEFAULT_CONNECT_TIMEOUT);
  _cs_config_write_uint (kf, group, "first-byte-timeout", p->first_byte_timeout_s,
                         DEFAULT_FIRST_BYTE_TIMEOUT);
  _cs_config_write_uint (kf, group, "idle-timeout", p->idle_timeout_s,
                         DEFAULT_IDLE_TIMEOUT);
  _cs_config_write_uint (kf, group, "max-retries", p->max_retries,
                         DEFAULT_MAX_RETRIES);
  _cs_config_write_uint (kf, group, "max-reply-bytes", p->max_reply_bytes,
                         DEFAULT_MAX_REPLY_BYTES);
  _cs_config_write_bool (kf, group, "demo", p->demo, FALSE);
}

static gboolean
model_is_default (const CsModelConfig *m)
{
  return isnan (m->price_input) &&
         isnan (m->price_output) &&
         m->max_n == DEFAULT_MAX_N &&
         m->structured == CS_STRUCTURED_JSON_SCHEMA &&
         isnan (m->temperature) &&
         m->supports_temperature &&
         m->reasoning_effort == NULL &&
         m->max_output_tokens == 0 &&
         m->verbosity == NULL;
}

static void
write_model (GKeyFile            *kf,
             const CsModelConfig *m)
{
  g_autofree char *group = g_strconcat (MODEL_PREFIX, m->provider, "/", m->name, NULL);

  if (!g_key_file_has_group (kf, group) && model_is_default (m))
    return;

  /* NAN (unknown) removes the key; 0 (free) is written */
  _cs_config_write_double (kf, group, "price-input", m->price_input, NAN);
  _cs_config_write_double (kf, group, "price-output", m->price_output, NAN);
  _cs_config_write_uint (kf, group, "max-n", m->max_n, DEFAULT_MAX_N);
  _cs_config_write_key (kf, group, "structured-output", CS_CONFIG_VALUE_STRING,
                        cs_structured_output_to_string (m->structured), "json-schema");
  _cs_config_write_double (kf, group, "temperature", m->temperature, NAN);
  _cs_config_write_bool (kf, group, "supports-temperature", m->supports_temperature, TRUE);
  _cs_config_write_key (kf, group, "reasoning-effort", CS_CONFIG_VALUE_STRING,
                        m->reasoning_effort, NULL);
  _cs_config_write_uint (kf, group, "max-output-tokens", m->max_output_tokens, 0);
  _cs_config_write_key (kf, group, "verbosity", CS_CONFIG_VALUE_STRING, m->verbosity, NULL);

  /* a group that says nothing is just noise */
  {
    g_auto(GStrv) keys = g_key_file_get_keys (kf, group, NULL, NULL);
    g_autofree char *comment = g_key_file_get_comment (kf, group, NULL, NULL);

    if (keys != NULL && keys[0] == NULL && (comment == NULL || *comment == '\0'))
      g_key_file_remove_group (kf, group, NULL);
  }
}

/* Drops the groups of removed providers and models. */
static void
prune_groups (CsConfig *self,
              GKeyFile *kf)
{
  g_auto(GStrv) groups = g_key_file_get_groups (kf, NULL);

  for (guint i = 0; groups[i] != NULL; i++)
    {
      g_autofree char *canonical = NULL;
      gboolean keep = TRUE;

      if (g_str_has_prefix (groups[i], PROVIDER_PREFIX))
        {
          g_autofree char *id = g_strstrip (g_strdup (groups[i] + strlen (PROVIDER_PREFIX)));

          keep = _cs_config_find_provider (self, id, NULL) != NULL;
          canonical = g_strconcat (PROVIDER_PREFIX, id, NULL);
        }
      else if (g_str_has_prefix (groups[i], MODEL_PREFIX))
        {
          g_autofree char *id = g_strstrip (g_strdup (groups[i] + strlen (MODEL_PREFIX)));

          keep = g_hash_table_contains (self->models, id);
          canonical = g_strconcat (MODEL_PREFIX, id, NULL);
        }

      if (!keep || (canonical != NULL && !g_str_equal (canonical, groups[i])))
        g_key_file_remove_group (kf, groups[i], NULL);
    }
}

gboolean
cs_config_save (CsConfig    *self,
                const char  *path,
                GError     **error)
{
  g_autofree char *default_path = NULL;
  g_autofree char *start_group = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *data = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize len = 0;

  g_return_val_if_fail (CS_IS_CONFIG (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (path == NULL)
    path = self->path;
  if (path == NULL)
    path = default_path = cs_config_get_default_path ();

  start_group = g_key_file_get_start_group (self->keyfile);
  if (start_group == NULL)
    g_key_file_set_comment (self->keyfile, NULL, NULL,
                            " Consilium: LLM providers and their models.\n"
                            " API keys are not kept here: they live in the keyring,\n"
                            " or in the environment variable named by api-key-env.",
                            NULL);

  prune_groups (self, self->keyfile);

  for (guint i = 0; i < self->providers->len; i++)
    {
      const CsProviderConfig *p = g_ptr_array_index (self->providers, i);

      write_provider (self->keyfile, p);
      for (guint j = 0; p->models[j] != NULL; j++)
        {
          g_autofree char *id = g_strdup_printf ("%s/%s", p->id, p->models[j]);

          write_model (self->keyfile, g_hash_table_lookup (self->models, id));
        }
    }

  data = g_key_file_to_data (self->keyfile, &len, NULL);

  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("%s: cannot create the folder: %s"), dir, g_strerror (saved_errno));
      return FALSE;
    }

  if (!g_file_set_contents_full (path, data, len,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600,
                                 &local_error))
    {
      g_set_error (error, local_error->domain, local_error->code,
                   "%s: %s", path, local_error->message);
      return FALSE;
    }

  if (g_strcmp0 (self->path, path) != 0)
    {
      g_free (self->path);
      self->path = g_strdup (path);
    }

  return TRUE;
}
