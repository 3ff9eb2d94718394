"""A small client for the coordinator's service gateway (`/gateway`), shared by the sharder,
the commands worker and the dashboard examples.

The protocol, in the order it happens:
  <- HELLO       {op:3, d:{heartbeatInterval}}              never compressed
  -> IDENTIFY    {op:0, d:{type, compress, secret[, shards]}}
  <- IDENTIFIED  {op:2, t:"IDENTIFIED", d:{[sessionId,] [shards]}}
  <> events      {op:2, t, d[, s]}
  -> HEARTBEAT   {op:1, d:{heapUsed[, guilds]}} every heartbeatInterval ms, and at once when the
                 coordinator asks with {op:1, d:{}};  <- HEARTBEAT_ACK {op:4, d:{}}
  -> CACHE       {op:5, d:{type, ...}}
With compress: true every frame after HELLO is a binary frame holding one zlib stream.

A lost connection is reconnected with backoff. Resume (op 6) is used only when the
coordinator's IDENTIFIED carried a sessionId: see resume() below.
"""
import asyncio
import json
import resource
import zlib

import websockets

from common import Backoff, id_list, logger, ws_url

# Closes that another try would only repeat (bad secret, a client bug, or another connection
# took this session over): give up and report instead of reconnecting.
FATAL_CLOSES = {
    4001: "authentication failed, check the secret",
    4002: "already identified",
    4003: "unknown opcode",
    4004: "invalid JSON",
    4005: "invalid payload",
    4006: "not allowed to send this event",
    4010: "session taken over by a newer connection",
}


class GatewayError(Exception):
    pass


def describe_command(d):
    """One line for an EXECUTE_COMMAND's d (the sharder and the worker print the same)."""
    ids = d["ids"]
    return f'{d["command"]} {json.dumps(d["raw"], ensure_ascii=False)} ' \
           f'(guild {ids["guild"]}, shard {ids["shard"]})'


def heap_used():
    """What we report as heapUsed: the process's peak resident memory, in bytes."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class Gateway:
    """One service's gateway connection. run() keeps it connected; send() queues a payload,
    which goes out in order once identified (after a reconnect, on the new connection);
    close() says goodbye (1000), which ends the session on the coordinator."""

    def __init__(self, name, url, secret, service_type, compress=False, guilds=None,
                 heartbeat_ms=None, reconnect=True):
        self.log = logger(name)
        self.url = ws_url(url, "/gateway")
        self.secret = secret
        self.type = service_type
        self.compress = compress
        self.guilds = guilds            # a sharder reports how many guilds it handles
        self.heartbeat_ms = heartbeat_ms  # None: the interval HELLO announces
        self.reconnect = reconnect
        self.ready = asyncio.Event()    # set while identified (or resumed)
        self.shards = []                # a sharder's shards (IDENTIFIED, SHARDS_ASSIGNED)
        self.session_id = None          # from IDENTIFIED; only nodes with resume send one
        self.seq = None                 # the last `s` we processed
        self.ws = None
        self.closing = False
        self.beats_sent = 0             # heartbeats sent and acked on this connection
        self.beats_acked = 0
        self.acked = asyncio.Event()    # pulsed on every HEARTBEAT_ACK
        self._last_was_binary = False
        # What send() queued. Event handlers may send without waiting: during a resume the
        # replayed events come before RESUMED, so a handler waiting to be identified there
        # would wait forever.
        self.outbox = asyncio.Queue()

    # ---- connection loop -----------------------------------------------------------------

    async def run(self, on_event):
        """Connects, and connects again after a loss, until close(). on_event(t, d) gets every
        op 2 event (IDENTIFIED included). Raises GatewayError on a close that retrying would
        only repeat, or on any loss when reconnect is off."""
        backoff = Backoff()
        writer = asyncio.create_task(self._write_outbox())
        try:
            await self._connect_loop(on_event, backoff)
        finally:
            writer.cancel()

    async def _connect_loop(self, on_event, backoff):
        while not self.closing:
            self.log(f"connecting to {self.url}")
            try:
                async with websockets.connect(self.url, max_size=16 * 1024 * 1024) as ws:
                    self.ws = ws
                    await self._session(ws, on_event, backoff)
            except websockets.ConnectionClosed as e:
                code, why = e.code, f"code {e.code}" + (f" {e.reason}" if e.reason else "")
            except (OSError, asyncio.TimeoutError, websockets.InvalidHandshake) as e:
                code, why = None, str(e) or type(e).__name__  # refused, timed out, HTTP 503...
            finally:
                self.ws = None
                self.ready.clear()
            if self.closing:
                return
            if code in FATAL_CLOSES:
                raise GatewayError(f"closed by the coordinator: {why}: {FATAL_CLOSES[code]}")
            if not self.reconnect:
                raise GatewayError(f"connection lost ({why})")
            delay = backoff.delay()
            self.log(f"connection lost ({why}), reconnecting in {delay:g} s")
            await asyncio.sleep(delay)

    async def _session(self, ws, on_event, backoff):
        hello = await self._read(ws)
        if hello.get("op") != 3:
            raise GatewayError(f"expected HELLO, got {hello}")
        interval = hello["d"]["heartbeatInterval"]
        self.log(f"hello, heartbeat every {interval} ms")
        self.beats_sent = self.beats_acked = 0
        beats = asyncio.create_task(self._heartbeats(ws, self.heartbeat_ms or interval))
        try:
            if self.session_id is not None:
                await self.resume(ws)
            else:
                await self.identify(ws)
            while True:
                await self._dispatch(ws, await self._read(ws), on_event, backoff)
        finally:
            beats.cancel()

    async def _dispatch(self, ws, msg, on_event, backoff):
        op = msg.get("op")
        if op == 1:  # the coordinator missed our heartbeat and asks for one: answer at once
            self.log("coordinator asked for a heartbeat")
            await self._heartbeat(ws)
        elif op == 4:
            self.log("heartbeat acked")
            self.beats_acked += 1
            self.acked.set()    # wakes every waiting flush() ...
            self.acked.clear()  # ... and re-arms for the next ack
        elif op == 2:
            t, d = msg.get("t"), msg.get("d")
            if t == "IDENTIFIED":
                self.session_id = d.get("sessionId")
                self.shards = d.get("shards", [])
                zlib_note = " (zlib)" if self._last_was_binary else ""
                what = f"identified as {self.type}"
                if self.session_id is not None:
                    what += f", session {self.session_id}"
                if self.type == "sharder":
                    what += f", shards {id_list(self.shards)}"
                self.log(what + zlib_note)
                backoff.reset()
                self.ready.set()
            elif t == "SHARDS_ASSIGNED":
                self.shards = d["shards"]
            elif t in ("RESUMED", "INVALID_SESSION"):
                await self._resume_answer(ws, t, d, backoff)
            await on_event(t, d)
            if "s" in msg:
                self.seq = msg["s"]

    # ---- identify ------------------------------------------------------------------------

    async def identify(self, ws):
        d = {"type": self.type, "compress": self.compress, "secret": self.secret}
        if self.type == "sharder" and self.shards:
            d["shards"] = self.shards  # after a reconnect: ask for the shards we ran
        await self._send(ws, {"op": 0, "d": d})

    # ---- resume (docs/protocol.md §4.9) ------------------------------------------------------
    # Resume is these two functions; _session() calls resume() instead of identify() on a
    # reconnect, only when IDENTIFIED carried a sessionId (a node without resume sends none,
    # and then every reconnect identifies again), and _dispatch() hands RESUMED and
    # INVALID_SESSION to _resume_answer(). The coordinator replays the events we
    # missed, each with its original `s` (handled like live ones), then sends RESUMED; or it
    # sends INVALID_SESSION and we identify as usual.

    async def resume(self, ws):
        self.log(f"resuming session {self.session_id} after s={self.seq}")
        await self._send(ws, {"op": 6, "d": {"sessionId": self.session_id,
                                             "seq": self.seq or 0, "secret": self.secret}})

    async def _resume_answer(self, ws, t, d, backoff):
        if t == "RESUMED":
            self.log(f"resumed, {d.get('replayed', 0)} missed events replayed")
            backoff.reset()
            self.ready.set()
        else:
            self.log("session could not be resumed, identifying")
            self.session_id, self.seq = None, None
            await self.identify(ws)

    # ---- heartbeats --------------------------------------------------------------------

    async def _heartbeats(self, ws, every_ms):
        while True:
            await asyncio.sleep(every_ms / 1000)
            await self._heartbeat(ws)

    async def _heartbeat(self, ws):
        d = {"heapUsed": heap_used()}
        if self.guilds is not None:
            d["guilds"] = self.guilds
        await self._send(ws, {"op": 1, "d": d})
        self.beats_sent += 1

    async def flush(self):
        """Waits until everything queued is sent, then sends a heartbeat and waits for its ack:
        the coordinator, which handles a session's frames in order, has then handled it all."""
        await self.outbox.join()
        await self.ready.wait()
        await self._heartbeat(self.ws)
        mine = self.beats_sent  # acks come in the order of the heartbeats
        while self.beats_acked < mine:
            await self.acked.wait()

    # ---- frames ------------------------------------------------------------------------

    async def _read(self, ws):
        frame = await ws.recv()
        self._last_was_binary = isinstance(frame, bytes)
        if self._last_was_binary:  # compress: true, one zlib stream per message
            frame = zlib.decompress(frame)
        return json.loads(frame)

    async def _send(self, ws, payload):
        await ws.send(json.dumps(payload))

    def send(self, payload):
        """Queues a payload: it goes out in order once identified."""
        self.outbox.put_nowait(payload)

    def send_event(self, t, d):
        self.send({"op": 2, "t": t, "d": d})

    async def _write_outbox(self):
        while True:
            payload = await self.outbox.get()
            while True:  # a payload the connection lost goes out on the next one
                await self.ready.wait()
                try:
                    await self._send(self.ws, payload)
                    break
                except (websockets.ConnectionClosed, AttributeError):
                    await asyncio.sleep(0.1)
            self.outbox.task_done()

    async def close(self):
        self.closing = True
        if self.ws is not None:
            await self.ws.close(1000, "bye")


async def run_until_done(gateway, on_event, work):
    """Runs the connection and `work` together: returns when work is done (after a goodbye
    close), raises GatewayError when the connection gives up first."""
    runner = asyncio.create_task(gateway.run(on_event))
    job = asyncio.create_task(work)
    done, _ = await asyncio.wait({runner, job}, return_when=asyncio.FIRST_COMPLETED)
    if job in done:
        await gateway.close()
        await runner
        job.result()
    else:
        job.cancel()
        runner.result()
