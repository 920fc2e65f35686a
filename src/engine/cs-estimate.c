/* cs-estimate.c: what a planned run will cost, before it starts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-estimate"

#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "cs-estimate.h"
#include "cs-mode.h"
#include "cs-runner-private.h"

#define CHARS_PER_TOKEN   4
#define MAX_PAST_SAMPLES  200

static gint64
tokens_of_messages (JsonNode *messages)
{
  JsonArray *array;
  gsize chars = 0;

  if (messages == NULL || !JSON_NODE_HOLDS_ARRAY (messages))
    return 0;
  array = json_node_get_array (messages);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *e = json_array_get_element (array, i);
      const char *content;

      if (!JSON_NODE_HOLDS_OBJECT (e))
        continue;
      content = json_object_get_string_member_with_default (json_node_get_object (e), "content", NULL);
      if (content != NULL)
        chars += g_utf8_strlen (content, -1);
    }
  return (gint64) ((chars + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN);
}

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
  return tokens_of_messages (messages);
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
  g_free (line);
}

static CsEstimateLine *
find_line (CsEstimate          *self,
           const CsModelConfig *model)
{
  CsEstimateLine *line;

  for (guint i = 0; i < self->lines->len; i++)
    {
      line = g_ptr_array_index (self->lines, i);
      if (g_str_equal (line->model, model->id))
        return line;
    }
  line = g_new0 (CsEstimateLine, 1);
  line->model = g_strdup (model->id);
  line->output_capped = model->max_output_tokens > 0;
  line->priced = cs_model_config_has_price (model);
  g_ptr_array_add (self->lines, line);
  return line;
}

static gint64
output_cap (const CsModelConfig *model)
{
  return model->max_output_tokens > 0 ? (gint64) MIN (model->max_output_tokens, G_MAXINT32)
                                      : CS_ESTIMATE_ASSUMED_MAX_OUTPUT;
}

static void
add_judge (CsEstimate *self,
           CsRunner   *runner,
           gint64      prompt_tokens)
{
  const char *judge_id = cs_run_get_judge (runner->run);
  const CsModelConfig *judge;
  CsEstimateLine *line;

  if (judge_id == NULL || judge_id[0] == '\0' ||
      (judge = cs_config_find_model (runner->config, judge_id)) == NULL)
    return;

  line = g_new0 (CsEstimateLine, 1);
  line->model = g_strdup (judge->id);
  line->is_judge = TRUE;
  line->requests = 1;
  line->output_capped = judge->max_output_tokens > 0;
  line->priced = cs_model_config_has_price (judge);
  line->output_low = 0;
  line->output_high = output_cap (judge);
  line->input_tokens = prompt_tokens + self->output_high;
  if (line->priced)
    {
      line->usd_low = cs_model_config_cost (judge, prompt_tokens + self->output_low, 0);
      line->usd_high = cs_model_config_cost (judge, line->input_tokens, line->output_high);
    }
  g_ptr_array_add (self->lines, line);
}

CsEstimate *
cs_estimate_new (CsRunner   *runner,
                 GListModel *history)
{
  CsEstimate *self;
  gint64 prompt_tokens = 0;
  guint n_lines;

  g_return_val_if_fail (CS_IS_RUNNER (runner), NULL);

  self = g_new0 (CsEstimate, 1);
  self->lines = g_ptr_array_new_with_free_func ((GDestroyNotify) line_free);
  self->priced = TRUE;

  for (guint g = 0; g < runner->groups->len; g++)
    {
      CsRunnerGroup *group = g_ptr_array_index (runner->groups, g);
      CsEstimateLine *line = find_line (self, group->model);
      gint64 input = group_input_tokens (runner, group);

      line->requests++;
      line->candidates += group->slots->len;
      line->input_tokens += input;
      line->output_high += output_cap (group->model) * group->slots->len;
      prompt_tokens = MAX (prompt_tokens, input);
    }

  n_lines = self->lines->len;
  for (guint i = 0; i < n_lines; i++)
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
      line->output_low = MIN (median * line->candidates, line->output_high);
      if (line->priced)
        {
          line->usd_low = cs_model_config_cost (model, line->input_tokens, line->output_low);
          line->usd_high = cs_model_config_cost (model, line->input_tokens, line->output_high);
        }
      self->output_low += line->output_low;
      self->output_high += line->output_high;
    }

  add_judge (self, runner, prompt_tokens);

  for (guint i = 0; i < self->lines->len; i++)
    {
      CsEstimateLine *line = g_ptr_array_index (self->lines, i);

      self->requests += line->requests;
      self->input_tokens += line->input_tokens;
      if (line->is_judge)
        {
          self->output_low += line->output_low;
          self->output_high += line->output_high;
        }
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

static char *
unpriced_models (const CsEstimate *self)
{
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; i < self->lines->len; i++)
    {
      const CsEstimateLine *line = g_ptr_array_index (self->lines, i);

      if (line->priced || strstr (s->str, line->model) != NULL)
        continue;
      if (s->len > 0)
        g_string_append (s, ", ");
      g_string_append (s, line->model);
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

char *
cs_estimate_to_short (const CsEstimate *self)
{
  g_autofree char *unpriced = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  if (self->priced)
    /* Translators: an estimated cost range, "$0.0123 – $0.4567" */
    return g_strdup_printf (_("$%.4f – $%.4f"), self->usd_low, self->usd_high);
  unpriced = unpriced_models (self);
  if (self->usd_high > 0)
    /* Translators: the priced models' range, then the models without a price */
    return g_strdup_printf (_("$%.4f – $%.4f, plus %s: price unknown"), self->usd_low, self->usd_high, unpriced);
  /* Translators: %s lists models, "kimi/kimi-k2, ollama/qwen3:8b" */
  return g_strdup_printf (_("price unknown (%s)"), unpriced);
}

static void
append_line (GString              *s,
             const CsEstimateLine *line)
{
  g_string_append_printf (s, "  %s%s: ", line->model, line->is_judge ? _(" (judge)") : "");
  if (!line->is_judge)
    g_string_append_printf (s, ngettext ("%u candidate in ", "%u candidates in ", line->candidates),
                            line->candidates);
  g_string_append_printf (s, ngettext ("%u request", "%u requests", line->requests), line->requests);
  g_string_append_printf (s, _(", input ~%lld tokens, output %lld–%lld tokens"),
                          (long long) line->input_tokens, (long long) line->output_low,
                          (long long) line->output_high);
  if (!line->output_capped)
    g_string_append_printf (s, _(" (no max-output-tokens: %d a request assumed)"),
                            CS_ESTIMATE_ASSUMED_MAX_OUTPUT);
  if (line->past_samples > 0)
    g_string_append_printf (s, ngettext (" (low: median of %u past answer)",
                                         " (low: median of %u past answers)", line->past_samples),
                            line->past_samples);
  if (line->priced)
    g_string_append_printf (s, ", $%.4f – $%.4f\n", line->usd_low, line->usd_high);
  else
    g_string_append_printf (s, ", %s\n", _("price unknown"));
}

char *
cs_estimate_to_text (const CsEstimate *self)
{
  g_autoptr(GString) s = g_string_new (NULL);
  g_autofree char *total = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  g_string_append (s, _("Estimate (nothing was sent):\n"));
  for (guint i = 0; i < self->lines->len; i++)
    append_line (s, g_ptr_array_index (self->lines, i));
  total = cs_estimate_to_short (self);
  g_string_append_printf (s, _("  total: %u requests, input ~%lld tokens, output %lld–%lld tokens, %s\n"),
                          self->requests, (long long) self->input_tokens, (long long) self->output_low,
                          (long long) self->output_high, total);
  return g_string_free (g_steal_pointer (&s), FALSE);
}
