/* cs-ui-util.h: small helpers shared by the app's widgets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Type-checked access to hostile JSON: NULL (or the fallback) when the
 * member is missing or of another type. */
JsonObject  *cs_ui_json_object        (JsonNode    *node);
const char  *cs_ui_json_get_string    (JsonObject  *object,
                                    const char  *member);
JsonArray   *cs_ui_json_get_array     (JsonObject  *object,
                                    const char  *member);
JsonObject  *cs_ui_json_get_object    (JsonObject  *object,
                                    const char  *member);
double       cs_ui_json_get_number    (JsonObject  *object,
                                    const char  *member,
                                    double       fallback);
gboolean     cs_ui_json_get_bool      (JsonObject  *object,
                                    const char  *member,
                                    gboolean     fallback);
JsonObject  *cs_ui_json_array_object  (JsonArray   *array,
                                    guint        index);
const char  *cs_ui_json_array_string  (JsonArray   *array,
                                    guint        index);

/* A plain-text label (never markup), wrapping, left-aligned, selectable
 * when asked, with the given CSS classes (NULL-terminated). */
GtkWidget   *cs_plain_label        (const char  *text,
                                    gboolean     selectable,
                                    const char  *first_class,
                                    ...);
void         cs_box_remove_all     (GtkBox      *box);

G_END_DECLS
