#!/usr/bin/env node
'use strict';
// A companion music bot shard (companion dialect, /companion).
//
//   -> {op:1, key, guildIds}                 the handshake, again after every reconnect
//   <- {op:1, supporterIds, guilds:[settings]}
//   <- {op:2, guildId, prefix, djRoleId, voiceChannelId, musicChannelId}   settings changed
//   <- {op:3, guildId, enable}               music command enabled / disabled
//   <- {op:10 | 11, supporterId}             supporter added / removed
//   -> {op:5, key, shardId, playingMusic}    music stats, every --stats-every seconds
// The coordinator also sends websocket pings; the ws library answers them.
// Snowflakes come as JSON numbers here, too big for JavaScript numbers: parseWithBigIds
// reads them as strings.
const WebSocket = require('ws');
const {
  Backoff, fail, logger, number, options, parseWithBigIds, required, sleep, wsUrl,
} = require('./common');

const USAGE = `usage: companion.js [--url URL] [--key KEY] [--guild ID]... [--shard N]
                    [--playing N] [--stats-every SECONDS] [--count N]
A companion bot shard: op 1 handshake, reacts to op 2/3/10/11, sends op 5.
  --url          the node's HTTP address (env COORDINATOR_URL, default http://127.0.0.1:7700)
  --key          the companion key (env COMPANION_KEY; prefer the variable)
  --guild        a guild this shard runs (repeat; default 254768930223161344)
  --shard        this shard's id (default 0)
  --playing      guilds playing music, reported in op 5 (default 0)
  --stats-every  seconds between two op 5 music stats (default 30)
  --count        exit after this many op 2/3/10/11 messages (default: run until Ctrl-C)`;

const log = logger('companion');
const FATAL_CLOSES = {
  4001: 'authentication failed, check the key', 4003: 'unknown opcode',
  4004: 'invalid JSON', 4005: 'invalid payload',
};

function describe(s) {
  return `prefix ${JSON.stringify(s.prefix)}, dj role ${s.djRoleId}, `
    + `voice channel ${s.voiceChannelId}, music channel ${s.musicChannelId}`;
}

class Shard {
  constructor(args) {
    this.args = args;
    this.guilds = new Map(); // guild id (string) -> settings, for the guilds this shard runs
    this.supporters = new Set();
    this.pushed = 0; // op 2/3/10/11 received (for --count)
    this.backoff = new Backoff();
  }

  sendStats(ws) {
    ws.send(JSON.stringify({
      op: 5, key: this.args.key, shardId: this.args.shard, playingMusic: this.args.playing,
    }));
    log(`sent music stats: shard ${this.args.shard}, ${this.args.playing} playing`);
  }

  /** Reacts to one message; true once --count pushed messages have arrived. */
  handle(msg) {
    if (msg.op === 1) {
      this.supporters = new Set(msg.supporterIds.map(String));
      this.guilds = new Map(msg.guilds.map((g) => [String(g.guildId), g]));
      log(`handshake done: ${this.guilds.size} guilds, ${this.supporters.size} supporters`);
      for (const g of msg.guilds) log(`guild ${g.guildId}: ${describe(g)}`);
      this.backoff.reset();
      return false;
    }
    if (msg.op === 2) {
      // Sent to every shard: keep it only for a guild this shard runs.
      const ours = this.guilds.has(String(msg.guildId));
      if (ours) this.guilds.set(String(msg.guildId), msg);
      log(`op 2: guild ${msg.guildId} settings: ${describe(msg)}`
        + (ours ? '' : ' (not ours, ignored)'));
    } else if (msg.op === 3) {
      log(`op 3: music command ${msg.enable ? 'enabled' : 'disabled'} in guild ${msg.guildId}`);
    } else if (msg.op === 10) {
      this.supporters.add(String(msg.supporterId));
      log(`op 10: supporter added: ${msg.supporterId}`);
    } else if (msg.op === 11) {
      this.supporters.delete(String(msg.supporterId));
      log(`op 11: supporter removed: ${msg.supporterId}`);
    } else {
      log(`ignored op ${msg.op}`);
      return false;
    }
    this.pushed += 1;
    return this.args.count > 0 && this.pushed >= this.args.count;
  }

  /**
   * One connection: handshake, then messages until --count is reached ({done: true}) or the
   * connection is lost ({code, why}).
   */
  session(url) {
    return new Promise((resolve) => {
      const ws = new WebSocket(url);
      let stats = null;
      let done = false;
      let error = null;
      ws.on('open', () => {
        // Ids go out as decimal strings, which the coordinator accepts like numbers.
        ws.send(JSON.stringify({ op: 1, key: this.args.key, guildIds: this.args.guild }));
      });
      ws.on('message', (data) => {
        if (done) return;
        const msg = parseWithBigIds(data.toString());
        const finished = this.handle(msg);
        if (msg.op === 1 && stats === null) { // handshaken: report music stats from now on
          this.sendStats(ws);
          stats = setInterval(() => this.sendStats(ws), this.args.statsEvery * 1000);
        }
        if (finished) {
          log(`got ${this.pushed} messages, done`);
          done = true;
          ws.close(1000, 'bye');
        }
      });
      ws.on('error', (e) => { error = e; });
      ws.on('close', (code, reason) => {
        clearInterval(stats);
        const why = code === 1006 && error ? error.message
          : `code ${code}${reason.length ? ` ${reason}` : ''}`;
        resolve({ done, code, why });
      });
    });
  }
}

async function main() {
  const args = options(USAGE, {
    key: { type: 'string' }, guild: { type: 'string', multiple: true },
    shard: { type: 'string' }, playing: { type: 'string' },
    'stats-every': { type: 'string' }, count: { type: 'string' },
  }, { key: 'COMPANION_KEY' });
  required(args, USAGE, 'key');
  args.guild ??= ['254768930223161344'];
  args.shard = number(args, 'shard', USAGE, 0);
  args.playing = number(args, 'playing', USAGE, 0);
  args.statsEvery = number(args, 'stats-every', USAGE, 30);
  args.count = number(args, 'count', USAGE, 0);
  const url = wsUrl(args.url, '/companion');
  const shard = new Shard(args);
  for (;;) {
    log(`connecting to ${url}`);
    const { done, code, why } = await shard.session(url);
    if (done) return;
    if (FATAL_CLOSES[code]) {
      fail('companion', `closed by the coordinator: ${why}: ${FATAL_CLOSES[code]}`);
    }
    const delay = shard.backoff.delay();
    log(`connection lost (${why}), reconnecting in ${delay} s`);
    await sleep(delay * 1000);
  }
}

main().catch((e) => fail('companion', e.stack));
