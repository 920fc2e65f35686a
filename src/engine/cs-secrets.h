/* cs-secrets.h: API keys in the system keyring (libsecret), asynchronously
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <libsecret/secret.h>

#include "cs-types.h"
#include "cs-config.h"

G_BEGIN_DECLS

#define CS_SECRETS_ERROR (cs_secrets_error_quark ())

typedef enum {
  CS_SECRETS_ERROR_UNAVAILABLE, /* no secret service, or it failed */
  CS_SECRETS_ERROR_LOCKED,      /* the key is stored, but its collection is
                                 * locked and could not be unlocked */
} CsSecretsError;

GQuark             cs_secrets_error_quark    (void);

/* "io.github.consilium.Consilium.ApiKey", attribute "provider" (string) */
const SecretSchema *cs_secrets_get_schema    (void);

/* The environment variable named by api_key_env wins if set and non-empty;
 * else the keyring. NULL without an error means no key is stored. A key
 * stored in a locked collection that could not be unlocked (no prompt could
 * be shown, or it was dismissed) gives CS_SECRETS_ERROR_LOCKED. For a
 * provider with key_optional, an unavailable or locked keyring also gives
 * NULL without an error (local servers work without a key). Free the key
 * with g_free. */
void               cs_secrets_lookup_async   (const CsProviderConfig *provider,
                                              GCancellable           *cancellable,
                                              GAsyncReadyCallback     callback,
                                              gpointer                user_data);
char              *cs_secrets_lookup_finish  (GAsyncResult           *result,
                                              GError                **error);

/* Opens the connection to the secret service and its encrypted session
 * now, in the background: the session's key exchange costs a few
 * milliseconds of the main thread, which the first lookup of a run would
 * otherwise pay while its cards appear. Failures are left to the lookups
 * to report. */
void               cs_secrets_prepare        (void);

/* Stores in the default collection, labelled "Consilium API key for <id>". */
void               cs_secrets_store_async    (const char             *provider_id,
                                              const char             *key,
                                              GCancellable           *cancellable,
                                              GAsyncReadyCallback     callback,
                                              gpointer                user_data);
gboolean           cs_secrets_store_finish   (GAsyncResult           *result,
                                              GError                **error);

/* Removes the stored key; TRUE also when there was none.
 * CS_SECRETS_ERROR_LOCKED if it stays, in a locked collection. */
void               cs_secrets_clear_async    (const char             *provider_id,
                                              GCancellable           *cancellable,
                                              GAsyncReadyCallback     callback,
                                              gpointer                user_data);
gboolean           cs_secrets_clear_finish   (GAsyncResult           *result,
                                              GError                **error);

/* Whether the keyring holds a key for the provider (the environment is not
 * consulted), without handing the key out: TRUE if one is stored, FALSE
 * without an error if none, FALSE with an error if the keyring failed. */
void               cs_secrets_has_key_async  (const char             *provider_id,
                                              GCancellable           *cancellable,
                                              GAsyncReadyCallback     callback,
                                              gpointer                user_data);
gboolean           cs_secrets_has_key_finish (GAsyncResult           *result,
                                              GError                **error);

G_END_DECLS
