/* cs-similarity.h: a text similarity for matching equivalent items
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "cs-types.h"

G_BEGIN_DECLS

/* The similarity is JACCARD_WEIGHT × token Jaccard + (1 − JACCARD_WEIGHT) ×
 * trigram Dice. Two items are "the same" when it is at least THRESHOLD. Both
 * values are chosen from the labelled pairs in tests/test-similarity.c: the
 * weight that best separates the pairs that must match from the pairs that
 * must not, and the threshold in the middle of the gap (docs/SYNTHESIS.md). */
#define CS_SIMILARITY_JACCARD_WEIGHT 0.2
#define CS_SIMILARITY_THRESHOLD 0.6
/* A minority item is "related" to a majority item (an alternative to try
 * after it) when their similarity is at least this. */
#define CS_SIMILARITY_RELATED_THRESHOLD 0.3

/* The normalised tokens of @text: lowercase, split on anything that is not a
 * letter or digit, domain synonyms mapped to one spelling ("db" → "database",
 * "k8s" → "kubernetes"), stop words dropped ("the", "check", "verify"…),
 * light stemming (plural s, -ing, -ed, final e, doubled consonant).
 * Sorted, unique. Never NULL. */
GStrv    cs_similarity_tokens            (const char  *text);
/* The tokens joined by single spaces. */
char    *cs_similarity_normalize         (const char  *text);

/* |A ∩ B| / |A ∪ B| of the token sets; 1.0 when both are empty. */
double   cs_similarity_jaccard           (const char  *a,
                                          const char  *b);
/* 2|X ∩ Y| / (|X| + |Y|) of the character trigram sets of the padded
 * normalised tokens; 1.0 when both are empty. */
double   cs_similarity_trigram_dice      (const char  *a,
                                          const char  *b);
/* The similarity in [0, 1]: the weighted mean of the token Jaccard and the
 * trigram Dice (see above). Equal strings give 1.0; a side without any
 * meaningful word gives 0.0. NULL is the empty string. */
double   cs_similarity_text              (const char  *a,
                                          const char  *b);
gboolean cs_similarity_match             (const char  *a,
                                          const char  *b);

/* A text prepared for many comparisons: its token and trigram sets are
 * computed once. cs_similarity_text_prepared (a, b) equals
 * cs_similarity_text (text_a, text_b) exactly, and
 * cs_similarity_jaccard_prepared () equals cs_similarity_jaccard (); both
 * are pure and read-only, so one prepared text may be shared between
 * threads once built. */
typedef struct _CsPreparedText CsPreparedText;

CsPreparedText *cs_prepared_text_new            (const char           *text);
void            cs_prepared_text_free           (CsPreparedText       *prepared);
/* The number of normalised tokens (the length of cs_similarity_tokens ()). */
guint           cs_prepared_text_get_n_tokens   (const CsPreparedText *prepared);
double          cs_similarity_text_prepared     (const CsPreparedText *a,
                                                 const CsPreparedText *b);
double          cs_similarity_jaccard_prepared  (const CsPreparedText *a,
                                                 const CsPreparedText *b);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsPreparedText, cs_prepared_text_free)

/* The program a shell command runs: the basename of the first word after
 * "sudo", environment assignments and wrappers (env, time, nice), lowercase;
 * NULL for an empty command. "sudo LANG=C /usr/bin/df -h" → "df". */
char    *cs_similarity_command_word      (const char  *command);
/* The bonus added to a step's similarity for its command: 0.15 when both
 * commands run the same program, 0.25 when the program and its first
 * argument (a subcommand like "systemctl restart") agree, else 0. */
double   cs_similarity_command_bonus     (const char  *a,
                                          const char  *b);

/* A technology name for voting: lowercase, versions ("16", "v2.1", "7.x"),
 * parenthesised remarks and punctuation around words dropped, synonyms
 * mapped ("postgres" → "postgresql"). "PostgreSQL 16" → "postgresql". */
char    *cs_similarity_technology_key    (const char  *technology);

G_END_DECLS
