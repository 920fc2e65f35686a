/* test-locale-de.c: the app's numbers under de_DE.UTF-8
 *
 * The app runs in the user's locale (LC_ALL=""), so a German desktop
 * formats with a decimal comma and "." grouping. What a person reads
 * follows it, one way throughout; what goes to a model or a file does not.
 *
 * - /locale-de/counts: token counts grouped as German writes them
 *   ("50.016"), whole dollars too;
 * - /locale-de/estimate: the estimate on the button, in its narrow form
 *   and in the popover's range: decimal commas ("≈ $0,02–0,09");
 * - /locale-de/totals: the run page's totals and a card's footer, in
 *   German words from this build's translations ("50.016 Tokens · 7,1 s");
 * - /locale-de/judge-prompt: the judge's prompt (English, for a model)
 *   keeps a decimal point in the peer ranking's figures whatever the
 *   user's locale ("2.5 points, mean rank 1.5").
 *
 * de_DE.UTF-8 is used where the system has it; else it is made from the
 * system's locale sources (Debian's `locales`, installed by tools/deps.sh)
 * with localedef into a temporary folder that LOCPATH names. Neither
 * there is a failure, not a skip: the locale can always be made.
 * (The app has no percentages to format.)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <glib/gi18n.h>

#include "cs-candidate-view.h"
#include "cs-engine.h"
#include "cs-estimate.h"
#include "cs-judge.h"
#include "cs-number-format.h"
#include "cs-ranking.h"
#include "cs-run-totals.h"
#include "test-util.h"

static char *locale_dir;

static void
test_counts (void)
{
  g_autofree char *a = cs_format_count (50016);
  g_autofree char *b = cs_format_count (12345678);
  g_autofree char *c = cs_format_count (999);
  g_autofree char *d = cs_format_whole (2680.4);

  g_assert_cmpstr (localeconv ()->decimal_point, ==, ",");
  g_assert_cmpstr (a, ==, "50.016");
  g_assert_cmpstr (b, ==, "12.345.678");
  g_assert_cmpstr (c, ==, "999");
  g_assert_cmpstr (d, ==, "2.680");
}

static void
test_estimate (void)
{
  CsEstimateLine line = {
    .model = (char *) "demo/alpha", .label = (char *) "alpha", .provider = (char *) "Demo",
    .stage = CS_ESTIMATE_CANDIDATES, .candidates = 1, .requests = 1,
    .input_low = 1200, .input_tokens = 1200, .output_low = 300, .output_high = 16384,
    .output_capped = TRUE, .priced = TRUE, .usd_low = 0.0213, .usd_high = 0.0871,
  };
  g_autoptr(GPtrArray) lines = g_ptr_array_new ();
  CsEstimate estimate = {
    .lines = lines, .requests = 1, .input_tokens = 1200, .output_low = 300, .output_high = 16384,
    .priced = TRUE, .usd_low = 0.0213, .usd_high = 0.0871,
  };
  g_autofree char *compact = NULL;
  g_autofree char *narrow = NULL;
  g_autofree char *range = NULL;

  g_ptr_array_add (lines, &line);
  compact = cs_estimate_to_compact (&estimate);
  narrow = cs_estimate_to_narrow (&estimate);
  range = cs_estimate_to_short (&estimate);
  g_assert_cmpstr (compact, ==, "≈ $0,02–0,09");
  g_assert_cmpstr (narrow, ==, "≤ $0,09");
  g_assert_cmpstr (range, ==, "$0,0213 – $0,0871");
}

static void
test_totals (void)
{
  g_autoptr(CsRun) run = cs_run_new (CS_MODE_ARCHITECT, "A cache");
  g_autoptr(CsCandidate) c = cs_candidate_new ("c1", "demo/alpha", NULL);
  g_autofree char *localedir = g_test_build_filename (G_TEST_BUILT, "..", "po", NULL);
  g_autofree char *totals = NULL;
  g_autofree char *footer = NULL;

  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  /* the translation this build made, or the test has nothing to read */
  g_assert_cmpstr (_(" · %s tokens · %.1f s"), !=, " · %s tokens · %.1f s");

  cs_candidate_set_usage (c, 30000, 20016, 0);
  cs_candidate_set_price_known (c, TRUE);
  cs_candidate_set_cost_usd (c, 0.0123);
  cs_candidate_set_ttft_ms (c, 850);
  cs_candidate_set_duration_ms (c, 4200);
  cs_run_add_candidate (run, c);
  cs_run_set_wall_ms (run, 7100);

  totals = cs_run_page_append_totals (run, g_strdup ("Fertig"));
  g_test_message ("%s", totals);
  g_assert_cmpstr (totals, ==, "Fertig · $0,0123 · 50.016 Tokens · 7,1 s");

  footer = cs_candidate_format_footer (c, -1);
  g_test_message ("%s", footer);
  g_assert_nonnull (strstr (footer, "30.000 Tokens Eingabe / 20.016 Ausgabe"));
  g_assert_nonnull (strstr (footer, " · $0,0123 · "));
  g_assert_nonnull (strstr (footer, " 850 ms"));
  g_assert_nonnull (strstr (footer, " 4,2 s"));

  /* usage the budget's stop left Consilium to count: said beside the
   * figures (in whatever words the translation has) */
  cs_candidate_set_usage_estimated (c, TRUE);
  {
    g_autofree char *estimated_totals = cs_run_page_append_totals (run, g_strdup ("Fertig"));
    g_autofree char *estimated_footer = cs_candidate_format_footer (c, -1);
    g_autofree char *want_totals = g_strdup_printf ("Fertig · $0,0123 · 50.016 Tokens · 7,1 s · %s",
                                                    _("usage estimated in part"));
    g_autofree char *want_footer = g_strdup_printf (" (%s) · $0,0123", _("estimated"));

    g_assert_cmpstr (estimated_totals, ==, want_totals);
    g_assert_nonnull (strstr (estimated_footer, want_footer));
  }
}

static void
test_judge_prompt (void)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_rank_row_free);
  g_autoptr(GPtrArray) ballots = g_ptr_array_new ();
  g_autoptr(GPtrArray) candidates = g_ptr_array_new ();
  g_autoptr(JsonNode) ranking = NULL;
  g_autoptr(JsonNode) messages = NULL;
  CsRankRow *row = g_new0 (CsRankRow, 1);
  const char *user;

  row->candidate = g_strdup ("c1");
  row->place = 1;
  row->points = 2.5;
  row->mean_rank = 1.5;
  row->votes = 2;
  g_ptr_array_add (rows, row);
  ranking = cs_ranking_to_json (rows, ballots, NULL, 0);
  messages = cs_synthesis_build_judge_messages (CS_MODE_ARCHITECT, "A cache", NULL, NULL,
                                                candidates, NULL, 1, ranking);
  user = json_object_get_string_member (json_array_get_object_element (json_node_get_array (messages), 1),
                                        "content");
  g_test_message ("%s", user);
  g_assert_nonnull (strstr (user, "- c1: place 1, 2.5 points, mean rank 1.5 over 2 ballots\n"));
}

int
main (int argc, char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  g_unsetenv ("LANGUAGE");
  g_unsetenv ("LC_ALL");
  locale_dir = cs_test_use_german_locale ();

  g_test_add_func ("/locale-de/counts", test_counts);
  g_test_add_func ("/locale-de/estimate", test_estimate);
  g_test_add_func ("/locale-de/totals", test_totals);
  g_test_add_func ("/locale-de/judge-prompt", test_judge_prompt);
  status = g_test_run ();

  setlocale (LC_ALL, "C");
  if (locale_dir != NULL)
    cs_test_rm_rf (locale_dir);
  g_free (locale_dir);
  return status;
}
