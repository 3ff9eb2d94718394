#!/usr/bin/env node
'use strict';
// A voice client: the bot's side of a music node connection (voice dialect, /ws).
//
//   header Authorization: <voice.password>     (wrong: FORBIDDEN, then close 4001)
//   <- HELLO {version, heartbeat_interval}     -> HEARTBEAT {d}, echoed as HEARTBEAT_ACK
//   -> IDENTIFY {user_id, shard_id}            <- IDENTIFIED, then RESUMED if voice clients
//                                                 of this bot (and shard) were kept
//   -> DISCORD_EVENT {t, d}: the bot's raw VOICE_STATE_UPDATE and VOICE_SERVER_UPDATE
//                                              <- VC_CREATED {guild_id, id, channel_id}
//   -> getState {guild_id}                     <- getState {id, channel_id, state, options, ...}
//   -> VC_DESTROY {guild_id}                   <- VC_DESTROYED {guild_id}
// With --keep the voice client is left in place: the next run within voice.vc_timeout_s gets
// it back in RESUMED.
const WebSocket = require('ws');
const { fail, logger, number, options, required, wsUrl } = require('./common');

const USAGE = `usage: voice.js [--url URL] [--password PASSWORD] [--user ID] [--shard N]
                [--guild ID] [--channel ID] [--keep]
A voice client: identify, create a voice client, read its state, destroy it.
  --url       the node's HTTP address (env COORDINATOR_URL, default http://127.0.0.1:7700)
  --password  the voice password (env VOICE_PASSWORD; prefer the variable)
  --user      the bot's user id (default 155149108183695360)
  --shard     the bot's shard id (default: none, the session key is the user id)
  --guild     the guild (default 254768930223161344)
  --channel   the voice channel the bot joins (default 254768930223161346)
  --keep      leave the voice client in place (the next run resumes it)`;

const log = logger('voice');

class VoiceError extends Error {}

class Voice {
  constructor(ws) {
    this.ws = ws;
    this.queue = []; // messages not read yet
    this.reader = null; // a waiting next()
    this.closed = null; // why the connection ended
    this.error = null; // the socket's last error
    ws.on('message', (data) => this.push(JSON.parse(data.toString())));
    ws.on('error', (e) => { this.error = e.message; });
    ws.on('close', (code, reason) => {
      this.closed = code === 1006 && this.error ? this.error
        : `connection closed: code ${code}${reason.length ? ` ${reason}` : ''}`;
      this.push(null);
    });
  }

  push(msg) {
    if (this.reader) {
      this.reader(msg);
      this.reader = null;
    } else {
      this.queue.push(msg);
    }
  }

  next() {
    if (this.queue.length) return Promise.resolve(this.queue.shift());
    return new Promise((resolve) => { this.reader = resolve; });
  }

  send(op, d) {
    this.ws.send(JSON.stringify({ op, d }));
  }

  /** Reads until a message with this op, printing everything that comes on the way. */
  async expect(op) {
    for (;;) {
      const msg = await this.next();
      if (msg === null) throw new VoiceError(this.closed);
      this.show(msg);
      if (msg.op === op) return msg.d;
    }
  }

  show({ op, d }) {
    if (d && typeof d === 'object' && d.traceback) {
      throw new VoiceError(`${op} failed: ${JSON.stringify(d.traceback)}`);
    }
    if (op === 'FORBIDDEN') throw new VoiceError(`forbidden: ${d} (check the password)`);
    if (op === 'HELLO') {
      log(`hello from coordinator ${d.version}, heartbeat every ${d.heartbeat_interval} s`);
    } else if (op === 'IDENTIFIED') {
      log(`identified: ${d}`);
    } else if (op === 'RESUMED') {
      // {guild_id: {id, channel}} (discodo's clients read this), or, from a node set to
      // voice.resumed_form = pairs, [[guild_id, channel_id], ...]: read both.
      const kept = d.voice_clients;
      const pairs = Array.isArray(kept) ? kept
        : Object.entries(kept).map(([guild, vc]) => [guild, vc.channel]);
      const clients = pairs.map(([g, c]) => `voice client of guild ${g} in channel ${c}`);
      log(`resumed the session: ${clients.join(', ') || 'no voice clients kept'}`);
    } else if (op === 'HEARTBEAT_ACK') {
      log('heartbeat acked');
    } else if (op === 'VC_CREATED') {
      log(`voice client ${d.id} created in guild ${d.guild_id}, channel ${d.channel_id}`);
    } else if (op === 'VC_CHANNEL_EDITED') {
      log(`voice client of guild ${d.guild_id} moved to channel ${d.channel_id}`);
    } else if (op === 'VC_DESTROYED') {
      log(`voice client of guild ${d.guild_id} destroyed`);
    } else if (op === 'getState') {
      let text = `state of guild ${d.guild_id}: voice client ${d.id}, channel ${d.channel_id}`;
      if (d.state !== undefined) { // the player's fields (a node that plays no audio: stopped)
        text += `, state ${d.state}, queue ${d.remainQueue ?? 0}`;
      }
      log(text);
    }
  }
}

async function run(args) {
  const url = wsUrl(args.url, '/ws');
  log(`connecting to ${url}`);
  const ws = new WebSocket(url, { headers: { Authorization: args.password } });
  const v = new Voice(ws);
  let beats = null;
  try {
    const hello = await v.expect('HELLO');
    const heartbeat = () => v.send('HEARTBEAT', Date.now());
    heartbeat();
    beats = setInterval(heartbeat, hello.heartbeat_interval * 1000);
    v.send('IDENTIFY', { user_id: args.user, shard_id: args.shard });
    await v.expect('IDENTIFIED');
    // The bot joined a voice channel: Discord sent it these two events; forward them.
    v.send('DISCORD_EVENT', { t: 'VOICE_STATE_UPDATE', d: {
      guild_id: args.guild, channel_id: args.channel, user_id: args.user,
      session_id: 'example-session' } });
    v.send('DISCORD_EVENT', { t: 'VOICE_SERVER_UPDATE', d: {
      guild_id: args.guild, token: 'example-token', endpoint: 'example.discord.media:443' } });
    log(`sent VOICE_STATE_UPDATE (guild ${args.guild}, channel ${args.channel}) `
      + 'and VOICE_SERVER_UPDATE');
    // Replies come in order: VC_CREATED (for a new voice client) before this one.
    v.send('getState', { guild_id: args.guild });
    await v.expect('getState');
    if (args.keep) {
      log(`keeping the voice client of guild ${args.guild} for the next run, done`);
    } else {
      v.send('VC_DESTROY', { guild_id: args.guild });
      log(`sent VC_DESTROY for guild ${args.guild}`);
      await v.expect('VC_DESTROYED');
      log('done');
    }
  } finally {
    clearInterval(beats);
  }
  ws.close(1000, 'bye');
}

async function main() {
  const args = options(USAGE, {
    password: { type: 'string' }, user: { type: 'string' }, shard: { type: 'string' },
    guild: { type: 'string' }, channel: { type: 'string' }, keep: { type: 'boolean' },
  }, { password: 'VOICE_PASSWORD' });
  required(args, USAGE, 'password');
  args.user ??= '155149108183695360';
  args.shard = number(args, 'shard', USAGE, null);
  args.guild ??= '254768930223161344';
  args.channel ??= '254768930223161346';
  await run(args);
}

main().catch((e) => fail('voice', e instanceof VoiceError ? e.message : e.stack));
