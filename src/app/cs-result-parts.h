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
/* Adds @heading and @text inside @expander (nothing when @text is empty),
 * laid out when the row is first expanded. */
void       cs_result_expander_add_text (GtkWidget    *expander,
                                        const char   *heading,
                                        const char   *text);
/* A button that copies @text; @what names it ("Copy @what"). */
GtkWidget *cs_result_copy_button       (const char   *text,
                                        const char   *what);
/* What an item's support (how many candidates proposed it) is about. */
typedef enum {
  CS_SUPPORT_STEP,        /* "agreed by N of M" */
  CS_SUPPORT_COMPONENT,   /* "component proposed by N of M" */
  CS_SUPPORT_DECISION,    /* only "added by the judge" */
} CsSupportKind;

/* The item's support in words, "added by the judge" for an item no
 * candidate proposed, or NULL when unknown (or not worth a label). */
char      *cs_result_support_text      (const CsItem *item,
                                        CsSupportKind kind);
/* What the candidates' vote says about @chosen, the choice shown beside the
 * label: "3 of 4 candidates chose Envoy", "judge chose Kong; 3 of 4
 * candidates chose Envoy"; NULL when the item has no vote. */
char      *cs_result_vote_text         (const CsItem *item,
                                        const char   *chosen);

/* Names on screen, never internal ids: */
/* "kimi-k2 from Moonshot": the model's name and its provider's display
 * name in the configuration of @widget's application (or the default
 * application's); the provider's id when not configured. */
char      *cs_result_model_text        (GtkWidget    *widget,
                                        const char   *model_id);
/* "c2 (kimi-k2)": a candidate's id next to its model's name. */
char      *cs_result_candidate_text    (CsRun        *run,
                                        const char   *candidate_id);
/* "likely", "possible", "less likely" for a cause's high, medium, low. */
const char *cs_result_likelihood_text  (const char   *likelihood);
/* "low risk", "medium risk", "high risk"; NULL for none or unknown. */
const char *cs_result_risk_text        (const char   *risk);

G_END_DECLS
