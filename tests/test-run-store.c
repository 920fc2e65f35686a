/* test-run-store.c: runs on disk: round trip, atomic writes, bad files, delete
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <utime.h>
#include <glib/gstdio.h>

#include "cs-json-schema.h"
#include "cs-run-store.h"
#include "test-util.h"

/* CONSILIUM_TEST_SLOW=N (sanitizer builds): every wait for a condition
 * gives up N times later. */
static gint64 slack = 1;

typedef struct {
  char *dir;        /* a fresh temporary directory */
  char *runs_dir;   /* dir/runs (not created yet) */
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("cs-run-store-XXXXXX", &error);
  g_assert_no_error (error);
  f->runs_dir = g_build_filename (f->dir, "data", "consilium", "runs", NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  cs_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->runs_dir);
}

static char *
run_to_string (CsRun *run)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) node = cs_run_to_json (run);

  json_generator_set_root (gen, node);
  return json_generator_to_data (gen, NULL);
}

static CsRun *
make_run (const char *problem)
{
  CsRun *run = cs_run_new (CS_MODE_ARCHITECT, problem);
  g_autoptr(CsCandidate) c1 = cs_candidate_new ("c1", "demo/demo-alpha", "performance");
  g_autoptr(CsCandidate) c2 = cs_candidate_new ("c2", "demo/demo-beta", "cost");

  cs_candidate_append (c1, CS_STREAM_TEXT, "{\"summary\":\"ok\"}", -1);
  cs_candidate_set_usage (c1, 10, 20, -1);
  cs_candidate_set_status (c1, CS_CANDIDATE_OK);
  cs_candidate_set_status (c2, CS_CANDIDATE_FAILED);
  cs_candidate_set_error (c2, "HTTP 500");
  cs_run_add_candidate (run, c1);
  cs_run_add_candidate (run, c2);
  cs_run_set_constraint (run, "budget", "100 USD");
  cs_run_set_state (run, CS_RUN_DONE);
  return run;
}

static GPtrArray *
list_dir (const char *path)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) d = g_dir_open (path, 0, NULL);
  const char *name;

  if (d != NULL)
    while ((name = g_dir_read_name (d)) != NULL)
      g_ptr_array_add (names, g_strdup (name));
  return names;
}

static void
test_round_trip (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(CsRunStore) store = cs_run_store_new (f->runs_dir);
  g_autoptr(CsRunStore) store2 = cs_run_store_new (f->runs_dir);
  g_autoptr(CsRun) run = make_run ("Design a URL shortener");
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  CsRun *loaded;
  GStatBuf st;

  g_assert_cmpstr (cs_run_store_get_dir (store), ==, f->runs_dir);
  cs_run_store_watch (store, run);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);
  g_assert_true (cs_run_store_find (store, cs_run_get_id (run)) == run);
  cs_run_store_flush (store);

  path = g_strdup_printf ("%s/%s.json", f->runs_dir, cs_run_get_id (run));
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpint (g_stat (f->runs_dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0077, ==, 0);

  g_assert_true (cs_run_store_load_sync (store2, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store2)), ==, 1);
  loaded = cs_run_store_find (store2, cs_run_get_id (run));
  g_assert_nonnull (loaded);
  g_assert_true (loaded != run);
  before = run_to_string (run);
  after = run_to_string (loaded);
  g_assert_cmpstr (before, ==, after);

  /* loading again does not duplicate */
  g_assert_true (cs_run_store_load_sync (store2, NULL));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store2)), ==, 1);

  /* a change to a loaded run is saved too */
  cs_run_set_title (loaded, "Renamed");
  cs_run_store_flush (store2);
  {
    g_autoptr(CsRunStore) store3 = cs_run_store_new (f->runs_dir);
    g_assert_true (cs_run_store_load_sync (store3, NULL));
    g_assert_cmpstr (cs_run_get_title (cs_run_store_find (store3, cs_run_get_id (run))), ==, "Renamed");
  }
}

static void
test_default_dir (void)
{
  g_autoptr(CsRunStore) store = cs_run_store_new (NULL);
  g_autofree char *expected = g_build_filename (g_get_user_data_dir (), "consilium", "runs", NULL);

  g_assert_cmpstr (cs_run_store_get_dir (store), ==, expected);
}

static void
test_atomic (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(CsRunStore) store = cs_run_store_new (f->runs_dir);
  g_autoptr(GPtrArray) runs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) names = NULL;

  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *problem = g_strdup_printf ("Problem %u", i);
      CsRun *run = make_run (problem);

      g_ptr_array_add (runs, run);
      cs_run_store_watch (store, run);
    }

  /* many changes, explicit saves while writes are in flight */
  for (guint round = 0; round < 20; round++)
    for (guint i = 0; i < runs->len; i++)
      {
        CsRun *run = g_ptr_array_index (runs, i);
        g_autofree char *value = g_strdup_printf ("%u", round);

        cs_run_set_constraint (run, "round", value);
        cs_run_store_save (store, run);
      }
  cs_run_store_flush (store);

  names = list_dir (f->runs_dir);
  g_assert_cmpuint (names->len, ==, runs->len);
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      g_assert_true (g_str_has_suffix (name, ".json"));
      g_assert_false (name[0] == '.');
    }

  /* the last change won: no older write overtook a newer one */
  {
    g_autoptr(CsRunStore) store2 = cs_run_store_new (f->runs_dir);
    g_assert_true (cs_run_store_load_sync (store2, NULL));
    for (guint i = 0; i < runs->len; i++)
      {
        CsRun *run = g_ptr_array_index (runs, i);
        CsRun *loaded = cs_run_store_find (store2, cs_run_get_id (run));
        g_assert_nonnull (loaded);
        g_assert_cmpstr (cs_run_get_constraint (loaded, "round"), ==, "19");
      }
  }
}

static gboolean
wake_up_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the main loop until @path holds @needle; FALSE after 10 s (times
 * the slack). */
static gboolean
wait_file_contains (const char *path,
                    const char *needle)
{
  gint64 end = g_get_monotonic_time () + 10 * slack * G_USEC_PER_SEC;
  guint wake = g_timeout_add (5, wake_up_cb, NULL);
  gboolean ok = FALSE;

  while (!ok && g_get_monotonic_time () < end)
    {
      g_autofree char *contents = NULL;

      ok = g_file_get_contents (path, &contents, NULL, NULL) && strstr (contents, needle) != NULL;
      if (!ok)
        g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (wake);
  return ok;
}

static void
test_coalesced_and_periodic (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(CsRunStore) store = cs_run_store_new (f->runs_dir);
  g_autoptr(CsRun) run = cs_run_new (CS_MODE_SUPPORT, "The disk fills up");
  g_autoptr(CsCandidate) c = cs_candidate_new ("c1", "demo/demo-alpha", NULL);
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;

  cs_run_add_candidate (run, c);
  cs_run_set_state (run, CS_RUN_RUNNING);
  cs_candidate_set_status (c, CS_CANDIDATE_STREAMING);
  cs_run_store_watch (store, run);
  path = g_strdup_printf ("%s/%s.json", f->runs_dir, cs_run_get_id (run));

  /* nothing is written synchronously: the save is coalesced */
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_true (wait_file_contains (path, "\"streaming\""));

  /* streamed text emits no ::changed, so only the periodic save (every
   * 2 s while a candidate is live) can bring it to the disk */
  cs_candidate_append (c, CS_STREAM_TEXT, "partial streamed text", -1);
  g_assert_true (wait_file_contains (path, "partial streamed text"));

  cs_candidate_set_status (c, CS_CANDIDATE_OK);
  cs_run_set_state (run, CS_RUN_DONE);
  cs_run_store_flush (store);
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "\"done\""));
}

/* The saved file as JSON (NULL when there is none yet). */
static JsonObject *
read_saved (const char *path)
{
  g_autofree char *contents = NULL;
  g_autoptr(JsonNode) root = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  root = json_from_string (contents, NULL);
  g_assert_nonnull (root);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  return json_object_ref (json_node_get_object (root));
}

static const char *
saved_status (const char *path,
              guint       i)
{
  static char status[32];
  g_autoptr(JsonObject) obj = read_saved (path);
  JsonArray *cands;

  status[0] = '\0';
  if (obj == NULL)
    return status;
  cands = json_object_get_array_member (obj, "candidates");
  g_strlcpy (status,
             json_object_get_string_member (json_array_get_object_element (cands, i), "status"),
             sizeof status);
  return status;
}

/* A candidate's final state is saved at once, not after the 200 ms the
 * store waits for more changes; streamed text still waits. */
static void
test_final_at_once (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(CsRunStore) store = cs_run_store_new (f->runs_dir);
  g_autoptr(CsRun) run = cs_run_new (CS_MODE_SUPPORT, "The disk fills up");
  g_autoptr(CsCandidate) c1 = cs_candidate_new ("c1", "demo/demo-alpha", NULL);
  g_autoptr(CsCandidate) c2 = cs_candidate_new ("c2", "demo/demo-beta", NULL);
  g_autoptr(JsonNode) data_node = json_from_string ("{\"steps\": []}", NULL);
  g_autofree char *path = NULL;
  gint64 start;

  cs_run_add_candidate (run, c1);
  cs_run_add_candidate (run, c2);
  cs_run_set_state (run, CS_RUN_RUNNING);
  cs_candidate_set_status (c1, CS_CANDIDATE_STREAMING);
  cs_candidate_set_status (c2, CS_CANDIDATE_STREAMING);
  cs_run_store_watch (store, run);
  cs_run_store_flush (store);
  path = g_strdup_printf ("%s/%s.json", f->runs_dir, cs_run_get_id (run));
  g_assert_cmpstr (saved_status (path, 0), ==, "streaming");

  /* several final changes in one go: one save */
  cs_candidate_append (c1, CS_STREAM_TEXT, "{\"steps\": []}", -1);
  cs_candidate_set_data (c1, data_node);
  cs_candidate_set_status (c1, CS_CANDIDATE_OK);
  cs_candidate_set_error (c2, "HTTP 500");
  cs_candidate_set_status (c2, CS_CANDIDATE_FAILED);
  /* "at once": the save starts on the next main-loop iteration, before any
   * timer (the 200 ms one of the streamed text, the periodic one) is due.
   * A few iterations that wait for nothing, then the file is watched
   * without running the loop, so no timer can fire and no save can start;
   * the one that started must show both final states. This proves the
   * order of events, not a duration, so a loaded machine (the worker's
   * fsync can take a while) cannot fail it. */
  start = g_get_monotonic_time ();
  for (guint i = 0; i < 5; i++)
    g_main_context_iteration (NULL, FALSE);
  while (g_strcmp0 (saved_status (path, 1), "failed") != 0)
    {
      g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * slack * G_USEC_PER_SEC);
      g_usleep (1000);
    }
  g_test_message ("final states on disk %" G_GINT64_FORMAT " ms after the change",
                  (g_get_monotonic_time () - start) / 1000);
  g_assert_cmpstr (saved_status (path, 0), ==, "ok");
  {
    g_autoptr(JsonObject) obj = read_saved (path);
    JsonObject *saved_c1 = json_array_get_object_element (json_object_get_array_member (obj, "candidates"), 0);

    g_assert_true (json_object_has_member (saved_c1, "data"));
    g_assert_cmpstr (json_object_get_string_member (saved_c1, "text"), ==, "{\"steps\": []}");
  }
}

static JsonNode *
degraded_result (const char *note)
{
  g_autoptr(CsResult) result = cs_result_new (CS_MODE_SUPPORT);

  cs_result_set_total (result, 1);
  cs_result_set_degraded (result, TRUE);
  cs_result_set_note (result, note);
  return cs_result_to_json (result);
}

/* Runs the main loop until the saved file's synthesis note is @note (NULL:
 * no synthesis); FALSE after 10 s (times the slack). */
static gboolean
wait_saved_note (const char *path,
                 const char *note)
{
  gint64 start = g_get_monotonic_time ();
  guint wake = g_timeout_add (2, wake_up_cb, NULL);
  gboolean ok = FALSE;

  while (!ok && g_get_monotonic_time () - start < 10 * slack * G_USEC_PER_SEC)
    {
      g_autoptr(JsonObject) obj = read_saved (path);
      JsonNode *synthesis = obj != NULL ? json_object_get_member (obj, "synthesis") : NULL;
      const char *saved = NULL;

      if (synthesis != NULL && JSON_NODE_HOLDS_OBJECT (synthesis))
        saved = json_object_get_string_member_with_default (json_node_get_object (synthesis), "note", "");
      ok = obj != NULL && g_strcmp0 (saved, note) == 0;
      if (!ok)
        g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (wake);
  return ok;
}

/* The result a synthesizing run has so far (the fused one while the judge
 * answers) is saved at once, in the file only: a crash keeps it, as a
 * degraded result with its note. */
static void
test_pending_result (Fixture       *f,
                     gconstpointer  data)
{
  const char *note = "The judge (demo/demo-judge) was interrupted before it answered.";
  g_autoptr(CsRunStore) store = cs_run_store_new (f->runs_dir);
  g_autoptr(CsRun) run = cs_run_new (CS_MODE_SUPPORT, "The disk fills up");
  g_autoptr(CsCandidate) c1 = cs_candidate_new ("c1", "demo/demo-alpha", NULL);
  g_autoptr(JsonNode) pending = degraded_result (note);
  g_autoptr(JsonNode) judged = degraded_result ("judged");
  g_autofree char *path = NULL;

  cs_run_add_candidate (run, c1);
  cs_candidate_set_status (c1, CS_CANDIDATE_OK);
  cs_run_set_state (run, CS_RUN_SYNTHESIZING);
  cs_run_store_watch (store, run);
  cs_run_store_flush (store);
  path = g_strdup_printf ("%s/%s.json", f->runs_dir, cs_run_get_id (run));
  g_assert_true (wait_saved_note (path, NULL));

  cs_run_store_set_pending_result (store, run, pending);
  g_assert_true (wait_saved_note (path, note));
  /* the run itself has no result yet */
  g_assert_null (cs_run_get_synthesis (run));
  g_assert_null (cs_run_get_message (run));
  {
    g_autoptr(JsonObject) obj = read_saved (path);

    g_assert_cmpstr (json_object_get_string_member (obj, "state"), ==, "synthesizing");
    g_assert_cmpstr (json_object_get_string_member (obj, "message"), ==, note);
  }

  /* a fresh start: waiting for the judge, then (the process is long gone)
   * done with the degraded result */
  {
    g_autoptr(CsRunStore) other = cs_run_store_new (f->runs_dir);
    g_autoptr(CsRunStore) later = cs_run_store_new (f->runs_dir);
    struct utimbuf times;
    CsRun *loaded;

    g_assert_true (cs_run_store_load_sync (other, NULL));
    loaded = cs_run_store_find (other, cs_run_get_id (run));
    g_assert_cmpint (cs_run_get_state (loaded), ==, CS_RUN_SYNTHESIZING);
    g_assert_true (cs_result_is_degraded (cs_run_get_result (loaded)));

    times.actime = times.modtime = time (NULL) - 60;
    g_assert_cmpint (utime (path, &times), ==, 0);
    g_assert_true (cs_run_store_load_sync (later, NULL));
    loaded = cs_run_store_find (later, cs_run_get_id (run));
    g_assert_cmpint (cs_run_get_state (loaded), ==, CS_RUN_DONE);
    g_assert_cmpstr (cs_run_get_message (loaded), ==, note);
    g_assert_cmpstr (cs_result_get_note (cs_run_get_result (loaded)), ==, note);
  }

  /* the judge's result replaces it */
  cs_run_set_synthesis (run, judged);
  cs_run_set_state (run, CS_RUN_DONE);
  cs_run_store_set_pending_result (store, run, NULL);
  g_assert_true (wait_saved_note (path, "judged"));
  {
    g_autoptr(JsonObject) obj = read_saved (path);

    g_assert_cmpstr (json_object_get_string_member (obj, "state"), ==, "done");
    g_assert_true (json_object_get_null_member (obj, "message") ||
                   !json_object_has_member (obj, "message"));
  }

  /* a run that is not synthesizing keeps its own result */
  cs_run_store_set_pending_result (store, run, pending);
  cs_run_set_title (run, "renamed");
  cs_run_store_flush (store);
  g_assert_true (wait_saved_note (path, "judged"));
}

typedef struct {
  GPtrArray *paths;
  GPtrArray *messages;
  GMainLoop *loop;
  gboolean   done;
} LoadLog;

static void
load_failed_cb (CsRunStore *store,
                const char *path,
                const char *message,
                LoadLog    *log)
{
  g_ptr_array_add (log->paths, g_path_get_basename (path));
  g_ptr_array_add (log->messages, g_strdup (message));
}

static void
load_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  LoadLog *log = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (cs_run_store_load_finish (CS_RUN_STORE (object), result, &error));
  g_assert_no_error (error);
  log->done = TRUE;
  g_main_loop_quit (log->loop);
}

static void
write_file (const char *dir,
            const char *name,
            const char *contents)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static gboolean
has_string (GPtrArray  *array,
            const char *str)
{
  for (guint i = 0; i < array->len; i++)
    if (g_str_equal (g_ptr_array_index (array, i), str))
      return TRUE;
  return FALSE;
}

static void
test_bad_files (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(CsRunStore) store = cs_run_store_new (f->runs_dir);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(CsRun) older = cs_run_new (CS_MODE_SUPPORT, "older");
  g_autoptr(CsRun) newer = cs_run_new (CS_MODE_ARCHITECT, "newer");
  g_autoptr(CsRun) future = cs_run_new (CS_MODE_ARCHITECT, "from the future");
  g_autoptr(CsRun) misnamed = cs_run_new (CS_MODE_ARCHITECT, "misnamed");
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autofree char *name = NULL;
  g_autofree char *text = NULL;
  LoadLog log = { 0 };
  CsRun *first;
  CsRun *second;

  g_assert_cmpint (g_mkdir_with_parents (f->runs_dir, 0700), ==, 0);

  /* two good runs with known times, written out of order */
  node = cs_run_to_json (older);
  json_object_set_int_member (json_node_get_object (node), "created", 1000);
  json_generator_set_root (gen, node);
  text = json_generator_to_data (gen, NULL);
  name = g_strconcat (cs_run_get_id (older), ".json", NULL);
  write_file (f->runs_dir, name, text);
  g_clear_pointer (&node, json_node_unref);
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&name, g_free);

  node = cs_run_to_json (newer);
  json_object_set_int_member (json_node_get_object (node), "created", 2000);
  json_generator_set_root (gen, node);
  text = json_generator_to_data (gen, NULL);
  name = g_strconcat (cs_run_get_id (newer), ".json", NULL);
  write_file (f->runs_dir, name, text);
  g_clear_pointer (&node, json_node_unref);
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&name, g_free);

  /* a future format */
  node = cs_run_to_json (future);
  json_object_set_int_member (json_node_get_object (node), "format", CS_RUN_FORMAT_VERSION + 1);
  json_generator_set_root (gen, node);
  text = json_generator_to_data (gen, NULL);
  write_file (f->runs_dir, "future.json", text);
  g_clear_pointer (&node, json_node_unref);
  g_clear_pointer (&text, g_free);

  /* a valid run under another run's name */
  node = cs_run_to_json (misnamed);
  json_generator_set_root (gen, node);
  text = json_generator_to_data (gen, NULL);
  write_file (f->runs_dir, "20200101-000000-abcdef.json", text);

  /* garbage */
  write_file (f->runs_dir, "corrupt.json", "{\"format\":1,\"id\":\"corrupt\",");
  write_file (f->runs_dir, "binary.json", "\xff\xfe\x00\x01");
  write_file (f->runs_dir, "array.json", "[1,2,3]");
  /* ignored: not run files */
  write_file (f->runs_dir, "notes.txt", "hello");
  write_file (f->runs_dir, ".goutputstream-ABC123", "{\"partial");
  {
    g_autofree char *dir_json = g_build_filename (f->runs_dir, "dir.json", NULL);
    g_assert_cmpint (g_mkdir (dir_json, 0700), ==, 0);
  }

  log.paths = g_ptr_array_new_with_free_func (g_free);
  log.messages = g_ptr_array_new_with_free_func (g_free);
  log.loop = loop;
  g_signal_connect (store, "load-failed", G_CALLBACK (load_failed_cb), &log);
  cs_run_store_load_async (store, NULL, load_cb, &log);
  g_main_loop_run (loop);
  g_assert_true (log.done);

  g_assert_cmpuint (log.paths->len, ==, 5);
  g_assert_true (has_string (log.paths, "future.json"));
  g_assert_true (has_string (log.paths, "corrupt.json"));
  g_assert_true (has_string (log.paths, "binary.json"));
  g_assert_true (has_string (log.paths, "array.json"));
  g_assert_true (has_string (log.paths, "20200101-000000-abcdef.json"));
  for (guint i = 0; i < log.paths->len; i++)
    if (g_str_equal (g_ptr_array_index (log.paths, i), "future.json"))
      g_assert_nonnull (strstr (g_ptr_array_index (log.messages, i), "newer"));

  /* newest first */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 2);
  first = g_list_model_get_item (G_LIST_MODEL (store), 0);
  second = g_list_model_get_item (G_LIST_MODEL (store), 1);
  g_assert_cmpstr (cs_run_get_id (first), ==, cs_run_get_id (newer));
  g_assert_cmpstr (cs_run_get_id (second), ==, cs_run_get_id (older));
  g_object_unref (first);
  g_object_unref (second);

  /* the bad files are left alone */
  {
    g_autofree char *future_path = g_build_filename (f->runs_dir, "future.json", NULL);
    g_assert_true (g_file_test (future_path, G_FILE_TEST_EXISTS));
  }

  g_ptr_array_unref (log.paths);
  g_ptr_array_unref (log.messages);
}

static void
test_deep_nesting (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(CsRunStore) store = cs_run_store_new (f->runs_dir);
  g_autoptr(CsRunStore) store2 = cs_run_store_new (f->runs_dir);
  g_autoptr(CsRun) run = make_run ("Deeply nested data");
  g_autoptr(GString) deep = g_string_new (NULL);
  g_autoptr(GString) nested = g_string_new (NULL);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  LoadLog log = { 0, };
  CsRun *loaded;
  guint i;

  /* Candidate data as deep as a reply may be (the bounded parser's default
   * limit) still saves and loads inside the run file. */
  for (i = 0; i < CS_JSON_DEFAULT_MAX_DEPTH - 1; i++)
    g_string_append (nested, "{\"a\":");
  g_string_append (nested, "[1]");
  for (i = 0; i < CS_JSON_DEFAULT_MAX_DEPTH - 1; i++)
    g_string_append_c (nested, '}');
  node = cs_json_parse_bounded (nested->str, nested->len, 0, &error);
  g_assert_no_error (error);
  cs_candidate_set_data (cs_run_find_candidate (run, "c1"), node);
  cs_run_store_watch (store, run);
  cs_run_store_flush (store);

  /* A file of 200000 `[` (json-glib alone overflows the loader thread's
   * stack on it) is skipped and reported. */
  for (i = 0; i < 200000; i++)
    g_string_append_c (deep, '[');
  write_file (f->runs_dir, "deep.json", deep->str);

  log.paths = g_ptr_array_new_with_free_func (g_free);
  log.messages = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (store2, "load-failed", G_CALLBACK (load_failed_cb), &log);
  g_assert_true (cs_run_store_load_sync (store2, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (log.paths->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (log.paths, 0), ==, "deep.json");
  g_assert_nonnull (strstr (g_ptr_array_index (log.messages, 0), "not valid JSON"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store2)), ==, 1);
  loaded = cs_run_store_find (store2, cs_run_get_id (run));
  g_assert_nonnull (loaded);
  before = run_to_string (run);
  after = run_to_string (loaded);
  g_assert_cmpstr (before, ==, after);

  g_ptr_array_unref (log.paths);
  g_ptr_array_unref (log.messages);
}

/* json-glib 1.6 writes 1e22 as "1e+22.0", which nothing reads back: a run
 * holding such numbers must still save and load. */
static void
test_exponents (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(CsRunStore) store = cs_run_store_new (f->runs_dir);
  g_autoptr(CsRunStore) store2 = cs_run_store_new (f->runs_dir);
  g_autoptr(CsRun) run = make_run ("Costs 1e+22.0 per month");
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  CsRun *loaded;
  JsonObject *loaded_data;

  node = cs_json_parse_bounded ("{\"monthly_cost_usd\":1e22,\"tiny\":5e-91,\"note\":\"1e+22.0\"}",
                                -1, 0, &error);
  g_assert_no_error (error);
  cs_candidate_set_data (cs_run_find_candidate (run, "c1"), node);
  cs_run_set_judge_usage (run, 5, 7, 5e-91, 1200);
  cs_run_store_watch (store, run);
  cs_run_store_flush (store);

  g_assert_true (cs_run_store_load_sync (store2, &error));
  g_assert_no_error (error);
  loaded = cs_run_store_find (store2, cs_run_get_id (run));
  g_assert_nonnull (loaded);
  before = run_to_string (run);
  after = run_to_string (loaded);
  g_assert_cmpstr (before, ==, after);
  loaded_data = json_node_get_object (cs_candidate_get_data (cs_run_find_candidate (loaded, "c1")));
  g_assert_cmpfloat (json_object_get_double_member (loaded_data, "monthly_cost_usd"), ==, 1e22);
  g_assert_cmpfloat (json_object_get_double_member (loaded_data, "tiny"), ==, 5e-91);
  g_assert_cmpstr (json_object_get_string_member (loaded_data, "note"), ==, "1e+22.0");
  g_assert_cmpfloat (cs_run_get_total_cost_usd (loaded), ==, cs_run_get_total_cost_usd (run));
  g_assert_cmpstr (cs_run_get_problem (loaded), ==, "Costs 1e+22.0 per month");
}

static void
test_missing_dir (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(CsRunStore) store = cs_run_store_new (f->runs_dir);
  g_autoptr(GError) error = NULL;

  g_assert_true (cs_run_store_load_sync (store, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);
}

static void
test_interrupted (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(CsRunStore) store = cs_run_store_new (f->runs_dir);
  g_autoptr(CsRunStore) store2 = cs_run_store_new (f->runs_dir);
  g_autoptr(CsRun) run = cs_run_new (CS_MODE_SUPPORT, "crash me");
  g_autoptr(CsCandidate) c = cs_candidate_new ("c1", "demo/demo-alpha", NULL);
  g_autofree char *path = NULL;
  struct utimbuf times;
  CsRun *loaded;

  cs_run_add_candidate (run, c);
  cs_candidate_set_status (c, CS_CANDIDATE_STREAMING);
  cs_candidate_append (c, CS_STREAM_TEXT, "half an answer", -1);
  cs_run_set_state (run, CS_RUN_RUNNING);
  g_assert_true (cs_run_store_save_sync (store, run, NULL));

  /* the process died a minute ago */
  path = g_strdup_printf ("%s/%s.json", f->runs_dir, cs_run_get_id (run));
  times.actime = times.modtime = time (NULL) - 60;
  g_assert_cmpint (utime (path, &times), ==, 0);

  g_assert_true (cs_run_store_load_sync (store2, NULL));
  loaded = cs_run_store_find (store2, cs_run_get_id (run));
  g_assert_nonnull (loaded);
  g_assert_cmpint (cs_run_get_state (loaded), ==, CS_RUN_CANCELLED);
  g_assert_nonnull (cs_run_get_message (loaded));
  {
    CsCandidate *lc = cs_run_find_candidate (loaded, "c1");
    g_assert_cmpint (cs_candidate_get_status (lc), ==, CS_CANDIDATE_CANCELLED);
    g_assert_cmpstr (cs_candidate_get_text (lc), ==, "half an answer");
  }
}

typedef struct {
  guint  n_failed;
  char  *message;
  CsRun *run;
} SaveLog;

static void
save_failed_cb (CsRunStore *store,
                CsRun      *run,
                const char *message,
                SaveLog    *log)
{
  log->n_failed++;
  log->run = run;
  g_free (log->message);
  log->message = g_strdup (message);
}

static void
test_save_failed (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *blocker = g_build_filename (f->dir, "not-a-dir", NULL);
  g_autofree char *bad_dir = g_build_filename (blocker, "runs", NULL);
  g_autoptr(CsRunStore) store = cs_run_store_new (bad_dir);
  g_autoptr(CsRun) run = make_run ("nowhere to go");
  g_autoptr(GError) error = NULL;
  SaveLog log = { 0 };

  /* a file where the directory should be: fails even as root, unlike a
   * read-only directory */
  write_file (f->dir, "not-a-dir", "x");
  g_signal_connect (store, "save-failed", G_CALLBACK (save_failed_cb), &log);

  cs_run_store_watch (store, run);
  cs_run_store_flush (store);
  g_assert_cmpuint (log.n_failed, >=, 1);
  g_assert_true (log.run == run);
  g_assert_nonnull (log.message);
  /* kept in memory */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);
  g_assert_true (cs_run_store_find (store, cs_run_get_id (run)) == run);

  g_assert_false (cs_run_store_save_sync (store, run, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  /* the next change retries */
  log.n_failed = 0;
  cs_run_set_title (run, "again");
  cs_run_store_flush (store);
  g_assert_cmpuint (log.n_failed, ==, 1);
  g_free (log.message);
}

static void
test_save_failed_target (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(CsRunStore) store = cs_run_store_new (f->runs_dir);
  g_autoptr(CsRun) run = make_run ("target is a directory");
  g_autofree char *target = NULL;
  g_autoptr(GPtrArray) names = NULL;
  SaveLog log = { 0 };

  /* the rename onto the target fails: a directory is in the way */
  target = g_strdup_printf ("%s/%s.json", f->runs_dir, cs_run_get_id (run));
  g_assert_cmpint (g_mkdir_with_parents (target, 0700), ==, 0);
  g_signal_connect (store, "save-failed", G_CALLBACK (save_failed_cb), &log);
  cs_run_store_save (store, run);
  cs_run_store_flush (store);
  g_assert_cmpuint (log.n_failed, ==, 1);
  g_assert_true (log.run == run);
  g_free (log.message);

  /* and no temporary file is left behind */
  names = list_dir (f->runs_dir);
  g_assert_cmpuint (names->len, ==, 1);
}

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  guint      *n_removed)
{
  *n_removed += removed;
}

static void
test_delete (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(CsRunStore) store = cs_run_store_new (f->runs_dir);
  g_autoptr(CsRun) a = make_run ("a");
  g_autoptr(CsRun) b = make_run ("b");
  g_autoptr(GError) error = NULL;
  g_autofree char *path_a = NULL;
  g_autofree char *path_b = NULL;
  g_autoptr(GPtrArray) names = NULL;
  guint n_removed = 0;

  cs_run_store_watch (store, a);
  cs_run_store_watch (store, b);
  cs_run_store_flush (store);
  path_a = g_strdup_printf ("%s/%s.json", f->runs_dir, cs_run_get_id (a));
  path_b = g_strdup_printf ("%s/%s.json", f->runs_dir, cs_run_get_id (b));
  g_assert_true (g_file_test (path_a, G_FILE_TEST_EXISTS));

  g_signal_connect (store, "items-changed", G_CALLBACK (items_changed_cb), &n_removed);
  g_assert_true (cs_run_store_delete (store, a, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (path_a, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (n_removed, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);
  g_assert_null (cs_run_store_find (store, cs_run_get_id (a)));

  /* a deleted run is no longer saved when it changes */
  cs_run_set_title (a, "changed after delete");
  cs_run_store_flush (store);
  g_assert_false (g_file_test (path_a, G_FILE_TEST_EXISTS));

  /* deleting while its write is in flight leaves no file */
  cs_run_set_title (b, "in flight");
  cs_run_store_save (store, b);
  g_assert_true (cs_run_store_delete (store, b, &error));
  cs_run_store_flush (store);
  g_assert_false (g_file_test (path_b, G_FILE_TEST_EXISTS));
  names = list_dir (f->runs_dir);
  g_assert_cmpuint (names->len, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("CONSILIUM_TEST_SLOW") != NULL)
    slack = MAX (1, g_ascii_strtoll (g_getenv ("CONSILIUM_TEST_SLOW"), NULL, 10));

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/run-store/round-trip", test_round_trip);
  ADD ("/run-store/atomic", test_atomic);
  ADD ("/run-store/coalesced-and-periodic", test_coalesced_and_periodic);
  ADD ("/run-store/final-at-once", test_final_at_once);
  ADD ("/run-store/pending-result", test_pending_result);
  ADD ("/run-store/bad-files", test_bad_files);
  ADD ("/run-store/deep-nesting", test_deep_nesting);
  ADD ("/run-store/exponents", test_exponents);
  ADD ("/run-store/missing-dir", test_missing_dir);
  ADD ("/run-store/interrupted", test_interrupted);
  ADD ("/run-store/save-failed", test_save_failed);
  ADD ("/run-store/save-failed-target", test_save_failed_target);
  ADD ("/run-store/delete", test_delete);
  g_test_add_func ("/run-store/default-dir", test_default_dir);

#undef ADD

  return g_test_run ();
}
