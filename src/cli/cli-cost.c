/* cli-cost.c: --option, --estimate and --budget
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "consilium-cli"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <glib/gi18n.h>

#include "cli-private.h"

/* @model names one of the models the run asks: a spec as given, or the
 * model of one */
static gboolean
model_is_asked (const char  *model,
                CsConfig    *config,
                char       **models)
{
  const CsModelConfig *m = cs_config_find_model (config, model);

  for (guint i = 0; models != NULL && models[i] != NULL; i++)
    {
      const char *colon;

      if (g_str_equal (models[i], model))
        return TRUE;
      if (m == NULL)
        continue;
      /* "provider/model:COUNT" asks provider/model */
      colon = strrchr (models[i], ':');
      if (colon != NULL && (gsize) (colon - models[i]) == strlen (m->id) &&
          strncmp (models[i], m->id, colon - models[i]) == 0)
        return TRUE;
    }
  return FALSE;
}

static CsKnobs *
knobs_for (GHashTable *table,
           const char *model)
{
  CsKnobs *knobs = g_hash_table_lookup (table, model);

  if (knobs == NULL)
    {
      knobs = cs_knobs_new ();
      g_hash_table_insert (table, g_strdup (model), knobs);
    }
  return knobs;
}

gboolean
cli_apply_knobs (const CliOptions *options,
                 CsConfig         *config,
                 CsRun            *run,
                 char            **models)
{
  g_autoptr(GHashTable) table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                       (GDestroyNotify) cs_knobs_free);
  GHashTableIter iter;
  gpointer key, value;

  for (guint i = 0; options->knob_options != NULL && options->knob_options[i] != NULL; i++)
    {
      const char *option = options->knob_options[i];
      g_autoptr(GError) error = NULL;
      g_autofree char *model = NULL;
      g_autofree char *name = NULL;
      g_autofree char *val = NULL;

      if (!cs_knobs_parse_option (option, &model, &name, &val, &error))
        {
          cli_print_err ("--option: %s", error->message);
          return FALSE;
        }
      if (model != NULL && !model_is_asked (model, config, models) &&
          g_strcmp0 (model, options->judge) != 0 && g_strcmp0 (model, options->fallback_judge) != 0)
        {
          cli_print_err (_("--option=%s: %s is not among the models asked (--model)"), option, model);
          return FALSE;
        }
      /* without a model: every model of the run */
      for (guint m = 0; models[m] != NULL && (model == NULL || m == 0); m++)
        {
          CsKnobs *knobs = knobs_for (table, model != NULL ? model : models[m]);

          if (!cs_knobs_set (knobs, name, val, &error))
            {
              cli_print_err ("--option=%s: %s", option, error->message);
              return FALSE;
            }
        }
    }

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &key, &value))
    cs_run_set_knobs (run, key, value);

  if (!isnan (options->budget))
    {
      if (!isfinite (options->budget) || options->budget < 0)
        {
          cli_print_err (_("--budget must be a number of US dollars, 0 or more"));
          return FALSE;
        }
      cs_run_set_budget_usd (run, options->budget);
    }
  return TRUE;
}

gboolean
cli_check_cost (const CliOptions *options,
                CsRunner         *runner,
                CsRunStore       *history,
                int              *exit_status)
{
  g_autoptr(CsEstimate) estimate = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  double budget = cs_run_get_budget_usd (cs_runner_get_run (runner));

  if (!options->estimate && isnan (budget))
    return TRUE;

  /* past runs give the low figure; a store that cannot be read gives none */
  if (!cs_run_store_load_sync (history, &error))
    g_debug ("no past runs for the estimate: %s", error->message);
  estimate = cs_estimate_new (runner, G_LIST_MODEL (history));
  text = cs_estimate_to_text (estimate);

  if (options->estimate)
    {
      fputs (text, stdout);
      if (!isnan (budget))
        printf (cs_estimate_exceeds (estimate, budget) ? _("Above the budget of $%.4f.\n")
                                                       : _("Within the budget of $%.4f.\n"), budget);
      *exit_status = fflush (stdout) == 0 ? EXIT_OK : EXIT_NO_RESULT;
      return FALSE;
    }

  if (cs_estimate_exceeds (estimate, budget))
    {
      fputs (text, stderr);
      if (estimate->priced)
        cli_print_err (_("not started: the upper estimate $%.4f is above the budget of $%.4f "
                         "(raise --budget, lower max-output-tokens with --option, or ask fewer candidates)"),
                       estimate->usd_high, budget);
      else
        cli_print_err (_("not started: a model has no price, so no budget can be kept "
                         "(set price-input and price-output in the providers file)"));
      *exit_status = EXIT_USAGE;
      return FALSE;
    }
  return TRUE;
}
