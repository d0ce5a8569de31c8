// The startup smoke check (scripts/smoke.sh): a Switchyard started by `make run`'s own
// script is already listening at SMOKE_BASE_URL; this only opens it in Chromium.
import { defineConfig } from "@playwright/test";
import { chromium } from "./browser";

const baseURL = process.env.SMOKE_BASE_URL;
if (!baseURL) throw new Error("SMOKE_BASE_URL is not set: run scripts/smoke.sh");

export default defineConfig({
  testDir: "./smoke",
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [["list"]],
  forbidOnly: !!process.env.CI,
  use: { baseURL, ...chromium },
});
