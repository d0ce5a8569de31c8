// Journey: an operator keeps the list of data centers current; an auditor only reads it.
import { test, expect, signIn, hydrated } from "./fixtures";

test("an operator creates, edits and deletes a data center", async ({ page }) => {
  await signIn(page, "operator");
  await page.goto("/environment");
  await hydrated(page);
  const table = page.getByTestId("data-centers");
  await expect(table.locator("tbody tr")).toHaveCount(3);

  const form = page.getByRole("form", { name: "Data center" });
  await form.getByLabel("Region").fill("South China");
  await form.getByLabel("Data center name").fill("   ");
  await form.getByRole("button", { name: "Create data center" }).click();
  await expect(form.locator('[data-field="name"]')).toHaveText("is required");

  await form.getByLabel("Data center name").fill("Shenzhen-D");
  await form.getByLabel("Description").fill("New site for the south");
  await form.getByRole("button", { name: "Create data center" }).click();
  const row = table.locator('tr[data-name="Shenzhen-D"]');
  await expect(row).toContainText("South China");

  await page.getByLabel("Search").fill("shenzhen");
  await expect(table.locator("tbody tr")).toHaveCount(1);

  await row.getByRole("button", { name: "Edit" }).click();
  await expect(form.getByLabel("Data center name")).toHaveValue("Shenzhen-D");
  await form.getByLabel("Description").fill("Opened in 2026");
  await form.getByRole("button", { name: "Save" }).click();
  await expect(table.locator('tr[data-name="Shenzhen-D"]')).toContainText("Opened in 2026");

  await table.locator('tr[data-name="Shenzhen-D"]').getByRole("button", { name: "Delete" }).click();
  const dialog = page.getByRole("alertdialog", { name: "Confirm deletion" });
  await expect(dialog).toContainText("This cannot be undone.");
  await dialog.getByRole("button", { name: "Delete" }).click();
  await expect(table.locator("tbody tr")).toHaveCount(0);
  await page.getByLabel("Search").fill("");
  await expect(table.locator("tbody tr")).toHaveCount(3);
});

test("a data center in use cannot be deleted, and the console says why", async ({ page }) => {
  await signIn(page, "operator");
  await page.goto("/environment");
  await hydrated(page);
  await page.getByTestId("data-centers").locator('tr[data-name="Shanghai-A"]').getByRole("button", { name: "Delete" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Delete" }).click();
  await expect(page.getByRole("alert")).toHaveText(
    "Shanghai-A is still used by 3 database clusters; remove those first",
  );
});

test("an auditor reads the data centers and can change nothing", async ({ page }) => {
  await signIn(page, "auditor");
  await page.goto("/environment");
  await hydrated(page);
  await expect(page.getByTestId("data-centers").locator("tbody tr")).toHaveCount(3);
  await expect(page.getByRole("main").getByRole("button", { name: /Edit|Delete|Create/ })).toHaveCount(0);
  await expect(page.getByRole("form", { name: "Data center" })).toHaveCount(0);
});
