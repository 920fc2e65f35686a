/* cs-vote-choice.h: how a choice shown in a result relates to the
 * candidates' vote on it
 *
 * A result shows one choice per item (a component's technology, a
 * decision's choice); the judge may have chosen against the candidates'
 * vote, or something no candidate chose. A label beside the choice must
 * describe that choice, never lend it the winner's count: the views and the
 * Markdown export read the relation here, once, and word it themselves.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cs-result.h"

G_BEGIN_DECLS

typedef enum {
  CS_VOTE_CHOICE_NONE,      /* no usable vote on the item */
  CS_VOTE_CHOICE_WINNER,    /* the choice is the vote's winner */
  CS_VOTE_CHOICE_MINORITY,  /* another option some candidates chose */
  CS_VOTE_CHOICE_UNVOTED,   /* no candidate chose it */
} CsVoteChoiceKind;

typedef struct {
  CsVoteChoiceKind  kind;
  const char       *winner;        /* the vote's winner (borrowed), NULL for NONE */
  guint             winner_count;  /* candidates that chose the winner */
  guint             chosen_count;  /* candidates that chose the shown choice */
  guint             total;         /* candidates that could vote */
} CsVoteChoice;

/* Reads the vote of @item (item.vote) against @chosen, the choice shown:
 * the same text, or the same technology (cs_similarity_technology_key:
 * "Kong 3.4" is "kong"). A vote linked by a title that only matched
 * ignoring case, a median and an empty vote are NONE. */
CsVoteChoiceKind cs_vote_choice_read (const CsItem *item,
                                      const char   *chosen,
                                      CsVoteChoice *out);

G_END_DECLS
