/* fuzz-config.c: libFuzzer harness for the providers file parser
 *
 * The input is a providers.ini (cut at its first NUL, as a C string).
 * Checks: a config or an error naming the file, never both; every provider
 * and model loaded is consistent (ids, base URLs that pass the URL rule,
 * models findable by id, costs finite and not negative); copies are equal.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include "cs-config.h"
#include "fuzz-common.h"

static void
check_provider (CsConfig               *config,
                const CsProviderConfig *p)
{
  g_autoptr(CsProviderConfig) copy = NULL;
  g_autoptr(GError) error = NULL;
  guint i;

  fuzz_check (p->id != NULL && p->id[0] != '\0');
  fuzz_check (g_utf8_validate (p->id, -1, NULL));
  fuzz_check (p->name != NULL && g_utf8_validate (p->name, -1, NULL));
  fuzz_check (p->base_url != NULL);
  if (!cs_config_check_base_url (p->base_url, &error))
    fuzz_fail ("provider %s was loaded with a base URL the URL rule refuses: %s", p->id, error->message);
  fuzz_check (!g_str_has_suffix (p->base_url, "/"));
  fuzz_check (p->api <= CS_API_OLLAMA);
  fuzz_check (p->models != NULL);
  fuzz_check (cs_config_find_provider (config, p->id) == p);

  for (i = 0; p->models[i] != NULL; i++)
    {
      g_autofree char *id = g_strdup_printf ("%s/%s", p->id, p->models[i]);

      fuzz_check (cs_config_find_model (config, id) != NULL);
    }

  copy = cs_provider_config_copy (p);
  fuzz_check (g_strcmp0 (copy->id, p->id) == 0);
  fuzz_check (g_strcmp0 (copy->base_url, p->base_url) == 0);
  fuzz_check (g_strcmp0 (copy->api_key_env, p->api_key_env) == 0);
  fuzz_check (g_strv_length (copy->models) == i);
  fuzz_check (copy->max_reply_bytes == p->max_reply_bytes);
}

static void
check_model (CsConfig            *config,
             const CsModelConfig *m)
{
  g_autoptr(CsModelConfig) copy = NULL;
  const CsProviderConfig *p;
  double cost;

  fuzz_check (m->id != NULL && m->provider != NULL && m->name != NULL);
  fuzz_check (g_utf8_validate (m->id, -1, NULL));
  fuzz_check (cs_config_find_model (config, m->id) == m);
  p = cs_config_find_provider (config, m->provider);
  fuzz_check (p != NULL);
  fuzz_check (g_strv_contains ((const char * const *) p->models, m->name));
  fuzz_check (m->structured <= CS_STRUCTURED_NONE);
  fuzz_check (isnan (m->price_input) || (isfinite (m->price_input) && m->price_input >= 0));
  fuzz_check (isnan (m->price_output) || (isfinite (m->price_output) && m->price_output >= 0));

  cost = cs_model_config_cost (m, 1000000, 1000000);
  fuzz_check (isfinite (cost) && cost >= 0);
  cost = cs_model_config_cost (m, G_MAXINT64, G_MAXINT64);
  fuzz_check (!isnan (cost) && cost >= 0);

  copy = cs_model_config_copy (m);
  fuzz_check (g_strcmp0 (copy->id, m->id) == 0);
  fuzz_check (g_strcmp0 (copy->reasoning_effort, m->reasoning_effort) == 0);
  fuzz_check (copy->max_n == m->max_n);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CsConfig) config = NULL;
  g_autoptr(GPtrArray) models = NULL;
  GPtrArray *providers;
  guint i;

  fuzz_setup ();
  text = fuzz_strndup (data, size);

  config = cs_config_new_from_data (text, "fuzz.ini", &error);
  if (config == NULL)
    {
      fuzz_check (error != NULL);
      fuzz_check (g_str_has_prefix (error->message, "fuzz.ini: "));
      fuzz_check (g_utf8_validate (error->message, -1, NULL));
      return 0;
    }
  fuzz_check (error == NULL);

  providers = cs_config_get_providers (config);
  fuzz_check (providers != NULL);
  for (i = 0; i < providers->len; i++)
    check_provider (config, g_ptr_array_index (providers, i));

  models = cs_config_list_models (config);
  fuzz_check (models != NULL);
  for (i = 0; i < models->len; i++)
    check_model (config, g_ptr_array_index (models, i));

  return 0;
}
