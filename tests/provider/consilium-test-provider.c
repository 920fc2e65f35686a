/* consilium-test-provider.c
 *
 * The test provider as a program: an OpenAI-compatible server on loopback
 * with synthetic answers, for the integration tests and for trying
 * Consilium without an API key.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "consilium-test-provider"

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include <glib-unix.h>

#include "cs-test-provider.h"

static gboolean
on_signal (gpointer user_data)
{
  GMainLoop *loop = user_data;

  g_main_loop_quit (loop);
  return G_SOURCE_CONTINUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(CsTestProvider) provider = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *port_file = NULL;
  g_autofree char *config_file = NULL;
  g_autofree char *required_key = NULL;
  g_autofree char *record_file = NULL;
  g_autofree char *base_url = NULL;
  g_autofree char *description = NULL;
  int port = 0;
  int delay_ms = -1;
  guint sigint_id;
  guint sigterm_id;
  const GOptionEntry entries[] = {
    { "port", 'p', 0, G_OPTION_ARG_INT, &port, "Port to listen on (default: any free port)", "N" },
    { "port-file", 0, 0, G_OPTION_ARG_FILENAME, &port_file, "Write the port to FILE once listening", "FILE" },
    { "write-config", 0, 0, G_OPTION_ARG_FILENAME, &config_file, "Write a providers.ini for this server to FILE", "FILE" },
    { "require-key", 0, 0, G_OPTION_ARG_STRING, &required_key, "Answer 401 on the /v1 routes unless requests carry \"Authorization: Bearer KEY\"", "KEY" },
    { "delay-ms", 0, 0, G_OPTION_ARG_INT, &delay_ms, "Milliseconds between two stream chunks (default: 5)", "N" },
    { "record", 0, 0, G_OPTION_ARG_FILENAME, &record_file, "Append every request ({\"path\", \"model\", \"body\"}) to FILE, a JSON line each", "FILE" },
    { NULL }
  };

  signal (SIGPIPE, SIG_IGN);

  context = g_option_context_new ("- OpenAI-compatible test provider with synthetic answers");
  g_option_context_add_main_entries (context, entries, NULL);
  description = g_strdup_printf (
    "Listens on 127.0.0.1 and serves:\n"
    "  POST /v1/chat/completions  OpenAI Chat Completions (SSE)\n"
    "  POST /v1/responses         OpenAI Responses API (SSE)\n"
    "  POST /api/chat             Ollama (NDJSON)\n"
    "  GET  /v1/models, /api/tags the demo models\n"
    "\n"
    "Answers are synthetic, schema-valid architect or support candidates (or judge\n"
    "verdicts), chosen from the requested JSON Schema or the system prompt, and\n"
    "deterministic for a given model, choice and prompt. Any model name is accepted.\n"
    "\n"
    "Append +TOKEN to a model name to script faults, e.g. demo-alpha+slow+crlf:\n"
    "%s"
    "\n"
    "Try it: consilium-test-provider --write-config=providers.ini, then\n"
    "consilium-cli --config=providers.ini --model=demo/demo-alpha:2 --model=demo/demo-thinking \\\n"
    "  --judge=demo/demo-judge problem.txt\n",
    cs_test_provider_get_fault_help ());
  g_option_context_set_description (context, description);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (port < 0 || port > 65535)
    {
      g_printerr ("--port must be between 0 and 65535\n");
      return 2;
    }

  loop = g_main_loop_new (NULL, FALSE);
  provider = cs_test_provider_new ();
  if (required_key != NULL && *required_key != '\0')
    cs_test_provider_set_required_key (provider, required_key);
  if (delay_ms >= 0)
    cs_test_provider_set_delay_ms (provider, (guint) delay_ms);
  if (record_file != NULL && !cs_test_provider_record_to (provider, record_file, &error))
    {
      g_printerr ("--record: %s\n", error->message);
      return 2;
    }

  if (!cs_test_provider_start (provider, (guint) port, &error))
    {
      g_printerr ("Cannot listen on port %d: %s\n", port, error->message);
      return 1;
    }

  if (config_file != NULL)
    {
      g_autofree char *config = cs_test_provider_build_config (cs_test_provider_get_port (provider));

      if (!g_file_set_contents (config_file, config, -1, &error))
        {
          g_printerr ("Cannot write %s: %s\n", config_file, error->message);
          return 1;
        }
    }

  if (port_file != NULL)
    {
      g_autofree char *text = g_strdup_printf ("%u\n", cs_test_provider_get_port (provider));

      if (!g_file_set_contents (port_file, text, -1, &error))
        {
          g_printerr ("Cannot write %s: %s\n", port_file, error->message);
          return 1;
        }
    }

  base_url = cs_test_provider_dup_root_url (provider);
  g_print ("Consilium test provider (synthetic answers) listening on %s\n", base_url);
  fflush (stdout);

  sigint_id = g_unix_signal_add (SIGINT, on_signal, loop);
  sigterm_id = g_unix_signal_add (SIGTERM, on_signal, loop);

  g_main_loop_run (loop);

  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  g_clear_object (&provider);

  return EXIT_SUCCESS;
}
