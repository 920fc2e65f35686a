/* cs-round-knobs.c: the settings a round's judge request went with
 *
 * The runner records them when it asks the judge (cs-runner-knobs.c); the
 * round keeps them in the run file as "judge_settings" ({"model",
 * "temperature", "reasoning_effort", "verbosity", "max_output_tokens"},
 * null for what was not sent), so that a follow-up, even after a restart,
 * asks the judge with the settings the run used.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cs-json-util.h"
#include "cs-round-private.h"

const CsKnobs *
cs_round_get_judge_knobs (CsRound     *self,
                          const char **model)
{
  g_return_val_if_fail (CS_IS_ROUND (self), NULL);

  if (model != NULL)
    *model = self->judge_knobs_model;
  return self->judge_knobs;
}

void
_cs_round_set_judge_knobs (CsRound       *self,
                           const char    *model,
                           const CsKnobs *knobs)
{
  CsKnobs *copy = knobs != NULL && model != NULL ? cs_knobs_copy (knobs) : NULL;
  char *model_copy = copy != NULL ? g_strdup (model) : NULL;

  g_clear_pointer (&self->judge_knobs, cs_knobs_free);
  g_clear_pointer (&self->judge_knobs_model, g_free);
  self->judge_knobs = copy;
  self->judge_knobs_model = model_copy;
}

void
_cs_round_judge_knobs_to_json (CsRound     *self,
                               JsonBuilder *builder)
{
  g_autoptr(JsonNode) node = NULL;

  json_builder_set_member_name (builder, "judge_settings");
  if (self->judge_knobs == NULL)
    {
      json_builder_add_null_value (builder);
      return;
    }
  node = cs_knobs_to_json (self->judge_knobs);
  json_object_set_string_member (json_node_get_object (node), "model", self->judge_knobs_model);
  json_builder_add_value (builder, g_steal_pointer (&node));
}

void
_cs_round_judge_knobs_read (CsRound    *self,
                            JsonObject *obj)
{
  JsonObject *settings = cs_json_get_object (obj, "judge_settings");
  g_autoptr(CsKnobs) knobs = NULL;
  const char *model;

  if (settings == NULL || (model = cs_json_get_string (settings, "model")) == NULL)
    return;
  knobs = cs_knobs_new_from_json (json_object_get_member (obj, "judge_settings"));
  _cs_round_set_judge_knobs (self, model, knobs);
}
