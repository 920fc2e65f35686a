/* test-schema.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "cs-json-schema.h"

static JsonNode *
parse (const char *json)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = cs_json_parse_bounded (json, -1, 1000, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  return node;
}

/* Validates @instance_json against @schema_json; @expected NULL means it
 * must pass, else the exact error message. */
static void
check (const char *schema_json,
       const char *instance_json,
       const char *expected)
{
  g_autoptr(JsonNode) schema = parse (schema_json);
  g_autoptr(JsonNode) instance = parse (instance_json);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = cs_json_schema_validate (schema, instance, &error);
  if (expected == NULL)
    {
      g_assert_no_error (error);
      g_assert_true (ok);
    }
  else
    {
      g_assert_false (ok);
      g_assert_error (error, CS_SCHEMA_ERROR, CS_SCHEMA_ERROR_INVALID);
      g_assert_cmpstr (error->message, ==, expected);
    }
}

static void
check_bad_schema (const char *schema_json,
                  const char *instance_json,
                  const char *expected_part)
{
  g_autoptr(JsonNode) schema = parse (schema_json);
  g_autoptr(JsonNode) instance = parse (instance_json);
  g_autoptr(GError) error = NULL;

  g_assert_false (cs_json_schema_validate (schema, instance, &error));
  g_assert_error (error, CS_SCHEMA_ERROR, CS_SCHEMA_ERROR_BAD_SCHEMA);
  if (strstr (error->message, expected_part) == NULL)
    g_error ("“%s” does not contain “%s”", error->message, expected_part);
}

static void
test_type (void)
{
  check ("{\"type\":\"string\"}", "\"x\"", NULL);
  check ("{\"type\":\"string\"}", "3", "$: expected string, got number");
  check ("{\"type\":\"string\"}", "null", "$: expected string, got null");
  check ("{\"type\":\"integer\"}", "3", NULL);
  check ("{\"type\":\"integer\"}", "3.0", NULL);
  check ("{\"type\":\"integer\"}", "-7e2", NULL);
  check ("{\"type\":\"integer\"}", "3.5", "$: expected integer, got number");
  check ("{\"type\":\"integer\"}", "\"3\"", "$: expected integer, got string");
  check ("{\"type\":\"number\"}", "3", NULL);
  check ("{\"type\":\"number\"}", "3.25", NULL);
  check ("{\"type\":\"number\"}", "true", "$: expected number, got boolean");
  check ("{\"type\":\"boolean\"}", "false", NULL);
  check ("{\"type\":\"boolean\"}", "0", "$: expected boolean, got number");
  check ("{\"type\":\"null\"}", "null", NULL);
  check ("{\"type\":\"null\"}", "{}", "$: expected null, got object");
  check ("{\"type\":\"object\"}", "{}", NULL);
  check ("{\"type\":\"object\"}", "[]", "$: expected object, got array");
  check ("{\"type\":\"array\"}", "[]", NULL);
  check ("{\"type\":\"array\"}", "{}", "$: expected array, got object");
  /* arrays of types */
  check ("{\"type\":[\"string\",\"null\"]}", "null", NULL);
  check ("{\"type\":[\"string\",\"null\"]}", "\"a\"", NULL);
  check ("{\"type\":[\"string\",\"null\"]}", "1", "$: expected string or null, got number");
  check ("{\"type\":[\"string\",\"integer\",\"null\"]}", "1.5",
         "$: expected string, integer or null, got number");
  /* no type: anything goes */
  check ("{}", "[1,{\"a\":null}]", NULL);
}

static void
test_required_properties (void)
{
  const char *schema =
    "{\"type\":\"object\",\"required\":[\"summary\",\"steps\"],"
    " \"properties\":{\"summary\":{\"type\":\"string\"},\"steps\":{\"type\":\"array\"}}}";

  check (schema, "{\"summary\":\"s\",\"steps\":[]}", NULL);
  check (schema, "{\"summary\":\"s\"}", "$: missing required property \"steps\"");
  check (schema, "{}", "$: missing required property \"summary\"; "
                       "$: missing required property \"steps\"");
  check (schema, "{\"summary\":1,\"steps\":[]}", "$.summary: expected string, got number");
  /* without additionalProperties, other members are allowed */
  check (schema, "{\"summary\":\"s\",\"steps\":[],\"extra\":1}", NULL);
}

static void
test_nested_paths (void)
{
  const char *schema =
    "{\"type\":\"object\",\"properties\":{\"components\":{\"type\":\"array\","
    " \"items\":{\"type\":\"object\",\"required\":[\"name\",\"technology\"],"
    "  \"properties\":{\"name\":{\"type\":\"string\"},\"technology\":{\"type\":\"string\"}}}}}}";

  check (schema, "{\"components\":[{\"name\":\"a\",\"technology\":\"b\"}]}", NULL);
  check (schema,
         "{\"components\":[{\"name\":\"a\",\"technology\":\"b\"},{\"name\":\"c\",\"technology\":5}]}",
         "$.components[1].technology: expected string, got number");
  check (schema, "{\"components\":[{\"name\":\"a\"}]}",
         "$.components[0]: missing required property \"technology\"");
  check (schema, "{\"components\":[7]}", "$.components[0]: expected object, got number");
}

static void
test_additional_properties (void)
{
  const char *closed =
    "{\"type\":\"object\",\"properties\":{\"steps\":{\"type\":\"array\",\"items\":"
    " {\"type\":\"object\",\"additionalProperties\":false,\"properties\":{\"title\":{\"type\":\"string\"}}}}}}";

  check (closed, "{\"steps\":[{\"title\":\"t\"}]}", NULL);
  check (closed, "{\"steps\":[{\"title\":\"t\",\"foo\":1}]}",
         "$.steps[0]: unexpected property \"foo\"");
  check ("{\"additionalProperties\":false}", "{\"a\\\"b\":1}", "$: unexpected property \"a\\\"b\"");

  /* a schema for the others */
  check ("{\"additionalProperties\":{\"type\":\"integer\"}}", "{\"x\":1,\"y\":2}", NULL);
  check ("{\"additionalProperties\":{\"type\":\"integer\"}}", "{\"x\":\"a\"}",
         "$.x: expected integer, got string");
  check ("{\"additionalProperties\":{\"type\":\"integer\"}}", "{\"a b\":\"c\"}",
         "$[\"a b\"]: expected integer, got string");
  check ("{\"properties\":{\"a\":{}},\"additionalProperties\":true}", "{\"a\":1,\"b\":2}", NULL);
}

static void
test_enum_const (void)
{
  const char *schema =
    "{\"properties\":{\"steps\":{\"items\":{\"properties\":{\"risk\":"
    " {\"type\":\"string\",\"enum\":[\"none\",\"low\",\"medium\",\"high\"]}}}}}}";

  check (schema, "{\"steps\":[{\"risk\":\"low\"}]}", NULL);
  check (schema, "{\"steps\":[{\"risk\":\"low\"},{\"risk\":\"none\"},{\"risk\":\"extreme\"}]}",
         "$.steps[2].risk: \"extreme\" is not one of \"none\", \"low\", \"medium\", \"high\"");
  check ("{\"enum\":[1,\"two\",null,[1,2],{\"a\":true}]}", "1.0", NULL);
  check ("{\"enum\":[1,\"two\",null,[1,2],{\"a\":true}]}", "null", NULL);
  check ("{\"enum\":[1,\"two\",null,[1,2],{\"a\":true}]}", "[1,2]", NULL);
  check ("{\"enum\":[1,\"two\",null,[1,2],{\"a\":true}]}", "{\"a\":true}", NULL);
  check ("{\"enum\":[1,\"two\",null,[1,2],{\"a\":true}]}", "{\"a\":false}",
         "$: an object is not one of 1, \"two\", null, an array, an object");
  check ("{\"enum\":[1,2]}", "2.5", "$: 2.5 is not one of 1, 2");
  check ("{\"enum\":[]}", "1", "$: 1 is not allowed (the list of allowed values is empty)");

  check ("{\"const\":\"x\"}", "\"x\"", NULL);
  check ("{\"const\":\"x\"}", "\"y\"", "$: expected \"x\", got \"y\"");
  check ("{\"const\":{\"a\":[1,{\"b\":null}]}}", "{\"a\":[1,{\"b\":null}]}", NULL);
  check ("{\"const\":{\"a\":[1,{\"b\":null}]}}", "{\"a\":[1,{\"b\":0}]}",
         "$: expected an object, got an object");
}

static void
test_array_bounds (void)
{
  check ("{\"type\":\"array\",\"items\":{\"type\":\"string\"}}", "[\"a\",\"b\"]", NULL);
  check ("{\"type\":\"array\",\"items\":{\"type\":\"string\"}}", "[\"a\",2,\"c\",false]",
         "$[1]: expected string, got number; $[3]: expected string, got boolean");
  check ("{\"minItems\":1}", "[1]", NULL);
  check ("{\"minItems\":1}", "[]", "$: expected at least 1 item, got 0");
  check ("{\"minItems\":3}", "[1]", "$: expected at least 3 items, got 1");
  check ("{\"maxItems\":2}", "[1,2]", NULL);
  check ("{\"maxItems\":2}", "[1,2,3]", "$: expected at most 2 items, got 3");
  /* minItems on a non-array does not apply */
  check ("{\"minItems\":3}", "\"abc\"", NULL);
}

static void
test_number_bounds (void)
{
  check ("{\"minimum\":0}", "0", NULL);
  check ("{\"minimum\":0}", "-1", "$: -1 is less than the minimum 0");
  check ("{\"minimum\":0.5}", "0.25", "$: 0.25 is less than the minimum 0.5");
  check ("{\"maximum\":1440}", "1440", NULL);
  check ("{\"maximum\":1440}", "1441", "$: 1441 is greater than the maximum 1440");
  check ("{\"exclusiveMinimum\":0}", "0.001", NULL);
  check ("{\"exclusiveMinimum\":0}", "0", "$: 0 is not greater than the exclusive minimum 0");
  check ("{\"exclusiveMaximum\":5}", "4.99", NULL);
  check ("{\"exclusiveMaximum\":5}", "5", "$: 5 is not less than the exclusive maximum 5");
  /* draft 4 booleans */
  check ("{\"minimum\":0,\"exclusiveMinimum\":true}", "0",
         "$: 0 is not greater than the exclusive minimum 0");
  check ("{\"maximum\":10,\"exclusiveMaximum\":true}", "9", NULL);
  check ("{\"maximum\":10,\"exclusiveMaximum\":false}", "10", NULL);
  /* both ends */
  check ("{\"type\":\"integer\",\"minimum\":0,\"maximum\":1440}", "2000",
         "$: 2000 is greater than the maximum 1440");
  /* bounds on a string do not apply */
  check ("{\"minimum\":5}", "\"a\"", NULL);
}

static void
test_string_length (void)
{
  check ("{\"minLength\":3}", "\"abc\"", NULL);
  /* characters, not bytes: "héé" is 3 characters, 5 bytes */
  check ("{\"minLength\":4}", "\"h\\u00e9\\u00e9\"", "$: expected at least 4 characters, got 3");
  check ("{\"maxLength\":3}", "\"h\\u00e9\\u00e9\"", NULL);
  check ("{\"maxLength\":2}", "\"abc\"", "$: expected at most 2 characters, got 3");
  check ("{\"minLength\":1}", "\"\"", "$: expected at least 1 character, got 0");
}

static void
test_any_of (void)
{
  const char *schema = "{\"anyOf\":[{\"type\":\"string\"},{\"type\":\"object\",\"required\":[\"a\"]}]}";

  check (schema, "\"x\"", NULL);
  check (schema, "{\"a\":1}", NULL);
  check (schema, "{}",
         "$: matches none of the 2 allowed alternatives (closest: $: expected string, got object)");
  check ("{\"properties\":{\"v\":{\"anyOf\":[{\"type\":\"integer\",\"minimum\":10},{\"type\":\"null\"}]}}}",
         "{\"v\":3}",
         "$.v: matches none of the 2 allowed alternatives (closest: $.v: 3 is less than the minimum 10)");
}

static void
test_boolean_schemas (void)
{
  check ("true", "{\"anything\":[1]}", NULL);
  check ("false", "1", "$: no value is allowed here");
  check ("{\"properties\":{\"a\":false}}", "{\"a\":1}", "$.a: no value is allowed here");
  check ("{\"properties\":{\"a\":false}}", "{\"b\":1}", NULL);
}

static void
test_problem_limit (void)
{
  const char *schema =
    "{\"required\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\"]}";

  check (schema, "{}",
         "$: missing required property \"a\"; $: missing required property \"b\"; "
         "$: missing required property \"c\"; $: missing required property \"d\"; "
         "$: missing required property \"e\"; and 2 more problems");
  check ("{\"required\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\"]}", "{}",
         "$: missing required property \"a\"; $: missing required property \"b\"; "
         "$: missing required property \"c\"; $: missing required property \"d\"; "
         "$: missing required property \"e\"; and 1 more problem");
}

static void
test_long_values_quoted_short (void)
{
  g_autoptr(GString) big = g_string_new ("\"");
  g_autoptr(JsonNode) schema = parse ("{\"enum\":[\"a\"]}");
  g_autoptr(JsonNode) instance = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 10000; i++)
    g_string_append_c (big, 'x');
  g_string_append_c (big, '"');
  instance = parse (big->str);

  g_assert_false (cs_json_schema_validate (schema, instance, &error));
  g_assert_error (error, CS_SCHEMA_ERROR, CS_SCHEMA_ERROR_INVALID);
  g_assert_cmpuint (strlen (error->message), <, 200);
  g_assert_true (strstr (error->message, "…\" is not one of \"a\"") != NULL);
}

static void
test_bad_schema (void)
{
  g_autoptr(JsonNode) instance = parse ("{}");
  g_autoptr(GError) error = NULL;

  g_assert_false (cs_json_schema_validate (NULL, instance, &error));
  g_assert_error (error, CS_SCHEMA_ERROR, CS_SCHEMA_ERROR_BAD_SCHEMA);

  check_bad_schema ("\"object\"", "{}", "a schema must be an object or a boolean, not string");
  check_bad_schema ("[]", "{}", "not array");
  check_bad_schema ("{\"type\":\"strnig\"}", "1", "unknown type \"strnig\"");
  check_bad_schema ("{\"type\":[]}", "1", "\"type\" is an empty array");
  check_bad_schema ("{\"type\":[\"string\",3]}", "1", "not a type name");
  check_bad_schema ("{\"type\":7}", "1", "\"type\" must be a string or an array of strings");
  check_bad_schema ("{\"required\":\"a\"}", "{}", "\"required\" must be an array of strings");
  check_bad_schema ("{\"required\":[1]}", "{}", "\"required\" must be an array of strings");
  check_bad_schema ("{\"properties\":[]}", "{}", "\"properties\" must be an object");
  /* found even when the instance never reaches it */
  check_bad_schema ("{\"properties\":{\"a\":{\"properties\":{\"b\":3}}}}", "{}",
                    "Unusable schema at #/properties/a/properties/b");
  check_bad_schema ("{\"minItems\":-1}", "[]", "\"minItems\" must be a non-negative integer");
  check_bad_schema ("{\"maxLength\":1.5}", "\"\"", "\"maxLength\" must be a non-negative integer");
  check_bad_schema ("{\"minimum\":\"0\"}", "1", "\"minimum\" must be a number");
  check_bad_schema ("{\"enum\":\"a\"}", "1", "\"enum\" must be an array");
  check_bad_schema ("{\"anyOf\":[]}", "1", "\"anyOf\" must be a non-empty array");
  check_bad_schema ("{\"anyOf\":[3]}", "1", "#/anyOf/0");
  check_bad_schema ("{\"items\":[{}]}", "[]", "tuple validation");
  check_bad_schema ("{\"additionalProperties\":\"no\"}", "{}", "#/additionalProperties");
}

/* A schema nested @depth levels of "items". */
static JsonNode *
nested_items_schema (guint depth)
{
  g_autoptr(GString) json = g_string_new (NULL);

  for (guint i = 0; i < depth; i++)
    g_string_append (json, "{\"items\":");
  g_string_append (json, "{\"type\":\"integer\"}");
  for (guint i = 0; i < depth; i++)
    g_string_append_c (json, '}');
  return parse (json->str);
}

/* An instance nested @depth arrays deep, built without the parser. */
static JsonNode *
nested_array_instance (guint depth)
{
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);
  JsonArray *inner = json_array_new ();

  json_array_add_string_element (inner, "deep");
  json_node_take_array (node, inner);
  for (guint i = 0; i < depth; i++)
    {
      JsonNode *outer = json_node_new (JSON_NODE_ARRAY);
      JsonArray *array = json_array_new ();

      json_array_add_element (array, node);
      json_node_take_array (outer, array);
      node = outer;
    }
  return node;
}

static void
test_hostile_depth (void)
{
  g_autoptr(JsonNode) deep_schema = nested_items_schema (200);
  g_autoptr(JsonNode) ok_schema = nested_items_schema (40);
  g_autoptr(JsonNode) instance = nested_array_instance (2000);
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) deep_text = g_string_new (NULL);
  JsonNode *node;

  /* a schema nested past the limit is refused cleanly */
  g_assert_false (cs_json_schema_validate (deep_schema, instance, &error));
  g_assert_error (error, CS_SCHEMA_ERROR, CS_SCHEMA_ERROR_BAD_SCHEMA);
  g_assert_nonnull (strstr (error->message, "nested deeper than 64 levels"));
  g_clear_error (&error);

  /* a deep instance is walked only as deep as the schema reaches */
  g_assert_false (cs_json_schema_validate (ok_schema, instance, &error));
  g_assert_error (error, CS_SCHEMA_ERROR, CS_SCHEMA_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==,
                   "$[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]"
                   "[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]"
                   ": expected integer, got array");
  g_clear_error (&error);

  /* json-glib alone would overflow the stack on this */
  for (guint i = 0; i < 200000; i++)
    g_string_append_c (deep_text, '[');
  node = cs_json_parse_bounded (deep_text->str, -1, 0, &error);
  g_assert_null (node);
  g_assert_error (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_PARSE);
  g_assert_cmpstr (error->message, ==, "line 1, column 129: nested deeper than 128 levels");
  g_clear_error (&error);

  g_string_truncate (deep_text, 0);
  for (guint i = 0; i < 100000; i++)
    g_string_append (deep_text, "{\"a\":");
  node = cs_json_parse_bounded (deep_text->str, -1, 0, &error);
  g_assert_null (node);
  g_assert_error (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_PARSE);
  g_clear_error (&error);

  /* the limit is configurable, and exactly max_depth levels are fine */
  node = cs_json_parse_bounded ("[[[1]]]", -1, 3, &error);
  g_assert_no_error (error);
  g_assert_nonnull (node);
  json_node_unref (node);
  node = cs_json_parse_bounded ("[[[[1]]]]", -1, 3, &error);
  g_assert_null (node);
  g_assert_error (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_PARSE);
}

static void
check_parse_fails (const char *text,
                   const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = cs_json_parse_bounded (text, -1, 0, &error);

  g_assert_null (node);
  g_assert_nonnull (error);
  g_assert_true (error->domain == JSON_PARSER_ERROR);
  g_assert_cmpstr (error->message, ==, expected);
}

static void
test_parse_bounded (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *obj;

  node = cs_json_parse_bounded (" {\"a\": [1, 2.5, \"x\\u00e9\\ud83d\\ude00\", true, null, {}],\n \"b\": -0.5e3} ",
                                -1, 0, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  obj = json_node_get_object (node);
  g_assert_cmpfloat (json_object_get_double_member (obj, "b"), ==, -500.0);
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (obj, "a"), 2),
                   ==, "xé😀");
  /* the node is mutable for callers */
  json_object_set_int_member (obj, "c", 1);

  /* a length cuts the text */
  g_clear_pointer (&node, json_node_unref);
  node = cs_json_parse_bounded ("[1]garbage", 3, 0, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (node));

  /* what json-glib would accept but JSON does not */
  check_parse_fails ("{\"a\": /* c */ 1}", "line 1, column 7: unexpected character '/': a value is expected");
  check_parse_fails ("{'a': 1}", "line 1, column 2: expected a property name in double quotes");
  check_parse_fails ("[\"\\ud800x\"]", "line 1, column 9: lone high surrogate in a \\u escape");
  check_parse_fails ("[\"\\udc00\"]", "line 1, column 9: lone low surrogate in a \\u escape");
  check_parse_fails ("[99999999999999999999]", "line 1, column 2: integer out of range");
  check_parse_fails ("[1e400]", "line 1, column 2: number out of range");
  check_parse_fails ("{\"a\":1}{}", "line 1, column 8: unexpected text after the JSON value");
  check_parse_fails ("[1,]", "line 1, column 4: unexpected character ']': a value is expected");
  check_parse_fails ("[01]", "line 1, column 3: expected ',' or ']'");
  check_parse_fails ("{\"a\":1,}", "line 1, column 8: expected a property name in double quotes");
  check_parse_fails ("{\"a\" 1}", "line 1, column 6: expected ':' after a property name");
  check_parse_fails ("[NaN]", "line 1, column 2: unexpected character 'N': a value is expected");
  check_parse_fails ("[tru]", "line 1, column 2: unexpected character 't'");
  check_parse_fails ("[\xc3\xa9]", "line 1, column 2: unexpected character 'é': a value is expected");
  check_parse_fails ("[\x01]", "line 1, column 2: unexpected character U+0001: a value is expected");
  check_parse_fails ("[\"a\nb\"]", "line 1, column 4: control character inside a string");
  check_parse_fails ("[\"\\x\"]", "line 1, column 4: invalid escape sequence in a string");
  check_parse_fails ("{\"a\":\n  [1, 2\n", "line 3, column 1: unexpected end of the text: the JSON is incomplete");
  check_parse_fails ("[\"abc", "line 1, column 6: unterminated string");
  check_parse_fails ("", "line 1, column 1: no JSON value");
  check_parse_fails ("   ", "line 1, column 4: no JSON value");
  check_parse_fails ("[1.]", "line 1, column 4: invalid number: digits expected after '.'");
  check_parse_fails ("[1e]", "line 1, column 4: invalid number: digits expected in the exponent");
  check_parse_fails ("[-]", "line 1, column 3: invalid number");
  check_parse_fails ("[\"\xff\"]", "byte 2: the text is not valid UTF-8");
}

static void
test_null_instance (void)
{
  g_autoptr(JsonNode) schema = parse ("{\"type\":\"object\"}");
  g_autoptr(GError) error = NULL;

  g_assert_false (cs_json_schema_validate (schema, NULL, &error));
  g_assert_error (error, CS_SCHEMA_ERROR, CS_SCHEMA_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "$: no value");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/schema/type", test_type);
  g_test_add_func ("/schema/required-properties", test_required_properties);
  g_test_add_func ("/schema/nested-paths", test_nested_paths);
  g_test_add_func ("/schema/additional-properties", test_additional_properties);
  g_test_add_func ("/schema/enum-const", test_enum_const);
  g_test_add_func ("/schema/array-bounds", test_array_bounds);
  g_test_add_func ("/schema/number-bounds", test_number_bounds);
  g_test_add_func ("/schema/string-length", test_string_length);
  g_test_add_func ("/schema/any-of", test_any_of);
  g_test_add_func ("/schema/boolean-schemas", test_boolean_schemas);
  g_test_add_func ("/schema/problem-limit", test_problem_limit);
  g_test_add_func ("/schema/long-values", test_long_values_quoted_short);
  g_test_add_func ("/schema/bad-schema", test_bad_schema);
  g_test_add_func ("/schema/hostile-depth", test_hostile_depth);
  g_test_add_func ("/schema/parse-bounded", test_parse_bounded);
  g_test_add_func ("/schema/null-instance", test_null_instance);

  return g_test_run ();
}
