/* cs-candidate-view.c: what a candidate's card and its window both show
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-candidate-view"

#include "config.h"

#include <glib/gi18n.h>

#include "cs-candidate-view.h"
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
      g_autofree char *in_str = g_strdup_printf ("%" G_GINT64_FORMAT, MAX (in, 0));
      g_autofree char *out_str = g_strdup_printf ("%" G_GINT64_FORMAT, MAX (out, 0));

      /* Translators: a card's footer: the input tokens, then the output
       * tokens (both numbers) */
      g_string_append_printf (str, _("%s in / %s out tokens"), in_str, out_str);
    }
  if (cost > 0)
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
                 JsonArray *array,
                 guint      limit,
                 gboolean   full)
{
  guint n = json_array_get_length (array);

  add_heading (box, _("Components"));
  for (guint i = 0; i < n && i < limit * 2; i++)
    {
      JsonObject *c = cs_ui_json_array_object (array, i);
      const char *name = cs_ui_json_get_string (c, "name");
      const char *tech = cs_ui_json_get_string (c, "technology");
      g_autofree char *line = NULL;

      if (name == NULL)
        continue;
      line = tech != NULL ? g_strdup_printf ("%s — %s", name, tech) : g_strdup (name);
      add_bullet (box, line, full);
      if (full)
        add_detail (box, cs_ui_json_get_string (c, "responsibility"));
    }
  if (n > limit * 2)
    {
      g_autofree char *more = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "and %u more", "and %u more", n - limit * 2), n - limit * 2);
      gtk_box_append (box, cs_plain_label (more, FALSE, "dim-label", NULL));
    }
}

static void
fill_decisions (GtkBox    *box,
                JsonArray *array,
                guint      limit,
                gboolean   full)
{
  add_heading (box, _("Key choices"));
  for (guint i = 0; i < json_array_get_length (array) && i < limit; i++)
    {
      JsonObject *d = cs_ui_json_array_object (array, i);
      const char *topic = cs_ui_json_get_string (d, "topic");
      const char *choice = cs_ui_json_get_string (d, "choice");
      g_autofree char *line = NULL;

      if (topic == NULL || choice == NULL)
        continue;
      line = g_strdup_printf ("%s: %s", topic, choice);
      add_bullet (box, line, full);
      if (full)
        add_detail (box, cs_ui_json_get_string (d, "rationale"));
    }
}

/* One bullet per item: "@first — @second", or "@first (@second)" when
 * @paren (with "?" for a missing @second) */
static void
fill_pairs (GtkBox     *box,
            const char *heading,
            JsonArray  *array,
            const char *first,
            const char *second,
            gboolean    paren)
{
  add_heading (box, heading);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *o = cs_ui_json_array_object (array, i);
      const char *a = cs_ui_json_get_string (o, first);
      const char *b = cs_ui_json_get_string (o, second);
      g_autofree char *line = NULL;

      if (a == NULL)
        continue;
      if (paren)
        line = g_strdup_printf ("%s (%s)", a, b != NULL ? b : "?");
      else
        line = g_strdup_printf ("%s — %s", a, b != NULL ? b : "");
      add_bullet (box, line, TRUE);
    }
}

static void
fill_steps (GtkBox    *box,
            JsonArray *array,
            guint      limit,
            gboolean   full)
{
  add_heading (box, full ? _("Steps") : _("First steps"));
  for (guint i = 0; i < json_array_get_length (array) && i < limit; i++)
    {
      JsonObject *s = cs_ui_json_array_object (array, i);
      const char *title = cs_ui_json_get_string (s, "title");
      const char *command = cs_ui_json_get_string (s, "command");
      g_autofree char *line = NULL;

      if (title == NULL)
        continue;
      line = g_strdup_printf ("%u. %s", i + 1, title);
      gtk_box_append (box, cs_plain_label (line, full, NULL));
      if (full)
        add_detail (box, cs_ui_json_get_string (s, "action"));
      if (command != NULL && command[0] != '\0')
        gtk_box_append (box, cs_plain_label (command, full, "monospace", "indented", "command", NULL));
    }
}

static gboolean
has_items (JsonArray *array)
{
  return array != NULL && json_array_get_length (array) > 0;
}

void
cs_candidate_fill_structure (GtkBox   *box,
                             JsonNode *data,
                             gboolean  full)
{
  JsonObject *obj = cs_ui_json_object (data);
  JsonArray *array;
  const char *summary;
  guint limit = full ? 200 : 4;   /* hostile replies may list thousands */

  cs_box_remove_all (box);

  if (obj == NULL)
    {
      gtk_box_append (box, cs_plain_label (_("No structured answer."), FALSE, "dim-label", NULL));
      return;
    }

  summary = cs_ui_json_get_string (obj, "summary");
  if (summary != NULL)
    gtk_box_append (box, cs_plain_label (summary, full, "structure-summary", NULL));

  /* architecture */
  if ((array = cs_ui_json_get_array (obj, "components")) != NULL)
    fill_components (box, array, limit, full);
  if (has_items (array = cs_ui_json_get_array (obj, "decisions")))
    fill_decisions (box, array, limit, full);
  if (full && has_items (array = cs_ui_json_get_array (obj, "trade_offs")))
    {
      add_heading (box, _("Trade-offs"));
      for (guint i = 0; i < json_array_get_length (array); i++)
        if (cs_ui_json_array_string (array, i) != NULL)
          add_bullet (box, cs_ui_json_array_string (array, i), TRUE);
    }
  if (full && has_items (array = cs_ui_json_get_array (obj, "risks")))
    fill_pairs (box, _("Risks"), array, "risk", "mitigation", FALSE);
  if (cs_ui_json_get_number (obj, "monthly_cost_usd", -1) >= 0 && cs_ui_json_get_array (obj, "components") != NULL)
    {
      g_autofree char *cost = g_strdup_printf (_("Estimated cost: $%.0f per month"),
                                               cs_ui_json_get_number (obj, "monthly_cost_usd", 0));
      gtk_box_append (box, cs_plain_label (cost, FALSE, "dim-label", NULL));
    }

  /* troubleshooting */
  if (full && has_items (array = cs_ui_json_get_array (obj, "likely_causes")))
    fill_pairs (box, _("Likely causes"), array, "cause", "likelihood", TRUE);
  if ((array = cs_ui_json_get_array (obj, "steps")) != NULL)
    fill_steps (box, array, limit, full);
  if (full && cs_ui_json_get_string (obj, "escalate_when") != NULL)
    {
      add_heading (box, _("Escalate when"));
      gtk_box_append (box, cs_plain_label (cs_ui_json_get_string (obj, "escalate_when"), TRUE, NULL));
    }
}
