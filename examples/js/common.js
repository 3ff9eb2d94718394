'use strict';
// Helpers shared by the JavaScript examples: options, endpoint URLs, printing, backoff.
const { parseArgs } = require('node:util');

const DEFAULT_URL = 'http://127.0.0.1:7700';

/**
 * Parses the command line. `spec` is util.parseArgs's `options` (--url and --help are added);
 * `env` maps an option to the environment variable giving its default (secrets: better than
 * argv, which `ps` shows to every user). Exits with the usage on --help or a bad option.
 */
function options(usage, spec, env = {}) {
  let values;
  try {
    ({ values } = parseArgs({
      options: { url: { type: 'string' }, help: { type: 'boolean' }, ...spec },
      strict: true,
    }));
  } catch (e) {
    console.error(`${e.message}\n\n${usage}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  values.url ??= process.env.COORDINATOR_URL || DEFAULT_URL;
  for (const [name, variable] of Object.entries(env)) values[name] ??= process.env[variable];
  return values;
}

/** Exits with the usage unless every named option has a value. */
function required(values, usage, ...names) {
  for (const name of names) {
    if (!values[name]) {
      console.error(`--${name} is required (or its environment variable)\n\n${usage}`);
      process.exit(2);
    }
  }
}

/** A number option, or exit. */
function number(values, name, usage, fallback) {
  if (values[name] === undefined) return fallback;
  const n = Number(values[name]);
  if (!Number.isFinite(n)) {
    console.error(`--${name} must be a number\n\n${usage}`);
    process.exit(2);
  }
  return n;
}

/** ws://host:port/path from the node's http://host:port (https gives wss). */
function wsUrl(base, path) {
  return base.replace(/\/+$/, '').replace(/^http(s?):\/\//, 'ws$1://') + path;
}

function logger(name) {
  return (text) => console.log(`${name}: ${text}`);
}

function fail(name, text) {
  console.error(`${name}: error: ${text}`);
  process.exit(1);
}

function idList(ids) {
  return `[${ids.join(', ')}]`;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Reconnect delays: 1 s, 2 s, 4 s ... up to 30 s; reset() after a good session. */
class Backoff {
  constructor(first = 1, most = 30) {
    this.first = first;
    this.most = most;
    this.next = first;
  }
  delay() {
    const d = this.next;
    this.next = Math.min(this.next * 2, this.most);
    return d;
  }
  reset() {
    this.next = this.first;
  }
}

/** A flag one can wait for (asyncio.Event). */
class Flag {
  constructor() {
    this.isSet = false;
    this.waiters = [];
  }
  set() {
    this.isSet = true;
    for (const wake of this.waiters.splice(0)) wake();
  }
  clear() {
    this.isSet = false;
  }
  wait() {
    return this.isSet ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }
}

/**
 * JSON.parse, except that an number too large for a JavaScript number comes back as a
 * string. The companion dialect writes snowflakes (Discord ids, up to 2^64) as JSON numbers,
 * and JSON.parse would silently round them: 254768930223161344 would become
 * 254768930223161340.
 */
function parseWithBigIds(text) {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') { // copy a string as it is
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      let j = i + 1;
      while (j < text.length && /[0-9eE.+-]/.test(text[j])) j++;
      const number = text.slice(i, j);
      out += /^-?\d+$/.test(number) && !Number.isSafeInteger(Number(number))
        ? `"${number}"` : number;
      i = j - 1;
    } else {
      out += c;
    }
  }
  return JSON.parse(out);
}

module.exports = {
  options, required, number, wsUrl, logger, fail, idList, sleep, Backoff, Flag,
  parseWithBigIds,
};
