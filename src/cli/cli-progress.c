/* cli-progress.c: the progress of a run on standard error: a line per
 * event, or a live display redrawn in place on a terminal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "consilium-cli"

#include "config.h"

#include <glib/gi18n.h>

#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli-private.h"
#include "cs-number-format.h"
#include "cs-terminal-text.h"

/* A line for the terminal: whatever came from the network in it (a
 * provider's message, a note quoting one) is shown escaped, and it stays
 * one line. Takes @line. */
static char *
one_line (char *line)
{
  char *safe = cs_text_for_terminal (line, FALSE);

  g_free (line);
  return safe;
}

static void
print_note (CsRun *run)
{
  g_autofree char *note = one_line (g_strdup (cs_run_get_message (run)));

  fprintf (stderr, _("synthesis: note: %s\n"), note);
}

static char *
methods_string (CsRun *run)
{
  CsResult *result = cs_run_get_result (run);
  const char * const *methods = result != NULL ? cs_result_get_methods (result) : NULL;
  g_autofree char *joined = NULL;

  if (methods == NULL || methods[0] == NULL)
    return g_strdup (_("none"));
  joined = g_strjoinv ("+", (char **)methods);
  return g_steal_pointer (&joined);
}

static char *
format_run_line (Cli *cli)
{
  CsRun *run = cli->run;
  double elapsed = (g_get_monotonic_time () - cli->start_us) / (double)G_USEC_PER_SEC;

  switch (cs_run_get_state (run))
    {
    case CS_RUN_SYNTHESIZING:
      return g_strdup_printf (_("synthesis: running (%u valid) %.1f s"),
                              cs_run_count_status (run, CS_CANDIDATE_OK), elapsed);
    case CS_RUN_DONE:
      {
        g_autofree char *methods = methods_string (run);
        g_autofree char *cost = cli_format_cost (cs_run_get_total_cost_usd (run),
                                                 cs_run_get_cost_known (run));
        long long tokens = cs_run_get_total_input_tokens (run) + cs_run_get_total_output_tokens (run);

        if (cs_run_get_usage_estimated (run))
          /* Translators: as "synthesis: %s, total %s, %lld tokens, %.1f s", when the budget
           * stopped a request before its provider said what it used (counted by Consilium) */
          return g_strdup_printf (_("synthesis: %s, total %s, %lld tokens (usage estimated in part), %.1f s"),
                                  methods, cost, tokens, elapsed);
        /* Translators: the methods, the total cost ("$0.0123" or "price unknown"), the tokens, seconds */
        return g_strdup_printf (_("synthesis: %s, total %s, %lld tokens, %.1f s"),
                                methods, cost, tokens, elapsed);
      }
    case CS_RUN_FAILED:
      return g_strdup_printf (_("run failed: %s"), cs_run_get_message (run) ? cs_run_get_message (run) : _("no candidate succeeded"));
    case CS_RUN_CANCELLED:
      return g_strdup (_("run cancelled"));
    case CS_RUN_DRAFT:
    case CS_RUN_RUNNING:
    default:
      return g_strdup_printf (_("running %u candidates %.1f s"),
                              g_list_model_get_n_items (G_LIST_MODEL (run)), elapsed);
    }
}

/* The size of the terminal on standard error: the shell's COLUMNS and LINES
 * are rarely exported, so ask the terminal first, then them; the width
 * defaults to 80, the height to 0 (unknown). A line wider than the terminal
 * wraps and breaks the cursor arithmetic of the redraw. */
static void
terminal_size (int *width,
               int *height)
{
  struct winsize ws = { 0 };
  gboolean asked = ioctl (STDERR_FILENO, TIOCGWINSZ, &ws) == 0;
  const char *columns = g_getenv ("COLUMNS");
  const char *lines = g_getenv ("LINES");

  *width = asked && ws.ws_col > 20 ? ws.ws_col
         : columns != NULL && atoi (columns) > 20 ? atoi (columns) : 80;
  *height = asked && ws.ws_row > 0 ? ws.ws_row
          : lines != NULL && atoi (lines) > 0 ? atoi (lines) : 0;
}

static void
redraw (Cli *cli)
{
  GListModel *model = G_LIST_MODEL (cli->run);
  guint n = g_list_model_get_n_items (model);
  int width, height;
  g_autoptr(GString) out = g_string_new (NULL);

  terminal_size (&width, &height);

  if (cli->drawn_lines > 0)
    g_string_append_printf (out, "\r\033[%uA", cli->drawn_lines);

  for (guint i = 0; i <= n; i++)
    {
      g_autofree char *line = NULL;
      g_autofree char *shown = NULL;

      if (i < n)
        {
          g_autoptr(CsCandidate) c = g_list_model_get_item (model, i);
          CsCandidateStatus status = cs_candidate_get_status (c);

          if (status == CS_CANDIDATE_STREAMING || status == CS_CANDIDATE_THINKING)
            line = g_strdup_printf (_("%s %s %s %zu chars"), cs_candidate_get_id (c),
                                    cs_candidate_get_model (c),
                                    cs_candidate_status_words (status),
                                    (size_t)g_utf8_strlen (cs_candidate_get_text (c), -1) +
                                    (size_t)g_utf8_strlen (cs_candidate_get_reasoning (c), -1));
          else
            line = cli_candidate_line (c);
        }
      else
        line = format_run_line (cli);

      /* one terminal line each, or the cursor arithmetic breaks; no
       * escape sequence from the network */
      line = one_line (g_steal_pointer (&line));
      if (g_utf8_strlen (line, -1) > width - 1)
        shown = g_utf8_substring (line, 0, width - 2);
      else
        shown = g_strdup (line);
      g_string_append_printf (out, "\033[2K%s\n", shown);
    }
  cli->drawn_lines = n + 1;
  fputs (out->str, stderr);
  fflush (stderr);
}

static gboolean
redraw_cb (gpointer user_data)
{
  Cli *cli = user_data;

  redraw (cli);
  return G_SOURCE_CONTINUE;
}

static void
candidate_status_cb (CsCandidate *c,
                     GParamSpec  *pspec,
                     Cli         *cli)
{
  g_autofree char *line = NULL;

  if (cli->quiet || cli->live)
    return;
  if (cs_candidate_get_status (c) == CS_CANDIDATE_QUEUED)
    return;
  line = one_line (cli_candidate_line (c));
  fprintf (stderr, "%s\n", line);
}

static void
run_state_cb (CsRun      *run,
              GParamSpec *pspec,
              Cli        *cli)
{
  g_autofree char *line = NULL;

  if (cli->quiet || cli->live)
    return;

  switch (cs_run_get_state (run))
    {
    case CS_RUN_SYNTHESIZING:
      {
        guint n_ok = cs_run_count_status (run, CS_CANDIDATE_OK);

        fprintf (stderr, ngettext ("synthesis: started with %u valid candidate\n",
                                   "synthesis: started with %u valid candidates\n", n_ok), n_ok);
      }
      break;
    case CS_RUN_DONE:
      line = methods_string (run);
      fprintf (stderr, _("synthesis: %s\n"), line);
      if (cs_run_get_usage_estimated (run))
        {
          g_autofree char *cost = cli_format_cost (cs_run_get_total_cost_usd (run), cs_run_get_cost_known (run));
          g_autofree char *tokens = cs_format_count (cs_run_get_total_input_tokens (run) +
                                                     cs_run_get_total_output_tokens (run));

          /* Translators: the run's total cost ("$0.0123") and tokens ("1,234"), when
           * the budget stopped a request before its provider said what it used */
          fprintf (stderr, _("synthesis: total %s, %s tokens (usage estimated in part)\n"), cost, tokens);
        }
      if (cs_run_get_message (run) != NULL)
        print_note (run);
      break;
    case CS_RUN_FAILED:
    case CS_RUN_CANCELLED:
    case CS_RUN_DRAFT:
    case CS_RUN_RUNNING:
    default:
      break;
    }
}

static void
save_failed_cb (CsRunStore *store,
                CsRun      *run,
                const char *message,
                Cli        *cli)
{
  /* not fatal: the result is still written */
  if (!cli->quiet)
    cli_print_err (_("could not save the run: %s"), message);
}

/* A follow-up round's candidates replace the run's: follow them too. */
static void
items_changed_cb (GListModel *candidates,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Cli        *cli)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(CsCandidate) c = g_list_model_get_item (candidates, i);
      g_signal_connect (c, "notify::status", G_CALLBACK (candidate_status_cb), cli);
    }
}

void
cli_progress_start (Cli *cli)
{
  GListModel *candidates = G_LIST_MODEL (cli->run);

  cli->live = !cli->quiet && isatty (STDERR_FILENO) && g_strcmp0 (g_getenv ("TERM"), "dumb") != 0;
  /* the cursor cannot move above the screen: a display taller than the
   * terminal falls back to a line per event */
  if (cli->live)
    {
      int width, height;

      terminal_size (&width, &height);
      if (height > 0 && g_list_model_get_n_items (candidates) + 2 > (guint)height)
        cli->live = FALSE;
    }
  cli->start_us = g_get_monotonic_time ();

  g_signal_connect (cli->store, "save-failed", G_CALLBACK (save_failed_cb), cli);
  g_signal_connect (cli->run, "notify::state", G_CALLBACK (run_state_cb), cli);
  g_signal_connect (cli->run, "items-changed", G_CALLBACK (items_changed_cb), cli);
  for (guint i = 0; i < g_list_model_get_n_items (candidates); i++)
    {
      g_autoptr(CsCandidate) c = g_list_model_get_item (candidates, i);
      g_signal_connect (c, "notify::status", G_CALLBACK (candidate_status_cb), cli);
    }
  if (cli->live)
    {
      redraw (cli);
      cli->redraw_id = g_timeout_add (150, redraw_cb, cli);
    }
}

void
cli_progress_finish (Cli *cli)
{
  CsRun *run = cli->run;

  g_clear_handle_id (&cli->redraw_id, g_source_remove);
  if (cli->live)
    {
      redraw (cli);
      if (cs_run_get_state (run) == CS_RUN_DONE && cs_run_get_message (run) != NULL)
        print_note (run);
    }
}

void
cli_print_failures (CsRun *run)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (run));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CsCandidate) c = g_list_model_get_item (G_LIST_MODEL (run), i);
      g_autofree char *status = cli_candidate_line (c);
      g_autofree char *line = one_line (g_strdup_printf ("%s (%s)", status, cs_candidate_get_model (c)));

      fprintf (stderr, "  %s\n", line);
    }
}
