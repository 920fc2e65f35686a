/* cs-judge-verdict.c: folding the judge's verdict into the fused result
 *
 * The judge's result replaces the merged data; each of its steps (or
 * components) is matched against the merge's consensus and alternatives to
 * say how many candidates proposed it; alternatives it adopted are no longer
 * offered, and what the majority proposed but the judge left out becomes an
 * alternative, so nothing the candidates agreed on is lost.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-judge"

#include "config.h"

#include "cs-json-schema.h"
#include "cs-json-util.h"
#include "cs-judge.h"
#include "cs-mode.h"
#include "cs-similarity.h"
#include "cs-synthesis-private.h"

/* An entry of the fused consensus or alternatives in the shape of an item:
 * the fused data's own item at the same index (consensus entries), the
 * alternative itself (support), or the alternative's fields renamed
 * (architect components). */
static JsonNode *
comparable_item (CsMode      mode,
                 JsonObject *entry,
                 JsonArray  *items,
                 guint       index)
{
  JsonObject *obj;
  JsonNode *node;

  if (items != NULL && index < json_array_get_length (items))
    return json_node_ref (json_array_get_element (items, index));
  if (mode == CS_MODE_SUPPORT)
    return json_node_init_object (json_node_alloc (), entry);
  obj = json_object_new ();
  json_object_set_string_member (obj, "name", cs_json_get_string (entry, "title") ? cs_json_get_string (entry, "title") : "");
  json_object_set_string_member (obj, "responsibility",
                                 cs_json_get_string (entry, "responsibility") ? cs_json_get_string (entry, "responsibility") : "");
  node = json_node_init_object (json_node_alloc (), obj);
  json_object_unref (obj); /* the node holds its own reference */
  return node;
}

/* The features of each entry of @entries that match_entry () compares (NULL
 * for the others), parallel to @entries: computed once, not once per judge
 * item. @items are the fused data's items parallel to @entries, or NULL. */
static GPtrArray *
entry_features (CsMode      mode,
                JsonArray  *entries,
                JsonArray  *items)
{
  CsItemKind kind = mode == CS_MODE_SUPPORT ? CS_ITEM_STEP : CS_ITEM_COMPONENT;
  GPtrArray *features = g_ptr_array_new_with_free_func ((GDestroyNotify)cs_item_features_free);

  for (guint i = 0; entries != NULL && i < json_array_get_length (entries); i++)
    {
      JsonObject *entry = cs_json_node_object (json_array_get_element (entries, i));
      g_autoptr(JsonNode) other = NULL;

      if (entry == NULL || cs_json_get_string (entry, "title") == NULL ||
          (cs_json_get_string (entry, "kind") != NULL && g_strcmp0 (cs_json_get_string (entry, "kind"), "component") != 0))
        {
          g_ptr_array_add (features, NULL);
          continue;
        }
      other = comparable_item (mode, entry, items, i);
      g_ptr_array_add (features, cs_item_features_new (kind, other));
    }
  return features;
}

/* A judge item's best match among @entries (at least the threshold), by the
 * same item similarity as the clustering: title, detail and command.
 * @features are entry_features () of @entries. */
static JsonObject *
match_entry (JsonArray            *entries,
             GPtrArray            *features,
             const CsItemFeatures *item,
             double               *best_out)
{
  JsonObject *best = NULL;
  double best_score = 0;

  for (guint i = 0; entries != NULL && i < json_array_get_length (entries) && i < features->len; i++)
    {
      const CsItemFeatures *other = g_ptr_array_index (features, i);
      double s;

      if (other == NULL)
        continue;
      s = cs_item_features_similarity (item, other);
      if (s >= CS_SIMILARITY_THRESHOLD && s > best_score + 1e-12)
        {
          best_score = s;
          best = cs_json_node_object (json_array_get_element (entries, i));
        }
    }
  if (best_out != NULL)
    *best_out = best_score;
  return best;
}

/* The features of every element of @steps as steps, or NULL for NULL. */
static GPtrArray *
step_features (JsonArray *steps)
{
  GPtrArray *features;

  if (steps == NULL)
    return NULL;
  features = g_ptr_array_new_with_free_func ((GDestroyNotify)cs_item_features_free);
  for (guint j = 0; j < json_array_get_length (steps); j++)
    g_ptr_array_add (features, cs_item_features_new (CS_ITEM_STEP, json_array_get_element (steps, j)));
  return features;
}

/* The index of the step (of step_features ()) that @step most resembles, at
 * least @threshold; -1 when none does. */
static gint64
closest_step (GPtrArray *steps,
              JsonNode  *step,
              double     threshold)
{
  g_autoptr(CsItemFeatures) features = NULL;
  gint64 found = -1;
  double best = 0;

  if (steps == NULL || step == NULL)
    return -1;
  features = cs_item_features_new (CS_ITEM_STEP, step);
  for (guint j = 0; j < steps->len; j++)
    {
      double sim = cs_item_features_similarity (g_ptr_array_index (steps, j), features);

      if (sim >= threshold && sim > best + 1e-12)
        {
          best = sim;
          found = j;
        }
    }
  return found;
}

/* Whether the judge's @decisions already hold the decision alternative @alt:
 * the same choice (as a technology key) on a related topic. */
static gboolean
decision_adopted (JsonArray  *decisions,
                  JsonObject *alt)
{
  g_autofree char *key = NULL;

  if (cs_json_get_string (alt, "choice") == NULL)
    return FALSE;
  key = cs_similarity_technology_key (cs_json_get_string (alt, "choice"));
  for (guint i = 0; key != NULL && decisions != NULL && i < json_array_get_length (decisions); i++)
    {
      JsonObject *decision = cs_json_node_object (json_array_get_element (decisions, i));
      g_autofree char *other = NULL;

      if (decision == NULL || cs_json_get_string (decision, "choice") == NULL)
        continue;
      other = cs_similarity_technology_key (cs_json_get_string (decision, "choice"));
      if (other != NULL && g_str_equal (key, other) &&
          cs_similarity_text (cs_json_get_string (decision, "topic"), cs_json_get_string (alt, "title")) >= CS_SIMILARITY_RELATED_THRESHOLD)
        return TRUE;
    }
  return FALSE;
}

/* A majority item of the mechanical merge that the judge left out, as an
 * alternative: the step or component itself with its support. */
static JsonNode *
dropped_alternative (CsMode      mode,
                     JsonObject *entry,
                     JsonNode   *item,
                     GPtrArray  *judge_steps)
{
  JsonObject *item_obj = cs_json_node_object (item);
  JsonNode *candidates = json_object_get_member (entry, "candidates");
  JsonNode *alt;
  JsonObject *alt_obj;

  if (item_obj == NULL)
    return NULL;
  if (mode == CS_MODE_SUPPORT)
    {
      alt = cs_json_deep_copy (item);
      alt_obj = json_node_get_object (alt);
      json_object_set_int_member (alt_obj, "after_step", closest_step (judge_steps, item, CS_SIMILARITY_RELATED_THRESHOLD));
    }
  else
    {
      alt_obj = json_object_new ();
      alt = json_node_init_object (json_node_alloc (), alt_obj);
      json_object_unref (alt_obj);
      json_object_set_string_member (alt_obj, "title", cs_json_get_string (item_obj, "name") ? cs_json_get_string (item_obj, "name") : "");
      json_object_set_string_member (alt_obj, "technology", cs_json_get_string (item_obj, "technology") ? cs_json_get_string (item_obj, "technology") : "");
      json_object_set_string_member (alt_obj, "responsibility",
                                     cs_json_get_string (item_obj, "responsibility") ? cs_json_get_string (item_obj, "responsibility") : "");
      json_object_set_string_member (alt_obj, "kind", "component");
    }
  json_object_set_int_member (alt_obj, "support", json_object_get_int_member_with_default (entry, "support", 0));
  json_object_set_int_member (alt_obj, "total", json_object_get_int_member_with_default (entry, "total", 0));
  if (candidates != NULL && JSON_NODE_HOLDS_ARRAY (candidates))
    json_object_set_member (alt_obj, "candidates", cs_json_deep_copy (candidates));
  else
    json_object_set_array_member (alt_obj, "candidates", json_array_new ());
  return alt;
}

/* The reply's parts, checked: the result (in the mode's schema), the
 * rationale and the critiques. FALSE with an error when one does not fit. */
static gboolean
check_reply (CsMode       mode,
             JsonNode    *judge_reply,
             JsonNode   **result_out,
             const char **rationale_out,
             JsonArray  **critiques_out,
             GError     **error)
{
  JsonObject *reply = cs_json_node_object (judge_reply);
  JsonNode *result;
  JsonNode *critiques;
  g_autoptr(GError) local_error = NULL;

  if (reply == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "The judge's reply is not a JSON object");
      return FALSE;
    }
  result = json_object_get_member (reply, "result");
  if (result == NULL || !JSON_NODE_HOLDS_OBJECT (result))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "The judge's reply has no \"result\" object");
      return FALSE;
    }
  *rationale_out = cs_json_get_string (reply, "rationale");
  if (*rationale_out == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "The judge's reply has no \"rationale\" text");
      return FALSE;
    }
  critiques = json_object_get_member (reply, "critiques");
  if (critiques == NULL || !JSON_NODE_HOLDS_ARRAY (critiques))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "The judge's reply has no \"critiques\" list");
      return FALSE;
    }
  if (!cs_json_schema_validate (cs_mode_get_schema (mode), result, &local_error))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "The judge's result does not fit the %s schema: %s",
                   cs_mode_to_string (mode), local_error->message);
      return FALSE;
    }
  *result_out = result;
  *critiques_out = json_node_get_array (critiques);
  return TRUE;
}

/* What the verdict is compared with: the merge's consensus, alternatives and
 * items (steps or components), the judge's items and decisions. */
typedef struct {
  CsMode      mode;
  gint64      total;
  JsonArray  *old_consensus;
  JsonArray  *old_alternatives;
  JsonArray  *old_items;
  JsonArray  *judge_items;
  JsonArray  *judge_decisions;
  GPtrArray  *judge_step_features;  /* support: of the judge's steps */
  GHashTable *promoted;             /* alternatives the judge adopted */
  GHashTable *adopted;              /* consensus entries the judge kept */
} Verdict;

static void
verdict_init (Verdict    *v,
              CsMode      mode,
              JsonObject *fused,
              JsonObject *result)
{
  const char *items_key = mode == CS_MODE_SUPPORT ? "steps" : "components";

  v->mode = mode;
  if (json_object_has_member (fused, "total"))
    v->total = json_object_get_int_member_with_default (fused, "total", 0);
  v->old_consensus = cs_json_get_array (fused, "consensus");
  v->old_alternatives = cs_json_get_array (fused, "alternatives");
  v->old_items = cs_json_get_array (cs_json_node_object (json_object_get_member (fused, "data")), items_key);
  v->judge_items = cs_json_get_array (result, items_key);
  v->judge_decisions = cs_json_get_array (result, "decisions");
  if (mode == CS_MODE_SUPPORT)
    v->judge_step_features = step_features (v->judge_items);
  v->promoted = g_hash_table_new (NULL, NULL);
  v->adopted = g_hash_table_new (NULL, NULL);
}

static void
verdict_clear (Verdict *v)
{
  g_clear_pointer (&v->judge_step_features, g_ptr_array_unref);
  g_clear_pointer (&v->promoted, g_hash_table_unref);
  g_clear_pointer (&v->adopted, g_hash_table_unref);
}

/* The consensus entry of one judge item: its support and candidates from
 * the matching cluster (0 and none for the judge's own). */
static JsonNode *
judged_entry (Verdict    *v,
              JsonNode   *item,
              JsonObject *match)
{
  g_autoptr(JsonBuilder) cb = json_builder_new ();
  const char *title = cs_json_node_get_string (item, v->mode == CS_MODE_SUPPORT ? "title" : "name");

  json_builder_begin_object (cb);
  cs_fuse_add_string (cb, "title", title != NULL ? title : "");
  cs_fuse_add_int (cb, "support", match != NULL ? json_object_get_int_member_with_default (match, "support", 0) : 0);
  cs_fuse_add_int (cb, "total", v->total);
  json_builder_set_member_name (cb, "candidates");
  if (match != NULL && JSON_NODE_HOLDS_ARRAY (json_object_get_member (match, "candidates")))
    json_builder_add_value (cb, cs_json_deep_copy (json_object_get_member (match, "candidates")));
  else
    {
      json_builder_begin_array (cb);
      json_builder_end_array (cb);
    }
  if (v->mode == CS_MODE_SUPPORT)
    {
      double effort;

      if (cs_json_get_number (cs_json_node_object (item), "effort_minutes", &effort))
        cs_fuse_add_int (cb, "effort_minutes", (gint64)effort);
      cs_fuse_add_string (cb, "command", cs_json_node_get_string (item, "command") ? cs_json_node_get_string (item, "command") : "");
    }
  else
    cs_fuse_add_string (cb, "technology", cs_json_node_get_string (item, "technology"));
  json_builder_end_object (cb);
  return json_builder_get_root (cb);
}

/* Support annotations: each judge item against the clusters, by the same
 * similarity as the clustering; notes which entries the judge adopted. */
static JsonArray *
judged_consensus (Verdict *v)
{
  CsItemKind kind = v->mode == CS_MODE_SUPPORT ? CS_ITEM_STEP : CS_ITEM_COMPONENT;
  g_autoptr(GPtrArray) consensus_features = entry_features (v->mode, v->old_consensus, v->old_items);
  g_autoptr(GPtrArray) alternative_features = entry_features (v->mode, v->old_alternatives, NULL);
  JsonArray *consensus = json_array_new ();

  for (guint i = 0; v->judge_items != NULL && i < json_array_get_length (v->judge_items); i++)
    {
      JsonNode *item = json_array_get_element (v->judge_items, i);
      g_autoptr(CsItemFeatures) features = cs_item_features_new (kind, item);
      double s1 = 0, s2 = 0;
      JsonObject *in_consensus = match_entry (v->old_consensus, consensus_features, features, &s1);
      JsonObject *in_alternatives = match_entry (v->old_alternatives, alternative_features, features, &s2);
      JsonObject *match = s2 > s1 ? in_alternatives : in_consensus;

      if (match == in_alternatives && match != NULL)
        g_hash_table_add (v->promoted, match);
      if (in_consensus != NULL)
        g_hash_table_add (v->adopted, in_consensus);
      json_array_add_element (consensus, judged_entry (v, item, match));
    }
  return consensus;
}

/* Alternatives the judge did not adopt; after_step remapped to the judge's
 * steps. */
static void
add_kept_alternatives (Verdict   *v,
                       JsonArray *alternatives)
{
  for (guint i = 0; v->old_alternatives != NULL && i < json_array_get_length (v->old_alternatives); i++)
    {
      JsonNode *alt = json_array_get_element (v->old_alternatives, i);
      JsonObject *alt_obj = cs_json_node_object (alt);
      JsonNode *copy;

      if (alt_obj == NULL || g_hash_table_contains (v->promoted, alt_obj))
        continue;
      if (v->mode == CS_MODE_ARCHITECT && g_strcmp0 (cs_json_get_string (alt_obj, "kind"), "decision") == 0 &&
          decision_adopted (v->judge_decisions, alt_obj))
        continue;
      copy = cs_json_deep_copy (alt);
      if (v->mode == CS_MODE_SUPPORT && json_object_has_member (alt_obj, "after_step"))
        {
          gint64 after = json_object_get_int_member_with_default (alt_obj, "after_step", -1);
          JsonNode *old_step = NULL;

          if (after >= 0 && v->old_items != NULL && after < json_array_get_length (v->old_items))
            old_step = json_array_get_element (v->old_items, after);
          json_object_set_int_member (json_node_get_object (copy), "after_step",
                                      closest_step (v->judge_step_features, old_step, CS_SIMILARITY_THRESHOLD));
        }
      json_array_add_element (alternatives, copy);
    }
}

/* What most candidates proposed and the judge left out is not lost: it
 * becomes an alternative too. */
static void
add_dropped_alternatives (Verdict   *v,
                          JsonArray *alternatives)
{
  for (guint i = 0; v->old_consensus != NULL && i < json_array_get_length (v->old_consensus); i++)
    {
      JsonObject *entry = cs_json_node_object (json_array_get_element (v->old_consensus, i));
      JsonNode *alt;

      if (entry == NULL || g_hash_table_contains (v->adopted, entry) ||
          json_object_get_int_member_with_default (entry, "support", 0) <= 0 ||
          v->old_items == NULL || i >= json_array_get_length (v->old_items))
        continue;
      alt = dropped_alternative (v->mode, entry, json_array_get_element (v->old_items, i), v->judge_step_features);
      if (alt != NULL)
        json_array_add_element (alternatives, alt);
    }
}

static JsonArray *
judged_alternatives (Verdict *v)
{
  JsonArray *alternatives = json_array_new ();

  add_kept_alternatives (v, alternatives);
  add_dropped_alternatives (v, alternatives);
  if (v->mode == CS_MODE_SUPPORT)
    {
      JsonArray *sorted = cs_fuse_sorted_alternatives (alternatives);

      json_array_unref (alternatives);
      alternatives = sorted;
    }
  return alternatives;
}

/* The judge's critiques, in their shape: scores clamped to 1..10. */
static JsonArray *
judged_critiques (JsonArray *critiques)
{
  JsonArray *list = json_array_new ();

  for (guint i = 0; i < json_array_get_length (critiques); i++)
    {
      JsonObject *c = cs_json_node_object (json_array_get_element (critiques, i));
      g_autoptr(JsonBuilder) cb = NULL;
      double score = 0;

      if (c == NULL || cs_json_get_string (c, "candidate") == NULL)
        continue;
      cb = json_builder_new ();
      json_builder_begin_object (cb);
      cs_fuse_add_string (cb, "candidate", cs_json_get_string (c, "candidate"));
      cs_fuse_add_string (cb, "strengths", cs_json_get_string (c, "strengths") ? cs_json_get_string (c, "strengths") : "");
      cs_fuse_add_string (cb, "weaknesses", cs_json_get_string (c, "weaknesses") ? cs_json_get_string (c, "weaknesses") : "");
      json_builder_set_member_name (cb, "score");
      if (cs_json_get_number (c, "score", &score))
        json_builder_add_int_value (cb, (gint64)CLAMP (score, 1, 10));
      else
        json_builder_add_null_value (cb);
      json_builder_end_object (cb);
      json_array_add_element (list, json_builder_get_root (cb));
    }
  return list;
}

/* Methods: the fused ones, plus the judge. */
static JsonArray *
judged_methods (JsonObject *fused)
{
  JsonArray *list = cs_json_get_array (fused, "methods");
  JsonArray *methods = json_array_new ();

  for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
    {
      JsonNode *m = json_array_get_element (list, i);

      if (JSON_NODE_HOLDS_VALUE (m) && json_node_get_value_type (m) == G_TYPE_STRING &&
          g_strcmp0 (json_node_get_string (m), "judge") != 0)
        json_array_add_string_element (methods, json_node_get_string (m));
    }
  json_array_add_string_element (methods, "judge");
  return methods;
}

/* The judge's result as the data; an architecture's diagram made safe. */
static JsonNode *
judged_data (CsMode    mode,
             JsonNode *result)
{
  JsonNode *data = cs_json_deep_copy (result);
  const char *mermaid;

  if (mode != CS_MODE_ARCHITECT)
    return data;
  mermaid = cs_json_get_string (json_node_get_object (data), "mermaid");
  if (mermaid != NULL)
    {
      g_autofree char *safe = cs_mode_sanitize_mermaid (mermaid);

      json_object_set_string_member (json_node_get_object (data), "mermaid", safe);
    }
  return data;
}

JsonNode *
cs_synthesis_apply_judge (CsMode       mode,
                          JsonNode    *fused,
                          JsonNode    *judge_reply,
                          const char  *judge_model,
                          GError     **error)
{
  JsonObject *fused_obj = cs_json_node_object (fused);
  JsonNode *result = NULL;
  const char *rationale = NULL;
  JsonArray *critiques = NULL;
  Verdict v = { 0 };
  JsonNode *out;
  JsonObject *out_obj;

  g_return_val_if_fail (mode == CS_MODE_ARCHITECT || mode == CS_MODE_SUPPORT, NULL);

  if (fused_obj == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "There is no fused result to apply the judge to");
      return NULL;
    }
  if (!check_reply (mode, judge_reply, &result, &rationale, &critiques, error))
    return NULL;

  verdict_init (&v, mode, fused_obj, json_node_get_object (result));
  out = cs_json_deep_copy (fused);
  out_obj = json_node_get_object (out);
  json_object_set_array_member (out_obj, "methods", judged_methods (fused_obj));
  json_object_set_member (out_obj, "data", judged_data (mode, result));
  json_object_set_string_member (out_obj, "rationale", rationale);
  json_object_set_array_member (out_obj, "consensus", judged_consensus (&v));
  json_object_set_array_member (out_obj, "alternatives", judged_alternatives (&v));
  json_object_set_array_member (out_obj, "critiques", judged_critiques (critiques));
  if (judge_model != NULL)
    json_object_set_string_member (out_obj, "judge_model", judge_model);
  else
    json_object_set_null_member (out_obj, "judge_model");
  json_object_set_boolean_member (out_obj, "degraded", FALSE);
  json_object_set_null_member (out_obj, "note");
  verdict_clear (&v);

  return out;
}
