/* cs-model-knobs.h: one model's settings for the next run, without widgets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "cs-engine.h"

G_BEGIN_DECLS

#define CS_TYPE_MODEL_KNOBS (cs_model_knobs_get_type ())

G_DECLARE_FINAL_TYPE (CsModelKnobs, cs_model_knobs, CS, MODEL_KNOBS, GObject)

/* Temperature, reasoning effort, verbosity (OpenAI's APIs only), maximum
 * output tokens and n per request (Chat Completions only) for @model, each
 * unset ("Default": the providers file's value) until set; ::changed
 * follows each change of value. The compose page keeps one per model row
 * and builds its popover (CsKnobsPopover) only when it is first opened. */
CsModelKnobs  *cs_model_knobs_new                 (const CsModelConfig *model,
                                                   CsApiDialect         dialect);
const char    *cs_model_knobs_get_model_id        (CsModelKnobs        *self);
CsApiDialect   cs_model_knobs_get_dialect         (CsModelKnobs        *self);
gboolean       cs_model_knobs_get_supports_temperature (CsModelKnobs   *self);
/* "Default is the providers file's setting: …", and whether they are kept */
const char    *cs_model_knobs_get_caption         (CsModelKnobs        *self);
/* What is set (owned by @self); empty when all are Default. */
const CsKnobs *cs_model_knobs_get_knobs           (CsModelKnobs        *self);
/* Takes a copy of @knobs (NULL: all Default), less what the model's API
 * has no word for. */
void           cs_model_knobs_set_knobs           (CsModelKnobs        *self,
                                                   const CsKnobs       *knobs);
/* Remembers the settings across restarts in @settings' "model-knobs"
 * under @model_id ("provider/model"): restores them now, and keeps every
 * change (all Default forgets them). */
void           cs_model_knobs_remember            (CsModelKnobs        *self,
                                                   GSettings           *settings,
                                                   const char          *model_id);

G_END_DECLS
