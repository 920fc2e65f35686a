/* cs-knobs.h: a model's settings overridden for one run
 *
 * Temperature, reasoning effort, verbosity, maximum output tokens and n
 * (choices per request) default to the providers file's values; a run may
 * override them per model (the CLI's --option, the app's model popover).
 * The run keeps them by model (cs_run_set_knobs ()); the plan applies them
 * to a copy of the model's configuration, and each candidate records the
 * values its request went with.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "cs-config.h"
#include "cs-candidate.h"

G_BEGIN_DECLS

typedef struct {
  double   temperature;        /* NAN: not set */
  char    *reasoning_effort;   /* NULL: not set; minimal|low|medium|high */
  char    *verbosity;          /* NULL: not set; low|medium|high */
  guint64  max_output_tokens;  /* 0: not set */
  guint    n;                  /* 0: not set; choices per request (the model's max-n) */
} CsKnobs;

CsKnobs       *cs_knobs_new          (void);
CsKnobs       *cs_knobs_copy         (const CsKnobs        *self);
void           cs_knobs_free         (CsKnobs              *self);
gboolean       cs_knobs_is_empty     (const CsKnobs        *self);
gboolean       cs_knobs_equal        (const CsKnobs        *a,
                                      const CsKnobs        *b);
/* What @over sets replaces @self's. */
void           cs_knobs_merge        (CsKnobs              *self,
                                      const CsKnobs        *over);
/* KEY is temperature, reasoning-effort, verbosity, max-output-tokens or n
 * ('_' for '-' too; max-tokens for max-output-tokens); an empty VALUE
 * unsets it. FALSE with a message naming the key and what it takes. */
gboolean       cs_knobs_set          (CsKnobs              *self,
                                      const char           *key,
                                      const char           *value,
                                      GError              **error);
/* "KEY=VALUE" or "MODEL@KEY=VALUE": MODEL (which may hold ':', '/' and
 * '@', e.g. "ollama/qwen3:8b" or "openrouter/deepseek/deepseek-r1:free")
 * is everything before the last '@'; *model_out is NULL without one. */
gboolean       cs_knobs_parse_option (const char           *option,
                                      char                **model_out,
                                      char                **key_out,
                                      char                **value_out,
                                      GError              **error);
/* "temperature=0.2, verbosity=low", empty when nothing is set. */
char          *cs_knobs_to_string    (const CsKnobs        *self);
/* The settings @candidate's request went with, in the option syntax
 * ("temperature=0.3, verbosity=low, n=2"; n only above 1): for its card
 * and the export. Empty when none was sent. */
char          *cs_knobs_describe_candidate (CsCandidate    *candidate);
/* The settings @candidate's request went with (n: its request's n, 0
 * when unknown): what a follow-up asks it with again. */
CsKnobs       *cs_knobs_new_from_candidate (CsCandidate    *candidate);
/* The "settings" object of the run file: {"temperature", "reasoning_effort",
 * "verbosity", "max_output_tokens"} (null when not set), and back (NULL
 * when @node is no object). */
JsonNode      *cs_knobs_to_json      (const CsKnobs        *self);
CsKnobs       *cs_knobs_new_from_json (JsonNode            *node);
/* A copy of @model with @self applied (@self may be NULL). Temperature is
 * dropped for a model that does not take one, verbosity for an API that
 * has none (@dialect Ollama), n above 1 for an API that returns one choice
 * per request (Responses, Ollama). */
CsModelConfig *cs_knobs_apply        (const CsKnobs        *self,
                                      const CsModelConfig  *model,
                                      CsApiDialect          dialect);

/* A copy of @model set to exactly what @recorded holds (a request's
 * settings, not overrides: what @recorded leaves unset is not sent; n
 * unset keeps the model's max-n), restricted for @dialect as
 * cs_knobs_apply () does. */
CsModelConfig *cs_knobs_apply_exact  (const CsKnobs        *recorded,
                                      const CsModelConfig  *model,
                                      CsApiDialect          dialect);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsKnobs, cs_knobs_free)

G_END_DECLS
