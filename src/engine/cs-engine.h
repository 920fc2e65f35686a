/* cs-engine.h: the public face of the Consilium engine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cs-types.h"
#include "cs-result.h"
#include "cs-candidate.h"
#include "cs-run.h"
#include "cs-run-judges.h"
#include "cs-run-ranking.h"
#include "cs-state-words.h"
#include "cs-ranking.h"
#include "cs-knobs.h"
#include "cs-config.h"
#include "cs-model-label.h"
#include "cs-secrets.h"
#include "cs-mode.h"
#include "cs-json-schema.h"
#include "cs-provider-client.h"
#include "cs-synthesis.h"
#include "cs-export.h"
#include "cs-run-store.h"
#include "cs-runner.h"
#include "cs-estimate.h"
#include "cs-safe-file.h"
#include "cs-vote-choice.h"
#include "cs-run-manager.h"
#include "cs-request-log.h"
