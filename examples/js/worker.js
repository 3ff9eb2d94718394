#!/usr/bin/env node
'use strict';
// A commands worker: runs the commands the sharders see (gateway dialect, /gateway).
//
// It identifies as `commands` and receives EXECUTE_COMMAND events. The coordinator gives each
// command to exactly one connected worker (always the same one for a guild while it stays
// connected) and keeps commands for a while when no worker is connected, so a worker that
// reconnects gets what was sent meanwhile. Running the command is left out: it is printed.
const { Flag, fail, number, logger, options, required } = require('./common');
const { Gateway, GatewayError, describeCommand, runUntilDone } = require('./gateway');

const USAGE = `usage: worker.js [--url URL] [--secret SECRET] [--compress] [--count N]
                 [--heartbeat-ms MS]
A commands worker: receives EXECUTE_COMMAND events.
  --url           the node's HTTP address (env COORDINATOR_URL, default http://127.0.0.1:7700)
  --secret        the gateway secret (env GATEWAY_SECRET; prefer the variable)
  --compress      ask for zlib-compressed frames from the coordinator
  --count         exit after this many commands (default: run until Ctrl-C)
  --heartbeat-ms  heartbeat period instead of HELLO's (above 1.5 intervals shows the
                  coordinator asking for a heartbeat)`;

const log = logger('worker');

async function main() {
  const args = options(USAGE, {
    secret: { type: 'string' }, compress: { type: 'boolean' }, count: { type: 'string' },
    'heartbeat-ms': { type: 'string' },
  }, { secret: 'GATEWAY_SECRET' });
  required(args, USAGE, 'secret');
  const count = number(args, 'count', USAGE, 0);

  const gw = new Gateway('worker', {
    url: args.url, secret: args.secret, type: 'commands', compress: Boolean(args.compress),
    heartbeatMs: number(args, 'heartbeat-ms', USAGE, null),
  });
  let received = 0;
  const done = new Flag();

  async function onEvent(t, d) {
    if (t === 'EXECUTE_COMMAND') {
      received += 1;
      log(`EXECUTE_COMMAND ${received}: ${describeCommand(d)}`);
      if (count && received === count) done.set();
    }
  }

  async function work() {
    await done.wait();
    log(`got ${received} commands, done`);
  }

  await runUntilDone(gw, onEvent, work);
}

main().catch((e) => fail('worker', e instanceof GatewayError ? e.message : e.stack));
