/* cs-run.c: one question put to several models, its candidates and result
 *
 * The object: its properties, its candidates (a GListModel), the synthesis
 * and its typed form, check marks, totals. The run file form is in
 * cs-run-json.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-run"

#include "config.h"

#include <math.h>
#include <string.h>

#include "cs-run-private.h"
#include "cs-run-ranking.h"
#include "cs-json-util.h"

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

void
_cs_run_emit_changed (CsRun *self)
{
  emit_changed (self);
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
  _cs_run_ranking_clear (self);
  self->current = NULL;
  g_clear_object (&self->rounds);
  g_clear_pointer (&self->knobs, g_hash_table_unref);

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
  self->judge_price_known = TRUE;
  self->wall_ms = -1;
  self->budget_usd = NAN;
  self->problem = g_strdup ("");
  self->rounds = g_list_store_new (CS_TYPE_ROUND);
  {
    g_autoptr(CsRound) first = _cs_round_new (1, CS_ROUND_SCOPE_FIRST, NULL);

    first->created = self->created;
    g_list_store_append (self->rounds, first);
    self->current = first;
  }
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
  _cs_round_set_state (self->current, state);
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
_cs_run_attach_candidate (CsRun       *self,
                          CsCandidate *candidate)
{
  g_ptr_array_add (self->candidates, g_object_ref (candidate));
  g_signal_connect (candidate, "notify", G_CALLBACK (candidate_notify_cb), self);
}

void
cs_run_add_candidate (CsRun       *self,
                      CsCandidate *candidate)
{
  g_return_if_fail (CS_IS_RUN (self));
  g_return_if_fail (CS_IS_CANDIDATE (candidate));

  _cs_run_attach_candidate (self, candidate);
  _cs_round_add_candidate (self->current, candidate);
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
  _cs_round_set_synthesis (self->current, synthesis);
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

  _cs_run_other_rounds_totals (self, &total, &(gint64){ 0 }, &(gint64){ 0 });
  total += self->judge_cost_usd + self->rank_cost_usd;
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

  _cs_run_other_rounds_totals (self, &(double){ 0 }, &total, &(gint64){ 0 });
  total = add_saturated (total, self->judge_input_tokens);
  total = add_saturated (total, self->rank_input_tokens);
  for (guint i = 0; i < self->candidates->len; i++)
    total = add_saturated (total, cs_candidate_get_input_tokens (g_ptr_array_index (self->candidates, i)));
  return total;
}

gint64
cs_run_get_total_output_tokens (CsRun *self)
{
  gint64 total;

  g_return_val_if_fail (CS_IS_RUN (self), 0);

  _cs_run_other_rounds_totals (self, &(double){ 0 }, &(gint64){ 0 }, &total);
  total = add_saturated (total, self->judge_output_tokens);
  total = add_saturated (total, self->rank_output_tokens);
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
  _cs_round_set_judge_usage (self->current, input_tokens, output_tokens, cost_usd, duration_ms);
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
