// SPEC.md §10 in a real browser: Debian's chromium, headless, driven by playwright-core,
// against a coordinator this script starts on 127.0.0.1 (port 0) and stops.
//   node tests/browser/dashboard_test.mjs [BINARY] [SCREENSHOT.png]
// Checks: no console error, no failed or foreign request; a wrong token is told so; the right
// one shows the session counts of /api/v1/stats, follows a companion session opening and
// closing and a sharder identifying; saves a screenshot of the page with live data.
import { resolve } from "node:path";
import { chromium } from "playwright-core";
import { Node, sleep, waitFor } from "./node.mjs";

const root = new URL("../..", import.meta.url).pathname;
const binary = resolve(process.argv[2] ?? `${root}build/release/bin/coordinator`);
const screenshot = resolve(process.argv[3] ?? `${root}build/browser/dashboard.png`);
const chromiumPath = process.env.CHROMIUM ?? "/usr/bin/chromium";

let failures = 0;
function check(ok, what) {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures++;
}

/// A page with every console error, page error, failed or foreign request recorded.
async function watchedPage(browser, origin, viewport) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const problems = [];
  page.on("console", (m) => {
    if (m.type() === "error") problems.push({ kind: "console", text: m.text(), url: m.location().url });
  });
  page.on("pageerror", (e) => problems.push({ kind: "pageerror", text: String(e) }));
  page.on("requestfailed", (r) => problems.push({ kind: "requestfailed", text: `${r.url()} ${r.failure()?.errorText}` }));
  page.on("request", (r) => {
    const url = r.url();
    if (!url.startsWith(origin + "/") && !url.startsWith("data:"))
      problems.push({ kind: "foreign", text: url });
  });
  page.on("response", (r) => {
    if (r.status() >= 400) problems.push({ kind: "http", text: `${r.status()} ${r.url()}`, status: r.status(), url: r.url() });
  });
  return { context, page, problems };
}

const text = (page, sel) => page.locator(sel).textContent();

async function main() {
  const node = await Node.start(binary, root);
  const origin = `http://127.0.0.1:${node.port}`;
  const browser = await chromium.launch({ executablePath: chromiumPath, headless: true });
  try {
    await wrongToken(browser, node, origin);
    await liveData(browser, node, origin);
  } finally {
    await browser.close();
    await node.stop();
  }
}

async function wrongToken(browser, node, origin) {
  const { context, page, problems } = await watchedPage(browser, origin, { width: 1280, height: 800 });
  await page.goto(`${origin}/dashboard`);
  check(await page.locator("#login").isVisible(), "the page asks for the admin token");
  await page.fill("#token", "not-the-token");
  await page.click("#login-form button[type=submit]");
  await page.locator("#login-error").waitFor({ state: "visible", timeout: 10000 });
  const message = await text(page, "#login-error");
  check(/wrong admin token/i.test(message) && message.includes("403"), `a wrong token says so: "${message}"`);
  check(await page.locator("#board").isHidden(), "a wrong token shows no data");
  // The one expected problem: the 403 itself (Chromium also logs it on the console).
  const unexpected = problems.filter((p) => !(p.url?.endsWith("/api/v1/dashboard") && (p.status === 403 || /403/.test(p.text))));
  check(unexpected.length === 0, `wrong token: nothing else failed ${JSON.stringify(unexpected)}`);
  await context.close();
}

async function liveData(browser, node, origin) {
  const { context, page, problems } = await watchedPage(browser, origin, { width: 1440, height: 900 });
  await page.goto(`${origin}/dashboard`);
  await page.fill("#token", node.adminToken);
  await page.click("#login-form button[type=submit]");
  await page.locator("#board").waitFor({ state: "visible", timeout: 10000 });
  check(true, "the right token opens the board");

  const shown = async () => ({
    companion: Number(await text(page, "#sessions-companion")),
    gateway: Number(await text(page, "#sessions-gateway")),
    voice: Number(await text(page, "#sessions-voice")),
  });
  const sameAsStats = async () => {
    const stats = (await node.admin("/api/v1/stats")).sessions;
    const s = await shown();
    return s.companion === stats.companion && s.gateway === stats.gateway && s.voice === stats.voice;
  };
  check(await waitFor(sameAsStats), "session counts equal /api/v1/stats");
  check((await text(page, "#role")) === "single node", "the role says single node");

  // A companion session opens, then closes.
  const companion = await node.companion([1]);
  check(await waitFor(async () => (await shown()).companion === 1), "a companion session shows up");
  check(await waitFor(sameAsStats), "…and the counts still equal /api/v1/stats");
  companion.close();
  check(await waitFor(async () => (await shown()).companion === 0), "a closed companion session goes away");

  // A sharder identifies: the shard table follows.
  const sharder = await node.gateway("sharder");
  check((sharder.identified.shards ?? []).includes(0), "the sharder got shard 0 in IDENTIFIED");
  check(typeof sharder.identified.sessionId === "string", "IDENTIFIED carries a sessionId");
  // The sessionId is opaque (for RESUME); the tables show the session's number, as the admin
  // API does.
  const sid = String((await node.admin("/api/v1/shards")).shards.find((s) => s.shard === 0).session);
  const row = (shard) => page.locator(`#shards tbody tr[data-key="${shard}"]`);
  const owns = async (shard) => ((await row(shard).textContent()) ?? "").includes(sid)
    && ((await row(shard).textContent()) ?? "").includes("owned");
  check(await waitFor(async () => (await row(0).count()) === 1 && owns(0)), `shard 0 is owned by sharder ${sid}`);
  check(await waitFor(async () => ((await text(page, "#services tbody")) ?? "").includes(sid)),
        "the sharder is listed among the services");
  check(await waitFor(async () => (await shown()).gateway === 1 && sameAsStats()), "gateway session counted");

  // Live traffic for the screenshot: music stats, broadcasts, commands, a bad key.
  const players = await node.companion([1, 2]);
  players.send({ op: 5, shardId: 0, playingMusic: 3 });
  players.send({ op: 5, shardId: 1, playingMusic: 1 });
  const worker = await node.gateway("commands");
  await node.badCompanion();
  for (let i = 0; i < 20; i++) {
    // Two identify requests in one bucket: the second waits 5 s, over the screenshot.
    if (i === 16) {
      sharder.send({ op: 2, t: "IDENTIFY_REQUEST", d: { shard: 0 } });
      sharder.send({ op: 2, t: "IDENTIFY_REQUEST", d: { shard: 1 } });
    }
    await node.adminPatch(`/api/v1/guilds/${1 + (i % 2)}/settings`, { prefix: `?${i}` });
    for (let k = 0; k <= i % 5; k++)
      sharder.send({ op: 2, t: "EXECUTE_COMMAND", d: {
        command: "play", raw: "!play x", ids: { message: String(100 + i), author: "5", channel: "6", guild: "1", shard: 0 } } });
    players.send({ op: 2, guildId: 1 });
    await sleep(400);
  }
  check(await waitFor(async () => (await text(page, "#music-playing")) === "4"), "music playing follows op 5");
  check(await waitFor(async () => Number((await text(page, "#commands-routed")).replace(/,/g, "")) > 0), "routed commands counted");
  check(await waitFor(async () => ((await text(page, "#closes tbody")) ?? "").includes("4001")), "closes by code list 4001");
  await sleep(1500);
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(`screenshot: ${screenshot}`);
  await page.setViewportSize({ width: 390, height: 844 });
  await sleep(500);
  const phone = screenshot.replace(/\.png$/, "-phone.png");
  await page.screenshot({ path: phone, fullPage: true });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 0, `on a phone nothing overflows sideways (${overflow}px)`);

  // The sharder leaves: its shards are held for it.
  sharder.close();
  check(await waitFor(async () => ((await row(0).textContent()) ?? "").includes("held")), "a leaving sharder's shard is held");
  players.close();
  worker.close();
  await sleep(1200);
  check(problems.length === 0, `no console error, failed or foreign request ${JSON.stringify(problems)}`);
  await context.close();
}

main().then(() => {
  if (failures) {
    console.error(`browser test: ${failures} check(s) failed`);
    process.exit(1);
  }
  console.log("browser test: passed");
}, (e) => {
  console.error(`browser test: ${e.stack ?? e}`);
  process.exit(1);
});
