/* cs-test-provider-judge.h: the test provider's judge faults and peer
 * ranking answers (cs-test-provider-judge.c), hooked into cs-test-provider.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Whether a request is a peer ranking one: its schema has "ranking", or
 * (no schema) its system prompt asks to rank anonymous answers. */
gboolean  _cs_test_provider_is_ranking     (JsonObject *schema,
                                            const char *system_text);
/* A ranking of every "### Answer X" of @user_text, deterministic from the
 * answers themselves (not their labels or order): the longest answer (the
 * most detailed) first, ties by the text's hash. @out_of_shape (the
 * "badrank" fault): the labels alone, not the objects the schema asks for. */
JsonNode *_cs_test_provider_gen_ranking    (const char *user_text,
                                            gboolean    out_of_shape);
/* The "score85" fault: the first critique of a judge reply scores 85 (on
 * a 1-10 scale), as a server that keeps a schema's shape but not its
 * number bounds may answer. */
void      _cs_test_provider_judge_score85  (JsonNode   *judge_reply);

G_END_DECLS
