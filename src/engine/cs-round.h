/* cs-round.h: one round of a run: the first answer, or a follow-up
 *
 * A run holds its rounds in order (cs_run_get_rounds ()): round 1 is the
 * first fan-out and synthesis; every follow-up (a question, a requested
 * change, or a troubleshooting report on the checklist's steps) adds one.
 * A round's scope says who answered it: the judge alone revising the
 * current result (CS_ROUND_SCOPE_JUDGE), or every candidate model again
 * (CS_ROUND_SCOPE_ALL). The run's current result is that of the last round
 * that succeeded (cs_run_get_current_round ()); a round that failed or was
 * cancelled stays in the list with its message and leaves it in place.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "cs-types.h"
#include "cs-result.h"
#include "cs-knobs.h"

G_BEGIN_DECLS

typedef enum {
  CS_ROUND_SCOPE_FIRST,   /* round 1: the run itself */
  CS_ROUND_SCOPE_JUDGE,   /* the judge revises the current result */
  CS_ROUND_SCOPE_ALL,     /* every candidate model answers again, then votes, consensus, judge */
} CsRoundScope;

/* What happened when the person tried a step of the checklist. */
typedef enum {
  CS_STEP_WORKED,
  CS_STEP_FAILED,
  CS_STEP_SKIPPED,
} CsStepOutcome;

/* A step's output is kept verbatim up to this size; more is refused with a
 * message saying so (cs_step_report_check ()). */
#define CS_STEP_OUTPUT_MAX_BYTES (32 * 1024)

/* One reported step: its number in the checklist the report is about
 * (1-based), the outcome, what the person saw (verbatim, may be NULL), and
 * the step's title and command as that checklist gave them (filled in when
 * the round starts). */
typedef struct {
  guint          step;
  CsStepOutcome  outcome;
  char          *output;
  char          *title;
  char          *command;
  guint          round;    /* the round whose checklist it is about; 0 until the round starts */
} CsStepReport;

#define CS_TYPE_STEP_REPORT (cs_step_report_get_type ())
GType          cs_step_report_get_type   (void) G_GNUC_CONST;
CsStepReport  *cs_step_report_new        (guint          step,
                                          CsStepOutcome  outcome,
                                          const char    *output);
CsStepReport  *cs_step_report_copy       (const CsStepReport *report);
void           cs_step_report_free       (CsStepReport  *report);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsStepReport, cs_step_report_free)
/* FALSE with a message a person understands when the output is too large
 * (CS_STEP_OUTPUT_MAX_BYTES, G_IO_ERROR_MESSAGE_TOO_LARGE) or not text. */
gboolean       cs_step_report_check      (const CsStepReport *report,
                                          GError       **error);

/* Stable names: scope "first"/"judge"/"all"; outcome "worked"/"failed"/
 * "skipped" ("did-not-work" is read as "failed"). */
const char    *cs_round_scope_to_string    (CsRoundScope   scope);
gboolean       cs_round_scope_from_string  (const char    *str,
                                            CsRoundScope  *out);
const char    *cs_step_outcome_to_string   (CsStepOutcome  outcome);
gboolean       cs_step_outcome_from_string (const char    *str,
                                            CsStepOutcome *out);

/* How a troubleshooting session was closed: a step reported as worked. */
typedef struct {
  guint   round;       /* the round that closed it */
  guint   step;        /* the step that worked, in the checklist it was reported on */
  char   *step_title;
  char   *cause;       /* the likely root cause, from the closing round's checklist; may be NULL */
  char   *summary;     /* the closing round's summary; may be NULL */
} CsResolution;

#define CS_TYPE_ROUND (cs_round_get_type ())
G_DECLARE_FINAL_TYPE (CsRound, cs_round, CS, ROUND, GObject)

/* 1, 2, … in the run */
guint               cs_round_get_index          (CsRound  *self);
CsRoundScope        cs_round_get_scope          (CsRound  *self);
/* The follow-up question or change asked for; NULL for round 1 (and for a
 * round of step reports alone). */
const char         *cs_round_get_follow_up      (CsRound  *self);
/* Of CsStepReport, never NULL, owned by the round. */
GPtrArray          *cs_round_get_step_reports   (CsRound  *self);
/* The candidates this round's result was made from (a judge round reuses
 * the round's before), of CsCandidate, never NULL, owned by the round. */
GPtrArray          *cs_round_get_candidates     (CsRound  *self);
/* The index of the round that asked those candidates (itself for round 1
 * and for scope all). */
guint               cs_round_get_candidates_of  (CsRound  *self);
/* running, synthesizing, done, failed or cancelled */
CsRunState          cs_round_get_state          (CsRound  *self);
/* Why the round failed, or a note on its result; may be NULL. */
const char         *cs_round_get_message        (CsRound  *self);
gint64              cs_round_get_created        (CsRound  *self);
/* The round's synthesis (as the run file keeps it), NULL until it has one. */
JsonNode           *cs_round_get_synthesis      (CsRound  *self);
/* Typed, parsed on first use. Not owned. */
CsResult           *cs_round_get_result         (CsRound  *self);
/* The resolution when a worked step closed the session in this round. */
const CsResolution *cs_round_get_resolution     (CsRound  *self);
/* The judge's usage in this round (FALSE when none was recorded). */
gboolean            cs_round_get_judge_usage    (CsRound  *self,
                                                 gint64   *input_tokens,
                                                 gint64   *output_tokens,
                                                 double   *cost_usd,
                                                 gint64   *duration_ms);

/* The settings the round's judge request went with (temperature, reasoning
 * effort, verbosity, maximum output tokens) and, in @model, which judge
 * (the fallback when it answered); NULL when none were recorded (no judge
 * was asked, or a run file from before they were kept). A follow-up asks
 * the same judge with the same settings. */
const CsKnobs      *cs_round_get_judge_knobs    (CsRound     *self,
                                                 const char **model);

G_END_DECLS
