/* cs-provider-client.h: streaming chat requests to one provider
 *
 * One CsProviderClient per configured provider. It owns the SoupSession,
 * queues requests to respect max-concurrent and requests-per-minute, reads
 * x-ratelimit-* headers, retries with backoff before any byte was streamed,
 * and enforces connect / first-byte / idle timeouts and the reply size limit.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "cs-types.h"
#include "cs-config.h"
#include "cs-request-body.h"
#include "cs-stream-decoder.h"

G_BEGIN_DECLS

#define CS_CLIENT_ERROR (cs_client_error_quark ())
typedef enum {
  CS_CLIENT_ERROR_CONNECT,       /* refused, DNS, TLS: the message says which */
  CS_CLIENT_ERROR_TIMEOUT,       /* connect, first byte or idle timeout */
  CS_CLIENT_ERROR_AUTH,          /* 401, 403, or no key */
  CS_CLIENT_ERROR_NOT_FOUND,     /* 404: unknown model or wrong base URL */
  CS_CLIENT_ERROR_BAD_REQUEST,   /* 400, 422 */
  CS_CLIENT_ERROR_RATE_LIMITED,  /* 429 after the retries, or a wait too long */
  CS_CLIENT_ERROR_QUOTA,         /* insufficient_quota: never retried */
  CS_CLIENT_ERROR_SERVER,        /* 5xx after the retries */
  CS_CLIENT_ERROR_STREAM,        /* an error object inside the stream */
  CS_CLIENT_ERROR_TRUNCATED,     /* the stream ended without its terminator */
  CS_CLIENT_ERROR_TOO_LARGE,     /* the reply passed max-reply-bytes */
  CS_CLIENT_ERROR_PROTOCOL,      /* not SSE/JSON where it should be */
} CsClientError;

GQuark cs_client_error_quark (void);

/* What happened, filled in by _finish whether it succeeded or not. */
typedef struct {
  guint   attempts;          /* HTTP attempts made (1 + retries) */
  gint64  queued_ms;         /* time spent waiting for a slot */
  gint64  ttft_ms;           /* from sending to the first content/reasoning byte, -1 if none */
  gint64  duration_ms;       /* from sending to the end */
  guint   http_status;       /* of the last attempt, 0 if none */
  gboolean streamed;         /* some event was delivered */
} CsChatStats;

#define CS_TYPE_PROVIDER_CLIENT (cs_provider_client_get_type ())
G_DECLARE_FINAL_TYPE (CsProviderClient, cs_provider_client, CS, PROVIDER_CLIENT, GObject)

CsProviderClient *cs_provider_client_new        (const CsProviderConfig *provider);
const CsProviderConfig *cs_provider_client_get_provider (CsProviderClient *self);
/* The key (NULL for none). Sent only to this provider's base URL host. */
void              cs_provider_client_set_api_key (CsProviderClient *self,
                                                  const char       *api_key);

/* Streams one request. @on_event is called on the main context for every
 * event (choice-indexed) as it arrives; it is never called after the task
 * completes. Retries happen only before the first event. Cancelling
 * @cancellable aborts the HTTP request at once (G_IO_ERROR_CANCELLED). */
void              cs_provider_client_stream_async  (CsProviderClient    *self,
                                                    const CsChatRequest *request,
                                                    CsStreamEventFunc    on_event,
                                                    gpointer             event_data,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
gboolean          cs_provider_client_stream_finish (CsProviderClient    *self,
                                                    GAsyncResult        *result,
                                                    CsChatStats         *stats,
                                                    GError             **error);

/* Lists the provider's models (GET /models or /api/tags). */
void              cs_provider_client_list_models_async  (CsProviderClient   *self,
                                                         GCancellable       *cancellable,
                                                         GAsyncReadyCallback callback,
                                                         gpointer            user_data);
GStrv             cs_provider_client_list_models_finish (CsProviderClient   *self,
                                                         GAsyncResult       *result,
                                                         GError            **error);

G_END_DECLS
