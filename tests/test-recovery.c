/* test-recovery.c: consilium-cli killed with SIGKILL in the middle of a run
 *
 * The CLI ($CONSILIUM_CLI) runs against the in-process test provider with
 * three fast candidates, one that goes silent after its first delta, and a
 * judge. While it runs, the run file under $XDG_DATA_HOME/consilium/runs/
 * is read every few milliseconds: it must parse every single time (never a
 * partial file). Once the file shows the fast candidates as ok, the CLI is
 * killed with SIGKILL; then the engine loads the runs directory as a fresh
 * start would and must find the problem, the constraints and every
 * candidate that had finished, with its data; once the file is old enough
 * to belong to a dead process, the unfinished candidate and the run show as
 * interrupted.
 *
 * The lag between a candidate finishing (its "cN ok" progress line) and the
 * file showing it is measured and printed: a crash inside that window loses
 * the candidate.
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

#define N_FAST 3

static CsTestProvider *provider;
static gint64 slack = 1; /* CONSILIUM_TEST_SLOW: valgrind, sanitizers */

static void
rm_rf (const char *path)
{
  GDir *d = g_dir_open (path, 0, NULL);
  const char *name;

  if (d != NULL)
    {
      while ((name = g_dir_read_name (d)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          rm_rf (child);
        }
      g_dir_close (d);
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

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

static void
test_sigkill (gconstpointer data)
{
  gboolean strict = GPOINTER_TO_INT (data);
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("cs-test-recovery-XXXXXX", &error);
  g_autofree char *data_home = g_build_filename (tmp, "data", NULL);
  g_autofree char *config_home = g_build_filename (tmp, "config", NULL);
  g_autofree char *runs = g_build_filename (data_home, "consilium", "runs", NULL);
  g_autofree char *config_path = g_build_filename (tmp, "providers.ini", NULL);
  g_autofree char *problem_path = g_build_filename (tmp, "problem.txt", NULL);
  g_autofree char *stderr_path = g_build_filename (tmp, "cli.err", NULL);
  g_autofree char *output_path = g_build_filename (tmp, "out.md", NULL);
  g_autofree char *base = cs_test_provider_dup_base_url (provider);
  g_autofree char *config = NULL;
  g_autofree char *run_file = NULL;
  g_autofree char *opt_config = NULL;
  g_autofree char *opt_output = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) cli = NULL;
  const char *cli_path = g_getenv ("CONSILIUM_CLI");
  const char *problem =
    "Design a ticketing system for 50 concert venues; peaks of 20k requests a second\n"
    "when sales open. Payments through an external provider.\n";
  gint64 seen_line[8] = { 0 };
  gint64 seen_file[8] = { 0 };
  gint64 start;
  gint64 max_lag = 0;
  guint n_reads = 0;
  guint n_partial = 0;
  guint mask_file = 0;
  gboolean exited = FALSE;

  g_assert_no_error (error);
  if (cli_path == NULL)
    {
      g_test_skip ("CONSILIUM_CLI is not set");
      return;
    }

  config = g_strdup_printf ("[provider demo]\n"
                            "base-url=%s\n"
                            "api=openai-chat\n"
                            "models=demo-alpha;demo-beta;demo-gamma;demo-thinking+silence;demo-judge\n"
                            "max-concurrent=8\n"
                            "requests-per-minute=0\n\n"
                            "[model demo/demo-alpha]\nprice-input=1\nprice-output=2\n\n"
                            "[model demo/demo-beta]\nstructured-output=json-object\n",
                            base);
  g_assert_true (g_file_set_contents (config_path, config, -1, NULL));
  g_assert_true (g_file_set_contents (problem_path, problem, -1, NULL));

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data_home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", config_home, TRUE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  g_subprocess_launcher_set_stderr_file_path (launcher, stderr_path);
  opt_config = g_strdup_printf ("--config=%s", config_path);
  opt_output = g_strdup_printf ("--output=%s", output_path);
  cli = g_subprocess_launcher_spawn (launcher, &error, cli_path, opt_config,
                                     "--mode=architect",
                                     "--model=demo/demo-alpha", "--model=demo/demo-beta",
                                     "--model=demo/demo-gamma", "--model=demo/demo-thinking+silence",
                                     "--judge=demo/demo-judge",
                                     "--constraint=budget=300 USD a month",
                                     "--constraint=region=eu-west-1",
                                     opt_output, problem_path, NULL);
  g_assert_no_error (error);
  g_subprocess_wait_async (cli, NULL, wait_exit_cb, &exited);

  /* read the file over and over until the fast candidates are in it */
  start = g_get_monotonic_time ();
  for (;;)
    {
      gint64 now = g_get_monotonic_time ();
      guint mask_lines;

      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_assert_false (exited); /* the silent candidate keeps the CLI running */
      if (now - start > 30 * slack * G_USEC_PER_SEC)
        g_error ("the run file never showed %u finished candidates; stderr: %s", N_FAST, stderr_path);

      mask_lines = ok_lines (stderr_path);
      if (run_file == NULL)
        run_file = find_run_file (runs);
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
  /* debounced saves: a finished candidate reaches the disk within ~200 ms */
  g_assert_cmpint (max_lag, <, 1500 * 1000 * slack);

  /* the crash */
  g_subprocess_force_exit (cli);
  while (!exited)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (g_subprocess_get_if_signaled (cli));
  g_assert_cmpint (g_subprocess_get_term_sig (cli), ==, SIGKILL);
  g_assert_false (g_file_test (output_path, G_FILE_TEST_EXISTS));

  /* a fresh start finds the run, right away … */
  {
    g_autoptr(CsRunStore) store = cs_run_store_new (runs);
    g_autofree char *id = NULL;
    CsRun *run;
    guint mask = 0;

    guint after_partial = 0;

    g_assert_cmpint (count_ok_in_file (run_file, &mask, &after_partial), ==, N_FAST);
    g_assert_cmpuint (after_partial, ==, 0);
    g_assert_true (cs_run_store_load_sync (store, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);
    run = g_list_model_get_item (G_LIST_MODEL (store), 0);
    g_object_unref (run); /* the store keeps it */
    g_assert_cmpstr (cs_run_get_problem (run), ==, problem);
    g_assert_cmpstr (cs_run_get_constraint (run, "budget"), ==, "300 USD a month");
    g_assert_cmpstr (cs_run_get_constraint (run, "region"), ==, "eu-west-1");
    g_assert_cmpstr (cs_run_get_judge (run), ==, "demo/demo-judge");
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (run)), ==, N_FAST + 1);
    for (guint i = 0; i < N_FAST; i++)
      {
        g_autoptr(CsCandidate) c = g_list_model_get_item (G_LIST_MODEL (run), i);

        g_assert_cmpint (cs_candidate_get_status (c), ==, CS_CANDIDATE_OK);
        g_assert_nonnull (cs_candidate_get_data (c));
        g_assert_cmpstr (cs_candidate_get_text (c), !=, "");
      }
    id = g_strdup (cs_run_get_id (run));

    /* … and, once the file is as old as a dead process's, as interrupted */
    {
      g_autoptr(CsRunStore) later = cs_run_store_new (runs);
      struct utimbuf times;
      CsRun *again;
      g_autoptr(CsCandidate) silent = NULL;

      times.actime = times.modtime = time (NULL) - 120;
      g_assert_cmpint (utime (run_file, &times), ==, 0);
      g_assert_true (cs_run_store_load_sync (later, &error));
      g_assert_no_error (error);
      again = cs_run_store_find (later, id);
      g_assert_nonnull (again);
      g_assert_cmpint (cs_run_get_state (again), ==, CS_RUN_CANCELLED);
      g_assert_nonnull (cs_run_get_message (again));
      g_assert_cmpuint (cs_run_count_status (again, CS_CANDIDATE_OK), ==, N_FAST);
      silent = g_list_model_get_item (G_LIST_MODEL (again), N_FAST);
      g_assert_cmpint (cs_candidate_get_status (silent), ==, CS_CANDIDATE_CANCELLED);
      g_assert_nonnull (cs_candidate_get_error (silent));
      /* the reopened run exports like any other */
      {
        g_autofree char *md = cs_export_markdown (again);

        g_assert_nonnull (strstr (md, "300 USD a month"));
        g_assert_nonnull (strstr (md, " (demo-gamma) — "));
      }
    }
  }

  /* no temporary file of an interrupted write is left for the loader to trip on */
  {
    g_autoptr(GDir) d = g_dir_open (runs, 0, NULL);
    const char *name;
    guint n = 0;

    while ((name = g_dir_read_name (d)) != NULL)
      {
        g_test_message ("left in runs/: %s", name);
        n++;
      }
    g_assert_cmpuint (n, ==, 1);
  }
  rm_rf (tmp);
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  signal (SIGPIPE, SIG_IGN);
  if (g_getenv ("CONSILIUM_TEST_SLOW") != NULL)
    slack = MAX (1, g_ascii_strtoll (g_getenv ("CONSILIUM_TEST_SLOW"), NULL, 10));

  provider = cs_test_provider_new ();
  g_assert_true (cs_test_provider_start (provider, 0, &error));
  g_assert_no_error (error);

  g_test_add_data_func ("/recovery/cli-sigkill", GINT_TO_POINTER (FALSE), test_sigkill);
  /* the same run, and every read of the file while it runs must parse */
  g_test_add_data_func ("/recovery/never-partial", GINT_TO_POINTER (TRUE), test_sigkill);

  ret = g_test_run ();
  g_clear_object (&provider);
  return ret;
}
