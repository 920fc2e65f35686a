/* cs-candidate-window.c: a window with one candidate's full answer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-candidate-window"

#include "config.h"

#include <glib/gi18n.h>
#include <gtksourceview/gtksource.h>

#include "cs-candidate-view.h"
#include "cs-candidate-window.h"
#include "cs-ui-util.h"

struct _CsCandidateWindow
{
  AdwWindow       parent_instance;

  CsCandidate    *candidate;

  AdwWindowTitle *window_title;
  GtkLabel       *status_label;
  GtkLabel       *error_label;
  GtkWidget      *structure_group;
  GtkBox         *structure_box;
  GtkWidget      *reasoning_expander;
  GtkLabel       *reasoning_label;
  GtkSourceView  *text_view;
  GtkLabel       *footer_label;
};

G_DEFINE_FINAL_TYPE (CsCandidateWindow, cs_candidate_window, ADW_TYPE_WINDOW)

/* At most this much raw text, and no highlighting on very long lines
 * (GtkSourceView gives up on them with a critical). */
#define RAW_TEXT_MAX       (1024 * 1024)
#define HIGHLIGHT_LINE_MAX (8 * 1024)

static GtkSourceBuffer *
get_buffer (CsCandidateWindow *self)
{
  return GTK_SOURCE_BUFFER (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->text_view)));
}

static void
set_raw_text (CsCandidateWindow *self,
              const char        *text)
{
  GtkTextBuffer *buffer = GTK_TEXT_BUFFER (get_buffer (self));
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
    gtk_source_buffer_set_language (get_buffer (self), NULL);
  gtk_text_buffer_set_text (buffer, text != NULL ? text : "", shown);
  if (shown < len)
    {
      GtkTextIter end;

      gtk_text_buffer_get_end_iter (buffer, &end);
      gtk_text_buffer_insert (buffer, &end, _("\n… (cut: the answer is longer than 1 MB)"), -1);
    }
}

/* The first problem to say: an error, why the answer is invalid, or the
 * refusal; NULL when none. */
static const char *
problem (CsCandidate *c)
{
  const char *refusal = cs_candidate_get_refusal (c);

  if (cs_candidate_get_error (c) != NULL)
    return cs_candidate_get_error (c);
  if (cs_candidate_get_validation_error (c) != NULL)
    return cs_candidate_get_validation_error (c);
  if (refusal != NULL && refusal[0] != '\0')
    return refusal;
  return NULL;
}

static void
update (CsCandidateWindow *self)
{
  CsCandidate *c = self->candidate;
  const char *label = cs_candidate_status_label (cs_candidate_get_status (c));
  const char *error = problem (c);
  const char *reasoning = cs_candidate_get_reasoning (c);
  /* NULL unless the answer is a structured one */
  CsBlueprint *answer = cs_candidate_get_blueprint (c);
  g_autofree char *footer = cs_candidate_format_footer (c, -1);

  /* the window's title already names the angle */
  gtk_label_set_text (self->status_label, label);
  gtk_label_set_text (self->footer_label, footer);

  gtk_widget_set_visible (GTK_WIDGET (self->error_label), error != NULL);
  gtk_label_set_text (self->error_label, error ? error : "");

  gtk_widget_set_visible (self->structure_group, answer != NULL);
  if (answer != NULL)
    cs_candidate_fill_structure (self->structure_box, c, TRUE);

  set_raw_text (self, cs_candidate_get_text (c));
  gtk_widget_set_visible (self->reasoning_expander, reasoning != NULL && reasoning[0] != '\0');
  gtk_label_set_text (self->reasoning_label, reasoning ? reasoning : "");
}

/* "Kimi (Moonshot) · c2 (kimi-k2) · Pragmatic": the provider's display
 * name, never its id (the full model id stays in the tooltip) */
static void
set_titles (CsCandidateWindow *self)
{
  g_autofree char *title = cs_candidate_full_title (self->candidate);

  gtk_window_set_title (GTK_WINDOW (self), title);
  adw_window_title_set_title (self->window_title, title);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->window_title),
                               cs_candidate_get_model (self->candidate));
}

CsCandidateWindow *
cs_candidate_window_new (CsCandidate *candidate)
{
  CsCandidateWindow *self;
  GtkSourceLanguageManager *manager = gtk_source_language_manager_get_default ();
  const char *text;

  g_return_val_if_fail (CS_IS_CANDIDATE (candidate), NULL);

  self = g_object_new (CS_TYPE_CANDIDATE_WINDOW, NULL);
  self->candidate = g_object_ref (candidate);
  set_titles (self);

  text = cs_candidate_get_text (candidate);
  while (text != NULL && (*text == ' ' || *text == '\n'))
    text++;
  gtk_source_buffer_set_language (get_buffer (self),
                                  gtk_source_language_manager_get_language (manager,
                                                                            text != NULL && *text == '{' ? "json" : "markdown"));

  update (self);
  /* start on the raw answer, not on a selectable label (GTK would select it all) */
  gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->text_view));
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

  gtk_widget_dispose_template (GTK_WIDGET (self), CS_TYPE_CANDIDATE_WINDOW);
  g_clear_object (&self->candidate);

  G_OBJECT_CLASS (cs_candidate_window_parent_class)->dispose (object);
}

static void
cs_candidate_window_class_init (CsCandidateWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cs_candidate_window_dispose;

  g_type_ensure (GTK_SOURCE_TYPE_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/consilium/Consilium/cs-candidate-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CsCandidateWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, CsCandidateWindow, status_label);
  gtk_widget_class_bind_template_child (widget_class, CsCandidateWindow, error_label);
  gtk_widget_class_bind_template_child (widget_class, CsCandidateWindow, structure_group);
  gtk_widget_class_bind_template_child (widget_class, CsCandidateWindow, structure_box);
  gtk_widget_class_bind_template_child (widget_class, CsCandidateWindow, reasoning_expander);
  gtk_widget_class_bind_template_child (widget_class, CsCandidateWindow, reasoning_label);
  gtk_widget_class_bind_template_child (widget_class, CsCandidateWindow, text_view);
  gtk_widget_class_bind_template_child (widget_class, CsCandidateWindow, footer_label);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
cs_candidate_window_init (CsCandidateWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
