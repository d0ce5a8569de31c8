// Journey: the database is away. An admin switches the instance to degraded mode (降级模式):
// everyone sees the banner, reading the environment goes on, a configuration change is
// refused saying why; switching back says what the journal wrote into the database.
import { test, expect, signIn, hydrated, openHydrated } from "./fixtures";

test("an admin switches to degraded mode and back, and sees what was written", async ({ page, browser }) => {
  // The operator signs in first: new sign-ins need the database.
  const operatorContext = await browser.newContext();
  const operator = await operatorContext.newPage();
  await signIn(operator, "operator");

  await signIn(page, "admin");
  await page.goto("/settings");
  await hydrated(page);
  const section = page.getByTestId("run-mode");
  await expect(section.getByTestId("run-mode-name")).toContainText("Normal (正常模式)");
  await section.getByRole("button", { name: "Switch to degraded mode" }).click();
  const toDegraded = page.getByRole("alertdialog", { name: "Confirm the switch to degraded mode" });
  await expect(toDegraded).toContainText("stops using the database");
  await toDegraded.getByRole("button", { name: "Switch to degraded mode" }).click();
  try {
    await expect(section.getByTestId("run-mode-name")).toContainText("Degraded (降级模式)");
    await expect(section).toContainText("by admin");
    await expect(page.getByTestId("degraded-banner")).toContainText("Degraded mode (降级模式)");

    await operator.goto("/environment");
    await hydrated(operator);
    await expect(operator.getByTestId("degraded-banner")).toContainText("Configuration changes and new executions are refused");
    await expect(operator.getByTestId("data-centers").locator("tbody tr")).toHaveCount(3);
    const form = operator.getByRole("form", { name: "Data center" });
    await form.getByLabel("Region").fill("South China");
    await form.getByLabel("Data center name").fill("Shenzhen-D");
    await form.getByRole("button", { name: "Create data center" }).click();
    await expect(operator.getByRole("alert")).toContainText("Not possible in degraded mode (降级模式)");
  } finally {
    await page.goto("/settings");
    await hydrated(page);
    await section.getByRole("button", { name: "Switch to normal mode" }).click();
    await page
      .getByRole("alertdialog", { name: "Confirm the switch to normal mode" })
      .getByRole("button", { name: "Switch to normal mode" })
      .click();
    await operatorContext.close();
  }
  await expect(section.getByTestId("run-mode-name")).toContainText("Normal (正常模式)");
  const summary = page.getByTestId("reconcile-summary");
  // The switch to degraded mode and the refused change, audited in the journal meanwhile.
  await expect(summary).toContainText("2 audit entries");
  await expect(summary).toContainText("Nothing was refused.");
  await expect(page.getByTestId("degraded-banner")).toHaveCount(0);
  await expect(section.getByTestId("journal")).toContainText("0 records not yet in the database");
});

// Journey: an execution is blocked when the database goes. The admin switches to degraded
// mode by hand, taking responsibility; the operator retries the failed step and watches the
// switchover finish from memory; switching back writes it all into the database.
test("an execution goes on in degraded mode and reconcile writes what it did", async ({ page, browser }) => {
  test.setTimeout(120_000);
  const operatorContext = await browser.newContext();
  const operator = await operatorContext.newPage();
  await signIn(operator, "operator");
  await signIn(page, "admin");

  // The next traffic cut in Shanghai-A fails.
  await openHydrated(operator, "/simulator");
  const fault = operator.getByRole("form", { name: "Inject fault" });
  await fault.getByLabel("Call").selectOption({ label: "Cut traffic" });
  await fault.getByLabel("Data center").selectOption("Shanghai-A");
  await fault.getByLabel("Effect").selectOption({ label: "Fail" });
  await fault.getByLabel("Times").fill("1");
  await fault.getByRole("button", { name: "Inject fault" }).click();
  await expect(operator.getByRole("region", { name: "Active faults" }).locator("[data-fault]")).toHaveCount(1);

  await openHydrated(operator, "/plans");
  await operator.locator('tr[data-plan="Data center power loss"]').getByRole("button", { name: "Execute" }).click();
  const dialog = operator.getByRole("dialog", { name: "New execution" });
  await dialog.getByLabel("Failed data center (故障机房)").selectOption({ label: "Shanghai-A" });
  await dialog.getByLabel("Emergency data center (应急机房)").selectOption({ label: "Hangzhou-B" });
  await expect(dialog.getByTestId("pre-check").locator("tbody tr").first()).toBeVisible();
  await dialog.getByRole("button", { name: "Create execution" }).click();
  await expect(operator).toHaveURL(/\/executions\/\d+$/);
  const url = operator.url();
  await operator.getByRole("button", { name: "Start", exact: true }).click();
  await operator.getByRole("alertdialog", { name: "Confirm start" }).getByRole("button", { name: "Start" }).click();
  const state = operator.getByTestId("execution-state");
  await expect(state).toHaveText("Switchover blocked", { timeout: 60_000 });

  await page.goto("/settings");
  await hydrated(page);
  const section = page.getByTestId("run-mode");
  await section.getByRole("button", { name: "Switch to degraded mode" }).click();
  await page
    .getByRole("alertdialog", { name: "Confirm the switch to degraded mode" })
    .getByRole("button", { name: "Switch to degraded mode" })
    .click();
  try {
    await expect(section.getByTestId("run-mode-name")).toContainText("Degraded (降级模式)");

    // The execution's page comes from memory, with the banner; the retry runs.
    await openHydrated(operator, url);
    await expect(operator.getByTestId("degraded-banner")).toContainText("can be watched and controlled");
    await expect(state).toHaveText("Switchover blocked");
    const failed = operator.locator('[data-testid="step-row"][data-status="failed"]');
    await failed.getByRole("button", { name: "Retry" }).click();
    await expect(state).toHaveText("Switchover done", { timeout: 60_000 });
  } finally {
    await page.goto("/settings");
    await hydrated(page);
    await section.getByRole("button", { name: "Switch to normal mode" }).click();
    await page
      .getByRole("alertdialog", { name: "Confirm the switch to normal mode" })
      .getByRole("button", { name: "Switch to normal mode" })
      .click();
  }
  await expect(section.getByTestId("run-mode-name")).toContainText("Normal (正常模式)");
  const summary = page.getByTestId("reconcile-summary");
  await expect(summary).toContainText("Nothing was refused.");
  const id = url.split("/").pop();
  await expect(summary).toContainText(`executions touched: #${id}`);

  // The database holds it as it ended.
  await openHydrated(operator, url);
  await expect(operator.getByTestId("degraded-banner")).toHaveCount(0);
  await expect(state).toHaveText("Switchover done");

  // No live execution is left behind for the journeys after this one.
  await operator.getByRole("button", { name: "Cancel execution" }).click();
  await operator
    .getByRole("alertdialog", { name: "Confirm cancellation" })
    .getByRole("button", { name: "Cancel execution" })
    .click();
  await expect(state).toHaveText("Cancelled");
  await operatorContext.close();
});
