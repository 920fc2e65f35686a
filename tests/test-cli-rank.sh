#!/bin/sh
# test-cli-rank.sh: consilium-cli --rank, --fallback-judge and --seed end to
# end, against the standalone test provider over HTTP
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu

CLI=${CONSILIUM_CLI:?CONSILIUM_CLI must point at consilium-cli}
PROVIDER=${CONSILIUM_TEST_PROVIDER:?CONSILIUM_TEST_PROVIDER must point at consilium-test-provider}

. "$(dirname "$0")/cli-lib.sh"
cs_setup cli-rank

# json FILE EXPR: evaluates the Python expression EXPR over the file's JSON (as r)
json () {
  python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print($2)" "$1"
}

start_provider provider --record="$TMP/requests.jsonl"

CONFIG="$TMP/providers.ini"
cat >"$CONFIG" <<EOF
[provider demo]
base-url=http://127.0.0.1:$PORT/v1
api=openai-chat
models=demo-alpha;demo-beta;demo-gamma;demo-thinking;demo-judge;demo-judge+invalid
max-concurrent=8
requests-per-minute=0
max-retries=0

[model demo/demo-beta]
structured-output=json-object
EOF
PROBLEM="$TMP/problem.txt"
echo "Design a URL shortener for 10 million new links a day." >"$PROBLEM"
MODELS="--model=demo/demo-alpha --model=demo/demo-beta --model=demo/demo-gamma --model=demo/demo-thinking"

"$CLI" --help >"$TMP/help.txt" 2>&1 || fail "--help failed"
for opt in --rank --fallback-judge --seed; do
  contains "$TMP/help.txt" "$opt" "--help"
done
pass "--help lists --rank, --fallback-judge and --seed"

# --- --rank, JSON ---------------------------------------------------------------
# shellcheck disable=SC2086
"$CLI" --config="$CONFIG" --quiet --format=json --rank --seed=42 $MODELS \
  --judge=demo/demo-judge+invalid --fallback-judge=demo/demo-judge "$PROBLEM" >"$TMP/run.json" 2>"$TMP/err" \
  || fail "--rank run failed: $(cat "$TMP/err")"
[ "$(json "$TMP/run.json" 'r["rank"]')" = "True" ] || fail "the run says rank"
[ "$(json "$TMP/run.json" 'r["seed"]')" = "42" ] || fail "the seed is saved"
[ "$(json "$TMP/run.json" 'r["fallback_judge"]')" = "demo/demo-judge" ] || fail "the fallback judge is saved"
[ "$(json "$TMP/run.json" 'r["ranking"]["method"]')" = "borda" ] || fail "the ranking's method"
[ "$(json "$TMP/run.json" 'len(r["ranking"]["ballots"])')" = "4" ] || fail "four ballots"
[ "$(json "$TMP/run.json" 'sorted(x["place"] for x in r["ranking"]["rows"])')" = "[1, 2, 3, 4]" ] \
  || fail "four places: $(json "$TMP/run.json" 'r["ranking"]["rows"]')"
# each ballot holds the three other candidates, never the ranker's own
[ "$(json "$TMP/run.json" 'all(len(b["order"]) == 3 and b["ranker"] not in [o["candidate"] for o in b["order"]] for b in r["ranking"]["ballots"])')" = "True" ] \
  || fail "each ballot ranks the three others"
# Borda: on ballots of 3, the points total 4 × (2 + 1 + 0)
[ "$(json "$TMP/run.json" 'sum(x["points"] for x in r["ranking"]["rows"])')" = "12.0" ] || fail "Borda points add up"
# the first judge failed twice (its reply and its repair), the fallback judged
[ "$(json "$TMP/run.json" 'r["synthesis"]["judge_model"]')" = "demo/demo-judge" ] || fail "the fallback judge judged"
[ "$(json "$TMP/run.json" '"judge" in r["synthesis"]["methods"]')" = "True" ] || fail "judged"
[ "$(json "$TMP/run.json" '"The judge, demo-judge+invalid from demo, failed" in r["synthesis"]["note"]')" = "True" ] \
  || fail "the note names the first judge's failure"
pass "--rank --fallback-judge --seed: the ranking, seed and fallback judge in the run's JSON"

# --- --rank, Markdown -----------------------------------------------------------
# shellcheck disable=SC2086
"$CLI" --config="$CONFIG" --quiet --rank $MODELS --judge=demo/demo-judge "$PROBLEM" >"$TMP/run.md" 2>"$TMP/err" \
  || fail "--rank Markdown run failed: $(cat "$TMP/err")"
contains "$TMP/run.md" "## Peer ranking" "Markdown"
contains "$TMP/run.md" "| Place | Candidate | Points | Mean rank | Ballots |" "Markdown"
contains "$TMP/run.md" "| peer ranking |" "Markdown cost table"
pass "--rank: the ranking table in the Markdown"

# --- without --rank, no ranking -------------------------------------------------
"$CLI" --config="$CONFIG" --quiet --format=json --model=demo/demo-alpha --model=demo/demo-gamma \
  --model=demo/demo-thinking "$PROBLEM" >"$TMP/plain.json" 2>"$TMP/err" || fail "plain run failed"
[ "$(json "$TMP/plain.json" 'r["ranking"]')" = "None" ] || fail "no ranking without --rank"
pass "no ranking without --rank"

# --- the providers file's [synthesis] fallback-judge, without the option ----------
cp "$CONFIG" "$TMP/with-fallback.ini"
printf '\n[synthesis]\nfallback-judge=demo/demo-judge\n' >>"$TMP/with-fallback.ini"
"$CLI" --config="$TMP/with-fallback.ini" --quiet --format=json --model=demo/demo-alpha --model=demo/demo-gamma \
  --judge=demo/demo-judge+invalid "$PROBLEM" >"$TMP/fb.json" 2>"$TMP/err" || fail "[synthesis] run failed: $(cat "$TMP/err")"
[ "$(json "$TMP/fb.json" 'r["fallback_judge"]')" = "demo/demo-judge" ] || fail "the file's fallback judge"
[ "$(json "$TMP/fb.json" 'r["synthesis"]["judge_model"]')" = "demo/demo-judge" ] || fail "the file's fallback judge judged"
pass "[synthesis] fallback-judge in the providers file is the default"

# --- a ranker asks with the settings its candidate's request went with -----------
# the providers file says otherwise for demo-alpha: --option wins, for the ranker too
cp "$CONFIG" "$TMP/knobs.ini"
printf '\n[model demo/demo-alpha]\ntemperature=1.5\nmax-output-tokens=9000\n' >>"$TMP/knobs.ini"
"$CLI" --config="$TMP/knobs.ini" --quiet --format=json --rank --model=demo/demo-alpha --option=temperature=0.3 \
  --option=max-output-tokens=700 --model=demo/demo-gamma --option=verbosity=low \
  --model=demo/demo-thinking:2 --option=reasoning-effort=low \
  --judge=demo/demo-judge "$PROBLEM" >"$TMP/knobs.json" 2>"$TMP/err" || fail "--rank with --option: $(cat "$TMP/err")"
python3 - "$TMP/requests.jsonl" "$TMP/knobs.json" <<'EOF' || fail "the rankers' requests and their settings in the run"
import json, sys
run = json.load(open(sys.argv[2]))
asked = [json.loads(l) for l in open(sys.argv[1]).read().splitlines()]
run_models = {"demo-alpha", "demo-gamma", "demo-thinking"}
# this run's requests: the last ones to its models (the judge's last)
def requests_of(model):
    return [r["body"] for r in asked if r["model"] == model]
def is_ranking(body):
    text = json.dumps(body.get("messages"))
    return "peer_ranking" in json.dumps(body.get("response_format")) or "Answer A" in text
cands = {c["id"]: c for c in run["candidates"]}
assert [c["model"] for c in run["candidates"]] == ["demo/demo-alpha", "demo/demo-gamma", "demo/demo-thinking",
                                                 "demo/demo-thinking"], [c["model"] for c in run["candidates"]]
alpha = [b for b in requests_of("demo-alpha") if is_ranking(b)][-1:]
gamma = [b for b in requests_of("demo-gamma") if is_ranking(b)][-1:]
thinking = [b for b in requests_of("demo-thinking") if is_ranking(b)][-2:]
assert alpha and alpha[0]["temperature"] == 0.3 and alpha[0]["max_completion_tokens"] == 700, alpha
assert "verbosity" not in alpha[0], alpha
assert gamma and gamma[0]["verbosity"] == "low" and gamma[0].get("temperature") == cands["c2"].get("temperature"), gamma
# the two demo-thinking candidates went with temperatures of their own (the plan's spread):
# each ranker with its candidate's
assert len(thinking) == 2, len(thinking)
for b in thinking:
    assert b.get("n", 1) == 1 and b["reasoning_effort"] == "low", b
assert sorted(b.get("temperature") for b in thinking) == \
    sorted(cands[c]["temperature"] for c in ("c3", "c4")), [b.get("temperature") for b in thinking]
assert cands["c3"]["temperature"] != cands["c4"]["temperature"]
s = run["ranking"]["settings"]
assert sorted(s) == ["c1", "c2", "c3", "c4"], sorted(s)
assert s["c1"]["temperature"] == 0.3 and s["c1"]["max_output_tokens"] == 700, s["c1"]
assert s["c2"]["verbosity"] == "low" and s["c3"]["reasoning_effort"] == "low", s
for cid, c in cands.items():
    assert s[cid]["temperature"] == c.get("temperature"), (cid, s[cid], c.get("temperature"))
EOF
pass "--rank: each ranker asks with its candidate's settings (one answer), recorded in the run's ranking"

# --- usage ----------------------------------------------------------------------
set +e
"$CLI" --config="$CONFIG" --seed=minus-one "$PROBLEM" >/dev/null 2>"$TMP/err"; got=$?
set -e
[ "$got" -eq 2 ] || fail "a bad --seed: exit $got"
contains "$TMP/err" "--seed" "bad --seed"
set +e
"$CLI" --config="$CONFIG" --fallback-judge=demo/nope "$PROBLEM" >/dev/null 2>"$TMP/err"; got=$?
set -e
[ "$got" -eq 2 ] || fail "an unknown fallback judge: exit $got"
contains "$TMP/err" "demo/nope" "unknown fallback judge"
pass "a bad --seed or an unknown --fallback-judge exits 2"

echo "1..$n_pass"
