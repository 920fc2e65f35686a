/* cs-provider-client-private.h: what the cs-provider-client*.c files and
 * cs-request-queue.c share
 *
 * A request (CsClientRequest, the data of its GTask) waits in the queue,
 * then runs attempts until one streams or fails for good:
 * - cs-provider-client.c: the object, its public API, a request's life;
 * - cs-request-queue.c: when a request may start, and retrying one;
 * - cs-provider-client-attempt.c: one HTTP attempt, its timers, reading
 *   the stream or the error body;
 * - cs-provider-client-errors.c: the errors people read;
 * - cs-provider-client-models.c: listing the provider's models.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "cs-provider-client.h"
#include "cs-secret-scrub.h"

G_BEGIN_DECLS

/* Bodies are read in pieces of this size. */
#define CS_CLIENT_READ_CHUNK (64 * 1024)

struct _CsProviderClient
{
  GObject           parent_instance;

  CsProviderConfig *provider;
  char             *api_key;
  SoupSession      *session;
  GMainContext     *context;

  /* The queue (cs-request-queue.c) */
  GQueue            pending;        /* of GTask*, owned */
  guint             in_flight;
  GSource          *pump_source;
  gint64            pump_due;       /* monotonic µs of pump_source */

  double            tokens;         /* requests-per-minute bucket */
  gint64            tokens_updated; /* monotonic µs */
  gint64            hold_until;     /* monotonic µs: no new requests before */
};

typedef enum {
  CS_REQUEST_QUEUED,
  CS_REQUEST_RUNNING,
  CS_REQUEST_BACKOFF,
  CS_REQUEST_DONE,
} CsRequestState;

typedef enum {
  CS_TIMEOUT_NONE,
  CS_TIMEOUT_CONNECT,
  CS_TIMEOUT_FIRST_BYTE,
  CS_TIMEOUT_IDLE,
} CsTimeoutKind;

typedef struct {
  CsProviderClient  *client;          /* the task's source object */
  GTask             *task;            /* not a reference */
  CsRequestState     state;

  char              *url;
  GBytes            *body;
  CsApiDialect       dialect;
  CsStreamEventFunc  on_event;
  gpointer           event_data;

  GCancellable      *cancellable;     /* the caller's, may be NULL */
  gulong             cancelled_id;
  gboolean           user_cancelled;

  /* The current attempt */
  GCancellable      *attempt_cancellable;
  SoupMessage       *msg;
  GInputStream      *stream;
  CsStreamDecoder   *decoder;
  GByteArray        *error_body;
  guint64            bytes_read;
  gboolean           got_body_bytes;
  CsTimeoutKind      timed_out;
  GError            *stream_error;
  gboolean           stream_error_transient;  /* and before any event */
  GSource           *connect_timer;
  GSource           *first_byte_timer;
  GSource           *idle_timer;
  GSource           *retry_timer;
  GSource           *cancel_idle;
  gboolean           holds_slot;

  /* The key, removed from everything the provider sends (NULL without a
   * key), and the streamed text held back where it might begin one: a
   * CsScrubStream per choice and kind (text, reasoning, refusal). */
  CsScrubber        *scrubber;
  GHashTable        *scrub_streams;

  /* The request log (cs-provider-client-log.c) */
  char              *log_model;
  char              *log_run_id;
  char              *log_candidates;
  gint64             attempt_sent_at;     /* monotonic µs, 0 before the first attempt */
  gint64             attempt_sent_real;   /* real time µs */
  gint64             attempt_headers_at;  /* monotonic µs, 0 before the headers */
  gint64             attempt_input_tokens;
  gint64             attempt_output_tokens;
  gboolean           attempt_logged;

  gint64             queued_at;       /* monotonic µs, 0 when not queued */
  gint64             first_sent_at;   /* monotonic µs, 0 before the first send */
  CsChatStats        stats;
} CsClientRequest;

/* cs-provider-client.c */
GSource    *_cs_client_attach_timeout    (GMainContext     *context,
                                          guint             ms,
                                          GSourceFunc       func,
                                          gpointer          data,
                                          GDestroyNotify    notify);
void        _cs_client_clear_source      (GSource         **source);
const char *_cs_client_provider_name     (CsProviderClient *self);
char       *_cs_client_join_url          (const char       *base,
                                          const char       *path);
gboolean    _cs_client_url_is_valid      (const char       *url);
/* A provider on the internet gets no request without a key. */
gboolean    _cs_client_missing_key       (CsProviderClient *self);
/* The key as "Authorization: Bearer", when it may go to the base URL
 * (cs_provider_config_may_send_key ()): over plain http without
 * allow-insecure-key, only to a connection whose peer is loopback. */
void        _cs_client_add_auth          (CsProviderClient *self,
                                          SoupMessage      *msg);
/* TRUE if a key is set that the base URL does not get. */
gboolean    _cs_client_key_withheld      (CsProviderClient *self);
/* Completes the task once; @error NULL means success. Takes @error. */
void        _cs_client_request_complete  (GTask            *task,
                                          GError           *error);

/* cs-provider-client-attempt.c */
void        _cs_client_start_attempt     (GTask            *task);
/* Drops the current attempt: its message, stream, decoder and timers. */
void        _cs_client_clear_attempt     (CsClientRequest  *req);
/* Passes on the text held back by the key scrubbing, at the end. */
void        _cs_client_flush_scrubbed    (CsClientRequest  *req);

/* cs-provider-client-log.c */
/* A new attempt is sent. */
void        _cs_client_log_begin         (CsClientRequest  *req);
/* The current attempt ended: one line in the request log (once per
 * attempt). @status 0: taken from the message; @retry_delay_ms -1: none. */
void        _cs_client_log_attempt       (CsClientRequest  *req,
                                          guint             status,
                                          const GError     *error,
                                          gint64            retry_delay_ms);

/* cs-provider-client-errors.c */
char       *_cs_client_scrub_key         (CsProviderClient *self,
                                          const char       *text);
char       *_cs_client_quote_message     (CsProviderClient *self,
                                          const char       *message);
void        _cs_client_parse_error_body  (const char       *data,
                                          gsize             len,
                                          const char       *content_type,
                                          char            **message,
                                          char            **type,
                                          char            **code);
gboolean    _cs_client_is_transient_code (const char       *code);
GError     *_cs_client_http_error        (CsProviderClient *self,
                                          guint             attempts,
                                          guint             status,
                                          const char       *provider_message,
                                          const char       *type,
                                          const char       *code,
                                          gint64            refused_wait_ms);
GError     *_cs_client_connect_error     (CsProviderClient *self,
                                          const char       *url,
                                          guint             attempts,
                                          const GError     *error);
/* TRUE when a failed connection is not worth retrying: a server on this
 * computer or the local network refused it (nothing listens on that port;
 * waiting seconds between attempts only keeps the user waiting). */
gboolean    _cs_client_connect_fails_fast (const char     *url,
                                           const GError   *error);
GError     *_cs_client_timeout_error     (CsProviderClient *self,
                                          guint             attempts,
                                          CsTimeoutKind     kind);
GError     *_cs_client_missing_key_error (CsProviderClient *self);
GError     *_cs_client_cancelled_error   (void);

G_END_DECLS
