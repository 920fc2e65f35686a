/* cs-runner-follow-up.c: a follow-up round of a finished run
 *
 * cs_runner_new_follow_up () checks everything a round needs before it
 * changes anything: a result to follow up on, a question or step reports,
 * reports that name steps of the current checklist with outputs of a size
 * kept verbatim, the run's judge and models still configured, and budget
 * left (the budget is the run's, every round included: a run that has
 * spent it is refused, cs_runner_check_budget_left ()). The round
 * starts when the runner executes (_cs_runner_follow_up_begin ()):
 *
 * - scope judge: no candidate is asked again; the run's judge revises the
 *   current result, given the problem, the candidates it was made from,
 *   the follow-up and every step tried so far (the runner's judge request,
 *   with the current result in place of the fusion);
 * - scope all: every candidate of the current round is asked again (the
 *   same models, angles and counts, the prompts with the follow-up
 *   section), then votes, consensus and the judge run as in the first
 *   round.
 *
 * Both ask with the settings the run used, not the providers file's: each
 * candidate's request goes with the knobs its predecessor's went with (the
 * run file keeps them per candidate), the judge's with those the current
 * round's judge request went with (cs_round_get_judge_knobs ()); knobs set
 * for the round (cs_runner_set_round_knobs ()) go on top.
 *
 * How it ends is the runner's (cs-runner-progress.c), which hands it here
 * (_cs_runner_follow_up_end ()): a result makes the round current (and a
 * step reported as worked closes the session with a resolution); a
 * failure or a cancel leaves the previous result in place and says why.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-runner"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <math.h>
#include <string.h>

#include "cs-mode.h"
#include "cs-run-private.h"
#include "cs-runner-private.h"

struct _CsRunnerFollowUp
{
  CsRoundScope  scope;
  char         *text;
  GPtrArray    *reports;    /* of CsStepReport*, titles filled in */
  GHashTable   *overrides;  /* model → CsKnobs*: this round's own, or NULL */
  char         *judge_model_before;  /* the judge the current round asked, once begun */
  CsKnobs      *judge_knobs_before;  /* with these settings, or NULL */
  char         *context;    /* the prompts' follow-up section, once begun */
  CsRound      *round;      /* once begun; the run's */
};

void
_cs_runner_follow_up_free (CsRunnerFollowUp *follow_up)
{
  if (follow_up == NULL)
    return;
  g_free (follow_up->text);
  g_clear_pointer (&follow_up->reports, g_ptr_array_unref);
  g_clear_pointer (&follow_up->overrides, g_hash_table_unref);
  g_free (follow_up->judge_model_before);
  g_clear_pointer (&follow_up->judge_knobs_before, cs_knobs_free);
  g_free (follow_up->context);
  g_free (follow_up);
}

/* Checks */

static char *
known_models (CsConfig *config)
{
  g_autoptr(GPtrArray) all = cs_config_list_models (config);
  g_autoptr(GString) known = g_string_new (NULL);

  for (guint i = 0; i < all->len; i++)
    g_string_append_printf (known, "%s%s", i ? ", " : "", ((const CsModelConfig *)g_ptr_array_index (all, i))->id);
  if (known->len == 0)
    return NULL;
  return g_string_free (g_steal_pointer (&known), FALSE);
}

static gboolean
check_judge (CsConfig      *config,
             CsRun         *run,
             CsRoundScope   scope,
             GError       **error)
{
  const char *judge = cs_run_get_judge (run);
  g_autofree char *known = NULL;

  if (judge == NULL)
    {
      if (scope == CS_ROUND_SCOPE_ALL)
        return TRUE;
      g_set_error_literal (error, CS_RUNNER_ERROR, CS_RUNNER_ERROR_CONFIG,
                           _("This run has no judge model to revise its result: ask every model "
                           "again (scope all) instead"));
      return FALSE;
    }
  if (cs_config_find_model (config, judge) != NULL)
    return TRUE;
  known = known_models (config);
  g_set_error (error, CS_RUNNER_ERROR, CS_RUNNER_ERROR_CONFIG,
               _("The run's judge model %s is no longer in the configuration (known: %s); "
               "add it back to follow up on this run"),
               judge, known != NULL ? known : _("none configured"));
  return FALSE;
}

/* The current round's models as plan specs, each with its count. */
static GStrv
current_models (CsConfig  *config,
                CsRun     *run,
                GError   **error)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GArray) counts = g_array_new (FALSE, TRUE, sizeof (guint));
  g_autoptr(GStrvBuilder) specs = g_strv_builder_new ();
  guint n = g_list_model_get_n_items (G_LIST_MODEL (run));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CsCandidate) c = g_list_model_get_item (G_LIST_MODEL (run), i);
      const char *model = cs_candidate_get_model (c);
      guint at;

      if (model == NULL)
        continue;
      if (!g_ptr_array_find_with_equal_func (names, model, g_str_equal, &at))
        {
          guint zero = 0;

          if (cs_config_find_model (config, model) == NULL)
            {
              g_autofree char *known = known_models (config);

              g_set_error (error, CS_RUNNER_ERROR, CS_RUNNER_ERROR_CONFIG,
                           _("The run's model %s is no longer in the configuration (known: %s); "
                           "add it back, or let the judge alone answer (scope judge)"),
                           model, known != NULL ? known : _("none configured"));
              return NULL;
            }
          g_ptr_array_add (names, (gpointer)model);
          g_array_append_val (counts, zero);
          at = names->len - 1;
        }
      g_array_index (counts, guint, at)++;
    }
  if (names->len == 0)
    {
      g_set_error_literal (error, CS_RUNNER_ERROR, CS_RUNNER_ERROR_CONFIG,
                           _("The run has no candidates whose models could be asked again"));
      return NULL;
    }
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *spec = g_strdup_printf ("%s:%u", (const char *)g_ptr_array_index (names, i),
                                               g_array_index (counts, guint, i));
      g_strv_builder_add (specs, spec);
    }
  return g_strv_builder_end (specs);
}

/* Copies of @reports with the title and command of the steps they name in
 * the current checklist; NULL with an error for a step it does not have. */
static GPtrArray *
resolve_reports (CsRun      *run,
                 GPtrArray  *reports,
                 GError    **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify)cs_step_report_free);
  CsResult *result = cs_run_get_result (run);
  CsChecklist *checklist = result != NULL ? cs_result_get_checklist (result) : NULL;
  GPtrArray *steps = checklist != NULL ? cs_checklist_get_steps (checklist) : NULL;
  guint round = cs_round_get_index (cs_run_get_current_round (run));

  for (guint i = 0; reports != NULL && i < reports->len; i++)
    {
      const CsStepReport *r = g_ptr_array_index (reports, i);
      CsStepReport *copy;
      const CsStep *step;

      if (cs_run_get_mode (run) != CS_MODE_SUPPORT || steps == NULL)
        {
          g_set_error_literal (error, CS_RUNNER_ERROR, CS_RUNNER_ERROR_INPUT,
                               _("Step reports need a checklist: this run is not a Tech Support run"));
          return NULL;
        }
      if (!cs_step_report_check (r, error))
        return NULL;
      if (r->step > steps->len)
        {
          g_set_error (error, CS_RUNNER_ERROR, CS_RUNNER_ERROR_INPUT,
                       _("The checklist of round %u has %u steps; there is no step %u"),
                       round, steps->len, r->step);
          return NULL;
        }
      for (guint j = 0; j < out->len; j++)
        if (((CsStepReport *)g_ptr_array_index (out, j))->step == r->step)
          {
            g_set_error (error, CS_RUNNER_ERROR, CS_RUNNER_ERROR_INPUT,
                         _("Step %u is reported twice"), r->step);
            return NULL;
          }
      step = g_ptr_array_index (steps, r->step - 1);
      copy = cs_step_report_copy (r);
      g_free (copy->title);
      g_free (copy->command);
      copy->title = g_strdup (step->title);
      copy->command = g_strdup (step->command);
      copy->round = round;
      g_ptr_array_add (out, copy);
    }
  return g_steal_pointer (&out);
}

CsRunner *
cs_runner_new_follow_up (CsConfig      *config,
                         CsRun         *run,
                         CsRoundScope   scope,
                         const char    *follow_up,
                         GPtrArray     *step_reports,
                         GError       **error)
{
  g_autoptr(CsRunner) self = NULL;
  g_autoptr(GPtrArray) reports = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) models = NULL;  /* checked only: every model still configured */

  g_return_val_if_fail (CS_IS_CONFIG (config), NULL);
  g_return_val_if_fail (CS_IS_RUN (run), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (scope != CS_ROUND_SCOPE_JUDGE && scope != CS_ROUND_SCOPE_ALL)
    {
      g_set_error_literal (error, CS_RUNNER_ERROR, CS_RUNNER_ERROR_INPUT,
                           _("A follow-up's scope is judge or all"));
      return NULL;
    }
  if (cs_run_get_state (run) != CS_RUN_DONE || cs_run_get_result (run) == NULL)
    {
      g_set_error (error, CS_RUNNER_ERROR, CS_RUNNER_ERROR_INPUT,
                   _("The run has no result to follow up on (it is %s)"),
                   cs_run_state_to_string (cs_run_get_state (run)));
      return NULL;
    }
  text = g_strstrip (g_strdup (follow_up != NULL ? follow_up : ""));
  if (text[0] == '\0' && (step_reports == NULL || step_reports->len == 0))
    {
      g_set_error_literal (error, CS_RUNNER_ERROR, CS_RUNNER_ERROR_INPUT,
                           _("A follow-up needs a question or at least one step report"));
      return NULL;
    }
  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error_literal (error, CS_RUNNER_ERROR, CS_RUNNER_ERROR_INPUT,
                           _("The follow-up is not UTF-8 text"));
      return NULL;
    }
  reports = resolve_reports (run, step_reports, error);
  if (reports == NULL || !check_judge (config, run, scope, error))
    return NULL;
  if (scope == CS_ROUND_SCOPE_ALL && (models = current_models (config, run, error)) == NULL)
    return NULL;
  if (!cs_runner_check_budget_left (run, error))
    return NULL;

  self = cs_runner_new (config, run);
  self->follow_up = g_new0 (CsRunnerFollowUp, 1);
  self->follow_up->scope = scope;
  self->follow_up->text = text[0] != '\0' ? g_steal_pointer (&text) : NULL;
  self->follow_up->reports = g_steal_pointer (&reports);
  return g_steal_pointer (&self);
}

void
cs_runner_set_round_knobs (CsRunner      *self,
                           const char    *model,
                           const CsKnobs *knobs)
{
  CsRunnerFollowUp *f;

  g_return_if_fail (CS_IS_RUNNER (self));
  g_return_if_fail (self->follow_up != NULL && self->follow_up->round == NULL);
  g_return_if_fail (model != NULL);

  f = self->follow_up;
  if (knobs == NULL || cs_knobs_is_empty (knobs))
    {
      if (f->overrides != NULL)
        g_hash_table_remove (f->overrides, model);
      return;
    }
  if (f->overrides == NULL)
    f->overrides = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) cs_knobs_free);
  g_hash_table_replace (f->overrides, g_strdup (model), cs_knobs_copy (knobs));
}

CsModelConfig *
_cs_runner_judge_model (CsRunner            *self,
                        const CsModelConfig *judge)
{
  const CsProviderConfig *provider = cs_config_find_provider (self->config, judge->provider);
  CsApiDialect dialect = provider != NULL ? provider->api : CS_API_OPENAI_CHAT;
  CsRunnerFollowUp *f = self->follow_up;
  g_autoptr(CsModelConfig) base = NULL;
  const CsKnobs *over;
  CsModelConfig *model;

  if (f == NULL)
    {
      base = cs_model_config_copy (judge);
      over = cs_run_get_knobs (self->run, judge->id);
    }
  else
    {
      if (f->judge_knobs_before != NULL && g_strcmp0 (f->judge_model_before, judge->id) == 0)
        base = cs_knobs_apply_exact (f->judge_knobs_before, judge, dialect);
      else
        base = cs_model_config_copy (judge);
      over = f->overrides != NULL ? g_hash_table_lookup (f->overrides, judge->id) : NULL;
    }
  model = cs_knobs_apply (over, base, dialect);
  model->max_n = 1;
  return model;
}

void
_cs_runner_record_judge_knobs (CsRunner            *self,
                               const CsModelConfig *asked)
{
  g_autoptr(CsKnobs) knobs = cs_knobs_new ();

  knobs->temperature = asked->supports_temperature ? asked->temperature : NAN;
  knobs->reasoning_effort = g_strdup (asked->reasoning_effort);
  knobs->verbosity = g_strdup (asked->verbosity);
  knobs->max_output_tokens = asked->max_output_tokens;
  _cs_round_set_judge_knobs (cs_run_get_current_round (self->run), asked->id, knobs);
}

/* Every step reported so far, in every round, then this round's. */
static GPtrArray *
all_tried (CsRun     *run,
           GPtrArray *new_reports)
{
  GPtrArray *tried = g_ptr_array_new ();
  guint n = cs_run_get_n_rounds (run);

  for (guint i = 1; i <= n; i++)
    {
      GPtrArray *reports = cs_round_get_step_reports (cs_run_get_round (run, i));

      for (guint j = 0; j < reports->len; j++)
        g_ptr_array_add (tried, g_ptr_array_index (reports, j));
    }
  for (guint j = 0; new_reports != NULL && j < new_reports->len; j++)
    if (!g_ptr_array_find (tried, g_ptr_array_index (new_reports, j), NULL))
      g_ptr_array_add (tried, g_ptr_array_index (new_reports, j));
  return tried;
}

/* The answer part of the current result, in the mode's schema. */
static JsonNode *
current_data (CsRun *run)
{
  CsResult *result = cs_run_get_result (run);

  if (result == NULL)
    return NULL;
  if (cs_result_get_checklist (result) != NULL)
    return cs_checklist_to_json (cs_result_get_checklist (result));
  if (cs_result_get_blueprint (result) != NULL)
    return cs_blueprint_to_json (cs_result_get_blueprint (result));
  return NULL;
}

gboolean
_cs_runner_follow_up_begin (CsRunner  *self,
                            GError   **error)
{
  CsRunnerFollowUp *f = self->follow_up;
  g_autoptr(JsonNode) data = current_data (self->run);
  g_autoptr(GPtrArray) tried = NULL;
  g_autoptr(GPtrArray) previous = NULL;
  guint current_index = cs_round_get_index (cs_run_get_current_round (self->run));

  if (f->round != NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PENDING, _("The follow-up has already run"));
      return FALSE;
    }
  /* checked again: the run may have moved on since the runner was made */
  if (cs_run_get_state (self->run) != CS_RUN_DONE || data == NULL)
    {
      g_set_error_literal (error, CS_RUNNER_ERROR, CS_RUNNER_ERROR_INPUT,
                           _("The run has no result to follow up on"));
      return FALSE;
    }
  if (!cs_runner_check_budget_left (self->run, error))
    return FALSE;

  {
    CsRound *before = cs_run_get_current_round (self->run);
    const char *judge_model = NULL;
    const CsKnobs *judge_knobs = cs_round_get_judge_knobs (before, &judge_model);

    GPtrArray *asked = cs_round_get_candidates (before);

    previous = g_ptr_array_new_with_free_func (g_object_unref);
    for (guint i = 0; i < asked->len; i++)
      g_ptr_array_add (previous, g_object_ref (g_ptr_array_index (asked, i)));
    f->judge_model_before = g_strdup (judge_model);
    f->judge_knobs_before = judge_knobs != NULL ? cs_knobs_copy (judge_knobs) : NULL;
  }
  tried = all_tried (self->run, f->reports);
  f->context = cs_mode_build_follow_up_context (cs_run_get_mode (self->run),
                                                cs_run_get_n_rounds (self->run) + 1, current_index,
                                                data, f->text, tried, f->reports);
  f->round = _cs_run_begin_round (self->run, f->scope, f->text, f->reports);
  cs_run_set_message (self->run, NULL);

  if (f->scope == CS_ROUND_SCOPE_ALL &&
      !_cs_run_plan_again (self->config, self->run, previous, f->overrides,
                           self->groups, self->slots, error))
    {
      _cs_run_end_round (self->run, CS_RUN_FAILED, (*error)->message);
      return FALSE;
    }
  return TRUE;
}

gboolean
_cs_runner_follow_up_judge_only (CsRunner *self)
{
  return self->follow_up != NULL && self->follow_up->scope == CS_ROUND_SCOPE_JUDGE;
}

/* Scope judge: the judge's stage at once (cs-runner-synthesis.c, with its
 * repair and fallback), the current result standing in for the fusion. */
void
_cs_runner_follow_up_start_judge (CsRunner *self)
{
  CsRound *previous = NULL;
  g_autoptr(GPtrArray) valid = g_ptr_array_new_with_free_func (g_object_unref);
  GPtrArray *candidates = cs_round_get_candidates (self->follow_up->round);

  for (guint i = cs_run_get_n_rounds (self->run) - 1; i >= 1 && previous == NULL; i--)
    if (cs_round_get_state (cs_run_get_round (self->run, i)) == CS_RUN_DONE)
      previous = cs_run_get_round (self->run, i);
  g_assert (previous != NULL);

  for (guint i = 0; i < candidates->len; i++)
    {
      CsCandidate *c = g_ptr_array_index (candidates, i);

      if (cs_candidate_get_status (c) == CS_CANDIDATE_OK && cs_candidate_get_data (c) != NULL)
        g_ptr_array_add (valid, g_object_ref (c));
    }

  self->phase = CS_RUNNER_PHASE_SYNTHESIZING;
  _cs_runner_set_run_state (self, CS_RUN_SYNTHESIZING);
  g_clear_pointer (&self->synth_valid, g_ptr_array_unref);
  self->synth_valid = g_steal_pointer (&valid);
  g_clear_pointer (&self->fused, json_node_unref);
  self->fused = json_node_ref (cs_round_get_synthesis (previous));
  _cs_runner_synthesis_continue (self);
}

JsonNode *
_cs_runner_follow_up_messages (CsRunner      *self,
                               const CsAngle *angle,
                               gboolean       schema_in_prompt)
{
  g_auto(GStrv) keys = NULL;
  g_auto(GStrv) values = NULL;

  _cs_runner_get_constraints (self->run, &keys, &values);
  return cs_mode_build_follow_up_messages (cs_run_get_mode (self->run),
                                           cs_run_get_problem (self->run),
                                           (const char * const *)keys,
                                           (const char * const *)values,
                                           angle, schema_in_prompt,
                                           self->follow_up->context);
}

void
_cs_runner_follow_up_extend_judge (CsRunner *self,
                                   JsonNode *messages)
{
  if (self->follow_up != NULL && self->follow_up->context != NULL &&
      messages != NULL && JSON_NODE_HOLDS_ARRAY (messages))
    cs_mode_add_follow_up_to_judge (messages, self->follow_up->context);
}

/* The end of the round */

static CsResolution *
make_resolution (CsRound  *round,
                 CsResult *result)
{
  GPtrArray *reports = cs_round_get_step_reports (round);
  CsChecklist *checklist = result != NULL ? cs_result_get_checklist (result) : NULL;
  const CsStepReport *worked = NULL;
  CsResolution *resolution;

  for (guint i = 0; i < reports->len && worked == NULL; i++)
    if (((CsStepReport *)g_ptr_array_index (reports, i))->outcome == CS_STEP_WORKED)
      worked = g_ptr_array_index (reports, i);
  if (worked == NULL || checklist == NULL)
    return NULL;

  resolution = g_new0 (CsResolution, 1);
  resolution->round = cs_round_get_index (round);
  resolution->step = worked->step;
  resolution->step_title = g_strdup (worked->title);
  resolution->summary = g_strdup (cs_checklist_get_summary (checklist));
  {
    GPtrArray *causes = cs_checklist_get_likely_causes (checklist);
    const CsCause *best = NULL;

    for (guint i = 0; i < causes->len; i++)
      {
        const CsCause *c = g_ptr_array_index (causes, i);

        if (best == NULL || (g_strcmp0 (c->likelihood, "high") == 0 && g_strcmp0 (best->likelihood, "high") != 0))
          best = c;
      }
    resolution->cause = best != NULL ? g_strdup (best->cause) : NULL;
  }
  return resolution;
}

gboolean
_cs_runner_follow_up_end (CsRunner   *self,
                          CsRunState  state,
                          const char *message)
{
  CsRunnerFollowUp *f = self->follow_up;

  if (f == NULL || f->round == NULL || cs_run_get_current_round (self->run) != f->round)
    return FALSE;

  if (state == CS_RUN_DONE)
    {
      if (cs_run_get_mode (self->run) == CS_MODE_SUPPORT)
        {
          g_autoptr(GPtrArray) tried = all_tried (self->run, NULL);
          g_autoptr(JsonNode) kept = _cs_round_drop_tried_steps (cs_run_get_synthesis (self->run), tried);

          if (kept != NULL)
            cs_run_set_synthesis (self->run, kept);
        }
      _cs_round_set_resolution (f->round, make_resolution (f->round, cs_run_get_result (self->run)));
      _cs_run_end_round (self->run, CS_RUN_DONE, message);
      /* the caller sets the run's state (done), which saves it */
      return FALSE;
    }

  _cs_run_end_round (self->run, state, message);
  if (self->store != NULL)
    cs_run_store_save (self->store, self->run);
  return TRUE;
}
