/* cs-model-label.h: a model as people read it in a sentence
 *
 * "kimi-k2 from Moonshot": the model's name (its id without the provider's)
 * and its provider's display name (the provider's id when it has none or is
 * not configured). The one rule for the notes the engine writes into a run
 * (the ranking's, the judge's, the budget's), the app's result view and the
 * Markdown export.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cs-config.h"

G_BEGIN_DECLS

/* @config may be NULL (the provider's id then stands for its name);
 * @model_id is "provider/model", or NULL ("unknown model"). */
char *cs_model_label (CsConfig   *config,
                      const char *model_id);

G_END_DECLS
