#!/usr/bin/env python3
"""Runs every example client (examples/python, examples/js) against a real coordinator and
checks that each does what examples/README.md says.

For each language: start a node (port 0, a temp store, random secrets), then
  1. companion + dashboard: a companion shard handshakes; the dashboard changes one guild
     through the admin API and another through a dashboard gateway session; the test adds a
     supporter; the shard must print exactly those op 2, op 2, op 3, op 10 and exit 0; its op 5
     stats must show in /api/v1/stats; it must answer the pings (every 500 ms) for 1.5 s at
     least; the changes must be stored.
  2. sharder + worker: a worker (zlib, connected through a TCP proxy) waits; a sharder (zlib)
     sends 3 commands and cache records; the worker must get those 3 and answer the
     coordinator's heartbeat request; the proxy drops its connection (a network loss) while a
     second sharder sends 3 more; the worker must reconnect (resume, on a node whose IDENTIFIED
     names the session) and get them; then an admin kick, and a third sharder's 3; the worker's
     9 lines must equal the sharders' 9 in order; the cache must answer on the read API; a
     wrong secret must end the worker with exit 1 instead of a reconnect loop.
  3. voice: create a voice client and keep it (--keep); the next run gets it back in RESUMED,
     reads its state and destroys it; a wrong password exits 1.
Then SIGTERM the node (by PID) and expect exit 0.

Usage: tests/examples/run.py [--coordinator PATH] [--lang python|js ...] [--keep-logs]
The Python examples run with /usr/bin/python3 (Debian's, with python3-websockets), or
$EXAMPLES_PYTHON; the JavaScript ones with node after `npm ci` in examples/js.

Past 400 lines on purpose: one check per example, all against the same node and workers.
"""
import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLES = os.path.join(ROOT, "examples")
TIMEOUT = 20.0  # seconds any one example may run

G1, G2 = "254768930223161344", "81384788765712384"  # G1 > 2^53: JavaScript must keep it exact
G3, G4 = "300000000000000000", "400000000000000001"
G5, G6 = "500000000000000002", "600000000000000003"
AUTHOR = "155112606661607425"


class Failure(Exception):
    pass


def check(condition, what):
    if not condition:
        raise Failure(what)


def wait_until(what, predicate, timeout=TIMEOUT):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise Failure(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(0.05)


class Proc:
    """A process whose stdout and stderr go to one log file, read while it runs."""

    def __init__(self, name, cmd, env, logdir):
        self.name = name
        self.log_path = os.path.join(logdir, f"{name}.log")
        self.log_file = open(self.log_path, "wb")
        self.proc = subprocess.Popen(cmd, stdout=self.log_file, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, env=env)

    def text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", errors="replace")

    def lines(self):
        return self.text().splitlines()

    def wait_for(self, pattern, count=1, timeout=TIMEOUT):
        """Waits until `pattern` (a regex) matches `count` lines; fails early if it exits."""
        def seen():
            n = sum(1 for line in self.lines() if re.search(pattern, line))
            if n >= count:
                return True
            if self.proc.poll() is not None:
                raise Failure(f"{self.name} exited ({self.proc.returncode}) before printing "
                              f"{pattern!r} x{count}")
            return False
        wait_until(f"{self.name} to print {pattern!r} x{count}", seen, timeout)

    def wait_for_in_order(self, texts, timeout=TIMEOUT):
        """Waits until lines with these texts have been printed, in this order."""
        def seen():
            try:
                in_order(self.lines(), texts, self.name)
                return True
            except Failure:
                if self.proc.poll() is not None:
                    raise
                return False
        wait_until(f"{self.name} to print {texts}", seen, timeout)

    def finish(self, expect_rc=0, timeout=TIMEOUT):
        """Waits for the process to exit on its own (killed by PID on timeout)."""
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            raise Failure(f"{self.name} did not exit within {timeout:g} s")
        finally:
            self.log_file.close()
        check(rc == expect_rc, f"{self.name} exited {rc}, expected {expect_rc}")
        return self.lines()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.log_file.close()


class Node:
    """A coordinator on a free port with a temp store and random secrets."""

    def __init__(self, binary, workdir):
        self.key, self.secret = secrets.token_hex(8), secrets.token_hex(8)
        self.password, self.token = secrets.token_hex(8), secrets.token_hex(8)
        self.proc = Proc("coordinator", [
            binary, "--coordinator.port=0", "--console.port=0",
            f"--store.path={os.path.join(workdir, 'store', 'db.sqlite')}",
            f"--companion.key={self.key}", f"--gateway.secret={self.secret}",
            f"--voice.password={self.password}", f"--admin.token={self.token}",
            # a 1 s heartbeat interval: the worker's slow heartbeats make the coordinator ask
            "--gateway.heartbeat_interval_ms=1000",
            # companion pings every 500 ms: a shard that stops answering is closed after 1 s
            "--companion.ping_interval=500ms",
            # three sharders with one shard each, in three identify buckets: no 5 s grant wait
            "--gateway.shard_count=3", "--gateway.sharders=3", "--gateway.max_concurrency=3",
        ], dict(os.environ), workdir)
        line = None

        def listening():
            nonlocal line
            if self.proc.proc.poll() is not None:
                raise Failure(f"coordinator exited ({self.proc.proc.returncode}):\n"
                              + self.proc.text())
            line = next((l for l in self.proc.lines() if "http+websocket listening on" in l),
                        None)
            return line
        try:
            wait_until("the coordinator to listen", listening, 10)
        except Failure:
            self.proc.stop()
            raise
        self.url = "http://" + line.rsplit(" ", 1)[1]

    def env(self):
        env = dict(os.environ)
        env.update(COORDINATOR_URL=self.url, COMPANION_KEY=self.key, GATEWAY_SECRET=self.secret,
                   VOICE_PASSWORD=self.password, ADMIN_TOKEN=self.token)
        return env

    def http(self, method, path, auth=None, body=None):
        req = urllib.request.Request(self.url + path, method=method,
                                     data=None if body is None else json.dumps(body).encode())
        if auth:
            req.add_header("Authorization", auth)
        try:
            with urllib.request.urlopen(req, timeout=10) as answer:
                data = answer.read()
                return answer.status, (json.loads(data) if data else None)
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode(errors="replace")

    def admin(self, method, path, body=None):
        return self.http(method, path, f"Bearer {self.token}", body)

    def metric(self, name, labels):
        with urllib.request.urlopen(self.url + "/metrics", timeout=10) as answer:
            text = answer.read().decode()
        for line in text.splitlines():
            if re.match(re.escape(name) + r"[{ ]", line) and \
                    all(f'{k}="{v}"' in line for k, v in labels.items()):
                return float(line.rsplit(" ", 1)[1])
        return 0.0

    def stop(self):
        """SIGTERM by PID; the node must stop on its own with exit 0."""
        self.proc.proc.send_signal(signal.SIGTERM)
        self.proc.finish(0, timeout=10)


class TcpProxy:
    """Forwards a local port to the node; cut() drops every connection through it at once, as
    a network failure would (the websockets see no close frame)."""

    def __init__(self, node_url):
        self.target = node_url.rsplit(":", 1)[1]
        self.server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}"
        self.lock = threading.Lock()
        self.sockets = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.server.accept()
                upstream = socket.create_connection(("127.0.0.1", int(self.target)))
            except OSError:
                return
            with self.lock:
                self.sockets += [client, upstream]
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    @staticmethod
    def _pump(src, dst):
        try:
            while data := src.recv(65536):
                dst.sendall(data)
            dst.shutdown(socket.SHUT_WR)  # pass an orderly end on
        except OSError:
            pass

    def cut(self):
        with self.lock:
            cut, self.sockets = self.sockets, []
        for s in cut:
            try:
                s.shutdown(socket.SHUT_RDWR)  # wakes the pumps blocked in recv
            except OSError:
                pass
            s.close()

    def close(self):
        try:
            self.server.shutdown(socket.SHUT_RDWR)  # wakes accept()
        except OSError:
            pass
        self.server.close()
        self.cut()


class Examples:
    def __init__(self, lang, node, logdir):
        self.lang, self.node, self.logdir = lang, node, logdir
        self.started = 0
        self.procs = []

    def start(self, example, *args, env=None):
        self.started += 1
        if self.lang == "python":
            cmd = [PYTHON, os.path.join(EXAMPLES, "python", f"{example}.py"), *args]
        else:
            cmd = ["node", os.path.join(EXAMPLES, "js", f"{example}.js"), *args]
        proc = Proc(f"{self.lang}-{self.started:02d}-{example}", cmd, env or self.node.env(),
                    self.logdir)
        self.procs.append(proc)
        return proc

    def run(self, example, *args, expect_rc=0, env=None):
        return self.start(example, *args, env=env).finish(expect_rc)


def has(lines, text):
    return any(text in line for line in lines)


def in_order(lines, texts, who):
    """Each text (or compiled regex) appears in a later line than the one before."""
    at = 0
    for text in texts:
        def found(line):
            return text.search(line) if isinstance(text, re.Pattern) else text in line
        while at < len(lines) and not found(lines[at]):
            at += 1
        check(at < len(lines), f"{who}: no line with {text!r} (in this order: {texts})")
        at += 1


def companion_and_dashboard(ex):
    node = ex.node
    started = time.monotonic()
    companion = ex.start("companion", "--guild", G1, "--guild", G2, "--shard", "3",
                         "--playing", "2", "--count", "4")
    companion.wait_for(r"^companion: handshake done: 2 guilds, 0 supporters$")
    companion.wait_for(r"^companion: sent music stats: shard 3, 2 playing$")

    def stats_seen():
        status, stats = node.admin("GET", "/api/v1/stats")
        return status == 200 and {"shardId": 3, "playingMusic": 2} in [
            {k: s[k] for k in ("shardId", "playingMusic")} for s in stats["music"]["shards"]]
    wait_until("the companion's op 5 in /api/v1/stats", stats_seen, 10)
    # Alive for 3 ping intervals: the library answers the coordinator's pings (checked below).
    time.sleep(max(0.0, 1.5 - (time.monotonic() - started)))

    env = node.env()
    del env["ADMIN_TOKEN"]  # this one takes the token as an option
    out = ex.run("dashboard", "--guild", G1, "--prefix", "?", "--dj-role", "123",
                 "--token", node.token, env=env)
    check(has(out, f"dashboard: PATCH /api/v1/guilds/{G1}/settings "
                   '{"prefix":"?","djRoleId":"123"} -> 200'), "dashboard (api): no PATCH line")
    check(has(out, f'dashboard: guild {G1} now: prefix "?", dj role 123, voice channel 0, '
                   "music channel 0, music enabled"), "dashboard (api): no settings line")

    out = ex.run("dashboard", "--via", "gateway", "--guild", G2, "--prefix", "é$",
                 "--music", "off")
    in_order(out, ["dashboard: identified as dashboard",
                   f'dashboard: sent GUILD_SETTINGS_UPDATE {{"guildId":"{G2}","prefix":"é$"}}',
                   f'dashboard: sent MUSIC_COMMAND_UPDATE {{"guildId":"{G2}","enable":false}}',
                   f'dashboard: stored: guild {G2} now: prefix "é$"',
                   f"dashboard: stored: music command disabled in guild {G2}"], "dashboard (gw)")

    status, _ = node.admin("PUT", "/api/v1/supporters/42")
    check(status == 201, f"PUT supporter answered {status}")
    out = companion.finish(0)
    pushed = [line for line in out if re.match(r"companion: op \d+:", line)]
    check(pushed == [
        f'companion: op 2: guild {G1} settings: prefix "?", dj role 123, voice channel 0, '
        "music channel 0",
        f'companion: op 2: guild {G2} settings: prefix "é$", dj role 0, voice channel 0, '
        "music channel 0",
        f"companion: op 3: music command disabled in guild {G2}",
        "companion: op 10: supporter added: 42",
    ], f"companion: pushed messages were {pushed}")
    check(has(out, "companion: got 4 messages, done"), "companion: no done line")
    check(not has(out, "connection lost")
          and node.metric("coordinator_heartbeat_timeouts_total", {"dialect": "companion"}) == 0,
          "the companion shard lost its connection (pings not answered?)")

    status, settings = node.admin("GET", f"/api/v1/guilds/{G2}/settings")
    check(status == 200 and settings["prefix"] == "é$" and settings["musicEnabled"] is False,
          f"guild {G2} settings not stored: {status} {settings}")


def command_lines(lines, prefix):
    """The command descriptions after `prefix N[/M]: `."""
    return [re.sub(r"^.*?: ", "", line.split(prefix, 1)[1])
            for line in lines if prefix in line]


def sharder(ex, *args):
    return ex.run("sharder", "--count", "3", "--every", "0.05", "--compress", *args)


def sharder_and_worker(ex):
    node = ex.node
    proxy = TcpProxy(node.url)  # the worker's connection goes through it, so it can be cut
    try:
        sharder_and_worker_through(ex, proxy)
    finally:
        proxy.close()


def sharder_and_worker_through(ex, proxy):
    node = ex.node
    env = node.env()
    env["COORDINATOR_URL"] = proxy.url
    worker = ex.start("worker", "--count", "9", "--compress", "--heartbeat-ms", "60000", env=env)
    worker.wait_for(r"^worker: identified as commands(, session \S+)? \(zlib\)$")
    # A node with resume names the session in IDENTIFIED; the worker then resumes after a loss.
    resumes = has(worker.lines(), "identified as commands, session ")

    first = sharder(ex)
    in_order(first, ["sharder: hello, heartbeat every 1000 ms",
                     re.compile(r"^sharder: identified as sharder(, session \S+)?, shards \[0\] \(zlib\)$"),
                     f"sharder: cached guild {G1} (1 role, 2 channels, 1 member)",
                     "sharder: sent 3 commands, done"], "sharder 1")
    check(has(first, "sharder: shard 0 may identify with Discord now"), "sharder 1: no grant")
    worker.wait_for(r"^worker: EXECUTE_COMMAND \d+: ", 3)
    # Its heartbeats come every 60 s: at 1.5 s the coordinator asks, and it answers at once.
    worker.wait_for_in_order(["worker: coordinator asked for a heartbeat",
                              "worker: heartbeat acked"], timeout=5)

    # 1. The network drops the worker's connection (no close frame). Commands sent meanwhile
    # wait for it in the coordinator (or in its replay buffer, when it resumes).
    proxy.cut()
    second = sharder(ex, "--guild", G3, "--guild", G4)
    check(any(re.search(r"identified as sharder(, session \S+)?, shards \[1\] \(zlib\)", x)
              for x in second),
          "sharder 2: did not get shard 1")
    worker.wait_for(r"^worker: EXECUTE_COMMAND \d+: ", 6)
    # Replayed commands come before RESUMED, so the worker may print them before it says
    # it resumed: wait for that line too instead of reading the log at once.
    back = "worker: resumed, " if resumes else "worker: identified as commands"
    worker.wait_for_in_order([LOST, back], timeout=10)
    in_order(worker.lines(), [LOST, back], "worker after the network loss")

    # 2. An admin kick ends the session (it cannot be resumed): the worker identifies again.
    def only_worker():
        _, listing = node.admin("GET", "/api/v1/sessions")
        gateway = [s for s in listing["sessions"] if s["dialect"] == "gateway"]
        return gateway[0]["id"] if len(gateway) == 1 else None
    session = wait_until("the worker to be the only gateway session", only_worker, 10)
    status, _ = node.admin("DELETE", f"/api/v1/sessions/{session}")
    check(status == 200, f"kicking the worker answered {status}")
    third = sharder(ex, "--guild", G5, "--guild", G6)
    check(any(re.search(r"identified as sharder(, session \S+)?, shards \[2\] \(zlib\)", x)
              for x in third),
          "sharder 3: did not get shard 2")

    out = worker.finish(0)
    after_kick = [re.compile(r"^worker: connection lost \(code 1000\b")]
    if resumes:
        after_kick.append("worker: session could not be resumed, identifying")
    in_order(out, [LOST, back] + after_kick + [re.compile(r"^worker: identified as commands"),
                                                "worker: got 9 commands, done"], "worker")
    sent = [line for run in (first, second, third)
            for line in command_lines(run, "sent EXECUTE_COMMAND ")]
    got = command_lines(out, "worker: EXECUTE_COMMAND ")
    check(len(sent) == 9 and got == sent, f"worker got {got}, sharders sent {sent}")

    status, guild = node.http("GET", f"/discord/guilds/{G1}", node.secret)
    check(status == 200 and guild["name"] == f"Example guild {G1}", f"cached guild: {guild}")
    voice_channel = str(int(G1) + 2)
    status, states = node.http("GET", f"/discord/guilds/{G1}/channels/{voice_channel}/members",
                               node.secret)
    check(status == 200 and [s["userID"] for s in states] == [AUTHOR], f"voice states: {states}")
    check(node.metric("coordinator_closes_total", {"dialect": "gateway", "code": "4007"}) == 0,
          "a gateway session was closed for missing heartbeats")

    env = node.env()
    env["GATEWAY_SECRET"] = "wrong"
    bad = ex.start("worker", env=env).finish(1)
    check(has(bad, "worker: error: closed by the coordinator: code 4001"),
          f"wrong secret: {bad}")


LOST = re.compile(r"^worker: connection lost \(.*\), reconnecting in 1 s$")


def voice(ex):
    shard = "0"
    out = ex.run("voice", "--shard", shard, "--keep")
    created = [re.search(r"voice client (\S+) created in guild (\d+), channel (\d+)", line)
               for line in out]
    created = [m for m in created if m]
    check(len(created) == 1 and created[0].group(2) == G1
          and created[0].group(3) == str(int(G1) + 2), f"voice 1: no VC_CREATED: {out}")
    vc = created[0].group(1)
    in_order(out, ["voice: hello from coordinator", "voice: identified: ",
                   f"voice: state of guild {G1}: voice client {vc}",
                   f"voice: keeping the voice client of guild {G1}"], "voice 1")

    out = ex.run("voice", "--shard", shard)
    in_order(out, ["voice: identified: ",
                   f"voice: resumed the session: voice client of guild {G1} in channel "
                   f"{int(G1) + 2}",
                   f"voice: state of guild {G1}: voice client {vc}, channel {int(G1) + 2}",
                   f"voice: sent VC_DESTROY for guild {G1}",
                   f"voice: voice client of guild {G1} destroyed", "voice: done"], "voice 2")
    check(not has(out, "created in guild"), "voice 2: created a second voice client")
    check(has(out, "voice: heartbeat acked"), "voice 2: no heartbeat ack")
    check(ex.node.metric("coordinator_voice_clients", {}) == 0, "a voice client is left")

    env = ex.node.env()
    env["VOICE_PASSWORD"] = "wrong"
    out = ex.start("voice", env=env).finish(1)
    check(has(out, "voice: error: forbidden: "), f"wrong password: {out}")


SCENARIOS = [("companion + dashboard", companion_and_dashboard),
             ("sharder + worker", sharder_and_worker), ("voice", voice)]


def run_language(lang, binary, logdir):
    workdir = tempfile.mkdtemp(prefix=f"{lang}-", dir=logdir)
    node = Node(binary, workdir)
    ex = Examples(lang, node, workdir)
    try:
        for title, scenario in SCENARIOS:
            start = time.monotonic()
            scenario(ex)
            print(f"examples [{lang}] {title}: ok ({time.monotonic() - start:.1f} s)",
                  flush=True)
        node.stop()
    except BaseException:
        print(f"examples [{lang}]: logs in {workdir}:", flush=True)
        for name in sorted(os.listdir(workdir)):
            if name.endswith(".log"):
                print(f"--- {name}\n{open(os.path.join(workdir, name), errors='replace').read()}")
        raise
    finally:  # nothing outlives the run: whatever still runs is killed by its PID
        for proc in ex.procs:
            proc.stop()
        node.proc.stop()


def prepare(langs):
    if "python" in langs:
        probe = subprocess.run([PYTHON, "-c", "import websockets"], capture_output=True)
        if probe.returncode != 0:
            raise Failure(f"{PYTHON} cannot import websockets: install python3-websockets "
                          "(scripts/setup.sh does)")
    if "js" in langs:
        if not shutil.which("node") or not shutil.which("npm"):
            raise Failure("node and npm are needed (scripts/setup.sh installs them)")
        # ws exactly as the committed lockfile says
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                       cwd=os.path.join(EXAMPLES, "js"), check=True)


PYTHON = os.environ.get("EXAMPLES_PYTHON", "/usr/bin/python3")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--coordinator", default=os.path.join(ROOT, "build/release/bin/coordinator"))
    p.add_argument("--lang", action="append", choices=["python", "js"])
    p.add_argument("--keep-logs", action="store_true", help="keep every process's log")
    args = p.parse_args()
    langs = args.lang or ["python", "js"]
    logdir = tempfile.mkdtemp(prefix="coordinator-examples-")
    start = time.monotonic()
    try:
        check(os.access(args.coordinator, os.X_OK), f"no coordinator at {args.coordinator}")
        prepare(langs)
        for lang in langs:
            run_language(lang, args.coordinator, logdir)
    except Failure as e:
        print(f"examples: FAILED: {e}", file=sys.stderr)
        sys.exit(1)
    print(f"examples: all passed in {time.monotonic() - start:.1f} s")
    if args.keep_logs:
        print(f"examples: logs in {logdir}")
    else:
        shutil.rmtree(logdir, ignore_errors=True)


if __name__ == "__main__":
    main()
