/* bench-quality-compare.c: the blind pairwise judge of bench-quality
 *
 * One request per ordered pair: the problem, its constraints, and two
 * answers labelled A and B, nothing else: no model, provider or candidate
 * name, and no word of which answer is the synthesis. The answers are cut
 * down to the members of the mode's schema (bq_answer_render), so the
 * synthesis's annotations (consensus support, methods) cannot give it away.
 * The reply is a strict JSON object, {"verdict": "A"|"B"|"tie", "reason"},
 * validated against its schema; a reply that does not fit gets one repair
 * request carrying the validation error, as candidates do in a run.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bench-quality"

#include "config.h"

#include <math.h>
#include <string.h>

#include "bench-quality-private.h"

#define MAX_REASON_CHARS 600

struct _BqJudge {
  CsConfig               *config;
  const CsModelConfig    *model;      /* owned by config */
  const CsProviderConfig *provider;   /* owned by config */
  CsProviderClient       *client;
  JsonNode               *schema;     /* to validate */
  JsonNode               *strict;     /* to send */
};

static const char verdict_schema[] =
  "{"
  "  \"type\": \"object\","
  "  \"properties\": {"
  "    \"verdict\": { \"type\": \"string\", \"enum\": [\"A\", \"B\", \"tie\"] },"
  "    \"reason\": { \"type\": \"string\", \"minLength\": 1, \"maxLength\": 600 }"
  "  },"
  "  \"required\": [\"verdict\", \"reason\"],"
  "  \"additionalProperties\": false"
  "}";

static const char system_prompt[] =
  "You are an impartial reviewer. You compare two answers to the same %s problem. "
  "The answers are labelled A and B; nothing else is known about where they come from, "
  "and their order is arbitrary: neither position nor length alone may decide. "
  "Decide which answer would serve the person who asked better: correct and safe, "
  "specific (named technologies, commands, numbers), fitted to the stated constraints, "
  "complete where it matters, honest about risks. Answer \"tie\" only when neither is "
  "better in any way that matters. Reply with a JSON object only, of the form "
  "{\"verdict\": \"A\" | \"B\" | \"tie\", \"reason\": \"one sentence\"}.";

BqJudge *
bq_judge_new (CsConfig    *config,
              const char  *model_id,
              GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  const CsModelConfig *model = cs_config_find_model (config, model_id);
  BqJudge *judge;

  if (model == NULL)
    {
      g_set_error (error, CS_CONFIG_ERROR, CS_CONFIG_ERROR_UNKNOWN_MODEL,
                   "unknown judge model %s", model_id);
      return NULL;
    }
  if (!json_parser_load_from_data (parser, verdict_schema, -1, error))
    return NULL;

  judge = g_new0 (BqJudge, 1);
  judge->config = g_object_ref (config);
  judge->model = model;
  judge->provider = cs_config_find_provider (config, model->provider);
  judge->client = cs_provider_client_new (judge->provider);
  judge->schema = json_node_copy (json_parser_get_root (parser));
  judge->strict = cs_mode_schema_for_strict (judge->schema);
  return judge;
}

void
bq_judge_free (BqJudge *judge)
{
  if (judge == NULL)
    return;
  g_clear_object (&judge->client);
  g_clear_pointer (&judge->schema, json_node_unref);
  g_clear_pointer (&judge->strict, json_node_unref);
  g_clear_object (&judge->config);
  g_free (judge);
}

const CsModelConfig *
bq_judge_get_model (BqJudge *judge)
{
  return judge->model;
}

typedef struct {
  gboolean  done;
  char     *key;
  GError   *error;
} KeyLookup;

static void
key_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  KeyLookup *lookup = user_data;

  lookup->key = cs_secrets_lookup_finish (result, &lookup->error);
  lookup->done = TRUE;
}

gboolean
bq_judge_prepare (BqJudge  *judge,
                  GError  **error)
{
  KeyLookup lookup = { 0 };

  cs_secrets_lookup_async (judge->provider, NULL, key_cb, &lookup);
  while (!lookup.done)
    g_main_context_iteration (NULL, TRUE);

  if (lookup.key != NULL && lookup.key[0] != '\0')
    {
      cs_provider_client_set_api_key (judge->client, lookup.key);
      memset (lookup.key, 0, strlen (lookup.key));
      g_free (lookup.key);
      return TRUE;
    }
  g_free (lookup.key);
  if (judge->provider->key_optional && lookup.error == NULL)
    return TRUE;
  if (lookup.error != NULL)
    g_propagate_prefixed_error (error, lookup.error, "no API key for %s could be read: ",
                                judge->provider->id);
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                 "no API key for %s (store one with `consilium-cli --store-key=%s`%s%s)",
                 judge->provider->id, judge->provider->id,
                 judge->provider->api_key_env != NULL ? " or set " : "",
                 judge->provider->api_key_env != NULL ? judge->provider->api_key_env : "");
  return FALSE;
}

/* Rendering */

/* @value with only the members @schema describes, in its order. */
static JsonNode *
project (JsonNode *schema,
         JsonNode *value)
{
  JsonObject *s = schema != NULL && JSON_NODE_HOLDS_OBJECT (schema) ? json_node_get_object (schema) : NULL;
  JsonNode *props = s != NULL ? json_object_get_member (s, "properties") : NULL;
  JsonNode *items = s != NULL ? json_object_get_member (s, "items") : NULL;

  if (props != NULL && JSON_NODE_HOLDS_OBJECT (props) && JSON_NODE_HOLDS_OBJECT (value))
    {
      JsonObject *in = json_node_get_object (value);
      JsonObject *p = json_node_get_object (props);
      g_autoptr(GList) names = json_object_get_members (p);
      JsonObject *out = json_object_new ();
      JsonNode *node = json_node_new (JSON_NODE_OBJECT);

      for (GList *l = names; l != NULL; l = l->next)
        if (json_object_has_member (in, l->data))
          json_object_set_member (out, l->data,
                                  project (json_object_get_member (p, l->data),
                                           json_object_get_member (in, l->data)));
      json_node_take_object (node, out);
      return node;
    }
  if (items != NULL && JSON_NODE_HOLDS_ARRAY (value))
    {
      JsonArray *in = json_node_get_array (value);
      JsonArray *out = json_array_new ();
      JsonNode *node = json_node_new (JSON_NODE_ARRAY);

      for (guint i = 0; i < json_array_get_length (in); i++)
        json_array_add_element (out, project (items, json_array_get_element (in, i)));
      json_node_take_array (node, out);
      return node;
    }
  return json_node_copy (value);
}

char *
bq_answer_render (CsMode    mode,
                  JsonNode *data)
{
  g_autoptr(JsonNode) projected = NULL;
  g_autoptr(JsonGenerator) gen = json_generator_new ();

  if (data == NULL || !JSON_NODE_HOLDS_OBJECT (data))
    return NULL;
  projected = project (cs_mode_get_schema (mode), data);
  json_generator_set_root (gen, projected);
  json_generator_set_pretty (gen, TRUE);
  json_generator_set_indent (gen, 2);
  return json_generator_to_data (gen, NULL);
}

/* The request */

static JsonNode *
message (const char *role,
         const char *content)
{
  JsonObject *o = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_string_member (o, "role", role);
  json_object_set_string_member (o, "content", content);
  json_node_take_object (node, o);
  return node;
}

static JsonNode *
build_messages (const BqProblem *problem,
                const char      *answer_a,
                const char      *answer_b)
{
  g_autofree char *system = g_strdup_printf (system_prompt,
                                             problem->mode == CS_MODE_SUPPORT ? "troubleshooting"
                                                                              : "software architecture");
  g_autoptr(GString) user = g_string_new ("Problem:\n");
  JsonArray *messages = json_array_new ();
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  g_string_append_printf (user, "%s\n", problem->problem);
  if (problem->keys != NULL && problem->keys[0] != NULL)
    {
      g_string_append (user, "\nConstraints:\n");
      for (guint i = 0; problem->keys[i] != NULL; i++)
        g_string_append_printf (user, "- %s: %s\n", cs_mode_get_constraint_label (problem->keys[i]),
                                problem->values[i]);
    }
  g_string_append_printf (user, "\n### Answer A\n```json\n%s\n```\n", answer_a);
  g_string_append_printf (user, "\n### Answer B\n```json\n%s\n```\n", answer_b);
  g_string_append (user, "\nWhich answer is better, A or B (or is it a tie)? Reply with the JSON object only.");

  json_array_add_element (messages, message ("system", system));
  json_array_add_element (messages, message ("user", user->str));
  json_node_take_array (node, messages);
  return node;
}

typedef struct {
  BqJudge     *judge;
  BqJudgement *out;
  GFunc        done;
  gpointer     done_data;
  GCancellable *cancellable;
  JsonNode    *messages;
  GString     *text;
  GString     *refusal;
  gint64       input_tokens;   /* of this attempt, -1 unknown */
  gint64       output_tokens;
  gint64       start_us;
  guint        attempt;
} Compare;

static void send_compare (Compare *c);

static void
compare_finish (Compare *c)
{
  c->out->duration_ms = (g_get_monotonic_time () - c->start_us) / 1000;
  c->done (c->out, c->done_data);
  g_clear_pointer (&c->messages, json_node_unref);
  g_clear_object (&c->cancellable);
  g_string_free (c->text, TRUE);
  g_string_free (c->refusal, TRUE);
  g_free (c);
}

static void
event_cb (const CsStreamEvent *event,
          gpointer             user_data)
{
  Compare *c = user_data;

  switch (event->type)
    {
    case CS_STREAM_EVENT_TEXT:
      g_string_append_len (c->text, event->text, event->len);
      break;
    case CS_STREAM_EVENT_REFUSAL:
      g_string_append_len (c->refusal, event->text, event->len);
      break;
    case CS_STREAM_EVENT_USAGE:
      c->input_tokens = event->input_tokens;
      c->output_tokens = event->output_tokens;
      break;
    case CS_STREAM_EVENT_REASONING:
    case CS_STREAM_EVENT_FINISH:
    case CS_STREAM_EVENT_ERROR:
    case CS_STREAM_EVENT_DONE:
    default:
      break;
    }
}

/* The verdict in @text, or FALSE with the validation error. */
static gboolean
parse_verdict (Compare     *c,
               GError     **error)
{
  g_autoptr(JsonNode) node = cs_mode_extract_json (c->text->str, error);
  JsonObject *o;
  const char *verdict;
  g_auto(GStrv) lines = NULL;

  if (node == NULL || !cs_json_schema_validate (c->judge->schema, node, error))
    return FALSE;
  o = json_node_get_object (node);
  verdict = json_object_get_string_member (o, "verdict");
  c->out->verdict = g_str_equal (verdict, "A") ? BQ_VERDICT_A
                  : g_str_equal (verdict, "B") ? BQ_VERDICT_B : BQ_VERDICT_TIE;
  /* one line: the first non-blank one */
  lines = g_strsplit (json_object_get_string_member (o, "reason"), "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_strstrip (lines[i])[0] != '\0')
      {
        c->out->reason = g_utf8_substring (lines[i], 0, MIN (g_utf8_strlen (lines[i], -1), MAX_REASON_CHARS));
        break;
      }
  if (c->out->reason == NULL)
    c->out->reason = g_strdup ("");
  return TRUE;
}

static void
stream_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Compare *c = user_data;
  g_autoptr(GError) error = NULL;
  CsChatStats stats = { 0 };
  gboolean ok;

  ok = cs_provider_client_stream_finish (CS_PROVIDER_CLIENT (object), result, &stats, &error);
  c->out->input_tokens += MAX (c->input_tokens, 0);
  c->out->output_tokens += MAX (c->output_tokens, 0);
  if (!ok)
    {
      c->out->error = g_strdup (error->message);
      compare_finish (c);
      return;
    }
  if (c->text->len == 0 && c->refusal->len > 0)
    {
      c->out->error = g_strdup_printf ("the judge refused: %s", c->refusal->str);
      compare_finish (c);
      return;
    }
  if (parse_verdict (c, &error))
    {
      compare_finish (c);
      return;
    }
  if (c->attempt == 0)
    {
      JsonNode *repair = cs_mode_build_repair_messages (c->messages, c->text->str, error->message);

      json_node_unref (c->messages);
      c->messages = repair;
      c->attempt++;
      send_compare (c);
      return;
    }
  c->out->error = g_strdup_printf ("the verdict did not fit its schema after a repair request: %s",
                                   error->message);
  compare_finish (c);
}

static void
send_compare (Compare *c)
{
  const CsModelConfig *model = c->judge->model;
  CsChatRequest chat = { 0 };

  g_string_truncate (c->text, 0);
  g_string_truncate (c->refusal, 0);
  c->input_tokens = c->output_tokens = -1;

  chat.model = model->name;
  chat.messages = c->messages;
  chat.n = 1;
  /* a judge should not be creative: 0 unless the providers file says otherwise */
  chat.temperature = !model->supports_temperature ? NAN : isnan (model->temperature) ? 0.0 : model->temperature;
  chat.reasoning_effort = model->reasoning_effort;
  chat.max_output_tokens = model->max_output_tokens;
  chat.structured = model->structured;
  chat.schema = c->judge->strict;
  chat.schema_name = "pairwise_verdict";
  cs_provider_client_stream_async (c->judge->client, &chat, event_cb, c, c->cancellable, stream_cb, c);
}

void
bq_judge_compare (BqJudge         *judge,
                  const BqProblem *problem,
                  const char      *answer_a,
                  const char      *answer_b,
                  GCancellable    *cancellable,
                  BqJudgement     *out,
                  GFunc            done,
                  gpointer         done_data)
{
  Compare *c = g_new0 (Compare, 1);

  memset (out, 0, sizeof *out);
  c->judge = judge;
  c->out = out;
  c->done = done;
  c->done_data = done_data;
  c->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  c->messages = build_messages (problem, answer_a, answer_b);
  c->text = g_string_new (NULL);
  c->refusal = g_string_new (NULL);
  c->start_us = g_get_monotonic_time ();
  send_compare (c);
}
