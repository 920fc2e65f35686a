/* cs-ui-util.h: small helpers shared by the app's widgets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* A plain-text label (never markup), wrapping, left-aligned, selectable
 * when asked, with the given CSS classes (NULL-terminated). */
GtkWidget   *cs_plain_label        (const char  *text,
                                    gboolean     selectable,
                                    const char  *first_class,
                                    ...);
void         cs_box_remove_all     (GtkBox      *box);

G_END_DECLS
