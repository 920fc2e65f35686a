/* cs-candidate-view.c: what a candidate's card and its window both show
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-candidate-view"

#include "config.h"

#include <glib/gi18n.h>

#include "cs-candidate-view.h"
#include "cs-number-format.h"
#include "cs-result-parts.h"
#include "cs-ui-util.h"

const char *
cs_candidate_status_label (CsCandidateStatus status)
{
  switch (status)
    {
    case CS_CANDIDATE_QUEUED: return _("Queued");
    case CS_CANDIDATE_THINKING: return _("Thinking");
    case CS_CANDIDATE_STREAMING: return _("Streaming");
    case CS_CANDIDATE_OK: return _("Done");
    case CS_CANDIDATE_FAILED: return _("Failed");
    case CS_CANDIDATE_REFUSED: return _("Refused");
    case CS_CANDIDATE_INVALID: return _("Invalid");
    case CS_CANDIDATE_TRUNCATED: return _("Truncated");
    case CS_CANDIDATE_CANCELLED: return _("Cancelled");
    default: return "";
    }
}

const char *
cs_candidate_status_css_class (CsCandidateStatus status)
{
  switch (status)
    {
    case CS_CANDIDATE_QUEUED: return "queued";
    case CS_CANDIDATE_THINKING: return "thinking";
    case CS_CANDIDATE_STREAMING: return "streaming";
    case CS_CANDIDATE_OK: return "done";
    case CS_CANDIDATE_FAILED: return "failed";
    case CS_CANDIDATE_REFUSED: return "refused";
    case CS_CANDIDATE_INVALID: return "invalid";
    case CS_CANDIDATE_TRUNCATED: return "truncated";
    case CS_CANDIDATE_CANCELLED: return "cancelled";
    default: return "queued";
    }
}

const char *
cs_candidate_angle_label (CsCandidate *candidate)
{
  const char *angle = cs_candidate_get_angle (candidate);
  const CsAngle *a = NULL;

  if (angle == NULL || angle[0] == '\0')
    return NULL;
  for (int m = CS_MODE_ARCHITECT; m <= CS_MODE_SUPPORT && a == NULL; m++)
    a = cs_mode_find_angle ((CsMode) m, angle);
  return a != NULL && a->label != NULL ? _(a->label) : angle;
}

static char *
format_ms (gint64 ms)
{
  if (ms < 1000)
    return g_strdup_printf (_("%d ms"), (int) ms);
  if (ms < 60000)
    return g_strdup_printf (_("%.1f s"), ms / 1000.0);
  return g_strdup_printf (_("%d min %d s"), (int) (ms / 60000), (int) ((ms / 1000) % 60));
}

char *
cs_candidate_format_footer (CsCandidate *candidate,
                            gint64       live_elapsed_ms)
{
  GString *str = g_string_new (NULL);
  gint64 in = cs_candidate_get_input_tokens (candidate);
  gint64 out = cs_candidate_get_output_tokens (candidate);
  gint64 ttft = cs_candidate_get_ttft_ms (candidate);
  gint64 duration = cs_candidate_get_duration_ms (candidate);
  double cost = cs_candidate_get_cost_usd (candidate);

  if (in >= 0 || out >= 0)
    {
      /* the numbers apart: xgettext cannot expand G_GINT64_FORMAT */
      g_autofree char *in_str = cs_format_count (MAX (in, 0));
      g_autofree char *out_str = cs_format_count (MAX (out, 0));

      /* Translators: a card's footer: the input tokens, then the output
       * tokens (both numbers) */
      g_string_append_printf (str, _("%s in / %s out tokens"), in_str, out_str);
      if (cs_candidate_get_usage_estimated (candidate))
        /* Translators: after "1,234 in / 567 out tokens": counted by
         * Consilium, the budget stopped the request before its provider
         * said */
        g_string_append_printf (str, " (%s)", _("estimated"));
    }
  if (!cs_candidate_get_price_known (candidate) && (in > 0 || out > 0))
    g_string_append_printf (str, "%s%s", str->len ? " · " : "", _("price unknown"));
  else if (cost > 0)
    g_string_append_printf (str, "%s$%.4f", str->len ? " · " : "", cost);
  if (ttft >= 0)
    {
      g_autofree char *t = format_ms (ttft);
      g_string_append_printf (str, "%s%s %s", str->len ? " · " : "", _("first token"), t);
    }
  if (duration >= 0 || live_elapsed_ms >= 0)
    {
      /* live: whole seconds, as the timer ticks */
      g_autofree char *t = duration >= 0 ? format_ms (duration)
                                         : g_strdup_printf (_("%d s"), (int) (live_elapsed_ms / 1000));
      g_string_append_printf (str, "%s%s %s", str->len ? " · " : "", _("elapsed"), t);
    }
  {
    /* the settings its request went with (the run's knobs applied) */
    g_autofree char *settings = cs_knobs_describe_candidate (candidate);

    if (settings[0] != '\0')
      g_string_append_printf (str, "%s%s", str->len ? " · " : "", settings);
  }
  if (str->len == 0)
    g_string_append (str, " ");

  return g_string_free (str, FALSE);
}

/* ---- the structured answer ---- */

static void
add_heading (GtkBox     *box,
             const char *text)
{
  gtk_box_append (box, cs_plain_label (text, FALSE, "heading", "structure-heading", NULL));
}

static void
add_bullet (GtkBox     *box,
            const char *text,
            gboolean    full)
{
  g_autofree char *line = g_strconcat ("• ", text, NULL);

  gtk_box_append (box, cs_plain_label (line, full, NULL));
}

static void
add_detail (GtkBox     *box,
            const char *text)
{
  if (text != NULL)
    gtk_box_append (box, cs_plain_label (text, TRUE, "dim-label", "indented", NULL));
}

/* "name — technology" for each component, at most twice the limit */
static void
fill_components (GtkBox    *box,
                 GPtrArray *components,
                 guint      limit,
                 gboolean   full)
{
  guint n = components->len;

  add_heading (box, _("Components"));
  for (guint i = 0; i < n && i < limit * 2; i++)
    {
      const CsComponent *c = g_ptr_array_index (components, i);
      g_autofree char *line = NULL;

      if (c->name == NULL)
        continue;
      line = c->technology != NULL ? g_strdup_printf ("%s — %s", c->name, c->technology) : g_strdup (c->name);
      add_bullet (box, line, full);
      if (full)
        add_detail (box, c->responsibility);
    }
  if (n > limit * 2)
    {
      g_autofree char *more = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "and %u more", "and %u more", n - limit * 2), n - limit * 2);
      gtk_box_append (box, cs_plain_label (more, FALSE, "dim-label", NULL));
    }
}

static void
fill_decisions (GtkBox    *box,
                GPtrArray *decisions,
                guint      limit,
                gboolean   full)
{
  add_heading (box, _("Key Choices"));
  for (guint i = 0; i < decisions->len && i < limit; i++)
    {
      const CsDecision *d = g_ptr_array_index (decisions, i);
      g_autofree char *line = NULL;

      if (d->topic == NULL || d->choice == NULL)
        continue;
      line = g_strdup_printf ("%s: %s", d->topic, d->choice);
      add_bullet (box, line, full);
      if (full)
        add_detail (box, d->rationale);
    }
}

static void
fill_trade_offs (GtkBox    *box,
                 GPtrArray *trade_offs)
{
  add_heading (box, _("Trade-offs"));
  for (guint i = 0; i < trade_offs->len; i++)
    add_bullet (box, ((const CsTradeOff *) g_ptr_array_index (trade_offs, i))->text, TRUE);
}

static void
fill_risks (GtkBox    *box,
            GPtrArray *risks)
{
  add_heading (box, _("Risks"));
  for (guint i = 0; i < risks->len; i++)
    {
      const CsRisk *r = g_ptr_array_index (risks, i);
      g_autofree char *line = NULL;

      if (r->risk == NULL)
        continue;
      line = g_strdup_printf ("%s — %s", r->risk, r->mitigation != NULL ? r->mitigation : "");
      add_bullet (box, line, TRUE);
    }
}

static void
fill_causes (GtkBox    *box,
             GPtrArray *causes)
{
  add_heading (box, _("Likely Causes"));
  for (guint i = 0; i < causes->len; i++)
    {
      const CsCause *c = g_ptr_array_index (causes, i);
      g_autofree char *line = NULL;

      if (c->cause == NULL)
        continue;
      line = g_strdup_printf ("%s (%s)", c->cause, c->likelihood != NULL ? cs_result_likelihood_text (c->likelihood) : "?");
      add_bullet (box, line, TRUE);
    }
}

static void
fill_steps (GtkBox    *box,
            GPtrArray *steps,
            guint      limit,
            gboolean   full)
{
  add_heading (box, full ? _("Steps") : _("First Steps"));
  for (guint i = 0; i < steps->len && i < limit; i++)
    {
      const CsStep *s = g_ptr_array_index (steps, i);
      g_autofree char *line = NULL;

      if (s->title == NULL)
        continue;
      line = g_strdup_printf ("%u. %s", i + 1, s->title);
      gtk_box_append (box, cs_plain_label (line, full, NULL));
      if (full)
        add_detail (box, s->action);
      if (s->command != NULL && s->command[0] != '\0')
        gtk_box_append (box, cs_plain_label (s->command, full, "monospace", "indented", "command", NULL));
    }
}

/* What an architect's answer has: the components and key choices, and
 * everything else when @full. */
static void
fill_blueprint (GtkBox      *box,
                CsBlueprint *bp,
                guint        limit,
                gboolean     full)
{
  double cost = 0;

  if (cs_blueprint_get_components (bp)->len > 0)
    fill_components (box, cs_blueprint_get_components (bp), limit, full);
  if (cs_blueprint_get_decisions (bp)->len > 0)
    fill_decisions (box, cs_blueprint_get_decisions (bp), limit, full);
  if (full && cs_blueprint_get_trade_offs (bp)->len > 0)
    fill_trade_offs (box, cs_blueprint_get_trade_offs (bp));
  if (full && cs_blueprint_get_risks (bp)->len > 0)
    fill_risks (box, cs_blueprint_get_risks (bp));
  if (cs_blueprint_get_monthly_cost (bp, &cost) && cost >= 0 && cs_blueprint_get_components (bp)->len > 0)
    {
      g_autofree char *figure = cs_format_whole (cost);
      /* Translators: whole US dollars ("2,680") */
      g_autofree char *text = g_strdup_printf (_("Estimated cost: $%s per month"), figure);
      gtk_box_append (box, cs_plain_label (text, FALSE, "dim-label", NULL));
    }
}

/* What a troubleshooting answer has: the first steps, and everything
 * else when @full. */
static void
fill_checklist (GtkBox      *box,
                CsChecklist *checklist,
                guint        limit,
                gboolean     full)
{
  const char *escalate = cs_checklist_get_escalate_when (checklist);

  if (full && cs_checklist_get_likely_causes (checklist)->len > 0)
    fill_causes (box, cs_checklist_get_likely_causes (checklist));
  if (cs_checklist_get_steps (checklist)->len > 0)
    fill_steps (box, cs_checklist_get_steps (checklist), limit, full);
  if (full && escalate != NULL)
    {
      add_heading (box, _("When to Escalate"));
      gtk_box_append (box, cs_plain_label (escalate, TRUE, NULL));
    }
}

void
cs_candidate_fill_structure (GtkBox      *box,
                             CsCandidate *candidate,
                             gboolean     full)
{
  /* the answer read both ways: each has the other's lists empty */
  CsBlueprint *bp = cs_candidate_get_blueprint (candidate);
  CsChecklist *checklist = cs_candidate_get_checklist (candidate);
  guint limit = full ? 200 : 4;   /* hostile replies may list thousands */
  const char *summary;

  cs_box_remove_all (box);

  if (bp == NULL || checklist == NULL)
    {
      gtk_box_append (box, cs_plain_label (_("No structured answer."), FALSE, "dim-label", NULL));
      return;
    }

  summary = cs_blueprint_get_summary (bp);
  if (summary != NULL)
    gtk_box_append (box, cs_plain_label (summary, full, "structure-summary", NULL));
  fill_blueprint (box, bp, limit, full);
  fill_checklist (box, checklist, limit, full);
}
