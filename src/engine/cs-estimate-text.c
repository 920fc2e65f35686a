/* cs-estimate-text.c: an estimate in words, for a label, a button and the
 * CLI; models by their display names, never internal ids
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-estimate"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "cs-estimate.h"

char *
cs_estimate_to_short (const CsEstimate *self)
{
  g_autofree char *unpriced = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  if (self->priced)
    /* Translators: an estimated cost range, "$0.0123 – $0.4567" */
    return g_strdup_printf (_("$%.4f – $%.4f"), self->usd_low, self->usd_high);
  unpriced = cs_estimate_dup_unpriced (self);
  if (self->usd_high > 0)
    /* Translators: the priced models' range, then the models without a price */
    return g_strdup_printf (_("$%.4f – $%.4f, plus %s: price unknown"), self->usd_low, self->usd_high, unpriced);
  /* Translators: %s lists models, "kimi-k2, qwen3:8b" */
  return g_strdup_printf (_("price unknown (%s)"), unpriced);
}

/* Decimals for a range up to @high: cents, or more below a cent. */
static int
decimals (double high)
{
  if (high >= 100)
    return 0;
  return high >= 0.01 ? 2 : 4;
}

char *
cs_estimate_to_compact (const CsEstimate *self)
{
  g_autofree char *range = NULL;
  int d;

  g_return_val_if_fail (self != NULL, NULL);

  if (!self->priced && self->usd_high <= 0)
    return g_strdup (_("Price unknown"));
  d = decimals (self->usd_high);
  /* Translators: an estimated cost range on a button, "≈ $0.02–0.09" */
  range = g_strdup_printf (_("≈ $%.*f–%.*f"), d, self->usd_low, d, self->usd_high);
  if (self->priced)
    return g_steal_pointer (&range);
  /* Translators: the priced models' range, plus an unknown part */
  return g_strdup_printf (_("%s + ?"), range);
}

char *
cs_estimate_to_narrow (const CsEstimate *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (!self->priced && self->usd_high <= 0)
    /* Translators: an unknown cost, on a button in a narrow window */
    return g_strdup (_("$ ?"));
  /* Translators: the upper estimated cost on a button in a narrow window, "≤ $0.09"; "+ ?" when a part has no price */
  return g_strdup_printf (self->priced ? _("≤ $%.*f") : _("≤ $%.*f + ?"), decimals (self->usd_high), self->usd_high);
}

static const char *
stage_words (CsEstimateStage stage)
{
  switch (stage)
    {
    case CS_ESTIMATE_RANKING:
      return _(", peer ranking");
    case CS_ESTIMATE_JUDGE:
      return _(" (judge)");
    case CS_ESTIMATE_FALLBACK_JUDGE:
      return _(" (fallback judge, asked only if the judge fails)");
    case CS_ESTIMATE_CANDIDATES:
    default:
      return "";
    }
}

static void
append_requests (GString              *s,
                 const CsEstimateLine *line)
{
  if (line->stage == CS_ESTIMATE_CANDIDATES)
    g_string_append_printf (s, ngettext ("%u candidate in ", "%u candidates in ", line->candidates),
                            line->candidates);
  if (line->requests > 0)
    g_string_append_printf (s, ngettext ("%u request", "%u requests", line->requests), line->requests);
  if (line->stage == CS_ESTIMATE_FALLBACK_JUDGE)
    g_string_append_printf (s, ngettext ("up to %u request", "up to %u requests", line->repairs),
                            line->repairs);
  else if (line->repairs > 0)
    g_string_append_printf (s, ngettext (" (+ up to %u repair)", " (+ up to %u repairs)", line->repairs),
                            line->repairs);
}

static void
append_line (GString              *s,
             const CsEstimateLine *line)
{
  /* Translators: a model by its display name and its provider's, "kimi-k2 from Moonshot" */
  g_string_append_printf (s, _("  %s from %s"), line->label, line->provider);
  g_string_append_printf (s, "%s: ", stage_words (line->stage));
  append_requests (s, line);
  g_string_append_printf (s, _(", input ~%lld–%lld tokens, output %lld–%lld tokens"),
                          (long long) line->input_low, (long long) line->input_tokens,
                          (long long) line->output_low, (long long) line->output_high);
  if (!line->output_capped)
    g_string_append_printf (s, _(" (no max-output-tokens: %d a request assumed)"),
                            CS_ESTIMATE_ASSUMED_MAX_OUTPUT);
  if (line->past_samples > 0)
    g_string_append_printf (s, ngettext (" (low: median of %u past answer)",
                                         " (low: median of %u past answers)", line->past_samples),
                            line->past_samples);
  if (line->priced)
    g_string_append_printf (s, ", $%.4f – $%.4f\n", line->usd_low, line->usd_high);
  else
    g_string_append_printf (s, ", %s\n", _("price unknown"));
}

char *
cs_estimate_to_text (const CsEstimate *self)
{
  g_autoptr(GString) s = g_string_new (NULL);
  g_autofree char *total = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  g_string_append (s, _("Estimate (nothing was sent):\n"));
  for (guint i = 0; i < self->lines->len; i++)
    append_line (s, g_ptr_array_index (self->lines, i));
  total = cs_estimate_to_short (self);
  g_string_append_printf (s, _("  total: %u requests, input up to ~%lld tokens, output %lld–%lld tokens, %s\n"),
                          self->requests, (long long) self->input_tokens, (long long) self->output_low,
                          (long long) self->output_high, total);
  if (self->repairs > 0)
    g_string_append_printf (s, ngettext ("  The upper figures count %u request a run sends only when an "
                                         "answer fails (a repair, the fallback judge); the low ones do not.\n",
                                         "  The upper figures count %u requests a run sends only when an "
                                         "answer fails (repairs, the fallback judge); the low ones do not.\n",
                                         self->repairs),
                            self->repairs);
  return g_string_free (g_steal_pointer (&s), FALSE);
}
