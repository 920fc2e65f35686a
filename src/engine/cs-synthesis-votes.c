/* cs-synthesis-votes.c: the clusters and votes both modes' fusion share
 *
 * Which member of a cluster gives the text, the votes on a cluster's
 * categorical field and the credit they give the candidates, where a fused
 * item came from, the primary clusters, and the summary taken from the
 * candidate that agrees most.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-synthesis"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "cs-synthesis-private.h"

gboolean
cs_fuse_str_in (const char         *value,
                const char * const *allowed)
{
  for (guint i = 0; allowed[i] != NULL; i++)
    if (g_strcmp0 (value, allowed[i]) == 0)
      return TRUE;
  return FALSE;
}

static CsFuseSnapshot *
snapshot_at (CsFuse *f,
             guint   index)
{
  return g_ptr_array_index (f->candidates, index);
}

const char *
cs_fuse_candidate_id (CsFuse *f,
                      guint   index)
{
  const char *id = snapshot_at (f, index)->id;

  return id != NULL ? id : "";
}

CsBlueprint *
cs_fuse_get_blueprint (CsFuse *f,
                       guint   index)
{
  return snapshot_at (f, index)->blueprint;
}

CsChecklist *
cs_fuse_get_checklist (CsFuse *f,
                       guint   index)
{
  return snapshot_at (f, index)->checklist;
}

GPtrArray *
cs_fuse_blueprint_lists (CsFuse       *f,
                         GPtrArray *(*get) (CsBlueprint *))
{
  GPtrArray *lists = g_ptr_array_new ();

  for (guint c = 0; c < f->total; c++)
    g_ptr_array_add (lists, get (cs_fuse_get_blueprint (f, c)));
  return lists;
}

GPtrArray *
cs_fuse_checklist_lists (CsFuse       *f,
                         GPtrArray *(*get) (CsChecklist *))
{
  GPtrArray *lists = g_ptr_array_new ();

  for (guint c = 0; c < f->total; c++)
    g_ptr_array_add (lists, get (cs_fuse_get_checklist (f, c)));
  return lists;
}

GStrv
cs_fuse_cluster_sources (CsFuse    *f,
                         CsCluster *cluster)
{
  GStrv sources = g_new0 (char *, cluster->members->len + 1);

  for (guint i = 0; i < cluster->members->len; i++)
    sources[i] = g_strdup (cs_fuse_candidate_id (f, cs_fuse_member_at (cluster, i)->candidate));
  return sources;
}

void
cs_fuse_set_origin (CsFuse       *f,
                    CsItem       *item,
                    CsCluster    *cluster,
                    CsVoteRecord *vote)
{
  g_strfreev (item->origin.sources);
  item->origin.sources = cs_fuse_cluster_sources (f, cluster);
  item->support = cluster->support;
  item->total = cluster->total;
  item->vote = vote;
}

/* A string field of the cluster: from member @source, else the first member
 * that has it non-empty, else "". */
const char *
cs_fuse_cluster_str (CsCluster *cluster,
                     guint      source,
                     glong      offset)
{
  const char *s = cs_fuse_item_str (cs_fuse_member_at (cluster, source)->item, offset);

  if (s != NULL && *s != '\0')
    return s;
  for (guint i = 0; i < cluster->members->len; i++)
    {
      s = cs_fuse_item_str (cs_fuse_member_at (cluster, i)->item, offset);
      if (s != NULL && *s != '\0')
        return s;
    }
  return "";
}

/* Votes on the field at @offset among the members of @cluster, in candidate
 * order; with @allowed, only values among them (case and blanks ignored)
 * count. */
CsVote *
cs_fuse_vote_cluster (CsCluster          *cluster,
                      const char         *field,
                      glong               offset,
                      CsVoteKind          kind,
                      const char * const *allowed)
{
  CsVote *vote = cs_vote_new (field, kind);

  for (guint i = 0; i < cluster->members->len; i++)
    {
      const char *value = cs_fuse_item_str (cs_fuse_member_at (cluster, i)->item, offset);

      if (allowed != NULL)
        {
          g_autofree char *lower = value != NULL ? g_ascii_strdown (value, -1) : NULL;

          if (lower == NULL || !cs_fuse_str_in (g_strstrip (lower), allowed))
            continue;
        }
      cs_vote_add (vote, value);
    }
  return vote;
}

CsVoteRecord *
cs_fuse_add_vote (CsFuse *f,
                  CsVote *vote)
{
  guint n = cs_vote_get_n_options (vote);
  g_autofree const char **names = g_new0 (const char *, n + 1);
  g_autofree guint *counts = g_new0 (guint, n + 1);

  if (cs_vote_get_total (vote) == 0)
    return NULL;
  for (guint i = 0; i < n; i++)
    names[i] = cs_vote_get_option (vote, i, &counts[i]);
  return cs_result_add_vote (f->result, cs_vote_get_field (vote), cs_vote_get_winner (vote),
                             cs_vote_get_count (vote), cs_vote_get_total (vote),
                             names, counts, n);
}

/* Records @vote and credits the candidates that voted for the winner. */
CsVoteRecord *
cs_fuse_record_vote (CsFuse    *f,
                     CsVote    *vote,
                     CsCluster *cluster,
                     glong      offset)
{
  CsVoteRecord *record = cs_fuse_add_vote (f, vote);

  if (record == NULL)
    return NULL;
  for (guint i = 0; cluster != NULL && i < cluster->members->len; i++)
    {
      CsConsensusMember *m = cs_fuse_member_at (cluster, i);

      if (cs_vote_is_winner (vote, cs_fuse_item_str (m->item, offset)))
        f->wins[m->candidate]++;
    }
  return record;
}

/* The member to take the text from: the most central of those that agree
 * with the vote's winner (all members when nobody voted). */
guint
cs_fuse_pick_source (CsCluster *cluster,
                     CsVote    *vote,
                     glong      offset)
{
  g_autofree gboolean *eligible = NULL;
  gboolean any = FALSE;

  if (vote == NULL || cs_vote_get_total (vote) == 0)
    return cluster->representative;

  eligible = g_new0 (gboolean, cluster->members->len + 1);
  for (guint i = 0; i < cluster->members->len; i++)
    {
      eligible[i] = cs_vote_is_winner (vote, cs_fuse_item_str (cs_fuse_member_at (cluster, i)->item, offset));
      any |= eligible[i];
    }
  if (!any)
    return cluster->representative;
  return cs_cluster_most_central (cluster, eligible);
}

void
cs_fuse_count_joined (CsFuse    *f,
                      CsCluster *cluster)
{
  for (guint i = 0; i < cluster->members->len; i++)
    f->joined[cs_fuse_member_at (cluster, i)->candidate]++;
}

/* The primary clusters; when none reaches half the candidates (they all
 * disagree), those of the candidate with the most items in the best-supported
 * clusters, so the result is never empty. */
GPtrArray *
cs_fuse_primary_clusters (GPtrArray *clusters)
{
  GPtrArray *out = g_ptr_array_new ();
  guint fallback;

  for (guint i = 0; i < clusters->len; i++)
    {
      CsCluster *cluster = g_ptr_array_index (clusters, i);

      if (cluster->primary)
        g_ptr_array_add (out, cluster);
    }
  if (out->len > 0 || clusters->len == 0)
    return out;

  /* the first cluster's earliest candidate: best support, earliest position */
  fallback = cs_fuse_member_at (g_ptr_array_index (clusters, 0), 0)->candidate;
  for (guint i = 0; i < clusters->len; i++)
    {
      CsCluster *cluster = g_ptr_array_index (clusters, i);

      if (cs_cluster_has_candidate (cluster, fallback))
        {
          cluster->primary = TRUE;
          g_ptr_array_add (out, cluster);
        }
    }
  return out;
}

/* The candidate that agrees most with the others: the most votes won, then
 * the most primary clusters joined (or the other way round). */
guint
cs_fuse_lead_candidate (CsFuse   *f,
                        gboolean  by_votes)
{
  guint lead = 0;

  for (guint c = 1; c < f->total; c++)
    {
      guint a1 = by_votes ? f->wins[c] : f->joined[c];
      guint a2 = by_votes ? f->joined[c] : f->wins[c];
      guint b1 = by_votes ? f->wins[lead] : f->joined[lead];
      guint b2 = by_votes ? f->joined[lead] : f->wins[lead];

      if (a1 > b1 || (a1 == b1 && a2 > b2))
        lead = c;
    }
  return lead;
}

char *
cs_fuse_summary (CsFuse *f,
                 guint   lead)
{
  CsFuseSnapshot *snap = snapshot_at (f, lead);
  const char *summary = snap->blueprint != NULL ? cs_blueprint_get_summary (snap->blueprint)
                                                : cs_checklist_get_summary (snap->checklist);
  /* the model's name as people know it, without the provider's id */
  const char *model = snap->model != NULL && strchr (snap->model, '/') != NULL
                      ? strchr (snap->model, '/') + 1 : snap->model;
  const char *sources[] = { cs_fuse_candidate_id (f, lead), NULL };

  cs_origin_set_sources (cs_result_get_summary_origin (f->result), sources);
  if (summary == NULL)
    summary = "";
  if (f->total == 1)
    return g_strdup_printf (_("From a single candidate (%s, %s): %s"),
                            cs_fuse_candidate_id (f, lead), model ? model : _("unknown model"), summary);
  return g_strdup_printf (_("Consensus of %u candidates; summary from candidate %s (%s), "
                            "which agrees most with the others: %s"),
                          f->total, cs_fuse_candidate_id (f, lead), model ? model : _("unknown model"), summary);
}

typedef struct {
  CsAlternative *alt;
  guint          index;
} Ordered;

static int
compare_alternatives (gconstpointer pa,
                      gconstpointer pb)
{
  const Ordered *a = pa;
  const Ordered *b = pb;
  gint64 after_a = a->alt->after_step >= 0 ? a->alt->after_step : G_MAXINT64;
  gint64 after_b = b->alt->after_step >= 0 ? b->alt->after_step : G_MAXINT64;

  /* "if that did not work" in checklist order; those tied to no step last;
   * then the more supported first; stable */
  if (after_a != after_b)
    return after_a < after_b ? -1 : 1;
  if (a->alt->item.support != b->alt->item.support)
    return a->alt->item.support > b->alt->item.support ? -1 : 1;
  return a->index < b->index ? -1 : a->index > b->index;
}

void
cs_fuse_sort_alternatives (CsResult *result)
{
  GPtrArray *alternatives = cs_result_get_alternatives (result);
  g_autoptr(GArray) ordered = g_array_sized_new (FALSE, FALSE, sizeof (Ordered), alternatives->len);

  for (guint i = 0; i < alternatives->len; i++)
    {
      Ordered o = { g_ptr_array_index (alternatives, i), i };

      g_array_append_val (ordered, o);
    }
  g_array_sort (ordered, compare_alternatives);
  for (guint i = 0; i < ordered->len; i++)
    alternatives->pdata[i] = g_array_index (ordered, Ordered, i).alt;
}
