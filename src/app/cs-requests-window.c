/* cs-requests-window.c: a run's HTTP attempts, from the request log
 *
 * One row per attempt (cs-request-log.h), the failed ones first: which
 * candidates it served, the model, the attempt number, the HTTP status,
 * what went wrong, the retry delay, the time to the first byte, the
 * duration, tokens and bytes. The log is read in a worker thread when the
 * window opens, on Reload, and when the run's state changes. Everything
 * shown comes from the network or the log: plain labels, never markup.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-requests-window"

#include "config.h"

#include <glib/gi18n.h>

#include "cs-number-format.h"
#include "cs-requests-window.h"
#include "cs-result-parts.h"
#include "cs-json-util.h"
#include "cs-terminal-text.h"

struct _CsRequestsWindow
{
  AdwWindow       parent_instance;

  CsRun          *run;
  GCancellable   *cancellable;
  gboolean        loading;

  AdwWindowTitle *window_title;
  GtkStack       *stack;
  GtkLabel       *summary_label;
  GtkListBox     *list_box;
};

G_DEFINE_FINAL_TYPE (CsRequestsWindow, cs_requests_window, ADW_TYPE_WINDOW)

static void reload (CsRequestsWindow *self);

/* The error kind in words. */
static const char *
kind_label (const char *kind)
{
  static const struct { const char *kind; const char *label; } labels[] = {
    { "connect", N_("Could not connect") },
    { "timeout", N_("Timed out") },
    { "auth", N_("Authentication failed") },
    { "not-found", N_("Not found") },
    { "bad-request", N_("Bad request") },
    { "rate-limited", N_("Rate limited") },
    { "quota", N_("Out of quota") },
    { "server", N_("Server error") },
    { "stream", N_("Error in the stream") },
    { "truncated", N_("Reply cut short") },
    { "too-large", N_("Reply too large") },
    { "protocol", N_("Not a stream") },
    { "cancelled", N_("Cancelled") },
  };

  if (kind == NULL)
    return _("Succeeded");
  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_str_equal (kind, labels[i].kind))
      return _(labels[i].label);
  return _("Failed");
}

static char *
row_title (JsonObject *o)
{
  const char *candidates = cs_json_get_string (o, "candidates");
  g_autofree char *who = NULL;
  g_autofree char *model_id = NULL;
  g_autofree char *model = NULL;

  if (g_strcmp0 (candidates, "judge") == 0)
    who = g_strdup (_("Judge"));
  else if (g_strcmp0 (candidates, "ranking") == 0)
    who = g_strdup (_("Peer ranking"));
  else
    who = g_strdup (candidates != NULL ? candidates : "?");
  model_id = g_strdup_printf ("%s/%s", cs_json_get_string (o, "provider") ?: "?", cs_json_get_string (o, "model") ?: "?");
  model = cs_result_model_text (NULL, model_id);
  /* TRANSLATORS: "c1 · kimi-k2 from Moonshot · attempt 2" */
  return g_strdup_printf (_("%s · %s · attempt %lld"), who, model,
                          (long long) cs_json_get_int_or (o, "attempt", -1));
}

static char *
row_subtitle (JsonObject *o)
{
  g_autoptr(GString) s = g_string_new (NULL);
  const char *error = cs_json_get_string (o, "error");
  gint64 v;

  if ((v = cs_json_get_int_or (o, "status", -1)) > 0)
    g_string_append_printf (s, _("HTTP %lld"), (long long) v);
  else
    g_string_append (s, _("No HTTP status"));
  g_string_append_printf (s, " · %s", kind_label (cs_json_get_string (o, "error_kind")));
  if ((v = cs_json_get_int_or (o, "retry_delay_ms", -1)) >= 0)
    g_string_append_printf (s, _(" · retried after %.1f s"), v / 1000.0);
  if ((v = cs_json_get_int_or (o, "ttfb_ms", -1)) >= 0)
    g_string_append_printf (s, _(" · first byte after %lld ms"), (long long) v);
  if ((v = cs_json_get_int_or (o, "duration_ms", -1)) >= 0)
    g_string_append_printf (s, _(" · %lld ms in all"), (long long) v);
  if (cs_json_get_int_or (o, "output_tokens", -1) >= 0)
    {
      g_autofree char *in = cs_format_count (MAX (cs_json_get_int_or (o, "input_tokens", -1), 0));
      g_autofree char *out = cs_format_count (cs_json_get_int_or (o, "output_tokens", -1));

      /* Translators: input tokens, then output tokens (numbers) */
      g_string_append_printf (s, _(" · %s tokens in, %s out"), in, out);
    }
  if ((v = cs_json_get_int_or (o, "bytes", -1)) > 0)
    {
      g_autofree char *size = g_format_size ((guint64) v);
      g_string_append_printf (s, " · %s", size);
    }
  if (error != NULL)
    {
      /* one paragraph, control and bidi characters shown escaped: a
       * provider's message is hostile text */
      g_autofree char *flat = cs_text_for_terminal (error, FALSE);
      g_string_append_printf (s, "\n%s", flat);
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static GtkWidget *
make_row (JsonObject *o)
{
  AdwActionRow *row = ADW_ACTION_ROW (adw_action_row_new ());
  gboolean failed = cs_request_log_entry_failed (o);
  GtkWidget *icon = gtk_image_new_from_icon_name (failed ? "dialog-warning-symbolic" : "emblem-ok-symbolic");
  g_autofree char *title = row_title (o);
  g_autofree char *subtitle = row_subtitle (o);

  /* text from providers: never markup */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (row, subtitle);
  adw_action_row_set_subtitle_lines (row, 0);
  gtk_widget_add_css_class (icon, failed ? "error" : "success");
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  failed ? _("Failed") : _("Succeeded"), -1);
  adw_action_row_add_prefix (row, icon);
  return GTK_WIDGET (row);
}

static void
show_entries (CsRequestsWindow *self,
              GPtrArray        *entries)
{
  GtkWidget *child;
  guint n_failed = 0;
  g_autofree char *summary = NULL;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box))) != NULL)
    gtk_list_box_remove (self->list_box, child);

  if (entries == NULL || entries->len == 0)
    {
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }
  cs_request_log_sort_failed_first (entries);
  for (guint i = 0; i < entries->len; i++)
    {
      JsonObject *o = g_ptr_array_index (entries, i);

      n_failed += cs_request_log_entry_failed (o);
      gtk_list_box_append (self->list_box, make_row (o));
    }
  summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u attempt, %u failed", "%u attempts, %u failed",
                                          entries->len),
                             entries->len, n_failed);
  gtk_label_set_text (self->summary_label, summary);
  gtk_stack_set_visible_child_name (self->stack, "list");
}

static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(CsRequestsWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = cs_request_log_read_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->loading = FALSE;
  show_entries (self, entries);
}

static void
reload (CsRequestsWindow *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->loading = TRUE;
  if (gtk_widget_get_first_child (GTK_WIDGET (self->list_box)) == NULL)
    gtk_stack_set_visible_child_name (self->stack, "loading");
  /* what the engine has queued is on disk first */
  cs_request_log_flush (200);
  cs_request_log_read_async (cs_run_get_id (self->run), self->cancellable, read_cb, g_object_ref (self));
}

static void
reload_clicked_cb (CsRequestsWindow *self)
{
  reload (self);
}

static void
state_changed_cb (CsRequestsWindow *self)
{
  reload (self);
}

static void
cs_requests_window_dispose (GObject *object)
{
  CsRequestsWindow *self = CS_REQUESTS_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), CS_TYPE_REQUESTS_WINDOW);
  G_OBJECT_CLASS (cs_requests_window_parent_class)->dispose (object);
}

static void
cs_requests_window_finalize (GObject *object)
{
  CsRequestsWindow *self = CS_REQUESTS_WINDOW (object);

  g_clear_object (&self->run);
  G_OBJECT_CLASS (cs_requests_window_parent_class)->finalize (object);
}

static void
cs_requests_window_class_init (CsRequestsWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cs_requests_window_dispose;
  object_class->finalize = cs_requests_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/consilium/Consilium/cs-requests-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CsRequestsWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, CsRequestsWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, CsRequestsWindow, summary_label);
  gtk_widget_class_bind_template_child (widget_class, CsRequestsWindow, list_box);
  gtk_widget_class_bind_template_callback (widget_class, reload_clicked_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
cs_requests_window_init (CsRequestsWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

CsRequestsWindow *
cs_requests_window_new (CsRun *run)
{
  CsRequestsWindow *self;

  g_return_val_if_fail (CS_IS_RUN (run), NULL);

  self = g_object_new (CS_TYPE_REQUESTS_WINDOW, NULL);
  self->run = g_object_ref (run);
  adw_window_title_set_subtitle (self->window_title, cs_run_get_title (run));
  g_signal_connect_object (run, "notify::state", G_CALLBACK (state_changed_cb), self, G_CONNECT_SWAPPED);
  reload (self);
  return self;
}

CsRun *
cs_requests_window_get_run (CsRequestsWindow *self)
{
  g_return_val_if_fail (CS_IS_REQUESTS_WINDOW (self), NULL);

  return self->run;
}

gboolean
cs_requests_window_is_loading (CsRequestsWindow *self)
{
  g_return_val_if_fail (CS_IS_REQUESTS_WINDOW (self), FALSE);

  return self->loading;
}
