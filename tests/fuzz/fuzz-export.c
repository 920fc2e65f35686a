/* fuzz-export.c: libFuzzer harness for the Markdown and JSON exports
 *
 * The input is a run file, loaded as fuzz-run-file does, then exported.
 * Checks: both exports exist and are valid UTF-8 without NUL; every code
 * fence in the Markdown is closed (model text cannot open or end one); the
 * JSON export is one strict JSON object; exporting is deterministic and
 * leaves the run as it was.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "cs-export.h"
#include "fuzz-run.h"

/* Walks the fences as CommonMark does: a line of three or more backticks
 * (after indentation) opens one; inside, only a line of at least as many
 * backticks and nothing else closes it. */
static void
check_fences (const char *markdown)
{
  g_auto(GStrv) lines = g_strsplit (markdown, "\n", -1);
  gsize open = 0;
  guint open_line = 0;
  guint i;

  for (i = 0; lines[i] != NULL; i++)
    {
      const char *p = lines[i];
      gsize ticks = 0;
      const char *rest;

      while (*p == ' ' || *p == '\t')
        p++;
      while (p[ticks] == '`')
        ticks++;
      if (ticks < 3)
        continue;
      rest = p + ticks;
      if (open == 0)
        {
          open = ticks;
          open_line = i + 1;
        }
      else if (ticks >= open && rest[strspn (rest, " \t")] == '\0')
        open = 0;
    }

  if (open != 0)
    fuzz_fail ("the fence opened on line %u is never closed:\n%s", open_line, markdown);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(CsRun) run = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) exported = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *markdown = NULL;
  g_autofree char *markdown_again = NULL;
  g_autofree char *json = NULL;
  g_autofree char *json_again = NULL;

  fuzz_setup ();

  run = fuzz_load_run ((const char *) data, (gssize) size);
  if (run == NULL)
    return 0;
  before = fuzz_run_to_string (run);

  markdown = cs_export_markdown (run);
  fuzz_check (markdown != NULL);
  fuzz_check (g_utf8_validate (markdown, -1, NULL));
  check_fences (markdown);

  json = cs_export_json (run);
  fuzz_check (json != NULL);
  fuzz_check (g_utf8_validate (json, -1, NULL));
  /* The run's own nesting is bounded by the loader; the export adds a few levels. */
  exported = cs_json_parse_bounded (json, -1, CS_JSON_DEFAULT_MAX_DEPTH + 16, &error);
  if (exported == NULL)
    fuzz_fail ("the JSON export is not strict JSON: %s\n%s", error->message, json);
  fuzz_check (JSON_NODE_HOLDS_OBJECT (exported));
  fuzz_check (json_object_has_member (json_node_get_object (exported), "candidates"));

  markdown_again = cs_export_markdown (run);
  json_again = cs_export_json (run);
  fuzz_check (g_strcmp0 (markdown, markdown_again) == 0);
  fuzz_check (g_strcmp0 (json, json_again) == 0);

  after = fuzz_run_to_string (run);
  if (g_strcmp0 (before, after) != 0)
    fuzz_fail ("exporting changed the run:\n--- before\n%s\n--- after\n%s", before, after);

  return 0;
}
