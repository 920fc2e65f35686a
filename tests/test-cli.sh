#!/bin/sh
# test-cli.sh: consilium-cli against the standalone test provider, over HTTP
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu

CLI=${CONSILIUM_CLI:?CONSILIUM_CLI must point at consilium-cli}
PROVIDER=${CONSILIUM_TEST_PROVIDER:?CONSILIUM_TEST_PROVIDER must point at consilium-test-provider}

# A key that must never show up anywhere but in the environment.
SECRET="sk-cli-test-$$-do-not-leak"

. "$(dirname "$0")/cli-lib.sh"
cs_setup cli

# --- the provider -----------------------------------------------------------
start_provider provider --write-config="$TMP/written.ini" --require-key="$SECRET"
[ -s "$TMP/written.ini" ] || fail "--write-config wrote nothing"
pass "test provider listening on port $PORT"

# Our own providers file: the demo models plus scripted faults, the key from
# the environment.
CONFIG="$TMP/providers.ini"
cat >"$CONFIG" <<EOF
[provider demo]
base-url=http://127.0.0.1:$PORT/v1
api=openai-chat
api-key-env=CS_CLI_TEST_KEY
models=demo-alpha;demo-beta;demo-gamma;demo-thinking;demo-judge;demo-alpha+400;demo-beta+quota;demo-gamma+refuse;demo-alpha+slow=300;demo-alpha+escapes;demo-judge+escapes
max-concurrent=8
requests-per-minute=0
max-retries=1

[model demo/demo-alpha]
price-input=0.60
price-output=2.50
max-n=4

[model demo/demo-beta]
price-input=0.60
price-output=2.50
structured-output=json-object

[model demo/demo-thinking]
price-input=1.00
price-output=4.00

[model demo/demo-judge]
price-input=1.25
price-output=10.00
EOF
export CS_CLI_TEST_KEY="$SECRET"

PROBLEM="$TMP/problem.txt"
cat >"$PROBLEM" <<'EOF'
Design a URL shortener for 10 million new links a day, with analytics.
Reads outnumber writes 100 to 1.
EOF
SUPPORT_PROBLEM="$TMP/support.txt"
cat >"$SUPPORT_PROBLEM" <<'EOF'
After upgrading nginx, every request returns 502 Bad Gateway.
EOF

# --- usage ------------------------------------------------------------------
"$CLI" --help >"$TMP/help.txt" 2>&1 || fail "--help failed"
for opt in --mode --config --model --judge --constraint --quorum --deadline --format --output --quiet --list-models --store-key; do
  contains "$TMP/help.txt" "$opt" "--help"
done
pass "--help lists every option"

"$CLI" --config="$CONFIG" --list-models >"$TMP/models.txt" 2>"$TMP/err" || fail "--list-models failed: $(cat "$TMP/err")"
contains "$TMP/models.txt" "demo/demo-alpha" "--list-models"
contains "$TMP/models.txt" "demo/demo-judge" "--list-models"
pass "--list-models"

# --- architect, three models and a judge ------------------------------------
"$CLI" --mode=architect --config="$CONFIG" \
  --model=demo/demo-alpha --model=demo/demo-beta --model=demo/demo-thinking \
  --judge=demo/demo-judge --constraint=budget=500USD --constraint="preferred=PostgreSQL" \
  --output="$TMP/architect.md" "$PROBLEM" 2>"$TMP/architect.err" \
  || fail "architect run failed: $(cat "$TMP/architect.err")"
MD="$TMP/architect.md"
[ -s "$MD" ] || fail "architect: empty output"
contains "$MD" "## Blueprint" "architect Markdown"
contains "$MD" "### Components" "architect Markdown blueprint"
contains "$MD" '```mermaid' "architect Markdown"
for m in demo/demo-alpha demo/demo-beta demo/demo-thinking; do
  # a candidate is its id next to its model's name, never "provider/model"
  contains "$MD" " (${m#*/}) — done" "architect Markdown: a section per candidate"
  contains "$MD" " (${m#*/}) | done |" "architect Markdown: cost and latency table"
done
contains "$MD" "Cost and latency" "architect Markdown cost table"
contains "$MD" "TTFT" "architect Markdown latency"
contains "$MD" "| judge (demo-judge) |" "architect Markdown: the judge's cost"
contains "$MD" "500USD" "architect Markdown constraints"
contains "$TMP/architect.err" "c1 demo/demo-alpha streaming" "progress"
contains "$TMP/architect.err" "c2 ok" "progress"
contains "$TMP/architect.err" "synthesis: ensemble+consensus+judge" "progress"
pass "architect: Markdown with blueprint, candidates, costs; progress lines"

# the run is in the store
ls "$RUNS"/*.json >/dev/null 2>&1 || fail "no run file in $RUNS"
grep -l '"state" : "done"' "$RUNS"/*.json >/dev/null || fail "no run saved as done"
pass "the run is saved under XDG_DATA_HOME"

# --- support, three models and a judge, JSON --------------------------------
"$CLI" --mode=support --config="$CONFIG" \
  --model=demo/demo-alpha --model=demo/demo-gamma --model=demo/demo-thinking \
  --judge=demo/demo-judge --format=json --quiet --output="$TMP/support.json" "$SUPPORT_PROBLEM" \
  2>"$TMP/support.err" || fail "support run failed: $(cat "$TMP/support.err")"
[ ! -s "$TMP/support.err" ] || fail "--quiet printed: $(cat "$TMP/support.err")"
python3 - "$TMP/support.json" <<'EOF' || fail "support JSON does not follow the contract"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["mode"] == "support", d.get("mode")
assert "502" in d["problem"]
cands = d["candidates"]
assert len(cands) == 3, len(cands)
for c in cands:
    for key in ("model", "status", "error", "text", "reasoning", "data", "usage",
                "cost_usd", "ttft_ms", "duration_ms"):
        assert key in c, key
    assert c["status"] in ("ok", "failed", "refused", "invalid", "truncated", "cancelled"), c["status"]
    assert c["status"] == "ok", (c["model"], c["status"], c["error"])
    assert isinstance(c["data"], dict)
s = d["synthesis"]
for key in ("methods", "data", "rationale", "votes"):
    assert key in s, key
assert set(s["methods"]) <= {"ensemble", "consensus", "judge"}, s["methods"]
assert "judge" in s["methods"] and "ensemble" in s["methods"], s["methods"]
assert isinstance(s["data"], dict) and isinstance(s["data"].get("steps"), list)
# provenance: each item with the ids of the candidates that proposed it and the judge's mark
ids = {c["id"] for c in cands}
for key in ("likely_causes", "steps"):
    for item in s["data"][key]:
        assert set(item["sources"]) <= ids, item["sources"]
        assert item["judge"] in ("kept", "changed", "added"), item["judge"]
        assert item["sources"] or item["judge"] == "added", item
for alt in s["alternatives"] or []:
    assert alt["sources"] == alt["candidates"] and set(alt["sources"]) <= ids, alt
assert set(s["provenance"]["summary"]["sources"]) <= ids
EOF
pass "support: JSON output has the contract's keys"

"$CLI" --mode=support --config="$CONFIG" --quiet \
  --model=demo/demo-alpha --model=demo/demo-gamma --model=demo/demo-thinking \
  --judge=demo/demo-judge "$SUPPORT_PROBLEM" >"$TMP/support.md" 2>"$TMP/err" \
  || fail "support Markdown run failed: $(cat "$TMP/err")"
contains "$TMP/support.md" "## Checklist" "support Markdown checklist"
contains "$TMP/support.md" "- [ ] **1." "support Markdown checklist"
for m in demo/demo-alpha demo/demo-gamma demo/demo-thinking; do
  contains "$TMP/support.md" " (${m#*/}) — done" "support Markdown: a section per candidate"
  contains "$TMP/support.md" " (${m#*/}) | done |" "support Markdown: cost and latency table"
done
pass "support: Markdown checklist on standard output"

# --- no judge: degraded but a result; problem on standard input --------------
"$CLI" --config="$CONFIG" --quiet --format=json --model=demo/demo-alpha:2 --model=demo/demo-beta - \
  <"$PROBLEM" >"$TMP/nojudge.json" 2>"$TMP/err" || fail "run without a judge failed: $(cat "$TMP/err")"
python3 - "$TMP/nojudge.json" <<'EOF' || fail "no-judge JSON"
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d["candidates"]) == 3
assert "judge" not in d["synthesis"]["methods"]
assert d["synthesis"].get("degraded") is True
EOF
pass "no judge: degraded result from stdin, COUNT honoured"

# --- partial failure still completes; exit 1 when nothing succeeds ----------
"$CLI" --config="$CONFIG" --quiet --model=demo/demo-alpha --model=demo/demo-alpha+400 \
  --model=demo/demo-gamma+refuse --format=json --output="$TMP/partial.json" "$PROBLEM" 2>"$TMP/err" \
  || fail "a run with one good candidate failed: $(cat "$TMP/err")"
python3 - "$TMP/partial.json" <<'EOF' || fail "partial JSON"
import json, sys
d = json.load(open(sys.argv[1]))
st = [c["status"] for c in d["candidates"]]
assert st == ["ok", "failed", "refused"], st
assert d["candidates"][1]["error"]
EOF
pass "faults: the run completes from the remaining candidate"

expect_exit 1 "all candidates failing" -- "$CLI" --config="$CONFIG" \
  --model=demo/demo-alpha+400 --model=demo/demo-beta+quota --model=demo/demo-gamma+refuse \
  --output="$TMP/none.md" "$PROBLEM" 2>"$TMP/err"
[ ! -e "$TMP/none.md" ] || fail "a result was written although no candidate succeeded"
contains "$TMP/err" "no candidate succeeded" "exit 1 message"
pass "exit 1 when no candidate succeeds"

# --- exit 2: usage and configuration -----------------------------------------
expect_exit 2 "unknown model" -- "$CLI" --config="$CONFIG" --model=demo/nope "$PROBLEM" 2>"$TMP/err"
contains "$TMP/err" "consilium-cli: unknown model demo/nope (known: " "unknown model"
expect_exit 2 "unknown judge" -- "$CLI" --config="$CONFIG" --judge=demo/nope "$PROBLEM" 2>"$TMP/err"
contains "$TMP/err" "demo/nope" "unknown judge"
expect_exit 2 "bad mode" -- "$CLI" --config="$CONFIG" --mode=poetry "$PROBLEM" 2>"$TMP/err"
contains "$TMP/err" "poetry" "bad mode"
expect_exit 2 "bad format" -- "$CLI" --config="$CONFIG" --format=pdf "$PROBLEM" 2>"$TMP/err"
expect_exit 2 "bad constraint" -- "$CLI" --config="$CONFIG" --constraint=novalue "$PROBLEM" 2>"$TMP/err"
contains "$TMP/err" "KEY=VALUE" "bad constraint"
expect_exit 2 "no problem" -- "$CLI" --config="$CONFIG" 2>"$TMP/err"
expect_exit 2 "missing problem file" -- "$CLI" --config="$CONFIG" "$TMP/does-not-exist" 2>"$TMP/err"
contains "$TMP/err" "does-not-exist" "missing problem file"
printf '   \n' >"$TMP/empty.txt"
expect_exit 2 "empty problem" -- "$CLI" --config="$CONFIG" "$TMP/empty.txt" 2>"$TMP/err"
expect_exit 2 "unknown option" -- "$CLI" --config="$CONFIG" --frobnicate "$PROBLEM" 2>"$TMP/err"
expect_exit 2 "output in a missing directory" -- "$CLI" --config="$CONFIG" --output="$TMP/no/such/dir/out.md" "$PROBLEM" 2>"$TMP/err"
contains "$TMP/err" "$TMP/no/such/dir" "bad --output"
expect_exit 2 "bad count" -- "$CLI" --config="$CONFIG" --model=demo/demo-alpha:99 "$PROBLEM" 2>"$TMP/err"

BAD="$TMP/bad.ini"
printf '[provider broken]\nbase-url=http://127.0.0.1:1/v1\napi=carrier-pigeon\nmodels=m\n' >"$BAD"
expect_exit 2 "bad config" -- "$CLI" --config="$BAD" "$PROBLEM" 2>"$TMP/err"
contains "$TMP/err" "bad.ini" "bad config names the file"
contains "$TMP/err" "broken" "bad config names the group"
expect_exit 2 "missing config" -- "$CLI" --config="$TMP/nope.ini" "$PROBLEM" 2>"$TMP/err"
contains "$TMP/err" "nope.ini" "missing config"
# without --config: $XDG_CONFIG_HOME/consilium/providers.ini
expect_exit 2 "no default config" -- "$CLI" "$PROBLEM" 2>"$TMP/err"
contains "$TMP/err" "$XDG_CONFIG_HOME/consilium/providers.ini" "default config path"
pass "exit 2 for usage and configuration errors, naming the problem"

# --- --output replaces only what it may ---------------------------------------
# Refused before the run (exit 2, nothing sent, nothing changed): the problem
# file itself (by name or through a hard link), a read-only file (even for
# root), a symbolic link, a non-regular file (a FIFO here: /dev/null and
# /dev/full are refused by the same check, which this test does not risk as
# root), a directory.
OUTDIR="$TMP/outputs"
mkdir -p "$OUTDIR"
cp "$PROBLEM" "$OUTDIR/p.md"
ln "$OUTDIR/p.md" "$OUTDIR/p-link.md"
printf 'keep me\n' >"$OUTDIR/readonly.md"
chmod 0444 "$OUTDIR/readonly.md"
printf 'the target\n' >"$OUTDIR/target.md"
ln -s target.md "$OUTDIR/symlink.md"
mkfifo "$OUTDIR/fifo"
for out in p.md p-link.md readonly.md symlink.md fifo; do
  set +e
  "$CLI" --config="$CONFIG" --quiet --model=demo/demo-alpha \
    --output="$OUTDIR/$out" "$OUTDIR/p.md" 2>"$TMP/err" </dev/null
  got=$?
  set -e
  [ "$got" -eq 2 ] || fail "--output $out: exit status $got, expected 2 ($(cat "$TMP/err"))"
  contains "$TMP/err" "$OUTDIR/$out" "--output $out names the path"
done
cmp -s "$PROBLEM" "$OUTDIR/p.md" || fail "--output replaced the problem file"
[ "$(cat "$OUTDIR/readonly.md")" = "keep me" ] || fail "--output replaced a read-only file"
[ -L "$OUTDIR/symlink.md" ] || fail "--output replaced a symbolic link by a file"
[ "$(cat "$OUTDIR/target.md")" = "the target" ] || fail "--output wrote through a symbolic link"
[ -p "$OUTDIR/fifo" ] || fail "--output replaced a FIFO by a file"
expect_exit 2 "--output a directory" -- "$CLI" --config="$CONFIG" --quiet --model=demo/demo-alpha \
  --output="$OUTDIR" "$PROBLEM" 2>"$TMP/err"
contains "$TMP/err" "$OUTDIR" "--output a directory"
# an existing writable file is replaced, keeping its permissions
printf 'old result\n' >"$OUTDIR/old.md"
chmod 0640 "$OUTDIR/old.md"
"$CLI" --config="$CONFIG" --quiet --model=demo/demo-alpha --output="$OUTDIR/old.md" "$PROBLEM" 2>"$TMP/err" \
  || fail "--output over a writable file: $(cat "$TMP/err")"
contains "$OUTDIR/old.md" "### c1 (demo-alpha)" "--output over a writable file"
[ "$(stat -c %a "$OUTDIR/old.md")" = 640 ] || fail "--output changed the file's mode to $(stat -c %a "$OUTDIR/old.md")"
ls -A "$OUTDIR" | grep -q '^\.' && fail "--output left a temporary file: $(ls -A "$OUTDIR")"
pass "--output refuses the problem file, a read-only file, a symlink, a FIFO and a directory; keeps a replaced file's mode"

# --- text from the network reaches the terminal inert ---------------------------
# A provider's error carrying a title change (OSC 0 … BEL), a screen clear, an
# OSC 52 clipboard write, a C1 CSI, a bidi override and a CR: on standard
# error in the progress line, the failure list and the judge's note, every
# control character is shown escaped, none raw.
set +e
"$CLI" --config="$CONFIG" --model=demo/demo-alpha+escapes "$PROBLEM" >"$TMP/esc.out" 2>"$TMP/esc.err"
got=$?
set -e
[ "$got" -eq 1 ] || fail "escapes: exit status $got, expected 1 ($(cat "$TMP/esc.err"))"
"$CLI" --config="$CONFIG" --model=demo/demo-alpha --judge=demo/demo-judge+escapes \
  --output="$TMP/esc.md" "$PROBLEM" 2>"$TMP/esc-judge.err" || fail "escapes in the judge: $(cat "$TMP/esc-judge.err")"
contains "$TMP/esc-judge.err" "synthesis: note: The judge" "escapes in the judge's note"
python3 - "$TMP/esc.err" "$TMP/esc-judge.err" "$TMP/esc.md" <<'EOF2' || fail "a control character from the network reached the terminal raw"
import sys
for path in sys.argv[1:]:
    data = open(path, "rb").read()
    for raw in (b"\x1b", b"\x07", b"\r", b"\xc2\x9b", b"\xe2\x80\xae"):
        assert raw not in data, (path, raw, data[-600:])
for path in sys.argv[1:3]:
    data = open(path, "rb").read()
    assert b"Bad \\x1b]0;pwned title\\x07request" in data, (path, data[-600:])
EOF2
pass "a provider's error with terminal escapes: shown escaped on standard error, inert in Markdown"

# --- logs go to standard error --------------------------------------------------
# With G_MESSAGES_DEBUG, GLib's debug messages would go to standard output and
# mix into the Markdown written there.
G_MESSAGES_DEBUG=all "$CLI" --config="$CONFIG" --quiet --model=demo/demo-alpha "$PROBLEM" \
  >"$TMP/debug.md" 2>"$TMP/debug.err" || fail "a run with G_MESSAGES_DEBUG=all: $(tail -c 2000 "$TMP/debug.err")"
grep -q -e "-DEBUG" "$TMP/debug.md" && fail "debug messages in the Markdown on standard output: $(grep -e -DEBUG "$TMP/debug.md" | head -n 3)"
head -n 1 "$TMP/debug.md" | grep -q '^# ' || fail "the Markdown on standard output does not start with its title: $(head -n 2 "$TMP/debug.md")"
contains "$TMP/debug.md" "## Blueprint" "G_MESSAGES_DEBUG: the Markdown"
contains "$TMP/debug.err" "cs-provider-client-DEBUG" "G_MESSAGES_DEBUG: the debug messages on standard error"
pass "debug messages (G_MESSAGES_DEBUG=all) go to standard error, the Markdown on standard output stays clean"

# a COUNT that is not a whole number is named as such, not as an unknown model
for count in -1 two 1.5; do
  set +e
  "$CLI" --config="$CONFIG" --model="demo/demo-alpha:$count" "$PROBLEM" 2>"$TMP/err"
  got=$?
  set -e
  [ "$got" -eq 2 ] || fail "--model=demo/demo-alpha:$count: exit status $got, expected 2"
  contains "$TMP/err" "--model=demo/demo-alpha:$count: the count “$count” is not a whole number of candidates" "bad count $count"
  grep -q "unknown model" "$TMP/err" && fail "--model=demo/demo-alpha:$count says: $(cat "$TMP/err")"
done
pass "--model=P/M:-1 names the bad count"

# --- progress lines speak plainly ---------------------------------------------
"$CLI" --config="$CONFIG" --model=demo/demo-alpha --output="$TMP/one.md" "$PROBLEM" 2>"$TMP/one.err" \
  || fail "single-candidate run failed: $(cat "$TMP/one.err")"
contains "$TMP/one.err" "synthesis: started with 1 valid candidate" "progress"
grep -q "1 valid candidates" "$TMP/one.err" && fail "progress: “1 valid candidates”"
pass "progress lines agree in number"

# --- the live display fits the terminal -----------------------------------------
# On a terminal 60 columns wide (COLUMNS not exported, as in a shell), every
# redrawn line fits: a wrapped line would break the cursor-up arithmetic.
if command -v script >/dev/null 2>&1; then
  env -u COLUMNS TERM=xterm script -qec "stty cols 60 rows 40; \"$CLI\" --config=\"$CONFIG\" \
    --model=demo/demo-alpha --model=demo/demo-beta+quota \
    --output=\"$TMP/live.md\" \"$PROBLEM\"" "$TMP/live.tty" >/dev/null </dev/null \
    || fail "live display run failed: $(tail -c 2000 "$TMP/live.tty")"
  contains "$TMP/live.tty" "$(printf '\033[2K')" "live display redraws"
  # the redrawn lines, without the escape sequences, split at CR and LF
  long=$(sed -n '/Script started/!p' "$TMP/live.tty" | tr '\r' '\n' \
    | grep -F "$(printf '\033[2K')" | sed 's/\x1b\[[0-9]*[AK]//g' | awk 'length($0) > 59' | head -n 3)
  [ -z "$long" ] || fail "live display lines wider than the terminal: $long"
  pass "the live display fits a 60-column terminal"

  # more candidates than rows: a line per event instead of a redraw that
  # cannot move above the screen
  env -u COLUMNS -u LINES TERM=xterm script -qec "stty cols 80 rows 4; \"$CLI\" --config=\"$CONFIG\" \
    --model=demo/demo-alpha:3 --output=\"$TMP/short.md\" \"$PROBLEM\"" "$TMP/short.tty" >/dev/null </dev/null \
    || fail "short-terminal run failed: $(tail -c 2000 "$TMP/short.tty")"
  grep -q -F "$(printf '\033[')" "$TMP/short.tty" && fail "a redraw on a terminal shorter than the display"
  contains "$TMP/short.tty" "synthesis: started with 3 valid candidates" "short terminal: line per event"
  pass "a terminal shorter than the display gets a line per event"
fi

# --- Ctrl+C cancels cleanly ---------------------------------------------------
before=$(ls "$RUNS" | wc -l)
"$CLI" --config="$CONFIG" --quiet --model=demo/demo-alpha+slow=300 --output="$TMP/cancel.md" \
  "$PROBLEM" 2>"$TMP/cancel.err" &
CLI_PID=$!
# saved while its candidate streams
streaming_saved () {
  grep -q -s '"status" : "streaming"' "$RUNS"/*.json
}
wait_until 30 streaming_saved || fail "the cancelled run never saved while streaming"
kill -INT "$CLI_PID"
set +e
wait "$CLI_PID"
got=$?
set -e
[ "$got" -eq 130 ] || fail "SIGINT: exit $got, expected 130 ($(cat "$TMP/cancel.err"))"
[ ! -e "$TMP/cancel.md" ] || fail "SIGINT: a result was written"
grep -l '"state" : "cancelled"' "$RUNS"/*.json >/dev/null || fail "SIGINT: no run saved as cancelled"
pass "SIGINT cancels the run and saves it as cancelled"

# --- --store-key ----------------------------------------------------------------
expect_exit 2 "store-key, unknown provider" -- "$CLI" --config="$CONFIG" --store-key=nope </dev/null 2>"$TMP/err"
contains "$TMP/err" "unknown provider nope" "store-key"
printf '' | expect_exit 2 "store-key, empty input" -- "$CLI" --config="$CONFIG" --store-key=demo 2>"$TMP/err"
contains "$TMP/err" "no key" "store-key"
# no keyring reachable (never touch the real one): exit 1, and the key is
# not echoed in the error
set +e
printf '%s\n' "$SECRET" | env DBUS_SESSION_BUS_ADDRESS="unix:path=$TMP/no-bus" \
  "$CLI" --config="$CONFIG" --store-key=demo >"$TMP/store.out" 2>"$TMP/store.err"
got=$?
set -e
[ "$got" -eq 1 ] || fail "store-key without a keyring: exit $got, expected 1"
contains "$TMP/store.err" "could not store the key for demo" "store-key without a keyring"
pass "--store-key checks its input and never echoes the key"

# --- the key is nowhere --------------------------------------------------------
if grep -r -l -F -e "$SECRET" "$TMP" --exclude=providers.ini --exclude=written.ini --exclude=provider.log; then
  fail "the API key leaked into a file"
fi
grep -q -F -e "$SECRET" "$CONFIG" && fail "the key is in the providers file"
pass "the API key appears in no output, log or run file"

# and without it, the provider refuses: a failed candidate, not a crash
expect_exit 1 "wrong key" -- env CS_CLI_TEST_KEY=sk-wrong "$CLI" --config="$CONFIG" --model=demo/demo-alpha "$PROBLEM" 2>"$TMP/err"
pass "a wrong key fails the candidate (exit 1)"

echo "1..$n_pass"
