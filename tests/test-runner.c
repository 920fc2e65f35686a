/* test-runner.c: whole runs against the in-process test provider over HTTP
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gstdio.h>

#include "cs-engine.h"
#include "cs-test-provider.h"
#include "test-util.h"

/* Every model the tests use, with its faults; max-n 1 unless named below. */
static const char * const models[] = {
  "demo-alpha", "demo-beta", "demo-gamma", "demo-judge", "demo-thinking",
  "demo-alpha+refuse", "demo-beta+streamerror", "demo-gamma+truncate",
  "demo-alpha+length", "demo-beta+malformed", "demo-gamma+invalidonce",
  "demo-alpha+429once", "demo-beta+quota", "demo-alpha+400", "demo-gamma+invalid",
  "demo-gamma+slow=400", "demo-alpha+slow=60", "demo-beta+slow=60",
  "demo-judge+malformed", "demo-judge+500",
  "demo-alpha+thinktag", "demo-judge+thinktag", "demo-judge+slow=150",
  NULL
};

static CsTestProvider *provider;

typedef CsTestFixture Fixture;

static char *
build_config (void)
{
  g_autoptr(GString) s = g_string_new (NULL);
  g_autofree char *base = cs_test_provider_dup_base_url (provider);
  g_autofree char *list = g_strjoinv (";", (char **)models);

  g_string_append_printf (s,
                          "[provider demo]\n"
                          "base-url=%s\n"
                          "api=openai-chat\n"
                          "models=%s;demo-grouped;demo-grouped+slow=40;demo-grouped+thinktag\n"
                          "max-concurrent=32\n"
                          "requests-per-minute=0\n"
                          "max-retries=2\n\n",
                          base, list);
  for (guint i = 0; models[i] != NULL; i++)
    g_string_append_printf (s,
                            "[model demo/%s]\n"
                            "price-input=1.00\n"
                            "price-output=2.00\n"
                            "max-n=1\n"
                            "structured-output=%s\n\n",
                            models[i],
                            g_str_has_prefix (models[i], "demo-beta") ? "json-object" : "json-schema");
  g_string_append (s,
                   "[model demo/demo-grouped]\n"
                   "max-n=4\n"
                   "price-input=1.00\n"
                   "price-output=2.00\n\n"
                   "[model demo/demo-grouped+slow=40]\n"
                   "max-n=4\n\n"
                   "[model demo/demo-grouped+thinktag]\n"
                   "max-n=4\n\n");

  /* the same server behind a provider that needs a key from the environment */
  g_string_append_printf (s,
                          "[provider keyed]\n"
                          "base-url=%s\n"
                          "api=openai-chat\n"
                          "api-key-env=CS_TEST_RUNNER_KEY\n"
                          "key-optional=false\n"
                          "models=demo-alpha\n"
                          "max-retries=0\n\n",
                          base);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *text = build_config ();

  cs_test_fixture_open (f, text, "test-runner.ini");
  cs_test_provider_reset (provider);
}

typedef CsTestWait Wait;

static void
retry_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  Wait *w = user_data;

  w->ok = cs_runner_retry_candidate_finish (CS_RUNNER (object), result, &w->error);
  w->done = TRUE;
}

static CsRunner *
make_runner (Fixture            *f,
             CsMode              mode,
             const char * const *spec,
             const char         *judge)
{
  return cs_test_new_runner (f->config, f->store, mode, spec, judge);
}

static void
run_to_end (CsRunner *runner,
            Wait     *w)
{
  cs_test_execute (runner, NULL, w, 60);
}

typedef struct {
  CsCandidate *candidate;
  glong        chars;
} Streamed;

static gboolean
streamed (gpointer data)
{
  Streamed *want = data;

  return g_utf8_strlen (cs_candidate_get_text (want->candidate), -1) >= want->chars;
}

/* Until @candidate has streamed @chars characters of text. */
static void
wait_streamed (CsCandidate *candidate,
               glong        chars)
{
  Streamed want = { candidate, chars };

  g_assert_true (cs_test_wait_for (streamed, &want, 30000));
}

static JsonArray *
methods_of (CsRun *run)
{
  JsonNode *synthesis = cs_run_get_synthesis (run);

  g_assert_nonnull (synthesis);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (synthesis));
  return json_object_get_array_member (json_node_get_object (synthesis), "methods");
}

static gboolean
has_method (CsRun      *run,
            const char *method)
{
  JsonArray *methods = methods_of (run);

  for (guint i = 0; i < json_array_get_length (methods); i++)
    if (g_strcmp0 (json_array_get_string_element (methods, i), method) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
is_degraded (CsRun *run)
{
  JsonObject *obj = json_node_get_object (cs_run_get_synthesis (run));

  return json_object_has_member (obj, "degraded") && json_object_get_boolean_member (obj, "degraded");
}

static void
assert_saved (Fixture    *f,
              CsRun      *run,
              const char *state)
{
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *needle = g_strdup_printf ("\"state\" : \"%s\"", state);

  cs_run_store_flush (f->store);
  path = g_strdup_printf ("%s/%s.json", f->runs_dir, cs_run_get_id (run));
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, needle));
}

static void
test_full_run (Fixture       *f,
               gconstpointer  data)
{
  CsMode mode = GPOINTER_TO_INT (data);
  const char *spec[] = { "demo/demo-alpha", "demo/demo-beta", "demo/demo-thinking", NULL };
  g_autoptr(CsRunner) runner = make_runner (f, mode, spec, "demo/demo-judge");
  CsRun *run = cs_runner_get_run (runner);
  Wait w = { 0 };
  guint n_angles = 0;

  cs_mode_get_angles (mode, &n_angles);
  run_to_end (runner, &w);
  g_assert_no_error (w.error);
  g_assert_true (w.ok);
  g_assert_cmpint (cs_run_get_state (run), ==, CS_RUN_DONE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (run)), ==, 3);

  for (guint i = 0; i < 3; i++)
    {
      CsCandidate *c = cs_test_candidate (run, i);
      g_autofree char *id = g_strdup_printf ("c%u", i + 1);

      g_assert_cmpstr (cs_candidate_get_id (c), ==, id);
      g_assert_cmpint (cs_candidate_get_status (c), ==, CS_CANDIDATE_OK);
      g_assert_nonnull (cs_candidate_get_data (c));
      g_assert_cmpint (cs_candidate_get_output_tokens (c), >, 0);
      g_assert_cmpint (cs_candidate_get_input_tokens (c), >, 0);
      g_assert_cmpfloat (cs_candidate_get_cost_usd (c), >, 0);
      g_assert_cmpint (cs_candidate_get_ttft_ms (c), >=, 0);
      g_assert_cmpint (cs_candidate_get_duration_ms (c), >=, cs_candidate_get_ttft_ms (c));
      g_assert_cmpuint (cs_candidate_get_attempts (c), ==, 1);
      g_assert_null (cs_candidate_get_error (c));
    }
  /* different models get different angles */
  if (n_angles >= 3)
    {
      g_assert_cmpstr (cs_candidate_get_angle (cs_test_candidate (run, 0)), !=, cs_candidate_get_angle (cs_test_candidate (run, 1)));
      g_assert_cmpstr (cs_candidate_get_angle (cs_test_candidate (run, 1)), !=, cs_candidate_get_angle (cs_test_candidate (run, 2)));
    }
  /* the thinking model streamed its reasoning */
  g_assert_cmpstr (cs_candidate_get_reasoning (cs_test_candidate (run, 2)), !=, "");

  g_assert_true (has_method (run, "judge"));
  g_assert_true (has_method (run, "ensemble"));
  g_assert_true (has_method (run, "consensus"));
  g_assert_false (is_degraded (run));
  g_assert_cmpfloat (cs_run_get_total_cost_usd (run), >,
                     cs_candidate_get_cost_usd (cs_test_candidate (run, 0)) +
                     cs_candidate_get_cost_usd (cs_test_candidate (run, 1)) +
                     cs_candidate_get_cost_usd (cs_test_candidate (run, 2)));
  g_assert_cmpuint (cs_test_provider_get_request_count (provider, "demo-judge"), ==, 1);
  assert_saved (f, run, "done");
}

/* Reasoning inline as a leading <think> block (DeepSeek-R1, Qwen3): it is
 * the candidates' reasoning, their text is the answer alone, and that
 * answer validates; one request's choices each have their own. */
static void
test_think_tags (Fixture       *f,
                 gconstpointer  data)
{
  const char *spec[] = { "demo/demo-alpha+thinktag", "demo/demo-grouped+thinktag:6", "demo/demo-gamma", NULL };
  g_autoptr(CsRunner) runner = make_runner (f, CS_MODE_ARCHITECT, spec, "demo/demo-judge+thinktag");
  CsRun *run = cs_runner_get_run (runner);
  Wait w = { 0 };

  run_to_end (runner, &w);
  g_assert_no_error (w.error);
  g_assert_true (w.ok);
  /* angles are dealt over the six: some requests carry several choices */
  g_assert_cmpuint (cs_test_provider_get_request_count (provider, "demo-grouped+thinktag"), <, 6);
  for (guint i = 0; i < 8; i++)
    {
      CsCandidate *c = cs_test_candidate (run, i);
      const char *reasoning = cs_candidate_get_reasoning (c);

      g_test_message ("%s: reasoning “%.60s”, text “%.60s”",
                      cs_candidate_get_id (c), reasoning, cs_candidate_get_text (c));
      g_assert_cmpint (cs_candidate_get_status (c), ==, CS_CANDIDATE_OK);
      g_assert_nonnull (cs_candidate_get_data (c));
      g_assert_null (strstr (cs_candidate_get_text (c), "think>"));
      if (i < 7)
        {
          g_assert_true (g_str_has_prefix (reasoning, "Let me restate"));
          g_assert_null (strstr (reasoning, "think>"));
          g_assert_false (g_str_has_suffix (reasoning, "\n"));
          g_assert_true (g_str_has_prefix (cs_candidate_get_text (c), "{"));
        }
      else
        g_assert_cmpstr (reasoning, ==, "");
    }
  /* the judge's reasoning is not its verdict */
  g_assert_true (has_method (run, "judge"));
  g_assert_false (is_degraded (run));
}

static void
test_no_judge (Fixture       *f,
               gconstpointer  data)
{
  const char *spec[] = { "demo/demo-alpha", "demo/demo-beta", "demo/demo-gamma", NULL };
  g_autoptr(CsRunner) runner = make_runner (f, CS_MODE_SUPPORT, spec, NULL);
  CsRun *run = cs_runner_get_run (runner);
  Wait w = { 0 };

  run_to_end (runner, &w);
  g_assert_no_error (w.error);
  g_assert_true (w.ok);
  g_assert_cmpint (cs_run_get_state (run), ==, CS_RUN_DONE);
  g_assert_false (has_method (run, "judge"));
  g_assert_true (is_degraded (run));
  g_assert_nonnull (strstr (cs_run_get_message (run), "No judge"));
  g_assert_cmpuint (cs_test_provider_get_request_count (provider, "demo-judge"), ==, 0);
}

static void
test_judge_fails (Fixture       *f,
                  gconstpointer  data)
{
  const char *judges[] = { "demo/demo-judge+malformed", "demo/demo-judge+500" };

  for (guint j = 0; j < G_N_ELEMENTS (judges); j++)
    {
      const char *spec[] = { "demo/demo-alpha", "demo/demo-gamma", NULL };
      g_autoptr(CsRunner) runner = make_runner (f, CS_MODE_ARCHITECT, spec, judges[j]);
      CsRun *run = cs_runner_get_run (runner);
      Wait w = { 0 };

      run_to_end (runner, &w);
      g_assert_no_error (w.error);
      g_assert_true (w.ok);
      g_assert_cmpint (cs_run_get_state (run), ==, CS_RUN_DONE);
      g_assert_false (has_method (run, "judge"));
      g_assert_true (is_degraded (run));
      g_assert_nonnull (strstr (cs_run_get_message (run), "judge"));
      g_assert_null (strstr (cs_run_get_message (run), ".."));
    }
}

static void
test_faults (Fixture       *f,
             gconstpointer  data)
{
  const char *spec[] = {
    "demo/demo-alpha",               /* c1 ok */
    "demo/demo-alpha+refuse",        /* c2 refused */
    "demo/demo-beta+streamerror",    /* c3 failed, provider's message */
    "demo/demo-gamma+truncate",      /* c4 truncated */
    "demo/demo-alpha+length",        /* c5 truncated: token limit */
    "demo/demo-beta+malformed",      /* c6 repaired once, then invalid */
    "demo/demo-gamma+invalidonce",   /* c7 repaired → ok */
    "demo/demo-alpha+429once",       /* c8 retried by the client → ok */
    "demo/demo-beta+quota",          /* c9 failed, not retried */
    NULL
  };
  g_autoptr(CsRunner) runner = make_runner (f, CS_MODE_SUPPORT, spec, "demo/demo-judge");
  CsRun *run = cs_runner_get_run (runner);
  Wait w = { 0 };
  CsCandidate *c;

  run_to_end (runner, &w);
  g_assert_no_error (w.error);
  g_assert_true (w.ok);
  g_assert_cmpint (cs_run_get_state (run), ==, CS_RUN_DONE);
  g_assert_true (has_method (run, "judge"));

  g_assert_cmpint (cs_candidate_get_status (cs_test_candidate (run, 0)), ==, CS_CANDIDATE_OK);

  c = cs_test_candidate (run, 1);
  g_assert_cmpint (cs_candidate_get_status (c), ==, CS_CANDIDATE_REFUSED);
  g_assert_cmpstr (cs_candidate_get_refusal (c), !=, "");
  g_assert_nonnull (cs_candidate_get_error (c));

  c = cs_test_candidate (run, 2);
  g_assert_cmpint (cs_candidate_get_status (c), ==, CS_CANDIDATE_FAILED);
  g_assert_nonnull (cs_candidate_get_error (c));
  g_assert_cmpstr (cs_candidate_get_error (c), !=, "");

  c = cs_test_candidate (run, 3);
  g_assert_cmpint (cs_candidate_get_status (c), ==, CS_CANDIDATE_TRUNCATED);
  g_assert_nonnull (cs_candidate_get_error (c));

  c = cs_test_candidate (run, 4);
  g_assert_cmpint (cs_candidate_get_status (c), ==, CS_CANDIDATE_TRUNCATED);
  g_assert_cmpstr (cs_candidate_get_error (c), ==, "The reply was cut off at the token limit");
  g_assert_cmpstr (cs_candidate_get_text (c), !=, "");

  c = cs_test_candidate (run, 5);
  g_assert_cmpint (cs_candidate_get_status (c), ==, CS_CANDIDATE_INVALID);
  g_assert_nonnull (cs_candidate_get_validation_error (c));
  g_assert_cmpstr (cs_candidate_get_text (c), !=, "");
  g_assert_null (cs_candidate_get_data (c));
  g_assert_cmpuint (cs_test_provider_get_request_count (provider, "demo-beta+malformed"), ==, 2);
  g_assert_cmpuint (cs_candidate_get_attempts (c), ==, 2);

  c = cs_test_candidate (run, 6);
  g_assert_cmpint (cs_candidate_get_status (c), ==, CS_CANDIDATE_OK);
  g_assert_nonnull (cs_candidate_get_data (c));
  g_assert_cmpuint (cs_test_provider_get_request_count (provider, "demo-gamma+invalidonce"), ==, 2);
  g_assert_cmpuint (cs_candidate_get_attempts (c), ==, 2);

  c = cs_test_candidate (run, 7);
  g_assert_cmpint (cs_candidate_get_status (c), ==, CS_CANDIDATE_OK);
  g_assert_cmpuint (cs_test_provider_get_request_count (provider, "demo-alpha+429once"), ==, 2);

  c = cs_test_candidate (run, 8);
  g_assert_cmpint (cs_candidate_get_status (c), ==, CS_CANDIDATE_FAILED);
  g_assert_nonnull (cs_candidate_get_error (c));
  g_assert_cmpuint (cs_test_provider_get_request_count (provider, "demo-beta+quota"), ==, 1);

  g_assert_cmpuint (cs_run_count_status (run, CS_CANDIDATE_OK), ==, 3);
  assert_saved (f, run, "done");
}

static void
test_all_fail (Fixture       *f,
               gconstpointer  data)
{
  const char *spec[] = { "demo/demo-alpha+400", "demo/demo-alpha+refuse", "demo/demo-beta+quota",
                         "demo/demo-gamma+invalid", NULL };
  g_autoptr(CsRunner) runner = make_runner (f, CS_MODE_ARCHITECT, spec, "demo/demo-judge");
  CsRun *run = cs_runner_get_run (runner);
  Wait w = { 0 };

  run_to_end (runner, &w);
  g_assert_false (w.ok);
  g_assert_error (w.error, CS_RUNNER_ERROR, CS_RUNNER_ERROR_NO_CANDIDATE);
  g_clear_error (&w.error);
  g_assert_cmpint (cs_run_get_state (run), ==, CS_RUN_FAILED);
  g_assert_nonnull (cs_run_get_message (run));
  /* each model by its name and its provider's, not its provider/model id */
  g_assert_nonnull (strstr (cs_run_get_message (run), "No candidate succeeded: c1 (demo-alpha+400 from demo): "));
  g_assert_null (strstr (cs_run_get_message (run), "demo/"));
  g_assert_null (cs_run_get_synthesis (run));
  g_assert_cmpint (cs_candidate_get_status (cs_test_candidate (run, 0)), ==, CS_CANDIDATE_FAILED);
  g_assert_cmpint (cs_candidate_get_status (cs_test_candidate (run, 3)), ==, CS_CANDIDATE_INVALID);
  /* no judge is asked without a candidate */
  g_assert_cmpuint (cs_test_provider_get_request_count (provider, "demo-judge"), ==, 0);
  assert_saved (f, run, "failed");
}

static void
test_quorum (Fixture       *f,
             gconstpointer  data)
{
  gboolean cancel_late = GPOINTER_TO_INT (data);
  const char *spec[] = { "demo/demo-alpha", "demo/demo-beta", "demo/demo-gamma+slow=400", NULL };
  g_autoptr(CsRunner) runner = make_runner (f, CS_MODE_ARCHITECT, spec, NULL);
  CsRun *run = cs_runner_get_run (runner);
  CsCandidate *slow;
  Wait w = { 0 };

  cs_runner_set_quorum (runner, 2);
  cs_runner_set_cancel_late (runner, cancel_late);
  run_to_end (runner, &w);
  g_assert_no_error (w.error);
  g_assert_true (w.ok);
  g_assert_cmpint (cs_run_get_state (run), ==, CS_RUN_DONE);

  slow = cs_test_candidate (run, 2);
  g_assert_cmpint (cs_run_count_status (run, CS_CANDIDATE_OK), ==, 2);
  if (cancel_late)
    {
      g_assert_cmpint (cs_candidate_get_status (slow), ==, CS_CANDIDATE_CANCELLED);
      /* says why in words that do not repeat the status */
      g_assert_nonnull (strstr (cs_candidate_get_error (slow), "synthesis started without it"));
      g_assert_false (g_str_has_prefix (cs_candidate_get_error (slow), "Cancelled"));
    }
  else
    {
      /* still streaming after the result, and kept */
      g_assert_false (cs_candidate_status_is_final (cs_candidate_get_status (slow)));
      cs_runner_cancel_candidate (runner, "c3");
      g_assert_cmpint (cs_candidate_get_status (slow), ==, CS_CANDIDATE_CANCELLED);
    }
  /* let the cancelled request wind down */
  cs_test_wait_for (cs_test_never, NULL, 100);
}

static void
test_deadline (Fixture       *f,
               gconstpointer  data)
{
  const char *spec[] = { "demo/demo-alpha", "demo/demo-gamma+slow=400", NULL };
  g_autoptr(CsRunner) runner = make_runner (f, CS_MODE_SUPPORT, spec, NULL);
  CsRun *run = cs_runner_get_run (runner);
  gint64 start = g_get_monotonic_time ();
  Wait w = { 0 };

  cs_runner_set_deadline (runner, 1);
  cs_runner_set_cancel_late (runner, TRUE);
  run_to_end (runner, &w);
  g_assert_true (w.ok);
  g_assert_cmpint (w.finished_us - start, <, 5 * (gint64) cs_test_slack () * G_USEC_PER_SEC);
  g_assert_cmpint (w.finished_us - start, >=, 900 * 1000);
  g_assert_cmpint (cs_candidate_get_status (cs_test_candidate (run, 1)), ==, CS_CANDIDATE_CANCELLED);
  /* let the cancelled request wind down */
  cs_test_wait_for (cs_test_never, NULL, 100);
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  const char *spec[] = { "demo/demo-alpha+slow=60", "demo/demo-beta+slow=60", NULL };
  g_autoptr(CsRunner) runner = make_runner (f, CS_MODE_ARCHITECT, spec, "demo/demo-judge");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  CsRun *run = cs_runner_get_run (runner);
  Wait w = { 0 };
  gint64 cancelled_at;

  cs_runner_execute_async (runner, cancellable, cs_test_execute_cb, &w);
  /* wait until text streams */
  wait_streamed (cs_test_candidate (run, 0), 10);
  g_assert_cmpint (cs_candidate_get_status (cs_test_candidate (run, 0)), ==, CS_CANDIDATE_STREAMING);
  g_assert_cmpint (cs_run_get_state (run), ==, CS_RUN_RUNNING);

  cancelled_at = g_get_monotonic_time ();
  g_idle_add (cancel_cb, cancellable);
  cs_test_iterate_until (&w.done, 10);
  /* every request stopped at once */
  g_assert_cmpint (w.finished_us - cancelled_at, <, (gint64) cs_test_slack () * G_USEC_PER_SEC);
  g_assert_false (w.ok);
  g_assert_error (w.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&w.error);
  g_assert_cmpint (cs_run_get_state (run), ==, CS_RUN_CANCELLED);
  for (guint i = 0; i < 2; i++)
    {
      g_assert_cmpint (cs_candidate_get_status (cs_test_candidate (run, i)), ==, CS_CANDIDATE_CANCELLED);
      /* the partial text is kept */
    }
  g_assert_cmpstr (cs_candidate_get_text (cs_test_candidate (run, 0)), !=, "");
  g_assert_cmpuint (cs_test_provider_get_request_count (provider, "demo-judge"), ==, 0);
  assert_saved (f, run, "cancelled");
}

static void
cancel_on_synthesizing (CsRun      *run,
                        GParamSpec *pspec,
                        gpointer    user_data)
{
  /* the fusion has not even started when the state changes: cancelling
   * here must stop the run before its result arrives */
  if (cs_run_get_state (run) == CS_RUN_SYNTHESIZING)
    g_cancellable_cancel (user_data);
}

static void
test_cancel_during_synthesis (Fixture       *f,
                              gconstpointer  data)
{
  const char *spec[] = { "demo/demo-alpha", "demo/demo-beta", "demo/demo-gamma", NULL };
  /* no judge: a synchronous fusion would finish the run before the
   * cancellation is seen */
  g_autoptr(CsRunner) runner = make_runner (f, CS_MODE_ARCHITECT, spec, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  CsRun *run = cs_runner_get_run (runner);
  Wait w = { 0 };
  gulong id;

  id = g_signal_connect (run, "notify::state", G_CALLBACK (cancel_on_synthesizing), cancellable);
  cs_runner_execute_async (runner, cancellable, cs_test_execute_cb, &w);
  cs_test_iterate_until (&w.done, 30);
  g_signal_handler_disconnect (run, id);

  g_assert_false (w.ok);
  g_assert_error (w.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&w.error);
  g_assert_cmpint (cs_run_get_state (run), ==, CS_RUN_CANCELLED);
  /* the candidates had finished: they stay as they were */
  for (guint i = 0; i < 3; i++)
    g_assert_cmpint (cs_candidate_get_status (cs_test_candidate (run, i)), ==, CS_CANDIDATE_OK);

  /* the fusion's late result changes nothing (what must not happen: no
   * state to wait for) */
  cs_test_wait_for (cs_test_never, NULL, 300);
  g_assert_cmpint (cs_run_get_state (run), ==, CS_RUN_CANCELLED);
  g_assert_null (cs_run_get_synthesis (run));
  assert_saved (f, run, "cancelled");
}

static gboolean
judge_asked_or_done (gpointer data)
{
  return cs_test_provider_get_request_count (provider, "demo-judge+slow=150") > 0 ||
         ((Wait *) data)->done;
}

/* Cancelled (or stopped by quitting) while the judge answers: the votes
 * and consensus already computed stay the run's result, saved, the message
 * saying the judge was cancelled. */
static void
test_cancel_during_judge (Fixture       *f,
                          gconstpointer  data)
{
  const char *spec[] = { "demo/demo-alpha", "demo/demo-beta", NULL };
  g_autoptr(CsRunner) runner = make_runner (f, CS_MODE_ARCHITECT, spec, "demo/demo-judge+slow=150");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  CsRun *run = cs_runner_get_run (runner);
  CsResult *result;
  Wait w = { 0 };

  cs_runner_execute_async (runner, cancellable, cs_test_execute_cb, &w);
  /* the judge is asked, and streams slowly (150 ms a chunk) */
  g_assert_true (cs_test_wait_for (judge_asked_or_done, &w, 30000));
  g_assert_false (w.done);
  cs_test_wait_for (cs_test_never, NULL, 200);
  g_assert_false (w.done);
  g_assert_cmpint (cs_run_get_state (run), ==, CS_RUN_SYNTHESIZING);

  g_cancellable_cancel (cancellable);
  cs_test_iterate_until (&w.done, 10);
  g_assert_error (w.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&w.error);
  g_assert_cmpint (cs_run_get_state (run), ==, CS_RUN_CANCELLED);
  g_assert_nonnull (strstr (cs_run_get_message (run), "judge"));
  g_assert_nonnull (strstr (cs_run_get_message (run), "cancelled"));

  /* the fused result is the run's */
  g_assert_nonnull (cs_run_get_synthesis (run));
  g_assert_true (has_method (run, "ensemble"));
  g_assert_true (has_method (run, "consensus"));
  g_assert_false (has_method (run, "judge"));
  g_assert_true (is_degraded (run));
  result = cs_run_get_result (run);
  g_assert_nonnull (result);
  g_assert_nonnull (cs_result_get_blueprint (result));
  g_assert_nonnull (strstr (cs_result_get_note (result), "cancelled"));

  /* and saved so */
  assert_saved (f, run, "cancelled");
  path = g_strdup_printf ("%s/%s.json", f->runs_dir, cs_run_get_id (run));
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "\"consensus\""));
  g_assert_nonnull (strstr (contents, "was cancelled before it answered"));
}

static void
test_cancel_and_retry (Fixture       *f,
                       gconstpointer  data)
{
  const char *spec[] = { "demo/demo-alpha", "demo/demo-beta+slow=60", NULL };
  g_autoptr(CsRunner) runner = make_runner (f, CS_MODE_SUPPORT, spec, NULL);
  CsRun *run = cs_runner_get_run (runner);
  CsCandidate *slow;
  Wait w = { 0 };
  Wait r = { 0 };
  JsonNode *n;

  cs_runner_execute_async (runner, NULL, cs_test_execute_cb, &w);
  slow = cs_test_candidate (run, 1);
  wait_streamed (slow, 5);
  cs_runner_cancel_candidate (runner, "c2");
  g_assert_cmpint (cs_candidate_get_status (slow), ==, CS_CANDIDATE_CANCELLED);
  cs_test_iterate_until (&w.done, 30);
  g_assert_true (w.ok);
  g_assert_cmpint (cs_run_get_state (run), ==, CS_RUN_DONE);
  n = json_object_get_member (json_node_get_object (cs_run_get_synthesis (run)), "n_candidates");
  if (n != NULL)
    g_assert_cmpint (json_node_get_int (n), ==, 1);

  /* the retry streams again and synthesizes again, now with both */
  cs_runner_retry_candidate_async (runner, "c2", NULL, retry_cb, &r);
  cs_test_iterate_until (&r.done, 60);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  g_assert_cmpint (cs_candidate_get_status (slow), ==, CS_CANDIDATE_OK);
  g_assert_cmpuint (cs_candidate_get_attempts (slow), ==, 2);
  g_assert_cmpint (cs_run_get_state (run), ==, CS_RUN_DONE);
  n = json_object_get_member (json_node_get_object (cs_run_get_synthesis (run)), "n_candidates");
  if (n != NULL)
    g_assert_cmpint (json_node_get_int (n), ==, 2);

  /* an unknown or running candidate cannot be retried */
  r.done = FALSE;
  cs_runner_retry_candidate_async (runner, "c9", NULL, retry_cb, &r);
  cs_test_iterate_until (&r.done, 5);
  g_assert_false (r.ok);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&r.error);
}

static void
test_grouping (Fixture       *f,
               gconstpointer  data)
{
  const char *spec[] = { "demo/demo-grouped:6", "demo/demo-alpha:2", NULL };
  g_autoptr(CsRunner) runner = make_runner (f, CS_MODE_ARCHITECT, spec, NULL);
  CsRun *run = cs_runner_get_run (runner);
  g_autoptr(GHashTable) per_angle = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) angles_seen = g_hash_table_new (g_str_hash, g_str_equal);
  guint expected_requests = 0;
  guint n_angles = 0;
  GHashTableIter iter;
  gpointer value;
  Wait w = { 0 };

  cs_mode_get_angles (CS_MODE_ARCHITECT, &n_angles);
  g_assert_cmpuint (n_angles, >=, 2);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (run)), ==, 8);

  /* the plan: angles dealt over all candidates; one request per (angle, ≤4) */
  for (guint i = 0; i < 6; i++)
    {
      const char *angle = cs_candidate_get_angle (cs_test_candidate (run, i));
      g_assert_nonnull (angle);
      g_hash_table_insert (per_angle, (gpointer)angle,
                           GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (per_angle, angle)) + 1));
    }
  g_hash_table_iter_init (&iter, per_angle);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    expected_requests += (GPOINTER_TO_UINT (value) + 3) / 4;
  for (guint i = 0; i < 8; i++)
    g_hash_table_add (angles_seen, (gpointer)cs_candidate_get_angle (cs_test_candidate (run, i)));
  g_assert_cmpuint (g_hash_table_size (angles_seen), ==, MIN (n_angles, 8));

  /* several requests of one model get different temperatures */
  if (expected_requests > 1)
    g_assert_false (isnan (cs_candidate_get_temperature (cs_test_candidate (run, 0))));

  run_to_end (runner, &w);
  g_assert_no_error (w.error);
  g_assert_true (w.ok);
  g_assert_cmpuint (cs_test_provider_get_request_count (provider, "demo-grouped"), ==, expected_requests);
  g_assert_cmpuint (cs_test_provider_get_request_count (provider, "demo-grouped"), <, 6);
  /* max-n 1: one request per candidate */
  g_assert_cmpuint (cs_test_provider_get_request_count (provider, "demo-alpha"), ==, 2);
  for (guint i = 0; i < 8; i++)
    {
      CsCandidate *c = cs_test_candidate (run, i);
      g_assert_cmpint (cs_candidate_get_status (c), ==, CS_CANDIDATE_OK);
      g_assert_cmpint (cs_candidate_get_output_tokens (c), >, 0);
    }
  /* choices of one request differ */
  g_assert_cmpstr (cs_candidate_get_text (cs_test_candidate (run, 0)), !=, cs_candidate_get_text (cs_test_candidate (run, 3)));
}

static void
test_grouped_cancel_one (Fixture       *f,
                         gconstpointer  data)
{
  const char *spec[] = { "demo/demo-grouped+slow=40:2", NULL };
  g_autoptr(CsRunner) runner = NULL;
  CsRun *run;
  Wait w = { 0 };
  guint n_angles = 0;

  cs_mode_get_angles (CS_MODE_SUPPORT, &n_angles);
  if (n_angles != 1)
    {
      /* two candidates only share a request when the mode has one angle;
       * use enough candidates that some share one */
      spec[0] = "demo/demo-grouped+slow=40:8";
    }
  runner = make_runner (f, CS_MODE_SUPPORT, spec, NULL);
  run = cs_runner_get_run (runner);
  cs_runner_execute_async (runner, NULL, cs_test_execute_cb, &w);
  wait_streamed (cs_test_candidate (run, 0), 5);
  /* c1 shares its request with siblings: they go on */
  cs_runner_cancel_candidate (runner, "c1");
  cs_test_iterate_until (&w.done, 60);
  g_assert_true (w.ok);
  g_assert_cmpint (cs_candidate_get_status (cs_test_candidate (run, 0)), ==, CS_CANDIDATE_CANCELLED);
  for (guint i = 1; i < g_list_model_get_n_items (G_LIST_MODEL (run)); i++)
    g_assert_cmpint (cs_candidate_get_status (cs_test_candidate (run, i)), ==, CS_CANDIDATE_OK);
}

static void
test_keys (Fixture       *f,
           gconstpointer  data)
{
  const char *spec[] = { "keyed/demo-alpha", NULL };

  cs_test_provider_set_required_key (provider, "sk-test-runner-secret");

  /* no key anywhere: a clear message, no request */
  {
    g_autoptr(CsRunner) runner = NULL;
    CsRun *run;
    Wait w = { 0 };

    g_setenv ("CS_TEST_RUNNER_KEY", "", TRUE);
    runner = make_runner (f, CS_MODE_ARCHITECT, spec, NULL);
    run = cs_runner_get_run (runner);
    run_to_end (runner, &w);
    g_assert_false (w.ok);
    g_clear_error (&w.error);
    g_assert_cmpint (cs_candidate_get_status (cs_test_candidate (run, 0)), ==, CS_CANDIDATE_FAILED);
    g_assert_nonnull (strstr (cs_candidate_get_error (cs_test_candidate (run, 0)), "No API key for keyed"));
    g_assert_nonnull (strstr (cs_candidate_get_error (cs_test_candidate (run, 0)), "--store-key=keyed"));
    g_assert_nonnull (strstr (cs_candidate_get_error (cs_test_candidate (run, 0)), "CS_TEST_RUNNER_KEY"));
  }

  /* the key from the environment works, and is nowhere in the run */
  {
    g_autoptr(CsRunner) runner = NULL;
    g_autoptr(JsonNode) node = NULL;
    g_autofree char *text = NULL;
    CsRun *run;
    Wait w = { 0 };

    g_setenv ("CS_TEST_RUNNER_KEY", "sk-test-runner-secret", TRUE);
    runner = make_runner (f, CS_MODE_ARCHITECT, spec, NULL);
    run = cs_runner_get_run (runner);
    run_to_end (runner, &w);
    g_assert_no_error (w.error);
    g_assert_true (w.ok);
    node = cs_run_to_json (run);
    text = json_to_string (node, FALSE);
    g_assert_null (strstr (text, "sk-test-runner-secret"));
  }

  /* a wrong key: failed with the provider's auth error */
  {
    g_autoptr(CsRunner) runner = NULL;
    CsRun *run;
    Wait w = { 0 };

    g_setenv ("CS_TEST_RUNNER_KEY", "sk-wrong", TRUE);
    runner = make_runner (f, CS_MODE_ARCHITECT, spec, NULL);
    run = cs_runner_get_run (runner);
    run_to_end (runner, &w);
    g_assert_false (w.ok);
    g_clear_error (&w.error);
    g_assert_cmpint (cs_candidate_get_status (cs_test_candidate (run, 0)), ==, CS_CANDIDATE_FAILED);
    g_assert_null (strstr (cs_candidate_get_error (cs_test_candidate (run, 0)), "sk-wrong"));
  }

  g_setenv ("CS_TEST_RUNNER_KEY", "", TRUE);
  cs_test_provider_set_required_key (provider, NULL);
}

static void
test_plan_errors (Fixture       *f,
                  gconstpointer  data)
{
  struct {
    const char *spec;
    const char *needle;
  } cases[] = {
    { "demo/nope", "unknown model demo/nope" },
    { "nope/demo-alpha:2", "unknown model nope/demo-alpha" },
    { "demo/demo-alpha:0", "between 1 and 16" },
    { "demo/demo-alpha:17", "between 1 and 16" },
    { "", "empty" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(CsRun) run = cs_run_new (CS_MODE_ARCHITECT, "x");
      g_autoptr(CsRunner) runner = cs_runner_new (f->config, run);
      const char *spec[] = { cases[i].spec, NULL };
      g_autoptr(GError) error = NULL;

      g_assert_false (cs_runner_plan (runner, spec, &error));
      g_assert_error (error, CS_RUNNER_ERROR, CS_RUNNER_ERROR_CONFIG);
      g_assert_nonnull (strstr (error->message, cases[i].needle));
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (run)), ==, 0);
    }

  /* the unknown-model message lists the known ones */
  {
    g_autoptr(CsRun) run = cs_run_new (CS_MODE_ARCHITECT, "x");
    g_autoptr(CsRunner) runner = cs_runner_new (f->config, run);
    const char *spec[] = { "demo/demo-alpha", "demo/typo", NULL };
    g_autoptr(GError) error = NULL;

    g_assert_false (cs_runner_plan (runner, spec, &error));
    g_assert_nonnull (strstr (error->message, "known: demo/demo-alpha"));
  }

  /* at most 32 candidates in a run */
  {
    g_autoptr(CsRun) run = cs_run_new (CS_MODE_ARCHITECT, "x");
    g_autoptr(CsRunner) runner = cs_runner_new (f->config, run);
    const char *spec[] = { "demo/demo-alpha:16", "demo/demo-beta:16", "demo/demo-gamma", NULL };
    const char *ok[] = { "demo/demo-alpha:16", "demo/demo-beta:16", NULL };
    g_autoptr(GError) error = NULL;

    g_assert_false (cs_runner_plan (runner, spec, &error));
    g_assert_nonnull (strstr (error->message, "32"));
    g_clear_error (&error);
    g_assert_true (cs_runner_plan (runner, ok, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (run)), ==, 32);
    g_assert_cmpstr (cs_candidate_get_id (cs_test_candidate (run, 31)), ==, "c32");
  }

  /* an empty problem */
  {
    g_autoptr(CsRun) run = cs_run_new (CS_MODE_ARCHITECT, "  \n ");
    g_autoptr(CsRunner) runner = cs_runner_new (f->config, run);
    const char *spec[] = { "demo/demo-alpha", NULL };
    Wait w = { 0 };

    g_assert_true (cs_runner_plan (runner, spec, NULL));
    cs_runner_execute_async (runner, NULL, cs_test_execute_cb, &w);
    cs_test_iterate_until (&w.done, 5);
    g_assert_error (w.error, CS_RUNNER_ERROR, CS_RUNNER_ERROR_INPUT);
    g_clear_error (&w.error);
    g_assert_cmpuint (cs_test_provider_get_request_count (provider, NULL), ==, 0);
  }
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = NULL;
  int ret;

  /* before anything reads the XDG directories */
  tmp = cs_test_make_data_home ("runner");

  g_test_init (&argc, &argv, NULL);

  provider = cs_test_provider_start_new ();

#define ADD(path, data, func) \
  g_test_add (path, Fixture, data, fixture_set_up, func, cs_test_fixture_tear_down)

  ADD ("/runner/architect", GINT_TO_POINTER (CS_MODE_ARCHITECT), test_full_run);
  ADD ("/runner/support", GINT_TO_POINTER (CS_MODE_SUPPORT), test_full_run);
  ADD ("/runner/think-tags", NULL, test_think_tags);
  ADD ("/runner/no-judge", NULL, test_no_judge);
  ADD ("/runner/judge-fails", NULL, test_judge_fails);
  ADD ("/runner/faults", NULL, test_faults);
  ADD ("/runner/all-fail", NULL, test_all_fail);
  ADD ("/runner/quorum/keep-late", GINT_TO_POINTER (FALSE), test_quorum);
  ADD ("/runner/quorum/cancel-late", GINT_TO_POINTER (TRUE), test_quorum);
  ADD ("/runner/deadline", NULL, test_deadline);
  ADD ("/runner/cancel", NULL, test_cancel);
  ADD ("/runner/cancel-during-synthesis", NULL, test_cancel_during_synthesis);
  ADD ("/runner/cancel-during-judge", NULL, test_cancel_during_judge);
  ADD ("/runner/cancel-and-retry", NULL, test_cancel_and_retry);
  ADD ("/runner/grouping", NULL, test_grouping);
  ADD ("/runner/grouped-cancel-one", NULL, test_grouped_cancel_one);
  ADD ("/runner/keys", NULL, test_keys);
  ADD ("/runner/plan-errors", NULL, test_plan_errors);

#undef ADD

  ret = g_test_run ();

  g_clear_object (&provider);
  cs_test_rm_rf (tmp);
  return ret;
}
