/* cs-safe-file.c: writing a file where a person asked for it, without
 * destroying what was there (the rule is in cs-safe-file.h)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-safe-file"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "cs-safe-file.h"

/* A temporary name must fit in NAME_MAX with its prefix and suffix. */
#define MAX_BASE_BYTES 200

static void
set_errno_error (GError     **error,
                 int          saved_errno,
                 const char  *path)
{
  g_autofree char *display = g_filename_display_name (path);

  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               /* Translators: the first %s is a file, the second the system's reason */
               _("Cannot write %s: %s"), display, g_strerror (saved_errno));
}

/* A new path: its directory must exist and be writable. */
static gboolean
check_new_path (const char  *path,
                GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *display = g_filename_display_name (path);
  g_autofree char *dir_display = g_filename_display_name (dir);
  struct stat st;

  if (stat (dir, &st) != 0 || !S_ISDIR (st.st_mode))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   /* Translators: the first %s is a file, the second its folder */
                   _("Cannot write %s: the folder %s does not exist"), display, dir_display);
      return FALSE;
    }
  if (access (dir, W_OK) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   /* Translators: the first %s is a file, the second its folder */
                   _("Cannot write %s: the folder %s is not writable"), display, dir_display);
      return FALSE;
    }
  return TRUE;
}

/* An existing path, as lstat() saw it in @st. */
static gboolean
check_existing_path (const char        *path,
                     const struct stat *st,
                     const char        *input_path,
                     GError           **error)
{
  g_autofree char *display = g_filename_display_name (path);
  struct stat input;

  if (S_ISLNK (st->st_mode))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE,
                   _("%s is a symbolic link: it is neither replaced nor written through; "
                     "name the file itself"), display);
      return FALSE;
    }
  if (S_ISDIR (st->st_mode))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY, _("%s is a folder"), display);
      return FALSE;
    }
  if (!S_ISREG (st->st_mode))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE,
                   _("%s is not a regular file (a device, a pipe or a socket): it is not replaced"),
                   display);
      return FALSE;
    }
  if (input_path != NULL && stat (input_path, &input) == 0 &&
      input.st_dev == st->st_dev && input.st_ino == st->st_ino)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("%s is the input file: writing the result there would replace it"), display);
      return FALSE;
    }
  /* the file's own permissions count, also for root, whom access() lets
   * write anything */
  if ((st->st_mode & 0222) == 0 || access (path, W_OK) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   _("%s is read-only: it is not replaced"), display);
      return FALSE;
    }
  /* replacing renames into the folder */
  return check_new_path (path, error);
}

/* The rule; *exists and *st say what is at @path. */
static gboolean
check_path (const char   *path,
            const char   *input_path,
            struct stat  *st,
            gboolean     *exists,
            GError      **error)
{
  if (path == NULL || *path == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("No file name was given"));
      return FALSE;
    }

  if (lstat (path, st) != 0)
    {
      int saved_errno = errno;

      *exists = FALSE;
      if (saved_errno != ENOENT)
        {
          set_errno_error (error, saved_errno, path);
          return FALSE;
        }
      return check_new_path (path, error);
    }

  *exists = TRUE;
  return check_existing_path (path, st, input_path, error);
}

gboolean
cs_safe_file_check_destination (const char  *path,
                                const char  *input_path,
                                GError     **error)
{
  struct stat st;
  gboolean exists;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return check_path (path, input_path, &st, &exists, error);
}

gboolean
cs_safe_file_write_all (int         fd,
                        const char *data,
                        gsize       len)
{
  while (len > 0)
    {
      gssize n = write (fd, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      data += n;
      len -= (gsize) n;
    }
  return TRUE;
}

/* Writes the temporary file next to @path; returns its name, or NULL. */
static char *
write_temporary (const char         *path,
                 const char         *data,
                 gsize               len,
                 const struct stat  *replaced,
                 GError            **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *tmp = NULL;
  gboolean ok;
  int saved_errno;
  int fd;

  if (strlen (base) > MAX_BASE_BYTES)
    base[MAX_BASE_BYTES] = '\0';
  tmp = g_strdup_printf ("%s/.%s.XXXXXX", dir, base);
  fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, 0666);
  if (fd < 0)
    {
      set_errno_error (error, errno, path);
      return NULL;
    }

  ok = cs_safe_file_write_all (fd, data, len);
  if (ok && replaced != NULL)
    {
      ok = fchmod (fd, replaced->st_mode & 07777) == 0;
      /* root keeps the owner; anyone else cannot, and need not */
      if (ok && getuid () == 0 && fchown (fd, replaced->st_uid, replaced->st_gid) != 0)
        g_debug ("could not keep the owner of %s: %s", path, g_strerror (errno));
    }
  ok = ok && fsync (fd) == 0;
  saved_errno = errno;
  if (close (fd) != 0 && ok)
    {
      ok = FALSE;
      saved_errno = errno;
    }
  if (!ok)
    {
      g_unlink (tmp);
      set_errno_error (error, saved_errno, path);
      return NULL;
    }
  return g_steal_pointer (&tmp);
}

/* After the rename: the directory entry itself on disk. */
static void
sync_directory (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0)
    return;
  if (fsync (fd) != 0)
    g_debug ("could not sync %s: %s", dir, g_strerror (errno));
  close (fd);
}

static gboolean
write_file (const char    *path,
            const char    *data,
            gsize          len,
            const char    *input_path,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autofree char *tmp = NULL;
  struct stat st, now;
  gboolean exists, exists_now;

  if (!check_path (path, input_path, &st, &exists, error))
    return FALSE;

  tmp = write_temporary (path, data, len, exists ? &st : NULL, error);
  if (tmp == NULL)
    return FALSE;

  /* what is at the path may have changed while the file was written */
  if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
      !check_path (path, input_path, &now, &exists_now, error))
    {
      g_unlink (tmp);
      return FALSE;
    }
  if (exists_now != exists || (exists && (now.st_dev != st.st_dev || now.st_ino != st.st_ino)))
    {
      g_autofree char *display = g_filename_display_name (path);

      g_unlink (tmp);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _("%s changed while the result was written: it is not replaced"), display);
      return FALSE;
    }

  /* rename() replaces the directory entry: a symbolic link put there since
   * would be replaced, never followed */
  if (rename (tmp, path) != 0)
    {
      int saved_errno = errno;

      g_unlink (tmp);
      set_errno_error (error, saved_errno, path);
      return FALSE;
    }
  sync_directory (path);
  return TRUE;
}

gboolean
cs_safe_file_write (const char  *path,
                    const char  *data,
                    gsize        len,
                    const char  *input_path,
                    GError     **error)
{
  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return write_file (path, data != NULL ? data : "", len, input_path, NULL, error);
}

typedef struct {
  char   *path;
  GBytes *bytes;
  char   *input_path;
} WriteData;

static void
write_data_free (WriteData *wd)
{
  g_free (wd->path);
  g_bytes_unref (wd->bytes);
  g_free (wd->input_path);
  g_free (wd);
}

static void
write_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  WriteData *wd = task_data;
  GError *error = NULL;
  gsize len = 0;
  const char *data = g_bytes_get_data (wd->bytes, &len);

  if (write_file (wd->path, data != NULL ? data : "", len, wd->input_path, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
cs_safe_file_write_async (const char          *path,
                          GBytes              *bytes,
                          const char          *input_path,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  WriteData *wd;

  g_return_if_fail (bytes != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cs_safe_file_write_async);
  wd = g_new0 (WriteData, 1);
  wd->path = g_strdup (path);
  wd->bytes = g_bytes_ref (bytes);
  wd->input_path = g_strdup (input_path);
  g_task_set_task_data (task, wd, (GDestroyNotify) write_data_free);
  g_task_run_in_thread (task, write_thread);
}

gboolean
cs_safe_file_write_finish (GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cs_safe_file_write_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
