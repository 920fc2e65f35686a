/* cs-run-ranking.h: what a run keeps for its synthesis stage beyond the
 * judge: the fallback judge, the seed of the judge's candidate order, the
 * peer ranking switch and its result
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cs-run.h"

G_BEGIN_DECLS

/* "provider/model" of the judge tried when the first one fails, or NULL. */
const char *cs_run_get_fallback_judge (CsRun      *self);
void        cs_run_set_fallback_judge (CsRun      *self,
                                       const char *judge);

/* The seed that shuffles the order the judge and the rankers see the
 * candidates in, saved in the run so a run can be replayed: FALSE when
 * none is set yet. */
gboolean    cs_run_get_seed           (CsRun      *self,
                                       guint32    *seed);
void        cs_run_set_seed           (CsRun      *self,
                                       guint32     seed);
/* The seed; when none is set, a random one is set first (each run its own
 * order; saved with the run, so a replay uses the same). */
guint32     cs_run_ensure_seed        (CsRun      *self);

/* Whether the peer ranking stage runs (off by default). */
gboolean    cs_run_get_rank           (CsRun      *self);
void        cs_run_set_rank           (CsRun      *self,
                                       gboolean    rank);

/* The peer ranking (cs-ranking.h: cs_ranking_to_json ()), or NULL. */
JsonNode   *cs_run_get_ranking        (CsRun      *self);
void        cs_run_set_ranking        (CsRun      *self,
                                       JsonNode   *ranking);

/* Adds one request's usage to the judge's (a repair or a fallback judge
 * adds to the first); negative counts are unknown and add nothing. */
void        cs_run_add_judge_usage    (CsRun      *self,
                                       gint64      input_tokens,
                                       gint64      output_tokens,
                                       double      cost_usd,
                                       gint64      duration_ms);

/* Adds a peer ranking request's usage (part of the run's totals): a
 * ranker's model without a price leaves the ranking's cost (and the run's)
 * unknown; @estimated: its usage counted by Consilium (a request the
 * budget stopped before its provider said). */
void        cs_run_add_ranking_usage  (CsRun      *self,
                                       gint64      input_tokens,
                                       gint64      output_tokens,
                                       double      cost_usd,
                                       gboolean    price_known,
                                       gboolean    estimated);
/* The peer ranking's usage; FALSE when none was recorded. */
gboolean    cs_run_get_ranking_usage  (CsRun      *self,
                                       gint64     *input_tokens,
                                       gint64     *output_tokens,
                                       double     *cost_usd);

/* Whether every ranker's model had a price, and whether some ranking
 * usage was counted by Consilium rather than reported. */
void        cs_run_get_ranking_marks  (CsRun      *self,
                                       gboolean   *price_known,
                                       gboolean   *estimated);

/* For cs-run.c and cs-run-json.c. */
void        _cs_run_ranking_clear     (CsRun       *self);
void        _cs_run_ranking_to_json   (CsRun       *self,
                                       JsonBuilder *builder);
void        _cs_run_ranking_from_json (CsRun       *self,
                                       JsonObject  *obj);

G_END_DECLS
