/* cs-config-private.h: what the cs-config*.c files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cs-config.h"

G_BEGIN_DECLS

/* The file shape (the contract, see issue 2 section 3):
 *
 *   [provider ID]        base-url, api, api-key-env, models, max-concurrent,
 *                        requests-per-minute, name, connect-timeout,
 *                        first-byte-timeout, idle-timeout, max-retries,
 *                        max-reply-bytes, key-optional, allow-insecure-key
 *   [synthesis]          fallback-judge (cs-config-synthesis.c)
 *   [model PROVIDER/M]   price-input, price-output, max-n, structured-output,
 *                        temperature, supports-temperature, reasoning-effort,
 *                        max-output-tokens, verbosity
 *
 * Values may carry an inline comment (` # …`) and may be put in double
 * quotes to keep a `#` or leading spaces. Unknown groups and keys are kept
 * (and written back on save) but otherwise ignored, with a warning
 * (cs_config_get_warnings ()); a group or a key written twice is an error. */

#define PROVIDER_PREFIX "provider "
#define MODEL_PREFIX    "model "
#define SYNTHESIS_GROUP "synthesis"

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
  char      **warnings;    /* about the file as loaded, NULL-terminated */
};

/* cs-config.c: the object */
CsProviderConfig *_cs_config_find_provider          (CsConfig               *self,
                                                     const char             *id,
                                                     guint                  *index);
/* takes @m; replaces the model of the same id */
void              _cs_config_insert_model           (CsConfig               *self,
                                                     CsModelConfig          *m);
/* Gives every listed model a config (defaults if it has none) and drops
 * the configs of models no longer listed. */
void              _cs_config_sync_models            (CsConfig               *self,
                                                     const CsProviderConfig *p);
/* appends @name to the provider's models list */
void              _cs_config_add_model_name         (CsProviderConfig       *p,
                                                     const char             *name);
gboolean          _cs_config_strv_contains          (char                  **strv,
                                                     const char             *str);

/* cs-config-check.c: what a valid id, name, environment variable and
 * reasoning effort look like */
gboolean          _cs_config_is_valid_provider_id   (const char             *id);
/* A model name goes into a ';' list, a group name and a JSON request. */
gboolean          _cs_config_is_valid_model_name    (const char             *name);
gboolean          _cs_config_is_valid_env_name      (const char             *name);
gboolean          _cs_config_is_reasoning_effort    (const char             *effort);
/* low, medium, high */
gboolean          _cs_config_is_verbosity           (const char             *verbosity);
/* @url without its trailing slashes, newly allocated */
char             *_cs_config_normalize_base_url     (const char             *url);

/* cs-config-lines.c: where each group and key is in the file */
typedef struct _CsConfigLines CsConfigLines;

/* NULL, with an error naming the file and both lines, when a group or a
 * key of a group appears twice; @data is text GKeyFile has loaded. */
CsConfigLines    *_cs_config_lines_scan             (const char             *data,
                                                     gsize                   len,
                                                     const char             *name,
                                                     GError                **error);
void              _cs_config_lines_free             (CsConfigLines          *self);
/* The line of @key in @group (@key NULL: of the group's header), 0 if
 * unknown. */
guint             _cs_config_lines_get              (CsConfigLines          *self,
                                                     const char             *group,
                                                     const char             *key);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsConfigLines, _cs_config_lines_free)

/* cs-config-keyfile.c: one value of a group, read or written */
typedef struct {
  const char    *name;      /* for error messages: the file */
  GKeyFile      *keyfile;
  const char    *group;
  CsConfigLines *lines;     /* may be NULL */
  GPtrArray     *warnings;  /* of char*, or NULL: where warnings go */
} CsConfigReader;

void              _cs_config_reader_error           (CsConfigReader         *r,
                                                     const char             *key,
                                                     GError                **error,
                                                     const char             *format,
                                                     ...) G_GNUC_PRINTF (4, 5);
/* The value of a raw GKeyFile value (quotes and inline comments resolved);
 * NULL with *problem set when it is malformed. */
char             *_cs_config_parse_raw_value        (const char             *raw,
                                                     const char            **problem);
/* TRUE and *out set (NULL when the key is absent); FALSE on error. */
gboolean          _cs_config_read_string            (CsConfigReader         *r,
                                                     const char             *key,
                                                     char                  **out,
                                                     GError                **error);
/* The number readers and the bool reader leave *out alone when the key is
 * absent or empty. */
gboolean          _cs_config_read_uint              (CsConfigReader         *r,
                                                     const char             *key,
                                                     guint64                 min,
                                                     guint64                 max,
                                                     guint64                *out,
                                                     GError                **error);
gboolean          _cs_config_read_guint             (CsConfigReader         *r,
                                                     const char             *key,
                                                     guint                   min,
                                                     guint                   max,
                                                     guint                  *out,
                                                     GError                **error);
gboolean          _cs_config_read_double            (CsConfigReader         *r,
                                                     const char             *key,
                                                     double                  min,
                                                     double                  max,
                                                     double                 *out,
                                                     GError                **error);
gboolean          _cs_config_read_bool              (CsConfigReader         *r,
                                                     const char             *key,
                                                     gboolean               *out,
                                                     GError                **error);
/* cs-config-lines.c: "FILE: line N: [GROUP]: message" into r->warnings
 * (@key NULL: the group's line) */
void              _cs_config_warn                   (CsConfigReader         *r,
                                                     const char             *key,
                                                     const char             *format,
                                                     ...) G_GNUC_PRINTF (3, 4);
/* a warning for each key of the group not in @known, naming the known key
 * it was probably meant to be */
void              _cs_config_warn_unknown_keys      (CsConfigReader         *r,
                                                     const char * const     *known);

typedef enum {
  CS_CONFIG_VALUE_STRING,
  CS_CONFIG_VALUE_NUMBER,
  CS_CONFIG_VALUE_BOOL,
  CS_CONFIG_VALUE_LIST,
  CS_CONFIG_VALUE_URL,
} CsConfigValueType;

/* Sets group.key to value, keeping the line (and its comment) when it
 * already says the same; value NULL removes the key; a value equal to
 * default_value is not added when the key is absent. */
void              _cs_config_write_key              (GKeyFile               *kf,
                                                     const char             *group,
                                                     const char             *key,
                                                     CsConfigValueType       type,
                                                     const char             *value,
                                                     const char             *default_value);
void              _cs_config_write_uint             (GKeyFile               *kf,
                                                     const char             *group,
                                                     const char             *key,
                                                     guint64                 value,
                                                     guint64                 default_value);
/* a NAN value removes the key; a NAN default is never equal */
void              _cs_config_write_double           (GKeyFile               *kf,
                                                     const char             *group,
                                                     const char             *key,
                                                     double                  value,
                                                     double                  default_value);
void              _cs_config_write_bool             (GKeyFile               *kf,
                                                     const char             *group,
                                                     const char             *key,
                                                     gboolean                value,
                                                     gboolean                default_value);

/* cs-config-synthesis.c: the [synthesis] group */
gboolean          _cs_config_is_synthesis_group     (const char             *group);
void              _cs_config_check_synthesis        (CsConfig               *self,
                                                     CsConfigReader         *r);

G_END_DECLS
