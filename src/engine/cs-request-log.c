/* cs-request-log.c: every HTTP attempt to a provider, one JSON line each
 *
 * The lines are made on the caller's thread and written by one worker
 * thread (a GThreadPool of one, so in order), opened with O_APPEND each
 * time: the app, the CLI and a server may share the file.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-request-log"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "cs-request-log.h"

/* a body of CS_REQUEST_LOG_MAX_REQUEST_BYTES may double when escaped */
#define MAX_LINE_BYTES (16 * 1024 + 3 * CS_REQUEST_LOG_MAX_REQUEST_BYTES)

static gint log_prompts;   /* atomic */
static GMutex lock;
static GCond written;
static GThreadPool *pool;
static guint pending;

void
cs_request_log_set_log_prompts (gboolean on)
{
  g_atomic_int_set (&log_prompts, !!on);
}

gboolean
cs_request_log_get_log_prompts (void)
{
  return g_atomic_int_get (&log_prompts);
}

char *
cs_request_log_get_path (void)
{
  return g_build_filename (g_get_user_state_dir (), "consilium", "requests.log", NULL);
}

static void
rotate_if_large (const char *path,
                 int         fd)
{
  struct stat st;
  g_autofree char *old = NULL;

  if (fstat (fd, &st) != 0 || st.st_size < CS_REQUEST_LOG_MAX_BYTES)
    return;
  old = g_strconcat (path, ".1", NULL);
  if (g_rename (path, old) != 0)
    g_debug ("Could not rotate %s: %s", path, g_strerror (errno));
}

static void
write_line (gpointer data,
            gpointer user_data)
{
  g_autofree char *line = data;
  g_autofree char *path = cs_request_log_get_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  gsize len = strlen (line);
  int fd;

  if (g_mkdir_with_parents (dir, 0700) == 0 &&
      (fd = g_open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) >= 0)
    {
      /* one write: lines of concurrent writers do not interleave */
      if (write (fd, line, len) != (ssize_t) len)
        g_debug ("Could not write to %s: %s", path, g_strerror (errno));
      rotate_if_large (path, fd);
      close (fd);
    }
  else
    g_debug ("Could not open %s: %s", path, g_strerror (errno));

  g_mutex_lock (&lock);
  pending--;
  g_cond_broadcast (&written);
  g_mutex_unlock (&lock);
}

static void
add_string (JsonBuilder *b,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (b, name);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
add_int (JsonBuilder *b,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (b, name);
  if (value >= 0)
    json_builder_add_int_value (b, value);
  else
    json_builder_add_null_value (b);
}

static char *
entry_line (const CsRequestLogEntry *e)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (e->time_us / G_USEC_PER_SEC);
  g_autofree char *date = time != NULL ? g_date_time_format (time, "%Y-%m-%dT%H:%M:%S") : NULL;
  g_autofree char *stamp = NULL;
  g_autofree char *error = NULL;
  g_autofree char *text = NULL;

  stamp = g_strdup_printf ("%s.%03dZ", date != NULL ? date : "?",
                           (int) (e->time_us % G_USEC_PER_SEC / 1000));
  /* a stray provider message is cut, so that one line stays small */
  if (e->error != NULL)
    error = g_utf8_make_valid (e->error, MIN (strlen (e->error), 2000));

  json_builder_begin_object (b);
  add_string (b, "time", stamp);
  add_string (b, "provider", e->provider);
  add_string (b, "model", e->model);
  add_string (b, "dialect", cs_api_dialect_to_string (e->dialect));
  add_string (b, "run", e->run_id);
  add_string (b, "candidates", e->candidates);
  add_int (b, "attempt", e->attempt);
  add_int (b, "status", e->status > 0 ? (gint64) e->status : -1);
  add_string (b, "error_kind", e->error_kind);
  add_string (b, "error", error);
  add_int (b, "retry_delay_ms", e->retry_delay_ms);
  add_int (b, "ttfb_ms", e->ttfb_ms);
  add_int (b, "duration_ms", e->duration_ms);
  add_int (b, "input_tokens", e->input_tokens);
  add_int (b, "output_tokens", e->output_tokens);
  add_int (b, "bytes", (gint64) MIN (e->bytes, (guint64) G_MAXINT64));
  if (e->request != NULL)
    {
      gsize len = strlen (e->request);
      const char *end = e->request + MIN (len, CS_REQUEST_LOG_MAX_REQUEST_BYTES);
      g_autofree char *cut = NULL;

      /* cut on a character's boundary */
      if (len > CS_REQUEST_LOG_MAX_REQUEST_BYTES)
        end = g_utf8_find_prev_char (e->request, end + 1);
      cut = g_utf8_make_valid (e->request, end - e->request);
      add_string (b, "request", cut);
      add_int (b, "request_bytes", (gint64) MIN (e->request_bytes, (guint64) G_MAXINT64));
      json_builder_set_member_name (b, "request_truncated");
      json_builder_add_boolean_value (b, (gsize) (end - e->request) < len);
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  text = json_generator_to_data (gen, NULL);
  return g_strconcat (text, "\n", NULL);
}

void
cs_request_log_append (const CsRequestLogEntry *entry)
{
  char *line;

  g_return_if_fail (entry != NULL);

  line = entry_line (entry);
  if (strlen (line) > MAX_LINE_BYTES)
    {
      g_free (line);
      return;
    }
  g_mutex_lock (&lock);
  if (pool == NULL)
    pool = g_thread_pool_new (write_line, NULL, 1, FALSE, NULL);
  pending++;
  g_mutex_unlock (&lock);
  g_thread_pool_push (pool, line, NULL);
}

void
cs_request_log_flush (guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  g_mutex_lock (&lock);
  while (pending > 0)
    if (!g_cond_wait_until (&written, &lock, deadline))
      break;
  g_mutex_unlock (&lock);
}

/* Reading */

static void
read_file (const char *path,
           const char *run_id,
           GPtrArray  *out)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return;
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonNode *root;
      JsonObject *o;

      if (lines[i][0] != '{' || strlen (lines[i]) > MAX_LINE_BYTES ||
          !json_parser_load_from_data (parser, lines[i], -1, NULL))
        continue;
      root = json_parser_get_root (parser);
      if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
        continue;
      o = json_node_get_object (root);
      if (run_id != NULL && g_strcmp0 (json_object_get_string_member_with_default (o, "run", NULL), run_id) != 0)
        continue;
      g_ptr_array_add (out, json_object_ref (o));
    }
}

GPtrArray *
cs_request_log_read (const char  *run_id,
                     GError     **error)
{
  g_autofree char *path = cs_request_log_get_path ();
  g_autofree char *old = g_strconcat (path, ".1", NULL);
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);

  read_file (old, run_id, out);
  read_file (path, run_id, out);
  return out;
}

static void
read_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  g_task_return_pointer (task, cs_request_log_read (task_data, NULL), (GDestroyNotify) g_ptr_array_unref);
}

void
cs_request_log_read_async (const char          *run_id,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, cs_request_log_read_async);
  g_task_set_task_data (task, g_strdup (run_id), g_free);
  g_task_run_in_thread (task, read_thread);
}

GPtrArray *
cs_request_log_read_finish (GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
cs_request_log_entry_failed (JsonObject *entry)
{
  JsonNode *kind = json_object_get_member (entry, "error_kind");

  return kind != NULL && JSON_NODE_HOLDS_VALUE (kind);
}

static gint
compare_failed_first (gconstpointer a,
                      gconstpointer b)
{
  JsonObject *x = *(JsonObject **) a, *y = *(JsonObject **) b;
  gboolean fx = cs_request_log_entry_failed (x), fy = cs_request_log_entry_failed (y);

  if (fx != fy)
    return fx ? -1 : 1;
  return g_strcmp0 (json_object_get_string_member_with_default (x, "time", ""),
                    json_object_get_string_member_with_default (y, "time", ""));
}

void
cs_request_log_sort_failed_first (GPtrArray *entries)
{
  /* stable: entries of the same millisecond keep their order */
  g_ptr_array_sort (entries, compare_failed_first);
}
