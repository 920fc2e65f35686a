/* cs-candidate.h: one model's answer to a run, as it streams and after
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "cs-types.h"
#include "cs-result.h"

G_BEGIN_DECLS

#define CS_TYPE_CANDIDATE (cs_candidate_get_type ())

G_DECLARE_FINAL_TYPE (CsCandidate, cs_candidate, CS, CANDIDATE, GObject)

/* Which stream a chunk belongs to, for the "appended" signal. */
typedef enum {
  CS_STREAM_TEXT,
  CS_STREAM_REASONING,
  CS_STREAM_REFUSAL,
} CsStreamKind;

CsCandidate       *cs_candidate_new                 (const char        *id,
                                                     const char        *model,
                                                     const char        *angle);
const char        *cs_candidate_get_id              (CsCandidate       *self);
/* "provider/model", e.g. "kimi/kimi-k2-thinking" */
const char        *cs_candidate_get_model           (CsCandidate       *self);
/* the part before the first '/' of the model */
char              *cs_candidate_dup_provider        (CsCandidate       *self);
const char        *cs_candidate_get_angle           (CsCandidate       *self);
double             cs_candidate_get_temperature     (CsCandidate       *self);
/* NAN (the default) means "let the provider choose" */
void               cs_candidate_set_temperature     (CsCandidate       *self,
                                                     double             temperature);
const char        *cs_candidate_get_reasoning_effort(CsCandidate       *self);
void               cs_candidate_set_reasoning_effort(CsCandidate       *self,
                                                     const char        *effort);

/* The other knobs its request went with (set when planned): verbosity
 * (NULL: not sent), maximum output tokens (0: not sent) and the number of
 * choices in its request (n; 0: unknown, e.g. an old run file). */
const char        *cs_candidate_get_verbosity       (CsCandidate       *self);
void               cs_candidate_set_verbosity       (CsCandidate       *self,
                                                     const char        *verbosity);
gint64             cs_candidate_get_max_output_tokens (CsCandidate     *self);
void               cs_candidate_set_max_output_tokens (CsCandidate     *self,
                                                     gint64             max_output_tokens);
guint              cs_candidate_get_request_n       (CsCandidate       *self);
void               cs_candidate_set_request_n       (CsCandidate       *self,
                                                     guint              n);
/* FALSE when its model has no price: its cost is unknown, not $0 (set
 * before the cost; TRUE by default and in run files from before). */
gboolean           cs_candidate_get_price_known     (CsCandidate       *self);
void               cs_candidate_set_price_known     (CsCandidate       *self,
                                                     gboolean           known);

CsCandidateStatus  cs_candidate_get_status          (CsCandidate       *self);
void               cs_candidate_set_status          (CsCandidate       *self,
                                                     CsCandidateStatus  status);
/* A sentence a person understands; NULL when there is no error. */
const char        *cs_candidate_get_error           (CsCandidate       *self);
void               cs_candidate_set_error           (CsCandidate       *self,
                                                     const char        *error);

const char        *cs_candidate_get_text            (CsCandidate       *self);
const char        *cs_candidate_get_reasoning       (CsCandidate       *self);
const char        *cs_candidate_get_refusal         (CsCandidate       *self);
/* Appends and emits ::appended (kind, chunk); reasoning and refusal then
 * notify their property. Text chunks come through ::appended only:
 * notify::text means the whole text was replaced (set_text, reset_stream). */
void               cs_candidate_append              (CsCandidate       *self,
                                                     CsStreamKind       kind,
                                                     const char        *chunk,
                                                     gssize             len);
void               cs_candidate_set_text            (CsCandidate       *self,
                                                     const char        *text);
/* Clears text, reasoning, refusal, data, error and timings before a new
 * attempt (a retry or a repair request). Usage, cost and attempts are kept,
 * so every attempt's tokens add up. */
void               cs_candidate_reset_stream        (CsCandidate       *self);

const char        *cs_candidate_get_finish_reason   (CsCandidate       *self);
void               cs_candidate_set_finish_reason   (CsCandidate       *self,
                                                     const char        *reason);

/* The parsed structured reply (an object in the mode's schema), or NULL. */
JsonNode          *cs_candidate_get_data            (CsCandidate       *self);
void               cs_candidate_set_data            (CsCandidate       *self,
                                                     JsonNode          *data);
/* The data typed, parsed on first use and kept until
 * cs_candidate_set_data () is called again (even with the same node); NULL
 * when there is no data. Not owned. */
CsBlueprint       *cs_candidate_get_blueprint       (CsCandidate       *self);
CsChecklist       *cs_candidate_get_checklist       (CsCandidate       *self);
const char        *cs_candidate_get_validation_error(CsCandidate       *self);
void               cs_candidate_set_validation_error(CsCandidate       *self,
                                                     const char        *message);

/* Usage; -1 when unknown. */
gint64             cs_candidate_get_input_tokens    (CsCandidate       *self);
gint64             cs_candidate_get_output_tokens   (CsCandidate       *self);
gint64             cs_candidate_get_reasoning_tokens(CsCandidate       *self);
void               cs_candidate_set_usage           (CsCandidate       *self,
                                                     gint64             input_tokens,
                                                     gint64             output_tokens,
                                                     gint64             reasoning_tokens);
/* Adds usage of an earlier attempt (a repair request costs too). */
void               cs_candidate_add_usage           (CsCandidate       *self,
                                                     gint64             input_tokens,
                                                     gint64             output_tokens,
                                                     gint64             reasoning_tokens);
/* Whether some of the usage was counted by the engine (cs-token-count.h)
 * because the budget stopped a request before its provider reported it. */
gboolean           cs_candidate_get_usage_estimated (CsCandidate       *self);
void               cs_candidate_set_usage_estimated (CsCandidate       *self,
                                                     gboolean           estimated);
double             cs_candidate_get_cost_usd        (CsCandidate       *self);
void               cs_candidate_set_cost_usd        (CsCandidate       *self,
                                                     double             cost);
/* Milliseconds; -1 when unknown. */
gint64             cs_candidate_get_ttft_ms         (CsCandidate       *self);
void               cs_candidate_set_ttft_ms         (CsCandidate       *self,
                                                     gint64             ms);
gint64             cs_candidate_get_duration_ms     (CsCandidate       *self);
void               cs_candidate_set_duration_ms     (CsCandidate       *self,
                                                     gint64             ms);
/* Output tokens per second of streaming (after the first token); 0 if unknown. */
double             cs_candidate_get_tokens_per_second (CsCandidate     *self);
guint              cs_candidate_get_attempts        (CsCandidate       *self);
void               cs_candidate_set_attempts        (CsCandidate       *self,
                                                     guint              attempts);

/* The JSON form used in run files and in the CLI's JSON output. */
JsonNode          *cs_candidate_to_json             (CsCandidate       *self);
CsCandidate       *cs_candidate_new_from_json       (JsonNode          *node,
                                                     GError           **error);

G_END_DECLS
