/* fuzz-run-file.c: libFuzzer harness for the run file loader
 *
 * The input is a run file: parsed with the bounded JSON parser, loaded with
 * cs_run_new_from_json() and written back with cs_run_to_json(). What a run
 * writes must load again and write the same text (a saved run never changes
 * or disappears by being opened and saved again).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "fuzz-run.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(CsRun) run = NULL;
  g_autoptr(CsRun) again = NULL;
  g_autofree char *text = NULL;
  g_autofree char *text_again = NULL;
  guint i, n;

  fuzz_setup ();

  run = fuzz_load_run ((const char *) data, (gssize) size);
  if (run == NULL)
    return 0;

  /* The accessors views use. */
  fuzz_check (cs_run_get_id (run) != NULL);
  fuzz_check (cs_run_get_problem (run) != NULL);
  fuzz_check (cs_run_get_title (run) != NULL);
  fuzz_check (g_utf8_validate (cs_run_get_title (run), -1, NULL));
  n = g_list_model_get_n_items (G_LIST_MODEL (run));
  for (i = 0; i < n; i++)
    {
      g_autoptr(CsCandidate) c = g_list_model_get_item (G_LIST_MODEL (run), i);

      fuzz_check (CS_IS_CANDIDATE (c));
    }
  (void) cs_run_get_total_cost_usd (run);
  (void) cs_run_get_total_input_tokens (run);
  (void) cs_run_all_final (run);

  text = fuzz_run_to_string (run);
  again = fuzz_load_run (text, -1);
  if (again == NULL)
    fuzz_fail ("a run's own file form does not load again:\n%s", text);
  text_again = fuzz_run_to_string (again);
  if (g_strcmp0 (text, text_again) != 0)
    fuzz_fail ("a run changes when saved and loaded again:\n--- first\n%s\n--- second\n%s",
               text, text_again);

  return 0;
}
