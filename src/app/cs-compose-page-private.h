/* cs-compose-page-private.h: what cs-compose-page*.c files and the UI tests share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtksourceview/gtksource.h>

#include "cs-compose-page.h"
#include "cs-estimate-button.h"
#include "cs-knobs-popover.h"

G_BEGIN_DECLS

typedef struct
{
  char           *id;           /* "provider/model" */
  GtkWidget      *row;          /* in models_list */
  GtkCheckButton *check;
  GtkSpinButton  *spin;
  GtkMenuButton  *knobs_button;
  CsModelKnobs   *knobs;        /* this model's settings for the run (the popover is built when opened) */
} CsModelRow;

struct _CsComposePage
{
  AdwBin                parent_instance;

  GSettings            *settings;
  CsConfig             *config;
  CsMode                mode;
  GPtrArray            *model_rows;       /* of CsModelRow* */
  guint                 n_model_rows_built;  /* for the tests */
  GtkStringList        *judge_ids;        /* "" then "provider/model" */
  guint                 draft_source;
  guint                 language_source;  /* highlighting, after the first frame */
  guint                 restoring : 1;
  guint                 has_problem : 1;
  guint                 sent : 1;

  /* template children */
  GtkSourceView        *problem_view;
  GtkLabel             *problem_placeholder;
  AdwPreferencesGroup  *architect_group;
  AdwPreferencesGroup  *support_group;
  AdwEntryRow          *budget_row;
  AdwEntryRow          *technologies_row;
  AdwEntryRow          *scale_row;
  AdwEntryRow          *hosting_row;
  AdwEntryRow          *os_row;
  AdwEntryRow          *stack_row;
  AdwEntryRow          *tried_row;
  AdwPreferencesGroup  *models_group;
  GtkListBox           *models_list;
  AdwComboRow          *judge_row;

  /* cs-compose-page-synthesis.c */
  AdwComboRow          *fallback_row;
  GtkSwitch            *rank_switch;
  guint                 models_source;    /* the rows, after the first frame */
  guint                 models_ready : 1;
  guint                 models_pending : 1;
  guint                 synthesis_restored : 1;
  guint                 synthesis_mirroring : 1;
  CsEstimateButton     *estimate_button; /* beside Run, in the window's header */
  guint                 estimate_source;
};

/* cs-compose-page-models.c */
void   _cs_compose_page_models_init     (CsComposePage *self);
/* The rows for the configuration, the selection from the settings (a
 * mode chosen, the settings given); rows are made again only when the
 * models changed. */
void   _cs_compose_page_rebuild_models  (CsComposePage *self);
/* The rows for a new configuration: the selection as it is. */
void   _cs_compose_page_update_models   (CsComposePage *self);
/* The rows made now if they wait for the page's first frame. */
void   _cs_compose_page_flush_models    (CsComposePage *self);
void   _cs_compose_page_models_dispose  (CsComposePage *self);
void   _cs_compose_page_save_models     (CsComposePage *self);
GStrv  _cs_compose_page_dup_models      (CsComposePage *self);
char  *_cs_compose_page_dup_judge       (CsComposePage *self);
/* The settings of the ticked models' popovers into @run. */
void   _cs_compose_page_apply_knobs     (CsComposePage *self,
                                         CsRun         *run);

/* cs-compose-page-cost.c: the estimate beside Run */
/* The window's button that shows the estimate; estimates at once. */
void   _cs_compose_page_set_estimate_button (CsComposePage    *self,
                                             CsEstimateButton *button);
/* Estimates again a moment after the last change. */
void   _cs_compose_page_queue_estimate  (CsComposePage *self);
void   _cs_compose_page_cost_dispose    (CsComposePage *self);
/* The estimate of what the page says now, for the tests and the budget
 * question; NULL without models. */
CsEstimate *_cs_compose_page_estimate   (CsComposePage *self);

/* cs-compose-page-synthesis.c: the fallback judge and peer ranking rows */
void   _cs_compose_page_synthesis_init  (CsComposePage *self);
/* The fallback judge and peer ranking chosen, into a scratch run for the
 * estimate (nothing remembered). */
void   _cs_compose_page_estimate_synthesis (CsComposePage *self,
                                            CsRun         *run);
/* Sets the run's fallback judge and peer ranking, remembers them. */
void   _cs_compose_page_apply_synthesis (CsComposePage *self,
                                         CsRun         *run);

G_END_DECLS
