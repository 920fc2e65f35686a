/* fuzz-reply.c: libFuzzer harness for reading a model's reply
 *
 * The input is a reply's text (cut at its first NUL): the JSON object is
 * extracted (whole text, fenced block or first balanced {...}) and the reply
 * is parsed and validated for both modes. Checks: a node or an error, never
 * both; an extracted node is an object; a parsed reply also validates against
 * the mode's schema; messages are valid UTF-8 (they go back to the model in a
 * repair request).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cs-json-schema.h"
#include "cs-mode.h"
#include "fuzz-common.h"

static void
check_error (JsonNode *node,
             GError   *error)
{
  if (node == NULL)
    {
      fuzz_check (error != NULL);
      fuzz_check (error->message != NULL && error->message[0] != '\0');
      fuzz_check (g_utf8_validate (error->message, -1, NULL));
    }
  else
    fuzz_check (error == NULL);
}

static void
parse_reply (CsMode      mode,
             const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = cs_mode_parse_reply (mode, text, &error);

  check_error (node, error);
  if (node != NULL)
    {
      g_autoptr(GError) schema_error = NULL;

      fuzz_check (JSON_NODE_HOLDS_OBJECT (node));
      if (!cs_json_schema_validate (cs_mode_get_schema (mode), node, &schema_error))
        fuzz_fail ("a parsed reply does not match its schema: %s", schema_error->message);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  fuzz_setup ();
  text = fuzz_strndup (data, size);

  node = cs_mode_extract_json (text, &error);
  check_error (node, error);
  if (node != NULL)
    fuzz_check (JSON_NODE_HOLDS_OBJECT (node));

  parse_reply (CS_MODE_ARCHITECT, text);
  parse_reply (CS_MODE_SUPPORT, text);

  return 0;
}
