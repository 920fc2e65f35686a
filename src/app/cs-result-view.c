/* cs-result-view.c: the synthesized result: blueprint or checklist
 *
 * Shows the run's typed result (cs_run_get_result) and is rebuilt when the
 * synthesis changes: how it was made (methods, a degraded result), the
 * blueprint (cs-blueprint-view.c) or the checklist (cs-checklist-view.c),
 * and the judge's critique of each candidate. Every model-written string
 * goes into plain labels, never markup.
 *
 * In a window on screen the view is built a part a frame (the overview,
 * the diagram, a row), the top first, so that the end of a run never
 * lays out and draws the whole result in one frame ("building").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-result-view"

#include "config.h"

#include <glib/gi18n.h>
#include <adwaita.h>

#include "cs-blueprint-view.h"
#include "cs-checklist-view.h"
#include "cs-constraint-check.h"
#include "cs-ranking-view.h"
#include "cs-result-parts.h"
#include "cs-result-view.h"
#include "cs-ui-util.h"

struct _CsResultView
{
  GtkBox        parent_instance;

  CsRun        *run;
  GSignalGroup *run_signals;
  CsResult     *result;       /* shown, or NULL */
  GtkWidget    *content;      /* the blueprint or checklist view, or NULL */
  const char   *kind;
  guint         build_tick;   /* a tick callback while building */
  guint         build_frames; /* frames since the build began */
  guint         build_parts;  /* parts a frame adds */
  gint64        build_start;  /* when this frame's parts began, or 0 */
  GdkFrameClock *build_clock;
  gulong        after_paint_id;
  guint         next_critique;
  gboolean      building;

  GtkLabel     *banner;
  GtkLabel     *note_label;
  GtkWidget    *breaches_box;
  GtkLabel     *breaches_label;
  GtkLabel     *methods_label;
  GtkWidget    *empty_label;
  GtkBox       *content_box;
  GtkWidget    *critiques_section;
  GtkListBox   *critiques_list;
  GtkWidget    *ranking_view;  /* cs-ranking-view.c */
};

G_DEFINE_FINAL_TYPE (CsResultView, cs_result_view, GTK_TYPE_BOX)

enum {
  PROP_0,
  PROP_BUILDING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The methods in words, in the order synthesis applies them. */
static void
append_methods (GString  *text,
                CsResult *result)
{
  static const struct { CsMethod method; const char *label; } methods[] = {
    { CS_METHOD_ENSEMBLE, N_("votes") },
    { CS_METHOD_CONSENSUS, N_("consensus") },
    { CS_METHOD_JUDGE, N_("judge") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (methods); i++)
    if (cs_result_has_method (result, methods[i].method))
      g_string_append_printf (text, "%s%s", text->len ? " · " : "", _(methods[i].label));
}

/* Whether the person chose no judge and the candidates were merged as
 * asked: a choice, not a failure (a judge that failed, or a merge that
 * failed, is). The same rule as the Markdown export's. */
static gboolean
no_judge_chosen (CsRun    *run,
                 CsResult *result)
{
  return cs_run_get_judge (run) == NULL &&
         !cs_result_has_method (result, CS_METHOD_JUDGE) &&
         (cs_result_has_method (result, CS_METHOD_ENSEMBLE) || cs_result_has_method (result, CS_METHOD_CONSENSUS));
}

/* Where the result breaks the run's stated constraints, a calm row of one
 * sentence a breach (cs-constraint-check.h). */
static void
show_breaches (CsResultView *self)
{
  g_autoptr(GPtrArray) breaches = cs_constraint_check_run (self->run);
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < breaches->len; i++)
    {
      CsConstraintBreach *breach = g_ptr_array_index (breaches, i);

      if (text->len > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, breach->message);
    }
  gtk_label_set_text (self->breaches_label, text->str);
  gtk_widget_set_visible (self->breaches_box, breaches->len > 0);
}

/* Whether it is degraded, and which methods made it. No judge chosen is
 * a choice: a neutral note; a judge that failed is a warning. */
static void
show_header (CsResultView *self,
             CsResult     *result)
{
  const char *note = cs_result_get_note (result);
  const char *judge = cs_result_get_judge_model (result);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *line = NULL;

  if (no_judge_chosen (self->run, result))
    {
      gtk_label_set_text (self->note_label, _("No judge was chosen: this result combines the candidates’ votes and consensus."));
      gtk_widget_set_visible (GTK_WIDGET (self->note_label), TRUE);
    }
  else if (cs_result_is_degraded (result) || (note != NULL && note[0] != '\0'))
    {
      gtk_label_set_text (self->banner, note != NULL ? note : _("This result is degraded: no judge reviewed it."));
      gtk_widget_set_visible (GTK_WIDGET (self->banner), TRUE);
    }

  append_methods (text, result);
  if (text->len == 0)
    return;
  if (judge != NULL)
    {
      g_autofree char *judge_text = cs_result_model_text (GTK_WIDGET (self), judge);

      /* Translators: the methods ("votes · consensus · judge"), then the
       * judge model ("o3 from OpenAI"); two sentences, as a provider's
       * name may have parentheses of its own */
      line = g_strdup_printf (_("Methods: %s. Judge: %s."), text->str, judge_text);
    }
  else
    line = g_strdup_printf (_("Methods: %s"), text->str);
  gtk_label_set_text (self->methods_label, line);
  gtk_widget_set_visible (GTK_WIDGET (self->methods_label), TRUE);
}

/* The judge's critique of the next candidate; FALSE when all are shown. */
static gboolean
add_critique (CsResultView *self)
{
  GPtrArray *critiques = cs_result_get_critiques (self->result);
  const CsCritique *c;
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  GtkWidget *row;

  if (self->next_critique >= MIN (critiques->len, CS_RESULT_MAX_ITEMS))
    return FALSE;

  c = g_ptr_array_index (critiques, self->next_critique++);
  title = cs_result_candidate_text (self->run, c->candidate);
  if (c->has_score && c->score >= 0)
    subtitle = g_strdup_printf (_("Score %d of 10"), c->score);
  row = cs_result_expander_row (title, subtitle);
  cs_result_expander_add_text (row, _("Strengths"), c->strengths);
  cs_result_expander_add_text (row, _("Weaknesses"), c->weaknesses);
  gtk_list_box_append (self->critiques_list, row);
  gtk_widget_set_visible (self->critiques_section, TRUE);
  return TRUE;
}

static void
stop_building (CsResultView *self)
{
  if (self->build_tick != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->build_tick);
  self->build_tick = 0;
  /* a clock whose surface went away has lost its handlers */
  if (self->build_clock != NULL && g_signal_handler_is_connected (self->build_clock, self->after_paint_id))
    g_signal_handler_disconnect (self->build_clock, self->after_paint_id);
  self->after_paint_id = 0;
  g_clear_object (&self->build_clock);
}

static void
set_building (CsResultView *self,
              gboolean      building)
{
  if (self->building == building)
    return;
  self->building = building;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUILDING]);
}

static void
clear (CsResultView *self)
{
  GtkWidget *child;

  stop_building (self);
  g_clear_pointer (&self->result, cs_result_unref);
  self->next_critique = 0;
  if (self->content != NULL)
    gtk_box_remove (self->content_box, g_steal_pointer (&self->content));
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->critiques_list))) != NULL)
    gtk_list_box_remove (self->critiques_list, child);
  gtk_widget_set_visible (GTK_WIDGET (self->banner), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->note_label), FALSE);
  gtk_widget_set_visible (self->breaches_box, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->methods_label), FALSE);
  gtk_widget_set_visible (self->empty_label, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->content_box), FALSE);
  gtk_widget_set_visible (self->critiques_section, FALSE);
  cs_ranking_view_set_run (CS_RANKING_VIEW (self->ranking_view), NULL);
  self->kind = "none";
}

/* Adds the next part of the view: of the blueprint or checklist, then a
 * critique; FALSE, adding nothing, when the view is complete. */
static gboolean
build_step (CsResultView *self)
{
  /* a result with neither has only its header */
  if (self->content == NULL)
    return FALSE;
  if (CS_IS_BLUEPRINT_VIEW (self->content) && cs_blueprint_view_build_step (CS_BLUEPRINT_VIEW (self->content)))
    return TRUE;
  if (CS_IS_CHECKLIST_VIEW (self->content) && cs_checklist_view_build_step (CS_CHECKLIST_VIEW (self->content)))
    return TRUE;
  return add_critique (self);
}

/* The work of a frame that adds parts (their construction, layout and
 * drawing): a frame adds one part more while frames take less than a
 * quarter of it, one only once a frame took more. A row of wrapping
 * labels costs a few milliseconds of layout (GTK measures each label at
 * many widths), and a frame that laid out a whole result at once took
 * 100 ms or more. */
#define BUILD_FRAME_US  10000
#define BUILD_MAX_PARTS 8

static void
after_paint_cb (GdkFrameClock *clock,
                CsResultView  *self)
{
  gint64 work;

  if (self->build_start == 0)
    return;
  work = g_get_monotonic_time () - self->build_start;
  self->build_start = 0;
  if (work < BUILD_FRAME_US / 4)
    self->build_parts = MIN (self->build_parts + 1, BUILD_MAX_PARTS);
  else if (work > BUILD_FRAME_US)
    self->build_parts = 1;
}

/* The top first. The first frame lays out the page's own last changes
 * (the run's state, the cards); the next shows the view, if hidden, with
 * its heading; then parts. */
static gboolean
build_tick_cb (GtkWidget     *widget,
               GdkFrameClock *clock,
               gpointer       user_data)
{
  CsResultView *self = CS_RESULT_VIEW (widget);

  if (self->build_frames++ == 0)
    {
      self->build_clock = g_object_ref (clock);
      self->after_paint_id = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), self);
      return G_SOURCE_CONTINUE;
    }
  if (!gtk_widget_get_visible (widget))
    {
      gtk_widget_set_visible (widget, TRUE);
      return G_SOURCE_CONTINUE;
    }

  self->build_start = g_get_monotonic_time ();
  for (guint i = 0; i < self->build_parts; i++)
    if (!build_step (self))
      {
        self->build_tick = 0;   /* removed by returning G_SOURCE_REMOVE */
        stop_building (self);
        set_building (self, FALSE);
        return G_SOURCE_REMOVE;
      }
  return G_SOURCE_CONTINUE;
}

/* Shown when the run has a synthesis: the result's header at once, its
 * parts over the next frames when in a window on screen (else, with
 * nothing to lay out or draw yet, at once). */
static void
rebuild (CsResultView *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  CsResult *result;

  clear (self);
  if (self->run == NULL || (result = cs_run_get_result (self->run)) == NULL)
    {
      /* a synthesis that is no result shows as an empty view */
      gtk_widget_set_visible (GTK_WIDGET (self), self->run != NULL && cs_run_get_synthesis (self->run) != NULL);
      set_building (self, FALSE);
      return;
    }

  self->result = cs_result_ref (result);
  show_header (self, result);
  show_breaches (self);
  cs_ranking_view_set_run (CS_RANKING_VIEW (self->ranking_view), self->run);

  if (cs_result_get_checklist (result) != NULL)
    {
      self->kind = "checklist";
      self->content = cs_checklist_view_new (self->run, result);
    }
  else if (cs_result_get_blueprint (result) != NULL)
    {
      self->kind = "blueprint";
      self->content = cs_blueprint_view_new (result);
    }
  if (self->content != NULL)
    {
      gtk_box_append (self->content_box, self->content);
      gtk_widget_set_visible (GTK_WIDGET (self->content_box), TRUE);
    }
  else
    gtk_widget_set_visible (self->empty_label, TRUE);

  if (root != NULL && gtk_widget_get_mapped (GTK_WIDGET (root)))
    {
      set_building (self, TRUE);
      self->build_frames = 0;
      self->build_parts = 1;
      /* frame ticks even while hidden */
      gtk_widget_realize (GTK_WIDGET (self));
      self->build_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self), build_tick_cb, NULL, NULL);
      return;
    }
  while (build_step (self))
    ;
  gtk_widget_set_visible (GTK_WIDGET (self), TRUE);
  set_building (self, FALSE);
}

/* ---- public ---- */

GtkWidget *
cs_result_view_new (void)
{
  return g_object_new (CS_TYPE_RESULT_VIEW, NULL);
}

void
cs_result_view_set_run (CsResultView *self,
                        CsRun        *run)
{
  g_return_if_fail (CS_IS_RESULT_VIEW (self));
  g_return_if_fail (run == NULL || CS_IS_RUN (run));

  if (g_set_object (&self->run, run))
    g_signal_group_set_target (self->run_signals, run);
  rebuild (self);
}

CsRun *
cs_result_view_get_run (CsResultView *self)
{
  g_return_val_if_fail (CS_IS_RESULT_VIEW (self), NULL);

  return self->run;
}

GPtrArray *
cs_result_view_get_step_checks (CsResultView *self)
{
  g_return_val_if_fail (CS_IS_RESULT_VIEW (self), NULL);

  if (CS_IS_CHECKLIST_VIEW (self->content))
    return g_ptr_array_ref (cs_checklist_view_get_checks (CS_CHECKLIST_VIEW (self->content)));
  return g_ptr_array_new ();
}

gboolean
cs_result_view_get_building (CsResultView *self)
{
  g_return_val_if_fail (CS_IS_RESULT_VIEW (self), FALSE);

  return self->building;
}

const char *
cs_result_view_get_kind (CsResultView *self)
{
  g_return_val_if_fail (CS_IS_RESULT_VIEW (self), NULL);

  return self->kind;
}

static void
copied_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  /* a toast if the window offers one */
  gtk_widget_activate_action (widget, "win.copied", NULL);
}

static void
cs_result_view_dispose (GObject *object)
{
  CsResultView *self = CS_RESULT_VIEW (object);

  if (self->run_signals != NULL)
    g_signal_group_set_target (self->run_signals, NULL);
  stop_building (self);
  g_clear_object (&self->run_signals);
  g_clear_object (&self->run);
  g_clear_pointer (&self->result, cs_result_unref);
  self->content = NULL;
  gtk_widget_dispose_template (GTK_WIDGET (self), CS_TYPE_RESULT_VIEW);

  G_OBJECT_CLASS (cs_result_view_parent_class)->dispose (object);
}

static void
cs_result_view_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  CsResultView *self = CS_RESULT_VIEW (object);

  switch (prop_id)
    {
    case PROP_BUILDING:
      g_value_set_boolean (value, self->building);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_result_view_class_init (CsResultViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cs_result_view_dispose;
  object_class->get_property = cs_result_view_get_property;

  /**
   * CsResultView:building:
   *
   * Whether the view is still adding the result's rows, a few a frame.
   */
  properties[PROP_BUILDING] =
    g_param_spec_boolean ("building", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/consilium/Consilium/cs-result-view.ui");
  gtk_widget_class_bind_template_child (widget_class, CsResultView, banner);
  gtk_widget_class_bind_template_child (widget_class, CsResultView, note_label);
  gtk_widget_class_bind_template_child (widget_class, CsResultView, breaches_box);
  gtk_widget_class_bind_template_child (widget_class, CsResultView, breaches_label);
  gtk_widget_class_bind_template_child (widget_class, CsResultView, methods_label);
  gtk_widget_class_bind_template_child (widget_class, CsResultView, empty_label);
  gtk_widget_class_bind_template_child (widget_class, CsResultView, content_box);
  gtk_widget_class_bind_template_child (widget_class, CsResultView, critiques_section);
  gtk_widget_class_bind_template_child (widget_class, CsResultView, critiques_list);
  gtk_widget_class_install_action (widget_class, "result.copied", NULL, copied_action);
}

static void
cs_result_view_init (CsResultView *self)
{
  self->kind = "none";
  gtk_widget_init_template (GTK_WIDGET (self));
  self->ranking_view = cs_ranking_view_new ();
  gtk_widget_insert_after (self->ranking_view, GTK_WIDGET (self), GTK_WIDGET (self->content_box));

  self->run_signals = g_signal_group_new (CS_TYPE_RUN);
  g_signal_group_connect_swapped (self->run_signals, "notify::synthesis", G_CALLBACK (rebuild), self);
}
