/* test-think-splitter.c: a leading <think> block of an answer goes to the reasoning
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib.h>

#include "cs-stream-decoder.h"
#include "cs-think-splitter.h"

typedef struct {
  char *reasoning;
  char *answer;
} Split;

static void
split_clear (Split *s)
{
  g_clear_pointer (&s->reasoning, g_free);
  g_clear_pointer (&s->answer, g_free);
}

/* Feeds @text cut at the offsets in @cuts (ascending, @n_cuts of them). */
static Split
split_at (const char  *text,
          const gsize *cuts,
          guint        n_cuts)
{
  g_autoptr(CsThinkSplitter) splitter = cs_think_splitter_new ();
  GString *reasoning = g_string_new (NULL);
  GString *answer = g_string_new (NULL);
  gsize len = strlen (text);
  gsize from = 0;
  Split s;

  for (guint i = 0; i <= n_cuts; i++)
    {
      gsize to = i < n_cuts ? cuts[i] : len;

      cs_think_splitter_feed (splitter, text + from, to - from, reasoning, answer);
      from = to;
    }
  cs_think_splitter_finish (splitter, reasoning, answer);

  s.reasoning = g_string_free (reasoning, FALSE);
  s.answer = g_string_free (answer, FALSE);
  return s;
}

/* Every way of cutting @text in two and in three pieces, and byte by byte,
 * gives @reasoning and @answer. */
static void
assert_split (const char *text,
              const char *reasoning,
              const char *answer)
{
  gsize len = strlen (text);
  g_autofree gsize *bytes = g_new (gsize, len + 1);
  Split s;

  s = split_at (text, NULL, 0);
  g_assert_cmpstr (s.reasoning, ==, reasoning);
  g_assert_cmpstr (s.answer, ==, answer);
  split_clear (&s);

  for (gsize i = 0; i <= len; i++)
    for (gsize j = i; j <= len; j++)
      {
        gsize cuts[2] = { i, j };

        s = split_at (text, cuts, 2);
        if (g_strcmp0 (s.reasoning, reasoning) != 0 || g_strcmp0 (s.answer, answer) != 0)
          g_error ("cut at %" G_GSIZE_FORMAT " and %" G_GSIZE_FORMAT ": reasoning “%s”, answer “%s”",
                   i, j, s.reasoning, s.answer);
        split_clear (&s);
      }

  for (gsize i = 0; i < len; i++)
    bytes[i] = i + 1;
  s = split_at (text, bytes, len > 0 ? len - 1 : 0);
  g_assert_cmpstr (s.reasoning, ==, reasoning);
  g_assert_cmpstr (s.answer, ==, answer);
  split_clear (&s);
}

static void
test_leading_block (void)
{
  assert_split ("<think>Weigh the load.</think>{\"a\":1}", "Weigh the load.", "{\"a\":1}");
  /* White space before the block, inside the tags and after them goes. */
  assert_split ("\n  <think>\n\nWeigh it.\nThen write.\n</think>\n\n{\"a\":1}\n",
                "Weigh it.\nThen write.", "{\"a\":1}\n");
  /* Qwen3 with thinking switched off: an empty block. */
  assert_split ("<think>\n\n</think>\n\n{\"a\":1}", "", "{\"a\":1}");
  /* Tags inside the reasoning are its text, up to the first close. */
  assert_split ("<think>a <think> b</think>c</think>", "a <think> b", "c</think>");
  /* A near-close inside the reasoning is reasoning. */
  assert_split ("<think>x </thin y</think>z", "x </thin y", "z");
  /* UTF-8 on both sides. */
  assert_split ("<think>ça — 👋</think>Grüß", "ça — 👋", "Grüß");
}

static void
test_unterminated (void)
{
  /* The stream ended while the model was still thinking: all reasoning. */
  assert_split ("<think>\nStill weighing </thi", "Still weighing </thi", "");
  assert_split ("<think>", "", "");
  assert_split ("  <think> a  \n", "a", "");
}

static void
test_not_leading (void)
{
  assert_split ("{\"a\":\"<think>x</think>\"}", "", "{\"a\":\"<think>x</think>\"}");
  assert_split ("Sure. <think>x</think>", "", "Sure. <think>x</think>");
  assert_split ("<thinking>x</thinking>", "", "<thinking>x</thinking>");
  assert_split ("<Think>x</Think>", "", "<Think>x</Think>");
  /* What may have been the tag's start, then the end: text, kept whole. */
  assert_split ("  <thi", "", "  <thi");
  assert_split ("\n\n", "", "\n\n");
  assert_split ("", "", "");
  assert_split ("  {\"a\":1}", "", "  {\"a\":1}");
}

static void
collect_text (const CsStreamEvent *event,
              gpointer             user_data)
{
  if (event->type == CS_STREAM_EVENT_TEXT)
    g_string_append_len (user_data, event->text, event->len);
}

/* A recorded DeepSeek-R1 stream from Ollama, its tags cut across chunks. */
static void
test_recorded (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "streams", "ollama-think.ndjson", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(CsStreamDecoder) decoder = NULL;
  gsize len = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  decoder = cs_stream_decoder_new (CS_API_OLLAMA, collect_text, text);
  cs_stream_decoder_feed (decoder, contents, len);
  g_assert_true (cs_stream_decoder_finish (decoder));
  g_assert_true (g_str_has_prefix (text->str, "<think>\n"));

  assert_split (text->str,
                "Okay, the user wants a queue. Peaks are short; a log fits — ça marche.",
                "{\"summary\":\"Use Kafka\"}");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/think-splitter/leading-block", test_leading_block);
  g_test_add_func ("/think-splitter/unterminated", test_unterminated);
  g_test_add_func ("/think-splitter/not-leading", test_not_leading);
  g_test_add_func ("/think-splitter/recorded", test_recorded);

  return g_test_run ();
}
