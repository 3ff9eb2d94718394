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
import os
import shutil
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
import checks_test  # noqa: E402
from harness import EtcdCluster, Failure, check, now, tail  # noqa: E402
from scenario import ROOT, Scenario  # noqa: E402
from scenario_random import randomized  # noqa: E402
from scenarios_failover import freeze, kill, quorum  # noqa: E402
from scenarios_state import etcd_put, roles, store_transfer  # noqa: E402


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
