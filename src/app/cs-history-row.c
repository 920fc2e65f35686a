/* cs-history-row.c: one saved run in the history sidebar
 *
 * Its labels follow the run (a GBinding on the title); the menu's actions
 * name the run to the window's win.rename-run and win.delete-run.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-history-row"

#include "config.h"

#include <glib/gi18n.h>

#include "cs-history-row.h"

struct _CsHistoryRow
{
  GtkListBoxRow  parent_instance;

  CsRun         *run;

  /* template children */
  GtkLabel      *title_label;
  GtkLabel      *subtitle_label;
  GtkMenuButton *menu_button;
};

G_DEFINE_FINAL_TYPE (CsHistoryRow, cs_history_row, GTK_TYPE_LIST_BOX_ROW)

enum {
  PROP_0,
  PROP_RUN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

char *
cs_format_relative_date (gint64 unix_time)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (unix_time);
  GTimeSpan ago;

  if (when == NULL)
    return g_strdup ("");

  ago = g_date_time_difference (now, when);
  if (ago < G_TIME_SPAN_MINUTE)
    return g_strdup (_("Just now"));
  if (ago < G_TIME_SPAN_HOUR)
    {
      int minutes = ago / G_TIME_SPAN_MINUTE;
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d minute ago", "%d minutes ago", minutes), minutes);
    }
  if (g_date_time_get_day_of_year (now) == g_date_time_get_day_of_year (when) &&
      g_date_time_get_year (now) == g_date_time_get_year (when))
    return g_date_time_format (when, _("Today %H:%M"));
  if (ago < 2 * G_TIME_SPAN_DAY)
    return g_date_time_format (when, _("Yesterday %H:%M"));
  if (g_date_time_get_year (now) == g_date_time_get_year (when))
    return g_date_time_format (when, _("%e %B"));
  return g_date_time_format (when, _("%e %B %Y"));
}

static gboolean
title_or_untitled (GBinding     *binding,
                   const GValue *from,
                   GValue       *to,
                   gpointer      user_data)
{
  const char *title = g_value_get_string (from);

  g_value_set_string (to, title != NULL && title[0] != '\0' ? title : _("Untitled"));
  return TRUE;
}

static void
title_changed_cb (CsHistoryRow *self)
{
  const char *title = cs_run_get_title (self->run);
  g_autofree char *label = g_strdup_printf (_("Menu for “%s”"), title != NULL ? title : "");

  gtk_accessible_update_property (GTK_ACCESSIBLE (self->menu_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
}

void
cs_history_row_update_date (CsHistoryRow *self)
{
  g_autofree char *date = NULL;
  g_autofree char *subtitle = NULL;
  const char *mode;
  guint n_rounds;

  g_return_if_fail (CS_IS_HISTORY_ROW (self));

  date = cs_format_relative_date (cs_run_get_created (self->run));
  mode = cs_run_get_mode (self->run) == CS_MODE_ARCHITECT ? _("Architect") : _("Support");
  n_rounds = cs_run_get_n_rounds (self->run);
  if (n_rounds > 1)
    /* Translators: "Architect · yesterday · 3 rounds" */
    subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s · %s · %u round", "%s · %s · %u rounds", n_rounds),
                                mode, date, n_rounds);
  else
    subtitle = g_strdup_printf ("%s · %s", mode, date);
  gtk_label_set_text (self->subtitle_label, subtitle);
}

static void
activate_on_window (CsHistoryRow *self,
                    const char   *action)
{
  gtk_widget_activate_action (GTK_WIDGET (self), action, "s", cs_run_get_id (self->run));
}

static void
rename_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  activate_on_window (CS_HISTORY_ROW (widget), "win.rename-run");
}

static void
delete_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  activate_on_window (CS_HISTORY_ROW (widget), "win.delete-run");
}

GtkWidget *
cs_history_row_new (CsRun *run)
{
  g_return_val_if_fail (CS_IS_RUN (run), NULL);

  return g_object_new (CS_TYPE_HISTORY_ROW, "run", run, NULL);
}

CsRun *
cs_history_row_get_run (CsHistoryRow *self)
{
  g_return_val_if_fail (CS_IS_HISTORY_ROW (self), NULL);

  return self->run;
}

static void
cs_history_row_constructed (GObject *object)
{
  CsHistoryRow *self = CS_HISTORY_ROW (object);

  G_OBJECT_CLASS (cs_history_row_parent_class)->constructed (object);

  g_assert (CS_IS_RUN (self->run));
  g_object_bind_property_full (self->run, "title", self->title_label, "label",
                               G_BINDING_SYNC_CREATE,
                               title_or_untitled, NULL, NULL, NULL);
  g_signal_connect_object (self->run, "notify::title",
                           G_CALLBACK (title_changed_cb), self, G_CONNECT_SWAPPED);
  title_changed_cb (self);
  g_signal_connect_object (cs_run_get_rounds (self->run), "items-changed",
                           G_CALLBACK (cs_history_row_update_date), self, G_CONNECT_SWAPPED);
  cs_history_row_update_date (self);
}

static void
cs_history_row_dispose (GObject *object)
{
  CsHistoryRow *self = CS_HISTORY_ROW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), CS_TYPE_HISTORY_ROW);
  g_clear_object (&self->run);

  G_OBJECT_CLASS (cs_history_row_parent_class)->dispose (object);
}

static void
cs_history_row_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  CsHistoryRow *self = CS_HISTORY_ROW (object);

  switch (prop_id)
    {
    case PROP_RUN:
      g_value_set_object (value, self->run);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_history_row_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  CsHistoryRow *self = CS_HISTORY_ROW (object);

  switch (prop_id)
    {
    case PROP_RUN:
      self->run = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_history_row_class_init (CsHistoryRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = cs_history_row_constructed;
  object_class->dispose = cs_history_row_dispose;
  object_class->get_property = cs_history_row_get_property;
  object_class->set_property = cs_history_row_set_property;

  properties[PROP_RUN] =
    g_param_spec_object ("run", NULL, NULL,
                         CS_TYPE_RUN,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/consilium/Consilium/cs-history-row.ui");
  gtk_widget_class_bind_template_child (widget_class, CsHistoryRow, title_label);
  gtk_widget_class_bind_template_child (widget_class, CsHistoryRow, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, CsHistoryRow, menu_button);

  gtk_widget_class_install_action (widget_class, "history-row.rename", NULL, rename_action);
  gtk_widget_class_install_action (widget_class, "history-row.delete", NULL, delete_action);
}

static void
cs_history_row_init (CsHistoryRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
