/* test-mode.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "cs-json-schema.h"
#include "cs-mode.h"

static char *
read_reply (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "replies", name, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

static void
assert_contains (const char *haystack,
                 const char *needle)
{
  if (haystack == NULL || strstr (haystack, needle) == NULL)
    g_error ("“%s” not found in:\n%s", needle, haystack ? haystack : "(null)");
}

static void
assert_not_contains (const char *haystack,
                     const char *needle)
{
  if (haystack != NULL && strstr (haystack, needle) != NULL)
    g_error ("“%s” unexpectedly found in:\n%s", needle, haystack);
}

/* ------------------------------------------------------------------------ */

/* Walks every subschema: objects must be closed and require every property. */
static guint
walk_strict_objects (JsonNode *schema,
                     guint     depth)
{
  JsonObject *obj;
  JsonNode *props;
  JsonNode *items;
  guint n = 0;

  g_assert_cmpuint (depth, <, 16);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (schema));
  obj = json_node_get_object (schema);

  if (g_strcmp0 (json_object_get_string_member_with_default (obj, "type", ""), "object") == 0)
    {
      JsonArray *required;
      g_autoptr(GList) names = NULL;

      g_assert_true (json_object_has_member (obj, "properties"));
      g_assert_true (json_object_has_member (obj, "additionalProperties"));
      g_assert_false (json_object_get_boolean_member (obj, "additionalProperties"));

      props = json_object_get_member (obj, "properties");
      required = json_object_get_array_member (obj, "required");
      g_assert_nonnull (required);
      g_assert_cmpuint (json_array_get_length (required), ==,
                        json_object_get_size (json_node_get_object (props)));
      names = json_object_get_members (json_node_get_object (props));
      for (const GList *l = names; l != NULL; l = l->next)
        {
          gboolean found = FALSE;

          for (guint i = 0; i < json_array_get_length (required); i++)
            found |= g_strcmp0 (json_array_get_string_element (required, i), l->data) == 0;
          if (!found)
            g_error ("property %s is not required", (const char *)l->data);
          n += walk_strict_objects (json_object_get_member (json_node_get_object (props), l->data),
                                    depth + 1);
        }
      n++;
    }

  if ((items = json_object_get_member (obj, "items")) != NULL)
    n += walk_strict_objects (items, depth + 1);

  return n;
}

static void
test_schemas_load (void)
{
  JsonNode *architect = cs_mode_get_schema (CS_MODE_ARCHITECT);
  JsonNode *support = cs_mode_get_schema (CS_MODE_SUPPORT);
  JsonObject *props;

  g_assert_nonnull (architect);
  g_assert_nonnull (support);
  g_assert_true (architect != support);
  /* cached */
  g_assert_true (cs_mode_get_schema (CS_MODE_ARCHITECT) == architect);

  /* root + components, data_stores, apis, connections, decisions, risks */
  g_assert_cmpuint (walk_strict_objects (architect, 0), ==, 7);
  /* root + likely_causes, steps */
  g_assert_cmpuint (walk_strict_objects (support, 0), ==, 3);

  props = json_object_get_object_member (json_node_get_object (architect), "properties");
  g_assert_true (json_object_has_member (props, "monthly_cost_usd"));
  g_assert_true (json_object_has_member (props, "mermaid"));
  props = json_object_get_object_member (json_node_get_object (support), "properties");
  g_assert_true (json_object_has_member (props, "steps"));
  g_assert_true (json_object_has_member (props, "escalate_when"));

  g_assert_cmpstr (cs_mode_get_schema_name (CS_MODE_ARCHITECT), ==, "architecture_candidate");
  g_assert_cmpstr (cs_mode_get_schema_name (CS_MODE_SUPPORT), ==, "troubleshooting_candidate");
  g_assert_cmpstr (cs_mode_get_label (CS_MODE_ARCHITECT), ==, "Systems Architect");
  g_assert_cmpstr (cs_mode_get_label (CS_MODE_SUPPORT), ==, "Tech Support");
}

static void
test_angles_and_keys (void)
{
  const CsAngle *angles;
  const char * const *keys;
  guint n = 0;

  angles = cs_mode_get_angles (CS_MODE_ARCHITECT, &n);
  g_assert_cmpuint (n, ==, 4);
  g_assert_cmpstr (angles[0].id, ==, "performance");
  g_assert_cmpstr (angles[1].id, ==, "cost");
  g_assert_cmpstr (angles[2].id, ==, "operability");
  g_assert_cmpstr (angles[3].id, ==, "simplicity");
  g_assert_cmpstr (angles[2].label, ==, "Security and operability first");
  for (guint i = 0; i < n; i++)
    g_assert_cmpuint (strlen (angles[i].instruction), >, 80);

  angles = cs_mode_get_angles (CS_MODE_SUPPORT, &n);
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpstr (angles[0].id, ==, "likely-cause");
  g_assert_cmpstr (angles[1].id, ==, "cheapest-checks");
  g_assert_cmpstr (angles[2].id, ==, "layer-by-layer");
  assert_contains (angles[2].instruction, "bottom-up");

  g_assert_true (cs_mode_find_angle (CS_MODE_SUPPORT, "cheapest-checks") == &angles[1]);
  g_assert_null (cs_mode_find_angle (CS_MODE_SUPPORT, "cost"));
  g_assert_null (cs_mode_find_angle (CS_MODE_ARCHITECT, NULL));
  g_assert_cmpstr (cs_mode_find_angle (CS_MODE_ARCHITECT, "cost")->label, ==, "Cost first");

  keys = cs_mode_get_constraint_keys (CS_MODE_ARCHITECT);
  g_assert_cmpuint (g_strv_length ((char **)keys), ==, 4);
  g_assert_cmpstr (keys[0], ==, "budget");
  g_assert_cmpstr (keys[1], ==, "technologies");
  g_assert_cmpstr (keys[2], ==, "scale");
  g_assert_cmpstr (keys[3], ==, "hosting");
  keys = cs_mode_get_constraint_keys (CS_MODE_SUPPORT);
  g_assert_cmpuint (g_strv_length ((char **)keys), ==, 3);
  g_assert_cmpstr (keys[0], ==, "os");
  g_assert_cmpstr (keys[1], ==, "stack");
  g_assert_cmpstr (keys[2], ==, "tried");

  g_assert_cmpstr (cs_mode_get_constraint_label ("budget"), ==, "Budget");
  g_assert_cmpstr (cs_mode_get_constraint_label ("technologies"), ==, "Preferred technologies");
  g_assert_cmpstr (cs_mode_get_constraint_label ("hosting"), ==, "Cloud or on-premises");
  g_assert_cmpstr (cs_mode_get_constraint_label ("tried"), ==, "Already tried");
  g_assert_cmpstr (cs_mode_get_constraint_label ("team-size"), ==, "team-size");
}

/* ------------------------------------------------------------------------ */

static const char *
message_content (JsonNode   *messages,
                 guint       index,
                 const char *role)
{
  JsonArray *array = json_node_get_array (messages);
  JsonObject *msg = json_array_get_object_element (array, index);

  g_assert_cmpstr (json_object_get_string_member (msg, "role"), ==, role);
  g_assert_cmpuint (json_object_get_size (msg), ==, 2);
  return json_object_get_string_member (msg, "content");
}

static void
assert_mentions_every_property (const char *text,
                                JsonNode   *schema,
                                guint       depth)
{
  JsonObject *obj = json_node_get_object (schema);

  if (json_object_has_member (obj, "properties"))
    {
      JsonObject *props = json_object_get_object_member (obj, "properties");
      g_autoptr(GList) names = json_object_get_members (props);

      for (const GList *l = names; l != NULL; l = l->next)
        {
          assert_contains (text, l->data);
          assert_mentions_every_property (text, json_object_get_member (props, l->data), depth + 1);
        }
    }
  if (json_object_has_member (obj, "items"))
    assert_mentions_every_property (text, json_object_get_member (obj, "items"), depth + 1);
}

static void
test_messages_architect (void)
{
  const char * const keys[] = { "budget", "technologies", "scale", "hosting", "team-size", NULL };
  const char * const values[] = { "3000 USD per month", "Go, PostgreSQL", "20k orders/day\n4k GPS fixes/s",
                                  "AWS", "4 engineers", NULL };
  const CsAngle *angle = cs_mode_find_angle (CS_MODE_ARCHITECT, "cost");
  g_autoptr(JsonNode) messages = NULL;
  const char *system, *user;

  messages = cs_mode_build_messages (CS_MODE_ARCHITECT,
                                     "  Design real-time order tracking for a food delivery startup.\n",
                                     keys, values, angle, FALSE);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (messages));
  g_assert_cmpuint (json_array_get_length (json_node_get_array (messages)), ==, 2);

  system = message_content (messages, 0, "system");
  user = message_content (messages, 1, "user");

  assert_contains (system, "principal software architect");
  assert_contains (system, angle->instruction);
  assert_contains (system, "flowchart LR");
  assert_contains (system, "US dollars");
  assert_mentions_every_property (system, cs_mode_get_schema (CS_MODE_ARCHITECT), 0);
  /* the response format carries the schema: not repeated */
  assert_not_contains (system, "\"additionalProperties\"");

  g_assert_true (g_str_has_prefix (user, "## Problem\n\nDesign real-time order tracking for a food delivery startup.\n\n## Constraints\n\n"));
  assert_contains (user, "\n- Budget: 3000 USD per month\n");
  assert_contains (user, "\n- Preferred technologies: Go, PostgreSQL\n");
  assert_contains (user, "\n- Expected scale: 20k orders/day\n  4k GPS fixes/s\n");
  assert_contains (user, "\n- Cloud or on-premises: AWS\n");
  assert_contains (user, "\n- team-size: 4 engineers\n");
  assert_contains (user, "Respect every constraint above.");
}

static void
test_messages_support_schema_in_prompt (void)
{
  const char * const keys[] = { "os", "stack", "tried", "budget", NULL };
  const char * const values[] = { "Ubuntu 22.04", "PostgreSQL 15, Django 4.2", "restarting the app", "   ", NULL };
  const CsAngle *angle = cs_mode_find_angle (CS_MODE_SUPPORT, "layer-by-layer");
  g_autoptr(JsonNode) messages = NULL;
  g_autoptr(JsonNode) schema_copy = NULL;
  const char *system, *user, *schema_start;

  messages = cs_mode_build_messages (CS_MODE_SUPPORT, "Connection refused on port 5432 after a reboot.",
                                     keys, values, angle, TRUE);
  system = message_content (messages, 0, "system");
  user = message_content (messages, 1, "user");

  assert_contains (system, "site reliability engineer");
  assert_contains (system, angle->instruction);
  assert_contains (system, "single JSON object and nothing else");
  assert_mentions_every_property (system, cs_mode_get_schema (CS_MODE_SUPPORT), 0);

  /* the schema itself is in the prompt, and it is the mode's schema */
  schema_start = strstr (system, "JSON Schema:\n");
  g_assert_nonnull (schema_start);
  schema_copy = cs_json_parse_bounded (schema_start + strlen ("JSON Schema:\n"), -1, 0, NULL);
  g_assert_nonnull (schema_copy);
  g_assert_true (json_node_equal (schema_copy, cs_mode_get_schema (CS_MODE_SUPPORT)));

  assert_contains (user, "Connection refused on port 5432 after a reboot.");
  assert_contains (user, "\n- Operating system: Ubuntu 22.04\n");
  assert_contains (user, "\n- Stack: PostgreSQL 15, Django 4.2\n");
  assert_contains (user, "\n- Already tried: restarting the app\n");
  /* blank values are left out */
  assert_not_contains (user, "Budget");
}

static void
test_messages_no_constraints (void)
{
  g_autoptr(JsonNode) messages = NULL;
  const char *system, *user;

  messages = cs_mode_build_messages (CS_MODE_ARCHITECT, "A URL shortener.", NULL, NULL, NULL, FALSE);
  system = message_content (messages, 0, "system");
  user = message_content (messages, 1, "user");

  assert_not_contains (system, "The emphasis of this answer");
  g_clear_pointer (&messages, json_node_unref);

  /* invalid UTF-8 pasted into the problem or a constraint is replaced */
  {
    const char * const keys[] = { "stack", NULL };
    const char * const values[] = { "caf\xc3 \xff", NULL };

    messages = cs_mode_build_messages (CS_MODE_SUPPORT, "bin\xfe\xff" "ary", keys, values, NULL, FALSE);
    user = message_content (messages, 1, "user");
    g_assert_true (g_utf8_validate (user, -1, NULL));
    assert_contains (user, "bin\xef\xbf\xbd\xef\xbf\xbd" "ary");
    assert_contains (user, "- Stack: caf\xef\xbf\xbd \xef\xbf\xbd\n");
  }
  g_clear_pointer (&messages, json_node_unref);
  messages = cs_mode_build_messages (CS_MODE_ARCHITECT, "A URL shortener.", NULL, NULL, NULL, FALSE);
  user = message_content (messages, 1, "user");
  assert_contains (user, "## Constraints\n\nNone were stated.");
  assert_not_contains (user, "\n- ");
}

/* ------------------------------------------------------------------------ */

static JsonNode *
extract_ok (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = cs_mode_extract_json (text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return node;
}

static void
extract_fails (const char *text,
               const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = cs_mode_extract_json (text, &error);

  g_assert_null (node);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_cmpstr (error->message, ==, expected);
}

static const char *
member_string (JsonNode   *node,
               const char *name)
{
  return json_object_get_string_member (json_node_get_object (node), name);
}

static void
test_extract (void)
{
  g_autoptr(GString) deep = g_string_new ("Here: ");
  JsonNode *node;

  node = extract_ok ("{\"a\": \"plain\"}");
  g_assert_cmpstr (member_string (node, "a"), ==, "plain");
  json_node_unref (node);

  node = extract_ok ("\n\n  {\"a\": \"spaced\"}  \n");
  g_assert_cmpstr (member_string (node, "a"), ==, "spaced");
  json_node_unref (node);

  node = extract_ok ("Here you go:\n```json\n{\"a\": \"fenced\"}\n```\nAnything else?");
  g_assert_cmpstr (member_string (node, "a"), ==, "fenced");
  json_node_unref (node);

  node = extract_ok ("```JSON\n{\"a\": \"upper\"}\n```");
  g_assert_cmpstr (member_string (node, "a"), ==, "upper");
  json_node_unref (node);

  /* a bare fence; a fence of another language before it is skipped */
  node = extract_ok ("Run:\n```sh\necho {}\n```\nResult:\n```\n{\"a\": \"bare fence\"}\n```\n");
  g_assert_cmpstr (member_string (node, "a"), ==, "bare fence");
  json_node_unref (node);

  /* prose around a bare object, with braces in the prose and in strings */
  node = extract_ok ("Use {placeholders} carefully. {\"a\": \"}{ not a brace\", \"b\": {\"c\": \"\\\"}\"}} Done {x}.");
  g_assert_cmpstr (member_string (node, "a"), ==, "}{ not a brace");
  json_node_unref (node);

  /* reasoning before the answer, with an object inside it */
  node = extract_ok ("<think>Maybe {\"a\": \"draft\"}? No.</think>\n{\"a\": \"final\"}");
  g_assert_cmpstr (member_string (node, "a"), ==, "final");
  json_node_unref (node);

  /* a reply that starts inside a think block (opening tag in the template) */
  node = extract_ok ("so the answer is {\"a\": \"draft\"}</think>{\"a\": \"after close\"}");
  g_assert_cmpstr (member_string (node, "a"), ==, "after close");
  json_node_unref (node);

  node = extract_ok ("<thinking>{\"a\": 1}</thinking>```json\n{\"a\": \"thinking tag\"}\n```");
  g_assert_cmpstr (member_string (node, "a"), ==, "thinking tag");
  json_node_unref (node);

  extract_fails ("", "The reply is empty: it contains no JSON object.");
  extract_fails ("  \n", "The reply is empty: it contains no JSON object.");
  extract_fails ("<think>{\"a\": 1} and then the stream ended",
                 "The reply contains only reasoning (<think>) and no JSON object.");
  extract_fails ("I cannot help with that.",
                 "The reply is not JSON: it contains no JSON object ({…}).");
  extract_fails ("{\"a\": 1, \"b\": [1, 2",
                 "The reply is not JSON: line 1, column 20: unexpected end of the text: the JSON is incomplete.");
  extract_fails ("Sure: {\"a\": [1, 2",
                 "The reply is not JSON: a JSON object starts but never closes; the reply may have been cut off.");
  extract_fails ("[1, 2]", "The reply is JSON but not a JSON object: expected {…}, got an array [...].");
  extract_fails ("{'a': 1}",
                 "The reply is not JSON: line 1, column 2: expected a property name in double quotes.");

  /* hostile nesting fails cleanly */
  for (guint i = 0; i < 100000; i++)
    g_string_append (deep, "{\"a\":");
  g_string_append_c (deep, '1');
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (deep, '}');
  extract_fails (deep->str,
                 "The reply is not JSON: line 1, column 641: nested deeper than 128 levels.");
}

/* ------------------------------------------------------------------------ */

static void
parse_ok (CsMode      mode,
          const char *file)
{
  g_autofree char *text = read_reply (file);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = cs_mode_parse_reply (mode, text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
}

static void
test_parse_valid_replies (void)
{
  g_autofree char *text = NULL;
  g_autoptr(JsonNode) node = NULL;

  parse_ok (CS_MODE_ARCHITECT, "architect-1.json");
  parse_ok (CS_MODE_ARCHITECT, "architect-2.json");
  parse_ok (CS_MODE_ARCHITECT, "architect-3.json");
  parse_ok (CS_MODE_ARCHITECT, "architect-wrapped.txt");
  parse_ok (CS_MODE_SUPPORT, "support-1.json");
  parse_ok (CS_MODE_SUPPORT, "support-2.json");
  parse_ok (CS_MODE_SUPPORT, "support-3.json");
  parse_ok (CS_MODE_SUPPORT, "support-prose.txt");

  /* a valid answer wrapped in one member, or encoded as a JSON string */
  {
    g_autofree char *a1 = read_reply ("support-1.json");
    g_autoptr(JsonNode) a1_node = cs_json_parse_bounded (a1, -1, 0, NULL);
    g_autoptr(JsonNode) as_string = json_node_new (JSON_NODE_VALUE);
    g_autofree char *wrapped = g_strdup_printf ("{\"troubleshooting_candidate\": %s}", a1);
    g_autofree char *encoded = NULL;
    g_autoptr(JsonNode) w = NULL;
    g_autoptr(JsonNode) e = NULL;
    g_autoptr(GError) error = NULL;

    w = cs_mode_parse_reply (CS_MODE_SUPPORT, wrapped, &error);
    g_assert_no_error (error);
    g_assert_true (json_node_equal (w, a1_node));

    json_node_set_string (as_string, a1);
    encoded = json_to_string (as_string, FALSE);
    g_assert_true (encoded[0] == '"');
    e = cs_mode_parse_reply (CS_MODE_SUPPORT, encoded, &error);
    g_assert_no_error (error);
    g_assert_true (json_node_equal (e, a1_node));
  }

  /* the wrapped reply is architect-2 */
  text = read_reply ("architect-wrapped.txt");
  node = cs_mode_parse_reply (CS_MODE_ARCHITECT, text, NULL);
  g_assert_cmpfloat (json_object_get_double_member (json_node_get_object (node), "monthly_cost_usd"),
                     ==, 1450.5);
}

static void
parse_fails (CsMode      mode,
             const char *file_or_text,
             gboolean    is_file,
             GQuark      domain,
             int         code,
             const char *expected)
{
  g_autofree char *text = is_file ? read_reply (file_or_text) : g_strdup (file_or_text);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = cs_mode_parse_reply (mode, text, &error);

  g_assert_null (node);
  g_assert_error (error, domain, code);
  g_assert_cmpstr (error->message, ==, expected);
}

static void
test_parse_invalid_replies (void)
{
  parse_fails (CS_MODE_ARCHITECT, "architect-invalid.json", TRUE, CS_SCHEMA_ERROR, CS_SCHEMA_ERROR_INVALID,
               "The JSON object does not match the required schema: "
               "$: missing required property \"mermaid\"; "
               "$.components[0].technology: expected string, got number; "
               "$.apis[0].style: \"soap\" is not one of \"rest\", \"grpc\", \"graphql\", \"websocket\", \"event\", \"batch\", \"other\"; "
               "$.monthly_cost_usd: expected number, got string; "
               "$: unexpected property \"diagram\"");
  parse_fails (CS_MODE_SUPPORT, "support-invalid.json", TRUE, CS_SCHEMA_ERROR, CS_SCHEMA_ERROR_INVALID,
               "The JSON object does not match the required schema: "
               "$: missing required property \"escalate_when\"; "
               "$.likely_causes[0].likelihood: \"certain\" is not one of \"high\", \"medium\", \"low\"; "
               "$.steps[0].risk: \"extreme\" is not one of \"none\", \"low\", \"medium\", \"high\"; "
               "$.steps[0].effort_minutes: expected integer, got number; "
               "$.steps[1].effort_minutes: 2000 is greater than the maximum 1440; "
               "and 1 more problem");
  parse_fails (CS_MODE_ARCHITECT, "truncated.txt", TRUE, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               "The reply is not JSON: line 5, column 68: unterminated string.");
  /* a support reply is not an architecture */
  parse_fails (CS_MODE_ARCHITECT, "support-1.json", TRUE, CS_SCHEMA_ERROR, CS_SCHEMA_ERROR_INVALID,
               "The JSON object does not match the required schema: "
               "$: missing required property \"components\"; "
               "$: missing required property \"data_stores\"; "
               "$: missing required property \"apis\"; "
               "$: missing required property \"connections\"; "
               "$: missing required property \"decisions\"; "
               "and 7 more problems");
  /* a wrapper around an invalid answer is reported as it is */
  parse_fails (CS_MODE_SUPPORT, "{\"answer\": {\"summary\": \"s\"}}", FALSE,
               CS_SCHEMA_ERROR, CS_SCHEMA_ERROR_INVALID,
               "The JSON object does not match the required schema: "
               "$: missing required property \"summary\"; "
               "$: missing required property \"likely_causes\"; "
               "$: missing required property \"steps\"; "
               "$: missing required property \"escalate_when\"; "
               "$: unexpected property \"answer\"");
  parse_fails (CS_MODE_SUPPORT, "{\"summary\":\"s\",\"likely_causes\":[],\"steps\":[],\"escalate_when\":\"e\"}",
               FALSE, CS_SCHEMA_ERROR, CS_SCHEMA_ERROR_INVALID,
               "The JSON object does not match the required schema: $.steps: expected at least 1 item, got 0");
}

static void
test_parse_normalizes_mermaid (void)
{
  g_autofree char *text = read_reply ("architect-1.json");
  g_autoptr(JsonNode) original = cs_json_parse_bounded (text, -1, 0, NULL);
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *fenced_text = NULL;
  JsonObject *obj = json_node_get_object (original);
  g_autofree char *diagram = g_strdup (json_object_get_string_member (obj, "mermaid"));
  g_autofree char *fenced = g_strdup_printf ("```mermaid\n%s\n```", diagram);

  json_object_set_string_member (obj, "mermaid", fenced);
  fenced_text = json_to_string (original, FALSE);
  node = cs_mode_parse_reply (CS_MODE_ARCHITECT, fenced_text, NULL);
  g_assert_nonnull (node);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "mermaid"), ==, diagram);
  g_assert_true (g_str_has_prefix (diagram, "flowchart LR\n"));
}

/* A node called "end" breaks a Mermaid flowchart; labels, longer words and
 * the keyword closing a subgraph are kept. */
static void
test_sanitize_mermaid (void)
{
  static const struct { const char *in, *out; } cases[] = {
    { "flowchart LR\n  start --> end", "flowchart LR\n  start --> end_" },
    { "flowchart LR\n  end[\"end of the line\"] -->|end| a(end)",
      "flowchart LR\n  end_[\"end of the line\"] -->|end| a(end)" },
    { "flowchart LR\n  subgraph s\n    a --> b\n  end\n  s --> end\n  end;",
      "flowchart LR\n  subgraph s\n    a --> b\n  end\n  s --> end_\n  end;" },
    { "flowchart LR\n  backend --> endpoint\n  frontend-->end", "flowchart LR\n  backend --> endpoint\n  frontend-->end_" },
    { "style end fill:#f9f\nclick end \"https://example.org/end\"",
      "style end_ fill:#f9f\nclick end_ \"https://example.org/end\"" },
    { "end", "end" },
    { "", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = cs_mode_sanitize_mermaid (cases[i].in);

      g_assert_cmpstr (out, ==, cases[i].out);
    }

  /* and parsed candidates get it */
  {
    g_autofree char *text = read_reply ("architect-1.json");
    g_autoptr(JsonNode) original = cs_json_parse_bounded (text, -1, 0, NULL);
    g_autoptr(JsonNode) node = NULL;
    g_autofree char *json = NULL;

    json_object_set_string_member (json_node_get_object (original), "mermaid",
                                   "flowchart LR\n  api --> end");
    json = json_to_string (original, FALSE);
    node = cs_mode_parse_reply (CS_MODE_ARCHITECT, json, NULL);
    g_assert_nonnull (node);
    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "mermaid"), ==,
                     "flowchart LR\n  api --> end_");
  }
}

/* ------------------------------------------------------------------------ */

static void
test_repair_messages (void)
{
  g_autoptr(JsonNode) messages = cs_mode_build_messages (CS_MODE_SUPPORT, "Disk full.", NULL, NULL, NULL, TRUE);
  g_autoptr(JsonNode) repair = NULL;
  g_autoptr(JsonNode) repair_big = NULL;
  g_autoptr(GString) big = g_string_new ("{\"summary\": \"");
  const char *system, *assistant, *user;

  repair = cs_mode_build_repair_messages (messages, "{\"summary\": 1}",
                                          "$.summary: expected string, got number");
  g_assert_cmpuint (json_array_get_length (json_node_get_array (repair)), ==, 4);
  /* the original messages are copied, not moved */
  g_assert_cmpuint (json_array_get_length (json_node_get_array (messages)), ==, 2);
  system = message_content (repair, 0, "system");
  g_assert_cmpstr (system, ==, message_content (messages, 0, "system"));
  g_assert_cmpstr (message_content (repair, 1, "user"), ==, message_content (messages, 1, "user"));
  assistant = message_content (repair, 2, "assistant");
  g_assert_cmpstr (assistant, ==, "{\"summary\": 1}");
  user = message_content (repair, 3, "user");
  assert_contains (user, "$.summary: expected string, got number");
  assert_contains (user, "corrected, complete JSON object only");

  /* a huge reply is cut at a character boundary */
  for (guint i = 0; i < 30000; i++)
    g_string_append (big, "é");
  repair_big = cs_mode_build_repair_messages (messages, big->str, NULL);
  assistant = message_content (repair_big, 2, "assistant");
  g_assert_cmpuint (strlen (assistant), <=, 20 * 1024 + 64);
  g_assert_cmpuint (strlen (assistant), >=, 20 * 1024 - 4);
  g_assert_true (g_utf8_validate (assistant, -1, NULL));
  assert_contains (assistant, "[… the rest of this reply was cut]");
  assert_contains (message_content (repair_big, 3, "user"), "does not match the required format");
}

/* ------------------------------------------------------------------------ */

static const char * const rejected_keywords[] = {
  "minItems", "maxItems", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
  "multipleOf", "minLength", "maxLength", "pattern", "format", "uniqueItems",
  "minProperties", "maxProperties", "patternProperties", "default", "const", NULL,
};

static void
assert_no_rejected_keywords (JsonNode *node,
                             guint     depth)
{
  g_assert_cmpuint (depth, <, 32);

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        assert_no_rejected_keywords (json_array_get_element (array, i), depth + 1);
    }
  else if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *obj = json_node_get_object (node);
      g_autoptr(GList) names = json_object_get_members (obj);

      for (const GList *l = names; l != NULL; l = l->next)
        {
          /* names under "properties" are data fields, not keywords */
          if (!json_object_has_member (obj, "type") && !json_object_has_member (obj, "description") &&
              !json_object_has_member (obj, "properties") && !json_object_has_member (obj, "items"))
            {
              assert_no_rejected_keywords (json_object_get_member (obj, l->data), depth + 1);
              continue;
            }
          if (g_strv_contains (rejected_keywords, l->data))
            g_error ("rejected keyword %s left in the strict schema", (const char *)l->data);
          assert_no_rejected_keywords (json_object_get_member (obj, l->data), depth + 1);
        }
    }
}

static void
test_strict_schema (void)
{
  g_autoptr(JsonNode) architect = cs_mode_schema_for_strict (cs_mode_get_schema (CS_MODE_ARCHITECT));
  g_autoptr(JsonNode) support = cs_mode_schema_for_strict (cs_mode_get_schema (CS_MODE_SUPPORT));
  g_autoptr(JsonNode) custom_schema = NULL;
  g_autoptr(JsonNode) custom = NULL;
  g_autofree char *text = NULL;
  JsonObject *props, *effort;

  assert_no_rejected_keywords (architect, 0);
  assert_no_rejected_keywords (support, 0);
  g_assert_cmpuint (walk_strict_objects (architect, 0), ==, 7);
  g_assert_cmpuint (walk_strict_objects (support, 0), ==, 3);

  /* the originals keep their bounds */
  props = json_object_get_object_member (json_node_get_object (cs_mode_get_schema (CS_MODE_SUPPORT)), "properties");
  g_assert_true (json_object_has_member (json_object_get_object_member (props, "steps"), "minItems"));

  /* the bounds move into the description; enums and descriptions stay */
  props = json_object_get_object_member (json_node_get_object (support), "properties");
  effort = json_object_get_object_member (
    json_object_get_object_member (
      json_object_get_object_member (json_object_get_object_member (props, "steps"), "items"),
      "properties"),
    "effort_minutes");
  g_assert_cmpstr (json_object_get_string_member (effort, "description"), ==,
                   "Realistic time for the step, in whole minutes. Minimum: 0. Maximum: 1440.");
  g_assert_cmpstr (json_object_get_string_member (effort, "type"), ==, "integer");
  assert_contains (json_object_get_string_member (json_object_get_object_member (props, "steps"), "description"),
                   "At least this many items: 1.");

  text = json_to_string (architect, FALSE);
  assert_contains (text, "\"enum\":[\"rest\",\"grpc\",\"graphql\",\"websocket\",\"event\",\"batch\",\"other\"]");
  assert_contains (text, "a single number, not a range. Minimum: 0.");

  /* optional properties become required and nullable; const becomes enum */
  custom_schema = cs_json_parse_bounded ("{\"type\":\"object\",\"properties\":{"
                                         "\"a\":{\"type\":\"string\",\"pattern\":\"^x\",\"format\":\"uri\"},"
                                         "\"b\":{\"type\":\"integer\",\"const\":3}},"
                                         "\"required\":[\"b\"]}", -1, 0, NULL);
  custom = cs_mode_schema_for_strict (custom_schema);
  g_clear_pointer (&text, g_free);
  text = json_to_string (custom, FALSE);
  g_assert_cmpstr (text, ==,
                   "{\"type\":\"object\",\"properties\":{"
                   "\"a\":{\"type\":[\"string\",\"null\"]},"
                   "\"b\":{\"type\":\"integer\",\"enum\":[3]}},"
                   "\"required\":[\"a\",\"b\"],\"additionalProperties\":false}");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/mode/schemas-load", test_schemas_load);
  g_test_add_func ("/mode/angles-and-keys", test_angles_and_keys);
  g_test_add_func ("/mode/messages/architect", test_messages_architect);
  g_test_add_func ("/mode/messages/support-schema-in-prompt", test_messages_support_schema_in_prompt);
  g_test_add_func ("/mode/messages/no-constraints", test_messages_no_constraints);
  g_test_add_func ("/mode/extract", test_extract);
  g_test_add_func ("/mode/parse/valid", test_parse_valid_replies);
  g_test_add_func ("/mode/parse/invalid", test_parse_invalid_replies);
  g_test_add_func ("/mode/parse/mermaid-fence", test_parse_normalizes_mermaid);
  g_test_add_func ("/mode/sanitize-mermaid", test_sanitize_mermaid);
  g_test_add_func ("/mode/repair-messages", test_repair_messages);
  g_test_add_func ("/mode/strict-schema", test_strict_schema);

  return g_test_run ();
}
