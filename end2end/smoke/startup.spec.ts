// Startup smoke check: what a newcomer sees after `make run` — the console answers, its
// first page hydrates in the browser, a demo user signs in and finds the demo plans.
import { test, expect, hydrated, signIn } from "../tests/fixtures";

test("the console make run serves is ready, hydrates and lets a demo user in", async ({ page, request, consoleErrors }) => {
  const ready = await request.get("/readyz");
  expect(ready.status()).toBe(200);

  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in/);
  await hydrated(page);

  await signIn(page, "operator");
  await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Plans" }).click();
  await expect(page.getByRole("link", { name: "Data center power loss" })).toBeVisible();
  expect(consoleErrors).toEqual([]);
});
