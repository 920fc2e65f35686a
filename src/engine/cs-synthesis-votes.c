/* cs-synthesis-votes.c: the clusters and votes both modes' fusion share
 *
 * Which member of a cluster gives the text, the votes on a cluster's
 * categorical field and the credit they give the candidates, the primary
 * clusters, and the summary taken from the candidate that agrees most.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-synthesis"

#include "config.h"

#include "cs-json-util.h"
#include "cs-synthesis-private.h"

void
cs_fuse_add_string (JsonBuilder *b,
                    const char  *key,
                    const char  *value)
{
  json_builder_set_member_name (b, key);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

void
cs_fuse_add_int (JsonBuilder *b,
                 const char  *key,
                 gint64       value)
{
  json_builder_set_member_name (b, key);
  json_builder_add_int_value (b, value);
}

gboolean
cs_fuse_str_in (const char         *value,
                const char * const *allowed)
{
  for (guint i = 0; allowed[i] != NULL; i++)
    if (g_strcmp0 (value, allowed[i]) == 0)
      return TRUE;
  return FALSE;
}

const char *
cs_fuse_candidate_id (CsFuse *f,
                      guint   index)
{
  const char *id = ((CsFuseSnapshot *)g_ptr_array_index (f->candidates, index))->id;

  return id != NULL ? id : "";
}

/* Per candidate: its array member @key, or NULL. */
GPtrArray *
cs_fuse_lists_for (CsFuse     *f,
                   const char *key)
{
  GPtrArray *lists = g_ptr_array_new ();

  for (guint c = 0; c < f->total; c++)
    g_ptr_array_add (lists, cs_json_get_array_node (g_ptr_array_index (f->datas, c), key));
  return lists;
}

void
cs_fuse_add_candidate_ids (CsFuse      *f,
                           JsonBuilder *b,
                           CsCluster   *cluster)
{
  json_builder_set_member_name (b, "candidates");
  json_builder_begin_array (b);
  for (guint i = 0; i < cluster->members->len; i++)
    json_builder_add_string_value (b, cs_fuse_candidate_id (f, cs_fuse_member_at (cluster, i)->candidate));
  json_builder_end_array (b);
}

/* The members an alternative shares: support, total, candidates, kind. */
void
cs_fuse_add_cluster_alternative (CsFuse      *f,
                                 JsonBuilder *b,
                                 CsCluster   *cluster,
                                 const char  *kind)
{
  cs_fuse_add_int (b, "support", cluster->support);
  cs_fuse_add_int (b, "total", cluster->total);
  cs_fuse_add_candidate_ids (f, b, cluster);
  cs_fuse_add_string (b, "kind", kind);
}

/* A string field of the cluster: from member @source, else the first member
 * that has it non-empty, else "". */
const char *
cs_fuse_cluster_str (CsCluster  *cluster,
                     guint       source,
                     const char *key)
{
  const char *s = cs_json_node_get_string (cs_fuse_member_at (cluster, source)->node, key);

  if (s != NULL && *s != '\0')
    return s;
  for (guint i = 0; i < cluster->members->len; i++)
    {
      s = cs_json_node_get_string (cs_fuse_member_at (cluster, i)->node, key);
      if (s != NULL && *s != '\0')
        return s;
    }
  return "";
}

/* Votes on @key among the members of @cluster, in candidate order; with
 * @allowed, only values among them (case and blanks ignored) count. */
CsVote *
cs_fuse_vote_cluster (CsCluster          *cluster,
                      const char         *field,
                      const char         *key,
                      CsVoteKind          kind,
                      const char * const *allowed)
{
  CsVote *vote = cs_vote_new (field, kind);

  for (guint i = 0; i < cluster->members->len; i++)
    {
      const char *value = cs_json_node_get_string (cs_fuse_member_at (cluster, i)->node, key);

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

/* Records @vote and credits the candidates that voted for the winner. */
void
cs_fuse_record_vote (CsFuse     *f,
                     CsVote     *vote,
                     CsCluster  *cluster,
                     const char *key)
{
  if (cs_vote_get_total (vote) == 0)
    return;
  json_array_add_element (f->votes, cs_vote_to_json (vote));
  for (guint i = 0; cluster != NULL && i < cluster->members->len; i++)
    {
      CsConsensusMember *m = cs_fuse_member_at (cluster, i);

      if (cs_vote_is_winner (vote, cs_json_node_get_string (m->node, key)))
        f->wins[m->candidate]++;
    }
}

/* The member to take the text from: the most central of those that agree
 * with the vote's winner (all members when nobody voted). */
guint
cs_fuse_pick_source (CsCluster  *cluster,
                     CsVote     *vote,
                     const char *key)
{
  g_autofree gboolean *eligible = NULL;
  gboolean any = FALSE;

  if (vote == NULL || cs_vote_get_total (vote) == 0)
    return cluster->representative;

  eligible = g_new0 (gboolean, cluster->members->len + 1);
  for (guint i = 0; i < cluster->members->len; i++)
    {
      eligible[i] = cs_vote_is_winner (vote, cs_json_node_get_string (cs_fuse_member_at (cluster, i)->node, key));
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

char *
cs_fuse_field_name (const char *list,
                    const char *title,
                    const char *key)
{
  return g_strdup_printf ("%s[%s].%s", list, title, key);
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
  const char *summary = cs_json_get_string (g_ptr_array_index (f->datas, lead), "summary");
  const char *model = ((CsFuseSnapshot *)g_ptr_array_index (f->candidates, lead))->model;

  if (summary == NULL)
    summary = "";
  if (f->total == 1)
    return g_strdup_printf ("From a single candidate (%s, %s): %s",
                            cs_fuse_candidate_id (f, lead), model ? model : "unknown model", summary);
  return g_strdup_printf ("Consensus of %u candidates; summary from candidate %s (%s), "
                          "which agrees most with the others: %s",
                          f->total, cs_fuse_candidate_id (f, lead), model ? model : "unknown model", summary);
}
