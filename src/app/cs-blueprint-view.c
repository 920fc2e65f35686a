/* cs-blueprint-view.c: a synthesized blueprint, section by section
 *
 * The summary, the cost and the diagram, then the components, data
 * stores, decisions, trade-offs and risks, and why this design, added a
 * part at a time by cs_blueprint_view_build_step () (the result view
 * calls it a few times a frame).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-result-view"

#include "config.h"

#include <glib/gi18n.h>
#include <gtksourceview/gtksource.h>

#include "cs-blueprint-view.h"
#include "cs-diagram.h"
#include "cs-number-format.h"
#include "cs-origin-chips.h"
#include "cs-result-parts.h"
#include "cs-ui-util.h"

struct _CsBlueprintView
{
  GtkBox         parent_instance;

  CsResult      *result;
  guint          stage;      /* the next step: the overview, the diagram, a section, the rationale */
  guint          item;       /* the next item of that section */
  GtkWidget     *rows;       /* where that section's rows go */

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
  cs_origin_chips_add_after (GTK_WIDGET (self->summary_label), cs_result_get_summary_origin (self->result));
  if (cs_blueprint_get_monthly_cost (bp, &cost) && cost >= 0)
    {
      g_autofree char *figure = cs_format_whole (cost);
      /* Translators: whole US dollars ("2,680") */
      g_autofree char *text = g_strdup_printf (_("Estimated running cost: $%s per month"), figure);

      gtk_label_set_text (self->cost_label, text);
      gtk_widget_set_visible (GTK_WIDGET (self->cost_label), TRUE);
    }

  if (mermaid != NULL && mermaid[0] != '\0')
    {
      gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->mermaid_view)), mermaid, -1);
      gtk_box_append (self->mermaid_box, cs_result_copy_button (mermaid, _("Mermaid source")));
      gtk_widget_set_visible (self->mermaid_expander, TRUE);
    }
}

static GtkWidget *
component_row (gconstpointer item)
{
  const CsComponent *c = item;
  g_autofree char *label = NULL;
  g_autofree char *subtitle = NULL;
  GtkWidget *row;

  if (c->name == NULL)
    return NULL;
  /* the vote on the technology shown, else how many have the component */
  label = cs_result_vote_text (&c->item, c->technology);
  if (label == NULL)
    label = cs_result_support_text (&c->item, CS_SUPPORT_COMPONENT);
  subtitle = g_strdup_printf ("%s%s%s", c->technology ? c->technology : "",
                              label ? " · " : "", label ? label : "");
  row = cs_result_expander_row (c->name, subtitle);
  cs_result_expander_add_text (row, _("Responsibility"), c->responsibility);
  cs_result_expander_add_text (row, _("Scaling"), c->scaling);
  cs_origin_chips_add_to_row (row, &c->item.origin);
  return row;
}

/* "a — b", either left out when empty */
static char *
join_dash (const char *a,
           const char *b)
{
  gboolean has_a = a != NULL && a[0] != '\0';
  gboolean has_b = b != NULL && b[0] != '\0';

  return g_strdup_printf ("%s%s%s", has_a ? a : "", has_a && has_b ? " — " : "", has_b ? b : "");
}

static GtkWidget *
data_store_row (gconstpointer item)
{
  const CsDataStore *d = item;
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  GtkWidget *row;

  if (d->name == NULL)
    return NULL;
  title = d->primary ? g_strdup_printf (_("%s (system of record)"), d->name) : g_strdup (d->name);
  subtitle = join_dash (d->technology, d->purpose);
  row = cs_result_row (title, subtitle);
  cs_origin_chips_add_to_row (row, &d->item.origin);
  return row;
}

/* An API's style as people write it: the schema's "grpc" is "gRPC" (the
 * Markdown export's words); a style the schema does not know as it is. */
static const char *
api_style_text (const char *style)
{
  static const char * const words[][2] = {
    { "rest", "REST" }, { "grpc", "gRPC" }, { "graphql", "GraphQL" },
    { "websocket", "WebSocket" }, { "event", N_("events") }, { "batch", N_("batch") },
    { "other", N_("other") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    if (g_strcmp0 (style, words[i][0]) == 0)
      return _(words[i][1]);
  return style;
}

static GtkWidget *
api_row (gconstpointer item)
{
  const CsApi *a = item;
  g_autofree char *subtitle = NULL;
  GtkWidget *row;

  if (a->name == NULL)
    return NULL;
  subtitle = join_dash (api_style_text (a->style), a->description);
  row = cs_result_row (a->name, subtitle);
  cs_origin_chips_add_to_row (row, &a->item.origin);
  return row;
}

/* A minority's component or decision the blueprint left out, with how
 * many candidates proposed it and which (its chips). */
static GtkWidget *
alternative_row (gconstpointer item)
{
  const CsAlternative *alt = item;
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *support = NULL;
  GtkWidget *row;

  if (alt->title == NULL || alt->kind == CS_ALTERNATIVE_STEP)
    return NULL;
  if (alt->kind == CS_ALTERNATIVE_DECISION)
    {
      if (alt->item.total > 0)
        /* Translators: how many candidates proposed an alternative decision */
        support = g_strdup_printf (_("decision proposed by %d of %d"), (int) alt->item.support, (int) alt->item.total);
      title = g_strdup_printf ("%s: %s", alt->title, alt->choice != NULL ? alt->choice : "");
      row = cs_result_expander_row (title, support);
      cs_result_expander_add_text (row, _("Rationale"), alt->rationale);
    }
  else
    {
      support = cs_result_support_text (&alt->item, CS_SUPPORT_COMPONENT);
      subtitle = g_strdup_printf ("%s%s%s", alt->technology != NULL ? alt->technology : "",
                                  alt->technology != NULL && support != NULL ? " · " : "",
                                  support != NULL ? support : "");
      row = cs_result_expander_row (alt->title, subtitle);
      cs_result_expander_add_text (row, _("Responsibility"), alt->responsibility);
    }
  cs_origin_chips_add_to_row (row, &alt->item.origin);
  return row;
}

static GtkWidget *
decision_row (gconstpointer item)
{
  const CsDecision *d = item;
  g_autofree char *title = NULL;
  g_autofree char *votes = NULL;
  g_autofree char *rejected = NULL;
  GtkWidget *row;

  if (d->topic == NULL)
    return NULL;
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
  cs_origin_chips_add_to_row (row, &d->item.origin);
  return row;
}

static GtkWidget *
trade_off_line (gconstpointer item)
{
  const CsTradeOff *t = item;
  g_autofree char *line = g_strconcat ("• ", t->text, NULL);

  return cs_origin_chips_line (cs_plain_label (line, TRUE, NULL), &t->item.origin);
}

static GtkWidget *
risk_row (gconstpointer item)
{
  const CsRisk *r = item;
  GtkWidget *row;

  if (r->risk == NULL)
    return NULL;
  row = cs_result_row (r->risk, r->mitigation);
  cs_origin_chips_add_to_row (row, &r->item.origin);
  return row;
}

static GPtrArray *components (CsResult *r) { return cs_blueprint_get_components (cs_result_get_blueprint (r)); }
static GPtrArray *data_stores (CsResult *r) { return cs_blueprint_get_data_stores (cs_result_get_blueprint (r)); }
static GPtrArray *apis (CsResult *r) { return cs_blueprint_get_apis (cs_result_get_blueprint (r)); }
static GPtrArray *decisions (CsResult *r) { return cs_blueprint_get_decisions (cs_result_get_blueprint (r)); }
static GPtrArray *trade_offs (CsResult *r) { return cs_blueprint_get_trade_offs (cs_result_get_blueprint (r)); }
static GPtrArray *risks (CsResult *r) { return cs_blueprint_get_risks (cs_result_get_blueprint (r)); }

/* The sections after the overview, in order (the Markdown export's), each
 * shown when its list is not empty: a row (or a line) per item, NULL for
 * an item left out. */
static const struct {
  const char  *title;
  GPtrArray *(*items) (CsResult *result);
  GtkWidget *(*row)   (gconstpointer item);
  gboolean     boxed;          /* the rows in a boxed list */
} sections[] = {
  { N_("Components"), components, component_row, TRUE },
  { N_("Data Stores"), data_stores, data_store_row, TRUE },
  { N_("APIs"), apis, api_row, TRUE },
  { N_("Decisions"), decisions, decision_row, TRUE },
  { N_("Trade-offs"), trade_offs, trade_off_line, FALSE },
  { N_("Risks"), risks, risk_row, TRUE },
  { N_("Alternatives (Not in the Blueprint)"), cs_result_get_alternatives, alternative_row, TRUE },
};

enum {
  STAGE_OVERVIEW,
  STAGE_DIAGRAM,
  STAGE_SECTIONS,
  STAGE_RATIONALE = STAGE_SECTIONS + G_N_ELEMENTS (sections),
  STAGE_DONE
};

/* The next item of section @s, the section's heading and list with its
 * first item; FALSE when that added nothing. */
static gboolean
add_section_item (CsBlueprintView *self,
                  guint            s)
{
  GPtrArray *items = sections[s].items (self->result);
  gboolean added = FALSE;
  GtkWidget *row;

  if (self->item >= MIN (items->len, CS_RESULT_MAX_ITEMS))
    {
      self->stage++;
      self->item = 0;
      self->rows = NULL;
      return FALSE;
    }

  if (self->item == 0)
    {
      self->rows = cs_result_section (GTK_BOX (self), _(sections[s].title));
      if (sections[s].boxed)
        self->rows = cs_result_boxed_list (GTK_BOX (self->rows));
      added = TRUE;
    }
  row = sections[s].row (g_ptr_array_index (items, self->item++));
  if (row == NULL)
    return added;
  if (sections[s].boxed)
    gtk_list_box_append (GTK_LIST_BOX (self->rows), row);
  else
    gtk_box_append (GTK_BOX (self->rows), row);
  return TRUE;
}

static gboolean
add_rationale (CsBlueprintView *self)
{
  const char *rationale = cs_result_get_rationale (self->result);
  GtkWidget *section;

  if (rationale == NULL || rationale[0] == '\0')
    return FALSE;
  section = cs_result_section (GTK_BOX (self), _("Why This Design"));
  gtk_box_append (GTK_BOX (section), cs_plain_label (rationale, TRUE, NULL));
  return TRUE;
}

/* The step of the current stage; FALSE when it added nothing. */
static gboolean
add_part (CsBlueprintView *self)
{
  CsBlueprint *bp = cs_result_get_blueprint (self->result);
  guint stage = self->stage;

  if (stage >= STAGE_SECTIONS && stage < STAGE_RATIONALE)
    {
      if (sections[stage - STAGE_SECTIONS].items (self->result)->len > 0)
        return add_section_item (self, stage - STAGE_SECTIONS);
      self->stage++;
      return FALSE;
    }

  self->stage++;
  switch (stage)
    {
    case STAGE_OVERVIEW:
      show_overview (self, bp);
      return TRUE;

    case STAGE_DIAGRAM:
      cs_diagram_set_blueprint (self->diagram, bp);
      gtk_widget_set_visible (gtk_widget_get_parent (GTK_WIDGET (self->diagram)), TRUE);
      return TRUE;

    case STAGE_RATIONALE:
      return add_rationale (self);

    default:
      return FALSE;
    }
}

gboolean
cs_blueprint_view_build_step (CsBlueprintView *self)
{
  g_return_val_if_fail (CS_IS_BLUEPRINT_VIEW (self), FALSE);

  while (self->stage != STAGE_DONE)
    if (add_part (self))
      return TRUE;
  return FALSE;
}

GtkWidget *
cs_blueprint_view_new (CsResult *result)
{
  CsBlueprintView *self;

  g_return_val_if_fail (result != NULL && cs_result_get_blueprint (result) != NULL, NULL);

  self = g_object_new (CS_TYPE_BLUEPRINT_VIEW, NULL);
  self->result = cs_result_ref (result);
  return GTK_WIDGET (self);
}

static void
cs_blueprint_view_dispose (GObject *object)
{
  CsBlueprintView *self = CS_BLUEPRINT_VIEW (object);

  gtk_widget_dispose_template (GTK_WIDGET (object), CS_TYPE_BLUEPRINT_VIEW);
  self->rows = NULL;
  g_clear_pointer (&self->result, cs_result_unref);

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
  /* its frame, until the diagram is laid out */
  gtk_widget_set_visible (gtk_widget_get_parent (GTK_WIDGET (self->diagram)), FALSE);
}
