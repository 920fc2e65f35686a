#!/usr/bin/env python3
# test-serve-store.py: consilium-cli --serve beside other processes on the
# same runs folder, over real HTTP against the standalone test provider.
# The server answers from the folder as it is when a request comes in:
#
# - a run it started and finished, then given a round (--follow-up) or a
#   retry (--retry) by the CLI in another process: GET, the list, the
#   events and the Markdown show the change;
# - a file replaced with one of the same size and modification time (a
#   file system with coarse times): noticed all the same (another inode);
# - a run file removed by another process (the app's Delete): 404, and
#   gone from the list, whoever started the run;
# - a run the server is running whose file another process removes or
#   overwrites: still served as it runs, and saved again by the server;
# - a candidate that was cancelled is not retried (as the app offers no
#   Retry for it): 409 not_retryable, and --retry exits 2, the file as it was.
#
# SPDX-License-Identifier: GPL-3.0-or-later
import json
import os
import sys

sys.dont_write_bytecode = True
from serve_lib import PROBLEM, ok, check, wait_for  # noqa: E402
import serve_lib  # noqa: E402

H = serve_lib.Harness("serve-store")
H.write_config("""[provider demo]
base-url=http://127.0.0.1:%(port)d/v1
api=openai-chat
api-key-env=CS_SERVE_TEST_KEY
models=demo-alpha;demo-judge;demo-alpha+silence
max-concurrent=16
requests-per-minute=0
max-retries=0

[provider flaky]
base-url=http://127.0.0.1:%(port)d/v1
api=openai-chat
api-key-env=CS_SERVE_TEST_KEY
models=demo-beta+500once
requests-per-minute=0
max-retries=0
""")


def run_file(rid):
    return os.path.join(H.runs, rid + ".json")


def on_disk(rid):
    try:
        return json.load(open(run_file(rid)))
    except (OSError, ValueError):
        return None


def listed(S):
    return {r["id"]: r for r in S.json("GET", "/v1/runs?limit=1000")["runs"]}


def finished_here(S, body):
    """A run the server starts and streams to its end; its JSON."""
    created = S.json("POST", "/v1/runs", body, want=201)
    evs, _ = S.events(created["id"])
    check(evs[-1]["event"] == "done", "the run ended: %r" % evs[-1])
    # its last save is written in a worker thread just after the end
    wait_for(lambda: (on_disk(created["id"]) or {}).get("state") == evs[-1]["data"]["state"],
             "the run file to say %s" % evs[-1]["data"]["state"])
    return S.json("GET", "/v1/runs/" + created["id"])


try:
    S = H.server()

    # --- a round added by the CLI to a run the server made -------------------------
    first = finished_here(S, {"problem": PROBLEM, "models": ["demo/demo-alpha"], "judge": "demo/demo-judge"})
    rid = first["id"]
    check(len(first["rounds"]) == 1 and listed(S)[rid]["rounds"] == 1, "one round at first")
    question = "What if the analytics can wait a day?"
    cli = H.cli(["--format=json", "--quiet", "--follow-up=" + rid, "-"], stdin=question)
    check(cli.returncode == 0, "the CLI's follow-up: %s" % cli.stderr.decode()[-2000:])
    run = S.json("GET", "/v1/runs/" + rid)
    check(len(run["rounds"]) == 2 and run["rounds"][1]["follow_up"] == question,
          "GET serves the round another process added: %d round(s)" % len(run["rounds"]))
    check(serve_lib.strip(run) == serve_lib.strip(json.loads(cli.stdout)), "GET equals the CLI's JSON")
    check(listed(S)[rid]["rounds"] == 2, "the list too")
    evs, _ = S.events(rid)
    check([e["event"] for e in evs] == ["snapshot", "done"], "its events: the run as saved: %r" % evs)
    summary = evs[0]["data"]["synthesis"]["data"]["summary"]
    check(summary == run["synthesis"]["data"]["summary"] != first["synthesis"]["data"]["summary"],
          "the snapshot has the new round's result: %r" % summary[:80])
    status, _, md = S.request("GET", "/v1/runs/%s/markdown" % rid)
    check(status == 200 and question.encode() in md, "the Markdown has the new round")
    ok("a round added by the CLI to a run the server made and finished: GET, the list, the events "
       "and the Markdown follow it")

    # the server's own round on it now starts from the run as the CLI left it
    started = S.json("POST", "/v1/runs/%s/follow-ups" % rid, {"question": "And in two regions?"}, want=201)
    check(started["round"] == 3, "the server's round is the third: %r" % started)
    evs, _ = S.events(rid, last_id=started["last_event_id"])
    check(evs[-1]["event"] == "done" and evs[-1]["data"]["state"] == "done", "round 3 done: %r" % evs[-1])
    wait_for(lambda: len((on_disk(rid) or {}).get("rounds", [])) == 3, "the file with three rounds")
    run = S.json("GET", "/v1/runs/" + rid)
    check([r["follow_up"] for r in run["rounds"][1:]] == [question, "And in two regions?"],
          "the rounds of both processes: %r" % [r["follow_up"] for r in run["rounds"]])
    ok("a round through the API after the CLI's builds on it (round 3), and is saved")

    # --- a retry by the CLI of a candidate of a run the server made ---------------
    first = finished_here(S, {"problem": PROBLEM, "models": ["demo/demo-alpha", "flaky/demo-beta+500once"]})
    fid = first["id"]
    check([c["status"] for c in first["candidates"]] == ["ok", "failed"], "c2 failed: %r" % first["candidates"])
    cli = H.cli(["--format=json", "--quiet", "--retry=%s:c2" % fid])
    check(cli.returncode == 0, "the CLI's retry: %s" % cli.stderr.decode()[-2000:])
    run = S.json("GET", "/v1/runs/" + fid)
    check([c["status"] for c in run["candidates"]] == ["ok", "ok"], "GET serves the retried candidate: %r"
          % [c["status"] for c in run["candidates"]])
    check(run["synthesis"] != first["synthesis"], "and the synthesis made again")
    ok("a candidate retried by the CLI in a run the server made: GET serves the new answer")

    # --- a file replaced by one of the same size and time -------------------------
    path = run_file(fid)
    st = os.stat(path)
    text = open(path).read()
    check("URL shortener" in text, "the problem is in the file")
    changed = text.replace("URL shortener", "URL SHORTENER")
    tmp = os.path.join(H.runs, ".replacement")
    with open(tmp, "w") as f:
        f.write(changed)
    os.utime(tmp, ns=(st.st_atime_ns, st.st_mtime_ns))
    os.replace(tmp, path)
    st2 = os.stat(path)
    check(st2.st_size == st.st_size and st2.st_mtime_ns == st.st_mtime_ns, "same size and time")
    run = S.json("GET", "/v1/runs/" + fid)
    check("URL SHORTENER" in run["problem"], "the replaced file is served: %r" % run["problem"][:80])
    ok("a file replaced by one of the same size and modification time is read again (another inode)")

    # --- removed by another process ------------------------------------------------
    os.unlink(run_file(fid))
    S.json("GET", "/v1/runs/" + fid, want=404)
    check(fid not in listed(S), "a removed run leaves the list")
    for tail in ("/events", "/markdown"):
        status, _, _ = S.request("GET", "/v1/runs/%s%s" % (fid, tail))
        check(status == 404, "%s of a removed run: HTTP %d" % (tail, status))
    status, _, _ = S.request("POST", "/v1/runs/%s/follow-ups" % fid, {"question": "x"})
    check(status == 404, "a follow-up on a removed run: HTTP %d" % status)
    check(not os.path.exists(run_file(fid)), "nothing wrote it again")
    ok("a run the server made, removed by another process: 404 on every route, gone from the list")

    # --- a run in progress here: the server's copy wins -----------------------------
    created = S.json("POST", "/v1/runs", {"problem": PROBLEM, "models": ["demo/demo-alpha+silence"]}, want=201)
    lid = created["id"]
    wait_for(lambda: any(r["model"] == "demo-alpha+silence" for r in H.recorded()), "the request of the live run")
    copy = wait_for(lambda: on_disk(lid), "the live run's file")
    os.unlink(run_file(lid))
    run = S.json("GET", "/v1/runs/" + lid)
    check(run["state"] == "running", "a running run whose file was removed is still served: %s" % run["state"])
    check(lid in listed(S), "and listed")
    stale = dict(copy, state="done", problem="Something else")
    with open(run_file(lid), "w") as f:
        json.dump(stale, f)
    run = S.json("GET", "/v1/runs/" + lid)
    check(run["state"] == "running" and run["problem"] == PROBLEM, "an overwritten file does not replace it")
    S.json("DELETE", "/v1/runs/" + lid, want=202)
    evs, _ = S.events(lid)
    check(evs[-1]["data"]["state"] == "cancelled", "cancelled: %r" % evs[-1])
    saved = wait_for(lambda: (on_disk(lid) or {}).get("state") == "cancelled" and on_disk(lid),
                     "the server to save its run again")
    check(saved["problem"] == PROBLEM, "the server's copy saved")
    check(S.json("GET", "/v1/runs/" + lid)["state"] == "cancelled", "and served")
    ok("a run the server is running, its file removed or overwritten by another process: served as it "
       "runs, and saved again by the server")

    # --- a cancelled candidate is not retried -------------------------------------
    cid = lid
    check([c["status"] for c in S.json("GET", "/v1/runs/" + cid)["candidates"]] == ["cancelled"], "c1 cancelled")
    before = open(run_file(cid), "rb").read()
    status, _, data = S.request("POST", "/v1/runs/%s/candidates/c1/retry" % cid)
    err = json.loads(data).get("error", {})
    check(status == 409 and err.get("code") == "not_retryable" and "cancelled" in err.get("message", ""),
          "the API's retry of a cancelled candidate: HTTP %d %s" % (status, data[:300]))
    cli = H.cli(["--retry=%s:c1" % cid], env=dict(H.env, LC_ALL="C.UTF-8", LANGUAGE=""))
    check(cli.returncode == 2 and b"cancelled" in cli.stderr, "--retry of a cancelled candidate: exit %d %s"
          % (cli.returncode, cli.stderr.decode()[-500:]))
    check(open(run_file(cid), "rb").read() == before, "the run file as it was")
    check(sum(r["model"] == "demo-alpha+silence" for r in H.recorded()) == 1, "nothing asked again")
    doc = S.json("GET", "/v1/openapi.json")
    desc = doc["paths"]["/v1/runs/{id}/candidates/{cid}/retry"]["post"]["description"]
    check("cancelled" in desc and "not_retryable" in desc, "the OpenAPI document says so: %s" % desc)
    english = dict(H.env, LC_ALL="C.UTF-8", LANGUAGE="")
    helptext = serve_lib.subprocess.run([serve_lib.CLI, "--help"], capture_output=True, env=english).stdout.decode()
    check("not a cancelled one" in helptext, "--help says so")
    ok("a cancelled candidate is not retried, as in the app: the API says 409 not_retryable, --retry exits 2; "
       "the OpenAPI document and --help say so")

    check(S.stop() == 0, "the server stops")
    print("1..%d" % serve_lib.n_pass)
finally:
    H.cleanup()
