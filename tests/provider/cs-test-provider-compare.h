/* cs-test-provider-compare.h: the test provider's pairwise verdicts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* TRUE when a request asks for a pairwise verdict (bench-quality's blind
 * judge): its schema has "verdict" and "reason", or, without a schema, its
 * system text is the pairwise reviewer's. */
gboolean  cs_test_provider_compare_detect (JsonObject *schema,
                                           const char *system_text);

/* The verdict {"verdict": "A"|"B"|"tie", "reason"} for the two answers in
 * @user_text ("### Answer A" / "### Answer B", each a ```json block),
 * deterministic from the request: the longer answer wins, a tie within 1 %;
 * with the model token "position" answer A always wins (a judge with a
 * position bias, whose two orders disagree). A request that names a demo
 * model or says which answer is a synthesis gets a tie whose reason starts
 * with "LEAK:". */
JsonNode *cs_test_provider_compare_reply  (const char *model,
                                           const char *system_text,
                                           const char *user_text);

G_END_DECLS
