/* test-run-manager.c: runs owned outside any window, against the test provider
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "cs-engine.h"
#include "cs-test-cpu-wait.h"
#include "cs-test-provider.h"
#include "test-util.h"

static CsTestProvider *provider;

typedef struct {
  CsConfig     *config;
  CsRunStore   *store;
  CsRunManager *manager;
  char         *runs_dir;
  guint         n_started;
  guint         n_ended;
  guint         n_save_failed;
  char         *failure;
} Fixture;

static void
started_cb (CsRunManager *manager,
            CsRun        *run,
            Fixture      *f)
{
  f->n_started++;
}

static void
ended_cb (CsRunManager *manager,
          CsRun        *run,
          const char   *failure,
          Fixture      *f)
{
  f->n_ended++;
  g_free (f->failure);
  f->failure = g_strdup (failure);
  /* ended means saved and no longer running */
  g_assert_false (cs_run_manager_is_running (manager, run));
}

static void
save_failed_cb (CsRunManager *manager,
                CsRun        *run,
                const char   *message,
                Fixture      *f)
{
  f->n_save_failed++;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *text = cs_test_demo_ini (provider, "demo-alpha;demo-beta;demo-alpha+slow=200;demo-gamma+500;demo-judge+silence;"
                                                    "demo-judge;demo-beta+429once");

  cs_test_open_store (text, "test-run-manager.ini", &f->config, &f->store, &f->runs_dir);
  f->manager = cs_run_manager_new (f->store);
  g_signal_connect (f->manager, "run-started", G_CALLBACK (started_cb), f);
  g_signal_connect (f->manager, "run-ended", G_CALLBACK (ended_cb), f);
  g_signal_connect (f->manager, "save-failed", G_CALLBACK (save_failed_cb), f);
  cs_test_provider_reset (provider);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  cs_run_manager_shutdown (f->manager, 5000);
  g_assert_cmpuint (cs_run_manager_get_n_running (f->manager), ==, 0);
  g_signal_handlers_disconnect_by_data (f->manager, f);
  g_assert_finalize_object (f->manager);
  g_clear_object (&f->store);
  g_clear_object (&f->config);
  g_free (f->runs_dir);
  g_free (f->failure);
}

/* @cond (@f) within @timeout_s seconds times the slack. */
static gboolean
wait_for (gboolean (*cond) (Fixture *),
          Fixture  *f,
          guint     timeout_s)
{
  return cs_test_wait_for ((CsTestCondition) cond, f, timeout_s * 1000);
}

static gboolean
ended (Fixture *f)
{
  return f->n_ended > 0;
}

static gboolean
no_save_failure (Fixture *f)
{
  return cs_run_manager_get_n_save_failures (f->manager) == 0;
}

static char *
saved_text (Fixture *f,
            CsRun   *run)
{
  g_autofree char *path = g_strdup_printf ("%s/%s.json", f->runs_dir, cs_run_get_id (run));
  char *contents = NULL;

  cs_run_store_flush (f->store);
  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  return contents;
}

static CsRun *
new_run (void)
{
  return cs_run_new (CS_MODE_SUPPORT, "nginx returns 502 Bad Gateway after an upgrade");
}

/* A run started here ends by itself, saved, with nobody holding it. */
static void
test_start (Fixture       *f,
            gconstpointer  data)
{
  const char *models[] = { "demo/demo-alpha", "demo/demo-beta", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  CsRun *run = new_run ();
  g_autoptr(CsRun) kept = g_object_ref (run);

  g_assert_true (cs_run_manager_start (f->manager, f->config, run, models, &error));
  g_assert_no_error (error);
  g_object_unref (run);   /* the caller (a window) lets go at once */

  g_assert_cmpuint (f->n_started, ==, 1);
  g_assert_true (cs_run_manager_is_running (f->manager, kept));
  g_assert_true (cs_run_manager_drives (f->manager, kept));
  g_assert_cmpuint (cs_run_manager_get_n_running (f->manager), ==, 1);
  g_assert_nonnull (cs_run_store_find (f->store, cs_run_get_id (kept)));

  g_assert_true (wait_for (ended, f, 60));
  g_assert_null (f->failure);
  g_assert_cmpint (cs_run_get_state (kept), ==, CS_RUN_DONE);
  g_assert_cmpuint (cs_run_manager_get_n_running (f->manager), ==, 0);
  /* still driven: a retry reuses its runner */
  g_assert_true (cs_run_manager_drives (f->manager, kept));

  text = saved_text (f, kept);
  g_assert_nonnull (text);
  g_assert_nonnull (strstr (text, "\"state\" : \"done\""));
}

/* A plan that names an unknown model starts nothing. */
static void
test_plan_error (Fixture       *f,
                 gconstpointer  data)
{
  const char *models[] = { "demo/no-such-model", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(CsRun) run = new_run ();

  g_assert_false (cs_run_manager_start (f->manager, f->config, run, models, &error));
  g_assert_error (error, CS_RUNNER_ERROR, CS_RUNNER_ERROR_CONFIG);
  g_assert_false (cs_run_manager_is_running (f->manager, run));
  g_assert_false (cs_run_manager_drives (f->manager, run));
  g_assert_cmpuint (f->n_started, ==, 0);
  g_assert_null (cs_run_store_find (f->store, cs_run_get_id (run)));
  g_assert_cmpuint (cs_test_provider_get_request_count (provider, NULL), ==, 0);
}

/* Cancel ends the run as cancelled; cancelling a run not started here
 * does nothing. */
static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  const char *models[] = { "demo/demo-alpha+slow=200", NULL };
  g_autoptr(CsRun) run = new_run ();
  g_autoptr(CsRun) other = new_run ();

  cs_run_manager_cancel (f->manager, other);
  g_assert_true (cs_run_manager_start (f->manager, f->config, run, models, NULL));
  cs_run_manager_cancel (f->manager, run);
  g_assert_true (wait_for (ended, f, 30));
  g_assert_null (f->failure);
  g_assert_cmpint (cs_run_get_state (run), ==, CS_RUN_CANCELLED);
  g_assert_cmpint (cs_run_get_state (other), ==, CS_RUN_DRAFT);
}

/* Shutting down (the application quits) stops every run and saves it as
 * cancelled before returning. */
static void
test_shutdown (Fixture       *f,
               gconstpointer  data)
{
  const char *models[] = { "demo/demo-alpha+slow=200", NULL };
  g_autoptr(CsRun) run = new_run ();
  g_autoptr(CsRun) second = new_run ();
  g_autofree char *text = NULL;

  g_assert_true (cs_run_manager_start (f->manager, f->config, run, models, NULL));
  g_assert_true (cs_run_manager_start (f->manager, f->config, second, models, NULL));
  g_assert_cmpuint (cs_run_manager_get_n_running (f->manager), ==, 2);

  cs_run_manager_shutdown (f->manager, 10000);
  g_assert_cmpuint (cs_run_manager_get_n_running (f->manager), ==, 0);
  g_assert_cmpuint (f->n_ended, ==, 2);
  g_assert_cmpint (cs_run_get_state (run), ==, CS_RUN_CANCELLED);
  g_assert_cmpint (cs_run_get_state (second), ==, CS_RUN_CANCELLED);
  text = saved_text (f, run);
  g_assert_nonnull (text);
  g_assert_nonnull (strstr (text, "\"state\" : \"cancelled\""));
}

static void
retry_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
has_result (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

/* A failed candidate is asked again through the manager. */
static void
test_retry (Fixture       *f,
            gconstpointer  data)
{
  const char *models[] = { "demo/demo-alpha", "demo/demo-gamma+500", NULL };
  g_autoptr(CsRun) run = new_run ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  CsCandidate *failed = NULL;
  guint before;

  g_assert_true (cs_run_manager_start (f->manager, f->config, run, models, NULL));
  g_assert_true (wait_for (ended, f, 60));
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (run)); i++)
    {
      g_autoptr(CsCandidate) c = g_list_model_get_item (G_LIST_MODEL (run), i);

      if (cs_candidate_get_status (c) == CS_CANDIDATE_FAILED)
        failed = c;
    }
  g_assert_nonnull (failed);

  before = cs_test_provider_get_request_count (provider, "demo-gamma+500");
  cs_run_manager_retry_candidate_async (f->manager, f->config, run, cs_candidate_get_id (failed),
                                        retry_cb, &result);
  g_assert_true (cs_test_wait_for (has_result, &result, 30 * 1000));
  /* asked again, and failed again (whether the retry reports that as its
   * error is the runner's business) */
  if (!cs_run_manager_retry_candidate_finish (f->manager, result, &error))
    g_assert_false (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
  g_assert_cmpuint (cs_test_provider_get_request_count (provider, "demo-gamma+500"), >, before);
  g_assert_cmpint (cs_candidate_get_status (failed), ==, CS_CANDIDATE_FAILED);
}

static gboolean
ended_twice (Fixture *f)
{
  return f->n_ended >= 2;
}

/* A support run with a judge whose c2 failed (a 429, no retries), done. */
static CsRun *
run_with_failed_c2_knobs (Fixture       *f,
                          const CsKnobs *c2_knobs)
{
  const char *models[] = { "demo/demo-alpha", "demo/demo-beta+429once", NULL };
  CsRun *run = new_run ();

  cs_run_set_judge (run, "demo/demo-judge");
  if (c2_knobs != NULL)
    cs_run_set_knobs (run, "demo/demo-beta+429once", c2_knobs);
  g_assert_true (cs_run_manager_start (f->manager, f->config, run, models, NULL));
  g_assert_true (wait_for (ended, f, 60));
  g_assert_cmpint (cs_run_get_state (run), ==, CS_RUN_DONE);
  g_assert_cmpint (cs_candidate_get_status (cs_run_find_candidate (run, "c2")), ==, CS_CANDIDATE_FAILED);
  return run;
}

static CsRun *
run_with_failed_c2 (Fixture *f)
{
  return run_with_failed_c2_knobs (f, NULL);
}

/* Retrying c2 through @manager answers, and synthesizes again. */
static void
retry_c2 (CsRunManager *manager,
          CsConfig     *config,
          CsRun        *run)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  CsCandidate *c2 = cs_run_find_candidate (run, "c2");

  cs_run_manager_retry_candidate_async (manager, config, run, "c2", retry_cb, &result);
  g_assert_true (cs_test_wait_for (has_result, &result, 60 * 1000));
  g_assert_true (cs_run_manager_retry_candidate_finish (manager, result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (cs_candidate_get_status (c2), ==, CS_CANDIDATE_OK);
  g_assert_cmpuint (cs_candidate_get_attempts (c2), ==, 2);
  g_assert_cmpint (cs_run_get_state (run), ==, CS_RUN_DONE);
}

/* After a follow-up round the judge alone answered, the card's retry finds
 * the candidate in the round it belongs to (round 1's, which round 2 was
 * made from): asked again, round 2's result is made again from both
 * candidates with its follow-up; round 1 stays as it was. */
static void
test_retry_after_judge_round (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(CsRun) run = run_with_failed_c2 (f);
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *text = NULL;
  CsRound *round;

  first = json_to_string (cs_round_get_synthesis (cs_run_get_round (run, 1)), FALSE);
  g_assert_true (cs_run_manager_follow_up (f->manager, f->config, run, CS_ROUND_SCOPE_JUDGE,
                                           "Could it be the upstream's keep-alive?", NULL, &error));
  g_assert_no_error (error);
  g_assert_true (wait_for (ended_twice, f, 60));
  g_assert_cmpuint (cs_run_get_n_rounds (run), ==, 2);
  round = cs_run_get_round (run, 2);
  g_assert_cmpint (cs_round_get_state (round), ==, CS_RUN_DONE);
  g_assert_cmpuint (cs_round_get_candidates_of (round), ==, 1);
  before = json_to_string (cs_run_get_synthesis (run), FALSE);

  retry_c2 (f->manager, f->config, run);
  g_assert_cmpuint (cs_run_get_n_rounds (run), ==, 2);
  g_assert_true (cs_run_get_current_round (run) == round);
  g_assert_cmpint (cs_round_get_state (round), ==, CS_RUN_DONE);
  g_assert_cmpstr (cs_round_get_follow_up (round), ==, "Could it be the upstream's keep-alive?");
  after = json_to_string (cs_run_get_synthesis (run), FALSE);
  g_assert_cmpstr (after, !=, before);
  /* the candidate belongs to round 1 too; its result is history */
  g_assert_true (cs_run_find_candidate (run, "c2") ==
                 g_ptr_array_index (cs_round_get_candidates (cs_run_get_round (run, 1)), 1));
  {
    g_autofree char *still = json_to_string (cs_round_get_synthesis (cs_run_get_round (run, 1)), FALSE);
    g_assert_cmpstr (still, ==, first);
  }
  g_assert_true (wait_for (no_save_failure, f, 10));
  text = saved_text (f, run);
  g_assert_nonnull (strstr (text, "\"state\" : \"done\""));
  g_assert_nonnull (strstr (text, "Could it be the upstream"));
}

/* A run reopened from the history (another store and manager, as after a
 * restart) retries its failed candidate: the runner takes the saved
 * candidates as its plan. */
static void
test_retry_reopened (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(CsKnobs) knobs = cs_knobs_new ();
  g_autoptr(CsRun) run = NULL;
  g_autoptr(CsRunStore) store = NULL;
  g_autoptr(CsRunManager) manager = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  JsonObject *last = NULL;
  CsRun *reopened;

  /* c2 was asked with settings of this run's own (kept in the run file,
   * not in the providers file): the retry of the reopened run uses them */
  g_assert_true (cs_knobs_set (knobs, "temperature", "0.35", &error));
  g_assert_true (cs_knobs_set (knobs, "max-output-tokens", "777", &error));
  g_assert_no_error (error);
  run = run_with_failed_c2_knobs (f, knobs);

  cs_run_store_flush (f->store);
  store = cs_run_store_new (f->runs_dir);
  g_assert_true (cs_run_store_load_sync (store, &error));
  g_assert_no_error (error);
  reopened = cs_run_store_find (store, cs_run_get_id (run));
  g_assert_nonnull (reopened);
  g_assert_true (reopened != run);
  manager = cs_run_manager_new (store);
  g_assert_false (cs_run_manager_drives (manager, reopened));

  retry_c2 (manager, f->config, reopened);
  g_assert_cmpint (cs_candidate_get_status (cs_run_find_candidate (reopened, "c1")), ==, CS_CANDIDATE_OK);
  requests = cs_test_provider_get_requests (provider);
  for (guint i = 0; i < requests->len; i++)
    {
      JsonObject *r = json_node_get_object (g_ptr_array_index (requests, i));
      JsonNode *body = json_object_get_member (r, "body");

      if (g_strcmp0 (json_object_get_string_member_with_default (r, "model", ""), "demo-beta+429once") == 0 &&
          body != NULL && JSON_NODE_HOLDS_OBJECT (body))
        last = json_node_get_object (body); /* the retry's, the last one */
    }
  g_assert_nonnull (last);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (last, "temperature"), 0.35, 1e-9);
  g_assert_cmpint (json_object_get_int_member (last, "max_completion_tokens"), ==, 777);
  cs_run_manager_shutdown (manager, 5000);
  cs_run_store_flush (store);
}

/* The runs directory cannot be written: one signal per run, however many
 * saves fail; once a save succeeded, the next failure is news again. */
static void
test_save_failed (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(CsRun) run = new_run ();
  g_autofree char *parent = g_path_get_dirname (f->runs_dir);

  g_assert_cmpint (g_mkdir_with_parents (parent, 0700), ==, 0);
  g_assert_true (g_file_set_contents (f->runs_dir, "not a directory", -1, NULL));

  cs_run_store_save (f->store, run);
  cs_run_store_flush (f->store);
  cs_run_store_save (f->store, run);
  cs_run_store_flush (f->store);
  g_assert_cmpuint (f->n_save_failed, ==, 1);
  g_assert_true (cs_run_manager_has_save_failure (f->manager, cs_run_get_id (run)));
  g_assert_cmpuint (cs_run_manager_get_n_save_failures (f->manager), ==, 1);

  /* room again */
  g_assert_cmpint (g_unlink (f->runs_dir), ==, 0);
  cs_run_store_save (f->store, run);
  cs_run_store_flush (f->store);
  g_assert_true (wait_for (no_save_failure, f, 10));

  cs_test_rm_rf (f->runs_dir);
  g_assert_true (g_file_set_contents (f->runs_dir, "not a directory", -1, NULL));
  cs_run_store_save (f->store, run);
  cs_run_store_flush (f->store);
  g_assert_cmpuint (f->n_save_failed, ==, 2);
  g_assert_cmpint (g_unlink (f->runs_dir), ==, 0);
}

typedef struct {
  Fixture     *f;
  CsRun       *run;
  CsCandidate *c1;
  gint64       c1_ok_us;    /* when c1 became ok */
  gint64       c1_ok_wait;  /* cs_test_cpu_wait_us () then */
  gint64       c1_saved_us; /* when the file first showed it */
  gint64       c1_usable_us; /* the time between, less this thread's waits for a CPU */
} SaveWatch;

static void
c1_status_cb (CsCandidate *c,
              GParamSpec  *pspec,
              SaveWatch   *w)
{
  if (cs_candidate_get_status (c) == CS_CANDIDATE_OK && w->c1_ok_us == 0)
    {
      w->c1_ok_us = g_get_monotonic_time ();
      w->c1_ok_wait = cs_test_cpu_wait_us ();
    }
}

/* The run file as it is on disk now (no flush). */
static JsonObject *
file_now (SaveWatch *w)
{
  g_autofree char *path = g_strdup_printf ("%s/%s.json", w->f->runs_dir, cs_run_get_id (w->run));
  g_autofree char *contents = NULL;
  g_autoptr(JsonNode) root = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL) ||
      (root = json_from_string (contents, NULL)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  return json_object_ref (json_node_get_object (root));
}

static gboolean
c1_saved (Fixture *f)
{
  SaveWatch *w = g_object_get_data (G_OBJECT (f->manager), "save-watch");
  g_autoptr(JsonObject) obj = NULL;
  JsonObject *c1;

  if (w->c1_ok_us == 0 || (obj = file_now (w)) == NULL)
    return FALSE;
  c1 = json_array_get_object_element (json_object_get_array_member (obj, "candidates"), 0);
  if (g_strcmp0 (json_object_get_string_member (c1, "status"), "ok") != 0)
    return FALSE;
  w->c1_saved_us = g_get_monotonic_time ();
  w->c1_usable_us = cs_test_usable_us (w->c1_ok_us, w->c1_ok_wait);
  return TRUE;
}

static gboolean
judge_asked (Fixture *f)
{
  return cs_test_provider_get_request_count (provider, "demo-judge+silence") > 0;
}

static gboolean
fused_saved (Fixture *f)
{
  SaveWatch *w = g_object_get_data (G_OBJECT (f->manager), "save-watch");
  g_autoptr(JsonObject) obj = file_now (w);
  JsonNode *synthesis = obj != NULL ? json_object_get_member (obj, "synthesis") : NULL;

  return synthesis != NULL && JSON_NODE_HOLDS_OBJECT (synthesis);
}

/* A run of the app (through the manager) saves a candidate's final state at
 * once, not after the 200 ms the store waits for more changes. */
static void
test_final_at_once (Fixture       *f,
                    gconstpointer  data)
{
  const char *models[] = { "demo/demo-alpha", "demo/demo-alpha+slow=200", NULL };
  g_autoptr(CsRun) run = new_run ();
  SaveWatch w = { f, run, NULL, 0, 0 };

  g_object_set_data (G_OBJECT (f->manager), "save-watch", &w);
  g_assert_true (cs_run_manager_start (f->manager, f->config, run, models, NULL));
  w.c1 = g_list_model_get_item (G_LIST_MODEL (run), 0);
  g_signal_connect (w.c1, "notify::status", G_CALLBACK (c1_status_cb), &w);

  g_assert_true (wait_for (c1_saved, f, 30));
  g_test_message ("c1 ok, in the run file %" G_GINT64_FORMAT " ms later (%" G_GINT64_FORMAT
                  " ms without the waits for a CPU)",
                  (w.c1_saved_us - w.c1_ok_us) / 1000, w.c1_usable_us / 1000);
  /* Well before the store's 200 ms debounce; a sanitizer build
   * (CONSILIUM_TEST_SLOW=FACTOR) is slower at everything, the normal pass
   * keeps the bound tight. The time this thread waited for a CPU that
   * other processes had is not the store's. */
  g_assert_cmpint (w.c1_usable_us, <, 150 * 1000 * (gint64) cs_test_slack ());
  /* the slow candidate still streams */
  g_assert_cmpint (cs_run_get_state (run), ==, CS_RUN_RUNNING);

  g_signal_handlers_disconnect_by_data (w.c1, &w);
  g_object_set_data (G_OBJECT (f->manager), "save-watch", NULL);
  g_clear_object (&w.c1);
}

/* The votes-and-consensus result is saved as soon as it exists, while the
 * judge answers (degraded, its note saying the judge was interrupted, for a
 * crash); the run the windows show has no result until the judge's. */
static void
test_fused_saved (Fixture       *f,
                  gconstpointer  data)
{
  const char *models[] = { "demo/demo-alpha", "demo/demo-beta", NULL };
  g_autoptr(CsRun) run = new_run ();
  g_autoptr(JsonObject) obj = NULL;
  JsonObject *synthesis;
  SaveWatch w = { f, run, NULL, 0, 0 };

  cs_run_set_judge (run, "demo/demo-judge+silence");
  g_object_set_data (G_OBJECT (f->manager), "save-watch", &w);
  g_assert_true (cs_run_manager_start (f->manager, f->config, run, models, NULL));

  g_assert_true (wait_for (judge_asked, f, 30));
  g_assert_true (wait_for (fused_saved, f, 5));
  obj = file_now (&w);
  g_assert_cmpstr (json_object_get_string_member (obj, "state"), ==, "synthesizing");
  synthesis = json_object_get_object_member (obj, "synthesis");
  g_assert_true (json_object_get_boolean_member (synthesis, "degraded"));
  g_assert_nonnull (strstr (json_object_get_string_member (synthesis, "note"), "interrupted"));
  g_assert_null (cs_run_get_synthesis (run));
  g_assert_cmpint (cs_run_get_state (run), ==, CS_RUN_SYNTHESIZING);

  /* stopped: cancelled, keeping the votes and consensus, its note and the
   * run's message saying the judge was cancelled */
  cs_run_manager_cancel (f->manager, run);
  g_assert_true (wait_for (ended, f, 30));
  g_clear_pointer (&obj, json_object_unref);
  cs_run_store_flush (f->store);
  obj = file_now (&w);
  g_assert_cmpstr (json_object_get_string_member (obj, "state"), ==, "cancelled");
  synthesis = json_object_get_object_member (obj, "synthesis");
  g_assert_nonnull (synthesis);
  g_assert_true (json_object_get_boolean_member (synthesis, "degraded"));
  g_assert_nonnull (strstr (json_object_get_string_member (synthesis, "note"), "cancelled"));
  g_assert_nonnull (json_object_get_member (synthesis, "votes"));
  g_assert_nonnull (strstr (json_object_get_string_member (obj, "message"), "judge"));
  g_assert_nonnull (cs_run_get_synthesis (run));

  g_object_set_data (G_OBJECT (f->manager), "save-watch", NULL);
}

/* Runners made after a change of the limits get the new ones. */
static void
test_limits (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(CsRun) run = new_run ();

  g_object_set (f->manager, "quorum", 2, "deadline-seconds", 30, NULL);
  g_assert_cmpuint (cs_run_manager_get_quorum (f->manager), ==, 2);
  g_assert_cmpuint (cs_run_manager_get_deadline (f->manager), ==, 30);
  g_assert_null (cs_run_manager_ensure_runner (f->manager, NULL, run));
  g_assert_nonnull (cs_run_manager_ensure_runner (f->manager, f->config, run));
  g_assert_true (cs_run_manager_ensure_runner (f->manager, NULL, run) ==
                 cs_run_manager_ensure_runner (f->manager, f->config, run));
  g_assert_true (cs_run_manager_drives (f->manager, run));
  g_assert_false (cs_run_manager_is_running (f->manager, run));
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = NULL;
  int ret;

  tmp = cs_test_make_data_home ("run-manager");

  g_test_init (&argc, &argv, NULL);

  provider = cs_test_provider_start_new ();

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/run-manager/start", test_start);
  ADD ("/run-manager/plan-error", test_plan_error);
  ADD ("/run-manager/cancel", test_cancel);
  ADD ("/run-manager/shutdown", test_shutdown);
  ADD ("/run-manager/retry", test_retry);
  ADD ("/run-manager/retry-after-judge-round", test_retry_after_judge_round);
  ADD ("/run-manager/retry-reopened", test_retry_reopened);
  ADD ("/run-manager/save-failed", test_save_failed);
  ADD ("/run-manager/limits", test_limits);
  ADD ("/run-manager/final-at-once", test_final_at_once);
  ADD ("/run-manager/fused-saved", test_fused_saved);

#undef ADD

  ret = g_test_run ();

  g_clear_object (&provider);
  cs_test_rm_rf (tmp);
  return ret;
}
