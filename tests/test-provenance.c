/* test-provenance.c: which candidates proposed each item of a result, and
 * what the judge did to it
 *
 * Whole runs against the in-process test provider over HTTP (its candidates
 * agree on most items and differ on some): every item's sources, in the
 * JSON and in the Markdown, are the candidates whose answers had the item.
 * A hand-made judge verdict: items kept, changed and added.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "cs-consensus.h"
#include "cs-engine.h"
#include "cs-export-private.h"
#include "cs-json-util.h"
#include "cs-judge-origin.h"
#include "cs-similarity.h"
#include "cs-synthesis.h"
#include "cs-test-provider.h"
#include "synthesis-fixtures.h"

static CsTestProvider *provider;

static JsonNode *
parse (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_parser_steal_root (parser);
}

/* ------------------------------------------------------------------------ */
/* A run over HTTP                                                          */
/* ------------------------------------------------------------------------ */

static CsConfig *
make_config (void)
{
  g_autofree char *base = cs_test_provider_dup_base_url (provider);
  g_autofree char *text = g_strdup_printf ("[provider demo]\n"
                                           "base-url=%s\n"
                                           "api=openai-chat\n"
                                           "models=demo-alpha;demo-beta;demo-gamma;demo-judge\n"
                                           "max-concurrent=8\n"
                                           "requests-per-minute=0\n", base);
  g_autoptr(GError) error = NULL;
  CsConfig *config = cs_config_new_from_data (text, "test-provenance.ini", &error);

  g_assert_no_error (error);
  return config;
}

static void
execute_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (cs_runner_execute_finish (CS_RUNNER (object), result, &error));
  g_assert_no_error (error);
  *done = TRUE;
}

static CsRun *
run_models (CsMode      mode,
            const char *judge)
{
  g_autoptr(CsConfig) config = make_config ();
  g_autoptr(CsRun) run = cs_run_new (mode, mode == CS_MODE_ARCHITECT
                                     ? "Design a photo sharing service with search for 1M users"
                                     : "nginx returns 502 Bad Gateway after an upgrade");
  const char *spec[] = { "demo/demo-alpha", "demo/demo-beta", "demo/demo-gamma", NULL };
  g_autoptr(CsRunner) runner = NULL;
  g_autoptr(GError) error = NULL;
  gint64 end = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;
  gboolean done = FALSE;

  cs_run_set_judge (run, judge);
  runner = cs_runner_new (config, run);
  g_assert_true (cs_runner_plan (runner, spec, &error));
  g_assert_no_error (error);
  cs_runner_execute_async (runner, NULL, execute_cb, &done);
  while (!done)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      g_main_context_iteration (NULL, TRUE);
    }
  g_assert_cmpint (cs_run_get_state (run), ==, CS_RUN_DONE);
  return g_steal_pointer (&run);
}

/* The clustering's kind of a list. */
static CsItemKind
kind_of (CsItemList list)
{
  static const CsItemKind kinds[] = {
    [CS_LIST_COMPONENTS] = CS_ITEM_COMPONENT, [CS_LIST_DATA_STORES] = CS_ITEM_DATA_STORE,
    [CS_LIST_APIS] = CS_ITEM_API, [CS_LIST_DECISIONS] = CS_ITEM_DECISION,
    [CS_LIST_TRADE_OFFS] = CS_ITEM_TEXT, [CS_LIST_RISKS] = CS_ITEM_RISK,
    [CS_LIST_CAUSES] = CS_ITEM_CAUSE, [CS_LIST_STEPS] = CS_ITEM_STEP,
  };

  return kinds[list];
}

/* Candidate @c's answer as a result holding its data (to walk its lists). */
static CsResult *
answer_of (CsCandidate *c,
           CsMode       mode)
{
  CsResult *answer = cs_result_new (mode);

  if (mode == CS_MODE_ARCHITECT)
    cs_result_set_blueprint (answer, cs_candidate_get_blueprint (c));
  else
    cs_result_set_checklist (answer, cs_candidate_get_checklist (c));
  return answer;
}

/* Whether @list of @answer has an item like @item: its title the same
 * (case ignored), or at least related by the clustering's similarity. */
static gboolean
answer_has (CsResult      *answer,
            CsItemList     list,
            gconstpointer  item,
            gboolean       same_title_only)
{
  GPtrArray *items = cs_result_get_list (answer, list);
  const char *title = cs_consensus_item_title (kind_of (list), item);

  for (guint i = 0; items != NULL && i < items->len; i++)
    {
      gconstpointer other = g_ptr_array_index (items, i);
      const char *other_title = cs_consensus_item_title (kind_of (list), other);

      if (title != NULL && other_title != NULL && g_ascii_strcasecmp (title, other_title) == 0)
        return TRUE;
      if (!same_title_only &&
          cs_consensus_item_similarity (kind_of (list), item, other) >= CS_SIMILARITY_RELATED_THRESHOLD)
        return TRUE;
    }
  return FALSE;
}

static gboolean
strv_has (const char * const *strv,
          const char         *s)
{
  return strv != NULL && g_strv_contains (strv, s);
}

/* The ids of @array (of strings), joined with ", ". */
static char *
join_ids (JsonArray *array)
{
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (array); i++)
    g_string_append_printf (s, "%s%s", i > 0 ? ", " : "", json_array_get_string_element (array, i));
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* Each item's sources: valid candidates, each of whose answers has the item
 * (related at least); a candidate left out has no item of that title; in
 * the JSON contract each item object carries the same "sources", and the
 * Markdown writes them after the item. Returns how many items had sources. */
static guint
check_sources (CsRun *run)
{
  CsMode mode = cs_run_get_mode (run);
  CsResult *result = cs_run_get_result (run);
  g_autofree char *json = cs_export_json (run);
  g_autofree char *markdown = cs_export_markdown (run);
  g_autoptr(JsonNode) root = parse (json);
  JsonObject *data = cs_json_get_object (cs_json_get_object (json_node_get_object (root), "synthesis"), "data");
  guint n = g_list_model_get_n_items (G_LIST_MODEL (run));
  guint checked = 0;

  g_assert_true (cs_result_has_origins (result));
  for (CsItemList l = 0; l < CS_N_LISTS; l++)
    {
      GPtrArray *items = cs_result_get_list (result, l);
      JsonArray *json_items = cs_json_get_array (data, cs_item_list_name (l));

      if (items == NULL || l == CS_LIST_CONNECTIONS)
        continue;
      g_assert_nonnull (json_items);
      for (guint i = 0; i < items->len; i++)
        {
          CsItem *item = g_ptr_array_index (items, i);
          const char * const *sources = (const char * const *)item->origin.sources;
          g_autoptr(GString) line = g_string_new (NULL);
          g_autofree char *ids = NULL;

          g_assert_nonnull (sources);
          g_assert_cmpuint (g_strv_length ((GStrv)sources), >, 0);
          for (guint c = 0; c < n; c++)
            {
              g_autoptr(CsCandidate) candidate = g_list_model_get_item (G_LIST_MODEL (run), c);
              g_autoptr(CsResult) answer = answer_of (candidate, mode);
              const char *id = cs_candidate_get_id (candidate);

              if (strv_has (sources, id))
                g_assert_true (answer_has (answer, l, item, FALSE));
              else
                g_assert_false (answer_has (answer, l, item, TRUE));
            }
          /* the JSON: the same ids in the item (a trade-off: in provenance) */
          if (l != CS_LIST_TRADE_OFFS)
            {
              JsonObject *json_item = json_array_get_object_element (json_items, i);
              JsonArray *json_sources = json_object_get_array_member (json_item, "sources");

              g_assert_cmpuint (json_array_get_length (json_sources), ==, g_strv_length ((GStrv)sources));
              for (guint s = 0; sources[s] != NULL; s++)
                g_assert_cmpstr (json_array_get_string_element (json_sources, s), ==, sources[s]);
              g_assert_true (json_object_has_member (json_item, "judge"));
              ids = join_ids (json_sources);
            }
          else
            ids = g_strjoinv (", ", (GStrv)sources);
          /* the Markdown: the ids right after the item's title or text */
          cs_export_append_inline (line, cs_consensus_item_title (kind_of (l), item));
          if (l == CS_LIST_COMPONENTS)
            g_string_append_printf (line, " (%s) |", ids);
          g_assert_nonnull (strstr (markdown, line->str));
          g_string_printf (line, "(%s", ids);
          g_assert_nonnull (strstr (markdown, line->str));
          checked++;
        }
    }
  return checked;
}

static void
test_run_sources (gconstpointer data)
{
  CsMode mode = GPOINTER_TO_INT (data);
  g_autoptr(CsRun) run = run_models (mode, NULL);
  CsResult *result = cs_run_get_result (run);
  g_autofree char *markdown = cs_export_markdown (run);
  const CsOrigin *summary = cs_result_get_summary_origin (result);
  gboolean differ = FALSE;
  GPtrArray *items;

  g_assert_cmpuint (check_sources (run), >, 3);
  /* the candidates differ on some items: not every item has all three */
  items = cs_result_get_list (result, mode == CS_MODE_ARCHITECT ? CS_LIST_COMPONENTS : CS_LIST_STEPS);
  for (guint i = 0; i < items->len; i++)
    differ |= g_strv_length (((CsItem *)g_ptr_array_index (items, i))->origin.sources) < 3;
  for (guint i = 0; i < cs_result_get_alternatives (result)->len; i++)
    differ = TRUE;
  g_assert_true (differ);
  /* the summary is the lead candidate's, no judge */
  g_assert_cmpuint (g_strv_length (summary->sources), ==, 1);
  g_assert_cmpint (summary->judge, ==, CS_JUDGE_NONE);
  /* the legend: every candidate's id, model and angle */
  g_assert_nonnull (strstr (markdown, "- c1: demo-alpha, angle: "));
  g_assert_nonnull (strstr (markdown, "- c3: demo-gamma, angle: "));
  g_assert_null (strstr (markdown, "; judge: "));
  g_assert_null (strstr (markdown, "(judge: "));
}

/* With a judge: each item kept, changed or added; the JSON says which, and
 * a run saved and loaded again keeps it all. */
static void
test_run_judged (void)
{
  g_autoptr(CsRun) run = run_models (CS_MODE_SUPPORT, "demo/demo-judge");
  CsResult *result = cs_run_get_result (run);
  g_autofree char *json = cs_export_json (run);
  g_autoptr(JsonNode) root = parse (json);
  JsonObject *synthesis = cs_json_get_object (json_node_get_object (root), "synthesis");
  JsonArray *steps = cs_json_get_array (cs_json_get_object (synthesis, "data"), "steps");
  g_autoptr(CsResult) again = cs_result_new_from_json (CS_MODE_SUPPORT, cs_run_get_synthesis (run), NULL);

  g_assert_true (cs_result_has_method (result, CS_METHOD_JUDGE));
  g_assert_cmpuint (json_array_get_length (steps), >, 0);
  for (guint i = 0; i < json_array_get_length (steps); i++)
    {
      JsonObject *step = json_array_get_object_element (steps, i);
      const char *judge = json_object_get_string_member (step, "judge");
      CsStep *loaded = g_ptr_array_index (cs_checklist_get_steps (cs_result_get_checklist (again)), i);

      g_assert_true (g_strcmp0 (judge, "kept") == 0 || g_strcmp0 (judge, "changed") == 0 ||
                     g_strcmp0 (judge, "added") == 0);
      g_assert_cmpstr (cs_judge_mark_to_string (loaded->item.origin.judge), ==, judge);
      /* kept or changed: some candidate proposed it */
      if (g_strcmp0 (judge, "added") != 0)
        g_assert_cmpuint (json_array_get_length (json_object_get_array_member (step, "sources")), >, 0);
    }
  g_assert_nonnull (json_object_get_object_member (json_object_get_object_member (synthesis, "provenance"),
                                                   "summary"));
}

/* ------------------------------------------------------------------------ */
/* A hand-made verdict                                                      */
/* ------------------------------------------------------------------------ */

static GPtrArray *
fixture_candidates (void)
{
  const char *answers[] = { architect_a, architect_b, architect_c };
  GPtrArray *candidates = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *id = g_strdup_printf ("c%u", i + 1);
      g_autofree char *text = g_strdelimit (g_strdup (answers[i]), "'", '"');
      g_autoptr(JsonNode) data = parse (text);
      CsCandidate *candidate = cs_candidate_new (id, "test/model", NULL);

      cs_candidate_set_data (candidate, data);
      cs_candidate_set_status (candidate, CS_CANDIDATE_OK);
      g_ptr_array_add (candidates, candidate);
    }
  return candidates;
}

static JsonObject *
element (JsonObject *data,
         const char *list,
         guint       i)
{
  return json_array_get_object_element (json_object_get_array_member (data, list), i);
}

static const CsOrigin *
origin_at (CsResult   *result,
           CsItemList  list,
           guint       i)
{
  return &((CsItem *)g_ptr_array_index (cs_result_get_list (result, list), i))->origin;
}

static void
test_judge_marks (void)
{
  g_autoptr(GPtrArray) candidates = fixture_candidates ();
  g_autoptr(JsonNode) fused = cs_synthesis_fuse (CS_MODE_ARCHITECT, candidates, NULL);
  g_autoptr(CsResult) merge = cs_result_new_from_json (CS_MODE_ARCHITECT, fused, NULL);
  JsonNode *data = cs_json_deep_copy (json_object_get_member (json_node_get_object (fused), "data"));
  JsonObject *d = json_node_get_object (data);
  JsonObject *reply = json_object_new ();
  g_autoptr(JsonNode) reply_node = NULL;
  g_autoptr(JsonNode) judged = NULL;
  g_autoptr(JsonNode) contract = NULL;
  g_autoptr(CsResult) result = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *added = json_object_new ();
  const CsOrigin *o;

  /* component 0 as the merge had it; component 1 rewritten; one new;
   * the first risk's mitigation changed; a trade-off of the judge's own */
  json_object_set_string_member (element (d, "components", 1), "responsibility", "Takes and tracks orders");
  json_object_set_string_member (added, "name", "Audit log");
  json_object_set_string_member (added, "responsibility", "Keeps who changed what, for compliance");
  json_object_set_string_member (added, "technology", "Kafka");
  json_object_set_string_member (added, "scaling", "Partitions");
  json_array_add_object_element (json_object_get_array_member (d, "components"), added);
  json_object_set_string_member (element (d, "risks", 0), "mitigation", "Partition the orders table by month");
  json_array_add_string_element (json_object_get_array_member (d, "trade_offs"),
                                 "Quarterly disaster-recovery drills cost a day of work");
  json_object_set_array_member (reply, "critiques", json_array_new ());
  json_object_set_string_member (reply, "rationale", "Kept the gateway, sharpened the order service.");
  json_object_set_member (reply, "result", data);
  reply_node = json_node_init_object (json_node_alloc (), reply);
  json_object_unref (reply);

  judged = cs_synthesis_apply_judge (CS_MODE_ARCHITECT, fused, reply_node, "demo/demo-judge", &error);
  g_assert_no_error (error);
  result = cs_result_new_from_json (CS_MODE_ARCHITECT, judged, NULL);
  g_assert_true (cs_result_has_origins (result));

  o = origin_at (result, CS_LIST_COMPONENTS, 0);
  g_assert_cmpint (o->judge, ==, CS_JUDGE_KEPT);
  g_assert_cmpstrv (o->sources, origin_at (merge, CS_LIST_COMPONENTS, 0)->sources);
  o = origin_at (result, CS_LIST_COMPONENTS, 1);
  g_assert_cmpint (o->judge, ==, CS_JUDGE_CHANGED);
  g_assert_cmpstrv (o->sources, origin_at (merge, CS_LIST_COMPONENTS, 1)->sources);
  o = origin_at (result, CS_LIST_COMPONENTS, cs_result_get_list (result, CS_LIST_COMPONENTS)->len - 1);
  g_assert_cmpint (o->judge, ==, CS_JUDGE_ADDED);
  g_assert_cmpuint (g_strv_length (o->sources), ==, 0);
  g_assert_cmpint (origin_at (result, CS_LIST_DATA_STORES, 0)->judge, ==, CS_JUDGE_KEPT);
  g_assert_cmpint (origin_at (result, CS_LIST_RISKS, 0)->judge, ==, CS_JUDGE_CHANGED);
  g_assert_cmpstrv (origin_at (result, CS_LIST_RISKS, 0)->sources, origin_at (merge, CS_LIST_RISKS, 0)->sources);
  g_assert_cmpint (origin_at (result, CS_LIST_TRADE_OFFS, 0)->judge, ==, CS_JUDGE_KEPT);
  o = origin_at (result, CS_LIST_TRADE_OFFS, cs_result_get_list (result, CS_LIST_TRADE_OFFS)->len - 1);
  g_assert_cmpint (o->judge, ==, CS_JUDGE_ADDED);
  /* the summary as the merge had it, from the lead candidate */
  g_assert_cmpint (cs_result_get_summary_origin (result)->judge, ==, CS_JUDGE_KEPT);
  g_assert_cmpstrv (cs_result_get_summary_origin (result)->sources, cs_result_get_summary_origin (merge)->sources);

  /* the CLI's JSON: a judge member on each item object */
  contract = cs_result_json_complete (judged);
  d = cs_json_get_object (json_node_get_object (contract), "data");
  g_assert_cmpstr (json_object_get_string_member (element (d, "components", 0), "judge"), ==, "kept");
  g_assert_cmpstr (json_object_get_string_member (element (d, "components", 1), "judge"), ==, "changed");
  g_assert_cmpstr (json_object_get_string_member (element (d, "components", 2), "judge"), ==, "added");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (element (d, "components", 2), "sources")), ==, 0);
  /* the run file's data stays the mode's schema object */
  g_assert_false (json_object_has_member (element (json_object_get_object_member (json_node_get_object (judged), "data"),
                                                   "components", 0), "sources"));
}

/* Connections match by their two ends; past 100 items a list's origins
 * are left unknown rather than compared on the main loop. */
static void
test_judge_marks_limits (void)
{
  g_autoptr(CsResult) fused = cs_result_new (CS_MODE_ARCHITECT);
  g_autoptr(CsResult) judged = cs_result_new (CS_MODE_ARCHITECT);
  g_autoptr(CsBlueprint) a = cs_blueprint_new ();
  g_autoptr(CsBlueprint) b = cs_blueprint_new ();
  const char *ab[] = { "c1", "c2", NULL };
  CsConnection *conn;
  GPtrArray *risks;

  conn = cs_blueprint_add_connection (a, "Gateway", "Orders", "HTTP");
  cs_origin_set_sources (&conn->item.origin, ab);
  for (guint i = 0; i < 120; i++)
    {
      g_autofree char *risk = g_strdup_printf ("Queue %u fills up when traffic spikes", i);
      CsRisk *r = cs_blueprint_add_risk (a, risk, "Scale out");

      cs_origin_set_sources (&r->item.origin, ab);
      cs_blueprint_add_risk (b, risk, "Scale out");
    }
  cs_blueprint_add_connection (b, "gateway", "orders", "gRPC");
  cs_blueprint_add_connection (b, "Orders", "Gateway", "callbacks");
  cs_result_set_blueprint (fused, a);
  cs_result_set_blueprint (judged, b);

  cs_judge_mark_origins (fused, judged);
  g_assert_true (cs_result_has_origins (judged));
  g_assert_cmpint (origin_at (judged, CS_LIST_CONNECTIONS, 0)->judge, ==, CS_JUDGE_CHANGED);
  g_assert_cmpstrv (origin_at (judged, CS_LIST_CONNECTIONS, 0)->sources, ab);
  g_assert_cmpint (origin_at (judged, CS_LIST_CONNECTIONS, 1)->judge, ==, CS_JUDGE_ADDED);
  risks = cs_result_get_list (judged, CS_LIST_RISKS);
  g_assert_cmpuint (risks->len, ==, 120);
  g_assert_cmpint (origin_at (judged, CS_LIST_RISKS, 0)->judge, ==, CS_JUDGE_KEPT);
  g_assert_cmpint (origin_at (judged, CS_LIST_RISKS, 99)->judge, ==, CS_JUDGE_KEPT);
  g_assert_cmpstrv (origin_at (judged, CS_LIST_RISKS, 99)->sources, ab);
  g_assert_cmpint (origin_at (judged, CS_LIST_RISKS, 100)->judge, ==, CS_JUDGE_NONE);
  g_assert_null (origin_at (judged, CS_LIST_RISKS, 119)->sources);
}

/* A synthesis saved before provenance was recorded: loads, the components'
 * sources from the consensus entries, nothing else claimed; written back
 * the same. */
static void
test_old_result (void)
{
  g_autoptr(GPtrArray) candidates = fixture_candidates ();
  g_autoptr(JsonNode) fused = cs_synthesis_fuse (CS_MODE_ARCHITECT, candidates, NULL);
  g_autoptr(JsonNode) old = cs_json_deep_copy (fused);
  g_autoptr(CsResult) result = NULL;
  g_autoptr(JsonNode) back = NULL;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  json_object_remove_member (json_node_get_object (old), "provenance");
  result = cs_result_new_from_json (CS_MODE_ARCHITECT, old, NULL);
  g_assert_false (cs_result_has_origins (result));
  g_assert_nonnull (origin_at (result, CS_LIST_COMPONENTS, 0)->sources);
  g_assert_null (origin_at (result, CS_LIST_RISKS, 0)->sources);
  back = cs_result_to_json (result);
  a = cs_json_to_string (old, FALSE);
  b = cs_json_to_string (back, FALSE);
  g_assert_cmpstr (a, ==, b);
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  provider = cs_test_provider_new ();
  g_assert_true (cs_test_provider_start (provider, 0, &error));
  g_assert_no_error (error);

  g_test_add_data_func ("/provenance/run/architect", GINT_TO_POINTER (CS_MODE_ARCHITECT), test_run_sources);
  g_test_add_data_func ("/provenance/run/support", GINT_TO_POINTER (CS_MODE_SUPPORT), test_run_sources);
  g_test_add_func ("/provenance/run/judged", test_run_judged);
  g_test_add_func ("/provenance/judge-marks", test_judge_marks);
  g_test_add_func ("/provenance/judge-marks-limits", test_judge_marks_limits);
  g_test_add_func ("/provenance/old-result", test_old_result);

  ret = g_test_run ();
  g_clear_object (&provider);
  return ret;
}
