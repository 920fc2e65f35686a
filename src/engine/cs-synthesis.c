/* cs-synthesis.c: ensemble votes + consensus, fused into one answer
 *
 * cs_synthesis_fuse() clusters the valid candidates' items (cs-consensus),
 * votes on their categorical fields and takes medians of their numbers
 * (cs-ensemble), and fuses the result into one answer in the mode's schema
 * (cs-synthesis-architect.c, cs-synthesis-support.c); here are the fusion's
 * input, its envelope and the worker thread it runs in. The judge's side is
 * in cs-judge.c and cs-judge-verdict.c. All pure: no I/O, the same input
 * gives the same output.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-synthesis"

#include "config.h"

#include "cs-json-schema.h"
#include "cs-json-util.h"
#include "cs-mode.h"
#include "cs-synthesis-private.h"

/* ------------------------------------------------------------------------ */
/* The fusion's input                                                       */
/* ------------------------------------------------------------------------ */

static void
snapshot_free (gpointer data)
{
  CsFuseSnapshot *snap = data;

  g_free (snap->id);
  g_free (snap->model);
  g_free (snap->angle);
  g_clear_pointer (&snap->data, json_node_unref);
  g_free (snap);
}

typedef struct {
  CsMode     mode;
  GPtrArray *snapshots;    /* CsFuseSnapshot*, the valid candidates in order */
  JsonNode  *schema;       /* the mode's schema: a deep copy, or a reference */
} FuseInput;

static void
fuse_input_free (FuseInput *input)
{
  g_clear_pointer (&input->snapshots, g_ptr_array_unref);
  g_clear_pointer (&input->schema, json_node_unref);
  g_free (input);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FuseInput, fuse_input_free)

/* The valid candidates (status OK with object data). With @copy, their data
 * and the schema are deep copies that share nothing with the candidates (for
 * a worker thread); without, references (for the calling thread). */
static FuseInput *
fuse_input_new (CsMode     mode,
                GPtrArray *candidates,
                gboolean   copy)
{
  FuseInput *input = g_new0 (FuseInput, 1);
  JsonNode *schema = cs_mode_get_schema (mode);

  input->mode = mode;
  input->snapshots = g_ptr_array_new_with_free_func (snapshot_free);
  if (schema != NULL)
    input->schema = copy ? cs_json_deep_copy (schema) : json_node_ref (schema);
  for (guint i = 0; i < candidates->len; i++)
    {
      CsCandidate *candidate = g_ptr_array_index (candidates, i);
      JsonNode *data;
      CsFuseSnapshot *snap;

      if (!CS_IS_CANDIDATE (candidate) || cs_candidate_get_status (candidate) != CS_CANDIDATE_OK)
        continue;
      data = cs_candidate_get_data (candidate);
      if (cs_json_node_object (data) == NULL)
        continue;
      snap = g_new0 (CsFuseSnapshot, 1);
      snap->id = g_strdup (cs_candidate_get_id (candidate));
      snap->model = g_strdup (cs_candidate_get_model (candidate));
      snap->angle = g_strdup (cs_candidate_get_angle (candidate));
      snap->data = copy ? cs_json_deep_copy (data) : json_node_ref (data);
      g_ptr_array_add (input->snapshots, snap);
    }
  return input;
}

static void
fuse_init (CsFuse    *f,
           FuseInput *input)
{
  f->mode = input->mode;
  f->candidates = g_ptr_array_new ();
  f->datas = g_ptr_array_new ();
  for (guint i = 0; i < input->snapshots->len; i++)
    {
      CsFuseSnapshot *snap = g_ptr_array_index (input->snapshots, i);

      g_ptr_array_add (f->candidates, snap);
      g_ptr_array_add (f->datas, cs_json_node_object (snap->data));
    }
  f->total = f->candidates->len;
  f->votes = json_array_new ();
  f->consensus = json_array_new ();
  f->alternatives = json_array_new ();
  f->wins = g_new0 (guint, f->total + 1);
  f->joined = g_new0 (guint, f->total + 1);
}

static void
fuse_clear (CsFuse *f)
{
  g_clear_pointer (&f->candidates, g_ptr_array_unref);
  g_clear_pointer (&f->datas, g_ptr_array_unref);
  g_clear_pointer (&f->votes, json_array_unref);
  g_clear_pointer (&f->consensus, json_array_unref);
  g_clear_pointer (&f->alternatives, json_array_unref);
  g_clear_pointer (&f->wins, g_free);
  g_clear_pointer (&f->joined, g_free);
}

/* ------------------------------------------------------------------------ */
/* Fuse                                                                     */
/* ------------------------------------------------------------------------ */

static JsonNode *
reorder (JsonNode           *node,
         const char * const *order)
{
  JsonObject *in = json_node_get_object (node);
  JsonObject *out = json_object_new ();
  JsonNode *result = json_node_new (JSON_NODE_OBJECT);

  for (guint i = 0; order[i] != NULL; i++)
    {
      JsonNode *member = json_object_get_member (in, order[i]);

      if (member != NULL)
        json_object_set_member (out, order[i], json_node_copy (member));
    }
  json_node_take_object (result, out);
  return result;
}

static const char * const architect_order[] = {
  "summary", "components", "data_stores", "apis", "connections", "decisions",
  "trade_offs", "risks", "monthly_cost_usd", "mermaid", NULL
};
static const char * const support_order[] = {
  "summary", "likely_causes", "steps", "escalate_when", NULL
};

static int
compare_alternatives (gconstpointer pa,
                      gconstpointer pb)
{
  JsonObject *a = json_node_get_object (*(JsonNode * const *)pa);
  JsonObject *b = json_node_get_object (*(JsonNode * const *)pb);
  gint64 after_a = json_object_get_int_member_with_default (a, "after_step", -1);
  gint64 after_b = json_object_get_int_member_with_default (b, "after_step", -1);
  gint64 index_a = json_object_get_int_member_with_default (a, "_index", 0);
  gint64 index_b = json_object_get_int_member_with_default (b, "_index", 0);

  /* "if that did not work" in checklist order; those tied to no step last;
   * then the more supported first; stable */
  if (after_a < 0)
    after_a = G_MAXINT64;
  if (after_b < 0)
    after_b = G_MAXINT64;
  if (after_a != after_b)
    return after_a < after_b ? -1 : 1;
  if (json_object_get_int_member_with_default (a, "support", 0) != json_object_get_int_member_with_default (b, "support", 0))
    return json_object_get_int_member_with_default (a, "support", 0) > json_object_get_int_member_with_default (b, "support", 0) ? -1 : 1;
  return index_a < index_b ? -1 : index_a > index_b;
}

/* Support alternatives in the order of the checklist they follow. */
JsonArray *
cs_fuse_sorted_alternatives (JsonArray *alternatives)
{
  g_autoptr(GPtrArray) nodes = g_ptr_array_new ();
  JsonArray *sorted = json_array_new ();

  for (guint i = 0; i < json_array_get_length (alternatives); i++)
    {
      JsonNode *node = json_array_get_element (alternatives, i);

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      json_object_set_int_member (json_node_get_object (node), "_index", i);
      g_ptr_array_add (nodes, node);
    }
  g_ptr_array_sort (nodes, compare_alternatives);
  for (guint i = 0; i < nodes->len; i++)
    {
      JsonNode *node = g_ptr_array_index (nodes, i);

      json_object_remove_member (json_node_get_object (node), "_index");
      json_array_add_element (sorted, json_node_ref (node));
    }
  return sorted;
}

/* The data in the mode's schema, members in the schema's order. */
static JsonNode *
fuse_data (CsFuse    *f,
           FuseInput *input)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) raw = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonNode *data;

  json_builder_begin_object (b);
  if (f->mode == CS_MODE_ARCHITECT)
    cs_fuse_architect (f, b);
  else
    cs_fuse_support (f, b);
  json_builder_end_object (b);
  raw = json_builder_get_root (b);
  data = reorder (raw, f->mode == CS_MODE_ARCHITECT ? architect_order : support_order);

  if (input->schema != NULL && !cs_json_schema_validate (input->schema, data, &local_error))
    g_debug ("The fused result does not validate: %s", local_error->message);
  return data;
}

/* The synthesis object documented in cs-run.h around @data (taken). */
static JsonNode *
fuse_envelope (CsFuse   *f,
               JsonNode *data)
{
  g_autoptr(JsonBuilder) sb = json_builder_new ();

  json_builder_begin_object (sb);
  json_builder_set_member_name (sb, "methods");
  json_builder_begin_array (sb);
  json_builder_add_string_value (sb, "ensemble");
  json_builder_add_string_value (sb, "consensus");
  json_builder_end_array (sb);
  json_builder_set_member_name (sb, "data");
  json_builder_add_value (sb, data);
  cs_fuse_add_string (sb, "rationale", NULL);
  cs_fuse_add_int (sb, "total", f->total);
  json_builder_set_member_name (sb, "votes");
  json_builder_add_value (sb, json_node_init_array (json_node_alloc (), f->votes));
  json_builder_set_member_name (sb, "consensus");
  json_builder_add_value (sb, json_node_init_array (json_node_alloc (), f->consensus));
  if (f->mode == CS_MODE_SUPPORT)
    {
      JsonArray *sorted = cs_fuse_sorted_alternatives (f->alternatives);

      json_array_unref (f->alternatives);
      f->alternatives = sorted;
    }
  json_builder_set_member_name (sb, "alternatives");
  json_builder_add_value (sb, json_node_init_array (json_node_alloc (), f->alternatives));
  json_builder_set_member_name (sb, "critiques");
  json_builder_begin_array (sb);
  json_builder_end_array (sb);
  json_builder_set_member_name (sb, "degraded");
  json_builder_add_boolean_value (sb, FALSE);
  cs_fuse_add_string (sb, "note", NULL);
  json_builder_end_object (sb);
  return json_builder_get_root (sb);
}

/* The fusion proper: pure, touches only @input (no GObject, no shared JSON
 * but a read-only schema), so it may run in any thread. */
static JsonNode *
fuse_run (FuseInput  *input,
          GError    **error)
{
  CsFuse f = { 0 };
  JsonNode *result;

  if (input->snapshots->len == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           "No candidate produced a valid answer to synthesize");
      return NULL;
    }
  fuse_init (&f, input);
  result = fuse_envelope (&f, fuse_data (&f, input));
  fuse_clear (&f);
  return result;
}

JsonNode *
cs_synthesis_fuse (CsMode      mode,
                   GPtrArray  *candidates,
                   GError    **error)
{
  g_autoptr(FuseInput) input = NULL;

  g_return_val_if_fail (mode == CS_MODE_ARCHITECT || mode == CS_MODE_SUPPORT, NULL);
  g_return_val_if_fail (candidates != NULL, NULL);

  input = fuse_input_new (mode, candidates, FALSE);
  return fuse_run (input, error);
}

static void
fuse_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  FuseInput *input = task_data;
  GError *error = NULL;
  JsonNode *result;

  if (g_task_return_error_if_cancelled (task))
    return;
  result = fuse_run (input, &error);
  if (result == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, (GDestroyNotify)json_node_unref);
}

void
cs_synthesis_fuse_async (CsMode               mode,
                         GPtrArray           *candidates,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (mode == CS_MODE_ARCHITECT || mode == CS_MODE_SUPPORT);
  g_return_if_fail (candidates != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cs_synthesis_fuse_async);
  g_task_set_name (task, "[consilium] fuse");
  /* the snapshot is taken here, on the calling thread */
  g_task_set_task_data (task, fuse_input_new (mode, candidates, TRUE), (GDestroyNotify)fuse_input_free);
  g_task_run_in_thread (task, fuse_thread);
}

JsonNode *
cs_synthesis_fuse_finish (GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, cs_synthesis_fuse_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

JsonNode *
cs_synthesis_mark_degraded (JsonNode   *fused,
                            const char *note)
{
  JsonNode *out;
  JsonObject *obj;

  g_return_val_if_fail (fused != NULL, NULL);

  out = cs_json_deep_copy (fused);
  obj = cs_json_node_object (out);
  if (obj == NULL)
    return out;
  json_object_set_boolean_member (obj, "degraded", TRUE);
  json_object_set_string_member (obj, "note",
                                 note != NULL && *note != '\0'
                                   ? note
                                   : "No judge reviewed this result: it is the deterministic merge of the candidates (ensemble votes and consensus).");
  return out;
}
