/* bench-app-private.h: what bench-app.c and bench-app-engine.c share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BENCH_APP_N_CANDIDATES 8

/* The problem every measured run asks. */
extern const char *bench_app_problem;

/* The model name of candidate @i ("bench-alpha+slow=10"): each streams at
 * its own pace, the last one slowest. Owned by a static table. */
const char *bench_app_model_id_static (guint i);

/* `bench-app engine [--judge]`: the same run through CsRunner alone. */
int         bench_app_engine_main      (int    argc,
                                        char  *argv[]);

G_END_DECLS
