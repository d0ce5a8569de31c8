// The first page a newcomer opens, the sign-in page, on a 10 Mbit/s line with 40 ms of
// round trip (Chromium's own network emulation): the bytes that cross the wire, and the
// time until the page is interactive (hydrated), median of five cold loads, each in a
// fresh browser context with an empty cache; then one reload with that cache warm.
import { test, Page } from "@playwright/test";
import { writeFileSync } from "node:fs";

const RUNS = 5;
const LINE = { offline: false, latency: 40, downloadThroughput: 10e6 / 8, uploadThroughput: 10e6 / 8 };

/** Opens `path` on the slow line; answers the bytes received and ms until hydrated. */
async function load(page: Page, path: string): Promise<{ bytes: number; ms: number }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", LINE);
  let bytes = 0;
  cdp.on("Network.loadingFinished", (event) => (bytes += event.encodedDataLength));
  const started = Date.now();
  await page.goto(path);
  await page.locator('.console[data-hydrated="true"]').waitFor();
  const ms = Date.now() - started;
  await page.waitForLoadState("networkidle");
  await cdp.detach();
  return { bytes, ms };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

test("the sign-in page on a slow line", async ({ browser }) => {
  const cold: { bytes: number; ms: number }[] = [];
  let warm = { bytes: 0, ms: 0 };
  for (let run = 0; run < RUNS; run++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    cold.push(await load(page, "/sign-in"));
    if (run === RUNS - 1) warm = await load(page, "/sign-in");
    await context.close();
  }
  const result = {
    cold_bytes: median(cold.map((r) => r.bytes)),
    cold_ms: median(cold.map((r) => r.ms)),
    warm_bytes: warm.bytes,
    warm_ms: warm.ms,
  };
  console.log(JSON.stringify(result));
  if (process.env.BENCH_OUT) writeFileSync(process.env.BENCH_OUT, JSON.stringify(result));
});
