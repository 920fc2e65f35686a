/* cs-result-view.c: the synthesized result: blueprint or checklist
 *
 * Built from the run's synthesis object (see cs-run.h) and rebuilt when it
 * changes. Every model-written string goes into plain labels, never markup.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-result-view"

#include "config.h"

#include <glib/gi18n.h>
#include <adwaita.h>
#include <gtksourceview/gtksource.h>

#include "cs-diagram.h"
#include "cs-result-view.h"
#include "cs-ui-util.h"

struct _CsResultView
{
  GtkBox        parent_instance;

  CsRun        *run;
  GSignalGroup *run_signals;
  GPtrArray    *step_checks;
  const char   *kind;
};

G_DEFINE_FINAL_TYPE (CsResultView, cs_result_view, GTK_TYPE_BOX)

/* Rows per list at most: hostile results may list thousands. */
#define MAX_ITEMS 200

/* ---- helpers ---- */

static GtkWidget *
section (CsResultView *self,
         const char   *title)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);

  if (title != NULL)
    gtk_box_append (GTK_BOX (box), cs_plain_label (title, FALSE, "title-4", NULL));
  gtk_box_append (GTK_BOX (self), box);
  return box;
}

static GtkWidget *
boxed_list (GtkWidget *parent)
{
  GtkWidget *list = gtk_list_box_new ();

  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  gtk_box_append (GTK_BOX (parent), list);
  return list;
}

static GtkWidget *
plain_row (const char *title,
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

static GtkWidget *
plain_expander_row (const char *title,
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
expander_add_text (GtkWidget  *expander,
                   const char *heading,
                   const char *text)
{
  GtkWidget *box;

  if (text == NULL || text[0] == '\0')
    return;

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  gtk_widget_set_margin_top (box, 8);
  gtk_widget_set_margin_bottom (box, 8);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  if (heading != NULL)
    gtk_box_append (GTK_BOX (box), cs_plain_label (heading, FALSE, "caption-heading", "dim-label", NULL));
  gtk_box_append (GTK_BOX (box), cs_plain_label (text, TRUE, NULL));
  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), box);
}

static void
copy_clicked_cb (GtkButton *button,
                 gpointer   user_data)
{
  const char *text = g_object_get_data (G_OBJECT (button), "cs-copy-text");

  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (button)), text != NULL ? text : "");
  gtk_widget_activate_action (GTK_WIDGET (button), "result.copied", NULL);
}

static GtkWidget *
copy_button (const char *text,
             const char *what)
{
  GtkWidget *button = gtk_button_new_from_icon_name ("edit-copy-symbolic");
  g_autofree char *label = g_strdup_printf (_("Copy %s"), what);

  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_valign (button, GTK_ALIGN_START);
  gtk_widget_set_tooltip_text (button, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
  g_object_set_data_full (G_OBJECT (button), "cs-copy-text", g_strdup (text), g_free);
  g_signal_connect (button, "clicked", G_CALLBACK (copy_clicked_cb), NULL);
  return button;
}

/* "chosen by N of M" from a consensus entry matching @title */
static JsonObject *
find_consensus (JsonObject *synthesis,
                const char *title,
                guint       index)
{
  JsonArray *consensus = cs_ui_json_get_array (synthesis, "consensus");

  if (consensus == NULL || title == NULL)
    return NULL;

  for (guint i = 0; i < json_array_get_length (consensus); i++)
    {
      JsonObject *entry = cs_ui_json_array_object (consensus, i);
      const char *t = cs_ui_json_get_string (entry, "title");

      if (t != NULL && g_ascii_strcasecmp (t, title) == 0)
        return entry;
    }
  return NULL;
}

static char *
support_text (JsonObject *entry,
              gboolean    steps)
{
  double support, total;

  if (entry == NULL)
    return NULL;
  support = cs_ui_json_get_number (entry, "support", -1);
  total = cs_ui_json_get_number (entry, "total", -1);
  if (support < 0 || total <= 0)
    return NULL;
  if (support == 0)
    return g_strdup (_("added by the judge"));

  if (steps)
    return g_strdup_printf (_("agreed by %d of %d"), (int) support, (int) total);
  return g_strdup_printf (_("chosen by %d of %d"), (int) support, (int) total);
}

/* "voted N of M" from the ensemble vote on "<list>[<title>].<key>" */
static char *
vote_text (JsonObject *synthesis,
           const char *list,
           const char *title,
           const char *key)
{
  JsonArray *votes = cs_ui_json_get_array (synthesis, "votes");
  g_autofree char *field = NULL;

  if (votes == NULL || title == NULL)
    return NULL;

  field = g_strdup_printf ("%s[%s].%s", list, title, key);
  for (guint i = 0; i < json_array_get_length (votes); i++)
    {
      JsonObject *vote = cs_ui_json_array_object (votes, i);
      const char *f = cs_ui_json_get_string (vote, "field");
      double count = cs_ui_json_get_number (vote, "count", -1);
      double total = cs_ui_json_get_number (vote, "total", -1);

      if (f != NULL && g_ascii_strcasecmp (f, field) == 0 && count >= 0 && total > 0)
        return g_strdup_printf (_("%d of %d votes"), (int) count, (int) total);
    }
  return NULL;
}

static void
add_header (CsResultView *self,
            JsonObject   *synthesis)
{
  JsonArray *methods = cs_ui_json_get_array (synthesis, "methods");
  g_autoptr(GString) text = g_string_new (NULL);
  const char *note = cs_ui_json_get_string (synthesis, "note");
  const char *judge = cs_ui_json_get_string (synthesis, "judge_model");

  if (cs_ui_json_get_bool (synthesis, "degraded", FALSE) || (note != NULL && note[0] != '\0'))
    {
      GtkWidget *banner = cs_plain_label (note != NULL ? note : _("This result is degraded: no judge reviewed it."),
                                          TRUE, "run-banner", NULL);
      gtk_widget_set_name (banner, "degraded-banner");
      gtk_box_append (GTK_BOX (self), banner);
    }

  for (guint i = 0; methods != NULL && i < json_array_get_length (methods); i++)
    {
      const char *m = cs_ui_json_array_string (methods, i);
      const char *label;

      if (m == NULL)
        continue;
      if (g_str_equal (m, "ensemble"))
        label = _("votes");
      else if (g_str_equal (m, "consensus"))
        label = _("consensus");
      else if (g_str_equal (m, "judge"))
        label = _("judge");
      else
        label = m;
      g_string_append_printf (text, "%s%s", text->len ? " · " : "", label);
    }
  if (text->len > 0)
    {
      g_autofree char *line = NULL;

      if (judge != NULL)
        line = g_strdup_printf (_("Methods: %s (judge: %s)"), text->str, judge);
      else
        line = g_strdup_printf (_("Methods: %s"), text->str);
      gtk_box_append (GTK_BOX (self), cs_plain_label (line, FALSE, "dim-label", "methods-label", NULL));
    }
}

/* ---- blueprint ---- */

static void
build_blueprint (CsResultView *self,
                 JsonObject   *synthesis,
                 JsonObject   *data)
{
  GtkWidget *sec, *list, *diagram, *frame;
  g_autoptr(JsonNode) data_node = NULL;
  JsonArray *array;
  const char *summary = cs_ui_json_get_string (data, "summary");
  const char *mermaid = cs_ui_json_get_string (data, "mermaid");
  const char *rationale = cs_ui_json_get_string (synthesis, "rationale");
  double cost = cs_ui_json_get_number (data, "monthly_cost_usd", -1);

  sec = section (self, _("Blueprint"));
  if (summary != NULL)
    gtk_box_append (GTK_BOX (sec), cs_plain_label (summary, TRUE, NULL));
  if (cost >= 0)
    {
      g_autofree char *text = g_strdup_printf (_("Estimated running cost: $%.0f per month"), cost);
      gtk_box_append (GTK_BOX (sec), cs_plain_label (text, FALSE, "heading", NULL));
    }

  /* the diagram */
  diagram = cs_diagram_new ();
  gtk_widget_set_name (diagram, "blueprint-diagram");
  gtk_accessible_update_property (GTK_ACCESSIBLE (diagram),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Component diagram"),
                                  -1);
  data_node = json_node_init_object (json_node_alloc (), data);
  cs_diagram_set_data (CS_DIAGRAM (diagram), data_node);
  frame = gtk_frame_new (NULL);
  gtk_frame_set_child (GTK_FRAME (frame), diagram);
  gtk_widget_add_css_class (frame, "diagram");
  gtk_box_append (GTK_BOX (sec), frame);

  if (mermaid != NULL && mermaid[0] != '\0')
    {
      GtkWidget *expander = gtk_expander_new (_("Mermaid source"));
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      GtkSourceBuffer *buffer = gtk_source_buffer_new (NULL);
      GtkWidget *view = gtk_source_view_new_with_buffer (buffer);

      gtk_text_buffer_set_text (GTK_TEXT_BUFFER (buffer), mermaid, -1);
      gtk_text_view_set_editable (GTK_TEXT_VIEW (view), FALSE);
      gtk_text_view_set_monospace (GTK_TEXT_VIEW (view), TRUE);
      gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
      gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 8);
      gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), 8);
      gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (view), 8);
      gtk_widget_set_hexpand (view, TRUE);
      gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Mermaid source"), -1);
      gtk_widget_add_css_class (view, "card");
      gtk_box_append (GTK_BOX (box), view);
      gtk_box_append (GTK_BOX (box), copy_button (mermaid, _("Mermaid source")));
      gtk_expander_set_child (GTK_EXPANDER (expander), box);
      gtk_box_append (GTK_BOX (sec), expander);
      g_object_unref (buffer);
    }

  if ((array = cs_ui_json_get_array (data, "components")) != NULL && json_array_get_length (array) > 0)
    {
      sec = section (self, _("Components"));
      list = boxed_list (sec);
      for (guint i = 0; i < MIN (json_array_get_length (array), MAX_ITEMS); i++)
        {
          JsonObject *c = cs_ui_json_array_object (array, i);
          const char *name = cs_ui_json_get_string (c, "name");
          const char *tech = cs_ui_json_get_string (c, "technology");
          g_autofree char *support = support_text (find_consensus (synthesis, name, i), FALSE);
          g_autofree char *subtitle = NULL;
          GtkWidget *row;

          if (name == NULL)
            continue;
          subtitle = g_strdup_printf ("%s%s%s", tech ? tech : "", support ? " · " : "", support ? support : "");
          row = plain_expander_row (name, subtitle);
          expander_add_text (row, _("Responsibility"), cs_ui_json_get_string (c, "responsibility"));
          expander_add_text (row, _("Scaling"), cs_ui_json_get_string (c, "scaling"));
          gtk_list_box_append (GTK_LIST_BOX (list), row);
        }
    }

  if ((array = cs_ui_json_get_array (data, "data_stores")) != NULL && json_array_get_length (array) > 0)
    {
      sec = section (self, _("Data stores"));
      list = boxed_list (sec);
      for (guint i = 0; i < MIN (json_array_get_length (array), MAX_ITEMS); i++)
        {
          JsonObject *d = cs_ui_json_array_object (array, i);
          g_autofree char *title = NULL;
          g_autofree char *subtitle = NULL;

          if (cs_ui_json_get_string (d, "name") == NULL)
            continue;
          title = cs_ui_json_get_bool (d, "primary", FALSE)
                  ? g_strdup_printf (_("%s (system of record)"), cs_ui_json_get_string (d, "name"))
                  : g_strdup (cs_ui_json_get_string (d, "name"));
          subtitle = g_strdup_printf ("%s — %s",
                                      cs_ui_json_get_string (d, "technology") ? cs_ui_json_get_string (d, "technology") : "",
                                      cs_ui_json_get_string (d, "purpose") ? cs_ui_json_get_string (d, "purpose") : "");
          gtk_list_box_append (GTK_LIST_BOX (list), plain_row (title, subtitle));
        }
    }

  if ((array = cs_ui_json_get_array (data, "decisions")) != NULL && json_array_get_length (array) > 0)
    {
      sec = section (self, _("Decisions"));
      list = boxed_list (sec);
      for (guint i = 0; i < MIN (json_array_get_length (array), MAX_ITEMS); i++)
        {
          JsonObject *d = cs_ui_json_array_object (array, i);
          JsonArray *rejected = cs_ui_json_get_array (d, "rejected_alternatives");
          g_autofree char *title = NULL;
          g_autofree char *votes = NULL;
          GtkWidget *row;

          if (cs_ui_json_get_string (d, "topic") == NULL)
            continue;
          title = g_strdup_printf ("%s: %s", cs_ui_json_get_string (d, "topic"),
                                   cs_ui_json_get_string (d, "choice") ? cs_ui_json_get_string (d, "choice") : "");
          votes = vote_text (synthesis, "decisions", cs_ui_json_get_string (d, "topic"), "choice");
          row = plain_expander_row (title, votes);
          expander_add_text (row, _("Rationale"), cs_ui_json_get_string (d, "rationale"));
          if (rejected != NULL && json_array_get_length (rejected) > 0)
            {
              g_autoptr(GString) str = g_string_new (NULL);

              for (guint j = 0; j < json_array_get_length (rejected); j++)
                if (cs_ui_json_array_string (rejected, j) != NULL)
                  g_string_append_printf (str, "%s%s", str->len ? ", " : "", cs_ui_json_array_string (rejected, j));
              expander_add_text (row, _("Rejected alternatives"), str->str);
            }
          gtk_list_box_append (GTK_LIST_BOX (list), row);
        }
    }

  if ((array = cs_ui_json_get_array (data, "trade_offs")) != NULL && json_array_get_length (array) > 0)
    {
      sec = section (self, _("Trade-offs"));
      for (guint i = 0; i < MIN (json_array_get_length (array), MAX_ITEMS); i++)
        if (cs_ui_json_array_string (array, i) != NULL)
          {
            g_autofree char *line = g_strconcat ("• ", cs_ui_json_array_string (array, i), NULL);
            gtk_box_append (GTK_BOX (sec), cs_plain_label (line, TRUE, NULL));
          }
    }

  if ((array = cs_ui_json_get_array (data, "risks")) != NULL && json_array_get_length (array) > 0)
    {
      sec = section (self, _("Risks"));
      list = boxed_list (sec);
      for (guint i = 0; i < MIN (json_array_get_length (array), MAX_ITEMS); i++)
        {
          JsonObject *r = cs_ui_json_array_object (array, i);

          if (cs_ui_json_get_string (r, "risk") != NULL)
            gtk_list_box_append (GTK_LIST_BOX (list),
                                 plain_row (cs_ui_json_get_string (r, "risk"), cs_ui_json_get_string (r, "mitigation")));
        }
    }

  if (rationale != NULL && rationale[0] != '\0')
    {
      sec = section (self, _("Why this design"));
      gtk_box_append (GTK_BOX (sec), cs_plain_label (rationale, TRUE, NULL));
    }
}

/* ---- checklist ---- */

static void
step_toggled_cb (GtkCheckButton *check,
                 CsResultView   *self)
{
  guint index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (check), "cs-step"));
  GtkWidget *row = g_object_get_data (G_OBJECT (check), "cs-row");
  gboolean active = gtk_check_button_get_active (check);

  if (row != NULL)
    {
      if (active)
        gtk_widget_add_css_class (row, "step-done");
      else
        gtk_widget_remove_css_class (row, "step-done");
    }

  if (self->run != NULL && cs_run_get_step_checked (self->run, index) != active)
    cs_run_set_step_checked (self->run, index, active);
}

static GtkWidget *
step_widget (CsResultView *self,
             JsonObject   *step,
             JsonObject   *synthesis,
             int           index,   /* -1: an alternative, no check box */
             const char   *prefix)
{
  GtkWidget *box, *top, *title_label, *details, *dbox;
  const char *title = cs_ui_json_get_string (step, "title");
  const char *command = cs_ui_json_get_string (step, "command");
  const char *risk = cs_ui_json_get_string (step, "risk");
  double effort = cs_ui_json_get_number (step, "effort_minutes", -1);
  g_autofree char *numbered = g_strdup_printf ("%s%s", prefix, title != NULL ? title : "");
  g_autofree char *support = NULL;
  g_autoptr(GString) meta = g_string_new (NULL);

  if (index >= 0)
    support = support_text (find_consensus (synthesis, title, index), TRUE);
  else if (cs_ui_json_get_number (step, "support", -1) >= 0)
    support = support_text (step, TRUE);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  gtk_widget_set_margin_top (box, 10);
  gtk_widget_set_margin_bottom (box, 10);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);

  top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 10);
  gtk_box_append (GTK_BOX (box), top);

  title_label = cs_plain_label (numbered, FALSE, "heading", "step-title", NULL);
  gtk_widget_set_hexpand (title_label, TRUE);

  if (index >= 0)
    {
      GtkWidget *check = gtk_check_button_new ();

      gtk_widget_set_valign (check, GTK_ALIGN_START);
      gtk_check_button_set_active (GTK_CHECK_BUTTON (check),
                                   self->run != NULL && cs_run_get_step_checked (self->run, index));
      if (gtk_check_button_get_active (GTK_CHECK_BUTTON (check)))
        gtk_widget_add_css_class (box, "step-done");
      gtk_accessible_update_property (GTK_ACCESSIBLE (check),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, numbered,
                                      -1);
      g_object_set_data (G_OBJECT (check), "cs-step", GUINT_TO_POINTER ((guint) index));
      g_object_set_data (G_OBJECT (check), "cs-row", box);
      g_signal_connect_object (check, "toggled", G_CALLBACK (step_toggled_cb), self, 0);
      gtk_box_append (GTK_BOX (top), check);
      g_ptr_array_add (self->step_checks, check);
    }
  gtk_box_append (GTK_BOX (top), title_label);

  if (support != NULL)
    g_string_append (meta, support);
  if (risk != NULL && g_strcmp0 (risk, "none") != 0)
    g_string_append_printf (meta, "%s%s %s", meta->len ? " · " : "", _("risk"), risk);
  if (effort >= 0)
    g_string_append_printf (meta, "%s%s", meta->len ? " · " : "", "");
  if (effort >= 0)
    g_string_append_printf (meta, _("~%d min"), (int) effort);
  if (meta->len > 0)
    gtk_box_append (GTK_BOX (top), cs_plain_label (meta->str, FALSE, "dim-label", "caption", NULL));

  if (command != NULL && command[0] != '\0')
    {
      GtkWidget *cbox = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      GtkWidget *cmd = cs_plain_label (command, TRUE, "monospace", "command", NULL);

      gtk_widget_set_hexpand (cmd, TRUE);
      gtk_box_append (GTK_BOX (cbox), cmd);
      gtk_box_append (GTK_BOX (cbox), copy_button (command, _("command")));
      gtk_widget_set_margin_start (cbox, index >= 0 ? 30 : 0);
      gtk_box_append (GTK_BOX (box), cbox);
    }

  details = gtk_expander_new (_("Details"));
  gtk_widget_set_margin_start (details, index >= 0 ? 30 : 0);
  dbox = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  gtk_widget_set_margin_top (dbox, 4);
  if (cs_ui_json_get_string (step, "action") != NULL)
    {
      gtk_box_append (GTK_BOX (dbox), cs_plain_label (_("What to do"), FALSE, "caption-heading", "dim-label", NULL));
      gtk_box_append (GTK_BOX (dbox), cs_plain_label (cs_ui_json_get_string (step, "action"), TRUE, NULL));
    }
  if (cs_ui_json_get_string (step, "expected") != NULL)
    {
      gtk_box_append (GTK_BOX (dbox), cs_plain_label (_("Expected"), FALSE, "caption-heading", "dim-label", NULL));
      gtk_box_append (GTK_BOX (dbox), cs_plain_label (cs_ui_json_get_string (step, "expected"), TRUE, NULL));
    }
  if (cs_ui_json_get_string (step, "if_fails") != NULL)
    {
      gtk_box_append (GTK_BOX (dbox), cs_plain_label (_("If it fails"), FALSE, "caption-heading", "dim-label", NULL));
      gtk_box_append (GTK_BOX (dbox), cs_plain_label (cs_ui_json_get_string (step, "if_fails"), TRUE, NULL));
    }
  gtk_expander_set_child (GTK_EXPANDER (details), dbox);
  gtk_box_append (GTK_BOX (box), details);

  return box;
}

static void
build_checklist (CsResultView *self,
                 JsonObject   *synthesis,
                 JsonObject   *data)
{
  GtkWidget *sec, *list;
  JsonArray *array;
  const char *summary = cs_ui_json_get_string (data, "summary");
  const char *escalate = cs_ui_json_get_string (data, "escalate_when");
  const char *rationale = cs_ui_json_get_string (synthesis, "rationale");

  sec = section (self, _("Checklist"));
  if (summary != NULL)
    gtk_box_append (GTK_BOX (sec), cs_plain_label (summary, TRUE, NULL));

  if ((array = cs_ui_json_get_array (data, "likely_causes")) != NULL && json_array_get_length (array) > 0)
    {
      g_autoptr(GString) str = g_string_new (NULL);

      for (guint i = 0; i < MIN (json_array_get_length (array), MAX_ITEMS); i++)
        {
          JsonObject *c = cs_ui_json_array_object (array, i);

          if (cs_ui_json_get_string (c, "cause") == NULL)
            continue;
          g_string_append_printf (str, "%s• %s (%s)", str->len ? "\n" : "",
                                  cs_ui_json_get_string (c, "cause"),
                                  cs_ui_json_get_string (c, "likelihood") ? cs_ui_json_get_string (c, "likelihood") : "?");
        }
      gtk_box_append (GTK_BOX (sec), cs_plain_label (_("Likely causes"), FALSE, "heading", NULL));
      gtk_box_append (GTK_BOX (sec), cs_plain_label (str->str, TRUE, NULL));
    }

  if ((array = cs_ui_json_get_array (data, "steps")) != NULL)
    {
      list = boxed_list (sec);
      gtk_widget_set_name (list, "checklist");
      for (guint i = 0; i < MIN (json_array_get_length (array), MAX_ITEMS); i++)
        {
          JsonObject *step = cs_ui_json_array_object (array, i);
          g_autofree char *prefix = g_strdup_printf ("%u. ", i + 1);

          if (step == NULL)
            continue;
          gtk_list_box_append (GTK_LIST_BOX (list), step_widget (self, step, synthesis, (int) i, prefix));
        }
    }

  if ((array = cs_ui_json_get_array (synthesis, "alternatives")) != NULL && json_array_get_length (array) > 0)
    {
      GtkWidget *expander = gtk_expander_new (_("If that did not work, try…"));
      GtkWidget *alt_list = gtk_list_box_new ();

      gtk_list_box_set_selection_mode (GTK_LIST_BOX (alt_list), GTK_SELECTION_NONE);
      gtk_widget_add_css_class (alt_list, "boxed-list");
      gtk_widget_set_margin_top (alt_list, 8);
      for (guint i = 0; i < MIN (json_array_get_length (array), MAX_ITEMS); i++)
        {
          JsonObject *alt = cs_ui_json_array_object (array, i);
          double after = cs_ui_json_get_number (alt, "after_step", -1);
          g_autofree char *prefix = after >= 0 ? g_strdup_printf (_("After step %d: "), (int) after + 1) : g_strdup ("");

          if (alt == NULL || cs_ui_json_get_string (alt, "title") == NULL)
            continue;
          gtk_list_box_append (GTK_LIST_BOX (alt_list), step_widget (self, alt, synthesis, -1, prefix));
        }
      gtk_expander_set_child (GTK_EXPANDER (expander), alt_list);
      gtk_widget_add_css_class (expander, "title-4");
      gtk_box_append (GTK_BOX (self), expander);
    }

  if (escalate != NULL && escalate[0] != '\0')
    {
      sec = section (self, _("Escalate when"));
      gtk_box_append (GTK_BOX (sec), cs_plain_label (escalate, TRUE, NULL));
    }

  if (rationale != NULL && rationale[0] != '\0')
    {
      sec = section (self, _("Why this order"));
      gtk_box_append (GTK_BOX (sec), cs_plain_label (rationale, TRUE, NULL));
    }
}

static void
build_critiques (CsResultView *self,
                 JsonObject   *synthesis)
{
  JsonArray *critiques = cs_ui_json_get_array (synthesis, "critiques");
  GtkWidget *sec, *list;

  if (critiques == NULL || json_array_get_length (critiques) == 0)
    return;

  sec = section (self, _("The judge’s critique"));
  list = boxed_list (sec);
  for (guint i = 0; i < MIN (json_array_get_length (critiques), MAX_ITEMS); i++)
    {
      JsonObject *c = cs_ui_json_array_object (critiques, i);
      const char *id = cs_ui_json_get_string (c, "candidate");
      CsCandidate *candidate = (id != NULL && self->run != NULL) ? cs_run_find_candidate (self->run, id) : NULL;
      double score = cs_ui_json_get_number (c, "score", -1);
      g_autofree char *title = NULL;
      g_autofree char *subtitle = NULL;
      GtkWidget *row;

      if (c == NULL)
        continue;
      title = g_strdup_printf ("%s%s%s%s", id ? id : "?",
                               candidate ? " (" : "", candidate ? cs_candidate_get_model (candidate) : "",
                               candidate ? ")" : "");
      if (score >= 0)
        subtitle = g_strdup_printf (_("Score %d of 10"), (int) score);
      row = plain_expander_row (title, subtitle);
      expander_add_text (row, _("Strengths"), cs_ui_json_get_string (c, "strengths"));
      expander_add_text (row, _("Weaknesses"), cs_ui_json_get_string (c, "weaknesses"));
      gtk_list_box_append (GTK_LIST_BOX (list), row);
    }
}

static void
rebuild (CsResultView *self)
{
  JsonNode *synthesis_node;
  JsonObject *synthesis;
  JsonObject *data;

  cs_box_remove_all (GTK_BOX (self));
  g_ptr_array_set_size (self->step_checks, 0);
  self->kind = "none";

  if (self->run == NULL)
    return;

  synthesis_node = cs_run_get_synthesis (self->run);
  synthesis = cs_ui_json_object (synthesis_node);
  data = cs_ui_json_get_object (synthesis, "data");
  if (synthesis == NULL)
    return;

  add_header (self, synthesis);

  if (data == NULL)
    {
      gtk_box_append (GTK_BOX (self), cs_plain_label (_("The synthesis has no result."), FALSE, "dim-label", NULL));
      return;
    }

  if (cs_run_get_mode (self->run) == CS_MODE_SUPPORT || cs_ui_json_get_array (data, "steps") != NULL)
    {
      self->kind = "checklist";
      build_checklist (self, synthesis, data);
    }
  else
    {
      self->kind = "blueprint";
      build_blueprint (self, synthesis, data);
    }

  build_critiques (self, synthesis);
}

/* ---- public ---- */

GtkWidget *
cs_result_view_new (void)
{
  return g_object_new (CS_TYPE_RESULT_VIEW, NULL);
}

void
cs_result_view_set_run (CsResultView *self,
                        CsRun        *run)
{
  g_return_if_fail (CS_IS_RESULT_VIEW (self));
  g_return_if_fail (run == NULL || CS_IS_RUN (run));

  if (g_set_object (&self->run, run))
    g_signal_group_set_target (self->run_signals, run);
  rebuild (self);
}

CsRun *
cs_result_view_get_run (CsResultView *self)
{
  g_return_val_if_fail (CS_IS_RESULT_VIEW (self), NULL);

  return self->run;
}

GPtrArray *
cs_result_view_get_step_checks (CsResultView *self)
{
  g_return_val_if_fail (CS_IS_RESULT_VIEW (self), NULL);

  return g_ptr_array_ref (self->step_checks);
}

const char *
cs_result_view_get_kind (CsResultView *self)
{
  g_return_val_if_fail (CS_IS_RESULT_VIEW (self), NULL);

  return self->kind;
}

static void
copied_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  /* a toast if the window offers one */
  gtk_widget_activate_action (widget, "win.copied", NULL);
}

static void
cs_result_view_dispose (GObject *object)
{
  CsResultView *self = CS_RESULT_VIEW (object);

  if (self->run_signals != NULL)
    g_signal_group_set_target (self->run_signals, NULL);
  g_clear_object (&self->run_signals);
  g_clear_object (&self->run);
  g_clear_pointer (&self->step_checks, g_ptr_array_unref);

  G_OBJECT_CLASS (cs_result_view_parent_class)->dispose (object);
}

static void
cs_result_view_class_init (CsResultViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cs_result_view_dispose;
  gtk_widget_class_install_action (widget_class, "result.copied", NULL, copied_action);
}

static void
cs_result_view_init (CsResultView *self)
{
  self->kind = "none";
  self->step_checks = g_ptr_array_new ();
  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  gtk_box_set_spacing (GTK_BOX (self), 18);

  self->run_signals = g_signal_group_new (CS_TYPE_RUN);
  g_signal_group_connect_swapped (self->run_signals, "notify::synthesis", G_CALLBACK (rebuild), self);
}
