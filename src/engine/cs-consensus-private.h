/* cs-consensus-private.h: what the consensus files share (internal)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cs-consensus.h"
#include "cs-similarity.h"

G_BEGIN_DECLS

/* What the similarity of an item needs, computed once per item: its title
 * and detail as prepared texts, its command's program and tokens (steps),
 * its technology key (data stores). */
struct _CsItemFeatures {
  CsItemKind      kind;
  CsPreparedText *title;
  CsPreparedText *detail;        /* NULL when missing or empty */
  char           *command_word;  /* steps: the program, or NULL */
  CsPreparedText *command;       /* steps with a program */
  char           *technology;    /* data stores: the technology key */
};

/* cs-consensus-item.c */
void    cs_item_features_init   (CsItemFeatures       *features,
                                 CsItemKind            kind,
                                 gconstpointer         item);
void    cs_item_features_clear  (CsItemFeatures       *features);
/* A step's effort in minutes, -1 when unknown; its risk as a rank: none 0,
 * low 1, medium 2, high 3, -1 unknown. */
int     cs_consensus_item_effort (CsItemKind          kind,
                                  gconstpointer       item);
int     cs_consensus_item_risk_rank (CsItemKind       kind,
                                     gconstpointer    item);

G_END_DECLS
