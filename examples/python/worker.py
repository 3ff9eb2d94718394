#!/usr/bin/python3
"""A commands worker: runs the commands the sharders see (gateway dialect, /gateway).

It identifies as `commands` and receives EXECUTE_COMMAND events. The coordinator gives each
command to exactly one connected worker (always the same one for a guild while it stays
connected) and keeps commands for a while when no worker is connected, so a worker that
reconnects gets what was sent meanwhile. Running the command is left out: it is printed.
"""
import asyncio

from common import add_secret, fail, logger, parser, require
from gateway import Gateway, GatewayError, describe_command, run_until_done

log = logger("worker")


async def main():
    p = parser("A commands worker: receives EXECUTE_COMMAND events.")
    add_secret(p, "--secret", "GATEWAY_SECRET", "the gateway secret")
    p.add_argument("--compress", action="store_true",
                   help="ask for zlib-compressed frames from the coordinator")
    p.add_argument("--count", type=int, default=0,
                   help="exit after this many commands (default: run until Ctrl-C)")
    p.add_argument("--heartbeat-ms", type=int, default=None,
                   help="heartbeat period instead of HELLO's (above 1.5 intervals shows the "
                        "coordinator asking for a heartbeat)")
    args = p.parse_args()
    require(p, args, "--secret")

    gw = Gateway("worker", args.url, args.secret, "commands", compress=args.compress,
                 heartbeat_ms=args.heartbeat_ms)
    received = 0
    done = asyncio.Event()

    async def on_event(t, d):
        nonlocal received
        if t == "EXECUTE_COMMAND":
            received += 1
            log(f"EXECUTE_COMMAND {received}: {describe_command(d)}")
            if args.count and received == args.count:
                done.set()

    async def work():
        await done.wait()
        log(f"got {received} commands, done")

    try:
        await run_until_done(gw, on_event, work())
    except GatewayError as e:
        fail("worker", str(e))


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
