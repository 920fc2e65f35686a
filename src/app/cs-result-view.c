/* cs-result-view.c: the synthesized result: blueprint or checklist
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-result-view"

#include "config.h"

#include <glib/gi18n.h>

#include "cs-diagram.h"
#include "cs-result-view.h"
#include "cs-ui-util.h"

struct _CsResultView
{
  GtkBox      parent_instance;

  CsRun      *run;
  GPtrArray  *step_checks;
  const char *kind;
};

G_DEFINE_FINAL_TYPE (CsResultView, cs_result_view, GTK_TYPE_BOX)

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

  g_set_object (&self->run, run);
}

CsRun *
cs_result_view_get_run (CsResultView *self)
{
  return self->run;
}

GPtrArray *
cs_result_view_get_step_checks (CsResultView *self)
{
  return g_ptr_array_ref (self->step_checks);
}

const char *
cs_result_view_get_kind (CsResultView *self)
{
  return self->kind;
}

static void
cs_result_view_dispose (GObject *object)
{
  CsResultView *self = CS_RESULT_VIEW (object);

  g_clear_object (&self->run);
  g_clear_pointer (&self->step_checks, g_ptr_array_unref);

  G_OBJECT_CLASS (cs_result_view_parent_class)->dispose (object);
}

static void
cs_result_view_class_init (CsResultViewClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = cs_result_view_dispose;
}

static void
cs_result_view_init (CsResultView *self)
{
  self->kind = "none";
  self->step_checks = g_ptr_array_new ();
  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
}
