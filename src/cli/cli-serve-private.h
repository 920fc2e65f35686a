/* cli-serve-private.h: what the files of consilium-cli --serve share
 *
 * - cli-serve.c: the server's life: listening, the runs it started and
 *   their queue, SIGTERM;
 * - cli-serve-auth.c: the token, the Host and Origin checks;
 * - cli-serve-routes.c: the routes and their JSON;
 * - cli-serve-events.c: a run's events, kept (bounded) and streamed as
 *   server-sent events;
 * - cli-serve-follow-up.c: follow-up rounds on a finished run;
 * - cli-serve-retry.c: one candidate of a finished run asked again;
 * - cli-serve-store.c: the runs folder as it is when a request comes in;
 * - cli-serve-openapi.c: the OpenAPI document of the routes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "cli-private.h"

G_BEGIN_DECLS

#define SERVE_DEFAULT_PORT        8731
#define SERVE_MAX_BODY_BYTES      (2 * 1024 * 1024)
#define SERVE_MAX_PROBLEM_BYTES   (1024 * 1024)
#define SERVE_MAX_MODELS          64
#define SERVE_MAX_CONSTRAINTS     64
#define SERVE_DEFAULT_MAX_RUNS    4
#define SERVE_DEFAULT_MAX_QUEUED  16
#define SERVE_MAX_EVENTS          4096     /* kept per run; older ones folded into a snapshot */
#define SERVE_KEEPALIVE_S         15
#define SERVE_SHUTDOWN_MS         5000

#define SERVE_STATUS_TOO_MANY_REQUESTS 429  /* not in libsoup 3.2's SoupStatus */

typedef struct _Serve       Serve;
typedef struct _ServeRun    ServeRun;
typedef struct _ServeEvents ServeEvents;

/* A run this server started or queued. */
struct _ServeRun
{
  Serve        *serve;
  CsRun        *run;
  GStrv         models;
  guint         quorum;
  guint         deadline_s;
  ServeEvents  *events;
  gboolean      started;
  gboolean      ended;
  gint64        started_us;
  CsRunner     *follow_up;              /* a follow-up round or a retry in progress */
  GCancellable *follow_up_cancellable;
};

struct _Serve
{
  const CliOptions *options;
  CsConfig      *config;
  CsRunStore    *store;
  CsRunManager  *manager;
  SoupServer    *server;
  GMainLoop     *loop;

  char          *token;
  char          *token_path;
  gboolean       own_token_file;   /* written by us: removed at exit */
  GStrv          hosts;            /* Host header names accepted (without port) */
  guint          port;

  GHashTable    *runs;             /* id → ServeRun, owned */
  GQueue         queued;           /* of ServeRun, waiting for a slot */
  guint          max_runs;
  guint          max_queued;
  gint64         total_run_us;     /* of the runs that ended here */
  guint          n_ended;
  guint          n_follow_ups;     /* rounds in progress (cli-serve-follow-up.c) */
  gboolean       stopping;
};

/* cli-serve.c */
ServeRun   *serve_find_run          (Serve             *serve,
                                     const char        *id);
/* Queues or starts a validated run; FALSE (and nothing kept) when the
 * queue is full, with the seconds a client should wait. */
gboolean    serve_submit            (Serve             *serve,
                                     CsRun             *run,
                                     GStrv              models,
                                     guint              quorum,
                                     guint              deadline_s,
                                     guint             *retry_after_s);
/* Runs and follow-up rounds in progress. */
guint       serve_n_running         (Serve             *serve);
/* The seconds a refused client should wait. */
guint       serve_retry_after       (Serve             *serve);
/* Starts queued runs while there are free slots. */
void        serve_start_next        (Serve             *serve);
/* Cancels a queued or running run; FALSE if it had already ended. */
gboolean    serve_cancel            (Serve             *serve,
                                     ServeRun          *srun);

/* cli-serve-auth.c */
/* Makes the token (written to @path, mode 0600) or reads --token-file. */
gboolean    serve_auth_setup        (Serve             *serve,
                                     GError           **error);
void        serve_auth_cleanup      (Serve             *serve);
/* The names a Host header may carry for @listen (NULL: loopback). */
GStrv       serve_auth_hosts        (const char        *listen);
/* Answers @msg and returns FALSE when it may not go on: a foreign Host
 * (403), an Origin not allowed (403), no or a wrong token (401). A CORS
 * preflight for the allowed origin is answered here too (FALSE). */
gboolean    serve_auth_check        (Serve             *serve,
                                     SoupServerMessage *msg);

/* cli-serve-routes.c */
void        serve_routes_handle     (Serve             *serve,
                                     SoupServerMessage *msg,
                                     const char        *path);
void        serve_reply_json        (SoupServerMessage *msg,
                                     guint              status,
                                     JsonNode          *node);
void        serve_reply_error       (SoupServerMessage *msg,
                                     guint              status,
                                     const char        *code,
                                     const char        *message);
/* The route table, for the OpenAPI document and its test. */
typedef struct {
  const char *method;
  const char *pattern;     /* "/v1/runs/{id}" */
  const char *operation;
  const char *summary;
} ServeRoute;
const ServeRoute *serve_routes_list (guint             *n_routes);

/* cli-serve-events.c */
ServeEvents *serve_events_new       (void);
void         serve_events_free      (ServeEvents       *events);
/* Follows @srun's run and candidates (after it was planned). */
void         serve_events_attach    (ServeRun          *srun);
/* The run ended: "error" when it failed, then "done"; streams end. */
void         serve_events_end       (ServeRun          *srun,
                                     const char        *failure);
/* Answers @msg with the event stream of @srun from after @last_id. */
void         serve_events_stream    (ServeRun          *srun,
                                     SoupServerMessage *msg,
                                     guint64            last_id);
/* A saved run not started here: its final state as a stream. */
void         serve_events_stream_saved (CsRun          *run,
                                        SoupServerMessage *msg);
/* A follow-up round begins: a "round" event, and the run followed again. */
void         serve_events_reopen    (ServeRun          *srun,
                                     guint              round,
                                     CsRoundScope       scope);
/* The same after an event of @type with @b's object (a "retry"). */
void         serve_events_reopen_with (ServeRun        *srun,
                                       const char      *type,
                                       JsonBuilder     *b);
/* The id of the last event so far (0 for none). */
guint64      serve_events_last_id   (ServeEvents       *events);
/* Ends every stream (the server stops). */
void         serve_events_close_all (ServeRun          *srun);

/* cli-serve-follow-up.c */
/* POST /v1/runs/{id}/follow-ups on @run with the parsed @body. */
void         serve_follow_up        (Serve             *serve,
                                     SoupServerMessage *msg,
                                     CsRun             *run,
                                     JsonObject        *body);
void         serve_follow_ups_cancel (Serve            *serve);
/* The ServeRun of a run this server did not start, made for its rounds
 * and retries. */
ServeRun    *serve_adopt_run        (Serve             *serve,
                                     CsRun             *run);
/* What a follow-up round and a retry share. Over --max-runs: 429 with
 * Retry-After, and TRUE. */
gboolean     serve_refuse_too_many  (Serve             *serve,
                                     SoupServerMessage *msg);
/* @run runs again with @runner: its ServeRun (adopted when this server did
 * not start it) holds the runner and a new cancellable; *@last_id, the id
 * of its last event before. */
ServeRun    *serve_reopen_begin     (Serve             *serve,
                                     CsRun             *run,
                                     CsRunner          *runner,
                                     guint64           *last_id);
/* It ended: the run saved, @failure (or NULL) and "done" on its stream,
 * the next waiting run started. */
void         serve_reopen_end       (ServeRun          *srun,
                                     const char        *failure);
/* The reply @status: {id, events, @member: @value (taken), last_event_id}. */
void         serve_reply_reopened   (SoupServerMessage *msg,
                                     guint              status,
                                     ServeRun          *srun,
                                     const char        *member,
                                     JsonNode          *value,
                                     guint64            last_id);

/* cli-serve-retry.c */
/* POST /v1/runs/{id}/candidates/{cid}/retry on @run. */
void         serve_retry            (Serve             *serve,
                                     SoupServerMessage *msg,
                                     CsRun             *run,
                                     const char        *candidate_id);

/* cli-serve-store.c */
/* The store brought up to date with the runs folder; the ServeRuns of runs
 * that ended here and were changed or removed by another process since,
 * dropped. */
void         serve_store_refresh    (Serve             *serve);

/* cli-serve-openapi.c */
JsonNode    *serve_openapi_document (Serve             *serve);

/* The entry point: consilium-cli --serve. */
int          cli_serve              (const CliOptions  *options,
                                     CsConfig          *config);

G_END_DECLS
