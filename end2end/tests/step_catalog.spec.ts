// Journey: an operator opens the console, goes to the step catalog, and narrows it down
// by search and by layer, in the browser.
import { test, expect, signIn } from "./fixtures";

test("the step catalog lists, searches and filters step types", async ({ page, consoleErrors }) => {
  await signIn(page, "operator");
  await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Step catalog" }).click();

  await expect(page).toHaveURL(/\/steps$/);
  await expect(page).toHaveTitle("Step catalog · Switchyard");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Step catalog");
  const rows = page.getByTestId("step-catalog").locator("tbody tr");
  await expect(rows).toHaveCount(8);

  await page.getByLabel("Search").fill("DB.");
  await expect(rows).toHaveCount(2);
  await expect(rows.locator("td:nth-child(2) code")).toHaveText(["db.switchover", "db.switchback"]);
  await expect(page.getByTestId("catalog-count")).toHaveText("Showing 2 of 8 step types");

  await page.getByLabel("Search").fill("");
  await page.getByLabel("Layer").selectOption({ label: "Control" });
  await expect(rows.locator("td:nth-child(2) code")).toHaveText(["wait", "manual.confirm", "http.call"]);

  await page.getByLabel("Search").fill("restart");
  await expect(rows).toHaveCount(0);
  await expect(page.getByRole("status")).toHaveText("No step type matches this search.");

  await page.getByLabel("Layer").selectOption({ label: "Application" });
  await expect(rows.locator("td:nth-child(2) code")).toHaveText(["app.restart"]);
  await expect(rows.first()).toContainText("product_group");

  expect(consoleErrors).toEqual([]);
});
