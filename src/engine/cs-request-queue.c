/* cs-request-queue.c: when a provider client's requests may start
 *
 * A token bucket for requests-per-minute (refilled continuously, holding
 * RPM_BURST_SECONDS of budget), a count of requests in flight against
 * max-concurrent, and a time before which nothing starts (set by
 * x-ratelimit-* headers and 429 retry hints). One timer, the pump, wakes
 * the queue when the next request may go. Every timer lives on the client's
 * main context.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-provider-client"

#include "config.h"

#include <math.h>

#include "cs-request-queue.h"
#include "cs-retry.h"

/* The bucket of the requests-per-minute limit holds this many seconds of
 * budget (at least one request): bursts are allowed, sustained rates are
 * not. */
#define RPM_BURST_SECONDS 6

static void pump (CsProviderClient *self);

/* Limits */

guint
_cs_request_queue_max_concurrent (CsProviderClient *self)
{
  return MAX (1, self->provider->max_concurrent);
}

static double
bucket_capacity (CsProviderClient *self)
{
  guint rpm = self->provider->requests_per_minute;

  return MAX (1.0, floor ((double) rpm * RPM_BURST_SECONDS / 60.0));
}

static void
refill_tokens (CsProviderClient *self,
               gint64            now)
{
  guint rpm = self->provider->requests_per_minute;

  if (rpm == 0)
    return;

  if (now > self->tokens_updated)
    {
      double gained = (double) (now - self->tokens_updated) * rpm / (60.0 * G_USEC_PER_SEC);

      self->tokens = MIN (bucket_capacity (self), self->tokens + gained);
      self->tokens_updated = now;
    }
}

/* The pump: starts queued requests while the limits allow */

static gboolean
pump_timeout_cb (gpointer data)
{
  CsProviderClient *self = data;

  g_clear_pointer (&self->pump_source, g_source_unref);
  self->pump_due = 0;
  pump (self);
  return G_SOURCE_REMOVE;
}

/* Runs pump() at monotonic time @due (µs), or sooner if already planned. */
static void
schedule_pump (CsProviderClient *self,
               gint64            due)
{
  gint64 now = g_get_monotonic_time ();
  gint64 delay_ms;

  if (self->pump_source != NULL && self->pump_due <= due)
    return;

  _cs_client_clear_source (&self->pump_source);
  delay_ms = due > now ? (due - now + 999) / 1000 : 0;
  self->pump_due = due;
  self->pump_source = _cs_client_attach_timeout (self->context, (guint) MIN (delay_ms, G_MAXUINT),
                                                 pump_timeout_cb, self, NULL);
}

static void
pump (CsProviderClient *self)
{
  guint max_in_flight = _cs_request_queue_max_concurrent (self);

  while (!g_queue_is_empty (&self->pending) && self->in_flight < max_in_flight)
    {
      gint64 now = g_get_monotonic_time ();
      gint64 wait_until = self->hold_until;
      g_autoptr(GTask) task = NULL;
      CsClientRequest *req;

      if (self->provider->requests_per_minute > 0)
        {
          refill_tokens (self, now);
          if (self->tokens < 1.0)
            {
              double missing = 1.0 - self->tokens;
              gint64 wait = (gint64) ceil (missing * 60.0 * G_USEC_PER_SEC /
                                           self->provider->requests_per_minute);

              wait_until = MAX (wait_until, now + wait);
            }
        }

      if (wait_until > now)
        {
          g_debug ("%s: holding %u queued request(s) for %" G_GINT64_FORMAT " ms",
                   _cs_client_provider_name (self), g_queue_get_length (&self->pending),
                   (wait_until - now) / 1000);
          schedule_pump (self, wait_until);
          return;
        }

      if (self->provider->requests_per_minute > 0)
        self->tokens -= 1.0;

      task = g_queue_pop_head (&self->pending);
      req = g_task_get_task_data (task);
      g_assert (req->state == CS_REQUEST_QUEUED);

      req->stats.queued_ms += (now - req->queued_at) / 1000;
      req->queued_at = 0;
      req->holds_slot = TRUE;
      self->in_flight++;
      _cs_client_start_attempt (task);
    }
}

static void
enqueue (GTask    *task,
         gboolean  at_head)
{
  CsClientRequest *req = g_task_get_task_data (task);

  req->state = CS_REQUEST_QUEUED;
  req->queued_at = g_get_monotonic_time ();
  if (at_head)
    g_queue_push_head (&req->client->pending, g_object_ref (task));
  else
    g_queue_push_tail (&req->client->pending, g_object_ref (task));
}

/* Slots and holds */

void
_cs_request_queue_release_slot (CsClientRequest *req)
{
  CsProviderClient *self = req->client;

  if (!req->holds_slot)
    return;

  req->holds_slot = FALSE;
  g_assert (self->in_flight > 0);
  self->in_flight--;
  if (!g_queue_is_empty (&self->pending))
    schedule_pump (self, 0);
}

static void
hold_queue (CsProviderClient *self,
            gint64            ms,
            const char       *why)
{
  gint64 until;

  if (ms <= 0)
    return;

  ms = MIN (ms, CS_RETRY_MAX_WAIT_MS);
  until = g_get_monotonic_time () + ms * 1000;
  if (until > self->hold_until)
    {
      g_debug ("%s: holding new requests for %" G_GINT64_FORMAT " ms (%s)",
               _cs_client_provider_name (self), ms, why);
      self->hold_until = until;
    }
}

void
_cs_request_queue_note_rate_limits (CsProviderClient *self,
                                    SoupMessage      *msg)
{
  CsRateLimits limits;

  if (!cs_retry_parse_rate_limits (soup_message_get_response_headers (msg), &limits))
    return;

  if (limits.remaining_requests == 0 && limits.reset_requests_ms > 0)
    hold_queue (self, limits.reset_requests_ms, "x-ratelimit-remaining-requests is 0");
  if (limits.remaining_tokens == 0 && limits.reset_tokens_ms > 0)
    hold_queue (self, limits.reset_tokens_ms, "x-ratelimit-remaining-tokens is 0");
}

/* Retries */

static gboolean
retry_timer_cb (gpointer data)
{
  GTask *task = data;
  CsClientRequest *req = g_task_get_task_data (task);

  g_clear_pointer (&req->retry_timer, g_source_unref);
  enqueue (task, TRUE);
  pump (req->client);
  return G_SOURCE_REMOVE;
}

void
_cs_request_queue_retry_or_fail (GTask      *task,
                                 guint       status,
                                 const char *provider_message,
                                 const char *type,
                                 const char *code,
                                 GError     *error)
{
  CsClientRequest *req = g_task_get_task_data (task);
  CsProviderClient *self = req->client;
  SoupMessageHeaders *headers = NULL;
  gint64 hint = -1;
  gint64 delay;
  gboolean retryable;

  if (req->msg != NULL && status != 0)
    headers = soup_message_get_response_headers (req->msg);

  retryable = cs_retry_is_retryable (status, type, code, headers);
  if (status != 0)
    hint = cs_retry_hint_from_headers (headers, g_get_real_time () / 1000);

  if (status == 429 && retryable && hint > 0 && hint <= CS_RETRY_MAX_WAIT_MS)
    hold_queue (self, hint, "429 with a retry hint");

  if (!retryable || req->stats.attempts > self->provider->max_retries)
    {
      if (error == NULL)
        error = _cs_client_http_error (self, req->stats.attempts, status,
                                       provider_message, type, code, 0);
      _cs_client_request_complete (task, error);
      return;
    }

  delay = cs_retry_delay_ms (req->stats.attempts, hint, g_random_double ());
  if (delay < 0)
    {
      g_clear_error (&error);
      error = _cs_client_http_error (self, req->stats.attempts, status,
                                     provider_message, type, code, hint);
      _cs_client_request_complete (task, error);
      return;
    }

  _cs_client_log_attempt (req, status, error, delay);
  g_debug ("%s: attempt %u failed (%s), retrying in %" G_GINT64_FORMAT " ms",
           _cs_client_provider_name (self), req->stats.attempts,
           error != NULL ? error->message : "HTTP error", delay);
  g_clear_error (&error);

  _cs_client_clear_attempt (req);
  _cs_request_queue_release_slot (req);
  req->state = CS_REQUEST_BACKOFF;
  req->retry_timer = _cs_client_attach_timeout (self->context, (guint) delay, retry_timer_cb,
                                                g_object_ref (task), g_object_unref);
}

/* The queue's life */

void
_cs_request_queue_init (CsProviderClient *self)
{
  self->tokens = bucket_capacity (self);
  self->tokens_updated = g_get_monotonic_time ();
}

void
_cs_request_queue_dispose (CsProviderClient *self)
{
  g_assert (g_queue_is_empty (&self->pending));
  _cs_client_clear_source (&self->pump_source);
}

void
_cs_request_queue_submit (GTask *task)
{
  CsClientRequest *req = g_task_get_task_data (task);

  enqueue (task, FALSE);
  pump (req->client);
}

void
_cs_request_queue_remove (GTask *task)
{
  CsClientRequest *req = g_task_get_task_data (task);
  GList *link = g_queue_find (&req->client->pending, task);

  if (link != NULL)
    {
      g_queue_delete_link (&req->client->pending, link);
      g_object_unref (task);
    }
}
