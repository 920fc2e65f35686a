/* cs-provider-client.c
 *
 * One SoupSession per provider. Requests go through a queue that enforces
 * max-concurrent, a requests-per-minute token bucket and holds announced by
 * the provider (cs-request-queue.c). Each request runs attempts until one
 * streams or fails for good (cs-provider-client-attempt.c); an attempt is
 * retried only before its first event. Every timer and every operation lives
 * on the thread-default main context of the caller; no threads.
 *
 * This file: the object, its public API and a request's life from
 * stream_async to its completion or cancellation.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-provider-client"

#include "config.h"

#include <string.h>

#include "cs-provider-client-private.h"
#include "cs-request-body.h"
#include "cs-request-queue.h"

G_DEFINE_FINAL_TYPE (CsProviderClient, cs_provider_client, G_TYPE_OBJECT)

/* Helpers shared by the cs-provider-client*.c files */

GSource *
_cs_client_attach_timeout (GMainContext   *context,
                           guint           ms,
                           GSourceFunc     func,
                           gpointer        data,
                           GDestroyNotify  notify)
{
  GSource *source = g_timeout_source_new (ms);

  g_source_set_callback (source, func, data, notify);
  g_source_set_static_name (source, "[cs-provider-client] timer");
  g_source_attach (source, context);
  return source;
}

void
_cs_client_clear_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

const char *
_cs_client_provider_name (CsProviderClient *self)
{
  if (self->provider->name != NULL && self->provider->name[0] != '\0')
    return self->provider->name;
  if (self->provider->id != NULL)
    return self->provider->id;
  return "the provider";
}

char *
_cs_client_join_url (const char *base,
                     const char *path)
{
  gsize len = strlen (base);

  while (len > 0 && base[len - 1] == '/')
    len--;

  return g_strdup_printf ("%.*s%s", (int) len, base, path);
}

gboolean
_cs_client_url_is_valid (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);

  return uri != NULL && g_uri_get_host (uri) != NULL && g_uri_get_host (uri)[0] != '\0' &&
         (g_strcmp0 (g_uri_get_scheme (uri), "http") == 0 ||
          g_strcmp0 (g_uri_get_scheme (uri), "https") == 0);
}

/* A provider on the internet gets no request without a key: it could only
 * answer 401, and the person needs to know what to set up instead. */
gboolean
_cs_client_missing_key (CsProviderClient *self)
{
  return self->api_key == NULL && !self->provider->key_optional;
}

/* The key over plain http, to the name localhost: the name is not enough,
 * the connection must really go to this computer. The request headers are
 * written only after the connection is complete. */
static void
check_peer_cb (SoupMessage        *msg,
               GSocketClientEvent  event,
               GIOStream          *connection,
               gpointer            data)
{
  g_autoptr(GSocketAddress) peer = NULL;

  if (event != G_SOCKET_CLIENT_CONNECTED || !G_IS_SOCKET_CONNECTION (connection))
    return;

  peer = g_socket_connection_get_remote_address (G_SOCKET_CONNECTION (connection), NULL);
  if (peer != NULL && G_IS_INET_SOCKET_ADDRESS (peer) &&
      g_inet_address_get_is_loopback (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (peer))))
    return;

  g_debug ("the connection for %s does not go to loopback: the key is not sent",
           g_uri_get_host (soup_message_get_uri (msg)));
  soup_message_headers_remove (soup_message_get_request_headers (msg), "Authorization");
}

gboolean
_cs_client_key_withheld (CsProviderClient *self)
{
  return self->api_key != NULL && !cs_provider_config_may_send_key (self->provider);
}

void
_cs_client_add_auth (CsProviderClient *self,
                     SoupMessage      *msg)
{
  g_autofree char *auth = NULL;

  if (self->api_key == NULL)
    return;
  if (_cs_client_key_withheld (self))
    {
      g_debug ("%s: plain http to a host that is not loopback: the key is not sent",
               _cs_client_provider_name (self));
      return;
    }

  auth = g_strdup_printf ("Bearer %s", self->api_key);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  if (!self->provider->allow_insecure_key &&
      g_strcmp0 (g_uri_get_scheme (soup_message_get_uri (msg)), "http") == 0)
    g_signal_connect (msg, "network-event", G_CALLBACK (check_peer_cb), NULL);
  memset (auth, 0, strlen (auth));
}

/* Requests */

static void
request_free (gpointer data)
{
  CsClientRequest *req = data;

  g_assert (req->cancelled_id == 0);
  _cs_client_clear_attempt (req);
  _cs_client_clear_source (&req->retry_timer);
  _cs_client_clear_source (&req->cancel_idle);
  g_clear_pointer (&req->scrub_streams, g_hash_table_unref);
  g_clear_pointer (&req->scrubber, cs_scrubber_free);
  g_clear_object (&req->cancellable);
  g_clear_pointer (&req->url, g_free);
  g_clear_pointer (&req->body, g_bytes_unref);
  g_free (req->log_model);
  g_free (req->log_run_id);
  g_free (req->log_candidates);
  g_free (req);
}

void
_cs_client_request_complete (GTask  *task,
                             GError *error)
{
  CsClientRequest *req = g_task_get_task_data (task);
  CsProviderClient *self = req->client;
  gint64 now = g_get_monotonic_time ();

  if (req->state == CS_REQUEST_DONE)
    {
      g_clear_error (&error);
      return;
    }

  if (req->state == CS_REQUEST_QUEUED)
    {
      _cs_request_queue_remove (task);
      req->stats.queued_ms += (now - req->queued_at) / 1000;
    }
  req->state = CS_REQUEST_DONE;
  _cs_client_log_attempt (req, 0, error, -1);

  /* the end of the text held back, before the caller hears of the end */
  _cs_client_flush_scrubbed (req);

  if (req->attempt_cancellable != NULL)
    g_cancellable_cancel (req->attempt_cancellable);
  _cs_client_clear_attempt (req);
  _cs_client_clear_source (&req->retry_timer);
  _cs_client_clear_source (&req->cancel_idle);
  g_cancellable_disconnect (req->cancellable, req->cancelled_id);
  req->cancelled_id = 0;
  _cs_request_queue_release_slot (req);

  if (req->first_sent_at > 0)
    req->stats.duration_ms = (now - req->first_sent_at) / 1000;

  if (error != NULL)
    {
      g_debug ("%s: request failed after %u attempt(s): %s",
               _cs_client_provider_name (self), req->stats.attempts, error->message);
      g_task_return_error (task, error);
    }
  else
    g_task_return_boolean (task, TRUE);
}

static gboolean
cancel_idle_cb (gpointer data)
{
  GTask *task = data;
  CsClientRequest *req = g_task_get_task_data (task);

  g_clear_pointer (&req->cancel_idle, g_source_unref);
  _cs_client_request_complete (task, _cs_client_cancelled_error ());
  return G_SOURCE_REMOVE;
}

/* May run inside g_cancellable_cancel (): never completes synchronously,
 * because g_cancellable_disconnect () must not run inside its handler. */
static void
on_user_cancelled (GCancellable *cancellable,
                   gpointer      data)
{
  GTask *task = data;
  CsClientRequest *req = g_task_get_task_data (task);
  GSource *source;

  if (req->state == CS_REQUEST_DONE || req->user_cancelled)
    return;

  req->user_cancelled = TRUE;
  if (req->attempt_cancellable != NULL)
    g_cancellable_cancel (req->attempt_cancellable);

  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_HIGH);
  g_source_set_callback (source, cancel_idle_cb, g_object_ref (task), g_object_unref);
  g_source_set_static_name (source, "[cs-provider-client] cancel");
  g_source_attach (source, req->client->context);
  req->cancel_idle = source;
}

/* GObject */

static void
cs_provider_client_dispose (GObject *object)
{
  CsProviderClient *self = (CsProviderClient *) object;

  /* Queued tasks hold a reference on us, so nothing is pending here. */
  _cs_request_queue_dispose (self);
  if (self->session != NULL)
    soup_session_abort (self->session);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (cs_provider_client_parent_class)->dispose (object);
}

static void
cs_provider_client_finalize (GObject *object)
{
  CsProviderClient *self = (CsProviderClient *) object;

  g_clear_pointer (&self->provider, cs_provider_config_free);
  if (self->api_key != NULL)
    {
      memset (self->api_key, 0, strlen (self->api_key));
      g_clear_pointer (&self->api_key, g_free);
    }
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (cs_provider_client_parent_class)->finalize (object);
}

static void
cs_provider_client_class_init (CsProviderClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cs_provider_client_dispose;
  object_class->finalize = cs_provider_client_finalize;
}

static void
cs_provider_client_init (CsProviderClient *self)
{
  g_queue_init (&self->pending);
}

/* Public API */

CsProviderClient *
cs_provider_client_new (const CsProviderConfig *provider)
{
  CsProviderClient *self;
  guint conns;
  guint timeout;

  g_return_val_if_fail (provider != NULL, NULL);
  g_return_val_if_fail (provider->base_url != NULL, NULL);

  self = g_object_new (CS_TYPE_PROVIDER_CLIENT, NULL);
  self->provider = cs_provider_config_copy (provider);
  self->context = g_main_context_ref_thread_default ();
  _cs_request_queue_init (self);

  /* Our own timers enforce the limits precisely; the session's socket
   * timeout is only a backstop above all of them (0: none). */
  timeout = MAX (provider->connect_timeout_s,
                 MAX (provider->first_byte_timeout_s, provider->idle_timeout_s));
  if (provider->first_byte_timeout_s == 0 || provider->idle_timeout_s == 0)
    timeout = 0;
  else
    timeout += 5;
  conns = MAX (_cs_request_queue_max_concurrent (self) + 2, 4);

  self->session = soup_session_new_with_options ("timeout", timeout,
                                                 "idle-timeout", 60,
                                                 "max-conns", MAX (conns, 10),
                                                 "max-conns-per-host", conns,
                                                 "user-agent", "Consilium/" PACKAGE_VERSION,
                                                 NULL);

  return self;
}

const CsProviderConfig *
cs_provider_client_get_provider (CsProviderClient *self)
{
  g_return_val_if_fail (CS_IS_PROVIDER_CLIENT (self), NULL);

  return self->provider;
}

void
cs_provider_client_set_api_key (CsProviderClient *self,
                                const char       *api_key)
{
  g_return_if_fail (CS_IS_PROVIDER_CLIENT (self));

  if (self->api_key != NULL)
    memset (self->api_key, 0, strlen (self->api_key));
  g_free (self->api_key);
  self->api_key = (api_key != NULL && api_key[0] != '\0') ? g_strdup (api_key) : NULL;
}

void
cs_provider_client_stream_async (CsProviderClient    *self,
                                 const CsChatRequest *request,
                                 CsStreamEventFunc    on_event,
                                 gpointer             event_data,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  CsClientRequest *req;

  g_return_if_fail (CS_IS_PROVIDER_CLIENT (self));
  g_return_if_fail (request != NULL);
  g_return_if_fail (request->model != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cs_provider_client_stream_async);
  g_task_set_check_cancellable (task, FALSE);

  req = g_new0 (CsClientRequest, 1);
  req->client = self;
  req->task = task;
  req->dialect = self->provider->api;
  req->on_event = on_event;
  req->event_data = event_data;
  req->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  req->url = _cs_client_join_url (self->provider->base_url, cs_request_body_path (req->dialect));
  req->body = cs_request_body_build (req->dialect, request);
  req->log_model = g_strdup (request->model);
  req->log_run_id = g_strdup (request->run_id);
  req->log_candidates = g_strdup (request->candidates);
  req->stats.ttft_ms = -1;
  req->state = CS_REQUEST_QUEUED;
  if (self->api_key != NULL)
    {
      req->scrubber = cs_scrubber_new (self->api_key);
      req->scrub_streams = g_hash_table_new_full (NULL, NULL, NULL,
                                                  (GDestroyNotify) cs_scrub_stream_free);
    }
  g_task_set_task_data (task, req, request_free);

  if (!_cs_client_url_is_valid (req->url))
    {
      req->state = CS_REQUEST_DONE;
      g_task_return_new_error (task, CS_CLIENT_ERROR, CS_CLIENT_ERROR_CONNECT,
                               "The base URL of %s is not a valid http(s) URL.",
                               _cs_client_provider_name (self));
      return;
    }

  if (_cs_client_missing_key (self))
    {
      req->state = CS_REQUEST_DONE;
      g_task_return_error (task, _cs_client_missing_key_error (self));
      return;
    }

  if (g_cancellable_is_cancelled (cancellable))
    {
      req->state = CS_REQUEST_DONE;
      g_task_return_error (task, _cs_client_cancelled_error ());
      return;
    }

  if (cancellable != NULL)
    req->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (on_user_cancelled),
                                               task, NULL);

  _cs_request_queue_submit (task);
}

gboolean
cs_provider_client_stream_finish (CsProviderClient  *self,
                                  GAsyncResult      *result,
                                  CsChatStats       *stats,
                                  GError           **error)
{
  CsClientRequest *req;

  g_return_val_if_fail (CS_IS_PROVIDER_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cs_provider_client_stream_async, FALSE);

  req = g_task_get_task_data (G_TASK (result));
  if (stats != NULL)
    *stats = req->stats;

  return g_task_propagate_boolean (G_TASK (result), error);
}
