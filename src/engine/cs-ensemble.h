/* cs-ensemble.h: majority votes on categorical fields, medians of numbers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "cs-types.h"

G_BEGIN_DECLS

/* How votes are compared. */
typedef enum {
  CS_VOTE_TECHNOLOGY,  /* by cs_similarity_technology_key (): "PostgreSQL 16" = "postgresql" */
  CS_VOTE_LABEL,       /* case-insensitive, surrounding blanks ignored ("High" = "high") */
} CsVoteKind;

typedef struct _CsVote CsVote;

/* A vote on @field (a path for display and the record, e.g.
 * "components[API gateway].technology"). */
CsVote     *cs_vote_new            (const char  *field,
                                    CsVoteKind   kind);
void        cs_vote_free           (CsVote      *vote);
/* One voter's value, in candidate order (the order breaks ties: of options
 * with equal counts, the one whose first vote came first wins). NULL, empty
 * or non-UTF-8 values abstain. */
void        cs_vote_add            (CsVote      *vote,
                                    const char  *value);
const char *cs_vote_get_field      (CsVote      *vote);
void        cs_vote_set_field      (CsVote      *vote,
                                    const char  *field);
/* The winning option as displayed: its most common spelling (ties: the
 * first seen). NULL when nobody voted. */
const char *cs_vote_get_winner     (CsVote      *vote);
/* Votes for the winner, and votes cast. */
guint       cs_vote_get_count      (CsVote      *vote);
guint       cs_vote_get_total      (CsVote      *vote);
/* Whether @value counts as a vote for the winner. */
gboolean    cs_vote_is_winner      (CsVote      *vote,
                                    const char  *value);
/* The displayed spellings of the losing options, in order of votes. */
GStrv       cs_vote_dup_losers     (CsVote      *vote);
/* The options, ordered by votes, then first vote: how many, and option
 * @index's displayed spelling with its votes in @count. The winner is
 * option 0. */
guint       cs_vote_get_n_options  (CsVote      *vote);
const char *cs_vote_get_option     (CsVote      *vote,
                                    guint        index,
                                    guint       *count);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsVote, cs_vote_free)

/* The median of @n values (the mean of the middle two for even @n); NAN
 * when @n is 0. NAN values are ignored. @values is not modified. */
double      cs_ensemble_median     (const double *values,
                                    guint         n);

G_END_DECLS
