/* cs-partial-answer.c: what a streamed answer holds so far, for a label
 *
 * The JSON a candidate has sent so far, closed by cs_json_parse_partial()
 * and read by the typed result model, without the item the stream is in
 * the middle of; and text from the network made fit for a plain label.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-partial-answer"

#include "config.h"

#include <string.h>

#include "cs-json-partial.h"
#include "cs-partial-answer.h"

/* How deep the JSON object starting at the first '{' of @text is nested at
 * its end (0 once it closed), and whether it ends inside a string. */
static guint
open_depth (const char *text,
            gsize       len,
            gboolean   *in_string)
{
  const char *p = memchr (text, '{', len);
  const char *end = text + len;
  gboolean string = FALSE, escaped = FALSE;
  guint depth = 0;

  *in_string = FALSE;
  for (; p != NULL && p < end; p++)
    {
      if (string)
        {
          if (escaped)
            escaped = FALSE;
          else if (*p == '\\')
            escaped = TRUE;
          else if (*p == '"')
            string = FALSE;
          continue;
        }
      if (*p == '"')
        string = TRUE;
      else if (*p == '{' || *p == '[')
        depth++;
      else if ((*p == '}' || *p == ']') && --depth == 0)
        return 0;
    }
  *in_string = string;
  return depth;
}

/* The stream is in the middle of an element of the list it sends (the
 * last member so far): that element is not complete, and goes. Member
 * names are the result model's business: this one goes by position. */
static void
drop_open_item (JsonNode   *root,
                const char *text,
                gsize       len)
{
  gboolean in_string;
  guint depth = open_depth (text, len, &in_string);
  g_autoptr(GList) values = NULL;
  JsonNode *last;

  if (depth < 2 || (depth == 2 && !in_string))
    return;
  values = json_object_get_values (json_node_get_object (root));
  last = values != NULL ? g_list_last (values)->data : NULL;
  if (last != NULL && JSON_NODE_HOLDS_ARRAY (last) && json_array_get_length (json_node_get_array (last)) > 0)
    json_array_remove_element (json_node_get_array (last), json_array_get_length (json_node_get_array (last)) - 1);
}

gboolean
cs_partial_answer_read (const char   *text,
                        gsize         len,
                        CsBlueprint **blueprint,
                        CsChecklist **checklist)
{
  g_autoptr(JsonNode) root = cs_json_parse_partial (text, len);

  *blueprint = NULL;
  *checklist = NULL;
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return FALSE;

  drop_open_item (root, text, len);
  *blueprint = cs_blueprint_new_from_json (root, NULL);
  *checklist = cs_checklist_new_from_json (root, NULL);
  if (*blueprint == NULL || *checklist == NULL)
    {
      g_clear_pointer (blueprint, cs_blueprint_unref);
      g_clear_pointer (checklist, cs_checklist_unref);
      return FALSE;
    }
  return TRUE;
}

static gboolean
is_space (gunichar c)
{
  return c == '\t' || c == '\n' || c == '\r' || c == 0x85 || c == 0x2028 || c == 0x2029;
}

static gboolean
is_dropped (gunichar c)
{
  /* control characters; direction marks, embeddings, overrides, isolates */
  return c < 0x20 || (c >= 0x7F && c < 0xA0) ||
         c == 0x200E || c == 0x200F || (c >= 0x202A && c <= 0x202E) ||
         (c >= 0x2066 && c <= 0x2069) || c == 0xFEFF;
}

char *
cs_clean_label_text (const char *text,
                     gsize       len,
                     gsize       max_chars,
                     gboolean    keep_lines)
{
  GString *out = g_string_sized_new (MIN (len, max_chars * 2) + 4);
  const char *end = NULL;
  const char *p;
  gsize n = 0;

  g_utf8_validate (text, len, &end);
  for (p = text; p < end && n < max_chars; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (is_space (c) || c == ' ')
        {
          gboolean line = keep_lines && c != '\t' && c != ' ';
          char prev = out->len > 0 ? out->str[out->len - 1] : '\n';

          /* runs of white space and blank lines become one */
          if (line && prev != '\n')
            {
              if (prev == ' ')
                g_string_truncate (out, out->len - 1);
              g_string_append_c (out, '\n');
            }
          else if (!line && prev != ' ' && prev != '\n')
            g_string_append_c (out, ' ');
          continue;
        }
      if (is_dropped (c))
        continue;
      g_string_append_unichar (out, c);
      n++;
    }
  while (out->len > 0 && (out->str[out->len - 1] == ' ' || out->str[out->len - 1] == '\n'))
    g_string_truncate (out, out->len - 1);
  if (p < end)
    g_string_append (out, "…");
  return g_string_free (out, FALSE);
}
