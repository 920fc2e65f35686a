/* test-secrets.c: API keys in a real (test) gnome-keyring over D-Bus
 *
 * Needs a session bus with an unlocked gnome-keyring, as tools/test.sh
 * starts it:
 *   dbus-run-session -- sh -c 'printf pw | gnome-keyring-daemon --unlock \
 *     --components=secrets >/dev/null; meson test -C BUILD test-secrets'
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-secrets"

#include "config.h"

#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "cs-secrets.h"

/* Unique per process, so parallel runs against one keyring don't collide. */
static char *provider_id;

typedef struct {
  GMainLoop *loop;
  char      *key;
  gboolean   ok;
  GError    *error;
} Wait;

static void
wait_init (Wait *w)
{
  memset (w, 0, sizeof *w);
  w->loop = g_main_loop_new (NULL, FALSE);
}

static void
wait_clear (Wait *w)
{
  g_clear_pointer (&w->loop, g_main_loop_unref);
  g_clear_pointer (&w->key, g_free);
  g_clear_error (&w->error);
}

static void
lookup_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Wait *w = user_data;

  w->key = cs_secrets_lookup_finish (result, &w->error);
  g_main_loop_quit (w->loop);
}

static void
store_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  Wait *w = user_data;

  w->ok = cs_secrets_store_finish (result, &w->error);
  g_main_loop_quit (w->loop);
}

static void
clear_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  Wait *w = user_data;

  w->ok = cs_secrets_clear_finish (result, &w->error);
  g_main_loop_quit (w->loop);
}

static void
has_key_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Wait *w = user_data;

  w->ok = cs_secrets_has_key_finish (result, &w->error);
  g_main_loop_quit (w->loop);
}

static CsProviderConfig *
make_provider (const char *id,
               const char *key_env)
{
  CsProviderConfig *p = cs_provider_config_new (id, "https://llm.example.com/v1", CS_API_OPENAI_CHAT);

  p->api_key_env = g_strdup (key_env);
  return p;
}

static char *
lookup (const CsProviderConfig  *p,
        GError                 **error)
{
  Wait w;
  char *key;

  wait_init (&w);
  cs_secrets_lookup_async (p, NULL, lookup_cb, &w);
  g_main_loop_run (w.loop);
  key = g_steal_pointer (&w.key);
  if (w.error != NULL)
    g_propagate_error (error, g_steal_pointer (&w.error));
  wait_clear (&w);
  return key;
}

static void
store (const char *id,
       const char *key)
{
  Wait w;

  wait_init (&w);
  cs_secrets_store_async (id, key, NULL, store_cb, &w);
  g_main_loop_run (w.loop);
  g_assert_no_error (w.error);
  g_assert_true (w.ok);
  wait_clear (&w);
}

static void
clear (const char *id)
{
  Wait w;

  wait_init (&w);
  cs_secrets_clear_async (id, NULL, clear_cb, &w);
  g_main_loop_run (w.loop);
  g_assert_no_error (w.error);
  g_assert_true (w.ok);
  wait_clear (&w);
}

static gboolean
has_key (const char *id)
{
  Wait w;
  gboolean ok;

  wait_init (&w);
  cs_secrets_has_key_async (id, NULL, has_key_cb, &w);
  g_main_loop_run (w.loop);
  g_assert_no_error (w.error);
  ok = w.ok;
  wait_clear (&w);
  return ok;
}

static void
test_schema (void)
{
  const SecretSchema *schema = cs_secrets_get_schema ();

  g_assert_cmpstr (schema->name, ==, "io.github.consilium.Consilium.ApiKey");
  g_assert_cmpstr (schema->attributes[0].name, ==, "provider");
  g_assert_cmpint (schema->attributes[0].type, ==, SECRET_SCHEMA_ATTRIBUTE_STRING);
  g_assert_null (schema->attributes[1].name);
}

static void
test_store_lookup_clear (void)
{
  g_autoptr(CsProviderConfig) p = make_provider (provider_id, NULL);
  g_autofree char *other_id = g_strconcat (provider_id, "-other", NULL);
  g_autoptr(CsProviderConfig) other = make_provider (other_id, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *key = NULL;

  /* nothing stored yet: NULL without an error */
  key = lookup (p, &error);
  g_assert_no_error (error);
  g_assert_null (key);
  g_assert_false (has_key (provider_id));

  /* surrounding white space (a newline from stdin) is not part of the key */
  store (provider_id, "sk-test-0123456789\n");
  key = lookup (p, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (key, ==, "sk-test-0123456789");
  g_clear_pointer (&key, g_free);
  g_assert_true (has_key (provider_id));

  /* the key belongs to one provider only */
  key = lookup (other, &error);
  g_assert_no_error (error);
  g_assert_null (key);
  g_assert_false (has_key (other_id));

  /* storing again replaces */
  store (provider_id, "sk-test-replaced");
  key = lookup (p, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (key, ==, "sk-test-replaced");
  g_clear_pointer (&key, g_free);

  clear (provider_id);
  key = lookup (p, &error);
  g_assert_no_error (error);
  g_assert_null (key);
  g_assert_false (has_key (provider_id));

  /* clearing what is not there is not an error */
  clear (provider_id);
}

/* The variables are set in main(), before any thread exists: setenv is not
 * thread-safe. */
#define ENV_UNSET "CS_TEST_SECRETS_UNSET_KEY"
#define ENV_EMPTY "CS_TEST_SECRETS_EMPTY_KEY"
#define ENV_SET   "CS_TEST_SECRETS_KEY"

static void
test_env_precedence (void)
{
  g_autoptr(CsProviderConfig) p = make_provider (provider_id, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *key = NULL;

  store (provider_id, "sk-from-keyring");

  /* unset: the keyring */
  g_free (p->api_key_env);
  p->api_key_env = g_strdup (ENV_UNSET);
  key = lookup (p, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (key, ==, "sk-from-keyring");
  g_clear_pointer (&key, g_free);

  /* empty: still the keyring */
  g_free (p->api_key_env);
  p->api_key_env = g_strdup (ENV_EMPTY);
  key = lookup (p, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (key, ==, "sk-from-keyring");
  g_clear_pointer (&key, g_free);

  /* set: the environment wins */
  g_free (p->api_key_env);
  p->api_key_env = g_strdup (ENV_SET);
  key = lookup (p, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (key, ==, "sk-from-env");
  g_clear_pointer (&key, g_free);

  /* has_key reports the keyring only; the environment still answers */
  clear (provider_id);
  g_assert_false (has_key (provider_id));
  key = lookup (p, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (key, ==, "sk-from-env");
  g_clear_pointer (&key, g_free);

  g_free (p->api_key_env);
  p->api_key_env = g_strdup (ENV_UNSET);
  key = lookup (p, &error);
  g_assert_no_error (error);
  g_assert_null (key);
}

static void
test_invalid (void)
{
  Wait w;

  wait_init (&w);
  cs_secrets_store_async (provider_id, "  \n", NULL, store_cb, &w);
  g_main_loop_run (w.loop);
  g_assert_false (w.ok);
  g_assert_error (w.error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  wait_clear (&w);

  wait_init (&w);
  cs_secrets_clear_async ("", NULL, clear_cb, &w);
  g_main_loop_run (w.loop);
  g_assert_false (w.ok);
  g_assert_error (w.error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  wait_clear (&w);

  g_assert_false (has_key (provider_id));
}

static void
test_cancelled (void)
{
  g_autoptr(CsProviderConfig) p = make_provider (provider_id, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Wait w;

  g_cancellable_cancel (cancellable);
  wait_init (&w);
  cs_secrets_lookup_async (p, cancellable, lookup_cb, &w);
  g_main_loop_run (w.loop);
  g_assert_null (w.key);
  g_assert_error (w.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  wait_clear (&w);
}

/* Without a secret service on the bus, the error says what to do, and a
 * local server goes on without a key. Runs in a subprocess pointed at a
 * bus address where nothing listens. */
static void
test_unavailable (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(CsProviderConfig) remote = make_provider ("remote", "MOONSHOT_API_KEY");
      g_autoptr(CsProviderConfig) local = cs_provider_config_new ("local", "http://127.0.0.1:11434", CS_API_OLLAMA);
      g_autoptr(GError) error = NULL;
      g_autofree char *key = NULL;

      g_assert_true (local->key_optional);
      g_unsetenv ("MOONSHOT_API_KEY");

      key = lookup (remote, &error);
      g_assert_null (key);
      g_assert_error (error, CS_SECRETS_ERROR, CS_SECRETS_ERROR_UNAVAILABLE);
      g_assert_true (g_str_has_prefix (error->message, "The system keyring is not available"));
      g_assert_true (g_str_has_suffix (error->message, "Set MOONSHOT_API_KEY or unlock the keyring."));
      g_test_message ("%s", error->message);
      g_clear_error (&error);

      key = lookup (local, &error);
      g_assert_no_error (error);
      g_assert_null (key);
      return;
    }

  {
    g_autofree char *dir = g_dir_make_tmp ("test-secrets-XXXXXX", NULL);
    g_autofree char *address = g_strdup_printf ("unix:path=%s/no-bus", dir);
    g_autofree char *saved = g_strdup (g_getenv ("DBUS_SESSION_BUS_ADDRESS"));

    /* This test runs first, before any D-Bus thread exists, so changing
     * the environment is safe; the subprocess inherits it. */
    g_setenv ("DBUS_SESSION_BUS_ADDRESS", address, TRUE);
    g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
    if (saved != NULL)
      g_setenv ("DBUS_SESSION_BUS_ADDRESS", saved, TRUE);
    else
      g_unsetenv ("DBUS_SESSION_BUS_ADDRESS");
    g_test_trap_assert_passed ();
    g_rmdir (dir);
  }
}

/* Session-bus calls to the keyring itself, on the connection libsecret
 * shares. */
static GVariant *
keyring_call (const char          *path,
              const char          *interface,
              const char          *method,
              GVariant            *args,
              const GVariantType  *reply_type,
              GError             **error)
{
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, error);

  if (bus == NULL)
    return NULL;

  return g_dbus_connection_call_sync (bus, "org.freedesktop.secrets", path, interface, method,
                                      args, reply_type, G_DBUS_CALL_FLAGS_NONE, 10000,
                                      NULL, error);
}

/* A key in a locked collection, which cannot prompt here (no display): the
 * lookup names the lock instead of saying no key is stored. The collection
 * is locked over D-Bus and unlocked again with gnome-keyring's
 * unlock-with-password interface and the password the test session's
 * keyring was created with ("pw"). Runs last. */
static void
test_locked (void)
{
  g_autoptr(CsProviderConfig) p = make_provider (provider_id, "CS_TEST_SECRETS_UNSET_KEY");
  g_autoptr(CsProviderConfig) local = cs_provider_config_new (provider_id, "http://127.0.0.1:11434",
                                                              CS_API_OLLAMA);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *key = NULL;
  g_autofree char *collection = NULL;
  g_autofree char *prompt = NULL;
  g_autofree char *session = NULL;
  Wait w;

  store (provider_id, "sk-test-locked");

  reply = keyring_call ("/org/freedesktop/secrets", "org.freedesktop.Secret.Service", "ReadAlias",
                        g_variant_new ("(s)", "default"), G_VARIANT_TYPE ("(o)"), &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(o)", &collection);
  g_clear_pointer (&reply, g_variant_unref);

  reply = keyring_call ("/org/freedesktop/secrets", "org.freedesktop.Secret.Service", "Lock",
                        g_variant_new_parsed ("([%o],)", collection),
                        G_VARIANT_TYPE ("(aoo)"), &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(@aoo)", NULL, &prompt);
  g_clear_pointer (&reply, g_variant_unref);
  if (g_strcmp0 (prompt, "/") != 0)
    {
      clear (provider_id);
      g_test_skip ("the keyring wants a prompt to lock");
      return;
    }

  /* the key is there, but locked away */
  key = lookup (p, &error);
  g_assert_null (key);
  g_assert_error (error, CS_SECRETS_ERROR, CS_SECRETS_ERROR_LOCKED);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, "The keyring is locked: unlock it"));
  g_assert_true (g_str_has_suffix (error->message, "or set CS_TEST_SECRETS_UNSET_KEY"));
  g_assert_null (strstr (error->message, "sk-test-locked"));
  g_clear_error (&error);

  /* a local server goes on without a key */
  g_assert_true (local->key_optional);
  key = lookup (local, &error);
  g_assert_no_error (error);
  g_assert_null (key);

  /* has_key does not unlock, and sees it */
  g_assert_true (has_key (provider_id));

  /* clearing cannot remove it: not a silent success */
  wait_init (&w);
  cs_secrets_clear_async (provider_id, NULL, clear_cb, &w);
  g_main_loop_run (w.loop);
  g_test_message ("clear: %s", w.error ? w.error->message : "TRUE");
  g_assert_false (w.ok);
  g_assert_nonnull (w.error);
  g_assert_true (w.error->domain == CS_SECRETS_ERROR);
  wait_clear (&w);

  /* unlock again (a plain session: the password crosses the test bus) */
  reply = keyring_call ("/org/freedesktop/secrets", "org.freedesktop.Secret.Service", "OpenSession",
                        g_variant_new ("(sv)", "plain", g_variant_new_string ("")),
                        G_VARIANT_TYPE ("(vo)"), &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(vo)", NULL, &session);
  g_clear_pointer (&reply, g_variant_unref);
  reply = keyring_call ("/org/freedesktop/secrets",
                        "org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface",
                        "UnlockWithMasterPassword",
                        g_variant_new ("(o(o@ay@ays))", collection, session,
                                       g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, "", 0, 1),
                                       g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, "pw", 2, 1),
                                       "text/plain"),
                        NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&reply, g_variant_unref);

  key = lookup (p, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (key, ==, "sk-test-locked");
  clear (provider_id);
  g_assert_false (has_key (provider_id));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    {
      g_printerr ("test-secrets needs a session bus with an unlocked gnome-keyring; "
                  "run it through tools/test.sh\n");
      return 77;
    }

  provider_id = g_strdup_printf ("cs-test-%u", (guint) getpid ());
  g_unsetenv (ENV_UNSET);
  g_setenv (ENV_EMPTY, "", TRUE);
  g_setenv (ENV_SET, "sk-from-env", TRUE);

  /* first: it changes the environment before any D-Bus thread runs */
  g_test_add_func ("/secrets/unavailable", test_unavailable);
  g_test_add_func ("/secrets/schema", test_schema);
  g_test_add_func ("/secrets/store-lookup-clear", test_store_lookup_clear);
  g_test_add_func ("/secrets/env-precedence", test_env_precedence);
  g_test_add_func ("/secrets/invalid", test_invalid);
  g_test_add_func ("/secrets/cancelled", test_cancelled);
  /* last: it locks the keyring for a while */
  g_test_add_func ("/secrets/locked", test_locked);

  return g_test_run ();
}
