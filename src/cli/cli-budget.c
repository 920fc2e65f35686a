/* cli-budget.c: a run's budget across its rounds and retries, for
 * --follow-up, --retry and the local API
 *
 * The budget is the run's (cs_runner_check_budget_left ()): set when it
 * starts (--budget, "budget_usd" of POST /v1/runs), kept in its file, and
 * every round and retry spends from what is left of it, stopped when the
 * run's total reaches it. --budget with --follow-up or --retry, and
 * "budget_usd" in a follow-up's or a retry's body, give the run a new budget (saved
 * with it once the round or retry runs; left as it was when refused). A
 * run that has spent its budget asks nothing more: exit 2, or HTTP 409
 * "budget_reached", until the budget is raised.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "consilium-cli"

#include "config.h"

#include <glib/gi18n.h>

#include <math.h>
#include <stdio.h>

#include "cli-budget.h"
#include "cli-serve-private.h"

gboolean
cli_budget_set_option (const CliOptions *options,
                       CsRun            *run)
{
  if (isnan (options->budget))
    return TRUE;
  if (!isfinite (options->budget) || options->budget < 0)
    {
      cli_print_err (_("--budget must be a number of US dollars, 0 or more"));
      return FALSE;
    }
  cs_run_set_budget_usd (run, options->budget);
  return TRUE;
}

gboolean
cli_budget_print_refusal (const GError *error)
{
  if (!g_error_matches (error, CS_RUNNER_ERROR, CS_RUNNER_ERROR_BUDGET))
    return FALSE;
  cli_print_err ("%s", error->message);
  cli_print_err (_("give the run a higher budget with --budget=USD to ask it again"));
  return TRUE;
}

/* "budget_usd": absent or null (*given FALSE), or US dollars, 0 or more. */
static gboolean
read_budget (JsonObject  *o,
             gboolean    *given,
             double      *budget,
             GError     **error)
{
  JsonNode *node = json_object_get_member (o, "budget_usd");

  *given = FALSE;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) ||
      (json_node_get_value_type (node) != G_TYPE_DOUBLE && json_node_get_value_type (node) != G_TYPE_INT64) ||
      !isfinite (json_node_get_double (node)) || json_node_get_double (node) < 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "“budget_usd” must be a number of US dollars, 0 or more");
      return FALSE;
    }
  *given = TRUE;
  *budget = json_node_get_double (node);
  return TRUE;
}

gboolean
cli_budget_from_json (JsonObject  *o,
                      CsRun       *run,
                      GError     **error)
{
  gboolean given;
  double budget;

  if (!read_budget (o, &given, &budget, error))
    return FALSE;
  if (given)
    cs_run_set_budget_usd (run, budget);
  return TRUE;
}

CsRunner *
cli_budget_follow_up (CsConfig      *config,
                      CsRun         *run,
                      JsonObject    *body,
                      CsRoundScope   scope,
                      const char    *question,
                      GPtrArray     *reports,
                      GError       **error)
{
  double before = cs_run_get_budget_usd (run);
  CsRunner *runner;
  gboolean given;
  double budget;

  if (!read_budget (body, &given, &budget, error))
    return NULL;
  if (given)
    cs_run_set_budget_usd (run, budget);
  runner = cs_runner_new_follow_up (config, run, scope, question, reports, error);
  /* a refusal leaves the run as it was */
  if (runner == NULL)
    cs_run_set_budget_usd (run, before);
  return runner;
}

gboolean
cli_budget_reply_refused (SoupServerMessage *msg,
                          const GError      *error)
{
  if (!g_error_matches (error, CS_RUNNER_ERROR, CS_RUNNER_ERROR_BUDGET))
    return FALSE;
  serve_reply_error (msg, SOUP_STATUS_CONFLICT, "budget_reached", error->message);
  return TRUE;
}

gboolean
cli_budget_check_new_run (CsConfig    *config,
                          CsRunStore  *history,
                          CsRun       *run,
                          char       **models,
                          GError     **error)
{
  double budget = cs_run_get_budget_usd (run);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(CsRun) scratch = NULL;
  g_autoptr(CsRunner) planner = NULL;
  g_autoptr(CsEstimate) estimate = NULL;
  g_autofree char *text = NULL;

  if (isnan (budget))
    return TRUE;
  /* planned on a copy (its question, constraints, judges, ranking): the
   * run itself is planned when it starts */
  node = cs_run_to_json (run);
  scratch = cs_run_new_from_json (node, error);
  if (scratch == NULL)
    return FALSE;
  planner = cs_runner_new (config, scratch);
  if (!cs_runner_plan (planner, (const char * const *) models, error))
    return FALSE;
  estimate = cs_estimate_new (planner, history != NULL ? G_LIST_MODEL (history) : NULL);
  if (!cs_estimate_exceeds (estimate, budget))
    return TRUE;
  text = cs_estimate_to_text (estimate);
  if (estimate->priced)
    g_set_error (error, CS_RUNNER_ERROR, CS_RUNNER_ERROR_BUDGET,
                 "not started: the upper estimate $%.4f is above the budget of $%.4f\n%s",
                 estimate->usd_high, budget, text);
  else
    g_set_error (error, CS_RUNNER_ERROR, CS_RUNNER_ERROR_BUDGET,
                 "not started: a model has no price, so no budget can be kept\n%s", text);
  return FALSE;
}
