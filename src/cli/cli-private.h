/* cli-private.h: what the consilium-cli source files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cs-engine.h"

G_BEGIN_DECLS

#define EXIT_OK         0
#define EXIT_NO_RESULT  1
#define EXIT_USAGE      2
#define EXIT_CANCELLED  130

/* The command line, as GOption parsed it. */
typedef struct
{
  char      *mode;
  char      *config;
  char     **models;
  char      *judge;
  char      *fallback_judge;  /* --fallback-judge */
  gboolean   rank;            /* --rank: the peer ranking stage */
  char      *seed;            /* --seed: the judge's candidate order */
  char     **constraints;
  int        quorum;
  int        deadline;
  char      *format;
  char      *output;
  gboolean   quiet;
  gboolean   list_models;
  char      *store_key;
  gboolean   version;
  /* --serve (cli-serve*.c) */
  gboolean   serve;
  int        port;            /* -1: the default port */
  char      *listen;
  char      *token_file;
  char      *allow_origin;
  int        max_runs;        /* 0: the default */
  int        max_queued;      /* -1: the default */
  /* --log[=RUN_ID] (cli-log.c) */
  gboolean   log;
  char      *log_run;
  gboolean   log_prompts;     /* --log-prompts: request bodies in the log */
  gboolean   runs;          /* --runs */
  char      *show;          /* --show=RUN_ID */
  char      *follow_up;     /* --follow-up=RUN_ID */
  char      *retry;         /* --retry=RUN_ID:CANDIDATE_ID */
  char      *scope;         /* --scope=judge|all */
  char     **steps;         /* --step=N:OUTCOME */
  char     **step_outputs;  /* --step-output=N:FILE */
  /* --option, in order: "MODEL@KEY=VALUE" (the model named, or the
   * --model given before it) or "KEY=VALUE" (every model) */
  char     **knob_options;
  gboolean   estimate;
  double     budget;              /* --budget, NAN when not given */
} CliOptions;

/* A run in progress: what the progress display and Ctrl+C need. */
typedef struct
{
  CsRun        *run;
  CsRunStore   *store;
  GMainLoop    *loop;
  GCancellable *cancellable;
  gboolean      quiet;
  gboolean      live;           /* stderr is a terminal: redraw in place */
  guint         drawn_lines;
  guint         redraw_id;
  gint64        start_us;
  gboolean      finished;
  gboolean      ok;
  GError       *error;
  guint         n_interrupts;
} Cli;

/* consilium-cli.c: the options, --store-key, --list-models */
/* "consilium-cli: MESSAGE" on standard error */
void   cli_print_err          (const char  *format,
                               ...) G_GNUC_PRINTF (1, 2);
/* All of standard input, at most @limit bytes. */
char  *cli_read_all_stdin     (gsize        limit,
                               gsize       *len_out,
                               GError     **error);

/* cli-run.c: asking the models and writing the result */
/* @argv[1] is the problem file; returns the exit status. */
int    cli_run                (const CliOptions *options,
                               CsConfig         *config,
                               int               argc,
                               char            **argv);

/* cli-log.c: --log[=RUN_ID], the request log; returns the exit status */
int    cli_print_log          (const char  *run_id);
/* UTF-8 text without NUL bytes from @path ("-": standard input), at most
 * @limit bytes. */
char  *cli_read_text          (const char       *path,
                               gsize             limit,
                               GError          **error);
/* --output: a new file or a writable regular one, not @input (the file read,
 * or NULL); prints why and returns FALSE otherwise. */
gboolean cli_check_output_path (const char      *output,
                                const char      *input);

/* cli-execute.c: a command's run until it ends */
/* @cli over @run, saved to @store, with a new loop and cancellable;
 * cli_clear() frees them and the error. */
void   cli_init               (Cli              *cli,
                               CsRun            *run,
                               CsRunStore       *store,
                               gboolean          quiet);
void   cli_clear              (Cli              *cli);
/* Starts what cli_execute_with() waits for; its callback calls cli_done(). */
typedef void (*CliStartFunc)  (Cli              *cli,
                               gpointer          data);
/* What @start started has ended, @ok or with cli->error set. */
void   cli_done               (Cli              *cli,
                               gboolean          ok);
/* Calls @start with its progress on standard error and iterates until
 * cli_done() (the first Ctrl+C or SIGTERM cancels cli->cancellable, the
 * second exits); the run file is complete when this returns. */
void   cli_execute_with       (Cli              *cli,
                               CliStartFunc      start,
                               gpointer          data);
/* cli_execute_with() of @runner's execution. */
void   cli_execute            (Cli              *cli,
                               CsRunner         *runner);

/* The run as Markdown or JSON, to @path or standard output; the exit status. */
int    cli_write_result       (CsRun            *run,
                               CsConfig         *config,
                               const char       *path,
                               const char       *input,
                               gboolean          json);
/* How @cli's run ended, where every command says it alike: its result
 * written (the exit status of that), or the input or configuration refused
 * (the message, EXIT_USAGE); -1 for the other ends, which the caller says. */
int    cli_finish_alike       (Cli              *cli,
                               const CliOptions *options,
                               CsConfig         *config,
                               const char       *input,
                               gboolean          json);

/* cli-history.c: --runs and --show */
int    cli_list_runs          (const CliOptions *options,
                               int               argc);
int    cli_show_run           (const CliOptions *options,
                               int               argc);
/* The saved runs, loaded; NULL after printing why. */
CsRunStore *cli_load_store    (void);
/* markdown (or unset) → FALSE, json → TRUE; FALSE after printing why for
 * anything else. */
gboolean cli_parse_format     (const char       *format,
                               gboolean         *json);

/* cli-follow-up.c: --follow-up */
int    cli_follow_up          (const CliOptions *options,
                               CsConfig         *config,
                               int               argc,
                               char            **argv);

/* cli-round-knobs.c: a follow-up round's own settings */
/* @options ("[MODEL@]KEY=VALUE" each, may be NULL) as @runner's round
 * knobs on top of those @run used; FALSE with why (the option named) and
 * nothing set. */
gboolean cli_round_knobs_set  (CsRun               *run,
                               CsRunner            *runner,
                               CsRoundScope         scope,
                               const char * const  *options,
                               GError             **error);

/* cli-retry.c: --retry=RUN_ID:CANDIDATE_ID */
int    cli_retry              (const CliOptions *options,
                               CsConfig         *config,
                               int               argc);
/* "RUN_ID:CANDIDATE_ID" split at its last colon; FALSE when either is empty. */
gboolean cli_retry_split      (const char       *value,
                               char            **run_id,
                               char            **candidate_id);
/* Whether @candidate_id of @run may be retried now: the run has ended
 * (G_IO_ERROR_BUSY otherwise), the candidate is one of its current round
 * (G_IO_ERROR_NOT_FOUND), did not succeed (G_IO_ERROR_INVALID_ARGUMENT)
 * its model is configured (CS_RUNNER_ERROR_CONFIG) and the run has not
 * spent its budget (CS_RUNNER_ERROR_BUDGET). */
gboolean cli_retry_check      (CsConfig         *config,
                               CsRun            *run,
                               const char       *candidate_id,
                               GError          **error);

/* cli-cost.c: --option, --estimate and --budget */
/* Sets the run's knobs from --option; prints why and returns FALSE on a
 * bad option. @models: the specs the run asks. */
gboolean cli_apply_knobs      (const CliOptions *options,
                               CsConfig         *config,
                               CsRun            *run,
                               char            **models);
/* After planning: prints the estimate (--estimate: to standard output,
 * then *exit_status 0) or refuses a run whose upper estimate passes
 * --budget (the figures on standard error, *exit_status 2); TRUE when the
 * run may go on. */
gboolean cli_check_cost       (const CliOptions *options,
                               CsRunner         *runner,
                               CsRunStore       *history,
                               int              *exit_status);

/* cli-words.c: the human output's words, translated (the machine output
 * keeps cs_candidate_status_to_string () and cs_run_state_to_string ()) */
/* "$0.0123", or "price unknown" (a lower bound "≥ $0.0123" when part of
 * it is known) */
char    *cli_format_cost      (double            usd,
                               gboolean          known);
/* A candidate's progress line: "c2 failed: HTTP 500 …", "c1 ok 1,234 tokens
 * $0.0123 4.2 s", "c3 demo/alpha streaming" (network text not escaped) */
char    *cli_candidate_line   (CsCandidate      *c);

/* cli-progress.c: the progress on standard error */
/* Decides between a live display and a line per event, and connects to
 * the run, its candidates and the store. */
void   cli_progress_start     (Cli         *cli);
/* Draws the live display a last time once the run has finished. */
void   cli_progress_finish    (Cli         *cli);
/* What each candidate ended as, after "no candidate succeeded". */
void   cli_print_failures     (CsRun       *run);

G_END_DECLS
