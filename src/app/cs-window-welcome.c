/* cs-window-welcome.c: the welcome page: presets, a local Ollama, the demo provider
 *
 * Shown while no provider is configured: rows that probe a demo provider
 * and local servers (offered in one click when they answer) and the
 * presets that open the preferences. With no demo provider running, the
 * installed one is offered: choosing it starts it (the application owns
 * it) and adds it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-window-welcome"

#include "config.h"

#include <glib/gi18n.h>

#include "cs-preferences-window.h"
#include "cs-window-private.h"

static CsApplication *
get_app (CsWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  return CS_IS_APPLICATION (app) ? CS_APPLICATION (app) : NULL;
}

/* A demo provider already running: announced in the environment, started
 * by the application, or by tools/run.sh; NULL when there is none. */
static char *
demo_base_url (CsApplication *app)
{
  const char *env = g_getenv ("CONSILIUM_DEMO_URL");
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  guint64 port;

  if (env != NULL && env[0] != '\0')
    return g_strdup (env);
  if (app != NULL && cs_demo_provider_get_base_url (cs_application_get_demo_provider (app)) != NULL)
    return g_strdup (cs_demo_provider_get_base_url (cs_application_get_demo_provider (app)));

  /* tools/run.sh writes it in $XDG_RUNTIME_DIR, or /tmp without one */
  path = g_build_filename (g_get_user_runtime_dir (), "consilium-demo-provider.port", NULL);
  if (!g_file_get_contents (path, &contents, NULL, NULL))
    {
      g_free (path);
      path = g_build_filename (g_get_tmp_dir (), "consilium-demo-provider.port", NULL);
      if (g_getenv ("XDG_RUNTIME_DIR") != NULL ||
          !g_file_get_contents (path, &contents, NULL, NULL))
        return NULL;
    }
  g_strstrip (contents);
  if (!g_ascii_string_to_unsigned (contents, 10, 1, 65535, &port, NULL))
    return NULL;

  return g_strdup_printf ("http://127.0.0.1:%u/v1", (guint) port);
}

/* The demo provider at @base_url, named as what it is; @own when the
 * application started it (demo=true: it starts it again next time). */
static CsProviderConfig *
demo_config (const char *base_url,
             gboolean    own)
{
  CsProviderConfig *provider = cs_provider_config_new ("demo", base_url, CS_API_OPENAI_CHAT);

  g_free (provider->name);
  provider->name = g_strdup (_("Demo (synthetic answers)"));
  provider->demo = own;

  return provider;
}

typedef struct
{
  CsWindow         *self;   /* weak */
  CsProviderConfig *provider;
  GtkWidget        *row;    /* weak */
  GtkWidget        *button; /* weak */
} ProbeData;

static void
probe_data_free (ProbeData *d)
{
  g_clear_weak_pointer (&d->self);
  g_clear_weak_pointer (&d->row);
  g_clear_weak_pointer (&d->button);
  cs_provider_config_free (d->provider);
  g_free (d);
}

/* The models of @a, then those of @b not in @a; NULL-terminated. */
static char **
merge_models (const char * const *a,
              const char * const *b)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; a != NULL && a[i] != NULL; i++)
    g_strv_builder_add (builder, a[i]);
  for (guint i = 0; b != NULL && b[i] != NULL; i++)
    {
      if (a == NULL || !g_strv_contains (a, b[i]))
        g_strv_builder_add (builder, b[i]);
    }

  return g_strv_builder_end (builder);
}

typedef struct
{
  CsProviderConfig  *provider;  /* as probed */
  char             **models;    /* the server's */
} UseEdit;

/* A provider already there keeps its settings and its models' prices;
 * cs_config_set_provider gives only the models new to it defaults. */
static void
use_provider_edit (CsConfig *config,
                   gpointer  user_data)
{
  UseEdit *edit = user_data;
  const CsProviderConfig *existing = cs_config_find_provider (config, edit->provider->id);
  g_autoptr(CsProviderConfig) merged = NULL;
  char **names;

  if (existing != NULL)
    {
      merged = cs_provider_config_copy (existing);
      g_free (merged->base_url);
      merged->base_url = g_strdup (edit->provider->base_url);
      merged->api = edit->provider->api;
      merged->key_optional = edit->provider->key_optional;
      merged->demo = edit->provider->demo;
    }
  else
    merged = cs_provider_config_copy (edit->provider);

  names = merge_models ((const char * const *) merged->models, (const char * const *) edit->models);
  g_strfreev (merged->models);
  merged->models = names;
  cs_config_set_provider (config, merged);
}

/* Through the application's CsConfigFile, as the preferences do: the file
 * read again if it changed, a file that cannot be read left as it is, the
 * provider added, the file written. */
static void
use_provider (CsWindow               *self,
              const CsProviderConfig *provider,
              const char * const     *models)
{
  CsApplication *app = get_app (self);
  g_autoptr(CsWindow) hold = g_object_ref (self);
  CsConfigFile *file;
  const CsProviderConfig *added;
  UseEdit edit;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  guint n;

  if (app == NULL)
    return;
  file = cs_application_get_config_file (app);

  /* the rows, the button and what they hold are rebuilt when the
   * configuration changes: copies outlive them */
  edit.provider = cs_provider_config_copy (provider);
  edit.models = g_strdupv ((char **) models);

  if (!cs_config_file_check (file, &error))
    {
      /* Translators: %s is the file's path, then the reason it could not be read */
      text = g_strdup_printf (_("The providers file %s was left unchanged: it could not be read: %s"),
                              cs_config_file_get_path (file), error->message);
      _cs_window_toast (self, text);
    }
  else
    {
      cs_config_file_edit (file, use_provider_edit, &edit);
      if (!cs_config_file_save (file, &error))
        {
          text = g_strdup_printf (_("Could not save the providers: %s"), error->message);
          _cs_window_toast (self, text);
          /* what the file says, again */
          cs_config_file_load (file);
        }
    }

  if (text == NULL)
    {
      /* the provider's models (names the config dropped as invalid not counted) */
      added = cs_config_find_provider (cs_config_file_get_config (file), edit.provider->id);
      n = added != NULL && added->models != NULL ? g_strv_length (added->models) : 0;
      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s added with %u model", "%s added with %u models", n),
                              added != NULL && added->name != NULL ? added->name : edit.provider->id, n);
      _cs_window_toast (self, text);
    }

  cs_provider_config_free (edit.provider);
  g_strfreev (edit.models);
}

static void
probe_use_cb (GtkButton *button,
              GStrv      models)
{
  GtkWidget *widget = GTK_WIDGET (button);
  CsWindow *self = CS_WINDOW (gtk_widget_get_root (widget));
  CsProviderConfig *provider = g_object_get_data (G_OBJECT (button), "cs-provider");

  use_provider (self, provider, (const char * const *) models);
}

static void
probe_models_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  ProbeData *d = user_data;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) models = NULL;
  g_autofree char *subtitle = NULL;

  models = cs_provider_client_list_models_finish (CS_PROVIDER_CLIENT (object), result, &error);

  if (d->row != NULL && d->button != NULL)
    {
      if (models == NULL || models[0] == NULL)
        gtk_widget_set_visible (d->row, FALSE);
      else
        {
          guint n = g_strv_length (models);

          subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Answers on %s with %u model", "Answers on %s with %u models", n),
                                      d->provider->base_url, n);
          adw_action_row_set_subtitle (ADW_ACTION_ROW (d->row), subtitle);
          gtk_widget_set_visible (d->row, TRUE);
          gtk_widget_set_sensitive (d->button, TRUE);
          g_object_set_data_full (G_OBJECT (d->button), "cs-provider",
                                  cs_provider_config_copy (d->provider),
                                  (GDestroyNotify) cs_provider_config_free);
          g_signal_connect_data (d->button, "clicked", G_CALLBACK (probe_use_cb),
                                 g_steal_pointer (&models),
                                 (GClosureNotify) (void (*) (void)) g_strfreev, 0);
        }
    }

  probe_data_free (d);
}

static void
add_probe_row (CsWindow         *self,
               CsProviderConfig *provider,
               const char       *title,
               const char       *button_label)
{
  g_autoptr(CsProviderClient) client = NULL;
  GtkWidget *row, *button;
  ProbeData *d;

  row = adw_action_row_new ();
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _("Looking…"));
  button = gtk_button_new_with_mnemonic (button_label);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_sensitive (button, FALSE);
  gtk_widget_add_css_class (button, "suggested-action");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  gtk_widget_set_visible (row, FALSE);
  gtk_list_box_append (self->welcome_list, row);

  d = g_new0 (ProbeData, 1);
  g_set_weak_pointer (&d->self, self);
  g_set_weak_pointer (&d->row, row);
  g_set_weak_pointer (&d->button, button);
  d->provider = provider;

  client = cs_provider_client_new (provider);
  cs_provider_client_list_models_async (client, self->cancellable, probe_models_cb, d);
}

typedef struct
{
  CsWindow         *self;      /* weak */
  GtkWidget        *row;       /* weak */
  GtkWidget        *button;    /* weak */
  CsProviderConfig *provider;  /* once started */
} StartData;

static void
start_data_free (StartData *d)
{
  g_clear_weak_pointer (&d->self);
  g_clear_weak_pointer (&d->row);
  g_clear_weak_pointer (&d->button);
  g_clear_pointer (&d->provider, cs_provider_config_free);
  g_free (d);
}

/* The row as it was before the click, after a failure (said in a toast). */
static void
demo_start_failed (StartData    *d,
                   const GError *error)
{
  g_autofree char *text = NULL;

  if (d->self == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  /* Translators: %s says why */
  text = g_strdup_printf (_("The demo provider could not be used: %s"), error->message);
  _cs_window_toast (d->self, text);
  if (d->row != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (d->row), _("Synthetic answers from a program on this computer, no API key"));
  if (d->button != NULL)
    gtk_widget_set_sensitive (d->button, TRUE);
}

static void
demo_models_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  StartData *d = user_data;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) models = NULL;

  models = cs_provider_client_list_models_finish (CS_PROVIDER_CLIENT (object), result, &error);
  if (models == NULL || models[0] == NULL)
    {
      if (error == NULL)
        g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_FAILED, _("it offers no models"));
      demo_start_failed (d, error);
    }
  else if (d->self != NULL)
    use_provider (d->self, d->provider, (const char * const *) models);

  start_data_free (d);
}

static void
demo_started_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  StartData *d = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autoptr(CsProviderClient) client = NULL;

  url = cs_demo_provider_start_finish (CS_DEMO_PROVIDER (object), result, &error);
  if (url == NULL || d->self == NULL)
    {
      if (url == NULL)
        demo_start_failed (d, error);
      start_data_free (d);
      return;
    }

  /* its models, as a probe row would have listed them */
  d->provider = demo_config (url, TRUE);
  client = cs_provider_client_new (d->provider);
  cs_provider_client_list_models_async (client, d->self->cancellable, demo_models_cb, d);
}

static void
demo_start_clicked_cb (GtkButton *button,
                       CsWindow  *self)
{
  CsApplication *app = get_app (self);
  GtkWidget *row = gtk_widget_get_ancestor (GTK_WIDGET (button), ADW_TYPE_ACTION_ROW);
  StartData *d;

  if (app == NULL)
    return;

  /* the list is not rebuilt under the row while it starts */
  g_clear_handle_id (&self->welcome_source, g_source_remove);
  gtk_widget_set_sensitive (GTK_WIDGET (button), FALSE);
  if (row != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _("Starting the demo provider…"));

  d = g_new0 (StartData, 1);
  g_set_weak_pointer (&d->self, self);
  g_set_weak_pointer (&d->row, row);
  g_set_weak_pointer (&d->button, GTK_WIDGET (button));
  cs_demo_provider_start_async (cs_application_get_demo_provider (app), self->cancellable,
                                demo_started_cb, d);
}

/* The installed demo provider, started when chosen; nothing when it is
 * not installed. */
static void
add_demo_start_row (CsWindow *self)
{
  g_autofree char *program = cs_demo_provider_find_program ();
  GtkWidget *row, *button;

  if (program == NULL)
    return;

  row = adw_action_row_new ();
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Demo Provider (Synthetic Answers)"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _("Synthetic answers from a program on this computer, no API key"));
  button = gtk_button_new_with_mnemonic (_("_Use Demo"));
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "suggested-action");
  g_signal_connect_object (button, "clicked", G_CALLBACK (demo_start_clicked_cb), self, 0);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), button);
  gtk_list_box_append (self->welcome_list, row);
}

static void
preset_clicked_cb (GtkButton *button,
                   CsWindow  *self)
{
  CsApplication *app = get_app (self);
  const char *preset_id = g_object_get_data (G_OBJECT (button), "cs-preset");
  GtkWidget *prefs;

  if (app == NULL)
    return;

  /* the preferences, with the preset added and waiting for its key */
  prefs = GTK_WIDGET (cs_preferences_window_new (app));
  gtk_window_set_transient_for (GTK_WINDOW (prefs), GTK_WINDOW (self));
  gtk_window_present (GTK_WINDOW (prefs));
  if (preset_id != NULL)
    gtk_widget_activate_action (prefs, "prefs.add-preset", "s", preset_id);
}

static gboolean
refill_welcome_cb (gpointer user_data)
{
  CsWindow *self = user_data;

  self->welcome_source = 0;
  self->welcome_retries++;
  _cs_window_fill_welcome (self);
  return G_SOURCE_REMOVE;
}

void
_cs_window_fill_welcome (CsWindow *self)
{
  CsApplication *app = get_app (self);
  g_autoptr(GPtrArray) presets = NULL;
  g_autofree char *demo_url = NULL;
  GtkWidget *child;

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "welcome") != 0)
    return;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->welcome_list))) != NULL)
    gtk_list_box_remove (self->welcome_list, child);

  if (app != NULL && cs_application_get_config_error (app) != NULL)
    {
      /* the status page's description is markup */
      g_autofree char *escaped = g_markup_escape_text (cs_application_get_config_error (app), -1);

      adw_status_page_set_description (self->welcome_page, escaped);
    }

  demo_url = demo_base_url (app);
  if (demo_url != NULL)
    add_probe_row (self,
                   demo_config (demo_url, app != NULL &&
                                g_strcmp0 (demo_url, cs_demo_provider_get_base_url (cs_application_get_demo_provider (app))) == 0),
                   _("Demo Provider (Synthetic Answers)"),
                   _("_Use Demo"));
  else
    {
      if (app != NULL)
        add_demo_start_row (self);
      if (self->welcome_retries < 5 && self->welcome_source == 0)
        /* tools/run.sh may be starting one next to the app: look again */
        self->welcome_source = g_timeout_add (1000, refill_welcome_cb, self);
    }

  add_probe_row (self,
                 cs_provider_config_new ("ollama", "http://127.0.0.1:11434", CS_API_OLLAMA),
                 _("Local Ollama server"),
                 _("_Use Ollama"));
  add_probe_row (self,
                 cs_provider_config_new ("local", "http://127.0.0.1:8080/v1", CS_API_OPENAI_CHAT),
                 _("Local OpenAI-compatible server (llama.cpp)"),
                 _("Use _Local Server"));

  presets = cs_config_get_presets ();
  for (guint i = 0; presets != NULL && i < presets->len; i++)
    {
      const CsProviderConfig *preset = g_ptr_array_index (presets, i);
      GtkWidget *row, *button;

      /* Ollama is listed whether or not a server answers now (the row
       * above offers its models in one click when one does) */
      row = adw_action_row_new ();
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), preset->name != NULL ? preset->name : preset->id);
      if (preset->api == CS_API_OLLAMA)
        {
          g_autofree char *subtitle = g_strdup_printf (_("Local models, no API key · %s"), preset->base_url);

          adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
        }
      else
        adw_action_row_set_subtitle (ADW_ACTION_ROW (row), preset->base_url);
      button = gtk_button_new_with_mnemonic (_("_Set Up…"));
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      g_object_set_data_full (G_OBJECT (button), "cs-preset", g_strdup (preset->id), g_free);
      g_signal_connect_object (button, "clicked", G_CALLBACK (preset_clicked_cb), self, 0);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), button);
      gtk_list_box_append (self->welcome_list, row);
    }
}
