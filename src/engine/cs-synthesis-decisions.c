/* cs-synthesis-decisions.c: an architecture's decisions, trade-offs, risks, cost
 *
 * Majority decisions get their choice voted and every choice that lost (and
 * every alternative a member rejected) listed as rejected; minority ones are
 * alternatives. Trade-offs and risks are deduplicated unions; the cost is the
 * median of the estimates.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-synthesis"

#include "config.h"

#include "cs-similarity.h"
#include "cs-synthesis-private.h"

#define DECISION(member) CS_FUSE_FIELD (CsDecision, member)
#define RISK(member) CS_FUSE_FIELD (CsRisk, member)

/* Adds @text to @rejected unless it is the winner or already there (as a
 * technology key). */
static void
add_rejected (GPtrArray  *rejected,
              GPtrArray  *rejected_keys,
              const char *winner_key,
              const char *text)
{
  g_autofree char *key = cs_similarity_technology_key (text);

  if (g_strcmp0 (key, winner_key) == 0)
    return;
  for (guint k = 0; k < rejected_keys->len; k++)
    if (g_strcmp0 (g_ptr_array_index (rejected_keys, k), key) == 0)
      return;
  g_ptr_array_add (rejected, g_strdup (text));
  g_ptr_array_add (rejected_keys, g_steal_pointer (&key));
}

/* The rejected alternatives of a decision, NULL-terminated: the losing
 * choices, then every member's own rejected list. */
static GPtrArray *
rejected_alternatives (CsCluster *cluster,
                       CsVote    *vote)
{
  GPtrArray *rejected = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) rejected_keys = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *winner_key = cs_similarity_technology_key (cs_vote_get_winner (vote));
  g_auto(GStrv) losers = cs_vote_dup_losers (vote);

  for (guint l = 0; losers[l] != NULL; l++)
    {
      g_ptr_array_add (rejected, g_strdup (losers[l]));
      g_ptr_array_add (rejected_keys, cs_similarity_technology_key (losers[l]));
    }
  for (guint m = 0; m < cluster->members->len; m++)
    {
      const CsDecision *decision = cs_fuse_member_at (cluster, m)->item;

      for (guint r = 0; decision->rejected_alternatives != NULL && decision->rejected_alternatives[r] != NULL; r++)
        {
          const char *text = decision->rejected_alternatives[r];

          if (*text != '\0' && g_utf8_validate (text, -1, NULL))
            add_rejected (rejected, rejected_keys, winner_key, text);
        }
    }
  g_ptr_array_add (rejected, NULL);
  return rejected;
}

static void
add_decision_alternative (CsFuse    *f,
                          CsCluster *cluster)
{
  guint rep = cluster->representative;
  g_auto(GStrv) sources = cs_fuse_cluster_sources (f, cluster);

  cs_result_add_decision_alternative (f->result,
                                      cs_fuse_cluster_str (cluster, rep, DECISION (topic)),
                                      cs_fuse_cluster_str (cluster, rep, DECISION (choice)),
                                      cs_fuse_cluster_str (cluster, rep, DECISION (rationale)),
                                      cluster->support, cluster->total,
                                      (const char * const *)sources);
}

/* A majority decision: its choice voted, the losers rejected. */
static void
fuse_decision (CsFuse    *f,
               CsCluster *cluster)
{
  g_autoptr(CsVote) vote = cs_fuse_vote_cluster (cluster, NULL, DECISION (choice), CS_VOTE_TECHNOLOGY, NULL);
  guint source = cs_fuse_pick_source (cluster, vote, DECISION (choice));
  g_autofree char *field = cs_result_vote_field (CS_VOTED_DECISION, cs_fuse_cluster_str (cluster, source, DECISION (topic)));
  g_autoptr(GPtrArray) rejected = NULL;
  CsVoteRecord *record;
  CsDecision *decision;

  cs_vote_set_field (vote, field);
  record = cs_fuse_record_vote (f, vote, cluster, DECISION (choice));
  rejected = rejected_alternatives (cluster, vote);

  decision = cs_blueprint_add_decision (f->blueprint,
                                        cs_fuse_cluster_str (cluster, source, DECISION (topic)),
                                        cs_vote_get_winner (vote) != NULL ? cs_vote_get_winner (vote) : "",
                                        cs_fuse_cluster_str (cluster, source, DECISION (rationale)),
                                        (const char * const *)rejected->pdata);
  cs_fuse_set_origin (f, &decision->item, cluster, record);
}

void
cs_fuse_decisions (CsFuse    *f,
                   GPtrArray *decisions)
{
  for (guint i = 0; i < decisions->len; i++)
    {
      CsCluster *cluster = g_ptr_array_index (decisions, i);

      if (cluster->primary)
        fuse_decision (f, cluster);
      else
        add_decision_alternative (f, cluster);
    }
}

/* Trade-offs and risks: deduplicated unions, best supported first. */
void
cs_fuse_trade_offs_and_risks (CsFuse *f)
{
  g_autoptr(GPtrArray) tradeoff_lists = cs_fuse_blueprint_lists (f, cs_blueprint_get_trade_offs);
  g_autoptr(GPtrArray) risk_lists = cs_fuse_blueprint_lists (f, cs_blueprint_get_risks);
  g_autoptr(GPtrArray) tradeoffs = cs_consensus_cluster (CS_ITEM_TEXT, tradeoff_lists);
  g_autoptr(GPtrArray) risks = cs_consensus_cluster (CS_ITEM_RISK, risk_lists);

  for (guint i = 0; i < tradeoffs->len; i++)
    {
      CsCluster *cluster = g_ptr_array_index (tradeoffs, i);
      CsTradeOff *tradeoff;

      tradeoff = cs_blueprint_add_trade_off (f->blueprint,
                                             cs_consensus_item_title (CS_ITEM_TEXT, cs_cluster_get_representative (cluster)));
      cs_fuse_set_origin (f, &tradeoff->item, cluster, NULL);
    }
  for (guint i = 0; i < risks->len; i++)
    {
      CsCluster *cluster = g_ptr_array_index (risks, i);
      CsRisk *risk;

      risk = cs_blueprint_add_risk (f->blueprint,
                                    cs_fuse_cluster_str (cluster, cluster->representative, RISK (risk)),
                                    cs_fuse_cluster_str (cluster, cluster->representative, RISK (mitigation)));
      cs_fuse_set_origin (f, &risk->item, cluster, NULL);
    }
}

/* The cost: the median of the candidates' estimates, recorded as a vote. */
void
cs_fuse_cost (CsFuse *f)
{
  g_autofree double *costs = g_new0 (double, f->total + 1);
  guint n_costs = 0;
  double cost;

  for (guint c = 0; c < f->total; c++)
    {
      double v;

      if (cs_blueprint_get_monthly_cost (cs_fuse_get_blueprint (f, c), &v) && v >= 0)
        costs[n_costs++] = v;
    }
  cost = n_costs > 0 ? cs_ensemble_median (costs, n_costs) : 0.0;
  cs_blueprint_set_monthly_cost (f->blueprint, cost);
  cs_result_add_median (f->result, cs_result_cost_vote_field (), cost, n_costs, f->total, costs, n_costs);
}
