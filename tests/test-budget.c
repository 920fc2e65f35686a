/* test-budget.c: what the budget leaves behind, against the in-process
 * test provider over HTTP
 *
 * - One rule counts tokens (cs-token-count.h): the estimate before a run
 *   and the budget during it count a German and Japanese prompt alike.
 * - A request the budget stopped before its provider reported usage counts
 *   its prompt and the text it streamed, marked estimated in the run's
 *   file, its totals and the export; files without the mark still load.
 * - The budget is the run's, across rounds and retries: once spent, a
 *   follow-up or a retry is refused up front; with room left, a retried
 *   candidate is stopped at the budget as in a first run; raised, a
 *   follow-up runs. The wall time adds up rounds and retries.
 * - A candidate retried leads to a synthesis weighed afresh: the judge is
 *   asked when its upper cost fits the budget.
 * - A judge the budget stopped is marked ≈ in the export as candidates are;
 *   a ranking by an unpriced model says price unknown.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "cs-engine.h"
#include "cs-json-util.h"
#include "cs-run-judges.h"
#include "cs-run-ranking.h"
#include "cs-test-provider.h"
#include "cs-token-count.h"
#include "test-util.h"

static CsTestProvider *provider;

/* German and Japanese: 2 and 3 bytes a character */
#define PROBLEM "Entwirf einen URL-Kürzer für 10 Mio. Links am Tag, größtmöglich ausfallsicher. " \
                "一日一千万件のリンクを扱うURL短縮サービスを設計してください。障害に強く、安価に。"

/* "demo-gamma+slow=100", the delay stretched as the tests' time bounds are
 * (cs_test_slack ()): the budget is reached after the same number of its
 * chunks, however slowly demo-alpha is processed */
static char *slow_name;
static char *slow_id;     /* "chat/" slow_name */
/* "demo-judge+slow=100", stretched alike: a judge as dear, stopped at a
 * budget while it answers */
static char *judge_name;
static char *judge_id;    /* "chat/" judge_name */

typedef CsTestFixture Fixture;

static char *line_of (const char *text,
                      const char *prefix);

/* demo-alpha cheap and quick (1 ms between chunks: done in a fraction of
 * a second); demo-gamma+slow=100 (slow_name) slow and dear ($0.002 an output token:
 * the budget of $0.50 is reached after some 250 tokens, a second or so in,
 * long before its usage, which comes last, and some 8 s before its reply
 * would end), its max-output-tokens small (its estimate fits any budget;
 * the server does not keep it). */
static char *
build_config (void)
{
  g_autofree char *base = cs_test_provider_dup_base_url (provider);

  return g_strdup_printf ("[provider chat]\n"
                          "name=Chat Cloud\n"
                          "base-url=%s\n"
                          "api=openai-chat\n"
                          "models=demo-alpha;%s;demo-judge;%s;demo-beta\n"
                          "requests-per-minute=0\n"
                          "max-retries=0\n\n"
                          "[model chat/demo-alpha]\n"
                          "price-input=1.00\n"
                          "price-output=2.00\n\n"
                          "[model %s]\n"
                          "price-input=1.00\n"
                          "price-output=2000.00\n"
                          "max-output-tokens=10\n\n"
                          "[model chat/demo-judge]\n"
                          "price-input=1.00\n"
                          "price-output=2.00\n\n"
                          "[model %s]\n"
                          "price-input=1.00\n"
                          "price-output=2000.00\n"
                          "max-output-tokens=10\n",
                          base, slow_name, judge_name, slow_id, judge_id);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *text = build_config ();

  cs_test_fixture_open (f, text, "test-budget.ini");
  cs_test_provider_reset (provider);
  cs_test_provider_set_delay_ms (provider, 1);
}

static CsRunner *
plan (Fixture    *f,
      CsRun      *run,
      const char *judge)
{
  const char *spec[] = { "chat/demo-alpha", slow_id, NULL };

  cs_run_set_judge (run, judge);
  cs_run_set_budget_usd (run, 0.50);
  return cs_test_plan_runner (f->config, f->store, run, spec);
}

/* Runs until the slow candidate was stopped at the budget. */
static void
run_to_budget (CsRunner *runner)
{
  CsRun *run = cs_runner_get_run (runner);
  CsTestWait w = { 0 };

  cs_test_execute (runner, NULL, &w, 90);
  g_assert_no_error (w.error);
  g_assert_true (w.ok);
  g_assert_cmpint (cs_run_get_state (run), ==, CS_RUN_DONE);
  g_assert_cmpint (cs_candidate_get_status (cs_test_candidate (run, 0)), ==, CS_CANDIDATE_OK);
  g_assert_cmpint (cs_candidate_get_status (cs_test_candidate (run, 1)), ==, CS_CANDIDATE_CANCELLED);
  g_assert_nonnull (strstr (cs_candidate_get_error (cs_test_candidate (run, 1)), "budget"));
}

/* The counting rule itself: 4 bytes of UTF-8 a token, rounded up. */
static void
test_rule (void)
{
  g_autoptr(JsonNode) messages = json_from_string ("[{\"role\":\"system\",\"content\":\"abcd\"},"
                                                   "{\"role\":\"user\",\"content\":\"日本\"},"
                                                   "{\"role\":\"user\",\"content\":null},"
                                                   "{\"role\":\"user\"}, 7]", NULL);

  g_assert_cmpint (cs_token_count (0), ==, 0);
  g_assert_cmpint (cs_token_count (1), ==, 1);
  g_assert_cmpint (cs_token_count (4), ==, 1);
  g_assert_cmpint (cs_token_count (5), ==, 2);
  g_assert_cmpint (cs_token_count_text (NULL), ==, 0);
  g_assert_cmpint (cs_token_count_text ("Größe"), ==, 2);      /* 7 bytes */
  g_assert_cmpint (cs_token_count_text ("日本語のテキスト"), ==, 6); /* 24 bytes */
  g_assert_cmpuint (cs_token_messages_size (messages), ==, 4 + 6);
  g_assert_cmpint (cs_token_count_messages (messages), ==, 3);
  g_assert_cmpint (cs_token_count_messages (NULL), ==, 0);
}

/* The estimate's input for the slow candidate: one request, its prompt. */
static gint64
estimated_input (CsRunner *runner)
{
  g_autoptr(CsEstimate) e = cs_estimate_new (runner, NULL);

  for (guint i = 0; i < e->lines->len; i++)
    {
      const CsEstimateLine *line = g_ptr_array_index (e->lines, i);

      if (line->stage == CS_ESTIMATE_CANDIDATES && g_str_equal (line->model, slow_id))
        {
          g_assert_cmpuint (line->requests, ==, 1);
          return line->input_low;
        }
    }
  g_assert_not_reached ();
  return -1;
}

static gboolean
has_usage (gpointer data)
{
  return cs_candidate_get_input_tokens (data) >= 0;
}

/* The slow candidate, stopped at the budget before its usage came, counts
 * what it was sent (the estimate's own count of the same prompt) and what
 * it streamed, by the one rule, marked estimated. */
static void
test_stopped_usage (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(CsRun) run = cs_run_new (CS_MODE_ARCHITECT, PROBLEM);
  g_autoptr(CsRunner) runner = plan (f, run, NULL);
  gint64 expected_in = estimated_input (runner);
  CsCandidate *slow;
  gsize streamed;

  /* the prompt is not ASCII: counting characters would say less */
  g_assert_cmpint (g_utf8_strlen (PROBLEM, -1), <, (glong) strlen (PROBLEM));
  g_assert_cmpint (expected_in, >=, cs_token_count_text (PROBLEM));

  run_to_budget (runner);
  slow = cs_test_candidate (run, 1);
  g_assert_true (cs_test_wait_for (has_usage, slow, 10000));
  streamed = strlen (cs_candidate_get_text (slow)) + strlen (cs_candidate_get_reasoning (slow));
  g_assert_cmpuint (streamed, >, 0);

  g_assert_true (cs_candidate_get_usage_estimated (slow));
  g_assert_false (cs_candidate_get_usage_estimated (cs_test_candidate (run, 0)));
  g_assert_cmpint (cs_candidate_get_input_tokens (slow), ==, expected_in);
  g_assert_cmpint (cs_candidate_get_output_tokens (slow), ==, cs_token_count (streamed));
  g_assert_cmpfloat_with_epsilon (cs_candidate_get_cost_usd (slow),
                                  (expected_in * 1.00 + cs_token_count (streamed) * 2000.00) / 1e6, 1e-9);
  g_assert_true (cs_run_get_usage_estimated (run));
  g_assert_cmpint (cs_run_get_total_input_tokens (run), >=, expected_in);
  g_assert_cmpfloat (cs_run_get_total_cost_usd (run), >=, 0.50);
}

/* The mark in the run's file, the totals and the export; a file from
 * before the mark loads as all reported. */
static void
test_stopped_saved (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(CsRun) run = cs_run_new (CS_MODE_ARCHITECT, PROBLEM);
  g_autoptr(CsRunner) runner = plan (f, run, NULL);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(CsRun) back = NULL;
  g_autoptr(CsRun) old = NULL;
  g_autofree char *markdown = NULL;
  JsonObject *obj, *totals, *usage;

  run_to_budget (runner);
  g_assert_true (cs_test_wait_for (has_usage, cs_test_candidate (run, 1), 10000));

  node = cs_run_to_json (run);
  obj = json_node_get_object (node);
  totals = json_object_get_object_member (obj, "totals");
  g_assert_true (json_object_get_boolean_member (totals, "usage_estimated"));
  usage = json_object_get_object_member (json_array_get_object_element (json_object_get_array_member (obj, "candidates"), 1),
                                         "usage");
  g_assert_true (json_object_get_boolean_member (usage, "estimated"));
  g_assert_false (json_object_has_member (json_object_get_object_member (json_array_get_object_element (json_object_get_array_member (obj, "candidates"), 0), "usage"),
                                          "estimated"));

  back = cs_run_new_from_json (node, NULL);
  g_assert_nonnull (back);
  g_assert_true (cs_run_get_usage_estimated (back));
  g_assert_true (cs_candidate_get_usage_estimated (cs_test_candidate (back, 1)));
  g_assert_cmpint (cs_run_get_total_input_tokens (back), ==, cs_run_get_total_input_tokens (run));

  markdown = cs_export_markdown (run);
  g_assert_nonnull (strstr (markdown, "tokens (estimated)"));
  g_assert_nonnull (strstr (markdown, "| ≈ "));
  g_assert_nonnull (strstr (markdown, "(usage estimated in part)"));

  /* as an older version wrote it */
  json_object_remove_member (totals, "usage_estimated");
  json_object_remove_member (usage, "estimated");
  old = cs_run_new_from_json (node, NULL);
  g_assert_nonnull (old);
  g_assert_false (cs_run_get_usage_estimated (old));
  g_assert_false (cs_candidate_get_usage_estimated (cs_test_candidate (old, 1)));
}

static void
retry_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  CsTestWait *w = user_data;

  w->ok = cs_runner_retry_candidate_finish (CS_RUNNER (object), result, &w->error);
  w->done = TRUE;
}

static void
retry_slow (CsRunner *runner)
{
  CsRun *run = cs_runner_get_run (runner);
  CsTestWait r = { 0 };

  cs_runner_retry_candidate_async (runner, "c2", NULL, retry_cb, &r);
  cs_test_iterate_until (&r.done, 90);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  g_assert_cmpint (cs_candidate_get_status (cs_test_candidate (run, 1)), ==, CS_CANDIDATE_OK);
  g_assert_cmpint (cs_run_get_state (run), ==, CS_RUN_DONE);
}

/* Retries c2 and waits for the synthesis it leads to. */
static void
retry_slow_stopped (CsRunner *runner)
{
  CsRun *run = cs_runner_get_run (runner);
  CsTestWait r = { 0 };

  cs_runner_retry_candidate_async (runner, "c2", NULL, retry_cb, &r);
  cs_test_iterate_until (&r.done, 90);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  g_assert_cmpint (cs_run_get_state (run), ==, CS_RUN_DONE);
}

/* The budget is the run's, across its retries: once the run has spent it,
 * a retry is refused up front, nothing sent and nothing changed. */
static void
test_retry_refused (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(CsRun) run = cs_run_new (CS_MODE_ARCHITECT, PROBLEM);
  g_autoptr(CsRunner) runner = plan (f, run, "chat/demo-judge");
  g_autofree char *message = NULL;
  CsTestWait r = { 0 };
  guint sent;

  run_to_budget (runner);
  g_assert_true (cs_test_wait_for (has_usage, cs_test_candidate (run, 1), 10000));
  message = g_strdup (cs_run_get_message (run));
  sent = cs_test_provider_get_request_count (provider, slow_name);

  cs_runner_retry_candidate_async (runner, "c2", NULL, retry_cb, &r);
  cs_test_iterate_until (&r.done, 90);
  g_assert_error (r.error, CS_RUNNER_ERROR, CS_RUNNER_ERROR_BUDGET);
  g_assert_nonnull (strstr (r.error->message, "reaches its budget of $0.5000"));
  g_assert_false (r.ok);
  g_assert_cmpuint (cs_test_provider_get_request_count (provider, slow_name), ==, sent);
  g_assert_cmpuint (cs_test_provider_get_request_count (provider, "demo-judge"), ==, 0);
  g_assert_cmpint (cs_candidate_get_status (cs_test_candidate (run, 1)), ==, CS_CANDIDATE_CANCELLED);
  g_assert_cmpint (cs_run_get_state (run), ==, CS_RUN_DONE);
  g_assert_cmpstr (cs_run_get_message (run), ==, message);
  g_clear_error (&r.error);
}

/* Retried with a little room (the budget raised since): the retried
 * candidate is watched as in a first run, stopped again when the run's
 * spending reaches the budget; the judge is not asked, and the run's
 * message says why, as a first run's would. Its wall time grows by the
 * retry's. */
static void
test_retry_watched (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(CsRun) run = cs_run_new (CS_MODE_ARCHITECT, PROBLEM);
  g_autoptr(CsRunner) runner = plan (f, run, "chat/demo-judge");
  CsCandidate *slow;
  CsResult *result;
  gint64 wall;

  run_to_budget (runner);
  slow = cs_test_candidate (run, 1);
  g_assert_true (cs_test_wait_for (has_usage, slow, 10000));
  wall = cs_run_get_wall_ms (run);
  g_assert_cmpint (wall, >, 0);
  /* some 50 more of its tokens, at $0.002 each */
  cs_run_set_budget_usd (run, cs_run_get_total_cost_usd (run) + 0.10);

  retry_slow_stopped (runner);
  g_assert_cmpint (cs_candidate_get_status (slow), ==, CS_CANDIDATE_CANCELLED);
  g_assert_nonnull (strstr (cs_candidate_get_error (slow), "budget"));
  g_assert_cmpuint (cs_test_provider_get_request_count (provider, "demo-judge"), ==, 0);
  result = cs_run_get_result (run);
  g_assert_true (cs_result_is_degraded (result));
  g_assert_cmpuint (cs_result_get_total (result), ==, 1);
  g_assert_nonnull (strstr (cs_run_get_message (run), "the candidates still streaming were stopped"));
  g_assert_cmpfloat (cs_run_get_total_cost_usd (run), >=, cs_run_get_budget_usd (run));
  g_assert_cmpint (cs_run_get_wall_ms (run), >, wall);
}

/* Retried with room for the judge (the budget raised since): the judge is
 * asked again and writes the result. */
static void
test_retry_room (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(CsRun) run = cs_run_new (CS_MODE_ARCHITECT, PROBLEM);
  g_autoptr(CsRunner) runner = plan (f, run, "chat/demo-judge");
  CsResult *result;

  run_to_budget (runner);
  g_assert_cmpuint (cs_test_provider_get_request_count (provider, "demo-judge"), ==, 0);

  cs_run_set_budget_usd (run, 1000);
  retry_slow (runner);
  g_assert_cmpuint (cs_test_provider_get_request_count (provider, "demo-judge"), ==, 1);
  result = cs_run_get_result (run);
  g_assert_false (cs_result_is_degraded (result));
  g_assert_true (cs_result_has_method (result, CS_METHOD_JUDGE));
  g_assert_cmpuint (cs_result_get_total (result), ==, 2);
  g_assert_null (cs_run_get_message (run));
}

static void
follow_up_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  CsTestWait *w = user_data;

  w->ok = cs_runner_execute_finish (CS_RUNNER (object), result, &w->error);
  w->done = TRUE;
}

/* The budget is the run's, across its rounds: after a round stopped at the
 * budget, a follow-up is refused up front (nothing sent, the run as it
 * was); with the budget raised it runs, its cost added to the run's, and
 * the run's wall time adds up its rounds. */
static void
test_follow_up_refused (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(CsRun) run = cs_run_new (CS_MODE_ARCHITECT, PROBLEM);
  g_autoptr(CsRunner) runner = plan (f, run, "chat/demo-judge");
  g_autoptr(CsRunner) again = NULL;
  g_autoptr(CsRunner) round = NULL;
  g_autoptr(GError) error = NULL;
  CsTestWait w = { 0 };
  double spent;
  gint64 wall;

  run_to_budget (runner);
  g_assert_true (cs_test_wait_for (has_usage, cs_test_candidate (run, 1), 10000));
  spent = cs_run_get_total_cost_usd (run);
  wall = cs_run_get_wall_ms (run);

  for (guint scope = CS_ROUND_SCOPE_JUDGE; scope <= CS_ROUND_SCOPE_ALL; scope++)
    {
      again = cs_runner_new_follow_up (f->config, run, scope, "What if the links expire after a year?", NULL, &error);
      g_assert_null (again);
      g_assert_error (error, CS_RUNNER_ERROR, CS_RUNNER_ERROR_BUDGET);
      g_assert_nonnull (strstr (error->message, "reaches its budget of $0.5000"));
      g_clear_error (&error);
    }
  g_assert_cmpuint (cs_run_get_n_rounds (run), ==, 1);
  g_assert_cmpuint (cs_test_provider_get_request_count (provider, "demo-judge"), ==, 0);

  cs_run_set_budget_usd (run, 1000);
  round = cs_runner_new_follow_up (f->config, run, CS_ROUND_SCOPE_JUDGE,
                                   "What if the links expire after a year?", NULL, &error);
  g_assert_no_error (error);
  cs_runner_execute_async (round, NULL, follow_up_cb, &w);
  cs_test_iterate_until (&w.done, 90);
  g_assert_no_error (w.error);
  g_assert_true (w.ok);
  g_assert_cmpuint (cs_run_get_n_rounds (run), ==, 2);
  g_assert_cmpuint (cs_test_provider_get_request_count (provider, "demo-judge"), ==, 1);
  g_assert_cmpfloat (cs_run_get_total_cost_usd (run), >, spent);
  g_assert_cmpint (cs_run_get_wall_ms (run), >, wall);
}

static void
manager_retry_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  CsTestWait *w = user_data;

  w->ok = cs_run_manager_retry_candidate_finish (CS_RUN_MANAGER (object), result, &w->error);
  w->done = TRUE;
}

static gboolean
round_two_done (gpointer data)
{
  CsRun *run = data;

  return cs_run_get_n_rounds (run) == 2 && cs_run_get_state (run) == CS_RUN_DONE;
}

/* The run manager (the app's, its "budget-usd" bound to the Budget per
 * Run preference) gives a follow-up or a retry its budget: below 0 the
 * run's own, which is spent, so both are refused and the run keeps its
 * budget; a budget still spent, refused alike; a higher one, the round
 * runs under it. */
static void
test_manager_budget (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(CsRun) run = cs_run_new (CS_MODE_ARCHITECT, PROBLEM);
  g_autoptr(CsRunner) runner = plan (f, run, "chat/demo-judge");
  g_autoptr(CsRunManager) manager = cs_run_manager_new (f->store);
  g_autoptr(GError) error = NULL;
  CsTestWait r = { 0 };

  run_to_budget (runner);
  g_assert_true (cs_test_wait_for (has_usage, cs_test_candidate (run, 1), 10000));
  g_assert_cmpfloat (cs_run_manager_get_budget (manager), <, 0);

  g_assert_false (cs_run_manager_follow_up (manager, f->config, run, CS_ROUND_SCOPE_JUDGE, "And then?", NULL, &error));
  g_assert_error (error, CS_RUNNER_ERROR, CS_RUNNER_ERROR_BUDGET);
  g_clear_error (&error);

  /* the preference at $0.40: still spent */
  g_object_set (manager, "budget-usd", 0.40, NULL);
  g_assert_false (cs_run_manager_follow_up (manager, f->config, run, CS_ROUND_SCOPE_JUDGE, "And then?", NULL, &error));
  g_assert_error (error, CS_RUNNER_ERROR, CS_RUNNER_ERROR_BUDGET);
  g_assert_nonnull (strstr (error->message, "budget of $0.4000"));
  g_clear_error (&error);
  cs_run_manager_retry_candidate_async (manager, f->config, run, "c2", manager_retry_cb, &r);
  cs_test_iterate_until (&r.done, 30);
  g_assert_error (r.error, CS_RUNNER_ERROR, CS_RUNNER_ERROR_BUDGET);
  g_clear_error (&r.error);
  g_assert_cmpfloat (cs_run_get_budget_usd (run), ==, 0.50);
  g_assert_cmpuint (cs_run_get_n_rounds (run), ==, 1);

  /* raised: the round runs, and the run keeps the new budget */
  g_object_set (manager, "budget-usd", 1000.0, NULL);
  g_assert_true (cs_run_manager_follow_up (manager, f->config, run, CS_ROUND_SCOPE_JUDGE, "And then?", NULL, &error));
  g_assert_no_error (error);
  g_assert_true (cs_test_wait_for (round_two_done, run, 90 * 1000));
  g_assert_cmpfloat (cs_run_get_budget_usd (run), ==, 1000);
  g_assert_cmpuint (cs_test_provider_get_request_count (provider, "demo-judge"), ==, 1);
}

/* Runs a judge-only follow-up round on @run to its end. */
static void
judge_round (Fixture *f,
             CsRun   *run)
{
  g_autoptr(CsRunner) round = NULL;
  g_autoptr(GError) error = NULL;
  CsTestWait w = { 0 };

  round = cs_runner_new_follow_up (f->config, run, CS_ROUND_SCOPE_JUDGE, "And at twice the load?", NULL, &error);
  g_assert_no_error (error);
  cs_runner_execute_async (round, NULL, follow_up_cb, &w);
  cs_test_iterate_until (&w.done, 90);
  g_assert_no_error (w.error);
  g_assert_true (w.ok);
}

/* The cost column of the Markdown cost table: the sum of its rows (the
 * figures after any "≈"), and the total's. */
static void
cost_column (const char *markdown,
             double     *rows,
             double     *total)
{
  g_auto(GStrv) lines = g_strsplit (strstr (markdown, "| Candidate |"), "\n", -1);

  *rows = 0;
  *total = -1;
  for (guint i = 2; lines[i] != NULL && g_str_has_prefix (lines[i], "|"); i++)
    {
      g_auto(GStrv) cells = g_strsplit (lines[i], "|", -1);
      const char *cost = g_strstrip (cells[5]);

      if (g_str_has_prefix (cost, "≈ "))
        cost += strlen ("≈ ");
      if (g_str_has_prefix (lines[i], "| **Total**"))
        *total = g_ascii_strtod (cost, NULL);
      else
        *rows += g_ascii_strtod (cost, NULL);
    }
}

/* After follow-up rounds the export's cost table has a row for what the
 * earlier rounds used (a judge round's judge, here), so that its rows add
 * up to the run's total. */
static void
test_earlier_rounds_row (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(CsRun) run = cs_run_new (CS_MODE_ARCHITECT, PROBLEM);
  g_autoptr(CsRunner) runner = plan (f, run, "chat/demo-judge");
  g_autoptr(GPtrArray) uses = NULL;
  g_autofree char *markdown = NULL;
  g_autofree char *row = NULL;
  gint64 in, out;
  double cost, rows, total;
  gboolean known, estimated;

  run_to_budget (runner);
  g_assert_true (cs_test_wait_for (has_usage, cs_test_candidate (run, 1), 10000));
  g_assert_false (cs_run_get_earlier_usage (run, NULL, NULL, NULL, NULL, NULL));
  cs_run_set_budget_usd (run, 1000);
  judge_round (f, run);
  /* round 1 asked no judge: nothing earlier beyond its candidates, shown */
  g_assert_false (cs_run_get_earlier_usage (run, NULL, NULL, NULL, NULL, NULL));
  judge_round (f, run);
  g_assert_cmpuint (cs_run_get_n_rounds (run), ==, 3);

  /* round 2's judge */
  g_assert_true (cs_run_get_earlier_usage (run, &in, &out, &cost, &known, &estimated));
  g_assert_cmpint (in, >, 0);
  g_assert_cmpint (out, >, 0);
  g_assert_cmpfloat (cost, >, 0);
  g_assert_true (known);
  g_assert_false (estimated);
  uses = cs_run_dup_judge_uses (run);
  g_assert_cmpuint (uses->len, ==, 1);

  markdown = cs_export_markdown (run);
  row = line_of (markdown, "| earlier rounds |");
  g_assert_nonnull (row);
  cost_column (markdown, &rows, &total);
  g_assert_cmpfloat (total, >, 0);
  g_assert_cmpfloat (fabs (rows - total), <=, 0.0005);
}

/* The line of @text that starts with @prefix, or NULL. */
static char *
line_of (const char *text,
         const char *prefix)
{
  const char *at = strstr (text, prefix);
  const char *end;

  if (at == NULL)
    return NULL;
  end = strchr (at, '\n');
  return end != NULL ? g_strndup (at, end - at) : g_strdup (at);
}

static guint
count_of (const char *text,
          const char *needle)
{
  guint n = 0;

  for (const char *at = strstr (text, needle); at != NULL; at = strstr (at + 1, needle))
    n++;
  return n;
}

/* A judge the budget stopped while it answered, before its provider said
 * what it used: its row in the export's cost table is marked as a
 * candidate's would be (≈ on its tokens and cost), beside the run's
 * totals, and the mark is kept in the run's file. */
static void
test_judge_stopped_marked (Fixture       *f,
                           gconstpointer  data)
{
  const char *spec[] = { "chat/demo-alpha:2", NULL };
  g_autoptr(CsRun) run = cs_run_new (CS_MODE_ARCHITECT, PROBLEM);
  g_autoptr(CsRunner) runner = NULL;
  g_autoptr(GPtrArray) uses = NULL;
  g_autoptr(GPtrArray) uses_back = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(CsRun) back = NULL;
  g_autofree char *markdown = NULL;
  g_autofree char *prefix = NULL;
  g_autofree char *row = NULL;
  g_autofree char *alpha = NULL;
  g_autofree char *total = NULL;
  const CsJudgeUse *use;
  CsTestWait w = { 0 };

  /* the judge's upper figure fits; its reply, at $0.002 a token, passes
   * $0.10 within some 50 tokens, long before its usage would come */
  cs_run_set_judge (run, judge_id);
  cs_run_set_budget_usd (run, 0.10);
  runner = cs_test_plan_runner (f->config, f->store, run, spec);
  cs_test_execute (runner, NULL, &w, 90);
  g_assert_no_error (w.error);
  g_assert_true (w.ok);
  g_assert_cmpuint (cs_test_provider_get_request_count (provider, judge_name), ==, 1);
  g_assert_nonnull (strstr (cs_run_get_message (run), "during the synthesis"));

  uses = cs_run_dup_judge_uses (run);
  g_assert_cmpuint (uses->len, ==, 1);
  use = g_ptr_array_index (uses, 0);
  g_assert_true (use->estimated);
  g_assert_cmpint (use->output_tokens, >, 0);
  g_assert_false (cs_candidate_get_usage_estimated (cs_test_candidate (run, 0)));
  g_assert_true (cs_run_get_usage_estimated (run));

  markdown = cs_export_markdown (run);
  prefix = g_strdup_printf ("| judge (%s) |", judge_name);
  row = line_of (markdown, prefix);
  g_assert_nonnull (row);
  /* input, output and cost */
  g_assert_cmpuint (count_of (row, "| ≈ "), ==, 3);
  alpha = line_of (markdown, "| c1 (demo-alpha) |");
  g_assert_nonnull (alpha);
  g_assert_cmpuint (count_of (alpha, "≈"), ==, 0);
  total = line_of (markdown, "| **Total** |");
  g_assert_cmpuint (count_of (total, "| ≈ "), ==, 3);
  g_assert_nonnull (strstr (markdown, "≈ marks usage Consilium counted itself"));

  node = cs_run_to_json (run);
  back = cs_run_new_from_json (node, NULL);
  g_assert_nonnull (back);
  uses_back = cs_run_dup_judge_uses (back);
  g_assert_cmpuint (uses_back->len, ==, 1);
  g_assert_true (((CsJudgeUse *) g_ptr_array_index (uses_back, 0))->estimated);
}

/* Peer ranking by a model without a price: the ranking's row in the cost
 * table says so instead of $0.0000, the run's total is not exact, and the
 * mark is kept in the run's file. */
static void
test_ranking_unpriced (Fixture       *f,
                       gconstpointer  data)
{
  const char *spec[] = { "chat/demo-beta:3", NULL };
  g_autoptr(CsRun) run = cs_run_new (CS_MODE_ARCHITECT, PROBLEM);
  g_autoptr(CsRunner) runner = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(CsRun) back = NULL;
  g_autofree char *markdown = NULL;
  g_autofree char *row = NULL;
  gboolean known = TRUE, estimated = TRUE;
  CsTestWait w = { 0 };

  cs_run_set_rank (run, TRUE);
  runner = cs_test_plan_runner (f->config, f->store, run, spec);
  cs_test_execute (runner, NULL, &w, 90);
  g_assert_no_error (w.error);
  g_assert_true (w.ok);
  g_assert_true (cs_run_get_ranking_usage (run, NULL, NULL, NULL));
  cs_run_get_ranking_marks (run, &known, &estimated);
  g_assert_false (known);
  g_assert_false (estimated);
  g_assert_false (cs_run_get_cost_known (run));

  markdown = cs_export_markdown (run);
  row = line_of (markdown, "| peer ranking |");
  g_assert_nonnull (row);
  g_assert_true (g_str_has_suffix (row, "| price unknown | — | — | — |"));

  node = cs_run_to_json (run);
  back = cs_run_new_from_json (node, NULL);
  g_assert_nonnull (back);
  cs_run_get_ranking_marks (back, &known, NULL);
  g_assert_false (known);
}

int
main (int argc, char *argv[])
{
  g_autofree char *tmp = NULL;
  int ret;

  tmp = cs_test_make_data_home ("budget");

  g_test_init (&argc, &argv, NULL);

  provider = cs_test_provider_start_new ();
  slow_name = g_strdup_printf ("demo-gamma+slow=%u", 100 * cs_test_slack ());
  slow_id = g_strconcat ("chat/", slow_name, NULL);
  judge_name = g_strdup_printf ("demo-judge+slow=%u", 100 * cs_test_slack ());
  judge_id = g_strconcat ("chat/", judge_name, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, cs_test_fixture_tear_down)

  g_test_add_func ("/budget/token-rule", test_rule);
  ADD ("/budget/stopped-usage", test_stopped_usage);
  ADD ("/budget/stopped-saved", test_stopped_saved);
  ADD ("/budget/retry/refused", test_retry_refused);
  ADD ("/budget/retry/watched", test_retry_watched);
  ADD ("/budget/retry/room", test_retry_room);
  ADD ("/budget/follow-up/refused", test_follow_up_refused);
  ADD ("/budget/manager", test_manager_budget);
  ADD ("/budget/earlier-rounds-row", test_earlier_rounds_row);
  ADD ("/budget/judge-stopped-marked", test_judge_stopped_marked);
  ADD ("/budget/ranking-unpriced", test_ranking_unpriced);

#undef ADD

  ret = g_test_run ();

  g_clear_object (&provider);
  g_free (slow_name);
  g_free (slow_id);
  g_free (judge_name);
  g_free (judge_id);
  cs_test_rm_rf (tmp);
  return ret;
}
