/* cs-candidate-outline.h: what a streaming answer holds so far, as an outline
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CS_TYPE_CANDIDATE_OUTLINE (cs_candidate_outline_get_type ())

G_DECLARE_FINAL_TYPE (CsCandidateOutline, cs_candidate_outline, CS, CANDIDATE_OUTLINE, GtkWidget)

GtkWidget *cs_candidate_outline_new        (void);
/* Shows what the streamed answer @text (its first @len bytes) holds so far:
 * for JSON, the summary and the items completed so far, read through the
 * typed result model; for any other text, its last lines. Returns TRUE
 * when what the outline shows changed. */
gboolean   cs_candidate_outline_update     (CsCandidateOutline *self,
                                            const char         *text,
                                            gsize               len);
/* Whether the answer ended: what could not be read is then said so. */
void       cs_candidate_outline_set_ended  (CsCandidateOutline *self,
                                            gboolean            ended);
/* Forgets what it showed (a new attempt starts over). */
void       cs_candidate_outline_reset      (CsCandidateOutline *self);
/* The item and count rows shown (tests). */
guint      cs_candidate_outline_get_n_rows (CsCandidateOutline *self);

G_END_DECLS
