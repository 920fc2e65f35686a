/* cli-follow-up.c: a follow-up round of a saved run
 *
 *   consilium-cli --follow-up=RUN_ID [--scope=judge|all]
 *                 [--step=N:worked|failed|skipped]... [--step-output=N:FILE]...
 *                 [--option=[MODEL@]KEY=VALUE]... [--budget=USD]
 *                 [--format=markdown|json] [--output=FILE] [--quiet] [QUESTION_FILE|-]
 *
 * Adds a round to the saved run RUN_ID with the run's own providers, models
 * and judge (scope judge, the default: the judge revises the current
 * result; all: every model answers again), then writes the whole run as a
 * normal run does. Each model is asked with the settings the run used
 * (temperature, reasoning effort, verbosity, maximum output tokens, n: as
 * the run file keeps them per candidate and for the judge); --option sets
 * this round's own on top, for MODEL (a model of the run or its judge) or,
 * without MODEL@, for every model the round asks (scope judge: the judge;
 * all: the candidates' models). The round's candidates and judge record
 * what they went with. The question may be left out when steps are reported.
 * Everything is checked before anything changes: a step the checklist does
 * not have, an output larger than a step keeps, a judge or model no longer
 * configured, a run that has spent its budget (the budget is the run's,
 * every round included; --budget=USD gives it a new one, cli-budget.c)
 * all stop with exit status 2 and leave the run file as it was.
 * Exit status as for a run: 0 with a result, 1 when the round got none
 * (the run keeps its previous result, saved with the reason), 2 for bad
 * usage or configuration, 130 when interrupted (the round is saved as
 * cancelled, the previous result in place).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "consilium-cli"

#include "config.h"

#include <glib/gi18n.h>

#include <stdio.h>
#include <string.h>

#include "cli-budget.h"
#include "cli-private.h"

#define MAX_QUESTION_BYTES (256 * 1024)

/* "N:REST" → N (1…10000) and REST; FALSE after printing why. */
static gboolean
split_step (const char  *option,
            const char  *value,
            guint       *step,
            const char **rest)
{
  const char *colon = strchr (value, ':');
  g_autofree char *number = colon != NULL ? g_strndup (value, colon - value) : NULL;
  guint64 n = 0;

  if (number == NULL || number[0] == '\0' || strspn (number, "0123456789") != strlen (number) ||
      (n = g_ascii_strtoull (number, NULL, 10)) < 1 || n > 10000)
    {
      cli_print_err (_("bad %s=%s: expected a step number from 1, a colon and %s"), option, value,
                     g_str_equal (option, "--step") ? _("worked, failed or skipped") : _("a file"));
      return FALSE;
    }
  *step = (guint)n;
  *rest = colon + 1;
  return TRUE;
}

static CsStepReport *
find_report (GPtrArray *reports,
             guint      step)
{
  for (guint i = 0; i < reports->len; i++)
    if (((CsStepReport *)g_ptr_array_index (reports, i))->step == step)
      return g_ptr_array_index (reports, i);
  return NULL;
}

static gboolean
read_step_output (CsStepReport *report,
                  const char   *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = cli_read_text (path, CS_STEP_OUTPUT_MAX_BYTES, &error);

  if (text == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE))
        cli_print_err (_("--step-output=%u:%s: a step's output is kept verbatim up to %d bytes, "
                       "and this one is larger: keep the part that matters (the error and the "
                       "lines around it)"), report->step, path, CS_STEP_OUTPUT_MAX_BYTES);
      else
        cli_print_err (_("--step-output=%u:%s: %s"), report->step, path, error->message);
      return FALSE;
    }
  g_free (report->output);
  report->output = text[0] != '\0' ? g_steal_pointer (&text) : NULL;
  return TRUE;
}

/* --step and --step-output as step reports; NULL after printing why. */
static GPtrArray *
parse_reports (const CliOptions *options,
               const char       *question_path)
{
  g_autoptr(GPtrArray) reports = g_ptr_array_new_with_free_func ((GDestroyNotify)cs_step_report_free);

  for (guint i = 0; options->steps != NULL && options->steps[i] != NULL; i++)
    {
      CsStepOutcome outcome;
      const char *rest;
      guint step;

      if (!split_step ("--step", options->steps[i], &step, &rest))
        return NULL;
      if (!cs_step_outcome_from_string (rest, &outcome))
        {
          cli_print_err (_("bad --step=%s: the outcome is worked, failed or skipped"), options->steps[i]);
          return NULL;
        }
      if (find_report (reports, step) != NULL)
        {
          cli_print_err (_("--step=%u is given twice"), step);
          return NULL;
        }
      g_ptr_array_add (reports, cs_step_report_new (step, outcome, NULL));
    }
  for (guint i = 0; options->step_outputs != NULL && options->step_outputs[i] != NULL; i++)
    {
      CsStepReport *report;
      const char *path;
      guint step;

      if (!split_step ("--step-output", options->step_outputs[i], &step, &path))
        return NULL;
      report = find_report (reports, step);
      if (report == NULL)
        {
          cli_print_err (_("--step-output=%u: report step %u with --step=%u:worked|failed|skipped too"),
                         step, step, step);
          return NULL;
        }
      if (g_str_equal (path, "-") && g_strcmp0 (question_path, "-") == 0)
        {
          cli_print_err (_("--step-output=%u:-: standard input already holds the question"), step);
          return NULL;
        }
      if (report->output != NULL || !read_step_output (report, path))
        {
          if (report->output != NULL)
            cli_print_err (_("--step-output=%u is given twice"), step);
          return NULL;
        }
    }
  return g_steal_pointer (&reports);
}

static char *
read_question (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *text;

  if (path == NULL)
    return g_strdup ("");
  text = cli_read_text (path, MAX_QUESTION_BYTES, &error);
  if (text == NULL)
    cli_print_err (_("%s"), error->message);
  return text;
}

static int
finish (Cli              *cli,
        const CliOptions *options,
        CsConfig         *config,
        const char       *question_path,
        gboolean          json)
{
  int status = cli_finish_alike (cli, options, config, question_path, json);

  if (status >= 0)
    return status;
  if (g_error_matches (cli->error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      cli_print_err (_("cancelled; the run %s keeps its previous result"), cs_run_get_id (cli->run));
      return EXIT_CANCELLED;
    }
  cli_print_err (_("the follow-up got no result: %s"), cli->error->message);
  if (g_error_matches (cli->error, CS_RUNNER_ERROR, CS_RUNNER_ERROR_NO_CANDIDATE))
    cli_print_failures (cli->run);
  cli_print_err (_("the run %s keeps its previous result"), cs_run_get_id (cli->run));
  return EXIT_NO_RESULT;
}

int
cli_follow_up (const CliOptions  *options,
               CsConfig          *config,
               int                argc,
               char             **argv)
{
  g_autoptr(CsRunStore) store = NULL;
  g_autoptr(CsRunner) runner = NULL;
  g_autoptr(GPtrArray) reports = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *question = NULL;
  const char *question_path = argc > 1 ? argv[1] : NULL;
  CsRoundScope scope = CS_ROUND_SCOPE_JUDGE;
  gboolean json = FALSE;
  Cli cli = { 0 };
  CsRun *run;
  int status;

  if (options->scope != NULL &&
      (!cs_round_scope_from_string (options->scope, &scope) || scope == CS_ROUND_SCOPE_FIRST))
    {
      cli_print_err (_("unknown scope %s (use judge or all)"), options->scope);
      return EXIT_USAGE;
    }
  if (argc > 2)
    {
      cli_print_err (_("only one question file can be given"));
      return EXIT_USAGE;
    }
  if (options->models != NULL || options->judge != NULL || options->constraints != NULL || options->mode != NULL ||
      options->fallback_judge != NULL || options->rank || options->seed != NULL)
    {
      cli_print_err (_("--follow-up reuses the run's own mode, models, judges, constraints and settings: "
                     "--mode, --model, --judge, --fallback-judge, --rank, --seed and --constraint do not apply"));
      return EXIT_USAGE;
    }
  if (options->estimate)
    {
      /* it would otherwise be ignored, and the round sent */
      cli_print_err (_("--estimate is for a new run: a follow-up round is not estimated, and nothing was sent"));
      return EXIT_USAGE;
    }
  if (options->quorum < 0 || options->deadline < 0)
    {
      cli_print_err (_("--quorum and --deadline must be 0 or more"));
      return EXIT_USAGE;
    }
  if (!cli_parse_format (options->format, &json) ||
      !cli_check_output_path (options->output, g_strcmp0 (question_path, "-") == 0 ? NULL : question_path))
    return EXIT_USAGE;
  reports = parse_reports (options, question_path);
  if (reports == NULL)
    return EXIT_USAGE;
  question = read_question (question_path);
  if (question == NULL)
    return EXIT_USAGE;

  store = cli_load_store ();
  if (store == NULL)
    return EXIT_USAGE;
  run = cs_run_store_find (store, options->follow_up);
  if (run == NULL)
    {
      cli_print_err (_("no saved run %s (see --runs)"), options->follow_up);
      return EXIT_USAGE;
    }

  /* every check before the run changes: a refusal leaves its file as it was */
  if (!cli_budget_set_option (options, run))
    return EXIT_USAGE;
  runner = cs_runner_new_follow_up (config, run, scope, question, reports, &error);
  if (runner == NULL)
    {
      if (!cli_budget_print_refusal (error))
        cli_print_err (_("%s"), error->message);
      return EXIT_USAGE;
    }
  if (!cli_round_knobs_set (run, runner, scope, (const char * const *) options->knob_options, &error))
    {
      cli_print_err ("--option: %s", error->message);
      return EXIT_USAGE;
    }
  cs_runner_set_store (runner, store);
  cs_runner_set_quorum (runner, (guint)options->quorum);
  cs_runner_set_deadline (runner, (guint)options->deadline);
  cs_runner_set_cancel_late (runner, TRUE);

  cli_init (&cli, run, store, options->quiet);
  cli_execute (&cli, runner);
  status = finish (&cli, options, config, question_path, json);
  cli_clear (&cli);
  return status;
}
