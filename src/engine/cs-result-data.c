/* cs-result-data.c: a blueprint and a checklist (an answer in the mode's schema)
 *
 * The JSON shape of the two answers: the member names of the mode schemas
 * (src/engine/schemas) spelled once, in the field tables below.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-result"

#include "config.h"

#include <math.h>

#include "cs-result-private.h"

/* ------------------------------------------------------------------------ */
/* Items                                                                    */
/* ------------------------------------------------------------------------ */

#define ITEM_CLASS(var, st, table, fn)                                        \
  CS_DEFINE_OBJECT_FREE (fn, var)                                             \
  const CsObjectClass var = {                                                 \
    #st, table, G_N_ELEMENTS (table), sizeof (st),                            \
    G_STRUCT_OFFSET (CsItem, shape), TRUE, fn,                                \
    NULL, NULL, NULL, NULL, NULL,                                             \
  };

enum { COMPONENT_NAME, COMPONENT_RESPONSIBILITY, COMPONENT_TECHNOLOGY, COMPONENT_SCALING };
static const CsField component_fields[] = {
  CS_FIELD ("name", CS_FIELD_STRING, CsComponent, name),
  CS_FIELD ("responsibility", CS_FIELD_STRING, CsComponent, responsibility),
  CS_FIELD ("technology", CS_FIELD_STRING, CsComponent, technology),
  CS_FIELD ("scaling", CS_FIELD_STRING, CsComponent, scaling),
};
ITEM_CLASS (cs_component_class, CsComponent, component_fields, component_free)

enum { STORE_NAME, STORE_TECHNOLOGY, STORE_PURPOSE, STORE_PRIMARY };
static const CsField data_store_fields[] = {
  CS_FIELD ("name", CS_FIELD_STRING, CsDataStore, name),
  CS_FIELD ("technology", CS_FIELD_STRING, CsDataStore, technology),
  CS_FIELD ("purpose", CS_FIELD_STRING, CsDataStore, purpose),
  CS_FIELD ("primary", CS_FIELD_BOOL, CsDataStore, primary),
};
ITEM_CLASS (cs_data_store_class, CsDataStore, data_store_fields, data_store_free)

static const CsField api_fields[] = {
  CS_FIELD ("name", CS_FIELD_STRING, CsApi, name),
  CS_FIELD ("style", CS_FIELD_STRING, CsApi, style),
  CS_FIELD ("description", CS_FIELD_STRING, CsApi, description),
};
ITEM_CLASS (cs_api_class, CsApi, api_fields, api_free)

static const CsField connection_fields[] = {
  CS_FIELD ("from", CS_FIELD_STRING, CsConnection, from),
  CS_FIELD ("to", CS_FIELD_STRING, CsConnection, to),
  CS_FIELD ("description", CS_FIELD_STRING, CsConnection, description),
};
ITEM_CLASS (cs_connection_class, CsConnection, connection_fields, connection_free)

enum { DECISION_TOPIC, DECISION_CHOICE, DECISION_RATIONALE, DECISION_REJECTED };
static const CsField decision_fields[] = {
  CS_FIELD ("topic", CS_FIELD_STRING, CsDecision, topic),
  CS_FIELD ("choice", CS_FIELD_STRING, CsDecision, choice),
  CS_FIELD ("rationale", CS_FIELD_STRING, CsDecision, rationale),
  CS_FIELD ("rejected_alternatives", CS_FIELD_STRV, CsDecision, rejected_alternatives),
};
ITEM_CLASS (cs_decision_class, CsDecision, decision_fields, decision_free)

/* a trade-off is a bare string in the JSON; the table serves copy and free */
static const CsField trade_off_fields[] = {
  CS_FIELD ("text", CS_FIELD_STRING, CsTradeOff, text),
};
ITEM_CLASS (cs_trade_off_class, CsTradeOff, trade_off_fields, trade_off_free)

static const CsField risk_fields[] = {
  CS_FIELD ("risk", CS_FIELD_STRING, CsRisk, risk),
  CS_FIELD ("mitigation", CS_FIELD_STRING, CsRisk, mitigation),
};
ITEM_CLASS (cs_risk_class, CsRisk, risk_fields, risk_free)

static const CsField cause_fields[] = {
  CS_FIELD ("cause", CS_FIELD_STRING, CsCause, cause),
  CS_FIELD ("likelihood", CS_FIELD_STRING, CsCause, likelihood),
};
ITEM_CLASS (cs_cause_class, CsCause, cause_fields, cause_free)

enum { STEP_TITLE, STEP_ACTION, STEP_COMMAND, STEP_EXPECTED, STEP_IF_FAILS, STEP_RISK, STEP_EFFORT };
static const CsField step_fields[] = {
  CS_FIELD ("title", CS_FIELD_STRING, CsStep, title),
  CS_FIELD ("action", CS_FIELD_STRING, CsStep, action),
  CS_FIELD ("command", CS_FIELD_STRING, CsStep, command),
  CS_FIELD ("expected", CS_FIELD_STRING, CsStep, expected),
  CS_FIELD ("if_fails", CS_FIELD_STRING, CsStep, if_fails),
  CS_FIELD ("risk", CS_FIELD_STRING, CsStep, risk),
  CS_FIELD_HAS ("effort_minutes", CS_FIELD_INT, CsStep, effort_minutes, has_effort),
};
ITEM_CLASS (cs_step_class, CsStep, step_fields, step_free)

/* Sets the string fields [0, @n) of a new item to @values, in order. */
static gpointer
new_item (const CsObjectClass *klass,
          const char * const  *values,
          guint                n)
{
  gpointer item = cs_object_new (klass);

  for (guint i = 0; i < n; i++)
    cs_object_set_string (klass, item, i, values[i]);
  return item;
}

/* ------------------------------------------------------------------------ */
/* The blueprint                                                            */
/* ------------------------------------------------------------------------ */

enum {
  BP_SUMMARY, BP_COMPONENTS, BP_DATA_STORES, BP_APIS, BP_CONNECTIONS, BP_DECISIONS,
  BP_TRADE_OFFS, BP_RISKS, BP_COST, BP_MERMAID, BP_N_FIELDS
};
static const CsField blueprint_fields[] = {
  CS_FIELD ("summary", CS_FIELD_STRING, CsBlueprint, summary),
  CS_FIELD_OF ("components", CsBlueprint, components, &cs_component_class),
  CS_FIELD_OF ("data_stores", CsBlueprint, data_stores, &cs_data_store_class),
  CS_FIELD_OF ("apis", CsBlueprint, apis, &cs_api_class),
  CS_FIELD_OF ("connections", CsBlueprint, connections, &cs_connection_class),
  CS_FIELD_OF ("decisions", CsBlueprint, decisions, &cs_decision_class),
  CS_FIELD ("trade_offs", CS_FIELD_TEXTS, CsBlueprint, trade_offs),
  CS_FIELD_OF ("risks", CsBlueprint, risks, &cs_risk_class),
  CS_FIELD_HAS ("monthly_cost_usd", CS_FIELD_DOUBLE, CsBlueprint, monthly_cost_usd, has_cost),
  CS_FIELD ("mermaid", CS_FIELD_STRING, CsBlueprint, mermaid),
};

static void
blueprint_init (gpointer object)
{
  CsBlueprint *self = object;

  g_atomic_ref_count_init (&self->ref_count);
  self->components = cs_object_list_new (&cs_component_class);
  self->data_stores = cs_object_list_new (&cs_data_store_class);
  self->apis = cs_object_list_new (&cs_api_class);
  self->connections = cs_object_list_new (&cs_connection_class);
  self->decisions = cs_object_list_new (&cs_decision_class);
  self->trade_offs = cs_object_list_new (&cs_trade_off_class);
  self->risks = cs_object_list_new (&cs_risk_class);
}

const CsObjectClass cs_blueprint_class = {
  "CsBlueprint", blueprint_fields, G_N_ELEMENTS (blueprint_fields), sizeof (CsBlueprint),
  G_STRUCT_OFFSET (CsBlueprint, shape), FALSE, (GDestroyNotify)cs_blueprint_unref,
  blueprint_init, NULL, NULL, NULL, NULL,
};

G_DEFINE_BOXED_TYPE (CsBlueprint, cs_blueprint, cs_blueprint_ref, cs_blueprint_unref)

CsBlueprint *
cs_blueprint_new (void)
{
  CsBlueprint *self = cs_object_new (&cs_blueprint_class);

  /* every member in the schema's order; the cost is written once set */
  for (guint i = 0; i < BP_N_FIELDS; i++)
    cs_object_mark (&cs_blueprint_class, self, i, FALSE);
  self->summary = g_strdup ("");
  self->mermaid = g_strdup ("");
  return self;
}

CsBlueprint *
cs_blueprint_new_from_json (JsonNode  *data,
                            GError   **error)
{
  CsBlueprint *self;

  if (data == NULL || !JSON_NODE_HOLDS_OBJECT (data))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "The blueprint is not a JSON object");
      return NULL;
    }
  self = cs_object_new (&cs_blueprint_class);
  cs_object_read (&cs_blueprint_class, self, json_node_get_object (data));
  return self;
}

CsBlueprint *
cs_blueprint_ref (CsBlueprint *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
cs_blueprint_unref (CsBlueprint *self)
{
  g_return_if_fail (self != NULL);

  if (g_atomic_ref_count_dec (&self->ref_count))
    cs_object_free (&cs_blueprint_class, self);
}

CsBlueprint *
cs_blueprint_copy (CsBlueprint *self)
{
  CsBlueprint *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = cs_object_copy (&cs_blueprint_class, self);
  g_atomic_ref_count_init (&copy->ref_count);
  return copy;
}

JsonNode *
cs_blueprint_to_json (CsBlueprint *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return cs_object_write (&cs_blueprint_class, self);
}

#define GETTER(type, name, member, fallback)          \
  type                                                \
  name (CsBlueprint *self)                            \
  {                                                   \
    g_return_val_if_fail (self != NULL, fallback);    \
    return self->member;                              \
  }

GETTER (const char *, cs_blueprint_get_summary, summary, NULL)
GETTER (GPtrArray *, cs_blueprint_get_components, components, NULL)
GETTER (GPtrArray *, cs_blueprint_get_data_stores, data_stores, NULL)
GETTER (GPtrArray *, cs_blueprint_get_apis, apis, NULL)
GETTER (GPtrArray *, cs_blueprint_get_connections, connections, NULL)
GETTER (GPtrArray *, cs_blueprint_get_decisions, decisions, NULL)
GETTER (GPtrArray *, cs_blueprint_get_trade_offs, trade_offs, NULL)
GETTER (GPtrArray *, cs_blueprint_get_risks, risks, NULL)
GETTER (const char *, cs_blueprint_get_mermaid, mermaid, NULL)

#undef GETTER

gboolean
cs_blueprint_get_monthly_cost (CsBlueprint *self,
                               double      *out_usd)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (out_usd != NULL)
    *out_usd = self->has_cost ? self->monthly_cost_usd : 0.0;
  return self->has_cost;
}

CsComponent *
cs_blueprint_find_component (CsBlueprint *self,
                             const char  *name)
{
  g_return_val_if_fail (self != NULL, NULL);

  for (guint i = 0; name != NULL && i < self->components->len; i++)
    {
      CsComponent *c = g_ptr_array_index (self->components, i);

      if (c->name != NULL && g_ascii_strcasecmp (c->name, name) == 0)
        return c;
    }
  return NULL;
}

CsDataStore *
cs_blueprint_find_data_store (CsBlueprint *self,
                              const char  *name)
{
  g_return_val_if_fail (self != NULL, NULL);

  for (guint i = 0; name != NULL && i < self->data_stores->len; i++)
    {
      CsDataStore *s = g_ptr_array_index (self->data_stores, i);

      if (s->name != NULL && g_ascii_strcasecmp (s->name, name) == 0)
        return s;
    }
  return NULL;
}

void
cs_blueprint_set_summary (CsBlueprint *self,
                          const char  *summary)
{
  g_return_if_fail (self != NULL);

  cs_object_set_string (&cs_blueprint_class, self, BP_SUMMARY, summary);
}

void
cs_blueprint_set_mermaid (CsBlueprint *self,
                          const char  *mermaid)
{
  g_return_if_fail (self != NULL);

  cs_object_set_string (&cs_blueprint_class, self, BP_MERMAID, mermaid);
}

void
cs_blueprint_set_monthly_cost (CsBlueprint *self,
                               double       usd)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (isfinite (usd));

  self->monthly_cost_usd = usd;
  self->has_cost = TRUE;
  cs_object_mark (&cs_blueprint_class, self, BP_COST, TRUE);
}

CsComponent *
cs_blueprint_add_component (CsBlueprint *self,
                            const char  *name,
                            const char  *responsibility,
                            const char  *technology,
                            const char  *scaling)
{
  const char *values[] = { name, responsibility, technology, scaling };
  CsComponent *item;

  g_return_val_if_fail (self != NULL, NULL);

  item = new_item (&cs_component_class, values, G_N_ELEMENTS (values));
  g_ptr_array_add (self->components, item);
  return item;
}

CsDataStore *
cs_blueprint_add_data_store (CsBlueprint *self,
                             const char  *name,
                             const char  *technology,
                             const char  *purpose,
                             gboolean     primary)
{
  const char *values[] = { name, technology, purpose };
  CsDataStore *item;

  g_return_val_if_fail (self != NULL, NULL);

  item = new_item (&cs_data_store_class, values, G_N_ELEMENTS (values));
  item->primary = primary;
  cs_object_mark (&cs_data_store_class, item, STORE_PRIMARY, FALSE);
  g_ptr_array_add (self->data_stores, item);
  return item;
}

CsApi *
cs_blueprint_add_api (CsBlueprint *self,
                      const char  *name,
                      const char  *style,
                      const char  *description)
{
  const char *values[] = { name, style, description };
  CsApi *item;

  g_return_val_if_fail (self != NULL, NULL);

  item = new_item (&cs_api_class, values, G_N_ELEMENTS (values));
  g_ptr_array_add (self->apis, item);
  return item;
}

CsConnection *
cs_blueprint_add_connection (CsBlueprint *self,
                             const char  *from,
                             const char  *to,
                             const char  *description)
{
  const char *values[] = { from, to, description };
  CsConnection *item;

  g_return_val_if_fail (self != NULL, NULL);

  item = new_item (&cs_connection_class, values, G_N_ELEMENTS (values));
  g_ptr_array_add (self->connections, item);
  return item;
}

CsDecision *
cs_blueprint_add_decision (CsBlueprint        *self,
                           const char         *topic,
                           const char         *choice,
                           const char         *rationale,
                           const char * const *rejected_alternatives)
{
  const char *values[] = { topic, choice, rationale };
  CsDecision *item;

  g_return_val_if_fail (self != NULL, NULL);

  item = new_item (&cs_decision_class, values, G_N_ELEMENTS (values));
  item->rejected_alternatives = rejected_alternatives != NULL ? g_strdupv ((GStrv)rejected_alternatives)
                                                              : g_new0 (char *, 1);
  cs_object_mark (&cs_decision_class, item, DECISION_REJECTED, FALSE);
  g_ptr_array_add (self->decisions, item);
  return item;
}

CsTradeOff *
cs_blueprint_add_trade_off (CsBlueprint *self,
                            const char  *text)
{
  CsTradeOff *item;

  g_return_val_if_fail (self != NULL, NULL);

  item = new_item (&cs_trade_off_class, &text, 1);
  g_ptr_array_add (self->trade_offs, item);
  return item;
}

CsRisk *
cs_blueprint_add_risk (CsBlueprint *self,
                       const char  *risk,
                       const char  *mitigation)
{
  const char *values[] = { risk, mitigation };
  CsRisk *item;

  g_return_val_if_fail (self != NULL, NULL);

  item = new_item (&cs_risk_class, values, G_N_ELEMENTS (values));
  g_ptr_array_add (self->risks, item);
  return item;
}

/* ------------------------------------------------------------------------ */
/* The checklist                                                            */
/* ------------------------------------------------------------------------ */

enum { CL_SUMMARY, CL_CAUSES, CL_STEPS, CL_ESCALATE, CL_N_FIELDS };
static const CsField checklist_fields[] = {
  CS_FIELD ("summary", CS_FIELD_STRING, CsChecklist, summary),
  CS_FIELD_OF ("likely_causes", CsChecklist, likely_causes, &cs_cause_class),
  CS_FIELD_OF ("steps", CsChecklist, steps, &cs_step_class),
  CS_FIELD ("escalate_when", CS_FIELD_STRING, CsChecklist, escalate_when),
};

static void
checklist_init (gpointer object)
{
  CsChecklist *self = object;

  g_atomic_ref_count_init (&self->ref_count);
  self->likely_causes = cs_object_list_new (&cs_cause_class);
  self->steps = cs_object_list_new (&cs_step_class);
}

const CsObjectClass cs_checklist_class = {
  "CsChecklist", checklist_fields, G_N_ELEMENTS (checklist_fields), sizeof (CsChecklist),
  G_STRUCT_OFFSET (CsChecklist, shape), FALSE, (GDestroyNotify)cs_checklist_unref,
  checklist_init, NULL, NULL, NULL, NULL,
};

G_DEFINE_BOXED_TYPE (CsChecklist, cs_checklist, cs_checklist_ref, cs_checklist_unref)

CsChecklist *
cs_checklist_new (void)
{
  CsChecklist *self = cs_object_new (&cs_checklist_class);

  for (guint i = 0; i < CL_N_FIELDS; i++)
    cs_object_mark (&cs_checklist_class, self, i, FALSE);
  self->summary = g_strdup ("");
  self->escalate_when = g_strdup ("");
  return self;
}

CsChecklist *
cs_checklist_new_from_json (JsonNode  *data,
                            GError   **error)
{
  CsChecklist *self;

  if (data == NULL || !JSON_NODE_HOLDS_OBJECT (data))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "The checklist is not a JSON object");
      return NULL;
    }
  self = cs_object_new (&cs_checklist_class);
  cs_object_read (&cs_checklist_class, self, json_node_get_object (data));
  return self;
}

CsChecklist *
cs_checklist_ref (CsChecklist *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
cs_checklist_unref (CsChecklist *self)
{
  g_return_if_fail (self != NULL);

  if (g_atomic_ref_count_dec (&self->ref_count))
    cs_object_free (&cs_checklist_class, self);
}

CsChecklist *
cs_checklist_copy (CsChecklist *self)
{
  CsChecklist *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = cs_object_copy (&cs_checklist_class, self);
  g_atomic_ref_count_init (&copy->ref_count);
  return copy;
}

JsonNode *
cs_checklist_to_json (CsChecklist *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return cs_object_write (&cs_checklist_class, self);
}

const char *
cs_checklist_get_summary (CsChecklist *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->summary;
}

GPtrArray *
cs_checklist_get_likely_causes (CsChecklist *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->likely_causes;
}

GPtrArray *
cs_checklist_get_steps (CsChecklist *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->steps;
}

const char *
cs_checklist_get_escalate_when (CsChecklist *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->escalate_when;
}

void
cs_checklist_set_summary (CsChecklist *self,
                          const char  *summary)
{
  g_return_if_fail (self != NULL);

  cs_object_set_string (&cs_checklist_class, self, CL_SUMMARY, summary);
}

void
cs_checklist_set_escalate_when (CsChecklist *self,
                                const char  *escalate_when)
{
  g_return_if_fail (self != NULL);

  cs_object_set_string (&cs_checklist_class, self, CL_ESCALATE, escalate_when);
}

CsCause *
cs_checklist_add_cause (CsChecklist *self,
                        const char  *cause,
                        const char  *likelihood)
{
  const char *values[] = { cause, likelihood };
  CsCause *item;

  g_return_val_if_fail (self != NULL, NULL);

  item = new_item (&cs_cause_class, values, G_N_ELEMENTS (values));
  g_ptr_array_add (self->likely_causes, item);
  return item;
}

CsStep *
cs_checklist_add_step (CsChecklist *self,
                       const char  *title,
                       const char  *action,
                       const char  *command,
                       const char  *expected,
                       const char  *if_fails,
                       const char  *risk,
                       int          effort_minutes)
{
  const char *values[] = { title, action, command, expected, if_fails, risk };
  CsStep *item;

  g_return_val_if_fail (self != NULL, NULL);

  item = new_item (&cs_step_class, values, G_N_ELEMENTS (values));
  if (effort_minutes >= 0)
    {
      item->effort_minutes = effort_minutes;
      item->has_effort = TRUE;
      cs_object_mark (&cs_step_class, item, STEP_EFFORT, FALSE);
    }
  g_ptr_array_add (self->steps, item);
  return item;
}
