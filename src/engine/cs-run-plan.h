/* cs-run-plan.h: a run's candidates, and the requests they share
 *
 * Internal to the runner (cs-runner-private.h). The plan turns
 * "provider/model[:COUNT]" choices into slots, one per candidate, grouped
 * into the requests that will carry them; see cs-run-plan.c for how angles,
 * n > 1 and temperatures are dealt out. The runner then fills in each
 * slot's progress.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "cs-candidate.h"
#include "cs-config.h"
#include "cs-mode.h"
#include "cs-run.h"

G_BEGIN_DECLS

typedef struct _CsRunnerGroup   CsRunnerGroup;
typedef struct _CsRunnerSlot    CsRunnerSlot;
typedef struct _CsRunnerRequest CsRunnerRequest;   /* the runner's, in flight */

/* Candidates of one model and one angle: one request with n = their number. */
struct _CsRunnerGroup
{
  const CsModelConfig *model;       /* = own_model */
  CsModelConfig       *own_model;   /* the config's, with the run's knobs applied */
  const CsAngle       *angle;
  double               temperature;
  GPtrArray           *slots;       /* of CsRunnerSlot*, unowned */
  JsonNode            *messages;    /* built at execute time */
};

/* One candidate: its place in the plan, then its progress. */
struct _CsRunnerSlot
{
  CsCandidate     *candidate;
  CsRunnerGroup   *group;
  CsRunnerRequest *request;         /* in flight, or NULL */
  guint            repairs;
  gboolean         user_cancelled;
  gboolean         got_first;
  gint64           first_us;        /* monotonic time of the first event */
  GTask           *retry_task;      /* a retry waiting for this slot */
};

void     _cs_runner_group_free (CsRunnerGroup      *group);
void     _cs_runner_slot_free  (CsRunnerSlot       *slot);

/* Adds the candidates of @models to @run, appending their groups to @groups
 * and their slots to @slots (which hold the plans made before). Errors
 * (CS_RUNNER_ERROR_CONFIG) name the unknown model. */
gboolean _cs_run_plan_add      (CsConfig           *config,
                                CsRun              *run,
                                const char * const *models,
                                GPtrArray          *groups,
                                GPtrArray          *slots,
                                GError            **error);

/* cs-run-plan-adopt.c: a slot of its own group for each of the run's
 * current candidates that @slots lacks (a runner that did not plan them:
 * a reopened run, a round the judge alone answered). A candidate whose
 * model is no longer configured gets a group whose model is NULL. Returns
 * how many were adopted. */
guint    _cs_run_plan_adopt    (CsConfig           *config,
                                CsRun              *run,
                                GPtrArray          *groups,
                                GPtrArray          *slots);

/* A follow-up's plan (scope all): the candidates of @previous (of
 * CsCandidate, the round followed up on) asked again in their order, each
 * with its model, its angle and the knobs its request went with (what the
 * run file keeps per candidate; a file from before they were kept: the
 * model's defaults), then the knobs @overrides (model id → CsKnobs, may be
 * NULL) sets for its model on top; the same model, angle and knobs share a
 * request up to their n, as they did. No temperature spread: each request
 * gets the temperature it had. */
gboolean _cs_run_plan_again    (CsConfig           *config,
                                CsRun              *run,
                                GPtrArray          *previous,
                                GHashTable         *overrides,
                                GPtrArray          *groups,
                                GPtrArray          *slots,
                                GError            **error);

G_END_DECLS
