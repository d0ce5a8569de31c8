// Journey: a platform call hangs in the middle of a switchover. The operator abandons the
// step (saying why): it becomes interrupted, not failed, and the execution waits. The
// gateway answers again; the operator retries, the engine asks the platform about the
// hung call by its key, and the switchover finishes with Payments cut exactly once.
import { test, expect, signIn, openHydrated } from "./fixtures";

test.setTimeout(180_000);

test("a hanging call is abandoned, interrupted, and retried without acting twice", async ({ page, consoleErrors }) => {
  await signIn(page, "operator");

  // Every traffic cut hangs from now on.
  await openHydrated(page, "/simulator");
  const form = page.getByRole("form", { name: "Inject fault" });
  await form.getByLabel("Call").selectOption({ label: "Cut traffic" });
  await form.getByLabel("Effect").selectOption({ label: "Hang" });
  await form.getByRole("button", { name: "Inject fault" }).click();
  await expect(page.getByRole("region", { name: "Active faults" }).locator("[data-fault]")).toHaveCount(1);

  await openHydrated(page, "/plans");
  await page.locator('tr[data-plan="Data center power loss"]').getByRole("button", { name: "Execute" }).click();
  const dialog = page.getByRole("dialog", { name: "New execution" });
  await dialog.getByLabel("Failed data center (故障机房)").selectOption({ label: "Shanghai-A" });
  await dialog.getByLabel("Emergency data center (应急机房)").selectOption({ label: "Hangzhou-B" });
  await dialog.getByRole("button", { name: "Create execution" }).click();
  await expect(page).toHaveURL(/\/executions\/\d+$/);
  const url = page.url();
  await page.getByRole("button", { name: "Start", exact: true }).click();
  await page.getByRole("alertdialog", { name: "Confirm start" }).getByRole("button", { name: "Start" }).click();

  const running = page.locator('[data-testid="step-row"][data-status="running"]');
  await expect(running).toHaveCount(1, { timeout: 30_000 });
  await running.getByRole("button", { name: "Abandon" }).click();
  const reason = running.getByRole("form", { name: "Abandon step" });
  // A reason is required, as the server requires it.
  await reason.getByRole("button", { name: "Abandon step" }).click();
  await expect(reason).toContainText("say why");
  await reason.getByLabel("Reason").fill("the gateway does not answer");
  await reason.getByRole("button", { name: "Abandon step" }).click();

  await expect(page.getByTestId("execution-state")).toHaveText("Switchover blocked");
  const interrupted = page.locator('[data-testid="step-row"][data-status="interrupted"]');
  await expect(interrupted).toHaveCount(1);
  await expect(interrupted.getByTestId("step-error")).toContainText("abandoned");

  // The gateway answers again.
  await openHydrated(page, "/simulator");
  await page.getByRole("button", { name: "Clear all" }).click();
  await expect(page.getByRole("region", { name: "Active faults" }).locator("[data-fault]")).toHaveCount(0);

  await openHydrated(page, url);
  await page.locator('[data-testid="step-row"][data-status="interrupted"]').getByRole("button", { name: "Retry" }).click();
  await expect(page.getByTestId("execution-state")).toHaveText("Switchover done", { timeout: 90_000 });

  // The retry asked by the hung call's key: the engine logged it, and the gateway
  // took the cut once.
  await page.getByRole("tab", { name: /Switchover/ }).click();
  const first = page.getByRole("tabpanel").getByTestId("step-row").first();
  await first.getByRole("button", { name: "Expand" }).click();
  await expect(first).toContainText("asking again with the same key");
  await openHydrated(page, "/simulator");
  const calls = page.getByTestId("sim-calls");
  const cutsOfPayments = calls.locator("tr", { hasText: "Cut traffic" }).filter({ hasText: "Payments" });
  // The hung call got no answer and did nothing; the retry, by the same key, acted once.
  await expect(cutsOfPayments.filter({ hasText: "no answer" })).toHaveCount(1);
  await expect(cutsOfPayments.filter({ has: page.getByTestId("acted") })).toHaveCount(1);

  expect(consoleErrors).toEqual([]);
});
