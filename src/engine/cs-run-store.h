/* cs-run-store.h: runs as JSON files under $XDG_DATA_HOME/consilium/runs/
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "cs-run.h"

G_BEGIN_DECLS

#define CS_TYPE_RUN_STORE (cs_run_store_get_type ())

/* A GListModel of CsRun, newest first. */
G_DECLARE_FINAL_TYPE (CsRunStore, cs_run_store, CS, RUN_STORE, GObject)

/* @dir: NULL for $XDG_DATA_HOME/consilium/runs */
CsRunStore *cs_run_store_new           (const char   *dir);
const char *cs_run_store_get_dir       (CsRunStore   *self);

/* Loads every run file (asynchronously, off the main thread); unreadable,
 * corrupt or future-version files are skipped and reported through
 * ::load-failed (path, error message), never fatal. */
void        cs_run_store_load_async    (CsRunStore          *self,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
gboolean    cs_run_store_load_finish   (CsRunStore          *self,
                                        GAsyncResult        *result,
                                        GError             **error);
/* Blocking load, for the CLI and tests only. */
gboolean    cs_run_store_load_sync     (CsRunStore          *self,
                                        GError             **error);

/* Whether a refresh leaves @run as it is in memory (a run this process
 * drives is newer than its file). */
typedef gboolean (*CsRunStoreKeepFunc) (CsRun    *run,
                                        gpointer  user_data);
/* Brings the list up to date with the folder, on the calling thread, for a
 * process that shares the folder with others (consilium-cli --serve beside
 * the app): a file new or changed since this store last read or wrote it
 * (its device, inode, size and modification time) is read and replaces the
 * run in memory; a run whose file was removed leaves the list. Runs @keep
 * (may be NULL) returns TRUE for, and runs with a save of this store in
 * flight or due, stay as they are. Cheap when nothing changed: one listing
 * of the folder and a stat of each run file. Unreadable files are skipped
 * (read again once they change). */
gboolean    cs_run_store_refresh_sync  (CsRunStore          *self,
                                        CsRunStoreKeepFunc   keep,
                                        gpointer             user_data,
                                        GError             **error);

/* Adds the run to the model (if new) and saves it whenever it emits
 * ::changed: at once (on the next main-loop iteration) when a final state
 * changed (a candidate's final status, the run's state or result), else
 * coalesced, at most every 200 ms, and every 2 s while candidates stream.
 * Saving is atomic and durable (temporary file synced to disk, then
 * renamed). Failures are reported through ::save-failed (run, message) and
 * retried on the next change. */
void        cs_run_store_watch         (CsRunStore   *self,
                                        CsRun        *run);
/* Saves now (still asynchronous); flush waits for pending saves. */
void        cs_run_store_save          (CsRunStore   *self,
                                        CsRun        *run);
/* The result @run has so far while it synthesizes (the votes-and-consensus
 * result while the judge answers, degraded, with a note saying the judge
 * was interrupted): saved at once as the synthesis of its file, the note as
 * its message, so that a crash keeps it; @run itself is not changed. It
 * stands until the run leaves the synthesizing state or this is called
 * again (NULL: none). */
void        cs_run_store_set_pending_result (CsRunStore *self,
                                             CsRun      *run,
                                             JsonNode   *result);
gboolean    cs_run_store_save_sync     (CsRunStore   *self,
                                        CsRun        *run,
                                        GError      **error);
void        cs_run_store_flush         (CsRunStore   *self);
CsRun      *cs_run_store_find          (CsRunStore   *self,
                                        const char   *id);
gboolean    cs_run_store_delete        (CsRunStore   *self,
                                        CsRun        *run,
                                        GError      **error);

G_END_DECLS
