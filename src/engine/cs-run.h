/* cs-run.h: one question put to several models, its candidates and result
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "cs-types.h"
#include "cs-candidate.h"
#include "cs-result.h"
#include "cs-round.h"
#include "cs-knobs.h"

G_BEGIN_DECLS

#define CS_TYPE_RUN (cs_run_get_type ())

/* A CsRun is a GListModel of CsCandidate, so views bind to it directly.
 * It emits ::changed when something worth saving changes: its own
 * properties, a candidate added, a candidate's status, data, error or usage
 * (not every streamed chunk: savers debounce ::changed and may also save on
 * a timer while candidates stream). */
G_DECLARE_FINAL_TYPE (CsRun, cs_run, CS, RUN, GObject)

/* The newest run file format this version reads and writes. A run with a
 * single round is still written as format 1, which older versions read; a
 * run with follow-up rounds is format 2. */
#define CS_RUN_FORMAT_VERSION 2

CsRun         *cs_run_new                 (CsMode       mode,
                                           const char  *problem);
/* A unique, file-name-safe id ("20261125-162530-a1b2c3"), made at creation. */
const char    *cs_run_get_id              (CsRun       *self);
const char    *cs_run_get_title           (CsRun       *self);
void           cs_run_set_title           (CsRun       *self,
                                           const char  *title);
CsMode         cs_run_get_mode            (CsRun       *self);
void           cs_run_set_mode            (CsRun       *self,
                                           CsMode       mode);
const char    *cs_run_get_problem         (CsRun       *self);
void           cs_run_set_problem         (CsRun       *self,
                                           const char  *problem);
CsRunState     cs_run_get_state           (CsRun       *self);
void           cs_run_set_state           (CsRun       *self,
                                           CsRunState   state);
/* A run-level message (why it failed, or why the result is degraded). */
const char    *cs_run_get_message         (CsRun       *self);
void           cs_run_set_message         (CsRun       *self,
                                           const char  *message);
/* Unix time in seconds. */
gint64         cs_run_get_created         (CsRun       *self);
gint64         cs_run_get_updated         (CsRun       *self);
void           cs_run_touch               (CsRun       *self);

/* Constraints keep their insertion order. A NULL or empty value removes. */
void           cs_run_set_constraint      (CsRun       *self,
                                           const char  *key,
                                           const char  *value);
const char    *cs_run_get_constraint      (CsRun       *self,
                                           const char  *key);
/* NULL-terminated, owned by the run, valid until the next change */
const char * const *cs_run_get_constraint_keys (CsRun  *self);

/* "provider/model" of the judge, or NULL for none */
const char    *cs_run_get_judge           (CsRun       *self);
void           cs_run_set_judge           (CsRun       *self,
                                           const char  *judge);

void           cs_run_add_candidate       (CsRun       *self,
                                           CsCandidate *candidate);
CsCandidate   *cs_run_find_candidate      (CsRun       *self,
                                           const char  *id);
guint          cs_run_count_status        (CsRun       *self,
                                           CsCandidateStatus status);
gboolean       cs_run_all_final           (CsRun       *self);

/* The synthesized result as the run file keeps it (the envelope CsResult
 * reads and writes: see cs-result.h), or NULL before synthesis. Views read
 * cs_run_get_result () instead. */
JsonNode      *cs_run_get_synthesis       (CsRun       *self);
void           cs_run_set_synthesis       (CsRun       *self,
                                           JsonNode    *synthesis);
/* The synthesis typed, parsed on first use and kept until
 * cs_run_set_synthesis () is called again (even with the same node); NULL
 * before synthesis. Not owned. */
CsResult      *cs_run_get_result          (CsRun       *self);

/* Check marks on the synthesized checklist, by step index. */
gboolean       cs_run_get_step_checked    (CsRun       *self,
                                           guint        step);
void           cs_run_set_step_checked    (CsRun       *self,
                                           guint        step,
                                           gboolean     checked);

/* Totals over all candidates (and the judge's usage, recorded separately). */
double         cs_run_get_total_cost_usd  (CsRun       *self);
gint64         cs_run_get_total_input_tokens  (CsRun   *self);
gint64         cs_run_get_total_output_tokens (CsRun   *self);
void           cs_run_set_judge_usage     (CsRun       *self,
                                           gint64       input_tokens,
                                           gint64       output_tokens,
                                           double       cost_usd,
                                           gint64       duration_ms);

/* The judge's usage as recorded by cs_run_set_judge_usage (); FALSE when
 * none was (negative input tokens). Any out pointer may be NULL. */
gboolean       cs_run_get_judge_usage     (CsRun       *self,
                                           gint64      *input_tokens,
                                           gint64      *output_tokens,
                                           double      *cost_usd,
                                           gint64      *duration_ms);

/* Rounds (cs-round.h): a GListModel of CsRound in order, never empty
 * (round 1 is the run's first answer). cs_run_get_round () counts from 1
 * and returns NULL past the last; the round is owned by the run. */
GListModel    *cs_run_get_rounds          (CsRun       *self);
guint          cs_run_get_n_rounds        (CsRun       *self);
CsRound       *cs_run_get_round           (CsRun       *self,
                                           guint        index);
/* The round whose result the run shows: the last one that succeeded, or
 * the one in progress. The run's candidates, synthesis and judge usage are
 * this round's. */
CsRound       *cs_run_get_current_round   (CsRun       *self);
/* How a worked step closed the session (the current round's), or NULL. */
const CsResolution *cs_run_get_resolution (CsRun       *self);

/* cs-run-cost.c: what the run costs and the settings it ran with */
/* Every candidate with usage (and the judge) had a priced model: the total
 * cost is known; otherwise it is a lower bound ("price unknown"). */
gboolean       cs_run_get_cost_known      (CsRun       *self);
void           cs_run_set_judge_price_known (CsRun     *self,
                                           gboolean     known);
/* Some of the totals are the engine's count (cs-token-count.h), not the
 * providers': a request the budget stopped before its provider reported
 * usage counts its prompt and the text it streamed. Saved. */
gboolean       cs_run_get_usage_estimated (CsRun       *self);
void           cs_run_set_usage_estimated (CsRun       *self);
/* What the rounds before the current one used beyond what the current
 * round shows (its candidates, judges; the peer ranking is the run's): the
 * part of the run's totals that no row of the current round's cost table
 * holds. @known: every request of it priced; @estimated: some of it
 * counted by Consilium. FALSE when the run has one round or they used
 * nothing. */
gboolean       cs_run_get_earlier_usage   (CsRun       *self,
                                           gint64      *input_tokens,
                                           gint64      *output_tokens,
                                           double      *cost_usd,
                                           gboolean    *known,
                                           gboolean    *estimated);
/* The run's wall time from the start to its end, -1 unknown. Saved. */
gint64         cs_run_get_wall_ms         (CsRun       *self);
void           cs_run_set_wall_ms         (CsRun       *self,
                                           gint64       wall_ms);
/* The hard budget the run ran under, USD; NAN none. Saved. */
double         cs_run_get_budget_usd      (CsRun       *self);
void           cs_run_set_budget_usd      (CsRun       *self,
                                           double       budget_usd);
/* Per-model overrides of the providers file for this run (see cs-knobs.h),
 * by "provider/model" (or the spec as planned, "provider/model:COUNT");
 * NULL or empty knobs remove them. Read when the run is planned; not saved
 * (each candidate saves the values its request went with). */
void           cs_run_set_knobs           (CsRun       *self,
                                           const char  *model,
                                           const CsKnobs *knobs);
/* NULL when none were set for @model */
const CsKnobs *cs_run_get_knobs           (CsRun       *self,
                                           const char  *model);
/* The run file form. new_from_json refuses a newer format version. */
JsonNode      *cs_run_to_json             (CsRun       *self);
/* The run file form with every member a script may read present, so that
 * no script needs a null check: the CLI's JSON contract (cs_export_json ()).
 * Shares nothing with the run. */
JsonNode      *cs_run_to_json_complete    (CsRun       *self);
CsRun         *cs_run_new_from_json       (JsonNode    *node,
                                           GError     **error);

G_END_DECLS
