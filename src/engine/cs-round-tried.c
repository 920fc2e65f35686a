/* cs-round-tried.c: a next-steps checklist never repeats a step tried
 *
 * The candidates and the judge are asked not to repeat a step reported as
 * worked or as not working; this makes sure of it. A step of the result,
 * and an alternative step beside it, whose title or command is that of a
 * tried step (case and spacing ignored) is dropped, with the consensus
 * entry at its index; alternatives that followed a dropped step follow the
 * step before it. A skipped step was not tried, and may come back.
 *
 * The steps are found and dropped by the result model
 * (cs_result_json_drop_steps ()); this file only says which match.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-round"

#include "config.h"

#include "cs-result-synthesis.h"
#include "cs-round-private.h"

static char *
normalize (const char *text)
{
  g_autofree char *lower = g_utf8_strdown (text != NULL ? text : "", -1);
  g_auto(GStrv) words = g_strsplit_set (lower, " \t\r\n", -1);
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; words[i] != NULL; i++)
    if (words[i][0] != '\0')
      g_string_append_printf (out, "%s%s", out->len > 0 ? " " : "", words[i]);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static GHashTable *
tried_keys (GPtrArray *tried)
{
  GHashTable *keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; tried != NULL && i < tried->len; i++)
    {
      const CsStepReport *r = g_ptr_array_index (tried, i);

      if (r->outcome == CS_STEP_SKIPPED)
        continue;
      if (r->title != NULL && r->title[0] != '\0')
        g_hash_table_add (keys, normalize (r->title));
      if (r->command != NULL && r->command[0] != '\0')
        g_hash_table_add (keys, normalize (r->command));
    }
  g_hash_table_remove (keys, "");
  return keys;
}

static gboolean
is_tried (const char *title,
          const char *command,
          gpointer    user_data)
{
  GHashTable *keys = user_data;
  const char *fields[] = { title, command };

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      g_autofree char *key = fields[i] != NULL ? normalize (fields[i]) : NULL;

      if (key != NULL && g_hash_table_contains (keys, key))
        return TRUE;
    }
  return FALSE;
}

JsonNode *
_cs_round_drop_tried_steps (JsonNode  *synthesis,
                            GPtrArray *tried)
{
  g_autoptr(GHashTable) keys = tried_keys (tried);
  JsonNode *kept;
  guint n_dropped = 0;

  if (g_hash_table_size (keys) == 0)
    return NULL;
  kept = cs_result_json_drop_steps (synthesis, is_tried, keys, &n_dropped);
  if (kept != NULL)
    g_debug ("Dropped %u repeated steps from the result", n_dropped);
  return kept;
}
