/* cs-judge-check.c: the judge's reply checked part by part
 *
 * A judge's reply has three parts: a critique of each candidate, the
 * rationale and the result. They are checked on their own: a critique that
 * does not fit (a score out of range, an id no candidate has, a repeat) is
 * left out with a note and the verdict stands; only a result or a
 * rationale that does not fit makes the reply unusable (the runner then
 * asks for a repair, or falls back).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-judge"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "cs-json-schema.h"
#include "cs-json-util.h"
#include "cs-judge.h"
#include "cs-mode.h"

/* The schema of one critique, from the judge's schema. */
static JsonNode *
critique_schema (CsMode mode)
{
  JsonObject *props = cs_json_get_object (cs_json_node_object (cs_synthesis_get_judge_schema (mode)),
                                          "properties");
  JsonObject *critiques = cs_json_get_object (props, "critiques");

  return critiques != NULL ? json_object_get_member (critiques, "items") : NULL;
}

static gboolean
strv_has (const char * const *ids,
          const char         *id)
{
  return ids != NULL && id != NULL && g_strv_contains (ids, id);
}

/* One critique: kept (a copy added to @kept) or left out with a note. */
static void
check_critique (CsMode              mode,
                JsonNode           *critique,
                guint               index,
                const char * const *ids,
                GHashTable         *seen,
                JsonArray          *kept,
                GPtrArray          *notes)
{
  g_autoptr(GError) error = NULL;
  const char *id = cs_json_get_string (cs_json_node_object (critique), "candidate");
  g_autofree char *who = id != NULL ? g_strdup_printf (_("of %s"), id) : g_strdup_printf (_("number %u"), index + 1);

  if (!cs_json_schema_validate (critique_schema (mode), critique, &error))
    /* "$.score: 85 is greater than the maximum 10" → "score: 85 …" */
    g_ptr_array_add (notes, g_strdup_printf (_("The judge's critique %s was left out: %s"), who,
                                             g_str_has_prefix (error->message, "$.") ? error->message + 2
                                                                                    : error->message));
  else if (!strv_has (ids, id))
    g_ptr_array_add (notes, g_strdup_printf (_("The judge's critique %s was left out: no candidate has that id"), who));
  else if (g_hash_table_contains (seen, id))
    g_ptr_array_add (notes, g_strdup_printf (_("The judge's second critique %s was left out"), who));
  else
    {
      g_hash_table_add (seen, (gpointer)id);
      json_array_add_element (kept, json_node_copy (critique));
    }
}

JsonNode *
cs_judge_check_reply (CsMode               mode,
                      JsonNode            *reply,
                      const char * const  *candidate_ids,
                      char               **notes_out,
                      GError             **error)
{
  JsonObject *obj = cs_json_node_object (reply);
  JsonNode *result = obj != NULL ? json_object_get_member (obj, "result") : NULL;
  JsonArray *critiques = obj != NULL ? cs_json_get_array (obj, "critiques") : NULL;
  const char *rationale = obj != NULL ? cs_json_get_string (obj, "rationale") : NULL;
  g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) local = NULL;
  JsonObject *out;
  JsonArray *kept;
  JsonNode *node;

  if (notes_out != NULL)
    *notes_out = NULL;
  if (obj == NULL)
    {
      g_set_error_literal (error, CS_SCHEMA_ERROR, CS_SCHEMA_ERROR_INVALID, "$: the reply is not a JSON object");
      return NULL;
    }
  if (result == NULL)
    {
      g_set_error_literal (error, CS_SCHEMA_ERROR, CS_SCHEMA_ERROR_INVALID, "$: \"result\" is required");
      return NULL;
    }
  if (!cs_json_schema_validate (cs_mode_get_schema (mode), result, &local))
    {
      g_set_error (error, CS_SCHEMA_ERROR, CS_SCHEMA_ERROR_INVALID, "in \"result\": %s", local->message);
      return NULL;
    }
  if (rationale == NULL)
    {
      g_set_error_literal (error, CS_SCHEMA_ERROR, CS_SCHEMA_ERROR_INVALID,
                           "$.rationale: a string is required");
      return NULL;
    }

  kept = json_array_new ();
  if (critiques == NULL)
    g_ptr_array_add (notes, g_strdup (_("The judge gave no critiques.")));
  for (guint i = 0; critiques != NULL && i < json_array_get_length (critiques); i++)
    check_critique (mode, json_array_get_element (critiques, i), i, candidate_ids, seen, kept, notes);

  out = json_object_new ();
  json_object_set_array_member (out, "critiques", kept);
  json_object_set_string_member (out, "rationale", rationale);
  json_object_set_member (out, "result", json_node_copy (result));
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, out);

  if (notes_out != NULL && notes->len > 0)
    {
      g_ptr_array_add (notes, NULL);
      *notes_out = g_strjoinv (" ", (char **)notes->pdata);
    }
  return node;
}
