/* cs-number-format.h: counts with their digits grouped, as the locale
 * writes them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* "45,179" in English, "45.179" in German: the locale's (LC_NUMERIC)
 * thousands separator; where the locale has none (C), "," when its decimal
 * point is "." (as the Markdown export writes counts), else a narrow
 * no-break space, which no locale reads as a decimal point. */
char *cs_format_count      (gint64      value);
/* Whole dollars, grouped the same way ("2,680", without the sign);
 * figures no person would write (a model's 1e300) in exponent form. */
char *cs_format_whole      (double      value);
/* The same with the separator given (for tests). */
char *cs_format_count_with (gint64      value,
                            const char *separator);

G_END_DECLS
