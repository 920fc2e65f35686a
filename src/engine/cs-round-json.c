/* cs-round-json.c: a run's rounds in the run file and in the CLI's JSON
 *
 * In the run file (format 2, written only when a run has more than one
 * round) "rounds" lists every round: its index, scope, follow-up text, step
 * reports, state, message, judge usage and resolution. The current round
 * ("current": true) finds its candidates and synthesis at the top of the
 * file, where format 1 has them; another round carries its own synthesis,
 * and its own candidates when it asked them ("candidates_of" its own
 * index), else it names the round whose candidates it reused. In the CLI's
 * contract every round carries its candidates and synthesis whole.
 *
 * Read leniently, like the rest of the run: a file edited by hand or cut
 * short still loads; what cannot be read is left out.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-round"

#include "config.h"

#include "cs-json-util.h"
#include "cs-run-judges.h"
#include "cs-run-private.h"

/* Writing */

static void
add_str (JsonBuilder *b,
         const char  *key,
         const char  *value)
{
  json_builder_set_member_name (b, key);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

JsonNode *
_cs_resolution_to_json (const CsResolution *resolution)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  if (resolution == NULL)
    return json_node_new (JSON_NODE_NULL);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "round");
  json_builder_add_int_value (b, resolution->round);
  json_builder_set_member_name (b, "step");
  json_builder_add_int_value (b, resolution->step);
  add_str (b, "step_title", resolution->step_title);
  add_str (b, "cause", resolution->cause);
  add_str (b, "summary", resolution->summary);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static void
add_reports (JsonBuilder *b,
             GPtrArray   *reports)
{
  json_builder_set_member_name (b, "step_reports");
  json_builder_begin_array (b);
  for (guint i = 0; i < reports->len; i++)
    {
      const CsStepReport *r = g_ptr_array_index (reports, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "step");
      json_builder_add_int_value (b, r->step);
      add_str (b, "outcome", cs_step_outcome_to_string (r->outcome));
      add_str (b, "output", r->output);
      add_str (b, "title", r->title);
      add_str (b, "command", r->command);
      json_builder_set_member_name (b, "round");
      json_builder_add_int_value (b, r->round);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

static void
add_judge_usage (JsonBuilder *b,
                 CsRound     *round)
{
  json_builder_set_member_name (b, "judge_usage");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "input_tokens");
  json_builder_add_int_value (b, round->judge_input_tokens);
  json_builder_set_member_name (b, "output_tokens");
  json_builder_add_int_value (b, round->judge_output_tokens);
  json_builder_set_member_name (b, "cost_usd");
  json_builder_add_double_value (b, round->judge_cost_usd);
  json_builder_set_member_name (b, "duration_ms");
  json_builder_add_int_value (b, round->judge_duration_ms);
  json_builder_end_object (b);
}

static JsonNode *
round_to_json (CsRound  *round,
               gboolean  current,
               gboolean  complete)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "index");
  json_builder_add_int_value (b, round->index);
  add_str (b, "scope", cs_round_scope_to_string (round->scope));
  add_str (b, "follow_up", round->follow_up);
  add_reports (b, round->reports);
  add_str (b, "state", cs_run_state_to_string (round->state));
  add_str (b, "message", round->message);
  json_builder_set_member_name (b, "created");
  json_builder_add_int_value (b, round->created);
  json_builder_set_member_name (b, "current");
  json_builder_add_boolean_value (b, current);
  json_builder_set_member_name (b, "candidates_of");
  json_builder_add_int_value (b, round->candidates_of);
  add_judge_usage (b, round);
  if (_cs_round_get_judges_json (round) != NULL)
    {
      json_builder_set_member_name (b, "judges");
      json_builder_add_value (b, json_node_copy (_cs_round_get_judges_json (round)));
    }
  _cs_round_judge_knobs_to_json (round, b);
  json_builder_set_member_name (b, "resolution");
  json_builder_add_value (b, _cs_resolution_to_json (round->resolution));

  if (complete || (!current && round->candidates_of == round->index))
    {
      json_builder_set_member_name (b, "candidates");
      json_builder_begin_array (b);
      for (guint i = 0; i < round->candidates->len; i++)
        json_builder_add_value (b, cs_candidate_to_json (g_ptr_array_index (round->candidates, i)));
      json_builder_end_array (b);
    }
  if (complete)
    {
      json_builder_set_member_name (b, "synthesis");
      json_builder_add_value (b, cs_result_json_complete (round->synthesis));
    }
  else if (!current)
    {
      json_builder_set_member_name (b, "synthesis");
      json_builder_add_value (b, round->synthesis != NULL ? json_node_copy (round->synthesis)
                                                          : json_node_new (JSON_NODE_NULL));
    }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

JsonNode *
_cs_run_rounds_to_json (CsRun    *run,
                        gboolean  complete)
{
  JsonArray *array = json_array_new ();
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);
  guint n = cs_run_get_n_rounds (run);

  for (guint i = 1; i <= n; i++)
    {
      CsRound *round = cs_run_get_round (run, i);

      json_array_add_element (array, round_to_json (round, round == run->current, complete));
    }
  json_node_take_array (node, array);
  return node;
}

/* Reading */

static void
read_reports (CsRound    *round,
              JsonObject *obj)
{
  JsonArray *arr = cs_json_get_array (obj, "step_reports");

  for (guint i = 0; i < cs_json_array_length (arr); i++)
    {
      JsonObject *r = cs_json_array_object (arr, i);
      CsStepOutcome outcome;
      gint64 step = 0, from = 0;
      CsStepReport *report;

      if (r == NULL || !cs_json_get_int (r, "step", &step) || step < 1 || step > 10000 ||
          !cs_step_outcome_from_string (cs_json_get_string (r, "outcome"), &outcome))
        continue;
      report = cs_step_report_new ((guint)step, outcome, cs_json_get_string (r, "output"));
      report->title = g_strdup (cs_json_get_string (r, "title"));
      report->command = g_strdup (cs_json_get_string (r, "command"));
      if (cs_json_get_int (r, "round", &from) && from >= 1 && from < round->index)
        report->round = (guint)from;
      g_ptr_array_add (round->reports, report);
    }
}

static CsResolution *
read_resolution (JsonObject *obj)
{
  JsonObject *r = cs_json_get_object (obj, "resolution");
  CsResolution *resolution;
  gint64 v = 0;

  if (r == NULL)
    return NULL;
  resolution = g_new0 (CsResolution, 1);
  if (cs_json_get_int (r, "round", &v) && v >= 1 && v <= G_MAXUINT)
    resolution->round = (guint)v;
  if (cs_json_get_int (r, "step", &v) && v >= 1 && v <= G_MAXUINT)
    resolution->step = (guint)v;
  resolution->step_title = g_strdup (cs_json_get_string (r, "step_title"));
  resolution->cause = g_strdup (cs_json_get_string (r, "cause"));
  resolution->summary = g_strdup (cs_json_get_string (r, "summary"));
  return resolution;
}

static void
read_judge_usage (CsRound    *round,
                  JsonObject *obj)
{
  JsonObject *ju = cs_json_get_object (obj, "judge_usage");
  double cost = 0;
  gint64 v;

  if (ju == NULL)
    return;
  if (cs_json_get_int (ju, "input_tokens", &v))
    round->judge_input_tokens = v;
  if (cs_json_get_int (ju, "output_tokens", &v))
    round->judge_output_tokens = v;
  if (cs_json_get_int (ju, "duration_ms", &v))
    round->judge_duration_ms = v;
  if (cs_json_get_number (ju, "cost_usd", &cost))
    round->judge_cost_usd = cost;
}

static void
read_own_candidates (CsRound    *round,
                     JsonObject *obj)
{
  JsonArray *arr = cs_json_get_array (obj, "candidates");

  for (guint i = 0; i < cs_json_array_length (arr); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CsCandidate) c = cs_candidate_new_from_json (json_array_get_element (arr, i), &error);

      if (c == NULL)
        g_debug ("Skipping a candidate of round %u: %s", round->index, error->message);
      else
        g_ptr_array_add (round->candidates, g_steal_pointer (&c));
    }
}

static CsRound *
read_round (JsonObject *obj,
            guint       index)
{
  CsRoundScope scope = index == 1 ? CS_ROUND_SCOPE_FIRST : CS_ROUND_SCOPE_JUDGE;
  CsRound *round;
  CsRunState state;
  JsonNode *synthesis;
  gint64 v = 0;

  if (index > 1 && !cs_round_scope_from_string (cs_json_get_string (obj, "scope"), &scope))
    scope = CS_ROUND_SCOPE_JUDGE;
  if (index > 1 && scope == CS_ROUND_SCOPE_FIRST)
    scope = CS_ROUND_SCOPE_ALL;
  round = _cs_round_new (index, index == 1 ? CS_ROUND_SCOPE_FIRST : scope,
                         cs_json_get_string (obj, "follow_up"));
  read_reports (round, obj);
  round->state = cs_run_state_from_string (cs_json_get_string (obj, "state"), &state) ? state : CS_RUN_FAILED;
  round->message = g_strdup (cs_json_get_string (obj, "message"));
  if (cs_json_get_int (obj, "created", &v))
    round->created = v;
  if (cs_json_get_int (obj, "candidates_of", &v) && v >= 1 && v <= index)
    round->candidates_of = (guint)v;
  if (round->scope != CS_ROUND_SCOPE_JUDGE)
    round->candidates_of = index;
  read_judge_usage (round, obj);
  _cs_round_set_judges_json (round, json_object_get_member (obj, "judges"));
  _cs_round_judge_knobs_read (round, obj);
  round->resolution = read_resolution (obj);
  if (round->candidates_of == index)
    read_own_candidates (round, obj);
  synthesis = json_object_get_member (obj, "synthesis");
  if (synthesis != NULL && JSON_NODE_HOLDS_OBJECT (synthesis))
    round->synthesis = json_node_copy (synthesis);
  return round;
}

/* The run's own members are those of its current round. */
static void
adopt_run (CsRound *round,
           CsRun   *run)
{
  if (round->candidates_of == round->index || round->candidates->len == 0)
    {
      g_ptr_array_set_size (round->candidates, 0);
      for (guint i = 0; i < run->candidates->len; i++)
        g_ptr_array_add (round->candidates, g_object_ref (g_ptr_array_index (run->candidates, i)));
    }
  _cs_round_set_synthesis (round, run->synthesis);
  _cs_round_set_judge_usage (round, run->judge_input_tokens, run->judge_output_tokens,
                             run->judge_cost_usd, run->judge_duration_ms);
  round->state = run->state;
}

void
_cs_run_rounds_read (CsRun      *run,
                     JsonObject *obj)
{
  JsonArray *arr = cs_json_get_array (obj, "rounds");
  g_autoptr(GPtrArray) rounds = g_ptr_array_new_with_free_func (g_object_unref);
  CsRound *current = NULL;

  for (guint i = 0; i < cs_json_array_length (arr); i++)
    {
      JsonObject *r = cs_json_array_object (arr, i);

      if (r == NULL)
        continue;
      g_ptr_array_add (rounds, read_round (r, rounds->len + 1));
      if (cs_json_get_bool (r, "current"))
        current = g_ptr_array_index (rounds, rounds->len - 1);
    }

  if (rounds->len == 0)
    {
      /* format 1: the run is its first round */
      run->current->created = run->created;
      adopt_run (run->current, run);
      _cs_round_set_judges_json (run->current, json_object_get_member (obj, "judges"));
      _cs_round_judge_knobs_read (run->current, obj);
      return;
    }
  if (current == NULL)
    current = g_ptr_array_index (rounds, rounds->len - 1);

  /* a judge round's candidates are those of the round it names */
  for (guint i = 0; i < rounds->len; i++)
    {
      CsRound *round = g_ptr_array_index (rounds, i);
      CsRound *owner = g_ptr_array_index (rounds, round->candidates_of - 1);

      if (round != current && owner != round && owner != current)
        for (guint c = 0; c < owner->candidates->len; c++)
          g_ptr_array_add (round->candidates, g_object_ref (g_ptr_array_index (owner->candidates, c)));
    }
  adopt_run (current, run);
  for (guint i = 0; i < rounds->len; i++)
    {
      CsRound *round = g_ptr_array_index (rounds, i);
      CsRound *owner = g_ptr_array_index (rounds, round->candidates_of - 1);

      if (round != current && owner == current)
        for (guint c = 0; c < current->candidates->len; c++)
          g_ptr_array_add (round->candidates, g_object_ref (g_ptr_array_index (current->candidates, c)));
    }

  g_list_store_splice (run->rounds, 0, g_list_model_get_n_items (G_LIST_MODEL (run->rounds)),
                       rounds->pdata, rounds->len);
  run->current = current;

  /* a round a crash interrupted leaves the result before it in place */
  if (current->index > 1 && (current->state == CS_RUN_RUNNING || current->state == CS_RUN_SYNTHESIZING))
    _cs_run_end_round (run, CS_RUN_FAILED, "it was interrupted before it finished");
}
