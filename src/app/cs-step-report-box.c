/* cs-step-report-box.c: Worked / Did not work / Skipped and the output, under a step
 *
 * Three toggles (one at most active; activating the active one again
 * withdraws the report) and an expander with the output the person saw,
 * pasted verbatim. An output larger than a step keeps is refused with the
 * engine's message (cs_step_report_check ()) and not reported.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-step-report-box"

#include "config.h"

#include <glib/gi18n.h>

#include "cs-step-report-box.h"
#include "cs-wrap-layout.h"
#include "cs-step-reports.h"

struct _CsStepReportBox
{
  GtkBox          parent_instance;

  CsStepReports  *book;
  guint           step;
  GtkToggleButton *toggles[3];   /* by CsStepOutcome */
  GtkTextView    *output_view;
  GtkLabel       *error_label;
  gboolean        syncing;
};

G_DEFINE_FINAL_TYPE (CsStepReportBox, cs_step_report_box, GTK_TYPE_BOX)

static void
toggled_cb (GtkToggleButton *toggle,
            CsStepReportBox *self)
{
  int outcome = -1;

  if (self->syncing)
    return;
  self->syncing = TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (self->toggles); i++)
    {
      if (self->toggles[i] == toggle && gtk_toggle_button_get_active (toggle))
        outcome = (int) i;
      else if (self->toggles[i] != toggle)
        gtk_toggle_button_set_active (self->toggles[i], FALSE);
    }
  self->syncing = FALSE;
  cs_step_reports_set_outcome (self->book, self->step, outcome);
}

static void
output_changed_cb (GtkTextBuffer   *buffer,
                   CsStepReportBox *self)
{
  g_autoptr(CsStepReport) report = NULL;
  g_autoptr(GError) error = NULL;
  GtkTextIter start, end;
  g_autofree char *text = NULL;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  report = cs_step_report_new (self->step, CS_STEP_FAILED, text);
  if (!cs_step_report_check (report, &error))
    {
      gtk_label_set_text (self->error_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
      cs_step_reports_set_output (self->book, self->step, NULL);
      return;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  cs_step_reports_set_output (self->book, self->step, text);
}

static GtkWidget *
make_output (CsStepReportBox *self)
{
  GtkWidget *expander = gtk_expander_new (_("Output"));
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *frame = gtk_frame_new (NULL);
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *hint = gtk_label_new (_("Paste what the step printed: it is kept as it is."));

  gtk_widget_set_name (expander, "step-output-expander");
  gtk_widget_set_tooltip_text (expander, _("What you saw when you tried the step"));
  gtk_label_set_xalign (GTK_LABEL (hint), 0);
  gtk_label_set_wrap (GTK_LABEL (hint), TRUE);
  gtk_widget_add_css_class (hint, "dim-label");
  gtk_widget_add_css_class (hint, "caption");
  self->output_view = GTK_TEXT_VIEW (gtk_text_view_new ());
  gtk_widget_set_name (GTK_WIDGET (self->output_view), "step-output");
  gtk_text_view_set_monospace (self->output_view, TRUE);
  gtk_text_view_set_wrap_mode (self->output_view, GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_top_margin (self->output_view, 6);
  gtk_text_view_set_bottom_margin (self->output_view, 6);
  gtk_text_view_set_left_margin (self->output_view, 8);
  gtk_text_view_set_right_margin (self->output_view, 8);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->output_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Output"), -1);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scroller), 72);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroller), 240);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), GTK_WIDGET (self->output_view));
  gtk_frame_set_child (GTK_FRAME (frame), scroller);

  self->error_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_set_name (GTK_WIDGET (self->error_label), "step-output-error");
  gtk_label_set_xalign (self->error_label, 0);
  gtk_label_set_wrap (self->error_label, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->error_label), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);

  gtk_widget_set_margin_top (box, 6);
  gtk_box_append (GTK_BOX (box), hint);
  gtk_box_append (GTK_BOX (box), frame);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->error_label));
  gtk_expander_set_child (GTK_EXPANDER (expander), box);
  return expander;
}

GtkWidget *
cs_step_report_box_new (CsRun *run,
                        guint  step)
{
  static const struct { const char *label; const char *name; } outcomes[] = {
    [CS_STEP_WORKED] = { N_("Worked"), "step-worked" },
    [CS_STEP_FAILED] = { N_("Did Not Work"), "step-failed" },
    [CS_STEP_SKIPPED] = { N_("Skipped"), "step-skipped" },
  };
  CsStepReportBox *self;
  GtkWidget *row, *linked;
  const char *output;
  int outcome;

  g_return_val_if_fail (CS_IS_RUN (run), NULL);
  g_return_val_if_fail (step > 0, NULL);

  self = g_object_new (CS_TYPE_STEP_REPORT_BOX, "orientation", GTK_ORIENTATION_VERTICAL, "spacing", 4, NULL);
  self->book = g_object_ref (cs_step_reports_for_run (run));
  self->step = step;
  gtk_widget_add_css_class (GTK_WIDGET (self), "step-report");

  row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  linked = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  /* in a narrow window (German's longer words) the outcomes wrap rather
   * than widen the page past the window */
  gtk_widget_set_layout_manager (linked, cs_wrap_layout_new (0));
  gtk_widget_add_css_class (linked, "linked");
  outcome = cs_step_reports_get_outcome (self->book, step);
  for (guint i = 0; i < G_N_ELEMENTS (outcomes); i++)
    {
      GtkWidget *toggle = gtk_toggle_button_new_with_label (_(outcomes[i].label));

      gtk_widget_set_name (toggle, outcomes[i].name);
      gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (toggle), (int) i == outcome);
      g_signal_connect (toggle, "toggled", G_CALLBACK (toggled_cb), self);
      self->toggles[i] = GTK_TOGGLE_BUTTON (toggle);
      gtk_box_append (GTK_BOX (linked), toggle);
    }
  gtk_box_append (GTK_BOX (row), linked);
  gtk_box_append (GTK_BOX (self), row);
  gtk_box_append (GTK_BOX (self), make_output (self));

  output = cs_step_reports_get_output (self->book, step);
  if (output != NULL)
    gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->output_view), output, -1);
  g_signal_connect (gtk_text_view_get_buffer (self->output_view), "changed", G_CALLBACK (output_changed_cb), self);
  return GTK_WIDGET (self);
}

static void
cs_step_report_box_dispose (GObject *object)
{
  CsStepReportBox *self = CS_STEP_REPORT_BOX (object);

  if (self->output_view != NULL)
    g_signal_handlers_disconnect_by_data (gtk_text_view_get_buffer (self->output_view), self);
  self->output_view = NULL;
  g_clear_object (&self->book);

  G_OBJECT_CLASS (cs_step_report_box_parent_class)->dispose (object);
}

static void
cs_step_report_box_class_init (CsStepReportBoxClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = cs_step_report_box_dispose;
}

static void
cs_step_report_box_init (CsStepReportBox *self)
{
}
