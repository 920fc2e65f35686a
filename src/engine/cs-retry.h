/* cs-retry.h: retry and rate-limit decisions (pure functions, no I/O)
 *
 * What to do after a failed HTTP attempt: whether to retry at all, how long
 * to wait (the server's hint or exponential backoff with full jitter), and
 * what the x-ratelimit-* headers say about the provider's budget.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <libsoup/soup.h>

#include "cs-types.h"

G_BEGIN_DECLS

/* Backoff without a server hint: attempt 1 waits up to 0.5 s, doubling per
 * attempt up to 8 s ("full jitter": a uniformly random part of that). */
#define CS_RETRY_BASE_DELAY_MS 500
#define CS_RETRY_MAX_DELAY_MS  8000
/* A server that asks us to wait longer than this is not waited for: the
 * request fails at once (RATE_LIMITED) instead of hanging a run for minutes. */
#define CS_RETRY_MAX_WAIT_MS   (60 * 1000)

/* Parses a Go-style duration ("20ms", "1s", "6m0s", "1h2m3s", "0.5s",
 * "1.5m", "250us", "0") into milliseconds, rounding sub-millisecond rests
 * up. A plain number without unit is taken as seconds (some providers send
 * "1" or "0.5"). Returns FALSE for anything else, negative values and
 * overflow. */
gboolean cs_retry_parse_duration     (const char         *str,
                                      gint64             *out_ms);

/* The wait the server asks for, in milliseconds, from `retry-after-ms`
 * (milliseconds) or else `retry-after` (seconds, possibly fractional, or an
 * HTTP date taken relative to @now_unix_ms). -1 when there is no usable
 * hint. A date in the past gives 0. */
gint64   cs_retry_hint_from_headers  (SoupMessageHeaders *headers,
                                      gint64              now_unix_ms);

/* Whether a failed attempt may be retried. @status 0 means a connection
 * error (refused, reset, DNS): retryable. @error_type / @error_code come
 * from the body's error object (either may be NULL); an exhausted quota
 * (`insufficient_quota`, `quota_exceeded`, …) is never retried.
 * `x-should-retry: true|false` in @headers (may be NULL) overrides the
 * status. Otherwise 408, 409, 429 and 5xx are retried; everything else
 * (400, 401, 403, 404, 422, …) is not. */
gboolean cs_retry_is_retryable       (guint               status,
                                      const char         *error_type,
                                      const char         *error_code,
                                      SoupMessageHeaders *headers);

/* TRUE if the error type or code names an exhausted quota or billing
 * problem rather than a transient rate limit. */
gboolean cs_retry_is_quota_error     (const char         *error_type,
                                      const char         *error_code);

/* Backoff before retry number @retry (1 for the first retry): a uniformly
 * jittered value in [0, min(8 s, 0.5 s * 2^(retry-1))], @random01 in [0, 1)
 * is the injected random value (g_random_double () in production). */
gint64   cs_retry_backoff_ms         (guint               retry,
                                      double              random01);

/* The wait before retry number @retry: the server's @hint_ms when it gave
 * one (>= 0), otherwise the backoff. Returns -1 (give up) when the hint is
 * longer than CS_RETRY_MAX_WAIT_MS. */
gint64   cs_retry_delay_ms           (guint               retry,
                                      gint64              hint_ms,
                                      double              random01);

typedef struct {
  gint64 limit_requests;      /* -1 when the header is absent or unreadable */
  gint64 remaining_requests;
  gint64 reset_requests_ms;
  gint64 limit_tokens;
  gint64 remaining_tokens;
  gint64 reset_tokens_ms;
} CsRateLimits;

/* Reads x-ratelimit-{limit,remaining,reset}-{requests,tokens}. Returns TRUE
 * if at least one of them was present and readable. */
gboolean cs_retry_parse_rate_limits  (SoupMessageHeaders *headers,
                                      CsRateLimits       *out);

G_END_DECLS
