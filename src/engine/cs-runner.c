/* cs-runner.c
 *
 * Drives one run: plan, fan-out, quorum, repair, synthesis.
 *
 * The plan. Each "provider/model[:COUNT]" gives COUNT candidates (1..16,
 * at most 32 in a run), ids c1..cN in order. Diversity comes first from the
 * mode's angles: they are dealt out over ALL candidates of the run in turn
 * (c1 gets the first angle, c2 the second, …), so different models get
 * different angles and one model with several candidates covers several
 * angles. A request with n > 1 shares one prompt, so only candidates of the
 * same model AND the same angle are grouped into one request, with up to
 * the model's max-n choices; e.g. 8 candidates of a max-n=4 model in a mode
 * with three angles become three requests (3+3+2 choices) instead of eight,
 * each request with its own angle. The second source of diversity is the
 * temperature: the model's configured temperature if it has one; otherwise,
 * when the model takes a temperature and sends more than one request, the
 * requests get 0.4, 0.7, 1.0, 0.4, … in turn (one request alone is left to
 * the provider's default). Reasoning effort comes from the model config.
 *
 * Execution. One CsProviderClient per provider (it queues to respect the
 * provider's limits), its key looked up once (environment or keyring).
 * Events are mapped to candidates by choice index. Usage arrives once per
 * request, for all its choices: the output tokens are split between the
 * candidates in proportion to the length of their text and reasoning, the
 * input tokens evenly (the prompt is shared), so the totals stay exact.
 * A reply that does not validate gets ONE repair request (n = 1) carrying
 * the validation error; if that fails too the candidate is invalid, its
 * text kept.
 *
 * Quorum and deadline. Synthesis starts when `quorum` candidates are valid
 * (0: when every candidate is final), or when the deadline has passed and at
 * least one is valid (if none is valid yet, at the first valid one), or when
 * all are final. Candidates still streaming then go on (and are kept) unless
 * cancel-late is set, in which case they are cancelled with their partial
 * text kept. Every run is bounded: after CS_RUNNER_MAX_RUN_S (30 minutes)
 * whatever still streams is stopped and the run synthesizes from what it has.
 *
 * Cancelling one candidate stops its HTTP request at once, unless the
 * request also carries other live candidates (n > 1): then the candidate is
 * marked cancelled and its further events are dropped while its siblings
 * finish. Cancelling the run (the execute cancellable) stops every request.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-runner"

#include "config.h"

#include <math.h>
#include <string.h>

#include "cs-runner.h"
#include "cs-mode.h"
#include "cs-json-schema.h"
#include "cs-json-util.h"
#include "cs-provider-client.h"
#include "cs-secrets.h"
#include "cs-synthesis.h"

#define CS_RUNNER_MAX_COUNT       16
#define CS_RUNNER_MAX_CANDIDATES  32
#define CS_RUNNER_MAX_RUN_S       (30 * 60)
#define CS_RUNNER_MAX_REPAIRS      1

G_DEFINE_QUARK (cs-runner-error-quark, cs_runner_error)

typedef struct _Provider Provider;
typedef struct _Group    Group;
typedef struct _Slot     Slot;
typedef struct _Request  Request;

typedef enum {
  PHASE_IDLE,          /* planned, not executing */
  PHASE_RUNNING,       /* candidates streaming, no result yet */
  PHASE_SYNTHESIZING,
  PHASE_FINISHED,      /* done, failed or cancelled */
} Phase;

typedef void (*ProviderReadyFunc) (CsRunner *self,
                                   Provider *provider,
                                   gpointer  data);

struct _Provider
{
  CsProviderConfig *config;         /* a copy */
  CsProviderClient *client;
  gboolean          key_looked_up;
  gboolean          lookup_pending;
  char             *key_error;      /* why requests cannot go, or NULL */
  GPtrArray        *waiters;        /* of Waiter* */
};

typedef struct
{
  ProviderReadyFunc func;
  gpointer          data;
} Waiter;

struct _Group
{
  const CsModelConfig *model;       /* owned by the config */
  const CsAngle       *angle;
  double               temperature;
  GPtrArray           *slots;       /* of Slot*, unowned */
  JsonNode            *messages;    /* built at execute time */
};

struct _Slot
{
  CsCandidate *candidate;
  Group       *group;
  Request     *request;             /* in flight, or NULL */
  guint        repairs;
  gboolean     user_cancelled;
  gboolean     got_first;
  gint64       first_us;            /* monotonic time of the first event */
  GTask       *retry_task;          /* a retry waiting for this slot */
};

struct _Request
{
  CsRunner     *runner;             /* a reference */
  Provider     *provider;
  const CsModelConfig *model;
  GPtrArray    *slots;              /* of Slot*, index = choice; empty for the judge */
  JsonNode     *messages;
  JsonNode     *schema;
  const char   *schema_name;
  CsStructuredOutput structured;
  double        temperature;
  GCancellable *cancellable;
  char         *cancel_reason;      /* why the runner stopped it, or NULL */
  gint64        start_us;
  gint64        input_tokens;
  gint64        output_tokens;
  gint64        reasoning_tokens;
  char         *stream_error;
  gboolean      is_repair;
  gboolean      is_judge;
  GString      *judge_text;
  GString      *judge_refusal;
  char         *judge_finish;
};

struct _CsRunner
{
  GObject       parent_instance;

  CsConfig     *config;
  CsRun        *run;
  CsRunStore   *store;
  guint         quorum;
  guint         deadline_s;
  gboolean      cancel_late;

  GPtrArray    *groups;             /* of Group* */
  GPtrArray    *slots;              /* of Slot*, in candidate order */
  GHashTable   *providers;          /* id → Provider* */
  GPtrArray    *requests;           /* of Request*, in flight */

  Phase         phase;
  gboolean      cancelled;
  gboolean      deadline_passed;
  gboolean      timed_out;
  guint         deadline_id;
  guint         max_time_id;
  GTask        *execute_task;
  GCancellable *execute_cancellable;
  gulong        cancelled_id;
  GPtrArray    *synth_waiters;      /* of GTask*, completed when a synthesis ends */
  JsonNode     *fused;              /* during the judge phase */
  gint64        judge_start_us;
  GCancellable *fuse_cancellable;   /* the fusion in its worker thread, or NULL */
  guint         fuse_serial;        /* which fusion's result is awaited */
};

G_DEFINE_FINAL_TYPE (CsRunner, cs_runner, G_TYPE_OBJECT)

static void check_progress   (CsRunner *self);
static void start_synthesis  (CsRunner *self);
static void start_group      (CsRunner *self,
                              Group    *group);
static void start_slot_alone (CsRunner *self,
                              Slot     *slot,
                              JsonNode *messages,
                              gboolean  is_repair);
static void slot_finished    (CsRunner *self,
                              Slot     *slot);

/* Small helpers */

static void
provider_free (Provider *provider)
{
  g_clear_pointer (&provider->config, cs_provider_config_free);
  g_clear_object (&provider->client);
  g_clear_pointer (&provider->key_error, g_free);
  g_clear_pointer (&provider->waiters, g_ptr_array_unref);
  g_free (provider);
}

static void
group_free (Group *group)
{
  g_clear_pointer (&group->slots, g_ptr_array_unref);
  g_clear_pointer (&group->messages, json_node_unref);
  g_free (group);
}

static void
slot_free (Slot *slot)
{
  g_assert (slot->request == NULL);
  g_clear_object (&slot->candidate);
  g_clear_object (&slot->retry_task);
  g_free (slot);
}

static void
request_free (Request *request)
{
  g_clear_pointer (&request->slots, g_ptr_array_unref);
  g_clear_pointer (&request->messages, json_node_unref);
  g_clear_pointer (&request->schema, json_node_unref);
  g_clear_object (&request->cancellable);
  g_clear_pointer (&request->cancel_reason, g_free);
  g_clear_pointer (&request->stream_error, g_free);
  if (request->judge_text != NULL)
    g_string_free (request->judge_text, TRUE);
  if (request->judge_refusal != NULL)
    g_string_free (request->judge_refusal, TRUE);
  g_clear_pointer (&request->judge_finish, g_free);
  g_clear_object (&request->runner);
  g_free (request);
}

static Slot *
find_slot (CsRunner   *self,
           const char *candidate_id)
{
  for (guint i = 0; i < self->slots->len; i++)
    {
      Slot *slot = g_ptr_array_index (self->slots, i);
      if (g_strcmp0 (cs_candidate_get_id (slot->candidate), candidate_id) == 0)
        return slot;
    }
  return NULL;
}

static gboolean
slot_is_final (Slot *slot)
{
  return cs_candidate_status_is_final (cs_candidate_get_status (slot->candidate));
}

static void
save_now (CsRunner *self)
{
  if (self->store != NULL)
    cs_run_store_save (self->store, self->run);
}

static void
set_run_state (CsRunner   *self,
               CsRunState  state)
{
  if (cs_run_get_state (self->run) == state)
    return;
  cs_run_set_state (self->run, state);
  save_now (self);
}

static gint64
ms_since (gint64 start_us)
{
  return (g_get_monotonic_time () - start_us) / 1000;
}

/* Constraint keys and values of the run, as parallel NULL-terminated arrays. */
static void
get_constraints (CsRun        *run,
                 GStrv        *keys_out,
                 GStrv        *values_out)
{
  const char * const *keys = cs_run_get_constraint_keys (run);
  guint n = keys ? g_strv_length ((char **)keys) : 0;
  char **k = g_new0 (char *, n + 1);
  char **v = g_new0 (char *, n + 1);

  for (guint i = 0; i < n; i++)
    {
      k[i] = g_strdup (keys[i]);
      v[i] = g_strdup (cs_run_get_constraint (run, keys[i]));
    }
  *keys_out = k;
  *values_out = v;
}

/* GObject */

static void
cs_runner_dispose (GObject *object)
{
  CsRunner *self = (CsRunner *)object;

  /* Requests hold a reference on the runner: none is in flight here. */
  g_clear_handle_id (&self->deadline_id, g_source_remove);
  g_clear_handle_id (&self->max_time_id, g_source_remove);
  if (self->execute_cancellable != NULL && self->cancelled_id != 0)
    g_cancellable_disconnect (self->execute_cancellable, self->cancelled_id);
  self->cancelled_id = 0;
  g_clear_object (&self->execute_cancellable);
  g_clear_object (&self->execute_task);
  g_clear_object (&self->store);
  if (self->fuse_cancellable != NULL)
    g_cancellable_cancel (self->fuse_cancellable);
  g_clear_object (&self->fuse_cancellable);

  G_OBJECT_CLASS (cs_runner_parent_class)->dispose (object);
}

static void
cs_runner_finalize (GObject *object)
{
  CsRunner *self = (CsRunner *)object;

  g_clear_pointer (&self->requests, g_ptr_array_unref);
  g_clear_pointer (&self->synth_waiters, g_ptr_array_unref);
  g_clear_pointer (&self->groups, g_ptr_array_unref);
  g_clear_pointer (&self->slots, g_ptr_array_unref);
  g_clear_pointer (&self->providers, g_hash_table_unref);
  g_clear_pointer (&self->fused, json_node_unref);
  g_clear_object (&self->run);
  g_clear_object (&self->config);

  G_OBJECT_CLASS (cs_runner_parent_class)->finalize (object);
}

static void
cs_runner_class_init (CsRunnerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cs_runner_dispose;
  object_class->finalize = cs_runner_finalize;
}

static void
cs_runner_init (CsRunner *self)
{
  self->groups = g_ptr_array_new_with_free_func ((GDestroyNotify)group_free);
  self->slots = g_ptr_array_new_with_free_func ((GDestroyNotify)slot_free);
  self->providers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)provider_free);
  self->requests = g_ptr_array_new ();
  self->synth_waiters = g_ptr_array_new_with_free_func (g_object_unref);
}

CsRunner *
cs_runner_new (CsConfig *config,
               CsRun    *run)
{
  CsRunner *self;

  g_return_val_if_fail (CS_IS_CONFIG (config), NULL);
  g_return_val_if_fail (CS_IS_RUN (run), NULL);

  self = g_object_new (CS_TYPE_RUNNER, NULL);
  self->config = g_object_ref (config);
  self->run = g_object_ref (run);
  return self;
}

CsRun *
cs_runner_get_run (CsRunner *self)
{
  g_return_val_if_fail (CS_IS_RUNNER (self), NULL);
  return self->run;
}

void
cs_runner_set_store (CsRunner   *self,
                     CsRunStore *store)
{
  g_return_if_fail (CS_IS_RUNNER (self));
  g_return_if_fail (!store || CS_IS_RUN_STORE (store));

  g_set_object (&self->store, store);
  if (store != NULL)
    cs_run_store_watch (store, self->run);
}

void
cs_runner_set_quorum (CsRunner *self,
                      guint     quorum)
{
  g_return_if_fail (CS_IS_RUNNER (self));
  self->quorum = quorum;
}

void
cs_runner_set_deadline (CsRunner *self,
                        guint     deadline_s)
{
  g_return_if_fail (CS_IS_RUNNER (self));
  self->deadline_s = deadline_s;
}

void
cs_runner_set_cancel_late (CsRunner *self,
                           gboolean  cancel_late)
{
  g_return_if_fail (CS_IS_RUNNER (self));
  self->cancel_late = !!cancel_late;
}

/* The plan */

static char *
known_models (CsConfig *config)
{
  g_autoptr(GPtrArray) models = cs_config_list_models (config);
  g_autoptr(GString) str = g_string_new (NULL);

  for (guint i = 0; i < models->len; i++)
    {
      const CsModelConfig *m = g_ptr_array_index (models, i);
      if (i > 0)
        g_string_append (str, ", ");
      g_string_append (str, m->id);
    }
  if (str->len == 0)
    g_string_append (str, "none configured");
  return g_string_free (g_steal_pointer (&str), FALSE);
}

/* "provider/model" or "provider/model:COUNT". Model names may contain
 * colons (Ollama's "qwen3:8b"): a whole name that is configured wins. */
static const CsModelConfig *
parse_model_spec (CsConfig    *config,
                  const char  *spec,
                  guint       *count,
                  GError     **error)
{
  const CsModelConfig *model;
  const char *colon;

  *count = 1;
  if (spec == NULL || spec[0] == '\0')
    {
      g_set_error_literal (error, CS_RUNNER_ERROR, CS_RUNNER_ERROR_CONFIG,
                           "empty model name");
      return NULL;
    }

  model = cs_config_find_model (config, spec);
  if (model != NULL)
    return model;

  colon = strrchr (spec, ':');
  if (colon != NULL && colon[1] != '\0' && strspn (colon + 1, "0123456789") == strlen (colon + 1))
    {
      g_autofree char *id = g_strndup (spec, colon - spec);
      guint64 n = g_ascii_strtoull (colon + 1, NULL, 10);

      model = cs_config_find_model (config, id);
      if (model == NULL)
        {
          g_autofree char *known = known_models (config);
          g_set_error (error, CS_RUNNER_ERROR, CS_RUNNER_ERROR_CONFIG,
                       "unknown model %s (known: %s)", id, known);
          return NULL;
        }
      if (n < 1 || n > CS_RUNNER_MAX_COUNT)
        {
          g_set_error (error, CS_RUNNER_ERROR, CS_RUNNER_ERROR_CONFIG,
                       "%s: the number of candidates must be between 1 and %d",
                       spec, CS_RUNNER_MAX_COUNT);
          return NULL;
        }
      *count = (guint)n;
      return model;
    }

  {
    g_autofree char *known = known_models (config);
    g_set_error (error, CS_RUNNER_ERROR, CS_RUNNER_ERROR_CONFIG,
                 "unknown model %s (known: %s)", spec, known);
  }
  return NULL;
}

static const double temperature_spread[] = { 0.4, 0.7, 1.0 };

gboolean
cs_runner_plan (CsRunner            *self,
                const char * const  *models,
                GError             **error)
{
  g_autoptr(GPtrArray) chosen = g_ptr_array_new ();
  g_autoptr(GArray) counts = g_array_new (FALSE, FALSE, sizeof (guint));
  CsMode mode;
  const CsAngle *angles;
  guint n_angles = 0;
  guint total = 0;
  guint next_angle = 0;
  guint next_id;

  g_return_val_if_fail (CS_IS_RUNNER (self), FALSE);
  g_return_val_if_fail (self->phase == PHASE_IDLE, FALSE);

  if (models == NULL || models[0] == NULL)
    {
      g_set_error_literal (error, CS_RUNNER_ERROR, CS_RUNNER_ERROR_CONFIG,
                           "no model was chosen");
      return FALSE;
    }

  for (guint i = 0; models[i] != NULL; i++)
    {
      guint count;
      const CsModelConfig *model = parse_model_spec (self->config, models[i], &count, error);

      if (model == NULL)
        return FALSE;
      g_ptr_array_add (chosen, (gpointer)model);
      g_array_append_val (counts, count);
      total += count;
    }

  if (total + self->slots->len > CS_RUNNER_MAX_CANDIDATES)
    {
      g_set_error (error, CS_RUNNER_ERROR, CS_RUNNER_ERROR_CONFIG,
                   "too many candidates (%u): a run has at most %d",
                   total + self->slots->len, CS_RUNNER_MAX_CANDIDATES);
      return FALSE;
    }

  mode = cs_run_get_mode (self->run);
  angles = cs_mode_get_angles (mode, &n_angles);
  next_id = self->slots->len + 1;
  next_angle = self->slots->len; /* a second plan goes on dealing angles */

  for (guint i = 0; i < chosen->len; i++)
    {
      const CsModelConfig *model = g_ptr_array_index (chosen, i);
      guint count = g_array_index (counts, guint, i);
      guint max_n = MAX (model->max_n, 1);
      g_autoptr(GPtrArray) model_groups = g_ptr_array_new ();

      for (guint k = 0; k < count; k++)
        {
          const CsAngle *angle = n_angles > 0 ? &angles[next_angle++ % n_angles] : NULL;
          g_autofree char *id = g_strdup_printf ("c%u", next_id++);
          Group *group = NULL;
          Slot *slot;

          /* join a group of this model with the same angle and room left */
          for (guint g = 0; g < model_groups->len; g++)
            {
              Group *candidate_group = g_ptr_array_index (model_groups, g);
              if (candidate_group->angle == angle && candidate_group->slots->len < max_n)
                {
                  group = candidate_group;
                  break;
                }
            }
          if (group == NULL)
            {
              group = g_new0 (Group, 1);
              group->model = model;
              group->angle = angle;
              group->temperature = NAN;
              group->slots = g_ptr_array_new ();
              g_ptr_array_add (model_groups, group);
              g_ptr_array_add (self->groups, group);
            }

          slot = g_new0 (Slot, 1);
          slot->candidate = cs_candidate_new (id, model->id, angle ? angle->id : NULL);
          slot->group = group;
          g_ptr_array_add (group->slots, slot);
          g_ptr_array_add (self->slots, slot);
        }

      /* temperatures per request */
      for (guint g = 0; g < model_groups->len; g++)
        {
          Group *group = g_ptr_array_index (model_groups, g);

          if (!model->supports_temperature)
            group->temperature = NAN;
          else if (!isnan (model->temperature))
            group->temperature = model->temperature;
          else if (model_groups->len > 1)
            group->temperature = temperature_spread[g % G_N_ELEMENTS (temperature_spread)];
          else
            group->temperature = NAN;

          for (guint s = 0; s < group->slots->len; s++)
            {
              Slot *slot = g_ptr_array_index (group->slots, s);
              if (model->supports_temperature)
                cs_candidate_set_temperature (slot->candidate, group->temperature);
              cs_candidate_set_reasoning_effort (slot->candidate, model->reasoning_effort);
            }
        }
    }

  /* add to the run in id order */
  for (guint i = 0; i < self->slots->len; i++)
    {
      Slot *slot = g_ptr_array_index (self->slots, i);
      if (cs_run_find_candidate (self->run, cs_candidate_get_id (slot->candidate)) == NULL)
        cs_run_add_candidate (self->run, slot->candidate);
    }

  return TRUE;
}

/* Providers and keys */

typedef struct
{
  CsRunner *runner;
  char     *provider_id;
} Lookup;

static void
key_lookup_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  Lookup *lookup = user_data;
  g_autoptr(CsRunner) self = lookup->runner;
  g_autofree char *provider_id = lookup->provider_id;
  g_autoptr(GError) error = NULL;
  g_autofree char *key = NULL;
  g_autoptr(GPtrArray) waiters = NULL;
  Provider *provider;

  g_free (lookup);
  key = cs_secrets_lookup_finish (result, &error);
  provider = g_hash_table_lookup (self->providers, provider_id);
  if (provider == NULL)
    return;

  provider->lookup_pending = FALSE;
  provider->key_looked_up = TRUE;

  if (error != NULL || key == NULL || key[0] == '\0')
    {
      if (provider->config->key_optional)
        g_debug ("No key for %s (%s); it does not need one", provider->config->id,
                 error ? error->message : "none stored");
      else
        {
          g_autofree char *how = NULL;

          if (provider->config->api_key_env != NULL)
            how = g_strdup_printf ("store one with `consilium-cli --store-key=%s` or set %s",
                                   provider->config->id, provider->config->api_key_env);
          else
            how = g_strdup_printf ("store one with `consilium-cli --store-key=%s` or name an "
                                   "environment variable with api-key-env in the providers file",
                                   provider->config->id);
          if (g_error_matches (error, CS_SECRETS_ERROR, CS_SECRETS_ERROR_LOCKED) ||
              g_error_matches (error, CS_SECRETS_ERROR, CS_SECRETS_ERROR_UNAVAILABLE))
            /* the message already says what is wrong and what to do */
            provider->key_error = g_strdup_printf ("No API key for %s could be read: %s "
                                                   "(to store a new one: `consilium-cli --store-key=%s`)",
                                                   provider->config->id, error->message,
                                                   provider->config->id);
          else if (error != NULL)
            provider->key_error = g_strdup_printf ("No API key for %s (the keyring said: %s): %s",
                                                   provider->config->id, error->message, how);
          else
            provider->key_error = g_strdup_printf ("No API key for %s: %s", provider->config->id, how);
        }
    }
  else
    cs_provider_client_set_api_key (provider->client, key);

  if (key != NULL)
    memset (key, 0, strlen (key));

  waiters = g_steal_pointer (&provider->waiters);
  provider->waiters = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < waiters->len; i++)
    {
      Waiter *w = g_ptr_array_index (waiters, i);
      w->func (self, provider, w->data);
    }
}

/* Calls @func once the provider's client is ready (key looked up). */
static void
with_provider (CsRunner          *self,
               const char        *provider_id,
               ProviderReadyFunc  func,
               gpointer           data)
{
  Provider *provider = g_hash_table_lookup (self->providers, provider_id);

  if (provider == NULL)
    {
      const CsProviderConfig *config = cs_config_find_provider (self->config, provider_id);

      provider = g_new0 (Provider, 1);
      provider->waiters = g_ptr_array_new_with_free_func (g_free);
      if (config == NULL)
        {
          provider->key_looked_up = TRUE;
          provider->key_error = g_strdup_printf ("The provider %s is not configured", provider_id);
        }
      else
        {
          provider->config = cs_provider_config_copy (config);
          provider->client = cs_provider_client_new (provider->config);
        }
      g_hash_table_insert (self->providers, g_strdup (provider_id), provider);
    }

  if (provider->key_looked_up)
    {
      func (self, provider, data);
      return;
    }

  {
    Waiter *w = g_new0 (Waiter, 1);
    w->func = func;
    w->data = data;
    g_ptr_array_add (provider->waiters, w);
  }

  if (!provider->lookup_pending)
    {
      Lookup *lookup = g_new0 (Lookup, 1);

      lookup->runner = g_object_ref (self);
      lookup->provider_id = g_strdup (provider_id);
      provider->lookup_pending = TRUE;
      /* The lookup is not cancelled with the run: it is short, and the
       * waiters see the cancelled state when it returns. */
      cs_secrets_lookup_async (provider->config, NULL, key_lookup_cb, lookup);
    }
}

/* Requests */

static void
request_event_cb (const CsStreamEvent *event,
                  gpointer             user_data)
{
  Request *request = user_data;
  Slot *slot = NULL;

  switch (event->type)
    {
    case CS_STREAM_EVENT_USAGE:
      if (event->input_tokens >= 0)
        request->input_tokens = event->input_tokens;
      if (event->output_tokens >= 0)
        request->output_tokens = event->output_tokens;
      if (event->reasoning_tokens >= 0)
        request->reasoning_tokens = event->reasoning_tokens;
      return;
    case CS_STREAM_EVENT_ERROR:
      /* one unreadable chunk is not fatal by itself: the reply's own
       * validation decides (the client fails the request on real errors) */
      if (g_strcmp0 (event->code, "malformed-chunk") == 0)
        return;
      if (request->stream_error == NULL)
        request->stream_error = g_strdup (event->text ? event->text : "The provider reported an error");
      return;
    case CS_STREAM_EVENT_DONE:
      return;
    case CS_STREAM_EVENT_TEXT:
    case CS_STREAM_EVENT_REASONING:
    case CS_STREAM_EVENT_REFUSAL:
    case CS_STREAM_EVENT_FINISH:
    default:
      break;
    }

  if (request->is_judge)
    {
      if (event->type == CS_STREAM_EVENT_TEXT && event->choice == 0 && event->text != NULL)
        g_string_append_len (request->judge_text, event->text, event->len);
      else if (event->type == CS_STREAM_EVENT_REFUSAL && event->choice == 0 && event->text != NULL)
        g_string_append_len (request->judge_refusal, event->text, event->len);
      else if (event->type == CS_STREAM_EVENT_FINISH && event->choice == 0)
        {
          g_free (request->judge_finish);
          request->judge_finish = g_strdup (event->text);
        }
      return;
    }

  if (event->choice >= request->slots->len)
    {
      g_debug ("Dropping an event for choice %u of a request with %u", event->choice, request->slots->len);
      return;
    }
  slot = g_ptr_array_index (request->slots, event->choice);
  if (slot == NULL || slot->request != request || slot->user_cancelled)
    return;

  switch (event->type)
    {
    case CS_STREAM_EVENT_TEXT:
      if (event->text == NULL || event->len == 0)
        break;
      if (!slot->got_first)
        {
          slot->got_first = TRUE;
          slot->first_us = g_get_monotonic_time ();
        }
      cs_candidate_append (slot->candidate, CS_STREAM_TEXT, event->text, event->len);
      cs_candidate_set_status (slot->candidate, CS_CANDIDATE_STREAMING);
      break;

    case CS_STREAM_EVENT_REASONING:
      if (event->text == NULL || event->len == 0)
        break;
      if (!slot->got_first)
        {
          slot->got_first = TRUE;
          slot->first_us = g_get_monotonic_time ();
        }
      cs_candidate_append (slot->candidate, CS_STREAM_REASONING, event->text, event->len);
      if (cs_candidate_get_status (slot->candidate) == CS_CANDIDATE_QUEUED)
        cs_candidate_set_status (slot->candidate, CS_CANDIDATE_THINKING);
      break;

    case CS_STREAM_EVENT_REFUSAL:
      if (event->text == NULL || event->len == 0)
        break;
      if (!slot->got_first)
        {
          slot->got_first = TRUE;
          slot->first_us = g_get_monotonic_time ();
        }
      cs_candidate_append (slot->candidate, CS_STREAM_REFUSAL, event->text, event->len);
      if (cs_candidate_get_status (slot->candidate) == CS_CANDIDATE_QUEUED)
        cs_candidate_set_status (slot->candidate, CS_CANDIDATE_STREAMING);
      break;

    case CS_STREAM_EVENT_FINISH:
      cs_candidate_set_finish_reason (slot->candidate, event->text);
      break;

    case CS_STREAM_EVENT_USAGE:
    case CS_STREAM_EVENT_ERROR:
    case CS_STREAM_EVENT_DONE:
    default:
      break;
    }
}

/* Splits the request's usage over its candidates (see the top comment). */
static void
account_usage (Request *request)
{
  guint n = request->slots->len;
  g_autofree gint64 *weights = NULL;
  gint64 total_weight = 0;
  gint64 out_left, reasoning_left, in_left;

  if (n == 0)
    return;

  weights = g_new0 (gint64, n);
  for (guint i = 0; i < n; i++)
    {
      Slot *slot = g_ptr_array_index (request->slots, i);
      weights[i] = (gint64)strlen (cs_candidate_get_text (slot->candidate)) +
                   (gint64)strlen (cs_candidate_get_reasoning (slot->candidate)) + 1;
      total_weight += weights[i];
    }

  out_left = request->output_tokens;
  reasoning_left = request->reasoning_tokens;
  in_left = request->input_tokens;

  for (guint i = 0; i < n; i++)
    {
      Slot *slot = g_ptr_array_index (request->slots, i);
      gint64 in = -1, out = -1, reasoning = -1;
      double cost;

      if (request->input_tokens >= 0)
        in = i + 1 == n ? in_left : request->input_tokens / n;
      if (request->output_tokens >= 0)
        out = i + 1 == n ? out_left : (gint64)((double)request->output_tokens * weights[i] / total_weight);
      if (request->reasoning_tokens >= 0)
        reasoning = i + 1 == n ? reasoning_left : (gint64)((double)request->reasoning_tokens * weights[i] / total_weight);
      if (in >= 0)
        in_left -= in;
      if (out >= 0)
        out_left -= out;
      if (reasoning >= 0)
        reasoning_left -= reasoning;

      if (in < 0 && out < 0 && reasoning < 0)
        continue;
      cs_candidate_add_usage (slot->candidate, in, out, reasoning);
      cost = cs_model_config_cost (request->model, MAX (in, 0), MAX (out, 0));
      cs_candidate_set_cost_usd (slot->candidate, cs_candidate_get_cost_usd (slot->candidate) + cost);
    }
}

static char *
short_text (const char *text,
            guint       max_chars)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);

  g_strstrip (valid);
  if (g_utf8_strlen (valid, -1) <= max_chars)
    return g_steal_pointer (&valid);
  {
    g_autofree char *cut = g_utf8_substring (valid, 0, max_chars);
    return g_strconcat (cut, "…", NULL);
  }
}

/* The reply of a candidate's request is complete: decide its status. */
static void
finish_slot_reply (CsRunner *self,
                   Slot     *slot,
                   Request  *request)
{
  CsCandidate *c = slot->candidate;
  const char *finish = cs_candidate_get_finish_reason (c);
  const char *refusal = cs_candidate_get_refusal (c);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) data = NULL;

  if (g_strcmp0 (finish, "content_filter") == 0)
    {
      cs_candidate_set_error (c, "The provider's content filter stopped the reply");
      cs_candidate_set_status (c, CS_CANDIDATE_REFUSED);
      return;
    }
  if (refusal != NULL && refusal[0] != '\0')
    {
      g_autofree char *shown = short_text (refusal, 300);
      g_autofree char *message = g_strdup_printf ("The model refused: %s", shown);
      cs_candidate_set_error (c, message);
      cs_candidate_set_status (c, CS_CANDIDATE_REFUSED);
      return;
    }
  if (g_strcmp0 (finish, "length") == 0)
    {
      cs_candidate_set_error (c, "The reply was cut off at the token limit");
      cs_candidate_set_status (c, CS_CANDIDATE_TRUNCATED);
      return;
    }

  data = cs_mode_parse_reply (cs_run_get_mode (self->run), cs_candidate_get_text (c), &error);
  if (data != NULL && JSON_NODE_HOLDS_OBJECT (data))
    {
      cs_candidate_set_validation_error (c, NULL);
      cs_candidate_set_error (c, NULL);
      cs_candidate_set_data (c, data);
      cs_candidate_set_status (c, CS_CANDIDATE_OK);
      return;
    }

  {
    const char *why = error != NULL ? error->message : "The reply is not a JSON object";

    if (slot->repairs < CS_RUNNER_MAX_REPAIRS && !self->cancelled &&
        slot->group != NULL && slot->group->messages != NULL)
      {
        g_autoptr(JsonNode) repair = NULL;
        g_autofree char *bad = g_strdup (cs_candidate_get_text (c));
        gint64 ttft = cs_candidate_get_ttft_ms (c);
        gint64 duration = cs_candidate_get_duration_ms (c);

        slot->repairs++;
        g_debug ("%s: repairing (%s)", cs_candidate_get_id (c), why);
        repair = cs_mode_build_repair_messages (slot->group->messages, bad, why);
        cs_candidate_reset_stream (c);
        cs_candidate_set_ttft_ms (c, ttft);
        cs_candidate_set_duration_ms (c, duration);
        cs_candidate_set_validation_error (c, why);
        cs_candidate_set_status (c, CS_CANDIDATE_STREAMING);
        if (repair != NULL)
          {
            start_slot_alone (self, slot, repair, TRUE);
            return;
          }
        cs_candidate_set_text (c, bad);
      }

    cs_candidate_set_validation_error (c, why);
    cs_candidate_set_error (c, why);
    cs_candidate_set_status (c, CS_CANDIDATE_INVALID);
  }
}

static void
remove_request (CsRunner *self,
                Request  *request)
{
  g_ptr_array_remove (self->requests, request);
}

static void judge_done (CsRunner *self, Request *request, gboolean ok, const char *why);
static void maybe_finish_cancelled (CsRunner *self);

static void
stream_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Request *request = user_data;
  CsRunner *self = request->runner;
  g_autoptr(GError) error = NULL;
  CsChatStats stats = { 0 };
  gboolean ok;

  ok = cs_provider_client_stream_finish (CS_PROVIDER_CLIENT (object), result, &stats, &error);
  g_object_ref (self);
  remove_request (self, request);

  if (ok && request->stream_error != NULL)
    {
      ok = FALSE;
      g_set_error_literal (&error, CS_CLIENT_ERROR, CS_CLIENT_ERROR_STREAM, request->stream_error);
    }

  if (request->is_judge)
    {
      cs_run_set_judge_usage (self->run,
                              request->input_tokens,
                              request->output_tokens,
                              cs_model_config_cost (request->model,
                                                    MAX (request->input_tokens, 0),
                                                    MAX (request->output_tokens, 0)),
                              ms_since (request->start_us));
      if (!ok)
        judge_done (self, request, FALSE, error->message);
      else
        judge_done (self, request, TRUE, NULL);
      request_free (request);
      maybe_finish_cancelled (self);
      g_object_unref (self);
      return;
    }

  account_usage (request);

  for (guint i = 0; i < request->slots->len; i++)
    {
      Slot *slot = g_ptr_array_index (request->slots, i);
      CsCandidate *c = slot->candidate;
      gint64 queued_ms = MAX (stats.queued_ms, 0);

      if (slot->request != request)
        continue;
      slot->request = NULL;

      if (slot->got_first && cs_candidate_get_ttft_ms (c) < 0)
        cs_candidate_set_ttft_ms (c, MAX ((slot->first_us - request->start_us) / 1000 - queued_ms, 0));
      /* a repair's time adds to the first attempt's */
      cs_candidate_set_duration_ms (c, (request->is_repair ? MAX (cs_candidate_get_duration_ms (c), 0) : 0) +
                                       MAX (ms_since (request->start_us) - queued_ms, 0));
      if (stats.attempts > 1)
        cs_candidate_set_attempts (c, cs_candidate_get_attempts (c) + stats.attempts - 1);

      if (slot->user_cancelled)
        {
          /* already marked cancelled */
        }
      else if (!ok)
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            {
              cs_candidate_set_error (c, request->cancel_reason ? request->cancel_reason : "Cancelled");
              cs_candidate_set_status (c, CS_CANDIDATE_CANCELLED);
            }
          else if (g_error_matches (error, CS_CLIENT_ERROR, CS_CLIENT_ERROR_TRUNCATED))
            {
              cs_candidate_set_error (c, error->message);
              cs_candidate_set_status (c, CS_CANDIDATE_TRUNCATED);
            }
          else if (g_strcmp0 (cs_candidate_get_finish_reason (c), "length") == 0)
            {
              cs_candidate_set_error (c, "The reply was cut off at the token limit");
              cs_candidate_set_status (c, CS_CANDIDATE_TRUNCATED);
            }
          else
            {
              cs_candidate_set_error (c, error->message);
              cs_candidate_set_status (c, CS_CANDIDATE_FAILED);
            }
        }
      else
        finish_slot_reply (self, slot, request);

      if (slot_is_final (slot))
        slot_finished (self, slot);
    }

  request_free (request);
  check_progress (self);
  maybe_finish_cancelled (self);
  g_object_unref (self);
}

static void
send_request (CsRunner *self,
              Request  *request)
{
  CsChatRequest chat = { 0 };

  chat.model = request->model->name;
  chat.messages = request->messages;
  chat.n = MAX (request->slots->len, 1);
  chat.temperature = request->temperature;
  chat.reasoning_effort = request->model->reasoning_effort;
  chat.max_output_tokens = request->model->max_output_tokens;
  chat.structured = request->structured;
  chat.schema = request->schema;
  chat.schema_name = request->schema_name;

  request->start_us = g_get_monotonic_time ();
  g_ptr_array_add (self->requests, request);
  cs_provider_client_stream_async (request->provider->client, &chat,
                                   request_event_cb, request,
                                   request->cancellable,
                                   stream_cb, request);
}

static void
fail_slot (CsRunner   *self,
           Slot       *slot,
           const char *message)
{
  slot->request = NULL;
  cs_candidate_set_error (slot->candidate, message);
  cs_candidate_set_status (slot->candidate, CS_CANDIDATE_FAILED);
  slot_finished (self, slot);
}

static Request *
request_new (CsRunner            *self,
             const CsModelConfig *model)
{
  Request *request = g_new0 (Request, 1);

  request->runner = g_object_ref (self);
  request->model = model;
  request->slots = g_ptr_array_new ();
  request->cancellable = g_cancellable_new ();
  request->input_tokens = -1;
  request->output_tokens = -1;
  request->reasoning_tokens = -1;
  request->temperature = NAN;
  return request;
}

static void
setup_structured (CsRunner            *self,
                  Request             *request,
                  const CsModelConfig *model)
{
  CsMode mode = cs_run_get_mode (self->run);

  request->structured = model->structured;
  if (model->structured == CS_STRUCTURED_JSON_SCHEMA)
    {
      request->schema = cs_mode_schema_for_strict (cs_mode_get_schema (mode));
      request->schema_name = cs_mode_get_schema_name (mode);
    }
}

static void
group_provider_ready (CsRunner *self,
                      Provider *provider,
                      gpointer  data)
{
  Request *request = data;

  request->provider = provider;
  if (self->cancelled || g_cancellable_is_cancelled (request->cancellable))
    {
      for (guint i = 0; i < request->slots->len; i++)
        {
          Slot *slot = g_ptr_array_index (request->slots, i);
          if (slot->request != request)
            continue;
          slot->request = NULL;
          if (!slot_is_final (slot))
            {
              cs_candidate_set_error (slot->candidate, request->cancel_reason ? request->cancel_reason : "Cancelled");
              cs_candidate_set_status (slot->candidate, CS_CANDIDATE_CANCELLED);
              slot_finished (self, slot);
            }
        }
      remove_request (self, request);
      request_free (request);
      check_progress (self);
      maybe_finish_cancelled (self);
      return;
    }

  if (provider->key_error != NULL)
    {
      for (guint i = 0; i < request->slots->len; i++)
        {
          Slot *slot = g_ptr_array_index (request->slots, i);
          if (slot->request == request)
            fail_slot (self, slot, provider->key_error);
        }
      remove_request (self, request);
      request_free (request);
      check_progress (self);
      maybe_finish_cancelled (self);
      return;
    }

  /* it was tracked while waiting; send_request tracks it again */
  remove_request (self, request);
  send_request (self, request);
}

static JsonNode *
build_messages (CsRunner      *self,
                const CsAngle *angle,
                gboolean       schema_in_prompt)
{
  g_auto(GStrv) keys = NULL;
  g_auto(GStrv) values = NULL;

  get_constraints (self->run, &keys, &values);
  return cs_mode_build_messages (cs_run_get_mode (self->run),
                                 cs_run_get_problem (self->run),
                                 (const char * const *)keys,
                                 (const char * const *)values,
                                 angle,
                                 schema_in_prompt);
}

static void
dispatch (CsRunner *self,
          Request  *request)
{
  /* tracked while the key is looked up, so cancellation sees it */
  g_ptr_array_add (self->requests, request);
  with_provider (self, request->model->provider, group_provider_ready, request);
}

static void
prepare_slot (Slot    *slot,
              Request *request)
{
  slot->request = request;
  slot->got_first = FALSE;
  cs_candidate_set_attempts (slot->candidate, cs_candidate_get_attempts (slot->candidate) + 1);
  g_ptr_array_add (request->slots, slot);
}

static void
start_group (CsRunner *self,
             Group    *group)
{
  Request *request;

  if (group->messages == NULL)
    group->messages = build_messages (self, group->angle,
                                      group->model->structured != CS_STRUCTURED_JSON_SCHEMA);

  request = request_new (self, group->model);
  request->messages = json_node_ref (group->messages);
  request->temperature = group->temperature;
  setup_structured (self, request, group->model);

  for (guint i = 0; i < group->slots->len; i++)
    {
      Slot *slot = g_ptr_array_index (group->slots, i);

      if (slot_is_final (slot) || slot->request != NULL)
        continue;
      prepare_slot (slot, request);
    }

  if (request->slots->len == 0)
    {
      request_free (request);
      return;
    }
  dispatch (self, request);
}

/* A request for one candidate: a repair, or a retry. */
static void
start_slot_alone (CsRunner *self,
                  Slot     *slot,
                  JsonNode *messages,
                  gboolean  is_repair)
{
  Group *group = slot->group;
  Request *request = request_new (self, group->model);

  if (group->messages == NULL)
    group->messages = build_messages (self, group->angle,
                                      group->model->structured != CS_STRUCTURED_JSON_SCHEMA);
  request->messages = json_node_ref (messages ? messages : group->messages);
  request->temperature = group->temperature;
  request->is_repair = is_repair;
  setup_structured (self, request, group->model);
  prepare_slot (slot, request);
  if (is_repair)
    slot->got_first = TRUE; /* the first token time is the original's */
  dispatch (self, request);
}

/* Cancels @request's HTTP request with @reason (NULL: by the person). */
static void
cancel_request (Request    *request,
                const char *reason)
{
  if (request->cancel_reason == NULL && reason != NULL)
    request->cancel_reason = g_strdup (reason);
  g_cancellable_cancel (request->cancellable);
}

/* Stops every live candidate (late ones, or at the time limit): they are
 * final at once, with their partial text kept, and their requests stop. */
static void
cancel_live (CsRunner   *self,
             const char *reason)
{
  g_autoptr(GPtrArray) copy = g_ptr_array_copy (self->requests, NULL, NULL);

  for (guint i = 0; i < self->slots->len; i++)
    {
      Slot *slot = g_ptr_array_index (self->slots, i);

      if (slot_is_final (slot) || slot->request == NULL)
        continue;
      slot->user_cancelled = TRUE;
      cs_candidate_set_error (slot->candidate, reason);
      cs_candidate_set_status (slot->candidate, CS_CANDIDATE_CANCELLED);
      slot_finished (self, slot);
    }

  for (guint i = 0; i < copy->len; i++)
    {
      Request *request = g_ptr_array_index (copy, i);
      if (!request->is_judge)
        cancel_request (request, reason);
    }
}

static void
slot_finished (CsRunner *self,
               Slot     *slot)
{
  if (slot->retry_task != NULL && self->phase != PHASE_FINISHED)
    {
      /* the run's own flow synthesizes */
      GTask *task = g_steal_pointer (&slot->retry_task);
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
    }
  else if (slot->retry_task != NULL)
    {
      /* the run had finished: synthesize again with this candidate */
      GTask *task = g_steal_pointer (&slot->retry_task);

      g_ptr_array_add (self->synth_waiters, task);
      if (cs_run_count_status (self->run, CS_CANDIDATE_OK) > 0 && !self->cancelled)
        {
          self->phase = PHASE_RUNNING;
          start_synthesis (self);
        }
      else
        {
          /* nothing valid to synthesize: report and stay as we were */
          g_ptr_array_remove (self->synth_waiters, task);
          g_object_ref (task);
          g_task_return_new_error (task, CS_RUNNER_ERROR, CS_RUNNER_ERROR_NO_CANDIDATE,
                                   "%s: %s", cs_candidate_get_id (slot->candidate),
                                   cs_candidate_get_error (slot->candidate)
                                     ? cs_candidate_get_error (slot->candidate)
                                     : cs_candidate_status_to_string (cs_candidate_get_status (slot->candidate)));
          g_object_unref (task);
          if (cs_run_count_status (self->run, CS_CANDIDATE_OK) == 0)
            set_run_state (self, self->cancelled ? CS_RUN_CANCELLED : CS_RUN_FAILED);
          else
            set_run_state (self, CS_RUN_DONE);
        }
    }
}

/* Progress */

static void
complete_waiters (CsRunner *self,
                  GError   *error)
{
  g_autoptr(GPtrArray) waiters = g_steal_pointer (&self->synth_waiters);

  self->synth_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < waiters->len; i++)
    {
      GTask *task = g_ptr_array_index (waiters, i);

      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_boolean (task, TRUE);
    }
  if (self->execute_task != NULL)
    {
      GTask *task = g_steal_pointer (&self->execute_task);

      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_boolean (task, TRUE);
      g_object_unref (task);
    }
}

static void
stop_timers (CsRunner *self)
{
  g_clear_handle_id (&self->deadline_id, g_source_remove);
  g_clear_handle_id (&self->max_time_id, g_source_remove);
}

static char *
failure_summary (CsRunner *self)
{
  g_autoptr(GString) str = g_string_new ("No candidate succeeded");
  guint shown = 0;

  for (guint i = 0; i < self->slots->len; i++)
    {
      Slot *slot = g_ptr_array_index (self->slots, i);
      const char *error = cs_candidate_get_error (slot->candidate);

      if (shown == 3)
        {
          g_string_append (str, "; …");
          break;
        }
      g_string_append_printf (str, "%s %s (%s): %s",
                              shown == 0 ? ":" : ";",
                              cs_candidate_get_id (slot->candidate),
                              cs_candidate_get_model (slot->candidate),
                              error ? error : cs_candidate_status_to_string (cs_candidate_get_status (slot->candidate)));
      shown++;
    }
  return g_string_free (g_steal_pointer (&str), FALSE);
}

static void
finish_failed (CsRunner *self)
{
  g_autofree char *summary = failure_summary (self);
  g_autoptr(GError) error = g_error_new_literal (CS_RUNNER_ERROR, CS_RUNNER_ERROR_NO_CANDIDATE, summary);

  self->phase = PHASE_FINISHED;
  stop_timers (self);
  cs_run_set_message (self->run, summary);
  set_run_state (self, CS_RUN_FAILED);
  complete_waiters (self, error);
}

static void
maybe_finish_cancelled (CsRunner *self)
{
  g_autoptr(GError) error = NULL;

  if (!self->cancelled || self->phase == PHASE_FINISHED || self->requests->len > 0)
    return;

  for (guint i = 0; i < self->slots->len; i++)
    {
      Slot *slot = g_ptr_array_index (self->slots, i);
      if (!slot_is_final (slot))
        {
          cs_candidate_set_error (slot->candidate, "Cancelled");
          cs_candidate_set_status (slot->candidate, CS_CANDIDATE_CANCELLED);
        }
    }

  self->phase = PHASE_FINISHED;
  stop_timers (self);
  /* a fusion still running in its thread is dropped: its callback sees
   * the serial changed */
  self->fuse_serial++;
  if (self->fuse_cancellable != NULL)
    g_cancellable_cancel (self->fuse_cancellable);
  g_clear_object (&self->fuse_cancellable);
  g_clear_pointer (&self->fused, json_node_unref);
  cs_run_set_message (self->run, "The run was cancelled.");
  set_run_state (self, CS_RUN_CANCELLED);
  error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "The run was cancelled");
  complete_waiters (self, error);
}

static void
check_progress (CsRunner *self)
{
  guint n_ok;
  gboolean all_final;

  if (self->phase != PHASE_RUNNING || self->cancelled)
    return;

  n_ok = cs_run_count_status (self->run, CS_CANDIDATE_OK);
  all_final = TRUE;
  for (guint i = 0; i < self->slots->len; i++)
    if (!slot_is_final (g_ptr_array_index (self->slots, i)))
      all_final = FALSE;

  if (n_ok > 0 && (all_final ||
                   (self->quorum > 0 && n_ok >= self->quorum) ||
                   self->deadline_passed || self->timed_out))
    start_synthesis (self);
  else if (all_final && n_ok == 0)
    finish_failed (self);
}

static gboolean
deadline_cb (gpointer user_data)
{
  CsRunner *self = user_data;

  self->deadline_id = 0;
  self->deadline_passed = TRUE;
  g_debug ("Deadline passed");
  check_progress (self);
  return G_SOURCE_REMOVE;
}

static gboolean
max_time_cb (gpointer user_data)
{
  CsRunner *self = user_data;
  g_autofree char *reason = g_strdup_printf ("Stopped: the run reached its time limit of %d minutes",
                                             CS_RUNNER_MAX_RUN_S / 60);

  self->max_time_id = 0;
  self->timed_out = TRUE;
  g_debug ("Run time limit reached");
  cancel_live (self, reason);
  check_progress (self);
  return G_SOURCE_REMOVE;
}

/* Synthesis */

static GPtrArray *
valid_candidates (CsRunner *self)
{
  GPtrArray *valid = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < self->slots->len; i++)
    {
      Slot *slot = g_ptr_array_index (self->slots, i);
      if (cs_candidate_get_status (slot->candidate) == CS_CANDIDATE_OK &&
          cs_candidate_get_data (slot->candidate) != NULL)
        g_ptr_array_add (valid, g_object_ref (slot->candidate));
    }
  return valid;
}

static void
finish_done (CsRunner *self,
             JsonNode *result)
{
  JsonNode *note;
  JsonNode *degraded;

  self->phase = PHASE_FINISHED;
  stop_timers (self);
  g_clear_pointer (&self->fused, json_node_unref);
  cs_run_set_synthesis (self->run, result);

  cs_run_set_message (self->run, NULL);
  if (result != NULL && JSON_NODE_HOLDS_OBJECT (result))
    {
      JsonObject *obj = json_node_get_object (result);
      degraded = json_object_get_member (obj, "degraded");
      note = json_object_get_member (obj, "note");
      if (degraded != NULL && JSON_NODE_HOLDS_VALUE (degraded) &&
          json_node_get_value_type (degraded) == G_TYPE_BOOLEAN && json_node_get_boolean (degraded) &&
          note != NULL && JSON_NODE_HOLDS_VALUE (note) && json_node_get_value_type (note) == G_TYPE_STRING)
        cs_run_set_message (self->run, json_node_get_string (note));
    }
  set_run_state (self, CS_RUN_DONE);
  complete_waiters (self, NULL);
}

/* When even the local fusion fails (it should not), the best single
 * candidate stands, marked degraded: degrade, never die. */
static JsonNode *
fallback_result (CsRunner   *self,
                 GPtrArray  *valid,
                 const char *why)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  CsCandidate *c = g_ptr_array_index (valid, 0);
  g_autofree char *note = g_strdup_printf ("The synthesis failed (%s); this is candidate %s's answer alone.",
                                           why, cs_candidate_get_id (c));

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "methods");
  json_builder_begin_array (b);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "data");
  json_builder_add_value (b, json_node_copy (cs_candidate_get_data (c)));
  json_builder_set_member_name (b, "rationale");
  json_builder_add_null_value (b);
  json_builder_set_member_name (b, "votes");
  json_builder_begin_array (b);
  json_builder_end_array (b);
  json_builder_end_object (b);
  node = json_builder_get_root (b);
  return cs_synthesis_mark_degraded (node, note);
}

static void
judge_done (CsRunner   *self,
            Request    *request,
            gboolean    ok,
            const char *why)
{
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *reason = NULL;
  CsMode mode = cs_run_get_mode (self->run);

  if (self->cancelled || self->fused == NULL)
    return;

  if (ok)
    {
      g_autoptr(JsonNode) reply = NULL;
      JsonNode *schema = cs_synthesis_get_judge_schema (mode);

      if (request->judge_refusal->len > 0 ||
          g_strcmp0 (request->judge_finish, "content_filter") == 0)
        {
          g_autofree char *shown = request->judge_refusal->len > 0
                                   ? short_text (request->judge_refusal->str, 300) : NULL;

          reason = shown != NULL ? g_strdup_printf ("it refused: %s", shown)
                                 : g_strdup ("it refused (content filter)");
        }
      else if (g_strcmp0 (request->judge_finish, "length") == 0)
        reason = g_strdup ("its reply was cut off at the token limit");
      else if ((reply = cs_mode_extract_json (request->judge_text->str, &error)) == NULL)
        reason = g_strdup_printf ("its reply held no JSON (%s)", error->message);
      else if (!cs_json_schema_validate (schema, reply, &error))
        reason = g_strdup_printf ("its reply did not fit the schema (%s)", error->message);
      else if ((result = cs_synthesis_apply_judge (mode, self->fused, reply,
                                                   cs_run_get_judge (self->run), &error)) == NULL)
        reason = g_strdup_printf ("its verdict could not be applied (%s)", error->message);
    }
  else
    reason = g_strdup (why ? why : "unknown error");

  if (result == NULL)
    {
      /* the reason is often a whole sentence already */
      gboolean full_stop = g_str_has_suffix (g_strchomp (reason), ".");
      g_autofree char *note = g_strdup_printf ("The judge (%s) failed: %s%s The result combines votes and consensus only.",
                                               cs_run_get_judge (self->run), reason, full_stop ? "" : ".");
      g_debug ("%s", note);
      result = cs_synthesis_mark_degraded (self->fused, note);
    }
  finish_done (self, result);
}

static void
judge_provider_ready (CsRunner *self,
                      Provider *provider,
                      gpointer  data)
{
  Request *request = data;

  request->provider = provider;
  remove_request (self, request);

  if (self->cancelled)
    {
      request_free (request);
      maybe_finish_cancelled (self);
      return;
    }
  if (provider->key_error != NULL)
    {
      judge_done (self, request, FALSE, provider->key_error);
      request_free (request);
      return;
    }
  send_request (self, request);
}

static void
start_judge (CsRunner            *self,
             const CsModelConfig *judge,
             GPtrArray           *valid)
{
  CsMode mode = cs_run_get_mode (self->run);
  Request *request = request_new (self, judge);
  g_auto(GStrv) keys = NULL;
  g_auto(GStrv) values = NULL;
  JsonNode *messages;

  get_constraints (self->run, &keys, &values);
  messages = cs_synthesis_build_judge_messages (mode,
                                                cs_run_get_problem (self->run),
                                                (const char * const *)keys,
                                                (const char * const *)values,
                                                valid, self->fused);
  if (messages == NULL || !JSON_NODE_HOLDS_ARRAY (messages))
    {
      g_clear_pointer (&messages, json_node_unref);
      judge_done (self, request, FALSE, "its request could not be built");
      request_free (request);
      return;
    }

  if (judge->structured != CS_STRUCTURED_JSON_SCHEMA)
    {
      /* no schema on the wire: put it in the prompt */
      g_autofree char *schema_text = NULL;
      g_autofree char *content = NULL;
      JsonObject *msg = json_object_new ();

      schema_text = cs_json_to_string (cs_synthesis_get_judge_schema (mode), FALSE);
      content = g_strdup_printf ("Reply with one JSON object only, no prose around it, "
                                 "valid against this JSON Schema:\n%s", schema_text);
      json_object_set_string_member (msg, "role", "user");
      json_object_set_string_member (msg, "content", content);
      json_array_add_object_element (json_node_get_array (messages), msg);
    }

  request->is_judge = TRUE;
  request->judge_text = g_string_new (NULL);
  request->judge_refusal = g_string_new (NULL);
  request->messages = messages;
  request->temperature = isnan (judge->temperature) ? NAN : judge->temperature;
  request->structured = judge->structured;
  if (judge->structured == CS_STRUCTURED_JSON_SCHEMA)
    {
      request->schema = cs_mode_schema_for_strict (cs_synthesis_get_judge_schema (mode));
      request->schema_name = cs_synthesis_get_judge_schema_name (mode);
    }

  g_ptr_array_add (self->requests, request);
  with_provider (self, judge->provider, judge_provider_ready, request);
}

/* One fusion in flight: the runner, the candidates it fuses (the judge
 * gets the same ones) and the serial that says whether it is still wanted. */
typedef struct {
  CsRunner  *runner;
  GPtrArray *valid;
  guint      serial;
} FuseData;

static void
fuse_data_free (FuseData *data)
{
  g_clear_object (&data->runner);
  g_clear_pointer (&data->valid, g_ptr_array_unref);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FuseData, fuse_data_free)

static void
fuse_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(FuseData) data = user_data;
  CsRunner *self = data->runner;
  g_autoptr(JsonNode) fused = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *valid = data->valid;
  const char *judge_id;
  const CsModelConfig *judge;

  fused = cs_synthesis_fuse_finish (result, &error);

  /* cancelled or superseded while the fusion ran: the run has moved on
   * (maybe_finish_cancelled () finished it, or it will once the last
   * request ends) */
  if (data->serial != self->fuse_serial || self->phase != PHASE_SYNTHESIZING || self->cancelled)
    {
      g_debug ("Dropping the result of a fusion that is no longer wanted");
      return;
    }
  g_clear_object (&self->fuse_cancellable);

  g_clear_pointer (&self->fused, json_node_unref);
  self->fused = g_steal_pointer (&fused);
  if (self->fused == NULL)
    {
      g_autoptr(JsonNode) fallback = fallback_result (self, valid, error ? error->message : "no result");
      finish_done (self, fallback);
      return;
    }

  judge_id = cs_run_get_judge (self->run);
  if (judge_id == NULL)
    {
      g_autoptr(JsonNode) done =
        cs_synthesis_mark_degraded (self->fused,
                                    "No judge model was chosen; the result combines votes and consensus only.");
      finish_done (self, done);
      return;
    }

  judge = cs_config_find_model (self->config, judge_id);
  if (judge == NULL)
    {
      g_autofree char *note = g_strdup_printf ("The judge model %s is not configured; "
                                               "the result combines votes and consensus only.", judge_id);
      g_autoptr(JsonNode) done = cs_synthesis_mark_degraded (self->fused, note);
      finish_done (self, done);
      return;
    }

  self->judge_start_us = g_get_monotonic_time ();
  start_judge (self, judge, valid);
}

static void
start_synthesis (CsRunner *self)
{
  FuseData *data;

  g_assert (self->phase == PHASE_RUNNING);

  self->phase = PHASE_SYNTHESIZING;
  g_clear_handle_id (&self->deadline_id, g_source_remove);

  if (self->cancel_late)
    cancel_live (self, "Stopped: the synthesis started without it (quorum or deadline reached)");

  set_run_state (self, CS_RUN_SYNTHESIZING);

  data = g_new0 (FuseData, 1);
  data->runner = g_object_ref (self);
  data->valid = valid_candidates (self);
  data->serial = ++self->fuse_serial;
  g_assert (data->valid->len > 0);

  g_clear_pointer (&self->fused, json_node_unref);
  /* the fusion takes a snapshot of the candidates here and runs in a
   * worker thread: the main loop goes on (streams of late candidates, the
   * UI) while it works */
  if (self->fuse_cancellable != NULL)
    g_cancellable_cancel (self->fuse_cancellable);
  g_clear_object (&self->fuse_cancellable);
  self->fuse_cancellable = g_cancellable_new ();
  cs_synthesis_fuse_async (cs_run_get_mode (self->run), data->valid,
                           self->fuse_cancellable, fuse_cb, data);
}

/* Execution */

static gboolean
cancel_idle_cb (gpointer user_data)
{
  CsRunner *self = user_data;
  g_autoptr(GPtrArray) copy = NULL;

  if (self->cancelled || self->phase == PHASE_FINISHED || self->phase == PHASE_IDLE)
    return G_SOURCE_REMOVE;

  self->cancelled = TRUE;
  copy = g_ptr_array_copy (self->requests, NULL, NULL);
  for (guint i = 0; i < copy->len; i++)
    cancel_request (g_ptr_array_index (copy, i), NULL);
  maybe_finish_cancelled (self);
  return G_SOURCE_REMOVE;
}

static void
run_cancelled_cb (GCancellable *cancellable,
                  gpointer      user_data)
{
  CsRunner *self = user_data;

  /* g_cancellable_connect calls back in the cancelling thread and under
   * the cancellable's lock: do the work from the main context. */
  g_idle_add_full (G_PRIORITY_HIGH, cancel_idle_cb, g_object_ref (self), g_object_unref);
}

void
cs_runner_execute_async (CsRunner            *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *copy = NULL;
  const char *problem;

  g_return_if_fail (CS_IS_RUNNER (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cs_runner_execute_async);
  g_task_set_check_cancellable (task, FALSE);

  if (self->phase != PHASE_IDLE || self->execute_task != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               "The run is already executing");
      return;
    }

  problem = cs_run_get_problem (self->run);
  copy = g_strstrip (g_strdup (problem ? problem : ""));
  if (copy[0] == '\0')
    {
      g_task_return_new_error (task, CS_RUNNER_ERROR, CS_RUNNER_ERROR_INPUT,
                               "The problem is empty");
      return;
    }
  if (self->slots->len == 0)
    {
      g_task_return_new_error (task, CS_RUNNER_ERROR, CS_RUNNER_ERROR_CONFIG,
                               "No candidate was planned: choose at least one model");
      return;
    }

  self->execute_task = g_steal_pointer (&task);
  self->phase = PHASE_RUNNING;
  if (self->store != NULL)
    cs_run_store_watch (self->store, self->run);
  set_run_state (self, CS_RUN_RUNNING);

  if (cancellable != NULL)
    {
      self->execute_cancellable = g_object_ref (cancellable);
      self->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (run_cancelled_cb),
                                                  self, NULL);
      if (g_cancellable_is_cancelled (cancellable))
        return;
    }

  if (self->deadline_s > 0)
    self->deadline_id = g_timeout_add (MIN (self->deadline_s, CS_RUNNER_MAX_RUN_S) * 1000, deadline_cb, self);
  self->max_time_id = g_timeout_add_seconds (CS_RUNNER_MAX_RUN_S, max_time_cb, self);

  for (guint i = 0; i < self->groups->len; i++)
    start_group (self, g_ptr_array_index (self->groups, i));

  check_progress (self);
}

gboolean
cs_runner_execute_finish (CsRunner      *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (CS_IS_RUNNER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
cs_runner_cancel_candidate (CsRunner   *self,
                            const char *candidate_id)
{
  Slot *slot;
  Request *request;
  gboolean others_live = FALSE;

  g_return_if_fail (CS_IS_RUNNER (self));
  g_return_if_fail (candidate_id != NULL);

  slot = find_slot (self, candidate_id);
  if (slot == NULL || slot_is_final (slot))
    return;

  request = slot->request;
  if (request != NULL)
    for (guint i = 0; i < request->slots->len; i++)
      {
        Slot *other = g_ptr_array_index (request->slots, i);
        if (other != slot && other->request == request && !other->user_cancelled && !slot_is_final (other))
          others_live = TRUE;
      }

  slot->user_cancelled = TRUE;
  cs_candidate_set_error (slot->candidate, "Cancelled");
  cs_candidate_set_status (slot->candidate, CS_CANDIDATE_CANCELLED);
  slot_finished (self, slot);

  if (request != NULL && !others_live)
    cancel_request (request, NULL);

  check_progress (self);
}

void
cs_runner_retry_candidate_async (CsRunner            *self,
                                 const char          *candidate_id,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Slot *slot;

  g_return_if_fail (CS_IS_RUNNER (self));
  g_return_if_fail (candidate_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cs_runner_retry_candidate_async);

  slot = find_slot (self, candidate_id);
  if (slot == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                               "No candidate %s in this run", candidate_id);
      return;
    }
  if (!slot_is_final (slot) || slot->request != NULL || slot->retry_task != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_BUSY,
                               "Candidate %s is still running", candidate_id);
      return;
    }
  if (self->phase == PHASE_IDLE || self->phase == PHASE_SYNTHESIZING)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_BUSY,
                               "The run is not ready for a retry");
      return;
    }

  if (self->phase == PHASE_FINISHED)
    {
      /* a fresh start after a cancelled run */
      self->cancelled = FALSE;
      set_run_state (self, CS_RUN_RUNNING);
    }

  slot->user_cancelled = FALSE;
  slot->repairs = 0;
  cs_candidate_reset_stream (slot->candidate);
  cs_candidate_set_status (slot->candidate, CS_CANDIDATE_QUEUED);
  slot->retry_task = g_steal_pointer (&task);
  start_slot_alone (self, slot, NULL, FALSE);

  if (cancellable != NULL && slot->request != NULL)
    {
      /* cancelling the retry stops its request */
      g_signal_connect_object (cancellable, "cancelled",
                               G_CALLBACK (g_cancellable_cancel),
                               slot->request->cancellable, G_CONNECT_SWAPPED);
    }
}

gboolean
cs_runner_retry_candidate_finish (CsRunner      *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (CS_IS_RUNNER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
