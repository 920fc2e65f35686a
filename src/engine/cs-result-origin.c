/* cs-result-origin.c: where each item of a result came from, in its JSON
 *
 * The synthesis envelope's "provenance" holds, for the summary and for every
 * item of "data" (a list per list of the answer, parallel to it), its
 * origin: { "sources": the ids of the candidates whose answers held it,
 * "judge": "kept", "changed", "added", or null when no judge merged the
 * result }. "data" itself stays the mode's schema object (what the judge
 * reads, what a script may validate); the CLI's JSON copies each object
 * item's origin into the item, and gives each alternative its candidates as
 * "sources" (cs_result_origins_complete ()). A result
 * without "provenance" (saved before provenance was recorded) reads as
 * before: the consensus entries alone say who proposed a component or a
 * step.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-result"

#include "config.h"

#include "cs-json-util.h"
#include "cs-result-private.h"

static const char * const judge_names[] = { NULL, "kept", "changed", "added" };

const char *
cs_judge_mark_to_string (CsJudgeMark mark)
{
  return (guint)mark < G_N_ELEMENTS (judge_names) ? judge_names[mark] : NULL;
}

CsJudgeMark
cs_judge_mark_from_string (const char *name)
{
  for (guint i = 1; name != NULL && i < G_N_ELEMENTS (judge_names); i++)
    if (g_str_equal (name, judge_names[i]))
      return (CsJudgeMark)i;
  return CS_JUDGE_NONE;
}

void
cs_origin_set_sources (CsOrigin           *origin,
                       const char * const *sources)
{
  g_return_if_fail (origin != NULL);

  g_strfreev (origin->sources);
  origin->sources = g_strdupv ((GStrv)sources);
}

/* ------------------------------------------------------------------------ */
/* The lists                                                                */
/* ------------------------------------------------------------------------ */

typedef struct {
  const char          *name;
  gboolean             support;      /* a checklist's list, else a blueprint's */
  gsize                offset;       /* of the GPtrArray * in the answer */
  const CsObjectClass *klass;
} ListInfo;

static const ListInfo lists[CS_N_LISTS] = {
  { "components", FALSE, G_STRUCT_OFFSET (CsBlueprint, components), &cs_component_class },
  { "data_stores", FALSE, G_STRUCT_OFFSET (CsBlueprint, data_stores), &cs_data_store_class },
  { "apis", FALSE, G_STRUCT_OFFSET (CsBlueprint, apis), &cs_api_class },
  { "connections", FALSE, G_STRUCT_OFFSET (CsBlueprint, connections), &cs_connection_class },
  { "decisions", FALSE, G_STRUCT_OFFSET (CsBlueprint, decisions), &cs_decision_class },
  { "trade_offs", FALSE, G_STRUCT_OFFSET (CsBlueprint, trade_offs), &cs_trade_off_class },
  { "risks", FALSE, G_STRUCT_OFFSET (CsBlueprint, risks), &cs_risk_class },
  { "likely_causes", TRUE, G_STRUCT_OFFSET (CsChecklist, likely_causes), &cs_cause_class },
  { "steps", TRUE, G_STRUCT_OFFSET (CsChecklist, steps), &cs_step_class },
};

const char *
cs_item_list_name (CsItemList list)
{
  g_return_val_if_fail ((guint)list < CS_N_LISTS, NULL);
  return lists[list].name;
}

GPtrArray *
cs_result_get_list (CsResult   *self,
                    CsItemList  list)
{
  gpointer answer;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail ((guint)list < CS_N_LISTS, NULL);

  answer = lists[list].support ? (gpointer)self->checklist : (gpointer)self->blueprint;
  if (answer == NULL)
    return NULL;
  return G_STRUCT_MEMBER (GPtrArray *, answer, lists[list].offset);
}

static gboolean
same_text (const char *a,
           const char *b)
{
  g_autofree char *x = g_strstrip (g_strdup (a != NULL ? a : ""));
  g_autofree char *y = g_strstrip (g_strdup (b != NULL ? b : ""));

  return g_str_equal (x, y);
}

static gboolean
same_strv (const char * const *a,
           const char * const *b)
{
  guint na = a != NULL ? g_strv_length ((GStrv)a) : 0;
  guint nb = b != NULL ? g_strv_length ((GStrv)b) : 0;

  if (na != nb)
    return FALSE;
  for (guint i = 0; i < na; i++)
    if (!same_text (a[i], b[i]))
      return FALSE;
  return TRUE;
}

gboolean
cs_item_list_items_same (CsItemList    list,
                         gconstpointer a,
                         gconstpointer b)
{
  const CsObjectClass *klass;

  g_return_val_if_fail ((guint)list < CS_N_LISTS, FALSE);
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  klass = lists[list].klass;
  for (guint i = 0; i < klass->n_fields; i++)
    {
      const CsField *f = &klass->fields[i];
      gboolean has_a = f->has_offset < 0 || G_STRUCT_MEMBER (gboolean, a, f->has_offset);
      gboolean has_b = f->has_offset < 0 || G_STRUCT_MEMBER (gboolean, b, f->has_offset);

      if (has_a != has_b)
        return FALSE;
      if (!has_a)
        continue;
      switch (f->type)
        {
        case CS_FIELD_STRING:
          if (!same_text (G_STRUCT_MEMBER (char *, a, f->offset), G_STRUCT_MEMBER (char *, b, f->offset)))
            return FALSE;
          break;
        case CS_FIELD_INT:
        case CS_FIELD_UINT:
        case CS_FIELD_BOOL:   /* int, guint, gboolean: one size */
          if (G_STRUCT_MEMBER (int, a, f->offset) != G_STRUCT_MEMBER (int, b, f->offset))
            return FALSE;
          break;
        case CS_FIELD_STRV:
          if (!same_strv (G_STRUCT_MEMBER (const char * const *, a, f->offset),
                          G_STRUCT_MEMBER (const char * const *, b, f->offset)))
            return FALSE;
          break;
        case CS_FIELD_DOUBLE:
          if (G_STRUCT_MEMBER (double, a, f->offset) != G_STRUCT_MEMBER (double, b, f->offset))
            return FALSE;
          break;
        case CS_FIELD_LIST:
        case CS_FIELD_TEXTS:
        case CS_FIELD_CUSTOM:
        default:
          g_assert_not_reached ();
        }
    }
  return TRUE;
}

gboolean
cs_result_has_origins (CsResult *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->has_origins;
}

CsOrigin *
cs_result_get_summary_origin (CsResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return &self->summary_origin;
}

/* ------------------------------------------------------------------------ */
/* JSON                                                                     */
/* ------------------------------------------------------------------------ */

static void
origin_to_object (const CsOrigin *origin,
                  JsonObject     *obj)
{
  const char *judge = cs_judge_mark_to_string (origin->judge);
  static const char * const none[] = { NULL };

  json_object_set_member (obj, "sources",
                          cs_strv_to_array (origin->sources != NULL
                                            ? (const char * const *)origin->sources : none));
  if (judge != NULL)
    json_object_set_string_member (obj, "judge", judge);
  else
    json_object_set_null_member (obj, "judge");
}

static JsonNode *
origin_to_json (const CsOrigin *origin)
{
  JsonObject *obj = json_object_new ();

  origin_to_object (origin, obj);
  return cs_node_take_object (obj);
}

/* Reads { sources, judge } from @obj (NULL: nothing). */
static void
origin_from_object (CsOrigin   *origin,
                    JsonObject *obj)
{
  JsonNode *sources = obj != NULL ? json_object_get_member (obj, "sources") : NULL;
  JsonNode *judge = obj != NULL ? json_object_get_member (obj, "judge") : NULL;

  g_clear_pointer (&origin->sources, g_strfreev);
  origin->judge = CS_JUDGE_NONE;
  if (sources != NULL && JSON_NODE_HOLDS_ARRAY (sources))
    origin->sources = cs_strv_from_array (sources);
  if (judge != NULL)
    origin->judge = cs_judge_mark_from_string (cs_node_string (judge));
}

JsonNode *
cs_result_origins_write (CsResult *self)
{
  JsonObject *obj = json_object_new ();

  json_object_set_member (obj, "summary", origin_to_json (&self->summary_origin));
  for (guint l = 0; l < CS_N_LISTS; l++)
    {
      GPtrArray *items = cs_result_get_list (self, l);
      JsonArray *array;

      if (items == NULL)
        continue;
      array = json_array_new ();
      for (guint i = 0; i < items->len; i++)
        json_array_add_element (array, origin_to_json (&((CsItem *)g_ptr_array_index (items, i))->origin));
      json_object_set_array_member (obj, lists[l].name, array);
    }
  return cs_node_take_object (obj);
}

void
cs_result_origins_read (CsResult   *self,
                        JsonObject *synthesis)
{
  JsonObject *provenance = cs_json_get_object (synthesis, "provenance");

  if (!self->has_origins)
    return;
  origin_from_object (&self->summary_origin, cs_json_get_object (provenance, "summary"));
  for (guint l = 0; l < CS_N_LISTS; l++)
    {
      GPtrArray *items = cs_result_get_list (self, l);
      JsonArray *array = cs_json_get_array (provenance, lists[l].name);

      /* parallel to the data's list as written */
      for (guint i = 0; items != NULL && i < items->len; i++)
        {
          JsonNode *element = array != NULL && i < json_array_get_length (array)
                              ? json_array_get_element (array, i) : NULL;

          origin_from_object (&((CsItem *)g_ptr_array_index (items, i))->origin,
                              cs_json_node_object (element));
        }
    }
}

/* The CLI's contract: each item object of "data" with its origin's members
 * copied in (the run file keeps them in "provenance" alone, so that its
 * "data" stays the mode's schema object). */
void
cs_result_origins_complete (JsonObject *synthesis)
{
  JsonObject *provenance = cs_json_get_object (synthesis, "provenance");
  JsonObject *data = cs_json_get_object (synthesis, "data");
  JsonArray *alternatives = cs_json_get_array (synthesis, "alternatives");

  /* an alternative's candidates are its sources; the judge left it out */
  for (guint i = 0; provenance != NULL && alternatives != NULL && i < json_array_get_length (alternatives); i++)
    {
      JsonObject *alt = cs_json_node_object (json_array_get_element (alternatives, i));
      JsonNode *candidates = alt != NULL ? json_object_get_member (alt, "candidates") : NULL;

      if (candidates == NULL || !JSON_NODE_HOLDS_ARRAY (candidates) || json_object_has_member (alt, "sources"))
        continue;
      json_object_set_member (alt, "sources", json_node_copy (candidates));
      json_object_set_null_member (alt, "judge");
    }

  for (guint l = 0; provenance != NULL && data != NULL && l < CS_N_LISTS; l++)
    {
      JsonArray *origins = cs_json_get_array (provenance, lists[l].name);
      JsonArray *items = cs_json_get_array (data, lists[l].name);

      for (guint i = 0; origins != NULL && items != NULL && i < json_array_get_length (items) &&
                        i < json_array_get_length (origins); i++)
        {
          JsonObject *item = cs_json_node_object (json_array_get_element (items, i));
          JsonObject *origin = cs_json_node_object (json_array_get_element (origins, i));
          static const char * const members[] = { "sources", "judge" };

          for (guint m = 0; item != NULL && origin != NULL && m < G_N_ELEMENTS (members); m++)
            if (json_object_has_member (origin, members[m]) && !json_object_has_member (item, members[m]))
              json_object_set_member (item, members[m],
                                      json_node_copy (json_object_get_member (origin, members[m])));
        }
    }
}
