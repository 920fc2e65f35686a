/* cli-words.c: what the CLI's human output calls things, in the user's
 * language
 *
 * The progress lines, --runs and the messages of --retry and --follow-up
 * say a candidate's status and a run's state in the engine's translated
 * words, the Markdown export's (cs-state-words.h). What a program reads
 * keeps its keywords whatever the locale: --format=json, the run files and
 * the local API use cs_candidate_status_to_string () and
 * cs_run_state_to_string ().
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "consilium-cli"

#include "config.h"

#include <glib/gi18n.h>

#include "cli-private.h"
#include "cs-number-format.h"

char *
cli_format_cost (double   usd,
                 gboolean known)
{
  if (known)
    return g_strdup_printf ("$%.4f", usd);
  if (usd > 0)
    return g_strdup_printf (_("≥ $%.4f (price unknown)"), usd);
  return g_strdup (_("price unknown"));
}

char *
cli_candidate_line (CsCandidate *c)
{
  CsCandidateStatus status = cs_candidate_get_status (c);
  const char *id = cs_candidate_get_id (c);
  const char *words = cs_candidate_status_words (status);
  const char *error;

  switch (status)
    {
    case CS_CANDIDATE_QUEUED:
    case CS_CANDIDATE_THINKING:
    case CS_CANDIDATE_STREAMING:
      return g_strdup_printf ("%s %s %s", id, cs_candidate_get_model (c), words);

    case CS_CANDIDATE_OK:
      {
        gint64 tokens = cs_candidate_get_output_tokens (c);
        gint64 ms = cs_candidate_get_duration_ms (c);
        g_autofree char *count = tokens >= 0 ? cs_format_count (tokens) : NULL;
        /* Translators: a number of tokens ("1,785") */
        g_autofree char *tok = tokens >= 0 ? g_strdup_printf (_("%s tokens"), count)
                                           : g_strdup (_("? tokens"));
        g_autofree char *cost = cli_format_cost (cs_candidate_get_cost_usd (c),
                                                 cs_candidate_get_price_known (c));
        /* Translators: a candidate's id, its tokens, its cost ("$0.0123" or "price unknown"), seconds */
        return g_strdup_printf (_("%s ok %s %s %.1f s"), id, tok, cost, ms >= 0 ? ms / 1000.0 : 0.0);
      }

    case CS_CANDIDATE_FAILED:
    case CS_CANDIDATE_REFUSED:
    case CS_CANDIDATE_INVALID:
    case CS_CANDIDATE_TRUNCATED:
    case CS_CANDIDATE_CANCELLED:
    default:
      error = cs_candidate_get_error (c);
      if (error == NULL && status == CS_CANDIDATE_INVALID)
        error = cs_candidate_get_validation_error (c);
      if (error != NULL)
        return g_strdup_printf ("%s %s: %s", id, words, error);
      return g_strdup_printf ("%s %s", id, words);
    }
}
