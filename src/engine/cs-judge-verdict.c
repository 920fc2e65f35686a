/* cs-judge-verdict.c: folding the judge's verdict into the fused result
 *
 * The judge's result replaces the merged data; each of its steps (or
 * components) is matched against the merge's consensus and alternatives to
 * say how many candidates proposed it; alternatives it adopted are no longer
 * offered, and what the majority proposed but the judge left out becomes an
 * alternative, so nothing the candidates agreed on is lost. Both sides are
 * read, and the verdict written, through the typed result model.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-judge"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "cs-judge.h"
#include "cs-judge-origin.h"
#include "cs-mode.h"
#include "cs-similarity.h"
#include "cs-synthesis-private.h"

/* What the verdict is compared with: the merge's consensus, alternatives and
 * items (steps or components), and the judge's. */
typedef struct {
  CsMode      mode;
  CsItemKind  kind;                 /* of the items compared */
  guint       total;
  GPtrArray  *old_consensus;        /* CsAgreement*, of the merge */
  GPtrArray  *old_alternatives;     /* CsAlternative*, of the merge */
  GPtrArray  *old_items;            /* CsComponent* or CsStep*, of the merge; or NULL */
  GPtrArray  *judge_items;          /* the same, of the judge */
  GPtrArray  *judge_decisions;      /* CsDecision*, of the judge; or NULL */
  GPtrArray  *judge_step_features;  /* support: of the judge's steps */
  GHashTable *promoted;             /* alternatives the judge adopted */
  GHashTable *adopted;              /* consensus entries the judge kept */
} Verdict;

/* The features of an entry of the merge's consensus (@item: the merged item
 * at its index, or NULL) or alternatives, as the item it stands for; NULL
 * for an entry that is no such item (no title, a decision). */
static CsItemFeatures *
agreement_features (Verdict           *v,
                    const CsAgreement *agreement,
                    gconstpointer      item)
{
  if (agreement->title == NULL)
    return NULL;
  if (item != NULL)
    return cs_item_features_new (v->kind, item);
  return cs_item_features_new_texts (v->kind, agreement->title, NULL,
                                     v->mode == CS_MODE_SUPPORT ? agreement->command : NULL);
}

static CsItemFeatures *
alternative_features (Verdict             *v,
                      const CsAlternative *alt)
{
  if (alt->title == NULL || alt->kind == CS_ALTERNATIVE_DECISION)
    return NULL;
  if (v->mode == CS_MODE_SUPPORT)
    return cs_item_features_new_texts (v->kind, alt->title, alt->action, alt->command);
  return cs_item_features_new_texts (v->kind, alt->title, alt->responsibility, NULL);
}

/* The features of each entry of the merge's consensus and alternatives,
 * parallel to them: computed once, not once per judge item. */
static GPtrArray *
consensus_features (Verdict *v)
{
  GPtrArray *features = g_ptr_array_new_with_free_func ((GDestroyNotify)cs_item_features_free);

  for (guint i = 0; i < v->old_consensus->len; i++)
    g_ptr_array_add (features, agreement_features (v, g_ptr_array_index (v->old_consensus, i),
                                                   v->old_items != NULL && i < v->old_items->len
                                                     ? g_ptr_array_index (v->old_items, i) : NULL));
  return features;
}

static GPtrArray *
alternatives_features (Verdict *v)
{
  GPtrArray *features = g_ptr_array_new_with_free_func ((GDestroyNotify)cs_item_features_free);

  for (guint i = 0; i < v->old_alternatives->len; i++)
    g_ptr_array_add (features, alternative_features (v, g_ptr_array_index (v->old_alternatives, i)));
  return features;
}

/* A judge item's best match among @entries (at least the threshold), by the
 * same item similarity as the clustering. @features are parallel to
 * @entries. */
static gpointer
match_entry (GPtrArray            *entries,
             GPtrArray            *features,
             const CsItemFeatures *item,
             double               *best_out)
{
  gpointer best = NULL;
  double best_score = 0;

  for (guint i = 0; i < entries->len && i < features->len; i++)
    {
      const CsItemFeatures *other = g_ptr_array_index (features, i);
      double s;

      if (other == NULL)
        continue;
      s = cs_item_features_similarity (item, other);
      if (s >= CS_SIMILARITY_THRESHOLD && s > best_score + 1e-12)
        {
          best_score = s;
          best = g_ptr_array_index (entries, i);
        }
    }
  *best_out = best_score;
  return best;
}

/* The features of every step of @steps, or NULL for NULL. */
static GPtrArray *
step_features (GPtrArray *steps)
{
  GPtrArray *features;

  if (steps == NULL)
    return NULL;
  features = g_ptr_array_new_with_free_func ((GDestroyNotify)cs_item_features_free);
  for (guint j = 0; j < steps->len; j++)
    g_ptr_array_add (features, cs_item_features_new (CS_ITEM_STEP, g_ptr_array_index (steps, j)));
  return features;
}

/* The index of the step (of step_features ()) that @step most resembles, at
 * least @threshold; -1 when none does. */
static int
closest_step (GPtrArray    *steps,
              const CsStep *step,
              double        threshold)
{
  g_autoptr(CsItemFeatures) features = NULL;
  int found = -1;
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
          found = (int)j;
        }
    }
  return found;
}

/* Whether the judge's decisions already hold the decision alternative @alt:
 * the same choice (as a technology key) on a related topic. */
static gboolean
decision_adopted (GPtrArray           *decisions,
                  const CsAlternative *alt)
{
  g_autofree char *key = NULL;

  if (alt->choice == NULL)
    return FALSE;
  key = cs_similarity_technology_key (alt->choice);
  for (guint i = 0; key != NULL && decisions != NULL && i < decisions->len; i++)
    {
      const CsDecision *decision = g_ptr_array_index (decisions, i);
      g_autofree char *other = NULL;

      if (decision->choice == NULL)
        continue;
      other = cs_similarity_technology_key (decision->choice);
      if (other != NULL && g_str_equal (key, other) &&
          cs_similarity_text (decision->topic, alt->title) >= CS_SIMILARITY_RELATED_THRESHOLD)
        return TRUE;
    }
  return FALSE;
}

static void
verdict_init (Verdict  *v,
              CsMode    mode,
              CsResult *fused,
              CsResult *judged)
{
  CsBlueprint *old_bp = cs_result_get_blueprint (fused);
  CsChecklist *old_cl = cs_result_get_checklist (fused);

  v->mode = mode;
  v->kind = mode == CS_MODE_SUPPORT ? CS_ITEM_STEP : CS_ITEM_COMPONENT;
  v->total = cs_result_get_total (fused);
  v->old_consensus = cs_result_get_consensus (fused);
  v->old_alternatives = cs_result_get_alternatives (fused);
  if (mode == CS_MODE_SUPPORT)
    {
      v->old_items = old_cl != NULL ? cs_checklist_get_steps (old_cl) : NULL;
      v->judge_items = cs_checklist_get_steps (cs_result_get_checklist (judged));
      v->judge_step_features = step_features (v->judge_items);
    }
  else
    {
      v->old_items = old_bp != NULL ? cs_blueprint_get_components (old_bp) : NULL;
      v->judge_items = cs_blueprint_get_components (cs_result_get_blueprint (judged));
      v->judge_decisions = cs_blueprint_get_decisions (cs_result_get_blueprint (judged));
    }
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
static void
add_judged_agreement (Verdict  *v,
                      CsResult *out,
                      gpointer  item,
                      CsItem   *match)
{
  const char *title = cs_consensus_item_title (v->kind, item);
  CsAgreement *agreement;

  agreement = cs_result_add_agreement (out, title != NULL ? title : "",
                                       match != NULL ? match->support : 0, v->total,
                                       match != NULL ? (const char * const *)match->origin.sources : NULL);
  if (v->mode == CS_MODE_SUPPORT)
    {
      const CsStep *step = item;

      if (step->has_effort)
        cs_agreement_set_effort_minutes (agreement, step->effort_minutes);
      cs_agreement_set_command (agreement, step->command != NULL ? step->command : "");
    }
  else
    cs_agreement_set_technology (agreement, ((const CsComponent *)item)->technology);
}

/* Support annotations: each judge item against the clusters, by the same
 * similarity as the clustering; notes which entries the judge adopted. */
static void
add_judged_consensus (Verdict  *v,
                      CsResult *out)
{
  g_autoptr(GPtrArray) in_consensus_features = consensus_features (v);
  g_autoptr(GPtrArray) in_alternatives_features = alternatives_features (v);

  for (guint i = 0; i < v->judge_items->len; i++)
    {
      gpointer item = g_ptr_array_index (v->judge_items, i);
      g_autoptr(CsItemFeatures) features = cs_item_features_new (v->kind, item);
      double s1 = 0, s2 = 0;
      CsAgreement *in_consensus = match_entry (v->old_consensus, in_consensus_features, features, &s1);
      CsAlternative *in_alternatives = match_entry (v->old_alternatives, in_alternatives_features, features, &s2);
      CsItem *match = s2 > s1 ? (CsItem *)in_alternatives : (CsItem *)in_consensus;

      if (match != NULL && match == (CsItem *)in_alternatives)
        g_hash_table_add (v->promoted, in_alternatives);
      if (in_consensus != NULL)
        g_hash_table_add (v->adopted, in_consensus);
      add_judged_agreement (v, out, item, match);
    }
}

/* Alternatives the judge did not adopt; after_step remapped to the judge's
 * steps. */
static void
add_kept_alternatives (Verdict  *v,
                       CsResult *out)
{
  for (guint i = 0; i < v->old_alternatives->len; i++)
    {
      CsAlternative *alt = g_ptr_array_index (v->old_alternatives, i);
      CsAlternative *copy;

      if (g_hash_table_contains (v->promoted, alt))
        continue;
      if (v->mode == CS_MODE_ARCHITECT && alt->kind == CS_ALTERNATIVE_DECISION &&
          decision_adopted (v->judge_decisions, alt))
        continue;
      copy = cs_result_add_alternative_copy (out, alt);
      /* (an after_step of -1 stays -1) */
      if (v->mode == CS_MODE_SUPPORT && alt->after_step >= 0)
        {
          const CsStep *old_step = v->old_items != NULL && (guint)alt->after_step < v->old_items->len
                                   ? g_ptr_array_index (v->old_items, alt->after_step) : NULL;

          cs_alternative_set_after_step (copy, closest_step (v->judge_step_features, old_step,
                                                             CS_SIMILARITY_THRESHOLD));
        }
    }
}

/* What most candidates proposed and the judge left out is not lost: it
 * becomes an alternative too, the step or component itself with its
 * support. */
static void
add_dropped_alternatives (Verdict  *v,
                          CsResult *out)
{
  for (guint i = 0; i < v->old_consensus->len; i++)
    {
      CsAgreement *entry = g_ptr_array_index (v->old_consensus, i);
      const char * const *sources = (const char * const *)entry->item.origin.sources;

      if (g_hash_table_contains (v->adopted, entry) || entry->item.support == 0 ||
          v->old_items == NULL || i >= v->old_items->len)
        continue;
      if (v->mode == CS_MODE_SUPPORT)
        {
          const CsStep *step = g_ptr_array_index (v->old_items, i);

          cs_result_add_alternative_from_step (out, step,
                                               closest_step (v->judge_step_features, step,
                                                             CS_SIMILARITY_RELATED_THRESHOLD),
                                               entry->item.support, entry->item.total, sources);
        }
      else
        cs_result_add_alternative_from_component (out, g_ptr_array_index (v->old_items, i),
                                                  entry->item.support, entry->item.total, sources);
    }
}

/* "c2" before "c10": the candidates' order, whatever the judge's. */
static int
compare_critiques (gconstpointer a,
                   gconstpointer b)
{
  const CsCritique *ca = *(const CsCritique * const *) a;
  const CsCritique *cb = *(const CsCritique * const *) b;
  gsize la = strlen (ca->candidate), lb = strlen (cb->candidate);

  if (la != lb)
    return la < lb ? -1 : 1;
  return strcmp (ca->candidate, cb->candidate);
}

/* The judge's critiques: those naming a candidate, scores within 1..10, in
 * the candidates' order (a judge lists them in any order). */
static void
add_critiques (CsResult *out,
               CsResult *judged)
{
  GPtrArray *all = cs_result_get_critiques (judged);
  g_autoptr(GPtrArray) critiques = g_ptr_array_new ();

  for (guint i = 0; i < all->len; i++)
    if (((const CsCritique *) g_ptr_array_index (all, i))->candidate != NULL)
      g_ptr_array_add (critiques, g_ptr_array_index (all, i));
  g_ptr_array_sort (critiques, compare_critiques);
  for (guint i = 0; i < critiques->len; i++)
    {
      const CsCritique *c = g_ptr_array_index (critiques, i);

      if (c->candidate == NULL)
        continue;
      cs_result_add_critique (out, c->candidate,
                              c->strengths != NULL ? c->strengths : "",
                              c->weaknesses != NULL ? c->weaknesses : "",
                              c->has_score ? CLAMP (c->score, 1, 10) : -1);
    }
}

/* The judge's answer as the data; an architecture's diagram made safe. */
static void
set_judged_data (CsResult *out,
                 CsResult *judged)
{
  CsBlueprint *blueprint = cs_result_get_blueprint (judged);

  if (blueprint == NULL)
    {
      cs_result_set_checklist (out, cs_result_get_checklist (judged));
      return;
    }
  if (cs_blueprint_get_mermaid (blueprint) != NULL)
    {
      g_autofree char *safe = cs_mode_sanitize_mermaid (cs_blueprint_get_mermaid (blueprint));

      cs_blueprint_set_mermaid (blueprint, safe);
    }
  cs_result_set_blueprint (out, blueprint);
}

/* The merge with the judge's verdict folded in. */
static CsResult *
judged_result (Verdict    *v,
               CsResult   *fused,
               CsResult   *judged,
               const char *judge_model)
{
  CsResult *out = cs_result_copy (fused);

  cs_result_add_judge_method (out);
  set_judged_data (out, judged);
  cs_result_set_rationale (out, cs_result_get_rationale (judged));
  cs_result_clear_consensus (out);
  add_judged_consensus (v, out);
  cs_result_clear_alternatives (out);
  add_kept_alternatives (v, out);
  add_dropped_alternatives (v, out);
  if (v->mode == CS_MODE_SUPPORT)
    cs_fuse_sort_alternatives (out);
  cs_result_clear_critiques (out);
  add_critiques (out, judged);
  cs_result_set_judge_model (out, judge_model);
  cs_result_set_degraded (out, FALSE);
  cs_result_set_note (out, NULL);
  cs_result_link_items (out);
  cs_judge_mark_origins (fused, out);
  return out;
}

JsonNode *
cs_synthesis_apply_judge (CsMode       mode,
                          JsonNode    *fused,
                          JsonNode    *judge_reply,
                          const char  *judge_model,
                          GError     **error)
{
  g_autoptr(CsResult) merge = NULL;
  g_autoptr(CsResult) judged = NULL;
  g_autoptr(CsResult) out = NULL;
  Verdict v = { 0 };

  g_return_val_if_fail (mode == CS_MODE_ARCHITECT || mode == CS_MODE_SUPPORT, NULL);

  merge = cs_result_new_from_json (mode, fused, NULL);
  if (merge == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("There is no fused result to apply the judge to"));
      return NULL;
    }
  judged = cs_result_new_from_judge_reply (mode, judge_reply, error);
  if (judged == NULL)
    return NULL;

  verdict_init (&v, mode, merge, judged);
  out = judged_result (&v, merge, judged, judge_model);
  verdict_clear (&v);
  return cs_result_to_json (out);
}
