/* cs-export.c: a run as Markdown or JSON
 *
 * Everything a model or a person wrote is untrusted text here: inline text is
 * backslash-escaped and kept on one line where structure depends on it
 * (headings, list items, table cells); blocks of code or problem text go in
 * fences longer than any run of backticks inside them, so nothing can close
 * a fence early, start a heading or inject HTML.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-export"

#include "config.h"

#include <math.h>
#include <string.h>

#include "cs-export.h"
#include "cs-json-util.h"
#include "cs-mode.h"
#include "cs-similarity.h"

/* ------------------------------------------------------------------------ */
/* JSON access                                                              */
/* ------------------------------------------------------------------------ */

static gint64
obj_int (JsonObject *obj,
         const char *key,
         gint64      fallback)
{
  double v;

  if (!cs_json_get_number (obj, key, &v) || fabs (v) >= 1e15)
    return fallback;
  return (gint64)v;
}

/* ------------------------------------------------------------------------ */
/* Markdown escaping                                                        */
/* ------------------------------------------------------------------------ */

/* Appends @text as inline Markdown: on one line (newlines and tabs become
 * spaces), every character with a Markdown meaning backslash-escaped. */
static void
append_inline (GString    *out,
               const char *text)
{
  gboolean at_start = TRUE;     /* nothing written yet */
  gboolean leading_digits = TRUE;
  gboolean space = FALSE;

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return;

  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isspace (c) || g_unichar_iscntrl (c))
        {
          space = TRUE;
          continue;
        }
      if (space && !at_start)
        {
          g_string_append_c (out, ' ');
          leading_digits = FALSE;
        }
      space = FALSE;

      if (c == '&')
        g_string_append (out, "&amp;");
      else if (c < 0x80 && strchr ("\\`*_[]<>#|~$", (int)c) != NULL)
        {
          /* emphasis, code, links, HTML, headings, tables, strikethrough,
           * math (GitHub renders $…$) */
          g_string_append_c (out, '\\');
          g_string_append_c (out, (char)c);
        }
      else if (c < 0x80 && at_start && strchr ("+-=!:", (int)c) != NULL)
        {
          /* a list item, a setext underline */
          g_string_append_c (out, '\\');
          g_string_append_c (out, (char)c);
        }
      else if ((c == '.' || c == ')') && leading_digits && !at_start)
        {
          /* "1." or "1)" would start an ordered list */
          g_string_append_c (out, '\\');
          g_string_append_c (out, (char)c);
        }
      else
        g_string_append_unichar (out, c);

      if (!g_ascii_isdigit (c) || c >= 0x80)
        leading_digits = FALSE;
      at_start = FALSE;
    }
}

static char *
inline_text (const char *text)
{
  GString *out = g_string_new (NULL);

  append_inline (out, text);
  return g_string_free (out, FALSE);
}

/* A paragraph: like inline text, but blank lines between paragraphs are
 * kept (each paragraph collapsed to one line). @indent prefixes each line. */
static void
append_paragraphs (GString    *out,
                   const char *text,
                   const char *indent)
{
  g_auto(GStrv) paras = NULL;
  gboolean first = TRUE;

  if (text == NULL)
    return;
  paras = g_regex_split_simple ("\\n[ \\t\\r]*\\n", text, 0, 0);
  for (guint i = 0; paras[i] != NULL; i++)
    {
      g_autofree char *line = inline_text (paras[i]);

      if (*line == '\0')
        continue;
      if (!first)
        g_string_append_printf (out, "\n%s\n", indent);
      g_string_append (out, indent);
      g_string_append (out, line);
      first = FALSE;
    }
  if (!first)
    g_string_append_c (out, '\n');
}

/* A cell of a table: inline text with the pipe escaped (done by append_inline). */
static char *
cell (const char *text)
{
  g_autofree char *s = inline_text (text);

  return *s ? g_steal_pointer (&s) : g_strdup ("—");
}

/* A fenced code block with @info, every line prefixed by @indent. Control
 * characters other than tabs and newlines are dropped. */
static void
append_code_block (GString    *out,
                   const char *info,
                   const char *text,
                   const char *indent)
{
  g_autofree char *fence = cs_markdown_fence (text);
  g_autoptr(GString) clean = g_string_new (NULL);
  g_auto(GStrv) lines = NULL;

  if (text != NULL && g_utf8_validate (text, -1, NULL))
    for (const char *p = text; *p; p = g_utf8_next_char (p))
      {
        gunichar c = g_utf8_get_char (p);

        if (c == '\r')
          continue;
        if (c == '\n' || c == '\t' || !g_unichar_iscntrl (c))
          g_string_append_unichar (clean, c);
      }
  while (clean->len > 0 && clean->str[clean->len - 1] == '\n')
    g_string_truncate (clean, clean->len - 1);

  g_string_append_printf (out, "%s%s%s\n", indent, fence, info != NULL ? info : "");
  lines = g_strsplit (clean->str, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    g_string_append_printf (out, "%s%s\n", *lines[i] ? indent : "", lines[i]);
  g_string_append_printf (out, "%s%s\n", indent, fence);
}

static char *
format_double (const char *format,
               double      value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  return g_strdup (g_ascii_formatd (buf, sizeof buf, format, value));
}

/* "12,345" */
static char *
format_thousands (gint64 value)
{
  g_autofree char *digits = g_strdup_printf ("%" G_GINT64_FORMAT, value < 0 ? -value : value);
  GString *out = g_string_new (value < 0 ? "-" : "");
  gsize len = strlen (digits);

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_c (out, ',');
      g_string_append_c (out, digits[i]);
    }
  return g_string_free (out, FALSE);
}

/* Whole dollars with thousands separators; figures no person would write
 * (a model's 1e300) in exponent form rather than through an integer that
 * cannot hold them. */
static char *
format_dollars (double value)
{
  if (!isfinite (value) || fabs (value) >= 1e15)
    return g_strdup_printf ("%.3g", value);
  return format_thousands ((gint64)llround (value));
}

/* ------------------------------------------------------------------------ */
/* The synthesis                                                            */
/* ------------------------------------------------------------------------ */

static JsonObject *
find_vote (JsonObject *synthesis,
           const char *field)
{
  JsonArray *votes = cs_json_get_array (synthesis, "votes");

  for (guint i = 0; i < cs_json_array_length (votes); i++)
    {
      JsonObject *vote = cs_json_array_object (votes, i);

      if (g_strcmp0 (cs_json_get_string (vote, "field"), field) == 0)
        return vote;
    }
  return NULL;
}

/* The vote behind a chosen technology or decision: "N of M" (in a table)
 * or " (chosen by N of M)". When the judge chose against the candidates'
 * vote, says so and names what they voted for, rather than nothing. */
static void
append_vote_count (GString    *out,
                   JsonObject *synthesis,
                   const char *list,
                   const char *name,
                   const char *key,
                   const char *chosen,
                   gboolean    in_table)
{
  g_autofree char *field = g_strdup_printf ("%s[%s].%s", list, name ? name : "", key);
  JsonObject *vote = find_vote (synthesis, field);
  const char *winner = cs_json_get_string (vote, "winner");
  g_autofree char *winner_key = NULL;
  g_autofree char *chosen_key = NULL;
  int count = (int)obj_int (vote, "count", 0);
  int total = (int)obj_int (vote, "total", 0);

  if (vote == NULL || winner == NULL || chosen == NULL)
    return;
  winner_key = cs_similarity_technology_key (winner);
  chosen_key = cs_similarity_technology_key (chosen);
  if (g_strcmp0 (winner, chosen) != 0 &&
      (winner_key == NULL || *winner_key == '\0' || g_strcmp0 (winner_key, chosen_key) != 0))
    {
      /* not the winner, but maybe one of the options (a tie, a judge's
       * pick of a minority): then its own count */
      JsonObject *options = cs_json_get_object (vote, "options");
      g_autoptr(GList) names = options != NULL ? json_object_get_members (options) : NULL;

      count = -1;
      for (GList *l = names; l != NULL; l = l->next)
        {
          g_autofree char *key_option = cs_similarity_technology_key (l->data);
          double n;

          if ((g_strcmp0 (l->data, chosen) == 0 ||
               (key_option != NULL && *key_option && g_strcmp0 (key_option, chosen_key) == 0)) &&
              cs_json_get_number (options, l->data, &n) && n >= 0 && n <= G_MAXINT)
            count = (int)n;
        }
    }
  if (count >= 0)
    {
      g_string_append_printf (out, in_table ? "%d of %d" : " (chosen by %d of %d)", count, total);
      return;
    }
  count = (int)obj_int (vote, "count", 0);
  g_string_append (out, in_table ? "judge; the candidates voted " : " (the judge's choice; the candidates voted ");
  append_inline (out, winner);
  g_string_append_printf (out, ", %d of %d%s", count, total, in_table ? "" : ")");
}

static JsonObject *
find_consensus (JsonObject *synthesis,
                guint       index)
{
  JsonArray *consensus = cs_json_get_array (synthesis, "consensus");

  if (index >= cs_json_array_length (consensus))
    return NULL;
  return cs_json_array_object (consensus, index);
}

static void
append_agreement (GString    *out,
                  JsonObject *entry,
                  const char *verb)
{
  JsonArray *ids;
  gint64 support, total;

  if (entry == NULL)
    return;
  support = obj_int (entry, "support", -1);
  total = obj_int (entry, "total", -1);
  if (support < 0 || total <= 0)
    return;
  if (support == 0)
    {
      g_string_append (out, "added by the judge");
      return;
    }
  g_string_append_printf (out, "%s by %d of %d", verb, (int)support, (int)total);
  ids = cs_json_get_array (entry, "candidates");
  if (cs_json_array_length (ids) > 0)
    {
      g_string_append (out, " (");
      for (guint i = 0; i < cs_json_array_length (ids); i++)
        {
          JsonNode *id = json_array_get_element (ids, i);

          if (i > 0)
            g_string_append (out, ", ");
          if (JSON_NODE_HOLDS_VALUE (id) && json_node_get_value_type (id) == G_TYPE_STRING)
            append_inline (out, json_node_get_string (id));
        }
      g_string_append (out, ")");
    }
}

static void
append_blueprint (GString    *out,
                  JsonObject *synthesis,
                  JsonObject *data)
{
  JsonArray *components = cs_json_get_array (data, "components");
  JsonArray *stores = cs_json_get_array (data, "data_stores");
  JsonArray *apis = cs_json_get_array (data, "apis");
  JsonArray *decisions = cs_json_get_array (data, "decisions");
  JsonArray *tradeoffs = cs_json_get_array (data, "trade_offs");
  JsonArray *risks = cs_json_get_array (data, "risks");
  JsonArray *alternatives = cs_json_get_array (synthesis, "alternatives");
  const char *mermaid = cs_json_get_string (data, "mermaid");
  double cost, median;

  g_string_append (out, "## Blueprint\n\n");
  if (cs_json_get_string (data, "summary") != NULL)
    {
      append_paragraphs (out, cs_json_get_string (data, "summary"), "");
      g_string_append_c (out, '\n');
    }

  g_string_append (out, "### Components\n\n");
  if (cs_json_array_length (components) == 0)
    g_string_append (out, "None.\n\n");
  else
    {
      g_string_append (out, "| Component | Technology | Votes | Responsibility | Scaling |\n"
                            "| --- | --- | --- | --- | --- |\n");
      for (guint i = 0; i < cs_json_array_length (components); i++)
        {
          JsonObject *comp = cs_json_array_object (components, i);
          g_autofree char *name = cell (cs_json_get_string (comp, "name"));
          g_autofree char *tech = cell (cs_json_get_string (comp, "technology"));
          g_autofree char *resp = cell (cs_json_get_string (comp, "responsibility"));
          g_autofree char *scaling = cell (cs_json_get_string (comp, "scaling"));
          g_autoptr(GString) votes = g_string_new (NULL);
          JsonObject *entry = find_consensus (synthesis, i);

          if (comp == NULL)
            continue;
          append_vote_count (votes, synthesis, "components", cs_json_get_string (comp, "name"), "technology",
                             cs_json_get_string (comp, "technology"), TRUE);
          if (votes->len == 0 && entry != NULL && obj_int (entry, "support", -1) >= 0)
            {
              if (obj_int (entry, "support", 0) == 0)
                g_string_append (votes, "added by the judge");
              else
                g_string_append_printf (votes, "component in %d of %d", (int)obj_int (entry, "support", 0),
                                        (int)obj_int (entry, "total", 0));
            }
          g_string_append_printf (out, "| %s | %s | %s | %s | %s |\n", name, tech,
                                  votes->len ? votes->str : "—", resp, scaling);
        }
      g_string_append (out, "\nVotes: how many of the candidates that have the component chose its "
                            "technology (“judge” when the judge chose another one than their vote); "
                            "“component in” counts the candidates that have the component at all, "
                            "whatever its technology.\n\n");
    }

  if (cs_json_array_length (stores) > 0)
    {
      g_string_append (out, "### Data stores\n\n");
      for (guint i = 0; i < cs_json_array_length (stores); i++)
        {
          JsonObject *store = cs_json_array_object (stores, i);

          if (store == NULL)
            continue;
          g_string_append (out, "- **");
          append_inline (out, cs_json_get_string (store, "name"));
          g_string_append (out, "** (");
          append_inline (out, cs_json_get_string (store, "technology"));
          if (cs_json_get_bool (store, "primary"))
            g_string_append (out, ", system of record");
          g_string_append (out, ")");
          if (cs_json_get_string (store, "purpose") != NULL && *cs_json_get_string (store, "purpose"))
            {
              g_string_append (out, ": ");
              append_inline (out, cs_json_get_string (store, "purpose"));
            }
          g_string_append_c (out, '\n');
        }
      g_string_append_c (out, '\n');
    }

  if (cs_json_array_length (apis) > 0)
    {
      g_string_append (out, "### APIs\n\n");
      for (guint i = 0; i < cs_json_array_length (apis); i++)
        {
          JsonObject *api = cs_json_array_object (apis, i);

          if (api == NULL)
            continue;
          g_string_append (out, "- **");
          append_inline (out, cs_json_get_string (api, "name"));
          g_string_append (out, "** (");
          append_inline (out, cs_json_get_string (api, "style"));
          g_string_append (out, "): ");
          append_inline (out, cs_json_get_string (api, "description"));
          g_string_append_c (out, '\n');
        }
      g_string_append_c (out, '\n');
    }

  if (mermaid != NULL && *mermaid != '\0')
    {
      g_string_append (out, "### Diagram\n\n");
      append_code_block (out, "mermaid", mermaid, "");
      g_string_append_c (out, '\n');
    }

  g_string_append (out, "### Decisions\n\n");
  if (cs_json_array_length (decisions) == 0)
    g_string_append (out, "None recorded.\n\n");
  for (guint i = 0; i < cs_json_array_length (decisions); i++)
    {
      JsonObject *decision = cs_json_array_object (decisions, i);
      JsonArray *rejected = cs_json_get_array (decision, "rejected_alternatives");
      g_autoptr(GString) votes = g_string_new (NULL);
      guint n_rejected = 0;

      if (decision == NULL)
        continue;
      g_string_append (out, "- **");
      append_inline (out, cs_json_get_string (decision, "topic"));
      g_string_append (out, ":** ");
      append_inline (out, cs_json_get_string (decision, "choice"));
      append_vote_count (votes, synthesis, "decisions", cs_json_get_string (decision, "topic"), "choice",
                         cs_json_get_string (decision, "choice"), FALSE);
      g_string_append (out, votes->str);
      g_string_append_c (out, '\n');
      if (cs_json_get_string (decision, "rationale") != NULL && *cs_json_get_string (decision, "rationale"))
        {
          g_string_append (out, "  - Why: ");
          append_inline (out, cs_json_get_string (decision, "rationale"));
          g_string_append_c (out, '\n');
        }
      for (guint r = 0; r < cs_json_array_length (rejected); r++)
        {
          JsonNode *alt = json_array_get_element (rejected, r);

          if (!JSON_NODE_HOLDS_VALUE (alt) || json_node_get_value_type (alt) != G_TYPE_STRING)
            continue;
          g_string_append (out, n_rejected++ == 0 ? "  - Rejected: " : ", ");
          append_inline (out, json_node_get_string (alt));
        }
      if (n_rejected > 0)
        g_string_append_c (out, '\n');
    }
  if (cs_json_array_length (decisions) > 0)
    g_string_append_c (out, '\n');

  g_string_append (out, "### Trade-offs\n\n");
  if (cs_json_array_length (tradeoffs) == 0)
    g_string_append (out, "None recorded.\n");
  for (guint i = 0; i < cs_json_array_length (tradeoffs); i++)
    {
      JsonNode *t = json_array_get_element (tradeoffs, i);

      if (!JSON_NODE_HOLDS_VALUE (t) || json_node_get_value_type (t) != G_TYPE_STRING)
        continue;
      g_string_append (out, "- ");
      append_inline (out, json_node_get_string (t));
      g_string_append_c (out, '\n');
    }
  g_string_append_c (out, '\n');

  g_string_append (out, "### Risks\n\n");
  if (cs_json_array_length (risks) == 0)
    g_string_append (out, "None recorded.\n");
  for (guint i = 0; i < cs_json_array_length (risks); i++)
    {
      JsonObject *risk = cs_json_array_object (risks, i);

      if (risk == NULL)
        continue;
      g_string_append (out, "- **");
      append_inline (out, cs_json_get_string (risk, "risk"));
      g_string_append (out, "**");
      if (cs_json_get_string (risk, "mitigation") != NULL && *cs_json_get_string (risk, "mitigation"))
        {
          g_string_append (out, " — mitigation: ");
          append_inline (out, cs_json_get_string (risk, "mitigation"));
        }
      g_string_append_c (out, '\n');
    }
  g_string_append_c (out, '\n');

  if (cs_json_get_number (data, "monthly_cost_usd", &cost))
    {
      JsonObject *vote = find_vote (synthesis, "monthly_cost_usd");
      g_autofree char *amount = format_dollars (cost);

      g_string_append_printf (out, "### Estimated cost\n\n$%s/month", amount);
      if (vote != NULL && obj_int (vote, "count", 0) > 1 && cs_json_get_number (vote, "median", &median))
        {
          /* the judge may have set its own figure: only a median is called one */
          if (fabs (median - cost) < 0.5)
            g_string_append_printf (out, " (median of %d estimates)", (int)obj_int (vote, "count", 0));
          else
            {
              g_autofree char *median_amount = format_dollars (median);

              g_string_append_printf (out, " (the judge's figure; the median of %d candidate estimates is $%s/month)",
                                      (int)obj_int (vote, "count", 0), median_amount);
            }
        }
      g_string_append (out, "\n\n");
    }

  if (cs_json_array_length (alternatives) > 0)
    {
      g_string_append (out, "### Alternatives (not in the blueprint)\n\n");
      for (guint i = 0; i < cs_json_array_length (alternatives); i++)
        {
          JsonObject *alt = cs_json_array_object (alternatives, i);

          if (alt == NULL)
            continue;
          g_string_append (out, "- ");
          if (g_strcmp0 (cs_json_get_string (alt, "kind"), "decision") == 0)
            {
              g_string_append (out, "Decision **");
              append_inline (out, cs_json_get_string (alt, "title"));
              g_string_append (out, ":** ");
              append_inline (out, cs_json_get_string (alt, "choice"));
            }
          else
            {
              g_string_append (out, "Component **");
              append_inline (out, cs_json_get_string (alt, "title"));
              g_string_append (out, "** (");
              append_inline (out, cs_json_get_string (alt, "technology"));
              g_string_append (out, "): ");
              append_inline (out, cs_json_get_string (alt, "responsibility"));
            }
          g_string_append (out, " — ");
          append_agreement (out, alt, "proposed");
          g_string_append_c (out, '\n');
        }
      g_string_append_c (out, '\n');
    }
}

static void
append_step_details (GString    *out,
                     JsonObject *step,
                     JsonObject *entry,
                     const char *verb)
{
  const char *command = cs_json_get_string (step, "command");
  g_autoptr(GString) meta = g_string_new (NULL);
  double effort;

  if (command != NULL && *command != '\0')
    {
      g_string_append_c (out, '\n');
      append_code_block (out, "sh", command, "  ");
    }
  g_string_append_c (out, '\n');
  if (cs_json_get_string (step, "expected") != NULL && *cs_json_get_string (step, "expected"))
    {
      g_string_append (out, "  - Expected: ");
      append_inline (out, cs_json_get_string (step, "expected"));
      g_string_append_c (out, '\n');
    }
  if (cs_json_get_string (step, "if_fails") != NULL && *cs_json_get_string (step, "if_fails"))
    {
      g_string_append (out, "  - If it fails: ");
      append_inline (out, cs_json_get_string (step, "if_fails"));
      g_string_append_c (out, '\n');
    }
  if (cs_json_get_string (step, "risk") != NULL)
    {
      g_string_append (meta, "Risk: ");
      append_inline (meta, cs_json_get_string (step, "risk"));
    }
  if (cs_json_get_number (step, "effort_minutes", &effort))
    g_string_append_printf (meta, "%seffort: %d min", meta->len ? " · " : "", (int)effort);
  if (entry != NULL)
    {
      g_autoptr(GString) agreement = g_string_new (NULL);

      append_agreement (agreement, entry, verb);
      if (agreement->len > 0)
        g_string_append_printf (meta, "%s%s", meta->len ? " · " : "", agreement->str);
    }
  if (meta->len > 0)
    g_string_append_printf (out, "  - %c%s\n", g_ascii_toupper (meta->str[0]), meta->str + 1);
}

static void
append_checklist (GString    *out,
                  CsRun      *run,
                  JsonObject *synthesis,
                  JsonObject *data)
{
  JsonArray *causes = cs_json_get_array (data, "likely_causes");
  JsonArray *steps = cs_json_get_array (data, "steps");
  JsonArray *alternatives = cs_json_get_array (synthesis, "alternatives");

  g_string_append (out, "## Checklist\n\n");
  if (cs_json_get_string (data, "summary") != NULL)
    {
      append_paragraphs (out, cs_json_get_string (data, "summary"), "");
      g_string_append_c (out, '\n');
    }

  if (cs_json_array_length (causes) > 0)
    {
      g_string_append (out, "### Likely causes\n\n");
      for (guint i = 0; i < cs_json_array_length (causes); i++)
        {
          JsonObject *cause = cs_json_array_object (causes, i);

          if (cause == NULL)
            continue;
          g_string_append (out, "- ");
          append_inline (out, cs_json_get_string (cause, "cause"));
          if (cs_json_get_string (cause, "likelihood") != NULL)
            {
              g_string_append (out, " (");
              append_inline (out, cs_json_get_string (cause, "likelihood"));
              g_string_append (out, ")");
            }
          g_string_append_c (out, '\n');
        }
      g_string_append_c (out, '\n');
    }

  g_string_append (out, "### Steps\n\n");
  for (guint i = 0; i < cs_json_array_length (steps); i++)
    {
      JsonObject *step = cs_json_array_object (steps, i);

      if (step == NULL)
        continue;
      g_string_append_printf (out, "- [%c] **%u. ", cs_run_get_step_checked (run, i) ? 'x' : ' ', i + 1);
      append_inline (out, cs_json_get_string (step, "title"));
      g_string_append (out, "**");
      if (cs_json_get_string (step, "action") != NULL && *cs_json_get_string (step, "action"))
        {
          g_string_append (out, " — ");
          append_inline (out, cs_json_get_string (step, "action"));
        }
      g_string_append_c (out, '\n');
      append_step_details (out, step, find_consensus (synthesis, i), "agreed");
      g_string_append_c (out, '\n');
    }

  if (cs_json_array_length (alternatives) > 0)
    {
      g_string_append (out, "### If that did not work, try…\n\n");
      for (guint i = 0; i < cs_json_array_length (alternatives); i++)
        {
          JsonObject *alt = cs_json_array_object (alternatives, i);
          gint64 after = obj_int (alt, "after_step", -1);

          if (alt == NULL)
            continue;
          g_string_append (out, "- ");
          if (after >= 0 && after < cs_json_array_length (steps))
            g_string_append_printf (out, "After step %d: ", (int)after + 1);
          g_string_append (out, "**");
          append_inline (out, cs_json_get_string (alt, "title"));
          g_string_append (out, "**");
          if (cs_json_get_string (alt, "action") != NULL && *cs_json_get_string (alt, "action"))
            {
              g_string_append (out, " — ");
              append_inline (out, cs_json_get_string (alt, "action"));
            }
          g_string_append_c (out, '\n');
          append_step_details (out, alt, alt, "proposed");
          g_string_append_c (out, '\n');
        }
    }

  if (cs_json_get_string (data, "escalate_when") != NULL && *cs_json_get_string (data, "escalate_when"))
    {
      g_string_append (out, "### When to escalate\n\n");
      append_paragraphs (out, cs_json_get_string (data, "escalate_when"), "");
      g_string_append_c (out, '\n');
    }
}

static void
append_method_notes (GString    *out,
                     CsRun      *run,
                     JsonObject *synthesis)
{
  JsonArray *methods = cs_json_get_array (synthesis, "methods");
  JsonArray *critiques = cs_json_get_array (synthesis, "critiques");
  const char *rationale = cs_json_get_string (synthesis, "rationale");
  guint n = 0;

  g_string_append (out, "### How this was synthesized\n\n- Methods: ");
  for (guint i = 0; i < cs_json_array_length (methods); i++)
    {
      JsonNode *m = json_array_get_element (methods, i);

      if (!JSON_NODE_HOLDS_VALUE (m) || json_node_get_value_type (m) != G_TYPE_STRING)
        continue;
      if (n++ > 0)
        g_string_append (out, ", ");
      append_inline (out, json_node_get_string (m));
    }
  if (n == 0)
    g_string_append (out, "none");
  if (cs_json_get_string (synthesis, "judge_model") != NULL)
    {
      g_string_append (out, " (judge: ");
      append_inline (out, cs_json_get_string (synthesis, "judge_model"));
      g_string_append (out, ")");
    }
  g_string_append_c (out, '\n');
  if (obj_int (synthesis, "total", 0) > 0)
    g_string_append_printf (out, "- Valid candidates: %d\n", (int)obj_int (synthesis, "total", 0));
  if (cs_json_get_bool (synthesis, "degraded"))
    {
      g_string_append (out, "- **Degraded:** ");
      append_inline (out, cs_json_get_string (synthesis, "note") ? cs_json_get_string (synthesis, "note")
                                                      : "the judge did not contribute");
      g_string_append_c (out, '\n');
    }
  g_string_append_c (out, '\n');

  if (rationale != NULL && *rationale != '\0')
    {
      g_string_append (out, "**Judge's rationale:**\n\n");
      append_paragraphs (out, rationale, "> ");
      g_string_append_c (out, '\n');
    }

  if (cs_json_array_length (critiques) > 0)
    {
      g_string_append (out, "**Critiques:**\n\n");
      for (guint i = 0; i < cs_json_array_length (critiques); i++)
        {
          JsonObject *c = cs_json_array_object (critiques, i);
          CsCandidate *candidate;
          double score;

          if (c == NULL || cs_json_get_string (c, "candidate") == NULL)
            continue;
          candidate = cs_run_find_candidate (run, cs_json_get_string (c, "candidate"));
          g_string_append (out, "- **");
          append_inline (out, cs_json_get_string (c, "candidate"));
          g_string_append (out, "**");
          if (candidate != NULL && cs_candidate_get_model (candidate) != NULL)
            {
              g_string_append (out, " (");
              append_inline (out, cs_candidate_get_model (candidate));
              g_string_append (out, ")");
            }
          if (cs_json_get_number (c, "score", &score))
            g_string_append_printf (out, " — score %d/10", (int)score);
          g_string_append_c (out, '\n');
          if (cs_json_get_string (c, "strengths") != NULL && *cs_json_get_string (c, "strengths"))
            {
              g_string_append (out, "  - Strengths: ");
              append_inline (out, cs_json_get_string (c, "strengths"));
              g_string_append_c (out, '\n');
            }
          if (cs_json_get_string (c, "weaknesses") != NULL && *cs_json_get_string (c, "weaknesses"))
            {
              g_string_append (out, "  - Weaknesses: ");
              append_inline (out, cs_json_get_string (c, "weaknesses"));
              g_string_append_c (out, '\n');
            }
        }
      g_string_append_c (out, '\n');
    }
}

/* ------------------------------------------------------------------------ */
/* Candidates and costs                                                     */
/* ------------------------------------------------------------------------ */

static void
append_candidate (GString     *out,
                  CsMode       mode,
                  CsCandidate *candidate)
{
  JsonObject *data = cs_json_node_object (cs_candidate_get_data (candidate));
  const char *angle = cs_candidate_get_angle (candidate);
  const char *error = cs_candidate_get_error (candidate);

  g_string_append (out, "### ");
  append_inline (out, cs_candidate_get_model (candidate) ? cs_candidate_get_model (candidate) : "unknown model");
  if (angle != NULL && *angle != '\0')
    {
      g_string_append (out, " (");
      append_inline (out, angle);
      g_string_append (out, ")");
    }
  g_string_append (out, " — ");
  g_string_append (out, cs_candidate_status_to_string (cs_candidate_get_status (candidate)));
  g_string_append (out, "\n\nCandidate ");
  append_inline (out, cs_candidate_get_id (candidate));
  {
    gint64 in = cs_candidate_get_input_tokens (candidate);
    gint64 outt = cs_candidate_get_output_tokens (candidate);
    gint64 ttft = cs_candidate_get_ttft_ms (candidate);
    gint64 duration = cs_candidate_get_duration_ms (candidate);
    g_autofree char *cost = format_double ("%.4f", cs_candidate_get_cost_usd (candidate));

    if (in >= 0 || outt >= 0)
      {
        g_autofree char *in_s = in >= 0 ? format_thousands (in) : g_strdup ("?");
        g_autofree char *out_s = outt >= 0 ? format_thousands (outt) : g_strdup ("?");

        g_string_append_printf (out, " · %s in / %s out tokens", in_s, out_s);
      }
    g_string_append_printf (out, " · $%s", cost);
    if (ttft >= 0)
      {
        g_autofree char *ttft_s = format_thousands (ttft);

        g_string_append_printf (out, " · first token after %s ms", ttft_s);
      }
    if (duration >= 0)
      {
        g_autofree char *total = format_double ("%.1f", duration / 1000.0);

        g_string_append_printf (out, " · %s s in total", total);
      }
  }
  g_string_append (out, "\n\n");

  if (error != NULL && *error != '\0')
    {
      g_string_append (out, "**Error:** ");
      append_inline (out, error);
      g_string_append (out, "\n\n");
    }

  if (data == NULL)
    {
      const char *text = cs_candidate_get_text (candidate);

      if (error == NULL && text != NULL && *text != '\0')
        {
          g_string_append (out, "No structured answer; the reply began:\n\n");
          {
            g_autofree char *head = g_utf8_substring (text, 0, MIN (g_utf8_strlen (text, -1), 400));

            append_code_block (out, "text", head, "");
          }
          g_string_append_c (out, '\n');
        }
      return;
    }

  if (cs_json_get_string (data, "summary") != NULL)
    {
      append_paragraphs (out, cs_json_get_string (data, "summary"), "");
      g_string_append_c (out, '\n');
    }

  if (mode == CS_MODE_ARCHITECT)
    {
      JsonArray *components = cs_json_get_array (data, "components");
      double cost;

      for (guint i = 0; i < cs_json_array_length (components); i++)
        {
          JsonObject *comp = cs_json_array_object (components, i);

          if (comp == NULL)
            continue;
          g_string_append (out, "- ");
          append_inline (out, cs_json_get_string (comp, "name"));
          g_string_append (out, ": ");
          append_inline (out, cs_json_get_string (comp, "technology"));
          g_string_append_c (out, '\n');
        }
      if (cs_json_get_number (data, "monthly_cost_usd", &cost))
        {
          g_autofree char *amount = format_dollars (cost);

          g_string_append_printf (out, "- Estimated cost: $%s/month\n", amount);
        }
    }
  else
    {
      JsonArray *steps = cs_json_get_array (data, "steps");

      for (guint i = 0; i < cs_json_array_length (steps); i++)
        {
          JsonObject *step = cs_json_array_object (steps, i);

          if (step == NULL)
            continue;
          g_string_append_printf (out, "%u. ", i + 1);
          append_inline (out, cs_json_get_string (step, "title"));
          g_string_append_c (out, '\n');
        }
    }
  g_string_append_c (out, '\n');
}

static char *
format_tokens (gint64 tokens)
{
  return tokens >= 0 ? format_thousands (tokens) : g_strdup ("—");
}

static void
append_costs (GString *out,
              CsRun   *run)
{
  g_autoptr(JsonNode) json = cs_run_to_json (run);
  JsonObject *judge = cs_json_get_object (cs_json_node_object (json), "judge_usage");
  guint n = g_list_model_get_n_items (G_LIST_MODEL (run));
  g_autofree char *total_in = format_tokens (cs_run_get_total_input_tokens (run));
  g_autofree char *total_out = format_tokens (cs_run_get_total_output_tokens (run));
  g_autofree char *total_cost = format_double ("%.4f", cs_run_get_total_cost_usd (run));

  g_string_append (out, "## Cost and latency\n\n"
                        "| Candidate | Status | Input tokens | Output tokens | Cost (USD) | TTFT (ms) | Total (s) | Tokens/s |\n"
                        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CsCandidate) candidate = g_list_model_get_item (G_LIST_MODEL (run), i);
      /* the id tells apart two candidates of one model */
      g_autofree char *label = g_strdup_printf ("%s · %s", cs_candidate_get_id (candidate),
                                                cs_candidate_get_model (candidate));
      g_autofree char *model = cell (label);
      g_autofree char *in = format_tokens (cs_candidate_get_input_tokens (candidate));
      g_autofree char *outt = format_tokens (cs_candidate_get_output_tokens (candidate));
      g_autofree char *cost = format_double ("%.4f", cs_candidate_get_cost_usd (candidate));
      g_autofree char *ttft = cs_candidate_get_ttft_ms (candidate) >= 0
                                ? format_thousands (cs_candidate_get_ttft_ms (candidate)) : g_strdup ("—");
      g_autofree char *total = cs_candidate_get_duration_ms (candidate) >= 0
                                 ? format_double ("%.1f", cs_candidate_get_duration_ms (candidate) / 1000.0)
                                 : g_strdup ("—");
      double tps = cs_candidate_get_tokens_per_second (candidate);
      g_autofree char *rate = tps > 0 ? format_double ("%.1f", tps) : g_strdup ("—");

      g_string_append_printf (out, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", model,
                              cs_candidate_status_to_string (cs_candidate_get_status (candidate)),
                              in, outt, cost, ttft, total, rate);
    }
  if (judge != NULL && obj_int (judge, "input_tokens", -1) >= 0)
    {
      g_autofree char *model = cell (cs_run_get_judge (run) ? cs_run_get_judge (run) : "judge");
      g_autofree char *in = format_tokens (obj_int (judge, "input_tokens", -1));
      g_autofree char *outt = format_tokens (obj_int (judge, "output_tokens", -1));
      double c = 0, ms = -1;
      g_autofree char *cost = NULL;
      g_autofree char *total = NULL;

      cs_json_get_number (judge, "cost_usd", &c);
      cs_json_get_number (judge, "duration_ms", &ms);
      cost = format_double ("%.4f", c);
      total = ms >= 0 ? format_double ("%.1f", ms / 1000.0) : g_strdup ("—");
      g_string_append_printf (out, "| %s (judge) | — | %s | %s | %s | — | %s | — |\n",
                              model, in, outt, cost, total);
    }
  g_string_append_printf (out, "| **Total** | | %s | %s | %s | | | |\n\n", total_in, total_out, total_cost);
}

/* ------------------------------------------------------------------------ */

char *
cs_export_markdown (CsRun *run)
{
  GString *out;
  JsonObject *synthesis;
  JsonObject *data;
  CsMode mode;
  const char * const *keys;
  g_autoptr(GDateTime) created = NULL;
  g_autofree char *date = NULL;
  guint n;

  g_return_val_if_fail (CS_IS_RUN (run), NULL);

  out = g_string_new (NULL);
  mode = cs_run_get_mode (run);
  synthesis = cs_json_node_object (cs_run_get_synthesis (run));
  data = cs_json_get_object (synthesis, "data");
  created = g_date_time_new_from_unix_utc (cs_run_get_created (run));
  date = created != NULL ? g_date_time_format (created, "%Y-%m-%d %H:%M UTC") : g_strdup ("unknown");

  g_string_append (out, "# ");
  append_inline (out, cs_run_get_title (run) && *cs_run_get_title (run) ? cs_run_get_title (run) : "Consilium run");
  g_string_append_printf (out, "\n\n- Mode: %s\n- Date: %s\n- Run: ",
                          mode == CS_MODE_SUPPORT ? "support (troubleshooting checklist)"
                                                  : "architect (system blueprint)",
                          date);
  append_inline (out, cs_run_get_id (run));
  g_string_append_printf (out, "\n- State: %s\n", cs_run_state_to_string (cs_run_get_state (run)));
  if (cs_run_get_message (run) != NULL && *cs_run_get_message (run))
    {
      g_string_append (out, "- Note: ");
      append_inline (out, cs_run_get_message (run));
      g_string_append_c (out, '\n');
    }

  g_string_append (out, "\n## Problem\n\n");
  append_code_block (out, "text", cs_run_get_problem (run), "");

  g_string_append (out, "\n## Constraints\n\n");
  keys = cs_run_get_constraint_keys (run);
  for (n = 0; keys != NULL && keys[n] != NULL; n++)
    {
      g_string_append (out, "- **");
      append_inline (out, keys[n]);
      g_string_append (out, ":** ");
      append_inline (out, cs_run_get_constraint (run, keys[n]));
      g_string_append_c (out, '\n');
    }
  if (n == 0)
    g_string_append (out, "None given.\n");
  g_string_append_c (out, '\n');

  if (data == NULL)
    g_string_append_printf (out, "## %s\n\nNo synthesized result: %s\n\n",
                            mode == CS_MODE_SUPPORT ? "Checklist" : "Blueprint",
                            cs_run_get_state (run) == CS_RUN_FAILED ? "no candidate succeeded."
                                                                    : "synthesis has not run.");
  else
    {
      if (mode == CS_MODE_SUPPORT)
        append_checklist (out, run, synthesis, data);
      else
        append_blueprint (out, synthesis, data);
      append_method_notes (out, run, synthesis);
    }

  g_string_append (out, "## Candidates\n\n");
  n = g_list_model_get_n_items (G_LIST_MODEL (run));
  if (n == 0)
    g_string_append (out, "None.\n\n");
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CsCandidate) candidate = g_list_model_get_item (G_LIST_MODEL (run), i);

      append_candidate (out, mode, candidate);
    }

  append_costs (out, run);

  /* one trailing newline */
  while (out->len > 1 && out->str[out->len - 1] == '\n' && out->str[out->len - 2] == '\n')
    g_string_truncate (out, out->len - 1);

  return g_string_free (out, FALSE);
}

/* json_node_copy() shares objects and arrays; this copies all the way down. */
static JsonNode *
deep_copy (JsonNode *node)
{
  JsonNode *copy;

  if (node == NULL)
    return NULL;
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *in = json_node_get_object (node);
      JsonObject *out = json_object_new ();
      g_autoptr(GList) members = json_object_get_members (in);

      for (GList *l = members; l != NULL; l = l->next)
        json_object_set_member (out, l->data, deep_copy (json_object_get_member (in, l->data)));
      copy = json_node_init_object (json_node_alloc (), out);
      json_object_unref (out);
      return copy;
    }
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *in = json_node_get_array (node);
      JsonArray *out = json_array_sized_new (json_array_get_length (in));

      for (guint i = 0; i < json_array_get_length (in); i++)
        json_array_add_element (out, deep_copy (json_array_get_element (in, i)));
      copy = json_node_init_array (json_node_alloc (), out);
      json_array_unref (out);
      return copy;
    }
  return json_node_copy (node);
}

static void
ensure_member (JsonObject *obj,
               const char *key)
{
  if (!json_object_has_member (obj, key))
    json_object_set_null_member (obj, key);
}

char *
cs_export_json (CsRun *run)
{
  g_autoptr(JsonNode) root = NULL;
  JsonObject *obj;
  JsonObject *synthesis;
  JsonArray *candidates;
  static const char * const candidate_keys[] = {
    "id", "model", "angle", "status", "error", "text", "reasoning", "data", "usage",
    "cost_usd", "ttft_ms", "duration_ms", "tokens_per_second",
  };
  static const char * const synthesis_keys[] = {
    "data", "rationale", "consensus", "alternatives", "critiques", "note",
  };

  g_return_val_if_fail (CS_IS_RUN (run), NULL);

  root = cs_run_to_json (run);
  obj = json_node_get_object (root);

  candidates = cs_json_get_array (obj, "candidates");
  for (guint i = 0; i < cs_json_array_length (candidates); i++)
    {
      JsonObject *c = cs_json_array_object (candidates, i);

      if (c == NULL)
        continue;
      for (guint k = 0; k < G_N_ELEMENTS (candidate_keys); k++)
        ensure_member (c, candidate_keys[k]);
    }

  /* the synthesis is always an object, so scripts need no null check; a
   * deep copy, as the run's own is shared by cs_run_to_json() */
  synthesis = cs_json_get_object (obj, "synthesis");
  if (synthesis != NULL)
    {
      json_object_set_member (obj, "synthesis", deep_copy (json_object_get_member (obj, "synthesis")));
      synthesis = cs_json_get_object (obj, "synthesis");
    }
  else
    {
      synthesis = json_object_new ();
      json_object_set_object_member (obj, "synthesis", synthesis);
    }
  if (cs_json_get_array (synthesis, "methods") == NULL)
    json_object_set_array_member (synthesis, "methods", json_array_new ());
  if (cs_json_get_array (synthesis, "votes") == NULL)
    json_object_set_array_member (synthesis, "votes", json_array_new ());
  for (guint k = 0; k < G_N_ELEMENTS (synthesis_keys); k++)
    ensure_member (synthesis, synthesis_keys[k]);
  if (!json_object_has_member (synthesis, "degraded"))
    json_object_set_boolean_member (synthesis, "degraded", FALSE);

  if (cs_json_get_object (obj, "totals") == NULL)
    json_object_set_object_member (obj, "totals", json_object_new ());
  if (!json_object_has_member (cs_json_get_object (obj, "totals"), "candidates"))
    json_object_set_int_member (cs_json_get_object (obj, "totals"), "candidates", cs_json_array_length (candidates));
  json_object_set_int_member (cs_json_get_object (obj, "totals"), "ok",
                              cs_run_count_status (run, CS_CANDIDATE_OK));

  /* Not json_generator_to_data (): json-glib 1.6 writes 1e22 as "1e+22.0". */
  return cs_json_to_string (root, TRUE);
}
