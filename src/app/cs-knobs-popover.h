/* cs-knobs-popover.h: one model's settings for the next run
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "cs-model-knobs.h"

G_BEGIN_DECLS

#define CS_TYPE_KNOBS_POPOVER (cs_knobs_popover_get_type ())

G_DECLARE_FINAL_TYPE (CsKnobsPopover, cs_knobs_popover, CS, KNOBS_POPOVER, GtkPopover)

/* The widgets of @model (temperature, reasoning effort, verbosity for
 * OpenAI's APIs, maximum output tokens, n for Chat Completions), each
 * "Default" (the providers file's value, named) until set; every edit goes
 * to @model, every change of @model shows. */
CsKnobsPopover *cs_knobs_popover_new        (CsModelKnobs   *model);
CsModelKnobs   *cs_knobs_popover_get_model  (CsKnobsPopover *self);

G_END_DECLS
