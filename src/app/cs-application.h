/* cs-application.h: the Consilium application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cs-config-file.h"
#include "cs-demo-provider.h"
#include "cs-engine.h"

G_BEGIN_DECLS

#define CS_TYPE_APPLICATION (cs_application_get_type ())

G_DECLARE_FINAL_TYPE (CsApplication, cs_application, CS, APPLICATION, AdwApplication)

CsApplication *cs_application_new          (GApplicationFlags  flags);
/* The providers file and the one configuration read from it: edited and
 * written through it alone (cs_config_file_edit(), _save()); its changes
 * are emitted as ::config-changed. */
CsConfigFile  *cs_application_get_config_file (CsApplication  *self);
/* The configuration. Never NULL (an empty configuration when the file is
 * missing or broken). */
CsConfig      *cs_application_get_config   (CsApplication     *self);
/* Why the providers file could not be read, or NULL. */
const char    *cs_application_get_config_error (CsApplication *self);
/* The history of runs, loaded at startup. */
CsRunStore    *cs_application_get_store    (CsApplication     *self);
/* The runs in progress and their runners: they outlive any window and
 * stop when the application quits. */
CsRunManager  *cs_application_get_run_manager (CsApplication  *self);
GSettings     *cs_application_get_settings (CsApplication     *self);
/* The demo provider the welcome page may start: the application's, stopped
 * when it quits. */
CsDemoProvider *cs_application_get_demo_provider (CsApplication *self);
/* How many saved runs could not be read since the last call, once the
 * history has loaded (0 before). */
guint          cs_application_take_load_failures (CsApplication *self);

G_END_DECLS
