/* cli-round-knobs.c: a follow-up round's own settings, "[MODEL@]KEY=VALUE"
 * each, on top of those the run used: --option with --follow-up
 * (cli-follow-up.c) and "options" of POST /v1/runs/{id}/follow-ups
 * (cli-serve-follow-up.c), checked alike
 *
 * MODEL@ names a model of the run's current round or its judge (or
 * fallback judge); without it, the setting is for every model the round
 * asks (scope judge: the judges; all: the candidates' models).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "consilium-cli"

#include "config.h"

#include <glib/gi18n.h>

#include "cli-private.h"

/* TRUE when @model ("provider/model") answered in @run or judges it. */
static gboolean
run_asks (CsRun      *run,
          const char *model)
{
  GPtrArray *candidates = cs_round_get_candidates (cs_run_get_current_round (run));

  if (g_strcmp0 (model, cs_run_get_judge (run)) == 0 || g_strcmp0 (model, cs_run_get_fallback_judge (run)) == 0)
    return TRUE;
  for (guint i = 0; i < candidates->len; i++)
    if (g_strcmp0 (model, cs_candidate_get_model (g_ptr_array_index (candidates, i))) == 0)
      return TRUE;
  return FALSE;
}

/* The models an --option without MODEL@ sets: those the round asks. */
static GPtrArray *
round_models (CsRun        *run,
              CsRoundScope  scope)
{
  GPtrArray *models = g_ptr_array_new ();
  GPtrArray *candidates = cs_round_get_candidates (cs_run_get_current_round (run));

  if (scope == CS_ROUND_SCOPE_JUDGE)
    {
      if (cs_run_get_judge (run) != NULL)
        g_ptr_array_add (models, (gpointer) cs_run_get_judge (run));
      if (cs_run_get_fallback_judge (run) != NULL)
        g_ptr_array_add (models, (gpointer) cs_run_get_fallback_judge (run));
      return models;
    }
  for (guint i = 0; i < candidates->len; i++)
    {
      const char *model = cs_candidate_get_model (g_ptr_array_index (candidates, i));

      if (model != NULL && !g_ptr_array_find_with_equal_func (models, model, g_str_equal, NULL))
        g_ptr_array_add (models, (gpointer) model);
    }
  return models;
}

gboolean
cli_round_knobs_set (CsRun               *run,
                     CsRunner            *runner,
                     CsRoundScope         scope,
                     const char * const  *options,
                     GError             **error)
{
  g_autoptr(GHashTable) table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                       (GDestroyNotify) cs_knobs_free);
  g_autoptr(GPtrArray) every = round_models (run, scope);
  GHashTableIter iter;
  gpointer key, value;

  for (guint i = 0; options != NULL && options[i] != NULL; i++)
    {
      const char *option = options[i];
      g_autofree char *model = NULL;
      g_autofree char *name = NULL;
      g_autofree char *val = NULL;
      g_autoptr(GPtrArray) targets = NULL;

      if (!cs_knobs_parse_option (option, &model, &name, &val, error))
        return FALSE;
      if (model != NULL && !run_asks (run, model))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("%s: %s is neither a model nor the judge of this run"), option, model);
          return FALSE;
        }
      targets = g_ptr_array_new ();
      if (model != NULL)
        g_ptr_array_add (targets, model);
      else
        g_ptr_array_extend (targets, every, NULL, NULL);
      for (guint m = 0; m < targets->len; m++)
        {
          const char *target = g_ptr_array_index (targets, m);
          CsKnobs *knobs = g_hash_table_lookup (table, target);

          if (knobs == NULL)
            g_hash_table_insert (table, g_strdup (target), knobs = cs_knobs_new ());
          if (!cs_knobs_set (knobs, name, val, error))
            {
              g_prefix_error (error, "%s: ", option);
              return FALSE;
            }
        }
    }
  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &key, &value))
    cs_runner_set_round_knobs (runner, key, value);
  return TRUE;
}

