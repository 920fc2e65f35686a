/* bench-run.c: a whole run of 8 candidates through the real engine
 *
 * Starts the test provider (in this process by default, or the standalone
 * consilium-test-provider with --external), then, for each of N rounds
 * (default 5, after one warm-up round that is not counted):
 *
 *  1. "alone": the 8-candidate plan with max-concurrent=1, so every
 *     candidate streams while no other does; its duration_ms (the engine's
 *     own figure, queue time excluded) is its time alone;
 *  2. "parallel": the same plan (the same requests, byte for byte) with
 *     max-concurrent=8: the wall time of the streaming phase (from
 *     cs_runner_execute_async() to the run entering the synthesizing state)
 *     divided by the slowest candidate's time alone (ideal: 1.0); the
 *     synthesis time; the peak memory (VmHWM, reset through
 *     /proc/self/clear_refs before the run) and its growth over the RSS
 *     before the run; the longest gap of a 1 ms GLib timeout while the
 *     candidates stream (the longest main-loop stall);
 *  3. "judge": the parallel run again with a judge model, for the time of
 *     the synthesis with a judge.
 *
 * Every run goes through CsRunner: plan, the provider clients over real
 * HTTP on loopback, SSE decoding, validation, ensemble, consensus and the
 * judge. Figures are medians over the rounds.
 *
 * Usage: bench-run [--rounds=N] [--external] [--chunk-ms=MS]
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bench-run"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <time.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "cs-engine.h"
#include "cs-test-provider.h"

#define N_CANDIDATES 8

/* Eight model names; the provider waits `slow=MS` between two chunks, so
 * each candidate streams for about 1-2 s and the last one is the slowest. */
static const char * const model_names[N_CANDIDATES] = {
  "bench-alpha",
  "bench-beta",
  "bench-gamma",
  "bench-delta",
  "bench-epsilon",
  "bench-zeta",
  "bench-eta",
  "bench-theta",
};

static const char *problem =
  "Design the backend of a URL shortener that takes 10k redirects per second "
  "and 200 new links per second, never loses a link, and shows click "
  "statistics per link within a minute.";

typedef struct {
  /* settings */
  guint     chunk_ms;
  char     *base_url;
  char    **models;          /* "demo/NAME", NULL-terminated */

  /* one run */
  gboolean  done;
  gboolean  ok;
  GError   *error;
  gint64    start_us;
  gint64    synth_us;
  gint64    synth_cpu_us;    /* this thread's CPU time when synthesis started */
  gint64    end_cpu_us;
  gint64    end_us;
  gint64    last_tick_us;
  gint64    max_gap_us;      /* while streaming */
  gint64    max_gap_all_us;  /* over the whole run, synthesis included */
  gboolean  streaming;
  guint     ticks;
} Bench;

typedef struct {
  double   wall_ms;          /* streaming phase */
  double   synth_ms;         /* synthesis, to the end of the run */
  double   synth_cpu_ms;     /* CPU time of the main thread during it */
  double   slowest_ms;       /* the largest candidate duration_ms */
  double   max_gap_ms;       /* the longest main-loop stall while streaming */
  double   max_gap_all_ms;   /* the same over the whole run */
  double   hwm_mib;          /* VmHWM after the run */
  double   growth_mib;       /* VmHWM after - VmRSS before */
  guint    n_ok;
} RunFigures;

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return x < y ? -1 : x > y ? 1 : 0;
}

static double
median (GArray *values)
{
  double *v;
  guint n = values->len;

  if (n == 0)
    return 0.0;
  g_array_sort (values, compare_double);
  v = (double *) (gpointer) values->data;
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

/* A "VmHWM:" or "VmRSS:" line of /proc/self/status, in MiB (-1 if missing). */
static double
read_status_mib (const char *key)
{
  g_autofree char *status = NULL;
  const char *line;
  gsize key_len = strlen (key);

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1.0;
  for (line = status; line != NULL && *line != '\0'; )
    {
      const char *eol = strchr (line, '\n');

      if (strncmp (line, key, key_len) == 0 && line[key_len] == ':')
        return g_ascii_strtod (line + key_len + 1, NULL) / 1024.0;
      line = eol != NULL ? eol + 1 : NULL;
    }
  return -1.0;
}

/* Resets VmHWM to the current RSS (Linux >= 4.0). */
static gboolean
reset_peak (void)
{
  FILE *f = fopen ("/proc/self/clear_refs", "w");
  gboolean ok;

  if (f == NULL)
    return FALSE;
  ok = fputs ("5", f) >= 0;
  return fclose (f) == 0 && ok;
}

static char *
build_config (Bench *b,
              guint  max_concurrent)
{
  GString *s = g_string_new (NULL);
  g_autofree char *names = NULL;
  g_autoptr(GPtrArray) plain = g_ptr_array_new ();

  for (guint i = 0; b->models[i] != NULL; i++)
    g_ptr_array_add (plain, b->models[i] + strlen ("demo/"));
  g_ptr_array_add (plain, (gpointer) "demo-judge");
  g_ptr_array_add (plain, NULL);
  names = g_strjoinv (";", (char **) plain->pdata);

  g_string_append_printf (s,
                          "[provider demo]\n"
                          "name=Benchmark\n"
                          "base-url=%s\n"
                          "api=openai-chat\n"
                          "models=%s\n"
                          "max-concurrent=%u\n"
                          "requests-per-minute=0\n"
                          "max-retries=0\n\n",
                          b->base_url, names, max_concurrent);
  for (guint i = 0; i < plain->len - 1; i++)
    g_string_append_printf (s,
                            "[model demo/%s]\n"
                            "price-input=0.60\n"
                            "price-output=2.50\n"
                            "max-n=1\n"
                            "structured-output=json-schema\n\n",
                            (const char *) g_ptr_array_index (plain, i));
  return g_string_free (s, FALSE);
}

static gint64
thread_cpu_us (void)
{
  struct timespec ts;

  if (clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
    return 0;
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static gboolean
probe_cb (gpointer user_data)
{
  Bench *b = user_data;
  gint64 now = g_get_monotonic_time ();

  if (b->last_tick_us > 0)
    {
      if (b->streaming)
        b->max_gap_us = MAX (b->max_gap_us, now - b->last_tick_us);
      b->max_gap_all_us = MAX (b->max_gap_all_us, now - b->last_tick_us);
    }
  b->last_tick_us = now;
  b->ticks++;
  return G_SOURCE_CONTINUE;
}

static void
state_cb (CsRun      *run,
          GParamSpec *pspec,
          Bench      *b)
{
  CsRunState state = cs_run_get_state (run);

  if (b->synth_us == 0 && state != CS_RUN_RUNNING && state != CS_RUN_DRAFT)
    {
      b->synth_us = g_get_monotonic_time ();
      b->synth_cpu_us = thread_cpu_us ();
      b->streaming = FALSE;
    }
}

static void
execute_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Bench *b = user_data;

  b->ok = cs_runner_execute_finish (CS_RUNNER (object), result, &b->error);
  b->end_us = g_get_monotonic_time ();
  b->end_cpu_us = thread_cpu_us ();
  b->done = TRUE;
}

/* One run of the 8 candidates through CsRunner. */
static gboolean
run_once (Bench       *b,
          guint        max_concurrent,
          const char  *judge,
          gboolean     measure_memory,
          RunFigures  *fig,
          GError     **error)
{
  g_autofree char *ini = build_config (b, max_concurrent);
  g_autoptr(CsConfig) config = NULL;
  g_autoptr(CsRun) run = NULL;
  g_autoptr(CsRunner) runner = NULL;
  double rss_before = 0.0;
  guint probe_id;
  guint ticks;

  memset (fig, 0, sizeof *fig);
  config = cs_config_new_from_data (ini, "bench-run.ini", error);
  if (config == NULL)
    return FALSE;

  run = cs_run_new (CS_MODE_ARCHITECT, problem);
  cs_run_set_constraint (run, "budget", "2000 USD a month");
  cs_run_set_judge (run, judge);
  runner = cs_runner_new (config, run);
  if (!cs_runner_plan (runner, (const char * const *) b->models, error))
    return FALSE;

  b->done = b->ok = FALSE;
  g_clear_error (&b->error);
  b->synth_us = b->end_us = 0;
  b->last_tick_us = 0;
  b->max_gap_us = 0;
  b->max_gap_all_us = 0;
  g_signal_connect (run, "notify::state", G_CALLBACK (state_cb), b);

  if (measure_memory)
    {
      reset_peak ();
      rss_before = read_status_mib ("VmRSS");
    }

  probe_id = g_timeout_add (1, probe_cb, b);
  b->streaming = TRUE;
  b->start_us = g_get_monotonic_time ();
  cs_runner_execute_async (runner, NULL, execute_cb, b);
  while (!b->done)
    g_main_context_iteration (NULL, TRUE);
  /* one more tick, so that a stall just before the end is counted */
  ticks = b->ticks;
  while (b->ticks == ticks)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (probe_id);
  b->streaming = FALSE;

  if (!b->ok)
    {
      g_propagate_error (error, g_steal_pointer (&b->error));
      return FALSE;
    }

  if (b->synth_us == 0)
    b->synth_us = b->end_us;
  fig->wall_ms = (b->synth_us - b->start_us) / 1000.0;
  fig->synth_ms = (b->end_us - b->synth_us) / 1000.0;
  fig->synth_cpu_ms = b->synth_cpu_us > 0 ? (b->end_cpu_us - b->synth_cpu_us) / 1000.0 : 0.0;
  fig->max_gap_ms = b->max_gap_us / 1000.0;
  fig->max_gap_all_ms = b->max_gap_all_us / 1000.0;
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (run)); i++)
    {
      g_autoptr(CsCandidate) c = g_list_model_get_item (G_LIST_MODEL (run), i);

      if (cs_candidate_get_status (c) == CS_CANDIDATE_OK)
        fig->n_ok++;
      fig->slowest_ms = MAX (fig->slowest_ms, (double) cs_candidate_get_duration_ms (c));
    }
  if (measure_memory)
    {
      fig->hwm_mib = read_status_mib ("VmHWM");
      fig->growth_mib = fig->hwm_mib - rss_before;
    }
  return TRUE;
}

/* Starts consilium-test-provider and returns its base URL. */
static char *
start_external (GSubprocess **out_proc,
                guint         delay_ms,
                GError      **error)
{
  g_autofree char *dir = g_dir_make_tmp ("bench-run-XXXXXX", error);
  g_autofree char *port_file = NULL;
  g_autofree char *delay = g_strdup_printf ("--delay-ms=%u", delay_ms);
  g_autofree char *port_arg = NULL;
  const char *path = g_getenv ("CONSILIUM_TEST_PROVIDER");
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  g_autofree char *contents = NULL;

  if (dir == NULL)
    return NULL;
  if (path == NULL)
    path = CS_TEST_PROVIDER_PATH;
  port_file = g_build_filename (dir, "port", NULL);
  port_arg = g_strdup_printf ("--port-file=%s", port_file);
  *out_proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, error,
                                path, port_arg, delay, NULL);
  if (*out_proc == NULL)
    return NULL;

  while (!g_file_get_contents (port_file, &contents, NULL, NULL) ||
         contents[0] == '\0' || strchr (contents, '\n') == NULL)
    {
      g_clear_pointer (&contents, g_free);
      if (g_get_monotonic_time () > deadline)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                       "%s did not write its port", path);
          return NULL;
        }
      g_usleep (20000);
    }
  g_unlink (port_file);
  g_rmdir (dir);
  return g_strdup_printf ("http://127.0.0.1:%u/v1", (guint) g_ascii_strtoull (contents, NULL, 10));
}

static double
load_average (void)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents ("/proc/loadavg", &text, NULL, NULL))
    return -1.0;
  return g_ascii_strtod (text, NULL);
}

int
main (int   argc,
      char *argv[])
{
  int rounds = 5;
  int chunk_ms = 10;
  gboolean external = FALSE;
  const GOptionEntry entries[] = {
    { "rounds", 'n', 0, G_OPTION_ARG_INT, &rounds, "Measured rounds (default: 5)", "N" },
    { "chunk-ms", 0, 0, G_OPTION_ARG_INT, &chunk_ms, "Base milliseconds between two chunks (default: 10)", "MS" },
    { "external", 0, 0, G_OPTION_ARG_NONE, &external, "Use the standalone consilium-test-provider (another process) instead of the in-process one", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CsTestProvider) provider = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GPtrArray) models = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) ratio = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) ratio_in_run = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) wall = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) alone = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) in_run = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) synth = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) synth_cpu = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) synth_judge = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) wall_judge = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) gap = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) gap_alone = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) gap_all = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) gap_all_judge = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) hwm = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) growth = g_array_new (FALSE, FALSE, sizeof (double));
  Bench b = { 0 };
  gboolean peak_resets;
  double load_start;

  context = g_option_context_new ("- time a run of 8 candidates through the engine");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (rounds < 1 || rounds > 100 || chunk_ms < 1 || chunk_ms > 1000)
    {
      g_printerr ("--rounds must be 1-100 and --chunk-ms 1-1000\n");
      return 2;
    }

  b.chunk_ms = (guint) chunk_ms;
  if (external)
    {
      b.base_url = start_external (&proc, 5, &error);
      if (b.base_url == NULL)
        {
          g_printerr ("Cannot start the test provider: %s\n", error->message);
          return 1;
        }
    }
  else
    {
      provider = cs_test_provider_new ();
      if (!cs_test_provider_start (provider, 0, &error))
        {
          g_printerr ("Cannot start the test provider: %s\n", error->message);
          return 1;
        }
      b.base_url = cs_test_provider_dup_base_url (provider);
    }

  /* base delay, then +1 ms per model and +3 ms for the last: one is slowest */
  for (guint i = 0; i < N_CANDIDATES; i++)
    {
      guint delay = b.chunk_ms + i / 2 + (i == N_CANDIDATES - 1 ? 3 : 0);

      g_ptr_array_add (models, g_strdup_printf ("demo/%s+slow=%u", model_names[i], delay));
    }
  g_ptr_array_add (models, NULL);
  b.models = (char **) models->pdata;

  peak_resets = reset_peak ();
  load_start = load_average ();
  printf ("bench-run: %u candidates, %s test provider, %d rounds after 1 warm-up round\n",
          N_CANDIDATES, external ? "external (another process)" : "in-process", rounds);
  printf ("machine: %u CPUs, load average %.2f at start\n", g_get_num_processors (), load_start);
  fflush (stdout);

  for (int round = 0; round <= rounds; round++)
    {
      RunFigures a, p, j;
      double v;

      if (!run_once (&b, 1, NULL, FALSE, &a, &error) ||
          !run_once (&b, N_CANDIDATES, NULL, TRUE, &p, &error) ||
          !run_once (&b, N_CANDIDATES, "demo/demo-judge", FALSE, &j, &error))
        {
          g_printerr ("Run failed: %s\n", error->message);
          return 1;
        }
      if (a.n_ok != N_CANDIDATES || p.n_ok != N_CANDIDATES || j.n_ok != N_CANDIDATES)
        {
          g_printerr ("Not every candidate succeeded (%u, %u, %u of %u)\n",
                      a.n_ok, p.n_ok, j.n_ok, N_CANDIDATES);
          return 1;
        }
      if (round == 0)
        continue;  /* warm-up */

      printf ("  round %d: alone slowest %.0f ms; parallel wall %.0f ms (slowest in run %.0f ms), "
              "synthesis %.1f ms (CPU %.1f ms), stall %.1f ms (%.1f ms with synthesis), peak %.1f MiB; with judge wall %.0f ms, synthesis %.0f ms\n",
              round, a.slowest_ms, p.wall_ms, p.slowest_ms, p.synth_ms, p.synth_cpu_ms, p.max_gap_ms, p.max_gap_all_ms, p.hwm_mib,
              j.wall_ms, j.synth_ms);
      fflush (stdout);

      v = p.wall_ms / a.slowest_ms;
      g_array_append_val (ratio, v);
      v = p.wall_ms / p.slowest_ms;
      g_array_append_val (ratio_in_run, v);
      g_array_append_val (wall, p.wall_ms);
      g_array_append_val (alone, a.slowest_ms);
      g_array_append_val (in_run, p.slowest_ms);
      g_array_append_val (synth, p.synth_ms);
      g_array_append_val (synth_cpu, p.synth_cpu_ms);
      g_array_append_val (gap, p.max_gap_ms);
      g_array_append_val (gap_alone, a.max_gap_ms);
      g_array_append_val (gap_all, p.max_gap_all_ms);
      g_array_append_val (gap_all_judge, j.max_gap_all_ms);
      g_array_append_val (hwm, p.hwm_mib);
      g_array_append_val (growth, p.growth_mib);
      g_array_append_val (wall_judge, j.wall_ms);
      g_array_append_val (synth_judge, j.synth_ms);
    }

  printf ("slowest-alone: %.0f ms (median of %d; the slowest candidate's duration_ms with no other stream)\n",
          median (alone), rounds);
  printf ("parallel-8-wall: %.0f ms (median of %d; streaming phase, execute to synthesizing)\n",
          median (wall), rounds);
  printf ("parallel-8: wall/slowest = %.2f (median of %d; ideal 1.0)\n", median (ratio), rounds);
  printf ("parallel-8: wall/slowest-in-the-run = %.2f (median of %d; slowest in the run %.0f ms)\n",
          median (ratio_in_run), rounds, median (in_run));
  printf ("synthesis: %.1f ms (median of %d; ensemble + consensus, no judge; %.1f ms of main-thread CPU)\n",
          median (synth), rounds, median (synth_cpu));
  printf ("synthesis-with-judge: %.0f ms (median of %d; the judge streams from the provider; streaming phase %.0f ms)\n",
          median (synth_judge), rounds, median (wall_judge));
  printf ("peak-rss: %.1f MiB (median of %d; VmHWM%s%s)\n", median (hwm), rounds,
          peak_resets ? ", reset before each run" : ", NOT reset: the process's lifetime peak",
          external ? "" : ", the in-process provider included");
  if (peak_resets)
    printf ("peak-rss-growth: %.1f MiB (median of %d; VmHWM during the run - VmRSS before it)\n",
            median (growth), rounds);
  printf ("main-loop-stall: %.1f ms (median of %d; longest gap of a 1 ms timeout while 8 stream%s; %.1f ms with one stream at a time)\n",
          median (gap), rounds, external ? "" : ", the provider shares the loop", median (gap_alone));
  printf ("main-loop-stall-whole-run: %.1f ms (median of %d; the same probe from start to result, synthesis included; %.1f ms with a judge)\n",
          median (gap_all), rounds, median (gap_all_judge));
  printf ("machine: load average %.2f at the end\n", load_average ());

  if (proc != NULL)
    g_subprocess_force_exit (proc);
  g_free (b.base_url);
  g_clear_error (&b.error);
  return 0;
}
