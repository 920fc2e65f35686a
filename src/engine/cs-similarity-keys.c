/* cs-similarity-keys.c: the program a command runs, a technology's voting key
 *
 * Two steps that run the same program ("sudo LANG=C /usr/bin/df -h" and
 * "df -h /var") get a bonus in the consensus; two technologies spelled
 * differently ("PostgreSQL 16", "postgres") get the same vote. Pure.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-similarity"

#include "config.h"

#include <string.h>

#include "cs-similarity.h"

/* Words dropped from technology names for voting: vendors and generic
 * suffixes ("Apache Kafka" = "Kafka", "Kong Gateway" = "Kong"). */
static const char * const technology_noise[] = {
  "amazon", "apache", "aws", "azure", "cloud", "cluster", "community",
  "edition", "enterprise", "gateway", "gcp", "google", "managed",
  "microsoft", "oss", "proxy", "server", "service",
};

static const struct {
  const char *word;
  const char *canonical;
} technology_synonyms[] = {
  { "postgres", "postgresql" },
  { "pg", "postgresql" },
  { "k8s", "kubernetes" },
  { "mongo", "mongodb" },
  { "es", "elasticsearch" },
  { "nodejs", "node.js" },
  { "node", "node.js" },
};

static gboolean
is_noise (const char *word)
{
  for (gsize i = 0; i < G_N_ELEMENTS (technology_noise); i++)
    if (strcmp (technology_noise[i], word) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
is_assignment (const char *word)
{
  const char *eq = strchr (word, '=');

  if (eq == NULL || eq == word || !(g_ascii_isalpha (*word) || *word == '_'))
    return FALSE;
  for (const char *p = word; p < eq; p++)
    if (!g_ascii_isalnum (*p) && *p != '_')
      return FALSE;
  return TRUE;
}

/* The words of the command's program: [program, first argument or NULL]. */
static GStrv
command_words (const char *command)
{
  g_auto(GStrv) words = NULL;
  g_autofree char *copy = NULL;
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  guint i = 0;

  if (command == NULL || !g_utf8_validate (command, -1, NULL))
    {
      g_ptr_array_add (out, NULL);
      return (GStrv)g_ptr_array_free (out, FALSE);
    }

  copy = g_strstrip (g_strdup (command));
  words = g_strsplit_set (copy, " \t\r\n", -1);

  for (; words[i] != NULL; i++)
    {
      const char *w = words[i];

      if (*w == '\0' || is_assignment (w))
        continue;
      if (strcmp (w, "sudo") == 0 || strcmp (w, "env") == 0 ||
          strcmp (w, "time") == 0 || strcmp (w, "nice") == 0 ||
          strcmp (w, "nohup") == 0 || strcmp (w, "doas") == 0)
        continue;
      if (out->len == 0 && w[0] == '-')
        {
          /* an option of sudo/env/nice; "-u user" takes an argument */
          if ((strcmp (w, "-u") == 0 || strcmp (w, "-g") == 0 || strcmp (w, "-n") == 0) &&
              words[i + 1] != NULL)
            i++;
          continue;
        }
      if (out->len == 0)
        {
          const char *slash = strrchr (w, '/');
          const char *base = slash != NULL ? slash + 1 : w;

          if (*base == '\0')
            continue;
          g_ptr_array_add (out, g_ascii_strdown (base, -1));
        }
      else if (w[0] != '-')
        {
          g_ptr_array_add (out, g_ascii_strdown (w, -1));
          break;
        }
    }

  g_ptr_array_add (out, NULL);
  return (GStrv)g_ptr_array_free (out, FALSE);
}

char *
cs_similarity_command_word (const char *command)
{
  g_auto(GStrv) words = command_words (command);

  return g_strdup (words[0]);
}

double
cs_similarity_command_bonus (const char *a,
                             const char *b)
{
  g_auto(GStrv) wa = command_words (a);
  g_auto(GStrv) wb = command_words (b);

  if (wa[0] == NULL || wb[0] == NULL || strcmp (wa[0], wb[0]) != 0)
    return 0.0;
  return 0.05 + 0.15 * cs_similarity_jaccard (a, b);
}

static gboolean
is_version (const char *word)
{
  const char *p = word;

  if (*p == 'v' && g_ascii_isdigit (p[1]))
    p++;
  if (!g_ascii_isdigit (*p))
    return strcmp (word, "lts") == 0 || strcmp (word, "latest") == 0;
  for (; *p; p++)
    if (!g_ascii_isdigit (*p) && *p != '.' && *p != 'x' && *p != '+')
      return FALSE;
  return TRUE;
}

char *
cs_similarity_technology_key (const char *technology)
{
  g_autofree char *lower = NULL;
  g_autoptr(GString) plain = g_string_new (NULL);
  g_autoptr(GPtrArray) kept = g_ptr_array_new ();
  g_autoptr(GPtrArray) all = g_ptr_array_new ();
  g_auto(GStrv) words = NULL;
  int depth = 0;

  if (technology == NULL || !g_utf8_validate (technology, -1, NULL))
    return g_strdup ("");

  lower = g_utf8_strdown (technology, -1);
  /* drop "(...)" remarks; separators become spaces */
  for (const char *p = lower; *p; p++)
    {
      if (*p == '(' || *p == '[')
        depth++;
      else if ((*p == ')' || *p == ']') && depth > 0)
        depth--;
      else if (depth == 0)
        g_string_append_c (plain, strchr (",;:/|\t\r\n", *p) != NULL ? ' ' : *p);
    }

  words = g_strsplit (plain->str, " ", -1);
  for (guint i = 0; words[i] != NULL; i++)
    {
      char *w = words[i];
      gsize len;

      /* punctuation around a word goes; inside stays ("node.js", "c++") */
      while (*w && !g_ascii_isalnum (*w) && (guchar)*w < 0x80)
        w++;
      len = strlen (w);
      while (len > 0 && !g_ascii_isalnum (w[len - 1]) && w[len - 1] != '+' &&
             w[len - 1] != '#' && (guchar)w[len - 1] < 0x80)
        w[--len] = '\0';
      if (*w == '\0' || is_version (w))
        continue;
      for (gsize s = 0; s < G_N_ELEMENTS (technology_synonyms); s++)
        if (strcmp (technology_synonyms[s].word, w) == 0)
          {
            w = (char *)technology_synonyms[s].canonical;
            break;
          }
      g_ptr_array_add (all, w);
      if (!is_noise (w))
        g_ptr_array_add (kept, w);
    }

  if (kept->len == 0)
    g_ptr_array_extend (kept, all, NULL, NULL);
  if (kept->len == 0)
    return g_strstrip (g_strdup (lower));
  g_ptr_array_add (kept, NULL);
  return g_strjoinv (" ", (char **)kept->pdata);
}
