/* cli-serve.c: consilium-cli --serve, the local HTTP API: listening on
 * loopback, the runs started here and their queue, SIGTERM
 *
 * Runs go through the same CsRunManager and CsRunStore as the app's, so
 * they are saved in $XDG_DATA_HOME/consilium/runs/ and appear in its
 * history. At most --max-runs run at once; up to --max-queued more wait
 * for a slot; beyond that a submission gets 429 with Retry-After.
 *
 * SIGTERM (or SIGINT): new requests get 503, queued runs are saved as
 * cancelled without being started, running ones are cancelled (each keeps
 * the candidates that had finished, and the text streamed so far), every
 * run is saved, streams get their "done" event, and the process exits 0.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "consilium-cli"

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <glib-unix.h>

#include "cli-serve-private.h"


static void
serve_run_free (gpointer data)
{
  ServeRun *srun = data;

  serve_events_free (srun->events);
  g_clear_object (&srun->follow_up);
  g_clear_object (&srun->follow_up_cancellable);
  g_clear_object (&srun->run);
  g_strfreev (srun->models);
  g_free (srun);
}

ServeRun *
serve_find_run (Serve      *serve,
                const char *id)
{
  return g_hash_table_lookup (serve->runs, id);
}

guint
serve_n_running (Serve *serve)
{
  return cs_run_manager_get_n_running (serve->manager) + serve->n_follow_ups;
}

/* How long a client should wait before submitting again: the mean run
 * time so far, between 1 and 60 s (10 s before any run ended). */
guint
serve_retry_after (Serve *serve)
{
  gint64 mean_s;

  if (serve->n_ended == 0)
    return 10;
  mean_s = serve->total_run_us / serve->n_ended / G_USEC_PER_SEC;
  return (guint) CLAMP (mean_s, 1, 60);
}

static void
start_run (Serve    *serve,
           ServeRun *srun)
{
  g_autoptr(GError) error = NULL;

  srun->started = TRUE;
  srun->started_us = g_get_monotonic_time ();
  cs_run_manager_set_quorum (serve->manager, srun->quorum);
  cs_run_manager_set_deadline (serve->manager, srun->deadline_s);
  if (!cs_run_manager_start (serve->manager, serve->config, srun->run,
                             (const char * const *) srun->models, &error))
    {
      /* validated at submission: only a changed configuration gets here */
      cs_run_set_state (srun->run, CS_RUN_FAILED);
      cs_run_set_message (srun->run, error->message);
      cs_run_store_watch (serve->store, srun->run);
      serve_events_end (srun, error->message);
      srun->ended = TRUE;
      return;
    }
  serve_events_attach (srun);
}

gboolean
serve_submit (Serve    *serve,
              CsRun    *run,
              GStrv     models,
              guint     quorum,
              guint     deadline_s,
              guint    *retry_after_s)
{
  ServeRun *srun;
  guint n_running = serve_n_running (serve);

  if (n_running >= serve->max_runs && serve->queued.length >= serve->max_queued)
    {
      *retry_after_s = serve_retry_after (serve);
      return FALSE;
    }

  srun = g_new0 (ServeRun, 1);
  srun->serve = serve;
  srun->run = g_object_ref (run);
  srun->models = g_strdupv (models);
  srun->quorum = quorum;
  srun->deadline_s = deadline_s;
  srun->events = serve_events_new ();
  g_hash_table_insert (serve->runs, g_strdup (cs_run_get_id (run)), srun);

  if (n_running < serve->max_runs)
    start_run (serve, srun);
  else
    g_queue_push_tail (&serve->queued, srun);
  return TRUE;
}

/* A queued run that never started: saved as cancelled, so that the
 * question is not lost. */
static void
drop_queued (Serve    *serve,
             ServeRun *srun)
{
  g_queue_remove (&serve->queued, srun);
  cs_run_set_state (srun->run, CS_RUN_CANCELLED);
  cs_run_set_message (srun->run, "Cancelled before it started.");
  cs_run_store_watch (serve->store, srun->run);
  cs_run_store_save (serve->store, srun->run);
  srun->ended = TRUE;
  serve_events_end (srun, NULL);
}

gboolean
serve_cancel (Serve    *serve,
              ServeRun *srun)
{
  if (srun->ended)
    return FALSE;
  if (srun->follow_up_cancellable != NULL)
    {
      g_cancellable_cancel (srun->follow_up_cancellable);
      return TRUE;
    }
  if (!srun->started)
    {
      drop_queued (serve, srun);
      return TRUE;
    }
  cs_run_manager_cancel (serve->manager, srun->run);
  return TRUE;
}

void
serve_start_next (Serve *serve)
{
  while (!serve->stopping && serve->queued.length > 0 &&
         serve_n_running (serve) < serve->max_runs)
    start_run (serve, g_queue_pop_head (&serve->queued));
}

static void
run_ended_cb (CsRunManager *manager,
              CsRun        *run,
              const char   *failure,
              gpointer      user_data)
{
  Serve *serve = user_data;
  ServeRun *srun = serve_find_run (serve, cs_run_get_id (run));

  if (srun == NULL || srun->ended)
    return;
  srun->ended = TRUE;
  serve->total_run_us += g_get_monotonic_time () - srun->started_us;
  serve->n_ended++;
  serve_events_end (srun, failure);
  serve_start_next (serve);
}

static void
save_failed_cb (CsRunManager *manager,
                CsRun        *run,
                const char   *message,
                gpointer      user_data)
{
  cli_print_err ("could not save run %s: %s", cs_run_get_id (run), message);
}

/* Every request: the checks, then the routes. */
static void
handler_cb (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  Serve *serve = user_data;

  if (!serve_auth_check (serve, msg))
    return;
  if (serve->stopping)
    {
      serve_reply_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "stopping",
                         "The server is shutting down.");
      return;
    }
  serve_routes_handle (serve, msg, path);
}

/* Before the body is read: a body that is too large is refused unread. */
static void
early_handler_cb (SoupServer        *server,
                  SoupServerMessage *msg,
                  const char        *path,
                  GHashTable        *query,
                  gpointer           user_data)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *method = soup_server_message_get_method (msg);
  goffset length;

  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CHUNKED)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection", "close");
      serve_reply_error (msg, SOUP_STATUS_LENGTH_REQUIRED, "length_required",
                         "Send the body with a Content-Length.");
      return;
    }
  length = soup_message_headers_get_content_length (headers);
  if (length > SERVE_MAX_BODY_BYTES)
    {
      g_autofree char *message = g_strdup_printf ("The body is larger than %d bytes.", SERVE_MAX_BODY_BYTES);

      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection", "close");
      serve_reply_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "body_too_large", message);
      return;
    }
  (void) method;
}

static gboolean
serve_listen (Serve   *serve,
        GError **error)
{
  const CliOptions *options = serve->options;
  guint port = options->port < 0 ? SERVE_DEFAULT_PORT : (guint) options->port;
  g_autoptr(GSList) listeners = NULL;

  if (options->listen != NULL)
    {
      g_autoptr(GInetAddress) address = g_inet_address_new_from_string (options->listen);
      g_autoptr(GSocketAddress) sa = NULL;

      if (address == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "--listen=%s is not an IP address", options->listen);
          return FALSE;
        }
      sa = g_inet_socket_address_new (address, port);
      if (!soup_server_listen (serve->server, sa, 0, error))
        return FALSE;
    }
  else if (!soup_server_listen_local (serve->server, port, 0, error))
    return FALSE;

  /* the port from a listening socket (soup_server_get_uris () leaks in
   * libsoup 3.2) */
  listeners = soup_server_get_listeners (serve->server);
  if (listeners != NULL)
    {
      g_autoptr(GSocketAddress) local = g_socket_get_local_address (listeners->data, NULL);

      if (G_IS_INET_SOCKET_ADDRESS (local))
        serve->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
    }
  if (serve->port == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "not listening");
      return FALSE;
    }
  return TRUE;
}

static void
print_start (Serve *serve)
{
  const char *host = serve->options->listen != NULL ? serve->options->listen : "127.0.0.1";
  gboolean v6 = strchr (host, ':') != NULL;

  printf ("Consilium API at http://%s%s%s:%u/v1/\n", v6 ? "[" : "", host, v6 ? "]" : "", serve->port);
  printf ("Token file: %s\n", serve->token_path);
  fflush (stdout);
}

static gboolean
stop_cb (gpointer user_data)
{
  Serve *serve = user_data;

  if (serve->stopping)
    return G_SOURCE_CONTINUE;
  serve->stopping = TRUE;
  g_main_loop_quit (serve->loop);
  return G_SOURCE_CONTINUE;
}

static gboolean
wake_up_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Stop accepting, save the queued runs as cancelled, cancel the running
 * ones and wait for their saves; the streams get their last events. */
static void
shutdown_runs (Serve *serve)
{
  GHashTableIter iter;
  gpointer value;

  gint64 deadline = g_get_monotonic_time () + SERVE_SHUTDOWN_MS * 1000;
  guint wake;

  while (serve->queued.length > 0)
    drop_queued (serve, g_queue_peek_head (&serve->queued));
  /* follow-up rounds end as cancelled, the previous result in place */
  serve_follow_ups_cancel (serve);
  wake = g_timeout_add (20, wake_up_cb, NULL);
  while (serve->n_follow_ups > 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);
  cs_run_manager_shutdown (serve->manager, SERVE_SHUTDOWN_MS);

  g_hash_table_iter_init (&iter, serve->runs);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      ServeRun *srun = value;

      if (!srun->ended)
        {
          srun->ended = TRUE;
          serve_events_end (srun, NULL);
        }
      serve_events_close_all (srun);
    }
  /* let the last events go out */
  for (guint i = 0; i < 50 && g_main_context_pending (NULL); i++)
    g_main_context_iteration (NULL, FALSE);
  cs_run_store_flush (serve->store);
}

static gboolean
check_options (const CliOptions *options)
{
  if (options->port < -1 || options->port > 65535)
    {
      cli_print_err ("--port must be between 0 and 65535");
      return FALSE;
    }
  if (options->max_runs < 0 || options->max_queued < -1)
    {
      cli_print_err ("--max-runs must be 1 or more, --max-queued 0 or more");
      return FALSE;
    }
  return TRUE;
}

static void
serve_clear (Serve *serve)
{
  if (serve->server != NULL)
    soup_server_disconnect (serve->server);
  g_clear_object (&serve->server);
  g_clear_pointer (&serve->runs, g_hash_table_unref);
  g_queue_clear (&serve->queued);
  g_clear_object (&serve->manager);
  g_clear_object (&serve->store);
  g_clear_pointer (&serve->loop, g_main_loop_unref);
  serve_auth_cleanup (serve);
  g_clear_pointer (&serve->hosts, g_strfreev);
}

int
cli_serve (const CliOptions *options,
           CsConfig         *config)
{
  g_autoptr(GError) error = NULL;
  Serve serve = { 0 };
  guint sigterm_id, sigint_id;

  if (!check_options (options))
    return EXIT_USAGE;

  serve.options = options;
  serve.config = config;
  serve.max_runs = options->max_runs > 0 ? (guint) options->max_runs : SERVE_DEFAULT_MAX_RUNS;
  serve.max_queued = options->max_queued >= 0 ? (guint) options->max_queued : SERVE_DEFAULT_MAX_QUEUED;
  serve.runs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, serve_run_free);
  g_queue_init (&serve.queued);
  serve.hosts = serve_auth_hosts (options->listen);
  serve.loop = g_main_loop_new (NULL, FALSE);

  serve.store = cs_run_store_new (NULL);
  if (!cs_run_store_load_sync (serve.store, &error))
    {
      cli_print_err ("could not read the saved runs: %s", error->message);
      g_clear_error (&error);
    }
  serve.manager = cs_run_manager_new (serve.store);
  g_signal_connect (serve.manager, "run-ended", G_CALLBACK (run_ended_cb), &serve);
  g_signal_connect (serve.manager, "save-failed", G_CALLBACK (save_failed_cb), &serve);

  serve.server = soup_server_new ("server-header", "consilium/" PACKAGE_VERSION, NULL);
  soup_server_add_early_handler (serve.server, NULL, early_handler_cb, &serve, NULL);
  soup_server_add_handler (serve.server, NULL, handler_cb, &serve, NULL);

  if (!serve_listen (&serve, &error) || !serve_auth_setup (&serve, &error))
    {
      cli_print_err ("%s", error->message);
      serve_clear (&serve);
      return EXIT_USAGE;
    }
  print_start (&serve);

  sigterm_id = g_unix_signal_add (SIGTERM, stop_cb, &serve);
  sigint_id = g_unix_signal_add (SIGINT, stop_cb, &serve);
  g_main_loop_run (serve.loop);

  if (!options->quiet)
    fprintf (stderr, "consilium-cli: stopping: saving the runs\n");
  shutdown_runs (&serve);
  g_source_remove (sigterm_id);
  g_source_remove (sigint_id);
  g_signal_handlers_disconnect_by_data (serve.manager, &serve);
  serve_clear (&serve);
  return EXIT_OK;
}
