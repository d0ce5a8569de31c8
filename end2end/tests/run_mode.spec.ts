// Journey: the database is away. An admin switches the instance to degraded mode (降级模式):
// everyone sees the banner, reading the environment goes on, a configuration change is
// refused saying why; switching back says what the journal wrote into the database.
import { test, expect, signIn, hydrated } from "./fixtures";

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
    await expect(operator.getByTestId("degraded-banner")).toContainText("Configuration changes, new executions and operators' commands are refused");
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
