/* cs-run-store.c
 *
 * Runs as JSON documents, one file per run ("<run-id>.json") in
 * $XDG_DATA_HOME/consilium/runs (created 0700), and the list of them,
 * newest first. When and how a run is written is in cs-run-store-save.c,
 * how the files are read in cs-run-store-load.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-run-store"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <glib/gstdio.h>

#include "cs-run-store-private.h"

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
  SAVED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

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

/* Shared with the other cs-run-store*.c files */

void
_cs_run_store_emit_save_failed (CsRunStore *self,
                                CsRun      *run,
                                const char *message)
{
  g_signal_emit (self, signals[SAVE_FAILED], 0, run, message);
}

void
_cs_run_store_emit_saved (CsRunStore *self,
                          CsRun      *run)
{
  g_signal_emit (self, signals[SAVED], 0, run);
}

void
_cs_run_store_emit_load_failed (CsRunStore *self,
                                const char *path,
                                const char *message)
{
  g_signal_emit (self, signals[LOAD_FAILED], 0, path, message);
}

char *
_cs_run_store_path (CsRunStore *self,
                    CsRun      *run)
{
  g_autofree char *name = g_strconcat (cs_run_get_id (run), ".json", NULL);

  return g_build_filename (self->dir, name, NULL);
}

gboolean
_cs_run_store_ensure_dir (const char  *dir,
                          GError     **error)
{
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _("Could not create the folder %s: %s"), dir, g_strerror (errsv));
      return FALSE;
    }
  return TRUE;
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

void
_cs_run_store_insert (CsRunStore *self,
                      CsRun      *run)
{
  guint pos;

  for (pos = 0; pos < self->runs->len; pos++)
    if (compare_runs (run, g_ptr_array_index (self->runs, pos)) < 0)
      break;

  g_ptr_array_insert (self->runs, pos, g_object_ref (run));
  g_hash_table_insert (self->watches, run, _cs_run_store_watch_new (self, run));

  g_list_model_items_changed (G_LIST_MODEL (self), pos, 0, 1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

CsRun *
_cs_run_store_find_by_id (CsRunStore *self,
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
  g_clear_pointer (&self->stamps, g_hash_table_unref);
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

  /**
   * CsRunStore::saved:
   * @run: the run whose file was just written
   *
   * Emitted on the main thread after a write succeeded, so that a
   * failure reported earlier can be taken back.
   */
  signals[SAVED] =
    g_signal_new ("saved",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, CS_TYPE_RUN);
}

static void
cs_run_store_init (CsRunStore *self)
{
  self->runs = g_ptr_array_new_with_free_func (g_object_unref);
  self->watches = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) _cs_run_store_watch_free);
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

/* Saving */

void
cs_run_store_watch (CsRunStore *self,
                    CsRun      *run)
{
  CsRun *other;

  g_return_if_fail (CS_IS_RUN_STORE (self));
  g_return_if_fail (CS_IS_RUN (run));

  if (g_hash_table_contains (self->watches, run))
    return;

  /* Another object with the same id (a reopened copy) is replaced. */
  other = _cs_run_store_find_by_id (self, cs_run_get_id (run));
  if (other != NULL)
    {
      CsRunStoreWatch *watch = g_hash_table_lookup (self->watches, other);
      guint pos;

      g_ptr_array_find (self->runs, other, &pos);
      g_hash_table_steal (self->watches, other);
      _cs_run_store_watch_detach (watch, FALSE);
      g_ptr_array_remove_index (self->runs, pos);
      g_list_model_items_changed (G_LIST_MODEL (self), pos, 1, 0);
    }

  _cs_run_store_insert (self, run);
  _cs_run_store_watch_changed (g_hash_table_lookup (self->watches, run));
}

static CsRunStoreWatch *
ensure_watch (CsRunStore *self,
              CsRun      *run)
{
  if (!g_hash_table_contains (self->watches, run))
    cs_run_store_watch (self, run);
  return g_hash_table_lookup (self->watches, run);
}

void
cs_run_store_save (CsRunStore *self,
                   CsRun      *run)
{
  g_return_if_fail (CS_IS_RUN_STORE (self));
  g_return_if_fail (CS_IS_RUN (run));

  _cs_run_store_watch_save (ensure_watch (self, run));
}

void
cs_run_store_set_pending_result (CsRunStore *self,
                                 CsRun      *run,
                                 JsonNode   *result)
{
  g_return_if_fail (CS_IS_RUN_STORE (self));
  g_return_if_fail (CS_IS_RUN (run));
  g_return_if_fail (result == NULL || JSON_NODE_HOLDS_OBJECT (result));

  _cs_run_store_watch_set_pending_result (ensure_watch (self, run), result);
}

gboolean
cs_run_store_save_sync (CsRunStore  *self,
                        CsRun       *run,
                        GError     **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *path = NULL;
  g_autofree char *stamp = NULL;
  g_autofree char *name = NULL;

  g_return_val_if_fail (CS_IS_RUN_STORE (self), FALSE);
  g_return_val_if_fail (CS_IS_RUN (run), FALSE);

  if (!_cs_run_store_ensure_dir (self->dir, error))
    return FALSE;

  path = _cs_run_store_path (self, run);
  bytes = _cs_run_store_serialize (run, NULL);
  if (!_cs_run_store_write_file (path, bytes, &stamp, error))
    return FALSE;
  name = g_path_get_basename (path);
  _cs_run_store_set_stamp (self, name, stamp);
  _cs_run_store_emit_saved (self, run);
  return TRUE;
}

void
cs_run_store_flush (CsRunStore *self)
{
  GHashTableIter iter;
  CsRunStoreWatch *watch;

  g_return_if_fail (CS_IS_RUN_STORE (self));

  g_object_ref (self);

  /* Start every scheduled save now. */
  g_hash_table_iter_init (&iter, self->watches);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&watch))
    _cs_run_store_watch_save_pending (watch);

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

  return _cs_run_store_find_by_id (self, id);
}

gboolean
cs_run_store_delete (CsRunStore  *self,
                     CsRun       *run,
                     GError     **error)
{
  g_autofree char *path = NULL;
  CsRunStoreWatch *watch;
  guint pos;

  g_return_val_if_fail (CS_IS_RUN_STORE (self), FALSE);
  g_return_val_if_fail (CS_IS_RUN (run), FALSE);

  path = _cs_run_store_path (self, run);
  if (g_unlink (path) != 0 && errno != ENOENT)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _("Could not delete %s: %s"), path, g_strerror (errsv));
      return FALSE;
    }

  watch = g_hash_table_lookup (self->watches, run);
  if (watch != NULL)
    {
      g_hash_table_steal (self->watches, run);
      _cs_run_store_watch_detach (watch, TRUE);
    }

  if (g_ptr_array_find (self->runs, run, &pos))
    {
      g_ptr_array_remove_index (self->runs, pos);
      g_list_model_items_changed (G_LIST_MODEL (self), pos, 1, 0);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
    }

  return TRUE;
}
