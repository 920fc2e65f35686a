/* cli-history.c: the saved runs on the command line
 *
 *   consilium-cli --runs [--format=json]
 *       one line per saved run, newest first: id, date, mode, state, title
 *       and number of rounds, separated by tabs (the title made one line and
 *       safe for a terminal); --format=json writes them as a JSON array.
 *   consilium-cli --show=RUN_ID [--format=markdown|json] [--output=FILE]
 *       the saved run exported as a finished run is: every round, the
 *       current result first; --output through the rules of cs-safe-file.
 *
 * Neither changes a run file. Exit status 0, or 2 for bad usage or a run
 * that is not saved (1 when the output cannot be written).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "consilium-cli"

#include "config.h"

#include <glib/gi18n.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli-private.h"
#include "cs-json-util.h"
#include "cs-terminal-text.h"

gboolean
cli_parse_format (const char *format,
                  gboolean   *json)
{
  if (format == NULL || g_str_equal (format, "markdown") || g_str_equal (format, "md"))
    *json = FALSE;
  else if (g_str_equal (format, "json"))
    *json = TRUE;
  else
    {
      cli_print_err (_("unknown format %s (use markdown or json)"), format);
      return FALSE;
    }
  return TRUE;
}

static void
load_failed_cb (CsRunStore *store,
                const char *path,
                const char *message,
                gpointer    user_data)
{
  cli_print_err (_("warning: skipped %s: %s"), path, message);
}

CsRunStore *
cli_load_store (void)
{
  g_autoptr(CsRunStore) store = cs_run_store_new (NULL);
  g_autoptr(GError) error = NULL;

  g_signal_connect (store, "load-failed", G_CALLBACK (load_failed_cb), NULL);
  if (!cs_run_store_load_sync (store, &error))
    {
      cli_print_err (_("could not read the saved runs in %s: %s"), cs_run_store_get_dir (store), error->message);
      return NULL;
    }
  return g_steal_pointer (&store);
}

static char *
iso_date (gint64 unix_time)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (unix_time);

  return dt != NULL ? g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ") : g_strdup ("");
}

/* A title on one line, for a tab-separated line on a terminal. */
static char *
one_line_title (const char *title)
{
  g_autofree char *copy = g_strdup (title != NULL ? title : "");

  for (char *p = copy; *p != '\0'; p++)
    if (*p == '\t' || *p == '\n' || *p == '\r')
      *p = ' ';
  return cs_text_for_terminal (copy, FALSE);
}

static JsonNode *
runs_to_json (GListModel *runs)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  guint n = g_list_model_get_n_items (runs);

  json_builder_begin_array (b);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CsRun) run = g_list_model_get_item (runs, i);
      g_autofree char *date = iso_date (cs_run_get_created (run));

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, cs_run_get_id (run));
      json_builder_set_member_name (b, "date");
      json_builder_add_string_value (b, date);
      json_builder_set_member_name (b, "created");
      json_builder_add_int_value (b, cs_run_get_created (run));
      json_builder_set_member_name (b, "updated");
      json_builder_add_int_value (b, cs_run_get_updated (run));
      json_builder_set_member_name (b, "mode");
      json_builder_add_string_value (b, cs_mode_to_string (cs_run_get_mode (run)));
      json_builder_set_member_name (b, "state");
      json_builder_add_string_value (b, cs_run_state_to_string (cs_run_get_state (run)));
      json_builder_set_member_name (b, "title");
      json_builder_add_string_value (b, cs_run_get_title (run) != NULL ? cs_run_get_title (run) : "");
      json_builder_set_member_name (b, "rounds");
      json_builder_add_int_value (b, cs_run_get_n_rounds (run));
      json_builder_set_member_name (b, "current_round");
      json_builder_add_int_value (b, cs_round_get_index (cs_run_get_current_round (run)));
      json_builder_set_member_name (b, "resolved");
      json_builder_add_boolean_value (b, cs_run_get_resolution (run) != NULL);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  return json_builder_get_root (b);
}

static char *
runs_to_text (GListModel *runs)
{
  GString *out = g_string_new (NULL);
  guint n = g_list_model_get_n_items (runs);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CsRun) run = g_list_model_get_item (runs, i);
      g_autofree char *date = iso_date (cs_run_get_created (run));
      g_autofree char *title = one_line_title (cs_run_get_title (run));

      g_string_append_printf (out, "%s\t%s\t%s\t%s\t%s\t%u\n",
                              cs_run_get_id (run), date,
                              cs_mode_to_string (cs_run_get_mode (run)),
                              cs_run_state_words (cs_run_get_state (run)),
                              title, cs_run_get_n_rounds (run));
    }
  return g_string_free (out, FALSE);
}

static int
write_stdout (const char *text)
{
  gsize len = strlen (text);

  if (fwrite (text, 1, len, stdout) != len || fflush (stdout) != 0)
    {
      cli_print_err (_("could not write to standard output: %s"), g_strerror (errno));
      return EXIT_NO_RESULT;
    }
  return EXIT_OK;
}

int
cli_list_runs (const CliOptions *options,
               int               argc)
{
  g_autoptr(CsRunStore) store = NULL;
  g_autofree char *text = NULL;
  gboolean json = FALSE;

  if (argc > 1)
    {
      cli_print_err (_("--runs takes no file"));
      return EXIT_USAGE;
    }
  if (options->format != NULL && !g_str_equal (options->format, "json") &&
      !g_str_equal (options->format, "text"))
    {
      cli_print_err (_("--runs writes text or json, not %s"), options->format);
      return EXIT_USAGE;
    }
  json = options->format != NULL && g_str_equal (options->format, "json");

  store = cli_load_store ();
  if (store == NULL)
    return EXIT_USAGE;
  if (json)
    {
      g_autoptr(JsonNode) node = runs_to_json (G_LIST_MODEL (store));
      g_autofree char *body = cs_json_to_string (node, TRUE);

      text = g_strconcat (body, "\n", NULL);
    }
  else
    text = runs_to_text (G_LIST_MODEL (store));
  return write_stdout (text);
}

/* The configuration names providers in the Markdown, when there is one. */
static CsConfig *
optional_config (const CliOptions *options)
{
  g_autofree char *path = options->config != NULL ? g_strdup (options->config) : cs_config_get_default_path ();
  g_autoptr(GError) error = NULL;
  CsConfig *config;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return NULL;
  config = cs_config_new_from_file (path, &error);
  if (config == NULL)
    g_debug ("No provider names from %s: %s", path, error->message);
  return config;
}

int
cli_show_run (const CliOptions *options,
              int               argc)
{
  g_autoptr(CsRunStore) store = NULL;
  g_autoptr(CsConfig) config = NULL;
  gboolean json = FALSE;
  CsRun *run;

  if (argc > 1)
    {
      cli_print_err (_("--show takes no file (the run is named by its id)"));
      return EXIT_USAGE;
    }
  if (!cli_parse_format (options->format, &json) || !cli_check_output_path (options->output, NULL))
    return EXIT_USAGE;

  store = cli_load_store ();
  if (store == NULL)
    return EXIT_USAGE;
  run = cs_run_store_find (store, options->show);
  if (run == NULL)
    {
      cli_print_err (_("no saved run %s (see --runs)"), options->show);
      return EXIT_USAGE;
    }
  config = json ? NULL : optional_config (options);
  return cli_write_result (run, config, options->output, NULL, json);
}
