/* cs-types.h: forward declarations and shared enums of the Consilium engine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct _CsCandidate      CsCandidate;
typedef struct _CsRun            CsRun;
typedef struct _CsConfig         CsConfig;
typedef struct _CsProviderClient CsProviderClient;
typedef struct _CsRunStore       CsRunStore;
typedef struct _CsRunner         CsRunner;
typedef struct _CsSecrets        CsSecrets;

/* What the person asked for. */
typedef enum {
  CS_MODE_ARCHITECT,
  CS_MODE_SUPPORT,
} CsMode;

/* The wire dialect a provider speaks. */
typedef enum {
  CS_API_OPENAI_CHAT,
  CS_API_OPENAI_RESPONSES,
  CS_API_OLLAMA,
} CsApiDialect;

/* The life of one candidate. QUEUED, THINKING and STREAMING are live states;
 * the others are final. OK means text arrived, parsed and validated. */
typedef enum {
  CS_CANDIDATE_QUEUED,
  CS_CANDIDATE_THINKING,
  CS_CANDIDATE_STREAMING,
  CS_CANDIDATE_OK,
  CS_CANDIDATE_FAILED,
  CS_CANDIDATE_REFUSED,
  CS_CANDIDATE_INVALID,
  CS_CANDIDATE_TRUNCATED,
  CS_CANDIDATE_CANCELLED,
} CsCandidateStatus;

/* The life of a run. */
typedef enum {
  CS_RUN_DRAFT,
  CS_RUN_RUNNING,
  CS_RUN_SYNTHESIZING,
  CS_RUN_DONE,         /* a synthesized result exists */
  CS_RUN_FAILED,       /* no candidate succeeded */
  CS_RUN_CANCELLED,
} CsRunState;

#define CS_TYPE_MODE             (cs_mode_get_type ())
#define CS_TYPE_API_DIALECT      (cs_api_dialect_get_type ())
#define CS_TYPE_CANDIDATE_STATUS (cs_candidate_status_get_type ())
#define CS_TYPE_RUN_STATE        (cs_run_state_get_type ())

GType        cs_mode_get_type             (void) G_GNUC_CONST;
GType        cs_api_dialect_get_type      (void) G_GNUC_CONST;
GType        cs_candidate_status_get_type (void) G_GNUC_CONST;
GType        cs_run_state_get_type        (void) G_GNUC_CONST;

/* Stable names used in files, JSON and the command line:
 * mode "architect"/"support"; api "openai-chat"/"openai-responses"/"ollama";
 * status "queued","thinking","streaming","ok","failed","refused","invalid",
 * "truncated","cancelled"; run state "draft","running","synthesizing","done",
 * "failed","cancelled". from_string returns FALSE for an unknown name. */
const char  *cs_mode_to_string             (CsMode mode);
gboolean     cs_mode_from_string           (const char *str, CsMode *out);
const char  *cs_api_dialect_to_string      (CsApiDialect api);
gboolean     cs_api_dialect_from_string    (const char *str, CsApiDialect *out);
const char  *cs_candidate_status_to_string (CsCandidateStatus status);
gboolean     cs_candidate_status_from_string (const char *str, CsCandidateStatus *out);
gboolean     cs_candidate_status_is_final  (CsCandidateStatus status);
/* Whether a candidate that ended in @status is offered a retry (the app's
 * Retry, consilium-cli --retry, the API's retry route): it ended without
 * an answer of its own accord (failed, refused, invalid, truncated); a
 * cancelled one was stopped on purpose and is not. */
gboolean     cs_candidate_status_can_retry (CsCandidateStatus status);
const char  *cs_run_state_to_string        (CsRunState state);
gboolean     cs_run_state_from_string      (const char *str, CsRunState *out);

G_END_DECLS
