/* cs-round.c: one round of a run, its step reports, and a run's rounds
 *
 * The object and its accessors; the run's side of starting and ending a
 * round (which round is current, which candidates the run lists). The file
 * form is in cs-round-json.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-round"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "cs-result-synthesis.h"
#include "cs-round-private.h"
#include "cs-run-private.h"

G_DEFINE_FINAL_TYPE (CsRound, cs_round, G_TYPE_OBJECT)

G_DEFINE_BOXED_TYPE (CsStepReport, cs_step_report, cs_step_report_copy, cs_step_report_free)

/* Step reports */

CsStepReport *
cs_step_report_new (guint          step,
                    CsStepOutcome  outcome,
                    const char    *output)
{
  CsStepReport *report = g_new0 (CsStepReport, 1);

  report->step = step;
  report->outcome = outcome;
  report->output = output != NULL && output[0] != '\0' ? g_strdup (output) : NULL;
  return report;
}

CsStepReport *
cs_step_report_copy (const CsStepReport *report)
{
  CsStepReport *copy;

  g_return_val_if_fail (report != NULL, NULL);

  copy = g_new0 (CsStepReport, 1);
  copy->step = report->step;
  copy->outcome = report->outcome;
  copy->output = g_strdup (report->output);
  copy->title = g_strdup (report->title);
  copy->command = g_strdup (report->command);
  copy->round = report->round;
  return copy;
}

void
cs_step_report_free (CsStepReport *report)
{
  if (report == NULL)
    return;
  g_free (report->output);
  g_free (report->title);
  g_free (report->command);
  g_free (report);
}

gboolean
cs_step_report_check (const CsStepReport  *report,
                      GError             **error)
{
  gsize len;

  g_return_val_if_fail (report != NULL, FALSE);

  if (report->step == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Steps are numbered from 1"));
      return FALSE;
    }
  if (report->output == NULL)
    return TRUE;
  len = strlen (report->output);
  if (len > CS_STEP_OUTPUT_MAX_BYTES)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                   _("The output of step %u is %zu bytes; at most %d bytes are kept, verbatim: "
                   "keep the part that matters (the error and the lines around it)"),
                   report->step, (size_t)len, CS_STEP_OUTPUT_MAX_BYTES);
      return FALSE;
    }
  if (!g_utf8_validate (report->output, len, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The output of step %u is not UTF-8 text"), report->step);
      return FALSE;
    }
  return TRUE;
}

/* Names */

const char *
cs_round_scope_to_string (CsRoundScope scope)
{
  switch (scope)
    {
    case CS_ROUND_SCOPE_JUDGE: return "judge";
    case CS_ROUND_SCOPE_ALL: return "all";
    case CS_ROUND_SCOPE_FIRST:
    default: return "first";
    }
}

gboolean
cs_round_scope_from_string (const char   *str,
                            CsRoundScope *out)
{
  if (g_strcmp0 (str, "judge") == 0)
    *out = CS_ROUND_SCOPE_JUDGE;
  else if (g_strcmp0 (str, "all") == 0)
    *out = CS_ROUND_SCOPE_ALL;
  else if (g_strcmp0 (str, "first") == 0)
    *out = CS_ROUND_SCOPE_FIRST;
  else
    return FALSE;
  return TRUE;
}

const char *
cs_step_outcome_to_string (CsStepOutcome outcome)
{
  switch (outcome)
    {
    case CS_STEP_WORKED: return "worked";
    case CS_STEP_SKIPPED: return "skipped";
    case CS_STEP_FAILED:
    default: return "failed";
    }
}

gboolean
cs_step_outcome_from_string (const char    *str,
                             CsStepOutcome *out)
{
  if (g_strcmp0 (str, "worked") == 0)
    *out = CS_STEP_WORKED;
  else if (g_strcmp0 (str, "failed") == 0 || g_strcmp0 (str, "did-not-work") == 0)
    *out = CS_STEP_FAILED;
  else if (g_strcmp0 (str, "skipped") == 0)
    *out = CS_STEP_SKIPPED;
  else
    return FALSE;
  return TRUE;
}

/* The object */

void
_cs_resolution_free (CsResolution *resolution)
{
  if (resolution == NULL)
    return;
  g_free (resolution->step_title);
  g_free (resolution->cause);
  g_free (resolution->summary);
  g_free (resolution);
}

static void
clear_result (CsRound *self)
{
  g_clear_pointer (&self->result, cs_result_unref);
  g_clear_pointer (&self->result_from, json_node_unref);
}

static void
cs_round_finalize (GObject *object)
{
  CsRound *self = (CsRound *)object;

  g_clear_pointer (&self->follow_up, g_free);
  g_clear_pointer (&self->reports, g_ptr_array_unref);
  g_clear_pointer (&self->candidates, g_ptr_array_unref);
  g_clear_pointer (&self->message, g_free);
  g_clear_pointer (&self->synthesis, json_node_unref);
  clear_result (self);
  g_clear_pointer (&self->resolution, _cs_resolution_free);
  g_clear_pointer (&self->judges, json_node_unref);
  _cs_round_set_judge_knobs (self, NULL, NULL);

  G_OBJECT_CLASS (cs_round_parent_class)->finalize (object);
}

static void
cs_round_class_init (CsRoundClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cs_round_finalize;
}

static void
cs_round_init (CsRound *self)
{
  self->reports = g_ptr_array_new_with_free_func ((GDestroyNotify)cs_step_report_free);
  self->candidates = g_ptr_array_new_with_free_func (g_object_unref);
  self->created = g_get_real_time () / G_USEC_PER_SEC;
  self->judge_input_tokens = -1;
  self->judge_output_tokens = -1;
  self->judge_duration_ms = -1;
}

CsRound *
_cs_round_new (guint         index,
               CsRoundScope  scope,
               const char   *follow_up)
{
  CsRound *self = g_object_new (CS_TYPE_ROUND, NULL);

  self->index = index;
  self->candidates_of = index;
  self->scope = scope;
  self->follow_up = follow_up != NULL && follow_up[0] != '\0' ? g_strdup (follow_up) : NULL;
  return self;
}

guint
cs_round_get_index (CsRound *self)
{
  g_return_val_if_fail (CS_IS_ROUND (self), 0);
  return self->index;
}

CsRoundScope
cs_round_get_scope (CsRound *self)
{
  g_return_val_if_fail (CS_IS_ROUND (self), CS_ROUND_SCOPE_FIRST);
  return self->scope;
}

const char *
cs_round_get_follow_up (CsRound *self)
{
  g_return_val_if_fail (CS_IS_ROUND (self), NULL);
  return self->follow_up;
}

GPtrArray *
cs_round_get_step_reports (CsRound *self)
{
  g_return_val_if_fail (CS_IS_ROUND (self), NULL);
  return self->reports;
}

GPtrArray *
cs_round_get_candidates (CsRound *self)
{
  g_return_val_if_fail (CS_IS_ROUND (self), NULL);
  return self->candidates;
}

guint
cs_round_get_candidates_of (CsRound *self)
{
  g_return_val_if_fail (CS_IS_ROUND (self), 0);
  return self->candidates_of;
}

CsRunState
cs_round_get_state (CsRound *self)
{
  g_return_val_if_fail (CS_IS_ROUND (self), CS_RUN_FAILED);
  return self->state;
}

const char *
cs_round_get_message (CsRound *self)
{
  g_return_val_if_fail (CS_IS_ROUND (self), NULL);
  return self->message;
}

gint64
cs_round_get_created (CsRound *self)
{
  g_return_val_if_fail (CS_IS_ROUND (self), 0);
  return self->created;
}

JsonNode *
cs_round_get_synthesis (CsRound *self)
{
  g_return_val_if_fail (CS_IS_ROUND (self), NULL);
  return self->synthesis;
}

CsResult *
cs_round_get_result (CsRound *self)
{
  g_return_val_if_fail (CS_IS_ROUND (self), NULL);

  if (self->result_from != self->synthesis)
    {
      clear_result (self);
      if (self->synthesis != NULL)
        {
          /* the mode is the run's; a checklist has steps */
          CsMode mode = cs_result_json_guess_mode (self->synthesis);

          self->result_from = json_node_ref (self->synthesis);
          self->result = cs_result_new_from_json (mode, self->synthesis, NULL);
        }
    }
  return self->result;
}

const CsResolution *
cs_round_get_resolution (CsRound *self)
{
  g_return_val_if_fail (CS_IS_ROUND (self), NULL);
  return self->resolution;
}

gboolean
cs_round_get_judge_usage (CsRound *self,
                          gint64  *input_tokens,
                          gint64  *output_tokens,
                          double  *cost_usd,
                          gint64  *duration_ms)
{
  g_return_val_if_fail (CS_IS_ROUND (self), FALSE);

  if (input_tokens != NULL)
    *input_tokens = self->judge_input_tokens;
  if (output_tokens != NULL)
    *output_tokens = self->judge_output_tokens;
  if (cost_usd != NULL)
    *cost_usd = self->judge_cost_usd;
  if (duration_ms != NULL)
    *duration_ms = self->judge_duration_ms;
  return self->judge_input_tokens >= 0;
}

/* What the run hands its current round */

void
_cs_round_add_candidate (CsRound     *self,
                         CsCandidate *candidate)
{
  if (!g_ptr_array_find (self->candidates, candidate, NULL))
    g_ptr_array_add (self->candidates, g_object_ref (candidate));
}

void
_cs_round_set_synthesis (CsRound  *self,
                         JsonNode *synthesis)
{
  clear_result (self);
  if (self->synthesis == synthesis)
    return;
  g_clear_pointer (&self->synthesis, json_node_unref);
  if (synthesis != NULL)
    self->synthesis = json_node_ref (synthesis);
}

void
_cs_round_set_state (CsRound    *self,
                     CsRunState  state)
{
  self->state = state;
}

void
_cs_round_set_message (CsRound    *self,
                       const char *message)
{
  g_free (self->message);
  self->message = g_strdup (message);
}

void
_cs_round_set_judge_usage (CsRound *self,
                           gint64   input_tokens,
                           gint64   output_tokens,
                           double   cost_usd,
                           gint64   duration_ms)
{
  self->judge_input_tokens = input_tokens;
  self->judge_output_tokens = output_tokens;
  self->judge_cost_usd = cost_usd;
  self->judge_duration_ms = duration_ms;
}

void
_cs_round_set_resolution (CsRound      *self,
                          CsResolution *resolution)
{
  g_clear_pointer (&self->resolution, _cs_resolution_free);
  self->resolution = resolution;
}

/* The run's rounds */

GListModel *
cs_run_get_rounds (CsRun *self)
{
  g_return_val_if_fail (CS_IS_RUN (self), NULL);
  return G_LIST_MODEL (self->rounds);
}

guint
cs_run_get_n_rounds (CsRun *self)
{
  g_return_val_if_fail (CS_IS_RUN (self), 0);
  return g_list_model_get_n_items (G_LIST_MODEL (self->rounds));
}

CsRound *
cs_run_get_round (CsRun *self,
                  guint  index)
{
  g_autoptr(CsRound) round = NULL;

  g_return_val_if_fail (CS_IS_RUN (self), NULL);

  if (index == 0)
    return NULL;
  /* the store holds a reference: the one returned is borrowed */
  round = g_list_model_get_item (G_LIST_MODEL (self->rounds), index - 1);
  return round;
}

CsRound *
cs_run_get_current_round (CsRun *self)
{
  g_return_val_if_fail (CS_IS_RUN (self), NULL);
  return self->current;
}

const CsResolution *
cs_run_get_resolution (CsRun *self)
{
  g_return_val_if_fail (CS_IS_RUN (self), NULL);
  return self->current != NULL ? self->current->resolution : NULL;
}

/* Replaces the run's list of candidates with @candidates. */
static void
set_run_candidates (CsRun     *run,
                    GPtrArray *candidates)
{
  guint removed = run->candidates->len;

  for (guint i = 0; i < run->candidates->len; i++)
    g_signal_handlers_disconnect_by_data (g_ptr_array_index (run->candidates, i), run);
  g_ptr_array_set_size (run->candidates, 0);
  for (guint i = 0; i < candidates->len; i++)
    _cs_run_attach_candidate (run, g_ptr_array_index (candidates, i));
  g_list_model_items_changed (G_LIST_MODEL (run), 0, removed, run->candidates->len);
  g_object_notify (G_OBJECT (run), "n-items");
}

CsRound *
_cs_run_begin_round (CsRun        *run,
                     CsRoundScope  scope,
                     const char   *follow_up,
                     GPtrArray    *reports)
{
  CsRound *previous = run->current;
  g_autoptr(CsRound) round = _cs_round_new (cs_run_get_n_rounds (run) + 1, scope, follow_up);

  g_assert (previous != NULL);

  for (guint i = 0; reports != NULL && i < reports->len; i++)
    g_ptr_array_add (round->reports, cs_step_report_copy (g_ptr_array_index (reports, i)));

  if (scope == CS_ROUND_SCOPE_JUDGE)
    {
      for (guint i = 0; i < previous->candidates->len; i++)
        g_ptr_array_add (round->candidates, g_object_ref (g_ptr_array_index (previous->candidates, i)));
      round->candidates_of = previous->candidates_of;
    }

  round->state = CS_RUN_RUNNING;
  g_list_store_append (run->rounds, round);
  run->current = round;
  /* the previous round keeps its own judge usage; this one has none yet */
  run->judge_input_tokens = run->judge_output_tokens = run->judge_duration_ms = -1;
  run->judge_cost_usd = 0;
  if (scope == CS_ROUND_SCOPE_ALL)
    {
      g_autoptr(GPtrArray) none = g_ptr_array_new ();
      set_run_candidates (run, none);
    }
  _cs_run_emit_changed (run);
  return round;
}

static CsRound *
last_done_before (CsRun *run,
                  guint  index)
{
  for (guint i = index - 1; i >= 1; i--)
    {
      CsRound *round = cs_run_get_round (run, i);

      if (round->state == CS_RUN_DONE && round->synthesis != NULL)
        return round;
    }
  return NULL;
}

void
_cs_run_end_round (CsRun      *run,
                   CsRunState  state,
                   const char *message)
{
  CsRound *round = run->current;
  CsRound *back;
  g_autofree char *why = NULL;

  g_assert (round != NULL);

  if (state == CS_RUN_DONE || round->index == 1 ||
      (back = last_done_before (run, round->index)) == NULL)
    {
      round->state = state;
      _cs_round_set_message (round, message);
      return;
    }

  round->state = state;
  _cs_round_set_message (round, message);

  /* the result before it stands */
  run->current = back;
  if (round->scope == CS_ROUND_SCOPE_ALL)
    set_run_candidates (run, back->candidates);
  run->judge_input_tokens = back->judge_input_tokens;
  run->judge_output_tokens = back->judge_output_tokens;
  run->judge_cost_usd = back->judge_cost_usd;
  run->judge_duration_ms = back->judge_duration_ms;
  if (run->synthesis != back->synthesis)
    cs_run_set_synthesis (run, back->synthesis);

  if (state == CS_RUN_CANCELLED)
    why = g_strdup_printf (_("Round %u was cancelled; the result is still round %u's."),
                           round->index, back->index);
  else
    why = g_strdup_printf (_("Round %u failed (%s); the result is still round %u's."),
                           round->index, message != NULL ? message : _("no reason given"), back->index);
  cs_run_set_message (run, why);
  cs_run_set_state (run, CS_RUN_DONE);
  _cs_run_emit_changed (run);
}

void
_cs_run_other_rounds_totals (CsRun  *run,
                             double *cost_usd,
                             gint64 *input_tokens,
                             gint64 *output_tokens)
{
  guint n = cs_run_get_n_rounds (run);

  *cost_usd = 0;
  *input_tokens = 0;
  *output_tokens = 0;
  for (guint i = 1; i <= n; i++)
    {
      CsRound *round = cs_run_get_round (run, i);

      if (round == run->current)
        continue;
      *cost_usd += round->judge_cost_usd;
      *input_tokens += MAX (round->judge_input_tokens, 0);
      *output_tokens += MAX (round->judge_output_tokens, 0);
      /* a judge round's candidates are counted with the round that asked
       * them; the current round's are the run's own, counted by the run */
      if (round->candidates_of != round->index || round->index == run->current->candidates_of)
        continue;
      for (guint c = 0; c < round->candidates->len; c++)
        {
          CsCandidate *candidate = g_ptr_array_index (round->candidates, c);

          *cost_usd += cs_candidate_get_cost_usd (candidate);
          *input_tokens += MAX (cs_candidate_get_input_tokens (candidate), 0);
          *output_tokens += MAX (cs_candidate_get_output_tokens (candidate), 0);
        }
    }
}
