/* cs-ensemble.c: majority votes on categorical fields, medians of numbers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-ensemble"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cs-ensemble.h"
#include "cs-similarity.h"

typedef struct {
  char      *key;
  guint      count;
  guint      first;      /* index of its first vote */
  GPtrArray *spellings;  /* distinct displayed spellings, in order seen */
  GArray    *spelling_counts;
} Option;

struct _CsVote {
  char       *field;
  CsVoteKind  kind;
  GPtrArray  *options;   /* Option*, in order of first vote */
  guint       total;
  gboolean    sorted;
};

static void
option_free (gpointer data)
{
  Option *option = data;

  g_free (option->key);
  g_ptr_array_unref (option->spellings);
  g_array_unref (option->spelling_counts);
  g_free (option);
}

CsVote *
cs_vote_new (const char *field,
             CsVoteKind  kind)
{
  CsVote *vote = g_new0 (CsVote, 1);

  vote->field = g_strdup (field != NULL ? field : "");
  vote->kind = kind;
  vote->options = g_ptr_array_new_with_free_func (option_free);
  return vote;
}

void
cs_vote_free (CsVote *vote)
{
  if (vote == NULL)
    return;
  g_free (vote->field);
  g_ptr_array_unref (vote->options);
  g_free (vote);
}

static char *
make_key (CsVoteKind  kind,
          const char *value)
{
  if (kind == CS_VOTE_TECHNOLOGY)
    return cs_similarity_technology_key (value);
  else
    {
      g_autofree char *lower = g_utf8_strdown (value, -1);

      return g_strdup (g_strstrip (lower));
    }
}

static Option *
find_option (CsVote     *vote,
             const char *key)
{
  for (guint i = 0; i < vote->options->len; i++)
    {
      Option *option = g_ptr_array_index (vote->options, i);

      if (strcmp (option->key, key) == 0)
        return option;
    }
  return NULL;
}

void
cs_vote_add (CsVote     *vote,
             const char *value)
{
  g_autofree char *key = NULL;
  g_autofree char *spelling = NULL;
  Option *option;
  guint i;

  g_return_if_fail (vote != NULL);

  if (value == NULL || !g_utf8_validate (value, -1, NULL))
    return;
  spelling = g_strstrip (g_strdup (value));
  if (*spelling == '\0')
    return;

  key = make_key (vote->kind, spelling);
  if (*key == '\0')
    return;

  option = find_option (vote, key);
  if (option == NULL)
    {
      option = g_new0 (Option, 1);
      option->key = g_steal_pointer (&key);
      option->first = vote->total;
      option->spellings = g_ptr_array_new_with_free_func (g_free);
      option->spelling_counts = g_array_new (FALSE, TRUE, sizeof (guint));
      g_ptr_array_add (vote->options, option);
    }
  option->count++;
  vote->total++;
  vote->sorted = FALSE;

  for (i = 0; i < option->spellings->len; i++)
    if (strcmp (g_ptr_array_index (option->spellings, i), spelling) == 0)
      break;
  if (i == option->spellings->len)
    {
      guint zero = 0;

      g_ptr_array_add (option->spellings, g_steal_pointer (&spelling));
      g_array_append_val (option->spelling_counts, zero);
    }
  g_array_index (option->spelling_counts, guint, i)++;
}

static int
compare_options (gconstpointer a,
                 gconstpointer b)
{
  const Option *oa = *(const Option * const *)a;
  const Option *ob = *(const Option * const *)b;

  if (oa->count != ob->count)
    return oa->count > ob->count ? -1 : 1;
  return oa->first < ob->first ? -1 : (oa->first > ob->first ? 1 : 0);
}

static void
ensure_sorted (CsVote *vote)
{
  if (vote->sorted)
    return;
  g_ptr_array_sort (vote->options, compare_options);
  vote->sorted = TRUE;
}

static const char *
option_display (const Option *option)
{
  guint best = 0;

  for (guint i = 1; i < option->spellings->len; i++)
    if (g_array_index (option->spelling_counts, guint, i) >
        g_array_index (option->spelling_counts, guint, best))
      best = i;
  return g_ptr_array_index (option->spellings, best);
}

const char *
cs_vote_get_field (CsVote *vote)
{
  g_return_val_if_fail (vote != NULL, NULL);
  return vote->field;
}

void
cs_vote_set_field (CsVote     *vote,
                   const char *field)
{
  g_return_if_fail (vote != NULL);

  g_free (vote->field);
  vote->field = g_strdup (field != NULL ? field : "");
}

const char *
cs_vote_get_winner (CsVote *vote)
{
  g_return_val_if_fail (vote != NULL, NULL);

  if (vote->options->len == 0)
    return NULL;
  ensure_sorted (vote);
  return option_display (g_ptr_array_index (vote->options, 0));
}

guint
cs_vote_get_count (CsVote *vote)
{
  g_return_val_if_fail (vote != NULL, 0);

  if (vote->options->len == 0)
    return 0;
  ensure_sorted (vote);
  return ((Option *)g_ptr_array_index (vote->options, 0))->count;
}

guint
cs_vote_get_total (CsVote *vote)
{
  g_return_val_if_fail (vote != NULL, 0);
  return vote->total;
}

gboolean
cs_vote_is_winner (CsVote     *vote,
                   const char *value)
{
  g_autofree char *key = NULL;

  g_return_val_if_fail (vote != NULL, FALSE);

  if (vote->options->len == 0 || value == NULL || !g_utf8_validate (value, -1, NULL))
    return FALSE;
  ensure_sorted (vote);
  key = make_key (vote->kind, value);
  return strcmp (key, ((Option *)g_ptr_array_index (vote->options, 0))->key) == 0;
}

GStrv
cs_vote_dup_losers (CsVote *vote)
{
  GPtrArray *out = g_ptr_array_new ();

  g_return_val_if_fail (vote != NULL, NULL);

  ensure_sorted (vote);
  for (guint i = 1; i < vote->options->len; i++)
    g_ptr_array_add (out, g_strdup (option_display (g_ptr_array_index (vote->options, i))));
  g_ptr_array_add (out, NULL);
  return (GStrv)g_ptr_array_free (out, FALSE);
}

guint
cs_vote_get_n_options (CsVote *vote)
{
  g_return_val_if_fail (vote != NULL, 0);
  return vote->options->len;
}

const char *
cs_vote_get_option (CsVote *vote,
                    guint   index,
                    guint  *count)
{
  const Option *option;

  g_return_val_if_fail (vote != NULL, NULL);
  g_return_val_if_fail (index < vote->options->len, NULL);

  ensure_sorted (vote);
  option = g_ptr_array_index (vote->options, index);
  if (count != NULL)
    *count = option->count;
  return option_display (option);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double da = *(const double *)a;
  double db = *(const double *)b;

  return da < db ? -1 : (da > db ? 1 : 0);
}

double
cs_ensemble_median (const double *values,
                    guint         n)
{
  g_autofree double *sorted = NULL;
  guint m = 0;

  if (values == NULL || n == 0)
    return NAN;

  sorted = g_new (double, n);
  for (guint i = 0; i < n; i++)
    if (!isnan (values[i]))
      sorted[m++] = values[i];
  if (m == 0)
    return NAN;

  qsort (sorted, m, sizeof (double), compare_doubles);
  if (m % 2 == 1)
    return sorted[m / 2];
  return (sorted[m / 2 - 1] + sorted[m / 2]) / 2.0;
}
