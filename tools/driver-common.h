/* driver-common.h: what the screenshot and walk drivers share: the
 * problems they type, fresh XDG folders, the test provider and its
 * providers file, the window at a size, composing and starting a run,
 * waiting for it, and saving PNGs (a failure ends the driver with a message)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cs-window-private.h"
#include "test-ui-util.h"

G_BEGIN_DECLS

extern const char *driver_architect_problem;
extern const char *driver_support_problem;
/* the panel of every run the drivers start */
extern const char *driver_models[];

/* Names the driver in its messages and sets where the PNGs go (made). */
void            driver_init              (const char  *name,
                                          const char  *out_dir);
const char     *driver_get_out_dir       (void);
/* "NAME: MESSAGE" on standard error, and exit status 1. */
G_NORETURN void driver_fail              (const char  *format,
                                          ...) G_GNUC_PRINTF (1, 2);

/* A fresh temporary folder (remove it with cs_test_rm_rf) holding the XDG
 * data and config homes, set in the environment with memory settings;
 * @config_home is the config home. */
char           *driver_make_dirs         (const char  *template,
                                          char       **config_home);
/* The in-process test provider, started. */
CsTestProvider *driver_start_provider    (void);
/* A providers file for the demo provider at @base_url, then @extra (or
 * NULL): more providers. */
void            driver_write_config      (const char  *config_home,
                                          const char  *base_url,
                                          const char  *extra);
/* A new window of @app whose content (not its frame) is @width x @height,
 * shown and drawn. */
CsWindow       *driver_open_window       (CsApplication *app,
                                          int          width,
                                          int          height);

/* @window, transient for @parent, shown and drawn. */
void            driver_show_window       (GtkWindow   *window,
                                          GtkWindow   *parent);

/* Lets time itself pass (streaming half-way, an animation ending): never
 * where a state can be asked for. */
void            driver_pause             (guint        ms);
/* The architect problem, its constraints, the panel and the judge. */
void            driver_compose_architect (CsWindow    *win);
/* The support problem, its context with @tried, the panel and @judge (or
 * the one chosen before, for NULL). */
void            driver_compose_support   (CsWindow    *win,
                                          const char  *tried,
                                          const char  *judge);
/* Starts the run composed; the driver fails when it does not start. */
void            driver_run               (CsWindow    *win);
/* When driver_run() last started one (monotonic). */
gint64          driver_get_run_started   (void);
/* Waits for the run shown to end and its result to be built. */
gboolean        driver_wait_run_end      (CsWindow    *win,
                                          guint        timeout_ms);
/* A follow-up round through the bar's @action, and its end. */
void            driver_follow_up         (CsWindow    *win,
                                          const char  *action);

/* @widget as OUT_DIR/@name (its path and size printed). */
void            driver_save_widget       (GtkWidget   *widget,
                                          const char  *name);
/* The window's content (without its frame) as OUT_DIR/@name. */
void            driver_save_shot         (CsWindow    *win,
                                          const char  *name);

G_END_DECLS
