/* cs-safe-file.h: writing a file where a person asked for it, without
 * destroying what was there
 *
 * The one rule for every file written to a path a person chose (the CLI's
 * --output, the app's export):
 * - the path is new (its directory exists and is writable), or an existing
 *   regular file that is writable by its own permissions: a read-only file is
 *   not replaced, not even by root;
 * - a symbolic link, a directory, a device (/dev/null, /dev/full), a FIFO or a
 *   socket is never replaced nor written through;
 * - the input the result came from (@input_path, e.g. the problem file) is
 *   never the destination, whatever name or hard link points at it (same
 *   device and inode);
 * - the text goes to a temporary file in the same directory, is synced to
 *   disk, gets the replaced file's permissions, and is renamed over the path
 *   only when complete: a failed write leaves the old file whole. The rename
 *   replaces the path itself and never follows a final symbolic link.
 *
 * Errors are G_IO_ERROR (IS_DIRECTORY, NOT_REGULAR_FILE, PERMISSION_DENIED,
 * INVALID_ARGUMENT for the input file, NOT_FOUND for a missing directory, or
 * the system's error) with a translated message that names the path.
 *
 * The app's export calls cs_safe_file_write_async () with the file the
 * chooser returned (g_file_get_path ()) and NULL as @input_path.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Whether @path may be written under the rule above, without writing
 * anything: call it before work that costs money, so that a bad path fails
 * first. @input_path may be NULL. */
gboolean cs_safe_file_check_destination (const char           *path,
                                         const char           *input_path,
                                         GError              **error);

/* Checks @path again and writes @len bytes of @data to it (see above). */
gboolean cs_safe_file_write             (const char           *path,
                                         const char           *data,
                                         gsize                 len,
                                         const char           *input_path,
                                         GError              **error);

/* The same in a worker thread. */
void     cs_safe_file_write_async       (const char           *path,
                                         GBytes               *bytes,
                                         const char           *input_path,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
gboolean cs_safe_file_write_finish      (GAsyncResult         *result,
                                         GError              **error);

/* Writes all of @data to @fd, again after EINTR; FALSE (errno set) when a
 * write fails or writes nothing. */
gboolean cs_safe_file_write_all         (int                   fd,
                                         const char           *data,
                                         gsize                 len);

G_END_DECLS
