/* cli-serve-events.c: a run's events, kept and streamed as server-sent
 * events (GET /v1/runs/{id}/events)
 *
 * Events, each with an "id:" (1, 2, 3… per run) and JSON data:
 *   candidate  {candidate, model, status, error}   a candidate's status changed
 *   delta      {candidate, kind, text[, replace]}  text, reasoning or refusal streamed;
 *              replace: the whole text so far (a new attempt cleared it)
 *   synthesis  {stage: "started"} and {stage: "result", synthesis}
 *   error      {code, message}                     the run failed
 *   done       {state, message, run, markdown}     the last event; the stream ends
 *   round      {round, scope}                      a follow-up round begins (after a done)
 *   retry      {candidate, model}                  a candidate is asked again (after a done)
 *   snapshot   {candidates[], synthesis}           every event up to its id at once
 *
 * A run keeps its last SERVE_MAX_EVENTS events; older ones are folded into
 * a snapshot (each candidate's status, error, text and reasoning so far).
 * A client that resumes with Last-Event-ID gets the events after that id,
 * or, when some of those were folded, the snapshot first: nothing is lost.
 * A client that goes away leaves the run running; its stream is dropped.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "consilium-cli"

#include "config.h"

#include <string.h>

#include "cli-serve-private.h"

#define KEEPALIVE ": keep-alive\n\n"
#define PREAMBLE  ": consilium run events\nretry: 2000\n\n"

typedef struct {
  guint64  id;
  char    *type;
  char    *data;     /* JSON, one line */
} Event;

/* A candidate as of the last folded event. */
typedef struct {
  char    *id;
  char    *model;
  char    *status;
  char    *error;
  GString *text[3];  /* CsStreamKind: text, reasoning, refusal */
} Folded;

typedef struct {
  ServeEvents       *events;
  SoupServerMessage *msg;
  guint64            sent_id;
  GSource           *keepalive;
  gboolean           complete;
} Stream;

struct _ServeEvents
{
  ServeRun  *srun;
  GQueue     queue;        /* of Event */
  guint64    next_id;
  guint64    base_id;      /* the last folded event, 0 for none */
  GPtrArray *folded;       /* of Folded, in candidate order */
  JsonNode  *synthesis;    /* folded "result" */
  GList     *streams;      /* of Stream */
  gboolean   ended;
};

static const char * const kind_names[] = { "text", "reasoning", "refusal" };

static void stream_flush (Stream *s);

static void
event_free (Event *e)
{
  g_free (e->type);
  g_free (e->data);
  g_free (e);
}

static void
folded_free (gpointer data)
{
  Folded *f = data;

  g_free (f->id);
  g_free (f->model);
  g_free (f->status);
  g_free (f->error);
  for (guint i = 0; i < G_N_ELEMENTS (f->text); i++)
    g_string_free (f->text[i], TRUE);
  g_free (f);
}

ServeEvents *
serve_events_new (void)
{
  ServeEvents *events = g_new0 (ServeEvents, 1);

  g_queue_init (&events->queue);
  events->next_id = 1;
  events->folded = g_ptr_array_new_with_free_func (folded_free);
  return events;
}

static JsonNode *
parse_line (const char *data)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (!json_parser_load_from_data (parser, data, -1, NULL) || json_parser_get_root (parser) == NULL)
    return NULL;
  return json_node_copy (json_parser_get_root (parser));
}

static Folded *
folded_for (ServeEvents *events,
            const char  *id)
{
  Folded *f;

  for (guint i = 0; i < events->folded->len; i++)
    if (g_str_equal (((Folded *) g_ptr_array_index (events->folded, i))->id, id))
      return g_ptr_array_index (events->folded, i);
  f = g_new0 (Folded, 1);
  f->id = g_strdup (id);
  for (guint i = 0; i < G_N_ELEMENTS (f->text); i++)
    f->text[i] = g_string_new (NULL);
  g_ptr_array_add (events->folded, f);
  return f;
}

/* The oldest event, applied to the snapshot and dropped. */
static void
fold_oldest (ServeEvents *events)
{
  Event *e = g_queue_pop_head (&events->queue);
  g_autoptr(JsonNode) node = parse_line (e->data);
  JsonObject *o = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  const char *cid = o != NULL ? json_object_get_string_member_with_default (o, "candidate", NULL) : NULL;

  events->base_id = e->id;
  if (cid != NULL && g_str_equal (e->type, "candidate"))
    {
      Folded *f = folded_for (events, cid);

      g_free (f->model);
      f->model = g_strdup (json_object_get_string_member_with_default (o, "model", NULL));
      g_free (f->status);
      f->status = g_strdup (json_object_get_string_member_with_default (o, "status", NULL));
      g_free (f->error);
      f->error = g_strdup (json_object_get_string_member_with_default (o, "error", NULL));
    }
  else if (cid != NULL && g_str_equal (e->type, "delta"))
    {
      Folded *f = folded_for (events, cid);
      const char *kind = json_object_get_string_member_with_default (o, "kind", "text");

      for (guint i = 0; i < G_N_ELEMENTS (kind_names); i++)
        if (g_str_equal (kind, kind_names[i]))
          {
            if (json_object_get_boolean_member_with_default (o, "replace", FALSE))
              g_string_truncate (f->text[i], 0);
            g_string_append (f->text[i], json_object_get_string_member_with_default (o, "text", ""));
          }
    }
  else if (o != NULL && g_str_equal (e->type, "synthesis") && json_object_has_member (o, "synthesis"))
    {
      g_clear_pointer (&events->synthesis, json_node_unref);
      events->synthesis = json_node_copy (json_object_get_member (o, "synthesis"));
    }
  event_free (e);
}

static char *
to_line (JsonBuilder *b)
{
  g_autoptr(JsonNode) root = json_builder_get_root (b);
  g_autoptr(JsonGenerator) gen = json_generator_new ();

  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

/* Takes @b's object as the event's data. */
static void
emit (ServeEvents *events,
      const char  *type,
      JsonBuilder *b)
{
  Event *e = g_new0 (Event, 1);

  e->id = events->next_id++;
  e->type = g_strdup (type);
  e->data = to_line (b);
  g_queue_push_tail (&events->queue, e);
  while (events->queue.length > SERVE_MAX_EVENTS)
    fold_oldest (events);
  for (GList *l = events->streams; l != NULL; l = l->next)
    stream_flush (l->data);
}

static void
emit_candidate (ServeEvents *events,
                CsCandidate *c)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "candidate");
  json_builder_add_string_value (b, cs_candidate_get_id (c));
  json_builder_set_member_name (b, "model");
  json_builder_add_string_value (b, cs_candidate_get_model (c));
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, cs_candidate_status_to_string (cs_candidate_get_status (c)));
  json_builder_set_member_name (b, "error");
  json_builder_add_string_value (b, cs_candidate_get_error (c));
  json_builder_end_object (b);
  emit (events, "candidate", b);
}

static void
emit_delta (ServeEvents  *events,
            CsCandidate  *c,
            CsStreamKind  kind,
            const char   *text,
            gboolean      replace)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "candidate");
  json_builder_add_string_value (b, cs_candidate_get_id (c));
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, kind_names[kind]);
  json_builder_set_member_name (b, "text");
  json_builder_add_string_value (b, text != NULL ? text : "");
  if (replace)
    {
      json_builder_set_member_name (b, "replace");
      json_builder_add_boolean_value (b, TRUE);
    }
  json_builder_end_object (b);
  emit (events, "delta", b);
}

/* Following the run */

static void
appended_cb (CsCandidate *c,
             int          kind,
             const char  *chunk,
             gpointer     user_data)
{
  ServeRun *srun = user_data;

  if (kind >= 0 && kind < (int) G_N_ELEMENTS (kind_names) && chunk != NULL && chunk[0] != '\0')
    emit_delta (srun->events, c, kind, chunk, FALSE);
}

static void
text_replaced_cb (CsCandidate *c,
                  GParamSpec  *pspec,
                  gpointer     user_data)
{
  ServeRun *srun = user_data;

  emit_delta (srun->events, c, CS_STREAM_TEXT, cs_candidate_get_text (c), TRUE);
}

static void
status_cb (CsCandidate *c,
           GParamSpec  *pspec,
           gpointer     user_data)
{
  ServeRun *srun = user_data;

  emit_candidate (srun->events, c);
}

static void
state_cb (CsRun      *run,
          GParamSpec *pspec,
          gpointer    user_data)
{
  ServeRun *srun = user_data;
  g_autoptr(JsonBuilder) b = NULL;

  if (cs_run_get_state (run) != CS_RUN_SYNTHESIZING)
    return;
  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "stage");
  json_builder_add_string_value (b, "started");
  json_builder_end_object (b);
  emit (srun->events, "synthesis", b);
}

static void
synthesis_cb (CsRun      *run,
              GParamSpec *pspec,
              gpointer    user_data)
{
  ServeRun *srun = user_data;
  JsonNode *synthesis = cs_run_get_synthesis (run);
  g_autoptr(JsonBuilder) b = NULL;

  if (synthesis == NULL)
    return;
  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "stage");
  json_builder_add_string_value (b, "result");
  json_builder_set_member_name (b, "synthesis");
  json_builder_add_value (b, json_node_copy (synthesis));
  json_builder_end_object (b);
  emit (srun->events, "synthesis", b);
}

static void
follow_candidate (ServeRun    *srun,
                  CsCandidate *c)
{
  emit_candidate (srun->events, c);
  g_signal_connect (c, "appended", G_CALLBACK (appended_cb), srun);
  g_signal_connect (c, "notify::text", G_CALLBACK (text_replaced_cb), srun);
  g_signal_connect (c, "notify::status", G_CALLBACK (status_cb), srun);
}

/* A follow-up round of every model brings new candidates. */
static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  gpointer    user_data)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(CsCandidate) c = g_list_model_get_item (model, i);

      follow_candidate (user_data, c);
    }
}

void
serve_events_attach (ServeRun *srun)
{
  GListModel *model = G_LIST_MODEL (srun->run);

  srun->events->srun = srun;
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CsCandidate) c = g_list_model_get_item (model, i);

      follow_candidate (srun, c);
    }
  g_signal_connect (srun->run, "items-changed", G_CALLBACK (items_changed_cb), srun);
  g_signal_connect (srun->run, "notify::state", G_CALLBACK (state_cb), srun);
  g_signal_connect (srun->run, "notify::synthesis", G_CALLBACK (synthesis_cb), srun);
}

void
serve_events_reopen_with (ServeRun    *srun,
                          const char  *type,
                          JsonBuilder *b)
{
  srun->events->ended = FALSE;
  emit (srun->events, type, b);
  serve_events_attach (srun);
}

void
serve_events_reopen (ServeRun     *srun,
                     guint         round,
                     CsRoundScope  scope)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "round");
  json_builder_add_int_value (b, round);
  json_builder_set_member_name (b, "scope");
  json_builder_add_string_value (b, cs_round_scope_to_string (scope));
  json_builder_end_object (b);
  serve_events_reopen_with (srun, "round", b);
}

guint64
serve_events_last_id (ServeEvents *events)
{
  return events->next_id - 1;
}

static void
detach (ServeRun *srun)
{
  GListModel *model = G_LIST_MODEL (srun->run);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CsCandidate) c = g_list_model_get_item (model, i);

      g_signal_handlers_disconnect_by_data (c, srun);
    }
  g_signal_handlers_disconnect_by_data (srun->run, srun);
}

static void
add_done (JsonBuilder *b,
          CsRun       *run)
{
  g_autofree char *escaped = g_uri_escape_string (cs_run_get_id (run), NULL, FALSE);
  g_autofree char *url = g_strconcat ("/v1/runs/", escaped, NULL);
  g_autofree char *md = g_strconcat (url, "/markdown", NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, cs_run_state_to_string (cs_run_get_state (run)));
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, cs_run_get_message (run));
  json_builder_set_member_name (b, "run");
  json_builder_add_string_value (b, url);
  json_builder_set_member_name (b, "markdown");
  json_builder_add_string_value (b, md);
  json_builder_end_object (b);
}

void
serve_events_end (ServeRun   *srun,
                  const char *failure)
{
  ServeEvents *events = srun->events;
  g_autoptr(JsonBuilder) done = json_builder_new ();

  if (events->ended)
    return;
  events->srun = srun;
  detach (srun);
  if (failure != NULL)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "code");
      json_builder_add_string_value (b, "run_failed");
      json_builder_set_member_name (b, "message");
      json_builder_add_string_value (b, failure);
      json_builder_end_object (b);
      emit (events, "error", b);
    }
  events->ended = TRUE;
  add_done (done, srun->run);
  emit (events, "done", done);
}

/* Streams */

static void
stream_free (Stream *s)
{
  if (s->keepalive != NULL)
    {
      g_source_destroy (s->keepalive);
      g_source_unref (s->keepalive);
    }
  g_signal_handlers_disconnect_by_data (s->msg, s);
  g_object_unref (s->msg);
  g_free (s);
}

static void
append_event (SoupMessageBody *body,
              guint64          id,
              const char      *type,
              const char      *data)
{
  g_autofree char *text = g_strdup_printf ("id: %" G_GUINT64_FORMAT "\nevent: %s\ndata: %s\n\n", id, type, data);
  gsize len = strlen (text);

  soup_message_body_append (body, SOUP_MEMORY_TAKE, g_steal_pointer (&text), len);
}

/* The folded events as one: each candidate's status and text so far. */
static char *
snapshot_line (ServeEvents *events)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "candidates");
  json_builder_begin_array (b);
  for (guint i = 0; i < events->folded->len; i++)
    {
      Folded *f = g_ptr_array_index (events->folded, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "candidate");
      json_builder_add_string_value (b, f->id);
      json_builder_set_member_name (b, "model");
      json_builder_add_string_value (b, f->model);
      json_builder_set_member_name (b, "status");
      json_builder_add_string_value (b, f->status);
      json_builder_set_member_name (b, "error");
      json_builder_add_string_value (b, f->error);
      for (guint k = 0; k < G_N_ELEMENTS (kind_names); k++)
        {
          json_builder_set_member_name (b, kind_names[k]);
          json_builder_add_string_value (b, f->text[k]->str);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "synthesis");
  if (events->synthesis != NULL)
    json_builder_add_value (b, json_node_copy (events->synthesis));
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
  return to_line (b);
}

static void
stream_flush (Stream *s)
{
  ServeEvents *events = s->events;
  SoupMessageBody *body = soup_server_message_get_response_body (s->msg);
  gboolean wrote = FALSE;

  if (s->complete)
    return;
  if (s->sent_id < events->base_id)
    {
      g_autofree char *line = snapshot_line (events);

      append_event (body, events->base_id, "snapshot", line);
      s->sent_id = events->base_id;
      wrote = TRUE;
    }
  for (GList *l = events->queue.head; l != NULL; l = l->next)
    {
      Event *e = l->data;

      if (e->id <= s->sent_id)
        continue;
      append_event (body, e->id, e->type, e->data);
      s->sent_id = e->id;
      wrote = TRUE;
    }
  if (events->ended)
    {
      soup_message_body_complete (body);
      s->complete = TRUE;
      wrote = TRUE;
    }
  if (wrote)
    soup_server_message_unpause (s->msg);
}

static gboolean
keepalive_cb (gpointer user_data)
{
  Stream *s = user_data;

  if (s->complete)
    return G_SOURCE_CONTINUE;
  soup_message_body_append (soup_server_message_get_response_body (s->msg),
                            SOUP_MEMORY_STATIC, KEEPALIVE, strlen (KEEPALIVE));
  soup_server_message_unpause (s->msg);
  return G_SOURCE_CONTINUE;
}

/* The client went away, or the stream ended: the run goes on. */
static void
finished_cb (SoupServerMessage *msg,
             gpointer           user_data)
{
  Stream *s = user_data;

  s->events->streams = g_list_remove (s->events->streams, s);
  stream_free (s);
}

static void
begin_stream (SoupServerMessage *msg)
{
  SoupMessageHeaders *h = soup_server_message_get_response_headers (msg);

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_content_type (h, "text/event-stream", NULL);
  soup_message_headers_replace (h, "Cache-Control", "no-cache");
  soup_message_headers_replace (h, "X-Accel-Buffering", "no");
  soup_message_headers_set_encoding (h, SOUP_ENCODING_CHUNKED);
  soup_message_body_append (soup_server_message_get_response_body (msg), SOUP_MEMORY_STATIC,
                            PREAMBLE, strlen (PREAMBLE));
  soup_server_message_pause (msg);
}

void
serve_events_stream (ServeRun          *srun,
                     SoupServerMessage *msg,
                     guint64            last_id)
{
  Stream *s = g_new0 (Stream, 1);

  s->events = srun->events;
  s->msg = g_object_ref (msg);
  s->sent_id = MIN (last_id, srun->events->next_id - 1);
  begin_stream (msg);
  g_signal_connect (msg, "finished", G_CALLBACK (finished_cb), s);
  s->keepalive = g_timeout_source_new_seconds (SERVE_KEEPALIVE_S);
  g_source_set_callback (s->keepalive, keepalive_cb, s, NULL);
  g_source_attach (s->keepalive, NULL);
  srun->events->streams = g_list_prepend (srun->events->streams, s);
  stream_flush (s);
}

void
serve_events_stream_saved (CsRun             *run,
                           SoupServerMessage *msg)
{
  SoupMessageBody *body = soup_server_message_get_response_body (msg);
  ServeEvents *events = serve_events_new ();
  GListModel *model = G_LIST_MODEL (run);
  g_autoptr(JsonBuilder) done = json_builder_new ();
  g_autofree char *line = NULL;
  g_autofree char *done_line = NULL;

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CsCandidate) c = g_list_model_get_item (model, i);
      Folded *f = folded_for (events, cs_candidate_get_id (c));

      f->model = g_strdup (cs_candidate_get_model (c));
      f->status = g_strdup (cs_candidate_status_to_string (cs_candidate_get_status (c)));
      f->error = g_strdup (cs_candidate_get_error (c));
      g_string_assign (f->text[CS_STREAM_TEXT], cs_candidate_get_text (c) ?: "");
      g_string_assign (f->text[CS_STREAM_REASONING], cs_candidate_get_reasoning (c) ?: "");
      g_string_assign (f->text[CS_STREAM_REFUSAL], cs_candidate_get_refusal (c) ?: "");
    }
  if (cs_run_get_synthesis (run) != NULL)
    events->synthesis = json_node_copy (cs_run_get_synthesis (run));
  line = snapshot_line (events);
  add_done (done, run);
  done_line = to_line (done);
  serve_events_free (events);

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_content_type (soup_server_message_get_response_headers (msg),
                                         "text/event-stream", NULL);
  append_event (body, 1, "snapshot", line);
  append_event (body, 2, "done", done_line);
  soup_message_body_complete (body);
}

void
serve_events_close_all (ServeRun *srun)
{
  for (GList *l = srun->events->streams; l != NULL; l = l->next)
    stream_flush (l->data);
}

void
serve_events_free (ServeEvents *events)
{
  if (events == NULL)
    return;
  while (events->streams != NULL)
    {
      Stream *s = events->streams->data;

      events->streams = g_list_delete_link (events->streams, events->streams);
      stream_free (s);
    }
  g_queue_clear_full (&events->queue, (GDestroyNotify) event_free);
  g_ptr_array_unref (events->folded);
  g_clear_pointer (&events->synthesis, json_node_unref);
  g_free (events);
}
