/* cs-checklist-view.c: a synthesized checklist, steps to tick
 *
 * The summary, the likely causes and the steps (ticked steps are saved
 * with the run), what to try if that did not work, when to escalate and
 * why this order, added a part at a time by cs_checklist_view_build_step ()
 * (the result view calls it a few times a frame).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-result-view"

#include "config.h"

#include <glib/gi18n.h>

#include "cs-checklist-view.h"
#include "cs-result-parts.h"
#include "cs-origin-chips.h"
#include "cs-step-report-box.h"
#include "cs-step-row.h"
#include "cs-ui-util.h"

struct _CsChecklistView
{
  GtkBox      parent_instance;

  CsRun      *run;
  CsResult   *result;
  guint       stage;           /* the next step: the summary, a step, an alternative, ... */
  guint       item;            /* the next item of that stage */
  GPtrArray  *checks;          /* of GtkCheckButton, in step order */

  GtkLabel   *summary_label;
  GtkWidget  *causes_heading;
  GtkLabel   *causes_label;
  GtkListBox *steps_list;
  GtkWidget  *alternatives_expander;
  GtkListBox *alternatives_list;
};

G_DEFINE_FINAL_TYPE (CsChecklistView, cs_checklist_view, GTK_TYPE_BOX)

static void
step_toggled_cb (GtkCheckButton  *check,
                 CsChecklistView *self)
{
  guint index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (check), "cs-step"));
  gboolean active = gtk_check_button_get_active (check);

  if (self->run != NULL && cs_run_get_step_checked (self->run, index) != active)
    cs_run_set_step_checked (self->run, index, active);
}

/* A line per cause (with who proposed it), after the causes' label. */
static void
show_causes (CsChecklistView *self,
             GPtrArray       *causes)
{
  GtkWidget *previous = GTK_WIDGET (self->causes_label);

  for (guint i = 0; i < MIN (causes->len, CS_RESULT_MAX_ITEMS); i++)
    {
      const CsCause *c = g_ptr_array_index (causes, i);
      g_autofree char *text = NULL;
      GtkWidget *line;

      if (c->cause == NULL)
        continue;
      text = g_strdup_printf ("• %s (%s)", c->cause, c->likelihood ? cs_result_likelihood_text (c->likelihood) : "?");
      line = cs_origin_chips_line (cs_plain_label (text, TRUE, NULL), &c->item.origin);
      gtk_box_insert_child_after (GTK_BOX (gtk_widget_get_parent (previous)), line, previous);
      previous = line;
    }
  gtk_widget_set_visible (self->causes_heading, TRUE);
}

static void
add_step (CsChecklistView *self,
          guint            i,
          const CsStep    *step)
{
  g_autofree char *prefix = g_strdup_printf ("%u. ", i + 1);
  g_autofree char *support = cs_result_support_text (&step->item, CS_SUPPORT_STEP);
  CsStepRow *row = cs_step_row_new (step, prefix, support);
  GtkCheckButton *check;

  check = cs_step_row_add_check (row, self->run != NULL && cs_run_get_step_checked (self->run, i));
  g_object_set_data (G_OBJECT (check), "cs-step", GUINT_TO_POINTER (i));
  g_signal_connect_object (check, "toggled", G_CALLBACK (step_toggled_cb), self, 0);
  g_ptr_array_add (self->checks, check);
  if (self->run != NULL)
    cs_step_row_add_report (row, cs_step_report_box_new (self->run, i + 1));
  gtk_list_box_append (self->steps_list, GTK_WIDGET (row));
  gtk_widget_set_visible (GTK_WIDGET (self->steps_list), TRUE);
}

/* An alternative drawn as a step (its own fields, whatever its kind). */
static void
add_alternative (CsChecklistView     *self,
                 const CsAlternative *alt)
{
  CsStep step = {
    .item = alt->item,
    .title = alt->title, .action = alt->action, .command = alt->command,
    .expected = alt->expected, .if_fails = alt->if_fails, .risk = alt->risk,
    .has_effort = alt->has_effort, .effort_minutes = alt->effort_minutes,
  };
  g_autofree char *prefix = alt->after_step >= 0 ? g_strdup_printf (_("After step %d: "), alt->after_step + 1)
                                                 : g_strdup ("");
  g_autofree char *support = cs_result_support_text (&alt->item, CS_SUPPORT_STEP);

  gtk_widget_set_visible (self->alternatives_expander, TRUE);
  if (alt->title != NULL)
    gtk_list_box_append (self->alternatives_list, GTK_WIDGET (cs_step_row_new (&step, prefix, support)));
}

static gboolean
add_text_section (CsChecklistView *self,
                  const char      *title,
                  const char      *text)
{
  if (text == NULL || text[0] == '\0')
    return FALSE;
  gtk_box_append (GTK_BOX (cs_result_section (GTK_BOX (self), title)), cs_plain_label (text, TRUE, NULL));
  return TRUE;
}

static void
show_summary (CsChecklistView *self,
              CsChecklist     *checklist)
{
  const char *summary = cs_checklist_get_summary (checklist);

  gtk_label_set_text (self->summary_label, summary != NULL ? summary : "");
  gtk_widget_set_visible (GTK_WIDGET (self->summary_label), summary != NULL);
  cs_origin_chips_add_after (GTK_WIDGET (self->summary_label), cs_result_get_summary_origin (self->result));
  if (cs_checklist_get_likely_causes (checklist)->len > 0)
    show_causes (self, cs_checklist_get_likely_causes (checklist));
}

enum {
  STAGE_SUMMARY,
  STAGE_STEPS,
  STAGE_ALTERNATIVES,
  STAGE_ESCALATE,
  STAGE_RATIONALE,
  STAGE_DONE
};

/* The next item of @items (at most CS_RESULT_MAX_ITEMS), or NULL and on
 * to the next stage. */
static gconstpointer
next_item (CsChecklistView *self,
           GPtrArray       *items)
{
  if (self->item < MIN (items->len, CS_RESULT_MAX_ITEMS))
    return g_ptr_array_index (items, self->item++);
  self->stage++;
  self->item = 0;
  return NULL;
}

/* The step of the current stage; FALSE when it added nothing. */
static gboolean
add_part (CsChecklistView *self)
{
  CsChecklist *checklist = cs_result_get_checklist (self->result);
  gconstpointer item;

  switch (self->stage)
    {
    case STAGE_SUMMARY:
      show_summary (self, checklist);
      self->stage++;
      return TRUE;

    case STAGE_STEPS:
      if ((item = next_item (self, cs_checklist_get_steps (checklist))) == NULL)
        return FALSE;
      add_step (self, self->item - 1, item);
      return TRUE;

    case STAGE_ALTERNATIVES:
      if ((item = next_item (self, cs_result_get_alternatives (self->result))) == NULL)
        return FALSE;
      add_alternative (self, item);
      return TRUE;

    case STAGE_ESCALATE:
      self->stage++;
      return add_text_section (self, _("When to Escalate"), cs_checklist_get_escalate_when (checklist));

    case STAGE_RATIONALE:
      self->stage++;
      return add_text_section (self, _("Why This Order"), cs_result_get_rationale (self->result));

    default:
      return FALSE;
    }
}

gboolean
cs_checklist_view_build_step (CsChecklistView *self)
{
  g_return_val_if_fail (CS_IS_CHECKLIST_VIEW (self), FALSE);

  while (self->stage < STAGE_DONE)
    if (add_part (self))
      return TRUE;
  return FALSE;
}

GtkWidget *
cs_checklist_view_new (CsRun    *run,
                       CsResult *result)
{
  CsChecklistView *self;

  g_return_val_if_fail (result != NULL && cs_result_get_checklist (result) != NULL, NULL);

  self = g_object_new (CS_TYPE_CHECKLIST_VIEW, NULL);
  g_set_object (&self->run, run);
  self->result = cs_result_ref (result);
  return GTK_WIDGET (self);
}

GPtrArray *
cs_checklist_view_get_checks (CsChecklistView *self)
{
  g_return_val_if_fail (CS_IS_CHECKLIST_VIEW (self), NULL);

  return self->checks;
}

static void
cs_checklist_view_dispose (GObject *object)
{
  CsChecklistView *self = CS_CHECKLIST_VIEW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), CS_TYPE_CHECKLIST_VIEW);
  g_clear_object (&self->run);
  g_clear_pointer (&self->result, cs_result_unref);
  g_clear_pointer (&self->checks, g_ptr_array_unref);

  G_OBJECT_CLASS (cs_checklist_view_parent_class)->dispose (object);
}

static void
cs_checklist_view_class_init (CsChecklistViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cs_checklist_view_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/consilium/Consilium/cs-checklist-view.ui");
  gtk_widget_class_bind_template_child (widget_class, CsChecklistView, summary_label);
  gtk_widget_class_bind_template_child (widget_class, CsChecklistView, causes_heading);
  gtk_widget_class_bind_template_child (widget_class, CsChecklistView, causes_label);
  gtk_widget_class_bind_template_child (widget_class, CsChecklistView, steps_list);
  gtk_widget_class_bind_template_child (widget_class, CsChecklistView, alternatives_expander);
  gtk_widget_class_bind_template_child (widget_class, CsChecklistView, alternatives_list);
}

static void
cs_checklist_view_init (CsChecklistView *self)
{
  self->checks = g_ptr_array_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}
