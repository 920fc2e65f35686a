/* cs-vote-choice.c: how a choice shown in a result relates to the
 * candidates' vote on it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-vote-choice"

#include "config.h"

#include "cs-similarity.h"
#include "cs-vote-choice.h"

/* Whether @option names the choice: the same text, or the same technology. */
static gboolean
same_choice (const char *option,
             const char *chosen,
             const char *chosen_key)
{
  g_autofree char *key = NULL;

  if (option == NULL)
    return FALSE;
  if (g_strcmp0 (option, chosen) == 0)
    return TRUE;
  key = cs_similarity_technology_key (option);
  return key != NULL && *key != '\0' && g_strcmp0 (key, chosen_key) == 0;
}

CsVoteChoiceKind
cs_vote_choice_read (const CsItem *item,
                     const char   *chosen,
                     CsVoteChoice *out)
{
  const CsVoteRecord *vote;
  g_autofree char *chosen_key = NULL;

  g_return_val_if_fail (out != NULL, CS_VOTE_CHOICE_NONE);

  *out = (CsVoteChoice) { CS_VOTE_CHOICE_NONE, NULL, 0, 0, 0 };
  vote = item != NULL && !item->vote_casefold ? item->vote : NULL;
  if (vote == NULL || vote->winner == NULL || vote->total == 0 || chosen == NULL)
    return CS_VOTE_CHOICE_NONE;

  out->winner = vote->winner;
  out->winner_count = vote->count;
  out->total = vote->total;
  chosen_key = cs_similarity_technology_key (chosen);
  if (same_choice (vote->winner, chosen, chosen_key))
    {
      out->chosen_count = vote->count;
      out->kind = CS_VOTE_CHOICE_WINNER;
      return out->kind;
    }

  /* a tie's other option, or the judge's pick of a minority */
  for (guint i = 0; i < vote->options->len; i++)
    {
      const CsVoteOption *option = &g_array_index (vote->options, CsVoteOption, i);

      if (option->count > 0 && same_choice (option->name, chosen, chosen_key))
        {
          out->chosen_count = option->count;
          out->kind = CS_VOTE_CHOICE_MINORITY;
          return out->kind;
        }
    }
  out->kind = CS_VOTE_CHOICE_UNVOTED;
  return out->kind;
}
