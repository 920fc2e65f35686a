/* cs-mode.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-mode"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "cs-engine-resources.h"
#include "cs-json-schema.h"
#include "cs-json-util.h"
#include "cs-mode.h"

#define SCHEMA_RESOURCE_DIR "/io/github/consilium/Consilium/engine/schemas/"

/* A bad reply is echoed back in a repair request up to this size. */
#define MAX_REPAIR_REPLY_BYTES (20 * 1024)
/* A validation error is quoted up to this size. */
#define MAX_REPAIR_ERROR_BYTES (4 * 1024)
/* How many candidate `{` the brace scan of cs_mode_extract_json() tries. */
#define MAX_BRACE_ATTEMPTS 32
/* How many fenced blocks cs_mode_extract_json() tries. */
#define MAX_FENCE_ATTEMPTS 16

/* ------------------------------------------------------------------------ */
/* Angles                                                                    */
/* ------------------------------------------------------------------------ */

static const CsAngle architect_angles[] = {
  {
    "performance",
    N_("Performance first"),
    "Design for performance first: the lowest latency and the highest throughput "
    "the constraints allow. Put caches, read replicas, asynchronous processing and "
    "data locality where measurements would demand them, quantify the targets you "
    "design for (for example p99 latency and requests per second), and say plainly "
    "what this costs in money and complexity.",
  },
  {
    "cost",
    N_("Cost first"),
    "Design for the lowest monthly cost that still meets the stated scale and a "
    "sensible level of reliability. Prefer one well-sized machine, managed free "
    "tiers, serverless or spot capacity where they suffice, justify every paid "
    "component, and show in the trade-offs which growth would force the next "
    "spending step.",
  },
  {
    "operability",
    N_("Security and operability first"),
    "Design for security and operability first: least privilege, encryption in "
    "transit and at rest, secrets in a secret manager, audit logs, backups with "
    "tested restores, metrics, logs, traces and alerts, zero-downtime deployments "
    "and a rollback path. Name the threat each control answers and the on-call "
    "burden the design creates.",
  },
  {
    "simplicity",
    N_("Simplicity first"),
    "Design for simplicity first: the fewest moving parts and technologies that a "
    "small team can build, understand and run. A modular monolith and one "
    "relational database are the default until the problem proves otherwise; add "
    "a component only when you can name the requirement that forces it.",
  },
};

static const CsAngle support_angles[] = {
  {
    "likely-cause",
    N_("Most likely cause first"),
    "Order the steps by probability: test the most likely cause first, as directly "
    "as possible, then the next most likely. Each step should confirm or rule out "
    "one cause from your list of likely causes.",
  },
  {
    "cheapest-checks",
    N_("Cheapest checks first"),
    "Order the steps by cost: the quickest, read-only checks that rule out whole "
    "classes of causes come first (service status, recent logs, disk space, "
    "memory, recent changes, time and certificates), even before a more likely but "
    "more expensive test. Changes and restarts come only after the cheap checks.",
  },
  {
    "layer-by-layer",
    N_("Layer by layer"),
    "Work systematically, layer by layer, bottom-up: hardware and resources (CPU, "
    "memory, disk, power), then the operating system (services, kernel and system "
    "logs, time, permissions, limits), then the network (link, addresses, routing, "
    "DNS, firewall, proxies, TLS), then the runtime and dependencies, then the "
    "application and its configuration. Do not leave a layer without a check that "
    "clears it.",
  },
};

static const char * const architect_keys[] = { "budget", "technologies", "scale", "hosting", NULL };
static const char * const support_keys[] = { "os", "stack", "tried", NULL };

static const struct {
  const char *key;
  const char *label;
} constraint_labels[] = {
  { "budget", "Budget" },
  { "technologies", "Preferred technologies" },
  { "scale", "Expected scale" },
  { "hosting", "Cloud or on-premises" },
  { "os", "Operating system" },
  { "stack", "Stack" },
  { "tried", "Already tried" },
};

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
/* Mode tables                                                               */
/* ------------------------------------------------------------------------ */

static const char *
string_or_null (JsonNode *node)
{
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_STRING)
    return json_node_get_string (node);
  return NULL;
}

static gboolean
mode_is_valid (CsMode mode)
{
  return mode == CS_MODE_ARCHITECT || mode == CS_MODE_SUPPORT;
}

static JsonNode *
load_schema (const char *file)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *path = g_strconcat (SCHEMA_RESOURCE_DIR, file, NULL);
  JsonNode *node;
  gsize size = 0;
  const char *data;

  bytes = g_resource_lookup_data (cs_engine_get_resource (), path,
                                  G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  if (bytes == NULL)
    {
      g_critical ("Cannot load the schema %s: %s", path, error->message);
      return NULL;
    }

  data = g_bytes_get_data (bytes, &size);
  node = cs_json_parse_bounded (data, (gssize)size, 0, &error);
  if (node == NULL)
    g_critical ("The schema %s is not valid JSON: %s", path, error->message);
  return node;
}

JsonNode *
cs_mode_get_schema (CsMode mode)
{
  static gsize architect_once = 0;
  static gsize support_once = 0;
  static JsonNode *architect_schema;
  static JsonNode *support_schema;

  g_return_val_if_fail (mode_is_valid (mode), NULL);

  if (mode == CS_MODE_ARCHITECT)
    {
      if (g_once_init_enter (&architect_once))
        {
          architect_schema = load_schema ("architect.schema.json");
          g_once_init_leave (&architect_once, 1);
        }
      return architect_schema;
    }

  if (g_once_init_enter (&support_once))
    {
      support_schema = load_schema ("support.schema.json");
      g_once_init_leave (&support_once, 1);
    }
  return support_schema;
}

const char *
cs_mode_get_schema_name (CsMode mode)
{
  g_return_val_if_fail (mode_is_valid (mode), NULL);

  return mode == CS_MODE_ARCHITECT ? "architecture_candidate" : "troubleshooting_candidate";
}

const char *
cs_mode_get_label (CsMode mode)
{
  g_return_val_if_fail (mode_is_valid (mode), NULL);

  return mode == CS_MODE_ARCHITECT ? _("Systems Architect") : _("Tech Support");
}

/* The angles with translated labels, built once (after the program has set
 * up its locale); ids and instructions stay the static English strings. */
static CsAngle *
translate_angles (const CsAngle *angles,
                  guint          n)
{
  CsAngle *copy = g_new (CsAngle, n);

  for (guint i = 0; i < n; i++)
    {
      copy[i] = angles[i];
      copy[i].label = g_dgettext (GETTEXT_PACKAGE, angles[i].label);
    }
  return copy;
}

const CsAngle *
cs_mode_get_angles (CsMode  mode,
                    guint  *n_angles)
{
  static gsize architect_once = 0;
  static gsize support_once = 0;
  static CsAngle *architect;
  static CsAngle *support;

  g_return_val_if_fail (mode_is_valid (mode), NULL);

  if (mode == CS_MODE_ARCHITECT)
    {
      if (g_once_init_enter (&architect_once))
        {
          architect = translate_angles (architect_angles, G_N_ELEMENTS (architect_angles));
          g_once_init_leave (&architect_once, 1);
        }
      if (n_angles)
        *n_angles = G_N_ELEMENTS (architect_angles);
      return architect;
    }

  if (g_once_init_enter (&support_once))
    {
      support = translate_angles (support_angles, G_N_ELEMENTS (support_angles));
      g_once_init_leave (&support_once, 1);
    }
  if (n_angles)
    *n_angles = G_N_ELEMENTS (support_angles);
  return support;
}

const CsAngle *
cs_mode_find_angle (CsMode      mode,
                    const char *id)
{
  const CsAngle *angles;
  guint n = 0;

  g_return_val_if_fail (mode_is_valid (mode), NULL);

  if (id == NULL)
    return NULL;

  angles = cs_mode_get_angles (mode, &n);
  for (guint i = 0; i < n; i++)
    if (g_str_equal (angles[i].id, id))
      return &angles[i];
  return NULL;
}

const char * const *
cs_mode_get_constraint_keys (CsMode mode)
{
  g_return_val_if_fail (mode_is_valid (mode), NULL);

  return mode == CS_MODE_ARCHITECT ? architect_keys : support_keys;
}

/* The English label of a constraint key for prompts ("Budget"); unknown
 * keys come back as they are. */
const char *
cs_mode_get_constraint_label (const char *key)
{
  g_return_val_if_fail (key != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (constraint_labels); i++)
    if (g_str_equal (constraint_labels[i].key, key))
      return constraint_labels[i].label;
  return key;
}

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

static gboolean
is_blank (const char *str)
{
  if (str == NULL)
    return TRUE;
  for (; *str != '\0'; str++)
    if (!g_ascii_isspace (*str))
      return FALSE;
  return TRUE;
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
          if (is_blank (keys[i]) || is_blank (values[i]))
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

  g_return_val_if_fail (mode_is_valid (mode), NULL);

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
  problem = truncate_utf8 (is_blank (validation_error)
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

/* ------------------------------------------------------------------------ */
/* Finding the JSON in a reply                                               */
/* ------------------------------------------------------------------------ */

/* Removes <think>…</think> and <thinking>…</thinking> blocks. A reply that
 * starts inside a block (the opening tag was in the prompt template) loses
 * everything up to the first closing tag; an unclosed block runs to the end. */
static char *
strip_think_blocks (const char *text)
{
  static const char * const tags[][2] = {
    { "<think>", "</think>" },
    { "<thinking>", "</thinking>" },
  };
  g_autofree char *copy = g_strdup (text);

  for (guint t = 0; t < G_N_ELEMENTS (tags); t++)
    {
      const char *open_tag = tags[t][0];
      const char *close_tag = tags[t][1];
      GString *out = g_string_new (NULL);
      const char *p = copy;
      const char *first_open = strstr (copy, open_tag);
      const char *first_close = strstr (copy, close_tag);

      if (first_close != NULL && (first_open == NULL || first_close < first_open))
        p = first_close + strlen (close_tag);

      for (;;)
        {
          const char *open = strstr (p, open_tag);
          const char *close;

          if (open == NULL)
            {
              g_string_append (out, p);
              break;
            }
          g_string_append_len (out, p, open - p);
          close = strstr (open + strlen (open_tag), close_tag);
          if (close == NULL)
            break;
          p = close + strlen (close_tag);
        }

      g_free (copy);
      copy = g_string_free (out, FALSE);
    }

  return g_steal_pointer (&copy);
}

/* Parses @len bytes at @data; returns an object node, or NULL and sets
 * *first_error (only if not yet set) to why not. */
static JsonNode *
try_object (const char  *data,
            gsize        len,
            char       **first_error)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  node = cs_json_parse_bounded (data, (gssize)len, 0, &error);
  if (node == NULL)
    {
      if (*first_error == NULL)
        *first_error = g_strdup_printf ("The reply is not JSON: %s.", error->message);
      return NULL;
    }

  /* some models encode the object once more, as a JSON string */
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      const char *inner = json_node_get_string (node);
      g_autoptr(JsonNode) decoded = NULL;

      while (inner != NULL && g_ascii_isspace (*inner))
        inner++;
      if (inner != NULL && *inner == '{')
        decoded = cs_json_parse_bounded (inner, -1, 0, NULL);
      if (decoded != NULL && JSON_NODE_HOLDS_OBJECT (decoded))
        return g_steal_pointer (&decoded);
    }

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      if (*first_error == NULL)
        *first_error = g_strdup_printf ("The reply is JSON but not a JSON object: "
                                        "expected {…}, got %s.",
                                        JSON_NODE_HOLDS_ARRAY (node) ? "an array [...]"
                                                                     : "a single value");
      return NULL;
    }

  return g_steal_pointer (&node);
}

/* Tries each ``` fenced block whose info string is empty or json. */
static JsonNode *
try_fences (const char  *text,
            char       **first_error)
{
  const char *p = text;

  for (guint attempt = 0; attempt < MAX_FENCE_ATTEMPTS; attempt++)
    {
      const char *fence = strstr (p, "```");
      const char *info;
      const char *body;
      const char *end;
      g_autofree char *lang = NULL;

      if (fence == NULL)
        return NULL;

      info = fence + 3;
      body = strchr (info, '\n');
      if (body == NULL)
        return NULL;
      lang = g_strstrip (g_strndup (info, (gsize)(body - info)));
      body++;

      end = strstr (body, "```");
      if (end == NULL)
        end = body + strlen (body);   /* an unclosed fence runs to the end */

      if (*lang == '\0' || g_ascii_strcasecmp (lang, "json") == 0 ||
          g_ascii_strcasecmp (lang, "jsonc") == 0 || g_ascii_strcasecmp (lang, "json5") == 0)
        {
          JsonNode *node = try_object (body, (gsize)(end - body), first_error);

          if (node != NULL)
            return node;
        }

      if (*end == '\0')
        return NULL;
      p = end + 3;
    }

  return NULL;
}

/* Finds the end of the balanced {…} that starts at @start, respecting
 * strings and escapes; NULL when it never closes. */
static const char *
find_balanced_end (const char *start)
{
  gsize depth = 0;
  gboolean in_string = FALSE;

  for (const char *p = start; *p != '\0'; p++)
    {
      if (in_string)
        {
          if (*p == '\\' && p[1] != '\0')
            p++;
          else if (*p == '"')
            in_string = FALSE;
          continue;
        }

      switch (*p)
        {
        case '"':
          in_string = TRUE;
          break;
        case '{':
        case '[':
          depth++;
          break;
        case '}':
        case ']':
          if (depth > 0)
            depth--;
          if (depth == 0)
            return p + 1;
          break;
        default:
          break;
        }
    }
  return NULL;
}

/* Tries the top-level {…} blocks in order. A block that never closes ends
 * the search: the braces after it are inside it (a cut-off reply), and an
 * inner object is not the answer. */
static JsonNode *
try_braces (const char  *text,
            char       **first_error,
            gboolean    *incomplete)
{
  const char *p = text;

  for (guint attempt = 0; attempt < MAX_BRACE_ATTEMPTS; attempt++)
    {
      const char *start = strchr (p, '{');
      const char *end;
      JsonNode *node;

      if (start == NULL)
        return NULL;

      end = find_balanced_end (start);
      if (end == NULL)
        {
          *incomplete = TRUE;
          return NULL;
        }

      node = try_object (start, (gsize)(end - start), first_error);
      if (node != NULL)
        return node;
      p = end;
    }

  return NULL;
}

JsonNode *
cs_mode_extract_json (const char  *text,
                      GError     **error)
{
  g_autofree char *valid = NULL;
  g_autofree char *stripped = NULL;
  g_autofree char *first_error = NULL;
  const char *body;
  gboolean incomplete = FALSE;
  JsonNode *node;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (is_blank (text))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "The reply is empty: it contains no JSON object.");
      return NULL;
    }

  valid = g_utf8_make_valid (text, -1);
  stripped = strip_think_blocks (valid);
  body = stripped;
  while (g_ascii_isspace (*body))
    body++;

  if (*body == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "The reply contains only reasoning (<think>) and no JSON object.");
      return NULL;
    }

  /* 1. the whole text */
  if (*body == '{' || *body == '[' || *body == '"')
    {
      gsize len = strlen (body);

      while (len > 0 && g_ascii_isspace (body[len - 1]))
        len--;
      if ((node = try_object (body, len, &first_error)) != NULL)
        return node;
    }

  /* 2. a fenced block */
  if ((node = try_fences (body, &first_error)) != NULL)
    return node;

  /* 3. the first top-level balanced {…} that parses */
  if ((node = try_braces (body, &first_error, &incomplete)) != NULL)
    return node;

  if (first_error != NULL)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, first_error);
  else if (incomplete)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                         "The reply is not JSON: a JSON object starts but never closes; "
                         "the reply may have been cut off.");
  else
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                         "The reply is not JSON: it contains no JSON object ({…}).");
  return NULL;
}

static gboolean
is_word_char (char c)
{
  return g_ascii_isalnum (c) || c == '_';
}

/* Whether a line is only the keyword closing a subgraph ("end", "end;"). */
static gboolean
closes_subgraph (const char *line,
                 gsize       len)
{
  while (len > 0 && g_ascii_isspace (*line))
    line++, len--;
  while (len > 0 && (g_ascii_isspace (line[len - 1]) || line[len - 1] == ';'))
    len--;
  return len == 3 && memcmp (line, "end", 3) == 0;
}

char *
cs_mode_sanitize_mermaid (const char *source)
{
  GString *out;
  const char *line;

  g_return_val_if_fail (source != NULL, NULL);

  out = g_string_sized_new (strlen (source) + 16);
  line = source;
  while (*line != '\0')
    {
      const char *eol = strchr (line, '\n');
      gsize len = eol != NULL ? (gsize)(eol - line) : strlen (line);
      char quote = 0;       /* inside "…" */
      int depth = 0;        /* inside […], (…), {…} */
      gboolean pipe = FALSE; /* inside an edge label |…| */

      if (closes_subgraph (line, len))
        {
          g_string_append_len (out, line, len);
        }
      else
        {
          for (gsize i = 0; i < len; i++)
            {
              char c = line[i];

              if (quote != 0)
                {
                  if (c == quote)
                    quote = 0;
                }
              else if (c == '"')
                quote = c;
              else if (c == '[' || c == '(' || c == '{')
                depth++;
              else if ((c == ']' || c == ')' || c == '}') && depth > 0)
                depth--;
              else if (c == '|' && depth == 0)
                pipe = !pipe;
              else if (depth == 0 && !pipe &&
                       (i == 0 || !is_word_char (line[i - 1])) &&
                       i + 3 <= len && memcmp (line + i, "end", 3) == 0 &&
                       (i + 3 == len || !is_word_char (line[i + 3])))
                {
                  g_string_append (out, "end_");
                  i += 2;
                  continue;
                }
              g_string_append_c (out, c);
            }
        }
      if (eol == NULL)
        break;
      g_string_append_c (out, '\n');
      line = eol + 1;
    }

  return g_string_free (out, FALSE);
}

/* Models sometimes wrap the diagram in a ```mermaid fence although the schema
 * says not to; the exporter adds its own fence, so drop that one. A node
 * called `end` is renamed (cs_mode_sanitize_mermaid()). */
static void
normalize_mermaid (JsonNode *node)
{
  JsonObject *obj = json_node_get_object (node);
  const char *mermaid = string_or_null (json_object_get_member (obj, "mermaid"));
  g_autofree char *copy = NULL;
  g_autofree char *safe = NULL;
  char *body;
  char *end;

  if (mermaid == NULL)
    return;

  copy = g_strstrip (g_strdup (mermaid));
  body = copy;
  if (g_str_has_prefix (copy, "```") && strchr (copy, '\n') != NULL)
    {
      body = strchr (copy, '\n') + 1;
      end = strstr (body, "```");
      if (end != NULL)
        *end = '\0';
      g_strstrip (body);
    }
  safe = cs_mode_sanitize_mermaid (body);
  if (g_strcmp0 (safe, mermaid) != 0)
    json_object_set_string_member (obj, "mermaid", safe);
}

/* The value of an object's only member, when that is an object. */
static JsonNode *
single_wrapped_object (JsonNode *node)
{
  JsonObject *obj = json_node_get_object (node);
  g_autoptr(GList) members = NULL;
  JsonNode *inner;

  if (json_object_get_size (obj) != 1)
    return NULL;
  members = json_object_get_members (obj);
  inner = json_object_get_member (obj, members->data);
  return inner != NULL && JSON_NODE_HOLDS_OBJECT (inner) ? inner : NULL;
}

JsonNode *
cs_mode_parse_reply (CsMode       mode,
                     const char  *text,
                     GError     **error)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonNode *schema;

  g_return_val_if_fail (mode_is_valid (mode), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  node = cs_mode_extract_json (text, error);
  if (node == NULL)
    return NULL;

  schema = cs_mode_get_schema (mode);
  if (schema == NULL)
    {
      g_set_error_literal (error, CS_SCHEMA_ERROR, CS_SCHEMA_ERROR_BAD_SCHEMA,
                           "The schema of the mode is missing.");
      return NULL;
    }

  if (!cs_json_schema_validate (schema, node, &local_error))
    {
      JsonNode *inner = single_wrapped_object (node);

      /* {"architecture_candidate": {…}}: a wrapper around a valid answer */
      if (inner != NULL &&
          g_error_matches (local_error, CS_SCHEMA_ERROR, CS_SCHEMA_ERROR_INVALID) &&
          cs_json_schema_validate (schema, inner, NULL))
        {
          g_autoptr(JsonNode) unwrapped = json_node_copy (inner);

          g_debug ("Accepting a reply wrapped in a single-member object");
          if (mode == CS_MODE_ARCHITECT)
            normalize_mermaid (unwrapped);
          return g_steal_pointer (&unwrapped);
        }

      if (g_error_matches (local_error, CS_SCHEMA_ERROR, CS_SCHEMA_ERROR_INVALID))
        g_set_error (error, CS_SCHEMA_ERROR, CS_SCHEMA_ERROR_INVALID,
                     "The JSON object does not match the required schema: %s",
                     local_error->message);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  if (mode == CS_MODE_ARCHITECT)
    normalize_mermaid (node);

  return g_steal_pointer (&node);
}

/* ------------------------------------------------------------------------ */
/* OpenAI strict structured outputs                                          */
/* ------------------------------------------------------------------------ */

/* Keywords kept in the strict copy. Validation keywords (minItems, maxItems,
 * minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf, minLength,
 * maxLength, pattern, format, uniqueItems, minProperties, maxProperties,
 * patternProperties, default, …) are not accepted by every model and
 * deployment that offers strict mode (fine-tuned models, older snapshots,
 * compatible servers reject them with a 400), so the copy drops them and
 * says them in the description instead; the engine enforces them itself
 * when it validates the reply. */
static const char * const strict_keywords[] = {
  "type", "properties", "required", "additionalProperties", "items", "enum",
  "anyOf", "description", "title", "$defs", "definitions", "$ref",
};

static gboolean
is_strict_keyword (const char *key)
{
  for (guint i = 0; i < G_N_ELEMENTS (strict_keywords); i++)
    if (g_str_equal (strict_keywords[i], key))
      return TRUE;
  return FALSE;
}

/* Adds "What: N." to @hints when @value is a number. */
static void
append_hint (GString    *hints,
             const char *what,
             JsonNode   *value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  GType type;

  if (value == NULL || !JSON_NODE_HOLDS_VALUE (value))
    return;

  type = json_node_get_value_type (value);
  if (type != G_TYPE_INT64 && type != G_TYPE_DOUBLE)
    return;

  if (hints->len > 0)
    g_string_append_c (hints, ' ');
  if (type == G_TYPE_INT64)
    g_string_append_printf (hints, "%s %" G_GINT64_FORMAT ".", what, json_node_get_int (value));
  else
    g_string_append_printf (hints, "%s %s.", what,
                            g_ascii_formatd (buf, sizeof buf, "%g", json_node_get_double (value)));
}

static JsonNode *strict_copy (JsonNode *schema, guint depth);

static JsonNode *
strict_copy_object_of_schemas (JsonNode *node,
                               guint     depth)
{
  JsonObject *in = json_node_get_object (node);
  JsonObject *out = json_object_new ();
  g_autoptr(GList) members = json_object_get_members (in);
  JsonNode *ret;

  for (const GList *l = members; l != NULL; l = l->next)
    json_object_set_member (out, l->data,
                            strict_copy (json_object_get_member (in, l->data), depth + 1));

  ret = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (ret, out);
  return ret;
}

/* Makes an optional property nullable, as strict mode requires every
 * property to be listed in "required". */
static void
make_nullable (JsonNode *schema)
{
  JsonObject *obj;
  JsonNode *type;

  if (schema == NULL || !JSON_NODE_HOLDS_OBJECT (schema))
    return;
  obj = json_node_get_object (schema);
  type = json_object_get_member (obj, "type");
  if (type != NULL && JSON_NODE_HOLDS_VALUE (type) &&
      json_node_get_value_type (type) == G_TYPE_STRING)
    {
      JsonArray *types = json_array_new ();

      if (g_str_equal (json_node_get_string (type), "null"))
        {
          json_array_unref (types);
          return;
        }
      json_array_add_string_element (types, json_node_get_string (type));
      json_array_add_string_element (types, "null");
      json_object_set_array_member (obj, "type", types);
    }
  else if (type != NULL && JSON_NODE_HOLDS_ARRAY (type))
    {
      JsonArray *types = json_node_get_array (type);

      for (guint i = 0; i < json_array_get_length (types); i++)
        if (g_strcmp0 (string_or_null (json_array_get_element (types, i)), "null") == 0)
          return;
      json_array_add_string_element (types, "null");
    }
}

static JsonNode *
strict_copy (JsonNode *schema,
             guint     depth)
{
  JsonObject *in;
  JsonObject *out;
  g_autoptr(GList) members = NULL;
  g_autoptr(GString) hints = g_string_new (NULL);
  JsonNode *props_node;
  JsonNode *ret;

  if (schema == NULL)
    return json_node_new (JSON_NODE_NULL);
  if (!JSON_NODE_HOLDS_OBJECT (schema) || depth > 64)
    return json_node_copy (schema);

  in = json_node_get_object (schema);
  out = json_object_new ();
  members = json_object_get_members (in);

  for (const GList *l = members; l != NULL; l = l->next)
    {
      const char *key = l->data;
      JsonNode *value = json_object_get_member (in, key);

      if (g_str_equal (key, "const"))
        {
          /* "const" is the one-value "enum" */
          JsonArray *values = json_array_new ();

          json_array_add_element (values, json_node_copy (value));
          json_object_set_array_member (out, "enum", values);
          continue;
        }

      if (!is_strict_keyword (key))
        {
          if (g_str_equal (key, "minItems"))
            append_hint (hints, "At least this many items:", value);
          else if (g_str_equal (key, "maxItems"))
            append_hint (hints, "At most this many items:", value);
          else if (g_str_equal (key, "minimum"))
            append_hint (hints, "Minimum:", value);
          else if (g_str_equal (key, "maximum"))
            append_hint (hints, "Maximum:", value);
          else if (g_str_equal (key, "exclusiveMinimum"))
            append_hint (hints, "Greater than:", value);
          else if (g_str_equal (key, "exclusiveMaximum"))
            append_hint (hints, "Less than:", value);
          else if (g_str_equal (key, "minLength"))
            append_hint (hints, "At least this many characters:", value);
          else if (g_str_equal (key, "maxLength"))
            append_hint (hints, "At most this many characters:", value);
          continue;
        }

      if ((g_str_equal (key, "properties") || g_str_equal (key, "$defs") ||
           g_str_equal (key, "definitions")) && JSON_NODE_HOLDS_OBJECT (value))
        json_object_set_member (out, key, strict_copy_object_of_schemas (value, depth));
      else if ((g_str_equal (key, "items") || g_str_equal (key, "additionalProperties")) &&
               JSON_NODE_HOLDS_OBJECT (value))
        json_object_set_member (out, key, strict_copy (value, depth + 1));
      else if (g_str_equal (key, "anyOf") && JSON_NODE_HOLDS_ARRAY (value))
        {
          JsonArray *alts = json_node_get_array (value);
          JsonArray *copy = json_array_new ();

          for (guint i = 0; i < json_array_get_length (alts); i++)
            json_array_add_element (copy, strict_copy (json_array_get_element (alts, i), depth + 1));
          json_object_set_array_member (out, key, copy);
        }
      else
        json_object_set_member (out, key, json_node_copy (value));
    }

  if (hints->len > 0)
    {
      const char *desc = string_or_null (json_object_get_member (out, "description"));
      g_autofree char *merged = desc && *desc ? g_strdup_printf ("%s %s", desc, hints->str)
                                              : g_strdup (hints->str);

      json_object_set_string_member (out, "description", merged);
    }

  /* Objects: no additional properties, every property required. */
  props_node = json_object_get_member (out, "properties");
  if (props_node != NULL && JSON_NODE_HOLDS_OBJECT (props_node))
    {
      JsonObject *props = json_node_get_object (props_node);
      JsonNode *req_node = json_object_get_member (in, "required");
      g_autoptr(GList) names = json_object_get_members (props);
      JsonArray *required = json_array_new ();

      for (const GList *l = names; l != NULL; l = l->next)
        {
          gboolean was_required = FALSE;

          if (req_node != NULL && JSON_NODE_HOLDS_ARRAY (req_node))
            {
              JsonArray *req = json_node_get_array (req_node);

              for (guint i = 0; i < json_array_get_length (req) && !was_required; i++)
                was_required = g_strcmp0 (string_or_null (json_array_get_element (req, i)), l->data) == 0;
            }
          if (!was_required)
            make_nullable (json_object_get_member (props, l->data));
          json_array_add_string_element (required, l->data);
        }
      json_object_set_array_member (out, "required", required);
      json_object_set_boolean_member (out, "additionalProperties", FALSE);
    }

  ret = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (ret, out);
  return ret;
}

JsonNode *
cs_mode_schema_for_strict (JsonNode *schema)
{
  g_return_val_if_fail (schema != NULL, NULL);

  return strict_copy (schema, 0);
}
