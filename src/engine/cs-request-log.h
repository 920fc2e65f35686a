/* cs-request-log.h: every HTTP attempt to a provider, one JSON line each
 *
 * The log is $XDG_STATE_HOME/consilium/requests.log, shared by the app,
 * the CLI and the local API. A line holds the time, provider, model,
 * dialect, run and candidate ids, attempt number, HTTP status, error kind
 * and message (the key redacted), retry delay, time to first byte,
 * duration, tokens and bytes; never a key. The prompt (the request's body)
 * only when the person turned that on (cs_request_log_set_log_prompts ():
 * `consilium-cli --log-prompts`, the app's preference), with the
 * provider's key scrubbed out and cut at CS_REQUEST_LOG_MAX_REQUEST_BYTES.
 * Lines are written in a worker thread, in order; past 4 MiB the file
 * becomes requests.log.1 (the one before is dropped).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "cs-types.h"

G_BEGIN_DECLS

#define CS_REQUEST_LOG_MAX_BYTES (4 * 1024 * 1024)
/* Of a request's body kept in its line when prompts are logged. */
#define CS_REQUEST_LOG_MAX_REQUEST_BYTES (16 * 1024)

typedef struct {
  gint64        time_us;        /* real time the attempt was sent */
  const char   *provider;
  const char   *model;          /* without the provider */
  CsApiDialect  dialect;
  const char   *run_id;         /* NULL outside a run */
  const char   *candidates;     /* "c1,c2", "judge", "ranking", or NULL */
  guint         attempt;        /* 1, 2, … */
  guint         status;         /* HTTP status, 0 when none came */
  const char   *error_kind;     /* NULL when it succeeded: "rate-limited", "server", … */
  const char   *error;          /* what went wrong, without the key */
  gint64        retry_delay_ms; /* before the next attempt, -1 for none */
  gint64        ttfb_ms;        /* to the response headers, -1 when none came */
  gint64        duration_ms;
  gint64        input_tokens;   /* -1 when unknown */
  gint64        output_tokens;
  guint64       bytes;          /* of the response body */
  const char   *request;        /* the request's body, scrubbed, when prompts are logged; else NULL */
  guint64       request_bytes;  /* its whole size (it is cut in the line past the limit) */
} CsRequestLogEntry;

/* Whether lines carry the request's body (the prompt): off unless turned
 * on, for the whole process. */
void       cs_request_log_set_log_prompts (gboolean            log_prompts);
gboolean   cs_request_log_get_log_prompts (void);

/* $XDG_STATE_HOME/consilium/requests.log */
char      *cs_request_log_get_path   (void);
/* Queues one line; never blocks on the disk. */
void       cs_request_log_append     (const CsRequestLogEntry *entry);
/* Waits (at most @timeout_ms) until the queued lines are written. */
void       cs_request_log_flush      (guint                    timeout_ms);

/* The entries (JsonObject, oldest first) of the rotated file and the
 * current one, those of @run_id only unless it is NULL; lines that are not
 * JSON objects are skipped. Blocking: for the CLI, or in a thread. */
GPtrArray *cs_request_log_read       (const char              *run_id,
                                      GError                 **error);
void       cs_request_log_read_async (const char              *run_id,
                                      GCancellable            *cancellable,
                                      GAsyncReadyCallback      callback,
                                      gpointer                 user_data);
GPtrArray *cs_request_log_read_finish (GAsyncResult           *result,
                                       GError                **error);

/* The entry failed (it has an error kind). */
gboolean   cs_request_log_entry_failed (JsonObject            *entry);
/* Sorts @entries in place: failed ones first, then by time. */
void       cs_request_log_sort_failed_first (GPtrArray        *entries);

G_END_DECLS
