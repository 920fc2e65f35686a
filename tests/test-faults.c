/* test-faults.c: the rows of the fault matrix (docs/RELIABILITY.md) that the
 * other suites do not already prove, as whole runs over real loopback HTTP.
 *
 * Servers, all on 127.0.0.1 in this process:
 *   - the test provider (tests/provider), scripted by model name;
 *   - "mini", a SoupServer answering what the test provider cannot script:
 *     401, 403, 502 with an HTML body, 429 without any retry hint;
 *   - "garbage", a TCP service that answers any bytes with a plain HTTP
 *     400 and closes: an https:// URL pointing at it fails the TLS
 *     handshake at once, locally;
 *   - a closed port (connection refused) and an https:// URL on a
 *     consilium-test.invalid host (RFC 6761: never resolves).
 * Each test checks what the person sees (candidate status and message, run
 * state and note) and what is kept (the run file, reloaded through a fresh
 * CsRunStore).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-faults"

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "cs-engine.h"
#include "cs-test-provider.h"
#include "test-util.h"

#define KEY_A "sk-FAULTS-KEY-A-do-not-forward-0001"
#define KEY_C "sk-FAULTS-KEY-C-do-not-forward-0003"

static CsTestProvider *provider;    /* the main one (also "provider A") */
static CsTestProvider *provider_b;  /* no key required */
static CsTestProvider *provider_c;  /* requires KEY_C */
static guint slack = 1; /* valgrind or CONSILIUM_TEST_SLOW: longer idle timeouts */

/* ------------------------------------------------------------------------ */
/* mini: the statuses the test provider cannot script */

static SoupServer *mini_server;
static guint mini_port;
static GHashTable *mini_counts; /* model → number of requests */

static void
mini_callback (SoupServer        *server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           data)
{
  SoupMessageBody *request_body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (request_body);
  g_autoptr(JsonParser) parser = json_parser_new ();
  const char *model = "";
  const char *body;
  const char *type = "application/json";
  guint status;

  if (json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL) &&
      JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    model = json_object_get_string_member_with_default (json_node_get_object (json_parser_get_root (parser)),
                                                        "model", "");
  g_hash_table_replace (mini_counts, g_strdup (model),
                        GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (mini_counts, model)) + 1));

  if (g_str_equal (model, "unauthorized"))
    {
      status = 401;
      body = "{\"error\":{\"message\":\"Invalid Authentication\",\"type\":\"invalid_authentication_error\"}}";
    }
  else if (g_str_equal (model, "forbidden"))
    {
      status = 403;
      body = "{\"error\":{\"message\":\"Your organization has no access to this model\",\"type\":\"permission_error\"}}";
    }
  else if (g_str_equal (model, "badgateway"))
    {
      /* what a reverse proxy in front of a dead upstream sends */
      status = 502;
      type = "text/html";
      body = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1>"
             "</center><hr><center>nginx</center></body></html>";
    }
  else if (g_str_equal (model, "ratelimit-nohint"))
    {
      /* no retry-after, no retry-after-ms, no x-should-retry */
      status = 429;
      body = "{\"error\":{\"message\":\"Rate limit reached for requests\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}";
    }
  else
    {
      status = 404;
      body = "{\"error\":{\"message\":\"no such model\",\"code\":\"model_not_found\"}}";
    }
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, type, SOUP_MEMORY_STATIC, body, strlen (body));
}

static guint
mini_count (const char *model)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (mini_counts, model));
}

/* ------------------------------------------------------------------------ */
/* garbage: plain HTTP where TLS is expected */

static guint garbage_port;

static gboolean
garbage_incoming (GSocketService     *service,
                  GSocketConnection  *connection,
                  GObject            *source_object,
                  gpointer            user_data)
{
  static const char reply[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));

  /* small enough for the socket buffer: never blocks */
  g_output_stream_write_all (out, reply, strlen (reply), NULL, NULL, NULL);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  return TRUE;
}

/* A local port where nothing listens: bound (without address reuse) and
 * never listening, for as long as the program runs, so a connection is
 * refused and no other process (another test's server) can take the port
 * meanwhile, as it could a port closed after it was found free. */
static guint
closed_port (void)
{
  static GSocket *sock;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  if (sock == NULL)
    {
      g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
      g_autoptr(GSocketAddress) addr = g_inet_socket_address_new (loopback, 0);

      sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
      g_assert_no_error (error);
      g_socket_bind (sock, addr, FALSE, &error);
      g_assert_no_error (error);
    }
  bound = g_socket_get_local_address (sock, &error);
  g_assert_no_error (error);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/* ------------------------------------------------------------------------ */
/* helpers */

static const char * const demo_models[] = {
  "demo-alpha", "demo-gamma", "demo-judge",
  "demo-alpha+404", "demo-alpha+503", "demo-alpha+429",
  "demo-alpha+silence", "demo-alpha+big",
  "demo-judge+404", "demo-judge+quota", "demo-judge+streamerror",
  "demo-judge+silence", "demo-judge+truncate", "demo-judge+refuse",
  "demo-judge+invalid",
  NULL
};

static char *
build_config (void)
{
  g_autoptr(GString) s = g_string_new (NULL);
  g_autofree char *base = cs_test_provider_dup_base_url (provider);
  g_autofree char *base_b = cs_test_provider_dup_base_url (provider_b);
  g_autofree char *base_c = cs_test_provider_dup_base_url (provider_c);
  g_autofree char *list = g_strjoinv (";", (char **) demo_models);
  guint port = cs_test_provider_get_port (provider);

  g_string_append_printf (s,
                          "[provider demo]\n"
                          "base-url=%s\n"
                          "api=openai-chat\n"
                          "models=%s\n"
                          "max-concurrent=16\n"
                          "requests-per-minute=0\n"
                          "max-retries=1\n"
                          "idle-timeout=%u\n"
                          "max-reply-bytes=1048576\n\n",
                          base, list, 2 * slack);
  g_string_append_printf (s,
                          "[provider mini]\n"
                          "base-url=http://127.0.0.1:%u/v1\n"
                          "api=openai-chat\n"
                          "models=unauthorized;forbidden;badgateway;ratelimit-nohint\n"
                          "requests-per-minute=0\n"
                          "max-retries=2\n\n",
                          mini_port);
  g_string_append_printf (s,
                          "[provider closed]\n"
                          "base-url=http://127.0.0.1:%u/v1\n"
                          "api=openai-chat\n"
                          "models=demo-alpha\n"
                          "max-retries=0\n\n",
                          closed_port ());
  g_string_append (s,
                   "[provider nxdomain]\n"
                   "base-url=https://consilium-test.invalid/v1\n"
                   "api=openai-chat\n"
                   "api-key-env=CS_FAULTS_KEY\n"
                   "models=demo-alpha\n"
                   "connect-timeout=10\n"
                   "max-retries=0\n\n");
  g_string_append_printf (s,
                          "[provider tls]\n"
                          "base-url=https://127.0.0.1:%u/v1\n"
                          "api=openai-chat\n"
                          "api-key-env=CS_FAULTS_KEY\n"
                          "models=demo-alpha\n"
                          "connect-timeout=%u\n"
                          "max-retries=0\n\n",
                          garbage_port, 5 * slack);
  /* TLS to a plain-HTTP server that waits for the end of the "headers"
   * forever: the handshake stalls, the connect timeout ends it */
  g_string_append_printf (s,
                          "[provider stall]\n"
                          "base-url=https://127.0.0.1:%u/v1\n"
                          "api=openai-chat\n"
                          "api-key-env=CS_FAULTS_KEY\n"
                          "models=demo-alpha\n"
                          "connect-timeout=1\n"
                          "max-retries=0\n\n",
                          port);
  /* the key from the keyring only */
  g_string_append_printf (s,
                          "[provider keyring]\n"
                          "base-url=%s\n"
                          "api=openai-chat\n"
                          "key-optional=false\n"
                          "models=demo-alpha\n"
                          "max-retries=0\n\n",
                          base);
  /* three providers, three keys (B has none) */
  g_string_append_printf (s,
                          "[provider keya]\n"
                          "base-url=%s\n"
                          "api=openai-chat\n"
                          "api-key-env=CS_FAULTS_KEY_A\n"
                          "models=demo-alpha\n"
                          "max-retries=0\n\n"
                          "[provider plainb]\n"
                          "base-url=%s\n"
                          "api=openai-chat\n"
                          "models=demo-gamma\n"
                          "max-retries=0\n\n"
                          "[provider keyc]\n"
                          "base-url=%s\n"
                          "api=openai-chat\n"
                          "api-key-env=CS_FAULTS_KEY_C\n"
                          "models=demo-alpha\n"
                          "max-retries=0\n\n",
                          base, base_b, base_c);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

typedef CsTestFixture Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *text = build_config ();

  cs_test_fixture_open (f, text, "test-faults.ini");
  cs_test_provider_reset (provider);
  cs_test_provider_reset (provider_b);
  cs_test_provider_reset (provider_c);
  g_hash_table_remove_all (mini_counts);
}

typedef CsTestWait Wait;

static CsRunner *
make_runner (Fixture            *f,
             CsMode              mode,
             const char * const *spec,
             const char         *judge)
{
  return cs_test_new_runner (f->config, f->store, mode, spec, judge);
}

static void
run_to_end (CsRunner *runner,
            Wait     *w)
{
  cs_test_execute (runner, NULL, w, 90);
}

static gboolean
has_method (CsRun      *run,
            const char *method)
{
  JsonNode *synthesis = cs_run_get_synthesis (run);
  JsonNode *methods;

  g_assert_nonnull (synthesis);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (synthesis));
  methods = json_object_get_member (json_node_get_object (synthesis), "methods");
  g_assert_nonnull (methods);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (methods));
  for (guint i = 0; i < json_array_get_length (json_node_get_array (methods)); i++)
    if (g_strcmp0 (json_array_get_string_element (json_node_get_array (methods), i), method) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
is_degraded (CsRun *run)
{
  JsonObject *obj = json_node_get_object (cs_run_get_synthesis (run));

  return json_object_get_boolean_member_with_default (obj, "degraded", FALSE);
}

/* Asserts candidate @i failed with a message containing @needle. */
static void
assert_failed (CsRun             *run,
               guint              i,
               CsCandidateStatus  status,
               const char        *needle)
{
  CsCandidate *c = cs_test_candidate (run, i);
  const char *error = cs_candidate_get_error (c);

  g_test_message ("%s %s: %s", cs_candidate_get_id (c),
                  cs_candidate_status_to_string (cs_candidate_get_status (c)),
                  error ? error : "(no message)");
  g_assert_cmpstr (cs_candidate_status_to_string (cs_candidate_get_status (c)), ==,
                   cs_candidate_status_to_string (status));
  g_assert_nonnull (error);
  if (strstr (error, needle) == NULL)
    g_error ("%s: “%s” not in “%s”", cs_candidate_get_id (c), needle, error);
  g_assert_null (cs_candidate_get_data (c));
}

/* The run as a fresh process would see it: reloaded from its file. */
static CsRun *
reload (Fixture *f,
        CsRun   *run)
{
  g_autoptr(CsRunStore) store = cs_run_store_new (f->runs_dir);
  g_autoptr(GError) error = NULL;
  CsRun *loaded;

  cs_run_store_flush (f->store);
  g_assert_true (cs_run_store_load_sync (store, &error));
  g_assert_no_error (error);
  loaded = cs_run_store_find (store, cs_run_get_id (run));
  g_assert_nonnull (loaded);
  return g_object_ref (loaded);
}

/* Every candidate is kept with its status and message; the problem and the
 * constraint too. */
static void
assert_kept (Fixture *f,
             CsRun   *run)
{
  g_autoptr(CsRun) loaded = reload (f, run);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (run));

  g_assert_cmpstr (cs_run_get_problem (loaded), ==, cs_run_get_problem (run));
  g_assert_cmpstr (cs_run_get_constraint (loaded, "budget"), ==, "500 USD a month");
  g_assert_cmpint (cs_run_get_state (loaded), ==, cs_run_get_state (run));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (loaded)), ==, n);
  for (guint i = 0; i < n; i++)
    {
      CsCandidate *a = cs_test_candidate (run, i);
      CsCandidate *b = cs_test_candidate (loaded, i);

      g_assert_cmpstr (cs_candidate_get_id (b), ==, cs_candidate_get_id (a));
      g_assert_cmpint (cs_candidate_get_status (b), ==, cs_candidate_get_status (a));
      g_assert_cmpstr (cs_candidate_get_error (b), ==, cs_candidate_get_error (a));
      g_assert_cmpstr (cs_candidate_get_text (b), ==, cs_candidate_get_text (a));
      g_assert_true ((cs_candidate_get_data (b) != NULL) == (cs_candidate_get_data (a) != NULL));
    }
}

/* ------------------------------------------------------------------------ */
/* connection-level faults */

static void
test_connect (Fixture       *f,
              gconstpointer  data)
{
  const char *spec[] = {
    "demo/demo-alpha",      /* c1 ok */
    "closed/demo-alpha",    /* c2 connection refused */
    "nxdomain/demo-alpha",  /* c3 DNS failure */
    "tls/demo-alpha",       /* c4 TLS handshake failure */
    "stall/demo-alpha",     /* c5 TLS handshake that never ends */
    NULL
  };
  g_autoptr(CsRunner) runner = NULL;
  CsRun *run;
  Wait w = { 0 };

  g_setenv ("CS_FAULTS_KEY", "sk-faults-remote-key", TRUE);
  runner = make_runner (f, CS_MODE_ARCHITECT, spec, NULL);
  run = cs_runner_get_run (runner);
  run_to_end (runner, &w);
  g_assert_no_error (w.error);
  g_assert_true (w.ok);
  g_assert_cmpint (cs_run_get_state (run), ==, CS_RUN_DONE);
  g_assert_true (is_degraded (run));
  g_assert_cmpint (cs_candidate_get_status (cs_test_candidate (run, 0)), ==, CS_CANDIDATE_OK);

  assert_failed (run, 1, CS_CANDIDATE_FAILED, "Connection refused by closed (127.0.0.1:");
  /* a resolver that answers says NXDOMAIN at once; one that cannot be
   * reached at all (a machine without any network) runs into the connect
   * timeout: either way the candidate fails and the run goes on */
  if (strstr (cs_candidate_get_error (cs_test_candidate (run, 2)), "within 10 s") != NULL)
    assert_failed (run, 2, CS_CANDIDATE_FAILED, "Could not connect to nxdomain within 10 s");
  else
    assert_failed (run, 2, CS_CANDIDATE_FAILED, "Could not resolve nxdomain (consilium-test.invalid)");
  assert_failed (run, 3, CS_CANDIDATE_FAILED, "TLS failure with tls (127.0.0.1:");
  assert_failed (run, 4, CS_CANDIDATE_FAILED, "Could not connect to stall within 1 s");
  /* the plain-HTTP server never saw a request it could read */
  g_assert_cmpuint (cs_test_provider_get_request_count (provider, "demo-alpha"), ==, 1);
  assert_kept (f, run);
  g_unsetenv ("CS_FAULTS_KEY");
}

/* ------------------------------------------------------------------------ */
/* HTTP statuses */

static void
test_http (Fixture       *f,
           gconstpointer  data)
{
  const char *spec[] = {
    "demo/demo-alpha",            /* c1 ok */
    "mini/unauthorized",          /* c2 401 */
    "mini/forbidden",             /* c3 403 */
    "mini/badgateway",            /* c4 502, retried */
    "mini/ratelimit-nohint",      /* c5 429 without hints, retried with backoff */
    "demo/demo-alpha+404",        /* c6 404 model */
    "demo/demo-alpha+503",        /* c7 503, retried */
    "demo/demo-alpha+429",        /* c8 429 retry-after: 1, retried */
    NULL
  };
  g_autoptr(CsRunner) runner = make_runner (f, CS_MODE_SUPPORT, spec, NULL);
  CsRun *run = cs_runner_get_run (runner);
  Wait w = { 0 };

  run_to_end (runner, &w);
  g_assert_no_error (w.error);
  g_assert_true (w.ok);
  g_assert_cmpint (cs_run_get_state (run), ==, CS_RUN_DONE);
  g_assert_cmpint (cs_candidate_get_status (cs_test_candidate (run, 0)), ==, CS_CANDIDATE_OK);

  assert_failed (run, 1, CS_CANDIDATE_FAILED, "Authentication failed at mini (HTTP 401): Invalid Authentication");
  g_assert_cmpuint (mini_count ("unauthorized"), ==, 1);
  assert_failed (run, 2, CS_CANDIDATE_FAILED, "Access denied by mini (HTTP 403): Your organization has no access");
  g_assert_cmpuint (mini_count ("forbidden"), ==, 1);
  assert_failed (run, 3, CS_CANDIDATE_FAILED, "Server error at mini (HTTP 502)");
  assert_failed (run, 3, CS_CANDIDATE_FAILED, "Retried 2 times.");
  g_assert_cmpuint (mini_count ("badgateway"), ==, 3);
  /* an HTML page is not quoted as if it were the provider's message */
  g_assert_null (strstr (cs_candidate_get_error (cs_test_candidate (run, 3)), "<html>"));
  assert_failed (run, 4, CS_CANDIDATE_FAILED, "Rate limited by mini (HTTP 429)");
  g_assert_cmpuint (mini_count ("ratelimit-nohint"), ==, 3);
  assert_failed (run, 5, CS_CANDIDATE_FAILED, "Model or endpoint not found at demo (HTTP 404)");
  g_assert_cmpuint (cs_test_provider_get_request_count (provider, "demo-alpha+404"), ==, 1);
  assert_failed (run, 6, CS_CANDIDATE_FAILED, "Server error at demo (HTTP 503)");
  g_assert_cmpuint (cs_test_provider_get_request_count (provider, "demo-alpha+503"), ==, 2);
  assert_failed (run, 7, CS_CANDIDATE_FAILED, "Rate limited by demo (HTTP 429)");
  g_assert_cmpuint (cs_test_provider_get_request_count (provider, "demo-alpha+429"), ==, 2);
  assert_kept (f, run);
}

/* ------------------------------------------------------------------------ */
/* stream faults: silence past the idle timeout, a reply past the limit */

static void
test_stream_limits (Fixture       *f,
                    gconstpointer  data)
{
  const char *spec[] = {
    "demo/demo-alpha",            /* c1 ok */
    "demo/demo-alpha+silence",    /* c2 one delta, then silence: idle-timeout=2 (× slack) */
    "demo/demo-alpha+big",        /* c3 6 MB against max-reply-bytes=1048576 */
    NULL
  };
  g_autoptr(CsRunner) runner = make_runner (f, CS_MODE_ARCHITECT, spec, NULL);
  CsRun *run = cs_runner_get_run (runner);
  gint64 start = g_get_monotonic_time ();
  Wait w = { 0 };

  run_to_end (runner, &w);
  g_assert_no_error (w.error);
  g_assert_true (w.ok);
  /* the silent stream did not hold the run for its ten minutes */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 20 * slack * G_USEC_PER_SEC);
  g_assert_cmpint (cs_candidate_get_status (cs_test_candidate (run, 0)), ==, CS_CANDIDATE_OK);

  assert_failed (run, 1, CS_CANDIDATE_FAILED, "idle timeout");
  /* the delta that did arrive is kept */
  g_assert_cmpstr (cs_candidate_get_text (cs_test_candidate (run, 1)), !=, "");

  assert_failed (run, 2, CS_CANDIDATE_FAILED, "passed the limit");
  /* memory stays bounded: what is kept is under the limit */
  g_assert_cmpuint (strlen (cs_candidate_get_text (cs_test_candidate (run, 2))), <=, 1048576);
  assert_kept (f, run);
}

/* ------------------------------------------------------------------------ */
/* the judge failing in every way: the deterministic result stands */

static void
test_judge_fails (Fixture       *f,
                  gconstpointer  data)
{
  const char *judges[] = {
    "demo/demo-judge+404", "demo/demo-judge+quota", "demo/demo-judge+streamerror",
    "demo/demo-judge+silence", "demo/demo-judge+truncate", "demo/demo-judge+refuse",
    "demo/demo-judge+invalid",
  };

  for (guint j = 0; j < G_N_ELEMENTS (judges); j++)
    {
      const char *spec[] = { "demo/demo-alpha", "demo/demo-gamma", NULL };
      g_autoptr(CsRunner) runner = make_runner (f, j % 2 ? CS_MODE_SUPPORT : CS_MODE_ARCHITECT,
                                                spec, judges[j]);
      g_autoptr(CsRun) loaded = NULL;
      CsRun *run = cs_runner_get_run (runner);
      Wait w = { 0 };

      g_test_message ("judge %s", judges[j]);
      run_to_end (runner, &w);
      g_assert_no_error (w.error);
      g_assert_true (w.ok);
      g_assert_cmpint (cs_run_get_state (run), ==, CS_RUN_DONE);
      g_assert_cmpuint (cs_run_count_status (run, CS_CANDIDATE_OK), ==, 2);
      g_assert_false (has_method (run, "judge"));
      g_assert_true (has_method (run, "ensemble"));
      g_assert_true (is_degraded (run));
      g_assert_nonnull (cs_run_get_message (run));
      g_test_message ("  note: %s", cs_run_get_message (run));
      g_assert_nonnull (strstr (cs_run_get_message (run), "judge"));
      /* a refusal is named as one, with the model's words */
      if (g_str_has_suffix (judges[j], "+refuse"))
        g_assert_nonnull (strstr (cs_run_get_message (run), "failed: it refused: "));
      g_assert_null (strstr (cs_run_get_message (run), ".."));
      loaded = reload (f, run);
      g_assert_cmpint (cs_run_get_state (loaded), ==, CS_RUN_DONE);
      g_assert_nonnull (cs_run_get_synthesis (loaded));
      g_assert_cmpstr (cs_run_get_message (loaded), ==, cs_run_get_message (run));
    }
}

/* ------------------------------------------------------------------------ */
/* keys: each goes only to its own provider; no keyring is not a crash */

static void
test_key_isolation (Fixture       *f,
                    gconstpointer  data)
{
  const char *spec[] = { "keya/demo-alpha", "plainb/demo-gamma", "keyc/demo-alpha", NULL };
  g_autoptr(CsRunner) runner = NULL;
  g_autoptr(GPtrArray) requests_b = NULL;
  g_autoptr(GPtrArray) requests_a = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *json = NULL;
  g_autofree char *markdown = NULL;
  g_autofree char *exported = NULL;
  CsRun *run;
  Wait w = { 0 };

  g_setenv ("CS_FAULTS_KEY_A", KEY_A, TRUE);
  g_setenv ("CS_FAULTS_KEY_C", KEY_C, TRUE);
  cs_test_provider_set_required_key (provider, KEY_A);
  cs_test_provider_set_required_key (provider_c, KEY_C);

  runner = make_runner (f, CS_MODE_ARCHITECT, spec, NULL);
  run = cs_runner_get_run (runner);
  run_to_end (runner, &w);
  g_assert_no_error (w.error);
  g_assert_true (w.ok);
  /* A and C accept only their own key: both got exactly theirs */
  for (guint i = 0; i < 3; i++)
    g_assert_cmpint (cs_candidate_get_status (cs_test_candidate (run, i)), ==, CS_CANDIDATE_OK);

  /* B has no key: no Authorization header reached it at all */
  requests_b = cs_test_provider_get_requests (provider_b);
  g_assert_cmpuint (requests_b->len, >=, 1);
  for (guint i = 0; i < requests_b->len; i++)
    {
      JsonObject *o = json_node_get_object (g_ptr_array_index (requests_b, i));

      g_assert_cmpstr (json_object_get_string_member (o, "authorization"), ==, "absent");
    }
  requests_a = cs_test_provider_get_requests (provider);
  g_assert_cmpuint (requests_a->len, >=, 1);
  for (guint i = 0; i < requests_a->len; i++)
    {
      JsonObject *o = json_node_get_object (g_ptr_array_index (requests_a, i));

      g_assert_cmpstr (json_object_get_string_member (o, "authorization"), ==, "present");
    }

  /* and neither key is in the run, its file or its exports */
  node = cs_run_to_json (run);
  json = json_to_string (node, FALSE);
  markdown = cs_export_markdown (run);
  exported = cs_export_json (run);
  cs_run_store_flush (f->store);
  {
    g_autofree char *path = g_strdup_printf ("%s/%s.json", f->runs_dir, cs_run_get_id (run));
    g_autofree char *file = NULL;

    g_assert_true (g_file_get_contents (path, &file, NULL, NULL));
    g_assert_null (strstr (file, KEY_A));
    g_assert_null (strstr (file, KEY_C));
  }
  g_assert_null (strstr (json, KEY_A));
  g_assert_null (strstr (json, KEY_C));
  g_assert_null (strstr (markdown, KEY_A));
  g_assert_null (strstr (exported, KEY_C));

  cs_test_provider_set_required_key (provider, NULL);
  cs_test_provider_set_required_key (provider_c, NULL);
  g_unsetenv ("CS_FAULTS_KEY_A");
  g_unsetenv ("CS_FAULTS_KEY_C");
}

static void
test_keyring_missing (Fixture       *f,
                      gconstpointer  data)
{
  if (g_test_subprocess ())
    {
      const char *spec[] = { "demo/demo-alpha", "keyring/demo-alpha", NULL };
      g_autoptr(CsRunner) runner = NULL;
      CsRun *run;
      Wait w = { 0 };

      /* a fresh process that never talked to D-Bus: no session bus */
      g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/consilium-test-bus", TRUE);
      runner = make_runner (f, CS_MODE_SUPPORT, spec, NULL);
      run = cs_runner_get_run (runner);
      run_to_end (runner, &w);
      g_assert_no_error (w.error);
      g_assert_true (w.ok);
      /* a local provider works without a key */
      g_assert_cmpint (cs_candidate_get_status (cs_test_candidate (run, 0)), ==, CS_CANDIDATE_OK);
      assert_failed (run, 1, CS_CANDIDATE_FAILED, "The system keyring is not available");
      /* no request went out without the key it needs */
      g_assert_cmpuint (cs_test_provider_get_request_count (provider, "demo-alpha"), ==, 1);
      assert_kept (f, run);
      return;
    }

  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* ------------------------------------------------------------------------ */
/* the disk refuses the run file */

typedef struct {
  guint  n_failed;
  char  *message;
} SaveLog;

static void
save_failed_cb (CsRunStore *store,
                CsRun      *run,
                const char *message,
                SaveLog    *log)
{
  log->n_failed++;
  g_free (log->message);
  log->message = g_strdup (message);
}

static guint
count_files (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  g_assert_nonnull (d);
  while (g_dir_read_name (d) != NULL)
    n++;
  return n;
}

/* The file on disk: valid JSON of the run, whatever happened since. */
static CsRun *
load_file (const char *path)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  CsRun *run;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  run = cs_run_new_from_json (json_parser_get_root (parser), &error);
  g_assert_no_error (error);
  g_assert_nonnull (run);
  return run;
}

/* Files may not grow past a few KiB (RLIMIT_FSIZE): every write of the run
 * file fails with EFBIG, as on a full disk (ENOSPC takes the same path:
 * the write of the temporary file fails). The run still completes in
 * memory, the person is told (::save-failed, which the CLI prints and the
 * app shows), and the next save after space comes back succeeds.
 *
 * With @data TRUE it also checks that the last good file stays whole (the
 * store writes with G_FILE_SET_CONTENTS_CONSISTENT: a failed write leaves
 * the previous file untouched). */
static void
test_disk_full (Fixture       *f,
                gconstpointer  data)
{
  gboolean check_file = GPOINTER_TO_INT (data);

  if (g_test_subprocess ())
    {
      const char *spec[] = { "demo/demo-alpha", "demo/demo-gamma", NULL };
      g_autoptr(CsRunner) runner = make_runner (f, CS_MODE_ARCHITECT, spec, NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(CsRun) on_disk = NULL;
      g_autofree char *path = NULL;
      CsRun *run = cs_runner_get_run (runner);
      struct rlimit limit;
      GStatBuf st;
      SaveLog log = { 0 };
      Wait w = { 0 };

      /* the draft fits */
      g_assert_true (cs_run_store_save_sync (f->store, run, &error));
      g_assert_no_error (error);
      path = g_strdup_printf ("%s/%s.json", f->runs_dir, cs_run_get_id (run));
      g_assert_cmpint (g_stat (path, &st), ==, 0);

      /* then the disk is "full": nothing larger than the draft fits */
      signal (SIGXFSZ, SIG_IGN);
      g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &limit), ==, 0);
      limit.rlim_cur = (rlim_t) st.st_size + 256;
      g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limit), ==, 0);

      g_signal_connect (f->store, "save-failed", G_CALLBACK (save_failed_cb), &log);
      run_to_end (runner, &w);
      cs_run_store_flush (f->store);
      g_assert_no_error (w.error);
      g_assert_true (w.ok);
      g_assert_cmpint (cs_run_get_state (run), ==, CS_RUN_DONE);
      g_assert_cmpuint (log.n_failed, >=, 1);
      g_assert_nonnull (log.message);
      g_test_message ("save-failed: %s", log.message);
      /* the blocking save says so too */
      g_assert_false (cs_run_store_save_sync (f->store, run, &error));
      g_assert_nonnull (error);
      g_clear_error (&error);

      /* the run in memory is complete: it can still be exported */
      {
        g_autofree char *md = cs_export_markdown (run);
        g_assert_nonnull (strstr (md, "(demo-alpha)"));
      }

      if (check_file)
        {
          /* the file on disk is the last good one, whole: the draft, or
           * the first running state if that still fitted */
          on_disk = load_file (path);
          g_assert_cmpstr (cs_run_get_id (on_disk), ==, cs_run_get_id (run));
          g_assert_true (cs_run_get_state (on_disk) == CS_RUN_DRAFT ||
                         cs_run_get_state (on_disk) == CS_RUN_RUNNING);
          g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (on_disk)), ==, 2);
          g_clear_object (&on_disk);
        }

      /* space comes back: the next save succeeds, no temporary file is left */
      limit.rlim_cur = limit.rlim_max;
      g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limit), ==, 0);
      g_assert_true (cs_run_store_save_sync (f->store, run, &error));
      g_assert_no_error (error);
      on_disk = load_file (path);
      g_assert_cmpint (cs_run_get_state (on_disk), ==, CS_RUN_DONE);
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (on_disk)), ==, 2);
      g_assert_cmpuint (count_files (f->runs_dir), ==, 1);
      g_free (log.message);
      return;
    }

  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketService) garbage = NULL;
  g_autofree char *tmp = NULL;
  int ret;

  /* before anything reads the XDG directories */
  tmp = cs_test_make_data_home ("faults");

  g_test_init (&argc, &argv, NULL);
  signal (SIGPIPE, SIG_IGN);
  slack = cs_test_slack ();

  provider = cs_test_provider_start_new ();
  provider_b = cs_test_provider_start_new ();
  provider_c = cs_test_provider_start_new ();

  mini_counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  mini_server = soup_server_new (NULL, NULL);
  soup_server_add_handler (mini_server, NULL, mini_callback, NULL, NULL);
  g_assert_true (soup_server_listen_local (mini_server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  {
    GSList *uris = soup_server_get_uris (mini_server);

    mini_port = g_uri_get_port (uris->data);
    g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  }

  garbage = g_socket_service_new ();
  {
    g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
    g_autoptr(GSocketAddress) addr = g_inet_socket_address_new (loopback, 0);
    g_autoptr(GSocketAddress) effective = NULL;

    g_socket_listener_add_address (G_SOCKET_LISTENER (garbage), addr, G_SOCKET_TYPE_STREAM,
                                   G_SOCKET_PROTOCOL_TCP, NULL, &effective, &error);
    g_assert_no_error (error);
    garbage_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  }
  g_signal_connect (garbage, "incoming", G_CALLBACK (garbage_incoming), NULL);
  g_socket_service_start (garbage);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, cs_test_fixture_tear_down)
#define ADD_DATA(path, data, func) \
  g_test_add (path, Fixture, data, fixture_set_up, func, cs_test_fixture_tear_down)

  ADD ("/faults/keyring-missing", test_keyring_missing);
  ADD ("/faults/connect", test_connect);
  ADD ("/faults/http", test_http);
  ADD ("/faults/stream-limits", test_stream_limits);
  ADD ("/faults/judge-fails", test_judge_fails);
  ADD ("/faults/key-isolation", test_key_isolation);
  ADD_DATA ("/faults/disk-full", GINT_TO_POINTER (FALSE), test_disk_full);
  ADD_DATA ("/faults/disk-full-keeps-last-file", GINT_TO_POINTER (TRUE), test_disk_full);

#undef ADD
#undef ADD_DATA

  ret = g_test_run ();

  g_socket_service_stop (garbage);
  g_clear_object (&mini_server);
  g_hash_table_unref (mini_counts);
  g_clear_object (&provider);
  g_clear_object (&provider_b);
  g_clear_object (&provider_c);
  cs_test_rm_rf (tmp);
  return ret;
}
