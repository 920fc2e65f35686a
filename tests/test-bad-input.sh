#!/bin/sh
# test-bad-input.sh: consilium-cli given bad input by the person, and a
# hostile environment (no keyring, a full or read-only disk), against the
# standalone test provider over loopback HTTP. Rows of the fault matrix in
# docs/RELIABILITY.md.
#
# Each case checks the exit status, that the message names the problem, and
# that nothing was lost (the problem kept whole in the run file and the
# output). CONSILIUM_TEST_KNOWN_BUGS=1 also runs the checks of known bugs
# (they are reported as "# SKIP known bug" otherwise).
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu

CLI=${CONSILIUM_CLI:?CONSILIUM_CLI must point at consilium-cli}
PROVIDER=${CONSILIUM_TEST_PROVIDER:?CONSILIUM_TEST_PROVIDER must point at consilium-test-provider}
KNOWN_BUGS=${CONSILIUM_TEST_KNOWN_BUGS:-}

. "$(dirname "$0")/cli-lib.sh"
cs_setup bad-input

export LC_ALL=C.UTF-8

skip_known_bug () {
  n_pass=$((n_pass + 1))
  echo "ok $n_pass - $1 # SKIP known bug: $2"
}
n_runs () {
  if [ -d "$RUNS" ]; then ls "$RUNS" | wc -l; else echo 0; fi
}

# --- the provider -----------------------------------------------------------
start_provider provider

CONFIG="$TMP/providers.ini"
cat >"$CONFIG" <<EOF
[provider demo]
base-url=http://127.0.0.1:$PORT/v1
api=openai-chat
models=demo-alpha;demo-beta;demo-judge;demo-alpha+404
max-concurrent=8
requests-per-minute=0
max-retries=0

[provider locked]
base-url=http://127.0.0.1:$PORT/v1
api=openai-chat
key-optional=false
models=demo-gamma
EOF

PROBLEM="$TMP/problem.txt"
printf 'Design a URL shortener for 10 million new links a day.\n' >"$PROBLEM"

# --- an empty problem ---------------------------------------------------------
before=$(n_runs)
: >"$TMP/empty.txt"
expect_exit 2 "0-byte problem" -- "$CLI" --config="$CONFIG" "$TMP/empty.txt" 2>"$TMP/err"
contains "$TMP/err" "the problem is empty" "0-byte problem"
printf ' \n\t\r\n  \n' >"$TMP/blank.txt"
expect_exit 2 "blank problem" -- "$CLI" --config="$CONFIG" "$TMP/blank.txt" 2>"$TMP/err"
contains "$TMP/err" "the problem is empty" "blank problem"
printf '' | expect_exit 2 "empty standard input" -- "$CLI" --config="$CONFIG" - 2>"$TMP/err"
contains "$TMP/err" "the problem is empty" "empty standard input"
[ "$(n_runs)" -eq "$before" ] || fail "an empty problem left a run file"
pass "an empty problem: exit 2, “the problem is empty”, no run started"

# --- a 1 MB problem ------------------------------------------------------------
python3 - "$TMP/big.txt" "$TMP/toobig.txt" <<'EOF'
import random, sys
random.seed(7)
words = ["cache", "latency", "queue", "shard", "replica", "tenant", "index", "région",
         "failover", "budget", "Überlauf", "日本語", "naïve", "p99"]
out = []
size = 0
while size < 1_000_000:
    line = " ".join(random.choice(words) for _ in range(14)) + ".\n"
    out.append(line)
    size += len(line.encode())
text = "".join(out).encode()
# cut on a character boundary, just under 1 MB
text = text[:1_000_000].decode("utf-8", "ignore").encode()
open(sys.argv[1], "wb").write(text)
open(sys.argv[2], "wb").write(b"x" * (1024 * 1024 + 1))
EOF
"$CLI" --config="$CONFIG" --quiet --format=json --output="$TMP/big.json" \
  --model=demo/demo-alpha --model=demo/demo-beta --judge=demo/demo-judge "$TMP/big.txt" 2>"$TMP/err" \
  || fail "a 1 MB problem failed: $(cat "$TMP/err")"
python3 - "$TMP/big.txt" "$TMP/big.json" "$RUNS" <<'EOF' || fail "the 1 MB problem was not kept whole"
import glob, json, os, sys
problem = open(sys.argv[1], encoding="utf-8").read()
d = json.load(open(sys.argv[2]))
assert d["problem"] == problem, "the output's problem differs"
assert [c["status"] for c in d["candidates"]] == ["ok", "ok"], [c["status"] for c in d["candidates"]]
assert "judge" in d["synthesis"]["methods"], d["synthesis"]["methods"]
found = False
for path in glob.glob(os.path.join(sys.argv[3], "*.json")):
    run = json.load(open(path))
    if run.get("problem") == problem:
        found = True
assert found, "no run file holds the whole problem"
EOF
pass "a 1 MB problem (multi-byte text): answered, kept whole in the output and the run file"

expect_exit 2 "problem over 1 MiB" -- "$CLI" --config="$CONFIG" "$TMP/toobig.txt" 2>"$TMP/err"
contains "$TMP/err" "is larger than 1048576 bytes" "problem over 1 MiB"
expect_exit 2 "problem over 1 MiB on stdin" -- "$CLI" --config="$CONFIG" - <"$TMP/toobig.txt" 2>"$TMP/err"
contains "$TMP/err" "standard input is larger than 1048576 bytes" "problem over 1 MiB on stdin"
pass "a problem over 1 MiB: exit 2 with the limit, before any request"

# --- an endless problem file ---------------------------------------------------
# /dev/zero (a device) is refused without being read; a named pipe whose
# writer never stops is read up to the same 1 MiB bound as standard input.
# Memory is capped so that a reader without a bound fails here instead of
# growing to gigabytes; not under AddressSanitizer, which reserves terabytes
# of address space for its shadow memory and cannot start under a cap (there
# the 30 s timeout and the exit status still tell a bounded reader).
MEMORY_CAP="ulimit -v 1000000"
if [ -n "${ASAN_OPTIONS:-}" ]; then
  MEMORY_CAP=true
fi
mkfifo "$TMP/endless.fifo"
for endless in /dev/zero "$TMP/endless.fifo"; do
  if [ -p "$endless" ]; then
    ( yes 'an endless problem' >"$endless" 2>/dev/null & )
  fi
  set +e
  ( $MEMORY_CAP 2>/dev/null; exec timeout 30 "$CLI" --config="$CONFIG" "$endless" ) 2>"$TMP/err"
  got=$?
  set -e
  [ "$got" -eq 2 ] || fail "endless problem $endless: exit status $got, expected 2 ($(head -c 500 "$TMP/err"))"
  contains "$TMP/err" "$endless" "endless problem $endless: the path"
done
contains "$TMP/err" "is larger than 1048576 bytes" "endless pipe: the bound"
# a device is refused, without being read
expect_exit 2 "a device as problem" -- "$CLI" --config="$CONFIG" /dev/zero 2>"$TMP/err"
contains "$TMP/err" "/dev/zero is not a regular file, a pipe or a terminal" "a device as problem"
# a directory
expect_exit 2 "a directory as problem" -- "$CLI" --config="$CONFIG" "$TMP" 2>"$TMP/err"
contains "$TMP/err" "$TMP" "a directory as problem"
pass "an endless problem (/dev/zero, an endless pipe): exit 2 within the 1 MiB bound, memory bounded"

# --- invalid UTF-8 and binary ---------------------------------------------------
printf 'caf\351 cr\350me: the Latin-1 text of an old mail\n' >"$TMP/latin1.txt"
printf '\177ELF\002\001\001\000\000\000binary\000\000' >"$TMP/binary.txt"
head -c 4096 /dev/urandom >"$TMP/random.bin"
for f in latin1.txt binary.txt random.bin; do
  expect_exit 2 "$f" -- "$CLI" --config="$CONFIG" "$TMP/$f" 2>"$TMP/err"
  contains "$TMP/err" "$f is not UTF-8 text" "$f"
done
expect_exit 2 "binary on stdin" -- "$CLI" --config="$CONFIG" - <"$TMP/binary.txt" 2>"$TMP/err"
contains "$TMP/err" "standard input is not UTF-8 text" "binary on stdin"
pass "invalid UTF-8 and binary: exit 2, “not UTF-8 text”, no crash"

# valid UTF-8 that a terminal or a Markdown file could choke on is kept as is
printf 'Why does \033[31mnginx\033[0m say 502?\r\n```\n# not a heading\n| a | b |\n\342\200\256 RTL \360\237\222\245 emoji \342\200\250 line separator\n' >"$TMP/hostile.txt"
"$CLI" --config="$CONFIG" --quiet --mode=support --format=json --output="$TMP/hostile.json" \
  --model=demo/demo-alpha "$TMP/hostile.txt" 2>"$TMP/err" || fail "a problem with control characters failed: $(cat "$TMP/err")"
"$CLI" --config="$CONFIG" --quiet --mode=support --output="$TMP/hostile.md" \
  --model=demo/demo-alpha "$TMP/hostile.txt" 2>"$TMP/err" || fail "a problem with control characters failed: $(cat "$TMP/err")"
python3 - "$TMP/hostile.txt" "$TMP/hostile.json" "$TMP/hostile.md" <<'EOF' || fail "control characters"
import json, sys
problem = open(sys.argv[1], encoding="utf-8", newline="").read()
d = json.load(open(sys.argv[2], encoding="utf-8", newline=""))
assert d["problem"] == problem, (d["problem"], problem)
md = open(sys.argv[3], encoding="utf-8").read()
assert "\033" not in md, "a raw escape sequence reached the Markdown export"
EOF
pass "escape sequences, CR, fences, RTL marks and emoji: kept in JSON, no raw escape in Markdown"

# --- a base URL that is not a URL -------------------------------------------------
printf '[provider demo]\nbase-url=not a url\napi=openai-chat\nmodels=demo-alpha\n' >"$TMP/bad-url.ini"
expect_exit 2 "base-url not a URL" -- "$CLI" --config="$TMP/bad-url.ini" "$PROBLEM" 2>"$TMP/err"
contains "$TMP/err" "bad-url.ini" "base-url not a URL: the file"
contains "$TMP/err" "[provider demo]" "base-url not a URL: the group"
contains "$TMP/err" "not a URL" "base-url not a URL: what is wrong"
printf '[provider far]\nbase-url=http://api.example.com/v1\napi=openai-chat\nmodels=m\n' >"$TMP/plain-http.ini"
expect_exit 2 "plain http to a public host" -- "$CLI" --config="$TMP/plain-http.ini" "$PROBLEM" 2>"$TMP/err"
contains "$TMP/err" "plain-http.ini" "plain http: the file"
contains "$TMP/err" "[provider far]" "plain http: the group"
contains "$TMP/err" "https" "plain http: what is needed"
pass "a base URL that is not a URL, or plain http to a public host: exit 2 naming file and group"

# --- a model that does not exist ---------------------------------------------------
expect_exit 2 "unknown model" -- "$CLI" --config="$CONFIG" --model=demo/demo-omega "$PROBLEM" 2>"$TMP/err"
contains "$TMP/err" "unknown model demo/demo-omega (known: demo/demo-alpha, demo/demo-beta, demo/demo-judge" "unknown model"
expect_exit 2 "unknown provider" -- "$CLI" --config="$CONFIG" --model=nobody/demo-alpha "$PROBLEM" 2>"$TMP/err"
contains "$TMP/err" "nobody/demo-alpha" "unknown provider"
contains "$TMP/err" "known: demo/demo-alpha" "unknown provider lists the known models"
pass "a model that is not configured: exit 2 listing the known models"

# a configured model the provider does not know: a failed candidate, said clearly
expect_exit 1 "only a 404 model" -- "$CLI" --config="$CONFIG" --model=demo/demo-alpha+404 "$PROBLEM" 2>"$TMP/err"
contains "$TMP/err" "no candidate succeeded" "only a 404 model"
contains "$TMP/err" "Model or endpoint not found at demo (HTTP 404)" "only a 404 model"
"$CLI" --config="$CONFIG" --quiet --format=json --output="$TMP/404.json" \
  --model=demo/demo-alpha --model=demo/demo-alpha+404 "$PROBLEM" 2>"$TMP/err" || fail "404 beside a good model: $(cat "$TMP/err")"
python3 - "$TMP/404.json" <<'EOF' || fail "404 candidate"
import json, sys
d = json.load(open(sys.argv[1]))
c = d["candidates"]
assert [x["status"] for x in c] == ["ok", "failed"], [x["status"] for x in c]
assert "Model or endpoint not found" in c[1]["error"] and "demo-alpha+404" in c[1]["error"], c[1]["error"]
EOF
pass "a model that answers 404: candidate failed with the provider's message; alone: exit 1"

# --- a corrupt providers file ---------------------------------------------------------
printf '[provider demo]\nbase-url=http://127.0.0.1:%s/v1\napi=openai-chat\nmodels=demo-alpha\nthis line is garbage\n' "$PORT" >"$TMP/corrupt.ini"
expect_exit 2 "corrupt providers file" -- "$CLI" --config="$TMP/corrupt.ini" "$PROBLEM" 2>"$TMP/err"
contains "$TMP/err" "corrupt.ini" "corrupt providers file: the file"
contains "$TMP/err" "this line is garbage" "corrupt providers file: the line"
head -c 2048 /dev/urandom >"$TMP/random.ini"
expect_exit 2 "random bytes as providers file" -- "$CLI" --config="$TMP/random.ini" "$PROBLEM" 2>"$TMP/err"
contains "$TMP/err" "random.ini" "random providers file"
mkdir "$TMP/dir.ini"
expect_exit 2 "a directory as providers file" -- "$CLI" --config="$TMP/dir.ini" "$PROBLEM" 2>"$TMP/err"
contains "$TMP/err" "dir.ini" "directory providers file"
: >"$TMP/empty.ini"
expect_exit 2 "an empty providers file" -- "$CLI" --config="$TMP/empty.ini" "$PROBLEM" 2>"$TMP/err"
# the same file as the default providers file
mkdir -p "$XDG_CONFIG_HOME/consilium"
cp "$TMP/corrupt.ini" "$XDG_CONFIG_HOME/consilium/providers.ini"
expect_exit 2 "corrupt default providers file" -- "$CLI" "$PROBLEM" 2>"$TMP/err"
contains "$TMP/err" "$XDG_CONFIG_HOME/consilium/providers.ini" "corrupt default providers file"
rm "$XDG_CONFIG_HOME/consilium/providers.ini"
pass "a corrupt providers file (garbage line, random bytes, a directory, empty): exit 2 naming the file"

# The line number: GKeyFile's parse errors quote the line but give no number.
expect_exit 2 "corrupt providers file" -- "$CLI" --config="$TMP/corrupt.ini" "$PROBLEM" 2>"$TMP/err"
grep -q -E 'line 5|:5:' "$TMP/err" || fail "a corrupt providers file: no line number in “$(cat "$TMP/err")”"
pass "a corrupt providers file: the message names line 5"

# --- typos in the providers file ----------------------------------------------------
# An unknown key is a warning naming file, line and the key meant; a key set
# twice or a group that appears twice is refused, naming both lines.
printf '[provider demo]\nbase-url=http://127.0.0.1:%s/v1\napi=openai-chat\nmodels=demo-alpha\nmax-concurent=1\n' \
  "$PORT" >"$TMP/typo.ini"
"$CLI" --config="$TMP/typo.ini" --quiet --model=demo/demo-alpha --output="$TMP/typo.md" "$PROBLEM" 2>"$TMP/err" \
  || fail "a providers file with an unknown key: $(cat "$TMP/err")"
contains "$TMP/err" "warning: $TMP/typo.ini: line 5: [provider demo]: unknown key max-concurent (did you mean max-concurrent?)" "unknown key"
printf '[provider demo]\nbase-url=http://127.0.0.1:%s/v1\nmodels=demo-alpha\nbase-url=http://127.0.0.1:1/v1\n' \
  "$PORT" >"$TMP/dupkey.ini"
expect_exit 2 "a key set twice" -- "$CLI" --config="$TMP/dupkey.ini" "$PROBLEM" 2>"$TMP/err"
contains "$TMP/err" "$TMP/dupkey.ini: line 4: [provider demo]: base-url is set twice (first on line 2)" "a key set twice"
printf '[provider demo]\nbase-url=http://127.0.0.1:%s/v1\nmodels=demo-alpha\n\n[model demo/demo-alpha]\nmax-n=2\n[model demo/demo-alpha]\nmax-n=3\n' \
  "$PORT" >"$TMP/dupgroup.ini"
expect_exit 2 "a group twice" -- "$CLI" --config="$TMP/dupgroup.ini" "$PROBLEM" 2>"$TMP/err"
contains "$TMP/err" "$TMP/dupgroup.ini: line 7: [model demo/demo-alpha] appears twice (first on line 5)" "a group twice"
pass "providers file typos: an unknown key warns naming file, line and the key meant; a key or group twice is refused"

# --- no keyring ------------------------------------------------------------------------
# a session bus that does not exist: libsecret cannot reach any keyring
env DBUS_SESSION_BUS_ADDRESS="unix:path=$TMP/no-bus" "$CLI" --config="$CONFIG" --format=json \
  --output="$TMP/nokeyring.json" --model=demo/demo-alpha --model=locked/demo-gamma "$PROBLEM" \
  2>"$TMP/err" || fail "no keyring: the run failed: $(cat "$TMP/err")"
contains "$TMP/err" "No API key for locked" "no keyring"
contains "$TMP/err" "The system keyring is not available" "no keyring"
contains "$TMP/err" "--store-key=locked" "no keyring: what to do"
python3 - "$TMP/nokeyring.json" <<'EOF' || fail "no keyring JSON"
import json, sys
d = json.load(open(sys.argv[1]))
assert [c["status"] for c in d["candidates"]] == ["ok", "failed"], [c["status"] for c in d["candidates"]]
assert "keyring" in d["candidates"][1]["error"]
EOF
expect_exit 1 "no keyring, only a keyed provider" -- env DBUS_SESSION_BUS_ADDRESS="unix:path=$TMP/no-bus" \
  "$CLI" --config="$CONFIG" --model=locked/demo-gamma "$PROBLEM" 2>"$TMP/err"
contains "$TMP/err" "no candidate succeeded" "no keyring, only a keyed provider"
pass "no keyring: local providers go on without a key, keyed ones fail with what to do (no crash)"

# --- a full or read-only disk under XDG_DATA_HOME ------------------------------------------
# Needs a private mount namespace (root, or unprivileged user namespaces).
if command -v unshare >/dev/null 2>&1 && unshare -m true 2>/dev/null; then
  mkdir -p "$TMP/full"
  set +e
  unshare -m sh -c '
    set -e
    mount --make-rprivate / 2>/dev/null || true
    mount -t tmpfs -o size=64k tmpfs "$1" 2>/dev/null || exit 77
    mkdir -p "$1/consilium/runs"
    dd if=/dev/zero of="$1/filler" bs=1k count=100 2>/dev/null || true
    set +e
    XDG_DATA_HOME="$1" "$2" --config="$3" --model=demo/demo-alpha --model=demo/demo-beta \
      --output="$4/full.md" "$5" 2>"$4/full.err"
    echo $? >"$4/full.status"
    ls -la "$1/consilium/runs" >"$4/full.ls"
    for f in "$1"/consilium/runs/*.json; do
      [ -e "$f" ] || continue
      python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$f" 2>/dev/null || echo "$f" >>"$4/full.partial"
    done
    rm -f "$1/filler"
    mount -o remount,ro "$1"
    XDG_DATA_HOME="$1" "$2" --config="$3" --model=demo/demo-alpha \
      --output="$4/ro.md" "$5" 2>"$4/ro.err"
    echo $? >"$4/ro.status"
  ' sh "$TMP/full" "$CLI" "$CONFIG" "$TMP" "$PROBLEM"
  got=$?
  set -e
  if [ "$got" -eq 77 ]; then
    n_pass=$((n_pass + 1))
    echo "ok $n_pass - a full or read-only disk # SKIP cannot mount a tmpfs here"
    echo "1..$n_pass"
    exit 0
  fi
  [ "$got" -eq 0 ] || fail "the tmpfs scenario did not run (status $got)"
  [ "$(cat "$TMP/full.status")" -eq 0 ] || fail "disk full: exit $(cat "$TMP/full.status"): $(cat "$TMP/full.err")"
  contains "$TMP/full.err" "could not save the run" "disk full"
  contains "$TMP/full.err" "No space left on device" "disk full"
  contains "$TMP/full.md" "### c1 (demo-alpha)" "disk full: the result is still written"
  [ "$(cat "$TMP/ro.status")" -eq 0 ] || fail "read-only: exit $(cat "$TMP/ro.status"): $(cat "$TMP/ro.err")"
  contains "$TMP/ro.err" "could not save the run" "read-only disk"
  contains "$TMP/ro.err" "Read-only file system" "read-only disk"
  contains "$TMP/ro.md" "### c1 (demo-alpha)" "read-only disk: the result is still written"
  pass "a full or read-only disk: “could not save the run: …”, the result is still written (exit 0)"
  if [ ! -e "$TMP/full.partial" ]; then
    pass "a full disk leaves no empty or partial run file"
  else
    fail "a full disk left an empty or partial run file: $(cat "$TMP/full.ls")"
  fi
else
  n_pass=$((n_pass + 1))
  echo "ok $n_pass - a full or read-only disk # SKIP no private mount namespace (unshare -m)"
fi

echo "1..$n_pass"
