#!/usr/bin/python3
"""A dashboard service that changes a guild's settings, in one of two ways:

--via api (default): the admin API, with `Authorization: Bearer <admin.token>`
    PATCH /api/v1/guilds/{id}/settings  {prefix?, djRoleId?, voiceChannelId?, musicChannelId?}
    PUT   /api/v1/guilds/{id}/music     {enable}
  each answers with the guild's settings once the change is stored.
--via gateway: a `dashboard` session on the service gateway (/gateway)
    GUILD_SETTINGS_UPDATE {guildId, ...changed fields}, MUSIC_COMMAND_UPDATE {guildId, enable}
  the coordinator stores the change, then sends the event to every sharder, commands and
  dashboard session (this one too: that echo is the confirmation).
Either way every companion shard gets op 2 (settings) or op 3 (music command).
"""
import asyncio
import json
import urllib.error
import urllib.request

from common import add_secret, compact, fail, logger, parser, quoted, require
from gateway import Gateway, GatewayError, run_until_done

log = logger("dashboard")


def describe(s):
    text = (f'prefix {quoted(s["prefix"])}, dj role {s["djRoleId"]}, '
            f'voice channel {s["voiceChannelId"]}, music channel {s["musicChannelId"]}')
    if "musicEnabled" in s:
        text += ", music " + ("enabled" if s["musicEnabled"] else "disabled")
    return text


def admin_request(args, method, path, body):
    """One admin API call (urllib runs it; run it in a thread to keep an event loop free)."""
    req = urllib.request.Request(args.url.rstrip("/") + path, method=method,
                                 data=json.dumps(body).encode(),
                                 headers={"Authorization": f"Bearer {args.token}",
                                          "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as answer:
            log(f"{method} {path} {compact(body)} -> {answer.status}")
            return json.load(answer)
    except urllib.error.HTTPError as e:
        fail("dashboard", f"{method} {path} -> {e.code} {e.read().decode(errors='replace')}")
    except OSError as e:
        fail("dashboard", f"{method} {path}: {e}")


def via_api(args, changes):
    settings = None
    if changes:
        settings = admin_request(args, "PATCH", f"/api/v1/guilds/{args.guild}/settings", changes)
    if args.music is not None:
        settings = admin_request(args, "PUT", f"/api/v1/guilds/{args.guild}/music",
                                 {"enable": args.music == "on"})
    log(f"guild {settings['guildId']} now: {describe(settings)}")


async def via_gateway(args, changes):
    gw = Gateway("dashboard", args.url, args.secret, "dashboard", reconnect=False)
    waiting = set()  # the events whose echo (the confirmation) has not come yet
    confirmed = asyncio.Event()

    async def on_event(t, d):
        if t in waiting and d.get("guildId") == args.guild:
            waiting.discard(t)
            if t == "GUILD_SETTINGS_UPDATE":
                log(f"stored: guild {d['guildId']} now: {describe(d)}")
            else:
                log(f"stored: music command {'enabled' if d['enable'] else 'disabled'} "
                    f"in guild {d['guildId']}")
            if not waiting:
                confirmed.set()

    async def work():
        await gw.ready.wait()
        if changes:
            waiting.add("GUILD_SETTINGS_UPDATE")
        if args.music is not None:
            waiting.add("MUSIC_COMMAND_UPDATE")
        if changes:
            d = {"guildId": args.guild, **changes}
            gw.send_event("GUILD_SETTINGS_UPDATE", d)
            log(f"sent GUILD_SETTINGS_UPDATE {compact(d)}")
        if args.music is not None:
            d = {"guildId": args.guild, "enable": args.music == "on"}
            gw.send_event("MUSIC_COMMAND_UPDATE", d)
            log(f"sent MUSIC_COMMAND_UPDATE {compact(d)}")
        await confirmed.wait()

    try:
        await run_until_done(gw, on_event, work())
    except GatewayError as e:
        fail("dashboard", str(e))


def main():
    p = parser("Changes a guild's settings through the admin API or the service gateway.")
    p.add_argument("--via", choices=["api", "gateway"], default="api",
                   help="admin API (needs --token) or a dashboard gateway session (--secret)")
    add_secret(p, "--token", "ADMIN_TOKEN", "the admin token, for --via api")
    add_secret(p, "--secret", "GATEWAY_SECRET", "the gateway secret, for --via gateway")
    p.add_argument("--guild", required=True, help="the guild to change")
    p.add_argument("--prefix", help="the new command prefix")
    p.add_argument("--dj-role", help="the DJ role id (0: none)")
    p.add_argument("--voice-channel", help="the voice channel id (0: none)")
    p.add_argument("--music-channel", help="the music channel id (0: none)")
    p.add_argument("--music", choices=["on", "off"], help="enable or disable the music command")
    args = p.parse_args()
    require(p, args, "--token" if args.via == "api" else "--secret")
    changes = {field: value for field, value in
               [("prefix", args.prefix), ("djRoleId", args.dj_role),
                ("voiceChannelId", args.voice_channel), ("musicChannelId", args.music_channel)]
               if value is not None}
    if not changes and args.music is None:
        p.error("nothing to change: give --prefix, --dj-role, --voice-channel, "
                "--music-channel or --music")
    if args.via == "api":
        via_api(args, changes)
    else:
        asyncio.run(via_gateway(args, changes))


if __name__ == "__main__":
    main()
