/* cs-run-json.c: a run in its file form, and back
 *
 * The run file (format CS_RUN_FORMAT_VERSION) and the CLI's JSON contract,
 * which is the same form with every member present. Read leniently: a run
 * file may have been edited by hand or cut short.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-run"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include <string.h>

#include "cs-run-judges.h"
#include "cs-run-private.h"
#include "cs-run-ranking.h"
#include "cs-json-util.h"

static void
add_str (JsonBuilder *b, const char *key, const char *value)
{
  json_builder_set_member_name (b, key);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

JsonNode *
cs_run_to_json (CsRun *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GList) checked = NULL;

  g_return_val_if_fail (CS_IS_RUN (self), NULL);

  json_builder_begin_object (b);
  /* format 1 until a run has follow-up rounds (cs-round-json.c) */
  json_builder_set_member_name (b, "format");
  json_builder_add_int_value (b, cs_run_get_n_rounds (self) > 1 ? CS_RUN_FORMAT_VERSION : 1);
  add_str (b, "id", self->id);
  add_str (b, "title", self->title);
  add_str (b, "mode", cs_mode_to_string (self->mode));
  add_str (b, "problem", self->problem);
  json_builder_set_member_name (b, "constraints");
  json_builder_begin_object (b);
  for (guint i = 0; i + 1 < self->constraint_keys->len; i++)
    {
      const char *key = g_ptr_array_index (self->constraint_keys, i);
      json_builder_set_member_name (b, key);
      json_builder_add_string_value (b, g_hash_table_lookup (self->constraints, key));
    }
  json_builder_end_object (b);
  add_str (b, "state", cs_run_state_to_string (self->state));
  add_str (b, "message", self->message);
  json_builder_set_member_name (b, "created");
  json_builder_add_int_value (b, self->created);
  json_builder_set_member_name (b, "updated");
  json_builder_add_int_value (b, self->updated);
  add_str (b, "judge", self->judge);
  _cs_run_ranking_to_json (self, b);

  json_builder_set_member_name (b, "candidates");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->candidates->len; i++)
    json_builder_add_value (b, cs_candidate_to_json (g_ptr_array_index (self->candidates, i)));
  json_builder_end_array (b);

  json_builder_set_member_name (b, "synthesis");
  if (self->synthesis != NULL)
    json_builder_add_value (b, json_node_copy (self->synthesis));
  else
    json_builder_add_null_value (b);

  json_builder_set_member_name (b, "checked_steps");
  json_builder_begin_array (b);
  checked = g_hash_table_get_keys (self->checked);
  {
    /* sort numerically */
    GArray *arr = g_array_new (FALSE, FALSE, sizeof (guint));
    for (GList *l = checked; l; l = l->next)
      {
        guint v = GPOINTER_TO_UINT (l->data) - 1;
        g_array_append_val (arr, v);
      }
    for (guint i = 1; i < arr->len; i++)
      for (guint j = i; j > 0 && g_array_index (arr, guint, j - 1) > g_array_index (arr, guint, j); j--)
        {
          guint t = g_array_index (arr, guint, j);
          g_array_index (arr, guint, j) = g_array_index (arr, guint, j - 1);
          g_array_index (arr, guint, j - 1) = t;
        }
    for (guint i = 0; i < arr->len; i++)
      json_builder_add_int_value (b, g_array_index (arr, guint, i));
    g_array_unref (arr);
  }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "judge_usage");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "input_tokens");
  json_builder_add_int_value (b, self->judge_input_tokens);
  json_builder_set_member_name (b, "output_tokens");
  json_builder_add_int_value (b, self->judge_output_tokens);
  json_builder_set_member_name (b, "cost_usd");
  json_builder_add_double_value (b, self->judge_cost_usd);
  json_builder_set_member_name (b, "duration_ms");
  json_builder_add_int_value (b, self->judge_duration_ms);
  json_builder_set_member_name (b, "price_known");
  json_builder_add_boolean_value (b, self->judge_price_known);
  json_builder_end_object (b);
  _cs_run_judges_to_json (self, b);
  /* the current round's, as the judge usage */
  _cs_round_judge_knobs_to_json (self->current, b);

  json_builder_set_member_name (b, "totals");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "cost_usd");
  json_builder_add_double_value (b, cs_run_get_total_cost_usd (self));
  json_builder_set_member_name (b, "input_tokens");
  json_builder_add_int_value (b, cs_run_get_total_input_tokens (self));
  json_builder_set_member_name (b, "output_tokens");
  json_builder_add_int_value (b, cs_run_get_total_output_tokens (self));
  json_builder_set_member_name (b, "cost_known");
  json_builder_add_boolean_value (b, cs_run_get_cost_known (self));
  json_builder_set_member_name (b, "usage_estimated");
  json_builder_add_boolean_value (b, cs_run_get_usage_estimated (self));
  json_builder_set_member_name (b, "wall_ms");
  if (self->wall_ms >= 0)
    json_builder_add_int_value (b, self->wall_ms);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "budget_usd");
  if (!isnan (self->budget_usd))
    json_builder_add_double_value (b, self->budget_usd);
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);

  if (cs_run_get_n_rounds (self) > 1)
    {
      json_builder_set_member_name (b, "rounds");
      json_builder_add_value (b, _cs_run_rounds_to_json (self, FALSE));
    }

  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static void
ensure_member (JsonObject *obj,
               const char *key)
{
  if (!json_object_has_member (obj, key))
    json_object_set_null_member (obj, key);
}

JsonNode *
cs_run_to_json_complete (CsRun *self)
{
  static const char * const candidate_keys[] = {
    "id", "model", "angle", "status", "error", "text", "reasoning", "data", "usage",
    "cost_usd", "ttft_ms", "duration_ms", "tokens_per_second",
  };
  JsonNode *root;
  JsonObject *obj;
  JsonObject *totals;
  JsonArray *candidates;
  JsonArray *rounds;
  g_autoptr(GPtrArray) lists = g_ptr_array_new ();

  g_return_val_if_fail (CS_IS_RUN (self), NULL);

  root = cs_run_to_json (self);
  obj = json_node_get_object (root);

  /* every round whole, the first one too (cs-round-json.c) */
  json_object_set_member (obj, "rounds", _cs_run_rounds_to_json (self, TRUE));
  json_object_set_member (obj, "resolution", _cs_resolution_to_json (cs_run_get_resolution (self)));
  json_object_set_int_member (obj, "current_round", cs_round_get_index (cs_run_get_current_round (self)));

  candidates = cs_json_get_array (obj, "candidates");
  rounds = cs_json_get_array (obj, "rounds");
  g_ptr_array_add (lists, candidates);
  for (guint i = 0; i < cs_json_array_length (rounds); i++)
    g_ptr_array_add (lists, cs_json_get_array (cs_json_array_object (rounds, i), "candidates"));
  for (guint l = 0; l < lists->len; l++)
    for (guint i = 0; i < cs_json_array_length (g_ptr_array_index (lists, l)); i++)
      {
        JsonObject *c = cs_json_array_object (g_ptr_array_index (lists, l), i);

        for (guint k = 0; c != NULL && k < G_N_ELEMENTS (candidate_keys); k++)
          ensure_member (c, candidate_keys[k]);
      }

  /* the synthesis is always an object; a deep copy, as the run's own is
   * shared by cs_run_to_json () */
  json_object_set_member (obj, "synthesis", cs_result_json_complete (json_object_get_member (obj, "synthesis")));
  ensure_member (obj, "ranking");

  if (cs_json_get_object (obj, "totals") == NULL)
    json_object_set_object_member (obj, "totals", json_object_new ());
  totals = cs_json_get_object (obj, "totals");
  if (!json_object_has_member (totals, "candidates"))
    json_object_set_int_member (totals, "candidates", cs_json_array_length (candidates));
  json_object_set_int_member (totals, "ok", cs_run_count_status (self, CS_CANDIDATE_OK));
  return root;
}

/* The members a run cannot do without: a format this version reads, a
 * file-name-safe id, a known mode. */
static gboolean
check_run_head (JsonObject  *obj,
                const char **id,
                CsMode      *mode,
                GError     **error)
{
  gint64 format = 0;

  if (!cs_json_get_int (obj, "format", &format) || format < 1)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("The run has no format version"));
      return FALSE;
    }
  if (format > CS_RUN_FORMAT_VERSION)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("The run was saved by a newer Consilium (format %lld, this version reads %d)"),
                   (long long) format, CS_RUN_FORMAT_VERSION);
      return FALSE;
    }

  *id = cs_json_get_string (obj, "id");
  if (*id == NULL || (*id)[0] == '\0' || strchr (*id, '/') != NULL || strstr (*id, "..") != NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("The run has no valid id"));
      return FALSE;
    }
  if (!cs_mode_from_string (cs_json_get_string (obj, "mode"), mode))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("The run has an unknown mode"));
      return FALSE;
    }
  return TRUE;
}

static void
read_constraints (CsRun    *self,
                  JsonNode *member)
{
  JsonObject *c;
  g_autoptr(GList) members = NULL;

  if (member == NULL || !JSON_NODE_HOLDS_OBJECT (member))
    return;
  c = json_node_get_object (member);
  members = json_object_get_members (c);
  for (GList *l = members; l; l = l->next)
    {
      const char *value = cs_json_get_string (c, l->data);
      if (value != NULL && ((const char *)l->data)[0] != '\0')
        cs_run_set_constraint (self, l->data, value);
    }
}

static void
read_candidates (CsRun    *self,
                 JsonNode *member)
{
  JsonArray *arr;

  if (member == NULL || !JSON_NODE_HOLDS_ARRAY (member))
    return;
  arr = json_node_get_array (member);
  for (guint i = 0; i < json_array_get_length (arr); i++)
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(CsCandidate) c = cs_candidate_new_from_json (json_array_get_element (arr, i), &local_error);

      if (c == NULL)
        {
          g_debug ("Skipping a candidate of run %s: %s", self->id, local_error->message);
          continue;
        }
      cs_run_add_candidate (self, c);
    }
}

static void
read_checked_steps (CsRun    *self,
                    JsonNode *member)
{
  JsonArray *arr;

  if (member == NULL || !JSON_NODE_HOLDS_ARRAY (member))
    return;
  arr = json_node_get_array (member);
  for (guint i = 0; i < json_array_get_length (arr); i++)
    {
      JsonNode *e = json_array_get_element (arr, i);
      if (JSON_NODE_HOLDS_VALUE (e) && json_node_get_value_type (e) == G_TYPE_INT64)
        {
          gint64 step = json_node_get_int (e);
          if (step >= 0 && step < 100000)
            g_hash_table_add (self->checked, GUINT_TO_POINTER ((guint)step + 1));
        }
    }
}

static void
read_judge_usage (CsRun    *self,
                  JsonNode *member)
{
  JsonObject *ju;
  JsonNode *cost;
  gint64 v;

  if (member == NULL || !JSON_NODE_HOLDS_OBJECT (member))
    return;
  ju = json_node_get_object (member);
  cost = json_object_get_member (ju, "cost_usd");
  if (cs_json_get_int (ju, "input_tokens", &v))
    self->judge_input_tokens = v;
  if (cs_json_get_int (ju, "output_tokens", &v))
    self->judge_output_tokens = v;
  if (cs_json_get_int (ju, "duration_ms", &v))
    self->judge_duration_ms = v;
  if (cost != NULL && JSON_NODE_HOLDS_VALUE (cost) &&
      (json_node_get_value_type (cost) == G_TYPE_DOUBLE || json_node_get_value_type (cost) == G_TYPE_INT64))
    self->judge_cost_usd = json_node_get_double (cost);
  cost = json_object_get_member (ju, "price_known");
  if (cost != NULL && JSON_NODE_HOLDS_VALUE (cost) && json_node_get_value_type (cost) == G_TYPE_BOOLEAN)
    self->judge_price_known = json_node_get_boolean (cost);
}

static void
read_totals (CsRun    *self,
             JsonNode *member)
{
  JsonObject *totals;
  JsonNode *budget;
  gint64 v;

  if (member == NULL || !JSON_NODE_HOLDS_OBJECT (member))
    return;
  totals = json_node_get_object (member);
  if (cs_json_get_int (totals, "wall_ms", &v) && v >= 0)
    self->wall_ms = v;
  /* files before the member: all usage reported */
  self->usage_estimated = cs_json_get_bool (totals, "usage_estimated");
  budget = json_object_get_member (totals, "budget_usd");
  if (budget != NULL && JSON_NODE_HOLDS_VALUE (budget) &&
      (json_node_get_value_type (budget) == G_TYPE_DOUBLE || json_node_get_value_type (budget) == G_TYPE_INT64))
    cs_run_set_budget_usd (self, json_node_get_double (budget));
}

CsRun *
cs_run_new_from_json (JsonNode  *node,
                      GError   **error)
{
  g_autoptr(CsRun) self = NULL;
  JsonObject *obj;
  JsonNode *member;
  const char *id = NULL;
  gint64 v;
  CsMode mode;
  CsRunState state;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("The run is not a JSON object"));
      return NULL;
    }
  obj = json_node_get_object (node);
  if (!check_run_head (obj, &id, &mode, error))
    return NULL;

  self = g_object_new (CS_TYPE_RUN, NULL);
  g_free (self->id);
  self->id = g_strdup (id);
  self->mode = mode;
  self->title = g_strdup (cs_json_get_string (obj, "title"));
  g_free (self->problem);
  self->problem = g_strdup (cs_json_get_string (obj, "problem") ? cs_json_get_string (obj, "problem") : "");
  if (cs_run_state_from_string (cs_json_get_string (obj, "state"), &state))
    self->state = state;
  self->message = g_strdup (cs_json_get_string (obj, "message"));
  if (cs_json_get_int (obj, "created", &v))
    self->created = v;
  if (cs_json_get_int (obj, "updated", &v))
    self->updated = v;
  self->judge = g_strdup (cs_json_get_string (obj, "judge"));

  read_constraints (self, json_object_get_member (obj, "constraints"));
  read_candidates (self, json_object_get_member (obj, "candidates"));
  member = json_object_get_member (obj, "synthesis");
  if (member != NULL && JSON_NODE_HOLDS_OBJECT (member))
    self->synthesis = json_node_copy (member);
  read_checked_steps (self, json_object_get_member (obj, "checked_steps"));
  read_judge_usage (self, json_object_get_member (obj, "judge_usage"));
  _cs_run_ranking_from_json (self, obj);
  _cs_run_rounds_read (self, obj);
  read_totals (self, json_object_get_member (obj, "totals"));

  return g_steal_pointer (&self);
}
