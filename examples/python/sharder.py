#!/usr/bin/python3
"""A sharder: the service that runs the bot's Discord shards (gateway dialect, /gateway).

It identifies as `sharder`, runs the shards the coordinator hands it (IDENTIFIED, later
SHARDS_ASSIGNED), asks before identifying each shard with Discord (IDENTIFY_REQUEST ->
IDENTIFY_GRANTED), puts what it sees into the coordinator's cache (op 5) and turns chat
messages into EXECUTE_COMMAND events for the commands workers. There is no Discord here: the
guilds, cache records and messages are made up from --guild.
"""
import asyncio
import itertools

from common import add_secret, fail, id_list, logger, parser, require
from gateway import Gateway, GatewayError, describe_command, run_until_done

log = logger("sharder")
COMMANDS = ["ping", "play", "skip"]
AUTHOR = "155112606661607425"


def cache_records(guild):
    """A guild as a sharder would cache it on GUILD_CREATE (role, channels, member nested),
    plus a voice state: the ids are derived from the guild id."""
    text, voice = str(int(guild) + 1), str(int(guild) + 2)
    user = {"id": AUTHOR, "username": "example-user", "discriminator": "0001",
            "avatar": None, "bot": False}
    return [
        {"type": "guild", "id": guild, "name": f"Example guild {guild}", "icon": None,
         "ownerID": AUTHOR, "region": "europe", "memberCount": 1,
         "roles": [{"id": guild, "guildID": guild, "name": "@everyone", "color": 0,
                    "position": 0, "permissions": 104324673}],
         "channels": [
             {"id": text, "guildID": guild, "type": 0, "position": 0, "name": "general",
              "nsfw": False, "parentID": None},
             {"id": voice, "guildID": guild, "type": 2, "position": 1, "name": "Music",
              "nsfw": False, "userLimit": 0, "parentID": None}],
         "members": [{"id": AUTHOR, "guildID": guild, "nickname": None, "roles": [],
                      "joinedAt": "2018-08-15T12:00:00.000Z", "user": user}]},
        {"type": "voiceState", "guildID": guild, "channelID": voice, "userID": AUTHOR,
         "deaf": False, "mute": False, "selfDeaf": False, "selfMute": False},
    ]


async def main():
    p = parser("A sharder: runs shards, sends cache records and EXECUTE_COMMAND events.")
    add_secret(p, "--secret", "GATEWAY_SECRET", "the gateway secret")
    p.add_argument("--compress", action="store_true",
                   help="ask for zlib-compressed frames from the coordinator")
    p.add_argument("--guild", action="append", default=None,
                   help="a guild the made-up messages come from (repeat; default two guilds)")
    p.add_argument("--count", type=int, default=0,
                   help="send this many commands, then say goodbye and exit (default: forever)")
    p.add_argument("--every", type=float, default=1.0,
                   help="seconds between two commands (default %(default)s)")
    p.add_argument("--heartbeat-ms", type=int, default=None,
                   help="heartbeat period instead of HELLO's (above 1.5 intervals shows the "
                        "coordinator asking for a heartbeat)")
    args = p.parse_args()
    require(p, args, "--secret")
    guilds = args.guild or ["254768930223161344", "81384788765712384"]

    gw = Gateway("sharder", args.url, args.secret, "sharder", compress=args.compress,
                 guilds=len(guilds), heartbeat_ms=args.heartbeat_ms)
    requested, granted = set(), set()
    all_granted = asyncio.Event()

    async def on_event(t, d):
        if t in ("IDENTIFIED", "SHARDS_ASSIGNED"):
            if t == "SHARDS_ASSIGNED":
                log(f"shards assigned: {id_list(gw.shards)}")
            for shard in gw.shards:  # shards we run already need no second Discord identify
                if shard not in requested:
                    requested.add(shard)
                    gw.send_event("IDENTIFY_REQUEST", {"shard": shard})
        elif t == "IDENTIFY_GRANTED":
            granted.add(d["shard"])
            log(f"shard {d['shard']} may identify with Discord now")
        if requested <= granted:
            all_granted.set()
        else:
            all_granted.clear()

    async def work():
        await gw.ready.wait()
        while not gw.shards:  # no shards, no Discord traffic: wait for SHARDS_ASSIGNED
            await asyncio.sleep(0.2)
        for guild in guilds:
            for record in cache_records(guild):
                gw.send({"op": 5, "d": record})
            log(f"cached guild {guild} (1 role, 2 channels, 1 member) and 1 voice state")
        for i in itertools.count(1):
            shards = gw.shards or [0]
            guild = guilds[(i - 1) % len(guilds)]
            command = {"command": COMMANDS[(i - 1) % len(COMMANDS)], "raw": f"example {i}",
                       "ids": {"message": str(479455578708639755 + i), "author": AUTHOR,
                               "channel": str(int(guild) + 1), "guild": guild,
                               "shard": shards[(i - 1) % len(shards)]}}
            gw.send_event("EXECUTE_COMMAND", command)
            total = f"/{args.count}" if args.count else ""
            log(f"sent EXECUTE_COMMAND {i}{total}: {describe_command(command)}")
            if args.count and i == args.count:
                break
            await asyncio.sleep(args.every)
        await all_granted.wait()
        await gw.flush()  # the coordinator has handled every command once this returns
        log(f"sent {args.count} commands, done")

    try:
        await run_until_done(gw, on_event, work())
    except GatewayError as e:
        fail("sharder", str(e))


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
