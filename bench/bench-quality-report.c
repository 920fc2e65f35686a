/* bench-quality-report.c: the figures of bench-quality, as text or JSON
 *
 * Per problem, per problem set and overall:
 *  - judgements (two per pair, one per order): wins, ties, losses of the
 *    synthesis and failed verdicts, which add up to the judgements; the win
 *    rate is wins / (wins + ties + losses);
 *  - order consistency: of the pairs with a verdict in both orders, the
 *    share whose two verdicts agree (the same winner, or a tie twice);
 *  - pairs, position-debiased: a win when both orders say the synthesis
 *    wins, a loss when both say it loses, a tie otherwise (over the pairs
 *    with a verdict in both orders);
 *  - cost: tokens, and dollars where the providers file has a price;
 *  - wall time of the runs and of the judging.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bench-quality"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "bench-quality-private.h"

#define MAX_REASON_SHOWN 200

BqOutcome
bq_outcome (BqVerdict verdict,
            gboolean  synthesis_is_a)
{
  switch (verdict)
    {
    case BQ_VERDICT_A:
      return synthesis_is_a ? BQ_OUTCOME_WIN : BQ_OUTCOME_LOSS;
    case BQ_VERDICT_B:
      return synthesis_is_a ? BQ_OUTCOME_LOSS : BQ_OUTCOME_WIN;
    case BQ_VERDICT_TIE:
      return BQ_OUTCOME_TIE;
    case BQ_VERDICT_FAILED:
    default:
      return BQ_OUTCOME_FAILED;
    }
}

static const char *
outcome_name (BqOutcome outcome)
{
  switch (outcome)
    {
    case BQ_OUTCOME_WIN:  return "win";
    case BQ_OUTCOME_TIE:  return "tie";
    case BQ_OUTCOME_LOSS: return "loss";
    case BQ_OUTCOME_FAILED:
    default:              return "failed";
    }
}

static void
count (BqTally   *t,
       BqOutcome  o)
{
  t->judgements++;
  switch (o)
    {
    case BQ_OUTCOME_WIN:  t->wins++; break;
    case BQ_OUTCOME_TIE:  t->ties++; break;
    case BQ_OUTCOME_LOSS: t->losses++; break;
    case BQ_OUTCOME_FAILED:
    default:              t->failed++; break;
    }
}

void
bq_tally_add_problem (BqTally         *t,
                      const BqProblem *problem)
{
  for (guint i = 0; i < problem->pairs->len; i++)
    {
      const BqPair *pair = g_ptr_array_index (problem->pairs, i);
      BqOutcome a = bq_outcome (pair->first.verdict, TRUE);
      BqOutcome b = bq_outcome (pair->second.verdict, FALSE);

      t->pairs++;
      count (t, a);
      count (t, b);
      if (a == BQ_OUTCOME_FAILED || b == BQ_OUTCOME_FAILED)
        continue;
      t->decided++;
      if (a == b)
        t->consistent++;
      if (a == b && a == BQ_OUTCOME_WIN)
        t->pair_wins++;
      else if (a == b && a == BQ_OUTCOME_LOSS)
        t->pair_losses++;
      else
        t->pair_ties++;
    }
}

/* Text */

static char *
format_ratio (guint part,
              guint whole)
{
  return whole == 0 ? g_strdup ("n/a") : g_strdup_printf ("%.2f", (double) part / whole);
}

static char *
format_cost (const BqCost *cost)
{
  g_autoptr(GString) s = g_string_new (NULL);

  g_string_append_printf (s, "%" G_GINT64_FORMAT " in + %" G_GINT64_FORMAT " out tokens, ",
                          cost->input_tokens, cost->output_tokens);
  if (cost->price_unknown->len == 0)
    g_string_append_printf (s, "$%.4f", cost->usd);
  else
    {
      g_autofree char *models = NULL;

      g_ptr_array_add (cost->price_unknown, NULL);
      models = g_strjoinv (", ", (char **) cost->price_unknown->pdata);
      g_ptr_array_remove_index (cost->price_unknown, cost->price_unknown->len - 1);
      if (cost->usd > 0)
        g_string_append_printf (s, "$%.4f + price unknown for %s", cost->usd, models);
      else
        g_string_append_printf (s, "price unknown (%s)", models);
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static void
print_figures (const BqTally *t,
               const BqCost  *run_cost,
               const BqCost  *judge_cost,
               double         run_s,
               double         judge_s)
{
  g_autofree char *rate = format_ratio (t->wins, t->wins + t->ties + t->losses);
  g_autofree char *consistency = format_ratio (t->consistent, t->decided);
  g_autofree char *run = format_cost (run_cost);
  g_autofree char *judging = format_cost (judge_cost);

  printf ("  judgements: %u: %u wins, %u ties, %u losses, %u failed; win rate %s\n",
          t->judgements, t->wins, t->ties, t->losses, t->failed, rate);
  printf ("  order consistency: %s (%u of %u pairs agree in both orders; %u pairs)\n",
          consistency, t->consistent, t->decided, t->pairs);
  printf ("  pairs, both orders: %u wins, %u ties, %u losses\n",
          t->pair_wins, t->pair_ties, t->pair_losses);
  printf ("  cost: run %s; judging %s\n", run, judging);
  printf ("  wall: run %.2f s, judging %.2f s\n", run_s, judge_s);
}

static void
print_judgement (const char        *order,
                 const BqJudgement *j,
                 gboolean           synthesis_is_a)
{
  g_autofree char *shown = NULL;
  const char *text = j->verdict == BQ_VERDICT_FAILED ? j->error : j->reason;

  if (text != NULL && g_utf8_strlen (text, -1) > MAX_REASON_SHOWN)
    {
      g_autofree char *cut = g_utf8_substring (text, 0, MAX_REASON_SHOWN);

      shown = g_strconcat (cut, "…", NULL);
    }
  else
    shown = g_strdup (text != NULL ? text : "");
  /* the judge's words came from the network: inert on a terminal */
  {
    g_autofree char *safe = cs_text_for_terminal (shown, FALSE);

    printf ("      %s: %s: %s\n", order, outcome_name (bq_outcome (j->verdict, synthesis_is_a)), safe);
  }
}

/* Sums over the problems of one set, or of all (@set NULL). */
typedef struct {
  guint   problems;
  guint   with_result;
  BqTally tally;
  BqCost  run_cost;
  BqCost  judge_cost;
  double  run_s;
  double  judge_s;
} Summary;

static void
summarize (Summary    *sum,
           GPtrArray  *problems,
           const char *set)
{
  memset (sum, 0, sizeof *sum);
  bq_cost_init (&sum->run_cost);
  bq_cost_init (&sum->judge_cost);
  for (guint i = 0; i < problems->len; i++)
    {
      const BqProblem *p = g_ptr_array_index (problems, i);

      if (set != NULL && g_strcmp0 (p->set, set) != 0)
        continue;
      sum->problems++;
      sum->with_result += p->ran ? 1 : 0;
      bq_tally_add_problem (&sum->tally, p);
      bq_cost_merge (&sum->run_cost, &p->run_cost);
      bq_cost_merge (&sum->judge_cost, &p->judge_cost);
      sum->run_s += p->run_s;
      sum->judge_s += p->judge_s;
    }
}

static void
summary_clear (Summary *sum)
{
  bq_cost_clear (&sum->run_cost);
  bq_cost_clear (&sum->judge_cost);
}

/* The problem sets, each once, in order (borrowed names). */
static GPtrArray *
list_sets (GPtrArray *problems)
{
  GPtrArray *sets = g_ptr_array_new ();

  for (guint i = 0; i < problems->len; i++)
    {
      const BqProblem *p = g_ptr_array_index (problems, i);
      gboolean seen = FALSE;

      for (guint j = 0; j < sets->len && !seen; j++)
        seen = g_str_equal (g_ptr_array_index (sets, j), p->set);
      if (!seen)
        g_ptr_array_add (sets, p->set);
    }
  return sets;
}

static void
print_summary (const char *label,
               GPtrArray  *problems,
               const char *set)
{
  Summary sum;

  summarize (&sum, problems, set);
  printf ("%s: %u %s, %u with a result\n", label, sum.problems,
          sum.problems == 1 ? "problem" : "problems", sum.with_result);
  print_figures (&sum.tally, &sum.run_cost, &sum.judge_cost, sum.run_s, sum.judge_s);
  summary_clear (&sum);
}

static void
print_problem (const BqProblem *p)
{
  BqTally t = { 0 };

  printf ("%s/%s (%s):", p->set, p->id, cs_mode_to_string (p->mode));
  if (!p->ran)
    {
      g_autofree char *safe = cs_text_for_terminal (p->error, FALSE);

      printf (" %s%s\n", p->skipped ? "" : "no result: ", safe != NULL ? safe : "unknown error");
    }
  else
    printf (" %u %s, %u valid; synthesis by %s%s; run %s\n", p->n_candidates,
            p->n_candidates == 1 ? "candidate" : "candidates", p->n_valid,
            p->methods, p->degraded ? " (degraded)" : "", p->run_id);
  for (guint j = 0; j < p->pairs->len; j++)
    {
      const BqPair *pair = g_ptr_array_index (p->pairs, j);

      printf ("    against %s (%s):\n", pair->candidate_id, pair->model);
      print_judgement ("synthesis as A", &pair->first, TRUE);
      print_judgement ("synthesis as B", &pair->second, FALSE);
    }
  bq_tally_add_problem (&t, p);
  print_figures (&t, &p->run_cost, &p->judge_cost, p->run_s, p->judge_s);
}

/* Every problem, then each set (when there are several), then overall. */
void
bq_report_text (GPtrArray *problems)
{
  g_autoptr(GPtrArray) sets = list_sets (problems);

  for (guint i = 0; i < problems->len; i++)
    print_problem (g_ptr_array_index (problems, i));
  for (guint i = 0; sets->len > 1 && i < sets->len; i++)
    {
      g_autofree char *label = g_strdup_printf ("set %s", (const char *) g_ptr_array_index (sets, i));

      print_summary (label, problems, g_ptr_array_index (sets, i));
    }
  print_summary ("overall", problems, NULL);
}

/* JSON */

static void
add_ratio (JsonBuilder *b,
           const char  *name,
           guint        part,
           guint        whole)
{
  json_builder_set_member_name (b, name);
  if (whole == 0)
    json_builder_add_null_value (b);
  else
    json_builder_add_double_value (b, (double) part / whole);
}

#define ADD_INT(b, name, value) \
  G_STMT_START { json_builder_set_member_name (b, name); json_builder_add_int_value (b, value); } G_STMT_END
#define ADD_STRING(b, name, value) \
  G_STMT_START { json_builder_set_member_name (b, name); json_builder_add_string_value (b, value); } G_STMT_END

static void
add_tally (JsonBuilder   *b,
           const BqTally *t)
{
  json_builder_set_member_name (b, "figures");
  json_builder_begin_object (b);
  ADD_INT (b, "judgements", t->judgements);
  ADD_INT (b, "wins", t->wins);
  ADD_INT (b, "ties", t->ties);
  ADD_INT (b, "losses", t->losses);
  ADD_INT (b, "failed", t->failed);
  add_ratio (b, "win_rate", t->wins, t->wins + t->ties + t->losses);
  ADD_INT (b, "pairs", t->pairs);
  ADD_INT (b, "decided_pairs", t->decided);
  ADD_INT (b, "consistent_pairs", t->consistent);
  add_ratio (b, "consistency", t->consistent, t->decided);
  ADD_INT (b, "pair_wins", t->pair_wins);
  ADD_INT (b, "pair_ties", t->pair_ties);
  ADD_INT (b, "pair_losses", t->pair_losses);
  json_builder_end_object (b);
}

static void
add_cost (JsonBuilder  *b,
          const char   *name,
          const BqCost *cost)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_object (b);
  ADD_INT (b, "input_tokens", cost->input_tokens);
  ADD_INT (b, "output_tokens", cost->output_tokens);
  /* the dollars of the models with a price; null when none had one */
  json_builder_set_member_name (b, "usd");
  if (cost->price_unknown->len > 0 && cost->usd == 0)
    json_builder_add_null_value (b);
  else
    json_builder_add_double_value (b, cost->usd);
  json_builder_set_member_name (b, "price_unknown");
  json_builder_begin_array (b);
  for (guint i = 0; i < cost->price_unknown->len; i++)
    json_builder_add_string_value (b, g_ptr_array_index (cost->price_unknown, i));
  json_builder_end_array (b);
  json_builder_end_object (b);
}

static void
add_wall (JsonBuilder *b,
          double       run_s,
          double       judge_s)
{
  json_builder_set_member_name (b, "wall_s");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "run");
  json_builder_add_double_value (b, run_s);
  json_builder_set_member_name (b, "judging");
  json_builder_add_double_value (b, judge_s);
  json_builder_end_object (b);
}

static void
add_judgement (JsonBuilder       *b,
               const char        *name,
               const BqJudgement *j,
               gboolean           synthesis_is_a)
{
  static const char * const verdicts[] = { NULL, "A", "B", "tie" };

  json_builder_set_member_name (b, name);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "verdict");
  if (verdicts[j->verdict] != NULL)
    json_builder_add_string_value (b, verdicts[j->verdict]);
  else
    json_builder_add_null_value (b);
  ADD_STRING (b, "outcome", outcome_name (bq_outcome (j->verdict, synthesis_is_a)));
  json_builder_set_member_name (b, "reason");
  if (j->reason != NULL)
    json_builder_add_string_value (b, j->reason);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "error");
  if (j->error != NULL)
    json_builder_add_string_value (b, j->error);
  else
    json_builder_add_null_value (b);
  ADD_INT (b, "input_tokens", j->input_tokens);
  ADD_INT (b, "output_tokens", j->output_tokens);
  ADD_INT (b, "duration_ms", j->duration_ms);
  json_builder_end_object (b);
}

static void
add_problem (JsonBuilder     *b,
             const BqProblem *p)
{
  BqTally t = { 0 };

  json_builder_begin_object (b);
  ADD_STRING (b, "set", p->set);
  ADD_STRING (b, "id", p->id);
  ADD_STRING (b, "run_id", p->run_id);
  ADD_STRING (b, "mode", cs_mode_to_string (p->mode));
  json_builder_set_member_name (b, "ran");
  json_builder_add_boolean_value (b, p->ran);
  json_builder_set_member_name (b, "skipped");
  json_builder_add_boolean_value (b, p->skipped);
  json_builder_set_member_name (b, "error");
  if (p->error != NULL)
    json_builder_add_string_value (b, p->error);
  else
    json_builder_add_null_value (b);
  ADD_INT (b, "candidates", p->n_candidates);
  ADD_INT (b, "valid", p->n_valid);
  ADD_STRING (b, "methods", p->methods != NULL ? p->methods : "");
  json_builder_set_member_name (b, "degraded");
  json_builder_add_boolean_value (b, p->degraded);
  json_builder_set_member_name (b, "comparisons");
  json_builder_begin_array (b);
  for (guint i = 0; i < p->pairs->len; i++)
    {
      const BqPair *pair = g_ptr_array_index (p->pairs, i);
      BqOutcome a = bq_outcome (pair->first.verdict, TRUE);
      BqOutcome o = bq_outcome (pair->second.verdict, FALSE);

      json_builder_begin_object (b);
      ADD_STRING (b, "candidate", pair->candidate_id);
      ADD_STRING (b, "model", pair->model);
      add_judgement (b, "synthesis_as_a", &pair->first, TRUE);
      add_judgement (b, "synthesis_as_b", &pair->second, FALSE);
      json_builder_set_member_name (b, "agree");
      if (a == BQ_OUTCOME_FAILED || o == BQ_OUTCOME_FAILED)
        json_builder_add_null_value (b);
      else
        json_builder_add_boolean_value (b, a == o);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  bq_tally_add_problem (&t, p);
  add_tally (b, &t);
  json_builder_set_member_name (b, "cost");
  json_builder_begin_object (b);
  add_cost (b, "run", &p->run_cost);
  add_cost (b, "judging", &p->judge_cost);
  json_builder_end_object (b);
  add_wall (b, p->run_s, p->judge_s);
  json_builder_end_object (b);
}

/* The members of a summary, into the current object. */
static void
add_summary (JsonBuilder *b,
             GPtrArray   *problems,
             const char  *set)
{
  Summary sum;

  summarize (&sum, problems, set);
  ADD_INT (b, "problems", sum.problems);
  ADD_INT (b, "with_result", sum.with_result);
  add_tally (b, &sum.tally);
  json_builder_set_member_name (b, "cost");
  json_builder_begin_object (b);
  add_cost (b, "run", &sum.run_cost);
  add_cost (b, "judging", &sum.judge_cost);
  json_builder_end_object (b);
  add_wall (b, sum.run_s, sum.judge_s);
  summary_clear (&sum);
}

char *
bq_report_json (GPtrArray *problems,
                JsonNode  *header)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) sets = list_sets (problems);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "harness");
  json_builder_add_value (b, json_node_copy (header));
  json_builder_set_member_name (b, "problems");
  json_builder_begin_array (b);
  for (guint i = 0; i < problems->len; i++)
    add_problem (b, g_ptr_array_index (problems, i));
  json_builder_end_array (b);

  json_builder_set_member_name (b, "sets");
  json_builder_begin_array (b);
  for (guint i = 0; i < sets->len; i++)
    {
      json_builder_begin_object (b);
      ADD_STRING (b, "set", g_ptr_array_index (sets, i));
      add_summary (b, problems, g_ptr_array_index (sets, i));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "overall");
  json_builder_begin_object (b);
  add_summary (b, problems, NULL);
  json_builder_end_object (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  return json_generator_to_data (gen, NULL);
}
