/* test-decoder.c: provider stream bytes → typed events, for every dialect
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib.h>

#include "cs-stream-decoder.h"

#define MAX_CHOICES 4
#define MALFORMED "The provider sent a malformed chunk"

typedef struct {
  GString   *log;                    /* every event, in order, as text */
  GString   *text[MAX_CHOICES];
  GString   *reasoning[MAX_CHOICES];
  GString   *refusal[MAX_CHOICES];
  char      *finish[MAX_CHOICES];
  char      *finish_code;
  GPtrArray *errors;                 /* "message|code" */
  guint      n_usage;
  gint64     input_tokens;
  gint64     output_tokens;
  gint64     reasoning_tokens;
  guint      n_done;
  gboolean   finished;
  gsize      bytes;
} Collect;

static const char *
event_type_name (CsStreamEventType type)
{
  switch (type)
    {
    case CS_STREAM_EVENT_TEXT: return "TEXT";
    case CS_STREAM_EVENT_REASONING: return "REASONING";
    case CS_STREAM_EVENT_REFUSAL: return "REFUSAL";
    case CS_STREAM_EVENT_FINISH: return "FINISH";
    case CS_STREAM_EVENT_USAGE: return "USAGE";
    case CS_STREAM_EVENT_ERROR: return "ERROR";
    case CS_STREAM_EVENT_DONE: return "DONE";
    default: g_assert_not_reached ();
    }
}

static Collect *
collect_new (void)
{
  Collect *c = g_new0 (Collect, 1);
  guint i;

  c->log = g_string_new (NULL);
  for (i = 0; i < MAX_CHOICES; i++)
    {
      c->text[i] = g_string_new (NULL);
      c->reasoning[i] = g_string_new (NULL);
      c->refusal[i] = g_string_new (NULL);
    }
  c->errors = g_ptr_array_new_with_free_func (g_free);
  c->input_tokens = c->output_tokens = c->reasoning_tokens = -2;

  return c;
}

static void
collect_free (Collect *c)
{
  guint i;

  g_string_free (c->log, TRUE);
  for (i = 0; i < MAX_CHOICES; i++)
    {
      g_string_free (c->text[i], TRUE);
      g_string_free (c->reasoning[i], TRUE);
      g_string_free (c->refusal[i], TRUE);
      g_free (c->finish[i]);
    }
  g_free (c->finish_code);
  g_ptr_array_unref (c->errors);
  g_free (c);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Collect, collect_free)

static void
collect_event (const CsStreamEvent *event,
               gpointer             user_data)
{
  Collect *c = user_data;

  /* The contract: text is never NULL, NUL-terminated at len, valid UTF-8. */
  g_assert_nonnull (event->text);
  g_assert_cmpuint (strlen (event->text), ==, event->len);
  g_assert_true (g_utf8_validate (event->text, event->len, NULL));
  g_assert_true (event->code == NULL || g_utf8_validate (event->code, -1, NULL));
  g_assert_cmpuint (event->choice, <, MAX_CHOICES);

  g_string_append_printf (c->log, "%s %u %s|%s|%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT
                          "/%" G_GINT64_FORMAT "\n",
                          event_type_name (event->type), event->choice, event->text,
                          event->code ? event->code : "(null)",
                          event->input_tokens, event->output_tokens, event->reasoning_tokens);

  /* Nothing follows the terminator. */
  g_assert_cmpuint (c->n_done, ==, 0);

  switch (event->type)
    {
    case CS_STREAM_EVENT_TEXT:
      g_assert_cmpuint (event->len, >, 0);
      g_string_append_len (c->text[event->choice], event->text, event->len);
      break;
    case CS_STREAM_EVENT_REASONING:
      g_assert_cmpuint (event->len, >, 0);
      g_string_append_len (c->reasoning[event->choice], event->text, event->len);
      break;
    case CS_STREAM_EVENT_REFUSAL:
      g_assert_cmpuint (event->len, >, 0);
      g_string_append_len (c->refusal[event->choice], event->text, event->len);
      break;
    case CS_STREAM_EVENT_FINISH:
      g_assert_null (c->finish[event->choice]);
      c->finish[event->choice] = g_strdup (event->text);
      g_free (c->finish_code);
      c->finish_code = g_strdup (event->code);
      break;
    case CS_STREAM_EVENT_USAGE:
      c->n_usage++;
      c->input_tokens = event->input_tokens;
      c->output_tokens = event->output_tokens;
      c->reasoning_tokens = event->reasoning_tokens;
      break;
    case CS_STREAM_EVENT_ERROR:
      g_assert_cmpuint (event->len, >, 0);
      g_ptr_array_add (c->errors, g_strdup_printf ("%s|%s", event->text,
                                                   event->code ? event->code : "(null)"));
      break;
    case CS_STREAM_EVENT_DONE:
      c->n_done++;
      break;
    default:
      g_assert_not_reached ();
    }

  if (event->type != CS_STREAM_EVENT_USAGE)
    {
      g_assert_cmpint (event->input_tokens, ==, -1);
      g_assert_cmpint (event->output_tokens, ==, -1);
      g_assert_cmpint (event->reasoning_tokens, ==, -1);
    }
}

/* Decodes @data fed in pieces of @piece bytes (0: all at once; G_MAXSIZE:
 * random pieces of 0 to 63 bytes). */
static Collect *
decode (CsApiDialect  dialect,
        const char   *data,
        gssize        len,
        gsize         piece)
{
  Collect *c = collect_new ();
  g_autoptr(CsStreamDecoder) decoder = cs_stream_decoder_new (dialect, collect_event, c);
  gsize off = 0;

  if (len < 0)
    len = strlen (data);

  while (off < (gsize) len)
    {
      gsize n;

      if (piece == G_MAXSIZE)
        n = g_test_rand_int_range (0, 64);
      else if (piece == 0)
        n = len;
      else
        n = piece;
      n = MIN (n, len - off);

      cs_stream_decoder_feed (decoder, data + off, n);
      off += n;
    }

  c->finished = cs_stream_decoder_finish (decoder);
  c->bytes = cs_stream_decoder_get_bytes (decoder);
  g_assert_cmpuint (c->bytes, ==, len);

  return c;
}

static GBytes *
load_stream (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "streams", name, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);

  return g_bytes_new_take (contents, len);
}

static CsApiDialect
dialect_for (const char *name)
{
  if (g_str_has_suffix (name, ".ndjson"))
    return CS_API_OLLAMA;
  if (g_str_has_prefix (name, "responses-"))
    return CS_API_OPENAI_RESPONSES;
  return CS_API_OPENAI_CHAT;
}

/* Decodes a recorded stream whole, byte by byte and in random pieces, checks
 * that all three agree, and returns the whole-feed result. */
static Collect *
decode_recorded (const char *name)
{
  g_autoptr(GBytes) bytes = load_stream (name);
  CsApiDialect dialect = dialect_for (name);
  const char *data;
  gsize len;
  Collect *whole;
  guint round;

  data = g_bytes_get_data (bytes, &len);
  whole = decode (dialect, data, len, 0);
  g_test_message ("%s:\n%s", name, whole->log->str);

  for (round = 0; round < 6; round++)
    {
      g_autoptr(Collect) other = decode (dialect, data, len, round == 0 ? 1 : G_MAXSIZE);

      g_assert_cmpstr (other->log->str, ==, whole->log->str);
      g_assert_cmpint (other->finished, ==, whole->finished);
    }

  return whole;
}

static void
assert_error (Collect    *c,
              guint       i,
              const char *expected)
{
  g_assert_cmpuint (c->errors->len, >, i);
  g_assert_cmpstr (g_ptr_array_index (c->errors, i), ==, expected);
}

/* Chat Completions */

static void
test_chat_basic (void)
{
  static const char *variants[] = {
    "openai-chat-crlf.sse", "openai-chat-cr.sse", "openai-chat-bom.sse",
  };
  g_autoptr(Collect) c = decode_recorded ("openai-chat-basic.sse");
  guint i;

  g_assert_cmpstr (c->text[0]->str, ==,
                   "The answer: use a queue — résumé 日本語 🚀 line\u2028sep done.");
  g_assert_cmpstr (c->reasoning[0]->str, ==, "");
  g_assert_cmpstr (c->refusal[0]->str, ==, "");
  g_assert_cmpstr (c->finish[0], ==, "stop");
  g_assert_null (c->finish[1]);
  /* usage: null in every chunk is ignored; the usage chunk counts once. */
  g_assert_cmpuint (c->n_usage, ==, 1);
  g_assert_cmpint (c->input_tokens, ==, 42);
  g_assert_cmpint (c->output_tokens, ==, 17);
  g_assert_cmpint (c->reasoning_tokens, ==, 5);
  g_assert_cmpuint (c->errors->len, ==, 0);
  g_assert_cmpuint (c->n_done, ==, 1);
  g_assert_true (c->finished);
  g_assert_true (g_str_has_suffix (c->log->str, "DONE 0 |(null)|-1/-1/-1\n"));

  /* CRLF, CR and a BOM change nothing. */
  for (i = 0; i < G_N_ELEMENTS (variants); i++)
    {
      g_autoptr(Collect) v = decode_recorded (variants[i]);

      g_assert_cmpstr (v->log->str, ==, c->log->str);
    }
}

static void
test_chat_n2 (void)
{
  g_autoptr(Collect) c = decode_recorded ("openai-chat-n2.sse");

  /* Keyed by index: each chunk holds one choice at array position 0. */
  g_assert_cmpstr (c->text[0]->str, ==, "Alpha one");
  g_assert_cmpstr (c->text[1]->str, ==, "Beta two");
  g_assert_cmpstr (c->finish[0], ==, "stop");
  g_assert_cmpstr (c->finish[1], ==, "length");
  g_assert_cmpuint (c->n_usage, ==, 1);
  g_assert_cmpint (c->input_tokens, ==, 30);
  g_assert_cmpint (c->output_tokens, ==, 12);
  g_assert_cmpint (c->reasoning_tokens, ==, -1);
  g_assert_true (c->finished);
}

static void
test_chat_refusal (void)
{
  g_autoptr(Collect) c = decode_recorded ("openai-chat-refusal.sse");

  g_assert_cmpstr (c->refusal[0]->str, ==, "I'm sorry, I can't help with that.");
  g_assert_cmpstr (c->text[0]->str, ==, "");
  g_assert_cmpstr (c->finish[0], ==, "stop");
  g_assert_cmpuint (c->errors->len, ==, 0);
  g_assert_true (c->finished);
}

static void
test_chat_reasoning (void)
{
  g_autoptr(Collect) deepseek = decode_recorded ("deepseek-reasoning.sse");
  g_autoptr(Collect) ollama = decode_recorded ("ollama-v1-reasoning.sse");
  g_autoptr(Collect) openrouter = decode_recorded ("openrouter-reasoning.sse");
  g_autoptr(Collect) both = NULL;

  /* delta.reasoning_content (DeepSeek, Kimi), keep-alive comments. */
  g_assert_cmpstr (deepseek->reasoning[0]->str, ==, "Consider the load first.");
  g_assert_cmpstr (deepseek->text[0]->str, ==, "Use Postgres.");
  g_assert_cmpint (deepseek->input_tokens, ==, 11);
  g_assert_cmpint (deepseek->output_tokens, ==, 20);
  g_assert_cmpint (deepseek->reasoning_tokens, ==, 9);
  g_assert_true (deepseek->finished);
  /* Reasoning comes before the answer in the event order. */
  g_assert_true (g_str_has_prefix (deepseek->log->str, "REASONING 0 Consider the|"));

  /* delta.reasoning (Ollama /v1, vLLM, OpenRouter). */
  g_assert_cmpstr (ollama->reasoning[0]->str, ==, "Thinking hard.");
  g_assert_cmpstr (ollama->text[0]->str, ==, "Hello");
  g_assert_cmpuint (ollama->n_usage, ==, 0);
  g_assert_true (ollama->finished);

  g_assert_cmpstr (openrouter->reasoning[0]->str, ==, "Hmm.");
  g_assert_cmpstr (openrouter->text[0]->str, ==, "OK");
  g_assert_cmpint (openrouter->input_tokens, ==, 8);
  g_assert_cmpint (openrouter->output_tokens, ==, 4);
  g_assert_cmpint (openrouter->reasoning_tokens, ==, 2);
  g_assert_true (openrouter->finished);

  /* When a server sends both, reasoning_content wins: no doubled text. */
  both = decode (CS_API_OPENAI_CHAT,
                 "data: {\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"A\",\"reasoning\":\"A\"}}]}\n\n"
                 "data: {\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":null,\"reasoning\":\"B\"}}]}\n\n"
                 "data: [DONE]\n\n", -1, 0);
  g_assert_cmpstr (both->reasoning[0]->str, ==, "AB");
}

static void
test_chat_kimi_usage (void)
{
  g_autoptr(Collect) c = decode_recorded ("kimi-usage.sse");

  g_assert_cmpstr (c->text[0]->str, ==, "你好，世界");
  g_assert_cmpstr (c->finish[0], ==, "stop");
  g_assert_cmpuint (c->n_usage, ==, 1);
  g_assert_cmpint (c->input_tokens, ==, 19);
  g_assert_cmpint (c->output_tokens, ==, 13);
  g_assert_cmpint (c->reasoning_tokens, ==, -1);
  g_assert_true (c->finished);
}

static void
test_chat_openrouter_error (void)
{
  g_autoptr(Collect) numeric = decode_recorded ("openrouter-error-numeric.sse");
  g_autoptr(Collect) string = decode_recorded ("openrouter-error-string.sse");

  /* The comments are ignored; the error chunk fails the stream. */
  g_assert_cmpstr (numeric->text[0]->str, ==, "Partial answer");
  g_assert_cmpuint (numeric->errors->len, ==, 1);
  assert_error (numeric, 0, "Provider returned error|502");
  g_assert_cmpstr (numeric->finish[0], ==, "error");
  g_assert_false (numeric->finished);
  /* The error comes before the finish of the same chunk. */
  g_assert_nonnull (strstr (numeric->log->str, "ERROR 0 Provider returned error|502|-1/-1/-1\n"
                                               "FINISH 0 error|"));

  g_assert_cmpuint (string->errors->len, ==, 1);
  assert_error (string, 0, "Upstream overloaded|server_error");
  g_assert_cmpstr (string->text[0]->str, ==, "");
  g_assert_false (string->finished);
}

static void
test_chat_error_eof (void)
{
  g_autoptr(Collect) c = decode_recorded ("openai-chat-error-eof.sse");

  g_assert_cmpstr (c->text[0]->str, ==, "Start");
  g_assert_cmpuint (c->errors->len, ==, 1);
  /* code is null: the type stands in for it. */
  assert_error (c, 0, "The server had an error while processing your request. "
                      "Sorry about that!|server_error");
  g_assert_null (c->finish[0]);
  g_assert_cmpuint (c->n_done, ==, 0);
  g_assert_false (c->finished);
}

static void
test_chat_event_error (void)
{
  g_autoptr(Collect) c = decode_recorded ("openai-chat-event-error.sse");
  g_autoptr(Collect) plain = NULL;

  /* The empty ping is ignored, event: error is an error. */
  g_assert_cmpstr (c->text[0]->str, ==, "Hi");
  g_assert_cmpuint (c->errors->len, ==, 1);
  assert_error (c, 0, "Rate limit reached|rate_limit_exceeded");
  g_assert_false (c->finished);

  /* Flat error objects and plain text work too. */
  plain = decode (CS_API_OPENAI_CHAT,
                  "event: error\ndata: {\"message\":\"flat\",\"code\":429}\n\n"
                  "event: error\ndata: upstream went away\n\n"
                  "event: error\ndata: \"quoted\"\n\n", -1, 0);
  g_assert_cmpuint (plain->errors->len, ==, 3);
  assert_error (plain, 0, "flat|429");
  assert_error (plain, 1, "upstream went away|(null)");
  assert_error (plain, 2, "quoted|(null)");
}

static void
test_chat_truncated (void)
{
  g_autoptr(Collect) c = decode_recorded ("openai-chat-truncated.sse");

  /* The stream stops mid-chunk: what arrived is kept, but it is not a
   * proper end. */
  g_assert_cmpstr (c->text[0]->str, ==, "Cut");
  g_assert_null (c->finish[0]);
  g_assert_cmpuint (c->errors->len, ==, 0);
  g_assert_cmpuint (c->n_done, ==, 0);
  g_assert_false (c->finished);
}

static void
test_chat_malformed (void)
{
  g_autoptr(Collect) c = NULL;
  g_autoptr(Collect) types = NULL;

  /* Not JSON, not an object, truncated JSON: an error each, and decoding
   * goes on. */
  c = decode (CS_API_OPENAI_CHAT,
              "data: {not json\n\n"
              "data: [1,2]\n\n"
              "data: 42\n\n"
              "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"o\n\n"
              "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ok\"}}]}\n\n"
              "data:   [DONE]  \n\n", -1, 0);
  g_assert_cmpuint (c->errors->len, ==, 4);
  assert_error (c, 0, MALFORMED "|malformed-chunk");
  assert_error (c, 3, MALFORMED "|malformed-chunk");
  g_assert_cmpstr (c->text[0]->str, ==, "ok");
  g_assert_true (c->finished);

  /* Members of the wrong type are ignored, never trusted. */
  types = decode (CS_API_OPENAI_CHAT,
                  "data: {\"choices\":{\"index\":0}}\n\n"
                  "data: {\"choices\":[null,1,\"x\",[],{\"delta\":\"str\"}]}\n\n"
                  "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":123,\"refusal\":{},\"reasoning\":[]}}]}\n\n"
                  "data: {\"choices\":[{\"index\":\"1\",\"delta\":{\"content\":\"by position\"}}]}\n\n"
                  "data: {\"choices\":[{\"index\":-3,\"delta\":{\"content\":\"!\"},\"finish_reason\":7}]}\n\n"
                  "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":\"9\",\"completion_tokens\":2.0,"
                  "\"completion_tokens_details\":null}}\n\n"
                  "data: {\"error\":null,\"usage\":null,\"choices\":null}\n\n"
                  "data: {\"error\":42}\n\n"
                  "data: [DONE]\n\n", -1, 0);
  g_assert_cmpstr (types->text[0]->str, ==, "by position!");
  g_assert_null (types->finish[0]);
  g_assert_cmpuint (types->n_usage, ==, 1);
  g_assert_cmpint (types->input_tokens, ==, -1);
  g_assert_cmpint (types->output_tokens, ==, 2);
  g_assert_cmpint (types->reasoning_tokens, ==, -1);
  g_assert_cmpuint (types->errors->len, ==, 1);
  assert_error (types, 0, "The provider reported an error|(null)");
  g_assert_true (types->finished);
}

static void
test_chat_bad_utf8 (void)
{
  /* Raw invalid bytes in a JSON string, a lone surrogate escape and a
   * split-across-feeds multi-byte character all come out valid. */
  static const char input[] =
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\xff" "b\xc3\"}}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\\ud800x\"}}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\xe2\x82\xac\"}}]}\n\n"
    "data: [DONE]\n\n";
  g_autoptr(Collect) whole = decode (CS_API_OPENAI_CHAT, input, -1, 0);
  g_autoptr(Collect) bytewise = decode (CS_API_OPENAI_CHAT, input, -1, 1);

  g_assert_cmpstr (whole->log->str, ==, bytewise->log->str);
  g_assert_true (g_str_has_prefix (whole->text[0]->str, "a\xef\xbf\xbd" "b\xef\xbf\xbd"));
  /* json-glib 1.6 turns a lone surrogate into CESU-8 bytes (and drops what
   * follows it in the string): those never reach the events. */
  g_assert_null (strchr (whole->text[0]->str, '\xed'));
  g_assert_true (g_str_has_suffix (whole->text[0]->str, "\xe2\x82\xac"));
  g_assert_true (whole->finished);
}

static void
test_chat_deep_nesting (void)
{
  g_autoptr(GString) input = g_string_new ("data: ");
  g_autoptr(Collect) c = NULL;
  guint i;

  /* Hostile nesting is refused without recursing into it. */
  for (i = 0; i < 200000; i++)
    g_string_append_c (input, '[');
  g_string_append (input, "\n\n");
  g_string_append (input, "data: {\"x\":{\"y\":[[[\"[[[[[[[[[[\\\"\"]]]},"
                          "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"fine\"}}]}\n\n"
                          "data: [DONE]\n\n");

  c = decode (CS_API_OPENAI_CHAT, input->str, input->len, 0);
  g_assert_cmpuint (c->errors->len, ==, 1);
  assert_error (c, 0, MALFORMED "|malformed-chunk");
  /* Brackets inside strings (with escaped quotes) do not count. */
  g_assert_cmpstr (c->text[0]->str, ==, "fine");
  g_assert_true (c->finished);
}

static void
test_chat_two_values (void)
{
  g_autoptr(Collect) c = NULL;

  /* An event whose data holds two JSON values (json-glib 1.6 would keep
   * the last and leak the first) is one malformed chunk, not the second
   * value; the stream goes on. */
  c = decode (CS_API_OPENAI_CHAT,
              "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lost\"}}]}\n"
              "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"also lost\"}}]}\n\n"
              "data: {\"a\":1} {\"b\":2}\n\n"
              "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"kept\"}}]}\n\n"
              "data: [DONE]\n\n", -1, 0);
  g_assert_cmpuint (c->errors->len, ==, 2);
  assert_error (c, 0, MALFORMED "|malformed-chunk");
  assert_error (c, 1, MALFORMED "|malformed-chunk");
  g_assert_cmpstr (c->text[0]->str, ==, "kept");
  g_assert_true (c->finished);
}

static void
test_chat_after_done (void)
{
  g_autoptr(Collect) c = NULL;

  /* collect_event asserts that nothing follows DONE. */
  c = decode (CS_API_OPENAI_CHAT,
              "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"},\"finish_reason\":\"stop\"}]}\n\n"
              "data: [DONE]\n\n"
              "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"b\"}}]}\n\n"
              "data: [DONE]\n\n"
              "data: not json\n\n", -1, 0);
  g_assert_cmpstr (c->text[0]->str, ==, "a");
  g_assert_cmpuint (c->n_done, ==, 1);
  g_assert_cmpuint (c->errors->len, ==, 0);
  g_assert_true (c->finished);
}

static void
test_chat_empty (void)
{
  g_autoptr(Collect) empty = decode (CS_API_OPENAI_CHAT, "", 0, 0);
  g_autoptr(Collect) comments = decode (CS_API_OPENAI_CHAT,
                                        ": OPENROUTER PROCESSING\n\ndata:\n\n"
                                        "event: ping\ndata: \n\ndata:  \n\n", -1, 0);

  g_assert_false (empty->finished);
  g_assert_cmpstr (empty->log->str, ==, "");
  /* Comments, empty data and pings produce nothing, not even an error. */
  g_assert_cmpstr (comments->log->str, ==, "");
  g_assert_false (comments->finished);
}

/* Responses */

static void
test_responses_completed (void)
{
  g_autoptr(Collect) c = decode_recorded ("responses-completed.sse");

  g_assert_cmpstr (c->reasoning[0]->str, ==, "**Weighing** options");
  g_assert_cmpstr (c->text[0]->str, ==, "Use Kafka — ça marche.");
  g_assert_cmpstr (c->finish[0], ==, "stop");
  g_assert_cmpuint (c->n_usage, ==, 1);
  g_assert_cmpint (c->input_tokens, ==, 36);
  g_assert_cmpint (c->output_tokens, ==, 87);
  g_assert_cmpint (c->reasoning_tokens, ==, 64);
  g_assert_cmpuint (c->errors->len, ==, 0);
  g_assert_cmpuint (c->n_done, ==, 1);
  g_assert_true (c->finished);
  /* Usage, then finish, then done. */
  g_assert_true (g_str_has_suffix (c->log->str,
                                   "USAGE 0 |(null)|36/87/64\n"
                                   "FINISH 0 stop|(null)|-1/-1/-1\n"
                                   "DONE 0 |(null)|-1/-1/-1\n"));
}

static void
test_responses_summary_parts (void)
{
  g_autoptr(Collect) c = decode_recorded ("responses-summary-parts.sse");

  /* Each part of the summary is its own paragraph, not run into the last. */
  g_assert_cmpstr (c->reasoning[0]->str, ==,
                   "**Reading the load**\n\nPeaks are short.\n\n**Choosing a queue**\n\nA log fits.");
  g_assert_cmpstr (c->text[0]->str, ==, "Use Kafka.");
  g_assert_cmpint (c->reasoning_tokens, ==, 96);
  g_assert_true (c->finished);
}

static void
test_responses_incomplete (void)
{
  g_autoptr(Collect) c = decode_recorded ("responses-incomplete.sse");

  g_assert_cmpstr (c->text[0]->str, ==, "Use Kafka — ça marche.");
  g_assert_cmpstr (c->finish[0], ==, "length");
  g_assert_cmpstr (c->finish_code, ==, "max_output_tokens");
  g_assert_cmpint (c->input_tokens, ==, 36);
  g_assert_cmpint (c->output_tokens, ==, 16);
  g_assert_cmpint (c->reasoning_tokens, ==, 0);
  g_assert_cmpuint (c->n_done, ==, 1);
  g_assert_true (c->finished);
}

static void
test_responses_failed (void)
{
  g_autoptr(Collect) failed = decode_recorded ("responses-failed.sse");
  g_autoptr(Collect) error = decode_recorded ("responses-error.sse");

  g_assert_cmpstr (failed->text[0]->str, ==, "Use Kafka — ça marche.");
  g_assert_cmpuint (failed->errors->len, ==, 1);
  assert_error (failed, 0, "The model failed to generate a response.|server_error");
  g_assert_null (failed->finish[0]);
  g_assert_cmpuint (failed->n_done, ==, 0);
  g_assert_false (failed->finished);

  g_assert_cmpuint (error->errors->len, ==, 1);
  assert_error (error, 0, "Something went wrong|ERR_SOMETHING");
  g_assert_false (error->finished);
}

static void
test_responses_type_in_json (void)
{
  g_autoptr(Collect) c = decode_recorded ("responses-refusal-no-event.sse");

  /* No event: lines: the type comes from the JSON. */
  g_assert_cmpstr (c->refusal[0]->str, ==, "I can't do that.");
  g_assert_cmpstr (c->text[0]->str, ==, "");
  g_assert_cmpint (c->input_tokens, ==, 5);
  g_assert_cmpint (c->output_tokens, ==, 4);
  g_assert_cmpint (c->reasoning_tokens, ==, -1);
  g_assert_true (c->finished);
}

static void
test_responses_truncated (void)
{
  g_autoptr(GBytes) bytes = load_stream ("responses-completed.sse");
  const char *data;
  gsize len;
  const char *last;
  g_autoptr(Collect) c = NULL;

  /* Cut the recording just before response.completed. */
  data = g_bytes_get_data (bytes, &len);
  last = g_strrstr_len (data, len, "event: response.completed");
  g_assert_nonnull (last);

  c = decode (CS_API_OPENAI_RESPONSES, data, last - data, 0);
  g_assert_cmpstr (c->text[0]->str, ==, "Use Kafka — ça marche.");
  g_assert_null (c->finish[0]);
  g_assert_cmpuint (c->n_usage, ==, 0);
  g_assert_false (c->finished);
}

/* Ollama */

static void
test_ollama_done (void)
{
  static const char *variants[] = {
    "ollama-chat-crlf.ndjson", "ollama-chat-no-final-newline.ndjson",
  };
  g_autoptr(Collect) c = decode_recorded ("ollama-chat.ndjson");
  guint i;

  g_assert_cmpstr (c->reasoning[0]->str, ==, "Let me think.");
  g_assert_cmpstr (c->text[0]->str, ==, "Grüß dich 👋");
  g_assert_cmpstr (c->finish[0], ==, "stop");
  g_assert_cmpuint (c->n_usage, ==, 1);
  g_assert_cmpint (c->input_tokens, ==, 26);
  g_assert_cmpint (c->output_tokens, ==, 282);
  g_assert_cmpint (c->reasoning_tokens, ==, -1);
  g_assert_cmpuint (c->n_done, ==, 1);
  g_assert_true (c->finished);

  /* CRLF and a missing final newline change nothing. */
  for (i = 0; i < G_N_ELEMENTS (variants); i++)
    {
      g_autoptr(Collect) v = decode_recorded (variants[i]);

      g_assert_cmpstr (v->log->str, ==, c->log->str);
      g_assert_true (v->finished);
    }
}

static void
test_ollama_length (void)
{
  g_autoptr(Collect) c = decode_recorded ("ollama-length.ndjson");
  g_autoptr(Collect) no_reason = NULL;

  g_assert_cmpstr (c->text[0]->str, ==, "Partial");
  g_assert_cmpstr (c->finish[0], ==, "length");
  g_assert_cmpint (c->input_tokens, ==, 10);
  g_assert_cmpint (c->output_tokens, ==, 2);
  g_assert_true (c->finished);

  /* Without done_reason, done means "stop"; done:false is not done. */
  no_reason = decode (CS_API_OLLAMA,
                      "{\"message\":{\"content\":\"x\"},\"done\":false}\n"
                      "{\"done\":\"true\"}\n"
                      "{\"done\":true}", -1, 0);
  g_assert_cmpstr (no_reason->finish[0], ==, "stop");
  g_assert_cmpint (no_reason->input_tokens, ==, -1);
  g_assert_cmpint (no_reason->output_tokens, ==, -1);
  g_assert_true (no_reason->finished);
}

static void
test_ollama_error (void)
{
  g_autoptr(Collect) c = decode_recorded ("ollama-error.ndjson");
  g_autoptr(Collect) truncated = decode_recorded ("ollama-truncated.ndjson");
  g_autoptr(Collect) garbage = NULL;

  g_assert_cmpstr (c->text[0]->str, ==, "Hi");
  g_assert_cmpuint (c->errors->len, ==, 1);
  assert_error (c, 0, "model runner has unexpectedly stopped, this may be due to "
                      "resource limitations or an internal error|(null)");
  g_assert_false (c->finished);

  g_assert_cmpstr (truncated->text[0]->str, ==, "Hi");
  g_assert_cmpuint (truncated->errors->len, ==, 0);
  g_assert_false (truncated->finished);

  /* A garbage line is an error; the stream goes on. */
  garbage = decode (CS_API_OLLAMA,
                    "<html>502 Bad Gateway</html>\n"
                    "{\"message\":{\"content\":\"ok\"},\"done\":true,\"eval_count\":1}\n", -1, 0);
  g_assert_cmpuint (garbage->errors->len, ==, 1);
  assert_error (garbage, 0, MALFORMED "|malformed-chunk");
  g_assert_cmpstr (garbage->text[0]->str, ==, "ok");
  g_assert_true (garbage->finished);
}

/* All dialects */

/* Every recorded stream gives the same events whole, byte by byte, in
 * random pieces and split in two at every point. */
static void
test_recorded_splits (void)
{
  g_autofree char *dir = g_test_build_filename (G_TEST_DIST, "data", "streams", NULL);
  g_autoptr(GDir) gdir = NULL;
  g_autoptr(GError) error = NULL;
  const char *name;
  guint n_files = 0;

  gdir = g_dir_open (dir, 0, &error);
  g_assert_no_error (error);

  while ((name = g_dir_read_name (gdir)) != NULL)
    {
      g_autoptr(Collect) whole = NULL;
      g_autoptr(GBytes) bytes = NULL;
      const char *data;
      gsize len;
      gsize split;

      if (!g_str_has_suffix (name, ".sse") && !g_str_has_suffix (name, ".ndjson"))
        continue;

      n_files++;
      whole = decode_recorded (name);
      /* Every recording yields something. */
      g_assert_cmpuint (whole->log->len, >, 0);

      bytes = load_stream (name);
      data = g_bytes_get_data (bytes, &len);
      for (split = 0; split <= len; split++)
        {
          Collect *c = collect_new ();
          g_autoptr(CsStreamDecoder) decoder =
            cs_stream_decoder_new (dialect_for (name), collect_event, c);
          gboolean finished;

          cs_stream_decoder_feed (decoder, data, split);
          cs_stream_decoder_feed (decoder, data + split, len - split);
          finished = cs_stream_decoder_finish (decoder);
          g_assert_cmpstr (c->log->str, ==, whole->log->str);
          g_assert_cmpint (finished, ==, whole->finished);
          collect_free (c);
        }
    }

  g_assert_cmpuint (n_files, >=, 20);
}

static void
test_get_bytes (void)
{
  g_autoptr(CsStreamDecoder) decoder = NULL;
  Collect *c = collect_new ();

  decoder = cs_stream_decoder_new (CS_API_OPENAI_CHAT, collect_event, c);
  g_assert_cmpuint (cs_stream_decoder_get_bytes (decoder), ==, 0);
  cs_stream_decoder_feed (decoder, ": comment\n", 10);
  cs_stream_decoder_feed (decoder, "", 0);
  cs_stream_decoder_feed (decoder, "data: [DO", 9);
  g_assert_cmpuint (cs_stream_decoder_get_bytes (decoder), ==, 19);
  cs_stream_decoder_feed (decoder, "NE]\n\n", 5);
  g_assert_cmpuint (cs_stream_decoder_get_bytes (decoder), ==, 24);
  g_assert_true (cs_stream_decoder_finish (decoder));
  g_assert_cmpuint (c->n_done, ==, 1);
  collect_free (c);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/decoder/chat/basic", test_chat_basic);
  g_test_add_func ("/decoder/chat/n2", test_chat_n2);
  g_test_add_func ("/decoder/chat/refusal", test_chat_refusal);
  g_test_add_func ("/decoder/chat/reasoning", test_chat_reasoning);
  g_test_add_func ("/decoder/chat/kimi-usage", test_chat_kimi_usage);
  g_test_add_func ("/decoder/chat/openrouter-error", test_chat_openrouter_error);
  g_test_add_func ("/decoder/chat/error-eof", test_chat_error_eof);
  g_test_add_func ("/decoder/chat/event-error", test_chat_event_error);
  g_test_add_func ("/decoder/chat/truncated", test_chat_truncated);
  g_test_add_func ("/decoder/chat/malformed", test_chat_malformed);
  g_test_add_func ("/decoder/chat/bad-utf8", test_chat_bad_utf8);
  g_test_add_func ("/decoder/chat/deep-nesting", test_chat_deep_nesting);
  g_test_add_func ("/decoder/chat/two-values", test_chat_two_values);
  g_test_add_func ("/decoder/chat/after-done", test_chat_after_done);
  g_test_add_func ("/decoder/chat/empty", test_chat_empty);
  g_test_add_func ("/decoder/responses/completed", test_responses_completed);
  g_test_add_func ("/decoder/responses/summary-parts", test_responses_summary_parts);
  g_test_add_func ("/decoder/responses/incomplete", test_responses_incomplete);
  g_test_add_func ("/decoder/responses/failed", test_responses_failed);
  g_test_add_func ("/decoder/responses/type-in-json", test_responses_type_in_json);
  g_test_add_func ("/decoder/responses/truncated", test_responses_truncated);
  g_test_add_func ("/decoder/ollama/done", test_ollama_done);
  g_test_add_func ("/decoder/ollama/length", test_ollama_length);
  g_test_add_func ("/decoder/ollama/error", test_ollama_error);
  g_test_add_func ("/decoder/recorded-splits", test_recorded_splits);
  g_test_add_func ("/decoder/get-bytes", test_get_bytes);

  return g_test_run ();
}
