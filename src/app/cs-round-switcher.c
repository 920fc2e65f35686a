/* cs-round-switcher.c: the rounds of a run, above its result
 *
 * With more than one round: "Round 2 of 3" with previous and next, and
 * what the round shown was: the follow-up asked, who answered (the judge
 * alone or every model), the steps reported with their output, and why it
 * failed. The last round is shown by default (and again whenever a round
 * starts or ends); an earlier round's result takes the place of the
 * current one (the result view is hidden meanwhile). A resolution (a step
 * that worked closed the session) stands at the top of its round.
 * Model-written text goes into plain labels, never markup.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-round-switcher"

#include "config.h"

#include <glib/gi18n.h>

#include "cs-blueprint-view.h"
#include "cs-checklist-view.h"
#include "cs-round-switcher.h"
#include "cs-ui-util.h"

struct _CsRoundSwitcher
{
  GtkBox        parent_instance;

  CsRun        *run;
  GSignalGroup *run_signals;
  GSignalGroup *rounds_signals;
  GtkWidget    *result_view;   /* not owned: a sibling */
  guint         shown;         /* 0: none */
  guint         n_rounds;      /* when last refreshed */
  gboolean      hid_result;    /* the result view is hidden for an earlier round */

  GtkWidget    *nav_box;
  GtkLabel     *round_label;
  GtkWidget    *prev_button;
  GtkWidget    *next_button;
  GtkBox       *info_box;
  GtkBox       *resolution_box;
  GtkBox       *earlier_box;
  GtkWidget    *earlier_view;
};

G_DEFINE_FINAL_TYPE (CsRoundSwitcher, cs_round_switcher, GTK_TYPE_BOX)

static const char *
outcome_text (CsStepOutcome outcome)
{
  switch (outcome)
    {
    case CS_STEP_WORKED:
      return _("worked");
    case CS_STEP_FAILED:
      return _("did not work");
    case CS_STEP_SKIPPED:
      return _("skipped");
    default:
      return "";
    }
}

static void
add_report (CsRoundSwitcher    *self,
            const CsStepReport *report)
{
  g_autofree char *line = NULL;

  if (report->title != NULL)
    /* Translators: "Step 2, “Restart php-fpm”: did not work" */
    line = g_strdup_printf (_("Step %u, “%s”: %s"), report->step, report->title, outcome_text (report->outcome));
  else
    line = g_strdup_printf (_("Step %u: %s"), report->step, outcome_text (report->outcome));
  gtk_box_append (self->info_box, cs_plain_label (line, FALSE, NULL));
  if (report->output != NULL && report->output[0] != '\0')
    {
      GtkWidget *expander = gtk_expander_new (_("Output"));
      GtkWidget *output = cs_plain_label (report->output, TRUE, "monospace", NULL);

      gtk_widget_set_name (expander, "round-step-output");
      gtk_widget_set_margin_start (output, 18);
      gtk_widget_set_margin_top (output, 4);
      gtk_expander_set_child (GTK_EXPANDER (expander), output);
      gtk_widget_set_margin_start (expander, 12);
      gtk_box_append (self->info_box, expander);
    }
}

/* What the round was: asked, by whom answered, the steps reported, and
 * how it went when it is not done. */
static void
show_info (CsRoundSwitcher *self,
           CsRound         *round,
           CsRound         *current)
{
  const char *follow_up = cs_round_get_follow_up (round);
  GPtrArray *reports = cs_round_get_step_reports (round);
  const char *message = cs_round_get_message (round);
  CsRunState state = cs_round_get_state (round);
  const char *scope = NULL;
  GtkWidget *label;

  cs_box_remove_all (self->info_box);
  switch (cs_round_get_scope (round))
    {
    case CS_ROUND_SCOPE_FIRST:
      scope = _("The first answer");
      break;
    case CS_ROUND_SCOPE_JUDGE:
      scope = _("Asked of the judge, who revises the result");
      break;
    case CS_ROUND_SCOPE_ALL:
      scope = _("Asked of every model of the run");
      break;
    }
  if (follow_up != NULL && follow_up[0] != '\0')
    {
      label = cs_plain_label (follow_up, TRUE, NULL);
      gtk_widget_set_name (label, "round-follow-up");
      gtk_box_append (self->info_box, label);
    }
  label = cs_plain_label (scope, FALSE, "dim-label", NULL);
  gtk_widget_set_name (label, "round-scope");
  gtk_box_append (self->info_box, label);
  if (reports->len > 0)
    gtk_box_append (self->info_box, cs_plain_label (_("Steps Tried"), FALSE, "caption-heading", "dim-label", NULL));
  for (guint i = 0; i < reports->len; i++)
    add_report (self, g_ptr_array_index (reports, i));

  if (state == CS_RUN_RUNNING || state == CS_RUN_SYNTHESIZING)
    label = cs_plain_label (_("This round is in progress; the result below is the previous one."), FALSE, "dim-label", NULL);
  else if (state == CS_RUN_CANCELLED)
    label = cs_plain_label (_("This round was cancelled; the result below is the previous one."), FALSE, "run-banner", NULL);
  else if (state == CS_RUN_FAILED && cs_round_get_index (round) == self->n_rounds &&
           cs_run_get_message (self->run) != NULL && current != NULL)
    {
      /* the run's message above says why */
      g_autofree char *text = g_strdup_printf (_("This round got no result; the result below is round %u’s."),
                                               cs_round_get_index (current));

      label = cs_plain_label (text, FALSE, "dim-label", NULL);
    }
  else if (state == CS_RUN_FAILED)
    {
      g_autofree char *text = g_strdup_printf (_("This round got no result: %s"),
                                               message != NULL ? message : _("unknown error"));

      label = cs_plain_label (text, TRUE, "run-banner", NULL);
    }
  else
    label = NULL;
  if (label != NULL)
    {
      gtk_widget_set_name (label, "round-state");
      gtk_box_append (self->info_box, label);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->info_box), self->n_rounds > 1);
}

static void
show_resolution (CsRoundSwitcher *self,
                 CsRound         *round)
{
  const CsResolution *resolution = round != NULL ? cs_round_get_resolution (round) : NULL;
  g_autofree char *line = NULL;
  GtkWidget *heading;

  cs_box_remove_all (self->resolution_box);
  gtk_widget_set_visible (GTK_WIDGET (self->resolution_box), resolution != NULL);
  if (resolution == NULL)
    return;

  heading = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  gtk_box_append (GTK_BOX (heading), gtk_image_new_from_icon_name ("emblem-ok-symbolic"));
  gtk_box_append (GTK_BOX (heading), cs_plain_label (_("Resolved"), FALSE, "heading", NULL));
  gtk_widget_add_css_class (heading, "success");
  gtk_box_append (self->resolution_box, heading);
  if (resolution->step_title != NULL)
    line = g_strdup_printf (_("Step %u, “%s”, worked."), resolution->step, resolution->step_title);
  else
    line = g_strdup_printf (_("Step %u worked."), resolution->step);
  gtk_box_append (self->resolution_box, cs_plain_label (line, TRUE, NULL));
  if (resolution->cause != NULL)
    {
      g_autofree char *cause = g_strdup_printf (_("Likely cause: %s"), resolution->cause);

      gtk_box_append (self->resolution_box, cs_plain_label (cause, TRUE, NULL));
    }
  if (resolution->summary != NULL)
    gtk_box_append (self->resolution_box, cs_plain_label (resolution->summary, TRUE, "dim-label", NULL));
}

/* An earlier round's result, in full, in place of the current one. */
static void
show_earlier (CsRoundSwitcher *self,
              CsRound         *round)
{
  CsResult *result = round != NULL ? cs_round_get_result (round) : NULL;

  if (self->earlier_view != NULL)
    gtk_box_remove (self->earlier_box, g_steal_pointer (&self->earlier_view));
  gtk_widget_set_visible (GTK_WIDGET (self->earlier_box), round != NULL);
  if (round == NULL)
    return;
  if (result != NULL && cs_result_get_checklist (result) != NULL)
    {
      self->earlier_view = cs_checklist_view_new (NULL, result);
      while (cs_checklist_view_build_step (CS_CHECKLIST_VIEW (self->earlier_view)))
        ;
    }
  else if (result != NULL && cs_result_get_blueprint (result) != NULL)
    {
      self->earlier_view = cs_blueprint_view_new (result);
      while (cs_blueprint_view_build_step (CS_BLUEPRINT_VIEW (self->earlier_view)))
        ;
    }
  else
    self->earlier_view = cs_plain_label (_("This round has no result."), FALSE, "dim-label", NULL);
  gtk_widget_set_name (self->earlier_view, "earlier-result");
  gtk_box_append (self->earlier_box, self->earlier_view);
}

static void
refresh (CsRoundSwitcher *self)
{
  CsRound *round, *current;
  gboolean earlier;
  g_autofree char *text = NULL;

  self->n_rounds = self->run != NULL ? cs_run_get_n_rounds (self->run) : 0;
  gtk_widget_set_visible (GTK_WIDGET (self), self->n_rounds > 1 && cs_run_get_synthesis (self->run) != NULL);
  if (self->n_rounds == 0)
    {
      self->shown = 0;
      show_earlier (self, NULL);
      return;
    }
  self->shown = CLAMP (self->shown, 1, self->n_rounds);
  round = cs_run_get_round (self->run, self->shown);
  current = cs_run_get_current_round (self->run);

  text = g_strdup_printf (_("Round %u of %u"), self->shown, self->n_rounds);
  gtk_label_set_text (self->round_label, text);
  gtk_widget_set_visible (self->nav_box, self->n_rounds > 1);
  gtk_widget_set_sensitive (self->prev_button, self->shown > 1);
  gtk_widget_set_sensitive (self->next_button, self->shown < self->n_rounds);

  show_info (self, round, current);
  /* the last round, when it is not done, shows the current result */
  earlier = round != current && self->shown < self->n_rounds;
  show_resolution (self, earlier || round == current ? round : current);
  show_earlier (self, earlier ? round : NULL);
  /* one round: only a resolution, if any */
  gtk_widget_set_visible (GTK_WIDGET (self), cs_run_get_synthesis (self->run) != NULL &&
                          (self->n_rounds > 1 || gtk_widget_get_visible (GTK_WIDGET (self->resolution_box))));
  /* touched only to show an earlier round: otherwise the result view shows
   * itself when its first part is built (a frame after the run's end) */
  if (self->result_view != NULL && earlier && !self->hid_result)
    {
      gtk_widget_set_visible (self->result_view, FALSE);
      self->hid_result = TRUE;
    }
  else if (self->result_view != NULL && !earlier && self->hid_result)
    {
      gtk_widget_set_visible (self->result_view, cs_run_get_synthesis (self->run) != NULL);
      self->hid_result = FALSE;
    }
}

/* A round started or ended: show the last. */
static void
rounds_changed_cb (CsRoundSwitcher *self)
{
  self->shown = self->run != NULL ? cs_run_get_n_rounds (self->run) : 0;
  refresh (self);
}

static void
prev_clicked_cb (CsRoundSwitcher *self)
{
  cs_round_switcher_show_round (self, self->shown > 1 ? self->shown - 1 : 1);
}

static void
next_clicked_cb (CsRoundSwitcher *self)
{
  cs_round_switcher_show_round (self, self->shown + 1);
}

GtkWidget *
cs_round_switcher_new (GtkWidget *result_view)
{
  CsRoundSwitcher *self = g_object_new (CS_TYPE_ROUND_SWITCHER, NULL);

  self->result_view = result_view;
  return GTK_WIDGET (self);
}

void
cs_round_switcher_set_run (CsRoundSwitcher *self,
                           CsRun           *run)
{
  g_return_if_fail (CS_IS_ROUND_SWITCHER (self));

  if (g_set_object (&self->run, run))
    {
      g_signal_group_set_target (self->run_signals, run);
      g_signal_group_set_target (self->rounds_signals, run != NULL ? cs_run_get_rounds (run) : NULL);
    }
  rounds_changed_cb (self);
}

guint
cs_round_switcher_get_shown (CsRoundSwitcher *self)
{
  g_return_val_if_fail (CS_IS_ROUND_SWITCHER (self), 0);

  return self->shown;
}

void
cs_round_switcher_show_round (CsRoundSwitcher *self,
                              guint            index)
{
  g_return_if_fail (CS_IS_ROUND_SWITCHER (self));

  self->shown = index;
  refresh (self);
}

GtkWidget *
cs_round_switcher_get_earlier_view (CsRoundSwitcher *self)
{
  g_return_val_if_fail (CS_IS_ROUND_SWITCHER (self), NULL);

  return self->earlier_view;
}

static GtkWidget *
nav_button (const char *icon,
            const char *tooltip)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip, -1);
  return button;
}

static void
cs_round_switcher_dispose (GObject *object)
{
  CsRoundSwitcher *self = CS_ROUND_SWITCHER (object);

  if (self->run_signals != NULL)
    g_signal_group_set_target (self->run_signals, NULL);
  if (self->rounds_signals != NULL)
    g_signal_group_set_target (self->rounds_signals, NULL);
  g_clear_object (&self->run_signals);
  g_clear_object (&self->rounds_signals);
  g_clear_object (&self->run);
  self->result_view = NULL;

  G_OBJECT_CLASS (cs_round_switcher_parent_class)->dispose (object);
}

static void
cs_round_switcher_class_init (CsRoundSwitcherClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = cs_round_switcher_dispose;
}

static void
cs_round_switcher_init (CsRoundSwitcher *self)
{
  GtkWidget *linked;

  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  gtk_box_set_spacing (GTK_BOX (self), 12);
  gtk_widget_set_name (GTK_WIDGET (self), "round-switcher");
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);

  self->resolution_box = GTK_BOX (gtk_box_new (GTK_ORIENTATION_VERTICAL, 6));
  gtk_widget_set_name (GTK_WIDGET (self->resolution_box), "resolution");
  gtk_widget_add_css_class (GTK_WIDGET (self->resolution_box), "resolution");
  gtk_widget_set_visible (GTK_WIDGET (self->resolution_box), FALSE);
  gtk_box_append (GTK_BOX (self), GTK_WIDGET (self->resolution_box));

  self->nav_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  self->round_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_set_name (GTK_WIDGET (self->round_label), "round-label");
  gtk_widget_add_css_class (GTK_WIDGET (self->round_label), "title-4");
  gtk_label_set_xalign (self->round_label, 0);
  gtk_widget_set_hexpand (GTK_WIDGET (self->round_label), TRUE);
  linked = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  gtk_widget_add_css_class (linked, "linked");
  gtk_widget_set_valign (linked, GTK_ALIGN_CENTER);
  self->prev_button = nav_button ("go-previous-symbolic", _("Previous Round"));
  self->next_button = nav_button ("go-next-symbolic", _("Next Round"));
  gtk_widget_set_name (self->prev_button, "round-previous");
  gtk_widget_set_name (self->next_button, "round-next");
  g_signal_connect_swapped (self->prev_button, "clicked", G_CALLBACK (prev_clicked_cb), self);
  g_signal_connect_swapped (self->next_button, "clicked", G_CALLBACK (next_clicked_cb), self);
  gtk_box_append (GTK_BOX (linked), self->prev_button);
  gtk_box_append (GTK_BOX (linked), self->next_button);
  gtk_box_append (GTK_BOX (self->nav_box), GTK_WIDGET (self->round_label));
  gtk_box_append (GTK_BOX (self->nav_box), linked);
  gtk_box_append (GTK_BOX (self), self->nav_box);

  self->info_box = GTK_BOX (gtk_box_new (GTK_ORIENTATION_VERTICAL, 4));
  gtk_widget_set_name (GTK_WIDGET (self->info_box), "round-info");
  gtk_box_append (GTK_BOX (self), GTK_WIDGET (self->info_box));

  self->earlier_box = GTK_BOX (gtk_box_new (GTK_ORIENTATION_VERTICAL, 0));
  gtk_widget_set_visible (GTK_WIDGET (self->earlier_box), FALSE);
  gtk_box_append (GTK_BOX (self), GTK_WIDGET (self->earlier_box));

  self->run_signals = g_signal_group_new (CS_TYPE_RUN);
  g_signal_group_connect_swapped (self->run_signals, "notify::synthesis", G_CALLBACK (rounds_changed_cb), self);
  g_signal_group_connect_swapped (self->run_signals, "notify::state", G_CALLBACK (rounds_changed_cb), self);
  self->rounds_signals = g_signal_group_new (G_TYPE_LIST_MODEL);
  g_signal_group_connect_swapped (self->rounds_signals, "items-changed", G_CALLBACK (rounds_changed_cb), self);
}
