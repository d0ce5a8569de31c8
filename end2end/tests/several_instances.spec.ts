// Journey: two instances share one database. The operator starts a run on instance A,
// then watches it from instance B (as from the other data center): the page there follows
// A's run live, and its Pause reaches A, which stops after the running step.
import { test, expect, signIn, hydrated, DEMO_PASSWORD } from "./fixtures";
import { ChildProcess, spawn } from "node:child_process";
import net from "node:net";
import { releaseServerEnv } from "../browser";
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
    env: { ...process.env, ...releaseServerEnv(port, "e2e-b", false) },
  });
  await expect(async () => {
    expect((await fetch(`${B}/readyz`)).ok).toBe(true);
  }).toPass({ timeout: 60_000 });
});

test.afterAll(async () => {
  instanceB?.kill("SIGTERM");
});

test("a run driven by one instance is watched live and paused from another", async ({ page, playwright, consoleErrors }) => {
  // Signed in on A; the session is good on B too (one secret key, one cookie host).
  await signIn(page, "operator");
  const api = async (path: string, data: object, request = page.request) => {
    const response = await request.post(`${A}/api/${path}`, { data });
    expect(response.ok(), `${path}: ${await response.text()}`).toBe(true);
    return response.json();
  };

  // A plan of its own, of two waits (no platform acts, so no other journey sees it):
  // written by the operator, approved by the reviewer.
  const reviewer = await playwright.request.newContext();
  await api("auth/sign_in", { username: "reviewer", password: DEMO_PASSWORD }, reviewer);
  const steps = [{ opcode: "wait", params: { seconds: 6 } }, { opcode: "wait", params: { seconds: 6 } }];
  let plan = (await api("plans/create", { content: { name: "Two waits", description: "", switchover: steps, recovery: [] } })).plan;
  plan = (await api("plans/submit", { id: plan.id, revision: plan.revision })).plan;
  await api("plans/approve", { id: plan.id, revision: plan.revision, comment: "" }, reviewer);
  const centers = await api("data_centers/list", {});
  const named = (name: string) => centers.find((c: { name: string }) => c.name === name).id;

  // Started on A, which drives it.
  const created = await api("executions/create", {
    new: { plan_id: plan.id, failed: named("Shanghai-A"), emergency: named("Hangzhou-B"), description: "two instances" },
  });
  const id = created.summary.id;
  await api("executions/start", { id });
  await expect(async () => {
    const cluster = await api("cluster/list", {});
    const a = cluster.instances.find((i: { identity: { name: string } }) => i.identity.name === "e2e-a");
    expect(a.executions_owned).toBe(1);
  }).toPass({ timeout: 20_000 });

  // On B, the same execution, live: the running step shows as A runs it.
  await page.goto(`${B}/executions/${id}`);
  await hydrated(page);
  await expect(page.getByTestId("served-by")).toContainText("e2e-b");
  const rows = page.getByRole("tabpanel").getByTestId("step-row");
  await expect(rows.first()).toHaveAttribute("data-status", "running", { timeout: 20_000 });

  // Paused from B: A ends the running step and starts no other.
  await page.getByRole("button", { name: "Pause", exact: true }).click();
  await expect(page.getByTestId("execution-state")).toHaveText("Switchover paused");
  await expect(rows.first()).toHaveAttribute("data-status", "succeeded", { timeout: 30_000 });
  await expect(rows.nth(1)).toHaveAttribute("data-status", "pending");

  // The run ends here; the plan is left to nobody.
  await api("executions/cancel", { id, reason: "journey over" });
  await reviewer.dispose();

  expect(consoleErrors).toEqual([]);
});
