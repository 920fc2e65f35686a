/* cs-run-store-save.c: when and how the store writes a run's file
 *
 * When: every run in the store is watched. A change of a final state (a
 * candidate reaching or leaving a final status, the run's state, its
 * result, the result so far while it synthesizes) is saved at once: on the
 * next main-loop iteration, so that several such changes made together
 * (a request's candidates ending, a candidate's data then its status) make
 * one save. Any other ::changed schedules a save 200 ms later (changes
 * inside that window are coalesced), and while any candidate of the run is
 * live a save is made at the latest 2 s after the previous one, so streamed
 * text (which does not emit ::changed for every chunk) reaches the disk
 * too: a crash loses at most about two seconds of streaming, never a
 * finished candidate or a computed result.
 *
 * How: in a worker thread, a temporary file in the same directory (its
 * name starts with a dot) is written, synced to disk (fsync) and renamed
 * over the target, also for the first save; then the folder is synced, so
 * the rename itself survives a power cut. The file's stamp (device, inode,
 * size, modification time) as written is remembered: a refresh reads back
 * only what another process wrote (cs-run-store-refresh.c). A failed write (disk
 * full, read-only) leaves the previous file untouched, so a reader never
 * sees a partial file. At most one write per run is in flight; a change
 * during a write schedules another one when it completes, so an older
 * document never overwrites a newer one. A failed write emits ::save-failed
 * and the run stays in memory; the next change tries again.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-run-store"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "cs-json-util.h"
#include "cs-run-store-private.h"
#include "cs-safe-file.h"

#define SAVE_DELAY_MS     200
#define PERIODIC_SAVE_MS 2000
/* A final state's byte in the marks: any live status reads as this. */
#define MARK_LIVE 0xff

struct _CsRunStoreWatch
{
  CsRunStore *store;        /* unowned */
  CsRun      *run;          /* owned */
  gulong      changed_id;
  guint       debounce_id;
  guint       periodic_id;
  guint       at_once_id;   /* a final state changed: saved next iteration */
  GByteArray *marks;        /* the final states as last seen */
  JsonNode   *pending;      /* the result so far, while the run synthesizes */
  guint       in_flight : 1;
  guint       dirty : 1;    /* a change came in while a write was in flight */
  guint       removed : 1;  /* no longer in the store; freed when the write completes */
  guint       delete_file : 1;  /* … and its file is removed then (deleted run) */
};

static gboolean
run_is_live (CsRun *run)
{
  CsRunState state = cs_run_get_state (run);

  if (state == CS_RUN_RUNNING || state == CS_RUN_SYNTHESIZING)
    return TRUE;
  return !cs_run_all_final (run);
}

/* What a crash must not lose, in a few bytes: the run's state, whether it
 * has a result, and each candidate's status if it is final. */
static GByteArray *
final_marks (CsRun *run)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (run));
  GByteArray *marks = g_byte_array_sized_new (n + 2);
  guint8 head[2];

  head[0] = (guint8) cs_run_get_state (run);
  head[1] = cs_run_get_synthesis (run) != NULL;
  g_byte_array_append (marks, head, 2);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CsCandidate) c = g_list_model_get_item (G_LIST_MODEL (run), i);
      CsCandidateStatus status = cs_candidate_get_status (c);
      guint8 mark = cs_candidate_status_is_final (status) ? (guint8) status : MARK_LIVE;

      g_byte_array_append (marks, &mark, 1);
    }
  return marks;
}

/* TRUE when a final state changed since the last call. */
static gboolean
update_marks (CsRunStoreWatch *watch)
{
  g_autoptr(GByteArray) marks = final_marks (watch->run);
  gboolean changed = watch->marks == NULL || marks->len != watch->marks->len ||
                     memcmp (marks->data, watch->marks->data, marks->len) != 0;

  if (changed)
    {
      g_clear_pointer (&watch->marks, g_byte_array_unref);
      watch->marks = g_steal_pointer (&marks);
    }
  return changed;
}

/* Saving starts the timer again while the run is live (and a run that is
 * no longer live gets one last save, which catches the final streamed
 * text). */
static gboolean
periodic_save_cb (gpointer user_data)
{
  CsRunStoreWatch *watch = user_data;

  watch->periodic_id = 0;
  _cs_run_store_watch_save (watch);
  return G_SOURCE_REMOVE;
}

static gboolean
debounce_cb (gpointer user_data)
{
  CsRunStoreWatch *watch = user_data;

  watch->debounce_id = 0;
  _cs_run_store_watch_save (watch);
  return G_SOURCE_REMOVE;
}

static gboolean
at_once_cb (gpointer user_data)
{
  CsRunStoreWatch *watch = user_data;

  watch->at_once_id = 0;
  _cs_run_store_watch_save (watch);
  return G_SOURCE_REMOVE;
}

/* On the next main-loop iteration (default priority: streams that keep
 * the loop busy do not starve it), once for all the changes until then. */
static void
save_at_once (CsRunStoreWatch *watch)
{
  if (watch->at_once_id == 0)
    watch->at_once_id = g_idle_add_full (G_PRIORITY_DEFAULT, at_once_cb, watch, NULL);
}

static void
run_changed_cb (CsRun           *run,
                CsRunStoreWatch *watch)
{
  _cs_run_store_watch_changed (watch);
}

void
_cs_run_store_watch_changed (CsRunStoreWatch *watch)
{
  if (watch->removed)
    return;
  if (update_marks (watch))
    save_at_once (watch);
  else if (watch->debounce_id == 0 && watch->at_once_id == 0)
    watch->debounce_id = g_timeout_add (SAVE_DELAY_MS, debounce_cb, watch);
  if (watch->periodic_id == 0 && run_is_live (watch->run))
    watch->periodic_id = g_timeout_add (PERIODIC_SAVE_MS, periodic_save_cb, watch);
}

CsRunStoreWatch *
_cs_run_store_watch_new (CsRunStore *self,
                         CsRun      *run)
{
  CsRunStoreWatch *watch = g_new0 (CsRunStoreWatch, 1);

  watch->store = self;
  watch->run = g_object_ref (run);
  /* what the run is when it arrives is no change: its first save waits
   * like any other */
  watch->marks = final_marks (run);
  watch->changed_id = g_signal_connect (run, "changed", G_CALLBACK (run_changed_cb), watch);
  return watch;
}

void
_cs_run_store_watch_free (CsRunStoreWatch *watch)
{
  g_clear_handle_id (&watch->debounce_id, g_source_remove);
  g_clear_handle_id (&watch->periodic_id, g_source_remove);
  g_clear_handle_id (&watch->at_once_id, g_source_remove);
  g_clear_signal_handler (&watch->changed_id, watch->run);
  g_clear_pointer (&watch->marks, g_byte_array_unref);
  g_clear_pointer (&watch->pending, json_node_unref);
  g_clear_object (&watch->run);
  g_free (watch);
}

void
_cs_run_store_watch_set_pending_result (CsRunStoreWatch *watch,
                                        JsonNode        *result)
{
  if (watch->removed || (watch->pending == NULL && result == NULL))
    return;
  g_clear_pointer (&watch->pending, json_node_unref);
  if (result != NULL)
    watch->pending = json_node_copy (result);
  save_at_once (watch);
}

/* The result so far stands in for the run's own, and its note, if any, for
 * the run's message: what a run whose judge failed would show. */
static void
add_pending_result (JsonObject *doc,
                    CsRun      *run,
                    JsonNode   *pending)
{
  JsonObject *result = json_node_get_object (pending);
  JsonNode *note = json_object_get_member (result, "note");

  json_object_set_member (doc, "synthesis", json_node_copy (pending));
  if (cs_run_get_message (run) == NULL && note != NULL &&
      JSON_NODE_HOLDS_VALUE (note) && json_node_get_value_type (note) == G_TYPE_STRING)
    json_object_set_string_member (doc, "message", json_node_get_string (note));
}

GBytes *
_cs_run_store_serialize (CsRun    *run,
                         JsonNode *pending_result)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  gsize len = 0;
  char *data;

  cs_run_touch (run);
  root = cs_run_to_json (run);
  if (pending_result != NULL && JSON_NODE_HOLDS_OBJECT (pending_result) &&
      cs_run_get_state (run) == CS_RUN_SYNTHESIZING)
    add_pending_result (json_node_get_object (root), run, pending_result);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  json_generator_set_indent (gen, 1);
  data = json_generator_to_data (gen, &len);
  /* json-glib 1.6 writes 1e22 as "1e+22.0", which no parser reads back. */
  len = cs_json_fix_exponents (data);
  return g_bytes_new_take (data, len);
}

static void
set_write_error (GError     **error,
                 int          saved_errno,
                 const char  *path)
{
  g_autofree char *display = g_filename_display_name (path);

  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               /* Translators: the first %s is a file, the second the system's reason */
               _("Cannot write %s: %s"), display, g_strerror (saved_errno));
}

gboolean
_cs_run_store_write_file (const char  *path,
                          GBytes      *bytes,
                          char       **stamp,
                          GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *tmp = g_strdup_printf ("%s/.%s.XXXXXX", dir, base);
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);
  GStatBuf st;
  gboolean ok;
  int saved_errno;
  int fd;

  /* the temporary file starts with a dot: never taken for a run file */
  fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      set_write_error (error, errno, path);
      return FALSE;
    }
  /* synced before the rename, also when there is no older file; its
   * identity, size and modification time are what the rename puts at
   * @path: the stamp of what this store wrote */
  ok = cs_safe_file_write_all (fd, data != NULL ? data : "", len) && fsync (fd) == 0 && fstat (fd, &st) == 0;
  saved_errno = errno;
  if (close (fd) != 0 && ok)
    {
      ok = FALSE;
      saved_errno = errno;
    }
  if (ok && rename (tmp, path) != 0)
    {
      ok = FALSE;
      saved_errno = errno;
    }
  if (!ok)
    {
      g_unlink (tmp);
      set_write_error (error, saved_errno, path);
      return FALSE;
    }
  /* the rename itself on disk */
  fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0)
    {
      if (fsync (fd) != 0)
        g_debug ("Could not sync %s: %s", dir, g_strerror (errno));
      close (fd);
    }
  if (stamp != NULL)
    *stamp = _cs_run_store_stat_stamp (&st);
  return TRUE;
}

typedef struct
{
  char   *path;
  GBytes *bytes;
  char   *stamp;   /* of the file written */
} WriteJob;

static void
write_job_free (WriteJob *job)
{
  g_free (job->path);
  g_free (job->stamp);
  g_bytes_unref (job->bytes);
  g_free (job);
}

static void
write_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  WriteJob *job = task_data;
  GError *error = NULL;

  if (_cs_run_store_write_file (job->path, job->bytes, &job->stamp, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
write_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  CsRunStoreWatch *watch = user_data;
  g_autoptr(CsRunStore) self = watch->store; /* the reference taken by the write */
  g_autoptr(GError) error = NULL;

  watch->in_flight = FALSE;
  self->n_in_flight--;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (!watch->removed)
        {
          g_debug ("Could not save run %s: %s", cs_run_get_id (watch->run), error->message);
          _cs_run_store_emit_save_failed (self, watch->run, error->message);
        }
    }
  else
    {
      WriteJob *job = g_task_get_task_data (G_TASK (result));
      g_autofree char *name = g_path_get_basename (job->path);

      /* what this store wrote is not a change to read back */
      if (!watch->removed)
        _cs_run_store_set_stamp (self, name, job->stamp);
      self->n_writes++;
      g_debug ("Saved run %s (write %u of this store)", cs_run_get_id (watch->run), self->n_writes);
      if (!watch->removed)
        _cs_run_store_emit_saved (self, watch->run);
    }

  if (watch->removed)
    {
      /* Deleted while the write was in flight: remove what it wrote. */
      if (watch->delete_file)
        {
          g_autofree char *path = _cs_run_store_path (self, watch->run);
          g_unlink (path);
        }
      _cs_run_store_watch_free (watch);
      return;
    }

  if (watch->dirty)
    {
      watch->dirty = FALSE;
      _cs_run_store_watch_save (watch);
    }
}

void
_cs_run_store_watch_detach (CsRunStoreWatch *watch,
                            gboolean         unlink_file)
{
  if (!watch->in_flight)
    {
      _cs_run_store_watch_free (watch);
      return;
    }
  /* The write's completion frees it (and removes the file again). */
  watch->removed = TRUE;
  watch->delete_file = !!unlink_file;
  watch->dirty = FALSE;
  g_clear_handle_id (&watch->debounce_id, g_source_remove);
  g_clear_handle_id (&watch->periodic_id, g_source_remove);
  g_clear_handle_id (&watch->at_once_id, g_source_remove);
  g_clear_signal_handler (&watch->changed_id, watch->run);
}

void
_cs_run_store_watch_save (CsRunStoreWatch *watch)
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
  g_clear_handle_id (&watch->at_once_id, g_source_remove);
  /* this save holds the text streamed so far: the next periodic one is due
   * 2 s after it */
  g_clear_handle_id (&watch->periodic_id, g_source_remove);
  if (run_is_live (watch->run))
    watch->periodic_id = g_timeout_add (PERIODIC_SAVE_MS, periodic_save_cb, watch);

  if (!_cs_run_store_ensure_dir (self->dir, &error))
    {
      _cs_run_store_emit_save_failed (self, watch->run, error->message);
      return;
    }

  /* the result so far is for a synthesizing run only */
  if (watch->pending != NULL && cs_run_get_state (watch->run) != CS_RUN_SYNTHESIZING)
    g_clear_pointer (&watch->pending, json_node_unref);

  job = g_new0 (WriteJob, 1);
  job->path = _cs_run_store_path (self, watch->run);
  job->bytes = _cs_run_store_serialize (watch->run, watch->pending);
  watch->in_flight = TRUE;
  self->n_in_flight++;
  g_object_ref (self);
  task = g_task_new (NULL, NULL, write_done_cb, watch);
  g_task_set_source_tag (task, _cs_run_store_watch_save);
  g_task_set_task_data (task, job, (GDestroyNotify) write_job_free);
  g_task_run_in_thread (task, write_thread);
}

gboolean
_cs_run_store_watch_is_saving (CsRunStoreWatch *watch)
{
  return watch->in_flight || watch->dirty || watch->at_once_id != 0 || watch->debounce_id != 0;
}

gboolean
_cs_run_store_watch_save_pending (CsRunStoreWatch *watch)
{
  if (watch->debounce_id == 0 && watch->periodic_id == 0 && watch->at_once_id == 0)
    return FALSE;
  _cs_run_store_watch_save (watch);
  return TRUE;
}
