/* cs-export-blueprint.c: the synthesized blueprint as Markdown
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-export"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <math.h>

#include "cs-export-private.h"
#include "cs-vote-choice.h"

/* The vote behind a chosen technology or decision, describing the choice
 * it stands beside: "N of M" (in a table) or " (chosen by N of M)" when
 * the candidates chose it; when the judge chose against their vote, says
 * so, with what the choice got and what the candidates voted for. */
static void
append_vote_count (GString      *out,
                   const CsItem *item,
                   const char   *chosen,
                   gboolean      in_table)
{
  CsVoteChoice vote;

  switch (cs_vote_choice_read (item, chosen, &vote))
    {
    case CS_VOTE_CHOICE_WINNER:
      if (in_table)
        g_string_append_printf (out, _("%u of %u"), vote.chosen_count, vote.total);
      else
        g_string_append_printf (out, _(" (chosen by %u of %u)"), vote.chosen_count, vote.total);
      return;
    case CS_VOTE_CHOICE_MINORITY:
      if (in_table)
        g_string_append_printf (out, _("judge, also chosen by %u of %u; the candidates voted "),
                                vote.chosen_count, vote.total);
      else
        g_string_append_printf (out, _(" (the judge's choice, also chosen by %u of %u; the candidates voted "),
                                vote.chosen_count, vote.total);
      break;
    case CS_VOTE_CHOICE_UNVOTED:
      g_string_append (out, in_table ? _("judge; the candidates voted ") : _(" (the judge's choice; the candidates voted "));
      break;
    case CS_VOTE_CHOICE_NONE:
    default:
      return;
    }
  cs_export_append_inline (out, vote.winner);
  g_string_append (out, ", ");
  g_string_append_printf (out, _("%u of %u"), vote.winner_count, vote.total);
  if (!in_table)
    g_string_append (out, ")");
}

static void
append_components (GString     *out,
                   CsBlueprint *bp)
{
  GPtrArray *components = cs_blueprint_get_components (bp);

  g_string_append_printf (out, "### %s\n\n", _("Components"));
  if (components->len == 0)
    {
      g_string_append_printf (out, "%s\n\n", _("None."));
      return;
    }
  g_string_append_printf (out, "| %s | %s | %s | %s | %s |\n| --- | --- | --- | --- | --- |\n",
                          _("Component"), _("Technology"), _("Votes"), _("Responsibility"), _("Scaling"));
  for (guint i = 0; i < components->len; i++)
    {
      CsComponent *comp = g_ptr_array_index (components, i);
      g_autofree char *name = cs_export_origin_cell (comp->name, &comp->item.origin);
      g_autofree char *tech = cs_export_cell (comp->technology);
      g_autofree char *resp = cs_export_cell (comp->responsibility);
      g_autofree char *scaling = cs_export_cell (comp->scaling);
      g_autoptr(GString) votes = g_string_new (NULL);

      append_vote_count (votes, &comp->item, comp->technology, TRUE);
      if (votes->len == 0 && comp->item.total > 0)
        {
          if (comp->item.support == 0)
            g_string_append (votes, _("added by the judge"));
          else
            g_string_append_printf (votes, _("component in %d of %d"), (int)comp->item.support,
                                    (int)comp->item.total);
        }
      g_string_append_printf (out, "| %s | %s | %s | %s | %s |\n", name, tech,
                              votes->len ? votes->str : "—", resp, scaling);
    }
  g_string_append_printf (out, "\n%s\n\n",
                          _("Votes: how many of the candidates that have the component chose its "
                            "technology (“judge” when the judge chose another one than their vote); "
                            "“component in” counts the candidates that have the component at all, "
                            "whatever its technology."));
}

static void
append_data_stores (GString     *out,
                    CsBlueprint *bp)
{
  GPtrArray *stores = cs_blueprint_get_data_stores (bp);

  if (stores->len == 0)
    return;
  g_string_append_printf (out, "### %s\n\n", _("Data stores"));
  for (guint i = 0; i < stores->len; i++)
    {
      CsDataStore *store = g_ptr_array_index (stores, i);

      g_string_append (out, "- **");
      cs_export_append_inline (out, store->name);
      g_string_append (out, "** (");
      cs_export_append_inline (out, store->technology);
      if (store->primary)
        g_string_append_printf (out, ", %s", _("system of record"));
      g_string_append (out, ")");
      if (store->purpose != NULL && *store->purpose)
        {
          g_string_append (out, ": ");
          cs_export_append_inline (out, store->purpose);
        }
      cs_export_append_origin (out, &store->item.origin);
      g_string_append_c (out, '\n');
    }
  g_string_append_c (out, '\n');
}

static void
append_apis (GString     *out,
             CsBlueprint *bp)
{
  GPtrArray *apis = cs_blueprint_get_apis (bp);

  if (apis->len == 0)
    return;
  g_string_append_printf (out, "### %s\n\n", _("APIs"));
  for (guint i = 0; i < apis->len; i++)
    {
      CsApi *api = g_ptr_array_index (apis, i);

      g_string_append (out, "- **");
      cs_export_append_inline (out, api->name);
      g_string_append (out, "** (");
      cs_export_append_inline (out, cs_export_api_style_words (api->style));
      g_string_append (out, "): ");
      cs_export_append_inline (out, api->description);
      cs_export_append_origin (out, &api->item.origin);
      g_string_append_c (out, '\n');
    }
  g_string_append_c (out, '\n');
}

static void
append_decision (GString    *out,
                 CsDecision *decision)
{
  g_autoptr(GString) votes = g_string_new (NULL);
  GStrv rejected = decision->rejected_alternatives;

  g_string_append (out, "- **");
  cs_export_append_inline (out, decision->topic);
  g_string_append (out, ":** ");
  cs_export_append_inline (out, decision->choice);
  append_vote_count (votes, &decision->item, decision->choice, FALSE);
  g_string_append (out, votes->str);
  cs_export_append_origin (out, &decision->item.origin);
  g_string_append_c (out, '\n');
  if (decision->rationale != NULL && *decision->rationale)
    {
      g_string_append_printf (out, "  - %s ", _("Why:"));
      cs_export_append_inline (out, decision->rationale);
      g_string_append_c (out, '\n');
    }
  for (guint r = 0; rejected != NULL && rejected[r] != NULL; r++)
    {
      if (r == 0)
        g_string_append_printf (out, "  - %s ", _("Rejected:"));
      else
        g_string_append (out, ", ");
      cs_export_append_inline (out, rejected[r]);
    }
  if (rejected != NULL && rejected[0] != NULL)
    g_string_append_c (out, '\n');
}

static void
append_decisions (GString     *out,
                  CsBlueprint *bp)
{
  GPtrArray *decisions = cs_blueprint_get_decisions (bp);

  g_string_append_printf (out, "### %s\n\n", _("Decisions"));
  if (decisions->len == 0)
    g_string_append_printf (out, "%s\n\n", _("None recorded."));
  for (guint i = 0; i < decisions->len; i++)
    append_decision (out, g_ptr_array_index (decisions, i));
  if (decisions->len > 0)
    g_string_append_c (out, '\n');
}

static void
append_trade_offs_and_risks (GString     *out,
                             CsBlueprint *bp)
{
  GPtrArray *tradeoffs = cs_blueprint_get_trade_offs (bp);
  GPtrArray *risks = cs_blueprint_get_risks (bp);

  g_string_append_printf (out, "### %s\n\n", _("Trade-offs"));
  if (tradeoffs->len == 0)
    g_string_append_printf (out, "%s\n", _("None recorded."));
  for (guint i = 0; i < tradeoffs->len; i++)
    {
      CsTradeOff *tradeoff = g_ptr_array_index (tradeoffs, i);

      g_string_append (out, "- ");
      cs_export_append_inline (out, tradeoff->text);
      cs_export_append_origin (out, &tradeoff->item.origin);
      g_string_append_c (out, '\n');
    }
  g_string_append_c (out, '\n');

  g_string_append_printf (out, "### %s\n\n", _("Risks"));
  if (risks->len == 0)
    g_string_append_printf (out, "%s\n", _("None recorded."));
  for (guint i = 0; i < risks->len; i++)
    {
      CsRisk *risk = g_ptr_array_index (risks, i);

      g_string_append (out, "- **");
      cs_export_append_inline (out, risk->risk);
      g_string_append (out, "**");
      if (risk->mitigation != NULL && *risk->mitigation)
        {
          g_string_append_printf (out, " — %s ", _("mitigation:"));
          cs_export_append_inline (out, risk->mitigation);
        }
      cs_export_append_origin (out, &risk->item.origin);
      g_string_append_c (out, '\n');
    }
  g_string_append_c (out, '\n');
}

static void
append_cost (GString     *out,
             CsResult    *result,
             CsBlueprint *bp)
{
  CsVoteRecord *vote = cs_result_get_cost_vote (result);
  g_autofree char *amount = NULL;
  double cost;

  if (!cs_blueprint_get_monthly_cost (bp, &cost))
    return;
  amount = cs_export_format_dollars (cost);
  g_string_append_printf (out, "### %s\n\n", _("Estimated cost"));
  g_string_append_printf (out, _("$%s/month"), amount);
  if (vote != NULL && vote->count > 1 && vote->has_median)
    {
      /* the judge may have set its own figure: only a median is called one */
      if (fabs (vote->median - cost) < 0.5)
        g_string_append_printf (out, _(" (median of %d estimates)"), (int)vote->count);
      else
        {
          g_autofree char *median_amount = cs_export_format_dollars (vote->median);

          g_string_append_printf (out, _(" (the judge's figure; the median of %d candidate estimates is $%s/month)"),
                                  (int)vote->count, median_amount);
        }
    }
  g_string_append (out, "\n\n");
}

static void
append_alternatives (GString  *out,
                     CsRun    *run,
                     CsResult *result)
{
  GPtrArray *alternatives = cs_result_get_alternatives (result);

  if (alternatives->len == 0)
    return;
  g_string_append_printf (out, "### %s\n\n", _("Alternatives (not in the blueprint)"));
  for (guint i = 0; i < alternatives->len; i++)
    {
      CsAlternative *alt = g_ptr_array_index (alternatives, i);

      g_string_append (out, "- ");
      if (alt->kind == CS_ALTERNATIVE_DECISION)
        {
          g_string_append_printf (out, "%s **", _("Decision"));
          cs_export_append_inline (out, alt->title);
          g_string_append (out, ":** ");
          cs_export_append_inline (out, alt->choice);
        }
      else
        {
          g_string_append_printf (out, "%s **", _("Component"));
          cs_export_append_inline (out, alt->title);
          g_string_append (out, "** (");
          cs_export_append_inline (out, alt->technology);
          g_string_append (out, "): ");
          cs_export_append_inline (out, alt->responsibility);
        }
      g_string_append (out, " — ");
      cs_export_append_agreement (out, run, &alt->item, "proposed");
      g_string_append_c (out, '\n');
    }
  g_string_append_c (out, '\n');
}

void
cs_export_append_blueprint (GString  *out,
                            CsRun    *run,
                            CsResult *result)
{
  CsBlueprint *bp = cs_result_get_blueprint (result);
  const char *mermaid = cs_blueprint_get_mermaid (bp);

  g_string_append_printf (out, "## %s\n\n", _("Blueprint"));
  if (cs_blueprint_get_summary (bp) != NULL)
    {
      cs_export_append_paragraphs (out, cs_blueprint_get_summary (bp), "");
      g_string_append_c (out, '\n');
      cs_export_append_summary_origin (out, result);
    }
  cs_export_append_origin_legend (out, run, result);
  append_components (out, bp);
  append_data_stores (out, bp);
  append_apis (out, bp);
  if (mermaid != NULL && *mermaid != '\0')
    {
      g_string_append_printf (out, "### %s\n\n", _("Diagram"));
      cs_export_append_code_block (out, "mermaid", mermaid, "");
      g_string_append_c (out, '\n');
    }
  append_decisions (out, bp);
  append_trade_offs_and_risks (out, bp);
  append_cost (out, result, bp);
  append_alternatives (out, run, result);
}
