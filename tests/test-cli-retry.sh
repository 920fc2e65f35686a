#!/bin/sh
# test-cli-retry.sh: --retry=RUN_ID:CANDIDATE_ID against the standalone test
# provider, over HTTP: a candidate that failed asked again with the settings
# its request went with, the synthesis made again; refusals (a candidate
# that succeeded or was cancelled, unknown ids) leave the run file as it
# was; a second failure exits 1; Ctrl+C exits 130
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu

CLI=${CONSILIUM_CLI:?CONSILIUM_CLI must point at consilium-cli}
PROVIDER=${CONSILIUM_TEST_PROVIDER:?CONSILIUM_TEST_PROVIDER must point at consilium-test-provider}

. "$(dirname "$0")/cli-lib.sh"
cs_setup cli-retry

start_provider provider --record="$TMP/requests.jsonl"

CONFIG="$TMP/providers.ini"
write_demo_config "$CONFIG" "demo-alpha;demo-beta+500once;demo-gamma+500;demo-delta+500once+slow=400;demo-judge;demo-judge+silence;demo-gamma+500once"
# the providers file's settings now differ from those the run went with
PROVIDERS_NOW="$TMP/providers-now.ini"
write_demo_config "$PROVIDERS_NOW" "demo-alpha;demo-beta+500once;demo-gamma+500;demo-delta+500once+slow=400;demo-judge" "
[model demo/demo-beta+500once]
temperature=1.7
max-output-tokens=9000"
NO_BETA="$TMP/no-beta.ini"
write_demo_config "$NO_BETA" "demo-alpha;demo-judge"

printf 'Design a URL shortener for 10 million new links a day.\n' >"$TMP/architect.txt"

"$CLI" --help >"$TMP/help.txt" 2>&1 || fail "--help failed"
contains "$TMP/help.txt" "--retry=RUN_ID:CANDIDATE_ID" "--help"

run_id () {
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$1"
}

# --- a run whose second candidate fails (HTTP 500 the first time) ----------------
"$CLI" --config="$CONFIG" --mode=architect --model=demo/demo-alpha \
  --model=demo/demo-beta+500once --option=temperature=0.3 --option=max-output-tokens=700 \
  --option=verbosity=low --judge=demo/demo-judge --quiet --format=json \
  --output="$TMP/r1.json" "$TMP/architect.txt" 2>"$TMP/err" || fail "first run: $(cat "$TMP/err")"
RUN=$(run_id "$TMP/r1.json")
check "$TMP/r1.json" "the first run: c2 failed" '
c = {x["id"]: x for x in d["candidates"]}
assert c["c1"]["status"] == "ok" and c["c2"]["status"] == "failed", [(x["id"], x["status"]) for x in d["candidates"]]
assert c["c2"]["model"] == "demo/demo-beta+500once"
assert d["state"] == "done" and d["synthesis"]'
pass "a run with a failed candidate"

# --- refusals: exit 2, the run file untouched -------------------------------------
cp "$RUNS/$RUN.json" "$TMP/before.json"
expect_exit 2 "--retry of a candidate that succeeded" -- "$CLI" --config="$CONFIG" --retry="$RUN:c1" 2>"$TMP/err"
contains "$TMP/err" "Candidate c1 is done" "--retry of c1"
expect_exit 2 "--retry of an unknown candidate" -- "$CLI" --config="$CONFIG" --retry="$RUN:c9" 2>"$TMP/err"
contains "$TMP/err" "has no candidate c9" "--retry of c9"
expect_exit 2 "--retry of an unknown run" -- "$CLI" --config="$CONFIG" --retry=20990101-000000-000000:c2 2>"$TMP/err"
contains "$TMP/err" "no saved run" "--retry of an unknown run"
expect_exit 2 "--retry without a candidate" -- "$CLI" --config="$CONFIG" --retry="$RUN" 2>"$TMP/err"
contains "$TMP/err" "RUN_ID:CANDIDATE_ID" "--retry without a candidate"
expect_exit 2 "--retry with --option" -- "$CLI" --config="$CONFIG" --retry="$RUN:c2" --option=temperature=1 2>"$TMP/err"
expect_exit 2 "--retry with --follow-up" -- "$CLI" --config="$CONFIG" --retry="$RUN:c2" --follow-up="$RUN" 2>"$TMP/err"
expect_exit 2 "--retry of a model no longer configured" -- "$CLI" --config="$NO_BETA" --retry="$RUN:c2" 2>"$TMP/err"
contains "$TMP/err" "is no longer configured" "--retry of a model no longer configured"
cmp -s "$RUNS/$RUN.json" "$TMP/before.json" || fail "a refused --retry changed the run file"
pass "--retry refuses a candidate that succeeded, unknown ids, other options, a model gone (exit 2, file untouched)"

# --- the retry: the saved settings, the synthesis made again ---------------------
start=$(recorded)
"$CLI" --config="$PROVIDERS_NOW" --retry="$RUN:c2" --quiet --format=json \
  --output="$TMP/r2.json" 2>"$TMP/err" || fail "--retry: $(cat "$TMP/err")"
bodies demo-beta+500once "$start" '
assert len(b) == 1, len(b)
assert b[0]["temperature"] == 0.3 and b[0]["max_completion_tokens"] == 700 and b[0]["verbosity"] == "low", b[0]'
bodies demo-judge "$start" 'assert len(b) == 1, len(b)'
bodies demo-alpha "$start" 'assert len(b) == 0, len(b)'
"$CLI" --show="$RUN" --format=json >"$TMP/r2-show.json" 2>"$TMP/err" || fail "--show after --retry"
for f in "$TMP/r2.json" "$TMP/r2-show.json"; do
  check "$f" "the retried run" '
before = json.load(open(sys.argv[1].replace("r2-show.json", "r1.json").replace("r2.json", "r1.json")))
c = {x["id"]: x for x in d["candidates"]}
assert c["c2"]["status"] == "ok" and c["c2"]["data"]["summary"], c["c2"]["status"]
assert c["c2"]["temperature"] == 0.3 and c["c2"]["max_output_tokens"] == 700 and c["c2"]["verbosity"] == "low", c["c2"]
assert c["c1"] == {x["id"]: x for x in before["candidates"]}["c1"]
assert d["state"] == "done" and d["synthesis"] != before["synthesis"]
def ids(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k in ("sources", "candidates") and isinstance(v, list):
                yield from (x for x in v if isinstance(x, str))
            else:
                yield from ids(v)
    elif isinstance(node, list):
        for v in node:
            yield from ids(v)
assert "c2" in set(ids(d["synthesis"])), "the synthesis does not use c2"
assert "c2" not in set(ids(before["synthesis"]))'
done
pass "--retry asks with the settings the candidate's request went with and synthesizes again"

# --- a retry that fails again: exit 1, the run saved with it -----------------------
"$CLI" --config="$CONFIG" --mode=architect --model=demo/demo-alpha --model=demo/demo-gamma+500 \
  --judge=demo/demo-judge --quiet --format=json --output="$TMP/f1.json" "$TMP/architect.txt" 2>"$TMP/err" ||
  fail "run with an always failing model: $(cat "$TMP/err")"
FAILING=$(run_id "$TMP/f1.json")
start=$(recorded)
expect_exit 1 "--retry that fails again" -- "$CLI" --config="$CONFIG" --retry="$FAILING:c2" --quiet \
  --output="$TMP/f2.md" 2>"$TMP/err"
contains "$TMP/err" "the retry of c2 failed" "--retry that fails again"
[ ! -e "$TMP/f2.md" ] || fail "a failed --retry wrote a result"
bodies demo-gamma+500 "$start" 'assert len(b) == 1, len(b)'
"$CLI" --show="$FAILING" --format=json >"$TMP/f3.json"
check "$TMP/f3.json" "the run after a failed retry" '
c = {x["id"]: x for x in d["candidates"]}
assert c["c2"]["status"] == "failed" and c["c1"]["status"] == "ok"
assert d["state"] == "done" and d["synthesis"]'
expect_exit 1 "a run whose only candidate fails" -- "$CLI" --config="$CONFIG" --mode=architect \
  --model=demo/demo-gamma+500 --quiet --format=json --output="$TMP/g1.json" "$TMP/architect.txt" 2>"$TMP/err"
ALONE=$("$CLI" --runs | head -n 1 | cut -f1)
expect_exit 1 "--retry of the only candidate, failing again" -- "$CLI" --config="$CONFIG" --retry="$ALONE:c1" \
  --quiet 2>"$TMP/err"
contains "$TMP/err" "the retry of c1 failed" "--retry of the only candidate"
"$CLI" --show="$ALONE" --format=json >"$TMP/g2.json"
check "$TMP/g2.json" "the failed run after a failed retry" '
assert d["state"] == "failed" and d["candidates"][0]["status"] == "failed", d["state"]'
pass "a retry that fails again: exit 1, the run saved, its result kept"

# --- Ctrl+C while the retry streams: exit 130, the run kept -----------------------
"$CLI" --config="$CONFIG" --mode=architect --model=demo/demo-alpha --model=demo/demo-delta+500once+slow=400 \
  --judge=demo/demo-judge --quiet --format=json --output="$TMP/s1.json" "$TMP/architect.txt" 2>"$TMP/err" ||
  fail "run with a slow model: $(cat "$TMP/err")"
SLOW=$(run_id "$TMP/s1.json")
start=$(recorded)
retry_sent () {
  [ "$(tail -n +"$((start + 1))" "$TMP/requests.jsonl" | grep -c 'demo-delta')" -ge 1 ]
}
"$CLI" --config="$CONFIG" --retry="$SLOW:c2" --quiet --output="$TMP/s2.md" 2>"$TMP/cancel.err" &
CLI_PID=$!
wait_until 30 retry_sent || fail "the retry was not sent: $(cat "$TMP/cancel.err")"
expect_sigint_exit "$CLI_PID" "SIGINT during --retry" "$TMP/cancel.err"
[ ! -e "$TMP/s2.md" ] || fail "SIGINT during --retry: a result was written"
bodies demo-judge "$start" 'assert len(b) == 0, "the judge was asked after Ctrl+C"'
"$CLI" --show="$SLOW" --format=json >"$TMP/s3.json"
check "$TMP/s3.json" "the run after Ctrl+C" '
before = json.load(open(sys.argv[1].replace("s3.json", "s1.json")))
c = {x["id"]: x for x in d["candidates"]}
assert c["c2"]["status"] == "cancelled", c["c2"]["status"]
assert d["state"] == "done" and d["synthesis"] == before["synthesis"]'
pass "Ctrl+C during --retry: exit 130, the run saved with its result"

# --- a cancelled candidate is not asked again, as the app offers no Retry for it ------
cp "$RUNS/$SLOW.json" "$TMP/before.json"
start=$(recorded)
expect_exit 2 "--retry of a cancelled candidate" -- "$CLI" --config="$CONFIG" --retry="$SLOW:c2" 2>"$TMP/err"
contains "$TMP/err" "Candidate c2 was cancelled" "--retry of a cancelled candidate"
contains "$TMP/err" "--scope=all" "--retry of a cancelled candidate says what asks again"
cmp -s "$RUNS/$SLOW.json" "$TMP/before.json" || fail "a refused --retry of a cancelled candidate changed the run file"
[ "$(recorded)" -eq "$start" ] || fail "a refused --retry of a cancelled candidate sent a request"
pass "--retry refuses a cancelled candidate (exit 2, nothing sent, the file untouched)"

# --- Ctrl+C while the judge answers the synthesis the retry started ------------------
# the judge sends one delta, then nothing: the first run gives up on it after 1 s of
# silence (votes and consensus), the retry's synthesis waits for it (the default timeout)
SHORT="$TMP/short-idle.ini"
write_demo_config "$SHORT" "demo-alpha;demo-gamma+500once;demo-judge+silence" "idle-timeout=1"
"$CLI" --config="$SHORT" --mode=architect --model=demo/demo-alpha --model=demo/demo-gamma+500once \
  --judge=demo/demo-judge+silence --quiet --format=json --output="$TMP/j1.json" "$TMP/architect.txt" 2>"$TMP/err" ||
  fail "run with a silent judge: $(cat "$TMP/err")"
JUDGED=$(run_id "$TMP/j1.json")
start=$(recorded)
judge_asked () {
  [ "$(tail -n +"$((start + 1))" "$TMP/requests.jsonl" | grep -c 'demo-judge+silence')" -ge 1 ]
}
"$CLI" --config="$CONFIG" --retry="$JUDGED:c2" --quiet --output="$TMP/j2.md" 2>"$TMP/cancel.err" &
CLI_PID=$!
wait_until 30 judge_asked || fail "the retry's synthesis did not ask the judge: $(cat "$TMP/cancel.err")"
expect_sigint_exit "$CLI_PID" "SIGINT during the retry's judge" "$TMP/cancel.err"
[ ! -e "$TMP/j2.md" ] || fail "SIGINT during the retry's judge: a result was written"
"$CLI" --show="$JUDGED" --format=json >"$TMP/j3.json"
check "$TMP/j3.json" "the run after Ctrl+C in the judge" '
c = {x["id"]: x for x in d["candidates"]}
assert c["c2"]["status"] == "ok", c["c2"]["status"]
assert d["state"] == "cancelled" and d["synthesis"]["degraded"] is True, (d["state"], d["synthesis"].get("degraded"))
assert "c2" in json.dumps(d["synthesis"]["provenance"])'
pass "Ctrl+C while the judge of the retry answers: exit 130, saved with the votes and consensus of both"

echo "1..$n_pass"
echo "$n_pass passed, 0 failed"
