/* cs-token-count.c: the one rule that turns text into tokens
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-token-count"

#include "config.h"

#include <string.h>

#include "cs-token-count.h"

gint64
cs_token_count (gsize size)
{
  return (gint64) (size / CS_TOKEN_BYTES + (size % CS_TOKEN_BYTES != 0));
}

gint64
cs_token_count_text (const char *text)
{
  return text != NULL ? cs_token_count (strlen (text)) : 0;
}

gsize
cs_token_messages_size (JsonNode *messages)
{
  JsonArray *array;
  gsize total = 0;

  if (messages == NULL || !JSON_NODE_HOLDS_ARRAY (messages))
    return 0;
  array = json_node_get_array (messages);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *e = json_array_get_element (array, i);
      JsonNode *content;

      if (!JSON_NODE_HOLDS_OBJECT (e))
        continue;
      content = json_object_get_member (json_node_get_object (e), "content");
      if (content != NULL && JSON_NODE_HOLDS_VALUE (content) &&
          json_node_get_value_type (content) == G_TYPE_STRING)
        total += strlen (json_node_get_string (content));
    }
  return total;
}

gint64
cs_token_count_messages (JsonNode *messages)
{
  return cs_token_count (cs_token_messages_size (messages));
}
