/* cs-run-page-slot.h: a card's place in the run page's flow box
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CS_TYPE_RUN_PAGE_SLOT (cs_run_page_slot_get_type ())
G_DECLARE_FINAL_TYPE (CsRunPageSlot, cs_run_page_slot, CS, RUN_PAGE_SLOT, GtkFlowBoxChild)

/* A flow box child around @card (gtk_flow_box_child_get_child () gives it
 * back). */
GtkWidget *cs_run_page_slot_new (GtkWidget *card);

G_END_DECLS
