/* cs-window-private.h: what cs-window*.c files and the UI tests share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtksourceview/gtksource.h>

#include "cs-window.h"
#include "cs-result-view.h"

G_BEGIN_DECLS

typedef struct
{
  char           *id;           /* "provider/model" */
  GtkCheckButton *check;
  GtkSpinButton  *spin;
} CsModelRow;

struct _CsWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;
  CsRunStore           *store;
  GtkFilterListModel   *history_model;
  GtkCustomFilter      *history_filter;
  GHashTable           *pending_delete;   /* run id → CsRun */
  GHashTable           *runners;          /* run id → CsRunner */

  char                 *mode;             /* "architect" or "support" */
  CsRun                *run;              /* the run shown on the run page */
  GSignalGroup         *run_signals;
  CsRun                *running_run;      /* the run executing, if any */
  GCancellable         *run_cancellable;
  GCancellable         *cancellable;      /* the window's lifetime */

  GPtrArray            *model_rows;       /* of CsModelRow* */
  GtkStringList        *judge_ids;        /* "" then "provider/model" */
  guint                 draft_source;
  guint                 dates_source;     /* refreshes "5 minutes ago" */
  guint                 welcome_source;   /* looks for the demo provider again */
  guint                 welcome_retries;
  GHashTable           *save_failures;    /* run id → time of the last failure (µs) */
  guint                 save_check_source;
  guint                 run_page_source;  /* throttles updates while candidates stream */
  guint                 run_page_dirty : 1;
  guint                 n_toasts;         /* shown so far, for the tests */
  char                 *last_toast;
  guint                 restoring : 1;

  /* template children */
  AdwToastOverlay      *toast_overlay;
  AdwLeaflet           *leaflet;
  GtkWidget            *sidebar;
  GtkWidget            *sidebar_separator;
  GtkStack             *history_stack;
  GtkListBox           *history_list;
  GtkWidget            *main_box;
  GtkStack             *run_button_stack;
  GtkStack             *main_stack;
  AdwStatusPage        *welcome_page;
  GtkListBox           *welcome_list;
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
  GtkLabel             *run_title_label;
  GtkLabel             *run_state_label;
  GtkSpinner           *run_spinner;
  GtkLabel             *run_message_label;
  GtkLabel             *run_problem_label;
  CsResultView         *result_view;
  GtkFlowBox           *candidates_flow;
};

/* cs-window-actions.c */
void      _cs_window_class_actions_init (CsWindowClass *klass);
void      _cs_window_actions_update     (CsWindow      *self);
void      _cs_window_toast              (CsWindow      *self,
                                         const char    *message);
/* One toast for the saved runs the application could not read. */
void      _cs_window_report_load_failures (CsWindow    *self);
/* The welcome page's rows: presets, a local Ollama, the demo provider. */
void      _cs_window_fill_welcome       (CsWindow      *self);

/* cs-window.c */
CsRunner *_cs_window_ensure_runner      (CsWindow      *self,
                                         CsRun         *run);
void      _cs_window_start_run          (CsWindow      *self);
void      _cs_window_cancel_run         (CsWindow      *self);
void      _cs_window_show_run           (CsWindow      *self,
                                         CsRun         *run);
void      _cs_window_show_compose       (CsWindow      *self);
void      _cs_window_set_mode           (CsWindow      *self,
                                         const char    *mode);
/* Checks exactly these models ("provider/model" or "provider/model:COUNT"). */
void      _cs_window_select_models      (CsWindow      *self,
                                         const char * const *models);
CsRun    *_cs_window_get_run            (CsWindow      *self);
gboolean  _cs_window_is_running         (CsWindow      *self);
GtkTextBuffer *_cs_window_get_problem_buffer (CsWindow *self);

/* Writes the shown run as Markdown (or JSON) to @file: the export action
 * without its file chooser. */
void      _cs_window_export_async       (CsWindow            *self,
                                         GFile               *file,
                                         gboolean             json,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
gboolean  _cs_window_export_finish      (CsWindow            *self,
                                         GAsyncResult        *result,
                                         GError             **error);

G_END_DECLS
