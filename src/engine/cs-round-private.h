/* cs-round-private.h: a round's fields, and what the run and the runner do
 * with rounds (cs-round.c, cs-round-json.c, cs-run*.c, cs-runner-follow-up.c)
 *
 * The run's own candidates, synthesis, judge usage and state are those of
 * its current round: cs-run.c hands every change of them to the current
 * round (_cs_round_add_candidate () …), so a round always holds its own.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cs-round.h"
#include "cs-run.h"

G_BEGIN_DECLS

struct _CsRound
{
  GObject       parent_instance;

  guint         index;
  CsRoundScope  scope;
  char         *follow_up;
  GPtrArray    *reports;        /* of CsStepReport* */
  GPtrArray    *candidates;     /* of CsCandidate*, references */
  guint         candidates_of;
  CsRunState    state;
  char         *message;
  gint64        created;
  JsonNode     *synthesis;
  CsResult     *result;         /* @synthesis typed, on demand */
  JsonNode     *result_from;
  CsResolution *resolution;

  gint64        judge_input_tokens;
  gint64        judge_output_tokens;
  double        judge_cost_usd;
  gint64        judge_duration_ms;
  JsonNode     *judges;         /* each judge's usage (cs-run-judges.c), or NULL */
  char         *judge_knobs_model; /* the judge whose request went with judge_knobs */
  CsKnobs      *judge_knobs;       /* its settings, or NULL (cs-round-knobs.c) */
};

CsRound  *_cs_round_new                (guint          index,
                                        CsRoundScope   scope,
                                        const char    *follow_up);
void      _cs_round_add_candidate      (CsRound       *self,
                                        CsCandidate   *candidate);
void      _cs_round_set_synthesis      (CsRound       *self,
                                        JsonNode      *synthesis);
void      _cs_round_set_state          (CsRound       *self,
                                        CsRunState     state);
void      _cs_round_set_message        (CsRound       *self,
                                        const char    *message);
void      _cs_round_set_judge_usage    (CsRound       *self,
                                        gint64         input_tokens,
                                        gint64         output_tokens,
                                        double         cost_usd,
                                        gint64         duration_ms);
void      _cs_round_set_resolution     (CsRound       *self,
                                        CsResolution  *resolution);
void      _cs_resolution_free          (CsResolution  *resolution);
/* cs-round-knobs.c: the judge's settings, kept (NULL @knobs: none) and in
 * the round's JSON ("judge_settings": {"model", "temperature", …}). */
void      _cs_round_set_judge_knobs    (CsRound       *self,
                                        const char    *model,
                                        const CsKnobs *knobs);
void      _cs_round_judge_knobs_to_json (CsRound      *self,
                                        JsonBuilder   *builder);
void      _cs_round_judge_knobs_read   (CsRound       *self,
                                        JsonObject    *obj);

/* cs-round-json.c: the rounds of a run in the run file (@complete FALSE:
 * the current round's candidates and synthesis are the run's own, at the
 * top) or in the CLI's contract (@complete TRUE: every round whole). */
JsonNode *_cs_run_rounds_to_json       (CsRun         *run,
                                        gboolean       complete);
JsonNode *_cs_resolution_to_json       (const CsResolution *resolution);
/* Reads "rounds" (if any) once the run's own members are read; a run
 * without rounds is round 1. */
void      _cs_run_rounds_read          (CsRun         *run,
                                        JsonObject    *obj);

/* cs-round-tried.c: @synthesis (support) without the steps and alternative
 * steps that repeat a step of @tried (CsStepReport) reported as worked or
 * failed; a new node, or NULL when none repeats one. */
JsonNode *_cs_round_drop_tried_steps   (JsonNode      *synthesis,
                                        GPtrArray     *tried);

/* cs-round.c, on the run */
/* Round @index + 1 becomes the current round: its candidates are the
 * previous round's (scope judge) or none yet (scope all: the run's list
 * empties); the previous result stays the run's until the new one comes. */
CsRound  *_cs_run_begin_round          (CsRun         *run,
                                        CsRoundScope   scope,
                                        const char    *follow_up,
                                        GPtrArray     *reports);
/* Ends the current round. CS_RUN_DONE: it keeps the run's result. Failed or
 * cancelled: it keeps @message, and the round before it becomes current
 * again (its candidates back in the run's list, the run done), the run's
 * message saying why. */
void      _cs_run_end_round            (CsRun         *run,
                                        CsRunState     state,
                                        const char    *message);
/* The totals of the rounds that are not the current one (their own
 * candidates and their judge). */
void      _cs_run_other_rounds_totals  (CsRun         *run,
                                        double        *cost_usd,
                                        gint64        *input_tokens,
                                        gint64        *output_tokens);

G_END_DECLS
