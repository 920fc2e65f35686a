/* cs-export-private.h: the Markdown export's pieces, shared by its files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cs-config.h"
#include "cs-export.h"
#include "cs-state-words.h"
#include "cs-result.h"

G_BEGIN_DECLS

/* cs-export-origin.c: where each item came from. */

/* " (c1, c3; judge: changed)" after an item; nothing when unknown. */
void     cs_export_append_origin      (GString        *out,
                                       const CsOrigin *origin);
/* A table cell of @text followed by its origin. */
char    *cs_export_origin_cell        (const char     *text,
                                       const CsOrigin *origin);
/* "Summary from: c1; judge: changed", a paragraph. */
void     cs_export_append_summary_origin (GString     *out,
                                       CsResult       *result);
/* Once per export: each candidate id, its model and angle. */
void     cs_export_append_origin_legend (GString      *out,
                                       CsRun          *run,
                                       CsResult       *result);

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
/* "$0.0123", or "price unknown" when @known is FALSE */
char    *cs_export_format_cost        (double       usd,
                                       gboolean     known);
/* "≥ 0.0123 (price unknown)": a total of which a part has no price */
char    *cs_export_format_at_least    (double       usd);
char    *cs_export_format_double      (const char  *format,
                                       double       value);
/* "12,345" */
char    *cs_export_format_thousands   (gint64       value);
/* Whole dollars with separators; exponent form for absurd figures. */
char    *cs_export_format_dollars     (double       value);
/* Tokens with separators, "—" when unknown (< 0). */
char    *cs_export_format_tokens      (gint64       tokens);
/* A figure Consilium counted rather than the provider reported: "≈ 1,234"
 * when @estimated (cs-token-count.h), else @text itself. Takes @text. */
char    *cs_export_approx             (char        *text,
                                       gboolean     estimated);
/* A cost table's cell: "0.0123", "≈ 0.0123" when @estimated, "price
 * unknown" when @known is FALSE. */
char    *cs_export_cost_cell          (double       usd,
                                       gboolean     known,
                                       gboolean     estimated);

/* cs-export-names.c: what the export calls things, never internal names. */

/* "kimi-k2" for "kimi/kimi-k2" (the id itself when it has no provider). */
const char *cs_export_model_name      (const char  *model_id);
/* The display name of the provider of @model_id in @config (may be NULL),
 * else the provider's id; NULL when @model_id names none. */
char    *cs_export_provider_name      (CsConfig    *config,
                                       const char  *model_id);
/* "kimi-k2 from Moonshot" */
void     cs_export_append_model       (GString     *out,
                                       CsConfig    *config,
                                       const char  *model_id);
/* "c2 (kimi-k2)", or the id alone when @run has no such candidate. */
void     cs_export_append_candidate   (GString     *out,
                                       CsRun       *run,
                                       const char  *candidate_id);
/* The angle's label ("Most likely cause first"), NULL for none. */
const char *cs_export_angle_label     (CsMode       mode,
                                       const char  *angle);
/* "likely", "possible", "less likely" for high, medium, low. */
const char *cs_export_likelihood_words (const char *likelihood);
/* "REST", "gRPC", "GraphQL", … */
const char *cs_export_api_style_words (const char  *style);
/* "votes" for ensemble; the others are words already. */
const char *cs_export_method_words    (const char  *method);
/* "verb by N of M: c1 (kimi-k2), c2 (gpt-4.1)", "added by the judge", or
 * nothing when the support of @item is unknown. */
void     cs_export_append_agreement   (GString     *out,
                                       CsRun       *run,
                                       const CsItem *item,
                                       const char  *verb);

/* cs-export-blueprint.c, cs-export-checklist.c: the synthesized result. */
void     cs_export_append_blueprint   (GString     *out,
                                       CsRun       *run,
                                       CsResult    *result);
void     cs_export_append_checklist   (GString     *out,
                                       CsRun       *run,
                                       CsResult    *result);

/* cs-export-candidates.c: the candidates and the cost table. */
void     cs_export_append_candidates  (GString     *out,
                                       CsRun       *run,
                                       CsConfig    *config);
/* the run's wall time, tokens and cost (and budget), when it ran */
void     cs_export_append_run_totals  (GString     *out,
                                       CsRun       *run);
void     cs_export_append_costs       (GString     *out,
                                       CsRun       *run);

/* cs-export-ranking.c: the "Peer ranking" section (nothing without one)
 * and its row in the cost table. */
void     cs_export_append_ranking     (GString     *out,
                                       CsRun       *run);
void     cs_export_append_ranking_cost_row (GString *out,
                                            CsRun   *run);

/* cs-export-rounds.c: the rounds of a run. */
/* "## Resolved" when a worked step closed the session, else nothing. */
void     cs_export_append_resolution  (GString     *out,
                                       CsRun       *run);
/* ", settings: temperature=0.1, …" when @round recorded its judge's. */
void     cs_export_append_judge_settings (GString  *out,
                                          CsRound  *round);
/* Which round the current result is and what was asked for it (nothing
 * for a run of one round). */
void     cs_export_append_current_round (GString   *out,
                                         CsRun     *run);
/* "## Earlier rounds": every other round, readable (nothing for a run of
 * one round). */
void     cs_export_append_rounds      (GString     *out,
                                       CsRun       *run);

G_END_DECLS
