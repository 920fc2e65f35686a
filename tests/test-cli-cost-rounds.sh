#!/bin/sh
# test-cli-cost-rounds.sh: the budget is the run's, across its rounds and
# retries, on the command line and over the local API, against the
# standalone test provider over HTTP:
#
# - after a run stopped at its budget, --follow-up and --retry are refused
#   (exit 2, the figures and what to do), nothing sent, the run unchanged;
# - --budget with --follow-up gives the run a new budget: the round runs,
#   its cost added to the run's, the wall time the sum of the rounds';
# - the API: "budget_usd" on POST /v1/runs (refused above the estimate), a
#   follow-up or a retry of a run that has spent its budget is 409
#   "budget_reached" (nothing changed), "budget_usd" on a follow-up or a
#   retry raises it.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu

CLI=${CONSILIUM_CLI:?CONSILIUM_CLI must point at consilium-cli}
PROVIDER=${CONSILIUM_TEST_PROVIDER:?CONSILIUM_TEST_PROVIDER must point at consilium-test-provider}

. "$(dirname "$0")/cli-lib.sh"
cs_setup cli-cost-rounds

G_MESSAGES_DEBUG=cs-test-provider
export G_MESSAGES_DEBUG
start_provider provider
unset G_MESSAGES_DEBUG

# the requests the provider has received so far
requests () {
  grep -c "POST /" "$TMP/provider.log" || true
}

# a slow candidate, stopped at a budget of $0.50 long before its usage
# comes; its delay stretched as the tests' time bounds are
GAMMA=demo-gamma+slow=$((300 * CS_SLOW))
CONFIG="$TMP/providers.ini"
write_demo_config "$CONFIG" "demo-alpha;demo-judge;$GAMMA;demo-beta+500" "
[model demo/demo-alpha]
price-input=0.60
price-output=2.50
max-output-tokens=2000

[model demo/demo-judge]
price-input=1.25
price-output=10.00
max-output-tokens=2000

# always fails (HTTP 500): a candidate --retry may ask again
[model demo/demo-beta+500]
price-input=0.60
price-output=2.50
max-output-tokens=2000

[model demo/$GAMMA]
price-input=1.00
price-output=2000.00
max-output-tokens=10"

PROBLEM="$TMP/problem.txt"
echo "Design a URL shortener for 10 million new links a day." >"$PROBLEM"
QUESTION="$TMP/question.txt"
echo "What if the links expire after a year?" >"$QUESTION"

# A run stopped at its budget of $0.50 (c2 stopped, c3 failed); its id on
# standard output.
stopped_run () {
  "$CLI" --config="$CONFIG" --model=demo/demo-alpha --model="demo/$GAMMA" --model=demo/demo-beta+500 \
    --judge=demo/demo-judge \
    --budget=0.50 --format=json --output="$TMP/$1.json" "$PROBLEM" 2>"$TMP/$1.err" ||
    fail "the run stopped at its budget failed: $(cat "$TMP/$1.err")"
  python3 - "$TMP/$1.json" <<'CS_EOF'
import json, sys
run = json.load(open(sys.argv[1]))
assert run["totals"]["cost_usd"] >= 0.5, run["totals"]
assert [c["status"] for c in run["candidates"]] == ["ok", "cancelled", "failed"], [c["status"] for c in run["candidates"]]
print(run["id"])
CS_EOF
}

ID=$(stopped_run first)
[ -n "$ID" ] || fail "no run id"

# --- a follow-up and a retry of a run that has spent its budget: exit 2 ---------
before=$(requests)
expect_exit 2 "a follow-up over the budget" -- "$CLI" --config="$CONFIG" --follow-up="$ID" "$QUESTION" \
  2>"$TMP/err" >"$TMP/out"
contains "$TMP/err" "which reaches its budget of \$0.5000" "the follow-up's refusal"
contains "$TMP/err" "every round and retry included" "the follow-up's refusal says the budget is the run's"
contains "$TMP/err" "--budget=USD" "the follow-up's refusal says what to do"
expect_exit 2 "a scope-all follow-up over the budget" -- "$CLI" --config="$CONFIG" --follow-up="$ID" --scope=all \
  "$QUESTION" 2>"$TMP/err" >"$TMP/out"
expect_exit 2 "a retry over the budget" -- "$CLI" --config="$CONFIG" --retry="$ID:c3" 2>"$TMP/err" >"$TMP/out"
contains "$TMP/err" "which reaches its budget of \$0.5000" "the retry's refusal"
contains "$TMP/err" "--budget=USD" "the retry's refusal says what to do"
expect_exit 2 "a bad --budget with --follow-up" -- "$CLI" --config="$CONFIG" --follow-up="$ID" --budget=-1 \
  "$QUESTION" 2>"$TMP/err" >"$TMP/out"
[ "$(requests)" -eq "$before" ] || fail "a refused follow-up or retry sent $(( $(requests) - before )) requests"
"$CLI" --show="$ID" --format=json >"$TMP/show.json" 2>"$TMP/err" || fail "--show failed: $(cat "$TMP/err")"
check "$TMP/show.json" "the run after the refusals" \
  'd["current_round"] == 1 and len(d.get("rounds", [1])) == 1 and d["totals"]["budget_usd"] == 0.5'
pass "a follow-up or retry of a run that has spent its budget exits 2, sends nothing, changes nothing"

# --- --budget with --follow-up: the run's new budget; the round adds to the run --
"$CLI" --config="$CONFIG" --follow-up="$ID" --budget=1000 --format=json --output="$TMP/round.json" "$QUESTION" \
  2>"$TMP/err" || fail "a follow-up with a raised budget failed: $(cat "$TMP/err")"
[ "$(requests)" -eq $((before + 1)) ] || fail "the judge's round sent $(( $(requests) - before )) requests"
python3 - "$TMP/first.json" "$TMP/round.json" <<'CS_EOF' || fail "the run after a round with a raised budget"
import json, sys
first, run = (json.load(open(p)) for p in sys.argv[1:])
assert run["current_round"] == 2, run["current_round"]
assert run["totals"]["budget_usd"] == 1000, run["totals"]
assert run["totals"]["cost_usd"] > first["totals"]["cost_usd"], (run["totals"], first["totals"])
# the wall time adds up the rounds
assert run["totals"]["wall_ms"] > first["totals"]["wall_ms"], (run["totals"], first["totals"])
CS_EOF
pass "--budget with --follow-up raises the run's budget; the round's cost and time add to the run's"

# --estimate with --follow-up: refused, not ignored with the round sent
before=$(requests)
expect_exit 2 "--estimate with --follow-up" -- "$CLI" --config="$CONFIG" --follow-up="$ID" --estimate "$QUESTION" \
  2>"$TMP/err" >"$TMP/out"
contains "$TMP/err" "nothing was sent" "--estimate with --follow-up"
[ "$(requests)" -eq "$before" ] || fail "--estimate with --follow-up sent $(( $(requests) - before )) requests"
pass "--estimate with --follow-up exits 2 and sends nothing"

# --- the local API -------------------------------------------------------------
ID2=$(stopped_run second)
export XDG_RUNTIME_DIR="$TMP/runtime"
mkdir -m 700 "$XDG_RUNTIME_DIR"
"$CLI" --serve --port=0 --config="$CONFIG" >"$TMP/serve.out" 2>"$TMP/serve.err" &
CS_PIDS="$CS_PIDS $!"
serve_started () {
  grep -q "Token file:" "$TMP/serve.out"
}
wait_until 30 serve_started || fail "the server did not start: $(cat "$TMP/serve.err")"

python3 - "$TMP/serve.out" "$ID2" "$CS_SLOW" <<'CS_EOF' || fail "the budget over the local API"
import http.client, json, sys, time
out, run_id, slow = open(sys.argv[1]).read(), sys.argv[2], int(sys.argv[3])
url = [l for l in out.splitlines() if l.startswith("Consilium API at ")][0].split()[-1]
port = int(url.rsplit(":", 1)[1].split("/")[0])
token_path = [l for l in out.splitlines() if l.startswith("Token file:")][0].split(": ", 1)[1]
token = open(token_path).read().strip()

def request(method, path, body=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60 * slow)
    h = {"Host": "127.0.0.1:%d" % port, "Authorization": "Bearer " + token}
    data = None
    if body is not None:
        data = json.dumps(body)
        h["Content-Type"] = "application/json"
    c.request(method, path, body=data, headers=h)
    r = c.getresponse()
    reply = r.read()
    c.close()
    return r.status, json.loads(reply) if reply else None

def refused(status, reply, code, what):
    assert status == code, "%s: HTTP %d %r" % (what, status, reply)
    return reply["error"]

# a new run whose upper estimate passes its budget, and a bad budget
status, reply = request("POST", "/v1/runs", {"problem": "A URL shortener", "models": ["demo/demo-alpha:2"],
                                             "budget_usd": 0.0001})
e = refused(status, reply, 400, "a run over its budget")
assert "above the budget of $0.0001" in e["message"] and "demo-alpha" in e["message"], e
status, reply = request("POST", "/v1/runs", {"problem": "A URL shortener", "models": ["demo/demo-alpha"],
                                             "budget_usd": "lots"})
refused(status, reply, 400, "a bad budget_usd")

# a run that has spent its budget: 409 budget_reached, nothing changed
path = "/v1/runs/%s" % run_id
status, reply = request("POST", path + "/follow-ups", {"question": "What if the links expire?"})
e = refused(status, reply, 409, "a follow-up over the budget")
assert e["code"] == "budget_reached" and "reaches its budget of $0.5000" in e["message"], e
status, reply = request("POST", path + "/candidates/c3/retry")
e = refused(status, reply, 409, "a retry over the budget")
assert e["code"] == "budget_reached", e
status, reply = request("POST", path + "/follow-ups", {"question": "What if the links expire?", "budget_usd": -1})
refused(status, reply, 400, "a follow-up with a bad budget_usd")
status, run = request("GET", path)
assert status == 200 and run["current_round"] == 1 and run["totals"]["budget_usd"] == 0.5, run["totals"]

status, reply = request("POST", path + "/candidates/c3/retry", {"budget_usd": 1000, "scope": "all"})
refused(status, reply, 400, "a retry with more than budget_usd")
status, run = request("GET", path)
assert run["totals"]["budget_usd"] == 0.5, run["totals"]

# "budget_usd" on a follow-up raises the run's budget
status, reply = request("POST", path + "/follow-ups", {"question": "What if the links expire?", "budget_usd": 1000})
assert status in (200, 201, 202), "a follow-up with a raised budget: HTTP %d %r" % (status, reply)
deadline = time.monotonic() + 60 * slow
while True:
    status, run = request("GET", path)
    if run["current_round"] == 2 and run["state"] == "done":
        break
    assert time.monotonic() < deadline, run["state"]
    time.sleep(0.1)
assert run["totals"]["budget_usd"] == 1000, run["totals"]

# and on a retry: the run's new budget, the candidate asked again
status, reply = request("POST", path + "/candidates/c3/retry", {"budget_usd": 2000})
assert status == 202, "a retry with a raised budget: HTTP %d %r" % (status, reply)
deadline = time.monotonic() + 60 * slow
while True:
    status, run = request("GET", path)
    c3 = [c for c in run["candidates"] if c["id"] == "c3"][0]
    if run["state"] == "done" and c3.get("attempts", 1) >= 2:
        break
    assert time.monotonic() < deadline, (run["state"], c3)
    time.sleep(0.1)
assert run["totals"]["budget_usd"] == 2000, run["totals"]
CS_EOF
pass "the API: budget_usd on a run and a follow-up, 409 budget_reached for a run that has spent it"

echo "1..$n_pass"
