/* test-ui.c: the real window against the in-process test provider
 *
 * Runs under Xvfb (tools/test.sh): writes a providers.ini for the test
 * provider into a temporary XDG_CONFIG_HOME, drives the real CsWindow
 * (problem text, mode, models, the run action), waits for the run, checks
 * the cards' badges, the blueprint and the checklist, ticks a step and
 * finds it in the run file, exports Markdown, then "restarts" (a new
 * application and window over the same data directory) and reopens the run
 * from the sidebar.
 *
 * Set CS_TEST_UI_SHOTS=DIR to save PNGs of the window's states.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <unistd.h>

#ifdef CS_TEST_UI_X11
# include <X11/keysym.h>
#endif

#include "cs-application.h"
#include "cs-blueprint-view.h"
#include "cs-candidate-card.h"
#include "cs-candidate-outline.h"
#include "cs-candidate-view.h"
#include "cs-candidate-window.h"
#include "cs-diagram.h"
#include "cs-history-row.h"
#include "cs-number-format.h"
#include "cs-origin-chips.h"
#include "cs-preferences-window.h"
#include "cs-candidate-card-private.h"
#include "cs-preferences-window-private.h"
#include "cs-price-row.h"
#include "cs-provider-row-private.h"
#include "cs-result-view.h"
#include "cs-step-report-box.h"
#include "cs-step-row.h"
#include "cs-test-provider.h"
#include "cs-ui-util.h"
#include "test-ui-util.h"
#include "cs-window-private.h"

static char *tmp_dir;
static CsTestProvider *provider;

static void
write_config (void)
{
  g_autofree char *config_home = g_build_filename (tmp_dir, "config", NULL);
  g_autofree char *base = cs_test_provider_dup_base_url (provider);
  g_autofree char *ini = NULL;

  ini = g_strdup_printf ("[provider demo]\n"
                         "name=Demo & <Co>\n"  /* markup characters: shown as text */
                         "base-url=%s\n"
                         "api=openai-chat\n"
                         "models=demo-alpha;demo-beta+refuse;demo-gamma+500;demo-judge;demo-delta+slow\n"
                         "max-concurrent=8\n"
                         "requests-per-minute=0\n"
                         "max-retries=0\n"
                         "\n"
                         "[model demo/demo-alpha]\n"
                         "price-input=1\n"
                         "price-output=2\n"
                         "max-n=4\n",
                         base);
  cs_test_ui_write_providers (config_home, ini);
}

static gboolean
not_running (gpointer data)
{
  return !_cs_window_is_running (CS_WINDOW (data));
}

/* A result view on screen adds its rows over a few frames. */
static gboolean
result_built (gpointer data)
{
  return !cs_result_view_get_building (CS_RESULT_VIEW (data));
}

static gboolean
store_has_runs (gpointer data)
{
  return g_list_model_get_n_items (G_LIST_MODEL (data)) > 0;
}

static void
set_problem (CsWindow   *win,
             const char *text)
{
  gtk_text_buffer_set_text (_cs_window_get_problem_buffer (win), text, -1);
}

/* The badge class of the card of @model, or NULL. */
static const char *
badge_of (CsWindow   *win,
          const char *model)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (_cs_window_get_run_page (win)->candidates_flow));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *card = gtk_flow_box_child_get_child (GTK_FLOW_BOX_CHILD (child));

      if (CS_IS_CANDIDATE_CARD (card) &&
          g_strcmp0 (cs_candidate_get_model (cs_candidate_card_get_candidate (CS_CANDIDATE_CARD (card))), model) == 0)
        return cs_candidate_card_get_badge (CS_CANDIDATE_CARD (card));
    }
  return NULL;
}

static GtkWidget *
find_type (GtkWidget *root,
           GType      type,
           const char *title)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type) &&
      (title == NULL || g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (root)), title) == 0))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_type (child, type, title);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
export_done (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

static void
export_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
some_card_streaming (gpointer data)
{
  CsWindow *win = data;

  return g_strcmp0 (badge_of (win, "demo/demo-alpha"), "streaming") == 0 ||
         !_cs_window_is_running (win);
}

static CsCandidate *retry_target;

static gboolean
retried (gpointer data)
{
  /* the attempt went out and came back failed again */
  return cs_candidate_get_attempts (retry_target) > 1 &&
         cs_candidate_status_is_final (cs_candidate_get_status (retry_target));
}

/* Accessibility: every interactive widget that is shown has a name: its
 * own label, an accessible label or a labelled-by relation. Composite
 * widgets (menu buttons, spin buttons, entry rows) count as one. */
static gboolean
has_text (GtkWidget *w)
{
  if (GTK_IS_LABEL (w) && gtk_widget_get_visible (w) &&
      gtk_label_get_text (GTK_LABEL (w))[0] != '\0')
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (w); child != NULL; child = gtk_widget_get_next_sibling (child))
    if (has_text (child))
      return TRUE;
  return FALSE;
}

static gboolean
has_name (GtkWidget *w)
{
  if (gtk_test_accessible_has_property (GTK_ACCESSIBLE (w), GTK_ACCESSIBLE_PROPERTY_LABEL))
    return TRUE;
  /* GtkButton points labelled-by at whatever child it has, an icon too */
  if (!GTK_IS_BUTTON (w) &&
      gtk_test_accessible_has_relation (GTK_ACCESSIBLE (w), GTK_ACCESSIBLE_RELATION_LABELLED_BY))
    return TRUE;
  if (GTK_IS_BUTTON (w) && gtk_button_get_label (GTK_BUTTON (w)) != NULL &&
      gtk_button_get_icon_name (GTK_BUTTON (w)) == NULL)
    return TRUE;
  if (GTK_IS_CHECK_BUTTON (w) && gtk_check_button_get_label (GTK_CHECK_BUTTON (w)) != NULL)
    return TRUE;
  /* a button is named by the text it shows */
  if (GTK_IS_BUTTON (w) && has_text (w))
    return TRUE;
  return FALSE;
}

static void
collect_unnamed (GtkWidget *w,
                 GString   *out)
{
  const char *type = G_OBJECT_TYPE_NAME (w);

  if (!gtk_widget_get_visible (w) || !gtk_widget_get_child_visible (w))
    return;
  /* transient or libadwaita-internal */
  if (g_str_equal (type, "AdwToastWidget") || GTK_IS_WINDOW_CONTROLS (w))
    return;

  if (GTK_IS_MENU_BUTTON (w) || GTK_IS_SPIN_BUTTON (w) || GTK_IS_BUTTON (w) ||
      GTK_IS_CHECK_BUTTON (w) || GTK_IS_SWITCH (w) || GTK_IS_TEXT_VIEW (w) ||
      GTK_IS_ENTRY (w) || GTK_IS_DROP_DOWN (w))
    {
      if (!has_name (w))
        {
          GtkWidget *parent = gtk_widget_get_parent (w);

          g_string_append_printf (out, "%s%s (in %s)", out->len ? ", " : "", type,
                                  parent ? G_OBJECT_TYPE_NAME (parent) : "-");
        }
      /* a composite counts as one */
      if (!GTK_IS_BUTTON (w) || GTK_IS_MENU_BUTTON (w))
        return;
    }
  if (ADW_IS_ENTRY_ROW (w) || ADW_IS_COMBO_ROW (w) || ADW_IS_EXPANDER_ROW (w))
    {
      /* named by their title; look inside expander rows' content only */
      if (!ADW_IS_EXPANDER_ROW (w))
        return;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (w); child != NULL; child = gtk_widget_get_next_sibling (child))
    collect_unnamed (child, out);
}

static void
assert_accessible (GtkWidget  *root,
                   const char *where)
{
  g_autoptr(GString) unnamed = g_string_new (NULL);

  collect_unnamed (root, unnamed);
  if (unnamed->len > 0)
    g_error ("%s: interactive widgets without an accessible name: %s", where, unnamed->str);
}

/* The buffer holds a whole JSON document (it fills a piece a frame). */
static gboolean
buffer_holds_json (gpointer data)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  GtkTextIter start, end;
  g_autofree char *text = NULL;

  gtk_text_buffer_get_bounds (data, &start, &end);
  text = gtk_text_buffer_get_text (data, &start, &end, FALSE);
  return text[0] != '\0' && json_parser_load_from_data (parser, text, -1, NULL);
}

/* Turns the card's Raw toggle on: its text view fills only then. */
static void
show_raw (GtkWidget *card)
{
  GtkWidget *toggle = cs_test_ui_find_named (card, "raw-toggle");

  g_assert_true (GTK_IS_TOGGLE_BUTTON (toggle));
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (toggle), TRUE);
}

/* A card lays streamed JSON out one member per line, losslessly: its text
 * parses to the candidate's answer, and no line is long (compact JSON is
 * one long line, which Pango lays out again on every chunk). */
static void
assert_card_text_reflowed (CsWindow   *win,
                           const char *model)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (_cs_window_get_run_page (win)->candidates_flow));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *card = gtk_flow_box_child_get_child (GTK_FLOW_BOX_CHILD (child));
      CsCandidate *candidate;
      GtkWidget *view;
      GtkTextBuffer *buffer;
      GtkTextIter start, end;
      g_autofree char *text = NULL;
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(JsonParser) original = json_parser_new ();
      g_auto(GStrv) lines = NULL;
      guint longest = 0;

      if (!CS_IS_CANDIDATE_CARD (card))
        continue;
      candidate = cs_candidate_card_get_candidate (CS_CANDIDATE_CARD (card));
      if (g_strcmp0 (cs_candidate_get_model (candidate), model) != 0)
        continue;

      show_raw (card);
      view = find_type (card, GTK_SOURCE_TYPE_VIEW, NULL);
      g_assert_nonnull (view);
      buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));
      g_assert_true (cs_test_wait_for (buffer_holds_json, buffer, 10000));
      gtk_text_buffer_get_bounds (buffer, &start, &end);
      text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);

      g_assert_true (json_parser_load_from_data (parser, text, -1, NULL));
      g_assert_true (json_parser_load_from_data (original, cs_candidate_get_text (candidate), -1, NULL));
      g_assert_true (json_node_equal (json_parser_get_root (parser), json_parser_get_root (original)));

      lines = g_strsplit (text, "\n", -1);
      g_assert_cmpuint (g_strv_length (lines), >, 20);
      for (guint i = 0; lines[i] != NULL; i++)
        longest = MAX (longest, strlen (lines[i]));
      /* a member with a long string value is one line */
      g_assert_cmpuint (longest, <, 1000);
      return;
    }
  g_assert_not_reached ();
}

/* The card has laid out everything streamed so far (it does a piece a
 * frame, from a tick callback). */
static gboolean
card_flushed (gpointer data)
{
  CsCandidateCard *card = data;

  return card->tick_id == 0 && card->pending_text->len == 0;
}

/* The text a card shows after @chunks streamed in (the candidate ends
 * with @final_status). */
static char *
card_text_after (const char * const *chunks,
                 CsCandidateStatus   final_status)
{
  g_autoptr(CsCandidate) candidate = cs_candidate_new ("c1", "demo/demo-alpha", NULL);
  GtkWidget *window = gtk_window_new ();
  CsCandidateCard *card = cs_candidate_card_new (candidate);
  GtkTextBuffer *buffer;
  GtkTextIter start, end;
  char *text;

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (card));
  gtk_window_present (GTK_WINDOW (window));
  show_raw (GTK_WIDGET (card));
  cs_candidate_set_status (candidate, CS_CANDIDATE_STREAMING);
  for (guint i = 0; chunks[i] != NULL; i++)
    {
      cs_candidate_append (candidate, CS_STREAM_TEXT, chunks[i], -1);
      if (i % 3 == 0)
        cs_test_ui_settle (5000);   /* some flushes in between */
    }
  cs_candidate_set_status (candidate, final_status);
  g_assert_true (cs_test_wait_for (card_flushed, card, 10000));
  cs_test_ui_settle (5000);

  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (find_type (GTK_WIDGET (card), GTK_SOURCE_TYPE_VIEW, NULL)));
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  gtk_window_destroy (GTK_WINDOW (window));
  return text;
}

/* Streamed JSON is laid out one member per line, losslessly, however the
 * chunks cut it (inside strings, escapes, fences); other text is kept. */
static void
test_card_layout (void)
{
  const char *compact[] = { "{\"a\":", "[1,2", ",{\"b\":\"x\\\"", "}, ]{\\", "\",\"},", "{}],\"c\":", "null,\"d\":[]}", NULL };
  const char *fenced[] = { "``", "`json\n{\"a\":", "true}\n``", "`", NULL };
  const char *garbage[] = { "{ this is", " not json }", NULL };
  const char *prose[] = { "Use  a queue", ",\nthen {retry}.", NULL };
  const char *short_tick[] = { "`", NULL };
  g_autofree char *text = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *obj;

  text = card_text_after (compact, CS_CANDIDATE_OK);
  g_assert_cmpstr (text, ==,
                   "{\n"
                   "  \"a\": [\n"
                   "    1,\n"
                   "    2,\n"
                   "    {\n"
                   "      \"b\": \"x\\\"}, ]{\\\",\"\n"
                   "    },\n"
                   "    {}\n"
                   "  ],\n"
                   "  \"c\": null,\n"
                   "  \"d\": []\n"
                   "}");
  g_assert_true (json_parser_load_from_data (parser, text, -1, NULL));
  obj = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (json_object_get_array_member (obj, "a"), 2), "b"),
                   ==, "x\"}, ]{\",");
  g_clear_pointer (&text, g_free);

  text = card_text_after (fenced, CS_CANDIDATE_OK);
  g_assert_cmpstr (text, ==, "```json\n{\n  \"a\": true\n}\n```");
  g_clear_pointer (&text, g_free);

  text = card_text_after (garbage, CS_CANDIDATE_INVALID);
  g_assert_cmpstr (text, ==, "{\n  this is not json\n}");
  g_clear_pointer (&text, g_free);

  text = card_text_after (prose, CS_CANDIDATE_OK);
  g_assert_cmpstr (text, ==, "Use  a queue,\nthen {retry}.");
  g_clear_pointer (&text, g_free);

  /* too little to tell, then the answer ended: shown as it is */
  text = card_text_after (short_tick, CS_CANDIDATE_TRUNCATED);
  g_assert_cmpstr (text, ==, "`");
}

/* The texts of the labels shown under @w, one a line. */
static void
collect_labels (GtkWidget *w,
                GString   *out)
{
  if (!gtk_widget_get_visible (w) || !gtk_widget_get_child_visible (w))
    return;
  if (GTK_IS_LABEL (w))
    g_string_append_printf (out, "%s\n", gtk_label_get_text (GTK_LABEL (w)));
  for (GtkWidget *child = gtk_widget_get_first_child (w); child != NULL; child = gtk_widget_get_next_sibling (child))
    collect_labels (child, out);
}

static char *
labels_of (GtkWidget *w)
{
  GString *out = g_string_new (NULL);

  collect_labels (w, out);
  return g_string_free (out, FALSE);
}

static gboolean
outline_shows (CsCandidateOutline *outline,
               GString            *text,
               const char         *chunk)
{
  g_string_append (text, chunk);
  return cs_candidate_outline_update (outline, text->str, text->len);
}

/* A streaming card's outline: the summary so far, the items completed so
 * far and counts, never the JSON; control and direction characters
 * dropped; the end of a text that is not JSON. */
static void
test_card_outline (void)
{
  GtkWidget *window = gtk_window_new ();
  CsCandidateOutline *outline = CS_CANDIDATE_OUTLINE (cs_candidate_outline_new ());
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *shown = NULL;

  gtk_widget_set_size_request (GTK_WIDGET (outline), 300, 220);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (outline));
  gtk_window_present (GTK_WINDOW (window));

  /* too little to tell */
  g_assert_false (outline_shows (outline, text, "  "));

  /* a summary cut in the middle */
  g_assert_true (outline_shows (outline, text, "{\"summary\": \"Go and \\\"Postgr"));
  shown = labels_of (GTK_WIDGET (outline));
  g_assert_nonnull (strstr (shown, "Go and \"Postgr\n"));
  g_assert_cmpuint (cs_candidate_outline_get_n_rows (outline), ==, 0);
  g_clear_pointer (&shown, g_free);

  /* an item shows once it is complete */
  g_assert_true (outline_shows (outline, text, "es\\u0007\u202e\", \"components\": [{\"name\": \"API\", \"technology\": \"Go\"}, {\"name\": \"Ca"));
  g_assert_cmpuint (cs_candidate_outline_get_n_rows (outline), ==, 1);
  g_assert_true (outline_shows (outline, text, "che\", \"technology\": \"Redis\"}]"));
  g_assert_cmpuint (cs_candidate_outline_get_n_rows (outline), ==, 2);
  /* nothing new to show */
  g_assert_false (outline_shows (outline, text, "  "));
  g_assert_true (outline_shows (outline, text, ", \"apis\": [{\"name\": \"x\"}"));
  g_assert_false (outline_shows (outline, text, ", {\"na"));
  g_assert_cmpuint (cs_candidate_outline_get_n_rows (outline), ==, 3);
  shown = labels_of (GTK_WIDGET (outline));
  g_assert_nonnull (strstr (shown, "Go and \"Postgres\n"));
  g_assert_nonnull (strstr (shown, "• API — Go\n"));
  g_assert_nonnull (strstr (shown, "• Cache — Redis\n"));
  g_assert_nonnull (strstr (shown, "1 API\n"));
  g_assert_null (strchr (shown, '{'));
  g_assert_null (strstr (shown, "name"));
  g_assert_null (strstr (shown, "\u202e"));
  g_assert_null (strchr (shown, '\a'));
  g_clear_pointer (&shown, g_free);

  /* a checklist in a code fence */
  cs_candidate_outline_reset (outline);
  g_string_assign (text, "");
  g_assert_true (outline_shows (outline, text, "```json\n{\"summary\": \"s\", \"likely_causes\": [{\"cause\": \"Disk full\", \"likelihood\": \"high\"}],"
                                               " \"steps\": [{\"title\": \"Check df\"}, {\"title\": \"Re"));
  g_assert_cmpuint (cs_candidate_outline_get_n_rows (outline), ==, 2);
  shown = labels_of (GTK_WIDGET (outline));
  /* the likelihood in words, as in the result, not the schema's "high" */
  g_assert_nonnull (strstr (shown, "• Disk full (likely)\n"));
  g_assert_null (strstr (shown, "(high)"));
  g_assert_nonnull (strstr (shown, "1. Check df\n"));
  g_assert_null (strstr (shown, "Re\n"));
  g_clear_pointer (&shown, g_free);

  /* thousands of items: bounded */
  cs_candidate_outline_reset (outline);
  g_string_assign (text, "{\"components\": [");
  for (guint i = 0; i < 1000; i++)
    g_string_append_printf (text, "%s{\"name\": \"n%u\"}", i ? "," : "", i);
  g_assert_true (outline_shows (outline, text, "]}"));
  g_assert_cmpuint (cs_candidate_outline_get_n_rows (outline), <, 50);
  shown = labels_of (GTK_WIDGET (outline));
  g_assert_nonnull (strstr (shown, " more\n"));
  g_clear_pointer (&shown, g_free);

  /* prose: its end, bounded, without control characters */
  cs_candidate_outline_reset (outline);
  g_string_assign (text, "");
  for (guint i = 0; i < 400; i++)
    g_string_append (text, "Use a {queue}. ");
  g_assert_true (outline_shows (outline, text, "The end\x01."));
  shown = labels_of (GTK_WIDGET (outline));
  g_assert_true (g_str_has_prefix (shown, "…"));
  g_assert_true (g_str_has_suffix (shown, "The end.\n"));
  g_assert_cmpuint (strlen (shown), <, 500);
  g_assert_cmpuint (cs_candidate_outline_get_n_rows (outline), ==, 0);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* The outline of a streaming card under @w shows rows. */
static gboolean
outline_has_rows (GtkWidget *w)
{
  if (CS_IS_CANDIDATE_OUTLINE (w))
    return gtk_widget_get_mapped (w) && cs_candidate_outline_get_n_rows (CS_CANDIDATE_OUTLINE (w)) > 0;
  for (GtkWidget *child = gtk_widget_get_first_child (w); child != NULL; child = gtk_widget_get_next_sibling (child))
    if (outline_has_rows (child))
      return TRUE;
  return FALSE;
}

static gboolean
some_outline_has_rows (gpointer data)
{
  return outline_has_rows (GTK_WIDGET (data)) || !_cs_window_is_running (CS_WINDOW (data));
}

/* The labels shown on the cards under @w. */
static void
collect_card_labels (GtkWidget *w,
                     GString   *out)
{
  if (CS_IS_CANDIDATE_CARD (w))
    collect_labels (w, out);
  else
    for (GtkWidget *child = gtk_widget_get_first_child (w); child != NULL; child = gtk_widget_get_next_sibling (child))
      collect_card_labels (child, out);
}

/* While the answers stream, the cards show outlines, never JSON. */
static void
assert_cards_show_outlines (CsWindow *win)
{
  g_autoptr(GString) shown = g_string_new (NULL);

  g_assert_true (cs_test_wait_for (some_outline_has_rows, win, 30000));
  g_assert_true (_cs_window_is_running (win));
  collect_card_labels (GTK_WIDGET (win), shown);
  g_assert_cmpuint (shown->len, >, 0);
  g_assert_null (strchr (shown->str, '{'));
  g_assert_null (strstr (shown->str, "\"summary\""));
  g_assert_null (strstr (shown->str, "\"components\""));
}

static char *architect_run_id;
static char *support_run_id;

static GtkWidget *
find_label_with_text (GtkWidget  *root,
                      const char *text)
{
  if (GTK_IS_LABEL (root) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (root)), text) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_label_with_text (child, text);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* A combo row's choice, long as a German judge's name, is shown whole
 * (wrapped) beside the row's title, not cut to 20 characters. */
static void
test_combo_wrap (void)
{
  const char *choice = "demo-judge von Demo (synthetische Antworten)";
  const char *items[] = { "Keiner (nur Abstimmung und Konsens)", choice, NULL };
  g_autoptr(GtkStringList) list = gtk_string_list_new (items);
  GtkWidget *window = gtk_window_new ();
  GtkWidget *group = adw_preferences_group_new ();
  AdwComboRow *row = ADW_COMBO_ROW (adw_combo_row_new ());
  GtkWidget *label;
  PangoLayout *layout;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), "Richter");
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), "Ein Modell, das die Kandidaten vergleicht und die endgültige Antwort schreibt");
  cs_combo_row_wrap_labels (row);
  adw_combo_row_set_model (row, G_LIST_MODEL (list));
  adw_combo_row_set_selected (row, 1);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (row));
  gtk_window_set_child (GTK_WINDOW (window), group);
  gtk_window_set_default_size (GTK_WINDOW (window), 520, -1);
  gtk_window_present (GTK_WINDOW (window));
  cs_test_ui_settle (5000);

  label = find_label_with_text (GTK_WIDGET (row), choice);
  g_assert_nonnull (label);
  g_assert_true (gtk_widget_get_mapped (label));
  g_assert_cmpint (gtk_label_get_ellipsize (GTK_LABEL (label)), ==, PANGO_ELLIPSIZE_NONE);
  layout = gtk_label_get_layout (GTK_LABEL (label));
  g_assert_false (pango_layout_is_ellipsized (layout));
  /* it fits: wrapped, not wider than the room the row gives it */
  g_assert_cmpint (pango_layout_get_line_count (layout), >=, 1);
  {
    int lw;
    pango_layout_get_pixel_size (layout, &lw, NULL);
    g_assert_cmpint (lw, <=, gtk_widget_get_width (label));
  }
  cs_test_ui_save_shot (window, "combo-wrap.png");

  gtk_window_destroy (GTK_WINDOW (window));
  cs_test_ui_settle (5000);
}

static void
collect_cards (GtkWidget *w,
               GPtrArray *out)
{
  if (CS_IS_CANDIDATE_CARD (w))
    g_ptr_array_add (out, w);
  else
    for (GtkWidget *child = gtk_widget_get_first_child (w); child != NULL; child = gtk_widget_get_next_sibling (child))
      collect_cards (child, out);
}

/* The card of @model's candidate. */
static GtkWidget *
card_of_model (CsWindow   *win,
               const char *model)
{
  g_autoptr(GPtrArray) cards = g_ptr_array_new ();

  collect_cards (GTK_WIDGET (_cs_window_get_run_page (win)), cards);
  for (guint i = 0; i < cards->len; i++)
    {
      CsCandidate *c = cs_candidate_card_get_candidate (g_ptr_array_index (cards, i));

      if (g_strcmp0 (cs_candidate_get_model (c), model) == 0)
        return g_ptr_array_index (cards, i);
    }
  return NULL;
}

/* A finished card's preview longer than its room ends in a fade, not a
 * line cut in half: drawn as the page draws it, the rows at the preview's
 * bottom edge are the card's background, nearly (the text fades in over
 * 48 px, so a row k px up may differ by k/48 of the range, and a little
 * for antialiasing). */
static void
assert_card_preview_fades (GtkWidget *card)
{
  GtkWidget *stack = find_type (card, GTK_TYPE_STACK, NULL);
  GtkWidget *scroller;
  GtkAdjustment *adj;
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree guchar *pixels = NULL;
  graphene_rect_t b;
  int w = gtk_widget_get_width (card), h = gtk_widget_get_height (card);
  int left, bottom, right;
  const guchar *bg;

  g_assert_nonnull (stack);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), ==, "structured");
  scroller = gtk_stack_get_visible_child (GTK_STACK (stack));
  g_assert_true (GTK_IS_SCROLLED_WINDOW (scroller));
  adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
  /* the answer is longer than the preview: it is cut */
  g_assert_cmpfloat (gtk_adjustment_get_upper (adj), >, gtk_adjustment_get_page_size (adj) + 40);
  g_assert_true (gtk_widget_compute_bounds (scroller, card, &b));

  paintable = gtk_widget_paintable_new (card);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), w, h);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (card)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, w, h));
  pixels = g_malloc ((gsize) w * h * 4);
  gdk_texture_download (texture, pixels, (gsize) w * 4);

  left = (int) b.origin.x;
  right = (int) (b.origin.x + b.size.width);
  bottom = (int) (b.origin.y + b.size.height) - 1;
  /* the background: the preview's left margin, above its last row */
  bg = pixels + ((gsize) (bottom - 2) * w + left + 3) * 4;
  for (int k = 0; k < 12; k++)
    for (int x = left + 3; x < right - 3; x++)
      {
        const guchar *px = pixels + ((gsize) (bottom - k) * w + x) * 4;
        int tolerance = (k + 1) * 255 / 48 + 10;

        for (int ch = 0; ch < 3; ch++)
          if (ABS ((int) px[ch] - (int) bg[ch]) > tolerance)
            g_error ("the preview's row %d px above its bottom, x %d: channel %d is %d, the background %d",
                     k, x - left, ch, px[ch], bg[ch]);
      }
}

/* The wheel over a card's answer (streaming or done) scrolls the page: the
 * widget under the pointer has the page's scroller as its nearest, never
 * a card's own. */
static void
assert_cards_leave_scroll_to_page (CsWindow *win)
{
  GtkWidget *page_scroller = adw_bin_get_child (ADW_BIN (_cs_window_get_run_page (win)));
  g_autoptr(GPtrArray) cards = g_ptr_array_new ();
  int window_height = gtk_widget_get_height (GTK_WIDGET (win));
  guint checked = 0;

  g_assert_true (GTK_IS_SCROLLED_WINDOW (page_scroller));
  collect_cards (GTK_WIDGET (_cs_window_get_run_page (win)), cards);
  g_assert_cmpuint (cards->len, >, 0);
  for (guint i = 0; i < cards->len; i++)
    {
      GtkWidget *card = g_ptr_array_index (cards, i);
      graphene_rect_t bounds;

      if (!gtk_widget_get_mapped (card) || !gtk_widget_compute_bounds (card, GTK_WIDGET (win), &bounds))
        continue;
      for (double f = 0.4; f < 0.9; f += 0.15)
        {
          double x = bounds.origin.x + bounds.size.width / 3;
          double y = bounds.origin.y + bounds.size.height * f;
          GtkWidget *picked;

          if (y <= 60 || y >= window_height - 1)
            continue;
          picked = gtk_widget_pick (GTK_WIDGET (win), x, y, GTK_PICK_DEFAULT);
          if (picked == NULL || !gtk_widget_is_ancestor (picked, card))
            continue;
          g_assert_true (gtk_widget_get_ancestor (picked, GTK_TYPE_SCROLLED_WINDOW) == page_scroller);
          checked++;
        }
    }
  g_assert_cmpuint (checked, >, 0);
}

#ifdef CS_TEST_UI_X11
typedef struct {
  GtkAdjustment *adjustment;
  double         from;
} MovedWait;

static gboolean
adjustment_moved (gpointer data)
{
  MovedWait *w = data;

  return fabs (gtk_adjustment_get_value (w->adjustment) - w->from) > 0.5;
}

/* A notch of the wheel over @over (brought into view) scrolls the page,
 * not a scroller inside it. */
static void
assert_wheel_scrolls_page (CsWindow  *win,
                           GtkWidget *over)
{
  GtkWidget *page = adw_bin_get_child (ADW_BIN (win->run_page));
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (page));
  MovedWait w = { adj, 0 };
  graphene_rect_t b;
  gboolean down;

  g_assert_true (gtk_widget_compute_bounds (over, page, &b));
  gtk_adjustment_set_value (adj, gtk_adjustment_get_value (adj) + b.origin.y - 100);
  cs_test_ui_settle (5000);
  g_assert_true (gtk_widget_compute_bounds (over, page, &b));
  g_assert_cmpfloat (b.origin.y + 60, <, gtk_widget_get_height (page));
  g_assert_cmpfloat (b.size.height, >, 60);
  /* down where the page has room below, else up */
  w.from = gtk_adjustment_get_value (adj);
  down = w.from + gtk_adjustment_get_page_size (adj) + 10 < gtk_adjustment_get_upper (adj);
  g_assert_true (down || w.from > 10);
  if (!cs_test_ui_wheel (over, b.size.width / 2, 40, down))
    {
      g_test_message ("no XTest: the wheel over the card was not turned");
      return;
    }
  if (!cs_test_wait_for (adjustment_moved, &w, 5000))
    g_error ("the wheel over a %s did not scroll the page (still at %.0f)",
             G_OBJECT_TYPE_NAME (over), gtk_adjustment_get_value (adj));
}
#endif

/* @w's left and right edge in @ancestor's coordinates. */
static void
edges_in (GtkWidget *w,
          GtkWidget *ancestor,
          double    *left,
          double    *right)
{
  graphene_rect_t bounds;

  g_assert_true (gtk_widget_compute_bounds (w, ancestor, &bounds));
  *left = bounds.origin.x;
  *right = bounds.origin.x + bounds.size.width;
}

/* A checklist step, wide and narrow: the check box in a column of its own, the title, the command
 * and the report's toggles lined up to its right, never under it. */
typedef struct {
  GtkWidget *widget;
  int        before;
} WidthChange;

/* The window took a new width (a resize is a round trip to the X server). */
static gboolean
width_changed (gpointer data)
{
  WidthChange *change = data;

  return gtk_widget_get_width (change->widget) != change->before;
}

static void
test_step_row_layout (void)
{
  g_autoptr(CsRun) run = cs_run_new (CS_MODE_SUPPORT, "nginx 502");
  const char *sources[] = { "c1", "c2", NULL };
  CsStep step = {
    .item = { .origin = { .sources = (char **) sources }, .support = 2, .total = 4 },
    .title = "1. Check that the disk holding the logs is not full before anything else",
    .command = "df -h /var/log", .action = "Look at Use%.", .risk = "none",
    .has_effort = TRUE, .effort_minutes = 2,
  };
  GtkWidget *window = gtk_window_new ();
  CsStepRow *row = cs_step_row_new (&step, "", "agreed by 2 of 4");
  GtkWidget *report = cs_step_report_box_new (run, 1);
  GtkWidget *check = GTK_WIDGET (cs_step_row_add_check (row, FALSE));
  const int widths[] = { 900, 360 };

  cs_step_row_add_report (row, report);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (row));
  gtk_window_present (GTK_WINDOW (window));
  for (guint i = 0; i < G_N_ELEMENTS (widths); i++)
    {
      GtkWidget *worked = cs_test_ui_find_named (report, "step-worked");
      GtkWidget *title;
      double check_l, check_r, worked_l, worked_r, title_l, title_r, command_l, command_r;
      WidthChange change = { window, gtk_widget_get_width (window) };

      gtk_window_set_default_size (GTK_WINDOW (window), widths[i], -1);
      cs_test_wait_for (width_changed, &change, 5000);
      cs_test_ui_settle (5000);
      g_assert_nonnull (worked);
      title = cs_test_ui_find_named (GTK_WIDGET (row), "step-title");
      g_assert_nonnull (title);
      edges_in (check, GTK_WIDGET (row), &check_l, &check_r);
      edges_in (worked, GTK_WIDGET (row), &worked_l, &worked_r);
      edges_in (title, GTK_WIDGET (row), &title_l, &title_r);
      edges_in (cs_test_ui_find_named (GTK_WIDGET (row), "step-command"), GTK_WIDGET (row), &command_l, &command_r);
      g_assert_cmpfloat (check_r, <=, worked_l);
      g_assert_cmpfloat (check_r, <=, title_l);
      g_assert_cmpfloat_with_epsilon (title_l, worked_l, 0.5);
      g_assert_cmpfloat_with_epsilon (title_l, command_l, 0.5);
      cs_test_ui_save_shot (GTK_WIDGET (row), i == 0 ? "step-row-wide.png" : "step-row-narrow.png");
    }

  gtk_window_destroy (GTK_WINDOW (window));
  cs_test_ui_settle (5000);
}

/* The result view shows what the export does: a blueprint's APIs, and the
 * minority's components and decisions it left out, from the typed result;
 * the monthly cost grouped. */
static void
test_blueprint_sections (void)
{
  g_autoptr(CsResult) result = cs_result_new (CS_MODE_ARCHITECT);
  CsBlueprint *bp = cs_blueprint_new ();
  const char *sources[] = { "c2", "c3", NULL };
  GtkWidget *window = gtk_window_new ();
  GtkWidget *view;
  g_autofree char *shown = NULL;
  guint steps = 0;

  cs_blueprint_set_summary (bp, "A modular monolith");
  cs_blueprint_set_monthly_cost (bp, 12679.6);
  cs_blueprint_add_component (bp, "Core API", "Orders and users", "Go", "Stateless replicas");
  cs_blueprint_add_api (bp, "Public REST API", "rest", "Versioned JSON endpoints under /v1");
  cs_blueprint_add_api (bp, "Live updates", "websocket", NULL);
  cs_blueprint_add_api (bp, "Feeds", "Atom", "Read-only");
  cs_result_set_blueprint (result, bp);
  cs_blueprint_unref (bp);
  cs_result_add_component_alternative (result, "Observability", "Prometheus + Grafana",
                                       "Metrics and alerts", 2, 4, sources);
  cs_result_add_decision_alternative (result, "Messaging backbone", "Apache Kafka",
                                      "Replayable events", 1, 4, sources + 1);

  view = cs_blueprint_view_new (result);
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 600);
  gtk_window_set_child (GTK_WINDOW (window), view);
  gtk_window_present (GTK_WINDOW (window));
  while (cs_blueprint_view_build_step (CS_BLUEPRINT_VIEW (view)))
    g_assert_cmpuint (++steps, <, 100);
  cs_test_ui_settle (5000);
  shown = labels_of (view);
  g_assert_nonnull (strstr (shown, "Estimated running cost: $12,680 per month\n"));
  g_assert_nonnull (strstr (shown, "\nAPIs\n"));
  g_assert_nonnull (strstr (shown, "Public REST API\nREST — Versioned JSON endpoints under /v1\n"));
  g_assert_nonnull (strstr (shown, "Live updates\nWebSocket\n"));
  /* a style the schema does not know, as it is */
  g_assert_nonnull (strstr (shown, "Feeds\nAtom — Read-only\n"));
  g_assert_nonnull (strstr (shown, "\nAlternatives (Not in the Blueprint)\n"));
  g_assert_nonnull (strstr (shown, "Observability\nPrometheus + Grafana · component proposed by 2 of 4\n"));
  g_assert_nonnull (strstr (shown, "Messaging backbone: Apache Kafka\ndecision proposed by 1 of 4\n"));
  /* the APIs after the components, the alternatives last */
  g_assert_true (strstr (shown, "Core API\n") < strstr (shown, "\nAPIs\n"));
  g_assert_true (strstr (shown, "\nAPIs\n") < strstr (shown, "\nAlternatives (Not in the Blueprint)\n"));
  g_assert_null (strchr (shown, '{'));
  cs_test_ui_save_shot (view, "blueprint-sections.png");

  gtk_window_destroy (GTK_WINDOW (window));
  cs_test_ui_settle (5000);
}

static void
test_architect_run (void)
{
  g_autoptr(CsApplication) app = cs_test_ui_start_app ("Test");
  CsWindow *win = cs_window_new (app);
  const char *models[] = { "demo/demo-alpha", "demo/demo-beta+refuse", "demo/demo-gamma+500", NULL };
  CsRun *run;
  GtkWidget *diagram;
  g_autofree char *export_path = g_build_filename (tmp_dir, "export.md", NULL);
  g_autoptr(GFile) export_file = g_file_new_for_path (export_path);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *markdown = NULL;

  gtk_window_present (GTK_WINDOW (win));
  cs_test_ui_settle (5000);

  /* the models of the providers file are offered */
  g_assert_cmpuint (win->compose_page->model_rows->len, ==, 5);

  _cs_window_set_mode (win, "architect");
  set_problem (win, "A <b>URL shortener</b> for 10k requests per second\n\nIt must never lose a link.");
  gtk_editable_set_text (GTK_EDITABLE (win->compose_page->budget_row), "$2000 per month");
  _cs_window_select_models (win, models);
  cs_test_ui_save_shot (GTK_WIDGET (win), "compose.png");
  assert_accessible (GTK_WIDGET (win), "compose page");

  /* slow enough to see the cards stream */
  cs_test_provider_set_delay_ms (provider, 40);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.run", NULL));
  g_assert_true (_cs_window_is_running (win));
  g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (win->run_button_stack)));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (win->run_button_stack), ==, "cancel");
  run = _cs_window_get_run (win);
  g_assert_nonnull (run);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (run)), ==, 3);
  g_assert_cmpstr (cs_run_get_constraint (run, "budget"), ==, "$2000 per month");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (win->main_stack), ==, "run");

  g_assert_true (cs_test_wait_for (some_card_streaming, win, 30000));
  assert_cards_show_outlines (win);
  cs_test_ui_settle (5000);
  assert_cards_leave_scroll_to_page (win);
  cs_test_ui_save_shot (GTK_WIDGET (win), "streaming.png");
  /* the run page while it streams: stop buttons, cards, Cancel */
  assert_accessible (GTK_WIDGET (win), "run page, streaming");
  cs_test_provider_set_delay_ms (provider, 5);

  g_assert_true (cs_test_wait_for (not_running, win, 90000));
  g_assert_true (cs_test_wait_for (result_built, _cs_window_get_run_page (win)->result_view, 30000));
  cs_test_ui_settle (5000);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (win->run_button_stack), ==, "new");
  cs_test_ui_save_shot (GTK_WIDGET (win), "architect-result.png");
  cs_test_ui_save_shot (GTK_WIDGET (_cs_window_get_run_page (win)->result_view), "architect-result-full.png");
  assert_accessible (GTK_WIDGET (win), "architect result");

  g_assert_cmpint (cs_run_get_state (run), ==, CS_RUN_DONE);
  g_assert_cmpstr (badge_of (win, "demo/demo-alpha"), ==, "done");
  g_assert_cmpstr (badge_of (win, "demo/demo-beta+refuse"), ==, "refused");
  g_assert_cmpstr (badge_of (win, "demo/demo-gamma+500"), ==, "failed");
  {
    /* the finished cards' previews too (not Raw, which is asked for), the
     * page scrolled to them */
    GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (adw_bin_get_child (ADW_BIN (_cs_window_get_run_page (win)))));

    gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj));
    cs_test_ui_settle (5000);
    assert_cards_leave_scroll_to_page (win);
    assert_card_preview_fades (card_of_model (win, "demo/demo-alpha"));
    gtk_adjustment_set_value (adj, 0);
  }
  assert_card_text_reflowed (win, "demo/demo-alpha");
#ifdef CS_TEST_UI_X11
  /* the finished card's Raw view (on now) leaves the wheel to the page, as
   * its header does */
  cs_test_ui_settle (5000);
  assert_wheel_scrolls_page (win, card_of_model (win, "demo/demo-alpha"));
  assert_wheel_scrolls_page (win, find_type (GTK_WIDGET (card_of_model (win, "demo/demo-alpha")),
                                             GTK_SOURCE_TYPE_VIEW, NULL));
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (adw_bin_get_child (ADW_BIN (win->run_page)))), 0);
#endif

  /* model text is never markup */
  g_assert_false (gtk_label_get_use_markup (_cs_window_get_run_page (win)->title_label));
  g_assert_nonnull (strstr (gtk_label_get_text (_cs_window_get_run_page (win)->title_label), "<b>URL shortener</b>"));

  /* the blueprint, with a diagram of the components */
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (_cs_window_get_run_page (win)->result_view)));
  g_assert_cmpstr (cs_result_view_get_kind (_cs_window_get_run_page (win)->result_view), ==, "blueprint");
  diagram = cs_test_ui_find_named (GTK_WIDGET (_cs_window_get_run_page (win)->result_view), "blueprint-diagram");
  g_assert_nonnull (diagram);
  g_assert_cmpuint (cs_diagram_get_n_nodes (CS_DIAGRAM (diagram)), >, 1);
  g_assert_cmpuint (cs_diagram_get_n_edges (CS_DIAGRAM (diagram)), >, 0);
  /* no judge was chosen: a neutral note says so, not the degraded banner */
  g_assert_nonnull (cs_test_ui_find_named (GTK_WIDGET (_cs_window_get_run_page (win)->result_view), "degraded-banner"));
  g_assert_false (gtk_widget_get_visible (cs_test_ui_find_named (GTK_WIDGET (_cs_window_get_run_page (win)->result_view), "degraded-banner")));
  g_assert_true (gtk_widget_get_visible (cs_test_ui_find_named (GTK_WIDGET (_cs_window_get_run_page (win)->result_view), "result-note")));

  /* export, without the file chooser */
  _cs_window_export_async (win, export_file, FALSE, NULL, export_cb, &result);
  g_assert_true (cs_test_wait_for (export_done, &result, 10000));
  g_assert_true (_cs_window_export_finish (win, result, &error));
  g_assert_no_error (error);
  g_file_get_contents (export_path, &markdown, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (markdown, "URL shortener"));
  g_assert_nonnull (strstr (markdown, "```mermaid"));

  /* and as JSON */
  {
    g_autofree char *json_path = g_build_filename (tmp_dir, "export.json", NULL);
    g_autoptr(GFile) json_file = g_file_new_for_path (json_path);
    g_autoptr(JsonParser) parser = json_parser_new ();
    g_autoptr(GAsyncResult) json_result = NULL;
    JsonNode *root;

    _cs_window_export_async (win, json_file, TRUE, NULL, export_cb, &json_result);
    g_assert_true (cs_test_wait_for (export_done, &json_result, 10000));
    g_assert_true (_cs_window_export_finish (win, json_result, &error));
    g_assert_no_error (error);
    json_parser_load_from_file (parser, json_path, &error);
    g_assert_no_error (error);
    root = json_parser_get_root (parser);
    g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (root), "mode"), ==, "architect");
  }

  /* Retry asks the provider again */
  {
    CsCandidate *failed = NULL;
    guint before = cs_test_provider_get_request_count (provider, "demo-gamma+500");

    for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (run)); i++)
      {
        g_autoptr(CsCandidate) c = g_list_model_get_item (G_LIST_MODEL (run), i);

        if (cs_candidate_get_status (c) == CS_CANDIDATE_FAILED)
          failed = c;
      }
    g_assert_nonnull (failed);
    retry_target = failed;
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.retry-candidate", "s", cs_candidate_get_id (failed)));
    g_assert_true (cs_test_wait_for (retried, NULL, 30000));
    g_assert_cmpuint (cs_test_provider_get_request_count (provider, "demo-gamma+500"), >, before);
    g_assert_cmpstr (badge_of (win, "demo/demo-gamma+500"), ==, "failed");
  }

  architect_run_id = g_strdup (cs_run_get_id (run));

  gtk_window_destroy (GTK_WINDOW (win));
  cs_run_store_flush (cs_application_get_store (app));
  cs_test_ui_settle (5000);
}

static void
test_support_run (void)
{
  g_autoptr(CsApplication) app = cs_test_ui_start_app ("Test");
  CsWindow *win = cs_window_new (app);
  const char *models[] = { "demo/demo-alpha:2", NULL };
  g_autoptr(GPtrArray) checks = NULL;
  g_autoptr(CsRunStore) disk = NULL;
  g_autoptr(GError) error = NULL;
  CsRun *run, *loaded;
  guint judge_pos = 0;

  gtk_window_present (GTK_WINDOW (win));
  cs_test_ui_settle (5000);

  _cs_window_set_mode (win, "support");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (win->compose_page->architect_group)));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (win->compose_page->support_group)));
  set_problem (win, "nginx returns 502 Bad Gateway after the upgrade");
  _cs_window_select_models (win, models);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (win->compose_page->judge_ids)); i++)
    if (g_strcmp0 (gtk_string_list_get_string (win->compose_page->judge_ids, i), "demo/demo-judge") == 0)
      judge_pos = i;
  g_assert_cmpuint (judge_pos, >, 0);
  /* the judge combo names the model and its provider, not their ids */
  {
    GListModel *labels = adw_combo_row_get_model (win->compose_page->judge_row);

    g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (labels), judge_pos), ==,
                     "demo-judge from Demo & <Co>");
  }
  adw_combo_row_set_selected (win->compose_page->judge_row, judge_pos);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.run", NULL));
  run = _cs_window_get_run (win);
  g_assert_nonnull (run);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (run)), ==, 2);
  g_assert_cmpstr (cs_run_get_judge (run), ==, "demo/demo-judge");
  g_assert_true (cs_test_wait_for (not_running, win, 90000));
  g_assert_true (cs_test_wait_for (result_built, _cs_window_get_run_page (win)->result_view, 30000));
  cs_test_ui_settle (5000);

  g_assert_cmpint (cs_run_get_state (run), ==, CS_RUN_DONE);
  g_assert_cmpstr (badge_of (win, "demo/demo-alpha"), ==, "done");
  g_assert_cmpstr (cs_result_view_get_kind (_cs_window_get_run_page (win)->result_view), ==, "checklist");
  g_assert_nonnull (cs_test_ui_find_named (GTK_WIDGET (_cs_window_get_run_page (win)->result_view), "checklist"));
  /* the judge scored the candidates: shown on their cards */
  g_assert_true (gtk_widget_get_visible (cs_test_ui_find_named (GTK_WIDGET (_cs_window_get_run_page (win)->candidates_flow), "judge-score")));

  /* tick the first step: saved with the run */
  checks = cs_result_view_get_step_checks (_cs_window_get_run_page (win)->result_view);
  g_assert_cmpuint (checks->len, >, 0);
  g_assert_false (gtk_check_button_get_active (g_ptr_array_index (checks, 0)));
  gtk_check_button_set_active (g_ptr_array_index (checks, 0), TRUE);
  g_assert_true (cs_run_get_step_checked (run, 0));
  cs_test_ui_save_shot (GTK_WIDGET (win), "support-checklist.png");
  cs_test_ui_save_shot (GTK_WIDGET (_cs_window_get_run_page (win)->candidates_flow), "support-cards.png");
  assert_accessible (GTK_WIDGET (win), "support checklist");

  cs_run_store_flush (cs_application_get_store (app));
  cs_test_ui_settle (5000);
  cs_run_store_flush (cs_application_get_store (app));

  disk = cs_run_store_new (NULL);
  g_assert_true (cs_run_store_load_sync (disk, &error));
  g_assert_no_error (error);
  loaded = cs_run_store_find (disk, cs_run_get_id (run));
  g_assert_nonnull (loaded);
  g_assert_true (cs_run_get_step_checked (loaded, 0));
  g_assert_nonnull (cs_run_get_synthesis (loaded));

  support_run_id = g_strdup (cs_run_get_id (run));

  gtk_window_destroy (GTK_WINDOW (win));
  cs_run_store_flush (cs_application_get_store (app));
  cs_test_ui_settle (5000);
}

/* Provenance on screen: each item's candidate ids as chips (tooltip: the
 * model and angle, no internal id), the judge's marks, and a chip that
 * shows its candidate's card. */
static void
collect_chips (GtkWidget *w,
               GPtrArray *chips,
               GPtrArray *marks)
{
  if (gtk_widget_has_css_class (w, "origin-chip"))
    g_ptr_array_add (chips, w);
  if (gtk_widget_has_css_class (w, "origin-judge"))
    g_ptr_array_add (marks, w);
  for (GtkWidget *child = gtk_widget_get_first_child (w); child != NULL; child = gtk_widget_get_next_sibling (child))
    collect_chips (child, chips, marks);
}

static GtkWidget *
card_of (CsWindow   *win,
         const char *id)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (_cs_window_get_run_page (win)->candidates_flow));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *card = gtk_flow_box_child_get_child (GTK_FLOW_BOX_CHILD (child));

      if (g_strcmp0 (cs_candidate_get_id (cs_candidate_card_get_candidate (CS_CANDIDATE_CARD (card))), id) == 0)
        return card;
    }
  return NULL;
}

static gboolean
not_highlighted (gpointer data)
{
  return !gtk_widget_has_css_class (data, "candidate-highlight");
}

static void
test_origin_chips (void)
{
  g_autoptr(CsApplication) app = cs_test_ui_start_app ("Test");
  CsWindow *win = cs_window_new (app);
  const char *models[] = { "demo/demo-alpha:3", NULL };
  g_autoptr(GPtrArray) chips = g_ptr_array_new ();
  g_autoptr(GPtrArray) marks = g_ptr_array_new ();
  GtkAdjustment *adjustment;
  GtkWidget *chip, *card;
  guint judge_pos = 0;
  CsRun *run;

  gtk_window_set_default_size (GTK_WINDOW (win), 1100, 700);
  gtk_window_present (GTK_WINDOW (win));
  cs_test_ui_settle (5000);
  _cs_window_set_mode (win, "architect");
  set_problem (win, "A photo sharing service with search for a million users");
  _cs_window_select_models (win, models);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (win->compose_page->judge_ids)); i++)
    if (g_strcmp0 (gtk_string_list_get_string (win->compose_page->judge_ids, i), "demo/demo-judge") == 0)
      judge_pos = i;
  adw_combo_row_set_selected (win->compose_page->judge_row, judge_pos);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.run", NULL));
  run = _cs_window_get_run (win);
  g_assert_true (cs_test_wait_for (not_running, win, 90000));
  g_assert_true (cs_test_wait_for (result_built, _cs_window_get_run_page (win)->result_view, 30000));
  cs_test_ui_settle (5000);
  g_assert_true (cs_result_has_method (cs_run_get_result (run), CS_METHOD_JUDGE));

  collect_chips (GTK_WIDGET (_cs_window_get_run_page (win)->result_view), chips, marks);
  g_assert_cmpuint (chips->len, >, 3);
  for (guint i = 0; i < chips->len; i++)
    {
      GtkWidget *c = g_ptr_array_index (chips, i);
      const char *id = cs_origin_chip_get_candidate (c);
      const char *tooltip = gtk_widget_get_tooltip_text (c);
      CsCandidate *candidate = cs_run_find_candidate (run, id);

      g_assert_nonnull (candidate);
      g_assert_nonnull (tooltip);
      g_assert_true (g_str_has_prefix (tooltip, "Proposed by "));
      g_assert_nonnull (strstr (tooltip, id));
      g_assert_nonnull (strstr (tooltip, "demo-alpha"));
      g_assert_nonnull (strstr (tooltip, cs_candidate_angle_label (candidate)));
      g_assert_null (strstr (tooltip, "demo/"));
    }
  /* the demo judge rewrites or adds some items */
  g_assert_cmpuint (marks->len, >, 0);
  for (guint i = 0; i < marks->len; i++)
    {
      const char *text = gtk_label_get_text (g_ptr_array_index (marks, i));

      g_assert_true (g_str_equal (text, "judge added") || g_str_equal (text, "judge changed"));
    }
  cs_test_ui_save_shot (GTK_WIDGET (_cs_window_get_run_page (win)->result_view), "origin-chips.png");

  /* a chip shows its candidate's card: scrolled to, highlighted a moment */
  chip = g_ptr_array_index (chips, chips->len - 1);
  card = card_of (win, cs_origin_chip_get_candidate (chip));
  g_assert_nonnull (card);
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (adw_bin_get_child (ADW_BIN (_cs_window_get_run_page (win)))));
  gtk_adjustment_set_value (adjustment, 0);
  g_signal_emit_by_name (chip, "clicked");
  g_assert_true (gtk_widget_has_css_class (card, "candidate-highlight"));
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), >, 0);
  cs_test_ui_settle (5000);
  cs_test_ui_save_shot (GTK_WIDGET (win), "origin-chip-card.png");
  g_assert_true (cs_test_wait_for (not_highlighted, card, 10000));
  g_assert_false (cs_run_page_show_candidate (_cs_window_get_run_page (win), "c99"));

  gtk_window_destroy (GTK_WINDOW (win));
  cs_run_store_flush (cs_application_get_store (app));
  cs_test_ui_settle (5000);
}

static gboolean
architect_run_gone (gpointer data)
{
  return cs_run_store_find (data, architect_run_id) == NULL;
}

static void
test_reopen (void)
{
  g_autoptr(CsApplication) app = NULL;
  CsWindow *win;
  GtkListBoxRow *row = NULL;
  CsRunStore *store;
  g_autoptr(GPtrArray) checks = NULL;
  g_autofree char *draft = NULL;
  GtkTextIter start, end;

  if (support_run_id == NULL || architect_run_id == NULL)
    {
      g_test_skip ("the runs before did not finish");
      return;
    }

  app = cs_test_ui_start_app ("Test");
  store = cs_application_get_store (app);
  g_assert_true (cs_test_wait_for (store_has_runs, store, 10000));
  g_assert_nonnull (cs_run_store_find (store, architect_run_id));
  g_assert_nonnull (cs_run_store_find (store, support_run_id));

  win = cs_window_new (app);
  gtk_window_present (GTK_WINDOW (win));
  cs_test_ui_settle (5000);

  /* the draft came back */
  gtk_text_buffer_get_bounds (_cs_window_get_problem_buffer (win), &start, &end);
  draft = gtk_text_buffer_get_text (_cs_window_get_problem_buffer (win), &start, &end, FALSE);
  g_assert_cmpstr (draft, ==, "nginx returns 502 Bad Gateway after the upgrade");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (win->compose_page->budget_row)), ==, "$2000 per month");

  /* both runs are in the sidebar; reopen the support run */
  g_assert_cmpstr (gtk_stack_get_visible_child_name (win->history_stack), ==, "list");
  for (int i = 0; (row = gtk_list_box_get_row_at_index (win->history_list, i)) != NULL; i++)
    {
      CsRun *r = cs_history_row_get_run (CS_HISTORY_ROW (row));

      if (g_strcmp0 (cs_run_get_id (r), support_run_id) == 0)
        break;
    }
  g_assert_nonnull (row);
  g_signal_emit_by_name (win->history_list, "row-activated", row);
  /* at once: no crossfade drawing both pages for a fifth of a second */
  g_assert_cmpstr (gtk_stack_get_visible_child_name (win->main_stack), ==, "run");
  g_assert_false (gtk_stack_get_transition_running (win->main_stack));
  cs_test_ui_settle (5000);
  g_assert_true (cs_test_wait_for (result_built, _cs_window_get_run_page (win)->result_view, 30000));

  g_assert_cmpstr (gtk_stack_get_visible_child_name (win->main_stack), ==, "run");
  g_assert_cmpstr (cs_run_get_id (_cs_window_get_run (win)), ==, support_run_id);
  g_assert_cmpstr (cs_result_view_get_kind (_cs_window_get_run_page (win)->result_view), ==, "checklist");
  checks = cs_result_view_get_step_checks (_cs_window_get_run_page (win)->result_view);
  g_assert_cmpuint (checks->len, >, 0);
  g_assert_true (gtk_check_button_get_active (g_ptr_array_index (checks, 0)));
  g_assert_cmpstr (badge_of (win, "demo/demo-alpha"), ==, "done");

  /* rename through the dialog */
  {
    GList *windows;
    AdwMessageDialog *dialog = NULL;
    GtkEditable *entry;

    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.rename-run", "s", support_run_id));
    cs_test_ui_settle (5000);
    windows = gtk_window_list_toplevels ();
    for (GList *l = windows; l != NULL; l = l->next)
      if (ADW_IS_MESSAGE_DIALOG (l->data))
        dialog = l->data;
    g_list_free (windows);
    g_assert_nonnull (dialog);
    entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));
    gtk_editable_set_text (entry, "Renamed <i>run</i>");
    adw_message_dialog_response (dialog, "rename");
    cs_test_ui_settle (5000);
    g_assert_cmpstr (cs_run_get_title (_cs_window_get_run (win)), ==, "Renamed <i>run</i>");
    g_assert_cmpstr (gtk_label_get_text (_cs_window_get_run_page (win)->title_label), ==, "Renamed <i>run</i>");
  }

  /* the other windows open without a warning */
  {
    GtkWidget *full = GTK_WIDGET (cs_candidate_window_new (g_list_model_get_item (G_LIST_MODEL (_cs_window_get_run (win)), 0)));
    GList *windows;

    g_object_unref (cs_candidate_window_get_candidate (CS_CANDIDATE_WINDOW (full)));
    gtk_window_present (GTK_WINDOW (full));
    cs_test_ui_settle (5000);
    cs_test_ui_save_shot (full, "candidate.png");
    assert_accessible (full, "full answer");
    gtk_window_destroy (GTK_WINDOW (full));

    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.copy-markdown", NULL));
    g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
    g_action_group_activate_action (G_ACTION_GROUP (app), "shortcuts", NULL);
    g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
    cs_test_ui_settle (5000);
    windows = gtk_window_list_toplevels ();
    g_assert_cmpuint (g_list_length (windows), >=, 4);
    {
      gboolean shortcuts = FALSE;

      /* built when asked for, not with every window */
      for (GList *l = windows; l != NULL; l = l->next)
        shortcuts |= GTK_IS_SHORTCUTS_WINDOW (l->data) && gtk_widget_get_visible (l->data) &&
                     gtk_window_get_transient_for (l->data) == GTK_WINDOW (win);
      g_assert_true (shortcuts);
      g_assert_null (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (win)));
    }
    for (GList *l = windows; l != NULL; l = l->next)
      if (l->data != (gpointer) win && GTK_IS_WINDOW (l->data) && gtk_widget_get_visible (l->data))
        gtk_window_close (l->data);
    g_list_free (windows);
    cs_test_ui_settle (5000);
  }

  /* the header's mode switcher follows the run shown: the architect run
   * reopened says Systems Architect, the support run Tech Support */
  g_assert_cmpstr (win->mode, ==, "support");
  _cs_window_show_run (win, cs_run_store_find (store, architect_run_id));
  g_assert_cmpstr (win->mode, ==, "architect");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (win->main_stack), ==, "run");
  _cs_window_show_run (win, cs_run_store_find (store, support_run_id));
  g_assert_cmpstr (win->mode, ==, "support");

  /* delete the architect run: gone from the sidebar at once (the undo
   * toast waits), gone from the disk when the window goes */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.delete-run", "s", architect_run_id));
  /* checked before the main loop runs again: the toast's own 5 s can pass
   * while a slow build (the sanitizers) draws the next frames */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (win->history_model)), ==,
                    g_list_model_get_n_items (G_LIST_MODEL (store)) - 1);
  g_assert_nonnull (cs_run_store_find (store, architect_run_id));
  cs_test_ui_settle (5000);

  /* The window is disposed, and the run deleted, once the last reference
   * to it goes: give slow builds (sanitizers) time for that. */
  gtk_window_destroy (GTK_WINDOW (win));
  g_assert_true (cs_test_wait_for (architect_run_gone, store, 5000));
  g_assert_nonnull (cs_run_store_find (store, support_run_id));
}

static gboolean
all_streaming (gpointer data)
{
  CsWindow *win = data;

  return g_strcmp0 (badge_of (win, "demo/demo-alpha"), "streaming") == 0;
}

/* Escape stops a run: the candidates end cancelled, the run too. */
static void
test_cancel (void)
{
  g_autoptr(CsApplication) app = cs_test_ui_start_app ("Test");
  CsWindow *win = cs_window_new (app);
  const char *models[] = { "demo/demo-alpha", NULL };
  CsRun *run;

  gtk_window_present (GTK_WINDOW (win));
  cs_test_ui_settle (5000);
  _cs_window_set_mode (win, "architect");
  set_problem (win, "A queue for image thumbnails");
  _cs_window_select_models (win, models);

  cs_test_provider_set_delay_ms (provider, 200);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.run", NULL));
  run = g_object_ref (_cs_window_get_run (win));
  g_assert_true (cs_test_wait_for (all_streaming, win, 30000));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.cancel", NULL));
  g_assert_true (cs_test_wait_for (not_running, win, 10000));
  cs_test_provider_set_delay_ms (provider, 5);

  g_assert_cmpint (cs_run_get_state (run), ==, CS_RUN_CANCELLED);
  g_assert_cmpstr (badge_of (win, "demo/demo-alpha"), ==, "cancelled");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (win->run_button_stack), ==, "new");

  /* New Run after a sent question: an empty composer */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.new-run", NULL));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (win->main_stack), ==, "compose");
  g_assert_cmpint (gtk_text_buffer_get_char_count (_cs_window_get_problem_buffer (win)), ==, 0);
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (win), "win.run", NULL) && _cs_window_is_running (win));
  /* a question not sent yet stays */
  set_problem (win, "Not sent yet");
  _cs_window_show_run (win, run);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.new-run", NULL));
  g_assert_cmpint (gtk_text_buffer_get_char_count (_cs_window_get_problem_buffer (win)), ==, strlen ("Not sent yet"));

  gtk_window_destroy (GTK_WINDOW (win));
  g_object_unref (run);
  cs_test_ui_settle (5000);
}

static gboolean
alpha_saved (gpointer data)
{
  CsWindow *win = data;
  CsRun *run = _cs_window_get_run (win);
  g_autoptr(CsRunStore) disk = NULL;
  CsRun *saved;

  if (g_strcmp0 (badge_of (win, "demo/demo-alpha"), "done") != 0)
    return FALSE;

  /* and on the disk */
  disk = cs_run_store_new (NULL);
  if (!cs_run_store_load_sync (disk, NULL) || (saved = cs_run_store_find (disk, cs_run_get_id (run))) == NULL)
    return FALSE;
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (saved)); i++)
    {
      g_autoptr(CsCandidate) c = g_list_model_get_item (G_LIST_MODEL (saved), i);

      if (g_strcmp0 (cs_candidate_get_model (c), "demo/demo-alpha") == 0 &&
          cs_candidate_get_status (c) == CS_CANDIDATE_OK)
        return TRUE;
    }
  return FALSE;
}

/* The child: starts a run, and is killed once one candidate finished
 * while the other still streams. */
static void
test_crash_child (void)
{
  CsApplication *app;
  CsWindow *win;
  const char *models[] = { "demo/demo-alpha", "demo/demo-delta+slow", NULL };

  if (!g_test_subprocess ())
    {
      g_test_skip ("run by /ui/crash-recovery in a subprocess");
      return;
    }

  app = cs_test_ui_start_app ("Test");
  win = cs_window_new (app);
  gtk_window_present (GTK_WINDOW (win));
  _cs_window_set_mode (win, "support");
  set_problem (win, "Crash recovery: postgres refuses connections");
  gtk_editable_set_text (GTK_EDITABLE (win->compose_page->os_row), "Debian 12");
  _cs_window_select_models (win, models);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.run", NULL));
  g_assert_true (cs_test_wait_for (alpha_saved, win, 60000));
  g_assert_true (_cs_window_is_running (win));

  kill (getpid (), SIGKILL);
}

static CsRun *
find_crash_run (CsRunStore *store)
{
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (store)); i++)
    {
      g_autoptr(CsRun) r = g_list_model_get_item (G_LIST_MODEL (store), i);

      if (g_str_has_prefix (cs_run_get_problem (r), "Crash recovery"))
        return r;
    }
  return NULL;
}

static gboolean
store_has_crash_run (gpointer data)
{
  return find_crash_run (CS_RUN_STORE (data)) != NULL;
}

static gboolean
both_cards_shown (gpointer data)
{
  return badge_of (data, "demo/demo-alpha") != NULL &&
         badge_of (data, "demo/demo-delta+slow") != NULL;
}

/* Killed mid-run, started again: the run is there with its problem, its
 * constraints and the candidate that had finished, and nothing pretends to
 * be still running. */
static void
test_crash_recovery (void)
{
  g_autoptr(CsApplication) app = NULL;
  CsWindow *win;
  CsRunStore *store;
  CsRun *run = NULL;

  g_test_trap_subprocess ("/ui/crash-recovery/subprocess", (guint64) 120 * cs_test_slack () * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_failed ();
  write_config ();   /* the child wrote its own provider's port */

  app = cs_test_ui_start_app ("Test");
  store = cs_application_get_store (app);
  g_assert_true (cs_test_wait_for (store_has_crash_run, store, 10000));
  run = find_crash_run (store);
  g_assert_nonnull (run);
  g_assert_cmpstr (cs_run_get_constraint (run, "os"), ==, "Debian 12");

  win = cs_window_new (app);
  gtk_window_present (GTK_WINDOW (win));
  _cs_window_show_run (win, run);
  /* the page adds a run's cards one a frame */
  g_assert_true (cs_test_wait_for (both_cards_shown, win, 10000));
  g_assert_cmpstr (badge_of (win, "demo/demo-alpha"), ==, "done");
  g_assert_nonnull (badge_of (win, "demo/demo-delta+slow"));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (_cs_window_get_run_page (win)->spinner)));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (win->run_button_stack), ==, "new");

  gtk_window_destroy (GTK_WINDOW (win));
  cs_test_ui_settle (5000);
}

static gboolean
history_has (CsWindow *win,
             CsRun    *run)
{
  GtkListBoxRow *row;

  for (int i = 0; (row = gtk_list_box_get_row_at_index (win->history_list, i)) != NULL; i++)
    if (cs_history_row_get_run (CS_HISTORY_ROW (row)) == run)
      return TRUE;
  return FALSE;
}

static gboolean
run_final (gpointer data)
{
  CsRunState state = cs_run_get_state (CS_RUN (data));

  return state == CS_RUN_DONE || state == CS_RUN_FAILED || state == CS_RUN_CANCELLED;
}

/* A window destroyed while its run streams: the run belongs to the
 * application, goes on to its end and is in the next window's history;
 * nothing complains. */
static void
test_close_while_running (void)
{
  g_autoptr(CsApplication) app = cs_test_ui_start_app ("Test");
  CsWindow *win = cs_window_new (app);
  const char *models[] = { "demo/demo-alpha", "demo/demo-gamma+500", NULL };
  g_autoptr(CsRun) run = NULL;

  gtk_window_present (GTK_WINDOW (win));
  set_problem (win, "Closing while it runs");
  _cs_window_select_models (win, models);
  cs_test_provider_set_delay_ms (provider, 100);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.run", NULL));
  run = g_object_ref (_cs_window_get_run (win));
  g_assert_true (cs_test_wait_for (all_streaming, win, 30000));

  gtk_window_destroy (GTK_WINDOW (win));
  g_assert_true (cs_run_manager_is_running (cs_application_get_run_manager (app), run));
  cs_test_provider_set_delay_ms (provider, 5);
  g_assert_true (cs_test_wait_for (run_final, run, 30000));
  g_assert_cmpint (cs_run_get_state (run), ==, CS_RUN_DONE);
  cs_test_ui_settle (5000);

  win = cs_window_new (app);
  gtk_window_present (GTK_WINDOW (win));
  cs_test_ui_settle (5000);
  g_assert_true (history_has (win, run));
  gtk_window_destroy (GTK_WINDOW (win));
  cs_test_ui_settle (5000);
}

static gboolean
has_window (CsApplication *app,
            CsWindow      *win)
{
  return g_list_find (gtk_application_get_windows (GTK_APPLICATION (app)), win) != NULL;
}

/* Answers the message dialog on screen with @response and closes it;
 * FALSE when there is none. */
static gboolean
answer_dialog (const char *response)
{
  GList *windows = gtk_window_list_toplevels ();
  AdwMessageDialog *dialog = NULL;

  for (GList *l = windows; l != NULL; l = l->next)
    if (ADW_IS_MESSAGE_DIALOG (l->data) && gtk_widget_get_visible (l->data))
      dialog = l->data;
  g_list_free (windows);
  if (dialog == NULL)
    return FALSE;

  g_object_ref (dialog);
  adw_message_dialog_response (dialog, response);
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_object_unref (dialog);
  cs_test_ui_settle (5000);
  return TRUE;
}

/* Closing a window never decides a run's fate by itself: with another
 * window open it closes and the run goes on; the last window asks, Keep
 * Running keeps both, Stop and Close stops the run and closes. */
static void
test_close_asks (void)
{
  g_autoptr(CsApplication) app = cs_test_ui_start_app ("Test");
  CsWindow *win = cs_window_new (app);
  CsWindow *other;
  const char *models[] = { "demo/demo-alpha", NULL };
  g_autoptr(CsRun) run = NULL;

  gtk_window_present (GTK_WINDOW (win));
  set_problem (win, "Closing asks first");
  _cs_window_select_models (win, models);
  cs_test_provider_set_delay_ms (provider, 100);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.run", NULL));
  run = g_object_ref (_cs_window_get_run (win));
  g_assert_true (cs_test_wait_for (all_streaming, win, 30000));

  other = cs_window_new (app);
  gtk_window_present (GTK_WINDOW (other));
  cs_test_ui_settle (5000);
  gtk_window_close (GTK_WINDOW (other));
  cs_test_ui_settle (5000);
  g_assert_false (has_window (app, other));
  g_assert_false (answer_dialog ("keep"));
  g_assert_true (_cs_window_is_running (win));

  gtk_window_close (GTK_WINDOW (win));
  cs_test_ui_settle (5000);
  g_assert_true (answer_dialog ("keep"));
  g_assert_true (has_window (app, win));
  g_assert_true (_cs_window_is_running (win));
  g_assert_cmpint (cs_run_get_state (run), ==, CS_RUN_RUNNING);

  gtk_window_close (GTK_WINDOW (win));
  cs_test_ui_settle (5000);
  g_assert_true (answer_dialog ("stop"));
  g_assert_true (cs_test_wait_for (run_final, run, 10000));
  g_assert_cmpint (cs_run_get_state (run), ==, CS_RUN_CANCELLED);
  g_assert_false (has_window (app, win));
  cs_test_provider_set_delay_ms (provider, 5);
  cs_test_ui_settle (5000);
}

/* Hostile results: wrong types everywhere, thousands of items, markup,
 * a huge reply: shown (bounded), never a warning. */
static gboolean
buffer_filled (gpointer data)
{
  return gtk_text_buffer_get_char_count (data) > 1000;
}

static void
test_hostile_data (void)
{
  g_autoptr(CsRun) run = cs_run_new (CS_MODE_ARCHITECT, "hostile");
  g_autoptr(CsRun) support = cs_run_new (CS_MODE_SUPPORT, "hostile");
  g_autoptr(CsCandidate) candidate = cs_candidate_new ("c1", "demo/<b>x</b>", "performance");
  g_autoptr(GString) json = g_string_new (NULL);
  g_autoptr(GString) huge = g_string_new (NULL);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *window, *scroller, *box, *view, *support_view, *card, *diagram, *text;
  GtkTextBuffer *buffer;

  g_string_append (json, "{\"methods\": [\"ensemble\", 3, null], \"degraded\": \"yes\", \"note\": 7,"
                         " \"critiques\": [{\"candidate\": 1, \"score\": \"ten\"}, 5, {\"candidate\": \"c1\", \"score\": 99, \"strengths\": \"<i>&\"}],"
                         " \"votes\": {\"a\": 1}, \"consensus\": [[]],"
                         " \"data\": {\"summary\": \"<b>not bold</b> & co\", \"monthly_cost_usd\": \"cheap\","
                         " \"mermaid\": 12, \"trade_offs\": [1, \"<u>x</u>\", {}], \"risks\": \"none\","
                         " \"decisions\": [{\"topic\": \"t\", \"rejected_alternatives\": [1, \"y\", null]}],"
                         " \"connections\": [{\"from\": \"n1\", \"to\": \"n2\"}, {\"from\": 1}, \"x\"],"
                         " \"components\": [");
  for (guint i = 0; i < 3000; i++)
    g_string_append_printf (json, "%s{\"name\": \"n%u\", \"technology\": \"<t>\"}", i ? "," : "", i);
  g_string_append (json, ", 5, null, [\"x\"]]}}");
  node = json_from_string (json->str, &error);
  g_assert_no_error (error);
  cs_run_set_synthesis (run, node);

  g_clear_pointer (&node, json_node_unref);
  node = json_from_string ("{\"data\": {\"steps\": [5, {\"title\": 3}, {\"title\": \"<b>ok</b>\", \"command\": [1]}],"
                           " \"likely_causes\": \"x\", \"escalate_when\": {}},"
                           " \"alternatives\": [{\"title\": \"alt\", \"after_step\": \"two\"}, 1]}", &error);
  g_assert_no_error (error);
  cs_run_set_synthesis (support, node);

  while (huge->len < 1024 * 1024)
    g_string_append (huge, "{\"summary\": \"é and more text that never ends\", ");
  cs_candidate_set_text (candidate, huge->str);

  window = gtk_window_new ();
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  view = cs_result_view_new ();
  support_view = cs_result_view_new ();
  card = GTK_WIDGET (cs_candidate_card_new (candidate));
  gtk_box_append (GTK_BOX (box), card);
  gtk_box_append (GTK_BOX (box), view);
  gtk_box_append (GTK_BOX (box), support_view);
  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), box);
  gtk_window_set_child (GTK_WINDOW (window), scroller);
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 700);
  gtk_window_present (GTK_WINDOW (window));

  cs_result_view_set_run (CS_RESULT_VIEW (view), run);
  cs_result_view_set_run (CS_RESULT_VIEW (support_view), support);
  cs_candidate_card_set_critique (CS_CANDIDATE_CARD (card), 99, "<i>&", NULL);
  cs_test_ui_settle (5000);
  /* every row of the bounded lists, a few a frame */
  g_assert_true (cs_test_wait_for (result_built, view, 60000));
  g_assert_true (cs_test_wait_for (result_built, support_view, 60000));

  g_assert_cmpstr (cs_result_view_get_kind (CS_RESULT_VIEW (view)), ==, "blueprint");
  diagram = cs_test_ui_find_named (view, "blueprint-diagram");
  g_assert_nonnull (diagram);
  g_assert_cmpuint (cs_diagram_get_n_nodes (CS_DIAGRAM (diagram)), <=, 80);
  g_assert_cmpuint (cs_diagram_get_n_nodes (CS_DIAGRAM (diagram)), >, 1);
  g_assert_cmpuint (cs_diagram_get_n_edges (CS_DIAGRAM (diagram)), ==, 1);
  g_assert_cmpstr (cs_result_view_get_kind (CS_RESULT_VIEW (support_view)), ==, "checklist");

  /* the card shows a bounded part of the megabyte */
  show_raw (card);
  text = find_type (card, GTK_TYPE_TEXT_VIEW, NULL);
  g_assert_nonnull (text);
  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (text));
  /* filled on an idle: slow builds (sanitizers) take longer */
  cs_test_wait_for (buffer_filled, buffer, 20000);
  g_assert_cmpint (gtk_text_buffer_get_char_count (buffer), >, 1000);
  g_assert_cmpint (gtk_text_buffer_get_char_count (buffer), <, 70 * 1024);

  /* and the full answer opens */
  {
    GtkWidget *full = GTK_WIDGET (cs_candidate_window_new (candidate));

    gtk_window_present (GTK_WINDOW (full));
    cs_test_ui_settle (5000);
    gtk_window_destroy (GTK_WINDOW (full));
  }

  gtk_window_destroy (GTK_WINDOW (window));
  cs_test_ui_settle (5000);
}

/* Bad input: nothing to ask, blanks only, no model: no run, the page
 * stays; a huge problem runs and its title stays short. */
static void
test_bad_input (void)
{
  g_autoptr(CsApplication) app = cs_test_ui_start_app ("Test");
  CsWindow *win = cs_window_new (app);
  const char *none[] = { NULL };
  const char *models[] = { "demo/demo-alpha", NULL };
  g_autoptr(GString) huge = g_string_new ("A log that goes on\n");
  CsRun *run;

  gtk_window_present (GTK_WINDOW (win));
  cs_test_ui_settle (5000);

  set_problem (win, "");
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (win), "win.run", NULL) && _cs_window_is_running (win));
  g_assert_false (_cs_window_is_running (win));

  set_problem (win, "   \n\t  ");
  gtk_widget_activate_action (GTK_WIDGET (win), "win.run", NULL);
  g_assert_false (_cs_window_is_running (win));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (win->main_stack), ==, "compose");

  set_problem (win, "Something to ask");
  _cs_window_select_models (win, none);
  gtk_widget_activate_action (GTK_WIDGET (win), "win.run", NULL);
  g_assert_false (_cs_window_is_running (win));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (win->main_stack), ==, "compose");

  while (huge->len < 1024 * 1024)
    g_string_append (huge, "ERROR upstream timed out (110: Connection timed out) while reading response header\n");
  set_problem (win, huge->str);
  _cs_window_select_models (win, models);
  gtk_widget_activate_action (GTK_WIDGET (win), "win.run", NULL);
  run = _cs_window_get_run (win);
  if (_cs_window_is_running (win))
    {
      g_assert_cmpint (g_utf8_strlen (cs_run_get_title (run), -1), <=, 80);
      gtk_widget_activate_action (GTK_WIDGET (win), "win.cancel", NULL);
      g_assert_true (cs_test_wait_for (not_running, win, 30000));
    }
  else
    /* refused by the engine: said in a toast, the draft is kept */
    g_assert_cmpstr (gtk_stack_get_visible_child_name (win->main_stack), ==, "compose");

  gtk_window_destroy (GTK_WINDOW (win));
  cs_test_ui_settle (5000);
}

#ifdef CS_TEST_UI_X11
static gboolean
is_running (gpointer data)
{
  return _cs_window_is_running (CS_WINDOW (data));
}

/* Real keys: Ctrl+Enter in the problem editor runs, Escape cancels. */
static void
test_keyboard (void)
{
  g_autoptr(CsApplication) app = cs_test_ui_start_app ("Test");
  CsWindow *win = cs_window_new (app);
  const char *models[] = { "demo/demo-alpha", NULL };
  g_autofree char *text = NULL;
  GtkTextIter start, end;
  g_autoptr(CsRun) run = NULL;

  gtk_window_present (GTK_WINDOW (win));
  cs_test_ui_settle (5000);
  _cs_window_set_mode (win, "support");
  set_problem (win, "Keyboard: the printer queue is stuck");
  _cs_window_select_models (win, models);
  gtk_widget_grab_focus (GTK_WIDGET (win->compose_page->problem_view));
  cs_test_ui_settle (5000);

  cs_test_provider_set_delay_ms (provider, 100);
  if (!cs_test_ui_press_key (GTK_WIDGET (win), XK_Control_L, XK_Return))
    {
      g_test_skip ("no XTest");
      gtk_window_destroy (GTK_WINDOW (win));
      return;
    }
  g_assert_true (cs_test_wait_for (is_running, win, 5000));
  run = g_object_ref (_cs_window_get_run (win));
  /* the key ran the run; it did not type a new line */
  gtk_text_buffer_get_bounds (_cs_window_get_problem_buffer (win), &start, &end);
  text = gtk_text_buffer_get_text (_cs_window_get_problem_buffer (win), &start, &end, FALSE);
  g_assert_cmpstr (text, ==, "Keyboard: the printer queue is stuck");

  cs_test_ui_settle (5000);
  g_assert_true (cs_test_ui_press_key (GTK_WIDGET (win), 0, XK_Escape));
  g_assert_true (cs_test_wait_for (not_running, win, 10000));
  g_assert_cmpint (cs_run_get_state (run), ==, CS_RUN_CANCELLED);
  cs_test_provider_set_delay_ms (provider, 5);

  gtk_window_destroy (GTK_WINDOW (win));
  cs_test_ui_settle (5000);
}

static char *
problem_text (CsWindow *win)
{
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (_cs_window_get_problem_buffer (win), &start, &end);
  return gtk_text_buffer_get_text (_cs_window_get_problem_buffer (win), &start, &end, FALSE);
}

static gboolean
shows_compose (gpointer data)
{
  return g_strcmp0 (gtk_stack_get_visible_child_name (CS_WINDOW (data)->main_stack), "compose") == 0;
}

static gboolean
problem_is (gpointer data)
{
  struct { CsWindow *win; const char *text; } *want = data;
  g_autofree char *text = problem_text (want->win);

  return g_strcmp0 (text, want->text) == 0;
}

/* Real keys: Ctrl+N after a sent run gives an empty composer (what is typed
 * next is a new question, not appended to the last one); a question not
 * sent yet is kept by Ctrl+N. */
static void
test_new_run_keys (void)
{
  g_autoptr(CsApplication) app = cs_test_ui_start_app ("Test");
  CsWindow *win = cs_window_new (app);
  const char *models[] = { "demo/demo-alpha", NULL };
  struct { CsWindow *win; const char *text; } want = { win, NULL };
  g_autoptr(CsRun) run = NULL;
  g_autofree char *text = NULL;

  gtk_window_present (GTK_WINDOW (win));
  cs_test_ui_settle (5000);
  _cs_window_set_mode (win, "support");
  set_problem (win, "New Run: the mail queue grows");
  _cs_window_select_models (win, models);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.run", NULL));
  run = g_object_ref (_cs_window_get_run (win));
  g_assert_true (cs_test_wait_for (not_running, win, 90000));
  g_assert_cmpint (cs_run_get_state (run), ==, CS_RUN_DONE);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (win->main_stack), ==, "run");
  cs_test_ui_settle (5000);

  /* Ctrl+N after the sent run: an empty composer */
  if (!cs_test_ui_press_key (GTK_WIDGET (win), XK_Control_L, XK_n))
    {
      g_test_skip ("no XTest");
      gtk_window_destroy (GTK_WINDOW (win));
      return;
    }
  want.text = "";
  g_assert_true (cs_test_wait_for (problem_is, &want, 5000));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (win->main_stack), ==, "compose");
  cs_test_ui_settle (5000);

  /* what is typed next is the whole new question */
  g_assert_true (cs_test_ui_press_key (GTK_WIDGET (win), 0, XK_o));
  g_assert_true (cs_test_ui_press_key (GTK_WIDGET (win), 0, XK_k));
  want.text = "ok";
  g_assert_true (cs_test_wait_for (problem_is, &want, 5000));

  /* not sent: back to the run and Ctrl+N again keeps it */
  _cs_window_show_run (win, run);
  cs_test_ui_settle (5000);
  g_assert_true (cs_test_ui_press_key (GTK_WIDGET (win), XK_Control_L, XK_n));
  cs_test_wait_for (shows_compose, win, 5000);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (win->main_stack), ==, "compose");
  text = problem_text (win);
  g_assert_cmpstr (text, ==, "ok");
  /* and Ctrl+N on the composer itself keeps it too */
  g_assert_true (cs_test_ui_press_key (GTK_WIDGET (win), XK_Control_L, XK_n));
  cs_test_ui_settle (5000);
  g_clear_pointer (&text, g_free);
  text = problem_text (win);
  g_assert_cmpstr (text, ==, "ok");

  gtk_window_destroy (GTK_WINDOW (win));
  cs_test_ui_settle (5000);
}
#endif

static gboolean
problem_is_markdown (gpointer data)
{
  CsWindow *win = data;
  GtkSourceLanguage *language =
    gtk_source_buffer_get_language (GTK_SOURCE_BUFFER (_cs_window_get_problem_buffer (win)));

  return language != NULL && g_strcmp0 (gtk_source_language_get_id (language), "markdown") == 0;
}

/* The problem editor's Markdown highlighting waits for the first frame (it
 * is a fifth of the launch), then comes without anything else happening. */
static void
test_problem_highlighting (void)
{
  g_autoptr(CsApplication) app = cs_test_ui_start_app ("Test");
  CsWindow *win = cs_window_new (app);

  g_assert_false (problem_is_markdown (win));
  gtk_window_present (GTK_WINDOW (win));
  g_assert_true (cs_test_wait_for (problem_is_markdown, win, 10000));

  gtk_window_destroy (GTK_WINDOW (win));
  cs_test_ui_settle (5000);
}

static gboolean
config_has_openai (gpointer data)
{
  CsApplication *app = data;

  return cs_config_find_provider (cs_application_get_config (app), "openai") != NULL;
}

/* The application's configuration changes with the edit; the file when the
 * preferences save it (debounced). */
static gboolean
file_has_openai (gpointer data)
{
  g_autofree char *ini = NULL;

  return g_file_get_contents (data, &ini, NULL, NULL) && strstr (ini, "[provider openai]") != NULL;
}

static void
has_key_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  int *state = user_data;
  g_autoptr(GError) error = NULL;
  gboolean has = cs_secrets_has_key_finish (result, &error);

  *state = error != NULL ? 2 : has ? 1 : 3;
}

static gboolean
state_set (gpointer data)
{
  return *(int *) data != 0;
}

static void
stored_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  int *state = user_data;

  *state = cs_secrets_store_finish (result, NULL) ? 1 : 2;
}

/* Whether a key can be stored at all (tools/test.sh unlocks a keyring; a
 * bare session may not have one). */
static gboolean
keyring_works (void)
{
  int state = 0;

  cs_secrets_store_async ("test-ui-probe", "probe", NULL, stored_cb, &state);
  cs_test_wait_for (state_set, &state, 10000);
  return state == 1;
}


/* Opens every expander row; returns how many. */
static guint
expand_all (GtkWidget *root)
{
  guint n = 0;

  if (ADW_IS_EXPANDER_ROW (root))
    {
      adw_expander_row_set_expanded (ADW_EXPANDER_ROW (root), TRUE);
      n++;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    n += expand_all (child);
  return n;
}

static void
test_preferences (void)
{
  g_autoptr(CsApplication) app = cs_test_ui_start_app ("Test");
  CsWindow *win = cs_window_new (app);
  CsPreferencesWindow *prefs;
  g_autofree char *path = cs_config_get_default_path ();
  g_autofree char *ini = NULL;
  GtkWidget *key_row;
  int state = 0;

  gtk_window_present (GTK_WINDOW (win));
  prefs = cs_preferences_window_new (app);
  gtk_window_set_transient_for (GTK_WINDOW (prefs), GTK_WINDOW (win));
  gtk_window_present (GTK_WINDOW (prefs));
  cs_test_ui_settle (5000);

  /* add the OpenAI preset: written to providers.ini, offered in the window */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (prefs), "prefs.add-preset", "s", "openai"));
  g_assert_true (cs_test_wait_for (file_has_openai, path, 5000));
  g_assert_true (config_has_openai (app));
  g_file_get_contents (path, &ini, NULL, NULL);
  g_assert_nonnull (strstr (ini, "[provider openai]"));
  g_assert_nonnull (strstr (ini, "[provider demo]"));
  cs_test_ui_settle (5000);
  g_assert_cmpuint (win->compose_page->model_rows->len, >, 5);
  cs_test_ui_save_shot (GTK_WIDGET (prefs), "preferences.png");
  assert_accessible (GTK_WIDGET (prefs), "preferences");
  {
    /* each page a person can pick is shown when asked for (the window's
     * search results, a page too, are not among them: asked for, libadwaita
     * warns) */
    g_autoptr(GPtrArray) pages = cs_test_ui_preferences_pages (ADW_PREFERENCES_WINDOW (prefs));
    const char *titles[] = { "Providers", "Prices", "Runs" };

    g_assert_cmpuint (pages->len, ==, G_N_ELEMENTS (titles));
    for (guint i = 0; i < pages->len; i++)
      {
        AdwPreferencesPage *page = g_ptr_array_index (pages, i);

        g_assert_cmpstr (adw_preferences_page_get_title (page), ==, titles[i]);
        adw_preferences_window_set_visible_page (ADW_PREFERENCES_WINDOW (prefs), page);
        g_assert_true (adw_preferences_window_get_visible_page (ADW_PREFERENCES_WINDOW (prefs)) == page);
      }
    adw_preferences_window_set_visible_page (ADW_PREFERENCES_WINDOW (prefs), g_ptr_array_index (pages, 0));
  }
  /* and every provider's rows: key, Test, models, limits, prices */
  g_assert_cmpuint (expand_all (GTK_WIDGET (prefs)), >, 0);
  cs_test_ui_settle (5000);
  assert_accessible (GTK_WIDGET (prefs), "preferences, providers expanded");

  /* a key typed in the password row goes to the keyring, never the file */
  key_row = find_type (GTK_WIDGET (prefs), ADW_TYPE_PASSWORD_ENTRY_ROW, NULL);
  g_assert_nonnull (key_row);
  gtk_editable_set_text (GTK_EDITABLE (key_row), "sk-test-not-a-real-key");
  g_signal_emit_by_name (key_row, "apply");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (key_row)), ==, "");
  /* what must not happen: a save would have written it by now */
  cs_test_wait_for (cs_test_never, NULL, 1000);
  g_clear_pointer (&ini, g_free);
  g_file_get_contents (path, &ini, NULL, NULL);
  g_assert_null (strstr (ini, "sk-test-not-a-real-key"));
  cs_secrets_has_key_async ("demo", NULL, has_key_cb, &state);
  g_assert_true (cs_test_wait_for (state_set, &state, 10000));
  if (state != 1 && !keyring_works ())
    g_test_message ("the keyring does not work here: the stored key could not be checked");
  else
    g_assert_cmpint (state, ==, 1);

  gtk_window_destroy (GTK_WINDOW (prefs));
  gtk_window_destroy (GTK_WINDOW (win));
  cs_test_ui_settle (5000);
}

static void
assert_file_is (const char *path,
                const char *expected)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  g_assert_cmpmem (contents, len, expected, strlen (expected));
}

static gboolean
toast_says_not_saved (gpointer data)
{
  const char *last = _cs_preferences_window_get_last_toast (data);

  return last != NULL && strstr (last, "Not saved") != NULL;
}

/* The preferences never replace a providers file they cannot read: not
 * when it was broken as they opened, not when it broke while they were
 * open; a toast names the file and says why. */
static void
test_preferences_keep_file (void)
{
  static const char broken[] = "[provider demo]\nbase-url=http://127.0.0.1:1/v1\nmax-concurrent=many\n";
  g_autofree char *path = cs_config_get_default_path ();
  g_autoptr(CsApplication) app = cs_test_ui_start_app ("Test");
  CsPreferencesWindow *prefs;
  const char *last;

  /* broken before they open */
  g_assert_true (g_file_set_contents (path, broken, -1, NULL));
  prefs = cs_preferences_window_new (app);
  gtk_window_present (GTK_WINDOW (prefs));
  cs_test_ui_settle (5000);
  last = _cs_preferences_window_get_last_toast (prefs);
  g_assert_nonnull (last);
  g_assert_nonnull (strstr (last, path));
  g_assert_nonnull (strstr (last, "max-concurrent"));
  gtk_widget_activate_action (GTK_WIDGET (prefs), "prefs.add-preset", "s", "openai");
  /* what must not happen: a save would have written it by now */
  cs_test_wait_for (cs_test_never, NULL, 1000);
  assert_file_is (path, broken);
  /* closing writes pending edits: there are none to write here */
  gtk_window_destroy (GTK_WINDOW (prefs));
  cs_test_ui_settle (5000);
  assert_file_is (path, broken);

  /* readable as they open, broken by hand before the edit is saved */
  write_config ();
  prefs = cs_preferences_window_new (app);
  gtk_window_present (GTK_WINDOW (prefs));
  cs_test_ui_settle (5000);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (prefs), "prefs.add-preset", "s", "openai"));
  g_assert_true (g_file_set_contents (path, broken, -1, NULL));
  /* the save is due 500 ms after the edit; building the rows takes longer
   * in slow builds (sanitizers) */
  cs_test_wait_for (toast_says_not_saved, prefs, 10000);
  assert_file_is (path, broken);
  last = _cs_preferences_window_get_last_toast (prefs);
  g_assert_nonnull (last);
  g_test_message ("last toast: %s", last);
  g_assert_nonnull (strstr (last, "Not saved"));
  g_assert_nonnull (strstr (last, path));
  gtk_window_destroy (GTK_WINDOW (prefs));
  cs_test_ui_settle (5000);
  assert_file_is (path, broken);

  write_config ();
}

static void
count_cb (guint *count)
{
  (*count)++;
}

/* A window's toast count reached @n. */
typedef struct {
  CsWindow *win;
  guint     n;
} ToastWait;

static gboolean
toasts_reached (gpointer data)
{
  ToastWait *wait = data;

  return wait->win->n_toasts >= wait->n;
}

static gboolean
save_failure_cleared (gpointer data)
{
  CsWindow *win = data;

  return cs_run_manager_get_n_save_failures (win->manager) == 0;
}

/* The runs directory cannot be written (a file stands in its way, which
 * stops root too): one toast per run, not one per failed save; once a save
 * succeeded, the next failure is said again. */
static void
test_save_failed (void)
{
  g_autoptr(CsApplication) app = cs_test_ui_start_app ("Test");
  CsWindow *win = cs_window_new (app);
  CsRunStore *store = cs_application_get_store (app);
  const char *models[] = { "demo/demo-alpha", "demo/demo-delta+slow", NULL };
  g_autofree char *dir = g_strdup (cs_run_store_get_dir (store));
  g_autofree char *away = g_strconcat (dir, ".away", NULL);
  guint n_failed = 0;
  guint toasts;
  CsRun *run;

  gtk_window_present (GTK_WINDOW (win));
  g_assert_true (cs_test_wait_for (store_has_runs, store, 10000));
  cs_test_ui_settle (5000);

  g_assert_cmpint (g_rename (dir, away), ==, 0);
  g_assert_true (g_file_set_contents (dir, "not a directory", -1, NULL));
  g_signal_connect_swapped (store, "save-failed", G_CALLBACK (count_cb), &n_failed);

  toasts = win->n_toasts;
  _cs_window_set_mode (win, "architect");
  set_problem (win, "Nowhere to save this run");
  _cs_window_select_models (win, models);
  cs_test_provider_set_delay_ms (provider, 20);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.run", NULL));
  run = _cs_window_get_run (win);
  g_assert_true (cs_test_wait_for (not_running, win, 90000));
  cs_test_provider_set_delay_ms (provider, 5);
  cs_run_store_save (store, run);
  cs_run_store_save (store, run);
  /* the writes fail in a worker thread: wait for all of them, then for
   * the toast (a fixed 300 ms was not always enough under load) */
  cs_run_store_flush (store);
  g_assert_true (cs_test_wait_for (toasts_reached, &(ToastWait) { win, toasts + 1 }, 10000));
  cs_test_ui_settle (5000);

  g_assert_cmpuint (n_failed, >=, 3);
  g_assert_cmpuint (win->n_toasts, ==, toasts + 1);
  g_assert_nonnull (strstr (win->last_toast, "Could not save “Nowhere to save this run”: "));
  g_assert_true (cs_run_manager_has_save_failure (win->manager, cs_run_get_id (run)));

  /* room again: the next save succeeds and clears the failure */
  g_assert_cmpint (g_unlink (dir), ==, 0);
  g_assert_cmpint (g_rename (away, dir), ==, 0);
  cs_run_store_save (store, run);
  g_assert_true (cs_test_wait_for (save_failure_cleared, win, 10000));
  cs_run_store_flush (store);

  /* and a new failure is news */
  g_assert_cmpint (g_rename (dir, away), ==, 0);
  g_assert_true (g_file_set_contents (dir, "not a directory", -1, NULL));
  cs_run_store_save (store, run);
  cs_run_store_flush (store);
  g_assert_true (cs_test_wait_for (toasts_reached, &(ToastWait) { win, toasts + 2 }, 10000));
  cs_test_ui_settle (5000);
  g_assert_cmpuint (win->n_toasts, ==, toasts + 2);
  g_assert_cmpuint (cs_run_manager_get_n_save_failures (win->manager), ==, 1);

  g_assert_cmpint (g_unlink (dir), ==, 0);
  g_assert_cmpint (g_rename (away, dir), ==, 0);
  g_signal_handlers_disconnect_by_data (store, &n_failed);
  gtk_window_destroy (GTK_WINDOW (win));
  cs_test_ui_settle (5000);
}

static gboolean
has_toasts (gpointer data)
{
  return CS_WINDOW (data)->n_toasts > 0;
}

/* Corrupt files in the runs directory: one toast says how many, the other
 * runs load. */
static void
test_load_failed (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "consilium", "runs", NULL);
  g_autofree char *bad1 = g_build_filename (dir, "corrupt-1.json", NULL);
  g_autofree char *bad2 = g_build_filename (dir, "corrupt-2.json", NULL);
  g_autoptr(CsApplication) app = NULL;
  CsWindow *win;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (bad1, "{\"version\": 1, \"id\": ", -1, NULL));
  g_assert_true (g_file_set_contents (bad2, "[1, 2, 3]", -1, NULL));

  app = cs_test_ui_start_app ("Test");
  win = cs_window_new (app);
  gtk_window_present (GTK_WINDOW (win));
  g_assert_true (cs_test_wait_for (has_toasts, win, 10000));
  g_assert_cmpstr (win->last_toast, ==, "2 saved runs could not be read");
  g_assert_cmpuint (win->n_toasts, ==, 1);
  g_assert_true (cs_test_wait_for (store_has_runs, cs_application_get_store (app), 10000));
  /* reported once */
  cs_test_ui_settle (5000);
  g_assert_cmpuint (win->n_toasts, ==, 1);

  gtk_window_destroy (GTK_WINDOW (win));
  cs_test_ui_settle (5000);
  g_unlink (bad1);
  g_unlink (bad2);
}

static GtkWidget *
find_button (GtkWidget  *root,
             const char *label)
{
  if (GTK_IS_BUTTON (root) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (root)), label) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button (child, label);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
use_demo_sensitive (gpointer data)
{
  CsWindow *win = data;
  GtkWidget *button = find_button (GTK_WIDGET (win->welcome_list), _("_Use Demo"));

  return button != NULL && gtk_widget_get_sensitive (button);
}

/* The welcome page's "Use Demo", once the demo provider answered. */
static GtkWidget *
wait_for_use_demo (CsWindow *win)
{
  GtkWidget *button;

  cs_test_wait_for (use_demo_sensitive, win, 10000);
  button = find_button (GTK_WIDGET (win->welcome_list), _("_Use Demo"));
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_get_sensitive (button));
  return button;
}

static gboolean
config_has_demo (gpointer data)
{
  return cs_config_find_provider (cs_application_get_config (CS_APPLICATION (data)), "demo") != NULL;
}

/* First run: no providers file, a demo provider announced in the
 * environment: the welcome page offers it and one click configures it. */
static void
test_welcome (void)
{
  g_autofree char *path = cs_config_get_default_path ();
  g_autofree char *base = cs_test_provider_dup_base_url (provider);
  g_autoptr(CsApplication) app = NULL;
  CsWindow *win;
  GtkWidget *button;

  /* a broken providers file: said on the welcome page, nothing crashes */
  g_assert_true (g_file_set_contents (path, "[provider broken\nbase-url=<&>\n", -1, NULL));
  {
    g_autoptr(CsApplication) broken_app = cs_test_ui_start_app ("Test");
    CsWindow *broken = cs_window_new (broken_app);

    gtk_window_present (GTK_WINDOW (broken));
    cs_test_ui_settle (5000);
    g_assert_cmpstr (gtk_stack_get_visible_child_name (broken->main_stack), ==, "welcome");
    g_assert_nonnull (cs_application_get_config_error (broken_app));
    g_assert_nonnull (strstr (adw_status_page_get_description (broken->welcome_page), "providers"));
    gtk_window_destroy (GTK_WINDOW (broken));
    cs_test_ui_settle (5000);
  }

  g_assert_cmpint (g_unlink (path), ==, 0);
  g_setenv ("CONSILIUM_DEMO_URL", base, TRUE);

  app = cs_test_ui_start_app ("Test");
  win = cs_window_new (app);
  gtk_window_present (GTK_WINDOW (win));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (win->main_stack), ==, "welcome");
  cs_test_ui_save_shot (GTK_WIDGET (win), "welcome.png");
  assert_accessible (GTK_WIDGET (win), "welcome page");

  /* the Ollama preset is offered even with no server answering */
  {
    GtkWidget *ollama = find_type (GTK_WIDGET (win->welcome_list), ADW_TYPE_ACTION_ROW, "Ollama");

    g_assert_nonnull (ollama);
    g_assert_true (gtk_widget_get_visible (ollama));
    g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (ollama)), "11434"));
    g_assert_nonnull (find_button (ollama, _("_Set Up…")));
  }

  button = wait_for_use_demo (win);
  g_signal_emit_by_name (button, "clicked");

  g_assert_true (cs_test_wait_for (config_has_demo, app, 5000));
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (win->main_stack), ==, "compose");
  /* the rows come in the frame after the page's first */
  g_assert_true (cs_test_ui_wait_models (win->compose_page, 5000));
  g_assert_cmpuint (win->compose_page->model_rows->len, >, 0);

  /* narrow: the sidebar folds away, the compose page stays */
  gtk_window_set_default_size (GTK_WINDOW (win), 420, 760);
  cs_test_ui_settle (5000);
  cs_test_ui_save_shot (GTK_WIDGET (win), "narrow.png");
  if (adw_leaflet_get_folded (win->leaflet))
    g_assert_true (adw_leaflet_get_visible_child (win->leaflet) == win->main_box);

  gtk_window_destroy (GTK_WINDOW (win));
  cs_test_ui_settle (5000);

  /* back to the providers the other tests use */
  g_unsetenv ("CONSILIUM_DEMO_URL");
  write_config ();
}

static gboolean
port_closed (gpointer data)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;

  connection = g_socket_client_connect_to_host (client, "127.0.0.1", GPOINTER_TO_UINT (data), NULL, NULL);
  return connection == NULL;
}

static gboolean
quit_app_cb (gpointer data)
{
  g_action_group_activate_action (G_ACTION_GROUP (data), "quit", NULL);
  return G_SOURCE_REMOVE;
}

/* An installed app with no demo provider running: the welcome page offers
 * the installed one, choosing it starts it, adds it, and a run against it
 * succeeds; the application stops it when it goes. The build's provider
 * (tests/consilium-test-provider, built by default) stands for the
 * installed one (CONSILIUM_DEMO_PROVIDER). */
static void
test_welcome_starts_demo (void)
{
  g_autofree char *path = cs_config_get_default_path ();
  g_autofree char *run_sh_port = g_build_filename (g_get_user_runtime_dir (), "consilium-demo-provider.port", NULL);
  g_autofree char *program = g_test_build_filename (G_TEST_BUILT, "consilium-test-provider", NULL);
  const char *models[] = { "demo/demo-alpha", NULL };
  CsApplication *app;
  CsWindow *win;
  GtkWidget *row, *button;
  const CsProviderConfig *demo;
  g_autoptr(GUri) uri = NULL;
  guint port;
  CsRun *run;

  if (g_file_test (run_sh_port, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("a demo provider started by tools/run.sh is running");
      return;
    }
  g_assert_true (g_file_test (program, G_FILE_TEST_IS_EXECUTABLE));
  g_assert_null (g_getenv ("CONSILIUM_DEMO_URL"));
  g_assert_cmpint (g_unlink (path), ==, 0);

  /* none installed: not offered */
  g_setenv ("CONSILIUM_DEMO_PROVIDER", "/nonexistent/consilium-test-provider", TRUE);
  app = cs_test_ui_start_app ("Test");
  win = cs_window_new (app);
  gtk_window_present (GTK_WINDOW (win));
  cs_test_ui_settle (5000);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (win->main_stack), ==, "welcome");
  g_assert_null (find_type (GTK_WIDGET (win->welcome_list), ADW_TYPE_ACTION_ROW, _("Demo Provider (Synthetic Answers)")));
  gtk_window_destroy (GTK_WINDOW (win));
  g_object_unref (app);

  /* installed: offered at once, labelled as a demo */
  g_setenv ("CONSILIUM_DEMO_PROVIDER", program, TRUE);
  app = cs_test_ui_start_app ("Test");
  win = cs_window_new (app);
  gtk_window_present (GTK_WINDOW (win));
  cs_test_ui_settle (5000);
  row = find_type (GTK_WIDGET (win->welcome_list), ADW_TYPE_ACTION_ROW, _("Demo Provider (Synthetic Answers)"));
  g_assert_nonnull (row);
  g_assert_true (gtk_widget_get_visible (row));
  button = find_button (row, _("_Use Demo"));
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_get_sensitive (button));
  g_assert_null (cs_demo_provider_get_base_url (cs_application_get_demo_provider (app)));
  cs_test_ui_save_shot (GTK_WIDGET (win), "welcome-installed.png");

  g_signal_emit_by_name (button, "clicked");
  g_assert_true (cs_test_wait_for (config_has_demo, app, 20000));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (win->main_stack), ==, "compose");
  demo = cs_config_find_provider (cs_application_get_config (app), "demo");
  g_assert_cmpstr (demo->base_url, ==, cs_demo_provider_get_base_url (cs_application_get_demo_provider (app)));
  g_assert_cmpstr (demo->name, ==, _("Demo (synthetic answers)"));
  g_assert_true (g_strv_contains ((const char * const *) demo->models, "demo-alpha"));
  uri = g_uri_parse (demo->base_url, G_URI_FLAGS_NONE, NULL);
  g_assert_nonnull (uri);
  g_assert_cmpstr (g_uri_get_host (uri), ==, "127.0.0.1");
  port = (guint) g_uri_get_port (uri);
  g_assert_false (port_closed (GUINT_TO_POINTER (port)));

  /* a run against it */
  _cs_window_set_mode (win, "architect");
  set_problem (win, "A URL shortener for 10k requests per second");
  _cs_window_select_models (win, models);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.run", NULL));
  run = _cs_window_get_run (win);
  g_assert_nonnull (run);
  g_assert_true (cs_test_wait_for (not_running, win, 90000));
  cs_test_ui_settle (5000);
  g_assert_cmpint (cs_run_get_state (run), ==, CS_RUN_DONE);
  g_assert_cmpstr (badge_of (win, "demo/demo-alpha"), ==, "done");
  cs_test_ui_save_shot (GTK_WIDGET (win), "installed-demo-result.png");

  /* the application's: Quit stops it */
  g_idle_add (quit_app_cb, app);
  g_assert_cmpint (g_application_run (G_APPLICATION (app), 0, NULL), ==, 0);
  g_assert_null (cs_demo_provider_get_base_url (cs_application_get_demo_provider (app)));
  g_assert_true (cs_test_wait_for (port_closed, GUINT_TO_POINTER (port), 5000));
  g_object_unref (app);

  g_unsetenv ("CONSILIUM_DEMO_PROVIDER");
  write_config ();
}

static gboolean
demo_listens (gpointer data)
{
  return cs_demo_provider_get_base_url (cs_application_get_demo_provider (data)) != NULL;
}

/* The port of the configured demo provider. */
static guint
demo_port (CsApplication *app)
{
  const CsProviderConfig *demo = cs_config_find_provider (cs_application_get_config (app), "demo");
  g_autoptr(GUri) uri = NULL;

  g_assert_nonnull (demo);
  uri = g_uri_parse (demo->base_url, G_URI_FLAGS_NONE, NULL);
  g_assert_nonnull (uri);
  g_assert_cmpstr (g_uri_get_host (uri), ==, "127.0.0.1");
  return (guint) g_uri_get_port (uri);
}

typedef struct
{
  CsApplication *app;
  guint          old_port;
} MovedData;

static gboolean
demo_moved (gpointer data)
{
  MovedData *m = data;

  return demo_listens (m->app) && demo_port (m->app) != m->old_port;
}

static void
quit_app (CsApplication *app)
{
  g_idle_add (quit_app_cb, app);
  g_assert_cmpint (g_application_run (G_APPLICATION (app), 0, NULL), ==, 0);
  g_object_unref (app);
}

/* The demo the app started, after a restart: started again on its port,
 * a run against it succeeds; on another port when another program holds
 * that one, the providers file following it. */
static void
test_welcome_demo_restarts (void)
{
  g_autofree char *path = cs_config_get_default_path ();
  g_autofree char *run_sh_port = g_build_filename (g_get_user_runtime_dir (), "consilium-demo-provider.port", NULL);
  g_autofree char *program = g_test_build_filename (G_TEST_BUILT, "consilium-test-provider", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *moved_url = NULL;
  const char *models[] = { "demo/demo-alpha", NULL };
  g_autoptr(GSocketListener) squatter = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GError) error = NULL;
  CsApplication *app;
  CsWindow *win;
  GtkWidget *button;
  MovedData moved;
  guint port;

  if (g_file_test (run_sh_port, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("a demo provider started by tools/run.sh is running");
      return;
    }
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_setenv ("CONSILIUM_DEMO_PROVIDER", program, TRUE);

  /* set up from the welcome page, marked as the app's own */
  app = cs_test_ui_start_app ("Test");
  win = cs_window_new (app);
  gtk_window_present (GTK_WINDOW (win));
  cs_test_ui_settle (5000);
  button = find_button (GTK_WIDGET (win->welcome_list), _("_Use Demo"));
  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  g_assert_true (cs_test_wait_for (config_has_demo, app, 20000));
  g_assert_true (cs_config_find_provider (cs_application_get_config (app), "demo")->demo);
  port = demo_port (app);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "demo=true"));
  g_assert_null (cs_config_get_warnings (cs_application_get_config (app))[0]);
  quit_app (app);
  g_assert_true (cs_test_wait_for (port_closed, GUINT_TO_POINTER (port), 5000));

  /* restarted: the demo listens on its port again, a run succeeds */
  app = cs_test_ui_start_app ("Test");
  g_assert_true (cs_test_wait_for (demo_listens, app, 20000));
  g_assert_cmpuint (demo_port (app), ==, port);
  g_assert_null (cs_config_get_warnings (cs_application_get_config (app))[0]);
  win = cs_window_new (app);
  gtk_window_present (GTK_WINDOW (win));
  cs_test_ui_settle (5000);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (win->main_stack), ==, "compose");
  _cs_window_set_mode (win, "architect");
  set_problem (win, "A URL shortener for 10k requests per second");
  _cs_window_select_models (win, models);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.run", NULL));
  g_assert_nonnull (_cs_window_get_run (win));
  g_assert_true (cs_test_wait_for (not_running, win, 90000));
  cs_test_ui_settle (5000);
  g_assert_cmpint (cs_run_get_state (_cs_window_get_run (win)), ==, CS_RUN_DONE);
  g_assert_cmpstr (badge_of (win, "demo/demo-alpha"), ==, "done");
  quit_app (app);
  g_assert_true (cs_test_wait_for (port_closed, GUINT_TO_POINTER (port), 5000));

  /* its port taken by another program: it moves, and the file with it */
  squatter = g_socket_listener_new ();
  address = g_inet_socket_address_new_from_string ("127.0.0.1", port);
  g_assert_true (g_socket_listener_add_address (squatter, address, G_SOCKET_TYPE_STREAM,
                                                G_SOCKET_PROTOCOL_TCP, NULL, NULL, &error));
  g_assert_no_error (error);
  app = cs_test_ui_start_app ("Test");
  moved.app = app;
  moved.old_port = port;
  g_assert_true (cs_test_wait_for (demo_moved, &moved, 20000));
  g_assert_false (port_closed (GUINT_TO_POINTER (demo_port (app))));
  g_assert_cmpstr (cs_config_find_provider (cs_application_get_config (app), "demo")->base_url, ==,
                   cs_demo_provider_get_base_url (cs_application_get_demo_provider (app)));
  g_assert_true (cs_config_find_provider (cs_application_get_config (app), "demo")->demo);
  moved_url = g_strdup (cs_demo_provider_get_base_url (cs_application_get_demo_provider (app)));
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, moved_url));
  quit_app (app);
  g_socket_listener_close (squatter);

  g_unsetenv ("CONSILIUM_DEMO_PROVIDER");
  write_config ();
}

/* The provider row of @id in @prefs, or NULL. */
static CsProviderRow *
find_provider_row (GtkWidget  *root,
                   const char *id)
{
  if (CS_IS_PROVIDER_ROW (root) && g_strcmp0 (cs_provider_row_get_provider_id (CS_PROVIDER_ROW (root)), id) == 0)
    return CS_PROVIDER_ROW (root);
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      CsProviderRow *found = find_provider_row (child, id);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
row_tested (gpointer data)
{
  CsProviderRowStatus status = _cs_provider_row_get_status (data, NULL);

  return status == CS_PROVIDER_ROW_STATUS_OK || status == CS_PROVIDER_ROW_STATUS_FAILED;
}

static gboolean
file_has (gpointer data)
{
  const char * const *what = data;   /* path, text */
  g_autofree char *ini = NULL;

  return g_file_get_contents (what[0], &ini, NULL, NULL) && strstr (ini, what[1]) != NULL;
}

static gboolean
demo_has_model (CsApplication *app,
                const char    *model)
{
  const CsProviderConfig *demo = cs_config_find_provider (cs_application_get_config (app), "demo");

  return demo != NULL && g_strv_contains ((const char * const *) demo->models, model);
}

/* Test lists the server's models in the row, with check boxes that add
 * them; the result is said in the row, not in a toast; the row stays open
 * (the same row) through every edit; its subtitle follows the URL as it is
 * typed. */
static void
test_provider_setup (void)
{
  g_autoptr(CsApplication) app = cs_test_ui_start_app ("Test");
  g_autofree char *path = cs_config_get_default_path ();
  g_autofree char *base = cs_test_provider_dup_base_url (provider);
  const char *thinking_in_file[] = { path, "demo-thinking", NULL };
  const char *concurrent_in_file[] = { path, "max-concurrent=3", NULL };
  CsPreferencesWindow *prefs;
  CsProviderRow *row;
  GtkCheckButton *check;
  GtkWidget *test_button;
  const char *message = NULL;
  const char *subtitle;

  prefs = cs_preferences_window_new (app);
  gtk_window_present (GTK_WINDOW (prefs));
  cs_test_ui_settle (5000);
  row = find_provider_row (GTK_WIDGET (prefs), "demo");
  g_assert_nonnull (row);
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (row), TRUE);

  /* the subtitle follows the URL as it is typed, before it is applied */
  g_assert_cmpstr (adw_expander_row_get_subtitle (ADW_EXPANDER_ROW (row)), ==, base);
  gtk_editable_set_text (GTK_EDITABLE (row->url_row), "http://127.0.0.1:9");
  g_assert_cmpstr (adw_expander_row_get_subtitle (ADW_EXPANDER_ROW (row)), ==, "http://127.0.0.1:9");
  gtk_editable_set_text (GTK_EDITABLE (row->url_row), base);
  g_assert_cmpstr (adw_expander_row_get_subtitle (ADW_EXPANDER_ROW (row)), ==, base);

  /* no typing "a;b;c": the configured models are check boxes */
  g_assert_null (find_type (GTK_WIDGET (row), ADW_TYPE_ENTRY_ROW, "Models (separated by ;)"));
  g_assert_nonnull (_cs_provider_row_get_model_check (row, "demo-alpha"));
  g_assert_true (gtk_check_button_get_active (_cs_provider_row_get_model_check (row, "demo-alpha")));
  g_assert_null (_cs_provider_row_get_model_check (row, "demo-thinking"));

  /* Test: the server's models, in the row */
  test_button = find_button (GTK_WIDGET (row), _("_Test"));
  g_assert_nonnull (test_button);
  g_signal_emit_by_name (test_button, "clicked");
  g_assert_cmpint (_cs_provider_row_get_status (row, NULL), ==, CS_PROVIDER_ROW_STATUS_TESTING);
  g_assert_true (cs_test_wait_for (row_tested, row, 10000));
  g_assert_cmpint (_cs_provider_row_get_status (row, &message), ==, CS_PROVIDER_ROW_STATUS_OK);
  g_test_message ("status: %s", message);
  g_assert_nonnull (strstr (message, "6 models"));
  g_assert_cmpstr (adw_action_row_get_subtitle (row->test_row), ==, message);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (row->test_icon)));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (GTK_WIDGET (row->test_icon)), ==, message);
  g_assert_null (_cs_preferences_window_get_last_toast (prefs));
  check = _cs_provider_row_get_model_check (row, "demo-thinking");
  g_assert_nonnull (check);
  g_assert_false (gtk_check_button_get_active (check));
  g_assert_true (gtk_check_button_get_active (_cs_provider_row_get_model_check (row, "demo-alpha")));
  /* a configured model the server does not list stays, ticked, and says so */
  g_assert_true (gtk_check_button_get_active (_cs_provider_row_get_model_check (row, "demo-beta+refuse")));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (gtk_widget_get_ancestor (GTK_WIDGET (_cs_provider_row_get_model_check (row, "demo-beta+refuse")),
                                                                                          ADW_TYPE_ACTION_ROW))),
                   ==, "Not listed by the server");
  cs_test_ui_save_shot (GTK_WIDGET (prefs), "preferences-provider-test.png");
  assert_accessible (GTK_WIDGET (prefs), "preferences, a provider tested");

  /* ticking adds the model to the configuration, and the file */
  gtk_check_button_set_active (check, TRUE);
  g_assert_true (demo_has_model (app, "demo-thinking"));
  g_assert_true (cs_test_wait_for (file_has, thinking_in_file, 5000));
  g_assert_true (find_provider_row (GTK_WIDGET (prefs), "demo") == row);
  g_assert_true (adw_expander_row_get_expanded (ADW_EXPANDER_ROW (row)));
  /* unticking removes it; its row stays, to tick again */
  gtk_check_button_set_active (check, FALSE);
  g_assert_false (demo_has_model (app, "demo-thinking"));
  g_assert_true (_cs_provider_row_get_model_check (row, "demo-thinking") == check);

  /* a model the server does not list, added by its name */
  gtk_editable_set_text (GTK_EDITABLE (row->add_model_row), "demo-extra");
  g_signal_emit_by_name (row->add_model_row, "apply");
  g_assert_true (demo_has_model (app, "demo-extra"));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row->add_model_row)), ==, "");
  g_assert_true (gtk_check_button_get_active (_cs_provider_row_get_model_check (row, "demo-extra")));

  /* other edits keep the row open too */
  gtk_editable_set_text (GTK_EDITABLE (row->name_row), "Demo renamed");
  g_signal_emit_by_name (row->name_row, "apply");
  gtk_spin_button_set_value (row->concurrent_spin, 3);
  /* saved: a reload after the save would have rebuilt the rows by now */
  g_assert_true (cs_test_wait_for (file_has, concurrent_in_file, 5000));
  cs_test_ui_settle (5000);
  g_assert_true (find_provider_row (GTK_WIDGET (prefs), "demo") == row);
  g_assert_true (adw_expander_row_get_expanded (ADW_EXPANDER_ROW (row)));
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "Demo renamed");

  /* another server: what the last test said goes */
  gtk_editable_set_text (GTK_EDITABLE (row->url_row), "http://127.0.0.1:1/v1");
  g_signal_emit_by_name (row->url_row, "apply");
  g_assert_cmpint (_cs_provider_row_get_status (row, NULL), ==, CS_PROVIDER_ROW_STATUS_NONE);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (row->test_icon)));
  subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (gtk_widget_get_ancestor (GTK_WIDGET (_cs_provider_row_get_model_check (row, "demo-beta+refuse")),
                                                                                    ADW_TYPE_ACTION_ROW)));
  g_assert_true (subtitle == NULL || subtitle[0] == '\0');

  /* a failed test: the URL typed is applied and tested, the reason shown in the row */
  gtk_editable_set_text (GTK_EDITABLE (row->url_row), "http://127.0.0.1:2/v1");
  g_signal_emit_by_name (test_button, "clicked");
  g_assert_true (cs_test_wait_for (row_tested, row, 10000));
  g_assert_cmpint (_cs_provider_row_get_status (row, &message), ==, CS_PROVIDER_ROW_STATUS_FAILED);
  g_test_message ("status: %s", message);
  g_assert_true (g_str_has_prefix (message, "Test failed: "));
  g_assert_cmpstr (cs_config_find_provider (cs_application_get_config (app), "demo")->base_url, ==, "http://127.0.0.1:2/v1");
  /* a URL that is not valid is not tested */
  gtk_editable_set_text (GTK_EDITABLE (row->url_row), "ftp://example.com");
  g_signal_emit_by_name (test_button, "clicked");
  g_assert_cmpint (_cs_provider_row_get_status (row, &message), ==, CS_PROVIDER_ROW_STATUS_FAILED);
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (row->url_row), "error"));
  g_assert_null (_cs_preferences_window_get_last_toast (prefs));

  gtk_window_destroy (GTK_WINDOW (prefs));
  cs_test_ui_settle (5000);
  write_config ();
}

static gboolean
file_says_insecure (gpointer data)
{
  g_autofree char *ini = NULL;

  return g_file_get_contents (data, &ini, NULL, NULL) && strstr (ini, "allow-insecure-key=true") != NULL;
}

/* What the engine warns about reaches the preferences: an unknown key in
 * providers.ini (with the key probably meant) at the top of the providers
 * page; a provider that sends its key over plain http to a LAN server, a
 * warning in its row and the switch that opts in or out, written to the
 * file through the same edits. */
static void
test_preferences_warnings (void)
{
  g_autofree char *path = cs_config_get_default_path ();
  g_autofree char *base = cs_test_provider_dup_base_url (provider);
  g_autofree char *ini = g_strdup_printf ("[provider demo]\n"
                                          "base-url=%s\n"
                                          "models=demo-alpha\n"
                                          "max-concurent=1\n"
                                          "\n"
                                          "[provider lan]\n"
                                          "name=Office server\n"
                                          "base-url=http://192.168.1.20:8080/v1\n"
                                          "models=llama\n",
                                          base);
  g_autoptr(CsApplication) app = NULL;
  CsPreferencesWindow *prefs;
  CsProviderRow *demo, *lan;
  GtkWidget *warning;

  g_assert_true (g_file_set_contents (path, ini, -1, NULL));
  app = cs_test_ui_start_app ("Test");
  prefs = cs_preferences_window_new (app);
  gtk_window_present (GTK_WINDOW (prefs));
  cs_test_ui_settle (5000);

  /* the unknown key, said at the top of the page, naming the line */
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (_cs_preferences_window_get_warnings_group (prefs))));
  warning = find_type (GTK_WIDGET (_cs_preferences_window_get_warnings_group (prefs)), ADW_TYPE_ACTION_ROW, NULL);
  g_assert_nonnull (warning);
  g_test_message ("warning: %s", adw_preferences_row_get_title (ADW_PREFERENCES_ROW (warning)));
  g_assert_nonnull (strstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (warning)), "line 4"));
  g_assert_nonnull (strstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (warning)), "max-concurent"));
  g_assert_nonnull (strstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (warning)), "max-concurrent"));

  /* loopback: no switch; the LAN server: the switch, off, no warning yet */
  demo = find_provider_row (GTK_WIDGET (prefs), "demo");
  lan = find_provider_row (GTK_WIDGET (prefs), "lan");
  g_assert_nonnull (demo);
  g_assert_nonnull (lan);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (demo->insecure_row)));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (lan->insecure_row)));
  g_assert_false (gtk_switch_get_active (lan->insecure_switch));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (lan->warning_icon)));

  /* opting in: written, and warned about in the row */
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (lan), TRUE);
  gtk_switch_set_active (lan->insecure_switch, TRUE);
  g_assert_true (cs_config_find_provider (cs_application_get_config (app), "lan")->allow_insecure_key);
  g_assert_true (cs_test_wait_for (file_says_insecure, path, 5000));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (lan->warning_icon)));
  g_assert_nonnull (gtk_widget_get_tooltip_text (GTK_WIDGET (lan->warning_icon)));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (lan->insecure_row), "key-in-clear"));
  g_assert_true (adw_expander_row_get_expanded (ADW_EXPANDER_ROW (lan)));
  /* unknown keys survive the edit, and so does their warning */
  g_clear_pointer (&ini, g_free);
  g_assert_true (g_file_get_contents (path, &ini, NULL, NULL));
  g_assert_nonnull (strstr (ini, "max-concurent=1"));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (_cs_preferences_window_get_warnings_group (prefs))));
  cs_test_ui_save_shot (GTK_WIDGET (prefs), "preferences-warnings.png");
  assert_accessible (GTK_WIDGET (prefs), "preferences, warnings");

  /* and out again */
  gtk_switch_set_active (lan->insecure_switch, FALSE);
  g_assert_false (cs_config_find_provider (cs_application_get_config (app), "lan")->allow_insecure_key);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (lan->warning_icon)));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (lan->insecure_row), "key-in-clear"));

  gtk_window_destroy (GTK_WINDOW (prefs));
  cs_test_ui_settle (5000);
  g_clear_pointer (&ini, g_free);
  g_assert_true (g_file_get_contents (path, &ini, NULL, NULL));
  g_assert_null (strstr (ini, "allow-insecure-key=true"));

  /* a file without problems: no warnings group */
  write_config ();
  {
    g_autoptr(CsApplication) clean_app = cs_test_ui_start_app ("Test");

    prefs = cs_preferences_window_new (clean_app);
    gtk_window_present (GTK_WINDOW (prefs));
    cs_test_ui_settle (5000);
    g_assert_false (gtk_widget_get_visible (GTK_WIDGET (_cs_preferences_window_get_warnings_group (prefs))));
    gtk_window_destroy (GTK_WINDOW (prefs));
    cs_test_ui_settle (5000);
  }
}

/* "Use Demo" never replaces a providers file it cannot read (it says so,
 * naming the file), and keeps what a readable one says about the
 * provider's models (prices, max-n). */
static void
test_use_provider_keeps_file (void)
{
  static const char broken[] = "[provider demo]\nbase-url=http://127.0.0.1:1/v1\nmodels=a;b\n[model demo/a\nprice-input=3\n";
  g_autofree char *path = cs_config_get_default_path ();
  g_autofree char *base = cs_test_provider_dup_base_url (provider);
  g_autofree char *contents = NULL;
  g_autoptr(CsApplication) app = NULL;
  const CsModelConfig *alpha;
  const CsProviderConfig *demo;
  CsWindow *win;
  GtkWidget *button;
  guint toasts;
  gsize len = 0;

  g_assert_true (g_file_set_contents (path, broken, -1, NULL));
  g_setenv ("CONSILIUM_DEMO_URL", base, TRUE);

  app = cs_test_ui_start_app ("Test");
  win = cs_window_new (app);
  gtk_window_present (GTK_WINDOW (win));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (win->main_stack), ==, "welcome");
  button = wait_for_use_demo (win);

  toasts = win->n_toasts;
  g_signal_emit_by_name (button, "clicked");
  g_assert_true (cs_test_wait_for (toasts_reached, &(ToastWait) { win, toasts + 1 }, 10000));
  cs_test_ui_settle (5000);
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  g_assert_cmpmem (contents, len, broken, strlen (broken));
  g_assert_cmpuint (win->n_toasts, ==, toasts + 1);
  g_assert_nonnull (strstr (win->last_toast, path));
  g_assert_nonnull (strstr (win->last_toast, "could not be read"));
  g_assert_null (cs_config_find_provider (cs_application_get_config (app), "demo"));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (win->main_stack), ==, "welcome");

  /* a readable file (written since the app started) with prices for the
   * demo's models: the click adds the server's models and keeps them */
  write_config ();
  g_signal_emit_by_name (button, "clicked");
  g_assert_true (cs_test_wait_for (config_has_demo, app, 5000));
  alpha = cs_config_find_model (cs_application_get_config (app), "demo/demo-alpha");
  g_assert_nonnull (alpha);
  g_assert_cmpfloat (alpha->price_input, ==, 1);
  g_assert_cmpfloat (alpha->price_output, ==, 2);
  g_assert_cmpuint (alpha->max_n, ==, 4);
  demo = cs_config_find_provider (cs_application_get_config (app), "demo");
  g_assert_cmpuint (demo->max_concurrent, ==, 8);
  g_assert_true (g_strv_contains ((const char * const *) demo->models, "demo-judge"));
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "price-input=1"));
  g_assert_nonnull (strstr (contents, "price-output=2"));

  gtk_window_destroy (GTK_WINDOW (win));
  cs_test_ui_settle (5000);

  g_unsetenv ("CONSILIUM_DEMO_URL");
  write_config ();
}

/* "Use Demo" edits the one configuration the application owns, through
 * its CsConfigFile, as the preferences do: an edit the preferences made
 * and have not written yet stays (the welcome page used to read the file
 * and replace the configuration with it plus the demo). */
static void
test_welcome_keeps_edits (void)
{
  g_autofree char *path = cs_config_get_default_path ();
  g_autofree char *base = cs_test_provider_dup_base_url (provider);
  const char *demo_in_file[] = { path, "[provider demo]", NULL };
  g_autoptr(CsApplication) app = NULL;
  CsPreferencesWindow *prefs;
  CsWindow *win;
  GtkWidget *button;

  g_assert_cmpint (g_unlink (path), ==, 0);
  g_setenv ("CONSILIUM_DEMO_URL", base, TRUE);
  app = cs_test_ui_start_app ("Test");
  win = cs_window_new (app);
  gtk_window_present (GTK_WINDOW (win));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (win->main_stack), ==, "welcome");
  button = wait_for_use_demo (win);
  g_object_ref (button);

  /* a preset added in the preferences, not written yet (debounced) */
  prefs = cs_preferences_window_new (app);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (prefs), "prefs.add-preset", "s", "openai"));
  g_assert_true (config_has_openai (app));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  g_signal_emit_by_name (button, "clicked");
  g_object_unref (button);
  g_assert_true (config_has_demo (app));
  g_assert_true (config_has_openai (app));
  g_assert_true (cs_test_wait_for (file_has, demo_in_file, 5000));
  g_assert_true (file_has_openai (path));
  g_assert_nonnull (strstr (win->last_toast, "added with 6 models"));

  gtk_window_destroy (GTK_WINDOW (prefs));
  cs_test_ui_settle (5000);
  g_assert_true (file_has_openai (path));
  g_assert_true (file_has (demo_in_file));
  gtk_window_destroy (GTK_WINDOW (win));
  cs_test_ui_settle (5000);

  g_unsetenv ("CONSILIUM_DEMO_URL");
  write_config ();
}

static CsModelRow *
compose_row (CsWindow   *win,
             const char *id)
{
  for (guint i = 0; i < win->compose_page->model_rows->len; i++)
    {
      CsModelRow *row = g_ptr_array_index (win->compose_page->model_rows, i);

      if (g_strcmp0 (row->id, id) == 0)
        return row;
    }
  return NULL;
}

/* What the compose page's rows say: "id:ticked:count;…". */
static char *
compose_selection (CsWindow *win)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < win->compose_page->model_rows->len; i++)
    {
      CsModelRow *row = g_ptr_array_index (win->compose_page->model_rows, i);

      g_string_append_printf (out, "%s:%d:%d;", row->id, gtk_check_button_get_active (row->check),
                              gtk_spin_button_get_value_as_int (row->spin));
    }
  return g_string_free (out, FALSE);
}

/* An edit in the preferences is cheap for the window: one config-changed
 * per edit (none more when it is written), and the compose page keeps its
 * rows, and the person's choice in them, unless models come or go; then
 * only their rows are made or dropped. Counted: rows built. (Each click
 * of a spin button used to rebuild every model row and reset the choice
 * to the saved one.) */
static void
test_config_edits_cheap (void)
{
  g_autoptr(CsApplication) app = cs_test_ui_start_app ("Test");
  g_autofree char *path = cs_config_get_default_path ();
  const char *written[] = { path, "max-concurrent=13", NULL };
  CsWindow *win = cs_window_new (app);
  CsPreferencesWindow *prefs;
  CsProviderRow *row;
  CsModelRow *alpha, *judge;
  g_autofree char *chosen = NULL;
  g_autofree char *now = NULL;
  g_autofree char *judge_id = NULL;
  guint built, changes = 0;

  gtk_window_present (GTK_WINDOW (win));
  cs_test_ui_settle (5000);
  g_assert_cmpuint (win->compose_page->model_rows->len, ==, 5);
  built = win->compose_page->n_model_rows_built;

  /* the person's choice, not saved anywhere yet */
  alpha = compose_row (win, "demo/demo-alpha");
  judge = compose_row (win, "demo/demo-judge");
  for (guint i = 0; i < win->compose_page->model_rows->len; i++)
    {
      CsModelRow *r = g_ptr_array_index (win->compose_page->model_rows, i);

      gtk_check_button_set_active (r->check, !gtk_check_button_get_active (r->check));
    }
  gtk_spin_button_set_value (alpha->spin, 3);
  _cs_window_select_judge (win, "demo/demo-judge");
  chosen = compose_selection (win);

  g_signal_connect_swapped (app, "config-changed", G_CALLBACK (count_cb), &changes);
  prefs = cs_preferences_window_new (app);
  gtk_window_present (GTK_WINDOW (prefs));
  cs_test_ui_settle (5000);
  row = find_provider_row (GTK_WIDGET (prefs), "demo");

  /* five clicks on a spin button: five edits, one write */
  for (guint i = 0; i < 5; i++)
    gtk_spin_button_spin (row->concurrent_spin, GTK_SPIN_STEP_FORWARD, 1);
  g_assert_true (cs_test_wait_for (file_has, written, 5000));
  cs_test_ui_settle (5000);
  g_assert_cmpuint (changes, ==, 5);
  g_assert_cmpuint (win->compose_page->n_model_rows_built, ==, built);
  g_assert_true (compose_row (win, "demo/demo-alpha") == alpha);
  now = compose_selection (win);
  g_assert_cmpstr (now, ==, chosen);
  judge_id = _cs_compose_page_dup_judge (win->compose_page);
  g_assert_cmpstr (judge_id, ==, "demo/demo-judge");

  /* a model added: its row alone is made; the others keep their choice */
  gtk_editable_set_text (GTK_EDITABLE (row->add_model_row), "demo-extra");
  g_signal_emit_by_name (row->add_model_row, "apply");
  g_assert_cmpuint (win->compose_page->model_rows->len, ==, 6);
  g_assert_cmpuint (win->compose_page->n_model_rows_built, ==, built + 1);
  g_assert_true (compose_row (win, "demo/demo-alpha") == alpha);
  g_assert_true (compose_row (win, "demo/demo-judge") == judge);
  g_clear_pointer (&now, g_free);
  now = compose_selection (win);
  g_assert_true (g_str_has_prefix (now, chosen));
  g_clear_pointer (&judge_id, g_free);
  judge_id = _cs_compose_page_dup_judge (win->compose_page);
  g_assert_cmpstr (judge_id, ==, "demo/demo-judge");

  /* and removed: its row goes, nothing is made */
  gtk_check_button_set_active (_cs_provider_row_get_model_check (row, "demo-extra"), FALSE);
  g_assert_cmpuint (win->compose_page->model_rows->len, ==, 5);
  g_assert_cmpuint (win->compose_page->n_model_rows_built, ==, built + 1);
  g_clear_pointer (&now, g_free);
  now = compose_selection (win);
  g_assert_cmpstr (now, ==, chosen);

  /* a provider renamed: the rows say so, none is made */
  gtk_editable_set_text (GTK_EDITABLE (row->name_row), "Demo renamed");
  g_signal_emit_by_name (row->name_row, "apply");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (alpha->row)), ==, "Demo renamed");
  g_assert_cmpuint (win->compose_page->n_model_rows_built, ==, built + 1);

  g_signal_handlers_disconnect_by_data (app, &changes);
  gtk_window_destroy (GTK_WINDOW (prefs));
  gtk_window_destroy (GTK_WINDOW (win));
  cs_test_ui_settle (5000);
  write_config ();
}

/* The save dialog the export action opened (GtkFileChooserNative falls
 * back to a GtkFileChooserDialog without a portal), or NULL. */
static GtkFileChooser *
find_file_chooser (void)
{
  GList *windows = gtk_window_list_toplevels ();
  GtkFileChooser *found = NULL;

  for (GList *l = windows; l != NULL; l = l->next)
    if (GTK_IS_FILE_CHOOSER_DIALOG (l->data) && gtk_widget_get_visible (l->data))
      found = l->data;
  g_list_free (windows);
  return found;
}

static gboolean
file_chooser_shown (gpointer data)
{
  return find_file_chooser () != NULL;
}

static gboolean
file_chooser_gone (gpointer data)
{
  return find_file_chooser () == NULL;
}

/* A run that is done, with @problem and no synthesis. */
static CsRun *
finished_run (CsMode      mode,
              const char *problem)
{
  CsRun *run = cs_run_new (mode, problem);

  cs_run_set_state (run, CS_RUN_DONE);
  return run;
}

/* GTK 4.8's file chooser leaks in its folder-enumeration thread and through
 * libcloudproviders (LeakSanitizer finds no frame of ours in those stacks):
 * the sanitizer pass leaves the dialog out, the normal pass checks it. */
static gboolean
skip_file_chooser (void)
{
  return g_getenv ("ASAN_OPTIONS") != NULL;
}

/* Export of a run whose title is long and not ASCII: the chooser offers a
 * valid name cut on a character (byte 60 falls inside a "ü"), without the
 * title's "…", in the Documents folder, never the working directory. */
static void
test_export_name (void)
{
  g_autoptr(CsApplication) app = cs_test_ui_start_app ("Test");
  CsWindow *win = cs_window_new (app);
  g_autoptr(GString) problem = g_string_new ("A");
  g_autoptr(CsRun) run = NULL;
  g_autofree char *documents = g_build_filename (tmp_dir, "Documents", NULL);
  g_autofree char *cwd = g_get_current_dir ();
  g_autofree char *name = NULL;
  g_autofree char *folder_path = NULL;
  g_autoptr(GFile) folder = NULL;
  GtkFileChooser *chooser;

  for (guint i = 0; i < 80; i++)
    g_string_append (problem, "ü");
  g_string_append (problem, "\nMore lines.");
  run = finished_run (CS_MODE_ARCHITECT, problem->str);
  g_assert_true (g_str_has_suffix (cs_run_get_title (run), "…"));

  gtk_window_present (GTK_WINDOW (win));
  cs_test_ui_settle (5000);
  _cs_window_show_run (win, run);
  if (skip_file_chooser ())
    {
      gtk_window_destroy (GTK_WINDOW (win));
      cs_test_ui_settle (5000);
      g_test_skip ("the file chooser under LeakSanitizer (see skip_file_chooser)");
      return;
    }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.export", NULL));
  g_assert_true (cs_test_wait_for (file_chooser_shown, NULL, 5000));
  chooser = find_file_chooser ();
  cs_test_ui_settle (5000);
  cs_test_ui_save_shot (GTK_WIDGET (chooser), "export-dialog.png");

  name = gtk_file_chooser_get_current_name (chooser);
  g_assert_nonnull (name);
  g_assert_true (g_utf8_validate (name, -1, NULL));
  g_assert_true (g_str_has_prefix (name, "Aüü"));
  g_assert_true (g_str_has_suffix (name, ".md"));
  g_assert_null (strstr (name, "…"));
  g_assert_cmpint (g_utf8_strlen (name, -1), <=, 60 + strlen (".md"));

  folder = gtk_file_chooser_get_current_folder (chooser);
  g_assert_nonnull (folder);
  folder_path = g_file_get_path (folder);
  g_assert_cmpstr (folder_path, !=, cwd);
  g_assert_cmpstr (folder_path, ==, documents);

  gtk_dialog_response (GTK_DIALOG (chooser), GTK_RESPONSE_CANCEL);
  g_assert_true (cs_test_wait_for (file_chooser_gone, NULL, 5000));

  gtk_window_destroy (GTK_WINDOW (win));
  cs_test_ui_settle (5000);
}

static gboolean
toast_after (gpointer data)
{
  struct { CsWindow *win; guint n; } *wait = data;

  return wait->win->n_toasts > wait->n;
}

/* Exports to @file through what the save dialog does; returns the toast. */
static char *
export_to (CsWindow *win,
           GFile    *file)
{
  struct { CsWindow *win; guint n; } wait = { win, win->n_toasts };

  _cs_window_export_to_file (win, file, FALSE);
  g_assert_true (cs_test_wait_for (toast_after, &wait, 10000));
  return g_strdup (win->last_toast);
}

/* The export writes only where cs-safe-file.h allows: a symbolic link and a
 * read-only file are refused with a toast and left as they were; the save
 * dialog then starts in the folder last exported to. */
static void
test_export_refused (void)
{
  g_autoptr(CsApplication) app = cs_test_ui_start_app ("Test");
  CsWindow *win = cs_window_new (app);
  g_autoptr(CsRun) run = finished_run (CS_MODE_SUPPORT, "Export me");
  g_autofree char *dir = g_build_filename (tmp_dir, "exports", NULL);
  g_autofree char *real = g_build_filename (dir, "real.md", NULL);
  g_autofree char *link = g_build_filename (dir, "link.md", NULL);
  g_autofree char *readonly = g_build_filename (dir, "read-only.md", NULL);
  g_autofree char *fresh = g_build_filename (dir, "fresh.md", NULL);
  g_autoptr(GFile) link_file = g_file_new_for_path (link);
  g_autoptr(GFile) readonly_file = g_file_new_for_path (readonly);
  g_autoptr(GFile) fresh_file = g_file_new_for_path (fresh);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *toast = NULL;
  g_autofree char *folder_path = NULL;
  g_autoptr(GFile) folder = NULL;
  GtkFileChooser *chooser;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (real, "original", -1, NULL));
  g_assert_cmpint (symlink (real, link), ==, 0);
  g_assert_true (g_file_set_contents (readonly, "read-only", -1, NULL));
  g_assert_cmpint (g_chmod (readonly, 0444), ==, 0);

  gtk_window_present (GTK_WINDOW (win));
  cs_test_ui_settle (5000);
  _cs_window_show_run (win, run);

  /* onto a symbolic link: refused, the link and its target untouched */
  _cs_window_export_async (win, link_file, FALSE, NULL, export_cb, &result);
  g_assert_true (cs_test_wait_for (export_done, &result, 10000));
  g_assert_false (_cs_window_export_finish (win, result, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_true (g_file_test (link, G_FILE_TEST_IS_SYMLINK));
  g_assert_true (g_file_get_contents (real, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "original");
  g_clear_pointer (&contents, g_free);
  g_clear_object (&result);

  /* onto a read-only file: refused, untouched */
  _cs_window_export_async (win, readonly_file, FALSE, NULL, export_cb, &result);
  g_assert_true (cs_test_wait_for (export_done, &result, 10000));
  g_assert_false (_cs_window_export_finish (win, result, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_true (g_file_get_contents (readonly, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "read-only");
  g_clear_pointer (&contents, g_free);

  /* what the save dialog does says so in a toast */
  toast = export_to (win, link_file);
  g_assert_true (g_str_has_prefix (toast, "Could not export: "));
  g_clear_pointer (&toast, g_free);
  toast = export_to (win, readonly_file);
  g_assert_true (g_str_has_prefix (toast, "Could not export: "));
  g_clear_pointer (&toast, g_free);
  g_assert_true (g_file_test (link, G_FILE_TEST_IS_SYMLINK));
  g_assert_true (g_file_get_contents (real, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "original");
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (readonly, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "read-only");
  g_clear_pointer (&contents, g_free);

  /* a new file is written */
  toast = export_to (win, fresh_file);
  g_assert_cmpstr (toast, ==, "Saved as “fresh.md”");
  g_assert_true (g_file_get_contents (fresh, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "Export me"));

  /* and the save dialog starts in that folder next time */
  if (skip_file_chooser ())
    {
      gtk_window_destroy (GTK_WINDOW (win));
      cs_test_ui_settle (5000);
      return;
    }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.export", NULL));
  g_assert_true (cs_test_wait_for (file_chooser_shown, NULL, 5000));
  chooser = find_file_chooser ();
  cs_test_ui_settle (5000);
  folder = gtk_file_chooser_get_current_folder (chooser);
  g_assert_nonnull (folder);
  folder_path = g_file_get_path (folder);
  g_assert_cmpstr (folder_path, ==, dir);
  gtk_dialog_response (GTK_DIALOG (chooser), GTK_RESPONSE_CANCEL);
  g_assert_true (cs_test_wait_for (file_chooser_gone, NULL, 5000));

  gtk_window_destroy (GTK_WINDOW (win));
  cs_test_ui_settle (5000);
}

/* Every label text under @root, one a line: labels, and the titles and
 * subtitles of the rows. */
static void
collect_texts (GtkWidget *root,
               GString   *out)
{
  if (GTK_IS_LABEL (root))
    g_string_append_printf (out, "%s\n", gtk_label_get_text (GTK_LABEL (root)));
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    collect_texts (child, out);
}

/* A judged blueprint where the judge went against the candidates' votes:
 * the gateway (votes Envoy 3, NGINX 1 of 4; the judge chose Kong), the
 * proxy (Envoy 3, Kong 1; the judge chose Kong), the cache (Redis 4 of 4;
 * the judge chose Valkey), a component the judge added. */
static const char judged_blueprint[] =
  "{ 'methods': ['ensemble', 'consensus', 'judge'],"
  "  'data': { 'summary': 'A judged design.',"
  "    'components': ["
  "      { 'name': 'Cache', 'responsibility': 'Caches', 'technology': 'Valkey', 'scaling': 'Replicas' },"
  "      { 'name': 'Audit log', 'responsibility': 'Keeps events', 'technology': 'Kafka', 'scaling': 'Partitions' },"
  "      { 'name': 'Web', 'responsibility': 'Serves pages', 'technology': 'Go', 'scaling': 'Replicas' } ],"
  "    'data_stores': [], 'apis': [], 'connections': [],"
  "    'decisions': ["
  "      { 'topic': 'Gateway', 'choice': 'Kong', 'rationale': 'Plugins.', 'rejected_alternatives': ['Envoy'] },"
  "      { 'topic': 'Proxy', 'choice': 'Kong', 'rationale': 'Same as the gateway.', 'rejected_alternatives': [] } ],"
  "    'trade_offs': [], 'risks': [], 'mermaid': '' },"
  "  'rationale': 'The judge knows best.', 'total': 4,"
  "  'votes': ["
  "    { 'field': 'decisions[Gateway].choice', 'winner': 'Envoy', 'count': 3, 'total': 4, 'options': { 'Envoy': 3, 'NGINX': 1 } },"
  "    { 'field': 'decisions[Proxy].choice', 'winner': 'Envoy', 'count': 3, 'total': 4, 'options': { 'Envoy': 3, 'Kong': 1 } },"
  "    { 'field': 'components[Cache].technology', 'winner': 'Redis', 'count': 4, 'total': 4, 'options': { 'Redis': 4 } },"
  "    { 'field': 'components[Web].technology', 'winner': 'Go', 'count': 3, 'total': 4, 'options': { 'Go': 3, 'Rust': 1 } } ],"
  "  'consensus': ["
  "    { 'title': 'Cache', 'support': 4, 'total': 4, 'candidates': ['c1', 'c2', 'c3', 'c4'] },"
  "    { 'title': 'Audit log', 'support': 0, 'total': 4, 'candidates': [] },"
  "    { 'title': 'Web', 'support': 4, 'total': 4, 'candidates': ['c1', 'c2', 'c3', 'c4'] } ],"
  "  'alternatives': [], 'critiques': [], 'degraded': false, 'note': null, 'judge_model': 'demo/demo-judge' }";

static JsonNode *
parse_quoted (const char *text)
{
  g_autofree char *json = g_strdup (text);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  g_strdelimit (json, "'", '"');
  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  return json_parser_steal_root (parser);
}

/* A label beside a choice describes that choice: never the winner's count
 * beside the judge's choice, never a component's support beside a
 * technology no candidate chose. */
static void
test_vote_labels (void)
{
  g_autoptr(CsRun) run = finished_run (CS_MODE_ARCHITECT, "Votes against the judge");
  g_autoptr(JsonNode) synthesis = parse_quoted (judged_blueprint);
  GtkWidget *window = gtk_window_new ();
  GtkWidget *view = cs_result_view_new ();
  g_autoptr(GString) texts = g_string_new (NULL);

  cs_run_set_judge (run, "demo/demo-judge");
  cs_run_set_synthesis (run, synthesis);
  gtk_window_set_child (GTK_WINDOW (window), view);
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 1200);
  cs_result_view_set_run (CS_RESULT_VIEW (view), run);
  expand_all (view);
  gtk_window_present (GTK_WINDOW (window));
  cs_test_ui_settle (5000);
  cs_test_ui_save_shot (window, "vote-labels.png");
  collect_texts (view, texts);
  g_test_message ("%s", texts->str);

  /* the judge's choice against the vote, said as such */
  g_assert_nonnull (strstr (texts->str, "judge chose Kong; 3 of 4 candidates chose Envoy\n"));
  g_assert_nonnull (strstr (texts->str, "judge chose Kong, as 1 of 4 candidates did; 3 chose Envoy\n"));
  g_assert_nonnull (strstr (texts->str, "Valkey · judge chose Valkey; 4 of 4 candidates chose Redis\n"));
  g_assert_null (strstr (texts->str, "3 of 4 votes"));
  g_assert_null (strstr (texts->str, "chosen by 4 of 4"));
  /* the candidates' own choice, and what the judge added */
  g_assert_nonnull (strstr (texts->str, "Go · 3 of 4 candidates chose Go\n"));
  g_assert_nonnull (strstr (texts->str, "Kafka · added by the judge\n"));

  gtk_window_destroy (GTK_WINDOW (window));
  cs_test_ui_settle (5000);
}

/* The result view of @run in a window: which of the note and the banner
 * it shows, and the banner's text. */
static void
result_header (CsRun      *run,
               gboolean   *note,
               gboolean   *banner,
               char      **banner_text)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *view = cs_result_view_new ();
  GtkWidget *label;

  gtk_window_set_child (GTK_WINDOW (window), view);
  cs_result_view_set_run (CS_RESULT_VIEW (view), run);
  gtk_window_present (GTK_WINDOW (window));
  cs_test_ui_settle (5000);
  *note = gtk_widget_get_visible (cs_test_ui_find_named (view, "result-note"));
  label = cs_test_ui_find_named (view, "degraded-banner");
  *banner = gtk_widget_get_visible (label);
  *banner_text = g_strdup (gtk_label_get_text (GTK_LABEL (label)));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* No judge chosen is a choice: a neutral note, no warning; a judge that
 * failed, or a merge that failed, stays a warning. */
static void
test_judge_note (void)
{
  g_autoptr(CsRun) run = finished_run (CS_MODE_ARCHITECT, "Judge or not");
  g_autoptr(JsonNode) plain = parse_quoted ("{ 'methods': ['ensemble', 'consensus'], 'data': { 'summary': 'Merged.' },"
                                            "  'total': 2, 'degraded': true,"
                                            "  'note': 'No judge model was chosen; the result combines votes and consensus only.' }");
  g_autoptr(JsonNode) failed = parse_quoted ("{ 'methods': ['ensemble', 'consensus'], 'data': { 'summary': 'Merged.' },"
                                             "  'total': 2, 'degraded': true,"
                                             "  'note': 'The judge (demo/demo-judge) failed: it timed out.' }");
  g_autoptr(JsonNode) alone = parse_quoted ("{ 'methods': [], 'data': { 'summary': 'One answer.' }, 'total': 1,"
                                            "  'degraded': true, 'note': 'The synthesis failed (boom).' }");
  g_autofree char *text = NULL;
  gboolean note, banner;

  cs_run_set_synthesis (run, plain);
  result_header (run, &note, &banner, &text);
  g_assert_true (note);
  g_assert_false (banner);
  g_clear_pointer (&text, g_free);

  cs_run_set_judge (run, "demo/demo-judge");
  cs_run_set_synthesis (run, failed);
  result_header (run, &note, &banner, &text);
  g_assert_false (note);
  g_assert_true (banner);
  g_assert_cmpstr (text, ==, "The judge (demo/demo-judge) failed: it timed out.");
  g_clear_pointer (&text, g_free);

  cs_run_set_judge (run, NULL);
  cs_run_set_synthesis (run, alone);
  result_header (run, &note, &banner, &text);
  g_assert_false (note);
  g_assert_true (banner);
  g_assert_cmpstr (text, ==, "The synthesis failed (boom).");
  cs_test_ui_settle (5000);
}

/* A judged checklist from the configured provider "demo" ("Demo & <Co>"):
 * a critique of c1, a cause, a step with its risk. */
static const char judged_checklist[] =
  "{ 'methods': ['ensemble', 'consensus', 'judge'],"
  "  'data': { 'summary': 'Check the disk.',"
  "    'likely_causes': [ { 'cause': 'Disk full', 'likelihood': 'high' }, { 'cause': 'DNS', 'likelihood': 'low' } ],"
  "    'steps': [ { 'title': 'Check df', 'action': 'Run df.', 'command': 'df -h', 'expected': 'Room',"
  "                 'if_fails': 'Clean', 'risk': 'low', 'effort_minutes': 2 } ],"
  "    'escalate_when': 'Never.' },"
  "  'rationale': 'Disk first.', 'total': 2, 'votes': [],"
  "  'consensus': [ { 'title': 'Check df', 'support': 2, 'total': 2, 'candidates': ['c1', 'c2'] } ],"
  "  'alternatives': [],"
  "  'critiques': [ { 'candidate': 'c1', 'strengths': 'Fast', 'weaknesses': 'Terse', 'score': 7 } ],"
  "  'degraded': false, 'note': null, 'judge_model': 'demo/demo-judge' }";

/* No internal name on screen: the judge by its model and its provider's
 * display name, a candidate by its id next to its model, likelihoods and
 * risks in words. */
static void
test_result_names (void)
{
  g_autoptr(CsApplication) app = cs_test_ui_start_app ("Test");
  g_autoptr(CsRun) run = finished_run (CS_MODE_SUPPORT, "Names, not ids");
  g_autoptr(JsonNode) synthesis = parse_quoted (judged_checklist);
  g_autoptr(CsCandidate) c1 = cs_candidate_new ("c1", "demo/demo-alpha", "likely-cause");
  g_autoptr(CsCandidate) c2 = cs_candidate_new ("c2", "demo/demo-beta+refuse", "cheapest-checks");
  GtkWidget *window = gtk_application_window_new (GTK_APPLICATION (app));
  GtkWidget *view = cs_result_view_new ();
  g_autoptr(GString) texts = g_string_new (NULL);

  cs_run_add_candidate (run, c1);
  cs_run_add_candidate (run, c2);
  cs_run_set_judge (run, "demo/demo-judge");
  cs_run_set_synthesis (run, synthesis);
  gtk_window_set_child (GTK_WINDOW (window), view);
  cs_result_view_set_run (CS_RESULT_VIEW (view), run);
  expand_all (view);
  gtk_window_present (GTK_WINDOW (window));
  cs_test_ui_settle (5000);
  collect_texts (view, texts);
  g_test_message ("%s", texts->str);

  g_assert_nonnull (strstr (texts->str, ". Judge: demo-judge from Demo & <Co>.\n"));
  g_assert_null (strstr (texts->str, "(judge: "));
  g_assert_nonnull (strstr (texts->str, "\nc1 (demo-alpha)\n"));
  g_assert_nonnull (strstr (texts->str, "• Disk full (likely)\n• DNS (less likely)\n"));
  g_assert_nonnull (strstr (texts->str, "agreed by 2 of 2 · low risk · ~2 min\n"));
  g_assert_null (strstr (texts->str, "demo/"));
  g_assert_null (strstr (texts->str, "(high)"));
  g_assert_null (strstr (texts->str, "risk low"));
  g_assert_null (strstr (texts->str, "likely-cause"));

  gtk_window_destroy (GTK_WINDOW (window));
  cs_test_ui_settle (5000);
}

/* A card and a candidate window name the provider by its display name and
 * the candidate by its id next to its model, never by the provider's id. */
static void
test_card_names (void)
{
  g_autoptr(CsApplication) app = cs_test_ui_start_app ("Test");
  g_autoptr(CsCandidate) candidate = cs_candidate_new ("c2", "demo/demo-alpha", "cost");
  GtkWidget *window = gtk_application_window_new (GTK_APPLICATION (app));
  CsCandidateCard *card = cs_candidate_card_new (candidate);
  g_autoptr(GString) texts = g_string_new (NULL);
  GtkWindow *full;

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (card));
  gtk_window_present (GTK_WINDOW (window));
  cs_test_ui_settle (5000);
  cs_test_ui_save_shot (window, "card-names.png");
  collect_texts (GTK_WIDGET (card), texts);
  g_test_message ("%s", texts->str);
  g_assert_nonnull (strstr (texts->str, "c2 (demo-alpha)\n"));
  g_assert_nonnull (strstr (texts->str, "Demo & <Co> · angle: Cost first\n"));
  g_assert_null (strstr (texts->str, "demo ·"));
  g_assert_null (strstr (texts->str, "demo/"));

  full = GTK_WINDOW (cs_candidate_window_new (candidate));
  g_assert_cmpstr (gtk_window_get_title (full), ==, "Demo & <Co> · c2 (demo-alpha) · Cost first");
  /* the angle once, in the title, not again under it */
  g_string_truncate (texts, 0);
  collect_texts (GTK_WIDGET (full), texts);
  g_assert_null (strstr (texts->str, "angle: Cost first"));

  gtk_window_destroy (full);
  gtk_window_destroy (GTK_WINDOW (window));
  cs_test_ui_settle (5000);
}

/* A result above the stated budget, with a technology outside the preferred
 * ones, says so in one calm row; one that keeps them shows no row. */
static void
test_constraint_breaches (void)
{
  g_autoptr(CsRun) run = finished_run (CS_MODE_ARCHITECT, "A shop");
  g_autoptr(JsonNode) synthesis = parse_quoted (
    "{ 'methods': ['ensemble', 'consensus'], 'total': 2, 'degraded': false,"
    "  'data': { 'summary': 'A shop on Go.',"
    "    'components': ["
    "      { 'name': 'Web', 'responsibility': 'Serves pages', 'technology': 'Go', 'scaling': 'Replicas' },"
    "      { 'name': 'Cache', 'responsibility': 'Hot reads', 'technology': 'Redis', 'scaling': 'Replicas' } ],"
    "    'data_stores': [ { 'name': 'Orders', 'technology': 'PostgreSQL 16', 'purpose': 'Orders', 'primary': true } ],"
    "    'apis': [], 'connections': [], 'decisions': [], 'trade_offs': [], 'risks': [],"
    "    'monthly_cost_usd': 2400, 'mermaid': '' } }");
  GtkWidget *window = gtk_window_new ();
  GtkWidget *view = cs_result_view_new ();
  GtkWidget *row, *label;

  cs_run_set_constraint (run, "budget", "$2k/month");
  cs_run_set_constraint (run, "technologies", "Go, Postgres");
  cs_run_set_synthesis (run, synthesis);
  gtk_window_set_child (GTK_WINDOW (window), view);
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 700);
  cs_result_view_set_run (CS_RESULT_VIEW (view), run);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (cs_test_wait_for (result_built, view, 10000));
  cs_test_ui_settle (5000);
  cs_test_ui_save_shot (window, "constraint-breaches.png");

  row = cs_test_ui_find_named (view, "constraint-breaches");
  g_assert_nonnull (row);
  g_assert_true (gtk_widget_get_mapped (row));
  label = find_type (row, GTK_TYPE_LABEL, NULL);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (label)), ==,
                   "The estimated cost, $2,400 a month, is above the stated budget of $2,000 a month.\n"
                   "Not among the preferred technologies: Redis (Cache).");
  /* the degraded banner stays for a failed judge or merge */
  g_assert_false (gtk_widget_get_visible (cs_test_ui_find_named (view, "degraded-banner")));

  /* within the budget, Redis preferred: no row */
  cs_run_set_constraint (run, "budget", "$3k/month");
  cs_run_set_constraint (run, "technologies", "Go, Postgres, Redis");
  cs_result_view_set_run (CS_RESULT_VIEW (view), NULL);
  cs_result_view_set_run (CS_RESULT_VIEW (view), run);
  g_assert_true (cs_test_wait_for (result_built, view, 10000));
  g_assert_false (gtk_widget_get_visible (cs_test_ui_find_named (view, "constraint-breaches")));

  gtk_window_destroy (GTK_WINDOW (window));
  cs_test_ui_settle (5000);
}

static gboolean
judge_asked (gpointer data)
{
  return cs_test_provider_get_request_count (provider, "demo-judge") > 0;
}

static gboolean
synthesizing (gpointer data)
{
  return cs_run_get_state (CS_RUN (data)) == CS_RUN_SYNTHESIZING;
}

/* Cancel while the judge answers: the window shows the votes-and-consensus
 * result it kept, the degraded note and a message saying the judge was
 * cancelled. */
static void
test_cancel_in_judge (void)
{
  g_autoptr(CsApplication) app = cs_test_ui_start_app ("Test");
  CsWindow *win = cs_window_new (app);
  const char *models[] = { "demo/demo-alpha", "demo/demo-beta+refuse", NULL };
  g_autoptr(GString) texts = g_string_new (NULL);
  CsRun *run;

  gtk_window_present (GTK_WINDOW (win));
  cs_test_ui_settle (5000);
  _cs_window_set_mode (win, "architect");
  set_problem (win, "A queue for image thumbnails");
  _cs_window_select_models (win, models);
  _cs_window_select_judge (win, "demo/demo-judge");
  cs_test_provider_reset (provider);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.run", NULL));
  run = g_object_ref (_cs_window_get_run (win));
  g_assert_true (cs_test_wait_for (synthesizing, run, 30000));
  /* the judge's reply crawls */
  cs_test_provider_set_delay_ms (provider, 300);
  g_assert_true (cs_test_wait_for (judge_asked, NULL, 30000));
  cs_test_ui_settle (5000);
  g_assert_cmpint (cs_run_get_state (run), ==, CS_RUN_SYNTHESIZING);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.cancel", NULL));
  g_assert_true (cs_test_wait_for (not_running, win, 10000));
  cs_test_provider_set_delay_ms (provider, 5);

  g_assert_cmpint (cs_run_get_state (run), ==, CS_RUN_CANCELLED);
  g_assert_nonnull (cs_run_get_result (run));
  g_assert_true (cs_test_wait_for (result_built, _cs_window_get_run_page (win)->result_view, 30000));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (_cs_window_get_run_page (win)->result_view)));
  cs_test_ui_save_shot (GTK_WIDGET (win), "cancel-in-judge.png");
  collect_texts (GTK_WIDGET (_cs_window_get_run_page (win)), texts);
  g_test_message ("%s", texts->str);
  g_assert_nonnull (strstr (texts->str, "The run was cancelled while the judge answered"));
  g_assert_nonnull (strstr (texts->str, "was cancelled before it answered"));
  g_assert_nonnull (strstr (texts->str, "Blueprint"));

  gtk_window_destroy (GTK_WINDOW (win));
  g_object_unref (run);
  cs_test_ui_settle (5000);
}

static GtkWidget *
find_action_button (GtkWidget  *root,
                    const char *action)
{
  for (GtkWidget *w = gtk_widget_get_first_child (root); w != NULL; w = gtk_widget_get_next_sibling (w))
    {
      GtkWidget *found;

      if (GTK_IS_BUTTON (w) && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (w)), action) == 0)
        return w;
      if ((found = find_action_button (w, action)) != NULL)
        return found;
    }
  return NULL;
}

/* A candidate whose local server refused it offers Preferences on its card;
 * one that answered, or failed after some text, does not. */
static void
test_card_offers_preferences (void)
{
  g_autoptr(CsApplication) app = cs_test_ui_start_app ("Test");
  g_autoptr(CsCandidate) candidate = cs_candidate_new ("c1", "demo/demo-alpha", NULL);
  GtkWidget *window = gtk_application_window_new (GTK_APPLICATION (app));
  CsCandidateCard *card = cs_candidate_card_new (candidate);
  GtkWidget *button;

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (card));
  gtk_window_present (GTK_WINDOW (window));
  button = find_action_button (GTK_WIDGET (card), "app.preferences");
  g_assert_nonnull (button);
  g_assert_false (gtk_widget_get_visible (button));

  cs_candidate_set_status (candidate, CS_CANDIDATE_STREAMING);
  cs_candidate_set_error (candidate, "Connection refused by Demo (127.0.0.1:9): nothing is listening there.");
  cs_candidate_set_status (candidate, CS_CANDIDATE_FAILED);
  cs_test_ui_settle (5000);
  cs_test_ui_save_shot (window, "card-refused.png");
  g_assert_true (gtk_widget_get_visible (button));
  g_assert_true (gtk_widget_get_mapped (button));

  /* Retry: it answers */
  cs_candidate_reset_stream (candidate);
  cs_candidate_set_status (candidate, CS_CANDIDATE_STREAMING);
  cs_candidate_append (candidate, CS_STREAM_TEXT, "{", -1);
  cs_test_ui_settle (5000);
  g_assert_false (gtk_widget_get_visible (button));
  cs_candidate_set_status (candidate, CS_CANDIDATE_FAILED);
  cs_test_ui_settle (5000);
  g_assert_false (gtk_widget_get_visible (button));

  gtk_window_destroy (GTK_WINDOW (window));
  cs_test_ui_settle (5000);
}

typedef struct {
  CsWindow   *win;
  const char *want;      /* in the button's label or its breakdown */
  gboolean    over;      /* and the budget warning as asked */
  const char *not;       /* and not this in the breakdown, or NULL */
} EstimateWait;

static gboolean
estimate_says (gpointer data)
{
  EstimateWait *w = data;
  const char *text = cs_estimate_button_get_text (w->win->estimate_button);
  const char *details = cs_estimate_button_get_details (w->win->estimate_button);

  return text != NULL && (strstr (text, w->want) != NULL || strstr (details, w->want) != NULL) &&
         (w->not == NULL || strstr (details, w->not) == NULL) &&
         cs_estimate_button_get_over_budget (w->win->estimate_button) == w->over;
}

typedef struct {
  CsWindow   *win;
  const char *before;
} DetailsWait;

static gboolean
details_changed (gpointer data)
{
  DetailsWait *w = data;

  return g_strcmp0 (w->before, cs_estimate_button_get_details (w->win->estimate_button)) != 0;
}

/* The estimate follows a change after a moment: waits until it says @want. */
static void
assert_estimate (CsWindow   *win,
                 const char *want,
                 gboolean    over)
{
  EstimateWait w = { win, want, over, NULL };

  if (!cs_test_wait_for (estimate_says, &w, 10000))
    g_error ("the estimate did not come to say “%s”%s: “%s”\n%s", want, over ? " (over the budget)" : "",
             cs_estimate_button_get_text (win->estimate_button),
             cs_estimate_button_get_details (win->estimate_button));
}

/* The popover's breakdown is a table: a header row, a row a model and
 * stage, the total; amounts (the last two columns) and requests are
 * right-aligned in tabular figures, dollars each, plain text all. */
static void
assert_estimate_table (GtkWidget *popover)
{
  GtkWidget *grid = find_type (popover, GTK_TYPE_GRID, NULL);
  guint amounts = 0;

  g_assert_nonnull (grid);
  g_assert_true (gtk_widget_get_mapped (grid));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (gtk_grid_get_child_at (GTK_GRID (grid), 0, 0))), ==, "Model");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (gtk_grid_get_child_at (GTK_GRID (grid), 2, 0))), ==, "Stage");
  for (int row = 1; gtk_grid_get_child_at (GTK_GRID (grid), 0, row) != NULL; row++)
    for (int column = 3; column < 6; column++)
      {
        GtkWidget *label = gtk_grid_get_child_at (GTK_GRID (grid), column, row);

        g_assert_true (GTK_IS_LABEL (label));
        g_assert_false (gtk_label_get_use_markup (GTK_LABEL (label)));
        g_assert_cmpfloat (gtk_label_get_xalign (GTK_LABEL (label)), ==, 1.0);
        g_assert_true (gtk_widget_has_css_class (label, "numeric"));
        if (column > 3 && g_str_has_prefix (gtk_label_get_text (GTK_LABEL (label)), "$"))
          amounts++;
      }
  /* a row and the total, low and high each */
  g_assert_cmpuint (amounts, >=, 4);
  /* and the whole table shown: the scroller around it not shorter */
  {
    GtkWidget *scroller = gtk_widget_get_ancestor (grid, GTK_TYPE_SCROLLED_WINDOW);
    int height;

    gtk_widget_measure (grid, GTK_ORIENTATION_VERTICAL, -1, NULL, &height, NULL, NULL);
    g_assert_cmpint (gtk_widget_get_height (scroller), >=, MIN (height, 420));
  }
}

/* The estimate beside Run ("price unknown" for a model without a price,
 * models by their display names, the breakdown in its popover, following
 * the models, the judge and the question), a model's settings popover into
 * the run and onto the card, and the budget: the button warns and the app
 * asks before a run whose estimate is above it. */
static void
test_knobs_estimate_budget (void)
{
  g_autoptr(CsApplication) app = cs_test_ui_start_app ("Test");
  CsWindow *win = cs_window_new (app);
  const char *priced[] = { "demo/demo-alpha", NULL };
  const char *both[] = { "demo/demo-alpha", "demo/demo-beta+refuse", NULL };
  g_autoptr(CsKnobs) knobs = cs_knobs_new ();
  g_autofree char *footer = NULL;
  g_autofree char *before = NULL;
  CsModelRow *row = NULL;
  CsRun *run;

  gtk_window_present (GTK_WINDOW (win));
  cs_test_ui_settle (5000);
  _cs_window_set_mode (win, "architect");
  set_problem (win, "A cache in front of a slow inventory service");
  _cs_window_select_models (win, priced);
  _cs_window_select_judge (win, NULL);
  assert_estimate (win, "≈ $", FALSE);
  /* beside Run, in the header */
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (win->estimate_button)));
  g_assert_true (gtk_widget_get_ancestor (GTK_WIDGET (win->estimate_button), GTK_TYPE_STACK) ==
                 GTK_WIDGET (win->run_button_stack));
  {
    /* no judge chosen: none in the breakdown */
    EstimateWait w = { win, "≈ $", FALSE, "\tJudge\t" };

    g_assert_true (cs_test_wait_for (estimate_says, &w, 10000));
  }
  _cs_window_select_models (win, both);
  assert_estimate (win, " + ?", FALSE);
  assert_estimate (win, "plus demo-beta+refuse: price unknown", FALSE);
  g_assert_null (strstr (cs_estimate_button_get_details (win->estimate_button), "demo/"));
  /* the judge, then a longer question: the breakdown follows */
  _cs_window_select_models (win, priced);
  _cs_window_select_judge (win, "demo/demo-alpha");
  /* the judge's row: the model and its provider by their display names */
  assert_estimate (win, "\ndemo-alpha\tDemo & <Co>\tJudge\t1 + ", FALSE);
  before = g_strdup (cs_estimate_button_get_details (win->estimate_button));
  set_problem (win, "A cache in front of a slow inventory service, read 50,000 times a second from "
                    "three regions, written a hundred times a second, with stale reads allowed for "
                    "at most two seconds and a hard memory limit of 64 GiB a node.");
  {
    DetailsWait w = { win, before };

    g_assert_true (cs_test_wait_for (details_changed, &w, 10000));
  }
  _cs_window_select_judge (win, NULL);
  /* the popover: the breakdown a person reads */
  gtk_popover_popup (cs_estimate_button_get_popover (win->estimate_button));
  cs_test_ui_settle (5000);
  assert_accessible (GTK_WIDGET (cs_estimate_button_get_popover (win->estimate_button)), "estimate popover");
  assert_estimate_table (GTK_WIDGET (cs_estimate_button_get_popover (win->estimate_button)));
  cs_test_ui_save_shot (GTK_WIDGET (cs_estimate_button_get_popover (win->estimate_button)), "estimate-popover.png");
  gtk_popover_popdown (cs_estimate_button_get_popover (win->estimate_button));

  /* the first model's popover: temperature 0.4, 500 output tokens */
  for (guint i = 0; i < win->compose_page->model_rows->len; i++)
    if (g_str_equal (((CsModelRow *) g_ptr_array_index (win->compose_page->model_rows, i))->id, "demo/demo-alpha"))
      row = g_ptr_array_index (win->compose_page->model_rows, i);
  g_assert_nonnull (row);
  g_assert_true (cs_knobs_set (knobs, "temperature", "0.4", NULL));
  g_assert_true (cs_knobs_set (knobs, "max-output-tokens", "500", NULL));
  cs_model_knobs_set_knobs (row->knobs, knobs);
  g_assert_true (cs_knobs_equal (cs_model_knobs_get_knobs (row->knobs), knobs));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (row->knobs_button), "accent"));
  gtk_menu_button_popup (row->knobs_button);
  cs_test_ui_settle (5000);
  assert_accessible (GTK_WIDGET (gtk_menu_button_get_popover (row->knobs_button)), "model settings popover");
  gtk_menu_button_popdown (row->knobs_button);

  /* a budget below the estimate: the app asks; Cancel starts nothing */
  g_settings_set_double (win->settings, "run-budget", 0.000001);
  assert_estimate (win, "≈ $", TRUE);
  g_assert_true (gtk_widget_has_css_class (gtk_widget_get_first_child (GTK_WIDGET (win->estimate_button)), "warning"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.run", NULL));
  cs_test_ui_settle (5000);
  g_assert_true (answer_dialog ("cancel"));
  g_assert_false (_cs_window_is_running (win));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (win->main_stack), ==, "compose");

  /* without a budget the run goes, with the popover's settings */
  g_settings_set_double (win->settings, "run-budget", 0);
  assert_estimate (win, "≈ $", FALSE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.run", NULL));
  run = g_object_ref (_cs_window_get_run (win));
  g_assert_true (cs_test_wait_for (not_running, win, 60000));
  {
    g_autoptr(CsCandidate) c = g_list_model_get_item (G_LIST_MODEL (run), 0);

    g_assert_cmpfloat_with_epsilon (cs_candidate_get_temperature (c), 0.4, 1e-9);
    g_assert_cmpint (cs_candidate_get_max_output_tokens (c), ==, 500);
    footer = cs_candidate_format_footer (c, -1);
    g_assert_nonnull (strstr (footer, "temperature=0.4, max-output-tokens=500"));
  }
  g_assert_cmpint (cs_run_get_wall_ms (run), >=, 0);
  g_assert_nonnull (strstr (gtk_label_get_text (_cs_window_get_run_page (win)->state_label), " tokens · "));
  {
    /* the total grouped as the export writes it ("45,179 tokens") */
    gint64 total = cs_run_get_total_input_tokens (run) + cs_run_get_total_output_tokens (run);
    g_autofree char *count = cs_format_count (total);
    g_autofree char *words = g_strdup_printf (" · %s tokens · ", count);

    g_assert_cmpint (total, >=, 1000);
    g_assert_nonnull (strchr (count, ','));
    g_assert_nonnull (strstr (gtk_label_get_text (_cs_window_get_run_page (win)->state_label), words));
  }

  gtk_window_destroy (GTK_WINDOW (win));
  g_object_unref (run);
  cs_test_ui_settle (5000);
}

static void
collect_spins (GtkWidget *widget,
               GPtrArray *spins)
{
  if (GTK_IS_SPIN_BUTTON (widget))
    {
      g_ptr_array_add (spins, widget);
      return;
    }
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    collect_spins (c, spins);
}

static GtkSpinButton *
price_spin (CsPriceRow *row,
            guint       nth)
{
  g_autoptr(GPtrArray) spins = g_ptr_array_new ();

  collect_spins (GTK_WIDGET (row), spins);
  g_assert_cmpuint (spins->len, >, nth);
  return g_ptr_array_index (spins, nth);
}

/* A model without a price shows its price fields empty, never 0.00, each
 * saying which price it is ("input", "output") and the row that the price
 * is unknown; a price typed sets that one alone (0 included), the other
 * stays unknown. */
static void
test_price_row_unknown (void)
{
  g_autoptr(CsApplication) app = cs_test_ui_start_app ("Test");
  CsConfigFile *file = cs_application_get_config_file (app);
  GtkWidget *window = gtk_window_new ();
  CsPriceRow *row = cs_price_row_new (file, "demo/demo-judge");
  GtkSpinButton *input = price_spin (row, 0);
  GtkSpinButton *output = price_spin (row, 1);
  GtkEditable *text = gtk_editable_get_delegate (GTK_EDITABLE (input));
  const CsModelConfig *beta;
  GtkWidget *list = gtk_list_box_new ();

  gtk_list_box_append (GTK_LIST_BOX (list), GTK_WIDGET (row));
  gtk_window_set_child (GTK_WINDOW (window), list);
  gtk_window_present (GTK_WINDOW (window));
  cs_test_ui_settle (5000);
  beta = cs_config_find_model (cs_config_file_get_config (file), "demo/demo-judge");
  g_assert_true (isnan (beta->price_input) && isnan (beta->price_output));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (input)), ==, "");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (output)), ==, "");
  g_assert_cmpstr (gtk_text_get_placeholder_text (GTK_TEXT (text)), ==, "input");
  g_assert_cmpstr (gtk_text_get_placeholder_text (GTK_TEXT (gtk_editable_get_delegate (GTK_EDITABLE (output)))), ==, "output");
  g_assert_true (g_str_has_prefix (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "Price unknown"));
  /* focus in and out: still empty */
  gtk_widget_grab_focus (GTK_WIDGET (input));
  gtk_widget_grab_focus (GTK_WIDGET (output));
  gtk_spin_button_update (input);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (input)), ==, "");

  /* 0 typed is a price: the input price alone is set */
  gtk_editable_set_text (GTK_EDITABLE (input), "0");
  gtk_spin_button_update (input);
  beta = cs_config_find_model (cs_config_file_get_config (file), "demo/demo-judge");
  g_assert_cmpfloat (beta->price_input, ==, 0);
  g_assert_true (isnan (beta->price_output));
  g_assert_false (cs_model_config_has_price (beta));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (input)), ==, "0.00");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (output)), ==, "");

  /* the output typed: both known */
  gtk_editable_set_text (GTK_EDITABLE (output), "2.5");
  gtk_spin_button_update (output);
  beta = cs_config_find_model (cs_config_file_get_config (file), "demo/demo-judge");
  g_assert_cmpfloat (beta->price_output, ==, 2.5);
  g_assert_true (cs_model_config_has_price (beta));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (output)), ==, "2.50");

  gtk_window_destroy (GTK_WINDOW (window));
  cs_test_ui_settle (5000);
  write_config ();
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  g_autofree char *conf = NULL;
  int ret;

  /* the app gives the demo provider 15 s to listen: a sanitizer build on a
   * loaded machine can take longer to start it and read its port */
  if (cs_test_slack () > 1)
    {
      g_autofree char *seconds = g_strdup_printf ("%u", 15 * cs_test_slack ());

      g_setenv ("CONSILIUM_DEMO_START_TIMEOUT", seconds, TRUE);
    }

  /* before anything asks GLib for the user directories; a test
   * subprocess works in its parent's directory */
  if (g_getenv ("CS_TEST_UI_DIR") != NULL)
    tmp_dir = g_strdup (g_getenv ("CS_TEST_UI_DIR"));
  else
    {
      tmp_dir = g_dir_make_tmp ("cs-test-ui-XXXXXX", &error);
      g_assert_no_error (error);
      g_setenv ("CS_TEST_UI_DIR", tmp_dir, TRUE);
    }
  data = g_build_filename (tmp_dir, "data", NULL);
  conf = g_build_filename (tmp_dir, "config", NULL);
  g_setenv ("XDG_DATA_HOME", data, TRUE);
  g_setenv ("XDG_CONFIG_HOME", conf, TRUE);
  /* the Documents folder the save dialog starts in */
  {
    g_autofree char *documents = g_build_filename (tmp_dir, "Documents", NULL);
    g_autofree char *dirs = g_build_filename (conf, "user-dirs.dirs", NULL);
    g_autofree char *line = g_strdup_printf ("XDG_DOCUMENTS_DIR=\"%s\"\n", documents);

    g_assert_cmpint (g_mkdir_with_parents (documents, 0700), ==, 0);
    g_assert_cmpint (g_mkdir_with_parents (conf, 0700), ==, 0);
    g_assert_true (g_file_set_contents (dirs, line, -1, NULL));
  }
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_unsetenv ("CONSILIUM_DEMO_URL");

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  provider = cs_test_provider_start_new ();
  write_config ();

  g_test_add_func ("/ui/problem-highlighting", test_problem_highlighting);
  g_test_add_func ("/ui/card-layout", test_card_layout);
  g_test_add_func ("/ui/card-outline", test_card_outline);
  g_test_add_func ("/ui/architect-run", test_architect_run);
  g_test_add_func ("/ui/support-run", test_support_run);
  g_test_add_func ("/ui/reopen", test_reopen);
  /* (after reopen: it finds the support run's draft) */
  g_test_add_func ("/ui/origin-chips", test_origin_chips);
  g_test_add_func ("/ui/cancel", test_cancel);
#ifdef CS_TEST_UI_X11
  g_test_add_func ("/ui/keyboard", test_keyboard);
  g_test_add_func ("/ui/new-run-keys", test_new_run_keys);
#endif
  g_test_add_func ("/ui/bad-input", test_bad_input);
  g_test_add_func ("/ui/hostile-data", test_hostile_data);
  g_test_add_func ("/ui/close-while-running", test_close_while_running);
  g_test_add_func ("/ui/close-asks", test_close_asks);
  g_test_add_func ("/ui/crash-recovery", test_crash_recovery);
  g_test_add_func ("/ui/crash-recovery/subprocess", test_crash_child);
  g_test_add_func ("/ui/preferences", test_preferences);
  g_test_add_func ("/ui/preferences-keep-file", test_preferences_keep_file);
  g_test_add_func ("/ui/provider-setup", test_provider_setup);
  g_test_add_func ("/ui/preferences-warnings", test_preferences_warnings);
  g_test_add_func ("/ui/save-failed", test_save_failed);
  g_test_add_func ("/ui/load-failed", test_load_failed);
  g_test_add_func ("/ui/welcome", test_welcome);
  g_test_add_func ("/ui/welcome-starts-demo", test_welcome_starts_demo);
  g_test_add_func ("/ui/welcome-demo-restarts", test_welcome_demo_restarts);
  g_test_add_func ("/ui/use-provider-keeps-file", test_use_provider_keeps_file);
  g_test_add_func ("/ui/welcome-keeps-edits", test_welcome_keeps_edits);
  g_test_add_func ("/ui/config-edits-cheap", test_config_edits_cheap);
  g_test_add_func ("/ui/export-name", test_export_name);
  g_test_add_func ("/ui/export-refused", test_export_refused);
  g_test_add_func ("/ui/vote-labels", test_vote_labels);
  g_test_add_func ("/ui/judge-note", test_judge_note);
  g_test_add_func ("/ui/result-names", test_result_names);
  g_test_add_func ("/ui/card-names", test_card_names);
  g_test_add_func ("/ui/card-offers-preferences", test_card_offers_preferences);
  g_test_add_func ("/ui/constraint-breaches", test_constraint_breaches);
  g_test_add_func ("/ui/cancel-in-judge", test_cancel_in_judge);
  g_test_add_func ("/ui/knobs-estimate-budget", test_knobs_estimate_budget);
  g_test_add_func ("/ui/price-row-unknown", test_price_row_unknown);
  g_test_add_func ("/ui/blueprint-sections", test_blueprint_sections);
  g_test_add_func ("/ui/step-row-layout", test_step_row_layout);
  g_test_add_func ("/ui/combo-wrap", test_combo_wrap);

  ret = g_test_run ();

  g_clear_object (&provider);
  if (!g_test_subprocess ())
    cs_test_rm_rf (tmp_dir);
  g_free (tmp_dir);
  g_free (architect_run_id);
  g_free (support_run_id);

  return ret;
}
