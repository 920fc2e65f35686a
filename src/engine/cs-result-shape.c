/* cs-result-shape.c: the result model's generic JSON reader and writer
 *
 * Walks the field tables of cs-result-private.h. Reading trusts nothing: a
 * member is used only when its node has the expected type (strings valid
 * UTF-8, numbers finite); anything else reads as absent. The member order,
 * the nulls and the numbers written with a fraction are remembered, so
 * writing back gives the same JSON.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-result"

#include "config.h"

#include <math.h>
#include <string.h>

#include "cs-result-private.h"

#define AT(object, offset, type) (*(type *)G_STRUCT_MEMBER_P ((object), (offset)))

static CsJsonShape *
shape_of (const CsObjectClass *klass,
          gpointer             object)
{
  return G_STRUCT_MEMBER_P (object, klass->shape_offset);
}

static gboolean
shape_has (const CsJsonShape *shape,
           guint              field)
{
  for (guint i = 0; i < shape->n; i++)
    if (shape->order[i] == field)
      return TRUE;
  return FALSE;
}

void
cs_object_mark (const CsObjectClass *klass,
                gpointer             object,
                guint                field,
                gboolean             as_double)
{
  CsJsonShape *shape = shape_of (klass, object);

  g_assert (field < klass->n_fields && field < 32);
  if (!shape_has (shape, field) && shape->n < G_N_ELEMENTS (shape->order))
    shape->order[shape->n++] = field;
  shape->nulls &= ~(1u << field);
  if (as_double)
    shape->doubles |= 1u << field;
  else
    shape->doubles &= ~(1u << field);
}

void
cs_object_mark_null (const CsObjectClass *klass,
                     gpointer             object,
                     guint                field)
{
  cs_object_mark (klass, object, field, FALSE);
  shape_of (klass, object)->nulls |= 1u << field;
}

gboolean
cs_object_has_value (const CsObjectClass *klass,
                     gconstpointer        object,
                     guint                field)
{
  const CsJsonShape *shape = G_STRUCT_MEMBER_P (object, klass->shape_offset);

  return shape_has (shape, field) && (shape->nulls & (1u << field)) == 0;
}

int
cs_object_class_field (const CsObjectClass *klass,
                       const char          *name)
{
  for (guint i = 0; i < klass->n_fields; i++)
    if (g_str_equal (klass->fields[i].name, name))
      return (int)i;
  return -1;
}

const char *
cs_node_string (JsonNode *node)
{
  const char *s;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  s = json_node_get_string (node);
  return s != NULL && g_utf8_validate (s, -1, NULL) ? s : NULL;
}

JsonNode *
cs_node_take_object (JsonObject *object)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, object);
  return node;
}

JsonNode *
cs_node_take_array (JsonArray *array)
{
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  json_node_take_array (node, array);
  return node;
}

/* A finite number; *@is_double tells how it was written. */
static gboolean
node_number (JsonNode *node,
             double   *out,
             gboolean *is_double)
{
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64)
    {
      *out = (double)json_node_get_int (node);
      *is_double = FALSE;
      return TRUE;
    }
  if (type == G_TYPE_DOUBLE && isfinite (json_node_get_double (node)))
    {
      *out = json_node_get_double (node);
      *is_double = TRUE;
      return TRUE;
    }
  return FALSE;
}

GStrv
cs_strv_from_array (JsonNode *node)
{
  g_autoptr(GStrvBuilder) builder = NULL;
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;
  array = json_node_get_array (node);
  builder = g_strv_builder_new ();
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      const char *s = cs_node_string (json_array_get_element (array, i));

      if (s != NULL)
        g_strv_builder_add (builder, s);
    }
  return g_strv_builder_end (builder);
}

JsonNode *
cs_strv_to_array (const char * const *strv)
{
  JsonArray *array = json_array_new ();

  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    json_array_add_string_element (array, strv[i]);
  return cs_node_take_array (array);
}

GPtrArray *
cs_object_list_new (const CsObjectClass *klass)
{
  return g_ptr_array_new_with_free_func (klass->free_func);
}

gpointer
cs_object_new (const CsObjectClass *klass)
{
  gpointer object = g_malloc0 (klass->size);

  if (klass->init != NULL)
    klass->init (object);
  return object;
}

/* ------------------------------------------------------------------------ */
/* Reading                                                                  */
/* ------------------------------------------------------------------------ */

static GPtrArray *
read_list (const CsObjectClass *klass,
           JsonNode            *node)
{
  GPtrArray *list = g_ptr_array_new ();
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return list;
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      gpointer object;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        continue;
      object = cs_object_new (klass);
      cs_object_read (klass, object, json_node_get_object (element));
      g_ptr_array_add (list, object);
    }
  return list;
}

static GPtrArray *
read_texts (JsonNode *node)
{
  GPtrArray *list = g_ptr_array_new ();
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return list;
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      const char *s = cs_node_string (json_array_get_element (array, i));
      CsTradeOff *t;

      if (s == NULL)
        continue;
      t = cs_object_new (&cs_trade_off_class);
      t->text = g_strdup (s);
      g_ptr_array_add (list, t);
    }
  return list;
}

/* Moves the objects of @from into the list at *@slot (which keeps its free
 * function). */
static void
take_list (const CsObjectClass  *klass,
           GPtrArray           **slot,
           GPtrArray            *from)
{
  if (*slot == NULL)
    *slot = cs_object_list_new (klass);
  g_ptr_array_set_size (*slot, 0);
  for (guint i = 0; i < from->len; i++)
    g_ptr_array_add (*slot, g_ptr_array_index (from, i));
  g_ptr_array_unref (from);
}

/* FALSE when @node is not a number the field can hold (a negative one for
 * an unsigned field): the member then reads as null. */
static gboolean
read_number (const CsField *f,
             gpointer       object,
             JsonNode      *node,
             gboolean      *as_double)
{
  double v;

  if (!node_number (node, &v, as_double) || (f->type == CS_FIELD_UINT && v < 0))
    return FALSE;
  if (f->type == CS_FIELD_DOUBLE)
    AT (object, f->offset, double) = v;
  else if (f->type == CS_FIELD_UINT)
    AT (object, f->offset, guint) = (guint)MIN (v, G_MAXUINT);
  else
    AT (object, f->offset, int) = (int)CLAMP (v, G_MININT, G_MAXINT);
  if (f->has_offset >= 0)
    AT (object, f->has_offset, gboolean) = TRUE;
  return TRUE;
}

static void
read_field (const CsObjectClass *klass,
            gpointer             object,
            guint                index,
            JsonNode            *node)
{
  const CsField *f = &klass->fields[index];
  gboolean as_double = FALSE;
  gboolean valid = TRUE;

  switch (f->type)
    {
    case CS_FIELD_STRING:
      g_free (AT (object, f->offset, char *));
      AT (object, f->offset, char *) = g_strdup (cs_node_string (node));
      valid = AT (object, f->offset, char *) != NULL;
      break;
    case CS_FIELD_INT:
    case CS_FIELD_UINT:
    case CS_FIELD_DOUBLE:
      valid = read_number (f, object, node, &as_double);
      break;
    case CS_FIELD_BOOL:
      AT (object, f->offset, gboolean) = JSON_NODE_HOLDS_VALUE (node) &&
                                         json_node_get_value_type (node) == G_TYPE_BOOLEAN &&
                                         json_node_get_boolean (node);
      break;
    case CS_FIELD_STRV:
      g_strfreev (AT (object, f->offset, GStrv));
      AT (object, f->offset, GStrv) = cs_strv_from_array (node);
      break;
    case CS_FIELD_LIST:
      take_list (f->klass, &AT (object, f->offset, GPtrArray *), read_list (f->klass, node));
      break;
    case CS_FIELD_TEXTS:
      take_list (&cs_trade_off_class, &AT (object, f->offset, GPtrArray *), read_texts (node));
      break;
    case CS_FIELD_CUSTOM:
    default:
      klass->read_custom (object, index, node);
      break;
    }
  /* a string or number that is not one reads as null */
  if (!valid || JSON_NODE_HOLDS_NULL (node))
    cs_object_mark_null (klass, object, index);
  else
    cs_object_mark (klass, object, index, as_double);
}

void
cs_object_read (const CsObjectClass *klass,
                gpointer             object,
                JsonObject          *json)
{
  g_autoptr(GList) members = NULL;

  if (json == NULL)
    return;
  members = json_object_get_members (json);
  for (GList *l = members; l != NULL; l = l->next)
    {
      int index = cs_object_class_field (klass, l->data);

      if (index >= 0)
        read_field (klass, object, (guint)index, json_object_get_member (json, l->data));
    }
}

/* ------------------------------------------------------------------------ */
/* Writing                                                                  */
/* ------------------------------------------------------------------------ */

static JsonNode *
write_list (const CsObjectClass *klass,
            GPtrArray           *list)
{
  JsonArray *array = json_array_new ();

  for (guint i = 0; list != NULL && i < list->len; i++)
    {
      if (klass == NULL)
        {
          const char *text = ((CsTradeOff *)g_ptr_array_index (list, i))->text;

          json_array_add_string_element (array, text != NULL ? text : "");
        }
      else
        json_array_add_element (array, cs_object_write (klass, g_ptr_array_index (list, i)));
    }
  return cs_node_take_array (array);
}

static JsonNode *
write_number (const CsField *f,
              gpointer       object,
              gboolean       as_double)
{
  double v;

  /* a builder's number that was never set: left out */
  if (f->has_offset >= 0 && !AT (object, f->has_offset, gboolean))
    return NULL;
  if (f->type == CS_FIELD_DOUBLE)
    v = AT (object, f->offset, double);
  else if (f->type == CS_FIELD_UINT)
    v = AT (object, f->offset, guint);
  else
    v = AT (object, f->offset, int);
  if (as_double || fabs (v) >= 9e15)
    return json_node_init_double (json_node_alloc (), v);
  return json_node_init_int (json_node_alloc (), (gint64)v);
}

static JsonNode *
write_field (const CsObjectClass *klass,
             gpointer             object,
             guint                index)
{
  const CsField *f = &klass->fields[index];
  const CsJsonShape *shape = shape_of (klass, object);
  gboolean is_null = (shape->nulls & (1u << index)) != 0;
  const char *s;

  if (is_null && f->type != CS_FIELD_CUSTOM)
    return json_node_init_null (json_node_alloc ());
  switch (f->type)
    {
    case CS_FIELD_STRING:
      s = AT (object, f->offset, char *);
      return s != NULL ? json_node_init_string (json_node_alloc (), s) : json_node_init_null (json_node_alloc ());
    case CS_FIELD_INT:
    case CS_FIELD_UINT:
    case CS_FIELD_DOUBLE:
      return write_number (f, object, (shape->doubles & (1u << index)) != 0);
    case CS_FIELD_BOOL:
      return json_node_init_boolean (json_node_alloc (), AT (object, f->offset, gboolean));
    case CS_FIELD_STRV:
      return cs_strv_to_array ((const char * const *)AT (object, f->offset, GStrv));
    case CS_FIELD_LIST:
      return write_list (f->klass, AT (object, f->offset, GPtrArray *));
    case CS_FIELD_TEXTS:
      return write_list (NULL, AT (object, f->offset, GPtrArray *));
    case CS_FIELD_CUSTOM:
    default:
      return klass->write_custom (object, index);
    }
}

JsonNode *
cs_object_write (const CsObjectClass *klass,
                 gpointer             object)
{
  const CsJsonShape *shape = shape_of (klass, object);
  JsonObject *json = json_object_new ();

  for (guint i = 0; i < shape->n; i++)
    {
      JsonNode *node = write_field (klass, object, shape->order[i]);

      if (node != NULL)
        json_object_set_member (json, klass->fields[shape->order[i]].name, node);
    }
  return cs_node_take_object (json);
}

/* ------------------------------------------------------------------------ */
/* Memory                                                                   */
/* ------------------------------------------------------------------------ */

static gboolean
is_item_sources (const CsObjectClass *klass,
                 const CsField       *f)
{
  return klass->is_item && f->offset == G_STRUCT_OFFSET (CsItem, origin.sources);
}

void
cs_object_clear (const CsObjectClass *klass,
                 gpointer             object)
{
  if (object == NULL)
    return;
  if (klass->finalize != NULL)
    klass->finalize (object);
  for (guint i = 0; i < klass->n_fields; i++)
    {
      const CsField *f = &klass->fields[i];

      if (f->type == CS_FIELD_STRING)
        g_clear_pointer (&AT (object, f->offset, char *), g_free);
      else if (f->type == CS_FIELD_STRV)
        g_clear_pointer (&AT (object, f->offset, GStrv), g_strfreev);
      else if (f->type == CS_FIELD_LIST || f->type == CS_FIELD_TEXTS)
        g_clear_pointer (&AT (object, f->offset, GPtrArray *), g_ptr_array_unref);
    }
  if (klass->is_item)
    g_clear_pointer (&((CsItem *)object)->origin.sources, g_strfreev);
}

void
cs_object_free (const CsObjectClass *klass,
                gpointer             object)
{
  cs_object_clear (klass, object);
  g_free (object);
}

GPtrArray *
cs_object_list_copy (const CsObjectClass *klass,
                     GPtrArray           *list)
{
  GPtrArray *copy = cs_object_list_new (klass);

  for (guint i = 0; list != NULL && i < list->len; i++)
    g_ptr_array_add (copy, cs_object_copy (klass, g_ptr_array_index (list, i)));
  return copy;
}

void
cs_object_copy_into (const CsObjectClass *klass,
                     gpointer             dest,
                     gconstpointer        src)
{
  memcpy (dest, src, klass->size);
  for (guint i = 0; i < klass->n_fields; i++)
    {
      const CsField *f = &klass->fields[i];

      if (is_item_sources (klass, f))
        continue;
      if (f->type == CS_FIELD_STRING)
        AT (dest, f->offset, char *) = g_strdup (AT (src, f->offset, char *));
      else if (f->type == CS_FIELD_STRV)
        AT (dest, f->offset, GStrv) = g_strdupv (AT (src, f->offset, GStrv));
      else if (f->type == CS_FIELD_LIST)
        AT (dest, f->offset, GPtrArray *) = cs_object_list_copy (f->klass, AT (src, f->offset, GPtrArray *));
      else if (f->type == CS_FIELD_TEXTS)
        AT (dest, f->offset, GPtrArray *) = cs_object_list_copy (&cs_trade_off_class, AT (src, f->offset, GPtrArray *));
    }
  if (klass->is_item)
    {
      CsItem *item = dest;

      item->origin.sources = g_strdupv (((const CsItem *)src)->origin.sources);
      item->vote = NULL;
      item->vote_casefold = FALSE;
    }
  if (klass->copy != NULL)
    klass->copy (dest, src);
}

gpointer
cs_object_copy (const CsObjectClass *klass,
                gconstpointer        object)
{
  gpointer copy = g_malloc0 (klass->size);

  cs_object_copy_into (klass, copy, object);
  return copy;
}

void
cs_object_set_string (const CsObjectClass *klass,
                      gpointer             object,
                      guint                field,
                      const char          *value)
{
  const CsField *f = &klass->fields[field];

  g_assert (f->type == CS_FIELD_STRING);
  g_free (AT (object, f->offset, char *));
  AT (object, f->offset, char *) = g_strdup (value);
  if (value == NULL)
    cs_object_mark_null (klass, object, field);
  else
    cs_object_mark (klass, object, field, FALSE);
}
