/* cs-demo-provider.h: the installed demo provider, started and owned by the app
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CS_TYPE_DEMO_PROVIDER (cs_demo_provider_get_type ())

G_DECLARE_FINAL_TYPE (CsDemoProvider, cs_demo_provider, CS, DEMO_PROVIDER, GObject)

CsDemoProvider *cs_demo_provider_new            (void);
/* The installed demo provider program (libexecdir/consilium-test-provider,
 * /app/libexec in the Flatpak), or NULL when it is not there. */
char           *cs_demo_provider_find_program   (void);
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
