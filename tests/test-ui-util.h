/* test-ui-util.h: what the widget tests and the screenshot drivers share:
 * the app started under its own id, a providers file written, frames
 * waited for and a widget saved as a PNG
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cs-application.h"
#include "test-util.h"

G_BEGIN_DECLS

/* Writes @ini as @config_home/consilium/providers.ini. */
void            cs_test_ui_write_providers (const char  *config_home,
                                            const char  *ini);

/* A registered, non-unique application with an id of its own
 * (APP_ID.@tag and a counter: a "restart" gets a new one, as the bus may
 * still hold the last). */
CsApplication  *cs_test_ui_start_app       (const char  *tag);

/* @root or the first of its descendants (depth first) named @name. */
GtkWidget      *cs_test_ui_find_named      (GtkWidget   *root,
                                            const char  *name);

/* Waits until @widget's frame clock has drawn @n_frames more frames, at
 * most @timeout_ms times the slack; FALSE when it did not (an unmapped
 * widget draws none). */
gboolean        cs_test_ui_wait_frames     (GtkWidget   *widget,
                                            guint        n_frames,
                                            guint        timeout_ms);

/* Waits until the app is settled: every mapped window has drawn two more
 * frames (so what changed is laid out) and an idle at low priority ran (so
 * the idles queued before it did), at most @timeout_ms times the slack;
 * FALSE when it did not. In place of a sleep before looking at widgets. */
gboolean        cs_test_ui_settle          (guint        timeout_ms);
/* Waits until @page (a CsComposePage) has made its model rows, which it
 * does in the frame after its first one; FALSE after @timeout_ms. */
gboolean        cs_test_ui_wait_models     (gpointer     page,
                                            guint        timeout_ms);

/* Renders @widget with its window's renderer into a PNG at @path, once it
 * has drawn something (a window just resized draws on its next frame);
 * FALSE with @error when nothing was drawn in @timeout_ms times the slack
 * or the file could not be written. */
gboolean        cs_test_ui_save_png        (GtkWidget   *widget,
                                            const char  *path,
                                            guint        timeout_ms,
                                            GError     **error);

/* With CS_TEST_UI_SHOTS=DIR, saves @widget as DIR/@name (failing the test
 * when it cannot); nothing otherwise. */
void            cs_test_ui_save_shot       (GtkWidget   *widget,
                                            const char  *name);

/* The pages a person can pick in @window (its view switcher's), in order:
 * not libadwaita's search-results page, an AdwPreferencesPage outside the
 * view stack that set_visible_page () does not know. */
GPtrArray      *cs_test_ui_preferences_pages (AdwPreferencesWindow *window);

#ifdef CS_TEST_UI_X11
/* Presses @keysym (with @modifier held, if not 0) on the X server, as a
 * person would; FALSE when XTest is not there. */
gboolean        cs_test_ui_press_key       (GtkWidget   *window,
                                            gulong       modifier,
                                            gulong       keysym);
/* Turns the mouse wheel one notch (down for @down, else up) with the
 * pointer over @widget's point @x, @y, on the X server, as a person
 * would; FALSE when XTest is not there. */
gboolean        cs_test_ui_wheel           (GtkWidget   *widget,
                                            double       x,
                                            double       y,
                                            gboolean     down);
#endif

G_END_DECLS
