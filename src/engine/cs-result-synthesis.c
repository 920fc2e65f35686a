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

static gboolean
step_dropped (JsonObject         *step,
              CsResultStepFilter  drop,
              gpointer            user_data)
{
  return step != NULL &&
         drop (cs_json_get_string (step, "title"), cs_json_get_string (step, "command"), user_data);
}

/* Where an alternative that followed step @after goes once the steps in
 * @dropped (TRUE per old index) are gone. */
static gint64
new_after (gint64    after,
           gboolean *dropped,
           guint     n_steps)
{
  gint64 out = -1;

  if (after < 0 || after >= n_steps)
    return after;
  for (gint64 i = after; i >= 0 && out < 0; i--)
    if (!dropped[i])
      out = i;
  if (out < 0)
    return -1;
  for (gint64 i = 0, before = out; i < before; i++)
    if (dropped[i])
      out--;
  return out;
}

JsonNode *
cs_result_json_drop_steps (JsonNode           *synthesis,
                           CsResultStepFilter  drop,
                           gpointer            user_data,
                           guint              *n_dropped)
{
  g_autoptr(JsonNode) copy = NULL;
  g_autofree gboolean *dropped = NULL;
  JsonObject *obj, *data;
  JsonArray *steps, *consensus, *alternatives;
  guint n_steps, n = 0;
  gboolean aligned;

  g_return_val_if_fail (drop != NULL, NULL);

  if (n_dropped != NULL)
    *n_dropped = 0;
  if (cs_json_node_object (synthesis) == NULL)
    return NULL;
  copy = cs_json_deep_copy (synthesis);
  obj = json_node_get_object (copy);
  data = cs_json_get_object (obj, "data");
  steps = cs_json_get_array (data, "steps");
  consensus = cs_json_get_array (obj, "consensus");
  alternatives = cs_json_get_array (obj, "alternatives");
  n_steps = cs_json_array_length (steps);
  aligned = consensus != NULL && json_array_get_length (consensus) == n_steps;

  dropped = g_new0 (gboolean, MAX (n_steps, 1));
  for (guint i = n_steps; i > 0; i--)
    if (step_dropped (cs_json_array_object (steps, i - 1), drop, user_data))
      {
        dropped[i - 1] = TRUE;
        json_array_remove_element (steps, i - 1);
        if (aligned)
          json_array_remove_element (consensus, i - 1);
        n++;
      }
  for (guint i = cs_json_array_length (alternatives); i > 0; i--)
    {
      JsonObject *alt = cs_json_array_object (alternatives, i - 1);
      gint64 after = -1;

      if (step_dropped (alt, drop, user_data))
        {
          json_array_remove_element (alternatives, i - 1);
          n++;
        }
      else if (alt != NULL && cs_json_get_int (alt, "after_step", &after) && n_steps > 0)
        json_object_set_int_member (alt, "after_step", new_after (after, dropped, n_steps));
    }

  if (n_dropped != NULL)
    *n_dropped = n;
  if (n == 0)
    return NULL;
  return g_steal_pointer (&copy);
}

CsMode
cs_result_json_guess_mode (JsonNode *synthesis)
{
  JsonObject *data = cs_json_get_object (cs_json_node_object (synthesis), "data");

  return data != NULL && json_object_has_member (data, "steps") ? CS_MODE_SUPPORT : CS_MODE_ARCHITECT;
}
