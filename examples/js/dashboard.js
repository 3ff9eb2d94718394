#!/usr/bin/env node
'use strict';
// A dashboard service that changes a guild's settings, in one of two ways:
//
// --via api (default): the admin API, with `Authorization: Bearer <admin.token>`
//     PATCH /api/v1/guilds/{id}/settings  {prefix?, djRoleId?, voiceChannelId?, musicChannelId?}
//     PUT   /api/v1/guilds/{id}/music     {enable}
//   each answers with the guild's settings once the change is stored.
// --via gateway: a `dashboard` session on the service gateway (/gateway)
//     GUILD_SETTINGS_UPDATE {guildId, ...changed fields}, MUSIC_COMMAND_UPDATE {guildId, enable}
//   the coordinator stores the change, then sends the event to every sharder, commands and
//   dashboard session (this one too: that echo is the confirmation).
// Either way every companion shard gets op 2 (settings) or op 3 (music command).
const { Flag, fail, logger, options, required } = require('./common');
const { Gateway, GatewayError, runUntilDone } = require('./gateway');

const USAGE = `usage: dashboard.js [--url URL] [--via api|gateway] [--token TOKEN] [--secret SECRET]
                    --guild ID [--prefix P] [--dj-role ID] [--voice-channel ID]
                    [--music-channel ID] [--music on|off]
Changes a guild's settings through the admin API or the service gateway.
  --url            the node's HTTP address (env COORDINATOR_URL, default http://127.0.0.1:7700)
  --via            admin API (needs --token, the default) or a dashboard gateway session (--secret)
  --token          the admin token, for --via api (env ADMIN_TOKEN; prefer the variable)
  --secret         the gateway secret, for --via gateway (env GATEWAY_SECRET; prefer the variable)
  --guild          the guild to change
  --prefix         the new command prefix
  --dj-role        the DJ role id (0: none)
  --voice-channel  the voice channel id (0: none)
  --music-channel  the music channel id (0: none)
  --music          enable or disable the music command`;

const log = logger('dashboard');

function describe(s) {
  let text = `prefix ${JSON.stringify(s.prefix)}, dj role ${s.djRoleId}, `
    + `voice channel ${s.voiceChannelId}, music channel ${s.musicChannelId}`;
  if (s.musicEnabled !== undefined) text += `, music ${s.musicEnabled ? 'enabled' : 'disabled'}`;
  return text;
}

async function adminRequest(args, method, path, body) {
  let answer;
  try {
    answer = await fetch(args.url.replace(/\/+$/, '') + path, {
      method,
      headers: { Authorization: `Bearer ${args.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10000),
    });
  } catch (e) {
    fail('dashboard', `${method} ${path}: ${e.cause?.message ?? e.message}`);
  }
  if (!answer.ok) fail('dashboard', `${method} ${path} -> ${answer.status} ${await answer.text()}`);
  log(`${method} ${path} ${JSON.stringify(body)} -> ${answer.status}`);
  return answer.json();
}

async function viaApi(args, changes) {
  let settings;
  if (Object.keys(changes).length) {
    settings = await adminRequest(args, 'PATCH', `/api/v1/guilds/${args.guild}/settings`, changes);
  }
  if (args.music !== undefined) {
    settings = await adminRequest(args, 'PUT', `/api/v1/guilds/${args.guild}/music`,
      { enable: args.music === 'on' });
  }
  log(`guild ${settings.guildId} now: ${describe(settings)}`);
}

async function viaGateway(args, changes) {
  const gw = new Gateway('dashboard', {
    url: args.url, secret: args.secret, type: 'dashboard', reconnect: false,
  });
  const waiting = new Set(); // the events whose echo (the confirmation) has not come yet
  const confirmed = new Flag();

  async function onEvent(t, d) {
    if (waiting.has(t) && d.guildId === args.guild) {
      waiting.delete(t);
      if (t === 'GUILD_SETTINGS_UPDATE') log(`stored: guild ${d.guildId} now: ${describe(d)}`);
      else log(`stored: music command ${d.enable ? 'enabled' : 'disabled'} in guild ${d.guildId}`);
      if (!waiting.size) confirmed.set();
    }
  }

  async function work() {
    await gw.ready.wait();
    const settings = Object.keys(changes).length > 0;
    if (settings) waiting.add('GUILD_SETTINGS_UPDATE');
    if (args.music !== undefined) waiting.add('MUSIC_COMMAND_UPDATE');
    if (settings) {
      const d = { guildId: args.guild, ...changes };
      gw.sendEvent('GUILD_SETTINGS_UPDATE', d);
      log(`sent GUILD_SETTINGS_UPDATE ${JSON.stringify(d)}`);
    }
    if (args.music !== undefined) {
      const d = { guildId: args.guild, enable: args.music === 'on' };
      gw.sendEvent('MUSIC_COMMAND_UPDATE', d);
      log(`sent MUSIC_COMMAND_UPDATE ${JSON.stringify(d)}`);
    }
    await confirmed.wait();
  }

  await runUntilDone(gw, onEvent, work);
}

async function main() {
  const args = options(USAGE, {
    via: { type: 'string' }, token: { type: 'string' }, secret: { type: 'string' },
    guild: { type: 'string' }, prefix: { type: 'string' }, 'dj-role': { type: 'string' },
    'voice-channel': { type: 'string' }, 'music-channel': { type: 'string' },
    music: { type: 'string' },
  }, { token: 'ADMIN_TOKEN', secret: 'GATEWAY_SECRET' });
  args.via ??= 'api';
  const usage = (text) => {
    console.error(`${text}\n\n${USAGE}`);
    process.exit(2);
  };
  if (!['api', 'gateway'].includes(args.via)) usage('--via is api or gateway');
  if (args.music !== undefined && !['on', 'off'].includes(args.music)) {
    usage('--music is on or off');
  }
  required(args, USAGE, 'guild', args.via === 'api' ? 'token' : 'secret');
  const changes = {};
  for (const [field, option] of [['prefix', 'prefix'], ['djRoleId', 'dj-role'],
    ['voiceChannelId', 'voice-channel'], ['musicChannelId', 'music-channel']]) {
    if (args[option] !== undefined) changes[field] = args[option];
  }
  if (!Object.keys(changes).length && args.music === undefined) {
    usage('nothing to change: give --prefix, --dj-role, --voice-channel, --music-channel '
      + 'or --music');
  }
  if (args.via === 'api') await viaApi(args, changes);
  else await viaGateway(args, changes);
}

main().catch((e) => fail('dashboard', e instanceof GatewayError ? e.message : e.stack));
