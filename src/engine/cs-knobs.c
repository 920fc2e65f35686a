/* cs-knobs.c: a model's settings overridden for one run
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-knobs"

#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#include <gio/gio.h>

#include "cs-config-private.h"
#include "cs-knobs.h"

#define KNOB_MAX_N 128

CsKnobs *
cs_knobs_new (void)
{
  CsKnobs *self = g_new0 (CsKnobs, 1);

  self->temperature = NAN;
  return self;
}

CsKnobs *
cs_knobs_copy (const CsKnobs *self)
{
  CsKnobs *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_memdup2 (self, sizeof *self);
  copy->reasoning_effort = g_strdup (self->reasoning_effort);
  copy->verbosity = g_strdup (self->verbosity);
  return copy;
}

void
cs_knobs_free (CsKnobs *self)
{
  if (self == NULL)
    return;
  g_free (self->reasoning_effort);
  g_free (self->verbosity);
  g_free (self);
}

gboolean
cs_knobs_is_empty (const CsKnobs *self)
{
  return self == NULL ||
         (isnan (self->temperature) && self->reasoning_effort == NULL &&
          self->verbosity == NULL && self->max_output_tokens == 0 && self->n == 0);
}

gboolean
cs_knobs_equal (const CsKnobs *a,
                const CsKnobs *b)
{
  if (cs_knobs_is_empty (a) || cs_knobs_is_empty (b))
    return cs_knobs_is_empty (a) == cs_knobs_is_empty (b);
  return (a->temperature == b->temperature ||
          (isnan (a->temperature) && isnan (b->temperature))) &&
         g_strcmp0 (a->reasoning_effort, b->reasoning_effort) == 0 &&
         g_strcmp0 (a->verbosity, b->verbosity) == 0 &&
         a->max_output_tokens == b->max_output_tokens &&
         a->n == b->n;
}

void
cs_knobs_merge (CsKnobs       *self,
                const CsKnobs *over)
{
  g_return_if_fail (self != NULL);

  if (over == NULL)
    return;
  if (!isnan (over->temperature))
    self->temperature = over->temperature;
  if (over->reasoning_effort != NULL)
    {
      g_free (self->reasoning_effort);
      self->reasoning_effort = g_strdup (over->reasoning_effort);
    }
  if (over->verbosity != NULL)
    {
      g_free (self->verbosity);
      self->verbosity = g_strdup (over->verbosity);
    }
  if (over->max_output_tokens > 0)
    self->max_output_tokens = over->max_output_tokens;
  if (over->n > 0)
    self->n = over->n;
}

static gboolean
parse_uint (const char *value,
            guint64     min,
            guint64     max,
            guint64    *out)
{
  guint64 v;

  if (!g_ascii_string_to_unsigned (value, 10, min, max, &v, NULL))
    return FALSE;
  *out = v;
  return TRUE;
}

static gboolean
invalid (GError    **error,
         const char *key,
         const char *value,
         const char *takes)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               /* Translators: "temperature: "3" is not a number from 0 to 2" */
               _("%s: \"%s\" is not %s"), key, value, takes);
  return FALSE;
}

gboolean
cs_knobs_set (CsKnobs     *self,
              const char  *key,
              const char  *value,
              GError     **error)
{
  g_autofree char *k = NULL;
  gboolean unset;
  guint64 u;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  k = g_strdelimit (g_ascii_strdown (key, -1), "_", '-');
  value = value != NULL ? value : "";
  unset = value[0] == '\0';

  if (g_str_equal (k, "temperature"))
    {
      char *end = NULL;
      double t = unset ? NAN : g_ascii_strtod (value, &end);

      if (!unset && (end == value || *end != '\0' || !isfinite (t) || t < 0 || t > MAX_TEMPERATURE))
        return invalid (error, key, value, _("a number from 0 to 2"));
      self->temperature = t;
    }
  else if (g_str_equal (k, "reasoning-effort") || g_str_equal (k, "reasoning"))
    {
      if (!unset && !_cs_config_is_reasoning_effort (value))
        return invalid (error, key, value, _("one of minimal, low, medium, high"));
      g_free (self->reasoning_effort);
      self->reasoning_effort = unset ? NULL : g_strdup (value);
    }
  else if (g_str_equal (k, "verbosity"))
    {
      if (!unset && !_cs_config_is_verbosity (value))
        return invalid (error, key, value, _("one of low, medium, high"));
      g_free (self->verbosity);
      self->verbosity = unset ? NULL : g_strdup (value);
    }
  else if (g_str_equal (k, "max-output-tokens") || g_str_equal (k, "max-tokens"))
    {
      if (unset)
        self->max_output_tokens = 0;
      else if (parse_uint (value, 1, 100000000, &u))
        self->max_output_tokens = u;
      else
        return invalid (error, key, value, _("a whole number from 1 to 100000000"));
    }
  else if (g_str_equal (k, "n"))
    {
      if (unset)
        self->n = 0;
      else if (parse_uint (value, 1, KNOB_MAX_N, &u))
        self->n = (guint) u;
      else
        return invalid (error, key, value, _("a whole number from 1 to 128"));
    }
  else
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("unknown option \"%s\" (known: temperature, reasoning-effort, verbosity, "
                     "max-output-tokens, n)"), key);
      return FALSE;
    }

  return TRUE;
}

static gboolean
is_key_char (char c)
{
  return g_ascii_isalnum (c) || c == '-' || c == '_';
}

gboolean
cs_knobs_parse_option (const char  *option,
                       char       **model_out,
                       char       **key_out,
                       char       **value_out,
                       GError     **error)
{
  const char *at;
  const char *key;
  const char *eq;

  g_return_val_if_fail (option != NULL, FALSE);

  /* The key and value hold no '@': the model is all before the last one. */
  at = strrchr (option, '@');
  key = at != NULL ? at + 1 : option;
  eq = strchr (key, '=');
  if (eq == NULL || eq == key || (at != NULL && at == option))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("\"%s\" is not KEY=VALUE or MODEL@KEY=VALUE"), option);
      return FALSE;
    }
  for (const char *p = key; p < eq; p++)
    if (!is_key_char (*p))
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                     _("\"%s\" is not KEY=VALUE or MODEL@KEY=VALUE"), option);
        return FALSE;
      }

  if (model_out != NULL)
    *model_out = at != NULL ? g_strndup (option, at - option) : NULL;
  if (key_out != NULL)
    *key_out = g_strndup (key, eq - key);
  if (value_out != NULL)
    *value_out = g_strdup (eq + 1);
  return TRUE;
}

char *
cs_knobs_to_string (const CsKnobs *self)
{
  g_autoptr(GString) s = g_string_new (NULL);

  if (self == NULL)
    return g_string_free (g_steal_pointer (&s), FALSE);
  if (!isnan (self->temperature))
    {
      char buf[G_ASCII_DTOSTR_BUF_SIZE];
      g_string_append_printf (s, "temperature=%s",
                              g_ascii_formatd (buf, sizeof buf, "%g", self->temperature));
    }
  if (self->reasoning_effort != NULL)
    g_string_append_printf (s, "%sreasoning-effort=%s", s->len ? ", " : "", self->reasoning_effort);
  if (self->verbosity != NULL)
    g_string_append_printf (s, "%sverbosity=%s", s->len ? ", " : "", self->verbosity);
  if (self->max_output_tokens > 0)
    g_string_append_printf (s, "%smax-output-tokens=%" G_GUINT64_FORMAT, s->len ? ", " : "",
                            self->max_output_tokens);
  if (self->n > 0)
    g_string_append_printf (s, "%sn=%u", s->len ? ", " : "", self->n);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

CsKnobs *
cs_knobs_new_from_candidate (CsCandidate *candidate)
{
  CsKnobs *k;

  g_return_val_if_fail (CS_IS_CANDIDATE (candidate), NULL);

  k = cs_knobs_new ();
  k->temperature = cs_candidate_get_temperature (candidate);
  k->reasoning_effort = g_strdup (cs_candidate_get_reasoning_effort (candidate));
  k->verbosity = g_strdup (cs_candidate_get_verbosity (candidate));
  k->max_output_tokens = (guint64) MAX (cs_candidate_get_max_output_tokens (candidate), 0);
  k->n = cs_candidate_get_request_n (candidate);
  return k;
}

char *
cs_knobs_describe_candidate (CsCandidate *candidate)
{
  g_autoptr(CsKnobs) k = NULL;

  g_return_val_if_fail (CS_IS_CANDIDATE (candidate), NULL);

  k = cs_knobs_new_from_candidate (candidate);
  if (k->n <= 1)
    k->n = 0;
  return cs_knobs_to_string (k);
}

JsonNode *
cs_knobs_to_json (const CsKnobs *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  g_return_val_if_fail (self != NULL, NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "temperature");
  if (isnan (self->temperature))
    json_builder_add_null_value (b);
  else
    json_builder_add_double_value (b, self->temperature);
  json_builder_set_member_name (b, "reasoning_effort");
  if (self->reasoning_effort != NULL)
    json_builder_add_string_value (b, self->reasoning_effort);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "verbosity");
  if (self->verbosity != NULL)
    json_builder_add_string_value (b, self->verbosity);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "max_output_tokens");
  if (self->max_output_tokens > 0)
    json_builder_add_int_value (b, (gint64) MIN (self->max_output_tokens, G_MAXINT64));
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* A string member only if it is one of @allowed: the file may be hostile. */
static char *
read_choice (JsonObject         *obj,
             const char         *member,
             const char * const *allowed)
{
  JsonNode *node = json_object_get_member (obj, member);
  const char *value;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  value = json_node_get_string (node);
  return g_strv_contains (allowed, value) ? g_strdup (value) : NULL;
}

CsKnobs *
cs_knobs_new_from_json (JsonNode *node)
{
  static const char * const efforts[] = { "minimal", "low", "medium", "high", NULL };
  static const char * const verbosities[] = { "low", "medium", "high", NULL };
  CsKnobs *k;
  JsonObject *obj;
  JsonNode *member;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  obj = json_node_get_object (node);
  k = cs_knobs_new ();
  member = json_object_get_member (obj, "temperature");
  if (member != NULL && JSON_NODE_HOLDS_VALUE (member) &&
      (json_node_get_value_type (member) == G_TYPE_DOUBLE || json_node_get_value_type (member) == G_TYPE_INT64))
    {
      double t = json_node_get_double (member);

      if (isfinite (t) && t >= 0 && t <= 2)
        k->temperature = t;
    }
  k->reasoning_effort = read_choice (obj, "reasoning_effort", efforts);
  k->verbosity = read_choice (obj, "verbosity", verbosities);
  member = json_object_get_member (obj, "max_output_tokens");
  if (member != NULL && JSON_NODE_HOLDS_VALUE (member) && json_node_get_value_type (member) == G_TYPE_INT64 &&
      json_node_get_int (member) > 0)
    k->max_output_tokens = (guint64) json_node_get_int (member);
  return k;
}

CsModelConfig *
cs_knobs_apply_exact (const CsKnobs       *recorded,
                      const CsModelConfig *model,
                      CsApiDialect         dialect)
{
  g_autoptr(CsModelConfig) m = NULL;

  g_return_val_if_fail (recorded != NULL, NULL);
  g_return_val_if_fail (model != NULL, NULL);

  m = cs_model_config_copy (model);
  m->temperature = recorded->temperature;
  g_free (m->reasoning_effort);
  m->reasoning_effort = g_strdup (recorded->reasoning_effort);
  g_free (m->verbosity);
  m->verbosity = g_strdup (recorded->verbosity);
  m->max_output_tokens = recorded->max_output_tokens;
  if (recorded->n > 0)
    m->max_n = recorded->n;
  return cs_knobs_apply (NULL, m, dialect);
}

CsModelConfig *
cs_knobs_apply (const CsKnobs       *self,
                const CsModelConfig *model,
                CsApiDialect         dialect)
{
  CsModelConfig *m;

  g_return_val_if_fail (model != NULL, NULL);

  m = cs_model_config_copy (model);
  if (self != NULL)
    {
      if (!isnan (self->temperature))
        m->temperature = self->temperature;
      if (self->reasoning_effort != NULL)
        {
          g_free (m->reasoning_effort);
          m->reasoning_effort = g_strdup (self->reasoning_effort);
        }
      if (self->verbosity != NULL)
        {
          g_free (m->verbosity);
          m->verbosity = g_strdup (self->verbosity);
        }
      if (self->max_output_tokens > 0)
        m->max_output_tokens = self->max_output_tokens;
      if (self->n > 0)
        m->max_n = self->n;
    }

  if (!m->supports_temperature)
    m->temperature = NAN;
  /* only Chat Completions returns several choices to one request */
  if (dialect != CS_API_OPENAI_CHAT)
    m->max_n = 1;
  /* Ollama's API has no verbosity (GPT-5's, on OpenAI's two APIs) */
  if (dialect == CS_API_OLLAMA)
    g_clear_pointer (&m->verbosity, g_free);
  return m;
}
