#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu
"$CONSILIUM_CLI" --help >/dev/null
