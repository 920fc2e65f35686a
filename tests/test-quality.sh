#!/bin/sh
# test-quality.sh: bench-quality (the quality harness) against the standalone
# test provider, over HTTP: the runs go through the engine, the blind
# pairwise judge answers from the request (tests/provider/
# cs-test-provider-compare.c: the longer answer wins; with the token
# "position", answer A always wins). Checks that the printed figures are
# well-formed and add up, per problem and overall, in JSON and in text.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu

HARNESS=${CONSILIUM_BENCH_QUALITY:?CONSILIUM_BENCH_QUALITY must point at bench-quality}
PROVIDER=${CONSILIUM_TEST_PROVIDER:?CONSILIUM_TEST_PROVIDER must point at consilium-test-provider}
PROBLEMS=${CONSILIUM_PROBLEMS:?CONSILIUM_PROBLEMS must point at data/problems}
. "$(dirname "$0")/cli-lib.sh"
cs_setup quality

# sanitizer builds run several times slower: wait longer, measure fewer problems
LIMIT=2
[ "$CS_SLOW" -eq 1 ] || LIMIT=1

# --- the provider -----------------------------------------------------------
start_provider provider
pass "test provider listening on port $PORT"

# demo-gamma has no price: its cost must say "price unknown", never $0.
CONFIG="$TMP/providers.ini"
cat >"$CONFIG" <<EOF
[provider demo]
base-url=http://127.0.0.1:$PORT/v1
api=openai-chat
models=demo-alpha;demo-beta;demo-gamma;demo-judge;demo-judge+position;demo-judge+invalid;demo-judge+invalidonce;demo-beta+400;demo-alpha+slow=100
max-concurrent=8
requests-per-minute=0
max-retries=0

[model demo/demo-alpha]
price-input=0.60
price-output=2.50

[model demo/demo-beta]
price-input=0.60
price-output=2.50

[model demo/demo-judge]
price-input=1.25
price-output=10.00

[model demo/demo-judge+position]
price-input=1.25
price-output=10.00

[model demo/demo-judge+invalid]
price-input=1.25
price-output=10.00

[model demo/demo-judge+invalidonce]
price-input=1.25
price-output=10.00
EOF

# The shipped problem sets: at least 20 of each mode, each well-formed.
python3 - "$PROBLEMS" <<'EOF' || fail "the shipped problem sets"
import json, os, sys
d = sys.argv[1]
counts = {}
for name in sorted(os.listdir(d)):
    if not name.endswith(".json"):
        continue
    s = json.load(open(os.path.join(d, name)))
    assert s["mode"] in ("architect", "support"), name
    ids = set()
    for p in s["problems"]:
        assert p["id"] and p["id"] not in ids, (name, p["id"])
        ids.add(p["id"])
        assert len(p["problem"]) >= 80, (name, p["id"], "too short to be specific")
        assert all(isinstance(v, str) and v for v in p.get("constraints", {}).values()), (name, p["id"])
        # the blind judge's test provider flags a request that says "synthesis"
        assert "synthes" not in json.dumps(p).lower(), (name, p["id"])
    counts[s["mode"]] = counts.get(s["mode"], 0) + len(s["problems"])
assert counts.get("architect", 0) >= 20 and counts.get("support", 0) >= 20, counts
EOF
pass "the shipped problem sets: >= 20 architect and >= 20 support problems"

# --- the figures add up (JSON) ----------------------------------------------
# Checks one bench-quality JSON report: $1 the file, $2 the expected
# consistency ("one", "zero" or "none").
check_json () {
  python3 - "$1" "$2" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
want = sys.argv[2]
h = d["harness"]
assert h["blind"] is True and h["orders"] == 2, h

def check_figures(f, where):
    assert f["judgements"] == 2 * f["pairs"], (where, f)
    assert f["wins"] + f["ties"] + f["losses"] + f["failed"] == f["judgements"], (where, f)
    assert f["consistent_pairs"] <= f["decided_pairs"] <= f["pairs"], (where, f)
    assert f["pair_wins"] + f["pair_ties"] + f["pair_losses"] == f["decided_pairs"], (where, f)
    decided = f["wins"] + f["ties"] + f["losses"]
    if decided:
        assert abs(f["win_rate"] - f["wins"] / decided) < 1e-9, (where, f)
    else:
        assert f["win_rate"] is None, (where, f)
    if f["decided_pairs"]:
        assert 0.0 <= f["consistency"] <= 1.0, (where, f)
        assert abs(f["consistency"] - f["consistent_pairs"] / f["decided_pairs"]) < 1e-9, (where, f)
    else:
        assert f["consistency"] is None, (where, f)
    if want == "one":
        assert f["failed"] == 0 and f["consistency"] == 1.0, (where, f)
    elif want == "zero":
        # answer A always wins: every pair is one win and one loss
        assert f["failed"] == 0 and f["ties"] == 0 and f["consistency"] == 0.0, (where, f)
        assert f["wins"] == f["losses"] == f["pairs"] and f["pair_ties"] == f["pairs"], (where, f)
    elif want == "none":
        assert f["failed"] == f["judgements"] and f["consistency"] is None, (where, f)

def check_cost(c, where):
    for part in ("run", "judging"):
        x = c[part]
        assert x["input_tokens"] > 0 and x["output_tokens"] > 0, (where, part, x)
        assert x["usd"] is None or x["usd"] > 0, (where, part, x)

sums = {k: 0 for k in ("judgements", "wins", "ties", "losses", "failed", "pairs",
                       "decided_pairs", "consistent_pairs", "pair_wins", "pair_ties", "pair_losses")}
tokens = {"run": 0, "judging": 0}
for p in d["problems"]:
    where = p["set"] + "/" + p["id"]
    assert p["ran"] and p["error"] is None, (where, p["error"])
    assert "judge" in p["methods"].split("+"), (where, p["methods"])
    assert p["valid"] <= p["candidates"] and len(p["comparisons"]) == p["valid"] >= 1, where
    check_figures(p["figures"], where)
    check_cost(p["cost"], where)
    for c in p["comparisons"]:
        for order in ("synthesis_as_a", "synthesis_as_b"):
            j = c[order]
            if j["verdict"] is None:
                assert j["outcome"] == "failed" and j["error"], (where, j)
                continue
            assert j["verdict"] in ("A", "B", "tie"), (where, j)
            assert j["reason"] and "\n" not in j["reason"], (where, j)
            # blind: the request named no model and no synthesis
            assert not j["reason"].startswith("LEAK"), (where, j["reason"])
            a_wins = {"A": "win", "B": "loss", "tie": "tie"}[j["verdict"]]
            expect = a_wins if order == "synthesis_as_a" else {"win": "loss", "loss": "win", "tie": "tie"}[a_wins]
            assert j["outcome"] == expect, (where, order, j)
        if c["agree"] is not None:
            assert c["agree"] == (c["synthesis_as_a"]["outcome"] == c["synthesis_as_b"]["outcome"]), (where, c)
    for k in sums:
        sums[k] += p["figures"][k]
    for part in tokens:
        tokens[part] += p["cost"][part]["input_tokens"] + p["cost"][part]["output_tokens"]

o = d["overall"]
assert o["problems"] == len(d["problems"]) == o["with_result"], o
# each set's figures are its problems', and the sets add up to the overall
assert [s["set"] for s in d["sets"]] == sorted({p["set"] for p in d["problems"]}), d["sets"]
for s in d["sets"]:
    check_figures(s["figures"], "set " + s["set"])
for k in sums:
    assert sum(s["figures"][k] for s in d["sets"]) == o["figures"][k], ("sets", k)
    assert all(s["figures"][k] == sum(p["figures"][k] for p in d["problems"] if p["set"] == s["set"])
               for s in d["sets"]), ("set", k)
assert sum(s["problems"] for s in d["sets"]) == o["problems"], d["sets"]
check_figures(o["figures"], "overall")
for k in sums:
    assert o["figures"][k] == sums[k], ("overall", k, o["figures"][k], sums[k])
for part in tokens:
    assert o["cost"][part]["input_tokens"] + o["cost"][part]["output_tokens"] == tokens[part], ("overall cost", part)
assert o["wall_s"]["run"] > 0 and o["wall_s"]["judging"] > 0, o["wall_s"]
print("problems %d, judgements %d (%d wins, %d ties, %d losses, %d failed), consistency %s" % (
    o["problems"], o["figures"]["judgements"], o["figures"]["wins"], o["figures"]["ties"],
    o["figures"]["losses"], o["figures"]["failed"], o["figures"]["consistency"]))
EOF
}

"$HARNESS" --config="$CONFIG" --problems="$PROBLEMS" --limit=$LIMIT \
  --model=demo/demo-alpha --model=demo/demo-beta --model=demo/demo-gamma \
  --judge=demo/demo-judge --format=json >"$TMP/consistent.json" 2>"$TMP/err" \
  || fail "bench-quality failed: $(cat "$TMP/err")"
out=$(check_json "$TMP/consistent.json" one) || fail "the JSON figures of a consistent judge: $out"
python3 - "$TMP/consistent.json" "$LIMIT" <<'EOF' || fail "problems, prices, order"
import json, sys
d = json.load(open(sys.argv[1])); limit = int(sys.argv[2])
modes = [p["mode"] for p in d["problems"]]
assert modes.count("architect") == limit and modes.count("support") == limit, modes
# demo-gamma has no price: named, the known part still counted
run = d["overall"]["cost"]["run"]
assert run["price_unknown"] == ["demo/demo-gamma"] and run["usd"] > 0, run
assert d["overall"]["cost"]["judging"]["price_unknown"] == [], d["overall"]["cost"]["judging"]
EOF
[ ! -e "$XDG_DATA_HOME/consilium/runs" ] || fail "runs were saved without --keep-runs"
pass "a consistent judge: $out"

# --- text, and a judge with a position bias ---------------------------------
"$HARNESS" --config="$CONFIG" --problems="$PROBLEMS" --limit=1 \
  --model=demo/demo-alpha --model=demo/demo-beta --run-judge=demo/demo-judge \
  --judge=demo/demo-judge+position >"$TMP/position.txt" 2>"$TMP/err" \
  || fail "bench-quality (position) failed: $(cat "$TMP/err")"
python3 - "$TMP/position.txt" <<'EOF' || fail "the text figures of a position-biased judge: $(cat "$TMP/position.txt")"
import re, sys
text = open(sys.argv[1]).read()
blocks = re.findall(r"judgements: (\d+): (\d+) wins, (\d+) ties, (\d+) losses, (\d+) failed; win rate (\S+)\n"
                    r"  order consistency: (\S+) \((\d+) of (\d+) pairs agree in both orders; (\d+) pairs\)\n"
                    r"  pairs, both orders: (\d+) wins, (\d+) ties, (\d+) losses\n"
                    r"  cost: run (\d+) in \+ (\d+) out tokens, \$(\d+\.\d+); judging (\d+) in \+ (\d+) out tokens, \$(\d+\.\d+)\n"
                    r"  wall: run (\d+\.\d+) s, judging (\d+\.\d+) s\n", text)
assert len(blocks) == 5, (len(blocks), text)   # two problems, their two sets, overall
assert text.count("\noverall: 2 problems, 2 with a result\n") == 1, text
assert text.count("\nset architect: 1 problem, 1 with a result\n") == 1, text
assert text.count("\nset support: 1 problem, 1 with a result\n") == 1, text
# a set of one problem has that problem's figures
assert blocks[2] == blocks[0] and blocks[3] == blocks[1], blocks
tot = [0] * 4
for i, b in enumerate(blocks):
    n, w, t, l, f = map(int, b[:5])
    assert w + t + l + f == n and f == 0 and t == 0 and w == l, b
    assert b[5] == "%.2f" % (w / (w + t + l)), b
    assert b[6] == "0.00" and int(b[7]) == 0 and int(b[8]) == int(b[9]) == n // 2, b
    assert int(b[10]) == 0 and int(b[11]) == n // 2 and int(b[12]) == 0, b
    if i < 2:
        tot = [x + y for x, y in zip(tot, (n, w, t, l))]
    elif i < 4:
        pass
    else:
        assert tot == [n, w, t, l], (tot, b)
EOF
pass "a position-biased judge: consistency 0.00, as many wins as losses (text)"

# --- a failed candidate, a repaired verdict, verdicts that never fit --------
"$HARNESS" --config="$CONFIG" --problems="$PROBLEMS/support.json" --limit=1 --quiet \
  --model=demo/demo-alpha --model=demo/demo-beta+400 --model=demo/demo-beta \
  --judge=demo/demo-judge+invalidonce --run-judge=none --keep-runs --format=json >"$TMP/repair.json" 2>"$TMP/err" \
  || fail "bench-quality (repair) failed: $(cat "$TMP/err")"
[ ! -s "$TMP/err" ] || fail "--quiet wrote to standard error: $(cat "$TMP/err")"
python3 - "$TMP/repair.json" "$XDG_DATA_HOME/consilium/runs" <<'EOF' || fail "a failed candidate and a repaired verdict"
import json, os, sys
d = json.load(open(sys.argv[1]))
p, = d["problems"]
# --keep-runs: the run is in the history, complete
assert d["harness"]["runs_kept"] is True, d["harness"]
run = json.load(open(os.path.join(sys.argv[2], p["run_id"] + ".json")))
assert run["id"] == p["run_id"] and len(run["candidates"]) == 3, run["id"]
assert d["harness"]["run_judge"] is None and "judge" not in p["methods"].split("+"), p["methods"]
assert p["candidates"] == 3 and p["valid"] == 2 and len(p["comparisons"]) == 2, p
assert p["figures"]["failed"] == 0 and p["figures"]["judgements"] == 4, p["figures"]
assert {c["candidate"] for c in p["comparisons"]} == {"c1", "c3"}, p["comparisons"]
# the first verdict was invalid: its repair request sent the conversation again
tokens = sorted(c[o]["input_tokens"] for c in p["comparisons"] for o in ("synthesis_as_a", "synthesis_as_b"))
assert tokens[-1] > 1.5 * tokens[0] and tokens[-2] < 1.5 * tokens[0], tokens
EOF
pass "a failed candidate is not compared; an invalid verdict is repaired; --keep-runs saves the run"

"$HARNESS" --config="$CONFIG" --problems="$PROBLEMS/architect.json" --limit=1 --quiet \
  --model=demo/demo-alpha --model=demo/demo-beta --model=demo/demo-gamma --run-judge=demo/demo-judge \
  --rank --keep-runs --judge=demo/demo-judge+invalid --format=json >"$TMP/invalid.json" 2>"$TMP/err" \
  || fail "bench-quality (invalid) failed: $(cat "$TMP/err")"
out=$(check_json "$TMP/invalid.json" none) || fail "the JSON figures of a judge that never fits: $out"
grep -q '"error" : "the verdict did not fit its schema after a repair request' "$TMP/invalid.json" \
  || fail "no reason given for the failed verdicts: $(head -c 3000 "$TMP/invalid.json")"
python3 - "$TMP/invalid.json" "$XDG_DATA_HOME/consilium/runs" <<'EOF' || fail "--rank and the run's cost"
import json, os, sys
d = json.load(open(sys.argv[1]))
p, = d["problems"]
run = json.load(open(os.path.join(sys.argv[2], p["run_id"] + ".json")))
# --rank: the run has a peer ranking; the run's cost (candidates, judge,
# ranking) is the engine's own total
assert d["harness"]["rank"] is True and run["ranking"]["rows"], run.get("ranking")
cost = p["cost"]["run"]
assert cost["input_tokens"] == run["totals"]["input_tokens"], (cost, run["totals"])
assert cost["output_tokens"] == run["totals"]["output_tokens"], (cost, run["totals"])
assert abs(cost["usd"] - run["totals"]["cost_usd"]) < 1e-9, (cost, run["totals"])
assert cost["price_unknown"] == ["demo/demo-gamma"], cost
EOF
pass "verdicts that never fit count as failed, consistency null; --rank; the run's cost is the engine's total"

# --- no result: every candidate fails ---------------------------------------
set +e
"$HARNESS" --config="$CONFIG" --problems="$PROBLEMS/support.json" --limit=1 --quiet \
  --model=demo/demo-beta+400 --judge=demo/demo-judge --format=json >"$TMP/none.json" 2>"$TMP/err"; st=$?
set -e
[ $st -eq 1 ] || fail "no result: exit $st, expected 1 ($(cat "$TMP/err"))"
python3 - "$TMP/none.json" <<'EOF' || fail "no result: $(head -c 3000 "$TMP/none.json")"
import json, sys
d = json.load(open(sys.argv[1]))
p, = d["problems"]
assert not p["ran"] and "400" in p["error"] and p["comparisons"] == [], p
o = d["overall"]
assert o["with_result"] == 0 and o["figures"]["judgements"] == 0, o
assert o["figures"]["win_rate"] is None and o["figures"]["consistency"] is None, o
EOF
pass "a problem without a result is reported, exit 1 when none has one"

# --- --max-usd: no new problem once the spend reaches it ---------------------
"$HARNESS" --config="$CONFIG" --problems="$PROBLEMS" --limit=2 \
  --model=demo/demo-alpha --model=demo/demo-beta --judge=demo/demo-judge --max-usd=0.0001 \
  --format=json >"$TMP/max.json" 2>"$TMP/err" || fail "--max-usd: $(cat "$TMP/err")"
grep -q -- "--max-usd: .* USD spent; 3 of 4 problems not run" "$TMP/err" || fail "--max-usd said nothing: $(cat "$TMP/err")"
python3 - "$TMP/max.json" <<'EOF' || fail "--max-usd: $(head -c 3000 "$TMP/max.json")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["harness"]["max_usd"] == 0.0001, d["harness"]
# the first problem ran and spent more than that; the other three never started
ran = [(p["set"], p["ran"], p["skipped"]) for p in d["problems"]]
assert ran == [("architect", True, False), ("architect", False, True),
               ("support", False, True), ("support", False, True)], ran
assert all(p["error"].startswith("skipped: ") and p["cost"]["run"]["input_tokens"] == 0
           for p in d["problems"][1:]), d["problems"]
assert d["overall"]["with_result"] == 1 and d["problems"][0]["cost"]["run"]["usd"] > 0.0001, d["overall"]
EOF
pass "--max-usd: no new problem once the spend reached it"

# --- Ctrl+C: the report of what was measured ---------------------------------
"$HARNESS" --config="$CONFIG" --problems="$PROBLEMS" --limit=2 \
  --model=demo/demo-alpha+slow=100 --judge=demo/demo-judge --format=json \
  >"$TMP/int.json" 2>"$TMP/int.err" &
HPID=$!
CS_PIDS="$CS_PIDS $HPID"
wait_until 30 grep -q -s "running…" "$TMP/int.err" ||
  fail "bench-quality did not start a run: $(cat "$TMP/int.err")"
sleep 0.5
kill -INT "$HPID"
set +e
wait "$HPID"; st=$?
set -e
# the first candidate streams for about 10 s: the interrupt stops that run
[ $st -eq 1 ] || fail "interrupted: exit $st, expected 1 ($(cat "$TMP/int.err"))"
grep -q "interrupted: reporting what was measured" "$TMP/int.err" || fail "interrupted: $(cat "$TMP/int.err")"
python3 - "$TMP/int.json" <<'EOF' || fail "interrupted: $(head -c 3000 "$TMP/int.json")"
import json, sys
d = json.load(open(sys.argv[1]))
errors = [p["error"] for p in d["problems"]]
assert errors == ["interrupted", "skipped: interrupted", "skipped: interrupted", "skipped: interrupted"], errors
assert all(p["skipped"] and not p["ran"] and p["comparisons"] == [] for p in d["problems"]), d["problems"]
assert d["overall"]["with_result"] == 0 and d["overall"]["figures"]["judgements"] == 0, d["overall"]
EOF
pass "Ctrl+C stops the run in flight and reports what was measured"

# --- usage ------------------------------------------------------------------
set +e
"$HARNESS" --config="$CONFIG" --model=demo/demo-alpha >/dev/null 2>"$TMP/err"; st=$?
set -e
[ $st -eq 2 ] && grep -q -- "--judge" "$TMP/err" || fail "no judge: exit $st, $(cat "$TMP/err")"
set +e
"$HARNESS" --config="$CONFIG" --model=demo/nope --judge=demo/demo-judge >/dev/null 2>"$TMP/err"; st=$?
set -e
[ $st -eq 2 ] && grep -q "nope" "$TMP/err" || fail "unknown model: exit $st, $(cat "$TMP/err")"
set +e
"$HARNESS" --config="$CONFIG" --model=demo/demo-alpha --judge=demo/demo-judge --problems="$TMP/none.json" >/dev/null 2>"$TMP/err"; st=$?
set -e
[ $st -eq 2 ] || fail "missing problem set: exit $st, $(cat "$TMP/err")"
pass "usage errors exit 2 before any request"

echo "1..$n_pass"
