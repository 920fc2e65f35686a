/* cs-consensus.h: clustering equivalent items across candidates
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "cs-result.h"

G_BEGIN_DECLS

/* What the items are (the item struct of the result model each kind takes),
 * which decides how they are compared. */
typedef enum {
  CS_ITEM_COMPONENT,   /* CsComponent: by name, then responsibility */
  CS_ITEM_DATA_STORE,  /* CsDataStore: name, purpose, technology */
  CS_ITEM_API,         /* CsApi: name, description */
  CS_ITEM_DECISION,    /* CsDecision: topic */
  CS_ITEM_TEXT,        /* CsTradeOff: the text */
  CS_ITEM_RISK,        /* CsRisk: the risk */
  CS_ITEM_CAUSE,       /* CsCause: the cause */
  CS_ITEM_STEP,        /* CsStep: title, action, command, effort, risk */
} CsItemKind;

typedef struct {
  guint          candidate;   /* index of the candidate in the input */
  guint          position;    /* index of the item in the candidate's list */
  gconstpointer  item;        /* the item, borrowed: the lists outlive the clusters */
  guint          index;       /* private: the item's index in the cluster's cache */
} CsConsensusMember;

/* Private: the items' prepared texts and the similarities computed so far,
 * shared by the clusters of one cs_consensus_cluster () call. */
typedef struct _CsSimilarityCache CsSimilarityCache;

typedef struct {
  GPtrArray *members;         /* CsConsensusMember*, by candidate index */
  guint      representative;  /* index in members of the most central item */
  guint      support;         /* distinct candidates contributing */
  guint      total;           /* valid candidates */
  double     mean_position;   /* mean of the members' positions */
  int        effort_minutes;  /* steps: median of the members' efforts; else -1 */
  int        risk_rank;       /* steps: median of the members' risks, 0 none … 3 high; else -1 */
  gboolean   primary;         /* support * 2 >= total */
  CsItemKind kind;
  double    *centrality;      /* per member: sum of its similarity to the others */
  CsSimilarityCache *cache;   /* private: shared by the clusters of one call, or NULL */
} CsCluster;

void          cs_cluster_free                (CsCluster   *cluster);
gconstpointer cs_cluster_get_representative  (CsCluster   *cluster);
/* The index of the most central member among those @eligible (NULL: all;
 * else one gboolean per member). Ties: the title most members share
 * (identical answers win whatever their order), then the earliest candidate. */
guint       cs_cluster_most_central        (CsCluster      *cluster,
                                            const gboolean *eligible);
/* Whether candidate index @candidate contributed. */
gboolean    cs_cluster_has_candidate       (CsCluster   *cluster,
                                            guint        candidate);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsCluster, cs_cluster_free)

/* Whether @item has what the kind needs: a non-empty title. Others are
 * skipped. */
gboolean    cs_consensus_item_is_valid     (CsItemKind     kind,
                                            gconstpointer  item);
/* The item's display title: name, topic, risk, cause, title or the text;
 * NULL when it has none. */
const char *cs_consensus_item_title        (CsItemKind     kind,
                                            gconstpointer  item);
/* The similarity of two items in [0, 1]; items match at CS_SIMILARITY_THRESHOLD.
 * Components, data stores, APIs, steps: max (title, 0.6 title + 0.4 detail,
 * 0.75 detail when both details have at least 4 meaningful words), where the
 * detail is the responsibility, purpose, description or action; steps add the
 * command bonus, data stores 0.1 for the same technology; at most 1. */
double      cs_consensus_item_similarity   (CsItemKind     kind,
                                            gconstpointer  a,
                                            gconstpointer  b);
/* What cs_consensus_item_similarity () needs of one item (its prepared
 * texts), computed once to compare the item with many others:
 * cs_item_features_similarity () of two items' features equals
 * cs_consensus_item_similarity () of the items exactly. */
typedef struct _CsItemFeatures CsItemFeatures;

CsItemFeatures *cs_item_features_new        (CsItemKind            kind,
                                             gconstpointer         item);
/* The features of an item of @kind made of these texts (the detail: the
 * responsibility, purpose, description or action; the command: steps). */
CsItemFeatures *cs_item_features_new_texts  (CsItemKind            kind,
                                             const char           *title,
                                             const char           *detail,
                                             const char           *command);
void            cs_item_features_free       (CsItemFeatures       *features);
double          cs_item_features_similarity (const CsItemFeatures *a,
                                             const CsItemFeatures *b);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsItemFeatures, cs_item_features_free)

/* Mean similarity over all pairs of members of two clusters. */
double      cs_consensus_cluster_similarity (CsItemKind  kind,
                                             CsCluster  *a,
                                             CsCluster  *b);

/* Clusters the items of @lists (one entry per valid candidate, in candidate
 * order: a GPtrArray of the kind's items, or NULL when the candidate has
 * none) into groups
 * of equivalent items, at most one item per candidate per group. Greedy and
 * deterministic: candidate pairs of items are joined best first (ties: the
 * earlier items), two groups merge only when their mean similarity still
 * reaches the threshold. Invalid items are skipped. Returns CsCluster*,
 * ordered: support desc, then (steps) risk asc when both are known, effort
 * asc with unknown last, then
 * mean position asc, then the earliest member. */
GPtrArray  *cs_consensus_cluster           (CsItemKind   kind,
                                            GPtrArray   *lists);

G_END_DECLS
