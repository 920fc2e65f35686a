/* cs-blueprint-view.c: a synthesized blueprint, section by section
 *
 * The summary, the cost and the diagram, then the components, data
 * stores, decisions, trade-offs and risks, and why this design.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-result-view"

#include "config.h"

#include <glib/gi18n.h>
#include <gtksourceview/gtksource.h>

#include "cs-blueprint-view.h"
#include "cs-diagram.h"
#include "cs-result-parts.h"
#include "cs-ui-util.h"

struct _CsBlueprintView
{
  GtkBox         parent_instance;

  GtkLabel      *summary_label;
  GtkLabel      *cost_label;
  CsDiagram     *diagram;
  GtkWidget     *mermaid_expander;
  GtkBox        *mermaid_box;
  GtkSourceView *mermaid_view;
};

G_DEFINE_FINAL_TYPE (CsBlueprintView, cs_blueprint_view, GTK_TYPE_BOX)

static void
show_overview (CsBlueprintView *self,
               CsBlueprint     *bp)
{
  const char *summary = cs_blueprint_get_summary (bp);
  const char *mermaid = cs_blueprint_get_mermaid (bp);
  double cost = 0;

  gtk_label_set_text (self->summary_label, summary != NULL ? summary : "");
  gtk_widget_set_visible (GTK_WIDGET (self->summary_label), summary != NULL);
  if (cs_blueprint_get_monthly_cost (bp, &cost) && cost >= 0)
    {
      g_autofree char *text = g_strdup_printf (_("Estimated running cost: $%.0f per month"), cost);

      gtk_label_set_text (self->cost_label, text);
      gtk_widget_set_visible (GTK_WIDGET (self->cost_label), TRUE);
    }

  cs_diagram_set_blueprint (self->diagram, bp);

  if (mermaid != NULL && mermaid[0] != '\0')
    {
      gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->mermaid_view)), mermaid, -1);
      gtk_box_append (self->mermaid_box, cs_result_copy_button (mermaid, _("Mermaid source")));
      gtk_widget_set_visible (self->mermaid_expander, TRUE);
    }
}

static void
add_components (CsBlueprintView *self,
                GPtrArray       *components)
{
  GtkWidget *list = cs_result_boxed_list (GTK_BOX (cs_result_section (GTK_BOX (self), _("Components"))));

  for (guint i = 0; i < MIN (components->len, CS_RESULT_MAX_ITEMS); i++)
    {
      const CsComponent *c = g_ptr_array_index (components, i);
      g_autofree char *label = NULL;
      g_autofree char *subtitle = NULL;
      GtkWidget *row;

      if (c->name == NULL)
        continue;
      /* the vote on the technology shown, else how many have the component */
      label = cs_result_vote_text (&c->item, c->technology);
      if (label == NULL)
        label = cs_result_support_text (&c->item, CS_SUPPORT_COMPONENT);
      subtitle = g_strdup_printf ("%s%s%s", c->technology ? c->technology : "",
                                  label ? " · " : "", label ? label : "");
      row = cs_result_expander_row (c->name, subtitle);
      cs_result_expander_add_text (row, _("Responsibility"), c->responsibility);
      cs_result_expander_add_text (row, _("Scaling"), c->scaling);
      gtk_list_box_append (GTK_LIST_BOX (list), row);
    }
}

static void
add_data_stores (CsBlueprintView *self,
                 GPtrArray       *stores)
{
  GtkWidget *list = cs_result_boxed_list (GTK_BOX (cs_result_section (GTK_BOX (self), _("Data stores"))));

  for (guint i = 0; i < MIN (stores->len, CS_RESULT_MAX_ITEMS); i++)
    {
      const CsDataStore *d = g_ptr_array_index (stores, i);
      g_autofree char *title = NULL;
      g_autofree char *subtitle = NULL;

      if (d->name == NULL)
        continue;
      title = d->primary ? g_strdup_printf (_("%s (system of record)"), d->name) : g_strdup (d->name);
      subtitle = g_strdup_printf ("%s — %s", d->technology ? d->technology : "", d->purpose ? d->purpose : "");
      gtk_list_box_append (GTK_LIST_BOX (list), cs_result_row (title, subtitle));
    }
}

static void
add_decisions (CsBlueprintView *self,
               GPtrArray       *decisions)
{
  GtkWidget *list = cs_result_boxed_list (GTK_BOX (cs_result_section (GTK_BOX (self), _("Decisions"))));

  for (guint i = 0; i < MIN (decisions->len, CS_RESULT_MAX_ITEMS); i++)
    {
      const CsDecision *d = g_ptr_array_index (decisions, i);
      g_autofree char *title = NULL;
      g_autofree char *votes = NULL;
      g_autofree char *rejected = NULL;
      GtkWidget *row;

      if (d->topic == NULL)
        continue;
      title = g_strdup_printf ("%s: %s", d->topic, d->choice ? d->choice : "");
      votes = cs_result_vote_text (&d->item, d->choice);
      if (votes == NULL)
        votes = cs_result_support_text (&d->item, CS_SUPPORT_DECISION);
      row = cs_result_expander_row (title, votes);
      cs_result_expander_add_text (row, _("Rationale"), d->rationale);
      if (d->rejected_alternatives != NULL)
        {
          rejected = g_strjoinv (", ", d->rejected_alternatives);
          cs_result_expander_add_text (row, _("Rejected alternatives"), rejected);
        }
      gtk_list_box_append (GTK_LIST_BOX (list), row);
    }
}

static void
add_trade_offs (CsBlueprintView *self,
                GPtrArray       *trade_offs)
{
  GtkWidget *section = cs_result_section (GTK_BOX (self), _("Trade-offs"));

  for (guint i = 0; i < MIN (trade_offs->len, CS_RESULT_MAX_ITEMS); i++)
    {
      const CsTradeOff *t = g_ptr_array_index (trade_offs, i);
      g_autofree char *line = g_strconcat ("• ", t->text, NULL);

      gtk_box_append (GTK_BOX (section), cs_plain_label (line, TRUE, NULL));
    }
}

static void
add_risks (CsBlueprintView *self,
           GPtrArray       *risks)
{
  GtkWidget *list = cs_result_boxed_list (GTK_BOX (cs_result_section (GTK_BOX (self), _("Risks"))));

  for (guint i = 0; i < MIN (risks->len, CS_RESULT_MAX_ITEMS); i++)
    {
      const CsRisk *r = g_ptr_array_index (risks, i);

      if (r->risk != NULL)
        gtk_list_box_append (GTK_LIST_BOX (list), cs_result_row (r->risk, r->mitigation));
    }
}

GtkWidget *
cs_blueprint_view_new (CsResult *result)
{
  CsBlueprintView *self;
  CsBlueprint *bp;
  const char *rationale;

  g_return_val_if_fail (result != NULL && cs_result_get_blueprint (result) != NULL, NULL);

  self = g_object_new (CS_TYPE_BLUEPRINT_VIEW, NULL);
  bp = cs_result_get_blueprint (result);
  show_overview (self, bp);

  if (cs_blueprint_get_components (bp)->len > 0)
    add_components (self, cs_blueprint_get_components (bp));
  if (cs_blueprint_get_data_stores (bp)->len > 0)
    add_data_stores (self, cs_blueprint_get_data_stores (bp));
  if (cs_blueprint_get_decisions (bp)->len > 0)
    add_decisions (self, cs_blueprint_get_decisions (bp));
  if (cs_blueprint_get_trade_offs (bp)->len > 0)
    add_trade_offs (self, cs_blueprint_get_trade_offs (bp));
  if (cs_blueprint_get_risks (bp)->len > 0)
    add_risks (self, cs_blueprint_get_risks (bp));

  rationale = cs_result_get_rationale (result);
  if (rationale != NULL && rationale[0] != '\0')
    {
      GtkWidget *section = cs_result_section (GTK_BOX (self), _("Why this design"));

      gtk_box_append (GTK_BOX (section), cs_plain_label (rationale, TRUE, NULL));
    }

  return GTK_WIDGET (self);
}

static void
cs_blueprint_view_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), CS_TYPE_BLUEPRINT_VIEW);

  G_OBJECT_CLASS (cs_blueprint_view_parent_class)->dispose (object);
}

static void
cs_blueprint_view_class_init (CsBlueprintViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cs_blueprint_view_dispose;

  g_type_ensure (CS_TYPE_DIAGRAM);
  g_type_ensure (GTK_SOURCE_TYPE_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/consilium/Consilium/cs-blueprint-view.ui");
  gtk_widget_class_bind_template_child (widget_class, CsBlueprintView, summary_label);
  gtk_widget_class_bind_template_child (widget_class, CsBlueprintView, cost_label);
  gtk_widget_class_bind_template_child (widget_class, CsBlueprintView, diagram);
  gtk_widget_class_bind_template_child (widget_class, CsBlueprintView, mermaid_expander);
  gtk_widget_class_bind_template_child (widget_class, CsBlueprintView, mermaid_box);
  gtk_widget_class_bind_template_child (widget_class, CsBlueprintView, mermaid_view);
}

static void
cs_blueprint_view_init (CsBlueprintView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
