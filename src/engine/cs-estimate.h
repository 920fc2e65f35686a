/* cs-estimate.h: what a planned run will cost, before it starts
 *
 * A range, per model and in total. Input: the prompt of each request the
 * plan sends (its messages, 4 characters a token) times the requests.
 * Output, per candidate: at most the model's max-output-tokens (16,384
 * assumed where none is set); at least the median output of the model's
 * candidates in past runs, where there are any (else nothing). The judge,
 * when the run has one, reads every candidate's answer: its input is the
 * prompt plus the candidates' output, its output bounded as a candidate's.
 * A repair request (at most one a candidate) is not counted. Prices are the
 * models' (the run's knobs applied); a model without a price leaves the
 * cost unknown, never $0.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "cs-runner.h"

G_BEGIN_DECLS

/* output tokens assumed for a candidate whose model sets no maximum */
#define CS_ESTIMATE_ASSUMED_MAX_OUTPUT 16384

typedef struct {
  char     *model;          /* "provider/model" */
  gboolean  is_judge;
  guint     candidates;     /* 0 for the judge */
  guint     requests;
  gint64    input_tokens;   /* all its requests; for the judge the upper figure */
  gint64    output_low;     /* all its candidates */
  gint64    output_high;
  gboolean  output_capped;  /* output_high from max-output-tokens, not assumed */
  guint     past_samples;   /* past candidates its low figure comes from; 0: none */
  gboolean  priced;
  double    usd_low;
  double    usd_high;
} CsEstimateLine;

typedef struct {
  GPtrArray *lines;         /* of CsEstimateLine*, the judge last */
  guint      requests;
  gint64     input_tokens;
  gint64     output_low;
  gint64     output_high;
  gboolean   priced;        /* every line priced: the cost range is known */
  double     usd_low;       /* of the priced lines */
  double     usd_high;
} CsEstimate;

/* The estimate of @runner's plan (cs_runner_plan () done, not executed).
 * @history: a GListModel of CsRun (a CsRunStore), or NULL; the runner's
 * own run is skipped. Sends nothing. */
CsEstimate *cs_estimate_new      (CsRunner         *runner,
                                  GListModel       *history);
void        cs_estimate_free     (CsEstimate       *self);
/* The upper figure passes @budget_usd, or a price is unknown (no budget
 * can be kept then). */
gboolean    cs_estimate_exceeds  (const CsEstimate *self,
                                  double            budget_usd);
/* "$0.0123 – $0.4567"; with models without a price, the priced models'
 * range "plus MODELS: price unknown", or "price unknown (MODELS)": for a
 * label. */
char       *cs_estimate_to_short (const CsEstimate *self);
/* A few lines, one a model and the total, for the CLI. */
char       *cs_estimate_to_text  (const CsEstimate *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsEstimate, cs_estimate_free)

G_END_DECLS
