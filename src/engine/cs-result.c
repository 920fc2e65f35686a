/* cs-result.c: the typed result model (a blueprint, a checklist, a synthesis)
 *
 * The synthesis envelope: its members, the data read as the mode's answer,
 * and the links from the data's items to their votes and consensus entries.
 * The answers are in cs-result-data.c, the entries in cs-result-entries.c,
 * the generic reader and writer in cs-result-shape.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-result"

#include "config.h"

#include "cs-json-util.h"
#include "cs-result-private.h"

enum {
  RESULT_METHODS, RESULT_DATA, RESULT_RATIONALE, RESULT_TOTAL, RESULT_VOTES, RESULT_CONSENSUS,
  RESULT_ALTERNATIVES, RESULT_CRITIQUES, RESULT_DEGRADED, RESULT_NOTE, RESULT_JUDGE_MODEL,
  RESULT_PROVENANCE
};
static const CsField result_fields[] = {
  CS_FIELD ("methods", CS_FIELD_STRV, CsResult, methods),
  CS_FIELD ("data", CS_FIELD_CUSTOM, CsResult, blueprint),
  CS_FIELD ("rationale", CS_FIELD_STRING, CsResult, rationale),
  CS_FIELD ("total", CS_FIELD_UINT, CsResult, total),
  CS_FIELD_OF ("votes", CsResult, votes, &cs_vote_record_class),
  CS_FIELD_OF ("consensus", CsResult, consensus, &cs_agreement_class),
  CS_FIELD_OF ("alternatives", CsResult, alternatives, &cs_alternative_class),
  CS_FIELD_OF ("critiques", CsResult, critiques, &cs_critique_class),
  CS_FIELD ("degraded", CS_FIELD_BOOL, CsResult, degraded),
  CS_FIELD ("note", CS_FIELD_STRING, CsResult, note),
  CS_FIELD ("judge_model", CS_FIELD_STRING, CsResult, judge_model),
  CS_FIELD ("provenance", CS_FIELD_CUSTOM, CsResult, has_origins),
};

/* The names of the methods, by CsMethod bit. */
static const char * const method_names[] = { "ensemble", "consensus", "judge" };

static void
result_init (gpointer object)
{
  CsResult *self = object;

  g_atomic_ref_count_init (&self->ref_count);
  self->votes = cs_object_list_new (&cs_vote_record_class);
  self->consensus = cs_object_list_new (&cs_agreement_class);
  self->alternatives = cs_object_list_new (&cs_alternative_class);
  self->critiques = cs_object_list_new (&cs_critique_class);
}

static void
result_finalize (gpointer object)
{
  CsResult *self = object;

  g_clear_pointer (&self->blueprint, cs_blueprint_unref);
  g_clear_pointer (&self->checklist, cs_checklist_unref);
  g_clear_pointer (&self->summary_origin.sources, g_strfreev);
}

static void
result_copy (gpointer      dest,
             gconstpointer src)
{
  CsResult *to = dest;
  const CsResult *from = src;

  g_atomic_ref_count_init (&to->ref_count);
  to->blueprint = from->blueprint != NULL ? cs_blueprint_copy (from->blueprint) : NULL;
  to->checklist = from->checklist != NULL ? cs_checklist_copy (from->checklist) : NULL;
  to->has_origins = from->has_origins;
  to->summary_origin.sources = g_strdupv (from->summary_origin.sources);
  to->summary_origin.judge = from->summary_origin.judge;
}

static void
result_read_custom (gpointer  object,
                    guint     field,
                    JsonNode *node)
{
  CsResult *self = object;

  if (field == RESULT_PROVENANCE)
    {
      /* read with the items' own, by cs_result_origins_read () */
      self->has_origins = TRUE;
      return;
    }
  g_assert (field == RESULT_DATA);
  g_clear_pointer (&self->blueprint, cs_blueprint_unref);
  g_clear_pointer (&self->checklist, cs_checklist_unref);
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return;
  if (self->mode == CS_MODE_SUPPORT)
    self->checklist = cs_checklist_new_from_json (node, NULL);
  else
    self->blueprint = cs_blueprint_new_from_json (node, NULL);
}

static JsonNode *
result_write_custom (gpointer object,
                     guint    field)
{
  CsResult *self = object;

  if (field == RESULT_PROVENANCE)
    return cs_result_origins_write (self);
  g_assert (field == RESULT_DATA);
  if (self->blueprint != NULL)
    return cs_blueprint_to_json (self->blueprint);
  if (self->checklist != NULL)
    return cs_checklist_to_json (self->checklist);
  return json_node_init_null (json_node_alloc ());
}

static const CsObjectClass result_class = {
  "CsResult", result_fields, G_N_ELEMENTS (result_fields), sizeof (CsResult),
  G_STRUCT_OFFSET (CsResult, shape), FALSE, NULL,
  result_init, result_finalize, result_copy, result_read_custom, result_write_custom,
};

G_DEFINE_BOXED_TYPE (CsResult, cs_result, cs_result_ref, cs_result_unref)

/* ------------------------------------------------------------------------ */
/* Life cycle                                                               */
/* ------------------------------------------------------------------------ */

CsResult *
cs_result_new (CsMode mode)
{
  CsResult *self = cs_object_new (&result_class);

  self->mode = mode;
  self->methods = g_new0 (char *, 1);
  /* the fused envelope's members, in its order */
  for (guint i = 0; i <= RESULT_NOTE; i++)
    cs_object_mark (&result_class, self, i, FALSE);
  cs_object_mark_null (&result_class, self, RESULT_DATA);
  cs_object_mark_null (&result_class, self, RESULT_RATIONALE);
  cs_object_mark_null (&result_class, self, RESULT_NOTE);
  return self;
}

CsResult *
cs_result_new_from_json (CsMode     mode,
                         JsonNode  *synthesis,
                         GError   **error)
{
  CsResult *self;

  if (synthesis == NULL || !JSON_NODE_HOLDS_OBJECT (synthesis))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "The synthesis is not a JSON object");
      return NULL;
    }
  self = cs_object_new (&result_class);
  self->mode = mode;
  cs_object_read (&result_class, self, json_node_get_object (synthesis));
  for (guint i = 0; i < self->alternatives->len; i++)
    cs_alternative_update (g_ptr_array_index (self->alternatives, i), mode);
  cs_result_origins_read (self, json_node_get_object (synthesis));
  cs_result_link_items (self);
  return self;
}

CsResult *
cs_result_ref (CsResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
cs_result_unref (CsResult *self)
{
  g_return_if_fail (self != NULL);

  if (g_atomic_ref_count_dec (&self->ref_count))
    cs_object_free (&result_class, self);
}

CsResult *
cs_result_copy (CsResult *self)
{
  CsResult *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = cs_object_copy (&result_class, self);
  cs_result_link_items (copy);
  return copy;
}

JsonNode *
cs_result_to_json (CsResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return cs_object_write (&result_class, self);
}

/* ------------------------------------------------------------------------ */
/* Accessors                                                                */
/* ------------------------------------------------------------------------ */

CsMode
cs_result_get_mode (CsResult *self)
{
  g_return_val_if_fail (self != NULL, CS_MODE_ARCHITECT);
  return self->mode;
}

CsBlueprint *
cs_result_get_blueprint (CsResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->blueprint;
}

CsChecklist *
cs_result_get_checklist (CsResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->checklist;
}

static void
set_data (CsResult    *self,
          CsBlueprint *blueprint,
          CsChecklist *checklist)
{
  if (blueprint != NULL)
    cs_blueprint_ref (blueprint);
  if (checklist != NULL)
    cs_checklist_ref (checklist);
  g_clear_pointer (&self->blueprint, cs_blueprint_unref);
  g_clear_pointer (&self->checklist, cs_checklist_unref);
  self->blueprint = blueprint;
  self->checklist = checklist;
  if (blueprint == NULL && checklist == NULL)
    cs_object_mark_null (&result_class, self, RESULT_DATA);
  else
    cs_object_mark (&result_class, self, RESULT_DATA, FALSE);
}

void
cs_result_set_blueprint (CsResult    *self,
                         CsBlueprint *blueprint)
{
  g_return_if_fail (self != NULL);

  set_data (self, blueprint, NULL);
}

void
cs_result_set_checklist (CsResult    *self,
                         CsChecklist *checklist)
{
  g_return_if_fail (self != NULL);

  set_data (self, NULL, checklist);
}

const char * const *
cs_result_get_methods (CsResult *self)
{
  static const char * const none[] = { NULL };

  g_return_val_if_fail (self != NULL, none);
  return self->methods != NULL ? (const char * const *)self->methods : none;
}

gboolean
cs_result_has_method (CsResult *self,
                      CsMethod  methods)
{
  g_return_val_if_fail (self != NULL, FALSE);

  for (guint bit = 0; bit < G_N_ELEMENTS (method_names); bit++)
    if ((methods & (1u << bit)) != 0 &&
        (self->methods == NULL || !g_strv_contains ((const char * const *)self->methods, method_names[bit])))
      return FALSE;
  return TRUE;
}

void
cs_result_add_method (CsResult   *self,
                      const char *method)
{
  guint n;

  g_return_if_fail (self != NULL);
  g_return_if_fail (method != NULL);

  n = self->methods != NULL ? g_strv_length (self->methods) : 0;
  self->methods = g_renew (char *, self->methods, n + 2);
  self->methods[n] = g_strdup (method);
  self->methods[n + 1] = NULL;
  cs_object_mark (&result_class, self, RESULT_METHODS, FALSE);
}

void
cs_result_set_methods (CsResult           *self,
                       const char * const *methods)
{
  g_return_if_fail (self != NULL);

  g_strfreev (self->methods);
  self->methods = methods != NULL ? g_strdupv ((GStrv)methods) : g_new0 (char *, 1);
  cs_object_mark (&result_class, self, RESULT_METHODS, FALSE);
}

#define STRING_ACCESSORS(getter, setter, member, field)                   \
  const char *                                                            \
  getter (CsResult *self)                                                 \
  {                                                                       \
    g_return_val_if_fail (self != NULL, NULL);                            \
    return self->member;                                                  \
  }                                                                       \
  void                                                                    \
  setter (CsResult   *self,                                               \
          const char *value)                                              \
  {                                                                       \
    g_return_if_fail (self != NULL);                                      \
    cs_object_set_string (&result_class, self, field, value);            \
  }

STRING_ACCESSORS (cs_result_get_rationale, cs_result_set_rationale, rationale, RESULT_RATIONALE)
STRING_ACCESSORS (cs_result_get_note, cs_result_set_note, note, RESULT_NOTE)
STRING_ACCESSORS (cs_result_get_judge_model, cs_result_set_judge_model, judge_model, RESULT_JUDGE_MODEL)

#undef STRING_ACCESSORS

gboolean
cs_result_is_degraded (CsResult *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->degraded;
}

void
cs_result_set_degraded (CsResult *self,
                        gboolean  degraded)
{
  g_return_if_fail (self != NULL);

  self->degraded = !!degraded;
  cs_object_mark (&result_class, self, RESULT_DEGRADED, FALSE);
}

guint
cs_result_get_total (CsResult *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->total;
}

void
cs_result_set_total (CsResult *self,
                     guint     total)
{
  g_return_if_fail (self != NULL);

  self->total = total;
  cs_object_mark (&result_class, self, RESULT_TOTAL, FALSE);
}

GPtrArray *
cs_result_get_votes (CsResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->votes;
}

GPtrArray *
cs_result_get_consensus (CsResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->consensus;
}

GPtrArray *
cs_result_get_alternatives (CsResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->alternatives;
}

GPtrArray *
cs_result_get_critiques (CsResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->critiques;
}

CsVoteRecord *
cs_result_find_vote (CsResult   *self,
                     const char *field)
{
  g_return_val_if_fail (self != NULL, NULL);

  for (guint i = 0; field != NULL && i < self->votes->len; i++)
    {
      CsVoteRecord *vote = g_ptr_array_index (self->votes, i);

      if (g_strcmp0 (vote->field, field) == 0)
        return vote;
    }
  return NULL;
}

CsVoteRecord *
cs_result_get_cost_vote (CsResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return cs_result_find_vote (self, "monthly_cost_usd");
}

CsCritique *
cs_result_find_critique (CsResult   *self,
                         const char *candidate_id)
{
  g_return_val_if_fail (self != NULL, NULL);

  for (guint i = 0; candidate_id != NULL && i < self->critiques->len; i++)
    {
      CsCritique *critique = g_ptr_array_index (self->critiques, i);

      if (g_strcmp0 (critique->candidate, candidate_id) == 0)
        return critique;
    }
  return NULL;
}

void
cs_result_clear_votes (CsResult *self)
{
  g_return_if_fail (self != NULL);

  g_ptr_array_set_size (self->votes, 0);
  cs_result_link_items (self);
}

void
cs_result_clear_consensus (CsResult *self)
{
  g_return_if_fail (self != NULL);

  g_ptr_array_set_size (self->consensus, 0);
  cs_result_link_items (self);
}

void
cs_result_clear_alternatives (CsResult *self)
{
  g_return_if_fail (self != NULL);

  g_ptr_array_set_size (self->alternatives, 0);
}

void
cs_result_clear_critiques (CsResult *self)
{
  g_return_if_fail (self != NULL);

  g_ptr_array_set_size (self->critiques, 0);
}

/* ------------------------------------------------------------------------ */
/* Links from items to votes and consensus entries                          */
/* ------------------------------------------------------------------------ */

/* Points @item at the vote on "<list>[<title>].<key>": the exact field, else
 * one equal ignoring ASCII case (vote_casefold). */
static void
link_vote (CsResult   *self,
           CsItem     *item,
           const char *list,
           const char *title,
           const char *key)
{
  g_autofree char *field = g_strdup_printf ("%s[%s].%s", list, title != NULL ? title : "", key);

  item->vote = cs_result_find_vote (self, field);
  item->vote_casefold = FALSE;
  for (guint i = 0; item->vote == NULL && i < self->votes->len; i++)
    {
      CsVoteRecord *vote = g_ptr_array_index (self->votes, i);

      if (vote->field != NULL && g_ascii_strcasecmp (vote->field, field) == 0)
        {
          item->vote = vote;
          item->vote_casefold = TRUE;
        }
    }
}

static gboolean
same_title (const char *a,
            const char *b)
{
  return g_ascii_strcasecmp (a != NULL ? a : "", b != NULL ? b : "") == 0;
}

/* The consensus entry of item @index called @title: the entry at the same
 * index when its title agrees, else the first of that title. */
static CsAgreement *
find_agreement (CsResult   *self,
                guint       index,
                const char *title)
{
  if (index < self->consensus->len &&
      same_title (((CsAgreement *)g_ptr_array_index (self->consensus, index))->title, title))
    return g_ptr_array_index (self->consensus, index);
  for (guint i = 0; i < self->consensus->len; i++)
    {
      CsAgreement *agreement = g_ptr_array_index (self->consensus, i);

      if (same_title (agreement->title, title))
        return agreement;
    }
  return NULL;
}

static void
link_agreement (CsResult   *self,
                CsItem     *item,
                guint       index,
                const char *title)
{
  CsAgreement *agreement = find_agreement (self, index, title);

  if (agreement == NULL || !cs_agreement_has_support (agreement))
    return;
  item->support = agreement->item.support;
  item->total = agreement->item.total;
  /* a result that records its items' origins has them already */
  if (self->has_origins)
    return;
  item->origin.sources = g_strdupv (agreement->item.origin.sources);
  if (cs_result_has_method (self, CS_METHOD_JUDGE) && agreement->item.total > 0)
    item->origin.judge = agreement->item.support == 0 ? CS_JUDGE_ADDED : CS_JUDGE_KEPT;
}

static void
unlink_all (CsResult  *self,
            GPtrArray *items)
{
  for (guint i = 0; i < items->len; i++)
    {
      CsItem *item = g_ptr_array_index (items, i);

      item->vote = NULL;
      item->vote_casefold = FALSE;
      item->support = item->total = 0;
      if (self->has_origins)
        continue;
      item->origin.judge = CS_JUDGE_NONE;
      g_clear_pointer (&item->origin.sources, g_strfreev);
    }
}

static void
link_blueprint (CsResult    *self,
                CsBlueprint *bp)
{
  GPtrArray *lists[] = { bp->components, bp->data_stores, bp->apis, bp->decisions };

  for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
    unlink_all (self, lists[l]);
  for (guint i = 0; i < bp->components->len; i++)
    {
      CsComponent *c = g_ptr_array_index (bp->components, i);

      link_vote (self, &c->item, "components", c->name, "technology");
      link_agreement (self, &c->item, i, c->name);
    }
  for (guint i = 0; i < bp->data_stores->len; i++)
    {
      CsDataStore *s = g_ptr_array_index (bp->data_stores, i);

      link_vote (self, &s->item, "data_stores", s->name, "technology");
      if (s->item.vote == NULL && s->primary)
        link_vote (self, &s->item, "data_stores", "primary", "technology");
    }
  for (guint i = 0; i < bp->apis->len; i++)
    {
      CsApi *a = g_ptr_array_index (bp->apis, i);

      link_vote (self, &a->item, "apis", a->name, "style");
    }
  for (guint i = 0; i < bp->decisions->len; i++)
    {
      CsDecision *d = g_ptr_array_index (bp->decisions, i);

      link_vote (self, &d->item, "decisions", d->topic, "choice");
    }
}

static void
link_checklist (CsResult    *self,
                CsChecklist *cl)
{
  unlink_all (self, cl->likely_causes);
  unlink_all (self, cl->steps);
  for (guint i = 0; i < cl->likely_causes->len; i++)
    {
      CsCause *c = g_ptr_array_index (cl->likely_causes, i);

      link_vote (self, &c->item, "likely_causes", c->cause, "likelihood");
    }
  for (guint i = 0; i < cl->steps->len; i++)
    {
      CsStep *s = g_ptr_array_index (cl->steps, i);

      link_vote (self, &s->item, "steps", s->title, "risk");
      link_agreement (self, &s->item, i, s->title);
    }
}

void
cs_result_link_items (CsResult *self)
{
  g_return_if_fail (self != NULL);

  if (self->blueprint != NULL)
    link_blueprint (self, self->blueprint);
  if (self->checklist != NULL)
    link_checklist (self, self->checklist);
}

void
cs_result_set_has_origins (CsResult *self,
                           gboolean  has_origins)
{
  g_return_if_fail (self != NULL);

  self->has_origins = has_origins;
  /* once written, "provenance" stays: a result never loses it */
  if (has_origins)
    cs_object_mark (&result_class, self, RESULT_PROVENANCE, FALSE);
}

/* ------------------------------------------------------------------------ */
/* The CLI's contract                                                       */
/* ------------------------------------------------------------------------ */

JsonNode *
cs_result_json_complete (JsonNode *synthesis)
{
  static const guint lists[] = { RESULT_METHODS, RESULT_VOTES };
  static const guint nullable[] = {
    RESULT_DATA, RESULT_RATIONALE, RESULT_CONSENSUS, RESULT_ALTERNATIVES, RESULT_CRITIQUES, RESULT_NOTE,
  };
  JsonNode *copy;
  JsonObject *obj;

  if (synthesis != NULL && JSON_NODE_HOLDS_OBJECT (synthesis))
    copy = cs_json_deep_copy (synthesis);
  else
    copy = cs_node_take_object (json_object_new ());
  obj = json_node_get_object (copy);
  for (guint i = 0; i < G_N_ELEMENTS (lists); i++)
    if (cs_json_get_array (obj, result_fields[lists[i]].name) == NULL)
      json_object_set_array_member (obj, result_fields[lists[i]].name, json_array_new ());
  for (guint i = 0; i < G_N_ELEMENTS (nullable); i++)
    if (!json_object_has_member (obj, result_fields[nullable[i]].name))
      json_object_set_null_member (obj, result_fields[nullable[i]].name);
  if (!json_object_has_member (obj, result_fields[RESULT_DEGRADED].name))
    json_object_set_boolean_member (obj, result_fields[RESULT_DEGRADED].name, FALSE);
  cs_result_origins_complete (obj);
  return copy;
}
