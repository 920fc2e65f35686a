/* cs-test-provider-rounds.c: the test provider's answers in follow-up rounds
 *
 * A follow-up round's prompt has a section "## Follow-up (round N)" and,
 * after step reports, "### Steps tried so far" with a fenced block per step
 * ("Title: …", "Command: …", "Outcome: worked|failed|skipped"). The
 * provider reads them back so that its answers change with the round (a
 * test can tell rounds apart) and never repeat a step reported as worked or
 * failed, as a real model is asked to.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-test-provider"

#include "config.h"

#include <string.h>

#include "cs-test-provider-rounds.h"

struct _CsTestRounds
{
  guint      round;
  GPtrArray *tried;     /* normalized titles and commands of worked or failed steps */
  GPtrArray *failed;    /* titles of failed steps, as written */
  char      *worked;    /* the title of a step that worked, or NULL */
};

static char *
normalize (const char *text)
{
  g_autofree char *lower = g_utf8_strdown (text != NULL ? text : "", -1);
  g_auto(GStrv) words = g_strsplit_set (lower, " \t\r\n", -1);
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; words[i] != NULL; i++)
    if (words[i][0] != '\0')
      g_string_append_printf (out, "%s%s", out->len > 0 ? " " : "", words[i]);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

void
cs_test_rounds_free (CsTestRounds *rounds)
{
  if (rounds == NULL)
    return;
  g_ptr_array_unref (rounds->tried);
  g_ptr_array_unref (rounds->failed);
  g_free (rounds->worked);
  g_free (rounds);
}

/* The step whose lines were read: added once its outcome is known. */
static void
add_step (CsTestRounds *rounds,
          const char   *title,
          const char   *command,
          const char   *outcome)
{
  if (g_strcmp0 (outcome, "worked") != 0 && g_strcmp0 (outcome, "failed") != 0)
    return;
  if (title != NULL)
    g_ptr_array_add (rounds->tried, normalize (title));
  if (command != NULL && command[0] != '\0')
    g_ptr_array_add (rounds->tried, normalize (command));
  if (g_strcmp0 (outcome, "failed") == 0 && title != NULL)
    g_ptr_array_add (rounds->failed, g_strdup (title));
  if (g_strcmp0 (outcome, "worked") == 0 && title != NULL && rounds->worked == NULL)
    rounds->worked = g_strdup (title);
}

CsTestRounds *
cs_test_rounds_parse (const char *user_text)
{
  const char *head = user_text != NULL ? strstr (user_text, "## Follow-up (round ") : NULL;
  const char *tried;
  g_auto(GStrv) lines = NULL;
  g_autofree char *title = NULL;
  g_autofree char *command = NULL;
  CsTestRounds *rounds;

  if (head == NULL)
    return NULL;
  rounds = g_new0 (CsTestRounds, 1);
  rounds->tried = g_ptr_array_new_with_free_func (g_free);
  rounds->failed = g_ptr_array_new_with_free_func (g_free);
  rounds->round = (guint)g_ascii_strtoull (head + strlen ("## Follow-up (round "), NULL, 10);

  tried = strstr (head, "### Steps tried so far");
  if (tried == NULL)
    return rounds;
  lines = g_strsplit (tried, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];

      if (g_str_has_prefix (line, "### What to do now"))
        break;
      if (g_str_has_prefix (line, "Title: "))
        {
          g_free (title);
          g_clear_pointer (&command, g_free);
          title = g_strdup (line + strlen ("Title: "));
        }
      else if (g_str_has_prefix (line, "Command: "))
        {
          g_free (command);
          command = g_strdup (line + strlen ("Command: "));
        }
      else if (g_str_has_prefix (line, "Outcome: ") && title != NULL)
        {
          add_step (rounds, title, command, line + strlen ("Outcome: "));
          g_clear_pointer (&title, g_free);
          g_clear_pointer (&command, g_free);
        }
    }
  return rounds;
}

gboolean
cs_test_rounds_is_tried (CsTestRounds *rounds,
                         const char   *text)
{
  g_autofree char *key = NULL;

  if (rounds == NULL || text == NULL)
    return FALSE;
  key = normalize (text);
  for (guint i = 0; i < rounds->tried->len; i++)
    if (g_str_equal (g_ptr_array_index (rounds->tried, i), key))
      return TRUE;
  return FALSE;
}

static void
add_round_step (CsTestRounds *rounds,
                JsonObject   *answer,
                const char   *service)
{
  JsonArray *steps = json_object_get_array_member (answer, "steps");
  JsonObject *o = json_object_new ();
  g_autofree char *title = g_strdup_printf ("Collect fresh evidence for round %u", rounds->round);
  g_autofree char *command = g_strdup_printf ("journalctl -u %s -n 200 --no-pager --since \"-%u hours\"",
                                              service, rounds->round);

  json_object_set_string_member (o, "title", title);
  json_object_set_string_member (o, "action", "Read the newest log lines again: every step suggested so far was tried.");
  json_object_set_string_member (o, "command", command);
  json_object_set_string_member (o, "expected", "No new errors since the last change.");
  json_object_set_string_member (o, "if_fails", "Escalate with these lines and the outputs of the steps tried.");
  json_object_set_string_member (o, "risk", "none");
  json_object_set_int_member (o, "effort_minutes", 5);
  json_array_add_object_element (steps, o);
}

void
cs_test_rounds_adjust (CsTestRounds *rounds,
                       JsonObject   *answer,
                       const char   *service)
{
  g_autoptr(GString) summary = NULL;
  const char *old;

  if (rounds == NULL || answer == NULL)
    return;

  old = json_object_has_member (answer, "summary") ? json_object_get_string_member (answer, "summary") : "";
  summary = g_string_new (NULL);
  g_string_append_printf (summary, "Round %u: ", rounds->round);
  if (rounds->failed->len > 0)
    {
      g_string_append (summary, "Ruled out: ");
      for (guint i = 0; i < rounds->failed->len; i++)
        g_string_append_printf (summary, "%s“%s”", i > 0 ? ", " : "",
                                (const char *)g_ptr_array_index (rounds->failed, i));
      g_string_append (summary, " (did not work). ");
    }
  if (rounds->worked != NULL)
    g_string_append_printf (summary, "Fixed by: “%s”. ", rounds->worked);
  g_string_append (summary, old != NULL ? old : "");
  json_object_set_string_member (answer, "summary", summary->str);

  if (json_object_has_member (answer, "steps") &&
      JSON_NODE_HOLDS_ARRAY (json_object_get_member (answer, "steps")) &&
      json_array_get_length (json_object_get_array_member (answer, "steps")) == 0)
    add_round_step (rounds, answer, service);

  if (json_object_has_member (answer, "trade_offs") &&
      JSON_NODE_HOLDS_ARRAY (json_object_get_member (answer, "trade_offs")))
    {
      g_autofree char *text = g_strdup_printf ("Round %u: the design was revised for the follow-up; "
                                               "what it changed costs a migration of its own.",
                                               rounds->round);

      json_array_add_string_element (json_object_get_array_member (answer, "trade_offs"), text);
    }
}
