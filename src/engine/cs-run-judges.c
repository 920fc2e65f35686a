/* cs-run-judges.c: each judge that answered a round, with its usage
 *
 * The only place that knows the members of a round's "judges" records.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-run"

#include "config.h"

#include <math.h>

#include "cs-json-util.h"
#include "cs-round-private.h"
#include "cs-run-judges.h"
#include "cs-run-private.h"

void
cs_judge_use_free (CsJudgeUse *use)
{
  if (use == NULL)
    return;
  g_free (use->model);
  g_free (use);
}

static gint64
add_count (gint64 total,
           gint64 count)
{
  if (count < 0)
    return total;
  if (total < 0)
    return count;
  return total > G_MAXINT64 - count ? G_MAXINT64 : total + count;
}

static JsonObject *
find_record (JsonArray  *array,
             const char *model,
             gboolean    fallback)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *r = cs_json_array_object (array, i);
      if (r == NULL)
        continue;
      if (g_strcmp0 (cs_json_get_string (r, "model"), model) == 0 &&
          cs_json_get_bool (r, "fallback") == !!fallback)
        return r;
    }
  return NULL;
}

void
cs_run_add_judge_use (CsRun            *self,
                      const CsJudgeUse *use)
{
  CsRound *round;
  JsonNode *judges;
  JsonObject *r;
  gint64 v;
  double c = 0;

  g_return_if_fail (CS_IS_RUN (self));
  g_return_if_fail (use != NULL && use->model != NULL);

  round = self->current;
  g_return_if_fail (round != NULL);

  if ((judges = _cs_round_get_judges_json (round)) == NULL)
    {
      g_autoptr(JsonNode) empty = json_node_new (JSON_NODE_ARRAY);

      json_node_take_array (empty, json_array_new ());
      _cs_round_set_judges_json (round, empty);
      judges = _cs_round_get_judges_json (round);
    }
  r = find_record (json_node_get_array (judges), use->model, use->fallback);
  if (r == NULL)
    {
      r = json_object_new ();
      json_object_set_string_member (r, "model", use->model);
      json_object_set_boolean_member (r, "fallback", use->fallback);
      json_object_set_int_member (r, "requests", 0);
      json_object_set_int_member (r, "input_tokens", -1);
      json_object_set_int_member (r, "output_tokens", -1);
      json_object_set_double_member (r, "cost_usd", 0);
      json_object_set_boolean_member (r, "price_known", TRUE);
      json_object_set_int_member (r, "duration_ms", -1);
      json_array_add_object_element (json_node_get_array (judges), r);
    }
  v = 0;
  cs_json_get_int (r, "requests", &v);
  json_object_set_int_member (r, "requests", v + 1);
  v = -1;
  cs_json_get_int (r, "input_tokens", &v);
  json_object_set_int_member (r, "input_tokens", add_count (v, use->input_tokens));
  v = -1;
  cs_json_get_int (r, "output_tokens", &v);
  json_object_set_int_member (r, "output_tokens", add_count (v, use->output_tokens));
  v = -1;
  cs_json_get_int (r, "duration_ms", &v);
  json_object_set_int_member (r, "duration_ms", add_count (v, use->duration_ms));
  cs_json_get_number (r, "cost_usd", &c);
  json_object_set_double_member (r, "cost_usd",
                                 c + (isfinite (use->cost_usd) && use->cost_usd > 0 ? use->cost_usd : 0));
  json_object_set_boolean_member (r, "price_known", cs_json_get_bool (r, "price_known") && use->price_known);
  /* only when so: a record without it (and every older file) is as reported */
  if (use->estimated)
    json_object_set_boolean_member (r, "estimated", TRUE);
  _cs_run_emit_changed (self);
}

GPtrArray *
cs_run_dup_judge_uses (CsRun *self)
{
  GPtrArray *uses = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_judge_use_free);
  JsonNode *judges;
  JsonArray *array;

  g_return_val_if_fail (CS_IS_RUN (self), uses);

  if (self->current == NULL || (judges = _cs_round_get_judges_json (self->current)) == NULL)
    return uses;
  array = json_node_get_array (judges);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *r = cs_json_array_object (array, i);
      const char *model = r != NULL ? cs_json_get_string (r, "model") : NULL;
      CsJudgeUse *use;
      gint64 v;

      if (model == NULL || !g_utf8_validate (model, -1, NULL))
        continue;
      use = g_new0 (CsJudgeUse, 1);
      use->model = g_strdup (model);
      use->input_tokens = use->output_tokens = use->duration_ms = -1;
      use->fallback = cs_json_get_bool (r, "fallback");
      use->price_known = cs_json_get_bool (r, "price_known");
      use->estimated = cs_json_get_bool (r, "estimated");
      if (cs_json_get_int (r, "requests", &v) && v >= 0 && v <= G_MAXUINT)
        use->requests = (guint) v;
      if (cs_json_get_int (r, "input_tokens", &v))
        use->input_tokens = v;
      if (cs_json_get_int (r, "output_tokens", &v))
        use->output_tokens = v;
      if (cs_json_get_int (r, "duration_ms", &v))
        use->duration_ms = v;
      if (!cs_json_get_number (r, "cost_usd", &use->cost_usd) || !isfinite (use->cost_usd))
        use->cost_usd = 0;
      g_ptr_array_add (uses, use);
    }
  return uses;
}

JsonNode *
_cs_round_get_judges_json (CsRound *round)
{
  return round->judges;
}

void
_cs_round_set_judges_json (CsRound  *round,
                           JsonNode *judges)
{
  g_clear_pointer (&round->judges, json_node_unref);
  if (judges != NULL && JSON_NODE_HOLDS_ARRAY (judges))
    round->judges = json_node_copy (judges);
}

void
_cs_round_clear_judges (CsRound *round)
{
  g_clear_pointer (&round->judges, json_node_unref);
}

void
_cs_run_judges_to_json (CsRun       *self,
                        JsonBuilder *b)
{
  JsonNode *judges = self->current != NULL ? _cs_round_get_judges_json (self->current) : NULL;

  if (judges == NULL)
    return;
  json_builder_set_member_name (b, "judges");
  json_builder_add_value (b, json_node_copy (judges));
}
