/* cs-candidate-window.c: a window with one candidate's full answer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-candidate-window"

#include "config.h"

#include <glib/gi18n.h>
#include <gtksourceview/gtksource.h>

#include "cs-candidate-card.h"
#include "cs-candidate-window.h"
#include "cs-ui-util.h"

struct _CsCandidateWindow
{
  AdwWindow    parent_instance;

  CsCandidate *candidate;
  GtkBox      *structure_box;
  GtkLabel    *status_label;
  GtkLabel    *footer_label;
  GtkLabel    *error_label;
  GtkTextBuffer *text_buffer;
  GtkLabel    *reasoning_label;
  GtkWidget   *reasoning_expander;
  GtkWidget   *structure_group;
};

G_DEFINE_FINAL_TYPE (CsCandidateWindow, cs_candidate_window, ADW_TYPE_WINDOW)

/* At most this much raw text, and no highlighting on very long lines
 * (GtkSourceView gives up on them with a critical). */
#define RAW_TEXT_MAX       (1024 * 1024)
#define HIGHLIGHT_LINE_MAX (8 * 1024)

static void
set_raw_text (CsCandidateWindow *self,
              const char        *text)
{
  gsize len = text != NULL ? strlen (text) : 0;
  gsize shown = MIN (len, RAW_TEXT_MAX);
  gsize line = 0, longest = 0;

  while (shown > 0 && shown < len && (text[shown] & 0xC0) == 0x80)
    shown--;
  for (gsize i = 0; i < shown; i++)
    {
      line = text[i] == '\n' ? 0 : line + 1;
      longest = MAX (longest, line);
    }

  if (longest > HIGHLIGHT_LINE_MAX)
    gtk_source_buffer_set_language (GTK_SOURCE_BUFFER (self->text_buffer), NULL);
  gtk_text_buffer_set_text (self->text_buffer, text != NULL ? text : "", shown);
  if (shown < len)
    {
      GtkTextIter end;

      gtk_text_buffer_get_end_iter (self->text_buffer, &end);
      gtk_text_buffer_insert (self->text_buffer, &end, _("\n… (cut: the answer is longer than 1 MB)"), -1);
    }
}

static void
update (CsCandidateWindow *self)
{
  CsCandidate *c = self->candidate;
  g_autofree char *footer = cs_candidate_format_footer (c, -1);
  g_autofree char *status = NULL;
  const char *error = cs_candidate_get_error (c);
  const char *why = cs_candidate_get_validation_error (c);
  const char *reasoning = cs_candidate_get_reasoning (c);
  const char *text = cs_candidate_get_text (c);
  JsonNode *data = cs_candidate_get_data (c);

  {
    const char *angle = cs_candidate_get_angle (c);
    const CsAngle *a = NULL;

    for (int m = CS_MODE_ARCHITECT; angle != NULL && m <= CS_MODE_SUPPORT && a == NULL; m++)
      a = cs_mode_find_angle ((CsMode) m, angle);
    if (angle != NULL)
      status = g_strdup_printf (_("%s · angle: %s"), cs_candidate_status_label (cs_candidate_get_status (c)),
                                a != NULL && a->label != NULL ? _(a->label) : angle);
    else
      status = g_strdup (cs_candidate_status_label (cs_candidate_get_status (c)));
  }
  gtk_label_set_text (self->status_label, status);
  gtk_label_set_text (self->footer_label, footer);

  if (error == NULL && why != NULL)
    error = why;
  if (error == NULL && cs_candidate_get_refusal (c) != NULL && cs_candidate_get_refusal (c)[0])
    error = cs_candidate_get_refusal (c);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), error != NULL);
  gtk_label_set_text (self->error_label, error ? error : "");

  gtk_widget_set_visible (self->structure_group, data != NULL && JSON_NODE_HOLDS_OBJECT (data));
  if (data != NULL)
    cs_candidate_fill_structure (self->structure_box, data, TRUE);

  set_raw_text (self, text);
  gtk_widget_set_visible (self->reasoning_expander, reasoning != NULL && reasoning[0] != '\0');
  gtk_label_set_text (self->reasoning_label, reasoning ? reasoning : "");
}

static GtkWidget *
section (GtkBox     *parent,
         const char *title)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);

  gtk_box_append (GTK_BOX (box), cs_plain_label (title, FALSE, "heading", NULL));
  gtk_box_append (parent, box);
  return box;
}

CsCandidateWindow *
cs_candidate_window_new (CsCandidate *candidate)
{
  CsCandidateWindow *self;
  GtkWidget *toolbar, *header, *scroller, *clamp, *box, *sec, *view, *frame, *title;
  GtkSourceLanguageManager *manager = gtk_source_language_manager_get_default ();
  const char *text;

  g_return_val_if_fail (CS_IS_CANDIDATE (candidate), NULL);

  self = g_object_new (CS_TYPE_CANDIDATE_WINDOW,
                       "default-width", 760,
                       "default-height", 720,
                       NULL);
  self->candidate = g_object_ref (candidate);
  gtk_window_set_title (GTK_WINDOW (self), cs_candidate_get_model (candidate));

  toolbar = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  header = adw_header_bar_new ();
  title = adw_window_title_new (cs_candidate_get_model (candidate), NULL);
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), title);
  gtk_box_append (GTK_BOX (toolbar), header);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);
  gtk_widget_set_margin_top (box, 18);
  gtk_widget_set_margin_bottom (box, 18);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);

  self->status_label = GTK_LABEL (cs_plain_label (NULL, FALSE, "dim-label", NULL));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->status_label));
  self->error_label = GTK_LABEL (cs_plain_label (NULL, TRUE, "error", NULL));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->error_label));

  self->structure_group = section (GTK_BOX (box), _("Structured answer"));
  self->structure_box = GTK_BOX (gtk_box_new (GTK_ORIENTATION_VERTICAL, 6));
  gtk_box_append (GTK_BOX (self->structure_group), GTK_WIDGET (self->structure_box));

  self->reasoning_expander = gtk_expander_new (_("Reasoning"));
  self->reasoning_label = GTK_LABEL (cs_plain_label (NULL, TRUE, "dim-label", NULL));
  gtk_expander_set_child (GTK_EXPANDER (self->reasoning_expander), GTK_WIDGET (self->reasoning_label));
  gtk_box_append (GTK_BOX (box), self->reasoning_expander);

  sec = section (GTK_BOX (box), _("Raw answer"));
  self->text_buffer = GTK_TEXT_BUFFER (gtk_source_buffer_new (NULL));
  text = cs_candidate_get_text (candidate);
  while (text != NULL && (*text == ' ' || *text == '\n'))
    text++;
  gtk_source_buffer_set_language (GTK_SOURCE_BUFFER (self->text_buffer),
                                  gtk_source_language_manager_get_language (manager,
                                                                            text != NULL && *text == '{' ? "json" : "markdown"));
  view = gtk_source_view_new_with_buffer (GTK_SOURCE_BUFFER (self->text_buffer));
  gtk_text_view_set_editable (GTK_TEXT_VIEW (view), FALSE);
  gtk_text_view_set_monospace (GTK_TEXT_VIEW (view), TRUE);
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 12);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), 12);
  gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (view), 12);
  gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Raw answer"), -1);
  frame = gtk_frame_new (NULL);
  gtk_frame_set_child (GTK_FRAME (frame), view);
  gtk_box_append (GTK_BOX (sec), frame);

  self->footer_label = GTK_LABEL (cs_plain_label (NULL, FALSE, "dim-label", "caption", NULL));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->footer_label));

  clamp = adw_clamp_new ();
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 900);
  adw_clamp_set_child (ADW_CLAMP (clamp), box);
  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scroller, TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), clamp);
  gtk_box_append (GTK_BOX (toolbar), scroller);
  adw_window_set_content (ADW_WINDOW (self), toolbar);

  update (self);
  /* start on the raw answer, not on a selectable label (GTK would select it all) */
  gtk_window_set_focus (GTK_WINDOW (self), view);
  g_signal_connect_object (candidate, "notify::status", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (candidate, "notify::data", G_CALLBACK (update), self, G_CONNECT_SWAPPED);

  return self;
}

CsCandidate *
cs_candidate_window_get_candidate (CsCandidateWindow *self)
{
  g_return_val_if_fail (CS_IS_CANDIDATE_WINDOW (self), NULL);

  return self->candidate;
}

static void
cs_candidate_window_dispose (GObject *object)
{
  CsCandidateWindow *self = CS_CANDIDATE_WINDOW (object);

  g_clear_object (&self->candidate);
  g_clear_object (&self->text_buffer);

  G_OBJECT_CLASS (cs_candidate_window_parent_class)->dispose (object);
}

static void
cs_candidate_window_class_init (CsCandidateWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cs_candidate_window_dispose;
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
cs_candidate_window_init (CsCandidateWindow *self)
{
}
