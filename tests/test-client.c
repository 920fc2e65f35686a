/* test-client.c: CsProviderClient against the in-process test provider
 *
 * Real HTTP over loopback: the CsTestProvider for the dialects and the
 * scripted faults, and a small SoupServer of our own for what needs to be
 * measured on the server side (concurrency, closed connections, headers the
 * test provider does not send).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <libsoup/soup.h>

#include "cs-engine-resources.h"
#include "cs-provider-client.h"
#include "cs-provider-client-private.h"
#include "cs-secret-scrub.h"
#include "cs-retry.h"
#include "cs-test-cpu-wait.h"
#include "cs-test-provider.h"

#define MAX_CHOICES 4

/* Upper time bounds are requirements on an idle machine; under valgrind
 * (or CONSILIUM_TEST_SLOW=FACTOR, for sanitizer builds) they stretch. */
#define LATE(ms) ((gint64) (ms) * slack)
static gint64 slack = 1;

static CsTestProvider *provider;
static JsonNode *architect_schema;

/* A run of one request */

typedef struct {
  GString  *text[MAX_CHOICES];
  GString  *reasoning[MAX_CHOICES];
  GString  *refusal[MAX_CHOICES];
  char     *finish[MAX_CHOICES];
  guint     n_events;
  gboolean  usage;
  gint64    output_tokens;
  gboolean  done_event;
  guint     error_events;
  char     *error_code;
  gboolean  completed;
  gboolean  ok;
  GError   *error;
  CsChatStats stats;
  gint64    started;
  gint64    elapsed_ms;
  gint64    first_event_at;
  GCancellable *cancel_on_event;  /* cancelled at the first event */
  gint64    cancelled_at;
  gint64    cancelled_wait;   /* cs_test_cpu_wait_us () then */
} Result;

static Result *
result_new (void)
{
  Result *r = g_new0 (Result, 1);

  for (guint i = 0; i < MAX_CHOICES; i++)
    {
      r->text[i] = g_string_new (NULL);
      r->reasoning[i] = g_string_new (NULL);
      r->refusal[i] = g_string_new (NULL);
    }
  r->started = g_get_monotonic_time ();
  return r;
}

static void
result_free (Result *r)
{
  for (guint i = 0; i < MAX_CHOICES; i++)
    {
      g_string_free (r->text[i], TRUE);
      g_string_free (r->reasoning[i], TRUE);
      g_string_free (r->refusal[i], TRUE);
      g_free (r->finish[i]);
    }
  g_clear_error (&r->error);
  g_clear_object (&r->cancel_on_event);
  g_free (r->error_code);
  g_free (r);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Result, result_free)

static void
on_event (const CsStreamEvent *event,
          gpointer             data)
{
  Result *r = data;

  /* never after completion */
  g_assert_false (r->completed);
  g_assert_cmpuint (event->choice, <, MAX_CHOICES);
  g_assert_nonnull (event->text);

  r->n_events++;
  if (r->first_event_at == 0)
    r->first_event_at = g_get_monotonic_time ();

  switch (event->type)
    {
    case CS_STREAM_EVENT_TEXT:
      g_string_append_len (r->text[event->choice], event->text, event->len);
      break;
    case CS_STREAM_EVENT_REASONING:
      g_string_append_len (r->reasoning[event->choice], event->text, event->len);
      break;
    case CS_STREAM_EVENT_REFUSAL:
      g_string_append_len (r->refusal[event->choice], event->text, event->len);
      break;
    case CS_STREAM_EVENT_FINISH:
      g_free (r->finish[event->choice]);
      r->finish[event->choice] = g_strdup (event->text);
      break;
    case CS_STREAM_EVENT_USAGE:
      r->usage = TRUE;
      r->output_tokens = event->output_tokens;
      break;
    case CS_STREAM_EVENT_DONE:
      r->done_event = TRUE;
      break;
    case CS_STREAM_EVENT_ERROR:
      r->error_events++;
      g_free (r->error_code);
      r->error_code = g_strdup (event->code);
      break;
    default:
      g_assert_not_reached ();
    }

  if (r->cancel_on_event != NULL && r->cancelled_at == 0)
    {
      r->cancelled_at = g_get_monotonic_time ();
      r->cancelled_wait = cs_test_cpu_wait_us ();
      g_cancellable_cancel (r->cancel_on_event);
    }
}

static void
on_done (GObject      *object,
         GAsyncResult *result,
         gpointer      data)
{
  Result *r = data;

  g_assert_false (r->completed);
  r->ok = cs_provider_client_stream_finish (CS_PROVIDER_CLIENT (object), result,
                                            &r->stats, &r->error);
  g_assert_true (r->ok == (r->error == NULL));
  r->completed = TRUE;
  r->elapsed_ms = (g_get_monotonic_time () - r->started) / 1000;
}

static JsonNode *
make_messages (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_assert_true (json_parser_load_from_data (parser,
    "[{\"role\":\"system\",\"content\":\"You are a software architect. Answer in JSON.\"},"
    " {\"role\":\"user\",\"content\":\"Design a URL shortener for 10k requests per second.\"}]",
    -1, NULL));
  return json_node_copy (json_parser_get_root (parser));
}

static void
init_request (CsChatRequest *req,
              const char    *model,
              JsonNode      *messages)
{
  memset (req, 0, sizeof *req);
  req->model = model;
  req->messages = messages;
  req->n = 1;
  req->temperature = NAN;
  req->structured = CS_STRUCTURED_JSON_SCHEMA;
  req->schema = architect_schema;
  req->schema_name = "architect_candidate";
}

static void
wait_for (gboolean *flag)
{
  while (!*flag)
    g_main_context_iteration (NULL, TRUE);
}

static Result *
run_request_full (CsProviderClient    *client,
                  const CsChatRequest *req,
                  GCancellable        *cancellable)
{
  Result *r = result_new ();

  cs_provider_client_stream_async (client, req, on_event, r, cancellable, on_done, r);
  wait_for (&r->completed);
  if (r->error != NULL)
    g_test_message ("%s: %s", req->model, r->error->message);
  return r;
}

static Result *
run_model (CsProviderClient *client,
           const char       *model)
{
  g_autoptr(JsonNode) messages = make_messages ();
  CsChatRequest req;

  init_request (&req, model, messages);
  return run_request_full (client, &req, NULL);
}

static CsProviderConfig *
make_config (CsApiDialect api)
{
  g_autofree char *url = NULL;
  CsProviderConfig *config;

  if (api == CS_API_OLLAMA)
    url = cs_test_provider_dup_root_url (provider);
  else
    url = cs_test_provider_dup_base_url (provider);

  config = cs_provider_config_new ("testprov", url, api);
  g_free (config->name);
  config->name = g_strdup ("TestProv");
  config->max_concurrent = 8;
  config->requests_per_minute = 0;
  config->max_retries = 2;
  /* a loaded machine under the sanitizers answers late (a first byte
   * after 10 s was seen with 7 requests at once): stretched as LATE () */
  config->connect_timeout_s = 5 * slack;
  config->first_byte_timeout_s = 10 * slack;
  config->idle_timeout_s = 10 * slack;
  config->max_reply_bytes = 8 * 1024 * 1024;
  return config;
}

static CsProviderClient *
make_client (CsApiDialect api)
{
  g_autoptr(CsProviderConfig) config = make_config (api);

  return cs_provider_client_new (config);
}

static void
assert_valid_candidate (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  g_assert_cmpuint (strlen (text), >, 100);
  if (!json_parser_load_from_data (parser, text, -1, &error))
    g_error ("not JSON (%s): %.200s", error->message, text);
  root = json_parser_get_root (parser);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  g_assert_true (json_object_has_member (json_node_get_object (root), "components"));
}

static void
assert_plain_success (Result *r)
{
  g_assert_no_error (r->error);
  g_assert_true (r->ok);
  assert_valid_candidate (r->text[0]->str);
  g_assert_true (r->usage);
  g_assert_cmpint (r->output_tokens, >, 0);
  g_assert_cmpstr (r->finish[0], ==, "stop");
  g_assert_true (r->done_event);
  g_assert_true (r->stats.streamed);
  g_assert_cmpuint (r->stats.attempts, ==, 1);
  g_assert_cmpuint (r->stats.http_status, ==, 200);
  g_assert_cmpint (r->stats.ttft_ms, >=, 0);
  g_assert_cmpint (r->stats.duration_ms, >=, r->stats.ttft_ms);
}

static JsonObject *
last_request_body (void)
{
  g_autoptr(GPtrArray) requests = cs_test_provider_get_requests (provider);
  JsonNode *last;
  JsonNode *body;

  g_assert_cmpuint (requests->len, >, 0);
  last = g_ptr_array_index (requests, requests->len - 1);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (last));
  body = json_object_get_member (json_node_get_object (last), "body");
  g_assert_nonnull (body);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (body));
  /* keep the object alive beyond the array */
  return json_object_ref (json_node_get_object (body));
}

static const char *
last_request_member (const char *member)
{
  g_autoptr(GPtrArray) requests = cs_test_provider_get_requests (provider);
  JsonNode *last;

  g_assert_cmpuint (requests->len, >, 0);
  last = g_ptr_array_index (requests, requests->len - 1);
  return g_intern_string (json_object_get_string_member_with_default (json_node_get_object (last), member, ""));
}

/* Tests against the test provider */

static void
test_plain (void)
{
  g_autoptr(CsProviderClient) client = make_client (CS_API_OPENAI_CHAT);
  g_autoptr(Result) r = NULL;
  g_autoptr(JsonObject) body = NULL;
  JsonObject *format;
  JsonObject *json_schema;

  cs_test_provider_reset (provider);
  r = run_model (client, "demo-alpha");
  assert_plain_success (r);
  g_assert_cmpuint (cs_test_provider_get_request_count (provider, "demo-alpha"), ==, 1);
  g_assert_cmpint (r->stats.queued_ms, <, LATE (100));

  /* the request body */
  body = last_request_body ();
  g_assert_cmpstr (json_object_get_string_member (body, "model"), ==, "demo-alpha");
  g_assert_true (json_object_get_boolean_member (body, "stream"));
  g_assert_true (json_object_get_boolean_member (json_object_get_object_member (body, "stream_options"),
                                                 "include_usage"));
  g_assert_false (json_object_has_member (body, "n"));
  g_assert_false (json_object_has_member (body, "temperature"));
  g_assert_false (json_object_has_member (body, "max_completion_tokens"));
  g_assert_false (json_object_has_member (body, "reasoning_effort"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (body, "messages")), ==, 2);
  format = json_object_get_object_member (body, "response_format");
  g_assert_cmpstr (json_object_get_string_member (format, "type"), ==, "json_schema");
  json_schema = json_object_get_object_member (format, "json_schema");
  g_assert_cmpstr (json_object_get_string_member (json_schema, "name"), ==, "architect_candidate");
  g_assert_true (json_object_get_boolean_member (json_schema, "strict"));
  g_assert_true (json_node_equal (json_object_get_member (json_schema, "schema"), architect_schema));
  g_assert_cmpstr (last_request_member ("authorization"), ==, "absent");
}

static void
test_options (void)
{
  g_autoptr(CsProviderClient) client = make_client (CS_API_OPENAI_CHAT);
  g_autoptr(JsonNode) messages = make_messages ();
  g_autoptr(Result) r = NULL;
  g_autoptr(JsonObject) body = NULL;
  CsChatRequest req;

  cs_test_provider_reset (provider);
  cs_provider_client_set_api_key (client, "sk-test-options-1234");
  init_request (&req, "demo-beta", messages);
  req.temperature = 0.5;
  req.max_output_tokens = 4000;
  req.reasoning_effort = "low";
  req.structured = CS_STRUCTURED_JSON_OBJECT;
  r = run_request_full (client, &req, NULL);
  g_assert_no_error (r->error);

  body = last_request_body ();
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (body, "temperature"), 0.5, 1e-9);
  g_assert_cmpint (json_object_get_int_member (body, "max_completion_tokens"), ==, 4000);
  g_assert_cmpstr (json_object_get_string_member (body, "reasoning_effort"), ==, "low");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (body, "response_format"), "type"),
                   ==, "json_object");
  g_assert_cmpstr (last_request_member ("authorization"), ==, "present");
}

static void
test_n2 (void)
{
  g_autoptr(CsProviderClient) client = make_client (CS_API_OPENAI_CHAT);
  g_autoptr(JsonNode) messages = make_messages ();
  g_autoptr(Result) r = NULL;
  g_autoptr(JsonObject) body = NULL;
  CsChatRequest req;

  init_request (&req, "demo-alpha", messages);
  req.n = 2;
  r = run_request_full (client, &req, NULL);
  g_assert_no_error (r->error);
  assert_valid_candidate (r->text[0]->str);
  assert_valid_candidate (r->text[1]->str);
  g_assert_cmpstr (r->text[0]->str, !=, r->text[1]->str);
  g_assert_cmpstr (r->finish[0], ==, "stop");
  g_assert_cmpstr (r->finish[1], ==, "stop");
  g_assert_true (r->usage);
  g_assert_cmpuint (r->text[2]->len, ==, 0);

  body = last_request_body ();
  g_assert_cmpint (json_object_get_int_member (body, "n"), ==, 2);
}

static void
test_reasoning (void)
{
  g_autoptr(CsProviderClient) client = make_client (CS_API_OPENAI_CHAT);
  g_autoptr(Result) r = run_model (client, "demo-alpha+reasoning");

  g_assert_no_error (r->error);
  g_assert_cmpuint (r->reasoning[0]->len, >, 20);
  assert_valid_candidate (r->text[0]->str);
  g_assert_null (strstr (r->text[0]->str, r->reasoning[0]->str));
}

static void
test_refusal (void)
{
  g_autoptr(CsProviderClient) client = make_client (CS_API_OPENAI_CHAT);
  g_autoptr(Result) r = run_model (client, "demo-alpha+refuse");

  g_assert_no_error (r->error);
  g_assert_cmpuint (r->refusal[0]->len, >, 10);
  g_assert_cmpuint (r->text[0]->len, ==, 0);
  g_assert_true (r->done_event);
}

static void
test_429_once (void)
{
  g_autoptr(CsProviderClient) client = make_client (CS_API_OPENAI_CHAT);
  g_autoptr(Result) r = NULL;

  cs_test_provider_reset (provider);
  r = run_model (client, "demo-alpha+429once");
  g_assert_no_error (r->error);
  assert_valid_candidate (r->text[0]->str);
  g_assert_cmpuint (r->stats.attempts, ==, 2);
  /* retry-after: 1 was honoured */
  g_assert_cmpint (r->elapsed_ms, >=, 950);
  g_assert_cmpint (r->elapsed_ms, <, LATE (5000));
  g_assert_cmpuint (cs_test_provider_get_request_count (provider, "demo-alpha+429once"), ==, 2);
}

static void
test_429_ms (void)
{
  g_autoptr(CsProviderConfig) config = make_config (CS_API_OPENAI_CHAT);
  g_autoptr(CsProviderClient) client = NULL;
  g_autoptr(Result) r = NULL;

  config->max_retries = 1;
  client = cs_provider_client_new (config);
  cs_test_provider_reset (provider);
  r = run_model (client, "demo-alpha+429ms");
  g_assert_error (r->error, CS_CLIENT_ERROR, CS_CLIENT_ERROR_RATE_LIMITED);
  g_assert_cmpuint (r->stats.attempts, ==, 2);
  g_assert_cmpuint (r->stats.http_status, ==, 429);
  g_assert_nonnull (strstr (r->error->message, "Retried once."));
  /* a wait of at least retry-after-ms: 200 (the provider also says
   * x-ratelimit-remaining-requests: 0 for 1 s, which holds the queue) */
  g_assert_cmpint (r->elapsed_ms, >=, 190);
  g_assert_cmpint (r->elapsed_ms, <, LATE (3000));
  g_assert_cmpuint (cs_test_provider_get_request_count (provider, "demo-alpha+429ms"), ==, 2);
  g_assert_false (r->stats.streamed);
}

static void
test_429_forever (void)
{
  g_autoptr(CsProviderClient) client = make_client (CS_API_OPENAI_CHAT);
  g_autoptr(Result) r = NULL;

  cs_test_provider_reset (provider);
  r = run_model (client, "demo-alpha+429");
  g_assert_error (r->error, CS_CLIENT_ERROR, CS_CLIENT_ERROR_RATE_LIMITED);
  g_assert_cmpuint (r->stats.attempts, ==, 3);
  g_assert_cmpint (r->elapsed_ms, >=, 1950);
  g_assert_nonnull (strstr (r->error->message, "Rate limited by TestProv (HTTP 429)"));
  g_assert_nonnull (strstr (r->error->message, "Retried 2 times."));
  g_assert_cmpuint (cs_test_provider_get_request_count (provider, "demo-alpha+429"), ==, 3);
}

static void
test_quota (void)
{
  g_autoptr(CsProviderClient) client = make_client (CS_API_OPENAI_CHAT);
  g_autoptr(Result) r = NULL;

  cs_test_provider_reset (provider);
  r = run_model (client, "demo-alpha+quota");
  g_assert_error (r->error, CS_CLIENT_ERROR, CS_CLIENT_ERROR_QUOTA);
  g_assert_cmpuint (r->stats.attempts, ==, 1);
  g_assert_nonnull (strstr (r->error->message, "exceeded your current quota"));
  g_assert_cmpuint (cs_test_provider_get_request_count (provider, "demo-alpha+quota"), ==, 1);
}

static void
test_5xx_once (void)
{
  const char *models[] = { "demo-alpha+500once", "demo-alpha+503once" };
  g_autoptr(CsProviderClient) client = make_client (CS_API_OPENAI_CHAT);

  cs_test_provider_reset (provider);
  for (guint i = 0; i < G_N_ELEMENTS (models); i++)
    {
      g_autoptr(Result) r = run_model (client, models[i]);

      g_assert_no_error (r->error);
      assert_valid_candidate (r->text[0]->str);
      g_assert_cmpuint (r->stats.attempts, ==, 2);
      g_assert_cmpuint (r->stats.http_status, ==, 200);
      /* backoff of the first retry is at most 0.5 s */
      g_assert_cmpint (r->elapsed_ms, <, LATE (3000));
    }
}

static void
test_500 (void)
{
  g_autoptr(CsProviderClient) client = make_client (CS_API_OPENAI_CHAT);
  g_autoptr(Result) r = NULL;

  cs_test_provider_reset (provider);
  r = run_model (client, "demo-alpha+500");
  g_assert_error (r->error, CS_CLIENT_ERROR, CS_CLIENT_ERROR_SERVER);
  g_assert_cmpuint (r->stats.attempts, ==, 3);
  g_assert_cmpuint (r->stats.http_status, ==, 500);
  g_assert_nonnull (strstr (r->error->message, "HTTP 500"));
  g_assert_cmpuint (cs_test_provider_get_request_count (provider, "demo-alpha+500"), ==, 3);
}

static void
test_no_retry (void)
{
  static const struct {
    const char *model;
    int         code;
    guint       status;
  } cases[] = {
    { "demo-alpha+400", CS_CLIENT_ERROR_BAD_REQUEST, 400 },
    { "demo-alpha+404", CS_CLIENT_ERROR_NOT_FOUND, 404 },
  };
  g_autoptr(CsProviderClient) client = make_client (CS_API_OPENAI_CHAT);

  cs_test_provider_reset (provider);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(Result) r = run_model (client, cases[i].model);

      g_assert_error (r->error, CS_CLIENT_ERROR, cases[i].code);
      g_assert_cmpuint (r->stats.attempts, ==, 1);
      g_assert_cmpuint (r->stats.http_status, ==, cases[i].status);
      g_assert_cmpuint (cs_test_provider_get_request_count (provider, cases[i].model), ==, 1);
      g_assert_cmpint (r->elapsed_ms, <, LATE (1000));
    }
}

static void
test_stream_error (void)
{
  g_autoptr(CsProviderClient) client = make_client (CS_API_OPENAI_CHAT);
  g_autoptr(Result) r = run_model (client, "demo-alpha+streamerror");

  g_assert_error (r->error, CS_CLIENT_ERROR, CS_CLIENT_ERROR_STREAM);
  g_assert_nonnull (strstr (r->error->message, "The model overloaded"));
  g_assert_cmpuint (r->error_events, ==, 1);
  /* the deltas before the error were delivered */
  g_assert_cmpuint (r->text[0]->len, >, 0);
  g_assert_true (r->stats.streamed);
  g_assert_cmpuint (r->stats.attempts, ==, 1);
}

static void
test_truncate (void)
{
  g_autoptr(CsProviderClient) client = make_client (CS_API_OPENAI_CHAT);
  g_autoptr(Result) r = run_model (client, "demo-alpha+truncate");

  g_assert_error (r->error, CS_CLIENT_ERROR, CS_CLIENT_ERROR_TRUNCATED);
  /* in words a person understands */
  g_assert_nonnull (strstr (r->error->message, "stopped before it was complete"));
  g_assert_cmpuint (r->text[0]->len, >, 0);
  g_assert_null (r->finish[0]);
  g_assert_false (r->done_event);
  g_assert_cmpuint (r->stats.attempts, ==, 1);
}

static void
test_silence (void)
{
  g_autoptr(CsProviderConfig) config = make_config (CS_API_OPENAI_CHAT);
  g_autoptr(CsProviderClient) client = NULL;
  g_autoptr(Result) r = NULL;

  config->idle_timeout_s = 1;
  client = cs_provider_client_new (config);
  r = run_model (client, "demo-alpha+silence");
  g_assert_error (r->error, CS_CLIENT_ERROR, CS_CLIENT_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (r->error->message, "idle timeout"));
  g_assert_true (r->stats.streamed);
  g_assert_cmpint (r->elapsed_ms, >=, 950);
  g_assert_cmpint (r->elapsed_ms, <, LATE (3000));
  g_assert_cmpuint (r->stats.attempts, ==, 1);
}

static void
test_hang (void)
{
  g_autoptr(CsProviderConfig) config = make_config (CS_API_OPENAI_CHAT);
  g_autoptr(CsProviderClient) client = NULL;
  g_autoptr(Result) r = NULL;

  config->first_byte_timeout_s = 1;
  client = cs_provider_client_new (config);
  r = run_model (client, "demo-alpha+hang");
  g_assert_error (r->error, CS_CLIENT_ERROR, CS_CLIENT_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (r->error->message, "first-byte timeout"));
  g_assert_false (r->stats.streamed);
  g_assert_cmpint (r->elapsed_ms, >=, 950);
  g_assert_cmpint (r->elapsed_ms, <, LATE (3000));
  /* a model that does not answer is not asked again */
  g_assert_cmpuint (r->stats.attempts, ==, 1);
}

static void
test_big (void)
{
  g_autoptr(CsProviderConfig) config = make_config (CS_API_OPENAI_CHAT);
  g_autoptr(CsProviderClient) client = NULL;
  g_autoptr(Result) r = NULL;

  config->max_reply_bytes = 1024 * 1024;
  client = cs_provider_client_new (config);
  r = run_model (client, "demo-alpha+big");
  g_assert_error (r->error, CS_CLIENT_ERROR, CS_CLIENT_ERROR_TOO_LARGE);
  g_assert_cmpuint (r->text[0]->len, <=, 1024 * 1024);
}

static void
test_framing_variants (void)
{
  static const char * const models[] = {
    "demo-alpha+bytewise", "demo-alpha+crlf", "demo-alpha+comments",
    "demo-alpha+crlf+comments",
  };
  g_autoptr(CsProviderClient) client = make_client (CS_API_OPENAI_CHAT);
  g_autoptr(Result) plain = run_model (client, "demo-alpha");

  assert_plain_success (plain);
  for (guint i = 0; i < G_N_ELEMENTS (models); i++)
    {
      g_autoptr(Result) r = run_model (client, models[i]);

      g_test_message ("%s", models[i]);
      assert_plain_success (r);
      g_assert_cmpstr (r->text[0]->str, ==, plain->text[0]->str);
    }
}

/* Faults in the content are not the client's business: it delivers them. */
static void
test_content_faults (void)
{
  g_autoptr(CsProviderClient) client = make_client (CS_API_OPENAI_CHAT);
  g_autoptr(Result) length = run_model (client, "demo-alpha+length");
  g_autoptr(Result) no_usage = run_model (client, "demo-alpha+nostream_usage");
  g_autoptr(Result) malformed = run_model (client, "demo-alpha+malformed");
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_assert_no_error (length->error);
  g_assert_cmpstr (length->finish[0], ==, "length");
  g_assert_cmpuint (length->text[0]->len, >, 0);
  g_assert_false (json_parser_load_from_data (parser, length->text[0]->str, -1, NULL));

  g_assert_no_error (no_usage->error);
  g_assert_false (no_usage->usage);
  assert_valid_candidate (no_usage->text[0]->str);

  g_assert_no_error (malformed->error);
  g_assert_cmpstr (malformed->finish[0], ==, "stop");
  g_assert_false (json_parser_load_from_data (parser, malformed->text[0]->str, -1, NULL));
}

static void
test_auth (void)
{
  const char *right = "sk-consilium-right-key-0123456789";
  const char *wrong = "sk-consilium-WRONG-key-9876543210";
  g_autoptr(CsProviderClient) client = make_client (CS_API_OPENAI_CHAT);
  g_autoptr(Result) r = NULL;
  g_autoptr(Result) ok = NULL;
  g_autoptr(Result) none = NULL;

  cs_test_provider_reset (provider);
  cs_test_provider_set_required_key (provider, right);

  cs_provider_client_set_api_key (client, wrong);
  r = run_model (client, "demo-alpha");
  g_assert_error (r->error, CS_CLIENT_ERROR, CS_CLIENT_ERROR_AUTH);
  g_assert_cmpuint (r->stats.attempts, ==, 1);
  g_assert_cmpuint (r->stats.http_status, ==, 401);
  g_assert_null (strstr (r->error->message, wrong));
  g_assert_null (strstr (r->error->message, "WRONG-key"));
  g_assert_null (strstr (r->error->message, right));

  cs_provider_client_set_api_key (client, NULL);
  none = run_model (client, "demo-alpha");
  g_assert_error (none->error, CS_CLIENT_ERROR, CS_CLIENT_ERROR_AUTH);
  g_assert_cmpstr (last_request_member ("authorization"), ==, "absent");

  cs_provider_client_set_api_key (client, right);
  ok = run_model (client, "demo-alpha");
  assert_plain_success (ok);
  g_assert_cmpstr (last_request_member ("authorization"), ==, "present");

  cs_test_provider_set_required_key (provider, NULL);
}

static void
test_missing_key (void)
{
  g_autoptr(CsProviderConfig) config = make_config (CS_API_OPENAI_CHAT);
  g_autoptr(CsProviderClient) client = NULL;
  g_autoptr(Result) r = NULL;
  g_autoptr(Result) ok = NULL;

  /* as if the provider were on the internet */
  config->key_optional = FALSE;
  config->api_key_env = g_strdup ("CONSILIUM_TEST_KEY");
  client = cs_provider_client_new (config);
  cs_test_provider_reset (provider);

  r = run_model (client, "demo-alpha");
  g_assert_error (r->error, CS_CLIENT_ERROR, CS_CLIENT_ERROR_AUTH);
  g_assert_nonnull (strstr (r->error->message, "CONSILIUM_TEST_KEY"));
  g_assert_cmpuint (r->stats.attempts, ==, 0);
  g_assert_cmpuint (cs_test_provider_get_request_count (provider, NULL), ==, 0);

  cs_provider_client_set_api_key (client, "sk-now-there-is-one");
  ok = run_model (client, "demo-alpha");
  assert_plain_success (ok);
}

static void
test_cancel_provider (void)
{
  g_autoptr(CsProviderClient) client = make_client (CS_API_OPENAI_CHAT);
  g_autoptr(JsonNode) messages = make_messages ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(Result) r = NULL;
  CsChatRequest req;

  init_request (&req, "demo-alpha+slow", messages);
  r = result_new ();
  r->cancel_on_event = g_object_ref (cancellable);
  cs_provider_client_stream_async (client, &req, on_event, r, cancellable, on_done, r);
  wait_for (&r->completed);

  g_assert_error (r->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (r->n_events, ==, 1);   /* nothing after the cancel */
  /* the time this thread waited for a CPU (a loaded machine) left out */
  g_assert_cmpint (cs_test_usable_us (r->cancelled_at, r->cancelled_wait) / 1000, <, LATE (200));
}

static void
test_cancel_queued (void)
{
  g_autoptr(CsProviderConfig) config = make_config (CS_API_OPENAI_CHAT);
  g_autoptr(CsProviderClient) client = NULL;
  g_autoptr(JsonNode) messages = make_messages ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(Result) first = NULL;
  g_autoptr(Result) second = NULL;
  g_autoptr(Result) precancelled = NULL;
  g_autoptr(GCancellable) already = g_cancellable_new ();
  CsChatRequest req;
  gint64 t;
  gint64 t_wait;

  config->max_concurrent = 1;
  client = cs_provider_client_new (config);
  init_request (&req, "demo-alpha+slow", messages);

  first = result_new ();
  second = result_new ();
  cs_provider_client_stream_async (client, &req, on_event, first, cancellable, on_done, first);
  /* waits for the only slot */
  cs_provider_client_stream_async (client, &req, on_event, second, cancellable, on_done, second);

  while (first->n_events == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (second->n_events, ==, 0);

  t = g_get_monotonic_time ();
  t_wait = cs_test_cpu_wait_us ();
  g_cancellable_cancel (cancellable);
  /* nothing completes inside the cancel handler */
  g_assert_false (first->completed);
  g_assert_false (second->completed);
  wait_for (&first->completed);
  wait_for (&second->completed);
  g_assert_cmpint (cs_test_usable_us (t, t_wait) / 1000, <, LATE (200));
  g_assert_error (first->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_error (second->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (second->stats.attempts, ==, 0);

  /* a cancelled cancellable fails at once */
  g_cancellable_cancel (already);
  precancelled = run_request_full (client, &req, already);
  g_assert_error (precancelled->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (precancelled->n_events, ==, 0);
}

static void
test_rpm (void)
{
  g_autoptr(CsProviderConfig) config = make_config (CS_API_OPENAI_CHAT);
  g_autoptr(CsProviderClient) client = NULL;
  g_autoptr(JsonNode) messages = make_messages ();
  Result *r[7];
  CsChatRequest req;

  /* 60 per minute: a burst of 6, then one every second */
  config->requests_per_minute = 60;
  client = cs_provider_client_new (config);
  init_request (&req, "demo-gamma", messages);

  for (guint i = 0; i < G_N_ELEMENTS (r); i++)
    {
      r[i] = result_new ();
      cs_provider_client_stream_async (client, &req, on_event, r[i], NULL, on_done, r[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (r); i++)
    wait_for (&r[i]->completed);

  for (guint i = 0; i < G_N_ELEMENTS (r); i++)
    {
      g_test_message ("request %u: queued %" G_GINT64_FORMAT " ms", i, r[i]->stats.queued_ms);
      g_assert_no_error (r[i]->error);
      assert_valid_candidate (r[i]->text[0]->str);
      if (i < 6)
        g_assert_cmpint (r[i]->stats.queued_ms, <, LATE (500));
      else
        {
          g_assert_cmpint (r[i]->stats.queued_ms, >=, 700);
          g_assert_cmpint (r[i]->stats.queued_ms, <, LATE (2000));
        }
      result_free (r[i]);
    }
}

static void
test_responses (void)
{
  g_autoptr(CsProviderClient) client = make_client (CS_API_OPENAI_RESPONSES);
  g_autoptr(JsonNode) messages = make_messages ();
  g_autoptr(Result) r = NULL;
  g_autoptr(Result) reasoning = NULL;
  g_autoptr(JsonObject) body = NULL;
  JsonObject *format;
  CsChatRequest req;

  cs_test_provider_reset (provider);
  init_request (&req, "demo-beta", messages);
  req.max_output_tokens = 5000;
  req.reasoning_effort = "medium";
  r = run_request_full (client, &req, NULL);
  g_assert_no_error (r->error);
  assert_valid_candidate (r->text[0]->str);
  g_assert_true (r->usage);
  g_assert_true (r->done_event);
  g_assert_cmpstr (last_request_member ("path"), ==, "/v1/responses");

  body = last_request_body ();
  g_assert_true (json_object_get_boolean_member (body, "stream"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (body, "input")), ==, 2);
  g_assert_false (json_object_has_member (body, "messages"));
  g_assert_false (json_object_has_member (body, "n"));
  g_assert_cmpint (json_object_get_int_member (body, "max_output_tokens"), ==, 5000);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (body, "reasoning"), "effort"),
                   ==, "medium");
  /* Without a summary the API shows no reasoning at all. */
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (body, "reasoning"), "summary"),
                   ==, "auto");
  format = json_object_get_object_member (json_object_get_object_member (body, "text"), "format");
  g_assert_cmpstr (json_object_get_string_member (format, "type"), ==, "json_schema");
  g_assert_cmpstr (json_object_get_string_member (format, "name"), ==, "architect_candidate");
  g_assert_true (json_object_get_boolean_member (format, "strict"));
  g_assert_true (json_node_equal (json_object_get_member (format, "schema"), architect_schema));

  reasoning = run_model (client, "demo-beta+reasoning");
  g_assert_no_error (reasoning->error);
  g_assert_cmpuint (reasoning->reasoning[0]->len, >, 20);
  assert_valid_candidate (reasoning->text[0]->str);

  /* With an effort, the summary streams only because the request asks. */
  g_clear_pointer (&reasoning, result_free);
  init_request (&req, "demo-beta+reasoning", messages);
  req.reasoning_effort = "high";
  reasoning = run_request_full (client, &req, NULL);
  g_assert_no_error (reasoning->error);
  g_assert_cmpuint (reasoning->reasoning[0]->len, >, 20);
  assert_valid_candidate (reasoning->text[0]->str);
}

static void
test_ollama (void)
{
  g_autoptr(CsProviderClient) client = make_client (CS_API_OLLAMA);
  g_autoptr(JsonNode) messages = make_messages ();
  g_autoptr(Result) r = NULL;
  g_autoptr(Result) err = NULL;
  g_autoptr(JsonObject) body = NULL;
  JsonObject *options;
  CsChatRequest req;

  cs_test_provider_reset (provider);
  init_request (&req, "demo-local", messages);
  req.temperature = 0.25;
  req.max_output_tokens = 3000;
  req.reasoning_effort = "high";
  r = run_request_full (client, &req, NULL);
  g_assert_no_error (r->error);
  assert_valid_candidate (r->text[0]->str);
  g_assert_true (r->usage);
  g_assert_true (r->done_event);
  g_assert_cmpstr (last_request_member ("path"), ==, "/api/chat");

  body = last_request_body ();
  g_assert_true (json_object_get_boolean_member (body, "stream"));
  g_assert_true (json_object_get_boolean_member (body, "think"));
  g_assert_true (json_node_equal (json_object_get_member (body, "format"), architect_schema));
  options = json_object_get_object_member (body, "options");
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (options, "temperature"), 0.25, 1e-9);
  g_assert_cmpint (json_object_get_int_member (options, "num_predict"), ==, 3000);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (body, "messages")), ==, 2);

  err = run_model (client, "demo-local+500");
  g_assert_error (err->error, CS_CLIENT_ERROR, CS_CLIENT_ERROR_SERVER);
  g_assert_cmpuint (err->stats.attempts, ==, 3);
}

static void
on_models (GObject      *object,
           GAsyncResult *result,
           gpointer      data)
{
  GStrv *out = data;
  g_autoptr(GError) error = NULL;

  *out = cs_provider_client_list_models_finish (CS_PROVIDER_CLIENT (object), result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (*out);
}

static void
test_list_models (void)
{
  const CsApiDialect dialects[] = { CS_API_OPENAI_CHAT, CS_API_OLLAMA };

  for (guint i = 0; i < G_N_ELEMENTS (dialects); i++)
    {
      g_autoptr(CsProviderClient) client = make_client (dialects[i]);
      g_auto(GStrv) models = NULL;
      const char * const *demo = cs_test_provider_get_demo_models ();

      cs_test_provider_reset (provider);
      cs_provider_client_set_api_key (client, "sk-list-models-key");
      cs_provider_client_list_models_async (client, NULL, on_models, &models);
      while (models == NULL)
        g_main_context_iteration (NULL, TRUE);

      g_assert_cmpuint (g_strv_length (models), ==, g_strv_length ((GStrv) demo));
      for (guint j = 0; demo[j] != NULL; j++)
        {
          /* Ollama names carry their tag, as the real server does */
          g_autofree char *name = dialects[i] == CS_API_OLLAMA ? g_strconcat (demo[j], ":latest", NULL)
                                                               : g_strdup (demo[j]);

          g_assert_true (g_strv_contains ((const char * const *) models, name));
        }
      g_assert_cmpstr (last_request_member ("path"), ==,
                       dialects[i] == CS_API_OLLAMA ? "/api/tags" : "/v1/models");
    }
}

static void
on_models_error (GObject      *object,
                 GAsyncResult *result,
                 gpointer      data)
{
  GError **out = data;
  g_auto(GStrv) models = cs_provider_client_list_models_finish (CS_PROVIDER_CLIENT (object), result, out);

  g_assert_null (models);
  g_assert_nonnull (*out);
}

static void
test_connection_refused (void)
{
  g_autoptr(GSocket) sock = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) addr = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(CsProviderConfig) config = NULL;
  g_autoptr(CsProviderClient) client = NULL;
  g_autoptr(Result) r = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) list_error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *host = NULL;
  gint64 start, elapsed_ms;
  guint port;

  /* a port where nothing listens: bound (without address reuse) and never
   * listening until the end of the test, so that no other process (another
   * test's server) can take it meanwhile */
  sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (sock, addr, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (sock, &error);
  g_assert_no_error (error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));

  url = g_strdup_printf ("http://127.0.0.1:%u/v1", port);
  config = cs_provider_config_new ("closed", url, CS_API_OPENAI_CHAT);
  config->max_retries = 4;
  client = cs_provider_client_new (config);
  cs_provider_client_set_api_key (client, "sk-closed-port-key");
  start = g_get_monotonic_time ();
  r = run_model (client, "demo-alpha");
  elapsed_ms = (g_get_monotonic_time () - start) / 1000;
  g_test_message ("refused after %" G_GINT64_FORMAT " ms", elapsed_ms);
  g_assert_error (r->error, CS_CLIENT_ERROR, CS_CLIENT_ERROR_CONNECT);
  /* nothing listens on a local port: one attempt, no retry ladder (four
   * retries wait 0.5 + 1 + 2 + 4 s at most, ~3.7 s on average) */
  g_assert_cmpuint (r->stats.attempts, ==, 1);
  g_assert_cmpint (elapsed_ms, <, LATE (3000));
  g_assert_cmpuint (r->stats.http_status, ==, 0);
  g_assert_nonnull (strstr (r->error->message, "refused"));
  g_assert_nonnull (strstr (r->error->message, "nothing is listening there"));
  host = g_strdup_printf ("(127.0.0.1:%u)", port);
  g_assert_nonnull (strstr (r->error->message, host));
  g_assert_null (strstr (r->error->message, "sk-closed-port-key"));

  cs_provider_client_list_models_async (client, NULL, on_models_error, &list_error);
  while (list_error == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (list_error, CS_CLIENT_ERROR, CS_CLIENT_ERROR_CONNECT);
}

/* Our own server, for what the test provider cannot show */

typedef struct {
  SoupServer *server;
  guint       port;
  guint       active;
  guint       max_active;
  guint       requests;
  GPtrArray  *arrivals;       /* gint64* monotonic µs */
  SoupServerMessage *paused;  /* the "pause" stream, kept to watch its socket */
  gboolean    paused_finished;
  gboolean    hint_fired;
} Mini;

static Mini mini;

typedef struct {
  SoupServerMessage *msg;
  guint              left;
  guint              delay_ms;
  gboolean           forever;
} MiniStream;

static void
mini_finished (SoupServerMessage *msg,
               gpointer           data)
{
  g_assert_cmpuint (mini.active, >, 0);
  mini.active--;
  if (msg == mini.paused)
    mini.paused_finished = TRUE;
}

static const char sse_delta[] =
  "data: {\"id\":\"x\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ab\"},\"finish_reason\":null}]}\n\n";
static const char sse_end[] =
  "data: {\"id\":\"x\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
  "data: [DONE]\n\n";

static gboolean
mini_tick (gpointer data)
{
  MiniStream *s = data;
  SoupMessageBody *body = soup_server_message_get_response_body (s->msg);

  if (s->forever)
    {
      if (mini.paused_finished)
        {
          g_object_unref (s->msg);
          g_free (s);
          return G_SOURCE_REMOVE;
        }
      soup_message_body_append (body, SOUP_MEMORY_STATIC, ": ping\n\n", 8);
      soup_server_message_unpause (s->msg);
      return G_SOURCE_CONTINUE;
    }

  if (s->left > 0)
    {
      s->left--;
      soup_message_body_append (body, SOUP_MEMORY_STATIC, sse_delta, strlen (sse_delta));
      soup_server_message_unpause (s->msg);
      return G_SOURCE_CONTINUE;
    }

  soup_message_body_append (body, SOUP_MEMORY_STATIC, sse_end, strlen (sse_end));
  soup_message_body_complete (body);
  soup_server_message_unpause (s->msg);
  g_object_unref (s->msg);
  g_free (s);
  return G_SOURCE_REMOVE;
}

static void
mini_stream (SoupServerMessage *msg,
             guint              chunks,
             guint              delay_ms,
             gboolean           forever)
{
  MiniStream *s = g_new0 (MiniStream, 1);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_content_type (headers, "text/event-stream", NULL);
  soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
  s->msg = g_object_ref (msg);
  s->left = chunks;
  s->delay_ms = delay_ms;
  s->forever = forever;
  soup_message_body_append (soup_server_message_get_response_body (msg),
                            SOUP_MEMORY_STATIC, sse_delta, strlen (sse_delta));
  soup_server_message_pause (msg);
  g_timeout_add (delay_ms, mini_tick, s);
}

/* {"error": (or {"data":) followed by 200000 `[`: json-glib alone recurses
 * once per level and overflows the stack on it. */
static char *
deep_body (const char *prefix)
{
  GString *body = g_string_new (prefix);

  for (guint i = 0; i < 200000; i++)
    g_string_append_c (body, '[');
  return g_string_free (body, FALSE);
}

static void
mini_callback (SoupServer        *server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           data)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  SoupMessageBody *request_body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (request_body);
  g_autoptr(JsonParser) parser = json_parser_new ();
  const char *model = "";
  gint64 *now = g_new (gint64, 1);

  *now = g_get_monotonic_time ();
  g_ptr_array_add (mini.arrivals, now);
  mini.requests++;
  mini.active++;
  mini.max_active = MAX (mini.max_active, mini.active);
  g_signal_connect (msg, "finished", G_CALLBACK (mini_finished), NULL);

  if (json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL) &&
      json_parser_get_root (parser) != NULL &&
      JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    model = json_object_get_string_member_with_default (json_node_get_object (json_parser_get_root (parser)),
                                                        "model", "");

  if (g_str_has_suffix (path, "/models"))
    {
      char *body = deep_body ("{\"data\":");

      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, body, strlen (body));
    }
  else if (g_str_equal (model, "deep-error"))
    {
      char *body = deep_body ("{\"error\":");

      soup_server_message_set_status (msg, 500, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, body, strlen (body));
    }
  else if (g_str_equal (model, "stream"))
    mini_stream (msg, 4, 60, FALSE);
  else if (g_str_equal (model, "pause"))
    {
      mini.paused = msg;
      mini.paused_finished = FALSE;
      mini_stream (msg, 0, 50, TRUE);
    }
  else if (g_str_equal (model, "hold"))
    {
      /* the last request of the window: the client must wait 1 s */
      soup_message_headers_replace (headers, "x-ratelimit-remaining-requests", "0");
      soup_message_headers_replace (headers, "x-ratelimit-reset-requests", "1s");
      mini_stream (msg, 1, 5, FALSE);
    }
  else if (g_str_equal (model, "429hint-once") && !mini.hint_fired)
    {
      static const char body[] = "{\"error\":{\"message\":\"Too many\",\"type\":\"requests\"}}";

      mini.hint_fired = TRUE;
      soup_message_headers_replace (headers, "retry-after", "1");
      soup_server_message_set_status (msg, 429, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, body, strlen (body));
    }
  else if (g_str_equal (model, "429hint-once"))
    mini_stream (msg, 1, 5, FALSE);
  else if (g_str_equal (model, "early-error-once") && !mini.hint_fired)
    {
      /* OpenRouter style: 200, then an error instead of the first chunk */
      static const char body[] = ": OPENROUTER PROCESSING\n\n"
        "data: {\"error\":{\"message\":\"Upstream overloaded\",\"code\":502}}\n\n";

      mini.hint_fired = TRUE;
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "text/event-stream", SOUP_MEMORY_STATIC, body, strlen (body));
    }
  else if (g_str_equal (model, "early-error-once"))
    mini_stream (msg, 1, 5, FALSE);
  else if (g_str_equal (model, "early-fatal"))
    {
      static const char body[] =
        "data: {\"error\":{\"message\":\"Prompt violates the policy\",\"code\":\"invalid_prompt\"}}\n\n";

      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "text/event-stream", SOUP_MEMORY_STATIC, body, strlen (body));
    }
  else if (g_str_equal (model, "malformed-chunk"))
    {
      static const char body[] =
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ab\"}}]}\n\n"
        "data: {\"choices\":[{\"index\":0,\"del\n\n"
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"cd\"},\"finish_reason\":\"stop\"}]}\n\n"
        "data: [DONE]\n\n";

      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "text/event-stream", SOUP_MEMORY_STATIC, body, strlen (body));
    }
  else if (g_str_equal (model, "wait-too-long"))
    {
      static const char body[] = "{\"error\":{\"message\":\"Slow down\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}";

      soup_message_headers_replace (headers, "retry-after", "120");
      soup_server_message_set_status (msg, 429, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, body, strlen (body));
    }
  else if (g_str_equal (model, "should-not-retry"))
    {
      static const char body[] = "{\"error\":\"busy\"}";

      soup_message_headers_replace (headers, "x-should-retry", "false");
      soup_server_message_set_status (msg, 503, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, body, strlen (body));
    }
  else if (g_str_equal (model, "echo-key"))
    {
      /* a careless server that quotes the key it got */
      const char *auth = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                       "Authorization");
      g_autofree char *body = g_strdup_printf ("{\"error\":{\"message\":\"Incorrect API key provided: %s. "
                                               "Masked: sk-echo****4567.\",\"type\":\"invalid_request_error\"}}",
                                               auth != NULL ? auth + strlen ("Bearer ") : "none");

      soup_server_message_set_status (msg, 401, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, body, strlen (body));
    }
  else if (g_str_equal (model, "redirect"))
    {
      soup_message_headers_replace (headers, "Location", "http://127.0.0.2:9/v1/chat/completions");
      soup_server_message_set_status (msg, 307, NULL);
    }
  else if (g_str_equal (model, "html"))
    {
      static const char body[] = "<html><body>Welcome to the captive portal</body></html>";

      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "text/html", SOUP_MEMORY_STATIC, body, strlen (body));
    }
  else
    soup_server_message_set_status (msg, 404, NULL);
}

static void
mini_reset (void)
{
  g_assert_cmpuint (mini.active, ==, 0);
  mini.max_active = 0;
  mini.requests = 0;
  mini.paused = NULL;
  mini.hint_fired = FALSE;
  g_ptr_array_set_size (mini.arrivals, 0);
}

static CsProviderClient *
make_mini_client (guint max_concurrent)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/v1", mini.port);
  g_autoptr(CsProviderConfig) config = cs_provider_config_new ("mini", url, CS_API_OPENAI_CHAT);

  config->max_concurrent = max_concurrent;
  config->requests_per_minute = 0;
  config->max_retries = 2;
  return cs_provider_client_new (config);
}

static void
wait_idle_server (void)
{
  gint64 deadline = g_get_monotonic_time () + LATE (10) * G_USEC_PER_SEC;

  while (mini.active > 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (mini.active, ==, 0);
}

static void
test_max_concurrent (void)
{
  g_autoptr(CsProviderClient) client = make_mini_client (2);
  g_autoptr(JsonNode) messages = make_messages ();
  Result *r[6];
  CsChatRequest req;

  mini_reset ();
  init_request (&req, "stream", messages);
  for (guint i = 0; i < G_N_ELEMENTS (r); i++)
    {
      r[i] = result_new ();
      cs_provider_client_stream_async (client, &req, on_event, r[i], NULL, on_done, r[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (r); i++)
    wait_for (&r[i]->completed);

  g_assert_cmpuint (mini.requests, ==, 6);
  g_assert_cmpuint (mini.max_active, ==, 2);
  for (guint i = 0; i < G_N_ELEMENTS (r); i++)
    {
      g_assert_no_error (r[i]->error);
      g_assert_cmpstr (r[i]->text[0]->str, ==, "ababababab");
      if (i >= 2)
        g_assert_cmpint (r[i]->stats.queued_ms, >=, 200);
      result_free (r[i]);
    }
  wait_idle_server ();
}

static void
test_cancel_closes_connection (void)
{
  g_autoptr(CsProviderClient) client = make_mini_client (2);
  g_autoptr(JsonNode) messages = make_messages ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(Result) r = NULL;
  CsChatRequest req;
  gint64 deadline;

  mini_reset ();
  init_request (&req, "pause", messages);
  r = result_new ();
  r->cancel_on_event = g_object_ref (cancellable);
  cs_provider_client_stream_async (client, &req, on_event, r, cancellable, on_done, r);
  wait_for (&r->completed);
  g_assert_error (r->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* the time this thread waited for a CPU (a loaded machine) left out */
  g_assert_cmpint (cs_test_usable_us (r->cancelled_at, r->cancelled_wait) / 1000, <, LATE (200));

  /* the server sees the connection go */
  deadline = g_get_monotonic_time () + LATE (10) * G_USEC_PER_SEC;
  while (!mini.paused_finished && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_true (mini.paused_finished);
  wait_idle_server ();
}

static void
test_ratelimit_hold (void)
{
  g_autoptr(CsProviderClient) client = make_mini_client (4);
  g_autoptr(JsonNode) messages = make_messages ();
  g_autoptr(Result) first = NULL;
  g_autoptr(Result) second = NULL;
  CsChatRequest req;
  gint64 gap;

  mini_reset ();
  init_request (&req, "hold", messages);
  first = run_request_full (client, &req, NULL);
  g_assert_no_error (first->error);
  init_request (&req, "stream", messages);
  second = run_request_full (client, &req, NULL);
  g_assert_no_error (second->error);

  g_assert_cmpuint (mini.arrivals->len, ==, 2);
  gap = (*(gint64 *) g_ptr_array_index (mini.arrivals, 1) - *(gint64 *) g_ptr_array_index (mini.arrivals, 0)) / 1000;
  g_test_message ("gap %" G_GINT64_FORMAT " ms", gap);
  g_assert_cmpint (gap, >=, 950);
  g_assert_cmpint (second->stats.queued_ms, >=, 800);
  wait_idle_server ();
}

/* A 429 with a retry hint holds the whole provider queue, not only the
 * request that got it. */
static void
test_429_holds_queue (void)
{
  g_autoptr(CsProviderClient) client = make_mini_client (4);
  g_autoptr(JsonNode) messages = make_messages ();
  g_autoptr(Result) a = result_new ();
  g_autoptr(Result) b = result_new ();
  CsChatRequest req_a;
  CsChatRequest req_b;
  gint64 t0;
  gint64 gap;

  mini_reset ();
  init_request (&req_a, "429hint-once", messages);
  init_request (&req_b, "stream", messages);
  cs_provider_client_stream_async (client, &req_a, on_event, a, NULL, on_done, a);
  while (mini.requests < 1)
    g_main_context_iteration (NULL, TRUE);
  /* let the client read the 429: it holds its queue once it has (a fixed
   * 100 ms here was not always enough on a loaded machine) */
  t0 = g_get_monotonic_time ();
  while (client->hold_until == 0)
    {
      g_assert_cmpint (g_get_monotonic_time () - t0, <, LATE (10000) * 1000);
      g_main_context_iteration (NULL, FALSE);
    }

  cs_provider_client_stream_async (client, &req_b, on_event, b, NULL, on_done, b);
  wait_for (&a->completed);
  wait_for (&b->completed);
  g_assert_no_error (a->error);
  g_assert_no_error (b->error);
  g_assert_cmpuint (a->stats.attempts, ==, 2);
  g_assert_cmpuint (b->stats.attempts, ==, 1);
  g_assert_cmpuint (mini.arrivals->len, ==, 3);
  /* b went out only after the hold, although a slot was free */
  gap = (*(gint64 *) g_ptr_array_index (mini.arrivals, 1) - *(gint64 *) g_ptr_array_index (mini.arrivals, 0)) / 1000;
  g_assert_cmpint (gap, >=, 950);
  g_assert_cmpint (b->stats.queued_ms, >=, 700);
  wait_idle_server ();
}

/* An error object instead of the first event is retried when transient,
 * reported at once when not. */
static void
test_early_stream_error (void)
{
  g_autoptr(CsProviderClient) client = make_mini_client (4);
  g_autoptr(Result) r = NULL;
  g_autoptr(Result) fatal = NULL;

  mini_reset ();
  r = run_model (client, "early-error-once");
  g_assert_no_error (r->error);
  g_assert_cmpuint (r->stats.attempts, ==, 2);
  g_assert_cmpstr (r->text[0]->str, ==, "abab");
  /* the retried error was not reported as an event */
  g_assert_cmpuint (r->error_events, ==, 0);

  fatal = run_model (client, "early-fatal");
  g_assert_error (fatal->error, CS_CLIENT_ERROR, CS_CLIENT_ERROR_STREAM);
  g_assert_cmpuint (fatal->error_events, ==, 1);
  g_assert_cmpstr (fatal->error_code, ==, "invalid_prompt");
  g_assert_nonnull (strstr (fatal->error->message, "Prompt violates the policy"));
  g_assert_cmpuint (fatal->stats.attempts, ==, 1);
  g_assert_cmpuint (mini.requests, ==, 3);
  wait_idle_server ();
}

/* One malformed chunk is reported but does not end the reply. */
static void
test_malformed_chunk (void)
{
  g_autoptr(CsProviderClient) client = make_mini_client (4);
  g_autoptr(Result) r = NULL;

  mini_reset ();
  r = run_model (client, "malformed-chunk");
  g_assert_no_error (r->error);
  g_assert_cmpstr (r->text[0]->str, ==, "abcd");
  g_assert_cmpuint (r->error_events, ==, 1);
  g_assert_cmpstr (r->error_code, ==, "malformed-chunk");
  g_assert_cmpstr (r->finish[0], ==, "stop");
  g_assert_true (r->done_event);
  wait_idle_server ();
}

static void
test_wait_too_long (void)
{
  g_autoptr(CsProviderClient) client = make_mini_client (4);
  g_autoptr(Result) r = NULL;
  g_autoptr(Result) nr = NULL;

  mini_reset ();
  r = run_model (client, "wait-too-long");
  g_assert_error (r->error, CS_CLIENT_ERROR, CS_CLIENT_ERROR_RATE_LIMITED);
  g_assert_cmpuint (r->stats.attempts, ==, 1);
  g_assert_cmpint (r->elapsed_ms, <, LATE (1000));
  g_assert_nonnull (strstr (r->error->message, "Slow down"));
  g_assert_nonnull (strstr (r->error->message, "120 s"));

  /* x-should-retry: false beats a retryable 503 */
  nr = run_model (client, "should-not-retry");
  g_assert_error (nr->error, CS_CLIENT_ERROR, CS_CLIENT_ERROR_SERVER);
  g_assert_cmpuint (nr->stats.attempts, ==, 1);
  g_assert_nonnull (strstr (nr->error->message, "busy"));
  g_assert_cmpuint (mini.requests, ==, 2);
  wait_idle_server ();
}

static void
test_deep_error_body (void)
{
  g_autoptr(CsProviderClient) client = make_mini_client (4);
  g_autoptr(Result) r = NULL;
  g_autoptr(GError) list_error = NULL;

  /* A hostile server's error body nested 200000 levels deep is no JSON
   * error message, just a clean HTTP 500 (retried, then a SERVER error). */
  mini_reset ();
  r = run_model (client, "deep-error");
  g_assert_error (r->error, CS_CLIENT_ERROR, CS_CLIENT_ERROR_SERVER);
  g_assert_cmpuint (r->stats.http_status, ==, 500);
  g_assert_cmpuint (r->stats.attempts, ==, 3);
  g_assert_nonnull (strstr (r->error->message, "HTTP 500"));
  g_assert_null (strstr (r->error->message, "[[["));
  g_assert_cmpuint (mini.requests, ==, 3);

  /* The same nesting in a model list is a protocol error. */
  cs_provider_client_list_models_async (client, NULL, on_models_error, &list_error);
  while (list_error == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (list_error, CS_CLIENT_ERROR, CS_CLIENT_ERROR_PROTOCOL);
  wait_idle_server ();
}

static void
test_key_scrubbed (void)
{
  const char *key = "sk-echo-0123456789abcdef4567";
  g_autoptr(CsProviderClient) client = make_mini_client (4);
  g_autoptr(Result) r = NULL;

  mini_reset ();
  cs_provider_client_set_api_key (client, key);
  r = run_model (client, "echo-key");
  g_assert_error (r->error, CS_CLIENT_ERROR, CS_CLIENT_ERROR_AUTH);
  g_assert_nonnull (strstr (r->error->message, "Incorrect API key provided"));
  g_assert_null (strstr (r->error->message, key));
  g_assert_null (strstr (r->error->message, "0123456789abcdef"));
  g_assert_null (strstr (r->error->message, "sk-echo"));
  wait_idle_server ();
}

/* Sends a request to the test provider through @url (its port, another
 * host name) and says whether it carried an Authorization header. */
static CsProviderClient *
client_through (const char *url,
                gboolean    allow_insecure)
{
  g_autoptr(CsProviderConfig) config = make_config (CS_API_OPENAI_CHAT);
  CsProviderClient *client;

  g_free (config->base_url);
  config->base_url = g_strdup (url);
  config->key_optional = TRUE;
  config->allow_insecure_key = allow_insecure;
  client = cs_provider_client_new (config);
  cs_provider_client_set_api_key (client, "sk-lan-key-0123456789");
  return client;
}

static const char *
authorization_through (const char *url,
                       gboolean    allow_insecure)
{
  g_autoptr(CsProviderClient) client = client_through (url, allow_insecure);
  g_autoptr(Result) r = NULL;
  g_auto(GStrv) models = NULL;
  const char *chat;

  cs_test_provider_reset (provider);
  r = run_model (client, "demo-alpha");
  g_assert_no_error (r->error);
  chat = last_request_member ("authorization");

  /* the model list follows the same rule */
  cs_provider_client_list_models_async (client, NULL, on_models, &models);
  while (models == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (last_request_member ("path"), ==, "/v1/models");
  g_assert_cmpstr (last_request_member ("authorization"), ==, chat);
  return chat;
}

/* Over plain http the key goes only to loopback: an address in 127/8, ::1,
 * or the name localhost; any other name (a .localhost or .local one, a LAN
 * host) gets the request without it, decided on the name even where it
 * resolves to loopback. */
static void
test_key_over_http (void)
{
  guint port = cs_test_provider_get_port (provider);
  g_autofree char *ip = g_strdup_printf ("http://127.0.0.1:%u/v1", port);
  g_autofree char *name = g_strdup_printf ("http://localhost:%u/v1", port);
  g_autofree char *dotted = g_strdup_printf ("http://evil.com.localhost:%u/v1", port);

  g_assert_cmpstr (authorization_through (ip, FALSE), ==, "present");
  g_assert_cmpstr (authorization_through (name, FALSE), ==, "present");
  g_assert_cmpstr (authorization_through (dotted, FALSE), ==, "absent");
  /* the explicit opt-in of a LAN provider */
  g_assert_cmpstr (authorization_through (dotted, TRUE), ==, "present");

  /* a server that wants the key it was not given says why */
  {
    g_autoptr(CsProviderClient) client = client_through (dotted, FALSE);
    g_autoptr(Result) r = NULL;

    cs_test_provider_set_required_key (provider, "sk-lan-key-0123456789");
    r = run_model (client, "demo-alpha");
    cs_test_provider_set_required_key (provider, NULL);
    g_assert_error (r->error, CS_CLIENT_ERROR, CS_CLIENT_ERROR_AUTH);
    g_assert_nonnull (strstr (r->error->message, "The API key was not sent"));
    g_assert_nonnull (strstr (r->error->message, "allow-insecure-key=true"));
  }
}

/* Every form of an echoed key is redacted (cs-secret-scrub.h), also when a
 * stream splits it anywhere; the client scrubs errors, text and reasoning. */
static void
test_key_echo_forms (void)
{
  const char *key = "sk-echo-0123456789abcdef4567";
  const char *text = "raw sk-echo-0123456789abcdef4567; pct sk%2Decho%2D0123456789abcdef4567; "
                     "low %73%6b%2d%65%63%68%6f-0123456789abcdef4567; "
                     "json sk\\u002decho\\u002D0123456789abcdef4567; "
                     "json2 \\\\u0073\\\\u006b-echo-0123456789abcdef4567; near skk-echo-012; "
                     "b64 c2stZWNoby0wMTIzNDU2Nzg5YWJjZGVmNDU2Nw==; "
                     "basic dXNlcjpzay1lY2hvLTAxMjM0NTY3ODlhYmNkZWY0NTY3; "
                     "shifted eDpzay1lY2hvLTAxMjM0NTY3ODlhYmNkZWY0NTY3; "
                     "safe 100% sk- \\\\ \\u00e9 end";
  g_autofree char *whole = cs_scrub_secret (text, key);
  g_autoptr(CsScrubber) scrubber = cs_scrubber_new (key);
  g_autoptr(CsProviderClient) client = make_client (CS_API_OPENAI_CHAT);
  g_autoptr(Result) reply = NULL;
  g_autoptr(Result) error = NULL;
  gsize len = strlen (text);

  g_test_message ("%s", whole);
  g_assert_null (strstr (whole, "0123456789"));
  g_assert_null (strstr (whole, "MDEyMzQ1Njc4"));
  g_assert_null (strstr (whole, "wMTIzNDU2Nzg5"));
  g_assert_null (strstr (whole, "AxMjM0NTY3ODlh"));
  g_assert_nonnull (strstr (whole, "raw [redacted]; pct [redacted]; low [redacted]; json [redacted]; "
                                   "json2 [redacted]; near skk-echo-012; "));
  g_assert_nonnull (strstr (whole, "safe 100% sk- \\\\ \\u00e9 end"));

  /* split in two anywhere, or fed byte by byte: the same text */
  for (gsize cut = 0; cut <= len; cut++)
    {
      g_autoptr(CsScrubStream) stream = cs_scrub_stream_new (scrubber);
      g_autofree char *a = cs_scrub_stream_feed (stream, text, cut);
      g_autofree char *b = cs_scrub_stream_feed (stream, text + cut, len - cut);
      g_autofree char *c = cs_scrub_stream_flush (stream);
      g_autofree char *joined = g_strconcat (a, b, c, NULL);

      g_assert_cmpstr (joined, ==, whole);
    }
  {
    g_autoptr(CsScrubStream) stream = cs_scrub_stream_new (scrubber);
    g_autoptr(GString) out = g_string_new (NULL);
    g_autofree char *rest = NULL;

    for (gsize i = 0; i < len; i++)
      {
        g_autofree char *piece = cs_scrub_stream_feed (stream, text + i, 1);

        g_string_append (out, piece);
      }
    rest = cs_scrub_stream_flush (stream);
    g_string_append (out, rest);
    g_assert_cmpstr (out->str, ==, whole);
  }

  /* a key cut off by the end of a stream */
  {
    g_autofree char *cut = cs_scrub_secret ("ends with sk-echo-0123", key);

    g_assert_cmpstr (cut, ==, "ends with [redacted]");
  }

  /* through the client: the test provider echoes the key it got */
  cs_test_provider_reset (provider);
  cs_provider_client_set_api_key (client, key);
  reply = run_model (client, "demo-beta+echokeyreply");
  g_assert_no_error (reply->error);
  g_assert_nonnull (strstr (reply->text[0]->str, "[redacted]"));
  g_assert_nonnull (strstr (reply->reasoning[0]->str, "[redacted]"));
  error = run_model (client, "demo-alpha+echokey");
  g_assert_error (error->error, CS_CLIENT_ERROR, CS_CLIENT_ERROR_BAD_REQUEST);
  g_assert_nonnull (strstr (error->error->message, "[redacted]"));
  for (guint i = 0; i < 3; i++)
    {
      const char *got = i == 0 ? reply->text[0]->str : i == 1 ? reply->reasoning[0]->str
                                                              : error->error->message;

      g_assert_null (strstr (got, "0123456789abcdef"));
      g_assert_null (strstr (got, "%2D0123"));
      g_assert_null (strstr (got, "\\u0030\\u0031"));
      g_assert_null (strstr (got, "MDEyMzQ1Njc4"));
      g_assert_null (strstr (got, "wMTIzNDU2Nzg5"));
      g_assert_null (strstr (got, "AxMjM0NTY3ODlh"));
    }
}

static void
test_redirect_and_protocol (void)
{
  g_autoptr(CsProviderClient) client = make_mini_client (4);
  g_autoptr(Result) r = NULL;
  g_autoptr(Result) html = NULL;

  mini_reset ();
  cs_provider_client_set_api_key (client, "sk-redirect-key");
  r = run_model (client, "redirect");
  g_assert_error (r->error, CS_CLIENT_ERROR, CS_CLIENT_ERROR_PROTOCOL);
  g_assert_cmpuint (r->stats.http_status, ==, 307);
  g_assert_cmpuint (r->stats.attempts, ==, 1);

  html = run_model (client, "html");
  g_assert_error (html->error, CS_CLIENT_ERROR, CS_CLIENT_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (html->error->message, "text/html"));
  g_assert_cmpuint (mini.requests, ==, 2);
  wait_idle_server ();
}

static void
test_bad_url (void)
{
  g_autoptr(CsProviderConfig) config = cs_provider_config_new ("bad", "not a url", CS_API_OPENAI_CHAT);
  g_autoptr(CsProviderClient) client = cs_provider_client_new (config);
  g_autoptr(Result) r = run_model (client, "demo-alpha");

  g_assert_error (r->error, CS_CLIENT_ERROR, CS_CLIENT_ERROR_CONNECT);
  g_assert_cmpuint (r->stats.attempts, ==, 0);
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) schema = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  int ret;

  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("CONSILIUM_TEST_SLOW") != NULL)
    slack = MAX (1, g_ascii_strtoll (g_getenv ("CONSILIUM_TEST_SLOW"), NULL, 10));
  else if (g_getenv ("LD_PRELOAD") != NULL && strstr (g_getenv ("LD_PRELOAD"), "vgpreload") != NULL)
    slack = 10;

  schema = g_resource_lookup_data (cs_engine_get_resource (),
                                   "/io/github/consilium/Consilium/engine/schemas/architect.schema.json",
                                   G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  g_assert_no_error (error);
  json_parser_load_from_data (parser, g_bytes_get_data (schema, NULL), g_bytes_get_size (schema), &error);
  g_assert_no_error (error);
  architect_schema = json_node_copy (json_parser_get_root (parser));

  provider = cs_test_provider_new ();
  cs_test_provider_start (provider, 0, &error);
  g_assert_no_error (error);
  /* 1 ms between chunks instead of 5 keeps the suite fast; "slow" stays slow */
  cs_test_provider_set_delay_ms (provider, 1);

  mini.arrivals = g_ptr_array_new_with_free_func (g_free);
  mini.server = soup_server_new (NULL, NULL);
  soup_server_add_handler (mini.server, NULL, mini_callback, NULL, NULL);
  soup_server_listen_local (mini.server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  {
    GSList *uris = soup_server_get_uris (mini.server);

    g_assert_nonnull (uris);
    mini.port = (guint) g_uri_get_port (uris->data);
    g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  }

  g_test_add_func ("/client/plain", test_plain);
  g_test_add_func ("/client/options", test_options);
  g_test_add_func ("/client/n2", test_n2);
  g_test_add_func ("/client/reasoning", test_reasoning);
  g_test_add_func ("/client/refusal", test_refusal);
  g_test_add_func ("/client/429once", test_429_once);
  g_test_add_func ("/client/429ms", test_429_ms);
  g_test_add_func ("/client/429-forever", test_429_forever);
  g_test_add_func ("/client/quota", test_quota);
  g_test_add_func ("/client/5xx-once", test_5xx_once);
  g_test_add_func ("/client/500", test_500);
  g_test_add_func ("/client/no-retry", test_no_retry);
  g_test_add_func ("/client/stream-error", test_stream_error);
  g_test_add_func ("/client/truncate", test_truncate);
  g_test_add_func ("/client/silence", test_silence);
  g_test_add_func ("/client/hang", test_hang);
  g_test_add_func ("/client/big", test_big);
  g_test_add_func ("/client/framing", test_framing_variants);
  g_test_add_func ("/client/content-faults", test_content_faults);
  g_test_add_func ("/client/auth", test_auth);
  g_test_add_func ("/client/missing-key", test_missing_key);
  g_test_add_func ("/client/cancel", test_cancel_provider);
  g_test_add_func ("/client/cancel-queued", test_cancel_queued);
  g_test_add_func ("/client/rpm", test_rpm);
  g_test_add_func ("/client/responses", test_responses);
  g_test_add_func ("/client/ollama", test_ollama);
  g_test_add_func ("/client/list-models", test_list_models);
  g_test_add_func ("/client/connection-refused", test_connection_refused);
  g_test_add_func ("/client/bad-url", test_bad_url);
  g_test_add_func ("/client/max-concurrent", test_max_concurrent);
  g_test_add_func ("/client/cancel-closes-connection", test_cancel_closes_connection);
  g_test_add_func ("/client/ratelimit-hold", test_ratelimit_hold);
  g_test_add_func ("/client/429-holds-queue", test_429_holds_queue);
  g_test_add_func ("/client/early-stream-error", test_early_stream_error);
  g_test_add_func ("/client/malformed-chunk", test_malformed_chunk);
  g_test_add_func ("/client/wait-too-long", test_wait_too_long);
  g_test_add_func ("/client/deep-error-body", test_deep_error_body);
  g_test_add_func ("/client/key-scrubbed", test_key_scrubbed);
  g_test_add_func ("/client/key-over-http", test_key_over_http);
  g_test_add_func ("/client/key-echo-forms", test_key_echo_forms);
  g_test_add_func ("/client/redirect-protocol", test_redirect_and_protocol);

  ret = g_test_run ();

  g_clear_object (&mini.server);
  g_clear_pointer (&mini.arrivals, g_ptr_array_unref);
  g_clear_object (&provider);
  g_clear_pointer (&architect_schema, json_node_unref);
  return ret;
}
