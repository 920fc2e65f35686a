/* cs-config-synthesis.c: the providers file's [synthesis] group
 *
 *   [synthesis]
 *   fallback-judge=openai/gpt-5    the judge asked when the run's judge fails
 *
 * A default for the CLI (and the local API) when no --fallback-judge is
 * given; the app has its own choice on the compose page. A model that is
 * not configured is ignored with a warning. The group is kept as written
 * on save, like any group the editing functions do not touch.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-config"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "cs-config-private.h"

static const char * const synthesis_keys[] = { "fallback-judge", NULL };

gboolean
_cs_config_is_synthesis_group (const char *group)
{
  return g_strcmp0 (group, SYNTHESIS_GROUP) == 0;
}

/* After the models are read: warnings for unknown keys and for a fallback
 * judge that names no configured model. */
void
_cs_config_check_synthesis (CsConfig       *self,
                            CsConfigReader *r)
{
  g_autofree char *judge = NULL;

  _cs_config_warn_unknown_keys (r, synthesis_keys);
  if (!_cs_config_read_string (r, "fallback-judge", &judge, NULL) || judge == NULL || judge[0] == '\0')
    return;
  if (cs_config_find_model (self, g_strstrip (judge)) == NULL)
    _cs_config_warn (r, "fallback-judge", _("model %s is not configured; it is ignored"), judge);
}

char *
cs_config_dup_fallback_judge (CsConfig *self)
{
  CsConfigReader r = { NULL, NULL, SYNTHESIS_GROUP, NULL, NULL };
  g_autofree char *judge = NULL;

  g_return_val_if_fail (CS_IS_CONFIG (self), NULL);

  r.keyfile = self->keyfile;
  if (!g_key_file_has_group (self->keyfile, SYNTHESIS_GROUP) ||
      !_cs_config_read_string (&r, "fallback-judge", &judge, NULL) || judge == NULL)
    return NULL;
  g_strstrip (judge);
  if (judge[0] == '\0' || cs_config_find_model (self, judge) == NULL)
    return NULL;
  return g_steal_pointer (&judge);
}
