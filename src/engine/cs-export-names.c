/* cs-export-names.c: what the Markdown export calls things
 *
 * Human words, never internal names: a model by its name ("kimi-k2", not
 * "kimi/kimi-k2"), its provider by its display name when the configuration
 * is known, a candidate by its id next to its model ("c2 (kimi-k2)"), an
 * angle, a status, a likelihood, an API style or a constraint by its label.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-export"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "cs-export-private.h"
#include "cs-mode.h"
#include "cs-model-label.h"

const char *
cs_export_model_name (const char *model_id)
{
  const char *slash = model_id != NULL ? strchr (model_id, '/') : NULL;

  if (model_id == NULL)
    return _("unknown model");
  return slash != NULL && slash[1] != '\0' ? slash + 1 : model_id;
}

char *
cs_export_provider_name (CsConfig   *config,
                         const char *model_id)
{
  const char *slash = model_id != NULL ? strchr (model_id, '/') : NULL;
  g_autofree char *id = NULL;
  const CsProviderConfig *provider;

  if (slash == NULL || slash == model_id)
    return NULL;
  id = g_strndup (model_id, slash - model_id);
  provider = config != NULL ? cs_config_find_provider (config, id) : NULL;
  if (provider != NULL && provider->name != NULL && *provider->name != '\0')
    return g_strdup (provider->name);
  return g_steal_pointer (&id);
}

void
cs_export_append_model (GString    *out,
                        CsConfig   *config,
                        const char *model_id)
{
  g_autofree char *label = cs_model_label (config, model_id);

  cs_export_append_inline (out, label);
}

void
cs_export_append_candidate (GString    *out,
                            CsRun      *run,
                            const char *candidate_id)
{
  CsCandidate *candidate = run != NULL ? cs_run_find_candidate (run, candidate_id) : NULL;

  cs_export_append_inline (out, candidate_id);
  if (candidate != NULL && cs_candidate_get_model (candidate) != NULL)
    {
      g_string_append (out, " (");
      cs_export_append_inline (out, cs_export_model_name (cs_candidate_get_model (candidate)));
      g_string_append (out, ")");
    }
}

const char *
cs_export_angle_label (CsMode      mode,
                       const char *angle)
{
  const CsAngle *a;

  if (angle == NULL || *angle == '\0')
    return NULL;
  a = cs_mode_find_angle (mode, angle);
  return a != NULL && a->label != NULL ? _(a->label) : angle;
}

const char *
cs_export_likelihood_words (const char *likelihood)
{
  if (g_strcmp0 (likelihood, "high") == 0)
    return _("likely");
  if (g_strcmp0 (likelihood, "medium") == 0)
    return _("possible");
  if (g_strcmp0 (likelihood, "low") == 0)
    return _("less likely");
  return likelihood;
}

const char *
cs_export_api_style_words (const char *style)
{
  static const char * const words[][2] = {
    { "rest", "REST" }, { "grpc", "gRPC" }, { "graphql", "GraphQL" },
    { "websocket", "WebSocket" }, { "event", N_("events") }, { "batch", N_("batch") },
    { "other", N_("other") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    if (g_strcmp0 (style, words[i][0]) == 0)
      return _(words[i][1]);
  return style;
}

const char *
cs_export_method_words (const char *method)
{
  if (g_strcmp0 (method, "ensemble") == 0)
    return _("votes");
  if (g_strcmp0 (method, "consensus") == 0)
    return _("consensus");
  if (g_strcmp0 (method, "judge") == 0)
    return _("judge");
  return method;
}

void
cs_export_append_agreement (GString      *out,
                            CsRun        *run,
                            const CsItem *item,
                            const char   *verb)
{
  const char * const *ids = (const char * const *)item->origin.sources;

  if (item->total == 0)
    return;
  if (item->support == 0)
    {
      g_string_append (out, _("added by the judge"));
      return;
    }
  if (g_strcmp0 (verb, "agreed") == 0)
    g_string_append_printf (out, _("agreed by %d of %d"), (int)item->support, (int)item->total);
  else
    g_string_append_printf (out, _("proposed by %d of %d"), (int)item->support, (int)item->total);
  if (ids != NULL && ids[0] != NULL)
    {
      g_string_append (out, ": ");
      for (guint i = 0; ids[i] != NULL; i++)
        {
          if (i > 0)
            g_string_append (out, ", ");
          cs_export_append_candidate (out, run, ids[i]);
        }
    }
}
