/* cs-provider-client-errors.c: the provider client's errors, for people
 *
 * Maps HTTP statuses, connection failures and timeouts to CsClientError
 * with a sentence that names the provider, quotes its own message (cut,
 * and with the API key removed) and says how often it was retried.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-provider-client"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "cs-config.h"
#include "cs-json-schema.h"
#include "cs-json-util.h"
#include "cs-provider-client-private.h"
#include "cs-retry.h"

/* Provider messages quoted in our errors are cut to this many characters. */
#define MAX_QUOTED_CHARS 400

G_DEFINE_QUARK (cs-client-error-quark, cs_client_error)

static gboolean
is_key_char (char c)
{
  return g_ascii_isalnum (c) || c == '-' || c == '_' || c == '.' || c == '+' ||
         c == '/' || c == '=';
}

/* Removes the API key in every form a server may echo it
 * (cs-secret-scrub.h), and any long enough piece of it (providers echo keys
 * half-masked as "sk-abc****wxyz"), from a text meant for people. */
char *
_cs_client_scrub_key (CsProviderClient *self,
                      const char       *text)
{
  g_autofree char *scrubbed = NULL;
  GString *out;
  const char *p;
  const char *key = self->api_key;

  if (text == NULL)
    return NULL;
  if (key == NULL || strlen (key) < 4)
    return g_strdup (text);

  scrubbed = cs_scrub_secret (text, key);
  out = g_string_new (NULL);
  p = scrubbed;
  while (*p != '\0')
    {
      const char *start = p;
      gsize len;

      if (!is_key_char (*p))
        {
          g_string_append_c (out, *p);
          p++;
          continue;
        }
      while (*p != '\0' && is_key_char (*p))
        p++;
      len = (gsize) (p - start);

      {
        g_autofree char *word = g_strndup (start, len);

        if ((len >= 6 && strstr (key, word) != NULL) || strstr (word, key) != NULL)
          g_string_append (out, "[redacted]");
        else
          g_string_append_len (out, start, len);
      }
    }

  return g_string_free (out, FALSE);
}

static gboolean
ends_sentence (const char *text)
{
  gsize len = strlen (text);

  return len > 0 && strchr (".!?", text[len - 1]) != NULL;
}

/* Cuts a provider's message for quoting, and removes the key from it. */
char *
_cs_client_quote_message (CsProviderClient *self,
                          const char       *message)
{
  g_autofree char *valid = NULL;
  g_autofree char *stripped = NULL;
  char *scrubbed;

  if (message == NULL)
    return NULL;

  valid = g_utf8_make_valid (message, -1);
  stripped = g_strstrip (g_strdup (valid));
  /* we end our sentences ourselves */
  while (stripped[0] != '\0' && stripped[strlen (stripped) - 1] == '.')
    stripped[strlen (stripped) - 1] = '\0';
  if (stripped[0] == '\0')
    return NULL;

  /* scrubbed before it is cut: a key cut in half is no longer recognised */
  scrubbed = _cs_client_scrub_key (self, stripped);
  if (g_utf8_strlen (scrubbed, -1) > MAX_QUOTED_CHARS)
    {
      g_autofree char *cut = g_utf8_substring (scrubbed, 0, MAX_QUOTED_CHARS);

      g_free (scrubbed);
      scrubbed = g_strconcat (cut, "…", NULL);
    }

  return scrubbed;
}

static char *
node_to_code (JsonNode *node)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return g_strdup (json_node_get_string (node));
    case G_TYPE_INT64:
      return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
    case G_TYPE_DOUBLE:
      {
        char buf[G_ASCII_DTOSTR_BUF_SIZE];

        /* the server's code as it sent it, not in the user's locale */
        return g_strdup (g_ascii_formatd (buf, sizeof buf, "%g", json_node_get_double (node)));
      }
    default:
      return NULL;
    }
}

static char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return g_strdup (json_node_get_string (node));
}

/* Reads {"error":{"message","type","code"}}, {"error":"…"}, {"message":"…"}
 * or {"detail":"…"}; a plain-text body is taken as the message. */
void
_cs_client_parse_error_body (const char  *data,
                             gsize        len,
                             const char  *content_type,
                             char       **message,
                             char       **type,
                             char       **code)
{
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;
  JsonNode *error;

  *message = *type = *code = NULL;

  if (data == NULL || len == 0)
    return;

  /* Bounded: json-glib alone recurses once per level, and a hostile server's
   * {"error": followed by 200000 `[` would overflow the stack. */
  root = cs_json_parse_bounded (data, (gssize) len, 0, NULL);
  if (root == NULL)
    {
      if (content_type != NULL && g_ascii_strncasecmp (content_type, "text/plain", 10) == 0)
        *message = g_utf8_make_valid (data, (gssize) len);
      return;
    }

  if (!JSON_NODE_HOLDS_OBJECT (root))
    return;
  object = json_node_get_object (root);

  error = json_object_get_member (object, "error");
  if (error != NULL && JSON_NODE_HOLDS_OBJECT (error))
    {
      JsonObject *e = json_node_get_object (error);

      *message = member_string (e, "message");
      *type = member_string (e, "type");
      *code = node_to_code (json_object_get_member (e, "code"));
      if (*type == NULL)
        *type = member_string (e, "status");
    }
  else if (error != NULL && JSON_NODE_HOLDS_VALUE (error) &&
           json_node_get_value_type (error) == G_TYPE_STRING)
    {
      *message = g_strdup (json_node_get_string (error));
    }

  if (*message == NULL)
    *message = member_string (object, "message");
  if (*message == NULL)
    *message = member_string (object, "detail");
  if (*type == NULL)
    *type = member_string (object, "type");
  if (*code == NULL)
    *code = node_to_code (json_object_get_member (object, "code"));
}

/* An error object that arrives instead of the first event (OpenRouter does
 * that when the upstream model fails) is worth a retry if its code says the
 * failure is transient: an HTTP status we would retry, or a known name. */
gboolean
_cs_client_is_transient_code (const char *code)
{
  static const char * const names[] = {
    "server_error", "overloaded", "overloaded_error", "rate_limit_exceeded",
    "rate_limit_error", "timeout", "service_unavailable", "internal_error",
  };
  guint64 status;

  if (code == NULL || code[0] == '\0')
    return FALSE;

  if (g_ascii_string_to_unsigned (code, 10, 100, 599, &status, NULL))
    return cs_retry_is_retryable ((guint) status, NULL, NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_ascii_strcasecmp (code, names[i]) == 0)
      return TRUE;

  return FALSE;
}

static const char *
retried_suffix (guint         attempts,
                char         *buf,
                gsize         len)
{
  if (attempts <= 1)
    return "";
  if (attempts == 2)
    return _(" Retried once.");
  g_snprintf (buf, len, _(" Retried %u times."), attempts - 1);
  return buf;
}

/* Builds the error for a failed HTTP status after @attempts attempts. */
GError *
_cs_client_http_error (CsProviderClient *self,
                       guint             attempts,
                       guint             status,
                       const char       *provider_message,
                       const char       *type,
                       const char       *code,
                       gint64            refused_wait_ms)
{
  const char *name = _cs_client_provider_name (self);
  g_autofree char *quoted = _cs_client_quote_message (self, provider_message);
  g_autofree char *detail = NULL;
  char buf[64];
  const char *retried = retried_suffix (attempts, buf, sizeof buf);
  CsClientError kind;
  const char *what;
  const char *end;

  if (quoted != NULL)
    detail = g_strdup_printf (": %s", quoted);
  else
    detail = g_strdup ("");
  end = ends_sentence (detail) ? "" : ".";

  if (status == 429 && cs_retry_is_quota_error (type, code))
    {
      kind = CS_CLIENT_ERROR_QUOTA;
      what = _("Quota exhausted at");
    }
  else if (cs_retry_is_quota_error (type, code) || status == 402)
    {
      kind = CS_CLIENT_ERROR_QUOTA;
      what = _("Quota or billing problem at");
    }
  else if (status == 429)
    {
      kind = CS_CLIENT_ERROR_RATE_LIMITED;
      what = _("Rate limited by");
    }
  else if (status == 401 || status == 403)
    {
      kind = CS_CLIENT_ERROR_AUTH;
      what = status == 401 ? _("Authentication failed at") : _("Access denied by");
    }
  else if (status == 404)
    {
      kind = CS_CLIENT_ERROR_NOT_FOUND;
      what = _("Model or endpoint not found at");
    }
  else if (status == 408)
    {
      kind = CS_CLIENT_ERROR_TIMEOUT;
      what = _("Request timed out at");
    }
  else if (status >= 500)
    {
      kind = CS_CLIENT_ERROR_SERVER;
      what = _("Server error at");
    }
  else if (status >= 300 && status < 400)
    {
      kind = CS_CLIENT_ERROR_PROTOCOL;
      what = _("Redirect (not followed) from");
    }
  else
    {
      kind = CS_CLIENT_ERROR_BAD_REQUEST;
      what = _("Request rejected by");
    }

  if (refused_wait_ms > 0)
    return g_error_new (CS_CLIENT_ERROR, kind,
                        _("%s %s (HTTP %u)%s%s It asked to wait %lld s, longer than the %d s limit.%s"),
                        what, name, status, detail, end, (long long) ((refused_wait_ms + 999) / 1000),
                        CS_RETRY_MAX_WAIT_MS / 1000, retried);

  if (kind == CS_CLIENT_ERROR_AUTH && _cs_client_key_withheld (self))
    return g_error_new (CS_CLIENT_ERROR, kind, _("%s %s (HTTP %u)%s%s The API key was not sent: "
                        "the connection is plain http to a host that is not this computer "
                        "(allow-insecure-key=true in the providers file sends it anyway).%s"),
                        what, name, status, detail, end, retried);

  return g_error_new (CS_CLIENT_ERROR, kind, "%s %s (HTTP %u)%s%s%s",
                      what, name, status, detail, end, retried);
}

gboolean
_cs_client_connect_fails_fast (const char   *url,
                               const GError *error)
{
  return error != NULL && url != NULL &&
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED) &&
         cs_config_url_is_local (url);
}

/* Builds the error for a request to @url that got no HTTP reply. */
GError *
_cs_client_connect_error (CsProviderClient *self,
                          const char       *url,
                          guint             attempts,
                          const GError     *error)
{
  g_autofree char *host = NULL;
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  g_autofree char *message = _cs_client_scrub_key (self, error->message);
  char buf[64];
  const char *retried = retried_suffix (attempts, buf, sizeof buf);
  const char *what;

  if (uri != NULL && g_uri_get_host (uri) != NULL)
    {
      if (g_uri_get_port (uri) > 0)
        host = g_strdup_printf ("%s:%d", g_uri_get_host (uri), g_uri_get_port (uri));
      else
        host = g_strdup (g_uri_get_host (uri));
    }
  else
    host = g_strdup (_cs_client_provider_name (self));

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    what = _("Connection refused by");
  else if (error->domain == G_RESOLVER_ERROR)
    what = _("Could not resolve");
  else if (error->domain == G_TLS_ERROR)
    what = _("TLS failure with");
  else
    what = _("Could not connect to");

  if (_cs_client_connect_fails_fast (url, error))
    return g_error_new (CS_CLIENT_ERROR, CS_CLIENT_ERROR_CONNECT,
                        _("Connection refused by %s (%s): nothing is listening there. "
                          "Start the server, or correct the provider's address."),
                        _cs_client_provider_name (self), host);

  return g_error_new (CS_CLIENT_ERROR, CS_CLIENT_ERROR_CONNECT, "%s %s (%s): %s%s%s",
                      what, _cs_client_provider_name (self), host, message,
                      ends_sentence (message) ? "" : ".", retried);
}

GError *
_cs_client_timeout_error (CsProviderClient *self,
                          guint             attempts,
                          CsTimeoutKind     kind)
{
  const char *name = _cs_client_provider_name (self);
  char buf[64];
  const char *retried = retried_suffix (attempts, buf, sizeof buf);

  switch (kind)
    {
    case CS_TIMEOUT_CONNECT:
      return g_error_new (CS_CLIENT_ERROR, CS_CLIENT_ERROR_TIMEOUT,
                          _("Could not connect to %s within %u s.%s"), name,
                          self->provider->connect_timeout_s, retried);
    case CS_TIMEOUT_FIRST_BYTE:
      return g_error_new (CS_CLIENT_ERROR, CS_CLIENT_ERROR_TIMEOUT,
                          _("%s sent no answer within %u s (first-byte timeout).%s"), name,
                          self->provider->first_byte_timeout_s, retried);
    case CS_TIMEOUT_IDLE:
      return g_error_new (CS_CLIENT_ERROR, CS_CLIENT_ERROR_TIMEOUT,
                          _("%s went silent for %u s in the middle of the reply (idle timeout)."),
                          name, self->provider->idle_timeout_s);
    case CS_TIMEOUT_NONE:
    default:
      return g_error_new (CS_CLIENT_ERROR, CS_CLIENT_ERROR_TIMEOUT,
                          _("The request to %s timed out.%s"), name, retried);
    }
}

GError *
_cs_client_missing_key_error (CsProviderClient *self)
{
  if (self->provider->api_key_env != NULL && self->provider->api_key_env[0] != '\0')
    return g_error_new (CS_CLIENT_ERROR, CS_CLIENT_ERROR_AUTH,
                        _("No API key for %s: set the environment variable %s or store a key "
                          "in the keyring."), _cs_client_provider_name (self), self->provider->api_key_env);

  return g_error_new (CS_CLIENT_ERROR, CS_CLIENT_ERROR_AUTH,
                      _("No API key for %s: store one in the keyring "
                        "(consilium-cli --store-key=%s) or name an environment variable "
                        "with api-key-env."), _cs_client_provider_name (self),
                      self->provider->id != NULL ? self->provider->id : "PROVIDER");
}

GError *
_cs_client_cancelled_error (void)
{
  return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Operation was cancelled"));
}
