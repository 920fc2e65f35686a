/* cs-result-parts.c: the sections and rows the result views are made of
 *
 * Every model-written string goes into plain labels, never markup.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-result-view"

#include "config.h"

#include <glib/gi18n.h>

#include "cs-application.h"
#include "cs-result-parts.h"
#include "cs-ui-util.h"

GtkWidget *
cs_result_section (GtkBox     *parent,
                   const char *title)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);

  if (title != NULL)
    gtk_box_append (GTK_BOX (box), cs_plain_label (title, FALSE, "title-4", NULL));
  gtk_box_append (parent, box);
  return box;
}

GtkWidget *
cs_result_boxed_list (GtkBox *parent)
{
  GtkWidget *list = gtk_list_box_new ();

  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  gtk_box_append (parent, list);
  return list;
}

GtkWidget *
cs_result_row (const char *title,
               const char *subtitle)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title != NULL ? title : "");
  if (subtitle != NULL && subtitle[0] != '\0')
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 0);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  return row;
}

GtkWidget *
cs_result_expander_row (const char *title,
                        const char *subtitle)
{
  GtkWidget *row = adw_expander_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title != NULL ? title : "");
  if (subtitle != NULL && subtitle[0] != '\0')
    adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row), subtitle);
  return row;
}

static void
expander_append_text (GtkWidget  *expander,
                      const char *heading,
                      const char *text)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);

  gtk_widget_set_margin_top (box, 8);
  gtk_widget_set_margin_bottom (box, 8);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  if (heading != NULL)
    gtk_box_append (GTK_BOX (box), cs_plain_label (heading, FALSE, "caption-heading", "dim-label", NULL));
  gtk_box_append (GTK_BOX (box), cs_plain_label (text, TRUE, NULL));
  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), box);
}

/* The texts are laid out only when the row is first expanded: a
 * collapsed row's revealer measures its contents all the same, and a
 * result of a few dozen rows would lay out every paragraph at once. */
static void
expander_expanded_cb (GtkWidget  *expander,
                      GParamSpec *pspec,
                      gpointer    user_data)
{
  GPtrArray *pending;

  if (!adw_expander_row_get_expanded (ADW_EXPANDER_ROW (expander)))
    return;
  g_signal_handlers_disconnect_by_func (expander, expander_expanded_cb, user_data);
  pending = g_object_steal_data (G_OBJECT (expander), "cs-pending-texts");
  for (guint i = 0; pending != NULL && i + 1 < pending->len; i += 2)
    expander_append_text (expander, g_ptr_array_index (pending, i), g_ptr_array_index (pending, i + 1));
  g_clear_pointer (&pending, g_ptr_array_unref);
}

void
cs_result_expander_add_text (GtkWidget  *expander,
                             const char *heading,
                             const char *text)
{
  GPtrArray *pending;

  g_return_if_fail (ADW_IS_EXPANDER_ROW (expander));

  if (text == NULL || text[0] == '\0')
    return;
  if (adw_expander_row_get_expanded (ADW_EXPANDER_ROW (expander)))
    {
      expander_append_text (expander, heading, text);
      return;
    }

  pending = g_object_get_data (G_OBJECT (expander), "cs-pending-texts");
  if (pending == NULL)
    {
      pending = g_ptr_array_new_with_free_func (g_free);
      g_object_set_data_full (G_OBJECT (expander), "cs-pending-texts", pending, (GDestroyNotify) g_ptr_array_unref);
      g_signal_connect (expander, "notify::expanded", G_CALLBACK (expander_expanded_cb), NULL);
    }
  g_ptr_array_add (pending, g_strdup (heading));
  g_ptr_array_add (pending, g_strdup (text));
}

static void
copy_clicked_cb (GtkButton *button,
                 gpointer   user_data)
{
  const char *text = g_object_get_data (G_OBJECT (button), "cs-copy-text");

  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (button)), text != NULL ? text : "");
  gtk_widget_activate_action (GTK_WIDGET (button), "result.copied", NULL);
}

GtkWidget *
cs_result_copy_button (const char *text,
                       const char *what)
{
  GtkWidget *button = gtk_button_new_from_icon_name ("edit-copy-symbolic");
  g_autofree char *label = g_strdup_printf (_("Copy %s"), what);

  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_valign (button, GTK_ALIGN_START);
  /* a tooltip set on a visible widget makes GTK ask where the pointer is
   * (on X11 a round trip to the server) */
  gtk_widget_set_visible (button, FALSE);
  gtk_widget_set_tooltip_text (button, label);
  gtk_widget_set_visible (button, TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
  g_object_set_data_full (G_OBJECT (button), "cs-copy-text", g_strdup (text), g_free);
  g_signal_connect (button, "clicked", G_CALLBACK (copy_clicked_cb), NULL);
  return button;
}

char *
cs_result_support_text (const CsItem  *item,
                        CsSupportKind  kind)
{
  if (item == NULL)
    return NULL;
  /* (an item the judge took from a minority keeps its support: its chips
   * say the judge added it) */
  if ((item->origin.judge == CS_JUDGE_ADDED &&
       (item->origin.sources == NULL || item->origin.sources[0] == NULL)) ||
      (item->total > 0 && item->support == 0))
    return g_strdup (_("added by the judge"));
  if (item->total == 0)
    return NULL;

  switch (kind)
    {
    case CS_SUPPORT_STEP:
      return g_strdup_printf (_("agreed by %d of %d"), (int) item->support, (int) item->total);
    case CS_SUPPORT_COMPONENT:
      /* Translators: how many candidates have this component at all,
       * whatever its technology */
      return g_strdup_printf (_("component proposed by %d of %d"), (int) item->support, (int) item->total);
    case CS_SUPPORT_DECISION:
    default:
      return NULL;
    }
}

/* "kimi-k2" for "kimi/kimi-k2" */
static const char *
model_name (const char *model_id)
{
  const char *slash = strchr (model_id, '/');

  return slash != NULL && slash[1] != '\0' ? slash + 1 : model_id;
}

char *
cs_result_model_text (GtkWidget  *widget,
                      const char *model_id)
{
  GtkRoot *root = widget != NULL ? gtk_widget_get_root (widget) : NULL;
  GApplication *app = GTK_IS_WINDOW (root) ? G_APPLICATION (gtk_window_get_application (GTK_WINDOW (root))) : NULL;

  if (app == NULL)
    app = g_application_get_default ();
  return cs_model_label (CS_IS_APPLICATION (app) ? cs_application_get_config (CS_APPLICATION (app)) : NULL,
                         model_id);
}

char *
cs_result_candidate_text (CsRun      *run,
                          const char *candidate_id)
{
  CsCandidate *candidate = run != NULL && candidate_id != NULL ? cs_run_find_candidate (run, candidate_id) : NULL;

  if (candidate_id == NULL)
    return g_strdup ("?");
  if (candidate == NULL || cs_candidate_get_model (candidate) == NULL)
    return g_strdup (candidate_id);
  /* Translators: a candidate's id and its model ("c2 (kimi-k2)") */
  return g_strdup_printf (_("%s (%s)"), candidate_id, model_name (cs_candidate_get_model (candidate)));
}

const char *
cs_result_likelihood_text (const char *likelihood)
{
  if (g_strcmp0 (likelihood, "high") == 0)
    /* Translators: how likely a cause is (its likelihood "high") */
    return _("likely");
  if (g_strcmp0 (likelihood, "medium") == 0)
    return _("possible");
  if (g_strcmp0 (likelihood, "low") == 0)
    return _("less likely");
  return likelihood;
}

const char *
cs_result_risk_text (const char *risk)
{
  if (g_strcmp0 (risk, "low") == 0)
    return _("low risk");
  if (g_strcmp0 (risk, "medium") == 0)
    return _("medium risk");
  if (g_strcmp0 (risk, "high") == 0)
    return _("high risk");
  return NULL;
}

char *
cs_result_vote_text (const CsItem *item,
                     const char   *chosen)
{
  CsVoteChoice vote;

  switch (cs_vote_choice_read (item, chosen, &vote))
    {
    case CS_VOTE_CHOICE_WINNER:
      /* Translators: beside a choice in a result: how many candidates chose
       * it, of how many, and the choice ("3 of 4 candidates chose Envoy") */
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u candidate chose %s",
                                           "%u of %u candidates chose %s", vote.total),
                              vote.chosen_count, vote.total, chosen);
    case CS_VOTE_CHOICE_MINORITY:
      /* Translators: beside a choice the judge made against the
       * candidates' vote: the judge's choice, how many candidates chose it
       * too, of how many, then the candidates' majority and how many chose
       * it ("judge chose Kong, as 1 of 4 candidates did; 3 chose Envoy") */
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "judge chose %1$s, as %2$u of %3$u candidate did; %4$u chose %5$s",
                                           "judge chose %1$s, as %2$u of %3$u candidates did; %4$u chose %5$s",
                                           vote.total),
                              chosen, vote.chosen_count, vote.total, vote.winner_count, vote.winner);
    case CS_VOTE_CHOICE_UNVOTED:
      /* Translators: beside a choice no candidate made: the judge's choice,
       * then how many candidates chose what, of how many ("judge chose
       * Kong; 3 of 4 candidates chose Envoy") */
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "judge chose %1$s; %2$u of %3$u candidate chose %4$s",
                                           "judge chose %1$s; %2$u of %3$u candidates chose %4$s", vote.total),
                              chosen, vote.winner_count, vote.total, vote.winner);
    case CS_VOTE_CHOICE_NONE:
    default:
      return NULL;
    }
}
