/* cs-export-rounds.c: a run's rounds in the Markdown export
 *
 * A closed troubleshooting session starts with its resolution; the current
 * result says which round it is and what was asked for it; the earlier
 * rounds follow it, each with its follow-up, scope, step reports (outputs
 * verbatim in code blocks) and the gist of its result. Everything a person
 * or a model wrote is escaped (cs-export-text.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-export"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "cs-export-private.h"

static const char *
scope_words (CsRoundScope scope)
{
  switch (scope)
    {
    case CS_ROUND_SCOPE_JUDGE: return _("the judge revised the result");
    case CS_ROUND_SCOPE_ALL: return _("every model answered again");
    case CS_ROUND_SCOPE_FIRST:
    default: return _("the first answer");
    }
}

static const char *
outcome_words (CsStepOutcome outcome)
{
  switch (outcome)
    {
    case CS_STEP_WORKED: return C_("step outcome", "worked");
    case CS_STEP_SKIPPED: return C_("step outcome", "skipped");
    case CS_STEP_FAILED:
    default: return C_("step outcome", "did not work");
    }
}

void
cs_export_append_resolution (GString *out,
                             CsRun   *run)
{
  const CsResolution *resolution = cs_run_get_resolution (run);

  if (resolution == NULL)
    return;
  g_string_append_printf (out, "\n## %s\n\n", _("Resolved"));
  g_string_append (out, "- ");
  g_string_append_printf (out, _("Fixed by: step %u, “"), resolution->step);
  cs_export_append_inline (out, resolution->step_title != NULL ? resolution->step_title : _("untitled"));
  g_string_append_printf (out, _("” (reported as worked; closed in round %u)"), resolution->round);
  g_string_append_c (out, '\n');
  if (resolution->cause != NULL && resolution->cause[0] != '\0')
    {
      g_string_append_printf (out, "- %s ", _("Likely root cause:"));
      cs_export_append_inline (out, resolution->cause);
      g_string_append_c (out, '\n');
    }
  if (resolution->summary != NULL && resolution->summary[0] != '\0')
    {
      g_string_append_printf (out, "- %s ", _("Summary:"));
      cs_export_append_inline (out, resolution->summary);
      g_string_append_c (out, '\n');
    }
}

static void
append_reports (GString *out,
                CsRound *round)
{
  GPtrArray *reports = cs_round_get_step_reports (round);

  if (reports->len == 0)
    return;
  g_string_append_printf (out, "**%s**\n\n", _("Step reports:"));
  for (guint i = 0; i < reports->len; i++)
    {
      const CsStepReport *r = g_ptr_array_index (reports, i);

      g_string_append (out, "- ");
      g_string_append_printf (out, _("Step %u of round %u, “"), r->step, r->round);
      cs_export_append_inline (out, r->title != NULL ? r->title : _("untitled"));
      g_string_append_printf (out, "”: **%s**", outcome_words (r->outcome));
      if (r->command != NULL && r->command[0] != '\0')
        {
          g_string_append_printf (out, " (%s ", _("command:"));
          cs_export_append_inline (out, r->command);
          g_string_append (out, ")");
        }
      g_string_append_c (out, '\n');
      if (r->output != NULL && r->output[0] != '\0')
        {
          g_string_append_c (out, '\n');
          cs_export_append_code_block (out, "text", r->output, "  ");
          g_string_append_c (out, '\n');
        }
    }
  g_string_append_c (out, '\n');
}

/* What was asked in @round: its scope, follow-up and step reports. */
static void
append_asked (GString *out,
              CsRound *round)
{
  g_string_append_printf (out, "- %s %s\n", _("How:"), scope_words (cs_round_get_scope (round)));
  if (cs_round_get_state (round) != CS_RUN_DONE)
    g_string_append_printf (out, "- %s %s\n", _("State:"), cs_run_state_words (cs_round_get_state (round)));
  if (cs_round_get_message (round) != NULL && cs_round_get_message (round)[0] != '\0')
    {
      g_string_append_printf (out, "- %s ", _("Note:"));
      cs_export_append_inline (out, cs_round_get_message (round));
      g_string_append_c (out, '\n');
    }
  g_string_append_c (out, '\n');
  if (cs_round_get_follow_up (round) != NULL)
    {
      g_string_append_printf (out, "**%s**\n\n", _("Follow-up:"));
      cs_export_append_code_block (out, "text", cs_round_get_follow_up (round), "");
      g_string_append_c (out, '\n');
    }
  append_reports (out, round);
}

void
cs_export_append_judge_settings (GString *out,
                                 CsRound *round)
{
  const CsKnobs *knobs = cs_round_get_judge_knobs (round, NULL);
  g_autofree char *text = knobs != NULL ? cs_knobs_to_string (knobs) : NULL;

  if (text == NULL || text[0] == '\0')
    return;
  g_string_append_printf (out, ", %s ", _("settings:"));
  cs_export_append_inline (out, text);
}

/* Every step reported as not working, in any round up to the current
 * one: what the reports ruled out, said by the reports themselves. */
static void
append_ruled_out (GString *out,
                  CsRun   *run)
{
  guint current = cs_round_get_index (cs_run_get_current_round (run));
  gboolean any = FALSE;

  for (guint i = 1; i <= current; i++)
    {
      CsRound *round = cs_run_get_round (run, i);
      GPtrArray *reports = cs_round_get_step_reports (round);

      if (cs_round_get_state (round) != CS_RUN_DONE)
        continue;
      for (guint j = 0; j < reports->len; j++)
        {
          const CsStepReport *r = g_ptr_array_index (reports, j);

          if (r->outcome != CS_STEP_FAILED)
            continue;
          if (!any)
            g_string_append_printf (out, "**%s** %s\n\n", _("Ruled out so far"), _("(steps reported as not working):"));
          any = TRUE;
          g_string_append (out, "- “");
          cs_export_append_inline (out, r->title != NULL ? r->title : _("untitled"));
          g_string_append_printf (out, _("” (step %u of round %u)"), r->step, r->round);
          g_string_append_c (out, '\n');
        }
    }
  if (any)
    g_string_append_c (out, '\n');
}

void
cs_export_append_current_round (GString *out,
                                CsRun   *run)
{
  CsRound *round = cs_run_get_current_round (run);

  if (cs_run_get_n_rounds (run) < 2)
    return;
  g_string_append (out, "## ");
  g_string_append_printf (out, _("Round %u of %u (the current result)"),
                          cs_round_get_index (round), cs_run_get_n_rounds (run));
  g_string_append (out, "\n\n");
  append_asked (out, round);
  append_ruled_out (out, run);
}

/* The gist of a round's result: its summary and the titles of its steps or
 * components. */
static void
append_gist (GString *out,
             CsRound *round)
{
  CsResult *result = cs_round_get_result (round);
  CsChecklist *checklist = result != NULL ? cs_result_get_checklist (result) : NULL;
  CsBlueprint *blueprint = result != NULL ? cs_result_get_blueprint (result) : NULL;
  const char *summary = checklist != NULL ? cs_checklist_get_summary (checklist)
                      : blueprint != NULL ? cs_blueprint_get_summary (blueprint) : NULL;

  if (result == NULL)
    {
      g_string_append_printf (out, "%s\n\n", _("No result in this round."));
      return;
    }
  if (summary != NULL && summary[0] != '\0')
    {
      g_string_append_printf (out, "**%s** ", _("Result:"));
      cs_export_append_inline (out, summary);
      g_string_append (out, "\n\n");
    }
  if (checklist != NULL)
    {
      GPtrArray *steps = cs_checklist_get_steps (checklist);

      for (guint i = 0; i < steps->len; i++)
        {
          const CsStep *step = g_ptr_array_index (steps, i);

          g_string_append_printf (out, "%u. ", i + 1);
          cs_export_append_inline (out, step->title != NULL ? step->title : _("untitled"));
          g_string_append_c (out, '\n');
        }
    }
  else if (blueprint != NULL)
    {
      GPtrArray *components = cs_blueprint_get_components (blueprint);

      for (guint i = 0; i < components->len; i++)
        {
          const CsComponent *c = g_ptr_array_index (components, i);

          g_string_append (out, "- ");
          cs_export_append_inline (out, c->name != NULL ? c->name : _("unnamed"));
          if (c->technology != NULL && c->technology[0] != '\0')
            {
              g_string_append (out, ": ");
              cs_export_append_inline (out, c->technology);
            }
          g_string_append_c (out, '\n');
        }
    }
  g_string_append_c (out, '\n');
}

void
cs_export_append_rounds (GString *out,
                         CsRun   *run)
{
  guint n = cs_run_get_n_rounds (run);
  CsRound *current = cs_run_get_current_round (run);

  if (n < 2)
    return;
  g_string_append_printf (out, "## %s\n\n", _("Earlier rounds"));
  for (guint i = 1; i <= n; i++)
    {
      CsRound *round = cs_run_get_round (run, i);

      if (round == current)
        continue;
      g_string_append (out, "### ");
      g_string_append_printf (out, i > cs_round_get_index (current) ? _("Round %u (after the current result)") : _("Round %u"), i);
      g_string_append (out, "\n\n");
      append_asked (out, round);
      append_gist (out, round);
    }
}
