/* fuzz-result.c: libFuzzer harness for the typed result model
 *
 * The input is parsed with cs_json_parse_bounded (); when it parses, it is
 * read as a synthesis envelope in both modes (cs_result_new_from_json ()),
 * as a blueprint and as a checklist. Checks: NULL with an error exactly when
 * the value is not an object; every string the model gives is NULL or valid
 * UTF-8; an item's vote is NULL or one of its result's votes (always NULL
 * outside a result); a step alternative, and only one, has its step; what
 * the model writes (cs_json_to_string ()) parses again, reads back into a
 * model that writes the same text (stable after one pass), and a copy
 * writes the same text.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include "cs-json-parse.h"
#include "cs-json-util.h"
#include "cs-result.h"
#include "fuzz-common.h"

/* ------------------------------------------------------------------------ */
/* Every string the model gives                                             */
/* ------------------------------------------------------------------------ */

static void
check_string (const char *s,
              const char *what)
{
  if (s != NULL && !g_utf8_validate (s, -1, NULL))
    fuzz_fail ("%s is not valid UTF-8", what);
}

static void
check_strv (const char * const *strv,
            const char         *what)
{
  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    check_string (strv[i], what);
}

static gboolean
holds (GPtrArray     *list,
       gconstpointer  entry)
{
  return list != NULL && g_ptr_array_find (list, entry, NULL);
}

static void
check_vote (const CsVoteRecord *vote)
{
  check_string (vote->field, "vote.field");
  check_string (vote->method, "vote.method");
  check_string (vote->winner, "vote.winner");
  fuzz_check (vote->options != NULL);
  fuzz_check (vote->values != NULL);
  for (guint i = 0; i < vote->options->len; i++)
    check_string (g_array_index (vote->options, CsVoteOption, i).name, "vote.options[].name");
  if (vote->has_median)
    fuzz_check (isfinite (vote->median));
}

/* @votes: the result's votes, NULL outside a result. */
static void
check_item (const CsItem *item,
            GPtrArray    *votes)
{
  check_strv ((const char * const *) item->origin.sources, "item.origin.sources");
  if (item->vote != NULL && !holds (votes, item->vote))
    fuzz_fail ("an item's vote is not one of its result's votes");
}

static void
check_step (const CsStep *step,
            GPtrArray    *votes)
{
  check_item (&step->item, votes);
  check_string (step->title, "step.title");
  check_string (step->action, "step.action");
  check_string (step->command, "step.command");
  check_string (step->expected, "step.expected");
  check_string (step->if_fails, "step.if_fails");
  check_string (step->risk, "step.risk");
}

static void
check_blueprint (CsBlueprint *bp,
                 GPtrArray   *votes)
{
  GPtrArray *list;
  double cost;

  check_string (cs_blueprint_get_summary (bp), "blueprint.summary");
  check_string (cs_blueprint_get_mermaid (bp), "blueprint.mermaid");
  if (cs_blueprint_get_monthly_cost (bp, &cost))
    fuzz_check (isfinite (cost));

  list = cs_blueprint_get_components (bp);
  for (guint i = 0; i < list->len; i++)
    {
      const CsComponent *c = g_ptr_array_index (list, i);

      check_item (&c->item, votes);
      check_string (c->name, "component.name");
      check_string (c->responsibility, "component.responsibility");
      check_string (c->technology, "component.technology");
      check_string (c->scaling, "component.scaling");
      if (c->name != NULL)
        fuzz_check (cs_blueprint_find_component (bp, c->name) != NULL);
    }
  list = cs_blueprint_get_data_stores (bp);
  for (guint i = 0; i < list->len; i++)
    {
      const CsDataStore *d = g_ptr_array_index (list, i);

      check_item (&d->item, votes);
      check_string (d->name, "data_store.name");
      check_string (d->technology, "data_store.technology");
      check_string (d->purpose, "data_store.purpose");
    }
  list = cs_blueprint_get_apis (bp);
  for (guint i = 0; i < list->len; i++)
    {
      const CsApi *a = g_ptr_array_index (list, i);

      check_item (&a->item, votes);
      check_string (a->name, "api.name");
      check_string (a->style, "api.style");
      check_string (a->description, "api.description");
    }
  list = cs_blueprint_get_connections (bp);
  for (guint i = 0; i < list->len; i++)
    {
      const CsConnection *c = g_ptr_array_index (list, i);

      check_item (&c->item, votes);
      check_string (c->from, "connection.from");
      check_string (c->to, "connection.to");
      check_string (c->description, "connection.description");
    }
  list = cs_blueprint_get_decisions (bp);
  for (guint i = 0; i < list->len; i++)
    {
      const CsDecision *d = g_ptr_array_index (list, i);

      check_item (&d->item, votes);
      check_string (d->topic, "decision.topic");
      check_string (d->choice, "decision.choice");
      check_string (d->rationale, "decision.rationale");
      check_strv ((const char * const *) d->rejected_alternatives, "decision.rejected_alternatives");
    }
  list = cs_blueprint_get_trade_offs (bp);
  for (guint i = 0; i < list->len; i++)
    {
      const CsTradeOff *t = g_ptr_array_index (list, i);

      check_item (&t->item, votes);
      check_string (t->text, "trade_off.text");
    }
  list = cs_blueprint_get_risks (bp);
  for (guint i = 0; i < list->len; i++)
    {
      const CsRisk *r = g_ptr_array_index (list, i);

      check_item (&r->item, votes);
      check_string (r->risk, "risk.risk");
      check_string (r->mitigation, "risk.mitigation");
    }
}

static void
check_checklist (CsChecklist *cl,
                 GPtrArray   *votes)
{
  GPtrArray *list;

  check_string (cs_checklist_get_summary (cl), "checklist.summary");
  check_string (cs_checklist_get_escalate_when (cl), "checklist.escalate_when");
  list = cs_checklist_get_likely_causes (cl);
  for (guint i = 0; i < list->len; i++)
    {
      const CsCause *c = g_ptr_array_index (list, i);

      check_item (&c->item, votes);
      check_string (c->cause, "cause.cause");
      check_string (c->likelihood, "cause.likelihood");
    }
  list = cs_checklist_get_steps (cl);
  for (guint i = 0; i < list->len; i++)
    check_step (g_ptr_array_index (list, i), votes);
}

static void
check_alternative (const CsAlternative *alt,
                   GPtrArray           *votes)
{
  check_item (&alt->item, votes);
  check_string (alt->kind_name, "alternative.kind");
  check_string (alt->title, "alternative.title");
  check_string (alt->technology, "alternative.technology");
  check_string (alt->responsibility, "alternative.responsibility");
  check_string (alt->choice, "alternative.choice");
  check_string (alt->rationale, "alternative.rationale");
  check_string (alt->action, "alternative.action");
  check_string (alt->command, "alternative.command");
  check_string (alt->expected, "alternative.expected");
  check_string (alt->if_fails, "alternative.if_fails");
  check_string (alt->risk, "alternative.risk");
  fuzz_check ((alt->kind == CS_ALTERNATIVE_STEP) == (alt->step != NULL));
  if (alt->step != NULL)
    check_step (alt->step, votes);
}

static void
check_result (CsResult *result)
{
  GPtrArray *votes = cs_result_get_votes (result);
  GPtrArray *list;
  CsVoteRecord *cost_vote;

  check_strv (cs_result_get_methods (result), "result.methods");
  check_string (cs_result_get_rationale (result), "result.rationale");
  check_string (cs_result_get_note (result), "result.note");
  check_string (cs_result_get_judge_model (result), "result.judge_model");
  (void) cs_result_has_method (result, CS_METHOD_ENSEMBLE | CS_METHOD_CONSENSUS | CS_METHOD_JUDGE);
  (void) cs_result_is_degraded (result);
  (void) cs_result_get_total (result);

  for (guint i = 0; i < votes->len; i++)
    {
      const CsVoteRecord *vote = g_ptr_array_index (votes, i);

      check_vote (vote);
      if (vote->field != NULL)
        fuzz_check (cs_result_find_vote (result, vote->field) != NULL);
    }
  cost_vote = cs_result_get_cost_vote (result);
  fuzz_check (cost_vote == NULL || holds (votes, cost_vote));

  list = cs_result_get_consensus (result);
  for (guint i = 0; i < list->len; i++)
    {
      const CsAgreement *a = g_ptr_array_index (list, i);

      check_item (&a->item, votes);
      check_string (a->title, "consensus.title");
      check_string (a->technology, "consensus.technology");
      check_string (a->command, "consensus.command");
    }
  list = cs_result_get_alternatives (result);
  for (guint i = 0; i < list->len; i++)
    check_alternative (g_ptr_array_index (list, i), votes);
  list = cs_result_get_critiques (result);
  for (guint i = 0; i < list->len; i++)
    {
      const CsCritique *c = g_ptr_array_index (list, i);

      check_string (c->candidate, "critique.candidate");
      check_string (c->strengths, "critique.strengths");
      check_string (c->weaknesses, "critique.weaknesses");
      if (c->candidate != NULL)
        fuzz_check (cs_result_find_critique (result, c->candidate) != NULL);
    }

  if (cs_result_get_blueprint (result) != NULL)
    check_blueprint (cs_result_get_blueprint (result), votes);
  if (cs_result_get_checklist (result) != NULL)
    check_checklist (cs_result_get_checklist (result), votes);
}

/* ------------------------------------------------------------------------ */
/* The three models, one way                                                */
/* ------------------------------------------------------------------------ */

typedef struct {
  const char *name;
  CsMode      mode;
  gpointer  (*read)  (CsMode mode, JsonNode *node, GError **error);
  JsonNode *(*write) (gpointer model);
  gpointer  (*copy)  (gpointer model);
  void      (*check) (gpointer model);
  void      (*unref) (gpointer model);
} Model;

/* Each model's functions, typed for the table. */
#define MODEL_FUNCS(prefix, Type, read_expr) \
  static gpointer \
  prefix##_read (CsMode mode, JsonNode *node, GError **error) \
  { \
    return read_expr; \
  } \
  static JsonNode * \
  prefix##_write (gpointer model) \
  { \
    return cs_##prefix##_to_json ((Type *) model); \
  } \
  static gpointer \
  prefix##_copy (gpointer model) \
  { \
    return cs_##prefix##_copy ((Type *) model); \
  } \
  static void \
  prefix##_unref (gpointer model) \
  { \
    cs_##prefix##_unref ((Type *) model); \
  }

MODEL_FUNCS (result, CsResult, cs_result_new_from_json (mode, node, error))
MODEL_FUNCS (blueprint, CsBlueprint, cs_blueprint_new_from_json (node, error))
MODEL_FUNCS (checklist, CsChecklist, cs_checklist_new_from_json (node, error))

static void
result_check (gpointer model)
{
  check_result (model);
}

static void
blueprint_check (gpointer model)
{
  check_blueprint (model, NULL);
}

static void
checklist_check (gpointer model)
{
  check_checklist (model, NULL);
}

#define MODEL(name, mode, prefix) \
  { name, mode, prefix##_read, prefix##_write, prefix##_copy, prefix##_check, prefix##_unref }

static const Model models[] = {
  MODEL ("architect result", CS_MODE_ARCHITECT, result),
  MODEL ("support result", CS_MODE_SUPPORT, result),
  MODEL ("blueprint", CS_MODE_ARCHITECT, blueprint),
  MODEL ("checklist", CS_MODE_SUPPORT, checklist),
};

/* Reads @node as @m, checks it; returns the model (or NULL when @node is not
 * an object). */
static gpointer
read_checked (const Model *m,
              JsonNode    *node)
{
  g_autoptr(GError) error = NULL;
  gpointer model = m->read (m->mode, node, &error);

  if (model == NULL)
    {
      if (JSON_NODE_HOLDS_OBJECT (node))
        fuzz_fail ("%s: an object was refused", m->name);
      fuzz_check (error != NULL);
      fuzz_check (g_utf8_validate (error->message, -1, NULL));
      return NULL;
    }
  fuzz_check (error == NULL);
  fuzz_check (JSON_NODE_HOLDS_OBJECT (node));
  m->check (model);
  return model;
}

/* The model's JSON text; checks it is one object. */
static char *
write_checked (const Model *m,
               gpointer     model)
{
  g_autoptr(JsonNode) node = m->write (model);

  fuzz_check (node != NULL && JSON_NODE_HOLDS_OBJECT (node));
  return cs_json_to_string (node, FALSE);
}

static void
fuzz_model (const Model *m,
            JsonNode    *node)
{
  gpointer model, again, copy;
  g_autoptr(JsonNode) reread = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *text_again = NULL;
  g_autofree char *text_copy = NULL;

  model = read_checked (m, node);
  if (model == NULL)
    return;
  text = write_checked (m, model);

  copy = m->copy (model);
  m->check (copy);
  text_copy = write_checked (m, copy);
  m->unref (copy);
  if (g_strcmp0 (text, text_copy) != 0)
    fuzz_fail ("%s: a copy writes other JSON:\n--- model\n%s\n--- copy\n%s", m->name, text, text_copy);

  reread = cs_json_parse_bounded (text, -1, 0, &error);
  if (reread == NULL)
    fuzz_fail ("%s: what the model writes does not parse (%s):\n%s", m->name, error->message, text);
  again = read_checked (m, reread);
  if (again == NULL)
    fuzz_fail ("%s: what the model writes does not read again:\n%s", m->name, text);
  text_again = write_checked (m, again);
  m->unref (again);
  if (g_strcmp0 (text, text_again) != 0)
    fuzz_fail ("%s: written, read and written again, the JSON changes:\n--- first\n%s\n--- second\n%s",
               m->name, text, text_again);

  m->unref (model);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) complete = NULL;

  fuzz_setup ();

  node = cs_json_parse_bounded ((const char *) data, (gssize) size, 0, NULL);
  if (node == NULL)
    return 0;

  for (guint i = 0; i < G_N_ELEMENTS (models); i++)
    fuzz_model (&models[i], node);

  /* The CLI's JSON contract on the same envelope. */
  complete = cs_result_json_complete (node);
  fuzz_check (complete != NULL && JSON_NODE_HOLDS_OBJECT (complete));

  return 0;
}
