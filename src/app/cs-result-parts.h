/* cs-result-parts.h: the sections and rows the result views are made of
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cs-engine.h"

G_BEGIN_DECLS

/* Rows per list at most: hostile results may list thousands. */
#define CS_RESULT_MAX_ITEMS 200

/* A vertical box with @title (or none) as a heading, appended to @parent. */
GtkWidget *cs_result_section           (GtkBox       *parent,
                                        const char   *title);
/* A boxed list, appended to @parent. */
GtkWidget *cs_result_boxed_list        (GtkBox       *parent);
/* Rows with plain-text titles and subtitles (a NULL or empty subtitle is
 * left out). */
GtkWidget *cs_result_row               (const char   *title,
                                        const char   *subtitle);
GtkWidget *cs_result_expander_row      (const char   *title,
                                        const char   *subtitle);
/* Adds @heading and @text inside @expander (nothing when @text is empty). */
void       cs_result_expander_add_text (GtkWidget    *expander,
                                        const char   *heading,
                                        const char   *text);
/* A button that copies @text; @what names it ("Copy @what"). */
GtkWidget *cs_result_copy_button       (const char   *text,
                                        const char   *what);
/* "chosen by N of M" ("agreed by" for @steps), "added by the judge", or
 * NULL when the item's support is unknown. */
char      *cs_result_support_text      (const CsItem *item,
                                        gboolean      steps);

G_END_DECLS
