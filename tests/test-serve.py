#!/usr/bin/env python3
# test-serve.py: consilium-cli --serve over real HTTP with Python's
# http.client (not the project's own client), against the standalone test
# provider: auth, Host and Origin checks, limits, both modes streamed to
# "done", the CLI's JSON, resuming with Last-Event-ID, 20 concurrent
# submissions, a client that goes away, cancelling, the OpenAPI document
# against the routes, SIGTERM in the middle of a run.
#
# SPDX-License-Identifier: GPL-3.0-or-later
import concurrent.futures
import http.client
import json
import os
import subprocess
import sys
import time

sys.dont_write_bytecode = True
from serve_lib import CLI, SLOW, PROBLEM, SUPPORT, ok, fail, check, wait_for, texts_from, strip
import serve_lib

H = serve_lib.Harness("serve")
TMP, ENV, RUNS, RECORD, CONFIG, SECRET = H.tmp, H.env, H.runs, H.record, H.config, H.secret
Server = H.server
cleanup = H.cleanup

# --- the providers file ----------------------------------------------------------
H.write_config("""[provider demo]
name=Demo
base-url=http://127.0.0.1:%(port)d/v1
api=openai-chat
api-key-env=CS_SERVE_TEST_KEY
models=demo-alpha;demo-beta;demo-gamma;demo-judge;demo-thinking;demo-alpha+slow=100;demo-beta+slow=400;demo-gamma+400;demo-alpha+429once;demo-beta+500;demo-gamma+escapes
max-concurrent=16
requests-per-minute=0
max-retries=1

[provider flaky]
base-url=http://127.0.0.1:%(port)d/v1
api=openai-chat
api-key-env=CS_SERVE_TEST_KEY
models=demo-beta+500once;demo-gamma+500once+slow=400
requests-per-minute=0
max-retries=0

[provider gone]
base-url=http://127.0.0.1:1/v1
api=openai-chat
models=demo-alpha
max-retries=0

[model demo/demo-alpha]
price-input=0.60
price-output=2.50
""")


try:
    server = Server("--max-runs=3", "--max-queued=5")
    S = server
    st = os.stat(S.token_path)
    check(st.st_mode & 0o777 == 0o600, "token file mode %o" % (st.st_mode & 0o777))
    check(len(S.token) >= 32, "the token is long")
    ok("the server listens on a free port and writes its token (mode 0600)")

    # --- auth, Host, Origin, limits -------------------------------------------
    for token in (None, "wrong-token-0123456789", S.token + "x"):
        status, headers, data = S.request("GET", "/v1/models", token=token or None)
        check(status == 401, "token %r: HTTP %d" % (token, status))
        check(json.loads(data)["error"]["code"] == "unauthorized", "401 body")
        check(b"demo" not in data, "a 401 says nothing else")
    status, _, _ = S.request("POST", "/v1/runs", {"problem": PROBLEM, "models": ["demo/demo-alpha"]}, token=None)
    check(status == 401, "POST without token: %d" % status)
    ok("401 without a token or with a wrong one")

    for host in ("evil.example", "evil.example:%d" % S.port, "127.0.0.1.evil.example", ""):
        status, _, data = S.request("GET", "/v1/models", headers={"Host": host})
        check(status in (400, 403), "Host %r: HTTP %d" % (host, status))
    for host in ("localhost:%d" % S.port, "[::1]:%d" % S.port):
        status, _, _ = S.request("GET", "/v1/models", headers={"Host": host})
        check(status == 200, "Host %r: HTTP %d" % (host, status))
    ok("a foreign Host is refused (DNS rebinding); loopback names are accepted")

    status, headers, _ = S.request("GET", "/v1/models", headers={"Origin": "https://evil.example"})
    check(status == 403 and "access-control-allow-origin" not in headers, "Origin: HTTP %d" % status)
    ok("no CORS: a browser's request from any origin is refused")

    c = S.conn()
    c.putrequest("POST", "/v1/runs", skip_host=True)
    c.putheader("Host", "127.0.0.1:%d" % S.port)
    c.putheader("Authorization", "Bearer " + S.token)
    c.putheader("Content-Type", "application/json")
    c.putheader("Content-Length", str(10 * 1024 * 1024))
    c.endheaders()
    try:
        chunk = b" " * 65536
        for _ in range(160):
            c.send(chunk)
    except (BrokenPipeError, ConnectionResetError):
        pass
    r = c.getresponse()
    body = r.read()
    check(r.status == 413, "10 MB body: HTTP %d" % r.status)
    check(json.loads(body)["error"]["code"] == "body_too_large", "413 body")
    c.close()
    ok("a 10 MB body is refused with 413")

    for body, what in (({"problem": "", "models": ["demo/demo-alpha"]}, "empty problem"),
                       ({"problem": PROBLEM, "models": ["demo/nope"]}, "unknown model"),
                       ({"problem": PROBLEM, "models": []}, "no model"),
                       ({"problem": PROBLEM, "models": ["demo/demo-alpha"], "mode": "poetry"}, "unknown mode"),
                       ({"problem": PROBLEM, "models": ["demo/demo-alpha"], "judge": "x/y"}, "unknown judge"),
                       ({"problem": PROBLEM, "models": ["demo/demo-alpha"], "colour": 1}, "unknown member"),
                       ({"problem": PROBLEM, "models": ["demo/demo-alpha"], "rank": "yes"}, "rank not a boolean"),
                       ({"problem": PROBLEM, "models": ["demo/demo-alpha"], "seed": -1}, "negative seed"),
                       ({"problem": PROBLEM, "models": ["demo/demo-alpha"], "fallback_judge": "x/y"}, "unknown fallback"),
                       ("[1,2", "broken JSON"), ("[]", "not an object")):
        status, _, data = S.request("POST", "/v1/runs", body)
        check(status == 400, "%s: HTTP %d %s" % (what, status, data[:200]))
        err = json.loads(data)["error"]
        check(err["code"] == "bad_request" and err["message"], "%s: error body %r" % (what, err))
    status, _, data = S.request("POST", "/v1/runs", {"problem": "x" * (1024 * 1024 + 1), "models": ["demo/demo-alpha"]})
    check(status == 413 and json.loads(data)["error"]["code"] == "problem_too_large", "a problem over 1 MiB: %d" % status)
    status, _, data = S.request("GET", "/v1/nothing")
    check(status == 404 and json.loads(data)["error"]["code"] == "no_route", "unknown route")
    status, _, data = S.request("PUT", "/v1/models")
    check(status == 405 and "error" in json.loads(data), "PUT /v1/models: %d" % status)
    status, _, data = S.request("GET", "/v1/runs/no-such-run")
    check(status == 404 and json.loads(data)["error"]["code"] == "not_found", "unknown run")
    ok("bad submissions get 400, a problem over 1 MiB 413, unknown routes 404, wrong methods 405, all as {error: {code, message}}")

    # --- both modes, streamed to done; the CLI's JSON --------------------------
    models = ["demo/demo-alpha", "demo/demo-beta", "demo/demo-thinking"]
    pairs = {}
    for mode, problem, extra, flags in (("architect", PROBLEM, {"rank": True, "seed": 7}, ["--rank", "--seed=7"]),
                                        ("support", SUPPORT, {"seed": 11}, ["--seed=11"])):
        t0 = time.time()
        created = S.json("POST", "/v1/runs", dict({"mode": mode, "problem": problem, "models": models,
                                                   "judge": "demo/demo-judge",
                                                   "constraints": {"budget": "500 USD"}}, **extra), want=201)
        check(time.time() - t0 < 5 * SLOW, "POST answers at once")
        check(created["events"] == "/v1/runs/%s/events" % created["id"], "events URL")
        evs, comments = S.events(created["id"])
        check(comments >= 1, "a comment opens the stream")
        ids = [e["id"] for e in evs]
        check(ids == list(range(1, len(ids) + 1)), "event ids 1, 2, 3…: %s" % ids[:20])
        kinds = {e["event"] for e in evs}
        check({"candidate", "delta", "synthesis", "done"} <= kinds, "%s: event kinds %s" % (mode, kinds))
        check(any(e["event"] == "delta" and e["data"]["kind"] == "reasoning" for e in evs), "reasoning deltas")
        check(evs[-1]["event"] == "done" and evs[-1]["data"]["state"] == "done", "%s: done %r" % (mode, evs[-1]))
        run = S.json("GET", "/v1/runs/%s" % created["id"])
        check(run["mode"] == mode and run["synthesis"] is not None, "the run's JSON")
        texts = texts_from(evs)
        for c in run["candidates"]:
            check(texts.get(c["id"]) == c["text"], "%s: the deltas of %s add up to its text" % (mode, c["id"]))
            check(c["status"] == "ok", "%s: candidate %s %s" % (mode, c["id"], c["status"]))
        check(os.path.exists(os.path.join(RUNS, created["id"] + ".json")), "the run is saved in the store")

        cli = subprocess.run([CLI, "--config=" + CONFIG, "--format=json", "--quiet", "--mode=" + mode,
                              "--judge=demo/demo-judge", "--constraint=budget=500 USD"] + flags
                             + ["--model=" + m for m in models] + ["-"],
                             input=problem.encode(), env=ENV, capture_output=True, timeout=120 * SLOW)
        check(cli.returncode == 0, "the CLI: %s" % cli.stderr.decode()[-2000:])
        want = strip(json.loads(cli.stdout))
        pairs[mode] = (created["id"], json.loads(cli.stdout)["id"])
        got = strip(run)
        if want != got:
            for k in sorted(set(want) | set(got)):
                if want.get(k) != got.get(k):
                    print("# differs: %s\n#  cli: %s\n#  api: %s" % (k, json.dumps(want.get(k))[:300],
                                                                    json.dumps(got.get(k))[:300]))
            fail("%s: the API's run differs from the CLI's JSON" % mode)
        if extra.get("rank"):
            check(run.get("ranking") is not None, "the peer ranking ran: %s" % sorted(run))
        md_status, md_headers, md = S.request("GET", "/v1/runs/%s/markdown" % created["id"])
        check(md_status == 200 and md_headers["content-type"].startswith("text/markdown"), "markdown")
        check((b"## Blueprint" if mode == "architect" else b"## Checklist") in md, "the Markdown export")
        ok("%s: submitted, streamed to done (ids, deltas, reasoning, synthesis), equal to the CLI's JSON, "
           "Markdown, saved" % mode)

    # --- follow-up rounds ---------------------------------------------------------------
    api_id, cli_id = pairs["architect"]
    question = "What if we drop Kafka?"
    started = S.json("POST", "/v1/runs/%s/follow-ups" % api_id, {"question": question}, want=201)
    check(started["round"] == 2 and started["events"] == "/v1/runs/%s/events" % api_id, "follow-up: %r" % started)
    evs, _ = S.events(api_id, last_id=started["last_event_id"])
    check(evs[0]["event"] == "round" and evs[0]["data"] == {"round": 2, "scope": "judge"}, "round event %r" % evs[0])
    check(evs[0]["id"] == started["last_event_id"] + 1, "the round's events follow the run's")
    check(evs[-1]["event"] == "done" and evs[-1]["data"]["state"] == "done", "round done %r" % evs[-1])
    check(any(e["event"] == "synthesis" for e in evs), "the judge's new result as an event")
    run = S.json("GET", "/v1/runs/" + api_id)
    check(len(run["rounds"]) == 2 and run["rounds"][1]["follow_up"] == question, "two rounds")
    cli = subprocess.run([CLI, "--config=" + CONFIG, "--format=json", "--quiet", "--follow-up=" + cli_id, "-"],
                         input=question.encode(), env=ENV, capture_output=True, timeout=120 * SLOW)
    check(cli.returncode == 0, "the CLI's follow-up: %s" % cli.stderr.decode()[-2000:])
    if strip(json.loads(cli.stdout)) != strip(run):
        want, got = strip(json.loads(cli.stdout)), strip(run)
        for k in sorted(set(want) | set(got)):
            if want.get(k) != got.get(k):
                print("# differs: %s\n#  cli: %s\n#  api: %s" % (k, json.dumps(want.get(k))[:300],
                                                                json.dumps(got.get(k))[:300]))
        fail("the API's follow-up differs from the CLI's")
    started = S.json("POST", "/v1/runs/%s/follow-ups" % api_id, {"question": "Keep it under 200 USD a month",
                                                                  "scope": "all"}, want=201)
    evs, _ = S.events(api_id, last_id=started["last_event_id"])
    check(evs[0]["data"]["scope"] == "all" and evs[-1]["data"]["state"] == "done", "scope all")
    check(len({e["data"]["candidate"] for e in evs if e["event"] == "candidate" and e["data"]["status"] == "ok"}) == 3,
          "every model answered again: %s" % [(e["event"], e["data"].get("candidate"), e["data"].get("status")) for e in evs if e["event"] != "delta"])
    sup_id = pairs["support"][0]
    started = S.json("POST", "/v1/runs/%s/follow-ups" % sup_id,
                     {"steps": [{"step": 1, "outcome": "failed", "output": "still 502"}]}, want=201)
    evs, _ = S.events(sup_id, last_id=started["last_event_id"])
    check(evs[-1]["data"]["state"] == "done", "a troubleshooting round")
    run = S.json("GET", "/v1/runs/" + sup_id)
    check(run["rounds"][1]["step_reports"][0]["outcome"] == "failed", "the step report kept")
    for body, want, what in (({"scope": "everyone", "question": "x"}, 400, "unknown scope"),
                             ({"steps": [{"step": 99, "outcome": "failed"}]}, 400, "a step the checklist lacks"),
                             ({"steps": [{"step": 1, "outcome": "maybe"}]}, 400, "unknown outcome"),
                             ({}, 400, "nothing asked"),
                             ({"question": "x", "colour": 1}, 400, "unknown member")):
        status, _, data = S.request("POST", "/v1/runs/%s/follow-ups" % sup_id, body)
        check(status == want and "error" in json.loads(data), "%s: HTTP %d %s" % (what, status, data[:200]))
    S.json("POST", "/v1/runs/no-such-run/follow-ups", {"question": "x"}, want=404)
    slow = S.json("POST", "/v1/runs", {"problem": PROBLEM, "models": ["demo/demo-alpha+slow=100"]}, want=201)
    S.json("POST", "/v1/runs/%s/follow-ups" % slow["id"], {"question": "x"}, want=409)
    S.events(slow["id"])
    ok("follow-ups: judge and all scopes, step reports, on the run's event stream after a round event; "
       "equal to the CLI's --follow-up; 400, 404 and 409 as documented")

    # --- a follow-up asks with the settings the run used ------------------------
    # a run another process made with settings of its own (--option)
    made = subprocess.run([CLI, "--config=" + CONFIG, "--format=json", "--quiet", "--model=demo/demo-alpha",
                           "--option=temperature=0.3", "--option=max-output-tokens=700", "--judge=demo/demo-judge",
                           "--option=demo/demo-judge@temperature=0.1", "-"],
                          input=PROBLEM.encode(), env=ENV, capture_output=True, timeout=120 * SLOW)
    check(made.returncode == 0, "a run with --option: %s" % made.stderr.decode()[-2000:])
    knobbed = json.loads(made.stdout)["id"]
    start = len(open(RECORD).read().splitlines())
    started = S.json("POST", "/v1/runs/%s/follow-ups" % knobbed, {"question": "And with two regions?",
                                                                  "scope": "all"}, want=201)
    evs, _ = S.events(knobbed, last_id=started["last_event_id"])
    check(evs[-1]["event"] == "done" and evs[-1]["data"]["state"] == "done", "the follow-up: %r" % evs[-1])
    asked = [json.loads(line) for line in open(RECORD).read().splitlines()[start:]]
    alpha = [r["body"] for r in asked if r["model"] == "demo-alpha"]
    judge = [r["body"] for r in asked if r["model"] == "demo-judge"]
    check(len(alpha) == 1 and alpha[0].get("temperature") == 0.3 and alpha[0].get("max_completion_tokens") == 700,
          "the candidate asked with the run's settings: %r" % alpha)
    check(len(judge) == 1 and judge[0].get("temperature") == 0.1, "the judge asked with the run's: %r" % judge)
    # a round's own settings: "options", as --option with --follow-up
    start = len(open(RECORD).read().splitlines())
    started = S.json("POST", "/v1/runs/%s/follow-ups" % knobbed, {"question": "And with three regions?", "scope": "all",
                     "options": ["demo/demo-alpha@temperature=1.1", "verbosity=high"]}, want=201)
    evs, _ = S.events(knobbed, last_id=started["last_event_id"])
    check(evs[-1]["event"] == "done" and evs[-1]["data"]["state"] == "done", "the follow-up with options: %r" % evs[-1])
    asked = [json.loads(line) for line in open(RECORD).read().splitlines()[start:]]
    alpha = [r["body"] for r in asked if r["model"] == "demo-alpha"]
    judge = [r["body"] for r in asked if r["model"] == "demo-judge"]
    check(len(alpha) == 1 and alpha[0].get("temperature") == 1.1 and alpha[0].get("max_completion_tokens") == 700 and
          alpha[0].get("verbosity") == "high", "the round's own settings on top of the run's: %r" % alpha)
    check(len(judge) == 1 and judge[0].get("temperature") == 0.1 and "verbosity" not in judge[0],
          "the judge keeps the run's (scope all: options without MODEL@ are the candidates'): %r" % judge)
    run = S.json("GET", "/v1/runs/" + knobbed)
    check(run["rounds"][-1]["candidates"][0]["temperature"] == 1.1, "the round records what it went with")
    start = len(open(RECORD).read().splitlines())
    started = S.json("POST", "/v1/runs/%s/follow-ups" % knobbed, {"question": "Cheaper?",
                     "options": ["temperature=0.4"]}, want=201)
    evs, _ = S.events(knobbed, last_id=started["last_event_id"])
    asked = [json.loads(line) for line in open(RECORD).read().splitlines()[start:]]
    judge = [r["body"] for r in asked if r["model"] == "demo-judge"]
    check(len(judge) == 1 and judge[0].get("temperature") == 0.4, "scope judge: options for the judge: %r" % judge)
    rounds = len(run["rounds"]) + 1
    saved = S.json("GET", "/v1/runs/" + knobbed)
    for options, what in ((["temperature=7"], "a value out of range"),
                          (["colour=red"], "an unknown setting"),
                          (["demo/demo-beta@temperature=1"], "a model the run does not ask"),
                          (["temperature"], "not KEY=VALUE"),
                          ("temperature=1", "not an array"),
                          ([1], "not a string")):
        status, _, data = S.request("POST", "/v1/runs/%s/follow-ups" % knobbed, {"question": "x", "options": options})
        err = json.loads(data).get("error", {})
        check(status == 400 and err.get("code") == "bad_request" and "options" in err.get("message", ""),
              "%s: HTTP %d %s" % (what, status, data[:300]))
    check(S.json("GET", "/v1/runs/" + knobbed) == saved and len(saved["rounds"]) == rounds,
          "a refused follow-up changed the run")
    ok("a follow-up through the API asks every model and the judge with the settings the run used; "
       "\"options\" sets the round's own on top, checked as --option is (400 otherwise)")

    # --- one candidate retried --------------------------------------------------
    # a run another process made: its second candidate failed (HTTP 500 once, no retries)
    made = subprocess.run([CLI, "--config=" + CONFIG, "--format=json", "--quiet", "--model=demo/demo-alpha",
                           "--model=flaky/demo-beta+500once", "--option=temperature=0.3",
                           "--option=max-output-tokens=700", "--judge=demo/demo-judge", "-"],
                          input=PROBLEM.encode(), env=ENV, capture_output=True, timeout=120 * SLOW)
    check(made.returncode == 0, "a run with a failing candidate: %s" % made.stderr.decode()[-2000:])
    before = json.loads(made.stdout)
    flaky = before["id"]
    check([c["status"] for c in before["candidates"]] == ["ok", "failed"], "c2 failed first")
    saved = open(os.path.join(RUNS, flaky + ".json"), "rb").read()
    for method, path, body, want, code in (
            ("POST", "/v1/runs/no-such-run/candidates/c2/retry", None, 404, "not_found"),
            ("POST", "/v1/runs/%s/candidates/c9/retry" % flaky, None, 404, "not_found"),
            ("POST", "/v1/runs/%s/candidates/c1/retry" % flaky, None, 409, "not_retryable"),
            ("POST", "/v1/runs/%s/candidates/c2/retry" % flaky, {"temperature": 1}, 400, "bad_request"),
            ("GET", "/v1/runs/%s/candidates/c2/retry" % flaky, None, 405, "method_not_allowed")):
        status, _, data = S.request(method, path, body)
        err = json.loads(data).get("error", {})
        check(status == want and err.get("code") == code and err.get("message"),
              "%s %s: HTTP %d %s" % (method, path, status, data[:300]))
    check(open(os.path.join(RUNS, flaky + ".json"), "rb").read() == saved, "a refused retry changed the run file")
    start = len(open(RECORD).read().splitlines())
    started = S.json("POST", "/v1/runs/%s/candidates/c2/retry" % flaky, want=202)
    check(started["candidate"] == "c2" and started["events"] == "/v1/runs/%s/events" % flaky, "retry: %r" % started)
    evs, _ = S.events(flaky, last_id=started["last_event_id"])
    check(evs[0]["event"] == "retry" and evs[0]["data"] == {"candidate": "c2", "model": "flaky/demo-beta+500once"},
          "the retry event: %r" % evs[0])
    check(any(e["event"] == "candidate" and e["data"]["candidate"] == "c2" and e["data"]["status"] == "ok"
              for e in evs), "c2 answered on the stream")
    check(any(e["event"] == "synthesis" and e["data"]["stage"] == "result" for e in evs), "a new synthesis event")
    check(evs[-1]["event"] == "done" and evs[-1]["data"]["state"] == "done", "retry done: %r" % evs[-1])
    asked = [json.loads(line) for line in open(RECORD).read().splitlines()[start:]]
    beta = [r["body"] for r in asked if r["model"] == "demo-beta+500once"]
    check(len(beta) == 1 and beta[0].get("temperature") == 0.3 and beta[0].get("max_completion_tokens") == 700,
          "the retry asked with the candidate's saved settings: %r" % beta)
    check(len([r for r in asked if r["model"] == "demo-judge"]) == 1, "the judge asked again")
    check(not [r for r in asked if r["model"] == "demo-alpha"], "c1 not asked again")
    run = S.json("GET", "/v1/runs/" + flaky)
    check(run["candidates"][1]["status"] == "ok" and run["candidates"][0] == before["candidates"][0], "c2 done")
    check(run["synthesis"] != before["synthesis"] and "c2" in json.dumps(run["synthesis"]["provenance"]),
          "the synthesis made again with c2")
    def saved_retry():
        try:
            on_disk = json.load(open(os.path.join(RUNS, flaky + ".json")))
        except (OSError, ValueError):
            return False
        return [c["status"] for c in on_disk["candidates"]] == ["ok", "ok"] and \
            '"c2"' in json.dumps(on_disk["synthesis"].get("provenance"))
    wait_for(saved_retry, "the run file with c2 done and the new synthesis")
    status, _, data = S.request("POST", "/v1/runs/%s/candidates/c2/retry" % flaky)
    check(status == 409 and json.loads(data)["error"]["code"] == "not_retryable", "c2 now succeeded: %d" % status)
    ok("a candidate retried through the API: 202, its events on the run's stream, the saved settings, "
       "the synthesis made again; 400, 404, 405 and 409 as documented")

    # DELETE while the retry streams: the candidate cancelled, the run's result as it was
    made = subprocess.run([CLI, "--config=" + CONFIG, "--format=json", "--quiet", "--model=demo/demo-alpha",
                           "--model=flaky/demo-gamma+500once+slow=400", "--judge=demo/demo-judge", "-"],
                          input=PROBLEM.encode(), env=ENV, capture_output=True, timeout=120 * SLOW)
    check(made.returncode == 0, "a run with a slow failing candidate: %s" % made.stderr.decode()[-2000:])
    before = json.loads(made.stdout)
    slow_id = before["id"]
    start = len(open(RECORD).read().splitlines())
    started = S.json("POST", "/v1/runs/%s/candidates/c2/retry" % slow_id, want=202)
    wait_for(lambda: any(json.loads(line)["model"] == "demo-gamma+500once+slow=400"
                         for line in open(RECORD).read().splitlines()[start:]), "the retry's request")
    S.json("POST", "/v1/runs/%s/candidates/c2/retry" % slow_id, want=409)
    cancelled = S.json("DELETE", "/v1/runs/" + slow_id, want=202)
    check(cancelled["state"] == "cancelling", "DELETE during a retry: %r" % cancelled)
    evs, _ = S.events(slow_id, last_id=started["last_event_id"])
    check(evs[-1]["event"] == "done" and evs[-1]["data"]["state"] == "done", "the cancelled retry's end: %r" % evs[-1])
    check(not any(e["event"] == "error" for e in evs), "no error event for a cancelled retry")
    run = S.json("GET", "/v1/runs/" + slow_id)
    check(run["candidates"][1]["status"] == "cancelled" and run["synthesis"] == before["synthesis"],
          "the run keeps its result: %s" % run["candidates"][1]["status"])
    asked = [json.loads(line) for line in open(RECORD).read().splitlines()[start:]]
    check(not [r for r in asked if r["model"] == "demo-judge"], "no synthesis after the cancelled retry")
    ok("DELETE during a retry: the candidate cancelled, the run's result kept, done on its stream")

    # --- the store as it is on disk at request time ----------------------------
    # the CLI's runs were saved by another process after the server started
    def listed():
        return {r["id"]: r for r in S.json("GET", "/v1/runs?limit=1000")["runs"]}
    runs = listed()
    for mode in pairs:
        check(pairs[mode][1] in runs, "%s: a run another process saved is listed: %s" % (mode, sorted(runs)))
    check(runs[cli_id]["rounds"] == 2 and runs[cli_id]["state"] == "done", "its rounds: %r" % runs[cli_id])
    check(runs[api_id]["rounds"] == 3, "the server's own run: %r" % runs[api_id])
    # changed by another process: a third round
    cli = subprocess.run([CLI, "--config=" + CONFIG, "--format=json", "--quiet", "--follow-up=" + cli_id, "-"],
                         input=b"And without Redis?", env=ENV, capture_output=True, timeout=120 * SLOW)
    check(cli.returncode == 0, "the CLI's second follow-up: %s" % cli.stderr.decode()[-2000:])
    check(listed()[cli_id]["rounds"] == 3, "the list follows a change on disk")
    run = S.json("GET", "/v1/runs/" + cli_id)
    check(len(run["rounds"]) == 3 and run["rounds"][2]["follow_up"] == "And without Redis?", "GET follows it too")
    # a new run saved by another process, found by id before any listing
    cli = subprocess.run([CLI, "--config=" + CONFIG, "--format=json", "--quiet", "--model=demo/demo-alpha", "-"],
                         input=PROBLEM.encode(), env=ENV, capture_output=True, timeout=120 * SLOW)
    check(cli.returncode == 0, "another CLI run: %s" % cli.stderr.decode()[-2000:])
    other_id = json.loads(cli.stdout)["id"]
    check(S.json("GET", "/v1/runs/" + other_id)["id"] == other_id, "a run saved meanwhile, by id")
    check(other_id in listed(), "and in the list")
    # removed by another process (the app's Delete): gone from the list
    os.unlink(os.path.join(RUNS, other_id + ".json"))
    check(other_id not in listed(), "a deleted run leaves the list")
    S.json("GET", "/v1/runs/" + other_id, want=404)
    check(api_id in listed(), "the server's own runs stay")
    ok("GET /v1/runs and /v1/runs/{id} follow the store on disk: runs saved, changed and deleted "
       "by other processes after the server started")

    # --- resume with Last-Event-ID ----------------------------------------------
    created = S.json("POST", "/v1/runs", {"problem": PROBLEM, "models": ["demo/demo-alpha+slow=100"]}, want=201)
    first, _ = S.events(created["id"], stop_after=8)
    check(first[-1]["event"] != "done", "the first part stops before done")
    rest, _ = S.events(created["id"], last_id=first[-1]["id"])
    check(rest[0]["id"] == first[-1]["id"] + 1, "resumed at %d after %d" % (rest[0]["id"], first[-1]["id"]))
    both = first + rest
    check([e["id"] for e in both] == list(range(1, len(both) + 1)), "no event lost or repeated")
    run = S.json("GET", "/v1/runs/%s" % created["id"])
    check(texts_from(both)["c1"] == run["candidates"][0]["text"], "the resumed stream adds up to the text")
    again, _ = S.events(created["id"], last_id=len(both) - 1)
    check(len(again) == 1 and again[0]["event"] == "done", "resuming after the end: the last event")
    ok("Last-Event-ID resumes a dropped stream without loss")

    # --- more events than a run keeps: the older ones come back as a snapshot ----------
    created = S.json("POST", "/v1/runs", {"problem": PROBLEM, "models": ["demo/demo-alpha:10",
                                                                         "demo/demo-beta:10"]}, want=201)
    live, _ = S.events(created["id"])
    check([e["id"] for e in live] == list(range(1, len(live) + 1)) and len(live) > 4096,
          "a live stream gets every event: %d" % len(live))
    replay, _ = S.events(created["id"], last_id=0)
    check(replay[0]["event"] == "snapshot" and len(replay) == 4097, "a snapshot, then the last 4096 events")
    check([e["id"] for e in replay[1:]] == list(range(replay[0]["id"] + 1, live[-1]["id"] + 1)),
          "the snapshot stands for every event up to its id")
    run = S.json("GET", "/v1/runs/%s" % created["id"])
    texts = texts_from(replay)
    check(all(texts.get(c["id"]) == c["text"] for c in run["candidates"]) and len(run["candidates"]) == 20,
          "the snapshot and the events after it add up to every candidate's text")
    ok("a run keeps its last 4096 events; a client resuming from before them gets a snapshot, losing nothing")

    # --- a client that goes away ------------------------------------------------
    created = S.json("POST", "/v1/runs", {"problem": PROBLEM, "models": ["demo/demo-alpha+slow=100",
                                                                         "demo/demo-beta"]}, want=201)
    c = S.conn()
    c.request("GET", created["events"], headers={"Host": "127.0.0.1:%d" % S.port,
                                                 "Authorization": "Bearer " + S.token})
    r = c.getresponse()
    r.readline()
    c.sock.shutdown(2)
    c.close()
    rid = created["id"]
    wait_for(lambda: S.json("GET", "/v1/runs/" + rid)["state"] == "done", "the run to finish")

    def saved_done():
        # the file is written in a worker thread just after the state changes
        try:
            d = json.load(open(os.path.join(RUNS, rid + ".json")))
        except (OSError, ValueError):
            return None
        return d if d["state"] == "done" else None
    saved = wait_for(saved_done, "the run file to say done")
    check(saved["state"] == "done" and all(c["status"] == "ok" for c in saved["candidates"]),
          "the saved run after the client left")
    ok("a client that disconnects mid-stream leaves the run running, and it is saved")

    # --- cancel ---------------------------------------------------------------------
    created = S.json("POST", "/v1/runs", {"problem": PROBLEM, "models": ["demo/demo-beta+slow=400"]}, want=201)
    S.events(created["id"], stop_after=3)
    cancelled = S.json("DELETE", "/v1/runs/" + created["id"], want=202)
    check(cancelled["id"] == created["id"], "DELETE answers with the id")
    evs, _ = S.events(created["id"])
    check(evs[-1]["data"]["state"] == "cancelled", "cancelled: %r" % evs[-1])
    S.json("DELETE", "/v1/runs/" + created["id"], want=409)
    S.json("DELETE", "/v1/runs/no-such-run", want=404)
    ok("DELETE cancels a running run (saved as cancelled); a finished one is kept (409)")

    # --- the list and the models ----------------------------------------------------
    listed = S.json("GET", "/v1/runs")["runs"]
    check(created["id"] in [r["id"] for r in listed], "the list holds the runs")
    check(len(S.json("GET", "/v1/runs?limit=2")["runs"]) == 2, "?limit")
    models_doc = S.json("GET", "/v1/models")
    status, _, raw = S.request("GET", "/v1/models")
    check(SECRET.encode() not in raw and b"CS_SERVE_TEST_KEY" not in raw, "no key in /v1/models")
    alpha = [m for p in models_doc["providers"] for m in p["models"] if m["id"] == "demo/demo-alpha"][0]
    check(alpha["price_input"] == 0.6 and alpha["price_output"] == 2.5, "prices")
    ok("GET /v1/runs lists the saved runs; GET /v1/models has prices and no key")

    # --- 20 concurrent submissions --------------------------------------------------
    def submit(i):
        return S.request("POST", "/v1/runs", {"problem": "%s (%d)" % (PROBLEM, i),
                                              "models": ["demo/demo-alpha+slow=100"]})
    with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(submit, range(20)))
    accepted = [json.loads(d)["id"] for s, h, d in results if s == 201]
    refused = [(s, h, d) for s, h, d in results if s != 201]
    for s, h, d in refused:
        check(s == 429, "a refused submission: HTTP %d" % s)
        check(int(h["retry-after"]) >= 1, "Retry-After")
        check(json.loads(d)["error"]["code"] == "too_many_runs", "429 body")
    check(len(accepted) == 8 and len(refused) == 12,
          "3 running + 5 queued accepted, the rest 429: %d accepted" % len(accepted))
    for rid in accepted:
        evs, _ = S.events(rid)
        check(evs[-1]["data"]["state"] == "done", "run %s: %r" % (rid, evs[-1]))
    ok("20 concurrent submissions: %d finished, %d got 429 with Retry-After" % (len(accepted), len(refused)))

    # --- the OpenAPI document against the routes ------------------------------------
    doc = S.json("GET", "/v1/openapi.json")
    check(doc["openapi"].startswith("3.1"), "OpenAPI 3.1")
    expected = {("post", "/v1/runs"), ("get", "/v1/runs"), ("get", "/v1/runs/{id}"),
                ("delete", "/v1/runs/{id}"), ("get", "/v1/runs/{id}/events"),
                ("get", "/v1/runs/{id}/markdown"), ("get", "/v1/models"), ("get", "/v1/openapi.json"),
                ("post", "/v1/runs/{id}/follow-ups"), ("post", "/v1/runs/{id}/candidates/{cid}/retry")}
    documented = {(m, p) for p, item in doc["paths"].items() for m in item}
    check(documented == expected, "documented routes: %s" % sorted(documented ^ expected))
    finished = accepted[0]
    for method, path in sorted(documented):
        real = path.replace("{id}", finished).replace("{cid}", "c1")
        body = None
        if method == "post" and not path.endswith("/retry"):
            body = {"question": "And the costs?"} if path.endswith("follow-ups") else \
                   {"problem": PROBLEM, "models": ["demo/demo-alpha"]}
        status, headers, data = S.request(method.upper(), real, body)
        op = doc["paths"][path][method]
        check(str(status) in op["responses"], "%s %s: HTTP %d not documented" % (method, path, status))
        check(status not in (404, 405), "%s %s: HTTP %d" % (method, path, status))
        if path.endswith("/events"):
            check(b"event: done" in data, "the events of a finished run end with done")
        for code in op["responses"]:
            check(code == "default" or 100 <= int(code) < 600, "status code %s" % code)
        # and a route the document does not have is not served
        status, _, _ = S.request(method.upper(), real + "/extra", body)
        check(status in (404, 405), "%s %s/extra: HTTP %d" % (method, real, status))
    ok("the OpenAPI document lists exactly the routes served, each answering a documented status")

    # --- SIGTERM mid-run --------------------------------------------------------------
    created = S.json("POST", "/v1/runs", {"problem": PROBLEM, "models": ["demo/demo-alpha",
                                                                         "demo/demo-beta+slow=400"]}, want=201)
    rid = created["id"]

    def alpha_ok():
        return S.json("GET", "/v1/runs/" + rid)["candidates"][0]["status"] == "ok"
    wait_for(alpha_ok, "the first candidate")
    status = S.stop()
    check(status == 0, "SIGTERM: exit status %d" % status)
    saved = json.load(open(os.path.join(RUNS, rid + ".json")))
    check(saved["state"] == "cancelled", "saved as %s" % saved["state"])
    c1, c2 = saved["candidates"]
    check(c1["status"] == "ok" and c1["data"] is not None and c1["text"], "the finished candidate kept")
    check(c2["status"] == "cancelled", "the streaming one cancelled: %s" % c2["status"])
    check(not os.path.exists(S.token_path), "the token file removed at exit")
    ok("SIGTERM mid-run: exit 0, the run saved as cancelled with its finished candidate")

    # --- --token-file, the default port in --help ---------------------------------------
    token_file = os.path.join(TMP, "token")
    with open(token_file, "w") as f:
        f.write("my-own-token-0123456789abcdef\n")
    os.chmod(token_file, 0o644)
    bad = subprocess.run([CLI, "--serve", "--port=0", "--config=" + CONFIG, "--token-file=" + token_file],
                         env=ENV, capture_output=True, timeout=30 * SLOW)
    check(bad.returncode == 2 and b"chmod 600" in bad.stderr, "a readable token file is refused")
    os.chmod(token_file, 0o600)
    S2 = Server("--token-file=" + token_file)
    check(S2.token == "my-own-token-0123456789abcdef", "the token from --token-file")
    S2.json("GET", "/v1/models")
    check(S2.stop() == 0 and os.path.exists(token_file), "a given token file is kept")
    # --allow-origin: that origin's requests and preflights get CORS headers, others 403
    S3 = Server("--allow-origin=https://editor.example", "--listen=127.0.0.1")
    status, headers, _ = S3.request("OPTIONS", "/v1/runs", token=None,
                                    headers={"Origin": "https://editor.example",
                                             "Access-Control-Request-Method": "POST"})
    check(status == 204 and headers.get("access-control-allow-origin") == "https://editor.example"
          and "Authorization" in headers.get("access-control-allow-headers", ""), "preflight: %d" % status)
    status, headers, _ = S3.request("GET", "/v1/models", headers={"Origin": "https://editor.example"})
    check(status == 200 and headers.get("access-control-allow-origin") == "https://editor.example", "CORS GET")
    status, headers, _ = S3.request("GET", "/v1/models", headers={"Origin": "https://other.example"})
    check(status == 403 and "access-control-allow-origin" not in headers, "another origin: %d" % status)
    status, _, _ = S3.request("GET", "/v1/models", token=None, headers={"Origin": "https://editor.example"})
    check(status == 401, "CORS still needs the token")
    check(S3.stop() == 0, "exit status")
    bad = subprocess.run([CLI, "--serve", "--config=" + CONFIG, "--listen=example.com"],
                         env=ENV, capture_output=True, timeout=30 * SLOW)
    check(bad.returncode == 2 and b"not an IP address" in bad.stderr, "--listen=example.com refused")
    ok("--allow-origin answers preflights and adds CORS headers for that origin only; --listen takes an address")

    helptext = subprocess.run([CLI, "--help"], capture_output=True).stdout.decode()
    check("--serve" in helptext and "8731" in helptext and "--port" in helptext, "--help")
    ok("--token-file (only its owner may read it); --help documents --serve and the default port")

    # --- the request log ----------------------------------------------------------------
    log_path = os.path.join(ENV["XDG_STATE_HOME"], "consilium", "requests.log")
    # a log at its size limit: the next attempt's line ends it, and it becomes requests.log.1
    filler = json.dumps({"time": "2026-01-01T00:00:00.000Z", "run": "filler", "note": "x" * 200}) + "\n"
    with open(log_path, "a") as f:
        f.write(filler * (4 * 1024 * 1024 // len(filler) + 1))
    cli = subprocess.run([CLI, "--config=" + CONFIG, "--format=json", "--quiet",
                          "--model=demo/demo-alpha+429once", "--model=demo/demo-beta+500",
                          "--model=gone/demo-alpha", "--model=demo/demo-gamma+escapes",
                          "--model=demo/demo-alpha", "-"],
                         input=PROBLEM.encode(), env=ENV, capture_output=True, timeout=120 * SLOW)
    check(cli.returncode == 0, "the CLI run with faults: %s" % cli.stderr.decode()[-2000:])
    rid = json.loads(cli.stdout)["id"]
    check(os.path.exists(log_path + ".1") and os.path.getsize(log_path) < 1024 * 1024,
          "the log was rotated past 4 MiB")
    lines = [json.loads(l) for l in open(log_path + ".1")] + [json.loads(l) for l in open(log_path)]
    mine = [l for l in lines if l["run"] == rid]
    by = {}
    for l in mine:
        by.setdefault(l["candidates"], []).append(l)
    for l in mine:
        for key in ("time", "provider", "model", "dialect", "run", "candidates", "attempt", "status",
                    "error_kind", "error", "retry_delay_ms", "ttfb_ms", "duration_ms", "input_tokens",
                    "output_tokens", "bytes"):
            check(key in l, "log line without %s: %r" % (key, l))
    c1 = by["c1"]
    check([a["attempt"] for a in c1] == [1, 2], "c1 attempts %r" % c1)
    check(c1[0]["status"] == 429 and c1[0]["error_kind"] == "rate-limited" and c1[0]["retry_delay_ms"] >= 900,
          "429 first: %r" % c1[0])
    check(c1[1]["status"] == 200 and c1[1]["error_kind"] is None and c1[1]["output_tokens"] > 0
          and c1[1]["bytes"] > 0 and c1[1]["ttfb_ms"] is not None, "then success: %r" % c1[1])
    c2 = by["c2"]
    check([(a["attempt"], a["status"], a["error_kind"]) for a in c2] == [(1, 500, "server"), (2, 500, "server")],
          "500 twice: %r" % c2)
    check(c2[0]["retry_delay_ms"] is not None and c2[1]["retry_delay_ms"] is None and c2[1]["error"],
          "retried, then failed with a message: %r" % c2)
    c3 = by["c3"]
    check(len(c3) == 1 and c3[0]["status"] is None and c3[0]["error_kind"] == "connect"
          and c3[0]["provider"] == "gone", "the provider that is gone: %r" % c3)
    check(len(by["c5"]) == 1 and by["c5"][0]["dialect"] == "openai-chat", "one attempt of c5")
    check(len(mine) == 7, "one line per attempt: %d lines" % len(mine))
    raw = open(log_path, "rb").read() + open(log_path + ".1", "rb").read()
    check(SECRET.encode() not in raw and PROBLEM.encode() not in raw, "no key and no prompt in the log")
    check(any(l["run"] == accepted[0] for l in lines), "the API's runs are in the log too")
    shown = subprocess.run([CLI, "--log=" + rid], env=ENV, capture_output=True, timeout=30 * SLOW)
    check(shown.returncode == 0, "--log")
    out = shown.stdout.decode()
    check(out.count("attempt ") == 7 and "HTTP 429  rate-limited" in out and "connect" in out, "--log: " + out)
    check(not any(ord(ch) < 32 and ch != "\n" for ch in out) and "\u009b" not in out and "\u202e" not in out,
          "--log prints no control character")
    check("\\x1b" in out, "an escape sequence is shown escaped")
    ok("the request log: one line per attempt (429 then success, 500 twice, a provider that is gone), "
       "no key, no prompt, rotated past 4 MiB; --log=RUN_ID prints them inert, from both files")

    # --- prompts in the request log: off by default, on with --log-prompts ------------
    check(not any("request" in l for l in lines), "no request body in the log by default")
    # long enough to be cut, in the middle of two-byte characters
    told = PROBLEM + " Our key is " + SECRET + ", do not repeat it. Notes: " + "naïve café " * 1500
    cli = subprocess.run([CLI, "--config=" + CONFIG, "--format=json", "--quiet", "--log-prompts",
                          "--model=demo/demo-alpha", "--model=demo/demo-beta", "-"],
                         input=told.encode(), env=ENV, capture_output=True, timeout=120 * SLOW)
    check(cli.returncode == 0, "the CLI run with --log-prompts: %s" % cli.stderr.decode()[-2000:])
    rid = json.loads(cli.stdout)["id"]
    raw = open(log_path, "rb").read()
    mine = [json.loads(l) for l in raw.decode().splitlines() if json.loads(l)["run"] == rid]
    check(len(mine) == 2 and all("request" in l for l in mine), "a body on every attempt: %r" % mine)
    for l in mine:
        check(PROBLEM in l["request"] and "Our key is [redacted], do not repeat it." in l["request"],
              "the prompt, the key scrubbed: %s" % l["request"][:3000])
        check(l["request_truncated"] and l["request_bytes"] > 16 * 1024
              and 16 * 1024 - 2 <= len(l["request"].encode()) <= 16 * 1024
              and "\ufffd" not in l["request"],
              "cut at 16 KiB on a character's boundary: %r" % {k: l[k] for k in ("request_bytes", "request_truncated")})
        check(l["request"].startswith('{"model":"%s"' % l["model"]), "the body as sent")
    check(SECRET.encode() not in raw, "no key in the log, even from the prompt")
    ok("--log-prompts puts each attempt's request body in the log, the key scrubbed, cut at 16 KiB; "
       "off by default")

    print("1..%d" % serve_lib.n_pass)
finally:
    cleanup()
