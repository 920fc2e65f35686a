/* cs-export-private.h: the Markdown export's pieces, shared by its files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cs-export.h"
#include "cs-result.h"

G_BEGIN_DECLS

/* cs-export-text.c: untrusted text as Markdown, and figures. */

/* @text as inline Markdown: on one line, every character with a Markdown
 * meaning escaped. Nothing for NULL or invalid UTF-8. */
void     cs_export_append_inline      (GString     *out,
                                       const char  *text);
/* Paragraphs, each collapsed to one line, @indent before each line. */
void     cs_export_append_paragraphs  (GString     *out,
                                       const char  *text,
                                       const char  *indent);
/* A table cell: inline text, "—" when empty. */
char    *cs_export_cell               (const char  *text);
/* A fenced code block with @info, every line prefixed by @indent. */
void     cs_export_append_code_block  (GString     *out,
                                       const char  *info,
                                       const char  *text,
                                       const char  *indent);
char    *cs_export_format_double      (const char  *format,
                                       double       value);
/* "12,345" */
char    *cs_export_format_thousands   (gint64       value);
/* Whole dollars with separators; exponent form for absurd figures. */
char    *cs_export_format_dollars     (double       value);
/* Tokens with separators, "—" when unknown (< 0). */
char    *cs_export_format_tokens      (gint64       tokens);
/* "verb by N of M (c1, c2)", "added by the judge", or nothing when the
 * support of @item is unknown. */
void     cs_export_append_agreement   (GString     *out,
                                       const CsItem *item,
                                       const char  *verb);

/* cs-export-blueprint.c, cs-export-checklist.c: the synthesized result. */
void     cs_export_append_blueprint   (GString     *out,
                                       CsResult    *result);
void     cs_export_append_checklist   (GString     *out,
                                       CsRun       *run,
                                       CsResult    *result);

/* cs-export-candidates.c: the candidates and the cost table. */
void     cs_export_append_candidates  (GString     *out,
                                       CsRun       *run);
void     cs_export_append_costs       (GString     *out,
                                       CsRun       *run);

G_END_DECLS
