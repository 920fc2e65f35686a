/* bench-quality-problems.c: the problem sets of bench-quality, and the
 * small records it keeps per problem
 *
 * A problem set is a JSON file (data/problems/README.md):
 *
 *   { "mode": "architect" | "support",
 *     "problems": [ { "id": "webhooks-5k", "problem": "…",
 *                     "constraints": { "budget": "…", … } }, … ] }
 *
 * A path may name such a file or a folder of them (every *.json, sorted).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bench-quality"

#include "config.h"

#include <math.h>
#include <string.h>

#include "bench-quality-private.h"

#define MAX_SET_BYTES (4 * 1024 * 1024)

void
bq_judgement_clear (BqJudgement *judgement)
{
  g_clear_pointer (&judgement->reason, g_free);
  g_clear_pointer (&judgement->error, g_free);
}

void
bq_pair_free (BqPair *pair)
{
  g_free (pair->candidate_id);
  g_free (pair->model);
  bq_judgement_clear (&pair->first);
  bq_judgement_clear (&pair->second);
  g_free (pair);
}

void
bq_cost_init (BqCost *cost)
{
  memset (cost, 0, sizeof *cost);
  cost->price_unknown = g_ptr_array_new_with_free_func (g_free);
}

void
bq_cost_clear (BqCost *cost)
{
  g_clear_pointer (&cost->price_unknown, g_ptr_array_unref);
}

static void
note_unknown (BqCost     *cost,
              const char *model_id)
{
  for (guint i = 0; i < cost->price_unknown->len; i++)
    if (g_str_equal (g_ptr_array_index (cost->price_unknown, i), model_id))
      return;
  g_ptr_array_add (cost->price_unknown, g_strdup (model_id));
}

/* A price of 0 (or none) is unknown, never free: the report says so
 * rather than $0. */
void
bq_cost_add (BqCost              *cost,
             const CsModelConfig *model,
             const char          *model_id,
             gint64               input_tokens,
             gint64               output_tokens)
{
  input_tokens = MAX (input_tokens, 0);
  output_tokens = MAX (output_tokens, 0);
  cost->input_tokens += input_tokens;
  cost->output_tokens += output_tokens;
  if (model != NULL && isfinite (model->price_input) && isfinite (model->price_output) &&
      model->price_input >= 0 && model->price_output >= 0 &&
      (model->price_input > 0 || model->price_output > 0))
    cost->usd += ((double) input_tokens * model->price_input +
                  (double) output_tokens * model->price_output) / 1e6;
  else if (input_tokens > 0 || output_tokens > 0)
    note_unknown (cost, model_id);
}

void
bq_cost_add_priced (BqCost     *cost,
                    gint64      input_tokens,
                    gint64      output_tokens,
                    double      usd,
                    const char *unknown_model)
{
  cost->input_tokens += MAX (input_tokens, 0);
  cost->output_tokens += MAX (output_tokens, 0);
  if (isfinite (usd) && usd > 0)
    cost->usd += usd;
  if (unknown_model != NULL && (input_tokens > 0 || output_tokens > 0))
    note_unknown (cost, unknown_model);
}

void
bq_cost_merge (BqCost       *into,
               const BqCost *from)
{
  into->input_tokens += from->input_tokens;
  into->output_tokens += from->output_tokens;
  into->usd += from->usd;
  for (guint i = 0; i < from->price_unknown->len; i++)
    note_unknown (into, g_ptr_array_index (from->price_unknown, i));
}

void
bq_problem_free (BqProblem *problem)
{
  g_free (problem->set);
  g_free (problem->id);
  g_free (problem->problem);
  g_strfreev (problem->keys);
  g_strfreev (problem->values);
  g_free (problem->run_id);
  g_free (problem->error);
  g_free (problem->methods);
  g_clear_pointer (&problem->pairs, g_ptr_array_unref);
  bq_cost_clear (&problem->run_cost);
  bq_cost_clear (&problem->judge_cost);
  g_free (problem);
}

static const char *
string_member (JsonObject *o,
               const char *name)
{
  JsonNode *node = json_object_get_member (o, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* One entry of "problems"; NULL with an error naming it when it is wrong. */
static BqProblem *
parse_problem (const char  *set,
               CsMode       mode,
               JsonNode    *node,
               guint        index,
               GError     **error)
{
  g_autoptr(GStrvBuilder) keys = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) values = g_strv_builder_new ();
  JsonObject *o;
  const char *id, *text;
  JsonNode *constraints;
  BqProblem *problem;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: problems[%u] is not an object", set, index);
      return NULL;
    }
  o = json_node_get_object (node);
  id = string_member (o, "id");
  text = string_member (o, "problem");
  if (id == NULL || id[0] == '\0' || text == NULL || text[strspn (text, " \t\r\n")] == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s: problems[%u] needs a non-empty \"id\" and \"problem\"", set, index);
      return NULL;
    }
  if (string_member (o, "mode") != NULL && !cs_mode_from_string (string_member (o, "mode"), &mode))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s: problem %s: unknown mode %s", set, id, string_member (o, "mode"));
      return NULL;
    }
  constraints = json_object_get_member (o, "constraints");
  if (constraints != NULL && JSON_NODE_HOLDS_OBJECT (constraints))
    {
      JsonObject *c = json_node_get_object (constraints);
      g_autoptr(GList) names = json_object_get_members (c);

      for (GList *l = names; l != NULL; l = l->next)
        {
          const char *value = string_member (c, l->data);

          if (value == NULL)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "%s: problem %s: constraint %s is not a string", set, id, (const char *) l->data);
              return NULL;
            }
          g_strv_builder_add (keys, l->data);
          g_strv_builder_add (values, value);
        }
    }
  else if (constraints != NULL && !JSON_NODE_HOLDS_NULL (constraints))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s: problem %s: \"constraints\" is not an object", set, id);
      return NULL;
    }

  problem = g_new0 (BqProblem, 1);
  problem->set = g_strdup (set);
  problem->id = g_strdup (id);
  problem->mode = mode;
  problem->problem = g_strdup (text);
  problem->keys = g_strv_builder_end (keys);
  problem->values = g_strv_builder_end (values);
  problem->pairs = g_ptr_array_new_with_free_func ((GDestroyNotify) bq_pair_free);
  bq_cost_init (&problem->run_cost);
  bq_cost_init (&problem->judge_cost);
  return problem;
}

/* The first @limit problems (all when @limit is 0) of one set file. */
static gboolean
load_file (const char  *path,
           int          limit,
           GPtrArray   *out,
           GError     **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *set = g_path_get_basename (path);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
  gsize len = 0;
  JsonObject *o;
  JsonNode *problems;
  CsMode mode;
  guint n;

  if (g_str_has_suffix (set, ".json"))
    set[strlen (set) - strlen (".json")] = '\0';
  if (!g_file_get_contents (path, &contents, &len, error))
    return FALSE;
  if (len > MAX_SET_BYTES)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE, "%s is larger than %d bytes", path, MAX_SET_BYTES);
      return FALSE;
    }
  root = cs_json_parse_bounded (contents, (gssize) len, CS_JSON_DEFAULT_MAX_DEPTH, error);
  if (root == NULL)
    {
      g_prefix_error (error, "%s: ", path);
      return FALSE;
    }
  o = JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  problems = o != NULL ? json_object_get_member (o, "problems") : NULL;
  if (o == NULL || string_member (o, "mode") == NULL || !cs_mode_from_string (string_member (o, "mode"), &mode) ||
      problems == NULL || !JSON_NODE_HOLDS_ARRAY (problems))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s: expected {\"mode\": \"architect\" or \"support\", \"problems\": [...]}", path);
      return FALSE;
    }

  n = json_array_get_length (json_node_get_array (problems));
  for (guint i = 0; i < n && (limit == 0 || i < (guint) limit); i++)
    {
      BqProblem *problem = parse_problem (set, mode, json_array_get_element (json_node_get_array (problems), i), i, error);

      if (problem == NULL)
        return FALSE;
      if (!g_hash_table_add (ids, problem->id))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: problem id %s is used twice", path, problem->id);
          bq_problem_free (problem);
          return FALSE;
        }
      g_ptr_array_add (out, problem);
    }
  return TRUE;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

/* Every problem of @paths (files, or folders of *.json), in order. */
GPtrArray *
bq_problems_load (const char * const  *paths,
                  int                  limit,
                  GError             **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) bq_problem_free);

  for (guint i = 0; paths[i] != NULL; i++)
    {
      g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);

      if (g_file_test (paths[i], G_FILE_TEST_IS_DIR))
        {
          g_autoptr(GDir) dir = g_dir_open (paths[i], 0, error);
          const char *name;

          if (dir == NULL)
            return NULL;
          while ((name = g_dir_read_name (dir)) != NULL)
            if (g_str_has_suffix (name, ".json"))
              g_ptr_array_add (files, g_build_filename (paths[i], name, NULL));
          g_ptr_array_sort (files, compare_strings);
          if (files->len == 0)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s holds no *.json problem set", paths[i]);
              return NULL;
            }
        }
      else
        g_ptr_array_add (files, g_strdup (paths[i]));

      for (guint j = 0; j < files->len; j++)
        if (!load_file (g_ptr_array_index (files, j), limit, out, error))
          return NULL;
    }
  return g_steal_pointer (&out);
}
