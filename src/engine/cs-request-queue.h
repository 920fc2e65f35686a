/* cs-request-queue.h: when a provider client's requests may start
 *
 * Internal to the provider client (cs-provider-client-private.h). Requests
 * wait in a queue that enforces max-concurrent, a requests-per-minute token
 * bucket and holds announced by the provider (x-ratelimit-remaining-*: 0,
 * 429 with a retry hint). A failed attempt goes back to the head of the
 * queue after a backoff, or the request fails for good.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cs-provider-client-private.h"

G_BEGIN_DECLS

/* Fills the bucket: call once the provider is set. */
void   _cs_request_queue_init             (CsProviderClient *self);
/* The queue must be empty (queued tasks hold a reference on the client). */
void   _cs_request_queue_dispose          (CsProviderClient *self);
guint  _cs_request_queue_max_concurrent   (CsProviderClient *self);

/* Queues @task's request at the tail and starts whatever may start. */
void   _cs_request_queue_submit           (GTask            *task);
/* Takes a queued request out of the queue, because it completes. */
void   _cs_request_queue_remove           (GTask            *task);
/* A running request gives its slot back. */
void   _cs_request_queue_release_slot     (CsClientRequest  *req);
/* Holds new requests while x-ratelimit-remaining-* headers say 0. */
void   _cs_request_queue_note_rate_limits (CsProviderClient *self,
                                           SoupMessage      *msg);
/* An attempt failed before streaming. Retries it when allowed (consuming
 * @error) or completes the task with it (or with an error built from the
 * HTTP status when @error is NULL). @status 0: no HTTP reply. */
void   _cs_request_queue_retry_or_fail    (GTask            *task,
                                           guint             status,
                                           const char       *provider_message,
                                           const char       *type,
                                           const char       *code,
                                           GError           *error);

G_END_DECLS
