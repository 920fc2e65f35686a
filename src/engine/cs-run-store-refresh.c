/* cs-run-store-refresh.c: the list brought up to date with the folder
 *
 * Several processes share the runs folder: the app, CLI runs, a
 * `consilium-cli --serve`. A process that lives long (the server) refreshes
 * its list before it answers from it: one listing of the folder, each file's
 * stamp (device, inode, size and modification time) compared with the one
 * it had when this store last read or wrote it, and only new or changed
 * files read again. Every save replaces the file by a rename, so a file
 * another process saved has another inode even where the file system's
 * times are coarse; no time is compared with the clock. Runs the caller
 * drives (the keep function) and runs with a save of this store in flight
 * or due stay as they are in memory: they are newer than their files.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-run-store"

#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include "cs-run-store-private.h"

char *
_cs_run_store_stat_stamp (const GStatBuf *st)
{
  return g_strdup_printf ("%" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT ":%" G_GINT64_FORMAT ".%09ld:%" G_GINT64_FORMAT,
                          (guint64) st->st_dev, (guint64) st->st_ino, (gint64) st->st_mtim.tv_sec,
                          (long) st->st_mtim.tv_nsec, (gint64) st->st_size);
}

char *
_cs_run_store_file_stamp (const char *path)
{
  GStatBuf st;

  if (g_lstat (path, &st) != 0 || !S_ISREG (st.st_mode))
    return NULL;
  return _cs_run_store_stat_stamp (&st);
}

void
_cs_run_store_set_stamp (CsRunStore *self,
                         const char *name,
                         const char *stamp)
{
  if (self->stamps == NULL)
    self->stamps = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_insert (self->stamps, g_strdup (name), g_strdup (stamp));
}

/* Takes @run off the list without touching its file. */
static void
remove_run (CsRunStore *self,
            CsRun      *run)
{
  CsRunStoreWatch *watch = g_hash_table_lookup (self->watches, run);
  guint pos;

  if (watch != NULL)
    {
      g_hash_table_steal (self->watches, run);
      _cs_run_store_watch_detach (watch, FALSE);
    }
  if (g_ptr_array_find (self->runs, run, &pos))
    {
      g_ptr_array_remove_index (self->runs, pos);
      g_list_model_items_changed (G_LIST_MODEL (self), pos, 1, 0);
      g_object_notify (G_OBJECT (self), "n-items");
    }
}

/* The caller drives @run, or this store is about to write it. */
static gboolean
newer_in_memory (CsRunStore         *self,
                 CsRun              *run,
                 CsRunStoreKeepFunc  keep,
                 gpointer            user_data)
{
  CsRunStoreWatch *watch = g_hash_table_lookup (self->watches, run);

  return (keep != NULL && keep (run, user_data)) ||
         (watch != NULL && _cs_run_store_watch_is_saving (watch));
}

/* One file of the folder: read again when it is new or changed. */
static void
refresh_file (CsRunStore         *self,
              const char         *name,
              CsRunStoreKeepFunc  keep,
              gpointer            user_data)
{
  g_autofree char *path = g_build_filename (self->dir, name, NULL);
  g_autofree char *stamp = _cs_run_store_file_stamp (path);
  g_autofree char *id = g_strndup (name, strlen (name) - strlen (".json"));
  g_autofree char *failure = NULL;
  g_autoptr(CsRun) loaded = NULL;
  const char *known;
  CsRun *run;

  if (stamp == NULL)
    return;
  known = self->stamps != NULL ? g_hash_table_lookup (self->stamps, name) : NULL;
  if (g_strcmp0 (known, stamp) == 0)
    return;
  /* (the list searched only for a file that changed) */
  run = _cs_run_store_find_by_id (self, id);
  if (run != NULL && newer_in_memory (self, run, keep, user_data))
    {
      _cs_run_store_set_stamp (self, name, stamp);
      return;
    }

  _cs_run_store_set_stamp (self, name, stamp);
  loaded = _cs_run_store_load_file (path, name, &failure);
  if (loaded == NULL)
    {
      g_debug ("Skipping %s: %s", path, failure);
      return;
    }
  g_debug ("%s %s from its file", run != NULL ? "Reloading" : "Adding", id);
  if (run != NULL)
    remove_run (self, run);
  _cs_run_store_insert (self, loaded);
}

gboolean
cs_run_store_refresh_sync (CsRunStore          *self,
                           CsRunStoreKeepFunc   keep,
                           gpointer             user_data,
                           GError             **error)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GHashTable) present = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_object_unref);
  const char *name;

  g_return_val_if_fail (CS_IS_RUN_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  dir = g_dir_open (self->dir, 0, &local_error);
  if (dir == NULL && !g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (_cs_run_store_is_run_file (name))
      {
        g_hash_table_add (present, g_strdup (name));
        refresh_file (self, name, keep, user_data);
      }

  /* Runs whose file was there once and is gone (deleted by another
   * process); runs never saved yet have no stamp and stay. */
  for (guint i = 0; i < self->runs->len; i++)
    {
      CsRun *run = g_ptr_array_index (self->runs, i);
      g_autofree char *file = g_strconcat (cs_run_get_id (run), ".json", NULL);

      if (!g_hash_table_contains (present, file) && self->stamps != NULL &&
          g_hash_table_contains (self->stamps, file) && !newer_in_memory (self, run, keep, user_data))
        g_ptr_array_add (gone, g_object_ref (run));
    }
  for (guint i = 0; i < gone->len; i++)
    {
      CsRun *run = g_ptr_array_index (gone, i);
      g_autofree char *file = g_strconcat (cs_run_get_id (run), ".json", NULL);

      g_debug ("Run %s left the folder", cs_run_get_id (run));
      g_hash_table_remove (self->stamps, file);
      remove_run (self, run);
    }
  return TRUE;
}
