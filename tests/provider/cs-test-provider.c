/* cs-test-provider.c
 *
 * An OpenAI-compatible test provider on loopback (SoupServer), answering with
 * synthetic but plausible, schema-valid candidates for both modes and for the
 * judge. Everything runs on the thread-default GMainContext of the caller of
 * cs_test_provider_start(): streams are driven by GLib timeouts, so a slow or
 * silent stream never blocks other requests.
 *
 * Routes
 *   POST /v1/chat/completions  OpenAI Chat Completions (SSE, or JSON with "stream": false)
 *   POST /v1/responses         OpenAI Responses API (SSE events, or JSON)
 *   POST /api/chat             Ollama native (NDJSON, or JSON with "stream": false)
 *   GET  /v1/models            OpenAI model list of the demo models
 *   GET  /api/tags             Ollama model list of the demo models
 *
 * Answers
 *   The mode comes from the requested JSON Schema (response_format.json_schema.schema,
 *   text.format.schema, or Ollama's format): "steps" → support, "components" →
 *   architect, "critiques" + "result" → judge (critiquing every "### Candidate <id>"
 *   line of the user message). Without a schema, the system prompt decides
 *   ("judge", "architect", "support"), and half of the replies come wrapped in a
 *   ```json fence. The content is deterministic from (base model name, choice
 *   index, prompt text) and drawn from overlapping pools, so that candidates agree
 *   on most things and differ on some.
 *
 * Scripted behaviour: the model name is a base name followed by `+`-separated
 * tokens, e.g. "demo-alpha+slow+crlf". Base names containing "think" or "reason"
 * stream reasoning. "once" counters are per full model name; reset() clears them.
 *
 *   slow            100 ms between chunks (slow=MS: MS milliseconds)
 *   reasoning       stream reasoning deltas (reasoning_content / reasoning summary / thinking);
 *                   on /v1/responses not when "reasoning" is sent without a "summary"
 *   refuse          a refusal: delta.refusal text, content null, finish_reason "stop"
 *   429once         first request: 429 with retry-after: 1 and x-ratelimit-* headers, then OK
 *   429ms           always 429 with retry-after-ms: 200
 *   429             always 429 with retry-after: 1
 *   quota           429 with error type and code "insufficient_quota" (do not retry)
 *   500once 503once first request: 500 / 503, then OK
 *   500 503 400     always that status with an OpenAI error body
 *   404             model not found (code "model_not_found")
 *   streamerror     a few deltas, then data: {"error":{...,"code":"overloaded"}} and EOF, no [DONE]
 *   truncate        about half of the deltas, then EOF: no finish_reason, no [DONE]
 *   silence         headers and one delta, then nothing for 10 minutes (ends early if the client goes)
 *   hang            accepts the request but sends no headers for 10 minutes (then 504)
 *   malformed       the reply text is broken JSON
 *   invalid         the reply is JSON that violates the schema (no steps / components / result)
 *   invalidonce     first request invalid, later ones (the repair request) valid
 *   length          the text is cut mid-JSON, finish_reason "length"
 *   bytewise        every byte of the stream is its own HTTP chunk
 *   crlf            CRLF line ends
 *   comments        ": OPENROUTER PROCESSING" first and ": keep-alive" comment lines
 *   big             a reply of about 6 MB
 *   nostream_usage  no usage chunk even when stream_options.include_usage is set
 *   escapes         400 whose error message carries terminal escapes: a title change
 *                   (OSC 0 … BEL), a screen clear (ESC [2J), an OSC 52 clipboard write,
 *                   a C1 CSI (U+009B), a bidi override (U+202E) and a CR
 *   echokey         400 whose error message echoes the request's API key in every form a
 *                   server may: raw, percent-encoded (partly and wholly, upper and lower
 *                   case), JSON-escaped (\u002d and \u0073…), base64 of the key and of
 *                   "user:key" (three alignments)
 *   echokeyreply    a valid reply whose summary and reasoning echo the key the same ways
 *   thinktag        the reasoning inline, as a <think>…</think> block opening the content
 *   position        a pairwise verdict (cs-test-provider-compare.c) always prefers answer A
 *   score85         a judge's first critique scores 85 (on 1-10)
 *   invalidtwice    the first two requests invalid (a judge and its repair), later ones valid
 *   badrank         a peer ranking answered out of shape (labels, not objects)
 *
 * Peer ranking requests (a "ranking" schema, or a system prompt to rank anonymous answers)
 * are answered by cs-test-provider-judge.c, deterministically from the answers shown.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-test-provider"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "cs-test-provider.h"
#include "cs-test-provider-compare.h"
#include "cs-test-provider-judge.h"
#include "cs-test-provider-rounds.h"

#define DEFAULT_DELAY_MS     5
#define SLOW_DELAY_MS        100
#define STALL_MS             (10 * 60 * 1000)
#define WATCH_INTERVAL_MS    200
#define RATE_LIMIT_RPM       600
#define BIG_REPLY_BYTES      (6 * 1024 * 1024)
#define MAX_N                16
#define MAX_RECORDED         1000  /* requests kept for get_requests(), oldest dropped */
#define DELTAS_PER_TICK      3     /* deltas (per choice) written together */
#define STATUS_TOO_MANY_REQUESTS 429  /* not in libsoup 3.2's SoupStatus */

static const char fault_help[] =
  "  slow            100 ms between chunks (slow=MS: MS milliseconds)\n"
  "  reasoning       stream reasoning deltas (also any base name with \"think\" or \"reason\");\n"
  "                  on /v1/responses only if a request's \"reasoning\" asks for a \"summary\"\n"
  "                  (or has no \"reasoning\" object at all)\n"
  "  refuse          a refusal: delta.refusal text, content null, finish_reason stop\n"
  "  429once         first request gets 429 with retry-after: 1 and x-ratelimit-* headers\n"
  "  429ms           always 429 with retry-after-ms: 200\n"
  "  429             always 429 with retry-after: 1\n"
  "  quota           429 insufficient_quota (must not be retried)\n"
  "  500once         first request gets 500, later ones succeed\n"
  "  503once         first request gets 503, later ones succeed\n"
  "  500, 503, 400   always that HTTP status with an OpenAI error body\n"
  "  404             model not found\n"
  "  streamerror     a few deltas, then an error object inside the stream and EOF\n"
  "  truncate        the stream ends without finish_reason and without [DONE]\n"
  "  silence         headers and one delta, then silence for 10 minutes\n"
  "  hang            no response headers for 10 minutes\n"
  "  malformed       the reply text is broken JSON\n"
  "  invalid         the reply is JSON that violates the schema\n"
  "  invalidonce     the first reply is invalid, the repair request gets a valid one\n"
  "  length          the text is cut mid-JSON with finish_reason length\n"
  "  bytewise        every byte of the stream in its own HTTP chunk\n"
  "  crlf            CRLF line ends\n"
  "  comments        SSE comment lines (: OPENROUTER PROCESSING, : keep-alive)\n"
  "  big             a reply of about 6 MB\n"
  "  nostream_usage  no usage chunk\n"
  "  escapes         400 whose error message carries terminal escape sequences\n"
  "  echokey         400 whose error message echoes the API key in every encoding\n"
  "                  (raw, percent-encoded, JSON-escaped, base64 of the key and of user:key)\n"
  "  echokeyreply    a valid reply whose summary and reasoning echo the API key likewise\n"
  "  thinktag        the reasoning inline, a <think>…</think> block opening the content\n"
  "                  (as DeepSeek-R1 or Qwen3 send it through Ollama or vLLM)\n"
  "  position        pairwise verdicts (bench-quality): answer A always wins\n"
  "  score85         a judge's first critique scores 85 on its 1-10 scale\n"
  "  invalidtwice    the first two replies are invalid (a judge and its repair), later ones valid\n"
  "  badrank         a peer ranking request is answered out of shape\n";

static const char * const demo_models[] = {
  "demo-alpha",
  "demo-beta",
  "demo-gamma",
  "demo-thinking",
  "demo-judge",
  "demo-local",
  NULL
};

typedef enum {
  DIALECT_CHAT,
  DIALECT_RESPONSES,
  DIALECT_OLLAMA,
} Dialect;

typedef enum {
  KIND_ARCHITECT,
  KIND_SUPPORT,
  KIND_JUDGE,
  KIND_COMPARE,   /* a pairwise verdict: cs-test-provider-compare.c */
  KIND_RANKING,   /* a peer ranking request (cs-test-provider-judge.c) */
} Kind;

typedef struct {
  char     *base;
  guint     delay_ms;
  gboolean  has_delay;
  gboolean  reasoning;
  gboolean  refuse;
  gboolean  e429once;
  gboolean  e429ms;
  gboolean  e429;
  gboolean  quota;
  gboolean  e500once;
  gboolean  e503once;
  gboolean  e500;
  gboolean  e503;
  gboolean  e400;
  gboolean  e404;
  gboolean  streamerror;
  gboolean  truncate;
  gboolean  silence;
  gboolean  hang;
  gboolean  malformed;
  gboolean  invalid;
  gboolean  invalidonce;
  gboolean  length;
  gboolean  bytewise;
  gboolean  crlf;
  gboolean  comments;
  gboolean  big;
  gboolean  nostream_usage;
  gboolean  escapes;
  gboolean  echokey;
  gboolean  echokeyreply;
  gboolean  thinktag;
  gboolean  score85;
  gboolean  invalidtwice;
  gboolean  badrank;
} Faults;

typedef enum {
  END_COMPLETE,
  END_SILENCE,
  END_HANG,
} StreamEnd;

typedef struct {
  CsTestProvider    *provider;
  SoupServerMessage *msg;
  GPtrArray         *ticks;       /* GBytes*: what to write at each tick */
  guint              next_tick;
  guint              delay_ms;
  gboolean           bytewise;
  StreamEnd          end;
  GSource           *tick_source;  /* on the thread-default context */
  GSource           *watch_source;
  gint64             deadline;
  gulong             finished_handler;
} Stream;

struct _CsTestProvider
{
  GObject     parent_instance;

  SoupServer *server;
  guint       port;
  char       *required_key;
  guint       delay_ms;

  GPtrArray  *requests;    /* JsonNode* */
  guint       n_requests;  /* all requests since the start or the last reset */
  GHashTable *counts;      /* full model name → count */
  GHashTable *fired;       /* "token\x1fmodel" of the "once" faults already fired */
  GArray     *recent;      /* gint64 monotonic times of the requests of the last minute */
  GList      *streams;     /* Stream* in flight */
  guint       serial;
  FILE       *record;      /* every request as a JSON line, or NULL */
};

G_DEFINE_FINAL_TYPE (CsTestProvider, cs_test_provider, G_TYPE_OBJECT)

/* ------------------------------------------------------------------------ */
/* Small helpers                                                            */
/* ------------------------------------------------------------------------ */

static guint32
fnv1a (guint32     hash,
       const char *str)
{
  for (const guchar *p = (const guchar *) (str ? str : ""); *p; p++)
    {
      hash ^= *p;
      hash *= 16777619u;
    }
  hash ^= 0x1f;
  hash *= 16777619u;
  return hash;
}

static gboolean
chance (GRand  *r,
        double  p)
{
  return g_rand_double (r) < p;
}

/* Weighted pick among @n variants: the first is the most common one. */
static guint
pick_weighted (GRand *r,
               guint  n)
{
  double x = g_rand_double (r);

  if (n <= 1 || x < 0.6)
    return 0;
  if (n == 2 || x < 0.85)
    return 1;
  return 2 + g_rand_int_range (r, 0, (gint32) n - 2);
}

static guint
count_strv (const char * const *v,
            guint               max)
{
  guint n = 0;

  while (n < max && v[n] != NULL)
    n++;
  return n;
}

static char *
node_to_string (JsonNode *node,
                gboolean  pretty)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();

  json_generator_set_pretty (gen, pretty);
  json_generator_set_indent (gen, 2);
  json_generator_set_root (gen, node);
  return json_generator_to_data (gen, NULL);
}

static char *
object_to_string (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  json_node_set_object (node, object);
  return node_to_string (node, FALSE);
}

static JsonObject *
get_object (JsonObject *object,
            const char *member)
{
  JsonNode *node;

  if (object == NULL || !json_object_has_member (object, member))
    return NULL;
  node = json_object_get_member (object, member);
  return JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static JsonArray *
get_array (JsonObject *object,
           const char *member)
{
  JsonNode *node;

  if (object == NULL || !json_object_has_member (object, member))
    return NULL;
  node = json_object_get_member (object, member);
  return JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static const char *
get_string (JsonObject *object,
            const char *member)
{
  JsonNode *node;

  if (object == NULL || !json_object_has_member (object, member))
    return NULL;
  node = json_object_get_member (object, member);
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gboolean
get_boolean (JsonObject *object,
             const char *member,
             gboolean    default_value)
{
  JsonNode *node;

  if (object == NULL || !json_object_has_member (object, member))
    return default_value;
  node = json_object_get_member (object, member);
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return default_value;
  return json_node_get_boolean (node);
}

static gint64
get_int (JsonObject *object,
         const char *member,
         gint64      default_value)
{
  JsonNode *node;

  if (object == NULL || !json_object_has_member (object, member))
    return default_value;
  node = json_object_get_member (object, member);
  if (!JSON_NODE_HOLDS_VALUE (node))
    return default_value;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return json_node_get_int (node);
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    return (gint64) json_node_get_double (node);
  return default_value;
}

/* "{svc}" and "{host}" in @tmpl. */
static char *
expand (const char *tmpl,
        const char *svc,
        const char *host)
{
  GString *s = g_string_new (tmpl);

  g_string_replace (s, "{svc}", svc, 0);
  g_string_replace (s, "{host}", host, 0);
  return g_string_free (s, FALSE);
}

/* Cut @text at about @fraction of its length, on a UTF-8 boundary. */
static char *
cut_text (const char *text,
          double      fraction)
{
  glong chars = g_utf8_strlen (text, -1);
  const char *end = g_utf8_offset_to_pointer (text, (glong) (chars * fraction));

  return g_strndup (text, end - text);
}

/* ------------------------------------------------------------------------ */
/* Content pools                                                            */
/* ------------------------------------------------------------------------ */

typedef struct {
  const char *key;              /* Mermaid node id */
  const char *names[3];
  const char *techs[3];
  const char *responsibility;
  const char *scaling[3];       /* per technology */
  const char *topic;            /* decision topic, or NULL */
  const char *rationales[3];    /* per technology */
  double      cost[3];          /* USD per month, per technology */
  int         store;            /* 0: not a store, 1: data store, 2: the system of record */
  const char *purpose;
  double      probability;      /* 1.0: always part of the design */
} ComponentSpec;

static const ComponentSpec components[] = {
  { "gw",
    { "API gateway", "API Gateway", "Edge gateway" },
    { "Envoy", "Kong", "NGINX" },
    "Terminates TLS, authenticates requests, applies rate limits and routes traffic to the services.",
    { "Stateless; scales horizontally behind the load balancer, roughly 10k requests/s per instance.",
      "Stateless data plane with a small config database; add nodes behind the load balancer.",
      "Stateless; one instance per zone handles tens of thousands of requests per second." },
    "API gateway",
    { "Envoy has first-class HTTP/2 and gRPC support and exports detailed metrics and traces.",
      "Kong ships authentication, quotas and request logging as plugins, so less custom code.",
      "NGINX is small, well understood by the operations team and cheap to run." },
    { 120, 180, 80 }, 0, NULL, 1.0 },
  { "api",
    { "Core API service", "Application service", "Backend API" },
    { "Go", "Kotlin (Spring Boot)", "Node.js (NestJS)" },
    "Implements the domain logic, validates writes and serves the read endpoints.",
    { "Stateless Go binaries; scale on CPU with the autoscaler, about 2k requests/s per core.",
      "Stateless JVM services; scale horizontally, mind the warm-up time and heap size.",
      "Stateless Node.js processes, one per core; scale horizontally on event-loop lag." },
    "Service language",
    { "Go gives small static binaries, predictable latency and cheap concurrency.",
      "Kotlin with Spring Boot matches the team's JVM experience and libraries.",
      "Node.js lets the frontend and backend teams share TypeScript types." },
    { 260, 320, 240 }, 0, NULL, 1.0 },
  { "ingest",
    { "Ingestion worker", "Ingestion service", "Ingest workers" },
    { "Go", "Rust", "Python (FastAPI)" },
    "Accepts incoming events, validates and deduplicates them, and publishes them to the event bus.",
    { "Horizontal, one consumer per partition; about 20k events/s per core.",
      "Horizontal; very low memory per event, about 40k events/s per core.",
      "Horizontal with several processes per node; about 3k events/s per core." },
    "Ingestion runtime",
    { "Go keeps the ingestion path simple and fast enough with little tuning.",
      "Rust gives the highest throughput per core and no garbage-collection pauses.",
      "Python with FastAPI is quickest to write and the team knows it well." },
    { 200, 180, 280 }, 0, NULL, 0.55 },
  { "bus",
    { "Event bus", "Message broker", "Event stream" },
    { "Apache Kafka", "NATS JetStream", "RabbitMQ" },
    "Decouples producers from consumers and keeps a replayable log of domain events.",
    { "Partitioned log; add brokers and partitions, millions of messages/s per cluster.",
      "Clustered JetStream with replicated streams; hundreds of thousands of messages/s.",
      "Clustered queues with quorum replication; tens of thousands of messages/s." },
    "Messaging backbone",
    { "Kafka keeps an ordered, replayable log per partition and has the richest ecosystem.",
      "NATS JetStream is light to operate and fast enough, with replay and at-least-once delivery.",
      "RabbitMQ has flexible routing and the team already operates it." },
    { 450, 150, 200 }, 0, NULL, 0.6 },
  { "db",
    { "Primary database", "Primary DB", "Relational database" },
    { "PostgreSQL 16", "CockroachDB", "MySQL 8" },
    "System of record for accounts, orders and configuration, with transactions.",
    { "Vertical first, read replicas for reads, partitioning of the largest tables later.",
      "Distributed SQL; add nodes to scale reads and writes, with multi-region survival.",
      "Vertical first, read replicas, sharding through Vitess if it ever becomes necessary." },
    "Primary database",
    { "PostgreSQL is mature, strongly consistent and covers JSON, full text and time ranges.",
      "CockroachDB survives a zone or region loss without manual failover.",
      "MySQL 8 is what the team already runs, with proven replication tooling." },
    { 380, 900, 340 }, 2, "System of record: transactional data.", 1.0 },
  { "cache",
    { "Cache", "Read cache", "Caching layer" },
    { "Redis", "Memcached", "Valkey" },
    "Keeps hot reads and sessions out of the database.",
    { "Primary with replicas, cluster mode beyond one node's memory.",
      "Add nodes; clients shard keys with consistent hashing.",
      "Primary with replicas, cluster mode beyond one node's memory." },
    "Cache",
    { "Redis offers rich data types, TTLs and pub/sub in one well-known service.",
      "Memcached is the simplest possible cache and scales out trivially.",
      "Valkey is the open-source Redis fork with the same protocol and tooling." },
    { 90, 60, 80 }, 1, "Hot reads, sessions and rate-limit counters.", 0.6 },
  { "search",
    { "Search index", "Search service", "Full-text search" },
    { "OpenSearch", "Meilisearch", "Elasticsearch" },
    "Serves full-text search and faceted queries from a denormalised copy of the data.",
    { "Shards and replicas across nodes; reindex into a new index to change mappings.",
      "Single node with a replica; fine up to tens of millions of documents.",
      "Shards and replicas across nodes; hot-warm tiers for older data." },
    "Search engine",
    { "OpenSearch is open source, managed offerings exist, and it handles aggregations well.",
      "Meilisearch gives typo-tolerant search with almost no tuning.",
      "Elasticsearch has the most mature relevance tuning and aggregations." },
    { 420, 120, 480 }, 1, "Full-text search and facets, rebuilt from the event stream.", 0.4 },
  { "objects",
    { "Object storage", "Blob storage", "Object store" },
    { "Amazon S3", "MinIO", "Google Cloud Storage" },
    "Stores uploads, exports and archived raw events.",
    { "Practically unlimited; use prefixes and lifecycle rules to move old data to colder tiers.",
      "Erasure-coded pools; add server pools as the data grows.",
      "Practically unlimited; lifecycle rules move old objects to colder classes." },
    "Object storage",
    { "S3 is durable, cheap per GB and every tool speaks its API.",
      "MinIO keeps the data on premises while speaking the S3 API.",
      "Google Cloud Storage fits if the rest of the platform runs on GCP." },
    { 60, 90, 55 }, 1, "Uploads, exports and the raw event archive.", 0.5 },
  { "auth",
    { "Auth service", "Identity provider", "Authentication" },
    { "Keycloak", "Auth0", "Ory Kratos" },
    "Handles sign-in, OIDC tokens, roles and single sign-on.",
    { "Clustered behind the gateway with a shared database; sessions cached.",
      "Managed service; scales with the subscription tier.",
      "Stateless API in front of the primary database; scale horizontally." },
    "Identity",
    { "Keycloak is self-hosted, free and supports OIDC, SAML and fine-grained roles.",
      "Auth0 removes identity from the team's operational load.",
      "Ory Kratos is a lightweight, API-first identity service." },
    { 150, 240, 110 }, 0, NULL, 0.45 },
  { "web",
    { "Web frontend", "Web UI", "Frontend" },
    { "React SPA", "SvelteKit", "Next.js" },
    "The user interface in the browser, talking to the API through the gateway.",
    { "Static assets on a CDN; scales without effort.",
      "Server-rendered pages on a few stateless nodes plus a CDN.",
      "Server-side rendering on stateless nodes plus a CDN for assets." },
    NULL,
    { NULL, NULL, NULL },
    { 40, 45, 60 }, 0, NULL, 0.45 },
  { "jobs",
    { "Background jobs", "Job scheduler", "Worker pool" },
    { "Temporal", "Celery", "Sidekiq" },
    "Runs retries, scheduled tasks, exports and other long-running work outside the request path.",
    { "Workers scale horizontally; the Temporal cluster keeps the workflow state.",
      "Workers scale horizontally on queue depth.",
      "Workers scale horizontally on queue latency." },
    "Background work",
    { "Temporal makes long-running workflows durable with retries and timeouts built in.",
      "Celery is simple and well known for Python task queues.",
      "Sidekiq is fast and simple for Ruby shops." },
    { 220, 120, 130 }, 0, NULL, 0.45 },
  { "stream",
    { "Stream processor", "Stream processing", "Aggregation jobs" },
    { "Apache Flink", "Kafka Streams", "Spark Structured Streaming" },
    "Computes rolling aggregates and alerts from the event stream.",
    { "Parallel operators with checkpointing; add task managers.",
      "Scales with the number of partitions; state kept in local RocksDB.",
      "Micro-batches on a cluster; scale executors with the load." },
    "Stream processing",
    { "Flink has exactly-once state, event time and windows built in.",
      "Kafka Streams is a library, so there is no extra cluster to run.",
      "Spark shares code with the batch jobs the data team already has." },
    { 600, 250, 700 }, 0, NULL, 0.35 },
  { "obs",
    { "Observability", "Monitoring", "Metrics and tracing" },
    { "Prometheus + Grafana", "Datadog", "OpenTelemetry + Grafana Cloud" },
    "Collects metrics, logs and traces from every component, with alerts on the SLOs.",
    { "Federated Prometheus or remote write to long-term storage.",
      "Managed; cost grows with hosts and custom metrics.",
      "Managed backend; OpenTelemetry collectors scale horizontally." },
    "Observability stack",
    { "Prometheus and Grafana are free, standard and cover SLO alerting.",
      "Datadog gives one pane for metrics, logs and traces with no maintenance.",
      "OpenTelemetry keeps instrumentation vendor-neutral." },
    { 120, 450, 200 }, 0, NULL, 0.5 },
};

#define N_COMPONENTS G_N_ELEMENTS (components)

typedef struct {
  const char *from;
  const char *to;
  const char *label;
  const char *description;
} ConnectionSpec;

static const ConnectionSpec connection_rules[] = {
  { "web", "gw", "HTTPS", "Browser requests over HTTPS (synchronous)." },
  { "gw", "auth", "OIDC", "Validates tokens against the identity provider (OIDC, synchronous)." },
  { "gw", "api", "HTTP2", "Routes REST calls over HTTP/2 (synchronous)." },
  { "gw", "ingest", "gRPC", "Forwards ingestion calls over gRPC streams (synchronous, with back-pressure)." },
  { "api", "db", "SQL", "Reads and writes through a connection pool (synchronous, transactional)." },
  { "api", "cache", "RESP", "Cache-aside reads with short TTLs (synchronous)." },
  { "api", "search", "query", "Search queries over HTTP (synchronous)." },
  { "api", "objects", "S3 API", "Uploads and downloads through pre-signed URLs." },
  { "api", "bus", "events", "Publishes domain events after commit through an outbox (asynchronous)." },
  { "ingest", "bus", "events", "Publishes validated events (asynchronous, at-least-once)." },
  { "ingest", "objects", "archive", "Archives raw events in compressed batches (asynchronous)." },
  { "bus", "stream", "consume", "Consumes the event streams (asynchronous)." },
  { "stream", "db", "upsert", "Writes aggregates in batches (asynchronous)." },
  { "bus", "jobs", "trigger", "Events trigger background jobs (asynchronous)." },
  { "bus", "search", "index", "An indexer keeps the search index up to date from events (asynchronous)." },
  { "jobs", "db", "SQL", "Reads and updates records for long-running work." },
  { "jobs", "objects", "export", "Writes exports and reports." },
  { "api", "obs", "OTLP", "Metrics and traces via OpenTelemetry (asynchronous)." },
};

typedef struct {
  const char *name;
  const char *style;
  const char *description;
  const char *requires;
} ApiSpec;

static const ApiSpec api_pool[] = {
  { "Public REST API", "rest", "Versioned JSON endpoints under /v1 for clients, with pagination and idempotency keys.", NULL },
  { "Ingestion API", "grpc", "Client-streaming gRPC endpoint for high-volume event ingestion.", "ingest" },
  { "Domain events", "event", "Events such as OrderPlaced and UserUpdated published for downstream consumers.", "bus" },
  { "Live updates", "websocket", "Pushes status changes to connected browsers.", "web" },
  { "Reporting API", "graphql", "Flexible read model for dashboards and internal tools.", NULL },
  { "Nightly export", "batch", "Daily export of aggregates to object storage as Parquet files.", "objects" },
  { "Admin API", "rest", "Internal endpoints for support staff, behind SSO.", "auth" },
};

static const char * const trade_off_pool[] = {
  "Eventual consistency between the primary database and the search index, in exchange for fast writes.",
  "More moving parts than a monolith, in exchange for independent scaling of ingestion and reads.",
  "A managed service costs more per month but saves on-call time.",
  "Caching improves read latency but adds invalidation complexity.",
  "At-least-once delivery means consumers must be idempotent.",
  "Vertical scaling of the database first keeps things simple but has a ceiling.",
  "A single region keeps costs down at the price of a longer recovery after a regional outage.",
  "Self-hosting keeps data on our infrastructure but needs operational expertise.",
};

static const char * const risk_pool[][2] = {
  { "The primary database becomes the write bottleneck.", "Watch write latency and partition the hottest tables before reaching 70 % CPU." },
  { "Consumer lag grows during traffic spikes.", "Alert on lag, autoscale consumers and keep enough partitions for parallelism." },
  { "A bad deployment takes down the API.", "Canary releases behind the gateway with automatic rollback on error-rate alerts." },
  { "Cache stampede after a cache flush.", "Request coalescing and jittered TTLs." },
  { "Cost overrun from over-provisioned clusters.", "Monthly cost review and autoscaling with sane upper bounds." },
  { "Vendor lock-in with managed services.", "Keep to open protocols (SQL, S3 API, OIDC) so the services can be replaced." },
  { "Data loss from operator error.", "Point-in-time recovery, tested restores every quarter, least-privilege access." },
  { "Schema changes break consumers of the events.", "A schema registry with compatibility checks in CI." },
};

typedef struct {
  const char *key;
  const char *titles[3];
  const char *action;
  const char *commands[2];
  const char *expected;
  const char *if_fails;
  const char *risk;
  int         effort_min;
  int         effort_max;
  double      probability;
} StepSpec;

static const StepSpec step_pool[] = {
  { "status",
    { "Check the service status", "Check whether {svc} is running", "Inspect the {svc} unit status" },
    "Ask systemd whether the service is running and how often it restarted.",
    { "systemctl status {svc}", "systemctl status {svc} --no-pager -l" },
    "Active: active (running), with a start time that is not in the last few minutes.",
    "Note the exit code and the last lines shown, then read the journal.",
    "none", 1, 3, 1.0 },
  { "disk",
    { "Check free disk space", "Check disk space on /var", "Make sure the disk is not full" },
    "Look at the usage of every mounted filesystem; a full /var stops logging and databases.",
    { "df -h", "df -h /var" },
    "Every filesystem is below 90 % use.",
    "Free space: vacuum the journal (journalctl --vacuum-size=500M), remove old logs and packages, then retry.",
    "none", 1, 3, 0.8 },
  { "journal",
    { "Read the service logs", "Read the {svc} journal for the last hour", "Check recent log errors" },
    "Read the service's log messages around the time the problem started.",
    { "journalctl -u {svc} --since \"1 hour ago\" --no-pager", "journalctl -u {svc} -p warning --since \"1 hour ago\"" },
    "No repeated errors, stack traces or restart loops.",
    "Search for the first error message: it usually names the failing file, port or dependency.",
    "none", 3, 10, 1.0 },
  { "inodes",
    { "Check inode usage", "Check the filesystem is not out of inodes" },
    "A filesystem can be out of inodes while df -h still shows free space.",
    { "df -i", "df -i /var" },
    "IUse% below 90 % on every filesystem.",
    "Find directories with many small files (e.g. session or cache directories) and clean them up.",
    "none", 1, 3, 0.3 },
  { "memory",
    { "Check memory pressure", "Check free memory", "Check for memory exhaustion" },
    "See whether the machine is short of memory or swapping.",
    { "free -m", "free -h" },
    "The available column is above 10 % of the total and little swap is used.",
    "Find the largest processes with ps aux --sort=-rss | head and lower their limits or add memory.",
    "none", 1, 3, 0.5 },
  { "oom",
    { "Look for OOM kills", "Check the kernel log for OOM kills" },
    "The kernel kills processes when memory runs out; that leaves a trace in the kernel log.",
    { "dmesg -T | grep -i -E \"killed process|out of memory\"", "journalctl -k --since \"1 hour ago\" | grep -i oom" },
    "No lines about killed processes.",
    "Lower the service's memory use or raise its limit (MemoryMax=) and the machine's memory.",
    "none", 2, 5, 0.35 },
  { "ports",
    { "Check the listening ports", "Verify {svc} listens on its port", "Check which process holds the port" },
    "Make sure the service listens where clients expect it, and that no other process took the port.",
    { "ss -ltnp", "sudo ss -ltnp | grep {svc}" },
    "The service's process is listed on the expected address and port.",
    "If another process holds the port, stop it or change the port; if nothing listens, the service failed at startup.",
    "none", 2, 5, 0.5 },
  { "dns",
    { "Check DNS resolution", "Verify the hostname resolves", "Check DNS for the upstream host" },
    "Confirm that the names the service depends on resolve to the right addresses.",
    { "dig +short {host}", "resolvectl query {host}" },
    "The expected IP addresses come back within a few milliseconds.",
    "Check /etc/resolv.conf and the DNS server; pin the address in /etc/hosts only as a stopgap.",
    "none", 2, 5, 0.4 },
  { "tls",
    { "Check the TLS certificate", "Verify the certificate has not expired", "Inspect the TLS handshake" },
    "Check the certificate the server presents and its validity dates.",
    { "openssl s_client -connect {host}:443 -servername {host} </dev/null 2>/dev/null | openssl x509 -noout -dates",
      "echo | openssl s_client -connect {host}:443 -servername {host} 2>&1 | grep -E \"Verify return code|notAfter\"" },
    "notAfter is in the future and the chain verifies (Verify return code: 0).",
    "Renew the certificate (for example certbot renew), install the full chain and reload the service.",
    "none", 3, 8, 0.35 },
  { "health",
    { "Probe the health endpoint", "Check the service answers locally" },
    "Call the service directly on the machine, bypassing load balancers and proxies.",
    { "curl -sv http://127.0.0.1:8080/health", "curl -s -o /dev/null -w '%{http_code}\\n' http://127.0.0.1:8080/health" },
    "HTTP 200 within a second.",
    "If it fails locally the service itself is broken; if it only fails remotely, look at the proxy, firewall or DNS.",
    "none", 2, 4, 0.45 },
  { "config",
    { "Validate the configuration", "Check the configuration syntax", "Test the config before reloading" },
    "Run the service's own configuration check before any restart.",
    { NULL, NULL },
    "The check reports the syntax is OK.",
    "Fix the reported line, or restore the previous configuration from version control or backup.",
    "none", 2, 6, 0.6 },
  { "changes",
    { "Review recent changes", "Check what changed recently" },
    "Look for package upgrades or deployments just before the problem started.",
    { "grep -E \" (install|upgrade) \" /var/log/dpkg.log | tail -n 20", "journalctl --since \"24 hours ago\" -u apt-daily-upgrade --no-pager" },
    "Nothing changed around the time the problem started.",
    "If an upgrade or deployment lines up with the start of the problem, plan to roll it back.",
    "none", 3, 10, 0.4 },
  { "restart",
    { "Restart the service", "Restart {svc}", "Restart {svc} cleanly" },
    "Once the cause is fixed (or to restore service quickly), restart the service and watch it come up.",
    { "sudo systemctl restart {svc}", "sudo systemctl restart {svc} && systemctl is-active {svc}" },
    "The service comes back as active (running) and stays up for several minutes.",
    "If it fails again, capture the journal output and do not keep restarting in a loop.",
    "medium", 2, 5, 0.6 },
  { "rollback",
    { "Roll back the last change", "Roll back to the previous release", "Revert the last deployment" },
    "Return to the last known good version when the problem started with a change.",
    { "sudo apt-get install --allow-downgrades {svc}=PREVIOUS_VERSION", "kubectl rollout undo deployment/{svc}" },
    "The previous version runs and the symptoms disappear.",
    "If the rollback does not help, the change was not the cause: escalate with the collected evidence.",
    "high", 10, 30, 0.35 },
};

#define N_STEPS G_N_ELEMENTS (step_pool)

static const char * const cause_pool[] = {
  "The disk is full, so {svc} cannot write its data or logs",
  "A recent configuration change broke {svc}",
  "Memory exhaustion made the kernel kill {svc}",
  "An expired or incomplete TLS certificate",
  "DNS resolution of an upstream dependency fails",
  "Another process took the port {svc} needs",
  "A package upgrade changed defaults or removed a module",
  "The service is overloaded and hits its connection limit",
};

static const char * const escalate_pool[] = {
  "Escalate to the on-call platform engineer if the service is still down after the restart, or at once if data loss is suspected.",
  "Stop and escalate to the owning team when a rollback is needed on production or when the logs point to data corruption.",
  "Escalate after 30 minutes without progress, or immediately if customers are affected; include the commands run and their output.",
};

static const char * const service_names[][2] = {
  { "nginx", "nginx" },
  { "postgres", "postgresql" },
  { "mysql", "mysql" },
  { "mariadb", "mariadb" },
  { "redis", "redis-server" },
  { "docker", "docker" },
  { "kube", "kubelet" },
  { "apache", "apache2" },
  { "haproxy", "haproxy" },
  { "ssh", "ssh" },
  { "php", "php8.2-fpm" },
  { "gitlab", "gitlab-runsvdir" },
};

static const char * const reasoning_pool[] = {
  "Let me restate the problem and the constraints first. ",
  "The key requirement seems to be reliability under load, so I should keep the critical path short. ",
  "I am weighing a managed service against self-hosting; the team size matters here. ",
  "Cost is a constraint, so I will prefer open-source components where they are mature. ",
  "I should check which failure is most likely before suggesting anything risky. ",
  "Read-only checks come first, changes later, and a rollback plan before any restart. ",
  "There are several plausible options; I will pick the one with the fewest moving parts. ",
  "Let me double-check that every required field of the schema is present. ",
};

static const char * const strengths_pool[] = {
  "Clear and complete, with concrete technologies and commands.",
  "Good ordering: cheap, safe checks come first.",
  "Realistic cost estimate and sensible scaling notes.",
  "Covers failure modes and mitigations well.",
  "Simple design that a small team can operate.",
};

static const char * const weaknesses_pool[] = {
  "Misses an important risk and its mitigation.",
  "Some steps are vague about what a healthy result looks like.",
  "Adds components that the problem does not need.",
  "The cost estimate looks optimistic.",
  "Does not say when to stop and escalate.",
};

/* ------------------------------------------------------------------------ */
/* Content generation                                                       */
/* ------------------------------------------------------------------------ */

static const char *
find_component_name (const guint  *chosen_name,
                     const gboolean *chosen,
                     const char    *key)
{
  for (guint i = 0; i < N_COMPONENTS; i++)
    if (chosen[i] && g_str_equal (components[i].key, key))
      return components[i].names[chosen_name[i]];
  return NULL;
}

/* Words in the problem that make a component very likely: every candidate
 * reads the same problem, so they tend to agree on these. */
static const char * const component_hints[][2] = {
  { "search", "search" }, { "catalog", "search" }, { "full-text", "search" },
  { "analytics", "stream" }, { "real-time", "stream" }, { "realtime", "stream" }, { "metrics", "stream" },
  { "analytics", "bus" }, { "event", "bus" }, { "queue", "bus" }, { "async", "bus" },
  { "upload", "objects" }, { "file", "objects" }, { "image", "objects" }, { "video", "objects" }, { "archive", "objects" },
  { "ingest", "ingest" }, { "telemetry", "ingest" }, { "iot", "ingest" }, { "sensor", "ingest" }, { "click", "ingest" },
  { "read", "cache" }, { "latency", "cache" }, { "cache", "cache" },
  { "login", "auth" }, { "account", "auth" }, { "sso", "auth" }, { "tenant", "auth" },
  { "web", "web" }, { "dashboard", "web" }, { "browser", "web" },
  { "batch", "jobs" }, { "schedul", "jobs" }, { "email", "jobs" }, { "report", "jobs" }, { "export", "jobs" },
};

static double
component_probability (const ComponentSpec *c,
                       const char          *problem_lower)
{
  for (guint i = 0; i < G_N_ELEMENTS (component_hints); i++)
    if (g_str_equal (component_hints[i][1], c->key) && strstr (problem_lower, component_hints[i][0]) != NULL)
      return MAX (c->probability, 0.85);
  return c->probability;
}

static JsonNode *
gen_architect (GRand      *r,
               const char *problem)
{
  g_autofree char *problem_lower = g_utf8_strdown (problem ? problem : "", -1);
  gboolean chosen[N_COMPONENTS] = { 0 };
  guint tech[N_COMPONENTS] = { 0 };
  guint name[N_COMPONENTS] = { 0 };
  g_autoptr(JsonObject) root = json_object_new ();
  JsonArray *comps = json_array_new ();
  JsonArray *stores = json_array_new ();
  JsonArray *apis = json_array_new ();
  JsonArray *conns = json_array_new ();
  JsonArray *decisions = json_array_new ();
  JsonArray *trade_offs = json_array_new ();
  JsonArray *risks = json_array_new ();
  GString *mermaid = g_string_new ("flowchart LR\n");
  g_autoptr(GString) summary = g_string_new (NULL);
  JsonNode *node;
  guint n_chosen = 0;
  guint n_decisions = 0;
  guint n_trade_offs;
  guint n_risks;
  double cost = 0;
  gboolean used_trade_off[G_N_ELEMENTS (trade_off_pool)] = { 0 };
  gboolean used_risk[G_N_ELEMENTS (risk_pool)] = { 0 };
  guint i;

  for (i = 0; i < N_COMPONENTS; i++)
    {
      double p = component_probability (&components[i], problem_lower);

      chosen[i] = p >= 1.0 || chance (r, p);
      tech[i] = pick_weighted (r, 3);
      name[i] = pick_weighted (r, 3);
      if (chosen[i])
        n_chosen++;
    }
  /* At least five components: add the most likely missing ones. */
  for (i = 0; i < N_COMPONENTS && n_chosen < 5; i++)
    if (!chosen[i] && components[i].probability >= 0.5)
      {
        chosen[i] = TRUE;
        n_chosen++;
      }

  for (i = 0; i < N_COMPONENTS; i++)
    {
      const ComponentSpec *c = &components[i];
      JsonObject *o;

      if (!chosen[i])
        continue;

      o = json_object_new ();
      json_object_set_string_member (o, "name", c->names[name[i]]);
      json_object_set_string_member (o, "responsibility", c->responsibility);
      json_object_set_string_member (o, "technology", c->techs[tech[i]]);
      json_object_set_string_member (o, "scaling", c->scaling[tech[i]]);
      json_array_add_object_element (comps, o);

      if (c->store > 0)
        {
          o = json_object_new ();
          json_object_set_string_member (o, "name", c->names[name[i]]);
          json_object_set_string_member (o, "technology", c->techs[tech[i]]);
          json_object_set_string_member (o, "purpose", c->purpose);
          json_object_set_boolean_member (o, "primary", c->store == 2);
          json_array_add_object_element (stores, o);
        }

      if (c->topic != NULL && n_decisions < 5 && (c->probability >= 1.0 || chance (r, 0.7)))
        {
          JsonArray *rejected = json_array_new ();

          for (guint t = 0; t < 3; t++)
            if (t != tech[i])
              json_array_add_string_element (rejected, c->techs[t]);
          o = json_object_new ();
          json_object_set_string_member (o, "topic", c->topic);
          json_object_set_string_member (o, "choice", c->techs[tech[i]]);
          json_object_set_string_member (o, "rationale", c->rationales[tech[i]]);
          json_object_set_array_member (o, "rejected_alternatives", rejected);
          json_array_add_object_element (decisions, o);
          n_decisions++;
        }

      cost += c->cost[tech[i]];
      g_string_append_printf (mermaid, "  %s[\"%s: %s\"]\n", c->key, c->names[name[i]], c->techs[tech[i]]);
    }

  for (i = 0; i < G_N_ELEMENTS (api_pool); i++)
    {
      const ApiSpec *a = &api_pool[i];
      JsonObject *o;

      if (a->requires != NULL && find_component_name (name, chosen, a->requires) == NULL)
        continue;
      if (i > 0 && !chance (r, 0.55))
        continue;
      o = json_object_new ();
      json_object_set_string_member (o, "name", a->name);
      json_object_set_string_member (o, "style", a->style);
      json_object_set_string_member (o, "description", a->description);
      json_array_add_object_element (apis, o);
    }

  for (i = 0; i < G_N_ELEMENTS (connection_rules); i++)
    {
      const ConnectionSpec *cr = &connection_rules[i];
      const char *from = find_component_name (name, chosen, cr->from);
      const char *to = find_component_name (name, chosen, cr->to);
      JsonObject *o;

      if (from == NULL || to == NULL)
        continue;
      o = json_object_new ();
      json_object_set_string_member (o, "from", from);
      json_object_set_string_member (o, "to", to);
      json_object_set_string_member (o, "description", cr->description);
      json_array_add_object_element (conns, o);
      g_string_append_printf (mermaid, "  %s -->|%s| %s\n", cr->from, cr->label, cr->to);
    }

  n_trade_offs = 2 + g_rand_int_range (r, 0, 3);
  for (i = 0; i < n_trade_offs; i++)
    {
      guint k = g_rand_int_range (r, 0, G_N_ELEMENTS (trade_off_pool));

      while (used_trade_off[k])
        k = (k + 1) % G_N_ELEMENTS (trade_off_pool);
      used_trade_off[k] = TRUE;
      json_array_add_string_element (trade_offs, trade_off_pool[k]);
    }

  n_risks = 2 + g_rand_int_range (r, 0, 3);
  for (i = 0; i < n_risks; i++)
    {
      guint k = g_rand_int_range (r, 0, G_N_ELEMENTS (risk_pool));
      JsonObject *o;

      while (used_risk[k])
        k = (k + 1) % G_N_ELEMENTS (risk_pool);
      used_risk[k] = TRUE;
      o = json_object_new ();
      json_object_set_string_member (o, "risk", risk_pool[k][0]);
      json_object_set_string_member (o, "mitigation", risk_pool[k][1]);
      json_array_add_object_element (risks, o);
    }

  cost = round (cost * (0.85 + 0.4 * g_rand_double (r)) / 10.0) * 10.0;

  g_string_append_printf (summary, "%s design: %s in front of a %s service, with %s as the system of record",
                          chosen[3] ? "An event-driven" : "A service-oriented",
                          components[0].techs[tech[0]],
                          components[1].techs[tech[1]],
                          components[4].techs[tech[4]]);
  if (chosen[3])
    g_string_append_printf (summary, " and %s carrying events between the services", components[3].techs[tech[3]]);
  g_string_append (summary, ". ");
  g_string_append (summary, chance (r, 0.5)
                   ? "Each tier scales on its own and the write path stays short, which fits the expected load."
                   : "It keeps operations simple for a small team while leaving room to grow.");

  json_object_set_string_member (root, "summary", summary->str);
  json_object_set_array_member (root, "components", comps);
  json_object_set_array_member (root, "data_stores", stores);
  json_object_set_array_member (root, "apis", apis);
  json_object_set_array_member (root, "connections", conns);
  json_object_set_array_member (root, "decisions", decisions);
  json_object_set_array_member (root, "trade_offs", trade_offs);
  json_object_set_array_member (root, "risks", risks);
  json_object_set_double_member (root, "monthly_cost_usd", cost);
  g_string_truncate (mermaid, mermaid->len - 1);
  json_object_set_string_member (root, "mermaid", mermaid->str);
  g_string_free (mermaid, TRUE);
  {
    /* a follow-up round (cs-test-provider-rounds.c) */
    g_autoptr(CsTestRounds) rounds = cs_test_rounds_parse (problem);

    cs_test_rounds_adjust (rounds, root, NULL);
  }

  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, root);
  return node;
}

static const char *
detect_service (const char *problem)
{
  g_autofree char *lower = g_ascii_strdown (problem ? problem : "", -1);

  for (guint i = 0; i < G_N_ELEMENTS (service_names); i++)
    if (strstr (lower, service_names[i][0]) != NULL)
      return service_names[i][1];
  return "app";
}

static const char *
config_check_command (const char *svc)
{
  if (g_str_equal (svc, "nginx"))
    return "sudo nginx -t";
  if (g_str_equal (svc, "apache2"))
    return "sudo apachectl configtest";
  if (g_str_equal (svc, "haproxy"))
    return "haproxy -c -f /etc/haproxy/haproxy.cfg";
  if (g_str_equal (svc, "ssh"))
    return "sudo sshd -t";
  if (g_str_equal (svc, "php8.2-fpm"))
    return "sudo php-fpm8.2 -t";
  if (g_str_equal (svc, "docker"))
    return "sudo dockerd --validate";
  return "sudo systemd-analyze verify {svc}.service";
}

/* Whether a follow-up round's reports tried @s: any of its titles or
 * commands (cs-test-provider-rounds.c). */
static gboolean
step_tried (CsTestRounds   *rounds,
            const StepSpec *s,
            const char     *svc,
            const char     *host)
{
  const char *commands[2] = { s->commands[0], s->commands[1] };

  if (rounds == NULL)
    return FALSE;
  if (commands[0] == NULL)
    commands[0] = config_check_command (svc);
  for (guint k = 0; k < G_N_ELEMENTS (commands); k++)
    {
      g_autofree char *text = commands[k] != NULL ? expand (commands[k], svc, host) : NULL;

      if (cs_test_rounds_is_tried (rounds, text))
        return TRUE;
    }
  for (guint k = 0; k < G_N_ELEMENTS (s->titles) && s->titles[k] != NULL; k++)
    {
      g_autofree char *text = expand (s->titles[k], svc, host);

      if (cs_test_rounds_is_tried (rounds, text))
        return TRUE;
    }
  return FALSE;
}

static JsonNode *
gen_support (GRand      *r,
             const char *problem)
{
  const char *svc = detect_service (problem);
  const char *host = "api.example.com";
  g_autoptr(CsTestRounds) rounds = cs_test_rounds_parse (problem);
  g_autoptr(JsonObject) root = json_object_new ();
  JsonArray *causes = json_array_new ();
  JsonArray *steps = json_array_new ();
  JsonNode *node;
  guint order[N_STEPS];
  gboolean used_cause[G_N_ELEMENTS (cause_pool)] = { 0 };
  g_autofree char *first_cause = NULL;
  g_autofree char *summary = NULL;
  guint n_order = 0;
  guint n_causes;
  guint i;

  for (i = 0; i < N_STEPS; i++)
    if ((step_pool[i].probability >= 1.0 || chance (r, step_pool[i].probability)) &&
        !step_tried (rounds, &step_pool[i], svc, host))
      order[n_order++] = i;

  /* Some diversity in the order: swap neighbours now and then, but keep
   * the risky steps (restart, rollback) at the end. */
  for (i = 0; i + 1 < n_order; i++)
    {
      if (g_str_equal (step_pool[order[i + 1]].risk, "none") && chance (r, 0.25))
        {
          guint tmp = order[i];

          order[i] = order[i + 1];
          order[i + 1] = tmp;
          i++;
        }
    }

  for (i = 0; i < n_order; i++)
    {
      const StepSpec *s = &step_pool[order[i]];
      JsonObject *o = json_object_new ();
      const char *cmd_tmpl;
      g_autofree char *title = NULL;
      g_autofree char *command = NULL;
      g_autofree char *action = NULL;
      g_autofree char *if_fails = NULL;

      title = expand (s->titles[pick_weighted (r, count_strv (s->titles, 3))], svc, host);
      cmd_tmpl = s->commands[0] == NULL ? config_check_command (svc) : s->commands[chance (r, 0.7) ? 0 : 1];
      command = expand (cmd_tmpl, svc, host);
      action = expand (s->action, svc, host);
      if_fails = expand (s->if_fails, svc, host);

      json_object_set_string_member (o, "title", title);
      json_object_set_string_member (o, "action", action);
      json_object_set_string_member (o, "command", command);
      json_object_set_string_member (o, "expected", s->expected);
      json_object_set_string_member (o, "if_fails", if_fails);
      json_object_set_string_member (o, "risk", s->risk);
      json_object_set_int_member (o, "effort_minutes", g_rand_int_range (r, s->effort_min, s->effort_max + 1));
      json_array_add_object_element (steps, o);
    }

  n_causes = 2 + g_rand_int_range (r, 0, 3);
  for (i = 0; i < n_causes; i++)
    {
      guint k = i == 0 && chance (r, 0.5) ? 0 : (guint) g_rand_int_range (r, 0, G_N_ELEMENTS (cause_pool));
      JsonObject *o = json_object_new ();
      g_autofree char *cause = NULL;

      while (used_cause[k])
        k = (k + 1) % G_N_ELEMENTS (cause_pool);
      used_cause[k] = TRUE;
      cause = expand (cause_pool[k], svc, host);
      if (i == 0)
        first_cause = g_strdup (cause);
      json_object_set_string_member (o, "cause", cause);
      json_object_set_string_member (o, "likelihood", i == 0 ? "high" : (i == 1 || chance (r, 0.3)) ? "medium" : "low");
      json_array_add_object_element (causes, o);
    }
  if (first_cause != NULL && g_ascii_islower (first_cause[1]))
    first_cause[0] = g_ascii_tolower (first_cause[0]);
  summary = g_strdup_printf ("Most likely: %s. Start with the read-only checks below before restarting anything.",
                             first_cause ? first_cause : "a failing dependency");

  json_object_set_string_member (root, "summary", summary);
  json_object_set_array_member (root, "likely_causes", causes);
  json_object_set_array_member (root, "steps", steps);
  json_object_set_string_member (root, "escalate_when", escalate_pool[g_rand_int_range (r, 0, G_N_ELEMENTS (escalate_pool))]);
  cs_test_rounds_adjust (rounds, root, svc);

  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, root);
  return node;
}

static GPtrArray *
parse_candidate_ids (const char *user_text)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) lines = g_strsplit (user_text ? user_text : "", "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);

      if (g_str_has_prefix (line, "### Candidate "))
        {
          /* "### Candidate <id>", maybe followed by " (model), angle: …" */
          const char *id = line + strlen ("### Candidate ");
          gsize len = strcspn (id, " \t(:");

          if (len > 0)
            g_ptr_array_add (ids, g_strndup (id, len));
        }
    }
  return ids;
}

static JsonNode *
gen_judge (GRand      *r,
           Kind        mode,
           const char *user_text)
{
  g_autoptr(JsonObject) root = json_object_new ();
  g_autoptr(GPtrArray) ids = parse_candidate_ids (user_text);
  JsonArray *critiques = json_array_new ();
  JsonNode *node;
  const char *best = NULL;
  gint64 best_score = -1;
  g_autofree char *rationale = NULL;

  for (guint i = 0; i < ids->len; i++)
    {
      JsonObject *o = json_object_new ();
      gint64 score = g_rand_int_range (r, 4, 10);

      json_object_set_string_member (o, "candidate", g_ptr_array_index (ids, i));
      json_object_set_string_member (o, "strengths", strengths_pool[g_rand_int_range (r, 0, G_N_ELEMENTS (strengths_pool))]);
      json_object_set_string_member (o, "weaknesses", weaknesses_pool[g_rand_int_range (r, 0, G_N_ELEMENTS (weaknesses_pool))]);
      json_object_set_int_member (o, "score", score);
      json_array_add_object_element (critiques, o);
      if (score > best_score)
        {
          best_score = score;
          best = g_ptr_array_index (ids, i);
        }
    }

  if (best != NULL)
    rationale = g_strdup_printf ("Candidate %s is the strongest starting point. The final %s keeps the choices most candidates agree on, "
                                 "adds the strongest minority ideas where they cover a gap, and drops what no candidate justified.",
                                 best, mode == KIND_SUPPORT ? "checklist" : "blueprint");
  else
    rationale = g_strdup ("No candidates were given; the result is a fresh answer to the problem.");

  json_object_set_array_member (root, "critiques", critiques);
  json_object_set_string_member (root, "rationale", rationale);
  json_object_set_member (root, "result", mode == KIND_SUPPORT ? gen_support (r, user_text) : gen_architect (r, user_text));

  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, root);
  return node;
}

static char *
gen_reasoning (GRand *r,
               Kind   kind)
{
  GString *s = g_string_new (NULL);
  guint n = 3 + g_rand_int_range (r, 0, 3);

  g_string_append (s, reasoning_pool[0]);
  for (guint i = 0; i < n; i++)
    g_string_append (s, reasoning_pool[1 + g_rand_int_range (r, 0, G_N_ELEMENTS (reasoning_pool) - 1)]);
  g_string_append (s, kind == KIND_JUDGE ? "Now I compare the candidates one by one and score them."
                   : kind == KIND_SUPPORT ? "Now I write the checklist, safest steps first."
                   : "Now I write the architecture down in the requested format.");
  return g_string_free (s, FALSE);
}

/* ------------------------------------------------------------------------ */
/* Requests                                                                 */
/* ------------------------------------------------------------------------ */

typedef struct {
  Dialect     dialect;
  char       *model;
  Faults      faults;
  JsonNode   *body_node;
  JsonObject *body;
  gsize       body_len;
  char       *system_text;
  char       *user_text;
  JsonObject *schema;        /* borrowed from body */
  gboolean    json_mode;     /* json_object / format "json": JSON, but no schema */
  Kind        kind;
  Kind        judge_mode;
  guint       n;
  gboolean    stream;
  gboolean    include_usage;
  gboolean    invalid;
  guint       serial;
  char       *api_key;       /* from "Authorization: Bearer KEY", or NULL */
} Request;

typedef struct {
  char       *text;          /* NULL for a refusal */
  char       *reasoning;
  char       *refusal;
  const char *finish_reason;
} Reply;

static void
faults_clear (Faults *f)
{
  g_clear_pointer (&f->base, g_free);
}

static void
faults_parse (Faults     *f,
              const char *model)
{
  g_auto(GStrv) tokens = g_strsplit (model ? model : "", "+", -1);
  g_autofree char *lower = NULL;

  memset (f, 0, sizeof *f);
  f->base = g_strdup (tokens[0] ? tokens[0] : "");

  for (guint i = 1; tokens[0] != NULL && tokens[i] != NULL; i++)
    {
      const char *t = tokens[i];

      if (g_str_equal (t, "slow"))
        {
          f->has_delay = TRUE;
          f->delay_ms = SLOW_DELAY_MS;
        }
      else if (g_str_has_prefix (t, "slow="))
        {
          guint64 ms = 0;

          if (g_ascii_string_to_unsigned (t + 5, 10, 0, 600000, &ms, NULL))
            {
              f->has_delay = TRUE;
              f->delay_ms = (guint) ms;
            }
        }
#define TOKEN(name, field) else if (g_str_equal (t, name)) f->field = TRUE;
      TOKEN ("reasoning", reasoning)
      TOKEN ("refuse", refuse)
      TOKEN ("429once", e429once)
      TOKEN ("429ms", e429ms)
      TOKEN ("429", e429)
      TOKEN ("quota", quota)
      TOKEN ("500once", e500once)
      TOKEN ("503once", e503once)
      TOKEN ("500", e500)
      TOKEN ("503", e503)
      TOKEN ("400", e400)
      TOKEN ("404", e404)
      TOKEN ("streamerror", streamerror)
      TOKEN ("truncate", truncate)
      TOKEN ("silence", silence)
      TOKEN ("hang", hang)
      TOKEN ("malformed", malformed)
      TOKEN ("invalid", invalid)
      TOKEN ("invalidonce", invalidonce)
      TOKEN ("length", length)
      TOKEN ("bytewise", bytewise)
      TOKEN ("crlf", crlf)
      TOKEN ("comments", comments)
      TOKEN ("big", big)
      TOKEN ("nostream_usage", nostream_usage)
      TOKEN ("escapes", escapes)
      TOKEN ("echokeyreply", echokeyreply)
      TOKEN ("thinktag", thinktag)
      TOKEN ("echokey", echokey)
      TOKEN ("score85", score85)
      TOKEN ("invalidtwice", invalidtwice)
      TOKEN ("badrank", badrank)
#undef TOKEN
      else
        g_debug ("Ignoring unknown model token “%s”", t);
    }

  lower = g_ascii_strdown (f->base, -1);
  if (strstr (lower, "think") != NULL || strstr (lower, "reason") != NULL)
    f->reasoning = TRUE;
}

/* Like OpenAI's Responses API: a request that sets a reasoning effort but
 * asks for no summary ("reasoning": {"summary": "auto"}) gets no reasoning
 * text. A request without "reasoning" keeps the model's scripted reasoning. */
static gboolean
responses_summary_off (Request *req)
{
  JsonNode *node;

  if (req->dialect != DIALECT_RESPONSES || req->body == NULL)
    return FALSE;
  node = json_object_get_member (req->body, "reasoning");
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return FALSE;
  node = json_object_get_member (json_node_get_object (node), "summary");
  return node == NULL || !JSON_NODE_HOLDS_VALUE (node)
         || json_node_get_value_type (node) != G_TYPE_STRING
         || g_strcmp0 (json_node_get_string (node), "none") == 0;
}

static void
request_free (Request *req)
{
  g_free (req->model);
  faults_clear (&req->faults);
  g_clear_pointer (&req->body_node, json_node_unref);
  g_free (req->system_text);
  g_free (req->user_text);
  g_free (req->api_key);
  g_free (req);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Request, request_free)

static void
reply_clear (Reply *reply)
{
  g_clear_pointer (&reply->text, g_free);
  g_clear_pointer (&reply->reasoning, g_free);
  g_clear_pointer (&reply->refusal, g_free);
}

/* Appends the text of a message "content" (a string, or an array of parts). */
static void
append_content (GString  *out,
                JsonNode *content)
{
  if (content == NULL)
    return;

  if (JSON_NODE_HOLDS_VALUE (content) && json_node_get_value_type (content) == G_TYPE_STRING)
    {
      g_string_append (out, json_node_get_string (content));
      g_string_append_c (out, '\n');
    }
  else if (JSON_NODE_HOLDS_ARRAY (content))
    {
      JsonArray *parts = json_node_get_array (content);

      for (guint i = 0; i < json_array_get_length (parts); i++)
        {
          JsonNode *part = json_array_get_element (parts, i);
          const char *text;

          if (!JSON_NODE_HOLDS_OBJECT (part))
            continue;
          text = get_string (json_node_get_object (part), "text");
          if (text != NULL)
            {
              g_string_append (out, text);
              g_string_append_c (out, '\n');
            }
        }
    }
}

static void
collect_messages (JsonArray *messages,
                  GString   *system,
                  GString   *user)
{
  for (guint i = 0; messages != NULL && i < json_array_get_length (messages); i++)
    {
      JsonNode *node = json_array_get_element (messages, i);
      JsonObject *m;
      const char *role;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      m = json_node_get_object (node);
      role = get_string (m, "role");
      if (!json_object_has_member (m, "content"))
        continue;
      if (g_strcmp0 (role, "system") == 0 || g_strcmp0 (role, "developer") == 0)
        append_content (system, json_object_get_member (m, "content"));
      else if (g_strcmp0 (role, "user") == 0)
        append_content (user, json_object_get_member (m, "content"));
    }
}

static Kind
kind_from_schema (JsonObject *schema,
                  Kind       *judge_mode)
{
  JsonObject *props = get_object (schema, "properties");

  if (props == NULL)
    props = schema;

  if (json_object_has_member (props, "critiques") && json_object_has_member (props, "result"))
    {
      JsonObject *result = get_object (props, "result");
      JsonObject *result_props = get_object (result, "properties");

      if (result_props == NULL)
        result_props = result;
      *judge_mode = result_props != NULL && json_object_has_member (result_props, "steps") ? KIND_SUPPORT : KIND_ARCHITECT;
      return KIND_JUDGE;
    }
  if (json_object_has_member (props, "steps"))
    return KIND_SUPPORT;
  return KIND_ARCHITECT;
}

/* Which of "architect" / "support" comes first in @text; KIND_JUDGE if neither. */
static Kind
first_mode_word (const char *text)
{
  g_autofree char *lower = g_utf8_strdown (text ? text : "", -1);
  const char *a = strstr (lower, "architect");
  const char *s = strstr (lower, "support");
  const char *t = strstr (lower, "troubleshoot");

  if (s == NULL || (t != NULL && t < s))
    s = t;
  if (a != NULL && (s == NULL || a < s))
    return KIND_ARCHITECT;
  if (s != NULL)
    return KIND_SUPPORT;
  return KIND_JUDGE;
}

static void
detect_kind (Request *req)
{
  g_autofree char *lower = NULL;
  Kind k;

  if (cs_test_provider_compare_detect (req->schema, req->system_text))
    {
      req->kind = KIND_COMPARE;
      return;
    }
  if (_cs_test_provider_is_ranking (req->schema, req->system_text))
    {
      req->kind = KIND_RANKING;
      return;
    }
  if (req->schema != NULL)
    {
      req->kind = kind_from_schema (req->schema, &req->judge_mode);
      return;
    }

  lower = g_utf8_strdown (req->system_text, -1);
  if (strstr (lower, "judge") != NULL)
    {
      req->kind = KIND_JUDGE;
      k = first_mode_word (req->system_text);
      if (k == KIND_JUDGE)
        k = first_mode_word (req->user_text);
      req->judge_mode = k == KIND_SUPPORT ? KIND_SUPPORT : KIND_ARCHITECT;
      return;
    }

  k = first_mode_word (req->system_text);
  if (k == KIND_JUDGE)
    k = first_mode_word (req->user_text);
  req->kind = k == KIND_SUPPORT ? KIND_SUPPORT : KIND_ARCHITECT;
}

/* Parses the body of a generation request; FALSE with a message when the
 * request is not acceptable. */
static gboolean
request_parse (Request     *req,
               const char  *data,
               gsize        len,
               char       **message)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GString) system = g_string_new (NULL);
  g_autoptr(GString) user = g_string_new (NULL);
  JsonObject *format = NULL;
  JsonNode *node;

  req->body_len = len;
  if (!json_parser_load_from_data (parser, data, len, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      *message = g_strdup ("We could not parse the JSON body of your request.");
      return FALSE;
    }
  req->body_node = json_node_ref (json_parser_get_root (parser));
  req->body = json_node_get_object (req->body_node);

  if (get_string (req->body, "model") == NULL)
    {
      *message = g_strdup ("You must provide a model parameter.");
      return FALSE;
    }

  req->stream = get_boolean (req->body, "stream", req->dialect == DIALECT_OLLAMA);
  req->n = 1;

  switch (req->dialect)
    {
    case DIALECT_CHAT:
      {
        gint64 n = get_int (req->body, "n", 1);

        if (n < 1 || n > MAX_N)
          {
            *message = g_strdup_printf ("Invalid value for 'n': must be between 1 and %d.", MAX_N);
            return FALSE;
          }
        req->n = (guint) n;
        req->include_usage = get_boolean (get_object (req->body, "stream_options"), "include_usage", FALSE);
        collect_messages (get_array (req->body, "messages"), system, user);
        format = get_object (req->body, "response_format");
        if (g_strcmp0 (get_string (format, "type"), "json_schema") == 0)
          req->schema = get_object (get_object (format, "json_schema"), "schema");
        else if (g_strcmp0 (get_string (format, "type"), "json_object") == 0)
          req->json_mode = TRUE;
      }
      break;

    case DIALECT_RESPONSES:
      {
        const char *instructions = get_string (req->body, "instructions");

        if (instructions != NULL)
          g_string_append_printf (system, "%s\n", instructions);
        node = json_object_get_member (req->body, "input");
        if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
          collect_messages (json_node_get_array (node), system, user);
        else
          append_content (user, node);
        format = get_object (get_object (req->body, "text"), "format");
        if (g_strcmp0 (get_string (format, "type"), "json_schema") == 0)
          req->schema = get_object (format, "schema");
        else if (g_strcmp0 (get_string (format, "type"), "json_object") == 0)
          req->json_mode = TRUE;
      }
      break;

    case DIALECT_OLLAMA:
      collect_messages (get_array (req->body, "messages"), system, user);
      node = json_object_get_member (req->body, "format");
      if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
        req->schema = json_node_get_object (node);
      else if (node != NULL && JSON_NODE_HOLDS_VALUE (node))
        req->json_mode = TRUE;
      break;

    default:
      g_assert_not_reached ();
    }

  req->system_text = g_string_free (g_steal_pointer (&system), FALSE);
  req->user_text = g_string_free (g_steal_pointer (&user), FALSE);
  detect_kind (req);
  return TRUE;
}

static guint32
request_seed (Request *req,
              guint    choice)
{
  guint32 h = 2166136261u;
  char buf[16];

  h = fnv1a (h, req->faults.base);
  g_snprintf (buf, sizeof buf, "%u", choice);
  h = fnv1a (h, buf);
  h = fnv1a (h, req->system_text);
  h = fnv1a (h, req->user_text);
  return h;
}

/* @key as %XX: every byte when @all, else only the bytes that are not
 * letters or digits ("sk%2Dabc"). */
static void
append_percent (GString    *out,
                const char *key,
                gboolean    all,
                gboolean    upper)
{
  for (const char *p = key; *p; p++)
    {
      if (!all && g_ascii_isalnum (*p))
        g_string_append_c (out, *p);
      else
        g_string_append_printf (out, upper ? "%%%02X" : "%%%02x", (guchar) *p);
    }
}

static void
append_base64 (GString    *out,
               const char *prefix,
               const char *key)
{
  g_autofree char *plain = g_strconcat (prefix, key, NULL);
  g_autofree char *b64 = g_base64_encode ((const guchar *) plain, strlen (plain));

  g_string_append (out, b64);
}

/* The key in every form a server may echo it (for echokey, echokeyreply). */
static char *
key_echoes (const char *key)
{
  GString *out = g_string_new ("Your key ");

  if (key == NULL)
    return g_string_free (out, FALSE);

  g_string_append (out, key);
  g_string_append (out, " was seen as ");
  append_percent (out, key, FALSE, TRUE);
  g_string_append (out, ", ");
  append_percent (out, key, FALSE, FALSE);
  g_string_append (out, ", ");
  append_percent (out, key, TRUE, TRUE);
  g_string_append (out, ", ");
  append_percent (out, key, TRUE, FALSE);
  g_string_append (out, ", ");
  for (const char *p = key; *p; p++)
    {
      if (*p == '-')
        g_string_append (out, "\\u002d");
      else
        g_string_append_c (out, *p);
    }
  g_string_append (out, ", ");
  for (const char *p = key; *p; p++)
    g_string_append_printf (out, "\\u%04X", (guchar) *p);
  g_string_append (out, ", ");
  append_base64 (out, "", key);
  g_string_append (out, ", Basic ");
  append_base64 (out, "apikey:", key);
  g_string_append (out, ", Basic ");
  append_base64 (out, "api:", key);
  g_string_append (out, ".");
  return g_string_free (out, FALSE);
}

static void
make_big (JsonNode *data)
{
  JsonObject *o = json_node_get_object (data);
  GString *s = g_string_sized_new (BIG_REPLY_BYTES + 256);
  const char *filler = "This sentence repeats to make the reply very large for the size-limit tests. ";

  g_string_append (s, get_string (o, "summary"));
  g_string_append_c (s, ' ');
  while (s->len < BIG_REPLY_BYTES)
    g_string_append (s, filler);
  json_object_set_string_member (o, "summary", s->str);
  g_string_free (s, TRUE);
}

static void
make_invalid (Request  *req,
              JsonNode *data)
{
  JsonObject *o = json_node_get_object (data);

  switch (req->kind)
    {
    case KIND_JUDGE:
      json_object_remove_member (o, "result");
      break;
    case KIND_SUPPORT:
      json_object_remove_member (o, "steps");
      break;
    case KIND_ARCHITECT:
    default:
      json_object_remove_member (o, "components");
      break;
    }
  json_object_set_string_member (o, "notes", "This member is not allowed by the schema.");
}

static void
generate_reply (Request *req,
                guint    choice,
                Reply   *reply)
{
  g_autoptr(GRand) r = g_rand_new_with_seed (request_seed (req, choice));
  g_autoptr(JsonNode) data = NULL;
  g_autofree char *json = NULL;

  memset (reply, 0, sizeof *reply);
  reply->finish_reason = "stop";

  if (req->faults.reasoning)
    reply->reasoning = gen_reasoning (r, req->kind);
  if (req->faults.echokeyreply)
    {
      g_autofree char *echoes = key_echoes (req->api_key);
      g_autofree char *thought = reply->reasoning;

      reply->reasoning = g_strconcat (thought != NULL ? thought : "", "I noticed: ", echoes, NULL);
    }

  if (req->faults.refuse)
    {
      reply->refusal = g_strdup ("I'm sorry, but I can't help with that request.");
      return;
    }

  switch (req->kind)
    {
    case KIND_JUDGE:
      data = gen_judge (r, req->judge_mode, req->user_text);
      if (req->faults.score85)
        _cs_test_provider_judge_score85 (data);
      break;
    case KIND_RANKING:
      data = _cs_test_provider_gen_ranking (req->user_text, req->faults.badrank);
      break;
    case KIND_COMPARE:
      data = cs_test_provider_compare_reply (req->model, req->system_text, req->user_text);
      break;
    case KIND_SUPPORT:
      data = gen_support (r, req->user_text);
      break;
    case KIND_ARCHITECT:
    default:
      data = gen_architect (r, req->user_text);
      break;
    }

  if (req->faults.echokeyreply && req->kind != KIND_JUDGE)
    {
      JsonObject *o = json_node_get_object (data);
      g_autofree char *echoes = key_echoes (req->api_key);
      g_autofree char *summary = g_strconcat (get_string (o, "summary"), " ", echoes, NULL);

      json_object_set_string_member (o, "summary", summary);
    }
  if (req->invalid)
    make_invalid (req, data);
  if (req->faults.big)
    make_big (data);

  json = node_to_string (data, !req->faults.big && chance (r, 0.5));

  if (req->faults.malformed)
    {
      g_autofree char *head = cut_text (json, 0.7);

      g_clear_pointer (&json, g_free);
      json = g_strconcat (head, ",,\n  \"unterminated: [}\n", NULL);
    }

  if (req->faults.length)
    {
      reply->text = cut_text (json, 0.6);
      reply->finish_reason = "length";
    }
  else if (req->schema == NULL && !req->json_mode && chance (r, 0.5))
    reply->text = g_strdup_printf ("Here is my answer.\n\n```json\n%s\n```\n", json);
  else
    reply->text = g_steal_pointer (&json);

  if (req->faults.thinktag)
    {
      /* DeepSeek-R1 and Qwen3 behind Ollama or vLLM: the reasoning inline. */
      g_autofree char *thought = reply->reasoning != NULL ? reply->reasoning : gen_reasoning (r, req->kind);
      g_autofree char *answer = reply->text;

      reply->reasoning = NULL;
      reply->text = g_strconcat ("<think>\n", thought, "\n</think>\n\n", answer, NULL);
    }
}

/* Splits @text into pieces of 8-40 characters (bigger for huge texts),
 * on UTF-8 character boundaries. */
static GPtrArray *
split_text (const char *text,
            guint32     seed)
{
  GPtrArray *pieces = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GRand) r = g_rand_new_with_seed (seed ^ 0x5bd1e995u);
  gsize len = text ? strlen (text) : 0;
  gboolean huge = len > 1024 * 1024;
  const char *p = text;

  while (p != NULL && *p != '\0')
    {
      glong chars = huge ? 65536 : g_rand_int_range (r, 8, 41);
      const char *end = p;

      for (glong i = 0; i < chars && *end != '\0'; i++)
        end = g_utf8_next_char (end);
      g_ptr_array_add (pieces, g_strndup (p, end - p));
      p = end;
    }
  return pieces;
}

/* ------------------------------------------------------------------------ */
/* Stream scripts                                                           */
/* ------------------------------------------------------------------------ */

typedef struct {
  GPtrArray *ticks;
  GString   *cur;
  gboolean   crlf;
  gboolean   comments;
  guint      events;
} Script;

static void
script_init (Script        *s,
             const Faults  *f)
{
  s->ticks = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  s->cur = g_string_new (NULL);
  s->crlf = f->crlf;
  s->comments = f->comments;
  s->events = 0;
}

static void
script_flush (Script *s)
{
  if (s->cur->len > 0)
    {
      gsize len = s->cur->len;

      g_ptr_array_add (s->ticks, g_bytes_new_take (g_string_free (s->cur, FALSE), len));
      s->cur = g_string_new (NULL);
    }
}

static GPtrArray *
script_finish (Script *s)
{
  script_flush (s);
  g_string_free (s->cur, TRUE);
  s->cur = NULL;
  return s->ticks;
}

static void
script_eol (Script *s)
{
  g_string_append (s->cur, s->crlf ? "\r\n" : "\n");
}

static void
script_comment (Script     *s,
                const char *comment)
{
  g_string_append_printf (s->cur, ": %s", comment);
  script_eol (s);
  script_eol (s);
}

/* One SSE event; @data must not contain line breaks (compact JSON). */
static void
script_event (Script     *s,
              const char *event,
              const char *data)
{
  if (s->comments && s->events > 0 && s->events % 7 == 0)
    script_comment (s, "keep-alive");
  if (event != NULL)
    {
      g_string_append_printf (s->cur, "event: %s", event);
      script_eol (s);
    }
  g_string_append (s->cur, "data: ");
  g_string_append (s->cur, data);
  script_eol (s);
  script_eol (s);
  s->events++;
}

static void
script_event_object (Script     *s,
                     const char *event,
                     JsonObject *object)
{
  g_autofree char *data = object_to_string (object);

  script_event (s, event, data);
}

static void
script_line (Script     *s,
             JsonObject *object)
{
  g_autofree char *data = object_to_string (object);

  g_string_append (s->cur, data);
  script_eol (s);
  s->events++;
}

static gint64
tokens_for (gsize chars)
{
  return MAX (1, (gint64) (chars + 3) / 4);
}

static gint64
completion_chars (const Reply *replies,
                  guint        n,
                  gint64      *reasoning_tokens)
{
  gint64 chars = 0;
  gint64 reasoning = 0;

  for (guint i = 0; i < n; i++)
    {
      chars += replies[i].text ? strlen (replies[i].text) : 0;
      chars += replies[i].refusal ? strlen (replies[i].refusal) : 0;
      if (replies[i].reasoning)
        reasoning += tokens_for (strlen (replies[i].reasoning));
    }
  if (reasoning_tokens)
    *reasoning_tokens = reasoning;
  return tokens_for (chars) + reasoning;
}

/* --- OpenAI Chat Completions --- */

static JsonObject *
chat_chunk_new (Request    *req,
                const char *id,
                gint64      created)
{
  JsonObject *o = json_object_new ();

  json_object_set_string_member (o, "id", id);
  json_object_set_string_member (o, "object", "chat.completion.chunk");
  json_object_set_int_member (o, "created", created);
  json_object_set_string_member (o, "model", req->model);
  json_object_set_string_member (o, "system_fingerprint", "fp_consilium_test");
  return o;
}

static void
chat_emit_delta (Script     *s,
                 Request    *req,
                 const char *id,
                 gint64      created,
                 guint       index,
                 JsonObject *delta,         /* transfer full */
                 const char *finish_reason)
{
  g_autoptr(JsonObject) chunk = chat_chunk_new (req, id, created);
  JsonArray *choices = json_array_new ();
  JsonObject *choice = json_object_new ();

  json_object_set_int_member (choice, "index", index);
  json_object_set_object_member (choice, "delta", delta);
  json_object_set_null_member (choice, "logprobs");
  if (finish_reason)
    json_object_set_string_member (choice, "finish_reason", finish_reason);
  else
    json_object_set_null_member (choice, "finish_reason");
  json_array_add_object_element (choices, choice);
  json_object_set_array_member (chunk, "choices", choices);
  script_event_object (s, NULL, chunk);
}

static JsonObject *
chat_usage (Request     *req,
            const Reply *replies)
{
  JsonObject *usage = json_object_new ();
  JsonObject *details = json_object_new ();
  JsonObject *prompt_details = json_object_new ();
  gint64 prompt = tokens_for (req->body_len);
  gint64 reasoning = 0;
  gint64 completion = completion_chars (replies, req->n, &reasoning);

  json_object_set_int_member (usage, "prompt_tokens", prompt);
  json_object_set_int_member (usage, "completion_tokens", completion);
  json_object_set_int_member (usage, "total_tokens", prompt + completion);
  json_object_set_int_member (prompt_details, "cached_tokens", 0);
  json_object_set_object_member (usage, "prompt_tokens_details", prompt_details);
  json_object_set_int_member (details, "reasoning_tokens", reasoning);
  json_object_set_object_member (usage, "completion_tokens_details", details);
  return usage;
}

typedef struct {
  GPtrArray *reasoning;   /* pieces */
  GPtrArray *content;     /* pieces (text or refusal) */
} Pieces;

static StreamEnd
build_chat_stream (Request   *req,
                   Reply     *replies,
                   Script    *s)
{
  g_autofree char *id = g_strdup_printf ("chatcmpl-cs%06u%08x", req->serial, request_seed (req, 0));
  gint64 created = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree Pieces *pieces = g_new0 (Pieces, req->n);
  g_autofree guint *total = g_new0 (guint, req->n);
  guint rounds = 0;
  guint total_deltas = 0;
  guint emitted = 0;
  StreamEnd end = END_COMPLETE;
  gboolean stopped = FALSE;

  for (guint i = 0; i < req->n; i++)
    {
      pieces[i].reasoning = split_text (replies[i].reasoning, request_seed (req, i) + 1);
      pieces[i].content = split_text (replies[i].text ? replies[i].text : replies[i].refusal, request_seed (req, i));
      total[i] = pieces[i].reasoning->len + pieces[i].content->len;
      rounds = MAX (rounds, total[i]);
      total_deltas += total[i];
    }

  if (s->comments)
    {
      script_comment (s, "OPENROUTER PROCESSING");
      script_flush (s);
    }

  /* The role chunk of every choice. */
  for (guint i = 0; i < req->n; i++)
    {
      JsonObject *delta = json_object_new ();

      json_object_set_string_member (delta, "role", "assistant");
      if (replies[i].refusal != NULL)
        {
          json_object_set_null_member (delta, "content");
          json_object_set_null_member (delta, "refusal");
        }
      else
        json_object_set_string_member (delta, "content", "");
      chat_emit_delta (s, req, id, created, i, delta, NULL);
    }
  script_flush (s);

  for (guint round = 0; round < rounds && !stopped; round++)
    {
      for (guint i = 0; i < req->n; i++)
        {
          JsonObject *delta;
          guint nr = pieces[i].reasoning->len;

          if (round >= total[i])
            continue;

          delta = json_object_new ();
          if (round < nr)
            json_object_set_string_member (delta, "reasoning_content", g_ptr_array_index (pieces[i].reasoning, round));
          else if (replies[i].refusal != NULL)
            {
              json_object_set_null_member (delta, "content");
              json_object_set_string_member (delta, "refusal", g_ptr_array_index (pieces[i].content, round - nr));
            }
          else
            json_object_set_string_member (delta, "content", g_ptr_array_index (pieces[i].content, round - nr));
          chat_emit_delta (s, req, id, created, i, delta, NULL);
          emitted++;

          if (round + 1 == total[i] && !req->faults.truncate && !req->faults.streamerror && !req->faults.silence)
            chat_emit_delta (s, req, id, created, i, json_object_new (), replies[i].finish_reason);
        }
      if ((round + 1) % DELTAS_PER_TICK == 0 || req->faults.silence)
        script_flush (s);

      if (req->faults.silence)
        {
          end = END_SILENCE;
          stopped = TRUE;
        }
      else if (req->faults.streamerror && (emitted >= 4 * req->n || emitted >= total_deltas / 2))
        {
          script_event (s, NULL, "{\"error\":{\"message\":\"The model overloaded\",\"type\":\"server_error\",\"param\":null,\"code\":\"overloaded\"}}");
          stopped = TRUE;
        }
      else if (req->faults.truncate && emitted >= total_deltas / 2)
        stopped = TRUE;
    }

  if (!stopped)
    {
      if (req->include_usage && !req->faults.nostream_usage)
        {
          g_autoptr(JsonObject) chunk = chat_chunk_new (req, id, created);

          json_object_set_array_member (chunk, "choices", json_array_new ());
          json_object_set_object_member (chunk, "usage", chat_usage (req, replies));
          script_event_object (s, NULL, chunk);
        }
      script_event (s, NULL, "[DONE]");
    }

  for (guint i = 0; i < req->n; i++)
    {
      g_ptr_array_unref (pieces[i].reasoning);
      g_ptr_array_unref (pieces[i].content);
    }
  return end;
}

static char *
build_chat_json (Request *req,
                 Reply   *replies)
{
  g_autoptr(JsonObject) o = json_object_new ();
  JsonArray *choices = json_array_new ();
  g_autofree char *id = g_strdup_printf ("chatcmpl-cs%06u%08x", req->serial, request_seed (req, 0));

  json_object_set_string_member (o, "id", id);
  json_object_set_string_member (o, "object", "chat.completion");
  json_object_set_int_member (o, "created", g_get_real_time () / G_USEC_PER_SEC);
  json_object_set_string_member (o, "model", req->model);
  for (guint i = 0; i < req->n; i++)
    {
      JsonObject *choice = json_object_new ();
      JsonObject *message = json_object_new ();

      json_object_set_string_member (message, "role", "assistant");
      if (replies[i].text)
        json_object_set_string_member (message, "content", replies[i].text);
      else
        json_object_set_null_member (message, "content");
      if (replies[i].refusal)
        json_object_set_string_member (message, "refusal", replies[i].refusal);
      else
        json_object_set_null_member (message, "refusal");
      if (replies[i].reasoning)
        json_object_set_string_member (message, "reasoning_content", replies[i].reasoning);
      json_object_set_int_member (choice, "index", i);
      json_object_set_object_member (choice, "message", message);
      json_object_set_null_member (choice, "logprobs");
      json_object_set_string_member (choice, "finish_reason", replies[i].finish_reason);
      json_array_add_object_element (choices, choice);
    }
  json_object_set_array_member (o, "choices", choices);
  json_object_set_object_member (o, "usage", chat_usage (req, replies));
  return object_to_string (o);
}

/* --- OpenAI Responses API --- */

static JsonObject *
responses_usage (Request     *req,
                 const Reply *reply)
{
  JsonObject *usage = json_object_new ();
  JsonObject *in_details = json_object_new ();
  JsonObject *out_details = json_object_new ();
  gint64 input = tokens_for (req->body_len);
  gint64 reasoning = 0;
  gint64 output = completion_chars (reply, 1, &reasoning);

  json_object_set_int_member (usage, "input_tokens", input);
  json_object_set_int_member (in_details, "cached_tokens", 0);
  json_object_set_object_member (usage, "input_tokens_details", in_details);
  json_object_set_int_member (usage, "output_tokens", output);
  json_object_set_int_member (out_details, "reasoning_tokens", reasoning);
  json_object_set_object_member (usage, "output_tokens_details", out_details);
  json_object_set_int_member (usage, "total_tokens", input + output);
  return usage;
}

static JsonObject *
responses_message_item (const char  *msg_id,
                        const Reply *reply,
                        const char  *status)
{
  JsonObject *item = json_object_new ();
  JsonArray *content = json_array_new ();
  JsonObject *part = json_object_new ();

  json_object_set_string_member (item, "id", msg_id);
  json_object_set_string_member (item, "type", "message");
  json_object_set_string_member (item, "status", status);
  json_object_set_string_member (item, "role", "assistant");
  if (reply->refusal)
    {
      json_object_set_string_member (part, "type", "refusal");
      json_object_set_string_member (part, "refusal", reply->refusal);
    }
  else
    {
      json_object_set_string_member (part, "type", "output_text");
      json_object_set_string_member (part, "text", reply->text ? reply->text : "");
      json_object_set_array_member (part, "annotations", json_array_new ());
    }
  json_array_add_object_element (content, part);
  json_object_set_array_member (item, "content", content);
  return item;
}

static JsonObject *
responses_object (Request     *req,
                  const char  *resp_id,
                  const char  *msg_id,
                  const char  *status,
                  const Reply *reply,
                  gboolean     with_usage)
{
  JsonObject *o = json_object_new ();
  JsonArray *output = json_array_new ();

  json_object_set_string_member (o, "id", resp_id);
  json_object_set_string_member (o, "object", "response");
  json_object_set_int_member (o, "created_at", g_get_real_time () / G_USEC_PER_SEC);
  json_object_set_string_member (o, "status", status);
  json_object_set_string_member (o, "model", req->model);
  if (g_str_equal (status, "incomplete"))
    {
      JsonObject *details = json_object_new ();

      json_object_set_string_member (details, "reason", "max_output_tokens");
      json_object_set_object_member (o, "incomplete_details", details);
    }
  else
    json_object_set_null_member (o, "incomplete_details");
  if (reply != NULL)
    {
      if (reply->reasoning)
        {
          JsonObject *item = json_object_new ();
          JsonArray *summary = json_array_new ();
          JsonObject *part = json_object_new ();
          g_autofree char *rs_id = g_strdup_printf ("rs_%s", msg_id + 4);

          json_object_set_string_member (item, "id", rs_id);
          json_object_set_string_member (item, "type", "reasoning");
          json_object_set_string_member (part, "type", "summary_text");
          json_object_set_string_member (part, "text", reply->reasoning);
          json_array_add_object_element (summary, part);
          json_object_set_array_member (item, "summary", summary);
          json_array_add_object_element (output, item);
        }
      json_array_add_object_element (output, responses_message_item (msg_id, reply, "completed"));
    }
  json_object_set_array_member (o, "output", output);
  if (with_usage && reply != NULL)
    json_object_set_object_member (o, "usage", responses_usage (req, reply));
  else
    json_object_set_null_member (o, "usage");
  return o;
}

static void
responses_event (Script     *s,
                 const char *type,
                 JsonObject *event)    /* transfer full */
{
  json_object_set_string_member (event, "type", type);
  json_object_set_int_member (event, "sequence_number", s->events);
  script_event_object (s, type, event);
  json_object_unref (event);
}

static StreamEnd
build_responses_stream (Request *req,
                        Reply   *reply,
                        Script  *s)
{
  g_autofree char *resp_id = g_strdup_printf ("resp_cs%06u%08x", req->serial, request_seed (req, 0));
  g_autofree char *msg_id = g_strdup_printf ("msg_cs%06u%08x", req->serial, request_seed (req, 0));
  g_autofree char *rs_id = g_strdup_printf ("rs_cs%06u%08x", req->serial, request_seed (req, 0));
  g_autoptr(GPtrArray) reasoning = split_text (reply->reasoning, request_seed (req, 0) + 1);
  g_autoptr(GPtrArray) content = split_text (reply->text ? reply->text : reply->refusal, request_seed (req, 0));
  guint total = reasoning->len + content->len;
  guint output_index = 0;
  JsonObject *ev;
  JsonObject *item;

  if (s->comments)
    {
      script_comment (s, "OPENROUTER PROCESSING");
      script_flush (s);
    }

  ev = json_object_new ();
  json_object_set_object_member (ev, "response", responses_object (req, resp_id, msg_id, "in_progress", NULL, FALSE));
  responses_event (s, "response.created", ev);
  ev = json_object_new ();
  json_object_set_object_member (ev, "response", responses_object (req, resp_id, msg_id, "in_progress", NULL, FALSE));
  responses_event (s, "response.in_progress", ev);
  script_flush (s);

  if (reasoning->len > 0)
    {
      ev = json_object_new ();
      item = json_object_new ();
      json_object_set_string_member (item, "id", rs_id);
      json_object_set_string_member (item, "type", "reasoning");
      json_object_set_array_member (item, "summary", json_array_new ());
      json_object_set_int_member (ev, "output_index", output_index);
      json_object_set_object_member (ev, "item", item);
      responses_event (s, "response.output_item.added", ev);
    }

  for (guint i = 0; i < total; i++)
    {
      if (i == reasoning->len)
        {
          JsonObject *part = json_object_new ();

          if (reasoning->len > 0)
            {
              g_autofree char *joined = NULL;

              g_ptr_array_add (reasoning, NULL);
              joined = g_strjoinv ("", (char **) reasoning->pdata);
              g_ptr_array_remove_index (reasoning, reasoning->len - 1);
              ev = json_object_new ();
              json_object_set_string_member (ev, "item_id", rs_id);
              json_object_set_int_member (ev, "output_index", output_index);
              json_object_set_int_member (ev, "summary_index", 0);
              json_object_set_string_member (ev, "text", joined);
              responses_event (s, "response.reasoning_summary_text.done", ev);
              output_index++;
            }

          ev = json_object_new ();
          item = json_object_new ();
          json_object_set_string_member (item, "id", msg_id);
          json_object_set_string_member (item, "type", "message");
          json_object_set_string_member (item, "status", "in_progress");
          json_object_set_string_member (item, "role", "assistant");
          json_object_set_array_member (item, "content", json_array_new ());
          json_object_set_int_member (ev, "output_index", output_index);
          json_object_set_object_member (ev, "item", item);
          responses_event (s, "response.output_item.added", ev);

          ev = json_object_new ();
          json_object_set_string_member (ev, "item_id", msg_id);
          json_object_set_int_member (ev, "output_index", output_index);
          json_object_set_int_member (ev, "content_index", 0);
          json_object_set_string_member (part, "type", reply->refusal ? "refusal" : "output_text");
          if (reply->refusal)
            json_object_set_string_member (part, "refusal", "");
          else
            {
              json_object_set_string_member (part, "text", "");
              json_object_set_array_member (part, "annotations", json_array_new ());
            }
          json_object_set_object_member (ev, "part", part);
          responses_event (s, "response.content_part.added", ev);
        }

      ev = json_object_new ();
      if (i < reasoning->len)
        {
          json_object_set_string_member (ev, "item_id", rs_id);
          json_object_set_int_member (ev, "output_index", output_index);
          json_object_set_int_member (ev, "summary_index", 0);
          json_object_set_string_member (ev, "delta", g_ptr_array_index (reasoning, i));
          responses_event (s, "response.reasoning_summary_text.delta", ev);
        }
      else
        {
          json_object_set_string_member (ev, "item_id", msg_id);
          json_object_set_int_member (ev, "output_index", output_index);
          json_object_set_int_member (ev, "content_index", 0);
          json_object_set_string_member (ev, "delta", g_ptr_array_index (content, i - reasoning->len));
          responses_event (s, reply->refusal ? "response.refusal.delta" : "response.output_text.delta", ev);
        }
      if ((i + 1) % DELTAS_PER_TICK == 0 || req->faults.silence)
        script_flush (s);

      if (req->faults.silence)
        return END_SILENCE;
      if (req->faults.streamerror && (i + 1 >= 4 || i + 1 >= total / 2))
        {
          ev = json_object_new ();
          json_object_set_string_member (ev, "code", "overloaded");
          json_object_set_string_member (ev, "message", "The model overloaded");
          json_object_set_null_member (ev, "param");
          responses_event (s, "error", ev);
          return END_COMPLETE;
        }
      if (req->faults.truncate && i + 1 >= total / 2)
        return END_COMPLETE;
    }

  ev = json_object_new ();
  json_object_set_string_member (ev, "item_id", msg_id);
  json_object_set_int_member (ev, "output_index", output_index);
  json_object_set_int_member (ev, "content_index", 0);
  if (reply->refusal)
    {
      json_object_set_string_member (ev, "refusal", reply->refusal);
      responses_event (s, "response.refusal.done", ev);
    }
  else
    {
      json_object_set_string_member (ev, "text", reply->text);
      responses_event (s, "response.output_text.done", ev);
    }

  ev = json_object_new ();
  json_object_set_int_member (ev, "output_index", output_index);
  json_object_set_object_member (ev, "item", responses_message_item (msg_id, reply, "completed"));
  responses_event (s, "response.output_item.done", ev);

  ev = json_object_new ();
  if (g_str_equal (reply->finish_reason, "length"))
    {
      json_object_set_object_member (ev, "response", responses_object (req, resp_id, msg_id, "incomplete", reply,
                                                                      !req->faults.nostream_usage));
      responses_event (s, "response.incomplete", ev);
    }
  else
    {
      json_object_set_object_member (ev, "response", responses_object (req, resp_id, msg_id, "completed", reply,
                                                                      !req->faults.nostream_usage));
      responses_event (s, "response.completed", ev);
    }
  return END_COMPLETE;
}

/* --- Ollama --- */

static JsonObject *
ollama_object (Request *req)
{
  JsonObject *o = json_object_new ();
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *created_at = g_date_time_format_iso8601 (now);

  json_object_set_string_member (o, "model", req->model);
  json_object_set_string_member (o, "created_at", created_at);
  return o;
}

static JsonObject *
ollama_final (Request     *req,
              const Reply *reply,
              const char  *content,
              const char  *thinking)
{
  JsonObject *o = ollama_object (req);
  JsonObject *message = json_object_new ();
  gint64 prompt = tokens_for (req->body_len);
  gint64 eval = completion_chars (reply, 1, NULL);

  json_object_set_string_member (message, "role", "assistant");
  json_object_set_string_member (message, "content", content);
  if (thinking)
    json_object_set_string_member (message, "thinking", thinking);
  json_object_set_object_member (o, "message", message);
  json_object_set_boolean_member (o, "done", TRUE);
  json_object_set_string_member (o, "done_reason", reply->finish_reason);
  json_object_set_int_member (o, "total_duration", 612345678);
  json_object_set_int_member (o, "load_duration", 12345678);
  if (!req->faults.nostream_usage)
    {
      json_object_set_int_member (o, "prompt_eval_count", prompt);
      json_object_set_int_member (o, "eval_count", eval);
    }
  json_object_set_int_member (o, "prompt_eval_duration", 100000000);
  json_object_set_int_member (o, "eval_duration", 500000000);
  return o;
}

static StreamEnd
build_ollama_stream (Request *req,
                     Reply   *reply,
                     Script  *s)
{
  g_autoptr(GPtrArray) thinking = split_text (reply->reasoning, request_seed (req, 0) + 1);
  g_autoptr(GPtrArray) content = split_text (reply->text ? reply->text : reply->refusal, request_seed (req, 0));
  guint total = thinking->len + content->len;

  for (guint i = 0; i < total; i++)
    {
      g_autoptr(JsonObject) o = ollama_object (req);
      JsonObject *message = json_object_new ();

      json_object_set_string_member (message, "role", "assistant");
      if (i < thinking->len)
        {
          json_object_set_string_member (message, "content", "");
          json_object_set_string_member (message, "thinking", g_ptr_array_index (thinking, i));
        }
      else
        json_object_set_string_member (message, "content", g_ptr_array_index (content, i - thinking->len));
      json_object_set_object_member (o, "message", message);
      json_object_set_boolean_member (o, "done", FALSE);
      script_line (s, o);
      if ((i + 1) % DELTAS_PER_TICK == 0 || req->faults.silence)
        script_flush (s);

      if (req->faults.silence)
        return END_SILENCE;
      if (req->faults.streamerror && (i + 1 >= 4 || i + 1 >= total / 2))
        {
          g_string_append (s->cur, "{\"error\":\"The model overloaded\"}");
          script_eol (s);
          return END_COMPLETE;
        }
      if (req->faults.truncate && i + 1 >= total / 2)
        return END_COMPLETE;
    }

  {
    g_autoptr(JsonObject) final = ollama_final (req, reply, "", NULL);

    script_line (s, final);
  }
  return END_COMPLETE;
}

/* ------------------------------------------------------------------------ */
/* Streams in flight                                                        */
/* ------------------------------------------------------------------------ */

/* A timeout on the thread-default main context of the caller (the one the
 * server runs on), not on the global default one: g_timeout_add() would run
 * a provider started in another thread on the main thread. */
static GSource *
add_timeout (guint       ms,
             GSourceFunc func,
             gpointer    data)
{
  GSource *source = g_timeout_source_new (ms);

  g_source_set_callback (source, func, data, NULL);
  g_source_attach (source, g_main_context_get_thread_default ());
  return source;
}

static void
clear_source (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

static void
stream_free (Stream *s)
{
  clear_source (&s->tick_source);
  clear_source (&s->watch_source);
  g_clear_signal_handler (&s->finished_handler, s->msg);
  g_clear_object (&s->msg);
  g_clear_pointer (&s->ticks, g_ptr_array_unref);
  g_free (s);
}

static void
on_message_finished (SoupServerMessage *msg,
                     Stream            *s)
{
  CsTestProvider *self = s->provider;

  g_debug ("Stream finished (%u of %u ticks written)", s->next_tick, s->ticks ? s->ticks->len : 0);
  self->streams = g_list_remove (self->streams, s);
  stream_free (s);
}

static gboolean
client_gone (SoupServerMessage *msg)
{
  GSocket *sock = soup_server_message_get_socket (msg);
  GIOCondition cond;

  if (sock == NULL || g_socket_is_closed (sock))
    return TRUE;
  cond = g_socket_condition_check (sock, G_IO_IN | G_IO_ERR | G_IO_HUP);
  if (cond & (G_IO_ERR | G_IO_HUP))
    return TRUE;
  if (cond & G_IO_IN)
    {
      char c;
      gssize n = recv (g_socket_get_fd (sock), &c, 1, MSG_PEEK | MSG_DONTWAIT);

      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
        return TRUE;
    }
  return FALSE;
}

static gboolean
stream_watch_cb (gpointer user_data)
{
  Stream *s = user_data;
  gboolean gone = client_gone (s->msg);

  if (!gone && g_get_monotonic_time () < s->deadline)
    return G_SOURCE_CONTINUE;

  g_debug ("Stalled stream ends: %s", gone ? "the client went away" : "time is up");
  g_clear_pointer (&s->watch_source, g_source_unref);
  if (s->end == END_HANG)
    {
      static const char body[] = "{\"error\":{\"message\":\"Gateway timeout\",\"type\":\"server_error\",\"param\":null,\"code\":\"timeout\"}}";

      soup_server_message_set_status (s->msg, SOUP_STATUS_GATEWAY_TIMEOUT, NULL);
      soup_server_message_set_response (s->msg, "application/json", SOUP_MEMORY_STATIC, body, strlen (body));
    }
  else
    soup_message_body_complete (soup_server_message_get_response_body (s->msg));
  soup_server_message_unpause (s->msg);
  return G_SOURCE_REMOVE;
}

static void
stream_stall (Stream *s)
{
  s->deadline = g_get_monotonic_time () + (gint64) STALL_MS * 1000;
  s->watch_source = add_timeout (WATCH_INTERVAL_MS, stream_watch_cb, s);
}

static gboolean
stream_tick_cb (gpointer user_data)
{
  Stream *s = user_data;
  SoupMessageBody *body = soup_server_message_get_response_body (s->msg);
  GBytes *tick;

  g_clear_pointer (&s->tick_source, g_source_unref);

  if (s->next_tick < s->ticks->len)
    {
      tick = g_ptr_array_index (s->ticks, s->next_tick);
      s->next_tick++;
      if (s->bytewise)
        {
          gsize len;
          const guint8 *data = g_bytes_get_data (tick, &len);

          for (gsize i = 0; i < len; i++)
            soup_message_body_append (body, SOUP_MEMORY_COPY, data + i, 1);
        }
      else if (g_bytes_get_size (tick) > 0)
        soup_message_body_append_bytes (body, tick);
    }

  if (s->next_tick < s->ticks->len)
    s->tick_source = add_timeout (s->delay_ms, stream_tick_cb, s);
  else if (s->end == END_COMPLETE)
    soup_message_body_complete (body);
  else
    stream_stall (s);

  soup_server_message_unpause (s->msg);
  return G_SOURCE_REMOVE;
}

static void
stream_start (CsTestProvider    *self,
              SoupServerMessage *msg,
              GPtrArray         *ticks,
              StreamEnd          end,
              guint              delay_ms,
              gboolean           bytewise)
{
  Stream *s = g_new0 (Stream, 1);

  s->provider = self;
  s->msg = g_object_ref (msg);
  s->ticks = ticks;
  s->end = end;
  s->delay_ms = delay_ms;
  s->bytewise = bytewise;
  s->finished_handler = g_signal_connect (msg, "finished", G_CALLBACK (on_message_finished), s);
  self->streams = g_list_prepend (self->streams, s);

  soup_server_message_pause (msg);
  if (end == END_HANG)
    stream_stall (s);
  else
    s->tick_source = add_timeout (0, stream_tick_cb, s);
}

/* ------------------------------------------------------------------------ */
/* HTTP                                                                     */
/* ------------------------------------------------------------------------ */

static void
add_rate_limit_headers (CsTestProvider     *self,
                        SoupMessageHeaders *headers,
                        gboolean            exhausted)
{
  char buf[32];
  guint remaining = exhausted ? 0 : RATE_LIMIT_RPM - MIN (RATE_LIMIT_RPM, self->recent->len);

  soup_message_headers_replace (headers, "x-ratelimit-limit-requests", G_STRINGIFY (RATE_LIMIT_RPM));
  g_snprintf (buf, sizeof buf, "%u", remaining);
  soup_message_headers_replace (headers, "x-ratelimit-remaining-requests", buf);
  soup_message_headers_replace (headers, "x-ratelimit-reset-requests", exhausted ? "1s" : "100ms");
  soup_message_headers_replace (headers, "x-ratelimit-limit-tokens", "1000000");
  soup_message_headers_replace (headers, "x-ratelimit-remaining-tokens", exhausted ? "0" : "999000");
  soup_message_headers_replace (headers, "x-ratelimit-reset-tokens", exhausted ? "1s" : "60ms");
}

static void
send_json (SoupServerMessage *msg,
           guint              status,
           const char        *json)
{
  soup_server_message_set_status (msg, status, status == STATUS_TOO_MANY_REQUESTS ? "Too Many Requests" : NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, json, strlen (json));
}

static void
send_error (SoupServerMessage *msg,
            Dialect            dialect,
            guint              status,
            const char        *type,
            const char        *code,
            const char        *message)
{
  g_autoptr(JsonObject) root = json_object_new ();
  g_autofree char *json = NULL;

  if (dialect == DIALECT_OLLAMA)
    json_object_set_string_member (root, "error", message);
  else
    {
      JsonObject *error = json_object_new ();

      json_object_set_string_member (error, "message", message);
      json_object_set_string_member (error, "type", type);
      json_object_set_null_member (error, "param");
      if (code)
        json_object_set_string_member (error, "code", code);
      else
        json_object_set_null_member (error, "code");
      json_object_set_object_member (root, "error", error);
    }
  json = object_to_string (root);
  send_json (msg, status, json);
}

static void
note_request (CsTestProvider    *self,
              const char        *path,
              const char        *model,
              gboolean           has_auth,
              JsonNode          *body)
{
  g_autoptr(JsonObject) o = json_object_new ();
  JsonNode *node;
  gint64 now = g_get_monotonic_time ();
  guint old = 0;

  json_object_set_string_member (o, "path", path);
  if (model)
    json_object_set_string_member (o, "model", model);
  else
    json_object_set_null_member (o, "model");
  json_object_set_string_member (o, "authorization", has_auth ? "present" : "absent");
  if (body)
    json_object_set_member (o, "body", json_node_copy (body));
  else
    json_object_set_null_member (o, "body");
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, o);
  if (self->requests->len >= MAX_RECORDED)
    g_ptr_array_remove_index (self->requests, 0);
  g_ptr_array_add (self->requests, node);
  self->n_requests++;
  if (self->record != NULL)
    {
      g_autofree char *line = json_to_string (node, FALSE);

      fprintf (self->record, "%s\n", line);
      fflush (self->record);
    }

  if (model)
    {
      guint count = GPOINTER_TO_UINT (g_hash_table_lookup (self->counts, model));

      g_hash_table_replace (self->counts, g_strdup (model), GUINT_TO_POINTER (count + 1));
    }

  while (old < self->recent->len && g_array_index (self->recent, gint64, old) < now - 60 * G_USEC_PER_SEC)
    old++;
  if (old > 0)
    g_array_remove_range (self->recent, 0, old);
  g_array_append_val (self->recent, now);
}

/* TRUE the first time @token fires for @model (until reset). */
static gboolean
fire_once (CsTestProvider *self,
           const char     *token,
           const char     *model)
{
  g_autofree char *key = g_strdup_printf ("%s\x1f%s", token, model);

  if (g_hash_table_contains (self->fired, key))
    return FALSE;
  g_hash_table_add (self->fired, g_steal_pointer (&key));
  return TRUE;
}

/* Applies the HTTP-level faults; TRUE when the request was answered. */
static gboolean
apply_http_faults (CsTestProvider    *self,
                   SoupServerMessage *msg,
                   Request           *req)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  const Faults *f = &req->faults;

  if (f->echokey)
    {
      g_autofree char *echoes = key_echoes (req->api_key);

      send_error (msg, req->dialect, SOUP_STATUS_BAD_REQUEST, "invalid_request_error", "echo", echoes);
      return TRUE;
    }
  if (f->escapes)
    {
      /* what a hostile server would put in front of a terminal */
      send_error (msg, req->dialect, SOUP_STATUS_BAD_REQUEST, "invalid_request_error", "escapes",
                  "Bad \033]0;pwned title\007request\033[2J\033[H "
                  "\033]52;c;Y3VybCBldmlsLnNoIHwgc2g=\007clipboard "
                  "\302\2331;31mred\342\200\256desrever\r overwritten");
      return TRUE;
    }
  if (f->e404)
    {
      g_autofree char *message = g_strdup_printf ("The model `%s` does not exist or you do not have access to it.", req->model);

      send_error (msg, req->dialect, SOUP_STATUS_NOT_FOUND, "invalid_request_error", "model_not_found", message);
      return TRUE;
    }
  if (f->e400)
    {
      send_error (msg, req->dialect, SOUP_STATUS_BAD_REQUEST, "invalid_request_error", "invalid_value",
                  "Invalid request: this model does not accept the given parameters.");
      return TRUE;
    }
  if (f->quota)
    {
      send_error (msg, req->dialect, STATUS_TOO_MANY_REQUESTS, "insufficient_quota", "insufficient_quota",
                  "You exceeded your current quota, please check your plan and billing details.");
      return TRUE;
    }
  if (f->e429 || (f->e429once && fire_once (self, "429once", req->model)))
    {
      add_rate_limit_headers (self, headers, TRUE);
      soup_message_headers_replace (headers, "retry-after", "1");
      send_error (msg, req->dialect, STATUS_TOO_MANY_REQUESTS, "requests", "rate_limit_exceeded",
                  "Rate limit reached for requests. Please try again in 1s.");
      return TRUE;
    }
  if (f->e429ms)
    {
      add_rate_limit_headers (self, headers, TRUE);
      soup_message_headers_replace (headers, "retry-after-ms", "200");
      send_error (msg, req->dialect, STATUS_TOO_MANY_REQUESTS, "requests", "rate_limit_exceeded",
                  "Rate limit reached for requests. Please try again in 200ms.");
      return TRUE;
    }
  if (f->e500 || (f->e500once && fire_once (self, "500once", req->model)))
    {
      send_error (msg, req->dialect, SOUP_STATUS_INTERNAL_SERVER_ERROR, "server_error", NULL,
                  "The server had an error while processing your request. Sorry about that!");
      return TRUE;
    }
  if (f->e503 || (f->e503once && fire_once (self, "503once", req->model)))
    {
      send_error (msg, req->dialect, SOUP_STATUS_SERVICE_UNAVAILABLE, "server_error", "overloaded",
                  "The engine is currently overloaded, please try again later.");
      return TRUE;
    }
  return FALSE;
}

static void
handle_generate (CsTestProvider    *self,
                 SoupServerMessage *msg,
                 const char        *path,
                 Dialect            dialect)
{
  SoupMessageHeaders *req_headers = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  const char *auth = soup_message_headers_get_one (req_headers, "Authorization");
  g_autoptr(GBytes) bytes = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  g_autoptr(Request) req = g_new0 (Request, 1);
  g_autofree char *error_message = NULL;
  g_autofree Reply *replies = NULL;
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);
  gboolean ok;
  guint delay_ms;

  req->dialect = dialect;
  req->serial = ++self->serial;
  ok = request_parse (req, data ? data : "", len, &error_message);
  req->model = g_strdup (ok ? get_string (req->body, "model") : NULL);

  if (req->body_node != NULL)
    note_request (self, path, req->model, auth != NULL, req->body_node);
  else
    {
      g_autoptr(JsonNode) raw = json_node_new (JSON_NODE_VALUE);

      json_node_set_string (raw, g_utf8_validate (data ? data : "", len, NULL) ? (data ? data : "") : "");
      note_request (self, path, NULL, auth != NULL, raw);
    }

  /* Like the real servers, Ollama's native routes take no key. */
  if (self->required_key != NULL && dialect != DIALECT_OLLAMA)
    {
      g_autofree char *expected = g_strdup_printf ("Bearer %s", self->required_key);

      if (auth == NULL || !g_str_equal (auth, expected))
        {
          send_error (msg, dialect, SOUP_STATUS_UNAUTHORIZED, "invalid_request_error", "invalid_api_key",
                      "Incorrect API key provided.");
          return;
        }
    }

  if (!ok)
    {
      send_error (msg, dialect, SOUP_STATUS_BAD_REQUEST, "invalid_request_error", NULL, error_message);
      return;
    }

  faults_parse (&req->faults, req->model);
  if (responses_summary_off (req))
    req->faults.reasoning = FALSE;
  if (auth != NULL && g_str_has_prefix (auth, "Bearer "))
    req->api_key = g_strdup (auth + strlen ("Bearer "));

  if (apply_http_faults (self, msg, req))
    return;

  add_rate_limit_headers (self, headers, FALSE);
  {
    g_autofree char *request_id = g_strdup_printf ("req_cs%06u", req->serial);

    soup_message_headers_replace (headers, "x-request-id", request_id);
  }

  if (req->faults.hang)
    {
      stream_start (self, msg, g_ptr_array_new (), END_HANG, 0, FALSE);
      return;
    }

  req->invalid = req->faults.invalid || (req->faults.invalidonce && fire_once (self, "invalidonce", req->model)) ||
                 (req->faults.invalidtwice && GPOINTER_TO_UINT (g_hash_table_lookup (self->counts, req->model)) <= 2);

  replies = g_new0 (Reply, req->n);
  for (guint i = 0; i < req->n; i++)
    generate_reply (req, i, &replies[i]);

  if (!req->stream)
    {
      g_autofree char *json = NULL;

      if (dialect == DIALECT_CHAT)
        json = build_chat_json (req, replies);
      else if (dialect == DIALECT_RESPONSES)
        {
          g_autofree char *resp_id = g_strdup_printf ("resp_cs%06u%08x", req->serial, request_seed (req, 0));
          g_autofree char *msg_id = g_strdup_printf ("msg_cs%06u%08x", req->serial, request_seed (req, 0));
          g_autoptr(JsonObject) o = responses_object (req, resp_id, msg_id,
                                                      g_str_equal (replies[0].finish_reason, "length") ? "incomplete" : "completed",
                                                      &replies[0], TRUE);

          json = object_to_string (o);
        }
      else
        {
          g_autoptr(JsonObject) o = ollama_final (req, &replies[0],
                                                  replies[0].text ? replies[0].text : replies[0].refusal,
                                                  replies[0].reasoning);

          json = object_to_string (o);
        }
      send_json (msg, SOUP_STATUS_OK, json);
    }
  else
    {
      Script script;
      StreamEnd end;
      GPtrArray *ticks;

      script_init (&script, &req->faults);
      if (dialect == DIALECT_CHAT)
        end = build_chat_stream (req, replies, &script);
      else if (dialect == DIALECT_RESPONSES)
        end = build_responses_stream (req, &replies[0], &script);
      else
        end = build_ollama_stream (req, &replies[0], &script);
      ticks = script_finish (&script);

      delay_ms = req->faults.has_delay ? req->faults.delay_ms : self->delay_ms;
      if (req->faults.big)
        delay_ms = 0;

      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
      soup_message_headers_set_content_type (headers,
                                             dialect == DIALECT_OLLAMA ? "application/x-ndjson" : "text/event-stream",
                                             NULL);
      soup_message_headers_replace (headers, "Cache-Control", "no-cache");
      soup_message_body_set_accumulate (soup_server_message_get_response_body (msg), FALSE);
      stream_start (self, msg, ticks, end, delay_ms, req->faults.bytewise && !req->faults.big);
    }

  for (guint i = 0; i < req->n; i++)
    reply_clear (&replies[i]);
}

static void
handle_models (CsTestProvider    *self,
               SoupServerMessage *msg,
               const char        *path,
               gboolean           ollama)
{
  SoupMessageHeaders *req_headers = soup_server_message_get_request_headers (msg);
  const char *auth = soup_message_headers_get_one (req_headers, "Authorization");
  g_autoptr(JsonObject) root = json_object_new ();
  JsonArray *list = json_array_new ();
  g_autofree char *json = NULL;

  note_request (self, path, NULL, auth != NULL, NULL);

  if (self->required_key != NULL && !ollama)
    {
      g_autofree char *expected = g_strdup_printf ("Bearer %s", self->required_key);

      if (auth == NULL || !g_str_equal (auth, expected))
        {
          json_array_unref (list);
          send_error (msg, DIALECT_CHAT, SOUP_STATUS_UNAUTHORIZED, "invalid_request_error", "invalid_api_key",
                      "Incorrect API key provided.");
          return;
        }
    }

  for (guint i = 0; demo_models[i] != NULL; i++)
    {
      JsonObject *o = json_object_new ();

      if (ollama)
        {
          JsonObject *details = json_object_new ();
          g_autofree char *name = g_strdup_printf ("%s:latest", demo_models[i]);
          g_autofree char *digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, demo_models[i], -1);

          json_object_set_string_member (o, "name", name);
          json_object_set_string_member (o, "model", name);
          json_object_set_string_member (o, "modified_at", "2025-01-01T00:00:00Z");
          json_object_set_int_member (o, "size", 4661224676);
          json_object_set_string_member (o, "digest", digest);
          json_object_set_string_member (details, "format", "gguf");
          json_object_set_string_member (details, "family", "synthetic");
          json_object_set_string_member (details, "parameter_size", "7B");
          json_object_set_string_member (details, "quantization_level", "Q4_K_M");
          json_object_set_object_member (o, "details", details);
        }
      else
        {
          json_object_set_string_member (o, "id", demo_models[i]);
          json_object_set_string_member (o, "object", "model");
          json_object_set_int_member (o, "created", 1735689600);
          json_object_set_string_member (o, "owned_by", "consilium-test");
        }
      json_array_add_object_element (list, o);
    }

  if (ollama)
    json_object_set_array_member (root, "models", list);
  else
    {
      json_object_set_string_member (root, "object", "list");
      json_object_set_array_member (root, "data", list);
    }
  json = object_to_string (root);
  send_json (msg, SOUP_STATUS_OK, json);
}

static void
server_callback (SoupServer        *server,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  CsTestProvider *self = user_data;
  const char *method = soup_server_message_get_method (msg);
  gboolean is_post = g_strcmp0 (method, "POST") == 0;
  gboolean is_get = g_strcmp0 (method, "GET") == 0;

  g_debug ("%s %s", method, path);

  if (g_str_equal (path, "/v1/chat/completions") || g_str_equal (path, "/chat/completions"))
    {
      if (is_post)
        handle_generate (self, msg, path, DIALECT_CHAT);
      else
        send_error (msg, DIALECT_CHAT, SOUP_STATUS_METHOD_NOT_ALLOWED, "invalid_request_error", NULL, "Use POST.");
    }
  else if (g_str_equal (path, "/v1/responses") || g_str_equal (path, "/responses"))
    {
      if (is_post)
        handle_generate (self, msg, path, DIALECT_RESPONSES);
      else
        send_error (msg, DIALECT_RESPONSES, SOUP_STATUS_METHOD_NOT_ALLOWED, "invalid_request_error", NULL, "Use POST.");
    }
  else if (g_str_equal (path, "/api/chat"))
    {
      if (is_post)
        handle_generate (self, msg, path, DIALECT_OLLAMA);
      else
        send_error (msg, DIALECT_OLLAMA, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL, NULL, "method not allowed");
    }
  else if ((g_str_equal (path, "/v1/models") || g_str_equal (path, "/models")) && is_get)
    handle_models (self, msg, path, FALSE);
  else if (g_str_equal (path, "/api/tags") && is_get)
    handle_models (self, msg, path, TRUE);
  else if (g_str_equal (path, "/") && is_get)
    {
      static const char text[] = "Consilium test provider (synthetic answers)\n";

      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, text, strlen (text));
    }
  else
    send_error (msg, DIALECT_CHAT, SOUP_STATUS_NOT_FOUND, "invalid_request_error", "unknown_url", "Unknown request URL.");
}

/* ------------------------------------------------------------------------ */
/* GObject                                                                  */
/* ------------------------------------------------------------------------ */

static void
cs_test_provider_dispose (GObject *object)
{
  CsTestProvider *self = (CsTestProvider *) object;

  while (self->streams != NULL)
    {
      Stream *s = self->streams->data;

      self->streams = g_list_delete_link (self->streams, self->streams);
      stream_free (s);
    }

  if (self->server != NULL)
    {
      soup_server_disconnect (self->server);
      g_clear_object (&self->server);
    }

  G_OBJECT_CLASS (cs_test_provider_parent_class)->dispose (object);
}

static void
cs_test_provider_finalize (GObject *object)
{
  CsTestProvider *self = (CsTestProvider *) object;

  g_clear_pointer (&self->required_key, g_free);
  g_clear_pointer (&self->record, fclose);
  g_clear_pointer (&self->requests, g_ptr_array_unref);
  g_clear_pointer (&self->counts, g_hash_table_unref);
  g_clear_pointer (&self->fired, g_hash_table_unref);
  g_clear_pointer (&self->recent, g_array_unref);

  G_OBJECT_CLASS (cs_test_provider_parent_class)->finalize (object);
}

static void
cs_test_provider_class_init (CsTestProviderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cs_test_provider_dispose;
  object_class->finalize = cs_test_provider_finalize;
}

static void
cs_test_provider_init (CsTestProvider *self)
{
  self->delay_ms = DEFAULT_DELAY_MS;
  self->requests = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  self->counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->fired = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->recent = g_array_new (FALSE, FALSE, sizeof (gint64));
}

/**
 * cs_test_provider_new:
 *
 * Returns: (transfer full): a provider; call cs_test_provider_start().
 */
CsTestProvider *
cs_test_provider_new (void)
{
  return g_object_new (CS_TYPE_TEST_PROVIDER, NULL);
}

/**
 * cs_test_provider_start:
 * @port: the TCP port, or 0 for any free port
 *
 * Listens on 127.0.0.1 only, on the thread-default main context.
 */
gboolean
cs_test_provider_start (CsTestProvider  *self,
                        guint            port,
                        GError         **error)
{
  GSList *uris;

  g_return_val_if_fail (CS_IS_TEST_PROVIDER (self), FALSE);
  g_return_val_if_fail (self->server == NULL, FALSE);
  g_return_val_if_fail (port <= G_MAXUINT16, FALSE);

  self->server = soup_server_new ("server-header", "consilium-test-provider ", NULL);
  soup_server_add_handler (self->server, NULL, server_callback, self, NULL);

  if (!soup_server_listen_local (self->server, port, SOUP_SERVER_LISTEN_IPV4_ONLY, error))
    {
      g_clear_object (&self->server);
      return FALSE;
    }

  uris = soup_server_get_uris (self->server);
  if (uris != NULL)
    self->port = (guint) g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  g_debug ("Listening on 127.0.0.1:%u", self->port);
  return TRUE;
}

guint
cs_test_provider_get_port (CsTestProvider *self)
{
  g_return_val_if_fail (CS_IS_TEST_PROVIDER (self), 0);

  return self->port;
}

/**
 * cs_test_provider_dup_base_url:
 *
 * Returns: (transfer full): "http://127.0.0.1:PORT/v1", the base URL for the
 *   OpenAI dialects (openai-chat, openai-responses).
 */
char *
cs_test_provider_dup_base_url (CsTestProvider *self)
{
  g_return_val_if_fail (CS_IS_TEST_PROVIDER (self), NULL);

  return g_strdup_printf ("http://127.0.0.1:%u/v1", self->port);
}

/**
 * cs_test_provider_dup_root_url:
 *
 * Returns: (transfer full): "http://127.0.0.1:PORT", the base URL for the
 *   ollama dialect.
 */
char *
cs_test_provider_dup_root_url (CsTestProvider *self)
{
  g_return_val_if_fail (CS_IS_TEST_PROVIDER (self), NULL);

  return g_strdup_printf ("http://127.0.0.1:%u", self->port);
}

/**
 * cs_test_provider_set_required_key:
 * @key: (nullable): the API key every request to the OpenAI routes
 *   (/v1/...) must carry as "Authorization: Bearer KEY", or %NULL for none.
 *   Ollama's routes (/api/...) never need one.
 */
void
cs_test_provider_set_required_key (CsTestProvider *self,
                                   const char     *key)
{
  g_return_if_fail (CS_IS_TEST_PROVIDER (self));

  g_free (self->required_key);
  self->required_key = g_strdup (key);
}

/**
 * cs_test_provider_set_delay_ms:
 *
 * The delay between two chunks of a stream (default 5 ms); the model token
 * "slow" overrides it.
 */
void
cs_test_provider_set_delay_ms (CsTestProvider *self,
                               guint           delay_ms)
{
  g_return_if_fail (CS_IS_TEST_PROVIDER (self));

  self->delay_ms = delay_ms;
}

guint
cs_test_provider_get_delay_ms (CsTestProvider *self)
{
  g_return_val_if_fail (CS_IS_TEST_PROVIDER (self), 0);

  return self->delay_ms;
}

/**
 * cs_test_provider_get_request_count:
 * @model: (nullable): a full model name as sent (tokens included), or %NULL
 *
 * Returns: the number of requests for @model, or of all requests (model
 *   lists included) when @model is %NULL, since the start or the last reset.
 */
guint
cs_test_provider_get_request_count (CsTestProvider *self,
                                    const char     *model)
{
  g_return_val_if_fail (CS_IS_TEST_PROVIDER (self), 0);

  if (model == NULL)
    return self->n_requests;
  return GPOINTER_TO_UINT (g_hash_table_lookup (self->counts, model));
}

/**
 * cs_test_provider_get_requests:
 *
 * Returns: (transfer container) (element-type JsonNode): the requests
 *   received (the last 1000), oldest first, each an object {"path", "model",
 *   "authorization": "present"|"absent", "body"}. Free with
 *   g_ptr_array_unref().
 */
GPtrArray *
cs_test_provider_get_requests (CsTestProvider *self)
{
  GPtrArray *copy;

  g_return_val_if_fail (CS_IS_TEST_PROVIDER (self), NULL);

  copy = g_ptr_array_new_full (self->requests->len, (GDestroyNotify) json_node_unref);
  for (guint i = 0; i < self->requests->len; i++)
    g_ptr_array_add (copy, json_node_ref (g_ptr_array_index (self->requests, i)));
  return copy;
}

/**
 * cs_test_provider_record_to:
 *
 * Appends every request from now on to @path, one JSON object a line (as
 * cs_test_provider_get_requests () gives them): for tests that run the
 * provider as a program.
 */
gboolean
cs_test_provider_record_to (CsTestProvider  *self,
                            const char      *path,
                            GError         **error)
{
  FILE *f;

  g_return_val_if_fail (CS_IS_TEST_PROVIDER (self), FALSE);

  f = fopen (path, "a");
  if (f == NULL)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", path, g_strerror (saved));
      return FALSE;
    }
  g_clear_pointer (&self->record, fclose);
  self->record = f;
  return TRUE;
}

/**
 * cs_test_provider_reset:
 *
 * Forgets the recorded requests, the counters and the "once" faults.
 * Streams in flight go on.
 */
void
cs_test_provider_reset (CsTestProvider *self)
{
  g_return_if_fail (CS_IS_TEST_PROVIDER (self));

  g_ptr_array_set_size (self->requests, 0);
  self->n_requests = 0;
  g_hash_table_remove_all (self->counts);
  g_hash_table_remove_all (self->fired);
  g_array_set_size (self->recent, 0);
}

const char *
cs_test_provider_get_fault_help (void)
{
  return fault_help;
}

const char * const *
cs_test_provider_get_demo_models (void)
{
  return demo_models;
}

/**
 * cs_test_provider_build_config:
 * @port: the port the provider listens on
 *
 * Returns: (transfer full): a providers.ini that uses the demo models of a
 *   provider on @port through all three dialects.
 */
char *
cs_test_provider_build_config (guint port)
{
  GString *s = g_string_new (NULL);
  static const char * const chat_models[] = { "demo-alpha", "demo-beta", "demo-gamma", "demo-thinking", "demo-judge" };

  g_string_append (s,
                   "# Consilium providers for the local test provider (synthetic answers, no API key).\n"
                   "# Written by consilium-test-provider --write-config.\n\n");
  g_string_append_printf (s,
                          "[provider demo]\n"
                          "name=Demo (synthetic answers)\n"
                          "base-url=http://127.0.0.1:%u/v1\n"
                          "api=openai-chat\n"
                          "models=demo-alpha;demo-beta;demo-gamma;demo-thinking;demo-judge\n"
                          "max-concurrent=8\n"
                          "requests-per-minute=600\n\n", port);
  for (guint i = 0; i < G_N_ELEMENTS (chat_models); i++)
    g_string_append_printf (s,
                            "[model demo/%s]\n"
                            "price-input=%s\n"
                            "price-output=%s\n"
                            "max-n=4\n"
                            "structured-output=json-schema\n\n",
                            chat_models[i],
                            g_str_equal (chat_models[i], "demo-judge") ? "1.25" : "0.60",
                            g_str_equal (chat_models[i], "demo-judge") ? "10.00" : "2.50");

  g_string_append_printf (s,
                          "[provider demo-responses]\n"
                          "name=Demo, Responses API (synthetic answers)\n"
                          "base-url=http://127.0.0.1:%u/v1\n"
                          "api=openai-responses\n"
                          "models=demo-alpha\n"
                          "max-concurrent=8\n"
                          "requests-per-minute=600\n\n"
                          "[model demo-responses/demo-alpha]\n"
                          "price-input=0.25\n"
                          "price-output=2.00\n"
                          "max-n=1\n"
                          "structured-output=json-schema\n\n", port);

  g_string_append_printf (s,
                          "[provider demo-ollama]\n"
                          "name=Demo, Ollama (synthetic answers)\n"
                          "base-url=http://127.0.0.1:%u\n"
                          "api=ollama\n"
                          "models=demo-local\n"
                          "max-concurrent=4\n"
                          "requests-per-minute=600\n\n"
                          "[model demo-ollama/demo-local]\n"
                          "price-input=0\n"
                          "price-output=0\n"
                          "max-n=1\n"
                          "structured-output=json-schema\n", port);
  return g_string_free (s, FALSE);
}
