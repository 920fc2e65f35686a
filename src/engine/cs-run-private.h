/* cs-run-private.h: the run's fields, for its files (cs-run.c, cs-run-json.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cs-run.h"
#include "cs-round-private.h"

G_BEGIN_DECLS

struct _CsRun
{
  GObject     parent_instance;

  char       *id;
  char       *title;
  char       *derived_title; /* from the problem's first line, when title is unset */
  CsMode      mode;
  char       *problem;
  CsRunState  state;
  char       *message;
  gint64      created;
  gint64      updated;
  GPtrArray  *constraint_keys;   /* NULL-terminated */
  GHashTable *constraints;
  char       *judge;
  GPtrArray  *candidates;
  JsonNode   *synthesis;
  CsResult   *result;            /* @synthesis typed, parsed on demand */
  JsonNode   *result_from;       /* the synthesis it was parsed from (a reference) */
  GHashTable *checked;           /* GUINT_TO_POINTER(step+1) set */

  gint64      judge_input_tokens;
  gint64      judge_output_tokens;
  double      judge_cost_usd;
  gint64      judge_duration_ms;

  /* cs-run-ranking.c */
  char       *fallback_judge;
  guint32     seed;
  gboolean    has_seed;
  gboolean    rank;
  JsonNode   *ranking;
  gint64      rank_input_tokens;
  gint64      rank_output_tokens;
  double      rank_cost_usd;
  gboolean    has_rank_usage;
  gboolean    rank_price_unknown; /* a ranker's model had no price */
  gboolean    rank_estimated;    /* some ranking usage counted, not reported */
  GListStore *rounds;            /* of CsRound, never empty */
  CsRound    *current;           /* the round whose result the run shows (in @rounds) */
  /* cs-run-cost.c */
  gboolean    judge_price_known; /* the judge's model had a price */
  gint64      wall_ms;           /* the run's wall time, -1 unknown */
  gboolean    usage_estimated;   /* some usage counted, not reported */
  double      budget_usd;        /* NAN: none */
  GHashTable *knobs;             /* model → CsKnobs*, this run's overrides (not saved) */
};

/* cs-run.c, for cs-round.c */
void _cs_run_emit_changed     (CsRun       *self);
/* Adds @candidate to the list without notifying (the caller does). */
void _cs_run_attach_candidate (CsRun       *self,
                               CsCandidate *candidate);

G_END_DECLS
