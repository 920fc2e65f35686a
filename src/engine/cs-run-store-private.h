/* cs-run-store-private.h: what the cs-run-store*.c files share
 *
 * - cs-run-store.c: the object, its list of runs and its public API;
 * - cs-run-store-save.c: watching runs and writing their files (when, and
 *   how: at once for a final state, debounced for streamed text);
 * - cs-run-store-load.c: reading the run files in a worker thread;
 * - cs-run-store-refresh.c: bringing the list up to date with the folder.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "cs-run-store.h"

G_BEGIN_DECLS

/* A file of a live run not written for this long belongs to a process that
 * stopped (crashed, killed): live runs are saved every 2 s. */
#define CS_RUN_STORE_STALE_LIVE_RUN_S 30

typedef struct _CsRunStoreWatch CsRunStoreWatch;

struct _CsRunStore
{
  GObject     parent_instance;

  char       *dir;
  GPtrArray  *runs;        /* of CsRun, newest first */
  GHashTable *watches;     /* CsRun* → CsRunStoreWatch* */
  guint       n_in_flight;
  guint       n_writes;    /* completed writes, for the debug log */
  GHashTable *stamps;      /* file name → its stamp when last read (cs-run-store-refresh.c) */
};

/* cs-run-store.c */
void             _cs_run_store_emit_save_failed (CsRunStore      *self,
                                                 CsRun           *run,
                                                 const char      *message);
void             _cs_run_store_emit_saved       (CsRunStore      *self,
                                                 CsRun           *run);
void             _cs_run_store_emit_load_failed (CsRunStore      *self,
                                                 const char      *path,
                                                 const char      *message);
CsRun           *_cs_run_store_find_by_id       (CsRunStore      *self,
                                                 const char      *id);
/* Adds @run to the list (in order) and watches it. */
void             _cs_run_store_insert           (CsRunStore      *self,
                                                 CsRun           *run);
char            *_cs_run_store_path             (CsRunStore      *self,
                                                 CsRun           *run);
gboolean         _cs_run_store_ensure_dir       (const char      *dir,
                                                 GError         **error);

/* cs-run-store-save.c */
CsRunStoreWatch *_cs_run_store_watch_new        (CsRunStore      *self,
                                                 CsRun           *run);
void             _cs_run_store_watch_free       (CsRunStoreWatch *watch);
/* Stops watching; the file is unlinked once a write in flight completes
 * when @unlink_file (a deleted run). */
void             _cs_run_store_watch_detach     (CsRunStoreWatch *watch,
                                                 gboolean         unlink_file);
/* The run's ::changed, as if it had just been emitted. */
void             _cs_run_store_watch_changed    (CsRunStoreWatch *watch);
void             _cs_run_store_watch_save       (CsRunStoreWatch *watch);
/* Starts the save now if one is scheduled; TRUE if it was. */
gboolean         _cs_run_store_watch_save_pending (CsRunStoreWatch *watch);
void             _cs_run_store_watch_set_pending_result (CsRunStoreWatch *watch,
                                                         JsonNode        *result);
/* The document of @run as saved: its JSON, with @pending_result (may be
 * NULL) as its synthesis while it synthesizes. */
GBytes          *_cs_run_store_serialize        (CsRun           *run,
                                                 JsonNode        *pending_result);
/* Writes @bytes to @path: a temporary file synced to disk, renamed over
 * @path, then the folder synced (the file mode is 0600); @stamp (may be
 * NULL): the stamp of the file written. */
gboolean         _cs_run_store_write_file       (const char      *path,
                                                 GBytes          *bytes,
                                                 char           **stamp,
                                                 GError         **error);
/* A write of the run is in flight or scheduled: it is newer in memory
 * than in its file. */
gboolean         _cs_run_store_watch_is_saving  (CsRunStoreWatch *watch);

/* cs-run-store-load.c */
/* A run file's name ("<run-id>.json", not a temporary file). */
gboolean         _cs_run_store_is_run_file      (const char      *name);
/* Reads one run file; NULL with a reason a person understands in @failure. */
CsRun           *_cs_run_store_load_file        (const char      *path,
                                                 const char      *name,
                                                 char           **failure);

/* cs-run-store-refresh.c */
/* What tells one version of a run file from another, without reading it:
 * "<device>:<inode>:<modified s.ns>:<size>" (a file replaced by a rename
 * has another inode, however coarse the file system's times); NULL when
 * @path is not a regular file. */
char            *_cs_run_store_file_stamp       (const char      *path);
char            *_cs_run_store_stat_stamp       (const GStatBuf  *st);
/* Remembers @stamp (taken before the file was read) for @name. */
void             _cs_run_store_set_stamp        (CsRunStore      *self,
                                                 const char      *name,
                                                 const char      *stamp);

G_END_DECLS
