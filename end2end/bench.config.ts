// Page timings for `make bench` (scripts/bench.sh): a Switchyard is already listening at
// BENCH_BASE_URL; the bench opens its first page in Chromium on a slow line and writes
// what it measured to BENCH_OUT. It measures; it asserts no timing.
import { defineConfig } from "@playwright/test";
import { chromium } from "./browser";

const baseURL = process.env.BENCH_BASE_URL;
if (!baseURL) throw new Error("BENCH_BASE_URL is not set: run make bench");

export default defineConfig({
  testDir: "./bench",
  workers: 1,
  retries: 0,
  timeout: 120_000,
  reporter: [["line"]],
  use: { baseURL, ...chromium },
});
