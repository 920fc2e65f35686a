/* cs-run-store.c
 *
 * Runs as JSON documents, one file per run ("<run-id>.json") in
 * $XDG_DATA_HOME/consilium/runs (created 0700).
 *
 * Saving: every run in the store is watched. A ::changed signal schedules a
 * save 200 ms later (changes inside that window are coalesced), and while
 * any candidate of the run is live a timer saves every 2 s, so streamed text
 * (which does not emit ::changed for every chunk) reaches the disk too: a
 * crash loses at most about two seconds of streaming. Writes go through
 * g_file_set_contents_full (G_FILE_SET_CONTENTS_CONSISTENT) in a worker
 * thread: a temporary file in the same directory renamed over the target,
 * also for the first save, and a failed write (disk full, read-only)
 * leaves the previous file untouched, so a reader never sees a partial
 * file. (g_file_replace_contents writes a new file in place, and renames a
 * partial temporary file over the old one when a write fails.) At most one write per run is in flight; a change during a
 * write schedules another one when it completes, so an older document never
 * overwrites a newer one. A failed write emits ::save-failed and the run
 * stays in memory; the next change tries again.
 *
 * Loading reads and parses the files in a worker thread; unreadable,
 * corrupt or future-version files are skipped and reported (::load-failed).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-run-store"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <glib/gstdio.h>

#include "cs-json-schema.h"
#include "cs-json-util.h"
#include "cs-run-store.h"

#define SAVE_DELAY_MS     200
#define PERIODIC_SAVE_MS 2000
/* A file of a live run not written for this long belongs to a process that
 * stopped (crashed, killed): live runs are saved every 2 s. */
#define STALE_LIVE_RUN_S   30
/* Run files are read with the bounded parser (json-glib alone recurses once
 * per level: a file of 200000 `[` overflowed the loader's stack). Candidate
 * data nests up to CS_JSON_DEFAULT_MAX_DEPTH levels inside a few levels of
 * run structure. */
#define RUN_FILE_MAX_DEPTH (CS_JSON_DEFAULT_MAX_DEPTH + 64)

typedef struct
{
  CsRunStore *store;        /* unowned */
  CsRun      *run;          /* owned */
  gulong      changed_id;
  guint       debounce_id;
  guint       periodic_id;
  guint       in_flight : 1;
  guint       dirty : 1;    /* a change came in while a write was in flight */
  guint       removed : 1;  /* no longer in the store; freed when the write completes */
  guint       delete_file : 1;  /* … and its file is removed then (deleted run) */
} Watch;

struct _CsRunStore
{
  GObject     parent_instance;

  char       *dir;
  GPtrArray  *runs;        /* of CsRun, newest first */
  GHashTable *watches;     /* CsRun* → Watch* */
  guint       n_in_flight;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CsRunStore, cs_run_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_DIR,
  PROP_N_ITEMS,
  N_PROPS
};

enum {
  LOAD_FAILED,
  SAVE_FAILED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void watch_start_save (Watch *watch);

/* GListModel */

static GType
cs_run_store_get_item_type (GListModel *model)
{
  return CS_TYPE_RUN;
}

static guint
cs_run_store_get_n_items (GListModel *model)
{
  return CS_RUN_STORE (model)->runs->len;
}

static gpointer
cs_run_store_get_item (GListModel *model,
                       guint       position)
{
  CsRunStore *self = CS_RUN_STORE (model);

  if (position >= self->runs->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->runs, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = cs_run_store_get_item_type;
  iface->get_n_items = cs_run_store_get_n_items;
  iface->get_item = cs_run_store_get_item;
}

/* Watches */

static void
watch_free (Watch *watch)
{
  g_clear_handle_id (&watch->debounce_id, g_source_remove);
  g_clear_handle_id (&watch->periodic_id, g_source_remove);
  g_clear_signal_handler (&watch->changed_id, watch->run);
  g_clear_object (&watch->run);
  g_free (watch);
}

static char *
run_path (CsRunStore *self,
          CsRun      *run)
{
  g_autofree char *name = g_strconcat (cs_run_get_id (run), ".json", NULL);

  return g_build_filename (self->dir, name, NULL);
}

static gboolean
run_is_live (CsRun *run)
{
  CsRunState state = cs_run_get_state (run);

  if (state == CS_RUN_RUNNING || state == CS_RUN_SYNTHESIZING)
    return TRUE;
  return !cs_run_all_final (run);
}

static GBytes *
serialize_run (CsRun *run)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  gsize len = 0;
  char *data;

  cs_run_touch (run);
  root = cs_run_to_json (run);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  json_generator_set_indent (gen, 1);
  data = json_generator_to_data (gen, &len);
  /* json-glib 1.6 writes 1e22 as "1e+22.0", which no parser reads back. */
  len = cs_json_fix_exponents (data);
  return g_bytes_new_take (data, len);
}

static gboolean
ensure_dir (const char  *dir,
            GError     **error)
{
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "Could not create the folder %s: %s", dir, g_strerror (errsv));
      return FALSE;
    }
  return TRUE;
}

static gboolean
periodic_save_cb (gpointer user_data)
{
  Watch *watch = user_data;

  if (!run_is_live (watch->run))
    {
      watch->periodic_id = 0;
      /* One last save catches the final streamed text. */
      watch_start_save (watch);
      return G_SOURCE_REMOVE;
    }
  watch_start_save (watch);
  return G_SOURCE_CONTINUE;
}

static gboolean
debounce_cb (gpointer user_data)
{
  Watch *watch = user_data;

  watch->debounce_id = 0;
  watch_start_save (watch);
  return G_SOURCE_REMOVE;
}

static void
run_changed_cb (CsRun *run,
                Watch *watch)
{
  if (watch->removed)
    return;
  if (watch->debounce_id == 0)
    watch->debounce_id = g_timeout_add (SAVE_DELAY_MS, debounce_cb, watch);
  if (watch->periodic_id == 0 && run_is_live (run))
    watch->periodic_id = g_timeout_add (PERIODIC_SAVE_MS, periodic_save_cb, watch);
}

typedef struct
{
  char   *path;
  GBytes *bytes;
} WriteJob;

static void
write_job_free (WriteJob *job)
{
  g_free (job->path);
  g_bytes_unref (job->bytes);
  g_free (job);
}

static gboolean
write_atomic (const char  *path,
              GBytes      *bytes,
              GError     **error)
{
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);

  return g_file_set_contents_full (path, data ? data : "", len,
                                   G_FILE_SET_CONTENTS_CONSISTENT,
                                   0600, error);
}

static void
write_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  WriteJob *job = task_data;
  GError *error = NULL;

  if (write_atomic (job->path, job->bytes, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
replace_contents_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  Watch *watch = user_data;
  g_autoptr(CsRunStore) self = watch->store; /* the reference taken by the write */
  g_autoptr(GError) error = NULL;

  watch->in_flight = FALSE;
  self->n_in_flight--;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (!watch->removed)
        {
          g_debug ("Could not save run %s: %s", cs_run_get_id (watch->run), error->message);
          g_signal_emit (self, signals[SAVE_FAILED], 0, watch->run, error->message);
        }
    }

  if (watch->removed)
    {
      /* Deleted while the write was in flight: remove what it wrote. */
      if (watch->delete_file)
        {
          g_autofree char *path = run_path (self, watch->run);
          g_unlink (path);
        }
      watch_free (watch);
      return;
    }

  if (watch->dirty)
    {
      watch->dirty = FALSE;
      watch_start_save (watch);
    }
}

static void
watch_detach (Watch    *watch,
              gboolean  unlink_file)
{
  if (!watch->in_flight)
    {
      watch_free (watch);
      return;
    }
  /* The write's completion frees it (and removes the file again). */
  watch->removed = TRUE;
  watch->delete_file = !!unlink_file;
  watch->dirty = FALSE;
  g_clear_handle_id (&watch->debounce_id, g_source_remove);
  g_clear_handle_id (&watch->periodic_id, g_source_remove);
  g_clear_signal_handler (&watch->changed_id, watch->run);
}

static void
watch_start_save (Watch *watch)
{
  CsRunStore *self = watch->store;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) task = NULL;
  WriteJob *job;

  if (watch->removed)
    return;
  if (watch->in_flight)
    {
      watch->dirty = TRUE;
      return;
    }
  g_clear_handle_id (&watch->debounce_id, g_source_remove);

  if (!ensure_dir (self->dir, &error))
    {
      g_signal_emit (self, signals[SAVE_FAILED], 0, watch->run, error->message);
      return;
    }

  job = g_new0 (WriteJob, 1);
  job->path = run_path (self, watch->run);
  job->bytes = serialize_run (watch->run);
  watch->in_flight = TRUE;
  self->n_in_flight++;
  g_object_ref (self);
  task = g_task_new (NULL, NULL, replace_contents_cb, watch);
  g_task_set_source_tag (task, watch_start_save);
  g_task_set_task_data (task, job, (GDestroyNotify)write_job_free);
  g_task_run_in_thread (task, write_thread);
}

static int
compare_runs (CsRun *a,
              CsRun *b)
{
  gint64 ca = cs_run_get_created (a);
  gint64 cb = cs_run_get_created (b);

  /* newest first; ties by id, which starts with the time, descending */
  if (ca != cb)
    return ca > cb ? -1 : 1;
  return -g_strcmp0 (cs_run_get_id (a), cs_run_get_id (b));
}

static void
insert_run (CsRunStore *self,
            CsRun      *run)
{
  Watch *watch;
  guint pos;

  for (pos = 0; pos < self->runs->len; pos++)
    if (compare_runs (run, g_ptr_array_index (self->runs, pos)) < 0)
      break;

  g_ptr_array_insert (self->runs, pos, g_object_ref (run));

  watch = g_new0 (Watch, 1);
  watch->store = self;
  watch->run = g_object_ref (run);
  watch->changed_id = g_signal_connect (run, "changed", G_CALLBACK (run_changed_cb), watch);
  g_hash_table_insert (self->watches, run, watch);

  g_list_model_items_changed (G_LIST_MODEL (self), pos, 0, 1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

static CsRun *
find_by_id (CsRunStore *self,
            const char *id)
{
  for (guint i = 0; i < self->runs->len; i++)
    {
      CsRun *run = g_ptr_array_index (self->runs, i);
      if (g_strcmp0 (cs_run_get_id (run), id) == 0)
        return run;
    }
  return NULL;
}

/* GObject */

static void
cs_run_store_dispose (GObject *object)
{
  CsRunStore *self = (CsRunStore *)object;

  /* Writes in flight hold a reference on the store, so no watch is in
   * flight here. */
  g_hash_table_remove_all (self->watches);
  if (self->runs->len > 0)
    g_ptr_array_set_size (self->runs, 0);

  G_OBJECT_CLASS (cs_run_store_parent_class)->dispose (object);
}

static void
cs_run_store_finalize (GObject *object)
{
  CsRunStore *self = (CsRunStore *)object;

  g_clear_pointer (&self->watches, g_hash_table_unref);
  g_clear_pointer (&self->runs, g_ptr_array_unref);
  g_clear_pointer (&self->dir, g_free);

  G_OBJECT_CLASS (cs_run_store_parent_class)->finalize (object);
}

static void
cs_run_store_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  CsRunStore *self = CS_RUN_STORE (object);

  switch (prop_id)
    {
    case PROP_DIR: g_value_set_string (value, self->dir); break;
    case PROP_N_ITEMS: g_value_set_uint (value, self->runs->len); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_run_store_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  CsRunStore *self = CS_RUN_STORE (object);

  switch (prop_id)
    {
    case PROP_DIR:
      g_free (self->dir);
      if (g_value_get_string (value) != NULL)
        self->dir = g_value_dup_string (value);
      else
        self->dir = g_build_filename (g_get_user_data_dir (), "consilium", "runs", NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_run_store_class_init (CsRunStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cs_run_store_dispose;
  object_class->finalize = cs_run_store_finalize;
  object_class->get_property = cs_run_store_get_property;
  object_class->set_property = cs_run_store_set_property;

  properties[PROP_DIR] =
    g_param_spec_string ("dir", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CsRunStore::load-failed:
   * @path: the file that was skipped
   * @message: why, in a sentence
   */
  signals[LOAD_FAILED] =
    g_signal_new ("load-failed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);

  /**
   * CsRunStore::save-failed:
   * @run: the run that could not be written (it stays in memory)
   * @message: why, in a sentence
   */
  signals[SAVE_FAILED] =
    g_signal_new ("save-failed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, CS_TYPE_RUN, G_TYPE_STRING);
}

static void
cs_run_store_init (CsRunStore *self)
{
  self->runs = g_ptr_array_new_with_free_func (g_object_unref);
  self->watches = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify)watch_free);
}

CsRunStore *
cs_run_store_new (const char *dir)
{
  return g_object_new (CS_TYPE_RUN_STORE, "dir", dir, NULL);
}

const char *
cs_run_store_get_dir (CsRunStore *self)
{
  g_return_val_if_fail (CS_IS_RUN_STORE (self), NULL);
  return self->dir;
}

/* Loading */

typedef struct
{
  GPtrArray *runs;      /* of CsRun */
  GPtrArray *failures;  /* path, message, path, message, … */
} LoadResult;

static void
load_result_free (LoadResult *result)
{
  g_ptr_array_unref (result->runs);
  g_ptr_array_unref (result->failures);
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
      (gint64)st.st_mtime > g_get_real_time () / G_USEC_PER_SEC - STALE_LIVE_RUN_S)
    return;

  n = g_list_model_get_n_items (G_LIST_MODEL (run));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CsCandidate) c = g_list_model_get_item (G_LIST_MODEL (run), i);

      if (!cs_candidate_status_is_final (cs_candidate_get_status (c)))
        {
          cs_candidate_set_status (c, CS_CANDIDATE_CANCELLED);
          if (cs_candidate_get_error (c) == NULL)
            cs_candidate_set_error (c, "Interrupted: the program running it stopped before it finished");
        }
    }
  if (cs_run_get_synthesis (run) != NULL)
    cs_run_set_state (run, CS_RUN_DONE);
  else
    {
      cs_run_set_state (run, CS_RUN_CANCELLED);
      cs_run_set_message (run, "Interrupted: the program running it stopped before it finished.");
    }
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
      g_autofree char *contents = NULL;
      g_autofree char *expected_id = NULL;
      g_autoptr(JsonNode) root = NULL;
      g_autoptr(GError) file_error = NULL;
      g_autoptr(CsRun) run = NULL;
      gsize len = 0;

      /* Temporary files of writes in progress start with a dot. */
      if (name[0] == '.' || !g_str_has_suffix (name, ".json"))
        continue;

      path = g_build_filename (dir, name, NULL);
      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        continue;

      if (!g_file_get_contents (path, &contents, &len, &file_error))
        {
          g_ptr_array_add (result->failures, g_strdup (path));
          g_ptr_array_add (result->failures, g_strdup (file_error->message));
          continue;
        }

      root = cs_json_parse_bounded (contents, (gssize) len, RUN_FILE_MAX_DEPTH, &file_error);
      if (root == NULL)
        {
          g_ptr_array_add (result->failures, g_strdup (path));
          g_ptr_array_add (result->failures,
                           g_strdup_printf ("The run file is not valid JSON: %s", file_error->message));
          continue;
        }

      run = cs_run_new_from_json (root, &file_error);
      if (run == NULL)
        {
          g_ptr_array_add (result->failures, g_strdup (path));
          g_ptr_array_add (result->failures, g_strdup (file_error->message));
          continue;
        }

      expected_id = g_strndup (name, strlen (name) - strlen (".json"));
      if (g_strcmp0 (expected_id, cs_run_get_id (run)) != 0)
        {
          g_ptr_array_add (result->failures, g_strdup (path));
          g_ptr_array_add (result->failures,
                           g_strdup_printf ("The file name does not match the run id “%s”",
                                            cs_run_get_id (run)));
          continue;
        }

      mark_interrupted (run, path);
      g_ptr_array_add (result->runs, g_steal_pointer (&run));
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
      g_signal_emit (self, signals[LOAD_FAILED], 0, path, message);
    }

  for (guint i = 0; i < result->runs->len; i++)
    {
      CsRun *run = g_ptr_array_index (result->runs, i);

      /* A run already in memory is newer than its file. */
      if (find_by_id (self, cs_run_get_id (run)) == NULL)
        insert_run (self, run);
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

/* Saving */

void
cs_run_store_watch (CsRunStore *self,
                    CsRun      *run)
{
  g_return_if_fail (CS_IS_RUN_STORE (self));
  g_return_if_fail (CS_IS_RUN (run));

  if (g_hash_table_contains (self->watches, run))
    return;

  /* Another object with the same id (a reopened copy) is replaced. */
  {
    CsRun *other = find_by_id (self, cs_run_get_id (run));
    if (other != NULL)
      {
        guint pos;
        Watch *watch = g_hash_table_lookup (self->watches, other);

        g_ptr_array_find (self->runs, other, &pos);
        g_hash_table_steal (self->watches, other);
        watch_detach (watch, FALSE);
        g_ptr_array_remove_index (self->runs, pos);
        g_list_model_items_changed (G_LIST_MODEL (self), pos, 1, 0);
      }
  }

  insert_run (self, run);
  run_changed_cb (run, g_hash_table_lookup (self->watches, run));
}

void
cs_run_store_save (CsRunStore *self,
                   CsRun      *run)
{
  Watch *watch;

  g_return_if_fail (CS_IS_RUN_STORE (self));
  g_return_if_fail (CS_IS_RUN (run));

  watch = g_hash_table_lookup (self->watches, run);
  if (watch == NULL)
    {
      cs_run_store_watch (self, run);
      watch = g_hash_table_lookup (self->watches, run);
    }
  watch_start_save (watch);
}

gboolean
cs_run_store_save_sync (CsRunStore  *self,
                        CsRun       *run,
                        GError     **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *path = NULL;

  g_return_val_if_fail (CS_IS_RUN_STORE (self), FALSE);
  g_return_val_if_fail (CS_IS_RUN (run), FALSE);

  if (!ensure_dir (self->dir, error))
    return FALSE;

  path = run_path (self, run);
  bytes = serialize_run (run);
  return write_atomic (path, bytes, error);
}

void
cs_run_store_flush (CsRunStore *self)
{
  GHashTableIter iter;
  Watch *watch;

  g_return_if_fail (CS_IS_RUN_STORE (self));

  g_object_ref (self);

  /* Start every pending (debounced) save now. */
  g_hash_table_iter_init (&iter, self->watches);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&watch))
    if (watch->debounce_id != 0 || watch->periodic_id != 0)
      {
        g_clear_handle_id (&watch->debounce_id, g_source_remove);
        watch_start_save (watch);
      }

  /* Then wait for every write, including the ones they chain. */
  while (self->n_in_flight > 0)
    g_main_context_iteration (NULL, TRUE);

  g_object_unref (self);
}

CsRun *
cs_run_store_find (CsRunStore *self,
                   const char *id)
{
  g_return_val_if_fail (CS_IS_RUN_STORE (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  return find_by_id (self, id);
}

gboolean
cs_run_store_delete (CsRunStore  *self,
                     CsRun       *run,
                     GError     **error)
{
  g_autofree char *path = NULL;
  Watch *watch;
  guint pos;

  g_return_val_if_fail (CS_IS_RUN_STORE (self), FALSE);
  g_return_val_if_fail (CS_IS_RUN (run), FALSE);

  path = run_path (self, run);
  if (g_unlink (path) != 0 && errno != ENOENT)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "Could not delete %s: %s", path, g_strerror (errsv));
      return FALSE;
    }

  watch = g_hash_table_lookup (self->watches, run);
  if (watch != NULL)
    {
      g_hash_table_steal (self->watches, run);
      watch_detach (watch, TRUE);
    }

  if (g_ptr_array_find (self->runs, run, &pos))
    {
      g_ptr_array_remove_index (self->runs, pos);
      g_list_model_items_changed (G_LIST_MODEL (self), pos, 1, 0);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
    }

  return TRUE;
}
