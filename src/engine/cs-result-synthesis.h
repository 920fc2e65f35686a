/* cs-result-synthesis.h: the result model's side of synthesis (internal)
 *
 * What synthesis writes into a CsResult beyond cs-result.h, and the judge's
 * reply read: the saved name of each vote, the methods, the degraded mark.
 * With the result model so that synthesis itself spells no member name of
 * the run file.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cs-result.h"

G_BEGIN_DECLS

/* The lists whose items have a voted field (see CsItem.vote). */
typedef enum {
  CS_VOTED_COMPONENT,    /* a component's technology */
  CS_VOTED_DATA_STORE,   /* a data store's technology */
  CS_VOTED_API,          /* an API's style */
  CS_VOTED_DECISION,     /* a decision's choice */
  CS_VOTED_CAUSE,        /* a likely cause's likelihood */
  CS_VOTED_STEP,         /* a step's risk */
} CsVotedList;

/* The "field" a vote on the item called @title is saved under, the one
 * cs_result_link_items () looks for: "<list>[<title>].<voted field>". */
char        *cs_result_vote_field               (CsVotedList   list,
                                                 const char   *title);
/* The vote on the candidates' primary data stores, and the cost median. */
const char  *cs_result_primary_store_vote_field (void);
const char  *cs_result_cost_vote_field          (void);

/* Appends the names of @methods, in the order ensemble, consensus, judge. */
void         cs_result_add_methods              (CsResult     *self,
                                                 CsMethod      methods);
/* The methods of a judged result: those of @self without the judge, then
 * the judge. */
void         cs_result_add_judge_method         (CsResult     *self);

/* A copy of the synthesis @synthesis marked degraded with @note; anything
 * but an object is copied as it is. */
JsonNode    *cs_result_json_mark_degraded       (JsonNode     *synthesis,
                                                 const char   *note);

/* The judge's reply (in the judge's schema: critiques, a rationale and the
 * result) read: a result whose data is the reply's result, which must fit the
 * mode's schema, with the reply's rationale and critiques as written. NULL
 * (a G_IO_ERROR_INVALID_DATA error naming what is missing) when the reply
 * does not fit. */
CsResult    *cs_result_new_from_judge_reply     (CsMode        mode,
                                                 JsonNode     *reply,
                                                 GError      **error);

/* Whether a checklist's step, or an alternative step, whose title and
 * command are @title and @command (either may be NULL) is to go. */
typedef gboolean (*CsResultStepFilter) (const char *title,
                                        const char *command,
                                        gpointer    user_data);

/* A copy of the checklist synthesis @synthesis without the steps and the
 * alternative steps @drop says go: the consensus entry at a dropped step's
 * index goes with it, and an alternative that followed a dropped step
 * follows the step before it. NULL when none goes; @n_dropped (may be NULL)
 * is set to how many went. */
JsonNode    *cs_result_json_drop_steps          (JsonNode           *synthesis,
                                                 CsResultStepFilter  drop,
                                                 gpointer            user_data,
                                                 guint              *n_dropped);

/* The mode a synthesis envelope answers by its data (a checklist has
 * steps); CS_MODE_ARCHITECT for anything else. */
CsMode       cs_result_json_guess_mode          (JsonNode     *synthesis);

G_END_DECLS
