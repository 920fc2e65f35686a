/* cs-request-body.h: a chat request → its HTTP body in each API dialect
 *
 * Pure code, no I/O: the writing half of what cs-stream-decoder.h reads.
 * OpenAI Chat Completions, OpenAI Responses and Ollama each name the same
 * things differently (max_completion_tokens / max_output_tokens /
 * options.num_predict, response_format / text.format / format, verbosity /
 * text.verbosity / none, …).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "cs-types.h"
#include "cs-config.h"

G_BEGIN_DECLS

typedef struct {
  const char *model;               /* the model name without provider prefix */
  JsonNode   *messages;            /* array of {"role","content"} */
  guint       n;                   /* choices in one request, >= 1 */
  double      temperature;         /* NAN: not sent */
  const char *reasoning_effort;    /* NULL: not sent */
  guint64     max_output_tokens;   /* 0: not sent */
  const char *verbosity;           /* NULL: not sent; never to Ollama */
  CsStructuredOutput structured;   /* how to ask for JSON */
  JsonNode   *schema;              /* the JSON Schema when structured is JSON_SCHEMA */
  const char *schema_name;
  const char *run_id;              /* for the request log only: NULL outside a run */
  const char *candidates;          /* for the request log only: "c1,c2", "judge" */
} CsChatRequest;

/* The path of the streaming endpoint below the base URL ("/chat/completions",
 * "/responses", "/api/chat"). */
const char *cs_request_body_path  (CsApiDialect         dialect);
/* The JSON body that asks @dialect to stream @request. */
GBytes     *cs_request_body_build (CsApiDialect         dialect,
                                   const CsChatRequest *request);

G_END_DECLS
