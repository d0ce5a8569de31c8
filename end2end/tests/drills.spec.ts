// Journey: a drill (演练). An operator runs the power-loss plan as a drill: the dialog's
// pre-check lists only simulator configs, the execution is marked as a drill on its page,
// in its title and in the list, a comment is kept on it, and once it is over the
// simulator's world is put back in one action.
import { test, expect, signIn, openHydrated, hydrated } from "./fixtures";

test.setTimeout(120_000);

test("an operator runs a drill, ends it and puts the simulator back", async ({ page, consoleErrors }) => {
  await signIn(page, "operator");
  await openHydrated(page, "/plans");
  await page.locator('tr[data-plan="Data center power loss"]').getByRole("button", { name: "Execute" }).click();
  const dialog = page.getByRole("dialog", { name: "New execution" });
  await dialog.getByLabel("Failed data center (故障机房)").selectOption({ label: "Shanghai-A" });
  await dialog.getByLabel("Emergency data center (应急机房)").selectOption({ label: "Hangzhou-B" });
  await dialog.getByLabel(/Run it as a drill/).check();
  const preCheck = dialog.getByTestId("pre-check");
  await expect(preCheck.locator("tbody tr").first()).toBeVisible();
  await expect(preCheck.locator('tbody tr[data-ready="false"]')).toHaveCount(0);
  await expect(preCheck.locator("tbody")).toContainText("(simulator)");
  await dialog.getByRole("button", { name: "Create execution" }).click();
  await expect(page).toHaveURL(/\/executions\/\d+$/);
  const id = page.url().split("/").pop()!;
  await hydrated(page);
  await expect(page.getByRole("heading", { level: 1 }).getByTestId("drill-badge")).toHaveText("Drill 演练");
  await expect(page).toHaveTitle(/^Drill · Execution #\d+/);

  await page.getByRole("button", { name: "Start", exact: true }).click();
  await page.getByRole("alertdialog", { name: "Confirm start" }).getByRole("button", { name: "Start" }).click();
  await expect(page.getByTestId("execution-state")).toHaveText("Switchover done", { timeout: 60_000 });
  // A comment on the run, kept with who and when.
  const comments = page.getByRole("region", { name: "Comments" });
  await comments.getByLabel("Comment", { exact: true }).fill("Switchover done; the payments team confirms.");
  await comments.getByRole("button", { name: "Add comment" }).click();
  await expect(comments.getByTestId("comment")).toHaveCount(1);
  await expect(comments.getByTestId("comment")).toContainText("operator");
  await expect(comments.getByTestId("comment")).toContainText("Switchover done; the payments team confirms.");
  await expect(comments.getByLabel("Comment", { exact: true })).toHaveValue("");
  // The world is not put back while the drill goes on.
  await expect(page.getByRole("button", { name: "Reset the simulator" })).toHaveCount(0);
  await page.getByRole("button", { name: "Cancel execution" }).click();
  await page.getByRole("alertdialog", { name: "Confirm cancellation" }).getByRole("button", { name: "Cancel execution" }).click();
  await expect(page.getByTestId("execution-state")).toHaveText("Cancelled");
  await page.getByRole("button", { name: "Reset the simulator" }).click();
  await page.getByRole("alertdialog", { name: "Confirm reset" }).getByRole("button", { name: "Reset the simulator" }).click();
  await expect(page.getByTestId("simulator-reset")).toHaveText("The simulator's world is back as the environment says.");

  // The list marks it, and its filter tells drills from real runs.
  await openHydrated(page, "/executions");
  const row = page.locator(`tr[data-execution="${id}"]`);
  await expect(row.getByTestId("drill-badge")).toBeVisible();
  await page.getByLabel("Kind").selectOption("real");
  await expect(row).toHaveCount(0);
  await page.getByLabel("Kind").selectOption("drill");
  await expect(row).toBeVisible();

  expect(consoleErrors).toEqual([]);
});
