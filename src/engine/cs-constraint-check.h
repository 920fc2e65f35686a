/* cs-constraint-check.h: where a result breaks the run's stated constraints
 *
 * Two checks, on an architect run's blueprint (a checklist has none):
 *
 * - budget: the blueprint's monthly cost estimate (monthly_cost_usd) above
 *   the amount the "budget" constraint states in US dollars;
 * - technologies: a component's or data store's technology that names none
 *   of the technologies the "technologies" constraint lists.
 *
 * Both are read from free text the person typed, so both are careful to say
 * nothing rather than something wrong: see cs_constraint_parse_budget () and
 * cs_constraint_technology_preferred () for the exact rules.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cs-result.h"
#include "cs-run.h"

G_BEGIN_DECLS

typedef enum {
  CS_CONSTRAINT_OVER_BUDGET,
  CS_CONSTRAINT_OUTSIDE_TECHNOLOGIES,
} CsConstraintBreachKind;

typedef struct {
  CsConstraintBreachKind  kind;
  const char             *key;          /* the constraint: "budget" or "technologies" */
  char                   *message;      /* one sentence, in the user's language */
  double                  budget_usd;   /* over budget: the budget, a month */
  double                  estimate_usd; /* over budget: the estimate, a month */
  GStrv                   technologies; /* outside: "Redis (Cache)", …; else NULL */
} CsConstraintBreach;

void        cs_constraint_breach_free          (CsConstraintBreach *breach);

/* The largest amount of US dollars @text states, per month, in
 * @out_monthly_usd. Understood: "$2k/month", "2000 USD per month",
 * "US$ 1,500 a month", "$24,000 per year" (a twelfth of it), "$500/week",
 * "$1-2k monthly" (the top of a range); "k", "m"/"million" multiply.
 * An amount with no period is read as monthly (the estimate's period).
 * FALSE when no amount is found, when the text names another currency
 * (€, £, EUR, …) and no dollars, or a one-time budget ("total",
 * "one-time", "upfront"). When the text marks dollars ($, USD, dollars),
 * only marked amounts count; otherwise a bare number counts only when no
 * word other than a period follows it ("10k users" is not money). */
gboolean    cs_constraint_parse_budget         (const char  *text,
                                                double      *out_monthly_usd);

/* Whether @technology ("PostgreSQL 16 with read replicas") is one the
 * @preferred list ("Go, Postgres; Kubernetes") names. The list is split at
 * commas, semicolons, "|", line ends and the words "and", "or", "&"; filler
 * in front of an entry ("prefer", "use", "only", …) is dropped; an entry
 * that excludes ("no Java", "avoid …", "not …", "without …") is no
 * preference. Both texts are cut into words (letters, digits, "+", "#" and
 * inner "."), ASCII case ignored, a few spellings made one ("postgres" is
 * "postgresql", "k8s" "kubernetes", "golang" "go", "nodejs"/"node"
 * "node.js", "mongo" "mongodb"); the technology is preferred when an
 * entry's words appear in it in a row, or its words in an entry.
 * TRUE too when the list names nothing (no preference to break). */
gboolean    cs_constraint_technology_preferred (const char  *technology,
                                                const char  *preferred);

/* The breaches of @blueprint against @budget and @technologies (either may
 * be NULL): a GPtrArray of CsConstraintBreach, owned, never NULL; at most
 * one breach per constraint, the technologies in the blueprint's order
 * ("technology (component)"), each once; a technology that names none
 * ("none", "n/a", "TBD", "-") breaks nothing. */
GPtrArray  *cs_constraint_check_blueprint      (CsBlueprint *blueprint,
                                                const char  *budget,
                                                const char  *technologies);

/* The breaches of @run's result (cs_run_get_result ()) against its
 * constraints; empty when it has no blueprint. */
GPtrArray  *cs_constraint_check_run            (CsRun       *run);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsConstraintBreach, cs_constraint_breach_free)

G_END_DECLS
