/* cli-run.c: the run path of consilium-cli: the usage checks, the run and
 * its plan, executing it, and the result written as Markdown or JSON
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "consilium-cli"

#include "config.h"

#include <glib/gi18n.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "cli-private.h"
#include "cs-safe-file.h"

#define DEFAULT_MODELS  3
#define MAX_PROBLEM_BYTES (1024 * 1024)

/* Input and output */

/* At most @limit bytes of @fd; more is an error. */
static char *
read_fd_bounded (int          fd,
                 const char  *path,
                 gsize        limit,
                 gsize       *len_out,
                 GError     **error)
{
  g_autoptr(GString) buf = g_string_new (NULL);
  char chunk[65536];

  for (;;)
    {
      gssize n = read (fd, chunk, sizeof chunk);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       _("could not read %s: %s"), path, g_strerror (saved_errno));
          return NULL;
        }
      if (n == 0)
        break;
      g_string_append_len (buf, chunk, n);
      if (buf->len > limit)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                       _("%s is larger than %zu bytes"), path, (size_t)limit);
          return NULL;
        }
    }
  *len_out = buf->len;
  return g_string_free (g_steal_pointer (&buf), FALSE);
}

/* The problem file: a regular file, a pipe or a terminal, read up to
 * @limit bytes like standard input; a device such as /dev/zero is refused
 * unread. */
static char *
read_problem_file (const char  *path,
                   gsize        limit,
                   gsize       *len_out,
                   GError     **error)
{
  struct stat st = { 0 };
  char *contents;
  int fd;

  fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY, 0);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("could not open %s: %s"), path, g_strerror (saved_errno));
      return NULL;
    }
  if (fstat (fd, &st) != 0 || S_ISDIR (st.st_mode) ||
      !(S_ISREG (st.st_mode) || S_ISFIFO (st.st_mode) || isatty (fd)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE,
                   S_ISDIR (st.st_mode) ? _("%s is a directory, not a problem file")
                                        : _("%s is not a regular file, a pipe or a terminal"),
                   path);
      close (fd);
      return NULL;
    }
  contents = read_fd_bounded (fd, path, limit, len_out, error);
  close (fd);
  return contents;
}

char *
cli_read_text (const char  *path,
               gsize        limit,
               GError     **error)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  if (g_strcmp0 (path, "-") == 0)
    contents = cli_read_all_stdin (limit, &len, error);
  else
    contents = read_problem_file (path, limit, &len, error);
  if (contents == NULL)
    return NULL;

  if (!g_utf8_validate (contents, len, NULL) || memchr (contents, '\0', len) != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("%s is not UTF-8 text"), g_strcmp0 (path, "-") == 0 ? _("standard input") : path);
      return NULL;
    }
  return g_steal_pointer (&contents);
}

static gboolean
write_output (const char  *path,
              const char  *input_path,
              const char  *text,
              GError     **error)
{
  gsize len = strlen (text);

  if (path == NULL || g_strcmp0 (path, "-") == 0)
    {
      if (fwrite (text, 1, len, stdout) != len || fflush (stdout) != 0)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                       _("could not write to standard output: %s"), g_strerror (errno));
          return FALSE;
        }
      return TRUE;
    }
  /* the rule of cs-safe-file.h: never the problem file, a link, a device
   * or a read-only file; a temporary file renamed when complete */
  return cs_safe_file_write (path, text, len, input_path, error);
}

/* Usage */

static gboolean
check_judge (const char *judge,
             CsConfig   *config)
{
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GString) known = NULL;

  if (judge == NULL || cs_config_find_model (config, judge) != NULL)
    return TRUE;

  all = cs_config_list_models (config);
  known = g_string_new (NULL);
  for (guint i = 0; i < all->len; i++)
    g_string_append_printf (known, "%s%s", i ? ", " : "", ((const CsModelConfig *)g_ptr_array_index (all, i))->id);
  cli_print_err (_("unknown judge model %s (known: %s)"), judge, known->len ? known->str : _("none configured"));
  return FALSE;
}


/* The problem file, NULL for standard input. */
static const char *
input_path (const char *problem)
{
  return g_strcmp0 (problem, "-") == 0 ? NULL : problem;
}

/* --output: a new file or a writable regular one, not the problem file
 * (cs-safe-file.h); fail before the run costs anything. */
gboolean
cli_check_output_path (const char *output,
                       const char *problem)
{
  g_autoptr(GError) error = NULL;

  if (output == NULL || g_strcmp0 (output, "-") == 0)
    return TRUE;

  if (!cs_safe_file_check_destination (output, input_path (problem), &error))
    {
      cli_print_err (_("--output: %s"), error->message);
      return FALSE;
    }
  return TRUE;
}

/* The checks of the options and the output path, before anything costs
 * money; prints why and returns FALSE on bad usage. */
static gboolean
check_usage (const CliOptions *options,
             CsConfig         *config,
             int               argc,
             char            **argv,
             CsMode           *mode,
             gboolean         *json)
{
  if (options->mode != NULL && !cs_mode_from_string (options->mode, mode))
    {
      cli_print_err (_("unknown mode %s (use architect or support)"), options->mode);
      return FALSE;
    }
  if (options->format == NULL || g_str_equal (options->format, "markdown") || g_str_equal (options->format, "md"))
    *json = FALSE;
  else if (g_str_equal (options->format, "json"))
    *json = TRUE;
  else
    {
      cli_print_err (_("unknown format %s (use markdown or json)"), options->format);
      return FALSE;
    }
  if (options->quorum < 0)
    {
      cli_print_err (_("--quorum must be 0 or more"));
      return FALSE;
    }
  if (options->deadline < 0)
    {
      cli_print_err (_("--deadline must be 0 or more seconds"));
      return FALSE;
    }
  if (argc != 2)
    {
      cli_print_err (argc < 2 ? _("no problem file given (a path, or - for standard input; see --help)")
                              : _("only one problem file can be given"));
      return FALSE;
    }
  if (options->seed != NULL && !g_ascii_string_to_unsigned (options->seed, 10, 0, G_MAXUINT32, NULL, NULL))
    {
      cli_print_err (_("--seed must be a whole number from 0 to %u"), G_MAXUINT32);
      return FALSE;
    }
  return check_judge (options->judge, config) && check_judge (options->fallback_judge, config) &&
         cli_check_output_path (options->output, argv[1]);
}


/* The run */

/* The problem file's text: at most MAX_PROBLEM_BYTES of UTF-8, not blank;
 * prints why and returns NULL otherwise. */
static char *
read_problem_text (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *problem = NULL;
  g_autofree char *stripped = NULL;

  problem = cli_read_text (path, MAX_PROBLEM_BYTES, &error);
  if (problem == NULL)
    {
      cli_print_err ("%s", error->message);
      return NULL;
    }
  stripped = g_strstrip (g_strdup (problem));
  if (stripped[0] == '\0')
    {
      cli_print_err (_("the problem is empty"));
      return NULL;
    }
  return g_steal_pointer (&problem);
}

/* The run: the problem, the --constraint pairs and the judge. */
static CsRun *
build_run (const CliOptions *options,
           CsMode            mode,
           const char       *problem)
{
  g_autoptr(CsRun) run = cs_run_new (mode, problem);
  char **constraints = options->constraints;

  for (guint i = 0; constraints != NULL && constraints[i] != NULL; i++)
    {
      const char *eq = strchr (constraints[i], '=');
      g_autofree char *key = NULL;

      if (eq == NULL || eq == constraints[i])
        {
          cli_print_err (_("bad --constraint “%s”: expected KEY=VALUE"), constraints[i]);
          return NULL;
        }
      key = g_strstrip (g_strndup (constraints[i], eq - constraints[i]));
      if (key[0] == '\0')
        {
          cli_print_err (_("bad --constraint “%s”: expected KEY=VALUE"), constraints[i]);
          return NULL;
        }
      cs_run_set_constraint (run, key, eq + 1);
    }
  if (options->judge != NULL)
    cs_run_set_judge (run, options->judge);
  cs_run_set_fallback_judge (run, options->fallback_judge);
  cs_run_set_rank (run, options->rank);
  if (options->seed != NULL)
    {
      guint64 seed = 0;

      g_ascii_string_to_unsigned (options->seed, 10, 0, G_MAXUINT32, &seed, NULL);
      cs_run_set_seed (run, (guint32)seed);
    }

  return g_steal_pointer (&run);
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

/* "P/M:COUNT" whose COUNT is not a whole number (-1, two): the plan would
 * call the whole of it an unknown model. */
static gboolean
check_counts (char     **models,
              CsConfig  *config)
{
  for (guint i = 0; models != NULL && models[i] != NULL; i++)
    {
      const char *spec = models[i];
      const char *colon = strrchr (spec, ':');
      g_autofree char *id = NULL;

      /* a configured name may hold a colon itself (Ollama's qwen3:8b) */
      if (colon == NULL || cs_config_find_model (config, spec) != NULL)
        continue;
      id = g_strndup (spec, colon - spec);
      if (cs_config_find_model (config, id) == NULL ||
          (colon[1] != '\0' && strspn (colon + 1, "0123456789") == strlen (colon + 1)))
        continue;
      cli_print_err (_("--model=%s: the count “%s” is not a whole number of candidates "
                       "(PROVIDER/MODEL:COUNT, COUNT from 1 up)"), spec, colon + 1);
      return FALSE;
    }
  return TRUE;
}

/* The runner with its candidates planned (--model, or the default models),
 * the quorum and the deadline. */
static CsRunner *
plan_runner (const CliOptions *options,
             CsConfig         *config,
             CsRun            *run)
{
  g_autoptr(CsRunner) runner = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) models = NULL;

  if (options->models != NULL && options->models[0] != NULL)
    models = g_strdupv (options->models);
  else
    models = default_models (config);
  if (!check_counts (models, config) || !cli_apply_knobs (options, config, run, models))
    return NULL;

  runner = cs_runner_new (config, run);
  if (!cs_runner_plan (runner, (const char * const *)models, &error))
    {
      cli_print_err ("%s", error->message);
      return NULL;
    }
  cs_runner_set_quorum (runner, (guint)options->quorum);
  cs_runner_set_deadline (runner, (guint)options->deadline);
  /* A script waits for the result, not for the stragglers: candidates still
   * streaming when the synthesis starts are cancelled, their text kept. */
  cs_runner_set_cancel_late (runner, TRUE);

  return g_steal_pointer (&runner);
}

/* The result as Markdown or JSON, to --output or standard output. */
int
cli_write_result (CsRun      *run,
              CsConfig   *config,
              const char *path,
              const char *problem,
              gboolean    json)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *output = NULL;

  output = json ? cs_export_json (run) : cs_export_markdown_with_names (run, config);
  if (output == NULL)
    {
      cli_print_err (_("could not export the result"));
      return EXIT_NO_RESULT;
    }
  if (!write_output (path, input_path (problem), output, &error))
    {
      cli_print_err ("%s", error->message);
      return EXIT_NO_RESULT;
    }
  return EXIT_OK;
}

int
cli_finish_alike (Cli              *cli,
                  const CliOptions *options,
                  CsConfig         *config,
                  const char       *input,
                  gboolean          json)
{
  if (cli->ok)
    return cli_write_result (cli->run, config, options->output, input, json);
  if (g_error_matches (cli->error, CS_RUNNER_ERROR, CS_RUNNER_ERROR_INPUT) ||
      g_error_matches (cli->error, CS_RUNNER_ERROR, CS_RUNNER_ERROR_CONFIG))
    {
      cli_print_err ("%s", cli->error->message);
      return EXIT_USAGE;
    }
  return -1;
}

/* Writes the result, or says why there is none; returns the exit status. */
static int
finish (Cli              *cli,
        const CliOptions *options,
        CsConfig         *config,
        const char       *problem,
        gboolean          json)
{
  int status = cli_finish_alike (cli, options, config, problem, json);

  if (status >= 0)
    return status;
  if (g_error_matches (cli->error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      cli_print_err (_("cancelled; the run is saved as %s"), cs_run_get_id (cli->run));
      return EXIT_CANCELLED;
    }
  cli_print_err (_("no candidate succeeded"));
  cli_print_failures (cli->run);
  return EXIT_NO_RESULT;
}

int
cli_run (const CliOptions  *options,
         CsConfig          *config,
         int                argc,
         char             **argv)
{
  g_autoptr(CsRun) run = NULL;
  g_autoptr(CsRunner) runner = NULL;
  g_autoptr(CsRunStore) store = NULL;
  g_autofree char *problem = NULL;
  CsMode mode = CS_MODE_ARCHITECT;
  gboolean json = FALSE;
  Cli cli = { 0 };
  int status;

  if (!check_usage (options, config, argc, argv, &mode, &json))
    return EXIT_USAGE;

  problem = read_problem_text (argv[1]);
  if (problem == NULL)
    return EXIT_USAGE;

  run = build_run (options, mode, problem);
  if (run == NULL)
    return EXIT_USAGE;
  if (options->fallback_judge == NULL && cs_run_get_judge (run) != NULL)
    {
      /* the providers file's [synthesis] fallback-judge, by default */
      g_autofree char *fallback = cs_config_dup_fallback_judge (config);

      cs_run_set_fallback_judge (run, fallback);
    }

  runner = plan_runner (options, config, run);
  if (runner == NULL)
    return EXIT_USAGE;

  store = cs_run_store_new (NULL);
  if (!cli_check_cost (options, runner, store, &status))
    return status;
  cs_runner_set_store (runner, store);

  cli_init (&cli, run, store, options->quiet);
  cli_execute (&cli, runner);
  status = finish (&cli, options, config, argv[1], json);
  cli_clear (&cli);
  return status;
}
