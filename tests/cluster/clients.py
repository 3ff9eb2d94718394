"""The clients of the cluster test: gateway services (sharder, commands worker), companion
shards, a voice client and an admin settings writer. Each follows the active node — after a
loss it asks every node's /healthz and connects to the one answering 200 — and writes what it
sees, with the time, into one shared event log.

The dialects are docs/protocol.md §3 (companion), §4 (gateway) and §5 (voice).

Past 400 lines on purpose: the five clients share the follow-the-active loop and the
event log; split apart, each would import all of it back.
"""
import asyncio
import json
import random

import websockets

import checks
from harness import Failure, http, now

# Heartbeats: the test's clients send one every second whatever HELLO says, and a gateway
# client that has seen no HEARTBEAT_ACK for ACK_TIMEOUT drops the connection (as a real
# sharder does when its coordinator freezes).
BEAT_EVERY = 1.0
ACK_TIMEOUT = 2.5


class Events:
    """Every event every client saw: (time, client, what, data)."""

    def __init__(self, t0):
        self.t0 = t0
        self.items = []

    def add(self, who, what, data=None):
        self.items.append((now(), who, what, data))

    def of(self, who, what=None):
        return [e for e in self.items if e[1] == who and (what is None or e[2] == what)]

    def dump(self, last=250):
        lines = [f"{t - self.t0:9.3f} {who:<10} {what} {'' if data is None else data}"
                 for t, who, what, data in self.items[-last:]]
        return "\n".join(lines)


class Cluster:
    """What a client knows of the cluster: its nodes (some may be down)."""

    def __init__(self, nodes, secrets):
        self.nodes, self.secrets = nodes, secrets

    async def active(self):
        """The node answering /healthz 200 now, or None."""
        answers = await asyncio.gather(*(n.health(timeout=1.0) for n in self.nodes))
        active = [n for n, a in zip(self.nodes, answers) if a.status == 200]
        if len(active) > 1:
            raise Failure(f"two nodes answer /healthz 200 at once: {[n.name for n in active]}")
        return active[0] if active else None

    async def wait_active(self, stop=None):
        while stop is None or not stop.is_set():
            node = await self.active()
            if node:
                return node
            await asyncio.sleep(0.1)
        return None


def close_code(e):
    return e.code if e.rcvd is not None else 1006


class Client:
    """A connection loop: connect to the active node (or one fixed node), run a session,
    after a loss start again, until stop()."""

    path = "/"

    def __init__(self, name, cluster, events, node=None, follow=True):
        self.name, self.cluster, self.events = name, cluster, events
        self.node, self.follow = node, follow
        self.stopping = asyncio.Event()
        self.ws = None
        self.connected_to = None
        self.task = None

    def log(self, what, data=None):
        self.events.add(self.name, what, data)

    def start(self):
        self.task = asyncio.ensure_future(self.run())
        return self

    def headers(self):
        return {}

    async def run(self):
        while not self.stopping.is_set():
            node = self.node or await self.cluster.wait_active(self.stopping)
            if node is None:
                return
            try:
                async with websockets.connect(node.ws(self.path), open_timeout=2,
                                              close_timeout=1, ping_interval=None,
                                              max_size=16 << 20,
                                              extra_headers=self.headers()) as ws:
                    self.ws, self.connected_to = ws, node
                    self.log("connected", node.name)
                    await self.session(ws, node)
            except websockets.ConnectionClosed as e:
                self.log("closed", {"code": close_code(e), "reason": e.reason,
                                    "node": node.name})
            except websockets.InvalidStatusCode as e:
                self.log("refused", {"status": e.status_code, "node": node.name})
            except (OSError, asyncio.TimeoutError, websockets.InvalidHandshake) as e:
                self.log("connect failed", {"error": str(e) or type(e).__name__,
                                            "node": node.name})
            finally:
                self.ws, self.connected_to = None, None
                self.lost()
            if not self.follow:
                return
            await asyncio.sleep(0.1)

    def lost(self):
        pass

    async def session(self, ws, node):
        raise NotImplementedError

    async def stop(self):
        self.stopping.set()
        if self.ws is not None:
            try:
                await self.ws.close(1000, "bye")
            except Exception:
                pass
        if self.task:
            try:
                await asyncio.wait_for(self.task, 5)
            except asyncio.TimeoutError:
                self.task.cancel()
            except Exception:
                pass


class Gateway(Client):
    """A service of the gateway dialect. A sharder identifies with d.shards (the shards it
    ran) after the first time, asks IDENTIFY_REQUEST for every shard it did not run on its
    last connection (and, with `regrant`, sometimes for all of them: its Discord sessions were
    lost too), and sends EXECUTE_COMMAND every `command_every` s while identified. A commands
    worker RESUMEs after a loss (INVALID_SESSION after a failover), then identifies."""

    path = "/gateway"

    def __init__(self, name, cluster, events, kind, *, node=None, follow=True, watchdog=True,
                 use_d_shards=True, regrant=None, command_every=None, guilds=("1",)):
        super().__init__(name, cluster, events, node, follow)
        self.kind, self.watchdog, self.use_d_shards = kind, watchdog, use_d_shards
        self.regrant, self.command_every, self.guilds = regrant, command_every, list(guilds)
        self.shards = []       # held on the current connection
        self.last_shards = []  # held when the last connection ended
        self.session_id, self.seq = None, None
        self.identified = asyncio.Event()
        self.sent_commands = []    # (time, raw) sent
        self.got_commands = []     # (time, raw) received (a worker)
        self.command_no = 0
        self.pending = set()       # shards asked IDENTIFY_REQUEST for and not granted yet
        self.regrant_next = False  # ask for every shard on the next IDENTIFIED

    def lost(self):
        if self.identified.is_set():
            self.last_shards = list(self.shards)
        self.identified.clear()
        self.shards = []
        self.pending = set()

    async def send(self, ws, payload):
        await ws.send(json.dumps(payload))

    async def identify(self, ws):
        d = {"type": self.kind, "compress": False, "secret": self.cluster.secrets.secret}
        if self.kind == "sharder" and self.use_d_shards and self.last_shards:
            d["shards"] = self.last_shards
        self.log("identify", d.get("shards"))
        await self.send(ws, {"op": 0, "d": d})

    async def session(self, ws, node):
        hello = json.loads(await ws.recv())
        if hello.get("op") != 3:
            raise Failure(f"{self.name}: expected HELLO from {node.name}, got {hello}")
        self.last_ack = now()
        tasks = [asyncio.ensure_future(self.beats(ws))]
        if self.command_every:
            tasks.append(asyncio.ensure_future(self.commands(ws)))
        try:
            if self.kind != "sharder" and self.session_id is not None:
                self.log("resume", self.session_id)
                await self.send(ws, {"op": 6, "d": {"sessionId": self.session_id,
                                                    "seq": self.seq or 0,
                                                    "secret": self.cluster.secrets.secret}})
            else:
                await self.identify(ws)
            while True:
                msg = json.loads(await ws.recv())
                await self.dispatch(ws, msg)
        finally:
            for t in tasks:
                t.cancel()

    async def dispatch(self, ws, msg):
        op = msg.get("op")
        if op == 4:
            self.last_ack = now()
        elif op == 1:
            await self.beat(ws)
        elif op == 2:
            t, d = msg.get("t"), msg.get("d") or {}
            if "s" in msg:
                self.seq = msg["s"]
            if t == "IDENTIFIED":
                self.session_id = d.get("sessionId")
                self.set_shards(ws, d.get("shards", []), "IDENTIFIED")
                self.identified.set()
            elif t == "SHARDS_ASSIGNED":
                self.set_shards(ws, d["shards"], "SHARDS_ASSIGNED")
            elif t == "IDENTIFY_GRANTED":
                self.log("granted", d.get("shard"))
                self.pending.discard(d.get("shard"))
            elif t == "INVALID_SESSION":
                self.log("invalid session")
                self.session_id, self.seq = None, None
                await self.identify(ws)
            elif t == "RESUMED":
                self.log("resumed", d)
                self.identified.set()
            elif t == "EXECUTE_COMMAND":
                self.got_commands.append((now(), d["raw"]))
            elif t not in ("GUILD_SETTINGS_UPDATE", "MUSIC_COMMAND_UPDATE", "SUPPORTER_ADD",
                           "SUPPORTER_REMOVE"):
                self.log("event", {"t": t, "d": d})

    def set_shards(self, ws, shards, why):
        new = [s for s in shards if s not in self.last_shards and s not in self.shards]
        if why == "IDENTIFIED" and (self.regrant_next or
                                    (self.regrant is not None and self.regrant())):
            new = list(shards)  # its Discord sessions were lost as well: identify them all
            self.regrant_next = False
        self.shards = list(shards)
        self.log(why, {"shards": self.shards} if why != "IDENTIFIED" else
                 {"shards": self.shards, "session": self.session_id})
        if self.kind == "sharder":
            for s in new:
                self.pending.add(s)
                asyncio.ensure_future(self.send(ws, {"op": 2, "t": "IDENTIFY_REQUEST",
                                                     "d": {"shard": s}}))
                self.log("identify request", s)

    def request_all(self):
        """Asks IDENTIFY_REQUEST for every shard held (as after losing Discord sessions)."""
        for s in self.shards:
            if s in self.pending:
                continue
            self.pending.add(s)
            asyncio.ensure_future(self.send(self.ws, {"op": 2, "t": "IDENTIFY_REQUEST",
                                                      "d": {"shard": s}}))
            self.log("identify request", s)

    async def beat(self, ws):
        d = {"heapUsed": 1 << 20}
        if self.kind == "sharder":
            d["guilds"] = len(self.guilds)
        await self.send(ws, {"op": 1, "d": d})

    async def beats(self, ws):
        while True:
            await self.beat(ws)
            await asyncio.sleep(BEAT_EVERY)
            if self.watchdog and now() - self.last_ack > ACK_TIMEOUT:
                # the node froze: drop the connection as a real client would
                self.log("no heartbeat ack, dropping the connection")
                ws.transport.abort()
                return

    async def commands(self, ws):
        while True:
            await asyncio.sleep(self.command_every)
            if not self.identified.is_set():
                continue
            await self.send_command(ws)

    async def send_command(self, ws=None):
        ws = ws or self.ws
        self.command_no += 1
        raw = f"{self.name}-{self.command_no}"
        guild = self.guilds[self.command_no % len(self.guilds)]
        await self.send(ws, {"op": 2, "t": "EXECUTE_COMMAND", "d": {
            "command": "ping", "raw": raw,
            "ids": {"message": str(1000 + self.command_no), "author": "155112606661607425",
                    "channel": str(int(guild) + 1), "guild": guild,
                    "shard": self.shards[0] if self.shards else 0}}})
        self.sent_commands.append((now(), raw))
        return raw


class Companion(Client):
    """A companion shard (§3): op 1 with its guilds, then op 2/3/10/11 pushes."""

    path = "/companion"

    def __init__(self, name, cluster, events, guilds, node=None, follow=True):
        super().__init__(name, cluster, events, node, follow)
        self.guilds = [int(g) for g in guilds]
        self.handshaken = asyncio.Event()
        self.pushed = []  # (time, message) of op 2/3/10/11
        self.state = {}   # guild id (int) -> latest settings seen (op 1 or op 2)

    def lost(self):
        self.handshaken.clear()

    async def session(self, ws, node):
        await ws.send(json.dumps({"op": 1, "key": self.cluster.secrets.key,
                                  "guildIds": self.guilds}))
        while True:
            msg = json.loads(await ws.recv())
            op = msg.get("op")
            if op == 1:
                for g in msg["guilds"]:
                    self.state[g["guildId"]] = g
                self.log("handshake", {"guilds": len(msg["guilds"]),
                                       "supporters": msg["supporterIds"]})
                self.handshaken.set()
            else:
                self.pushed.append((now(), msg))
                if op == 2:
                    self.state[msg["guildId"]] = msg
                else:  # op 2 streams while a writer runs: kept in `pushed`, not logged
                    self.log("op", msg)


class Voice(Client):
    """A voice connection (§5) with key `user` (no shard): creates one voice client in
    `guild` on its first connection; after a loss IDENTIFY again and expect RESUMED."""

    path = "/ws"

    def __init__(self, name, cluster, events, user, guild, channel):
        super().__init__(name, cluster, events)
        self.user, self.guild, self.channel = user, guild, channel
        self.created = None   # VC_CREATED's d
        self.resumed = []     # RESUMED's d, one per reconnect
        self.identified = asyncio.Event()

    def headers(self):
        return {"Authorization": self.cluster.secrets.password}

    def lost(self):
        self.identified.clear()

    async def session(self, ws, node):
        async def send(op, d):
            await ws.send(json.dumps({"op": op, "d": d}))
        await send("IDENTIFY", {"user_id": self.user, "shard_id": None})
        while True:
            msg = json.loads(await ws.recv())
            op, d = msg.get("op"), msg.get("d")
            if op == "IDENTIFIED":
                self.log("identified", node.name)
                self.identified.set()
                if self.created is None:
                    await send("DISCORD_EVENT", {"t": "VOICE_STATE_UPDATE", "d": {
                        "guild_id": self.guild, "channel_id": self.channel,
                        "user_id": self.user, "session_id": "test-session"}})
                    await send("DISCORD_EVENT", {"t": "VOICE_SERVER_UPDATE", "d": {
                        "guild_id": self.guild, "token": "test-token",
                        "endpoint": "test.discord.media:443"}})
            elif op == "VC_CREATED":
                self.created = d
                self.log("VC_CREATED", d)
            elif op == "RESUMED":
                self.resumed.append(d)
                self.log("RESUMED", d)
            elif op not in ("HELLO", "HEARTBEAT_ACK"):
                self.log("voice op", msg)


class Writer:
    """Streams admin PATCHes of guild settings to whichever node is active, one at a time:
    write i sets guild guilds[i % n]'s prefix to "w<i>". Remembers every write and whether it
    was acknowledged (200 with the new prefix)."""

    def __init__(self, cluster, events, guilds, every=0.02, name="writer"):
        self.cluster, self.events, self.guilds, self.every = cluster, events, guilds, every
        self.name = name
        self.writes = []  # (index, guild, start, end, status)
        self.stopping = asyncio.Event()
        self.node = None
        self.task = None

    def start(self):
        self.task = asyncio.ensure_future(self.run())
        return self

    async def run(self):
        i = 0
        while not self.stopping.is_set():
            if self.node is None:
                self.node = await self.cluster.active()
                if self.node is None:
                    await asyncio.sleep(0.05)
                    continue
            i += 1
            guild = self.guilds[i % len(self.guilds)]
            start = now()
            a = await http(self.node.url, "PATCH", f"/api/v1/guilds/{guild}/settings",
                           {"prefix": f"w{i}"},
                           {"Authorization": f"Bearer {self.cluster.secrets.token}"},
                           timeout=5.0)
            acked = a.status == 200 and (a.json or {}).get("prefix") == f"w{i}"
            self.writes.append((i, guild, start, now(), a.status if acked or a.status != 200
                                else f"200 with {a.text[:100]}"))
            if not acked:
                self.events.add(self.name, f"write {i} not acknowledged by {self.node.name}",
                                a)
                self.node = None
            await asyncio.sleep(self.every)

    async def stop(self):
        self.stopping.set()
        if self.task:
            await self.task

    def acked(self):
        return [w for w in self.writes if w[4] == 200]

    def check_stored(self, stored, where):
        """`stored`: guild -> prefix found in `where`; the problems (checks.lost_writes)."""
        return checks.lost_writes(self.writes, self.guilds, stored, where)


def seeded(seed):
    return random.Random(seed)
