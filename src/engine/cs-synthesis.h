/* cs-synthesis.h: ensemble votes + consensus + the judge (cs-judge.h)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "cs-types.h"
#include "cs-candidate.h"
#include "cs-judge.h"

G_BEGIN_DECLS

/* The deterministic synthesis of the valid candidates (status OK with data):
 * ensemble votes and consensus clusters, fused into one result in the mode's
 * schema, built as a CsResult (cs-result.h). Returns the synthesis object
 * documented in cs-run.h with the methods ensemble and consensus, or NULL
 * (error set) when no candidate has data. Pure, deterministic: the same
 * candidates give the same result. */
JsonNode *cs_synthesis_fuse               (CsMode        mode,
                                           GPtrArray    *candidates,
                                           GError      **error);

/* The same in a worker thread (a GTask): the candidates' ids, models and
 * deep copies of their data are taken before this returns, so the
 * candidates may change afterwards and are never touched from the worker.
 * @callback runs in the thread-default main context of the caller. */
void      cs_synthesis_fuse_async         (CsMode               mode,
                                           GPtrArray           *candidates,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
/* The result of cs_synthesis_fuse (), or NULL with an error (also
 * G_IO_ERROR_CANCELLED when @cancellable was cancelled). */
JsonNode *cs_synthesis_fuse_finish        (GAsyncResult        *result,
                                           GError             **error);

/* Marks @fused as degraded (no judge, or the judge failed), with a note a
 * person understands. Returns a new reference. */
JsonNode *cs_synthesis_mark_degraded      (JsonNode     *fused,
                                           const char   *note);

G_END_DECLS
