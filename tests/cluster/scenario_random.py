"""The randomized failover scenario (tests/cluster/run.py)."""
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
from scenario import GRANT_SLACK, GUILDS, ROOT, Scenario  # noqa: F401


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
