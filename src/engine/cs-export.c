/* cs-export.c: a run as Markdown or JSON
 *
 * The Markdown document: its head, the problem and constraints and how the
 * result was synthesized are written here; the result itself by
 * cs-export-blueprint.c or cs-export-checklist.c, the candidates and costs by
 * cs-export-candidates.c, all from the typed result model (cs-result.h),
 * with the escaping of cs-export-text.c: model text cannot break the
 * document's structure.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-export"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "cs-constraint-check.h"
#include "cs-export-private.h"
#include "cs-json-util.h"
#include "cs-mode.h"

static void
append_head (GString *out,
             CsRun   *run)
{
  CsMode mode = cs_run_get_mode (run);
  g_autoptr(GDateTime) created = g_date_time_new_from_unix_utc (cs_run_get_created (run));
  g_autofree char *date = created != NULL ? g_date_time_format (created, "%Y-%m-%d %H:%M UTC") : g_strdup (_("unknown"));

  g_string_append (out, "# ");
  cs_export_append_inline (out, cs_run_get_title (run) && *cs_run_get_title (run) ? cs_run_get_title (run) : _("Consilium run"));
  g_string_append_printf (out, "\n\n- %s %s\n- %s %s\n- %s ",
                          _("Mode:"),
                          mode == CS_MODE_SUPPORT ? _("Tech Support (a troubleshooting checklist)")
                                                  : _("Systems Architect (a system blueprint)"),
                          _("Date:"), date, _("Run:"));
  cs_export_append_inline (out, cs_run_get_id (run));
  g_string_append_printf (out, "\n- %s %s\n", _("State:"), cs_run_state_words (cs_run_get_state (run)));
  if (cs_run_get_message (run) != NULL && *cs_run_get_message (run))
    {
      g_string_append_printf (out, "- %s ", _("Note:"));
      cs_export_append_inline (out, cs_run_get_message (run));
      g_string_append_c (out, '\n');
    }
}

/* Where the result breaks the constraints just listed (cs-constraint-check.h). */
static void
append_breaches (GString *out,
                 CsRun   *run)
{
  g_autoptr(GPtrArray) breaches = cs_constraint_check_run (run);

  if (breaches->len == 0)
    return;
  g_string_append_printf (out, "**%s**\n\n", _("Where the result breaks them:"));
  for (guint i = 0; i < breaches->len; i++)
    {
      CsConstraintBreach *breach = g_ptr_array_index (breaches, i);

      g_string_append (out, "- ");
      cs_export_append_inline (out, breach->message);
      g_string_append_c (out, '\n');
    }
  g_string_append_c (out, '\n');
}

/* The same, for the JSON export: "constraint_breaches": [{ constraint,
 * message, and budget_usd + estimate_usd or technologies }]. */
static void
add_breaches_json (JsonObject *root,
                   CsRun      *run)
{
  g_autoptr(GPtrArray) breaches = cs_constraint_check_run (run);
  JsonArray *array = json_array_new ();

  for (guint i = 0; i < breaches->len; i++)
    {
      CsConstraintBreach *breach = g_ptr_array_index (breaches, i);
      JsonObject *obj = json_object_new ();

      json_object_set_string_member (obj, "constraint", breach->key);
      json_object_set_string_member (obj, "message", breach->message);
      if (breach->kind == CS_CONSTRAINT_OVER_BUDGET)
        {
          json_object_set_double_member (obj, "budget_usd", breach->budget_usd);
          json_object_set_double_member (obj, "estimate_usd", breach->estimate_usd);
        }
      else
        {
          JsonArray *list = json_array_new ();

          for (guint j = 0; breach->technologies[j] != NULL; j++)
            json_array_add_string_element (list, breach->technologies[j]);
          json_object_set_array_member (obj, "technologies", list);
        }
      json_array_add_object_element (array, obj);
    }
  json_object_set_array_member (root, "constraint_breaches", array);
}

static void
append_problem (GString *out,
                CsRun   *run)
{
  const char * const *keys = cs_run_get_constraint_keys (run);
  guint n;

  g_string_append_printf (out, "\n## %s\n\n", _("Problem"));
  cs_export_append_code_block (out, "text", cs_run_get_problem (run), "");

  g_string_append_printf (out, "\n## %s\n\n", _("Constraints"));
  for (n = 0; keys != NULL && keys[n] != NULL; n++)
    {
      g_string_append (out, "- **");
      cs_export_append_inline (out, _(cs_mode_get_constraint_label (keys[n])));
      g_string_append (out, ":** ");
      cs_export_append_inline (out, cs_run_get_constraint (run, keys[n]));
      g_string_append_c (out, '\n');
    }
  if (n == 0)
    g_string_append_printf (out, "%s\n", _("None given."));
  g_string_append_c (out, '\n');
  append_breaches (out, run);
}

static void
append_critiques (GString  *out,
                  CsRun    *run,
                  CsResult *result)
{
  GPtrArray *critiques = cs_result_get_critiques (result);

  if (critiques->len == 0)
    return;
  g_string_append_printf (out, "**%s**\n\n", _("Critiques:"));
  for (guint i = 0; i < critiques->len; i++)
    {
      CsCritique *c = g_ptr_array_index (critiques, i);
      CsCandidate *candidate;

      if (c->candidate == NULL)
        continue;
      candidate = cs_run_find_candidate (run, c->candidate);
      g_string_append (out, "- **");
      cs_export_append_inline (out, c->candidate);
      g_string_append (out, "**");
      if (candidate != NULL && cs_candidate_get_model (candidate) != NULL)
        {
          g_string_append (out, " (");
          cs_export_append_inline (out, cs_export_model_name (cs_candidate_get_model (candidate)));
          g_string_append (out, ")");
        }
      if (c->has_score)
        {
          g_string_append (out, " — ");
          g_string_append_printf (out, _("score %d/10"), c->score);
        }
      g_string_append_c (out, '\n');
      if (c->strengths != NULL && *c->strengths)
        {
          g_string_append_printf (out, "  - %s ", _("Strengths:"));
          cs_export_append_inline (out, c->strengths);
          g_string_append_c (out, '\n');
        }
      if (c->weaknesses != NULL && *c->weaknesses)
        {
          g_string_append_printf (out, "  - %s ", _("Weaknesses:"));
          cs_export_append_inline (out, c->weaknesses);
          g_string_append_c (out, '\n');
        }
    }
  g_string_append_c (out, '\n');
}

/* Whether the person chose no judge and the candidates were merged as
 * asked: a choice, said plainly, not a degradation (a judge that failed, or
 * a merge that failed, is one). The same rule as the app's result view. */
static gboolean
no_judge_chosen (CsRun    *run,
                 CsResult *result)
{
  return cs_run_get_judge (run) == NULL &&
         !cs_result_has_method (result, CS_METHOD_JUDGE) &&
         (cs_result_has_method (result, CS_METHOD_ENSEMBLE) || cs_result_has_method (result, CS_METHOD_CONSENSUS));
}

static void
append_method_notes (GString  *out,
                     CsRun    *run,
                     CsResult *result,
                     CsConfig *config)
{
  const char * const *methods = cs_result_get_methods (result);
  const char *rationale = cs_result_get_rationale (result);

  g_string_append_printf (out, "### %s\n\n- %s ", _("How this was synthesized"), _("Methods:"));
  for (guint i = 0; methods[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append (out, ", ");
      cs_export_append_inline (out, cs_export_method_words (methods[i]));
    }
  if (methods[0] == NULL)
    g_string_append (out, C_("methods", "none"));
  if (cs_result_get_judge_model (result) != NULL)
    {
      /* a sentence of its own, as the app's result view writes it: a
       * provider's name may have parentheses of its own */
      g_string_append_printf (out, ". %s ", _("Judge:"));
      cs_export_append_model (out, config, cs_result_get_judge_model (result));
      cs_export_append_judge_settings (out, cs_run_get_current_round (run));
      g_string_append_c (out, '.');
    }
  g_string_append_c (out, '\n');
  if (cs_result_get_total (result) > 0)
    {
      g_string_append (out, "- ");
      g_string_append_printf (out, _("Valid candidates: %d"), (int)cs_result_get_total (result));
      g_string_append_c (out, '\n');
    }
  if (no_judge_chosen (run, result))
    g_string_append_printf (out, "- %s\n", _("Judge: none chosen; the result combines the candidates' votes and consensus."));
  else if (cs_result_is_degraded (result))
    {
      g_string_append_printf (out, "- **%s** ", _("Degraded:"));
      cs_export_append_inline (out, cs_result_get_note (result) ? cs_result_get_note (result)
                                                                : _("the judge did not contribute"));
      g_string_append_c (out, '\n');
    }
  else if (cs_result_get_note (result) != NULL && *cs_result_get_note (result) != '\0')
    {
      g_string_append_printf (out, "- **%s** ", _("Note:"));
      cs_export_append_inline (out, cs_result_get_note (result));
      g_string_append_c (out, '\n');
    }
  g_string_append_c (out, '\n');

  if (rationale != NULL && *rationale != '\0')
    {
      g_string_append_printf (out, "**%s**\n\n", _("Judge's rationale:"));
      cs_export_append_paragraphs (out, rationale, "> ");
      g_string_append_c (out, '\n');
    }
  append_critiques (out, run, result);
}

static void
append_result (GString  *out,
               CsRun    *run,
               CsConfig *config)
{
  CsMode mode = cs_run_get_mode (run);
  CsResult *result = cs_run_get_result (run);

  if (result == NULL ||
      (mode == CS_MODE_SUPPORT ? cs_result_get_checklist (result) == NULL : cs_result_get_blueprint (result) == NULL))
    {
      g_string_append_printf (out, "## %s\n\n%s\n\n",
                              mode == CS_MODE_SUPPORT ? _("Checklist") : _("Blueprint"),
                              cs_run_get_state (run) == CS_RUN_FAILED ? _("No synthesized result: no candidate succeeded.")
                                                                      : _("No synthesized result: synthesis has not run."));
      return;
    }
  if (mode == CS_MODE_SUPPORT)
    cs_export_append_checklist (out, run, result);
  else
    cs_export_append_blueprint (out, run, result);
  append_method_notes (out, run, result, config);
}

char *
cs_export_markdown (CsRun *run)
{
  return cs_export_markdown_with_names (run, NULL);
}

char *
cs_export_markdown_with_names (CsRun    *run,
                               CsConfig *config)
{
  GString *out;

  g_return_val_if_fail (CS_IS_RUN (run), NULL);
  g_return_val_if_fail (config == NULL || CS_IS_CONFIG (config), NULL);

  out = g_string_new (NULL);
  append_head (out, run);
  cs_export_append_resolution (out, run);
  append_problem (out, run);
  cs_export_append_current_round (out, run);
  append_result (out, run, config);
  cs_export_append_ranking (out, run);
  cs_export_append_rounds (out, run);
  cs_export_append_candidates (out, run, config);
  cs_export_append_costs (out, run);

  /* one trailing newline */
  while (out->len > 1 && out->str[out->len - 1] == '\n' && out->str[out->len - 2] == '\n')
    g_string_truncate (out, out->len - 1);

  return g_string_free (out, FALSE);
}

char *
cs_export_json (CsRun *run)
{
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (CS_IS_RUN (run), NULL);

  root = cs_run_to_json_complete (run);
  add_breaches_json (json_node_get_object (root), run);
  /* Not json_generator_to_data (): json-glib 1.6 writes 1e22 as "1e+22.0". */
  return cs_json_to_string (root, TRUE);
}
