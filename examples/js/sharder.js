#!/usr/bin/env node
'use strict';
// A sharder: the service that runs the bot's Discord shards (gateway dialect, /gateway).
//
// It identifies as `sharder`, runs the shards the coordinator hands it (IDENTIFIED, later
// SHARDS_ASSIGNED), asks before identifying each shard with Discord (IDENTIFY_REQUEST ->
// IDENTIFY_GRANTED), puts what it sees into the coordinator's cache (op 5) and turns chat
// messages into EXECUTE_COMMAND events for the commands workers. There is no Discord here:
// the guilds, cache records and messages are made up from --guild.
const { Flag, fail, idList, number, logger, options, required, sleep } = require('./common');
const { Gateway, GatewayError, describeCommand, runUntilDone } = require('./gateway');

const USAGE = `usage: sharder.js [--url URL] [--secret SECRET] [--compress] [--guild ID]...
                  [--count N] [--every SECONDS] [--heartbeat-ms MS]
A sharder: runs shards, sends cache records and EXECUTE_COMMAND events.
  --url           the node's HTTP address (env COORDINATOR_URL, default http://127.0.0.1:7700)
  --secret        the gateway secret (env GATEWAY_SECRET; prefer the variable)
  --compress      ask for zlib-compressed frames from the coordinator
  --guild         a guild the made-up messages come from (repeat; default two guilds)
  --count         send this many commands, then say goodbye and exit (default: forever)
  --every         seconds between two commands (default 1)
  --heartbeat-ms  heartbeat period instead of HELLO's (above 1.5 intervals shows the
                  coordinator asking for a heartbeat)`;

const log = logger('sharder');
const COMMANDS = ['ping', 'play', 'skip'];
const AUTHOR = '155112606661607425';

/** Adds two to a snowflake string without losing digits (BigInt). */
const plus = (id, n) => (BigInt(id) + BigInt(n)).toString();

/**
 * A guild as a sharder would cache it on GUILD_CREATE (role, channels, member nested), plus
 * a voice state: the ids are derived from the guild id.
 */
function cacheRecords(guild) {
  const text = plus(guild, 1);
  const voice = plus(guild, 2);
  const user = { id: AUTHOR, username: 'example-user', discriminator: '0001', avatar: null,
    bot: false };
  return [
    { type: 'guild', id: guild, name: `Example guild ${guild}`, icon: null, ownerID: AUTHOR,
      region: 'europe', memberCount: 1,
      roles: [{ id: guild, guildID: guild, name: '@everyone', color: 0, position: 0,
        permissions: 104324673 }],
      channels: [
        { id: text, guildID: guild, type: 0, position: 0, name: 'general', nsfw: false,
          parentID: null },
        { id: voice, guildID: guild, type: 2, position: 1, name: 'Music', nsfw: false,
          userLimit: 0, parentID: null }],
      members: [{ id: AUTHOR, guildID: guild, nickname: null, roles: [],
        joinedAt: '2018-08-15T12:00:00.000Z', user }] },
    { type: 'voiceState', guildID: guild, channelID: voice, userID: AUTHOR, deaf: false,
      mute: false, selfDeaf: false, selfMute: false },
  ];
}

async function main() {
  const args = options(USAGE, {
    secret: { type: 'string' }, compress: { type: 'boolean' },
    guild: { type: 'string', multiple: true }, count: { type: 'string' },
    every: { type: 'string' }, 'heartbeat-ms': { type: 'string' },
  }, { secret: 'GATEWAY_SECRET' });
  required(args, USAGE, 'secret');
  const count = number(args, 'count', USAGE, 0);
  const every = number(args, 'every', USAGE, 1);
  const guilds = args.guild ?? ['254768930223161344', '81384788765712384'];

  const gw = new Gateway('sharder', {
    url: args.url, secret: args.secret, type: 'sharder', compress: Boolean(args.compress),
    guilds: guilds.length, heartbeatMs: number(args, 'heartbeat-ms', USAGE, null),
  });
  const requested = new Set();
  const granted = new Set();
  const allGranted = new Flag();

  async function onEvent(t, d) {
    if (t === 'IDENTIFIED' || t === 'SHARDS_ASSIGNED') {
      if (t === 'SHARDS_ASSIGNED') log(`shards assigned: ${idList(gw.shards)}`);
      for (const shard of gw.shards) { // shards we run already need no second Discord identify
        if (!requested.has(shard)) {
          requested.add(shard);
          gw.sendEvent('IDENTIFY_REQUEST', { shard });
        }
      }
    } else if (t === 'IDENTIFY_GRANTED') {
      granted.add(d.shard);
      log(`shard ${d.shard} may identify with Discord now`);
    }
    if ([...requested].every((shard) => granted.has(shard))) allGranted.set();
    else allGranted.clear();
  }

  async function work() {
    await gw.ready.wait();
    while (!gw.shards.length) await sleep(200); // no shards, no Discord traffic: wait
    for (const guild of guilds) {
      for (const record of cacheRecords(guild)) gw.send({ op: 5, d: record });
      log(`cached guild ${guild} (1 role, 2 channels, 1 member) and 1 voice state`);
    }
    for (let i = 1; ; i++) {
      const shards = gw.shards.length ? gw.shards : [0];
      const guild = guilds[(i - 1) % guilds.length];
      const command = {
        command: COMMANDS[(i - 1) % COMMANDS.length], raw: `example ${i}`,
        ids: { message: plus('479455578708639755', i), author: AUTHOR, channel: plus(guild, 1),
          guild, shard: shards[(i - 1) % shards.length] },
      };
      gw.sendEvent('EXECUTE_COMMAND', command);
      log(`sent EXECUTE_COMMAND ${i}${count ? `/${count}` : ''}: ${describeCommand(command)}`);
      if (count && i === count) break;
      await sleep(every * 1000);
    }
    await allGranted.wait();
    await gw.flush(); // the coordinator has handled every command once this returns
    log(`sent ${count} commands, done`);
  }

  await runUntilDone(gw, onEvent, work);
}

main().catch((e) => fail('sharder', e instanceof GatewayError ? e.message : e.stack));
