/* cs-candidate-card-private.h: what the card's files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtksourceview/gtksource.h>

#include "cs-candidate-card.h"
#include "cs-candidate-outline.h"
#include "cs-stream-layout.h"

G_BEGIN_DECLS

struct _CsCandidateCard
{
  GtkBox          parent_instance;

  CsCandidate    *candidate;
  GString        *pending_text;     /* streamed, not yet in the raw view */
  GString        *scratch;          /* pending_text, laid out */
  CsStreamLayout  layout;
  guint           footer_dirty : 1;
  guint           capped : 1;
  guint           reasoning_dirty : 1;
  guint           language_set : 1;
  guint           outline_stale : 1;
  guint           footer_id;
  gsize           shown_bytes;      /* of the text streamed so far */
  gsize           inserted_bytes;   /* in the buffer */
  gsize           line_bytes;       /* of the buffer's last line */
  gint64          last_flush;       /* frame time, µs */
  guint           tick_id;
  guint           outline_id;
  gint64          last_outline;     /* monotonic µs */
  gint64          live_since;       /* monotonic µs, 0 when not live */
  guint           timer_id;
  const char     *badge_class;

  GtkLabel       *model_label;
  GtkLabel       *detail_label;
  GtkLabel       *status_label;
  GtkButton      *stop_button;
  GtkButton      *open_button;
  GtkToggleButton *raw_button;
  GtkStack       *content_stack;
  GtkLabel       *waiting_label;
  CsCandidateOutline *outline;
  GtkSourceView  *text_view;
  GtkBox         *structured_box;
  GtkExpander    *reasoning_expander;
  GtkLabel       *reasoning_label;
  GtkWidget      *error_box;
  GtkLabel       *error_label;
  GtkButton      *retry_button;
  GtkLabel       *footer_label;
  GtkLabel       *judge_label;
};

/* cs-candidate-card-stream.c: the streamed text and the reasoning */
void _cs_candidate_card_schedule_flush  (CsCandidateCard *self);
/* The raw text view fills only while the Raw toggle is on. */
void _cs_candidate_card_raw_toggled     (CsCandidateCard *self);
/* Connects the candidate's text and reasoning and shows what it has. */
void _cs_candidate_card_follow_stream   (CsCandidateCard *self);

G_END_DECLS
