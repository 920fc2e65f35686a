# cli-lib.sh: what the command-line tests share; each sources it after
# `set -eu`:   . "$(dirname "$0")/cli-lib.sh"
#
#   cs_setup NAME       a fresh $TMP (removed on exit unless KEEP_TMP is
#                       set), XDG_DATA_HOME and XDG_CONFIG_HOME below it,
#                       $RUNS, and the trap that stops every process started
#                       with start_provider (or added to CS_PIDS) and calls
#                       cs_cleanup_hook when the script defines one
#   CS_SLOW             CONSILIUM_TEST_SLOW as a whole number >= 1
#   fail, pass          TAP lines; $n_pass counts the passes
#   expect_exit CODE NAME -- COMMAND...
#   contains FILE TEXT NAME
#   check FILE NAME PYTHON    PYTHON over the JSON of FILE as `d`
#   wait_until SECONDS COMMAND...
#                       runs COMMAND every 0.1 s until it succeeds; returns
#                       1 when it did not in SECONDS times CS_SLOW
#   start_provider NAME [ARGS...]
#                       starts consilium-test-provider with ARGS, its log in
#                       $TMP/NAME.log; once it listens, $PORT is its port
#   write_demo_config FILE MODELS [EXTRA]
#                       a providers file with the provider "demo" at $PORT
#                       (OpenAI chat, the models MODELS, no rate limit, no
#                       retries), then the lines EXTRA when given
#   recorded            the number of requests in $TMP/requests.jsonl (the
#                       record of a provider started with
#                       --record="$TMP/requests.jsonl")
#   bodies MODEL FROM PYTHON
#                       PYTHON with `b`, the bodies of the requests to MODEL
#                       recorded after line FROM of $TMP/requests.jsonl
#   expect_sigint_exit PID NAME ERRFILE
#                       sends SIGINT to PID, waits for it and fails unless
#                       it exited 130 (ERRFILE, its stderr, in the message)
#
# SPDX-License-Identifier: GPL-3.0-or-later

CS_SLOW=${CONSILIUM_TEST_SLOW:-1}
case $CS_SLOW in ''|*[!0-9]*) CS_SLOW=1 ;; esac
[ "$CS_SLOW" -ge 1 ] || CS_SLOW=1

CS_PIDS=
n_pass=0

cs_cleanup () {
  for pid in $CS_PIDS; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if command -v cs_cleanup_hook >/dev/null 2>&1; then
    cs_cleanup_hook
  fi
  [ -n "${KEEP_TMP:-}" ] || rm -rf "$TMP"
}

cs_setup () {
  TMP=$(mktemp -d "${TMPDIR:-/tmp}/cs-test-$1-XXXXXX")
  trap cs_cleanup EXIT INT TERM
  export XDG_DATA_HOME="$TMP/data"
  export XDG_CONFIG_HOME="$TMP/config"
  RUNS="$XDG_DATA_HOME/consilium/runs"
}

fail () {
  echo "not ok - $*" >&2
  exit 1
}
pass () {
  n_pass=$((n_pass + 1))
  echo "ok $n_pass - $*"
}
# expect_exit CODE NAME -- command...
expect_exit () {
  want=$1; name=$2; shift 3
  set +e
  "$@"
  got=$?
  set -e
  [ "$got" -eq "$want" ] || fail "$name: exit status $got, expected $want (stderr: $(head -c 3000 "$TMP/err" 2>/dev/null))"
}
contains () {
  grep -q -F -e "$2" "$1" || fail "$3: “$2” not found in $1:
$(head -c 3000 "$1")"
}
# check FILE NAME PYTHON: runs PYTHON with the JSON of FILE as `d`
check () {
  python3 - "$1" "$3" <<'CS_EOF' || fail "$2"
import json, sys
d = json.load(open(sys.argv[1]))
exec(sys.argv[2])
CS_EOF
}
# wait_until SECONDS command...
wait_until () {
  cs_tries=$(($1 * 10 * CS_SLOW)); shift
  while ! "$@"; do
    cs_tries=$((cs_tries - 1))
    [ "$cs_tries" -gt 0 ] || return 1
    sleep 0.1
  done
}
cs_listening () {
  [ -s "$TMP/$1.port" ] && return 0
  kill -0 "$2" 2>/dev/null || fail "the test provider $1 exited: $(cat "$TMP/$1.log")"
  return 1
}
# start_provider NAME [ARGS...]
start_provider () {
  cs_name=$1; shift
  "$PROVIDER" --port-file="$TMP/$cs_name.port" "$@" >"$TMP/$cs_name.log" 2>&1 &
  cs_pid=$!
  CS_PIDS="$CS_PIDS $cs_pid"
  wait_until 30 cs_listening "$cs_name" "$cs_pid" ||
    fail "the test provider $cs_name did not start: $(cat "$TMP/$cs_name.log")"
  PORT=$(cat "$TMP/$cs_name.port")
}
# write_demo_config FILE MODELS [EXTRA]
write_demo_config () {
  cat >"$1" <<EOF
[provider demo]
base-url=http://127.0.0.1:$PORT/v1
api=openai-chat
models=$2
max-concurrent=8
requests-per-minute=0
max-retries=0
EOF
  [ -z "${3:-}" ] || printf '%s\n' "$3" >>"$1"
}
recorded () {
  wc -l <"$TMP/requests.jsonl"
}
# bodies MODEL FROM PYTHON
bodies () {
  python3 - "$TMP/requests.jsonl" "$1" "$2" "$3" <<'CS_EOF' || fail "request bodies of $1: $3"
import json, sys
lines = open(sys.argv[1]).read().splitlines()[int(sys.argv[3]):]
b = [r["body"] for r in map(json.loads, lines) if r["model"] == sys.argv[2]]
exec(sys.argv[4])
CS_EOF
}
# expect_sigint_exit PID NAME ERRFILE
expect_sigint_exit () {
  kill -INT "$1"
  set +e
  wait "$1"
  cs_got=$?
  set -e
  [ "$cs_got" -eq 130 ] || fail "$2: exit $cs_got, expected 130 ($(cat "$3"))"
}
