#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Counts meson test results: prints "N passed, N failed[, N skipped]".

usage: summarize-tests.py [--status=N]... TESTLOG.json...
Exits 1 when a test failed, a --status was non-zero, or no test ran.
"""
import json
import sys

passed = failed = skipped = 0
bad_status = False
logs = []
for arg in sys.argv[1:]:
    if arg.startswith("--status="):
        bad_status = bad_status or int(arg.split("=", 1)[1]) != 0
    else:
        logs.append(arg)

for path in logs:
    try:
        with open(path) as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                r = json.loads(line).get("result")
                if r in ("OK", "EXPECTEDFAIL"):
                    passed += 1
                elif r == "SKIP":
                    skipped += 1
                else:
                    failed += 1
    except FileNotFoundError:
        pass

if bad_status and failed == 0:
    failed = 1
line = f"{passed} passed, {failed} failed"
if skipped:
    line += f", {skipped} skipped"
print(line)
sys.exit(1 if failed or bad_status or passed == 0 else 0)
