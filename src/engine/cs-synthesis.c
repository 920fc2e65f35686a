/* cs-synthesis.c: ensemble votes + consensus, fused into one answer
 *
 * cs_synthesis_fuse() clusters the valid candidates' items (cs-consensus),
 * votes on their categorical fields and takes medians of their numbers
 * (cs-ensemble), and fuses the result into one answer in the mode's schema
 * (cs-synthesis-architect.c, cs-synthesis-support.c). The candidates'
 * answers are read, and the result built, through the typed result model
 * (cs-result.h). Here are the fusion's input, its result and the worker
 * thread it runs in. The judge's side is in cs-judge.c and
 * cs-judge-verdict.c. All pure: no I/O, the same input gives the same
 * output.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-synthesis"

#include "config.h"

#include <glib/gi18n-lib.h>

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
  g_clear_pointer (&snap->blueprint, cs_blueprint_unref);
  g_clear_pointer (&snap->checklist, cs_checklist_unref);
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

/* Reads each candidate's answer and starts the result: the fused
 * envelope, its data empty. */
static void
fuse_init (CsFuse    *f,
           FuseInput *input)
{
  f->mode = input->mode;
  f->candidates = g_ptr_array_new ();
  for (guint i = 0; i < input->snapshots->len; i++)
    {
      CsFuseSnapshot *snap = g_ptr_array_index (input->snapshots, i);

      if (f->mode == CS_MODE_ARCHITECT && snap->blueprint == NULL)
        snap->blueprint = cs_blueprint_new_from_json (snap->data, NULL);
      else if (f->mode == CS_MODE_SUPPORT && snap->checklist == NULL)
        snap->checklist = cs_checklist_new_from_json (snap->data, NULL);
      g_ptr_array_add (f->candidates, snap);
    }
  f->total = f->candidates->len;
  f->wins = g_new0 (guint, f->total + 1);
  f->joined = g_new0 (guint, f->total + 1);

  f->result = cs_result_new (f->mode);
  cs_result_set_has_origins (f->result, TRUE);
  cs_result_add_methods (f->result, CS_METHOD_ENSEMBLE | CS_METHOD_CONSENSUS);
  if (f->mode == CS_MODE_ARCHITECT)
    {
      f->blueprint = cs_blueprint_new ();
      cs_result_set_blueprint (f->result, f->blueprint);
    }
  else
    {
      f->checklist = cs_checklist_new ();
      cs_result_set_checklist (f->result, f->checklist);
    }
  cs_result_set_total (f->result, f->total);
}

static void
fuse_clear (CsFuse *f)
{
  g_clear_pointer (&f->candidates, g_ptr_array_unref);
  g_clear_pointer (&f->result, cs_result_unref);
  g_clear_pointer (&f->blueprint, cs_blueprint_unref);
  g_clear_pointer (&f->checklist, cs_checklist_unref);
  g_clear_pointer (&f->wins, g_free);
  g_clear_pointer (&f->joined, g_free);
}

/* The fused data, checked against the mode's schema (a debug message when
 * it does not fit, as when no component had a majority). */
static void
check_data (CsFuse    *f,
            FuseInput *input)
{
  g_autoptr(JsonNode) data = NULL;
  g_autoptr(GError) local_error = NULL;

  if (input->schema == NULL)
    return;
  data = f->blueprint != NULL ? cs_blueprint_to_json (f->blueprint) : cs_checklist_to_json (f->checklist);
  if (!cs_json_schema_validate (input->schema, data, &local_error))
    g_debug ("The fused result does not validate: %s", local_error->message);
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
                           _("No candidate produced a valid answer to synthesize"));
      return NULL;
    }
  fuse_init (&f, input);
  if (f.mode == CS_MODE_ARCHITECT)
    cs_fuse_architect (&f);
  else
    {
      cs_fuse_support (&f);
      cs_fuse_sort_alternatives (f.result);
    }
  check_data (&f, input);
  result = cs_result_to_json (f.result);
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
  g_return_val_if_fail (fused != NULL, NULL);

  return cs_result_json_mark_degraded (fused,
                                       note != NULL && *note != '\0'
                                         ? note
                                         : _("No judge reviewed this result: it is the deterministic merge of the candidates (ensemble votes and consensus)."));
}
