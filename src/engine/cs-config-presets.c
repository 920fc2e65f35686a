/* cs-config-presets.c: the providers the app offers to add, and the
 * settings their models need
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-config"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "cs-config.h"

/* The presets' list prices, USD per million tokens (standard tier, input
 * without a cache hit), as checked on this day:
 * - OpenAI: gpt-5 $1.25 / $10.00, gpt-5-mini $0.25 / $2.00, gpt-5-nano
 *   $0.05 / $0.40, as pricing tables quoting OpenAI's price page gave them
 *   in 2026 (unchanged since the models came out).
 * - Moonshot: kimi-k2.6, the current flagship ($0.95 / $4.00, $0.16 with a
 *   cache hit), sent no temperature and one answer per request (its
 *   thinking mode fixes the sampling), and kimi-k2-thinking, Kimi K2
 *   Thinking, still a model id of its own ($0.60 / $2.50), up to 5 answers
 *   per request. The figures come from pages that quote Moonshot's price
 *   pages, which could not be read in full here: check them.
 * Prices change: the person
 * edits them in Preferences (or price-input= / price-output=), and a model
 * without one says "price unknown", never $0. */
#define PRESET_PRICES_DATE "2026-12-07"

static void
set_price (CsModelConfig *m,
           double         input,
           double         output)
{
  m->price_input = input;
  m->price_output = output;
}

const char *
cs_config_get_preset_prices_date (void)
{
  return PRESET_PRICES_DATE;
}

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
                                    "gpt-5;gpt-5-mini;gpt-5-nano"));
  g_ptr_array_add (presets, preset ("kimi", "Kimi (Moonshot AI)", "https://api.moonshot.ai/v1",
                                    CS_API_OPENAI_CHAT, "MOONSHOT_API_KEY",
                                    "kimi-k2.6;kimi-k2-thinking"));
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

  /* What the models accept, and their list prices (see the top). */
  if (g_str_equal (preset_id, "openai"))
    {
      m = cs_model_config_new ("openai", "gpt-5");
      m->max_n = 1;
      m->supports_temperature = FALSE;
      set_price (m, 1.25, 10.00);
      g_ptr_array_add (models, m);

      m = cs_model_config_new ("openai", "gpt-5-mini");
      m->max_n = 1;
      m->supports_temperature = FALSE;
      set_price (m, 0.25, 2.00);
      g_ptr_array_add (models, m);

      m = cs_model_config_new ("openai", "gpt-5-nano");
      m->max_n = 1;
      m->supports_temperature = FALSE;
      set_price (m, 0.05, 0.40);
      g_ptr_array_add (models, m);
    }
  else if (g_str_equal (preset_id, "kimi"))
    {
      m = cs_model_config_new ("kimi", "kimi-k2.6");
      m->max_n = 1;
      m->supports_temperature = FALSE;
      set_price (m, 0.95, 4.00);
      g_ptr_array_add (models, m);

      m = cs_model_config_new ("kimi", "kimi-k2-thinking");
      m->max_n = 5;
      set_price (m, 0.60, 2.50);
      g_ptr_array_add (models, m);
    }

  return models;
}
