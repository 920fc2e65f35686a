/* cs-provider-row-private.h: what the cs-provider-row*.c files and the UI tests share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cs-provider-row.h"

G_BEGIN_DECLS

/* What the connection test says, in the row. */
typedef enum {
  CS_PROVIDER_ROW_STATUS_NONE,     /* not tested */
  CS_PROVIDER_ROW_STATUS_TESTING,
  CS_PROVIDER_ROW_STATUS_OK,
  CS_PROVIDER_ROW_STATUS_FAILED,   /* the test, or a base URL that is not valid */
} CsProviderRowStatus;

struct _CsProviderRow
{
  AdwExpanderRow       parent_instance;

  CsConfigFile        *file;
  char                *provider_id;
  CsProviderConfig    *shown;          /* what the widgets show */
  GCancellable        *cancellable;    /* the row's lifetime */
  GCancellable        *test_cancellable;
  gboolean             updating;       /* the widgets are being set, not edited */

  CsProviderRowStatus  status;
  char                *status_message;
  char               **listed;         /* the server's models at the last test, or NULL */
  GPtrArray           *model_rows;     /* of CsModelCheck*, in the order they came */
  GtkWidget           *more_row;       /* says how many rows the filter hides */

  GtkImage            *warning_icon;   /* on the header: the key goes in clear */
  AdwEntryRow         *name_row;
  AdwEntryRow         *url_row;
  AdwComboRow         *api_row;
  AdwActionRow        *key_env_row;
  AdwEntryRow         *key_row;
  AdwActionRow        *insecure_row;
  GtkSwitch           *insecure_switch;
  GtkSpinButton       *concurrent_spin;
  GtkSpinButton       *rpm_spin;
  AdwActionRow        *test_row;
  GtkSpinner          *test_spinner;
  GtkImage            *test_icon;
  GtkButton           *test_button;
  AdwEntryRow         *add_model_row;
};

/* cs-provider-row.c */
/* A copy of the provider as the configuration has it, or NULL. */
CsProviderConfig    *_cs_provider_row_dup_provider   (CsProviderRow    *self);
/* Replaces the provider in the configuration; emits ::edited. */
void                 _cs_provider_row_save           (CsProviderRow    *self,
                                                      CsProviderConfig *p);
/* Applies the base URL typed in its entry; FALSE (the reason in the row's
 * status) when it is not valid. */
gboolean             _cs_provider_row_apply_url      (CsProviderRow    *self);

/* cs-provider-row-models.c: the model check boxes and the connection test */
void                 _cs_provider_row_models_init    (CsProviderRow    *self);
void                 _cs_provider_row_models_dispose (CsProviderRow    *self);
void                 _cs_provider_row_models_finalize (CsProviderRow   *self);
/* Adds rows for the provider's models not shown yet; ticks what it has. */
void                 _cs_provider_row_show_models    (CsProviderRow    *self,
                                                      const CsProviderConfig *p);
void                 _cs_provider_row_set_status     (CsProviderRow       *self,
                                                      CsProviderRowStatus  status,
                                                      const char          *message);
/* Another server (or API): what the last test said is forgotten. */
void                 _cs_provider_row_forget_test    (CsProviderRow       *self);
void                 _cs_provider_row_test_clicked_cb (GtkButton     *button,
                                                       CsProviderRow *self);
void                 _cs_provider_row_add_model_applied_cb (AdwEntryRow   *row,
                                                            CsProviderRow *self);
void                 _cs_provider_row_filter_changed_cb    (GtkEditable   *entry,
                                                            CsProviderRow *self);

/* For the tests */
CsProviderRowStatus  _cs_provider_row_get_status      (CsProviderRow    *self,
                                                       const char      **message);
/* The check box of @model, or NULL when it has no row. */
GtkCheckButton      *_cs_provider_row_get_model_check (CsProviderRow    *self,
                                                       const char       *model);

G_END_DECLS
