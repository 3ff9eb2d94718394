'use strict';
// A small client for the coordinator's service gateway (`/gateway`), shared by the sharder,
// the commands worker and the dashboard examples.
//
// The protocol, in the order it happens:
//   <- HELLO       {op:3, d:{heartbeatInterval}}              never compressed
//   -> IDENTIFY    {op:0, d:{type, compress, secret[, shards]}}
//   <- IDENTIFIED  {op:2, t:"IDENTIFIED", d:{[sessionId,] [shards]}}
//   <> events      {op:2, t, d[, s]}
//   -> HEARTBEAT   {op:1, d:{heapUsed[, guilds]}} every heartbeatInterval ms, and at once when
//                  the coordinator asks with {op:1, d:{}};  <- HEARTBEAT_ACK {op:4, d:{}}
//   -> CACHE       {op:5, d:{type, ...}}
// With compress: true every frame after HELLO is a binary frame holding one zlib stream.
//
// A lost connection is reconnected with backoff. Resume (op 6) is used only when the
// coordinator's IDENTIFIED carried a sessionId: see resume() below.
const zlib = require('node:zlib');
const WebSocket = require('ws');
const { Backoff, Flag, idList, logger, sleep, wsUrl } = require('./common');

// Closes that another try would only repeat (bad secret, a client bug, or another connection
// took this session over): give up and report instead of reconnecting.
const FATAL_CLOSES = {
  4001: 'authentication failed, check the secret',
  4002: 'already identified',
  4003: 'unknown opcode',
  4004: 'invalid JSON',
  4005: 'invalid payload',
  4006: 'not allowed to send this event',
  4010: 'session taken over by a newer connection',
};

class GatewayError extends Error {}

/** One line for an EXECUTE_COMMAND's d (the sharder and the worker print the same). */
function describeCommand(d) {
  return `${d.command} ${JSON.stringify(d.raw)} (guild ${d.ids.guild}, shard ${d.ids.shard})`;
}

/**
 * One service's gateway connection. run() keeps it connected; send() queues a payload, which
 * goes out in order once identified (after a reconnect, on the new connection); close() says
 * goodbye (1000), which ends the session on the coordinator.
 */
class Gateway {
  constructor(name, { url, secret, type, compress = false, guilds = null, heartbeatMs = null,
    reconnect = true }) {
    this.log = logger(name);
    this.url = wsUrl(url, '/gateway');
    this.secret = secret;
    this.type = type;
    this.compress = compress;
    this.guilds = guilds; // a sharder reports how many guilds it handles
    this.heartbeatMs = heartbeatMs; // null: the interval HELLO announces
    this.reconnect = reconnect;
    this.ready = new Flag(); // set while identified (or resumed)
    this.shards = []; // a sharder's shards (IDENTIFIED, SHARDS_ASSIGNED)
    this.sessionId = null; // from IDENTIFIED; only nodes with resume send one
    this.seq = null; // the last `s` we processed
    this.ws = null;
    this.closing = false;
    this.beatsSent = 0; // heartbeats sent and acked on this connection
    this.beatsAcked = 0;
    this.acked = new Flag(); // pulsed on every HEARTBEAT_ACK
    // What send() queued. Event handlers may send without waiting: during a resume the
    // replayed events come before RESUMED, so a handler waiting to be identified there would
    // wait forever.
    this.outbox = [];
    this.queued = new Flag(); // set by send()
    this.sent = new Flag(); // pulsed when a queued payload went out
  }

  // ---- connection loop ------------------------------------------------------------------

  /**
   * Connects, and connects again after a loss, until close(). onEvent(t, d) gets every op 2
   * event (IDENTIFIED included). Rejects with a GatewayError on a close that retrying would
   * only repeat, or on any loss when reconnect is off.
   */
  async run(onEvent) {
    const backoff = new Backoff();
    this.writeOutbox();
    while (!this.closing) {
      this.log(`connecting to ${this.url}`);
      const { code, why } = await this.connection(onEvent, backoff);
      if (this.closing) return;
      if (FATAL_CLOSES[code]) {
        throw new GatewayError(`closed by the coordinator: ${why}: ${FATAL_CLOSES[code]}`);
      }
      if (!this.reconnect) throw new GatewayError(`connection lost (${why})`);
      const delay = backoff.delay();
      this.log(`connection lost (${why}), reconnecting in ${delay} s`);
      await sleep(delay * 1000);
    }
  }

  /** One connection; resolves with how it ended. */
  connection(onEvent, backoff) {
    return new Promise((resolve) => {
      const ws = new WebSocket(this.url, { maxPayload: 16 * 1024 * 1024 });
      this.ws = ws;
      this.beatsSent = this.beatsAcked = 0;
      let error = null;
      let handled = Promise.resolve(); // messages are handled one after the other, in order
      ws.on('message', (data, isBinary) => {
        handled = handled.then(() => this.dispatch(ws, data, isBinary, onEvent, backoff))
          .catch((e) => {
            error = e;
            ws.terminate();
          });
      });
      ws.on('error', (e) => { error = e; });
      ws.on('close', (code, reason) => {
        clearInterval(this.beats);
        this.ws = null;
        this.ready.clear();
        const why = code === 1006 && error ? error.message
          : `code ${code}${reason.length ? ` ${reason}` : ''}`;
        resolve({ code, why });
      });
    });
  }

  async dispatch(ws, data, isBinary, onEvent, backoff) {
    // compress: true sends binary frames, one zlib stream per message.
    const msg = JSON.parse(isBinary ? zlib.inflateSync(data) : data.toString());
    if (msg.op === 3) {
      const interval = msg.d.heartbeatInterval;
      this.log(`hello, heartbeat every ${interval} ms`);
      this.beats = setInterval(() => this.heartbeat(ws), this.heartbeatMs || interval);
      if (this.sessionId !== null) await this.resume(ws);
      else await this.identify(ws);
    } else if (msg.op === 1) { // the coordinator missed our heartbeat and asks for one
      this.log('coordinator asked for a heartbeat');
      await this.heartbeat(ws);
    } else if (msg.op === 4) {
      this.log('heartbeat acked');
      this.beatsAcked += 1;
      this.acked.set(); // wakes every waiting flush() ...
      this.acked.clear(); // ... and re-arms for the next ack
    } else if (msg.op === 2) {
      const { t, d } = msg;
      if (t === 'IDENTIFIED') {
        this.sessionId = d.sessionId ?? null;
        this.shards = d.shards ?? [];
        let what = `identified as ${this.type}`;
        if (this.sessionId !== null) what += `, session ${this.sessionId}`;
        if (this.type === 'sharder') what += `, shards ${idList(this.shards)}`;
        this.log(what + (isBinary ? ' (zlib)' : ''));
        backoff.reset();
        this.ready.set();
      } else if (t === 'SHARDS_ASSIGNED') {
        this.shards = d.shards;
      } else if (t === 'RESUMED' || t === 'INVALID_SESSION') {
        await this.resumeAnswer(ws, t, d, backoff);
      }
      await onEvent(t, d);
      if (msg.s !== undefined) this.seq = msg.s;
    }
  }

  // ---- identify -------------------------------------------------------------------------

  async identify(ws) {
    const d = { type: this.type, compress: this.compress, secret: this.secret };
    if (this.type === 'sharder' && this.shards.length) {
      d.shards = this.shards; // after a reconnect: ask for the shards we ran
    }
    await this.sendOn(ws, { op: 0, d });
  }

  // ---- resume (docs/protocol.md §4.9) ---------------------------------------------------------
  // Resume is these two functions; dispatch() calls resume() instead of identify() after
  // HELLO on a reconnect, only when IDENTIFIED carried a sessionId (a node without resume
  // sends none, and then every reconnect identifies again), and hands RESUMED and
  // INVALID_SESSION to resumeAnswer(). The coordinator replays the events we missed, each with
  // its original `s` (handled like live ones), then sends RESUMED; or it sends INVALID_SESSION
  // and we identify as usual.

  async resume(ws) {
    this.log(`resuming session ${this.sessionId} after s=${this.seq}`);
    await this.sendOn(ws, {
      op: 6, d: { sessionId: this.sessionId, seq: this.seq ?? 0, secret: this.secret },
    });
  }

  async resumeAnswer(ws, t, d, backoff) {
    if (t === 'RESUMED') {
      this.log(`resumed, ${d.replayed ?? 0} missed events replayed`);
      backoff.reset();
      this.ready.set();
    } else {
      this.log('session could not be resumed, identifying');
      this.sessionId = null;
      this.seq = null;
      await this.identify(ws);
    }
  }

  // ---- heartbeats -----------------------------------------------------------------------

  async heartbeat(ws) {
    const d = { heapUsed: process.memoryUsage().heapUsed };
    if (this.guilds !== null) d.guilds = this.guilds;
    try {
      await this.sendOn(ws, { op: 1, d });
      this.beatsSent += 1;
    } catch (e) {
      // the connection is going; its close event reconnects
    }
  }

  /**
   * Waits until everything queued is sent, then sends a heartbeat and waits for its ack: the
   * coordinator, which handles a session's frames in order, has then handled it all.
   */
  async flush() {
    while (this.outbox.length) await this.sent.wait();
    await this.ready.wait();
    await this.heartbeat(this.ws);
    const mine = this.beatsSent; // acks come in the order of the heartbeats
    while (this.beatsAcked < mine) await this.acked.wait();
  }

  // ---- frames ---------------------------------------------------------------------------

  sendOn(ws, payload) {
    return new Promise((resolve, reject) => {
      ws.send(JSON.stringify(payload), (e) => (e ? reject(e) : resolve()));
    });
  }

  /** Queues a payload: it goes out in order once identified. */
  send(payload) {
    this.outbox.push(payload);
    this.queued.set();
  }

  sendEvent(t, d) {
    this.send({ op: 2, t, d });
  }

  async writeOutbox() {
    while (!this.closing) {
      if (!this.outbox.length) {
        await this.queued.wait();
        this.queued.clear();
        continue;
      }
      await this.ready.wait();
      try {
        await this.sendOn(this.ws, this.outbox[0]);
        this.outbox.shift();
        this.sent.set(); // wakes a waiting flush() ...
        this.sent.clear(); // ... and re-arms
      } catch (e) {
        await sleep(100); // the connection lost it: it goes out on the next one
      }
    }
  }

  close() {
    this.closing = true;
    if (this.ws) this.ws.close(1000, 'bye');
  }
}

/**
 * Runs the connection and `work` together: resolves when work is done (after a goodbye
 * close), rejects with a GatewayError when the connection gives up first.
 */
async function runUntilDone(gateway, onEvent, work) {
  const runner = gateway.run(onEvent);
  const job = work();
  const first = await Promise.race([runner.then(() => 'runner'), job.then(() => 'job')]);
  if (first === 'job') {
    gateway.close();
    await runner;
  }
}

module.exports = { Gateway, GatewayError, describeCommand, runUntilDone };
