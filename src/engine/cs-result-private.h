/* cs-result-private.h: the result model's field tables, shared by its files
 *
 * Every object of the model (an item, a vote, a critique, a blueprint, a
 * checklist, the envelope) is described by a table of its JSON members: name,
 * type and where the value lives in the C struct. One generic reader and one
 * generic writer walk these tables (cs-result-shape.c), remembering in a
 * CsJsonShape which members an object had and in which order, so that what
 * was read is written back the same.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cs-result.h"

G_BEGIN_DECLS

typedef enum {
  CS_FIELD_STRING,     /* char *; NULL when absent, null or not a valid string */
  CS_FIELD_INT,        /* int (clamped); has_offset: a gboolean set when read */
  CS_FIELD_UINT,       /* guint (negative read as 0) */
  CS_FIELD_DOUBLE,     /* double (finite); has_offset: a gboolean */
  CS_FIELD_BOOL,       /* gboolean */
  CS_FIELD_STRV,       /* GStrv of the array's strings (others dropped) */
  CS_FIELD_LIST,       /* GPtrArray * of @klass objects (non-objects dropped) */
  CS_FIELD_TEXTS,      /* GPtrArray * of CsTradeOff from an array of strings */
  CS_FIELD_CUSTOM,     /* read and written by the class's hooks */
} CsFieldType;

typedef struct _CsObjectClass CsObjectClass;

typedef struct {
  const char          *name;
  CsFieldType          type;
  gssize               offset;
  gssize               has_offset;   /* -1 for none */
  const CsObjectClass *klass;        /* CS_FIELD_LIST */
} CsField;

struct _CsObjectClass {
  const char     *type_name;         /* for debugging */
  const CsField  *fields;
  guint           n_fields;
  gsize           size;              /* 0: not allocated by the generic code */
  gssize          shape_offset;
  gboolean        is_item;           /* starts with a CsItem */
  GDestroyNotify  free_func;         /* cs_object_free () of this class */
  /* optional hooks */
  void          (*init)          (gpointer object);
  void          (*finalize)      (gpointer object);
  void          (*copy)          (gpointer dest, gconstpointer src);
  void          (*read_custom)   (gpointer object, guint field, JsonNode *node);
  JsonNode     *(*write_custom)  (gpointer object, guint field);
};

/* Defines the free function a class names as free_func. */
#define CS_DEFINE_OBJECT_FREE(fn, klass) \
  static void fn (gpointer object) { cs_object_free (&(klass), object); }

#define CS_FIELD(name, type, st, member) \
  { name, type, G_STRUCT_OFFSET (st, member), -1, NULL }
#define CS_FIELD_HAS(name, type, st, member, has) \
  { name, type, G_STRUCT_OFFSET (st, member), G_STRUCT_OFFSET (st, has), NULL }
#define CS_FIELD_OF(name, st, member, klass) \
  { name, CS_FIELD_LIST, G_STRUCT_OFFSET (st, member), -1, klass }

/* cs-result-shape.c: the generic reader, writer, copier and destructor. */
gpointer     cs_object_new          (const CsObjectClass *klass);
void         cs_object_read         (const CsObjectClass *klass,
                                     gpointer             object,
                                     JsonObject          *json);
JsonNode    *cs_object_write        (const CsObjectClass *klass,
                                     gpointer             object);
/* Frees what the fields own (and the item head), not @object itself. */
void         cs_object_clear        (const CsObjectClass *klass,
                                     gpointer             object);
void         cs_object_free         (const CsObjectClass *klass,
                                     gpointer             object);
gpointer     cs_object_copy         (const CsObjectClass *klass,
                                     gconstpointer        object);
/* Copies every field of @src into @dest (a fresh, zeroed object). */
void         cs_object_copy_into    (const CsObjectClass *klass,
                                     gpointer             dest,
                                     gconstpointer        src);
/* Marks member @field as present (appended when it was not), not null,
 * written as a double or not. */
void         cs_object_mark         (const CsObjectClass *klass,
                                     gpointer             object,
                                     guint                field,
                                     gboolean             as_double);
void         cs_object_mark_null    (const CsObjectClass *klass,
                                     gpointer             object,
                                     guint                field);
/* Whether member @field is there and not null (a member of the wrong type
 * reads as null). */
gboolean     cs_object_has_value    (const CsObjectClass *klass,
                                     gconstpointer        object,
                                     guint                field);
/* The index of the member @name in @klass, or -1. */
int          cs_object_class_field  (const CsObjectClass *klass,
                                     const char          *name);
/* A GPtrArray of @klass objects that frees them. */
GPtrArray   *cs_object_list_new     (const CsObjectClass *klass);
GPtrArray   *cs_object_list_copy    (const CsObjectClass *klass,
                                     GPtrArray           *list);
/* A node holding @object / @array, taking the caller's reference. */
JsonNode    *cs_node_take_object    (JsonObject          *object);
JsonNode    *cs_node_take_array     (JsonArray           *array);
/* A valid UTF-8 string of @node, or NULL. */
const char  *cs_node_string         (JsonNode            *node);
GStrv        cs_strv_from_array     (JsonNode            *node);
JsonNode    *cs_strv_to_array       (const char * const  *strv);
/* Sets *@field to a copy of @value, marks it present (null for NULL). */
void         cs_object_set_string   (const CsObjectClass *klass,
                                     gpointer             object,
                                     guint                field,
                                     const char          *value);

/* cs-result-data.c: the classes of the items and the two answers. */
extern const CsObjectClass cs_component_class;
extern const CsObjectClass cs_data_store_class;
extern const CsObjectClass cs_api_class;
extern const CsObjectClass cs_connection_class;
extern const CsObjectClass cs_decision_class;
extern const CsObjectClass cs_trade_off_class;
extern const CsObjectClass cs_risk_class;
extern const CsObjectClass cs_cause_class;
extern const CsObjectClass cs_step_class;
extern const CsObjectClass cs_blueprint_class;
extern const CsObjectClass cs_checklist_class;

/* cs-result-entries.c: the classes of the envelope's entries. */
extern const CsObjectClass cs_vote_record_class;
extern const CsObjectClass cs_agreement_class;
extern const CsObjectClass cs_alternative_class;
extern const CsObjectClass cs_critique_class;

/* Whether the entry says how many candidates proposed it, of how many. */
gboolean     cs_agreement_has_support (const CsAgreement *agreement);
/* Fills alt->kind from kind_name and @mode, and alt->step for steps; an
 * alternative whose support is unknown gets 0/0. */
void         cs_alternative_update  (CsAlternative       *alt,
                                     CsMode               mode);

struct _CsBlueprint {
  gatomicrefcount  ref_count;
  CsJsonShape      shape;
  char            *summary;
  GPtrArray       *components;
  GPtrArray       *data_stores;
  GPtrArray       *apis;
  GPtrArray       *connections;
  GPtrArray       *decisions;
  GPtrArray       *trade_offs;
  GPtrArray       *risks;
  gboolean         has_cost;
  double           monthly_cost_usd;
  char            *mermaid;
};

struct _CsChecklist {
  gatomicrefcount  ref_count;
  CsJsonShape      shape;
  char            *summary;
  GPtrArray       *likely_causes;
  GPtrArray       *steps;
  char            *escalate_when;
};

struct _CsResult {
  gatomicrefcount  ref_count;
  CsJsonShape      shape;
  CsMode           mode;
  GStrv            methods;
  CsBlueprint     *blueprint;
  CsChecklist     *checklist;
  char            *rationale;
  guint            total;
  GPtrArray       *votes;
  GPtrArray       *consensus;
  GPtrArray       *alternatives;
  GPtrArray       *critiques;
  gboolean         degraded;
  char            *note;
  char            *judge_model;
  gboolean         has_origins;
  CsOrigin         summary_origin;
};

/* cs-result-origin.c: the items' origins in the envelope's JSON. */
/* The envelope's "provenance": the summary's and every item's origin. */
JsonNode    *cs_result_origins_write (CsResult            *self);
/* Reads every origin of @synthesis (an object) into @self's items, when it
 * has "provenance". */
void         cs_result_origins_read  (CsResult            *self,
                                      JsonObject          *synthesis);
/* Copies each origin in @synthesis's "provenance" into its item object of
 * "data" (the CLI's JSON contract). */
void         cs_result_origins_complete (JsonObject       *synthesis);

G_END_DECLS
