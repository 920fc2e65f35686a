/* cs-run-ranking.c: the run's fallback judge, seed, peer ranking switch
 * and result, and their place in the run file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-run"

#include "config.h"

#include "cs-json-util.h"
#include "cs-mode.h"
#include "cs-run-private.h"
#include "cs-run-ranking.h"

static void
changed (CsRun *self)
{
  g_signal_emit_by_name (self, "changed");
}

const char *
cs_run_get_fallback_judge (CsRun *self)
{
  g_return_val_if_fail (CS_IS_RUN (self), NULL);
  return self->fallback_judge;
}

void
cs_run_set_fallback_judge (CsRun      *self,
                           const char *judge)
{
  g_return_if_fail (CS_IS_RUN (self));

  if (judge != NULL && judge[0] == '\0')
    judge = NULL;
  if (g_strcmp0 (self->fallback_judge, judge) == 0)
    return;
  g_free (self->fallback_judge);
  self->fallback_judge = g_strdup (judge);
  changed (self);
}

gboolean
cs_run_get_seed (CsRun   *self,
                 guint32 *seed)
{
  g_return_val_if_fail (CS_IS_RUN (self), FALSE);

  if (seed != NULL)
    *seed = self->seed;
  return self->has_seed;
}

void
cs_run_set_seed (CsRun   *self,
                 guint32  seed)
{
  g_return_if_fail (CS_IS_RUN (self));

  if (self->has_seed && self->seed == seed)
    return;
  self->seed = seed;
  self->has_seed = TRUE;
  changed (self);
}

guint32
cs_run_ensure_seed (CsRun *self)
{
  g_return_val_if_fail (CS_IS_RUN (self), 0);

  if (!self->has_seed)
    cs_run_set_seed (self, g_random_int ());
  return self->seed;
}

gboolean
cs_run_get_rank (CsRun *self)
{
  g_return_val_if_fail (CS_IS_RUN (self), FALSE);
  return self->rank;
}

void
cs_run_set_rank (CsRun    *self,
                 gboolean  rank)
{
  g_return_if_fail (CS_IS_RUN (self));

  if (self->rank == !!rank)
    return;
  self->rank = !!rank;
  changed (self);
}

JsonNode *
cs_run_get_ranking (CsRun *self)
{
  g_return_val_if_fail (CS_IS_RUN (self), NULL);
  return self->ranking;
}

void
cs_run_set_ranking (CsRun    *self,
                    JsonNode *ranking)
{
  g_return_if_fail (CS_IS_RUN (self));

  if (ranking == self->ranking)
    return;
  g_clear_pointer (&self->ranking, json_node_unref);
  if (ranking != NULL && JSON_NODE_HOLDS_OBJECT (ranking))
    self->ranking = json_node_ref (ranking);
  changed (self);
}

void
cs_run_add_judge_usage (CsRun  *self,
                        gint64  input_tokens,
                        gint64  output_tokens,
                        double  cost_usd,
                        gint64  duration_ms)
{
  gint64 in = 0, out = 0, ms = 0;
  double cost = 0;

  g_return_if_fail (CS_IS_RUN (self));

  /* nothing recorded yet: the first request's usage as it is */
  if (!cs_run_get_judge_usage (self, &in, &out, &cost, &ms))
    {
      cs_run_set_judge_usage (self, input_tokens, output_tokens, cost_usd, duration_ms);
      return;
    }
  cs_run_set_judge_usage (self,
                          in + MAX (input_tokens, 0),
                          MAX (out, 0) + MAX (output_tokens, 0),
                          cost + MAX (cost_usd, 0),
                          MAX (ms, 0) + MAX (duration_ms, 0));
}

void
cs_run_add_ranking_usage (CsRun    *self,
                          gint64    input_tokens,
                          gint64    output_tokens,
                          double    cost_usd,
                          gboolean  price_known,
                          gboolean  estimated)
{
  g_return_if_fail (CS_IS_RUN (self));

  if (!price_known && (input_tokens > 0 || output_tokens > 0))
    self->rank_price_unknown = TRUE;
  if (estimated)
    self->rank_estimated = TRUE;
  self->rank_input_tokens += MAX (input_tokens, 0);
  self->rank_output_tokens += MAX (output_tokens, 0);
  self->rank_cost_usd += MAX (cost_usd, 0);
  self->has_rank_usage = TRUE;
  changed (self);
}

void
cs_run_get_ranking_marks (CsRun    *self,
                          gboolean *price_known,
                          gboolean *estimated)
{
  g_return_if_fail (CS_IS_RUN (self));

  if (price_known != NULL)
    *price_known = !self->rank_price_unknown;
  if (estimated != NULL)
    *estimated = self->rank_estimated;
}

gboolean
cs_run_get_ranking_usage (CsRun  *self,
                          gint64 *input_tokens,
                          gint64 *output_tokens,
                          double *cost_usd)
{
  g_return_val_if_fail (CS_IS_RUN (self), FALSE);

  if (input_tokens != NULL)
    *input_tokens = self->rank_input_tokens;
  if (output_tokens != NULL)
    *output_tokens = self->rank_output_tokens;
  if (cost_usd != NULL)
    *cost_usd = self->rank_cost_usd;
  return self->has_rank_usage;
}

void
_cs_run_ranking_clear (CsRun *self)
{
  g_clear_pointer (&self->fallback_judge, g_free);
  g_clear_pointer (&self->ranking, json_node_unref);
}

void
_cs_run_ranking_to_json (CsRun       *self,
                         JsonBuilder *b)
{
  if (self->fallback_judge != NULL)
    {
      json_builder_set_member_name (b, "fallback_judge");
      json_builder_add_string_value (b, self->fallback_judge);
    }
  if (self->has_seed)
    {
      json_builder_set_member_name (b, "seed");
      json_builder_add_int_value (b, self->seed);
    }
  if (self->rank)
    {
      json_builder_set_member_name (b, "rank");
      json_builder_add_boolean_value (b, TRUE);
    }
  if (self->ranking != NULL)
    {
      json_builder_set_member_name (b, "ranking");
      json_builder_add_value (b, json_node_copy (self->ranking));
    }
  if (self->has_rank_usage)
    {
      json_builder_set_member_name (b, "ranking_usage");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "input_tokens");
      json_builder_add_int_value (b, self->rank_input_tokens);
      json_builder_set_member_name (b, "output_tokens");
      json_builder_add_int_value (b, self->rank_output_tokens);
      json_builder_set_member_name (b, "cost_usd");
      json_builder_add_double_value (b, self->rank_cost_usd);
      /* only when so: older files read as priced and reported */
      if (self->rank_price_unknown)
        {
          json_builder_set_member_name (b, "price_known");
          json_builder_add_boolean_value (b, FALSE);
        }
      if (self->rank_estimated)
        {
          json_builder_set_member_name (b, "estimated");
          json_builder_add_boolean_value (b, TRUE);
        }
      json_builder_end_object (b);
    }
}

void
_cs_run_ranking_from_json (CsRun      *self,
                           JsonObject *obj)
{
  JsonNode *ranking = json_object_get_member (obj, "ranking");
  JsonObject *usage = cs_json_get_object (obj, "ranking_usage");
  gint64 seed = 0;

  self->fallback_judge = g_strdup (cs_json_get_string (obj, "fallback_judge"));
  if (cs_json_get_int (obj, "seed", &seed) && seed >= 0 && seed <= G_MAXUINT32)
    {
      self->seed = (guint32)seed;
      self->has_seed = TRUE;
    }
  self->rank = cs_json_get_bool (obj, "rank");
  if (ranking != NULL && JSON_NODE_HOLDS_OBJECT (ranking))
    self->ranking = json_node_copy (ranking);
  if (usage != NULL)
    {
      gint64 v = 0;

      self->has_rank_usage = TRUE;
      if (cs_json_get_int (usage, "input_tokens", &v) && v >= 0)
        self->rank_input_tokens = v;
      if (cs_json_get_int (usage, "output_tokens", &v) && v >= 0)
        self->rank_output_tokens = v;
      if (!cs_json_get_number (usage, "cost_usd", &self->rank_cost_usd) || !(self->rank_cost_usd >= 0))
        self->rank_cost_usd = 0;
      self->rank_price_unknown = json_object_has_member (usage, "price_known") &&
                                 !cs_json_get_bool (usage, "price_known");
      self->rank_estimated = cs_json_get_bool (usage, "estimated");
    }
}
