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

#include "cs-json-util.h"
#include "cs-similarity.h"
#include "cs-synthesis-private.h"

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

/* The rejected alternatives of a decision: the losing choices, then every
 * member's own rejected list. */
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
      JsonArray *list = cs_json_get_array (cs_json_node_object (cs_fuse_member_at (cluster, m)->node), "rejected_alternatives");

      for (guint r = 0; list != NULL && r < json_array_get_length (list); r++)
        {
          JsonNode *alt = json_array_get_element (list, r);
          const char *text;

          if (!JSON_NODE_HOLDS_VALUE (alt) || json_node_get_value_type (alt) != G_TYPE_STRING)
            continue;
          text = json_node_get_string (alt);
          if (text == NULL || *text == '\0' || !g_utf8_validate (text, -1, NULL))
            continue;
          add_rejected (rejected, rejected_keys, winner_key, text);
        }
    }
  return rejected;
}

static void
add_decision_alternative (CsFuse    *f,
                          CsCluster *cluster)
{
  g_autoptr(JsonBuilder) ab = json_builder_new ();

  json_builder_begin_object (ab);
  cs_fuse_add_string (ab, "title", cs_fuse_cluster_str (cluster, cluster->representative, "topic"));
  cs_fuse_add_string (ab, "choice", cs_fuse_cluster_str (cluster, cluster->representative, "choice"));
  cs_fuse_add_string (ab, "rationale", cs_fuse_cluster_str (cluster, cluster->representative, "rationale"));
  cs_fuse_add_cluster_alternative (f, ab, cluster, "decision");
  json_builder_end_object (ab);
  json_array_add_element (f->alternatives, json_builder_get_root (ab));
}

/* A majority decision: its choice voted, the losers rejected. */
static void
fuse_decision (CsFuse      *f,
               JsonBuilder *b,
               CsCluster   *cluster)
{
  g_autoptr(CsVote) vote = cs_fuse_vote_cluster (cluster, NULL, "choice", CS_VOTE_TECHNOLOGY, NULL);
  guint source = cs_fuse_pick_source (cluster, vote, "choice");
  g_autofree char *field = cs_fuse_field_name ("decisions", cs_fuse_cluster_str (cluster, source, "topic"), "choice");
  g_autoptr(GPtrArray) rejected = NULL;

  cs_vote_set_field (vote, field);
  cs_fuse_record_vote (f, vote, cluster, "choice");
  rejected = rejected_alternatives (cluster, vote);

  json_builder_begin_object (b);
  cs_fuse_add_string (b, "topic", cs_fuse_cluster_str (cluster, source, "topic"));
  cs_fuse_add_string (b, "choice", cs_vote_get_winner (vote) != NULL ? cs_vote_get_winner (vote) : "");
  cs_fuse_add_string (b, "rationale", cs_fuse_cluster_str (cluster, source, "rationale"));
  json_builder_set_member_name (b, "rejected_alternatives");
  json_builder_begin_array (b);
  for (guint r = 0; r < rejected->len; r++)
    json_builder_add_string_value (b, g_ptr_array_index (rejected, r));
  json_builder_end_array (b);
  json_builder_end_object (b);
}

void
cs_fuse_decisions (CsFuse      *f,
                   JsonBuilder *b,
                   GPtrArray   *decisions)
{
  json_builder_set_member_name (b, "decisions");
  json_builder_begin_array (b);
  for (guint i = 0; i < decisions->len; i++)
    {
      CsCluster *cluster = g_ptr_array_index (decisions, i);

      if (cluster->primary)
        fuse_decision (f, b, cluster);
      else
        add_decision_alternative (f, cluster);
    }
  json_builder_end_array (b);
}

/* Trade-offs and risks: deduplicated unions, best supported first. */
void
cs_fuse_trade_offs_and_risks (CsFuse      *f,
                              JsonBuilder *b)
{
  g_autoptr(GPtrArray) tradeoff_lists = cs_fuse_lists_for (f, "trade_offs");
  g_autoptr(GPtrArray) risk_lists = cs_fuse_lists_for (f, "risks");
  g_autoptr(GPtrArray) tradeoffs = cs_consensus_cluster (CS_ITEM_TEXT, tradeoff_lists);
  g_autoptr(GPtrArray) risks = cs_consensus_cluster (CS_ITEM_RISK, risk_lists);

  json_builder_set_member_name (b, "trade_offs");
  json_builder_begin_array (b);
  for (guint i = 0; i < tradeoffs->len; i++)
    json_builder_add_string_value (b, cs_consensus_item_title (CS_ITEM_TEXT,
                                                               cs_cluster_get_representative (g_ptr_array_index (tradeoffs, i))));
  json_builder_end_array (b);

  json_builder_set_member_name (b, "risks");
  json_builder_begin_array (b);
  for (guint i = 0; i < risks->len; i++)
    {
      CsCluster *cluster = g_ptr_array_index (risks, i);

      json_builder_begin_object (b);
      cs_fuse_add_string (b, "risk", cs_fuse_cluster_str (cluster, cluster->representative, "risk"));
      cs_fuse_add_string (b, "mitigation", cs_fuse_cluster_str (cluster, cluster->representative, "mitigation"));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

/* The cost: the median of the candidates' estimates, recorded as a vote. */
void
cs_fuse_cost (CsFuse      *f,
              JsonBuilder *b)
{
  g_autofree double *costs = g_new0 (double, f->total + 1);
  g_autoptr(JsonBuilder) vb = json_builder_new ();
  guint n_costs = 0;
  double cost;

  for (guint c = 0; c < f->total; c++)
    {
      double v;

      if (cs_json_get_number (g_ptr_array_index (f->datas, c), "monthly_cost_usd", &v) && v >= 0)
        costs[n_costs++] = v;
    }
  cost = n_costs > 0 ? cs_ensemble_median (costs, n_costs) : 0.0;
  json_builder_set_member_name (b, "monthly_cost_usd");
  json_builder_add_double_value (b, cost);

  json_builder_begin_object (vb);
  cs_fuse_add_string (vb, "field", "monthly_cost_usd");
  cs_fuse_add_string (vb, "method", "median");
  json_builder_set_member_name (vb, "median");
  json_builder_add_double_value (vb, cost);
  cs_fuse_add_int (vb, "count", n_costs);
  cs_fuse_add_int (vb, "total", f->total);
  json_builder_set_member_name (vb, "values");
  json_builder_begin_array (vb);
  for (guint i = 0; i < n_costs; i++)
    json_builder_add_double_value (vb, costs[i]);
  json_builder_end_array (vb);
  json_builder_end_object (vb);
  json_array_add_element (f->votes, json_builder_get_root (vb));
}
