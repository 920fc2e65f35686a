/* cs-export.h: a run as Markdown or JSON
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cs-config.h"
#include "cs-run.h"

G_BEGIN_DECLS

/* Problem and constraints; the final blueprint (components, decisions with
 * vote counts, trade-offs, risks, cost, a ```mermaid block) or the final
 * checklist ("- [ ]" steps, "if that did not work, try…" alternatives);
 * then every candidate's summary and main points with model, status, cost
 * and latency; a cost and latency table. Model text is escaped so it cannot
 * break the document's structure. */
char *cs_export_markdown (CsRun *run);
/* The same, naming each provider by its display name in @config (NULL: by
 * its id, as cs_export_markdown () does). */
char *cs_export_markdown_with_names (CsRun    *run,
                                     CsConfig *config);

/* The CLI's JSON contract: mode, problem, constraints, candidates[] (model,
 * status, error, text, reasoning, data, usage, cost_usd, ttft_ms,
 * duration_ms, …), synthesis (methods, data, rationale, votes, …), totals. */
char *cs_export_json     (CsRun *run);

G_END_DECLS
