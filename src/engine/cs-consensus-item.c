/* cs-consensus-item.c: what one item is to the clustering
 *
 * Its title, its detail (responsibility, purpose, description or action),
 * a step's command, effort and risk, a data store's technology, all read
 * from the typed items of the result model; and how similar two items are.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-consensus"

#include "config.h"

#include <string.h>

#include "cs-consensus-private.h"

/* A detail (responsibility, purpose, action…) alone can make two items match
 * when both have at least this many meaningful words and their similarity
 * times the weight reaches the threshold (0.75 × 0.8 = 0.6). */
#define MIN_DETAIL_TOKENS 4
#define DETAIL_ONLY_WEIGHT 0.75

const char *
cs_consensus_item_title (CsItemKind    kind,
                         gconstpointer item)
{
  if (item == NULL)
    return NULL;
  switch (kind)
    {
    case CS_ITEM_COMPONENT:
      return ((const CsComponent *)item)->name;
    case CS_ITEM_DATA_STORE:
      return ((const CsDataStore *)item)->name;
    case CS_ITEM_API:
      return ((const CsApi *)item)->name;
    case CS_ITEM_DECISION:
      return ((const CsDecision *)item)->topic;
    case CS_ITEM_TEXT:
      return ((const CsTradeOff *)item)->text;
    case CS_ITEM_RISK:
      return ((const CsRisk *)item)->risk;
    case CS_ITEM_CAUSE:
      return ((const CsCause *)item)->cause;
    case CS_ITEM_STEP:
      return ((const CsStep *)item)->title;
    default:
      return NULL;
    }
}

static const char *
item_detail (CsItemKind    kind,
             gconstpointer item)
{
  switch (kind)
    {
    case CS_ITEM_COMPONENT:
      return ((const CsComponent *)item)->responsibility;
    case CS_ITEM_DATA_STORE:
      return ((const CsDataStore *)item)->purpose;
    case CS_ITEM_API:
      return ((const CsApi *)item)->description;
    case CS_ITEM_STEP:
      return ((const CsStep *)item)->action;
    case CS_ITEM_DECISION:
    case CS_ITEM_TEXT:
    case CS_ITEM_RISK:
    case CS_ITEM_CAUSE:
    default:
      return NULL;
    }
}

gboolean
cs_consensus_item_is_valid (CsItemKind    kind,
                            gconstpointer item)
{
  const char *title = cs_consensus_item_title (kind, item);

  return title != NULL && *title != '\0' && g_utf8_validate (title, -1, NULL);
}

int
cs_consensus_item_effort (CsItemKind    kind,
                          gconstpointer item)
{
  const CsStep *step = item;

  if (kind != CS_ITEM_STEP || !step->has_effort)
    return -1;
  return step->effort_minutes;
}

int
cs_consensus_item_risk_rank (CsItemKind    kind,
                             gconstpointer item)
{
  static const char * const ranks[] = { "none", "low", "medium", "high" };
  const CsStep *step = item;
  g_autofree char *risk = NULL;

  if (kind != CS_ITEM_STEP || step->risk == NULL)
    return -1;
  risk = g_ascii_strdown (step->risk, -1);
  g_strstrip (risk);
  for (guint i = 0; i < G_N_ELEMENTS (ranks); i++)
    if (g_str_equal (risk, ranks[i]))
      return (int)i;
  return -1;
}

static void
features_init_texts (CsItemFeatures *features,
                     CsItemKind      kind,
                     const char     *title,
                     const char     *detail,
                     const char     *command,
                     const char     *technology)
{
  features->kind = kind;
  features->title = cs_prepared_text_new (title);
  if (detail != NULL && *detail != '\0')
    features->detail = cs_prepared_text_new (detail);
  if (kind == CS_ITEM_STEP)
    {
      features->command_word = cs_similarity_command_word (command);
      if (features->command_word != NULL)
        features->command = cs_prepared_text_new (command);
    }
  else if (kind == CS_ITEM_DATA_STORE)
    features->technology = cs_similarity_technology_key (technology);
}

void
cs_item_features_init (CsItemFeatures *features,
                       CsItemKind      kind,
                       gconstpointer   item)
{
  features_init_texts (features, kind,
                       cs_consensus_item_title (kind, item),
                       item != NULL ? item_detail (kind, item) : NULL,
                       kind == CS_ITEM_STEP && item != NULL ? ((const CsStep *)item)->command : NULL,
                       kind == CS_ITEM_DATA_STORE && item != NULL ? ((const CsDataStore *)item)->technology : NULL);
}

void
cs_item_features_clear (CsItemFeatures *features)
{
  g_clear_pointer (&features->title, cs_prepared_text_free);
  g_clear_pointer (&features->detail, cs_prepared_text_free);
  g_clear_pointer (&features->command_word, g_free);
  g_clear_pointer (&features->command, cs_prepared_text_free);
  g_clear_pointer (&features->technology, g_free);
}

CsItemFeatures *
cs_item_features_new (CsItemKind    kind,
                      gconstpointer item)
{
  CsItemFeatures *features = g_new0 (CsItemFeatures, 1);

  cs_item_features_init (features, kind, item);
  return features;
}

CsItemFeatures *
cs_item_features_new_texts (CsItemKind  kind,
                            const char *title,
                            const char *detail,
                            const char *command)
{
  CsItemFeatures *features = g_new0 (CsItemFeatures, 1);

  features_init_texts (features, kind, title, detail, command, NULL);
  return features;
}

void
cs_item_features_free (CsItemFeatures *features)
{
  if (features == NULL)
    return;
  cs_item_features_clear (features);
  g_free (features);
}

/* The similarity of two items from their features: the same arithmetic, in
 * the same order, as computing it from the items' texts. Symmetric. */
double
cs_item_features_similarity (const CsItemFeatures *a,
                             const CsItemFeatures *b)
{
  double title;
  double score;

  g_return_val_if_fail (a != NULL && b != NULL, 0.0);
  g_return_val_if_fail (a->kind == b->kind, 0.0);

  title = cs_similarity_text_prepared (a->title, b->title);
  score = title;

  if (a->detail != NULL && b->detail != NULL)
    {
      double detail = cs_similarity_text_prepared (a->detail, b->detail);

      score = MAX (title, 0.6 * title + 0.4 * detail);
      /* two long descriptions that say the same thing name the same
       * role, whatever the names ("Event bus" / "Message broker") */
      if (cs_prepared_text_get_n_tokens (a->detail) >= MIN_DETAIL_TOKENS &&
          cs_prepared_text_get_n_tokens (b->detail) >= MIN_DETAIL_TOKENS)
        score = MAX (score, DETAIL_ONLY_WEIGHT * detail);
    }

  if (a->kind == CS_ITEM_STEP)
    {
      /* cs_similarity_command_bonus () */
      if (a->command_word != NULL && b->command_word != NULL &&
          strcmp (a->command_word, b->command_word) == 0)
        score += 0.05 + 0.15 * cs_similarity_jaccard_prepared (a->command, b->command);
    }
  else if (a->kind == CS_ITEM_DATA_STORE)
    {
      if (*a->technology != '\0' && strcmp (a->technology, b->technology) == 0)
        score += 0.1;
    }

  return CLAMP (score, 0.0, 1.0);
}

double
cs_consensus_item_similarity (CsItemKind    kind,
                              gconstpointer a,
                              gconstpointer b)
{
  CsItemFeatures fa = { 0 };
  CsItemFeatures fb = { 0 };
  double score;

  cs_item_features_init (&fa, kind, a);
  cs_item_features_init (&fb, kind, b);
  score = cs_item_features_similarity (&fa, &fb);
  cs_item_features_clear (&fa);
  cs_item_features_clear (&fb);
  return score;
}
