/* bench-quality-private.h: what the files of bench-quality share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "cs-engine.h"
#include "cs-terminal-text.h"

G_BEGIN_DECLS

/* One verdict of the blind pairwise judge, as it said it (A, B or tie). */
typedef enum {
  BQ_VERDICT_FAILED,   /* no valid verdict, even after the repair request */
  BQ_VERDICT_A,
  BQ_VERDICT_B,
  BQ_VERDICT_TIE,
} BqVerdict;

/* The same verdict from the synthesis's side. */
typedef enum {
  BQ_OUTCOME_FAILED,
  BQ_OUTCOME_WIN,
  BQ_OUTCOME_TIE,
  BQ_OUTCOME_LOSS,
} BqOutcome;

typedef struct {
  BqVerdict  verdict;
  char      *reason;          /* the judge's one line, as sent (not yet terminal-safe) */
  char      *error;           /* why there is no verdict */
  gint64     input_tokens;    /* over every attempt; 0 when the provider said nothing */
  gint64     output_tokens;
  gint64     duration_ms;
} BqJudgement;

/* Tokens and dollars; @price_unknown names the models used without a price. */
typedef struct {
  gint64      input_tokens;
  gint64      output_tokens;
  double      usd;            /* over the models with a known price */
  GPtrArray  *price_unknown;  /* of char*: model ids, each once */
} BqCost;

/* The synthesis against one valid candidate, in both orders. */
typedef struct {
  char        *candidate_id;
  char        *model;         /* for the report only: never sent to the judge */
  BqJudgement  first;         /* the synthesis is answer A */
  BqJudgement  second;        /* the synthesis is answer B */
} BqPair;

typedef struct {
  char       *set;            /* the problem file's base name */
  char       *id;
  CsMode      mode;
  char       *problem;
  GStrv       keys;           /* constraints, same length */
  GStrv       values;

  /* what happened */
  char       *run_id;         /* the run's id (in the history with --keep-runs) */
  gboolean    ran;
  gboolean    skipped;        /* not run: --max-usd was reached */
  char       *error;          /* the run gave no result, or why it was skipped */
  guint       n_candidates;
  guint       n_valid;
  char       *methods;        /* "ensemble+consensus+judge" */
  gboolean    degraded;
  GPtrArray  *pairs;          /* of BqPair* */
  BqCost      run_cost;       /* candidates and the run's judge */
  BqCost      judge_cost;     /* the pairwise judge */
  double      run_s;
  double      judge_s;
} BqProblem;

/* Counts over pairs, for a problem or all of them. */
typedef struct {
  guint   judgements;         /* 2 per pair */
  guint   wins, ties, losses, failed;
  guint   pairs;
  guint   decided;            /* pairs with a verdict in both orders */
  guint   consistent;         /* of the decided: both orders agree */
  guint   pair_wins, pair_ties, pair_losses;  /* both orders agree on a win / loss; else a tie */
} BqTally;

/* bench-quality-problems.c */
GPtrArray  *bq_problems_load     (const char * const *paths,
                                  int                 limit,
                                  GError            **error);
void        bq_problem_free      (BqProblem          *problem);
void        bq_pair_free         (BqPair             *pair);
void        bq_judgement_clear   (BqJudgement        *judgement);
void        bq_cost_init         (BqCost             *cost);
void        bq_cost_clear        (BqCost             *cost);
void        bq_cost_add          (BqCost             *cost,
                                  const CsModelConfig *model,
                                  const char         *model_id,
                                  gint64              input_tokens,
                                  gint64              output_tokens);
/* Usage the engine priced itself (the run's judge, a fallback judge, the
 * peer ranking): @unknown_model names a model without a price, or NULL. */
void        bq_cost_add_priced   (BqCost             *cost,
                                  gint64              input_tokens,
                                  gint64              output_tokens,
                                  double              usd,
                                  const char         *unknown_model);
void        bq_cost_merge        (BqCost             *into,
                                  const BqCost       *from);

/* bench-quality-compare.c: the blind pairwise judge */
typedef struct _BqJudge BqJudge;

BqJudge    *bq_judge_new         (CsConfig           *config,
                                  const char         *model_id,
                                  GError            **error);
void        bq_judge_free        (BqJudge            *judge);
/* Looks the provider's key up (environment or keyring) on the main loop;
 * FALSE with an error when a key is needed and there is none. */
gboolean    bq_judge_prepare     (BqJudge            *judge,
                                  GError            **error);
const CsModelConfig *bq_judge_get_model (BqJudge     *judge);
/* The answer as the judge sees it: only the members of the mode's schema,
 * in the schema's order, pretty-printed (no annotation that would tell the
 * synthesis from a candidate). */
char       *bq_answer_render     (CsMode              mode,
                                  JsonNode           *data);
/* Asks which of @answer_a and @answer_b is better; one repair request if
 * the reply does not fit the schema. Fills @out when done, then calls
 * @done (on the main loop). */
void        bq_judge_compare     (BqJudge            *judge,
                                  const BqProblem    *problem,
                                  const char         *answer_a,
                                  const char         *answer_b,
                                  GCancellable       *cancellable,
                                  BqJudgement        *out,
                                  GFunc               done,
                                  gpointer            done_data);

/* bench-quality-report.c */
BqOutcome   bq_outcome           (BqVerdict           verdict,
                                  gboolean            synthesis_is_a);
void        bq_tally_add_problem (BqTally            *tally,
                                  const BqProblem    *problem);
void        bq_report_text       (GPtrArray          *problems);
char       *bq_report_json       (GPtrArray          *problems,
                                  JsonNode           *header);

G_END_DECLS
