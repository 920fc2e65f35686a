/* cs-synthesis-private.h: what the synthesis files share (internal)
 *
 * The fusion state and the cluster and vote helpers used by the core
 * (cs-synthesis.c), architect fusion (cs-synthesis-architect.c,
 * cs-synthesis-decisions.c), support fusion (cs-synthesis-support.c) and the
 * judge (cs-judge*.c). Candidates' answers are read, and the fused result
 * built, through the typed result model (cs-result.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "cs-consensus.h"
#include "cs-ensemble.h"
#include "cs-result.h"
#include "cs-result-synthesis.h"
#include "cs-synthesis.h"

G_BEGIN_DECLS

/* What the fusion needs of one valid candidate, taken on the main thread:
 * the fusion itself never touches a CsCandidate, so it can run in a worker
 * thread on copies. */
typedef struct {
  char        *id;
  char        *model;
  char        *angle;
  JsonNode    *data;       /* an object: a deep copy, or a reference (sync) */
  CsBlueprint *blueprint;  /* @data read (architect), by the fusion */
  CsChecklist *checklist;  /* @data read (support), by the fusion */
} CsFuseSnapshot;

/* One fusion in progress: the valid candidates and the result being built. */
typedef struct {
  CsMode       mode;
  GPtrArray   *candidates; /* CsFuseSnapshot*, the valid ones, borrowed */
  guint        total;
  CsResult    *result;
  CsBlueprint *blueprint;  /* architect: the fused data, also in @result */
  CsChecklist *checklist;  /* support: the fused data, also in @result */
  guint       *wins;       /* per candidate: votes won */
  guint       *joined;     /* per candidate: primary clusters joined */
} CsFuse;

/* A string field of an item, by its offset in the item's struct:
 * CS_FUSE_FIELD (CsComponent, technology). */
#define CS_FUSE_FIELD(type, member) G_STRUCT_OFFSET (type, member)

static inline const char *
cs_fuse_item_str (gconstpointer item,
                  glong         offset)
{
  return *(const char * const *)((const guint8 *)item + offset);
}

static inline CsConsensusMember *
cs_fuse_member_at (CsCluster *cluster,
                   guint      i)
{
  return g_ptr_array_index (cluster->members, i);
}

/* cs-synthesis-votes.c: the clusters and votes both modes share */
gboolean       cs_fuse_str_in               (const char         *value,
                                             const char * const *allowed);
const char    *cs_fuse_candidate_id         (CsFuse             *f,
                                             guint               index);
CsBlueprint   *cs_fuse_get_blueprint        (CsFuse             *f,
                                             guint               index);
CsChecklist   *cs_fuse_get_checklist        (CsFuse             *f,
                                             guint               index);
/* Per candidate: the list @get returns of its answer. */
GPtrArray     *cs_fuse_blueprint_lists      (CsFuse             *f,
                                             GPtrArray        *(*get) (CsBlueprint *));
GPtrArray     *cs_fuse_checklist_lists      (CsFuse             *f,
                                             GPtrArray        *(*get) (CsChecklist *));
/* The ids of the candidates in @cluster, NULL-terminated. */
GStrv          cs_fuse_cluster_sources      (CsFuse             *f,
                                             CsCluster          *cluster);
/* Where a fused item came from: @cluster's candidates, support, total, and
 * the vote on its voted field (or NULL). */
void           cs_fuse_set_origin           (CsFuse             *f,
                                             CsItem             *item,
                                             CsCluster          *cluster,
                                             CsVoteRecord       *vote);
const char    *cs_fuse_cluster_str          (CsCluster          *cluster,
                                             guint               source,
                                             glong               offset);
CsVote        *cs_fuse_vote_cluster         (CsCluster          *cluster,
                                             const char         *field,
                                             glong               offset,
                                             CsVoteKind          kind,
                                             const char * const *allowed);
/* @vote saved in the result (when anybody voted), or NULL. */
CsVoteRecord  *cs_fuse_add_vote             (CsFuse             *f,
                                             CsVote             *vote);
CsVoteRecord  *cs_fuse_record_vote          (CsFuse             *f,
                                             CsVote             *vote,
                                             CsCluster          *cluster,
                                             glong               offset);
guint          cs_fuse_pick_source          (CsCluster          *cluster,
                                             CsVote             *vote,
                                             glong               offset);
void           cs_fuse_count_joined         (CsFuse             *f,
                                             CsCluster          *cluster);
GPtrArray     *cs_fuse_primary_clusters     (GPtrArray          *clusters);
guint          cs_fuse_lead_candidate       (CsFuse             *f,
                                             gboolean            by_votes);
/* The fused summary: candidate @lead's, said to be; @lead becomes the
 * summary's source. */
char          *cs_fuse_summary              (CsFuse             *f,
                                             guint               lead);
/* Support alternatives in the order of the checklist they follow. */
void           cs_fuse_sort_alternatives    (CsResult           *result);

/* The data of each mode, built into f->blueprint or f->checklist */
void           cs_fuse_architect            (CsFuse             *f);
void           cs_fuse_support              (CsFuse             *f);
/* cs-synthesis-decisions.c: the architect's sections that are no diagram */
void           cs_fuse_decisions            (CsFuse             *f,
                                             GPtrArray          *decisions);
void           cs_fuse_trade_offs_and_risks (CsFuse             *f);
void           cs_fuse_cost                 (CsFuse             *f);

G_END_DECLS
