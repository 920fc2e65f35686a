/* test-recovery.c: consilium-cli killed with SIGKILL in the middle of a run
 *
 * The CLI ($CONSILIUM_CLI) runs against the in-process test provider and is
 * killed with SIGKILL at three moments; the engine then loads the runs
 * directory as a fresh start would.
 *
 * - /recovery/cli-sigkill, /recovery/never-partial: three fast candidates,
 *   one that goes silent after its first delta, and a judge. While it runs,
 *   the run file under $XDG_DATA_HOME/consilium/runs/ is read every few
 *   milliseconds: it must parse every single time (never a partial file).
 *   Once the file shows the fast candidates as ok, the CLI is killed; the
 *   reloaded run holds the problem, the constraints and every finished
 *   candidate with its data; once the file is old enough to belong to a
 *   dead process, the unfinished candidate and the run show as interrupted.
 *   The lag between a candidate finishing (its "cN ok" progress line) and
 *   the file showing it is measured and printed.
 * - /recovery/kill-after-final: killed KILL_AFTER_MS after a candidate's
 *   "cN ok" line (the store used to wait 200 ms before saving it): the
 *   candidate is in the file, ok, with its data.
 * - /recovery/kill-in-judge: killed while the judge streams, after the
 *   votes-and-consensus result was computed: the reloaded run holds that
 *   result, degraded with a note saying the judge was interrupted, shows as
 *   synthesizing (waiting for the judge), then, once the file is old, as
 *   done with that note, and exports it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-recovery"

#include "config.h"

#include <signal.h>
#include <string.h>
#include <utime.h>
#include <glib/gstdio.h>

#include "cs-engine.h"
#include "cs-test-provider.h"
#include "test-util.h"

#define N_FAST 3
/* A kill this long after the moment under test (scaled by the slack): the
 * final state must be on disk by then. The store used to wait 200 ms. */
#define KILL_AFTER_MS 100

static CsTestProvider *provider;
static gint64 slack = 1; /* CONSILIUM_TEST_SLOW: valgrind, sanitizers */

/* The one *.json file in @dir, or NULL. */
static char *
find_run_file (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  char *found = NULL;

  if (d == NULL)
    return NULL;
  while ((name = g_dir_read_name (d)) != NULL)
    if (name[0] != '.' && g_str_has_suffix (name, ".json"))
      {
        g_assert_null (found);
        found = g_build_filename (dir, name, NULL);
      }
  return found;
}

/* Parses the file, returns how many candidates it holds as ok with data,
 * and sets @ok_mask bits for them; -1 if the file is not a whole run
 * document (empty or partial: counted in @n_partial). */
static int
count_ok_in_file (const char *path,
                  guint      *ok_mask,
                  guint      *n_partial)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;
  JsonNode *root;
  JsonNode *cands;
  int n = 0;

  *ok_mask = 0;
  if (!g_file_get_contents (path, &contents, &len, &error))
    {
      /* a rename can race with the read only as "not there yet" */
      g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
      return 0;
    }
  if (!json_parser_load_from_data (parser, contents, len, &error) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      if (*n_partial == 0)
        g_test_message ("the run file is not a whole document (%" G_GSIZE_FORMAT " bytes): %s",
                        len, error ? error->message : "no JSON object");
      (*n_partial)++;
      return -1;
    }
  cands = json_object_get_member (json_node_get_object (root), "candidates");
  if (cands == NULL || !JSON_NODE_HOLDS_ARRAY (cands))
    return 0;
  for (guint i = 0; i < json_array_get_length (json_node_get_array (cands)); i++)
    {
      JsonNode *c = json_array_get_element (json_node_get_array (cands), i);
      JsonObject *o;
      JsonNode *data;

      if (!JSON_NODE_HOLDS_OBJECT (c))
        continue;
      o = json_node_get_object (c);
      data = json_object_get_member (o, "data");
      if (g_strcmp0 (json_object_get_string_member_with_default (o, "status", ""), "ok") == 0 &&
          data != NULL && JSON_NODE_HOLDS_OBJECT (data))
        {
          n++;
          *ok_mask |= 1u << i;
        }
    }
  return n;
}

/* Bits of the candidates the CLI said are ok ("cN ok …" on stderr). */
static guint
ok_lines (const char *stderr_path)
{
  g_autofree char *text = NULL;
  guint mask = 0;

  if (!g_file_get_contents (stderr_path, &text, NULL, NULL))
    return 0;
  for (guint i = 1; i <= 8; i++)
    {
      g_autofree char *needle = g_strdup_printf ("\nc%u ok ", i);
      g_autofree char *first = g_strdup_printf ("c%u ok ", i);

      if (strstr (text, needle) != NULL || g_str_has_prefix (text, first))
        mask |= 1u << (i - 1);
    }
  return mask;
}

static void
wait_exit_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  gboolean *done = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  *done = TRUE;
}

static const char problem[] =
  "Design a ticketing system for 50 concert venues; peaks of 20k requests a second\n"
  "when sales open. Payments through an external provider.\n";

/* One CLI run in a temporary directory of its own. */
typedef struct {
  char        *tmp;
  char        *runs;          /* $XDG_DATA_HOME/consilium/runs */
  char        *stderr_path;
  char        *output_path;
  GSubprocess *process;
  gboolean     exited;
} Cli;

/* Starts the CLI on @models (demo/… names, NULL-terminated) with @judge
 * (or none); FALSE (the test skipped) without $CONSILIUM_CLI. */
static gboolean
cli_start (Cli                *cli,
           const char * const *models,
           const char         *judge)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *base = cs_test_provider_dup_base_url (provider);
  g_autofree char *data_home = NULL;
  g_autofree char *config_home = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *problem_path = NULL;
  g_autofree char *config = NULL;
  const char *cli_path = g_getenv ("CONSILIUM_CLI");

  memset (cli, 0, sizeof *cli);
  if (cli_path == NULL)
    {
      g_test_skip ("CONSILIUM_CLI is not set");
      return FALSE;
    }
  cs_test_provider_reset (provider);
  cli->tmp = g_dir_make_tmp ("cs-test-recovery-XXXXXX", &error);
  g_assert_no_error (error);
  data_home = g_build_filename (cli->tmp, "data", NULL);
  config_home = g_build_filename (cli->tmp, "config", NULL);
  cli->runs = g_build_filename (data_home, "consilium", "runs", NULL);
  config_path = g_build_filename (cli->tmp, "providers.ini", NULL);
  problem_path = g_build_filename (cli->tmp, "problem.txt", NULL);
  cli->stderr_path = g_build_filename (cli->tmp, "cli.err", NULL);
  cli->output_path = g_build_filename (cli->tmp, "out.md", NULL);

  config = g_strdup_printf ("[provider demo]\n"
                            "base-url=%s\n"
                            "api=openai-chat\n"
                            "models=demo-alpha;demo-beta;demo-gamma;demo-thinking+silence;"
                            "demo-judge;demo-judge+silence\n"
                            "max-concurrent=8\n"
                            "requests-per-minute=0\n\n"
                            "[model demo/demo-alpha]\nprice-input=1\nprice-output=2\n\n"
                            "[model demo/demo-beta]\nstructured-output=json-object\n",
                            base);
  g_assert_true (g_file_set_contents (config_path, config, -1, NULL));
  g_assert_true (g_file_set_contents (problem_path, problem, -1, NULL));

  g_ptr_array_add (argv, g_strdup (cli_path));
  g_ptr_array_add (argv, g_strdup_printf ("--config=%s", config_path));
  g_ptr_array_add (argv, g_strdup ("--mode=architect"));
  for (guint i = 0; models[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup_printf ("--model=%s", models[i]));
  if (judge != NULL)
    g_ptr_array_add (argv, g_strdup_printf ("--judge=%s", judge));
  g_ptr_array_add (argv, g_strdup ("--constraint=budget=300 USD a month"));
  g_ptr_array_add (argv, g_strdup ("--constraint=region=eu-west-1"));
  g_ptr_array_add (argv, g_strdup_printf ("--output=%s", cli->output_path));
  g_ptr_array_add (argv, g_strdup (problem_path));
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data_home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", config_home, TRUE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  g_subprocess_launcher_set_stderr_file_path (launcher, cli->stderr_path);
  cli->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_wait_async (cli->process, NULL, wait_exit_cb, &cli->exited);
  return TRUE;
}

/* The crash: SIGKILL, and no output file. */
static void
cli_kill (Cli *cli)
{
  g_subprocess_force_exit (cli->process);
  while (!cli->exited)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (g_subprocess_get_if_signaled (cli->process));
  g_assert_cmpint (g_subprocess_get_term_sig (cli->process), ==, SIGKILL);
  g_assert_false (g_file_test (cli->output_path, G_FILE_TEST_EXISTS));
}

/* No temporary file of an interrupted write is left for the loader to trip
 * on: the run file alone. */
static void
cli_finish (Cli *cli)
{
  g_autoptr(GDir) d = g_dir_open (cli->runs, 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_test_message ("left in runs/: %s", name);
      n++;
    }
  g_assert_cmpuint (n, ==, 1);
  g_clear_object (&cli->process);
  cs_test_rm_rf (cli->tmp);
  g_free (cli->tmp);
  g_free (cli->runs);
  g_free (cli->stderr_path);
  g_free (cli->output_path);
}

/* The one run in the runs directory, as a fresh start loads it (a
 * reference owned by @store). */
static CsRun *
load_only_run (CsRunStore *store)
{
  g_autoptr(GError) error = NULL;
  CsRun *run;

  g_assert_true (cs_run_store_load_sync (store, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);
  run = g_list_model_get_item (G_LIST_MODEL (store), 0);
  g_object_unref (run); /* the store keeps it */
  g_assert_cmpstr (cs_run_get_problem (run), ==, problem);
  g_assert_cmpstr (cs_run_get_constraint (run, "budget"), ==, "300 USD a month");
  g_assert_cmpstr (cs_run_get_constraint (run, "region"), ==, "eu-west-1");
  return run;
}

/* The run again, after its file was made as old as a dead process's. */
static CsRun *
load_after_a_while (CsRunStore *store,
                    const char *run_file)
{
  struct utimbuf times;

  times.actime = times.modtime = time (NULL) - 120;
  g_assert_cmpint (utime (run_file, &times), ==, 0);
  return load_only_run (store);
}

static void
assert_candidate_ok (CsRun *run,
                     guint  i)
{
  g_autoptr(CsCandidate) c = g_list_model_get_item (G_LIST_MODEL (run), i);

  g_assert_cmpint (cs_candidate_get_status (c), ==, CS_CANDIDATE_OK);
  g_assert_nonnull (cs_candidate_get_data (c));
  g_assert_cmpstr (cs_candidate_get_text (c), !=, "");
}

/* Reads the run file every 5 ms (each read must parse when @strict) until
 * the first N_FAST candidates are ok in it; prints the lag after their
 * "cN ok" lines. */
static char *
watch_until_fast_saved (Cli      *cli,
                        gboolean  strict)
{
  g_autofree char *run_file = NULL;
  gint64 seen_line[8] = { 0 };
  gint64 seen_file[8] = { 0 };
  gint64 start = g_get_monotonic_time ();
  gint64 max_lag = 0;
  guint n_reads = 0;
  guint n_partial = 0;
  guint mask_file = 0;

  for (;;)
    {
      gint64 now = g_get_monotonic_time ();
      guint mask_lines;

      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_assert_false (cli->exited); /* the silent candidate keeps the CLI running */
      if (now - start > 30 * slack * G_USEC_PER_SEC)
        g_error ("the run file never showed %u finished candidates; stderr: %s", N_FAST, cli->stderr_path);

      mask_lines = ok_lines (cli->stderr_path);
      if (run_file == NULL)
        run_file = find_run_file (cli->runs);
      if (run_file != NULL)
        {
          if (count_ok_in_file (run_file, &mask_file, &n_partial) < 0)
            mask_file = 0;
          n_reads++;
        }
      for (guint i = 0; i < 8; i++)
        {
          if ((mask_lines & (1u << i)) && seen_line[i] == 0)
            seen_line[i] = now;
          if ((mask_file & (1u << i)) && seen_file[i] == 0)
            seen_file[i] = now;
        }
      if ((mask_file & ((1u << N_FAST) - 1)) == (1u << N_FAST) - 1)
        break;
      g_usleep (5000);
    }

  for (guint i = 0; i < N_FAST; i++)
    if (seen_line[i] != 0)
      {
        gint64 lag = seen_file[i] - seen_line[i];

        g_test_message ("c%u: ok on stderr, in the run file %" G_GINT64_FORMAT " ms later", i + 1, lag / 1000);
        max_lag = MAX (max_lag, lag);
      }
  g_test_message ("the run file was read %u times, %u times not a whole document", n_reads, n_partial);
  if (strict)
    g_assert_cmpuint (n_partial, ==, 0);
  /* a finished candidate is saved at once */
  g_assert_cmpint (max_lag, <, 1500 * 1000 * slack);
  return g_steal_pointer (&run_file);
}

static void
test_sigkill (gconstpointer data)
{
  gboolean strict = GPOINTER_TO_INT (data);
  const char *models[] = { "demo/demo-alpha", "demo/demo-beta", "demo/demo-gamma",
                           "demo/demo-thinking+silence", NULL };
  g_autofree char *run_file = NULL;
  g_autofree char *id = NULL;
  Cli cli;

  if (!cli_start (&cli, models, "demo/demo-judge"))
    return;
  run_file = watch_until_fast_saved (&cli, strict);
  cli_kill (&cli);

  /* a fresh start finds the run, right away … */
  {
    g_autoptr(CsRunStore) store = cs_run_store_new (cli.runs);
    guint mask = 0;
    guint after_partial = 0;
    CsRun *run;

    g_assert_cmpint (count_ok_in_file (run_file, &mask, &after_partial), ==, N_FAST);
    g_assert_cmpuint (after_partial, ==, 0);
    run = load_only_run (store);
    g_assert_cmpstr (cs_run_get_judge (run), ==, "demo/demo-judge");
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (run)), ==, N_FAST + 1);
    for (guint i = 0; i < N_FAST; i++)
      assert_candidate_ok (run, i);
    id = g_strdup (cs_run_get_id (run));
  }

  /* … and, once the file is as old as a dead process's, as interrupted */
  {
    g_autoptr(CsRunStore) later = cs_run_store_new (cli.runs);
    g_autoptr(CsCandidate) silent = NULL;
    g_autofree char *md = NULL;
    CsRun *again = load_after_a_while (later, run_file);

    g_assert_cmpstr (cs_run_get_id (again), ==, id);
    g_assert_cmpint (cs_run_get_state (again), ==, CS_RUN_CANCELLED);
    g_assert_nonnull (cs_run_get_message (again));
    g_assert_cmpuint (cs_run_count_status (again, CS_CANDIDATE_OK), ==, N_FAST);
    silent = g_list_model_get_item (G_LIST_MODEL (again), N_FAST);
    g_assert_cmpint (cs_candidate_get_status (silent), ==, CS_CANDIDATE_CANCELLED);
    g_assert_nonnull (cs_candidate_get_error (silent));
    /* the reopened run exports like any other */
    md = cs_export_markdown (again);
    g_assert_nonnull (strstr (md, "300 USD a month"));
    g_assert_nonnull (strstr (md, " (demo-gamma) — "));
  }

  cli_finish (&cli);
}

/* Microseconds the CLI's main thread has waited, runnable, for a CPU that
 * other processes had (schedstat); -1 where the kernel does not tell. */
static gint64
cli_cpu_wait_us (Cli *cli)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/schedstat", g_subprocess_get_identifier (cli->process));
  g_autofree char *text = NULL;
  char *end = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return -1;
  g_ascii_strtoull (text, &end, 10);
  if (end == NULL || *end != ' ')
    return -1;
  return (gint64) (g_ascii_strtoull (end + 1, NULL, 10) / 1000);
}

/* Waits (serving the provider) until the CLI had @ms milliseconds to go
 * on: the time its main thread waited for a CPU (a loaded machine) does
 * not count. */
static void
serve_for (Cli   *cli,
           guint  ms)
{
  gint64 start = g_get_monotonic_time ();
  gint64 start_wait = cli_cpu_wait_us (cli);

  for (;;)
    {
      gint64 usable = g_get_monotonic_time () - start;
      gint64 wait = cli_cpu_wait_us (cli);

      if (start_wait >= 0 && wait >= 0)
        usable -= CLAMP (wait - start_wait, 0, usable);
      if (usable >= (gint64) ms * 1000)
        break;
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (1000);
    }
}

/* Killed right after a candidate reached its final status: that candidate
 * is in the file. */
static void
test_kill_after_final (void)
{
  const char *models[] = { "demo/demo-alpha", "demo/demo-thinking+silence", NULL };
  g_autoptr(CsRunStore) store = NULL;
  g_autofree char *run_file = NULL;
  gint64 start = g_get_monotonic_time ();
  guint mask = 0;
  guint n_partial = 0;
  CsRun *run;
  Cli cli;

  if (!cli_start (&cli, models, "demo/demo-judge"))
    return;

  /* the moment the CLI says "c1 ok" */
  while ((ok_lines (cli.stderr_path) & 1) == 0)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_assert_false (cli.exited);
      if (g_get_monotonic_time () - start > 30 * slack * G_USEC_PER_SEC)
        g_error ("c1 never finished; stderr: %s", cli.stderr_path);
      g_usleep (1000);
    }
  serve_for (&cli, KILL_AFTER_MS * slack);
  cli_kill (&cli);

  run_file = find_run_file (cli.runs);
  g_assert_nonnull (run_file);
  g_assert_cmpint (count_ok_in_file (run_file, &mask, &n_partial), ==, 1);
  g_assert_cmpuint (mask, ==, 1);

  store = cs_run_store_new (cli.runs);
  run = load_only_run (store);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (run)), ==, 2);
  assert_candidate_ok (run, 0);
  g_assert_cmpint (cs_run_get_state (run), ==, CS_RUN_RUNNING);

  cli_finish (&cli);
}

/* Killed while the judge streams, after the votes-and-consensus result was
 * computed: the run comes back with that result, degraded with a note that
 * says the judge was interrupted. */
static void
test_kill_in_judge (void)
{
  const char *models[] = { "demo/demo-alpha", "demo/demo-beta", "demo/demo-gamma", NULL };
  g_autofree char *run_file = NULL;
  g_autofree char *note = NULL;
  gint64 start = g_get_monotonic_time ();
  Cli cli;

  if (!cli_start (&cli, models, "demo/demo-judge+silence"))
    return;

  /* the judge has its request (the fused result exists) and streams its
   * first delta, then stays silent */
  while (cs_test_provider_get_request_count (provider, "demo-judge+silence") == 0)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_assert_false (cli.exited);
      if (g_get_monotonic_time () - start > 30 * slack * G_USEC_PER_SEC)
        g_error ("the judge was never asked; stderr: %s", cli.stderr_path);
      g_usleep (1000);
    }
  serve_for (&cli, KILL_AFTER_MS * slack);
  cli_kill (&cli);
  run_file = find_run_file (cli.runs);
  g_assert_nonnull (run_file);

  /* right away: waiting for the judge, with the result it would have judged */
  {
    g_autoptr(CsRunStore) store = cs_run_store_new (cli.runs);
    CsRun *run = load_only_run (store);
    CsResult *result;

    g_assert_cmpint (cs_run_get_state (run), ==, CS_RUN_SYNTHESIZING);
    g_assert_cmpuint (cs_run_count_status (run, CS_CANDIDATE_OK), ==, 3);
    for (guint i = 0; i < 3; i++)
      assert_candidate_ok (run, i);
    result = cs_run_get_result (run);
    g_assert_nonnull (result);
    g_assert_nonnull (cs_result_get_blueprint (result));
    g_assert_true (cs_result_is_degraded (result));
    note = g_strdup (cs_result_get_note (result));
    g_assert_nonnull (note);
    g_assert_nonnull (strstr (note, "The judge, demo-judge+silence from demo, was interrupted"));
    g_assert_nonnull (strstr (note, "interrupted"));
    g_test_message ("note: %s", note);
  }

  /* later: done, degraded, as when a judge fails; shown and exported so */
  {
    g_autoptr(CsRunStore) later = cs_run_store_new (cli.runs);
    g_autofree char *md = NULL;
    g_autofree char *json = NULL;
    CsRun *run = load_after_a_while (later, run_file);
    CsResult *result = cs_run_get_result (run);

    g_assert_cmpint (cs_run_get_state (run), ==, CS_RUN_DONE);
    g_assert_cmpstr (cs_run_get_message (run), ==, note);
    g_assert_nonnull (result);
    g_assert_true (cs_result_is_degraded (result));
    g_assert_cmpstr (cs_result_get_note (result), ==, note);
    md = cs_export_markdown (run);
    g_assert_nonnull (strstr (md, "**Degraded:**"));
    g_assert_nonnull (strstr (md, "interrupted"));
    g_assert_null (strstr (md, "synthesis has not run"));
    json = cs_export_json (run);
    g_assert_nonnull (strstr (json, "interrupted"));
  }

  cli_finish (&cli);
}

int
main (int argc, char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  signal (SIGPIPE, SIG_IGN);
  slack = cs_test_slack ();

  provider = cs_test_provider_start_new ();

  g_test_add_data_func ("/recovery/cli-sigkill", GINT_TO_POINTER (FALSE), test_sigkill);
  /* the same run, and every read of the file while it runs must parse */
  g_test_add_data_func ("/recovery/never-partial", GINT_TO_POINTER (TRUE), test_sigkill);
  g_test_add_func ("/recovery/kill-after-final", test_kill_after_final);
  g_test_add_func ("/recovery/kill-in-judge", test_kill_in_judge);

  ret = g_test_run ();
  g_clear_object (&provider);
  return ret;
}
