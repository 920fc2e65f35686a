/* cs-step-reports.c: what the person reported on the current checklist's steps
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-step-reports"

#include "config.h"

#include "cs-step-reports.h"

struct _CsStepReports
{
  GObject     parent_instance;

  CsRun      *run;       /* not owned: the run owns the book */
  guint       round;     /* the round whose checklist the reports are about */
  GHashTable *outcomes;  /* step → outcome + 1 */
  GHashTable *outputs;   /* step → text */
};

G_DEFINE_FINAL_TYPE (CsStepReports, cs_step_reports, G_TYPE_OBJECT)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static guint
current_round (CsRun *run)
{
  CsRound *round = cs_run_get_current_round (run);

  return round != NULL ? cs_round_get_index (round) : 0;
}

/* Reports on a checklist no longer shown do not apply. */
static void
follow_round (CsStepReports *self)
{
  guint round = current_round (self->run);

  if (round == self->round)
    return;
  self->round = round;
  g_hash_table_remove_all (self->outcomes);
  g_hash_table_remove_all (self->outputs);
}

CsStepReports *
cs_step_reports_for_run (CsRun *run)
{
  CsStepReports *self;

  g_return_val_if_fail (CS_IS_RUN (run), NULL);

  self = g_object_get_data (G_OBJECT (run), "cs-step-reports");
  if (self == NULL)
    {
      self = g_object_new (CS_TYPE_STEP_REPORTS, NULL);
      self->run = run;
      self->round = current_round (run);
      g_object_set_data_full (G_OBJECT (run), "cs-step-reports", self, g_object_unref);
    }
  follow_round (self);
  return self;
}

void
cs_step_reports_set_outcome (CsStepReports *self,
                             guint          step,
                             int            outcome)
{
  g_return_if_fail (CS_IS_STEP_REPORTS (self));
  g_return_if_fail (step > 0);

  follow_round (self);
  if (outcome < 0)
    g_hash_table_remove (self->outcomes, GUINT_TO_POINTER (step));
  else
    g_hash_table_insert (self->outcomes, GUINT_TO_POINTER (step), GINT_TO_POINTER (outcome + 1));
  g_signal_emit (self, signals[CHANGED], 0);
}

int
cs_step_reports_get_outcome (CsStepReports *self,
                             guint          step)
{
  g_return_val_if_fail (CS_IS_STEP_REPORTS (self), -1);

  follow_round (self);
  return GPOINTER_TO_INT (g_hash_table_lookup (self->outcomes, GUINT_TO_POINTER (step))) - 1;
}

void
cs_step_reports_set_output (CsStepReports *self,
                            guint          step,
                            const char    *output)
{
  g_return_if_fail (CS_IS_STEP_REPORTS (self));
  g_return_if_fail (step > 0);

  follow_round (self);
  if (output == NULL || output[0] == '\0')
    g_hash_table_remove (self->outputs, GUINT_TO_POINTER (step));
  else
    g_hash_table_insert (self->outputs, GUINT_TO_POINTER (step), g_strdup (output));
  g_signal_emit (self, signals[CHANGED], 0);
}

const char *
cs_step_reports_get_output (CsStepReports *self,
                            guint          step)
{
  g_return_val_if_fail (CS_IS_STEP_REPORTS (self), NULL);

  follow_round (self);
  return g_hash_table_lookup (self->outputs, GUINT_TO_POINTER (step));
}

guint
cs_step_reports_get_n (CsStepReports *self)
{
  g_return_val_if_fail (CS_IS_STEP_REPORTS (self), 0);

  follow_round (self);
  return g_hash_table_size (self->outcomes);
}

static int
compare_steps (gconstpointer a,
               gconstpointer b)
{
  const CsStepReport *ra = *(const CsStepReport * const *) a;
  const CsStepReport *rb = *(const CsStepReport * const *) b;

  return ra->step < rb->step ? -1 : ra->step > rb->step;
}

GPtrArray *
cs_step_reports_dup (CsStepReports *self)
{
  GPtrArray *reports = g_ptr_array_new_with_free_func ((GDestroyNotify) cs_step_report_free);
  GHashTableIter iter;
  gpointer key, value;

  g_return_val_if_fail (CS_IS_STEP_REPORTS (self), reports);

  follow_round (self);
  g_hash_table_iter_init (&iter, self->outcomes);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      guint step = GPOINTER_TO_UINT (key);

      g_ptr_array_add (reports, cs_step_report_new (step, GPOINTER_TO_INT (value) - 1,
                                                    g_hash_table_lookup (self->outputs, key)));
    }
  g_ptr_array_sort (reports, compare_steps);
  return reports;
}

void
cs_step_reports_clear (CsStepReports *self)
{
  g_return_if_fail (CS_IS_STEP_REPORTS (self));

  g_hash_table_remove_all (self->outcomes);
  g_hash_table_remove_all (self->outputs);
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
cs_step_reports_finalize (GObject *object)
{
  CsStepReports *self = CS_STEP_REPORTS (object);

  g_hash_table_unref (self->outcomes);
  g_hash_table_unref (self->outputs);

  G_OBJECT_CLASS (cs_step_reports_parent_class)->finalize (object);
}

static void
cs_step_reports_class_init (CsStepReportsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cs_step_reports_finalize;

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
cs_step_reports_init (CsStepReports *self)
{
  self->outcomes = g_hash_table_new (NULL, NULL);
  self->outputs = g_hash_table_new_full (NULL, NULL, NULL, g_free);
}
