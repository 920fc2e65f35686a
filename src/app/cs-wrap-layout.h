/* cs-wrap-layout.h: children in a line that wraps
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CS_TYPE_WRAP_LAYOUT (cs_wrap_layout_get_type ())

G_DECLARE_FINAL_TYPE (CsWrapLayout, cs_wrap_layout, CS, WRAP_LAYOUT, GtkLayoutManager)

/* @spacing pixels between children in a line and between lines. */
GtkLayoutManager *cs_wrap_layout_new (int spacing);

G_END_DECLS
