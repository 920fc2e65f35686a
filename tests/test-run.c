/* test-run.c: CsRun and CsCandidate: state, list model, JSON round trip
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include "cs-json-util.h"
#include "cs-run.h"

static JsonNode *
parse (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_ref (json_parser_get_root (parser));
}

static char *
to_string (JsonNode *node)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();

  json_generator_set_root (gen, node);
  return json_generator_to_data (gen, NULL);
}

static CsCandidate *
make_candidate (const char *id)
{
  CsCandidate *c = cs_candidate_new (id, "kimi/kimi-k2", "cost");
  g_autoptr(JsonNode) data = parse ("{\"summary\":\"Use a queue\",\"n\":[1,2.5,true,null]}");

  cs_candidate_set_temperature (c, 0.7);
  cs_candidate_set_reasoning_effort (c, "high");
  cs_candidate_append (c, CS_STREAM_TEXT, "{\"summary\":", -1);
  cs_candidate_append (c, CS_STREAM_TEXT, "\"Use a queue\"}", -1);
  cs_candidate_append (c, CS_STREAM_REASONING, "Think… ünïcode", -1);
  cs_candidate_set_finish_reason (c, "stop");
  cs_candidate_set_data (c, data);
  cs_candidate_set_usage (c, 1200, 340, 100);
  cs_candidate_set_cost_usd (c, 0.0123);
  cs_candidate_set_ttft_ms (c, 250);
  cs_candidate_set_duration_ms (c, 2250);
  cs_candidate_set_attempts (c, 2);
  cs_candidate_set_status (c, CS_CANDIDATE_OK);
  return c;
}

static void
test_candidate_basics (void)
{
  g_autoptr(CsCandidate) c = cs_candidate_new ("c1", "openai/gpt-5", NULL);
  g_autofree char *provider = cs_candidate_dup_provider (c);

  g_assert_cmpstr (provider, ==, "openai");
  g_assert_true (isnan (cs_candidate_get_temperature (c)));
  g_assert_cmpint (cs_candidate_get_status (c), ==, CS_CANDIDATE_QUEUED);
  g_assert_cmpint (cs_candidate_get_input_tokens (c), ==, -1);
  g_assert_cmpint (cs_candidate_get_ttft_ms (c), ==, -1);
  g_assert_cmpstr (cs_candidate_get_text (c), ==, "");

  /* usage adds up over attempts; unknown (-1) does not poison the sum */
  cs_candidate_add_usage (c, 100, -1, -1);
  cs_candidate_add_usage (c, 50, 20, -1);
  g_assert_cmpint (cs_candidate_get_input_tokens (c), ==, 150);
  g_assert_cmpint (cs_candidate_get_output_tokens (c), ==, 20);
  g_assert_cmpint (cs_candidate_get_reasoning_tokens (c), ==, -1);

  /* tokens per second are measured after the first token */
  cs_candidate_set_usage (c, 10, 100, -1);
  cs_candidate_set_ttft_ms (c, 1000);
  cs_candidate_set_duration_ms (c, 3000);
  g_assert_cmpfloat_with_epsilon (cs_candidate_get_tokens_per_second (c), 50.0, 1e-9);

  /* reset clears the stream but keeps the attempts */
  cs_candidate_append (c, CS_STREAM_TEXT, "abc", 2);
  g_assert_cmpstr (cs_candidate_get_text (c), ==, "ab");
  cs_candidate_set_error (c, "boom");
  cs_candidate_set_attempts (c, 3);
  cs_candidate_reset_stream (c);
  g_assert_cmpstr (cs_candidate_get_text (c), ==, "");
  g_assert_null (cs_candidate_get_error (c));
  g_assert_cmpint (cs_candidate_get_ttft_ms (c), ==, -1);
  g_assert_cmpuint (cs_candidate_get_attempts (c), ==, 3);
}

static void
appended_cb (CsCandidate *c,
             int          kind,
             const char  *chunk,
             GString     *log)
{
  g_string_append_printf (log, "%d:%s|", kind, chunk);
}

static void
test_candidate_appended (void)
{
  g_autoptr(CsCandidate) c = cs_candidate_new ("c1", "a/b", NULL);
  g_autoptr(GString) log = g_string_new (NULL);

  g_signal_connect (c, "appended", G_CALLBACK (appended_cb), log);
  cs_candidate_append (c, CS_STREAM_TEXT, "hello world", 5);
  cs_candidate_append (c, CS_STREAM_REASONING, "hmm", -1);
  cs_candidate_append (c, CS_STREAM_REFUSAL, "no", -1);
  cs_candidate_append (c, CS_STREAM_TEXT, "", -1);
  g_assert_cmpstr (log->str, ==, "0:hello|1:hmm|2:no|");
  g_assert_cmpstr (cs_candidate_get_refusal (c), ==, "no");
  g_assert_cmpstr (cs_candidate_get_reasoning (c), ==, "hmm");
}

static void
test_candidate_round_trip (void)
{
  g_autoptr(CsCandidate) c = make_candidate ("c3");
  g_autoptr(CsCandidate) back = NULL;
  g_autoptr(JsonNode) node = cs_candidate_to_json (c);
  g_autoptr(JsonNode) node2 = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *s1 = NULL;
  g_autofree char *s2 = NULL;

  back = cs_candidate_new_from_json (node, &error);
  g_assert_no_error (error);
  g_assert_nonnull (back);
  g_assert_cmpstr (cs_candidate_get_id (back), ==, "c3");
  g_assert_cmpstr (cs_candidate_get_model (back), ==, "kimi/kimi-k2");
  g_assert_cmpstr (cs_candidate_get_angle (back), ==, "cost");
  g_assert_cmpfloat (cs_candidate_get_temperature (back), ==, 0.7);
  g_assert_cmpstr (cs_candidate_get_reasoning_effort (back), ==, "high");
  g_assert_cmpint (cs_candidate_get_status (back), ==, CS_CANDIDATE_OK);
  g_assert_cmpstr (cs_candidate_get_text (back), ==, "{\"summary\":\"Use a queue\"}");
  g_assert_cmpstr (cs_candidate_get_reasoning (back), ==, "Think… ünïcode");
  g_assert_cmpstr (cs_candidate_get_finish_reason (back), ==, "stop");
  g_assert_cmpint (cs_candidate_get_input_tokens (back), ==, 1200);
  g_assert_cmpint (cs_candidate_get_output_tokens (back), ==, 340);
  g_assert_cmpint (cs_candidate_get_reasoning_tokens (back), ==, 100);
  g_assert_cmpfloat_with_epsilon (cs_candidate_get_cost_usd (back), 0.0123, 1e-12);
  g_assert_cmpint (cs_candidate_get_ttft_ms (back), ==, 250);
  g_assert_cmpint (cs_candidate_get_duration_ms (back), ==, 2250);
  g_assert_cmpuint (cs_candidate_get_attempts (back), ==, 2);
  g_assert_nonnull (cs_candidate_get_data (back));
  g_assert_true (json_node_equal (cs_candidate_get_data (back), cs_candidate_get_data (c)));

  /* the second trip gives the same document */
  node2 = cs_candidate_to_json (back);
  s1 = to_string (node);
  s2 = to_string (node2);
  g_assert_cmpstr (s1, ==, s2);
}

static void
test_candidate_nan_temperature (void)
{
  g_autoptr(CsCandidate) c = cs_candidate_new ("c1", "a/b", NULL);
  g_autoptr(JsonNode) node = cs_candidate_to_json (c);
  g_autoptr(CsCandidate) back = cs_candidate_new_from_json (node, NULL);
  JsonObject *obj = json_node_get_object (node);

  g_assert_true (json_node_is_null (json_object_get_member (obj, "temperature")));
  g_assert_true (json_node_is_null (json_object_get_member (obj, "ttft_ms")));
  g_assert_nonnull (back);
  g_assert_true (isnan (cs_candidate_get_temperature (back)));
  g_assert_cmpint (cs_candidate_get_ttft_ms (back), ==, -1);
  g_assert_cmpint (cs_candidate_get_status (back), ==, CS_CANDIDATE_QUEUED);
}

static void
test_candidate_hostile (void)
{
  const char *bad[] = {
    "[]", "3", "null", "\"c1\"", "{}",
    "{\"id\":\"c1\"}",
    "{\"id\":1,\"model\":\"a/b\"}",
    "{\"id\":\"c1\",\"model\":[]}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(JsonNode) node = parse (bad[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(CsCandidate) c = cs_candidate_new_from_json (node, &error);

      g_assert_null (c);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    }

  /* wrong types inside are ignored, an unknown status becomes failed */
  {
    g_autoptr(JsonNode) node =
      parse ("{\"id\":\"c1\",\"model\":\"a/b\",\"status\":\"exploded\",\"text\":42,"
             "\"usage\":[1,2],\"cost_usd\":\"lots\",\"ttft_ms\":-5,\"data\":\"x\","
             "\"temperature\":{},\"attempts\":1e300,\"duration_ms\":1e300}");
    g_autoptr(CsCandidate) c = cs_candidate_new_from_json (node, NULL);

    g_assert_nonnull (c);
    g_assert_cmpint (cs_candidate_get_status (c), ==, CS_CANDIDATE_FAILED);
    g_assert_cmpstr (cs_candidate_get_text (c), ==, "");
    g_assert_cmpint (cs_candidate_get_input_tokens (c), ==, -1);
    g_assert_cmpfloat (cs_candidate_get_cost_usd (c), ==, 0);
    g_assert_cmpint (cs_candidate_get_ttft_ms (c), ==, -1);
    g_assert_cmpint (cs_candidate_get_duration_ms (c), ==, -1);
    g_assert_null (cs_candidate_get_data (c));
    g_assert_true (isnan (cs_candidate_get_temperature (c)));
  }
}

typedef struct {
  guint position, removed, added;
  guint n_calls;
  guint n_changed;
} ItemsLog;

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  ItemsLog   *log)
{
  log->position = position;
  log->removed = removed;
  log->added = added;
  log->n_calls++;
}

static void
changed_cb (CsRun    *run,
            ItemsLog *log)
{
  log->n_changed++;
}

static void
test_run_list_model (void)
{
  g_autoptr(CsRun) run = cs_run_new (CS_MODE_SUPPORT, "The disk is full");
  ItemsLog log = { 0 };

  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (run)) == CS_TYPE_CANDIDATE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (run)), ==, 0);
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (run), 0));

  g_signal_connect (run, "items-changed", G_CALLBACK (items_changed_cb), &log);
  g_signal_connect (run, "changed", G_CALLBACK (changed_cb), &log);

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *id = g_strdup_printf ("c%u", i + 1);
      g_autoptr(CsCandidate) c = cs_candidate_new (id, "a/b", NULL);

      cs_run_add_candidate (run, c);
      g_assert_cmpuint (log.position, ==, i);
      g_assert_cmpuint (log.removed, ==, 0);
      g_assert_cmpuint (log.added, ==, 1);
    }
  g_assert_cmpuint (log.n_calls, ==, 3);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (run)), ==, 3);

  {
    g_autoptr(CsCandidate) second = g_list_model_get_item (G_LIST_MODEL (run), 1);
    g_assert_cmpstr (cs_candidate_get_id (second), ==, "c2");
    g_assert_true (cs_run_find_candidate (run, "c2") == second);
    g_assert_null (cs_run_find_candidate (run, "c9"));

    /* a status change is worth saving; a streamed chunk is not */
    log.n_changed = 0;
    cs_candidate_append (second, CS_STREAM_TEXT, "abc", -1);
    g_assert_cmpuint (log.n_changed, ==, 0);
    cs_candidate_set_status (second, CS_CANDIDATE_OK);
    g_assert_cmpuint (log.n_changed, ==, 1);
  }

  g_assert_cmpuint (cs_run_count_status (run, CS_CANDIDATE_OK), ==, 1);
  g_assert_cmpuint (cs_run_count_status (run, CS_CANDIDATE_QUEUED), ==, 2);
  g_assert_false (cs_run_all_final (run));
  cs_candidate_set_status (cs_run_find_candidate (run, "c1"), CS_CANDIDATE_FAILED);
  cs_candidate_set_status (cs_run_find_candidate (run, "c3"), CS_CANDIDATE_CANCELLED);
  g_assert_true (cs_run_all_final (run));
}

static void
test_run_constraints (void)
{
  g_autoptr(CsRun) run = cs_run_new (CS_MODE_ARCHITECT, "x");
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(CsRun) back = NULL;
  const char * const *keys;

  cs_run_set_constraint (run, "scale", "1M users");
  cs_run_set_constraint (run, "budget", "500 USD/month");
  cs_run_set_constraint (run, "zeta", "z");
  cs_run_set_constraint (run, "alpha", "a");
  cs_run_set_constraint (run, "budget", "600 USD/month"); /* keeps its place */
  cs_run_set_constraint (run, "zeta", NULL);              /* removes */
  cs_run_set_constraint (run, "alpha", "");               /* removes */
  cs_run_set_constraint (run, "hosting", "EU");

  keys = cs_run_get_constraint_keys (run);
  g_assert_cmpuint (g_strv_length ((char **)keys), ==, 3);
  g_assert_cmpstr (keys[0], ==, "scale");
  g_assert_cmpstr (keys[1], ==, "budget");
  g_assert_cmpstr (keys[2], ==, "hosting");
  g_assert_null (keys[3]);
  g_assert_cmpstr (cs_run_get_constraint (run, "budget"), ==, "600 USD/month");
  g_assert_null (cs_run_get_constraint (run, "zeta"));

  /* the order survives the file */
  node = cs_run_to_json (run);
  back = cs_run_new_from_json (node, NULL);
  g_assert_nonnull (back);
  keys = cs_run_get_constraint_keys (back);
  g_assert_cmpuint (g_strv_length ((char **)keys), ==, 3);
  g_assert_cmpstr (keys[0], ==, "scale");
  g_assert_cmpstr (keys[1], ==, "budget");
  g_assert_cmpstr (keys[2], ==, "hosting");
  g_assert_cmpstr (cs_run_get_constraint (back, "hosting"), ==, "EU");
}

static void
test_run_round_trip (void)
{
  g_autoptr(CsRun) run = cs_run_new (CS_MODE_SUPPORT, "nginx returns 502\nafter the upgrade");
  g_autoptr(CsCandidate) c1 = make_candidate ("c1");
  g_autoptr(CsCandidate) c2 = cs_candidate_new ("c2", "openai/gpt-5", "security");
  g_autoptr(JsonNode) synthesis = parse ("{\"methods\":[\"ensemble\",\"consensus\"],\"data\":{\"summary\":\"s\"},\"degraded\":true}");
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) node2 = NULL;
  g_autoptr(CsRun) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *s1 = NULL;
  g_autofree char *s2 = NULL;

  cs_candidate_set_status (c2, CS_CANDIDATE_FAILED);
  cs_candidate_set_error (c2, "The provider said: overloaded");
  cs_run_add_candidate (run, c1);
  cs_run_add_candidate (run, c2);
  cs_run_set_constraint (run, "os", "Debian 12");
  cs_run_set_judge (run, "kimi/kimi-k2-thinking");
  cs_run_set_state (run, CS_RUN_DONE);
  cs_run_set_message (run, "One candidate failed.");
  cs_run_set_synthesis (run, synthesis);
  cs_run_set_step_checked (run, 2, TRUE);
  cs_run_set_step_checked (run, 0, TRUE);
  cs_run_set_step_checked (run, 10, TRUE);
  cs_run_set_judge_usage (run, 3000, 500, 0.25, 4000);

  g_assert_cmpfloat_with_epsilon (cs_run_get_total_cost_usd (run), 0.2623, 1e-9);
  g_assert_cmpint (cs_run_get_total_input_tokens (run), ==, 4200);
  g_assert_cmpint (cs_run_get_total_output_tokens (run), ==, 840);

  node = cs_run_to_json (run);
  back = cs_run_new_from_json (node, &error);
  g_assert_no_error (error);
  g_assert_nonnull (back);

  g_assert_cmpstr (cs_run_get_id (back), ==, cs_run_get_id (run));
  g_assert_cmpint (cs_run_get_mode (back), ==, CS_MODE_SUPPORT);
  g_assert_cmpstr (cs_run_get_problem (back), ==, cs_run_get_problem (run));
  g_assert_cmpstr (cs_run_get_title (back), ==, "nginx returns 502");
  g_assert_cmpint (cs_run_get_state (back), ==, CS_RUN_DONE);
  g_assert_cmpstr (cs_run_get_message (back), ==, "One candidate failed.");
  g_assert_cmpstr (cs_run_get_judge (back), ==, "kimi/kimi-k2-thinking");
  g_assert_cmpint (cs_run_get_created (back), ==, cs_run_get_created (run));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (back)), ==, 2);
  g_assert_cmpstr (cs_candidate_get_error (cs_run_find_candidate (back, "c2")), ==,
                   "The provider said: overloaded");
  g_assert_true (json_node_equal (cs_run_get_synthesis (back), synthesis));
  g_assert_true (cs_run_get_step_checked (back, 0));
  g_assert_false (cs_run_get_step_checked (back, 1));
  g_assert_true (cs_run_get_step_checked (back, 2));
  g_assert_true (cs_run_get_step_checked (back, 10));
  g_assert_cmpfloat_with_epsilon (cs_run_get_total_cost_usd (back), 0.2623, 1e-9);
  g_assert_cmpint (cs_run_get_total_input_tokens (back), ==, 4200);

  node2 = cs_run_to_json (back);
  s1 = to_string (node);
  s2 = to_string (node2);
  g_assert_cmpstr (s1, ==, s2);

  /* a new synthesis clears the check marks */
  cs_run_set_synthesis (back, NULL);
  g_assert_false (cs_run_get_step_checked (back, 0));
}

static void
test_run_title (void)
{
  g_autoptr(CsRun) run = cs_run_new (CS_MODE_ARCHITECT, "# A chat service\nfor 1M users");
  g_autofree char *long_problem = NULL;

  g_assert_cmpstr (cs_run_get_title (run), ==, "A chat service");

  /* a derived title follows the problem */
  cs_run_set_problem (run, "A payment system");
  g_assert_cmpstr (cs_run_get_title (run), ==, "A payment system");

  long_problem = g_strnfill (100, 'x');
  cs_run_set_problem (run, long_problem);
  g_assert_cmpint (g_utf8_strlen (cs_run_get_title (run), -1), ==, 60);
  g_assert_true (g_str_has_suffix (cs_run_get_title (run), "…"));

  /* an explicit title stays */
  cs_run_set_title (run, "Mine");
  cs_run_set_problem (run, "Something else");
  g_assert_cmpstr (cs_run_get_title (run), ==, "Mine");

  /* and comes back */
  cs_run_set_title (run, NULL);
  g_assert_cmpstr (cs_run_get_title (run), ==, "Something else");
}

static void
test_run_ids_unique (void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < 200; i++)
    {
      g_autoptr(CsRun) run = cs_run_new (CS_MODE_ARCHITECT, "x");
      const char *id = cs_run_get_id (run);

      g_assert_null (strchr (id, '/'));
      g_assert_false (g_hash_table_contains (seen, id));
      g_hash_table_add (seen, g_strdup (id));
    }
}

static void
test_run_future_version (void)
{
  g_autoptr(CsRun) run = cs_run_new (CS_MODE_ARCHITECT, "x");
  g_autoptr(JsonNode) node = cs_run_to_json (run);
  g_autoptr(GError) error = NULL;
  g_autoptr(CsRun) back = NULL;

  json_object_set_int_member (json_node_get_object (node), "format", CS_RUN_FORMAT_VERSION + 1);
  back = cs_run_new_from_json (node, &error);
  g_assert_null (back);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "newer"));
}

static void
test_run_corrupt (void)
{
  const char *bad[] = {
    "[]", "null", "1", "{}",
    "{\"format\":\"1\",\"id\":\"x\",\"mode\":\"architect\"}",
    "{\"format\":0,\"id\":\"x\",\"mode\":\"architect\"}",
    "{\"format\":1,\"mode\":\"architect\"}",
    "{\"format\":1,\"id\":\"../../etc/passwd\",\"mode\":\"architect\"}",
    "{\"format\":1,\"id\":\"a/b\",\"mode\":\"architect\"}",
    "{\"format\":1,\"id\":\"\",\"mode\":\"architect\"}",
    "{\"format\":1,\"id\":\"x\",\"mode\":\"poetry\"}",
    "{\"format\":1,\"id\":\"x\"}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(JsonNode) node = parse (bad[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(CsRun) run = cs_run_new_from_json (node, &error);

      g_assert_null (run);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    }

  /* wrong types inside are skipped, not fatal */
  {
    g_autoptr(JsonNode) node =
      parse ("{\"format\":1,\"id\":\"r1\",\"mode\":\"support\",\"problem\":7,"
             "\"state\":\"dancing\",\"constraints\":[1],\"candidates\":[1,{\"id\":\"c1\",\"model\":\"a/b\"},"
             "{\"id\":\"c2\"}],\"synthesis\":\"no\",\"checked_steps\":[-1,\"2\",3,1e9],"
             "\"judge_usage\":{\"cost_usd\":\"x\",\"input_tokens\":null}}");
    g_autoptr(GError) error = NULL;
    g_autoptr(CsRun) run = cs_run_new_from_json (node, &error);

    g_assert_no_error (error);
    g_assert_nonnull (run);
    g_assert_cmpstr (cs_run_get_problem (run), ==, "");
    g_assert_cmpint (cs_run_get_state (run), ==, CS_RUN_DRAFT);
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (run)), ==, 1);
    g_assert_null (cs_run_get_synthesis (run));
    g_assert_true (cs_run_get_step_checked (run, 3));
    g_assert_false (cs_run_get_step_checked (run, 2));
    g_assert_cmpfloat (cs_run_get_total_cost_usd (run), ==, 0);
  }

  /* numbers no integer holds are ignored, not converted (undefined
   * behaviour); the same for a candidate's non-finite figures */
  {
    g_autoptr(JsonNode) node =
      parse ("{\"format\":1,\"id\":\"r2\",\"mode\":\"support\",\"created\":1e300,\"updated\":-1e300,"
             "\"candidates\":[{\"id\":\"c1\",\"model\":\"a/b\",\"cost_usd\":1e400,\"temperature\":-1e400}],"
             "\"judge_usage\":{\"input_tokens\":9.3e18,\"output_tokens\":5}}");
    g_autoptr(GError) error = NULL;
    g_autoptr(CsRun) run = cs_run_new_from_json (node, &error);
    g_autoptr(CsCandidate) c = NULL;

    g_assert_no_error (error);
    g_assert_cmpint (cs_run_get_created (run), >=, 0);
    g_assert_cmpint (cs_run_get_updated (run), >=, 0);
    g_assert_cmpint (cs_run_get_total_input_tokens (run), ==, 0);
    g_assert_cmpint (cs_run_get_total_output_tokens (run), ==, 5);
    c = g_list_model_get_item (G_LIST_MODEL (run), 0);
    g_assert_true (isfinite (cs_candidate_get_cost_usd (c)));
    g_assert_false (isinf (cs_candidate_get_temperature (c)));   /* NaN: none */
  }

  /* a null node */
  {
    g_autoptr(GError) error = NULL;
    g_assert_null (cs_run_new_from_json (NULL, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  }
}

static void
test_enum_strings (void)
{
  for (int s = CS_CANDIDATE_QUEUED; s <= CS_CANDIDATE_CANCELLED; s++)
    {
      CsCandidateStatus back;
      g_assert_true (cs_candidate_status_from_string (cs_candidate_status_to_string (s), &back));
      g_assert_cmpint (back, ==, s);
      g_assert_cmpint (cs_candidate_status_is_final (s), ==, s >= CS_CANDIDATE_OK);
    }
  for (int s = CS_RUN_DRAFT; s <= CS_RUN_CANCELLED; s++)
    {
      CsRunState back;
      g_assert_true (cs_run_state_from_string (cs_run_state_to_string (s), &back));
      g_assert_cmpint (back, ==, s);
    }
  {
    CsMode mode;
    CsRunState state;
    g_assert_false (cs_mode_from_string ("poetry", &mode));
    g_assert_false (cs_mode_from_string (NULL, &mode));
    g_assert_false (cs_run_state_from_string ("", &state));
    g_assert_true (cs_mode_from_string ("support", &mode));
    g_assert_cmpint (mode, ==, CS_MODE_SUPPORT);
  }
}

/* Token counts come from providers: sums saturate instead of overflowing
 * into negative (unknown) counts. */
static void
test_usage_saturates (void)
{
  g_autoptr(CsRun) run = cs_run_new (CS_MODE_ARCHITECT, "p");
  g_autoptr(CsCandidate) a = cs_candidate_new ("c1", "x/y", NULL);
  g_autoptr(CsCandidate) b = cs_candidate_new ("c2", "x/y", NULL);

  cs_candidate_add_usage (a, G_MAXINT64 - 5, 10, -1);
  cs_candidate_add_usage (a, G_MAXINT64 - 5, 10, -1);
  g_assert_cmpint (cs_candidate_get_input_tokens (a), ==, G_MAXINT64);
  g_assert_cmpint (cs_candidate_get_output_tokens (a), ==, 20);
  g_assert_cmpint (cs_candidate_get_reasoning_tokens (a), ==, -1);

  cs_candidate_add_usage (b, 100, G_MAXINT64, 0);
  cs_run_add_candidate (run, a);
  cs_run_add_candidate (run, b);
  g_assert_cmpint (cs_run_get_total_input_tokens (run), ==, G_MAXINT64);
  g_assert_cmpint (cs_run_get_total_output_tokens (run), ==, G_MAXINT64);
}

/* The shared getters for untrusted JSON: types checked, NULL-safe, numbers
 * finite and in range. */
static void
test_json_util (void)
{
  g_autoptr(JsonNode) node = parse ("{\"s\":\"text\",\"n\":2.5,\"i\":42,\"big\":1e300,\"neg\":-3.9,"
                                    "\"b\":true,\"f\":false,\"a\":[{\"x\":1},2],\"o\":{\"k\":\"v\"},\"null\":null}");
  JsonObject *obj = cs_json_node_object (node);
  JsonArray *array;
  double d = 0;
  gint64 i = 0;
  g_autofree char *fence = cs_markdown_fence ("a ```` b `` c");
  g_autofree char *fence_min = cs_markdown_fence (NULL);

  g_assert_nonnull (obj);
  g_assert_null (cs_json_node_object (NULL));
  g_assert_null (cs_json_node_object (json_object_get_member (obj, "a")));
  g_assert_cmpstr (cs_json_get_string (obj, "s"), ==, "text");
  g_assert_null (cs_json_get_string (obj, "n"));
  g_assert_null (cs_json_get_string (obj, "null"));
  g_assert_null (cs_json_get_string (NULL, "s"));
  g_assert_cmpstr (cs_json_node_get_string (json_object_get_member (obj, "o"), "k"), ==, "v");
  g_assert_true (cs_json_get_number (obj, "n", &d));
  g_assert_cmpfloat (d, ==, 2.5);
  g_assert_false (cs_json_get_number (obj, "s", &d));
  g_assert_true (cs_json_get_int (obj, "i", &i));
  g_assert_cmpint (i, ==, 42);
  g_assert_true (cs_json_get_int (obj, "neg", &i));
  g_assert_cmpint (i, ==, -3);
  g_assert_false (cs_json_get_int (obj, "big", &i));
  g_assert_false (cs_json_get_int (obj, "null", &i));
  g_assert_true (cs_json_get_bool (obj, "b"));
  g_assert_false (cs_json_get_bool (obj, "f"));
  g_assert_false (cs_json_get_bool (obj, "i"));
  array = cs_json_get_array (obj, "a");
  g_assert_cmpuint (cs_json_array_length (array), ==, 2);
  g_assert_cmpuint (cs_json_array_length (NULL), ==, 0);
  g_assert_nonnull (cs_json_array_object (array, 0));
  g_assert_null (cs_json_array_object (array, 1));
  g_assert_null (cs_json_array_object (array, 7));
  g_assert_null (cs_json_array_object (NULL, 0));
  g_assert_null (cs_json_get_array (obj, "o"));
  g_assert_nonnull (cs_json_get_array_node (obj, "a"));
  g_assert_cmpstr (cs_json_get_string (cs_json_get_object (obj, "o"), "k"), ==, "v");
  g_assert_null (cs_json_get_object (obj, "a"));
  g_assert_cmpstr (fence, ==, "`````");
  g_assert_cmpstr (fence_min, ==, "```");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/candidate/basics", test_candidate_basics);
  g_test_add_func ("/candidate/appended", test_candidate_appended);
  g_test_add_func ("/candidate/round-trip", test_candidate_round_trip);
  g_test_add_func ("/candidate/nan-temperature", test_candidate_nan_temperature);
  g_test_add_func ("/candidate/hostile", test_candidate_hostile);
  g_test_add_func ("/candidate/usage-saturates", test_usage_saturates);
  g_test_add_func ("/run/list-model", test_run_list_model);
  g_test_add_func ("/run/constraints", test_run_constraints);
  g_test_add_func ("/run/round-trip", test_run_round_trip);
  g_test_add_func ("/run/title", test_run_title);
  g_test_add_func ("/run/ids-unique", test_run_ids_unique);
  g_test_add_func ("/run/future-version", test_run_future_version);
  g_test_add_func ("/run/corrupt", test_run_corrupt);
  g_test_add_func ("/types/enum-strings", test_enum_strings);
  g_test_add_func ("/json-util/getters", test_json_util);

  return g_test_run ();
}
