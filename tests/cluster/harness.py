"""The processes and plumbing of the cluster test (tests/cluster/run.py): etcd members and
coordinator nodes started by PID on free 127.0.0.1 ports with temp data dirs, a /healthz poller
per node that remembers every answer, and a small asyncio HTTP client.

Everything runs on one asyncio loop; times are time.monotonic() seconds.

Past 400 lines on purpose: the etcd members, the nodes and the pollers share one process
and port plumbing.
"""
import asyncio
import base64
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import time

import checks


class Failure(Exception):
    pass


def check(condition, what):
    if not condition:
        raise Failure(what)


now = time.monotonic


async def wait_until(what, predicate, timeout, every=0.05):
    """Polls `predicate` (a function or a coroutine function) until it returns something
    true, which is returned; a Failure after `timeout` seconds."""
    deadline = now() + timeout
    while True:
        value = predicate()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        if now() > deadline:
            raise Failure(f"timed out after {timeout:g} s waiting for {what}")
        await asyncio.sleep(every)


def free_ports(n):
    """n distinct free TCP ports on 127.0.0.1 (bound together, then released)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


# ---- processes ---------------------------------------------------------------------------

class Proc:
    """One process, stdout and stderr into one log file; stopped by its PID only."""

    def __init__(self, name, cmd, log_path, env=None):
        self.name, self.cmd, self.log_path = name, cmd, log_path
        self.log_file = open(log_path, "ab")
        self.popen = subprocess.Popen(cmd, stdout=self.log_file, stderr=subprocess.STDOUT,
                                      stdin=subprocess.DEVNULL, env=env)
        self.pid = self.popen.pid

    def alive(self):
        return self.popen.poll() is None

    def text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", errors="replace")

    def signal(self, sig):
        if self.alive():
            os.kill(self.pid, sig)

    def kill(self):
        """SIGKILL (and SIGCONT, in case it is stopped); reaps it."""
        if self.alive():
            os.kill(self.pid, signal.SIGKILL)
        self.popen.wait()
        self.log_file.close()

    async def wait_exit(self, timeout):
        """The exit code, or None if it still runs after `timeout` seconds."""
        deadline = now() + timeout
        while self.popen.poll() is None and now() < deadline:
            await asyncio.sleep(0.05)
        return self.popen.poll()


# ---- HTTP --------------------------------------------------------------------------------

class Answer:
    def __init__(self, status=None, text="", error=None):
        self.status, self.text, self.error = status, text, error
        try:
            self.json = json.loads(text) if text else None
        except ValueError:
            self.json = None

    def __repr__(self):
        if self.status is None:
            return f"<no answer: {self.error}>"
        return f"<{self.status} {self.text[:300]}>"


async def http(base, method, path, body=None, headers=None, timeout=5.0):
    """One HTTP/1.1 request on a fresh connection. Never raises for network trouble: the
    Answer's status is None and `error` says why."""
    host, port = base.split("://", 1)[1].rsplit(":", 1)
    data = b"" if body is None else (body if isinstance(body, bytes)
                                     else json.dumps(body).encode())
    head = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}", "Connection: close",
            f"Content-Length: {len(data)}"]
    if body is not None:
        head.append("Content-Type: application/json")
    for k, v in (headers or {}).items():
        head.append(f"{k}: {v}")
    writer = None
    try:
        async def exchange():
            nonlocal writer
            reader, writer = await asyncio.open_connection(host, int(port))
            writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + data)
            raw = await reader.readuntil(b"\r\n\r\n")
            lines = raw.decode("latin-1").split("\r\n")
            status = int(lines[0].split(" ", 2)[1])
            length, chunked = None, False
            for line in lines[1:]:
                name, _, value = line.partition(":")
                if name.lower() == "content-length":
                    length = int(value)
                elif name.lower() == "transfer-encoding" and "chunked" in value.lower():
                    chunked = True
            if chunked:  # etcd's JSON gateway answers in chunks
                payload = b""
                while True:
                    size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                    if size == 0:
                        break
                    payload += await reader.readexactly(size)
                    await reader.readexactly(2)
            elif length is not None:
                payload = await reader.readexactly(length)
            else:
                payload = await reader.read()
            return Answer(status, payload.decode("utf-8", errors="replace"))
        return await asyncio.wait_for(exchange(), timeout)
    except asyncio.TimeoutError:
        return Answer(error=f"timed out after {timeout:g} s")
    except (OSError, asyncio.IncompleteReadError, ValueError, IndexError) as e:
        return Answer(error=str(e) or type(e).__name__)
    finally:
        if writer is not None:
            writer.transport.abort()


async def run_command(cmd, timeout=15.0):
    """Runs a short command; (exit code, stdout, stderr)."""
    proc = await asyncio.create_subprocess_exec(*cmd, stdin=asyncio.subprocess.DEVNULL,
                                                stdout=asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.PIPE)
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout)
    except asyncio.TimeoutError:
        proc.kill()
        await proc.wait()
        raise Failure(f"{' '.join(cmd)} did not finish within {timeout:g} s")
    return proc.returncode, out.decode(errors="replace"), err.decode(errors="replace")


# ---- etcd --------------------------------------------------------------------------------

ETCD = os.environ.get("ETCD", "/usr/bin/etcd")
ETCDCTL = os.environ.get("ETCDCTL", "/usr/bin/etcdctl")


class EtcdCluster:
    """n etcd members on 127.0.0.1 (fast heartbeats and elections), data under `workdir`."""

    def __init__(self, workdir, logdir, n=3):
        self.workdir, self.logdir, self.n = workdir, logdir, n
        ports = free_ports(2 * n)
        self.client_ports, self.peer_ports = ports[:n], ports[n:]
        self.names = [f"etcd{i}" for i in range(n)]
        self.client_urls = [f"http://127.0.0.1:{p}" for p in self.client_ports]
        self.initial = ",".join(f"{name}=http://127.0.0.1:{p}"
                                for name, p in zip(self.names, self.peer_ports))
        self.token = "coordinator-test-" + secrets.token_hex(4)
        self.procs = [None] * n
        self.starts = [0] * n

    @property
    def endpoints(self):
        return ",".join(self.client_urls)

    def start(self, i):
        self.starts[i] += 1
        name = self.names[i]
        self.procs[i] = Proc(name, [
            ETCD, "--name", name, "--data-dir", os.path.join(self.workdir, name),
            "--listen-client-urls", self.client_urls[i],
            "--advertise-client-urls", self.client_urls[i],
            "--listen-peer-urls", f"http://127.0.0.1:{self.peer_ports[i]}",
            "--initial-advertise-peer-urls", f"http://127.0.0.1:{self.peer_ports[i]}",
            "--initial-cluster", self.initial, "--initial-cluster-token", self.token,
            "--initial-cluster-state", "new",
            # a dead member is noticed within half a second (the defaults are 100 / 1000 ms)
            "--heartbeat-interval", "50", "--election-timeout", "500",
            "--logger", "zap", "--log-outputs", "stderr", "--log-level", "error",
        ], os.path.join(self.logdir, f"{name}.log"))

    async def start_all(self):
        for i in range(self.n):
            self.start(i)
        await self.wait_healthy(range(self.n), 30)

    async def healthy(self, i):
        if not self.procs[i] or not self.procs[i].alive():
            return False
        a = await http(self.client_urls[i], "GET", "/health", timeout=1.0)
        return a.status == 200 and (a.json or {}).get("health") in ("true", True)

    async def wait_healthy(self, members, timeout):
        members = list(members)

        async def all_healthy():
            for i in members:
                if self.procs[i] and not self.procs[i].alive():
                    raise Failure(f"{self.names[i]} exited ({self.procs[i].popen.returncode})")
            return all([await self.healthy(i) for i in members])
        await wait_until(f"etcd members {[self.names[i] for i in members]} to be healthy",
                         all_healthy, timeout, every=0.1)

    def kill(self, i):
        self.procs[i].kill()

    async def restart(self, members):
        """Starts members again on their ports and data; a member whose port was taken
        meanwhile (it exits saying so) is tried again after half a second."""
        for i in members:
            self.start(i)
        for attempt in range(10):
            await asyncio.sleep(0.3)
            retry = [i for i in members if not self.procs[i].alive()
                     and "address already in use" in self.procs[i].text()[-2000:]]
            if not retry:
                break
            await asyncio.sleep(0.5)
            for i in retry:
                self.start(i)
        await self.wait_healthy(range(self.n), 20)

    async def etcdctl(self, *args, endpoints=None, check_rc=True):
        rc, out, err = await run_command(
            [ETCDCTL, f"--endpoints={endpoints or self.endpoints}", "--dial-timeout=2s",
             "--command-timeout=5s", *args])
        if check_rc:
            check(rc == 0, f"etcdctl {' '.join(args)} exited {rc}: {err.strip() or out.strip()}")
        return out

    async def get_prefix(self, prefix):
        """{key: value} of every key under `prefix` (JSON output, base64 decoded)."""
        out = await self.etcdctl("get", prefix, "--prefix", "-w", "json")
        kvs = json.loads(out).get("kvs", [])
        return {base64.b64decode(kv["key"]).decode(): base64.b64decode(kv.get("value", "")).decode()
                for kv in kvs}

    async def leader(self):
        """The index of the member that is the raft leader (None when none says so)."""
        live = [i for i in range(self.n) if self.procs[i] and self.procs[i].alive()]
        out = await self.etcdctl("endpoint", "status", "-w", "json",
                                 endpoints=",".join(self.client_urls[i] for i in live))
        for st in json.loads(out):
            status = st["Status"]
            if status["header"]["member_id"] == status["leader"]:
                return self.client_urls.index(st["Endpoint"])
        return None

    async def member_ids(self):
        out = await self.etcdctl("member", "list", "-w", "json")
        return {m["name"]: m["ID"] for m in json.loads(out)["members"]}

    async def move_leader_off(self, i):
        """Makes sure member i is a follower (etcdctl move-leader), so killing it starts no
        raft election."""
        leader = await self.leader()
        if leader != i:
            return
        target = (i + 1) % self.n
        ids = await self.member_ids()
        await self.etcdctl("move-leader", format(ids[self.names[target]], "x"),
                           endpoints=self.client_urls[i])

        async def moved():
            return (await self.leader()) not in (i, None)
        await wait_until(f"the etcd leadership to leave {self.names[i]}", moved, 10, every=0.1)

    def stop_all(self):
        for p in self.procs:
            if p:
                p.kill()


# ---- coordinator nodes ---------------------------------------------------------------------

class Secrets:
    def __init__(self):
        self.key, self.secret = secrets.token_hex(8), secrets.token_hex(8)
        self.password, self.token = secrets.token_hex(8), secrets.token_hex(8)


class Node:
    """One coordinator of the cluster, on ports chosen once: a restart comes back on the same
    URL, as a node restarted by systemd does."""

    def __init__(self, binary, name, logdir, cluster_opts, options, store_path=None):
        """Without cluster_opts (no --cluster.etcd) it is a single node on `store_path`."""
        self.binary, self.name, self.logdir = binary, name, logdir
        self.port, self.console_port = free_ports(2)
        self.url = f"http://127.0.0.1:{self.port}"
        self.advertise = f"ws://127.0.0.1:{self.port}"
        store = store_path or os.path.join(logdir, name + "-unused", "db.sqlite")
        self.cmd = [binary, f"--coordinator.port={self.port}",
                    f"--console.port={self.console_port}", f"--store.path={store}",
                    *([f"--cluster.node_id={name}", f"--cluster.advertise_url={self.advertise}"]
                      if cluster_opts else []),
                    *cluster_opts, *options]
        self.proc = None
        self.starts = 0

    def start(self):
        self.starts += 1
        self.proc = Proc(f"{self.name}#{self.starts}", self.cmd,
                         os.path.join(self.logdir, f"{self.name}-{self.starts}.log"))

    def alive(self):
        return self.proc is not None and self.proc.alive()

    async def wait_listening(self, timeout=15):
        def listening():
            if not self.proc.alive():
                raise Failure(f"{self.name} exited ({self.proc.popen.returncode}):\n"
                              + tail(self.proc.text(), 30))
            m = re.search(r"http\+websocket listening on \S+:(\d+)", self.proc.text())
            if m:
                check(int(m.group(1)) == self.port,
                      f"{self.name} listens on {m.group(1)}, not on --coordinator.port "
                      f"{self.port}")
            return m
        await wait_until(f"{self.name} to listen", listening, timeout)

    async def start_listening(self):
        """start() and wait_listening(); again, after half a second, when the port is taken
        (a restart races whatever else on the machine got the port meanwhile)."""
        for attempt in range(10):
            self.start()
            try:
                return await self.wait_listening()
            except Failure:
                if "Address already in use" not in self.proc.text() or attempt == 9:
                    raise
            await asyncio.sleep(0.5)

    def ws(self, path):
        return self.advertise + path

    async def health(self, timeout=2.0):
        return await http(self.url, "GET", "/healthz", timeout=timeout)

    async def metric(self, name, labels=None):
        """A sample of /metrics (None when absent or the node does not answer)."""
        a = await http(self.url, "GET", "/metrics")
        if a.status != 200:
            return None
        # Prometheus text format 0.0.4: name, optional {k="v",...}, one space, the value.
        sample = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="[^"]*",?)*)\})? (\S+)$')
        for line in a.text.splitlines():
            if line.startswith("#") or not line:
                continue
            m = sample.match(line)
            check(m is not None, f"{self.name}: /metrics line not in the text format: {line!r}")
            if m.group(1) != name:
                continue
            got = dict(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="([^"]*)"', m.group(2) or ""))
            if all(got.get(k) == str(v) for k, v in (labels or {}).items()):
                return float(m.group(3))
        return None

    async def console(self, command):
        rc, out, err = await run_command([self.binary, "console", "--port",
                                          str(self.console_port), "-c", command])
        check(rc == 0, f"console of {self.name}: `{command}` exited {rc}: {err.strip()}")
        return out

    def kill(self):
        self.proc.kill()

    def freeze(self):
        self.proc.signal(signal.SIGSTOP)

    def thaw(self):
        self.proc.signal(signal.SIGCONT)

    async def stop(self):
        """SIGTERM; the node must exit 0 within 10 s (SPEC §8)."""
        if not self.alive():
            return
        self.proc.signal(signal.SIGCONT)
        self.proc.signal(signal.SIGTERM)
        rc = await self.proc.wait_exit(10)
        if rc is None:
            self.proc.kill()
            raise Failure(f"{self.name} did not stop within 10 s of SIGTERM")
        self.proc.log_file.close()
        check(rc == 0, f"{self.name} exited {rc} after SIGTERM, expected 0")


def tail(text, n):
    lines = text.splitlines()
    return "\n".join((["..."] if len(lines) > n else []) + lines[-n:])


class HealthPolls:
    """Asks every node's /healthz every `every` seconds, for the whole scenario, and keeps
    every answer as (start, end, status, body). A node answering 200 is active from the start
    of the request to its end."""

    def __init__(self, nodes, every=0.025, timeout=0.3):
        self.nodes, self.every, self.timeout = nodes, every, timeout
        self.log = {n.name: [] for n in nodes}
        self.tasks = []

    def start(self):
        self.tasks = [asyncio.ensure_future(self._poll(n)) for n in self.nodes]

    async def _poll(self, node):
        while True:
            start = now()
            a = await http(node.url, "GET", "/healthz", timeout=self.timeout)
            self.log[node.name].append((start, now(), a.status, a.json if a.json else a.text))
            await asyncio.sleep(self.every)

    async def stop(self):
        for t in self.tasks:
            t.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)

    def two_active(self, t0):
        """Each moment two nodes both answered 200, as text (times relative to t0)."""
        return checks.two_active(self.log, t0)

    def first_200_after(self, t0, exclude=()):
        """(end time, node name) of the first 200 answered by a node not in `exclude` to a
        request sent after t0; None if none yet."""
        best = None
        for name, answers in self.log.items():
            if name in exclude:
                continue
            for start, end, status, _ in answers:
                if start >= t0 and status == 200:
                    if best is None or end < best[0]:
                        best = (end, name)
                    break
        return best

    def answers_after(self, name, t0):
        return [a for a in self.log[name] if a[0] >= t0]
