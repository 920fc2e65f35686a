/* test-judge.c: the judge's repair, checks, fallback and blindness, and the
 * peer ranking stage, in whole runs against the test provider over HTTP
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "cs-engine.h"
#include "cs-judge.h"
#include "cs-test-provider.h"
#include "test-util.h"

/* A provider id no text would hold by chance: the judge must never see it. */
#define PROVIDER "zetaprov"

static const char * const models[] = {
  "demo-alpha", "demo-beta", "demo-gamma", "demo-judge", "demo-thinking",
  "demo-judge+score85", "demo-judge+invalid", "demo-judge+invalidtwice", "demo-judge+500",
  "demo-beta+500", "demo-gamma+invalid", "demo-thinking+badrank",
  NULL
};

static CsTestProvider *provider;

static CsConfig *
make_config (void)
{
  g_autoptr(GString) s = g_string_new (NULL);
  g_autofree char *base = cs_test_provider_dup_base_url (provider);
  g_autofree char *list = g_strjoinv (";", (char **)models);
  g_autoptr(GError) error = NULL;
  CsConfig *config;

  g_string_append_printf (s,
                          "[provider " PROVIDER "]\n"
                          "name=Zeta Cloud\n"
                          "base-url=%s\n"
                          "api=openai-chat\n"
                          "models=%s;demo-grouped\n"
                          "max-concurrent=32\n"
                          "requests-per-minute=0\n"
                          "max-retries=0\n\n"
                          "[model " PROVIDER "/demo-grouped]\n"
                          "max-n=4\n\n",
                          base, list);
  for (guint i = 0; models[i] != NULL; i++)
    g_string_append_printf (s, "[model " PROVIDER "/%s]\nprice-input=1.00\nprice-output=2.00\n"
                               "structured-output=%s\n\n",
                            models[i], g_str_has_prefix (models[i], "demo-beta") ? "json-object" : "json-schema");
  config = cs_config_new_from_data (s->str, "test-judge.ini", &error);
  g_assert_no_error (error);
  return config;
}

/* A whole run: @spec's candidates, @judge and @fallback (may be NULL), the
 * seed when not 0, peer ranking when @rank. */
static CsRun *
run_with (const char * const *spec,
          const char         *judge,
          const char         *fallback,
          guint32             seed,
          gboolean            rank)
{
  g_autoptr(CsConfig) config = make_config ();
  CsRun *run = cs_run_new (CS_MODE_ARCHITECT, "Design a URL shortener for 10M links a day");
  g_autoptr(CsRunner) runner = NULL;
  g_autoptr(GError) error = NULL;
  CsTestWait w = { 0 };

  cs_run_set_constraint (run, "budget", "500 USD a month");
  cs_run_set_judge (run, judge);
  cs_run_set_fallback_judge (run, fallback);
  cs_run_set_rank (run, rank);
  if (seed != 0)
    cs_run_set_seed (run, seed);
  runner = cs_runner_new (config, run);
  g_assert_true (cs_runner_plan (runner, spec, &error));
  g_assert_no_error (error);
  cs_test_execute (runner, NULL, &w, 120);
  g_assert_no_error (w.error);
  g_assert_true (w.ok);
  g_assert_cmpint (cs_run_get_state (run), ==, CS_RUN_DONE);
  return run;
}

static JsonObject *
synthesis (CsRun *run)
{
  return json_node_get_object (cs_run_get_synthesis (run));
}

static gboolean
has_method (CsRun      *run,
            const char *method)
{
  JsonArray *methods = json_object_get_array_member (synthesis (run), "methods");

  for (guint i = 0; i < json_array_get_length (methods); i++)
    if (g_strcmp0 (json_array_get_string_element (methods, i), method) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
is_degraded (CsRun *run)
{
  return json_object_has_member (synthesis (run), "degraded") &&
         json_object_get_boolean_member (synthesis (run), "degraded");
}

static const char *
note_of (CsRun *run)
{
  JsonNode *note = json_object_get_member (synthesis (run), "note");

  return note != NULL && JSON_NODE_HOLDS_VALUE (note) ? json_node_get_string (note) : NULL;
}

/* The user message of every request to @model (full name), oldest first. */
static GPtrArray *
user_messages (const char *model)
{
  g_autoptr(GPtrArray) requests = cs_test_provider_get_requests (provider);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < requests->len; i++)
    {
      JsonObject *o = json_node_get_object (g_ptr_array_index (requests, i));
      JsonObject *body;
      JsonArray *messages;

      if (g_strcmp0 (json_object_get_string_member_with_default (o, "model", ""), model) != 0)
        continue;
      body = json_object_get_object_member (o, "body");
      messages = json_object_get_array_member (body, "messages");
      g_ptr_array_add (out, g_strdup (json_object_get_string_member (json_array_get_object_element (messages, 1),
                                                                     "content")));
    }
  return out;
}

/* The whole JSON bodies of the requests to @model. */
static GPtrArray *
bodies (const char *model)
{
  g_autoptr(GPtrArray) requests = cs_test_provider_get_requests (provider);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < requests->len; i++)
    {
      JsonObject *o = json_node_get_object (g_ptr_array_index (requests, i));
      g_autoptr(JsonGenerator) gen = json_generator_new ();

      if (g_strcmp0 (json_object_get_string_member_with_default (o, "model", ""), model) != 0)
        continue;
      json_generator_set_root (gen, json_object_get_member (o, "body"));
      g_ptr_array_add (out, json_generator_to_data (gen, NULL));
    }
  return out;
}

/* "c2c1c3": the candidates in the order a judge message shows them. */
static char *
candidate_order (const char *user)
{
  GString *order = g_string_new (NULL);

  for (const char *p = strstr (user, "### Candidate "); p != NULL; p = strstr (p + 1, "### Candidate "))
    g_string_append_len (order, p + strlen ("### Candidate "), 2);
  return g_string_free (order, FALSE);
}

static const char * const three[] = {
  PROVIDER "/demo-alpha", PROVIDER "/demo-beta", PROVIDER "/demo-gamma", NULL
};

/* A critique scored 85 on 1-10 loses that critique, with a note; the
 * verdict stands (no repair needed). */
static void
test_score85 (void)
{
  g_autoptr(CsRun) run = NULL;
  JsonArray *critiques;

  cs_test_provider_reset (provider);
  run = run_with (three, PROVIDER "/demo-judge+score85", NULL, 0, FALSE);
  g_assert_true (has_method (run, "judge"));
  g_assert_false (is_degraded (run));
  g_assert_nonnull (note_of (run));
  g_assert_nonnull (strstr (note_of (run), "critique of c"));
  g_assert_nonnull (strstr (note_of (run), "85"));
  critiques = json_object_get_array_member (synthesis (run), "critiques");
  g_assert_cmpuint (json_array_get_length (critiques), ==, 2);
  g_assert_cmpuint (cs_test_provider_get_request_count (provider, "demo-judge+score85"), ==, 1);
}

/* A judge that answers out of shape gets one repair request carrying the
 * error; when the repair fits, the verdict is the judge's. */
static void
test_repair (void)
{
  g_autoptr(CsRun) run = NULL;
  g_autoptr(GPtrArray) sent = NULL;
  const char *judge = "demo-judge+invalidtwice";

  cs_test_provider_reset (provider);
  /* the first two replies are invalid: the first judge fails after its repair */
  run = run_with (three, PROVIDER "/demo-judge+invalidtwice", NULL, 0, FALSE);
  g_assert_cmpuint (cs_test_provider_get_request_count (provider, judge), ==, 2);
  g_assert_true (is_degraded (run));
  g_assert_false (has_method (run, "judge"));
  g_assert_nonnull (strstr (note_of (run), "The judge, demo-judge+invalidtwice from Zeta Cloud, failed"));
  g_assert_nonnull (strstr (note_of (run), "votes and consensus"));
  /* the repair carried the bad reply and what was wrong with it */
  sent = bodies (judge);
  g_assert_cmpuint (sent->len, ==, 2);
  g_assert_nonnull (strstr (g_ptr_array_index (sent, 1), "\"role\":\"assistant\""));
  g_assert_nonnull (strstr (g_ptr_array_index (sent, 1), "could not be used"));
  g_assert_nonnull (strstr (g_ptr_array_index (sent, 1), "result"));
  g_assert_null (strstr (g_ptr_array_index (sent, 0), "could not be used"));
  g_clear_object (&run);

  /* the third reply fits: a repair that works gives the judge's verdict */
  run = run_with (three, PROVIDER "/demo-judge+invalidtwice", NULL, 0, FALSE);
  g_assert_cmpuint (cs_test_provider_get_request_count (provider, judge), ==, 3);
  g_assert_true (has_method (run, "judge"));
  g_assert_false (is_degraded (run));
}

/* A judge that fails twice (its reply and its repair) falls back to the
 * second judge; when that fails too, to votes and consensus, naming both. */
static void
test_fallback (void)
{
  g_autoptr(CsRun) run = NULL;
  JsonObject *obj;

  cs_test_provider_reset (provider);
  run = run_with (three, PROVIDER "/demo-judge+invalid", PROVIDER "/demo-judge", 0, FALSE);
  g_assert_cmpuint (cs_test_provider_get_request_count (provider, "demo-judge+invalid"), ==, 2);
  g_assert_cmpuint (cs_test_provider_get_request_count (provider, "demo-judge"), ==, 1);
  g_assert_true (has_method (run, "judge"));
  g_assert_false (is_degraded (run));
  obj = synthesis (run);
  g_assert_cmpstr (json_object_get_string_member (obj, "judge_model"), ==, PROVIDER "/demo-judge");
  g_assert_nonnull (strstr (note_of (run), "The judge, demo-judge+invalid from Zeta Cloud, failed"));
  g_clear_object (&run);

  cs_test_provider_reset (provider);
  run = run_with (three, PROVIDER "/demo-judge+invalid", PROVIDER "/demo-judge+500", 0, FALSE);
  g_assert_cmpuint (cs_test_provider_get_request_count (provider, "demo-judge+invalid"), ==, 2);
  g_assert_cmpuint (cs_test_provider_get_request_count (provider, "demo-judge+500"), ==, 1);
  g_assert_false (has_method (run, "judge"));
  g_assert_true (has_method (run, "consensus"));
  g_assert_true (is_degraded (run));
  g_assert_nonnull (strstr (note_of (run), "The judge, demo-judge+invalid from Zeta Cloud, failed"));
  g_assert_nonnull (strstr (note_of (run), "The fallback judge, demo-judge+500 from Zeta Cloud, failed"));
  g_assert_nonnull (strstr (note_of (run), "votes and consensus"));
  /* the provider's reason ends its own sentence ("… Sorry about that!"): no "." after it */
  g_assert_null (strstr (note_of (run), "!."));
  g_assert_null (strstr (note_of (run), PROVIDER "/"));
  g_assert_nonnull (strstr (cs_run_get_message (run), "fallback judge"));
}

/* The judge's request names no candidate model or provider, and the seed
 * saved in the run orders the candidates: the same seed, the same order;
 * another seed, another order. */
static void
test_blind_and_seeded (void)
{
  const char *six[] = { PROVIDER "/demo-alpha", PROVIDER "/demo-beta", PROVIDER "/demo-gamma",
                         PROVIDER "/demo-thinking", PROVIDER "/demo-grouped:2", NULL };
  g_autoptr(GPtrArray) probe = g_ptr_array_new ();
  g_autoptr(GPtrArray) o1 = NULL;
  guint32 s1 = 1, s2 = 2;
  char *orders[3] = { NULL };
  guint32 seeds[3];

  /* two seeds that shuffle six candidates differently */
  for (guint i = 0; i < 6; i++)
    g_ptr_array_add (probe, GUINT_TO_POINTER (i + 1));
  o1 = cs_judge_shuffle (probe, s1);
  for (;; s2++)
    {
      g_autoptr(GPtrArray) o2 = cs_judge_shuffle (probe, s2);

      if (memcmp (o1->pdata, o2->pdata, 6 * sizeof (gpointer)) != 0)
        break;
    }
  seeds[0] = s1;
  seeds[1] = s2;
  seeds[2] = s1;

  for (guint r = 0; r < 3; r++)
    {
      g_autoptr(CsRun) run = NULL;
      g_autoptr(GPtrArray) sent = NULL;
      g_autoptr(GPtrArray) users = NULL;
      guint32 saved = 0;

      cs_test_provider_reset (provider);
      run = run_with (six, PROVIDER "/demo-judge", NULL, seeds[r], FALSE);
      g_assert_true (cs_run_get_seed (run, &saved));
      g_assert_cmpuint (saved, ==, seeds[r]);
      sent = bodies ("demo-judge");
      g_assert_cmpuint (sent->len, ==, 1);
      for (guint m = 0; six[m] != NULL; m++)
        {
          g_auto(GStrv) parts = g_strsplit_set (six[m], "/:", 3);

          g_assert_null (strstr (g_ptr_array_index (sent, 0), parts[1]));
        }
      g_assert_null (strstr (g_ptr_array_index (sent, 0), PROVIDER));
      users = user_messages ("demo-judge");
      orders[r] = candidate_order (g_ptr_array_index (users, 0));
      g_assert_cmpuint (strlen (orders[r]), ==, 12);
      if (r == 0)
        {
          /* the seed is saved in the run file */
          g_autoptr(JsonNode) json = cs_run_to_json (run);
          g_autoptr(CsRun) back = cs_run_new_from_json (json, NULL);
          guint32 back_seed = 0;

          g_assert_true (cs_run_get_seed (back, &back_seed));
          g_assert_cmpuint (back_seed, ==, s1);
        }
    }
  g_assert_cmpstr (orders[0], !=, orders[1]);
  g_assert_cmpstr (orders[0], ==, orders[2]);
  for (guint r = 0; r < 3; r++)
    g_free (orders[r]);
}

/* Peer ranking end to end: every valid candidate's model ranks the others,
 * anonymized; the ranking is in the run, in the judge's request, and a
 * ranker that fails is left out with a note. Two candidates of one model
 * do not vote for each other. */
static void
test_ranking (void)
{
  const char *spec[] = { PROVIDER "/demo-alpha", PROVIDER "/demo-gamma", PROVIDER "/demo-grouped:2",
                         PROVIDER "/demo-beta+500", NULL };
  g_autoptr(CsRun) run = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) ranker_users = NULL;
  g_autoptr(GPtrArray) judge_users = NULL;
  g_auto(GStrv) notes = NULL;
  JsonNode *ranking;
  JsonObject *obj;
  gint64 self_votes;

  cs_test_provider_reset (provider);
  run = run_with (spec, PROVIDER "/demo-judge", NULL, 7, TRUE);
  ranking = cs_run_get_ranking (run);
  g_assert_nonnull (ranking);
  obj = json_node_get_object (ranking);
  g_assert_cmpstr (json_object_get_string_member (obj, "method"), ==, "borda");
  /* four valid candidates (c1..c4; c5 failed), four ballots */
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (obj, "ballots")), ==, 4);
  rows = cs_ranking_rows_from_json (ranking);
  g_assert_cmpuint (rows->len, ==, 4);
  /* the two demo-grouped candidates (c3, c4) saw each other: self-votes */
  self_votes = json_object_get_int_member (obj, "self_votes");
  g_assert_cmpint (self_votes, ==, 2);
  for (guint i = 0; i < rows->len; i++)
    {
      const CsRankRow *row = g_ptr_array_index (rows, i);

      g_assert_cmpuint (row->place, ==, i + 1);
      /* c1, c2 are on three ballots; c3 and c4 on two (not their sibling's) */
      g_assert_cmpuint (row->votes, ==, g_str_equal (row->candidate, "c3") || g_str_equal (row->candidate, "c4") ? 2 : 3);
    }
  /* the rankers saw answers, not ids or models */
  ranker_users = user_messages ("demo-alpha");
  g_assert_cmpuint (ranker_users->len, ==, 2);
  g_assert_nonnull (strstr (g_ptr_array_index (ranker_users, 1), "### Answer A"));
  g_assert_null (strstr (g_ptr_array_index (ranker_users, 1), "### Candidate"));
  g_assert_null (strstr (g_ptr_array_index (ranker_users, 1), "demo-"));
  /* the judge got the ranking as evidence */
  judge_users = user_messages ("demo-judge");
  g_assert_nonnull (strstr (g_ptr_array_index (judge_users, 0), "Peer ranking"));
  g_assert_true (has_method (run, "judge"));
  /* the ranking's usage is in the totals */
  {
    gint64 in = 0;
    double cost = 0;

    g_assert_true (cs_run_get_ranking_usage (run, &in, NULL, &cost));
    g_assert_cmpint (in, >, 0);
    g_assert_cmpfloat (cost, >, 0);
  }
  notes = cs_ranking_notes_from_json (ranking);
  g_assert_cmpuint (g_strv_length (notes), ==, 0);
}

/* A ranker that fails or answers out of shape is left out with a note, the
 * others count and the run goes on; with fewer than three valid candidates
 * nothing is ranked, and that is said. */
static void
test_ranker_fails (void)
{
  const char *spec[] = { PROVIDER "/demo-alpha", PROVIDER "/demo-gamma", PROVIDER "/demo-thinking+badrank",
                         PROVIDER "/demo-judge", NULL };
  const char *two[] = { PROVIDER "/demo-alpha", PROVIDER "/demo-gamma", NULL };
  g_autoptr(CsRun) run = NULL;
  g_auto(GStrv) notes = NULL;
  JsonObject *obj;

  cs_test_provider_reset (provider);
  run = run_with (spec, PROVIDER "/demo-judge", NULL, 0, TRUE);
  obj = json_node_get_object (cs_run_get_ranking (run));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (obj, "ballots")), ==, 3);
  notes = cs_ranking_notes_from_json (cs_run_get_ranking (run));
  g_assert_cmpuint (g_strv_length (notes), ==, 1);
  g_assert_nonnull (strstr (notes[0], "The ranking by candidate c3's model, demo-thinking+badrank from Zeta Cloud, was left out"));
  g_assert_nonnull (strstr (notes[0], "out of shape"));
  g_assert_null (strstr (notes[0], PROVIDER "/"));
  g_assert_true (has_method (run, "judge"));
  g_clear_object (&run);
  g_clear_pointer (&notes, g_strfreev);

  cs_test_provider_reset (provider);
  run = run_with (two, PROVIDER "/demo-judge", NULL, 0, TRUE);
  notes = cs_ranking_notes_from_json (cs_run_get_ranking (run));
  g_assert_cmpuint (g_strv_length (notes), ==, 1);
  g_assert_nonnull (strstr (notes[0], "at least 3"));
  g_assert_true (has_method (run, "judge"));
}

static gboolean
cancel_cb (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

static void
slow_then_cancel (CsRun        *run,
                  GParamSpec   *pspec,
                  GCancellable *cancellable)
{
  if (cs_run_get_state (run) != CS_RUN_SYNTHESIZING)
    return;
  /* the rankers' replies crawl; they are cancelled half-way */
  cs_test_provider_set_delay_ms (provider, 400);
  g_timeout_add (300, cancel_cb, cancellable);
}

/* Cancelled while the rankers answer: the run ends cancelled, no ranking,
 * no judge asked, nothing left in flight. */
static void
test_cancel_during_ranking (void)
{
  g_autoptr(CsConfig) config = make_config ();
  g_autoptr(CsRun) run = cs_run_new (CS_MODE_ARCHITECT, "Design a URL shortener");
  g_autoptr(CsRunner) runner = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  CsTestWait w = { 0 };
  guint delay;

  cs_test_provider_reset (provider);
  delay = cs_test_provider_get_delay_ms (provider);
  cs_run_set_judge (run, PROVIDER "/demo-judge");
  cs_run_set_rank (run, TRUE);
  runner = cs_runner_new (config, run);
  g_assert_true (cs_runner_plan (runner, three, NULL));
  g_signal_connect (run, "notify::state", G_CALLBACK (slow_then_cancel), cancellable);
  cs_test_execute (runner, cancellable, &w, 60);
  cs_test_provider_set_delay_ms (provider, delay);
  g_assert_false (w.ok);
  g_assert_error (w.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&w.error);
  g_assert_cmpint (cs_run_get_state (run), ==, CS_RUN_CANCELLED);
  g_assert_null (cs_run_get_ranking (run));
  g_assert_cmpuint (cs_test_provider_get_request_count (provider, "demo-judge"), ==, 0);
  /* at most its ranker besides its candidate (the cancel may come first) */
  g_assert_cmpuint (cs_test_provider_get_request_count (provider, "demo-alpha"), <=, 2);
}

/* The providers file's [synthesis] fallback-judge: a configured model is
 * the default, another is ignored with a warning; the group is no unknown
 * one, and it survives a save. */
static void
test_config_fallback (void)
{
  static const char *base =
    "[provider p]\nbase-url=http://127.0.0.1:9/v1\napi=openai-chat\nmodels=a;b\n\n";
  g_autofree char *good = g_strconcat ("[synthesis]\nfallback-judge=p/b\n\n", base, NULL);
  g_autofree char *bad = g_strconcat (base, "[synthesis]\nfallback-judge=p/zz\nfallback-jugde=p/a\n", NULL);
  g_autofree char *saved_path = g_build_filename (g_get_tmp_dir (), "cs-test-judge-providers.ini", NULL);
  g_autofree char *saved = NULL;
  g_autofree char *fallback = NULL;
  g_autoptr(CsConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  const char * const *warnings;
  gboolean warned_model = FALSE, warned_key = FALSE;

  config = cs_config_new_from_data (good, "good.ini", &error);
  g_assert_no_error (error);
  fallback = cs_config_dup_fallback_judge (config);
  g_assert_cmpstr (fallback, ==, "p/b");
  warnings = cs_config_get_warnings (config);
  g_assert_true (warnings == NULL || warnings[0] == NULL);
  g_assert_true (cs_config_save (config, saved_path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (saved_path, &saved, NULL, NULL));
  g_assert_nonnull (strstr (saved, "[synthesis]"));
  g_assert_nonnull (strstr (saved, "fallback-judge=p/b"));
  g_unlink (saved_path);
  g_clear_object (&config);
  g_clear_pointer (&fallback, g_free);

  config = cs_config_new_from_data (bad, "bad.ini", &error);
  g_assert_no_error (error);
  g_assert_null (cs_config_dup_fallback_judge (config));
  warnings = cs_config_get_warnings (config);
  for (guint i = 0; warnings != NULL && warnings[i] != NULL; i++)
    {
      g_assert_null (strstr (warnings[i], "unknown group"));
      warned_model |= strstr (warnings[i], "p/zz is not configured") != NULL;
      warned_key |= strstr (warnings[i], "fallback-jugde") != NULL;
    }
  g_assert_true (warned_model);
  g_assert_true (warned_key);
}

int
main (int argc, char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  provider = cs_test_provider_start_new ();

  g_test_add_func ("/judge/score85", test_score85);
  g_test_add_func ("/judge/repair", test_repair);
  g_test_add_func ("/judge/fallback", test_fallback);
  g_test_add_func ("/judge/blind-and-seeded", test_blind_and_seeded);
  g_test_add_func ("/judge/config-fallback", test_config_fallback);
  g_test_add_func ("/ranking/cancel", test_cancel_during_ranking);
  g_test_add_func ("/ranking/run", test_ranking);
  g_test_add_func ("/ranking/ranker-fails", test_ranker_fails);

  ret = g_test_run ();
  g_clear_object (&provider);
  return ret;
}
