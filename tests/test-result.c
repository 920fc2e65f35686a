/* test-result.c: the typed result model reads and writes the JSON it models
 *
 * Real answers (tests/data/replies), the synthesis fused from them, judged
 * and degraded, round-trip byte for byte; typed fields and the links from
 * items to votes and consensus entries are right; hostile input is read
 * safely.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "cs-engine.h"
#include "cs-json-util.h"
#include "cs-mode.h"
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

static JsonNode *
load_reply (CsMode      mode,
            const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "replies", name, NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *data;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  data = cs_mode_parse_reply (mode, text, &error);
  g_assert_no_error (error);
  return data;
}

static CsCandidate *
make_candidate (const char *id,
                JsonNode   *data)
{
  CsCandidate *candidate = cs_candidate_new (id, "test/model", NULL);

  cs_candidate_set_data (candidate, data);
  cs_candidate_set_status (candidate, CS_CANDIDATE_OK);
  return candidate;
}

static GPtrArray *
reply_candidates (CsMode mode)
{
  GPtrArray *candidates = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 1; i <= 3; i++)
    {
      g_autofree char *name = g_strdup_printf ("%s-%u.json", cs_mode_to_string (mode), i);
      g_autofree char *id = g_strdup_printf ("c%u", i);
      g_autoptr(JsonNode) data = load_reply (mode, name);

      g_ptr_array_add (candidates, make_candidate (id, data));
    }
  return candidates;
}

static GPtrArray *
fixture_candidates (CsMode mode)
{
  const char *architect[] = { architect_a, architect_b, architect_c };
  const char *support[] = { support_a, support_b, support_c };
  GPtrArray *candidates = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *id = g_strdup_printf ("c%u", i + 1);
      g_autoptr(JsonNode) data = parse (mode == CS_MODE_SUPPORT ? support[i] : architect[i]);

      g_ptr_array_add (candidates, make_candidate (id, data));
    }
  return candidates;
}

static void
assert_same_json (JsonNode *expected,
                  JsonNode *actual)
{
  g_autofree char *a = cs_json_to_string (expected, TRUE);
  g_autofree char *b = cs_json_to_string (actual, TRUE);

  g_assert_cmpstr (b, ==, a);
}

/* The synthesis round-trips through CsResult, and through a copy. */
static CsResult *
assert_round_trip (CsMode    mode,
                   JsonNode *synthesis)
{
  g_autoptr(GError) error = NULL;
  CsResult *result = cs_result_new_from_json (mode, synthesis, &error);
  g_autoptr(JsonNode) back = NULL;
  g_autoptr(CsResult) copy = NULL;
  g_autoptr(JsonNode) copy_back = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (result);
  back = cs_result_to_json (result);
  assert_same_json (synthesis, back);
  copy = cs_result_copy (result);
  copy_back = cs_result_to_json (copy);
  assert_same_json (synthesis, copy_back);
  return result;
}

/* ------------------------------------------------------------------------ */

static void
test_candidate_answers (void)
{
  for (guint m = 0; m < 2; m++)
    {
      CsMode mode = m == 0 ? CS_MODE_ARCHITECT : CS_MODE_SUPPORT;

      for (guint i = 1; i <= 3; i++)
        {
          g_autofree char *name = g_strdup_printf ("%s-%u.json", cs_mode_to_string (mode), i);
          g_autoptr(JsonNode) data = load_reply (mode, name);
          g_autoptr(JsonNode) back = NULL;
          g_autoptr(GError) error = NULL;
          JsonObject *obj = json_node_get_object (data);

          if (mode == CS_MODE_ARCHITECT)
            {
              g_autoptr(CsBlueprint) bp = cs_blueprint_new_from_json (data, &error);
              CsComponent *first;
              double cost;

              g_assert_no_error (error);
              back = cs_blueprint_to_json (bp);
              g_assert_cmpuint (cs_blueprint_get_components (bp)->len, ==,
                                json_array_get_length (json_object_get_array_member (obj, "components")));
              first = g_ptr_array_index (cs_blueprint_get_components (bp), 0);
              g_assert_cmpstr (first->name, ==,
                               json_object_get_string_member (json_array_get_object_element (json_object_get_array_member (obj, "components"), 0), "name"));
              g_assert_cmpstr (cs_blueprint_get_summary (bp), ==, json_object_get_string_member (obj, "summary"));
              g_assert_true (cs_blueprint_get_monthly_cost (bp, &cost));
              g_assert_cmpfloat (cost, ==, json_object_get_double_member (obj, "monthly_cost_usd"));
              g_assert_nonnull (cs_blueprint_get_mermaid (bp));
              g_assert_null (first->item.vote);
            }
          else
            {
              g_autoptr(CsChecklist) cl = cs_checklist_new_from_json (data, &error);
              CsStep *step;

              g_assert_no_error (error);
              back = cs_checklist_to_json (cl);
              g_assert_cmpuint (cs_checklist_get_steps (cl)->len, ==,
                                json_array_get_length (json_object_get_array_member (obj, "steps")));
              step = g_ptr_array_index (cs_checklist_get_steps (cl), 0);
              g_assert_true (step->has_effort);
              g_assert_nonnull (step->title);
              g_assert_nonnull (cs_checklist_get_escalate_when (cl));
            }
          assert_same_json (data, back);
        }
    }
}

static void
test_fused (void)
{
  for (guint m = 0; m < 2; m++)
    for (guint source = 0; source < 2; source++)
      {
        CsMode mode = m == 0 ? CS_MODE_ARCHITECT : CS_MODE_SUPPORT;
        g_autoptr(GPtrArray) candidates = source == 0 ? reply_candidates (mode) : fixture_candidates (mode);
        g_autoptr(GError) error = NULL;
        g_autoptr(JsonNode) fused = cs_synthesis_fuse (mode, candidates, &error);
        g_autoptr(JsonNode) degraded = NULL;
        g_autoptr(CsResult) result = NULL;
        g_autoptr(CsResult) result2 = NULL;

        g_assert_no_error (error);
        result = assert_round_trip (mode, fused);
        g_assert_cmpint (cs_result_get_mode (result), ==, mode);
        g_assert_true (cs_result_has_method (result, CS_METHOD_ENSEMBLE | CS_METHOD_CONSENSUS));
        g_assert_false (cs_result_has_method (result, CS_METHOD_JUDGE));
        g_assert_cmpuint (cs_result_get_total (result), ==, 3);
        g_assert_null (cs_result_get_rationale (result));
        g_assert_null (cs_result_get_note (result));
        g_assert_null (cs_result_get_judge_model (result));
        g_assert_false (cs_result_is_degraded (result));
        g_assert_cmpuint (cs_result_get_votes (result)->len, >, 0);

        degraded = cs_synthesis_mark_degraded (fused, "The judge timed out.");
        result2 = assert_round_trip (mode, degraded);
        g_assert_true (cs_result_is_degraded (result2));
        g_assert_cmpstr (cs_result_get_note (result2), ==, "The judge timed out.");
      }
}

/* Items point at their votes and consensus entries. */
static void
test_links (void)
{
  g_autoptr(GPtrArray) architect = reply_candidates (CS_MODE_ARCHITECT);
  g_autoptr(GPtrArray) support = reply_candidates (CS_MODE_SUPPORT);
  g_autoptr(JsonNode) a = cs_synthesis_fuse (CS_MODE_ARCHITECT, architect, NULL);
  g_autoptr(JsonNode) s = cs_synthesis_fuse (CS_MODE_SUPPORT, support, NULL);
  g_autoptr(CsResult) ra = assert_round_trip (CS_MODE_ARCHITECT, a);
  g_autoptr(CsResult) rs = assert_round_trip (CS_MODE_SUPPORT, s);
  CsBlueprint *bp = cs_result_get_blueprint (ra);
  CsChecklist *cl = cs_result_get_checklist (rs);
  CsComponent *gateway;
  CsDataStore *primary = NULL;
  CsVoteRecord *cost;
  CsStep *first;
  CsAlternative *alt;

  g_assert_nonnull (bp);
  g_assert_null (cs_result_get_checklist (ra));
  g_assert_nonnull (cl);
  g_assert_null (cs_result_get_blueprint (rs));

  gateway = cs_blueprint_find_component (bp, "api GATEWAY");
  g_assert_nonnull (gateway);
  g_assert_nonnull (gateway->item.vote);
  g_assert_false (gateway->item.vote_casefold);
  g_assert_cmpstr (gateway->item.vote->field, ==, "components[API gateway].technology");
  g_assert_cmpuint (gateway->item.vote->count, ==, 3);
  g_assert_cmpuint (gateway->item.vote->total, ==, 3);
  g_assert_cmpuint (gateway->item.vote->options->len, >=, 1);
  g_assert_cmpuint (gateway->item.support, ==, 3);
  g_assert_cmpuint (gateway->item.total, ==, 3);
  g_assert_cmpuint (g_strv_length (gateway->item.origin.sources), ==, 3);
  g_assert_cmpint (gateway->item.origin.judge, ==, CS_JUDGE_NONE);

  for (guint i = 0; i < cs_blueprint_get_data_stores (bp)->len; i++)
    {
      CsDataStore *store = g_ptr_array_index (cs_blueprint_get_data_stores (bp), i);

      if (store->primary)
        primary = store;
    }
  g_assert_nonnull (primary);
  g_assert_nonnull (primary->item.vote);
  g_assert_cmpstr (primary->item.vote->field, ==, "data_stores[primary].technology");
  g_assert_cmpuint (primary->item.vote->count, ==, 2);

  cost = cs_result_get_cost_vote (ra);
  g_assert_nonnull (cost);
  g_assert_cmpstr (cost->method, ==, "median");
  g_assert_true (cost->has_median);
  g_assert_cmpfloat (cost->median, ==, 2400);
  g_assert_cmpuint (cost->values->len, ==, cost->count);
  g_assert_null (cost->winner);

  alt = g_ptr_array_index (cs_result_get_alternatives (ra), 0);
  g_assert_cmpint (alt->kind, ==, CS_ALTERNATIVE_COMPONENT);
  g_assert_cmpstr (alt->title, ==, "History archiver");
  g_assert_null (alt->step);
  g_assert_cmpuint (alt->item.support, ==, 1);

  first = g_ptr_array_index (cs_checklist_get_steps (cl), 0);
  g_assert_cmpuint (first->item.support, ==, 3);
  g_assert_nonnull (strstr (first->title, "PostgreSQL service"));
  g_assert_nonnull (first->item.vote);
  g_assert_true (g_str_has_suffix (first->item.vote->field, "].risk"));
  for (guint i = 0; i < cs_checklist_get_likely_causes (cl)->len; i++)
    {
      CsCause *cause = g_ptr_array_index (cs_checklist_get_likely_causes (cl), i);

      g_assert_nonnull (cause->likelihood);
    }
  for (guint i = 0; i < cs_result_get_alternatives (rs)->len; i++)
    {
      alt = g_ptr_array_index (cs_result_get_alternatives (rs), i);
      g_assert_cmpint (alt->kind, ==, CS_ALTERNATIVE_STEP);
      g_assert_nonnull (alt->step);
      g_assert_cmpstr (alt->step->title, ==, alt->title);
      g_assert_cmpstr (alt->step->command, ==, alt->command);
      g_assert_cmpuint (alt->step->item.support, ==, alt->item.support);
    }
}

static void
test_judged (void)
{
  g_autoptr(GPtrArray) candidates = fixture_candidates (CS_MODE_SUPPORT);
  g_autoptr(JsonNode) fused = cs_synthesis_fuse (CS_MODE_SUPPORT, candidates, NULL);
  g_autoptr(JsonNode) reply = parse (judge_reply);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) judged = cs_synthesis_apply_judge (CS_MODE_SUPPORT, fused, reply, "openai/o3", &error);
  g_autoptr(JsonNode) degraded = NULL;
  g_autoptr(CsResult) result = NULL;
  g_autoptr(CsResult) result2 = NULL;
  GPtrArray *steps;
  CsStep *own;
  CsCritique *critique;

  g_assert_no_error (error);
  result = assert_round_trip (CS_MODE_SUPPORT, judged);
  g_assert_true (cs_result_has_method (result, CS_METHOD_JUDGE | CS_METHOD_ENSEMBLE));
  g_assert_cmpstr (cs_result_get_judge_model (result), ==, "openai/o3");
  g_assert_cmpstr (cs_result_get_rationale (result), ==, "Disk first; DNS kept because the logs mention lookups.");
  g_assert_cmpuint (cs_result_get_critiques (result)->len, ==, 3);
  critique = g_ptr_array_index (cs_result_get_critiques (result), 2);
  g_assert_true (critique->has_score);
  g_assert_cmpint (critique->score, ==, 10);
  g_assert_true (cs_result_find_critique (result, critique->candidate) == critique);

  /* the kernel step is the judge's own; the first all three proposed */
  steps = cs_checklist_get_steps (cs_result_get_checklist (result));
  own = g_ptr_array_index (steps, 2);
  g_assert_cmpuint (own->item.support, ==, 0);
  g_assert_cmpuint (own->item.total, ==, 3);
  g_assert_cmpint (own->item.origin.judge, ==, CS_JUDGE_ADDED);
  /* the first all three proposed, its action shortened by the judge */
  g_assert_cmpint (((CsStep *)g_ptr_array_index (steps, 0))->item.origin.judge, ==, CS_JUDGE_CHANGED);
  g_assert_cmpuint (g_strv_length (((CsStep *)g_ptr_array_index (steps, 0))->item.origin.sources), ==, 3);
  g_assert_cmpuint (g_strv_length (own->item.origin.sources), ==, 0);
  g_assert_cmpuint (((CsStep *)g_ptr_array_index (steps, 0))->item.support, ==, 3);

  degraded = cs_synthesis_mark_degraded (judged, NULL);
  result2 = assert_round_trip (CS_MODE_SUPPORT, degraded);
  g_assert_true (cs_result_is_degraded (result2));
}

/* A judged architect result whose judge wrote its members in its own order
 * and dropped a component: both kept as written. */
static void
test_judged_architect (void)
{
  g_autoptr(GPtrArray) candidates = fixture_candidates (CS_MODE_ARCHITECT);
  g_autoptr(JsonNode) fused = cs_synthesis_fuse (CS_MODE_ARCHITECT, candidates, NULL);
  g_autoptr(JsonNode) result = cs_json_deep_copy (json_object_get_member (json_node_get_object (fused), "data"));
  JsonObject *data = json_node_get_object (result);
  g_autoptr(JsonNode) reply = NULL;
  g_autoptr(JsonNode) judged = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CsResult) typed = NULL;
  JsonNode *summary = json_node_copy (json_object_get_member (data, "summary"));

  /* the summary last, the first component gone */
  json_object_remove_member (data, "summary");
  json_object_set_member (data, "summary", summary);
  json_array_remove_element (json_object_get_array_member (data, "components"), 0);
  reply = json_from_string ("{\"critiques\":[{\"candidate\":\"c1\",\"strengths\":\"s\",\"weaknesses\":\"w\"}],"
                            "\"rationale\":\"r\",\"result\":{}}", &error);
  g_assert_no_error (error);
  json_object_set_member (json_node_get_object (reply), "result", g_steal_pointer (&result));

  judged = cs_synthesis_apply_judge (CS_MODE_ARCHITECT, fused, reply, NULL, &error);
  g_assert_no_error (error);
  typed = assert_round_trip (CS_MODE_ARCHITECT, judged);
  g_assert_false (((CsCritique *)g_ptr_array_index (cs_result_get_critiques (typed), 0))->has_score);
  g_assert_null (cs_result_get_judge_model (typed));
  {
    GPtrArray *alternatives = cs_result_get_alternatives (typed);
    gboolean dropped = FALSE;

    for (guint i = 0; i < alternatives->len; i++)
      {
        CsAlternative *alt = g_ptr_array_index (alternatives, i);

        if (alt->kind == CS_ALTERNATIVE_COMPONENT && alt->item.support == 3)
          dropped = TRUE;
      }
    g_assert_true (dropped);
  }
}

/* ------------------------------------------------------------------------ */
/* Builders                                                                 */
/* ------------------------------------------------------------------------ */

static void
assert_json_text (JsonNode   *node,
                  const char *expected)
{
  g_autofree char *text = cs_json_to_string (node, FALSE);
  g_autofree char *want = g_strdup (expected);

  g_strdelimit (want, "'", '"');
  g_assert_cmpstr (text, ==, want);
}

static void
test_build_architect (void)
{
  g_autoptr(CsResult) result = cs_result_new (CS_MODE_ARCHITECT);
  g_autoptr(CsBlueprint) bp = cs_blueprint_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(CsResult) back = NULL;
  const char *sources[] = { "c1", "c2", NULL };
  const char *names[] = { "Kong", "Envoy" };
  const guint counts[] = { 2, 1 };
  const double costs[] = { 1000, 3000 };
  const char *rejected[] = { "MySQL", NULL };
  CsComponent *c;
  CsAgreement *a;

  c = cs_blueprint_add_component (bp, "Gateway", "Routes", "Kong", "Pods");
  g_assert_cmpstr (c->technology, ==, "Kong");
  cs_blueprint_add_data_store (bp, "DB", "PostgreSQL", "Records", TRUE);
  cs_blueprint_add_api (bp, "API", "rest", "Public");
  cs_blueprint_add_connection (bp, "Gateway", "DB", "SQL");
  cs_blueprint_add_decision (bp, "Database", "PostgreSQL", "Known", rejected);
  cs_blueprint_add_trade_off (bp, "More parts");
  cs_blueprint_add_risk (bp, "Load", "Replicas");
  cs_blueprint_set_monthly_cost (bp, 2000);
  cs_blueprint_set_mermaid (bp, "flowchart LR\n");
  cs_blueprint_set_summary (bp, "S");
  cs_result_add_method (result, "ensemble");
  cs_result_add_method (result, "consensus");
  cs_result_set_blueprint (result, bp);
  cs_result_set_total (result, 2);
  cs_result_add_vote (result, "components[Gateway].technology", "Kong", 2, 3, names, counts, 2);
  cs_result_add_median (result, "monthly_cost_usd", 2000, 2, 3, costs, 2);
  a = cs_result_add_agreement (result, "Gateway", 2, 3, sources);
  cs_agreement_set_technology (a, NULL);
  cs_result_add_component_alternative (result, "Search", "Solr", "Finds", 1, 3, sources + 1);
  cs_result_add_decision_alternative (result, "Cache", "Redis", "Fast", 1, 3, NULL);
  cs_result_add_alternative_from_component (result, c, 2, 3, sources);
  cs_result_link_items (result);

  node = cs_result_to_json (result);
  assert_json_text (node,
    "{'methods':['ensemble','consensus'],"
    "'data':{'summary':'S',"
    "'components':[{'name':'Gateway','responsibility':'Routes','technology':'Kong','scaling':'Pods'}],"
    "'data_stores':[{'name':'DB','technology':'PostgreSQL','purpose':'Records','primary':true}],"
    "'apis':[{'name':'API','style':'rest','description':'Public'}],"
    "'connections':[{'from':'Gateway','to':'DB','description':'SQL'}],"
    "'decisions':[{'topic':'Database','choice':'PostgreSQL','rationale':'Known','rejected_alternatives':['MySQL']}],"
    "'trade_offs':['More parts'],"
    "'risks':[{'risk':'Load','mitigation':'Replicas'}],"
    "'monthly_cost_usd':2000.0,"
    "'mermaid':'flowchart LR\\n'},"
    "'rationale':null,'total':2,"
    "'votes':[{'field':'components[Gateway].technology','winner':'Kong','count':2,'total':3,'options':{'Kong':2,'Envoy':1}},"
    "{'field':'monthly_cost_usd','method':'median','median':2000.0,'count':2,'total':3,'values':[1000.0,3000.0]}],"
    "'consensus':[{'title':'Gateway','support':2,'total':3,'candidates':['c1','c2'],'technology':null}],"
    "'alternatives':[{'title':'Search','technology':'Solr','responsibility':'Finds','support':1,'total':3,'candidates':['c2'],'kind':'component'},"
    "{'title':'Cache','choice':'Redis','rationale':'Fast','support':1,'total':3,'candidates':[],'kind':'decision'},"
    "{'title':'Gateway','technology':'Kong','responsibility':'Routes','kind':'component','support':2,'total':3,'candidates':['c1','c2']}],"
    "'critiques':[],'degraded':false,'note':null}");

  /* linked */
  g_assert_nonnull (c->item.vote);
  g_assert_cmpuint (c->item.support, ==, 2);

  /* and read back the same */
  back = cs_result_new_from_json (CS_MODE_ARCHITECT, node, NULL);
  {
    g_autoptr(JsonNode) again = cs_result_to_json (back);

    assert_same_json (node, again);
  }
}

static void
test_build_support (void)
{
  g_autoptr(CsResult) result = cs_result_new (CS_MODE_SUPPORT);
  g_autoptr(CsChecklist) cl = cs_checklist_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(CsResult) copy = NULL;
  const char *sources[] = { "c1", NULL };
  CsStep *step, *no_effort;
  CsAgreement *a;
  CsAlternative *alt;

  cs_checklist_add_cause (cl, "Disk full", "high");
  step = cs_checklist_add_step (cl, "Check", "Look", "df -h", "Space", "Clean", "none", 5);
  no_effort = cs_checklist_add_step (cl, "Wait", "Sit", "", "Calm", "Cry", "low", -1);
  g_assert_false (no_effort->has_effort);
  cs_checklist_set_escalate_when (cl, "Never");
  cs_result_set_checklist (result, cl);
  a = cs_result_add_agreement (result, "Check", 1, 1, sources);
  cs_agreement_set_effort_minutes (a, 5);
  cs_agreement_set_command (a, "df -h");
  alt = cs_result_add_alternative_from_step (result, step, -1, 1, 1, sources);
  g_assert_cmpint (alt->kind, ==, CS_ALTERNATIVE_STEP);
  g_assert_nonnull (alt->step);
  cs_alternative_set_after_step (alt, 0);
  cs_result_add_critique (result, "c1", "Good", "Slow", 7);
  cs_result_add_critique (result, "c2", "", "", -1);
  cs_result_set_rationale (result, "Why");
  cs_result_set_degraded (result, TRUE);
  cs_result_set_note (result, "Note");
  cs_result_set_judge_model (result, "j/m");
  cs_result_set_total (result, 1);

  node = cs_result_to_json (result);
  assert_json_text (node,
    "{'methods':[],"
    "'data':{'summary':'','likely_causes':[{'cause':'Disk full','likelihood':'high'}],"
    "'steps':[{'title':'Check','action':'Look','command':'df -h','expected':'Space','if_fails':'Clean','risk':'none','effort_minutes':5},"
    "{'title':'Wait','action':'Sit','command':'','expected':'Calm','if_fails':'Cry','risk':'low'}],"
    "'escalate_when':'Never'},"
    "'rationale':'Why','total':1,'votes':[],"
    "'consensus':[{'title':'Check','support':1,'total':1,'candidates':['c1'],'effort_minutes':5,'command':'df -h'}],"
    "'alternatives':[{'title':'Check','action':'Look','command':'df -h','expected':'Space','if_fails':'Clean','risk':'none',"
    "'effort_minutes':5,'after_step':0,'support':1,'total':1,'candidates':['c1']}],"
    "'critiques':[{'candidate':'c1','strengths':'Good','weaknesses':'Slow','score':7},"
    "{'candidate':'c2','strengths':'','weaknesses':'','score':null}],"
    "'degraded':true,'note':'Note','judge_model':'j/m'}");

  copy = cs_result_copy (result);
  cs_result_clear_alternatives (copy);
  cs_result_add_alternative_copy (copy, alt);
  cs_result_link_items (result);
  g_assert_cmpuint (step->item.support, ==, 1);
  {
    g_autoptr(JsonNode) again = cs_result_to_json (copy);

    assert_same_json (node, again);
  }
  cs_result_set_methods (copy, NULL);
  cs_result_clear_votes (copy);
  cs_result_clear_consensus (copy);
  cs_result_clear_critiques (copy);
  g_assert_cmpuint (cs_result_get_consensus (copy)->len, ==, 0);
  g_assert_cmpuint (((CsStep *)g_ptr_array_index (cs_checklist_get_steps (cs_result_get_checklist (copy)), 0))->item.support, ==, 0);
}

/* ------------------------------------------------------------------------ */
/* Hostile input                                                            */
/* ------------------------------------------------------------------------ */

static JsonNode *
deep_array (guint depth)
{
  JsonNode *node = json_node_init_string (json_node_alloc (), "bottom");

  for (guint i = 0; i < depth; i++)
    {
      JsonArray *array = json_array_new ();

      json_array_add_element (array, node);
      node = json_node_init_array (json_node_alloc (), array);
      json_array_unref (array);
    }
  return node;
}

static void
test_hostile (void)
{
  static const char * const synthesis[] = {
    "{}",
    "{'methods':'judge','data':[],'votes':{},'consensus':7,'alternatives':null,'critiques':[1,'x',null]}",
    "{'methods':[1,null,'judge'],'total':-4,'degraded':'yes','note':5,'rationale':[],'judge_model':{}}",
    "{'data':{'components':{'name':'x'},'steps':'s','summary':7,'monthly_cost_usd':'1000','mermaid':null}}",
    "{'data':{'components':[1,'a',null,[],{'name':5,'technology':null,'extra':{'deep':[1]}}],'data_stores':[{'primary':'yes'}]}}",
    "{'data':{'steps':[{'title':['t'],'effort_minutes':'5'},{'effort_minutes':1e300},{'effort_minutes':-9e18}]}}",
    "{'votes':[{'field':7,'options':{'a':'x','b':-3,'c':2.5},'values':[1,'x',null]},{'median':'m'}],"
    " 'consensus':[{'title':null,'support':-1,'total':1e30,'candidates':[1,'c1',null]}]}",
    "{'alternatives':[{'kind':5,'after_step':'x'},{'kind':'decision','after_step':1e99},{'kind':'step'}],"
    " 'critiques':[{'candidate':null,'score':'ten'},{'score':11.7}]}",
  };
  /* invalid UTF-8 in a string, and a member name that is not UTF-8 */
  static const char bad_utf8[] =
    "{\"data\":{\"summary\":\"\xff\xfe\",\"components\":[{\"name\":\"ok\",\"technology\":\"\xc3\x28\"}]},"
    "\"votes\":[{\"field\":\"components[ok].technology\",\"options\":{\"\xff\":1,\"good\":2}}]}";

  for (guint m = 0; m < 2; m++)
    {
      CsMode mode = m == 0 ? CS_MODE_ARCHITECT : CS_MODE_SUPPORT;

      for (guint i = 0; i < G_N_ELEMENTS (synthesis); i++)
        {
          g_autoptr(JsonNode) node = parse (synthesis[i]);
          g_autoptr(CsResult) result = cs_result_new_from_json (mode, node, NULL);
          g_autoptr(JsonNode) back = NULL;
          g_autoptr(CsResult) again = NULL;
          g_autoptr(JsonNode) back2 = NULL;

          g_assert_nonnull (result);
          back = cs_result_to_json (result);
          g_assert_true (JSON_NODE_HOLDS_OBJECT (back));
          /* what it writes, it reads back the same */
          again = cs_result_new_from_json (mode, back, NULL);
          back2 = cs_result_to_json (again);
          assert_same_json (back, back2);
          g_assert_nonnull (cs_result_get_methods (result));
        }
    }

  {
    g_autoptr(JsonParser) parser = json_parser_new ();
    g_autoptr(CsResult) result = NULL;
    g_autoptr(JsonNode) back = NULL;
    CsBlueprint *bp;
    CsComponent *c;
    CsVoteRecord *vote;

    /* json-glib keeps invalid UTF-8 as it is */
    if (json_parser_load_from_data (parser, bad_utf8, -1, NULL))
      {
        result = cs_result_new_from_json (CS_MODE_ARCHITECT, json_parser_get_root (parser), NULL);
        bp = cs_result_get_blueprint (result);
        g_assert_null (cs_blueprint_get_summary (bp));
        c = g_ptr_array_index (cs_blueprint_get_components (bp), 0);
        g_assert_cmpstr (c->name, ==, "ok");
        g_assert_null (c->technology);
        vote = c->item.vote;
        g_assert_nonnull (vote);
        g_assert_cmpuint (vote->options->len, ==, 1);
        back = cs_result_to_json (result);
        g_assert_nonnull (back);
      }
  }

  /* wrong-typed members read as absent */
  {
    g_autoptr(JsonNode) node = parse (synthesis[3]);
    g_autoptr(CsResult) result = cs_result_new_from_json (CS_MODE_ARCHITECT, node, NULL);
    CsBlueprint *bp = cs_result_get_blueprint (result);

    g_assert_cmpuint (cs_blueprint_get_components (bp)->len, ==, 0);
    g_assert_null (cs_blueprint_get_summary (bp));
    g_assert_false (cs_blueprint_get_monthly_cost (bp, NULL));
    g_assert_null (cs_blueprint_get_mermaid (bp));
  }
  {
    g_autoptr(JsonNode) node = parse (synthesis[5]);
    g_autoptr(CsResult) result = cs_result_new_from_json (CS_MODE_SUPPORT, node, NULL);
    GPtrArray *steps = cs_checklist_get_steps (cs_result_get_checklist (result));

    g_assert_cmpuint (steps->len, ==, 3);
    g_assert_null (((CsStep *)g_ptr_array_index (steps, 0))->title);
    g_assert_false (((CsStep *)g_ptr_array_index (steps, 0))->has_effort);
    g_assert_cmpint (((CsStep *)g_ptr_array_index (steps, 1))->effort_minutes, ==, G_MAXINT);
    g_assert_cmpint (((CsStep *)g_ptr_array_index (steps, 2))->effort_minutes, ==, G_MININT);
  }

  /* deep nesting where a list or a string belongs */
  {
    g_autoptr(JsonNode) node = parse ("{'data':{'components':[],'summary':''},'votes':[]}");
    JsonObject *data = json_object_get_object_member (json_node_get_object (node), "data");
    g_autoptr(CsResult) result = NULL;

    json_object_set_member (data, "components", deep_array (10000));
    json_object_set_member (data, "summary", deep_array (100));
    json_object_set_member (json_node_get_object (node), "votes", deep_array (10000));
    result = cs_result_new_from_json (CS_MODE_ARCHITECT, node, NULL);
    g_assert_cmpuint (cs_blueprint_get_components (cs_result_get_blueprint (result))->len, ==, 0);
    g_assert_cmpuint (cs_result_get_votes (result)->len, ==, 0);
  }

  /* not an object at all */
  {
    g_autoptr(JsonNode) node = parse ("[1,2]");
    g_autoptr(GError) error = NULL;

    g_assert_null (cs_result_new_from_json (CS_MODE_SUPPORT, node, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    g_clear_error (&error);
    g_assert_null (cs_blueprint_new_from_json (node, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    g_clear_error (&error);
    g_assert_null (cs_checklist_new_from_json (NULL, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  }
}

/* ------------------------------------------------------------------------ */
/* The run and the candidate                                                */
/* ------------------------------------------------------------------------ */

static void
test_run_and_candidate (void)
{
  g_autoptr(GPtrArray) candidates = reply_candidates (CS_MODE_SUPPORT);
  g_autoptr(JsonNode) fused = cs_synthesis_fuse (CS_MODE_SUPPORT, candidates, NULL);
  g_autoptr(JsonNode) degraded = cs_synthesis_mark_degraded (fused, "n");
  g_autoptr(CsRun) run = cs_run_new (CS_MODE_SUPPORT, "Why?");
  CsCandidate *candidate = g_ptr_array_index (candidates, 0);
  CsResult *result;
  CsChecklist *cl;
  g_autoptr(JsonNode) other = NULL;

  g_assert_null (cs_run_get_result (run));
  cs_run_set_synthesis (run, fused);
  result = cs_run_get_result (run);
  g_assert_nonnull (result);
  g_assert_true (cs_run_get_result (run) == result);
  g_assert_false (cs_result_is_degraded (result));
  cs_run_set_synthesis (run, degraded);
  result = cs_run_get_result (run);
  g_assert_true (cs_result_is_degraded (result));
  cs_run_set_synthesis (run, NULL);
  g_assert_null (cs_run_get_result (run));

  cl = cs_candidate_get_checklist (candidate);
  g_assert_nonnull (cl);
  g_assert_true (cs_candidate_get_checklist (candidate) == cl);
  g_assert_cmpuint (cs_checklist_get_steps (cl)->len, >, 0);
  other = load_reply (CS_MODE_SUPPORT, "support-2.json");
  cs_candidate_set_data (candidate, other);
  cl = cs_candidate_get_checklist (candidate);
  g_assert_cmpstr (cs_checklist_get_summary (cl), ==,
                   json_object_get_string_member (json_node_get_object (other), "summary"));
  g_assert_nonnull (cs_candidate_get_blueprint (candidate));
  cs_candidate_set_data (candidate, NULL);
  g_assert_null (cs_candidate_get_checklist (candidate));
  g_assert_null (cs_candidate_get_blueprint (candidate));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/result/candidate-answers", test_candidate_answers);
  g_test_add_func ("/result/fused", test_fused);
  g_test_add_func ("/result/links", test_links);
  g_test_add_func ("/result/judged", test_judged);
  g_test_add_func ("/result/judged-architect", test_judged_architect);
  g_test_add_func ("/result/build-architect", test_build_architect);
  g_test_add_func ("/result/build-support", test_build_support);
  g_test_add_func ("/result/hostile", test_hostile);
  g_test_add_func ("/result/run-and-candidate", test_run_and_candidate);

  return g_test_run ();
}
