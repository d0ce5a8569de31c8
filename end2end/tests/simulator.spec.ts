// Journey: rehearsing a failure. An operator makes the simulated platform fail the next
// restarts in one data center, sees the fault listed, and clears it; an auditor watches
// the same page and can change nothing.
import { test, expect, signIn, openHydrated } from "./fixtures";

test("an operator injects a fault through the form and clears it", async ({ page, consoleErrors }) => {
  await signIn(page, "operator");
  await openHydrated(page, "/simulator");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Simulator");
  await expect(page.getByTestId("sim-clusters").locator('tr[data-cluster="payments-db"]')).toContainText("Shanghai-A");
  const faults = page.getByRole("region", { name: "Active faults" });
  await expect(faults.locator("[data-fault]")).toHaveCount(0);

  const form = page.getByRole("form", { name: "Inject fault" });
  // The form checks what the server checks, before sending.
  await form.getByLabel("Effect").selectOption({ label: "Slow down" });
  await form.getByRole("button", { name: "Inject fault" }).click();
  await expect(form.locator('[data-field="delay_ms"]')).toContainText("delay_ms between 1 and");

  await form.getByLabel("Call").selectOption({ label: "Restart application" });
  await form.getByLabel("Data center").selectOption("Hangzhou-B");
  await form.getByLabel("Effect").selectOption({ label: "Fail" });
  await form.getByLabel("Times").fill("2");
  await form.getByRole("button", { name: "Inject fault" }).click();

  const row = faults.locator("[data-fault]");
  await expect(row).toHaveCount(1);
  await expect(row).toContainText("Fail: Restart application in Hangzhou-B");
  await expect(row.locator("td").nth(2)).toHaveText("2");
  await expect(form.getByRole("status")).toContainText("Injected fault #");

  await row.getByRole("button", { name: /^Clear fault/ }).click();
  await expect(faults.locator("[data-fault]")).toHaveCount(0);
  await expect(faults).toContainText("No fault is active");
  expect(consoleErrors).toEqual([]);
});

test("an auditor sees the simulator but no controls", async ({ page }) => {
  await signIn(page, "auditor");
  await openHydrated(page, "/simulator");
  await expect(page.getByRole("region", { name: "Active faults" })).toBeVisible();
  await expect(page.getByTestId("sim-applications").locator('tr[data-application="ledger"] .badge')).toHaveCount(3);
  await expect(page.getByRole("form", { name: "Inject fault" })).toHaveCount(0);
  await expect(page.getByRole("form", { name: "Set timing" })).toHaveCount(0);
  await expect(page.getByRole("main").getByRole("button", { name: /Reset|Clear|Inject/ })).toHaveCount(0);
});
