/* cs-result-synthesis.c: the result model's side of synthesis
 *
 * The saved names of the votes (the same cs_result_link_items () looks
 * for), the names of the methods, the degraded mark, and the judge's reply
 * read into the model.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-result"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "cs-json-schema.h"
#include "cs-json-util.h"
#include "cs-mode.h"
#include "cs-result-synthesis.h"

static const char * const method_names[] = { "ensemble", "consensus", "judge" };

char *
cs_result_vote_field (CsVotedList  list,
                      const char  *title)
{
  static const char * const lists[][2] = {
    [CS_VOTED_COMPONENT] = { "components", "technology" },
    [CS_VOTED_DATA_STORE] = { "data_stores", "technology" },
    [CS_VOTED_API] = { "apis", "style" },
    [CS_VOTED_DECISION] = { "decisions", "choice" },
    [CS_VOTED_CAUSE] = { "likely_causes", "likelihood" },
    [CS_VOTED_STEP] = { "steps", "risk" },
  };

  g_return_val_if_fail (list <= CS_VOTED_STEP, NULL);

  return g_strdup_printf ("%s[%s].%s", lists[list][0], title, lists[list][1]);
}

const char *
cs_result_primary_store_vote_field (void)
{
  return "data_stores[primary].technology";
}

const char *
cs_result_cost_vote_field (void)
{
  return "monthly_cost_usd";
}

void
cs_result_add_methods (CsResult *self,
                       CsMethod  methods)
{
  g_return_if_fail (self != NULL);

  for (guint bit = 0; bit < G_N_ELEMENTS (method_names); bit++)
    if ((methods & (1u << bit)) != 0)
      cs_result_add_method (self, method_names[bit]);
}

void
cs_result_add_judge_method (CsResult *self)
{
  const char *judge = method_names[2];
  g_autoptr(GStrvBuilder) kept = g_strv_builder_new ();
  g_auto(GStrv) methods = NULL;

  g_return_if_fail (self != NULL);

  for (const char * const *m = cs_result_get_methods (self); *m != NULL; m++)
    if (g_strcmp0 (*m, judge) != 0)
      g_strv_builder_add (kept, *m);
  methods = g_strv_builder_end (kept);
  cs_result_set_methods (self, (const char * const *)methods);
  cs_result_add_method (self, judge);
}

JsonNode *
cs_result_json_mark_degraded (JsonNode   *synthesis,
                              const char *note)
{
  JsonNode *out;
  JsonObject *obj;

  g_return_val_if_fail (synthesis != NULL, NULL);

  out = cs_json_deep_copy (synthesis);
  obj = cs_json_node_object (out);
  if (obj == NULL)
    return out;
  json_object_set_boolean_member (obj, "degraded", TRUE);
  json_object_set_string_member (obj, "note", note);
  return out;
}

/* The reply's result object, checked for its shape and against the mode's
 * schema. */
static JsonNode *
judge_result (CsMode       mode,
              JsonObject  *reply,
              GError     **error)
{
  JsonNode *result = json_object_get_member (reply, "result");
  g_autoptr(GError) local_error = NULL;

  if (result == NULL || !JSON_NODE_HOLDS_OBJECT (result))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("The judge's reply has no \"result\" object"));
      return NULL;
    }
  if (cs_json_get_string (reply, "rationale") == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("The judge's reply has no \"rationale\" text"));
      return NULL;
    }
  if (cs_json_get_array (reply, "critiques") == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("The judge's reply has no \"critiques\" list"));
      return NULL;
    }
  if (!cs_json_schema_validate (cs_mode_get_schema (mode), result, &local_error))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The judge's result does not fit the %s schema: %s"),
                   cs_mode_to_string (mode), local_error->message);
      return NULL;
    }
  return result;
}

/* The judge's schema gives the critiques and the rationale the envelope's
 * shape: the reply reads as an envelope, its result as the data. */
CsResult *
cs_result_new_from_judge_reply (CsMode     mode,
                                JsonNode  *reply,
                                GError   **error)
{
  JsonObject *obj = cs_json_node_object (reply);
  JsonNode *result;
  CsResult *self;

  if (obj == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("The judge's reply is not a JSON object"));
      return NULL;
    }
  result = judge_result (mode, obj, error);
  if (result == NULL)
    return NULL;

  self = cs_result_new_from_json (mode, reply, NULL);
  if (mode == CS_MODE_SUPPORT)
    {
      g_autoptr(CsChecklist) checklist = cs_checklist_new_from_json (result, NULL);

      cs_result_set_checklist (self, checklist);
    }
  else
    {
      g_autoptr(CsBlueprint) blueprint = cs_blueprint_new_from_json (result, NULL);

      cs_result_set_blueprint (self, blueprint);
    }
  return self;
}
