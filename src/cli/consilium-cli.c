/* consilium-cli.c: ask several models at once from the command line
 *
 * The interface is a contract that scripts and tests rely on (issue 2, §7):
 *
 *   consilium-cli [--mode=architect|support] [--config=FILE] [--model=PROVIDER/MODEL[:COUNT]]...
 *                 [--judge=PROVIDER/MODEL] [--constraint=KEY=VALUE]... [--quorum=K] [--deadline=SECONDS]
 *                 [--format=markdown|json] [--output=FILE] [--quiet] PROBLEM_FILE|-
 *   consilium-cli --list-models [--config=FILE]
 *   consilium-cli --store-key=PROVIDER            (key on standard input, into the keyring)
 *
 * Exit status: 0 when a synthesized result was written, 1 when no candidate
 * succeeded (or the result could not be written), 2 for bad usage or
 * configuration, 130 when interrupted (Ctrl+C; the run is saved as
 * cancelled).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "consilium-cli"

#include "config.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <glib-unix.h>

#include "cs-engine.h"

#define EXIT_OK         0
#define EXIT_NO_RESULT  1
#define EXIT_USAGE      2
#define EXIT_CANCELLED  130

#define DEFAULT_MODELS  3
#define MAX_PROBLEM_BYTES (1024 * 1024)
#define MAX_KEY_BYTES     (64 * 1024)

static char *opt_mode;
static char *opt_config;
static char **opt_models;
static char *opt_judge;
static char **opt_constraints;
static int opt_quorum;
static int opt_deadline;
static char *opt_format;
static char *opt_output;
static gboolean opt_quiet;
static gboolean opt_list_models;
static char *opt_store_key;
static gboolean opt_version;

static const GOptionEntry entries[] = {
  { "mode", 0, 0, G_OPTION_ARG_STRING, &opt_mode,
    "architect (candidate architectures → a blueprint, the default) or support (diagnostic paths → a checklist)", "MODE" },
  { "config", 0, 0, G_OPTION_ARG_FILENAME, &opt_config,
    "The providers file (default: $XDG_CONFIG_HOME/consilium/providers.ini)", "FILE" },
  { "model", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_models,
    "A model to ask, COUNT candidates of it (default 1); repeatable", "PROVIDER/MODEL[:COUNT]" },
  { "judge", 0, 0, G_OPTION_ARG_STRING, &opt_judge,
    "The model that critiques the candidates and writes the final result (default: none)", "PROVIDER/MODEL" },
  { "constraint", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_constraints,
    "A constraint put into every prompt (budget, technologies, scale, os…); repeatable", "KEY=VALUE" },
  { "quorum", 0, 0, G_OPTION_ARG_INT, &opt_quorum,
    "Synthesize once K candidates are valid (default 0: wait for all); the others are cancelled", "K" },
  { "deadline", 0, 0, G_OPTION_ARG_INT, &opt_deadline,
    "Synthesize after SECONDS with the valid candidates so far (default 0: no deadline)", "SECONDS" },
  { "format", 0, 0, G_OPTION_ARG_STRING, &opt_format,
    "markdown (the default) or json", "FORMAT" },
  { "output", 'o', 0, G_OPTION_ARG_FILENAME, &opt_output,
    "Write the result to FILE, atomically (default: standard output)", "FILE" },
  { "quiet", 'q', 0, G_OPTION_ARG_NONE, &opt_quiet,
    "No progress on standard error", NULL },
  { "list-models", 0, 0, G_OPTION_ARG_NONE, &opt_list_models,
    "List the configured models and exit", NULL },
  { "store-key", 0, 0, G_OPTION_ARG_STRING, &opt_store_key,
    "Read an API key from standard input and store it in the keyring for PROVIDER", "PROVIDER" },
  { "version", 0, 0, G_OPTION_ARG_NONE, &opt_version,
    "Print the version and exit", NULL },
  { NULL }
};

static const char description[] =
  "Without --model, the first three models of the providers file are asked,\n"
  "taken in turn across providers (the first model of each provider, then the\n"
  "second, …), one candidate each.\n"
  "\n"
  "Progress goes to standard error: a line per event, or a live display when\n"
  "standard error is a terminal. Every run is saved under\n"
  "$XDG_DATA_HOME/consilium/runs/, like the app's. Ctrl+C cancels the run.\n"
  "\n"
  "Exit status: 0 when a synthesized result was written, 1 when no candidate\n"
  "succeeded, 2 for bad usage or configuration, 130 when interrupted.";

/* Progress */

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

static void
print_err (const char *format,
           ...) G_GNUC_PRINTF (1, 2);

static void
print_err (const char *format,
           ...)
{
  g_autofree char *msg = NULL;
  va_list args;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (stderr, "consilium-cli: %s\n", msg);
}

static char *
format_candidate_line (CsCandidate *c)
{
  CsCandidateStatus status = cs_candidate_get_status (c);
  const char *id = cs_candidate_get_id (c);
  const char *status_str = cs_candidate_status_to_string (status);

  switch (status)
    {
    case CS_CANDIDATE_QUEUED:
    case CS_CANDIDATE_THINKING:
    case CS_CANDIDATE_STREAMING:
      return g_strdup_printf ("%s %s %s", id, cs_candidate_get_model (c), status_str);

    case CS_CANDIDATE_OK:
      {
        gint64 tokens = cs_candidate_get_output_tokens (c);
        gint64 ms = cs_candidate_get_duration_ms (c);
        g_autofree char *tok = tokens >= 0 ? g_strdup_printf ("%" G_GINT64_FORMAT " tokens", tokens)
                                           : g_strdup ("? tokens");
        return g_strdup_printf ("%s ok %s $%.4f %.1f s", id, tok,
                                cs_candidate_get_cost_usd (c), ms >= 0 ? ms / 1000.0 : 0.0);
      }

    case CS_CANDIDATE_FAILED:
    case CS_CANDIDATE_REFUSED:
    case CS_CANDIDATE_INVALID:
    case CS_CANDIDATE_TRUNCATED:
    case CS_CANDIDATE_CANCELLED:
    default:
      {
        const char *error = cs_candidate_get_error (c);
        if (error == NULL && status == CS_CANDIDATE_INVALID)
          error = cs_candidate_get_validation_error (c);
        if (error != NULL)
          return g_strdup_printf ("%s %s: %s", id, status_str, error);
        return g_strdup_printf ("%s %s", id, status_str);
      }
    }
}

static char *
methods_string (CsRun *run)
{
  JsonNode *synthesis = cs_run_get_synthesis (run);
  g_autoptr(GString) str = g_string_new (NULL);
  JsonNode *methods;

  if (synthesis == NULL || !JSON_NODE_HOLDS_OBJECT (synthesis))
    return g_strdup ("none");
  methods = json_object_get_member (json_node_get_object (synthesis), "methods");
  if (methods != NULL && JSON_NODE_HOLDS_ARRAY (methods))
    {
      JsonArray *arr = json_node_get_array (methods);
      for (guint i = 0; i < json_array_get_length (arr); i++)
        {
          JsonNode *e = json_array_get_element (arr, i);
          if (JSON_NODE_HOLDS_VALUE (e) && json_node_get_value_type (e) == G_TYPE_STRING)
            {
              if (str->len > 0)
                g_string_append_c (str, '+');
              g_string_append (str, json_node_get_string (e));
            }
        }
    }
  if (str->len == 0)
    g_string_append (str, "none");
  return g_string_free (g_steal_pointer (&str), FALSE);
}

static char *
format_run_line (Cli *cli)
{
  CsRun *run = cli->run;
  double elapsed = (g_get_monotonic_time () - cli->start_us) / (double)G_USEC_PER_SEC;

  switch (cs_run_get_state (run))
    {
    case CS_RUN_SYNTHESIZING:
      return g_strdup_printf ("synthesis: running (%u valid) %.1f s",
                              cs_run_count_status (run, CS_CANDIDATE_OK), elapsed);
    case CS_RUN_DONE:
      {
        g_autofree char *methods = methods_string (run);
        return g_strdup_printf ("synthesis: %s, total $%.4f, %.1f s",
                                methods, cs_run_get_total_cost_usd (run), elapsed);
      }
    case CS_RUN_FAILED:
      return g_strdup_printf ("run failed: %s", cs_run_get_message (run) ? cs_run_get_message (run) : "no candidate succeeded");
    case CS_RUN_CANCELLED:
      return g_strdup ("run cancelled");
    case CS_RUN_DRAFT:
    case CS_RUN_RUNNING:
    default:
      return g_strdup_printf ("running %u candidates %.1f s",
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
            line = g_strdup_printf ("%s %s %s %zu chars", cs_candidate_get_id (c),
                                    cs_candidate_get_model (c),
                                    cs_candidate_status_to_string (status),
                                    (size_t)g_utf8_strlen (cs_candidate_get_text (c), -1) +
                                    (size_t)g_utf8_strlen (cs_candidate_get_reasoning (c), -1));
          else
            line = format_candidate_line (c);
        }
      else
        line = format_run_line (cli);

      /* one terminal line each, or the cursor arithmetic breaks */
      g_strdelimit (line, "\r\n\t", ' ');
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
  line = format_candidate_line (c);
  g_strdelimit (line, "\r\n", ' ');
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

        fprintf (stderr, "synthesis: started with %u valid %s\n",
                 n_ok, n_ok == 1 ? "candidate" : "candidates");
      }
      break;
    case CS_RUN_DONE:
      line = methods_string (run);
      fprintf (stderr, "synthesis: %s\n", line);
      if (cs_run_get_message (run) != NULL)
        fprintf (stderr, "synthesis: note: %s\n", cs_run_get_message (run));
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
    print_err ("could not save the run: %s", message);
}

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
    fprintf (stderr, "cancelling (Ctrl+C again to quit at once)\n");
  g_cancellable_cancel (cli->cancellable);
  return G_SOURCE_CONTINUE;
}

static void
execute_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Cli *cli = user_data;

  cli->ok = cs_runner_execute_finish (CS_RUNNER (object), result, &cli->error);
  cli->finished = TRUE;
  g_main_loop_quit (cli->loop);
}

/* Input and output */

static char *
read_all_stdin (gsize    limit,
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
                       "standard input is larger than %zu bytes", (size_t)limit);
          return NULL;
        }
    }
  if (ferror (stdin))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "could not read standard input: %s", g_strerror (errno));
      return NULL;
    }
  *len_out = buf->len;
  return g_string_free (g_steal_pointer (&buf), FALSE);
}

static char *
read_problem (const char  *path,
              GError     **error)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  if (g_strcmp0 (path, "-") == 0)
    contents = read_all_stdin (MAX_PROBLEM_BYTES, &len, error);
  else if (g_file_get_contents (path, &contents, &len, error) && len > MAX_PROBLEM_BYTES)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                   "%s is larger than %d bytes", path, MAX_PROBLEM_BYTES);
      return NULL;
    }
  if (contents == NULL)
    return NULL;

  if (!g_utf8_validate (contents, len, NULL) || memchr (contents, '\0', len) != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s is not UTF-8 text", g_strcmp0 (path, "-") == 0 ? "standard input" : path);
      return NULL;
    }
  return g_steal_pointer (&contents);
}

static gboolean
write_output (const char  *path,
              const char  *text,
              GError     **error)
{
  gsize len = strlen (text);

  if (path == NULL || g_strcmp0 (path, "-") == 0)
    {
      if (fwrite (text, 1, len, stdout) != len || fflush (stdout) != 0)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                       "could not write to standard output: %s", g_strerror (errno));
          return FALSE;
        }
      return TRUE;
    }
  /* temporary file + rename */
  return g_file_set_contents (path, text, len, error);
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

      fprintf (stderr, "API key for %s: ", provider_id);
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
      key = read_all_stdin (MAX_KEY_BYTES, &len, error);
      if (key == NULL)
        return NULL;
    }

  /* strip the trailing newline (and any CR or spaces around the key) */
  g_strstrip (key);
  if (key[0] == '\0' || strchr (key, '\n') != NULL || !g_utf8_validate (key, -1, NULL))
    {
      memset (key, 0, len);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           key[0] == '\0' ? "no key on standard input"
                                          : "the key must be one line of text");
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
    g_string_append (str, "none configured");
  return g_string_free (g_steal_pointer (&str), FALSE);
}

static int
do_store_key (CsConfig *config)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *key = NULL;
  StoreKey sk = { 0 };

  if (config != NULL && cs_config_find_provider (config, opt_store_key) == NULL)
    {
      g_autofree char *known = known_providers (config);
      print_err ("unknown provider %s (known: %s)", opt_store_key, known);
      return EXIT_USAGE;
    }

  key = read_key (opt_store_key, &error);
  if (key == NULL)
    {
      print_err ("%s", error->message);
      return EXIT_USAGE;
    }

  loop = g_main_loop_new (NULL, FALSE);
  sk.loop = loop;
  cs_secrets_store_async (opt_store_key, key, NULL, store_key_cb, &sk);
  g_main_loop_run (loop);
  memset (key, 0, strlen (key));

  if (!sk.ok)
    {
      print_err ("could not store the key for %s: %s", opt_store_key,
                 sk.error ? sk.error->message : "unknown error");
      g_clear_error (&sk.error);
      return EXIT_NO_RESULT;
    }
  if (!opt_quiet)
    fprintf (stderr, "Stored the API key for %s in the keyring.\n", opt_store_key);
  return EXIT_OK;
}

/* --list-models */

static int
do_list_models (CsConfig *config)
{
  g_autoptr(GPtrArray) models = cs_config_list_models (config);

  for (guint i = 0; i < models->len; i++)
    {
      const CsModelConfig *m = g_ptr_array_index (models, i);

      printf ("%s\tmax-n=%u\t%s\t$%.2f/$%.2f per million tokens in/out\n",
              m->id, MAX (m->max_n, 1),
              cs_structured_output_to_string (m->structured),
              m->price_input, m->price_output);
    }
  if (fflush (stdout) != 0)
    return EXIT_NO_RESULT;
  return EXIT_OK;
}

/* The first DEFAULT_MODELS models, in turn across providers. */
static GStrv
default_models (CsConfig *config)
{
  GPtrArray *providers = cs_config_get_providers (config);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  guint chosen = 0;

  for (guint round = 0; chosen < DEFAULT_MODELS; round++)
    {
      gboolean any = FALSE;

      for (guint i = 0; i < providers->len && chosen < DEFAULT_MODELS; i++)
        {
          const CsProviderConfig *p = g_ptr_array_index (providers, i);

          if (p->models == NULL || g_strv_length (p->models) <= round)
            continue;
          any = TRUE;
          {
            g_autofree char *id = g_strdup_printf ("%s/%s", p->id, p->models[round]);
            g_strv_builder_add (builder, id);
          }
          chosen++;
        }
      if (!any)
        break;
    }
  return g_strv_builder_end (builder);
}

static CsConfig *
load_config (gboolean   required,
             GError   **error)
{
  g_autofree char *path = NULL;

  if (opt_config != NULL)
    return cs_config_new_from_file (opt_config, error);

  path = cs_config_get_default_path ();
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      if (!required)
        return NULL;
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "no providers file at %s: create one (see the README) or pass --config=FILE", path);
      return NULL;
    }
  return cs_config_new_from_file (path, error);
}

static void
print_failures (CsRun *run)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (run));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CsCandidate) c = g_list_model_get_item (G_LIST_MODEL (run), i);
      g_autofree char *line = format_candidate_line (c);

      fprintf (stderr, "  %s (%s)\n", line, cs_candidate_get_model (c));
    }
}

int
main (int argc, char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CsConfig) config = NULL;
  g_autoptr(CsRun) run = NULL;
  g_autoptr(CsRunner) runner = NULL;
  g_autoptr(CsRunStore) store = NULL;
  g_autoptr(GCancellable) cancellable = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *problem = NULL;
  g_autofree char *output = NULL;
  g_auto(GStrv) models = NULL;
  CsMode mode = CS_MODE_ARCHITECT;
  gboolean json = FALSE;
  guint sigint_id, sigterm_id;
  Cli cli = { 0 };
  int status;

  setlocale (LC_ALL, "");
  setlocale (LC_NUMERIC, "C");

  context = g_option_context_new ("PROBLEM_FILE|-");
  g_option_context_set_summary (context,
                                "Ask several language models at once and synthesize their answers.\n"
                                "PROBLEM_FILE holds the problem in plain text; - reads it from standard input.");
  g_option_context_set_description (context, description);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      print_err ("%s (see --help)", error->message);
      return EXIT_USAGE;
    }

  if (opt_version)
    {
      printf ("consilium-cli %s\n", PACKAGE_VERSION);
      return EXIT_OK;
    }

  if (opt_store_key != NULL)
    {
      g_autoptr(CsConfig) maybe = NULL;

      if (argc > 1 || opt_list_models)
        {
          print_err ("--store-key takes no other argument");
          return EXIT_USAGE;
        }
      if (opt_store_key[0] == '\0' || strchr (opt_store_key, '/') != NULL)
        {
          print_err ("--store-key needs a provider id, e.g. --store-key=kimi");
          return EXIT_USAGE;
        }
      maybe = load_config (opt_config != NULL, &error);
      if (maybe == NULL && error != NULL)
        {
          print_err ("%s", error->message);
          return EXIT_USAGE;
        }
      return do_store_key (maybe);
    }

  config = load_config (TRUE, &error);
  if (config == NULL)
    {
      print_err ("%s", error->message);
      return EXIT_USAGE;
    }

  if (opt_list_models)
    {
      if (argc > 1)
        {
          print_err ("--list-models takes no problem file");
          return EXIT_USAGE;
        }
      return do_list_models (config);
    }

  /* usage checks, before anything costs money */
  if (opt_mode != NULL && !cs_mode_from_string (opt_mode, &mode))
    {
      print_err ("unknown mode %s (use architect or support)", opt_mode);
      return EXIT_USAGE;
    }
  if (opt_format == NULL || g_str_equal (opt_format, "markdown") || g_str_equal (opt_format, "md"))
    json = FALSE;
  else if (g_str_equal (opt_format, "json"))
    json = TRUE;
  else
    {
      print_err ("unknown format %s (use markdown or json)", opt_format);
      return EXIT_USAGE;
    }
  if (opt_quorum < 0)
    {
      print_err ("--quorum must be 0 or more");
      return EXIT_USAGE;
    }
  if (opt_deadline < 0)
    {
      print_err ("--deadline must be 0 or more seconds");
      return EXIT_USAGE;
    }
  if (argc != 2)
    {
      print_err (argc < 2 ? "no problem file given (a path, or - for standard input; see --help)"
                          : "only one problem file can be given");
      return EXIT_USAGE;
    }
  if (opt_judge != NULL && cs_config_find_model (config, opt_judge) == NULL)
    {
      g_autoptr(GPtrArray) all = cs_config_list_models (config);
      g_autoptr(GString) known = g_string_new (NULL);

      for (guint i = 0; i < all->len; i++)
        g_string_append_printf (known, "%s%s", i ? ", " : "", ((const CsModelConfig *)g_ptr_array_index (all, i))->id);
      print_err ("unknown judge model %s (known: %s)", opt_judge, known->len ? known->str : "none configured");
      return EXIT_USAGE;
    }

  if (opt_output != NULL && g_strcmp0 (opt_output, "-") != 0)
    {
      /* fail before the run costs anything */
      g_autofree char *dir = g_path_get_dirname (opt_output);

      if (g_file_test (opt_output, G_FILE_TEST_IS_DIR))
        {
          print_err ("--output %s is a directory", opt_output);
          return EXIT_USAGE;
        }
      if (!g_file_test (dir, G_FILE_TEST_IS_DIR) || access (dir, W_OK) != 0)
        {
          print_err ("cannot write --output %s: %s is not a writable directory", opt_output, dir);
          return EXIT_USAGE;
        }
    }

  problem = read_problem (argv[1], &error);
  if (problem == NULL)
    {
      print_err ("%s", error->message);
      return EXIT_USAGE;
    }
  {
    g_autofree char *stripped = g_strstrip (g_strdup (problem));
    if (stripped[0] == '\0')
      {
        print_err ("the problem is empty");
        return EXIT_USAGE;
      }
  }

  run = cs_run_new (mode, problem);
  for (guint i = 0; opt_constraints != NULL && opt_constraints[i] != NULL; i++)
    {
      const char *eq = strchr (opt_constraints[i], '=');
      g_autofree char *key = NULL;

      if (eq == NULL || eq == opt_constraints[i])
        {
          print_err ("bad --constraint “%s”: expected KEY=VALUE", opt_constraints[i]);
          return EXIT_USAGE;
        }
      key = g_strstrip (g_strndup (opt_constraints[i], eq - opt_constraints[i]));
      if (key[0] == '\0')
        {
          print_err ("bad --constraint “%s”: expected KEY=VALUE", opt_constraints[i]);
          return EXIT_USAGE;
        }
      cs_run_set_constraint (run, key, eq + 1);
    }
  if (opt_judge != NULL)
    cs_run_set_judge (run, opt_judge);

  if (opt_models != NULL && opt_models[0] != NULL)
    models = g_strdupv (opt_models);
  else
    models = default_models (config);

  runner = cs_runner_new (config, run);
  if (!cs_runner_plan (runner, (const char * const *)models, &error))
    {
      print_err ("%s", error->message);
      return EXIT_USAGE;
    }
  cs_runner_set_quorum (runner, (guint)opt_quorum);
  cs_runner_set_deadline (runner, (guint)opt_deadline);
  /* A script waits for the result, not for the stragglers: candidates still
   * streaming when the synthesis starts are cancelled, their text kept. */
  cs_runner_set_cancel_late (runner, TRUE);

  store = cs_run_store_new (NULL);
  cs_runner_set_store (runner, store);

  loop = g_main_loop_new (NULL, FALSE);
  cancellable = g_cancellable_new ();
  cli.run = run;
  cli.store = store;
  cli.loop = loop;
  cli.cancellable = cancellable;
  cli.quiet = opt_quiet;
  cli.live = !opt_quiet && isatty (STDERR_FILENO) && g_strcmp0 (g_getenv ("TERM"), "dumb") != 0;
  /* the cursor cannot move above the screen: a display taller than the
   * terminal falls back to a line per event */
  if (cli.live)
    {
      int width, height;

      terminal_size (&width, &height);
      if (height > 0 && g_list_model_get_n_items (G_LIST_MODEL (run)) + 2 > (guint)height)
        cli.live = FALSE;
    }
  cli.start_us = g_get_monotonic_time ();

  g_signal_connect (store, "save-failed", G_CALLBACK (save_failed_cb), &cli);
  g_signal_connect (run, "notify::state", G_CALLBACK (run_state_cb), &cli);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (run)); i++)
    {
      g_autoptr(CsCandidate) c = g_list_model_get_item (G_LIST_MODEL (run), i);
      g_signal_connect (c, "notify::status", G_CALLBACK (candidate_status_cb), &cli);
    }
  if (cli.live)
    {
      redraw (&cli);
      cli.redraw_id = g_timeout_add (150, redraw_cb, &cli);
    }

  sigint_id = g_unix_signal_add (SIGINT, interrupt_cb, &cli);
  sigterm_id = g_unix_signal_add (SIGTERM, interrupt_cb, &cli);

  cs_runner_execute_async (runner, cancellable, execute_cb, &cli);
  if (!cli.finished)
    g_main_loop_run (loop);

  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  g_clear_handle_id (&cli.redraw_id, g_source_remove);
  if (cli.live)
    {
      redraw (&cli);
      if (cs_run_get_state (run) == CS_RUN_DONE && cs_run_get_message (run) != NULL)
        fprintf (stderr, "synthesis: note: %s\n", cs_run_get_message (run));
    }

  /* the run file is complete before we say anything final */
  cs_run_store_flush (store);

  if (cli.ok)
    {
      output = json ? cs_export_json (run) : cs_export_markdown (run);
      if (output == NULL)
        {
          print_err ("could not export the result");
          status = EXIT_NO_RESULT;
        }
      else if (!write_output (opt_output, output, &error))
        {
          print_err ("%s", error->message);
          status = EXIT_NO_RESULT;
        }
      else
        status = EXIT_OK;
    }
  else if (g_error_matches (cli.error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      print_err ("cancelled; the run is saved as %s", cs_run_get_id (run));
      status = EXIT_CANCELLED;
    }
  else if (g_error_matches (cli.error, CS_RUNNER_ERROR, CS_RUNNER_ERROR_INPUT) ||
           g_error_matches (cli.error, CS_RUNNER_ERROR, CS_RUNNER_ERROR_CONFIG))
    {
      print_err ("%s", cli.error->message);
      status = EXIT_USAGE;
    }
  else
    {
      print_err ("no candidate succeeded");
      print_failures (run);
      status = EXIT_NO_RESULT;
    }

  g_clear_error (&cli.error);
  return status;
}
