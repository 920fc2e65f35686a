/* cs-run.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-run"

#include "config.h"

#include <string.h>

#include "cs-run.h"
#include "cs-json-util.h"

struct _CsRun
{
  GObject     parent_instance;

  char       *id;
  char       *title;
  char       *derived_title; /* from the problem's first line, when title is unset */
  CsMode      mode;
  char       *problem;
  CsRunState  state;
  char       *message;
  gint64      created;
  gint64      updated;
  GPtrArray  *constraint_keys;   /* NULL-terminated */
  GHashTable *constraints;
  char       *judge;
  GPtrArray  *candidates;
  JsonNode   *synthesis;
  CsResult   *result;            /* @synthesis typed, parsed on demand */
  JsonNode   *result_from;       /* the synthesis it was parsed from (a reference) */
  GHashTable *checked;           /* GUINT_TO_POINTER(step+1) set */

  gint64      judge_input_tokens;
  gint64      judge_output_tokens;
  double      judge_cost_usd;
  gint64      judge_duration_ms;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CsRun, cs_run, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_ID,
  PROP_TITLE,
  PROP_MODE,
  PROP_PROBLEM,
  PROP_STATE,
  PROP_MESSAGE,
  PROP_JUDGE,
  PROP_SYNTHESIS,
  PROP_UPDATED,
  PROP_N_ITEMS,
  N_PROPS
};

enum {
  CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static GType
cs_run_get_item_type (GListModel *model)
{
  return CS_TYPE_CANDIDATE;
}

static guint
cs_run_get_n_items (GListModel *model)
{
  return CS_RUN (model)->candidates->len;
}

static gpointer
cs_run_get_item (GListModel *model,
                 guint       position)
{
  CsRun *self = CS_RUN (model);

  if (position >= self->candidates->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->candidates, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = cs_run_get_item_type;
  iface->get_n_items = cs_run_get_n_items;
  iface->get_item = cs_run_get_item;
}

static void
emit_changed (CsRun *self)
{
  g_signal_emit (self, signals[CHANGED], 0);
}

static gboolean
set_str (char **dst, const char *src)
{
  if (g_strcmp0 (*dst, src) == 0)
    return FALSE;
  g_free (*dst);
  *dst = g_strdup (src);
  return TRUE;
}

static void
cs_run_dispose (GObject *object)
{
  CsRun *self = (CsRun *)object;

  if (self->candidates != NULL)
    {
      for (guint i = 0; i < self->candidates->len; i++)
        g_signal_handlers_disconnect_by_data (g_ptr_array_index (self->candidates, i), self);
      g_clear_pointer (&self->candidates, g_ptr_array_unref);
    }

  G_OBJECT_CLASS (cs_run_parent_class)->dispose (object);
}

static void
clear_result (CsRun *self)
{
  g_clear_pointer (&self->result, cs_result_unref);
  g_clear_pointer (&self->result_from, json_node_unref);
}

static void
cs_run_finalize (GObject *object)
{
  CsRun *self = (CsRun *)object;

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->derived_title, g_free);
  g_clear_pointer (&self->problem, g_free);
  g_clear_pointer (&self->message, g_free);
  g_clear_pointer (&self->constraint_keys, g_ptr_array_unref);
  g_clear_pointer (&self->constraints, g_hash_table_unref);
  g_clear_pointer (&self->judge, g_free);
  g_clear_pointer (&self->synthesis, json_node_unref);
  clear_result (self);
  g_clear_pointer (&self->checked, g_hash_table_unref);

  G_OBJECT_CLASS (cs_run_parent_class)->finalize (object);
}

static void
cs_run_get_property (GObject    *object,
                     guint       prop_id,
                     GValue     *value,
                     GParamSpec *pspec)
{
  CsRun *self = CS_RUN (object);

  switch (prop_id)
    {
    case PROP_ID: g_value_set_string (value, self->id); break;
    case PROP_TITLE: g_value_set_string (value, cs_run_get_title (self)); break;
    case PROP_MODE: g_value_set_enum (value, self->mode); break;
    case PROP_PROBLEM: g_value_set_string (value, self->problem); break;
    case PROP_STATE: g_value_set_enum (value, self->state); break;
    case PROP_MESSAGE: g_value_set_string (value, self->message); break;
    case PROP_JUDGE: g_value_set_string (value, self->judge); break;
    case PROP_SYNTHESIS: g_value_set_boxed (value, self->synthesis); break;
    case PROP_UPDATED: g_value_set_int64 (value, self->updated); break;
    case PROP_N_ITEMS: g_value_set_uint (value, self->candidates->len); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_run_set_property (GObject      *object,
                     guint         prop_id,
                     const GValue *value,
                     GParamSpec   *pspec)
{
  CsRun *self = CS_RUN (object);

  switch (prop_id)
    {
    case PROP_TITLE: cs_run_set_title (self, g_value_get_string (value)); break;
    case PROP_MODE: cs_run_set_mode (self, g_value_get_enum (value)); break;
    case PROP_PROBLEM: cs_run_set_problem (self, g_value_get_string (value)); break;
    case PROP_STATE: cs_run_set_state (self, g_value_get_enum (value)); break;
    case PROP_MESSAGE: cs_run_set_message (self, g_value_get_string (value)); break;
    case PROP_JUDGE: cs_run_set_judge (self, g_value_get_string (value)); break;
    case PROP_SYNTHESIS: cs_run_set_synthesis (self, g_value_get_boxed (value)); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_run_class_init (CsRunClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->dispose = cs_run_dispose;
  object_class->finalize = cs_run_finalize;
  object_class->get_property = cs_run_get_property;
  object_class->set_property = cs_run_set_property;

  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, ro);
  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL, rw);
  properties[PROP_MODE] = g_param_spec_enum ("mode", NULL, NULL, CS_TYPE_MODE, CS_MODE_ARCHITECT, rw);
  properties[PROP_PROBLEM] = g_param_spec_string ("problem", NULL, NULL, NULL, rw);
  properties[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, CS_TYPE_RUN_STATE, CS_RUN_DRAFT, rw);
  properties[PROP_MESSAGE] = g_param_spec_string ("message", NULL, NULL, NULL, rw);
  properties[PROP_JUDGE] = g_param_spec_string ("judge", NULL, NULL, NULL, rw);
  properties[PROP_SYNTHESIS] = g_param_spec_boxed ("synthesis", NULL, NULL, JSON_TYPE_NODE, rw);
  properties[PROP_UPDATED] = g_param_spec_int64 ("updated", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_N_ITEMS] = g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[CHANGED] =
    g_signal_new ("changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static char *
make_id (gint64 now)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (now);
  g_autofree char *stamp = g_date_time_format (dt, "%Y%m%d-%H%M%S");

  return g_strdup_printf ("%s-%06x", stamp, g_random_int_range (0, 0xffffff));
}

static void
cs_run_init (CsRun *self)
{
  self->created = self->updated = g_get_real_time () / G_USEC_PER_SEC;
  self->id = make_id (self->created);
  self->constraint_keys = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->constraint_keys, NULL);
  self->constraints = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->candidates = g_ptr_array_new_with_free_func (g_object_unref);
  self->checked = g_hash_table_new (NULL, NULL);
  self->judge_input_tokens = -1;
  self->judge_output_tokens = -1;
  self->judge_duration_ms = -1;
  self->problem = g_strdup ("");
}

CsRun *
cs_run_new (CsMode      mode,
            const char *problem)
{
  CsRun *self = g_object_new (CS_TYPE_RUN, "mode", mode, NULL);

  cs_run_set_problem (self, problem);
  return self;
}

const char *
cs_run_get_id (CsRun *self)
{
  g_return_val_if_fail (CS_IS_RUN (self), NULL);
  return self->id;
}

const char *
cs_run_get_title (CsRun *self)
{
  g_return_val_if_fail (CS_IS_RUN (self), NULL);

  if (self->title != NULL && self->title[0] != '\0')
    return self->title;

  if (self->derived_title == NULL)
    {
      /* Derive a title from the first line of the problem. */
      const char *p = self->problem ? self->problem : "";
      const char *end;
      glong chars;

      while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '#')
        p++;
      end = p;
      while (*end != '\0' && *end != '\n' && *end != '\r')
        end++;
      g_free (self->derived_title);
      chars = g_utf8_strlen (p, end - p);
      if (chars > 60)
        {
          g_autofree char *cut = g_utf8_substring (p, 0, 59);
          self->derived_title = g_strconcat (g_strchomp (cut), "…", NULL);
        }
      else
        self->derived_title = g_strndup (p, end - p);
      if (!g_utf8_validate (self->derived_title, -1, NULL))
        {
          g_free (self->derived_title);
          self->derived_title = g_utf8_make_valid (p, end - p);
        }
    }
  /* Kept apart from title: a derived title is not saved, and it follows
   * the problem (cleared in set_problem). */
  return self->derived_title;
}

void
cs_run_set_title (CsRun      *self,
                  const char *title)
{
  g_return_if_fail (CS_IS_RUN (self));
  if (set_str (&self->title, title))
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
      emit_changed (self);
    }
}

CsMode
cs_run_get_mode (CsRun *self)
{
  g_return_val_if_fail (CS_IS_RUN (self), CS_MODE_ARCHITECT);
  return self->mode;
}

void
cs_run_set_mode (CsRun  *self,
                 CsMode  mode)
{
  g_return_if_fail (CS_IS_RUN (self));
  if (self->mode == mode)
    return;
  self->mode = mode;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODE]);
  emit_changed (self);
}

const char *
cs_run_get_problem (CsRun *self)
{
  g_return_val_if_fail (CS_IS_RUN (self), NULL);
  return self->problem;
}

void
cs_run_set_problem (CsRun      *self,
                    const char *problem)
{
  g_return_if_fail (CS_IS_RUN (self));
  if (set_str (&self->problem, problem ? problem : ""))
    {
      g_clear_pointer (&self->derived_title, g_free);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROBLEM]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
      emit_changed (self);
    }
}

CsRunState
cs_run_get_state (CsRun *self)
{
  g_return_val_if_fail (CS_IS_RUN (self), CS_RUN_FAILED);
  return self->state;
}

void
cs_run_set_state (CsRun      *self,
                  CsRunState  state)
{
  g_return_if_fail (CS_IS_RUN (self));
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  emit_changed (self);
}

const char *
cs_run_get_message (CsRun *self)
{
  g_return_val_if_fail (CS_IS_RUN (self), NULL);
  return self->message;
}

void
cs_run_set_message (CsRun      *self,
                    const char *message)
{
  g_return_if_fail (CS_IS_RUN (self));
  if (set_str (&self->message, message))
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MESSAGE]);
      emit_changed (self);
    }
}

gint64
cs_run_get_created (CsRun *self)
{
  g_return_val_if_fail (CS_IS_RUN (self), 0);
  return self->created;
}

gint64
cs_run_get_updated (CsRun *self)
{
  g_return_val_if_fail (CS_IS_RUN (self), 0);
  return self->updated;
}

void
cs_run_touch (CsRun *self)
{
  g_return_if_fail (CS_IS_RUN (self));
  self->updated = g_get_real_time () / G_USEC_PER_SEC;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UPDATED]);
}

void
cs_run_set_constraint (CsRun      *self,
                       const char *key,
                       const char *value)
{
  const char *old;

  g_return_if_fail (CS_IS_RUN (self));
  g_return_if_fail (key != NULL && key[0] != '\0');

  old = g_hash_table_lookup (self->constraints, key);
  if (value == NULL || value[0] == '\0')
    {
      if (old == NULL)
        return;
      for (guint i = 0; i + 1 < self->constraint_keys->len; i++)
        if (g_strcmp0 (g_ptr_array_index (self->constraint_keys, i), key) == 0)
          {
            g_ptr_array_remove_index (self->constraint_keys, i);
            break;
          }
      g_hash_table_remove (self->constraints, key);
    }
  else
    {
      if (g_strcmp0 (old, value) == 0)
        return;
      if (old == NULL)
        {
          g_ptr_array_remove_index (self->constraint_keys, self->constraint_keys->len - 1);
          g_ptr_array_add (self->constraint_keys, g_strdup (key));
          g_ptr_array_add (self->constraint_keys, NULL);
        }
      g_hash_table_insert (self->constraints, g_strdup (key), g_strdup (value));
    }
  emit_changed (self);
}

const char *
cs_run_get_constraint (CsRun      *self,
                       const char *key)
{
  g_return_val_if_fail (CS_IS_RUN (self), NULL);
  return g_hash_table_lookup (self->constraints, key);
}

const char * const *
cs_run_get_constraint_keys (CsRun *self)
{
  g_return_val_if_fail (CS_IS_RUN (self), NULL);
  return (const char * const *)self->constraint_keys->pdata;
}

const char *
cs_run_get_judge (CsRun *self)
{
  g_return_val_if_fail (CS_IS_RUN (self), NULL);
  return self->judge;
}

void
cs_run_set_judge (CsRun      *self,
                  const char *judge)
{
  g_return_if_fail (CS_IS_RUN (self));
  if (judge != NULL && judge[0] == '\0')
    judge = NULL;
  if (set_str (&self->judge, judge))
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_JUDGE]);
      emit_changed (self);
    }
}

static void
candidate_notify_cb (CsCandidate *candidate,
                     GParamSpec  *pspec,
                     CsRun       *self)
{
  const char *name = g_param_spec_get_name (pspec);

  if (g_str_equal (name, "status") ||
      g_str_equal (name, "data") ||
      g_str_equal (name, "error") ||
      g_str_equal (name, "output-tokens") ||
      g_str_equal (name, "cost-usd"))
    emit_changed (self);
}

void
cs_run_add_candidate (CsRun       *self,
                      CsCandidate *candidate)
{
  g_return_if_fail (CS_IS_RUN (self));
  g_return_if_fail (CS_IS_CANDIDATE (candidate));

  g_ptr_array_add (self->candidates, g_object_ref (candidate));
  g_signal_connect (candidate, "notify", G_CALLBACK (candidate_notify_cb), self);
  g_list_model_items_changed (G_LIST_MODEL (self), self->candidates->len - 1, 0, 1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
  emit_changed (self);
}

CsCandidate *
cs_run_find_candidate (CsRun      *self,
                       const char *id)
{
  g_return_val_if_fail (CS_IS_RUN (self), NULL);

  for (guint i = 0; i < self->candidates->len; i++)
    {
      CsCandidate *c = g_ptr_array_index (self->candidates, i);
      if (g_strcmp0 (cs_candidate_get_id (c), id) == 0)
        return c;
    }
  return NULL;
}

guint
cs_run_count_status (CsRun             *self,
                     CsCandidateStatus  status)
{
  guint n = 0;

  g_return_val_if_fail (CS_IS_RUN (self), 0);

  for (guint i = 0; i < self->candidates->len; i++)
    if (cs_candidate_get_status (g_ptr_array_index (self->candidates, i)) == status)
      n++;
  return n;
}

gboolean
cs_run_all_final (CsRun *self)
{
  g_return_val_if_fail (CS_IS_RUN (self), TRUE);

  for (guint i = 0; i < self->candidates->len; i++)
    if (!cs_candidate_status_is_final (cs_candidate_get_status (g_ptr_array_index (self->candidates, i))))
      return FALSE;
  return TRUE;
}

JsonNode *
cs_run_get_synthesis (CsRun *self)
{
  g_return_val_if_fail (CS_IS_RUN (self), NULL);
  return self->synthesis;
}

void
cs_run_set_synthesis (CsRun    *self,
                      JsonNode *synthesis)
{
  g_return_if_fail (CS_IS_RUN (self));

  /* read again even when the same node comes back: it may have changed */
  clear_result (self);
  if (self->synthesis == synthesis)
    return;
  g_clear_pointer (&self->synthesis, json_node_unref);
  if (synthesis != NULL)
    self->synthesis = json_node_ref (synthesis);
  g_hash_table_remove_all (self->checked);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNTHESIS]);
  emit_changed (self);
}

CsResult *
cs_run_get_result (CsRun *self)
{
  g_return_val_if_fail (CS_IS_RUN (self), NULL);

  /* parsed again once the synthesis changed, however it was set */
  if (self->result_from != self->synthesis)
    {
      clear_result (self);
      if (self->synthesis != NULL)
        {
          self->result_from = json_node_ref (self->synthesis);
          self->result = cs_result_new_from_json (self->mode, self->synthesis, NULL);
        }
    }
  return self->result;
}

gboolean
cs_run_get_step_checked (CsRun *self,
                         guint  step)
{
  g_return_val_if_fail (CS_IS_RUN (self), FALSE);
  return g_hash_table_contains (self->checked, GUINT_TO_POINTER (step + 1));
}

void
cs_run_set_step_checked (CsRun    *self,
                         guint     step,
                         gboolean  checked)
{
  g_return_if_fail (CS_IS_RUN (self));

  if (!!checked == cs_run_get_step_checked (self, step))
    return;
  if (checked)
    g_hash_table_add (self->checked, GUINT_TO_POINTER (step + 1));
  else
    g_hash_table_remove (self->checked, GUINT_TO_POINTER (step + 1));
  emit_changed (self);
}

double
cs_run_get_total_cost_usd (CsRun *self)
{
  double total;

  g_return_val_if_fail (CS_IS_RUN (self), 0);

  total = self->judge_cost_usd;
  for (guint i = 0; i < self->candidates->len; i++)
    total += cs_candidate_get_cost_usd (g_ptr_array_index (self->candidates, i));
  return total;
}

/* @total plus @count when it is known (>= 0); token counts come from
 * providers, so the sum saturates instead of overflowing. */
static gint64
add_saturated (gint64 total,
               gint64 count)
{
  if (count <= 0)
    return total;
  return total > G_MAXINT64 - count ? G_MAXINT64 : total + count;
}

gint64
cs_run_get_total_input_tokens (CsRun *self)
{
  gint64 total;

  g_return_val_if_fail (CS_IS_RUN (self), 0);

  total = MAX (self->judge_input_tokens, 0);
  for (guint i = 0; i < self->candidates->len; i++)
    total = add_saturated (total, cs_candidate_get_input_tokens (g_ptr_array_index (self->candidates, i)));
  return total;
}

gint64
cs_run_get_total_output_tokens (CsRun *self)
{
  gint64 total;

  g_return_val_if_fail (CS_IS_RUN (self), 0);

  total = MAX (self->judge_output_tokens, 0);
  for (guint i = 0; i < self->candidates->len; i++)
    total = add_saturated (total, cs_candidate_get_output_tokens (g_ptr_array_index (self->candidates, i)));
  return total;
}

void
cs_run_set_judge_usage (CsRun  *self,
                        gint64  input_tokens,
                        gint64  output_tokens,
                        double  cost_usd,
                        gint64  duration_ms)
{
  g_return_if_fail (CS_IS_RUN (self));

  self->judge_input_tokens = input_tokens;
  self->judge_output_tokens = output_tokens;
  self->judge_cost_usd = cost_usd;
  self->judge_duration_ms = duration_ms;
  emit_changed (self);
}

gboolean
cs_run_get_judge_usage (CsRun  *self,
                        gint64 *input_tokens,
                        gint64 *output_tokens,
                        double *cost_usd,
                        gint64 *duration_ms)
{
  g_return_val_if_fail (CS_IS_RUN (self), FALSE);

  if (input_tokens != NULL)
    *input_tokens = self->judge_input_tokens;
  if (output_tokens != NULL)
    *output_tokens = self->judge_output_tokens;
  if (cost_usd != NULL)
    *cost_usd = self->judge_cost_usd;
  if (duration_ms != NULL)
    *duration_ms = self->judge_duration_ms;
  return self->judge_input_tokens >= 0;
}

/* Serialization */

static void
add_str (JsonBuilder *b, const char *key, const char *value)
{
  json_builder_set_member_name (b, key);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

JsonNode *
cs_run_to_json (CsRun *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GList) checked = NULL;

  g_return_val_if_fail (CS_IS_RUN (self), NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "format");
  json_builder_add_int_value (b, CS_RUN_FORMAT_VERSION);
  add_str (b, "id", self->id);
  add_str (b, "title", self->title);
  add_str (b, "mode", cs_mode_to_string (self->mode));
  add_str (b, "problem", self->problem);
  json_builder_set_member_name (b, "constraints");
  json_builder_begin_object (b);
  for (guint i = 0; i + 1 < self->constraint_keys->len; i++)
    {
      const char *key = g_ptr_array_index (self->constraint_keys, i);
      json_builder_set_member_name (b, key);
      json_builder_add_string_value (b, g_hash_table_lookup (self->constraints, key));
    }
  json_builder_end_object (b);
  add_str (b, "state", cs_run_state_to_string (self->state));
  add_str (b, "message", self->message);
  json_builder_set_member_name (b, "created");
  json_builder_add_int_value (b, self->created);
  json_builder_set_member_name (b, "updated");
  json_builder_add_int_value (b, self->updated);
  add_str (b, "judge", self->judge);

  json_builder_set_member_name (b, "candidates");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->candidates->len; i++)
    json_builder_add_value (b, cs_candidate_to_json (g_ptr_array_index (self->candidates, i)));
  json_builder_end_array (b);

  json_builder_set_member_name (b, "synthesis");
  if (self->synthesis != NULL)
    json_builder_add_value (b, json_node_copy (self->synthesis));
  else
    json_builder_add_null_value (b);

  json_builder_set_member_name (b, "checked_steps");
  json_builder_begin_array (b);
  checked = g_hash_table_get_keys (self->checked);
  {
    /* sort numerically */
    GArray *arr = g_array_new (FALSE, FALSE, sizeof (guint));
    for (GList *l = checked; l; l = l->next)
      {
        guint v = GPOINTER_TO_UINT (l->data) - 1;
        g_array_append_val (arr, v);
      }
    for (guint i = 1; i < arr->len; i++)
      for (guint j = i; j > 0 && g_array_index (arr, guint, j - 1) > g_array_index (arr, guint, j); j--)
        {
          guint t = g_array_index (arr, guint, j);
          g_array_index (arr, guint, j) = g_array_index (arr, guint, j - 1);
          g_array_index (arr, guint, j - 1) = t;
        }
    for (guint i = 0; i < arr->len; i++)
      json_builder_add_int_value (b, g_array_index (arr, guint, i));
    g_array_unref (arr);
  }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "judge_usage");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "input_tokens");
  json_builder_add_int_value (b, self->judge_input_tokens);
  json_builder_set_member_name (b, "output_tokens");
  json_builder_add_int_value (b, self->judge_output_tokens);
  json_builder_set_member_name (b, "cost_usd");
  json_builder_add_double_value (b, self->judge_cost_usd);
  json_builder_set_member_name (b, "duration_ms");
  json_builder_add_int_value (b, self->judge_duration_ms);
  json_builder_end_object (b);

  json_builder_set_member_name (b, "totals");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "cost_usd");
  json_builder_add_double_value (b, cs_run_get_total_cost_usd (self));
  json_builder_set_member_name (b, "input_tokens");
  json_builder_add_int_value (b, cs_run_get_total_input_tokens (self));
  json_builder_set_member_name (b, "output_tokens");
  json_builder_add_int_value (b, cs_run_get_total_output_tokens (self));
  json_builder_end_object (b);

  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static void
ensure_member (JsonObject *obj,
               const char *key)
{
  if (!json_object_has_member (obj, key))
    json_object_set_null_member (obj, key);
}

JsonNode *
cs_run_to_json_complete (CsRun *self)
{
  static const char * const candidate_keys[] = {
    "id", "model", "angle", "status", "error", "text", "reasoning", "data", "usage",
    "cost_usd", "ttft_ms", "duration_ms", "tokens_per_second",
  };
  JsonNode *root;
  JsonObject *obj;
  JsonObject *totals;
  JsonArray *candidates;

  g_return_val_if_fail (CS_IS_RUN (self), NULL);

  root = cs_run_to_json (self);
  obj = json_node_get_object (root);

  candidates = cs_json_get_array (obj, "candidates");
  for (guint i = 0; i < cs_json_array_length (candidates); i++)
    {
      JsonObject *c = cs_json_array_object (candidates, i);

      for (guint k = 0; c != NULL && k < G_N_ELEMENTS (candidate_keys); k++)
        ensure_member (c, candidate_keys[k]);
    }

  /* the synthesis is always an object; a deep copy, as the run's own is
   * shared by cs_run_to_json () */
  json_object_set_member (obj, "synthesis", cs_result_json_complete (json_object_get_member (obj, "synthesis")));

  if (cs_json_get_object (obj, "totals") == NULL)
    json_object_set_object_member (obj, "totals", json_object_new ());
  totals = cs_json_get_object (obj, "totals");
  if (!json_object_has_member (totals, "candidates"))
    json_object_set_int_member (totals, "candidates", cs_json_array_length (candidates));
  json_object_set_int_member (totals, "ok", cs_run_count_status (self, CS_CANDIDATE_OK));
  return root;
}

/* The members a run cannot do without: a format this version reads, a
 * file-name-safe id, a known mode. */
static gboolean
check_run_head (JsonObject  *obj,
                const char **id,
                CsMode      *mode,
                GError     **error)
{
  gint64 format = 0;

  if (!cs_json_get_int (obj, "format", &format) || format < 1)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "The run has no format version");
      return FALSE;
    }
  if (format > CS_RUN_FORMAT_VERSION)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "The run was saved by a newer Consilium (format %" G_GINT64_FORMAT ", this version reads %d)",
                   format, CS_RUN_FORMAT_VERSION);
      return FALSE;
    }

  *id = cs_json_get_string (obj, "id");
  if (*id == NULL || (*id)[0] == '\0' || strchr (*id, '/') != NULL || strstr (*id, "..") != NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "The run has no valid id");
      return FALSE;
    }
  if (!cs_mode_from_string (cs_json_get_string (obj, "mode"), mode))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "The run has an unknown mode");
      return FALSE;
    }
  return TRUE;
}

static void
read_constraints (CsRun    *self,
                  JsonNode *member)
{
  JsonObject *c;
  g_autoptr(GList) members = NULL;

  if (member == NULL || !JSON_NODE_HOLDS_OBJECT (member))
    return;
  c = json_node_get_object (member);
  members = json_object_get_members (c);
  for (GList *l = members; l; l = l->next)
    {
      const char *value = cs_json_get_string (c, l->data);
      if (value != NULL && ((const char *)l->data)[0] != '\0')
        cs_run_set_constraint (self, l->data, value);
    }
}

static void
read_candidates (CsRun    *self,
                 JsonNode *member)
{
  JsonArray *arr;

  if (member == NULL || !JSON_NODE_HOLDS_ARRAY (member))
    return;
  arr = json_node_get_array (member);
  for (guint i = 0; i < json_array_get_length (arr); i++)
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(CsCandidate) c = cs_candidate_new_from_json (json_array_get_element (arr, i), &local_error);

      if (c == NULL)
        {
          g_debug ("Skipping a candidate of run %s: %s", self->id, local_error->message);
          continue;
        }
      cs_run_add_candidate (self, c);
    }
}

static void
read_checked_steps (CsRun    *self,
                    JsonNode *member)
{
  JsonArray *arr;

  if (member == NULL || !JSON_NODE_HOLDS_ARRAY (member))
    return;
  arr = json_node_get_array (member);
  for (guint i = 0; i < json_array_get_length (arr); i++)
    {
      JsonNode *e = json_array_get_element (arr, i);
      if (JSON_NODE_HOLDS_VALUE (e) && json_node_get_value_type (e) == G_TYPE_INT64)
        {
          gint64 step = json_node_get_int (e);
          if (step >= 0 && step < 100000)
            g_hash_table_add (self->checked, GUINT_TO_POINTER ((guint)step + 1));
        }
    }
}

static void
read_judge_usage (CsRun    *self,
                  JsonNode *member)
{
  JsonObject *ju;
  JsonNode *cost;
  gint64 v;

  if (member == NULL || !JSON_NODE_HOLDS_OBJECT (member))
    return;
  ju = json_node_get_object (member);
  cost = json_object_get_member (ju, "cost_usd");
  if (cs_json_get_int (ju, "input_tokens", &v))
    self->judge_input_tokens = v;
  if (cs_json_get_int (ju, "output_tokens", &v))
    self->judge_output_tokens = v;
  if (cs_json_get_int (ju, "duration_ms", &v))
    self->judge_duration_ms = v;
  if (cost != NULL && JSON_NODE_HOLDS_VALUE (cost) &&
      (json_node_get_value_type (cost) == G_TYPE_DOUBLE || json_node_get_value_type (cost) == G_TYPE_INT64))
    self->judge_cost_usd = json_node_get_double (cost);
}

CsRun *
cs_run_new_from_json (JsonNode  *node,
                      GError   **error)
{
  g_autoptr(CsRun) self = NULL;
  JsonObject *obj;
  JsonNode *member;
  const char *id = NULL;
  gint64 v;
  CsMode mode;
  CsRunState state;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "The run is not a JSON object");
      return NULL;
    }
  obj = json_node_get_object (node);
  if (!check_run_head (obj, &id, &mode, error))
    return NULL;

  self = g_object_new (CS_TYPE_RUN, NULL);
  g_free (self->id);
  self->id = g_strdup (id);
  self->mode = mode;
  self->title = g_strdup (cs_json_get_string (obj, "title"));
  g_free (self->problem);
  self->problem = g_strdup (cs_json_get_string (obj, "problem") ? cs_json_get_string (obj, "problem") : "");
  if (cs_run_state_from_string (cs_json_get_string (obj, "state"), &state))
    self->state = state;
  self->message = g_strdup (cs_json_get_string (obj, "message"));
  if (cs_json_get_int (obj, "created", &v))
    self->created = v;
  if (cs_json_get_int (obj, "updated", &v))
    self->updated = v;
  self->judge = g_strdup (cs_json_get_string (obj, "judge"));

  read_constraints (self, json_object_get_member (obj, "constraints"));
  read_candidates (self, json_object_get_member (obj, "candidates"));
  member = json_object_get_member (obj, "synthesis");
  if (member != NULL && JSON_NODE_HOLDS_OBJECT (member))
    self->synthesis = json_node_copy (member);
  read_checked_steps (self, json_object_get_member (obj, "checked_steps"));
  read_judge_usage (self, json_object_get_member (obj, "judge_usage"));

  return g_steal_pointer (&self);
}
