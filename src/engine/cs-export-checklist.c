/* cs-export-checklist.c: the synthesized checklist as Markdown
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-export"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "cs-export-private.h"

static void
append_labelled (GString    *out,
                 const char *label,
                 const char *text)
{
  if (text == NULL || *text == '\0')
    return;
  g_string_append (out, label);
  cs_export_append_inline (out, text);
  g_string_append_c (out, '\n');
}

/* A step's risk in words of the user's language ("none", "low", …). */
static const char *
risk_words (const char *risk)
{
  if (g_strcmp0 (risk, "none") == 0)
    return C_("risk", "none");
  if (g_strcmp0 (risk, "low") == 0)
    return C_("risk", "low");
  if (g_strcmp0 (risk, "medium") == 0)
    return C_("risk", "medium");
  if (g_strcmp0 (risk, "high") == 0)
    return C_("risk", "high");
  return risk;
}

/* Under a step: its command, what to expect, what if it fails, then its
 * risk, effort and how many candidates agreed ("@verb by N of M"). */
static void
append_step_details (GString      *out,
                     CsRun        *run,
                     const CsStep *step,
                     const char   *verb)
{
  g_autoptr(GString) meta = g_string_new (NULL);
  g_autoptr(GString) agreement = g_string_new (NULL);

  if (step->command != NULL && *step->command != '\0')
    {
      g_string_append_c (out, '\n');
      cs_export_append_code_block (out, "sh", step->command, "  ");
    }
  g_string_append_c (out, '\n');
  {
    g_autofree char *expected = g_strdup_printf ("  - %s ", _("Expected:"));
    g_autofree char *if_fails = g_strdup_printf ("  - %s ", _("If it fails:"));

    append_labelled (out, expected, step->expected);
    append_labelled (out, if_fails, step->if_fails);
  }
  if (step->risk != NULL)
    {
      g_string_append_printf (meta, "%s ", _("Risk:"));
      cs_export_append_inline (meta, risk_words (step->risk));
    }
  if (step->has_effort)
    {
      if (meta->len > 0)
        g_string_append (meta, " · ");
      g_string_append_printf (meta, _("effort: %d min"), step->effort_minutes);
    }
  cs_export_append_agreement (agreement, run, &step->item, verb);
  if (agreement->len > 0)
    g_string_append_printf (meta, "%s%s", meta->len ? " · " : "", agreement->str);
  if (meta->len > 0)
    g_string_append_printf (out, "  - %c%s\n", g_ascii_toupper (meta->str[0]), meta->str + 1);
}

/* "**title** — action" */
static void
append_step_head (GString        *out,
                  const char     *title,
                  const char     *action,
                  const CsOrigin *origin)
{
  cs_export_append_inline (out, title);
  g_string_append (out, "**");
  if (action != NULL && *action)
    {
      g_string_append (out, " — ");
      cs_export_append_inline (out, action);
    }
  if (origin != NULL)
    cs_export_append_origin (out, origin);
  g_string_append_c (out, '\n');
}

static void
append_causes (GString     *out,
               CsChecklist *checklist)
{
  GPtrArray *causes = cs_checklist_get_likely_causes (checklist);

  if (causes->len == 0)
    return;
  g_string_append_printf (out, "### %s\n\n", _("Likely causes"));
  for (guint i = 0; i < causes->len; i++)
    {
      CsCause *cause = g_ptr_array_index (causes, i);

      g_string_append (out, "- ");
      cs_export_append_inline (out, cause->cause);
      if (cause->likelihood != NULL)
        {
          g_string_append (out, " (");
          cs_export_append_inline (out, cs_export_likelihood_words (cause->likelihood));
          g_string_append (out, ")");
        }
      cs_export_append_origin (out, &cause->item.origin);
      g_string_append_c (out, '\n');
    }
  g_string_append_c (out, '\n');
}

static void
append_steps (GString     *out,
              CsRun       *run,
              CsChecklist *checklist)
{
  GPtrArray *steps = cs_checklist_get_steps (checklist);

  g_string_append_printf (out, "### %s\n\n", _("Steps"));
  for (guint i = 0; i < steps->len; i++)
    {
      CsStep *step = g_ptr_array_index (steps, i);

      g_string_append_printf (out, "- [%c] **%u. ", cs_run_get_step_checked (run, i) ? 'x' : ' ', i + 1);
      append_step_head (out, step->title, step->action, &step->item.origin);
      append_step_details (out, run, step, "agreed");
      g_string_append_c (out, '\n');
    }
}

/* An alternative seen as a step (whatever its kind, as the checklist shows
 * every alternative as one): borrows its strings. */
static CsStep
alternative_as_step (const CsAlternative *alt)
{
  CsStep step = { 0 };

  step.item = alt->item;
  step.title = alt->title;
  step.action = alt->action;
  step.command = alt->command;
  step.expected = alt->expected;
  step.if_fails = alt->if_fails;
  step.risk = alt->risk;
  step.has_effort = alt->has_effort;
  step.effort_minutes = alt->effort_minutes;
  return step;
}

static void
append_alternatives (GString     *out,
                     CsRun       *run,
                     CsResult    *result,
                     CsChecklist *checklist)
{
  GPtrArray *alternatives = cs_result_get_alternatives (result);
  guint n_steps = cs_checklist_get_steps (checklist)->len;

  if (alternatives->len == 0)
    return;
  g_string_append_printf (out, "### %s\n\n", _("If that did not work, try…"));
  for (guint i = 0; i < alternatives->len; i++)
    {
      CsAlternative *alt = g_ptr_array_index (alternatives, i);
      CsStep step = alternative_as_step (alt);

      g_string_append (out, "- ");
      if (alt->after_step >= 0 && (guint)alt->after_step < n_steps)
        g_string_append_printf (out, _("After step %d: "), alt->after_step + 1);
      g_string_append (out, "**");
      /* (an alternative's candidates are in its details) */
      append_step_head (out, alt->title, alt->action, NULL);
      append_step_details (out, run, &step, "proposed");
      g_string_append_c (out, '\n');
    }
}

void
cs_export_append_checklist (GString  *out,
                            CsRun    *run,
                            CsResult *result)
{
  CsChecklist *checklist = cs_result_get_checklist (result);
  const char *escalate = cs_checklist_get_escalate_when (checklist);

  g_string_append_printf (out, "## %s\n\n", _("Checklist"));
  if (cs_checklist_get_summary (checklist) != NULL)
    {
      cs_export_append_paragraphs (out, cs_checklist_get_summary (checklist), "");
      g_string_append_c (out, '\n');
      cs_export_append_summary_origin (out, result);
    }
  cs_export_append_origin_legend (out, run, result);
  append_causes (out, checklist);
  append_steps (out, run, checklist);
  append_alternatives (out, run, result, checklist);
  if (escalate != NULL && *escalate)
    {
      g_string_append_printf (out, "### %s\n\n", _("When to escalate"));
      cs_export_append_paragraphs (out, escalate, "");
      g_string_append_c (out, '\n');
    }
}
