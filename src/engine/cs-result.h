/* cs-result.h: the typed result model (a blueprint, a checklist, a synthesis)
 *
 * The one place that knows the JSON shape of an answer: a candidate's parsed
 * data and the synthesized result of a run (the "synthesis" envelope of the
 * run file). Everything else reads and builds these typed objects.
 *
 * Parsing is lenient and safe on hostile input: a member of the wrong type,
 * a string that is not valid UTF-8, a list element that is not an object is
 * read as absent (a string field is then NULL, a number 0 with its has_ flag
 * FALSE); nothing is ever trusted. Writing gives back exactly the JSON that
 * was read (same members, same order, integers stay integers) when it was in
 * the shape Consilium writes: cs_result_to_json (cs_result_new_from_json (x))
 * equals x. Members the model does not know are dropped.
 *
 * Strings are NULL when absent (or null in the JSON), "" when empty.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "cs-types.h"

G_BEGIN_DECLS

/* ------------------------------------------------------------------------ */
/* Items                                                                    */
/* ------------------------------------------------------------------------ */

/* What the judge did to an item: NONE when no judge merged the result;
 * else KEPT (the merged result had the same item), CHANGED (it had a
 * matching item that said something else) or ADDED (it had none). Results
 * saved before provenance was recorded read ADDED for an item no candidate
 * proposed (consensus support 0) and KEPT for one that some did. */
typedef enum {
  CS_JUDGE_NONE,
  CS_JUDGE_KEPT,
  CS_JUDGE_CHANGED,
  CS_JUDGE_ADDED,
} CsJudgeMark;

/* Where an item came from. */
typedef struct {
  GStrv        sources;       /* candidate ids that proposed it; NULL when unknown */
  CsJudgeMark  judge;
} CsOrigin;

/* "kept", "changed", "added"; NULL for CS_JUDGE_NONE. */
const char    *cs_judge_mark_to_string       (CsJudgeMark   mark);
/* CS_JUDGE_NONE for NULL or a name it does not know. */
CsJudgeMark    cs_judge_mark_from_string     (const char   *name);
/* Replaces @origin's sources with a copy of @sources (NULL: unknown). */
void           cs_origin_set_sources         (CsOrigin     *origin,
                                              const char * const *sources);

/* Private: how an object was written (which members, in which order, which
 * were null, which numbers were written with a fraction), so that it is
 * written back byte for byte. Builders fill it; do not touch. */
typedef struct {
  guint8   n;
  guint8   order[23];
  guint32  nulls;
  guint32  doubles;
} CsJsonShape;

typedef struct {
  char   *name;
  guint   count;
} CsVoteOption;

/* An ensemble vote (majority) or a median, as saved in "votes". */
typedef struct {
  char      *field;          /* e.g. "components[API gateway].technology"; kept for the file format */
  char      *method;         /* NULL (a majority vote) or "median" */
  char      *winner;         /* the majority's winner; NULL for a median or an empty vote */
  guint      count;          /* votes for the winner; the number of values of a median */
  guint      total;          /* candidates that could vote */
  GArray    *options;        /* of CsVoteOption, in saved order; never NULL */
  gboolean   has_median;
  double     median;
  GArray    *values;         /* of double: a median's inputs; never NULL */
  /*< private >*/
  CsJsonShape shape;
} CsVoteRecord;

/* The common head of every list item. */
typedef struct {
  CsOrigin      origin;
  guint         support;     /* how many candidates proposed it ... */
  guint         total;       /* ... of how many; 0/0 when unknown */
  CsVoteRecord *vote;        /* the vote on the item's voted field, or NULL (not owned) */
  gboolean      vote_casefold; /* @vote matched the item's title only ignoring ASCII case */
  /*< private >*/
  CsJsonShape   shape;
} CsItem;

/* The voted field of each kind (what item.vote is about): a component's and
 * a data store's technology, an API's style, a decision's choice, a cause's
 * likelihood, a step's risk. The primary data store also takes the vote
 * "data_stores[primary].technology" when it has none of its own. */

typedef struct {
  CsItem  item;
  char   *name;
  char   *responsibility;
  char   *technology;
  char   *scaling;
} CsComponent;

typedef struct {
  CsItem    item;
  char     *name;
  char     *technology;
  char     *purpose;
  gboolean  primary;
} CsDataStore;

typedef struct {
  CsItem  item;
  char   *name;
  char   *style;
  char   *description;
} CsApi;

typedef struct {
  CsItem  item;
  char   *from;
  char   *to;
  char   *description;
} CsConnection;

typedef struct {
  CsItem  item;
  char   *topic;
  char   *choice;
  char   *rationale;
  GStrv   rejected_alternatives;   /* NULL when absent; non-strings dropped */
} CsDecision;

typedef struct {
  CsItem  item;
  char   *text;
} CsTradeOff;

typedef struct {
  CsItem  item;
  char   *risk;
  char   *mitigation;
} CsRisk;

typedef struct {
  CsItem  item;
  char   *cause;
  char   *likelihood;              /* "high", "medium", "low" when valid */
} CsCause;

typedef struct {
  CsItem    item;
  char     *title;
  char     *action;
  char     *command;
  char     *expected;
  char     *if_fails;
  char     *risk;                  /* "none", "low", "medium", "high" when valid */
  gboolean  has_effort;
  int       effort_minutes;
} CsStep;

/* ------------------------------------------------------------------------ */
/* Answers in the mode's schema: a candidate's data, or the synthesized data */
/* ------------------------------------------------------------------------ */

typedef struct _CsBlueprint CsBlueprint;   /* architect */
typedef struct _CsChecklist CsChecklist;   /* support */

#define CS_TYPE_BLUEPRINT (cs_blueprint_get_type ())
#define CS_TYPE_CHECKLIST (cs_checklist_get_type ())
#define CS_TYPE_RESULT    (cs_result_get_type ())

GType          cs_blueprint_get_type         (void) G_GNUC_CONST;
/* An empty blueprint: every list present and empty, summary and mermaid "",
 * no cost until cs_blueprint_set_monthly_cost(). */
CsBlueprint   *cs_blueprint_new              (void);
/* NULL (error set) only when @data is not an object. */
CsBlueprint   *cs_blueprint_new_from_json    (JsonNode     *data,
                                              GError      **error);
CsBlueprint   *cs_blueprint_ref              (CsBlueprint  *self);
void           cs_blueprint_unref            (CsBlueprint  *self);
/* A deep copy (items, shapes, not the links to votes). */
CsBlueprint   *cs_blueprint_copy             (CsBlueprint  *self);
/* The mode schema's object (schema-valid when complete). Owned. */
JsonNode      *cs_blueprint_to_json          (CsBlueprint  *self);

const char    *cs_blueprint_get_summary      (CsBlueprint  *self);
/* GPtrArrays of the item structs, owned by @self, never NULL. */
GPtrArray     *cs_blueprint_get_components   (CsBlueprint  *self);   /* CsComponent */
GPtrArray     *cs_blueprint_get_data_stores  (CsBlueprint  *self);   /* CsDataStore */
GPtrArray     *cs_blueprint_get_apis         (CsBlueprint  *self);   /* CsApi */
GPtrArray     *cs_blueprint_get_connections  (CsBlueprint  *self);   /* CsConnection */
GPtrArray     *cs_blueprint_get_decisions    (CsBlueprint  *self);   /* CsDecision */
GPtrArray     *cs_blueprint_get_trade_offs   (CsBlueprint  *self);   /* CsTradeOff */
GPtrArray     *cs_blueprint_get_risks        (CsBlueprint  *self);   /* CsRisk */
/* FALSE when the blueprint has no (finite) monthly cost. */
gboolean       cs_blueprint_get_monthly_cost (CsBlueprint  *self,
                                              double       *out_usd);
const char    *cs_blueprint_get_mermaid      (CsBlueprint  *self);
/* The component or data store called @name (ASCII case ignored), or NULL. */
CsComponent   *cs_blueprint_find_component   (CsBlueprint  *self,
                                              const char   *name);
CsDataStore   *cs_blueprint_find_data_store  (CsBlueprint  *self,
                                              const char   *name);

void           cs_blueprint_set_summary      (CsBlueprint  *self,
                                              const char   *summary);
void           cs_blueprint_set_mermaid      (CsBlueprint  *self,
                                              const char   *mermaid);
void           cs_blueprint_set_monthly_cost (CsBlueprint  *self,
                                              double        usd);
/* Builders: append an item (strings copied, NULL kept as absent) and return
 * it, owned by @self, so that the caller can fill item.origin, support... */
CsComponent   *cs_blueprint_add_component    (CsBlueprint  *self,
                                              const char   *name,
                                              const char   *responsibility,
                                              const char   *technology,
                                              const char   *scaling);
CsDataStore   *cs_blueprint_add_data_store   (CsBlueprint  *self,
                                              const char   *name,
                                              const char   *technology,
                                              const char   *purpose,
                                              gboolean      primary);
CsApi         *cs_blueprint_add_api          (CsBlueprint  *self,
                                              const char   *name,
                                              const char   *style,
                                              const char   *description);
CsConnection  *cs_blueprint_add_connection   (CsBlueprint  *self,
                                              const char   *from,
                                              const char   *to,
                                              const char   *description);
/* @rejected_alternatives: NULL-terminated, may be NULL (written as []). */
CsDecision    *cs_blueprint_add_decision     (CsBlueprint  *self,
                                              const char   *topic,
                                              const char   *choice,
                                              const char   *rationale,
                                              const char * const *rejected_alternatives);
CsTradeOff    *cs_blueprint_add_trade_off    (CsBlueprint  *self,
                                              const char   *text);
CsRisk        *cs_blueprint_add_risk         (CsBlueprint  *self,
                                              const char   *risk,
                                              const char   *mitigation);

GType          cs_checklist_get_type         (void) G_GNUC_CONST;
/* An empty checklist: both lists present and empty, summary and
 * escalate_when "". */
CsChecklist   *cs_checklist_new              (void);
CsChecklist   *cs_checklist_new_from_json    (JsonNode     *data,
                                              GError      **error);
CsChecklist   *cs_checklist_ref              (CsChecklist  *self);
void           cs_checklist_unref            (CsChecklist  *self);
CsChecklist   *cs_checklist_copy             (CsChecklist  *self);
JsonNode      *cs_checklist_to_json          (CsChecklist  *self);

const char    *cs_checklist_get_summary      (CsChecklist  *self);
GPtrArray     *cs_checklist_get_likely_causes (CsChecklist *self);   /* CsCause */
GPtrArray     *cs_checklist_get_steps        (CsChecklist  *self);   /* CsStep */
const char    *cs_checklist_get_escalate_when (CsChecklist *self);

void           cs_checklist_set_summary      (CsChecklist  *self,
                                              const char   *summary);
void           cs_checklist_set_escalate_when (CsChecklist *self,
                                              const char   *escalate_when);
CsCause       *cs_checklist_add_cause        (CsChecklist  *self,
                                              const char   *cause,
                                              const char   *likelihood);
/* @effort_minutes < 0: none (the member is left out). */
CsStep        *cs_checklist_add_step         (CsChecklist  *self,
                                              const char   *title,
                                              const char   *action,
                                              const char   *command,
                                              const char   *expected,
                                              const char   *if_fails,
                                              const char   *risk,
                                              int           effort_minutes);

/* ------------------------------------------------------------------------ */
/* The synthesis: envelope entries                                          */
/* ------------------------------------------------------------------------ */

/* A minority cluster kept beside the result ("alternatives"). */
typedef enum {
  CS_ALTERNATIVE_COMPONENT,   /* architect: "kind": "component" (or no kind) */
  CS_ALTERNATIVE_DECISION,    /* architect: "kind": "decision" */
  CS_ALTERNATIVE_STEP,        /* support: a whole step ("if that did not work, try…") */
} CsAlternativeKind;

typedef struct {
  CsItem             item;        /* support, total, origin.sources ("candidates") */
  CsAlternativeKind  kind;
  char              *kind_name;   /* the saved "kind", NULL when none */
  char              *title;       /* component name, decision topic, step title */
  char              *technology;  /* component */
  char              *responsibility; /* component */
  char              *choice;      /* decision */
  char              *rationale;   /* decision */
  char              *action;      /* step ... */
  char              *command;
  char              *expected;
  char              *if_fails;
  char              *risk;
  gboolean           has_effort;
  int                effort_minutes;
  int                after_step;  /* step: the index of the step it follows, -1 for none */
  CsStep            *step;        /* step: the same fields as a CsStep (item copied),
                                   * read-only, for views that draw steps; else NULL */
} CsAlternative;

/* The judge's critique of one candidate. */
typedef struct {
  char     *candidate;             /* candidate id */
  char     *strengths;
  char     *weaknesses;
  gboolean  has_score;
  int       score;                 /* 1-10 */
  /*< private >*/
  CsJsonShape shape;
} CsCritique;

/* A "consensus" entry: the agreement behind the result's item at the same
 * index (component or step). item.support/total/origin.sources. */
typedef struct {
  CsItem    item;
  char     *title;
  char     *technology;            /* architect; NULL when none */
  char     *command;               /* support */
  gboolean  has_effort;            /* support */
  int       effort_minutes;
} CsAgreement;

/* ------------------------------------------------------------------------ */
/* The synthesis                                                            */
/* ------------------------------------------------------------------------ */

typedef enum {
  CS_METHOD_ENSEMBLE  = 1 << 0,
  CS_METHOD_CONSENSUS = 1 << 1,
  CS_METHOD_JUDGE     = 1 << 2,
} CsMethod;

/* What CsRun holds as "synthesis": { methods, data, rationale, total, votes,
 * consensus, alternatives, critiques, degraded, note, judge_model }. */
typedef struct _CsResult CsResult;

GType          cs_result_get_type            (void) G_GNUC_CONST;
/* An empty result in the fused shape: no methods, no data (null), rationale
 * null, total 0, empty lists, not degraded, note null; judge_model only once
 * set. */
CsResult      *cs_result_new                 (CsMode        mode);
/* NULL (error set) only when @synthesis is not an object. Items are linked
 * to their votes and consensus entries (cs_result_link_items()). */
CsResult      *cs_result_new_from_json       (CsMode        mode,
                                              JsonNode     *synthesis,
                                              GError      **error);
CsResult      *cs_result_ref                 (CsResult     *self);
void           cs_result_unref               (CsResult     *self);
/* A deep copy, linked. */
CsResult      *cs_result_copy                (CsResult     *self);
/* The envelope, byte for byte as it was read or as synthesis wrote it. */
JsonNode      *cs_result_to_json             (CsResult     *self);

CsMode         cs_result_get_mode            (CsResult     *self);
/* The data: the blueprint (architect) or checklist (support), NULL when the
 * envelope has none (or of the other mode). Not owned. */
CsBlueprint   *cs_result_get_blueprint       (CsResult     *self);
CsChecklist   *cs_result_get_checklist       (CsResult     *self);
/* Takes a reference; NULL writes "data": null. */
void           cs_result_set_blueprint       (CsResult     *self,
                                              CsBlueprint  *blueprint);
void           cs_result_set_checklist       (CsResult     *self,
                                              CsChecklist  *checklist);

/* The methods as saved (strings, non-strings dropped), NULL-terminated. */
const char * const *cs_result_get_methods    (CsResult     *self);
/* TRUE when every method in @methods is listed. */
gboolean       cs_result_has_method          (CsResult     *self,
                                              CsMethod      methods);
void           cs_result_add_method          (CsResult     *self,
                                              const char   *method);
/* Replaces the list (NULL: empty). */
void           cs_result_set_methods         (CsResult     *self,
                                              const char * const *methods);

const char    *cs_result_get_rationale       (CsResult     *self);
const char    *cs_result_get_note            (CsResult     *self);
const char    *cs_result_get_judge_model     (CsResult     *self);
gboolean       cs_result_is_degraded         (CsResult     *self);
/* The number of valid candidates synthesized; 0 when unknown. */
guint          cs_result_get_total           (CsResult     *self);
/* NULL writes null. */
void           cs_result_set_rationale       (CsResult     *self,
                                              const char   *rationale);
void           cs_result_set_note            (CsResult     *self,
                                              const char   *note);
/* Adds "judge_model" to the envelope (null for NULL). */
void           cs_result_set_judge_model     (CsResult     *self,
                                              const char   *judge_model);
void           cs_result_set_degraded        (CsResult     *self,
                                              gboolean      degraded);
void           cs_result_set_total           (CsResult     *self,
                                              guint         total);

/* GPtrArrays owned by @self, never NULL. */
GPtrArray     *cs_result_get_votes           (CsResult     *self);   /* CsVoteRecord */
GPtrArray     *cs_result_get_consensus       (CsResult     *self);   /* CsAgreement */
GPtrArray     *cs_result_get_alternatives    (CsResult     *self);   /* CsAlternative */
GPtrArray     *cs_result_get_critiques       (CsResult     *self);   /* CsCritique */
/* The vote saved for @field (exact match), or NULL. */
CsVoteRecord  *cs_result_find_vote           (CsResult     *self,
                                              const char   *field);
/* The median of the candidates' monthly costs (architect), or NULL. */
CsVoteRecord  *cs_result_get_cost_vote       (CsResult     *self);
/* The judge's critique of candidate @id, or NULL. */
CsCritique    *cs_result_find_critique       (CsResult     *self,
                                              const char   *candidate_id);

/* Builders: each appends and returns the new entry, owned by @self. */
/* A majority vote; @option_names/@option_counts of length @n_options, in
 * the order to save; @winner NULL writes null. */
CsVoteRecord  *cs_result_add_vote            (CsResult     *self,
                                              const char   *field,
                                              const char   *winner,
                                              guint         count,
                                              guint         total,
                                              const char * const *option_names,
                                              const guint  *option_counts,
                                              guint         n_options);
/* A median: { field, method: "median", median, count, total, values }. */
CsVoteRecord  *cs_result_add_median          (CsResult     *self,
                                              const char   *field,
                                              double        median,
                                              guint         count,
                                              guint         total,
                                              const double *values,
                                              guint         n_values);
/* A vote already in its saved JSON shape (cs_vote_to_json()); NULL when
 * @vote is not an object. */
CsVoteRecord  *cs_result_add_vote_from_json  (CsResult     *self,
                                              JsonNode     *vote);
/* { title, support, total, candidates }; then the setters below append
 * their member in call order (architect: technology; support: effort
 * minutes, then command). */
CsAgreement   *cs_result_add_agreement       (CsResult     *self,
                                              const char   *title,
                                              guint         support,
                                              guint         total,
                                              const char * const *sources);
void           cs_agreement_set_technology   (CsAgreement  *self,
                                              const char   *technology);
void           cs_agreement_set_command      (CsAgreement  *self,
                                              const char   *command);
void           cs_agreement_set_effort_minutes (CsAgreement *self,
                                              int           effort_minutes);
/* Fusion's minority clusters:
 * { title, technology, responsibility, support, total, candidates, kind } */
CsAlternative *cs_result_add_component_alternative (CsResult *self,
                                              const char   *title,
                                              const char   *technology,
                                              const char   *responsibility,
                                              guint         support,
                                              guint         total,
                                              const char * const *sources);
/* { title, choice, rationale, support, total, candidates, kind } */
CsAlternative *cs_result_add_decision_alternative (CsResult *self,
                                              const char   *title,
                                              const char   *choice,
                                              const char   *rationale,
                                              guint         support,
                                              guint         total,
                                              const char * const *sources);
/* A component the judge left out:
 * { title, technology, responsibility, kind, support, total, candidates } */
CsAlternative *cs_result_add_alternative_from_component (CsResult *self,
                                              const CsComponent *component,
                                              guint         support,
                                              guint         total,
                                              const char * const *sources);
/* A whole step (a minority step, or one the judge left out): the step's
 * members in its own order, then after_step, support, total, candidates. */
CsAlternative *cs_result_add_alternative_from_step (CsResult *self,
                                              const CsStep *step,
                                              int           after_step,
                                              guint         support,
                                              guint         total,
                                              const char * const *sources);
/* A copy of @alternative (from another result), same shape. */
CsAlternative *cs_result_add_alternative_copy (CsResult    *self,
                                              const CsAlternative *alternative);
/* Sets after_step, adding the member when the alternative had none. */
void           cs_alternative_set_after_step (CsAlternative *self,
                                              int           after_step);
/* { candidate, strengths, weaknesses, score }; @score < 0 writes null. */
CsCritique    *cs_result_add_critique        (CsResult     *self,
                                              const char   *candidate,
                                              const char   *strengths,
                                              const char   *weaknesses,
                                              int           score);
void           cs_result_clear_votes         (CsResult     *self);
void           cs_result_clear_consensus     (CsResult     *self);
void           cs_result_clear_alternatives  (CsResult     *self);
void           cs_result_clear_critiques     (CsResult     *self);

/* Points each item of the data at its vote (item.vote) and its consensus
 * entry (item.support, total, origin.sources): entry i for item i when their
 * titles agree, else the first entry of the same title (ASCII case ignored).
 * Done by cs_result_new_from_json(); call it after building. */
void           cs_result_link_items          (CsResult     *self);

/* ------------------------------------------------------------------------ */
/* Provenance (cs-result-origin.c)                                          */
/* ------------------------------------------------------------------------ */

/* The lists of items of both answers, to walk them alike. */
typedef enum {
  CS_LIST_COMPONENTS,
  CS_LIST_DATA_STORES,
  CS_LIST_APIS,
  CS_LIST_CONNECTIONS,
  CS_LIST_DECISIONS,
  CS_LIST_TRADE_OFFS,
  CS_LIST_RISKS,
  CS_LIST_CAUSES,        /* support: likely_causes */
  CS_LIST_STEPS,         /* support */
  CS_N_LISTS
} CsItemList;

/* The list's JSON member name ("components", "likely_causes"...). */
const char    *cs_item_list_name             (CsItemList    list);
/* The items of @list in @self's data (CsComponent*... as for the getters
 * above); NULL when the data has no such list (the other mode, no data). */
GPtrArray     *cs_result_get_list            (CsResult     *self,
                                              CsItemList    list);
/* Whether two items of @list say the same: every member of the mode's
 * schema equal (strings compared with blanks at their ends ignored). */
gboolean       cs_item_list_items_same       (CsItemList    list,
                                              gconstpointer a,
                                              gconstpointer b);
/* Whether @self records where each item came from (the envelope's
 * "provenance": the summary's and each item's sources and judge mark).
 * FALSE for a result saved before provenance was recorded: only the
 * consensus entries then say who proposed a component or a step. */
gboolean       cs_result_has_origins         (CsResult     *self);
/* Whether @self records its items' origins (synthesis sets TRUE). Once a
 * result has "provenance" it keeps the member: FALSE only makes linking
 * read a component's or step's sources from the consensus entries again. */
void           cs_result_set_has_origins     (CsResult     *self,
                                              gboolean      has_origins);
/* The summary's origin, owned by @self, never NULL. */
CsOrigin      *cs_result_get_summary_origin  (CsResult     *self);

/* A deep copy of the envelope @synthesis with every member a script may
 * read present (the CLI's JSON contract): "methods" and "votes" [] when they
 * are not lists; "data", "rationale", "consensus", "alternatives",
 * "critiques" and "note" null when absent; "degraded" false when absent;
 * each item object of "data" with its "sources" and "judge" from
 * "provenance" (when the result has it); other members kept as they are.
 * {} and those when @synthesis is NULL or
 * not an object. Owned. */
JsonNode      *cs_result_json_complete       (JsonNode     *synthesis);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsBlueprint, cs_blueprint_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsChecklist, cs_checklist_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsResult, cs_result_unref)

G_END_DECLS
