/* cs-provider-client-models.c: listing a provider's models
 *
 * GET /models (OpenAI) or /api/tags (Ollama), with the client's key and
 * session, a timeout of its own, and the same errors as a chat request.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-provider-client"

#include "config.h"

#include "cs-json-schema.h"
#include "cs-json-util.h"
#include "cs-provider-client-private.h"

/* Model lists are read up to this size. */
#define MAX_MODELS_BODY (4 * 1024 * 1024)

/* Listing models */

typedef struct {
  SoupMessage *msg;
  GInputStream *stream;
  GByteArray *body;
  GCancellable *cancellable;   /* internal, chained to the caller's */
  gulong cancelled_id;
  GCancellable *user_cancellable;
  GSource *timer;
  gboolean timed_out;
} ListData;

static void
list_data_free (gpointer data)
{
  ListData *ld = data;

  _cs_client_clear_source (&ld->timer);
  if (ld->user_cancellable != NULL && ld->cancelled_id != 0)
    g_cancellable_disconnect (ld->user_cancellable, ld->cancelled_id);
  g_clear_object (&ld->user_cancellable);
  g_clear_object (&ld->cancellable);
  g_clear_object (&ld->msg);
  g_clear_object (&ld->stream);
  g_clear_pointer (&ld->body, g_byte_array_unref);
  g_free (ld);
}

static gboolean
list_timeout_cb (gpointer data)
{
  ListData *ld = data;

  g_clear_pointer (&ld->timer, g_source_unref);
  ld->timed_out = TRUE;
  g_cancellable_cancel (ld->cancellable);
  return G_SOURCE_REMOVE;
}

static void
list_user_cancelled (GCancellable *cancellable,
                     gpointer      data)
{
  g_cancellable_cancel (G_CANCELLABLE (data));
}

static void
list_return_error (GTask  *task,
                   GError *error)
{
  CsProviderClient *self = g_task_get_source_object (task);
  ListData *ld = g_task_get_task_data (task);

  _cs_client_clear_source (&ld->timer);
  if (ld->timed_out && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_error_free (error);
      error = g_error_new (CS_CLIENT_ERROR, CS_CLIENT_ERROR_TIMEOUT,
                           "%s did not list its models in time.", _cs_client_provider_name (self));
    }
  g_task_return_error (task, error);
}

static GStrv
parse_models (CsApiDialect  dialect,
              const char   *data,
              gsize         len,
              GError      **error)
{
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  JsonNode *list;
  JsonArray *array;
  const char *list_key = dialect == CS_API_OLLAMA ? "models" : "data";
  const char *name_key = dialect == CS_API_OLLAMA ? "name" : "id";

  root = cs_json_parse_bounded (data, (gssize) len, 0, NULL);
  if (root == NULL ||
      !JSON_NODE_HOLDS_OBJECT (root) ||
      (list = json_object_get_member (json_node_get_object (root), list_key)) == NULL ||
      !JSON_NODE_HOLDS_ARRAY (list))
    {
      g_set_error (error, CS_CLIENT_ERROR, CS_CLIENT_ERROR_PROTOCOL,
                   "The model list is not the expected JSON (an object with \"%s\": [])",
                   list_key);
      return NULL;
    }

  array = json_node_get_array (list);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      JsonNode *name;

      if (!JSON_NODE_HOLDS_OBJECT (item))
        continue;
      name = json_object_get_member (json_node_get_object (item), name_key);
      if (name == NULL && dialect == CS_API_OLLAMA)
        name = json_object_get_member (json_node_get_object (item), "model");
      if (name != NULL && JSON_NODE_HOLDS_VALUE (name) &&
          json_node_get_value_type (name) == G_TYPE_STRING &&
          g_utf8_validate (json_node_get_string (name), -1, NULL))
        g_strv_builder_add (names, json_node_get_string (name));
    }

  return g_strv_builder_end (names);
}

static void
list_read_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      data)
{
  g_autoptr(GTask) task = data;
  CsProviderClient *self = g_task_get_source_object (task);
  ListData *ld = g_task_get_task_data (task);
  g_autoptr(GBytes) bytes = NULL;
  GError *error = NULL;
  guint status;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, &error);
  if (bytes == NULL)
    {
      list_return_error (task, error);
      return;
    }

  if (g_bytes_get_size (bytes) > 0)
    {
      if (ld->body->len + g_bytes_get_size (bytes) > MAX_MODELS_BODY)
        {
          list_return_error (task, g_error_new (CS_CLIENT_ERROR, CS_CLIENT_ERROR_TOO_LARGE,
                                                "The model list of %s is too large.",
                                                _cs_client_provider_name (self)));
          return;
        }
      g_byte_array_append (ld->body, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
      g_input_stream_read_bytes_async (ld->stream, CS_CLIENT_READ_CHUNK, G_PRIORITY_DEFAULT,
                                       ld->cancellable, list_read_cb, g_object_ref (task));
      return;
    }

  _cs_client_clear_source (&ld->timer);
  status = soup_message_get_status (ld->msg);
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      g_autofree char *message = NULL;
      g_autofree char *type = NULL;
      g_autofree char *code = NULL;
      SoupMessageHeaders *headers = soup_message_get_response_headers (ld->msg);

      _cs_client_parse_error_body ((const char *) ld->body->data, ld->body->len,
                                   soup_message_headers_get_content_type (headers, NULL),
                                   &message, &type, &code);
      g_task_return_error (task, _cs_client_http_error (self, 1, status, message, type, code, 0));
      return;
    }

  {
    GStrv names = parse_models (self->provider->api, (const char *) ld->body->data,
                                ld->body->len, &error);

    if (names == NULL)
      g_task_return_error (task, error);
    else
      g_task_return_pointer (task, names, (GDestroyNotify) g_strfreev);
  }
}

static void
list_sent_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      data)
{
  g_autoptr(GTask) task = data;
  CsProviderClient *self = g_task_get_source_object (task);
  ListData *ld = g_task_get_task_data (task);
  GError *error = NULL;

  ld->stream = soup_session_send_finish (SOUP_SESSION (object), result, &error);
  if (ld->stream == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *url = g_uri_to_string (soup_message_get_uri (ld->msg));
          GError *mapped = _cs_client_connect_error (self, url, 1, error);

          g_error_free (error);
          error = mapped;
        }
      list_return_error (task, error);
      return;
    }

  ld->body = g_byte_array_new ();
  g_input_stream_read_bytes_async (ld->stream, CS_CLIENT_READ_CHUNK, G_PRIORITY_DEFAULT,
                                   ld->cancellable, list_read_cb, g_object_ref (task));
}

void
cs_provider_client_list_models_async (CsProviderClient    *self,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *url = NULL;
  ListData *ld;
  guint timeout_s;

  g_return_if_fail (CS_IS_PROVIDER_CLIENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cs_provider_client_list_models_async);

  url = _cs_client_join_url (self->provider->base_url,
                             self->provider->api == CS_API_OLLAMA ? "/api/tags" : "/models");
  if (!_cs_client_url_is_valid (url))
    {
      g_task_return_new_error (task, CS_CLIENT_ERROR, CS_CLIENT_ERROR_CONNECT,
                               "The base URL of %s is not a valid http(s) URL.",
                               _cs_client_provider_name (self));
      return;
    }

  if (_cs_client_missing_key (self))
    {
      g_task_return_error (task, _cs_client_missing_key_error (self));
      return;
    }

  ld = g_new0 (ListData, 1);
  g_task_set_task_data (task, ld, list_data_free);
  ld->cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    {
      ld->user_cancellable = g_object_ref (cancellable);
      ld->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (list_user_cancelled),
                                                ld->cancellable, NULL);
    }

  ld->msg = soup_message_new (SOUP_METHOD_GET, url);
  soup_message_add_flags (ld->msg, SOUP_MESSAGE_NO_REDIRECT);
  soup_message_headers_replace (soup_message_get_request_headers (ld->msg),
                                "Accept", "application/json");
  _cs_client_add_auth (self, ld->msg);

  timeout_s = MAX (self->provider->connect_timeout_s, 30);
  ld->timer = _cs_client_attach_timeout (self->context, timeout_s * 1000, list_timeout_cb, ld, NULL);

  soup_session_send_async (self->session, ld->msg, G_PRIORITY_DEFAULT, ld->cancellable,
                           list_sent_cb, g_object_ref (task));
}

GStrv
cs_provider_client_list_models_finish (CsProviderClient  *self,
                                       GAsyncResult      *result,
                                       GError           **error)
{
  g_return_val_if_fail (CS_IS_PROVIDER_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
