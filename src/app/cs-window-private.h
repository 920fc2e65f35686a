/* cs-window-private.h: what cs-window*.c files and the UI tests share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cs-window.h"
#include "cs-compose-page-private.h"
#include "cs-estimate-button.h"
#include "cs-run-page-private.h"

G_BEGIN_DECLS

struct _CsWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;
  CsRunStore           *store;
  CsRunManager         *manager;
  GtkFilterListModel   *history_model;
  GtkCustomFilter      *history_filter;
  GHashTable           *pending_delete;   /* run id → CsRun */
  char                 *mode;             /* "architect" or "support" */
  char                 *started_id;       /* the run this window started last */
  GCancellable         *cancellable;      /* the window's lifetime */
  guint                 dates_source;     /* refreshes "5 minutes ago" */
  guint                 welcome_source;   /* looks for the demo provider again */
  guint                 welcome_retries;
  guint                 n_toasts;         /* shown so far, for the tests */
  char                 *last_toast;
  guint                 close_confirmed : 1;

  /* template children */
  AdwToastOverlay      *toast_overlay;
  AdwLeaflet           *leaflet;
  GtkWidget            *sidebar;
  GtkWidget            *sidebar_separator;
  GtkStack             *history_stack;
  GtkListBox           *history_list;
  GtkWidget            *main_box;
  GtkStack             *run_button_stack;
  CsEstimateButton     *estimate_button;
  GtkStack             *main_stack;
  AdwStatusPage        *welcome_page;
  GtkListBox           *welcome_list;
  CsComposePage        *compose_page;
  CsRunPage            *run_page;          /* built on first use: _cs_window_get_run_page () */
};

/* cs-window.c */
/* characters a toast shows whole in a narrow window; a longer message
 * gets a Details button (win.toast-details) */
#define CS_WINDOW_TOAST_SHORT 48
void      _cs_window_toast              (CsWindow      *self,
                                         const char    *message);
/* A toast whose button (@button_label, or NULL for none) activates
 * @action with the string @target. */
void      _cs_window_toast_with_button  (CsWindow      *self,
                                         const char    *message,
                                         const char    *button_label,
                                         const char    *action,
                                         const char    *target);
/* One toast for the saved runs the application could not read. */
void      _cs_window_report_load_failures (CsWindow    *self);
CsConfig *_cs_window_get_config         (CsWindow      *self);
void      _cs_window_show_run           (CsWindow      *self,
                                         CsRun         *run);
void      _cs_window_show_compose       (CsWindow      *self);
void      _cs_window_set_mode           (CsWindow      *self,
                                         const char    *mode);
/* Checks exactly these models ("provider/model" or "provider/model:COUNT"). */
void      _cs_window_select_models      (CsWindow      *self,
                                         const char * const *models);
/* The judge ("provider/model", NULL for none). */
void      _cs_window_select_judge       (CsWindow      *self,
                                         const char    *model_id);
/* The run shown on the run page (NULL before the first). */
CsRun    *_cs_window_get_run            (CsWindow      *self);
CsRunPage *_cs_window_get_run_page      (CsWindow      *self);
/* A run is in progress (in this window or another: one at a time). */
gboolean  _cs_window_is_running         (CsWindow      *self);
GtkTextBuffer *_cs_window_get_problem_buffer (CsWindow *self);

/* cs-window-actions.c */
void      _cs_window_class_actions_init (CsWindowClass *klass);
void      _cs_window_actions_update     (CsWindow      *self);
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
/* What the save dialog does with the file chosen: remembers its folder,
 * exports, shows a toast. */
void      _cs_window_export_to_file     (CsWindow            *self,
                                         GFile               *file,
                                         gboolean             json);
/* The name the save dialog offers: the run's title, at most 60 characters,
 * then @ext. */
char     *_cs_window_export_file_name   (CsRun               *run,
                                         const char          *ext);

/* cs-window-runs.c: the window and the run manager */
void      _cs_window_runs_connect       (CsWindow      *self);
void      _cs_window_start_run          (CsWindow      *self);
/* Cancels the run in progress (one at a time, wherever started). */
void      _cs_window_cancel_run         (CsWindow      *self);
/* TRUE, or FALSE after asking whether to stop the runs in progress (the
 * last window closing quits the application). */
gboolean  _cs_window_may_close          (CsWindow      *self);

/* cs-window-history.c: the sidebar, rename and delete with undo */
void      _cs_window_history_setup      (CsWindow      *self);
void      _cs_window_history_select     (CsWindow      *self,
                                         CsRun         *run);
void      _cs_window_history_dispose    (CsWindow      *self);
void      _cs_window_class_history_init (CsWindowClass *klass);

/* cs-window-welcome.c: the welcome page's rows: presets, a local Ollama,
 * the demo provider */
void      _cs_window_fill_welcome       (CsWindow      *self);

G_END_DECLS
