/* cs-config-check.c: what a valid base URL, provider id, model name and
 * environment variable look like
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-config"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "cs-config-private.h"

static const char * const reasoning_efforts[] = {
  "minimal", "low", "medium", "high", NULL
};

static const char * const verbosities[] = {
  "low", "medium", "high", NULL
};

/* ---------------------------------------------------------------------- */
/* URLs */

static gboolean
inet_address_is_local (GInetAddress *addr)
{
  if (g_inet_address_get_is_loopback (addr) ||
      g_inet_address_get_is_site_local (addr) ||
      g_inet_address_get_is_link_local (addr))
    return TRUE;

  /* IPv6 unique local addresses, fc00::/7 */
  if (g_inet_address_get_family (addr) == G_SOCKET_FAMILY_IPV6)
    {
      const guint8 *bytes = g_inet_address_to_bytes (addr);

      if ((bytes[0] & 0xfe) == 0xfc)
        return TRUE;
    }

  return FALSE;
}

static gboolean
host_is_local (const char *host)
{
  g_autoptr(GInetAddress) addr = NULL;
  g_autofree char *lower = NULL;

  if (host == NULL || *host == '\0')
    return FALSE;

  addr = g_inet_address_new_from_string (host);
  if (addr != NULL)
    return inet_address_is_local (addr);

  lower = g_ascii_strdown (host, -1);
  /* a fully qualified name may end with a dot */
  if (g_str_has_suffix (lower, "."))
    lower[strlen (lower) - 1] = '\0';

  return g_str_equal (lower, "localhost") ||
         g_str_has_suffix (lower, ".localhost") ||
         g_str_has_suffix (lower, ".local");
}

/* This computer, decided on the address or on the one name that means it:
 * "localhost" (RFC 6761), not "x.localhost" and not "x.local". */
static gboolean
host_is_loopback (const char *host)
{
  g_autoptr(GInetAddress) addr = NULL;

  if (host == NULL || *host == '\0')
    return FALSE;

  addr = g_inet_address_new_from_string (host);
  if (addr != NULL)
    return g_inet_address_get_is_loopback (addr);

  return g_ascii_strcasecmp (host, "localhost") == 0 ||
         g_ascii_strcasecmp (host, "localhost.") == 0;
}

/* GUri lets spaces and control characters through. */
static gboolean
is_valid_url_text (const char *url)
{
  for (; *url != '\0'; url++)
    {
      if ((guchar) *url <= 0x20 || *url == 0x7f)
        return FALSE;
    }

  return TRUE;
}

/* A host name, an IPv4 address or an IPv6 literal (empty is checked later). */
static gboolean
is_valid_host (const char *host)
{
  g_autoptr(GInetAddress) addr = NULL;

  if (host == NULL || *host == '\0')
    return TRUE;

  addr = g_inet_address_new_from_string (host);
  if (addr != NULL)
    return TRUE;

  for (const char *p = host; *p != '\0'; p++)
    {
      if ((guchar) *p < 0x80 && !g_ascii_isalnum (*p) && *p != '-' && *p != '.' && *p != '_')
        return FALSE;
    }

  return TRUE;
}

gboolean
cs_config_url_is_local (const char *url)
{
  g_autoptr(GUri) uri = NULL;

  g_return_val_if_fail (url != NULL, FALSE);

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL)
    return FALSE;

  return host_is_local (g_uri_get_host (uri));
}

gboolean
cs_config_url_is_loopback (const char *url)
{
  g_autoptr(GUri) uri = NULL;

  g_return_val_if_fail (url != NULL, FALSE);

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL)
    return FALSE;

  return host_is_loopback (g_uri_get_host (uri));
}

static gboolean
url_is_https (const char *url)
{
  return url != NULL && g_ascii_strncasecmp (url, "https://", 8) == 0;
}

gboolean
cs_provider_config_may_send_key (const CsProviderConfig *p)
{
  g_return_val_if_fail (p != NULL, FALSE);

  return url_is_https (p->base_url) || p->allow_insecure_key ||
         (p->base_url != NULL && cs_config_url_is_loopback (p->base_url));
}

gboolean
cs_provider_config_key_in_clear (const CsProviderConfig *p)
{
  g_return_val_if_fail (p != NULL, FALSE);

  return p->allow_insecure_key && !url_is_https (p->base_url) &&
         !(p->base_url != NULL && cs_config_url_is_loopback (p->base_url));
}

/* The first checks: some text, valid UTF-8, a URL with a sensible host.
 * Returns the parsed URL. */
static GUri *
parse_base_url (const char  *url,
                GError     **error)
{
  g_autoptr(GUri) uri = NULL;

  if (url == NULL || *url == '\0')
    {
      g_set_error_literal (error, CS_CONFIG_ERROR, CS_CONFIG_ERROR_INVALID,
                           _("the base URL is empty"));
      return NULL;
    }

  if (!g_utf8_validate (url, -1, NULL))
    {
      g_set_error_literal (error, CS_CONFIG_ERROR, CS_CONFIG_ERROR_INVALID,
                           _("the base URL is not valid UTF-8 text"));
      return NULL;
    }

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || !is_valid_url_text (url) || !is_valid_host (g_uri_get_host (uri)))
    {
      g_set_error (error, CS_CONFIG_ERROR, CS_CONFIG_ERROR_INVALID,
                   _("\"%s\" is not a URL (expected e.g. https://api.example.com/v1)"),
                   url);
      return NULL;
    }

  return g_steal_pointer (&uri);
}

/* http or https, a host, no user name or password, no query or fragment. */
static gboolean
check_url_parts (GUri        *uri,
                 const char  *url,
                 GError     **error)
{
  const char *scheme = g_uri_get_scheme (uri);
  const char *host = g_uri_get_host (uri);

  if (g_ascii_strcasecmp (scheme, "https") != 0 &&
      g_ascii_strcasecmp (scheme, "http") != 0)
    {
      g_set_error (error, CS_CONFIG_ERROR, CS_CONFIG_ERROR_INVALID,
                   _("\"%s\" must start with https:// (or http:// for a server on "
                   "this computer or the local network)"), url);
      return FALSE;
    }

  if (host == NULL || *host == '\0')
    {
      g_set_error (error, CS_CONFIG_ERROR, CS_CONFIG_ERROR_INVALID,
                   _("\"%s\" has no host name"), url);
      return FALSE;
    }

  if (g_uri_get_userinfo (uri) != NULL)
    {
      /* Do not repeat the URL: it may hold a password. */
      g_set_error (error, CS_CONFIG_ERROR, CS_CONFIG_ERROR_INVALID,
                   _("the base URL for %s must not contain a user name or "
                   "password; store the API key in the keyring instead"), host);
      return FALSE;
    }

  if (g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL)
    {
      g_set_error (error, CS_CONFIG_ERROR, CS_CONFIG_ERROR_INVALID,
                   _("\"%s\" must not contain a query (?…) or fragment (#…)"), url);
      return FALSE;
    }

  return TRUE;
}

gboolean
cs_config_check_base_url (const char  *url,
                          GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  const char *host;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  uri = parse_base_url (url, error);
  if (uri == NULL || !check_url_parts (uri, url, error))
    return FALSE;

  host = g_uri_get_host (uri);
  if (g_ascii_strcasecmp (g_uri_get_scheme (uri), "http") == 0 && !host_is_local (host))
    {
      g_set_error (error, CS_CONFIG_ERROR, CS_CONFIG_ERROR_INVALID,
                   _("\"%s\" uses plain http:// for %s, which is not on this "
                   "computer or a private network; use https:// (http:// is "
                   "only allowed for loopback and private-network hosts)"),
                   url, host);
      return FALSE;
    }

  return TRUE;
}

char *
_cs_config_normalize_base_url (const char *url)
{
  char *copy = g_strdup (url);
  gsize len = strlen (copy);

  while (len > 0 && copy[len - 1] == '/')
    copy[--len] = '\0';

  return copy;
}

/* ---------------------------------------------------------------------- */
/* Names */

gboolean
_cs_config_is_valid_provider_id (const char *id)
{
  if (id == NULL || !g_ascii_isalnum (*id))
    return FALSE;

  for (; *id != '\0'; id++)
    {
      if (!g_ascii_isalnum (*id) && *id != '-' && *id != '_' && *id != '.')
        return FALSE;
    }

  return TRUE;
}

gboolean
_cs_config_is_valid_model_name (const char *name)
{
  if (name == NULL || *name == '\0' || strlen (name) > 256)
    return FALSE;
  if (!g_utf8_validate (name, -1, NULL))
    return FALSE;

  for (; *name != '\0'; name++)
    {
      if ((guchar) *name <= 0x20 || *name == 0x7f || *name == ';' ||
          *name == '[' || *name == ']' || *name == '#' || *name == '"')
        return FALSE;
    }

  return TRUE;
}

gboolean
_cs_config_is_valid_env_name (const char *name)
{
  if (name == NULL || !(g_ascii_isalpha (*name) || *name == '_'))
    return FALSE;

  for (; *name != '\0'; name++)
    {
      if (!g_ascii_isalnum (*name) && *name != '_')
        return FALSE;
    }

  return TRUE;
}

gboolean
_cs_config_is_reasoning_effort (const char *effort)
{
  return effort != NULL && g_strv_contains (reasoning_efforts, effort);
}

gboolean
_cs_config_is_verbosity (const char *verbosity)
{
  return verbosity != NULL && g_strv_contains (verbosities, verbosity);
}

gboolean
cs_config_check_provider_id (const char  *id,
                             GError     **error)
{
  if (id == NULL || *id == '\0')
    {
      g_set_error_literal (error, CS_CONFIG_ERROR, CS_CONFIG_ERROR_INVALID,
                           _("the provider id is empty"));
      return FALSE;
    }

  if (!_cs_config_is_valid_provider_id (id))
    {
      g_set_error (error, CS_CONFIG_ERROR, CS_CONFIG_ERROR_INVALID,
                   _("\"%s\" is not a valid provider id (use letters, digits, "
                     "\".\", \"_\" and \"-\", starting with a letter or digit)"), id);
      return FALSE;
    }

  return TRUE;
}

gboolean
cs_config_check_model_name (const char  *name,
                            GError     **error)
{
  if (!_cs_config_is_valid_model_name (name))
    {
      g_set_error (error, CS_CONFIG_ERROR, CS_CONFIG_ERROR_INVALID,
                   _("\"%s\" is not a valid model name (no spaces, quotes, "
                     "\"#\", \"[\" or \"]\")"), name ? name : "");
      return FALSE;
    }

  return TRUE;
}
