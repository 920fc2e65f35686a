/* fuzz-run.h: loading a run file from a fuzz input, as the run store would
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cs-json-schema.h"
#include "cs-json-util.h"
#include "cs-run.h"
#include "fuzz-common.h"

G_BEGIN_DECLS

/* Parses @data with the bounded parser (json-glib 1.6 alone recurses once per
 * nesting level) and loads it as a run. NULL when either step refuses it; the
 * error must then be set, and be valid UTF-8. */
static inline CsRun *
fuzz_load_run (const char *data,
               gssize      len)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  CsRun *run;

  node = cs_json_parse_bounded (data, len, 0, &error);
  if (node == NULL)
    {
      fuzz_check (error != NULL);
      return NULL;
    }

  run = cs_run_new_from_json (node, &error);
  if (run == NULL)
    {
      fuzz_check (error != NULL);
      fuzz_check (g_utf8_validate (error->message, -1, NULL));
      return NULL;
    }
  fuzz_check (error == NULL);
  fuzz_check (CS_IS_RUN (run));
  return run;
}

/* The run's file form as text, written as the run store writes it. */
static inline char *
fuzz_run_to_string (CsRun *run)
{
  g_autoptr(JsonNode) node = cs_run_to_json (run);

  fuzz_check (node != NULL && JSON_NODE_HOLDS_OBJECT (node));
  return cs_json_to_string (node, FALSE);
}

G_END_DECLS
