/* cs-run-plan-adopt.c: the plan of a run this runner did not start
 *
 * A runner asked to retry a candidate it has no slot for (the run was
 * reopened from the history, or the runner is a follow-up round's, whose
 * judge alone answered) takes the run's candidates as they are: those of
 * its current round, which for a round the judge alone answered are the
 * ones of the round before (cs-round.h). Each becomes a slot of its own
 * group, with its model as the configuration now has it (asked with the
 * settings its request went with), its angle and its temperature; a candidate whose model is no
 * longer configured gets a group without a model, and cannot be asked
 * again (the retry says why).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-runner"

#include "config.h"

#include "cs-knobs.h"
#include "cs-mode.h"
#include "cs-run-plan.h"

/* @candidate's model as the configuration now has it, asked with the
 * settings @candidate's request went with (kept in the run file, so a run
 * reopened from the history keeps them); a candidate saved before they
 * were kept takes the run's knobs over the model's defaults. */
static CsModelConfig *
model_now (CsConfig    *config,
           CsRun       *run,
           CsCandidate *candidate)
{
  const char *model_id = cs_candidate_get_model (candidate);
  const CsModelConfig *model = model_id != NULL ? cs_config_find_model (config, model_id) : NULL;
  const CsProviderConfig *provider;
  CsApiDialect dialect;
  g_autoptr(CsKnobs) recorded = NULL;
  g_autoptr(CsKnobs) knobs = NULL;

  if (model == NULL)
    return NULL;
  provider = cs_config_find_provider (config, model->provider);
  dialect = provider != NULL ? provider->api : CS_API_OPENAI_CHAT;
  recorded = cs_knobs_new_from_candidate (candidate);
  if (recorded->n > 0)
    return cs_knobs_apply_exact (recorded, model, dialect);
  knobs = cs_knobs_new ();
  cs_knobs_merge (knobs, cs_run_get_knobs (run, model->id));
  return cs_knobs_apply (knobs, model, dialect);
}

guint
_cs_run_plan_adopt (CsConfig  *config,
                    CsRun     *run,
                    GPtrArray *groups,
                    GPtrArray *slots)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (run));
  guint adopted = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CsCandidate) candidate = g_list_model_get_item (G_LIST_MODEL (run), i);
      CsRunnerGroup *group;
      CsRunnerSlot *slot;
      gboolean known = FALSE;

      for (guint s = 0; s < slots->len && !known; s++)
        known = ((CsRunnerSlot *) g_ptr_array_index (slots, s))->candidate == candidate;
      if (known)
        continue;

      group = g_new0 (CsRunnerGroup, 1);
      group->own_model = model_now (config, run, candidate);
      group->model = group->own_model;
      group->angle = cs_mode_find_angle (cs_run_get_mode (run), cs_candidate_get_angle (candidate));
      group->temperature = cs_candidate_get_temperature (candidate);
      group->slots = g_ptr_array_new ();
      g_ptr_array_add (groups, group);

      slot = g_new0 (CsRunnerSlot, 1);
      slot->candidate = g_object_ref (candidate);
      slot->group = group;
      g_ptr_array_add (group->slots, slot);
      g_ptr_array_add (slots, slot);
      adopted++;
    }
  return adopted;
}
