/* cs-terminal-text.h: text from the network made inert for a terminal
 *
 * A provider's error message or a model's text may carry escape sequences:
 * a title change (OSC 0 … BEL), a screen clear, an OSC 52 clipboard write, a
 * C1 CSI, a CR that overwrites the line, a bidi override that reorders it.
 * Everything printed on a terminal that came from the network (the CLI's
 * progress, errors, notes and logs) goes through cs_text_for_terminal ().
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The bidi controls: U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069. */
gboolean  cs_unichar_is_bidi_control  (gunichar    c);

/* What a terminal would act on instead of showing: C0 controls (tab and
 * newline included), DEL, C1 controls (U+0080–U+009F), the line and
 * paragraph separators (U+2028, U+2029) and the bidi controls. */
gboolean  cs_unichar_is_terminal_unsafe (gunichar  c);

/* @text with every unsafe character shown escaped: "\x1b" for ESC (C0, DEL
 * and C1 as \xNN), "\u202e" for the others; invalid UTF-8 becomes U+FFFD.
 * With @keep_newlines, newlines and tabs stay (a CR before a newline is
 * dropped); without, newlines, CRs and tabs become spaces, so the text
 * stays on one line. NULL gives NULL. */
char     *cs_text_for_terminal        (const char *text,
                                       gboolean    keep_newlines);

G_END_DECLS
