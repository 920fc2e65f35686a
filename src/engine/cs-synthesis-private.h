/* cs-synthesis-private.h: what the synthesis files share (internal)
 *
 * The fusion state and the cluster and vote helpers used by the core
 * (cs-synthesis.c), architect fusion (cs-synthesis-architect.c,
 * cs-synthesis-decisions.c), support fusion (cs-synthesis-support.c) and the
 * judge (cs-judge*.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "cs-consensus.h"
#include "cs-ensemble.h"
#include "cs-synthesis.h"

G_BEGIN_DECLS

/* What the fusion needs of one valid candidate, taken on the main thread:
 * the fusion itself never touches a CsCandidate, so it can run in a worker
 * thread on copies. */
typedef struct {
  char     *id;
  char     *model;
  char     *angle;
  JsonNode *data;          /* an object: a deep copy, or a reference (sync) */
} CsFuseSnapshot;

/* One fusion in progress. */
typedef struct {
  CsMode      mode;
  GPtrArray  *candidates;  /* CsFuseSnapshot*, the valid ones, borrowed */
  GPtrArray  *datas;       /* JsonObject*, their data, borrowed */
  guint       total;
  JsonArray  *votes;
  JsonArray  *consensus;
  JsonArray  *alternatives;
  guint      *wins;        /* per candidate: votes won */
  guint      *joined;      /* per candidate: primary clusters joined */
} CsFuse;

/* JSON builder shorthands: a string (NULL: null) or an integer member. */
void        cs_fuse_add_string         (JsonBuilder        *b,
                                        const char         *key,
                                        const char         *value);
void        cs_fuse_add_int            (JsonBuilder        *b,
                                        const char         *key,
                                        gint64              value);
gboolean    cs_fuse_str_in             (const char         *value,
                                        const char * const *allowed);

/* cs-synthesis-votes.c: the clusters and votes both modes share */
const char *cs_fuse_candidate_id       (CsFuse             *f,
                                        guint               index);
GPtrArray  *cs_fuse_lists_for          (CsFuse             *f,
                                        const char         *key);
void        cs_fuse_add_candidate_ids  (CsFuse             *f,
                                        JsonBuilder        *b,
                                        CsCluster          *cluster);
void        cs_fuse_add_cluster_alternative (CsFuse        *f,
                                        JsonBuilder        *b,
                                        CsCluster          *cluster,
                                        const char         *kind);
const char *cs_fuse_cluster_str        (CsCluster          *cluster,
                                        guint               source,
                                        const char         *key);
CsVote     *cs_fuse_vote_cluster       (CsCluster          *cluster,
                                        const char         *field,
                                        const char         *key,
                                        CsVoteKind          kind,
                                        const char * const *allowed);
void        cs_fuse_record_vote        (CsFuse             *f,
                                        CsVote             *vote,
                                        CsCluster          *cluster,
                                        const char         *key);
guint       cs_fuse_pick_source        (CsCluster          *cluster,
                                        CsVote             *vote,
                                        const char         *key);
void        cs_fuse_count_joined       (CsFuse             *f,
                                        CsCluster          *cluster);
GPtrArray  *cs_fuse_primary_clusters   (GPtrArray          *clusters);
char       *cs_fuse_field_name         (const char         *list,
                                        const char         *title,
                                        const char         *key);
guint       cs_fuse_lead_candidate     (CsFuse             *f,
                                        gboolean            by_votes);
char       *cs_fuse_summary            (CsFuse             *f,
                                        guint               lead);

static inline CsConsensusMember *
cs_fuse_member_at (CsCluster *cluster,
                   guint      i)
{
  return g_ptr_array_index (cluster->members, i);
}

/* The data members of each mode, written into @b */
void        cs_fuse_architect          (CsFuse             *f,
                                        JsonBuilder        *b);
/* cs-synthesis-decisions.c: the architect's sections that are no diagram */
void        cs_fuse_decisions          (CsFuse             *f,
                                        JsonBuilder        *b,
                                        GPtrArray          *decisions);
void        cs_fuse_trade_offs_and_risks (CsFuse           *f,
                                        JsonBuilder        *b);
void        cs_fuse_cost               (CsFuse             *f,
                                        JsonBuilder        *b);
void        cs_fuse_support            (CsFuse             *f,
                                        JsonBuilder        *b);

/* Support alternatives in the order of the checklist they follow. */
JsonArray  *cs_fuse_sorted_alternatives (JsonArray         *alternatives);

G_END_DECLS
