/* cs-mode-prompts.c: the prompts of the two modes and the messages of a
 * candidate request and of a repair request
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-mode"

#include "config.h"

#include <string.h>

#include "cs-json-util.h"
#include "cs-mode-private.h"

/* A bad reply is echoed back in a repair request up to this size. */
#define MAX_REPAIR_REPLY_BYTES (20 * 1024)
/* A validation error is quoted up to this size. */
#define MAX_REPAIR_ERROR_BYTES (4 * 1024)

/* ------------------------------------------------------------------------ */
/* Prompts                                                                   */
/* ------------------------------------------------------------------------ */

static const char architect_system_prompt[] =
  "You are a principal software architect with twenty years of experience "
  "designing, building and operating production systems, from small startups to "
  "large enterprises. You have been on call for the systems you designed, so you "
  "prefer designs that are simple to run, you know what things really cost, and "
  "you are honest about what a design gives up.\n"
  "\n"
  "Your task: design one concrete architecture that solves the problem the user "
  "describes.\n"
  "\n"
  "A good answer:\n"
  "- Fits the stated problem and every stated constraint (budget, preferred "
  "technologies, scale, hosting). If a constraint cannot be met, say so plainly "
  "in the trade-offs instead of silently ignoring it.\n"
  "- Names concrete products with their major versions (for example "
  "\"PostgreSQL 16\", \"Redis 7\", \"Apache Kafka 3.7\", \"nginx 1.26\", "
  "\"Kubernetes 1.30 on Amazon EKS\", \"Go 1.22\"), never categories such as "
  "\"a database\" or \"a message queue\".\n"
  "- Uses as few components as the problem allows (usually three to eight). "
  "Every component has one clear responsibility and says how it scales and where "
  "its limits are.\n"
  "- Identifies the system of record and says what each data store holds.\n"
  "- Describes the APIs with their style and every connection with what flows and "
  "how (protocol, synchronous or asynchronous).\n"
  "- Records the key decisions, each with the choice, the rationale and the "
  "alternatives that were considered and rejected.\n"
  "- States the trade-offs honestly, and the main risks each with a concrete "
  "mitigation.\n"
  "- Estimates the monthly running cost in US dollars at the stated scale "
  "(compute, storage, managed services, data transfer, licences) from current "
  "list prices; do not hide costs.\n"
  "- Draws a Mermaid flowchart whose nodes are exactly the components and data "
  "stores, labelled with the same names, and whose edges are the connections.\n"
  "\n"
  "The fields of the answer:\n"
  "- summary: two to four sentences: the shape of the architecture and why it "
  "fits the problem; name any assumption you had to make about an unstated "
  "requirement.\n"
  "- components: a list of {name, responsibility, technology, scaling}. name is a "
  "short role name (\"API gateway\", \"Ingestion worker\"); technology is one "
  "concrete product or framework with its version; scaling says how it scales "
  "and its limits.\n"
  "- data_stores: a list of {name, technology, purpose, primary}; primary is true "
  "for the system of record and false for caches, search indexes, replicas and "
  "object storage.\n"
  "- apis: a list of {name, style, description}; style is one of \"rest\", "
  "\"grpc\", \"graphql\", \"websocket\", \"event\", \"batch\", \"other\".\n"
  "- connections: a list of {from, to, description}; from and to are component or "
  "data store names spelled exactly as above; description says what flows and "
  "how.\n"
  "- decisions: a list of {topic, choice, rationale, rejected_alternatives}; topic "
  "is the question decided (\"Primary database\"), rejected_alternatives a list "
  "of strings naming each alternative and why it lost.\n"
  "- trade_offs: a list of strings, each one thing this design gives up or "
  "risks in exchange for what.\n"
  "- risks: a list of {risk, mitigation}.\n"
  "- monthly_cost_usd: a plain non-negative number (US dollars per month, no "
  "currency sign, not a string, not a range: take the middle of your estimate).\n"
  "- mermaid: the source of a Mermaid diagram that starts with \"flowchart LR\", "
  "without code fences. Give each node a short identifier without spaces and the "
  "component or data store name as its quoted label, for example "
  "api[\"API gateway\"] --> db[(\"Orders DB\")], and label the edges briefly.\n";

static const char support_system_prompt[] =
  "You are a senior site reliability engineer and escalation engineer with deep, "
  "hands-on experience of Linux, Windows and macOS, networking (DNS, TCP, TLS, "
  "HTTP, proxies, VPNs), containers and Kubernetes, databases, cloud platforms "
  "and common application stacks. You have led many incident calls: you know that "
  "most problems have boring causes, and you find them by testing hypotheses in "
  "order instead of guessing.\n"
  "\n"
  "Your task: write a diagnostic path that finds and fixes the problem the user "
  "describes.\n"
  "\n"
  "A good answer:\n"
  "- Starts from the symptoms and the stated environment (operating system, "
  "stack). What the user already tried is evidence: use it to rule causes out and "
  "do not repeat it unless you say why it is worth repeating differently.\n"
  "- Lists the likely causes, most likely first, each with its likelihood.\n"
  "- Gives an ordered checklist. Cheap, safe, read-only checks that tell the "
  "likely causes apart come first; changes come later; disruptive steps (restarts, "
  "configuration changes, failovers, deleting data) come last and say so in their "
  "action.\n"
  "- Gives for every step the exact command for the stated operating system and "
  "stack, ready to copy and paste, with placeholders in <ANGLE_BRACKETS> only "
  "where a value is unknown; what a healthy system shows; and what it means, and "
  "what to do next, when the result differs.\n"
  "- Never suggests a destructive command without a backup or snapshot step "
  "before it.\n"
  "- Ends with the fix for the most likely cause and a step that verifies the "
  "problem is gone; usually five to ten steps in all.\n"
  "- Says when to stop and escalate, to whom (vendor support, the network team, "
  "the database administrators, the cloud provider), and which evidence to bring.\n"
  "\n"
  "The fields of the answer:\n"
  "- summary: one or two sentences: what is most probably wrong.\n"
  "- likely_causes: a list of {cause, likelihood}; likelihood is one of \"high\", "
  "\"medium\", \"low\".\n"
  "- steps: the ordered list of {title, action, command, expected, if_fails, risk, "
  "effort_minutes}. title is a short imperative (\"Check the disk is not "
  "full\"); action says what to do and why, in one or two sentences; command is "
  "the exact shell command, or \"\" when none applies; expected is what a healthy "
  "system shows; if_fails is what it means and what to do if the expected result "
  "does not appear; risk is one of \"none\" (read-only), \"low\", \"medium\", "
  "\"high\"; effort_minutes is a realistic whole number of minutes, from 0 to "
  "1440.\n"
  "- escalate_when: when to stop and escalate, to whom, and with which evidence.\n";

static const char common_closing[] =
  "\n"
  "Write every text field in the language of the user's problem statement. Be "
  "specific and concrete; leave out generic advice that would fit any problem.\n";

static const char json_enforced_instruction[] =
  "\n"
  "Output format: reply with a single JSON object with exactly the fields "
  "described above.\n";

static const char json_in_prompt_instruction[] =
  "\n"
  "Output format: reply with a single JSON object and nothing else: no prose "
  "before or after it, no Markdown, no code fences, no comments. It must match the "
  "JSON Schema below exactly: every property listed in \"required\" is present, no "
  "other property appears, types and allowed values are as given. Use \"\" or [] "
  "when a field has nothing to say; never leave a field out. Numbers are plain "
  "JSON numbers, not strings.\n"
  "\n"
  "JSON Schema:\n";

/* ------------------------------------------------------------------------ */
/* Messages                                                                  */
/* ------------------------------------------------------------------------ */

static void
add_message (JsonArray  *array,
             const char *role,
             const char *content)
{
  JsonObject *msg = json_object_new ();
  /* pasted text may be binary or invalid UTF-8; the request must be JSON */
  g_autofree char *valid = g_utf8_make_valid (content, -1);

  json_object_set_string_member (msg, "role", role);
  json_object_set_string_member (msg, "content", valid);
  json_array_add_object_element (array, msg);
}

/* Appends @value, stripped, with continuation lines indented so that a
 * multi-line value stays inside its list item. */
static void
append_indented_value (GString    *out,
                       const char *value)
{
  g_autofree char *copy = g_strstrip (g_strdup (value));
  g_auto(GStrv) lines = g_strsplit (copy, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = lines[i];
      gsize len = strlen (line);

      if (len > 0 && line[len - 1] == '\r')
        line[len - 1] = '\0';
      if (i > 0)
        g_string_append (out, "\n  ");
      g_string_append (out, line);
    }
}

static char *
build_system_prompt (CsMode         mode,
                     const CsAngle *angle,
                     gboolean       with_schema_in_prompt)
{
  GString *out = g_string_new (mode == CS_MODE_ARCHITECT
                               ? architect_system_prompt
                               : support_system_prompt);

  if (angle != NULL && angle->instruction != NULL && *angle->instruction != '\0')
    {
      g_string_append (out, "\nThe emphasis of this answer: ");
      g_string_append (out, angle->instruction);
      g_string_append_c (out, '\n');
    }

  g_string_append (out, common_closing);

  if (with_schema_in_prompt)
    {
      JsonNode *schema = cs_mode_get_schema (mode);
      g_autofree char *schema_json = NULL;

      g_string_append (out, json_in_prompt_instruction);
      if (schema != NULL)
        {
          schema_json = cs_json_to_string (schema, TRUE);
          g_string_append (out, schema_json);
          g_string_append_c (out, '\n');
        }
    }
  else
    g_string_append (out, json_enforced_instruction);

  return g_string_free (out, FALSE);
}

static char *
build_user_prompt (CsMode              mode,
                   const char         *problem,
                   const char * const *keys,
                   const char * const *values)
{
  GString *out = g_string_new ("## Problem\n\n");
  g_autofree char *trimmed = g_strstrip (g_strdup (problem ? problem : ""));
  guint n = 0;

  g_string_append (out, *trimmed ? trimmed : "(no problem statement was given)");
  g_string_append (out, "\n\n## Constraints\n\n");

  if (keys != NULL && values != NULL)
    {
      for (guint i = 0; keys[i] != NULL && values[i] != NULL; i++)
        {
          if (_cs_mode_is_blank (keys[i]) || _cs_mode_is_blank (values[i]))
            continue;
          g_string_append (out, "- ");
          g_string_append (out, cs_mode_get_constraint_label (keys[i]));
          g_string_append (out, ": ");
          append_indented_value (out, values[i]);
          g_string_append_c (out, '\n');
          n++;
        }
    }

  if (n > 0)
    g_string_append (out,
                     "\nRespect every constraint above. If one cannot be met, say so "
                     "explicitly and explain the closest option you recommend instead.\n");
  else
    g_string_append (out,
                     "None were stated. Where the answer depends on something not "
                     "stated, make a sensible assumption and state it.\n");

  if (mode == CS_MODE_SUPPORT)
    g_string_append (out,
                     "\nGive the diagnostic path as the JSON object described in your "
                     "instructions.\n");
  else
    g_string_append (out,
                     "\nGive the architecture as the JSON object described in your "
                     "instructions.\n");

  return g_string_free (out, FALSE);
}

JsonNode *
cs_mode_build_messages (CsMode              mode,
                        const char         *problem,
                        const char * const *constraint_keys,
                        const char * const *constraint_values,
                        const CsAngle      *angle,
                        gboolean            with_schema_in_prompt)
{
  g_autofree char *system = NULL;
  g_autofree char *user = NULL;
  JsonArray *array;
  JsonNode *node;

  g_return_val_if_fail (_cs_mode_is_valid (mode), NULL);

  system = build_system_prompt (mode, angle, with_schema_in_prompt);
  user = build_user_prompt (mode, problem, constraint_keys, constraint_values);

  array = json_array_new ();
  add_message (array, "system", system);
  add_message (array, "user", user);

  node = json_node_new (JSON_NODE_ARRAY);
  json_node_take_array (node, array);
  return node;
}

/* A copy of @text cut to at most @max_bytes at a character boundary, with a
 * note when it was cut; invalid UTF-8 is replaced. */
static char *
truncate_utf8 (const char *text,
               gsize       max_bytes,
               const char *note)
{
  g_autofree char *valid = g_utf8_make_valid (text ? text : "", -1);
  GString *out;
  const char *end;

  if (strlen (valid) <= max_bytes)
    return g_steal_pointer (&valid);

  /* the start of the character that straddles the limit */
  end = g_utf8_find_prev_char (valid, valid + max_bytes + 1);
  if (end == NULL)
    end = valid;
  out = g_string_new_len (valid, end - valid);
  g_string_append (out, note);
  return g_string_free (out, FALSE);
}

JsonNode *
cs_mode_build_repair_messages (JsonNode   *messages,
                               const char *bad_reply,
                               const char *validation_error)
{
  g_autofree char *reply = NULL;
  g_autofree char *problem = NULL;
  g_autofree char *request = NULL;
  JsonArray *array;
  JsonArray *original;
  JsonNode *node;

  g_return_val_if_fail (messages != NULL && JSON_NODE_HOLDS_ARRAY (messages), NULL);

  original = json_node_get_array (messages);
  array = json_array_sized_new (json_array_get_length (original) + 2);
  for (guint i = 0; i < json_array_get_length (original); i++)
    json_array_add_element (array, json_node_copy (json_array_get_element (original, i)));

  reply = truncate_utf8 (bad_reply, MAX_REPAIR_REPLY_BYTES,
                         "\n[… the rest of this reply was cut]");
  problem = truncate_utf8 (_cs_mode_is_blank (validation_error)
                           ? "the reply does not match the required format"
                           : validation_error,
                           MAX_REPAIR_ERROR_BYTES, " […]");
  request = g_strdup_printf ("Your previous reply could not be used:\n\n%s\n\n"
                             "Reply again with the corrected, complete JSON object only. "
                             "Keep the content of your answer and fix every problem named "
                             "above: include every required field, add no other field, use "
                             "only the allowed values, and write no prose, no Markdown and "
                             "no code fences.",
                             problem);

  add_message (array, "assistant", reply);
  add_message (array, "user", request);

  node = json_node_new (JSON_NODE_ARRAY);
  json_node_take_array (node, array);
  return node;
}
