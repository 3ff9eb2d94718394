// Keeps one headless dashboard open on a running node (bench/dashboard_open.sh):
//   node tests/browser/hold_dashboard.mjs PORT TOKEN SECONDS   (SECONDS 0: until SIGTERM/SIGINT)
// Prints "dashboard open" once the page shows live data, then the number of data polls it
// made when it ends.
import { chromium } from "playwright-core";

const [port, token, seconds = "0"] = process.argv.slice(2);
if (!port || !token) {
  console.error("usage: hold_dashboard.mjs PORT TOKEN [SECONDS]");
  process.exit(2);
}
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium" });
let polls = 0;
let failed = 0;
const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
page.on("response", (r) => {
  if (r.url().endsWith("/api/v1/dashboard")) r.ok() ? polls++ : failed++;
});
await page.goto(`http://127.0.0.1:${port}/dashboard`);
await page.fill("#token", token);
await page.click("#login-form button[type=submit]");
await page.locator("#board").waitFor({ state: "visible", timeout: 15000 });
console.log("dashboard open");

let done;
const finished = new Promise((r) => (done = r));
process.once("SIGTERM", done);
process.once("SIGINT", done);
if (Number(seconds) > 0) setTimeout(done, Number(seconds) * 1000);
await finished;
await browser.close();
console.log(`dashboard closed: polls=${polls} failed=${failed}`);
