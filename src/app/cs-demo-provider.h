/* cs-demo-provider.h: the installed demo provider, started and owned by the app
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "cs-config-file.h"

G_BEGIN_DECLS

#define CS_TYPE_DEMO_PROVIDER (cs_demo_provider_get_type ())

G_DECLARE_FINAL_TYPE (CsDemoProvider, cs_demo_provider, CS, DEMO_PROVIDER, GObject)

CsDemoProvider *cs_demo_provider_new            (void);
/* The installed demo provider program (libexecdir/consilium-test-provider,
 * /app/libexec in the Flatpak), or NULL when it is not there. */
char           *cs_demo_provider_find_program   (void);
/* The port the next start tries first; when another program holds it,
 * the program starts on any free port. 0 (the default): any free port. */
void            cs_demo_provider_set_port       (CsDemoProvider       *self,
                                                 guint                 port);
/* When @file has the demo provider the app set up (id "demo", demo=true,
 * plain http to loopback) and the program is installed, starts it again
 * (asynchronously) on the port the file names, or on a free one when that
 * port is taken: the provider's base URL then moves, through @file's edit
 * path. A run started before it listens retries its connections, as for
 * any provider, then fails with "Connection refused". */
void            cs_demo_provider_restore        (CsDemoProvider       *self,
                                                 CsConfigFile         *file);
/* "http://127.0.0.1:PORT/v1" while the program this object started
 * answers, else NULL. */
const char     *cs_demo_provider_get_base_url   (CsDemoProvider       *self);
/* Starts the program (once: a second call while it starts or runs waits
 * for the same one) and finishes with its base URL when it listens. */
void            cs_demo_provider_start_async    (CsDemoProvider       *self,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
char           *cs_demo_provider_start_finish   (CsDemoProvider       *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
/* Stops the program (SIGTERM) and removes its port file. The owner calls
 * it: while the program runs, the wait for its exit holds a reference. */
void            cs_demo_provider_stop           (CsDemoProvider       *self);

G_END_DECLS
