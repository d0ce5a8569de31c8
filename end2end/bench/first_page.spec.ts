// First pages on a 10 Mbit/s line with 40 ms of round trip (Chromium's own network
// emulation): the bytes that cross the wire, and the time until the page is interactive
// (hydrated, its lazily loaded code shown), and the number of requests, median of five
// cold loads, each in a fresh
// browser context with an empty cache; then one reload with that cache warm.
// The pages: the sign-in page a newcomer opens, and two an operator with a session opens
// first: the plans, and the 200-step execution `make bench` ran (BENCH_EXECUTION), signed
// in with the session in BENCH_COOKIE.
import { test, Page, BrowserContext } from "@playwright/test";
import { writeFileSync } from "node:fs";

const RUNS = 5;
const LINE = { offline: false, latency: 40, downloadThroughput: 10e6 / 8, uploadThroughput: 10e6 / 8 };
const PAGES = [
  { name: "sign_in", path: "/sign-in", signedIn: false },
  { name: "plans", path: "/plans", signedIn: true },
  { name: "execution", path: `/executions/${process.env.BENCH_EXECUTION}`, signedIn: true },
];

type Load = { bytes: number; ms: number; requests: number };

/** Opens `path` on the slow line: the bytes received, ms until interactive, requests. */
async function load(page: Page, path: string): Promise<Load> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", LINE);
  let bytes = 0;
  let requests = 0;
  cdp.on("Network.loadingFinished", (event) => {
    bytes += event.encodedDataLength;
    requests += 1;
  });
  const started = Date.now();
  await page.goto(path);
  await page.locator('.console[data-hydrated="true"]').waitFor();
  const ms = Date.now() - started;
  await page.waitForLoadState("networkidle");
  await cdp.detach();
  return { bytes, ms, requests };
}

/** Gives the context the bench operator's session ("name=value; name=value"). */
async function signIn(context: BrowserContext, baseURL: string) {
  const cookies = (process.env.BENCH_COOKIE ?? "").split("; ").filter(Boolean).map((pair) => {
    const at = pair.indexOf("=");
    return { name: pair.slice(0, at), value: pair.slice(at + 1), url: baseURL };
  });
  if (cookies.length === 0) throw new Error("BENCH_COOKIE is not set: run make bench");
  await context.addCookies(cookies);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

test("first pages on a slow line", async ({ browser, baseURL }) => {
  const results: Record<string, object> = {};
  for (const { name, path, signedIn } of PAGES) {
    const cold: Load[] = [];
    let warm: Load = { bytes: 0, ms: 0, requests: 0 };
    for (let run = 0; run < RUNS; run++) {
      const context = await browser.newContext();
      if (signedIn) await signIn(context, baseURL!);
      const page = await context.newPage();
      cold.push(await load(page, path));
      if (run === RUNS - 1) warm = await load(page, path);
      await context.close();
    }
    results[name] = {
      cold_bytes: median(cold.map((r) => r.bytes)),
      cold_ms: median(cold.map((r) => r.ms)),
      cold_requests: median(cold.map((r) => r.requests)),
      warm_bytes: warm.bytes,
      warm_ms: warm.ms,
    };
  }
  console.log(JSON.stringify(results));
  if (process.env.BENCH_OUT) writeFileSync(process.env.BENCH_OUT, JSON.stringify(results));
});
