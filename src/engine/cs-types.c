/* cs-types.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-types"

#include "config.h"

#include <string.h>

#include "cs-types.h"

#define DEFINE_ENUM_TYPE(func, Name, ...)                                 \
  GType func (void)                                                       \
  {                                                                       \
    static gsize type_id = 0;                                             \
    if (g_once_init_enter (&type_id))                                     \
      {                                                                   \
        static const GEnumValue values[] = { __VA_ARGS__, { 0, NULL, NULL } }; \
        GType t = g_enum_register_static (g_intern_static_string (Name), values); \
        g_once_init_leave (&type_id, t);                                  \
      }                                                                   \
    return type_id;                                                       \
  }

DEFINE_ENUM_TYPE (cs_mode_get_type, "CsMode",
                  { CS_MODE_ARCHITECT, "CS_MODE_ARCHITECT", "architect" },
                  { CS_MODE_SUPPORT, "CS_MODE_SUPPORT", "support" })

DEFINE_ENUM_TYPE (cs_api_dialect_get_type, "CsApiDialect",
                  { CS_API_OPENAI_CHAT, "CS_API_OPENAI_CHAT", "openai-chat" },
                  { CS_API_OPENAI_RESPONSES, "CS_API_OPENAI_RESPONSES", "openai-responses" },
                  { CS_API_OLLAMA, "CS_API_OLLAMA", "ollama" })

DEFINE_ENUM_TYPE (cs_candidate_status_get_type, "CsCandidateStatus",
                  { CS_CANDIDATE_QUEUED, "CS_CANDIDATE_QUEUED", "queued" },
                  { CS_CANDIDATE_THINKING, "CS_CANDIDATE_THINKING", "thinking" },
                  { CS_CANDIDATE_STREAMING, "CS_CANDIDATE_STREAMING", "streaming" },
                  { CS_CANDIDATE_OK, "CS_CANDIDATE_OK", "ok" },
                  { CS_CANDIDATE_FAILED, "CS_CANDIDATE_FAILED", "failed" },
                  { CS_CANDIDATE_REFUSED, "CS_CANDIDATE_REFUSED", "refused" },
                  { CS_CANDIDATE_INVALID, "CS_CANDIDATE_INVALID", "invalid" },
                  { CS_CANDIDATE_TRUNCATED, "CS_CANDIDATE_TRUNCATED", "truncated" },
                  { CS_CANDIDATE_CANCELLED, "CS_CANDIDATE_CANCELLED", "cancelled" })

DEFINE_ENUM_TYPE (cs_run_state_get_type, "CsRunState",
                  { CS_RUN_DRAFT, "CS_RUN_DRAFT", "draft" },
                  { CS_RUN_RUNNING, "CS_RUN_RUNNING", "running" },
                  { CS_RUN_SYNTHESIZING, "CS_RUN_SYNTHESIZING", "synthesizing" },
                  { CS_RUN_DONE, "CS_RUN_DONE", "done" },
                  { CS_RUN_FAILED, "CS_RUN_FAILED", "failed" },
                  { CS_RUN_CANCELLED, "CS_RUN_CANCELLED", "cancelled" })

static const char *
enum_to_nick (GType type, int value)
{
  GEnumClass *klass = g_type_class_ref (type);
  GEnumValue *v = g_enum_get_value (klass, value);
  const char *nick = v ? v->value_nick : NULL;

  g_type_class_unref (klass);
  return nick;
}

static gboolean
enum_from_nick (GType type, const char *str, int *out)
{
  GEnumClass *klass;
  GEnumValue *v;

  if (str == NULL)
    return FALSE;

  klass = g_type_class_ref (type);
  v = g_enum_get_value_by_nick (klass, str);
  if (v != NULL && out != NULL)
    *out = v->value;
  g_type_class_unref (klass);
  return v != NULL;
}

const char *
cs_mode_to_string (CsMode mode)
{
  return enum_to_nick (CS_TYPE_MODE, mode);
}

gboolean
cs_mode_from_string (const char *str, CsMode *out)
{
  int v;
  if (!enum_from_nick (CS_TYPE_MODE, str, &v))
    return FALSE;
  if (out)
    *out = v;
  return TRUE;
}

const char *
cs_api_dialect_to_string (CsApiDialect api)
{
  return enum_to_nick (CS_TYPE_API_DIALECT, api);
}

gboolean
cs_api_dialect_from_string (const char *str, CsApiDialect *out)
{
  int v;
  if (!enum_from_nick (CS_TYPE_API_DIALECT, str, &v))
    return FALSE;
  if (out)
    *out = v;
  return TRUE;
}

const char *
cs_candidate_status_to_string (CsCandidateStatus status)
{
  return enum_to_nick (CS_TYPE_CANDIDATE_STATUS, status);
}

gboolean
cs_candidate_status_from_string (const char *str, CsCandidateStatus *out)
{
  int v;
  if (!enum_from_nick (CS_TYPE_CANDIDATE_STATUS, str, &v))
    return FALSE;
  if (out)
    *out = v;
  return TRUE;
}

gboolean
cs_candidate_status_is_final (CsCandidateStatus status)
{
  return status != CS_CANDIDATE_QUEUED &&
         status != CS_CANDIDATE_THINKING &&
         status != CS_CANDIDATE_STREAMING;
}

gboolean
cs_candidate_status_can_retry (CsCandidateStatus status)
{
  return status == CS_CANDIDATE_FAILED ||
         status == CS_CANDIDATE_REFUSED ||
         status == CS_CANDIDATE_INVALID ||
         status == CS_CANDIDATE_TRUNCATED;
}

const char *
cs_run_state_to_string (CsRunState state)
{
  return enum_to_nick (CS_TYPE_RUN_STATE, state);
}

gboolean
cs_run_state_from_string (const char *str, CsRunState *out)
{
  int v;
  if (!enum_from_nick (CS_TYPE_RUN_STATE, str, &v))
    return FALSE;
  if (out)
    *out = v;
  return TRUE;
}
