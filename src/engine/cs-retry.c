/* cs-retry.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-retry"

#include "config.h"

#include <math.h>
#include <string.h>

#include "cs-retry.h"

#define NS_PER_MS G_GUINT64_CONSTANT (1000000)

/* Parses "123" or "1.25" (no sign, no exponent) into a non-negative double. */
static gboolean
parse_decimal (const char *str,
               double     *out)
{
  const char *p;
  guint digits = 0;
  gboolean dot = FALSE;
  char *end = NULL;
  double v;

  if (str == NULL)
    return FALSE;

  while (g_ascii_isspace (*str))
    str++;

  for (p = str; *p != '\0' && !g_ascii_isspace (*p); p++)
    {
      if (g_ascii_isdigit (*p))
        digits++;
      else if (*p == '.' && !dot)
        dot = TRUE;
      else
        return FALSE;
    }
  while (g_ascii_isspace (*p))
    p++;
  if (*p != '\0' || digits == 0)
    return FALSE;

  v = g_ascii_strtod (str, &end);
  if (end == str || !isfinite (v) || v < 0)
    return FALSE;

  *out = v;
  return TRUE;
}

static guint64
unit_ns (const char *unit,
         gsize       len)
{
  static const struct {
    const char *name;
    guint64     ns;
  } units[] = {
    { "ns", G_GUINT64_CONSTANT (1) },
    { "us", G_GUINT64_CONSTANT (1000) },
    { "\xc2\xb5s", G_GUINT64_CONSTANT (1000) },   /* µs, U+00B5 */
    { "\xce\xbcs", G_GUINT64_CONSTANT (1000) },   /* μs, U+03BC */
    { "ms", G_GUINT64_CONSTANT (1000000) },
    { "s", G_GUINT64_CONSTANT (1000000000) },
    { "m", G_GUINT64_CONSTANT (60000000000) },
    { "h", G_GUINT64_CONSTANT (3600000000000) },
  };

  for (guint i = 0; i < G_N_ELEMENTS (units); i++)
    if (strlen (units[i].name) == len && memcmp (units[i].name, unit, len) == 0)
      return units[i].ns;

  return 0;
}

gboolean
cs_retry_parse_duration (const char *str,
                         gint64     *out_ms)
{
  const char *p;
  guint64 total_ns = 0;
  double plain;

  g_return_val_if_fail (out_ms != NULL, FALSE);

  if (str == NULL)
    return FALSE;

  while (g_ascii_isspace (*str))
    str++;
  if (*str == '+')
    str++;
  if (*str == '\0')
    return FALSE;

  /* A bare number: seconds. */
  if (parse_decimal (str, &plain))
    {
      if (plain > (double) G_MAXINT64 / 1000.0 / 2)
        return FALSE;
      *out_ms = (gint64) ceil (plain * 1000.0 - 1e-9);
      if (*out_ms < 0)
        *out_ms = 0;
      return TRUE;
    }

  p = str;
  while (*p != '\0' && !g_ascii_isspace (*p))
    {
      guint64 whole = 0;
      guint64 frac = 0;
      guint64 scale = 1;
      guint64 unit;
      guint64 part;
      gboolean any_digit = FALSE;
      const char *unit_start;

      while (g_ascii_isdigit (*p))
        {
          if (!g_uint64_checked_mul (&whole, whole, 10) ||
              !g_uint64_checked_add (&whole, whole, (guint64) (*p - '0')))
            return FALSE;
          any_digit = TRUE;
          p++;
        }
      if (*p == '.')
        {
          p++;
          while (g_ascii_isdigit (*p))
            {
              /* Nanoseconds need at most 9 decimals of an hour's fraction
               * to be exact enough; drop the rest. */
              if (scale < G_GUINT64_CONSTANT (1000000000))
                {
                  frac = frac * 10 + (guint64) (*p - '0');
                  scale *= 10;
                }
              any_digit = TRUE;
              p++;
            }
        }
      if (!any_digit)
        return FALSE;

      unit_start = p;
      while (*p != '\0' && *p != '.' && !g_ascii_isdigit (*p) && !g_ascii_isspace (*p))
        p++;
      unit = unit_ns (unit_start, (gsize) (p - unit_start));
      if (unit == 0)
        return FALSE;

      if (!g_uint64_checked_mul (&part, whole, unit))
        return FALSE;
      if (frac > 0)
        {
          guint64 frac_ns;

          if (unit >= scale)
            frac_ns = frac * (unit / scale);
          else
            frac_ns = frac * unit / scale;
          if (!g_uint64_checked_add (&part, part, frac_ns))
            return FALSE;
        }
      if (!g_uint64_checked_add (&total_ns, total_ns, part))
        return FALSE;
    }

  while (g_ascii_isspace (*p))
    p++;
  if (*p != '\0')
    return FALSE;

  if (total_ns / NS_PER_MS > (guint64) G_MAXINT64 - 1)
    return FALSE;
  *out_ms = (gint64) ((total_ns + NS_PER_MS - 1) / NS_PER_MS);
  return TRUE;
}

gint64
cs_retry_hint_from_headers (SoupMessageHeaders *headers,
                            gint64              now_unix_ms)
{
  const char *value;
  double v;

  if (headers == NULL)
    return -1;

  value = soup_message_headers_get_one (headers, "retry-after-ms");
  if (value != NULL && parse_decimal (value, &v) && v < (double) G_MAXINT32 * 1000.0)
    return (gint64) ceil (v);

  value = soup_message_headers_get_one (headers, "retry-after");
  if (value == NULL)
    return -1;

  if (parse_decimal (value, &v))
    {
      if (v >= (double) G_MAXINT32)
        return G_MAXINT32 * G_GINT64_CONSTANT (1000);
      return (gint64) ceil (v * 1000.0 - 1e-9);
    }
  else
    {
      g_autoptr(GDateTime) date = soup_date_time_new_from_http_string (value);
      gint64 when_ms;

      if (date == NULL)
        return -1;

      when_ms = g_date_time_to_unix (date) * 1000 +
                g_date_time_get_microsecond (date) / 1000;
      return MAX (0, when_ms - now_unix_ms);
    }
}

gboolean
cs_retry_is_quota_error (const char *error_type,
                         const char *error_code)
{
  static const char * const needles[] = {
    "quota", "billing", "insufficient_balance", "credit",
  };
  const char *fields[] = { error_type, error_code };

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      g_autofree char *lower = NULL;

      if (fields[i] == NULL)
        continue;
      lower = g_ascii_strdown (fields[i], -1);
      for (guint j = 0; j < G_N_ELEMENTS (needles); j++)
        if (strstr (lower, needles[j]) != NULL)
          return TRUE;
    }

  return FALSE;
}

gboolean
cs_retry_is_retryable (guint               status,
                       const char         *error_type,
                       const char         *error_code,
                       SoupMessageHeaders *headers)
{
  const char *should;

  if (cs_retry_is_quota_error (error_type, error_code))
    return FALSE;

  should = headers != NULL ? soup_message_headers_get_one (headers, "x-should-retry") : NULL;
  if (should != NULL)
    {
      g_autofree char *s = g_strstrip (g_ascii_strdown (should, -1));

      if (g_str_equal (s, "true"))
        return TRUE;
      if (g_str_equal (s, "false"))
        return FALSE;
    }

  if (status == 0)
    return TRUE;

  return status == 408 || status == 409 || status == 429 ||
         (status >= 500 && status <= 599);
}

gint64
cs_retry_backoff_ms (guint  retry,
                     double random01)
{
  gint64 ceiling = CS_RETRY_BASE_DELAY_MS;

  if (retry == 0)
    retry = 1;
  for (guint i = 1; i < retry && ceiling < CS_RETRY_MAX_DELAY_MS; i++)
    ceiling *= 2;
  ceiling = MIN (ceiling, CS_RETRY_MAX_DELAY_MS);

  if (!(random01 >= 0.0))
    random01 = 0.0;
  if (random01 > 1.0)
    random01 = 1.0;

  return (gint64) (ceiling * random01);
}

gint64
cs_retry_delay_ms (guint  retry,
                   gint64 hint_ms,
                   double random01)
{
  if (hint_ms >= 0)
    return hint_ms > CS_RETRY_MAX_WAIT_MS ? -1 : hint_ms;

  return cs_retry_backoff_ms (retry, random01);
}

static gint64
header_int (SoupMessageHeaders *headers,
            const char         *name,
            gboolean           *found)
{
  const char *value = soup_message_headers_get_one (headers, name);
  guint64 v;

  if (value == NULL)
    return -1;
  while (g_ascii_isspace (*value))
    value++;
  if (!g_ascii_string_to_unsigned (value, 10, 0, G_MAXINT64, &v, NULL))
    {
      /* Some servers send "59.0"; accept whole numbers written so. */
      double d;

      if (!parse_decimal (value, &d) || d > (double) G_MAXINT64 / 2)
        return -1;
      v = (guint64) d;
    }
  *found = TRUE;
  return (gint64) v;
}

static gint64
header_duration (SoupMessageHeaders *headers,
                 const char         *name,
                 gboolean           *found)
{
  const char *value = soup_message_headers_get_one (headers, name);
  gint64 ms;

  if (value == NULL || !cs_retry_parse_duration (value, &ms))
    return -1;
  *found = TRUE;
  return ms;
}

gboolean
cs_retry_parse_rate_limits (SoupMessageHeaders *headers,
                            CsRateLimits       *out)
{
  gboolean found = FALSE;

  g_return_val_if_fail (out != NULL, FALSE);

  out->limit_requests = out->remaining_requests = out->reset_requests_ms = -1;
  out->limit_tokens = out->remaining_tokens = out->reset_tokens_ms = -1;

  if (headers == NULL)
    return FALSE;

  out->limit_requests = header_int (headers, "x-ratelimit-limit-requests", &found);
  out->remaining_requests = header_int (headers, "x-ratelimit-remaining-requests", &found);
  out->reset_requests_ms = header_duration (headers, "x-ratelimit-reset-requests", &found);
  out->limit_tokens = header_int (headers, "x-ratelimit-limit-tokens", &found);
  out->remaining_tokens = header_int (headers, "x-ratelimit-remaining-tokens", &found);
  out->reset_tokens_ms = header_duration (headers, "x-ratelimit-reset-tokens", &found);

  return found;
}
