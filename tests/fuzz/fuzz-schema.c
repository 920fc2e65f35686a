/* fuzz-schema.c: libFuzzer harness for the bounded JSON parser and the
 * JSON Schema validator
 *
 * The input is an untrusted reply: it is parsed with cs_json_parse_bounded()
 * and, when it parses, validated against the architect and support candidate
 * schemas. Checks: an error whenever NULL/FALSE comes back and none
 * otherwise, error messages in valid UTF-8 (they go back to the model and to
 * the person), and what json-glib writes for a parsed value parses again.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cs-json-schema.h"
#include "cs-json-util.h"
#include "cs-mode.h"
#include "fuzz-common.h"

static void
validate (CsMode    mode,
          JsonNode *instance)
{
  JsonNode *schema = cs_mode_get_schema (mode);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  fuzz_check (schema != NULL);
  ok = cs_json_schema_validate (schema, instance, &error);
  if (ok)
    {
      fuzz_check (error == NULL);
      fuzz_check (JSON_NODE_HOLDS_OBJECT (instance));
    }
  else
    {
      fuzz_check (error != NULL);
      fuzz_check (error->domain == CS_SCHEMA_ERROR);
      fuzz_check (error->message != NULL && error->message[0] != '\0');
      fuzz_check (g_utf8_validate (error->message, -1, NULL));
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) again = NULL;
  g_autofree char *text = NULL;
  g_autofree char *text_again = NULL;

  fuzz_setup ();

  node = cs_json_parse_bounded ((const char *) data, (gssize) size, 0, &error);
  if (node == NULL)
    {
      fuzz_check (error != NULL);
      fuzz_check (g_utf8_validate (error->message, -1, NULL));
      return 0;
    }
  fuzz_check (error == NULL);

  validate (CS_MODE_ARCHITECT, node);
  validate (CS_MODE_SUPPORT, node);

  /* What the engine writes (run files, request bodies) must be strict JSON
   * again, and stable. */
  text = cs_json_to_string (node, FALSE);
  again = cs_json_parse_bounded (text, -1, 0, &error);
  if (again == NULL)
    fuzz_fail ("cs_json_to_string()'s output does not parse again: %s\n%s", error->message, text);
  text_again = cs_json_to_string (again, FALSE);
  if (g_strcmp0 (text, text_again) != 0)
    fuzz_fail ("JSON text changes when parsed and written again:\n%s\n%s", text, text_again);

  return 0;
}
