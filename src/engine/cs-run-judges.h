/* cs-run-judges.h: each judge that answered a round, with its usage
 *
 * The judge's usage (cs_run_get_judge_usage ()) is one sum over every
 * judge request of the round; these records say which judges ran: the
 * judge, and the fallback judge when the first failed, each with its
 * requests (a repair adds to its judge's), tokens, cost and time. They
 * are the current round's, saved with it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cs-run.h"

G_BEGIN_DECLS

typedef struct {
  char     *model;          /* "provider/model" */
  gboolean  fallback;       /* the fallback judge */
  guint     requests;
  gint64    input_tokens;   /* -1 unknown */
  gint64    output_tokens;  /* -1 unknown */
  double    cost_usd;
  gboolean  price_known;
  gint64    duration_ms;
  gboolean  estimated;      /* some of its usage counted by Consilium (a request the
                             * budget stopped before its provider said) */
} CsJudgeUse;

void        cs_judge_use_free      (CsJudgeUse *use);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsJudgeUse, cs_judge_use_free)

/* Adds one judge request's usage (@use->requests is not read: one) to the
 * record of @use->model in @use->fallback's role (a new record for the
 * first). Negative counts are unknown; a record is estimated once one of
 * its requests was. */
void        cs_run_add_judge_use   (CsRun            *self,
                                    const CsJudgeUse *use);
/* The current round's records in the order the judges ran, of
 * CsJudgeUse*: empty when none was recorded (a run saved before they
 * existed, or no judge). */
GPtrArray  *cs_run_dup_judge_uses  (CsRun      *self);

/* For cs-round-json.c: the records as saved (an array), or NULL. */
JsonNode   *_cs_round_get_judges_json (CsRound  *round);
void        _cs_round_set_judges_json (CsRound  *round,
                                       JsonNode *judges);
void        _cs_round_clear_judges    (CsRound  *round);
/* For cs-run-json.c: the current round's records as "judges", if any. */
void        _cs_run_judges_to_json    (CsRun       *self,
                                       JsonBuilder *b);

G_END_DECLS
