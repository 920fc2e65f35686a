/* cs-candidate-outline.c: what a streaming answer holds so far, as an outline
 *
 * While a candidate streams its JSON, its card shows the summary so far and
 * the items completed so far, read through the typed result model
 * (cs_json_parse_partial, then cs_blueprint_new_from_json and
 * cs_checklist_new_from_json): components and data stores with their
 * technology, key choices, likely causes, step titles, and counts for the
 * rest; never the JSON itself. Text that is not JSON shows its last lines.
 *
 * Rows are appended as items complete, never rebuilt. The outline is as
 * tall as its card makes it: the summary stays on top and the list below
 * is clipped at the top once it is longer than the room left, so that the
 * newest rows show and the card's height never changes. It takes no
 * input: a click is the card's, the wheel the page's.
 *
 * Everything shown comes from the network: plain labels only, cleaned and
 * bounded by cs_clean_label_text().
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-candidate-outline"

#include "config.h"

#include <glib/gi18n.h>

#include "cs-candidate-outline.h"
#include "cs-partial-answer.h"
#include "cs-result-parts.h"
#include "cs-stream-layout.h"

/* Only this much of a JSON answer is read (a runaway reply must not cost
 * a megabyte's parse four times a second); the full answer has the rest. */
#define JSON_TEXT_MAX (256 * 1024)
/* The end of a text that is not JSON, in bytes. */
#define TAIL_MAX 360
/* Item rows in a section; then "and N more". */
#define ROWS_MAX 24
/* Characters of a row and of the summary. */
#define ROW_CHARS_MAX 160
#define SUMMARY_CHARS_MAX 600
/* Between the summary and the list. */
#define SPACING 6
/* The height of the fade over a clipped list's top. */
#define FADE_HEIGHT 16

typedef struct {
  GtkBox   *box;       /* a heading, then the rows */
  guint     n_rows;
  GtkLabel *more;      /* "and N more", or NULL */
} Section;

typedef enum {
  COMPONENTS, DATA_STORES, DECISIONS, CAUSES, STEPS, N_SECTIONS
} SectionId;

typedef enum {
  APIS, CONNECTIONS, TRADE_OFFS, RISKS, N_COUNTS
} CountId;

/* What the outline shows, in numbers: it changes only with them. */
typedef struct {
  CsStreamLayoutKind kind;
  gsize              text_len;          /* the summary's, or a plain text's */
  guint              n_items[N_SECTIONS];
  guint              n_counted[N_COUNTS];
} Signature;

struct _CsCandidateOutline
{
  GtkWidget  parent_instance;

  GtkLabel  *summary_label;
  GtkBox    *list_box;
  GtkLabel  *placeholder_label;
  GtkLabel  *tail_label;
  GtkWidget *fade;
  GtkLabel  *count_labels[N_COUNTS];
  Section    sections[N_SECTIONS];

  gsize      seen_len;     /* of the text at the last update */
  Signature  shown;
  int        list_top;     /* where the list's room starts */
  gboolean   clipped;      /* the list is longer than its room */
};

G_DEFINE_FINAL_TYPE (CsCandidateOutline, cs_candidate_outline, GTK_TYPE_WIDGET)

static void
set_text (GtkLabel   *label,
          const char *text)
{
  if (g_strcmp0 (gtk_label_get_text (label), text) != 0)
    gtk_label_set_text (label, text);
}

/* ---- rows ---- */

static GtkWidget *
new_row (const char *text,
         gboolean    dim)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_text (GTK_LABEL (label), text);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 30);
  if (dim)
    gtk_widget_add_css_class (label, "dim-label");
  return label;
}

/* @text cleaned for a row, "…" when it is missing */
static char *
clean_field (const char *text)
{
  if (text == NULL || text[0] == '\0')
    return g_strdup ("…");
  return cs_clean_label_text (text, strlen (text), ROW_CHARS_MAX, FALSE);
}

/* "• @a — @b" (@sep between), or "• @a" without @b */
static char *
row_text (const char *a,
          const char *sep,
          const char *b)
{
  g_autofree char *first = clean_field (a);
  g_autofree char *second = NULL;

  if (b == NULL || b[0] == '\0')
    return g_strconcat ("• ", first, NULL);
  second = clean_field (b);
  return g_strconcat ("• ", first, sep, second, NULL);
}

static char *
item_text (SectionId  id,
           gpointer   item,
           guint      index)
{
  switch (id)
    {
    case COMPONENTS:
      return row_text (((CsComponent *) item)->name, " — ", ((CsComponent *) item)->technology);
    case DATA_STORES:
      return row_text (((CsDataStore *) item)->name, " — ", ((CsDataStore *) item)->technology);
    case DECISIONS:
      return row_text (((CsDecision *) item)->topic, ": ", ((CsDecision *) item)->choice);
    case CAUSES:
      {
        CsCause *cause = item;
        g_autofree char *likelihood = NULL;

        if (cause->likelihood != NULL && cause->likelihood[0] != '\0')
          likelihood = g_strdup_printf ("(%s)", cs_result_likelihood_text (cause->likelihood));
        return row_text (cause->cause, " ", likelihood);
      }
    case STEPS:
    case N_SECTIONS:
    default:
      {
        g_autofree char *title = clean_field (((CsStep *) item)->title);

        return g_strdup_printf ("%u. %s", index + 1, title);
      }
    }
}

static void
section_clear (Section *section)
{
  GtkWidget *heading = gtk_widget_get_first_child (GTK_WIDGET (section->box));
  GtkWidget *child;

  while ((child = gtk_widget_get_next_sibling (heading)) != NULL)
    gtk_box_remove (section->box, child);
  section->n_rows = 0;
  section->more = NULL;
  gtk_widget_set_visible (GTK_WIDGET (section->box), FALSE);
}

/* Appends the rows of the items that came since the last update. */
static void
section_update (Section   *section,
                SectionId  id,
                GPtrArray *items)
{
  guint n = items != NULL ? items->len : 0;
  guint shown = MIN (n, ROWS_MAX);

  /* fewer than before: a new attempt */
  if (shown < section->n_rows)
    section_clear (section);

  for (guint i = section->n_rows; i < shown; i++)
    {
      g_autofree char *text = item_text (id, g_ptr_array_index (items, i), i);

      gtk_box_append (section->box, new_row (text, FALSE));
    }
  section->n_rows = shown;

  if (n > shown)
    {
      g_autofree char *more = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "and %u more", "and %u more", n - shown),
                                               n - shown);

      if (section->more == NULL)
        {
          section->more = GTK_LABEL (new_row (more, TRUE));
          gtk_box_append (section->box, GTK_WIDGET (section->more));
        }
      set_text (section->more, more);
    }
  gtk_widget_set_visible (GTK_WIDGET (section->box), n > 0);
}

static char *
count_text (CountId id,
            guint   n)
{
  switch (id)
    {
    case APIS:
      /* Translators: while an answer streams: how many APIs it has so far */
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u API", "%u APIs", n), n);
    case CONNECTIONS:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u connection", "%u connections", n), n);
    case TRADE_OFFS:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u trade-off", "%u trade-offs", n), n);
    case RISKS:
    case N_COUNTS:
    default:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u risk", "%u risks", n), n);
    }
}

/* ---- the outline ---- */

static void
show_summary (CsCandidateOutline *self,
              const char         *summary)
{
  g_autofree char *clean = NULL;

  if (summary != NULL)
    clean = cs_clean_label_text (summary, strlen (summary), SUMMARY_CHARS_MAX, FALSE);
  set_text (self->summary_label, clean != NULL ? clean : "");
  gtk_widget_set_visible (GTK_WIDGET (self->summary_label), clean != NULL && clean[0] != '\0');
}

/* The sections of @bp or @cl (one of them NULL) as they are now. */
static void
show_items (CsCandidateOutline *self,
            CsBlueprint        *bp,
            CsChecklist        *cl,
            const Signature    *sig)
{
  GPtrArray *lists[N_SECTIONS] = { NULL };

  if (bp != NULL)
    {
      lists[COMPONENTS] = cs_blueprint_get_components (bp);
      lists[DATA_STORES] = cs_blueprint_get_data_stores (bp);
      lists[DECISIONS] = cs_blueprint_get_decisions (bp);
    }
  if (cl != NULL)
    {
      lists[CAUSES] = cs_checklist_get_likely_causes (cl);
      lists[STEPS] = cs_checklist_get_steps (cl);
    }
  for (guint i = 0; i < N_SECTIONS; i++)
    section_update (&self->sections[i], i, lists[i]);

  for (guint i = 0; i < N_COUNTS; i++)
    {
      g_autofree char *text = sig->n_counted[i] > 0 ? count_text (i, sig->n_counted[i]) : NULL;

      if (text != NULL)
        set_text (self->count_labels[i], text);
      gtk_widget_set_visible (GTK_WIDGET (self->count_labels[i]), text != NULL);
    }
}

static void
measure_answer (CsBlueprint *bp,
                CsChecklist *cl,
                Signature   *sig)
{
  const char *summary = cs_blueprint_get_summary (bp);

  sig->text_len = summary != NULL ? strlen (summary) : 0;
  sig->n_items[COMPONENTS] = cs_blueprint_get_components (bp)->len;
  sig->n_items[DATA_STORES] = cs_blueprint_get_data_stores (bp)->len;
  sig->n_items[DECISIONS] = cs_blueprint_get_decisions (bp)->len;
  sig->n_counted[APIS] = cs_blueprint_get_apis (bp)->len;
  sig->n_counted[CONNECTIONS] = cs_blueprint_get_connections (bp)->len;
  sig->n_counted[TRADE_OFFS] = cs_blueprint_get_trade_offs (bp)->len;
  sig->n_counted[RISKS] = cs_blueprint_get_risks (bp)->len;
  sig->n_items[CAUSES] = cs_checklist_get_likely_causes (cl)->len;
  sig->n_items[STEPS] = cs_checklist_get_steps (cl)->len;
}

/* JSON: the summary and the items complete so far. */
static gboolean
update_json (CsCandidateOutline *self,
             const char         *text,
             gsize               len)
{
  g_autoptr(CsBlueprint) bp = NULL;
  g_autoptr(CsChecklist) cl = NULL;
  Signature sig = { CS_STREAM_LAYOUT_JSON, 0, { 0 }, { 0 } };
  guint n_architect = 0, n_support;

  if (cs_partial_answer_read (text, MIN (len, JSON_TEXT_MAX), &bp, &cl))
    measure_answer (bp, cl, &sig);

  /* which mode's answer it is: the one with more items */
  for (guint i = 0; i < N_COUNTS; i++)
    n_architect += sig.n_counted[i];
  n_architect += sig.n_items[COMPONENTS] + sig.n_items[DATA_STORES] + sig.n_items[DECISIONS];
  n_support = sig.n_items[CAUSES] + sig.n_items[STEPS];
  if (n_support > n_architect)
    {
      sig.n_items[COMPONENTS] = sig.n_items[DATA_STORES] = sig.n_items[DECISIONS] = 0;
      memset (sig.n_counted, 0, sizeof sig.n_counted);
      g_clear_pointer (&bp, cs_blueprint_unref);
    }
  else
    {
      sig.n_items[CAUSES] = sig.n_items[STEPS] = 0;
      g_clear_pointer (&cl, cs_checklist_unref);
    }

  if (memcmp (&sig, &self->shown, sizeof sig) == 0)
    return FALSE;
  self->shown = sig;

  show_summary (self, bp != NULL ? cs_blueprint_get_summary (bp) : cl != NULL ? cs_checklist_get_summary (cl) : NULL);
  show_items (self, bp, cl, &sig);
  gtk_widget_set_visible (GTK_WIDGET (self->tail_label), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->placeholder_label),
                          sig.text_len == 0 && n_architect + n_support == 0);
  return TRUE;
}

/* Anything else: its last lines. */
static gboolean
update_plain (CsCandidateOutline *self,
              const char         *text,
              gsize               len)
{
  Signature sig = { CS_STREAM_LAYOUT_PLAIN, len, { 0 }, { 0 } };
  const char *start = text;
  g_autofree char *tail = NULL;
  g_autofree char *shown = NULL;

  if (memcmp (&sig, &self->shown, sizeof sig) == 0)
    return FALSE;
  if (self->shown.kind != CS_STREAM_LAYOUT_PLAIN)
    cs_candidate_outline_reset (self);
  self->shown = sig;

  if (len > TAIL_MAX)
    {
      start = g_utf8_find_next_char (text + len - TAIL_MAX - 1, text + len);
      if (start == NULL)
        start = text + len;
    }
  while (start < text + len && g_ascii_isspace (*start))
    start++;
  tail = cs_clean_label_text (start, text + len - start, TAIL_MAX, TRUE);
  shown = start > text ? g_strconcat ("…", tail, NULL) : g_steal_pointer (&tail);

  set_text (self->tail_label, shown);
  gtk_widget_set_visible (GTK_WIDGET (self->tail_label), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->placeholder_label), FALSE);
  return TRUE;
}

gboolean
cs_candidate_outline_update (CsCandidateOutline *self,
                             const char         *text,
                             gsize               len)
{
  g_return_val_if_fail (CS_IS_CANDIDATE_OUTLINE (self), FALSE);

  if (text == NULL)
    len = 0;
  if (len == self->seen_len)
    return FALSE;
  if (len < self->seen_len)
    cs_candidate_outline_reset (self);
  self->seen_len = len;

  switch (cs_stream_layout_detect (text, len))
    {
    case CS_STREAM_LAYOUT_JSON:
      return update_json (self, text, len);
    case CS_STREAM_LAYOUT_PLAIN:
      return update_plain (self, text, len);
    case CS_STREAM_LAYOUT_UNKNOWN:
    default:
      return FALSE;
    }
}

void
cs_candidate_outline_set_ended (CsCandidateOutline *self,
                                gboolean            ended)
{
  g_return_if_fail (CS_IS_CANDIDATE_OUTLINE (self));

  set_text (self->placeholder_label, ended ? _("Nothing readable in the answer.") : _("Reading the answer…"));
}

void
cs_candidate_outline_reset (CsCandidateOutline *self)
{
  g_return_if_fail (CS_IS_CANDIDATE_OUTLINE (self));

  for (guint i = 0; i < N_SECTIONS; i++)
    section_clear (&self->sections[i]);
  for (guint i = 0; i < N_COUNTS; i++)
    gtk_widget_set_visible (GTK_WIDGET (self->count_labels[i]), FALSE);
  set_text (self->summary_label, "");
  gtk_widget_set_visible (GTK_WIDGET (self->summary_label), FALSE);
  set_text (self->tail_label, "");
  gtk_widget_set_visible (GTK_WIDGET (self->tail_label), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->placeholder_label), TRUE);
  memset (&self->shown, 0, sizeof self->shown);
  self->seen_len = 0;
}

guint
cs_candidate_outline_get_n_rows (CsCandidateOutline *self)
{
  guint n = 0;

  g_return_val_if_fail (CS_IS_CANDIDATE_OUTLINE (self), 0);

  for (guint i = 0; i < N_SECTIONS; i++)
    n += self->sections[i].n_rows;
  for (guint i = 0; i < N_COUNTS; i++)
    n += gtk_widget_get_visible (GTK_WIDGET (self->count_labels[i])) ? 1 : 0;
  return n;
}

/* ---- layout: the summary on top, the list's end in the room left ---- */

static void
cs_candidate_outline_measure (GtkWidget      *widget,
                              GtkOrientation  orientation,
                              int             for_size,
                              int            *minimum,
                              int            *natural,
                              int            *minimum_baseline,
                              int            *natural_baseline)
{
  CsCandidateOutline *self = CS_CANDIDATE_OUTLINE (widget);
  int min = 0, nat = 0;

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      int list_min, list_nat;

      /* whatever the height: it is the card's to give, and the list is
       * clipped to it */
      gtk_widget_measure (GTK_WIDGET (self->summary_label), orientation, -1, &min, &nat, NULL, NULL);
      gtk_widget_measure (GTK_WIDGET (self->list_box), orientation, -1, &list_min, &list_nat, NULL, NULL);
      min = MAX (min, list_min);
      nat = MAX (nat, list_nat);
    }
  else
    {
      /* the summary; the list takes the room it is given (height-request) */
      gtk_widget_measure (GTK_WIDGET (self->summary_label), orientation, for_size, &min, &nat, NULL, NULL);
    }
  *minimum = min;
  *natural = nat;
}

static void
cs_candidate_outline_size_allocate (GtkWidget *widget,
                                    int        width,
                                    int        height,
                                    int        baseline)
{
  CsCandidateOutline *self = CS_CANDIDATE_OUTLINE (widget);
  int summary_height = 0, list_height = 0, room;

  if (gtk_widget_get_visible (GTK_WIDGET (self->summary_label)))
    {
      gtk_widget_measure (GTK_WIDGET (self->summary_label), GTK_ORIENTATION_VERTICAL, width,
                          NULL, &summary_height, NULL, NULL);
      summary_height = MIN (summary_height, height);
      gtk_widget_size_allocate (GTK_WIDGET (self->summary_label),
                                &(GtkAllocation) { 0, 0, width, summary_height }, -1);
      summary_height += SPACING;
    }
  self->list_top = summary_height;

  /* the list at its own height, its end at the bottom when it is longer
   * than the room; the snapshot clips what is above the room */
  gtk_widget_measure (GTK_WIDGET (self->list_box), GTK_ORIENTATION_VERTICAL, width,
                      &list_height, NULL, NULL, NULL);
  room = MAX (height - summary_height, 0);
  self->clipped = list_height > room;
  gtk_widget_size_allocate (GTK_WIDGET (self->list_box),
                            &(GtkAllocation) { 0, summary_height + MIN (room - list_height, 0), width, list_height },
                            -1);
  gtk_widget_size_allocate (self->fade, &(GtkAllocation) { 0, summary_height, width, MIN (FADE_HEIGHT, room) }, -1);
}

static void
cs_candidate_outline_snapshot (GtkWidget   *widget,
                               GtkSnapshot *snapshot)
{
  CsCandidateOutline *self = CS_CANDIDATE_OUTLINE (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (0, self->list_top, width, MAX (height - self->list_top, 0)));
  gtk_widget_snapshot_child (widget, GTK_WIDGET (self->list_box), snapshot);
  gtk_snapshot_pop (snapshot);
  if (self->clipped)
    gtk_widget_snapshot_child (widget, self->fade, snapshot);
  gtk_widget_snapshot_child (widget, GTK_WIDGET (self->summary_label), snapshot);
}

/* ---- the class ---- */

GtkWidget *
cs_candidate_outline_new (void)
{
  return g_object_new (CS_TYPE_CANDIDATE_OUTLINE, NULL);
}

static void
cs_candidate_outline_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), CS_TYPE_CANDIDATE_OUTLINE);

  G_OBJECT_CLASS (cs_candidate_outline_parent_class)->dispose (object);
}

static void
cs_candidate_outline_class_init (CsCandidateOutlineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cs_candidate_outline_dispose;
  widget_class->measure = cs_candidate_outline_measure;
  widget_class->size_allocate = cs_candidate_outline_size_allocate;
  widget_class->snapshot = cs_candidate_outline_snapshot;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/consilium/Consilium/cs-candidate-outline.ui");
  gtk_widget_class_bind_template_child_full (widget_class, "summary_label", FALSE,
                                             G_STRUCT_OFFSET (CsCandidateOutline, summary_label));
  gtk_widget_class_bind_template_child_full (widget_class, "list_box", FALSE,
                                             G_STRUCT_OFFSET (CsCandidateOutline, list_box));
  gtk_widget_class_bind_template_child_full (widget_class, "placeholder_label", FALSE,
                                             G_STRUCT_OFFSET (CsCandidateOutline, placeholder_label));
  gtk_widget_class_bind_template_child_full (widget_class, "tail_label", FALSE,
                                             G_STRUCT_OFFSET (CsCandidateOutline, tail_label));
  gtk_widget_class_bind_template_child_full (widget_class, "fade", FALSE,
                                             G_STRUCT_OFFSET (CsCandidateOutline, fade));
  gtk_widget_class_bind_template_child_full (widget_class, "components_box", FALSE,
                                             G_STRUCT_OFFSET (CsCandidateOutline, sections[COMPONENTS].box));
  gtk_widget_class_bind_template_child_full (widget_class, "data_stores_box", FALSE,
                                             G_STRUCT_OFFSET (CsCandidateOutline, sections[DATA_STORES].box));
  gtk_widget_class_bind_template_child_full (widget_class, "decisions_box", FALSE,
                                             G_STRUCT_OFFSET (CsCandidateOutline, sections[DECISIONS].box));
  gtk_widget_class_bind_template_child_full (widget_class, "causes_box", FALSE,
                                             G_STRUCT_OFFSET (CsCandidateOutline, sections[CAUSES].box));
  gtk_widget_class_bind_template_child_full (widget_class, "steps_box", FALSE,
                                             G_STRUCT_OFFSET (CsCandidateOutline, sections[STEPS].box));
  gtk_widget_class_bind_template_child_full (widget_class, "apis_label", FALSE,
                                             G_STRUCT_OFFSET (CsCandidateOutline, count_labels[APIS]));
  gtk_widget_class_bind_template_child_full (widget_class, "connections_label", FALSE,
                                             G_STRUCT_OFFSET (CsCandidateOutline, count_labels[CONNECTIONS]));
  gtk_widget_class_bind_template_child_full (widget_class, "trade_offs_label", FALSE,
                                             G_STRUCT_OFFSET (CsCandidateOutline, count_labels[TRADE_OFFS]));
  gtk_widget_class_bind_template_child_full (widget_class, "risks_label", FALSE,
                                             G_STRUCT_OFFSET (CsCandidateOutline, count_labels[RISKS]));
  gtk_widget_class_set_css_name (widget_class, "outline");
}

static void
cs_candidate_outline_init (CsCandidateOutline *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  cs_candidate_outline_set_ended (self, FALSE);
}
