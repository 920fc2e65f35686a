/* cs-config-lines.c: the providers file line by line: where each group and
 * key is, a group or key written twice, and the warnings about unknown ones
 *
 * GKeyFile merges a group that appears twice and lets the last of two
 * equal keys win, silently: a second base-url= would replace the first.
 * This scan, made on text GKeyFile has accepted, refuses both and remembers
 * the line of every group and key for the messages.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-config"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "cs-config-private.h"

struct _CsConfigLines
{
  GHashTable *groups;   /* group → GHashTable of key → line; "" → the group's line */
};

void
_cs_config_lines_free (CsConfigLines *self)
{
  if (self == NULL)
    return;

  g_hash_table_unref (self->groups);
  g_free (self);
}

static GHashTable *
new_group (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/* One line, without its line break, leading white space and trailing CR. */
static char *
clean_line (const char *line,
            gsize       len)
{
  while (len > 0 && (*line == ' ' || *line == '\t'))
    {
      line++;
      len--;
    }
  if (len > 0 && line[len - 1] == '\r')
    len--;
  return g_strndup (line, len);
}

/* A key line of the current group; FALSE (and the error) for a second one. */
static gboolean
note_key (GHashTable  *keys,
          const char  *group,
          const char  *text,
          guint        line,
          const char  *name,
          GError     **error)
{
  const char *eq = strchr (text, '=');
  g_autofree char *key = NULL;
  guint first;

  if (eq == NULL)
    return TRUE;  /* GKeyFile accepted it: nothing we look at */

  key = g_strstrip (g_strndup (text, eq - text));
  first = GPOINTER_TO_UINT (g_hash_table_lookup (keys, key));
  if (first != 0)
    {
      g_set_error (error, CS_CONFIG_ERROR, CS_CONFIG_ERROR_PARSE,
                   /* Translators: "providers.ini: line 7: [provider kimi]: base-url is set twice (first on line 3)" */
                   _("%s: line %u: [%s]: %s is set twice (first on line %u)"),
                   name, line, group, key, first);
      return FALSE;
    }
  g_hash_table_insert (keys, g_steal_pointer (&key), GUINT_TO_POINTER (line));
  return TRUE;
}

CsConfigLines *
_cs_config_lines_scan (const char  *data,
                       gsize        len,
                       const char  *name,
                       GError     **error)
{
  CsConfigLines *self = g_new0 (CsConfigLines, 1);
  const char *end = data + len;
  const char *p = data;
  GHashTable *keys = NULL;
  g_autofree char *group = NULL;
  guint line = 0;

  self->groups = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) g_hash_table_unref);
  while (p < end)
    {
      const char *eol = memchr (p, '\n', end - p);
      g_autofree char *text = clean_line (p, (eol != NULL ? eol : end) - p);

      line++;
      p = eol != NULL ? eol + 1 : end;

      if (text[0] == '\0' || text[0] == '#')
        continue;

      if (text[0] == '[' && strrchr (text, ']') != NULL)
        {
          g_free (group);
          group = g_strndup (text + 1, strrchr (text, ']') - text - 1);
          keys = g_hash_table_lookup (self->groups, group);
          if (keys != NULL)
            {
              g_set_error (error, CS_CONFIG_ERROR, CS_CONFIG_ERROR_PARSE,
                           /* Translators: "providers.ini: line 9: [provider kimi] appears twice (first on line 1)" */
                           _("%s: line %u: [%s] appears twice (first on line %u)"),
                           name, line, group,
                           GPOINTER_TO_UINT (g_hash_table_lookup (keys, "")));
              _cs_config_lines_free (self);
              return NULL;
            }
          keys = new_group ();
          g_hash_table_insert (keys, g_strdup (""), GUINT_TO_POINTER (line));
          g_hash_table_insert (self->groups, g_strdup (group), keys);
          continue;
        }

      if (keys != NULL && !note_key (keys, group, text, line, name, error))
        {
          _cs_config_lines_free (self);
          return NULL;
        }
    }

  return self;
}

guint
_cs_config_lines_get (CsConfigLines *self,
                      const char    *group,
                      const char    *key)
{
  GHashTable *keys;

  if (self == NULL)
    return 0;
  keys = g_hash_table_lookup (self->groups, group);
  if (keys == NULL)
    return 0;
  return GPOINTER_TO_UINT (g_hash_table_lookup (keys, key != NULL ? key : ""));
}

/* Warnings */

/* The known key within two edits of @key, if there is one. */
static const char *
closest_key (const char         *key,
             const char * const *known)
{
  const char *best = NULL;
  guint best_distance = 3;

  for (guint i = 0; known[i] != NULL; i++)
    {
      gsize n = strlen (key);
      gsize m = strlen (known[i]);
      g_autofree guint *row = g_new (guint, m + 1);

      /* Levenshtein distance, one row at a time */
      for (gsize j = 0; j <= m; j++)
        row[j] = j;
      for (gsize a = 1; a <= n; a++)
        {
          guint diagonal = row[0];

          row[0] = a;
          for (gsize j = 1; j <= m; j++)
            {
              guint above = row[j];
              guint cost = key[a - 1] == known[i][j - 1] ? 0 : 1;

              row[j] = MIN (MIN (row[j] + 1, row[j - 1] + 1), diagonal + cost);
              diagonal = above;
            }
        }
      if (row[m] < best_distance)
        {
          best_distance = row[m];
          best = known[i];
        }
    }
  return best;
}

void
_cs_config_warn (CsConfigReader *r,
                 const char     *key,
                 const char     *format,
                 ...)
{
  g_autofree char *msg = NULL;
  guint line = _cs_config_lines_get (r->lines, r->group, key);
  va_list args;

  if (r->warnings == NULL)
    return;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);

  if (line > 0)
    g_ptr_array_add (r->warnings, g_strdup_printf (_("%s: line %u: [%s]: %s"), r->name, line, r->group, msg));
  else
    g_ptr_array_add (r->warnings, g_strdup_printf ("%s: [%s]: %s", r->name, r->group, msg));
}

void
_cs_config_warn_unknown_keys (CsConfigReader     *r,
                              const char * const *known)
{
  g_auto(GStrv) keys = g_key_file_get_keys (r->keyfile, r->group, NULL, NULL);

  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      const char *meant;

      if (g_strv_contains (known, keys[i]))
        continue;
      meant = closest_key (keys[i], known);
      if (meant != NULL)
        _cs_config_warn (r, keys[i],
                         /* Translators: "unknown key max-concurent (did you mean max-concurrent?); it is ignored" */
                         _("unknown key %s (did you mean %s?); it is ignored"), keys[i], meant);
      else
        _cs_config_warn (r, keys[i], _("unknown key %s; it is ignored"), keys[i]);
    }
}
