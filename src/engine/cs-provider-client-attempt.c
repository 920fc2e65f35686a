/* cs-provider-client-attempt.c: one HTTP attempt of a streamed request
 *
 * Sends the POST, watches the connect, first-byte and idle timeouts, reads
 * the stream through a CsStreamDecoder (or, after an HTTP error, the error
 * body), and decides what a failure means: a retry before the first event
 * (cs-request-queue.c), or the end of the request.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-provider-client"

#include "config.h"

#include <string.h>

#include "cs-provider-client-private.h"
#include "cs-request-queue.h"
#include "cs-retry.h"

/* Bodies of error replies are read up to this size. */
#define MAX_ERROR_BODY (64 * 1024)

static void read_next (GTask *task);

void
_cs_client_clear_attempt (CsClientRequest *req)
{
  _cs_client_clear_source (&req->connect_timer);
  _cs_client_clear_source (&req->first_byte_timer);
  _cs_client_clear_source (&req->idle_timer);
  if (req->msg != NULL)
    g_signal_handlers_disconnect_by_data (req->msg, req);
  g_clear_object (&req->msg);
  if (req->stream != NULL)
    {
      /* Closing lets libsoup put a fully read connection back in its pool
       * (and drops one that was not read to the end). */
      g_input_stream_close_async (req->stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
      g_clear_object (&req->stream);
    }
  g_clear_pointer (&req->decoder, cs_stream_decoder_free);
  g_clear_pointer (&req->error_body, g_byte_array_unref);
  g_clear_error (&req->stream_error);
  req->stream_error_transient = FALSE;
  g_clear_object (&req->attempt_cancellable);
  req->bytes_read = 0;
  req->got_body_bytes = FALSE;
  req->timed_out = CS_TIMEOUT_NONE;
}

/* Called by the operations' callbacks on error: decides what it means. */
static void
attempt_io_failed (GTask  *task,
                   GError *error)
{
  CsClientRequest *req = g_task_get_task_data (task);

  if (req->user_cancelled)
    {
      g_error_free (error);
      _cs_client_request_complete (task, _cs_client_cancelled_error ());
      return;
    }

  if (req->timed_out != CS_TIMEOUT_NONE ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    {
      CsTimeoutKind kind = req->timed_out;
      GError *timeout;

      g_error_free (error);
      if (kind == CS_TIMEOUT_NONE)
        kind = req->got_body_bytes ? CS_TIMEOUT_IDLE : CS_TIMEOUT_FIRST_BYTE;
      timeout = _cs_client_timeout_error (req->client, req->stats.attempts, kind);
      /* Only a slow connect is worth another try: a model that does not
       * answer in minutes will not answer faster the second time. */
      if (kind == CS_TIMEOUT_CONNECT)
        _cs_request_queue_retry_or_fail (task, 0, NULL, NULL, NULL, timeout);
      else
        _cs_client_request_complete (task, timeout);
      return;
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* Not ours and not the caller's: the client is going away. */
      _cs_client_request_complete (task, error);
      return;
    }

  if (req->stats.streamed)
    {
      g_autofree char *message = _cs_client_scrub_key (req->client, error->message);

      g_error_free (error);
      _cs_client_request_complete (task, g_error_new (CS_CLIENT_ERROR, CS_CLIENT_ERROR_TRUNCATED,
                                                      "The connection to %s broke in the middle of the reply: %s",
                                                      _cs_client_provider_name (req->client), message));
      return;
    }

  {
    GError *mapped = _cs_client_connect_error (req->client, req->url,
                                               req->stats.attempts, error);
    /* a local server that refuses is not running: no retry ladder */
    gboolean fast = _cs_client_connect_fails_fast (req->url, error);

    g_error_free (error);
    if (fast)
      _cs_client_request_complete (task, mapped);
    else
      _cs_request_queue_retry_or_fail (task, 0, NULL, NULL, NULL, mapped);
  }
}

/* Timers */

static gboolean
timeout_cb (CsClientRequest *req,
            CsTimeoutKind    kind)
{
  g_debug ("%s: timeout (%d)", _cs_client_provider_name (req->client), kind);
  req->timed_out = kind;
  if (req->attempt_cancellable != NULL)
    g_cancellable_cancel (req->attempt_cancellable);
  return G_SOURCE_REMOVE;
}

static gboolean
connect_timeout_cb (gpointer data)
{
  CsClientRequest *req = data;

  g_clear_pointer (&req->connect_timer, g_source_unref);
  return timeout_cb (req, CS_TIMEOUT_CONNECT);
}

static gboolean
first_byte_timeout_cb (gpointer data)
{
  CsClientRequest *req = data;

  g_clear_pointer (&req->first_byte_timer, g_source_unref);
  return timeout_cb (req, CS_TIMEOUT_FIRST_BYTE);
}

static gboolean
idle_timeout_cb (gpointer data)
{
  CsClientRequest *req = data;

  g_clear_pointer (&req->idle_timer, g_source_unref);
  return timeout_cb (req, CS_TIMEOUT_IDLE);
}

static void
restart_idle_timer (CsClientRequest *req)
{
  guint s = req->client->provider->idle_timeout_s;

  _cs_client_clear_source (&req->idle_timer);
  if (s > 0)
    req->idle_timer = _cs_client_attach_timeout (req->client->context, s * 1000,
                                                 idle_timeout_cb, req, NULL);
}

static void
on_connected (CsClientRequest *req)
{
  _cs_client_clear_source (&req->connect_timer);
}

static void
on_network_event (SoupMessage        *msg,
                  GSocketClientEvent  event,
                  GIOStream          *connection,
                  gpointer            data)
{
  if (event == G_SOCKET_CLIENT_COMPLETE)
    on_connected (data);
}

static void
on_wrote_headers (SoupMessage *msg,
                  gpointer     data)
{
  on_connected (data);
}

/* Events from the decoder */

static gboolean
is_delta (CsStreamEventType type)
{
  return type == CS_STREAM_EVENT_TEXT || type == CS_STREAM_EVENT_REASONING ||
         type == CS_STREAM_EVENT_REFUSAL;
}

static gpointer
stream_key (guint             choice,
            CsStreamEventType type)
{
  return GUINT_TO_POINTER (choice * 4 + (guint) type + 1);
}

/* A delta event with @text instead of its own. */
static void
deliver_delta (CsClientRequest   *req,
               guint              choice,
               CsStreamEventType  type,
               const char        *text)
{
  CsStreamEvent copy = { 0 };

  if (text == NULL || *text == '\0' || req->on_event == NULL)
    return;
  copy.type = type;
  copy.choice = choice;
  copy.text = text;
  copy.len = strlen (text);
  copy.input_tokens = copy.output_tokens = copy.reasoning_tokens = -1;
  req->on_event (&copy, req->event_data);
}

/* Passes on what is held back for one choice and kind. */
static void
flush_one (CsClientRequest   *req,
           guint              choice,
           CsStreamEventType  type)
{
  gpointer key = stream_key (choice, type);
  CsScrubStream *stream = g_hash_table_lookup (req->scrub_streams, key);
  g_autofree char *rest = NULL;

  if (stream == NULL)
    return;
  rest = cs_scrub_stream_flush (stream);
  g_hash_table_remove (req->scrub_streams, key);
  deliver_delta (req, choice, type, rest);
}

/* Passes on what is held back for @choice, reasoning first, except for
 * the kind @keep (G_MAXUINT: none kept). */
static void
flush_choice (CsClientRequest *req,
              guint            choice,
              guint            keep)
{
  static const CsStreamEventType order[] = {
    CS_STREAM_EVENT_REASONING, CS_STREAM_EVENT_REFUSAL, CS_STREAM_EVENT_TEXT,
  };

  if (req->scrub_streams == NULL)
    return;
  for (guint t = 0; t < G_N_ELEMENTS (order); t++)
    if ((guint) order[t] != keep)
      flush_one (req, choice, order[t]);
}

static gint
compare_keys (gconstpointer a,
              gconstpointer b)
{
  guint ka = GPOINTER_TO_UINT (a);
  guint kb = GPOINTER_TO_UINT (b);

  return ka < kb ? -1 : ka > kb;
}

void
_cs_client_flush_scrubbed (CsClientRequest *req)
{
  g_autoptr(GList) keys = NULL;

  if (req->scrub_streams == NULL || g_hash_table_size (req->scrub_streams) == 0)
    return;

  /* choice by choice, in order */
  keys = g_list_sort (g_hash_table_get_keys (req->scrub_streams), compare_keys);
  for (GList *l = keys; l != NULL; l = l->next)
    flush_choice (req, (GPOINTER_TO_UINT (l->data) - 1) / 4, G_MAXUINT);
}

/* A delta through its key scrubbing: what may begin the key at its end
 * waits for the next delta of the same choice and kind. */
static void
deliver_scrubbed (CsClientRequest     *req,
                  const CsStreamEvent *event)
{
  gpointer key = stream_key (event->choice, event->type);
  CsScrubStream *stream = g_hash_table_lookup (req->scrub_streams, key);
  g_autofree char *text = NULL;

  /* the other kinds of this choice are complete once this one starts */
  flush_choice (req, event->choice, (guint) event->type);
  if (stream == NULL)
    {
      stream = cs_scrub_stream_new (req->scrubber);
      g_hash_table_insert (req->scrub_streams, key, stream);
    }
  text = cs_scrub_stream_feed (stream, event->text, event->len);
  deliver_delta (req, event->choice, event->type, text);
}

/* Passes an event on, without the key in anything it says. */
static void
deliver (CsClientRequest     *req,
         const CsStreamEvent *event)
{
  if (req->scrubber != NULL && is_delta (event->type))
    {
      deliver_scrubbed (req, event);
      return;
    }
  if (event->type == CS_STREAM_EVENT_FINISH)
    flush_choice (req, event->choice, G_MAXUINT);
  else if (event->type == CS_STREAM_EVENT_DONE)
    _cs_client_flush_scrubbed (req);

  if (req->on_event == NULL)
    return;
  if (event->type == CS_STREAM_EVENT_ERROR)
    {
      g_autofree char *text = _cs_client_scrub_key (req->client, event->text);
      CsStreamEvent copy = *event;

      copy.text = text != NULL ? text : "";
      copy.len = strlen (copy.text);
      req->on_event (&copy, req->event_data);
      return;
    }
  req->on_event (event, req->event_data);
}

static void
on_decoder_event (const CsStreamEvent *event,
                  gpointer             data)
{
  CsClientRequest *req = data;

  if (req->state != CS_REQUEST_RUNNING || req->user_cancelled || req->stream_error != NULL)
    return;

  if (event->type == CS_STREAM_EVENT_ERROR &&
      g_strcmp0 (event->code, "malformed-chunk") == 0)
    {
      /* One unreadable chunk does not end the reply: if it carried text,
       * the reply's own validation will notice. The caller hears of it. */
      g_debug ("%s: skipping a malformed chunk", _cs_client_provider_name (req->client));
      deliver (req, event);
      return;
    }

  if (event->type == CS_STREAM_EVENT_ERROR)
    {
      g_autofree char *message = _cs_client_quote_message (req->client, event->text);

      req->stream_error_transient = !req->stats.streamed && _cs_client_is_transient_code (event->code);
      req->stream_error = g_error_new (CS_CLIENT_ERROR, CS_CLIENT_ERROR_STREAM,
                                       "%s reported an error in the stream: %s",
                                       _cs_client_provider_name (req->client),
                                       message != NULL ? message : "no message");
      /* The caller hears of it too, unless it is retried; the task then
       * fails with this error. */
      if (!req->stream_error_transient)
        deliver (req, event);
      return;
    }

  if (event->type == CS_STREAM_EVENT_USAGE)
    {
      req->attempt_input_tokens = event->input_tokens;
      req->attempt_output_tokens = event->output_tokens;
    }
  if (req->stats.ttft_ms < 0 &&
      (event->type == CS_STREAM_EVENT_TEXT ||
       event->type == CS_STREAM_EVENT_REASONING ||
       event->type == CS_STREAM_EVENT_REFUSAL) &&
      event->len > 0)
    req->stats.ttft_ms = (g_get_monotonic_time () - req->first_sent_at) / 1000;

  req->stats.streamed = TRUE;
  deliver (req, event);
}

/* Reading the stream */

static void
stream_failed (GTask *task)
{
  CsClientRequest *req = g_task_get_task_data (task);

  if (req->stream_error_transient && !req->stats.streamed)
    _cs_request_queue_retry_or_fail (task, 0, NULL, NULL, NULL, g_steal_pointer (&req->stream_error));
  else
    _cs_client_request_complete (task, g_steal_pointer (&req->stream_error));
}

static void
on_read (GObject      *object,
         GAsyncResult *result,
         gpointer      data)
{
  g_autoptr(GTask) task = data;
  CsClientRequest *req = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gsize len;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, &error);
  if (req->state != CS_REQUEST_RUNNING)
    return;

  if (bytes == NULL)
    {
      attempt_io_failed (task, g_steal_pointer (&error));
      return;
    }

  len = g_bytes_get_size (bytes);
  if (len == 0)
    {
      gboolean complete = cs_stream_decoder_finish (req->decoder);

      if (req->state != CS_REQUEST_RUNNING)
        return;
      if (req->user_cancelled)
        _cs_client_request_complete (task, _cs_client_cancelled_error ());
      else if (req->stream_error != NULL)
        stream_failed (task);
      else if (!complete)
        _cs_client_request_complete (task, g_error_new (CS_CLIENT_ERROR, CS_CLIENT_ERROR_TRUNCATED,
                                                        "The reply from %s stopped before it was complete: the "
                                                        "connection closed after %" G_GUINT64_FORMAT " bytes "
                                                        "without the end-of-reply marker.",
                                                        _cs_client_provider_name (req->client), req->bytes_read));
      else
        _cs_client_request_complete (task, NULL);
      return;
    }

  _cs_client_clear_source (&req->first_byte_timer);
  req->got_body_bytes = TRUE;

  if (req->bytes_read + len > req->client->provider->max_reply_bytes &&
      req->client->provider->max_reply_bytes > 0)
    {
      _cs_client_request_complete (task, g_error_new (CS_CLIENT_ERROR, CS_CLIENT_ERROR_TOO_LARGE,
                                                      "The reply from %s passed the limit of %"
                                                      G_GUINT64_FORMAT " bytes.",
                                                      _cs_client_provider_name (req->client),
                                                      req->client->provider->max_reply_bytes));
      return;
    }
  req->bytes_read += len;

  cs_stream_decoder_feed (req->decoder, g_bytes_get_data (bytes, NULL), len);

  if (req->state != CS_REQUEST_RUNNING)
    return;
  if (req->user_cancelled)
    {
      _cs_client_request_complete (task, _cs_client_cancelled_error ());
      return;
    }
  if (req->stream_error != NULL)
    {
      stream_failed (task);
      return;
    }

  restart_idle_timer (req);
  read_next (task);
}

static void
read_next (GTask *task)
{
  CsClientRequest *req = g_task_get_task_data (task);

  g_input_stream_read_bytes_async (req->stream, CS_CLIENT_READ_CHUNK, G_PRIORITY_DEFAULT,
                                   req->attempt_cancellable, on_read, g_object_ref (task));
}

/* Reading an error body */

static void
finish_error_body (GTask *task)
{
  CsClientRequest *req = g_task_get_task_data (task);
  g_autofree char *message = NULL;
  g_autofree char *type = NULL;
  g_autofree char *code = NULL;
  guint status = soup_message_get_status (req->msg);
  const char *content_type;

  content_type = soup_message_headers_get_content_type (soup_message_get_response_headers (req->msg), NULL);
  _cs_client_parse_error_body ((const char *) req->error_body->data, req->error_body->len,
                               content_type, &message, &type, &code);
  if (message == NULL && soup_message_get_reason_phrase (req->msg) != NULL &&
      soup_message_get_reason_phrase (req->msg)[0] != '\0')
    message = g_strdup (soup_message_get_reason_phrase (req->msg));

  g_debug ("%s: HTTP %u, type %s, code %s", _cs_client_provider_name (req->client), status,
           type != NULL ? type : "-", code != NULL ? code : "-");

  if (SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      /* JSON where a stream was expected */
      g_autofree char *quoted = _cs_client_quote_message (req->client, message);

      if (quoted != NULL && (type != NULL || code != NULL ||
                             (req->error_body->len > 0 &&
                              g_strstr_len ((const char *) req->error_body->data,
                                            req->error_body->len,
                                            "\"error\"") != NULL)))
        _cs_client_request_complete (task, g_error_new (CS_CLIENT_ERROR, CS_CLIENT_ERROR_STREAM,
                                                        "%s reported an error: %s",
                                                        _cs_client_provider_name (req->client), quoted));
      else
        _cs_client_request_complete (task, g_error_new (CS_CLIENT_ERROR, CS_CLIENT_ERROR_PROTOCOL,
                                                        "%s answered with a JSON document instead of a stream.",
                                                        _cs_client_provider_name (req->client)));
      return;
    }

  _cs_request_queue_retry_or_fail (task, status, message, type, code, NULL);
}

static void
on_error_body_read (GObject      *object,
                    GAsyncResult *result,
                    gpointer      data)
{
  g_autoptr(GTask) task = data;
  CsClientRequest *req = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gsize len;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, &error);
  if (req->state != CS_REQUEST_RUNNING)
    return;

  if (bytes == NULL)
    {
      /* A broken error body: the status alone will do, unless the caller
       * cancelled. */
      if (req->user_cancelled)
        _cs_client_request_complete (task, _cs_client_cancelled_error ());
      else
        finish_error_body (task);
      return;
    }

  len = g_bytes_get_size (bytes);
  if (len == 0 || req->error_body->len >= MAX_ERROR_BODY)
    {
      finish_error_body (task);
      return;
    }

  g_byte_array_append (req->error_body, g_bytes_get_data (bytes, NULL),
                       (guint) MIN (len, MAX_ERROR_BODY - req->error_body->len));
  restart_idle_timer (req);
  g_input_stream_read_bytes_async (req->stream, CS_CLIENT_READ_CHUNK, G_PRIORITY_DEFAULT,
                                   req->attempt_cancellable, on_error_body_read,
                                   g_object_ref (task));
}

/* Sending */

static gboolean
content_type_ok (CsApiDialect  dialect,
                 const char   *content_type)
{
  if (content_type == NULL)
    return TRUE;  /* some servers omit it: let the decoder judge */

  if (g_ascii_strcasecmp (content_type, "text/event-stream") == 0)
    return dialect != CS_API_OLLAMA;

  if (g_ascii_strcasecmp (content_type, "application/x-ndjson") == 0 ||
      g_ascii_strcasecmp (content_type, "application/json") == 0 ||
      g_ascii_strcasecmp (content_type, "application/jsonl") == 0)
    return dialect == CS_API_OLLAMA;

  return FALSE;
}

static void
on_sent (GObject      *object,
         GAsyncResult *result,
         gpointer      data)
{
  g_autoptr(GTask) task = data;
  CsClientRequest *req = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) stream = NULL;
  SoupMessageHeaders *headers;
  const char *content_type;
  guint status;

  stream = soup_session_send_finish (SOUP_SESSION (object), result, &error);
  if (req->state != CS_REQUEST_RUNNING)
    return;

  _cs_client_clear_source (&req->connect_timer);

  if (stream == NULL)
    {
      attempt_io_failed (task, g_steal_pointer (&error));
      return;
    }

  req->stream = g_steal_pointer (&stream);
  req->attempt_headers_at = g_get_monotonic_time ();
  status = soup_message_get_status (req->msg);
  req->stats.http_status = status;
  headers = soup_message_get_response_headers (req->msg);
  _cs_request_queue_note_rate_limits (req->client, req->msg);

  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      g_debug ("%s: HTTP %u for %s", _cs_client_provider_name (req->client), status, req->url);
      restart_idle_timer (req);
      req->error_body = g_byte_array_new ();
      g_input_stream_read_bytes_async (req->stream, CS_CLIENT_READ_CHUNK, G_PRIORITY_DEFAULT,
                                       req->attempt_cancellable, on_error_body_read,
                                       g_object_ref (task));
      return;
    }

  content_type = soup_message_headers_get_content_type (headers, NULL);
  if (!content_type_ok (req->dialect, content_type))
    {
      /* A 200 with a JSON error object (some proxies do that) still says
       * what went wrong; anything else is a protocol error. */
      if (content_type != NULL && g_ascii_strcasecmp (content_type, "application/json") == 0)
        {
          req->error_body = g_byte_array_new ();
          restart_idle_timer (req);
          g_input_stream_read_bytes_async (req->stream, CS_CLIENT_READ_CHUNK, G_PRIORITY_DEFAULT,
                                           req->attempt_cancellable, on_error_body_read,
                                           g_object_ref (task));
          return;
        }
      _cs_client_request_complete (task, g_error_new (CS_CLIENT_ERROR, CS_CLIENT_ERROR_PROTOCOL,
                                                      "%s answered with %s instead of a stream.",
                                                      _cs_client_provider_name (req->client), content_type));
      return;
    }

  req->decoder = cs_stream_decoder_new (req->dialect, on_decoder_event, req);
  read_next (task);
}

void
_cs_client_start_attempt (GTask *task)
{
  CsClientRequest *req = g_task_get_task_data (task);
  CsProviderClient *self = req->client;
  SoupMessageHeaders *headers;
  gint64 now = g_get_monotonic_time ();

  g_assert (req->msg == NULL);

  req->state = CS_REQUEST_RUNNING;
  req->stats.attempts++;
  if (req->first_sent_at == 0)
    req->first_sent_at = now;
  _cs_client_log_begin (req);

  req->msg = soup_message_new (SOUP_METHOD_POST, req->url);
  g_assert (req->msg != NULL);  /* checked in stream_async */
  /* No redirects: the key goes to the configured host only. POST is not
   * idempotent, so libsoup opens a fresh connection for each attempt and
   * never re-sends a request on a stale one (which could bill twice). */
  soup_message_add_flags (req->msg, SOUP_MESSAGE_NO_REDIRECT);
  soup_message_set_request_body_from_bytes (req->msg, "application/json", req->body);
  headers = soup_message_get_request_headers (req->msg);
  soup_message_headers_replace (headers, "Accept",
                                req->dialect == CS_API_OLLAMA ? "application/x-ndjson"
                                                              : "text/event-stream");
  _cs_client_add_auth (self, req->msg);

  g_signal_connect (req->msg, "network-event", G_CALLBACK (on_network_event), req);
  g_signal_connect (req->msg, "wrote-headers", G_CALLBACK (on_wrote_headers), req);

  req->attempt_cancellable = g_cancellable_new ();
  if (self->provider->connect_timeout_s > 0)
    req->connect_timer = _cs_client_attach_timeout (self->context,
                                                    self->provider->connect_timeout_s * 1000,
                                                    connect_timeout_cb, req, NULL);
  if (self->provider->first_byte_timeout_s > 0)
    req->first_byte_timer = _cs_client_attach_timeout (self->context,
                                                       self->provider->first_byte_timeout_s * 1000,
                                                       first_byte_timeout_cb, req, NULL);

  g_debug ("%s: attempt %u: POST %s", _cs_client_provider_name (self), req->stats.attempts, req->url);
  soup_session_send_async (self->session, req->msg, G_PRIORITY_DEFAULT,
                           req->attempt_cancellable, on_sent, g_object_ref (task));
}
