/* cs-test-provider-judge.c: the test provider's judge faults and its
 * answers to peer ranking requests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-test-provider"

#include "config.h"

#include <string.h>

#include "cs-test-provider-judge.h"

gboolean
_cs_test_provider_is_ranking (JsonObject *schema,
                              const char *system_text)
{
  g_autofree char *lower = NULL;

  if (schema != NULL)
    {
      JsonNode *props = json_object_get_member (schema, "properties");
      JsonObject *p = props != NULL && JSON_NODE_HOLDS_OBJECT (props) ? json_node_get_object (props) : schema;

      return json_object_has_member (p, "ranking");
    }
  lower = g_utf8_strdown (system_text != NULL ? system_text : "", -1);
  return strstr (lower, "rank anonymous answers") != NULL;
}

typedef struct {
  char  *label;
  gsize  length;
  guint  hash;
} Answer;

static void
answer_free (Answer *a)
{
  g_free (a->label);
  g_free (a);
}

/* "### Answer X" blocks: the label and the size of what follows. */
static GPtrArray *
parse_answers (const char *user_text)
{
  GPtrArray *answers = g_ptr_array_new_with_free_func ((GDestroyNotify)answer_free);
  const char *p = user_text != NULL ? user_text : "";

  while ((p = strstr (p, "### Answer ")) != NULL)
    {
      const char *start = p + strlen ("### Answer ");
      gsize len = strcspn (start, " \t\r\n");
      const char *next = strstr (start, "### Answer ");
      const char *end = next != NULL ? next : start + strlen (start);
      Answer *a = g_new0 (Answer, 1);
      g_autofree char *body = NULL;

      a->label = g_strndup (start, len);
      body = g_strndup (start + len, end - (start + len));
      a->length = strlen (body);
      a->hash = g_str_hash (body);
      g_ptr_array_add (answers, a);
      p = start;
    }
  return answers;
}

static int
compare_answers (gconstpointer pa,
                 gconstpointer pb)
{
  const Answer *a = *(Answer * const *)pa;
  const Answer *b = *(Answer * const *)pb;

  if (a->length != b->length)
    return a->length > b->length ? -1 : 1;
  if (a->hash != b->hash)
    return a->hash < b->hash ? -1 : 1;
  return g_strcmp0 (a->label, b->label);
}

JsonNode *
_cs_test_provider_gen_ranking (const char *user_text,
                               gboolean    out_of_shape)
{
  g_autoptr(GPtrArray) answers = parse_answers (user_text);
  JsonObject *root = json_object_new ();
  JsonArray *ranking = json_array_new ();
  JsonNode *node;

  if (out_of_shape)
    {
      /* a list of labels where objects belong */
      for (guint i = 0; i < answers->len; i++)
        json_array_add_string_element (ranking, ((Answer *)g_ptr_array_index (answers, i))->label);
      json_object_set_array_member (root, "ranking", ranking);
      node = json_node_new (JSON_NODE_OBJECT);
      json_node_take_object (node, root);
      return node;
    }
  g_ptr_array_sort (answers, compare_answers);
  for (guint i = 0; i < answers->len; i++)
    {
      const Answer *a = g_ptr_array_index (answers, i);
      JsonObject *o = json_object_new ();
      g_autofree char *reason = g_strdup_printf ("%s: %" G_GSIZE_FORMAT " characters, %s.", a->label, a->length,
                                                 i == 0 ? "the most detailed answer" : "less detailed than those above");

      json_object_set_string_member (o, "answer", a->label);
      json_object_set_string_member (o, "reason", reason);
      json_array_add_object_element (ranking, o);
    }
  json_object_set_array_member (root, "ranking", ranking);
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, root);
  return node;
}

void
_cs_test_provider_judge_score85 (JsonNode *judge_reply)
{
  JsonObject *o = judge_reply != NULL && JSON_NODE_HOLDS_OBJECT (judge_reply)
                  ? json_node_get_object (judge_reply) : NULL;
  JsonArray *critiques = o != NULL && json_object_has_member (o, "critiques")
                         ? json_object_get_array_member (o, "critiques") : NULL;

  if (critiques != NULL && json_array_get_length (critiques) > 0)
    json_object_set_int_member (json_array_get_object_element (critiques, 0), "score", 85);
}
