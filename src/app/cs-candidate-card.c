/* cs-candidate-card.c: one candidate answer as a card, live while it streams
 *
 * The card's badge, footer, structured answer and problem; the streamed
 * text is cs-candidate-card-stream.c's. The footer's live figures (tokens,
 * cost, elapsed) change at most four times a second.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-candidate-card"

#include "config.h"

#include <glib/gi18n.h>

#include "cs-candidate-card-private.h"
#include "cs-candidate-card-footer.h"
#include "cs-candidate-view.h"
#include "cs-candidate-window.h"
#include "cs-vertical-viewport.h"
#include "cs-ui-util.h"

G_DEFINE_FINAL_TYPE (CsCandidateCard, cs_candidate_card, GTK_TYPE_BOX)

/* Live figures in the footer change at most this often. */
#define FOOTER_INTERVAL_MS 250

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
  /* NULL unless the answer is a structured one */
  CsBlueprint *answer = cs_candidate_get_blueprint (self->candidate);
  CsCandidateStatus status = cs_candidate_get_status (self->candidate);

  if (answer != NULL)
    {
      cs_candidate_fill_structure (self->structured_box, self->candidate, FALSE);
      gtk_stack_set_visible_child_name (self->content_stack, "structured");
    }
  else if (status == CS_CANDIDATE_QUEUED ||
           (status == CS_CANDIDATE_THINKING && self->shown_bytes == 0) ||
           (cs_candidate_status_is_final (status) && self->shown_bytes == 0))
    gtk_stack_set_visible_child_name (self->content_stack, "waiting");
  else
    gtk_stack_set_visible_child_name (self->content_stack, "stream");

  /* Raw: the text as it came, whatever the answer is */
  if (gtk_toggle_button_get_active (self->raw_button) && self->shown_bytes > 0)
    gtk_stack_set_visible_child_name (self->content_stack, "raw");
}

static void
raw_toggled_cb (CsCandidateCard *self)
{
  _cs_candidate_card_raw_toggled (self);
  update_data (self);
}

static void
update_badge (CsCandidateCard   *self,
              CsCandidateStatus  status)
{
  const char *css = cs_candidate_status_css_class (status);
  g_autofree char *badge_label = g_strdup_printf (_("Status: %s"), cs_candidate_status_label (status));

  if (self->badge_class != NULL)
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), self->badge_class);
  self->badge_class = css;
  gtk_widget_add_css_class (GTK_WIDGET (self->status_label), css);
  gtk_label_set_text (self->status_label, cs_candidate_status_label (status));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->status_label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, badge_label,
                                  -1);
}

/* The stop button and the elapsed-time timer, while the answer is live. */
static void
update_live (CsCandidateCard   *self,
             CsCandidateStatus  status)
{
  gboolean live = status == CS_CANDIDATE_THINKING || status == CS_CANDIDATE_STREAMING;

  gtk_widget_set_visible (GTK_WIDGET (self->stop_button), live || status == CS_CANDIDATE_QUEUED);
  if (live && self->live_since == 0)
    self->live_since = g_get_monotonic_time ();
  else if (!live)
    self->live_since = 0;

  if (live && self->timer_id == 0)
    self->timer_id = g_timeout_add_seconds (1, timer_cb, self);
  else if (!live)
    g_clear_handle_id (&self->timer_id, g_source_remove);
}

static const char *
waiting_text (CsCandidateStatus status)
{
  switch (status)
    {
    case CS_CANDIDATE_QUEUED: return _("Waiting for a free slot…");
    case CS_CANDIDATE_THINKING: return _("Thinking…");
    case CS_CANDIDATE_CANCELLED: return _("Cancelled before it answered.");
    default: return _("No answer.");
    }
}

/* What went wrong, in a sentence, or NULL. */
static char *
problem_text (CsCandidate       *candidate,
              CsCandidateStatus  status)
{
  const char *error = cs_candidate_get_error (candidate);
  const char *refusal = cs_candidate_get_refusal (candidate);
  const char *why = cs_candidate_get_validation_error (candidate);

  switch (status)
    {
    case CS_CANDIDATE_FAILED:
      return g_strdup (error != NULL ? error : _("The request failed."));
    case CS_CANDIDATE_REFUSED:
      if (refusal != NULL && refusal[0] != '\0')
        return g_strdup_printf (_("The model declined to answer: %s"), refusal);
      return g_strdup (error != NULL ? error : _("The model declined to answer."));
    case CS_CANDIDATE_INVALID:
      return g_strdup_printf (_("The answer did not have the expected structure%s%s"),
                              why != NULL ? ": " : ".", why != NULL ? why : "");
    case CS_CANDIDATE_TRUNCATED:
      return g_strdup (error != NULL ? error : _("The answer was cut off before it ended."));
    case CS_CANDIDATE_CANCELLED:
    case CS_CANDIDATE_QUEUED:
    case CS_CANDIDATE_THINKING:
    case CS_CANDIDATE_STREAMING:
    case CS_CANDIDATE_OK:
    default:
      return g_strdup (error);
    }
}

static void
update_status (CsCandidateCard *self)
{
  CsCandidateStatus status = cs_candidate_get_status (self->candidate);
  g_autofree char *message = problem_text (self->candidate, status);
  gboolean retry = cs_candidate_status_can_retry (status);

  update_badge (self, status);
  update_live (self, status);
  gtk_label_set_text (self->waiting_label, waiting_text (status));

  gtk_widget_set_visible (self->error_box, message != NULL && message[0] != '\0');
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->retry_button), retry);

  update_data (self);
  update_footer (self);
  /* the layout waits no longer once the answer ended */
  if (self->pending_text->len > 0)
    _cs_candidate_card_schedule_flush (self);
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
  g_autofree char *detail = NULL;
  g_autofree char *title = NULL;
  const char *model, *angle;

  g_return_val_if_fail (CS_IS_CANDIDATE (candidate), NULL);

  self = g_object_new (CS_TYPE_CANDIDATE_CARD, NULL);
  self->candidate = g_object_ref (candidate);

  model = cs_candidate_get_model (candidate);
  title = cs_candidate_short_title (candidate);
  provider = cs_candidate_provider_title (candidate);
  gtk_label_set_text (self->model_label, title);
  /* hidden meanwhile: a tooltip set on a visible widget makes GTK ask
   * where the pointer is (on X11 a round trip to the server) */
  gtk_widget_set_visible (GTK_WIDGET (self->model_label), FALSE);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->model_label), model);
  gtk_widget_set_visible (GTK_WIDGET (self->model_label), TRUE);

  angle = cs_candidate_angle_label (candidate);
  if (angle != NULL)
    detail = g_strdup_printf (_("%s · angle: %s"), provider ? provider : "", angle);
  gtk_label_set_text (self->detail_label, detail != NULL ? detail : provider ? provider : "");

  gtk_box_insert_child_after (GTK_BOX (self), cs_setup_button_new (candidate), self->error_box);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->retry_button),
                                          g_variant_new_string (cs_candidate_get_id (candidate)));
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->stop_button),
                                          g_variant_new_string (cs_candidate_get_id (candidate)));

  g_signal_connect_object (candidate, "notify::status", G_CALLBACK (update_status), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (candidate, "notify::error", G_CALLBACK (update_status), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (candidate, "notify::data", G_CALLBACK (update_data), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (candidate, "notify::input-tokens", G_CALLBACK (schedule_footer), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (candidate, "notify::output-tokens", G_CALLBACK (schedule_footer), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (candidate, "notify::cost-usd", G_CALLBACK (schedule_footer), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (candidate, "notify::ttft-ms", G_CALLBACK (update_footer), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (candidate, "notify::duration-ms", G_CALLBACK (update_footer), self, G_CONNECT_SWAPPED);

  /* what is there already (a restored run) */
  _cs_candidate_card_follow_stream (self);
  update_status (self);

  return self;
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
  g_clear_handle_id (&self->outline_id, g_source_remove);

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

  g_type_ensure (CS_TYPE_CANDIDATE_CARD_FOOTER);
  g_type_ensure (CS_TYPE_CANDIDATE_OUTLINE);
  g_type_ensure (CS_TYPE_VERTICAL_VIEWPORT);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/consilium/Consilium/cs-candidate-card.ui");
  gtk_widget_class_bind_template_child (widget_class, CsCandidateCard, model_label);
  gtk_widget_class_bind_template_child (widget_class, CsCandidateCard, detail_label);
  gtk_widget_class_bind_template_child (widget_class, CsCandidateCard, status_label);
  gtk_widget_class_bind_template_child (widget_class, CsCandidateCard, stop_button);
  gtk_widget_class_bind_template_child (widget_class, CsCandidateCard, open_button);
  gtk_widget_class_bind_template_child (widget_class, CsCandidateCard, raw_button);
  gtk_widget_class_bind_template_child (widget_class, CsCandidateCard, outline);
  gtk_widget_class_bind_template_child (widget_class, CsCandidateCard, content_stack);
  gtk_widget_class_bind_template_child (widget_class, CsCandidateCard, waiting_label);
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

  g_signal_connect_object (self->open_button, "clicked", G_CALLBACK (open_full), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->raw_button, "toggled", G_CALLBACK (raw_toggled_cb), self, G_CONNECT_SWAPPED);

  click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_PRIMARY);
  g_signal_connect_object (click, "released", G_CALLBACK (card_pressed_cb), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
}
