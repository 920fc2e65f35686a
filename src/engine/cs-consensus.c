/* cs-consensus.c: clustering equivalent items across candidates
 *
 * Greedy and deterministic: every pair of items of different candidates
 * that match is a candidate join, best first; two groups merge when they
 * share no candidate and their mean similarity still reaches the threshold.
 * What one item is to the clustering is in cs-consensus-item.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-consensus"

#include "config.h"

#include <math.h>
#include <stdlib.h>

#include "cs-consensus-private.h"
#include "cs-ensemble.h"

/* The items of one cs_consensus_cluster () call with their features, and
 * the similarities of their pairs, each computed at most once. */
struct _CsSimilarityCache
{
  CsItemKind      kind;
  guint           n;
  CsItemFeatures *features;
  double         *matrix;     /* n × n; NAN: not computed yet */
};

static void
similarity_cache_clear (gpointer data)
{
  CsSimilarityCache *cache = data;

  for (guint i = 0; i < cache->n; i++)
    cs_item_features_clear (&cache->features[i]);
  g_free (cache->features);
  g_free (cache->matrix);
}

static CsSimilarityCache *
similarity_cache_new (CsItemKind  kind,
                      GPtrArray  *items)
{
  CsSimilarityCache *cache = g_rc_box_new0 (CsSimilarityCache);

  cache->kind = kind;
  cache->n = items->len;
  cache->features = g_new0 (CsItemFeatures, cache->n + 1);
  cache->matrix = g_new (double, (gsize)cache->n * cache->n + 1);
  for (gsize k = 0; k < (gsize)cache->n * cache->n; k++)
    cache->matrix[k] = NAN;
  for (guint i = 0; i < cache->n; i++)
    cs_item_features_init (&cache->features[i], kind,
                           ((CsConsensusMember *)g_ptr_array_index (items, i))->item);
  return cache;
}

static void
similarity_cache_unref (CsSimilarityCache *cache)
{
  g_rc_box_release_full (cache, similarity_cache_clear);
}

static double
similarity_cache_get (CsSimilarityCache *cache,
                      guint              i,
                      guint              j)
{
  double *value = &cache->matrix[(gsize)i * cache->n + j];

  g_assert (i < cache->n && j < cache->n);

  if (isnan (*value))
    {
      *value = cs_item_features_similarity (&cache->features[i], &cache->features[j]);
      cache->matrix[(gsize)j * cache->n + i] = *value;
    }
  return *value;
}

/* The similarity of two members of clusters sharing @cache (or NULL). */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsSimilarityCache, similarity_cache_unref)

static double
member_similarity (CsItemKind               kind,
                   CsSimilarityCache       *cache,
                   const CsConsensusMember *a,
                   const CsConsensusMember *b)
{
  if (cache != NULL)
    return similarity_cache_get (cache, a->index, b->index);
  return cs_consensus_item_similarity (kind, a->item, b->item);
}

void
cs_cluster_free (CsCluster *cluster)
{
  if (cluster == NULL)
    return;
  g_ptr_array_unref (cluster->members);
  g_free (cluster->centrality);
  g_clear_pointer (&cluster->cache, similarity_cache_unref);
  g_free (cluster);
}

gconstpointer
cs_cluster_get_representative (CsCluster *cluster)
{
  CsConsensusMember *member;

  g_return_val_if_fail (cluster != NULL, NULL);

  member = g_ptr_array_index (cluster->members, cluster->representative);
  return member->item;
}

static guint
count_same_title (CsCluster  *cluster,
                  const char *title)
{
  guint n = 0;

  for (guint i = 0; i < cluster->members->len; i++)
    {
      CsConsensusMember *m = g_ptr_array_index (cluster->members, i);

      if (g_strcmp0 (cs_consensus_item_title (cluster->kind, m->item), title) == 0)
        n++;
    }
  return n;
}

guint
cs_cluster_most_central (CsCluster      *cluster,
                         const gboolean *eligible)
{
  int best = -1;

  g_return_val_if_fail (cluster != NULL, 0);

  for (guint i = 0; i < cluster->members->len; i++)
    {
      CsConsensusMember *mi = g_ptr_array_index (cluster->members, i);
      CsConsensusMember *mb;
      const char *ti, *tb;
      guint ni, nb;

      if (eligible != NULL && !eligible[i])
        continue;
      if (best < 0)
        {
          best = (int)i;
          continue;
        }
      if (cluster->centrality[i] > cluster->centrality[best] + 1e-9)
        {
          best = (int)i;
          continue;
        }
      if (cluster->centrality[i] < cluster->centrality[best] - 1e-9)
        continue;
      mb = g_ptr_array_index (cluster->members, best);
      ti = cs_consensus_item_title (cluster->kind, mi->item);
      tb = cs_consensus_item_title (cluster->kind, mb->item);
      ni = count_same_title (cluster, ti);
      nb = count_same_title (cluster, tb);
      if (ni > nb)
        best = (int)i;
      /* else: keep the earlier candidate */
    }
  return best < 0 ? 0 : (guint)best;
}

gboolean
cs_cluster_has_candidate (CsCluster *cluster,
                          guint      candidate)
{
  g_return_val_if_fail (cluster != NULL, FALSE);

  for (guint i = 0; i < cluster->members->len; i++)
    if (((CsConsensusMember *)g_ptr_array_index (cluster->members, i))->candidate == candidate)
      return TRUE;
  return FALSE;
}

double
cs_consensus_cluster_similarity (CsItemKind  kind,
                                 CsCluster  *a,
                                 CsCluster  *b)
{
  CsSimilarityCache *cache;
  double sum = 0;

  g_return_val_if_fail (a != NULL && b != NULL, 0.0);

  if (a->members->len == 0 || b->members->len == 0)
    return 0.0;
  cache = a->cache != NULL && a->cache == b->cache && a->cache->kind == kind ? a->cache : NULL;
  for (guint i = 0; i < a->members->len; i++)
    for (guint j = 0; j < b->members->len; j++)
      sum += member_similarity (kind, cache,
                                g_ptr_array_index (a->members, i),
                                g_ptr_array_index (b->members, j));
  return sum / (a->members->len * b->members->len);
}

typedef struct {
  guint  i;
  guint  j;
  double score;
} Pair;

static int
compare_pairs (gconstpointer pa,
               gconstpointer pb)
{
  const Pair *a = pa;
  const Pair *b = pb;

  if (a->score != b->score)
    return a->score > b->score ? -1 : 1;
  if (a->i != b->i)
    return a->i < b->i ? -1 : 1;
  if (a->j != b->j)
    return a->j < b->j ? -1 : 1;
  return 0;
}

static int
compare_members (gconstpointer pa,
                 gconstpointer pb)
{
  const CsConsensusMember *a = *(const CsConsensusMember * const *)pa;
  const CsConsensusMember *b = *(const CsConsensusMember * const *)pb;

  if (a->candidate != b->candidate)
    return a->candidate < b->candidate ? -1 : 1;
  return a->position < b->position ? -1 : (a->position > b->position ? 1 : 0);
}

static int
compare_clusters (const CsCluster *a,
                  const CsCluster *b,
                  gboolean         by_effort)
{
  const CsConsensusMember *fa, *fb;

  if (a->support != b->support)
    return a->support > b->support ? -1 : 1;
  /* steps: among equally supported ones, the safe before the disruptive
   * (look before you restart), then the cheap before the long */
  if (by_effort && a->risk_rank >= 0 && b->risk_rank >= 0 && a->risk_rank != b->risk_rank)
    return a->risk_rank < b->risk_rank ? -1 : 1;
  if (by_effort && a->effort_minutes != b->effort_minutes)
    {
      if (a->effort_minutes < 0)
        return 1;
      if (b->effort_minutes < 0)
        return -1;
      return a->effort_minutes < b->effort_minutes ? -1 : 1;
    }
  if (fabs (a->mean_position - b->mean_position) > 1e-9)
    return a->mean_position < b->mean_position ? -1 : 1;
  fa = g_ptr_array_index (a->members, 0);
  fb = g_ptr_array_index (b->members, 0);
  return compare_members (&fa, &fb);
}

static int
compare_step_clusters (gconstpointer a,
                       gconstpointer b)
{
  return compare_clusters (*(const CsCluster * const *)a, *(const CsCluster * const *)b, TRUE);
}

static int
compare_other_clusters (gconstpointer a,
                        gconstpointer b)
{
  return compare_clusters (*(const CsCluster * const *)a, *(const CsCluster * const *)b, FALSE);
}

static void
finish_cluster (CsItemKind  kind,
                CsCluster  *cluster,
                guint       total)
{
  guint n = cluster->members->len;
  double pos = 0;
  g_autofree double *efforts = g_new0 (double, n + 1);
  g_autofree double *risks = g_new0 (double, n + 1);
  guint n_efforts = 0;
  guint n_risks = 0;

  g_ptr_array_sort (cluster->members, compare_members);

  cluster->kind = kind;
  cluster->support = n;
  cluster->total = total;
  cluster->primary = n * 2 >= total;
  cluster->centrality = g_new0 (double, n + 1);

  for (guint i = 0; i < n; i++)
    {
      CsConsensusMember *mi = g_ptr_array_index (cluster->members, i);

      pos += mi->position;
      for (guint j = 0; j < n; j++)
        if (j != i)
          cluster->centrality[i] += member_similarity (kind, cluster->cache, mi,
                                                       g_ptr_array_index (cluster->members, j));
      if (kind == CS_ITEM_STEP)
        {
          int effort = cs_consensus_item_effort (kind, mi->item);
          int risk = cs_consensus_item_risk_rank (kind, mi->item);

          if (effort >= 0)
            efforts[n_efforts++] = (double)effort;
          if (risk >= 0)
            risks[n_risks++] = (double)risk;
        }
    }
  cluster->representative = cs_cluster_most_central (cluster, NULL);
  cluster->mean_position = n > 0 ? pos / n : 0;

  cluster->risk_rank = n_risks > 0 ? (int)floor (cs_ensemble_median (risks, n_risks)) : -1;
  cluster->effort_minutes = -1;
  if (n_efforts > 0)
    {
      double median = cs_ensemble_median (efforts, n_efforts);

      cluster->effort_minutes = (int)CLAMP (llround (median), 0, G_MAXINT);
    }
}

/* Every valid item of @lists as a member, in candidate and list order. */
static GPtrArray *
collect_members (CsItemKind  kind,
                 GPtrArray  *lists)
{
  GPtrArray *items = g_ptr_array_new_with_free_func (g_free);

  for (guint c = 0; c < lists->len; c++)
    {
      GPtrArray *list = g_ptr_array_index (lists, c);

      for (guint p = 0; list != NULL && p < list->len; p++)
        {
          gconstpointer item = g_ptr_array_index (list, p);
          CsConsensusMember *member;

          if (!cs_consensus_item_is_valid (kind, item))
            continue;
          member = g_new0 (CsConsensusMember, 1);
          member->candidate = c;
          member->position = p;
          member->item = item;
          member->index = items->len;
          g_ptr_array_add (items, member);
        }
    }
  return items;
}

/* All pairs of items of different candidates that match, best first (ties:
 * the earlier items). */
static GArray *
matching_pairs (GPtrArray         *items,
                CsSimilarityCache *cache)
{
  GArray *pairs = g_array_new (FALSE, FALSE, sizeof (Pair));

  for (guint i = 0; i < items->len; i++)
    for (guint j = i + 1; j < items->len; j++)
      {
        CsConsensusMember *a = g_ptr_array_index (items, i);
        CsConsensusMember *b = g_ptr_array_index (items, j);
        Pair pair = { i, j, 0 };

        if (a->candidate == b->candidate)
          continue;
        pair.score = similarity_cache_get (cache, i, j);
        if (pair.score >= CS_SIMILARITY_THRESHOLD)
          g_array_append_val (pairs, pair);
      }
  g_array_sort (pairs, compare_pairs);
  return pairs;
}

/* Whether groups @a and @b (item indices) share no candidate and their mean
 * similarity still reaches the threshold (no chaining). */
static gboolean
groups_join (GPtrArray         *items,
             CsSimilarityCache *cache,
             GArray            *a,
             GArray            *b)
{
  double sum = 0;

  for (guint x = 0; x < a->len; x++)
    for (guint y = 0; y < b->len; y++)
      {
        CsConsensusMember *ma = g_ptr_array_index (items, g_array_index (a, guint, x));
        CsConsensusMember *mb = g_ptr_array_index (items, g_array_index (b, guint, y));

        if (ma->candidate == mb->candidate)
          return FALSE;
        sum += similarity_cache_get (cache, ma->index, mb->index);
      }
  return sum / (a->len * b->len) >= CS_SIMILARITY_THRESHOLD;
}

/* The groups of item indices: each item alone, then merged pair by pair,
 * the later group into the earlier one (emptied groups stay, empty). */
static GPtrArray *
merge_groups (GPtrArray         *items,
              CsSimilarityCache *cache,
              GArray            *pairs)
{
  GPtrArray *groups = g_ptr_array_new_with_free_func ((GDestroyNotify)g_array_unref);
  g_autofree guint *owner = g_new (guint, items->len + 1);   /* item → group */

  for (guint i = 0; i < items->len; i++)
    {
      GArray *g = g_array_new (FALSE, FALSE, sizeof (guint));

      g_array_append_val (g, i);
      g_ptr_array_add (groups, g);
      owner[i] = i;
    }
  for (guint k = 0; k < pairs->len; k++)
    {
      const Pair *pair = &g_array_index (pairs, Pair, k);
      guint gi = MIN (owner[pair->i], owner[pair->j]);
      guint gj = MAX (owner[pair->i], owner[pair->j]);
      GArray *a = g_ptr_array_index (groups, gi);
      GArray *b = g_ptr_array_index (groups, gj);

      /* summed in the pair's order, so that the mean is the same to the bit */
      if (gi == gj || !groups_join (items, cache,
                                    g_ptr_array_index (groups, owner[pair->i]),
                                    g_ptr_array_index (groups, owner[pair->j])))
        continue;
      for (guint y = 0; y < b->len; y++)
        {
          guint idx = g_array_index (b, guint, y);

          g_array_append_val (a, idx);
          owner[idx] = gi;
        }
      g_array_set_size (b, 0);
    }
  return groups;
}

static CsCluster *
new_cluster (CsItemKind         kind,
             GPtrArray         *items,
             GArray            *group,
             CsSimilarityCache *cache,
             guint              total)
{
  CsCluster *cluster = g_new0 (CsCluster, 1);

  cluster->members = g_ptr_array_new_with_free_func (g_free);
  cluster->cache = g_rc_box_acquire (cache);
  for (guint x = 0; x < group->len; x++)
    {
      const CsConsensusMember *src = g_ptr_array_index (items, g_array_index (group, guint, x));

      g_ptr_array_add (cluster->members, g_memdup2 (src, sizeof (CsConsensusMember)));
    }
  finish_cluster (kind, cluster, total);
  return cluster;
}

GPtrArray *
cs_consensus_cluster (CsItemKind  kind,
                      GPtrArray  *lists)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GArray) pairs = NULL;
  g_autoptr(GPtrArray) groups = NULL;
  g_autoptr(CsSimilarityCache) cache = NULL;
  GPtrArray *clusters;

  g_return_val_if_fail (lists != NULL, NULL);

  items = collect_members (kind, lists);
  cache = similarity_cache_new (kind, items);
  pairs = matching_pairs (items, cache);
  groups = merge_groups (items, cache, pairs);

  clusters = g_ptr_array_new_with_free_func ((GDestroyNotify)cs_cluster_free);
  for (guint g = 0; g < groups->len; g++)
    {
      GArray *group = g_ptr_array_index (groups, g);

      if (group->len > 0)
        g_ptr_array_add (clusters, new_cluster (kind, items, group, cache, lists->len));
    }
  g_ptr_array_sort (clusters, kind == CS_ITEM_STEP ? compare_step_clusters : compare_other_clusters);
  return clusters;
}
