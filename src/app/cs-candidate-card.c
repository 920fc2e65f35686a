/* cs-candidate-card.c: one candidate answer as a card, live while it streams
 *
 * Streamed chunks are collected in a GString and written to the text view
 * at most once per frame, from a tick callback. Streamed JSON is laid out
 * on the way in (one member per line, indented), whatever the model's own
 * layout: a compact reply is one long line, and Pango and GtkSourceView
 * lay out and highlight a whole line again on every insertion, which made
 * eight live cards cost hundreds of milliseconds a frame. The footer's
 * live figures (tokens, cost, elapsed) change at most four times a second.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-candidate-card"

#include "config.h"

#include <glib/gi18n.h>
#include <gtksourceview/gtksource.h>

#include "cs-candidate-card.h"
#include "cs-candidate-window.h"
#include "cs-ui-util.h"

struct _CsCandidateCard
{
  GtkBox          parent_instance;

  CsCandidate    *candidate;
  GString        *pending_text;
  GString        *scratch;          /* pending_text, reflowed */
  int             layout;           /* LAYOUT_* */
  guint           json_depth;
  guint           json_in_string : 1;
  guint           json_escape : 1;
  guint           json_break : 1;   /* a new line before the next token */
  guint           json_space : 1;   /* white space since the last token */
  guint           json_bare : 1;    /* the last character was a bare word's */
  guint           expect_text_notify : 1;
  guint           footer_dirty : 1;
  guint           footer_id;
  gsize           shown_bytes;      /* of the text, in the buffer or pending */
  gsize           inserted_bytes;   /* in the buffer */
  gsize           line_bytes;       /* of the buffer's last line */
  gint64          last_flush;       /* frame time, µs */
  gboolean        capped;
  guint           tick_id;
  gboolean        reasoning_dirty;
  gboolean        language_set;
  gboolean        follow;
  gint64          live_since;       /* monotonic µs, 0 when not live */
  guint           timer_id;
  const char     *badge_class;

  GtkLabel       *model_label;
  GtkLabel       *detail_label;
  GtkLabel       *status_label;
  GtkButton      *stop_button;
  GtkButton      *open_button;
  GtkStack       *content_stack;
  GtkLabel       *waiting_label;
  GtkScrolledWindow *text_scroller;
  GtkSourceView  *text_view;
  GtkBox         *structured_box;
  GtkExpander    *reasoning_expander;
  GtkLabel       *reasoning_label;
  GtkWidget      *error_box;
  GtkLabel       *error_label;
  GtkButton      *retry_button;
  GtkLabel       *footer_label;
  GtkLabel       *judge_label;
};

G_DEFINE_FINAL_TYPE (CsCandidateCard, cs_candidate_card, GTK_TYPE_BOX)

/* A card shows at most this much of the text (a hostile or runaway reply
 * must not make a text view lay out megabytes); the full-answer window
 * has the rest. */
#define CARD_TEXT_MAX (64 * 1024)

/* GtkSourceView gives up (with a critical) on very long lines: highlighting
 * stops before a line gets this long. */
#define HIGHLIGHT_LINE_MAX (8 * 1024)

/* Streamed text reaches a card at most every 50 ms (and once per frame). */
#define FLUSH_INTERVAL_US (50 * 1000)

/* Live figures in the footer change at most this often. */
#define FOOTER_INTERVAL_MS 250

/* Deeper JSON is not indented further (hostile nesting). */
#define JSON_INDENT_MAX 12

enum {
  LAYOUT_UNKNOWN,   /* nothing but white space yet */
  LAYOUT_JSON,
  LAYOUT_PLAIN,
};

const char *
cs_candidate_status_label (CsCandidateStatus status)
{
  switch (status)
    {
    case CS_CANDIDATE_QUEUED: return _("Queued");
    case CS_CANDIDATE_THINKING: return _("Thinking");
    case CS_CANDIDATE_STREAMING: return _("Streaming");
    case CS_CANDIDATE_OK: return _("Done");
    case CS_CANDIDATE_FAILED: return _("Failed");
    case CS_CANDIDATE_REFUSED: return _("Refused");
    case CS_CANDIDATE_INVALID: return _("Invalid");
    case CS_CANDIDATE_TRUNCATED: return _("Truncated");
    case CS_CANDIDATE_CANCELLED: return _("Cancelled");
    default: return "";
    }
}

const char *
cs_candidate_status_css_class (CsCandidateStatus status)
{
  switch (status)
    {
    case CS_CANDIDATE_QUEUED: return "queued";
    case CS_CANDIDATE_THINKING: return "thinking";
    case CS_CANDIDATE_STREAMING: return "streaming";
    case CS_CANDIDATE_OK: return "done";
    case CS_CANDIDATE_FAILED: return "failed";
    case CS_CANDIDATE_REFUSED: return "refused";
    case CS_CANDIDATE_INVALID: return "invalid";
    case CS_CANDIDATE_TRUNCATED: return "truncated";
    case CS_CANDIDATE_CANCELLED: return "cancelled";
    default: return "queued";
    }
}

static char *
format_ms (gint64 ms)
{
  if (ms < 1000)
    return g_strdup_printf (_("%d ms"), (int) ms);
  if (ms < 60000)
    return g_strdup_printf (_("%.1f s"), ms / 1000.0);
  return g_strdup_printf (_("%d min %d s"), (int) (ms / 60000), (int) ((ms / 1000) % 60));
}

char *
cs_candidate_format_footer (CsCandidate *candidate,
                            gint64       live_elapsed_ms)
{
  GString *str = g_string_new (NULL);
  gint64 in = cs_candidate_get_input_tokens (candidate);
  gint64 out = cs_candidate_get_output_tokens (candidate);
  gint64 ttft = cs_candidate_get_ttft_ms (candidate);
  gint64 duration = cs_candidate_get_duration_ms (candidate);
  double cost = cs_candidate_get_cost_usd (candidate);

  if (in >= 0 || out >= 0)
    {
      /* the numbers apart: xgettext cannot expand G_GINT64_FORMAT */
      g_autofree char *in_str = g_strdup_printf ("%" G_GINT64_FORMAT, MAX (in, 0));
      g_autofree char *out_str = g_strdup_printf ("%" G_GINT64_FORMAT, MAX (out, 0));

      /* Translators: a card's footer: the input tokens, then the output
       * tokens (both numbers) */
      g_string_append_printf (str, _("%s in / %s out tokens"), in_str, out_str);
    }
  if (cost > 0)
    g_string_append_printf (str, "%s$%.4f", str->len ? " · " : "", cost);
  if (ttft >= 0)
    {
      g_autofree char *t = format_ms (ttft);
      g_string_append_printf (str, "%s%s %s", str->len ? " · " : "", _("first token"), t);
    }
  if (duration >= 0 || live_elapsed_ms >= 0)
    {
      /* live: whole seconds, as the timer ticks */
      g_autofree char *t = duration >= 0 ? format_ms (duration)
                                         : g_strdup_printf (_("%d s"), (int) (live_elapsed_ms / 1000));
      g_string_append_printf (str, "%s%s %s", str->len ? " · " : "", _("elapsed"), t);
    }
  if (str->len == 0)
    g_string_append (str, " ");

  return g_string_free (str, FALSE);
}

/* ---- structure ---- */

static void
add_heading (GtkBox     *box,
             const char *text)
{
  gtk_box_append (box, cs_plain_label (text, FALSE, "heading", "structure-heading", NULL));
}

static void
add_bullet (GtkBox     *box,
            const char *text,
            gboolean    full)
{
  g_autofree char *line = g_strconcat ("• ", text, NULL);

  gtk_box_append (box, cs_plain_label (line, full, NULL));
}

void
cs_candidate_fill_structure (GtkBox   *box,
                             JsonNode *data,
                             gboolean  full)
{
  JsonObject *obj = cs_ui_json_object (data);
  JsonArray *array;
  const char *summary;
  guint limit = full ? 200 : 4;   /* hostile replies may list thousands */

  cs_box_remove_all (box);

  if (obj == NULL)
    {
      gtk_box_append (box, cs_plain_label (_("No structured answer."), FALSE, "dim-label", NULL));
      return;
    }

  summary = cs_ui_json_get_string (obj, "summary");
  if (summary != NULL)
    gtk_box_append (box, cs_plain_label (summary, full, "structure-summary", NULL));

  /* architecture */
  if ((array = cs_ui_json_get_array (obj, "components")) != NULL)
    {
      guint n = json_array_get_length (array);

      add_heading (box, _("Components"));
      for (guint i = 0; i < n && i < limit * 2; i++)
        {
          JsonObject *c = cs_ui_json_array_object (array, i);
          const char *name = cs_ui_json_get_string (c, "name");
          const char *tech = cs_ui_json_get_string (c, "technology");
          g_autofree char *line = NULL;

          if (name == NULL)
            continue;
          line = tech != NULL ? g_strdup_printf ("%s — %s", name, tech) : g_strdup (name);
          add_bullet (box, line, full);
          if (full && cs_ui_json_get_string (c, "responsibility") != NULL)
            gtk_box_append (box, cs_plain_label (cs_ui_json_get_string (c, "responsibility"), TRUE, "dim-label", "indented", NULL));
        }
      if (n > limit * 2)
        {
          g_autofree char *more = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "and %u more", "and %u more", n - limit * 2), n - limit * 2);
          gtk_box_append (box, cs_plain_label (more, FALSE, "dim-label", NULL));
        }
    }

  if ((array = cs_ui_json_get_array (obj, "decisions")) != NULL && json_array_get_length (array) > 0)
    {
      guint n = json_array_get_length (array);

      add_heading (box, _("Key choices"));
      for (guint i = 0; i < n && i < limit; i++)
        {
          JsonObject *d = cs_ui_json_array_object (array, i);
          const char *topic = cs_ui_json_get_string (d, "topic");
          const char *choice = cs_ui_json_get_string (d, "choice");
          g_autofree char *line = NULL;

          if (topic == NULL || choice == NULL)
            continue;
          line = g_strdup_printf ("%s: %s", topic, choice);
          add_bullet (box, line, full);
          if (full && cs_ui_json_get_string (d, "rationale") != NULL)
            gtk_box_append (box, cs_plain_label (cs_ui_json_get_string (d, "rationale"), TRUE, "dim-label", "indented", NULL));
        }
    }

  if (full && (array = cs_ui_json_get_array (obj, "trade_offs")) != NULL && json_array_get_length (array) > 0)
    {
      add_heading (box, _("Trade-offs"));
      for (guint i = 0; i < json_array_get_length (array); i++)
        if (cs_ui_json_array_string (array, i) != NULL)
          add_bullet (box, cs_ui_json_array_string (array, i), TRUE);
    }

  if (full && (array = cs_ui_json_get_array (obj, "risks")) != NULL && json_array_get_length (array) > 0)
    {
      add_heading (box, _("Risks"));
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonObject *r = cs_ui_json_array_object (array, i);
          g_autofree char *line = NULL;

          if (cs_ui_json_get_string (r, "risk") == NULL)
            continue;
          line = g_strdup_printf ("%s — %s", cs_ui_json_get_string (r, "risk"),
                                  cs_ui_json_get_string (r, "mitigation") ? cs_ui_json_get_string (r, "mitigation") : "");
          add_bullet (box, line, TRUE);
        }
    }

  if (cs_ui_json_get_number (obj, "monthly_cost_usd", -1) >= 0 && cs_ui_json_get_array (obj, "components") != NULL)
    {
      g_autofree char *cost = g_strdup_printf (_("Estimated cost: $%.0f per month"),
                                               cs_ui_json_get_number (obj, "monthly_cost_usd", 0));
      gtk_box_append (box, cs_plain_label (cost, FALSE, "dim-label", NULL));
    }

  /* troubleshooting */
  if ((array = cs_ui_json_get_array (obj, "likely_causes")) != NULL && full && json_array_get_length (array) > 0)
    {
      add_heading (box, _("Likely causes"));
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonObject *c = cs_ui_json_array_object (array, i);
          g_autofree char *line = NULL;

          if (cs_ui_json_get_string (c, "cause") == NULL)
            continue;
          line = g_strdup_printf ("%s (%s)", cs_ui_json_get_string (c, "cause"),
                                  cs_ui_json_get_string (c, "likelihood") ? cs_ui_json_get_string (c, "likelihood") : "?");
          add_bullet (box, line, TRUE);
        }
    }

  if ((array = cs_ui_json_get_array (obj, "steps")) != NULL)
    {
      guint n = json_array_get_length (array);

      add_heading (box, full ? _("Steps") : _("First steps"));
      for (guint i = 0; i < n && i < limit; i++)
        {
          JsonObject *s = cs_ui_json_array_object (array, i);
          const char *title = cs_ui_json_get_string (s, "title");
          const char *command = cs_ui_json_get_string (s, "command");
          g_autofree char *line = NULL;

          if (title == NULL)
            continue;
          line = g_strdup_printf ("%u. %s", i + 1, title);
          gtk_box_append (box, cs_plain_label (line, full, NULL));
          if (full && cs_ui_json_get_string (s, "action") != NULL)
            gtk_box_append (box, cs_plain_label (cs_ui_json_get_string (s, "action"), TRUE, "dim-label", "indented", NULL));
          if (command != NULL && command[0] != '\0')
            gtk_box_append (box, cs_plain_label (command, full, "monospace", "indented", "command", NULL));
        }
    }

  if (full && cs_ui_json_get_string (obj, "escalate_when") != NULL)
    {
      add_heading (box, _("Escalate when"));
      gtk_box_append (box, cs_plain_label (cs_ui_json_get_string (obj, "escalate_when"), TRUE, NULL));
    }
}

/* ---- streaming ---- */

static void
set_language_for (CsCandidateCard *self,
                  const char      *text)
{
  GtkSourceLanguageManager *manager = gtk_source_language_manager_get_default ();
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->text_view));
  const char *p = text;

  if (self->language_set)
    return;

  while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
    p++;
  if (*p == '\0')
    return;

  gtk_source_buffer_set_language (GTK_SOURCE_BUFFER (buffer),
                                  gtk_source_language_manager_get_language (manager,
                                                                            (*p == '{' || *p == '[') ? "json" : "markdown"));
  self->language_set = TRUE;
}

static void
json_break (CsCandidateCard *self,
            GString         *out)
{
  if (!self->json_break)
    return;
  self->json_break = FALSE;
  g_string_append_c (out, '\n');
  for (guint i = 0; i < MIN (self->json_depth, JSON_INDENT_MAX); i++)
    g_string_append (out, "  ");
}

/* Lays out streamed JSON as it comes, one member or element per line:
 * white space outside strings is dropped and replaced; strings are copied
 * as they are. Not a validator: whatever comes is shown, and words that
 * are not JSON keep one space between them. */
static void
reflow_json (CsCandidateCard *self,
             const char      *text,
             gsize            len,
             GString         *out)
{
  for (gsize i = 0; i < len; i++)
    {
      char c = text[i];

      if (self->json_in_string)
        {
          g_string_append_c (out, c);
          if (self->json_escape)
            self->json_escape = FALSE;
          else if (c == '\\')
            self->json_escape = TRUE;
          else if (c == '"')
            self->json_in_string = FALSE;
          continue;
        }

      if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
        {
          self->json_space = TRUE;
          continue;
        }
      if (self->json_break)
        self->json_space = FALSE;
      if (self->json_space && self->json_bare &&
          c != '{' && c != '[' && c != '}' && c != ']' && c != ',' && c != ':' && c != '"')
        g_string_append_c (out, ' ');
      self->json_space = FALSE;
      self->json_bare = FALSE;

      switch (c)
        {
        case '{': case '[':
          json_break (self, out);
          g_string_append_c (out, c);
          self->json_depth++;
          self->json_break = TRUE;
          break;
        case '}': case ']':
          if (self->json_depth > 0)
            self->json_depth--;
          if (self->json_break)
            self->json_break = FALSE;   /* an empty object or array */
          else
            {
              self->json_break = TRUE;
              json_break (self, out);
            }
          g_string_append_c (out, c);
          /* what follows the whole value (a code fence's end) */
          if (self->json_depth == 0)
            self->json_break = TRUE;
          break;
        case ',':
          g_string_append_c (out, c);
          self->json_break = TRUE;
          break;
        case ':':
          g_string_append (out, ": ");
          break;
        case '"':
          json_break (self, out);
          g_string_append_c (out, c);
          self->json_in_string = TRUE;
          break;
        default:
          json_break (self, out);
          g_string_append_c (out, c);
          self->json_bare = TRUE;
          break;
        }
    }
}

/* How the text starting with @text shows: JSON (also in a Markdown code
 * fence, whose first line then goes in as it is: *verbatim its length) or
 * anything else; LAYOUT_UNKNOWN while too little has come to tell. */
static int
detect_layout (const char *text,
               gsize       len,
               gsize      *verbatim)
{
  const char *p = text;
  const char *end = text + len;
  const char *nl;

  *verbatim = 0;
  while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
    p++;
  if (p == end)
    return LAYOUT_UNKNOWN;
  if (*p == '{' || *p == '[')
    return LAYOUT_JSON;
  if (strncmp (p, "```", MIN (3, (gsize) (end - p))) != 0)
    return LAYOUT_PLAIN;

  /* ```json and a new line, then an object or array */
  nl = memchr (p, '\n', end - p);
  if (nl == NULL)
    return (end - p) < 64 ? LAYOUT_UNKNOWN : LAYOUT_PLAIN;
  for (p = nl + 1; p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'); p++)
    ;
  if (p == end)
    return LAYOUT_UNKNOWN;
  if (*p != '{' && *p != '[')
    return LAYOUT_PLAIN;
  *verbatim = nl + 1 - text;
  return LAYOUT_JSON;
}

static void
flush_pending (CsCandidateCard *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->text_view));
  GString *text = self->pending_text;

  if (self->pending_text->len > 0 && self->capped)
    g_string_truncate (self->pending_text, 0);

  g_string_truncate (self->scratch, 0);
  if (self->pending_text->len > 0 && self->layout == LAYOUT_UNKNOWN)
    {
      gsize verbatim = 0;

      self->layout = detect_layout (self->pending_text->str, self->pending_text->len, &verbatim);
      /* nothing more will come to tell */
      if (self->layout == LAYOUT_UNKNOWN &&
          cs_candidate_status_is_final (cs_candidate_get_status (self->candidate)))
        self->layout = LAYOUT_PLAIN;
      /* a code fence's first line */
      g_string_append_len (self->scratch, self->pending_text->str, verbatim);
      g_string_erase (self->pending_text, 0, verbatim);
    }
  /* else wait for more: the text stays pending */
  if (self->layout == LAYOUT_UNKNOWN)
    text = self->scratch;   /* empty */

  if (self->layout == LAYOUT_JSON && (self->pending_text->len > 0 || self->scratch->len > 0))
    {
      reflow_json (self, self->pending_text->str, self->pending_text->len, self->scratch);
      g_string_truncate (self->pending_text, 0);
      text = self->scratch;
    }

  if (text->len > 0)
    {
      GtkTextIter end;
      gsize allowed = MIN (text->len, CARD_TEXT_MAX - MIN (self->inserted_bytes, CARD_TEXT_MAX));

      /* cut on a character boundary */
      while (allowed > 0 && allowed < text->len &&
             (text->str[allowed] & 0xC0) == 0x80)
        allowed--;

      set_language_for (self, text->str);

      /* the length of the last line once this is in */
      {
        const char *nl = g_strrstr_len (text->str, allowed, "\n");

        if (nl != NULL)
          self->line_bytes = allowed - (nl - text->str) - 1;
        else
          self->line_bytes += allowed;
        if (self->line_bytes > HIGHLIGHT_LINE_MAX)
          gtk_source_buffer_set_language (GTK_SOURCE_BUFFER (buffer), NULL);
      }

      gtk_text_buffer_get_end_iter (buffer, &end);
      gtk_text_buffer_insert (buffer, &end, text->str, allowed);
      self->inserted_bytes += allowed;
      if (allowed < text->len)
        {
          self->capped = TRUE;
          gtk_text_buffer_get_end_iter (buffer, &end);
          gtk_text_buffer_insert (buffer, &end, _("\n… (the rest is in the full answer)"), -1);
        }
      g_string_truncate (text, 0);

      /* scrolled to the end on the next frame */
      self->follow = TRUE;
    }

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

  /* follow the stream: scroll to the end of what the last frame laid out
   * (scrolling during layout upsets GTK 4.8's scrollbars) */
  if (self->follow)
    {
      GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->text_scroller);

      self->follow = FALSE;
      gtk_adjustment_set_value (adjustment,
                                gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment));
    }

  flush_pending (self);

  if (self->pending_text->len == 0 && !self->reasoning_dirty && !self->follow)
    {
      self->tick_id = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
schedule_flush (CsCandidateCard *self)
{
  if (self->tick_id == 0)
    self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), tick_cb, NULL, NULL);
}

static void
appended_cb (CsCandidateCard *self,
             int              kind,
             const char      *chunk,
             CsCandidate     *candidate)
{
  if (chunk == NULL)
    return;

  if (kind == CS_STREAM_TEXT)
    {
      gsize len = strlen (chunk);

      g_string_append_len (self->pending_text, chunk, len);
      self->shown_bytes += len;
      /* the "text" notify that follows is this chunk */
      self->expect_text_notify = TRUE;
    }
  else if (kind == CS_STREAM_REASONING)
    self->reasoning_dirty = TRUE;

  schedule_flush (self);
}

static void
resync_text (CsCandidateCard *self)
{
  const char *text;
  gsize len;

  /* the notify of an appended chunk: nothing to compare (the text's
   * length, once per chunk, adds up to quadratic time) */
  if (self->expect_text_notify)
    {
      self->expect_text_notify = FALSE;
      return;
    }

  text = cs_candidate_get_text (self->candidate);
  len = text != NULL ? strlen (text) : 0;

  /* appended chunks keep shown_bytes in step; anything else (a retry, a
   * restored run, set_text) replaces the whole text */
  if (len == self->shown_bytes)
    return;

  g_string_truncate (self->pending_text, 0);
  self->layout = LAYOUT_UNKNOWN;
  self->json_depth = 0;
  self->json_in_string = FALSE;
  self->json_escape = FALSE;
  self->json_break = FALSE;
  self->json_space = FALSE;
  self->json_bare = FALSE;
  self->language_set = FALSE;
  self->inserted_bytes = 0;
  self->line_bytes = 0;
  self->capped = FALSE;
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->text_view)), "", 0);
  if (len > 0)
    g_string_append_len (self->pending_text, text, len);
  self->shown_bytes = len;
  schedule_flush (self);
}

/* ---- state ---- */

static void
update_footer (CsCandidateCard *self)
{
  g_autofree char *footer = NULL;
  gint64 live = -1;

  self->footer_dirty = FALSE;
  if (self->live_since != 0)
    live = (g_get_monotonic_time () - self->live_since) / 1000;
  footer = cs_candidate_format_footer (self->candidate, live);
  gtk_label_set_text (self->footer_label, footer);
}

static gboolean
footer_timeout_cb (gpointer user_data)
{
  CsCandidateCard *self = user_data;

  if (self->footer_dirty)
    {
      update_footer (self);
      return G_SOURCE_CONTINUE;
    }
  self->footer_id = 0;
  return G_SOURCE_REMOVE;
}

/* Token counts and costs change with every chunk: a new footer text means
 * the label lays out again and the card is measured again. */
static void
schedule_footer (CsCandidateCard *self)
{
  if (self->footer_id != 0)
    {
      self->footer_dirty = TRUE;
      return;
    }
  update_footer (self);
  self->footer_id = g_timeout_add (FOOTER_INTERVAL_MS, footer_timeout_cb, self);
}

static gboolean
timer_cb (gpointer user_data)
{
  update_footer (CS_CANDIDATE_CARD (user_data));
  return G_SOURCE_CONTINUE;
}

static void
update_data (CsCandidateCard *self)
{
  JsonNode *data = cs_candidate_get_data (self->candidate);
  CsCandidateStatus status = cs_candidate_get_status (self->candidate);

  if (data != NULL && JSON_NODE_HOLDS_OBJECT (data))
    {
      cs_candidate_fill_structure (self->structured_box, data, FALSE);
      gtk_stack_set_visible_child_name (self->content_stack, "structured");
    }
  else if (status == CS_CANDIDATE_QUEUED ||
           (status == CS_CANDIDATE_THINKING && self->shown_bytes == 0) ||
           (cs_candidate_status_is_final (status) && self->shown_bytes == 0))
    gtk_stack_set_visible_child_name (self->content_stack, "waiting");
  else
    gtk_stack_set_visible_child_name (self->content_stack, "stream");
}

static void
update_status (CsCandidateCard *self)
{
  CsCandidateStatus status = cs_candidate_get_status (self->candidate);
  const char *css = cs_candidate_status_css_class (status);
  const char *error = cs_candidate_get_error (self->candidate);
  g_autofree char *message = NULL;
  gboolean live, retry;
  g_autofree char *badge_label = NULL;

  if (self->badge_class != NULL)
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), self->badge_class);
  self->badge_class = css;
  gtk_widget_add_css_class (GTK_WIDGET (self->status_label), css);
  gtk_label_set_text (self->status_label, cs_candidate_status_label (status));
  badge_label = g_strdup_printf (_("Status: %s"), cs_candidate_status_label (status));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->status_label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, badge_label,
                                  -1);

  live = status == CS_CANDIDATE_THINKING || status == CS_CANDIDATE_STREAMING;
  gtk_widget_set_visible (GTK_WIDGET (self->stop_button), live || status == CS_CANDIDATE_QUEUED);
  if (live && self->live_since == 0)
    self->live_since = g_get_monotonic_time ();
  else if (!live)
    self->live_since = 0;

  if (live && self->timer_id == 0)
    self->timer_id = g_timeout_add_seconds (1, timer_cb, self);
  else if (!live)
    g_clear_handle_id (&self->timer_id, g_source_remove);

  switch (status)
    {
    case CS_CANDIDATE_QUEUED:
      gtk_label_set_text (self->waiting_label, _("Waiting for a free slot…"));
      break;
    case CS_CANDIDATE_THINKING:
      gtk_label_set_text (self->waiting_label, _("Thinking…"));
      break;
    case CS_CANDIDATE_CANCELLED:
      gtk_label_set_text (self->waiting_label, _("Cancelled before it answered."));
      break;
    default:
      gtk_label_set_text (self->waiting_label, _("No answer."));
      break;
    }

  switch (status)
    {
    case CS_CANDIDATE_FAILED:
      message = g_strdup (error != NULL ? error : _("The request failed."));
      break;
    case CS_CANDIDATE_REFUSED:
      {
        const char *refusal = cs_candidate_get_refusal (self->candidate);

        if (refusal != NULL && refusal[0] != '\0')
          message = g_strdup_printf (_("The model declined to answer: %s"), refusal);
        else
          message = g_strdup (error != NULL ? error : _("The model declined to answer."));
      }
      break;
    case CS_CANDIDATE_INVALID:
      {
        const char *why = cs_candidate_get_validation_error (self->candidate);

        message = g_strdup_printf (_("The answer did not have the expected structure%s%s"),
                                   why != NULL ? ": " : ".", why != NULL ? why : "");
      }
      break;
    case CS_CANDIDATE_TRUNCATED:
      message = g_strdup (error != NULL ? error : _("The answer was cut off before it ended."));
      break;
    case CS_CANDIDATE_CANCELLED:
    case CS_CANDIDATE_QUEUED:
    case CS_CANDIDATE_THINKING:
    case CS_CANDIDATE_STREAMING:
    case CS_CANDIDATE_OK:
    default:
      message = g_strdup (error);
      break;
    }

  retry = status == CS_CANDIDATE_FAILED || status == CS_CANDIDATE_REFUSED ||
          status == CS_CANDIDATE_INVALID || status == CS_CANDIDATE_TRUNCATED;
  gtk_widget_set_visible (self->error_box, message != NULL && message[0] != '\0');
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->retry_button), retry);

  update_data (self);
  update_footer (self);
}


static void
open_full (CsCandidateCard *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWindow *window = GTK_WINDOW (cs_candidate_window_new (self->candidate));

  if (GTK_IS_WINDOW (root))
    gtk_window_set_transient_for (window, GTK_WINDOW (root));
  gtk_window_present (window);
}

static void
card_pressed_cb (GtkGestureClick *gesture,
                 int              n_press,
                 double           x,
                 double           y,
                 CsCandidateCard *self)
{
  GtkWidget *target = gtk_widget_pick (GTK_WIDGET (self), x, y, GTK_PICK_DEFAULT);

  /* leave buttons, expanders and selectable text to themselves */
  for (GtkWidget *w = target; w != NULL && w != GTK_WIDGET (self); w = gtk_widget_get_parent (w))
    if (GTK_IS_BUTTON (w) || GTK_IS_EXPANDER (w) || GTK_IS_TEXT_VIEW (w) ||
        (GTK_IS_LABEL (w) && gtk_label_get_selectable (GTK_LABEL (w))))
      return;

  if (n_press == 1)
    open_full (self);
}

CsCandidateCard *
cs_candidate_card_new (CsCandidate *candidate)
{
  CsCandidateCard *self;
  g_autofree char *provider = NULL;
  const char *model;
  const char *slash;
  const char *angle;
  g_autofree char *detail = NULL;

  g_return_val_if_fail (CS_IS_CANDIDATE (candidate), NULL);

  self = g_object_new (CS_TYPE_CANDIDATE_CARD, NULL);
  self->candidate = g_object_ref (candidate);

  model = cs_candidate_get_model (candidate);
  slash = model != NULL ? strchr (model, '/') : NULL;
  provider = cs_candidate_dup_provider (candidate);
  gtk_label_set_text (self->model_label, slash != NULL ? slash + 1 : (model ? model : ""));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->model_label), model);

  angle = cs_candidate_get_angle (candidate);
  if (angle != NULL && angle[0] != '\0')
    {
      const CsAngle *a = NULL;

      for (int m = CS_MODE_ARCHITECT; m <= CS_MODE_SUPPORT && a == NULL; m++)
        a = cs_mode_find_angle ((CsMode) m, angle);
      detail = g_strdup_printf (_("%s · angle: %s"), provider ? provider : "",
                                a != NULL && a->label != NULL ? _(a->label) : angle);
    }
  else
    detail = g_strdup (provider ? provider : "");
  gtk_label_set_text (self->detail_label, detail);

  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->retry_button),
                                          g_variant_new_string (cs_candidate_get_id (candidate)));
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->stop_button),
                                          g_variant_new_string (cs_candidate_get_id (candidate)));

  g_signal_connect_object (candidate, "appended", G_CALLBACK (appended_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (candidate, "notify::text", G_CALLBACK (resync_text), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (candidate, "notify::reasoning", G_CALLBACK (schedule_flush), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (candidate, "notify::status", G_CALLBACK (update_status), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (candidate, "notify::error", G_CALLBACK (update_status), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (candidate, "notify::data", G_CALLBACK (update_data), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (candidate, "notify::input-tokens", G_CALLBACK (schedule_footer), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (candidate, "notify::output-tokens", G_CALLBACK (schedule_footer), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (candidate, "notify::cost-usd", G_CALLBACK (schedule_footer), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (candidate, "notify::ttft-ms", G_CALLBACK (update_footer), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (candidate, "notify::duration-ms", G_CALLBACK (update_footer), self, G_CONNECT_SWAPPED);

  /* what is there already (a restored run) */
  self->reasoning_dirty = TRUE;
  resync_text (self);
  update_status (self);

  return self;
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

CsCandidate *
cs_candidate_card_get_candidate (CsCandidateCard *self)
{
  g_return_val_if_fail (CS_IS_CANDIDATE_CARD (self), NULL);

  return self->candidate;
}

void
cs_candidate_card_set_critique (CsCandidateCard *self,
                                int              score,
                                const char      *strengths,
                                const char      *weaknesses)
{
  g_autofree char *text = NULL;
  g_autofree char *tooltip = NULL;

  g_return_if_fail (CS_IS_CANDIDATE_CARD (self));

  gtk_widget_set_visible (GTK_WIDGET (self->judge_label), score >= 0);
  if (score < 0)
    return;

  text = g_strdup_printf (_("Judge: %d of 10"), score);
  gtk_label_set_text (self->judge_label, text);
  /* tooltips are markup: plain text only through the escaped form */
  tooltip = g_markup_printf_escaped ("%s\n%s\n\n%s\n%s",
                                     _("Strengths"), strengths != NULL ? strengths : "",
                                     _("Weaknesses"), weaknesses != NULL ? weaknesses : "");
  gtk_widget_set_tooltip_markup (GTK_WIDGET (self->judge_label), tooltip);
  gtk_widget_remove_css_class (GTK_WIDGET (self->judge_label), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->judge_label), "warning");
  gtk_widget_remove_css_class (GTK_WIDGET (self->judge_label), "error");
  gtk_widget_add_css_class (GTK_WIDGET (self->judge_label),
                            score >= 7 ? "success" : score >= 4 ? "warning" : "error");
}

const char *
cs_candidate_card_get_badge (CsCandidateCard *self)
{
  g_return_val_if_fail (CS_IS_CANDIDATE_CARD (self), NULL);

  return self->badge_class;
}

static void
cs_candidate_card_dispose (GObject *object)
{
  CsCandidateCard *self = CS_CANDIDATE_CARD (object);

  if (self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
      self->tick_id = 0;
    }
  g_clear_handle_id (&self->timer_id, g_source_remove);
  g_clear_handle_id (&self->footer_id, g_source_remove);

  gtk_widget_dispose_template (GTK_WIDGET (self), CS_TYPE_CANDIDATE_CARD);
  g_clear_object (&self->candidate);

  G_OBJECT_CLASS (cs_candidate_card_parent_class)->dispose (object);
}

static void
cs_candidate_card_finalize (GObject *object)
{
  CsCandidateCard *self = CS_CANDIDATE_CARD (object);

  g_string_free (self->pending_text, TRUE);
  g_string_free (self->scratch, TRUE);

  G_OBJECT_CLASS (cs_candidate_card_parent_class)->finalize (object);
}

static void
cs_candidate_card_class_init (CsCandidateCardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cs_candidate_card_dispose;
  object_class->finalize = cs_candidate_card_finalize;

  g_type_ensure (GTK_SOURCE_TYPE_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/consilium/Consilium/cs-candidate-card.ui");
  gtk_widget_class_bind_template_child (widget_class, CsCandidateCard, model_label);
  gtk_widget_class_bind_template_child (widget_class, CsCandidateCard, detail_label);
  gtk_widget_class_bind_template_child (widget_class, CsCandidateCard, status_label);
  gtk_widget_class_bind_template_child (widget_class, CsCandidateCard, stop_button);
  gtk_widget_class_bind_template_child (widget_class, CsCandidateCard, open_button);
  gtk_widget_class_bind_template_child (widget_class, CsCandidateCard, content_stack);
  gtk_widget_class_bind_template_child (widget_class, CsCandidateCard, waiting_label);
  gtk_widget_class_bind_template_child (widget_class, CsCandidateCard, text_scroller);
  gtk_widget_class_bind_template_child (widget_class, CsCandidateCard, text_view);
  gtk_widget_class_bind_template_child (widget_class, CsCandidateCard, structured_box);
  gtk_widget_class_bind_template_child (widget_class, CsCandidateCard, reasoning_expander);
  gtk_widget_class_bind_template_child (widget_class, CsCandidateCard, reasoning_label);
  gtk_widget_class_bind_template_child (widget_class, CsCandidateCard, error_box);
  gtk_widget_class_bind_template_child (widget_class, CsCandidateCard, error_label);
  gtk_widget_class_bind_template_child (widget_class, CsCandidateCard, retry_button);
  gtk_widget_class_bind_template_child (widget_class, CsCandidateCard, footer_label);
  gtk_widget_class_bind_template_child (widget_class, CsCandidateCard, judge_label);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
cs_candidate_card_init (CsCandidateCard *self)
{
  GtkGesture *click;

  self->pending_text = g_string_new (NULL);
  self->scratch = g_string_new (NULL);

  gtk_widget_init_template (GTK_WIDGET (self));

  /* read-only text: no cursor, so no bracket pair lit up around it */
  gtk_source_buffer_set_highlight_matching_brackets (GTK_SOURCE_BUFFER (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->text_view))),
                                                     FALSE);

  g_signal_connect_object (self->open_button, "clicked", G_CALLBACK (open_full), self, G_CONNECT_SWAPPED);

  click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_PRIMARY);
  g_signal_connect_object (click, "released", G_CALLBACK (card_pressed_cb), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
}
