/* cs-candidate.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-candidate"

#include "config.h"

#include <math.h>
#include <string.h>

#include "cs-candidate.h"
#include "cs-json-util.h"

struct _CsCandidate
{
  GObject            parent_instance;

  char              *id;
  char              *model;
  char              *angle;
  double             temperature;
  char              *reasoning_effort;
  char              *verbosity;        /* the knobs its request went with */
  gint64             max_output_tokens;/* 0: not sent */
  guint              request_n;        /* choices in its request, 0: unknown */
  gboolean           price_known;      /* its model had a price */
  gboolean           usage_estimated;  /* some usage counted by the engine, not reported */

  CsCandidateStatus  status;
  char              *error;
  GString           *text;
  GString           *reasoning;
  GString           *refusal;
  char              *finish_reason;
  JsonNode          *data;
  char              *validation_error;
  CsBlueprint       *blueprint;      /* @data typed, parsed on demand */
  CsChecklist       *checklist;
  JsonNode          *typed_from;     /* the data they were parsed from (a reference) */

  gint64             input_tokens;
  gint64             output_tokens;
  gint64             reasoning_tokens;
  double             cost_usd;
  gint64             ttft_ms;
  gint64             duration_ms;
  guint              attempts;
};

G_DEFINE_FINAL_TYPE (CsCandidate, cs_candidate, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_MODEL,
  PROP_ANGLE,
  PROP_TEMPERATURE,
  PROP_REASONING_EFFORT,
  PROP_STATUS,
  PROP_ERROR,
  PROP_TEXT,
  PROP_REASONING,
  PROP_REFUSAL,
  PROP_FINISH_REASON,
  PROP_DATA,
  PROP_VALIDATION_ERROR,
  PROP_INPUT_TOKENS,
  PROP_OUTPUT_TOKENS,
  PROP_REASONING_TOKENS,
  PROP_COST_USD,
  PROP_TTFT_MS,
  PROP_DURATION_MS,
  PROP_ATTEMPTS,
  N_PROPS
};

enum {
  APPENDED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

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
clear_typed (CsCandidate *self)
{
  g_clear_pointer (&self->blueprint, cs_blueprint_unref);
  g_clear_pointer (&self->checklist, cs_checklist_unref);
  g_clear_pointer (&self->typed_from, json_node_unref);
}

static void
cs_candidate_finalize (GObject *object)
{
  CsCandidate *self = (CsCandidate *)object;

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->model, g_free);
  g_clear_pointer (&self->angle, g_free);
  g_clear_pointer (&self->reasoning_effort, g_free);
  g_clear_pointer (&self->verbosity, g_free);
  g_clear_pointer (&self->error, g_free);
  g_string_free (self->text, TRUE);
  g_string_free (self->reasoning, TRUE);
  g_string_free (self->refusal, TRUE);
  g_clear_pointer (&self->finish_reason, g_free);
  g_clear_pointer (&self->data, json_node_unref);
  g_clear_pointer (&self->validation_error, g_free);
  clear_typed (self);

  G_OBJECT_CLASS (cs_candidate_parent_class)->finalize (object);
}

static void
cs_candidate_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  CsCandidate *self = CS_CANDIDATE (object);

  switch (prop_id)
    {
    case PROP_ID: g_value_set_string (value, self->id); break;
    case PROP_MODEL: g_value_set_string (value, self->model); break;
    case PROP_ANGLE: g_value_set_string (value, self->angle); break;
    case PROP_TEMPERATURE: g_value_set_double (value, self->temperature); break;
    case PROP_REASONING_EFFORT: g_value_set_string (value, self->reasoning_effort); break;
    case PROP_STATUS: g_value_set_enum (value, self->status); break;
    case PROP_ERROR: g_value_set_string (value, self->error); break;
    case PROP_TEXT: g_value_set_string (value, self->text->str); break;
    case PROP_REASONING: g_value_set_string (value, self->reasoning->str); break;
    case PROP_REFUSAL: g_value_set_string (value, self->refusal->str); break;
    case PROP_FINISH_REASON: g_value_set_string (value, self->finish_reason); break;
    case PROP_DATA: g_value_set_boxed (value, self->data); break;
    case PROP_VALIDATION_ERROR: g_value_set_string (value, self->validation_error); break;
    case PROP_INPUT_TOKENS: g_value_set_int64 (value, self->input_tokens); break;
    case PROP_OUTPUT_TOKENS: g_value_set_int64 (value, self->output_tokens); break;
    case PROP_REASONING_TOKENS: g_value_set_int64 (value, self->reasoning_tokens); break;
    case PROP_COST_USD: g_value_set_double (value, self->cost_usd); break;
    case PROP_TTFT_MS: g_value_set_int64 (value, self->ttft_ms); break;
    case PROP_DURATION_MS: g_value_set_int64 (value, self->duration_ms); break;
    case PROP_ATTEMPTS: g_value_set_uint (value, self->attempts); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_candidate_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  CsCandidate *self = CS_CANDIDATE (object);

  switch (prop_id)
    {
    case PROP_ID: self->id = g_value_dup_string (value); break;
    case PROP_MODEL: self->model = g_value_dup_string (value); break;
    case PROP_ANGLE: self->angle = g_value_dup_string (value); break;
    case PROP_TEMPERATURE: cs_candidate_set_temperature (self, g_value_get_double (value)); break;
    case PROP_REASONING_EFFORT: cs_candidate_set_reasoning_effort (self, g_value_get_string (value)); break;
    case PROP_STATUS: cs_candidate_set_status (self, g_value_get_enum (value)); break;
    case PROP_ERROR: cs_candidate_set_error (self, g_value_get_string (value)); break;
    case PROP_TEXT: cs_candidate_set_text (self, g_value_get_string (value)); break;
    case PROP_FINISH_REASON: cs_candidate_set_finish_reason (self, g_value_get_string (value)); break;
    case PROP_DATA: cs_candidate_set_data (self, g_value_get_boxed (value)); break;
    case PROP_VALIDATION_ERROR: cs_candidate_set_validation_error (self, g_value_get_string (value)); break;
    case PROP_COST_USD: cs_candidate_set_cost_usd (self, g_value_get_double (value)); break;
    case PROP_TTFT_MS: cs_candidate_set_ttft_ms (self, g_value_get_int64 (value)); break;
    case PROP_DURATION_MS: cs_candidate_set_duration_ms (self, g_value_get_int64 (value)); break;
    case PROP_ATTEMPTS: cs_candidate_set_attempts (self, g_value_get_uint (value)); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_candidate_class_init (CsCandidateClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;
  const GParamFlags co = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = cs_candidate_finalize;
  object_class->get_property = cs_candidate_get_property;
  object_class->set_property = cs_candidate_set_property;

  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, co);
  properties[PROP_MODEL] = g_param_spec_string ("model", NULL, NULL, NULL, co);
  properties[PROP_ANGLE] = g_param_spec_string ("angle", NULL, NULL, NULL, co);
  /* NAN (unset) is the initial value; a GParamSpec cannot have NAN as default */
  properties[PROP_TEMPERATURE] = g_param_spec_double ("temperature", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0.0, rw);
  properties[PROP_REASONING_EFFORT] = g_param_spec_string ("reasoning-effort", NULL, NULL, NULL, rw);
  properties[PROP_STATUS] = g_param_spec_enum ("status", NULL, NULL, CS_TYPE_CANDIDATE_STATUS, CS_CANDIDATE_QUEUED, rw);
  properties[PROP_ERROR] = g_param_spec_string ("error", NULL, NULL, NULL, rw);
  properties[PROP_TEXT] = g_param_spec_string ("text", NULL, NULL, NULL, rw);
  properties[PROP_REASONING] = g_param_spec_string ("reasoning", NULL, NULL, NULL, ro);
  properties[PROP_REFUSAL] = g_param_spec_string ("refusal", NULL, NULL, NULL, ro);
  properties[PROP_FINISH_REASON] = g_param_spec_string ("finish-reason", NULL, NULL, NULL, rw);
  properties[PROP_DATA] = g_param_spec_boxed ("data", NULL, NULL, JSON_TYPE_NODE, rw);
  properties[PROP_VALIDATION_ERROR] = g_param_spec_string ("validation-error", NULL, NULL, NULL, rw);
  properties[PROP_INPUT_TOKENS] = g_param_spec_int64 ("input-tokens", NULL, NULL, -1, G_MAXINT64, -1, ro);
  properties[PROP_OUTPUT_TOKENS] = g_param_spec_int64 ("output-tokens", NULL, NULL, -1, G_MAXINT64, -1, ro);
  properties[PROP_REASONING_TOKENS] = g_param_spec_int64 ("reasoning-tokens", NULL, NULL, -1, G_MAXINT64, -1, ro);
  properties[PROP_COST_USD] = g_param_spec_double ("cost-usd", NULL, NULL, 0, G_MAXDOUBLE, 0, rw);
  properties[PROP_TTFT_MS] = g_param_spec_int64 ("ttft-ms", NULL, NULL, -1, G_MAXINT64, -1, rw);
  properties[PROP_DURATION_MS] = g_param_spec_int64 ("duration-ms", NULL, NULL, -1, G_MAXINT64, -1, rw);
  properties[PROP_ATTEMPTS] = g_param_spec_uint ("attempts", NULL, NULL, 0, G_MAXUINT, 0, rw);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CsCandidate::appended:
   * @kind: a #CsStreamKind
   * @chunk: the text just added
   *
   * Emitted for every chunk as it streams in. Reasoning and refusal
   * chunks then notify their property; text chunks do not ("text"
   * notifies when the text is replaced: set, or cleared for a new
   * attempt), so a view that follows the deltas gets each chunk once.
   */
  signals[APPENDED] =
    g_signal_new ("appended",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_STRING);
}

static void
cs_candidate_init (CsCandidate *self)
{
  self->temperature = NAN;
  self->price_known = TRUE;
  self->status = CS_CANDIDATE_QUEUED;
  self->text = g_string_new (NULL);
  self->reasoning = g_string_new (NULL);
  self->refusal = g_string_new (NULL);
  self->input_tokens = -1;
  self->output_tokens = -1;
  self->reasoning_tokens = -1;
  self->ttft_ms = -1;
  self->duration_ms = -1;
}

CsCandidate *
cs_candidate_new (const char *id,
                  const char *model,
                  const char *angle)
{
  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (model != NULL, NULL);

  return g_object_new (CS_TYPE_CANDIDATE,
                       "id", id,
                       "model", model,
                       "angle", angle,
                       NULL);
}

const char *
cs_candidate_get_id (CsCandidate *self)
{
  g_return_val_if_fail (CS_IS_CANDIDATE (self), NULL);
  return self->id;
}

const char *
cs_candidate_get_model (CsCandidate *self)
{
  g_return_val_if_fail (CS_IS_CANDIDATE (self), NULL);
  return self->model;
}

char *
cs_candidate_dup_provider (CsCandidate *self)
{
  const char *slash;

  g_return_val_if_fail (CS_IS_CANDIDATE (self), NULL);

  slash = strchr (self->model, '/');
  if (slash == NULL)
    return g_strdup (self->model);
  return g_strndup (self->model, slash - self->model);
}

const char *
cs_candidate_get_angle (CsCandidate *self)
{
  g_return_val_if_fail (CS_IS_CANDIDATE (self), NULL);
  return self->angle;
}

double
cs_candidate_get_temperature (CsCandidate *self)
{
  g_return_val_if_fail (CS_IS_CANDIDATE (self), NAN);
  return self->temperature;
}

void
cs_candidate_set_temperature (CsCandidate *self,
                              double       temperature)
{
  g_return_if_fail (CS_IS_CANDIDATE (self));

  if (self->temperature == temperature ||
      (isnan (self->temperature) && isnan (temperature)))
    return;
  self->temperature = temperature;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEMPERATURE]);
}

const char *
cs_candidate_get_reasoning_effort (CsCandidate *self)
{
  g_return_val_if_fail (CS_IS_CANDIDATE (self), NULL);
  return self->reasoning_effort;
}

void
cs_candidate_set_reasoning_effort (CsCandidate *self,
                                   const char  *effort)
{
  g_return_if_fail (CS_IS_CANDIDATE (self));
  if (set_str (&self->reasoning_effort, effort))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REASONING_EFFORT]);
}

const char *
cs_candidate_get_verbosity (CsCandidate *self)
{
  g_return_val_if_fail (CS_IS_CANDIDATE (self), NULL);
  return self->verbosity;
}

void
cs_candidate_set_verbosity (CsCandidate *self,
                            const char  *verbosity)
{
  g_return_if_fail (CS_IS_CANDIDATE (self));
  set_str (&self->verbosity, verbosity);
}

gint64
cs_candidate_get_max_output_tokens (CsCandidate *self)
{
  g_return_val_if_fail (CS_IS_CANDIDATE (self), 0);
  return self->max_output_tokens;
}

void
cs_candidate_set_max_output_tokens (CsCandidate *self,
                                    gint64       max_output_tokens)
{
  g_return_if_fail (CS_IS_CANDIDATE (self));
  self->max_output_tokens = MAX (max_output_tokens, 0);
}

guint
cs_candidate_get_request_n (CsCandidate *self)
{
  g_return_val_if_fail (CS_IS_CANDIDATE (self), 0);
  return self->request_n;
}

void
cs_candidate_set_request_n (CsCandidate *self,
                            guint        n)
{
  g_return_if_fail (CS_IS_CANDIDATE (self));
  self->request_n = n;
}

gboolean
cs_candidate_get_price_known (CsCandidate *self)
{
  g_return_val_if_fail (CS_IS_CANDIDATE (self), FALSE);
  return self->price_known;
}

void
cs_candidate_set_price_known (CsCandidate *self,
                              gboolean     known)
{
  g_return_if_fail (CS_IS_CANDIDATE (self));
  self->price_known = !!known;
}

gboolean
cs_candidate_get_usage_estimated (CsCandidate *self)
{
  g_return_val_if_fail (CS_IS_CANDIDATE (self), FALSE);
  return self->usage_estimated;
}

void
cs_candidate_set_usage_estimated (CsCandidate *self,
                                  gboolean     estimated)
{
  g_return_if_fail (CS_IS_CANDIDATE (self));
  self->usage_estimated = !!estimated;
}

CsCandidateStatus
cs_candidate_get_status (CsCandidate *self)
{
  g_return_val_if_fail (CS_IS_CANDIDATE (self), CS_CANDIDATE_FAILED);
  return self->status;
}

void
cs_candidate_set_status (CsCandidate       *self,
                         CsCandidateStatus  status)
{
  g_return_if_fail (CS_IS_CANDIDATE (self));
  if (self->status == status)
    return;
  self->status = status;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
}

const char *
cs_candidate_get_error (CsCandidate *self)
{
  g_return_val_if_fail (CS_IS_CANDIDATE (self), NULL);
  return self->error;
}

void
cs_candidate_set_error (CsCandidate *self,
                        const char  *error)
{
  g_return_if_fail (CS_IS_CANDIDATE (self));
  if (set_str (&self->error, error))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

const char *
cs_candidate_get_text (CsCandidate *self)
{
  g_return_val_if_fail (CS_IS_CANDIDATE (self), NULL);
  return self->text->str;
}

const char *
cs_candidate_get_reasoning (CsCandidate *self)
{
  g_return_val_if_fail (CS_IS_CANDIDATE (self), NULL);
  return self->reasoning->str;
}

const char *
cs_candidate_get_refusal (CsCandidate *self)
{
  g_return_val_if_fail (CS_IS_CANDIDATE (self), NULL);
  return self->refusal->str;
}

void
cs_candidate_append (CsCandidate  *self,
                     CsStreamKind  kind,
                     const char   *chunk,
                     gssize        len)
{
  g_autofree char *copy = NULL;
  GString *target;
  guint prop;

  g_return_if_fail (CS_IS_CANDIDATE (self));
  g_return_if_fail (chunk != NULL);

  if (len < 0)
    len = strlen (chunk);
  if (len == 0)
    return;

  switch (kind)
    {
    case CS_STREAM_REASONING: target = self->reasoning; prop = PROP_REASONING; break;
    case CS_STREAM_REFUSAL: target = self->refusal; prop = PROP_REFUSAL; break;
    case CS_STREAM_TEXT:
    default: target = self->text; prop = PROP_TEXT; break;
    }

  g_string_append_len (target, chunk, len);
  copy = g_strndup (chunk, len);
  g_signal_emit (self, signals[APPENDED], 0, (int)kind, copy);
  /* the text's chunks reach views through ::appended alone: "text"
   * notifies only when the whole text is replaced */
  if (prop != PROP_TEXT)
    g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

void
cs_candidate_set_text (CsCandidate *self,
                       const char  *text)
{
  g_return_if_fail (CS_IS_CANDIDATE (self));
  if (g_strcmp0 (self->text->str, text ? text : "") == 0)
    return;
  g_string_assign (self->text, text ? text : "");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT]);
}

void
cs_candidate_reset_stream (CsCandidate *self)
{
  g_return_if_fail (CS_IS_CANDIDATE (self));

  g_object_freeze_notify (G_OBJECT (self));
  cs_candidate_set_text (self, NULL);
  if (self->reasoning->len)
    {
      g_string_truncate (self->reasoning, 0);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REASONING]);
    }
  if (self->refusal->len)
    {
      g_string_truncate (self->refusal, 0);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REFUSAL]);
    }
  cs_candidate_set_data (self, NULL);
  cs_candidate_set_error (self, NULL);
  cs_candidate_set_finish_reason (self, NULL);
  cs_candidate_set_validation_error (self, NULL);
  cs_candidate_set_ttft_ms (self, -1);
  cs_candidate_set_duration_ms (self, -1);
  g_object_thaw_notify (G_OBJECT (self));
}

const char *
cs_candidate_get_finish_reason (CsCandidate *self)
{
  g_return_val_if_fail (CS_IS_CANDIDATE (self), NULL);
  return self->finish_reason;
}

void
cs_candidate_set_finish_reason (CsCandidate *self,
                                const char  *reason)
{
  g_return_if_fail (CS_IS_CANDIDATE (self));
  if (set_str (&self->finish_reason, reason))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FINISH_REASON]);
}

JsonNode *
cs_candidate_get_data (CsCandidate *self)
{
  g_return_val_if_fail (CS_IS_CANDIDATE (self), NULL);
  return self->data;
}

void
cs_candidate_set_data (CsCandidate *self,
                       JsonNode    *data)
{
  g_return_if_fail (CS_IS_CANDIDATE (self));

  /* read again even when the same node comes back: it may have changed */
  clear_typed (self);
  if (self->data == data)
    return;
  g_clear_pointer (&self->data, json_node_unref);
  if (data != NULL)
    self->data = json_node_ref (data);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DATA]);
}

/* The typed data is parsed again once the data changed, however it was set. */
static void
update_typed (CsCandidate *self)
{
  if (self->typed_from == self->data)
    return;
  clear_typed (self);
  if (self->data != NULL)
    self->typed_from = json_node_ref (self->data);
}

CsBlueprint *
cs_candidate_get_blueprint (CsCandidate *self)
{
  g_return_val_if_fail (CS_IS_CANDIDATE (self), NULL);

  update_typed (self);
  if (self->blueprint == NULL && self->data != NULL)
    self->blueprint = cs_blueprint_new_from_json (self->data, NULL);
  return self->blueprint;
}

CsChecklist *
cs_candidate_get_checklist (CsCandidate *self)
{
  g_return_val_if_fail (CS_IS_CANDIDATE (self), NULL);

  update_typed (self);
  if (self->checklist == NULL && self->data != NULL)
    self->checklist = cs_checklist_new_from_json (self->data, NULL);
  return self->checklist;
}

const char *
cs_candidate_get_validation_error (CsCandidate *self)
{
  g_return_val_if_fail (CS_IS_CANDIDATE (self), NULL);
  return self->validation_error;
}

void
cs_candidate_set_validation_error (CsCandidate *self,
                                   const char  *message)
{
  g_return_if_fail (CS_IS_CANDIDATE (self));
  if (set_str (&self->validation_error, message))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VALIDATION_ERROR]);
}

gint64
cs_candidate_get_input_tokens (CsCandidate *self)
{
  g_return_val_if_fail (CS_IS_CANDIDATE (self), -1);
  return self->input_tokens;
}

gint64
cs_candidate_get_output_tokens (CsCandidate *self)
{
  g_return_val_if_fail (CS_IS_CANDIDATE (self), -1);
  return self->output_tokens;
}

gint64
cs_candidate_get_reasoning_tokens (CsCandidate *self)
{
  g_return_val_if_fail (CS_IS_CANDIDATE (self), -1);
  return self->reasoning_tokens;
}

static void
set_token (CsCandidate *self, gint64 *field, gint64 value, guint prop)
{
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

void
cs_candidate_set_usage (CsCandidate *self,
                        gint64       input_tokens,
                        gint64       output_tokens,
                        gint64       reasoning_tokens)
{
  g_return_if_fail (CS_IS_CANDIDATE (self));

  g_object_freeze_notify (G_OBJECT (self));
  set_token (self, &self->input_tokens, MAX (input_tokens, -1), PROP_INPUT_TOKENS);
  set_token (self, &self->output_tokens, MAX (output_tokens, -1), PROP_OUTPUT_TOKENS);
  set_token (self, &self->reasoning_tokens, MAX (reasoning_tokens, -1), PROP_REASONING_TOKENS);
  g_object_thaw_notify (G_OBJECT (self));
}

static gint64
add_known (gint64 a, gint64 b)
{
  if (a < 0)
    return b;
  if (b < 0)
    return a;
  /* counts come from the provider: saturate rather than overflow */
  return a > G_MAXINT64 - b ? G_MAXINT64 : a + b;
}

void
cs_candidate_add_usage (CsCandidate *self,
                        gint64       input_tokens,
                        gint64       output_tokens,
                        gint64       reasoning_tokens)
{
  g_return_if_fail (CS_IS_CANDIDATE (self));

  cs_candidate_set_usage (self,
                          add_known (self->input_tokens, input_tokens),
                          add_known (self->output_tokens, output_tokens),
                          add_known (self->reasoning_tokens, reasoning_tokens));
}

double
cs_candidate_get_cost_usd (CsCandidate *self)
{
  g_return_val_if_fail (CS_IS_CANDIDATE (self), 0);
  return self->cost_usd;
}

void
cs_candidate_set_cost_usd (CsCandidate *self,
                           double       cost)
{
  g_return_if_fail (CS_IS_CANDIDATE (self));
  if (self->cost_usd == cost)
    return;
  self->cost_usd = cost;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COST_USD]);
}

gint64
cs_candidate_get_ttft_ms (CsCandidate *self)
{
  g_return_val_if_fail (CS_IS_CANDIDATE (self), -1);
  return self->ttft_ms;
}

void
cs_candidate_set_ttft_ms (CsCandidate *self,
                          gint64       ms)
{
  g_return_if_fail (CS_IS_CANDIDATE (self));
  set_token (self, &self->ttft_ms, ms, PROP_TTFT_MS);
}

gint64
cs_candidate_get_duration_ms (CsCandidate *self)
{
  g_return_val_if_fail (CS_IS_CANDIDATE (self), -1);
  return self->duration_ms;
}

void
cs_candidate_set_duration_ms (CsCandidate *self,
                              gint64       ms)
{
  g_return_if_fail (CS_IS_CANDIDATE (self));
  set_token (self, &self->duration_ms, ms, PROP_DURATION_MS);
}

double
cs_candidate_get_tokens_per_second (CsCandidate *self)
{
  gint64 streaming_ms;

  g_return_val_if_fail (CS_IS_CANDIDATE (self), 0);

  if (self->output_tokens <= 0 || self->duration_ms <= 0)
    return 0;
  streaming_ms = self->duration_ms - MAX (self->ttft_ms, 0);
  if (streaming_ms <= 0)
    streaming_ms = self->duration_ms;
  return (double)self->output_tokens * 1000.0 / (double)streaming_ms;
}

guint
cs_candidate_get_attempts (CsCandidate *self)
{
  g_return_val_if_fail (CS_IS_CANDIDATE (self), 0);
  return self->attempts;
}

void
cs_candidate_set_attempts (CsCandidate *self,
                           guint        attempts)
{
  g_return_if_fail (CS_IS_CANDIDATE (self));
  if (self->attempts == attempts)
    return;
  self->attempts = attempts;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ATTEMPTS]);
}

/* Serialization */

static void
add_opt_string (JsonBuilder *b, const char *key, const char *value)
{
  json_builder_set_member_name (b, key);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
add_opt_int (JsonBuilder *b, const char *key, gint64 value)
{
  json_builder_set_member_name (b, key);
  if (value >= 0)
    json_builder_add_int_value (b, value);
  else
    json_builder_add_null_value (b);
}

JsonNode *
cs_candidate_to_json (CsCandidate *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  g_return_val_if_fail (CS_IS_CANDIDATE (self), NULL);

  json_builder_begin_object (b);
  add_opt_string (b, "id", self->id);
  add_opt_string (b, "model", self->model);
  add_opt_string (b, "angle", self->angle);
  json_builder_set_member_name (b, "temperature");
  if (isnan (self->temperature))
    json_builder_add_null_value (b);
  else
    json_builder_add_double_value (b, self->temperature);
  add_opt_string (b, "reasoning_effort", self->reasoning_effort);
  add_opt_string (b, "verbosity", self->verbosity);
  add_opt_int (b, "max_output_tokens", self->max_output_tokens > 0 ? self->max_output_tokens : -1);
  add_opt_int (b, "request_n", self->request_n > 0 ? (gint64) self->request_n : -1);
  add_opt_string (b, "status", cs_candidate_status_to_string (self->status));
  add_opt_string (b, "error", self->error);
  add_opt_string (b, "text", self->text->str);
  add_opt_string (b, "reasoning", self->reasoning->len ? self->reasoning->str : NULL);
  add_opt_string (b, "refusal", self->refusal->len ? self->refusal->str : NULL);
  add_opt_string (b, "finish_reason", self->finish_reason);
  json_builder_set_member_name (b, "data");
  if (self->data != NULL)
    json_builder_add_value (b, json_node_copy (self->data));
  else
    json_builder_add_null_value (b);
  add_opt_string (b, "validation_error", self->validation_error);
  json_builder_set_member_name (b, "usage");
  json_builder_begin_object (b);
  add_opt_int (b, "input_tokens", self->input_tokens);
  add_opt_int (b, "output_tokens", self->output_tokens);
  add_opt_int (b, "reasoning_tokens", self->reasoning_tokens);
  if (self->usage_estimated)
    {
      json_builder_set_member_name (b, "estimated");
      json_builder_add_boolean_value (b, TRUE);
    }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "cost_usd");
  json_builder_add_double_value (b, self->cost_usd);
  json_builder_set_member_name (b, "price_known");
  json_builder_add_boolean_value (b, self->price_known);
  add_opt_int (b, "ttft_ms", self->ttft_ms);
  add_opt_int (b, "duration_ms", self->duration_ms);
  json_builder_set_member_name (b, "tokens_per_second");
  json_builder_add_double_value (b, cs_candidate_get_tokens_per_second (self));
  json_builder_set_member_name (b, "attempts");
  json_builder_add_int_value (b, self->attempts);
  json_builder_end_object (b);

  return json_builder_get_root (b);
}

static gint64
get_int_or (JsonObject *obj, const char *key, gint64 fallback)
{
  double v;

  if (obj == NULL || !cs_json_get_number (obj, key, &v) || v < 0 || v > (double)G_MAXINT64 / 2)
    return fallback;
  return (gint64)v;
}

CsCandidate *
cs_candidate_new_from_json (JsonNode  *node,
                            GError   **error)
{
  g_autoptr(CsCandidate) self = NULL;
  JsonObject *obj;
  JsonObject *usage = NULL;
  JsonNode *member;
  const char *id, *model, *str;
  CsCandidateStatus status;
  double v;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "A candidate is not a JSON object");
      return NULL;
    }

  obj = json_node_get_object (node);
  id = cs_json_get_string (obj, "id");
  model = cs_json_get_string (obj, "model");
  if (id == NULL || model == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "A candidate has no id or model");
      return NULL;
    }

  self = cs_candidate_new (id, model, cs_json_get_string (obj, "angle"));
  if (cs_json_get_number (obj, "temperature", &v))
    self->temperature = v;
  self->reasoning_effort = g_strdup (cs_json_get_string (obj, "reasoning_effort"));
  self->verbosity = g_strdup (cs_json_get_string (obj, "verbosity"));
  self->max_output_tokens = get_int_or (obj, "max_output_tokens", 0);
  self->request_n = (guint) CLAMP (get_int_or (obj, "request_n", 0), 0, 1024);
  member = json_object_get_member (obj, "price_known");
  if (member != NULL && JSON_NODE_HOLDS_VALUE (member) &&
      json_node_get_value_type (member) == G_TYPE_BOOLEAN)
    self->price_known = json_node_get_boolean (member);
  if (cs_candidate_status_from_string (cs_json_get_string (obj, "status"), &status))
    self->status = status;
  else
    self->status = CS_CANDIDATE_FAILED;
  self->error = g_strdup (cs_json_get_string (obj, "error"));
  if ((str = cs_json_get_string (obj, "text")))
    g_string_assign (self->text, str);
  if ((str = cs_json_get_string (obj, "reasoning")))
    g_string_assign (self->reasoning, str);
  if ((str = cs_json_get_string (obj, "refusal")))
    g_string_assign (self->refusal, str);
  self->finish_reason = g_strdup (cs_json_get_string (obj, "finish_reason"));
  member = json_object_get_member (obj, "data");
  if (member != NULL && JSON_NODE_HOLDS_OBJECT (member))
    self->data = json_node_copy (member);
  self->validation_error = g_strdup (cs_json_get_string (obj, "validation_error"));

  member = json_object_get_member (obj, "usage");
  if (member != NULL && JSON_NODE_HOLDS_OBJECT (member))
    usage = json_node_get_object (member);
  self->input_tokens = get_int_or (usage, "input_tokens", -1);
  self->output_tokens = get_int_or (usage, "output_tokens", -1);
  self->reasoning_tokens = get_int_or (usage, "reasoning_tokens", -1);
  /* files before the member: all usage reported */
  self->usage_estimated = usage != NULL && cs_json_get_bool (usage, "estimated");
  if (cs_json_get_number (obj, "cost_usd", &v) && v >= 0)
    self->cost_usd = v;
  self->ttft_ms = get_int_or (obj, "ttft_ms", -1);
  self->duration_ms = get_int_or (obj, "duration_ms", -1);
  self->attempts = (guint)CLAMP (get_int_or (obj, "attempts", 0), 0, G_MAXUINT);

  return g_steal_pointer (&self);
}
