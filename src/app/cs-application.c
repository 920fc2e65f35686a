/* cs-application.c: the Consilium application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-application"

#include "config.h"

#include <glib/gi18n.h>
#include <gtksourceview/gtksource.h>

#include "cs-application.h"
#include "cs-preferences-window.h"
#include "cs-request-log.h"
#include "cs-window-private.h"

struct _CsApplication
{
  AdwApplication  parent_instance;

  CsConfigFile   *config_file;   /* the one configuration, and its file */
  char           *config_error;
  CsRunStore     *store;
  CsRunManager   *run_manager;  /* the runs in progress: not the windows' */
  GSettings      *settings;
  CsDemoProvider *demo_provider;  /* started on request, or NULL */
  GCancellable   *cancellable;
  guint           n_load_failures;  /* not yet reported */
  guint           history_loaded : 1;
};

G_DEFINE_FINAL_TYPE (CsApplication, cs_application, ADW_TYPE_APPLICATION)

/* How long quitting waits for the runs in progress to stop. */
#define RUN_STOP_TIMEOUT_MS 2000

enum {
  CONFIG_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

CsApplication *
cs_application_new (GApplicationFlags flags)
{
  return g_object_new (CS_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", flags,
                       "resource-base-path", "/io/github/consilium/Consilium",
                       NULL);
}

static void
config_file_changed_cb (CsApplication *self,
                        CsConfigFile  *file)
{
  const char *reason = cs_config_file_get_error (file);

  g_clear_pointer (&self->config_error, g_free);
  if (reason != NULL)
    self->config_error = g_strdup_printf (_("The providers file could not be read: %s"), reason);
  g_signal_emit (self, signals[CONFIG_CHANGED], 0);
}

CsConfigFile *
cs_application_get_config_file (CsApplication *self)
{
  g_return_val_if_fail (CS_IS_APPLICATION (self), NULL);

  if (self->config_file == NULL)
    {
      g_autofree char *path = cs_config_get_default_path ();

      self->config_file = cs_config_file_new (path);
      g_signal_connect_object (self->config_file, "changed",
                               G_CALLBACK (config_file_changed_cb), self, G_CONNECT_SWAPPED);
    }

  return self->config_file;
}

CsConfig *
cs_application_get_config (CsApplication *self)
{
  g_return_val_if_fail (CS_IS_APPLICATION (self), NULL);

  return cs_config_file_get_config (cs_application_get_config_file (self));
}

const char *
cs_application_get_config_error (CsApplication *self)
{
  g_return_val_if_fail (CS_IS_APPLICATION (self), NULL);

  return self->config_error;
}

CsRunStore *
cs_application_get_store (CsApplication *self)
{
  g_return_val_if_fail (CS_IS_APPLICATION (self), NULL);

  if (self->store == NULL)
    self->store = cs_run_store_new (NULL);

  return self->store;
}

CsRunManager *
cs_application_get_run_manager (CsApplication *self)
{
  g_return_val_if_fail (CS_IS_APPLICATION (self), NULL);

  if (self->run_manager == NULL)
    {
      GSettings *settings = cs_application_get_settings (self);

      self->run_manager = cs_run_manager_new (cs_application_get_store (self));
      g_settings_bind (settings, "quorum", self->run_manager, "quorum", G_SETTINGS_BIND_GET);
      g_settings_bind (settings, "deadline-seconds", self->run_manager, "deadline-seconds", G_SETTINGS_BIND_GET);
      g_settings_bind (settings, "run-budget", self->run_manager, "budget-usd", G_SETTINGS_BIND_GET);
    }

  return self->run_manager;
}

static void
log_prompts_changed_cb (GSettings  *settings,
                        const char *key,
                        gpointer    user_data)
{
  cs_request_log_set_log_prompts (g_settings_get_boolean (settings, key));
}

GSettings *
cs_application_get_settings (CsApplication *self)
{
  g_return_val_if_fail (CS_IS_APPLICATION (self), NULL);

  if (self->settings == NULL)
    {
      self->settings = g_settings_new (APP_ID);
      /* the request log keeps prompts only when the person asked for it */
      g_signal_connect (self->settings, "changed::log-prompts", G_CALLBACK (log_prompts_changed_cb), NULL);
      log_prompts_changed_cb (self->settings, "log-prompts", NULL);
    }

  return self->settings;
}

CsDemoProvider *
cs_application_get_demo_provider (CsApplication *self)
{
  g_return_val_if_fail (CS_IS_APPLICATION (self), NULL);

  if (self->demo_provider == NULL)
    self->demo_provider = cs_demo_provider_new ();

  return self->demo_provider;
}

guint
cs_application_take_load_failures (CsApplication *self)
{
  guint n;

  g_return_val_if_fail (CS_IS_APPLICATION (self), 0);

  if (!self->history_loaded)
    return 0;
  n = self->n_load_failures;
  self->n_load_failures = 0;
  return n;
}

static void
load_failed_cb (CsApplication *self,
                const char    *path,
                const char    *message,
                CsRunStore    *store)
{
  g_debug ("Could not read the saved run %s: %s", path, message);
  self->n_load_failures++;
}

static void
store_loaded_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(CsApplication) self = user_data;
  g_autoptr(GError) error = NULL;
  GtkWindow *window;

  if (!cs_run_store_load_finish (CS_RUN_STORE (object), result, &error))
    g_debug ("Loading the history failed: %s", error->message);

  self->history_loaded = TRUE;
  /* a window that exists already says so; a later one when it opens */
  window = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (CS_IS_WINDOW (window))
    _cs_window_report_load_failures (CS_WINDOW (window));
}

static void
cs_application_activate (GApplication *app)
{
  CsApplication *self = CS_APPLICATION (app);
  GtkWindow *window;

  window = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (window == NULL)
    window = GTK_WINDOW (cs_window_new (self));

  gtk_window_present (window);
}

static void
quit_action (GSimpleAction *action,
             GVariant      *param,
             gpointer       user_data)
{
  CsApplication *self = user_data;
  GList *windows;

  /* Quitting stops the runs in progress (saved as cancelled), so the
   * windows close without asking. */
  if (self->run_manager != NULL)
    cs_run_manager_shutdown (self->run_manager, RUN_STOP_TIMEOUT_MS);

  /* Close windows so they save their size and draft. */
  windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (l->data);
  g_list_free (windows);

  if (self->store != NULL)
    cs_run_store_flush (self->store);

  g_application_quit (G_APPLICATION (self));
}

static void
about_action (GSimpleAction *action,
              GVariant      *param,
              gpointer       user_data)
{
  CsApplication *self = user_data;
  const char *developers[] = { _("The Consilium authors"), NULL };

  adw_show_about_window (gtk_application_get_active_window (GTK_APPLICATION (self)),
                         "application-name", _("Consilium"),
                         "application-icon", APP_ID,
                         "developer-name", _("The Consilium authors"),
                         "version", PACKAGE_VERSION,
                         "comments", _("Ask several language models at once and get one synthesized answer: an architecture blueprint or a troubleshooting checklist."),
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "developers", developers,
                         "translator-credits", _("translator-credits"),
                         NULL);
}

static CsPreferencesWindow *
show_preferences (CsApplication *self)
{
  GtkWindow *parent;
  GtkWindow *prefs;

  parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  prefs = GTK_WINDOW (cs_preferences_window_new (self));
  if (parent != NULL)
    gtk_window_set_transient_for (prefs, parent);
  gtk_window_present (prefs);
  return CS_PREFERENCES_WINDOW (prefs);
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *param,
                    gpointer       user_data)
{
  show_preferences (user_data);
}

/* The preferences at the models' prices (the estimate's Set Prices…). */
static void
prices_action (GSimpleAction *action,
               GVariant      *param,
               gpointer       user_data)
{
  cs_preferences_window_show_prices (show_preferences (user_data));
}

/* The keyboard shortcuts window, built when asked for: GTK builds a
 * "gtk/help-overlay.ui" for every new window, before its first frame. */
static void
shortcuts_action (GSimpleAction *action,
                  GVariant      *param,
                  gpointer       user_data)
{
  CsApplication *self = user_data;
  g_autoptr(GtkBuilder) builder = gtk_builder_new_from_resource ("/io/github/consilium/Consilium/help-overlay.ui");
  GtkWindow *shortcuts = GTK_WINDOW (gtk_builder_get_object (builder, "help_overlay"));
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (parent != NULL)
    gtk_window_set_transient_for (shortcuts, parent);
  /* a new one each time: closed is destroyed */
  gtk_window_set_hide_on_close (shortcuts, FALSE);
  gtk_window_present (shortcuts);
}

static const GActionEntry app_actions[] = {
  { "quit", quit_action },
  { "about", about_action },
  { "preferences", preferences_action },
  { "prices", prices_action },
  { "shortcuts", shortcuts_action },
};

static void
cs_application_startup (GApplication *app)
{
  CsApplication *self = CS_APPLICATION (app);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *prefs_accels[] = { "<Control>comma", NULL };
  static const char *shortcuts_accels[] = { "<Control>question", NULL };

  G_APPLICATION_CLASS (cs_application_parent_class)->startup (app);

  gtk_source_init ();

  g_action_map_add_action_entries (G_ACTION_MAP (self),
                                   app_actions, G_N_ELEMENTS (app_actions),
                                   self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences", prefs_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.shortcuts", shortcuts_accels);

  cs_application_get_settings (self);
  cs_config_file_load (cs_application_get_config_file (self));
  /* the demo provider it set up before, if any: started again */
  cs_demo_provider_restore (cs_application_get_demo_provider (self), self->config_file);
  g_signal_connect_object (cs_application_get_store (self), "load-failed",
                           G_CALLBACK (load_failed_cb), self, G_CONNECT_SWAPPED);
  cs_run_store_load_async (cs_application_get_store (self),
                           self->cancellable,
                           store_loaded_cb,
                           g_object_ref (self));
}

static void
cs_application_shutdown (GApplication *app)
{
  CsApplication *self = CS_APPLICATION (app);

  if (self->run_manager != NULL)
    cs_run_manager_shutdown (self->run_manager, RUN_STOP_TIMEOUT_MS);
  if (self->store != NULL)
    cs_run_store_flush (self->store);
  if (self->demo_provider != NULL)
    cs_demo_provider_stop (self->demo_provider);

  G_APPLICATION_CLASS (cs_application_parent_class)->shutdown (app);
}

static void
cs_application_dispose (GObject *object)
{
  CsApplication *self = CS_APPLICATION (object);

  g_cancellable_cancel (self->cancellable);
  if (self->run_manager != NULL)
    cs_run_manager_cancel_all (self->run_manager);
  g_clear_object (&self->run_manager);
  g_clear_object (&self->store);
  g_clear_object (&self->config_file);
  g_clear_object (&self->settings);
  if (self->demo_provider != NULL)
    cs_demo_provider_stop (self->demo_provider);
  g_clear_object (&self->demo_provider);

  G_OBJECT_CLASS (cs_application_parent_class)->dispose (object);
}

static void
cs_application_finalize (GObject *object)
{
  CsApplication *self = CS_APPLICATION (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->config_error, g_free);

  G_OBJECT_CLASS (cs_application_parent_class)->finalize (object);
}

static void
cs_application_class_init (CsApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = cs_application_dispose;
  object_class->finalize = cs_application_finalize;
  app_class->startup = cs_application_startup;
  app_class->shutdown = cs_application_shutdown;
  app_class->activate = cs_application_activate;

  /**
   * CsApplication::config-changed:
   *
   * The providers configuration was read, edited, written or replaced, or
   * its file could not be read (cs_application_get_config_error()).
   */
  signals[CONFIG_CHANGED] =
    g_signal_new ("config-changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
cs_application_init (CsApplication *self)
{
  self->cancellable = g_cancellable_new ();
}
