/* cs-runner-synthesis.c: the runner's synthesis stage
 *
 * The fusion takes a snapshot of the valid candidates and runs in a worker
 * thread (cs_synthesis_fuse_async) while late candidates go on streaming;
 * then the judge model, if the run has one, gets the candidates and the
 * fused result and its verdict is merged in. Whatever fails degrades the
 * result (marked, with a note) instead of failing the run.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-runner"

#include "config.h"

#include <math.h>

#include "cs-json-schema.h"
#include "cs-json-util.h"
#include "cs-mode.h"
#include "cs-result.h"
#include "cs-runner-private.h"
#include "cs-synthesis.h"

static GPtrArray *
valid_candidates (CsRunner *self)
{
  GPtrArray *valid = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < self->slots->len; i++)
    {
      CsRunnerSlot *slot = g_ptr_array_index (self->slots, i);
      if (cs_candidate_get_status (slot->candidate) == CS_CANDIDATE_OK &&
          cs_candidate_get_data (slot->candidate) != NULL)
        g_ptr_array_add (valid, g_object_ref (slot->candidate));
    }
  return valid;
}

/* When even the local fusion fails (it should not), the best single
 * candidate stands, marked degraded: degrade, never die. */
static JsonNode *
fallback_result (CsRunner   *self,
                 GPtrArray  *valid,
                 const char *why)
{
  g_autoptr(CsResult) result = cs_result_new (cs_run_get_mode (self->run));
  CsCandidate *c = g_ptr_array_index (valid, 0);
  g_autofree char *note = g_strdup_printf ("The synthesis failed (%s); this is candidate %s's answer alone.",
                                           why, cs_candidate_get_id (c));

  if (cs_run_get_mode (self->run) == CS_MODE_ARCHITECT)
    cs_result_set_blueprint (result, cs_candidate_get_blueprint (c));
  else
    cs_result_set_checklist (result, cs_candidate_get_checklist (c));
  cs_result_set_total (result, 1);
  cs_result_set_degraded (result, TRUE);
  cs_result_set_note (result, note);
  return cs_result_to_json (result);
}

/* The judge */

void
_cs_runner_judge_done (CsRunner        *self,
                       CsRunnerRequest *request,
                       gboolean         ok,
                       const char      *why)
{
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *reason = NULL;
  CsMode mode = cs_run_get_mode (self->run);

  if (self->cancelled || self->fused == NULL)
    return;

  if (ok)
    {
      g_autoptr(JsonNode) reply = NULL;
      JsonNode *schema = cs_synthesis_get_judge_schema (mode);

      if (request->judge_refusal->len > 0 ||
          g_strcmp0 (request->judge_finish, "content_filter") == 0)
        {
          g_autofree char *shown = request->judge_refusal->len > 0
                                   ? _cs_runner_short_text (request->judge_refusal->str, 300) : NULL;

          reason = shown != NULL ? g_strdup_printf ("it refused: %s", shown)
                                 : g_strdup ("it refused (content filter)");
        }
      else if (g_strcmp0 (request->judge_finish, "length") == 0)
        reason = g_strdup ("its reply was cut off at the token limit");
      else if ((reply = cs_mode_extract_json (request->judge_text->str, &error)) == NULL)
        reason = g_strdup_printf ("its reply held no JSON (%s)", error->message);
      else if (!cs_json_schema_validate (schema, reply, &error))
        reason = g_strdup_printf ("its reply did not fit the schema (%s)", error->message);
      else if ((result = cs_synthesis_apply_judge (mode, self->fused, reply,
                                                   cs_run_get_judge (self->run), &error)) == NULL)
        reason = g_strdup_printf ("its verdict could not be applied (%s)", error->message);
    }
  else
    reason = g_strdup (why ? why : "unknown error");

  if (result == NULL)
    {
      /* the reason is often a whole sentence already */
      gboolean full_stop = g_str_has_suffix (g_strchomp (reason), ".");
      g_autofree char *note = g_strdup_printf ("The judge (%s) failed: %s%s The result combines votes and consensus only.",
                                               cs_run_get_judge (self->run), reason, full_stop ? "" : ".");
      g_debug ("%s", note);
      result = cs_synthesis_mark_degraded (self->fused, note);
    }
  _cs_runner_finish_done (self, result);
}

static void
judge_provider_ready (CsRunner         *self,
                      CsRunnerProvider *provider,
                      gpointer          data)
{
  CsRunnerRequest *request = data;

  request->provider = provider;
  _cs_runner_remove_request (self, request);

  if (self->cancelled)
    {
      _cs_runner_request_free (request);
      _cs_runner_maybe_finish_cancelled (self);
      return;
    }
  if (provider->key_error != NULL)
    {
      _cs_runner_judge_done (self, request, FALSE, provider->key_error);
      _cs_runner_request_free (request);
      return;
    }
  _cs_runner_send_request (self, request);
}

static void
start_judge (CsRunner            *self,
             const CsModelConfig *judge,
             GPtrArray           *valid)
{
  CsMode mode = cs_run_get_mode (self->run);
  CsRunnerRequest *request = _cs_runner_request_new (self, judge);
  g_auto(GStrv) keys = NULL;
  g_auto(GStrv) values = NULL;
  JsonNode *messages;

  _cs_runner_get_constraints (self->run, &keys, &values);
  messages = cs_synthesis_build_judge_messages (mode,
                                                cs_run_get_problem (self->run),
                                                (const char * const *)keys,
                                                (const char * const *)values,
                                                valid, self->fused);
  if (messages == NULL || !JSON_NODE_HOLDS_ARRAY (messages))
    {
      g_clear_pointer (&messages, json_node_unref);
      _cs_runner_judge_done (self, request, FALSE, "its request could not be built");
      _cs_runner_request_free (request);
      return;
    }

  if (judge->structured != CS_STRUCTURED_JSON_SCHEMA)
    {
      /* no schema on the wire: put it in the prompt */
      g_autofree char *schema_text = NULL;
      g_autofree char *content = NULL;
      JsonObject *msg = json_object_new ();

      schema_text = cs_json_to_string (cs_synthesis_get_judge_schema (mode), FALSE);
      content = g_strdup_printf ("Reply with one JSON object only, no prose around it, "
                                 "valid against this JSON Schema:\n%s", schema_text);
      json_object_set_string_member (msg, "role", "user");
      json_object_set_string_member (msg, "content", content);
      json_array_add_object_element (json_node_get_array (messages), msg);
    }

  request->is_judge = TRUE;
  request->judge_text = g_string_new (NULL);
  request->judge_refusal = g_string_new (NULL);
  request->messages = messages;
  request->temperature = isnan (judge->temperature) ? NAN : judge->temperature;
  request->structured = judge->structured;
  if (judge->structured == CS_STRUCTURED_JSON_SCHEMA)
    {
      request->schema = cs_mode_schema_for_strict (cs_synthesis_get_judge_schema (mode));
      request->schema_name = cs_synthesis_get_judge_schema_name (mode);
    }

  g_ptr_array_add (self->requests, request);
  _cs_runner_with_provider (self, judge->provider, judge_provider_ready, request);
}

/* The fusion */

/* The fused result goes to the run's file at once, as a judge that never
 * answered leaves it: a crash while the judge answers keeps it (the store
 * drops it once the run has its own result, or ends). The run itself gets
 * no result until the judge's. */
static void
save_fused (CsRunner   *self,
            const char *judge_id)
{
  g_autofree char *note = NULL;
  g_autoptr(JsonNode) pending = NULL;

  if (self->store == NULL)
    return;
  note = g_strdup_printf ("The judge (%s) was interrupted before it answered. "
                          "The result combines votes and consensus only.", judge_id);
  pending = cs_synthesis_mark_degraded (self->fused, note);
  cs_run_store_set_pending_result (self->store, self->run, pending);
}

/* One fusion in flight: the runner, the candidates it fuses (the judge
 * gets the same ones) and the serial that says whether it is still wanted. */
typedef struct {
  CsRunner  *runner;
  GPtrArray *valid;
  guint      serial;
} FuseData;

static void
fuse_data_free (FuseData *data)
{
  g_clear_object (&data->runner);
  g_clear_pointer (&data->valid, g_ptr_array_unref);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FuseData, fuse_data_free)

static void
fuse_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(FuseData) data = user_data;
  CsRunner *self = data->runner;
  g_autoptr(JsonNode) fused = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *valid = data->valid;
  const char *judge_id;
  const CsModelConfig *judge;

  fused = cs_synthesis_fuse_finish (result, &error);

  /* cancelled or superseded while the fusion ran: the run has moved on
   * (_cs_runner_maybe_finish_cancelled () finished it, or it will once the last
   * request ends) */
  if (data->serial != self->fuse_serial || self->phase != CS_RUNNER_PHASE_SYNTHESIZING || self->cancelled)
    {
      g_debug ("Dropping the result of a fusion that is no longer wanted");
      return;
    }
  g_clear_object (&self->fuse_cancellable);

  g_clear_pointer (&self->fused, json_node_unref);
  self->fused = g_steal_pointer (&fused);
  if (self->fused == NULL)
    {
      g_autoptr(JsonNode) fallback = fallback_result (self, valid, error ? error->message : "no result");
      _cs_runner_finish_done (self, fallback);
      return;
    }

  judge_id = cs_run_get_judge (self->run);
  if (judge_id == NULL)
    {
      g_autoptr(JsonNode) done =
        cs_synthesis_mark_degraded (self->fused,
                                    "No judge model was chosen; the result combines votes and consensus only.");
      _cs_runner_finish_done (self, done);
      return;
    }

  judge = cs_config_find_model (self->config, judge_id);
  if (judge == NULL)
    {
      g_autofree char *note = g_strdup_printf ("The judge model %s is not configured; "
                                               "the result combines votes and consensus only.", judge_id);
      g_autoptr(JsonNode) done = cs_synthesis_mark_degraded (self->fused, note);
      _cs_runner_finish_done (self, done);
      return;
    }

  save_fused (self, judge_id);
  self->judge_start_us = g_get_monotonic_time ();
  start_judge (self, judge, valid);
}

void
_cs_runner_start_synthesis (CsRunner *self)
{
  FuseData *data;

  g_assert (self->phase == CS_RUNNER_PHASE_RUNNING);

  self->phase = CS_RUNNER_PHASE_SYNTHESIZING;
  g_clear_handle_id (&self->deadline_id, g_source_remove);

  if (self->cancel_late)
    _cs_runner_cancel_live (self, "Stopped: the synthesis started without it (quorum or deadline reached)");

  _cs_runner_set_run_state (self, CS_RUN_SYNTHESIZING);

  data = g_new0 (FuseData, 1);
  data->runner = g_object_ref (self);
  data->valid = valid_candidates (self);
  data->serial = ++self->fuse_serial;
  g_assert (data->valid->len > 0);

  g_clear_pointer (&self->fused, json_node_unref);
  /* the fusion takes a snapshot of the candidates here and runs in a
   * worker thread: the main loop goes on (streams of late candidates, the
   * UI) while it works */
  if (self->fuse_cancellable != NULL)
    g_cancellable_cancel (self->fuse_cancellable);
  g_clear_object (&self->fuse_cancellable);
  self->fuse_cancellable = g_cancellable_new ();
  cs_synthesis_fuse_async (cs_run_get_mode (self->run), data->valid,
                           self->fuse_cancellable, fuse_cb, data);
}
