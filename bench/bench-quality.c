/* bench-quality.c: does the synthesis beat the single answers it came from?
 *
 * For every problem of a problem set (data/problems by default): one run
 * through CsRunner, as consilium-cli makes it (the plan of --model, the
 * run's judge, late candidates cancelled once the synthesis starts); then a
 * blind pairwise judge (--judge) compares the synthesized result with every
 * valid candidate of the run, in both orders (the synthesis as answer A,
 * then as answer B), seeing the problem and the two answers only
 * (bench-quality-compare.c). It prints, per problem and overall, the
 * synthesis's wins, ties and losses, the judge's order consistency, the
 * cost (tokens; dollars where the providers file has prices) and the wall
 * time (bench-quality-report.c), as text or with --format=json.
 *
 * Against the test provider it shows that the mechanics work (the test
 * `test-quality`); with real keys it measures real quality
 * (docs/SYNTHESIS.md, "Measuring quality").
 *
 * Usage: bench-quality --model=P/M [--model=…] --judge=P/M [--run-judge=P/M|none]
 *                      [--fallback-judge=P/M] [--rank]
 *                      [--config=FILE] [--problems=PATH]… [--limit=N]
 *                      [--deadline=S] [--max-usd=USD] [--keep-runs]
 *                      [--format=text|json] [--quiet]
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bench-quality"

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib-unix.h>

#include "bench-quality-private.h"

typedef struct {
  CsConfig   *config;
  char      **models;
  const char *run_judge;     /* NULL: none */
  const char *fallback_judge;
  gboolean    rank;          /* peer ranking in each run */
  BqJudge    *judge;
  CsRunStore *store;         /* --keep-runs: the history of the app and the CLI */
  int         deadline;
  double      max_usd;       /* 0: no limit */
  double      spent_usd;     /* over the models with a price */
  gboolean    quiet;
  GCancellable *cancellable; /* Ctrl+C: the run and the comparisons in flight */
  guint       interrupts;

  /* the run in progress */
  gboolean    done;
  gboolean    ok;
  GError     *error;
  guint       pending;       /* comparisons in flight */
} Harness;

static void
execute_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Harness *h = user_data;

  h->ok = cs_runner_execute_finish (CS_RUNNER (object), result, &h->error);
  h->done = TRUE;
}

static void
compare_done_cb (gpointer judgement,
                 gpointer user_data)
{
  Harness *h = user_data;

  g_assert (h->pending > 0);
  h->pending--;
}

static CsRun *
build_run (Harness         *h,
           const BqProblem *p)
{
  CsRun *run = cs_run_new (p->mode, p->problem);

  for (guint i = 0; p->keys[i] != NULL; i++)
    cs_run_set_constraint (run, p->keys[i], p->values[i]);
  if (h->run_judge != NULL)
    cs_run_set_judge (run, h->run_judge);
  cs_run_set_fallback_judge (run, h->fallback_judge);
  cs_run_set_rank (run, h->rank);
  return run;
}

/* A model of @models without a price, or NULL. */
static const char *
unpriced (Harness            *h,
          const char * const *models)
{
  for (guint i = 0; models[i] != NULL; i++)
    {
      const CsModelConfig *m = cs_config_find_model (h->config, models[i]);
      BqCost probe;
      gboolean known;

      bq_cost_init (&probe);
      bq_cost_add (&probe, m, models[i], 1, 1);
      known = probe.price_unknown->len == 0;
      bq_cost_clear (&probe);
      if (!known)
        return models[i];
    }
  return NULL;
}

/* The tokens of every candidate, of the run's judge (a repair and a
 * fallback judge included) and of the peer ranking. */
static void
account_run (Harness   *h,
             BqProblem *p,
             CsRun     *run)
{
  gint64 in = -1, out = -1;
  double usd = 0;

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (run)); i++)
    {
      g_autoptr(CsCandidate) c = g_list_model_get_item (G_LIST_MODEL (run), i);
      const char *model = cs_candidate_get_model (c);

      bq_cost_add (&p->run_cost, cs_config_find_model (h->config, model), model,
                   cs_candidate_get_input_tokens (c), cs_candidate_get_output_tokens (c));
    }
  if (h->run_judge != NULL && cs_run_get_judge_usage (run, &in, &out, &usd, NULL))
    {
      const char * const judges[] = { h->run_judge, h->fallback_judge, NULL };

      bq_cost_add_priced (&p->run_cost, in, out, usd, unpriced (h, judges));
    }
  if (cs_run_get_ranking_usage (run, &in, &out, &usd))
    bq_cost_add_priced (&p->run_cost, in, out, usd, NULL);  /* the candidates' models, named above */
}

/* Runs the problem; FALSE when it gave no result (the reason in p->error). */
static gboolean
run_problem (Harness   *h,
             BqProblem *p,
             CsRun     *run)
{
  g_autoptr(CsRunner) runner = cs_runner_new (h->config, run);
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  if (!cs_runner_plan (runner, (const char * const *) h->models, &error))
    {
      p->error = g_strdup (error->message);
      return FALSE;
    }
  if (h->store != NULL)
    cs_runner_set_store (runner, h->store);
  cs_runner_set_deadline (runner, (guint) h->deadline);
  cs_runner_set_cancel_late (runner, TRUE);

  h->done = h->ok = FALSE;
  g_clear_error (&h->error);
  cs_runner_execute_async (runner, h->cancellable, execute_cb, h);
  while (!h->done)
    g_main_context_iteration (NULL, TRUE);
  p->run_s = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  if (h->store != NULL)
    cs_run_store_flush (h->store);
  p->n_candidates = g_list_model_get_n_items (G_LIST_MODEL (run));
  account_run (h, p, run);
  if (!h->ok)
    {
      p->error = g_strdup (h->error != NULL ? h->error->message : "the run failed");
      return FALSE;
    }
  return TRUE;
}

/* The synthesis against every valid candidate, both orders, all at once
 * (the judge's provider queues them by its max-concurrent). */
static void
judge_problem (Harness   *h,
               BqProblem *p,
               CsRun     *run)
{
  JsonNode *synthesis = cs_run_get_synthesis (run);
  CsResult *result = cs_run_get_result (run);
  JsonNode *data = NULL;
  g_autofree char *synthesized = NULL;
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  gint64 start = g_get_monotonic_time ();

  if (synthesis != NULL && JSON_NODE_HOLDS_OBJECT (synthesis))
    data = json_object_get_member (json_node_get_object (synthesis), "data");
  synthesized = bq_answer_render (p->mode, data);
  if (result != NULL)
    {
      const char * const *methods = cs_result_get_methods (result);

      p->methods = methods != NULL ? g_strjoinv ("+", (char **) methods) : g_strdup ("");
      p->degraded = cs_result_is_degraded (result);
    }
  if (synthesized == NULL)
    {
      p->ran = FALSE;
      p->error = g_strdup ("the run has no synthesized result");
      return;
    }

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (run)); i++)
    {
      g_autoptr(CsCandidate) c = g_list_model_get_item (G_LIST_MODEL (run), i);
      char *answer;
      BqPair *pair;

      if (cs_candidate_get_status (c) != CS_CANDIDATE_OK ||
          (answer = bq_answer_render (p->mode, cs_candidate_get_data (c))) == NULL)
        continue;
      p->n_valid++;
      g_ptr_array_add (texts, answer);
      pair = g_new0 (BqPair, 1);
      pair->candidate_id = g_strdup (cs_candidate_get_id (c));
      pair->model = g_strdup (cs_candidate_get_model (c));
      g_ptr_array_add (p->pairs, pair);
      h->pending += 2;
      bq_judge_compare (h->judge, p, synthesized, answer, h->cancellable, &pair->first, compare_done_cb, h);
      bq_judge_compare (h->judge, p, answer, synthesized, h->cancellable, &pair->second, compare_done_cb, h);
    }
  while (h->pending > 0)
    g_main_context_iteration (NULL, TRUE);
  p->judge_s = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;

  for (guint i = 0; i < p->pairs->len; i++)
    {
      const BqPair *pair = g_ptr_array_index (p->pairs, i);
      const CsModelConfig *model = bq_judge_get_model (h->judge);

      bq_cost_add (&p->judge_cost, model, model->id, pair->first.input_tokens, pair->first.output_tokens);
      bq_cost_add (&p->judge_cost, model, model->id, pair->second.input_tokens, pair->second.output_tokens);
    }
}

static void
measure (Harness   *h,
         BqProblem *p,
         guint      index,
         guint      total)
{
  g_autoptr(CsRun) run = build_run (h, p);

  p->run_id = g_strdup (cs_run_get_id (run));

  if (!h->quiet)
    fprintf (stderr, "[%u/%u] %s/%s: running…\n", index + 1, total, p->set, p->id);
  p->ran = run_problem (h, p, run);
  if (p->ran)
    judge_problem (h, p, run);
  if (g_cancellable_is_cancelled (h->cancellable))
    {
      /* half a problem would skew the figures: its spend is kept, its
       * verdicts are not */
      p->ran = FALSE;
      p->skipped = TRUE;
      g_ptr_array_set_size (p->pairs, 0);
      g_free (p->error);
      p->error = g_strdup ("interrupted");
    }
  if (!h->quiet)
    {
      g_autofree char *safe = cs_text_for_terminal (p->error, FALSE);

      if (p->ran)
        fprintf (stderr, "[%u/%u] %s/%s: %u of %u candidates valid, %u comparisons in %.1f s + %.1f s\n",
                 index + 1, total, p->set, p->id, p->n_valid, p->n_candidates,
                 p->pairs->len * 2, p->run_s, p->judge_s);
      else
        fprintf (stderr, "[%u/%u] %s/%s: no result: %s\n", index + 1, total, p->set, p->id, safe);
    }
}

static JsonNode *
build_header (Harness            *h,
              const char * const *paths,
              int                 limit)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "models");
  json_builder_begin_array (b);
  for (guint i = 0; h->models[i] != NULL; i++)
    json_builder_add_string_value (b, h->models[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "run_judge");
  if (h->run_judge != NULL)
    json_builder_add_string_value (b, h->run_judge);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "fallback_judge");
  if (h->fallback_judge != NULL)
    json_builder_add_string_value (b, h->fallback_judge);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "rank");
  json_builder_add_boolean_value (b, h->rank);
  json_builder_set_member_name (b, "judge");
  json_builder_add_string_value (b, bq_judge_get_model (h->judge)->id);
  json_builder_set_member_name (b, "blind");
  json_builder_add_boolean_value (b, TRUE);
  json_builder_set_member_name (b, "orders");
  json_builder_add_int_value (b, 2);
  json_builder_set_member_name (b, "problem_sets");
  json_builder_begin_array (b);
  for (guint i = 0; paths[i] != NULL; i++)
    json_builder_add_string_value (b, paths[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "max_usd");
  if (h->max_usd > 0)
    json_builder_add_double_value (b, h->max_usd);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "runs_kept");
  json_builder_add_boolean_value (b, h->store != NULL);
  json_builder_set_member_name (b, "limit");
  json_builder_add_int_value (b, limit);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* Ctrl+C or SIGTERM: stop, and report what was measured; a second one
 * quits at once. */
static gboolean
interrupt_cb (gpointer user_data)
{
  Harness *h = user_data;

  if (++h->interrupts > 1)
    exit (130);
  if (!h->quiet)
    fprintf (stderr, "interrupted: reporting what was measured (Ctrl+C again to quit at once)\n");
  g_cancellable_cancel (h->cancellable);
  return G_SOURCE_CONTINUE;
}

/* The order to run the problems in: one of each set in turn, so that a
 * run stopped early (--max-usd, Ctrl+C) has measured every set alike. The
 * report keeps the sets' order. */
static GArray *
run_order (GPtrArray *problems)
{
  GArray *order = g_array_sized_new (FALSE, FALSE, sizeof (guint), problems->len);
  g_autoptr(GHashTable) taken = g_hash_table_new (NULL, NULL);

  while (order->len < problems->len)
    {
      const char *last_set = NULL;

      /* one pass: the first not yet taken problem of each set */
      for (guint i = 0; i < problems->len; i++)
        {
          const BqProblem *p = g_ptr_array_index (problems, i);

          if (g_hash_table_contains (taken, GUINT_TO_POINTER (i + 1)) || g_strcmp0 (p->set, last_set) == 0)
            continue;
          g_array_append_val (order, i);
          g_hash_table_add (taken, GUINT_TO_POINTER (i + 1));
          last_set = p->set;
        }
    }
  return order;
}

/* The options that cost nothing to check, before any request. */
static gboolean
check_setup (Harness     *h,
             const char  *judge,
             const char  *format,
             int          limit,
             GError     **error)
{
  g_autoptr(CsRun) probe = cs_run_new (CS_MODE_ARCHITECT, "probe");
  g_autoptr(CsRunner) runner = NULL;

  if (h->models == NULL || h->models[0] == NULL || judge == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   "give the candidates with --model=PROVIDER/MODEL (repeatable) and the pairwise judge with --judge");
      return FALSE;
    }
  if (g_strcmp0 (format, "text") != 0 && g_strcmp0 (format, "json") != 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "unknown format %s (use text or json)", format);
      return FALSE;
    }
  if (limit < 0 || h->deadline < 0 || !(h->max_usd >= 0) || h->max_usd > 1e9)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--limit, --deadline and --max-usd must be 0 or more");
      return FALSE;
    }
  if (h->run_judge != NULL && cs_config_find_model (h->config, h->run_judge) == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "unknown run judge model %s", h->run_judge);
      return FALSE;
    }
  if (h->fallback_judge != NULL && cs_config_find_model (h->config, h->fallback_judge) == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "unknown fallback judge model %s", h->fallback_judge);
      return FALSE;
    }
  runner = cs_runner_new (h->config, probe);
  if (!cs_runner_plan (runner, (const char * const *) h->models, error))
    return FALSE;
  h->judge = bq_judge_new (h->config, judge, error);
  return h->judge != NULL;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *config_path = NULL;
  g_autofree char *judge = NULL;
  g_autofree char *run_judge = NULL;
  g_autofree char *fallback_judge = NULL;
  g_autofree char *format_arg = NULL;  /* GOption does not free a default */
  const char *format;
  g_auto(GStrv) models = NULL;
  g_auto(GStrv) problem_paths = NULL;
  int limit = 0;
  gboolean keep_runs = FALSE;
  Harness h = { 0 };
  const GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path, "The providers file (default: the user's)", "FILE" },
    { "model", 'm', 0, G_OPTION_ARG_STRING_ARRAY, &models, "A candidate model, as for consilium-cli (repeatable; PROVIDER/MODEL[:COUNT])", "P/M" },
    { "judge", 'j', 0, G_OPTION_ARG_STRING, &judge, "The blind pairwise judge", "P/M" },
    { "run-judge", 0, 0, G_OPTION_ARG_STRING, &run_judge, "The runs' own judge (default: the pairwise judge; none: no judge)", "P/M" },
    { "fallback-judge", 0, 0, G_OPTION_ARG_STRING, &fallback_judge, "The runs' second judge, tried when the first fails", "P/M" },
    { "rank", 0, 0, G_OPTION_ARG_NONE, &h.rank, "Peer ranking in each run (compare the figures with and without)", NULL },
    { "problems", 'p', 0, G_OPTION_ARG_FILENAME_ARRAY, &problem_paths, "A problem set, or a folder of them (repeatable; default: " CS_PROBLEMS_DIR ")", "PATH" },
    { "limit", 'n', 0, G_OPTION_ARG_INT, &limit, "The first N problems of each set (default: all)", "N" },
    { "deadline", 0, 0, G_OPTION_ARG_INT, &h.deadline, "Synthesize each run after S seconds at most (default: wait for all)", "S" },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format_arg, "text or json", "FORMAT" },
    { "max-usd", 0, 0, G_OPTION_ARG_DOUBLE, &h.max_usd, "Start no new problem once this many dollars are spent (models with a price only)", "USD" },
    { "keep-runs", 0, 0, G_OPTION_ARG_NONE, &keep_runs, "Save the runs in the history, to open them in the app", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &h.quiet, "No progress on standard error", NULL },
    { NULL }
  };
  const char * const default_paths[] = { CS_PROBLEMS_DIR, NULL };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CsConfig) config = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(JsonNode) header = NULL;
  const char * const *paths;
  g_autoptr(GArray) order = NULL;
  guint with_result = 0;
  guint skipped = 0;
  guint sigint_id, sigterm_id;

  context = g_option_context_new ("- the synthesis against each single answer, by a blind pairwise judge");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  format = format_arg != NULL ? format_arg : "text";
  if (config_path == NULL)
    config_path = cs_config_get_default_path ();
  config = cs_config_new_from_file (config_path, &error);
  if (config == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  h.config = config;
  h.models = models;
  h.run_judge = run_judge == NULL ? judge : g_str_equal (run_judge, "none") ? NULL : run_judge;
  h.fallback_judge = fallback_judge;
  if (!check_setup (&h, judge, format, limit, &error))
    {
      g_printerr ("%s\n", error->message);
      bq_judge_free (h.judge);
      return 2;
    }

  paths = problem_paths != NULL ? (const char * const *) problem_paths : default_paths;
  problems = bq_problems_load (paths, limit, &error);
  if (problems == NULL || !bq_judge_prepare (h.judge, &error))
    {
      g_printerr ("%s\n", error->message);
      bq_judge_free (h.judge);
      return 2;
    }

  if (keep_runs)
    h.store = cs_run_store_new (NULL);
  header = build_header (&h, paths, limit);
  if (g_str_equal (format, "text"))
    {
      g_autofree char *list = g_strjoinv (", ", models);

      printf ("bench-quality: %u %s; candidates %s; run judge %s; pairwise judge %s (blind, both orders)\n",
              problems->len, problems->len == 1 ? "problem" : "problems", list, h.run_judge != NULL ? h.run_judge : "none", judge);
      fflush (stdout);
    }
  order = run_order (problems);
  h.cancellable = g_cancellable_new ();
  sigint_id = g_unix_signal_add (SIGINT, interrupt_cb, &h);
  sigterm_id = g_unix_signal_add (SIGTERM, interrupt_cb, &h);
  for (guint i = 0; i < order->len; i++)
    {
      BqProblem *p = g_ptr_array_index (problems, g_array_index (order, guint, i));

      /* --max-usd: no new problem once the spend reached it (one problem
       * may go past it: the limit is checked between problems) */
      if (g_cancellable_is_cancelled (h.cancellable))
        {
          p->skipped = TRUE;
          p->error = g_strdup ("skipped: interrupted");
          continue;
        }
      if (h.max_usd > 0 && h.spent_usd >= h.max_usd)
        {
          p->skipped = TRUE;
          p->error = g_strdup_printf ("skipped: %.4f USD spent, --max-usd is %.4f", h.spent_usd, h.max_usd);
          skipped++;
          continue;
        }
      measure (&h, p, i, problems->len);
      h.spent_usd += p->run_cost.usd + p->judge_cost.usd;
      with_result += p->ran ? 1 : 0;
    }
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  if (skipped > 0 && !h.quiet)
    fprintf (stderr, "--max-usd: %.4f USD spent; %u of %u problems not run\n", h.spent_usd, skipped, problems->len);

  if (g_str_equal (format, "json"))
    {
      g_autofree char *json = bq_report_json (problems, header);

      printf ("%s\n", json);
    }
  else
    bq_report_text (problems);

  g_clear_error (&h.error);
  g_clear_object (&h.store);
  g_clear_object (&h.cancellable);
  bq_judge_free (h.judge);
  return with_result > 0 ? 0 : 1;
}
