// End-to-end tests: Playwright drives Debian's Chromium against the release server (the
// build `make run` serves), which it starts itself on a free port over a fresh database.
// `make test` builds it and sets E2E_PORT and E2E_DATABASE_URL; see scripts/test.sh.
import { defineConfig } from "@playwright/test";
import path from "node:path";
import { chromium, releaseServerEnv } from "./browser";

const port = process.env.E2E_PORT ?? "3999";
const baseURL = `http://127.0.0.1:${port}`;
const root = path.resolve(__dirname, "..");

export default defineConfig({
  testDir: "./tests",
  workers: 1,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: [["list"]],
  forbidOnly: !!process.env.CI,
  use: { baseURL, ...chromium },
  webServer: {
    command: path.join(root, "target/release/server"),
    cwd: root,
    url: `${baseURL}/readyz`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: "pipe",
    stderr: "pipe",
    // The several-instances journey starts a second one, e2e-b, beside it.
    env: releaseServerEnv(port, "e2e-a", true),
  },
});
