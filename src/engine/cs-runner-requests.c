/* cs-runner-requests.c: from a group (or one candidate) to a request
 *
 * One CsProviderClient per provider, made when a request first needs it,
 * its key looked up once (environment or keyring) while the requests wait.
 * A group's candidates share one request with n = their number; a repair
 * or a retry sends one candidate alone. Every request in flight is tracked
 * in the runner's requests, so cancelling reaches it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-runner"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <math.h>
#include <string.h>

#include "cs-runner-private.h"
#include "cs-secrets.h"

typedef struct
{
  CsRunnerProviderReadyFunc func;
  gpointer                  data;
} Waiter;

/* Providers and keys */

void
_cs_runner_provider_free (CsRunnerProvider *provider)
{
  g_clear_pointer (&provider->config, cs_provider_config_free);
  g_clear_object (&provider->client);
  g_clear_pointer (&provider->key_error, g_free);
  g_clear_pointer (&provider->waiters, g_ptr_array_unref);
  g_free (provider);
}

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
  CsRunnerProvider *provider;

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
                 error ? error->message : _("none stored"));
      else
        {
          g_autofree char *how = NULL;

          if (provider->config->api_key_env != NULL)
            how = g_strdup_printf (_("store one with `consilium-cli --store-key=%s` or set %s"),
                                   provider->config->id, provider->config->api_key_env);
          else
            how = g_strdup_printf (_("store one with `consilium-cli --store-key=%s` or name an "
                                   "environment variable with api-key-env in the providers file"),
                                   provider->config->id);
          if (g_error_matches (error, CS_SECRETS_ERROR, CS_SECRETS_ERROR_LOCKED) ||
              g_error_matches (error, CS_SECRETS_ERROR, CS_SECRETS_ERROR_UNAVAILABLE))
            /* the message already says what is wrong and what to do */
            provider->key_error = g_strdup_printf (_("No API key for %s could be read: %s "
                                                   "(to store a new one: `consilium-cli --store-key=%s`)"),
                                                   provider->config->id, error->message,
                                                   provider->config->id);
          else if (error != NULL)
            provider->key_error = g_strdup_printf (_("No API key for %s (the keyring said: %s): %s"),
                                                   provider->config->id, error->message, how);
          else
            provider->key_error = g_strdup_printf (_("No API key for %s: %s"), provider->config->id, how);
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
void
_cs_runner_with_provider (CsRunner                  *self,
                          const char                *provider_id,
                          CsRunnerProviderReadyFunc  func,
                          gpointer                   data)
{
  CsRunnerProvider *provider = g_hash_table_lookup (self->providers, provider_id);

  if (provider == NULL)
    {
      const CsProviderConfig *config = cs_config_find_provider (self->config, provider_id);

      provider = g_new0 (CsRunnerProvider, 1);
      provider->waiters = g_ptr_array_new_with_free_func (g_free);
      if (config == NULL)
        {
          provider->key_looked_up = TRUE;
          provider->key_error = g_strdup_printf (_("The provider %s is not configured"), provider_id);
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

CsRunnerRequest *
_cs_runner_request_new (CsRunner            *self,
                        const CsModelConfig *model)
{
  CsRunnerRequest *request = g_new0 (CsRunnerRequest, 1);

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

void
_cs_runner_request_free (CsRunnerRequest *request)
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
  g_clear_pointer (&request->think, g_ptr_array_unref);
  g_clear_pointer (&request->ranker, _cs_runner_ranker_free);
  g_clear_object (&request->runner);
  g_free (request);
}

void
_cs_runner_remove_request (CsRunner        *self,
                           CsRunnerRequest *request)
{
  g_ptr_array_remove (self->requests, request);
}

static void
fail_slot (CsRunner     *self,
           CsRunnerSlot *slot,
           const char   *message)
{
  slot->request = NULL;
  cs_candidate_set_error (slot->candidate, message);
  cs_candidate_set_status (slot->candidate, CS_CANDIDATE_FAILED);
  _cs_runner_slot_finished (self, slot);
}

static void
setup_structured (CsRunner            *self,
                  CsRunnerRequest     *request,
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
group_provider_ready (CsRunner         *self,
                      CsRunnerProvider *provider,
                      gpointer          data)
{
  CsRunnerRequest *request = data;

  request->provider = provider;
  if (self->cancelled || g_cancellable_is_cancelled (request->cancellable))
    {
      for (guint i = 0; i < request->slots->len; i++)
        {
          CsRunnerSlot *slot = g_ptr_array_index (request->slots, i);
          if (slot->request != request)
            continue;
          slot->request = NULL;
          if (!_cs_runner_slot_is_final (slot))
            {
              cs_candidate_set_error (slot->candidate, request->cancel_reason ? request->cancel_reason : "Cancelled");
              cs_candidate_set_status (slot->candidate, CS_CANDIDATE_CANCELLED);
              _cs_runner_slot_finished (self, slot);
            }
        }
      _cs_runner_remove_request (self, request);
      _cs_runner_request_free (request);
      _cs_runner_check_progress (self);
      _cs_runner_maybe_finish_cancelled (self);
      return;
    }

  if (provider->key_error != NULL)
    {
      for (guint i = 0; i < request->slots->len; i++)
        {
          CsRunnerSlot *slot = g_ptr_array_index (request->slots, i);
          if (slot->request == request)
            fail_slot (self, slot, provider->key_error);
        }
      _cs_runner_remove_request (self, request);
      _cs_runner_request_free (request);
      _cs_runner_check_progress (self);
      _cs_runner_maybe_finish_cancelled (self);
      return;
    }

  /* it was tracked while waiting; send_request tracks it again */
  _cs_runner_remove_request (self, request);
  _cs_runner_send_request (self, request);
}

static JsonNode *
build_messages (CsRunner      *self,
                const CsAngle *angle,
                gboolean       schema_in_prompt)
{
  g_auto(GStrv) keys = NULL;
  g_auto(GStrv) values = NULL;

  if (self->follow_up != NULL)
    return _cs_runner_follow_up_messages (self, angle, schema_in_prompt);
  _cs_runner_get_constraints (self->run, &keys, &values);
  return cs_mode_build_messages (cs_run_get_mode (self->run),
                                 cs_run_get_problem (self->run),
                                 (const char * const *)keys,
                                 (const char * const *)values,
                                 angle,
                                 schema_in_prompt);
}

static void
dispatch (CsRunner        *self,
          CsRunnerRequest *request)
{
  /* tracked while the key is looked up, so cancellation sees it */
  g_ptr_array_add (self->requests, request);
  _cs_runner_with_provider (self, request->model->provider, group_provider_ready, request);
}

static void
prepare_slot (CsRunnerSlot    *slot,
              CsRunnerRequest *request)
{
  slot->request = request;
  slot->got_first = FALSE;
  cs_candidate_set_attempts (slot->candidate, cs_candidate_get_attempts (slot->candidate) + 1);
  g_ptr_array_add (request->slots, slot);
}

void
_cs_runner_start_group (CsRunner      *self,
                        CsRunnerGroup *group)
{
  CsRunnerRequest *request;

  if (group->messages == NULL)
    group->messages = build_messages (self, group->angle,
                                      group->model->structured != CS_STRUCTURED_JSON_SCHEMA);

  request = _cs_runner_request_new (self, group->model);
  request->messages = json_node_ref (group->messages);
  request->temperature = group->temperature;
  setup_structured (self, request, group->model);

  for (guint i = 0; i < group->slots->len; i++)
    {
      CsRunnerSlot *slot = g_ptr_array_index (group->slots, i);

      if (_cs_runner_slot_is_final (slot) || slot->request != NULL)
        continue;
      prepare_slot (slot, request);
    }

  if (request->slots->len == 0)
    {
      _cs_runner_request_free (request);
      return;
    }
  dispatch (self, request);
}

/* A request for one candidate: a repair, or a retry. */
void
_cs_runner_start_slot_alone (CsRunner     *self,
                             CsRunnerSlot *slot,
                             JsonNode     *messages,
                             gboolean      is_repair)
{
  CsRunnerGroup *group = slot->group;
  CsRunnerRequest *request = _cs_runner_request_new (self, group->model);

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
void
_cs_runner_cancel_request (CsRunnerRequest *request,
                           const char      *reason)
{
  if (request->cancel_reason == NULL && reason != NULL)
    request->cancel_reason = g_strdup (reason);
  g_cancellable_cancel (request->cancellable);
}

/* Stops every live candidate (late ones, or at the time limit): they are
 * final at once, with their partial text kept, and their requests stop. */
void
_cs_runner_cancel_live (CsRunner   *self,
                        const char *reason)
{
  g_autoptr(GPtrArray) copy = g_ptr_array_copy (self->requests, NULL, NULL);

  for (guint i = 0; i < self->slots->len; i++)
    {
      CsRunnerSlot *slot = g_ptr_array_index (self->slots, i);

      if (_cs_runner_slot_is_final (slot) || slot->request == NULL)
        continue;
      slot->user_cancelled = TRUE;
      cs_candidate_set_error (slot->candidate, reason);
      cs_candidate_set_status (slot->candidate, CS_CANDIDATE_CANCELLED);
      _cs_runner_slot_finished (self, slot);
    }

  for (guint i = 0; i < copy->len; i++)
    {
      CsRunnerRequest *request = g_ptr_array_index (copy, i);
      if (!request->is_judge)
        _cs_runner_cancel_request (request, reason);
    }
}
