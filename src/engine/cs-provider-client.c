/* cs-provider-client.c
 *
 * One SoupSession per provider. Requests go through a queue that enforces
 * max-concurrent, a requests-per-minute token bucket and holds announced by
 * the provider (x-ratelimit-remaining-requests: 0, 429 + retry hint). Each
 * request runs attempts until one streams or fails for good; an attempt is
 * retried only before its first event. Every timer and every operation lives
 * on the thread-default main context of the caller; no threads.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-provider-client"

#include "config.h"

#include <math.h>
#include <string.h>

#include <libsoup/soup.h>

#include "cs-json-schema.h"
#include "cs-json-util.h"
#include "cs-provider-client.h"
#include "cs-retry.h"

/* The bucket of the requests-per-minute limit holds this many seconds of
 * budget (at least one request): bursts are allowed, sustained rates are
 * not. */
#define RPM_BURST_SECONDS 6
/* Bodies of error replies and model lists are read up to these sizes. */
#define MAX_ERROR_BODY   (64 * 1024)
#define MAX_MODELS_BODY  (4 * 1024 * 1024)
#define READ_CHUNK       (64 * 1024)
/* Provider messages quoted in our errors are cut to this many characters. */
#define MAX_QUOTED_CHARS 400

struct _CsProviderClient
{
  GObject           parent_instance;

  CsProviderConfig *provider;
  char             *api_key;
  SoupSession      *session;
  GMainContext     *context;

  GQueue            pending;        /* of GTask*, owned */
  guint             in_flight;
  GSource          *pump_source;
  gint64            pump_due;       /* monotonic µs of pump_source */

  double            tokens;         /* requests-per-minute bucket */
  gint64            tokens_updated; /* monotonic µs */
  gint64            hold_until;     /* monotonic µs: no new requests before */
};

G_DEFINE_FINAL_TYPE (CsProviderClient, cs_provider_client, G_TYPE_OBJECT)

G_DEFINE_QUARK (cs-client-error-quark, cs_client_error)

typedef enum {
  REQ_QUEUED,
  REQ_RUNNING,
  REQ_BACKOFF,
  REQ_DONE,
} RequestState;

typedef enum {
  TIMEOUT_NONE,
  TIMEOUT_CONNECT,
  TIMEOUT_FIRST_BYTE,
  TIMEOUT_IDLE,
} TimeoutKind;

typedef struct {
  CsProviderClient  *client;          /* the task's source object */
  GTask             *task;            /* not a reference */
  RequestState       state;

  char              *url;
  GBytes            *body;
  CsApiDialect       dialect;
  CsStreamEventFunc  on_event;
  gpointer           event_data;

  GCancellable      *cancellable;     /* the caller's, may be NULL */
  gulong             cancelled_id;
  gboolean           user_cancelled;

  /* The current attempt */
  GCancellable      *attempt_cancellable;
  SoupMessage       *msg;
  GInputStream      *stream;
  CsStreamDecoder   *decoder;
  GByteArray        *error_body;
  guint64            bytes_read;
  gboolean           got_body_bytes;
  TimeoutKind        timed_out;
  GError            *stream_error;
  gboolean           stream_error_transient;  /* and before any event */
  GSource           *connect_timer;
  GSource           *first_byte_timer;
  GSource           *idle_timer;
  GSource           *retry_timer;
  GSource           *cancel_idle;
  gboolean           holds_slot;

  gint64             queued_at;       /* monotonic µs, 0 when not queued */
  gint64             first_sent_at;   /* monotonic µs, 0 before the first send */
  CsChatStats        stats;
} Request;

static void pump           (CsProviderClient *self);
static void schedule_pump  (CsProviderClient *self,
                            gint64            due);
static void start_attempt  (GTask            *task);
static void read_next      (GTask            *task);

/* Helpers */

static GSource *
attach_timeout_full (GMainContext   *context,
                     guint           ms,
                     GSourceFunc     func,
                     gpointer        data,
                     GDestroyNotify  notify)
{
  GSource *source = g_timeout_source_new (ms);

  g_source_set_callback (source, func, data, notify);
  g_source_set_static_name (source, "[cs-provider-client] timer");
  g_source_attach (source, context);
  return source;
}

static GSource *
attach_timeout (GMainContext *context,
                guint         ms,
                GSourceFunc   func,
                gpointer      data)
{
  return attach_timeout_full (context, ms, func, data, NULL);
}

static void
clear_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

static const char *
provider_name (CsProviderClient *self)
{
  if (self->provider->name != NULL && self->provider->name[0] != '\0')
    return self->provider->name;
  if (self->provider->id != NULL)
    return self->provider->id;
  return "the provider";
}

static gboolean
is_key_char (char c)
{
  return g_ascii_isalnum (c) || c == '-' || c == '_' || c == '.' || c == '+' ||
         c == '/' || c == '=';
}

/* Removes the API key, and any long enough piece of it (providers echo keys
 * half-masked as "sk-abc****wxyz"), from a text meant for people. */
static char *
scrub_key (CsProviderClient *self,
           const char       *text)
{
  GString *out;
  const char *p;
  const char *key = self->api_key;

  if (text == NULL)
    return NULL;
  if (key == NULL || strlen (key) < 4)
    return g_strdup (text);

  out = g_string_new (NULL);
  p = text;
  while (*p != '\0')
    {
      const char *start = p;
      gsize len;

      if (!is_key_char (*p))
        {
          g_string_append_c (out, *p);
          p++;
          continue;
        }
      while (*p != '\0' && is_key_char (*p))
        p++;
      len = (gsize) (p - start);

      {
        g_autofree char *word = g_strndup (start, len);

        if ((len >= 6 && strstr (key, word) != NULL) || strstr (word, key) != NULL)
          g_string_append (out, "[redacted]");
        else
          g_string_append_len (out, start, len);
      }
    }

  return g_string_free (out, FALSE);
}

static gboolean
ends_sentence (const char *text)
{
  gsize len = strlen (text);

  return len > 0 && strchr (".!?", text[len - 1]) != NULL;
}

/* Cuts a provider's message for quoting, and removes the key from it. */
static char *
quote_message (CsProviderClient *self,
               const char       *message)
{
  g_autofree char *valid = NULL;
  g_autofree char *stripped = NULL;

  if (message == NULL)
    return NULL;

  valid = g_utf8_make_valid (message, -1);
  stripped = g_strstrip (g_strdup (valid));
  /* we end our sentences ourselves */
  while (stripped[0] != '\0' && stripped[strlen (stripped) - 1] == '.')
    stripped[strlen (stripped) - 1] = '\0';
  if (stripped[0] == '\0')
    return NULL;

  if (g_utf8_strlen (stripped, -1) > MAX_QUOTED_CHARS)
    {
      g_autofree char *cut = g_utf8_substring (stripped, 0, MAX_QUOTED_CHARS);

      g_free (stripped);
      stripped = g_strconcat (cut, "…", NULL);
    }

  return scrub_key (self, stripped);
}

static char *
node_to_code (JsonNode *node)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return g_strdup (json_node_get_string (node));
    case G_TYPE_INT64:
      return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
    case G_TYPE_DOUBLE:
      return g_strdup_printf ("%g", json_node_get_double (node));
    default:
      return NULL;
    }
}

static char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return g_strdup (json_node_get_string (node));
}

/* Reads {"error":{"message","type","code"}}, {"error":"…"}, {"message":"…"}
 * or {"detail":"…"}; a plain-text body is taken as the message. */
static void
parse_error_body (const char  *data,
                  gsize        len,
                  const char  *content_type,
                  char       **message,
                  char       **type,
                  char       **code)
{
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;
  JsonNode *error;

  *message = *type = *code = NULL;

  if (data == NULL || len == 0)
    return;

  /* Bounded: json-glib alone recurses once per level, and a hostile server's
   * {"error": followed by 200000 `[` would overflow the stack. */
  root = cs_json_parse_bounded (data, (gssize) len, 0, NULL);
  if (root == NULL)
    {
      if (content_type != NULL && g_ascii_strncasecmp (content_type, "text/plain", 10) == 0)
        *message = g_utf8_make_valid (data, (gssize) len);
      return;
    }

  if (!JSON_NODE_HOLDS_OBJECT (root))
    return;
  object = json_node_get_object (root);

  error = json_object_get_member (object, "error");
  if (error != NULL && JSON_NODE_HOLDS_OBJECT (error))
    {
      JsonObject *e = json_node_get_object (error);

      *message = member_string (e, "message");
      *type = member_string (e, "type");
      *code = node_to_code (json_object_get_member (e, "code"));
      if (*type == NULL)
        *type = member_string (e, "status");
    }
  else if (error != NULL && JSON_NODE_HOLDS_VALUE (error) &&
           json_node_get_value_type (error) == G_TYPE_STRING)
    {
      *message = g_strdup (json_node_get_string (error));
    }

  if (*message == NULL)
    *message = member_string (object, "message");
  if (*message == NULL)
    *message = member_string (object, "detail");
  if (*type == NULL)
    *type = member_string (object, "type");
  if (*code == NULL)
    *code = node_to_code (json_object_get_member (object, "code"));
}

static char *
join_url (const char *base,
          const char *path)
{
  gsize len = strlen (base);

  while (len > 0 && base[len - 1] == '/')
    len--;

  return g_strdup_printf ("%.*s%s", (int) len, base, path);
}

/* Request bodies */

static char *
sanitize_schema_name (const char *name)
{
  char *s = g_strdup (name != NULL && name[0] != '\0' ? name : "candidate");

  for (char *p = s; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '-')
      *p = '_';
  if (strlen (s) > 64)
    s[64] = '\0';

  return s;
}

static void
add_messages (JsonBuilder         *builder,
              const CsChatRequest *request)
{
  if (request->messages != NULL)
    json_builder_add_value (builder, json_node_copy (request->messages));
  else
    {
      json_builder_begin_array (builder);
      json_builder_end_array (builder);
    }
}

static gboolean
wants_schema (const CsChatRequest *request)
{
  return request->structured == CS_STRUCTURED_JSON_SCHEMA &&
         request->schema != NULL && JSON_NODE_HOLDS_OBJECT (request->schema);
}

static JsonNode *
build_chat_body (const CsChatRequest *request)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "model");
  json_builder_add_string_value (builder, request->model);
  json_builder_set_member_name (builder, "messages");
  add_messages (builder, request);
  json_builder_set_member_name (builder, "stream");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_set_member_name (builder, "stream_options");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "include_usage");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_end_object (builder);

  if (request->n > 1)
    {
      json_builder_set_member_name (builder, "n");
      json_builder_add_int_value (builder, request->n);
    }
  if (!isnan (request->temperature))
    {
      json_builder_set_member_name (builder, "temperature");
      json_builder_add_double_value (builder, request->temperature);
    }
  if (request->max_output_tokens > 0)
    {
      json_builder_set_member_name (builder, "max_completion_tokens");
      json_builder_add_int_value (builder, (gint64) MIN (request->max_output_tokens, G_MAXINT64));
    }
  if (request->reasoning_effort != NULL && request->reasoning_effort[0] != '\0')
    {
      json_builder_set_member_name (builder, "reasoning_effort");
      json_builder_add_string_value (builder, request->reasoning_effort);
    }

  if (wants_schema (request))
    {
      g_autofree char *name = sanitize_schema_name (request->schema_name);

      json_builder_set_member_name (builder, "response_format");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "type");
      json_builder_add_string_value (builder, "json_schema");
      json_builder_set_member_name (builder, "json_schema");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, name);
      json_builder_set_member_name (builder, "strict");
      json_builder_add_boolean_value (builder, TRUE);
      json_builder_set_member_name (builder, "schema");
      json_builder_add_value (builder, json_node_copy (request->schema));
      json_builder_end_object (builder);
      json_builder_end_object (builder);
    }
  else if (request->structured != CS_STRUCTURED_NONE)
    {
      json_builder_set_member_name (builder, "response_format");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "type");
      json_builder_add_string_value (builder, "json_object");
      json_builder_end_object (builder);
    }

  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static JsonNode *
build_responses_body (const CsChatRequest *request)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "model");
  json_builder_add_string_value (builder, request->model);
  json_builder_set_member_name (builder, "input");
  add_messages (builder, request);
  json_builder_set_member_name (builder, "stream");
  json_builder_add_boolean_value (builder, TRUE);

  if (!isnan (request->temperature))
    {
      json_builder_set_member_name (builder, "temperature");
      json_builder_add_double_value (builder, request->temperature);
    }
  if (request->max_output_tokens > 0)
    {
      json_builder_set_member_name (builder, "max_output_tokens");
      json_builder_add_int_value (builder, (gint64) MIN (request->max_output_tokens, G_MAXINT64));
    }
  if (request->reasoning_effort != NULL && request->reasoning_effort[0] != '\0')
    {
      json_builder_set_member_name (builder, "reasoning");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "effort");
      json_builder_add_string_value (builder, request->reasoning_effort);
      json_builder_end_object (builder);
    }

  if (wants_schema (request))
    {
      g_autofree char *name = sanitize_schema_name (request->schema_name);

      json_builder_set_member_name (builder, "text");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "format");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "type");
      json_builder_add_string_value (builder, "json_schema");
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, name);
      json_builder_set_member_name (builder, "strict");
      json_builder_add_boolean_value (builder, TRUE);
      json_builder_set_member_name (builder, "schema");
      json_builder_add_value (builder, json_node_copy (request->schema));
      json_builder_end_object (builder);
      json_builder_end_object (builder);
    }
  else if (request->structured != CS_STRUCTURED_NONE)
    {
      json_builder_set_member_name (builder, "text");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "format");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "type");
      json_builder_add_string_value (builder, "json_object");
      json_builder_end_object (builder);
      json_builder_end_object (builder);
    }

  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static JsonNode *
build_ollama_body (const CsChatRequest *request)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  gboolean has_temperature = !isnan (request->temperature);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "model");
  json_builder_add_string_value (builder, request->model);
  json_builder_set_member_name (builder, "messages");
  add_messages (builder, request);
  json_builder_set_member_name (builder, "stream");
  json_builder_add_boolean_value (builder, TRUE);

  if (wants_schema (request))
    {
      json_builder_set_member_name (builder, "format");
      json_builder_add_value (builder, json_node_copy (request->schema));
    }
  else if (request->structured != CS_STRUCTURED_NONE)
    {
      json_builder_set_member_name (builder, "format");
      json_builder_add_string_value (builder, "json");
    }

  if (has_temperature || request->max_output_tokens > 0)
    {
      json_builder_set_member_name (builder, "options");
      json_builder_begin_object (builder);
      if (has_temperature)
        {
          json_builder_set_member_name (builder, "temperature");
          json_builder_add_double_value (builder, request->temperature);
        }
      if (request->max_output_tokens > 0)
        {
          json_builder_set_member_name (builder, "num_predict");
          json_builder_add_int_value (builder, (gint64) MIN (request->max_output_tokens, G_MAXINT64));
        }
      json_builder_end_object (builder);
    }

  if (request->reasoning_effort != NULL && request->reasoning_effort[0] != '\0')
    {
      json_builder_set_member_name (builder, "think");
      json_builder_add_boolean_value (builder, TRUE);
    }

  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static GBytes *
build_body (CsApiDialect         dialect,
            const CsChatRequest *request)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  gsize len = 0;
  char *data;

  switch (dialect)
    {
    case CS_API_OPENAI_RESPONSES:
      root = build_responses_body (request);
      break;
    case CS_API_OLLAMA:
      root = build_ollama_body (request);
      break;
    case CS_API_OPENAI_CHAT:
    default:
      root = build_chat_body (request);
      break;
    }

  json_generator_set_root (generator, root);
  data = json_generator_to_data (generator, &len);
  /* json-glib 1.6 writes 1e22 as "1e+22.0", which servers refuse. */
  len = cs_json_fix_exponents (data);
  return g_bytes_new_take (data, len);
}

/* The queue */

static guint
max_concurrent (CsProviderClient *self)
{
  return MAX (1, self->provider->max_concurrent);
}

static double
bucket_capacity (CsProviderClient *self)
{
  guint rpm = self->provider->requests_per_minute;

  return MAX (1.0, floor ((double) rpm * RPM_BURST_SECONDS / 60.0));
}

static void
refill_tokens (CsProviderClient *self,
               gint64            now)
{
  guint rpm = self->provider->requests_per_minute;

  if (rpm == 0)
    return;

  if (now > self->tokens_updated)
    {
      double gained = (double) (now - self->tokens_updated) * rpm / (60.0 * G_USEC_PER_SEC);

      self->tokens = MIN (bucket_capacity (self), self->tokens + gained);
      self->tokens_updated = now;
    }
}

static gboolean
pump_timeout_cb (gpointer data)
{
  CsProviderClient *self = data;

  g_clear_pointer (&self->pump_source, g_source_unref);
  self->pump_due = 0;
  pump (self);
  return G_SOURCE_REMOVE;
}

/* Runs pump() at monotonic time @due (µs), or sooner if already planned. */
static void
schedule_pump (CsProviderClient *self,
               gint64            due)
{
  gint64 now = g_get_monotonic_time ();
  gint64 delay_ms;

  if (self->pump_source != NULL && self->pump_due <= due)
    return;

  clear_source (&self->pump_source);
  delay_ms = due > now ? (due - now + 999) / 1000 : 0;
  self->pump_due = due;
  self->pump_source = attach_timeout (self->context, (guint) MIN (delay_ms, G_MAXUINT),
                                      pump_timeout_cb, self);
}

static void
pump (CsProviderClient *self)
{
  while (!g_queue_is_empty (&self->pending) && self->in_flight < max_concurrent (self))
    {
      gint64 now = g_get_monotonic_time ();
      gint64 wait_until = self->hold_until;
      g_autoptr(GTask) task = NULL;
      Request *req;

      if (self->provider->requests_per_minute > 0)
        {
          refill_tokens (self, now);
          if (self->tokens < 1.0)
            {
              double missing = 1.0 - self->tokens;
              gint64 wait = (gint64) ceil (missing * 60.0 * G_USEC_PER_SEC /
                                           self->provider->requests_per_minute);

              wait_until = MAX (wait_until, now + wait);
            }
        }

      if (wait_until > now)
        {
          g_debug ("%s: holding %u queued request(s) for %" G_GINT64_FORMAT " ms",
                   provider_name (self), g_queue_get_length (&self->pending),
                   (wait_until - now) / 1000);
          schedule_pump (self, wait_until);
          return;
        }

      if (self->provider->requests_per_minute > 0)
        self->tokens -= 1.0;

      task = g_queue_pop_head (&self->pending);
      req = g_task_get_task_data (task);
      g_assert (req->state == REQ_QUEUED);

      req->stats.queued_ms += (now - req->queued_at) / 1000;
      req->queued_at = 0;
      req->holds_slot = TRUE;
      self->in_flight++;
      start_attempt (task);
    }
}

static void
enqueue (GTask    *task,
         gboolean  at_head)
{
  Request *req = g_task_get_task_data (task);

  req->state = REQ_QUEUED;
  req->queued_at = g_get_monotonic_time ();
  if (at_head)
    g_queue_push_head (&req->client->pending, g_object_ref (task));
  else
    g_queue_push_tail (&req->client->pending, g_object_ref (task));
}

static void
release_slot (Request *req)
{
  CsProviderClient *self = req->client;

  if (!req->holds_slot)
    return;

  req->holds_slot = FALSE;
  g_assert (self->in_flight > 0);
  self->in_flight--;
  if (!g_queue_is_empty (&self->pending))
    schedule_pump (self, 0);
}

static void
hold_queue (CsProviderClient *self,
            gint64            ms,
            const char       *why)
{
  gint64 until;

  if (ms <= 0)
    return;

  ms = MIN (ms, CS_RETRY_MAX_WAIT_MS);
  until = g_get_monotonic_time () + ms * 1000;
  if (until > self->hold_until)
    {
      g_debug ("%s: holding new requests for %" G_GINT64_FORMAT " ms (%s)",
               provider_name (self), ms, why);
      self->hold_until = until;
    }
}

static void
note_rate_limits (CsProviderClient *self,
                  SoupMessage      *msg)
{
  CsRateLimits limits;

  if (!cs_retry_parse_rate_limits (soup_message_get_response_headers (msg), &limits))
    return;

  if (limits.remaining_requests == 0 && limits.reset_requests_ms > 0)
    hold_queue (self, limits.reset_requests_ms, "x-ratelimit-remaining-requests is 0");
  if (limits.remaining_tokens == 0 && limits.reset_tokens_ms > 0)
    hold_queue (self, limits.reset_tokens_ms, "x-ratelimit-remaining-tokens is 0");
}

/* Requests */

static void
request_clear_attempt (Request *req)
{
  clear_source (&req->connect_timer);
  clear_source (&req->first_byte_timer);
  clear_source (&req->idle_timer);
  if (req->msg != NULL)
    g_signal_handlers_disconnect_by_data (req->msg, req);
  g_clear_object (&req->msg);
  if (req->stream != NULL)
    {
      /* Closing lets libsoup put a fully read connection back in its pool
       * (and drops one that was not read to the end). */
      g_input_stream_close_async (req->stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
      g_clear_object (&req->stream);
    }
  g_clear_pointer (&req->decoder, cs_stream_decoder_free);
  g_clear_pointer (&req->error_body, g_byte_array_unref);
  g_clear_error (&req->stream_error);
  req->stream_error_transient = FALSE;
  g_clear_object (&req->attempt_cancellable);
  req->bytes_read = 0;
  req->got_body_bytes = FALSE;
  req->timed_out = TIMEOUT_NONE;
}

static void
request_free (gpointer data)
{
  Request *req = data;

  g_assert (req->cancelled_id == 0);
  request_clear_attempt (req);
  clear_source (&req->retry_timer);
  clear_source (&req->cancel_idle);
  g_clear_object (&req->cancellable);
  g_clear_pointer (&req->url, g_free);
  g_clear_pointer (&req->body, g_bytes_unref);
  g_free (req);
}

/* Completes the task once; @error NULL means success. Takes @error. */
static void
request_complete (GTask  *task,
                  GError *error)
{
  Request *req = g_task_get_task_data (task);
  CsProviderClient *self = req->client;
  gint64 now = g_get_monotonic_time ();

  if (req->state == REQ_DONE)
    {
      g_clear_error (&error);
      return;
    }

  if (req->state == REQ_QUEUED)
    {
      GList *link = g_queue_find (&self->pending, task);

      if (link != NULL)
        {
          g_queue_delete_link (&self->pending, link);
          g_object_unref (task);
        }
      req->stats.queued_ms += (now - req->queued_at) / 1000;
    }
  req->state = REQ_DONE;

  if (req->attempt_cancellable != NULL)
    g_cancellable_cancel (req->attempt_cancellable);
  request_clear_attempt (req);
  clear_source (&req->retry_timer);
  clear_source (&req->cancel_idle);
  g_cancellable_disconnect (req->cancellable, req->cancelled_id);
  req->cancelled_id = 0;
  release_slot (req);

  if (req->first_sent_at > 0)
    req->stats.duration_ms = (now - req->first_sent_at) / 1000;

  if (error != NULL)
    {
      g_debug ("%s: request failed after %u attempt(s): %s",
               provider_name (self), req->stats.attempts, error->message);
      g_task_return_error (task, error);
    }
  else
    g_task_return_boolean (task, TRUE);
}

static GError *
cancelled_error (void)
{
  return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Operation was cancelled");
}

static gboolean
cancel_idle_cb (gpointer data)
{
  GTask *task = data;
  Request *req = g_task_get_task_data (task);

  g_clear_pointer (&req->cancel_idle, g_source_unref);
  request_complete (task, cancelled_error ());
  return G_SOURCE_REMOVE;
}

/* May run inside g_cancellable_cancel (): never completes synchronously,
 * because g_cancellable_disconnect () must not run inside its handler. */
static void
on_user_cancelled (GCancellable *cancellable,
                   gpointer      data)
{
  GTask *task = data;
  Request *req = g_task_get_task_data (task);
  GSource *source;

  if (req->state == REQ_DONE || req->user_cancelled)
    return;

  req->user_cancelled = TRUE;
  if (req->attempt_cancellable != NULL)
    g_cancellable_cancel (req->attempt_cancellable);

  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_HIGH);
  g_source_set_callback (source, cancel_idle_cb, g_object_ref (task), g_object_unref);
  g_source_set_static_name (source, "[cs-provider-client] cancel");
  g_source_attach (source, req->client->context);
  req->cancel_idle = source;
}

static gboolean
retry_timer_cb (gpointer data)
{
  GTask *task = data;
  Request *req = g_task_get_task_data (task);

  g_clear_pointer (&req->retry_timer, g_source_unref);
  enqueue (task, TRUE);
  pump (req->client);
  return G_SOURCE_REMOVE;
}

static const char *
retried_suffix (guint         attempts,
                char         *buf,
                gsize         len)
{
  if (attempts <= 1)
    return "";
  if (attempts == 2)
    return " Retried once.";
  g_snprintf (buf, len, " Retried %u times.", attempts - 1);
  return buf;
}

/* Builds the error for a failed HTTP status. */
static GError *
http_error (Request    *req,
            guint       status,
            const char *provider_message,
            const char *type,
            const char *code,
            gint64      refused_wait_ms)
{
  CsProviderClient *self = req->client;
  const char *name = provider_name (self);
  g_autofree char *quoted = quote_message (self, provider_message);
  g_autofree char *detail = NULL;
  char buf[64];
  const char *retried = retried_suffix (req->stats.attempts, buf, sizeof buf);
  CsClientError kind;
  const char *what;
  const char *end;

  if (quoted != NULL)
    detail = g_strdup_printf (": %s", quoted);
  else
    detail = g_strdup ("");
  end = ends_sentence (detail) ? "" : ".";

  if (status == 429 && cs_retry_is_quota_error (type, code))
    {
      kind = CS_CLIENT_ERROR_QUOTA;
      what = "Quota exhausted at";
    }
  else if (cs_retry_is_quota_error (type, code) || status == 402)
    {
      kind = CS_CLIENT_ERROR_QUOTA;
      what = "Quota or billing problem at";
    }
  else if (status == 429)
    {
      kind = CS_CLIENT_ERROR_RATE_LIMITED;
      what = "Rate limited by";
    }
  else if (status == 401 || status == 403)
    {
      kind = CS_CLIENT_ERROR_AUTH;
      what = status == 401 ? "Authentication failed at" : "Access denied by";
    }
  else if (status == 404)
    {
      kind = CS_CLIENT_ERROR_NOT_FOUND;
      what = "Model or endpoint not found at";
    }
  else if (status == 408)
    {
      kind = CS_CLIENT_ERROR_TIMEOUT;
      what = "Request timed out at";
    }
  else if (status >= 500)
    {
      kind = CS_CLIENT_ERROR_SERVER;
      what = "Server error at";
    }
  else if (status >= 300 && status < 400)
    {
      kind = CS_CLIENT_ERROR_PROTOCOL;
      what = "Redirect (not followed) from";
    }
  else
    {
      kind = CS_CLIENT_ERROR_BAD_REQUEST;
      what = "Request rejected by";
    }

  if (refused_wait_ms > 0)
    return g_error_new (CS_CLIENT_ERROR, kind,
                        "%s %s (HTTP %u)%s%s It asked to wait %" G_GINT64_FORMAT
                        " s, longer than the %d s limit.%s",
                        what, name, status, detail, end, (refused_wait_ms + 999) / 1000,
                        CS_RETRY_MAX_WAIT_MS / 1000, retried);

  return g_error_new (CS_CLIENT_ERROR, kind, "%s %s (HTTP %u)%s%s%s",
                      what, name, status, detail, end, retried);
}

static GError *
connect_error (Request      *req,
               const GError *error)
{
  CsProviderClient *self = req->client;
  g_autofree char *host = NULL;
  g_autoptr(GUri) uri = g_uri_parse (req->url, G_URI_FLAGS_NONE, NULL);
  g_autofree char *message = scrub_key (self, error->message);
  char buf[64];
  const char *retried = retried_suffix (req->stats.attempts, buf, sizeof buf);
  const char *what;

  if (uri != NULL && g_uri_get_host (uri) != NULL)
    {
      if (g_uri_get_port (uri) > 0)
        host = g_strdup_printf ("%s:%d", g_uri_get_host (uri), g_uri_get_port (uri));
      else
        host = g_strdup (g_uri_get_host (uri));
    }
  else
    host = g_strdup (provider_name (self));

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    what = "Connection refused by";
  else if (error->domain == G_RESOLVER_ERROR)
    what = "Could not resolve";
  else if (error->domain == G_TLS_ERROR)
    what = "TLS failure with";
  else
    what = "Could not connect to";

  return g_error_new (CS_CLIENT_ERROR, CS_CLIENT_ERROR_CONNECT, "%s %s (%s): %s%s%s",
                      what, provider_name (self), host, message,
                      ends_sentence (message) ? "" : ".", retried);
}

static GError *
timeout_error (Request     *req,
               TimeoutKind  kind)
{
  CsProviderClient *self = req->client;
  const char *name = provider_name (self);
  char buf[64];
  const char *retried = retried_suffix (req->stats.attempts, buf, sizeof buf);

  switch (kind)
    {
    case TIMEOUT_CONNECT:
      return g_error_new (CS_CLIENT_ERROR, CS_CLIENT_ERROR_TIMEOUT,
                          "Could not connect to %s within %u s.%s", name,
                          self->provider->connect_timeout_s, retried);
    case TIMEOUT_FIRST_BYTE:
      return g_error_new (CS_CLIENT_ERROR, CS_CLIENT_ERROR_TIMEOUT,
                          "%s sent no answer within %u s (first-byte timeout).%s", name,
                          self->provider->first_byte_timeout_s, retried);
    case TIMEOUT_IDLE:
      return g_error_new (CS_CLIENT_ERROR, CS_CLIENT_ERROR_TIMEOUT,
                          "%s went silent for %u s in the middle of the reply (idle timeout).",
                          name, self->provider->idle_timeout_s);
    case TIMEOUT_NONE:
    default:
      return g_error_new (CS_CLIENT_ERROR, CS_CLIENT_ERROR_TIMEOUT,
                          "The request to %s timed out.%s", name, retried);
    }
}

/* An attempt failed before streaming. Retries it when allowed (consuming
 * @error) or completes the task with it. @status 0: no HTTP reply. */
static void
attempt_failed (GTask      *task,
                guint       status,
                const char *provider_message,
                const char *type,
                const char *code,
                GError     *error)
{
  Request *req = g_task_get_task_data (task);
  CsProviderClient *self = req->client;
  SoupMessageHeaders *headers = NULL;
  gint64 hint = -1;
  gint64 delay;
  gboolean retryable;

  if (req->msg != NULL && status != 0)
    headers = soup_message_get_response_headers (req->msg);

  retryable = cs_retry_is_retryable (status, type, code, headers);
  if (status != 0)
    hint = cs_retry_hint_from_headers (headers, g_get_real_time () / 1000);

  if (status == 429 && retryable && hint > 0 && hint <= CS_RETRY_MAX_WAIT_MS)
    hold_queue (self, hint, "429 with a retry hint");

  if (!retryable || req->stats.attempts > self->provider->max_retries)
    {
      if (error == NULL)
        error = http_error (req, status, provider_message, type, code, 0);
      request_complete (task, error);
      return;
    }

  delay = cs_retry_delay_ms (req->stats.attempts, hint, g_random_double ());
  if (delay < 0)
    {
      g_clear_error (&error);
      request_complete (task, http_error (req, status, provider_message, type, code, hint));
      return;
    }

  g_debug ("%s: attempt %u failed (%s), retrying in %" G_GINT64_FORMAT " ms",
           provider_name (self), req->stats.attempts,
           error != NULL ? error->message : "HTTP error", delay);
  g_clear_error (&error);

  request_clear_attempt (req);
  release_slot (req);
  req->state = REQ_BACKOFF;
  req->retry_timer = attach_timeout_full (self->context, (guint) delay, retry_timer_cb,
                                          g_object_ref (task), g_object_unref);
}

/* Called by the operations' callbacks on error: decides what it means. */
static void
attempt_io_failed (GTask  *task,
                   GError *error)
{
  Request *req = g_task_get_task_data (task);

  if (req->user_cancelled)
    {
      g_error_free (error);
      request_complete (task, cancelled_error ());
      return;
    }

  if (req->timed_out != TIMEOUT_NONE ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    {
      TimeoutKind kind = req->timed_out;

      g_error_free (error);
      if (kind == TIMEOUT_NONE)
        kind = req->got_body_bytes ? TIMEOUT_IDLE : TIMEOUT_FIRST_BYTE;
      /* Only a slow connect is worth another try: a model that does not
       * answer in minutes will not answer faster the second time. */
      if (kind == TIMEOUT_CONNECT)
        attempt_failed (task, 0, NULL, NULL, NULL, timeout_error (req, kind));
      else
        request_complete (task, timeout_error (req, kind));
      return;
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* Not ours and not the caller's: the client is going away. */
      request_complete (task, error);
      return;
    }

  if (req->stats.streamed)
    {
      g_autofree char *message = scrub_key (req->client, error->message);

      g_error_free (error);
      request_complete (task, g_error_new (CS_CLIENT_ERROR, CS_CLIENT_ERROR_TRUNCATED,
                                           "The connection to %s broke in the middle of the reply: %s",
                                           provider_name (req->client), message));
      return;
    }

  {
    GError *mapped = connect_error (req, error);

    g_error_free (error);
    attempt_failed (task, 0, NULL, NULL, NULL, mapped);
  }
}

/* Timers */

static gboolean
timeout_cb (Request     *req,
            TimeoutKind  kind)
{
  g_debug ("%s: timeout (%d)", provider_name (req->client), kind);
  req->timed_out = kind;
  if (req->attempt_cancellable != NULL)
    g_cancellable_cancel (req->attempt_cancellable);
  return G_SOURCE_REMOVE;
}

static gboolean
connect_timeout_cb (gpointer data)
{
  Request *req = data;

  g_clear_pointer (&req->connect_timer, g_source_unref);
  return timeout_cb (req, TIMEOUT_CONNECT);
}

static gboolean
first_byte_timeout_cb (gpointer data)
{
  Request *req = data;

  g_clear_pointer (&req->first_byte_timer, g_source_unref);
  return timeout_cb (req, TIMEOUT_FIRST_BYTE);
}

static gboolean
idle_timeout_cb (gpointer data)
{
  Request *req = data;

  g_clear_pointer (&req->idle_timer, g_source_unref);
  return timeout_cb (req, TIMEOUT_IDLE);
}

static void
restart_idle_timer (Request *req)
{
  guint s = req->client->provider->idle_timeout_s;

  clear_source (&req->idle_timer);
  if (s > 0)
    req->idle_timer = attach_timeout (req->client->context, s * 1000, idle_timeout_cb, req);
}

static void
on_connected (Request *req)
{
  clear_source (&req->connect_timer);
}

static void
on_network_event (SoupMessage        *msg,
                  GSocketClientEvent  event,
                  GIOStream          *connection,
                  gpointer            data)
{
  if (event == G_SOCKET_CLIENT_COMPLETE)
    on_connected (data);
}

static void
on_wrote_headers (SoupMessage *msg,
                  gpointer     data)
{
  on_connected (data);
}

/* Events from the decoder */

/* An error object that arrives instead of the first event (OpenRouter does
 * that when the upstream model fails) is worth a retry if its code says the
 * failure is transient: an HTTP status we would retry, or a known name. */
static gboolean
is_transient_code (const char *code)
{
  static const char * const names[] = {
    "server_error", "overloaded", "overloaded_error", "rate_limit_exceeded",
    "rate_limit_error", "timeout", "service_unavailable", "internal_error",
  };
  guint64 status;

  if (code == NULL || code[0] == '\0')
    return FALSE;

  if (g_ascii_string_to_unsigned (code, 10, 100, 599, &status, NULL))
    return cs_retry_is_retryable ((guint) status, NULL, NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_ascii_strcasecmp (code, names[i]) == 0)
      return TRUE;

  return FALSE;
}

static void
on_decoder_event (const CsStreamEvent *event,
                  gpointer             data)
{
  Request *req = data;

  if (req->state != REQ_RUNNING || req->user_cancelled || req->stream_error != NULL)
    return;

  if (event->type == CS_STREAM_EVENT_ERROR &&
      g_strcmp0 (event->code, "malformed-chunk") == 0)
    {
      /* One unreadable chunk does not end the reply: if it carried text,
       * the reply's own validation will notice. The caller hears of it. */
      g_debug ("%s: skipping a malformed chunk", provider_name (req->client));
      if (req->on_event != NULL)
        req->on_event (event, req->event_data);
      return;
    }

  if (event->type == CS_STREAM_EVENT_ERROR)
    {
      g_autofree char *message = quote_message (req->client, event->text);

      req->stream_error_transient = !req->stats.streamed && is_transient_code (event->code);
      req->stream_error = g_error_new (CS_CLIENT_ERROR, CS_CLIENT_ERROR_STREAM,
                                       "%s reported an error in the stream: %s",
                                       provider_name (req->client),
                                       message != NULL ? message : "no message");
      /* The caller hears of it too, unless it is retried; the task then
       * fails with this error. */
      if (req->on_event != NULL && !req->stream_error_transient)
        req->on_event (event, req->event_data);
      return;
    }

  if (req->stats.ttft_ms < 0 &&
      (event->type == CS_STREAM_EVENT_TEXT ||
       event->type == CS_STREAM_EVENT_REASONING ||
       event->type == CS_STREAM_EVENT_REFUSAL) &&
      event->len > 0)
    req->stats.ttft_ms = (g_get_monotonic_time () - req->first_sent_at) / 1000;

  req->stats.streamed = TRUE;
  if (req->on_event != NULL)
    req->on_event (event, req->event_data);
}

/* Reading the stream */

static void
stream_failed (GTask *task)
{
  Request *req = g_task_get_task_data (task);

  if (req->stream_error_transient && !req->stats.streamed)
    attempt_failed (task, 0, NULL, NULL, NULL, g_steal_pointer (&req->stream_error));
  else
    request_complete (task, g_steal_pointer (&req->stream_error));
}

static void
on_read (GObject      *object,
         GAsyncResult *result,
         gpointer      data)
{
  g_autoptr(GTask) task = data;
  Request *req = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gsize len;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, &error);
  if (req->state != REQ_RUNNING)
    return;

  if (bytes == NULL)
    {
      attempt_io_failed (task, g_steal_pointer (&error));
      return;
    }

  len = g_bytes_get_size (bytes);
  if (len == 0)
    {
      gboolean complete = cs_stream_decoder_finish (req->decoder);

      if (req->state != REQ_RUNNING)
        return;
      if (req->user_cancelled)
        request_complete (task, cancelled_error ());
      else if (req->stream_error != NULL)
        stream_failed (task);
      else if (!complete)
        request_complete (task, g_error_new (CS_CLIENT_ERROR, CS_CLIENT_ERROR_TRUNCATED,
                                             "The reply from %s stopped before it was complete: the "
                                             "connection closed after %" G_GUINT64_FORMAT " bytes "
                                             "without the end-of-reply marker.",
                                             provider_name (req->client), req->bytes_read));
      else
        request_complete (task, NULL);
      return;
    }

  clear_source (&req->first_byte_timer);
  req->got_body_bytes = TRUE;

  if (req->bytes_read + len > req->client->provider->max_reply_bytes &&
      req->client->provider->max_reply_bytes > 0)
    {
      request_complete (task, g_error_new (CS_CLIENT_ERROR, CS_CLIENT_ERROR_TOO_LARGE,
                                           "The reply from %s passed the limit of %"
                                           G_GUINT64_FORMAT " bytes.",
                                           provider_name (req->client),
                                           req->client->provider->max_reply_bytes));
      return;
    }
  req->bytes_read += len;

  cs_stream_decoder_feed (req->decoder, g_bytes_get_data (bytes, NULL), len);

  if (req->state != REQ_RUNNING)
    return;
  if (req->user_cancelled)
    {
      request_complete (task, cancelled_error ());
      return;
    }
  if (req->stream_error != NULL)
    {
      stream_failed (task);
      return;
    }

  restart_idle_timer (req);
  read_next (task);
}

static void
read_next (GTask *task)
{
  Request *req = g_task_get_task_data (task);

  g_input_stream_read_bytes_async (req->stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   req->attempt_cancellable, on_read, g_object_ref (task));
}

/* Reading an error body */

static void
finish_error_body (GTask *task)
{
  Request *req = g_task_get_task_data (task);
  g_autofree char *message = NULL;
  g_autofree char *type = NULL;
  g_autofree char *code = NULL;
  guint status = soup_message_get_status (req->msg);
  const char *content_type;

  content_type = soup_message_headers_get_content_type (soup_message_get_response_headers (req->msg), NULL);
  parse_error_body ((const char *) req->error_body->data, req->error_body->len,
                    content_type, &message, &type, &code);
  if (message == NULL && soup_message_get_reason_phrase (req->msg) != NULL &&
      soup_message_get_reason_phrase (req->msg)[0] != '\0')
    message = g_strdup (soup_message_get_reason_phrase (req->msg));

  g_debug ("%s: HTTP %u, type %s, code %s", provider_name (req->client), status,
           type != NULL ? type : "-", code != NULL ? code : "-");

  if (SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      /* JSON where a stream was expected */
      g_autofree char *quoted = quote_message (req->client, message);

      if (quoted != NULL && (type != NULL || code != NULL ||
                             (req->error_body->len > 0 &&
                                                 g_strstr_len ((const char *) req->error_body->data,
                                                               req->error_body->len,
                                                               "\"error\"") != NULL)))
        request_complete (task, g_error_new (CS_CLIENT_ERROR, CS_CLIENT_ERROR_STREAM,
                                             "%s reported an error: %s",
                                             provider_name (req->client), quoted));
      else
        request_complete (task, g_error_new (CS_CLIENT_ERROR, CS_CLIENT_ERROR_PROTOCOL,
                                             "%s answered with a JSON document instead of a stream.",
                                             provider_name (req->client)));
      return;
    }

  attempt_failed (task, status, message, type, code, NULL);
}

static void
on_error_body_read (GObject      *object,
                    GAsyncResult *result,
                    gpointer      data)
{
  g_autoptr(GTask) task = data;
  Request *req = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gsize len;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, &error);
  if (req->state != REQ_RUNNING)
    return;

  if (bytes == NULL)
    {
      /* A broken error body: the status alone will do, unless the caller
       * cancelled. */
      if (req->user_cancelled)
        request_complete (task, cancelled_error ());
      else
        finish_error_body (task);
      return;
    }

  len = g_bytes_get_size (bytes);
  if (len == 0 || req->error_body->len >= MAX_ERROR_BODY)
    {
      finish_error_body (task);
      return;
    }

  g_byte_array_append (req->error_body, g_bytes_get_data (bytes, NULL),
                       (guint) MIN (len, MAX_ERROR_BODY - req->error_body->len));
  restart_idle_timer (req);
  g_input_stream_read_bytes_async (req->stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   req->attempt_cancellable, on_error_body_read,
                                   g_object_ref (task));
}

static gboolean
content_type_ok (CsApiDialect  dialect,
                 const char   *content_type)
{
  if (content_type == NULL)
    return TRUE;  /* some servers omit it: let the decoder judge */

  if (g_ascii_strcasecmp (content_type, "text/event-stream") == 0)
    return dialect != CS_API_OLLAMA;

  if (g_ascii_strcasecmp (content_type, "application/x-ndjson") == 0 ||
      g_ascii_strcasecmp (content_type, "application/json") == 0 ||
      g_ascii_strcasecmp (content_type, "application/jsonl") == 0)
    return dialect == CS_API_OLLAMA;

  return FALSE;
}

static void
on_sent (GObject      *object,
         GAsyncResult *result,
         gpointer      data)
{
  g_autoptr(GTask) task = data;
  Request *req = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) stream = NULL;
  SoupMessageHeaders *headers;
  const char *content_type;
  guint status;

  stream = soup_session_send_finish (SOUP_SESSION (object), result, &error);
  if (req->state != REQ_RUNNING)
    return;

  clear_source (&req->connect_timer);

  if (stream == NULL)
    {
      attempt_io_failed (task, g_steal_pointer (&error));
      return;
    }

  req->stream = g_steal_pointer (&stream);
  status = soup_message_get_status (req->msg);
  req->stats.http_status = status;
  headers = soup_message_get_response_headers (req->msg);
  note_rate_limits (req->client, req->msg);

  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      g_debug ("%s: HTTP %u for %s", provider_name (req->client), status, req->url);
      restart_idle_timer (req);
      req->error_body = g_byte_array_new ();
      g_input_stream_read_bytes_async (req->stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                       req->attempt_cancellable, on_error_body_read,
                                       g_object_ref (task));
      return;
    }

  content_type = soup_message_headers_get_content_type (headers, NULL);
  if (!content_type_ok (req->dialect, content_type))
    {
      /* A 200 with a JSON error object (some proxies do that) still says
       * what went wrong; anything else is a protocol error. */
      if (content_type != NULL && g_ascii_strcasecmp (content_type, "application/json") == 0)
        {
          req->error_body = g_byte_array_new ();
          restart_idle_timer (req);
          g_input_stream_read_bytes_async (req->stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                           req->attempt_cancellable, on_error_body_read,
                                           g_object_ref (task));
          return;
        }
      request_complete (task, g_error_new (CS_CLIENT_ERROR, CS_CLIENT_ERROR_PROTOCOL,
                                           "%s answered with %s instead of a stream.",
                                           provider_name (req->client), content_type));
      return;
    }

  req->decoder = cs_stream_decoder_new (req->dialect, on_decoder_event, req);
  read_next (task);
}

static void
start_attempt (GTask *task)
{
  Request *req = g_task_get_task_data (task);
  CsProviderClient *self = req->client;
  SoupMessageHeaders *headers;
  gint64 now = g_get_monotonic_time ();

  g_assert (req->msg == NULL);

  req->state = REQ_RUNNING;
  req->stats.attempts++;
  if (req->first_sent_at == 0)
    req->first_sent_at = now;

  req->msg = soup_message_new (SOUP_METHOD_POST, req->url);
  g_assert (req->msg != NULL);  /* checked in stream_async */
  /* No redirects: the key goes to the configured host only. POST is not
   * idempotent, so libsoup opens a fresh connection for each attempt and
   * never re-sends a request on a stale one (which could bill twice). */
  soup_message_add_flags (req->msg, SOUP_MESSAGE_NO_REDIRECT);
  soup_message_set_request_body_from_bytes (req->msg, "application/json", req->body);
  headers = soup_message_get_request_headers (req->msg);
  soup_message_headers_replace (headers, "Accept",
                                req->dialect == CS_API_OLLAMA ? "application/x-ndjson"
                                                              : "text/event-stream");
  if (self->api_key != NULL && self->api_key[0] != '\0')
    {
      g_autofree char *auth = g_strdup_printf ("Bearer %s", self->api_key);

      soup_message_headers_replace (headers, "Authorization", auth);
    }

  g_signal_connect (req->msg, "network-event", G_CALLBACK (on_network_event), req);
  g_signal_connect (req->msg, "wrote-headers", G_CALLBACK (on_wrote_headers), req);

  req->attempt_cancellable = g_cancellable_new ();
  if (self->provider->connect_timeout_s > 0)
    req->connect_timer = attach_timeout (self->context, self->provider->connect_timeout_s * 1000,
                                         connect_timeout_cb, req);
  if (self->provider->first_byte_timeout_s > 0)
    req->first_byte_timer = attach_timeout (self->context, self->provider->first_byte_timeout_s * 1000,
                                            first_byte_timeout_cb, req);

  g_debug ("%s: attempt %u: POST %s", provider_name (self), req->stats.attempts, req->url);
  soup_session_send_async (self->session, req->msg, G_PRIORITY_DEFAULT,
                           req->attempt_cancellable, on_sent, g_object_ref (task));
}

/* GObject */

static void
cs_provider_client_dispose (GObject *object)
{
  CsProviderClient *self = (CsProviderClient *) object;

  /* Queued tasks hold a reference on us, so nothing is pending here. */
  g_assert (g_queue_is_empty (&self->pending));
  clear_source (&self->pump_source);
  if (self->session != NULL)
    soup_session_abort (self->session);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (cs_provider_client_parent_class)->dispose (object);
}

static void
cs_provider_client_finalize (GObject *object)
{
  CsProviderClient *self = (CsProviderClient *) object;

  g_clear_pointer (&self->provider, cs_provider_config_free);
  if (self->api_key != NULL)
    {
      memset (self->api_key, 0, strlen (self->api_key));
      g_clear_pointer (&self->api_key, g_free);
    }
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (cs_provider_client_parent_class)->finalize (object);
}

static void
cs_provider_client_class_init (CsProviderClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cs_provider_client_dispose;
  object_class->finalize = cs_provider_client_finalize;
}

static void
cs_provider_client_init (CsProviderClient *self)
{
  g_queue_init (&self->pending);
}

/* Public API */

CsProviderClient *
cs_provider_client_new (const CsProviderConfig *provider)
{
  CsProviderClient *self;
  guint conns;
  guint timeout;

  g_return_val_if_fail (provider != NULL, NULL);
  g_return_val_if_fail (provider->base_url != NULL, NULL);

  self = g_object_new (CS_TYPE_PROVIDER_CLIENT, NULL);
  self->provider = cs_provider_config_copy (provider);
  self->context = g_main_context_ref_thread_default ();
  self->tokens = bucket_capacity (self);
  self->tokens_updated = g_get_monotonic_time ();

  /* Our own timers enforce the limits precisely; the session's socket
   * timeout is only a backstop above all of them (0: none). */
  timeout = MAX (provider->connect_timeout_s,
                 MAX (provider->first_byte_timeout_s, provider->idle_timeout_s));
  if (provider->first_byte_timeout_s == 0 || provider->idle_timeout_s == 0)
    timeout = 0;
  else
    timeout += 5;
  conns = MAX (max_concurrent (self) + 2, 4);

  self->session = soup_session_new_with_options ("timeout", timeout,
                                                 "idle-timeout", 60,
                                                 "max-conns", MAX (conns, 10),
                                                 "max-conns-per-host", conns,
                                                 "user-agent", "Consilium/" PACKAGE_VERSION,
                                                 NULL);

  return self;
}

const CsProviderConfig *
cs_provider_client_get_provider (CsProviderClient *self)
{
  g_return_val_if_fail (CS_IS_PROVIDER_CLIENT (self), NULL);

  return self->provider;
}

void
cs_provider_client_set_api_key (CsProviderClient *self,
                                const char       *api_key)
{
  g_return_if_fail (CS_IS_PROVIDER_CLIENT (self));

  if (self->api_key != NULL)
    memset (self->api_key, 0, strlen (self->api_key));
  g_free (self->api_key);
  self->api_key = (api_key != NULL && api_key[0] != '\0') ? g_strdup (api_key) : NULL;
}

static const char *
dialect_path (CsApiDialect dialect)
{
  switch (dialect)
    {
    case CS_API_OPENAI_RESPONSES:
      return "/responses";
    case CS_API_OLLAMA:
      return "/api/chat";
    case CS_API_OPENAI_CHAT:
    default:
      return "/chat/completions";
    }
}

static gboolean
url_is_valid (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);

  return uri != NULL && g_uri_get_host (uri) != NULL && g_uri_get_host (uri)[0] != '\0' &&
         (g_strcmp0 (g_uri_get_scheme (uri), "http") == 0 ||
          g_strcmp0 (g_uri_get_scheme (uri), "https") == 0);
}

/* A provider on the internet gets no request without a key: it could only
 * answer 401, and the person needs to know what to set up instead. */
static gboolean
missing_key (CsProviderClient *self)
{
  return self->api_key == NULL && !self->provider->key_optional;
}

static GError *
missing_key_error (CsProviderClient *self)
{
  if (self->provider->api_key_env != NULL && self->provider->api_key_env[0] != '\0')
    return g_error_new (CS_CLIENT_ERROR, CS_CLIENT_ERROR_AUTH,
                        "No API key for %s: set the environment variable %s or store a key "
                        "in the keyring.", provider_name (self), self->provider->api_key_env);

  return g_error_new (CS_CLIENT_ERROR, CS_CLIENT_ERROR_AUTH,
                      "No API key for %s: store one in the keyring "
                      "(consilium-cli --store-key=%s) or name an environment variable "
                      "with api-key-env.", provider_name (self),
                      self->provider->id != NULL ? self->provider->id : "PROVIDER");
}

void
cs_provider_client_stream_async (CsProviderClient    *self,
                                 const CsChatRequest *request,
                                 CsStreamEventFunc    on_event,
                                 gpointer             event_data,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Request *req;

  g_return_if_fail (CS_IS_PROVIDER_CLIENT (self));
  g_return_if_fail (request != NULL);
  g_return_if_fail (request->model != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cs_provider_client_stream_async);
  g_task_set_check_cancellable (task, FALSE);

  req = g_new0 (Request, 1);
  req->client = self;
  req->task = task;
  req->dialect = self->provider->api;
  req->on_event = on_event;
  req->event_data = event_data;
  req->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  req->url = join_url (self->provider->base_url, dialect_path (req->dialect));
  req->body = build_body (req->dialect, request);
  req->stats.ttft_ms = -1;
  req->state = REQ_QUEUED;
  g_task_set_task_data (task, req, request_free);

  if (!url_is_valid (req->url))
    {
      req->state = REQ_DONE;
      g_task_return_new_error (task, CS_CLIENT_ERROR, CS_CLIENT_ERROR_CONNECT,
                               "The base URL of %s is not a valid http(s) URL.",
                               provider_name (self));
      return;
    }

  if (missing_key (self))
    {
      req->state = REQ_DONE;
      g_task_return_error (task, missing_key_error (self));
      return;
    }

  if (g_cancellable_is_cancelled (cancellable))
    {
      req->state = REQ_DONE;
      g_task_return_error (task, cancelled_error ());
      return;
    }

  if (cancellable != NULL)
    req->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (on_user_cancelled),
                                               task, NULL);

  enqueue (task, FALSE);
  pump (self);
}

gboolean
cs_provider_client_stream_finish (CsProviderClient  *self,
                                  GAsyncResult      *result,
                                  CsChatStats       *stats,
                                  GError           **error)
{
  Request *req;

  g_return_val_if_fail (CS_IS_PROVIDER_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cs_provider_client_stream_async, FALSE);

  req = g_task_get_task_data (G_TASK (result));
  if (stats != NULL)
    *stats = req->stats;

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Listing models */

typedef struct {
  SoupMessage *msg;
  GInputStream *stream;
  GByteArray *body;
  GCancellable *cancellable;   /* internal, chained to the caller's */
  gulong cancelled_id;
  GCancellable *user_cancellable;
  GSource *timer;
  gboolean timed_out;
} ListData;

static void
list_data_free (gpointer data)
{
  ListData *ld = data;

  clear_source (&ld->timer);
  if (ld->user_cancellable != NULL && ld->cancelled_id != 0)
    g_cancellable_disconnect (ld->user_cancellable, ld->cancelled_id);
  g_clear_object (&ld->user_cancellable);
  g_clear_object (&ld->cancellable);
  g_clear_object (&ld->msg);
  g_clear_object (&ld->stream);
  g_clear_pointer (&ld->body, g_byte_array_unref);
  g_free (ld);
}

static gboolean
list_timeout_cb (gpointer data)
{
  ListData *ld = data;

  g_clear_pointer (&ld->timer, g_source_unref);
  ld->timed_out = TRUE;
  g_cancellable_cancel (ld->cancellable);
  return G_SOURCE_REMOVE;
}

static void
list_user_cancelled (GCancellable *cancellable,
                     gpointer      data)
{
  g_cancellable_cancel (G_CANCELLABLE (data));
}

static void
list_return_error (GTask  *task,
                   GError *error)
{
  CsProviderClient *self = g_task_get_source_object (task);
  ListData *ld = g_task_get_task_data (task);

  clear_source (&ld->timer);
  if (ld->timed_out && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_error_free (error);
      error = g_error_new (CS_CLIENT_ERROR, CS_CLIENT_ERROR_TIMEOUT,
                           "%s did not list its models in time.", provider_name (self));
    }
  g_task_return_error (task, error);
}

static GStrv
parse_models (CsApiDialect  dialect,
              const char   *data,
              gsize         len,
              GError      **error)
{
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  JsonNode *list;
  JsonArray *array;
  const char *list_key = dialect == CS_API_OLLAMA ? "models" : "data";
  const char *name_key = dialect == CS_API_OLLAMA ? "name" : "id";

  root = cs_json_parse_bounded (data, (gssize) len, 0, NULL);
  if (root == NULL ||
      !JSON_NODE_HOLDS_OBJECT (root) ||
      (list = json_object_get_member (json_node_get_object (root), list_key)) == NULL ||
      !JSON_NODE_HOLDS_ARRAY (list))
    {
      g_set_error (error, CS_CLIENT_ERROR, CS_CLIENT_ERROR_PROTOCOL,
                   "The model list is not the expected JSON (an object with \"%s\": [])",
                   list_key);
      return NULL;
    }

  array = json_node_get_array (list);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      JsonNode *name;

      if (!JSON_NODE_HOLDS_OBJECT (item))
        continue;
      name = json_object_get_member (json_node_get_object (item), name_key);
      if (name == NULL && dialect == CS_API_OLLAMA)
        name = json_object_get_member (json_node_get_object (item), "model");
      if (name != NULL && JSON_NODE_HOLDS_VALUE (name) &&
          json_node_get_value_type (name) == G_TYPE_STRING &&
          g_utf8_validate (json_node_get_string (name), -1, NULL))
        g_strv_builder_add (names, json_node_get_string (name));
    }

  return g_strv_builder_end (names);
}

static void
list_read_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      data)
{
  g_autoptr(GTask) task = data;
  CsProviderClient *self = g_task_get_source_object (task);
  ListData *ld = g_task_get_task_data (task);
  g_autoptr(GBytes) bytes = NULL;
  GError *error = NULL;
  guint status;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, &error);
  if (bytes == NULL)
    {
      list_return_error (task, error);
      return;
    }

  if (g_bytes_get_size (bytes) > 0)
    {
      if (ld->body->len + g_bytes_get_size (bytes) > MAX_MODELS_BODY)
        {
          list_return_error (task, g_error_new (CS_CLIENT_ERROR, CS_CLIENT_ERROR_TOO_LARGE,
                                                "The model list of %s is too large.",
                                                provider_name (self)));
          return;
        }
      g_byte_array_append (ld->body, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
      g_input_stream_read_bytes_async (ld->stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                       ld->cancellable, list_read_cb, g_object_ref (task));
      return;
    }

  clear_source (&ld->timer);
  status = soup_message_get_status (ld->msg);
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      g_autofree char *message = NULL;
      g_autofree char *type = NULL;
      g_autofree char *code = NULL;
      Request fake = { 0, };

      parse_error_body ((const char *) ld->body->data, ld->body->len,
                        soup_message_headers_get_content_type (soup_message_get_response_headers (ld->msg), NULL),
                        &message, &type, &code);
      fake.client = self;
      fake.stats.attempts = 1;
      g_task_return_error (task, http_error (&fake, status, message, type, code, 0));
      return;
    }

  {
    GStrv names = parse_models (self->provider->api, (const char *) ld->body->data,
                                ld->body->len, &error);

    if (names == NULL)
      g_task_return_error (task, error);
    else
      g_task_return_pointer (task, names, (GDestroyNotify) g_strfreev);
  }
}

static void
list_sent_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      data)
{
  g_autoptr(GTask) task = data;
  CsProviderClient *self = g_task_get_source_object (task);
  ListData *ld = g_task_get_task_data (task);
  GError *error = NULL;

  ld->stream = soup_session_send_finish (SOUP_SESSION (object), result, &error);
  if (ld->stream == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          Request fake = { 0, };
          GError *mapped;

          fake.client = self;
          fake.url = (char *) g_uri_to_string (soup_message_get_uri (ld->msg));
          mapped = connect_error (&fake, error);
          g_free (fake.url);
          g_error_free (error);
          error = mapped;
        }
      list_return_error (task, error);
      return;
    }

  ld->body = g_byte_array_new ();
  g_input_stream_read_bytes_async (ld->stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   ld->cancellable, list_read_cb, g_object_ref (task));
}

void
cs_provider_client_list_models_async (CsProviderClient    *self,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *url = NULL;
  ListData *ld;
  guint timeout_s;

  g_return_if_fail (CS_IS_PROVIDER_CLIENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cs_provider_client_list_models_async);

  url = join_url (self->provider->base_url,
                  self->provider->api == CS_API_OLLAMA ? "/api/tags" : "/models");
  if (!url_is_valid (url))
    {
      g_task_return_new_error (task, CS_CLIENT_ERROR, CS_CLIENT_ERROR_CONNECT,
                               "The base URL of %s is not a valid http(s) URL.",
                               provider_name (self));
      return;
    }

  if (missing_key (self))
    {
      g_task_return_error (task, missing_key_error (self));
      return;
    }

  ld = g_new0 (ListData, 1);
  g_task_set_task_data (task, ld, list_data_free);
  ld->cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    {
      ld->user_cancellable = g_object_ref (cancellable);
      ld->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (list_user_cancelled),
                                                ld->cancellable, NULL);
    }

  ld->msg = soup_message_new (SOUP_METHOD_GET, url);
  soup_message_add_flags (ld->msg, SOUP_MESSAGE_NO_REDIRECT);
  soup_message_headers_replace (soup_message_get_request_headers (ld->msg),
                                "Accept", "application/json");
  if (self->api_key != NULL)
    {
      g_autofree char *auth = g_strdup_printf ("Bearer %s", self->api_key);

      soup_message_headers_replace (soup_message_get_request_headers (ld->msg),
                                    "Authorization", auth);
    }

  timeout_s = MAX (self->provider->connect_timeout_s, 30);
  ld->timer = attach_timeout (self->context, timeout_s * 1000, list_timeout_cb, ld);

  soup_session_send_async (self->session, ld->msg, G_PRIORITY_DEFAULT, ld->cancellable,
                           list_sent_cb, g_object_ref (task));
}

GStrv
cs_provider_client_list_models_finish (CsProviderClient  *self,
                                       GAsyncResult      *result,
                                       GError           **error)
{
  g_return_val_if_fail (CS_IS_PROVIDER_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
