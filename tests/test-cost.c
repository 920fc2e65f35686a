/* test-cost.c: per-run knobs in the request bodies of each API, prices
 * ("price unknown", never $0), the estimate before a run and the hard
 * budget during one, against the in-process test provider over HTTP
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gstdio.h>

#include "cs-engine.h"
#include "cs-json-util.h"
#include "cs-number-format.h"
#include "cs-test-provider.h"
#include "test-util.h"

static CsTestProvider *provider;

typedef CsTestFixture Fixture;

/* The same server behind the three APIs; chat models priced, except
 * demo-beta (no price); demo-gamma+slow=300 expensive and slow;
 * demo-judge+slow=100 slow, expensive and capped at 10 output tokens (that
 * the server does not keep); demo-judge+invalid never answers in shape. */
static char *
build_config (void)
{
  g_autofree char *base = cs_test_provider_dup_base_url (provider);
  g_autofree char *root = cs_test_provider_dup_root_url (provider);

  return g_strdup_printf ("[provider chat]\n"
                          "base-url=%s\n"
                          "api=openai-chat\n"
                          "models=demo-alpha;demo-beta;demo-gamma+slow=300;demo-judge;"
                          "demo-judge+slow=100;demo-judge+invalid\n"
                          "requests-per-minute=0\n\n"
                          "[provider resp]\n"
                          "base-url=%s\n"
                          "api=openai-responses\n"
                          "models=demo-alpha\n"
                          "requests-per-minute=0\n\n"
                          "[provider olla]\n"
                          "base-url=%s\n"
                          "api=ollama\n"
                          "models=demo-alpha\n"
                          "requests-per-minute=0\n\n"
                          "[model chat/demo-alpha]\n"
                          "price-input=1.00\n"
                          "price-output=2.00\n"
                          "max-n=4\n"
                          "max-output-tokens=1000\n\n"
                          "[model chat/demo-judge]\n"
                          "price-input=1.00\n"
                          "price-output=2.00\n\n"
                          "[model chat/demo-judge+slow=100]\n"
                          "price-input=1.00\n"
                          "price-output=2000.00\n"
                          "max-output-tokens=10\n\n"
                          "[model chat/demo-judge+invalid]\n"
                          "price-input=1.00\n"
                          "price-output=2.00\n\n"
                          "[model chat/demo-gamma+slow=300]\n"
                          "price-input=1.00\n"
                          "price-output=2000.00\n\n"
                          "[model resp/demo-alpha]\n"
                          "price-input=0\n"
                          "price-output=0\n\n"
                          "[model olla/demo-alpha]\n"
                          "price-input=0\n"
                          "price-output=0\n",
                          base, base, root);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *text = build_config ();

  cs_test_fixture_open (f, text, "test-cost.ini");
  cs_test_provider_reset (provider);
}

typedef CsTestWait Wait;

static void
run_to_end (CsRunner *runner,
            Wait     *w)
{
  cs_test_execute (runner, NULL, w, 90);
}

static CsRun *
make_run (const char *judge)
{
  CsRun *run = cs_run_new (CS_MODE_ARCHITECT, "Design a URL shortener for 10M links a day");

  cs_run_set_judge (run, judge);
  return run;
}

static CsRunner *
plan (Fixture            *f,
      CsRun              *run,
      const char * const *spec)
{
  return cs_test_plan_runner (f->config, f->store, run, spec);
}

/* The body of a request the provider got on @path: the one with "n" when
 * @with_n, else the first. */
static JsonObject *
body_on (const char *path,
         gboolean    with_n)
{
  g_autoptr(GPtrArray) requests = cs_test_provider_get_requests (provider);

  for (guint i = 0; i < requests->len; i++)
    {
      JsonObject *r = json_node_get_object (g_ptr_array_index (requests, i));
      JsonObject *body = json_object_get_object_member (r, "body");

      if (g_str_has_suffix (json_object_get_string_member_with_default (r, "path", ""), path) &&
          (!with_n || json_object_has_member (body, "n")))
        return json_object_ref (body);
    }
  g_error ("no request on %s", path);
  return NULL;
}

static CsKnobs *
knobs (const char *first_key,
       ...)
{
  CsKnobs *k = cs_knobs_new ();
  va_list args;

  va_start (args, first_key);
  for (const char *key = first_key; key != NULL; key = va_arg (args, const char *))
    {
      g_autoptr(GError) error = NULL;
      const char *value = va_arg (args, const char *);

      g_assert_true (cs_knobs_set (k, key, value, &error));
      g_assert_no_error (error);
    }
  va_end (args);
  return k;
}

/* Knobs */

static void
test_knobs_parse (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsKnobs) k = cs_knobs_new ();
  struct { const char *option, *model, *key, *value; } ok[] = {
    { "temperature=0.2", NULL, "temperature", "0.2" },
    { "ollama/qwen3:8b@temperature=0.2", "ollama/qwen3:8b", "temperature", "0.2" },
    { "openrouter/deepseek/deepseek-r1:free@max-output-tokens=4000",
      "openrouter/deepseek/deepseek-r1:free", "max-output-tokens", "4000" },
    { "local/odd@name:2@n=3", "local/odd@name:2", "n", "3" },
    { "verbosity=", NULL, "verbosity", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (ok); i++)
    {
      g_autofree char *model = NULL, *key = NULL, *value = NULL;

      g_assert_true (cs_knobs_parse_option (ok[i].option, &model, &key, &value, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (model, ==, ok[i].model);
      g_assert_cmpstr (key, ==, ok[i].key);
      g_assert_cmpstr (value, ==, ok[i].value);
    }
  g_assert_false (cs_knobs_parse_option ("temperature", NULL, NULL, NULL, &error));
  g_clear_error (&error);
  g_assert_false (cs_knobs_parse_option ("@n=2", NULL, NULL, NULL, &error));
  g_clear_error (&error);
  g_assert_false (cs_knobs_parse_option ("m@te mp=1", NULL, NULL, NULL, &error));
  g_clear_error (&error);

  g_assert_false (cs_knobs_set (k, "temperature", "3", &error));
  g_assert_nonnull (strstr (error->message, "0 to 2"));
  g_clear_error (&error);
  g_assert_false (cs_knobs_set (k, "verbosity", "loud", &error));
  g_clear_error (&error);
  g_assert_false (cs_knobs_set (k, "n", "0", &error));
  g_clear_error (&error);
  g_assert_false (cs_knobs_set (k, "top_p", "0.5", &error));
  g_assert_nonnull (strstr (error->message, "unknown option"));
  g_clear_error (&error);
  g_assert_true (cs_knobs_is_empty (k));
  g_assert_true (cs_knobs_set (k, "reasoning_effort", "low", &error));
  g_assert_true (cs_knobs_set (k, "max_tokens", "123", &error));
  g_assert_no_error (error);
  {
    g_autofree char *s = cs_knobs_to_string (k);
    g_assert_cmpstr (s, ==, "reasoning-effort=low, max-output-tokens=123");
  }
}

/* Knobs set for the run reach the body of each API's request, and each
 * candidate records them. */
static void
test_knobs_bodies (Fixture       *f,
                   gconstpointer  data)
{
  /* four angles: c1 and c5 share the first, so one request carries both */
  const char *spec[] = { "chat/demo-alpha:5", "resp/demo-alpha", "olla/demo-alpha", NULL };
  g_autoptr(CsRun) run = make_run (NULL);
  g_autoptr(CsRunner) runner = NULL;
  g_autoptr(CsKnobs) all = knobs ("temperature", "0.3", "reasoning-effort", "low",
                                  "verbosity", "high", "max-output-tokens", "777", NULL);
  g_autoptr(CsKnobs) chat = knobs ("n", "2", "verbosity", "low", NULL);
  g_autoptr(JsonObject) b_chat = NULL;
  g_autoptr(JsonObject) b_resp = NULL;
  g_autoptr(JsonObject) b_olla = NULL;
  JsonObject *text;
  JsonObject *options;
  Wait w = { 0 };

  cs_run_set_knobs (run, "chat/demo-alpha", all);
  cs_run_set_knobs (run, "chat/demo-alpha:5", chat);   /* the spec as written wins */
  cs_run_set_knobs (run, "resp/demo-alpha", all);
  cs_run_set_knobs (run, "olla/demo-alpha", all);
  runner = plan (f, run, spec);
  run_to_end (runner, &w);
  g_assert_no_error (w.error);
  g_assert_true (w.ok);

  /* Chat Completions: c1 and c5 in one request, n=2; four chat requests */
  g_assert_cmpuint (cs_test_provider_get_request_count (provider, "demo-alpha"), ==, 4 + 2);
  b_chat = body_on ("/chat/completions", TRUE);
  g_assert_cmpint (json_object_get_int_member (b_chat, "n"), ==, 2);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (b_chat, "temperature"), 0.3, 1e-9);
  g_assert_cmpstr (json_object_get_string_member (b_chat, "reasoning_effort"), ==, "low");
  g_assert_cmpstr (json_object_get_string_member (b_chat, "verbosity"), ==, "low");
  g_assert_cmpint (json_object_get_int_member (b_chat, "max_completion_tokens"), ==, 777);

  /* Responses: text.verbosity beside text.format, reasoning.effort */
  b_resp = body_on ("/responses", FALSE);
  text = json_object_get_object_member (b_resp, "text");
  g_assert_cmpstr (json_object_get_string_member (text, "verbosity"), ==, "high");
  g_assert_true (json_object_has_member (text, "format"));
  g_assert_false (json_object_has_member (b_resp, "verbosity"));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (b_resp, "reasoning"), "effort"),
                   ==, "low");
  g_assert_cmpint (json_object_get_int_member (b_resp, "max_output_tokens"), ==, 777);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (b_resp, "temperature"), 0.3, 1e-9);

  /* Ollama: options.temperature and num_predict, no verbosity anywhere */
  b_olla = body_on ("/api/chat", FALSE);
  options = json_object_get_object_member (b_olla, "options");
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (options, "temperature"), 0.3, 1e-9);
  g_assert_cmpint (json_object_get_int_member (options, "num_predict"), ==, 777);
  g_assert_false (json_object_has_member (b_olla, "verbosity"));
  g_assert_false (json_object_has_member (options, "verbosity"));

  /* the effective values, per candidate, survive the run file */
  for (guint i = 0; i < 7; i++)
    {
      CsCandidate *c = cs_test_candidate (run, i);
      g_autoptr(JsonNode) node = cs_candidate_to_json (c);
      g_autoptr(CsCandidate) back = cs_candidate_new_from_json (node, NULL);
      const char *model = cs_candidate_get_model (c);

      g_assert_cmpint (cs_candidate_get_status (c), ==, CS_CANDIDATE_OK);
      g_assert_cmpfloat_with_epsilon (cs_candidate_get_temperature (back), 0.3, 1e-9);
      g_assert_cmpstr (cs_candidate_get_reasoning_effort (back), ==, "low");
      g_assert_cmpint (cs_candidate_get_max_output_tokens (back), ==, 777);
      if (g_str_has_prefix (model, "chat/"))
        {
          g_assert_cmpstr (cs_candidate_get_verbosity (back), ==, "low");
          g_assert_cmpuint (cs_candidate_get_request_n (back), ==, i == 0 || i == 4 ? 2 : 1);
        }
      else if (g_str_has_prefix (model, "resp/"))
        g_assert_cmpstr (cs_candidate_get_verbosity (back), ==, "high");
      else
        g_assert_null (cs_candidate_get_verbosity (back));
    }
}

/* Prices */

static void
test_price_unknown (Fixture       *f,
                    gconstpointer  data)
{
  const char *spec[] = { "chat/demo-alpha", "chat/demo-beta", NULL };
  g_autoptr(CsRun) run = make_run (NULL);
  g_autoptr(CsRunner) runner = plan (f, run, spec);
  g_autofree char *markdown = NULL;
  Wait w = { 0 };

  run_to_end (runner, &w);
  g_assert_true (w.ok);
  g_assert_true (cs_candidate_get_price_known (cs_test_candidate (run, 0)));
  g_assert_cmpfloat (cs_candidate_get_cost_usd (cs_test_candidate (run, 0)), >, 0);
  g_assert_false (cs_candidate_get_price_known (cs_test_candidate (run, 1)));
  g_assert_cmpint (cs_candidate_get_output_tokens (cs_test_candidate (run, 1)), >, 0);
  g_assert_false (cs_run_get_cost_known (run));
  g_assert_cmpint (cs_run_get_wall_ms (run), >=, 0);

  markdown = cs_export_markdown (run);
  g_assert_nonnull (strstr (markdown, "price unknown"));
  g_assert_null (strstr (markdown, "$0.0000"));
}

/* The estimate */

static void
test_estimate (Fixture       *f,
               gconstpointer  data)
{
  const char *spec[] = { "chat/demo-alpha:3", NULL };
  const char *unpriced[] = { "chat/demo-alpha", "chat/demo-beta", NULL };
  g_autoptr(CsRun) run = make_run ("chat/demo-judge");
  g_autoptr(CsRunner) runner = NULL;
  g_autoptr(CsEstimate) e = NULL;
  g_autoptr(CsEstimate) e2 = NULL;
  g_autoptr(CsKnobs) n1 = knobs ("n", "1", NULL);
  g_autofree char *text = NULL;
  const CsEstimateLine *line;
  const CsEstimateLine *judge;

  cs_run_set_knobs (run, "chat/demo-alpha", n1);
  runner = plan (f, run, spec);
  e = cs_estimate_new (runner, NULL);

  /* nothing was sent */
  g_assert_cmpuint (cs_test_provider_get_request_count (provider, "demo-alpha"), ==, 0);
  g_assert_cmpuint (e->lines->len, ==, 2);
  line = g_ptr_array_index (e->lines, 0);
  judge = g_ptr_array_index (e->lines, 1);
  g_assert_cmpstr (line->model, ==, "chat/demo-alpha");
  g_assert_cmpstr (line->label, ==, "demo-alpha");
  g_assert_cmpuint (line->candidates, ==, 3);
  g_assert_cmpuint (line->requests, ==, 3);                 /* n=1 */
  g_assert_cmpuint (line->repairs, ==, 3);                  /* one a candidate, upper only */
  g_assert_cmpint (line->input_low, >, 3 * 50);              /* the prompt, thrice */
  /* a repair's input: the prompt, a bad answer and its errors */
  g_assert_cmpint (line->input_tokens, ==, 2 * line->input_low + 3 * 1000);
  g_assert_cmpint (line->output_high, ==, 2 * 3 * 1000);     /* max-output-tokens, and the repairs' */
  g_assert_cmpint (line->output_low, ==, 0);                 /* no past runs */
  g_assert_true (judge->is_judge);
  g_assert_cmpint (judge->stage, ==, CS_ESTIMATE_JUDGE);
  g_assert_cmpuint (judge->requests, ==, 1);
  g_assert_cmpuint (judge->repairs, ==, 1);
  g_assert_cmpint (judge->output_high, ==, 2 * CS_ESTIMATE_ASSUMED_MAX_OUTPUT);
  g_assert_cmpint (judge->input_low, >, 0);
  g_assert_cmpint (judge->input_tokens, >, 2 * 3 * 1000);   /* the candidates' answers, twice */
  g_assert_cmpuint (e->requests, ==, 4);
  g_assert_cmpuint (e->repairs, ==, 4);
  g_assert_true (e->priced);
  g_assert_cmpfloat_with_epsilon (line->usd_high,
                                  (line->input_tokens * 1.0 + line->output_high * 2.0) / 1e6, 1e-12);
  g_assert_cmpfloat (e->usd_high, >, e->usd_low);
  g_assert_true (cs_estimate_exceeds (e, e->usd_high / 2));
  g_assert_false (cs_estimate_exceeds (e, e->usd_high * 2));
  text = cs_estimate_to_text (e);
  g_assert_nonnull (strstr (text, "demo-alpha from chat: 3 candidates in 3 requests (+ up to 3 repairs)"));
  g_assert_nonnull (strstr (text, "demo-judge from chat (judge): 1 request (+ up to 1 repair)"));
  g_assert_null (strstr (text, "chat/"));

  /* a past run gives the low figure: the median output */
  {
    g_autoptr(CsRun) past = make_run (NULL);
    gint64 outputs[] = { 100, 300, 200 };

    for (guint i = 0; i < G_N_ELEMENTS (outputs); i++)
      {
        g_autofree char *id = g_strdup_printf ("c%u", i + 1);
        g_autoptr(CsCandidate) c = cs_candidate_new (id, "chat/demo-alpha", NULL);

        cs_candidate_set_usage (c, 10, outputs[i], 0);
        cs_candidate_set_status (c, CS_CANDIDATE_OK);
        cs_run_add_candidate (past, c);
      }
    g_assert_true (cs_run_store_save_sync (f->store, past, NULL));
    cs_run_store_watch (f->store, past);
    e2 = cs_estimate_new (runner, G_LIST_MODEL (f->store));
    line = g_ptr_array_index (e2->lines, 0);
    g_assert_cmpuint (line->past_samples, ==, 3);
    g_assert_cmpint (line->output_low, ==, 3 * 200);
  }

  /* a model without a price: the range is unknown, never $0 */
  {
    g_autoptr(CsRun) run2 = make_run (NULL);
    g_autoptr(CsRunner) runner2 = plan (f, run2, unpriced);
    g_autoptr(CsEstimate) e3 = cs_estimate_new (runner2, NULL);
    g_autofree char *s = cs_estimate_to_short (e3);

    g_assert_false (e3->priced);
    g_assert_true (g_str_has_prefix (s, "$"));   /* demo-alpha's part */
    g_assert_true (g_str_has_suffix (s, "plus demo-beta: price unknown"));
    g_assert_true (cs_estimate_exceeds (e3, 1000000));
    g_free (s);
    s = cs_estimate_to_compact (e3);
    g_assert_true (g_str_has_suffix (s, " + ?"));
    g_assert_null (strstr (s, "0.00–0.00"));
  }
}

/* Peer ranking: one request a candidate on its model, reading the other
 * candidates' answers; the fallback judge and every repair in the upper
 * figure only; models by their display names. */
static void
test_estimate_ranking (Fixture       *f,
                       gconstpointer  data)
{
  const char *spec[] = { "chat/demo-alpha:2", "chat/demo-judge", NULL };
  g_autoptr(CsRun) run = make_run ("chat/demo-judge");
  g_autoptr(CsRun) plain = make_run ("chat/demo-judge");
  g_autoptr(CsRunner) runner = NULL;
  g_autoptr(CsRunner) plain_runner = NULL;
  g_autoptr(CsEstimate) e = NULL;
  g_autoptr(CsEstimate) without = NULL;
  g_autoptr(CsKnobs) n1 = knobs ("n", "1", NULL);
  g_autofree char *text = NULL;
  const CsEstimateLine *alpha_rank = NULL, *judge_rank = NULL, *fallback = NULL, *alpha = NULL;
  gint64 judge_cap = CS_ESTIMATE_ASSUMED_MAX_OUTPUT;

  cs_run_set_knobs (run, "chat/demo-alpha", n1);
  cs_run_set_knobs (plain, "chat/demo-alpha", n1);
  cs_run_set_rank (run, TRUE);
  cs_run_set_fallback_judge (run, "chat/demo-alpha");
  runner = plan (f, run, spec);
  plain_runner = plan (f, plain, spec);
  e = cs_estimate_new (runner, NULL);
  without = cs_estimate_new (plain_runner, NULL);

  for (guint i = 0; i < e->lines->len; i++)
    {
      const CsEstimateLine *line = g_ptr_array_index (e->lines, i);

      if (line->stage == CS_ESTIMATE_RANKING && g_str_equal (line->model, "chat/demo-alpha"))
        alpha_rank = line;
      else if (line->stage == CS_ESTIMATE_RANKING)
        judge_rank = line;
      else if (line->stage == CS_ESTIMATE_FALLBACK_JUDGE)
        fallback = line;
      else if (line->stage == CS_ESTIMATE_CANDIDATES && g_str_equal (line->model, "chat/demo-alpha"))
        alpha = line;
    }
  g_assert_nonnull (alpha);
  g_assert_nonnull (alpha_rank);
  g_assert_nonnull (judge_rank);
  g_assert_nonnull (fallback);

  /* two rankers on demo-alpha, each reading the two others' answers at
   * most: one demo-alpha's (1000) and demo-judge's (assumed) */
  g_assert_cmpuint (alpha_rank->requests, ==, 2);
  g_assert_cmpuint (alpha_rank->repairs, ==, 0);
  g_assert_cmpint (alpha_rank->input_tokens, ==, alpha->input_low + 2 * (1000 + judge_cap));
  g_assert_cmpint (alpha_rank->output_high, ==, 2 * 1000);
  g_assert_cmpint (alpha_rank->output_low, ==, 0);
  /* one ranker on demo-judge, reading both demo-alpha answers */
  g_assert_cmpuint (judge_rank->requests, ==, 1);
  g_assert_cmpint (judge_rank->input_tokens, >, 2 * 1000);
  g_assert_true (alpha_rank->usd_high > 0 && judge_rank->usd_high > 0);

  /* the fallback judge: nothing in the low figure, a request and its
   * repair in the upper one */
  g_assert_true (fallback->is_judge);
  g_assert_cmpuint (fallback->requests, ==, 0);
  g_assert_cmpuint (fallback->repairs, ==, 2);
  g_assert_cmpfloat (fallback->usd_low, ==, 0);
  g_assert_cmpint (fallback->output_high, ==, 2 * 1000);

  /* the requests sent in any case: 3 candidates, 3 rankers, the judge */
  g_assert_cmpuint (e->requests, ==, 7);
  g_assert_cmpuint (without->requests, ==, 4);
  g_assert_cmpfloat (e->usd_high, >, without->usd_high);
  g_assert_cmpfloat (e->usd_low, >, without->usd_low);

  text = cs_estimate_to_text (e);
  g_assert_nonnull (strstr (text, "demo-alpha from chat, peer ranking: 2 requests"));
  g_assert_nonnull (strstr (text, "demo-alpha from chat (fallback judge, asked only if the judge fails): up to 2 requests"));
  g_assert_nonnull (strstr (text, "The upper figures count"));
  g_assert_null (strstr (text, "chat/"));

  /* fewer than three candidates: no ranking */
  {
    const char *two[] = { "chat/demo-alpha:2", NULL };
    g_autoptr(CsRun) run2 = make_run (NULL);
    g_autoptr(CsRunner) runner2 = NULL;
    g_autoptr(CsEstimate) e2 = NULL;

    cs_run_set_rank (run2, TRUE);
    cs_run_set_knobs (run2, "chat/demo-alpha", n1);
    runner2 = plan (f, run2, two);
    e2 = cs_estimate_new (runner2, NULL);
    g_assert_cmpuint (e2->lines->len, ==, 1);
    g_assert_cmpuint (e2->requests, ==, 2);
  }
}

/* The budget */

/* A budget reached while a candidate streams stops it (its text so far
 * kept), and the run synthesizes from the valid ones, saying why. */
static void
test_budget_mid_run (Fixture       *f,
                     gconstpointer  data)
{
  const char *spec[] = { "chat/demo-alpha", "chat/demo-gamma+slow=300", NULL };
  g_autoptr(CsRun) run = make_run (NULL);
  g_autoptr(CsRunner) runner = NULL;
  CsCandidate *slow;
  Wait w = { 0 };

  /* demo-gamma's output costs $0.002 a token: some 250 tokens pass $0.50,
   * seconds after demo-alpha has answered */
  cs_run_set_budget_usd (run, 0.50);
  runner = plan (f, run, spec);
  run_to_end (runner, &w);
  g_assert_no_error (w.error);
  g_assert_true (w.ok);

  g_assert_cmpint (cs_run_get_state (run), ==, CS_RUN_DONE);
  g_assert_cmpint (cs_candidate_get_status (cs_test_candidate (run, 0)), ==, CS_CANDIDATE_OK);
  slow = cs_test_candidate (run, 1);
  g_assert_cmpint (cs_candidate_get_status (slow), ==, CS_CANDIDATE_CANCELLED);
  g_assert_cmpuint (strlen (cs_candidate_get_text (slow)), >, 0);       /* partial text kept */
  g_assert_nonnull (strstr (cs_candidate_get_error (slow), "budget"));
  g_assert_nonnull (cs_run_get_synthesis (run));
  g_assert_nonnull (strstr (cs_run_get_message (run), "reached its budget"));
  g_assert_cmpfloat (cs_run_get_budget_usd (run), ==, 0.50);

  /* saved with the run */
  {
    g_autoptr(JsonNode) node = cs_run_to_json (run);
    g_autoptr(CsRun) back = cs_run_new_from_json (node, NULL);

    g_assert_cmpfloat (cs_run_get_budget_usd (back), ==, 0.50);
    g_assert_cmpint (cs_run_get_wall_ms (back), ==, cs_run_get_wall_ms (run));
  }
}

/* Counts grouped by three, as the locale writes them; in C (the tests'
 * locale) with "," as the Markdown export does. */
static void
test_format_count (void)
{
  static const struct { gint64 value; const char *text; } cases[] = {
    { 0, "0" }, { 7, "7" }, { 999, "999" }, { 1000, "1,000" }, { 45179, "45,179" },
    { 1234567, "1,234,567" }, { -1000, "-1,000" }, { -999, "-999" },
    { G_MAXINT64, "9,223,372,036,854,775,807" }, { G_MININT64, "-9,223,372,036,854,775,808" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = cs_format_count (cases[i].value);
      g_assert_cmpstr (text, ==, cases[i].text);
    }
  {
    g_autofree char *de = cs_format_count_with (45179, ".");
    g_autofree char *nnbsp = cs_format_count_with (1234567, "\u202f");
    g_autofree char *dollars = cs_format_whole (2679.6);
    g_autofree char *absurd = cs_format_whole (1e300);
    g_autofree char *nan_text = cs_format_whole (NAN);

    g_assert_cmpstr (de, ==, "45.179");
    g_assert_cmpstr (nnbsp, ==, "1\u202f234\u202f567");
    g_assert_cmpstr (dollars, ==, "2,680");
    g_assert_cmpstr (absurd, ==, "1e+300");
    g_assert_cmpstr (nan_text, ==, "nan");
  }
}

/* The judge's upper cost (its prompt and its max output, 16,384 assumed)
 * on top of what the candidates spent passes the budget: the judge is not
 * asked, the result is votes and consensus, and the run says why. */
static void
test_budget_judge_not_asked (Fixture       *f,
                             gconstpointer  data)
{
  const char *spec[] = { "chat/demo-alpha:2", NULL };
  g_autoptr(CsRun) run = make_run ("chat/demo-judge");
  g_autoptr(CsRunner) runner = NULL;
  CsResult *result;
  Wait w = { 0 };

  /* the candidates spend under a cent; the judge could spend $0.03 */
  cs_run_set_budget_usd (run, 0.02);
  runner = plan (f, run, spec);
  run_to_end (runner, &w);
  g_assert_no_error (w.error);
  g_assert_true (w.ok);

  g_assert_cmpint (cs_run_get_state (run), ==, CS_RUN_DONE);
  g_assert_cmpint (cs_candidate_get_status (cs_test_candidate (run, 0)), ==, CS_CANDIDATE_OK);
  g_assert_cmpint (cs_candidate_get_status (cs_test_candidate (run, 1)), ==, CS_CANDIDATE_OK);
  g_assert_cmpfloat (cs_run_get_total_cost_usd (run), <, 0.02);
  g_assert_cmpuint (cs_test_provider_get_request_count (provider, "demo-judge"), ==, 0);
  result = cs_run_get_result (run);
  g_assert_nonnull (result);
  g_assert_true (cs_result_is_degraded (result));
  g_assert_nonnull (strstr (cs_result_get_note (result), "not asked"));
  g_assert_nonnull (strstr (cs_result_get_note (result), "votes and consensus only"));
  g_assert_nonnull (strstr (cs_run_get_message (run), "kept its budget of $0.0200"));
}

/* The spending reaches the budget while the judge answers (its model's
 * cap of 10 tokens is not kept by the server): the judge is stopped, its
 * partial reply dropped, and the result is the votes and consensus of the
 * valid candidates, saying why. */
static void
test_budget_during_judge (Fixture       *f,
                          gconstpointer  data)
{
  const char *spec[] = { "chat/demo-alpha:2", NULL };
  g_autoptr(CsRun) run = make_run ("chat/demo-judge+slow=100");
  g_autoptr(CsRunner) runner = NULL;
  CsResult *result;
  g_autoptr(GPtrArray) judges = NULL;
  Wait w = { 0 };

  /* the judge's upper figure fits (about $0.03 with the candidates); its
   * reply, at $0.002 a token, passes $0.10 within some 50 tokens, a few
   * of its ticks out of more than a hundred */
  cs_run_set_budget_usd (run, 0.10);
  runner = plan (f, run, spec);
  run_to_end (runner, &w);
  g_assert_no_error (w.error);
  g_assert_true (w.ok);

  g_assert_cmpint (cs_run_get_state (run), ==, CS_RUN_DONE);
  g_assert_cmpuint (cs_test_provider_get_request_count (provider, "demo-judge+slow=100"), ==, 1);
  result = cs_run_get_result (run);
  g_assert_nonnull (result);
  g_assert_true (cs_result_is_degraded (result));
  g_assert_nonnull (strstr (cs_result_get_note (result), "Stopped: the run reached its budget of $0.1000"));
  g_assert_nonnull (strstr (cs_result_get_note (result), "votes and consensus only"));
  g_assert_cmpuint (cs_result_get_total (result), ==, 2);
  g_assert_nonnull (strstr (cs_run_get_message (run), "reached its budget of $0.1000 during the synthesis"));
  judges = cs_run_dup_judge_uses (run);
  g_assert_cmpuint (judges->len, ==, 1);
  g_assert_cmpuint (((CsJudgeUse *) g_ptr_array_index (judges, 0))->requests, ==, 1);
}

/* Rankers are requests of the synthesis too: once the spending has reached
 * the budget (while the candidates streamed) none is sent, each left out
 * of the ranking with a note, and the run still synthesizes. */
static void
test_budget_rankers (Fixture       *f,
                     gconstpointer  data)
{
  const char *spec[] = { "chat/demo-alpha:3", "chat/demo-gamma+slow=300", NULL };
  g_autoptr(CsRun) run = make_run (NULL);
  g_autoptr(CsRunner) runner = NULL;
  g_autoptr(CsKnobs) n1 = knobs ("n", "1", NULL);
  g_autofree char *notes = NULL;
  JsonNode *ranking;
  Wait w = { 0 };

  cs_run_set_knobs (run, "chat/demo-alpha", n1);
  cs_run_set_rank (run, TRUE);
  cs_run_set_budget_usd (run, 0.50);
  runner = plan (f, run, spec);
  run_to_end (runner, &w);
  g_assert_no_error (w.error);
  g_assert_true (w.ok);

  g_assert_cmpint (cs_run_get_state (run), ==, CS_RUN_DONE);
  g_assert_cmpint (cs_candidate_get_status (cs_test_candidate (run, 3)), ==, CS_CANDIDATE_CANCELLED);
  g_assert_nonnull (cs_run_get_synthesis (run));
  /* the three candidates' requests, no ranker's */
  g_assert_cmpuint (cs_test_provider_get_request_count (provider, "demo-alpha"), ==, 3);
  ranking = cs_run_get_ranking (run);
  g_assert_nonnull (ranking);
  notes = cs_json_to_string (ranking, FALSE);
  g_assert_nonnull (strstr (notes, "not asked: the run had reached its budget of $0.5000"));
}

/* The export's cost table names each judge that ran: the judge (its
 * request and its repair) and the fallback judge that did the judging,
 * each with its own tokens and cost; saved with the run. */
static void
test_export_judges (Fixture       *f,
                    gconstpointer  data)
{
  const char *spec[] = { "chat/demo-alpha:2", NULL };
  g_autoptr(CsRun) run = make_run ("chat/demo-judge+invalid");
  g_autoptr(CsRunner) runner = NULL;
  g_autoptr(GPtrArray) judges = NULL;
  g_autofree char *markdown = NULL;
  CsJudgeUse *first, *fallback;
  double cost;
  Wait w = { 0 };

  cs_run_set_fallback_judge (run, "chat/demo-judge");
  runner = plan (f, run, spec);
  run_to_end (runner, &w);
  g_assert_no_error (w.error);
  g_assert_true (w.ok);

  judges = cs_run_dup_judge_uses (run);
  g_assert_cmpuint (judges->len, ==, 2);
  first = g_ptr_array_index (judges, 0);
  fallback = g_ptr_array_index (judges, 1);
  g_assert_cmpstr (first->model, ==, "chat/demo-judge+invalid");
  g_assert_false (first->fallback);
  g_assert_cmpuint (first->requests, ==, 2);            /* and its repair */
  g_assert_cmpstr (fallback->model, ==, "chat/demo-judge");
  g_assert_true (fallback->fallback);
  g_assert_cmpuint (fallback->requests, ==, 1);
  g_assert_cmpint (first->input_tokens, >, 0);
  g_assert_cmpint (fallback->output_tokens, >, 0);
  g_assert_true (cs_run_get_judge_usage (run, NULL, NULL, &cost, NULL));
  g_assert_cmpfloat_with_epsilon (cost, first->cost_usd + fallback->cost_usd, 1e-9);

  markdown = cs_export_markdown (run);
  g_assert_nonnull (strstr (markdown, "| judge (demo-judge+invalid) |"));
  g_assert_nonnull (strstr (markdown, "| fallback judge (demo-judge) |"));

  /* saved with the run */
  {
    g_autoptr(JsonNode) node = cs_run_to_json (run);
    g_autoptr(CsRun) back = cs_run_new_from_json (node, NULL);
    g_autoptr(GPtrArray) back_judges = cs_run_dup_judge_uses (back);
    g_autofree char *back_md = cs_export_markdown (back);

    g_assert_cmpuint (back_judges->len, ==, 2);
    g_assert_true (((CsJudgeUse *) g_ptr_array_index (back_judges, 1))->fallback);
    g_assert_nonnull (strstr (back_md, "| fallback judge (demo-judge) |"));
  }
}

int
main (int argc, char *argv[])
{
  g_autofree char *tmp = NULL;
  int ret;

  tmp = cs_test_make_data_home ("cost");

  g_test_init (&argc, &argv, NULL);

  provider = cs_test_provider_start_new ();

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, cs_test_fixture_tear_down)

  g_test_add_func ("/cost/knobs/parse", test_knobs_parse);
  g_test_add_func ("/cost/format-count", test_format_count);
  ADD ("/cost/knobs/bodies", test_knobs_bodies);
  ADD ("/cost/price-unknown", test_price_unknown);
  ADD ("/cost/estimate", test_estimate);
  ADD ("/cost/estimate/ranking", test_estimate_ranking);
  ADD ("/cost/budget/mid-run", test_budget_mid_run);
  ADD ("/cost/budget/judge-not-asked", test_budget_judge_not_asked);
  ADD ("/cost/budget/during-judge", test_budget_during_judge);
  ADD ("/cost/budget/rankers", test_budget_rankers);
  ADD ("/cost/export/judges", test_export_judges);

#undef ADD

  ret = g_test_run ();

  g_clear_object (&provider);
  cs_test_rm_rf (tmp);
  return ret;
}
