/* cs-config.h: providers and models, read from and written to a GKeyFile
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "cs-types.h"

G_BEGIN_DECLS

typedef enum {
  CS_STRUCTURED_JSON_SCHEMA,
  CS_STRUCTURED_JSON_OBJECT,
  CS_STRUCTURED_NONE,
} CsStructuredOutput;

typedef struct {
  char         *id;                   /* "kimi": [provider kimi] */
  char         *name;                 /* display name; defaults to id */
  char         *base_url;             /* no trailing slash */
  CsApiDialect  api;
  char         *api_key_env;          /* NULL: the key comes from the keyring (or none for local servers) */
  gboolean      key_optional;         /* TRUE for loopback/private hosts: requests go without a key if none is stored */
  gboolean      allow_insecure_key;   /* allow-insecure-key=: send the key over plain http to a host that is not
                                       * loopback (a LAN server); default FALSE. See cs_provider_config_key_in_clear () */
  char        **models;               /* model names without the provider prefix, NULL-terminated */
  guint         max_concurrent;       /* default 4 */
  guint         requests_per_minute;  /* default 60; 0 = unlimited */
  guint         connect_timeout_s;    /* connect-timeout, default 15 */
  guint         first_byte_timeout_s; /* first-byte-timeout, default 180 (reasoning models think long) */
  guint         idle_timeout_s;       /* idle-timeout (silence between chunks), default 60 */
  guint         max_retries;          /* max-retries, default 4 */
  guint64       max_reply_bytes;      /* max-reply-bytes, default 8 MiB */
  gboolean      demo;                 /* demo=: the app's own demo provider, which it starts itself
                                       * (again on the next start, on a free port if this one is
                                       * taken); default FALSE */
} CsProviderConfig;

typedef struct {
  char               *id;                   /* "kimi/kimi-k2-thinking" */
  char               *provider;             /* "kimi" */
  char               *name;                 /* "kimi-k2-thinking" */
  double              price_input;          /* USD per million tokens, NAN = unknown (no price-input=) */
  double              price_output;         /* likewise; see cs_model_config_has_price () */
  guint               max_n;                /* default 1 */
  CsStructuredOutput  structured;           /* structured-output=json-schema|json-object|none; default json-schema */
  double              temperature;          /* temperature=, NAN = provider default */
  gboolean            supports_temperature; /* supports-temperature=, default TRUE (GPT-5 reasoning models reject it) */
  char               *reasoning_effort;     /* reasoning-effort=minimal|low|medium|high, NULL = not sent */
  guint64             max_output_tokens;    /* max-output-tokens=, 0 = not sent */
  char               *verbosity;            /* verbosity=low|medium|high (GPT-5), NULL = not sent */
} CsModelConfig;

#define CS_TYPE_CONFIG (cs_config_get_type ())

G_DECLARE_FINAL_TYPE (CsConfig, cs_config, CS, CONFIG, GObject)

/* An empty configuration. */
CsConfig               *cs_config_new              (void);
CsConfig               *cs_config_new_from_file    (const char             *path,
                                                    GError                **error);
CsConfig               *cs_config_new_from_data    (const char             *data,
                                                    const char             *name_for_errors,
                                                    GError                **error);
/* $XDG_CONFIG_HOME/consilium/providers.ini */
char                   *cs_config_get_default_path (void);
/* NULL if not from a file */
const char             *cs_config_get_path         (CsConfig               *self);
/* What is wrong but ignored in the file it was read from, each naming the
 * file, the line and the group: unknown keys (with the key probably meant:
 * "providers.ini: line 5: [provider kimi]: unknown key max-concurent (did
 * you mean max-concurrent?); it is ignored"), unknown groups, a model
 * listed twice. NULL-terminated, empty if none; owned by the config. (A
 * group or key written twice is an error, not a warning.) */
const char * const     *cs_config_get_warnings     (CsConfig               *self);
/* of CsProviderConfig*, owned by the config */
GPtrArray              *cs_config_get_providers    (CsConfig               *self);
const CsProviderConfig *cs_config_find_provider    (CsConfig               *self,
                                                    const char             *id);
/* id is "provider/model" */
const CsModelConfig    *cs_config_find_model       (CsConfig               *self,
                                                    const char             *id);
/* of const CsModelConfig*, all models of all providers, config order; free
 * the array only */
GPtrArray              *cs_config_list_models      (CsConfig               *self);
/* The [synthesis] group's fallback-judge, when it names a configured
 * model; NULL otherwise. Free with g_free (). */
char                   *cs_config_dup_fallback_judge (CsConfig             *self);
/* Both prices are known (a price of 0 is known: free). */
gboolean                cs_model_config_has_price  (const CsModelConfig    *model);
/* USD for the tokens; 0 when the model has no price (check
 * cs_model_config_has_price () before calling that free). */
double                  cs_model_config_cost       (const CsModelConfig    *model,
                                                    gint64                  input_tokens,
                                                    gint64                  output_tokens);

/* Editing, for the app's preferences. The editing functions keep the
 * configuration saveable: numbers are clamped to their valid ranges, and
 * invalid model names or api-key-env values are dropped. */
/* add or replace (deep copy); the id must pass cs_config_check_provider_id
 * and the base URL cs_config_check_base_url */
void                    cs_config_set_provider     (CsConfig               *self,
                                                    const CsProviderConfig *provider);
/* also removes the provider's models */
void                    cs_config_remove_provider  (CsConfig               *self,
                                                    const char             *id);
/* add or replace (deep copy); the provider must exist; the model is added to
 * its models list when missing */
void                    cs_config_set_model        (CsConfig               *self,
                                                    const CsModelConfig    *model);
/* atomic; writes the same GKeyFile shape */
gboolean                cs_config_save             (CsConfig               *self,
                                                    const char             *path,
                                                    GError                **error);

/* of CsProviderConfig*: openai, kimi, openrouter, ollama, custom
 * (OpenAI-compatible on http://127.0.0.1:8080/v1). Free with
 * g_ptr_array_unref. */
GPtrArray              *cs_config_get_presets      (void);
/* of CsModelConfig*: the settings the preset's models need (e.g. GPT-5
 * rejects temperature, Kimi accepts n up to 5) and their list prices as
 * checked on cs_config_get_preset_prices_date (); empty for presets
 * without models. Free with g_ptr_array_unref. */
GPtrArray              *cs_config_get_preset_models (const char            *preset_id);
/* The day the presets' list prices were checked, "YYYY-MM-DD". */
const char             *cs_config_get_preset_prices_date (void);

/* A model's defaults (max-n 1, json-schema, temperature NAN, supports
 * temperature), for "provider/name". */
CsModelConfig          *cs_model_config_new        (const char             *provider,
                                                    const char             *name);
/* A provider's defaults, for a base URL (key-optional is derived from it). */
CsProviderConfig       *cs_provider_config_new     (const char             *id,
                                                    const char             *base_url,
                                                    CsApiDialect            api);

CsProviderConfig       *cs_provider_config_copy    (const CsProviderConfig *p);
void                    cs_provider_config_free    (CsProviderConfig       *p);
CsModelConfig          *cs_model_config_copy       (const CsModelConfig    *m);
void                    cs_model_config_free       (CsModelConfig          *m);

/* Validates a base URL: http:// only for loopback (127.0.0.0/8, ::1,
 * localhost) and private-network hosts (10/8, 172.16/12, 192.168/16,
 * *.local), otherwise https://; returns FALSE with a clear message. Plain
 * http to a private-network host carries no key unless the provider says
 * allow-insecure-key (cs_provider_config_may_send_key ()). */
gboolean                cs_config_check_base_url   (const char             *url,
                                                    GError                **error);
/* For validating what people type: FALSE with a message that says why. */
gboolean                cs_config_check_provider_id (const char          *id,
                                                     GError             **error);
gboolean                cs_config_check_model_name  (const char          *name,
                                                     GError             **error);
/* TRUE if the URL's host is loopback or on a private network. */
gboolean                cs_config_url_is_local     (const char             *url);
/* TRUE if the URL's host is this computer: an address in 127.0.0.0/8, ::1,
 * or the name localhost (not *.localhost, not *.local). */
gboolean                cs_config_url_is_loopback  (const char             *url);
/* Whether the provider's API key may go into a request: over https, over
 * plain http to loopback (for the name localhost the client also checks
 * that the connection's peer is loopback), or with allow-insecure-key. */
gboolean                cs_provider_config_may_send_key  (const CsProviderConfig *p);
/* TRUE when allow-insecure-key sends the key in clear over the network
 * (plain http to a host that is not loopback): the app shows a warning. */
gboolean                cs_provider_config_key_in_clear  (const CsProviderConfig *p);

const char             *cs_structured_output_to_string   (CsStructuredOutput  s);
gboolean                cs_structured_output_from_string (const char         *str,
                                                          CsStructuredOutput *out);

#define CS_CONFIG_ERROR (cs_config_error_quark ())

typedef enum {
  CS_CONFIG_ERROR_PARSE,
  CS_CONFIG_ERROR_INVALID,
  CS_CONFIG_ERROR_UNKNOWN_MODEL,
} CsConfigError;

GQuark                  cs_config_error_quark      (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsProviderConfig, cs_provider_config_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsModelConfig, cs_model_config_free)

G_END_DECLS
