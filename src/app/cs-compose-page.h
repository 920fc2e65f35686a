/* cs-compose-page.h: the question being written: problem, constraints, models, judge
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cs-engine.h"

G_BEGIN_DECLS

#define CS_TYPE_COMPOSE_PAGE (cs_compose_page_get_type ())

G_DECLARE_FINAL_TYPE (CsComposePage, cs_compose_page, CS, COMPOSE_PAGE, AdwBin)

/* Restores the draft from @settings; from then on the draft, the models
 * and the judge chosen are kept there. */
void           cs_compose_page_set_settings    (CsComposePage      *self,
                                                GSettings          *settings);
/* The models offered (rebuilt, the choice kept per mode in the settings). */
void           cs_compose_page_set_config      (CsComposePage      *self,
                                                CsConfig           *config);
/* Property "mode": which constraints are asked for and which models are
 * chosen. */
CsMode         cs_compose_page_get_mode        (CsComposePage      *self);
void           cs_compose_page_set_mode        (CsComposePage      *self,
                                                CsMode              mode);
/* Property "has-problem": the problem editor holds text. */
gboolean       cs_compose_page_get_has_problem (CsComposePage      *self);
GtkTextBuffer *cs_compose_page_get_buffer      (CsComposePage      *self);
void           cs_compose_page_focus_problem   (CsComposePage      *self);

/* Checks exactly these models ("provider/model" or "provider/model:COUNT"). */
void           cs_compose_page_select_models   (CsComposePage      *self,
                                                const char * const *models);
/* "provider/model", or NULL for none. */
void           cs_compose_page_select_judge    (CsComposePage      *self,
                                                const char         *model_id);

/* A new run of what the page says (problem, title, the mode's constraints,
 * judge) and the models to ask ("provider/model:COUNT"), remembering the
 * choices; NULL with a sentence to show when the problem is empty or no
 * model is chosen. */
CsRun         *cs_compose_page_create_run      (CsComposePage      *self,
                                                GStrv              *models,
                                                GError            **error);
/* What the run on the page would cost (nothing sent); NULL without a
 * model. Free with cs_estimate_free (). */
CsEstimate    *cs_compose_page_estimate        (CsComposePage      *self);
/* The question on the page was sent as a run (and not edited since). */
void           cs_compose_page_mark_sent       (CsComposePage      *self);
gboolean       cs_compose_page_get_sent        (CsComposePage      *self);
/* Empties the problem and the constraints (the draft too). */
void           cs_compose_page_clear           (CsComposePage      *self);
/* Writes a draft save that is still waiting. */
void           cs_compose_page_flush_draft     (CsComposePage      *self);

/* The words for a constraint key ("budget" → "Budget"), translated; the
 * key itself when unknown. */
const char    *cs_compose_constraint_title     (const char         *key);

G_END_DECLS
