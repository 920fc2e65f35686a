/* cs-consensus.c: clustering equivalent items across candidates
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-consensus"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cs-consensus.h"
#include "cs-ensemble.h"
#include "cs-similarity.h"

/* A detail (responsibility, purpose, action…) alone can make two items match
 * when both have at least this many meaningful words and their similarity
 * times the weight reaches the threshold (0.75 × 0.8 = 0.6). */
#define MIN_DETAIL_TOKENS 4
#define DETAIL_ONLY_WEIGHT 0.75

static const char *
member_string (JsonNode   *item,
               const char *key)
{
  JsonObject *obj;
  JsonNode *node;

  if (item == NULL || !JSON_NODE_HOLDS_OBJECT (item))
    return NULL;
  obj = json_node_get_object (item);
  node = json_object_get_member (obj, key);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static const char *
title_key (CsItemKind kind)
{
  switch (kind)
    {
    case CS_ITEM_COMPONENT:
    case CS_ITEM_DATA_STORE:
    case CS_ITEM_API:
      return "name";
    case CS_ITEM_DECISION:
      return "topic";
    case CS_ITEM_RISK:
      return "risk";
    case CS_ITEM_CAUSE:
      return "cause";
    case CS_ITEM_STEP:
      return "title";
    case CS_ITEM_TEXT:
    default:
      return NULL;
    }
}

static const char *
detail_key (CsItemKind kind)
{
  switch (kind)
    {
    case CS_ITEM_COMPONENT:
      return "responsibility";
    case CS_ITEM_DATA_STORE:
      return "purpose";
    case CS_ITEM_API:
      return "description";
    case CS_ITEM_STEP:
      return "action";
    case CS_ITEM_DECISION:
    case CS_ITEM_RISK:
    case CS_ITEM_CAUSE:
    case CS_ITEM_TEXT:
    default:
      return NULL;
    }
}

const char *
cs_consensus_item_title (CsItemKind  kind,
                         JsonNode   *item)
{
  if (item == NULL)
    return NULL;
  if (kind == CS_ITEM_TEXT)
    {
      if (JSON_NODE_HOLDS_VALUE (item) && json_node_get_value_type (item) == G_TYPE_STRING)
        return json_node_get_string (item);
      return NULL;
    }
  return member_string (item, title_key (kind));
}

gboolean
cs_consensus_item_is_valid (CsItemKind  kind,
                            JsonNode   *item)
{
  const char *title = cs_consensus_item_title (kind, item);

  return title != NULL && *title != '\0' && g_utf8_validate (title, -1, NULL);
}

static gint64
member_int (JsonNode   *item,
            const char *key,
            gint64      fallback)
{
  JsonNode *node;
  GType type;

  if (item == NULL || !JSON_NODE_HOLDS_OBJECT (item))
    return fallback;
  node = json_object_get_member (json_node_get_object (item), key);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return fallback;
  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64)
    return json_node_get_int (node);
  if (type == G_TYPE_DOUBLE)
    {
      double d = json_node_get_double (node);

      if (isfinite (d) && fabs (d) < 1e15)
        return (gint64)llround (d);
    }
  return fallback;
}

/* What the similarity of an item needs, computed once per item: its title
 * and detail as prepared texts, its command's program and tokens (steps),
 * its technology key (data stores). */
struct _CsItemFeatures {
  CsItemKind      kind;
  CsPreparedText *title;
  CsPreparedText *detail;        /* NULL when missing or empty */
  char           *command_word;  /* steps: the program, or NULL */
  CsPreparedText *command;       /* steps with a program */
  char           *technology;    /* data stores: the technology key */
};
typedef struct _CsItemFeatures ItemFeatures;

static void
item_features_init (ItemFeatures *features,
                    CsItemKind    kind,
                    JsonNode     *item)
{
  const char *dkey = detail_key (kind);

  features->kind = kind;
  features->title = cs_prepared_text_new (cs_consensus_item_title (kind, item));
  if (dkey != NULL)
    {
      const char *detail = member_string (item, dkey);

      if (detail != NULL && *detail != '\0')
        features->detail = cs_prepared_text_new (detail);
    }
  if (kind == CS_ITEM_STEP)
    {
      const char *command = member_string (item, "command");

      features->command_word = cs_similarity_command_word (command);
      if (features->command_word != NULL)
        features->command = cs_prepared_text_new (command);
    }
  else if (kind == CS_ITEM_DATA_STORE)
    features->technology = cs_similarity_technology_key (member_string (item, "technology"));
}

static void
item_features_clear (ItemFeatures *features)
{
  g_clear_pointer (&features->title, cs_prepared_text_free);
  g_clear_pointer (&features->detail, cs_prepared_text_free);
  g_clear_pointer (&features->command_word, g_free);
  g_clear_pointer (&features->command, cs_prepared_text_free);
  g_clear_pointer (&features->technology, g_free);
}

/* The similarity of two items from their features: the same arithmetic, in
 * the same order, as computing it from the items' texts. Symmetric. */
static double
features_similarity (CsItemKind          kind,
                     const ItemFeatures *a,
                     const ItemFeatures *b)
{
  double title;
  double score;

  title = cs_similarity_text_prepared (a->title, b->title);
  score = title;

  if (a->detail != NULL && b->detail != NULL)
    {
      double detail = cs_similarity_text_prepared (a->detail, b->detail);

      score = MAX (title, 0.6 * title + 0.4 * detail);
      /* two long descriptions that say the same thing name the same
       * role, whatever the names ("Event bus" / "Message broker") */
      if (cs_prepared_text_get_n_tokens (a->detail) >= MIN_DETAIL_TOKENS &&
          cs_prepared_text_get_n_tokens (b->detail) >= MIN_DETAIL_TOKENS)
        score = MAX (score, DETAIL_ONLY_WEIGHT * detail);
    }

  if (kind == CS_ITEM_STEP)
    {
      /* cs_similarity_command_bonus () */
      if (a->command_word != NULL && b->command_word != NULL &&
          strcmp (a->command_word, b->command_word) == 0)
        score += 0.05 + 0.15 * cs_similarity_jaccard_prepared (a->command, b->command);
    }
  else if (kind == CS_ITEM_DATA_STORE)
    {
      if (*a->technology != '\0' && strcmp (a->technology, b->technology) == 0)
        score += 0.1;
    }

  return CLAMP (score, 0.0, 1.0);
}

double
cs_consensus_item_similarity (CsItemKind  kind,
                              JsonNode   *a,
                              JsonNode   *b)
{
  ItemFeatures fa = { 0 };
  ItemFeatures fb = { 0 };
  double score;

  item_features_init (&fa, kind, a);
  item_features_init (&fb, kind, b);
  score = features_similarity (kind, &fa, &fb);
  item_features_clear (&fa);
  item_features_clear (&fb);
  return score;
}

CsItemFeatures *
cs_item_features_new (CsItemKind  kind,
                      JsonNode   *item)
{
  CsItemFeatures *features = g_new0 (CsItemFeatures, 1);

  item_features_init (features, kind, item);
  return features;
}

void
cs_item_features_free (CsItemFeatures *features)
{
  if (features == NULL)
    return;
  item_features_clear (features);
  g_free (features);
}

double
cs_item_features_similarity (const CsItemFeatures *a,
                             const CsItemFeatures *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, 0.0);
  g_return_val_if_fail (a->kind == b->kind, 0.0);

  return features_similarity (a->kind, a, b);
}

/* The items of one cs_consensus_cluster () call with their features, and
 * the similarities of their pairs, each computed at most once. */
struct _CsSimilarityCache
{
  CsItemKind    kind;
  guint         n;
  ItemFeatures *features;
  double       *matrix;     /* n × n; NAN: not computed yet */
};

static void
similarity_cache_clear (gpointer data)
{
  CsSimilarityCache *cache = data;

  for (guint i = 0; i < cache->n; i++)
    item_features_clear (&cache->features[i]);
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
  cache->features = g_new0 (ItemFeatures, cache->n + 1);
  cache->matrix = g_new (double, (gsize)cache->n * cache->n + 1);
  for (gsize k = 0; k < (gsize)cache->n * cache->n; k++)
    cache->matrix[k] = NAN;
  for (guint i = 0; i < cache->n; i++)
    item_features_init (&cache->features[i], kind,
                        ((CsConsensusMember *)g_ptr_array_index (items, i))->node);
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
      *value = features_similarity (cache->kind, &cache->features[i], &cache->features[j]);
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
  return cs_consensus_item_similarity (kind, a->node, b->node);
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

JsonNode *
cs_cluster_get_representative (CsCluster *cluster)
{
  CsConsensusMember *member;

  g_return_val_if_fail (cluster != NULL, NULL);

  member = g_ptr_array_index (cluster->members, cluster->representative);
  return member->node;
}

static guint
count_same_title (CsCluster  *cluster,
                  const char *title)
{
  guint n = 0;

  for (guint i = 0; i < cluster->members->len; i++)
    {
      CsConsensusMember *m = g_ptr_array_index (cluster->members, i);

      if (g_strcmp0 (cs_consensus_item_title (cluster->kind, m->node), title) == 0)
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
      ti = cs_consensus_item_title (cluster->kind, mi->node);
      tb = cs_consensus_item_title (cluster->kind, mb->node);
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

static void
member_free (gpointer data)
{
  CsConsensusMember *member = data;

  json_node_unref (member->node);
  g_free (member);
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

/* A step's risk as a rank: none 0, low 1, medium 2, high 3; -1 unknown. */
static int
risk_rank (JsonNode *item)
{
  static const char * const ranks[] = { "none", "low", "medium", "high" };
  g_autofree char *risk = NULL;

  if (member_string (item, "risk") == NULL)
    return -1;
  risk = g_ascii_strdown (member_string (item, "risk"), -1);
  g_strstrip (risk);
  for (guint i = 0; i < G_N_ELEMENTS (ranks); i++)
    if (g_str_equal (risk, ranks[i]))
      return (int)i;
  return -1;
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
          gint64 effort = member_int (mi->node, "effort_minutes", -1);

          int risk = risk_rank (mi->node);

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

GPtrArray *
cs_consensus_cluster (CsItemKind  kind,
                      GPtrArray  *lists)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (member_free);
  g_autoptr(GArray) pairs = g_array_new (FALSE, FALSE, sizeof (Pair));
  g_autofree guint *owner = NULL;          /* item → group */
  g_autoptr(GPtrArray) groups = NULL;      /* group → GArray of item indices, or NULL */
  g_autoptr(CsSimilarityCache) cache = NULL;
  GPtrArray *clusters;
  guint total;

  g_return_val_if_fail (lists != NULL, NULL);

  total = lists->len;
  clusters = g_ptr_array_new_with_free_func ((GDestroyNotify)cs_cluster_free);

  for (guint c = 0; c < lists->len; c++)
    {
      JsonNode *list = g_ptr_array_index (lists, c);
      JsonArray *array;

      if (list == NULL || !JSON_NODE_HOLDS_ARRAY (list))
        continue;
      array = json_node_get_array (list);
      for (guint p = 0; p < json_array_get_length (array); p++)
        {
          JsonNode *item = json_array_get_element (array, p);
          CsConsensusMember *member;

          if (!cs_consensus_item_is_valid (kind, item))
            continue;
          member = g_new0 (CsConsensusMember, 1);
          member->candidate = c;
          member->position = p;
          member->node = json_node_ref (item);
          member->index = items->len;
          g_ptr_array_add (items, member);
        }
    }
  cache = similarity_cache_new (kind, items);

  /* all pairs of items of different candidates that match */
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

  owner = g_new (guint, items->len + 1);
  groups = g_ptr_array_new_with_free_func ((GDestroyNotify)g_array_unref);
  for (guint i = 0; i < items->len; i++)
    {
      GArray *g = g_array_new (FALSE, FALSE, sizeof (guint));

      g_array_append_val (g, i);
      g_ptr_array_add (groups, g);
      owner[i] = i;
    }

  /* best pairs first; merge two groups when they share no candidate and
   * their mean similarity still reaches the threshold (no chaining) */
  for (guint k = 0; k < pairs->len; k++)
    {
      const Pair *pair = &g_array_index (pairs, Pair, k);
      guint gi = owner[pair->i];
      guint gj = owner[pair->j];
      GArray *a, *b;
      gboolean disjoint = TRUE;
      double sum = 0;

      if (gi == gj)
        continue;
      a = g_ptr_array_index (groups, gi);
      b = g_ptr_array_index (groups, gj);

      for (guint x = 0; x < a->len && disjoint; x++)
        for (guint y = 0; y < b->len && disjoint; y++)
          {
            CsConsensusMember *ma = g_ptr_array_index (items, g_array_index (a, guint, x));
            CsConsensusMember *mb = g_ptr_array_index (items, g_array_index (b, guint, y));

            if (ma->candidate == mb->candidate)
              disjoint = FALSE;
            else
              sum += similarity_cache_get (cache, ma->index, mb->index);
          }
      if (!disjoint || sum / (a->len * b->len) < CS_SIMILARITY_THRESHOLD)
        continue;

      /* merge the later group into the earlier one */
      if (gj < gi)
        {
          guint t = gi;
          GArray *ta = a;

          gi = gj;
          gj = t;
          a = b;
          b = ta;
        }
      for (guint y = 0; y < b->len; y++)
        {
          guint idx = g_array_index (b, guint, y);

          g_array_append_val (a, idx);
          owner[idx] = gi;
        }
      g_array_set_size (b, 0);
    }

  for (guint g = 0; g < groups->len; g++)
    {
      GArray *group = g_ptr_array_index (groups, g);
      CsCluster *cluster;

      if (group->len == 0)
        continue;
      cluster = g_new0 (CsCluster, 1);
      cluster->members = g_ptr_array_new_with_free_func (member_free);
      cluster->cache = g_rc_box_acquire (cache);
      for (guint x = 0; x < group->len; x++)
        {
          const CsConsensusMember *src = g_ptr_array_index (items, g_array_index (group, guint, x));
          CsConsensusMember *member = g_new (CsConsensusMember, 1);

          *member = *src;
          json_node_ref (member->node);
          g_ptr_array_add (cluster->members, member);
        }
      finish_cluster (kind, cluster, total);
      g_ptr_array_add (clusters, cluster);
    }

  g_ptr_array_sort (clusters, kind == CS_ITEM_STEP ? compare_step_clusters : compare_other_clusters);
  return clusters;
}
