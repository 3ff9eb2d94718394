"""Cluster scenarios on stored state and roles: roles, etcd-put, store (tests/cluster/run.py)."""
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
