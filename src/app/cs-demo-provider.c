/* cs-demo-provider.c: the installed demo provider, started and owned by the app
 *
 * The demo provider (consilium-test-provider: synthetic answers, loopback
 * only, no key) is installed in libexecdir next to the app, in the Flatpak
 * too. The welcome page starts it on request; it writes its port to a file
 * in $XDG_RUNTIME_DIR named after this process, which is read until it
 * appears. The program stops with this object (the application's), and
 * with this process should it die first (PR_SET_PDEATHSIG).
 *
 * The demo it added to the providers file is marked demo=true: when the
 * application starts again, cs_demo_provider_restore() starts the program
 * on the port the file names, or on a free one when another program holds
 * it (the base URL then follows, through the CsConfigFile edit path).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-demo-provider"

#include "config.h"

#include <signal.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "cs-demo-provider.h"

/* How long the program may take to listen, and how often its port file is
 * read. CONSILIUM_DEMO_START_TIMEOUT (seconds) stretches the first for
 * builds that start slowly (the sanitizer pass of the test suite). */
#define START_TIMEOUT_S 15
#define POLL_INTERVAL_MS 50

struct _CsDemoProvider
{
  GObject       parent_instance;

  GSubprocess  *process;       /* started, or NULL */
  GCancellable *wait_cancel;   /* the wait for the process to exit */
  char         *port_file;
  char         *base_url;      /* once it listens */
  GPtrArray    *waiting;       /* GTasks until it listens */
  guint         poll_id;
  gint64        deadline;      /* monotonic, while starting */
  guint         port;          /* to try first, or 0: any free port */
};

G_DEFINE_FINAL_TYPE (CsDemoProvider, cs_demo_provider, G_TYPE_OBJECT)

CsDemoProvider *
cs_demo_provider_new (void)
{
  return g_object_new (CS_TYPE_DEMO_PROVIDER, NULL);
}

char *
cs_demo_provider_find_program (void)
{
  /* For the test suite only: the build's provider instead of the installed one. */
  const char *env = g_getenv ("CONSILIUM_DEMO_PROVIDER");
  g_autofree char *path = NULL;

  if (env != NULL && env[0] != '\0')
    path = g_strdup (env);
  else
    path = g_build_filename (LIBEXECDIR, "consilium-test-provider", NULL);

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR) || !g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
    return NULL;

  return g_steal_pointer (&path);
}

void
cs_demo_provider_set_port (CsDemoProvider *self,
                           guint           port)
{
  g_return_if_fail (CS_IS_DEMO_PROVIDER (self));
  g_return_if_fail (port <= 65535);

  self->port = port;
}

const char *
cs_demo_provider_get_base_url (CsDemoProvider *self)
{
  g_return_val_if_fail (CS_IS_DEMO_PROVIDER (self), NULL);

  return self->base_url;
}

/* Every caller waiting for the start gets @url, or @error. */
static void
finish_waiting (CsDemoProvider *self,
                const char     *url,
                const GError   *error)
{
  g_autoptr(GPtrArray) waiting = g_steal_pointer (&self->waiting);

  self->waiting = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; waiting != NULL && i < waiting->len; i++)
    {
      GTask *task = g_ptr_array_index (waiting, i);

      if (url != NULL)
        g_task_return_pointer (task, g_strdup (url), g_free);
      else
        g_task_return_error (task, g_error_copy (error));
    }
}

static void
forget_process (CsDemoProvider *self)
{
  g_clear_handle_id (&self->poll_id, g_source_remove);
  if (self->wait_cancel != NULL)
    g_cancellable_cancel (self->wait_cancel);
  g_clear_object (&self->wait_cancel);
  g_clear_object (&self->process);
  g_clear_pointer (&self->base_url, g_free);
  if (self->port_file != NULL)
    g_unlink (self->port_file);
  g_clear_pointer (&self->port_file, g_free);
}

void
cs_demo_provider_stop (CsDemoProvider *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (CS_IS_DEMO_PROVIDER (self));

  if (self->process == NULL)
    return;

  g_debug ("stopping the demo provider (%s)", g_subprocess_get_identifier (self->process));
  /* GLib's child watch reaps it */
  g_subprocess_send_signal (self->process, SIGTERM);
  forget_process (self);

  g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("The demo provider was stopped"));
  finish_waiting (self, NULL, error);
}

static guint
start_timeout_s (void)
{
  const char *env = g_getenv ("CONSILIUM_DEMO_START_TIMEOUT");
  guint64 value;

  if (env != NULL && g_ascii_string_to_unsigned (env, 10, 1, 3600, &value, NULL))
    return (guint) value;
  return START_TIMEOUT_S;
}

/* The port the program wrote, or 0 while it has not. */
static guint
read_port (const char *path)
{
  g_autofree char *contents = NULL;
  guint64 port;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return 0;
  /* g_file_set_contents renames a complete file into place */
  g_strstrip (contents);
  if (!g_ascii_string_to_unsigned (contents, 10, 1, 65535, &port, NULL))
    return 0;

  return (guint) port;
}

static gboolean
poll_port_cb (gpointer user_data)
{
  CsDemoProvider *self = user_data;
  g_autoptr(GError) error = NULL;
  guint port = read_port (self->port_file);

  if (port != 0)
    {
      self->poll_id = 0;
      self->base_url = g_strdup_printf ("http://127.0.0.1:%u/v1", port);
      g_debug ("the demo provider listens on %s", self->base_url);
      finish_waiting (self, self->base_url, NULL);
      return G_SOURCE_REMOVE;
    }

  if (g_get_monotonic_time () < self->deadline)
    return G_SOURCE_CONTINUE;

  self->poll_id = 0;
  g_subprocess_send_signal (self->process, SIGTERM);
  forget_process (self);
  g_set_error (&error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
               g_dngettext (GETTEXT_PACKAGE,
                            "The demo provider did not start within %u second",
                            "The demo provider did not start within %u seconds",
                            start_timeout_s ()),
               start_timeout_s ());
  finish_waiting (self, NULL, error);

  return G_SOURCE_REMOVE;
}

static gboolean spawn (CsDemoProvider  *self,
                       GError         **error);


static void
process_exited_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GSubprocess *process = G_SUBPROCESS (object);
  g_autoptr(CsDemoProvider) self = user_data;
  g_autoptr(GError) error = NULL;

  /* stopped on purpose, or another start since */
  if (!g_subprocess_wait_finish (process, result, &error) || self->process != process)
    return;

  g_debug ("the demo provider exited");
  forget_process (self);
  if (self->port != 0)
    {
      /* most likely another program listens there: any free port then */
      g_debug ("port %u is not free, starting the demo provider on another", self->port);
      self->port = 0;
      if (spawn (self, &error))
        return;
      finish_waiting (self, NULL, error);
      return;
    }
  /* Translators: the demo provider program ended on its own */
  g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_FAILED, _("The demo provider stopped before it was ready"));
  finish_waiting (self, NULL, error);
}

#ifdef __linux__
static void
child_setup (gpointer user_data)
{
  /* the demo stops with the app, even when the app is killed */
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}
#endif

static gboolean
spawn (CsDemoProvider  *self,
       GError         **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autofree char *program = cs_demo_provider_find_program ();
  g_autofree char *name = NULL;
  g_autofree char *port_arg = NULL;
  g_autofree char *listen_arg = NULL;

  if (program == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("The demo provider is not installed"));
      return FALSE;
    }

  name = g_strdup_printf ("consilium-demo-%d.port", (int) getpid ());
  self->port_file = g_build_filename (g_get_user_runtime_dir (), name, NULL);
  g_unlink (self->port_file);
  port_arg = g_strdup_printf ("--port-file=%s", self->port_file);
  listen_arg = g_strdup_printf ("--port=%u", self->port);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
#ifdef __linux__
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
#endif
  self->process = g_subprocess_launcher_spawn (launcher, error, program, port_arg, listen_arg, NULL);
  if (self->process == NULL)
    {
      g_clear_pointer (&self->port_file, g_free);
      return FALSE;
    }
  g_debug ("started the demo provider %s (%s)", program, g_subprocess_get_identifier (self->process));

  self->wait_cancel = g_cancellable_new ();
  g_subprocess_wait_async (self->process, self->wait_cancel, process_exited_cb, g_object_ref (self));
  self->deadline = g_get_monotonic_time () + (gint64) start_timeout_s () * G_USEC_PER_SEC;
  self->poll_id = g_timeout_add (POLL_INTERVAL_MS, poll_port_cb, self);

  return TRUE;
}

void
cs_demo_provider_start_async (CsDemoProvider      *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (CS_IS_DEMO_PROVIDER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cs_demo_provider_start_async);

  if (self->base_url != NULL)
    {
      g_task_return_pointer (task, g_strdup (self->base_url), g_free);
      return;
    }

  g_ptr_array_add (self->waiting, g_object_ref (task));
  if (self->process != NULL)
    return;  /* starting */

  if (!spawn (self, &error))
    finish_waiting (self, NULL, error);
}

char *
cs_demo_provider_start_finish (CsDemoProvider  *self,
                               GAsyncResult    *result,
                               GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The port of the demo provider the app set up in @config and may start
 * again (id "demo", marked demo=true, plain http to loopback), or 0. */
static guint
own_demo_port (CsConfig *config)
{
  const CsProviderConfig *p = cs_config_find_provider (config, "demo");
  g_autoptr(GUri) uri = NULL;

  if (p == NULL || !p->demo || p->base_url == NULL ||
      !g_str_has_prefix (p->base_url, "http://") ||
      !cs_config_url_is_loopback (p->base_url))
    return 0;

  uri = g_uri_parse (p->base_url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_uri_get_port (uri) <= 0)
    return 0;

  return (guint) g_uri_get_port (uri);
}

static void
move_demo_edit (CsConfig *config,
                gpointer  user_data)
{
  const CsProviderConfig *p = cs_config_find_provider (config, "demo");
  g_autoptr(CsProviderConfig) moved = NULL;

  if (p == NULL || !p->demo)
    return;

  moved = cs_provider_config_copy (p);
  g_free (moved->base_url);
  moved->base_url = g_strdup (user_data);
  cs_config_set_provider (config, moved);
}

static void
restored_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(CsConfigFile) file = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  guint port;

  url = cs_demo_provider_start_finish (CS_DEMO_PROVIDER (object), result, &error);
  if (url == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_message ("The demo provider could not be started again: %s", error->message);
      return;
    }

  /* the same port, or the demo is no longer the app's (edited meanwhile) */
  port = own_demo_port (cs_config_file_get_config (file));
  if (port == 0 || g_str_equal (url, cs_config_find_provider (cs_config_file_get_config (file), "demo")->base_url))
    return;

  g_debug ("the demo provider moved to %s", url);
  if (!cs_config_file_check (file, &error))
    {
      g_message ("The demo provider moved to %s, but %s", url, error->message);
      return;
    }
  cs_config_file_edit (file, move_demo_edit, url);
  if (!cs_config_file_save (file, &error))
    g_message ("The demo provider moved to %s, but %s", url, error->message);
}

void
cs_demo_provider_restore (CsDemoProvider *self,
                          CsConfigFile   *file)
{
  guint port;
  g_autofree char *program = NULL;

  g_return_if_fail (CS_IS_DEMO_PROVIDER (self));
  g_return_if_fail (CS_IS_CONFIG_FILE (file));

  port = own_demo_port (cs_config_file_get_config (file));
  if (port == 0 || self->process != NULL)
    return;
  program = cs_demo_provider_find_program ();
  if (program == NULL)
    return;

  g_debug ("starting the demo provider again on port %u", port);
  self->port = port;
  cs_demo_provider_start_async (self, NULL, restored_cb, g_object_ref (file));
}

static void
cs_demo_provider_dispose (GObject *object)
{
  CsDemoProvider *self = CS_DEMO_PROVIDER (object);

  cs_demo_provider_stop (self);

  G_OBJECT_CLASS (cs_demo_provider_parent_class)->dispose (object);
}

static void
cs_demo_provider_finalize (GObject *object)
{
  CsDemoProvider *self = CS_DEMO_PROVIDER (object);

  g_clear_pointer (&self->waiting, g_ptr_array_unref);

  G_OBJECT_CLASS (cs_demo_provider_parent_class)->finalize (object);
}

static void
cs_demo_provider_class_init (CsDemoProviderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cs_demo_provider_dispose;
  object_class->finalize = cs_demo_provider_finalize;
}

static void
cs_demo_provider_init (CsDemoProvider *self)
{
  self->waiting = g_ptr_array_new_with_free_func (g_object_unref);
}
