/* cs-test-provider-compare.c: the test provider's pairwise verdicts
 *
 * bench-quality asks a judge which of two answers, A or B, is better, once
 * in each order. The test provider answers from the request alone, so the
 * harness's figures can be checked: by default the longer answer wins
 * (the same verdict in both orders: consistency 1), with the model token
 * "position" answer A always wins (the two orders disagree on every pair
 * that is not a tie: consistency 0, as many wins as losses). A request that
 * is not blind (it names one of the demo models, or speaks of a synthesis)
 * is answered with a tie whose reason starts with "LEAK:", which the test
 * looks for.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-test-provider"

#include "config.h"

#include <string.h>

#include "cs-test-provider.h"
#include "cs-test-provider-compare.h"

#define REVIEWER_MARK "labelled A and B"

static gboolean
has_member (JsonObject *o,
            const char *name)
{
  return o != NULL && json_object_has_member (o, name);
}

gboolean
cs_test_provider_compare_detect (JsonObject *schema,
                                 const char *system_text)
{
  if (schema != NULL)
    {
      JsonNode *props = json_object_get_member (schema, "properties");
      JsonObject *p = props != NULL && JSON_NODE_HOLDS_OBJECT (props) ? json_node_get_object (props) : schema;

      return has_member (p, "verdict") && has_member (p, "reason");
    }
  return system_text != NULL && strstr (system_text, REVIEWER_MARK) != NULL;
}

/* The characters of the ```json block after @marker, -1 if there is none. */
static glong
answer_length (const char *text,
               const char *marker)
{
  const char *start = strstr (text, marker);
  const char *end;

  if (start == NULL || (start = strstr (start, "```json\n")) == NULL)
    return -1;
  start += strlen ("```json\n");
  end = strstr (start, "\n```");
  if (end == NULL)
    return -1;
  return g_utf8_strlen (start, end - start);
}

/* What in the request would tell the judge who wrote an answer. */
static char *
find_leak (const char *system_text,
           const char *user_text)
{
  const char * const *models = cs_test_provider_get_demo_models ();
  g_autofree char *all = g_strconcat (system_text ? system_text : "", "\n", user_text ? user_text : "", NULL);
  g_autofree char *lower = g_utf8_strdown (all, -1);

  for (guint i = 0; models[i] != NULL; i++)
    if (strstr (lower, models[i]) != NULL)
      return g_strdup_printf ("LEAK: the request names the model %s", models[i]);
  if (strstr (lower, "synthes") != NULL)
    return g_strdup ("LEAK: the request says which answer is a synthesis");
  return NULL;
}

static gboolean
has_token (const char *model,
           const char *token)
{
  g_auto(GStrv) tokens = g_strsplit (model ? model : "", "+", -1);

  for (guint i = 1; tokens[0] != NULL && tokens[i] != NULL; i++)
    if (g_str_equal (tokens[i], token))
      return TRUE;
  return FALSE;
}

JsonNode *
cs_test_provider_compare_reply (const char *model,
                                const char *system_text,
                                const char *user_text)
{
  g_autoptr(JsonObject) o = json_object_new ();
  g_autofree char *leak = find_leak (system_text, user_text);
  glong a = answer_length (user_text ? user_text : "", "### Answer A");
  glong b = answer_length (user_text ? user_text : "", "### Answer B");
  const char *verdict;
  g_autofree char *reason = NULL;
  JsonNode *node;

  if (leak != NULL)
    {
      verdict = "tie";
      reason = g_steal_pointer (&leak);
    }
  else if (a < 0 || b < 0)
    {
      verdict = "tie";
      reason = g_strdup ("I could not find both answers, A and B, in the request.");
    }
  else if (has_token (model, "position"))
    {
      verdict = "A";
      reason = g_strdup ("Answer A comes first, and the first answer is the one I prefer.");
    }
  else if (ABS (a - b) * 100 <= MAX (a, b))
    {
      verdict = "tie";
      reason = g_strdup_printf ("The answers are equally detailed (%ld and %ld characters).", a, b);
    }
  else
    {
      verdict = a > b ? "A" : "B";
      reason = g_strdup_printf ("Answer %s is more detailed (%ld against %ld characters).",
                                verdict, MAX (a, b), MIN (a, b));
    }

  json_object_set_string_member (o, "verdict", verdict);
  json_object_set_string_member (o, "reason", reason);
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, o);
  return node;
}
