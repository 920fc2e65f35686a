/* cs-ranking.h: peer ranking ballots and their aggregation (Borda count)
 *
 * Each valid candidate's model ranks the other candidates, anonymized; a
 * ballot is that ranking mapped back to candidate ids. The aggregate is a
 * Borda count (see docs/SYNTHESIS.md): on a ballot of k candidates, the one
 * at place p (1-based) gets k − p points. A candidate of the ranker's own
 * model (its own answer, or a sibling from the same model) is a self-vote
 * and is taken off the ballot before counting.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct {
  char      *ranker;        /* the candidate id whose model ranked */
  char      *ranker_model;  /* "provider/model" */
  GPtrArray *order;         /* char*: candidate ids, best first */
  GPtrArray *reasons;       /* char*: one line per entry of @order */
} CsBallot;

typedef struct {
  char   *candidate;
  guint   place;            /* 1-based; equal places are not shared */
  double  points;           /* Borda points */
  double  mean_rank;        /* mean 1-based place over the ballots it was on */
  guint   votes;            /* ballots that ranked it (self-votes excluded) */
} CsRankRow;

CsBallot  *cs_ballot_new             (const char *ranker,
                                      const char *ranker_model);
void       cs_ballot_add             (CsBallot   *ballot,
                                      const char *candidate,
                                      const char *reason);
void       cs_ballot_free            (CsBallot   *ballot);
void       cs_rank_row_free          (CsRankRow  *row);

/* The rows of the aggregate, best first, one per id of @candidate_ids
 * (those no ballot ranked come last, 0 points, mean rank 0). @models are
 * the candidates' "provider/model", parallel to @candidate_ids: a vote
 * for a candidate of the ranker's own model is ignored and counted in
 * @n_self_votes (may be NULL); so is a vote for an unknown id or a repeat.
 * Ties: more points first, then the lower mean rank, then more votes, then
 * the order of @candidate_ids. */
GPtrArray *cs_ranking_aggregate      (GPtrArray          *ballots,
                                      const char * const *candidate_ids,
                                      const char * const *models,
                                      guint              *n_self_votes);

/* The run's "ranking" member: { method, rows, ballots, notes, self_votes }. */
JsonNode  *cs_ranking_to_json        (GPtrArray          *rows,
                                      GPtrArray          *ballots,
                                      const char * const *notes,
                                      guint               n_self_votes);
/* The rows of a "ranking" member (CsRankRow*), best first; empty for NULL
 * or a member of another shape. */
GPtrArray *cs_ranking_rows_from_json (JsonNode           *ranking);
/* The notes of a "ranking" member (NULL-terminated, may be empty). */
GStrv      cs_ranking_notes_from_json (JsonNode          *ranking);
/* The place (1-based) of @candidate in a "ranking" member; 0 when unranked. */
guint      cs_ranking_place_of       (JsonNode           *ranking,
                                      const char         *candidate);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsBallot, cs_ballot_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsRankRow, cs_rank_row_free)

G_END_DECLS
