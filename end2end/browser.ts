// How every Playwright run here drives a browser: Debian's Chromium (Playwright never
// downloads one), headless, with nothing that reaches for the network on its own.
import type { PlaywrightTestConfig } from "@playwright/test";

export const chromium: PlaywrightTestConfig["use"] = {
  trace: "retain-on-failure",
  // Times show in the browser's zone: the journeys read them in UTC, whatever the
  // machine's zone (the language journey opens a browser in Shanghai).
  timezoneId: "UTC",
  locale: "en-US",
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  },
};

/** The release server's settings as instance `instance` on `port` over the journeys'
 * database, with the built-in simulator started (`simulator`) or only named. */
export function releaseServerEnv(port: string | number, instance: string, simulator: boolean) {
  return {
    SWITCHYARD_ADDR: `127.0.0.1:${port}`,
    SWITCHYARD_INSTANCE: instance,
    DATABASE_URL: process.env.E2E_DATABASE_URL ?? "mysql://root@127.0.0.1:3306/switchyard_e2e",
    SWITCHYARD_DEMO: "1",
    // The Simulator page's journey drives the built-in simulator, on a port of its own.
    SWITCHYARD_SIMULATOR: simulator ? "1" : "0",
    SWITCHYARD_SIMULATOR_ADDR: process.env.E2E_SIMULATOR_ADDR ?? "127.0.0.1:3998",
    // Realistic latencies, but no traffic cut waits out its drain time: the journeys
    // would spend minutes on it.
    SWITCHYARD_SIMULATOR_TIMING: "quick",
    // The webhook journey's receiver listens on loopback, which is refused by default.
    SWITCHYARD_HTTP_CALL_ALLOW: "127.0.0.1",
    SWITCHYARD_LOG: "warn",
  };
}
