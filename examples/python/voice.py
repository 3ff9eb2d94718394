#!/usr/bin/python3
"""A voice client: the bot's side of a music node connection (voice dialect, /ws).

  header Authorization: <voice.password>     (wrong: FORBIDDEN, then close 4001)
  <- HELLO {version, heartbeat_interval}     -> HEARTBEAT {d}, echoed as HEARTBEAT_ACK
  -> IDENTIFY {user_id, shard_id}            <- IDENTIFIED, then RESUMED if voice clients
                                                of this bot (and shard) were kept
  -> DISCORD_EVENT {t, d}: the bot's raw VOICE_STATE_UPDATE and VOICE_SERVER_UPDATE
                                             <- VC_CREATED {guild_id, id, channel_id}
  -> getState {guild_id}                     <- getState {id, channel_id, state, options, ...}
  -> VC_DESTROY {guild_id}                   <- VC_DESTROYED {guild_id}
With --keep the voice client is left in place: the next run within voice.vc_timeout_s gets it
back in RESUMED.
"""
import asyncio
import json
import time

import websockets

from common import add_secret, fail, logger, parser, require, ws_url

log = logger("voice")


class VoiceError(Exception):
    pass


class Voice:
    def __init__(self, ws):
        self.ws = ws

    async def send(self, op, d):
        await self.ws.send(json.dumps({"op": op, "d": d}))

    async def expect(self, op):
        """Reads until a message with this op, printing everything that comes on the way."""
        while True:
            msg = json.loads(await self.ws.recv())
            self.show(msg)
            if msg["op"] == op:
                return msg["d"]

    def show(self, msg):
        op, d = msg["op"], msg.get("d")
        if isinstance(d, dict) and "traceback" in d:
            raise VoiceError(f"{op} failed: {json.dumps(d['traceback'])}")
        if op == "FORBIDDEN":
            raise VoiceError(f"forbidden: {d} (check the password)")
        if op == "HELLO":
            log(f"hello from coordinator {d['version']}, heartbeat every "
                f"{d['heartbeat_interval']:g} s")
        elif op == "IDENTIFIED":
            log(f"identified: {d}")
        elif op == "RESUMED":
            # {guild_id: {id, channel}} (discodo's clients read this), or, from a node set to
            # voice.resumed_form = pairs, [[guild_id, channel_id], ...]: read both.
            kept = d["voice_clients"]
            pairs = ([(g, vc["channel"]) for g, vc in kept.items()] if isinstance(kept, dict)
                     else [(g, c) for g, c in kept])
            log("resumed the session: " + (", ".join(
                f"voice client of guild {g} in channel {c}" for g, c in pairs) or
                "no voice clients kept"))
        elif op == "HEARTBEAT_ACK":
            log("heartbeat acked")
        elif op == "VC_CREATED":
            log(f"voice client {d['id']} created in guild {d['guild_id']}, "
                f"channel {d['channel_id']}")
        elif op == "VC_CHANNEL_EDITED":
            log(f"voice client of guild {d['guild_id']} moved to channel {d['channel_id']}")
        elif op == "VC_DESTROYED":
            log(f"voice client of guild {d['guild_id']} destroyed")
        elif op == "getState":
            text = (f"state of guild {d['guild_id']}: voice client {d['id']}, "
                    f"channel {d['channel_id']}")
            if "state" in d:  # the player's fields (a node that plays no audio: stopped)
                text += f", state {d['state']}, queue {d.get('remainQueue', 0)}"
            log(text)

    async def heartbeats(self, every_s):
        while True:
            await self.send("HEARTBEAT", int(time.time() * 1000))
            await asyncio.sleep(every_s)


async def run(args):
    url = ws_url(args.url, "/ws")
    log(f"connecting to {url}")
    async with websockets.connect(url, extra_headers={"Authorization": args.password}) as ws:
        v = Voice(ws)
        hello = await v.expect("HELLO")
        beats = asyncio.create_task(v.heartbeats(hello["heartbeat_interval"]))
        try:
            await v.send("IDENTIFY", {"user_id": args.user, "shard_id": args.shard})
            await v.expect("IDENTIFIED")
            # The bot joined a voice channel: Discord sent it these two events; forward them.
            await v.send("DISCORD_EVENT", {"t": "VOICE_STATE_UPDATE", "d": {
                "guild_id": args.guild, "channel_id": args.channel, "user_id": args.user,
                "session_id": "example-session"}})
            await v.send("DISCORD_EVENT", {"t": "VOICE_SERVER_UPDATE", "d": {
                "guild_id": args.guild, "token": "example-token",
                "endpoint": "example.discord.media:443"}})
            log(f"sent VOICE_STATE_UPDATE (guild {args.guild}, channel {args.channel}) "
                f"and VOICE_SERVER_UPDATE")
            # Replies come in order: VC_CREATED (for a new voice client) before this one.
            await v.send("getState", {"guild_id": args.guild})
            await v.expect("getState")
            if args.keep:
                log(f"keeping the voice client of guild {args.guild} for the next run, done")
                return
            await v.send("VC_DESTROY", {"guild_id": args.guild})
            log(f"sent VC_DESTROY for guild {args.guild}")
            await v.expect("VC_DESTROYED")
            log("done")
        finally:
            beats.cancel()


def main():
    p = parser("A voice client: identify, create a voice client, read its state, destroy it.")
    add_secret(p, "--password", "VOICE_PASSWORD", "the voice password")
    p.add_argument("--user", default="155149108183695360", help="the bot's user id")
    p.add_argument("--shard", type=int, default=None,
                   help="the bot's shard id (default: none, the session key is the user id)")
    p.add_argument("--guild", default="254768930223161344", help="the guild (default %(default)s)")
    p.add_argument("--channel", default="254768930223161346",
                   help="the voice channel the bot joins (default %(default)s)")
    p.add_argument("--keep", action="store_true",
                   help="leave the voice client in place (the next run resumes it)")
    args = p.parse_args()
    require(p, args, "--password")
    try:
        asyncio.run(run(args))
    except VoiceError as e:
        fail("voice", str(e))
    except websockets.ConnectionClosed as e:
        fail("voice", f"connection closed: code {e.code} {e.reason}")
    except (OSError, asyncio.TimeoutError, websockets.InvalidHandshake) as e:
        fail("voice", str(e) or type(e).__name__)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
