/* test-synthesis.c: ensemble votes, consensus clusters, fusion and the judge
 *
 * Hand-made candidates with known answers.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "cs-candidate.h"
#include "cs-consensus.h"
#include "cs-ensemble.h"
#include "cs-json-schema.h"
#include "cs-mode.h"
#include "cs-json-util.h"
#include "cs-judge.h"
#include "cs-ranking.h"
#include "cs-result.h"
#include "cs-similarity.h"
#include "cs-synthesis.h"

#include "synthesis-fixtures.h"

/* JSON written with ' for " to keep the literals readable. */
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
make_candidate (const char *id,
                const char *model,
                const char *data)
{
  CsCandidate *candidate = cs_candidate_new (id, model, "default");

  if (data != NULL)
    {
      g_autoptr(JsonNode) node = parse (data);

      cs_candidate_set_data (candidate, node);
    }
  cs_candidate_set_status (candidate, CS_CANDIDATE_OK);
  return candidate;
}

static char *
to_string (JsonNode *node)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();

  json_generator_set_root (gen, node);
  json_generator_set_pretty (gen, TRUE);
  return json_generator_to_data (gen, NULL);
}

static JsonObject *
member_object (JsonNode   *node,
               const char *key)
{
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_object_get_object_member (json_node_get_object (node), key);
}

static JsonArray *
member_array (JsonObject *obj,
              const char *key)
{
  g_assert_true (json_object_has_member (obj, key));
  return json_object_get_array_member (obj, key);
}

static void
assert_valid (CsMode    mode,
              JsonNode *synthesis)
{
  g_autoptr(GError) error = NULL;
  JsonNode *data = json_object_get_member (json_node_get_object (synthesis), "data");

  cs_json_schema_validate (cs_mode_get_schema (mode), data, &error);
  g_assert_no_error (error);
}

static JsonObject *
find_vote (JsonNode   *synthesis,
           const char *field)
{
  JsonArray *votes = member_array (json_node_get_object (synthesis), "votes");

  for (guint i = 0; i < json_array_get_length (votes); i++)
    {
      JsonObject *vote = json_array_get_object_element (votes, i);

      if (g_strcmp0 (json_object_get_string_member (vote, "field"), field) == 0)
        return vote;
    }
  return NULL;
}

/* ------------------------------------------------------------------------ */

static void
test_vote (void)
{
  g_autoptr(CsVote) vote = cs_vote_new ("components[API gateway].technology", CS_VOTE_TECHNOLOGY);
  g_autoptr(CsVote) tie = cs_vote_new ("tie", CS_VOTE_LABEL);
  g_autoptr(CsVote) empty = cs_vote_new ("empty", CS_VOTE_LABEL);
  g_auto(GStrv) losers = NULL;
  guint count = 0;

  cs_vote_add (vote, "Envoy");
  cs_vote_add (vote, "PostgreSQL 16");
  cs_vote_add (vote, "postgresql");
  cs_vote_add (vote, "Postgres 15");
  cs_vote_add (vote, "");
  cs_vote_add (vote, NULL);
  cs_vote_add (vote, "Envoy Proxy");
  g_assert_cmpstr (cs_vote_get_winner (vote), ==, "PostgreSQL 16");
  g_assert_cmpuint (cs_vote_get_count (vote), ==, 3);
  g_assert_cmpuint (cs_vote_get_total (vote), ==, 5);
  g_assert_true (cs_vote_is_winner (vote, "postgres"));
  g_assert_false (cs_vote_is_winner (vote, "Envoy"));
  losers = cs_vote_dup_losers (vote);
  g_assert_cmpstrv (losers, ((const char * const[]) { "Envoy", NULL }));

  /* the options as saved: by votes, each under its most common spelling */
  g_assert_cmpuint (cs_vote_get_n_options (vote), ==, 2);
  g_assert_cmpstr (cs_vote_get_option (vote, 0, &count), ==, "PostgreSQL 16");
  g_assert_cmpuint (count, ==, 3);
  g_assert_cmpstr (cs_vote_get_option (vote, 1, &count), ==, "Envoy");
  g_assert_cmpuint (count, ==, 2);

  /* ties: the option voted first wins */
  cs_vote_add (tie, "low");
  cs_vote_add (tie, "High");
  cs_vote_add (tie, "high");
  cs_vote_add (tie, "LOW");
  g_assert_cmpstr (cs_vote_get_winner (tie), ==, "low");
  g_assert_cmpuint (cs_vote_get_count (tie), ==, 2);

  g_assert_null (cs_vote_get_winner (empty));
  g_assert_cmpuint (cs_vote_get_count (empty), ==, 0);
  g_assert_false (cs_vote_is_winner (empty, "x"));
}

static void
test_median (void)
{
  const double odd[] = { 1000, 3000, 2000 };
  const double even[] = { 10, 2, 4, 8 };
  const double with_nan[] = { NAN, 5, NAN };

  g_assert_cmpfloat (cs_ensemble_median (odd, 3), ==, 2000);
  g_assert_cmpfloat (cs_ensemble_median (even, 4), ==, 6);
  g_assert_cmpfloat (cs_ensemble_median (with_nan, 3), ==, 5);
  g_assert_true (isnan (cs_ensemble_median (odd, 0)));
  g_assert_true (isnan (cs_ensemble_median (NULL, 3)));
  /* the input is not modified */
  g_assert_cmpfloat (odd[1], ==, 3000);
}

/* ------------------------------------------------------------------------ */
/* Architect                                                                */




static GPtrArray *
architect_candidates (void)
{
  GPtrArray *candidates = g_ptr_array_new_with_free_func (g_object_unref);

  g_ptr_array_add (candidates, make_candidate ("c1", "kimi/kimi-k2", architect_a));
  g_ptr_array_add (candidates, make_candidate ("c2", "openai/gpt-4.1", architect_b));
  g_ptr_array_add (candidates, make_candidate ("c3", "ollama/qwen3", architect_c));
  return candidates;
}

static gboolean
has_string (JsonArray  *array,
            const char *value)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    if (g_strcmp0 (json_array_get_string_element (array, i), value) == 0)
      return TRUE;
  return FALSE;
}

static void
test_architect (void)
{
  g_autoptr(GPtrArray) candidates = architect_candidates ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) synthesis = cs_synthesis_fuse (CS_MODE_ARCHITECT, candidates, &error);
  JsonObject *obj, *data, *vote, *gateway, *store, *decision;
  JsonArray *components, *stores, *connections, *decisions, *alternatives, *rejected, *methods, *consensus;
  const char *mermaid;

  g_assert_no_error (error);
  g_assert_nonnull (synthesis);
  assert_valid (CS_MODE_ARCHITECT, synthesis);
  obj = json_node_get_object (synthesis);
  data = json_object_get_object_member (obj, "data");

  methods = member_array (obj, "methods");
  g_assert_cmpuint (json_array_get_length (methods), ==, 2);
  g_assert_true (has_string (methods, "ensemble"));
  g_assert_true (has_string (methods, "consensus"));
  g_assert_false (json_object_get_boolean_member (obj, "degraded"));
  g_assert_true (json_object_get_null_member (obj, "note"));

  /* the gateway: 3 of 3 agree it exists, 2 of 3 chose Kong */
  components = member_array (data, "components");
  g_assert_cmpuint (json_array_get_length (components), ==, 2);
  gateway = json_array_get_object_element (components, 0);
  g_assert_cmpstr (json_object_get_string_member (gateway, "technology"), ==, "Kong 3.4");
  g_assert_true (cs_similarity_match (json_object_get_string_member (gateway, "name"), "API gateway"));
  vote = find_vote (synthesis, "components[API gateway].technology");
  g_assert_nonnull (vote);
  g_assert_cmpint (json_object_get_int_member (vote, "count"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (vote, "total"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (vote, "options"), "Envoy"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (vote, "options"), "Kong 3.4"), ==, 2);
  /* the text comes from a candidate that chose the winner */
  g_assert_cmpstr (json_object_get_string_member (gateway, "scaling"), !=, "DaemonSet");

  /* the minority component is an alternative */
  alternatives = member_array (obj, "alternatives");
  g_assert_cmpuint (json_array_get_length (alternatives), >=, 1);
  {
    JsonObject *alt = json_array_get_object_element (alternatives, 0);

    g_assert_cmpstr (json_object_get_string_member (alt, "kind"), ==, "component");
    g_assert_cmpstr (json_object_get_string_member (alt, "title"), ==, "Search index");
    g_assert_cmpint (json_object_get_int_member (alt, "support"), ==, 1);
    g_assert_true (has_string (json_object_get_array_member (alt, "candidates"), "c1"));
  }

  /* the consensus: one entry per output component */
  consensus = member_array (obj, "consensus");
  g_assert_cmpuint (json_array_get_length (consensus), ==, 2);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (consensus, 0), "support"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (consensus, 0), "total"), ==, 3);

  /* data stores: the primary database is kept (3 of 3), the cache (1 of 3) is not */
  stores = member_array (data, "data_stores");
  g_assert_cmpuint (json_array_get_length (stores), ==, 1);
  store = json_array_get_object_element (stores, 0);
  g_assert_true (json_object_get_boolean_member (store, "primary"));
  g_assert_cmpstr (json_object_get_string_member (store, "technology"), ==, "PostgreSQL 16");
  vote = find_vote (synthesis, "data_stores[primary].technology");
  g_assert_nonnull (vote);
  g_assert_cmpint (json_object_get_int_member (vote, "count"), ==, 3);

  /* APIs: 2 of 3, style voted case-insensitively */
  g_assert_cmpuint (json_array_get_length (member_array (data, "apis")), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (member_array (data, "apis"), 0), "style"), ==, "rest");

  /* connections remapped to kept names, the dangling and minority ones dropped */
  connections = member_array (data, "connections");
  g_assert_cmpuint (json_array_get_length (connections), ==, 2);
  for (guint i = 0; i < json_array_get_length (connections); i++)
    {
      JsonObject *conn = json_array_get_object_element (connections, i);
      const char *from = json_object_get_string_member (conn, "from");
      const char *to = json_object_get_string_member (conn, "to");
      gboolean from_ok = FALSE, to_ok = FALSE;

      for (guint k = 0; k < json_array_get_length (components); k++)
        {
          const char *name = json_object_get_string_member (json_array_get_object_element (components, k), "name");

          from_ok |= g_strcmp0 (name, from) == 0;
          to_ok |= g_strcmp0 (name, to) == 0;
        }
      to_ok |= g_strcmp0 (json_object_get_string_member (store, "name"), to) == 0;
      g_assert_true (from_ok);
      g_assert_true (to_ok);
    }
  /* gateway → order service is supported by all three: first */
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (connections, 0), "from"), ==,
                   json_object_get_string_member (gateway, "name"));

  /* decisions: choice voted, losers and rejected lists merged, no duplicates */
  decisions = member_array (data, "decisions");
  g_assert_cmpuint (json_array_get_length (decisions), ==, 2);
  decision = json_array_get_object_element (decisions, 0);
  g_assert_cmpstr (json_object_get_string_member (decision, "topic"), ==, "Primary database");
  g_assert_cmpstr (json_object_get_string_member (decision, "choice"), ==, "PostgreSQL");
  rejected = json_object_get_array_member (decision, "rejected_alternatives");
  g_assert_cmpuint (json_array_get_length (rejected), ==, 3);
  g_assert_true (has_string (rejected, "MongoDB"));
  g_assert_true (has_string (rejected, "MySQL"));
  g_assert_true (has_string (rejected, "CockroachDB"));
  decision = json_array_get_object_element (decisions, 1);
  g_assert_cmpstr (json_object_get_string_member (decision, "choice"), ==, "Kong");
  rejected = json_object_get_array_member (decision, "rejected_alternatives");
  g_assert_cmpstr (json_array_get_string_element (rejected, 0), ==, "Envoy");
  g_assert_true (has_string (rejected, "Tyk"));
  g_assert_false (has_string (rejected, "Kong"));
  /* the rationale comes from a member that chose Kong */
  g_assert_cmpstr (json_object_get_string_member (decision, "rationale"), !=, "Fast, xDS.");

  /* trade-offs and risks: deduplicated unions, best supported first */
  g_assert_cmpuint (json_array_get_length (member_array (data, "trade_offs")), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (member_array (data, "trade_offs"), 0), ==,
                   "More moving parts than a monolith");
  g_assert_cmpuint (json_array_get_length (member_array (data, "risks")), ==, 2);
  g_assert_true (cs_similarity_match (json_object_get_string_member (json_array_get_object_element (member_array (data, "risks"), 0), "risk"),
                                      "Database becomes a bottleneck"));

  /* cost: the median of 1000, 3000, 2000 */
  g_assert_cmpfloat (json_object_get_double_member (data, "monthly_cost_usd"), ==, 2000);
  vote = find_vote (synthesis, "monthly_cost_usd");
  g_assert_nonnull (vote);
  g_assert_cmpint (json_object_get_int_member (vote, "count"), ==, 3);

  /* the diagram is regenerated */
  mermaid = json_object_get_string_member (data, "mermaid");
  g_assert_true (g_str_has_prefix (mermaid, "flowchart LR\n"));
  g_assert_nonnull (strstr (mermaid, "n1[\""));
  g_assert_nonnull (strstr (mermaid, "[(\""));
  g_assert_nonnull (strstr (mermaid, "n1 -->"));
  g_assert_null (strstr (mermaid, "a-->b"));

  /* the summary is a candidate's, credited, not invented */
  g_assert_nonnull (strstr (json_object_get_string_member (data, "summary"),
                            "Kong gateway in front of stateless services"));
  g_assert_nonnull (strstr (json_object_get_string_member (data, "summary"), "c1"));
}

static void
test_architect_mermaid_hostile (void)
{
  g_autoptr(GPtrArray) candidates = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(JsonNode) synthesis = NULL;
  const char *mermaid;
  g_auto(GStrv) lines = NULL;

  g_ptr_array_add (candidates, make_candidate ("c1", "m", "{'summary':'s','components':["
    "{'name':'Web\\\"] --> X[\\\"evil','responsibility':'r','technology':'t','scaling':'s'},"
    "{'name':'end','responsibility':'r','technology':'t','scaling':'s'},"
    "{'name':'<b>bold</b>; click n1 call alert()\\n%%{init}%%','responsibility':'r','technology':'t','scaling':'s'}],"
    "'data_stores':[],'apis':[],'connections':[{'from':'end','to':'Web\\\"] --> X[\\\"evil','description':'|x| --> y\\n'}],"
    "'decisions':[],'trade_offs':[],'risks':[],'monthly_cost_usd':0,'mermaid':''}"));
  synthesis = cs_synthesis_fuse (CS_MODE_ARCHITECT, candidates, NULL);
  assert_valid (CS_MODE_ARCHITECT, synthesis);
  mermaid = json_object_get_string_member (member_object (synthesis, "data"), "mermaid");
  g_test_message ("%s", mermaid);

  lines = g_strsplit (mermaid, "\n", -1);
  g_assert_cmpstr (lines[0], ==, "flowchart LR");
  /* each line is a node or an edge of our own making: the model's text only
   * appears inside quotes, and holds no quote, bracket, pipe, angle bracket,
   * semicolon, percent sign or newline */
  for (guint i = 1; lines[i] != NULL; i++)
    {
      g_auto(GStrv) parts = NULL;
      guint n;

      if (*lines[i] == '\0')
        continue;
      g_assert_true (g_str_has_prefix (lines[i], "  n"));
      parts = g_strsplit (lines[i], "\"", -1);
      /* balanced quotes: an odd number of parts */
      n = g_strv_length (parts);
      g_assert_cmpuint (n % 2, ==, 1);
      for (guint k = 1; k < n; k += 2)
        for (const char *p = parts[k]; *p; p++)
          g_assert_null (strchr ("[](){}|<>;%#`\\", *p));
      /* outside the quotes: only our syntax */
      for (guint k = 0; k < n; k += 2)
        for (const char *p = parts[k]; *p; p++)
          g_assert_nonnull (strchr (" n0123456789[]()-|>", *p));
    }
  /* the edge between the two kept nodes survives */
  g_assert_nonnull (strstr (mermaid, "  n2 -->|\""));
}

/* ------------------------------------------------------------------------ */
/* Support                                                                  */




static GPtrArray *
support_candidates (void)
{
  GPtrArray *candidates = g_ptr_array_new_with_free_func (g_object_unref);

  g_ptr_array_add (candidates, make_candidate ("c1", "kimi/kimi-k2", support_a));
  g_ptr_array_add (candidates, make_candidate ("c2", "openai/gpt-4.1", support_b));
  g_ptr_array_add (candidates, make_candidate ("c3", "ollama/qwen3", support_c));
  return candidates;
}

static void
test_support (void)
{
  g_autoptr(GPtrArray) candidates = support_candidates ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) synthesis = cs_synthesis_fuse (CS_MODE_SUPPORT, candidates, &error);
  JsonObject *obj, *data, *step, *entry, *alt;
  JsonArray *steps, *consensus, *alternatives, *causes;
  gboolean saw_dns = FALSE, saw_cleanup = FALSE;

  g_assert_no_error (error);
  assert_valid (CS_MODE_SUPPORT, synthesis);
  obj = json_node_get_object (synthesis);
  data = json_object_get_object_member (obj, "data");
  steps = member_array (data, "steps");
  consensus = member_array (obj, "consensus");

  /* disk space 3/3 first; then of the 2/3 steps the cheaper (logs, 1 min)
   * before the restart (median of 2 and 4 = 3 min) */
  g_assert_cmpuint (json_array_get_length (steps), ==, 3);
  g_assert_cmpuint (json_array_get_length (consensus), ==, 3);

  step = json_array_get_object_element (steps, 0);
  entry = json_array_get_object_element (consensus, 0);
  g_assert_true (strstr (json_object_get_string_member (step, "title"), "disk") != NULL);
  g_assert_cmpint (json_object_get_int_member (entry, "support"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (entry, "total"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (step, "effort_minutes"), ==, 5);
  g_assert_cmpint (json_object_get_int_member (entry, "effort_minutes"), ==, 5);
  g_assert_cmpstr (json_object_get_string_member (step, "risk"), ==, "none");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (entry, "candidates")), ==, 3);

  step = json_array_get_object_element (steps, 1);
  entry = json_array_get_object_element (consensus, 1);
  g_assert_true (strstr (json_object_get_string_member (step, "title"), "log") != NULL);
  g_assert_cmpint (json_object_get_int_member (entry, "support"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (step, "effort_minutes"), ==, 1);
  g_assert_true (has_string (json_object_get_array_member (entry, "candidates"), "c2"));
  g_assert_true (has_string (json_object_get_array_member (entry, "candidates"), "c3"));

  step = json_array_get_object_element (steps, 2);
  entry = json_array_get_object_element (consensus, 2);
  g_assert_true (strstr (json_object_get_string_member (step, "title"), "Restart") != NULL);
  g_assert_cmpint (json_object_get_int_member (entry, "support"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (step, "effort_minutes"), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (step, "risk"), ==, "medium");

  /* minority steps: DNS on its own, the clean-up after the disk step */
  alternatives = member_array (obj, "alternatives");
  g_assert_cmpuint (json_array_get_length (alternatives), ==, 2);
  for (guint i = 0; i < json_array_get_length (alternatives); i++)
    {
      alt = json_array_get_object_element (alternatives, i);
      g_assert_cmpint (json_object_get_int_member (alt, "support"), ==, 1);
      if (strstr (json_object_get_string_member (alt, "title"), "DNS"))
        {
          saw_dns = TRUE;
          g_assert_cmpint (json_object_get_int_member (alt, "after_step"), ==, -1);
          g_assert_cmpstr (json_object_get_string_member (alt, "command"), ==, "dig example.com");
          g_assert_true (has_string (json_object_get_array_member (alt, "candidates"), "c3"));
        }
      else if (strstr (json_object_get_string_member (alt, "title"), "Clean up"))
        {
          saw_cleanup = TRUE;
          g_assert_cmpint (json_object_get_int_member (alt, "after_step"), ==, 0);
        }
    }
  g_assert_true (saw_dns);
  g_assert_true (saw_cleanup);
  /* in checklist order: the one after step 1 first, the unattached last */
  g_assert_nonnull (strstr (json_object_get_string_member (json_array_get_object_element (alternatives, 0), "title"), "Clean up"));
  g_assert_nonnull (strstr (json_object_get_string_member (json_array_get_object_element (alternatives, 1), "title"), "DNS"));

  /* causes: "disk full" 3/3 first, likelihood voted high (2 of 3) */
  causes = member_array (data, "likely_causes");
  g_assert_cmpuint (json_array_get_length (causes), ==, 3);
  g_assert_true (cs_similarity_match (json_object_get_string_member (json_array_get_object_element (causes, 0), "cause"), "Disk full"));
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (causes, 0), "likelihood"), ==, "high");
  /* then, both 1/3: medium before low */
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (causes, 1), "likelihood"), ==, "medium");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (causes, 2), "likelihood"), ==, "low");
  g_assert_nonnull (find_vote (synthesis, "steps[Check free disk space].risk") ?
                    find_vote (synthesis, "steps[Check free disk space].risk") :
                    find_vote (synthesis, "steps[Verify the disk is not full].risk"));

  /* escalation and summary from a candidate, not invented */
  g_assert_true (g_str_has_prefix (json_object_get_string_member (data, "escalate_when"), "Escalate"));
  g_assert_nonnull (strstr (json_object_get_string_member (data, "summary"), "Consensus of 3 candidates"));
}

static void
test_single_and_none (void)
{
  g_autoptr(GPtrArray) one = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) none = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) failed = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(JsonNode) synthesis = NULL;
  g_autoptr(JsonNode) nothing = NULL;
  g_autoptr(GError) error = NULL;
  CsCandidate *bad;
  JsonArray *consensus;

  g_ptr_array_add (one, make_candidate ("solo", "m/one", support_c));
  synthesis = cs_synthesis_fuse (CS_MODE_SUPPORT, one, &error);
  g_assert_no_error (error);
  assert_valid (CS_MODE_SUPPORT, synthesis);
  /* everything is primary, in the candidate's own order */
  consensus = member_array (json_node_get_object (synthesis), "consensus");
  g_assert_cmpuint (json_array_get_length (member_array (member_object (synthesis, "data"), "steps")), ==, 3);
  g_assert_cmpuint (json_array_get_length (member_array (json_node_get_object (synthesis), "alternatives")), ==, 0);
  for (guint i = 0; i < 3; i++)
    {
      g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (consensus, i), "support"), ==, 1);
      g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (consensus, i), "total"), ==, 1);
    }
  /* equal support: effort first (1 min, then two 2/5-minute steps) */
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (consensus, 0), "effort_minutes"), ==, 1);
  g_assert_nonnull (strstr (json_object_get_string_member (member_object (synthesis, "data"), "summary"), "single candidate"));

  nothing = cs_synthesis_fuse (CS_MODE_SUPPORT, none, &error);
  g_assert_null (nothing);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* failed candidates and OK ones without data do not count */
  bad = make_candidate ("f1", "m", support_a);
  cs_candidate_set_status (bad, CS_CANDIDATE_FAILED);
  g_ptr_array_add (failed, bad);
  g_ptr_array_add (failed, make_candidate ("f2", "m", NULL));
  g_ptr_array_add (failed, make_candidate ("f3", "m", "[1, 2]"));
  nothing = cs_synthesis_fuse (CS_MODE_SUPPORT, failed, &error);
  g_assert_null (nothing);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

static void
test_architect_single (void)
{
  g_autoptr(GPtrArray) one = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(JsonNode) synthesis = NULL;
  JsonObject *data;

  g_ptr_array_add (one, make_candidate ("solo", "m/one", architect_a));
  synthesis = cs_synthesis_fuse (CS_MODE_ARCHITECT, one, NULL);
  assert_valid (CS_MODE_ARCHITECT, synthesis);
  data = member_object (synthesis, "data");
  g_assert_cmpuint (json_array_get_length (member_array (data, "components")), ==, 3);
  g_assert_cmpuint (json_array_get_length (member_array (data, "data_stores")), ==, 2);
  g_assert_cmpuint (json_array_get_length (member_array (data, "connections")), ==, 3);
  g_assert_cmpfloat (json_object_get_double_member (data, "monthly_cost_usd"), ==, 1000);
}

/* The same answers in another candidate order, or with equal items
 * shuffled, give the same result. */
static void
test_determinism (void)
{
  g_autoptr(GPtrArray) a = support_candidates ();
  g_autoptr(GPtrArray) b = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) twins1 = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) twins2 = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(JsonNode) s1 = cs_synthesis_fuse (CS_MODE_SUPPORT, a, NULL);
  g_autoptr(JsonNode) s2 = cs_synthesis_fuse (CS_MODE_SUPPORT, a, NULL);
  g_autoptr(JsonNode) s3 = NULL;
  g_autoptr(JsonNode) t1 = NULL;
  g_autoptr(JsonNode) t2 = NULL;
  g_autofree char *j1 = to_string (s1);
  g_autofree char *j2 = to_string (s2);
  JsonArray *c1, *c3;

  /* the same input twice */
  g_assert_cmpstr (j1, ==, j2);

  /* shuffled candidate order: same steps, same support, same order */
  g_ptr_array_add (b, g_object_ref (g_ptr_array_index (a, 2)));
  g_ptr_array_add (b, g_object_ref (g_ptr_array_index (a, 0)));
  g_ptr_array_add (b, g_object_ref (g_ptr_array_index (a, 1)));
  s3 = cs_synthesis_fuse (CS_MODE_SUPPORT, b, NULL);
  c1 = member_array (json_node_get_object (s1), "consensus");
  c3 = member_array (json_node_get_object (s3), "consensus");
  g_assert_cmpuint (json_array_get_length (c1), ==, json_array_get_length (c3));
  for (guint i = 0; i < json_array_get_length (c1); i++)
    {
      JsonObject *e1 = json_array_get_object_element (c1, i);
      JsonObject *e3 = json_array_get_object_element (c3, i);
      JsonArray *ids1 = json_object_get_array_member (e1, "candidates");
      JsonArray *ids3 = json_object_get_array_member (e3, "candidates");

      g_assert_cmpint (json_object_get_int_member (e1, "support"), ==, json_object_get_int_member (e3, "support"));
      g_assert_cmpint (json_object_get_int_member (e1, "effort_minutes"), ==, json_object_get_int_member (e3, "effort_minutes"));
      g_assert_cmpuint (json_array_get_length (ids1), ==, json_array_get_length (ids3));
      for (guint k = 0; k < json_array_get_length (ids1); k++)
        g_assert_true (has_string (ids3, json_array_get_string_element (ids1, k)));
    }

  /* identical answers from candidates in any order: identical data */
  g_ptr_array_add (twins1, make_candidate ("x", "m", support_a));
  g_ptr_array_add (twins1, make_candidate ("y", "m", support_a));
  g_ptr_array_add (twins1, make_candidate ("z", "m", support_b));
  g_ptr_array_add (twins2, make_candidate ("z", "m", support_b));
  g_ptr_array_add (twins2, make_candidate ("y", "m", support_a));
  g_ptr_array_add (twins2, make_candidate ("x", "m", support_a));
  t1 = cs_synthesis_fuse (CS_MODE_SUPPORT, twins1, NULL);
  t2 = cs_synthesis_fuse (CS_MODE_SUPPORT, twins2, NULL);
  {
    g_autofree char *d1 = NULL;
    g_autofree char *d2 = NULL;
    JsonNode *n1 = json_object_get_member (json_node_get_object (t1), "data");
    JsonNode *n2 = json_object_get_member (json_node_get_object (t2), "data");
    g_autoptr(JsonNode) copy1 = json_node_copy (n1);
    g_autoptr(JsonNode) copy2 = json_node_copy (n2);

    /* the summary names the credited candidate; the rest is content */
    json_object_remove_member (json_node_get_object (copy1), "summary");
    json_object_remove_member (json_node_get_object (copy2), "summary");
    d1 = to_string (copy1);
    d2 = to_string (copy2);
    g_assert_cmpstr (d1, ==, d2);
  }
}

/* Wrong types and missing fields are skipped, never a crash; what comes out
 * still fits the schema. */
static void
test_hostile (void)
{
  static const char * const support_garbage[] = {
    "{}",
    "{'steps':'not a list','likely_causes':7,'summary':12,'escalate_when':null}",
    "{'steps':[1,'two',null,[],{'title':5},{'title':''},{'title':'Check disk space','effort_minutes':'ten','risk':'extreme','command':9}],"
    " 'likely_causes':[{'cause':'x','likelihood':'certain'},{'likelihood':'high'},'bare']}",
    "{'steps':[{'title':'Check disk space','action':null,'effort_minutes':99999,'risk':'HIGH'},"
    "          {'title':'\\u0000','effort_minutes':-5},{'title':'Check disk space','effort_minutes':1e308}]}",
  };
  static const char * const architect_garbage[] = {
    "{}",
    "{'components':{'name':'x'},'data_stores':'x','monthly_cost_usd':'cheap','decisions':[{'topic':'DB','choice':5,'rejected_alternatives':'none'}]}",
    "{'components':[{'name':'API gateway','technology':['Kong']},{'name':'API gateway'},{}],"
    " 'data_stores':[{'name':'DB','primary':'yes','technology':7}],"
    " 'connections':[{'from':1,'to':null},{'from':'API gateway','to':'API gateway'}],"
    " 'decisions':[{'topic':'DB','choice':'Postgres','rejected_alternatives':[1,null,'MySQL','mysql 8']}],"
    " 'trade_offs':[1,'',null,'ok'],'risks':[{'risk':'r'},{'mitigation':'m'}],'monthly_cost_usd':-5,'apis':[{'name':'a','style':'soap'}]}",
  };
  g_autoptr(GPtrArray) support = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) architect = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(JsonNode) s1 = NULL;
  g_autoptr(JsonNode) s2 = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (support_garbage); i++)
    {
      g_autofree char *id = g_strdup_printf ("s%u", i);

      g_ptr_array_add (support, make_candidate (id, "m", support_garbage[i]));
    }
  for (guint i = 0; i < G_N_ELEMENTS (architect_garbage); i++)
    {
      g_autofree char *id = g_strdup_printf ("a%u", i);

      g_ptr_array_add (architect, make_candidate (id, "m", architect_garbage[i]));
    }

  s1 = cs_synthesis_fuse (CS_MODE_SUPPORT, support, NULL);
  g_assert_nonnull (s1);
  s2 = cs_synthesis_fuse (CS_MODE_ARCHITECT, architect, NULL);
  g_assert_nonnull (s2);

  /* the steps that were valid enough are there, with sane values */
  {
    JsonArray *steps = member_array (member_object (s1, "data"), "steps");

    g_assert_cmpuint (json_array_get_length (steps), >=, 1);
    for (guint i = 0; i < json_array_get_length (steps); i++)
      {
        JsonObject *step = json_array_get_object_element (steps, i);
        gint64 effort = json_object_get_int_member (step, "effort_minutes");

        g_assert_cmpint (effort, >=, 0);
        g_assert_cmpint (effort, <=, 1440);
      }
  }
  g_assert_cmpfloat (json_object_get_double_member (member_object (s2, "data"), "monthly_cost_usd"), ==, 0);
  /* the architect garbage has no valid component from two candidates: the
   * result has no components, which the schema rejects; the support result
   * fits its schema */
  assert_valid (CS_MODE_SUPPORT, s1);
}

/* ------------------------------------------------------------------------ */
/* The judge                                                                */

static void
test_judge_schema (void)
{
  for (CsMode mode = CS_MODE_ARCHITECT; mode <= CS_MODE_SUPPORT; mode++)
    {
      /* owned by the engine, the same node every time */
      JsonNode *schema = cs_synthesis_get_judge_schema (mode);
      JsonObject *obj = json_node_get_object (schema);
      JsonObject *props = json_object_get_object_member (obj, "properties");
      JsonObject *critique = json_object_get_object_member (json_object_get_object_member (props, "critiques"), "items");
      JsonArray *required = json_object_get_array_member (obj, "required");
      g_autoptr(JsonNode) mode_schema = json_node_copy (cs_mode_get_schema (mode));
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) sample = NULL;

      g_assert_false (json_object_get_boolean_member (obj, "additionalProperties"));
      g_assert_false (json_object_get_boolean_member (critique, "additionalProperties"));
      g_assert_cmpuint (json_array_get_length (required), ==, 3);
      g_assert_cmpuint (json_array_get_length (json_object_get_array_member (critique, "required")), ==, 4);
      g_assert_true (json_node_equal (json_object_get_member (props, "result"), mode_schema));
      g_assert_nonnull (cs_synthesis_get_judge_schema_name (mode));
      g_assert_true (cs_synthesis_get_judge_schema (mode) == schema);

      /* the schema validates with the engine's validator */
      sample = parse ("{'critiques':[{'candidate':'c1','strengths':'s','weaknesses':'w','score':11}],'rationale':'r','result':{}}");
      g_assert_false (cs_json_schema_validate (schema, sample, &error));
      g_assert_nonnull (error);
    }
}

static void
test_judge_messages (void)
{
  g_autoptr(GPtrArray) candidates = support_candidates ();
  g_autoptr(JsonNode) fused = cs_synthesis_fuse (CS_MODE_SUPPORT, candidates, NULL);
  const char * const keys[] = { "os", "tried", NULL };
  const char * const values[] = { "Debian 12", "rebooting", NULL };
  g_autoptr(JsonNode) messages = NULL;
  JsonArray *array;
  const char *system, *user;

  cs_candidate_set_status (g_ptr_array_index (candidates, 1), CS_CANDIDATE_FAILED);
  /* a number json-glib 1.6 would write as "1e+22.0", which is not JSON */
  json_object_set_double_member (json_node_get_object (cs_candidate_get_data (g_ptr_array_index (candidates, 0))),
                                 "x_probe", 1e22);
  messages = cs_synthesis_build_judge_messages (CS_MODE_SUPPORT, "The site is down ``` and logs say ENOSPC",
                                                keys, values, candidates, fused, 0, NULL);
  array = json_node_get_array (messages);
  g_assert_cmpuint (json_array_get_length (array), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 0), "role"), ==, "system");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 1), "role"), ==, "user");
  system = json_object_get_string_member (json_array_get_object_element (array, 0), "content");
  user = json_object_get_string_member (json_array_get_object_element (array, 1), "content");

  g_assert_nonnull (strstr (system, "Critique every candidate"));
  g_assert_nonnull (strstr (system, "override"));
  g_assert_nonnull (strstr (user, "The site is down ``` and logs say ENOSPC"));
  /* the problem's fence is longer than its backtick run */
  g_assert_nonnull (strstr (user, "````\nThe site is down"));
  g_assert_nonnull (strstr (user, "- os: Debian 12"));
  g_assert_nonnull (strstr (user, "- tried: rebooting"));
  /* blind: ids, never a model or a provider name */
  g_assert_nonnull (strstr (user, "### Candidate c1 (angle: default)\n"));
  g_assert_nonnull (strstr (user, "### Candidate c3 (angle: default)\n"));
  g_assert_null (strstr (user, "kimi"));
  g_assert_null (strstr (user, "qwen3"));
  g_assert_null (strstr (user, "ollama"));
  /* the failed candidate is left out */
  g_assert_null (strstr (user, "### Candidate c2"));
  g_assert_nonnull (strstr (user, "Votes"));
  g_assert_nonnull (strstr (user, ": 3 of 3 candidates"));
  g_assert_nonnull (strstr (user, "Check DNS resolution: 1 of 3"));
  g_assert_nonnull (strstr (user, "\"x_probe\":1e+22"));
  g_assert_null (strstr (user, "1e+22.0"));
}


/* The judge's parts checked on their own: a score of 15 on 1-10, an id no
 * candidate has and a repeat lose their critiques with notes, the verdict
 * stands; a result that does not fit is an error. */
static void
test_judge_check (void)
{
  const char *ids[] = { "c1", "c2", "c3", NULL };
  g_autoptr(JsonNode) reply = parse (judge_reply);
  g_autoptr(JsonNode) checked = NULL;
  g_autoptr(JsonNode) bad = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *notes = NULL;
  g_autofree char *no_notes = NULL;
  JsonArray *critiques = json_object_get_array_member (json_node_get_object (reply), "critiques");
  JsonObject *extra = json_object_new ();
  JsonArray *kept;

  json_object_set_string_member (extra, "candidate", "c7");
  json_object_set_string_member (extra, "strengths", "s");
  json_object_set_string_member (extra, "weaknesses", "w");
  json_object_set_int_member (extra, "score", 5);
  json_array_add_object_element (critiques, extra);
  json_array_add_element (critiques, json_node_copy (json_array_get_element (critiques, 0)));

  checked = cs_judge_check_reply (CS_MODE_SUPPORT, reply, ids, &notes, &error);
  g_assert_no_error (error);
  g_assert_nonnull (checked);
  kept = json_object_get_array_member (json_node_get_object (checked), "critiques");
  g_assert_cmpuint (json_array_get_length (kept), ==, 2);
  g_assert_nonnull (notes);
  g_assert_nonnull (strstr (notes, "critique of c3 was left out"));
  g_assert_nonnull (strstr (notes, "15"));
  g_assert_nonnull (strstr (notes, "critique of c7 was left out: no candidate has that id"));
  g_assert_nonnull (strstr (notes, "second critique of c1"));
  g_assert_true (cs_json_schema_validate (cs_synthesis_get_judge_schema (CS_MODE_SUPPORT), checked, NULL));

  /* all fine: no notes */
  json_array_remove_element (kept, 1);
  g_clear_pointer (&checked, json_node_unref);
  checked = cs_judge_check_reply (CS_MODE_SUPPORT, reply, ids, &no_notes, &error);
  g_assert_nonnull (checked);
  g_clear_pointer (&checked, json_node_unref);

  /* a result without steps: the whole reply is unusable, the error says where */
  bad = parse (judge_reply);
  json_object_remove_member (json_object_get_object_member (json_node_get_object (bad), "result"), "steps");
  checked = cs_judge_check_reply (CS_MODE_SUPPORT, bad, ids, NULL, &error);
  g_assert_null (checked);
  g_assert_error (error, CS_SCHEMA_ERROR, CS_SCHEMA_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "result"));
  g_assert_nonnull (strstr (error->message, "steps"));
}

/* The order the candidates appear in a judge request's user message. */
static char *
candidate_order (JsonNode *messages)
{
  JsonArray *array = json_node_get_array (messages);
  const char *user = json_object_get_string_member (json_array_get_object_element (array, 1), "content");
  GString *order = g_string_new (NULL);

  for (const char *p = strstr (user, "### Candidate "); p != NULL; p = strstr (p + 1, "### Candidate "))
    g_string_append_len (order, p + strlen ("### Candidate "), 2);
  return g_string_free (order, FALSE);
}

/* Blind and shuffled: the same seed gives the same order, other seeds
 * other orders, and every order names no model. */
static void
test_judge_shuffle (void)
{
  g_autoptr(GPtrArray) candidates = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(JsonNode) fused = NULL;
  g_autoptr(GHashTable) orders = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const char *models[] = { "kimi/kimi-k2", "openai/gpt-4.1", "ollama/qwen3", "openrouter/deepseek-r1" };
  const char *data[] = { support_a, support_b, support_c, support_b };

  for (guint i = 0; i < G_N_ELEMENTS (models); i++)
    {
      g_autofree char *id = g_strdup_printf ("c%u", i + 1);

      g_ptr_array_add (candidates, make_candidate (id, models[i], data[i]));
    }
  fused = cs_synthesis_fuse (CS_MODE_SUPPORT, candidates, NULL);
  for (guint32 seed = 1; seed <= 12; seed++)
    {
      g_autoptr(JsonNode) a = cs_synthesis_build_judge_messages (CS_MODE_SUPPORT, "p", NULL, NULL, candidates, fused, seed, NULL);
      g_autoptr(JsonNode) b = cs_synthesis_build_judge_messages (CS_MODE_SUPPORT, "p", NULL, NULL, candidates, fused, seed, NULL);
      g_autofree char *order_a = candidate_order (a);
      g_autofree char *order_b = candidate_order (b);
      g_autofree char *text = cs_json_to_string (a, FALSE);

      g_assert_cmpstr (order_a, ==, order_b);
      g_assert_cmpuint (strlen (order_a), ==, 8);
      for (guint i = 0; i < G_N_ELEMENTS (models); i++)
        {
          g_auto(GStrv) parts = g_strsplit (models[i], "/", 2);

          g_assert_null (strstr (text, parts[0]));
          g_assert_null (strstr (text, parts[1]));
        }
      g_hash_table_add (orders, g_steal_pointer (&order_a));
    }
  /* 12 seeds over 24 orders: several different ones */
  g_assert_cmpuint (g_hash_table_size (orders), >=, 4);
}

/* Borda count on a hand-made set: self-votes (the ranker's own candidate
 * or its model's other one), unknown ids and repeats are ignored. */
static void
test_ranking_aggregate (void)
{
  const char *ids[] = { "c1", "c2", "c3", "c4", NULL };
  const char *models[] = { "p/a", "p/b", "p/c", "p/a", NULL };
  g_autoptr(GPtrArray) ballots = g_ptr_array_new_with_free_func ((GDestroyNotify)cs_ballot_free);
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(JsonNode) json = NULL;
  g_autoptr(GPtrArray) back = NULL;
  CsBallot *b;
  guint self_votes = 0;
  const CsRankRow *row;

  /* c1 (model a): votes for c4 (model a too) and itself are self-votes */
  b = cs_ballot_new ("c1", "p/a");
  cs_ballot_add (b, "c4", "mine");
  cs_ballot_add (b, "c1", "me");
  cs_ballot_add (b, "c3", "good");
  cs_ballot_add (b, "c2", "fine");
  g_ptr_array_add (ballots, b);
  /* c2 (model b): c3 > c1 > c4; an unknown id and a repeat */
  b = cs_ballot_new ("c2", "p/b");
  cs_ballot_add (b, "c3", "best");
  cs_ballot_add (b, "c9", "unknown");
  cs_ballot_add (b, "c1", "next");
  cs_ballot_add (b, "c3", "again");
  cs_ballot_add (b, "c4", "last");
  g_ptr_array_add (ballots, b);
  /* c3 (model c): c1 > c2 > c4 */
  b = cs_ballot_new ("c3", "p/c");
  cs_ballot_add (b, "c1", "best");
  cs_ballot_add (b, "c2", "next");
  cs_ballot_add (b, "c4", "last");
  g_ptr_array_add (ballots, b);

  /* points: ballot 1 (k=2): c3 1, c2 0; ballot 2 (k=3): c3 2, c1 1, c4 0;
   * ballot 3 (k=3): c1 2, c2 1, c4 0 → c3 3 (mean 1), c1 3 (mean 1.5),
   * c2 1, c4 0 */
  rows = cs_ranking_aggregate (ballots, ids, models, &self_votes);
  g_assert_cmpuint (self_votes, ==, 2);
  g_assert_cmpuint (rows->len, ==, 4);
  row = g_ptr_array_index (rows, 0);
  g_assert_cmpstr (row->candidate, ==, "c3");
  g_assert_cmpfloat (row->points, ==, 3);
  g_assert_cmpfloat (row->mean_rank, ==, 1);
  g_assert_cmpuint (row->votes, ==, 2);
  row = g_ptr_array_index (rows, 1);
  g_assert_cmpstr (row->candidate, ==, "c1");
  g_assert_cmpfloat (row->points, ==, 3);
  g_assert_cmpfloat (row->mean_rank, ==, 1.5);
  row = g_ptr_array_index (rows, 2);
  g_assert_cmpstr (row->candidate, ==, "c2");
  g_assert_cmpfloat (row->points, ==, 1);
  row = g_ptr_array_index (rows, 3);
  g_assert_cmpstr (row->candidate, ==, "c4");
  g_assert_cmpfloat (row->points, ==, 0);
  g_assert_cmpuint (row->votes, ==, 2);
  g_assert_cmpuint (row->place, ==, 4);

  /* the run's form round-trips */
  json = cs_ranking_to_json (rows, ballots, NULL, self_votes);
  back = cs_ranking_rows_from_json (json);
  g_assert_cmpuint (back->len, ==, 4);
  g_assert_cmpuint (cs_ranking_place_of (json, "c1"), ==, 2);
  g_assert_cmpuint (cs_ranking_place_of (json, "c7"), ==, 0);
}

/* The critiques follow the candidates' order, whatever order the judge
 * wrote them in. */
static void
test_judge_critique_order (void)
{
  g_autoptr(GPtrArray) candidates = support_candidates ();
  g_autoptr(JsonNode) fused = cs_synthesis_fuse (CS_MODE_SUPPORT, candidates, NULL);
  g_autoptr(JsonNode) reply = parse (judge_reply);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) judged = NULL;
  JsonArray *given = json_object_get_array_member (json_node_get_object (reply), "critiques");
  g_autoptr(JsonArray) reversed = json_array_new ();
  JsonArray *critiques;

  for (guint i = json_array_get_length (given); i > 0; i--)
    json_array_add_element (reversed, json_node_copy (json_array_get_element (given, i - 1)));
  json_object_set_array_member (json_node_get_object (reply), "critiques", json_array_ref (reversed));
  judged = cs_synthesis_apply_judge (CS_MODE_SUPPORT, fused, reply, "openai/o3", &error);
  g_assert_no_error (error);
  critiques = member_array (json_node_get_object (judged), "critiques");
  g_assert_cmpuint (json_array_get_length (critiques), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *id = g_strdup_printf ("c%u", i + 1);

      g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (critiques, i), "candidate"), ==, id);
    }
}

static void
test_judge_apply (void)
{
  g_autoptr(GPtrArray) candidates = support_candidates ();
  g_autoptr(JsonNode) fused = cs_synthesis_fuse (CS_MODE_SUPPORT, candidates, NULL);
  g_autoptr(JsonNode) reply = parse (judge_reply);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) judged = cs_synthesis_apply_judge (CS_MODE_SUPPORT, fused, reply, "openai/o3", &error);
  JsonObject *obj;
  JsonArray *consensus, *methods, *critiques, *alternatives;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (judged);
  assert_valid (CS_MODE_SUPPORT, judged);
  obj = json_node_get_object (judged);

  g_assert_cmpstr (json_object_get_string_member (member_object (judged, "data"), "summary"), ==, "The disk is full.");
  g_assert_cmpstr (json_object_get_string_member (obj, "rationale"), ==,
                   "Disk first; DNS kept because the logs mention lookups.");
  g_assert_cmpstr (json_object_get_string_member (obj, "judge_model"), ==, "openai/o3");
  methods = member_array (obj, "methods");
  g_assert_cmpuint (json_array_get_length (methods), ==, 3);
  g_assert_cmpstr (json_array_get_string_element (methods, 2), ==, "judge");
  g_assert_false (json_object_get_boolean_member (obj, "degraded"));

  /* support annotations for the judge's steps */
  consensus = member_array (obj, "consensus");
  g_assert_cmpuint (json_array_get_length (consensus), ==, 4);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (consensus, 0), "support"), ==, 3);
  /* DNS was a minority alternative: 1 of 3 */
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (consensus, 1), "support"), ==, 1);
  /* the kernel step is the judge's own */
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (consensus, 2), "support"), ==, 0);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_array_get_object_element (consensus, 2), "candidates")), ==, 0);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (consensus, 3), "support"), ==, 2);

  /* the adopted DNS alternative is gone from the alternatives; the clean-up
   * one stays, after the judge's disk step; the log step that 2 of 3
   * proposed and the judge left out is kept as an alternative too, with its
   * support; alternatives follow the checklist's order */
  alternatives = member_array (obj, "alternatives");
  g_assert_cmpuint (json_array_get_length (alternatives), ==, 2);
  g_assert_nonnull (strstr (json_object_get_string_member (json_array_get_object_element (alternatives, 0), "title"), "Clean up"));
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (alternatives, 0), "after_step"), ==, 0);
  {
    JsonObject *logs = json_array_get_object_element (alternatives, 1);

    g_assert_nonnull (strstr (json_object_get_string_member (logs, "title"), "log"));
    g_assert_cmpint (json_object_get_int_member (logs, "support"), ==, 2);
    g_assert_cmpint (json_object_get_int_member (logs, "total"), ==, 3);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (logs, "candidates")), ==, 2);
    g_assert_nonnull (json_object_get_string_member (logs, "command"));
    g_assert_false (json_object_has_member (logs, "_index"));
  }

  /* critiques kept, scores clamped to 1..10 */
  critiques = member_array (obj, "critiques");
  g_assert_cmpuint (json_array_get_length (critiques), ==, 3);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (critiques, 2), "score"), ==, 10);

  /* the votes of the mechanical merge stay as evidence */
  g_assert_cmpuint (json_array_get_length (member_array (obj, "votes")), >, 0);

  /* the input was not modified */
  before = to_string (fused);
  g_assert_null (strstr (before, "\"kept\""));
  g_assert_null (strstr (before, "judge_model"));
  g_assert_cmpuint (json_array_get_length (member_array (json_node_get_object (fused), "methods")), ==, 2);
  after = to_string (judged);
  g_assert_nonnull (strstr (after, "\"kept\""));
}

static void
test_judge_invalid (void)
{
  static const char * const bad[] = {
    "[]",
    "{'critiques':[],'rationale':'r'}",
    "{'critiques':[],'rationale':'r','result':'text'}",
    "{'critiques':[],'result':{'summary':'s','likely_causes':[],'steps':[{'title':'t'}],'escalate_when':'e'}}",
    "{'critiques':'none','rationale':'r','result':{}}",
    /* a result that breaks the schema: a step without most fields */
    "{'critiques':[],'rationale':'r','result':{'summary':'s','likely_causes':[],'steps':[{'title':'t'}],'escalate_when':'e'}}",
    /* no steps: minItems */
    "{'critiques':[],'rationale':'r','result':{'summary':'s','likely_causes':[],'steps':[],'escalate_when':'e'}}",
  };
  g_autoptr(GPtrArray) candidates = support_candidates ();
  g_autoptr(JsonNode) fused = cs_synthesis_fuse (CS_MODE_SUPPORT, candidates, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(JsonNode) reply = parse (bad[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) judged = cs_synthesis_apply_judge (CS_MODE_SUPPORT, fused, reply, "j", &error);

      g_assert_null (judged);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
      g_test_message ("%s", error->message);
    }
}

/* A judge's reply without critiques around @result (taken). */
static JsonNode *
make_judge_reply (JsonNode   *result,
                  const char *rationale)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "critiques");
  json_builder_begin_array (b);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "rationale");
  json_builder_add_string_value (b, rationale);
  json_builder_set_member_name (b, "result");
  json_builder_add_value (b, result);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static void
test_judge_architect (void)
{
  g_autoptr(GPtrArray) candidates = architect_candidates ();
  g_autoptr(JsonNode) fused = cs_synthesis_fuse (CS_MODE_ARCHITECT, candidates, NULL);
  g_autofree char *data_json = to_string (json_object_get_member (json_node_get_object (fused), "data"));
  g_autoptr(JsonNode) result = json_from_string (data_json, NULL);
  g_autoptr(JsonNode) reply = NULL;
  g_autoptr(JsonNode) judged = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *components = json_object_get_array_member (json_node_get_object (result), "components");
  JsonObject *search = json_object_new ();
  JsonArray *consensus;

  /* the judge adopts the minority search index */
  json_object_set_string_member (search, "name", "Search index");
  json_object_set_string_member (search, "responsibility", "Search");
  json_object_set_string_member (search, "technology", "OpenSearch");
  json_object_set_string_member (search, "scaling", "Shards");
  json_array_add_object_element (components, search);

  /* with a diagram Mermaid could not draw: a node called "end" */
  json_object_set_string_member (json_node_get_object (result), "mermaid",
                                 "flowchart LR\n  api[\"API\"] --> end[(\"the end\")]");
  reply = make_judge_reply (g_steal_pointer (&result), "Search matters here.");

  judged = cs_synthesis_apply_judge (CS_MODE_ARCHITECT, fused, reply, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (member_object (judged, "data"), "mermaid"), ==,
                   "flowchart LR\n  api[\"API\"] --> end_[(\"the end\")]");
  consensus = member_array (json_node_get_object (judged), "consensus");
  g_assert_cmpuint (json_array_get_length (consensus), ==, 3);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (consensus, 0), "support"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (consensus, 2), "support"), ==, 1);
  /* the search index is no longer an alternative; the decisions may be */
  {
    JsonArray *alternatives = member_array (json_node_get_object (judged), "alternatives");

    for (guint i = 0; i < json_array_get_length (alternatives); i++)
      g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (alternatives, i), "title"), !=, "Search index");
  }
}

/* What the judge leaves out of the merge is not lost, and what it adopts is
 * not offered again as an alternative. */
static void
test_judge_alternatives (void)
{
  g_autoptr(GPtrArray) candidates = architect_candidates ();
  g_autoptr(JsonNode) fused = cs_synthesis_fuse (CS_MODE_ARCHITECT, candidates, NULL);
  g_autofree char *data_json = to_string (json_object_get_member (json_node_get_object (fused), "data"));
  g_autoptr(JsonNode) result = json_from_string (data_json, NULL);
  g_autoptr(JsonNode) alt_cache = parse ("{'title':'Cache','choice':'Redis','rationale':'Fast.','support':1,'total':3,'candidates':['c2'],'kind':'decision'}");
  g_autoptr(JsonNode) alt_objects = parse ("{'title':'Object storage','choice':'Amazon S3','rationale':'Cheap.','support':1,'total':3,'candidates':['c2'],'kind':'decision'}");
  g_autoptr(JsonNode) cache_decision = parse ("{'topic':'Cache','choice':'Redis 7','rationale':'Sessions.','rejected_alternatives':[]}");
  g_autoptr(JsonNode) reply = NULL;
  g_autoptr(JsonNode) judged = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *data = json_node_get_object (result);
  JsonArray *components = json_object_get_array_member (data, "components");
  JsonArray *alternatives;
  g_autofree char *dropped = g_strdup (json_object_get_string_member (json_array_get_object_element (components, 0), "name"));
  gint64 dropped_support;
  gboolean saw_cache = FALSE, saw_objects = FALSE, saw_dropped = FALSE;

  /* the merge offered two decisions as alternatives; the judge adopts the
   * cache (in another version), drops the first component, which all
   * candidates had */
  dropped_support = json_object_get_int_member (json_array_get_object_element (member_array (json_node_get_object (fused), "consensus"), 0), "support");
  g_assert_cmpint (dropped_support, ==, 3);
  json_array_add_element (member_array (json_node_get_object (fused), "alternatives"), json_node_ref (alt_cache));
  json_array_add_element (member_array (json_node_get_object (fused), "alternatives"), json_node_ref (alt_objects));
  json_array_add_element (json_object_get_array_member (data, "decisions"), json_node_ref (cache_decision));
  json_array_remove_element (components, 0);

  reply = make_judge_reply (g_steal_pointer (&result), "Fewer parts.");

  judged = cs_synthesis_apply_judge (CS_MODE_ARCHITECT, fused, reply, NULL, &error);
  g_assert_no_error (error);
  alternatives = member_array (json_node_get_object (judged), "alternatives");
  for (guint i = 0; i < json_array_get_length (alternatives); i++)
    {
      JsonObject *alt = json_array_get_object_element (alternatives, i);
      const char *title = json_object_get_string_member (alt, "title");

      if (g_strcmp0 (title, "Cache") == 0)
        saw_cache = TRUE;
      else if (g_strcmp0 (title, "Object storage") == 0)
        saw_objects = TRUE;
      else if (g_strcmp0 (title, dropped) == 0)
        {
          saw_dropped = TRUE;
          g_assert_cmpstr (json_object_get_string_member (alt, "kind"), ==, "component");
          g_assert_cmpint (json_object_get_int_member (alt, "support"), ==, 3);
          g_assert_cmpuint (json_array_get_length (json_object_get_array_member (alt, "candidates")), ==, 3);
          g_assert_nonnull (json_object_get_string_member (alt, "technology"));
        }
    }
  g_assert_false (saw_cache);
  g_assert_true (saw_objects);
  g_assert_true (saw_dropped);
}

static void
test_degraded (void)
{
  g_autoptr(GPtrArray) candidates = support_candidates ();
  g_autoptr(JsonNode) fused = cs_synthesis_fuse (CS_MODE_SUPPORT, candidates, NULL);
  g_autoptr(JsonNode) d1 = cs_synthesis_mark_degraded (fused, "The judge timed out.");
  g_autoptr(JsonNode) d2 = cs_synthesis_mark_degraded (fused, NULL);

  g_assert_true (json_object_get_boolean_member (json_node_get_object (d1), "degraded"));
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (d1), "note"), ==, "The judge timed out.");
  g_assert_true (json_object_get_boolean_member (json_node_get_object (d2), "degraded"));
  g_assert_nonnull (strstr (json_object_get_string_member (json_node_get_object (d2), "note"), "No judge"));
  /* the methods stay the ones that contributed */
  g_assert_cmpuint (json_array_get_length (member_array (json_node_get_object (d1), "methods")), ==, 2);
  /* the original is untouched */
  g_assert_false (json_object_get_boolean_member (json_node_get_object (fused), "degraded"));
}

/* ------------------------------------------------------------------------ */

/* A candidate's steps (components) as the clustering takes them: read by
 * the result model from a JSON array; @keep holds the answers. */
static GPtrArray *
steps_of (GPtrArray  *keep,
          const char *items)
{
  g_autofree char *text = g_strdup_printf ("{'steps':%s}", items);
  g_autoptr(JsonNode) node = parse (text);
  CsChecklist *checklist = cs_checklist_new_from_json (node, NULL);

  g_ptr_array_add (keep, checklist);
  return cs_checklist_get_steps (checklist);
}

static GPtrArray *
components_of (GPtrArray  *keep,
               const char *items)
{
  g_autofree char *text = g_strdup_printf ("{'components':%s}", items);
  g_autoptr(JsonNode) node = parse (text);
  CsBlueprint *blueprint = cs_blueprint_new_from_json (node, NULL);

  g_ptr_array_add (keep, blueprint);
  return cs_blueprint_get_components (blueprint);
}

static void
test_consensus_clusters (void)
{
  g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func ((GDestroyNotify)cs_checklist_unref);
  GPtrArray *a = steps_of (keep, "[{'title':'Check disk space','command':'df -h','effort_minutes':5},"
                                 " {'title':'Check disk space again','command':'df -h','effort_minutes':5}]");
  GPtrArray *b = steps_of (keep, "[{'title':'Check free disk space','command':'df','effort_minutes':10}]");
  g_autoptr(GPtrArray) lists = g_ptr_array_new ();
  g_autoptr(GPtrArray) clusters = NULL;
  CsCluster *first;

  g_ptr_array_add (lists, a);
  g_ptr_array_add (lists, b);
  g_ptr_array_add (lists, NULL);
  clusters = cs_consensus_cluster (CS_ITEM_STEP, lists);

  /* at most one item per candidate per cluster */
  g_assert_cmpuint (clusters->len, ==, 2);
  first = g_ptr_array_index (clusters, 0);
  g_assert_cmpuint (first->support, ==, 2);
  g_assert_cmpuint (first->total, ==, 3);
  g_assert_true (first->primary);
  g_assert_cmpint (first->effort_minutes, ==, 8);   /* median of 5 and 10, rounded */
  g_assert_true (cs_cluster_has_candidate (first, 0));
  g_assert_true (cs_cluster_has_candidate (first, 1));
  g_assert_false (cs_cluster_has_candidate (first, 2));
  g_assert_false (((CsCluster *)g_ptr_array_index (clusters, 1))->primary);
}

/* Equally supported steps: the safe before the disruptive, even when the
 * disruptive one is quicker; effort decides at equal risk. */
static void
test_consensus_risk_order (void)
{
  g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func ((GDestroyNotify)cs_checklist_unref);
  GPtrArray *a = steps_of (keep, "[{'title':'Restart the web server','command':'systemctl restart nginx','risk':'medium','effort_minutes':1},"
                                 " {'title':'Read the error log','command':'tail /var/log/nginx/error.log','risk':'none','effort_minutes':10},"
                                 " {'title':'Check free memory','command':'free -m','risk':'none','effort_minutes':2}]");
  GPtrArray *b = steps_of (keep, "[{'title':'Restart the web server','command':'systemctl restart nginx','risk':'high','effort_minutes':2},"
                                 " {'title':'Read the error log','command':'tail /var/log/nginx/error.log','risk':'low','effort_minutes':10},"
                                 " {'title':'Check free memory','command':'free -m','risk':'none','effort_minutes':2}]");
  g_autoptr(GPtrArray) lists = g_ptr_array_new ();
  g_autoptr(GPtrArray) clusters = NULL;
  CsCluster *c0, *c1, *c2;

  g_ptr_array_add (lists, a);
  g_ptr_array_add (lists, b);
  clusters = cs_consensus_cluster (CS_ITEM_STEP, lists);
  g_assert_cmpuint (clusters->len, ==, 3);
  c0 = g_ptr_array_index (clusters, 0);
  c1 = g_ptr_array_index (clusters, 1);
  c2 = g_ptr_array_index (clusters, 2);
  g_assert_cmpuint (c0->support, ==, 2);
  g_assert_cmpuint (c2->support, ==, 2);
  /* memory (none, 2 min), the log (none/low → none, 10 min), the restart */
  g_assert_true (strstr (((const CsStep *)cs_cluster_get_representative (c0))->title, "memory"));
  g_assert_true (strstr (((const CsStep *)cs_cluster_get_representative (c1))->title, "log"));
  g_assert_true (strstr (((const CsStep *)cs_cluster_get_representative (c2))->title, "Restart"));
  g_assert_cmpint (c2->risk_rank, ==, 2);
  g_assert_cmpint (c1->risk_rank, ==, 0);
}

/* The example replies of tests/data/replies, parsed and validated by the
 * mode like real ones. */
static GPtrArray *
load_replies (CsMode      mode,
              const char *prefix)
{
  GPtrArray *candidates = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 1; i <= 3; i++)
    {
      g_autofree char *name = g_strdup_printf ("%s-%u.json", prefix, i);
      g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "replies", name, NULL);
      g_autofree char *text = NULL;
      g_autofree char *id = g_strdup_printf ("c%u", i);
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) data = NULL;
      CsCandidate *candidate;

      g_file_get_contents (path, &text, NULL, &error);
      g_assert_no_error (error);
      data = cs_mode_parse_reply (mode, text, &error);
      g_assert_no_error (error);
      candidate = cs_candidate_new (id, "test/model", NULL);
      cs_candidate_set_data (candidate, data);
      cs_candidate_set_status (candidate, CS_CANDIDATE_OK);
      g_ptr_array_add (candidates, candidate);
    }
  return candidates;
}

typedef struct {
  gboolean  done;
  JsonNode *result;
  GError   *error;
} FuseWait;

static void
fuse_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  FuseWait *w = user_data;

  g_assert_null (object);
  w->result = cs_synthesis_fuse_finish (result, &w->error);
  w->done = TRUE;
}

static void
fuse_wait (FuseWait *w)
{
  gint64 end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (!w->done)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      g_main_context_iteration (NULL, TRUE);
    }
}

/* The fusion in a worker thread gives exactly the synchronous result, from
 * a snapshot: what happens to the candidates after the call does not reach
 * it. */
static void
test_fuse_async (gconstpointer data)
{
  CsMode mode = GPOINTER_TO_INT (data);
  g_autoptr(GPtrArray) candidates = load_replies (mode, mode == CS_MODE_ARCHITECT ? "architect" : "support");
  g_autoptr(JsonNode) expected = cs_synthesis_fuse (mode, candidates, NULL);
  g_autofree char *expected_json = to_string (expected);
  g_autofree char *json = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GPtrArray) none = g_ptr_array_new ();
  FuseWait w = { 0 };

  g_assert_nonnull (expected);
  cs_synthesis_fuse_async (mode, candidates, NULL, fuse_cb, &w);
  /* the candidates' data change in place, then the candidates go */
  for (guint i = 0; i < candidates->len; i++)
    {
      JsonObject *obj = json_node_get_object (cs_candidate_get_data (g_ptr_array_index (candidates, i)));

      json_object_set_string_member (obj, "summary", "changed after the snapshot");
      json_object_remove_member (obj, mode == CS_MODE_ARCHITECT ? "components" : "steps");
    }
  g_clear_pointer (&candidates, g_ptr_array_unref);
  fuse_wait (&w);
  g_assert_no_error (w.error);
  g_assert_nonnull (w.result);
  json = to_string (w.result);
  g_assert_cmpstr (json, ==, expected_json);
  g_clear_pointer (&w.result, json_node_unref);

  /* nothing valid: the same error as the synchronous call */
  memset (&w, 0, sizeof w);
  cs_synthesis_fuse_async (mode, none, NULL, fuse_cb, &w);
  fuse_wait (&w);
  g_assert_null (w.result);
  g_assert_error (w.error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&w.error);

  /* cancelled */
  candidates = load_replies (mode, mode == CS_MODE_ARCHITECT ? "architect" : "support");
  memset (&w, 0, sizeof w);
  g_cancellable_cancel (cancellable);
  cs_synthesis_fuse_async (mode, candidates, cancellable, fuse_cb, &w);
  fuse_wait (&w);
  g_assert_null (w.result);
  g_assert_error (w.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&w.error);
}

static void
test_example_replies (void)
{
  g_autoptr(GPtrArray) architect = load_replies (CS_MODE_ARCHITECT, "architect");
  g_autoptr(GPtrArray) support = load_replies (CS_MODE_SUPPORT, "support");
  g_autoptr(JsonNode) a = cs_synthesis_fuse (CS_MODE_ARCHITECT, architect, NULL);
  g_autoptr(JsonNode) s = cs_synthesis_fuse (CS_MODE_SUPPORT, support, NULL);
  g_autofree char *a_json = to_string (a);
  g_autofree char *s_json = to_string (s);
  JsonObject *vote;
  JsonArray *alternatives, *stores, *consensus;
  gboolean saw_primary = FALSE;

  g_test_message ("%s", a_json);
  g_test_message ("%s", s_json);
  assert_valid (CS_MODE_ARCHITECT, a);
  assert_valid (CS_MODE_SUPPORT, s);

  /* architect: the gateway all agree on; Go for the order service 2 of 3;
   * the archiver only one proposed; PostgreSQL the primary store 2 of 3
   * (versions and remarks in parentheses ignored); the median cost */
  vote = find_vote (a, "components[API gateway].technology");
  g_assert_nonnull (vote);
  g_assert_cmpint (json_object_get_int_member (vote, "count"), ==, 3);
  vote = find_vote (a, "components[Order service].technology");
  g_assert_cmpstr (json_object_get_string_member (vote, "winner"), ==, "Go 1.22");
  g_assert_cmpint (json_object_get_int_member (vote, "count"), ==, 2);
  vote = find_vote (a, "data_stores[primary].technology");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (vote, "winner"), "PostgreSQL 16"));
  g_assert_cmpint (json_object_get_int_member (vote, "count"), ==, 2);
  g_assert_cmpfloat (json_object_get_double_member (member_object (a, "data"), "monthly_cost_usd"), ==, 2400);
  alternatives = member_array (json_node_get_object (a), "alternatives");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (alternatives, 0), "title"), ==,
                   "History archiver");
  stores = member_array (member_object (a, "data"), "data_stores");
  for (guint i = 0; i < json_array_get_length (stores); i++)
    {
      JsonObject *store = json_array_get_object_element (stores, i);

      if (json_object_get_boolean_member (store, "primary"))
        {
          g_assert_false (saw_primary);
          g_assert_true (g_str_has_prefix (json_object_get_string_member (store, "technology"), "PostgreSQL"));
          saw_primary = TRUE;
        }
    }
  g_assert_true (saw_primary);

  /* support: all three check that PostgreSQL runs, first */
  consensus = member_array (json_node_get_object (s), "consensus");
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (consensus, 0), "support"), ==, 3);
  g_assert_nonnull (strstr (json_object_get_string_member (json_array_get_object_element (consensus, 0), "title"),
                            "PostgreSQL service"));
}

static void
test_consensus_detail (void)
{
  g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func ((GDestroyNotify)cs_blueprint_unref);
  GPtrArray *a = components_of (keep, "[{'name':'Event bus','responsibility':'Decouples producers from consumers and keeps a replayable log of domain events.'},"
                                      " {'name':'Cache','responsibility':'Stores data'}]");
  GPtrArray *b = components_of (keep, "[{'name':'Message broker','responsibility':'Decouples producers from consumers and keeps a replayable log of domain events'},"
                                      " {'name':'Database','responsibility':'Stores data'}]");
  g_autoptr(GPtrArray) lists = g_ptr_array_new ();
  g_autoptr(GPtrArray) clusters = NULL;

  g_ptr_array_add (lists, a);
  g_ptr_array_add (lists, b);
  clusters = cs_consensus_cluster (CS_ITEM_COMPONENT, lists);
  /* the long identical descriptions join; the short ones do not */
  g_assert_cmpuint (clusters->len, ==, 3);
  g_assert_cmpuint (((CsCluster *)g_ptr_array_index (clusters, 0))->support, ==, 2);
  g_assert_cmpstr (cs_consensus_item_title (CS_ITEM_COMPONENT,
                                            cs_cluster_get_representative (g_ptr_array_index (clusters, 0))), ==, "Event bus");
}

static void
test_store_is_component (void)
{
  g_autoptr(GPtrArray) one = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(JsonNode) synthesis = NULL;
  const char *mermaid;
  guint nodes = 0;
  g_auto(GStrv) lines = NULL;

  g_ptr_array_add (one, make_candidate ("c1", "m", "{'summary':'s','components':["
    "{'name':'API','responsibility':'r','technology':'Go','scaling':'s'},"
    "{'name':'Primary database','responsibility':'r','technology':'PostgreSQL','scaling':'s'}],"
    "'data_stores':[{'name':'Primary database','technology':'PostgreSQL','purpose':'p','primary':true}],"
    "'apis':[],'connections':[{'from':'API','to':'Primary database','description':'SQL (sync) and a very long description of the traffic'}],"
    "'decisions':[],'trade_offs':[],'risks':[],'monthly_cost_usd':10,'mermaid':''}"));
  synthesis = cs_synthesis_fuse (CS_MODE_ARCHITECT, one, NULL);
  assert_valid (CS_MODE_ARCHITECT, synthesis);
  mermaid = json_object_get_string_member (member_object (synthesis, "data"), "mermaid");
  lines = g_strsplit (mermaid, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], "Primary database") != NULL)
      nodes++;
  g_assert_cmpuint (nodes, ==, 1);
  g_assert_nonnull (strstr (mermaid, "  n2[(\"Primary database\")]\n"));
  g_test_message ("%s", mermaid);
  g_assert_nonnull (strstr (mermaid, "  n1 -->|\"SQL sync and a very long description of…\"| n2\n"));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ensemble/vote", test_vote);
  g_test_add_func ("/ensemble/median", test_median);
  g_test_add_func ("/consensus/clusters", test_consensus_clusters);
  g_test_add_func ("/consensus/detail", test_consensus_detail);
  g_test_add_func ("/consensus/risk-order", test_consensus_risk_order);
  g_test_add_func ("/synthesis/store-is-component", test_store_is_component);
  g_test_add_func ("/synthesis/architect", test_architect);
  g_test_add_func ("/synthesis/architect-single", test_architect_single);
  g_test_add_func ("/synthesis/architect-mermaid-hostile", test_architect_mermaid_hostile);
  g_test_add_func ("/synthesis/support", test_support);
  g_test_add_func ("/synthesis/single-and-none", test_single_and_none);
  g_test_add_func ("/synthesis/determinism", test_determinism);
  g_test_add_func ("/synthesis/hostile", test_hostile);
  g_test_add_func ("/synthesis/example-replies", test_example_replies);
  g_test_add_data_func ("/synthesis/async/architect", GINT_TO_POINTER (CS_MODE_ARCHITECT), test_fuse_async);
  g_test_add_data_func ("/synthesis/async/support", GINT_TO_POINTER (CS_MODE_SUPPORT), test_fuse_async);
  g_test_add_func ("/judge/schema", test_judge_schema);
  g_test_add_func ("/judge/messages", test_judge_messages);
  g_test_add_func ("/judge/apply", test_judge_apply);
  g_test_add_func ("/judge/critique-order", test_judge_critique_order);
  g_test_add_func ("/judge/check", test_judge_check);
  g_test_add_func ("/judge/shuffle", test_judge_shuffle);
  g_test_add_func ("/ranking/aggregate", test_ranking_aggregate);
  g_test_add_func ("/judge/invalid", test_judge_invalid);
  g_test_add_func ("/judge/architect", test_judge_architect);
  g_test_add_func ("/judge/alternatives", test_judge_alternatives);
  g_test_add_func ("/judge/degraded", test_degraded);

  return g_test_run ();
}
