/* cs-ui-util.h: small helpers shared by the app's widgets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cs-types.h"

G_BEGIN_DECLS

/* A plain-text label (never markup), wrapping, left-aligned, selectable
 * when asked, with the given CSS classes (NULL-terminated). */
GtkWidget   *cs_plain_label        (const char  *text,
                                    gboolean     selectable,
                                    const char  *first_class,
                                    ...);
void         cs_box_remove_all     (GtkBox      *box);
/* Shows @row's items (GtkStringObjects) in labels that wrap instead of
 * the default's cut at 20 characters: "o3 from OpenAI" and longer
 * translations stay readable, beside the row's title or under it. */
void         cs_combo_row_wrap_labels (AdwComboRow *row);

/* What the app calls a candidate (never an internal id alone), with the
 * provider's display name from the application's configuration (its id when
 * the configuration no longer has it):
 * - cs_candidate_provider_title (): "Kimi (Moonshot)"
 * - cs_candidate_short_title ():    "c2 (kimi-k2)"
 * - cs_candidate_full_title ():     "Kimi (Moonshot) · c2 (kimi-k2) · Pragmatic"
 *   (the angle left out when the candidate has none) */
char        *cs_candidate_provider_title (CsCandidate *candidate);
char        *cs_candidate_short_title    (CsCandidate *candidate);
char        *cs_candidate_full_title     (CsCandidate *candidate);

/* TRUE when @candidate failed before any answer came, at a provider whose
 * server is on this computer or the local network (in the application's
 * configuration): a server not running, at another port, without that
 * model: what Preferences fixes. */
gboolean     cs_candidate_needs_setup    (CsCandidate *candidate);

/* What the app says of an error from the engine: its message, and for a
 * follow-up or retry refused because the run has spent its budget, where
 * the budget is raised (Preferences). */
char        *cs_error_text               (const GError *error);
/* A "Preferences" button (app.preferences), visible while
 * cs_candidate_needs_setup (@candidate); it follows the candidate. Aligned
 * to the end, for a row of its own (a card puts it under its problem). */
GtkWidget   *cs_setup_button_new         (CsCandidate *candidate);

G_END_DECLS
