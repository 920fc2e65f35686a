/* cs-run-page-private.h: the run page's parts, for the UI tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cs-run-page.h"
#include "cs-result-view.h"

G_BEGIN_DECLS

struct _CsRunPage
{
  AdwBin              parent_instance;

  CsRun              *run;
  CsRunManager       *manager;
  GSignalGroup       *run_signals;
  guint               update_source;  /* throttles updates while candidates stream */
  guint               update_dirty : 1;
  guint               n_cards;        /* the run's first candidates have cards */
  guint               cards_tick;     /* adds the others, a few a frame */
  guint               cards_wait : 1; /* the page's own first frame has none */

  /* template children */
  GtkWidget          *header_box;     /* title and state, Export, spinner: a line that wraps */
  GtkLabel           *title_label;
  GtkLabel           *state_label;
  GtkSpinner         *spinner;
  GtkLabel           *problem_label;
  GtkLabel           *message_label;
  CsResultView       *result_view;
  GtkFlowBox         *candidates_flow;
};

G_END_DECLS
