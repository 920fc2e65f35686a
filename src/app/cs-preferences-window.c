/* cs-preferences-window.c: providers, models, keys and limits
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-preferences-window"

#include "config.h"

#include <glib/gi18n.h>

#include "cs-preferences-window.h"

struct _CsPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  CsApplication        *app;
};

G_DEFINE_FINAL_TYPE (CsPreferencesWindow, cs_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

CsPreferencesWindow *
cs_preferences_window_new (CsApplication *app)
{
  CsPreferencesWindow *self = g_object_new (CS_TYPE_PREFERENCES_WINDOW, NULL);

  self->app = g_object_ref (app);
  return self;
}

static void
cs_preferences_window_dispose (GObject *object)
{
  CsPreferencesWindow *self = CS_PREFERENCES_WINDOW (object);

  g_clear_object (&self->app);

  G_OBJECT_CLASS (cs_preferences_window_parent_class)->dispose (object);
}

static void
cs_preferences_window_class_init (CsPreferencesWindowClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = cs_preferences_window_dispose;
}

static void
cs_preferences_window_init (CsPreferencesWindow *self)
{
}
