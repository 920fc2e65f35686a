/* cs-run-store-load.c: reading the run files, in a worker thread
 *
 * Every "<run-id>.json" of the directory is read with the bounded parser
 * and becomes a CsRun; unreadable, corrupt or future-version files are
 * skipped and reported (::load-failed), never fatal. A run that a process
 * left running (or synthesizing) and did not write for
 * CS_RUN_STORE_STALE_LIVE_RUN_S is shown as interrupted.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-run-store"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>
#include <glib/gstdio.h>

#include "cs-json-schema.h"
#include "cs-run-store-private.h"

/* Run files are read with the bounded parser (json-glib alone recurses once
 * per level: a file of 200000 `[` overflowed the loader's stack). Candidate
 * data nests up to CS_JSON_DEFAULT_MAX_DEPTH levels inside a few levels of
 * run structure. */
#define RUN_FILE_MAX_DEPTH (CS_JSON_DEFAULT_MAX_DEPTH + 64)

typedef struct
{
  GPtrArray *runs;      /* of CsRun */
  GPtrArray *failures;  /* path, message, path, message, … */
  GPtrArray *stamps;    /* file name, stamp, file name, stamp, … (cs-run-store-refresh.c) */
} LoadResult;

static void
load_result_free (LoadResult *result)
{
  g_ptr_array_unref (result->runs);
  g_ptr_array_unref (result->failures);
  g_ptr_array_unref (result->stamps);
  g_free (result);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LoadResult, load_result_free)

/* A run left running by a process that died is shown as interrupted (in
 * memory only: the file is rewritten only if the run changes again). Its
 * streamed text up to the last save is kept. */
static void
mark_interrupted (CsRun      *run,
                  const char *path)
{
  CsRunState state = cs_run_get_state (run);
  GStatBuf st;
  guint n;

  if (state != CS_RUN_RUNNING && state != CS_RUN_SYNTHESIZING)
    return;
  if (g_stat (path, &st) != 0 ||
      (gint64)st.st_mtime > g_get_real_time () / G_USEC_PER_SEC - CS_RUN_STORE_STALE_LIVE_RUN_S)
    return;

  n = g_list_model_get_n_items (G_LIST_MODEL (run));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CsCandidate) c = g_list_model_get_item (G_LIST_MODEL (run), i);

      if (!cs_candidate_status_is_final (cs_candidate_get_status (c)))
        {
          cs_candidate_set_status (c, CS_CANDIDATE_CANCELLED);
          if (cs_candidate_get_error (c) == NULL)
            cs_candidate_set_error (c, _("Interrupted: the program running it stopped before it finished"));
        }
    }
  if (cs_run_get_synthesis (run) != NULL)
    cs_run_set_state (run, CS_RUN_DONE);
  else
    {
      cs_run_set_state (run, CS_RUN_CANCELLED);
      cs_run_set_message (run, _("Interrupted: the program running it stopped before it finished."));
    }
}

/* Reads one run file: the run, or NULL with the reason in @failure. Runs
 * in a worker thread as well as on the main thread (a refresh). */
CsRun *
_cs_run_store_load_file (const char  *path,
                         const char  *name,
                         char       **failure)
{
  g_autofree char *contents = NULL;
  g_autofree char *expected_id = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) file_error = NULL;
  g_autoptr(CsRun) run = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &contents, &len, &file_error))
    {
      *failure = g_strdup (file_error->message);
      return NULL;
    }

  root = cs_json_parse_bounded (contents, (gssize) len, RUN_FILE_MAX_DEPTH, &file_error);
  if (root == NULL)
    {
      *failure = g_strdup_printf (_("The run file is not valid JSON: %s"), file_error->message);
      return NULL;
    }

  run = cs_run_new_from_json (root, &file_error);
  if (run == NULL)
    {
      *failure = g_strdup (file_error->message);
      return NULL;
    }

  expected_id = g_strndup (name, strlen (name) - strlen (".json"));
  if (g_strcmp0 (expected_id, cs_run_get_id (run)) != 0)
    {
      *failure = g_strdup_printf (_("The file name does not match the run id “%s”"),
                                  cs_run_get_id (run));
      return NULL;
    }

  mark_interrupted (run, path);
  return g_steal_pointer (&run);
}

gboolean
_cs_run_store_is_run_file (const char *name)
{
  /* Temporary files of writes in progress start with a dot. */
  return name[0] != '.' && g_str_has_suffix (name, ".json") && strlen (name) > strlen (".json");
}

/* Runs in a worker thread: touches nothing of the store but the path. */
static LoadResult *
load_dir (const char  *dir,
          GError     **error)
{
  g_autoptr(LoadResult) result = g_new0 (LoadResult, 1);
  g_autoptr(GDir) d = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *name;

  result->runs = g_ptr_array_new_with_free_func (g_object_unref);
  result->failures = g_ptr_array_new_with_free_func (g_free);
  result->stamps = g_ptr_array_new_with_free_func (g_free);

  d = g_dir_open (dir, 0, &local_error);
  if (d == NULL)
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return g_steal_pointer (&result);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = NULL;
      char *stamp;
      char *failure = NULL;
      CsRun *run;

      if (!_cs_run_store_is_run_file (name))
        continue;

      path = g_build_filename (dir, name, NULL);
      /* taken before the read: a later write changes it again */
      stamp = _cs_run_store_file_stamp (path);
      if (stamp == NULL)
        continue;
      g_ptr_array_add (result->stamps, g_strdup (name));
      g_ptr_array_add (result->stamps, stamp);

      run = _cs_run_store_load_file (path, name, &failure);
      if (run == NULL)
        {
          g_ptr_array_add (result->failures, g_steal_pointer (&path));
          g_ptr_array_add (result->failures, failure);
          continue;
        }
      g_ptr_array_add (result->runs, run);
    }

  return g_steal_pointer (&result);
}

static void
merge_load_result (CsRunStore *self,
                   LoadResult *result)
{
  for (guint i = 0; i + 1 < result->failures->len; i += 2)
    {
      const char *path = g_ptr_array_index (result->failures, i);
      const char *message = g_ptr_array_index (result->failures, i + 1);

      g_debug ("Skipping %s: %s", path, message);
      _cs_run_store_emit_load_failed (self, path, message);
    }

  for (guint i = 0; i + 1 < result->stamps->len; i += 2)
    _cs_run_store_set_stamp (self, g_ptr_array_index (result->stamps, i),
                             g_ptr_array_index (result->stamps, i + 1));

  for (guint i = 0; i < result->runs->len; i++)
    {
      CsRun *run = g_ptr_array_index (result->runs, i);

      /* A run already in memory is newer than its file. */
      if (_cs_run_store_find_by_id (self, cs_run_get_id (run)) == NULL)
        _cs_run_store_insert (self, run);
    }
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  const char *dir = task_data;
  GError *error = NULL;
  LoadResult *result = load_dir (dir, &error);

  if (result == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, (GDestroyNotify)load_result_free);
}

static void
load_thread_done_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CsRunStore *self = g_task_get_source_object (task);
  g_autoptr(LoadResult) loaded = NULL;
  GError *error = NULL;

  loaded = g_task_propagate_pointer (G_TASK (result), &error);
  if (loaded == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  merge_load_result (self, loaded);
  g_task_return_boolean (task, TRUE);
}

void
cs_run_store_load_async (CsRunStore          *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) worker = NULL;

  g_return_if_fail (CS_IS_RUN_STORE (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cs_run_store_load_async);

  worker = g_task_new (self, cancellable, load_thread_done_cb, g_steal_pointer (&task));
  g_task_set_source_tag (worker, load_thread);
  g_task_set_task_data (worker, g_strdup (self->dir), g_free);
  g_task_run_in_thread (worker, load_thread);
}

gboolean
cs_run_store_load_finish (CsRunStore    *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (CS_IS_RUN_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
cs_run_store_load_sync (CsRunStore  *self,
                        GError     **error)
{
  g_autoptr(LoadResult) loaded = NULL;

  g_return_val_if_fail (CS_IS_RUN_STORE (self), FALSE);

  loaded = load_dir (self->dir, error);
  if (loaded == NULL)
    return FALSE;
  merge_load_result (self, loaded);
  return TRUE;
}
