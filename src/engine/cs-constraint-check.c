/* cs-constraint-check.c: where a result breaks the run's stated constraints
 *
 * The rules are in cs-constraint-check.h. The budget is read from the
 * person's text on a lower-case ASCII copy (other bytes, "€" among them,
 * kept as they are), amount by amount, each with the period written after
 * it; technologies are compared as sequences of words.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-constraint-check"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "cs-constraint-check.h"

void
cs_constraint_breach_free (CsConstraintBreach *breach)
{
  if (breach == NULL)
    return;
  g_free (breach->message);
  g_strfreev (breach->technologies);
  g_free (breach);
}

/* ------------------------------------------------------------------------ */
/* Budget                                                                    */
/* ------------------------------------------------------------------------ */

static gboolean
word_in (const char          *word,
         const char * const  *list)
{
  return g_strv_contains (list, word);
}

static const char * const month_words[] = { "month", "months", "monthly", "mo", "mos", "mth", "mnth", NULL };
static const char * const year_words[] = { "year", "years", "yearly", "annual", "annually", "annum", "yr", "yrs", NULL };
static const char * const week_words[] = { "week", "weeks", "weekly", "wk", NULL };
static const char * const day_words[] = { "day", "days", "daily", NULL };
static const char * const once_words[] = { "total", "once", "upfront", "capex", "lifetime", NULL };
static const char * const dollar_words[] = { "usd", "dollar", "dollars", "bucks", NULL };
static const char * const other_words[] = { "eur", "euro", "euros", "gbp", "pound", "pounds", "chf", "jpy",
                                             "yen", "inr", "rupees", "cny", "rmb", "yuan", "cad", "aud",
                                             "nzd", "hkd", "sgd", "sek", "nok", "dkk", "pln", "czk", NULL };
/* words a bare number may be followed by and still be money */
static const char * const money_followers[] = { "per", "a", "an", "each", "every", "max", "maximum", "tops",
                                                "at", "or", "to", "and", "budget", NULL };

/* How many months a period word stands for the reciprocal of: the factor
 * that makes an amount per that period an amount per month. 0: none. */
static double
period_factor (const char *word,
               gboolean    after_slash)
{
  if (word_in (word, month_words) || (after_slash && g_str_equal (word, "m")))
    return 1.0;
  if (word_in (word, year_words) || (after_slash && g_str_equal (word, "y")))
    return 1.0 / 12.0;
  if (word_in (word, week_words) || (after_slash && g_str_equal (word, "w")))
    return 52.0 / 12.0;
  if (word_in (word, day_words) || (after_slash && g_str_equal (word, "d")))
    return 365.0 / 12.0;
  return 0.0;
}

/* The letters word at @p (ASCII, lower case), or "" at a non-letter. */
static char *
word_at (const char *p,
         const char **end)
{
  const char *q = p;

  while (g_ascii_isalpha (*q))
    q++;
  if (end != NULL)
    *end = q;
  return g_strndup (p, q - p);
}

static const char *
skip_spaces (const char *p)
{
  while (*p == ' ' || *p == '\t')
    p++;
  return p;
}

/* Back from @p over spaces, not before @text. */
static const char *
skip_spaces_back (const char *text,
                  const char *p)
{
  while (p > text && (p[-1] == ' ' || p[-1] == '\t'))
    p--;
  return p;
}

/* The multiplier a word after a number stands for ("k", "million"), or 0. */
static double
multiplier (const char *word)
{
  static const char * const thousands[] = { "k", "thousand", NULL };
  static const char * const millions[] = { "m", "mn", "mm", "mio", "million", "millions", NULL };
  static const char * const billions[] = { "b", "bn", "billion", "billions", NULL };

  if (word_in (word, thousands))
    return 1e3;
  if (word_in (word, millions))
    return 1e6;
  if (word_in (word, billions))
    return 1e9;
  return 0.0;
}

/* A number at @p: digits, "," before each group of exactly three digits,
 * one "." before decimals. */
static gboolean
read_number (const char  *p,
             double      *out,
             const char **end)
{
  g_autoptr(GString) digits = g_string_new (NULL);
  gboolean decimals = FALSE;

  if (!g_ascii_isdigit (*p))
    return FALSE;
  while (TRUE)
    {
      if (g_ascii_isdigit (*p))
        g_string_append_c (digits, *p++);
      else if (*p == ',' && !decimals && g_ascii_isdigit (p[1]) && g_ascii_isdigit (p[2]) &&
               g_ascii_isdigit (p[3]) && !g_ascii_isdigit (p[4]))
        p++;
      else if (*p == '.' && !decimals && g_ascii_isdigit (p[1]))
        {
          decimals = TRUE;
          g_string_append_c (digits, *p++);
        }
      else
        break;
    }
  *out = g_ascii_strtod (digits->str, NULL);
  *end = p;
  return isfinite (*out);
}

/* Whether a "$" at @dollar (in @text) is the US dollar: not "CA$", "A$",
 * "HK$"… (letters before it other than "us"). */
static gboolean
is_us_dollar (const char *text,
              const char *dollar)
{
  const char *start = dollar;

  while (start > text && g_ascii_isalpha (start[-1]))
    start--;
  return start == dollar || (dollar - start == 2 && g_ascii_strncasecmp (start, "us", 2) == 0);
}

typedef struct {
  double   amount;
  gboolean marked;        /* written as dollars */
  gboolean money_next;    /* a bare number only periods and money words follow */
  double   factor;        /* its period, 0 when none is written after it */
  const char *start;
  const char *end;
} Amount;

/* The period written after an amount, before @limit: the first period
 * word there, or 0. */
static double
period_after (const char *p,
              const char *limit)
{
  while (p < limit && *p != '\0')
    {
      if (g_ascii_isalpha (*p))
        {
          const char *end;
          g_autofree char *word = word_at (p, &end);
          double f = period_factor (word, p[-1] == '/');

          if (f > 0)
            return f;
          p = end;
        }
      else
        p++;
    }
  return 0.0;
}

/* Reads every amount in @lower into @amounts; FALSE when the text rules the
 * budget out (another currency, a one-time sum). */
static gboolean
scan_text (const char *lower,
           GArray     *amounts,
           gboolean   *any_dollar)
{
  gboolean other = strstr (lower, "€") != NULL || strstr (lower, "£") != NULL ||
                   strstr (lower, "¥") != NULL || strstr (lower, "₹") != NULL;
  const char *p = lower;

  *any_dollar = FALSE;
  while (*p != '\0')
    {
      if (*p == '$')
        {
          if (is_us_dollar (lower, p))
            *any_dollar = TRUE;
          else
            other = TRUE;
          p++;
        }
      else if (g_ascii_isalpha (*p))
        {
          const char *end;
          g_autofree char *word = word_at (p, &end);

          if (word_in (word, dollar_words))
            *any_dollar = TRUE;
          else if (word_in (word, other_words))
            other = TRUE;
          else if (word_in (word, once_words) ||
                   (g_str_equal (word, "one") && g_str_has_prefix (end, "-time")) ||
                   (g_str_equal (word, "one") && g_str_has_prefix (end, " time")))
            return FALSE;
          /* letters and digits together ("k8s", "ec2") are no amount */
          while (g_ascii_isalnum (*end))
            end++;
          p = end;
        }
      else if (g_ascii_isdigit (*p))
        {
          Amount a = { 0, .start = p };
          const char *q, *after, *word_end;
          g_autofree char *word = NULL;
          double m;

          if (!read_number (p, &a.amount, &q))
            return FALSE;
          after = skip_spaces (q);
          word = word_at (after, &word_end);
          if ((m = multiplier (word)) > 0 && !g_ascii_isalnum (*word_end))
            {
              a.amount *= m;
              q = word_end;
              after = skip_spaces (q);
              g_free (word);
              word = word_at (after, &word_end);
            }
          else if (g_ascii_isalpha (*q))
            {
              /* "10gb", "3x": no amount */
              p = q;
              continue;
            }
          if (*after == '%')
            {
              p = after + 1;
              continue;
            }
          a.end = q;
          a.marked = word_in (word, dollar_words) || *after == '$';
          {
            const char *b = skip_spaces_back (lower, p);

            if ((b > lower && b[-1] == '$' && is_us_dollar (lower, b - 1)) ||
                (b - lower >= 3 && g_ascii_strncasecmp (b - 3, "usd", 3) == 0 &&
                 (b - 3 == lower || !g_ascii_isalpha (b[-4]))))
              a.marked = TRUE;
          }
          a.money_next = word[0] == '\0' ? (*after == '\0' || *after == '/' || *after == ',' ||
                                            *after == '.' || *after == ')' || *after == '-' ||
                                            *after == ';')
                                         : (word_in (word, money_followers) ||
                                            period_factor (word, FALSE) > 0);
          g_array_append_val (amounts, a);
          p = q;
        }
      else
        p++;
    }

  return !(other && !*any_dollar);
}

/* Whether only a range's dash or "to" stands between @a and @b ("$1-2k",
 * "$1,000 to 2,000"): the second is in dollars when the first is. */
static gboolean
in_range_with (const Amount *a,
               const Amount *b)
{
  const char *p = skip_spaces (a->end);

  if (g_str_has_prefix (p, "-") || g_str_has_prefix (p, "to ") || g_str_has_prefix (p, "–"))
    {
      p += g_str_has_prefix (p, "-") ? 1 : g_str_has_prefix (p, "to ") ? 3 : strlen ("–");
      p = skip_spaces (p);
      if (*p == '$')
        p++;
      return p == b->start;
    }
  return FALSE;
}

gboolean
cs_constraint_parse_budget (const char *text,
                            double     *out_monthly_usd)
{
  g_autofree char *lower = NULL;
  g_autoptr(GArray) amounts = NULL;
  gboolean any_dollar;
  double text_factor = 0.0;
  double best = -1.0;

  g_return_val_if_fail (out_monthly_usd != NULL, FALSE);

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return FALSE;
  lower = g_ascii_strdown (text, -1);
  amounts = g_array_new (FALSE, TRUE, sizeof (Amount));
  if (!scan_text (lower, amounts, &any_dollar) || amounts->len == 0)
    return FALSE;

  /* each amount's own period, else the one period the text names */
  for (guint i = 0; i < amounts->len; i++)
    {
      Amount *a = &g_array_index (amounts, Amount, i);
      const char *limit = i + 1 < amounts->len ? g_array_index (amounts, Amount, i + 1).start : NULL;

      a->factor = period_after (a->end, limit != NULL ? limit : a->end + strlen (a->end));
      if (i > 0 && any_dollar && !a->marked && in_range_with (a - 1, a) && (a - 1)->marked)
        a->marked = TRUE;
    }
  /* a range's first end takes its period from the second ("$1-2k/month") */
  for (guint i = amounts->len; i-- > 1;)
    {
      Amount *a = &g_array_index (amounts, Amount, i - 1);

      if (a->factor == 0 && in_range_with (a, a + 1))
        a->factor = (a + 1)->factor;
    }
  for (guint i = 0; i < amounts->len; i++)
    {
      Amount *a = &g_array_index (amounts, Amount, i);

      if (a->factor > 0)
        {
          if (text_factor == 0)
            text_factor = a->factor;
          else if (text_factor != a->factor)
            text_factor = -1;   /* several periods: each amount keeps its own */
        }
    }

  for (guint i = 0; i < amounts->len; i++)
    {
      Amount *a = &g_array_index (amounts, Amount, i);
      double factor = a->factor > 0 ? a->factor : text_factor > 0 ? text_factor : 1.0;
      double monthly;

      if (any_dollar ? !a->marked : !a->money_next)
        continue;
      monthly = a->amount * factor;
      if (isfinite (monthly) && monthly > 0 && monthly > best)
        best = monthly;
    }
  if (best <= 0)
    return FALSE;
  *out_monthly_usd = best;
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Technologies                                                              */
/* ------------------------------------------------------------------------ */

static const struct {
  const char *spelling;
  const char *word;
} aliases[] = {
  { "postgres", "postgresql" },
  { "psql", "postgresql" },
  { "k8s", "kubernetes" },
  { "golang", "go" },
  { "nodejs", "node.js" },
  { "node", "node.js" },
  { "mongo", "mongodb" },
  { "js", "javascript" },
  { "ts", "typescript" },
  { "py", "python" },
  { "python3", "python" },
  { "elastic", "elasticsearch" },
  { "rabbit", "rabbitmq" },
};

static gboolean
is_word_char (char c)
{
  return g_ascii_isalnum (c) || c == '+' || c == '#' || c == '.';
}

/* @text cut into lower-case words, a few spellings made one. */
static GPtrArray *
words_of (const char *text)
{
  GPtrArray *words = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *lower = g_ascii_strdown (text, -1);
  const char *p = lower;

  while (*p != '\0')
    {
      const char *start;
      char *word;
      gsize len;

      if (!is_word_char (*p) || *p == '.')
        {
          p++;
          continue;
        }
      start = p;
      while (is_word_char (*p))
        p++;
      len = p - start;
      /* a sentence's full stop is not part of the word */
      while (len > 0 && start[len - 1] == '.')
        len--;
      word = g_strndup (start, len);
      for (guint i = 0; i < G_N_ELEMENTS (aliases); i++)
        if (g_str_equal (word, aliases[i].spelling))
          {
            g_free (word);
            word = g_strdup (aliases[i].word);
            break;
          }
      g_ptr_array_add (words, word);
    }
  return words;
}

/* Whether @needle's words appear in @hay in a row. */
static gboolean
contains_words (GPtrArray *hay,
                GPtrArray *needle)
{
  if (needle->len == 0 || needle->len > hay->len)
    return FALSE;
  for (guint i = 0; i + needle->len <= hay->len; i++)
    {
      guint j;

      for (j = 0; j < needle->len; j++)
        if (!g_str_equal (g_ptr_array_index (hay, i + j), g_ptr_array_index (needle, j)))
          break;
      if (j == needle->len)
        return TRUE;
    }
  return FALSE;
}

static const char * const filler_words[] = { "prefer", "preferably", "preferred", "use", "using", "only",
                                             "ideally", "mostly", "mainly", "like", "e.g", "eg", "we",
                                             "i", "our", "existing", NULL };
static const char * const excluding_words[] = { "no", "not", "avoid", "without", "never", "except", NULL };

/* The preferred list: each entry's words, fillers dropped, excluding
 * entries left out. */
static GPtrArray *
preferred_entries (const char *preferred)
{
  GPtrArray *entries = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  g_autofree char *text = g_strdup (preferred);
  g_auto(GStrv) parts = NULL;

  /* " and ", " or ", " & " separate like commas */
  for (char *p = text; *p != '\0'; p++)
    if (*p == ';' || *p == '|' || *p == '\n' || *p == '\r' || *p == '&')
      *p = ',';
  {
    g_autoptr(GRegex) joiners = g_regex_new ("\\s+(and|or)\\s+", G_REGEX_CASELESS, 0, NULL);
    g_autofree char *split = g_regex_replace_literal (joiners, text, -1, 0, ",", 0, NULL);

    parts = g_strsplit (split != NULL ? split : text, ",", -1);
  }
  for (guint i = 0; parts[i] != NULL; i++)
    {
      GPtrArray *words = words_of (parts[i]);

      if (words->len > 0 && word_in (g_ptr_array_index (words, 0), excluding_words))
        {
          g_ptr_array_unref (words);
          continue;
        }
      while (words->len > 0 && word_in (g_ptr_array_index (words, 0), filler_words))
        g_ptr_array_remove_index (words, 0);
      if (words->len == 0)
        g_ptr_array_unref (words);
      else
        g_ptr_array_add (entries, words);
    }
  return entries;
}

static gboolean
preferred_in (GPtrArray  *entries,
              const char *technology)
{
  g_autoptr(GPtrArray) words = words_of (technology);

  if (entries->len == 0 || words->len == 0)
    return TRUE;
  for (guint i = 0; i < entries->len; i++)
    {
      GPtrArray *entry = g_ptr_array_index (entries, i);

      if (contains_words (words, entry) || contains_words (entry, words))
        return TRUE;
    }
  return FALSE;
}

gboolean
cs_constraint_technology_preferred (const char *technology,
                                    const char *preferred)
{
  g_autoptr(GPtrArray) entries = NULL;

  if (technology == NULL || preferred == NULL)
    return TRUE;
  entries = preferred_entries (preferred);
  return preferred_in (entries, technology);
}

/* ------------------------------------------------------------------------ */
/* The checks                                                                */
/* ------------------------------------------------------------------------ */

/* "$2,400": whole dollars, thousands grouped. */
static char *
format_usd (double usd)
{
  g_autofree char *digits = NULL;
  GString *out;
  gsize len;

  if (usd >= 1e12)
    return g_strdup_printf ("$%.3g", usd);
  digits = g_strdup_printf ("%.0f", round (usd));
  out = g_string_new ("$");
  len = strlen (digits);
  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_c (out, ',');
      g_string_append_c (out, digits[i]);
    }
  return g_string_free (out, FALSE);
}

static CsConstraintBreach *
check_budget (CsBlueprint *blueprint,
              const char  *budget)
{
  CsConstraintBreach *breach;
  double limit, estimate;
  g_autofree char *shown_limit = NULL;
  g_autofree char *shown_estimate = NULL;

  if (budget == NULL || !cs_blueprint_get_monthly_cost (blueprint, &estimate) ||
      !cs_constraint_parse_budget (budget, &limit))
    return NULL;
  /* within a dollar is within */
  if (estimate <= limit + 0.5)
    return NULL;

  shown_limit = format_usd (limit);
  shown_estimate = format_usd (estimate);
  breach = g_new0 (CsConstraintBreach, 1);
  breach->kind = CS_CONSTRAINT_OVER_BUDGET;
  breach->key = "budget";
  breach->budget_usd = limit;
  breach->estimate_usd = estimate;
  breach->message = g_strdup_printf (_("The estimated cost, %s a month, is above the stated budget of %s a month."),
                                     shown_estimate, shown_limit);
  return breach;
}

/* "none", "n/a", "TBD", "-": no technology named, nothing to break. */
static gboolean
is_no_technology (const char *technology)
{
  static const char * const nothing[] = { "none", "n/a", "na", "tbd", "unknown", "various", "any", "-", "—", NULL };
  g_autofree char *lower = g_utf8_strdown (technology, -1);

  return g_strv_contains (nothing, g_strstrip (lower));
}

static void
add_outside (GPtrArray  *outside,
             GHashTable *seen,
             GPtrArray  *entries,
             const char *technology,
             const char *where)
{
  g_autofree char *key = NULL;

  if (technology == NULL || technology[0] == '\0' || is_no_technology (technology) ||
      preferred_in (entries, technology))
    return;
  key = g_utf8_casefold (technology, -1);
  if (!g_hash_table_add (seen, g_steal_pointer (&key)))
    return;
  if (where != NULL && where[0] != '\0' && g_ascii_strcasecmp (where, technology) != 0)
    /* TRANSLATORS: a technology and the part of the design that uses it, "Redis (Cache)" */
    g_ptr_array_add (outside, g_strdup_printf (_("%s (%s)"), technology, where));
  else
    g_ptr_array_add (outside, g_strdup (technology));
}

static CsConstraintBreach *
check_technologies (CsBlueprint *blueprint,
                    const char  *technologies)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GPtrArray) outside = NULL;
  g_autoptr(GHashTable) seen = NULL;
  GPtrArray *items;
  CsConstraintBreach *breach;
  g_autofree char *list = NULL;

  if (technologies == NULL)
    return NULL;
  entries = preferred_entries (technologies);
  if (entries->len == 0)
    return NULL;

  outside = g_ptr_array_new_with_free_func (g_free);
  seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  items = cs_blueprint_get_components (blueprint);
  for (guint i = 0; i < items->len; i++)
    {
      CsComponent *c = g_ptr_array_index (items, i);
      add_outside (outside, seen, entries, c->technology, c->name);
    }
  items = cs_blueprint_get_data_stores (blueprint);
  for (guint i = 0; i < items->len; i++)
    {
      CsDataStore *d = g_ptr_array_index (items, i);
      add_outside (outside, seen, entries, d->technology, d->name);
    }
  if (outside->len == 0)
    return NULL;

  g_ptr_array_add (outside, NULL);
  /* TRANSLATORS: the separator of a list of technologies */
  list = g_strjoinv (_(", "), (char **) outside->pdata);
  breach = g_new0 (CsConstraintBreach, 1);
  breach->kind = CS_CONSTRAINT_OUTSIDE_TECHNOLOGIES;
  breach->key = "technologies";
  breach->technologies = (GStrv) g_ptr_array_free (g_steal_pointer (&outside), FALSE);
  breach->message = g_strdup_printf (_("Not among the preferred technologies: %s."), list);
  return breach;
}

GPtrArray *
cs_constraint_check_blueprint (CsBlueprint *blueprint,
                               const char  *budget,
                               const char  *technologies)
{
  GPtrArray *breaches = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_constraint_breach_free);
  CsConstraintBreach *breach;

  if (blueprint == NULL)
    return breaches;
  if ((breach = check_budget (blueprint, budget)) != NULL)
    g_ptr_array_add (breaches, breach);
  if ((breach = check_technologies (blueprint, technologies)) != NULL)
    g_ptr_array_add (breaches, breach);
  return breaches;
}

/* The constraint @key of @run, its case ignored ("--constraint Budget=…"). */
static const char *
find_constraint (CsRun      *run,
                 const char *key)
{
  const char * const *keys = cs_run_get_constraint_keys (run);

  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    if (g_ascii_strcasecmp (keys[i], key) == 0)
      return cs_run_get_constraint (run, keys[i]);
  return NULL;
}

GPtrArray *
cs_constraint_check_run (CsRun *run)
{
  CsResult *result;

  g_return_val_if_fail (CS_IS_RUN (run), NULL);

  result = cs_run_get_result (run);
  return cs_constraint_check_blueprint (result != NULL ? cs_result_get_blueprint (result) : NULL,
                                        find_constraint (run, "budget"),
                                        find_constraint (run, "technologies"));
}
