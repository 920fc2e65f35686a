/* test-similarity.c: the text similarity and its threshold
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib.h>
#include <math.h>

#include "cs-similarity.h"

typedef struct {
  const char *a;
  const char *b;
} Pair;

/* Items that name the same thing, as different models phrase them. */
static const Pair must_match[] = {
  { "Check free disk space", "Check disk space on /var" },
  { "Check free disk space", "Verify the disk is not full" },
  { "API gateway", "Edge API gateway" },
  { "Primary database", "Main DB" },
  { "Primary database", "Main PostgreSQL database" },
  { "Restart the service", "Restart the nginx service" },
  { "Restart the service", "Restarting services" },
  { "Message queue", "Message broker" },
  { "Kubernetes cluster", "K8s cluster" },
  { "Check the application logs", "Inspect application log files" },
  { "Check DNS resolution", "Verify DNS name resolution" },
  { "Check free disk space", "Check storage space" },
  { "Blob storage", "Blob store" },
  { "Auth service", "Authentication" },
  { "Service", "Services" },
  /* compound and split spellings: only the trigrams see these */
  { "Elasticsearch cluster", "Elastic search cluster" },
  { "Real-time analytics", "Realtime analytics" },
  { "Redis cache", "Caching layer (Redis)" },
  { "Load balancer", "LB" },
  { "Check memory usage", "Check free RAM" },
  { "Object storage", "Object store" },
};

/* Items that must stay apart although they share words or shape. */
static const Pair must_not_match[] = {
  { "Check disk space", "Check DNS resolution" },
  { "Cache", "Message queue" },
  { "API gateway", "Authentication service" },
  { "Primary database", "Search index" },
  { "Restart nginx", "Restart PostgreSQL" },
  { "Check disk space", "Check memory usage" },
  { "Check the application logs", "Check the firewall rules" },
  { "Ingestion worker", "Notification service" },
  { "Read replica", "Primary database" },
  { "Check TLS certificate expiry", "Check disk space" },
  { "Web frontend", "Background worker" },
  { "Check CPU load", "Check network latency" },
  { "Check disk usage", "Check memory usage" },
  { "Primary database", "Analytics database" },
  { "User service", "Order service" },
  { "Restart the web server", "Restart the database" },
  { "Check the nginx error log", "Check the PostgreSQL log" },
};

static void
test_tokens (void)
{
  g_auto(GStrv) t1 = cs_similarity_tokens ("Check the free Disk-Space on /var!");
  g_auto(GStrv) t2 = cs_similarity_tokens ("Restarting the DBs, restarted services");
  g_autofree char *n1 = cs_similarity_normalize ("Verify K8s pods are running");
  g_autofree char *n2 = cs_similarity_normalize ("");
  g_autofree char *n3 = cs_similarity_normalize (NULL);
  g_autofree char *n4 = cs_similarity_normalize ("Checking the logs of the logging service");
  g_autofree char *n5 = cs_similarity_normalize ("LB in front of the gw");

  /* sorted, unique, stop words gone, synonyms mapped */
  g_assert_cmpstrv (t1, ((const char * const[]) { "disk", "spac", "usag", "var", NULL }));
  g_assert_cmpstrv (t2, ((const char * const[]) { "databas", "restart", NULL }));
  g_assert_cmpstr (n1, ==, "kubernet pod");
  g_assert_cmpstr (n2, ==, "");
  g_assert_cmpstr (n3, ==, "");
  g_assert_cmpstr (n4, ==, "log");
  g_assert_cmpstr (n5, ==, "balancer front gateway load");
}

static void
test_measures (void)
{
  g_assert_cmpfloat_with_epsilon (cs_similarity_jaccard ("API gateway", "Edge API gateway"), 2.0 / 3.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (cs_similarity_jaccard ("Cache", "Message queue"), 0.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (cs_similarity_jaccard ("", ""), 1.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (cs_similarity_trigram_dice ("abc", "abc"), 1.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (cs_similarity_trigram_dice ("Redis", "Kafka"), 0.0, 1e-9);
  /* symmetric */
  g_assert_cmpfloat (cs_similarity_text ("Check free disk space", "Check disk space on /var"), ==,
                     cs_similarity_text ("Check disk space on /var", "Check free disk space"));
  /* one side with no meaningful word is no evidence */
  g_assert_cmpfloat (cs_similarity_text ("the", "Redis"), ==, 0.0);
  g_assert_cmpfloat (cs_similarity_text ("Redis", "Redis"), ==, 1.0);
}

static void
print_pairs (const Pair *pairs,
             gsize       n)
{
  for (gsize i = 0; i < n; i++)
    g_test_message ("%.3f (J %.3f, D %.3f)  %s ~ %s",
                    cs_similarity_text (pairs[i].a, pairs[i].b),
                    cs_similarity_jaccard (pairs[i].a, pairs[i].b),
                    cs_similarity_trigram_dice (pairs[i].a, pairs[i].b),
                    pairs[i].a, pairs[i].b);
}

static void
test_threshold (void)
{
  double lowest_match = 1.0;
  double highest_apart = 0.0;

  print_pairs (must_match, G_N_ELEMENTS (must_match));
  print_pairs (must_not_match, G_N_ELEMENTS (must_not_match));

  for (gsize i = 0; i < G_N_ELEMENTS (must_match); i++)
    {
      double s = cs_similarity_text (must_match[i].a, must_match[i].b);

      if (s < CS_SIMILARITY_THRESHOLD)
        g_error ("should match: \"%s\" ~ \"%s\" (%.3f)", must_match[i].a, must_match[i].b, s);
      g_assert_true (cs_similarity_match (must_match[i].a, must_match[i].b));
      lowest_match = MIN (lowest_match, s);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (must_not_match); i++)
    {
      double s = cs_similarity_text (must_not_match[i].a, must_not_match[i].b);

      if (s >= CS_SIMILARITY_THRESHOLD)
        g_error ("should not match: \"%s\" ~ \"%s\" (%.3f)",
                 must_not_match[i].a, must_not_match[i].b, s);
      g_assert_false (cs_similarity_match (must_not_match[i].a, must_not_match[i].b));
      highest_apart = MAX (highest_apart, s);
    }
  g_test_message ("lowest match %.3f, highest non-match %.3f, threshold %.2f",
                  lowest_match, highest_apart, CS_SIMILARITY_THRESHOLD);
  /* the threshold sits in the gap, with a margin on both sides */
  g_assert_cmpfloat (lowest_match - CS_SIMILARITY_THRESHOLD, >=, 0.04);
  g_assert_cmpfloat (CS_SIMILARITY_THRESHOLD - highest_apart, >=, 0.04);
}

/* The evidence for the weights: the gap between the lowest score of a pair
 * that must match and the highest of a pair that must not, when the score is
 * w × Jaccard + (1 − w) × Dice. */
static double
separation (double  w,
            double *lowest_out,
            double *highest_out)
{
  double lowest = 1.0, highest = 0.0;

  for (gsize i = 0; i < G_N_ELEMENTS (must_match); i++)
    lowest = MIN (lowest, w * cs_similarity_jaccard (must_match[i].a, must_match[i].b) +
                          (1 - w) * cs_similarity_trigram_dice (must_match[i].a, must_match[i].b));
  for (gsize i = 0; i < G_N_ELEMENTS (must_not_match); i++)
    highest = MAX (highest, w * cs_similarity_jaccard (must_not_match[i].a, must_not_match[i].b) +
                            (1 - w) * cs_similarity_trigram_dice (must_not_match[i].a, must_not_match[i].b));
  if (lowest_out)
    *lowest_out = lowest;
  if (highest_out)
    *highest_out = highest;
  return lowest - highest;
}

static void
test_combination (void)
{
  double chosen, lowest, highest;

  for (guint i = 0; i <= 10; i++)
    {
      double sep = separation (i / 10.0, &lowest, &highest);

      g_test_message ("w %.1f: lowest match %.3f, highest non-match %.3f, gap %.3f",
                      i / 10.0, lowest, highest, sep);
    }

  /* Jaccard alone cannot separate compound words ("Elasticsearch" vs
   * "Elastic search"); the weight in use separates best of the grid */
  g_assert_cmpfloat (separation (1.0, NULL, NULL), <, 0.0);
  chosen = separation (CS_SIMILARITY_JACCARD_WEIGHT, &lowest, &highest);
  g_assert_cmpfloat (chosen, >, 0.0);
  for (guint i = 0; i <= 10; i++)
    g_assert_cmpfloat (chosen, >=, separation (i / 10.0, NULL, NULL) - 1e-9);
  /* and the threshold sits near the middle of the gap */
  g_assert_cmpfloat (fabs (CS_SIMILARITY_THRESHOLD - (lowest + highest) / 2), <, 0.02);
}

static void
test_command (void)
{
  g_autofree char *w1 = cs_similarity_command_word ("sudo LANG=C /usr/bin/df -h /var");
  g_autofree char *w2 = cs_similarity_command_word ("  systemctl restart nginx");
  g_autofree char *w3 = cs_similarity_command_word ("");
  g_autofree char *w4 = cs_similarity_command_word (NULL);
  g_autofree char *w5 = cs_similarity_command_word ("sudo -u postgres psql -c 'select 1'");
  g_autofree char *w6 = cs_similarity_command_word ("sudo");

  g_assert_cmpstr (w1, ==, "df");
  g_assert_cmpstr (w2, ==, "systemctl");
  g_assert_null (w3);
  g_assert_null (w4);
  g_assert_cmpstr (w5, ==, "psql");
  g_assert_null (w6);

  g_assert_cmpfloat (cs_similarity_command_bonus ("df -h", "sudo df -h /var"), >, 0.1);
  g_assert_cmpfloat (cs_similarity_command_bonus ("df -h", "du -sh /var"), ==, 0.0);
  g_assert_cmpfloat (cs_similarity_command_bonus ("", "df -h"), ==, 0.0);
  /* the same program on a different thing helps less */
  g_assert_cmpfloat (cs_similarity_command_bonus ("systemctl restart nginx", "systemctl restart postgresql"), <,
                     cs_similarity_command_bonus ("systemctl restart nginx", "sudo systemctl restart nginx"));
  g_assert_cmpfloat (cs_similarity_command_bonus ("df -h", "df -h"), <=, 0.2);
}

static void
test_technology_key (void)
{
  static const struct {
    const char *in;
    const char *key;
  } cases[] = {
    { "PostgreSQL 16", "postgresql" },
    { "postgresql", "postgresql" },
    { "Postgres 15.4", "postgresql" },
    { "Amazon RDS (PostgreSQL)", "rds" },
    { "Kong Gateway 3.x", "kong" },
    { "Envoy Proxy", "envoy" },
    { "Apache Kafka", "kafka" },
    { "Node.js 20 LTS", "node.js" },
    { "Redis v7.2", "redis" },
    { "C++", "c++" },
    { "16", "16" },
    { "", "" },
    { "Gateway", "gateway" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *key = cs_similarity_technology_key (cases[i].in);

      g_assert_cmpstr (key, ==, cases[i].key);
    }
}

static void
test_hostile (void)
{
  /* invalid UTF-8, control characters, a very long word: no crash */
  g_autofree char *n1 = cs_similarity_normalize ("\xff\xfe broken");
  g_autofree char *k1 = cs_similarity_technology_key ("\xff\xfe");
  g_autofree char *longword = g_strnfill (100000, 'x');
  g_autofree char *w1 = cs_similarity_command_word ("\xff\xfe");

  g_assert_cmpstr (n1, ==, "");
  g_assert_cmpstr (k1, ==, "");
  g_assert_null (w1);
  g_assert_cmpfloat (cs_similarity_text (longword, longword), ==, 1.0);
  g_assert_cmpfloat (cs_similarity_text ("((((", "]]]]"), ==, 0.0);
  g_assert_cmpfloat (cs_similarity_text ("((((", "(((("), ==, 1.0);
  g_assert_cmpfloat (cs_similarity_text (NULL, NULL), ==, 1.0);
  g_assert_cmpfloat (cs_similarity_text ("\t\n\r", "Redis"), ==, 0.0);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/similarity/tokens", test_tokens);
  g_test_add_func ("/similarity/measures", test_measures);
  g_test_add_func ("/similarity/threshold", test_threshold);
  g_test_add_func ("/similarity/combination", test_combination);
  g_test_add_func ("/similarity/command", test_command);
  g_test_add_func ("/similarity/technology-key", test_technology_key);
  g_test_add_func ("/similarity/hostile", test_hostile);

  return g_test_run ();
}
