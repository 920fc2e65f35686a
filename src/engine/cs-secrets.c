/* cs-secrets.c: API keys in the system keyring (libsecret), asynchronously
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-secrets"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "cs-secrets.h"

/* Only asynchronous libsecret calls here: the *_sync variants block the
 * main loop while the keyring prompts or D-Bus times out. Inside a Flatpak
 * sandbox libsecret (>= 0.20) keeps the items in a file encrypted with a
 * key from the Secret portal; the same calls work there. */

G_DEFINE_QUARK (cs-secrets-error-quark, cs_secrets_error)

/* for keys in ordinary memory */
static void
wipe_free (char *key)
{
  if (key == NULL)
    return;

  secret_password_wipe (key);
  g_free (key);
}

const SecretSchema *
cs_secrets_get_schema (void)
{
  static const SecretSchema schema = {
    "io.github.consilium.Consilium.ApiKey",
    SECRET_SCHEMA_NONE,
    {
      { "provider", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
  };

  return &schema;
}

/* What to do about a keyring that failed: key_env is the provider's
 * api-key-env, or NULL. */
static char *
advice_for (const char *key_env)
{
  if (key_env != NULL && *key_env != '\0')
    return g_strdup_printf (_("Set %s or unlock the keyring."), key_env);

  return g_strdup (_("Unlock the keyring, or name an environment variable "
                     "with api-key-env in the provider’s settings."));
}

/* Turns a libsecret or D-Bus failure into a sentence a person can act on.
 * Cancellation passes through unchanged. Never mentions the key itself.
 * error may be NULL: libsecret's *_finish functions can fail without
 * setting one when the keyring wanted a prompt that could not be shown. */
static GError *
map_error (const GError *error,
           const char   *what,
           const char   *key_env)
{
  g_autofree char *advice = NULL;
  const char *reason;

  if (error != NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_copy (error);

  advice = advice_for (key_env);
  if (error != NULL && error->message != NULL)
    reason = error->message;
  else
    reason = _("it failed without saying why (perhaps it asked to be unlocked "
               "and the prompt could not be shown)");

  return g_error_new (CS_SECRETS_ERROR, CS_SECRETS_ERROR_UNAVAILABLE,
                      /* Translators: the first %s says what was being done
                       * ("looking up the API key"), the second is the system's
                       * reason, the third what to do about it. */
                      _("The system keyring is not available (%s): %s. %s"),
                      what, reason, advice);
}

static GError *
locked_error (const char *key_env)
{
  if (key_env != NULL && *key_env != '\0')
    return g_error_new (CS_SECRETS_ERROR, CS_SECRETS_ERROR_LOCKED,
                        /* Translators: %s is an environment variable */
                        _("The keyring is locked: unlock it (for example by logging "
                          "in again or with Seahorse) or set %s"), key_env);

  return g_error_new_literal (CS_SECRETS_ERROR, CS_SECRETS_ERROR_LOCKED,
                              _("The keyring is locked: unlock it (for example by "
                                "logging in again or with Seahorse) or name an "
                                "environment variable with api-key-env in the "
                                "provider’s settings"));
}

/* Whether one of the items that secret_password_search() found (without
 * SECRET_SEARCH_UNLOCK) is locked. Items kept in the Flatpak file backend
 * are not SecretItems and are never locked. */
static gboolean
any_locked (GList *items)
{
  for (GList *l = items; l != NULL; l = l->next)
    if (SECRET_IS_ITEM (l->data) && secret_item_get_locked (SECRET_ITEM (l->data)))
      return TRUE;

  return FALSE;
}

static gboolean
check_provider_id (GTask      *task,
                   const char *provider_id)
{
  if (provider_id == NULL || *provider_id == '\0')
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("No provider was named for the API key"));
      return FALSE;
    }

  return TRUE;
}

/* ---------------------------------------------------------------------- */
/* lookup */

typedef struct {
  char     *provider_id;
  char     *key_env;
  gboolean  key_optional;
} LookupData;

static void
lookup_data_free (LookupData *data)
{
  g_free (data->provider_id);
  g_free (data->key_env);
  g_free (data);
}

/* A keyring failure for a provider that may go on without a key gives no
 * key; for the others, the error. Takes error. */
static void
lookup_return_error (GTask  *task,
                     GError *error)
{
  LookupData *data = g_task_get_task_data (task);

  if (data->key_optional &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* a local server works without a key: don't stop it for a
       * missing or locked keyring */
      g_debug ("keyring unavailable, going on without a key: %s", error->message);
      g_error_free (error);
      g_task_return_pointer (task, NULL, NULL);
      return;
    }

  g_task_return_error (task, error);
}

/* The lookup found no key: was there one in a locked collection? */
static void
lookup_search_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LookupData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  GList *items;
  gboolean locked;

  items = secret_password_search_finish (result, &error);
  if (error != NULL)
    {
      lookup_return_error (task, map_error (error, _("looking up the API key"), data->key_env));
      return;
    }

  locked = any_locked (items);
  g_list_free_full (items, g_object_unref);

  if (locked)
    {
      g_debug ("the key for %s is in a locked collection", data->provider_id);
      lookup_return_error (task, locked_error (data->key_env));
      return;
    }

  g_task_return_pointer (task, NULL, NULL);
}

static void
lookup_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LookupData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  char *password;
  char *copy;

  password = secret_password_lookup_finish (result, &error);

  if (error != NULL)
    {
      lookup_return_error (task, map_error (error, _("looking up the API key"), data->key_env));
      return;
    }

  if (password == NULL)
    {
      /* No error: either nothing is stored, or the item is in a locked
       * collection that could not be unlocked (libsecret says nothing when
       * the unlock prompt is dismissed or cannot be shown). Search again
       * without unlocking nor loading the secret to tell them apart. */
      secret_password_search (cs_secrets_get_schema (), SECRET_SEARCH_ALL,
                              g_task_get_cancellable (task),
                              lookup_search_cb, g_object_ref (task),
                              "provider", data->provider_id,
                              NULL);
      return;
    }

  copy = g_strdup (password);
  secret_password_free (password);

  g_task_return_pointer (task, copy, (GDestroyNotify) wipe_free);
}

void
cs_secrets_lookup_async (const CsProviderConfig *provider,
                         GCancellable           *cancellable,
                         GAsyncReadyCallback     callback,
                         gpointer                user_data)
{
  g_autoptr(GTask) task = NULL;
  LookupData *data;

  g_return_if_fail (provider != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cs_secrets_lookup_async);

  if (!check_provider_id (task, provider->id))
    return;

  if (provider->api_key_env != NULL && *provider->api_key_env != '\0')
    {
      const char *value = g_getenv (provider->api_key_env);

      if (value != NULL && *value != '\0')
        {
          g_task_return_pointer (task, g_strstrip (g_strdup (value)),
                                 (GDestroyNotify) wipe_free);
          return;
        }
    }

  data = g_new0 (LookupData, 1);
  data->provider_id = g_strdup (provider->id);
  data->key_env = g_strdup (provider->api_key_env);
  data->key_optional = provider->key_optional;
  g_task_set_task_data (task, data, (GDestroyNotify) lookup_data_free);

  secret_password_lookup (cs_secrets_get_schema (), cancellable,
                          lookup_cb, g_steal_pointer (&task),
                          "provider", provider->id,
                          NULL);
}

static void
prepare_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  /* libsecret keeps the service (and its session) for the process */
  g_autoptr(SecretService) service = secret_service_get_finish (result, &error);

  if (service == NULL)
    g_debug ("The secret service is not there yet: %s", error->message);
}

void
cs_secrets_prepare (void)
{
  secret_service_get (SECRET_SERVICE_OPEN_SESSION, NULL, prepare_cb, NULL);
}

char *
cs_secrets_lookup_finish (GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cs_secrets_lookup_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---------------------------------------------------------------------- */
/* store */

static void
store_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  /* FALSE without an error happens too (a prompt that could not be
   * shown): map_error() copes */
  if (!secret_password_store_finish (result, &error))
    {
      g_task_return_error (task, map_error (error, _("storing the API key"), NULL));
      return;
    }

  g_task_return_boolean (task, TRUE);
}

void
cs_secrets_store_async (const char          *provider_id,
                        const char          *key,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *label = NULL;
  char *clean;

  g_return_if_fail (key != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cs_secrets_store_async);

  if (!check_provider_id (task, provider_id))
    return;

  /* keys pasted or read from standard input often carry a newline */
  clean = g_strstrip (g_strdup (key));
  if (*clean == '\0' || !g_utf8_validate (clean, -1, NULL))
    {
      wipe_free (clean);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("The API key for %s is empty or not text"), provider_id);
      return;
    }

  label = g_strdup_printf ("Consilium API key for %s", provider_id);

  /* libsecret copies the password before this returns */
  secret_password_store (cs_secrets_get_schema (), SECRET_COLLECTION_DEFAULT,
                         label, clean, cancellable,
                         store_cb, g_steal_pointer (&task),
                         "provider", provider_id,
                         NULL);
  wipe_free (clean);
}

gboolean
cs_secrets_store_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cs_secrets_store_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---------------------------------------------------------------------- */
/* clear */

/* clear removed nothing: was there a key in a locked collection? */
static void
clear_search_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  GList *items;
  gboolean locked;

  items = secret_password_search_finish (result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, map_error (error, _("removing the API key"), NULL));
      return;
    }

  locked = any_locked (items);
  g_list_free_full (items, g_object_unref);

  if (locked)
    {
      g_task_return_error (task, locked_error (NULL));
      return;
    }

  g_task_return_boolean (task, TRUE);
}

static void
clear_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (secret_password_clear_finish (result, &error))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  if (error != NULL)
    {
      g_task_return_error (task, map_error (error, _("removing the API key"), NULL));
      return;
    }

  /* FALSE without an error: nothing was removed, because there was
   * nothing, or because it is in a locked collection that could not be
   * unlocked. Look without unlocking. */
  secret_password_search (cs_secrets_get_schema (), SECRET_SEARCH_ALL,
                          g_task_get_cancellable (task),
                          clear_search_cb, g_object_ref (task),
                          "provider", (const char *) g_task_get_task_data (task),
                          NULL);
}

void
cs_secrets_clear_async (const char          *provider_id,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cs_secrets_clear_async);

  if (!check_provider_id (task, provider_id))
    return;

  g_task_set_task_data (task, g_strdup (provider_id), g_free);

  secret_password_clear (cs_secrets_get_schema (), cancellable,
                         clear_cb, g_steal_pointer (&task),
                         "provider", provider_id,
                         NULL);
}

gboolean
cs_secrets_clear_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cs_secrets_clear_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---------------------------------------------------------------------- */
/* has_key */

static void
has_key_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  GList *items;

  /* NULL without an error: none stored */
  items = secret_password_search_finish (result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, map_error (error, _("checking for an API key"), NULL));
      return;
    }

  g_task_return_boolean (task, items != NULL);
  g_list_free_full (items, g_object_unref);
}

void
cs_secrets_has_key_async (const char          *provider_id,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cs_secrets_has_key_async);

  if (!check_provider_id (task, provider_id))
    return;

  /* SECRET_SEARCH_ALL without UNLOCK or LOAD_SECRETS: a locked keyring is
   * not asked to unlock and the key never leaves it. */
  secret_password_search (cs_secrets_get_schema (), SECRET_SEARCH_ALL, cancellable,
                          has_key_cb, g_steal_pointer (&task),
                          "provider", provider_id,
                          NULL);
}

gboolean
cs_secrets_has_key_finish (GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cs_secrets_has_key_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
