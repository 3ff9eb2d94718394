"""One cluster scenario's nodes, clients, pollers and logs (tests/cluster/run.py)."""
import asyncio  # noqa: F401
import base64  # noqa: F401
import json  # noqa: F401
import os  # noqa: F401
import secrets  # noqa: F401
import shutil  # noqa: F401
import statistics  # noqa: F401
import tempfile  # noqa: F401

import websockets  # noqa: F401

import checks  # noqa: F401
from clients import Cluster, Companion, Events, Gateway, Voice, Writer, seeded  # noqa: F401
from harness import (EtcdCluster, Failure, HealthPolls, Node, Secrets, check, http,  # noqa: F401
                     now, run_command, tail, wait_until)

HERE = os.path.dirname(os.path.abspath(__file__))
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
