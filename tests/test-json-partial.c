/* test-json-partial.c: closing the JSON a stream has sent so far
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "cs-engine.h"
#include "cs-json-partial.h"
#include "cs-json-util.h"

static char *
read_reply (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "replies", name, NULL);
  char *contents = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

static guint
array_length (JsonNode   *node,
              const char *member)
{
  JsonArray *array = cs_json_get_array (cs_json_node_object (node), member);

  return cs_json_array_length (array);
}

/* Every prefix of a real reply closes into JSON; the lists only grow; the
 * whole reply gives back exactly the reply. */
static void
test_every_prefix (gconstpointer data)
{
  const char *name = data;
  g_autofree char *reply = read_reply (name);
  gsize len = strlen (reply);
  const char *list = g_str_has_prefix (name, "architect") ? "components" : "steps";
  guint last_items = 0;
  guint parsed = 0;
  g_autoptr(JsonNode) whole = NULL;
  g_autoptr(JsonNode) closed = NULL;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  for (gsize cut = 0; cut <= len; cut++)
    {
      g_autoptr(JsonNode) node = cs_json_parse_partial (reply, cut);
      guint items;

      if (memchr (reply, '{', cut) == NULL)
        {
          g_assert_null (node);
          continue;
        }
      g_assert_nonnull (node);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
      items = array_length (node, list);
      g_assert_cmpuint (items, >=, last_items);
      last_items = items;
      parsed++;
    }
  g_assert_cmpuint (parsed, >, len / 2);

  whole = cs_json_parse_bounded (reply, -1, 0, NULL);
  closed = cs_json_parse_partial (reply, -1);
  g_assert_nonnull (whole);
  g_assert_nonnull (closed);
  a = cs_json_to_string (whole, FALSE);
  b = cs_json_to_string (closed, FALSE);
  g_assert_cmpstr (a, ==, b);
  g_assert_cmpuint (last_items, ==, array_length (whole, list));
}

static void
assert_closes_to (const char *prefix,
                  const char *expected)
{
  g_autofree char *closed = cs_json_close_partial (prefix, -1);

  g_assert_cmpstr (closed, ==, expected);
  if (expected != NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = cs_json_parse_bounded (closed, -1, 0, &error);

      g_assert_no_error (error);
      g_assert_nonnull (node);
    }
}

static void
test_cuts (void)
{
  assert_closes_to ("", NULL);
  assert_closes_to ("Sure, here is the design:\n```json\n", NULL);
  assert_closes_to ("```json\n{", "{}");
  /* a key cut, a key without its value, a value being typed */
  assert_closes_to ("{\"summ", "{}");
  assert_closes_to ("{\"summary\"", "{}");
  assert_closes_to ("{\"summary\": ", "{}");
  assert_closes_to ("{\"summary\": \"An event-dri", "{\"summary\": \"An event-dri\"}");
  assert_closes_to ("{\"a\": 1, \"b\": 12", "{\"a\": 1}");
  assert_closes_to ("{\"a\": 1, \"b\": tru", "{\"a\": 1}");
  assert_closes_to ("{\"a\": true ", "{\"a\": true}");
  assert_closes_to ("{\"a\": [1, 2", "{\"a\": [1]}");
  assert_closes_to ("{\"a\": [{\"name\": \"x\"}, {\"name\": \"y", "{\"a\": [{\"name\": \"x\"}, {\"name\": \"y\"}]}");
  assert_closes_to ("{\"a\": [{\"name\": \"x\"}, {\"na", "{\"a\": [{\"name\": \"x\"}, {}]}");
  assert_closes_to ("{\"a\": {\"b\": [", "{\"a\": {\"b\": []}}");
  assert_closes_to ("{\"a\": [\"x\", \"y", "{\"a\": [\"x\", \"y\"]}");
  /* after the top-level object: ignored */
  assert_closes_to ("{\"a\": 1}\n```\nThat is all.", "{\"a\": 1}");
  /* escapes and characters cut in the middle */
  assert_closes_to ("{\"s\": \"a\\", "{\"s\": \"a\"}");
  assert_closes_to ("{\"s\": \"a\\\"b", "{\"s\": \"a\\\"b\"}");
  assert_closes_to ("{\"s\": \"a\\u00", "{\"s\": \"a\"}");
  assert_closes_to ("{\"s\": \"a\\u00e9", "{\"s\": \"a\\u00e9\"}");
  assert_closes_to ("{\"s\": \"a\\ud83d", "{\"s\": \"a\"}");
  assert_closes_to ("{\"s\": \"a\\ud83d\\ude0", "{\"s\": \"a\"}");
  assert_closes_to ("{\"s\": \"a\\ud83d\\ude00", "{\"s\": \"a\\ud83d\\ude00\"}");
  assert_closes_to ("{\"s\": \"caf\xc3", "{\"s\": \"caf\"}");
  assert_closes_to ("{\"s\": \"caf\xc3\xa9", "{\"s\": \"caf\xc3\xa9\"}");
  /* a stray closer keeps what was safe before it */
  assert_closes_to ("{\"a\": [1]}", "{\"a\": [1]}");
  assert_closes_to ("{\"a\": [1}, \"b\": 2", "{\"a\": [1]}");
}

/* The length given is a bound: nothing past it is read. */
static void
test_length_bound (void)
{
  const char *text = "{\"summary\": \"abcdef\"}";
  g_autofree char *closed = cs_json_close_partial (text, 16);

  g_assert_cmpstr (closed, ==, "{\"summary\": \"abc\"}");
}

/* Hostile streams: deep nesting stops at the depth bound without recursion,
 * invalid JSON gives NULL from the parser, never a crash. */
static void
test_hostile (void)
{
  gsize n = 200000;
  g_autofree char *deep = g_malloc (n + 2);
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *closed = NULL;

  deep[0] = '{';
  deep[1] = '"';
  memset (deep + 2, '[', n - 2);
  deep[n] = '\0';
  memcpy (deep, "{\"a\":", 5);
  closed = cs_json_close_partial (deep, -1);
  g_assert_nonnull (closed);
  g_assert_cmpuint (strlen (closed), <, 2 * CS_JSON_DEFAULT_MAX_DEPTH + 16);
  node = cs_json_parse_partial (deep, -1);
  g_assert_nonnull (node);

  {
    g_autoptr(JsonNode) bad = cs_json_parse_partial ("{\"a\" 1 2 3, \"b\": \"x", -1);

    /* whatever it makes of it, it is JSON or nothing */
    if (bad != NULL)
      g_assert_true (JSON_NODE_HOLDS_OBJECT (bad));
  }
  {
    g_autoptr(JsonNode) ctl = cs_json_parse_partial ("{\"a\": \"x\x01y", -1);

    g_assert_null (ctl);
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_data_func ("/json-partial/every-prefix/architect-1", "architect-1.json", test_every_prefix);
  g_test_add_data_func ("/json-partial/every-prefix/architect-2", "architect-2.json", test_every_prefix);
  g_test_add_data_func ("/json-partial/every-prefix/support-1", "support-1.json", test_every_prefix);
  g_test_add_data_func ("/json-partial/every-prefix/support-2", "support-2.json", test_every_prefix);
  g_test_add_func ("/json-partial/cuts", test_cuts);
  g_test_add_func ("/json-partial/length-bound", test_length_bound);
  g_test_add_func ("/json-partial/hostile", test_hostile);

  return g_test_run ();
}
