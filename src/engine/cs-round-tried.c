/* cs-round-tried.c: a next-steps checklist never repeats a step tried
 *
 * The candidates and the judge are asked not to repeat a step reported as
 * worked or as not working; this makes sure of it. A step of the result,
 * and an alternative step beside it, whose title or command is that of a
 * tried step (case and spacing ignored) is dropped, with the consensus
 * entry at its index; alternatives that followed a dropped step follow the
 * step before it. A skipped step was not tried, and may come back.
 *
 * It works on the synthesis as the run file keeps it (cs-result.h): the
 * members it reads are data.steps, consensus, alternatives and their
 * title, command and after_step, as cs-result-entries.c writes them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-round"

#include "config.h"

#include "cs-json-util.h"
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
is_tried (GHashTable *keys,
          JsonObject *step)
{
  const char *fields[] = { "title", "command" };

  for (guint i = 0; step != NULL && i < G_N_ELEMENTS (fields); i++)
    {
      const char *text = cs_json_get_string (step, fields[i]);
      g_autofree char *key = text != NULL ? normalize (text) : NULL;

      if (key != NULL && g_hash_table_contains (keys, key))
        return TRUE;
    }
  return FALSE;
}

/* Where an alternative that followed step @after goes once the steps in
 * @dropped (TRUE per old index) are gone. */
static gint64
new_after (gint64    after,
           gboolean *dropped,
           guint     n_steps)
{
  gint64 out = -1;

  if (after < 0 || after >= n_steps)
    return after;
  for (gint64 i = after; i >= 0 && out < 0; i--)
    if (!dropped[i])
      out = i;
  if (out < 0)
    return -1;
  for (gint64 i = 0, before = out; i < before; i++)
    if (dropped[i])
      out--;
  return out;
}

JsonNode *
_cs_round_drop_tried_steps (JsonNode  *synthesis,
                            GPtrArray *tried)
{
  g_autoptr(GHashTable) keys = tried_keys (tried);
  g_autoptr(JsonNode) copy = NULL;
  g_autofree gboolean *dropped = NULL;
  JsonObject *obj, *data;
  JsonArray *steps, *consensus, *alternatives;
  guint n_steps, n_dropped = 0;
  gboolean aligned;

  if (g_hash_table_size (keys) == 0 || cs_json_node_object (synthesis) == NULL)
    return NULL;
  copy = cs_json_deep_copy (synthesis);
  obj = json_node_get_object (copy);
  data = cs_json_get_object (obj, "data");
  steps = cs_json_get_array (data, "steps");
  consensus = cs_json_get_array (obj, "consensus");
  alternatives = cs_json_get_array (obj, "alternatives");
  n_steps = cs_json_array_length (steps);
  aligned = consensus != NULL && json_array_get_length (consensus) == n_steps;

  dropped = g_new0 (gboolean, MAX (n_steps, 1));
  for (guint i = n_steps; i > 0; i--)
    if (is_tried (keys, cs_json_array_object (steps, i - 1)))
      {
        dropped[i - 1] = TRUE;
        json_array_remove_element (steps, i - 1);
        if (aligned)
          json_array_remove_element (consensus, i - 1);
        n_dropped++;
      }
  for (guint i = cs_json_array_length (alternatives); i > 0; i--)
    {
      JsonObject *alt = cs_json_array_object (alternatives, i - 1);
      gint64 after = -1;

      if (is_tried (keys, alt))
        {
          json_array_remove_element (alternatives, i - 1);
          n_dropped++;
        }
      else if (alt != NULL && cs_json_get_int (alt, "after_step", &after) && n_steps > 0)
        json_object_set_int_member (alt, "after_step", new_after (after, dropped, n_steps));
    }
  if (n_dropped == 0)
    return NULL;
  g_debug ("Dropped %u repeated steps from the result", n_dropped);
  return g_steal_pointer (&copy);
}
