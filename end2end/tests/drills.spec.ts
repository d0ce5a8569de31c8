// Journey: a drill (演练). An operator runs the power-loss plan as a drill: the dialog's
// pre-check lists only simulator configs, the execution is marked as a drill on its page,
// in its title and in the list, a comment is kept on it, and once it is over the
// simulator's world is put back in one action. Its report shows the timeline, the
// verdict against the target and the comment, downloads as CSV, reads without
// JavaScript and prints without the console's navigation; the Plans list shows the plan
// ready, with this drill as its last.
import { readFileSync } from "node:fs";
import { test, expect, signIn, openHydrated, hydrated } from "./fixtures";

test.setTimeout(120_000);

test("an operator runs a drill, ends it and puts the simulator back", async ({ page, browser, consoleErrors }) => {
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

  // Its report: the timeline, the verdict, who did what, the comment; a CSV of its steps.
  await page.getByTestId("report-link").click();
  await expect(page).toHaveURL(new RegExp(`/executions/${id}/report$`));
  await hydrated(page);
  await expect(page).toHaveTitle(/^Drill · Report · Execution #\d+/);
  await expect(page.getByTestId("report-drill")).toContainText("This was a drill");
  const timeline = page.getByRole("img", { name: `Timeline of execution #${id}` });
  await expect(timeline).toBeVisible();
  await expect(timeline.locator("rect.span-work")).toHaveCount(4);
  await expect(timeline.locator("circle.comment-mark")).toHaveCount(1);
  await expect(page.getByTestId("report-rto")).toContainText(/target 30 min: met/);
  await expect(page.getByTestId("report-outcome")).toHaveText("Cancelled by an operator");
  await expect(page.getByTestId("longest-steps").locator("li")).toHaveCount(3);
  await expect(page.getByTestId("report-controls")).toContainText("operator");
  await expect(page.getByTestId("report-comments")).toContainText("Switchover done; the payments team confirms.");
  await page.getByRole("button", { name: "Download CSV" }).click();
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: `Download execution-${id}-report.csv` }).click(),
  ]);
  const csv = readFileSync((await download.path())!, "utf8").trim().split("\n");
  expect(csv[0]).toMatch(/^execution,plan,plan_version,drill,phase,position,step,/);
  expect(csv.filter((line) => line.startsWith(`${id},Data center power loss,1,true,switchover,`))).toHaveLength(4);
  // Printed: the report alone, without the console's navigation, header or buttons.
  await page.emulateMedia({ media: "print" });
  await expect(page.getByRole("navigation", { name: "Sections" })).toBeHidden();
  await expect(page.getByRole("button", { name: "Download CSV" })).toBeHidden();
  await expect(timeline).toBeVisible();
  await page.emulateMedia({ media: "screen" });
  await expect(page.getByRole("navigation", { name: "Sections" })).toBeVisible();
  // Without JavaScript the server's page is the whole report.
  const noScript = await browser.newContext({ javaScriptEnabled: false, baseURL: new URL(page.url()).origin });
  await noScript.addCookies(await page.context().cookies());
  const plain = await noScript.newPage();
  await plain.goto(`/executions/${id}/report`);
  await expect(plain.getByRole("img", { name: `Timeline of execution #${id}` })).toBeVisible();
  await expect(plain.getByTestId("report-rto")).toContainText(/target 30 min: met/);
  await noScript.close();

  // The list marks it, and its filter tells drills from real runs.
  await openHydrated(page, "/executions");
  const row = page.locator(`tr[data-execution="${id}"]`);
  await expect(row.getByTestId("drill-badge")).toBeVisible();
  await page.getByLabel("Kind").selectOption("real");
  await expect(row).toHaveCount(0);
  await page.getByLabel("Kind").selectOption("drill");
  await expect(row).toBeVisible();

  // The plan's readiness, and its last drill with its measured time.
  await openHydrated(page, "/plans");
  const plan = page.locator('tr[data-plan="Data center power loss"]');
  await expect(plan.getByTestId("readiness")).toHaveAttribute("data-state", "ready");
  await expect(plan.getByTestId("last-drill")).toContainText(`#${id}`);
  await expect(plan.getByTestId("last-drill")).toContainText("met (30 min)");

  expect(consoleErrors).toEqual([]);
});
