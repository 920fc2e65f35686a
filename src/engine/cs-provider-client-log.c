/* cs-provider-client-log.c: a request's attempts into the request log
 * (cs-request-log.h): one line when an attempt ends, whether it streamed,
 * is retried or failed for good
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-provider-client"

#include "config.h"

#include "cs-provider-client-private.h"
#include "cs-request-log.h"

void
_cs_client_log_begin (CsClientRequest *req)
{
  req->attempt_sent_at = g_get_monotonic_time ();
  req->attempt_sent_real = g_get_real_time ();
  req->attempt_headers_at = 0;
  req->attempt_input_tokens = -1;
  req->attempt_output_tokens = -1;
  req->attempt_logged = FALSE;
}

static const char *
kind_of_error (const GError *error,
               guint         status)
{
  static const char * const client_kinds[] = {
    [CS_CLIENT_ERROR_CONNECT] = "connect",
    [CS_CLIENT_ERROR_TIMEOUT] = "timeout",
    [CS_CLIENT_ERROR_AUTH] = "auth",
    [CS_CLIENT_ERROR_NOT_FOUND] = "not-found",
    [CS_CLIENT_ERROR_BAD_REQUEST] = "bad-request",
    [CS_CLIENT_ERROR_RATE_LIMITED] = "rate-limited",
    [CS_CLIENT_ERROR_QUOTA] = "quota",
    [CS_CLIENT_ERROR_SERVER] = "server",
    [CS_CLIENT_ERROR_STREAM] = "stream",
    [CS_CLIENT_ERROR_TRUNCATED] = "truncated",
    [CS_CLIENT_ERROR_TOO_LARGE] = "too-large",
    [CS_CLIENT_ERROR_PROTOCOL] = "protocol",
  };

  if (error != NULL && error->domain == CS_CLIENT_ERROR &&
      error->code >= 0 && error->code < (int) G_N_ELEMENTS (client_kinds))
    return client_kinds[error->code];
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return "cancelled";
  if (status == 429)
    return "rate-limited";
  if (status == 401 || status == 403)
    return "auth";
  if (status == 404)
    return "not-found";
  if (status >= 500)
    return "server";
  if (status >= 400)
    return "bad-request";
  return error != NULL ? "other" : NULL;
}

void
_cs_client_log_attempt (CsClientRequest *req,
                        guint            status,
                        const GError    *error,
                        gint64           retry_delay_ms)
{
  const CsProviderConfig *provider = req->client->provider;
  g_autofree char *message = NULL;
  g_autofree char *request = NULL;
  CsRequestLogEntry entry = { 0 };
  gint64 now = g_get_monotonic_time ();

  if (req->attempt_sent_at == 0 || req->attempt_logged)
    return;
  req->attempt_logged = TRUE;

  if (status == 0 && req->msg != NULL)
    status = soup_message_get_status (req->msg);
  if (status < 100)
    status = 0;   /* libsoup's transport states are not HTTP statuses */

  entry.time_us = req->attempt_sent_real;
  entry.provider = provider->id;
  entry.model = req->log_model;
  entry.dialect = req->dialect;
  entry.run_id = req->log_run_id;
  entry.candidates = req->log_candidates;
  entry.attempt = req->stats.attempts;
  entry.status = status;
  entry.error_kind = (error != NULL || (status != 0 && !SOUP_STATUS_IS_SUCCESSFUL (status)))
                     ? kind_of_error (error, status) : NULL;
  if (error != NULL)
    message = _cs_client_scrub_key (req->client, error->message);
  entry.error = message;
  entry.retry_delay_ms = retry_delay_ms;
  entry.ttfb_ms = req->attempt_headers_at > 0 ? (req->attempt_headers_at - req->attempt_sent_at) / 1000 : -1;
  entry.duration_ms = (now - req->attempt_sent_at) / 1000;
  entry.input_tokens = req->attempt_input_tokens;
  entry.output_tokens = req->attempt_output_tokens;
  entry.bytes = req->error_body != NULL ? req->error_body->len : req->bytes_read;
  if (cs_request_log_get_log_prompts () && req->body != NULL)
    {
      gsize len = 0;
      const char *data = g_bytes_get_data (req->body, &len);
      g_autofree char *text = g_utf8_make_valid (data != NULL ? data : "", len);

      /* the key out before the line cuts it: no half key is left */
      request = _cs_client_scrub_key (req->client, text);
      entry.request = request;
      entry.request_bytes = len;
    }
  cs_request_log_append (&entry);
}
