/* test-config.c: providers.ini parsing, validation, editing and saving
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-config"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include "cs-config.h"

static char *
data_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "data", "config", name, NULL);
}

static CsConfig *
load_ok (const char *text)
{
  g_autoptr(GError) error = NULL;
  CsConfig *config = cs_config_new_from_data (text, "providers.ini", &error);

  g_assert_no_error (error);
  g_assert_nonnull (config);
  return config;
}

static void
assert_load_error (const char *text,
                   int         code,
                   const char *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsConfig) config = cs_config_new_from_data (text, "providers.ini", &error);

  g_assert_null (config);
  g_assert_error (error, CS_CONFIG_ERROR, code);
  g_assert_cmpstr (error->message, ==, message);
}

static void
test_issue_example (void)
{
  g_autofree char *path = data_path ("issue-example.ini");
  g_autoptr(GError) error = NULL;
  g_autoptr(CsConfig) config = cs_config_new_from_file (path, &error);
  g_autoptr(GPtrArray) models = NULL;
  const CsProviderConfig *p;
  const CsModelConfig *m;

  g_assert_no_error (error);
  g_assert_cmpstr (cs_config_get_path (config), ==, path);
  g_assert_cmpuint (cs_config_get_providers (config)->len, ==, 1);

  p = cs_config_find_provider (config, "kimi");
  g_assert_nonnull (p);
  g_assert_cmpstr (p->id, ==, "kimi");
  g_assert_cmpstr (p->name, ==, "kimi");
  g_assert_cmpstr (p->base_url, ==, "https://api.moonshot.ai/v1");
  g_assert_cmpint (p->api, ==, CS_API_OPENAI_CHAT);
  g_assert_cmpstr (p->api_key_env, ==, "MOONSHOT_API_KEY");
  g_assert_false (p->key_optional);
  g_assert_cmpuint (g_strv_length (p->models), ==, 2);
  g_assert_cmpstr (p->models[0], ==, "kimi-k2-thinking");
  g_assert_cmpstr (p->models[1], ==, "kimi-k2-0905-preview");
  g_assert_cmpuint (p->max_concurrent, ==, 4);
  g_assert_cmpuint (p->requests_per_minute, ==, 60);

  m = cs_config_find_model (config, "kimi/kimi-k2-thinking");
  g_assert_nonnull (m);
  g_assert_cmpstr (m->id, ==, "kimi/kimi-k2-thinking");
  g_assert_cmpstr (m->provider, ==, "kimi");
  g_assert_cmpstr (m->name, ==, "kimi-k2-thinking");
  g_assert_cmpfloat_with_epsilon (m->price_input, 0.60, 1e-12);
  g_assert_cmpfloat_with_epsilon (m->price_output, 2.50, 1e-12);
  g_assert_cmpuint (m->max_n, ==, 5);
  g_assert_cmpint (m->structured, ==, CS_STRUCTURED_JSON_SCHEMA);

  /* listed without a group: defaults */
  m = cs_config_find_model (config, "kimi/kimi-k2-0905-preview");
  g_assert_nonnull (m);
  g_assert_true (isnan (m->price_input)); /* no price: unknown, not free */
  g_assert_cmpuint (m->max_n, ==, 1);

  g_assert_null (cs_config_find_model (config, "kimi/nope"));
  g_assert_null (cs_config_find_model (config, "nope/kimi-k2-thinking"));
  g_assert_null (cs_config_find_provider (config, "openai"));

  models = cs_config_list_models (config);
  g_assert_cmpuint (models->len, ==, 2);
  g_assert_cmpstr (((CsModelConfig *) models->pdata[0])->id, ==, "kimi/kimi-k2-thinking");
  g_assert_cmpstr (((CsModelConfig *) models->pdata[1])->id, ==, "kimi/kimi-k2-0905-preview");
}

static void
test_defaults (void)
{
  g_autoptr(CsConfig) config = load_ok ("[provider p]\n"
                                        "base-url=https://llm.example.com/v1\n"
                                        "models=m\n"
                                        "[provider local]\n"
                                        "base-url=http://127.0.0.1:8080/v1\n");
  const CsProviderConfig *p = cs_config_find_provider (config, "p");
  const CsProviderConfig *local = cs_config_find_provider (config, "local");
  const CsModelConfig *m = cs_config_find_model (config, "p/m");

  g_assert_nonnull (p);
  g_assert_cmpstr (p->name, ==, "p");
  g_assert_cmpint (p->api, ==, CS_API_OPENAI_CHAT);
  g_assert_null (p->api_key_env);
  g_assert_false (p->key_optional);
  g_assert_cmpuint (p->max_concurrent, ==, 4);
  g_assert_cmpuint (p->requests_per_minute, ==, 60);
  g_assert_cmpuint (p->connect_timeout_s, ==, 15);
  g_assert_cmpuint (p->first_byte_timeout_s, ==, 180);
  g_assert_cmpuint (p->idle_timeout_s, ==, 60);
  g_assert_cmpuint (p->max_retries, ==, 4);
  g_assert_cmpuint (p->max_reply_bytes, ==, 8 * 1024 * 1024);

  g_assert_nonnull (local);
  g_assert_true (local->key_optional);
  g_assert_cmpuint (g_strv_length (local->models), ==, 0);

  g_assert_nonnull (m);
  g_assert_true (isnan (m->price_input));
  g_assert_true (isnan (m->price_output));
  g_assert_false (cs_model_config_has_price (m));
  g_assert_cmpuint (m->max_n, ==, 1);
  g_assert_cmpint (m->structured, ==, CS_STRUCTURED_JSON_SCHEMA);
  g_assert_true (isnan (m->temperature));
  g_assert_true (m->supports_temperature);
  g_assert_null (m->reasoning_effort);
  g_assert_cmpuint (m->max_output_tokens, ==, 0);
}

static void
test_full (void)
{
  g_autofree char *path = data_path ("full.ini");
  g_autoptr(GError) error = NULL;
  g_autoptr(CsConfig) config = cs_config_new_from_file (path, &error);
  g_autoptr(GPtrArray) models = NULL;
  const CsProviderConfig *p;
  const CsModelConfig *m;
  const char * const expected[] = {
    "openai/gpt-5", "openai/gpt-5-mini", "local/qwen3:32b", "local/llama3.1:8b",
    "local/extra-model", "ollama/llama3.1:8b",
  };

  g_assert_no_error (error);

  p = cs_config_find_provider (config, "openai");
  g_assert_cmpstr (p->name, ==, "OpenAI");
  g_assert_cmpstr (p->base_url, ==, "https://api.openai.com/v1");   /* slash dropped */
  g_assert_cmpint (p->api, ==, CS_API_OPENAI_RESPONSES);
  g_assert_cmpuint (p->max_concurrent, ==, 8);
  g_assert_cmpuint (p->requests_per_minute, ==, 500);
  g_assert_cmpuint (p->connect_timeout_s, ==, 10);
  g_assert_cmpuint (p->first_byte_timeout_s, ==, 300);
  g_assert_cmpuint (p->idle_timeout_s, ==, 90);
  g_assert_cmpuint (p->max_retries, ==, 2);
  g_assert_cmpuint (p->max_reply_bytes, ==, 1048576);

  m = cs_config_find_model (config, "openai/gpt-5");
  g_assert_cmpfloat (m->price_input, ==, 1.25);
  g_assert_cmpfloat (m->price_output, ==, 10.0);
  g_assert_false (m->supports_temperature);
  g_assert_cmpstr (m->reasoning_effort, ==, "high");
  g_assert_cmpuint (m->max_output_tokens, ==, 32000);

  p = cs_config_find_provider (config, "local");
  g_assert_cmpstr (p->name, ==, "Box #2 (llama.cpp)");   /* quoted keeps the # */
  g_assert_true (p->key_optional);
  /* the model group's model joins the list, after the listed ones */
  g_assert_cmpuint (g_strv_length (p->models), ==, 3);
  g_assert_cmpstr (p->models[0], ==, "qwen3:32b");
  g_assert_cmpstr (p->models[1], ==, "llama3.1:8b");
  g_assert_cmpstr (p->models[2], ==, "extra-model");
  m = cs_config_find_model (config, "local/extra-model");
  g_assert_cmpfloat (m->temperature, ==, 0.2);
  g_assert_cmpint (m->structured, ==, CS_STRUCTURED_JSON_OBJECT);

  p = cs_config_find_provider (config, "ollama");
  g_assert_cmpint (p->api, ==, CS_API_OLLAMA);
  g_assert_true (p->key_optional);
  g_assert_cmpuint (p->requests_per_minute, ==, 0);

  models = cs_config_list_models (config);
  g_assert_cmpuint (models->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < models->len; i++)
    g_assert_cmpstr (((CsModelConfig *) models->pdata[i])->id, ==, expected[i]);
}

static void
test_inline_comments (void)
{
  g_autoptr(CsConfig) config =
    load_ok ("# leading comment\n"
             "[provider a]   # a comment after a group\n"
             "base-url=https://a.example/v1   # the server\n"
             "api=openai-responses\t# tab before the hash\n"
             "models=x;y   # two models\n"
             "max-concurrent=2 # two\n"
             "key-optional=true # trust me\n"
             "name=   # empty: defaults to the id\n"
             "[model a/x]\n"
             "price-input=0.5 #x\n");
  g_autoptr(GError) error = NULL;
  const CsProviderConfig *p = cs_config_find_provider (config, "a");

  g_assert_nonnull (p);
  g_assert_cmpstr (p->base_url, ==, "https://a.example/v1");
  g_assert_cmpint (p->api, ==, CS_API_OPENAI_RESPONSES);
  g_assert_cmpuint (p->max_concurrent, ==, 2);
  g_assert_true (p->key_optional);
  g_assert_cmpstr (p->name, ==, "a");
  g_assert_cmpstr (p->models[0], ==, "x");
  g_assert_cmpstr (p->models[1], ==, "y");
  g_assert_null (p->models[2]);

  /* a # glued to the value is part of it (and makes it invalid here) */
  g_clear_object (&config);
  assert_load_error ("[provider a]\nbase-url=https://a.example/v1\napi-key-env=A_KEY#x\n",
                     CS_CONFIG_ERROR_INVALID,
                     "providers.ini: [provider a]: api-key-env: \"A_KEY#x\" is not the name "
                     "of an environment variable (letters, digits and \"_\", e.g. MOONSHOT_API_KEY)");
  assert_load_error ("[provider a]\nbase-url=https://a.example/v1\nname=\"open\n",
                     CS_CONFIG_ERROR_INVALID,
                     "providers.ini: [provider a]: name: the closing quote (\") is missing");
}

typedef struct {
  const char *text;
  int         code;
  const char *message;
} ErrorCase;

static void
test_errors (void)
{
  static const ErrorCase cases[] = {
    { "[provider kimi]\nbase-url=https://api.moonshot.ai/v1\napi=openai   # wrong\n",
      CS_CONFIG_ERROR_INVALID,
      "providers.ini: [provider kimi]: api: \"openai\" is not one of openai-chat, openai-responses, ollama" },
    { "[provider kimi]\napi=openai-chat\n",
      CS_CONFIG_ERROR_INVALID,
      "providers.ini: [provider kimi]: base-url: missing; every provider needs one, e.g. base-url=https://api.openai.com/v1" },
    { "[provider kimi]\nbase-url=http://api.moonshot.ai/v1\n",
      CS_CONFIG_ERROR_INVALID,
      "providers.ini: [provider kimi]: base-url: \"http://api.moonshot.ai/v1\" uses plain http:// for "
      "api.moonshot.ai, which is not on this computer or a private network; use https:// "
      "(http:// is only allowed for loopback and private-network hosts)" },
    { "[provider kimi]\nbase-url=https://a.example\nmax-concurrent=-1\n",
      CS_CONFIG_ERROR_INVALID,
      "providers.ini: [provider kimi]: max-concurrent: \"-1\" must not be negative" },
    { "[provider kimi]\nbase-url=https://a.example\nmax-concurrent=0\n",
      CS_CONFIG_ERROR_INVALID,
      "providers.ini: [provider kimi]: max-concurrent: 0 is out of range (1 to 256)" },
    { "[provider kimi]\nbase-url=https://a.example\nrequests-per-minute=lots\n",
      CS_CONFIG_ERROR_INVALID,
      "providers.ini: [provider kimi]: requests-per-minute: \"lots\" is not a whole number" },
    { "[provider kimi]\nbase-url=https://a.example\nmax-retries=99999999999999999999999\n",
      CS_CONFIG_ERROR_INVALID,
      "providers.ini: [provider kimi]: max-retries: \"99999999999999999999999\" is not a whole number" },
    { "[provider kimi]\nbase-url=https://a.example\nkey-optional=maybe\n",
      CS_CONFIG_ERROR_INVALID,
      "providers.ini: [provider kimi]: key-optional: \"maybe\" is not true or false" },
    { "[provider kimi]\nbase-url=https://a.example\nmodels=good;bad model\n",
      CS_CONFIG_ERROR_INVALID,
      "providers.ini: [provider kimi]: models: \"bad model\" is not a valid model name (no spaces, quotes, \"#\", \"[\" or \"]\")" },
    { "[provider kimi]\nbase-url=https://a.example\nmodels=m\n[model kimi/m]\nmax-n=0\n",
      CS_CONFIG_ERROR_INVALID,
      "providers.ini: [model kimi/m]: max-n: 0 is out of range (1 to 128)" },
    { "[provider kimi]\nbase-url=https://a.example\nmodels=m\n[model kimi/m]\nmax-n=129\n",
      CS_CONFIG_ERROR_INVALID,
      "providers.ini: [model kimi/m]: max-n: 129 is out of range (1 to 128)" },
    { "[provider kimi]\nbase-url=https://a.example\n[model kimi/m]\nprice-input=-0.5\n",
      CS_CONFIG_ERROR_INVALID,
      "providers.ini: [model kimi/m]: price-input: \"-0.5\" must not be negative" },
    { "[provider kimi]\nbase-url=https://a.example\n[model kimi/m]\nprice-output=cheap\n",
      CS_CONFIG_ERROR_INVALID,
      "providers.ini: [model kimi/m]: price-output: \"cheap\" is not a number" },
    { "[provider kimi]\nbase-url=https://a.example\n[model kimi/m]\nprice-output=nan\n",
      CS_CONFIG_ERROR_INVALID,
      "providers.ini: [model kimi/m]: price-output: \"nan\" is not a number" },
    { "[provider kimi]\nbase-url=https://a.example\n[model kimi/m]\ntemperature=3\n",
      CS_CONFIG_ERROR_INVALID,
      "providers.ini: [model kimi/m]: temperature: 3 is out of range (0 to 2)" },
    { "[provider kimi]\nbase-url=https://a.example\n[model kimi/m]\nstructured-output=xml\n",
      CS_CONFIG_ERROR_INVALID,
      "providers.ini: [model kimi/m]: structured-output: \"xml\" is not one of json-schema, json-object, none" },
    { "[provider kimi]\nbase-url=https://a.example\n[model kimi/m]\nreasoning-effort=extreme\n",
      CS_CONFIG_ERROR_INVALID,
      "providers.ini: [model kimi/m]: reasoning-effort: \"extreme\" is not one of minimal, low, medium, high" },
    { "[provider kimi]\nbase-url=https://a.example\n[model openai/gpt-5]\nmax-n=1\n",
      CS_CONFIG_ERROR_INVALID,
      "providers.ini: [model openai/gpt-5]: there is no [provider openai]" },
    { "[provider kimi]\nbase-url=https://a.example\n[model kimi]\n",
      CS_CONFIG_ERROR_INVALID,
      "providers.ini: [model kimi]: a model group is named [model PROVIDER/MODEL], e.g. [model kimi/kimi-k2-thinking]" },
    { "[provider ]\nbase-url=https://a.example\n",
      CS_CONFIG_ERROR_INVALID,
      "providers.ini: [provider ]: the provider id after \"provider\" is missing" },
    { "[provider a/b]\nbase-url=https://a.example\n",
      CS_CONFIG_ERROR_INVALID,
      "providers.ini: [provider a/b]: \"a/b\" is not a valid provider id (use letters, digits, \".\", \"_\" and \"-\", starting with a letter or digit)" },
    { "[provider a]\nbase-url=https://a.example\n[provider  a]\nbase-url=https://b.example\n",
      CS_CONFIG_ERROR_INVALID,
      "providers.ini: [provider  a]: provider a is defined twice" },
    { "base-url=https://a.example\n",
      CS_CONFIG_ERROR_PARSE,
      "providers.ini: line 1: Key file does not start with a group" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("case %u: %s", i, cases[i].text);
      assert_load_error (cases[i].text, cases[i].code, cases[i].message);
    }
}

static void
test_error_names_file (void)
{
  g_autofree char *dir = g_dir_make_tmp ("test-config-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "providers.ini", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.ini", NULL);
  g_autofree char *expected = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CsConfig) config = NULL;

  g_assert_true (g_file_set_contents (path, "[provider x]\nbase-url=ftp://x.example\n", -1, NULL));
  config = cs_config_new_from_file (path, &error);
  g_assert_null (config);
  g_assert_error (error, CS_CONFIG_ERROR, CS_CONFIG_ERROR_INVALID);
  expected = g_strdup_printf ("%s: [provider x]: base-url: \"ftp://x.example\" must start with "
                              "https:// (or http:// for a server on this computer or the "
                              "local network)", path);
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_error (&error);

  config = cs_config_new_from_file (missing, &error);
  g_assert_null (config);
  g_assert_error (error, CS_CONFIG_ERROR, CS_CONFIG_ERROR_PARSE);
  g_assert_true (g_str_has_prefix (error->message, missing));

  g_unlink (path);
  g_rmdir (dir);
}

static void
test_unknown_ignored (void)
{
  g_autoptr(CsConfig) config = load_ok ("[general]\nfoo=bar\n"
                                        "[provider a]\nbase-url=https://a.example\n"
                                        "future-option=42\nname[de]=Anbieter\n"
                                        "[model a/m]\nfuture=yes\n");

  g_assert_nonnull (cs_config_find_provider (config, "a"));
  g_assert_nonnull (cs_config_find_model (config, "a/m"));
}

/* Typos do not pass silently: an unknown key or group is a warning naming
 * file, line and the key meant; a key set twice or a group written twice is
 * an error naming both lines (GKeyFile alone would let the last one win). */
static void
test_typos (void)
{
  g_autoptr(CsConfig) config = load_ok ("# providers\n"
                                        "[provider a]\r\n"
                                        "base-url=https://a.example\r\n"
                                        "max-concurent=1\r\n"
                                        "models=m;n;m\n"
                                        "name[de]=Anbieter\n"
                                        "\n"
                                        "[provdier b]\n"
                                        "base-url=https://b.example\n"
                                        "[model a/m]\n"
                                        "max-n=2\n"
                                        "pirce-input=1\n"
                                        "[provider c]\n"
                                        "base-url=https://c.example\n"
                                        "max-n=2\n");
  const char * const *warnings = cs_config_get_warnings (config);
  g_autoptr(CsConfig) clean = load_ok ("[provider a]\nbase-url=https://a.example\n"
                                       "[provider b]\nbase-url=https://a.example\n");
  g_autoptr(CsConfig) empty = cs_config_new ();

  for (guint i = 0; warnings[i] != NULL; i++)
    g_test_message ("%s", warnings[i]);
  /* name[de] is a translation of name for GKeyFile: not a key of its own */
  g_assert_cmpuint (g_strv_length ((char **) warnings), ==, 5);
  g_assert_true (g_strv_contains (warnings, "providers.ini: line 4: [provider a]: unknown key max-concurent "
                                            "(did you mean max-concurrent?); it is ignored"));
  g_assert_true (g_strv_contains (warnings, "providers.ini: line 5: [provider a]: model m is listed twice"));
  g_assert_true (g_strv_contains (warnings, "providers.ini: line 8: [provdier b]: unknown group; it is ignored"));
  g_assert_true (g_strv_contains (warnings, "providers.ini: line 12: [model a/m]: unknown key pirce-input "
                                            "(did you mean price-input?); it is ignored"));
  /* a key of the other kind of group */
  g_assert_true (g_strv_contains (warnings, "providers.ini: line 15: [provider c]: unknown key max-n; it is ignored"));
  /* still loaded */
  g_assert_cmpuint (cs_config_find_provider (config, "a")->max_concurrent, ==, 4);
  g_assert_cmpuint (cs_config_find_model (config, "a/m")->max_n, ==, 2);

  g_assert_null (cs_config_get_warnings (clean)[0]);
  g_assert_null (cs_config_get_warnings (empty)[0]);

  assert_load_error ("[provider a]\nbase-url=https://a.example\n# the second one\nbase-url = https://b.example\n",
                     CS_CONFIG_ERROR_PARSE,
                     "providers.ini: line 4: [provider a]: base-url is set twice (first on line 2)");
  assert_load_error ("[provider a]\nbase-url=https://a.example\n[model a/m]\nmax-n=2\n\n[model a/m]   # again\nmax-n=3\n",
                     CS_CONFIG_ERROR_PARSE,
                     "providers.ini: line 6: [model a/m] appears twice (first on line 3)");
  assert_load_error ("[provider a]\nbase-url=https://a.example\n[provider b]\nbase-url=https://b.example\n"
                     "[provider a]\nmodels=x\n",
                     CS_CONFIG_ERROR_PARSE,
                     "providers.ini: line 5: [provider a] appears twice (first on line 1)");
}

static void
assert_configs_equal (CsConfig *a,
                      CsConfig *b)
{
  GPtrArray *pa = cs_config_get_providers (a);
  GPtrArray *pb = cs_config_get_providers (b);
  g_autoptr(GPtrArray) ma = cs_config_list_models (a);
  g_autoptr(GPtrArray) mb = cs_config_list_models (b);

  g_assert_cmpuint (pa->len, ==, pb->len);
  for (guint i = 0; i < pa->len; i++)
    {
      const CsProviderConfig *x = pa->pdata[i];
      const CsProviderConfig *y = pb->pdata[i];

      g_assert_cmpstr (x->id, ==, y->id);
      g_assert_cmpstr (x->name, ==, y->name);
      g_assert_cmpstr (x->base_url, ==, y->base_url);
      g_assert_cmpint (x->api, ==, y->api);
      g_assert_cmpstr (x->api_key_env, ==, y->api_key_env);
      g_assert_cmpint (x->key_optional, ==, y->key_optional);
      g_assert_cmpint (x->allow_insecure_key, ==, y->allow_insecure_key);
      g_assert_true (g_strv_equal ((const char * const *) x->models, (const char * const *) y->models));
      g_assert_cmpuint (x->max_concurrent, ==, y->max_concurrent);
      g_assert_cmpuint (x->requests_per_minute, ==, y->requests_per_minute);
      g_assert_cmpuint (x->connect_timeout_s, ==, y->connect_timeout_s);
      g_assert_cmpuint (x->first_byte_timeout_s, ==, y->first_byte_timeout_s);
      g_assert_cmpuint (x->idle_timeout_s, ==, y->idle_timeout_s);
      g_assert_cmpuint (x->max_retries, ==, y->max_retries);
      g_assert_cmpuint (x->max_reply_bytes, ==, y->max_reply_bytes);
    }

  g_assert_cmpuint (ma->len, ==, mb->len);
  for (guint i = 0; i < ma->len; i++)
    {
      const CsModelConfig *x = ma->pdata[i];
      const CsModelConfig *y = mb->pdata[i];

      g_assert_cmpstr (x->id, ==, y->id);
      g_assert_cmpstr (x->provider, ==, y->provider);
      g_assert_cmpstr (x->name, ==, y->name);
      g_assert_true (x->price_input == y->price_input || (isnan (x->price_input) && isnan (y->price_input)));
      g_assert_true (x->price_output == y->price_output || (isnan (x->price_output) && isnan (y->price_output)));
      g_assert_cmpstr (x->verbosity, ==, y->verbosity);
      g_assert_cmpuint (x->max_n, ==, y->max_n);
      g_assert_cmpint (x->structured, ==, y->structured);
      g_assert_true ((isnan (x->temperature) && isnan (y->temperature)) || x->temperature == y->temperature);
      g_assert_cmpint (x->supports_temperature, ==, y->supports_temperature);
      g_assert_cmpstr (x->reasoning_effort, ==, y->reasoning_effort);
      g_assert_cmpuint (x->max_output_tokens, ==, y->max_output_tokens);
    }
}

/* The key goes over plain http only to loopback, decided on the address or
 * the one name localhost; a LAN provider opts in with allow-insecure-key,
 * which the app shows as a warning (cs_provider_config_key_in_clear). */
static void
test_insecure_key (void)
{
  static const struct {
    const char *url;
    gboolean    may_send;
  } urls[] = {
    { "https://api.example.com/v1", TRUE },
    { "http://127.0.0.1:8080/v1", TRUE },
    { "http://127.0.0.2:8080/v1", TRUE },
    { "http://[::1]:8080/v1", TRUE },
    { "http://localhost:11434", TRUE },
    { "http://LOCALHOST.:11434", TRUE },
    { "http://10.0.0.1/v1", FALSE },
    { "http://172.16.5.4/v1", FALSE },
    { "http://192.168.1.5:8080/v1", FALSE },
    { "http://169.254.1.1/v1", FALSE },
    { "http://[fd00::1]/v1", FALSE },
    { "http://box.local/v1", FALSE },
    { "http://evil.com.local/v1", FALSE },
    { "http://evil.com.localhost/v1", FALSE },
  };
  g_autoptr(CsConfig) config = NULL;
  g_autoptr(CsConfig) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-config-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "providers.ini", NULL);
  g_autofree char *saved = NULL;
  const CsProviderConfig *lan, *opted, *remote;

  for (guint i = 0; i < G_N_ELEMENTS (urls); i++)
    {
      g_autoptr(CsProviderConfig) p = cs_provider_config_new ("p", urls[i].url, CS_API_OPENAI_CHAT);

      g_test_message ("%s", urls[i].url);
      g_assert_cmpint (cs_provider_config_may_send_key (p), ==, urls[i].may_send);
      g_assert_false (cs_provider_config_key_in_clear (p));
      p->allow_insecure_key = TRUE;
      g_assert_true (cs_provider_config_may_send_key (p));
      g_assert_cmpint (cs_provider_config_key_in_clear (p), ==, !urls[i].may_send);
    }

  config = load_ok ("[provider lan]\nbase-url=http://192.168.1.5:8080/v1\n"
                    "[provider opted]\nbase-url=http://192.168.1.6:8080/v1\nallow-insecure-key=true\n"
                    "[provider remote]\nbase-url=https://api.example.com/v1\n");
  lan = cs_config_find_provider (config, "lan");
  opted = cs_config_find_provider (config, "opted");
  remote = cs_config_find_provider (config, "remote");
  g_assert_false (lan->allow_insecure_key);
  g_assert_false (cs_provider_config_may_send_key (lan));
  g_assert_true (opted->allow_insecure_key);
  g_assert_true (cs_provider_config_key_in_clear (opted));
  g_assert_true (cs_provider_config_may_send_key (remote));
  g_assert_false (cs_provider_config_key_in_clear (remote));
  assert_load_error ("[provider p]\nbase-url=http://10.0.0.1/v1\nallow-insecure-key=perhaps\n",
                     CS_CONFIG_ERROR_INVALID,
                     "providers.ini: [provider p]: allow-insecure-key: \"perhaps\" is not true or false");

  /* saved and read back */
  g_assert_true (cs_config_save (config, path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &saved, NULL, NULL));
  g_assert_nonnull (strstr (saved, "allow-insecure-key=true"));
  g_assert_null (strstr (saved, "allow-insecure-key=false"));
  again = cs_config_new_from_file (path, &error);
  g_assert_no_error (error);
  assert_configs_equal (config, again);
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_round_trip (void)
{
  g_autofree char *src = data_path ("full.ini");
  g_autofree char *dir = g_dir_make_tmp ("test-config-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "sub", "providers.ini", NULL);
  g_autofree char *saved = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CsConfig) a = cs_config_new_from_file (src, &error);
  g_autoptr(CsConfig) b = NULL;
  g_autoptr(CsConfig) c = NULL;
  g_autoptr(CsModelConfig) m = NULL;
  GStatBuf st;

  g_assert_no_error (error);

  /* unchanged: comments, unknown groups and keys survive */
  g_assert_true (cs_config_save (a, path, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (cs_config_get_path (a), ==, path);
  g_assert_true (g_file_get_contents (path, &saved, NULL, NULL));
  g_assert_nonnull (strstr (saved, "# Every key, several providers."));
  g_assert_nonnull (strstr (saved, "[something-else]"));
  g_assert_nonnull (strstr (saved, "future-key=1"));
  g_assert_nonnull (strstr (saved, "name=\"Box #2 (llama.cpp)\""));
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  b = cs_config_new_from_file (path, &error);
  g_assert_no_error (error);
  assert_configs_equal (a, b);

  /* edit, save, load: equal again */
  m = cs_model_config_copy (cs_config_find_model (b, "ollama/llama3.1:8b"));
  m->price_input = 0.125;
  m->temperature = 0.7;
  m->reasoning_effort = g_strdup ("low");
  m->structured = CS_STRUCTURED_NONE;
  m->max_n = 3;
  cs_config_set_model (b, m);
  cs_config_remove_provider (b, "local");
  g_assert_true (cs_config_save (b, NULL, &error));
  g_assert_no_error (error);

  c = cs_config_new_from_file (path, &error);
  g_assert_no_error (error);
  assert_configs_equal (b, c);
  g_assert_null (cs_config_find_provider (c, "local"));
  g_assert_null (cs_config_find_model (c, "local/extra-model"));
  g_assert_cmpfloat (cs_config_find_model (c, "ollama/llama3.1:8b")->temperature, ==, 0.7);

  g_clear_pointer (&saved, g_free);
  g_assert_true (g_file_get_contents (path, &saved, NULL, NULL));
  g_assert_null (strstr (saved, "[model local/"));
  g_assert_null (strstr (saved, "[provider local]"));

  g_unlink (path);
  g_clear_pointer (&path, g_free);
  path = g_build_filename (dir, "sub", NULL);
  g_rmdir (path);
  g_rmdir (dir);
}

static void
test_inline_comment_kept_on_save (void)
{
  g_autofree char *src = data_path ("issue-example.ini");
  g_autofree char *dir = g_dir_make_tmp ("test-config-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "providers.ini", NULL);
  g_autofree char *saved = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CsConfig) a = cs_config_new_from_file (src, &error);
  g_autoptr(CsConfig) b = NULL;
  g_autoptr(CsModelConfig) m = NULL;

  g_assert_no_error (error);
  m = cs_model_config_copy (cs_config_find_model (a, "kimi/kimi-k2-thinking"));
  m->price_output = 3.0;
  cs_config_set_model (a, m);
  g_assert_true (cs_config_save (a, path, &error));
  g_assert_no_error (error);

  g_assert_true (g_file_get_contents (path, &saved, NULL, NULL));
  /* untouched values keep their comments, the changed one is rewritten */
  g_assert_nonnull (strstr (saved, "price-input=0.60               # USD per million tokens\n"));
  g_assert_nonnull (strstr (saved, "api=openai-chat                # openai-chat | openai-responses | ollama\n"));
  g_assert_nonnull (strstr (saved, "\nprice-output=3\n"));
  /* nothing added that was not there */
  g_assert_null (strstr (saved, "idle-timeout"));
  g_assert_null (strstr (saved, "[model kimi/kimi-k2-0905-preview]"));

  b = cs_config_new_from_file (path, &error);
  g_assert_no_error (error);
  assert_configs_equal (a, b);

  g_unlink (path);
  g_rmdir (dir);
}

static void
count_cb (CsConfig *config,
          guint    *count)
{
  (*count)++;
}

static void
test_editing (void)
{
  g_autoptr(CsConfig) config = cs_config_new ();
  g_autoptr(CsProviderConfig) p = cs_provider_config_new ("srv", "http://10.1.2.3:8000/v1/", CS_API_OPENAI_CHAT);
  g_autoptr(CsModelConfig) m = NULL;
  g_autoptr(GPtrArray) models = NULL;
  const CsProviderConfig *found;
  guint changed = 0;

  g_signal_connect (config, "changed", G_CALLBACK (count_cb), &changed);

  g_assert_null (cs_config_get_path (config));
  g_assert_cmpuint (cs_config_get_providers (config)->len, ==, 0);
  g_assert_true (p->key_optional);
  g_strfreev (p->models);
  p->models = g_strsplit ("a;b", ";", -1);
  cs_config_set_provider (config, p);
  g_assert_cmpuint (changed, ==, 1);

  found = cs_config_find_provider (config, "srv");
  g_assert_nonnull (found);
  g_assert_true (found != p);
  g_assert_cmpstr (found->base_url, ==, "http://10.1.2.3:8000/v1");
  g_assert_cmpstr (found->name, ==, "srv");
  g_assert_nonnull (cs_config_find_model (config, "srv/a"));
  g_assert_nonnull (cs_config_find_model (config, "srv/b"));

  /* a new model joins the provider's list */
  m = cs_model_config_new ("srv", "c");
  m->max_n = 4;
  cs_config_set_model (config, m);
  found = cs_config_find_provider (config, "srv");
  g_assert_cmpuint (g_strv_length (found->models), ==, 3);
  g_assert_cmpuint (cs_config_find_model (config, "srv/c")->max_n, ==, 4);

  /* replacing the provider with a shorter list drops the unlisted models */
  g_strfreev (p->models);
  p->models = g_strsplit ("c", ";", -1);
  cs_config_set_provider (config, p);
  g_assert_null (cs_config_find_model (config, "srv/a"));
  g_assert_cmpuint (cs_config_find_model (config, "srv/c")->max_n, ==, 4);
  models = cs_config_list_models (config);
  g_assert_cmpuint (models->len, ==, 1);

  cs_config_remove_provider (config, "srv");
  cs_config_remove_provider (config, "never-there");
  g_assert_null (cs_config_find_provider (config, "srv"));
  g_assert_null (cs_config_find_model (config, "srv/c"));
  g_assert_cmpuint (changed, ==, 4);
}

/* Whatever the app sets, the saved file loads again. */
static void
test_editing_sanitizes (void)
{
  g_autoptr(CsConfig) config = cs_config_new ();
  g_autoptr(CsConfig) loaded = NULL;
  g_autoptr(CsProviderConfig) p = cs_provider_config_new ("srv", "https://llm.example.com/v1", CS_API_OPENAI_CHAT);
  g_autoptr(CsModelConfig) m = cs_model_config_new ("srv", "good");
  g_autofree char *dir = g_dir_make_tmp ("test-config-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "providers.ini", NULL);
  g_autoptr(GError) error = NULL;
  const CsProviderConfig *found;
  const CsModelConfig *fm;

  g_strfreev (p->models);
  p->models = g_strsplit ("good;bad name;good;x#y;\"q\";[z];ok:7b", ";", -1);
  p->max_concurrent = 0;
  p->requests_per_minute = G_MAXUINT;
  p->max_retries = 99;
  p->connect_timeout_s = 0;
  p->max_reply_bytes = 1;
  p->api_key_env = g_strdup ("NOT VALID");
  g_free (p->name);
  p->name = g_strdup ("");
  cs_config_set_provider (config, p);

  found = cs_config_find_provider (config, "srv");
  g_assert_cmpstr (found->name, ==, "srv");
  g_assert_null (found->api_key_env);
  g_assert_cmpuint (g_strv_length (found->models), ==, 2);
  g_assert_cmpstr (found->models[0], ==, "good");
  g_assert_cmpstr (found->models[1], ==, "ok:7b");
  g_assert_cmpuint (found->max_concurrent, ==, 1);
  g_assert_cmpuint (found->requests_per_minute, ==, 1000000);
  g_assert_cmpuint (found->max_retries, ==, 20);
  g_assert_cmpuint (found->connect_timeout_s, ==, 1);
  g_assert_cmpuint (found->max_reply_bytes, ==, 1024);

  m->max_n = 0;
  m->price_input = -1;
  m->price_output = INFINITY;
  m->temperature = 5;
  m->reasoning_effort = g_strdup ("extreme");
  m->max_output_tokens = G_MAXUINT64;
  cs_config_set_model (config, m);
  fm = cs_config_find_model (config, "srv/good");
  g_assert_cmpuint (fm->max_n, ==, 1);
  g_assert_cmpfloat (fm->price_input, ==, 0);
  g_assert_cmpfloat (fm->price_output, ==, 0);
  g_assert_cmpfloat (fm->temperature, ==, 2);
  g_assert_null (fm->reasoning_effort);
  g_assert_cmpuint (fm->max_output_tokens, ==, 100000000);

  g_assert_true (cs_config_save (config, path, &error));
  g_assert_no_error (error);
  loaded = cs_config_new_from_file (path, &error);
  g_assert_no_error (error);
  assert_configs_equal (config, loaded);

  g_assert_true (cs_config_check_provider_id ("my-server_2.local", NULL));
  g_assert_false (cs_config_check_provider_id ("", &error));
  g_assert_error (error, CS_CONFIG_ERROR, CS_CONFIG_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "the provider id is empty");
  g_clear_error (&error);
  g_assert_false (cs_config_check_provider_id ("My Server", &error));
  g_assert_cmpstr (error->message, ==, "\"My Server\" is not a valid provider id (use letters, digits, \".\", \"_\" and \"-\", starting with a letter or digit)");
  g_clear_error (&error);
  g_assert_true (cs_config_check_model_name ("openai/gpt-5:free", NULL));
  g_assert_false (cs_config_check_model_name ("a b", &error));
  g_assert_cmpstr (error->message, ==, "\"a b\" is not a valid model name (no spaces, quotes, \"#\", \"[\" or \"]\")");
  g_clear_error (&error);
  g_assert_false (cs_config_check_model_name (NULL, NULL));

  g_unlink (path);
  g_rmdir (dir);
}

typedef struct {
  const char *url;
  const char *message;   /* NULL: valid */
} UrlCase;

static void
test_base_urls (void)
{
  static const UrlCase cases[] = {
    { "https://api.openai.com/v1", NULL },
    { "https://api.moonshot.ai/v1/", NULL },
    { "HTTPS://EXAMPLE.COM", NULL },
    { "http://127.0.0.1:11434", NULL },
    { "http://127.8.9.10", NULL },
    { "http://localhost:8080/v1", NULL },
    { "http://LocalHost", NULL },
    { "http://[::1]:8080/v1", NULL },
    { "http://10.0.0.5:8000", NULL },
    { "http://172.16.0.1", NULL },
    { "http://172.31.255.254", NULL },
    { "http://192.168.1.20:8080/v1", NULL },
    { "http://gpu-box.local:8080", NULL },
    { "http://[fd12:3456::1]:8080", NULL },
    { "http://172.32.0.1", "\"http://172.32.0.1\" uses plain http:// for 172.32.0.1, which is not on this computer or a private network; use https:// (http:// is only allowed for loopback and private-network hosts)" },
    { "http://8.8.8.8/v1", "\"http://8.8.8.8/v1\" uses plain http:// for 8.8.8.8, which is not on this computer or a private network; use https:// (http:// is only allowed for loopback and private-network hosts)" },
    { "http://api.openai.com/v1", "\"http://api.openai.com/v1\" uses plain http:// for api.openai.com, which is not on this computer or a private network; use https:// (http:// is only allowed for loopback and private-network hosts)" },
    { "http://localhost.evil.com", "\"http://localhost.evil.com\" uses plain http:// for localhost.evil.com, which is not on this computer or a private network; use https:// (http:// is only allowed for loopback and private-network hosts)" },
    { "http://192.168.1.1.nip.io", "\"http://192.168.1.1.nip.io\" uses plain http:// for 192.168.1.1.nip.io, which is not on this computer or a private network; use https:// (http:// is only allowed for loopback and private-network hosts)" },
    { "ftp://example.com", "\"ftp://example.com\" must start with https:// (or http:// for a server on this computer or the local network)" },
    { "api.openai.com/v1", "\"api.openai.com/v1\" is not a URL (expected e.g. https://api.example.com/v1)" },
    { "", "the base URL is empty" },
    { "https://", "\"https://\" has no host name" },
    { "https://user:secret@example.com/v1", "the base URL for example.com must not contain a user name or password; store the API key in the keyring instead" },
    { "https://example.com/v1?key=1", "\"https://example.com/v1?key=1\" must not contain a query (?…) or fragment (#…)" },
    { "https://exa mple.com", "\"https://exa mple.com\" is not a URL (expected e.g. https://api.example.com/v1)" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      gboolean ok = cs_config_check_base_url (cases[i].url, &error);

      g_test_message ("url %s", cases[i].url);
      if (cases[i].message == NULL)
        {
          g_assert_no_error (error);
          g_assert_true (ok);
        }
      else
        {
          g_assert_false (ok);
          g_assert_error (error, CS_CONFIG_ERROR, CS_CONFIG_ERROR_INVALID);
          g_assert_cmpstr (error->message, ==, cases[i].message);
          /* a password never shows up in the message */
          g_assert_null (strstr (error->message, "secret"));
        }
    }

  g_assert_true (cs_config_url_is_local ("http://127.0.0.1:11434"));
  g_assert_true (cs_config_url_is_local ("https://192.168.0.2"));
  g_assert_false (cs_config_url_is_local ("https://api.openai.com/v1"));
  g_assert_false (cs_config_url_is_local ("not a url"));
}

static void
test_presets (void)
{
  g_autoptr(GPtrArray) presets = cs_config_get_presets ();
  g_autoptr(CsConfig) config = cs_config_new ();
  g_autoptr(CsConfig) loaded = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-config-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "providers.ini", NULL);
  g_autoptr(GError) error = NULL;
  const char * const ids[] = { "openai", "kimi", "openrouter", "ollama", "custom" };
  const CsProviderConfig *p;

  g_assert_cmpuint (presets->len, ==, G_N_ELEMENTS (ids));
  for (guint i = 0; i < presets->len; i++)
    {
      const CsProviderConfig *preset = presets->pdata[i];
      g_autoptr(GPtrArray) models = cs_config_get_preset_models (preset->id);

      g_assert_cmpstr (preset->id, ==, ids[i]);
      g_assert_nonnull (preset->name);
      g_assert_nonnull (preset->models);
      g_assert_true (cs_config_check_base_url (preset->base_url, &error));
      g_assert_no_error (error);
      g_assert_false (g_str_has_suffix (preset->base_url, "/"));
      g_assert_cmpint (preset->key_optional, ==, cs_config_url_is_local (preset->base_url));
      cs_config_set_provider (config, preset);

      for (guint j = 0; j < models->len; j++)
        {
          const CsModelConfig *m = models->pdata[j];

          g_assert_cmpstr (m->provider, ==, preset->id);
          g_assert_true (g_strv_contains ((const char * const *) preset->models, m->name));
          cs_config_set_model (config, m);
        }
    }

  p = cs_config_find_provider (config, "openai");
  g_assert_cmpstr (p->base_url, ==, "https://api.openai.com/v1");
  g_assert_cmpstr (p->api_key_env, ==, "OPENAI_API_KEY");
  g_assert_cmpstr (p->models[0], ==, "gpt-5");
  g_assert_cmpstr (p->models[1], ==, "gpt-5-mini");
  g_assert_false (cs_config_find_model (config, "openai/gpt-5")->supports_temperature);
  /* list prices ship with the presets (and survive the save below) */
  g_assert_cmpfloat (cs_config_find_model (config, "openai/gpt-5")->price_input, ==, 1.25);
  g_assert_cmpfloat (cs_config_find_model (config, "openai/gpt-5")->price_output, ==, 10.0);
  g_assert_cmpstr (p->models[2], ==, "gpt-5-nano");
  g_assert_cmpfloat (cs_config_find_model (config, "openai/gpt-5-nano")->price_output, ==, 0.40);
  /* Kimi K2.6 (no temperature, one answer a request) and K2 Thinking */
  g_assert_cmpfloat (cs_config_find_model (config, "kimi/kimi-k2.6")->price_input, ==, 0.95);
  g_assert_cmpfloat (cs_config_find_model (config, "kimi/kimi-k2.6")->price_output, ==, 4.00);
  g_assert_false (cs_config_find_model (config, "kimi/kimi-k2.6")->supports_temperature);
  g_assert_cmpuint (cs_config_find_model (config, "kimi/kimi-k2.6")->max_n, ==, 1);
  g_assert_cmpfloat (cs_config_find_model (config, "kimi/kimi-k2-thinking")->price_input, ==, 0.60);
  g_assert_cmpfloat (cs_config_find_model (config, "kimi/kimi-k2-thinking")->price_output, ==, 2.50);
  g_assert_cmpuint (cs_config_find_model (config, "kimi/kimi-k2-thinking")->max_n, ==, 5);
  g_assert_cmpuint (strlen (cs_config_get_preset_prices_date ()), ==, strlen ("2026-12-07"));
  p = cs_config_find_provider (config, "kimi");
  g_assert_cmpstr (p->base_url, ==, "https://api.moonshot.ai/v1");
  g_assert_cmpstr (p->api_key_env, ==, "MOONSHOT_API_KEY");
  g_assert_cmpstr (p->models[0], ==, "kimi-k2.6");
  g_assert_cmpstr (p->models[1], ==, "kimi-k2-thinking");
  p = cs_config_find_provider (config, "openrouter");
  g_assert_cmpstr (p->base_url, ==, "https://openrouter.ai/api/v1");
  g_assert_cmpstr (p->api_key_env, ==, "OPENROUTER_API_KEY");
  p = cs_config_find_provider (config, "ollama");
  g_assert_cmpstr (p->base_url, ==, "http://127.0.0.1:11434");
  g_assert_cmpint (p->api, ==, CS_API_OLLAMA);
  g_assert_true (p->key_optional);
  p = cs_config_find_provider (config, "custom");
  g_assert_cmpstr (p->base_url, ==, "http://127.0.0.1:8080/v1");
  g_assert_cmpint (p->api, ==, CS_API_OPENAI_CHAT);

  /* the presets written out load back the same */
  g_assert_true (cs_config_save (config, path, &error));
  g_assert_no_error (error);
  loaded = cs_config_new_from_file (path, &error);
  g_assert_no_error (error);
  assert_configs_equal (config, loaded);

  g_unlink (path);
  g_rmdir (dir);
}

static void
test_cost (void)
{
  g_autoptr(CsModelConfig) m = cs_model_config_new ("kimi", "kimi-k2-thinking");

  g_assert_cmpstr (m->id, ==, "kimi/kimi-k2-thinking");
  g_assert_cmpfloat (cs_model_config_cost (m, 1000000, 1000000), ==, 0);

  m->price_input = 0.60;
  m->price_output = 2.50;
  g_assert_cmpfloat_with_epsilon (cs_model_config_cost (m, 1000000, 0), 0.60, 1e-12);
  g_assert_cmpfloat_with_epsilon (cs_model_config_cost (m, 0, 1000000), 2.50, 1e-12);
  /* 12 345 in, 6 789 out: 0.0074070 + 0.0169725 */
  g_assert_cmpfloat_with_epsilon (cs_model_config_cost (m, 12345, 6789), 0.0243795, 1e-12);
  /* unknown (negative) counts cost nothing */
  g_assert_cmpfloat (cs_model_config_cost (m, -1, -1), ==, 0);
}

static void
test_garbage (void)
{
  const char * const files[] = { "garbage.bin", "invalid-utf8.ini" };

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = data_path (files[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(CsConfig) config = cs_config_new_from_file (path, &error);

      g_assert_null (config);
      g_assert_error (error, CS_CONFIG_ERROR, CS_CONFIG_ERROR_PARSE);
      g_assert_true (g_str_has_prefix (error->message, path));
    }

  {
    g_autofree char *path = data_path ("invalid-utf8.ini");
    g_autofree char *expected = g_strdup_printf ("%s: line 3: not valid UTF-8 text", path);
    g_autoptr(GError) error = NULL;
    g_autoptr(CsConfig) config = cs_config_new_from_file (path, &error);

    g_assert_cmpstr (error->message, ==, expected);
  }

  /* an empty file is an empty configuration */
  {
    g_autoptr(CsConfig) empty = load_ok ("");

    g_assert_cmpuint (cs_config_get_providers (empty)->len, ==, 0);
  }
  assert_load_error ("[provider a\nbase-url=https://a.example\n", CS_CONFIG_ERROR_PARSE,
                     "providers.ini: line 1: Key file contains line “[provider a” which is not a key-value pair, group, or comment");
}

/* GKeyFile does not number the line it rejects: the message does. */
static void
test_parse_error_line (void)
{
  const struct {
    const char *text;
    const char *message;
  } cases[] = {
    /* the garbage line of tests/test-bad-input.sh */
    { "[provider demo]\nbase-url=http://127.0.0.1:1/v1\napi=openai-chat\nmodels=demo-alpha\nthis line is garbage\n",
      "providers.ini: line 5: Key file contains line “this line is garbage” which is not a key-value pair, group, or comment" },
    /* the last line, without a line break */
    { "[provider demo]\nbase-url=http://127.0.0.1:1/v1\nno equals sign",
      "providers.ini: line 3: Key file contains line “no equals sign” which is not a key-value pair, group, or comment" },
    /* comments, blank lines, a group with a trailing comment, CRLF */
    { "# providers\r\n\r\n# more\r\n[provider a]   # the first\r\nbase-url=https://a.example\r\n\r\n"
      "[provider b\r\nbase-url=https://b.example\r\n",
      "providers.ini: line 7: Key file contains line “[provider b” which is not a key-value pair, group, or comment" },
    /* a key before any group, after comments */
    { "# a comment\n\nbase-url=https://a.example\n[provider a]\n",
      "providers.ini: line 3: Key file does not start with a group" },
    /* the first of two bad lines */
    { "[provider a]\nbase-url=https://a.example\n\n\n\n\n\n\n\nfirst bad\nsecond bad\n",
      "providers.ini: line 10: Key file contains line “first bad” which is not a key-value pair, group, or comment" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("case %u: %s", i, cases[i].text);
      assert_load_error (cases[i].text, CS_CONFIG_ERROR_PARSE, cases[i].message);
    }

  /* a long file: the line far down is found too */
  {
    g_autoptr(GString) text = g_string_new ("[provider a]\nbase-url=https://a.example\n");
    g_autoptr(GError) error = NULL;
    g_autoptr(CsConfig) config = NULL;

    for (guint i = 0; i < 5000; i++)
      g_string_append_printf (text, "# comment %u\nx-key-%u=value\n", i, i);
    g_string_append (text, "[broken\n");
    config = cs_config_new_from_data (text->str, "providers.ini", &error);
    g_assert_null (config);
    g_assert_error (error, CS_CONFIG_ERROR, CS_CONFIG_ERROR_PARSE);
    g_assert_true (g_str_has_prefix (error->message, "providers.ini: line 10003: "));
  }
}

/* Random damage to a good file never crashes and gives a config or an
 * error that names the file. */
static void
test_fuzz (void)
{
  g_autofree char *path = data_path ("full.ini");
  g_autofree char *original = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (20251125);
  const char alphabet[] = "[]=#;\"\\/ \n\t-.:0aZ\xc3\xa9\xff";
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &original, &len, NULL));

  for (guint round = 0; round < 3000; round++)
    {
      g_autofree char *text = g_strndup (original, len);
      g_autoptr(GError) error = NULL;
      g_autoptr(CsConfig) config = NULL;
      guint edits = g_rand_int_range (rand, 1, 8);

      for (guint e = 0; e < edits; e++)
        {
          gsize pos = g_rand_int_range (rand, 0, (gint32) len);

          text[pos] = alphabet[g_rand_int_range (rand, 0, sizeof alphabet - 1)];
          if (text[pos] == '\0')
            text[pos] = 'x';
        }

      config = cs_config_new_from_data (text, "fuzz.ini", &error);
      g_assert_true ((config == NULL) != (error == NULL));
      if (error != NULL)
        g_assert_true (g_str_has_prefix (error->message, "fuzz.ini: "));
      else
        {
          g_autoptr(GPtrArray) models = cs_config_list_models (config);

          for (guint i = 0; i < models->len; i++)
            g_assert_nonnull (cs_config_find_model (config, ((CsModelConfig *) models->pdata[i])->id));
        }
    }
}

static void
test_default_path (void)
{
  g_autofree char *path = cs_config_get_default_path ();
  g_autofree char *expected = g_build_filename (g_get_user_config_dir (), "consilium", "providers.ini", NULL);

  g_assert_cmpstr (path, ==, expected);
}

static void
test_structured_names (void)
{
  CsStructuredOutput s;

  for (s = CS_STRUCTURED_JSON_SCHEMA; s <= CS_STRUCTURED_NONE; s++)
    {
      CsStructuredOutput back = -1;

      g_assert_true (cs_structured_output_from_string (cs_structured_output_to_string (s), &back));
      g_assert_cmpint (back, ==, s);
    }
  g_assert_false (cs_structured_output_from_string ("json", &s));
  g_assert_false (cs_structured_output_from_string (NULL, &s));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/config/issue-example", test_issue_example);
  g_test_add_func ("/config/defaults", test_defaults);
  g_test_add_func ("/config/full", test_full);
  g_test_add_func ("/config/inline-comments", test_inline_comments);
  g_test_add_func ("/config/errors", test_errors);
  g_test_add_func ("/config/error-names-file", test_error_names_file);
  g_test_add_func ("/config/unknown-ignored", test_unknown_ignored);
  g_test_add_func ("/config/typos", test_typos);
  g_test_add_func ("/config/round-trip", test_round_trip);
  g_test_add_func ("/config/inline-comment-kept-on-save", test_inline_comment_kept_on_save);
  g_test_add_func ("/config/editing", test_editing);
  g_test_add_func ("/config/editing-sanitizes", test_editing_sanitizes);
  g_test_add_func ("/config/base-urls", test_base_urls);
  g_test_add_func ("/config/insecure-key", test_insecure_key);
  g_test_add_func ("/config/presets", test_presets);
  g_test_add_func ("/config/cost", test_cost);
  g_test_add_func ("/config/garbage", test_garbage);
  g_test_add_func ("/config/parse-error-line", test_parse_error_line);
  g_test_add_func ("/config/fuzz", test_fuzz);
  g_test_add_func ("/config/default-path", test_default_path);
  g_test_add_func ("/config/structured-names", test_structured_names);

  return g_test_run ();
}
