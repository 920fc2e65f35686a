/* cs-synthesis-support.c: fusing troubleshooting checklists
 *
 * The likely causes (likelihood voted, best supported first), the steps the
 * majority agrees on in consensus order (risk voted, effort the median), the
 * minority steps kept as "if that did not work, try…" alternatives after the
 * step they resemble, and the escalation advice of the leading candidate.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-synthesis"

#include "config.h"

#include "cs-json-util.h"
#include "cs-similarity.h"
#include "cs-synthesis-private.h"

static const char * const likelihoods[] = { "high", "medium", "low", NULL };
static const char * const risks[] = { "none", "low", "medium", "high", NULL };

static int
likelihood_rank (const char *likelihood)
{
  if (g_strcmp0 (likelihood, "high") == 0)
    return 0;
  if (g_strcmp0 (likelihood, "medium") == 0)
    return 1;
  return 2;
}

typedef struct {
  CsCluster *cluster;
  char      *likelihood;
  guint      order;
} Cause;

static int
compare_causes (gconstpointer pa,
                gconstpointer pb)
{
  const Cause *a = pa;
  const Cause *b = pb;
  int ra, rb;

  if (a->cluster->support != b->cluster->support)
    return a->cluster->support > b->cluster->support ? -1 : 1;
  ra = likelihood_rank (a->likelihood);
  rb = likelihood_rank (b->likelihood);
  if (ra != rb)
    return ra < rb ? -1 : 1;
  return a->order < b->order ? -1 : (a->order > b->order ? 1 : 0);
}

/* Likely causes: every cause, likelihood voted, best supported and most
 * likely first. */
static void
fuse_causes (CsFuse      *f,
             JsonBuilder *b)
{
  g_autoptr(GPtrArray) cause_lists = cs_fuse_lists_for (f, "likely_causes");
  g_autoptr(GPtrArray) causes = cs_consensus_cluster (CS_ITEM_CAUSE, cause_lists);
  g_autoptr(GArray) ordered = g_array_new (FALSE, FALSE, sizeof (Cause));

  for (guint i = 0; i < causes->len; i++)
    {
      CsCluster *cluster = g_ptr_array_index (causes, i);
      const char *title = cs_consensus_item_title (CS_ITEM_CAUSE, cs_cluster_get_representative (cluster));
      g_autofree char *field = cs_fuse_field_name ("likely_causes", title, "likelihood");
      g_autoptr(CsVote) vote = cs_fuse_vote_cluster (cluster, field, "likelihood", CS_VOTE_LABEL, likelihoods);
      Cause cause = { cluster, NULL, i };

      cs_fuse_record_vote (f, vote, cluster, "likelihood");
      cause.likelihood = g_ascii_strdown (cs_vote_get_winner (vote) ? cs_vote_get_winner (vote) : "medium", -1);
      g_strstrip (cause.likelihood);
      g_array_append_val (ordered, cause);
    }
  g_array_sort (ordered, compare_causes);

  json_builder_set_member_name (b, "likely_causes");
  json_builder_begin_array (b);
  for (guint i = 0; i < ordered->len; i++)
    {
      Cause *cause = &g_array_index (ordered, Cause, i);

      json_builder_begin_object (b);
      cs_fuse_add_string (b, "cause", cs_fuse_cluster_str (cause->cluster, cause->cluster->representative, "cause"));
      cs_fuse_add_string (b, "likelihood", cause->likelihood);
      json_builder_end_object (b);
      g_free (cause->likelihood);
    }
  json_builder_end_array (b);
}

static const char *
step_command (JsonNode *rep)
{
  const char *command = cs_json_node_get_string (rep, "command");

  return command != NULL ? command : "";
}

static void
add_step_consensus (CsFuse     *f,
                    CsCluster  *cluster,
                    const char *title,
                    int         effort,
                    const char *command)
{
  g_autoptr(JsonBuilder) cb = json_builder_new ();

  json_builder_begin_object (cb);
  cs_fuse_add_string (cb, "title", title);
  cs_fuse_add_int (cb, "support", cluster->support);
  cs_fuse_add_int (cb, "total", cluster->total);
  cs_fuse_add_candidate_ids (f, cb, cluster);
  if (cluster->effort_minutes >= 0)
    cs_fuse_add_int (cb, "effort_minutes", effort);
  cs_fuse_add_string (cb, "command", command);
  json_builder_end_object (cb);
  json_array_add_element (f->consensus, json_builder_get_root (cb));
}

/* A majority step: the representative's text, its risk voted, its effort the
 * members' median (at most a day). */
static void
fuse_step (CsFuse      *f,
           JsonBuilder *b,
           CsCluster   *cluster)
{
  JsonNode *rep = cs_cluster_get_representative (cluster);
  const char *title = cs_consensus_item_title (CS_ITEM_STEP, rep);
  g_autofree char *field = cs_fuse_field_name ("steps", title, "risk");
  g_autoptr(CsVote) vote = cs_fuse_vote_cluster (cluster, field, "risk", CS_VOTE_LABEL, risks);
  g_autofree char *risk = NULL;
  guint source = cluster->representative;
  int effort = cluster->effort_minutes >= 0 ? MIN (cluster->effort_minutes, 1440) : 0;

  cs_fuse_record_vote (f, vote, cluster, "risk");
  cs_fuse_count_joined (f, cluster);
  risk = g_ascii_strdown (cs_vote_get_winner (vote) ? cs_vote_get_winner (vote) : "low", -1);
  g_strstrip (risk);

  json_builder_begin_object (b);
  cs_fuse_add_string (b, "title", cs_fuse_cluster_str (cluster, source, "title"));
  cs_fuse_add_string (b, "action", cs_fuse_cluster_str (cluster, source, "action"));
  cs_fuse_add_string (b, "command", step_command (rep));
  cs_fuse_add_string (b, "expected", cs_fuse_cluster_str (cluster, source, "expected"));
  cs_fuse_add_string (b, "if_fails", cs_fuse_cluster_str (cluster, source, "if_fails"));
  cs_fuse_add_string (b, "risk", risk);
  cs_fuse_add_int (b, "effort_minutes", effort);
  json_builder_end_object (b);

  add_step_consensus (f, cluster, cs_fuse_cluster_str (cluster, source, "title"), effort, step_command (rep));
}

/* The index of the primary step @cluster most resembles (at least the
 * related threshold), or -1. */
static int
related_step (CsCluster *cluster,
              GPtrArray *primary)
{
  double best = 0;
  int after = -1;

  for (guint p = 0; p < primary->len; p++)
    {
      double s = cs_consensus_cluster_similarity (CS_ITEM_STEP, cluster, g_ptr_array_index (primary, p));

      if (s >= CS_SIMILARITY_RELATED_THRESHOLD && s > best + 1e-12)
        {
          best = s;
          after = (int)p;
        }
    }
  return after;
}

/* A minority step: "if that did not work, try…" after the step it most
 * resembles, or on its own. */
static void
add_step_alternative (CsFuse    *f,
                      CsCluster *cluster,
                      GPtrArray *primary)
{
  JsonNode *rep = cs_cluster_get_representative (cluster);
  guint source = cluster->representative;
  g_autoptr(JsonBuilder) ab = json_builder_new ();
  g_autofree char *risk = g_ascii_strdown (cs_fuse_cluster_str (cluster, source, "risk"), -1);
  gint64 effort = cluster->effort_minutes >= 0 ? MIN (cluster->effort_minutes, 1440) : 0;

  json_builder_begin_object (ab);
  cs_fuse_add_string (ab, "title", cs_fuse_cluster_str (cluster, source, "title"));
  cs_fuse_add_string (ab, "action", cs_fuse_cluster_str (cluster, source, "action"));
  cs_fuse_add_string (ab, "command", step_command (rep));
  cs_fuse_add_string (ab, "expected", cs_fuse_cluster_str (cluster, source, "expected"));
  cs_fuse_add_string (ab, "if_fails", cs_fuse_cluster_str (cluster, source, "if_fails"));
  cs_fuse_add_string (ab, "risk", cs_fuse_str_in (risk, risks) ? risk : "low");
  cs_fuse_add_int (ab, "effort_minutes", effort);
  cs_fuse_add_int (ab, "after_step", related_step (cluster, primary));
  cs_fuse_add_int (ab, "support", cluster->support);
  cs_fuse_add_int (ab, "total", cluster->total);
  cs_fuse_add_candidate_ids (f, ab, cluster);
  json_builder_end_object (ab);
  json_array_add_element (f->alternatives, json_builder_get_root (ab));
}

/* Steps: the primary clusters in consensus order; the others become
 * alternatives. */
static void
fuse_steps (CsFuse      *f,
            JsonBuilder *b)
{
  g_autoptr(GPtrArray) step_lists = cs_fuse_lists_for (f, "steps");
  g_autoptr(GPtrArray) steps = cs_consensus_cluster (CS_ITEM_STEP, step_lists);
  g_autoptr(GPtrArray) primary = cs_fuse_primary_clusters (steps);

  json_builder_set_member_name (b, "steps");
  json_builder_begin_array (b);
  for (guint i = 0; i < primary->len; i++)
    fuse_step (f, b, g_ptr_array_index (primary, i));
  json_builder_end_array (b);

  for (guint i = 0; i < steps->len; i++)
    {
      CsCluster *cluster = g_ptr_array_index (steps, i);

      if (!cluster->primary)
        add_step_alternative (f, cluster, primary);
    }
}

/* When to escalate: the leading candidate's advice, else the first given. */
static const char *
escalate_when (CsFuse *f,
               guint   lead)
{
  const char *escalate = cs_json_get_string (g_ptr_array_index (f->datas, lead), "escalate_when");

  for (guint c = 0; (escalate == NULL || *escalate == '\0') && c < f->total; c++)
    escalate = cs_json_get_string (g_ptr_array_index (f->datas, c), "escalate_when");
  return escalate != NULL ? escalate : "";
}

void
cs_fuse_support (CsFuse      *f,
                 JsonBuilder *b)
{
  g_autofree char *summary = NULL;
  guint lead;

  fuse_causes (f, b);
  fuse_steps (f, b);

  lead = cs_fuse_lead_candidate (f, FALSE);
  cs_fuse_add_string (b, "escalate_when", escalate_when (f, lead));
  summary = cs_fuse_summary (f, lead);
  cs_fuse_add_string (b, "summary", summary);
}
