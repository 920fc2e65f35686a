/* cli-log.c: consilium-cli --log[=RUN_ID], the request log on standard
 * output: one line per HTTP attempt to a provider, oldest first
 *
 * Every value comes from the log file, which quotes providers' messages:
 * each line is made inert for a terminal (cs-terminal-text.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "consilium-cli"

#include "config.h"

#include <stdio.h>

#include "cli-private.h"
#include "cs-json-util.h"
#include "cs-terminal-text.h"

static char *
format_entry (JsonObject *o)
{
  GString *line = g_string_new (NULL);
  const char *kind = cs_json_get_string (o, "error_kind");
  const char *error = cs_json_get_string (o, "error");
  gint64 status = cs_json_get_int_or (o, "status", -1);
  gint64 v;

  g_string_append_printf (line, "%s  %s  %s  %s/%s  attempt %" G_GINT64_FORMAT "  ",
                          cs_json_get_string (o, "time") ?: "?",
                          cs_json_get_string (o, "run") ?: "-",
                          cs_json_get_string (o, "candidates") ?: "-",
                          cs_json_get_string (o, "provider") ?: "?",
                          cs_json_get_string (o, "model") ?: "?",
                          cs_json_get_int_or (o, "attempt", -1));
  if (status > 0)
    g_string_append_printf (line, "HTTP %" G_GINT64_FORMAT "  ", status);
  else
    g_string_append (line, "no HTTP status  ");
  g_string_append (line, kind != NULL ? kind : "ok");
  if ((v = cs_json_get_int_or (o, "retry_delay_ms", -1)) >= 0)
    g_string_append_printf (line, "  retry in %" G_GINT64_FORMAT " ms", v);
  if ((v = cs_json_get_int_or (o, "ttfb_ms", -1)) >= 0)
    g_string_append_printf (line, "  first byte %" G_GINT64_FORMAT " ms", v);
  if ((v = cs_json_get_int_or (o, "duration_ms", -1)) >= 0)
    g_string_append_printf (line, "  %" G_GINT64_FORMAT " ms", v);
  if (cs_json_get_int_or (o, "input_tokens", -1) >= 0 || cs_json_get_int_or (o, "output_tokens", -1) >= 0)
    g_string_append_printf (line, "  tokens %" G_GINT64_FORMAT " in, %" G_GINT64_FORMAT " out",
                            MAX (cs_json_get_int_or (o, "input_tokens", -1), 0), MAX (cs_json_get_int_or (o, "output_tokens", -1), 0));
  if ((v = cs_json_get_int_or (o, "bytes", -1)) >= 0)
    g_string_append_printf (line, "  %" G_GINT64_FORMAT " bytes", v);
  if (error != NULL)
    g_string_append_printf (line, "\n    %s", error);
  return g_string_free (line, FALSE);
}

int
cli_print_log (const char *run_id)
{
  g_autoptr(GPtrArray) entries = cs_request_log_read (run_id, NULL);

  if (entries->len == 0)
    {
      g_autofree char *path = cs_request_log_get_path ();

      cli_print_err (run_id != NULL ? "no attempt of run %s in %s" : "no attempt in %s%s",
                     run_id != NULL ? run_id : "", path);
      return EXIT_NO_RESULT;
    }
  for (guint i = 0; i < entries->len; i++)
    {
      g_autofree char *text = format_entry (g_ptr_array_index (entries, i));
      /* keeps the newline before an error message, escapes every other
       * control character */
      g_auto(GStrv) parts = g_strsplit (text, "\n", 2);

      for (guint j = 0; parts[j] != NULL; j++)
        {
          g_autofree char *safe = cs_text_for_terminal (parts[j], FALSE);
          printf ("%s\n", safe);
        }
    }
  return fflush (stdout) == 0 ? EXIT_OK : EXIT_NO_RESULT;
}
