/* cs-step-row.c: one step of a checklist (or an alternative to try)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-step-row"

#include "config.h"

#include <glib/gi18n.h>

#include "cs-origin-chips.h"
#include "cs-result-parts.h"
#include "cs-step-row.h"
#include "cs-ui-util.h"

struct _CsStepRow
{
  GtkBox          parent_instance;

  GtkCheckButton *check;
  GtkBox         *content;
  GtkLabel       *title_label;
  GtkWidget      *meta_box;
  GtkLabel       *meta_label;
  GtkWidget      *command_box;
  GtkLabel       *command_label;
  GtkWidget      *details;
  GtkBox         *details_box;
};

G_DEFINE_FINAL_TYPE (CsStepRow, cs_step_row, GTK_TYPE_BOX)

/* Checked steps are struck through. */
static void
check_toggled_cb (GtkCheckButton *check,
                  CsStepRow      *self)
{
  if (gtk_check_button_get_active (check))
    gtk_widget_add_css_class (GTK_WIDGET (self), "step-done");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "step-done");
}

/* "agreed by 2 of 3 · low risk · ~5 min" */
static char *
format_meta (const CsStep *step,
             const char   *support)
{
  GString *meta = g_string_new (NULL);

  if (support != NULL)
    g_string_append (meta, support);
  if (cs_result_risk_text (step->risk) != NULL)
    g_string_append_printf (meta, "%s%s", meta->len ? " · " : "", cs_result_risk_text (step->risk));
  if (step->has_effort && step->effort_minutes >= 0)
    {
      g_string_append (meta, meta->len ? " · " : "");
      g_string_append_printf (meta, _("~%d min"), step->effort_minutes);
    }
  return g_string_free (meta, FALSE);
}

static void
add_detail (CsStepRow  *self,
            const char *heading,
            const char *text)
{
  if (text == NULL)
    return;
  gtk_box_append (self->details_box, cs_plain_label (heading, FALSE, "caption-heading", "dim-label", NULL));
  gtk_box_append (self->details_box, cs_plain_label (text, TRUE, NULL));
}

CsStepRow *
cs_step_row_new (const CsStep *step,
                 const char   *prefix,
                 const char   *support)
{
  CsStepRow *self;
  g_autofree char *numbered = NULL;
  g_autofree char *meta = NULL;

  g_return_val_if_fail (step != NULL, NULL);

  self = g_object_new (CS_TYPE_STEP_ROW, NULL);
  numbered = g_strdup_printf ("%s%s", prefix, step->title != NULL ? step->title : "");
  gtk_label_set_text (self->title_label, numbered);

  meta = format_meta (step, support);
  gtk_label_set_text (self->meta_label, meta);
  gtk_widget_set_visible (GTK_WIDGET (self->meta_label), meta[0] != '\0');
  cs_origin_chips_add_after (GTK_WIDGET (self->meta_label), &step->item.origin);
  gtk_widget_set_visible (self->meta_box, meta[0] != '\0' ||
                          gtk_widget_get_next_sibling (GTK_WIDGET (self->meta_label)) != NULL);

  if (step->command != NULL && step->command[0] != '\0')
    {
      gtk_label_set_text (self->command_label, step->command);
      gtk_box_append (GTK_BOX (self->command_box), cs_result_copy_button (step->command, _("command")));
      gtk_widget_set_visible (self->command_box, TRUE);
    }

  add_detail (self, _("What to do"), step->action);
  add_detail (self, _("Expected"), step->expected);
  add_detail (self, _("If it fails"), step->if_fails);
  return self;
}

GtkCheckButton *
cs_step_row_add_check (CsStepRow *self,
                       gboolean   checked)
{
  g_return_val_if_fail (CS_IS_STEP_ROW (self), NULL);

  gtk_check_button_set_active (self->check, checked);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->check),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, gtk_label_get_text (self->title_label),
                                  -1);
  gtk_widget_set_visible (GTK_WIDGET (self->check), TRUE);
  return self->check;
}

void
cs_step_row_add_report (CsStepRow *self,
                        GtkWidget *report)
{
  g_return_if_fail (CS_IS_STEP_ROW (self));

  gtk_widget_set_margin_top (report, 4);
  gtk_box_append (self->content, report);
}

static void
cs_step_row_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), CS_TYPE_STEP_ROW);

  G_OBJECT_CLASS (cs_step_row_parent_class)->dispose (object);
}

static void
cs_step_row_class_init (CsStepRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cs_step_row_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/consilium/Consilium/cs-step-row.ui");
  gtk_widget_class_bind_template_child (widget_class, CsStepRow, check);
  gtk_widget_class_bind_template_child (widget_class, CsStepRow, content);
  gtk_widget_class_bind_template_child (widget_class, CsStepRow, title_label);
  gtk_widget_class_bind_template_child (widget_class, CsStepRow, meta_box);
  gtk_widget_class_bind_template_child (widget_class, CsStepRow, meta_label);
  gtk_widget_class_bind_template_child (widget_class, CsStepRow, command_box);
  gtk_widget_class_bind_template_child (widget_class, CsStepRow, command_label);
  gtk_widget_class_bind_template_child (widget_class, CsStepRow, details);
  gtk_widget_class_bind_template_child (widget_class, CsStepRow, details_box);
  gtk_widget_class_bind_template_callback (widget_class, check_toggled_cb);
}

static void
cs_step_row_init (CsStepRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
