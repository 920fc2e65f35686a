/* cs-model-label.c: a model as people read it in a sentence
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-model-label"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "cs-model-label.h"

char *
cs_model_label (CsConfig   *config,
                const char *model_id)
{
  const char *slash = model_id != NULL ? strchr (model_id, '/') : NULL;
  g_autofree char *provider_id = NULL;
  const CsProviderConfig *provider;

  if (model_id == NULL || model_id[0] == '\0')
    return g_strdup (_("unknown model"));
  if (slash == NULL || slash == model_id || slash[1] == '\0')
    return g_strdup (model_id);
  provider_id = g_strndup (model_id, slash - model_id);
  provider = config != NULL ? cs_config_find_provider (config, provider_id) : NULL;
  /* Translators: a model and the provider it runs at ("kimi-k2 from
   * Moonshot") */
  return g_strdup_printf (_("%s from %s"), slash + 1,
                          provider != NULL && provider->name != NULL && provider->name[0] != '\0'
                            ? provider->name : provider_id);
}
