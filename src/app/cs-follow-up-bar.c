/* cs-follow-up-bar.c: a follow-up under a finished result
 *
 * A field for a question or a requested change, who answers it (the judge
 * revises the result, cheap and the default; or every model answers again),
 * and Ask (also Ctrl+Enter). Under a checklist, Find Next Steps starts a
 * round with the steps reported on it (cs-step-reports.h), every model
 * answering by default so that the candidates see the steps tried. Both
 * are off while the run or a round is in progress (the run page shows its
 * progress); a round that could not start says why here, one that failed
 * leaves the previous result in place and gives the text back.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-follow-up-bar"

#include "config.h"

#include <glib/gi18n.h>

#include "cs-application.h"
#include "cs-follow-up-bar.h"
#include "cs-ui-util.h"
#include "cs-step-reports.h"

struct _CsFollowUpBar
{
  GtkBox         parent_instance;

  CsRun         *run;
  CsRunManager  *manager;
  GSignalGroup  *run_signals;
  GSignalGroup  *book_signals;
  GSignalGroup  *manager_signals;
  char          *pending;      /* the text of the round started here, until it ends */
  guint          pending_round;
  gboolean       scope_defaulted;  /* the scope was set for the run's kind of result */

  GtkTextView   *text_view;
  GtkDropDown   *scope_drop;
  GtkWidget     *next_button;
  GtkLabel      *error_label;
  GtkLabel      *hint_label;
};

G_DEFINE_FINAL_TYPE (CsFollowUpBar, cs_follow_up_bar, GTK_TYPE_BOX)

static gboolean
is_checklist (CsRun *run)
{
  CsResult *result = run != NULL ? cs_run_get_result (run) : NULL;

  return result != NULL && cs_result_get_checklist (result) != NULL;
}

static gboolean
is_busy (CsFollowUpBar *self)
{
  CsRunState state = cs_run_get_state (self->run);

  return state == CS_RUN_RUNNING || state == CS_RUN_SYNTHESIZING ||
         (self->manager != NULL && cs_run_manager_is_running (self->manager, self->run));
}

static void
show_error (CsFollowUpBar *self,
            const char    *message)
{
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

/* A round started here that ended without a result gives its text back. */
static void
take_back_pending (CsFollowUpBar *self)
{
  CsRound *round;
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);

  if (self->pending_round == 0 || is_busy (self))
    return;
  round = cs_run_get_round (self->run, self->pending_round);
  if (round != NULL && cs_round_get_state (round) != CS_RUN_DONE &&
      gtk_text_buffer_get_char_count (buffer) == 0 && self->pending != NULL)
    gtk_text_buffer_set_text (buffer, self->pending, -1);
  if (round != NULL && cs_round_get_state (round) == CS_RUN_FAILED)
    show_error (self, cs_round_get_message (round) != NULL ? cs_round_get_message (round) : _("The round got no result"));
  g_clear_pointer (&self->pending, g_free);
  self->pending_round = 0;
}

static void
update (CsFollowUpBar *self)
{
  gboolean ready, checklist, resolved;

  ready = self->run != NULL && cs_run_get_result (self->run) != NULL &&
          cs_run_get_state (self->run) == CS_RUN_DONE && !is_busy (self);
  checklist = is_checklist (self->run);
  resolved = self->run != NULL && cs_run_get_resolution (self->run) != NULL;

  gtk_widget_set_visible (GTK_WIDGET (self), self->run != NULL && cs_run_get_result (self->run) != NULL);
  if (self->run == NULL)
    return;
  take_back_pending (self);
  if (!self->scope_defaulted && cs_run_get_result (self->run) != NULL)
    {
      /* next steps need every model to see the steps tried; without a
       * judge only every model can answer */
      cs_follow_up_bar_set_scope (self, checklist || cs_run_get_judge (self->run) == NULL
                                        ? CS_ROUND_SCOPE_ALL : CS_ROUND_SCOPE_JUDGE);
      self->scope_defaulted = TRUE;
    }
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "follow-up.ask", ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "follow-up.next-steps",
                                 ready && checklist && cs_step_reports_get_n (cs_step_reports_for_run (self->run)) > 0);
  gtk_widget_set_visible (self->next_button, checklist && !resolved);
  gtk_text_view_set_editable (self->text_view, ready);
  gtk_label_set_text (self->hint_label,
                      checklist ? _("Report how the steps went, then find the next steps; or ask about the checklist.")
                                : _("Ask a question about the result or request a change."));
}

static CsConfig *
get_config (CsFollowUpBar *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GApplication *app = GTK_IS_WINDOW (root) && gtk_window_get_application (GTK_WINDOW (root)) != NULL
                      ? G_APPLICATION (gtk_window_get_application (GTK_WINDOW (root)))
                      : g_application_get_default ();

  return CS_IS_APPLICATION (app) ? cs_application_get_config (CS_APPLICATION (app)) : NULL;
}

static CsRunManager *
get_manager (CsFollowUpBar *self)
{
  GApplication *app = g_application_get_default ();

  if (self->manager != NULL)
    return self->manager;
  return CS_IS_APPLICATION (app) ? cs_application_get_run_manager (CS_APPLICATION (app)) : NULL;
}

gboolean
cs_follow_up_bar_ask (CsFollowUpBar *self,
                      gboolean       next_steps)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;
  g_autofree char *text = NULL;
  g_autoptr(GPtrArray) reports = NULL;
  g_autoptr(GError) error = NULL;
  CsRunManager *manager;
  CsConfig *config;
  guint n_before;

  g_return_val_if_fail (CS_IS_FOLLOW_UP_BAR (self), FALSE);

  if (self->run == NULL || cs_run_get_result (self->run) == NULL || is_busy (self))
    {
      show_error (self, _("Wait for the run to finish first."));
      return FALSE;
    }
  buffer = gtk_text_view_get_buffer (self->text_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = g_strstrip (gtk_text_buffer_get_text (buffer, &start, &end, FALSE));
  reports = is_checklist (self->run) ? cs_step_reports_dup (cs_step_reports_for_run (self->run))
                                     : g_ptr_array_new_with_free_func ((GDestroyNotify) cs_step_report_free);
  if (next_steps && reports->len == 0)
    {
      show_error (self, _("Report how at least one step went first."));
      return FALSE;
    }
  if (!next_steps && text[0] == '\0')
    {
      show_error (self, _("Type a question or a change first."));
      return FALSE;
    }
  for (guint i = 0; i < reports->len; i++)
    if (!cs_step_report_check (g_ptr_array_index (reports, i), &error))
      {
        show_error (self, error->message);
        return FALSE;
      }

  n_before = cs_run_get_n_rounds (self->run);
  manager = get_manager (self);
  config = get_config (self);
  if (manager == NULL || config == NULL)
    {
      show_error (self, _("No providers are configured"));
      return FALSE;
    }
  if (!cs_run_manager_follow_up (manager, config, self->run, cs_follow_up_bar_get_scope (self),
                                       text, reports, &error))
    {
      g_autofree char *message = cs_error_text (error);

      show_error (self, message);
      return FALSE;
    }

  show_error (self, NULL);
  g_free (self->pending);
  self->pending = g_strdup (text);
  self->pending_round = n_before + 1;
  gtk_text_buffer_set_text (buffer, "", 0);
  cs_step_reports_clear (cs_step_reports_for_run (self->run));
  update (self);
  return TRUE;
}

static void
ask_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *param)
{
  cs_follow_up_bar_ask (CS_FOLLOW_UP_BAR (widget), FALSE);
}

static void
next_steps_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  cs_follow_up_bar_ask (CS_FOLLOW_UP_BAR (widget), TRUE);
}

GtkWidget *
cs_follow_up_bar_new (void)
{
  return g_object_new (CS_TYPE_FOLLOW_UP_BAR, NULL);
}

void
cs_follow_up_bar_set_run (CsFollowUpBar *self,
                          CsRun         *run)
{
  g_return_if_fail (CS_IS_FOLLOW_UP_BAR (self));

  if (g_set_object (&self->run, run))
    {
      g_signal_group_set_target (self->run_signals, run);
      g_signal_group_set_target (self->book_signals, run != NULL ? cs_step_reports_for_run (run) : NULL);
      gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->text_view), "", 0);
      g_clear_pointer (&self->pending, g_free);
      self->pending_round = 0;
      show_error (self, NULL);
      self->scope_defaulted = FALSE;
    }
  update (self);
}

void
cs_follow_up_bar_set_manager (CsFollowUpBar *self,
                              CsRunManager  *manager)
{
  g_return_if_fail (CS_IS_FOLLOW_UP_BAR (self));

  if (g_set_object (&self->manager, manager))
    g_signal_group_set_target (self->manager_signals, manager);
  update (self);
}

GtkTextBuffer *
cs_follow_up_bar_get_buffer (CsFollowUpBar *self)
{
  g_return_val_if_fail (CS_IS_FOLLOW_UP_BAR (self), NULL);

  return gtk_text_view_get_buffer (self->text_view);
}

CsRoundScope
cs_follow_up_bar_get_scope (CsFollowUpBar *self)
{
  g_return_val_if_fail (CS_IS_FOLLOW_UP_BAR (self), CS_ROUND_SCOPE_JUDGE);

  return gtk_drop_down_get_selected (self->scope_drop) == 1 ? CS_ROUND_SCOPE_ALL : CS_ROUND_SCOPE_JUDGE;
}

void
cs_follow_up_bar_set_scope (CsFollowUpBar *self,
                            CsRoundScope   scope)
{
  g_return_if_fail (CS_IS_FOLLOW_UP_BAR (self));

  gtk_drop_down_set_selected (self->scope_drop, scope == CS_ROUND_SCOPE_ALL ? 1 : 0);
}

const char *
cs_follow_up_bar_get_error (CsFollowUpBar *self)
{
  g_return_val_if_fail (CS_IS_FOLLOW_UP_BAR (self), NULL);

  return gtk_widget_get_visible (GTK_WIDGET (self->error_label)) ? gtk_label_get_text (self->error_label) : NULL;
}

static void
cs_follow_up_bar_dispose (GObject *object)
{
  CsFollowUpBar *self = CS_FOLLOW_UP_BAR (object);

  if (self->run_signals != NULL)
    g_signal_group_set_target (self->run_signals, NULL);
  if (self->book_signals != NULL)
    g_signal_group_set_target (self->book_signals, NULL);
  if (self->manager_signals != NULL)
    g_signal_group_set_target (self->manager_signals, NULL);
  g_clear_object (&self->manager_signals);
  g_clear_object (&self->run_signals);
  g_clear_object (&self->book_signals);
  g_clear_object (&self->run);
  g_clear_object (&self->manager);
  g_clear_pointer (&self->pending, g_free);

  G_OBJECT_CLASS (cs_follow_up_bar_parent_class)->dispose (object);
}

static void
cs_follow_up_bar_class_init (CsFollowUpBarClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = cs_follow_up_bar_dispose;
  gtk_widget_class_install_action (widget_class, "follow-up.ask", NULL, ask_action);
  gtk_widget_class_install_action (widget_class, "follow-up.next-steps", NULL, next_steps_action);
}

static GtkWidget *
make_field (CsFollowUpBar *self)
{
  GtkWidget *frame = gtk_frame_new (NULL);
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkEventController *shortcuts = gtk_shortcut_controller_new ();

  self->text_view = GTK_TEXT_VIEW (gtk_text_view_new ());
  gtk_widget_set_name (GTK_WIDGET (self->text_view), "follow-up-text");
  gtk_text_view_set_wrap_mode (self->text_view, GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_accepts_tab (self->text_view, FALSE);
  gtk_text_view_set_top_margin (self->text_view, 8);
  gtk_text_view_set_bottom_margin (self->text_view, 8);
  gtk_text_view_set_left_margin (self->text_view, 10);
  gtk_text_view_set_right_margin (self->text_view, 10);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->text_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Follow-up"), -1);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_shortcut_trigger_parse_string ("<Control>Return|<Control>KP_Enter"),
                                                          gtk_named_action_new ("follow-up.ask")));
  gtk_widget_add_controller (GTK_WIDGET (self->text_view), shortcuts);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scroller), 64);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroller), 200);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), GTK_WIDGET (self->text_view));
  gtk_frame_set_child (GTK_FRAME (frame), scroller);
  return frame;
}

/* The drop-down's choice in a label that may be cut short ("Alle Modelle
 * antw…"), so that the row fits a narrow window; its list shows each
 * choice whole. */
static void
setup_choice (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  ellipsize)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  if (ellipsize != NULL)
    gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_list_item_set_child (item, label);
}

static void
bind_choice (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             gpointer                  user_data)
{
  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)),
                      gtk_string_object_get_string (gtk_list_item_get_item (item)));
}

static GtkListItemFactory *
choice_factory (gboolean ellipsize)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (setup_choice), ellipsize ? GINT_TO_POINTER (1) : NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_choice), NULL);
  return factory;
}

static void
cs_follow_up_bar_init (CsFollowUpBar *self)
{
  static const char *scopes[] = { N_("Judge revises"), N_("All models answer again"), NULL };
  const char *translated[G_N_ELEMENTS (scopes)] = { _(scopes[0]), _(scopes[1]), NULL };
  GtkWidget *heading, *row, *buttons, *ask;

  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  gtk_box_set_spacing (GTK_BOX (self), 8);
  gtk_widget_set_name (GTK_WIDGET (self), "follow-up-bar");
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);

  heading = gtk_label_new (_("Follow-up"));
  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_widget_add_css_class (heading, "title-4");
  gtk_box_append (GTK_BOX (self), heading);
  self->hint_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->hint_label, 0);
  gtk_label_set_wrap (self->hint_label, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->hint_label), "dim-label");
  gtk_box_append (GTK_BOX (self), GTK_WIDGET (self->hint_label));
  gtk_box_append (GTK_BOX (self), make_field (self));

  /* who answers, then the buttons at the end of the line, or on the next
   * line where a narrow window has no room for both */
  row = gtk_flow_box_new ();
  gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (row), GTK_SELECTION_NONE);
  gtk_flow_box_set_min_children_per_line (GTK_FLOW_BOX (row), 1);
  gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (row), 2);
  gtk_flow_box_set_column_spacing (GTK_FLOW_BOX (row), 8);
  gtk_flow_box_set_row_spacing (GTK_FLOW_BOX (row), 8);
  gtk_widget_add_css_class (row, "follow-up-row");
  buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  gtk_widget_set_halign (buttons, GTK_ALIGN_END);
  gtk_widget_set_hexpand (buttons, TRUE);
  self->scope_drop = GTK_DROP_DOWN (gtk_drop_down_new_from_strings (translated));
  {
    g_autoptr(GtkListItemFactory) button = choice_factory (TRUE);
    g_autoptr(GtkListItemFactory) list = choice_factory (FALSE);

    gtk_drop_down_set_factory (self->scope_drop, button);
    gtk_drop_down_set_list_factory (self->scope_drop, list);
  }
  gtk_widget_set_name (GTK_WIDGET (self->scope_drop), "follow-up-scope");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->scope_drop),
                               _("Who answers: the judge revises the result (quick and cheap), or every model of the run answers again"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->scope_drop),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Who answers"), -1);
  gtk_widget_set_halign (GTK_WIDGET (self->scope_drop), GTK_ALIGN_START);
  gtk_flow_box_append (GTK_FLOW_BOX (row), GTK_WIDGET (self->scope_drop));
  self->next_button = gtk_button_new_with_mnemonic (_("_Find Next Steps"));
  gtk_widget_set_name (self->next_button, "find-next-steps");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->next_button), "follow-up.next-steps");
  gtk_widget_set_tooltip_text (self->next_button, _("Start a round with the steps you reported"));
  gtk_box_append (GTK_BOX (buttons), self->next_button);
  ask = gtk_button_new_with_mnemonic (_("_Ask"));
  gtk_widget_set_name (ask, "follow-up-ask");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (ask), "follow-up.ask");
  gtk_widget_set_tooltip_text (ask, _("Ask the follow-up (Ctrl+Enter)"));
  gtk_widget_add_css_class (ask, "suggested-action");
  gtk_box_append (GTK_BOX (buttons), ask);
  gtk_flow_box_append (GTK_FLOW_BOX (row), buttons);
  /* the flow box's own children are only a layout: focus and clicks are
   * the drop-down's and the buttons' */
  gtk_flow_box_set_activate_on_single_click (GTK_FLOW_BOX (row), FALSE);
  for (GtkWidget *child = gtk_widget_get_first_child (row); child != NULL; child = gtk_widget_get_next_sibling (child))
    gtk_widget_set_focusable (child, FALSE);
  gtk_box_append (GTK_BOX (self), row);

  self->error_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_set_name (GTK_WIDGET (self->error_label), "follow-up-error");
  gtk_label_set_xalign (self->error_label, 0);
  gtk_label_set_wrap (self->error_label, TRUE);
  gtk_label_set_selectable (self->error_label, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->error_label), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  gtk_box_append (GTK_BOX (self), GTK_WIDGET (self->error_label));

  self->run_signals = g_signal_group_new (CS_TYPE_RUN);
  g_signal_group_connect_swapped (self->run_signals, "notify::state", G_CALLBACK (update), self);
  g_signal_group_connect_swapped (self->run_signals, "notify::synthesis", G_CALLBACK (update), self);
  self->book_signals = g_signal_group_new (CS_TYPE_STEP_REPORTS);
  g_signal_group_connect_swapped (self->book_signals, "changed", G_CALLBACK (update), self);
  /* a round has ended once the manager lets go of it, after the run's state */
  self->manager_signals = g_signal_group_new (CS_TYPE_RUN_MANAGER);
  g_signal_group_connect_swapped (self->manager_signals, "notify::n-running", G_CALLBACK (update), self);
}
