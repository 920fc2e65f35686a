/* cli-serve-store.c: the runs the server answers about, as the runs folder
 * has them when a request comes in
 *
 * The app, `consilium-cli --follow-up`, `--retry` and other servers write
 * the same runs folder. Before a route reads a run, or lists them, the
 * store is refreshed (cs_run_store_refresh_sync (): one listing of the
 * folder and a stat of each run file; a file is read again only when its
 * device, inode, size or modification time differ from what this process
 * last read or wrote, never compared with the clock):
 *
 * - a run this server runs, queued, or drives a follow-up round or a retry
 *   of stays as it is in memory: it is newer than its file, and its next
 *   save writes it again even when another process removed the file;
 * - a run that ended here and was changed by another process since (a
 *   round, a retry, a rename) is served as its file has it: its ServeRun
 *   (the events kept of its life here) is dropped, and its events are then
 *   those of a saved run, a snapshot and "done";
 * - a run whose file was removed (the app's Delete) is no longer served
 *   (404, and absent from the list), whoever started it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "consilium-cli"

#include "config.h"

#include "cli-serve-private.h"

/* In progress here: newer in memory than in its file. */
static gboolean
keep_run (CsRun    *run,
          gpointer  user_data)
{
  Serve *serve = user_data;
  ServeRun *srun = serve_find_run (serve, cs_run_get_id (run));

  return (srun != NULL && !srun->ended) || cs_run_manager_is_running (serve->manager, run);
}

/* A run that ended here and is no longer the store's: read again from a
 * file another process wrote, or removed with its file. */
static gboolean
stale_cb (gpointer key,
          gpointer value,
          gpointer user_data)
{
  GHashTable *stored = user_data;
  ServeRun *srun = value;

  if (!srun->ended || srun->follow_up != NULL || g_hash_table_contains (stored, srun->run))
    return FALSE;
  g_debug ("Run %s changed or removed by another process", (const char *) key);
  return TRUE;
}

void
serve_store_refresh (Serve *serve)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) stored = NULL;
  GListModel *model = G_LIST_MODEL (serve->store);
  guint n;

  if (!cs_run_store_refresh_sync (serve->store, keep_run, serve, &error))
    {
      g_debug ("Could not refresh the runs: %s", error->message);
      return;
    }
  if (g_hash_table_size (serve->runs) == 0)
    return;
  /* the store's runs, as objects: one pass, whatever the number of runs
   * this server knows */
  n = g_list_model_get_n_items (model);
  stored = g_hash_table_new_full (g_direct_hash, g_direct_equal, g_object_unref, NULL);
  for (guint i = 0; i < n; i++)
    g_hash_table_add (stored, g_list_model_get_item (model, i));
  g_hash_table_foreach_remove (serve->runs, stale_cb, stored);
}
