/* cli-execute.c: what the commands that run something (a run, a follow-up,
 * a retry) share: the Cli's loop and cancellable, the progress on standard
 * error, Ctrl+C and SIGTERM, and the run file flushed before the end
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include <glib-unix.h>

#include "cli-private.h"

void
cli_init (Cli        *cli,
          CsRun      *run,
          CsRunStore *store,
          gboolean    quiet)
{
  cli->run = run;
  cli->store = store;
  cli->loop = g_main_loop_new (NULL, FALSE);
  cli->cancellable = g_cancellable_new ();
  cli->quiet = quiet;
}

void
cli_clear (Cli *cli)
{
  g_clear_error (&cli->error);
  g_clear_object (&cli->cancellable);
  g_clear_pointer (&cli->loop, g_main_loop_unref);
}

void
cli_done (Cli      *cli,
          gboolean  ok)
{
  cli->ok = ok;
  cli->finished = TRUE;
  g_main_loop_quit (cli->loop);
}

/* SIGINT and SIGTERM while @cli (user_data) runs: the first cancels it,
 * the second exits at once (the run file holds the last save). */
static gboolean
interrupt_cb (gpointer user_data)
{
  Cli *cli = user_data;

  cli->n_interrupts++;
  if (cli->n_interrupts > 1)
    {
      /* a second Ctrl+C: leave now, the run file holds the last save */
      cs_run_store_flush (cli->store);
      fprintf (stderr, "\n");
      exit (EXIT_CANCELLED);
    }
  if (!cli->quiet && !cli->live)
    fprintf (stderr, "%s\n", _("cancelling (Ctrl+C again to quit at once)"));
  g_cancellable_cancel (cli->cancellable);
  return G_SOURCE_CONTINUE;
}

void
cli_execute_with (Cli          *cli,
                  CliStartFunc  start,
                  gpointer      data)
{
  guint sigint_id, sigterm_id;

  cli_progress_start (cli);

  sigint_id = g_unix_signal_add (SIGINT, interrupt_cb, cli);
  sigterm_id = g_unix_signal_add (SIGTERM, interrupt_cb, cli);

  start (cli, data);
  if (!cli->finished)
    g_main_loop_run (cli->loop);

  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  cli_progress_finish (cli);

  /* the run file is complete before we say anything final */
  cs_run_store_flush (cli->store);
  cs_request_log_flush (2000);
}

static void
execute_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Cli *cli = user_data;

  cli_done (cli, cs_runner_execute_finish (CS_RUNNER (object), result, &cli->error));
}

static void
start_execute (Cli      *cli,
               gpointer  runner)
{
  cs_runner_execute_async (runner, cli->cancellable, execute_cb, cli);
}

void
cli_execute (Cli      *cli,
             CsRunner *runner)
{
  cli_execute_with (cli, start_execute, runner);
}
