/* cli-retry.c: one candidate of a saved run asked again
 *
 *   consilium-cli --retry=RUN_ID:CANDIDATE_ID [--budget=USD] [--format=markdown|json]
 *                 [--output=FILE] [--quiet]
 *
 * CANDIDATE_ID is a candidate of the run's current round as --show prints
 * it (c2). A candidate the app offers Retry for (one that failed, was
 * refused, invalid or truncated: cs_candidate_status_can_retry ()) is asked
 * again by itself, with the settings its request went with (kept in the run
 * file), then the current round is synthesized again (votes, consensus, the
 * judge), as the app's Retry does; the whole run is written as --show
 * writes it. A cancelled candidate was stopped on purpose and is not asked
 * again (nor in the app): a follow-up round with --scope=all asks every
 * model again. Exit status: 0 with
 * the candidate answered and the result made again; 1 when the candidate
 * failed again (the run is saved with that); 2 for bad usage, an unknown
 * run or candidate, a candidate that succeeded, was cancelled or is still
 * running, its model no longer configured, or a run that has spent its
 * budget (the budget is the run's, every retry included: --budget=USD gives
 * it a new one, cli-budget.c) (the run file untouched); 130 when
 * interrupted (a retry still streaming stops and the run keeps the result
 * it had; a synthesis stops as a run's does), the run saved.
 *
 * cli_retry_check () is what the local API's retry route checks too
 * (cli-serve-retry.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "consilium-cli"

#include "config.h"

#include <glib/gi18n.h>

#include <math.h>
#include <string.h>

#include "cli-budget.h"
#include "cli-private.h"

gboolean
cli_retry_split (const char  *value,
                 char       **run_id,
                 char       **candidate_id)
{
  const char *colon = value != NULL ? strrchr (value, ':') : NULL;

  if (colon == NULL || colon == value || colon[1] == '\0')
    return FALSE;
  *run_id = g_strndup (value, colon - value);
  *candidate_id = g_strdup (colon + 1);
  return TRUE;
}

/* The round (counted from 1) whose candidates include @id, 0 for none. */
static guint
round_of (CsRun      *run,
          const char *id)
{
  for (guint r = cs_run_get_n_rounds (run); r >= 1; r--)
    {
      GPtrArray *candidates = cs_round_get_candidates (cs_run_get_round (run, r));

      for (guint i = 0; candidates != NULL && i < candidates->len; i++)
        if (g_strcmp0 (cs_candidate_get_id (g_ptr_array_index (candidates, i)), id) == 0)
          return r;
    }
  return 0;
}

static char *
candidate_ids (CsRun *run)
{
  g_autoptr(GString) ids = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (run)); i++)
    {
      g_autoptr(CsCandidate) c = g_list_model_get_item (G_LIST_MODEL (run), i);

      g_string_append_printf (ids, "%s%s (%s)", i > 0 ? ", " : "", cs_candidate_get_id (c),
                              cs_candidate_status_words (cs_candidate_get_status (c)));
    }
  return g_string_free (g_steal_pointer (&ids), FALSE);
}

gboolean
cli_retry_check (CsConfig    *config,
                 CsRun       *run,
                 const char  *candidate_id,
                 GError     **error)
{
  CsCandidate *candidate = cs_run_find_candidate (run, candidate_id);
  CsRunState state = cs_run_get_state (run);
  const char *model;

  if (state != CS_RUN_DONE && state != CS_RUN_FAILED && state != CS_RUN_CANCELLED)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                   _("The run %s is %s: a candidate can be retried once the run has ended"),
                   cs_run_get_id (run), cs_run_state_words (state));
      return FALSE;
    }
  if (candidate == NULL)
    {
      g_autofree char *ids = candidate_ids (run);
      guint round = round_of (run, candidate_id);

      if (round > 0)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                     _("Candidate %s belongs to round %u; only the current round's can be retried: %s"),
                     candidate_id, round, ids);
      else
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                     _("The run %s has no candidate %s; its candidates: %s"),
                     cs_run_get_id (run), candidate_id, ids);
      return FALSE;
    }
  if (cs_candidate_get_status (candidate) == CS_CANDIDATE_CANCELLED)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Candidate %s was cancelled: a candidate stopped on purpose is not asked again, as in "
                     "the app; a follow-up round with --scope=all asks every model again"),
                   candidate_id);
      return FALSE;
    }
  if (!cs_candidate_status_can_retry (cs_candidate_get_status (candidate)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Candidate %s is %s: only a candidate that failed, was refused, invalid or truncated "
                     "can be retried"),
                   candidate_id, cs_candidate_status_words (cs_candidate_get_status (candidate)));
      return FALSE;
    }
  model = cs_candidate_get_model (candidate);
  if (model == NULL || cs_config_find_model (config, model) == NULL)
    {
      g_set_error (error, CS_RUNNER_ERROR, CS_RUNNER_ERROR_CONFIG,
                   _("Candidate %s cannot be asked again: its model %s is no longer configured"),
                   candidate_id, model != NULL ? model : "?");
      return FALSE;
    }
  return cs_runner_check_budget_left (run, error);
}

typedef struct {
  CsRunner   *runner;
  const char *candidate_id;
} Retry;

static void
retry_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  Cli *cli = user_data;

  cli_done (cli, cs_runner_retry_candidate_finish (CS_RUNNER (object), result, &cli->error));
}

static void
start_retry (Cli      *cli,
             gpointer  data)
{
  Retry *retry = data;

  cs_runner_retry_candidate_async (retry->runner, retry->candidate_id, cli->cancellable, retry_cb, cli);
}

/* Writes the run, or says why the retry got no answer; the exit status. */
static int
finish (Cli              *cli,
        const CliOptions *options,
        CsConfig         *config,
        const char       *candidate_id,
        gboolean          json)
{
  CsCandidate *candidate = cs_run_find_candidate (cli->run, candidate_id);
  CsCandidateStatus status = candidate != NULL ? cs_candidate_get_status (candidate) : CS_CANDIDATE_FAILED;

  if (cli->ok && status == CS_CANDIDATE_OK)
    return cli_write_result (cli->run, config, options->output, NULL, json);
  if (g_error_matches (cli->error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      (cli->n_interrupts > 0 && status == CS_CANDIDATE_CANCELLED))
    {
      cli_print_err (_("cancelled; the run %s is saved (%s)"), cs_run_get_id (cli->run),
                     cs_run_state_words (cs_run_get_state (cli->run)));
      return EXIT_CANCELLED;
    }
  if (g_error_matches (cli->error, CS_RUNNER_ERROR, CS_RUNNER_ERROR_CONFIG) ||
      g_error_matches (cli->error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) ||
      g_error_matches (cli->error, G_IO_ERROR, G_IO_ERROR_BUSY))
    {
      cli_print_err ("%s", cli->error->message);
      return EXIT_USAGE;
    }
  cli_print_err (_("the retry of %s failed: %s"), candidate_id,
                 candidate != NULL && cs_candidate_get_error (candidate) != NULL
                   ? cs_candidate_get_error (candidate)
                   : cli->error != NULL ? cli->error->message : cs_candidate_status_words (status));
  cli_print_err (_("the run %s is saved with it (%s)"), cs_run_get_id (cli->run),
                 cs_run_state_words (cs_run_get_state (cli->run)));
  return EXIT_NO_RESULT;
}

static gboolean
given (char **values)
{
  return values != NULL && values[0] != NULL;
}

static gboolean
check_usage (const CliOptions *options,
             int               argc,
             gboolean         *json)
{
  if (argc > 1)
    {
      cli_print_err (_("--retry takes no file"));
      return FALSE;
    }
  if (given (options->models) || options->judge != NULL || given (options->constraints) || options->mode != NULL ||
      options->fallback_judge != NULL || options->rank || options->seed != NULL || given (options->knob_options) ||
      options->estimate || options->quorum != 0 || options->deadline != 0)
    {
      cli_print_err (_("--retry asks the candidate's model again with the settings its request went with: "
                       "--mode, --model, --judge, --fallback-judge, --rank, --seed, --constraint, --option, "
                       "--estimate, --quorum and --deadline do not apply"));
      return FALSE;
    }
  return cli_parse_format (options->format, json) && cli_check_output_path (options->output, NULL);
}

int
cli_retry (const CliOptions *options,
           CsConfig         *config,
           int               argc)
{
  g_autoptr(CsRunStore) store = NULL;
  g_autoptr(CsRunner) runner = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *run_id = NULL;
  g_autofree char *candidate_id = NULL;
  gboolean json = FALSE;
  Cli cli = { 0 };
  Retry retry;
  CsRun *run;
  int status;

  if (!cli_retry_split (options->retry, &run_id, &candidate_id))
    {
      cli_print_err (_("bad --retry=%s: expected RUN_ID:CANDIDATE_ID, as in --retry=RUN_ID:c2"), options->retry);
      return EXIT_USAGE;
    }
  if (!check_usage (options, argc, &json))
    return EXIT_USAGE;
  store = cli_load_store ();
  if (store == NULL)
    return EXIT_USAGE;
  run = cs_run_store_find (store, run_id);
  if (run == NULL)
    {
      cli_print_err (_("no saved run %s (see --runs)"), run_id);
      return EXIT_USAGE;
    }
  /* every check before the run changes: a refusal leaves its file as it was */
  if (!cli_budget_set_option (options, run))
    return EXIT_USAGE;
  if (!cli_retry_check (config, run, candidate_id, &error))
    {
      if (!cli_budget_print_refusal (error))
        cli_print_err ("%s", error->message);
      return EXIT_USAGE;
    }

  runner = cs_runner_new (config, run);
  cs_runner_set_store (runner, store);
  retry = (Retry) { runner, candidate_id };
  cli_init (&cli, run, store, options->quiet);
  cli_execute_with (&cli, start_retry, &retry);
  status = finish (&cli, options, config, candidate_id, json);
  cli_clear (&cli);
  return status;
}
