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

/* Items of one list compared at most: a hostile answer may list thousands,
 * and the verdict is applied on the main loop. Past it an item's origin is
 * left unknown (no sources, no mark). */
#define MAX_COMPARED 100

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

/* The features of every item of @items (NULL for connections, which match
 * by their ends), computed once for all the judge's items. */
static GPtrArray *
list_features (CsItemList  list,
               GPtrArray  *items)
{
  GPtrArray *features;

  if (list_kind (list) < 0 || items == NULL)
    return NULL;
  features = g_ptr_array_new_with_free_func ((GDestroyNotify)cs_item_features_free);
  for (guint i = 0; i < MIN (items->len, MAX_COMPARED); i++)
    g_ptr_array_add (features, cs_item_features_new ((CsItemKind)list_kind (list), g_ptr_array_index (items, i)));
  return features;
}

static gboolean
same_ends (const CsConnection *x,
           const CsConnection *y)
{
  return g_ascii_strcasecmp (x->from != NULL ? x->from : "", y->from != NULL ? y->from : "") == 0 &&
         g_ascii_strcasecmp (x->to != NULL ? x->to : "", y->to != NULL ? y->to : "") == 0;
}

/* The best of @items for @item (at least the threshold; ties: the first),
 * its score in *@score. @features: parallel to @items, or NULL. */
static gpointer
best_match (CsItemList     list,
            GPtrArray     *items,
            GPtrArray     *features,
            gconstpointer  item,
            double        *score)
{
  g_autoptr(CsItemFeatures) mine = features != NULL ? cs_item_features_new ((CsItemKind)list_kind (list), item) : NULL;
  gpointer best = NULL;

  *score = 0;
  for (guint i = 0; items != NULL && i < MIN (items->len, MAX_COMPARED); i++)
    {
      gpointer other = g_ptr_array_index (items, i);
      double s;

      if (cs_item_list_items_same (list, item, other))
        s = 1.0;
      else if (features != NULL)
        s = cs_item_features_similarity (mine, g_ptr_array_index (features, i));
      else
        s = same_ends (item, other) ? 1.0 : 0.0;
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
           GPtrArray  *features,
           CsItem     *item)
{
  static const char * const none[] = { NULL };
  double score = 0, alt_score = 0;
  CsItem *match = best_match (list, cs_result_get_list (fused, list), features, item, &score);
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
      g_autoptr(GPtrArray) features = NULL;

      if (items == NULL || items->len == 0)
        continue;
      features = list_features (l, cs_result_get_list (fused, l));
      for (guint i = 0; i < items->len; i++)
        {
          CsItem *item = g_ptr_array_index (items, i);

          if (i < MAX_COMPARED)
            mark_item (fused, l, features, item);
          else
            {
              g_clear_pointer (&item->origin.sources, g_strfreev);
              item->origin.judge = CS_JUDGE_NONE;
            }
        }
    }
  cs_origin_set_sources (summary, (const char * const *)old_summary->sources);
  summary->judge = g_str_equal (a, b) ? CS_JUDGE_KEPT : CS_JUDGE_CHANGED;
  cs_result_set_has_origins (judged, TRUE);
}
