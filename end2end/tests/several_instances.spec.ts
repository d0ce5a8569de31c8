// Journey: two instances share one database. The operator starts a switchover on
// instance A, then watches it from instance B (as from the other data center): the page
// there follows A's run live, and its Pause reaches A, which stops after the running step.
import { test, expect, signIn, hydrated } from "./fixtures";
import { ChildProcess, spawn } from "node:child_process";
import net from "node:net";
import path from "node:path";

const A = `http://127.0.0.1:${process.env.E2E_PORT ?? "3999"}`;
let B = "";
let instanceB: ChildProcess | undefined;

test.setTimeout(120_000);

// Instance A is the release server every journey uses (instance e2e-a, see
// playwright.config.ts); B is a second one on the same database, for this journey only.
test.beforeAll(async () => {
  const port = await new Promise<number>((resolve) => {
    const probe = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
  B = `http://127.0.0.1:${port}`;
  const root = path.resolve(__dirname, "../..");
  instanceB = spawn(path.join(root, "target/release/server"), [], {
    cwd: root,
    stdio: "inherit",
    env: {
      ...process.env,
      SWITCHYARD_ADDR: `127.0.0.1:${port}`,
      SWITCHYARD_INSTANCE: "e2e-b",
      DATABASE_URL: process.env.E2E_DATABASE_URL ?? "mysql://root@127.0.0.1:3306/switchyard_e2e",
      SWITCHYARD_DEMO: "1",
      SWITCHYARD_SIMULATOR: "0",
      SWITCHYARD_SIMULATOR_ADDR: process.env.E2E_SIMULATOR_ADDR ?? "127.0.0.1:3998",
      SWITCHYARD_LOG: "warn",
    },
  });
  await expect(async () => {
    expect((await fetch(`${B}/readyz`)).ok).toBe(true);
  }).toPass({ timeout: 60_000 });
});

test.afterAll(async () => {
  instanceB?.kill("SIGTERM");
});

test("a run driven by one instance is watched live and paused from another", async ({ page, consoleErrors }) => {
  // Signed in on A; the session is good on B too (one secret key, one cookie host).
  await signIn(page, "operator");

  // The first traffic cut takes 8 s on the platform, so the run is watched mid-step.
  const fault = { spec: { call: "traffic.cut", effect: "slow", times: 1, delay_ms: 8000 } };
  expect((await page.request.post(`${A}/api/simulator/inject_fault`, { data: fault })).ok()).toBe(true);

  await page.goto(`${A}/plans`);
  await hydrated(page);
  await page.locator('tr[data-plan="Data center power loss"]').getByRole("button", { name: "Execute" }).click();
  const dialog = page.getByRole("dialog", { name: "New execution" });
  await dialog.getByLabel("Failed data center (故障机房)").selectOption({ label: "Shanghai-A" });
  await dialog.getByLabel("Emergency data center (应急机房)").selectOption({ label: "Hangzhou-B" });
  await dialog.getByRole("button", { name: "Create execution" }).click();
  await expect(page).toHaveURL(/\/executions\/\d+$/);
  const path = new URL(page.url()).pathname;
  await page.getByRole("button", { name: "Start", exact: true }).click();
  await page.getByRole("alertdialog", { name: "Confirm start" }).getByRole("button", { name: "Start" }).click();

  // Instance A drives it.
  await expect(async () => {
    const cluster = await (await page.request.post(`${A}/api/cluster/list`, { data: {} })).json();
    const a = cluster.instances.find((i: { identity: { name: string } }) => i.identity.name === "e2e-a");
    expect(a.executions_owned).toBe(1);
  }).toPass({ timeout: 20_000 });

  // On B, the same execution, live: the running step shows as A runs it.
  await page.goto(`${B}${path}`);
  await hydrated(page);
  await expect(page.getByTestId("served-by")).toContainText("e2e-b");
  const running = page.locator('[data-testid="step-row"][data-status="running"]');
  await expect(running).toHaveCount(1, { timeout: 20_000 });

  // Paused from B: A ends the running step and starts no other.
  await page.getByRole("button", { name: "Pause", exact: true }).click();
  await expect(page.getByTestId("execution-state")).toHaveText("Switchover paused");
  await expect(running).toHaveCount(0, { timeout: 30_000 });
  const rows = page.getByRole("tabpanel").getByTestId("step-row");
  await expect(rows.first()).toHaveAttribute("data-status", "succeeded");
  await expect(rows.nth(1)).toHaveAttribute("data-status", "pending");

  expect(consoleErrors).toEqual([]);
});
