/* cs-similarity.c: a text similarity for matching equivalent items
 *
 * The measure (see docs/SYNTHESIS.md): both texts are normalised into sets of
 * tokens (lowercase, synonyms, stop words, light stemming); the similarity is
 * a weighted mean of the Jaccard index of the token sets (weight 0.2) and the
 * Dice coefficient of the character trigrams of the tokens (weight 0.8). Jaccard rewards shared words and
 * ignores order; trigrams forgive what stemming misses ("postgresql" and
 * "postgre", "restarting" and "restarts"). Everything here is pure.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-similarity"

#include "config.h"

#include <string.h>

#include "cs-similarity.h"

/* Words that carry no meaning for matching items. Generic verbs of a
 * troubleshooting step ("check", "verify") are here: two steps are the same
 * when they look at the same thing. */
static const char * const stop_words[] = {
  "a", "about", "after", "all", "also", "an", "and", "any", "are", "as", "at",
  "be", "been", "before", "being", "by", "can", "check", "confirm", "could",
  "do", "does", "e", "each", "eg", "ensure", "etc", "examine", "find", "first",
  "for", "from", "g", "i", "if", "in", "inspect", "into", "investigate", "is",
  "it", "its", "just", "look", "make", "may", "me", "might", "must", "my",
  "next", "no", "not", "of", "on", "only", "onto", "or", "our", "out", "over",
  "per", "review", "run", "see", "should", "so", "some", "step", "sure",
  "than", "that", "the", "their", "them", "then", "there", "these", "they",
  "this", "those", "to", "up", "use", "using", "verify", "via", "was", "we",
  "were", "whether", "which", "will", "with", "would", "you", "your",
};

/* Domain synonyms: a raw word and its canonical spelling (which may be two
 * words). Keep the table small and obvious. */
static const struct {
  const char *word;
  const char *canonical;
} synonyms[] = {
  { "db", "database" },
  { "dbs", "database" },
  { "rdbms", "database" },
  { "postgres", "postgresql" },
  { "pg", "postgresql" },
  { "pgsql", "postgresql" },
  { "k8s", "kubernetes" },
  { "kube", "kubernetes" },
  { "main", "primary" },
  { "master", "primary" },
  { "store", "storage" },
  { "stores", "storage" },
  { "datastore", "data storage" },
  { "filesystem", "disk" },
  { "filesystems", "disk" },
  { "fs", "disk" },
  { "partition", "disk" },
  { "partitions", "disk" },
  { "volume", "disk" },
  { "volumes", "disk" },
  { "drive", "disk" },
  { "hdd", "disk" },
  { "ssd", "disk" },
  { "free", "usage" },
  { "available", "usage" },
  { "used", "usage" },
  { "utilization", "usage" },
  { "utilisation", "usage" },
  { "remaining", "usage" },
  { "full", "usage" },
  { "ram", "memory" },
  { "mem", "memory" },
  { "oom", "memory" },
  { "reboot", "restart" },
  { "bounce", "restart" },
  { "relaunch", "restart" },
  { "mq", "queue" },
  { "broker", "queue" },
  { "lb", "load balancer" },
  { "gw", "gateway" },
  { "cert", "certificate" },
  { "certs", "certificate" },
  { "ssl", "tls" },
  { "config", "configuration" },
  { "conf", "configuration" },
  { "cfg", "configuration" },
  { "settings", "configuration" },
  { "svc", "service" },
  { "daemon", "service" },
  { "journal", "log" },
  { "journalctl", "log" },
  { "app", "application" },
  { "auth", "authentication" },
  { "authn", "authentication" },
  { "resolver", "dns" },
  { "nameserver", "dns" },
  { "conn", "connection" },
  { "net", "network" },
  { "networking", "network" },
  { "perms", "permission" },
};

/* Generic nouns of a role name, dropped when the name has other words
 * ("User service" vs "Order service" differ by what they serve). Stemmed. */
static const char * const weak_words[] = {
  "component", "handler", "layer", "modul", "servic", "server", "tier",
};

/* Two-word phrases with a canonical spelling, looked up before single words. */
static const struct {
  const char *first;
  const char *second;
  const char *canonical;
} phrases[] = {
  { "storage", "space", "disk space" },
  { "disk", "storage", "disk" },
  { "load", "balancing", "load balancer" },
  { "name", "resolution", "dns resolution" },
};

static gboolean
in_list (const char * const *list,
         gsize               n,
         const char         *word)
{
  for (gsize i = 0; i < n; i++)
    if (strcmp (list[i], word) == 0)
      return TRUE;
  return FALSE;
}

/* The stop words and the synonyms as hash tables, built once (thread-safe)
 * and never freed: tokenising is the hot path of the consensus. */
static GHashTable *stop_word_table;
static GHashTable *synonym_table;

static void
ensure_tables (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      stop_word_table = g_hash_table_new (g_str_hash, g_str_equal);
      for (gsize i = 0; i < G_N_ELEMENTS (stop_words); i++)
        g_hash_table_add (stop_word_table, (gpointer)stop_words[i]);
      synonym_table = g_hash_table_new (g_str_hash, g_str_equal);
      /* the first entry of a word wins, as the linear search did */
      for (gsize i = 0; i < G_N_ELEMENTS (synonyms); i++)
        if (!g_hash_table_contains (synonym_table, synonyms[i].word))
          g_hash_table_insert (synonym_table, (gpointer)synonyms[i].word, (gpointer)synonyms[i].canonical);
      g_once_init_leave (&once, 1);
    }
}

static gboolean
is_stop_word (const char *word)
{
  return g_hash_table_contains (stop_word_table, word);
}

static const char *
lookup_synonym (const char *word)
{
  return g_hash_table_lookup (synonym_table, word);
}

static gboolean
has_suffix (const char *word,
            gsize       len,
            const char *suffix)
{
  gsize slen = strlen (suffix);

  return len >= slen && memcmp (word + len - slen, suffix, slen) == 0;
}

static gboolean
is_vowel (char c)
{
  return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
}

/* First stage: plural s, -ies, -ing, -ed. Modifies @word in place. */
static void
stem_suffixes (char *word)
{
  gsize len = strlen (word);

  if (len > 4 && has_suffix (word, len, "ies"))
    {
      word[len - 3] = 'y';
      word[len - 2] = '\0';
    }
  else if (len > 3 && has_suffix (word, len, "s") &&
           !has_suffix (word, len, "ss") && !has_suffix (word, len, "us") &&
           !has_suffix (word, len, "is") && !has_suffix (word, len, "os"))
    word[len - 1] = '\0';
  else if (len > 5 && has_suffix (word, len, "ing"))
    word[len - 3] = '\0';
  else if (len > 4 && has_suffix (word, len, "ed") && !has_suffix (word, len, "eed"))
    word[len - 2] = '\0';
}

/* Second stage: a final e, a doubled final consonant ("logg" → "log"). */
static void
stem_final (char *word)
{
  gsize len = strlen (word);

  if (len > 4 && word[len - 1] == 'e')
    word[--len] = '\0';
  if (len > 3 && word[len - 1] == word[len - 2] && !is_vowel (word[len - 1]) &&
      g_ascii_isalpha (word[len - 1]) && strchr ("lsz", word[len - 1]) == NULL)
    word[len - 1] = '\0';
}

/* Adds the normalised form of one raw lowercase word to @set. */
static void
add_word (GHashTable *set,
          const char *raw)
{
  const char *syn;
  g_autofree char *plain = NULL;
  g_auto(GStrv) parts = NULL;

  if (is_stop_word (raw))
    return;

  syn = lookup_synonym (raw);
  if (syn == NULL)
    {
      /* "DBs", "certs": look the singular up too */
      plain = g_strdup (raw);
      stem_suffixes (plain);
      syn = lookup_synonym (plain);
    }
  parts = g_strsplit (syn != NULL ? syn : raw, " ", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *word = parts[i];

      if (*word == '\0' || is_stop_word (word))
        continue;
      stem_suffixes (word);
      if (is_stop_word (word))
        continue;
      stem_final (word);
      if (*word == '\0' || is_stop_word (word))
        continue;
      g_hash_table_add (set, g_strdup (word));
    }
}

static GHashTable *
token_set (const char *text)
{
  GHashTable *set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *lower = NULL;
  g_autoptr(GString) word = g_string_new (NULL);
  g_autoptr(GPtrArray) words = g_ptr_array_new_with_free_func (g_free);
  const char *p;

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return set;

  ensure_tables ();
  lower = g_utf8_strdown (text, -1);
  for (p = lower; ; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c != 0 && g_unichar_isalnum (c))
        {
          g_string_append_unichar (word, c);
          continue;
        }
      if (word->len > 0)
        {
          g_ptr_array_add (words, g_strdup (word->str));
          g_string_truncate (word, 0);
        }
      if (c == 0)
        break;
    }

  for (guint i = 0; i < words->len; i++)
    {
      const char *w = g_ptr_array_index (words, i);
      const char *next = i + 1 < words->len ? g_ptr_array_index (words, i + 1) : NULL;
      const char *phrase = NULL;

      for (gsize k = 0; next != NULL && k < G_N_ELEMENTS (phrases); k++)
        if (strcmp (phrases[k].first, w) == 0 && strcmp (phrases[k].second, next) == 0)
          phrase = phrases[k].canonical;

      if (phrase != NULL)
        {
          g_auto(GStrv) parts = g_strsplit (phrase, " ", -1);

          for (guint j = 0; parts[j] != NULL; j++)
            add_word (set, parts[j]);
          i++;
        }
      else
        add_word (set, w);
    }

  if (g_hash_table_size (set) > 0)
    {
      GHashTableIter iter;
      gpointer key;
      guint weak = 0;

      g_hash_table_iter_init (&iter, set);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        if (in_list (weak_words, G_N_ELEMENTS (weak_words), key))
          weak++;
      if (weak < g_hash_table_size (set))
        for (gsize k = 0; k < G_N_ELEMENTS (weak_words); k++)
          g_hash_table_remove (set, weak_words[k]);
    }

  return set;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *)a, *(const char * const *)b);
}

GStrv
cs_similarity_tokens (const char *text)
{
  g_autoptr(GHashTable) set = token_set (text);
  GStrv tokens = (GStrv)g_hash_table_get_keys_as_array (set, NULL);

  /* the array's strings belong to the set: copy them */
  for (guint i = 0; tokens[i] != NULL; i++)
    tokens[i] = g_strdup (tokens[i]);
  qsort (tokens, g_strv_length (tokens), sizeof (char *), compare_strings);
  return tokens;
}

char *
cs_similarity_normalize (const char *text)
{
  g_auto(GStrv) tokens = cs_similarity_tokens (text);

  return g_strjoinv (" ", tokens);
}

static double
jaccard_sets (GHashTable *a,
              GHashTable *b)
{
  GHashTableIter iter;
  gpointer key;
  guint inter = 0;
  guint uni;

  if (g_hash_table_size (a) == 0 && g_hash_table_size (b) == 0)
    return 1.0;

  g_hash_table_iter_init (&iter, a);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (g_hash_table_contains (b, key))
      inter++;
  uni = g_hash_table_size (a) + g_hash_table_size (b) - inter;
  return (double)inter / (double)uni;
}

double
cs_similarity_jaccard (const char *a,
                       const char *b)
{
  g_autoptr(GHashTable) sa = token_set (a);
  g_autoptr(GHashTable) sb = token_set (b);

  return jaccard_sets (sa, sb);
}

static GHashTable *
trigram_set (GHashTable *tokens)
{
  GHashTable *set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, tokens);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      g_autofree char *padded = g_strdup_printf (" %s ", (const char *)key);
      gsize len = strlen (padded);

      for (gsize i = 0; i + 3 <= len; i++)
        g_hash_table_add (set, g_strndup (padded + i, 3));
    }
  return set;
}

static double
dice_sets (GHashTable *a,
           GHashTable *b)
{
  GHashTableIter iter;
  gpointer key;
  guint inter = 0;
  guint sum = g_hash_table_size (a) + g_hash_table_size (b);

  if (sum == 0)
    return 1.0;

  g_hash_table_iter_init (&iter, a);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (g_hash_table_contains (b, key))
      inter++;
  return 2.0 * inter / (double)sum;
}

double
cs_similarity_trigram_dice (const char *a,
                            const char *b)
{
  g_autoptr(GHashTable) sa = token_set (a);
  g_autoptr(GHashTable) sb = token_set (b);
  g_autoptr(GHashTable) ta = trigram_set (sa);
  g_autoptr(GHashTable) tb = trigram_set (sb);

  return dice_sets (ta, tb);
}

double
cs_similarity_text (const char *a,
                    const char *b)
{
  g_autoptr(GHashTable) sa = token_set (a);
  g_autoptr(GHashTable) sb = token_set (b);
  g_autoptr(GHashTable) ta = NULL;
  g_autoptr(GHashTable) tb = NULL;

  if (g_strcmp0 (a != NULL ? a : "", b != NULL ? b : "") == 0)
    return 1.0;
  /* Nothing meaningful on a side: no evidence of sameness. */
  if (g_hash_table_size (sa) == 0 || g_hash_table_size (sb) == 0)
    return 0.0;

  ta = trigram_set (sa);
  tb = trigram_set (sb);
  return CS_SIMILARITY_JACCARD_WEIGHT * jaccard_sets (sa, sb) +
         (1.0 - CS_SIMILARITY_JACCARD_WEIGHT) * dice_sets (ta, tb);
}

gboolean
cs_similarity_match (const char *a,
                     const char *b)
{
  return cs_similarity_text (a, b) >= CS_SIMILARITY_THRESHOLD;
}

/* Prepared texts: the token and trigram sets of a text computed once, as
 * sorted arrays, so that comparing it with many others costs a merge of two
 * sorted arrays instead of tokenising both texts again. The counts are the
 * same as with the hash sets above, so the figures are identical. */
struct _CsPreparedText
{
  char     *text;        /* "" for NULL */
  char    **tokens;      /* sorted, unique, NULL-terminated */
  guint     n_tokens;
  guint32  *trigrams;    /* the 3 bytes of each trigram, sorted, unique */
  guint     n_trigrams;
};

static int
compare_guint32 (gconstpointer a,
                 gconstpointer b)
{
  guint32 x = *(const guint32 *)a;
  guint32 y = *(const guint32 *)b;

  return x < y ? -1 : (x > y ? 1 : 0);
}

CsPreparedText *
cs_prepared_text_new (const char *text)
{
  CsPreparedText *prepared = g_new0 (CsPreparedText, 1);
  g_autoptr(GArray) trigrams = g_array_new (FALSE, FALSE, sizeof (guint32));
  guint n = 0;

  prepared->text = g_strdup (text != NULL ? text : "");
  prepared->tokens = cs_similarity_tokens (text);
  prepared->n_tokens = g_strv_length (prepared->tokens);

  for (guint i = 0; i < prepared->n_tokens; i++)
    {
      g_autofree char *padded = g_strdup_printf (" %s ", prepared->tokens[i]);
      gsize len = strlen (padded);

      for (gsize k = 0; k + 3 <= len; k++)
        {
          guint32 t = ((guint32)(guchar)padded[k] << 16) |
                      ((guint32)(guchar)padded[k + 1] << 8) |
                      (guint32)(guchar)padded[k + 2];

          g_array_append_val (trigrams, t);
        }
    }
  g_array_sort (trigrams, compare_guint32);
  for (guint i = 0; i < trigrams->len; i++)
    if (n == 0 || g_array_index (trigrams, guint32, i) != g_array_index (trigrams, guint32, n - 1))
      g_array_index (trigrams, guint32, n++) = g_array_index (trigrams, guint32, i);
  g_array_set_size (trigrams, n);
  prepared->n_trigrams = n;
  prepared->trigrams = (guint32 *)(void *)g_array_free (g_steal_pointer (&trigrams), FALSE);
  return prepared;
}

void
cs_prepared_text_free (CsPreparedText *prepared)
{
  if (prepared == NULL)
    return;
  g_free (prepared->text);
  g_strfreev (prepared->tokens);
  g_free (prepared->trigrams);
  g_free (prepared);
}

guint
cs_prepared_text_get_n_tokens (const CsPreparedText *prepared)
{
  g_return_val_if_fail (prepared != NULL, 0);

  return prepared->n_tokens;
}

static guint
common_tokens (const CsPreparedText *a,
               const CsPreparedText *b)
{
  guint i = 0, j = 0, n = 0;

  while (i < a->n_tokens && j < b->n_tokens)
    {
      int cmp = strcmp (a->tokens[i], b->tokens[j]);

      if (cmp == 0)
        {
          n++;
          i++;
          j++;
        }
      else if (cmp < 0)
        i++;
      else
        j++;
    }
  return n;
}

static guint
common_trigrams (const CsPreparedText *a,
                 const CsPreparedText *b)
{
  guint i = 0, j = 0, n = 0;

  while (i < a->n_trigrams && j < b->n_trigrams)
    {
      if (a->trigrams[i] == b->trigrams[j])
        {
          n++;
          i++;
          j++;
        }
      else if (a->trigrams[i] < b->trigrams[j])
        i++;
      else
        j++;
    }
  return n;
}

/* The same arithmetic as jaccard_sets() and dice_sets(). */
static double
jaccard_prepared (const CsPreparedText *a,
                  const CsPreparedText *b)
{
  guint inter;
  guint uni;

  if (a->n_tokens == 0 && b->n_tokens == 0)
    return 1.0;
  inter = common_tokens (a, b);
  uni = a->n_tokens + b->n_tokens - inter;
  return (double)inter / (double)uni;
}

static double
dice_prepared (const CsPreparedText *a,
               const CsPreparedText *b)
{
  guint inter;
  guint sum = a->n_trigrams + b->n_trigrams;

  if (sum == 0)
    return 1.0;
  inter = common_trigrams (a, b);
  return 2.0 * inter / (double)sum;
}

double
cs_similarity_jaccard_prepared (const CsPreparedText *a,
                                const CsPreparedText *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, 0.0);

  return jaccard_prepared (a, b);
}

double
cs_similarity_text_prepared (const CsPreparedText *a,
                             const CsPreparedText *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, 0.0);

  if (strcmp (a->text, b->text) == 0)
    return 1.0;
  if (a->n_tokens == 0 || b->n_tokens == 0)
    return 0.0;
  return CS_SIMILARITY_JACCARD_WEIGHT * jaccard_prepared (a, b) +
         (1.0 - CS_SIMILARITY_JACCARD_WEIGHT) * dice_prepared (a, b);
}
