#!/usr/bin/env python3
"""Cluster mode (docs/cluster.md) end to end: three real etcd members and two or three
coordinators on 127.0.0.1, started and stopped by this script by PID, and clients that follow
whichever node is active. Every scenario starts its own nodes under its own key prefix; the
etcd members are shared (the quorum scenario kills and restarts two of them).

  roles     one active, one standby: /healthz bodies, 503 with the active's URL on upgrades,
            admin and read API, /metrics and the console `cluster` work on the standby, the
            nodes/ and election keys; a graceful stop hands over.
  etcd-put  a change written with `etcdctl put` into state/guilds/<id> (whole object, some
            fields, musicEnabled, garbage) and state/supporters/<id> reaches every companion
            session as op 2 / op 3 / op 10 / op 11, in order, and the admin API reads it.
  store     a single node's SQLite file -> `coordinator store import` -> served by the
            cluster -> `coordinator store export` -> a new file served by a single node.
  kill      kill -9 the active while an admin client streams PATCHes and a sharder streams
            commands to a worker: a standby is active within lease_ttl_s + 2 s; every
            acknowledged change is in etcd and on the new active; the companion, sharder,
            worker and voice client reconnect; the sharder keeps its shards (d.shards); the
            worker's RESUME gets INVALID_SESSION; the voice session RESUMES; no identify grant
            in the new active's first 5 s.
  freeze    SIGSTOP the active for longer than the TTL, then SIGCONT: the standby took over
            within lease_ttl_s + 2 s; the woken node closes its sessions with 1001, answers
            503 standby naming the new active, and never answers 200 again.
  quorum    one etcd member killed: nothing changes (same active, every PATCH 200 and
            broadcast); two killed: a PATCH answers 503 {"error"}, nothing is broadcast, the
            active fences (its sessions get 1001) and no node is active; the members restart:
            a node is active again and writes work.
  random    ROUNDS rounds (seeded) of kill -9 of the active (sometimes a standby too) and
            restart, while two sharders, a worker and an admin writer follow the active: no
            shard ever held by two sharders (from the IDENTIFIED / SHARDS_ASSIGNED / close log),
            a sharder back within shard_release_s keeps its shards, no identify bucket granted
            twice within 5 s, no command delivered twice, no acknowledged change lost; prints
            `cluster: failover median X s max Y s over N rounds`.
In every scenario /healthz of every node is polled every 25 ms throughout, and no two nodes
may answer 200 at once. The verdicts are checks.py; checks_test.py, run first, shows each one
catching its fault.

Usage: tests/cluster/run.py [--coordinator PATH] [--only SCENARIO ...] [--seed N]
       [--rounds N] [--ttl S] [--keep-logs]
Needs /usr/bin/etcd and /usr/bin/etcdctl (Debian etcd-server, etcd-client) and Debian's
python3-websockets (the script re-runs itself with /usr/bin/python3 when the current python
lacks it).
"""
import argparse
import asyncio
import base64
import json
import os
import secrets
import shutil
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
try:
    import websockets
except ImportError:
    if sys.executable != "/usr/bin/python3" and os.path.exists("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3", os.path.abspath(__file__),
                                      *sys.argv[1:]])
    sys.exit("cluster: python3-websockets is missing (scripts/setup.sh installs it)")

sys.path.insert(0, HERE)
import checks  # noqa: E402
import checks_test  # noqa: E402
from clients import Cluster, Companion, Events, Gateway, Voice, Writer, seeded  # noqa: E402
from harness import (EtcdCluster, Failure, HealthPolls, Node, Secrets, check, http,  # noqa: E402
                     now, run_command, tail, wait_until)

ROOT = os.path.dirname(os.path.dirname(HERE))
GUILDS = ["254768930223161344", "81384788765712384", "300000000000000000",
          "400000000000000001", "500000000000000002"]
GRANT_SLACK = 0.3  # what client-side receive times may add to two grants' distance


class Scenario:
    """One scenario's nodes, clients, pollers and logs."""

    def __init__(self, name, args, etcd, logdir, n_nodes, options=()):
        self.name, self.args, self.etcd, self.ttl = name, args, etcd, args.ttl
        self.logdir = os.path.join(logdir, name)
        os.makedirs(self.logdir)
        self.prefix = f"/coordinator-test-{secrets.token_hex(3)}/{name}/"
        self.secrets = Secrets()
        s = self.secrets
        cluster_opts = [f"--cluster.etcd={etcd.endpoints}", f"--cluster.lease_ttl_s={args.ttl}",
                        f"--cluster.prefix={self.prefix}"]
        opts = [f"--companion.key={s.key}", f"--gateway.secret={s.secret}",
                f"--voice.password={s.password}", f"--admin.token={s.token}", *options]
        self.nodes = [Node(args.coordinator, f"n{i + 1}", self.logdir, cluster_opts, opts)
                      for i in range(n_nodes)]
        self.cluster = Cluster(self.nodes, s)
        self.t0 = now()
        self.events = Events(self.t0)
        self.polls = HealthPolls(self.nodes)
        self.clients = []
        self.failovers = []

    @property
    def limit(self):
        """SPEC §9: a standby is active within lease_ttl_s + 2 s."""
        return self.ttl + 2.0

    def client(self, c):
        self.clients.append(c)
        return c.start()

    def bearer(self):
        return {"Authorization": f"Bearer {self.secrets.token}"}

    def at(self, t):
        return f"{t - self.t0:.3f} s"

    async def start_nodes(self):
        """n1 first, until it is active; then the others, which must be standby."""
        first, rest = self.nodes[0], self.nodes[1:]
        await first.start_listening()
        self.polls.start()

        async def first_active():
            return (await first.health()).status == 200
        await wait_until(f"{first.name} to become active", first_active, 15)
        for n in rest:
            await n.start_listening()

            async def standby(n=n):
                a = await n.health()
                return a.status == 503 and (a.json or {}).get("status") == "standby"
            await wait_until(f"{n.name} to answer 503 standby", standby, 10)

    async def failover(self, t0, exclude):
        """Seconds from t0 to the first 200 from a node not in `exclude`; fails past the
        limit (but waits a little longer to say how long it really took)."""
        names = {n.name for n in exclude}
        deadline = t0 + self.limit + 8
        while now() < deadline:
            first = self.polls.first_200_after(t0, names)
            if first:
                elapsed = first[0] - t0
                check(elapsed <= self.limit,
                      f"failover took {elapsed:.2f} s ({first[1]} answered 200), more than "
                      f"lease_ttl_s + 2 = {self.limit:g} s")
                self.failovers.append(elapsed)
                return elapsed, next(n for n in self.nodes if n.name == first[1])
            await asyncio.sleep(0.02)
        raise Failure(f"no other node answered /healthz 200 within {deadline - t0:.0f} s of "
                      f"losing {sorted(names)} (limit {self.limit:g} s)")

    def check_one_active(self):
        both = self.polls.two_active(self.t0)
        check(not both, "two nodes answered /healthz 200 at the same time:\n  "
              + "\n  ".join(both[:10]))

    async def stored_settings(self, node):
        """guild -> prefix as the node's admin API and etcd have them (both must agree)."""
        from_api, from_etcd = {}, {}
        for g in GUILDS:
            a = await http(node.url, "GET", f"/api/v1/guilds/{g}/settings", None, self.bearer())
            check(a.status == 200, f"GET settings of guild {g} on {node.name}: {a}")
            from_api[g] = a.json["prefix"]
        for key, value in (await self.etcd.get_prefix(self.prefix + "state/guilds/")).items():
            try:
                from_etcd[key.rsplit("/", 1)[1]] = json.loads(value).get("prefix")
            except ValueError:
                raise Failure(f"etcd {key} is not JSON: {value!r}")
        return from_api, from_etcd

    async def check_writes(self, writer, node):
        check(len(writer.acked()) >= 10, f"only {len(writer.acked())} writes acknowledged")
        from_api, from_etcd = await self.stored_settings(node)
        problems = writer.check_stored(from_api, f"the admin API of {node.name}") + \
            writer.check_stored(from_etcd, f"etcd ({self.prefix}state/guilds/)")
        check(not problems, "acknowledged changes lost:\n  " + "\n  ".join(problems))
        return from_api

    async def close(self, ok):
        for c in self.clients:
            await c.stop()
        await self.polls.stop()
        problems = []
        for n in self.nodes:
            if ok:
                try:
                    await n.stop()
                except Failure as e:
                    problems.append(str(e))
            elif n.proc and n.proc.alive():
                n.kill()
        check(not problems, "; ".join(problems))

    def print_logs(self):
        print(f"cluster [{self.name}]: logs in {self.logdir}", flush=True)
        for name in sorted(os.listdir(self.logdir)):
            path = os.path.join(self.logdir, name)
            if name.endswith(".log"):
                print(f"--- {name} (last lines)\n{tail(open(path, errors='replace').read(), 80)}")
        print(f"--- events seen by the clients (seconds since the scenario began)\n"
              f"{self.events.dump()}")
        for name, answers in self.polls.log.items():
            changes, last = [], object()
            for start, end, status, body in answers:
                if status != last:
                    changes.append(f"{start - self.t0:.3f} {status} {body}")
                    last = status
            print(f"--- /healthz of {name}, each change\n" + "\n".join(changes[-40:]))


# ---- roles ---------------------------------------------------------------------------------

async def roles(sc):
    await sc.start_nodes()
    n1, n2 = sc.nodes
    a = await n1.health()
    check(a.status == 200 and a.json == {"status": "ok", "role": "active"},
          f"active n1 /healthz: {a}")
    standby_body = {"status": "standby", "active": n1.advertise}
    a = await n2.health()
    check(a.status == 503 and a.json == standby_body, f"standby n2 /healthz: {a}, "
          f"expected 503 {standby_body}")
    for path, auth in [("/api/v1/guilds/1/settings", f"Bearer {sc.secrets.token}"),
                       ("/api/v1/supporters", f"Bearer {sc.secrets.token}"),
                       ("/discord/users", sc.secrets.secret), ("/services", sc.secrets.secret)]:
        a = await http(n2.url, "GET", path, None, {"Authorization": auth})
        check(a.status == 503 and a.json == standby_body, f"standby n2 GET {path}: {a}")
    a = await http(n2.url, "PATCH", "/api/v1/guilds/1/settings", {"prefix": "x"}, sc.bearer())
    check(a.status == 503 and a.json == standby_body, f"standby n2 PATCH: {a}")
    for path in ("/companion", "/gateway", "/ws"):
        try:
            async with websockets.connect(n2.ws(path), open_timeout=5):
                raise Failure(f"standby n2 accepted a websocket on {path}")
        except websockets.InvalidStatusCode as e:
            check(e.status_code == 503, f"standby n2 upgrade on {path} answered {e.status_code}")
    a = await http(n1.url, "GET", "/api/v1/guilds/1/settings", None, sc.bearer())
    check(a.status == 200, f"active n1 GET settings: {a}")

    for node, role in ((n1, "active"), (n2, "standby")):
        other = "standby" if role == "active" else "active"
        got = (await node.metric("coordinator_cluster_role", {"role": role}),
               await node.metric("coordinator_cluster_role", {"role": other}))
        check(got == (1.0, 0.0), f"{node.name} coordinator_cluster_role {role}/{other}: {got}")
        failovers = await node.metric("coordinator_cluster_failovers_total")
        check(failovers == (1.0 if role == "active" else 0.0),
              f"{node.name} coordinator_cluster_failovers_total: {failovers}")
        ok = await node.metric("coordinator_etcd_requests_total", {"outcome": "ok"})
        check(ok and ok > 0, f"{node.name} coordinator_etcd_requests_total ok: {ok}")
        text = await node.console("cluster")
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        check(fields.get("node_id") == node.name and fields.get("role") == role
              and fields.get("active") == "n1" and fields.get("active_url") == n1.advertise,
              f"console `cluster` on {node.name}:\n{text}")

        async def lists_every_node(node=node):
            lines = (await node.console("cluster")).splitlines()
            return all(f"node:{n.name} {n.advertise}" in lines for n in sc.nodes)
        await wait_until(f"console `cluster` on {node.name} to list node:n1 and node:n2 "
                         "with their URLs", lists_every_node, 5, every=0.2)

    registered = await sc.etcd.get_prefix(sc.prefix + "nodes/")
    expect = {sc.prefix + f"nodes/{n.name}": {"nodeId": n.name, "advertiseUrl": n.advertise}
              for n in sc.nodes}
    check({k: json.loads(v) for k, v in registered.items()} == expect,
          f"etcd {sc.prefix}nodes/: {registered}, expected {expect}")
    a = await http(sc.etcd.client_urls[0], "POST", "/v3/election/leader",
                   {"name": base64.b64encode((sc.prefix + "election").encode()).decode()})
    value = json.loads(base64.b64decode(((a.json or {}).get("kv") or {}).get("value", "")) or "{}")
    check(value == {"nodeId": "n1", "advertiseUrl": n1.advertise},
          f"leader of election {sc.prefix}election: {a}")

    # A graceful stop (SIGTERM) of the active: exit 0, and n2 takes over.
    t0 = now()
    await n1.stop()
    elapsed, node = await sc.failover(t0, [n1])
    check(node is n2, f"{node.name} took over, expected n2")
    a = await n2.health()
    check(a.status == 200 and a.json == {"status": "ok", "role": "active"}, f"n2 now: {a}")
    sc.check_one_active()
    return f"n2 active {elapsed:.2f} s after n1's SIGTERM"


# ---- etcd-put --------------------------------------------------------------------------------

async def etcd_put(sc):
    await sc.start_nodes()
    n1 = sc.nodes[0]
    g = GUILDS[0]
    companions = [sc.client(Companion(f"companion{i}", sc.cluster, sc.events, [g, GUILDS[1]]))
                  for i in range(3)]
    for c in companions:
        await wait_until(f"{c.name} to handshake", c.handshaken.is_set, 10)

    async def put(key, value):
        await sc.etcd.etcdctl("put", sc.prefix + key, value)

    async def expect(what, want, count=1):
        """Every companion's next `count` pushes are exactly `want` (a list of dicts, in any
        order when count > 1)."""
        for c in companions:
            await wait_until(f"{c.name} to receive {what}", lambda c=c: len(c.pushed) >= count,
                             10)
            got = [m for _, m in c.pushed[:count]]
            del c.pushed[:count]
            check(sorted(map(json.dumps, got)) == sorted(map(json.dumps, want)),
                  f"{c.name} after {what}: got {got}, expected {want}")

    whole = {"guildId": g, "prefix": "?e", "djRoleId": "5", "voiceChannelId": "6",
             "musicChannelId": "7", "musicEnabled": True}
    await put(f"state/guilds/{g}", json.dumps(whole))
    await expect("a whole settings object", [{"op": 2, "guildId": int(g), "prefix": "?e",
                                              "djRoleId": 5, "voiceChannelId": 6,
                                              "musicChannelId": 7}])
    a = await http(n1.url, "GET", f"/api/v1/guilds/{g}/settings", None, sc.bearer())
    check(a.status == 200 and a.json == whole, f"GET settings after the put: {a}")

    # Some fields only: the others take their defaults.
    await put(f"state/guilds/{g}", '{"prefix":"?f"}')
    await expect("a partial settings object", [{"op": 2, "guildId": int(g), "prefix": "?f",
                                                "djRoleId": 0, "voiceChannelId": 0,
                                                "musicChannelId": 0}])
    # Garbage is no settings object: nothing is broadcast, the node stays up and active, and
    # the next valid change is the next thing every companion gets.
    await put(f"state/guilds/{g}", "this is not json")
    await put(f"state/guilds/{g}", '{"prefix":"?g","musicEnabled":false}')
    await expect("garbage, then prefix ?g and musicEnabled false",
                 [{"op": 2, "guildId": int(g), "prefix": "?g", "djRoleId": 0,
                   "voiceChannelId": 0, "musicChannelId": 0},
                  {"op": 3, "guildId": int(g), "enable": False}], count=2)
    check(n1.alive() and (await n1.health()).status == 200, "n1 is not active after garbage")

    await put("state/supporters/77", "{}")
    await expect("a supporter put", [{"op": 10, "supporterId": 77}])
    await sc.etcd.etcdctl("del", sc.prefix + "state/supporters/77")
    await expect("a supporter delete", [{"op": 11, "supporterId": 77}])

    # A companion connecting now reads what etcd holds.
    late = sc.client(Companion("companion3", sc.cluster, sc.events, [g]))
    await wait_until("companion3 to handshake", late.handshaken.is_set, 10)
    got = late.state.get(int(g), {})
    check(got.get("prefix") == "?g", f"companion3's op 1 has guild {g} as {got}")
    for c in companions:
        check(not c.pushed, f"{c.name} got more: {c.pushed}")
    sc.check_one_active()
    return "op 2, 3, 10, 11 from etcdctl reached 3 companions"


# ---- store ---------------------------------------------------------------------------------

async def store_transfer(sc):
    """A single node's SQLite file into etcd (`coordinator store import`), served by the
    cluster; the cluster's state back into a new SQLite file (`export`), served by a single
    node."""
    s = sc.secrets
    opts = [f"--companion.key={s.key}", f"--gateway.secret={s.secret}",
            f"--voice.password={s.password}", f"--admin.token={s.token}"]
    g1, g2 = GUILDS[0], GUILDS[1]

    async def single_node(name, db):
        node = Node(sc.args.coordinator, name, sc.logdir, [], opts, store_path=db)
        sc.nodes.append(node)  # stopped with the others if something fails
        await node.start_listening()
        return node

    async def store_cmd(*args):
        rc, out, err = await run_command([sc.args.coordinator, "store", *args,
                                          f"--cluster.etcd={sc.etcd.endpoints}",
                                          f"--cluster.prefix={sc.prefix}"])
        return rc, (out + err).strip().splitlines()

    first_db = os.path.join(sc.logdir, "single", "first.sqlite")
    single = await single_node("single", first_db)
    a = await http(single.url, "PATCH", f"/api/v1/guilds/{g1}/settings",
                   {"prefix": "?s", "djRoleId": "11", "musicEnabled": False}, sc.bearer())
    check(a.status == 200, f"PATCH on the single node: {a}")
    a = await http(single.url, "PUT", "/api/v1/supporters/42", None, sc.bearer())
    check(a.status == 201, f"PUT supporter on the single node: {a}")
    await single.stop()
    sc.nodes.remove(single)

    rc, lines = await store_cmd("import", f"--from={first_db}")
    check(rc == 0 and len(lines) == 1 and "1 guilds and 1 supporters" in lines[0],
          f"store import exited {rc}: {lines}")
    stored = await sc.etcd.get_prefix(sc.prefix + "state/")
    check(json.loads(stored.get(f"{sc.prefix}state/guilds/{g1}", "{}")).get("prefix") == "?s"
          and f"{sc.prefix}state/supporters/42" in stored, f"etcd after the import: {stored}")
    rc, lines = await store_cmd("import", f"--from={first_db}.missing")
    check(rc == 1 and len(lines) == 1, f"import of a missing file exited {rc}: {lines}")

    await sc.start_nodes()
    n1 = sc.nodes[0]
    a = await http(n1.url, "GET", f"/api/v1/guilds/{g1}/settings", None, sc.bearer())
    check(a.status == 200 and (a.json["prefix"], a.json["djRoleId"], a.json["musicEnabled"])
          == ("?s", "11", False), f"imported settings on the active node: {a}")
    a = await http(n1.url, "GET", "/api/v1/supporters", None, sc.bearer())
    check(a.status == 200 and a.json == {"supporterIds": ["42"]}, f"supporters: {a}")
    a = await http(n1.url, "PATCH", f"/api/v1/guilds/{g2}/settings", {"prefix": "?c"},
                   sc.bearer())
    check(a.status == 200, f"PATCH on the active node: {a}")

    back_db = os.path.join(sc.logdir, "back.sqlite")
    rc, lines = await store_cmd("export", f"--to={back_db}")
    check(rc == 0 and len(lines) == 1 and "2 guilds and 1 supporters" in lines[0],
          f"store export exited {rc}: {lines}")
    rc, lines = await store_cmd("export", f"--to={back_db}")
    check(rc == 1 and len(lines) == 1, f"export onto an existing file exited {rc}: {lines}")
    back = await single_node("back", back_db)
    for g, prefix in ((g1, "?s"), (g2, "?c")):
        a = await http(back.url, "GET", f"/api/v1/guilds/{g}/settings", None, sc.bearer())
        check(a.status == 200 and a.json["prefix"] == prefix,
              f"guild {g} on a single node from the exported file: {a}")
    a = await http(back.url, "GET", "/api/v1/supporters", None, sc.bearer())
    check(a.status == 200 and a.json == {"supporterIds": ["42"]},
          f"supporters on a single node from the exported file: {a}")
    return "SQLite -> etcd -> cluster -> SQLite -> single node"


# ---- kill ------------------------------------------------------------------------------------

async def kill(sc):
    await sc.start_nodes()
    n1, n2 = sc.nodes
    companion = sc.client(Companion("companion", sc.cluster, sc.events, GUILDS))
    sharder = sc.client(Gateway("sharder", sc.cluster, sc.events, "sharder", command_every=0.1,
                                guilds=GUILDS, regrant=lambda: True))
    worker = sc.client(Gateway("worker", sc.cluster, sc.events, "commands"))
    voice = sc.client(Voice("voice", sc.cluster, sc.events, user="155149108183695360",
                            guild=GUILDS[0], channel=str(int(GUILDS[0]) + 2)))
    await wait_until("the companion to handshake", companion.handshaken.is_set, 10)
    await wait_until("the sharder to identify", sharder.identified.is_set, 10)
    await wait_until("the worker to identify", worker.identified.is_set, 10)
    await wait_until("the voice client's VC_CREATED", lambda: voice.created, 10)
    check(sorted(sharder.shards) == [0, 1], f"the sharder got {sharder.shards}, expected [0, 1]")

    async def recorded_in_etcd():
        """shards/<id> names the session /api/v1/shards shows as the owner; one voice/ key."""
        a = await http(n1.url, "GET", "/api/v1/shards", None, sc.bearer())
        owners = {f"{sc.prefix}shards/{s['shard']}": str(s["session"])
                  for s in (a.json or {}).get("shards", []) if s.get("state") == "owned"}
        shards = await sc.etcd.get_prefix(sc.prefix + "shards/")
        voices = await sc.etcd.get_prefix(sc.prefix + "voice/")
        return len(owners) == 2 and len(voices) == 1 and \
            {k: str(json.loads(v).get("session")) for k, v in shards.items()} == owners
    await wait_until("the shard owners and the voice session to be recorded in etcd",
                     recorded_in_etcd, 5)

    writer = Writer(sc.cluster, sc.events, GUILDS).start()
    sc.clients.append(writer)
    await wait_until("20 acknowledged writes and 5 commands",
                     lambda: len(writer.acked()) >= 20 and len(worker.got_commands) >= 5, 10)
    held = sorted(sharder.shards)

    t0 = now()
    n1.kill()
    elapsed, _ = await sc.failover(t0, [n1])
    became = t0 + elapsed

    def back(c):
        return c.connected_to is n2 and (c.identified.is_set() if hasattr(c, "identified")
                                         else c.handshaken.is_set())
    for c in (companion, sharder, worker, voice):
        await wait_until(f"{c.name} to reconnect to n2", lambda c=c: back(c), 10)
    acked_at_kill = len(writer.acked())
    await wait_until("20 more acknowledged writes on n2",
                     lambda: len(writer.acked()) >= acked_at_kill + 20, 10)
    await writer.stop()

    after = [e for e in sc.events.of("sharder", "IDENTIFIED") if e[0] > t0]
    check(after and sorted(after[0][3]["shards"]) == held,
          f"the sharder re-identified with d.shards {held} and got {after[0][3] if after else None}")
    worker_after = [e[2] for e in sc.events.of("worker") if e[0] > t0
                    and e[2] in ("resume", "invalid session", "IDENTIFIED", "resumed")]
    check(worker_after[:3] == ["resume", "invalid session", "IDENTIFIED"],
          f"the worker after the failover: {worker_after}, expected a RESUME answered "
          "INVALID_SESSION, then IDENTIFIED")
    want = {GUILDS[0]: {"id": voice.created["id"], "channel": voice.created["channel_id"]}}
    check(len(voice.resumed) == 1 and voice.resumed[0].get("voice_clients") == want,
          f"the voice client on n2 got RESUMED {voice.resumed}, expected voice_clients {want}")

    raw = await sharder.send_command()
    await wait_until(f"the worker to get command {raw} on n2",
                     lambda: raw in [r for _, r in worker.got_commands], 5)
    got = [r for _, r in worker.got_commands]
    check(len(got) == len(set(got)), "the worker got a command twice")

    stored = await sc.check_writes(writer, n2)
    await wait_until("the companion to know every guild's stored prefix",
                     lambda: all(companion.state.get(int(g), {}).get("prefix") == stored[g]
                                 for g in GUILDS), 5)

    # Identify grants: none in the new active's first 5 s, then one per shard.
    await wait_until("IDENTIFY_GRANTED for shards 0 and 1 on n2",
                     lambda: sorted(e[3] for e in sc.events.of("sharder", "granted")
                                    if e[0] > became) == [0, 1], 12)
    for t, _, _, shard in sc.events.of("sharder", "granted"):
        if t > t0:
            check(t - became >= 5 - 0.5, f"shard {shard} granted {t - became:.2f} s after n2 "
                  "became active (a new active grants nothing in its first 5 s)")
    check(await n2.metric("coordinator_cluster_failovers_total") == 1.0,
          "n2's coordinator_cluster_failovers_total is not 1")
    sc.check_one_active()
    return (f"failover {elapsed:.2f} s; {len(writer.acked())} writes acknowledged, none lost; "
            "companion, sharder, worker, voice back on n2")


# ---- freeze ----------------------------------------------------------------------------------

async def freeze(sc):
    await sc.start_nodes()
    n1, n2 = sc.nodes
    # Pinned to n1, no client-side heartbeat check: they see what n1 does when it wakes up.
    pinned = [sc.client(Companion("comp-n1", sc.cluster, sc.events, GUILDS[:1], node=n1,
                                  follow=False)),
              sc.client(Gateway("worker-n1", sc.cluster, sc.events, "commands", node=n1,
                                follow=False, watchdog=False))]
    companion = sc.client(Companion("companion", sc.cluster, sc.events, GUILDS[:1]))
    sharder = sc.client(Gateway("sharder", sc.cluster, sc.events, "sharder"))
    await wait_until("the clients to connect to n1", lambda: pinned[0].handshaken.is_set()
                     and pinned[1].identified.is_set() and companion.handshaken.is_set()
                     and sharder.identified.is_set(), 10)
    held = sorted(sharder.shards)

    t0 = now()
    n1.freeze()
    elapsed, node = await sc.failover(t0, [n1])
    check(node is n2, f"{node.name} took over")
    await asyncio.sleep(max(0.0, t0 + sc.ttl + 3 - now()))  # frozen well past the TTL
    t1 = now()
    n1.thaw()

    for c in pinned:
        await wait_until(f"{c.name} to be closed by the woken n1",
                         lambda c=c: sc.events.of(c.name, "closed"), 5)
        closes = sc.events.of(c.name, "closed")
        check(closes[0][3]["code"] == 1001,
              f"{c.name} was closed with {closes[0][3]} after SIGCONT, expected 1001")
    standby_body = {"status": "standby", "active": n2.advertise}

    async def n1_standby():
        a = await n1.health()
        return a.status == 503 and a.json == standby_body
    await wait_until(f"the woken n1 to answer 503 {standby_body}", n1_standby, 5)
    try:
        async with websockets.connect(n1.ws("/gateway"), open_timeout=5):
            raise Failure("the woken n1 accepted a websocket")
    except websockets.InvalidStatusCode as e:
        check(e.status_code == 503, f"an upgrade on the woken n1 answered {e.status_code}")
    check(await n1.metric("coordinator_cluster_role", {"role": "standby"}) == 1.0,
          "the woken n1's coordinator_cluster_role{role=\"standby\"} is not 1")

    for c in (companion, sharder):
        await wait_until(f"{c.name} to move to n2", lambda c=c: c.connected_to is n2 and (
            c.handshaken.is_set() if isinstance(c, Companion) else c.identified.is_set()), 10)
    got = sc.events.of("sharder", "IDENTIFIED")[-1][3]["shards"]
    check(sorted(got) == held, f"the sharder got {got} on n2, expected its shards {held}")
    a = await http(n2.url, "PATCH", f"/api/v1/guilds/{GUILDS[0]}/settings", {"prefix": "?n2"},
                   sc.bearer())
    check(a.status == 200, f"PATCH on n2: {a}")
    await wait_until("the companion on n2 to get the change",
                     lambda: companion.state.get(int(GUILDS[0]), {}).get("prefix") == "?n2", 5)
    await asyncio.sleep(1.0)  # n1 keeps answering 503 while n2 is active
    served = [a for a in sc.polls.answers_after("n1", t0) if a[2] == 200]
    check(not served, f"n1 answered /healthz 200 at {sc.at(served[0][0]) if served else ''} "
          f"after it was frozen at {sc.at(t0)} (woken at {sc.at(t1)}) while n2 was active")
    sc.check_one_active()
    return f"failover {elapsed:.2f} s; n1 fenced on SIGCONT (1001, 503 standby)"


# ---- quorum ----------------------------------------------------------------------------------

async def quorum(sc):
    etcd = sc.etcd
    await etcd.move_leader_off(0)  # killing a follower starts no raft election
    await sc.start_nodes()
    n1, n2 = sc.nodes
    companion = sc.client(Companion("companion", sc.cluster, sc.events, GUILDS[:1]))
    await wait_until("the companion to handshake", companion.handshaken.is_set, 10)
    g = GUILDS[0]
    before = [await n.metric("coordinator_cluster_failovers_total") for n in sc.nodes]

    # One member of three gone: nothing changes.
    t0 = now()
    etcd.kill(0)
    for i in range(15):
        a = await http(n1.url, "PATCH", f"/api/v1/guilds/{g}/settings", {"prefix": f"q{i}"},
                       sc.bearer(), timeout=10)
        check(a.status == 200, f"PATCH {i} with one etcd member down: {a}")
        await asyncio.sleep(0.2)
    await wait_until("the companion to get all 15 changes", lambda: [
        m["prefix"] for _, m in companion.pushed if m.get("op") == 2] == [
        f"q{i}" for i in range(15)], 5)
    t1 = now()
    after = [await n.metric("coordinator_cluster_failovers_total") for n in sc.nodes]
    check(after == before, f"failovers with one etcd member down: {before} -> {after}")
    bad = [a for a in sc.polls.answers_after("n1", t0) if a[2] not in (200, None)]
    check(not bad, f"n1 answered /healthz {bad[0][2]} at {sc.at(bad[0][0])} with one etcd "
          "member down" if bad else "")
    check(not [a for a in sc.polls.answers_after("n2", t0) if a[2] == 200],
          "n2 answered 200 with one etcd member down")
    check(not sc.events.of("companion", "closed"), "the companion was disconnected")

    # Two of three gone: no quorum.
    etcd.kill(1)
    t2 = now()
    a = await http(n1.url, "PATCH", f"/api/v1/guilds/{g}/settings", {"prefix": "lost"},
                   sc.bearer(), timeout=15)
    check(a.status == 503 and isinstance(a.json, dict) and isinstance(a.json.get("error"), str),
          f"PATCH without an etcd quorum answered {a}, expected 503 {{\"error\":...}}")

    async def nobody_active():
        return all([(await n.health()).status == 503 for n in sc.nodes])
    await wait_until("every node to answer 503 without a quorum", nobody_active,
                     max(0.0, t2 + sc.limit - now()))
    await wait_until("the companion to be closed by the fenced n1",
                     lambda: sc.events.of("companion", "closed"), 5)
    close = sc.events.of("companion", "closed")[0][3]
    check(close["code"] == 1001 and close["node"] == "n1",
          f"the companion's session was closed with {close}, expected 1001 from n1")
    check(await n1.metric("coordinator_cluster_role", {"role": "standby"}) == 1.0,
          "fenced n1: coordinator_cluster_role{role=\"standby\"} is not 1")
    t3 = now()
    await asyncio.sleep(2.0)
    served = [(n.name, a) for n in sc.nodes for a in sc.polls.answers_after(n.name, t3)
              if a[2] == 200]
    check(not served, f"{served[0][0]} answered 200 at {sc.at(served[0][1][0])} without an "
          "etcd quorum" if served else "")
    pushed = [m for t, m in companion.pushed if t > t1]
    check(not pushed, f"broadcast without an etcd quorum: {pushed}")

    # The members come back: so does the service.
    t4 = now()
    await etcd.restart([0, 1])
    node = await wait_until("a node to be active again", sc.cluster.active, 15)
    recovered = now() - t4
    a = await http(node.url, "PATCH", f"/api/v1/guilds/{g}/settings", {"prefix": "back"},
                   sc.bearer())
    check(a.status == 200, f"PATCH after the quorum came back: {a}")
    await wait_until("the companion to reconnect and see the change", lambda: (
        companion.handshaken.is_set()
        and companion.state.get(int(g), {}).get("prefix") == "back"), 10)
    check(not [m for t, m in companion.pushed if m.get("prefix") == "lost"],
          "a companion received the write that failed without a quorum")
    sc.check_one_active()
    return f"service back {recovered:.1f} s after the members restarted"


# ---- random ----------------------------------------------------------------------------------

async def randomized(sc):
    rng = seeded(sc.args.seed)
    regrant_rng = seeded(sc.args.seed + 1)
    await sc.start_nodes()
    sharders = [sc.client(Gateway(f"sharder{i}", sc.cluster, sc.events, "sharder",
                                  command_every=0.2, guilds=GUILDS,
                                  regrant=lambda: regrant_rng.random() < 0.3))
                for i in (1, 2)]
    worker = sc.client(Gateway("worker", sc.cluster, sc.events, "commands"))
    writer = Writer(sc.cluster, sc.events, GUILDS, every=0.03)
    sc.clients.append(writer.start())
    gateway = sharders + [worker]
    kills = []

    async def everyone_on_the_active():
        node = await sc.cluster.active()
        return node and all(c.connected_to is node and c.identified.is_set() for c in gateway)

    for r in range(1, sc.args.rounds + 1):
        await wait_until(f"round {r}: the sharders and the worker to be identified on the "
                         "active node", everyone_on_the_active, 15)
        if r % 4 in (2, 3):
            # Every shard asks to identify, and the kill comes right after the grants; the
            # sharders ask again on the new active, which must wait 5 s before any grant
            # (the next round waits for those grants).
            for s in sharders:
                s.request_all()
            await wait_until(f"round {r}: IDENTIFY_GRANTED for every shard",
                             lambda: not any(s.pending for s in sharders), 12)
            await asyncio.sleep(rng.uniform(0.0, 0.3))
            for s in sharders:
                s.regrant_next = True
        else:
            await asyncio.sleep(rng.uniform(0.3, 1.2))
        active = await sc.cluster.active()
        check(active is not None, f"round {r}: no active node")
        victims = [active]
        standbys = [n for n in sc.nodes if n is not active and n.alive()]
        if standbys and rng.random() < 0.25:
            victims.append(rng.choice(standbys))
        t0 = now()
        kills.append(t0)
        for v in victims:
            v.kill()
        elapsed, node = await sc.failover(t0, victims)
        print(f"cluster [random] round {r}/{sc.args.rounds}: killed "
              f"{' and '.join(v.name for v in victims)}, {node.name} active after "
              f"{elapsed:.2f} s", flush=True)
        await asyncio.sleep(rng.uniform(0.0, 1.0))
        for v in victims:
            await v.start_listening()

    await wait_until("the sharders and the worker to be identified on the active node",
                     everyone_on_the_active, 15)
    markers = [await s.send_command() for s in sharders for _ in range(5)]
    await wait_until("the worker to get the last 10 commands",
                     lambda: set(markers) <= {r for _, r in worker.got_commands}, 10)
    await writer.stop()
    end = now()
    active = await sc.cluster.active()
    await sc.check_writes(writer, active)

    got = [r for _, r in worker.got_commands]
    dupes = checks.duplicates(got)
    check(not dupes, f"commands delivered twice: {dupes[:10]}")

    def history(name):
        return [(t, what, data) for t, _, what, data in sc.events.of(name)]
    held = {s.name: checks.holdings(history(s.name), end) for s in sharders}
    both = checks.shard_overlaps(held, sc.t0)
    check(not both, "a shard held by two sharders at once:\n  " + "\n  ".join(both[:10]))
    check(all(held.values()), "a sharder never held a shard")

    # A sharder back within shard_release_s (10 s; 9 s counted from its close) with d.shards
    # gets exactly those shards.
    kept = 0
    for s in sharders:
        problems, checked = checks.shards_not_kept(history(s.name), 9.0)
        check(not problems, f"{s.name} did not keep its shards: " + "; ".join(problems))
        kept += checked

    grants = {}
    for s in sharders:
        for t, _, _, shard in sc.events.of(s.name, "granted"):
            grants.setdefault(shard % 4, []).append(t)
    across = sum(1 for times in grants.values() for a, b in zip(sorted(times), sorted(times)[1:])
                 if any(a < k < b for k in kills))
    if sc.args.rounds >= 4:
        check(across >= 2, f"only {across} buckets were granted again after a failover: the "
              f"5 s rule was not exercised (grants: {grants})")
    close = checks.close_grants(grants, GRANT_SLACK, sc.t0)
    check(not close, "identify grants less than 5 s apart:\n  " + "\n  ".join(close))
    sc.check_one_active()
    n = len(sc.failovers)
    summary = (f"cluster: failover median {statistics.median(sc.failovers):.2f} s max "
               f"{max(sc.failovers):.2f} s over {n} rounds")
    print(summary, flush=True)
    return (f"seed {sc.args.seed}; {kept} re-identifies kept their shards; "
            f"{sum(len(v) for v in grants.values())} grants ({across} across a failover); "
            f"{len(got)} commands; "
            f"{len(writer.acked())} writes acknowledged, none lost")


SCENARIOS = [
    ("roles", roles, 2, []),
    ("etcd-put", etcd_put, 2, []),
    ("store", store_transfer, 2, []),
    ("kill", kill, 2, ["--gateway.shard_count=2", "--gateway.sharders=1",
                       "--gateway.max_concurrency=2"]),
    ("freeze", freeze, 2, ["--gateway.shard_count=2", "--gateway.sharders=1",
                           "--gateway.max_concurrency=2"]),
    ("quorum", quorum, 2, []),
    ("random", randomized, 3, ["--gateway.shard_count=4", "--gateway.sharders=2",
                               "--gateway.max_concurrency=4"]),
]


async def run_all(args, logdir):
    datadir = tempfile.mkdtemp(prefix="coordinator-cluster-etcd-",
                               dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
    etcd = EtcdCluster(datadir, logdir)
    try:
        t = now()
        await etcd.start_all()
        print(f"cluster: 3 etcd members healthy in {now() - t:.1f} s "
              f"({etcd.endpoints})", flush=True)
        for name, scenario, n_nodes, options in SCENARIOS:
            if args.only and name not in args.only:
                continue
            await etcd.wait_healthy(range(etcd.n), 20)
            sc = Scenario(name, args, etcd, logdir, n_nodes, options)
            start = now()
            ok = False
            try:
                summary = await scenario(sc)
                ok = True
            except BaseException:
                sc.print_logs()
                for i, name_ in enumerate(etcd.names):
                    if etcd.procs[i]:
                        print(f"--- {name_}.log (last lines)\n{tail(etcd.procs[i].text(), 15)}")
                raise
            finally:
                await sc.close(ok)
            print(f"cluster [{name}]: ok ({now() - start:.1f} s): {summary}", flush=True)
    finally:
        etcd.stop_all()
        shutil.rmtree(datadir, ignore_errors=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--coordinator", default=os.path.join(ROOT, "build/release/bin/coordinator"))
    p.add_argument("--only", action="append", choices=[s[0] for s in SCENARIOS],
                   help="run this scenario (repeat; default all)")
    p.add_argument("--seed", type=int, default=None, help="seed of the random scenario")
    p.add_argument("--rounds", type=int, default=20, help="rounds of the random scenario")
    p.add_argument("--ttl", type=int, default=2, help="cluster.lease_ttl_s of the nodes")
    p.add_argument("--keep-logs", action="store_true", help="keep every process's log")
    args = p.parse_args()
    if args.seed is None:
        args.seed = int.from_bytes(os.urandom(4), "little")
    print(f"cluster: seed {args.seed} (rerun with --seed {args.seed})", flush=True)
    logdir = tempfile.mkdtemp(prefix="coordinator-cluster-")
    start = time.monotonic()
    try:
        ok, count = checks_test.run()
        check(ok, "the checks' own tests failed (tests/cluster/checks_test.py)")
        print(f"cluster: the {count} tests of the checks passed", flush=True)
        check(os.access(args.coordinator, os.X_OK), f"no coordinator at {args.coordinator}")
        for tool in ("/usr/bin/etcd", "/usr/bin/etcdctl"):
            check(os.access(os.environ.get(os.path.basename(tool).upper(), tool), os.X_OK),
                  f"{tool} is missing: install etcd-server and etcd-client "
                  "(scripts/setup.sh does)")
        asyncio.run(run_all(args, logdir))
    except Failure as e:
        print(f"cluster: FAILED: {e}", file=sys.stderr)
        print(f"cluster: logs in {logdir}", file=sys.stderr)
        sys.exit(1)
    print(f"cluster: all passed in {time.monotonic() - start:.1f} s")
    if args.keep_logs:
        print(f"cluster: logs in {logdir}")
    else:
        shutil.rmtree(logdir, ignore_errors=True)


if __name__ == "__main__":
    main()
