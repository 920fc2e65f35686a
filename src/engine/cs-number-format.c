/* cs-number-format.c: counts with their digits grouped, as the locale
 * writes them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <math.h>
#include <string.h>

#include "cs-number-format.h"

char *
cs_format_count_with (gint64      value,
                      const char *separator)
{
  /* the magnitude as unsigned: -G_MININT64 does not fit a gint64 */
  guint64 magnitude = value < 0 ? (guint64) -(value + 1) + 1 : (guint64) value;
  g_autofree char *digits = g_strdup_printf ("%" G_GUINT64_FORMAT, magnitude);
  GString *out = g_string_new (value < 0 ? "-" : "");
  gsize len = strlen (digits);

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append (out, separator);
      g_string_append_c (out, digits[i]);
    }
  return g_string_free (out, FALSE);
}

char *
cs_format_count (gint64 value)
{
  const struct lconv *conv = localeconv ();
  const char *separator = conv->thousands_sep;

  if (separator == NULL || separator[0] == '\0')
    separator = conv->decimal_point != NULL && strcmp (conv->decimal_point, ".") == 0 ? "," : "\u202f";
  return cs_format_count_with (value, separator);
}

char *
cs_format_whole (double value)
{
  if (!isfinite (value) || fabs (value) >= 1e15)
    return g_strdup_printf ("%.3g", value);
  return cs_format_count ((gint64) llround (value));
}
