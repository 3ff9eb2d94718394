#!/usr/bin/python3
"""Regenerates the handshake transcripts of docs/protocol.md from a real node.

    /usr/bin/python3 docs/tools/transcripts.py            # print them (Markdown)
    /usr/bin/python3 docs/tools/transcripts.py --write    # replace them in docs/protocol.md

Needs the Release build (`bash scripts/build.sh`), Debian's python3-websockets
(`apt-get install python3-websockets`; run it with /usr/bin/python3, which sees Debian's
packages) and curl. It starts two nodes on free ports with temporary SQLite files (the
shipped conf/coordinator.ini plus the options named in each transcript), talks to them over
real websockets and HTTP, and stops them. Each transcript sits between
`<!-- transcript:NAME begin -->` and `<!-- transcript:NAME end -->` in docs/protocol.md.

Past 400 lines on purpose: one transcript per dialect against one node, printed in order.
"""

import argparse
import asyncio
import json
import os
import re
import subprocess
import sys
import time
import zlib

import websockets

sys.dont_write_bytecode = True  # no __pycache__ beside the docs
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nodeproc import REPO, Node, shipped_option  # noqa: E402

PROTOCOL_MD = os.path.join(REPO, "docs", "protocol.md")

KEY = shipped_option("companion", "key")
SECRET = shipped_option("gateway", "secret")
PASSWORD = shipped_option("voice", "password")
TOKEN = shipped_option("admin", "token")


def compact(obj):
    return json.dumps(obj, separators=(",", ":"))


class Transcript:
    """Lines of one transcript: `name → text` (client to coordinator) and `name ← text`."""

    def __init__(self, title_args):
        self.lines = []
        self.started = time.monotonic()
        self.node_args = title_args

    def note(self, text):
        self.lines.append(f"# {text}")

    def add(self, line):
        self.lines.append(line)

    def elapsed(self):
        return time.monotonic() - self.started

    def markdown(self):
        head = "node: shipped conf/coordinator.ini"
        if self.node_args:
            head += " plus " + " ".join(self.node_args)
        return "```text\n# " + head + "\n" + "\n".join(self.lines) + "\n```\n"


class Conn:
    """One websocket connection whose frames go into a transcript."""

    def __init__(self, t, name, ws):
        self.t, self.name, self.ws = t, name, ws
        self.opened = time.monotonic()

    @classmethod
    async def open(cls, t, name, url, headers=None):
        ws = await websockets.connect(url, extra_headers=headers or {}, compression=None,
                                      ping_interval=None, max_size=2 ** 22)
        path = url.split("/", 3)[3]
        shown = f"{name} connects to /{path}"
        if headers:
            shown += " with " + ", ".join(f"{k}: {v}" for k, v in headers.items())
        t.add(f"# {shown}")
        return cls(t, name, ws)

    async def send(self, payload):
        text = payload if isinstance(payload, str) else compact(payload)
        self.t.add(f"{self.name} → {text}")
        await self.ws.send(text)

    async def recv(self, timeout=10.0, timed=False):
        msg = await asyncio.wait_for(self.ws.recv(), timeout)
        when = f"   (after {time.monotonic() - self.opened:.1f} s)" if timed else ""
        if isinstance(msg, bytes):
            text = zlib.decompress(msg).decode()
            head = " ".join(f"{b:02x}" for b in msg[:8])
            self.t.add(f"{self.name} ← binary frame, {len(msg)} bytes: {head} …{when}")
            self.t.add(f"{' ' * len(self.name)}   inflated ({len(text)} bytes): {text}")
        else:
            text = msg
            self.t.add(f"{self.name} ← {text}{when}")
        return json.loads(text)

    async def expect_close(self, timeout=10.0, timed=False):
        try:
            while True:
                await self.recv(timeout)
        except websockets.ConnectionClosed as e:
            code = e.rcvd.code if e.rcvd else None
            reason = e.rcvd.reason if e.rcvd else ""
            when = f"   (after {time.monotonic() - self.opened:.1f} s)" if timed else ""
            self.t.add(f"{self.name} ← close {code} \"{reason}\"{when}")
            return code

    async def close(self, code=1000):
        await self.ws.close(code)
        self.t.add(f"{self.name} → close {code}")


async def curl(t, node, method, path, auth=None, body=None):
    """Runs real curl against the node and records the command and its answer."""
    args = ["curl", "-s", "-i"]
    shown = ["curl", "-si"]
    if method != "GET":
        args += ["-X", method]
        shown += ["-X", method]
    if auth:
        args += ["-H", f"Authorization: {auth}"]
        shown += ["-H", f"'Authorization: {auth}'"]
    if body is not None:
        args += ["-H", "Content-Type: application/json", "--data", body]
        shown += ["--data", f"'{body}'"]
    args.append(node.http + path)
    shown.append("$NODE" + path)
    out = await asyncio.to_thread(subprocess.run, args, capture_output=True, text=True,
                                  check=True)
    t.add("$ " + " ".join(shown))
    for line in out.stdout.replace("\r", "").splitlines():
        t.add(line)
    t.add("")


# -- scenarios --------------------------------------------------------------------------


async def companion(node, t):
    t.note("a companion shard: handshake, a settings request, music stats")
    bot = await Conn.open(t, "bot", node.ws + "/companion")
    await bot.send({"op": 1, "key": KEY, "guildIds": [111, 222]})
    await bot.recv()
    await bot.send({"op": 2, "key": KEY, "guildId": 111})
    await bot.recv()
    await bot.send({"op": 5, "key": KEY, "shardId": 0, "playingMusic": 3})
    t.note("(op 5 has no reply)")
    t.note("a second connection that skips the handshake")
    bad = await Conn.open(t, "bad", node.ws + "/companion")
    await bad.send({"op": 2, "key": KEY, "guildId": 111})
    await bad.expect_close()
    return bot


async def gateway(node, t, bot):
    t.note("a sharder (no compression) and a commands worker (compress:true)")
    sharder = await Conn.open(t, "sharder", node.ws + "/gateway")
    await sharder.recv()
    await sharder.send({"op": 0, "d": {"type": "sharder", "compress": False,
                                       "secret": SECRET}})
    await sharder.recv()
    await sharder.send({"op": 1, "d": {"heapUsed": 48123904, "guilds": 2}})
    await sharder.recv()
    worker = await Conn.open(t, "worker", node.ws + "/ws/v1")
    await worker.recv()
    await worker.send({"op": 0, "d": {"type": "commands", "compress": True,
                                      "secret": SECRET}})
    await worker.recv()
    await worker.send({"op": 1, "d": {"heapUsed": 30441472}})
    await worker.recv()
    t.note("identify scheduling: one grant per bucket (shard % max_concurrency) per 5 s")
    await sharder.send({"op": 2, "t": "IDENTIFY_REQUEST", "d": {"shard": 0}})
    await sharder.send({"op": 2, "t": "IDENTIFY_REQUEST", "d": {"shard": 1}})
    sharder.opened = time.monotonic()
    await sharder.recv(timed=True)
    await sharder.recv(timed=True)
    t.note("a command goes to exactly one commands session")
    await sharder.send({"op": 2, "t": "EXECUTE_COMMAND", "d": {
        "command": "play", "raw": "never gonna give you up",
        "ids": {"message": "900000000000000001", "author": "155112606661607425",
                "channel": "254770965018443776", "guild": "111", "shard": 0}}})
    await worker.recv()
    t.note("the sharder streams the cache (op 5 has no reply)")
    await sharder.send({"op": 5, "d": {
        "type": "guild", "id": "111", "name": "Test guild", "icon": None,
        "ownerID": "155112606661607425", "region": "europe", "memberCount": 2,
        "roles": [{"id": "111", "name": "@everyone", "color": 0, "position": 0,
                   "permissions": 104324673}],
        "channels": [{"id": "300", "type": 0, "position": 0, "name": "general",
                      "nsfw": False, "parentID": None},
                     {"id": "301", "type": 2, "position": 1, "name": "Music",
                      "nsfw": False, "userLimit": 10}],
        "members": [{"id": "155112606661607425", "nickname": None, "roles": [],
                     "joinedAt": "2018-08-15T12:00:00.000Z",
                     "user": {"id": "155112606661607425", "username": "minemidnight",
                              "discriminator": "0001", "avatar": None, "bot": False}}],
        "voiceStates": [{"channelID": "301", "userID": "155112606661607425",
                         "deaf": False, "mute": False, "selfDeaf": False,
                         "selfMute": True}]}})
    return sharder, worker


async def read_api(node, t):
    await curl(t, node, "GET", "/discord/guilds/111", auth=SECRET)
    await curl(t, node, "GET", "/discord/guilds/111/channels", auth=SECRET)
    await curl(t, node, "GET", "/discord/guilds/111/channels/301/members", auth=SECRET)
    await curl(t, node, "GET", "/discord/users/155112606661607425", auth=SECRET)
    await curl(t, node, "GET", "/services", auth=SECRET)
    await curl(t, node, "GET", "/discord/guilds/111")


async def admin(node, t, bot, sharder, worker):
    for conn in (bot, sharder, worker):
        conn.t = t  # their frames now belong to this transcript
    await curl(t, node, "PATCH", "/api/v1/guilds/111/settings", auth=f"Bearer {TOKEN}",
               body='{"prefix":"?","djRoleId":"444"}')
    t.note("the change was committed before this answer; then every session gets it")
    await bot.recv()
    await sharder.recv()
    await worker.recv()
    await curl(t, node, "PUT", "/api/v1/supporters/555", auth=f"Bearer {TOKEN}")
    await bot.recv()
    await sharder.send({"op": 2, "t": "SUPPORTER_ADD", "d": {"supporterId": "556"}})
    await sharder.expect_close()


async def admin_reads(node, t):
    bearer = f"Bearer {TOKEN}"
    await curl(t, node, "GET", "/api/v1/stats", auth=bearer)
    await curl(t, node, "GET", "/api/v1/shards", auth=bearer)
    await curl(t, node, "GET", "/api/v1/sessions", auth=bearer)


async def voice(node, t):
    auth = {"Authorization": PASSWORD}
    music = await Conn.open(t, "music", node.ws + "/ws", auth)
    await music.recv()
    await music.send({"op": "IDENTIFY", "d": {"user_id": "700000000000000001",
                                              "shard_id": 0}})
    await music.recv()
    await music.send({"op": "HEARTBEAT", "d": 1733300000.25})
    await music.recv()
    await music.send({"op": "DISCORD_EVENT", "d": {"t": "VOICE_STATE_UPDATE", "d": {
        "user_id": "700000000000000001", "guild_id": "111", "channel_id": "301",
        "session_id": "abc"}}})
    await music.send({"op": "DISCORD_EVENT", "d": {"t": "VOICE_SERVER_UPDATE", "d": {
        "guild_id": "111", "token": "secret-voice-token",
        "endpoint": "eu-west123.discord.media:443"}}})
    await music.recv()
    await music.send({"op": "getState", "d": {"guild_id": "111"}})
    await music.recv()
    await music.send({"op": "getQueue", "d": {"guild_id": "111"}})
    await music.recv()
    await music.send({"op": "getState", "d": {"guild_id": "999"}})
    await music.recv()
    await music.send({"op": "requestSubtitle", "d": {"guild_id": 999}})
    await music.recv()
    await music.send({"op": "GET_STATUS", "d": None})
    await music.recv()
    t.note("the connection drops; the voice clients are kept for voice.vc_timeout_s")
    await music.ws.close(4999)
    t.add("music → close 4999")
    again = await Conn.open(t, "music", node.ws + "/ws", auth)
    await again.recv()
    await again.send({"op": "IDENTIFY", "d": {"user_id": "700000000000000001",
                                              "shard_id": 0}})
    await again.recv()
    await again.recv()
    await again.close()
    t.note("a wrong password")
    bad = await Conn.open(t, "other", node.ws + "/ws", {"Authorization": "wrong"})
    await bad.expect_close()


async def timing(node, t):
    t.note("a dashboard that never sends a heartbeat (interval 1000 ms)")
    dash = await Conn.open(t, "dashboard", node.ws + "/gateway")
    await dash.recv()
    await dash.send({"op": 0, "d": {"type": "dashboard", "compress": False,
                                    "secret": SECRET}})
    await dash.recv()
    await dash.recv(timed=True)
    await dash.expect_close(timed=True)
    t.note("a music node that goes silent (voice.idle_timeout_s=2)")
    music = await Conn.open(t, "music", node.ws + "/ws", {"Authorization": PASSWORD})
    await music.recv()
    await music.expect_close(timed=True)


async def resume(node, t):
    t.note("a commands worker whose TCP connection drops while commands arrive, then RESUMEs")
    worker = await Conn.open(t, "worker", node.ws + "/gateway")
    await worker.recv()
    await worker.send({"op": 0, "d": {"type": "commands", "compress": False, "secret": SECRET}})
    identified = await worker.recv()
    sharder = await Conn.open(t, "sharder", node.ws + "/gateway")
    await sharder.recv()
    await sharder.send({"op": 0, "d": {"type": "sharder", "compress": False, "secret": SECRET,
                                       "shards": [1]}})
    await sharder.recv()

    def command(n):
        return {"op": 2, "t": "EXECUTE_COMMAND", "d": {"command": "play", "raw": f"song {n}",
                "ids": {"message": str(900 + n), "author": "2", "channel": "3",
                        "guild": "111", "shard": 0}}}

    await sharder.send(command(1))
    last = (await worker.recv())["s"]
    await sharder.send(command(2))
    await asyncio.sleep(0.2)
    worker.ws.transport.abort()  # no close frame: the connection is just gone
    t.add("worker ✕ TCP connection lost (it had processed s=%d)" % last)
    await asyncio.sleep(0.2)
    await sharder.send(command(3))
    await asyncio.sleep(0.2)
    again = await Conn.open(t, "worker", node.ws + "/gateway")
    await again.recv()
    await again.send({"op": 6, "d": {"sessionId": identified["d"]["sessionId"], "seq": last,
                                     "secret": SECRET}})
    while (await again.recv()).get("t") != "RESUMED":
        pass
    t.note("a RESUME naming a session the node does not know: the connection stays, IDENTIFY")
    other = await Conn.open(t, "other", node.ws + "/gateway")
    await other.recv()
    await other.send({"op": 6, "d": {"sessionId": "0" * 32, "seq": 0, "secret": SECRET}})
    await other.recv()
    await other.close()
    await again.close()
    await sharder.close()


async def main_node(node, args):
    out = {}
    tc = Transcript(args)
    bot = await companion(node, tc)
    out["companion"] = tc
    tg = Transcript(args)
    sharder, worker = await gateway(node, tg, bot)
    out["gateway"] = tg
    await asyncio.sleep(0.5)  # the cache partition applies op 5 asynchronously
    tr = Transcript(args)
    await read_api(node, tr)
    out["read-api"] = tr
    ta = Transcript(args)
    await admin(node, ta, bot, sharder, worker)
    await admin_reads(node, ta)
    out["admin"] = ta
    tv = Transcript(args)
    await voice(node, tv)
    out["voice"] = tv
    return out


MAIN_ARGS = ["--gateway.shard_count=2"]
TIMING_ARGS = ["--gateway.heartbeat_interval_ms=1000", "--voice.idle_timeout_s=2"]


def render(binary):
    with Node(binary, MAIN_ARGS) as node:
        out = asyncio.run(main_node(node, MAIN_ARGS))
    with Node(binary, TIMING_ARGS) as node:
        tt = Transcript(TIMING_ARGS)
        asyncio.run(timing(node, tt))
        out["timeouts"] = tt
    # Its own node: no other worker to take the commands.
    with Node(binary, MAIN_ARGS) as node:
        tz = Transcript(MAIN_ARGS)
        asyncio.run(resume(node, tz))
        out["resume"] = tz
    return {name: t.markdown() for name, t in out.items()}


def write(blocks):
    with open(PROTOCOL_MD, encoding="utf-8") as f:
        text = f.read()
    for name, block in blocks.items():
        pattern = re.compile(
            rf"(<!-- transcript:{name} begin -->\n).*?(<!-- transcript:{name} end -->)",
            re.S)
        if not pattern.search(text):
            raise SystemExit(f"docs/protocol.md has no transcript:{name} markers")
        text = pattern.sub(lambda m: m.group(1) + block + m.group(2), text)
    with open(PROTOCOL_MD, "w", encoding="utf-8") as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", default=os.path.join(REPO, "build", "release", "bin",
                                                     "coordinator"))
    ap.add_argument("--write", action="store_true",
                    help="replace the transcripts in docs/protocol.md")
    args = ap.parse_args()
    blocks = render(args.binary)
    if args.write:
        write(blocks)
        print(f"wrote {len(blocks)} transcripts into {PROTOCOL_MD}")
    else:
        for name, block in blocks.items():
            print(f"## {name}\n\n{block}")


if __name__ == "__main__":
    main()
