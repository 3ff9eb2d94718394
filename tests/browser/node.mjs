// A coordinator started for the browser test (127.0.0.1, port 0, temporary store) and the
// clients the test drives it with: admin calls, companion and gateway websockets.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import WebSocket from "ws";

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/// Polls `pred` every 100 ms until it holds or `timeoutMs` passes; its last answer.
export async function waitFor(pred, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await pred()) return true;
    } catch {
      // not there yet (an element missing, a request refused)
    }
    if (Date.now() >= deadline) return false;
    await sleep(100);
  }
}

/// The next message of `ws` that `pred` accepts, parsed (earlier ones are skipped); rejects
/// after `timeoutMs`. Reads from the queue open() fills, so nothing that arrived with the
/// upgrade answer is missed.
async function nextMessage(ws, pred, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    while (ws.inbox.length) {
      const m = ws.inbox.shift();
      if (pred(m)) return m;
    }
    if (Date.now() >= deadline) throw new Error("no expected frame");
    await sleep(20);
  }
}

/// A websocket whose messages queue up, parsed, from the first one on.
function open(url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.inbox = [];
    ws.on("message", (data) => ws.inbox.push(JSON.parse(data.toString())));
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
  });
}

export class Node {
  adminToken = "browser-admin-token";
  companionKey = "browser-companion-key";
  gatewaySecret = "browser-gateway-secret";

  /// Starts `binary` and waits (15 s) for its "http+websocket listening on" line.
  static async start(binary, root) {
    const n = new Node();
    n.dir = mkdtempSync(join(tmpdir(), "coordinator-browser-"));
    n.proc = spawn(binary, [
      `--config-file=${root}conf/coordinator.ini`,
      "--coordinator.host=127.0.0.1",
      "--coordinator.port=0",
      "--console.port=0",
      `--store.path=${join(n.dir, "db.sqlite")}`,
      `--admin.token=${n.adminToken}`,
      `--companion.key=${n.companionKey}`,
      `--gateway.secret=${n.gatewaySecret}`,
      "--gateway.shard_count=4",
      "--gateway.sharders=2",
      "--log.level=warn",
    ], { stdio: ["ignore", "pipe", "inherit"] });
    const failed = new Promise((resolve, reject) => n.proc.once("error", reject));
    n.exited = new Promise((resolve) => n.proc.once("exit", resolve));
    n.port = await Promise.race([failed, new Promise((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error(`no listening line: ${out}`)), 15000);
      n.proc.stdout.on("data", (chunk) => {
        out += chunk;
        const m = /http\+websocket listening on [^\s]*:(\d+)/.exec(out);
        if (m) { clearTimeout(timer); resolve(Number(m[1])); }
      });
      n.proc.once("exit", (code) => reject(new Error(`coordinator exited ${code}: ${out}`)));
    })]);
    n.proc.stdout.resume();
    return n;
  }

  /// SIGTERM, then SIGKILL if it has not exited within 10 s; removes the store.
  async stop() {
    if (this.proc.exitCode === null) {
      this.proc.kill("SIGTERM");
      const code = await Promise.race([this.exited, sleep(10000).then(() => "timeout")]);
      if (code === "timeout") this.proc.kill("SIGKILL");
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  async admin(path) {
    const res = await fetch(`http://127.0.0.1:${this.port}${path}`, {
      headers: { Authorization: `Bearer ${this.adminToken}` },
    });
    if (!res.ok) throw new Error(`${path}: ${res.status}`);
    return res.json();
  }

  async adminPatch(path, body) {
    const res = await fetch(`http://127.0.0.1:${this.port}${path}`, {
      method: "PATCH",
      headers: { Authorization: `Bearer ${this.adminToken}`, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${path}: ${res.status}`);
    return res.json();
  }

  /// A companion session after op 1 for `guildIds`; send() adds the key.
  async companion(guildIds) {
    const ws = await open(`ws://127.0.0.1:${this.port}/companion`);
    const key = this.companionKey;
    const send = (o) => ws.send(JSON.stringify({ ...o, key }));
    const reply = nextMessage(ws, (m) => m.op === 1);
    send({ op: 1, guildIds });
    await reply;
    return { send, close: () => ws.close(1000) };
  }

  /// A companion that sends a wrong key and is closed with 4001.
  async badCompanion() {
    const ws = await open(`ws://127.0.0.1:${this.port}/companion`);
    const closed = new Promise((resolve) => ws.once("close", resolve));
    ws.send(JSON.stringify({ op: 1, key: "wrong", guildIds: [1] }));
    return closed;
  }

  /// A gateway service of `type` after HELLO and IDENTIFIED, sending a heartbeat every 10 s.
  async gateway(type) {
    const ws = await open(`ws://127.0.0.1:${this.port}/gateway`);
    const send = (o) => ws.send(JSON.stringify(o));
    await nextMessage(ws, (m) => m.op === 3);
    const identified = nextMessage(ws, (m) => m.op === 2 && m.t === "IDENTIFIED");
    send({ op: 0, d: { type, compress: false, secret: this.gatewaySecret } });
    const d = (await identified).d;
    const beat = () => send({ op: 1, d: type === "sharder" ? { heapUsed: 48 << 20, guilds: 2 } : { heapUsed: 31 << 20 } });
    beat();
    const timer = setInterval(beat, 10000);
    return { identified: d, send, close: () => { clearInterval(timer); ws.close(1000); } };
  }
}
