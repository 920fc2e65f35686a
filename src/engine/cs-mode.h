/* cs-mode.h: the two modes: prompts, diversity angles, schemas
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "cs-types.h"

G_BEGIN_DECLS

/* A diversity angle: a different emphasis for a candidate's prompt. */
typedef struct {
  const char *id;           /* "performance", "cost", "operability", … */
  const char *label;        /* translatable label for display */
  const char *instruction;  /* the sentence added to the prompt */
} CsAngle;

/* The candidate schema of the mode (from the engine's GResource), owned, do not free. */
JsonNode       *cs_mode_get_schema          (CsMode       mode);
/* "architecture_candidate" / "troubleshooting_candidate" */
const char     *cs_mode_get_schema_name     (CsMode       mode);
const char     *cs_mode_get_label           (CsMode       mode);
/* The angles of a mode, in order; *n_angles receives the count. */
const CsAngle  *cs_mode_get_angles          (CsMode       mode,
                                             guint       *n_angles);
const CsAngle  *cs_mode_find_angle          (CsMode       mode,
                                             const char  *id);
/* The constraint keys the mode suggests ("budget", "technologies", "scale",
 * "hosting" / "os", "stack", "tried"), NULL-terminated, static. */
const char * const *cs_mode_get_constraint_keys (CsMode   mode);
/* The English label of a constraint key as the prompts show it: "budget" →
 * "Budget", "technologies" → "Preferred technologies", "scale" → "Expected
 * scale", "hosting" → "Cloud or on-premises", "os" → "Operating system",
 * "stack" → "Stack", "tried" → "Already tried"; an unknown key as it is. */
const char     *cs_mode_get_constraint_label (const char *key);

/* The messages of a candidate request: a JSON array of {"role","content"}:
 * a system message (the mode's role, the schema's fields in words, the
 * angle's instruction, JSON-only when @with_schema_in_prompt) and a user
 * message with the problem and every constraint (keys/values NULL-terminated,
 * same length). */
JsonNode       *cs_mode_build_messages      (CsMode              mode,
                                             const char         *problem,
                                             const char * const *constraint_keys,
                                             const char * const *constraint_values,
                                             const CsAngle      *angle,
                                             gboolean            with_schema_in_prompt);
/* The messages of a repair request: the original messages, the assistant's
 * bad reply, and a user message carrying the validation error. */
JsonNode       *cs_mode_build_repair_messages (JsonNode         *messages,
                                               const char       *bad_reply,
                                               const char       *validation_error);

/* The section a follow-up round adds to its prompts (cs-mode-follow-up.c):
 * round @round_index after round @current_index, whose answer in the mode's
 * schema is @current_data; the person's @follow_up (may be NULL); every step
 * tried so far, of every round (@tried, of CsStepReport, may be NULL), of
 * which @new_reports are this round's. Person's and models' text fenced as
 * data. Returns a new string. */
char           *cs_mode_build_follow_up_context  (CsMode              mode,
                                                  guint               round_index,
                                                  guint               current_index,
                                                  JsonNode           *current_data,
                                                  const char         *follow_up,
                                                  GPtrArray          *tried,
                                                  GPtrArray          *new_reports);
/* A candidate's messages in a follow-up round: those of
 * cs_mode_build_messages () with @context after the user message's text. */
JsonNode       *cs_mode_build_follow_up_messages (CsMode              mode,
                                                  const char         *problem,
                                                  const char * const *constraint_keys,
                                                  const char * const *constraint_values,
                                                  const CsAngle      *angle,
                                                  gboolean            with_schema_in_prompt,
                                                  const char         *context);
/* Appends to the judge's @messages a user message with @context and what
 * the judge does with it. */
void            cs_mode_add_follow_up_to_judge   (JsonNode           *messages,
                                                  const char         *context);

/* Finds the JSON object in a reply: the whole text, or a ```json fenced
 * block, or the first balanced {...}. Returns NULL with an error saying why. */
JsonNode       *cs_mode_extract_json        (const char  *text,
                                             GError     **error);
/* Parses and validates a reply against the mode's schema; on failure returns
 * NULL and a message fit to send back to the model in a repair request. */
JsonNode       *cs_mode_parse_reply         (CsMode       mode,
                                             const char  *text,
                                             GError     **error);

/* A Mermaid flowchart safe to render: a node called `end` (a keyword that
 * breaks the whole diagram) becomes `end_` everywhere outside labels, the
 * `end` closing a subgraph stays. Returns a new string. */
char           *cs_mode_sanitize_mermaid    (const char  *source);

/* A copy of @schema in the form OpenAI's strict structured outputs accept
 * (keywords it rejects removed). */
JsonNode       *cs_mode_schema_for_strict   (JsonNode    *schema);

G_END_DECLS
