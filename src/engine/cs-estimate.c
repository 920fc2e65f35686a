/* cs-estimate.c: what a planned run will cost, before it starts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-estimate"

#include "config.h"

#include <math.h>
#include <string.h>

#include "cs-estimate.h"
#include "cs-mode.h"
#include "cs-run-ranking.h"
#include "cs-runner-private.h"
#include "cs-token-count.h"

#define MAX_PAST_SAMPLES  200

static gint64
group_input_tokens (CsRunner      *runner,
                    CsRunnerGroup *group)
{
  g_auto(GStrv) keys = NULL;
  g_auto(GStrv) values = NULL;
  g_autoptr(JsonNode) messages = NULL;

  _cs_runner_get_constraints (runner->run, &keys, &values);
  messages = cs_mode_build_messages (cs_run_get_mode (runner->run),
                                     cs_run_get_problem (runner->run),
                                     (const char * const *) keys,
                                     (const char * const *) values,
                                     group->angle,
                                     group->model->structured != CS_STRUCTURED_JSON_SCHEMA);
  return cs_token_count_messages (messages);
}

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return x < y ? -1 : x > y;
}

/* The median output of @model's valid candidates in past runs; 0 without. */
static gint64
past_median (GListModel *history,
             CsRun      *skip,
             const char *model,
             guint      *samples)
{
  g_autoptr(GArray) outputs = g_array_new (FALSE, FALSE, sizeof (gint64));
  guint n_runs = history != NULL ? g_list_model_get_n_items (history) : 0;
  guint n;

  for (guint r = 0; r < n_runs && outputs->len < MAX_PAST_SAMPLES; r++)
    {
      g_autoptr(CsRun) run = g_list_model_get_item (history, r);
      guint n_cands;

      if (run == skip)
        continue;
      n_cands = g_list_model_get_n_items (G_LIST_MODEL (run));
      for (guint c = 0; c < n_cands; c++)
        {
          g_autoptr(CsCandidate) cand = g_list_model_get_item (G_LIST_MODEL (run), c);
          gint64 out = cs_candidate_get_output_tokens (cand);

          if (out > 0 && cs_candidate_get_status (cand) == CS_CANDIDATE_OK &&
              g_strcmp0 (cs_candidate_get_model (cand), model) == 0)
            g_array_append_val (outputs, out);
        }
    }

  *samples = n = outputs->len;
  if (n == 0)
    return 0;
  g_array_sort (outputs, compare_gint64);
  if (n % 2 == 1)
    return g_array_index (outputs, gint64, n / 2);
  return (g_array_index (outputs, gint64, n / 2 - 1) + g_array_index (outputs, gint64, n / 2)) / 2;
}

static void
line_free (CsEstimateLine *line)
{
  g_free (line->model);
  g_free (line->label);
  g_free (line->provider);
  g_free (line);
}

static gint64
output_cap (const CsModelConfig *model)
{
  return model->max_output_tokens > 0 ? (gint64) MIN (model->max_output_tokens, G_MAXINT32)
                                      : CS_ESTIMATE_ASSUMED_MAX_OUTPUT;
}

static CsEstimateLine *
line_new (CsRunner            *runner,
          const CsModelConfig *model,
          CsEstimateStage      stage)
{
  CsEstimateLine *line = g_new0 (CsEstimateLine, 1);
  const CsProviderConfig *provider = cs_config_find_provider (runner->config, model->provider);

  line->model = g_strdup (model->id);
  line->label = g_strdup (model->name != NULL && model->name[0] != '\0' ? model->name : model->id);
  line->provider = g_strdup (provider != NULL && provider->name != NULL && provider->name[0] != '\0'
                             ? provider->name : model->provider);
  line->stage = stage;
  line->is_judge = stage == CS_ESTIMATE_JUDGE || stage == CS_ESTIMATE_FALLBACK_JUDGE;
  line->output_capped = model->max_output_tokens > 0;
  line->priced = cs_model_config_has_price (model);
  return line;
}

static CsEstimateLine *
find_line (CsEstimate          *self,
           CsRunner            *runner,
           const CsModelConfig *model,
           CsEstimateStage      stage)
{
  CsEstimateLine *line;

  for (guint i = 0; i < self->lines->len; i++)
    {
      line = g_ptr_array_index (self->lines, i);
      if (line->stage == stage && g_str_equal (line->model, model->id))
        return line;
    }
  line = line_new (runner, model, stage);
  g_ptr_array_add (self->lines, line);
  return line;
}

static void
price_line (CsEstimateLine      *line,
            const CsModelConfig *model)
{
  if (!line->priced)
    return;
  line->usd_low = cs_model_config_cost (model, line->input_low, line->output_low);
  line->usd_high = cs_model_config_cost (model, line->input_tokens, line->output_high);
}

/* The figures every later stage reads: the prompt, and the candidates'
 * output low and high. */
typedef struct {
  gint64 prompt;
  gint64 out_low;
  gint64 out_high;
} Totals;

/* One line a model for the candidates; a repair a candidate in the upper
 * figure. */
static void
add_candidates (CsEstimate *self,
                CsRunner   *runner,
                GListModel *history,
                Totals     *totals)
{
  for (guint g = 0; g < runner->groups->len; g++)
    {
      CsRunnerGroup *group = g_ptr_array_index (runner->groups, g);
      CsEstimateLine *line = find_line (self, runner, group->model, CS_ESTIMATE_CANDIDATES);
      gint64 input = group_input_tokens (runner, group);
      guint n = group->slots->len;
      gint64 cap = output_cap (group->model);

      line->requests++;
      line->candidates += n;
      line->repairs += n;
      line->input_low += input;
      /* a repair: the prompt, a bad answer and its errors */
      line->input_tokens += input + n * (input + cap);
      line->output_high += 2 * cap * n;
      totals->prompt = MAX (totals->prompt, input);
    }

  for (guint i = 0; i < self->lines->len; i++)
    {
      CsEstimateLine *line = g_ptr_array_index (self->lines, i);
      const CsModelConfig *model = NULL;
      gint64 median;

      for (guint g = 0; g < runner->groups->len && model == NULL; g++)
        {
          CsRunnerGroup *group = g_ptr_array_index (runner->groups, g);
          if (g_str_equal (group->model->id, line->model))
            model = group->model;
        }
      median = past_median (history, runner->run, line->model, &line->past_samples);
      line->output_low = MIN (median * line->candidates, line->output_high / 2);
      price_line (line, model);
      totals->out_low += line->output_low;
      /* what the candidates answer, without their repairs */
      totals->out_high += line->output_high / 2;
    }
}

/* With peer ranking: each candidate's model ranks the others. */
static void
add_ranking (CsEstimate   *self,
             CsRunner     *runner,
             const Totals *totals)
{
  guint n_candidates = runner->slots->len;

  if (!cs_run_get_rank (runner->run) || n_candidates < CS_RUNNER_RANK_MIN_CANDIDATES)
    return;

  for (guint g = 0; g < runner->groups->len; g++)
    {
      CsRunnerGroup *group = g_ptr_array_index (runner->groups, g);
      CsEstimateLine *own = find_line (self, runner, group->model, CS_ESTIMATE_CANDIDATES);
      CsEstimateLine *line = find_line (self, runner, group->model, CS_ESTIMATE_RANKING);
      gint64 input = group_input_tokens (runner, group);
      guint n = group->slots->len;
      /* one of its own candidates' share of the output figures */
      gint64 own_low = own->candidates > 0 ? own->output_low / own->candidates : 0;
      gint64 own_high = output_cap (group->model);

      line->candidates += n;
      line->requests += n;
      line->input_low += n * (input + MAX (totals->out_low - own_low, 0));
      line->input_tokens += n * (input + MAX (totals->out_high - own_high, 0));
      line->output_high += n * output_cap (group->model);
    }
  for (guint i = 0; i < self->lines->len; i++)
    {
      CsEstimateLine *line = g_ptr_array_index (self->lines, i);

      if (line->stage == CS_ESTIMATE_RANKING)
        for (guint g = 0; g < runner->groups->len; g++)
          {
            CsRunnerGroup *group = g_ptr_array_index (runner->groups, g);

            if (g_str_equal (group->model->id, line->model))
              {
                price_line (line, group->model);
                break;
              }
          }
    }
}

/* The judge reads the prompt and every candidate's answer; a repair in
 * the upper figure. The fallback judge, asked only when the judge fails,
 * counts a request and its repair in the upper figure. */
static void
add_judge (CsEstimate      *self,
           CsRunner        *runner,
           const char      *judge_id,
           CsEstimateStage  stage,
           const Totals    *totals)
{
  const CsModelConfig *judge;
  CsEstimateLine *line;
  gint64 cap, input_high;

  if (judge_id == NULL || judge_id[0] == '\0' ||
      (judge = cs_config_find_model (runner->config, judge_id)) == NULL)
    return;

  line = line_new (runner, judge, stage);
  cap = output_cap (judge);
  input_high = totals->prompt + totals->out_high;
  if (stage == CS_ESTIMATE_JUDGE)
    {
      line->requests = 1;
      line->repairs = 1;
      line->input_low = totals->prompt + totals->out_low;
    }
  else
    line->repairs = 2;
  /* a repair: the judge's prompt, a bad verdict and its errors */
  line->input_tokens = input_high + (input_high + cap);
  line->output_high = 2 * cap;
  price_line (line, judge);
  g_ptr_array_add (self->lines, line);
}

CsEstimate *
cs_estimate_new (CsRunner   *runner,
                 GListModel *history)
{
  CsEstimate *self;
  Totals totals = { 0 };
  const char *judge;
  const char *fallback;

  g_return_val_if_fail (CS_IS_RUNNER (runner), NULL);

  self = g_new0 (CsEstimate, 1);
  self->lines = g_ptr_array_new_with_free_func ((GDestroyNotify) line_free);
  self->priced = TRUE;

  add_candidates (self, runner, history, &totals);
  add_ranking (self, runner, &totals);
  judge = cs_run_get_judge (runner->run);
  add_judge (self, runner, judge, CS_ESTIMATE_JUDGE, &totals);
  fallback = cs_run_get_fallback_judge (runner->run);
  if (judge != NULL && judge[0] != '\0' && g_strcmp0 (fallback, judge) != 0)
    add_judge (self, runner, fallback, CS_ESTIMATE_FALLBACK_JUDGE, &totals);

  for (guint i = 0; i < self->lines->len; i++)
    {
      CsEstimateLine *line = g_ptr_array_index (self->lines, i);

      self->requests += line->requests;
      self->repairs += line->repairs;
      self->input_tokens += line->input_tokens;
      self->output_low += line->output_low;
      self->output_high += line->output_high;
      self->priced = self->priced && line->priced;
      self->usd_low += line->usd_low;
      self->usd_high += line->usd_high;
    }

  return self;
}

void
cs_estimate_free (CsEstimate *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->lines, g_ptr_array_unref);
  g_free (self);
}

gboolean
cs_estimate_exceeds (const CsEstimate *self,
                     double            budget_usd)
{
  g_return_val_if_fail (self != NULL, TRUE);

  if (isnan (budget_usd))
    return FALSE;
  return !self->priced || self->usd_high > budget_usd;
}

char *
cs_estimate_dup_unpriced (const CsEstimate *self)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();

  g_return_val_if_fail (self != NULL, NULL);

  for (guint i = 0; i < self->lines->len; i++)
    {
      const CsEstimateLine *line = g_ptr_array_index (self->lines, i);
      gboolean seen = FALSE;

      if (line->priced)
        continue;
      for (guint k = 0; k < names->len && !seen; k++)
        seen = g_str_equal (g_ptr_array_index (names, k), line->label);
      if (!seen)
        g_ptr_array_add (names, line->label);
    }
  if (names->len == 0)
    return NULL;
  g_ptr_array_add (names, NULL);
  return g_strjoinv (", ", (char **) names->pdata);
}
