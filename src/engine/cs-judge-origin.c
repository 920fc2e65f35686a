/* cs-judge-origin.c: what the judge did to each item of a result
 *
 * Each item of the judge's answer is matched with the items of the same
 * list in the merge the judge read, by the similarity the clustering uses
 * (connections: by their two ends). Matched, the item has its counterpart's
 * sources and is "kept" when every member is the same, else "changed". A
 * component or a step may instead match one of the merge's alternatives
 * (a minority cluster) better than any merged item, as the consensus
 * entries count it: it is then "added" with the alternative's candidates.
 * Anything else is "added" by the judge, proposed by no candidate.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-judge"

#include "config.h"

#include "cs-consensus.h"
#include "cs-judge-origin.h"
#include "cs-similarity.h"

/* The clustering's kind of each list; -1: none (connections). */
static int
list_kind (CsItemList list)
{
  switch (list)
    {
    case CS_LIST_COMPONENTS:  return CS_ITEM_COMPONENT;
    case CS_LIST_DATA_STORES: return CS_ITEM_DATA_STORE;
    case CS_LIST_APIS:        return CS_ITEM_API;
    case CS_LIST_DECISIONS:   return CS_ITEM_DECISION;
    case CS_LIST_TRADE_OFFS:  return CS_ITEM_TEXT;
    case CS_LIST_RISKS:       return CS_ITEM_RISK;
    case CS_LIST_CAUSES:      return CS_ITEM_CAUSE;
    case CS_LIST_STEPS:       return CS_ITEM_STEP;
    case CS_LIST_CONNECTIONS:
    case CS_N_LISTS:
    default:                  return -1;
    }
}

static double
similarity (CsItemList    list,
            gconstpointer a,
            gconstpointer b)
{
  int kind = list_kind (list);

  if (kind < 0)
    {
      const CsConnection *x = a, *y = b;

      return g_ascii_strcasecmp (x->from != NULL ? x->from : "", y->from != NULL ? y->from : "") == 0 &&
             g_ascii_strcasecmp (x->to != NULL ? x->to : "", y->to != NULL ? y->to : "") == 0
             ? 1.0 : 0.0;
    }
  return cs_consensus_item_similarity ((CsItemKind)kind, a, b);
}

/* The best of @items for @item (at least the threshold; ties: the first),
 * its score in *@score. */
static gpointer
best_match (CsItemList     list,
            GPtrArray     *items,
            gconstpointer  item,
            double        *score)
{
  gpointer best = NULL;

  *score = 0;
  for (guint i = 0; items != NULL && i < items->len; i++)
    {
      gpointer other = g_ptr_array_index (items, i);
      double s = cs_item_list_items_same (list, item, other) ? 1.0 : similarity (list, item, other);

      if (s >= CS_SIMILARITY_THRESHOLD && s > *score + 1e-12)
        {
          *score = s;
          best = other;
        }
    }
  return best;
}

/* The merge's alternative (a component or step) that @item matches best,
 * as the consensus entries of the judged result count it. */
static CsAlternative *
best_alternative (CsResult      *fused,
                  CsItemList     list,
                  gconstpointer  item,
                  double        *score)
{
  GPtrArray *alternatives = cs_result_get_alternatives (fused);
  CsItemKind kind = list == CS_LIST_STEPS ? CS_ITEM_STEP : CS_ITEM_COMPONENT;
  g_autoptr(CsItemFeatures) features = cs_item_features_new (kind, item);
  CsAlternative *best = NULL;

  *score = 0;
  for (guint i = 0; i < alternatives->len; i++)
    {
      CsAlternative *alt = g_ptr_array_index (alternatives, i);
      g_autoptr(CsItemFeatures) other = NULL;
      double s;

      if (alt->title == NULL || alt->kind == CS_ALTERNATIVE_DECISION)
        continue;
      other = kind == CS_ITEM_STEP ? cs_item_features_new_texts (kind, alt->title, alt->action, alt->command)
                                   : cs_item_features_new_texts (kind, alt->title, alt->responsibility, NULL);
      s = cs_item_features_similarity (features, other);
      if (s >= CS_SIMILARITY_THRESHOLD && s > *score + 1e-12)
        {
          *score = s;
          best = alt;
        }
    }
  return best;
}

static void
mark_item (CsResult   *fused,
           CsItemList  list,
           CsItem     *item)
{
  static const char * const none[] = { NULL };
  double score = 0, alt_score = 0;
  CsItem *match = best_match (list, cs_result_get_list (fused, list), item, &score);
  CsAlternative *alt = NULL;

  if (list == CS_LIST_COMPONENTS || list == CS_LIST_STEPS)
    alt = best_alternative (fused, list, item, &alt_score);
  if (alt != NULL && alt_score > score)
    {
      cs_origin_set_sources (&item->origin, (const char * const *)alt->item.origin.sources);
      item->origin.judge = CS_JUDGE_ADDED;
    }
  else if (match != NULL)
    {
      cs_origin_set_sources (&item->origin, (const char * const *)match->origin.sources);
      item->origin.judge = cs_item_list_items_same (list, item, match) ? CS_JUDGE_KEPT : CS_JUDGE_CHANGED;
    }
  else
    {
      cs_origin_set_sources (&item->origin, none);
      item->origin.judge = CS_JUDGE_ADDED;
    }
}

static const char *
summary_of (CsResult *result)
{
  if (cs_result_get_blueprint (result) != NULL)
    return cs_blueprint_get_summary (cs_result_get_blueprint (result));
  if (cs_result_get_checklist (result) != NULL)
    return cs_checklist_get_summary (cs_result_get_checklist (result));
  return NULL;
}

void
cs_judge_mark_origins (CsResult *fused,
                       CsResult *judged)
{
  CsOrigin *summary = cs_result_get_summary_origin (judged);
  const CsOrigin *old_summary = cs_result_get_summary_origin (fused);
  g_autofree char *a = g_strstrip (g_strdup (summary_of (judged) != NULL ? summary_of (judged) : ""));
  g_autofree char *b = g_strstrip (g_strdup (summary_of (fused) != NULL ? summary_of (fused) : ""));

  g_return_if_fail (fused != NULL && judged != NULL);

  for (guint l = 0; l < CS_N_LISTS; l++)
    {
      GPtrArray *items = cs_result_get_list (judged, l);

      for (guint i = 0; items != NULL && i < items->len; i++)
        mark_item (fused, l, g_ptr_array_index (items, i));
    }
  cs_origin_set_sources (summary, (const char * const *)old_summary->sources);
  summary->judge = g_str_equal (a, b) ? CS_JUDGE_KEPT : CS_JUDGE_CHANGED;
  cs_result_set_has_origins (judged, TRUE);
}
