"""Cluster scenarios that take the active node or etcd members away: kill, freeze, quorum
(tests/cluster/run.py)."""
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
