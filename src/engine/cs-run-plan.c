/* cs-run-plan.c: a run's candidates, and the requests they share
 *
 * Each "provider/model[:COUNT]" gives COUNT candidates (1..16, at most 32
 * in a run), ids c1..cN in order. Diversity comes first from the mode's
 * angles: they are dealt out over ALL candidates of the run in turn (c1
 * gets the first angle, c2 the second, …), so different models get
 * different angles and one model with several candidates covers several
 * angles. A request with n > 1 shares one prompt, so only candidates of the
 * same model AND the same angle are grouped into one request, with up to
 * the model's max-n choices; e.g. 8 candidates of a max-n=4 model in a mode
 * with three angles become three requests (3+3+2 choices) instead of eight,
 * each request with its own angle. The second source of diversity is the
 * temperature: the model's configured temperature if it has one; otherwise,
 * when the model takes a temperature and sends more than one request, the
 * requests get 0.4, 0.7, 1.0, 0.4, … in turn (one request alone is left to
 * the provider's default). Reasoning effort, verbosity and the maximum
 * output tokens come from the model config. The run's knobs (cs-knobs.h)
 * override all of these, and n (the model's max-n), for a model: those set
 * for its id, then those set for the spec as written.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-runner"

#include "config.h"

#include <math.h>
#include <string.h>

#include "cs-run-plan.h"
#include "cs-runner.h"

#define CS_RUNNER_MAX_COUNT       16
#define CS_RUNNER_MAX_CANDIDATES  32

static const double temperature_spread[] = { 0.4, 0.7, 1.0 };

void
_cs_runner_group_free (CsRunnerGroup *group)
{
  g_clear_pointer (&group->slots, g_ptr_array_unref);
  g_clear_pointer (&group->messages, json_node_unref);
  g_clear_pointer (&group->own_model, cs_model_config_free);
  g_free (group);
}

void
_cs_runner_slot_free (CsRunnerSlot *slot)
{
  g_assert (slot->request == NULL);
  g_clear_object (&slot->candidate);
  g_clear_object (&slot->retry_task);
  g_free (slot);
}

static char *
known_models (CsConfig *config)
{
  g_autoptr(GPtrArray) models = cs_config_list_models (config);
  g_autoptr(GString) str = g_string_new (NULL);

  for (guint i = 0; i < models->len; i++)
    {
      const CsModelConfig *m = g_ptr_array_index (models, i);
      if (i > 0)
        g_string_append (str, ", ");
      g_string_append (str, m->id);
    }
  if (str->len == 0)
    g_string_append (str, "none configured");
  return g_string_free (g_steal_pointer (&str), FALSE);
}

/* "provider/model" or "provider/model:COUNT". Model names may contain
 * colons (Ollama's "qwen3:8b"): a whole name that is configured wins. */
static const CsModelConfig *
parse_model_spec (CsConfig    *config,
                  const char  *spec,
                  guint       *count,
                  GError     **error)
{
  const CsModelConfig *model;
  const char *colon;

  *count = 1;
  if (spec == NULL || spec[0] == '\0')
    {
      g_set_error_literal (error, CS_RUNNER_ERROR, CS_RUNNER_ERROR_CONFIG,
                           "empty model name");
      return NULL;
    }

  model = cs_config_find_model (config, spec);
  if (model != NULL)
    return model;

  colon = strrchr (spec, ':');
  if (colon != NULL && colon[1] != '\0' && strspn (colon + 1, "0123456789") == strlen (colon + 1))
    {
      g_autofree char *id = g_strndup (spec, colon - spec);
      guint64 n = g_ascii_strtoull (colon + 1, NULL, 10);

      model = cs_config_find_model (config, id);
      if (model == NULL)
        {
          g_autofree char *known = known_models (config);
          g_set_error (error, CS_RUNNER_ERROR, CS_RUNNER_ERROR_CONFIG,
                       "unknown model %s (known: %s)", id, known);
          return NULL;
        }
      if (n < 1 || n > CS_RUNNER_MAX_COUNT)
        {
          g_set_error (error, CS_RUNNER_ERROR, CS_RUNNER_ERROR_CONFIG,
                       "%s: the number of candidates must be between 1 and %d",
                       spec, CS_RUNNER_MAX_COUNT);
          return NULL;
        }
      *count = (guint)n;
      return model;
    }

  {
    g_autofree char *known = known_models (config);
    g_set_error (error, CS_RUNNER_ERROR, CS_RUNNER_ERROR_CONFIG,
                 "unknown model %s (known: %s)", spec, known);
  }
  return NULL;
}

/* Finds a group of @model's with @angle and room left, or makes one. */
static CsRunnerGroup *
group_for (const CsModelConfig *model,
           const CsAngle       *angle,
           GPtrArray           *model_groups,
           GPtrArray           *groups)
{
  guint max_n = MAX (model->max_n, 1);
  CsRunnerGroup *group;

  for (guint g = 0; g < model_groups->len; g++)
    {
      group = g_ptr_array_index (model_groups, g);
      if (group->angle == angle && group->slots->len < max_n)
        return group;
    }

  group = g_new0 (CsRunnerGroup, 1);
  group->own_model = cs_model_config_copy (model);
  group->model = group->own_model;
  group->angle = angle;
  group->temperature = NAN;
  group->slots = g_ptr_array_new ();
  g_ptr_array_add (model_groups, group);
  g_ptr_array_add (groups, group);
  return group;
}

/* Each candidate of @group records the knobs its request goes with. */
static void
record_knobs (CsRunnerGroup *group)
{
  const CsModelConfig *model = group->model;

  for (guint s = 0; s < group->slots->len; s++)
    {
      CsRunnerSlot *slot = g_ptr_array_index (group->slots, s);
      if (model->supports_temperature)
        cs_candidate_set_temperature (slot->candidate, group->temperature);
      cs_candidate_set_reasoning_effort (slot->candidate, model->reasoning_effort);
      cs_candidate_set_verbosity (slot->candidate, model->verbosity);
      cs_candidate_set_max_output_tokens (slot->candidate, (gint64) MIN (model->max_output_tokens, G_MAXINT64));
      cs_candidate_set_request_n (slot->candidate, group->slots->len);
      cs_candidate_set_price_known (slot->candidate, cs_model_config_has_price (model));
    }
}

/* Temperatures per request (see the top comment). */
static void
spread_temperatures (const CsModelConfig *model,
                     GPtrArray           *model_groups)
{
  for (guint g = 0; g < model_groups->len; g++)
    {
      CsRunnerGroup *group = g_ptr_array_index (model_groups, g);

      if (!model->supports_temperature)
        group->temperature = NAN;
      else if (!isnan (model->temperature))
        group->temperature = model->temperature;
      else if (model_groups->len > 1)
        group->temperature = temperature_spread[g % G_N_ELEMENTS (temperature_spread)];
      else
        group->temperature = NAN;
      record_knobs (group);
    }
}

/* Makes @count candidates of @model, taking angles and ids from the run's
 * counters. */
static void
plan_model (const CsModelConfig *model,
            guint                count,
            const CsAngle       *angles,
            guint                n_angles,
            guint               *next_angle,
            guint               *next_id,
            GPtrArray           *groups,
            GPtrArray           *slots)
{
  g_autoptr(GPtrArray) model_groups = g_ptr_array_new ();

  for (guint k = 0; k < count; k++)
    {
      const CsAngle *angle = n_angles > 0 ? &angles[(*next_angle)++ % n_angles] : NULL;
      g_autofree char *id = g_strdup_printf ("c%u", (*next_id)++);
      CsRunnerGroup *group = group_for (model, angle, model_groups, groups);
      CsRunnerSlot *slot;

      slot = g_new0 (CsRunnerSlot, 1);
      slot->candidate = cs_candidate_new (id, model->id, angle ? angle->id : NULL);
      slot->group = group;
      g_ptr_array_add (group->slots, slot);
      g_ptr_array_add (slots, slot);
    }

  spread_temperatures (model, model_groups);
}

/* @model as this run uses it: its knobs applied (a copy). */
static CsModelConfig *
effective_model (CsConfig            *config,
                 CsRun               *run,
                 const char          *spec,
                 const CsModelConfig *model)
{
  g_autoptr(CsKnobs) knobs = cs_knobs_new ();
  const CsProviderConfig *provider = cs_config_find_provider (config, model->provider);

  cs_knobs_merge (knobs, cs_run_get_knobs (run, model->id));
  if (g_strcmp0 (spec, model->id) != 0)
    cs_knobs_merge (knobs, cs_run_get_knobs (run, spec));
  return cs_knobs_apply (knobs, model, provider != NULL ? provider->api : CS_API_OPENAI_CHAT);
}

gboolean
_cs_run_plan_add (CsConfig           *config,
                  CsRun              *run,
                  const char * const *models,
                  GPtrArray          *groups,
                  GPtrArray          *slots,
                  GError            **error)
{
  g_autoptr(GPtrArray) chosen = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_model_config_free);
  g_autoptr(GArray) counts = g_array_new (FALSE, FALSE, sizeof (guint));
  const CsAngle *angles;
  guint n_angles = 0;
  guint total = 0;
  guint next_angle;
  guint next_id;

  if (models == NULL || models[0] == NULL)
    {
      g_set_error_literal (error, CS_RUNNER_ERROR, CS_RUNNER_ERROR_CONFIG,
                           "no model was chosen");
      return FALSE;
    }

  for (guint i = 0; models[i] != NULL; i++)
    {
      guint count;
      const CsModelConfig *model = parse_model_spec (config, models[i], &count, error);

      if (model == NULL)
        return FALSE;
      g_ptr_array_add (chosen, effective_model (config, run, models[i], model));
      g_array_append_val (counts, count);
      total += count;
    }

  if (total + slots->len > CS_RUNNER_MAX_CANDIDATES)
    {
      g_set_error (error, CS_RUNNER_ERROR, CS_RUNNER_ERROR_CONFIG,
                   "too many candidates (%u): a run has at most %d",
                   total + slots->len, CS_RUNNER_MAX_CANDIDATES);
      return FALSE;
    }

  angles = cs_mode_get_angles (cs_run_get_mode (run), &n_angles);
  next_id = slots->len + 1;
  next_angle = slots->len; /* a second plan goes on dealing angles */

  for (guint i = 0; i < chosen->len; i++)
    plan_model (g_ptr_array_index (chosen, i), g_array_index (counts, guint, i),
                angles, n_angles, &next_angle, &next_id, groups, slots);

  /* add to the run in id order */
  for (guint i = 0; i < slots->len; i++)
    {
      CsRunnerSlot *slot = g_ptr_array_index (slots, i);
      if (cs_run_find_candidate (run, cs_candidate_get_id (slot->candidate)) == NULL)
        cs_run_add_candidate (run, slot->candidate);
    }

  return TRUE;
}

/* Follow-ups (scope all) */

static const CsAngle *
find_angle (CsRun      *run,
            const char *id)
{
  guint n_angles = 0;
  const CsAngle *angles = cs_mode_get_angles (cs_run_get_mode (run), &n_angles);

  for (guint i = 0; id != NULL && i < n_angles; i++)
    if (g_strcmp0 (angles[i].id, id) == 0)
      return &angles[i];
  return NULL;
}

static gboolean
same_knobs (const CsModelConfig *a,
            const CsModelConfig *b)
{
  return g_str_equal (a->id, b->id) &&
         (a->temperature == b->temperature || (isnan (a->temperature) && isnan (b->temperature))) &&
         g_strcmp0 (a->reasoning_effort, b->reasoning_effort) == 0 &&
         g_strcmp0 (a->verbosity, b->verbosity) == 0 &&
         a->max_output_tokens == b->max_output_tokens &&
         a->max_n == b->max_n;
}

/* @previous as a follow-up asks it: the knobs its request went with (a run
 * file from before they were kept: the model's defaults), then @overrides'
 * for its model. */
static CsModelConfig *
asked_again (CsConfig            *config,
             CsCandidate         *previous,
             const CsModelConfig *model,
             GHashTable          *overrides)
{
  const CsProviderConfig *provider = cs_config_find_provider (config, model->provider);
  CsApiDialect dialect = provider != NULL ? provider->api : CS_API_OPENAI_CHAT;
  g_autoptr(CsKnobs) recorded = cs_knobs_new_from_candidate (previous);
  g_autoptr(CsModelConfig) base = NULL;
  const CsKnobs *over = overrides != NULL ? g_hash_table_lookup (overrides, model->id) : NULL;

  if (recorded->n > 0)
    base = cs_knobs_apply_exact (recorded, model, dialect);
  else
    base = cs_model_config_copy (model);
  return cs_knobs_apply (over, base, dialect);
}

gboolean
_cs_run_plan_again (CsConfig   *config,
                    CsRun      *run,
                    GPtrArray  *previous,
                    GHashTable *overrides,
                    GPtrArray  *groups,
                    GPtrArray  *slots,
                    GError    **error)
{
  g_autoptr(GPtrArray) mine = g_ptr_array_new ();

  if (previous == NULL || previous->len == 0 || previous->len + slots->len > CS_RUNNER_MAX_CANDIDATES)
    {
      g_set_error_literal (error, CS_RUNNER_ERROR, CS_RUNNER_ERROR_CONFIG,
                           "the run has no candidates to ask again");
      return FALSE;
    }

  for (guint i = 0; i < previous->len; i++)
    {
      CsCandidate *before = g_ptr_array_index (previous, i);
      const CsModelConfig *model = cs_config_find_model (config, cs_candidate_get_model (before));
      const CsAngle *angle = find_angle (run, cs_candidate_get_angle (before));
      g_autoptr(CsModelConfig) asked = NULL;
      g_autofree char *id = g_strdup_printf ("c%u", slots->len + 1);
      CsRunnerGroup *group = NULL;
      CsRunnerSlot *slot;

      if (model == NULL)
        {
          g_set_error (error, CS_RUNNER_ERROR, CS_RUNNER_ERROR_CONFIG,
                       "unknown model %s", cs_candidate_get_model (before));
          return FALSE;
        }
      asked = asked_again (config, before, model, overrides);
      /* the same model, angle and knobs share a request, as they did */
      for (guint g = 0; g < mine->len && group == NULL; g++)
        {
          CsRunnerGroup *candidate_group = g_ptr_array_index (mine, g);

          if (candidate_group->angle == angle && same_knobs (candidate_group->model, asked) &&
              candidate_group->slots->len < MAX (asked->max_n, 1))
            group = candidate_group;
        }
      if (group == NULL)
        {
          group = g_new0 (CsRunnerGroup, 1);
          group->own_model = g_steal_pointer (&asked);
          group->model = group->own_model;
          group->angle = angle;
          group->temperature = group->model->supports_temperature ? group->model->temperature : NAN;
          group->slots = g_ptr_array_new ();
          g_ptr_array_add (mine, group);
          g_ptr_array_add (groups, group);
        }

      slot = g_new0 (CsRunnerSlot, 1);
      slot->candidate = cs_candidate_new (id, model->id, angle != NULL ? angle->id : cs_candidate_get_angle (before));
      slot->group = group;
      g_ptr_array_add (group->slots, slot);
      g_ptr_array_add (slots, slot);
    }

  for (guint g = 0; g < mine->len; g++)
    record_knobs (g_ptr_array_index (mine, g));
  for (guint i = 0; i < slots->len; i++)
    {
      CsRunnerSlot *slot = g_ptr_array_index (slots, i);
      if (cs_run_find_candidate (run, cs_candidate_get_id (slot->candidate)) == NULL)
        cs_run_add_candidate (run, slot->candidate);
    }
  return TRUE;
}
