/* cs-knobs-popover.h: one model's settings for the next run
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "cs-engine.h"

G_BEGIN_DECLS

#define CS_TYPE_KNOBS_POPOVER (cs_knobs_popover_get_type ())

G_DECLARE_FINAL_TYPE (CsKnobsPopover, cs_knobs_popover, CS, KNOBS_POPOVER, GtkPopover)

/* Temperature, reasoning effort, verbosity (OpenAI's APIs only), maximum
 * output tokens and n per request (Chat Completions only), each "Default"
 * (the providers file's value, named) until set; ::changed follows each
 * edit. */
CsKnobsPopover *cs_knobs_popover_new        (const CsModelConfig *model,
                                             CsApiDialect         dialect);
/* What is set (owned by the popover); empty when all are Default. */
const CsKnobs  *cs_knobs_popover_get_knobs  (CsKnobsPopover      *self);
/* Sets the widgets from @knobs (NULL: all Default). */
void            cs_knobs_popover_set_knobs  (CsKnobsPopover      *self,
                                             const CsKnobs       *knobs);
/* Remembers the settings across restarts in @settings' "model-knobs"
 * under @model_id ("provider/model"): restores them now, and keeps every
 * change (Use the Defaults forgets them). */
void            cs_knobs_popover_remember   (CsKnobsPopover      *self,
                                             GSettings           *settings,
                                             const char          *model_id);

G_END_DECLS
