/* cs-config-file.c: the providers file the application owns
 *
 * One CsConfig at a time, read from the file at startup and written back
 * through cs_config_file_save() alone. An edit replaces the configuration
 * with an edited copy instead of changing it in place: a run holds the
 * configuration it started with, and pointers into it, until it ends.
 * The file's checksum tells whether it was changed by hand since it was
 * read or written. Its text as last read or written is kept: an edit's
 * copy is made on it, without reading the file again, and only a change
 * the configuration's users can see is emitted.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-config-file"

#include "config.h"

#include "cs-config-file.h"

struct _CsConfigFile
{
  GObject   parent_instance;

  char     *path;
  CsConfig *config;
  char     *error;      /* why the file could not be read, or NULL */
  char     *checksum;   /* of the file as last read or written; NULL: none */
  char     *contents;   /* the file's text then; NULL: none */
};

G_DEFINE_FINAL_TYPE (CsConfigFile, cs_config_file, G_TYPE_OBJECT)

G_DEFINE_QUARK (cs-config-file-error-quark, cs_config_file_error)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

CsConfigFile *
cs_config_file_new (const char *path)
{
  CsConfigFile *self;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (CS_TYPE_CONFIG_FILE, NULL);
  self->path = g_strdup (path);
  return self;
}

const char *
cs_config_file_get_path (CsConfigFile *self)
{
  g_return_val_if_fail (CS_IS_CONFIG_FILE (self), NULL);

  return self->path;
}

CsConfig *
cs_config_file_get_config (CsConfigFile *self)
{
  g_return_val_if_fail (CS_IS_CONFIG_FILE (self), NULL);

  return self->config;
}

const char *
cs_config_file_get_error (CsConfigFile *self)
{
  g_return_val_if_fail (CS_IS_CONFIG_FILE (self), NULL);

  return self->error;
}

/* Reads the file's text and checksum again; both NULL when it is not
 * there (or cannot be opened at all). */
static void
remember_file (CsConfigFile *self)
{
  gsize len = 0;

  g_clear_pointer (&self->checksum, g_free);
  g_clear_pointer (&self->contents, g_free);
  if (g_file_get_contents (self->path, &self->contents, &len, NULL))
    self->checksum = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) self->contents, len);
}

/* NULL when the file is not there (or cannot be opened at all). */
static char *
file_checksum (const char *path)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &contents, &len, NULL))
    return NULL;
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, len);
}

/* Reads the file: the configuration, or NULL with the reason in @error. */
static CsConfig *
read_file (CsConfigFile  *self,
           char         **error)
{
  g_autoptr(GError) local_error = NULL;
  CsConfig *config;

  remember_file (self);
  if (self->contents == NULL && !g_file_test (self->path, G_FILE_TEST_EXISTS))
    return cs_config_new ();

  config = cs_config_new_from_file (self->path, &local_error);
  if (config == NULL)
    {
      g_debug ("Cannot read %s: %s", self->path, local_error->message);
      *error = g_strdup (local_error->message);
    }
  return config;
}

void
cs_config_file_load (CsConfigFile *self)
{
  g_autofree char *error = NULL;
  g_autoptr(CsConfig) config = NULL;

  g_return_if_fail (CS_IS_CONFIG_FILE (self));

  config = read_file (self, &error);
  if (config == NULL)
    config = cs_config_new ();
  g_set_object (&self->config, config);
  g_free (self->error);
  self->error = g_steal_pointer (&error);
  g_signal_emit (self, signals[CHANGED], 0);
}

gboolean
cs_config_file_check (CsConfigFile  *self,
                      GError       **error)
{
  g_autofree char *checksum = NULL;

  g_return_val_if_fail (CS_IS_CONFIG_FILE (self), FALSE);

  checksum = file_checksum (self->path);
  if (checksum != NULL && g_strcmp0 (checksum, self->checksum) != 0)
    {
      g_autofree char *reason = NULL;
      g_autoptr(CsConfig) config = read_file (self, &reason);

      if (config != NULL)
        g_set_object (&self->config, config);
      g_free (self->error);
      self->error = g_steal_pointer (&reason);
      g_signal_emit (self, signals[CHANGED], 0);
    }

  if (self->error != NULL)
    {
      g_set_error_literal (error, CS_CONFIG_FILE_ERROR, CS_CONFIG_FILE_ERROR_UNREADABLE, self->error);
      return FALSE;
    }
  return TRUE;
}

/* The configuration, copied on the file as it is now (its comments,
 * unknown groups and keys stay when it is written). */
static CsConfig *
copy_config (CsConfigFile *self)
{
  GPtrArray *providers = cs_config_get_providers (self->config);
  g_autoptr(GPtrArray) models = cs_config_list_models (self->config);
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_free);
  CsConfig *copy = NULL;

  /* the file as last read or written (a file changed by hand since is
   * read again by cs_config_file_check) */
  if (self->contents != NULL)
    copy = cs_config_new_from_data (self->contents, self->path, NULL);
  if (copy == NULL)
    copy = cs_config_new ();

  for (guint i = 0; i < cs_config_get_providers (copy)->len; i++)
    {
      const CsProviderConfig *p = g_ptr_array_index (cs_config_get_providers (copy), i);

      if (cs_config_find_provider (self->config, p->id) == NULL)
        g_ptr_array_add (gone, g_strdup (p->id));
    }
  for (guint i = 0; i < gone->len; i++)
    cs_config_remove_provider (copy, g_ptr_array_index (gone, i));
  for (guint i = 0; i < providers->len; i++)
    cs_config_set_provider (copy, g_ptr_array_index (providers, i));
  for (guint i = 0; i < models->len; i++)
    cs_config_set_model (copy, g_ptr_array_index (models, i));

  return copy;
}

void
cs_config_file_edit (CsConfigFile     *self,
                     CsConfigEditFunc  edit,
                     gpointer          user_data)
{
  g_autoptr(CsConfig) copy = NULL;

  g_return_if_fail (CS_IS_CONFIG_FILE (self));
  g_return_if_fail (edit != NULL);

  copy = copy_config (self);
  edit (copy, user_data);
  g_set_object (&self->config, copy);
  g_signal_emit (self, signals[CHANGED], 0);
}

gboolean
cs_config_file_save (CsConfigFile  *self,
                     GError       **error)
{
  g_return_val_if_fail (CS_IS_CONFIG_FILE (self), FALSE);

  /* a file that cannot be read is the person's to fix: writing would
   * replace it with what the application shows */
  if (g_file_test (self->path, G_FILE_TEST_EXISTS))
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(CsConfig) on_disk = cs_config_new_from_file (self->path, &local_error);

      if (on_disk == NULL)
        {
          g_debug ("Not writing %s: %s", self->path, local_error->message);
          g_set_error_literal (error, CS_CONFIG_FILE_ERROR, CS_CONFIG_FILE_ERROR_UNREADABLE,
                               local_error->message);
          return FALSE;
        }
    }

  if (!cs_config_save (self->config, self->path, error))
    return FALSE;

  remember_file (self);
  /* the configuration is the one shown already: only an error gone is news */
  if (self->error != NULL)
    {
      g_clear_pointer (&self->error, g_free);
      g_signal_emit (self, signals[CHANGED], 0);
    }
  return TRUE;
}

static void
cs_config_file_finalize (GObject *object)
{
  CsConfigFile *self = CS_CONFIG_FILE (object);

  g_clear_object (&self->config);
  g_free (self->path);
  g_free (self->error);
  g_free (self->checksum);
  g_free (self->contents);

  G_OBJECT_CLASS (cs_config_file_parent_class)->finalize (object);
}

static void
cs_config_file_class_init (CsConfigFileClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cs_config_file_finalize;

  /**
   * CsConfigFile::changed:
   *
   * The configuration was read, edited, written or replaced, or the file
   * could not be read.
   */
  signals[CHANGED] =
    g_signal_new ("changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
cs_config_file_init (CsConfigFile *self)
{
  self->config = cs_config_new ();
}
