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

#include <glib/gi18n-lib.h>

#include <math.h>

#include "cs-json-schema.h"
#include "cs-judge.h"
#include "cs-json-util.h"
#include "cs-mode.h"
#include "cs-model-label.h"
#include "cs-result.h"
#include "cs-run-ranking.h"
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
  g_autofree char *label = cs_model_label (self->config, cs_candidate_get_model (c));
  /* Translators: why the synthesis failed, the candidate's id ("c1") and
   * its model ("kimi-k2 from Moonshot") */
  g_autofree char *note = g_strdup_printf (_("The synthesis failed (%s); this is the answer of candidate %s "
                                             "alone, from %s."),
                                           why, cs_candidate_get_id (c), label);

  if (cs_run_get_mode (self->run) == CS_MODE_ARCHITECT)
    cs_result_set_blueprint (result, cs_candidate_get_blueprint (c));
  else
    cs_result_set_checklist (result, cs_candidate_get_checklist (c));
  cs_result_set_total (result, 1);
  cs_result_set_degraded (result, TRUE);
  cs_result_set_note (result, note);
  return cs_result_to_json (result);
}

/* The judge
 *
 * The judge sees the candidates blind (ids and angles, no model names) in
 * an order the run's seed shuffles. A reply that holds no JSON, or whose
 * result or rationale does not fit, gets one repair request carrying the
 * validation error; a critique that does not fit is left out with a note.
 * When the judge still fails, the run's fallback judge (if any) gets the
 * same request; when that fails too, the result is the merge alone,
 * degraded, with every reason. */

struct _CsRunnerJudge
{
  char     *model_id;      /* the judge being asked */
  gboolean  on_fallback;
  guint     repairs;       /* of this judge */
  GString  *failures;      /* "The judge (x) failed: why." sentences so far */
  GPtrArray *models;       /* of CsModelConfig*: the judges as asked (knobs applied) */
};

void
_cs_runner_judge_free (CsRunnerJudge *judge)
{
  if (judge == NULL)
    return;
  g_free (judge->model_id);
  g_string_free (judge->failures, TRUE);
  g_clear_pointer (&judge->models, g_ptr_array_unref);
  g_free (judge);
}

static void start_judge (CsRunner            *self,
                         const CsModelConfig *judge,
                         JsonNode            *messages);

/* The ids of the candidates the judge saw, NULL-terminated. */
static GStrv
valid_ids (CsRunner *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; self->synth_valid != NULL && i < self->synth_valid->len; i++)
    g_strv_builder_add (builder, cs_candidate_get_id (g_ptr_array_index (self->synth_valid, i)));
  return g_strv_builder_end (builder);
}

/* "The judge (x) failed: why." added to the failures so far. */
static void
add_failure (CsRunner   *self,
             const char *why)
{
  CsRunnerJudge *judge = self->judge;
  g_autofree char *reason = g_strdup (why ? why : _("unknown error"));
  g_autofree char *label = cs_model_label (self->config, judge->model_id);
  /* the reason is often a whole sentence already */
  gboolean full_stop = g_str_has_suffix (g_strchomp (reason), ".") ||
                       g_str_has_suffix (reason, "!") || g_str_has_suffix (reason, "?") ||
                       g_str_has_suffix (reason, "…");

  if (judge->failures->len > 0)
    g_string_append_c (judge->failures, ' ');
  /* Translators: the judge's model ("o3 from OpenAI"), then why it
   * failed, then "." unless the reason ends with one (or with "!", "?", "…") */
  g_string_append_printf (judge->failures, judge->on_fallback ? _("The fallback judge, %s, failed: %s%s")
                                                              : _("The judge, %s, failed: %s%s"),
                          label, reason, full_stop ? "" : ".");
}

/* The verdict of a reply that arrived, or NULL with @reason set; @repairable
 * says whether a repair request may fix it. */
static JsonNode *
read_verdict (CsRunner         *self,
              CsRunnerRequest  *request,
              char            **reason,
              gboolean         *repairable)
{
  CsMode mode = cs_run_get_mode (self->run);
  g_autoptr(JsonNode) reply = NULL;
  g_autoptr(JsonNode) checked = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *notes = NULL;
  g_auto(GStrv) ids = NULL;
  JsonNode *result;

  *repairable = FALSE;
  if (request->judge_refusal->len > 0 || g_strcmp0 (request->judge_finish, "content_filter") == 0)
    {
      g_autofree char *shown = request->judge_refusal->len > 0
                               ? _cs_runner_short_text (request->judge_refusal->str, 300) : NULL;

      *reason = shown != NULL ? g_strdup_printf (_("it refused: %s"), shown)
                              : g_strdup (_("it refused (content filter)"));
      return NULL;
    }
  if (g_strcmp0 (request->judge_finish, "length") == 0)
    {
      *reason = g_strdup (_("its reply was cut off at the token limit"));
      return NULL;
    }
  *repairable = TRUE;
  if ((reply = cs_mode_extract_json (request->judge_text->str, &error)) == NULL)
    {
      *reason = g_strdup_printf (_("its reply held no JSON (%s)"), error->message);
      return NULL;
    }
  ids = valid_ids (self);
  if ((checked = cs_judge_check_reply (mode, reply, (const char * const *)ids, &notes, &error)) == NULL)
    {
      *reason = g_strdup_printf (_("its reply did not fit the schema (%s)"), error->message);
      return NULL;
    }
  *repairable = FALSE;
  result = cs_synthesis_apply_judge (mode, self->fused, checked, self->judge->model_id, &error);
  if (result == NULL)
    {
      *reason = g_strdup_printf (_("its verdict could not be applied (%s)"), error->message);
      return NULL;
    }
  if (notes != NULL || self->judge->failures->len > 0)
    {
      g_autofree char *note = g_strjoin (" ", self->judge->failures->len > 0 ? self->judge->failures->str : "",
                                         notes != NULL ? notes : "", NULL);

      json_object_set_string_member (json_node_get_object (result), "note", g_strstrip (note));
    }
  return result;
}

/* A repair request to the same judge, once: the bad reply and why. */
static gboolean
try_repair (CsRunner        *self,
            CsRunnerRequest *request,
            const char      *reason)
{
  g_autoptr(JsonNode) messages = NULL;

  if (self->judge->repairs >= CS_RUNNER_MAX_REPAIRS || request->messages == NULL)
    return FALSE;
  self->judge->repairs++;
  g_debug ("The judge %s: repairing (%s)", self->judge->model_id, reason);
  messages = cs_mode_build_repair_messages (request->messages, request->judge_text->str, reason);
  if (messages == NULL)
    return FALSE;
  start_judge (self, request->model, messages);
  return TRUE;
}

/* The fallback judge, once, when the run has one other than the first. */
static gboolean
try_fallback (CsRunner *self)
{
  const char *fallback = cs_run_get_fallback_judge (self->run);
  const CsModelConfig *model;

  if (self->judge->on_fallback || fallback == NULL || g_strcmp0 (fallback, self->judge->model_id) == 0)
    return FALSE;
  self->judge->on_fallback = TRUE;
  self->judge->repairs = 0;
  g_free (self->judge->model_id);
  self->judge->model_id = g_strdup (fallback);
  model = cs_config_find_model (self->config, fallback);
  if (model == NULL)
    {
      add_failure (self, _("it is not configured"));
      return FALSE;
    }
  g_debug ("Asking the fallback judge %s", fallback);
  start_judge (self, model, NULL);
  return TRUE;
}

void
_cs_runner_judge_done (CsRunner        *self,
                       CsRunnerRequest *request,
                       gboolean         ok,
                       const char      *why)
{
  g_autoptr(JsonNode) result = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *note = NULL;
  gboolean repairable = FALSE;

  if (self->cancelled || self->fused == NULL || self->judge == NULL)
    return;

  if (ok)
    result = read_verdict (self, request, &reason, &repairable);
  else
    reason = g_strdup (why ? why : _("unknown error"));

  if (result != NULL)
    {
      _cs_runner_finish_done (self, result);
      return;
    }
  if (repairable && try_repair (self, request, reason))
    return;
  add_failure (self, reason);
  if (try_fallback (self))
    return;
  if (_cs_runner_follow_up_judge_only (self))
    {
      /* a follow-up the judge alone answers has no result without it
       * (cs-runner-follow-up.c) */
      _cs_runner_finish_round_failed (self, self->judge->failures->str);
      return;
    }

  note = g_strdup_printf (_("%s The result combines votes and consensus only."), self->judge->failures->str);
  g_debug ("%s", note);
  result = cs_synthesis_mark_degraded (self->fused, note);
  _cs_runner_finish_done (self, result);
}

static void
judge_provider_ready (CsRunner         *self,
                      CsRunnerProvider *provider,
                      gpointer          data)
{
  _cs_runner_send_when_ready (self, provider, data, _cs_runner_judge_done);
}

/* The judge's messages: blind, in the seed's order, the peer ranking as
 * evidence; the schema in the prompt for a model that takes none. */
static JsonNode *
judge_messages (CsRunner            *self,
                const CsModelConfig *judge)
{
  CsMode mode = cs_run_get_mode (self->run);
  g_auto(GStrv) keys = NULL;
  g_auto(GStrv) values = NULL;
  JsonNode *messages;

  _cs_runner_get_constraints (self->run, &keys, &values);
  messages = cs_synthesis_build_judge_messages (mode,
                                                cs_run_get_problem (self->run),
                                                (const char * const *)keys,
                                                (const char * const *)values,
                                                self->synth_valid, self->fused,
                                                cs_run_ensure_seed (self->run),
                                                cs_run_get_ranking (self->run));
  if (messages == NULL || !JSON_NODE_HOLDS_ARRAY (messages))
    {
      g_clear_pointer (&messages, json_node_unref);
      return NULL;
    }
  _cs_runner_follow_up_extend_judge (self, messages);
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
  return messages;
}

/* A request to @judge: @messages (a repair's), or the judge's own. */
static void
start_judge (CsRunner            *self,
             const CsModelConfig *judge,
             JsonNode            *messages)
{
  CsMode mode = cs_run_get_mode (self->run);
  CsRunnerRequest *request;
  g_autofree char *why = NULL;

  /* the judge with the knobs this run asks it with (a repair's is already) */
  if (!g_ptr_array_find (self->judge->models, judge, NULL))
    {
      CsModelConfig *asked = _cs_runner_judge_model (self, judge);

      g_ptr_array_add (self->judge->models, asked);
      _cs_runner_record_judge_knobs (self, asked);
      judge = asked;
    }
  request = _cs_runner_request_new (self, judge);

  request->is_judge = TRUE;
  request->is_repair = messages != NULL;
  request->judge_text = g_string_new (NULL);
  request->judge_refusal = g_string_new (NULL);
  request->messages = messages != NULL ? json_node_ref (messages) : judge_messages (self, judge);
  if (request->messages == NULL)
    {
      _cs_runner_judge_done (self, request, FALSE, _("its request could not be built"));
      _cs_runner_request_free (request);
      return;
    }
  request->temperature = judge->temperature;
  request->structured = judge->structured;
  if (!_cs_runner_budget_allows (self, request, &why))
    {
      _cs_runner_judge_done (self, request, FALSE, why);
      _cs_runner_request_free (request);
      return;
    }
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
  g_autofree char *label = NULL;
  g_autoptr(JsonNode) pending = NULL;

  if (self->store == NULL)
    return;
  label = cs_model_label (self->config, judge_id);
  /* Translators: the judge's model ("o3 from OpenAI") */
  note = g_strdup_printf (_("The judge, %s, was interrupted before it answered. "
                          "The result combines votes and consensus only."), label);
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
      g_autoptr(JsonNode) fallback = fallback_result (self, valid, error ? error->message : _("no result"));
      _cs_runner_finish_done (self, fallback);
      return;
    }

  _cs_runner_synthesis_continue (self);
}

/* Once the fusion is done and the rankers (if any) have answered: the
 * judge, or the merge alone. */
void
_cs_runner_synthesis_continue (CsRunner *self)
{
  const char *judge_id;
  const CsModelConfig *judge;

  if (self->fused == NULL || self->phase != CS_RUNNER_PHASE_SYNTHESIZING || self->cancelled ||
      self->judge != NULL || _cs_runner_ranking_pending (self))
    return;

  judge_id = cs_run_get_judge (self->run);
  if (judge_id == NULL)
    {
      g_autoptr(JsonNode) done =
        cs_synthesis_mark_degraded (self->fused,
                                    _("No judge model was chosen; the result combines votes and consensus only."));
      _cs_runner_finish_done (self, done);
      return;
    }

  self->judge = g_new0 (CsRunnerJudge, 1);
  self->judge->model_id = g_strdup (judge_id);
  self->judge->failures = g_string_new (NULL);
  self->judge->models = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_model_config_free);
  save_fused (self, judge_id);
  self->judge_start_us = g_get_monotonic_time ();

  judge = cs_config_find_model (self->config, judge_id);
  if (judge == NULL)
    {
      g_autofree char *note = NULL;
      g_autoptr(JsonNode) done = NULL;

      add_failure (self, _("it is not configured"));
      if (try_fallback (self))
        return;
      note = g_strdup_printf (_("%s The result combines votes and consensus only."), self->judge->failures->str);
      done = cs_synthesis_mark_degraded (self->fused, note);
      _cs_runner_finish_done (self, done);
      return;
    }
  start_judge (self, judge, NULL);
}

void
_cs_runner_start_synthesis (CsRunner *self)
{
  FuseData *data;

  g_assert (self->phase == CS_RUNNER_PHASE_RUNNING);

  self->phase = CS_RUNNER_PHASE_SYNTHESIZING;
  g_clear_handle_id (&self->deadline_id, g_source_remove);

  if (self->cancel_late)
    _cs_runner_cancel_live (self, _("Stopped: the synthesis started without it (quorum or deadline reached)"));

  _cs_runner_set_run_state (self, CS_RUN_SYNTHESIZING);

  data = g_new0 (FuseData, 1);
  data->runner = g_object_ref (self);
  data->valid = valid_candidates (self);
  data->serial = ++self->fuse_serial;
  g_assert (data->valid->len > 0);
  g_clear_pointer (&self->synth_valid, g_ptr_array_unref);
  self->synth_valid = g_ptr_array_ref (data->valid);
  g_clear_pointer (&self->judge, _cs_runner_judge_free);
  g_clear_pointer (&self->ranking, _cs_runner_ranking_free);

  g_clear_pointer (&self->fused, json_node_unref);
  /* the fusion takes a snapshot of the candidates here and runs in a
   * worker thread: the main loop goes on (streams of late candidates, the
   * UI) while it works */
  if (self->fuse_cancellable != NULL)
    g_cancellable_cancel (self->fuse_cancellable);
  g_clear_object (&self->fuse_cancellable);
  self->fuse_cancellable = g_cancellable_new ();
  /* the rankers answer while the fusion works; the judge waits for both */
  if (cs_run_get_rank (self->run))
    _cs_runner_start_ranking (self, data->valid);
  cs_synthesis_fuse_async (cs_run_get_mode (self->run), data->valid,
                           self->fuse_cancellable, fuse_cb, data);
}
