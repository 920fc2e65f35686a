/* cs-ui-util.c: small helpers shared by the app's widgets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "cs-ui-util"

#include "config.h"

#include "cs-ui-util.h"

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
