// Journey: running a DR plan. An operator executes the power-loss plan from Shanghai-A to
// Hangzhou-B and watches the switchover finish; makes the platform fail the next restart
// through the Simulator page; starts recovery, sees the restart step fail, retries it and
// watches the execution complete. An auditor in another browser watches the same
// execution change live, without reloading, and has no controls.
import { test, expect, signIn, openHydrated } from "./fixtures";
import type { Page } from "@playwright/test";
import { readFileSync } from "node:fs";

test.setTimeout(180_000);

async function state(page: Page) {
  return page.getByTestId("execution-state");
}

test("an operator runs a plan through a failure while an auditor watches live", async ({ page, browser, consoleErrors }) => {
  await signIn(page, "operator");
  await openHydrated(page, "/plans");
  await page.locator('tr[data-plan="Data center power loss"]').getByRole("button", { name: "Execute" }).click();

  const dialog = page.getByRole("dialog", { name: "New execution" });
  await dialog.getByLabel("Failed data center (故障机房)").selectOption({ label: "Shanghai-A" });
  await dialog.getByLabel("Emergency data center (应急机房)").selectOption({ label: "Hangzhou-B" });
  await dialog.getByLabel("Description (optional)").fill("Quarterly drill");
  // The pre-check asks every config the run needs; the demo's all reach the simulator.
  const preCheck = dialog.getByTestId("pre-check");
  await expect(preCheck.locator("tbody tr").first()).toBeVisible();
  await expect(preCheck.locator('tbody tr[data-ready="false"]')).toHaveCount(0);
  await expect(preCheck).toContainText("reachable");
  await dialog.getByRole("button", { name: "Create execution" }).click();
  await expect(page).toHaveURL(/\/executions\/\d+$/);
  await expect(await state(page)).toHaveText("Created");
  const url = page.url();

  // The auditor opens the same execution before anything runs.
  const auditorContext = await browser.newContext();
  const auditor = await auditorContext.newPage();
  await signIn(auditor, "auditor");
  await openHydrated(auditor, url);
  await expect(auditor.getByTestId("live-status")).toHaveAttribute("data-live", "live");
  await expect(await state(auditor)).toHaveText("Created");
  await expect(auditor.getByRole("main").getByRole("button", { name: /Start|Pause|Resume|Cancel|Retry|Skip|Mark done|Confirm/ })).toHaveCount(0);

  await page.getByRole("button", { name: "Start", exact: true }).click();
  await page.getByRole("alertdialog", { name: "Confirm start" }).getByRole("button", { name: "Start" }).click();
  await expect(await state(page)).toHaveText("Switchover done", { timeout: 60_000 });
  // Once switchover is done the page turns to the Recovery tab, the phase that is next.
  await expect(page.getByRole("tab", { name: /Recovery/ })).toHaveAttribute("aria-selected", "true");
  await page.getByRole("tab", { name: /Switchover/ }).click();
  const switchover = page.getByRole("tabpanel").getByTestId("step-row");
  await expect(switchover).toHaveCount(4);
  await expect(switchover.locator('[data-testid="step-status"]')).toHaveText(["Succeeded", "Succeeded", "Succeeded", "Succeeded"]);
  // The auditor saw it happen without reloading, measured against the plan's target.
  await expect(await state(auditor)).toHaveText("Switchover done");
  await expect(page.getByTestId("execution-rto")).toContainText(/^Switchover took .* · target 30 min: met, .* to spare$/);
  await expect(auditor.getByTestId("execution-rto")).toContainText("target 30 min: met");

  // The next restart in Shanghai-A fails.
  await openHydrated(page, "/simulator");
  const form = page.getByRole("form", { name: "Inject fault" });
  await form.getByLabel("Call").selectOption({ label: "Restart application" });
  await form.getByLabel("Data center").selectOption("Shanghai-A");
  await form.getByLabel("Effect").selectOption({ label: "Fail" });
  await form.getByLabel("Times").fill("1");
  await form.getByRole("button", { name: "Inject fault" }).click();
  await expect(page.getByRole("region", { name: "Active faults" }).locator("[data-fault]")).toHaveCount(1);

  await openHydrated(page, url);
  await page.getByRole("tab", { name: /Recovery/ }).click();
  await page.getByRole("button", { name: "Start recovery", exact: true }).click();
  await page.getByRole("alertdialog", { name: "Confirm start recovery" }).getByRole("button", { name: "Start recovery" }).click();
  await expect(await state(page)).toHaveText("Recovery blocked", { timeout: 60_000 });
  const failed = page.locator('[data-testid="step-row"][data-status="failed"]');
  await expect(failed).toHaveCount(1);
  await expect(failed.getByTestId("step-error")).toContainText("failed");
  await expect(await state(auditor)).toHaveText("Recovery blocked");

  // Its log says what was called and what came back.
  await failed.getByRole("button", { name: "Expand" }).click();
  await expect(failed.getByTestId("step-calls")).toContainText("/v1/applications/restart");

  await failed.getByRole("button", { name: "Retry" }).click();
  await expect(await state(page)).toHaveText("Completed", { timeout: 90_000 });
  await expect(await state(auditor)).toHaveText("Completed");
  await expect(auditor.getByRole("main").getByRole("button", { name: /Retry|Skip|Mark done/ })).toHaveCount(0);

  // Both see it in the Executions list, find it by plan and state, and take the history away.
  await openHydrated(page, "/executions");
  await expect(page.getByTestId("execution-row").first()).toContainText("Data center power loss");
  await expect(page.getByTestId("execution-row").first()).toContainText("Completed");
  const id = url.split("/").pop()!;
  await page.getByLabel("Plan").selectOption({ label: "Data center power loss" });
  await page.getByLabel("State").selectOption({ label: "Completed" });
  const row = page.locator(`tr[data-execution="${id}"]`);
  await expect(row.getByTestId("execution-rto")).toContainText(/ · met \(30 min\)$/);
  await page.getByLabel("Created from (UTC)").fill("2000-01-01T00:00");
  await page.getByLabel("Created before (UTC)").fill("2000-01-02T00:00");
  await expect(page.getByTestId("executions-empty")).toHaveText("No execution matches the filter.");
  await page.getByLabel("Created before (UTC)").fill("");
  await expect(row).toBeVisible();
  await page.getByRole("button", { name: "Export CSV" }).click();
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Download executions.csv" }).click(),
  ]);
  expect(download.suggestedFilename()).toBe("executions.csv");
  const csv = readFileSync((await download.path())!, "utf8").trim().split("\n");
  expect(csv[0]).toMatch(/^id,plan,plan_version,drill,failed_data_center,emergency_data_center,state,/);
  expect(csv.some((line) => line.startsWith(`${id},Data center power loss,1,false,Shanghai-A,Hangzhou-B,completed,`) && line.includes(",30,met,"))).toBe(true);

  expect(consoleErrors).toEqual([]);
  await auditorContext.close();
});
