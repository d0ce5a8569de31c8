// Journey: an operator authors a plan, a reviewer reads the diff and approves it, the
// operator clones it and deletes the clone; an auditor sees everything and changes nothing.
import { test, expect, signIn, hydrated, openHydrated } from "./fixtures";
import type { Page } from "@playwright/test";

function step(page: Page, phase: string, index: number) {
  return page.getByRole("list", { name: `${phase} steps` }).locator("li.step-card").nth(index);
}

test("a plan is authored, reviewed, approved, cloned and the clone deleted", async ({ page, browser }) => {
  await signIn(page, "operator");
  await openHydrated(page, "/plans/new");

  await page.getByLabel(/^Name/).fill("E2E power drill");
  await page.getByRole("button", { name: "Add Cut traffic" }).click();
  await step(page, "Switchover", 0).getByLabel("Product group").selectOption("Payments");
  await page.getByRole("button", { name: "Add Switch database over" }).click();
  await step(page, "Switchover", 1).getByLabel("Database cluster").selectOption("payments-db");
  await page.getByRole("button", { name: "Add Wait" }).click();
  await page.getByLabel(/Recovery-time target/).fill("half an hour");

  // A missing or wrong value is reported next to its field, before anything is sent.
  await page.getByRole("button", { name: "Save" }).click();
  await expect(step(page, "Switchover", 2).locator('[data-field="switchover[2].params.seconds"]')).toHaveText("is required");
  await expect(page.locator('[data-field="rto_minutes"]')).toHaveText("must be from 1 to 10080 minutes (a week), or left empty");
  await step(page, "Switchover", 2).getByLabel("Seconds").fill("45");
  await page.getByLabel(/Recovery-time target/).fill("25");

  // Reorder from the keyboard: the wait moves up one place.
  await step(page, "Switchover", 2).getByRole("button", { name: /Step 3 of 3/ }).focus();
  await page.keyboard.press("ArrowUp");
  await expect(step(page, "Switchover", 1)).toHaveAttribute("data-step", "Wait");
  await expect(step(page, "Switchover", 1).getByRole("button", { name: /Step 2 of 3/ })).toBeFocused();

  await page.getByRole("tab", { name: /Recovery/ }).click();
  await page.getByRole("button", { name: "Add Switch database back" }).click();
  await step(page, "Recovery", 0).getByLabel("Database cluster").selectOption("payments-db");

  // Leaving with unsaved changes asks first; staying keeps everything.
  page.once("dialog", (dialog) => dialog.dismiss());
  await page.getByRole("button", { name: "Cancel" }).click();
  await expect(page).toHaveURL(/\/plans\/new$/);
  page.once("dialog", (dialog) => dialog.dismiss());
  await page.getByRole("navigation").getByRole("link", { name: "Environment" }).click();
  await expect(page).toHaveURL(/\/plans\/new$/);
  await expect(step(page, "Recovery", 0)).toHaveAttribute("data-step", "Switch database back");

  await page.getByRole("button", { name: "Save" }).click();
  await expect(page).toHaveURL(/\/plans\/\d+$/);
  await hydrated(page);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("E2E power drill");
  await expect(page.getByTestId("plan-status")).toHaveText("Draft");
  await expect(page.getByTestId("rto-target")).toHaveText("Recovery-time target (RTO): 25 minutes for the switchover.");
  await page.getByRole("button", { name: "Submit for review" }).click();
  await expect(page.getByTestId("plan-status")).toHaveText("In review");
  const planUrl = page.url();

  // The reviewer reads what would run and approves it.
  const reviewerContext = await browser.newContext();
  const reviewer = await reviewerContext.newPage();
  await signIn(reviewer, "reviewer");
  await openHydrated(reviewer, "/plans");
  await reviewer.getByLabel("Status").selectOption("awaiting_review");
  await reviewer.getByRole("link", { name: "E2E power drill" }).click();
  await expect(reviewer).toHaveURL(planUrl);
  await hydrated(reviewer);
  const diff = reviewer.getByTestId("plan-diff");
  await expect(diff.getByTestId("diff-summary")).toHaveText("4 added, 0 removed, 0 moved, 0 changed");
  await expect(diff.locator('tr[data-change="added"]')).toHaveCount(4);
  await reviewer.getByRole("button", { name: "Approve" }).click();
  await expect(reviewer.getByTestId("plan-status")).toHaveText("Active");
  await expect(reviewer.getByRole("region", { name: "History" })).toContainText("Approved version 1 by reviewer");
  await openHydrated(reviewer, "/plans");
  await expect(reviewer.locator('tr[data-plan="E2E power drill"]').getByTestId("plan-status")).toHaveText("Active");
  await reviewerContext.close();

  // The operator clones it: the form opens pre-filled; the original's name is taken.
  await openHydrated(page, "/plans");
  await page.locator('tr[data-plan="E2E power drill"]').getByRole("link", { name: "Clone" }).click();
  await hydrated(page);
  await expect(page.getByLabel(/^Name/)).toHaveValue("E2E power drill");
  await expect(page.getByLabel(/Recovery-time target/)).toHaveValue("25");
  await expect(step(page, "Switchover", 1)).toHaveAttribute("data-step", "Wait");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.locator('[data-field="name"]')).toHaveText('a plan named "E2E power drill" already exists; choose another name');
  await page.getByLabel(/^Name/).fill("E2E power drill (copy)");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText("E2E power drill (copy)");
  await hydrated(page);
  await expect(page.getByTestId("plan-status")).toHaveText("Draft");

  await page.getByRole("button", { name: "Delete" }).click();
  const dialog = page.getByRole("alertdialog", { name: "Confirm deletion" });
  await expect(dialog).toContainText("This cannot be undone.");
  await dialog.getByRole("button", { name: "Delete" }).click();
  await expect(page).toHaveURL(/\/plans$/);
  await expect(page.locator('tr[data-plan="E2E power drill (copy)"]')).toHaveCount(0);
  await expect(page.locator('tr[data-plan="E2E power drill"]')).toHaveCount(1);
});

test("an auditor reads every plan and can change nothing", async ({ page }) => {
  await signIn(page, "auditor");
  await openHydrated(page, "/plans");
  await expect(page.locator('tr[data-plan="Data center power loss"]').getByTestId("plan-status")).toHaveText("Active");
  await expect(page.locator('tr[data-plan="Trading failover drill"]').getByTestId("plan-status")).toHaveText("In review");
  await expect(page.getByRole("link", { name: "New plan" })).toHaveCount(0);
  await expect(page.getByRole("main").getByRole("link", { name: /Edit|Clone/ })).toHaveCount(0);
  await expect(page.getByRole("main").getByRole("button", { name: /Delete|Import/ })).toHaveCount(0);

  await page.getByRole("link", { name: "Data center power loss" }).click();
  await hydrated(page);
  const steps = page.getByRole("region", { name: "Steps" });
  await steps.locator("summary").first().click();
  await expect(steps.locator("details").first().locator("dl")).toContainText("Payments");
  await expect(steps.locator("details")).toHaveCount(4);
  await page.getByRole("tab", { name: /Recovery/ }).click();
  await expect(steps.locator("details")).toHaveCount(6);
  await expect(page.getByRole("main").getByRole("button", { name: /Edit|Submit|Approve|Reject|Deactivate|Delete/ })).toHaveCount(0);
  await expect(page.getByRole("main").getByRole("link", { name: /Edit|Clone/ })).toHaveCount(0);
});
