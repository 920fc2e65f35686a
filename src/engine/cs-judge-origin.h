/* cs-judge-origin.h: what the judge did to each item of a result (internal)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cs-result.h"

G_BEGIN_DECLS

/* Marks every item of @judged (the merge with the judge's answer as its
 * data) and its summary with where it came from: the sources of its
 * counterpart in @fused (the merge the judge read) and whether the judge
 * kept, changed or added it. The rule is in docs/SYNTHESIS.md. */
void cs_judge_mark_origins (CsResult *fused,
                            CsResult *judged);

G_END_DECLS
