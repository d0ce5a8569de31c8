// How every Playwright run here drives a browser: Debian's Chromium (Playwright never
// downloads one), headless, with nothing that reaches for the network on its own.
import type { PlaywrightTestConfig } from "@playwright/test";

export const chromium: PlaywrightTestConfig["use"] = {
  trace: "retain-on-failure",
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
