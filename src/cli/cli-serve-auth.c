/* cli-serve-auth.c: who may talk to consilium-cli --serve
 *
 * - The token: 32 random bytes in hex, written at start to
 *   $XDG_RUNTIME_DIR/consilium/api-token (directory 0700, file 0600) and
 *   removed at exit; or read from --token-file (a regular file only its
 *   owner can read). Every request needs "Authorization: Bearer TOKEN";
 *   without it, or with another, 401 and nothing else.
 * - The Host header must name the loopback address the server listens on
 *   (127.0.0.1, [::1], localhost) or the --listen address: a web page that
 *   rebinds its own DNS name to 127.0.0.1 sends its own name and is refused.
 * - A request with an Origin (a browser's) is refused unless --allow-origin
 *   names exactly that origin; then its responses carry the CORS headers
 *   and its preflights are answered.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "consilium-cli"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "cli-serve-private.h"

#define TOKEN_BYTES      32
#define MAX_TOKEN_FILE   4096

static char *
random_token (GError **error)
{
  guint8 bytes[TOKEN_BYTES];
  gsize got = 0;
  GString *hex;

  while (got < sizeof bytes)
    {
      ssize_t n = getrandom (bytes + got, sizeof bytes - got, 0);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                       "no random bytes for the token: %s", g_strerror (errno));
          return NULL;
        }
      got += (gsize) n;
    }
  hex = g_string_sized_new (2 * TOKEN_BYTES);
  for (gsize i = 0; i < sizeof bytes; i++)
    g_string_append_printf (hex, "%02x", bytes[i]);
  memset (bytes, 0, sizeof bytes);
  return g_string_free (hex, FALSE);
}

/* A new token in $XDG_RUNTIME_DIR/consilium/api-token, 0600, replacing
 * only a regular file. */
static gboolean
write_token (Serve   *serve,
             GError **error)
{
  g_autofree char *dir = g_build_filename (g_get_user_runtime_dir (), "consilium", NULL);
  g_autofree char *path = g_build_filename (dir, "api-token", NULL);
  g_autofree char *tmp = g_strconcat (path, ".new", NULL);
  gsize len;
  int fd;

  serve->token = random_token (error);
  if (serve->token == NULL)
    return FALSE;
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   "could not create %s: %s", dir, g_strerror (errno));
      return FALSE;
    }
  g_unlink (tmp);
  fd = open (tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  len = strlen (serve->token);
  if (fd < 0 || fchmod (fd, 0600) != 0 || write (fd, serve->token, len) != (ssize_t) len ||
      write (fd, "\n", 1) != 1 || fsync (fd) != 0)
    {
      int saved = errno;

      if (fd >= 0)
        close (fd);
      g_unlink (tmp);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "could not write the token to %s: %s", path, g_strerror (saved));
      return FALSE;
    }
  close (fd);
  if (g_rename (tmp, path) != 0)
    {
      int saved = errno;

      g_unlink (tmp);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "could not write the token to %s: %s", path, g_strerror (saved));
      return FALSE;
    }
  serve->token_path = g_steal_pointer (&path);
  serve->own_token_file = TRUE;
  return TRUE;
}

/* --token-file: a regular file that only its owner can read or write,
 * holding one line of at least 16 printable characters. */
static gboolean
read_token_file (Serve       *serve,
                 const char  *path,
                 GError     **error)
{
  g_autofree char *contents = NULL;
  struct stat st;
  gsize len = 0;
  int fd;

  fd = open (path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
  if (fd < 0 || fstat (fd, &st) != 0)
    {
      int saved = errno;

      if (fd >= 0)
        close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "--token-file: could not open %s: %s", path, g_strerror (saved));
      return FALSE;
    }
  close (fd);
  if (!S_ISREG (st.st_mode) || st.st_size > MAX_TOKEN_FILE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "--token-file: %s is not a small regular file", path);
      return FALSE;
    }
  if ((st.st_mode & 077) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   "--token-file: others may read %s (chmod 600 it)", path);
      return FALSE;
    }
  if (!g_file_get_contents (path, &contents, &len, error))
    return FALSE;
  g_strstrip (contents);
  for (const char *p = contents; *p != '\0'; p++)
    if (!g_ascii_isgraph (*p))
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                     "--token-file: the token must be one word of printable ASCII");
        return FALSE;
      }
  if (strlen (contents) < 16)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "--token-file: the token must be at least 16 characters long");
      return FALSE;
    }
  serve->token = g_steal_pointer (&contents);
  serve->token_path = g_strdup (path);
  return TRUE;
}

gboolean
serve_auth_setup (Serve   *serve,
                  GError **error)
{
  if (serve->options->token_file != NULL)
    return read_token_file (serve, serve->options->token_file, error);
  return write_token (serve, error);
}

void
serve_auth_cleanup (Serve *serve)
{
  if (serve->own_token_file && serve->token_path != NULL && serve->token != NULL)
    {
      g_autofree char *contents = NULL;

      /* only our own: another server started since may have replaced it */
      if (g_file_get_contents (serve->token_path, &contents, NULL, NULL) &&
          g_str_equal (g_strstrip (contents), serve->token))
        g_unlink (serve->token_path);
      if (contents != NULL)
        memset (contents, 0, strlen (contents));
    }
  if (serve->token != NULL)
    memset (serve->token, 0, strlen (serve->token));
  g_clear_pointer (&serve->token, g_free);
  g_clear_pointer (&serve->token_path, g_free);
}

GStrv
serve_auth_hosts (const char *listen)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_strv_builder_add_many (builder, "127.0.0.1", "localhost", "::1", NULL);
  if (listen != NULL)
    g_strv_builder_add (builder, listen);
  return g_strv_builder_end (builder);
}

/* The host of a Host header ("[::1]:8731" → "::1"), NULL when malformed. */
static char *
host_name (const char *header)
{
  const char *end;

  if (header == NULL || header[0] == '\0')
    return NULL;
  if (header[0] == '[')
    {
      end = strchr (header, ']');
      if (end == NULL || (end[1] != '\0' && end[1] != ':'))
        return NULL;
      return g_ascii_strdown (header + 1, end - header - 1);
    }
  end = strchr (header, ':');
  return g_ascii_strdown (header, end != NULL ? end - header : -1);
}

static gboolean
host_allowed (Serve      *serve,
              const char *header)
{
  g_autofree char *name = host_name (header);

  return name != NULL && g_strv_contains ((const char * const *) serve->hosts, name);
}

/* The same length and bytes, in a time that does not depend on where
 * they differ. */
static gboolean
token_equal (const char *given,
             const char *token)
{
  gsize a = strlen (given), b = strlen (token);
  guint8 diff = a != b;

  for (gsize i = 0; i < b; i++)
    diff |= (guint8) (token[i] ^ (i < a ? given[i] : 0));
  return diff == 0;
}

static gboolean
has_token (Serve             *serve,
           SoupServerMessage *msg)
{
  const char *auth = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                   "Authorization");

  if (auth == NULL || g_ascii_strncasecmp (auth, "Bearer ", 7) != 0)
    return FALSE;
  return token_equal (auth + 7, serve->token);
}

static void
add_cors (SoupServerMessage *msg,
          const char        *origin)
{
  SoupMessageHeaders *h = soup_server_message_get_response_headers (msg);

  soup_message_headers_replace (h, "Access-Control-Allow-Origin", origin);
  soup_message_headers_replace (h, "Vary", "Origin");
  soup_message_headers_replace (h, "Access-Control-Expose-Headers", "Location, Retry-After");
}

gboolean
serve_auth_check (Serve             *serve,
                  SoupServerMessage *msg)
{
  SoupMessageHeaders *h = soup_server_message_get_request_headers (msg);
  const char *origin = soup_message_headers_get_one (h, "Origin");
  const char *allowed = serve->options->allow_origin;

  if (!host_allowed (serve, soup_message_headers_get_one (h, "Host")))
    {
      serve_reply_error (msg, SOUP_STATUS_FORBIDDEN, "forbidden_host",
                         "The Host header does not name this server's address.");
      return FALSE;
    }
  if (origin != NULL)
    {
      if (allowed == NULL || !g_str_equal (origin, allowed))
        {
          serve_reply_error (msg, SOUP_STATUS_FORBIDDEN, "forbidden_origin",
                             "Requests from this origin are not allowed (see --allow-origin).");
          return FALSE;
        }
      add_cors (msg, origin);
      if (g_str_equal (soup_server_message_get_method (msg), "OPTIONS"))
        {
          SoupMessageHeaders *rh = soup_server_message_get_response_headers (msg);

          soup_message_headers_replace (rh, "Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS");
          soup_message_headers_replace (rh, "Access-Control-Allow-Headers",
                                        "Authorization, Content-Type, Last-Event-ID");
          soup_message_headers_replace (rh, "Access-Control-Max-Age", "600");
          soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
          return FALSE;
        }
    }
  if (!has_token (serve, msg))
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "WWW-Authenticate", "Bearer realm=\"consilium\"");
      serve_reply_error (msg, SOUP_STATUS_UNAUTHORIZED, "unauthorized",
                         "A valid bearer token is required (see the token file).");
      return FALSE;
    }
  return TRUE;
}
