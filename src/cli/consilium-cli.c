/* consilium-cli.c: ask several models at once from the command line
 *
 * The interface is a contract that scripts and tests rely on (issue 2, §7):
 *
 *   consilium-cli [--mode=architect|support] [--config=FILE] [--model=PROVIDER/MODEL[:COUNT]]...
 *                 [--option=[MODEL@]KEY=VALUE]... [--estimate] [--budget=USD]
 *                 [--judge=PROVIDER/MODEL] [--fallback-judge=PROVIDER/MODEL] [--rank] [--seed=N]
 *                 [--constraint=KEY=VALUE]... [--quorum=K] [--deadline=SECONDS]
 *                 [--format=markdown|json] [--output=FILE] [--quiet] PROBLEM_FILE|-
 *   consilium-cli --list-models [--config=FILE]
 *   consilium-cli --store-key=PROVIDER            (key on standard input, into the keyring)
 *   consilium-cli --log[=RUN_ID]                  (the request log)
 *   consilium-cli --serve [--port=PORT] [--listen=ADDR] [--token-file=FILE] [--allow-origin=ORIGIN]
 *   consilium-cli --runs [--format=json]          (the saved runs: cli-history.c)
 *   consilium-cli --show=RUN_ID [--format=markdown|json] [--output=FILE]
 *   consilium-cli --follow-up=RUN_ID [--scope=judge|all] [--budget=USD] [--step=N:worked|failed|skipped]...
 *                 [--step-output=N:FILE]... [--format=…] [--output=FILE] [--quiet] [QUESTION_FILE|-]
 *                                                 (a follow-up round: cli-follow-up.c)
 *   consilium-cli --retry=RUN_ID:CANDIDATE_ID [--budget=USD] [--format=…] [--output=FILE] [--quiet]
 *                                                 (one candidate asked again: cli-retry.c)
 *
 * Exit status: 0 when a synthesized result was written, 1 when no candidate
 * succeeded (or the result could not be written), 2 for bad usage or
 * configuration (or an estimate above --budget, or a follow-up or retry of a
 * run that has spent its budget), 130 when interrupted (Ctrl+C; the run is saved as
 * cancelled).
 *
 * This file holds the options, main (), --store-key and --list-models; the
 * run path is in cli-run.c, its progress on standard error in
 * cli-progress.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "consilium-cli"

#include "config.h"

#include <glib/gi18n.h>

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli-private.h"
#include "cli-serve-private.h"
#include "cs-request-log.h"
#include "cs-terminal-text.h"

#define MAX_KEY_BYTES     (64 * 1024)

static CliOptions options;
static GPtrArray *model_args;    /* --model, in order */
static GPtrArray *option_args;   /* --option, resolved (see CliOptions) */

static gboolean
model_arg_cb (const char  *name,
              const char  *value,
              gpointer     data,
              GError     **error)
{
  g_ptr_array_add (model_args, g_strdup (value));
  return TRUE;
}

/* An --option without MODEL@ applies to the --model given just before it
 * (every model when none was) */
static gboolean
option_arg_cb (const char  *name,
               const char  *value,
               gpointer     data,
               GError     **error)
{
  g_autoptr(GError) local = NULL;
  g_autofree char *model = NULL;

  if (!cs_knobs_parse_option (value, &model, NULL, NULL, &local))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--option: %s", local->message);
      return FALSE;
    }
  if (model == NULL && model_args->len > 0)
    g_ptr_array_add (option_args, g_strdup_printf ("%s@%s", (char *) g_ptr_array_index (model_args, model_args->len - 1), value));
  else
    g_ptr_array_add (option_args, g_strdup (value));
  return TRUE;
}

static gboolean
log_option_cb (const char  *name,
               const char  *value,
               gpointer     data,
               GError     **error)
{
  options.log = TRUE;
  g_free (options.log_run);
  options.log_run = g_strdup (value);
  return TRUE;
}

static const GOptionEntry entries[] = {
  { "mode", 0, 0, G_OPTION_ARG_STRING, &options.mode,
    N_("architect (candidate architectures → a blueprint, the default) or support (diagnostic paths → a checklist)"), N_("MODE") },
  { "config", 0, 0, G_OPTION_ARG_FILENAME, &options.config,
    N_("The providers file (default: $XDG_CONFIG_HOME/consilium/providers.ini)"), N_("FILE") },
  { "model", 0, 0, G_OPTION_ARG_CALLBACK, model_arg_cb,
    N_("A model to ask, COUNT candidates of it (default 1); repeatable"), N_("PROVIDER/MODEL[:COUNT]") },
  { "option", 0, 0, G_OPTION_ARG_CALLBACK, option_arg_cb,
    N_("Set temperature, reasoning-effort, verbosity, max-output-tokens or n for this run: for the "
       "--model given just before it, for MODEL (all before the last @), or for every model; repeatable"),
    N_("[MODEL@]KEY=VALUE") },
  { "estimate", 0, 0, G_OPTION_ARG_NONE, &options.estimate,
    N_("Print what the run would cost (a range) and exit; nothing is sent"), NULL },
  { "budget", 0, 0, G_OPTION_ARG_DOUBLE, &options.budget,
    N_("A hard budget for the run, its follow-ups and retries included: do not start when the "
       "upper estimate passes USD (exit 2), stop what is still answering when the run's spending "
       "reaches it; with --follow-up or --retry, the run's new budget"), N_("USD") },
  { "judge", 0, 0, G_OPTION_ARG_STRING, &options.judge,
    N_("The model that critiques the candidates and writes the final result (default: none)"), N_("PROVIDER/MODEL") },
  { "fallback-judge", 0, 0, G_OPTION_ARG_STRING, &options.fallback_judge,
    N_("The judge asked when the first one fails, after its repair (default: none)"), N_("PROVIDER/MODEL") },
  { "rank", 0, 0, G_OPTION_ARG_NONE, &options.rank,
    N_("Peer ranking: each candidate's model ranks the others, anonymized; shown and given to the judge"), NULL },
  { "seed", 0, 0, G_OPTION_ARG_STRING, &options.seed,
    N_("The seed of the order the judge and the rankers see the candidates in (default: from the question)"), N_("N") },
  { "constraint", 0, 0, G_OPTION_ARG_STRING_ARRAY, &options.constraints,
    N_("A constraint put into every prompt (budget, technologies, scale, os…); repeatable"), N_("KEY=VALUE") },
  { "quorum", 0, 0, G_OPTION_ARG_INT, &options.quorum,
    N_("Synthesize once K candidates are valid (default 0: wait for all); the others are cancelled"), N_("K") },
  { "deadline", 0, 0, G_OPTION_ARG_INT, &options.deadline,
    N_("Synthesize after SECONDS with the valid candidates so far (default 0: no deadline)"), N_("SECONDS") },
  { "format", 0, 0, G_OPTION_ARG_STRING, &options.format,
    N_("markdown (the default) or json"), N_("FORMAT") },
  { "output", 'o', 0, G_OPTION_ARG_FILENAME, &options.output,
    N_("Write the result to FILE, atomically (default: standard output)"), N_("FILE") },
  { "quiet", 'q', 0, G_OPTION_ARG_NONE, &options.quiet,
    N_("No progress on standard error"), NULL },
  { "list-models", 0, 0, G_OPTION_ARG_NONE, &options.list_models,
    N_("List the configured models and exit"), NULL },
  { "store-key", 0, 0, G_OPTION_ARG_STRING, &options.store_key,
    N_("Read an API key from standard input and store it in the keyring for PROVIDER"), N_("PROVIDER") },
  { "serve", 0, 0, G_OPTION_ARG_NONE, &options.serve,
    N_("Serve the local HTTP API (see the README) until SIGTERM"), NULL },
  { "port", 0, 0, G_OPTION_ARG_INT, &options.port,
    N_("With --serve: the port (default 8731; 0 picks a free one)"), N_("PORT") },
  { "listen", 0, 0, G_OPTION_ARG_STRING, &options.listen,
    N_("With --serve: listen on ADDR instead of loopback (the token is still required)"), N_("ADDR") },
  { "token-file", 0, 0, G_OPTION_ARG_FILENAME, &options.token_file,
    N_("With --serve: the bearer token from FILE (default: a new one in $XDG_RUNTIME_DIR/consilium/api-token)"), N_("FILE") },
  { "allow-origin", 0, 0, G_OPTION_ARG_STRING, &options.allow_origin,
    N_("With --serve: allow browser requests (CORS) from ORIGIN"), N_("ORIGIN") },
  { "max-runs", 0, 0, G_OPTION_ARG_INT, &options.max_runs,
    N_("With --serve: runs at once (default 4)"), N_("N") },
  { "max-queued", 0, 0, G_OPTION_ARG_INT, &options.max_queued,
    N_("With --serve: runs waiting for a slot before 429 (default 16)"), N_("N") },
  { "log", 0, G_OPTION_FLAG_OPTIONAL_ARG, G_OPTION_ARG_CALLBACK, log_option_cb,
    N_("Print the request log: every HTTP attempt to a provider (of run RUN_ID only)"), N_("RUN_ID") },
  { "log-prompts", 0, 0, G_OPTION_ARG_NONE, &options.log_prompts,
    N_("Put each request's body (the prompt, the key scrubbed, cut at 16 KiB) in the request log; off by default"), NULL },
  { "version", 0, 0, G_OPTION_ARG_NONE, &options.version,
    N_("Print the version and exit"), NULL },
  { "runs", 0, 0, G_OPTION_ARG_NONE, &options.runs,
    N_("List the saved runs (id, date, mode, state, title, rounds), newest first; --format=json for JSON"), NULL },
  { "show", 0, 0, G_OPTION_ARG_STRING, &options.show,
    N_("Export the saved run RUN_ID (--format, --output)"), N_("RUN_ID") },
  { "follow-up", 0, 0, G_OPTION_ARG_STRING, &options.follow_up,
    N_("Add a round to the saved run RUN_ID: the question in QUESTION_FILE (or - for standard input), "
       "and/or step reports; writes the whole run"), N_("RUN_ID") },
  { "retry", 0, 0, G_OPTION_ARG_STRING, &options.retry,
    N_("Ask one candidate of the saved run RUN_ID that failed, was refused, invalid or truncated again "
       "(CANDIDATE_ID as --show prints it, e.g. c2), with the settings its request went with, then "
       "synthesize again; writes the whole run"), N_("RUN_ID:CANDIDATE_ID") },
  { "scope", 0, 0, G_OPTION_ARG_STRING, &options.scope,
    N_("Who answers a follow-up: judge (the run's judge revises the result, the default) or all "
       "(every model again, then votes, consensus and the judge)"), N_("SCOPE") },
  { "step", 0, 0, G_OPTION_ARG_STRING_ARRAY, &options.steps,
    N_("With --follow-up: what step N of the current checklist did; repeatable"), N_("N:worked|failed|skipped") },
  { "step-output", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &options.step_outputs,
    N_("With --follow-up: what step N printed, kept verbatim (at most 32 KiB); repeatable"), N_("N:FILE") },
  { NULL }
};

static const char *description =
  N_("Without --model, the first three models of the providers file are asked,\n"
  "taken in turn across providers (the first model of each provider, then the\n"
  "second, …), one candidate each.\n"
  "\n"
  "Progress goes to standard error: a line per event, or a live display when\n"
  "standard error is a terminal. Every run is saved under\n"
  "$XDG_DATA_HOME/consilium/runs/, like the app's. Ctrl+C cancels the run.\n"
  "\n"
  "--runs lists the saved runs, --show=RUN_ID exports one, and\n"
  "--follow-up=RUN_ID adds a round to one (a question, a change asked for, or\n"
  "what the steps of its checklist did) and writes the whole run. It asks\n"
  "every model with the settings the run used; --option sets the round's own.\n"
  "--retry=RUN_ID:c2 asks candidate c2 again (one that failed, was refused,\n"
  "invalid or truncated, as the app's Retry; not a cancelled one) with the\n"
  "settings its request went with, synthesizes again and writes the whole run\n"
  "(exit 1 if it fails again).\n"
  "The run's budget counts all its rounds and retries: once the run has spent\n"
  "it, --follow-up and --retry exit 2 unless --budget=USD gives it a new one.\n"
  "\n"
  "--option examples: --model=ollama/qwen3:8b --option=temperature=0.2\n"
  "  --option=openrouter/deepseek/deepseek-r1:free@max-output-tokens=4000\n"
  "  --option=verbosity=low (before any --model: every model). Verbosity goes\n"
  "to OpenAI's APIs only; temperature not to a model with\n"
  "supports-temperature=false; n above 1 only to Chat Completions.\n"
  "\n"
  "Exit status: 0 when a synthesized result was written (or --estimate\n"
  "printed), 1 when no candidate succeeded, 2 for bad usage or configuration,\n"
  "an estimate above --budget or a run that has spent its budget, 130 when\n"
  "interrupted.");

void
cli_print_err (const char *format,
               ...)
{
  g_autofree char *msg = NULL;
  g_autofree char *safe = NULL;
  va_list args;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  /* messages quote providers and files: no escape sequence gets through */
  safe = cs_text_for_terminal (msg, FALSE);
  fprintf (stderr, "consilium-cli: %s\n", safe);
}

/* Logs: on standard error, never among the Markdown written to standard
 * output, and what they quote from the network shown escaped. */
static GLogWriterOutput
log_writer (GLogLevelFlags   log_level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  g_autofree GLogField *copy = g_memdup2 (fields, n_fields * sizeof *fields);
  g_autofree char *safe = NULL;

  for (gsize i = 0; i < n_fields; i++)
    {
      g_autofree char *message = NULL;

      if (g_strcmp0 (copy[i].key, "MESSAGE") != 0 || copy[i].value == NULL)
        continue;
      message = copy[i].length < 0 ? g_strdup (copy[i].value)
                                   : g_strndup (copy[i].value, copy[i].length);
      g_free (safe);
      safe = cs_text_for_terminal (message, TRUE);
      copy[i].value = safe;
      copy[i].length = -1;
    }
  return g_log_writer_default (log_level, copy, n_fields, user_data);
}

/* Input and output */

char *
cli_read_all_stdin (gsize    limit,
                    gsize   *len_out,
                    GError **error)
{
  g_autoptr(GString) buf = g_string_new (NULL);
  char chunk[4096];
  size_t n;

  while ((n = fread (chunk, 1, sizeof chunk, stdin)) > 0)
    {
      g_string_append_len (buf, chunk, n);
      if (buf->len > limit)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                       _("standard input is larger than %zu bytes"), (size_t)limit);
          return NULL;
        }
    }
  if (ferror (stdin))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("could not read standard input: %s"), g_strerror (errno));
      return NULL;
    }
  *len_out = buf->len;
  return g_string_free (g_steal_pointer (&buf), FALSE);
}

/* The providers file */

/* Unknown keys and groups, which are ignored: most are typos. */
static CsConfig *
warn_about (CsConfig *config)
{
  const char * const *warnings = config != NULL ? cs_config_get_warnings (config) : NULL;

  for (guint i = 0; warnings != NULL && warnings[i] != NULL; i++)
    cli_print_err (_("warning: %s"), warnings[i]);
  return config;
}

static CsConfig *
load_config (gboolean   required,
             GError   **error)
{
  g_autofree char *path = NULL;

  if (options.config != NULL)
    return warn_about (cs_config_new_from_file (options.config, error));

  path = cs_config_get_default_path ();
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      if (!required)
        return NULL;
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("no providers file at %s: create one (see the README) or pass --config=FILE"), path);
      return NULL;
    }
  return warn_about (cs_config_new_from_file (path, error));
}

/* --store-key */

static char *
read_key (const char  *provider_id,
          GError     **error)
{
  g_autofree char *key = NULL;
  gsize len = 0;

  if (isatty (STDIN_FILENO))
    {
      struct termios old, noecho;
      gboolean restore = FALSE;
      g_autoptr(GString) line = g_string_new (NULL);
      int ch;

      fprintf (stderr, _("API key for %s: "), provider_id);
      fflush (stderr);
      if (tcgetattr (STDIN_FILENO, &old) == 0)
        {
          noecho = old;
          noecho.c_lflag &= ~(tcflag_t)ECHO;
          restore = tcsetattr (STDIN_FILENO, TCSAFLUSH, &noecho) == 0;
        }
      while ((ch = fgetc (stdin)) != EOF && ch != '\n')
        {
          if (line->len < MAX_KEY_BYTES)
            g_string_append_c (line, (char)ch);
        }
      if (restore)
        tcsetattr (STDIN_FILENO, TCSAFLUSH, &old);
      fprintf (stderr, "\n");
      len = line->len;
      key = g_string_free (g_steal_pointer (&line), FALSE);
    }
  else
    {
      key = cli_read_all_stdin (MAX_KEY_BYTES, &len, error);
      if (key == NULL)
        return NULL;
    }

  /* strip the trailing newline (and any CR or spaces around the key) */
  g_strstrip (key);
  if (key[0] == '\0' || strchr (key, '\n') != NULL || !g_utf8_validate (key, -1, NULL))
    {
      memset (key, 0, len);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           key[0] == '\0' ? _("no key on standard input")
                                          : _("the key must be one line of text"));
      return NULL;
    }
  return g_steal_pointer (&key);
}

typedef struct
{
  GMainLoop *loop;
  gboolean   ok;
  GError    *error;
} StoreKey;

static void
store_key_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  StoreKey *sk = user_data;

  sk->ok = cs_secrets_store_finish (result, &sk->error);
  g_main_loop_quit (sk->loop);
}

static char *
known_providers (CsConfig *config)
{
  GPtrArray *providers = cs_config_get_providers (config);
  g_autoptr(GString) str = g_string_new (NULL);

  for (guint i = 0; i < providers->len; i++)
    {
      const CsProviderConfig *p = g_ptr_array_index (providers, i);
      if (i > 0)
        g_string_append (str, ", ");
      g_string_append (str, p->id);
    }
  if (str->len == 0)
    g_string_append (str, _("none configured"));
  return g_string_free (g_steal_pointer (&str), FALSE);
}

static int
do_store_key (CsConfig *config)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *key = NULL;
  StoreKey sk = { 0 };

  if (config != NULL && cs_config_find_provider (config, options.store_key) == NULL)
    {
      g_autofree char *known = known_providers (config);
      cli_print_err (_("unknown provider %s (known: %s)"), options.store_key, known);
      return EXIT_USAGE;
    }

  key = read_key (options.store_key, &error);
  if (key == NULL)
    {
      cli_print_err ("%s", error->message);
      return EXIT_USAGE;
    }

  loop = g_main_loop_new (NULL, FALSE);
  sk.loop = loop;
  cs_secrets_store_async (options.store_key, key, NULL, store_key_cb, &sk);
  g_main_loop_run (loop);
  memset (key, 0, strlen (key));

  if (!sk.ok)
    {
      cli_print_err (_("could not store the key for %s: %s"), options.store_key,
                     sk.error ? sk.error->message : _("unknown error"));
      g_clear_error (&sk.error);
      return EXIT_NO_RESULT;
    }
  if (!options.quiet)
    fprintf (stderr, _("Stored the API key for %s in the keyring.\n"), options.store_key);
  return EXIT_OK;
}

/* --store-key=PROVIDER, which takes no other argument */
static int
store_key_command (int argc)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsConfig) maybe = NULL;

  if (argc > 1 || options.list_models)
    {
      cli_print_err (_("--store-key takes no other argument"));
      return EXIT_USAGE;
    }
  if (options.store_key[0] == '\0' || strchr (options.store_key, '/') != NULL)
    {
      cli_print_err (_("--store-key needs a provider id, e.g. --store-key=kimi"));
      return EXIT_USAGE;
    }
  maybe = load_config (options.config != NULL, &error);
  if (maybe == NULL && error != NULL)
    {
      cli_print_err ("%s", error->message);
      return EXIT_USAGE;
    }
  return do_store_key (maybe);
}

/* --list-models */

static int
do_list_models (CsConfig *config)
{
  g_autoptr(GPtrArray) models = cs_config_list_models (config);

  for (guint i = 0; i < models->len; i++)
    {
      const CsModelConfig *m = g_ptr_array_index (models, i);

      if (cs_model_config_has_price (m))
        printf (_("%s\tmax-n=%u\t%s\t$%.2f/$%.2f per million tokens in/out\n"),
                m->id, MAX (m->max_n, 1),
                cs_structured_output_to_string (m->structured),
                m->price_input, m->price_output);
      else
        printf (_("%s\tmax-n=%u\t%s\tprice unknown\n"),
                m->id, MAX (m->max_n, 1),
                cs_structured_output_to_string (m->structured));
    }
  if (fflush (stdout) != 0)
    return EXIT_NO_RESULT;
  return EXIT_OK;
}

/* The command line */

static gboolean
parse_options (int      *argc,
               char   ***argv,
               GError  **error)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("PROBLEM_FILE|-");

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("Ask several language models at once and synthesize their answers.\n"
                                  "PROBLEM_FILE holds the problem in plain text; - reads it from standard input."));
  g_option_context_set_description (context, _(description));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  model_args = g_ptr_array_new_with_free_func (g_free);
  option_args = g_ptr_array_new_with_free_func (g_free);
  if (!g_option_context_parse (context, argc, argv, error))
    return FALSE;
  if (model_args->len > 0)
    {
      g_ptr_array_add (model_args, NULL);
      options.models = (char **) g_ptr_array_free (g_steal_pointer (&model_args), FALSE);
    }
  g_ptr_array_add (option_args, NULL);
  options.knob_options = (char **) g_ptr_array_free (g_steal_pointer (&option_args), FALSE);
  return TRUE;
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsConfig) config = NULL;

  setlocale (LC_ALL, "");
  setlocale (LC_NUMERIC, "C");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  options.budget = NAN;
  g_log_writer_default_set_use_stderr (TRUE);
  g_log_set_writer_func (log_writer, NULL, NULL);

  options.port = -1;
  options.max_queued = -1;
  if (!parse_options (&argc, &argv, &error))
    {
      cli_print_err (_("%s (see --help)"), error->message);
      return EXIT_USAGE;
    }

  cs_request_log_set_log_prompts (options.log_prompts);
  if (options.version)
    {
      printf ("consilium-cli %s\n", PACKAGE_VERSION);
      return EXIT_OK;
    }

  if (options.store_key != NULL)
    return store_key_command (argc);

  if (options.log)
    {
      if (argc > 1)
        {
          cli_print_err (_("--log takes no problem file (--log=RUN_ID for one run)"));
          return EXIT_USAGE;
        }
      return cli_print_log (options.log_run);
    }
  if ((options.runs ? 1 : 0) + (options.show != NULL ? 1 : 0) + (options.follow_up != NULL ? 1 : 0) +
      (options.retry != NULL ? 1 : 0) + (options.list_models ? 1 : 0) + (options.serve ? 1 : 0) > 1)
    {
      cli_print_err (_("--runs, --show, --follow-up, --retry, --list-models and --serve go alone"));
      return EXIT_USAGE;
    }
  if ((options.scope != NULL || options.steps != NULL || options.step_outputs != NULL) &&
      options.follow_up == NULL)
    {
      cli_print_err ("--scope, --step and --step-output go with --follow-up=RUN_ID");
      return EXIT_USAGE;
    }
  if (options.runs)
    return cli_list_runs (&options, argc);
  if (options.show != NULL)
    return cli_show_run (&options, argc);

  config = load_config (TRUE, &error);
  if (config == NULL)
    {
      cli_print_err ("%s", error->message);
      return EXIT_USAGE;
    }

  if (options.list_models)
    {
      if (argc > 1)
        {
          cli_print_err (_("--list-models takes no problem file"));
          return EXIT_USAGE;
        }
      return do_list_models (config);
    }

  if (options.serve)
    {
      if (argc > 1)
        {
          cli_print_err (_("--serve takes no problem file"));
          return EXIT_USAGE;
        }
      return cli_serve (&options, config);
    }

  if (options.follow_up != NULL)
    return cli_follow_up (&options, config, argc, argv);
  if (options.retry != NULL)
    return cli_retry (&options, config, argc);
  return cli_run (&options, config, argc, argv);
}
