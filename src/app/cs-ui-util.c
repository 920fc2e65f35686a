/* cs-ui-util.c: small helpers shared by the app's widgets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-ui-util"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "cs-application.h"
#include "cs-candidate.h"
#include "cs-candidate-view.h"
#include "cs-config.h"
#include "cs-runner.h"
#include "cs-ui-util.h"

GtkWidget *
cs_plain_label (const char *text,
                gboolean    selectable,
                const char *first_class,
                ...)
{
  GtkWidget *label = gtk_label_new (NULL);
  const char *css;
  va_list args;

  gtk_label_set_use_markup (GTK_LABEL (label), FALSE);
  gtk_label_set_text (GTK_LABEL (label), text != NULL ? text : "");
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (label), selectable);
  /* a modest natural width: long texts wrap instead of widening cards */
  gtk_label_set_max_width_chars (GTK_LABEL (label), 40);

  va_start (args, first_class);
  for (css = first_class; css != NULL; css = va_arg (args, const char *))
    gtk_widget_add_css_class (label, css);
  va_end (args);

  return label;
}

void
cs_box_remove_all (GtkBox *box)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (box))) != NULL)
    gtk_box_remove (box, child);
}

/* The model's name without its provider ("kimi-k2" of "kimi/kimi-k2"). */
static const char *
model_name (CsCandidate *candidate)
{
  const char *model = cs_candidate_get_model (candidate);
  const char *slash = model != NULL ? strchr (model, '/') : NULL;

  if (model == NULL)
    return "";
  return slash != NULL && slash[1] != '\0' ? slash + 1 : model;
}

char *
cs_candidate_provider_title (CsCandidate *candidate)
{
  GApplication *app = g_application_get_default ();
  g_autofree char *id = NULL;
  const CsProviderConfig *provider = NULL;

  g_return_val_if_fail (CS_IS_CANDIDATE (candidate), NULL);

  id = cs_candidate_dup_provider (candidate);
  if (id == NULL)
    return g_strdup ("");
  if (CS_IS_APPLICATION (app))
    provider = cs_config_find_provider (cs_application_get_config (CS_APPLICATION (app)), id);
  if (provider != NULL && provider->name != NULL && provider->name[0] != '\0')
    return g_strdup (provider->name);
  return g_steal_pointer (&id);
}

char *
cs_candidate_short_title (CsCandidate *candidate)
{
  const char *id;

  g_return_val_if_fail (CS_IS_CANDIDATE (candidate), NULL);

  id = cs_candidate_get_id (candidate);
  if (id == NULL || id[0] == '\0')
    return g_strdup (model_name (candidate));
  /* TRANSLATORS: a candidate's id and its model, "c2 (kimi-k2)" */
  return g_strdup_printf (_("%s (%s)"), id, model_name (candidate));
}

char *
cs_candidate_full_title (CsCandidate *candidate)
{
  g_autofree char *provider = NULL;
  g_autofree char *name = NULL;
  const char *angle;

  g_return_val_if_fail (CS_IS_CANDIDATE (candidate), NULL);

  provider = cs_candidate_provider_title (candidate);
  name = cs_candidate_short_title (candidate);
  angle = cs_candidate_angle_label (candidate);
  if (provider[0] == '\0')
    return angle != NULL ? g_strdup_printf ("%s · %s", name, angle) : g_steal_pointer (&name);
  if (angle != NULL)
    /* TRANSLATORS: provider · candidate (model) · angle */
    return g_strdup_printf (_("%s · %s · %s"), provider, name, angle);
  return g_strdup_printf ("%s · %s", provider, name);
}

static const CsProviderConfig *
find_provider (CsCandidate *candidate)
{
  GApplication *app = g_application_get_default ();
  g_autofree char *id = cs_candidate_dup_provider (candidate);

  if (id == NULL || !CS_IS_APPLICATION (app))
    return NULL;
  return cs_config_find_provider (cs_application_get_config (CS_APPLICATION (app)), id);
}

gboolean
cs_candidate_needs_setup (CsCandidate *candidate)
{
  const CsProviderConfig *provider;
  const char *text;

  g_return_val_if_fail (CS_IS_CANDIDATE (candidate), FALSE);

  if (cs_candidate_get_status (candidate) != CS_CANDIDATE_FAILED)
    return FALSE;
  text = cs_candidate_get_text (candidate);
  if (text != NULL && text[0] != '\0')
    return FALSE;
  provider = find_provider (candidate);
  return provider != NULL && provider->base_url != NULL &&
         cs_config_url_is_local (provider->base_url);
}

static void
update_setup_button (GtkWidget   *button,
                     GParamSpec  *pspec,
                     CsCandidate *candidate)
{
  gtk_widget_set_visible (button, cs_candidate_needs_setup (candidate));
}

GtkWidget *
cs_setup_button_new (CsCandidate *candidate)
{
  GtkWidget *button;

  g_return_val_if_fail (CS_IS_CANDIDATE (candidate), NULL);

  button = gtk_button_new_with_mnemonic (_("_Preferences"));
  /* a row of its own under the problem, which keeps its width */
  gtk_widget_set_halign (button, GTK_ALIGN_END);
  gtk_widget_set_margin_start (button, 12);
  gtk_widget_set_margin_end (button, 12);
  gtk_widget_set_tooltip_text (button, _("Check the provider's address and models"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "app.preferences");
  g_signal_connect_object (candidate, "notify::status", G_CALLBACK (update_setup_button),
                           button, G_CONNECT_SWAPPED);
  update_setup_button (button, NULL, candidate);
  return button;
}

static void
wrap_label_setup_cb (GtkSignalListItemFactory *factory,
                     GtkListItem              *item,
                     gpointer                  data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 28);
  gtk_label_set_width_chars (GTK_LABEL (label), 10);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_valign (label, GTK_ALIGN_CENTER);
  gtk_list_item_set_child (item, label);
}

static void
wrap_label_bind_cb (GtkSignalListItemFactory *factory,
                    GtkListItem              *item,
                    gpointer                  data)
{
  GObject *string = gtk_list_item_get_item (item);

  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)),
                      GTK_IS_STRING_OBJECT (string) ? gtk_string_object_get_string (GTK_STRING_OBJECT (string)) : "");
}

void
cs_combo_row_wrap_labels (AdwComboRow *row)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  g_return_if_fail (ADW_IS_COMBO_ROW (row));

  g_signal_connect (factory, "setup", G_CALLBACK (wrap_label_setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (wrap_label_bind_cb), NULL);
  adw_combo_row_set_factory (row, factory);
}

char *
cs_error_text (const GError *error)
{
  g_return_val_if_fail (error != NULL, NULL);

  if (g_error_matches (error, CS_RUNNER_ERROR, CS_RUNNER_ERROR_BUDGET))
    /* Translators: after the engine's message that the run has spent its
     * budget; "Budget per Run" is the setting's title in Preferences */
    return g_strdup_printf (_("%s. To go on, raise “Budget per Run” in Preferences."), error->message);
  return g_strdup (error->message);
}
