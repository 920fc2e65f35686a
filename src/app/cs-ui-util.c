/* cs-ui-util.c: small helpers shared by the app's widgets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-ui-util"

#include "config.h"

#include "cs-ui-util.h"

JsonObject *
cs_ui_json_object (JsonNode *node)
{
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  return json_node_get_object (node);
}

const char *
cs_ui_json_get_string (JsonObject *object,
                    const char *member)
{
  JsonNode *node;

  if (object == NULL || !json_object_has_member (object, member))
    return NULL;
  node = json_object_get_member (object, member);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

JsonArray *
cs_ui_json_get_array (JsonObject *object,
                   const char *member)
{
  JsonNode *node;

  if (object == NULL || !json_object_has_member (object, member))
    return NULL;
  node = json_object_get_member (object, member);
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;
  return json_node_get_array (node);
}

JsonObject *
cs_ui_json_get_object (JsonObject *object,
                    const char *member)
{
  if (object == NULL || !json_object_has_member (object, member))
    return NULL;
  return cs_ui_json_object (json_object_get_member (object, member));
}

double
cs_ui_json_get_number (JsonObject *object,
                    const char *member,
                    double      fallback)
{
  JsonNode *node;
  GType type;

  if (object == NULL || !json_object_has_member (object, member))
    return fallback;
  node = json_object_get_member (object, member);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return fallback;
  type = json_node_get_value_type (node);
  if (type == G_TYPE_DOUBLE || type == G_TYPE_INT64)
    return json_node_get_double (node);
  return fallback;
}

gboolean
cs_ui_json_get_bool (JsonObject *object,
                  const char *member,
                  gboolean    fallback)
{
  JsonNode *node;

  if (object == NULL || !json_object_has_member (object, member))
    return fallback;
  node = json_object_get_member (object, member);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return fallback;
  return json_node_get_boolean (node);
}

JsonObject *
cs_ui_json_array_object (JsonArray *array,
                      guint      index)
{
  if (array == NULL || index >= json_array_get_length (array))
    return NULL;
  return cs_ui_json_object (json_array_get_element (array, index));
}

const char *
cs_ui_json_array_string (JsonArray *array,
                      guint      index)
{
  JsonNode *node;

  if (array == NULL || index >= json_array_get_length (array))
    return NULL;
  node = json_array_get_element (array, index);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

GtkWidget *
cs_plain_label (const char *text,
                gboolean    selectable,
                const char *first_class,
                ...)
{
  GtkWidget *label = gtk_label_new (NULL);
  const char *css;
  va_list args;

  gtk_label_set_use_markup (GTK_LABEL (label), FALSE);
  gtk_label_set_text (GTK_LABEL (label), text != NULL ? text : "");
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (label), selectable);
  /* a modest natural width: long texts wrap instead of widening cards */
  gtk_label_set_max_width_chars (GTK_LABEL (label), 40);

  va_start (args, first_class);
  for (css = first_class; css != NULL; css = va_arg (args, const char *))
    gtk_widget_add_css_class (label, css);
  va_end (args);

  return label;
}

void
cs_box_remove_all (GtkBox *box)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (box))) != NULL)
    gtk_box_remove (box, child);
}
