/* cs-compose-page-synthesis.c: the compose page's fallback judge and peer
 * ranking rows, under the judge row
 *
 * The fallback judge combo offers the judge combo's models (its model is
 * mirrored each time the judge's changes); the choice and the peer ranking
 * switch are remembered in the settings ("fallback-judge-model",
 * "peer-ranking") when a run is made from the page.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-compose-page"

#include "config.h"

#include <glib/gi18n.h>

#include "cs-compose-page-private.h"
#include "cs-run-ranking.h"
#include "cs-ui-util.h"

#define FALLBACK_ID "cs-fallback-id"

static const char *
chosen_id (CsComposePage *self)
{
  return g_object_get_data (G_OBJECT (self->fallback_row), FALLBACK_ID);
}

static void
set_chosen_id (CsComposePage *self,
               const char    *id)
{
  g_object_set_data_full (G_OBJECT (self->fallback_row), FALLBACK_ID,
                          g_strdup (id != NULL ? id : ""), g_free);
}

/* The first time the settings are there: the last choices. */
static void
restore (CsComposePage *self)
{
  g_autofree char *id = NULL;

  if (self->synthesis_restored || self->settings == NULL)
    return;
  self->synthesis_restored = TRUE;
  id = g_settings_get_string (self->settings, "fallback-judge-model");
  set_chosen_id (self, id);
  gtk_switch_set_active (self->rank_switch, g_settings_get_boolean (self->settings, "peer-ranking"));
}

/* The judge's models, in the fallback combo too, the choice kept. */
static void
judge_model_changed (CsComposePage *self)
{
  GListModel *labels = adw_combo_row_get_model (self->judge_row);
  g_autofree char *keep = NULL;
  guint n, pos = 0;

  restore (self);
  keep = g_strdup (chosen_id (self));
  self->synthesis_mirroring = TRUE;
  adw_combo_row_set_model (self->fallback_row, labels);
  n = g_list_model_get_n_items (G_LIST_MODEL (self->judge_ids));
  for (guint i = 1; keep != NULL && i < n; i++)
    if (g_strcmp0 (gtk_string_list_get_string (self->judge_ids, i), keep) == 0)
      pos = i;
  adw_combo_row_set_selected (self->fallback_row, pos);
  self->synthesis_mirroring = FALSE;
}

static void
fallback_selected (CsComposePage *self)
{
  guint pos = adw_combo_row_get_selected (self->fallback_row);

  if (self->synthesis_mirroring)
    return;
  set_chosen_id (self, pos != GTK_INVALID_LIST_POSITION && pos > 0
                       ? gtk_string_list_get_string (self->judge_ids, pos) : NULL);
}

void
_cs_compose_page_synthesis_init (CsComposePage *self)
{
  GtkWidget *group = gtk_widget_get_ancestor (GTK_WIDGET (self->judge_row), ADW_TYPE_PREFERENCES_GROUP);
  GtkWidget *rank_row = adw_action_row_new ();

  self->fallback_row = ADW_COMBO_ROW (adw_combo_row_new ());
  cs_combo_row_wrap_labels (self->judge_row);
  cs_combo_row_wrap_labels (self->fallback_row);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->fallback_row), _("Fallback Judge"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->fallback_row),
                               _("Asked when the judge fails, after one repair"));
  set_chosen_id (self, NULL);

  self->rank_switch = GTK_SWITCH (gtk_switch_new ());
  gtk_widget_set_valign (GTK_WIDGET (self->rank_switch), GTK_ALIGN_CENTER);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (rank_row), _("Peer Ranking"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (rank_row),
                               _("Each model ranks the other answers, anonymized; one request per candidate"));
  adw_action_row_add_suffix (ADW_ACTION_ROW (rank_row), GTK_WIDGET (self->rank_switch));
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (rank_row), GTK_WIDGET (self->rank_switch));

  g_assert (group != NULL);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->fallback_row));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), rank_row);

  g_signal_connect_object (self->judge_row, "notify::model", G_CALLBACK (judge_model_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->fallback_row, "notify::selected", G_CALLBACK (fallback_selected), self,
                           G_CONNECT_SWAPPED);
}

void
_cs_compose_page_estimate_synthesis (CsComposePage *self,
                                     CsRun         *run)
{
  cs_run_set_fallback_judge (run, chosen_id (self));
  cs_run_set_rank (run, gtk_switch_get_active (self->rank_switch));
}

void
_cs_compose_page_apply_synthesis (CsComposePage *self,
                                  CsRun         *run)
{
  const char *fallback = chosen_id (self);
  gboolean rank = gtk_switch_get_active (self->rank_switch);

  cs_run_set_fallback_judge (run, fallback);
  cs_run_set_rank (run, rank);
  if (self->settings != NULL)
    {
      g_settings_set_string (self->settings, "fallback-judge-model", fallback != NULL ? fallback : "");
      g_settings_set_boolean (self->settings, "peer-ranking", rank);
    }
}
