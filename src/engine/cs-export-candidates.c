/* cs-export-candidates.c: the candidates and the cost table as Markdown
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-export"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <math.h>
#include <string.h>

#include "cs-export-private.h"
#include "cs-run-judges.h"

/* Reasoning kept in the export, in characters: a thinking model may write
 * 100 000 and more, which would bury the answers. */
#define REASONING_MAX_CHARS 20000

/* " · 1,234 in / 567 out tokens · $0.0123 · first token after 800 ms · 4.2 s in total" */
static void
append_usage (GString     *out,
              CsCandidate *candidate)
{
  gint64 in = cs_candidate_get_input_tokens (candidate);
  gint64 outt = cs_candidate_get_output_tokens (candidate);
  gint64 ttft = cs_candidate_get_ttft_ms (candidate);
  gint64 duration = cs_candidate_get_duration_ms (candidate);
  g_autofree char *cost = cs_export_format_cost (cs_candidate_get_cost_usd (candidate),
                                                 cs_candidate_get_price_known (candidate));

  if (in >= 0 || outt >= 0)
    {
      g_autofree char *in_s = in >= 0 ? cs_export_format_thousands (in) : g_strdup ("?");
      g_autofree char *out_s = outt >= 0 ? cs_export_format_thousands (outt) : g_strdup ("?");

      g_string_append (out, " · ");
      g_string_append_printf (out, _("%s in / %s out tokens"), in_s, out_s);
      if (cs_candidate_get_usage_estimated (candidate))
        /* Translators: after "1,234 in / 567 out tokens": counted by
         * Consilium, the budget stopped the request before its provider
         * said */
        g_string_append_printf (out, " (%s)", _("estimated"));
    }
  g_string_append_printf (out, " · %s", cost);
  if (ttft >= 0)
    {
      g_autofree char *ttft_s = cs_export_format_thousands (ttft);

      g_string_append (out, " · ");
      g_string_append_printf (out, _("first token after %s ms"), ttft_s);
    }
  if (duration >= 0)
    {
      g_autofree char *total = cs_export_format_double ("%.1f", duration / 1000.0);

      g_string_append (out, " · ");
      g_string_append_printf (out, _("%s s in total"), total);
    }
}

/* "### c1 (kimi-k2) — done", then its provider, angle, usage, error. */
static void
append_candidate_head (GString     *out,
                       CsMode       mode,
                       CsConfig    *config,
                       CsCandidate *candidate)
{
  const char *model = cs_candidate_get_model (candidate);
  const char *angle = cs_export_angle_label (mode, cs_candidate_get_angle (candidate));
  const char *error = cs_candidate_get_error (candidate);
  g_autofree char *provider = cs_export_provider_name (config, model);
  g_autoptr(GString) meta = g_string_new (NULL);

  g_string_append (out, "### ");
  cs_export_append_candidate (out, NULL, cs_candidate_get_id (candidate));
  g_string_append (out, " (");
  cs_export_append_inline (out, cs_export_model_name (model));
  g_string_append (out, ") — ");
  g_string_append (out, cs_candidate_status_words (cs_candidate_get_status (candidate)));
  g_string_append (out, "\n\n");

  if (provider != NULL)
    {
      g_string_append_printf (meta, " · %s ", _("Provider:"));
      cs_export_append_inline (meta, provider);
    }
  if (angle != NULL)
    {
      g_string_append_printf (meta, " · %s ", _("angle:"));
      cs_export_append_inline (meta, angle);
    }
  {
    g_autofree char *settings = cs_knobs_describe_candidate (candidate);

    if (settings[0] != '\0')
      {
        g_string_append_printf (meta, " · %s ", _("settings:"));
        cs_export_append_inline (meta, settings);
      }
  }
  append_usage (meta, candidate);
  /* the pieces each start with " · " */
  g_string_append (out, g_str_has_prefix (meta->str, " · ") ? meta->str + strlen (" · ") : meta->str);
  g_string_append (out, "\n\n");

  if (error != NULL && *error != '\0')
    {
      g_string_append_printf (out, "**%s** ", _("Error:"));
      cs_export_append_inline (out, error);
      g_string_append (out, "\n\n");
    }
}

/* A candidate without a structured answer: the start of its reply. */
static void
append_reply_start (GString     *out,
                    CsCandidate *candidate)
{
  const char *text = cs_candidate_get_text (candidate);
  g_autofree char *head = NULL;

  if (cs_candidate_get_error (candidate) != NULL || text == NULL || *text == '\0')
    return;
  g_string_append_printf (out, "%s\n\n", _("No structured answer; the reply began:"));
  head = g_utf8_substring (text, 0, MIN (g_utf8_strlen (text, -1), 400));
  cs_export_append_code_block (out, "text", head, "");
  g_string_append_c (out, '\n');
}

static void
append_summary (GString    *out,
                const char *summary)
{
  if (summary == NULL)
    return;
  cs_export_append_paragraphs (out, summary, "");
  g_string_append_c (out, '\n');
}

static void
append_blueprint_points (GString     *out,
                         CsBlueprint *bp)
{
  GPtrArray *components = cs_blueprint_get_components (bp);
  double cost;

  append_summary (out, cs_blueprint_get_summary (bp));
  for (guint i = 0; i < components->len; i++)
    {
      CsComponent *comp = g_ptr_array_index (components, i);

      g_string_append (out, "- ");
      cs_export_append_inline (out, comp->name);
      g_string_append (out, ": ");
      cs_export_append_inline (out, comp->technology);
      g_string_append_c (out, '\n');
    }
  if (cs_blueprint_get_monthly_cost (bp, &cost))
    {
      g_autofree char *amount = cs_export_format_dollars (cost);

      g_string_append (out, "- ");
      g_string_append_printf (out, _("Estimated cost: $%s/month"), amount);
      g_string_append_c (out, '\n');
    }
}

static void
append_checklist_points (GString     *out,
                         CsChecklist *checklist)
{
  GPtrArray *steps = cs_checklist_get_steps (checklist);

  append_summary (out, cs_checklist_get_summary (checklist));
  for (guint i = 0; i < steps->len; i++)
    {
      g_string_append_printf (out, "%u. ", i + 1);
      cs_export_append_inline (out, ((CsStep *)g_ptr_array_index (steps, i))->title);
      g_string_append_c (out, '\n');
    }
}

/* The reasoning, collapsed: <details> as an HTML block, closed by a blank
 * line, then the text as escaped Markdown paragraphs (no "<" in it can
 * close the block or open a tag), then the closing tag. */
static void
append_reasoning (GString     *out,
                  CsCandidate *candidate)
{
  const char *reasoning = cs_candidate_get_reasoning (candidate);
  g_autofree char *kept = NULL;
  glong chars;

  if (reasoning == NULL || !g_utf8_validate (reasoning, -1, NULL))
    return;
  while (g_ascii_isspace (*reasoning))
    reasoning++;
  if (*reasoning == '\0')
    return;

  chars = g_utf8_strlen (reasoning, -1);
  kept = g_utf8_substring (reasoning, 0, MIN (chars, REASONING_MAX_CHARS));
  g_string_append_printf (out, "<details><summary>%s</summary>\n\n", _("Reasoning"));
  cs_export_append_paragraphs (out, kept, "");
  if (chars > REASONING_MAX_CHARS)
    {
      g_autofree char *shown = cs_export_format_thousands (REASONING_MAX_CHARS);
      g_autofree char *total = cs_export_format_thousands (chars);

      g_string_append_printf (out, _("\n*The reasoning is cut here: %s of its %s characters are shown.*\n"),
                              shown, total);
    }
  g_string_append (out, "\n</details>\n\n");
}

static void
append_candidate (GString     *out,
                  CsMode       mode,
                  CsConfig    *config,
                  CsCandidate *candidate)
{
  append_candidate_head (out, mode, config, candidate);
  if (mode == CS_MODE_ARCHITECT && cs_candidate_get_blueprint (candidate) != NULL)
    append_blueprint_points (out, cs_candidate_get_blueprint (candidate));
  else if (mode != CS_MODE_ARCHITECT && cs_candidate_get_checklist (candidate) != NULL)
    append_checklist_points (out, cs_candidate_get_checklist (candidate));
  else
    {
      append_reply_start (out, candidate);
      append_reasoning (out, candidate);
      return;
    }
  g_string_append_c (out, '\n');
  append_reasoning (out, candidate);
}

void
cs_export_append_candidates (GString  *out,
                             CsRun    *run,
                             CsConfig *config)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (run));

  g_string_append_printf (out, "## %s\n\n", _("Candidates"));
  if (n == 0)
    g_string_append_printf (out, "%s\n\n", _("None."));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CsCandidate) candidate = g_list_model_get_item (G_LIST_MODEL (run), i);

      append_candidate (out, cs_run_get_mode (run), config, candidate);
    }
}

/* ------------------------------------------------------------------------ */
/* Costs                                                                    */
/* ------------------------------------------------------------------------ */

static void
append_cost_row (GString     *out,
                 CsCandidate *candidate)
{
  /* the id tells apart two candidates of one model */
  g_autofree char *label = g_strdup_printf ("%s (%s)", cs_candidate_get_id (candidate),
                                            cs_export_model_name (cs_candidate_get_model (candidate)));
  g_autofree char *model = cs_export_cell (label);
  gboolean estimated = cs_candidate_get_usage_estimated (candidate);
  g_autofree char *in = cs_export_approx (cs_export_format_tokens (cs_candidate_get_input_tokens (candidate)), estimated);
  g_autofree char *outt = cs_export_approx (cs_export_format_tokens (cs_candidate_get_output_tokens (candidate)), estimated);
  g_autofree char *cost = cs_export_cost_cell (cs_candidate_get_cost_usd (candidate),
                                               cs_candidate_get_price_known (candidate), estimated);
  g_autofree char *ttft = cs_candidate_get_ttft_ms (candidate) >= 0
                            ? cs_export_format_thousands (cs_candidate_get_ttft_ms (candidate)) : g_strdup ("—");
  g_autofree char *total = cs_candidate_get_duration_ms (candidate) >= 0
                             ? cs_export_format_double ("%.1f", cs_candidate_get_duration_ms (candidate) / 1000.0)
                             : g_strdup ("—");
  double tps = cs_candidate_get_tokens_per_second (candidate);
  g_autofree char *rate = tps > 0 ? cs_export_format_double ("%.1f", tps) : g_strdup ("—");

  g_string_append_printf (out, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", model,
                          cs_candidate_status_words (cs_candidate_get_status (candidate)),
                          in, outt, cost, ttft, total, rate);
}

/* A count as the run file keeps it; -1 for what a run file could not hold. */
static gint64
file_count (gint64 value)
{
  return value > -1000000000000000 && value < 1000000000000000 ? value : -1;
}

/* One row a judge that ran (the fallback judge too), each with its own
 * tokens and cost. */
static gboolean
append_judge_uses (GString *out,
                   CsRun   *run)
{
  g_autoptr(GPtrArray) uses = cs_run_dup_judge_uses (run);

  for (guint i = 0; i < uses->len; i++)
    {
      CsJudgeUse *use = g_ptr_array_index (uses, i);
      /* Translators: a cost table's row, "judge (kimi-k2)", "fallback judge (kimi-k2)" */
      g_autofree char *label = g_strdup_printf (use->fallback ? _("fallback judge (%s)") : _("judge (%s)"),
                                                cs_export_model_name (use->model));
      g_autofree char *model = cs_export_cell (label);
      /* ≈ as a candidate's row when the budget stopped it before its usage */
      g_autofree char *in = cs_export_approx (cs_export_format_tokens (file_count (use->input_tokens)),
                                              use->estimated && file_count (use->input_tokens) >= 0);
      g_autofree char *outt = cs_export_approx (cs_export_format_tokens (file_count (use->output_tokens)),
                                                use->estimated && file_count (use->output_tokens) >= 0);
      g_autofree char *cost = cs_export_cost_cell (use->cost_usd, use->price_known, use->estimated);
      g_autofree char *total = use->duration_ms >= 0 ? cs_export_format_double ("%.1f", use->duration_ms / 1000.0)
                                                     : g_strdup ("—");

      g_string_append_printf (out, "| %s | — | %s | %s | %s | — | %s | — |\n",
                              model, in, outt, cost, total);
    }
  return uses->len > 0;
}

static void
append_judge_row (GString *out,
                  CsRun   *run)
{
  gint64 in_tokens, out_tokens, ms;
  double c;
  g_autofree char *model = NULL;
  g_autofree char *label = NULL;
  g_autofree char *in = NULL;
  g_autofree char *outt = NULL;
  g_autofree char *cost = NULL;
  g_autofree char *total = NULL;

  if (append_judge_uses (out, run))
    return;
  if (!cs_run_get_judge_usage (run, &in_tokens, &out_tokens, &c, &ms) || file_count (in_tokens) < 0)
    return;
  label = cs_run_get_judge (run) != NULL ? g_strdup_printf (_("judge (%s)"), cs_export_model_name (cs_run_get_judge (run)))
                                          : g_strdup (_("judge"));
  model = cs_export_cell (label);
  in = cs_export_format_tokens (file_count (in_tokens));
  outt = cs_export_format_tokens (file_count (out_tokens));
  cost = cs_export_format_double ("%.4f", isfinite (c) ? c : 0);
  total = ms >= 0 ? cs_export_format_double ("%.1f", ms / 1000.0) : g_strdup ("—");
  g_string_append_printf (out, "| %s | — | %s | %s | %s | — | %s | — |\n",
                          model, in, outt, cost, total);
}

/* After a follow-up: one row for what the earlier rounds used beyond the
 * rows above (their candidates, judges), so that the rows add up to the
 * total. */
static void
append_earlier_row (GString *out,
                    CsRun   *run)
{
  gint64 in_tokens, out_tokens;
  double cost;
  gboolean known, estimated;
  g_autofree char *label = NULL;
  g_autofree char *in = NULL;
  g_autofree char *outt = NULL;
  g_autofree char *dollars = NULL;

  if (!cs_run_get_earlier_usage (run, &in_tokens, &out_tokens, &cost, &known, &estimated))
    return;
  /* Translators: the cost table's row of what the rounds before the
   * current one used (their candidates and judges) */
  label = cs_export_cell (_("earlier rounds"));
  in = cs_export_approx (cs_export_format_tokens (in_tokens), estimated);
  outt = cs_export_approx (cs_export_format_tokens (out_tokens), estimated);
  dollars = known ? cs_export_cost_cell (cost, TRUE, estimated)
                  : cost > 0 ? cs_export_format_at_least (cost) : g_strdup (_("price unknown"));
  g_string_append_printf (out, "| %s | — | %s | %s | %s | — | — | — |\n", label, in, outt, dollars);
}

/* "The run: 42.0 s, 12,345 tokens, $0.0123 (budget $0.50)." when it ran */
void
cs_export_append_run_totals (GString *out,
                             CsRun   *run)
{
  gint64 wall_ms = cs_run_get_wall_ms (run);
  double budget = cs_run_get_budget_usd (run);
  g_autofree char *wall = NULL;
  g_autofree char *tokens = NULL;
  g_autofree char *cost = NULL;

  if (wall_ms < 0)
    return;
  wall = cs_export_format_double ("%.1f", wall_ms / 1000.0);
  tokens = cs_export_format_thousands (cs_run_get_total_input_tokens (run) + cs_run_get_total_output_tokens (run));
  cost = cs_export_format_cost (cs_run_get_total_cost_usd (run), cs_run_get_cost_known (run));
  /* Translators: the run's wall time (seconds), its tokens and its cost */
  g_string_append_printf (out, _("The run: %s s wall time, %s tokens, %s"), wall, tokens, cost);
  if (cs_run_get_usage_estimated (run))
    g_string_append_printf (out, " (%s)", _("usage estimated in part"));
  if (!isnan (budget))
    {
      g_autofree char *b = cs_export_format_double ("%.4f", budget);
      g_string_append_printf (out, _(" (budget $%s)"), b);
    }
  g_string_append (out, ".\n\n");
}

void
cs_export_append_costs (GString *out,
                        CsRun   *run)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (run));
  gboolean estimated = cs_run_get_usage_estimated (run);
  g_autofree char *total_in = cs_export_approx (cs_export_format_tokens (cs_run_get_total_input_tokens (run)), estimated);
  g_autofree char *total_out = cs_export_approx (cs_export_format_tokens (cs_run_get_total_output_tokens (run)), estimated);
  g_autofree char *total_cost = cs_run_get_cost_known (run)
                                  ? cs_export_approx (cs_export_format_double ("%.4f", cs_run_get_total_cost_usd (run)), estimated)
                                  : cs_export_format_at_least (cs_run_get_total_cost_usd (run));
  gint64 wall_ms = cs_run_get_wall_ms (run);
  g_autofree char *wall_s = wall_ms >= 0 ? cs_export_format_double ("%.1f", wall_ms / 1000.0) : NULL;
  g_autofree char *wall = wall_s != NULL ? g_strdup_printf (" %s ", wall_s) : g_strdup (" ");

  g_string_append_printf (out, "## %s\n\n", _("Cost and latency"));
  g_string_append_printf (out, "| %s | %s | %s | %s | %s | %s | %s | %s |\n",
                          _("Candidate"), _("Status"), _("Input tokens"), _("Output tokens"), _("Cost (USD)"),
                          _("TTFT (ms)"), _("Total (s)"), _("Tokens/s"));
  g_string_append (out, "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CsCandidate) candidate = g_list_model_get_item (G_LIST_MODEL (run), i);

      append_cost_row (out, candidate);
    }
  append_judge_row (out, run);
  cs_export_append_ranking_cost_row (out, run);
  append_earlier_row (out, run);
  /* the run's wall time beside the candidates' durations */
  g_string_append_printf (out, "| **%s** | | %s | %s | %s | |%s| |\n\n", _("Total"), total_in, total_out, total_cost, wall);
  if (estimated)
    g_string_append_printf (out, "%s\n\n",
                            _("≈ marks usage Consilium counted itself (4 bytes of text a token): requests the "
                              "budget stopped before their provider reported their usage."));
  cs_export_append_run_totals (out, run);
}
