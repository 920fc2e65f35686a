/* cs-window.c: the main window: shows the history, the compose page and the run page
 *
 * The window holds no run: runs belong to the application's CsRunManager,
 * the question being written to the CsComposePage, the run shown to the
 * CsRunPage. The window switches pages, hands the composed run to the
 * manager and says what happened in toasts. Closing it leaves runs
 * running, unless it is the last window: then it asks first (see
 * docs/ARCHITECTURE.md, "Who owns a run").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-window"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "cs-candidate-card.h"
#include "cs-window-private.h"

G_DEFINE_FINAL_TYPE (CsWindow, cs_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_MODE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static CsApplication *
get_app (CsWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  return CS_IS_APPLICATION (app) ? CS_APPLICATION (app) : NULL;
}

CsConfig *
_cs_window_get_config (CsWindow *self)
{
  CsApplication *app = get_app (self);

  return app != NULL ? cs_application_get_config (app) : NULL;
}

void
_cs_window_toast_with_button (CsWindow   *self,
                              const char *message,
                              const char *button_label,
                              const char *action,
                              const char *target)
{
  AdwToast *toast;
  g_autofree char *escaped = NULL;

  g_return_if_fail (CS_IS_WINDOW (self));

  /* a closed window has nowhere to show it */
  if (self->toast_overlay == NULL)
    return;

  /* toast titles are Pango markup on libadwaita 1.2; messages may quote
   * model or server text */
  escaped = g_markup_escape_text (message, -1);
  toast = adw_toast_new (escaped);
  adw_toast_set_timeout (toast, 5);
  /* a toast's title is one line, cut short where it does not fit: a long
   * message (an error with its path and reason) is read whole behind
   * Details */
  if (button_label == NULL &&
      (g_utf8_strlen (message, -1) > CS_WINDOW_TOAST_SHORT || strchr (message, '\n') != NULL))
    {
      button_label = _("_Details");
      action = "win.toast-details";
      target = message;
    }
  if (button_label != NULL)
    {
      adw_toast_set_button_label (toast, button_label);
      adw_toast_set_action_name (toast, action);
      adw_toast_set_action_target_value (toast, g_variant_new_string (target));
    }
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
  self->n_toasts++;
  g_free (self->last_toast);
  self->last_toast = g_strdup (message);
}

void
_cs_window_toast (CsWindow   *self,
                  const char *message)
{
  _cs_window_toast_with_button (self, message, NULL, NULL, NULL);
}

void
_cs_window_report_load_failures (CsWindow *self)
{
  CsApplication *app;
  guint n;
  g_autofree char *message = NULL;

  g_return_if_fail (CS_IS_WINDOW (self));

  app = get_app (self);
  if (app == NULL || (n = cs_application_take_load_failures (app)) == 0)
    return;

  /* the paths and reasons went to g_debug as they came */
  message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                          "%u saved run could not be read",
                                          "%u saved runs could not be read", n), n);
  _cs_window_toast (self, message);
}

/* -------------------------------------------------------------------------
 * Pages
 */

/* The welcome page while no provider is configured (a run shown stays). */
static void
update_main_page (CsWindow *self)
{
  CsConfig *config = _cs_window_get_config (self);
  const char *page = gtk_stack_get_visible_child_name (self->main_stack);
  gboolean empty = config == NULL || cs_config_get_providers (config)->len == 0;

  if (empty && g_strcmp0 (page, "run") != 0)
    gtk_stack_set_visible_child_name (self->main_stack, "welcome");
  else if (!empty && g_strcmp0 (page, "welcome") == 0)
    gtk_stack_set_visible_child_name (self->main_stack, "compose");
}

static void
config_changed_cb (CsWindow      *self,
                   CsApplication *app)
{
  cs_compose_page_set_config (self->compose_page, _cs_window_get_config (self));
  update_main_page (self);
  _cs_window_fill_welcome (self);
  _cs_window_actions_update (self);
}

static void apply_mode (CsWindow   *self,
                        const char *mode);

void
_cs_window_show_run (CsWindow *self,
                     CsRun    *run)
{
  g_return_if_fail (CS_IS_WINDOW (self));
  g_return_if_fail (CS_IS_RUN (run));

  if (cs_run_page_get_run (_cs_window_get_run_page (self)) == run)
    cs_run_page_update (self->run_page);
  else
    cs_run_page_set_run (self->run_page, run);
  /* the switcher says which mode the run shown is in */
  apply_mode (self, cs_mode_to_string (cs_run_get_mode (run)));
  gtk_stack_set_visible_child_name (self->main_stack, "run");
  _cs_window_history_select (self, run);
  _cs_window_actions_update (self);
}

void
_cs_window_show_compose (CsWindow *self)
{
  g_return_if_fail (CS_IS_WINDOW (self));

  gtk_stack_set_visible_child_name (self->main_stack, "compose");
  adw_leaflet_set_visible_child (self->leaflet, self->main_box);
  update_main_page (self);
  gtk_list_box_unselect_all (self->history_list);
  _cs_window_actions_update (self);
  cs_compose_page_focus_problem (self->compose_page);
}

/* The header's mode switcher and the compose page show @mode. */
static void
apply_mode (CsWindow   *self,
            const char *mode)
{
  CsMode parsed;

  if (mode == NULL || !cs_mode_from_string (mode, &parsed))
    {
      mode = "architect";
      parsed = CS_MODE_ARCHITECT;
    }

  if (g_strcmp0 (self->mode, mode) != 0)
    {
      g_free (self->mode);
      self->mode = g_strdup (mode);
      if (self->settings != NULL)
        g_settings_set_string (self->settings, "last-mode", mode);
      cs_compose_page_set_mode (self->compose_page, parsed);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODE]);
    }
}

void
_cs_window_set_mode (CsWindow   *self,
                     const char *mode)
{
  g_return_if_fail (CS_IS_WINDOW (self));

  apply_mode (self, mode);

  /* Choosing a mode means writing a new question. */
  if (self->settings != NULL &&
      g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "run") == 0)
    _cs_window_show_compose (self);
}

CsRun *
_cs_window_get_run (CsWindow *self)
{
  g_return_val_if_fail (CS_IS_WINDOW (self), NULL);

  return self->run_page != NULL ? cs_run_page_get_run (self->run_page) : NULL;
}

/* The run page, built on first use: a window that shows no run at launch
 * does not build it before its first frame (the window builds it half a
 * second later, see prepare_cb, so that the first run does not wait for
 * it either). NULL once the window is disposed. */
CsRunPage *
_cs_window_get_run_page (CsWindow *self)
{
  g_return_val_if_fail (CS_IS_WINDOW (self), NULL);

  if (self->run_page == NULL && self->main_stack != NULL)
    {
      self->run_page = g_object_new (CS_TYPE_RUN_PAGE, NULL);
      gtk_stack_add_named (self->main_stack, GTK_WIDGET (self->run_page), "run");
      cs_run_page_set_manager (self->run_page, self->manager);
    }
  return self->run_page;
}

gboolean
_cs_window_is_running (CsWindow *self)
{
  g_return_val_if_fail (CS_IS_WINDOW (self), FALSE);

  return self->manager != NULL && cs_run_manager_get_n_running (self->manager) > 0;
}

void
_cs_window_select_models (CsWindow           *self,
                          const char * const *models)
{
  g_return_if_fail (CS_IS_WINDOW (self));

  cs_compose_page_select_models (self->compose_page, models);
}

void
_cs_window_select_judge (CsWindow   *self,
                         const char *model_id)
{
  g_return_if_fail (CS_IS_WINDOW (self));

  cs_compose_page_select_judge (self->compose_page, model_id);
}

GtkTextBuffer *
_cs_window_get_problem_buffer (CsWindow *self)
{
  g_return_val_if_fail (CS_IS_WINDOW (self), NULL);

  return cs_compose_page_get_buffer (self->compose_page);
}

/* -------------------------------------------------------------------------
 * GObject
 */

static gboolean
invert_boolean (gpointer instance,
                gboolean value)
{
  return !value;
}

/* The bar at the bottom has the mode switcher when the header's squeezer
 * shows neither of its two (only the window's title, or nothing). */
static gboolean
mode_bar_wanted (gpointer   instance,
                 GtkWidget *shown)
{
  return shown == NULL || ADW_IS_WINDOW_TITLE (shown);
}

/* Keeps the size and the draft; see _cs_window_may_close(). */
static gboolean
cs_window_close_request (GtkWindow *window)
{
  CsWindow *self = CS_WINDOW (window);
  int width, height;

  cs_compose_page_flush_draft (self->compose_page);

  gtk_window_get_default_size (window, &width, &height);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));

  if (!_cs_window_may_close (self))
    return TRUE;

  return GTK_WINDOW_CLASS (cs_window_parent_class)->close_request (window);
}

/* Once the window is up, before the first run needs them: the run page,
 * what the first card would otherwise load, and the keyring's session. */
static gboolean
prepare_cb (gpointer user_data)
{
  CsWindow *self = user_data;
  CsConfig *config = _cs_window_get_config (self);

  _cs_window_get_run_page (self);
  cs_candidate_card_prepare (GTK_WIDGET (self));
  if (config != NULL && cs_config_get_providers (config)->len > 0)
    cs_secrets_prepare ();
  return G_SOURCE_REMOVE;
}

/* The application's settings, history and run manager (or the window's
 * own, without an application). */
static void
take_owners (CsWindow *self)
{
  CsApplication *app = get_app (self);

  if (app != NULL)
    {
      self->settings = g_object_ref (cs_application_get_settings (app));
      self->store = g_object_ref (cs_application_get_store (app));
      self->manager = g_object_ref (cs_application_get_run_manager (app));
      g_signal_connect_object (app, "config-changed", G_CALLBACK (config_changed_cb), self, G_CONNECT_SWAPPED);
    }
  else
    {
      self->settings = g_settings_new (APP_ID);
      self->store = cs_run_store_new (NULL);
      self->manager = cs_run_manager_new (self->store);
    }

  _cs_window_runs_connect (self);
}

/* After construction: "application" is set only after constructed(). */
static void
cs_window_setup (CsWindow *self)
{
  g_autofree char *mode = NULL;

  take_owners (self);

  g_settings_bind (self->settings, "sidebar-visible", self->sidebar, "visible", G_SETTINGS_BIND_GET);
  g_settings_bind (self->settings, "sidebar-visible", self->sidebar_separator, "visible", G_SETTINGS_BIND_GET);
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  _cs_window_history_setup (self);
  cs_compose_page_set_settings (self->compose_page, self->settings);
  mode = g_settings_get_string (self->settings, "last-mode");
  _cs_window_set_mode (self, mode);
  cs_compose_page_set_config (self->compose_page, _cs_window_get_config (self));

  gtk_stack_set_visible_child_name (self->main_stack, "compose");
  adw_leaflet_set_visible_child (self->leaflet, self->main_box);
  gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->compose_page->problem_view));
  update_main_page (self);
  _cs_window_fill_welcome (self);
  _cs_window_actions_update (self);
  /* the history may have loaded before this window opened */
  _cs_window_report_load_failures (self);
  g_timeout_add_full (G_PRIORITY_LOW, 500, prepare_cb, g_object_ref (self), g_object_unref);
}

static void
cs_window_dispose (GObject *object)
{
  CsWindow *self = CS_WINDOW (object);

  g_clear_handle_id (&self->welcome_source, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  _cs_window_history_dispose (self);

  gtk_widget_dispose_template (GTK_WIDGET (self), CS_TYPE_WINDOW);
  self->run_page = NULL;   /* went with the main stack */

  g_clear_object (&self->manager);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (cs_window_parent_class)->dispose (object);
}

static void
cs_window_finalize (GObject *object)
{
  CsWindow *self = CS_WINDOW (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->mode, g_free);
  g_clear_pointer (&self->started_id, g_free);
  g_clear_pointer (&self->last_toast, g_free);

  G_OBJECT_CLASS (cs_window_parent_class)->finalize (object);
}

static void
cs_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  CsWindow *self = CS_WINDOW (object);

  switch (prop_id)
    {
    case PROP_MODE:
      g_value_set_string (value, self->mode);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  CsWindow *self = CS_WINDOW (object);

  switch (prop_id)
    {
    case PROP_MODE:
      _cs_window_set_mode (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_window_class_init (CsWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = cs_window_dispose;
  object_class->finalize = cs_window_finalize;
  object_class->get_property = cs_window_get_property;
  object_class->set_property = cs_window_set_property;
  window_class->close_request = cs_window_close_request;

  properties[PROP_MODE] =
    g_param_spec_string ("mode", NULL, NULL,
                         "architect",
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (CS_TYPE_COMPOSE_PAGE);
  g_type_ensure (CS_TYPE_ESTIMATE_BUTTON);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/consilium/Consilium/cs-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CsWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, sidebar_separator);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, history_stack);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, history_list);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, main_box);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, run_button_stack);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, estimate_button);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, welcome_page);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, welcome_list);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, compose_page);

  gtk_widget_class_bind_template_callback (widget_class, invert_boolean);
  gtk_widget_class_bind_template_callback (widget_class, mode_bar_wanted);

  _cs_window_class_actions_init (klass);
  _cs_window_class_history_init (klass);
}

static void
cs_window_init (CsWindow *self)
{
  self->cancellable = g_cancellable_new ();
  self->mode = g_strdup ("architect");

  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect_object (self->compose_page, "notify::has-problem",
                           G_CALLBACK (_cs_window_actions_update), self, G_CONNECT_SWAPPED);
  /* the estimate of the run the page would make, beside Run */
  _cs_compose_page_set_estimate_button (self->compose_page, self->estimate_button);
}

CsWindow *
cs_window_new (CsApplication *app)
{
  CsWindow *self;

  self = g_object_new (CS_TYPE_WINDOW,
                       "application", app,
                       NULL);
  cs_window_setup (self);

  return self;
}
