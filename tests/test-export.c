/* test-export.c: Markdown and JSON export of a run
 *
 * Golden files: tests/data/golden/{architect,support}.md. After an intended
 * change of the format, regenerate them with
 *   CS_UPDATE_GOLDEN=1 meson test -C <build> test-export
 * and review the diff.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <libintl.h>
#include <locale.h>

#include <string.h>

#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "cs-export.h"
#include "cs-export-private.h"
#include "cs-json-schema.h"
#include "cs-json-util.h"
#include "cs-run.h"
#include "cs-safe-file.h"
#include "cs-terminal-text.h"
#include "cs-synthesis.h"

#include "synthesis-fixtures.h"

static JsonNode *
parse (const char *text)
{
  g_autofree char *json = g_strdup (text);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  g_strdelimit (json, "'", '"');
  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  return json_parser_steal_root (parser);
}

static CsCandidate *
add_candidate (CsRun      *run,
               const char *id,
               const char *model,
               const char *angle,
               const char *data,
               gint64      in,
               gint64      out,
               double      cost,
               gint64      ttft,
               gint64      duration)
{
  g_autoptr(CsCandidate) candidate = cs_candidate_new (id, model, angle);

  if (data != NULL)
    {
      g_autoptr(JsonNode) node = parse (data);

      cs_candidate_set_data (candidate, node);
      cs_candidate_set_text (candidate, "{...}");
    }
  cs_candidate_set_usage (candidate, in, out, -1);
  cs_candidate_set_cost_usd (candidate, cost);
  cs_candidate_set_ttft_ms (candidate, ttft);
  cs_candidate_set_duration_ms (candidate, duration);
  cs_candidate_set_status (candidate, CS_CANDIDATE_OK);
  cs_run_add_candidate (run, candidate);
  return candidate;
}

static GPtrArray *
run_candidates (CsRun *run)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (run)); i++)
    g_ptr_array_add (out, g_list_model_get_item (G_LIST_MODEL (run), i));
  return out;
}

static CsRun *
make_architect_run (void)
{
  CsRun *run = cs_run_new (CS_MODE_ARCHITECT, "Design an order system for 10k orders a day.\nIt must run in the EU.");
  g_autoptr(GPtrArray) candidates = NULL;
  g_autoptr(JsonNode) fused = NULL;
  g_autoptr(JsonNode) degraded = NULL;
  CsCandidate *failed;

  cs_run_set_title (run, "Order system");
  cs_run_set_constraint (run, "budget", "3000 USD/month");
  cs_run_set_constraint (run, "hosting", "EU cloud");
  add_candidate (run, "c1", "kimi/kimi-k2", "performance", architect_a, 1200, 3400, 0.0123, 850, 21500);
  add_candidate (run, "c2", "openai/gpt-4.1", "cost", architect_b, 1100, 2900, 0.0311, 420, 12000);
  add_candidate (run, "c3", "ollama/qwen3", "operability", architect_c, 1150, 3100, 0, 1900, 64000);
  failed = add_candidate (run, "c4", "deepseek/deepseek-chat", "simplicity", NULL, 900, -1, 0.0009, -1, 30000);
  cs_candidate_set_status (failed, CS_CANDIDATE_FAILED);
  cs_candidate_set_error (failed, "The provider returned HTTP 503: service unavailable");

  candidates = run_candidates (run);
  fused = cs_synthesis_fuse (CS_MODE_ARCHITECT, candidates, NULL);
  g_assert_nonnull (fused);
  degraded = cs_synthesis_mark_degraded (fused, "No judge was configured.");
  cs_run_set_synthesis (run, degraded);
  cs_run_set_state (run, CS_RUN_DONE);
  return run;
}

static CsRun *
make_support_run (void)
{
  CsRun *run = cs_run_new (CS_MODE_SUPPORT, "The web app returns 500 errors since this morning; logs mention ENOSPC.");
  g_autoptr(GPtrArray) candidates = NULL;
  g_autoptr(JsonNode) fused = NULL;
  g_autoptr(JsonNode) reply = NULL;
  g_autoptr(JsonNode) judged = NULL;
  g_autoptr(GError) error = NULL;

  cs_run_set_title (run, "500 errors on the web app");
  cs_run_set_constraint (run, "os", "Debian 12");
  cs_run_set_constraint (run, "tried", "Rebooting the load balancer");
  cs_run_set_judge (run, "openai/o3");
  add_candidate (run, "c1", "kimi/kimi-k2", "likely-cause", support_a, 800, 1500, 0.004, 600, 9000);
  add_candidate (run, "c2", "openai/gpt-4.1", "cheapest-checks", support_b, 820, 1400, 0.011, 380, 7000);
  add_candidate (run, "c3", "ollama/qwen3", "safety", support_c, 790, 1600, 0, 1200, 25000);
  cs_run_set_judge_usage (run, 5200, 900, 0.021, 15000);

  candidates = run_candidates (run);
  fused = cs_synthesis_fuse (CS_MODE_SUPPORT, candidates, NULL);
  reply = parse (judge_reply);
  judged = cs_synthesis_apply_judge (CS_MODE_SUPPORT, fused, reply, "openai/o3", &error);
  g_assert_no_error (error);
  cs_run_set_synthesis (run, judged);
  cs_run_set_state (run, CS_RUN_DONE);
  cs_run_set_step_checked (run, 0, TRUE);
  return run;
}

/* The date and the run id change with every run: replace them. */
static char *
normalize (const char *markdown)
{
  g_auto(GStrv) lines = g_strsplit (markdown, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], "- Date: "))
        {
          g_free (lines[i]);
          lines[i] = g_strdup ("- Date: DATE");
        }
      else if (g_str_has_prefix (lines[i], "- Run: "))
        {
          g_free (lines[i]);
          lines[i] = g_strdup ("- Run: RUN-ID");
        }
    }
  return g_strjoinv ("\n", lines);
}

static void
compare_golden (const char *name,
                const char *markdown)
{
  g_autofree char *normalized = normalize (markdown);
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "golden", name, NULL);
  g_autofree char *expected = NULL;
  g_autoptr(GError) error = NULL;

  if (g_getenv ("CS_UPDATE_GOLDEN") != NULL)
    {
      g_file_set_contents (path, normalized, -1, &error);
      g_assert_no_error (error);
      g_test_message ("wrote %s", path);
      return;
    }
  g_file_get_contents (path, &expected, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (normalized, ==, expected);
}

static void
test_golden_architect (void)
{
  g_autoptr(CsRun) run = make_architect_run ();
  g_autofree char *markdown = cs_export_markdown (run);
  g_autofree char *again = cs_export_markdown (run);

  g_assert_cmpstr (markdown, ==, again);
  g_assert_true (g_str_has_prefix (markdown, "# Order system\n"));
  g_assert_nonnull (strstr (markdown, "## Blueprint"));
  g_assert_nonnull (strstr (markdown, "| API gateway (c1, c2, c3) | Kong 3.4 | 2 of 3 |"));
  g_assert_nonnull (strstr (markdown, "```mermaid\nflowchart LR\n"));
  g_assert_nonnull (strstr (markdown, "(chosen by 2 of 3)"));
  g_assert_nonnull (strstr (markdown, "$2,000/month (median of 3 estimates)"));
  /* no judge chosen: said plainly, not as a degradation */
  g_assert_nonnull (strstr (markdown, "- Judge: none chosen; the result combines the candidates' votes and consensus.\n"));
  g_assert_null (strstr (markdown, "Degraded"));
  g_assert_null (strstr (markdown, "No judge was configured."));
  g_assert_nonnull (strstr (markdown, "### c4 (deepseek-chat) — failed"));
  g_assert_nonnull (strstr (markdown, "**Error:** The provider returned HTTP 503"));
  g_assert_nonnull (strstr (markdown, "| **Total** | | 4,350 | 9,400 | 0.0443 |"));
  compare_golden ("architect.md", markdown);
}

static void
test_golden_support (void)
{
  g_autoptr(CsRun) run = make_support_run ();
  g_autofree char *markdown = cs_export_markdown (run);

  g_assert_nonnull (strstr (markdown, "## Checklist"));
  /* the checked step, and the unchecked ones */
  g_assert_nonnull (strstr (markdown, "- [x] **1. Check free disk space**"));
  g_assert_nonnull (strstr (markdown, "- [ ] **2. Check DNS resolution**"));
  g_assert_nonnull (strstr (markdown, "  ```sh\n  df -h\n  ```\n"));
  g_assert_nonnull (strstr (markdown, "agreed by 3 of 3: c1 (kimi-k2), c2 (gpt-4.1), c3 (qwen3)"));
  g_assert_nonnull (strstr (markdown, "added by the judge"));
  g_assert_nonnull (strstr (markdown, "### If that did not work, try…"));
  g_assert_nonnull (strstr (markdown, "After step 1: **Clean up old files to free disk space**"));
  g_assert_nonnull (strstr (markdown, "### When to escalate"));
  g_assert_nonnull (strstr (markdown, "- Methods: votes, consensus, judge. Judge: o3 from openai.\n"));
  g_assert_null (strstr (markdown, "(judge: o3"));
  g_assert_nonnull (strstr (markdown, "> Disk first; DNS kept because the logs mention lookups."));
  g_assert_nonnull (strstr (markdown, "- **c1** (kimi-k2) — score 8/10"));
  g_assert_nonnull (strstr (markdown, "| judge (o3) |"));
  compare_golden ("support.md", markdown);
}

/* Tracks fences line by line: returns the fence lengths opened, and whether
 * the document ends outside any fence. Lines inside fences go to @inside. */
static gboolean
fences_balanced (const char *markdown,
                 GString    *outside,
                 GString    *inside)
{
  g_auto(GStrv) lines = g_strsplit (markdown, "\n", -1);
  guint open = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *l = lines[i];
      guint run = 0;

      while (*l == ' ')
        l++;
      while (l[run] == '`')
        run++;
      if (open == 0 && run >= 3)
        {
          open = run;
          continue;
        }
      if (open > 0 && run >= open && l[run] == '\0')
        {
          open = 0;
          continue;
        }
      g_string_append_printf (open > 0 ? inside : outside, "%s\n", lines[i]);
    }
  return open == 0;
}

/* The text between "<details><summary>Reasoning</summary>" and the next
 * "</details>" line after @from, or NULL. */
static char *
reasoning_block (const char *markdown,
                 const char *from)
{
  const char *start = strstr (from, "<details><summary>Reasoning</summary>\n\n");
  const char *end;

  if (start == NULL)
    return NULL;
  start += strlen ("<details><summary>Reasoning</summary>\n\n");
  end = strstr (start, "\n</details>\n");
  g_assert_nonnull (end);
  return g_strndup (start, end - start);
}

static guint
count (const char *haystack,
       const char *needle)
{
  guint n = 0;

  for (const char *p = strstr (haystack, needle); p != NULL; p = strstr (p + 1, needle))
    n++;
  return n;
}

static void
test_reasoning (void)
{
  g_autoptr(CsRun) run = make_support_run ();
  g_autoptr(CsCandidate) c1 = g_list_model_get_item (G_LIST_MODEL (run), 0);
  g_autoptr(CsCandidate) c2 = g_list_model_get_item (G_LIST_MODEL (run), 1);
  g_autoptr(GString) long_text = g_string_new (NULL);
  static const char hostile[] =
    "\n**Weighing** the disk first.\n\n</details>\n<script>alert(1)</script> & <b>x</b>\n\n"
    "# not a heading\n```\nnot a fence";
  g_autofree char *markdown = NULL;
  g_autofree char *block1 = NULL;
  g_autofree char *block2 = NULL;
  g_auto(GStrv) lines = NULL;

  cs_candidate_append (c1, CS_STREAM_REASONING, hostile, -1);
  while (long_text->len < 25000)
    g_string_append (long_text, "Checking one more thing. ");
  cs_candidate_append (c2, CS_STREAM_REASONING, long_text->str, long_text->len);
  markdown = cs_export_markdown (run);
  g_test_message ("%s", markdown);

  /* one collapsed block per candidate with reasoning, in its section */
  g_assert_cmpuint (count (markdown, "<details><summary>Reasoning</summary>\n\n"), ==, 2);
  g_assert_cmpuint (count (markdown, "\n</details>\n"), ==, 2);
  block1 = reasoning_block (markdown, strstr (markdown, "### c1 (kimi-k2)"));
  g_assert_nonnull (block1);
  g_assert_true (strstr (markdown, block1) < strstr (markdown, "### c2 (gpt-4.1)"));
  block2 = reasoning_block (markdown, strstr (markdown, "### c2 (gpt-4.1)"));
  g_assert_nonnull (block2);
  g_assert_true (strstr (markdown, block2) < strstr (markdown, "### c3 (qwen3)"));
  g_assert_null (reasoning_block (markdown, strstr (markdown, "### c3 (qwen3)")));

  /* the network's text is inert: it closes nothing and opens no tag */
  g_assert_cmpstr (block1, ==,
                   "\\*\\*Weighing\\*\\* the disk first.\n\n"
                   "\\</details\\> \\<script\\>alert(1)\\</script\\> &amp; \\<b\\>x\\</b\\>\n\n"
                   "\\# not a heading \\`\\`\\` not a fence\n");
  lines = g_strsplit (markdown, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    g_assert_false (g_str_has_prefix (lines[i], "<script"));

  /* very long reasoning is cut, and says so */
  g_assert_cmpuint (g_utf8_strlen (block2, -1), <, 20200);
  g_assert_nonnull (strstr (block2, "\n*The reasoning is cut here: 20,000 of its 25,000 characters are shown.*\n"));
}

static void
test_hostile_text (void)
{
  g_autoptr(CsRun) run = cs_run_new (CS_MODE_SUPPORT, "Problem with ``` fences\n```\n# not a heading\n<script>alert(1)</script>");
  g_autoptr(GPtrArray) candidates = NULL;
  g_autoptr(JsonNode) fused = NULL;
  g_autofree char *markdown = NULL;
  g_autoptr(GString) outside = g_string_new (NULL);
  g_autoptr(GString) inside = g_string_new (NULL);
  g_auto(GStrv) lines = NULL;
  CsCandidate *bad;

  cs_run_set_title (run, "Title with | pipe and <b>bold</b>");
  cs_run_set_constraint (run, "stack", "nginx | postgres\n## injected");
  add_candidate (run, "c1", "evil/model|x<b>", "angle`",
                 "{'summary':'Fine.\\n\\n# Injected heading\\n```\\n<b>bold</b> and | pipes',"
                 " 'likely_causes':[{'cause':'**bold** cause | x','likelihood':'high'}],"
                 " 'steps':[{'title':'Step ``` one | <b>x</b>\\n- [x] fake','action':'Run it\\n\\n## H2',"
                 "           'command':'echo ```` && cat <<EOF | grep x','expected':'`ok`','if_fails':'1. no',"
                 "           'risk':'low','effort_minutes':1}],"
                 " 'escalate_when':'When ```` happens\\n---'}",
                 10, 20, 0.1, 5, 100);
  bad = add_candidate (run, "c2", "m2", "a", NULL, -1, -1, 0, -1, -1);
  cs_candidate_set_status (bad, CS_CANDIDATE_INVALID);
  cs_candidate_set_text (bad, "garbage ``` with fence\n# and heading");

  candidates = run_candidates (run);
  fused = cs_synthesis_fuse (CS_MODE_SUPPORT, candidates, NULL);
  cs_run_set_synthesis (run, fused);
  markdown = cs_export_markdown (run);
  g_test_message ("%s", markdown);

  /* no fence is closed early: the document ends outside any fence, and the
   * model's backticks only appear escaped outside fences */
  g_assert_true (fences_balanced (markdown, outside, inside));
  g_assert_nonnull (strstr (inside->str, "echo ```` && cat <<EOF | grep x"));
  g_assert_nonnull (strstr (inside->str, "Problem with ``` fences"));
  g_assert_nonnull (strstr (inside->str, "garbage ``` with fence"));

  lines = g_strsplit (outside->str, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *l = lines[i];

      /* headings are only ours */
      if (l[0] == '#')
        g_assert_true (g_str_has_prefix (l, "# Title with") || g_str_has_prefix (l, "## ") ||
                       g_str_has_prefix (l, "### "));
      g_assert_false (g_str_has_prefix (l, "## H2"));
      g_assert_false (g_str_has_prefix (l, "# Injected"));
      g_assert_false (g_str_has_prefix (l, "## injected"));
      g_assert_false (g_str_has_prefix (l, "---"));
      g_assert_false (g_str_has_prefix (l, "- [x]"));
      /* no raw HTML, no unescaped backtick */
      for (const char *p = l; *p; p++)
        if (*p == '<' || *p == '`')
          g_assert_true (p > l && p[-1] == '\\');
      /* table rows: exactly the columns we made */
      if (l[0] == '|')
        {
          guint pipes = 0;

          for (const char *p = l; *p; p++)
            if (*p == '|' && (p == l || p[-1] != '\\'))
              pipes++;
          g_assert_cmpuint (pipes, ==, 9);
        }
    }
  g_assert_nonnull (strstr (markdown, "\\<b\\>bold\\</b\\>"));
  g_assert_nonnull (strstr (markdown, "| c1 (model\\|x\\<b\\>) |"));
}

/* The cost line says "median" only of a median: a judge's own figure is
 * named as such; a figure no integer holds is still printed sanely. The
 * votes column tells a technology vote from a component count. */
static void
test_cost_and_votes (void)
{
  g_autoptr(CsRun) run = make_architect_run ();
  JsonNode *synthesis = json_node_copy (cs_run_get_synthesis (run));
  JsonObject *data = json_object_get_object_member (json_node_get_object (synthesis), "data");
  JsonObject *component = json_array_get_object_element (json_object_get_array_member (data, "components"), 0);
  g_autofree char *judged = NULL;
  g_autofree char *huge = NULL;

  json_object_set_double_member (data, "monthly_cost_usd", 2440);
  /* the judge swapped the gateway's technology: no technology vote fits */
  json_object_set_string_member (component, "technology", "Traefik");
  /* and the primary database's decision, to CockroachDB; the gateway's is
   * the voted one in other words (no version) */
  json_object_set_string_member (json_array_get_object_element (json_object_get_array_member (data, "decisions"), 0),
                                 "choice", "CockroachDB");
  json_object_set_string_member (json_array_get_object_element (json_object_get_array_member (data, "decisions"), 1),
                                 "choice", "kong");
  cs_run_set_synthesis (run, synthesis);
  judged = cs_export_markdown (run);
  g_assert_null (strstr (judged, "median of 3 estimates"));
  g_assert_nonnull (strstr (judged, "$2,440/month (the judge's figure; the median of 3 candidate estimates is $2,000/month)"));
  /* the judge went against the vote: said, with what the candidates chose */
  g_assert_nonnull (strstr (judged, "| API gateway (c1, c2, c3) | Traefik | judge; the candidates voted Kong 3.4, 2 of 3 |"));
  g_assert_nonnull (strstr (judged, "- **Primary database:** CockroachDB (the judge's choice; the candidates voted PostgreSQL, 3 of 3)"));
  g_assert_nonnull (strstr (judged, "- **API gateway product:** kong (chosen by 2 of 3)"));
  /* the judge's pick of a minority option: its own count, and that the
   * candidates voted otherwise (never the winner's count beside it) */
  json_object_set_string_member (json_array_get_object_element (json_object_get_array_member (data, "decisions"), 1),
                                 "choice", "Envoy");
  cs_run_set_synthesis (run, NULL);
  cs_run_set_synthesis (run, synthesis);
  g_clear_pointer (&judged, g_free);
  judged = cs_export_markdown (run);
  g_assert_nonnull (strstr (judged, "- **API gateway product:** Envoy (the judge's choice, also chosen by 1 of 3; "
                                    "the candidates voted Kong, 2 of 3)"));
  g_assert_null (strstr (judged, "Envoy (chosen by"));
  /* the same beside a component's technology */
  json_object_set_string_member (component, "technology", "Envoy");
  cs_run_set_synthesis (run, NULL);
  cs_run_set_synthesis (run, synthesis);
  g_clear_pointer (&judged, g_free);
  judged = cs_export_markdown (run);
  g_assert_nonnull (strstr (judged, "| API gateway (c1, c2, c3) | Envoy | judge, also chosen by 1 of 3; the candidates voted Kong 3.4, 2 of 3 |"));

  json_object_set_double_member (data, "monthly_cost_usd", 1e300);
  cs_run_set_synthesis (run, synthesis);
  huge = cs_export_markdown (run);
  g_assert_nonnull (strstr (huge, "$1e+300/month"));
  g_assert_null (strstr (huge, "$-"));
  json_node_unref (synthesis);
}

/* No judge chosen is a choice, said plainly; a judge that failed, or a
 * merge that failed, stays a degradation. */
static void
test_judge_note (void)
{
  g_autoptr(CsRun) run = make_architect_run ();
  g_autoptr(JsonNode) failed = NULL;
  g_autoptr(JsonNode) alone = NULL;
  g_autofree char *plain = cs_export_markdown (run);
  g_autofree char *judge_failed = NULL;
  g_autofree char *merge_failed = NULL;

  g_assert_nonnull (strstr (plain, "- Judge: none chosen;"));
  g_assert_null (strstr (plain, "**Degraded:**"));

  cs_run_set_judge (run, "openai/o3");
  failed = cs_synthesis_mark_degraded (cs_run_get_synthesis (run),
                                       "The judge (openai/o3) failed: it timed out. The result combines votes and consensus only.");
  cs_run_set_synthesis (run, failed);
  judge_failed = cs_export_markdown (run);
  g_assert_nonnull (strstr (judge_failed, "- **Degraded:** The judge (openai/o3) failed: it timed out."));
  g_assert_null (strstr (judge_failed, "none chosen"));

  /* no judge, and the merge failed: one candidate's answer alone */
  cs_run_set_judge (run, NULL);
  alone = parse ("{'methods': [], 'data': {'summary': 'One answer.'}, 'total': 1, 'degraded': true,"
                 " 'note': 'The synthesis failed (boom); this is the answer of candidate c1 alone.'}");
  cs_run_set_synthesis (run, alone);
  merge_failed = cs_export_markdown (run);
  g_assert_nonnull (strstr (merge_failed, "- **Degraded:** The synthesis failed"));
  g_assert_null (strstr (merge_failed, "none chosen"));
}

/* No internal name reaches the document: providers by their display
 * names (given the configuration), candidates by their id next to their
 * model, angles, methods, likelihoods, API styles and constraints in words. */
static void
test_names (void)
{
  g_autoptr(CsRun) architect = make_architect_run ();
  g_autoptr(CsRun) support = make_support_run ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CsConfig) config = cs_config_new_from_data ("[provider kimi]\nname=Moonshot Kimi\n"
                                                        "base-url=https://api.moonshot.ai/v1\nmodels=kimi-k2\n\n"
                                                        "[provider openai]\nname=OpenAI\n"
                                                        "base-url=https://api.openai.com/v1\nmodels=gpt-4.1;o3\n",
                                                        "providers.ini", &error);
  g_autofree char *a = NULL;
  g_autofree char *s = NULL;

  g_assert_no_error (error);
  a = cs_export_markdown_with_names (architect, config);
  s = cs_export_markdown_with_names (support, config);

  g_assert_nonnull (strstr (a, "### c1 (kimi-k2) — done\n\nProvider: Moonshot Kimi · angle: Performance first · "));
  g_assert_nonnull (strstr (a, "Provider: ollama · "));   /* not configured: its id */
  g_assert_nonnull (strstr (a, "- **Budget:** 3000 USD/month"));
  g_assert_nonnull (strstr (a, "(REST)"));
  g_assert_nonnull (strstr (a, "- Methods: votes, consensus\n"));
  g_assert_nonnull (strstr (s, "- Methods: votes, consensus, judge. Judge: o3 from OpenAI.\n"));
  g_assert_nonnull (strstr (s, "angle: Most likely cause first"));
  g_assert_nonnull (strstr (s, "- Disk full (likely)"));
  g_assert_nonnull (strstr (s, "agreed by 2 of 3: c1 (kimi-k2), c2 (gpt-4.1)"));
  g_assert_nonnull (strstr (s, "- **Already tried:** Rebooting the load balancer"));
  for (guint i = 0; i < 2; i++)
    {
      const char *md = i == 0 ? a : s;

      /* (the fused summary says which candidate it came from, as synthesis
       * wrote it in the run file) */
      g_assert_null (strstr (md, "### kimi/"));
      g_assert_null (strstr (md, "· kimi/"));
      g_assert_null (strstr (md, "openai/"));
      g_assert_null (strstr (md, "likely-cause"));
      g_assert_null (strstr (md, "ensemble"));
      g_assert_null (strstr (md, "(rest)"));
      g_assert_null (strstr (md, "(high)"));
      g_assert_null (strstr (md, "| ok |"));
      g_assert_null (strstr (md, "**os:**"));
    }
}

static void
test_no_synthesis (void)
{
  g_autoptr(CsRun) run = cs_run_new (CS_MODE_ARCHITECT, "Nothing worked.");
  g_autofree char *markdown = NULL;
  g_autofree char *json = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *synthesis;
  CsCandidate *c;

  c = add_candidate (run, "c1", "m", "a", NULL, -1, -1, 0, -1, -1);
  cs_candidate_set_status (c, CS_CANDIDATE_REFUSED);
  cs_run_set_state (run, CS_RUN_FAILED);
  markdown = cs_export_markdown (run);
  g_assert_nonnull (strstr (markdown, "## Blueprint\n\nNo synthesized result: no candidate succeeded."));
  g_assert_nonnull (strstr (markdown, "— refused"));
  g_assert_nonnull (strstr (markdown, "## Cost and latency"));

  json = cs_export_json (run);
  root = json_from_string (json, NULL);
  synthesis = json_object_get_object_member (json_node_get_object (root), "synthesis");
  g_assert_nonnull (synthesis);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (synthesis, "methods")), ==, 0);
  g_assert_true (json_object_get_null_member (synthesis, "data"));
}

/* Where the result breaks the stated constraints: said under them in the
 * Markdown, listed in the JSON; nothing when it keeps them. */
static void
test_constraint_breaches (void)
{
  g_autoptr(CsRun) run = make_architect_run ();
  g_autofree char *md = NULL;
  g_autofree char *kept = NULL;
  g_autofree char *json = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonArray *breaches;
  JsonObject *budget;
  const char *tech;

  kept = cs_export_markdown (run);
  g_assert_null (strstr (kept, "breaks"));

  cs_run_set_constraint (run, "budget", "$1k/month");
  cs_run_set_constraint (run, "technologies", "Go, PostgreSQL, Redis");
  md = cs_export_markdown (run);
  g_test_message ("%s", md);
  /* amounts read the same in the person's text, our sentences and our
   * figures (cs-export-text.c: a `$` that begins an amount stays) */
  g_assert_nonnull (strstr (md, "- **Budget:** $1k/month\n"));
  g_assert_nonnull (strstr (md, "\n**Where the result breaks them:**\n\n"
                                "- The estimated cost, $2,000 a month, is above the stated budget of $1,000 a month.\n"
                                "- Not among the preferred technologies: Kong 3.4 (API gateway).\n"));
  /* under the constraints, before the result */
  g_assert_true (strstr (md, "Where the result breaks them") < strstr (md, "## Blueprint"));

  json = cs_export_json (run);
  root = json_from_string (json, NULL);
  g_assert_nonnull (root);
  breaches = json_object_get_array_member (json_node_get_object (root), "constraint_breaches");
  g_assert_cmpuint (json_array_get_length (breaches), ==, 2);
  budget = json_array_get_object_element (breaches, 0);
  g_assert_cmpstr (json_object_get_string_member (budget, "constraint"), ==, "budget");
  g_assert_cmpfloat (json_object_get_double_member (budget, "budget_usd"), ==, 1000);
  g_assert_cmpfloat (json_object_get_double_member (budget, "estimate_usd"), ==, 2000);
  tech = json_object_get_string_member (json_array_get_object_element (breaches, 1), "constraint");
  g_assert_cmpstr (tech, ==, "technologies");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_array_get_object_element (breaches, 1),
                                                                          "technologies")), >, 0);
}

/* Every `$` of @markdown outside fenced blocks is escaped, or begins an
 * amount: after whitespace (or at a line's start) and before a digit. The
 * first offending line, or NULL. */
static char *
stray_dollar (const char *markdown)
{
  g_auto(GStrv) lines = g_strsplit (markdown, "\n", -1);
  char fence = 0;       /* '`' or '~' inside a fenced block */
  gsize fence_len = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];
      const char *trimmed = line + strspn (line, " ");
      gsize run = trimmed[0] == '`' || trimmed[0] == '~' ? strspn (trimmed, trimmed[0] == '`' ? "`" : "~") : 0;

      if (fence != 0)
        {
          if (trimmed[0] == fence && run >= fence_len && trimmed[run] == '\0')
            fence = 0;
          continue;
        }
      if (run >= 3)
        {
          fence = trimmed[0];
          fence_len = run;
          continue;
        }
      for (const char *p = line; *p != '\0'; p++)
        if (*p == '$' && !(p > line && p[-1] == '\\') &&
            !((p == line || p[-1] == ' ') && g_ascii_isdigit (p[1])))
          return g_strdup (line);
    }
  return NULL;
}

/* One rule for `$` (cs-export-text.c): a `$` that begins an amount stays,
 * whoever wrote it; every other one is escaped, so no renderer with TeX
 * math (`$…$`) finds a pair in it. */
static void
test_dollars (void)
{
  static const struct {
    const char *text;
    const char *markdown;
  } cases[] = {
    { "Costs $5 to $10 a month", "Costs $5 to $10 a month" },
    { "$2,000/month", "$2,000/month" },
    { "x$y$ and $$z$$", "x\\$y\\$ and \\$\\$z\\$\\$" },
    { "neither $ 4 $ nor 2000$.", "neither \\$ 4 \\$ nor 2000\\$." },
    { "US$30 ($5) $x", "US\\$30 (\\$5) \\$x" },
    { "a\n$5\tthen\t$6", "a $5 then $6" },
  };
  g_autoptr(CsRun) run = make_architect_run ();
  JsonNode *synthesis = json_node_copy (cs_run_get_synthesis (run));
  JsonObject *data = json_object_get_object_member (json_node_get_object (synthesis), "data");
  JsonObject *component = json_array_get_object_element (json_object_get_array_member (data, "components"), 0);
  g_autofree char *md = NULL;
  g_autofree char *stray = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GString) out = g_string_new (NULL);

      cs_export_append_inline (out, cases[i].text);
      g_assert_cmpstr (out->str, ==, cases[i].markdown);
    }
  /* after text of ours that ends without a space, an amount's `$` closes
   * nothing either: escaped */
  {
    g_autoptr(GString) out = g_string_new ("**");

    cs_export_append_inline (out, "$5 plan");
    g_assert_cmpstr (out->str, ==, "**\\$5 plan");
  }

  /* a total with a part unpriced is an amount as every other: `$`, read
   * as no math */
  {
    g_autofree char *at_least = cs_export_format_at_least (0.0123);
    g_autofree char *row = g_strdup_printf ("| **Total** | %s |", at_least);
    g_autofree char *row_stray = stray_dollar (row);

    g_assert_cmpstr (at_least, ==, "≥ $0.0123 (price unknown)");
    g_assert_cmpstr (row_stray, ==, NULL);
  }

  /* a whole export: the model's text, the person's, our figures (costs,
   * the estimate and its median, the breaches of a budget) */
  json_object_set_string_member (component, "responsibility", "Routes $5 plans; math like $x$ or $$y$$ stays text");
  json_object_set_double_member (data, "monthly_cost_usd", 2440);
  cs_run_set_synthesis (run, synthesis);
  cs_run_set_constraint (run, "budget", "$1k/month (or US$900)");
  md = cs_export_markdown (run);
  g_test_message ("%s", md);
  stray = stray_dollar (md);
  g_assert_cmpstr (stray, ==, NULL);
  g_assert_nonnull (strstr (md, "Routes $5 plans; math like \\$x\\$ or \\$\\$y\\$\\$ stays text"));
  g_assert_nonnull (strstr (md, "- **Budget:** $1k/month (or US\\$900)\n"));
  g_assert_nonnull (strstr (md, "$2,440/month"));
  g_assert_nonnull (strstr (md, "The estimated cost, $2,440 a month, is above the stated budget of $1,000 a month."));
  json_node_unref (synthesis);
}

/* The export speaks the user's language: German headings, labels and
 * words under LANGUAGE=de, from the translations this build made. */
static void
test_german (void)
{
  g_autoptr(CsRun) run = make_architect_run ();
  g_autofree char *localedir = g_test_build_filename (G_TEST_BUILT, "..", "po", NULL);
  g_autofree char *mo = g_build_filename (localedir, "de", "LC_MESSAGES", GETTEXT_PACKAGE ".mo", NULL);
  g_autofree char *md = NULL;

  if (!g_file_test (mo, G_FILE_TEST_IS_REGULAR))
    {
      g_test_skip ("the German translation is not built");
      return;
    }
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  g_setenv ("LANGUAGE", "de", TRUE);
  /* any locale but C lets LANGUAGE choose; C.UTF-8 is always there */
  g_assert_nonnull (setlocale (LC_ALL, "C.UTF-8"));
  md = cs_export_markdown (run);
  g_unsetenv ("LANGUAGE");
  setlocale (LC_ALL, "C");
  g_test_message ("%s", md);

  g_assert_nonnull (strstr (md, "\n- Modus: Systemarchitektur (ein Bauplan des Systems)\n"));
  g_assert_nonnull (strstr (md, "\n## Randbedingungen\n"));
  g_assert_nonnull (strstr (md, "\n- **Budget:** 3000 USD/month\n"));
  g_assert_nonnull (strstr (md, "\n## Bauplan\n"));
  g_assert_nonnull (strstr (md, "\n### Komponenten\n"));
  g_assert_nonnull (strstr (md, "| Komponente | Technologie | Stimmen |"));
  g_assert_nonnull (strstr (md, "\n## Kandidaten\n"));
  g_assert_nonnull (strstr (md, "\n## Kosten und Latenz\n"));
  g_assert_nonnull (strstr (md, "\n- Status: fertig\n"));
  g_assert_nonnull (strstr (md, "\n### Wie dies zusammengeführt wurde\n"));
  g_assert_null (strstr (md, "## Candidates"));
  g_assert_null (strstr (md, "### Components"));
}

static void
test_json (void)
{
  g_autoptr(CsRun) run = make_support_run ();
  g_autofree char *json = cs_export_json (run);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = json_from_string (json, &error);
  JsonObject *obj, *synthesis, *totals;
  JsonArray *candidates;
  static const char * const candidate_keys[] = {
    "model", "status", "error", "text", "reasoning", "data", "usage", "cost_usd", "ttft_ms", "duration_ms",
  };
  static const char * const synthesis_keys[] = { "methods", "data", "rationale", "votes" };

  g_assert_no_error (error);
  obj = json_node_get_object (root);
  g_assert_cmpstr (json_object_get_string_member (obj, "mode"), ==, "support");
  g_assert_cmpstr (json_object_get_string_member (obj, "problem"), ==,
                   "The web app returns 500 errors since this morning; logs mention ENOSPC.");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (obj, "constraints"), "os"), ==, "Debian 12");

  candidates = json_object_get_array_member (obj, "candidates");
  g_assert_cmpuint (json_array_get_length (candidates), ==, 3);
  for (guint i = 0; i < json_array_get_length (candidates); i++)
    {
      JsonObject *c = json_array_get_object_element (candidates, i);

      for (guint k = 0; k < G_N_ELEMENTS (candidate_keys); k++)
        if (!json_object_has_member (c, candidate_keys[k]))
          g_error ("candidate %u lacks %s", i, candidate_keys[k]);
      g_assert_cmpstr (json_object_get_string_member (c, "status"), ==, "ok");
      g_assert_true (JSON_NODE_HOLDS_OBJECT (json_object_get_member (c, "data")));
      g_assert_true (JSON_NODE_HOLDS_OBJECT (json_object_get_member (c, "usage")));
    }
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (json_array_get_object_element (candidates, 0), "usage"), "input_tokens"), ==, 800);

  synthesis = json_object_get_object_member (obj, "synthesis");
  for (guint k = 0; k < G_N_ELEMENTS (synthesis_keys); k++)
    if (!json_object_has_member (synthesis, synthesis_keys[k]))
      g_error ("synthesis lacks %s", synthesis_keys[k]);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (synthesis, "methods")), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (synthesis, "rationale"), ==,
                   "Disk first; DNS kept because the logs mention lookups.");

  totals = json_object_get_object_member (obj, "totals");
  g_assert_nonnull (totals);
  g_assert_true (json_object_has_member (totals, "cost_usd"));
  g_assert_true (json_object_has_member (totals, "input_tokens"));
  g_assert_true (json_object_has_member (totals, "output_tokens"));
}

/* Exporting never changes the run's own synthesis. */
static void
test_json_does_not_mutate (void)
{
  g_autoptr(CsRun) run = cs_run_new (CS_MODE_SUPPORT, "p");
  g_autoptr(JsonNode) minimal = parse ("{'methods':['ensemble'],'data':null}");
  g_autofree char *json = NULL;
  JsonObject *own;

  cs_run_set_synthesis (run, minimal);
  json = cs_export_json (run);
  g_assert_nonnull (strstr (json, "\"votes\""));
  own = json_node_get_object (cs_run_get_synthesis (run));
  g_assert_false (json_object_has_member (own, "votes"));
  g_assert_false (json_object_has_member (own, "rationale"));
}

/* json-glib 1.6 writes 1e22 as "1e+22.0", which is not JSON: the export
 * repairs numbers, and leaves strings that only look like them alone. */
static void
test_json_exponents (void)
{
  g_autoptr(CsRun) run = cs_run_new (CS_MODE_ARCHITECT, "Costs 1e+22.0 \"per\\\" 5e-91.0 month");
  g_autoptr(CsCandidate) c = cs_candidate_new ("c1", "demo/demo-alpha", "cost");
  g_autoptr(JsonNode) data = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  g_autofree char *compact = NULL;
  JsonObject *obj;
  JsonObject *cdata;
  char text[] = "{\"a\":1e+22.0,\"s\":\"1e+22.0 \\\"2E-5.0\\\" 3.0\",\"b\":[-5e-91.0,2.0,1.5e+300,7E+9.0]}";

  /* the helper itself: numbers repaired, strings and plain ".0" left */
  g_assert_cmpuint (cs_json_fix_exponents (text), ==, strlen (text));
  g_assert_cmpstr (text, ==, "{\"a\":1e+22,\"s\":\"1e+22.0 \\\"2E-5.0\\\" 3.0\",\"b\":[-5e-91,2.0,1.5e+300,7E+9]}");
  g_assert_cmpuint (cs_json_fix_exponents (NULL), ==, 0);

  data = json_from_string ("{\"monthly_cost_usd\":1e22,\"tiny\":-5e-91,\"n\":3,\"x\":0.5,"
                           "\"label\":\"1e+22.0\"}", &error);
  g_assert_no_error (error);
  cs_candidate_set_data (c, data);
  cs_candidate_set_status (c, CS_CANDIDATE_OK);
  cs_run_add_candidate (run, c);
  cs_run_set_judge_usage (run, 10, 20, 5e-91, 1000);

  json = cs_export_json (run);
  g_assert_null (strstr (json, "e+22.0,"));
  root = cs_json_parse_bounded (json, -1, 0, &error);
  g_assert_no_error (error);
  obj = json_node_get_object (root);
  g_assert_cmpstr (json_object_get_string_member (obj, "problem"), ==, "Costs 1e+22.0 \"per\\\" 5e-91.0 month");
  cdata = json_object_get_object_member (json_array_get_object_element (json_object_get_array_member (obj, "candidates"), 0), "data");
  g_assert_cmpfloat (json_object_get_double_member (cdata, "monthly_cost_usd"), ==, 1e22);
  g_assert_cmpfloat (json_object_get_double_member (cdata, "tiny"), ==, -5e-91);
  g_assert_cmpint (json_object_get_int_member (cdata, "n"), ==, 3);
  g_assert_cmpfloat (json_object_get_double_member (cdata, "x"), ==, 0.5);
  g_assert_cmpstr (json_object_get_string_member (cdata, "label"), ==, "1e+22.0");

  /* compact too */
  compact = cs_json_to_string (data, FALSE);
  g_assert_cmpstr (compact, ==, "{\"monthly_cost_usd\":1e+22,\"tiny\":-5e-91,\"n\":3,\"x\":0.5,\"label\":\"1e+22.0\"}");
}

/* The destination rule of cs-safe-file.h, which the CLI's --output and the
 * app's export share: sync and async. */
typedef struct {
  gboolean  done;
  GError   *error;
} AsyncWrite;

static void
write_async_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  AsyncWrite *aw = user_data;

  cs_safe_file_write_finish (result, &aw->error);
  aw->done = TRUE;
}

static gboolean
write_async (const char  *path,
             const char  *text,
             const char  *input,
             GError     **error)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));
  AsyncWrite aw = { FALSE, NULL };

  cs_safe_file_write_async (path, bytes, input, NULL, write_async_cb, &aw);
  while (!aw.done)
    g_main_context_iteration (NULL, TRUE);
  if (aw.error != NULL)
    {
      g_propagate_error (error, aw.error);
      return FALSE;
    }
  return TRUE;
}

static void
test_safe_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("cs-test-safe-file-XXXXXX", &error);
  g_autofree char *input = g_build_filename (dir, "problem.txt", NULL);
  g_autofree char *hard = g_build_filename (dir, "hard.md", NULL);
  g_autofree char *readonly = g_build_filename (dir, "readonly.md", NULL);
  g_autofree char *symlink_path = g_build_filename (dir, "link.md", NULL);
  g_autofree char *target = g_build_filename (dir, "target.md", NULL);
  g_autofree char *fresh = g_build_filename (dir, "new.md", NULL);
  g_autofree char *fresh2 = g_build_filename (dir, "new2.md", NULL);
  g_autofree char *missing = g_build_filename (dir, "no", "such", "x.md", NULL);
  g_autofree char *contents = NULL;
  GStatBuf st;

  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (input, "the problem", -1, NULL));
  g_assert_cmpint (link (input, hard), ==, 0);
  g_assert_true (g_file_set_contents (readonly, "keep", -1, NULL));
  g_assert_cmpint (g_chmod (readonly, 0444), ==, 0);
  g_assert_true (g_file_set_contents (target, "target", -1, NULL));
  g_assert_cmpint (symlink ("target.md", symlink_path), ==, 0);

  /* refused, by both */
  g_assert_false (cs_safe_file_write (input, "x", 1, input, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (write_async (hard, "x", input, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (cs_safe_file_write (readonly, "x", 1, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_false (write_async (symlink_path, "x", NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE);
  g_clear_error (&error);
  g_assert_false (cs_safe_file_check_destination ("/dev/null", NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE);
  g_clear_error (&error);
  g_assert_false (cs_safe_file_check_destination (dir, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY);
  g_clear_error (&error);
  g_assert_false (cs_safe_file_check_destination (missing, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* nothing changed */
  g_assert_true (g_file_get_contents (input, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "the problem");
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (readonly, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "keep");
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_test (symlink_path, G_FILE_TEST_IS_SYMLINK));
  g_assert_true (g_file_get_contents (target, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "target");
  g_clear_pointer (&contents, g_free);

  /* written: new paths, and a writable file keeps its mode */
  g_assert_true (cs_safe_file_write (fresh, "one", 3, input, &error));
  g_assert_no_error (error);
  g_assert_true (write_async (fresh2, "two", input, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (fresh, 0640), ==, 0);
  g_assert_true (cs_safe_file_write (fresh, "three", 5, input, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (fresh, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "three");
  g_assert_cmpint (g_lstat (fresh, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0640);

  {
    g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
    const char *name;

    /* no temporary file left */
    while ((name = g_dir_read_name (d)) != NULL)
      g_assert_cmpint (name[0], !=, '.');
  }
  g_assert_cmpint (g_chmod (readonly, 0644), ==, 0);
  {
    const char *names[] = { "problem.txt", "hard.md", "readonly.md", "link.md", "target.md",
                            "new.md", "new2.md" };

    for (guint i = 0; i < G_N_ELEMENTS (names); i++)
      {
        g_autofree char *path = g_build_filename (dir, names[i], NULL);
        g_unlink (path);
      }
  }
  g_rmdir (dir);
}

/* Escape sequences from the network (a provider's error, a model's text) and
 * bidi overrides never reach the Markdown raw; on a terminal they are shown
 * escaped. */
static void
test_control_characters (void)
{
  const char *hostile = "A\033]0;title\007B\033[2J\033]52;c;eA==\007C\302\233" "1mD\342\200\256E\rF\177G";
  g_autoptr(CsRun) run = cs_run_new (CS_MODE_SUPPORT, hostile);
  g_autoptr(CsCandidate) failed = cs_candidate_new ("c1", "demo/m", NULL);
  g_autoptr(CsCandidate) invalid = cs_candidate_new ("c2", "demo/m", NULL);
  g_autofree char *markdown = NULL;
  g_autofree char *line = NULL;
  g_autofree char *lines = NULL;

  cs_run_set_title (run, hostile);
  cs_run_set_constraint (run, "os", hostile);
  cs_candidate_set_error (failed, hostile);
  cs_candidate_set_status (failed, CS_CANDIDATE_FAILED);
  cs_run_add_candidate (run, failed);
  cs_candidate_set_text (invalid, hostile);
  cs_candidate_set_error (invalid, hostile);
  cs_candidate_set_status (invalid, CS_CANDIDATE_INVALID);
  cs_run_add_candidate (run, invalid);

  markdown = cs_export_markdown (run);
  g_assert_nonnull (markdown);
  for (const char *p = markdown; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      g_assert_true (c == '\n' || c == '\t' || !cs_unichar_is_terminal_unsafe (c));
    }

  line = cs_text_for_terminal (hostile, FALSE);
  g_assert_cmpstr (line, ==, "A\\x1b]0;title\\x07B\\x1b[2J\\x1b]52;c;eA==\\x07C\\x9b" "1mD\\u202eE F\\x7fG");
  lines = cs_text_for_terminal ("one\r\ntwo\tthree\rfour\342\200\250\377", TRUE);
  g_assert_cmpstr (lines, ==, "one\ntwo\tthree\\x0dfour\\u2028\357\277\275");
  g_assert_null (cs_text_for_terminal (NULL, TRUE));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/export/markdown/golden-architect", test_golden_architect);
  g_test_add_func ("/export/markdown/golden-support", test_golden_support);
  g_test_add_func ("/export/markdown/cost-and-votes", test_cost_and_votes);
  g_test_add_func ("/export/markdown/hostile-text", test_hostile_text);
  g_test_add_func ("/export/markdown/reasoning", test_reasoning);
  g_test_add_func ("/export/markdown/control-characters", test_control_characters);
  g_test_add_func ("/export/markdown/no-synthesis", test_no_synthesis);
  g_test_add_func ("/export/markdown/judge-note", test_judge_note);
  g_test_add_func ("/export/markdown/names", test_names);
  g_test_add_func ("/export/json/contract", test_json);
  g_test_add_func ("/export/constraint-breaches", test_constraint_breaches);
  g_test_add_func ("/export/markdown/dollars", test_dollars);
  g_test_add_func ("/export/german", test_german);
  g_test_add_func ("/export/json/does-not-mutate", test_json_does_not_mutate);
  g_test_add_func ("/export/json/exponents", test_json_exponents);
  g_test_add_func ("/export/safe-file", test_safe_file);

  return g_test_run ();
}
