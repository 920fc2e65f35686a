/* cs-config-keyfile.c: one value of the providers file, read or written:
 * quotes, inline comments, ranges, and lines kept when a value is unchanged
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-config"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "cs-config-private.h"

/* ---------------------------------------------------------------------- */
/* Reading values */

void
_cs_config_reader_error (CsConfigReader  *r,
                         const char      *key,
                         GError         **error,
                         const char      *format,
                         ...)
{
  g_autofree char *msg = NULL;
  va_list args;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);

  if (key != NULL)
    g_set_error (error, CS_CONFIG_ERROR, CS_CONFIG_ERROR_INVALID,
                 "%s: [%s]: %s: %s", r->name, r->group, key, msg);
  else
    g_set_error (error, CS_CONFIG_ERROR, CS_CONFIG_ERROR_INVALID,
                 "%s: [%s]: %s", r->name, r->group, msg);
}

/* Turns a raw GKeyFile value into the value: an unquoted value ends at the
 * first `#` that starts the value or follows white space (an inline comment),
 * and loses trailing white space; a value in double quotes keeps everything
 * between them (\" and \\ are escapes). Returns NULL with *problem set when
 * a quote is not closed or text follows it. */
char *
_cs_config_parse_raw_value (const char  *raw,
                            const char **problem)
{
  const char *p = raw;

  *problem = NULL;

  while (*p == ' ' || *p == '\t')
    p++;

  if (*p == '"')
    {
      GString *out = g_string_new (NULL);

      for (p++; *p != '\0' && *p != '"'; p++)
        {
          if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
            p++;
          g_string_append_c (out, *p);
        }

      if (*p != '"')
        {
          *problem = _("the closing quote (\") is missing");
          g_string_free (out, TRUE);
          return NULL;
        }

      for (p++; *p == ' ' || *p == '\t'; p++)
        ;
      if (*p != '\0' && *p != '#')
        {
          *problem = _("there is text after the closing quote");
          g_string_free (out, TRUE);
          return NULL;
        }

      return g_string_free (out, FALSE);
    }
  else
    {
      const char *start = p;
      const char *end;

      for (end = p; *end != '\0'; end++)
        {
          if (*end == '#' && (end == start || end[-1] == ' ' || end[-1] == '\t'))
            break;
        }

      while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
        end--;

      return g_strndup (start, end - start);
    }
}

/* Returns TRUE and sets *out (NULL when the key is absent); FALSE on error. */
gboolean
_cs_config_read_string (CsConfigReader  *r,
                        const char      *key,
                        char           **out,
                        GError         **error)
{
  g_autofree char *raw = NULL;
  const char *problem = NULL;
  char *value;

  *out = NULL;

  raw = g_key_file_get_value (r->keyfile, r->group, key, NULL);
  if (raw == NULL)
    return TRUE;

  value = _cs_config_parse_raw_value (raw, &problem);
  if (value == NULL)
    {
      _cs_config_reader_error (r, key, error, "%s", problem);
      return FALSE;
    }

  *out = value;
  return TRUE;
}

/* Absent or empty keys leave *out alone. */
gboolean
_cs_config_read_uint (CsConfigReader  *r,
                      const char      *key,
                      guint64          min,
                      guint64          max,
                      guint64         *out,
                      GError         **error)
{
  g_autofree char *value = NULL;
  g_autoptr(GError) local_error = NULL;
  guint64 n;

  if (!_cs_config_read_string (r, key, &value, error))
    return FALSE;
  if (value == NULL || *value == '\0')
    return TRUE;

  if (value[0] == '-')
    {
      _cs_config_reader_error (r, key, error, _("\"%s\" must not be negative"), value);
      return FALSE;
    }

  if (!g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT64, &n, &local_error))
    {
      _cs_config_reader_error (r, key, error, _("\"%s\" is not a whole number"), value);
      return FALSE;
    }

  if (n < min || n > max)
    {
      g_autofree char *smin = g_strdup_printf ("%" G_GUINT64_FORMAT, min);
      g_autofree char *smax = g_strdup_printf ("%" G_GUINT64_FORMAT, max);

      _cs_config_reader_error (r, key, error, _("%s is out of range (%s to %s)"), value, smin, smax);
      return FALSE;
    }

  *out = n;
  return TRUE;
}

gboolean
_cs_config_read_guint (CsConfigReader  *r,
                       const char      *key,
                       guint            min,
                       guint            max,
                       guint           *out,
                       GError         **error)
{
  guint64 n = *out;

  if (!_cs_config_read_uint (r, key, min, max, &n, error))
    return FALSE;

  *out = (guint) n;
  return TRUE;
}

gboolean
_cs_config_read_double (CsConfigReader  *r,
                        const char      *key,
                        double           min,
                        double           max,
                        double          *out,
                        GError         **error)
{
  g_autofree char *value = NULL;
  char *end = NULL;
  double d;

  if (!_cs_config_read_string (r, key, &value, error))
    return FALSE;
  if (value == NULL || *value == '\0')
    return TRUE;

  errno = 0;
  d = g_ascii_strtod (value, &end);
  if (end == value || *end != '\0' || errno != 0 || !isfinite (d))
    {
      _cs_config_reader_error (r, key, error, _("\"%s\" is not a number"), value);
      return FALSE;
    }

  if (d < 0)
    {
      _cs_config_reader_error (r, key, error, _("\"%s\" must not be negative"), value);
      return FALSE;
    }

  if (d < min || d > max)
    {
      g_autofree char *smin = g_strdup_printf ("%g", min);
      g_autofree char *smax = g_strdup_printf ("%g", max);

      _cs_config_reader_error (r, key, error, _("%s is out of range (%s to %s)"), value, smin, smax);
      return FALSE;
    }

  *out = d;
  return TRUE;
}

gboolean
_cs_config_read_bool (CsConfigReader  *r,
                      const char      *key,
                      gboolean        *out,
                      GError         **error)
{
  g_autofree char *value = NULL;

  if (!_cs_config_read_string (r, key, &value, error))
    return FALSE;
  if (value == NULL || *value == '\0')
    return TRUE;

  if (g_ascii_strcasecmp (value, "true") == 0 ||
      g_ascii_strcasecmp (value, "yes") == 0 ||
      g_str_equal (value, "1"))
    *out = TRUE;
  else if (g_ascii_strcasecmp (value, "false") == 0 ||
           g_ascii_strcasecmp (value, "no") == 0 ||
           g_str_equal (value, "0"))
    *out = FALSE;
  else
    {
      _cs_config_reader_error (r, key, error, _("\"%s\" is not true or false"), value);
      return FALSE;
    }

  return TRUE;
}

/* ---------------------------------------------------------------------- */
/* Writing */

static gboolean
values_equal (CsConfigValueType  type,
              const char        *a,
              const char        *b)
{
  switch (type)
    {
    case CS_CONFIG_VALUE_NUMBER:
      {
        char *end_a = NULL;
        char *end_b = NULL;
        double da = g_ascii_strtod (a, &end_a);
        double db = g_ascii_strtod (b, &end_b);

        return *a != '\0' && *b != '\0' && *end_a == '\0' && *end_b == '\0' && da == db;
      }

    case CS_CONFIG_VALUE_BOOL:
      {
        gboolean ta = g_ascii_strcasecmp (a, "true") == 0 || g_ascii_strcasecmp (a, "yes") == 0 || g_str_equal (a, "1");
        gboolean tb = g_ascii_strcasecmp (b, "true") == 0 || g_ascii_strcasecmp (b, "yes") == 0 || g_str_equal (b, "1");

        return ta == tb;
      }

    case CS_CONFIG_VALUE_LIST:
      {
        g_auto(GStrv) la = g_strsplit (a, ";", -1);
        g_auto(GStrv) lb = g_strsplit (b, ";", -1);
        guint i = 0, j = 0;

        for (;;)
          {
            while (la[i] != NULL && *g_strstrip (la[i]) == '\0')
              i++;
            while (lb[j] != NULL && *g_strstrip (lb[j]) == '\0')
              j++;
            if (la[i] == NULL || lb[j] == NULL)
              return la[i] == NULL && lb[j] == NULL;
            if (!g_str_equal (la[i], lb[j]))
              return FALSE;
            i++;
            j++;
          }
      }

    case CS_CONFIG_VALUE_URL:
      {
        g_autofree char *na = _cs_config_normalize_base_url (a);
        g_autofree char *nb = _cs_config_normalize_base_url (b);

        return g_str_equal (na, nb);
      }

    case CS_CONFIG_VALUE_STRING:
    default:
      return g_str_equal (a, b);
    }
}

/* Quotes a value when reading it back unquoted would change it. */
static char *
format_value (const char *value)
{
  GString *out;
  gboolean needs_quotes;
  gsize len = strlen (value);

  needs_quotes = strchr (value, '#') != NULL ||
                 value[0] == '"' ||
                 (len > 0 && (g_ascii_isspace (value[0]) || g_ascii_isspace (value[len - 1])));

  out = g_string_new (NULL);
  if (needs_quotes)
    g_string_append_c (out, '"');
  for (const char *p = value; *p != '\0'; p++)
    {
      if ((guchar) *p < 0x20)
        g_string_append_c (out, ' ');
      else if (needs_quotes && (*p == '"' || *p == '\\'))
        {
          g_string_append_c (out, '\\');
          g_string_append_c (out, *p);
        }
      else
        g_string_append_c (out, *p);
    }
  if (needs_quotes)
    g_string_append_c (out, '"');

  return g_string_free (out, FALSE);
}

/* Sets group.key to value, keeping the line (and its comment) when it
 * already says the same; value NULL removes the key; a value equal to
 * default_value is not added when the key is absent. */
void
_cs_config_write_key (GKeyFile          *kf,
                      const char        *group,
                      const char        *key,
                      CsConfigValueType  type,
                      const char        *value,
                      const char        *default_value)
{
  g_autofree char *raw = g_key_file_get_value (kf, group, key, NULL);
  g_autofree char *formatted = NULL;

  if (value == NULL)
    {
      if (raw != NULL)
        g_key_file_remove_key (kf, group, key, NULL);
      return;
    }

  if (raw != NULL)
    {
      const char *problem = NULL;
      g_autofree char *old = _cs_config_parse_raw_value (raw, &problem);

      if (old != NULL && values_equal (type, old, value))
        return;
    }
  else if (default_value != NULL && values_equal (type, value, default_value))
    return;

  formatted = format_value (value);
  g_key_file_set_value (kf, group, key, formatted);
}

void
_cs_config_write_uint (GKeyFile   *kf,
                       const char *group,
                       const char *key,
                       guint64     value,
                       guint64     default_value)
{
  char buf[32];
  char def[32];

  g_snprintf (buf, sizeof buf, "%" G_GUINT64_FORMAT, value);
  g_snprintf (def, sizeof def, "%" G_GUINT64_FORMAT, default_value);
  _cs_config_write_key (kf, group, key, CS_CONFIG_VALUE_NUMBER, buf, def);
}

void
_cs_config_write_double (GKeyFile   *kf,
                         const char *group,
                         const char *key,
                         double      value,
                         double      default_value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  char def[G_ASCII_DTOSTR_BUF_SIZE];

  if (isnan (value))
    {
      _cs_config_write_key (kf, group, key, CS_CONFIG_VALUE_NUMBER, NULL, NULL);
      return;
    }

  g_ascii_dtostr (buf, sizeof buf, value);
  g_ascii_dtostr (def, sizeof def, default_value);
  _cs_config_write_key (kf, group, key, CS_CONFIG_VALUE_NUMBER, buf, isnan (default_value) ? NULL : def);
}

void
_cs_config_write_bool (GKeyFile   *kf,
                       const char *group,
                       const char *key,
                       gboolean    value,
                       gboolean    default_value)
{
  _cs_config_write_key (kf, group, key, CS_CONFIG_VALUE_BOOL,
                        value ? "true" : "false", default_value ? "true" : "false");
}
