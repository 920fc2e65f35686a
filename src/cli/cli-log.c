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
#include "cs-terminal-text.h"

static const char *
member_string (JsonObject *o,
               const char *name)
{
  JsonNode *node = json_object_get_member (o, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* -1 when absent, null or not a whole number */
static gint64
member_int (JsonObject *o,
            const char *name)
{
  JsonNode *node = json_object_get_member (o, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return -1;
  return json_node_get_int (node);
}

static char *
format_entry (JsonObject *o)
{
  GString *line = g_string_new (NULL);
  const char *kind = member_string (o, "error_kind");
  const char *error = member_string (o, "error");
  gint64 status = member_int (o, "status");
  gint64 v;

  g_string_append_printf (line, "%s  %s  %s  %s/%s  attempt %" G_GINT64_FORMAT "  ",
                          member_string (o, "time") ?: "?",
                          member_string (o, "run") ?: "-",
                          member_string (o, "candidates") ?: "-",
                          member_string (o, "provider") ?: "?",
                          member_string (o, "model") ?: "?",
                          member_int (o, "attempt"));
  if (status > 0)
    g_string_append_printf (line, "HTTP %" G_GINT64_FORMAT "  ", status);
  else
    g_string_append (line, "no HTTP status  ");
  g_string_append (line, kind != NULL ? kind : "ok");
  if ((v = member_int (o, "retry_delay_ms")) >= 0)
    g_string_append_printf (line, "  retry in %" G_GINT64_FORMAT " ms", v);
  if ((v = member_int (o, "ttfb_ms")) >= 0)
    g_string_append_printf (line, "  first byte %" G_GINT64_FORMAT " ms", v);
  if ((v = member_int (o, "duration_ms")) >= 0)
    g_string_append_printf (line, "  %" G_GINT64_FORMAT " ms", v);
  if (member_int (o, "input_tokens") >= 0 || member_int (o, "output_tokens") >= 0)
    g_string_append_printf (line, "  tokens %" G_GINT64_FORMAT " in, %" G_GINT64_FORMAT " out",
                            MAX (member_int (o, "input_tokens"), 0), MAX (member_int (o, "output_tokens"), 0));
  if ((v = member_int (o, "bytes")) >= 0)
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
