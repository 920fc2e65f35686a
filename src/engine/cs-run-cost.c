/* cs-run-cost.c: what a run costs, and the settings it ran with
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-run"

#include "config.h"

#include <math.h>

#include "cs-json-util.h"
#include "cs-round.h"
#include "cs-round-private.h"
#include "cs-run-judges.h"
#include "cs-run-private.h"

static gboolean
candidates_priced (GPtrArray *candidates)
{
  for (guint i = 0; i < candidates->len; i++)
    {
      CsCandidate *c = g_ptr_array_index (candidates, i);

      if (!cs_candidate_get_price_known (c) &&
          (cs_candidate_get_input_tokens (c) > 0 || cs_candidate_get_output_tokens (c) > 0))
        return FALSE;
    }
  return TRUE;
}

/* Every judge that answered @round had a price (or used nothing). */
static gboolean
judges_priced (CsRound *round)
{
  JsonNode *judges = _cs_round_get_judges_json (round);
  JsonArray *array = judges != NULL ? json_node_get_array (judges) : NULL;

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonObject *r = cs_json_array_object (array, i);
      gint64 in = 0, out = 0;

      if (r == NULL || !json_object_has_member (r, "price_known") || cs_json_get_bool (r, "price_known"))
        continue;
      cs_json_get_int (r, "input_tokens", &in);
      cs_json_get_int (r, "output_tokens", &out);
      if (in > 0 || out > 0)
        return FALSE;
    }
  return TRUE;
}

/* Whether the run's total is exact: every request of every round (the
 * candidates, the rankers, the judges) went to a model with a price. */
gboolean
cs_run_get_cost_known (CsRun *self)
{
  guint n;

  g_return_val_if_fail (CS_IS_RUN (self), FALSE);

  if (!self->judge_price_known && (self->judge_input_tokens > 0 || self->judge_output_tokens > 0))
    return FALSE;
  if (self->rank_price_unknown || !candidates_priced (self->candidates))
    return FALSE;
  n = cs_run_get_n_rounds (self);
  for (guint i = 1; i <= n; i++)
    {
      CsRound *round = cs_run_get_round (self, i);

      if (!candidates_priced (cs_round_get_candidates (round)) || !judges_priced (round))
        return FALSE;
    }
  return TRUE;
}

void
cs_run_set_judge_price_known (CsRun    *self,
                              gboolean  known)
{
  g_return_if_fail (CS_IS_RUN (self));
  self->judge_price_known = !!known;
}

gboolean
cs_run_get_usage_estimated (CsRun *self)
{
  g_return_val_if_fail (CS_IS_RUN (self), FALSE);

  if (self->usage_estimated)
    return TRUE;
  for (guint i = 0; i < self->candidates->len; i++)
    if (cs_candidate_get_usage_estimated (g_ptr_array_index (self->candidates, i)))
      return TRUE;
  return FALSE;
}

void
cs_run_set_usage_estimated (CsRun *self)
{
  g_return_if_fail (CS_IS_RUN (self));
  self->usage_estimated = TRUE;
}

/* The marks of @round's part of the earlier rounds' totals (as
 * _cs_run_other_rounds_totals () counts them). */
static void
earlier_marks (CsRun    *self,
               CsRound  *round,
               gboolean *known,
               gboolean *estimated)
{
  JsonNode *judges = _cs_round_get_judges_json (round);
  JsonArray *array = judges != NULL ? json_node_get_array (judges) : NULL;
  GPtrArray *candidates = cs_round_get_candidates (round);
  guint index = cs_round_get_index (round);

  if (!judges_priced (round))
    *known = FALSE;
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonObject *r = cs_json_array_object (array, i);

      if (r != NULL && cs_json_get_bool (r, "estimated"))
        *estimated = TRUE;
    }
  /* a judge round's candidates are the round's that asked them */
  if (cs_round_get_candidates_of (round) != index ||
      index == cs_round_get_candidates_of (self->current))
    return;
  if (!candidates_priced (candidates))
    *known = FALSE;
  for (guint i = 0; i < candidates->len; i++)
    if (cs_candidate_get_usage_estimated (g_ptr_array_index (candidates, i)))
      *estimated = TRUE;
}

gboolean
cs_run_get_earlier_usage (CsRun    *self,
                          gint64   *input_tokens,
                          gint64   *output_tokens,
                          double   *cost_usd,
                          gboolean *known,
                          gboolean *estimated)
{
  guint n;
  gint64 in = 0, out = 0;
  double cost = 0;
  gboolean k = TRUE, e = FALSE;

  g_return_val_if_fail (CS_IS_RUN (self), FALSE);

  n = cs_run_get_n_rounds (self);
  if (n > 1 && self->current != NULL)
    {
      _cs_run_other_rounds_totals (self, &cost, &in, &out);
      for (guint i = 1; i <= n; i++)
        {
          CsRound *round = cs_run_get_round (self, i);

          if (round != self->current)
            earlier_marks (self, round, &k, &e);
        }
    }
  if (input_tokens != NULL)
    *input_tokens = in;
  if (output_tokens != NULL)
    *output_tokens = out;
  if (cost_usd != NULL)
    *cost_usd = cost;
  if (known != NULL)
    *known = k;
  if (estimated != NULL)
    *estimated = e;
  return in > 0 || out > 0 || cost > 0;
}

gint64
cs_run_get_wall_ms (CsRun *self)
{
  g_return_val_if_fail (CS_IS_RUN (self), -1);
  return self->wall_ms;
}

void
cs_run_set_wall_ms (CsRun  *self,
                    gint64  wall_ms)
{
  g_return_if_fail (CS_IS_RUN (self));
  self->wall_ms = wall_ms >= 0 ? wall_ms : -1;
}

double
cs_run_get_budget_usd (CsRun *self)
{
  g_return_val_if_fail (CS_IS_RUN (self), NAN);
  return self->budget_usd;
}

void
cs_run_set_budget_usd (CsRun  *self,
                       double  budget_usd)
{
  g_return_if_fail (CS_IS_RUN (self));
  self->budget_usd = isfinite (budget_usd) && budget_usd >= 0 ? budget_usd : NAN;
}

void
cs_run_set_knobs (CsRun         *self,
                  const char    *model,
                  const CsKnobs *knobs)
{
  g_return_if_fail (CS_IS_RUN (self));
  g_return_if_fail (model != NULL);

  if (cs_knobs_is_empty (knobs))
    {
      if (self->knobs != NULL)
        g_hash_table_remove (self->knobs, model);
      return;
    }
  if (self->knobs == NULL)
    self->knobs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) cs_knobs_free);
  g_hash_table_replace (self->knobs, g_strdup (model), cs_knobs_copy (knobs));
}

const CsKnobs *
cs_run_get_knobs (CsRun      *self,
                  const char *model)
{
  g_return_val_if_fail (CS_IS_RUN (self), NULL);

  if (self->knobs == NULL || model == NULL)
    return NULL;
  return g_hash_table_lookup (self->knobs, model);
}
