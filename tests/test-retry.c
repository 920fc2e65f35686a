/* test-retry.c: durations, retry hints, retry decisions, backoff, rate limits
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib.h>
#include <math.h>

#include "cs-retry.h"

static void
test_duration_valid (void)
{
  static const struct {
    const char *in;
    gint64      ms;
  } cases[] = {
    { "20ms", 20 },
    { "1s", 1000 },
    { "6m0s", 360000 },
    { "1h2m3s", 3723000 },
    { "0.5s", 500 },
    { "1.5m", 90000 },
    { "0", 0 },
    { "0s", 0 },
    { "2", 2000 },          /* bare number: seconds */
    { "0.25", 250 },
    { "250us", 1 },         /* sub-millisecond rounds up */
    { "1500000ns", 2 },
    { "1\xc2\xb5s", 1 },    /* µs */
    { "17.999s", 17999 },
    { "0.1s", 100 },        /* no floating-point creep */
    { "59m59.9s", 3599900 },
    { "2h", 7200000 },
    { " 3s ", 3000 },
    { "1h0.5m", 3630000 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gint64 ms = -42;

      g_test_message ("duration %s", cases[i].in);
      g_assert_true (cs_retry_parse_duration (cases[i].in, &ms));
      g_assert_cmpint (ms, ==, cases[i].ms);
    }
}

static void
test_duration_invalid (void)
{
  static const char * const cases[] = {
    "", " ", "s", "ms", "-1s", "1x", "1sec", "1.s.", "..5s", "1s2", "abc",
    "1e3s", "99999999999999999999h", "9999999999999h", "1 s", "1s 2s",
  };
  gint64 ms = -42;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("duration '%s'", cases[i]);
      g_assert_false (cs_retry_parse_duration (cases[i], &ms));
    }
  g_assert_false (cs_retry_parse_duration (NULL, &ms));
  g_assert_cmpint (ms, ==, -42);
}

static SoupMessageHeaders *
headers_new (const char *first_name,
             ...)
{
  SoupMessageHeaders *h = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
  const char *name = first_name;
  va_list args;

  va_start (args, first_name);
  while (name != NULL)
    {
      soup_message_headers_append (h, name, va_arg (args, const char *));
      name = va_arg (args, const char *);
    }
  va_end (args);

  return h;
}

static void
test_hint (void)
{
  /* Sun, 06 Nov 1994 08:49:37 GMT */
  const gint64 date_ms = G_GINT64_CONSTANT (784111777) * 1000;
  SoupMessageHeaders *h;

  h = headers_new (NULL);
  g_assert_cmpint (cs_retry_hint_from_headers (h, 0), ==, -1);
  soup_message_headers_unref (h);
  g_assert_cmpint (cs_retry_hint_from_headers (NULL, 0), ==, -1);

  h = headers_new ("Retry-After", "3", NULL);
  g_assert_cmpint (cs_retry_hint_from_headers (h, 0), ==, 3000);
  soup_message_headers_unref (h);

  h = headers_new ("retry-after", "1.5", NULL);
  g_assert_cmpint (cs_retry_hint_from_headers (h, 0), ==, 1500);
  soup_message_headers_unref (h);

  /* retry-after-ms wins over retry-after */
  h = headers_new ("retry-after", "30", "retry-after-ms", "250", NULL);
  g_assert_cmpint (cs_retry_hint_from_headers (h, 0), ==, 250);
  soup_message_headers_unref (h);

  /* a broken retry-after-ms falls back to retry-after */
  h = headers_new ("retry-after", "2", "retry-after-ms", "soon", NULL);
  g_assert_cmpint (cs_retry_hint_from_headers (h, 0), ==, 2000);
  soup_message_headers_unref (h);

  /* HTTP date, relative to now */
  h = headers_new ("Retry-After", "Sun, 06 Nov 1994 08:49:37 GMT", NULL);
  g_assert_cmpint (cs_retry_hint_from_headers (h, date_ms - 5000), ==, 5000);
  g_assert_cmpint (cs_retry_hint_from_headers (h, date_ms - 120000), ==, 120000);
  /* in the past: no wait */
  g_assert_cmpint (cs_retry_hint_from_headers (h, date_ms + 5000), ==, 0);
  soup_message_headers_unref (h);

  h = headers_new ("Retry-After", "tomorrow-ish", NULL);
  g_assert_cmpint (cs_retry_hint_from_headers (h, 0), ==, -1);
  soup_message_headers_unref (h);

  h = headers_new ("Retry-After", "-3", NULL);
  g_assert_cmpint (cs_retry_hint_from_headers (h, 0), ==, -1);
  soup_message_headers_unref (h);
}

static void
test_retryable (void)
{
  static const struct {
    guint    status;
    gboolean retry;
  } cases[] = {
    { 0, TRUE }, { 408, TRUE }, { 409, TRUE }, { 429, TRUE }, { 500, TRUE },
    { 502, TRUE }, { 503, TRUE }, { 504, TRUE },
    { 400, FALSE }, { 401, FALSE }, { 403, FALSE }, { 404, FALSE },
    { 422, FALSE }, { 402, FALSE }, { 413, FALSE },
  };
  SoupMessageHeaders *h;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("status %u", cases[i].status);
      g_assert_cmpint (cs_retry_is_retryable (cases[i].status, NULL, NULL, NULL), ==, cases[i].retry);
    }

  /* an exhausted quota is never retried, whatever the status or hint */
  g_assert_false (cs_retry_is_retryable (429, "insufficient_quota", NULL, NULL));
  g_assert_false (cs_retry_is_retryable (429, "invalid_request_error", "insufficient_quota", NULL));
  g_assert_false (cs_retry_is_retryable (429, "exceeded_current_quota_error", NULL, NULL));
  g_assert_true (cs_retry_is_retryable (429, "rate_limit_exceeded", "rate_limit_exceeded", NULL));
  g_assert_true (cs_retry_is_quota_error (NULL, "Insufficient_Quota"));
  g_assert_false (cs_retry_is_quota_error (NULL, NULL));
  g_assert_false (cs_retry_is_quota_error ("server_error", "rate_limit_exceeded"));

  h = headers_new ("x-should-retry", "false", NULL);
  g_assert_false (cs_retry_is_retryable (503, NULL, NULL, h));
  g_assert_false (cs_retry_is_retryable (0, NULL, NULL, h));
  soup_message_headers_unref (h);

  h = headers_new ("x-should-retry", "true", NULL);
  g_assert_true (cs_retry_is_retryable (400, NULL, NULL, h));
  g_assert_false (cs_retry_is_retryable (429, "insufficient_quota", NULL, h));
  soup_message_headers_unref (h);

  /* junk in x-should-retry is ignored */
  h = headers_new ("x-should-retry", "maybe", NULL);
  g_assert_true (cs_retry_is_retryable (500, NULL, NULL, h));
  g_assert_false (cs_retry_is_retryable (404, NULL, NULL, h));
  soup_message_headers_unref (h);
}

static void
test_backoff (void)
{
  /* the ceiling: 0.5 s doubling to 8 s */
  g_assert_cmpint (cs_retry_backoff_ms (1, 0.999999), ==, 499);
  g_assert_cmpint (cs_retry_backoff_ms (1, 0.5), ==, 250);
  g_assert_cmpint (cs_retry_backoff_ms (2, 0.5), ==, 500);
  g_assert_cmpint (cs_retry_backoff_ms (3, 0.5), ==, 1000);
  g_assert_cmpint (cs_retry_backoff_ms (4, 0.5), ==, 2000);
  g_assert_cmpint (cs_retry_backoff_ms (5, 0.5), ==, 4000);
  g_assert_cmpint (cs_retry_backoff_ms (6, 0.5), ==, 4000);
  g_assert_cmpint (cs_retry_backoff_ms (100, 0.5), ==, 4000);
  g_assert_cmpint (cs_retry_backoff_ms (G_MAXUINT, 1.0), ==, CS_RETRY_MAX_DELAY_MS);
  /* full jitter reaches zero */
  g_assert_cmpint (cs_retry_backoff_ms (3, 0.0), ==, 0);
  /* garbage randomness is clamped */
  g_assert_cmpint (cs_retry_backoff_ms (3, -1.0), ==, 0);
  g_assert_cmpint (cs_retry_backoff_ms (3, 7.0), ==, 2000);
  g_assert_cmpint (cs_retry_backoff_ms (3, NAN), ==, 0);

  /* with real randomness, always inside the bounds */
  for (guint retry = 1; retry < 10; retry++)
    for (guint i = 0; i < 100; i++)
      {
        gint64 d = cs_retry_backoff_ms (retry, g_random_double ());

        g_assert_cmpint (d, >=, 0);
        g_assert_cmpint (d, <=, MIN (CS_RETRY_MAX_DELAY_MS, CS_RETRY_BASE_DELAY_MS << MIN (retry - 1, 10)));
      }

  /* the server's hint wins; too long a hint means give up */
  g_assert_cmpint (cs_retry_delay_ms (1, 1000, 0.5), ==, 1000);
  g_assert_cmpint (cs_retry_delay_ms (1, 0, 0.5), ==, 0);
  g_assert_cmpint (cs_retry_delay_ms (1, CS_RETRY_MAX_WAIT_MS, 0.5), ==, CS_RETRY_MAX_WAIT_MS);
  g_assert_cmpint (cs_retry_delay_ms (1, CS_RETRY_MAX_WAIT_MS + 1, 0.5), ==, -1);
  g_assert_cmpint (cs_retry_delay_ms (2, -1, 0.5), ==, 500);
}

static void
test_rate_limits (void)
{
  CsRateLimits rl;
  SoupMessageHeaders *h;

  h = headers_new ("x-ratelimit-limit-requests", "60",
                   "x-ratelimit-remaining-requests", "0",
                   "x-ratelimit-reset-requests", "6m0s",
                   "x-ratelimit-limit-tokens", "150000",
                   "x-ratelimit-remaining-tokens", "149984",
                   "x-ratelimit-reset-tokens", "20ms",
                   NULL);
  g_assert_true (cs_retry_parse_rate_limits (h, &rl));
  g_assert_cmpint (rl.limit_requests, ==, 60);
  g_assert_cmpint (rl.remaining_requests, ==, 0);
  g_assert_cmpint (rl.reset_requests_ms, ==, 360000);
  g_assert_cmpint (rl.limit_tokens, ==, 150000);
  g_assert_cmpint (rl.remaining_tokens, ==, 149984);
  g_assert_cmpint (rl.reset_tokens_ms, ==, 20);
  soup_message_headers_unref (h);

  /* partial and broken headers */
  h = headers_new ("x-ratelimit-remaining-requests", "12",
                   "x-ratelimit-reset-requests", "soon",
                   "x-ratelimit-remaining-tokens", "-5",
                   NULL);
  g_assert_true (cs_retry_parse_rate_limits (h, &rl));
  g_assert_cmpint (rl.limit_requests, ==, -1);
  g_assert_cmpint (rl.remaining_requests, ==, 12);
  g_assert_cmpint (rl.reset_requests_ms, ==, -1);
  g_assert_cmpint (rl.remaining_tokens, ==, -1);
  g_assert_cmpint (rl.reset_tokens_ms, ==, -1);
  soup_message_headers_unref (h);

  h = headers_new ("content-type", "text/event-stream", NULL);
  g_assert_false (cs_retry_parse_rate_limits (h, &rl));
  g_assert_cmpint (rl.remaining_requests, ==, -1);
  soup_message_headers_unref (h);

  g_assert_false (cs_retry_parse_rate_limits (NULL, &rl));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/retry/duration/valid", test_duration_valid);
  g_test_add_func ("/retry/duration/invalid", test_duration_invalid);
  g_test_add_func ("/retry/hint", test_hint);
  g_test_add_func ("/retry/retryable", test_retryable);
  g_test_add_func ("/retry/backoff", test_backoff);
  g_test_add_func ("/retry/rate-limits", test_rate_limits);

  return g_test_run ();
}
