#!/bin/sh
# test-cli-cost.sh: consilium-cli's --option, --estimate and --budget, and
# "price unknown", against the standalone test provider over HTTP; the
# provider logs every request it gets, so "nothing was sent" is counted
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu

CLI=${CONSILIUM_CLI:?CONSILIUM_CLI must point at consilium-cli}
PROVIDER=${CONSILIUM_TEST_PROVIDER:?CONSILIUM_TEST_PROVIDER must point at consilium-test-provider}

. "$(dirname "$0")/cli-lib.sh"
cs_setup cli-cost

# the requests the provider has received so far
requests () {
  grep -c "POST /" "$TMP/provider.log" || true
}

# the provider logs every request (counted by requests)
G_MESSAGES_DEBUG=cs-test-provider
export G_MESSAGES_DEBUG
start_provider provider
unset G_MESSAGES_DEBUG

# a slow candidate's delay between chunks, stretched as the tests' time
# bounds are (CONSILIUM_TEST_SLOW): a budget passes after the same number of
# its chunks, however slowly the others are processed
GAMMA_MS=$((300 * ${CONSILIUM_TEST_SLOW:-1}))

CONFIG="$TMP/providers.ini"
cat >"$CONFIG" <<EOF
[provider demo]
base-url=http://127.0.0.1:$PORT/v1
api=openai-chat
models=demo-alpha;demo-beta;demo-judge;demo-judge+slow=50;demo-gamma+slow=$GAMMA_MS
requests-per-minute=0

[model demo/demo-alpha]
price-input=0.60
price-output=2.50
max-n=4
max-output-tokens=2000

[model demo/demo-judge]
price-input=1.25
price-output=10.00

# a judge whose cap of 10 output tokens the server does not keep, at $0.002 a token
[model demo/demo-judge+slow=50]
price-input=1.00
price-output=2000.00
max-output-tokens=10

# a candidate the same: stopped at a budget long before its usage comes
[model demo/demo-gamma+slow=$GAMMA_MS]
price-input=1.00
price-output=2000.00
max-output-tokens=10
EOF

PROBLEM="$TMP/problem.txt"
echo "Design a URL shortener for 10 million new links a day." >"$PROBLEM"

"$CLI" --help >"$TMP/help.txt" 2>&1 || fail "--help failed"
for opt in --option --estimate --budget "[MODEL@]KEY=VALUE"; do
  contains "$TMP/help.txt" "$opt" "--help"
done
pass "--help documents --option, --estimate and --budget"

"$CLI" --config="$CONFIG" --list-models >"$TMP/models.txt" 2>"$TMP/err"
contains "$TMP/models.txt" "demo/demo-beta	max-n=1	json-schema	price unknown" "--list-models"
pass "--list-models says price unknown, not \$0.00"

# --- --estimate sends nothing -------------------------------------------------
before=$(requests)
"$CLI" --config="$CONFIG" --model=demo/demo-alpha:3 --option=n=1 --judge=demo/demo-judge \
  --estimate "$PROBLEM" >"$TMP/estimate.txt" 2>"$TMP/err" || fail "--estimate failed: $(cat "$TMP/err")"
[ "$(requests)" -eq "$before" ] || fail "--estimate sent $(( $(requests) - before )) requests"
contains "$TMP/estimate.txt" "Estimate (nothing was sent):" "--estimate"
contains "$TMP/estimate.txt" "demo-alpha from demo: 3 candidates in 3 requests (+ up to 3 repairs)" "--estimate: one line a model"
contains "$TMP/estimate.txt" "output 0–12000 tokens" "--estimate: max-output-tokens × candidates, and their repairs"
contains "$TMP/estimate.txt" "demo-judge from demo (judge): 1 request (+ up to 1 repair)" "--estimate: the judge"
contains "$TMP/estimate.txt" "total: 4 requests" "--estimate: the total"
contains "$TMP/estimate.txt" "The upper figures count 4 requests" "--estimate: the repairs said"
grep -q "demo/" "$TMP/estimate.txt" && fail "--estimate shows internal ids: $(cat "$TMP/estimate.txt")"
pass "--estimate prints the range and sends no request"

# --- --estimate with peer ranking and a fallback judge ------------------------
before=$(requests)
"$CLI" --config="$CONFIG" --model=demo/demo-alpha:3 --option=n=1 --judge=demo/demo-judge \
  --fallback-judge=demo/demo-alpha --rank --estimate "$PROBLEM" >"$TMP/estimate3.txt" 2>"$TMP/err" \
  || fail "--estimate --rank failed: $(cat "$TMP/err")"
[ "$(requests)" -eq "$before" ] || fail "--estimate --rank sent requests"
contains "$TMP/estimate3.txt" "demo-alpha from demo, peer ranking: 3 requests" "--estimate --rank: one ranker a candidate"
contains "$TMP/estimate3.txt" "demo-alpha from demo (fallback judge, asked only if the judge fails): up to 2 requests" \
  "--estimate: the fallback judge"
contains "$TMP/estimate3.txt" "total: 7 requests" "--estimate --rank: the total"
pass "--estimate counts peer ranking, and the fallback judge in the upper figure"

"$CLI" --config="$CONFIG" --model=demo/demo-beta --estimate "$PROBLEM" >"$TMP/estimate2.txt" 2>"$TMP/err"
contains "$TMP/estimate2.txt" "price unknown (demo-beta)" "--estimate, unpriced"
pass "--estimate of a model without a price says price unknown"

# --- --budget below the estimate: exit 2 with the figures, nothing sent -------
before=$(requests)
expect_exit 2 "budget below the estimate" -- \
  "$CLI" --config="$CONFIG" --model=demo/demo-alpha:2 --budget=0.001 "$PROBLEM" 2>"$TMP/err" >"$TMP/out"
contains "$TMP/err" "not started: the upper estimate \$" "budget"
contains "$TMP/err" "is above the budget of \$0.0010" "budget"
contains "$TMP/err" "demo-alpha from demo: 2 candidates" "budget: the figures"
[ "$(requests)" -eq "$before" ] || fail "a run over its budget sent requests"
expect_exit 2 "budget with a model without a price" -- \
  "$CLI" --config="$CONFIG" --model=demo/demo-beta --budget=100 "$PROBLEM" 2>"$TMP/err" >"$TMP/out"
contains "$TMP/err" "no budget can be kept" "budget, unpriced"
expect_exit 2 "bad budget" -- "$CLI" --config="$CONFIG" --budget=-1 "$PROBLEM" 2>"$TMP/err"
pass "--budget below the upper estimate exits 2 with the figures and sends nothing"

# --- --option: to the --model before it, or MODEL@ --------------------------
before=$(requests)
"$CLI" --config="$CONFIG" --model=demo/demo-alpha --option=temperature=0.2 --option=max-output-tokens=900 \
  --model=demo/demo-beta --option=demo/demo-beta@verbosity=low \
  --output="$TMP/run.md" "$PROBLEM" 2>"$TMP/run.err" || fail "run with --option failed: $(cat "$TMP/run.err")"
[ "$(requests)" -eq $((before + 2)) ] || fail "expected 2 requests, got $(( $(requests) - before ))"
contains "$TMP/run.md" "settings: temperature=0.2, max-output-tokens=900" "--option in the export"
contains "$TMP/run.md" "settings: verbosity=low" "MODEL@ --option in the export"
contains "$TMP/run.md" "| price unknown |" "an unpriced candidate's cost"
contains "$TMP/run.md" "| ≥ \$0." "the total of a run with an unpriced model, in dollars"
contains "$TMP/run.md" "(price unknown) |" "the total of a run with an unpriced model"
contains "$TMP/run.md" "The run: " "the run's wall time, tokens and cost"
contains "$TMP/run.err" "price unknown" "progress: price unknown"
pass "--option applies to the --model before it, or to MODEL@; the export shows the settings and costs"

"$CLI" --config="$CONFIG" --model=demo/demo-alpha --budget=5 --output="$TMP/budget.md" "$PROBLEM" \
  2>"$TMP/err" || fail "run within its budget failed: $(cat "$TMP/err")"
contains "$TMP/budget.md" "(budget \$5.0000)" "the budget in the export"
pass "a run within its budget runs, and its export names the budget"

# --- the budget reached while the judge answers --------------------------------
"$CLI" --config="$CONFIG" --model=demo/demo-alpha:2 --judge=demo/demo-judge+slow=50 --budget=0.10 \
  --output="$TMP/judge-budget.md" "$PROBLEM" 2>"$TMP/err" || fail "run stopped in the judge failed: $(cat "$TMP/err")"
contains "$TMP/judge-budget.md" "0.1000 during the synthesis: the requests still answering were stopped" "the budget in the judge stage"
contains "$TMP/judge-budget.md" "votes and consensus only" "the result without the judge"
contains "$TMP/judge-budget.md" "| judge (demo-judge+slow=50) |" "the judge's row"
pass "a budget reached while the judge answers stops it; the run ends with votes and consensus, saying why"

# --- what a request stopped at the budget used: counted, marked estimated -------
"$CLI" --config="$CONFIG" --model=demo/demo-alpha --model=demo/demo-gamma+slow=$GAMMA_MS --budget=0.50 \
  --format=json --output="$TMP/stopped.json" "$PROBLEM" 2>"$TMP/err" || fail "run stopped at its budget failed: $(cat "$TMP/err")"
contains "$TMP/err" "tokens (usage estimated in part)" "the summary of a run with estimated usage"
python3 - "$TMP/stopped.json" <<'CS_EOF' || fail "the estimated usage in the run's JSON"
import json, sys
run = json.load(open(sys.argv[1]))
slow = [c for c in run["candidates"] if "demo-gamma+slow=" in c["model"]][0]
alpha = [c for c in run["candidates"] if c["model"].endswith("demo-alpha")][0]
assert slow["status"] == "cancelled", slow["status"]
assert slow["usage"]["estimated"] is True, slow["usage"]
assert slow["usage"]["input_tokens"] > 0 and slow["usage"]["output_tokens"] > 0, slow["usage"]
assert slow["cost_usd"] > 0.4, slow["cost_usd"]
assert "estimated" not in alpha["usage"], alpha["usage"]
assert run["totals"]["usage_estimated"] is True, run["totals"]
assert run["totals"]["cost_usd"] >= 0.5, run["totals"]
CS_EOF
contains "$TMP/judge-budget.md" "(usage estimated in part)" "the export of a run whose judge was stopped"
pass "a request stopped at the budget before its usage counts its prompt and its text, marked estimated"

expect_exit 2 "unknown option key" -- "$CLI" --config="$CONFIG" --model=demo/demo-alpha --option=top_p=1 "$PROBLEM" 2>"$TMP/err"
contains "$TMP/err" "unknown option" "bad --option"
expect_exit 2 "option for a model not asked" -- \
  "$CLI" --config="$CONFIG" --model=demo/demo-alpha --option=demo/demo-judge@n=2 "$PROBLEM" 2>"$TMP/err"
contains "$TMP/err" "is not among the models asked" "--option for another model"
pass "a bad --option is a usage error"

echo "1..$n_pass"
