/* cs-estimate.h: what a planned run will cost, before it starts
 *
 * A range, per model and stage and in total. Input: the prompt of each
 * request the plan sends (its messages, 4 bytes of UTF-8 a token,
 * cs-token-count.h) times the
 * requests. Output, per candidate: at most the model's max-output-tokens
 * (16,384 assumed where none is set); at least the median output of the
 * model's candidates in past runs, where there are any (else nothing).
 *
 * With peer ranking on (and at least 3 candidates), each candidate's model
 * gets one ranking request: its input is the prompt plus the other
 * candidates' output (low and high from their output figures), its output
 * bounded as a candidate's. The judge, when the run has one, reads every
 * candidate's answer: its input is the prompt plus the candidates' output,
 * its output bounded as a candidate's.
 *
 * The upper figure also counts what a run may send but usually does not:
 * one repair request a candidate (its prompt, a bad answer, the errors),
 * one for the judge, and the fallback judge (a request and its repair)
 * when the run has one. The low figure counts none of them. Prices are the
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

typedef enum {
  CS_ESTIMATE_CANDIDATES,
  CS_ESTIMATE_RANKING,        /* peer ranking requests */
  CS_ESTIMATE_JUDGE,
  CS_ESTIMATE_FALLBACK_JUDGE, /* asked only when the judge fails: upper figure only */
} CsEstimateStage;

typedef struct {
  char            *model;          /* "provider/model" */
  char            *label;          /* the model's display name, as the app shows it */
  char            *provider;       /* the provider's display name */
  CsEstimateStage  stage;
  gboolean         is_judge;       /* the judge or the fallback judge */
  guint            candidates;     /* candidates (rankers for ranking); 0 for a judge */
  guint            requests;       /* sent in any case (0 for the fallback judge) */
  guint            repairs;        /* repair (or fallback) requests, counted in the upper figure only */
  gint64           input_low;      /* without repairs, from the output's low figure */
  gint64           input_tokens;   /* the upper figure, repairs included */
  gint64           output_low;     /* all its candidates */
  gint64           output_high;    /* repairs included */
  gboolean         output_capped;  /* output_high from max-output-tokens, not assumed */
  guint            past_samples;   /* past candidates its low figure comes from; 0: none */
  gboolean         priced;
  double           usd_low;
  double           usd_high;
} CsEstimateLine;

typedef struct {
  GPtrArray *lines;         /* of CsEstimateLine*: candidates, ranking, judge, fallback judge */
  guint      requests;      /* sent in any case */
  guint      repairs;       /* at most, besides */
  gint64     input_tokens;  /* upper */
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
/* The display names of the models without a price, ", "-separated; NULL
 * when every model has one. */
char       *cs_estimate_dup_unpriced (const CsEstimate *self);

/* cs-estimate-text.c */
/* "$0.0123 – $0.4567"; with models without a price, the priced models'
 * range "plus MODELS: price unknown", or "price unknown (MODELS)": for a
 * label. Models by their display names. */
char       *cs_estimate_to_short (const CsEstimate *self);
/* "≈ $0.02–0.09", "≈ $0.02–0.09 + ?" (some price unknown), "price
 * unknown": a few characters, for a button. */
char       *cs_estimate_to_compact (const CsEstimate *self);
/* "≤ $0.09", "≤ $0.09 + ?", "$ ?": the upper figure alone, for a narrow
 * window. */
char       *cs_estimate_to_narrow (const CsEstimate *self);
/* A few lines, one a model and stage and the total, for the CLI and a
 * tooltip. */
char       *cs_estimate_to_text  (const CsEstimate *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsEstimate, cs_estimate_free)

G_END_DECLS
