/* cs-config.c: providers and models, read from and written to a GKeyFile
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

#include "cs-config.h"

/* The file shape (the contract, see issue 2 section 3):
 *
 *   [provider ID]        base-url, api, api-key-env, models, max-concurrent,
 *                        requests-per-minute, name, connect-timeout,
 *                        first-byte-timeout, idle-timeout, max-retries,
 *                        max-reply-bytes, key-optional
 *   [model PROVIDER/M]   price-input, price-output, max-n, structured-output,
 *                        temperature, supports-temperature, reasoning-effort,
 *                        max-output-tokens
 *
 * Values may carry an inline comment (` # …`) and may be put in double
 * quotes to keep a `#` or leading spaces. Unknown groups and keys are kept
 * (and written back on save) but otherwise ignored. */

#define PROVIDER_PREFIX "provider "
#define MODEL_PREFIX    "model "

#define DEFAULT_MAX_CONCURRENT       4
#define DEFAULT_REQUESTS_PER_MINUTE  60
#define DEFAULT_CONNECT_TIMEOUT      15
#define DEFAULT_FIRST_BYTE_TIMEOUT   180
#define DEFAULT_IDLE_TIMEOUT         60
#define DEFAULT_MAX_RETRIES          4
#define DEFAULT_MAX_REPLY_BYTES      (G_GUINT64_CONSTANT (8) * 1024 * 1024)
#define DEFAULT_MAX_N                1

#define MAX_PRICE       1000000.0
#define MAX_TEMPERATURE 2.0

/* Valid ranges, shared by the reader and by the editing functions (which
 * clamp, so that whatever the app sets saves into a file that loads). */
#define RANGE_MAX_CONCURRENT      1, 256
#define RANGE_REQUESTS_PER_MINUTE 0, 1000000
#define RANGE_CONNECT_TIMEOUT     1, 600
#define RANGE_FIRST_BYTE_TIMEOUT  1, 7200
#define RANGE_IDLE_TIMEOUT        1, 3600
#define RANGE_MAX_RETRIES         0, 20
#define RANGE_MAX_REPLY_BYTES     1024, (G_GUINT64_CONSTANT (1) << 32)
#define RANGE_MAX_N               1, 128
#define RANGE_MAX_OUTPUT_TOKENS   0, 100000000

struct _CsConfig
{
  GObject     parent_instance;

  char       *path;
  /* The file as loaded (or an empty one): saving updates it in place, so
   * comments, unknown groups and unknown keys survive an edit. */
  GKeyFile   *keyfile;
  GPtrArray  *providers;   /* of CsProviderConfig*, config order */
  GHashTable *models;      /* "provider/model" → CsModelConfig* (owned) */
};

G_DEFINE_FINAL_TYPE (CsConfig, cs_config, G_TYPE_OBJECT)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char * const provider_keys[] = {
  "name", "base-url", "api", "api-key-env", "key-optional", "models",
  "max-concurrent", "requests-per-minute", "connect-timeout",
  "first-byte-timeout", "idle-timeout", "max-retries", "max-reply-bytes",
  NULL
};

static const char * const model_keys[] = {
  "price-input", "price-output", "max-n", "structured-output", "temperature",
  "supports-temperature", "reasoning-effort", "max-output-tokens",
  NULL
};

static const char * const reasoning_efforts[] = {
  "minimal", "low", "medium", "high", NULL
};

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
  g_free (m);
}

double
cs_model_config_cost (const CsModelConfig *model,
                      gint64               input_tokens,
                      gint64               output_tokens)
{
  g_return_val_if_fail (model != NULL, 0.0);

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
/* URLs */

static gboolean
inet_address_is_local (GInetAddress *addr)
{
  if (g_inet_address_get_is_loopback (addr) ||
      g_inet_address_get_is_site_local (addr) ||
      g_inet_address_get_is_link_local (addr))
    return TRUE;

  /* IPv6 unique local addresses, fc00::/7 */
  if (g_inet_address_get_family (addr) == G_SOCKET_FAMILY_IPV6)
    {
      const guint8 *bytes = g_inet_address_to_bytes (addr);

      if ((bytes[0] & 0xfe) == 0xfc)
        return TRUE;
    }

  return FALSE;
}

static gboolean
host_is_local (const char *host)
{
  g_autoptr(GInetAddress) addr = NULL;
  g_autofree char *lower = NULL;

  if (host == NULL || *host == '\0')
    return FALSE;

  addr = g_inet_address_new_from_string (host);
  if (addr != NULL)
    return inet_address_is_local (addr);

  lower = g_ascii_strdown (host, -1);
  /* a fully qualified name may end with a dot */
  if (g_str_has_suffix (lower, "."))
    lower[strlen (lower) - 1] = '\0';

  return g_str_equal (lower, "localhost") ||
         g_str_has_suffix (lower, ".localhost") ||
         g_str_has_suffix (lower, ".local");
}

/* GUri lets spaces and control characters through. */
static gboolean
is_valid_url_text (const char *url)
{
  for (; *url != '\0'; url++)
    {
      if ((guchar) *url <= 0x20 || *url == 0x7f)
        return FALSE;
    }

  return TRUE;
}

/* A host name, an IPv4 address or an IPv6 literal (empty is checked later). */
static gboolean
is_valid_host (const char *host)
{
  g_autoptr(GInetAddress) addr = NULL;

  if (host == NULL || *host == '\0')
    return TRUE;

  addr = g_inet_address_new_from_string (host);
  if (addr != NULL)
    return TRUE;

  for (const char *p = host; *p != '\0'; p++)
    {
      if ((guchar) *p < 0x80 && !g_ascii_isalnum (*p) && *p != '-' && *p != '.' && *p != '_')
        return FALSE;
    }

  return TRUE;
}

gboolean
cs_config_url_is_local (const char *url)
{
  g_autoptr(GUri) uri = NULL;

  g_return_val_if_fail (url != NULL, FALSE);

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL)
    return FALSE;

  return host_is_local (g_uri_get_host (uri));
}

gboolean
cs_config_check_base_url (const char  *url,
                          GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;
  const char *host;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (url == NULL || *url == '\0')
    {
      g_set_error_literal (error, CS_CONFIG_ERROR, CS_CONFIG_ERROR_INVALID,
                           _("the base URL is empty"));
      return FALSE;
    }

  if (!g_utf8_validate (url, -1, NULL))
    {
      g_set_error_literal (error, CS_CONFIG_ERROR, CS_CONFIG_ERROR_INVALID,
                           _("the base URL is not valid UTF-8 text"));
      return FALSE;
    }

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || !is_valid_url_text (url) || !is_valid_host (g_uri_get_host (uri)))
    {
      g_set_error (error, CS_CONFIG_ERROR, CS_CONFIG_ERROR_INVALID,
                   _("\"%s\" is not a URL (expected e.g. https://api.example.com/v1)"),
                   url);
      return FALSE;
    }

  scheme = g_uri_get_scheme (uri);
  host = g_uri_get_host (uri);

  if (g_ascii_strcasecmp (scheme, "https") != 0 &&
      g_ascii_strcasecmp (scheme, "http") != 0)
    {
      g_set_error (error, CS_CONFIG_ERROR, CS_CONFIG_ERROR_INVALID,
                   _("\"%s\" must start with https:// (or http:// for a server on "
                   "this computer or the local network)"), url);
      return FALSE;
    }

  if (host == NULL || *host == '\0')
    {
      g_set_error (error, CS_CONFIG_ERROR, CS_CONFIG_ERROR_INVALID,
                   _("\"%s\" has no host name"), url);
      return FALSE;
    }

  if (g_uri_get_userinfo (uri) != NULL)
    {
      /* Do not repeat the URL: it may hold a password. */
      g_set_error (error, CS_CONFIG_ERROR, CS_CONFIG_ERROR_INVALID,
                   _("the base URL for %s must not contain a user name or "
                   "password; store the API key in the keyring instead"), host);
      return FALSE;
    }

  if (g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL)
    {
      g_set_error (error, CS_CONFIG_ERROR, CS_CONFIG_ERROR_INVALID,
                   _("\"%s\" must not contain a query (?…) or fragment (#…)"), url);
      return FALSE;
    }

  if (g_ascii_strcasecmp (scheme, "http") == 0 && !host_is_local (host))
    {
      g_set_error (error, CS_CONFIG_ERROR, CS_CONFIG_ERROR_INVALID,
                   _("\"%s\" uses plain http:// for %s, which is not on this "
                   "computer or a private network; use https:// (http:// is "
                   "only allowed for loopback and private-network hosts)"),
                   url, host);
      return FALSE;
    }

  return TRUE;
}

static char *
normalize_base_url (const char *url)
{
  char *copy = g_strdup (url);
  gsize len = strlen (copy);

  while (len > 0 && copy[len - 1] == '/')
    copy[--len] = '\0';

  return copy;
}

/* ---------------------------------------------------------------------- */
/* Reading values */

typedef struct {
  const char *name;    /* for error messages: the file */
  GKeyFile   *keyfile;
  const char *group;
} Reader;

G_GNUC_PRINTF (4, 5)
static void
reader_error (Reader      *r,
              const char  *key,
              GError     **error,
              const char  *format,
              ...)
{
  g_autofree char *msg = NULL;
  va_list args;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);

  if (key != NULL)
    g_set_error (error, CS_CONFIG_ERROR, CS_CONFIG_ERROR_INVALID,
                 "%s: [%s]: %s: %s", r->name, r->group, key, msg);
  else
    g_set_error (error, CS_CONFIG_ERROR, CS_CONFIG_ERROR_INVALID,
                 "%s: [%s]: %s", r->name, r->group, msg);
}

/* Turns a raw GKeyFile value into the value: an unquoted value ends at the
 * first `#` that starts the value or follows white space (an inline comment),
 * and loses trailing white space; a value in double quotes keeps everything
 * between them (\" and \\ are escapes). Returns NULL with *problem set when
 * a quote is not closed or text follows it. */
static char *
parse_raw_value (const char  *raw,
                 const char **problem)
{
  const char *p = raw;

  *problem = NULL;

  while (*p == ' ' || *p == '\t')
    p++;

  if (*p == '"')
    {
      GString *out = g_string_new (NULL);

      for (p++; *p != '\0' && *p != '"'; p++)
        {
          if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
            p++;
          g_string_append_c (out, *p);
        }

      if (*p != '"')
        {
          *problem = _("the closing quote (\") is missing");
          g_string_free (out, TRUE);
          return NULL;
        }

      for (p++; *p == ' ' || *p == '\t'; p++)
        ;
      if (*p != '\0' && *p != '#')
        {
          *problem = _("there is text after the closing quote");
          g_string_free (out, TRUE);
          return NULL;
        }

      return g_string_free (out, FALSE);
    }
  else
    {
      const char *start = p;
      const char *end;

      for (end = p; *end != '\0'; end++)
        {
          if (*end == '#' && (end == start || end[-1] == ' ' || end[-1] == '\t'))
            break;
        }

      while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
        end--;

      return g_strndup (start, end - start);
    }
}

/* Returns TRUE and sets *out (NULL when the key is absent); FALSE on error. */
static gboolean
read_string (Reader      *r,
             const char  *key,
             char       **out,
             GError     **error)
{
  g_autofree char *raw = NULL;
  const char *problem = NULL;
  char *value;

  *out = NULL;

  raw = g_key_file_get_value (r->keyfile, r->group, key, NULL);
  if (raw == NULL)
    return TRUE;

  value = parse_raw_value (raw, &problem);
  if (value == NULL)
    {
      reader_error (r, key, error, "%s", problem);
      return FALSE;
    }

  *out = value;
  return TRUE;
}

/* Absent or empty keys leave *out alone. */
static gboolean
read_uint (Reader      *r,
           const char  *key,
           guint64      min,
           guint64      max,
           guint64     *out,
           GError     **error)
{
  g_autofree char *value = NULL;
  g_autoptr(GError) local_error = NULL;
  guint64 n;

  if (!read_string (r, key, &value, error))
    return FALSE;
  if (value == NULL || *value == '\0')
    return TRUE;

  if (value[0] == '-')
    {
      reader_error (r, key, error, _("\"%s\" must not be negative"), value);
      return FALSE;
    }

  if (!g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT64, &n, &local_error))
    {
      reader_error (r, key, error, _("\"%s\" is not a whole number"), value);
      return FALSE;
    }

  if (n < min || n > max)
    {
      g_autofree char *smin = g_strdup_printf ("%" G_GUINT64_FORMAT, min);
      g_autofree char *smax = g_strdup_printf ("%" G_GUINT64_FORMAT, max);

      reader_error (r, key, error, _("%s is out of range (%s to %s)"), value, smin, smax);
      return FALSE;
    }

  *out = n;
  return TRUE;
}

static gboolean
read_guint (Reader      *r,
            const char  *key,
            guint        min,
            guint        max,
            guint       *out,
            GError     **error)
{
  guint64 n = *out;

  if (!read_uint (r, key, min, max, &n, error))
    return FALSE;

  *out = (guint) n;
  return TRUE;
}

static gboolean
read_double (Reader      *r,
             const char  *key,
             double       min,
             double       max,
             double      *out,
             GError     **error)
{
  g_autofree char *value = NULL;
  char *end = NULL;
  double d;

  if (!read_string (r, key, &value, error))
    return FALSE;
  if (value == NULL || *value == '\0')
    return TRUE;

  errno = 0;
  d = g_ascii_strtod (value, &end);
  if (end == value || *end != '\0' || errno != 0 || !isfinite (d))
    {
      reader_error (r, key, error, _("\"%s\" is not a number"), value);
      return FALSE;
    }

  if (d < 0)
    {
      reader_error (r, key, error, _("\"%s\" must not be negative"), value);
      return FALSE;
    }

  if (d < min || d > max)
    {
      g_autofree char *smin = g_strdup_printf ("%g", min);
      g_autofree char *smax = g_strdup_printf ("%g", max);

      reader_error (r, key, error, _("%s is out of range (%s to %s)"), value, smin, smax);
      return FALSE;
    }

  *out = d;
  return TRUE;
}

static gboolean
read_bool (Reader      *r,
           const char  *key,
           gboolean    *out,
           GError     **error)
{
  g_autofree char *value = NULL;

  if (!read_string (r, key, &value, error))
    return FALSE;
  if (value == NULL || *value == '\0')
    return TRUE;

  if (g_ascii_strcasecmp (value, "true") == 0 ||
      g_ascii_strcasecmp (value, "yes") == 0 ||
      g_str_equal (value, "1"))
    *out = TRUE;
  else if (g_ascii_strcasecmp (value, "false") == 0 ||
           g_ascii_strcasecmp (value, "no") == 0 ||
           g_str_equal (value, "0"))
    *out = FALSE;
  else
    {
      reader_error (r, key, error, _("\"%s\" is not true or false"), value);
      return FALSE;
    }

  return TRUE;
}

static gboolean
is_valid_provider_id (const char *id)
{
  if (id == NULL || !g_ascii_isalnum (*id))
    return FALSE;

  for (; *id != '\0'; id++)
    {
      if (!g_ascii_isalnum (*id) && *id != '-' && *id != '_' && *id != '.')
        return FALSE;
    }

  return TRUE;
}

/* A model name goes into a ';' list, a group name and a JSON request. */
static gboolean
is_valid_model_name (const char *name)
{
  if (name == NULL || *name == '\0' || strlen (name) > 256)
    return FALSE;
  if (!g_utf8_validate (name, -1, NULL))
    return FALSE;

  for (; *name != '\0'; name++)
    {
      if ((guchar) *name <= 0x20 || *name == 0x7f || *name == ';' ||
          *name == '[' || *name == ']' || *name == '#' || *name == '"')
        return FALSE;
    }

  return TRUE;
}

static gboolean
is_valid_env_name (const char *name)
{
  if (name == NULL || !(g_ascii_isalpha (*name) || *name == '_'))
    return FALSE;

  for (; *name != '\0'; name++)
    {
      if (!g_ascii_isalnum (*name) && *name != '_')
        return FALSE;
    }

  return TRUE;
}

static gboolean
strv_contains_str (char       **strv,
                   const char  *str)
{
  return strv != NULL && g_strv_contains ((const char * const *) strv, str);
}

static void
debug_unknown_keys (Reader             *r,
                    const char * const *known)
{
  g_auto(GStrv) keys = g_key_file_get_keys (r->keyfile, r->group, NULL, NULL);

  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      if (!g_strv_contains (known, keys[i]))
        g_debug ("%s: [%s]: ignoring unknown key %s", r->name, r->group, keys[i]);
    }
}

static CsProviderConfig *
parse_provider (Reader      *r,
                const char  *id,
                GError     **error)
{
  g_autoptr(CsProviderConfig) p = NULL;
  g_autofree char *name = NULL;
  g_autofree char *base_url = NULL;
  g_autofree char *api = NULL;
  g_autofree char *key_env = NULL;
  g_autofree char *models = NULL;
  g_autoptr(GError) url_error = NULL;
  g_autoptr(GPtrArray) model_list = NULL;

  if (*id == '\0')
    {
      reader_error (r, NULL, error, _("the provider id after \"provider\" is missing"));
      return NULL;
    }

  if (!is_valid_provider_id (id))
    {
      reader_error (r, NULL, error,
                    _("\"%s\" is not a valid provider id (use letters, digits, "
                    "\".\", \"_\" and \"-\", starting with a letter or digit)"), id);
      return NULL;
    }

  if (!read_string (r, "base-url", &base_url, error))
    return NULL;
  if (base_url == NULL || *base_url == '\0')
    {
      reader_error (r, "base-url", error,
                    _("missing; every provider needs one, e.g. base-url=https://api.openai.com/v1"));
      return NULL;
    }
  if (!cs_config_check_base_url (base_url, &url_error))
    {
      reader_error (r, "base-url", error, "%s", url_error->message);
      return NULL;
    }

  p = cs_provider_config_new (id, NULL, CS_API_OPENAI_CHAT);
  p->base_url = normalize_base_url (base_url);
  p->key_optional = cs_config_url_is_local (p->base_url);

  if (!read_string (r, "api", &api, error))
    return NULL;
  if (api != NULL && *api != '\0' && !cs_api_dialect_from_string (api, &p->api))
    {
      reader_error (r, "api", error,
                    _("\"%s\" is not one of openai-chat, openai-responses, ollama"), api);
      return NULL;
    }

  if (!read_string (r, "name", &name, error))
    return NULL;
  if (name != NULL && *name != '\0')
    {
      g_free (p->name);
      p->name = g_steal_pointer (&name);
    }

  if (!read_string (r, "api-key-env", &key_env, error))
    return NULL;
  if (key_env != NULL && *key_env != '\0')
    {
      if (!is_valid_env_name (key_env))
        {
          reader_error (r, "api-key-env", error,
                        _("\"%s\" is not the name of an environment variable "
                        "(letters, digits and \"_\", e.g. MOONSHOT_API_KEY)"), key_env);
          return NULL;
        }
      p->api_key_env = g_steal_pointer (&key_env);
    }

  if (!read_bool (r, "key-optional", &p->key_optional, error))
    return NULL;

  if (!read_string (r, "models", &models, error))
    return NULL;
  model_list = g_ptr_array_new_with_free_func (g_free);
  if (models != NULL)
    {
      g_auto(GStrv) parts = g_strsplit (models, ";", -1);

      for (guint i = 0; parts[i] != NULL; i++)
        {
          char *m = g_strstrip (parts[i]);

          if (*m == '\0')
            continue;
          if (!is_valid_model_name (m))
            {
              reader_error (r, "models", error,
                            _("\"%s\" is not a valid model name (no spaces, "
                            "quotes, \"#\", \"[\" or \"]\")"), m);
              return NULL;
            }
          if (g_ptr_array_find_with_equal_func (model_list, m, g_str_equal, NULL))
            {
              g_debug ("%s: [%s]: model %s listed twice", r->name, r->group, m);
              continue;
            }
          g_ptr_array_add (model_list, g_strdup (m));
        }
    }
  g_ptr_array_add (model_list, NULL);
  g_strfreev (p->models);
  p->models = (char **) g_ptr_array_free (g_steal_pointer (&model_list), FALSE);

  if (!read_guint (r, "max-concurrent", RANGE_MAX_CONCURRENT, &p->max_concurrent, error) ||
      !read_guint (r, "requests-per-minute", RANGE_REQUESTS_PER_MINUTE, &p->requests_per_minute, error) ||
      !read_guint (r, "connect-timeout", RANGE_CONNECT_TIMEOUT, &p->connect_timeout_s, error) ||
      !read_guint (r, "first-byte-timeout", RANGE_FIRST_BYTE_TIMEOUT, &p->first_byte_timeout_s, error) ||
      !read_guint (r, "idle-timeout", RANGE_IDLE_TIMEOUT, &p->idle_timeout_s, error) ||
      !read_guint (r, "max-retries", RANGE_MAX_RETRIES, &p->max_retries, error) ||
      !read_uint (r, "max-reply-bytes", RANGE_MAX_REPLY_BYTES, &p->max_reply_bytes, error))
    return NULL;

  debug_unknown_keys (r, provider_keys);

  return g_steal_pointer (&p);
}

static gboolean
parse_model (Reader         *r,
             CsModelConfig  *m,
             GError        **error)
{
  g_autofree char *structured = NULL;
  g_autofree char *effort = NULL;

  if (!read_double (r, "price-input", 0, MAX_PRICE, &m->price_input, error) ||
      !read_double (r, "price-output", 0, MAX_PRICE, &m->price_output, error) ||
      !read_guint (r, "max-n", RANGE_MAX_N, &m->max_n, error) ||
      !read_double (r, "temperature", 0, MAX_TEMPERATURE, &m->temperature, error) ||
      !read_bool (r, "supports-temperature", &m->supports_temperature, error) ||
      !read_uint (r, "max-output-tokens", RANGE_MAX_OUTPUT_TOKENS, &m->max_output_tokens, error))
    return FALSE;

  if (!read_string (r, "structured-output", &structured, error))
    return FALSE;
  if (structured != NULL && *structured != '\0' &&
      !cs_structured_output_from_string (structured, &m->structured))
    {
      reader_error (r, "structured-output", error,
                    _("\"%s\" is not one of json-schema, json-object, none"), structured);
      return FALSE;
    }

  if (!read_string (r, "reasoning-effort", &effort, error))
    return FALSE;
  if (effort != NULL && *effort != '\0')
    {
      if (!g_strv_contains (reasoning_efforts, effort))
        {
          reader_error (r, "reasoning-effort", error,
                        _("\"%s\" is not one of minimal, low, medium, high"), effort);
          return FALSE;
        }
      g_free (m->reasoning_effort);
      m->reasoning_effort = g_steal_pointer (&effort);
    }

  debug_unknown_keys (r, model_keys);

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
}

CsConfig *
cs_config_new (void)
{
  return g_object_new (CS_TYPE_CONFIG, NULL);
}

static void
insert_model (CsConfig      *self,
              CsModelConfig *m)
{
  /* the key is the model's own id, so remove before replacing */
  g_hash_table_remove (self->models, m->id);
  g_hash_table_insert (self->models, m->id, m);
}

/* Gives every listed model a config (defaults if it has none) and drops
 * the configs of models no longer listed. */
static void
sync_models (CsConfig               *self,
             const CsProviderConfig *p)
{
  GHashTableIter iter;
  CsModelConfig *m;

  g_hash_table_iter_init (&iter, self->models);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &m))
    {
      if (g_strcmp0 (m->provider, p->id) == 0 && !strv_contains_str (p->models, m->name))
        g_hash_table_iter_remove (&iter);
    }

  for (guint i = 0; p->models[i] != NULL; i++)
    {
      g_autofree char *id = g_strdup_printf ("%s/%s", p->id, p->models[i]);

      if (!g_hash_table_contains (self->models, id))
        insert_model (self, cs_model_config_new (p->id, p->models[i]));
    }
}

static CsProviderConfig *
find_provider (CsConfig   *self,
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

static void
provider_add_model_name (CsProviderConfig *p,
                         const char       *name)
{
  guint len = g_strv_length (p->models);

  p->models = g_renew (char *, p->models, len + 2);
  p->models[len] = g_strdup (name);
  p->models[len + 1] = NULL;
}

static gboolean
load_keyfile (CsConfig    *self,
              GKeyFile    *kf,
              const char  *name,
              GError     **error)
{
  g_auto(GStrv) groups = g_key_file_get_groups (kf, NULL);

  /* providers first: model groups may come before their provider */
  for (guint i = 0; groups[i] != NULL; i++)
    {
      Reader r = { name, kf, groups[i] };
      g_autofree char *id = NULL;
      CsProviderConfig *p;

      if (!g_str_has_prefix (groups[i], PROVIDER_PREFIX))
        continue;

      id = g_strstrip (g_strdup (groups[i] + strlen (PROVIDER_PREFIX)));
      if (find_provider (self, id, NULL) != NULL)
        {
          reader_error (&r, NULL, error, _("provider %s is defined twice"), id);
          return FALSE;
        }

      p = parse_provider (&r, id, error);
      if (p == NULL)
        return FALSE;

      g_ptr_array_add (self->providers, p);
    }

  for (guint i = 0; groups[i] != NULL; i++)
    {
      Reader r = { name, kf, groups[i] };
      g_autofree char *id = NULL;
      g_autoptr(CsModelConfig) m = NULL;
      CsProviderConfig *p;
      char *slash;

      if (g_str_has_prefix (groups[i], PROVIDER_PREFIX))
        continue;

      if (!g_str_has_prefix (groups[i], MODEL_PREFIX))
        {
          g_debug ("%s: ignoring unknown group [%s]", name, groups[i]);
          continue;
        }

      id = g_strstrip (g_strdup (groups[i] + strlen (MODEL_PREFIX)));
      slash = strchr (id, '/');
      if (slash == NULL || slash == id || slash[1] == '\0')
        {
          reader_error (&r, NULL, error,
                        _("a model group is named [model PROVIDER/MODEL], e.g. "
                        "[model kimi/kimi-k2-thinking]"));
          return FALSE;
        }
      *slash = '\0';

      p = find_provider (self, id, NULL);
      if (p == NULL)
        {
          reader_error (&r, NULL, error, _("there is no [provider %s]"), id);
          return FALSE;
        }

      if (!is_valid_model_name (slash + 1))
        {
          reader_error (&r, NULL, error,
                        _("\"%s\" is not a valid model name (no spaces, quotes, "
                        "\"#\", \"[\" or \"]\")"), slash + 1);
          return FALSE;
        }

      m = cs_model_config_new (id, slash + 1);
      if (g_hash_table_contains (self->models, m->id))
        {
          reader_error (&r, NULL, error, _("model %s is defined twice"), m->id);
          return FALSE;
        }

      if (!parse_model (&r, m, error))
        return FALSE;

      if (!strv_contains_str (p->models, m->name))
        provider_add_model_name (p, m->name);

      insert_model (self, g_steal_pointer (&m));
    }

  for (guint i = 0; i < self->providers->len; i++)
    sync_models (self, g_ptr_array_index (self->providers, i));

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

  self = cs_config_new ();
  if (!load_keyfile (self, kf, name, error))
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

  return find_provider (self, id, NULL);
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

  if (p->api_key_env != NULL && !is_valid_env_name (p->api_key_env))
    {
      g_debug ("provider %s: dropping invalid api-key-env", p->id);
      g_clear_pointer (&p->api_key_env, g_free);
    }

  if ((guint) p->api > CS_API_OLLAMA)
    p->api = CS_API_OPENAI_CHAT;

  for (guint i = 0; p->models[i] != NULL; i++)
    {
      char *m = p->models[i];

      if (!is_valid_model_name (m) ||
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
      !g_strv_contains (reasoning_efforts, m->reasoning_effort))
    {
      g_debug ("model %s: dropping reasoning-effort \"%s\"", m->id, m->reasoning_effort);
      g_clear_pointer (&m->reasoning_effort, g_free);
    }
}

gboolean
cs_config_check_provider_id (const char  *id,
                             GError     **error)
{
  if (id == NULL || *id == '\0')
    {
      g_set_error_literal (error, CS_CONFIG_ERROR, CS_CONFIG_ERROR_INVALID,
                           _("the provider id is empty"));
      return FALSE;
    }

  if (!is_valid_provider_id (id))
    {
      g_set_error (error, CS_CONFIG_ERROR, CS_CONFIG_ERROR_INVALID,
                   _("\"%s\" is not a valid provider id (use letters, digits, "
                     "\".\", \"_\" and \"-\", starting with a letter or digit)"), id);
      return FALSE;
    }

  return TRUE;
}

gboolean
cs_config_check_model_name (const char  *name,
                            GError     **error)
{
  if (!is_valid_model_name (name))
    {
      g_set_error (error, CS_CONFIG_ERROR, CS_CONFIG_ERROR_INVALID,
                   _("\"%s\" is not a valid model name (no spaces, quotes, "
                     "\"#\", \"[\" or \"]\")"), name ? name : "");
      return FALSE;
    }

  return TRUE;
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
  g_return_if_fail (is_valid_provider_id (provider->id));
  g_return_if_fail (cs_config_check_base_url (provider->base_url, NULL));

  copy = cs_provider_config_copy (provider);
  if (copy->api_key_env != NULL && *copy->api_key_env == '\0')
    g_clear_pointer (&copy->api_key_env, g_free);
  sanitize_provider (copy);
  url = normalize_base_url (copy->base_url);
  g_free (copy->base_url);
  copy->base_url = url;

  if (find_provider (self, provider->id, &index) != NULL)
    {
      cs_provider_config_free (g_ptr_array_index (self->providers, index));
      g_ptr_array_index (self->providers, index) = copy;
    }
  else
    g_ptr_array_add (self->providers, copy);

  sync_models (self, copy);
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

  if (find_provider (self, id, &index) == NULL)
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
  g_return_if_fail (is_valid_model_name (model->name));

  p = find_provider (self, model->provider, NULL);
  g_return_if_fail (p != NULL);

  copy = cs_model_config_copy (model);
  if (copy->reasoning_effort != NULL && *copy->reasoning_effort == '\0')
    g_clear_pointer (&copy->reasoning_effort, g_free);
  sanitize_model (copy);

  if (!strv_contains_str (p->models, copy->name))
    provider_add_model_name (p, copy->name);

  insert_model (self, copy);
  g_signal_emit (self, signals[CHANGED], 0);
}

/* ---------------------------------------------------------------------- */
/* Writing */

typedef enum {
  VALUE_STRING,
  VALUE_NUMBER,
  VALUE_BOOL,
  VALUE_LIST,
  VALUE_URL,
} ValueType;

static gboolean
values_equal (ValueType   type,
              const char *a,
              const char *b)
{
  switch (type)
    {
    case VALUE_NUMBER:
      {
        char *end_a = NULL;
        char *end_b = NULL;
        double da = g_ascii_strtod (a, &end_a);
        double db = g_ascii_strtod (b, &end_b);

        return *a != '\0' && *b != '\0' && *end_a == '\0' && *end_b == '\0' && da == db;
      }

    case VALUE_BOOL:
      {
        gboolean ta = g_ascii_strcasecmp (a, "true") == 0 || g_ascii_strcasecmp (a, "yes") == 0 || g_str_equal (a, "1");
        gboolean tb = g_ascii_strcasecmp (b, "true") == 0 || g_ascii_strcasecmp (b, "yes") == 0 || g_str_equal (b, "1");

        return ta == tb;
      }

    case VALUE_LIST:
      {
        g_auto(GStrv) la = g_strsplit (a, ";", -1);
        g_auto(GStrv) lb = g_strsplit (b, ";", -1);
        guint i = 0, j = 0;

        for (;;)
          {
            while (la[i] != NULL && *g_strstrip (la[i]) == '\0')
              i++;
            while (lb[j] != NULL && *g_strstrip (lb[j]) == '\0')
              j++;
            if (la[i] == NULL || lb[j] == NULL)
              return la[i] == NULL && lb[j] == NULL;
            if (!g_str_equal (la[i], lb[j]))
              return FALSE;
            i++;
            j++;
          }
      }

    case VALUE_URL:
      {
        g_autofree char *na = normalize_base_url (a);
        g_autofree char *nb = normalize_base_url (b);

        return g_str_equal (na, nb);
      }

    case VALUE_STRING:
    default:
      return g_str_equal (a, b);
    }
}

/* Quotes a value when reading it back unquoted would change it. */
static char *
format_value (const char *value)
{
  GString *out;
  gboolean needs_quotes;
  gsize len = strlen (value);

  needs_quotes = strchr (value, '#') != NULL ||
                 value[0] == '"' ||
                 (len > 0 && (g_ascii_isspace (value[0]) || g_ascii_isspace (value[len - 1])));

  out = g_string_new (NULL);
  if (needs_quotes)
    g_string_append_c (out, '"');
  for (const char *p = value; *p != '\0'; p++)
    {
      if ((guchar) *p < 0x20)
        g_string_append_c (out, ' ');
      else if (needs_quotes && (*p == '"' || *p == '\\'))
        {
          g_string_append_c (out, '\\');
          g_string_append_c (out, *p);
        }
      else
        g_string_append_c (out, *p);
    }
  if (needs_quotes)
    g_string_append_c (out, '"');

  return g_string_free (out, FALSE);
}

/* Sets group.key to value, keeping the line (and its comment) when it
 * already says the same; value NULL removes the key; a value equal to
 * default_value is not added when the key is absent. */
static void
write_key (GKeyFile   *kf,
           const char *group,
           const char *key,
           ValueType   type,
           const char *value,
           const char *default_value)
{
  g_autofree char *raw = g_key_file_get_value (kf, group, key, NULL);
  g_autofree char *formatted = NULL;

  if (value == NULL)
    {
      if (raw != NULL)
        g_key_file_remove_key (kf, group, key, NULL);
      return;
    }

  if (raw != NULL)
    {
      const char *problem = NULL;
      g_autofree char *old = parse_raw_value (raw, &problem);

      if (old != NULL && values_equal (type, old, value))
        return;
    }
  else if (default_value != NULL && values_equal (type, value, default_value))
    return;

  formatted = format_value (value);
  g_key_file_set_value (kf, group, key, formatted);
}

static void
write_uint (GKeyFile   *kf,
            const char *group,
            const char *key,
            guint64     value,
            guint64     default_value)
{
  char buf[32];
  char def[32];

  g_snprintf (buf, sizeof buf, "%" G_GUINT64_FORMAT, value);
  g_snprintf (def, sizeof def, "%" G_GUINT64_FORMAT, default_value);
  write_key (kf, group, key, VALUE_NUMBER, buf, def);
}

static void
write_double (GKeyFile   *kf,
              const char *group,
              const char *key,
              double      value,
              double      default_value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  char def[G_ASCII_DTOSTR_BUF_SIZE];

  if (isnan (value))
    {
      write_key (kf, group, key, VALUE_NUMBER, NULL, NULL);
      return;
    }

  g_ascii_dtostr (buf, sizeof buf, value);
  g_ascii_dtostr (def, sizeof def, default_value);
  write_key (kf, group, key, VALUE_NUMBER, buf, isnan (default_value) ? NULL : def);
}

static void
write_bool (GKeyFile   *kf,
            const char *group,
            const char *key,
            gboolean    value,
            gboolean    default_value)
{
  write_key (kf, group, key, VALUE_BOOL,
             value ? "true" : "false", default_value ? "true" : "false");
}

static void
write_provider (GKeyFile               *kf,
                const CsProviderConfig *p)
{
  g_autofree char *group = g_strconcat (PROVIDER_PREFIX, p->id, NULL);
  g_autofree char *models = g_strjoinv (";", p->models);

  write_key (kf, group, "name", VALUE_STRING, p->name, p->id);
  write_key (kf, group, "base-url", VALUE_URL, p->base_url, NULL);
  write_key (kf, group, "api", VALUE_STRING, cs_api_dialect_to_string (p->api), NULL);
  write_key (kf, group, "api-key-env", VALUE_STRING, p->api_key_env, NULL);
  write_bool (kf, group, "key-optional", p->key_optional,
              cs_config_url_is_local (p->base_url));
  write_key (kf, group, "models", VALUE_LIST, models, "");
  write_uint (kf, group, "max-concurrent", p->max_concurrent, DEFAULT_MAX_CONCURRENT);
  write_uint (kf, group, "requests-per-minute", p->requests_per_minute, DEFAULT_REQUESTS_PER_MINUTE);
  write_uint (kf, group, "connect-timeout", p->connect_timeout_s, DEFAULT_CONNECT_TIMEOUT);
  write_uint (kf, group, "first-byte-timeout", p->first_byte_timeout_s, DEFAULT_FIRST_BYTE_TIMEOUT);
  write_uint (kf, group, "idle-timeout", p->idle_timeout_s, DEFAULT_IDLE_TIMEOUT);
  write_uint (kf, group, "max-retries", p->max_retries, DEFAULT_MAX_RETRIES);
  write_uint (kf, group, "max-reply-bytes", p->max_reply_bytes, DEFAULT_MAX_REPLY_BYTES);
}

static gboolean
model_is_default (const CsModelConfig *m)
{
  return m->price_input == 0 &&
         m->price_output == 0 &&
         m->max_n == DEFAULT_MAX_N &&
         m->structured == CS_STRUCTURED_JSON_SCHEMA &&
         isnan (m->temperature) &&
         m->supports_temperature &&
         m->reasoning_effort == NULL &&
         m->max_output_tokens == 0;
}

static void
write_model (GKeyFile            *kf,
             const CsModelConfig *m)
{
  g_autofree char *group = g_strconcat (MODEL_PREFIX, m->provider, "/", m->name, NULL);

  if (!g_key_file_has_group (kf, group) && model_is_default (m))
    return;

  write_double (kf, group, "price-input", m->price_input, 0);
  write_double (kf, group, "price-output", m->price_output, 0);
  write_uint (kf, group, "max-n", m->max_n, DEFAULT_MAX_N);
  write_key (kf, group, "structured-output", VALUE_STRING,
             cs_structured_output_to_string (m->structured), "json-schema");
  write_double (kf, group, "temperature", m->temperature, NAN);
  write_bool (kf, group, "supports-temperature", m->supports_temperature, TRUE);
  write_key (kf, group, "reasoning-effort", VALUE_STRING, m->reasoning_effort, NULL);
  write_uint (kf, group, "max-output-tokens", m->max_output_tokens, 0);

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

          keep = find_provider (self, id, NULL) != NULL;
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

/* ---------------------------------------------------------------------- */
/* Presets */

static CsProviderConfig *
preset (const char   *id,
        const char   *name,
        const char   *base_url,
        CsApiDialect  api,
        const char   *key_env,
        const char   *models)
{
  CsProviderConfig *p = cs_provider_config_new (id, base_url, api);

  g_free (p->name);
  p->name = g_strdup (name);
  p->api_key_env = g_strdup (key_env);
  g_strfreev (p->models);
  p->models = g_strsplit (models, ";", -1);
  if (p->models[0] != NULL && *p->models[0] == '\0')
    {
      g_strfreev (p->models);
      p->models = g_new0 (char *, 1);
    }

  return p;
}

GPtrArray *
cs_config_get_presets (void)
{
  GPtrArray *presets = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_provider_config_free);

  g_ptr_array_add (presets, preset ("openai", "OpenAI", "https://api.openai.com/v1",
                                    CS_API_OPENAI_CHAT, "OPENAI_API_KEY",
                                    "gpt-5;gpt-5-mini"));
  g_ptr_array_add (presets, preset ("kimi", "Kimi (Moonshot AI)", "https://api.moonshot.ai/v1",
                                    CS_API_OPENAI_CHAT, "MOONSHOT_API_KEY",
                                    "kimi-k2-thinking;kimi-k2-0905-preview"));
  g_ptr_array_add (presets, preset ("openrouter", "OpenRouter", "https://openrouter.ai/api/v1",
                                    CS_API_OPENAI_CHAT, "OPENROUTER_API_KEY", ""));
  g_ptr_array_add (presets, preset ("ollama", "Ollama", "http://127.0.0.1:11434",
                                    CS_API_OLLAMA, NULL, ""));
  g_ptr_array_add (presets, preset ("custom", _("OpenAI-compatible server"), "http://127.0.0.1:8080/v1",
                                    CS_API_OPENAI_CHAT, NULL, ""));

  return presets;
}

GPtrArray *
cs_config_get_preset_models (const char *preset_id)
{
  GPtrArray *models = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_model_config_free);
  CsModelConfig *m;

  g_return_val_if_fail (preset_id != NULL, models);

  /* What the models accept, not what they cost: prices change and belong
   * in the person's configuration. */
  if (g_str_equal (preset_id, "openai"))
    {
      m = cs_model_config_new ("openai", "gpt-5");
      m->max_n = 1;
      m->supports_temperature = FALSE;
      g_ptr_array_add (models, m);

      m = cs_model_config_new ("openai", "gpt-5-mini");
      m->max_n = 1;
      m->supports_temperature = FALSE;
      g_ptr_array_add (models, m);
    }
  else if (g_str_equal (preset_id, "kimi"))
    {
      m = cs_model_config_new ("kimi", "kimi-k2-thinking");
      m->max_n = 5;
      g_ptr_array_add (models, m);

      m = cs_model_config_new ("kimi", "kimi-k2-0905-preview");
      m->max_n = 5;
      g_ptr_array_add (models, m);
    }

  return models;
}
