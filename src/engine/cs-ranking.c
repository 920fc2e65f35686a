/* cs-ranking.c: peer ranking ballots and their Borda count
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-ranking"

#include "config.h"

#include "cs-json-util.h"
#include "cs-ranking.h"

CsBallot *
cs_ballot_new (const char *ranker,
               const char *ranker_model)
{
  CsBallot *ballot = g_new0 (CsBallot, 1);

  ballot->ranker = g_strdup (ranker);
  ballot->ranker_model = g_strdup (ranker_model);
  ballot->order = g_ptr_array_new_with_free_func (g_free);
  ballot->reasons = g_ptr_array_new_with_free_func (g_free);
  return ballot;
}

void
cs_ballot_add (CsBallot   *ballot,
               const char *candidate,
               const char *reason)
{
  g_ptr_array_add (ballot->order, g_strdup (candidate));
  g_ptr_array_add (ballot->reasons, g_strdup (reason != NULL ? reason : ""));
}

void
cs_ballot_free (CsBallot *ballot)
{
  if (ballot == NULL)
    return;
  g_free (ballot->ranker);
  g_free (ballot->ranker_model);
  g_ptr_array_unref (ballot->order);
  g_ptr_array_unref (ballot->reasons);
  g_free (ballot);
}

void
cs_rank_row_free (CsRankRow *row)
{
  if (row == NULL)
    return;
  g_free (row->candidate);
  g_free (row);
}

static int
index_of (const char * const *ids,
          const char         *id)
{
  for (guint i = 0; ids != NULL && ids[i] != NULL; i++)
    if (g_strcmp0 (ids[i], id) == 0)
      return (int)i;
  return -1;
}

/* The entries of @ballot that count: known ids, once each, not of the
 * ranker's own model. Indexes into @ids, in ballot order. */
static GArray *
counted_entries (const CsBallot     *ballot,
                 const char * const *ids,
                 const char * const *models,
                 guint              *n_self_votes)
{
  GArray *entries = g_array_new (FALSE, FALSE, sizeof (int));

  for (guint j = 0; j < ballot->order->len; j++)
    {
      int k = index_of (ids, g_ptr_array_index (ballot->order, j));
      gboolean seen = FALSE;

      if (k < 0)
        continue;
      if (g_strcmp0 (ids[k], ballot->ranker) == 0 ||
          (models != NULL && models[k] != NULL && g_strcmp0 (models[k], ballot->ranker_model) == 0))
        {
          (*n_self_votes)++;
          continue;
        }
      for (guint e = 0; e < entries->len && !seen; e++)
        seen = g_array_index (entries, int, e) == k;
      if (!seen)
        g_array_append_val (entries, k);
    }
  return entries;
}

typedef struct {
  double points;
  double rank_sum;
  guint  votes;
  guint  index;
} Tally;

static int
compare_tally (gconstpointer a,
               gconstpointer b)
{
  const Tally *x = a, *y = b;
  double mx = x->votes > 0 ? x->rank_sum / x->votes : G_MAXDOUBLE;
  double my = y->votes > 0 ? y->rank_sum / y->votes : G_MAXDOUBLE;

  if (x->points != y->points)
    return x->points > y->points ? -1 : 1;
  if (mx != my)
    return mx < my ? -1 : 1;
  if (x->votes != y->votes)
    return x->votes > y->votes ? -1 : 1;
  return x->index < y->index ? -1 : x->index > y->index;
}

GPtrArray *
cs_ranking_aggregate (GPtrArray          *ballots,
                      const char * const *candidate_ids,
                      const char * const *models,
                      guint              *n_self_votes)
{
  guint n = candidate_ids != NULL ? g_strv_length ((char **)candidate_ids) : 0;
  g_autofree Tally *tally = g_new0 (Tally, MAX (n, 1));
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify)cs_rank_row_free);
  guint self_votes = 0;

  for (guint i = 0; i < n; i++)
    tally[i].index = i;
  for (guint b = 0; ballots != NULL && b < ballots->len; b++)
    {
      g_autoptr(GArray) entries = counted_entries (g_ptr_array_index (ballots, b), candidate_ids,
                                                   models, &self_votes);

      for (guint p = 0; p < entries->len; p++)
        {
          Tally *t = &tally[g_array_index (entries, int, p)];

          t->points += entries->len - (p + 1);
          t->rank_sum += p + 1;
          t->votes++;
        }
    }
  qsort (tally, n, sizeof (Tally), compare_tally);
  for (guint i = 0; i < n; i++)
    {
      CsRankRow *row = g_new0 (CsRankRow, 1);

      row->candidate = g_strdup (candidate_ids[tally[i].index]);
      row->place = i + 1;
      row->points = tally[i].points;
      row->votes = tally[i].votes;
      row->mean_rank = tally[i].votes > 0 ? tally[i].rank_sum / tally[i].votes : 0;
      g_ptr_array_add (rows, row);
    }
  if (n_self_votes != NULL)
    *n_self_votes = self_votes;
  return rows;
}

static void
add_ballot (JsonBuilder    *b,
            const CsBallot *ballot)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "ranker");
  json_builder_add_string_value (b, ballot->ranker);
  json_builder_set_member_name (b, "model");
  json_builder_add_string_value (b, ballot->ranker_model);
  json_builder_set_member_name (b, "order");
  json_builder_begin_array (b);
  for (guint i = 0; i < ballot->order->len; i++)
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "candidate");
      json_builder_add_string_value (b, g_ptr_array_index (ballot->order, i));
      json_builder_set_member_name (b, "reason");
      json_builder_add_string_value (b, g_ptr_array_index (ballot->reasons, i));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
}

JsonNode *
cs_ranking_to_json (GPtrArray          *rows,
                    GPtrArray          *ballots,
                    const char * const *notes,
                    guint               n_self_votes)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "method");
  json_builder_add_string_value (b, "borda");
  json_builder_set_member_name (b, "rows");
  json_builder_begin_array (b);
  for (guint i = 0; rows != NULL && i < rows->len; i++)
    {
      const CsRankRow *row = g_ptr_array_index (rows, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "candidate");
      json_builder_add_string_value (b, row->candidate);
      json_builder_set_member_name (b, "place");
      json_builder_add_int_value (b, row->place);
      json_builder_set_member_name (b, "points");
      json_builder_add_double_value (b, row->points);
      json_builder_set_member_name (b, "mean_rank");
      json_builder_add_double_value (b, row->mean_rank);
      json_builder_set_member_name (b, "votes");
      json_builder_add_int_value (b, row->votes);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "ballots");
  json_builder_begin_array (b);
  for (guint i = 0; ballots != NULL && i < ballots->len; i++)
    add_ballot (b, g_ptr_array_index (ballots, i));
  json_builder_end_array (b);
  json_builder_set_member_name (b, "notes");
  json_builder_begin_array (b);
  for (guint i = 0; notes != NULL && notes[i] != NULL; i++)
    json_builder_add_string_value (b, notes[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "self_votes");
  json_builder_add_int_value (b, n_self_votes);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

GPtrArray *
cs_ranking_rows_from_json (JsonNode *ranking)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify)cs_rank_row_free);
  JsonArray *array = cs_json_get_array (cs_json_node_object (ranking), "rows");

  for (guint i = 0; i < cs_json_array_length (array); i++)
    {
      JsonObject *o = cs_json_array_object (array, i);
      const char *id = cs_json_get_string (o, "candidate");
      CsRankRow *row;
      gint64 v = 0;

      if (id == NULL)
        continue;
      row = g_new0 (CsRankRow, 1);
      row->candidate = g_strdup (id);
      row->place = cs_json_get_int (o, "place", &v) && v > 0 && v <= G_MAXUINT ? (guint)v : rows->len + 1;
      cs_json_get_number (o, "points", &row->points);
      cs_json_get_number (o, "mean_rank", &row->mean_rank);
      row->votes = cs_json_get_int (o, "votes", &v) && v >= 0 && v <= G_MAXUINT ? (guint)v : 0;
      g_ptr_array_add (rows, row);
    }
  return rows;
}

GStrv
cs_ranking_notes_from_json (JsonNode *ranking)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonArray *array = cs_json_get_array (cs_json_node_object (ranking), "notes");

  for (guint i = 0; i < cs_json_array_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
        g_strv_builder_add (builder, json_node_get_string (node));
    }
  return g_strv_builder_end (builder);
}

guint
cs_ranking_place_of (JsonNode   *ranking,
                     const char *candidate)
{
  g_autoptr(GPtrArray) rows = cs_ranking_rows_from_json (ranking);

  for (guint i = 0; i < rows->len; i++)
    {
      const CsRankRow *row = g_ptr_array_index (rows, i);

      if (g_strcmp0 (row->candidate, candidate) == 0)
        return row->votes > 0 ? row->place : 0;
    }
  return 0;
}
