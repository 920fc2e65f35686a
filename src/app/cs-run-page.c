/* cs-run-page.c: one run: its state, its question, the result and the candidates
 *
 * The header (title, state, spinner), the question with its constraints,
 * the run's message, the result view and one card per candidate (a flow
 * box bound to the run's candidates). The page follows the run's
 * properties at once and its ::changed (every token count and cost while
 * candidates stream) at most four times a second. In a window on screen
 * the cards come one a frame, in the run's order: eight new cards built,
 * styled, laid out and drawn in one frame stalled the window as a run
 * started.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-run-page"

#include "config.h"

#include <glib/gi18n.h>

#include "cs-candidate-card.h"
#include "cs-compose-page.h"
#include "cs-run-page-private.h"
#include "cs-run-page-rounds.h"
#include "cs-run-page-slot.h"
#include "cs-ranking-view.h"
#include "cs-run-totals.h"
#include "cs-vertical-viewport.h"
#include "cs-wrap-layout.h"

G_DEFINE_FINAL_TYPE (CsRunPage, cs_run_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_RUN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

#define UPDATE_INTERVAL_MS 250

/* New cards a frame adds: a card's first frame (built, styled, laid out
 * and drawn) costs several milliseconds; with two a frame, the frames
 * took 12-17 ms of CPU on a loaded machine. */
#define CARDS_PER_FRAME 1

static const char *
run_state_text (CsRun *run)
{
  switch (cs_run_get_state (run))
    {
    case CS_RUN_DRAFT:
      return _("Not started");
    case CS_RUN_RUNNING:
      return _("Asking the models…");
    case CS_RUN_SYNTHESIZING:
      return _("Synthesizing the answers…");
    case CS_RUN_DONE:
      return _("Done");
    case CS_RUN_FAILED:
      return _("Failed: no candidate gave a usable answer");
    case CS_RUN_CANCELLED:
      return _("Cancelled");
    default:
      return "";
    }
}

/* "Systems Architect · Done · 2 of 3 candidates answered · $0.0123" */
static char *
format_state (CsRun    *run,
              gboolean  live)
{
  const char *mode = cs_run_get_mode (run) == CS_MODE_ARCHITECT ? _("Systems Architect") : _("Tech Support");
  guint n = g_list_model_get_n_items (G_LIST_MODEL (run));
  guint n_ok = cs_run_count_status (run, CS_CANDIDATE_OK);
  g_autofree char *state = NULL;

  if (cs_run_get_state (run) == CS_RUN_DRAFT && !live)
    state = g_strdup_printf ("%s · %s", mode, run_state_text (run));
  else
    state = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                          "%s · %s · %u of %u candidate answered",
                                          "%s · %s · %u of %u candidates answered", n),
                             mode, run_state_text (run), n_ok, n);
  return cs_run_page_append_totals (run, g_steal_pointer (&state));
}

/* The question, then its constraints named as the compose page names them. */
static char *
format_question (CsRun *run)
{
  GString *question = g_string_new (cs_run_get_problem (run));
  const char * const *keys = cs_run_get_constraint_keys (run);

  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    g_string_append_printf (question, "%s%s: %s", i == 0 ? "\n\n" : "\n",
                            cs_compose_constraint_title (keys[i]),
                            cs_run_get_constraint (run, keys[i]));
  return g_string_free (question, FALSE);
}

/* The run's message, unless the result view shows it as its note. */
static const char *
visible_message (CsRun *run)
{
  const char *message = cs_run_get_message (run);
  CsResult *result = cs_run_get_result (run);

  if (message != NULL && result != NULL && g_strcmp0 (cs_result_get_note (result), message) == 0)
    return NULL;
  return message;
}

/* The judge's critique of a candidate, from the run's result. */
static void
apply_critique (CsRun           *run,
                CsCandidateCard *card)
{
  CsResult *result = cs_run_get_result (run);
  GPtrArray *critiques = result != NULL ? cs_result_get_critiques (result) : NULL;
  const char *id = cs_candidate_get_id (cs_candidate_card_get_candidate (card));

  cs_ranking_badge_apply (card, run);
  for (guint i = 0; critiques != NULL && i < critiques->len; i++)
    {
      const CsCritique *c = g_ptr_array_index (critiques, i);

      if (g_strcmp0 (c->candidate, id) == 0 && c->has_score && c->score >= 0)
        {
          cs_candidate_card_set_critique (card, CLAMP (c->score, 0, 10), c->strengths, c->weaknesses);
          return;
        }
    }
  cs_candidate_card_set_critique (card, -1, NULL, NULL);
}

static void
apply_critiques (CsRunPage *self)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->candidates_flow));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *card = gtk_flow_box_child_get_child (GTK_FLOW_BOX_CHILD (child));

      if (CS_IS_CANDIDATE_CARD (card))
        apply_critique (self->run, CS_CANDIDATE_CARD (card));
    }
}

void
cs_run_page_update (CsRunPage *self)
{
  CsRun *run;
  CsRunState state;
  g_autofree char *state_text = NULL;
  g_autofree char *question = NULL;
  const char *title, *message;
  gboolean live;

  g_return_if_fail (CS_IS_RUN_PAGE (self));

  if ((run = self->run) == NULL)
    return;

  state = cs_run_get_state (run);
  /* a run left "running" by a crash is not live: nothing drives it */
  live = (state == CS_RUN_RUNNING || state == CS_RUN_SYNTHESIZING) &&
         self->manager != NULL && cs_run_manager_drives (self->manager, run);

  title = cs_run_get_title (run);
  gtk_label_set_text (self->title_label, title != NULL && title[0] != '\0' ? title : _("Untitled"));
  state_text = format_state (run, live);
  gtk_label_set_text (self->state_label, state_text);
  question = format_question (run);
  gtk_label_set_text (self->problem_label, question);

  gtk_spinner_set_spinning (self->spinner, live);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), live);

  message = visible_message (run);
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), message != NULL && message[0] != '\0');
  gtk_label_set_text (self->message_label, message != NULL ? message : "");

  apply_critiques (self);
}

static gboolean
update_timeout_cb (gpointer user_data)
{
  CsRunPage *self = user_data;

  if (self->update_dirty)
    {
      self->update_dirty = FALSE;
      cs_run_page_update (self);
      return G_SOURCE_CONTINUE;
    }
  self->update_source = 0;
  return G_SOURCE_REMOVE;
}

/* A run emits ::changed for every token count and cost of every candidate
 * while they stream: the page follows at most four times a second. */
static void
run_changed_cb (CsRunPage *self)
{
  if (self->update_source != 0)
    {
      self->update_dirty = TRUE;
      return;
    }
  cs_run_page_update (self);
  self->update_source = g_timeout_add (UPDATE_INTERVAL_MS, update_timeout_cb, self);
}

static GtkWidget *
create_card (gpointer item,
             gpointer user_data)
{
  CsRunPage *self = user_data;
  CsCandidateCard *card = cs_candidate_card_new (CS_CANDIDATE (item));

  if (self->run != NULL)
    apply_critique (self->run, card);
  return GTK_WIDGET (card);
}

/* Cards for up to @max more of the run's candidates; FALSE once every
 * candidate has one. */
static gboolean
add_cards (CsRunPage *self,
           guint      max)
{
  guint n = self->run != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->run)) : 0;

  for (guint added = 0; self->n_cards < n && added < max; added++, self->n_cards++)
    {
      g_autoptr(CsCandidate) candidate = g_list_model_get_item (G_LIST_MODEL (self->run), self->n_cards);

      gtk_flow_box_append (self->candidates_flow, cs_run_page_slot_new (create_card (candidate, self)));
    }
  return self->n_cards < n;
}

/* The cards from @position on go (their candidates changed). */
static void
remove_cards (CsRunPage *self,
              guint      position)
{
  GtkFlowBoxChild *child;

  while ((child = gtk_flow_box_get_child_at_index (self->candidates_flow, position)) != NULL)
    gtk_flow_box_remove (self->candidates_flow, GTK_WIDGET (child));
  self->n_cards = MIN (self->n_cards, position);
}

static gboolean
cards_tick_cb (GtkWidget     *widget,
               GdkFrameClock *clock,
               gpointer       user_data)
{
  CsRunPage *self = CS_RUN_PAGE (widget);

  if (self->cards_wait)
    {
      self->cards_wait = FALSE;
      return G_SOURCE_CONTINUE;
    }
  if (add_cards (self, CARDS_PER_FRAME))
    return G_SOURCE_CONTINUE;
  self->cards_tick = 0;
  return G_SOURCE_REMOVE;
}

/* The missing cards: a few a frame in a window on screen, else (nothing
 * to lay out or draw yet) at once. */
static void
schedule_cards (CsRunPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (self->cards_tick != 0)
    return;
  if (root == NULL || !gtk_widget_get_mapped (GTK_WIDGET (root)))
    {
      add_cards (self, G_MAXUINT);
      return;
    }
  /* frame ticks even while the page is not the one shown yet; the first
   * frame draws the page that comes (a whole window) without cards */
  gtk_widget_realize (GTK_WIDGET (self));
  self->cards_wait = !gtk_widget_get_mapped (GTK_WIDGET (self));
  if (add_cards (self, 0))
    self->cards_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self), cards_tick_cb, NULL, NULL);
}

static void
stop_cards (CsRunPage *self)
{
  if (self->cards_tick != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->cards_tick);
  self->cards_tick = 0;
}

static void
candidates_changed_cb (CsRunPage *self,
                       guint      position,
                       guint      removed,
                       guint      added)
{
  if (position < self->n_cards)
    remove_cards (self, position);
  schedule_cards (self);
}

CsRun *
cs_run_page_get_run (CsRunPage *self)
{
  g_return_val_if_fail (CS_IS_RUN_PAGE (self), NULL);

  return self->run;
}

void
cs_run_page_set_run (CsRunPage *self,
                     CsRun     *run)
{
  g_return_if_fail (CS_IS_RUN_PAGE (self));
  g_return_if_fail (run == NULL || CS_IS_RUN (run));

  if (!g_set_object (&self->run, run))
    return;

  g_signal_group_set_target (self->run_signals, run);
  stop_cards (self);
  remove_cards (self, 0);
  schedule_cards (self);
  cs_result_view_set_run (self->result_view, run);
  cs_run_page_update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUN]);
}

void
cs_run_page_set_manager (CsRunPage    *self,
                         CsRunManager *manager)
{
  g_return_if_fail (CS_IS_RUN_PAGE (self));
  g_return_if_fail (manager == NULL || CS_IS_RUN_MANAGER (manager));

  if (g_set_object (&self->manager, manager))
    cs_run_page_update (self);
}

void
cs_run_page_scroll_to_top (CsRunPage *self)
{
  GtkWidget *scroller;

  g_return_if_fail (CS_IS_RUN_PAGE (self));

  /* the template's root, AdwBin's child */
  scroller = adw_bin_get_child (ADW_BIN (self));
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller)), 0);
}

static void
cs_run_page_dispose (GObject *object)
{
  CsRunPage *self = CS_RUN_PAGE (object);

  g_clear_handle_id (&self->update_source, g_source_remove);
  stop_cards (self);
  if (self->run_signals != NULL)
    g_signal_group_set_target (self->run_signals, NULL);

  gtk_widget_dispose_template (GTK_WIDGET (self), CS_TYPE_RUN_PAGE);

  g_clear_object (&self->run_signals);
  g_clear_object (&self->run);
  g_clear_object (&self->manager);

  G_OBJECT_CLASS (cs_run_page_parent_class)->dispose (object);
}

static void
cs_run_page_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  CsRunPage *self = CS_RUN_PAGE (object);

  switch (prop_id)
    {
    case PROP_RUN:
      g_value_set_object (value, self->run);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_run_page_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  CsRunPage *self = CS_RUN_PAGE (object);

  switch (prop_id)
    {
    case PROP_RUN:
      cs_run_page_set_run (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_run_page_class_init (CsRunPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cs_run_page_dispose;
  object_class->get_property = cs_run_page_get_property;
  object_class->set_property = cs_run_page_set_property;

  properties[PROP_RUN] =
    g_param_spec_object ("run", NULL, NULL,
                         CS_TYPE_RUN,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (CS_TYPE_RESULT_VIEW);
  g_type_ensure (CS_TYPE_VERTICAL_VIEWPORT);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/consilium/Consilium/cs-run-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CsRunPage, header_box);
  gtk_widget_class_bind_template_child (widget_class, CsRunPage, title_label);
  gtk_widget_class_bind_template_child (widget_class, CsRunPage, state_label);
  gtk_widget_class_bind_template_child (widget_class, CsRunPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, CsRunPage, problem_label);
  gtk_widget_class_bind_template_child (widget_class, CsRunPage, message_label);
  gtk_widget_class_bind_template_child (widget_class, CsRunPage, result_view);
  gtk_widget_class_bind_template_child (widget_class, CsRunPage, candidates_flow);
}

static void
cs_run_page_init (CsRunPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* in a narrow window Export goes under the title, which keeps the width */
  gtk_widget_set_layout_manager (self->header_box, cs_wrap_layout_new (12));
  cs_run_page_rounds_attach (self);

  self->run_signals = g_signal_group_new (CS_TYPE_RUN);
  g_signal_group_connect_swapped (self->run_signals, "notify::state", G_CALLBACK (cs_run_page_update), self);
  g_signal_group_connect_swapped (self->run_signals, "notify::title", G_CALLBACK (cs_run_page_update), self);
  g_signal_group_connect_swapped (self->run_signals, "notify::message", G_CALLBACK (cs_run_page_update), self);
  g_signal_group_connect_swapped (self->run_signals, "notify::synthesis", G_CALLBACK (cs_run_page_update), self);
  g_signal_group_connect_swapped (self->run_signals, "changed", G_CALLBACK (run_changed_cb), self);
  g_signal_group_connect_swapped (self->run_signals, "items-changed", G_CALLBACK (candidates_changed_cb), self);
}
