/* cli-budget.h: a run's budget across its rounds and retries (cli-budget.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "cli-private.h"

G_BEGIN_DECLS

/* --budget with --follow-up or --retry: the run's new budget. FALSE after
 * printing why for a bad value. */
gboolean  cli_budget_set_option     (const CliOptions  *options,
                                     CsRun             *run);
/* Prints a refusal for a run that has spent its budget, with what to do;
 * FALSE (nothing printed) for any other error. */
gboolean  cli_budget_print_refusal  (const GError      *error);
/* "budget_usd" of a request body, when given, as the run's budget; FALSE
 * with G_IO_ERROR_INVALID_DATA for anything but null or dollars >= 0. */
gboolean  cli_budget_from_json      (JsonObject        *o,
                                     CsRun             *run,
                                     GError           **error);
/* cs_runner_new_follow_up () with the body's "budget_usd" as the run's
 * budget; on a refusal the run keeps the budget it had. */
CsRunner *cli_budget_follow_up      (CsConfig          *config,
                                     CsRun             *run,
                                     JsonObject        *body,
                                     CsRoundScope       scope,
                                     const char        *question,
                                     GPtrArray         *reports,
                                     GError           **error);
/* Replies 409 "budget_reached" to a budget refusal (TRUE); FALSE and no
 * reply for any other error. */
gboolean  cli_budget_reply_refused  (SoupServerMessage *msg,
                                     const GError      *error);
/* A new run with a budget whose upper estimate passes it: FALSE with
 * CS_RUNNER_ERROR_BUDGET and the figures (as --budget refuses a run). */
gboolean  cli_budget_check_new_run  (CsConfig          *config,
                                     CsRunStore        *history,
                                     CsRun             *run,
                                     char             **models,
                                     GError           **error);

G_END_DECLS
