/* test-constraint-check.c: where a result breaks the stated constraints
 *
 * Budgets read from the texts people type, technologies matched word by
 * word, and the checks over hand-made blueprints and runs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <math.h>
#include <string.h>

#include "cs-constraint-check.h"
#include "cs-engine.h"

static void
test_parse_budget (void)
{
  static const struct {
    const char *text;
    double      monthly;   /* < 0: no budget read */
  } cases[] = {
    { "$2k/month", 2000 },
    { "2000 USD per month", 2000 },
    { "3000 USD/month", 3000 },
    { "US$ 1,500 a month", 1500 },
    { "$24,000 per year", 2000 },
    { "$24k/yr", 2000 },
    { "$500/week", 500 * 52.0 / 12 },
    { "$1-2k monthly", 2000 },
    { "between $1,000 and $2,500 a month", 2500 },
    { "$2.5k/mo", 2500 },
    { "under 3000 a month", 3000 },
    { "4000", 4000 },
    { "max 1.2m dollars per year", 100000 },
    { "$2k/month for 10k users", 2000 },
    { "$2k/month ($24k/year)", 2000 },
    { "about 800 dollars", 800 },
    /* nothing to compare with an estimate in dollars a month */
    { "€2000/month", -1 },
    { "2000 EUR per month", -1 },
    { "CA$3000/month", -1 },
    { "£1k", -1 },
    { "$50k total", -1 },
    { "$10,000 one-time", -1 },
    { "cheap", -1 },
    { "10k users", -1 },
    { "99.9% uptime", -1 },
    { "runs on k8s and ec2", -1 },
    { "", -1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      double monthly = -1;
      gboolean ok = cs_constraint_parse_budget (cases[i].text, &monthly);

      g_test_message ("%s → %s %g", cases[i].text, ok ? "yes" : "no", monthly);
      if (cases[i].monthly < 0)
        g_assert_false (ok);
      else
        {
          g_assert_true (ok);
          g_assert_cmpfloat_with_epsilon (monthly, cases[i].monthly, 0.01);
        }
    }
}

static void
test_technology_preferred (void)
{
  static const struct {
    const char *technology;
    const char *preferred;
    gboolean    yes;
  } cases[] = {
    { "PostgreSQL 16 with read replicas", "Go, Postgres; Kubernetes", TRUE },
    { "postgresql", "PostgreSQL", TRUE },
    { "Go service on Kubernetes", "golang", TRUE },
    { "Amazon ElastiCache (Redis)", "Go, Redis", TRUE },
    { "Lambda", "AWS Lambda and DynamoDB", TRUE },
    { "Node.js (Express)", "prefer nodejs or Deno", TRUE },
    { "C++ engine", "Rust, C++", TRUE },
    { "Redis", "Go, PostgreSQL", FALSE },
    { "Kafka", "Go, PostgreSQL, Kubernetes", FALSE },
    /* a word, not a piece of one */
    { "MongoDB", "Go", FALSE },
    { "Django", "Go", FALSE },
    { "Cargo", "Go", FALSE },
    /* an exclusion is no preference */
    { "Java", "no Java, Go", FALSE },
    { "Java", "avoid Java", TRUE },   /* nothing preferred: nothing to break */
    { "Redis", "", TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("%s in %s", cases[i].technology, cases[i].preferred);
      g_assert_cmpint (cs_constraint_technology_preferred (cases[i].technology, cases[i].preferred), ==,
                       cases[i].yes);
    }
}

static CsBlueprint *
make_blueprint (double cost)
{
  CsBlueprint *bp = cs_blueprint_new ();

  cs_blueprint_set_summary (bp, "A shop");
  cs_blueprint_add_component (bp, "API", "Serves the shop", "Go service on Kubernetes", "horizontal");
  cs_blueprint_add_component (bp, "Cache", "Hot reads", "Redis", "cluster");
  cs_blueprint_add_component (bp, "Event bus", "Orders out", "Apache Kafka", "partitions");
  cs_blueprint_add_component (bp, "Second cache", "More hot reads", "redis", "cluster");
  cs_blueprint_add_data_store (bp, "Orders", "PostgreSQL 16", "orders", TRUE);
  cs_blueprint_add_data_store (bp, "Kafka", "Kafka", "log", FALSE);
  /* no technology named: nothing to break */
  cs_blueprint_add_component (bp, "Ops", "Runbooks", "N/A", "-");
  cs_blueprint_add_component (bp, "Docs", "Manuals", " none ", "-");
  if (cost >= 0)
    cs_blueprint_set_monthly_cost (bp, cost);
  return bp;
}

static void
test_check_blueprint (void)
{
  g_autoptr(CsBlueprint) bp = make_blueprint (2400);
  g_autoptr(CsBlueprint) cheap = make_blueprint (1999.6);
  g_autoptr(CsBlueprint) no_cost = make_blueprint (-1);
  g_autoptr(GPtrArray) breaches = NULL;
  CsConstraintBreach *b;

  breaches = cs_constraint_check_blueprint (bp, "$2k/month", "Go, Postgres, Kubernetes");
  g_assert_cmpuint (breaches->len, ==, 2);
  b = g_ptr_array_index (breaches, 0);
  g_assert_cmpint (b->kind, ==, CS_CONSTRAINT_OVER_BUDGET);
  g_assert_cmpstr (b->key, ==, "budget");
  g_assert_cmpfloat (b->budget_usd, ==, 2000);
  g_assert_cmpfloat (b->estimate_usd, ==, 2400);
  g_assert_cmpstr (b->message, ==, "The estimated cost, $2,400 a month, is above the stated budget of $2,000 a month.");
  b = g_ptr_array_index (breaches, 1);
  g_assert_cmpint (b->kind, ==, CS_CONSTRAINT_OUTSIDE_TECHNOLOGIES);
  g_assert_cmpstr (b->key, ==, "technologies");
  /* each technology once, in the blueprint's order, with where it is used */
  g_assert_cmpuint (g_strv_length (b->technologies), ==, 3);
  g_assert_cmpstr (b->technologies[0], ==, "Redis (Cache)");
  g_assert_cmpstr (b->technologies[1], ==, "Apache Kafka (Event bus)");
  g_assert_cmpstr (b->technologies[2], ==, "Kafka");
  g_assert_cmpstr (b->message, ==, "Not among the preferred technologies: Redis (Cache), Apache Kafka (Event bus), Kafka.");
  g_clear_pointer (&breaches, g_ptr_array_unref);

  /* within the budget (to the dollar), every technology preferred */
  breaches = cs_constraint_check_blueprint (cheap, "2000 USD per month", "Go, Postgres, Redis, Kafka");
  g_assert_cmpuint (breaches->len, ==, 0);
  g_clear_pointer (&breaches, g_ptr_array_unref);

  /* nothing to compare: no estimate, a budget in euros, no constraints */
  breaches = cs_constraint_check_blueprint (no_cost, "$1k/month", NULL);
  g_assert_cmpuint (breaches->len, ==, 0);
  g_clear_pointer (&breaches, g_ptr_array_unref);
  breaches = cs_constraint_check_blueprint (bp, "€1000/month", NULL);
  g_assert_cmpuint (breaches->len, ==, 0);
  g_clear_pointer (&breaches, g_ptr_array_unref);
  breaches = cs_constraint_check_blueprint (bp, NULL, NULL);
  g_assert_cmpuint (breaches->len, ==, 0);
  g_clear_pointer (&breaches, g_ptr_array_unref);
  breaches = cs_constraint_check_blueprint (NULL, "$1", "Go");
  g_assert_cmpuint (breaches->len, ==, 0);
}

/* A run's result against the run's own constraints; a checklist has none. */
static void
test_check_run (void)
{
  g_autoptr(CsRun) run = cs_run_new (CS_MODE_ARCHITECT, "A shop for 10k users");
  g_autoptr(CsRun) support = cs_run_new (CS_MODE_SUPPORT, "The disk is full");
  g_autoptr(CsBlueprint) bp = make_blueprint (2400);
  g_autoptr(CsResult) result = cs_result_new (CS_MODE_ARCHITECT);
  g_autoptr(JsonNode) synthesis = NULL;
  g_autoptr(GPtrArray) breaches = NULL;

  breaches = cs_constraint_check_run (run);
  g_assert_cmpuint (breaches->len, ==, 0);
  g_clear_pointer (&breaches, g_ptr_array_unref);

  cs_result_add_method (result, "ensemble");
  cs_result_set_blueprint (result, bp);
  synthesis = cs_result_to_json (result);
  cs_run_set_constraint (run, "budget", "$2,000 per month");
  cs_run_set_constraint (run, "technologies", "Go, PostgreSQL, Redis, Kafka, Kubernetes");
  cs_run_set_synthesis (run, synthesis);
  breaches = cs_constraint_check_run (run);
  g_assert_cmpuint (breaches->len, ==, 1);
  g_assert_cmpint (((CsConstraintBreach *) g_ptr_array_index (breaches, 0))->kind, ==, CS_CONSTRAINT_OVER_BUDGET);
  g_clear_pointer (&breaches, g_ptr_array_unref);

  /* a key typed with capitals ("--constraint Budget=…") is the same */
  cs_run_set_constraint (run, "budget", NULL);
  cs_run_set_constraint (run, "Budget", "$1k/month");
  breaches = cs_constraint_check_run (run);
  g_assert_cmpuint (breaches->len, ==, 1);
  g_assert_cmpfloat (((CsConstraintBreach *) g_ptr_array_index (breaches, 0))->budget_usd, ==, 1000);
  g_clear_pointer (&breaches, g_ptr_array_unref);

  cs_run_set_constraint (support, "budget", "$1");
  breaches = cs_constraint_check_run (support);
  g_assert_cmpuint (breaches->len, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/constraint-check/parse-budget", test_parse_budget);
  g_test_add_func ("/constraint-check/technology-preferred", test_technology_preferred);
  g_test_add_func ("/constraint-check/blueprint", test_check_blueprint);
  g_test_add_func ("/constraint-check/run", test_check_run);

  return g_test_run ();
}
