#!/usr/bin/python3
"""A companion music bot shard (companion dialect, /companion).

  -> {op:1, key, guildIds}                 the handshake, again after every reconnect
  <- {op:1, supporterIds, guilds:[settings]}
  <- {op:2, guildId, prefix, djRoleId, voiceChannelId, musicChannelId}   settings changed
  <- {op:3, guildId, enable}               music command enabled / disabled
  <- {op:10 | 11, supporterId}             supporter added / removed
  -> {op:5, key, shardId, playingMusic}    music stats, every --stats-every seconds
The coordinator also sends websocket pings; the websockets library answers them.
"""
import asyncio
import json

import websockets

from common import Backoff, add_secret, fail, logger, parser, quoted, require, ws_url

log = logger("companion")
FATAL_CLOSES = {4001: "authentication failed, check the key", 4003: "unknown opcode",
                4004: "invalid JSON", 4005: "invalid payload"}


def describe(s):
    return (f'prefix {quoted(s["prefix"])}, dj role {s["djRoleId"]}, '
            f'voice channel {s["voiceChannelId"]}, music channel {s["musicChannelId"]}')


class Shard:
    def __init__(self, args):
        self.args = args
        self.guilds = {}       # guild id -> settings, for the guilds this shard runs
        self.supporters = set()
        self.pushed = 0        # op 2/3/10/11 received (for --count)
        self.backoff = Backoff()

    async def send_stats(self, ws):
        while True:
            await ws.send(json.dumps({"op": 5, "key": self.args.key, "shardId": self.args.shard,
                                      "playingMusic": self.args.playing}))
            log(f"sent music stats: shard {self.args.shard}, {self.args.playing} playing")
            await asyncio.sleep(self.args.stats_every)

    def handle(self, msg):
        """Reacts to one message; True once --count pushed messages have arrived."""
        op = msg.get("op")
        if op == 1:
            self.supporters = set(msg["supporterIds"])
            self.guilds = {g["guildId"]: g for g in msg["guilds"]}
            log(f"handshake done: {len(self.guilds)} guilds, {len(self.supporters)} supporters")
            self.backoff.reset()
            for g in msg["guilds"]:
                log(f"guild {g['guildId']}: {describe(g)}")
            return False
        if op == 2:
            # Sent to every shard: keep it only for a guild this shard runs.
            ours = msg["guildId"] in self.guilds
            if ours:
                self.guilds[msg["guildId"]] = msg
            log(f"op 2: guild {msg['guildId']} settings: {describe(msg)}"
                + ("" if ours else " (not ours, ignored)"))
        elif op == 3:
            state = "enabled" if msg["enable"] else "disabled"
            log(f"op 3: music command {state} in guild {msg.get('guildId')}")
        elif op == 10:
            self.supporters.add(msg["supporterId"])
            log(f"op 10: supporter added: {msg['supporterId']}")
        elif op == 11:
            self.supporters.discard(msg["supporterId"])
            log(f"op 11: supporter removed: {msg['supporterId']}")
        else:
            log(f"ignored op {op}")
            return False
        self.pushed += 1
        return self.args.count > 0 and self.pushed >= self.args.count

    async def session(self, url):
        """One connection: handshake, then messages until --count is reached (True) or the
        connection is lost (ConnectionClosed)."""
        async with websockets.connect(url) as ws:
            await ws.send(json.dumps({"op": 1, "key": self.args.key,
                                      "guildIds": [int(g) for g in self.args.guild]}))
            stats = None
            try:
                while True:
                    msg = json.loads(await ws.recv())
                    finished = self.handle(msg)
                    if msg.get("op") == 1 and stats is None:  # handshaken: report stats now
                        stats = asyncio.create_task(self.send_stats(ws))
                    if finished:
                        log(f"got {self.pushed} messages, done")
                        return True
            finally:
                if stats:
                    stats.cancel()


async def main():
    p = parser("A companion bot shard: op 1 handshake, reacts to op 2/3/10/11, sends op 5.")
    add_secret(p, "--key", "COMPANION_KEY", "the companion key")
    p.add_argument("--guild", action="append", default=None,
                   help="a guild this shard runs (repeat; default 254768930223161344)")
    p.add_argument("--shard", type=int, default=0, help="this shard's id (default 0)")
    p.add_argument("--playing", type=int, default=0,
                   help="guilds playing music, reported in op 5 (default 0)")
    p.add_argument("--stats-every", type=float, default=30.0,
                   help="seconds between two op 5 music stats (default %(default)s)")
    p.add_argument("--count", type=int, default=0,
                   help="exit after this many op 2/3/10/11 messages (default: run until Ctrl-C)")
    args = p.parse_args()
    require(p, args, "--key")
    args.guild = args.guild or ["254768930223161344"]
    url = ws_url(args.url, "/companion")
    shard = Shard(args)
    while True:
        log(f"connecting to {url}")
        try:
            if await shard.session(url):
                return
        except websockets.ConnectionClosed as e:
            if e.code in FATAL_CLOSES:
                fail("companion", f"closed by the coordinator: code {e.code} {e.reason}"
                                  f": {FATAL_CLOSES[e.code]}")
            why = f"code {e.code}" + (f" {e.reason}" if e.reason else "")
        except (OSError, asyncio.TimeoutError, websockets.InvalidHandshake) as e:
            why = str(e) or type(e).__name__  # refused, timed out, HTTP 503...
        delay = shard.backoff.delay()
        log(f"connection lost ({why}), reconnecting in {delay:g} s")
        await asyncio.sleep(delay)


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
