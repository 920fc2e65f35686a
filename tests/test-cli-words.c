/* test-cli-words.c: consilium-cli's words for people in German, its
 * keywords for programs in every language
 *
 * The CLI runs in the user's locale as main () sets it (LC_ALL from the
 * environment, LC_NUMERIC "C"), with this build's translations:
 *
 * - /cli-words/german: every candidate status and run state has its German
 *   word (cli-words.c), never the English keyword;
 * - /cli-words/lines: the progress lines of a failed, a cancelled, a
 *   streaming and a finished candidate in German words;
 * - /cli-words/json: the JSON of the same run (--format=json, the API)
 *   keeps "status": "failed" and "state": "cancelled";
 * - /cli-words/english: in the C locale the words are the keywords, as the
 *   English output always said them (a candidate that succeeded: "done").
 *
 * de_DE.UTF-8 comes from the system or is made with localedef
 * (cs_test_use_german_locale ()).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <string.h>
#include <glib/gi18n.h>

#include "cli-private.h"
#include "cs-engine.h"
#include "test-util.h"

static const struct {
  CsCandidateStatus status;
  const char       *german;
} statuses[] = {
  { CS_CANDIDATE_QUEUED, "wartend" },
  { CS_CANDIDATE_THINKING, "denkt nach" },
  { CS_CANDIDATE_STREAMING, "empfängt" },
  { CS_CANDIDATE_OK, "fertig" },
  { CS_CANDIDATE_FAILED, "fehlgeschlagen" },
  { CS_CANDIDATE_REFUSED, "abgelehnt" },
  { CS_CANDIDATE_INVALID, "ungültig" },
  { CS_CANDIDATE_TRUNCATED, "abgeschnitten" },
  { CS_CANDIDATE_CANCELLED, "abgebrochen" },
};

static const struct {
  CsRunState  state;
  const char *german;
} states[] = {
  { CS_RUN_DRAFT, "Entwurf" },
  { CS_RUN_RUNNING, "läuft" },
  { CS_RUN_SYNTHESIZING, "wird zusammengeführt" },
  { CS_RUN_DONE, "fertig" },
  { CS_RUN_FAILED, "fehlgeschlagen" },
  { CS_RUN_CANCELLED, "abgebrochen" },
};

/* A cancelled run: c1 succeeded, c2 failed, c3 was cancelled, c4 streams. */
static CsRun *
make_run (void)
{
  CsRun *run = cs_run_new (CS_MODE_ARCHITECT, "A cache for the catalogue");
  CsCandidate *c;

  c = cs_candidate_new ("c1", "demo/alpha", NULL);
  cs_candidate_set_usage (c, 30000, 1234, 0);
  cs_candidate_set_price_known (c, TRUE);
  cs_candidate_set_cost_usd (c, 0.0123);
  cs_candidate_set_duration_ms (c, 4200);
  cs_candidate_set_status (c, CS_CANDIDATE_OK);
  cs_run_add_candidate (run, c);
  g_object_unref (c);

  c = cs_candidate_new ("c2", "demo/beta", NULL);
  cs_candidate_set_error (c, "HTTP 500");
  cs_candidate_set_status (c, CS_CANDIDATE_FAILED);
  cs_run_add_candidate (run, c);
  g_object_unref (c);

  c = cs_candidate_new ("c3", "demo/gamma", NULL);
  cs_candidate_set_status (c, CS_CANDIDATE_CANCELLED);
  cs_run_add_candidate (run, c);
  g_object_unref (c);

  c = cs_candidate_new ("c4", "demo/delta", NULL);
  cs_candidate_set_status (c, CS_CANDIDATE_STREAMING);
  cs_run_add_candidate (run, c);
  g_object_unref (c);

  cs_run_set_state (run, CS_RUN_CANCELLED);
  return run;
}

static char *
line_of (CsRun      *run,
         const char *id)
{
  return cli_candidate_line (cs_run_find_candidate (run, id));
}

static void
test_german (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    {
      g_assert_cmpstr (cs_candidate_status_words (statuses[i].status), ==, statuses[i].german);
      g_assert_cmpstr (cs_candidate_status_words (statuses[i].status), !=, cs_candidate_status_to_string (statuses[i].status));
    }
  for (guint i = 0; i < G_N_ELEMENTS (states); i++)
    {
      g_assert_cmpstr (cs_run_state_words (states[i].state), ==, states[i].german);
      g_assert_cmpstr (cs_run_state_words (states[i].state), !=, cs_run_state_to_string (states[i].state));
    }
}

static void
test_lines (void)
{
  g_autoptr(CsRun) run = make_run ();
  g_autofree char *ok = line_of (run, "c1");
  g_autofree char *failed = line_of (run, "c2");
  g_autofree char *cancelled = line_of (run, "c3");
  g_autofree char *streaming = line_of (run, "c4");

  g_assert_cmpstr (failed, ==, "c2 fehlgeschlagen: HTTP 500");
  g_assert_cmpstr (cancelled, ==, "c3 abgebrochen");
  g_assert_cmpstr (streaming, ==, "c4 demo/delta empfängt");
  /* what the translation says for a finished one, with the figures as the
   * CLI writes them (LC_NUMERIC "C": a decimal point) */
  {
    g_autofree char *tokens = g_strdup_printf (_("%s tokens"), "1,234");
    g_autofree char *want = g_strdup_printf (_("%s ok %s %s %.1f s"), "c1", tokens, "$0.0123", 4.2);

    g_assert_cmpstr (tokens, ==, "1,234 Tokens");
    g_assert_cmpstr (ok, ==, want);
  }
}

static void
test_json (void)
{
  g_autoptr(CsRun) run = make_run ();
  g_autofree char *text = cs_export_json (run);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root;
  JsonArray *candidates;

  g_assert_true (json_parser_load_from_data (parser, text, -1, NULL));
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "state"), ==, "cancelled");
  candidates = json_object_get_array_member (root, "candidates");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (candidates, 0), "status"), ==, "ok");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (candidates, 1), "status"), ==, "failed");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (candidates, 2), "status"), ==, "cancelled");
  g_assert_null (strstr (text, "fehlgeschlagen"));
  g_assert_null (strstr (text, "abgebrochen"));
}

static void
test_english (void)
{
  g_autoptr(CsRun) run = make_run ();
  g_autofree char *failed = NULL;

  g_assert_nonnull (setlocale (LC_ALL, "C"));
  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    if (statuses[i].status != CS_CANDIDATE_OK)
      g_assert_cmpstr (cs_candidate_status_words (statuses[i].status), ==, cs_candidate_status_to_string (statuses[i].status));
  g_assert_cmpstr (cs_candidate_status_words (CS_CANDIDATE_OK), ==, "done");
  for (guint i = 0; i < G_N_ELEMENTS (states); i++)
    g_assert_cmpstr (cs_run_state_words (states[i].state), ==, cs_run_state_to_string (states[i].state));
  failed = line_of (run, "c2");
  g_assert_cmpstr (failed, ==, "c2 failed: HTTP 500");
}

int
main (int argc, char *argv[])
{
  g_autofree char *localedir = NULL;
  g_autofree char *locale_dir = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  g_unsetenv ("LANGUAGE");
  g_unsetenv ("LC_ALL");
  locale_dir = cs_test_use_german_locale ();
  /* as consilium-cli's main () */
  setlocale (LC_NUMERIC, "C");
  localedir = g_test_build_filename (G_TEST_BUILT, "..", "po", NULL);
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  /* the translation this build made, or the test has nothing to read */
  g_assert_cmpstr (C_("status", "failed"), ==, "fehlgeschlagen");

  g_test_add_func ("/cli-words/german", test_german);
  g_test_add_func ("/cli-words/lines", test_lines);
  g_test_add_func ("/cli-words/json", test_json);
  /* last: it leaves the German locale */
  g_test_add_func ("/cli-words/english", test_english);
  status = g_test_run ();

  setlocale (LC_ALL, "C");
  if (locale_dir != NULL)
    cs_test_rm_rf (locale_dir);
  return status;
}
