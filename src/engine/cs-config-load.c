/* cs-config-load.c: a providers file into providers and models, with the
 * file, group, key and line in every error
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-config"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "cs-config-private.h"

static const char * const provider_keys[] = {
  "name", "base-url", "api", "api-key-env", "key-optional", "allow-insecure-key", "models",
  "max-concurrent", "requests-per-minute", "connect-timeout",
  "first-byte-timeout", "idle-timeout", "max-retries", "max-reply-bytes", "demo",
  NULL
};

static const char * const model_keys[] = {
  "price-input", "price-output", "max-n", "structured-output", "temperature",
  "supports-temperature", "reasoning-effort", "max-output-tokens", "verbosity",
  NULL
};

/* ---------------------------------------------------------------------- */
/* Providers */

/* The id after "provider": present and valid. */
static gboolean
check_provider_id (CsConfigReader  *r,
                   const char      *id,
                   GError         **error)
{
  if (*id == '\0')
    {
      _cs_config_reader_error (r, NULL, error, _("the provider id after \"provider\" is missing"));
      return FALSE;
    }

  if (!_cs_config_is_valid_provider_id (id))
    {
      _cs_config_reader_error (r, NULL, error,
                               _("\"%s\" is not a valid provider id (use letters, digits, "
                               "\".\", \"_\" and \"-\", starting with a letter or digit)"), id);
      return FALSE;
    }

  return TRUE;
}

/* base-url: present and valid. Returns it without trailing slashes. */
static char *
read_base_url (CsConfigReader  *r,
               GError         **error)
{
  g_autofree char *base_url = NULL;
  g_autoptr(GError) url_error = NULL;

  if (!_cs_config_read_string (r, "base-url", &base_url, error))
    return NULL;
  if (base_url == NULL || *base_url == '\0')
    {
      _cs_config_reader_error (r, "base-url", error,
                               _("missing; every provider needs one, e.g. base-url=https://api.openai.com/v1"));
      return NULL;
    }
  if (!cs_config_check_base_url (base_url, &url_error))
    {
      _cs_config_reader_error (r, "base-url", error, "%s", url_error->message);
      return NULL;
    }

  return _cs_config_normalize_base_url (base_url);
}

/* api, name, api-key-env, key-optional and allow-insecure-key, each
 * optional. */
static gboolean
read_provider_settings (CsConfigReader    *r,
                        CsProviderConfig  *p,
                        GError           **error)
{
  g_autofree char *api = NULL;
  g_autofree char *name = NULL;
  g_autofree char *key_env = NULL;

  if (!_cs_config_read_string (r, "api", &api, error))
    return FALSE;
  if (api != NULL && *api != '\0' && !cs_api_dialect_from_string (api, &p->api))
    {
      _cs_config_reader_error (r, "api", error,
                               _("\"%s\" is not one of openai-chat, openai-responses, ollama"), api);
      return FALSE;
    }

  if (!_cs_config_read_string (r, "name", &name, error))
    return FALSE;
  if (name != NULL && *name != '\0')
    {
      g_free (p->name);
      p->name = g_steal_pointer (&name);
    }

  if (!_cs_config_read_string (r, "api-key-env", &key_env, error))
    return FALSE;
  if (key_env != NULL && *key_env != '\0')
    {
      if (!_cs_config_is_valid_env_name (key_env))
        {
          _cs_config_reader_error (r, "api-key-env", error,
                                   _("\"%s\" is not the name of an environment variable "
                                   "(letters, digits and \"_\", e.g. MOONSHOT_API_KEY)"), key_env);
          return FALSE;
        }
      p->api_key_env = g_steal_pointer (&key_env);
    }

  return _cs_config_read_bool (r, "key-optional", &p->key_optional, error) &&
         _cs_config_read_bool (r, "allow-insecure-key", &p->allow_insecure_key, error);
}

/* models: a ';' list of valid names; a name listed twice counts once. */
static gboolean
read_model_list (CsConfigReader    *r,
                 CsProviderConfig  *p,
                 GError           **error)
{
  g_autofree char *models = NULL;
  g_autoptr(GPtrArray) model_list = NULL;

  if (!_cs_config_read_string (r, "models", &models, error))
    return FALSE;
  model_list = g_ptr_array_new_with_free_func (g_free);
  if (models != NULL)
    {
      g_auto(GStrv) parts = g_strsplit (models, ";", -1);

      for (guint i = 0; parts[i] != NULL; i++)
        {
          char *m = g_strstrip (parts[i]);

          if (*m == '\0')
            continue;
          if (!_cs_config_is_valid_model_name (m))
            {
              _cs_config_reader_error (r, "models", error,
                                       _("\"%s\" is not a valid model name (no spaces, "
                                       "quotes, \"#\", \"[\" or \"]\")"), m);
              return FALSE;
            }
          if (g_ptr_array_find_with_equal_func (model_list, m, g_str_equal, NULL))
            {
              _cs_config_warn (r, "models", _("model %s is listed twice"), m);
              continue;
            }
          g_ptr_array_add (model_list, g_strdup (m));
        }
    }
  g_ptr_array_add (model_list, NULL);
  g_strfreev (p->models);
  p->models = (char **) g_ptr_array_free (g_steal_pointer (&model_list), FALSE);

  return TRUE;
}

/* The queue's limits, the timeouts and demo=, each optional. */
static gboolean
read_provider_limits (CsConfigReader    *r,
                      CsProviderConfig  *p,
                      GError           **error)
{
  return _cs_config_read_guint (r, "max-concurrent", RANGE_MAX_CONCURRENT,
                                &p->max_concurrent, error) &&
         _cs_config_read_guint (r, "requests-per-minute", RANGE_REQUESTS_PER_MINUTE,
                                &p->requests_per_minute, error) &&
         _cs_config_read_guint (r, "connect-timeout", RANGE_CONNECT_TIMEOUT,
                                &p->connect_timeout_s, error) &&
         _cs_config_read_guint (r, "first-byte-timeout", RANGE_FIRST_BYTE_TIMEOUT,
                                &p->first_byte_timeout_s, error) &&
         _cs_config_read_guint (r, "idle-timeout", RANGE_IDLE_TIMEOUT,
                                &p->idle_timeout_s, error) &&
         _cs_config_read_guint (r, "max-retries", RANGE_MAX_RETRIES,
                                &p->max_retries, error) &&
         _cs_config_read_uint (r, "max-reply-bytes", RANGE_MAX_REPLY_BYTES,
                               &p->max_reply_bytes, error) &&
         _cs_config_read_bool (r, "demo", &p->demo, error);
}

static CsProviderConfig *
parse_provider (CsConfigReader  *r,
                const char      *id,
                GError         **error)
{
  g_autoptr(CsProviderConfig) p = NULL;
  char *base_url;

  if (!check_provider_id (r, id, error))
    return NULL;

  base_url = read_base_url (r, error);
  if (base_url == NULL)
    return NULL;

  p = cs_provider_config_new (id, NULL, CS_API_OPENAI_CHAT);
  p->base_url = base_url;
  p->key_optional = cs_config_url_is_local (p->base_url);

  if (!read_provider_settings (r, p, error) ||
      !read_model_list (r, p, error) ||
      !read_provider_limits (r, p, error))
    return NULL;

  _cs_config_warn_unknown_keys (r, provider_keys);

  return g_steal_pointer (&p);
}

/* ---------------------------------------------------------------------- */
/* Models */

static gboolean
parse_model (CsConfigReader  *r,
             CsModelConfig   *m,
             GError         **error)
{
  g_autofree char *structured = NULL;
  g_autofree char *effort = NULL;
  g_autofree char *verbosity = NULL;

  if (!_cs_config_read_double (r, "price-input", 0, MAX_PRICE, &m->price_input, error) ||
      !_cs_config_read_double (r, "price-output", 0, MAX_PRICE, &m->price_output, error) ||
      !_cs_config_read_guint (r, "max-n", RANGE_MAX_N, &m->max_n, error) ||
      !_cs_config_read_double (r, "temperature", 0, MAX_TEMPERATURE, &m->temperature, error) ||
      !_cs_config_read_bool (r, "supports-temperature", &m->supports_temperature, error) ||
      !_cs_config_read_uint (r, "max-output-tokens", RANGE_MAX_OUTPUT_TOKENS, &m->max_output_tokens, error))
    return FALSE;

  if (!_cs_config_read_string (r, "structured-output", &structured, error))
    return FALSE;
  if (structured != NULL && *structured != '\0' &&
      !cs_structured_output_from_string (structured, &m->structured))
    {
      _cs_config_reader_error (r, "structured-output", error,
                               _("\"%s\" is not one of json-schema, json-object, none"), structured);
      return FALSE;
    }

  if (!_cs_config_read_string (r, "reasoning-effort", &effort, error))
    return FALSE;
  if (effort != NULL && *effort != '\0')
    {
      if (!_cs_config_is_reasoning_effort (effort))
        {
          _cs_config_reader_error (r, "reasoning-effort", error,
                                   _("\"%s\" is not one of minimal, low, medium, high"), effort);
          return FALSE;
        }
      g_free (m->reasoning_effort);
      m->reasoning_effort = g_steal_pointer (&effort);
    }

  if (!_cs_config_read_string (r, "verbosity", &verbosity, error))
    return FALSE;
  if (verbosity != NULL && *verbosity != '\0')
    {
      if (!_cs_config_is_verbosity (verbosity))
        {
          _cs_config_reader_error (r, "verbosity", error,
                                   _("\"%s\" is not one of low, medium, high"), verbosity);
          return FALSE;
        }
      g_free (m->verbosity);
      m->verbosity = g_steal_pointer (&verbosity);
    }

  _cs_config_warn_unknown_keys (r, model_keys);

  return TRUE;
}

/* One [model PROVIDER/MODEL] group, once its provider is loaded. */
static gboolean
load_model (CsConfig        *self,
            CsConfigReader  *r,
            GError         **error)
{
  g_autofree char *id = NULL;
  g_autoptr(CsModelConfig) m = NULL;
  CsProviderConfig *p;
  char *slash;

  id = g_strstrip (g_strdup (r->group + strlen (MODEL_PREFIX)));
  slash = strchr (id, '/');
  if (slash == NULL || slash == id || slash[1] == '\0')
    {
      _cs_config_reader_error (r, NULL, error,
                               _("a model group is named [model PROVIDER/MODEL], e.g. "
                               "[model kimi/kimi-k2-thinking]"));
      return FALSE;
    }
  *slash = '\0';

  p = _cs_config_find_provider (self, id, NULL);
  if (p == NULL)
    {
      _cs_config_reader_error (r, NULL, error, _("there is no [provider %s]"), id);
      return FALSE;
    }

  if (!_cs_config_is_valid_model_name (slash + 1))
    {
      _cs_config_reader_error (r, NULL, error,
                               _("\"%s\" is not a valid model name (no spaces, quotes, "
                               "\"#\", \"[\" or \"]\")"), slash + 1);
      return FALSE;
    }

  m = cs_model_config_new (id, slash + 1);
  if (g_hash_table_contains (self->models, m->id))
    {
      _cs_config_reader_error (r, NULL, error, _("model %s is defined twice"), m->id);
      return FALSE;
    }

  if (!parse_model (r, m, error))
    return FALSE;

  if (!_cs_config_strv_contains (p->models, m->name))
    _cs_config_add_model_name (p, m->name);

  _cs_config_insert_model (self, g_steal_pointer (&m));
  return TRUE;
}

/* ---------------------------------------------------------------------- */
/* The file */

/* Every [provider ID] group, in file order. */
static gboolean
load_providers (CsConfig       *self,
                GKeyFile       *kf,
                const char     *name,
                CsConfigLines  *lines,
                GPtrArray      *warnings,
                GStrv           groups,
                GError        **error)
{
  for (guint i = 0; groups[i] != NULL; i++)
    {
      CsConfigReader r = { name, kf, groups[i], lines, warnings };
      g_autofree char *id = NULL;
      CsProviderConfig *p;

      if (!g_str_has_prefix (groups[i], PROVIDER_PREFIX))
        continue;

      id = g_strstrip (g_strdup (groups[i] + strlen (PROVIDER_PREFIX)));
      if (_cs_config_find_provider (self, id, NULL) != NULL)
        {
          _cs_config_reader_error (&r, NULL, error, _("provider %s is defined twice"), id);
          return FALSE;
        }

      p = parse_provider (&r, id, error);
      if (p == NULL)
        return FALSE;

      g_ptr_array_add (self->providers, p);
    }

  return TRUE;
}

static gboolean
load_keyfile (CsConfig       *self,
              GKeyFile       *kf,
              const char     *name,
              CsConfigLines  *lines,
              GError        **error)
{
  g_auto(GStrv) groups = g_key_file_get_groups (kf, NULL);
  g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);

  /* providers first: model groups may come before their provider */
  if (!load_providers (self, kf, name, lines, warnings, groups, error))
    return FALSE;

  for (guint i = 0; groups[i] != NULL; i++)
    {
      CsConfigReader r = { name, kf, groups[i], lines, warnings };

      if (g_str_has_prefix (groups[i], PROVIDER_PREFIX) || _cs_config_is_synthesis_group (groups[i]))
        continue;

      if (!g_str_has_prefix (groups[i], MODEL_PREFIX))
        {
          _cs_config_warn (&r, NULL, _("unknown group; it is ignored"));
          continue;
        }

      if (!load_model (self, &r, error))
        return FALSE;
    }

  for (guint i = 0; i < self->providers->len; i++)
    _cs_config_sync_models (self, g_ptr_array_index (self->providers, i));

  /* the models known: a fallback judge names one of them */
  for (guint i = 0; groups[i] != NULL; i++)
    {
      CsConfigReader r = { name, kf, groups[i], lines, warnings };

      if (_cs_config_is_synthesis_group (groups[i]))
        _cs_config_check_synthesis (self, &r);
    }

  g_strfreev (self->warnings);
  g_ptr_array_add (warnings, NULL);
  self->warnings = (char **) g_ptr_array_free (g_steal_pointer (&warnings), FALSE);

  g_key_file_unref (self->keyfile);
  self->keyfile = g_key_file_ref (kf);

  return TRUE;
}

/* GKeyFile rejects "[provider kimi]   # comment": drop such comments from
 * group lines, as values allow them too. */
static char *
strip_group_comments (const char *data,
                      gsize       len,
                      gsize      *out_len)
{
  GString *out = g_string_sized_new (len);
  const char *end = data + len;
  const char *line = data;

  while (line < end)
    {
      const char *eol = memchr (line, '\n', end - line);
      const char *next = eol ? eol + 1 : end;
      const char *p = line;
      const char *close;

      if (eol == NULL)
        eol = end;

      while (p < eol && (*p == ' ' || *p == '\t'))
        p++;

      close = p < eol && *p == '[' ? memchr (p, ']', eol - p) : NULL;
      if (close != NULL)
        {
          const char *q = close + 1;

          while (q < eol && (*q == ' ' || *q == '\t'))
            q++;
          if (q < eol && *q == '#')
            {
              g_string_append_len (out, line, close + 1 - line);
              g_string_append_len (out, eol, next - eol);
              line = next;
              continue;
            }
        }

      g_string_append_len (out, line, next - line);
      line = next;
    }

  *out_len = out->len;
  return g_string_free (out, FALSE);
}

/* GKeyFile's parse errors quote the line but give no number. It parses
 * line by line and stops at the first bad one, so a prefix of whole lines
 * fails to load exactly when it holds that line: a bisection on prefixes
 * finds it with GKeyFile's own rules. Returns 0 if no prefix fails. */
static guint
find_bad_line (const char *data,
               gsize       len)
{
  g_autoptr(GArray) ends = g_array_new (FALSE, FALSE, sizeof (gsize));
  guint lo = 1;
  guint hi;

  /* ends[i]: the length of the prefix made of lines 1 to i + 1 */
  for (gsize i = 0; i < len; i++)
    if (data[i] == '\n')
      {
        gsize end = i + 1;

        g_array_append_val (ends, end);
      }
  if (len > 0 && data[len - 1] != '\n')
    g_array_append_val (ends, len);

  if (ends->len == 0)
    return 0;

  /* the smallest number of lines that fails to load: in [lo, hi] */
  hi = ends->len;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      g_autoptr(GKeyFile) kf = g_key_file_new ();

      if (g_key_file_load_from_data (kf, data, g_array_index (ends, gsize, mid - 1),
                                     G_KEY_FILE_NONE, NULL))
        lo = mid + 1;
      else
        hi = mid;
    }

  {
    g_autoptr(GKeyFile) kf = g_key_file_new ();

    if (g_key_file_load_from_data (kf, data, g_array_index (ends, gsize, lo - 1),
                                   G_KEY_FILE_NONE, NULL))
      return 0;
  }

  return lo;
}

static CsConfig *
new_from_bytes (const char  *data,
                gsize        len,
                const char  *name,
                GError     **error)
{
  g_autoptr(CsConfig) self = NULL;
  g_autoptr(GKeyFile) kf = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(CsConfigLines) lines = NULL;
  g_autofree char *cleaned = NULL;
  gsize cleaned_len = 0;
  const char *bad = NULL;

  if (memchr (data, '\0', len) != NULL)
    {
      g_set_error (error, CS_CONFIG_ERROR, CS_CONFIG_ERROR_PARSE,
                   _("%s: not a text file (it contains NUL bytes)"), name);
      return NULL;
    }

  if (!g_utf8_validate (data, len, &bad))
    {
      guint line = 1;

      for (const char *p = data; p < bad; p++)
        if (*p == '\n')
          line++;

      g_set_error (error, CS_CONFIG_ERROR, CS_CONFIG_ERROR_PARSE,
                   _("%s: line %u: not valid UTF-8 text"), name, line);
      return NULL;
    }

  cleaned = strip_group_comments (data, len, &cleaned_len);
  kf = g_key_file_new ();
  if (!g_key_file_load_from_data (kf, cleaned, cleaned_len, G_KEY_FILE_KEEP_COMMENTS, &local_error))
    {
      /* strip_group_comments() keeps every line break: the numbers match */
      guint line = find_bad_line (cleaned, cleaned_len);

      if (line > 0)
        g_set_error (error, CS_CONFIG_ERROR, CS_CONFIG_ERROR_PARSE,
                     _("%s: line %u: %s"), name, line, local_error->message);
      else
        g_set_error (error, CS_CONFIG_ERROR, CS_CONFIG_ERROR_PARSE,
                     "%s: %s", name, local_error->message);
      return NULL;
    }

  /* GKeyFile merges a group written twice, and the last of two equal keys
   * wins: refused, with both lines */
  lines = _cs_config_lines_scan (cleaned, cleaned_len, name, error);
  if (lines == NULL)
    return NULL;

  self = cs_config_new ();
  if (!load_keyfile (self, kf, name, lines, error))
    return NULL;

  return g_steal_pointer (&self);
}

CsConfig *
cs_config_new_from_data (const char  *data,
                         const char  *name_for_errors,
                         GError     **error)
{
  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return new_from_bytes (data, strlen (data),
                         name_for_errors ? name_for_errors : "configuration",
                         error);
}

CsConfig *
cs_config_new_from_file (const char  *path,
                         GError     **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;
  CsConfig *self;
  gsize len = 0;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_file_get_contents (path, &contents, &len, &local_error))
    {
      g_set_error (error, CS_CONFIG_ERROR, CS_CONFIG_ERROR_PARSE,
                   "%s: %s", path, local_error->message);
      return NULL;
    }

  self = new_from_bytes (contents, len, path, error);
  if (self != NULL)
    self->path = g_strdup (path);

  return self;
}
