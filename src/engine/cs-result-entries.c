/* cs-result-entries.c: the synthesis's votes, consensus, alternatives, critiques
 *
 * The JSON shape of the entries of the synthesis envelope beside its data,
 * and their builders.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-result"

#include "config.h"

#include <math.h>

#include "cs-result-private.h"

/* ------------------------------------------------------------------------ */
/* Votes                                                                    */
/* ------------------------------------------------------------------------ */

enum { VOTE_FIELD, VOTE_METHOD, VOTE_WINNER, VOTE_COUNT, VOTE_TOTAL, VOTE_OPTIONS, VOTE_MEDIAN, VOTE_VALUES };
static const CsField vote_fields[] = {
  CS_FIELD ("field", CS_FIELD_STRING, CsVoteRecord, field),
  CS_FIELD ("method", CS_FIELD_STRING, CsVoteRecord, method),
  CS_FIELD ("winner", CS_FIELD_STRING, CsVoteRecord, winner),
  CS_FIELD ("count", CS_FIELD_UINT, CsVoteRecord, count),
  CS_FIELD ("total", CS_FIELD_UINT, CsVoteRecord, total),
  CS_FIELD ("options", CS_FIELD_CUSTOM, CsVoteRecord, options),
  CS_FIELD_HAS ("median", CS_FIELD_DOUBLE, CsVoteRecord, median, has_median),
  CS_FIELD ("values", CS_FIELD_CUSTOM, CsVoteRecord, values),
};

static void
option_clear (gpointer data)
{
  g_free (((CsVoteOption *)data)->name);
}

static void
vote_init (gpointer object)
{
  CsVoteRecord *vote = object;

  vote->options = g_array_new (FALSE, TRUE, sizeof (CsVoteOption));
  g_array_set_clear_func (vote->options, option_clear);
  vote->values = g_array_new (FALSE, TRUE, sizeof (double));
}

static void
vote_finalize (gpointer object)
{
  CsVoteRecord *vote = object;

  g_clear_pointer (&vote->options, g_array_unref);
  g_clear_pointer (&vote->values, g_array_unref);
}

static void
vote_add_option (CsVoteRecord *vote,
                 const char   *name,
                 guint         count)
{
  CsVoteOption option = { g_strdup (name), count };

  g_array_append_val (vote->options, option);
}

static void
vote_copy (gpointer      dest,
           gconstpointer src)
{
  CsVoteRecord *to = dest;
  const CsVoteRecord *from = src;

  vote_init (to);
  for (guint i = 0; i < from->options->len; i++)
    {
      const CsVoteOption *o = &g_array_index (from->options, CsVoteOption, i);

      vote_add_option (to, o->name, o->count);
    }
  g_array_append_vals (to->values, from->values->data, from->values->len);
}

static void
vote_read_custom (gpointer  object,
                  guint     field,
                  JsonNode *node)
{
  CsVoteRecord *vote = object;

  if (field == VOTE_OPTIONS && JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *options = json_node_get_object (node);
      g_autoptr(GList) names = json_object_get_members (options);

      g_array_set_size (vote->options, 0);
      for (GList *l = names; l != NULL; l = l->next)
        {
          JsonNode *n = json_object_get_member (options, l->data);
          double v;

          if (g_utf8_validate (l->data, -1, NULL) && JSON_NODE_HOLDS_VALUE (n) &&
              (json_node_get_value_type (n) == G_TYPE_INT64 || json_node_get_value_type (n) == G_TYPE_DOUBLE) &&
              isfinite (v = json_node_get_double (n)))
            vote_add_option (vote, l->data, (guint)CLAMP (v, 0, G_MAXUINT));
        }
    }
  else if (field == VOTE_VALUES && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *values = json_node_get_array (node);

      g_array_set_size (vote->values, 0);
      for (guint i = 0; i < json_array_get_length (values); i++)
        {
          JsonNode *n = json_array_get_element (values, i);
          double v;

          if (JSON_NODE_HOLDS_VALUE (n) &&
              (json_node_get_value_type (n) == G_TYPE_INT64 || json_node_get_value_type (n) == G_TYPE_DOUBLE) &&
              isfinite (v = json_node_get_double (n)))
            g_array_append_val (vote->values, v);
        }
    }
}

static JsonNode *
vote_write_custom (gpointer object,
                   guint    field)
{
  CsVoteRecord *vote = object;

  if (field == VOTE_OPTIONS)
    {
      JsonObject *options = json_object_new ();

      for (guint i = 0; i < vote->options->len; i++)
        {
          const CsVoteOption *o = &g_array_index (vote->options, CsVoteOption, i);

          json_object_set_int_member (options, o->name, o->count);
        }
      return cs_node_take_object (options);
    }
  else
    {
      JsonArray *values = json_array_new ();

      for (guint i = 0; i < vote->values->len; i++)
        json_array_add_double_element (values, g_array_index (vote->values, double, i));
      return cs_node_take_array (values);
    }
}

CS_DEFINE_OBJECT_FREE (vote_free, cs_vote_record_class)
const CsObjectClass cs_vote_record_class = {
  "CsVoteRecord", vote_fields, G_N_ELEMENTS (vote_fields), sizeof (CsVoteRecord),
  G_STRUCT_OFFSET (CsVoteRecord, shape), FALSE, vote_free,
  vote_init, vote_finalize, vote_copy, vote_read_custom, vote_write_custom,
};

CsVoteRecord *
cs_result_add_vote (CsResult           *self,
                    const char         *field,
                    const char         *winner,
                    guint               count,
                    guint               total,
                    const char * const *option_names,
                    const guint        *option_counts,
                    guint               n_options)
{
  const CsObjectClass *k = &cs_vote_record_class;
  CsVoteRecord *vote;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (n_options == 0 || (option_names != NULL && option_counts != NULL), NULL);

  vote = cs_object_new (k);
  cs_object_set_string (k, vote, VOTE_FIELD, field);
  cs_object_set_string (k, vote, VOTE_WINNER, winner);
  vote->count = count;
  vote->total = total;
  cs_object_mark (k, vote, VOTE_COUNT, FALSE);
  cs_object_mark (k, vote, VOTE_TOTAL, FALSE);
  for (guint i = 0; i < n_options; i++)
    vote_add_option (vote, option_names[i], option_counts[i]);
  cs_object_mark (k, vote, VOTE_OPTIONS, FALSE);
  g_ptr_array_add (self->votes, vote);
  return vote;
}

CsVoteRecord *
cs_result_add_median (CsResult     *self,
                      const char   *field,
                      double        median,
                      guint         count,
                      guint         total,
                      const double *values,
                      guint         n_values)
{
  const CsObjectClass *k = &cs_vote_record_class;
  CsVoteRecord *vote;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (n_values == 0 || values != NULL, NULL);

  vote = cs_object_new (k);
  cs_object_set_string (k, vote, VOTE_FIELD, field);
  cs_object_set_string (k, vote, VOTE_METHOD, "median");
  vote->median = median;
  vote->has_median = TRUE;
  cs_object_mark (k, vote, VOTE_MEDIAN, TRUE);
  vote->count = count;
  vote->total = total;
  cs_object_mark (k, vote, VOTE_COUNT, FALSE);
  cs_object_mark (k, vote, VOTE_TOTAL, FALSE);
  g_array_append_vals (vote->values, values, n_values);
  cs_object_mark (k, vote, VOTE_VALUES, FALSE);
  g_ptr_array_add (self->votes, vote);
  return vote;
}

CsVoteRecord *
cs_result_add_vote_from_json (CsResult *self,
                              JsonNode *node)
{
  CsVoteRecord *vote;

  g_return_val_if_fail (self != NULL, NULL);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  vote = cs_object_new (&cs_vote_record_class);
  cs_object_read (&cs_vote_record_class, vote, json_node_get_object (node));
  g_ptr_array_add (self->votes, vote);
  return vote;
}

/* ------------------------------------------------------------------------ */
/* Consensus                                                                */
/* ------------------------------------------------------------------------ */

enum { AGREE_TITLE, AGREE_SUPPORT, AGREE_TOTAL, AGREE_CANDIDATES, AGREE_TECHNOLOGY, AGREE_COMMAND, AGREE_EFFORT };
static const CsField agreement_fields[] = {
  CS_FIELD ("title", CS_FIELD_STRING, CsAgreement, title),
  CS_FIELD ("support", CS_FIELD_UINT, CsAgreement, item.support),
  CS_FIELD ("total", CS_FIELD_UINT, CsAgreement, item.total),
  CS_FIELD ("candidates", CS_FIELD_STRV, CsAgreement, item.origin.sources),
  CS_FIELD ("technology", CS_FIELD_STRING, CsAgreement, technology),
  CS_FIELD ("command", CS_FIELD_STRING, CsAgreement, command),
  CS_FIELD_HAS ("effort_minutes", CS_FIELD_INT, CsAgreement, effort_minutes, has_effort),
};

CS_DEFINE_OBJECT_FREE (agreement_free, cs_agreement_class)
const CsObjectClass cs_agreement_class = {
  "CsAgreement", agreement_fields, G_N_ELEMENTS (agreement_fields), sizeof (CsAgreement),
  G_STRUCT_OFFSET (CsItem, shape), TRUE, agreement_free,
  NULL, NULL, NULL, NULL, NULL,
};

/* Sets item.support, total and origin.sources, marking @fields (support,
 * total, candidates) present in that order. */
static void
set_support (const CsObjectClass *k,
             CsItem              *item,
             const guint          fields[3],
             guint                support,
             guint                total,
             const char * const  *sources)
{
  item->support = support;
  item->total = total;
  g_strfreev (item->origin.sources);
  item->origin.sources = sources != NULL ? g_strdupv ((GStrv)sources) : g_new0 (char *, 1);
  for (guint i = 0; i < 3; i++)
    cs_object_mark (k, item, fields[i], FALSE);
}

CsAgreement *
cs_result_add_agreement (CsResult           *self,
                         const char         *title,
                         guint               support,
                         guint               total,
                         const char * const *sources)
{
  static const guint fields[3] = { AGREE_SUPPORT, AGREE_TOTAL, AGREE_CANDIDATES };
  CsAgreement *agreement;

  g_return_val_if_fail (self != NULL, NULL);

  agreement = cs_object_new (&cs_agreement_class);
  cs_object_set_string (&cs_agreement_class, agreement, AGREE_TITLE, title);
  set_support (&cs_agreement_class, &agreement->item, fields, support, total, sources);
  g_ptr_array_add (self->consensus, agreement);
  return agreement;
}

gboolean
cs_agreement_has_support (const CsAgreement *agreement)
{
  return cs_object_has_value (&cs_agreement_class, agreement, AGREE_SUPPORT) &&
         cs_object_has_value (&cs_agreement_class, agreement, AGREE_TOTAL);
}

void
cs_agreement_set_technology (CsAgreement *self,
                             const char  *technology)
{
  g_return_if_fail (self != NULL);

  cs_object_set_string (&cs_agreement_class, self, AGREE_TECHNOLOGY, technology);
}

void
cs_agreement_set_command (CsAgreement *self,
                          const char  *command)
{
  g_return_if_fail (self != NULL);

  cs_object_set_string (&cs_agreement_class, self, AGREE_COMMAND, command);
}

void
cs_agreement_set_effort_minutes (CsAgreement *self,
                                 int          effort_minutes)
{
  g_return_if_fail (self != NULL);

  self->effort_minutes = effort_minutes;
  self->has_effort = TRUE;
  cs_object_mark (&cs_agreement_class, self, AGREE_EFFORT, FALSE);
}

/* ------------------------------------------------------------------------ */
/* Alternatives                                                             */
/* ------------------------------------------------------------------------ */

enum {
  ALT_TITLE, ALT_TECHNOLOGY, ALT_RESPONSIBILITY, ALT_CHOICE, ALT_RATIONALE, ALT_ACTION,
  ALT_COMMAND, ALT_EXPECTED, ALT_IF_FAILS, ALT_RISK, ALT_EFFORT, ALT_AFTER_STEP,
  ALT_SUPPORT, ALT_TOTAL, ALT_CANDIDATES, ALT_KIND
};
static const CsField alternative_fields[] = {
  CS_FIELD ("title", CS_FIELD_STRING, CsAlternative, title),
  CS_FIELD ("technology", CS_FIELD_STRING, CsAlternative, technology),
  CS_FIELD ("responsibility", CS_FIELD_STRING, CsAlternative, responsibility),
  CS_FIELD ("choice", CS_FIELD_STRING, CsAlternative, choice),
  CS_FIELD ("rationale", CS_FIELD_STRING, CsAlternative, rationale),
  CS_FIELD ("action", CS_FIELD_STRING, CsAlternative, action),
  CS_FIELD ("command", CS_FIELD_STRING, CsAlternative, command),
  CS_FIELD ("expected", CS_FIELD_STRING, CsAlternative, expected),
  CS_FIELD ("if_fails", CS_FIELD_STRING, CsAlternative, if_fails),
  CS_FIELD ("risk", CS_FIELD_STRING, CsAlternative, risk),
  CS_FIELD_HAS ("effort_minutes", CS_FIELD_INT, CsAlternative, effort_minutes, has_effort),
  CS_FIELD ("after_step", CS_FIELD_INT, CsAlternative, after_step),
  CS_FIELD ("support", CS_FIELD_UINT, CsAlternative, item.support),
  CS_FIELD ("total", CS_FIELD_UINT, CsAlternative, item.total),
  CS_FIELD ("candidates", CS_FIELD_STRV, CsAlternative, item.origin.sources),
  CS_FIELD ("kind", CS_FIELD_STRING, CsAlternative, kind_name),
};

static void
alternative_init (gpointer object)
{
  ((CsAlternative *)object)->after_step = -1;
}

static void
alternative_finalize (gpointer object)
{
  CsAlternative *alt = object;

  if (alt->step != NULL)
    cs_object_free (&cs_step_class, g_steal_pointer (&alt->step));
}

static CsStep *alternative_build_step (CsAlternative *alt);

static void
alternative_copy (gpointer      dest,
                  gconstpointer src)
{
  CsAlternative *to = dest;

  /* the fields are copied by now */
  to->step = ((const CsAlternative *)src)->step != NULL ? alternative_build_step (to) : NULL;
}

CS_DEFINE_OBJECT_FREE (alternative_free, cs_alternative_class)
const CsObjectClass cs_alternative_class = {
  "CsAlternative", alternative_fields, G_N_ELEMENTS (alternative_fields), sizeof (CsAlternative),
  G_STRUCT_OFFSET (CsItem, shape), TRUE, alternative_free,
  alternative_init, alternative_finalize, alternative_copy, NULL, NULL,
};

/* The step fields of an alternative, in the order of the step's table. */
static const guint alt_step_fields[] = {
  ALT_TITLE, ALT_ACTION, ALT_COMMAND, ALT_EXPECTED, ALT_IF_FAILS, ALT_RISK, ALT_EFFORT
};

static CsStep *
alternative_build_step (CsAlternative *alt)
{
  CsStep *step = cs_object_new (&cs_step_class);
  char **strings[] = { &step->title, &step->action, &step->command, &step->expected, &step->if_fails, &step->risk };
  char *values[] = { alt->title, alt->action, alt->command, alt->expected, alt->if_fails, alt->risk };

  for (guint i = 0; i < G_N_ELEMENTS (strings); i++)
    *strings[i] = g_strdup (values[i]);
  step->has_effort = alt->has_effort;
  step->effort_minutes = alt->effort_minutes;
  step->item.support = alt->item.support;
  step->item.total = alt->item.total;
  step->item.origin.sources = g_strdupv (alt->item.origin.sources);
  step->item.origin.judge = alt->item.origin.judge;
  for (guint i = 0; i < G_N_ELEMENTS (alt_step_fields); i++)
    if (i < G_N_ELEMENTS (strings) || step->has_effort)
      cs_object_mark (&cs_step_class, step, i, FALSE);
  return step;
}

void
cs_alternative_update (CsAlternative *alt,
                       CsMode         mode)
{
  if (!cs_object_has_value (&cs_alternative_class, alt, ALT_SUPPORT) ||
      !cs_object_has_value (&cs_alternative_class, alt, ALT_TOTAL))
    alt->item.support = alt->item.total = 0;
  if (g_strcmp0 (alt->kind_name, "decision") == 0)
    alt->kind = CS_ALTERNATIVE_DECISION;
  else if (g_strcmp0 (alt->kind_name, "component") == 0 || mode != CS_MODE_SUPPORT)
    alt->kind = CS_ALTERNATIVE_COMPONENT;
  else
    alt->kind = CS_ALTERNATIVE_STEP;
  if (alt->step != NULL)
    cs_object_free (&cs_step_class, g_steal_pointer (&alt->step));
  if (alt->kind == CS_ALTERNATIVE_STEP)
    alt->step = alternative_build_step (alt);
}

static CsAlternative *
add_alternative (CsResult           *self,
                 const guint        *fields,
                 const char * const *values,
                 guint               n)
{
  CsAlternative *alt = cs_object_new (&cs_alternative_class);

  for (guint i = 0; i < n; i++)
    cs_object_set_string (&cs_alternative_class, alt, fields[i], values[i]);
  g_ptr_array_add (self->alternatives, alt);
  return alt;
}

static const guint support_fields[3] = { ALT_SUPPORT, ALT_TOTAL, ALT_CANDIDATES };

CsAlternative *
cs_result_add_component_alternative (CsResult           *self,
                                     const char         *title,
                                     const char         *technology,
                                     const char         *responsibility,
                                     guint               support,
                                     guint               total,
                                     const char * const *sources)
{
  static const guint fields[] = { ALT_TITLE, ALT_TECHNOLOGY, ALT_RESPONSIBILITY };
  const char *values[] = { title, technology, responsibility };
  CsAlternative *alt;

  g_return_val_if_fail (self != NULL, NULL);

  alt = add_alternative (self, fields, values, G_N_ELEMENTS (fields));
  set_support (&cs_alternative_class, &alt->item, support_fields, support, total, sources);
  cs_object_set_string (&cs_alternative_class, alt, ALT_KIND, "component");
  cs_alternative_update (alt, self->mode);
  return alt;
}

CsAlternative *
cs_result_add_decision_alternative (CsResult           *self,
                                    const char         *title,
                                    const char         *choice,
                                    const char         *rationale,
                                    guint               support,
                                    guint               total,
                                    const char * const *sources)
{
  static const guint fields[] = { ALT_TITLE, ALT_CHOICE, ALT_RATIONALE };
  const char *values[] = { title, choice, rationale };
  CsAlternative *alt;

  g_return_val_if_fail (self != NULL, NULL);

  alt = add_alternative (self, fields, values, G_N_ELEMENTS (fields));
  set_support (&cs_alternative_class, &alt->item, support_fields, support, total, sources);
  cs_object_set_string (&cs_alternative_class, alt, ALT_KIND, "decision");
  cs_alternative_update (alt, self->mode);
  return alt;
}

CsAlternative *
cs_result_add_alternative_from_component (CsResult           *self,
                                          const CsComponent  *component,
                                          guint               support,
                                          guint               total,
                                          const char * const *sources)
{
  static const guint fields[] = { ALT_TITLE, ALT_TECHNOLOGY, ALT_RESPONSIBILITY, ALT_KIND };
  const char *values[4];
  CsAlternative *alt;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (component != NULL, NULL);

  values[0] = component->name != NULL ? component->name : "";
  values[1] = component->technology != NULL ? component->technology : "";
  values[2] = component->responsibility != NULL ? component->responsibility : "";
  values[3] = "component";
  alt = add_alternative (self, fields, values, G_N_ELEMENTS (fields));
  set_support (&cs_alternative_class, &alt->item, support_fields, support, total, sources);
  cs_alternative_update (alt, self->mode);
  return alt;
}

/* Copies member @index of @step (a step_fields index) into @alt. */
static void
copy_step_member (CsAlternative *alt,
                  const CsStep  *step,
                  guint          index)
{
  const char *values[] = { step->title, step->action, step->command, step->expected, step->if_fails, step->risk };
  guint field = alt_step_fields[index];

  if (index < G_N_ELEMENTS (values))
    {
      cs_object_set_string (&cs_alternative_class, alt, field, values[index]);
      return;
    }
  alt->has_effort = step->has_effort;
  alt->effort_minutes = step->effort_minutes;
  if (step->item.shape.nulls & (1u << index))
    cs_object_mark_null (&cs_alternative_class, alt, field);
  else
    cs_object_mark (&cs_alternative_class, alt, field, (step->item.shape.doubles & (1u << index)) != 0);
}

CsAlternative *
cs_result_add_alternative_from_step (CsResult           *self,
                                     const CsStep       *step,
                                     int                 after_step,
                                     guint               support,
                                     guint               total,
                                     const char * const *sources)
{
  const CsJsonShape *shape;
  CsAlternative *alt;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (step != NULL, NULL);

  alt = cs_object_new (&cs_alternative_class);
  shape = &step->item.shape;
  if (shape->n > 0)
    for (guint i = 0; i < shape->n; i++)
      copy_step_member (alt, step, shape->order[i]);
  else
    for (guint i = 0; i < G_N_ELEMENTS (alt_step_fields); i++)
      copy_step_member (alt, step, i);
  cs_alternative_set_after_step (alt, after_step);
  set_support (&cs_alternative_class, &alt->item, support_fields, support, total, sources);
  g_ptr_array_add (self->alternatives, alt);
  cs_alternative_update (alt, self->mode);
  return alt;
}

CsAlternative *
cs_result_add_alternative_copy (CsResult            *self,
                                const CsAlternative *alternative)
{
  CsAlternative *alt;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (alternative != NULL, NULL);

  alt = cs_object_copy (&cs_alternative_class, alternative);
  g_ptr_array_add (self->alternatives, alt);
  cs_alternative_update (alt, self->mode);
  return alt;
}

void
cs_alternative_set_after_step (CsAlternative *self,
                               int            after_step)
{
  g_return_if_fail (self != NULL);

  self->after_step = after_step;
  cs_object_mark (&cs_alternative_class, self, ALT_AFTER_STEP, FALSE);
}

/* ------------------------------------------------------------------------ */
/* Critiques                                                                */
/* ------------------------------------------------------------------------ */

enum { CRITIQUE_CANDIDATE, CRITIQUE_STRENGTHS, CRITIQUE_WEAKNESSES, CRITIQUE_SCORE };
static const CsField critique_fields[] = {
  CS_FIELD ("candidate", CS_FIELD_STRING, CsCritique, candidate),
  CS_FIELD ("strengths", CS_FIELD_STRING, CsCritique, strengths),
  CS_FIELD ("weaknesses", CS_FIELD_STRING, CsCritique, weaknesses),
  CS_FIELD_HAS ("score", CS_FIELD_INT, CsCritique, score, has_score),
};

CS_DEFINE_OBJECT_FREE (critique_free, cs_critique_class)
const CsObjectClass cs_critique_class = {
  "CsCritique", critique_fields, G_N_ELEMENTS (critique_fields), sizeof (CsCritique),
  G_STRUCT_OFFSET (CsCritique, shape), FALSE, critique_free,
  NULL, NULL, NULL, NULL, NULL,
};

CsCritique *
cs_result_add_critique (CsResult   *self,
                        const char *candidate,
                        const char *strengths,
                        const char *weaknesses,
                        int         score)
{
  const CsObjectClass *k = &cs_critique_class;
  CsCritique *critique;

  g_return_val_if_fail (self != NULL, NULL);

  critique = cs_object_new (k);
  cs_object_set_string (k, critique, CRITIQUE_CANDIDATE, candidate);
  cs_object_set_string (k, critique, CRITIQUE_STRENGTHS, strengths);
  cs_object_set_string (k, critique, CRITIQUE_WEAKNESSES, weaknesses);
  if (score >= 0)
    {
      critique->score = score;
      critique->has_score = TRUE;
      cs_object_mark (k, critique, CRITIQUE_SCORE, FALSE);
    }
  else
    cs_object_mark_null (k, critique, CRITIQUE_SCORE);
  g_ptr_array_add (self->critiques, critique);
  return critique;
}
