/* cs-candidate-card-stream.c: a card's streamed text, as an outline or raw
 *
 * Text chunks come through the candidate's ::appended signal alone (a new
 * whole text through notify::text) and mark the card's outline out of
 * date; the outline reads the candidate's text at most four times a second
 * (cs-candidate-outline.c). Only while the Raw toggle is on are the chunks
 * also collected in a GString and written to the text view, at most once
 * per frame from a tick callback, laid out by cs-stream-layout.c. The
 * reasoning label follows on the same tick.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-candidate-card"

#include "config.h"

#include <glib/gi18n.h>

#include "cs-candidate-card-private.h"

/* A card shows at most this much of the text (a hostile or runaway reply
 * must not make a text view lay out megabytes); the full-answer window
 * has the rest. */
#define CARD_TEXT_MAX (64 * 1024)

/* GtkSourceView gives up (with a critical) on very long lines: highlighting
 * stops before a line gets this long. */
#define HIGHLIGHT_LINE_MAX (8 * 1024)

/* Streamed text reaches the raw view at most every 50 ms (and once per
 * frame). */
#define FLUSH_INTERVAL_US (50 * 1000)

/* The outline reads the text at most this often. */
#define OUTLINE_INTERVAL_US (250 * 1000)

static gboolean
is_raw (CsCandidateCard *self)
{
  return gtk_toggle_button_get_active (self->raw_button);
}

/* ---- the outline ---- */

/* Only a shown outline reads the text (not behind the structured answer,
 * Raw or the waiting page); a hidden one does when it is shown. */
static void
update_outline (CsCandidateCard *self)
{
  const char *text = cs_candidate_get_text (self->candidate);

  self->outline_stale = !gtk_widget_get_mapped (GTK_WIDGET (self->outline));
  if (self->outline_stale)
    return;
  self->last_outline = g_get_monotonic_time ();
  cs_candidate_outline_update (self->outline, text, text != NULL ? strlen (text) : 0);
}

static gboolean
outline_timeout_cb (gpointer user_data)
{
  CsCandidateCard *self = user_data;

  self->outline_id = 0;
  update_outline (self);
  return G_SOURCE_REMOVE;
}

/* The outline catches up with the text: now if it has not for a while,
 * else when OUTLINE_INTERVAL has passed since it last did; chunks that come
 * in between wait for that. */
static void
schedule_outline (CsCandidateCard *self)
{
  gint64 wait;

  if (self->outline_id != 0)
    return;
  wait = self->last_outline + OUTLINE_INTERVAL_US - g_get_monotonic_time ();
  self->outline_id = g_timeout_add (MAX (wait, 0) / 1000, outline_timeout_cb, self);
}

static void
outline_mapped_cb (CsCandidateCard *self)
{
  if (self->outline_stale)
    schedule_outline (self);
}

/* The answer ended: the outline shows the last of it now. */
static void
status_changed_cb (CsCandidateCard *self)
{
  gboolean ended = cs_candidate_status_is_final (cs_candidate_get_status (self->candidate));

  cs_candidate_outline_set_ended (self->outline, ended);
  if (ended && self->outline_id != 0)
    {
      g_clear_handle_id (&self->outline_id, g_source_remove);
      update_outline (self);
    }
}

/* ---- the raw view ---- */

static GtkTextBuffer *
get_buffer (CsCandidateCard *self)
{
  return gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->text_view));
}

/* The raw page, made when Raw is first turned on: eight source views are
 * not built and laid out for a view nobody asked for. */
static void
ensure_text_view (CsCandidateCard *self)
{
  if (self->text_view != NULL)
    return;

  /* the whole text, as tall as it is, in no scrolled window of its own:
   * the wheel over it scrolls the page (GTK 4.8's scrolled window takes
   * every wheel event, even one it cannot scroll by) */
  self->text_view = GTK_SOURCE_VIEW (gtk_source_view_new ());
  gtk_widget_set_size_request (GTK_WIDGET (self->text_view), -1, 220);
  g_object_set (self->text_view,
                "editable", FALSE,
                "cursor-visible", FALSE,
                "monospace", TRUE,
                "wrap-mode", GTK_WRAP_WORD_CHAR,
                "left-margin", 12,
                "right-margin", 12,
                "top-margin", 6,
                "bottom-margin", 6,
                NULL);
  gtk_widget_add_css_class (GTK_WIDGET (self->text_view), "candidate-text");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->text_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Answer text"),
                                  -1);
  /* read-only text: no cursor, so no bracket pair lit up around it */
  gtk_source_buffer_set_highlight_matching_brackets (GTK_SOURCE_BUFFER (get_buffer (self)), FALSE);
  gtk_stack_add_named (self->content_stack, GTK_WIDGET (self->text_view), "raw");
}

static void
set_language_for (CsCandidateCard *self,
                  const char      *text)
{
  GtkSourceLanguageManager *manager = gtk_source_language_manager_get_default ();
  const char *p = text;

  if (self->language_set)
    return;

  while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
    p++;
  if (*p == '\0')
    return;

  gtk_source_buffer_set_language (GTK_SOURCE_BUFFER (get_buffer (self)),
                                  gtk_source_language_manager_get_language (manager,
                                                                            (*p == '{' || *p == '[') ? "json" : "markdown"));
  self->language_set = TRUE;
}

/* Appends @text (laid out) to the buffer, up to the card's cap. */
static void
insert_text (CsCandidateCard *self,
             GString         *text)
{
  GtkTextBuffer *buffer = get_buffer (self);
  GtkTextIter end;
  gsize allowed = MIN (text->len, CARD_TEXT_MAX - MIN (self->inserted_bytes, CARD_TEXT_MAX));
  const char *nl;

  /* cut on a character boundary */
  while (allowed > 0 && allowed < text->len && (text->str[allowed] & 0xC0) == 0x80)
    allowed--;

  set_language_for (self, text->str);

  /* the length of the last line once this is in */
  nl = g_strrstr_len (text->str, allowed, "\n");
  if (nl != NULL)
    self->line_bytes = allowed - (nl - text->str) - 1;
  else
    self->line_bytes += allowed;
  if (self->line_bytes > HIGHLIGHT_LINE_MAX)
    gtk_source_buffer_set_language (GTK_SOURCE_BUFFER (buffer), NULL);

  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_insert (buffer, &end, text->str, allowed);
  self->inserted_bytes += allowed;
  if (allowed < text->len)
    {
      self->capped = TRUE;
      gtk_text_buffer_get_end_iter (buffer, &end);
      gtk_text_buffer_insert (buffer, &end, _("\n… (the rest is in the full answer)"), -1);
    }
}

static void
flush_pending (CsCandidateCard *self)
{
  if (self->capped)
    g_string_truncate (self->pending_text, 0);

  g_string_truncate (self->scratch, 0);
  cs_stream_layout_take (&self->layout, self->pending_text,
                         cs_candidate_status_is_final (cs_candidate_get_status (self->candidate)),
                         self->scratch);
  if (self->scratch->len > 0 && self->text_view != NULL)
    insert_text (self, self->scratch);

  if (self->reasoning_dirty)
    {
      const char *reasoning = cs_candidate_get_reasoning (self->candidate);

      self->reasoning_dirty = FALSE;
      gtk_label_set_text (self->reasoning_label, reasoning != NULL ? reasoning : "");
      gtk_widget_set_visible (GTK_WIDGET (self->reasoning_expander),
                              reasoning != NULL && reasoning[0] != '\0');
    }
}

static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       user_data)
{
  CsCandidateCard *self = CS_CANDIDATE_CARD (widget);
  gint64 now = gdk_frame_clock_get_frame_time (clock);

  /* at most one update per frame, and no more often than FLUSH_INTERVAL:
   * eight text views relaying out their paragraph every frame is what
   * stalls a slow machine, and nobody reads faster than that */
  if (now - self->last_flush < FLUSH_INTERVAL_US)
    return G_SOURCE_CONTINUE;
  self->last_flush = now;

  flush_pending (self);

  if (self->pending_text->len == 0 && !self->reasoning_dirty)
    {
      self->tick_id = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

void
_cs_candidate_card_schedule_flush (CsCandidateCard *self)
{
  if (self->tick_id == 0)
    self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), tick_cb, NULL, NULL);
}

/* A chunk of the text: the one way streamed text reaches the card. */
static void
appended_cb (CsCandidateCard *self,
             int              kind,
             const char      *chunk,
             CsCandidate     *candidate)
{
  gsize len;

  if (kind != CS_STREAM_TEXT || chunk == NULL)
    return;

  len = strlen (chunk);
  if (self->shown_bytes == 0 && len > 0)
    gtk_widget_set_sensitive (GTK_WIDGET (self->raw_button), TRUE);
  self->shown_bytes += len;
  schedule_outline (self);
  if (is_raw (self))
    {
      g_string_append_len (self->pending_text, chunk, len);
      _cs_candidate_card_schedule_flush (self);
    }
}

static void
reasoning_changed_cb (CsCandidateCard *self)
{
  self->reasoning_dirty = TRUE;
  _cs_candidate_card_schedule_flush (self);
}

/* The raw view starts over: empty, and filled again from the whole text
 * while Raw is on. */
static void
restart_raw (CsCandidateCard *self)
{
  g_string_truncate (self->pending_text, 0);
  cs_stream_layout_reset (&self->layout);
  self->language_set = FALSE;
  self->inserted_bytes = 0;
  self->line_bytes = 0;
  self->capped = FALSE;
  if (self->text_view != NULL)
    gtk_text_buffer_set_text (get_buffer (self), "", 0);
  if (is_raw (self))
    {
      const char *text = cs_candidate_get_text (self->candidate);

      ensure_text_view (self);
      g_string_append (self->pending_text, text != NULL ? text : "");
      if (self->pending_text->len > 0)
        _cs_candidate_card_schedule_flush (self);
    }
}

void
_cs_candidate_card_raw_toggled (CsCandidateCard *self)
{
  restart_raw (self);
}

/* The whole text was replaced (a new attempt clears it; a restored run
 * comes with it): shown again from the start. */
static void
text_replaced_cb (CsCandidateCard *self)
{
  const char *text = cs_candidate_get_text (self->candidate);

  self->shown_bytes = text != NULL ? strlen (text) : 0;
  /* Raw once there is text to show */
  gtk_widget_set_sensitive (GTK_WIDGET (self->raw_button), self->shown_bytes > 0);
  cs_candidate_outline_reset (self->outline);
  restart_raw (self);
  if (self->shown_bytes > 0)
    schedule_outline (self);
}

void
_cs_candidate_card_follow_stream (CsCandidateCard *self)
{
  CsCandidate *candidate = self->candidate;

  /* text: the chunks, and a whole new text; never both for one chunk */
  g_signal_connect_object (candidate, "appended", G_CALLBACK (appended_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (candidate, "notify::text", G_CALLBACK (text_replaced_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (candidate, "notify::reasoning", G_CALLBACK (reasoning_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (candidate, "notify::status", G_CALLBACK (status_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->outline, "map", G_CALLBACK (outline_mapped_cb), self, G_CONNECT_SWAPPED);

  self->reasoning_dirty = TRUE;
  status_changed_cb (self);
  text_replaced_cb (self);
  _cs_candidate_card_schedule_flush (self);
}

void
cs_candidate_card_prepare (GtkWidget *widget)
{
  static gboolean done;
  /* GtkSourceView drops a language's compiled definitions with the last
   * buffer that uses it: these keep them for the process */
  static GtkSourceBuffer *keep[2];
  GtkSourceLanguageManager *manager = gtk_source_language_manager_get_default ();
  const char * const languages[G_N_ELEMENTS (keep)] = { "json", "markdown" };

  if (done)
    return;
  done = TRUE;

  /* GtkSourceView reads and compiles a language's definitions when the
   * first buffer highlights with it: here, not when eight cards start
   * streaming at once */
  for (guint i = 0; i < G_N_ELEMENTS (languages); i++)
    {
      GtkSourceLanguage *language = gtk_source_language_manager_get_language (manager, languages[i]);
      GtkSourceBuffer *buffer;
      GtkTextIter start, end;

      if (language == NULL)
        continue;
      buffer = keep[i] = gtk_source_buffer_new_with_language (language);
      gtk_text_buffer_set_text (GTK_TEXT_BUFFER (buffer),
                                "{\"summary\": \"a *b* `c`\", \"n\": [1, 2.5, true, null]}\n# d\n- e", -1);
      gtk_text_buffer_get_bounds (GTK_TEXT_BUFFER (buffer), &start, &end);
      gtk_source_buffer_ensure_highlight (buffer, &start, &end);
    }

  /* and the monospace font: found, loaded and shaped once, here */
  {
    g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, "{\"summary\": \"Go, PostgreSQL 16 — 50k/day\", \"n\": [1, true]}");
    PangoFontDescription *desc = pango_font_description_copy (pango_context_get_font_description (pango_layout_get_context (layout)));
    int w, h;

    pango_font_description_set_family (desc, "monospace");
    pango_layout_set_font_description (layout, desc);
    pango_layout_get_pixel_size (layout, &w, &h);
    pango_font_description_free (desc);
  }
}
