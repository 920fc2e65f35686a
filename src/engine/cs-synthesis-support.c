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

#include "cs-similarity.h"
#include "cs-synthesis-private.h"

static const char * const likelihoods[] = { "high", "medium", "low", NULL };
static const char * const risks[] = { "none", "low", "medium", "high", NULL };

#define CAUSE(member) CS_FUSE_FIELD (CsCause, member)
#define STEP(member) CS_FUSE_FIELD (CsStep, member)

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
  CsCluster    *cluster;
  char         *likelihood;
  guint         order;
  CsVoteRecord *vote;
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
fuse_causes (CsFuse *f)
{
  g_autoptr(GPtrArray) cause_lists = cs_fuse_checklist_lists (f, cs_checklist_get_likely_causes);
  g_autoptr(GPtrArray) causes = cs_consensus_cluster (CS_ITEM_CAUSE, cause_lists);
  g_autoptr(GArray) ordered = g_array_new (FALSE, FALSE, sizeof (Cause));

  for (guint i = 0; i < causes->len; i++)
    {
      CsCluster *cluster = g_ptr_array_index (causes, i);
      const char *title = cs_consensus_item_title (CS_ITEM_CAUSE, cs_cluster_get_representative (cluster));
      g_autofree char *field = cs_result_vote_field (CS_VOTED_CAUSE, title);
      g_autoptr(CsVote) vote = cs_fuse_vote_cluster (cluster, field, CAUSE (likelihood), CS_VOTE_LABEL, likelihoods);
      Cause cause = { cluster, NULL, i, NULL };

      cause.vote = cs_fuse_record_vote (f, vote, cluster, CAUSE (likelihood));
      cause.likelihood = g_ascii_strdown (cs_vote_get_winner (vote) ? cs_vote_get_winner (vote) : "medium", -1);
      g_strstrip (cause.likelihood);
      g_array_append_val (ordered, cause);
    }
  g_array_sort (ordered, compare_causes);

  for (guint i = 0; i < ordered->len; i++)
    {
      Cause *cause = &g_array_index (ordered, Cause, i);
      CsCause *item;

      item = cs_checklist_add_cause (f->checklist,
                                     cs_fuse_cluster_str (cause->cluster, cause->cluster->representative, CAUSE (cause)),
                                     cause->likelihood);
      cs_fuse_set_origin (f, &item->item, cause->cluster, cause->vote);
      g_free (cause->likelihood);
    }
}

/* A majority step: the representative's text, its risk voted, its effort the
 * members' median (at most a day); its consensus entry. */
static void
fuse_step (CsFuse    *f,
           CsCluster *cluster)
{
  const CsStep *rep = cs_cluster_get_representative (cluster);
  g_autofree char *field = cs_result_vote_field (CS_VOTED_STEP, rep->title);
  g_autoptr(CsVote) vote = cs_fuse_vote_cluster (cluster, field, STEP (risk), CS_VOTE_LABEL, risks);
  g_auto(GStrv) sources = cs_fuse_cluster_sources (f, cluster);
  g_autofree char *risk = NULL;
  guint source = cluster->representative;
  const char *title = cs_fuse_cluster_str (cluster, source, STEP (title));
  const char *command = rep->command != NULL ? rep->command : "";
  int effort = cluster->effort_minutes >= 0 ? MIN (cluster->effort_minutes, 1440) : 0;
  CsVoteRecord *record;
  CsAgreement *agreement;
  CsStep *step;

  record = cs_fuse_record_vote (f, vote, cluster, STEP (risk));
  cs_fuse_count_joined (f, cluster);
  risk = g_ascii_strdown (cs_vote_get_winner (vote) ? cs_vote_get_winner (vote) : "low", -1);
  g_strstrip (risk);

  step = cs_checklist_add_step (f->checklist, title,
                                cs_fuse_cluster_str (cluster, source, STEP (action)), command,
                                cs_fuse_cluster_str (cluster, source, STEP (expected)),
                                cs_fuse_cluster_str (cluster, source, STEP (if_fails)),
                                risk, effort);
  cs_fuse_set_origin (f, &step->item, cluster, record);

  agreement = cs_result_add_agreement (f->result, title, cluster->support, cluster->total,
                                       (const char * const *)sources);
  if (cluster->effort_minutes >= 0)
    cs_agreement_set_effort_minutes (agreement, effort);
  cs_agreement_set_command (agreement, command);
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
 * resembles, or on its own. @scratch holds the step it is written from. */
static void
add_step_alternative (CsFuse      *f,
                      CsCluster   *cluster,
                      GPtrArray   *primary,
                      CsChecklist *scratch)
{
  const CsStep *rep = cs_cluster_get_representative (cluster);
  guint source = cluster->representative;
  g_autofree char *risk = g_ascii_strdown (cs_fuse_cluster_str (cluster, source, STEP (risk)), -1);
  int effort = cluster->effort_minutes >= 0 ? MIN (cluster->effort_minutes, 1440) : 0;
  g_auto(GStrv) sources = cs_fuse_cluster_sources (f, cluster);
  CsStep *step;

  step = cs_checklist_add_step (scratch, cs_fuse_cluster_str (cluster, source, STEP (title)),
                                cs_fuse_cluster_str (cluster, source, STEP (action)),
                                rep->command != NULL ? rep->command : "",
                                cs_fuse_cluster_str (cluster, source, STEP (expected)),
                                cs_fuse_cluster_str (cluster, source, STEP (if_fails)),
                                cs_fuse_str_in (risk, risks) ? risk : "low", effort);
  cs_result_add_alternative_from_step (f->result, step, related_step (cluster, primary),
                                       cluster->support, cluster->total, (const char * const *)sources);
}

/* Steps: the primary clusters in consensus order; the others become
 * alternatives. */
static void
fuse_steps (CsFuse *f)
{
  g_autoptr(GPtrArray) step_lists = cs_fuse_checklist_lists (f, cs_checklist_get_steps);
  g_autoptr(GPtrArray) steps = cs_consensus_cluster (CS_ITEM_STEP, step_lists);
  g_autoptr(GPtrArray) primary = cs_fuse_primary_clusters (steps);
  g_autoptr(CsChecklist) scratch = cs_checklist_new ();

  for (guint i = 0; i < primary->len; i++)
    fuse_step (f, g_ptr_array_index (primary, i));

  for (guint i = 0; i < steps->len; i++)
    {
      CsCluster *cluster = g_ptr_array_index (steps, i);

      if (!cluster->primary)
        add_step_alternative (f, cluster, primary, scratch);
    }
}

/* When to escalate: the leading candidate's advice, else the first given. */
static const char *
escalate_when (CsFuse *f,
               guint   lead)
{
  const char *escalate = cs_checklist_get_escalate_when (cs_fuse_get_checklist (f, lead));

  for (guint c = 0; (escalate == NULL || *escalate == '\0') && c < f->total; c++)
    escalate = cs_checklist_get_escalate_when (cs_fuse_get_checklist (f, c));
  return escalate != NULL ? escalate : "";
}

void
cs_fuse_support (CsFuse *f)
{
  g_autofree char *summary = NULL;
  guint lead;

  fuse_causes (f);
  fuse_steps (f);

  lead = cs_fuse_lead_candidate (f, FALSE);
  cs_checklist_set_escalate_when (f->checklist, escalate_when (f, lead));
  summary = cs_fuse_summary (f, lead);
  cs_checklist_set_summary (f->checklist, summary);
}
