// Journey: finding one's way around the console, and landing on a bad address.
import { test, expect, signIn } from "./fixtures";

test("every section is reachable from the navigation", async ({ page, consoleErrors }) => {
  await signIn(page, "admin");
  const nav = page.getByRole("navigation", { name: "Sections" });
  for (const [label, path] of [
    ["Plans", "/plans"],
    ["Executions", "/executions"],
    ["Environment", "/environment"],
    ["Simulator", "/simulator"],
    ["Audit log", "/audit"],
    ["Settings", "/settings"],
  ]) {
    await nav.getByRole("link", { name: label }).click();
    await expect(page).toHaveURL(new RegExp(`${path}$`));
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(label);
    await expect(page).toHaveTitle(`${label} · Switchyard`);
    await expect(nav.getByRole("link", { name: label })).toHaveAttribute("aria-current", "page");
  }
  expect(consoleErrors).toEqual([]);
});

test("a bad address shows the not-found page", async ({ page }) => {
  await signIn(page, "auditor");
  const response = await page.goto("/no/such/page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Page not found");
  await expect(page).toHaveTitle("Not found · Switchyard");
  await page.getByRole("link", { name: "Go to the overview" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Switchyard");
});
