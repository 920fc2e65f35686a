/* cs-judge.h: the judge's schema and request, and applying its verdict
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "cs-types.h"

G_BEGIN_DECLS

/* The judge's JSON Schema: schemas/judge.schema.json (a critique of each
 * candidate, the rationale) with the mode's schema as the result. Built once
 * per mode and owned by the engine, like cs_mode_get_schema (): do not free. */
JsonNode   *cs_synthesis_get_judge_schema      (CsMode              mode);
const char *cs_synthesis_get_judge_schema_name (CsMode              mode);

/* The judge request's messages: the problem and constraints, every valid
 * candidate as "### Candidate <id> (angle: …)" + its JSON (blind: never its
 * model or provider), in the order @seed shuffles them into, the fused
 * summary (votes, consensus) from cs_synthesis_fuse and the peer
 * @ranking (cs-ranking.h) when there is one. */
JsonNode   *cs_synthesis_build_judge_messages  (CsMode              mode,
                                                const char         *problem,
                                                const char * const *constraint_keys,
                                                const char * const *constraint_values,
                                                GPtrArray          *candidates,
                                                JsonNode           *fused,
                                                guint32             seed,
                                                JsonNode           *ranking);

/* A new array (no free function) of @items' pointers in the order @seed
 * shuffles them into: the same seed, the same order. */
GPtrArray  *cs_judge_shuffle                   (GPtrArray          *items,
                                                guint32             seed);

/* Merges the judge's validated reply into a copy of @fused: the data
 * becomes the judge's result (annotated with consensus support where steps
 * or components match), its rationale and critiques are set, the judge is
 * added to the methods. On a reply that does not fit returns NULL with an
 * error. */
JsonNode   *cs_synthesis_apply_judge           (CsMode              mode,
                                                JsonNode           *fused,
                                                JsonNode           *judge_reply,
                                                const char         *judge_model,
                                                GError            **error);

/* The judge's reply checked part by part (cs-judge-check.c): the result
 * against the mode's schema and the rationale must fit, or NULL with an
 * error fit for a repair request; each critique is checked on its own
 * (the critique schema, an id of @candidate_ids, once each) and one that
 * does not fit is left out, said in @notes_out (NULL when none was).
 * Returns a new reply of the parts that fit. */
JsonNode   *cs_judge_check_reply               (CsMode               mode,
                                                JsonNode            *reply,
                                                const char * const  *candidate_ids,
                                                char               **notes_out,
                                                GError             **error);

G_END_DECLS
