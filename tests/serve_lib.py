# serve_lib.py: what the tests of consilium-cli --serve share (test-serve.py,
# test-serve-store.py): TAP lines, waits on a condition (scaled by
# CONSILIUM_TEST_SLOW), a fresh folder with its XDG directories, the
# standalone test provider, a server and requests to it with Python's
# http.client (not the project's own client), the CLI in another process.
#
# SPDX-License-Identifier: GPL-3.0-or-later
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

CLI = os.environ["CONSILIUM_CLI"]
PROVIDER = os.environ["CONSILIUM_TEST_PROVIDER"]
SLOW = 4 if os.environ.get("CONSILIUM_TEST_SLOW") else 1

PROBLEM = "Design a URL shortener for 10 million new links a day, with analytics."
SUPPORT = "After upgrading nginx, every request returns 502 Bad Gateway."

n_pass = 0


def ok(name):
    global n_pass
    n_pass += 1
    print("ok %d - %s" % (n_pass, name), flush=True)


def fail(message):
    print("not ok - %s" % message, flush=True)
    sys.exit(1)


def check(cond, message):
    if not cond:
        fail(message)


def wait_for(cond, what, timeout=30):
    deadline = time.time() + timeout * SLOW
    while time.time() < deadline:
        value = cond()
        if value:
            return value
        time.sleep(0.05)
    fail("timed out waiting for " + what)


class Harness:
    """A fresh folder (TMP), the environment of every process started
    (ENV: XDG directories below TMP, the key in CS_SERVE_TEST_KEY), the
    runs folder (RUNS) and the test provider, recording each request's
    body in RECORD; its port in provider_port."""

    def __init__(self, name):
        self.secret = "sk-%s-test-%d-do-not-leak" % (name, os.getpid())
        self.tmp = tempfile.mkdtemp(prefix="cs-test-%s-" % name)
        self.env = dict(os.environ)
        self.env.update({
            "XDG_DATA_HOME": os.path.join(self.tmp, "data"),
            "XDG_CONFIG_HOME": os.path.join(self.tmp, "config"),
            "XDG_STATE_HOME": os.path.join(self.tmp, "state"),
            "XDG_RUNTIME_DIR": os.path.join(self.tmp, "runtime"),
            "CS_SERVE_TEST_KEY": self.secret,
        })
        os.makedirs(self.env["XDG_RUNTIME_DIR"], mode=0o700)
        self.runs = os.path.join(self.env["XDG_DATA_HOME"], "consilium", "runs")
        self.children = []
        port_file = os.path.join(self.tmp, "provider.port")
        self.record = os.path.join(self.tmp, "requests.jsonl")
        provider = subprocess.Popen([PROVIDER, "--port-file=" + port_file, "--require-key=" + self.secret,
                                     "--record=" + self.record],
                                    stdout=subprocess.DEVNULL,
                                    stderr=open(os.path.join(self.tmp, "provider.log"), "w"))
        self.children.append(provider)
        wait_for(lambda: os.path.exists(port_file) and open(port_file).read().strip(), "the test provider")
        self.provider_port = int(open(port_file).read())
        self.config = os.path.join(self.tmp, "providers.ini")

    def write_config(self, text):
        """The providers file: TEXT with every %(port)d the provider's port."""
        with open(self.config, "w") as f:
            f.write(text % {"port": self.provider_port})

    def cli(self, args, stdin=None, env=None):
        """consilium-cli ARGS (with --config) in another process, to its end."""
        return subprocess.run([CLI, "--config=" + self.config] + list(args),
                              input=stdin.encode() if isinstance(stdin, str) else stdin,
                              env=env or self.env, capture_output=True, timeout=120 * SLOW)

    def recorded(self):
        """The requests the provider received so far (their records); a
        last line still being written is left for the next call."""
        text = open(self.record).read() if os.path.exists(self.record) else ""
        return [json.loads(line) for line in text.split("\n")[:-1] if line]

    def server(self, *args):
        return Server(self, *args)

    def cleanup(self):
        for p in self.children:
            if p.poll() is None:
                p.kill()
                p.wait()
        if not os.environ.get("KEEP_TMP"):
            shutil.rmtree(self.tmp, ignore_errors=True)


class Server:
    def __init__(self, harness, *args):
        n = len(harness.children)
        self.out = open(os.path.join(harness.tmp, "serve-%d.out" % n), "w+")
        self.err = open(os.path.join(harness.tmp, "serve-%d.err" % n), "w+")
        self.proc = subprocess.Popen([CLI, "--serve", "--port=0", "--config=" + harness.config] + list(args),
                                     env=harness.env, stdout=self.out, stderr=self.err)
        harness.children.append(self.proc)

        def started():
            self.out.seek(0)
            text = self.out.read()
            if self.proc.poll() is not None:
                self.err.seek(0)
                fail("the server exited: " + self.err.read())
            return text if "Token file:" in text else None
        text = wait_for(started, "the server to start")
        line = [l for l in text.splitlines() if l.startswith("Consilium API at ")][0]
        url = line.split()[-1]
        self.port = int(url.rsplit(":", 1)[1].split("/")[0])
        self.token_path = [l for l in text.splitlines() if l.startswith("Token file:")][0].split(": ", 1)[1]
        self.token = open(self.token_path).read().strip()

    def conn(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=60 * SLOW)

    def request(self, method, path, body=None, headers=None, token=True):
        h = {"Host": "127.0.0.1:%d" % self.port}
        if token is True:
            h["Authorization"] = "Bearer " + self.token
        elif token:
            h["Authorization"] = "Bearer " + token
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
            h["Content-Type"] = "application/json"
        h.update(headers or {})
        c = self.conn()
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read()
        c.close()
        return r.status, dict((k.lower(), v) for k, v in r.getheaders()), data

    def json(self, method, path, body=None, want=200, **kw):
        status, headers, data = self.request(method, path, body, **kw)
        check(status == want, "%s %s: HTTP %d, expected %d: %s" % (method, path, status, want, data[:500]))
        return json.loads(data) if data else None

    def events(self, run_id, last_id=None, stop_after=None):
        """The run's events until done (or stop_after events), as dicts."""
        c = self.conn()
        h = {"Host": "127.0.0.1:%d" % self.port, "Authorization": "Bearer " + self.token}
        if last_id is not None:
            h["Last-Event-ID"] = str(last_id)
        c.request("GET", "/v1/runs/%s/events" % run_id, headers=h)
        r = c.getresponse()
        check(r.status == 200, "events: HTTP %d" % r.status)
        check(r.getheader("Content-Type").startswith("text/event-stream"), "events: content type")
        out, ev, comments = [], {}, 0
        while True:
            line = r.readline()
            if not line:
                break
            line = line.decode().rstrip("\n")
            if line == "":
                if "event" in ev:
                    ev["data"] = json.loads(ev["data"])
                    out.append(ev)
                    if ev["event"] == "done" or (stop_after and len(out) >= stop_after):
                        break
                ev = {}
            elif line.startswith(":"):
                comments += 1
            else:
                k, _, v = line.partition(": ")
                ev[k] = int(v) if k == "id" else v
        c.close()
        return out, comments

    def stop(self, sig=signal.SIGTERM):
        self.proc.send_signal(sig)
        return self.proc.wait(timeout=60 * SLOW)


def texts_from(events):
    """Each candidate's text as the deltas (and snapshots) built it."""
    texts = {}
    for e in events:
        d = e["data"]
        if e["event"] == "snapshot":
            for c in d["candidates"]:
                texts[c["candidate"]] = c["text"]
        elif e["event"] == "delta" and d["kind"] == "text":
            if d.get("replace"):
                texts[d["candidate"]] = ""
            texts[d["candidate"]] = texts.get(d["candidate"], "") + d["text"]
    return texts


VOLATILE = {"id", "created", "updated", "ttft_ms", "duration_ms", "tokens_per_second", "queued_ms", "wall_ms"}


def strip(node):
    """A run's JSON without what differs between two runs of one question."""
    if isinstance(node, dict):
        return {k: strip(v) for k, v in node.items() if k not in VOLATILE}
    if isinstance(node, list):
        return [strip(v) for v in node]
    return node
