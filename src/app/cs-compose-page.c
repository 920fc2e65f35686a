/* cs-compose-page.c: the question being written: problem, constraints, models, judge
 *
 * The problem editor, the constraint rows of the mode, the draft (kept in
 * the settings 400 ms after the last edit, restored on the next start) and
 * the making of a run from it all. The model and judge rows are in
 * cs-compose-page-models.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-compose-page"

#include "config.h"

#include <glib/gi18n.h>

#include "cs-compose-page-private.h"

G_DEFINE_FINAL_TYPE (CsComposePage, cs_compose_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_MODE,
  PROP_HAS_PROBLEM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

#define DRAFT_SAVE_DELAY_MS 400
#define TITLE_MAX_CHARS     60

typedef struct
{
  const char *key;
  const char *title;
  gsize       offset;
} ConstraintRow;

static const ConstraintRow constraint_rows[] = {
  { "budget", N_("Budget"), G_STRUCT_OFFSET (CsComposePage, budget_row) },
  { "technologies", N_("Preferred Technologies"), G_STRUCT_OFFSET (CsComposePage, technologies_row) },
  { "scale", N_("Expected Scale"), G_STRUCT_OFFSET (CsComposePage, scale_row) },
  { "hosting", N_("Cloud or On-Premises"), G_STRUCT_OFFSET (CsComposePage, hosting_row) },
  { "os", N_("Operating System"), G_STRUCT_OFFSET (CsComposePage, os_row) },
  { "stack", N_("Stack"), G_STRUCT_OFFSET (CsComposePage, stack_row) },
  { "tried", N_("Already Tried"), G_STRUCT_OFFSET (CsComposePage, tried_row) },
};

const char *
cs_compose_constraint_title (const char *key)
{
  g_return_val_if_fail (key != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (constraint_rows); i++)
    if (g_str_equal (constraint_rows[i].key, key))
      return _(constraint_rows[i].title);
  return key;
}

static GtkEditable *
constraint_row (CsComposePage *self,
                guint          i)
{
  return GTK_EDITABLE (G_STRUCT_MEMBER (AdwEntryRow *, self, constraint_rows[i].offset));
}

static gboolean
constraint_in_mode (const char *key,
                    CsMode      mode)
{
  const char * const *keys = cs_mode_get_constraint_keys (mode);

  if (keys != NULL && keys[0] != NULL)
    return g_strv_contains (keys, key);

  /* the engine's list is not there yet: the fixed split */
  if (mode == CS_MODE_ARCHITECT)
    return g_str_equal (key, "budget") || g_str_equal (key, "technologies") ||
           g_str_equal (key, "scale") || g_str_equal (key, "hosting");
  return g_str_equal (key, "os") || g_str_equal (key, "stack") || g_str_equal (key, "tried");
}

GtkTextBuffer *
cs_compose_page_get_buffer (CsComposePage *self)
{
  g_return_val_if_fail (CS_IS_COMPOSE_PAGE (self), NULL);

  return gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->problem_view));
}

static char *
get_problem_text (CsComposePage *self)
{
  GtkTextBuffer *buffer = cs_compose_page_get_buffer (self);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

void
cs_compose_page_focus_problem (CsComposePage *self)
{
  g_return_if_fail (CS_IS_COMPOSE_PAGE (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->problem_view));
}

/* -------------------------------------------------------------------------
 * Draft
 */

static gboolean
save_draft_cb (gpointer user_data)
{
  CsComposePage *self = user_data;
  g_autofree char *problem = NULL;
  GVariantBuilder builder;

  self->draft_source = 0;

  problem = get_problem_text (self);
  g_settings_set_string (self->settings, "draft-problem", problem);

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{ss}"));
  for (guint i = 0; i < G_N_ELEMENTS (constraint_rows); i++)
    {
      const char *text = gtk_editable_get_text (constraint_row (self, i));

      if (text != NULL && text[0] != '\0')
        g_variant_builder_add (&builder, "{ss}", constraint_rows[i].key, text);
    }
  g_settings_set_value (self->settings, "draft-constraints", g_variant_builder_end (&builder));

  return G_SOURCE_REMOVE;
}

static void
edited (CsComposePage *self)
{
  if (self->restoring || self->settings == NULL)
    return;

  /* a sent question edited is a new one */
  self->sent = FALSE;
  g_clear_handle_id (&self->draft_source, g_source_remove);
  self->draft_source = g_timeout_add (DRAFT_SAVE_DELAY_MS, save_draft_cb, self);
  _cs_compose_page_queue_estimate (self);
}

void
cs_compose_page_flush_draft (CsComposePage *self)
{
  g_return_if_fail (CS_IS_COMPOSE_PAGE (self));

  if (self->draft_source != 0)
    {
      g_clear_handle_id (&self->draft_source, g_source_remove);
      save_draft_cb (self);
    }
}

static void
update_has_problem (CsComposePage *self)
{
  gboolean has_problem = gtk_text_buffer_get_char_count (cs_compose_page_get_buffer (self)) > 0;

  gtk_widget_set_visible (GTK_WIDGET (self->problem_placeholder), !has_problem);
  if (self->has_problem != has_problem)
    {
      self->has_problem = has_problem;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_PROBLEM]);
    }
}

static void
problem_changed_cb (CsComposePage *self,
                    GtkTextBuffer *buffer)
{
  update_has_problem (self);
  edited (self);
}

/* Fills the form from @problem and @constraints (a{ss}, NULL for none),
 * without saving it as a draft. */
static void
fill (CsComposePage *self,
      const char    *problem,
      GVariant      *constraints)
{
  GtkTextBuffer *buffer = cs_compose_page_get_buffer (self);

  self->restoring = TRUE;

  gtk_text_buffer_begin_irreversible_action (buffer);
  gtk_text_buffer_set_text (buffer, problem, -1);
  gtk_text_buffer_end_irreversible_action (buffer);

  for (guint i = 0; i < G_N_ELEMENTS (constraint_rows); i++)
    {
      const char *value = NULL;

      if (constraints == NULL || !g_variant_lookup (constraints, constraint_rows[i].key, "&s", &value))
        value = "";
      gtk_editable_set_text (constraint_row (self, i), value);
    }

  self->restoring = FALSE;
  update_has_problem (self);
}

void
cs_compose_page_set_settings (CsComposePage *self,
                              GSettings     *settings)
{
  g_autofree char *problem = NULL;
  g_autoptr(GVariant) constraints = NULL;

  g_return_if_fail (CS_IS_COMPOSE_PAGE (self));
  g_return_if_fail (G_IS_SETTINGS (settings));

  if (!g_set_object (&self->settings, settings))
    return;
  g_signal_connect_object (settings, "changed::run-budget",
                           G_CALLBACK (_cs_compose_page_queue_estimate), self, G_CONNECT_SWAPPED);

  problem = g_settings_get_string (settings, "draft-problem");
  constraints = g_settings_get_value (settings, "draft-constraints");
  fill (self, problem, constraints);
  _cs_compose_page_rebuild_models (self);
}

void
cs_compose_page_mark_sent (CsComposePage *self)
{
  g_return_if_fail (CS_IS_COMPOSE_PAGE (self));

  self->sent = TRUE;
}

gboolean
cs_compose_page_get_sent (CsComposePage *self)
{
  g_return_val_if_fail (CS_IS_COMPOSE_PAGE (self), FALSE);

  return self->sent;
}

void
cs_compose_page_clear (CsComposePage *self)
{
  g_return_if_fail (CS_IS_COMPOSE_PAGE (self));

  fill (self, "", NULL);
  self->sent = FALSE;
  if (self->settings != NULL)
    {
      g_clear_handle_id (&self->draft_source, g_source_remove);
      save_draft_cb (self);
    }
}

/* -------------------------------------------------------------------------
 * Mode and models
 */

CsMode
cs_compose_page_get_mode (CsComposePage *self)
{
  g_return_val_if_fail (CS_IS_COMPOSE_PAGE (self), CS_MODE_ARCHITECT);

  return self->mode;
}

static void
apply_mode (CsComposePage *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->architect_group), self->mode == CS_MODE_ARCHITECT);
  gtk_widget_set_visible (GTK_WIDGET (self->support_group), self->mode == CS_MODE_SUPPORT);

  if (self->mode == CS_MODE_ARCHITECT)
    gtk_label_set_text (self->problem_placeholder,
                        _("What should the system do? Who uses it, how much data, what must never happen…"));
  else
    gtk_label_set_text (self->problem_placeholder,
                        _("What goes wrong? Paste the error message, say when it started and what changed…"));
}

void
cs_compose_page_set_mode (CsComposePage *self,
                          CsMode         mode)
{
  g_return_if_fail (CS_IS_COMPOSE_PAGE (self));

  if (self->mode == mode)
    return;

  self->mode = mode;
  apply_mode (self);
  _cs_compose_page_rebuild_models (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODE]);
}

void
cs_compose_page_set_config (CsComposePage *self,
                            CsConfig      *config)
{
  g_return_if_fail (CS_IS_COMPOSE_PAGE (self));
  g_return_if_fail (config == NULL || CS_IS_CONFIG (config));

  /* also for the same object: it may have changed */
  g_set_object (&self->config, config);
  _cs_compose_page_update_models (self);
}

gboolean
cs_compose_page_get_has_problem (CsComposePage *self)
{
  g_return_val_if_fail (CS_IS_COMPOSE_PAGE (self), FALSE);

  return self->has_problem;
}

/* -------------------------------------------------------------------------
 * The run
 */

/* The first line, without Markdown heading marks, cut at 60 characters. */
static char *
make_title (const char *problem)
{
  g_autofree char *first = NULL;
  const char *p = problem;
  const char *end;

  while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '#')
    p++;
  end = strchr (p, '\n');
  first = end != NULL ? g_strndup (p, end - p) : g_strdup (p);
  g_strstrip (first);

  if (g_utf8_strlen (first, -1) > TITLE_MAX_CHARS)
    {
      g_autofree char *cut = g_utf8_substring (first, 0, TITLE_MAX_CHARS - 1);
      return g_strconcat (cut, "…", NULL);
    }
  return g_steal_pointer (&first);
}

CsRun *
cs_compose_page_create_run (CsComposePage  *self,
                            GStrv          *models,
                            GError        **error)
{
  g_autofree char *problem = NULL;
  g_autofree char *judge = NULL;
  g_auto(GStrv) chosen = NULL;
  CsRun *run;

  g_return_val_if_fail (CS_IS_COMPOSE_PAGE (self), NULL);
  g_return_val_if_fail (models != NULL, NULL);

  problem = g_strstrip (get_problem_text (self));
  if (problem[0] == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("Describe the problem first"));
      cs_compose_page_focus_problem (self);
      return NULL;
    }

  chosen = _cs_compose_page_dup_models (self);
  if (chosen[0] == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("Choose at least one model"));
      return NULL;
    }

  cs_compose_page_flush_draft (self);
  _cs_compose_page_save_models (self);

  run = cs_run_new (self->mode, problem);
  if (cs_run_get_title (run) == NULL || cs_run_get_title (run)[0] == '\0')
    {
      g_autofree char *title = make_title (problem);
      cs_run_set_title (run, title);
    }

  for (guint i = 0; i < G_N_ELEMENTS (constraint_rows); i++)
    {
      const char *text = gtk_editable_get_text (constraint_row (self, i));

      if (constraint_in_mode (constraint_rows[i].key, self->mode) && text != NULL && text[0] != '\0')
        cs_run_set_constraint (run, constraint_rows[i].key, text);
    }

  judge = _cs_compose_page_dup_judge (self);
  cs_run_set_judge (run, judge);
  _cs_compose_page_apply_knobs (self, run);
  g_settings_set_string (self->settings, "judge-model", judge != NULL ? judge : "");
  _cs_compose_page_apply_synthesis (self, run);

  *models = g_steal_pointer (&chosen);
  return run;
}

/* -------------------------------------------------------------------------
 * GObject
 */

static void
cs_compose_page_dispose (GObject *object)
{
  CsComposePage *self = CS_COMPOSE_PAGE (object);

  if (self->draft_source != 0)
    cs_compose_page_flush_draft (self);
  g_clear_handle_id (&self->language_source, g_source_remove);

  _cs_compose_page_cost_dispose (self);
  _cs_compose_page_models_dispose (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), CS_TYPE_COMPOSE_PAGE);

  g_clear_pointer (&self->model_rows, g_ptr_array_unref);
  g_clear_object (&self->judge_ids);
  g_clear_object (&self->config);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (cs_compose_page_parent_class)->dispose (object);
}

static void
cs_compose_page_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  CsComposePage *self = CS_COMPOSE_PAGE (object);

  switch (prop_id)
    {
    case PROP_MODE:
      g_value_set_enum (value, self->mode);
      break;

    case PROP_HAS_PROBLEM:
      g_value_set_boolean (value, self->has_problem);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_compose_page_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  CsComposePage *self = CS_COMPOSE_PAGE (object);

  switch (prop_id)
    {
    case PROP_MODE:
      cs_compose_page_set_mode (self, g_value_get_enum (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_compose_page_class_init (CsComposePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cs_compose_page_dispose;
  object_class->get_property = cs_compose_page_get_property;
  object_class->set_property = cs_compose_page_set_property;

  properties[PROP_MODE] =
    g_param_spec_enum ("mode", NULL, NULL,
                       CS_TYPE_MODE, CS_MODE_ARCHITECT,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_HAS_PROBLEM] =
    g_param_spec_boolean ("has-problem", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (GTK_SOURCE_TYPE_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/consilium/Consilium/cs-compose-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CsComposePage, problem_view);
  gtk_widget_class_bind_template_child (widget_class, CsComposePage, problem_placeholder);
  gtk_widget_class_bind_template_child (widget_class, CsComposePage, architect_group);
  gtk_widget_class_bind_template_child (widget_class, CsComposePage, support_group);
  gtk_widget_class_bind_template_child (widget_class, CsComposePage, budget_row);
  gtk_widget_class_bind_template_child (widget_class, CsComposePage, technologies_row);
  gtk_widget_class_bind_template_child (widget_class, CsComposePage, scale_row);
  gtk_widget_class_bind_template_child (widget_class, CsComposePage, hosting_row);
  gtk_widget_class_bind_template_child (widget_class, CsComposePage, os_row);
  gtk_widget_class_bind_template_child (widget_class, CsComposePage, stack_row);
  gtk_widget_class_bind_template_child (widget_class, CsComposePage, tried_row);
  gtk_widget_class_bind_template_child (widget_class, CsComposePage, models_group);
  gtk_widget_class_bind_template_child (widget_class, CsComposePage, models_list);
  gtk_widget_class_bind_template_child (widget_class, CsComposePage, judge_row);
}

/* Ctrl+Enter runs, also from inside the editor (before it can take the
 * key for a new line). */
static void
add_run_shortcut (CsComposePage *self)
{
  GtkEventController *shortcuts = gtk_shortcut_controller_new ();

  gtk_event_controller_set_propagation_phase (shortcuts, GTK_PHASE_CAPTURE);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_shortcut_trigger_parse_string ("<Control>Return|<Control>KP_Enter"),
                                                          gtk_named_action_new ("win.run")));
  gtk_widget_add_controller (GTK_WIDGET (self->problem_view), shortcuts);
}

/* Markdown highlighting needs GtkSourceView's language files (some 150 XML
 * files read, the Markdown definition and those it includes compiled): a
 * fifth of the launch. The problem text is plain text until the window has
 * shown its first frame. */
static gboolean
set_language_cb (gpointer user_data)
{
  CsComposePage *self = user_data;
  GtkSourceLanguage *markdown;

  self->language_source = 0;
  markdown = gtk_source_language_manager_get_language (gtk_source_language_manager_get_default (), "markdown");
  if (markdown != NULL)
    gtk_source_buffer_set_language (GTK_SOURCE_BUFFER (cs_compose_page_get_buffer (self)), markdown);
  return G_SOURCE_REMOVE;
}

/* The first frame's update phase: the idle runs once that frame is painted. */
static gboolean
first_frame_tick_cb (GtkWidget     *widget,
                     GdkFrameClock *clock,
                     gpointer       user_data)
{
  CsComposePage *self = user_data;

  if (self->language_source == 0)
    self->language_source = g_idle_add_full (G_PRIORITY_LOW, set_language_cb, self, NULL);
  return G_SOURCE_REMOVE;
}

static void
cs_compose_page_init (CsComposePage *self)
{
  GtkTextBuffer *buffer;

  gtk_widget_init_template (GTK_WIDGET (self));
  _cs_compose_page_models_init (self);
  _cs_compose_page_synthesis_init (self);

  buffer = cs_compose_page_get_buffer (self);
  gtk_widget_add_tick_callback (GTK_WIDGET (self->problem_view), first_frame_tick_cb, self, NULL);
  gtk_source_buffer_set_highlight_matching_brackets (GTK_SOURCE_BUFFER (buffer), FALSE);
  g_signal_connect_object (buffer, "changed", G_CALLBACK (problem_changed_cb), self, G_CONNECT_SWAPPED);
  add_run_shortcut (self);

  for (guint i = 0; i < G_N_ELEMENTS (constraint_rows); i++)
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (constraint_row (self, i)), _(constraint_rows[i].title));
      g_signal_connect_object (constraint_row (self, i), "changed",
                               G_CALLBACK (edited), self, G_CONNECT_SWAPPED);
    }

  apply_mode (self);
  update_has_problem (self);
}
