// Journey: people sign in with their role, see what their role allows, and are refused
// the rest by the server even when they go around the page.
import { test, expect, signIn, hydrated, DEMO_PASSWORD } from "./fixtures";

const ROLES = [
  { username: "admin", label: "Admin", audit: true, settings: true },
  { username: "operator", label: "Operator", audit: false, settings: false },
  { username: "reviewer", label: "Reviewer", audit: false, settings: false },
  { username: "auditor", label: "Auditor", audit: true, settings: false },
];

for (const role of ROLES) {
  test(`${role.username} signs in, sees the role, and signs out`, async ({ page, consoleErrors }) => {
    await signIn(page, role.username);
    const header = page.getByTestId("signed-in-as");
    await expect(header).toContainText(role.label);
    const nav = page.getByRole("navigation", { name: "Sections" });
    await expect(nav.getByRole("link", { name: "Step catalog" })).toBeVisible();
    await expect(nav.getByRole("link", { name: "Audit log" })).toHaveCount(role.audit ? 1 : 0);
    await expect(nav.getByRole("link", { name: "Settings" })).toHaveCount(role.settings ? 1 : 0);

    await header.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/sign-in$/);
    await page.goto("/steps");
    await expect(page).toHaveURL(/\/sign-in\?next=%2Fsteps$/);
    expect(consoleErrors).toEqual([]);
  });
}

test("a wrong password gets a clear message", async ({ page }) => {
  await page.goto("/sign-in");
  await hydrated(page);
  await page.getByLabel("User name").fill("reviewer");
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText("wrong user name or password");
  await expect(page).toHaveURL(/\/sign-in$/);
});

test("after signing in, the browser goes where it was headed", async ({ page }) => {
  await page.goto("/audit");
  await expect(page).toHaveURL(/\/sign-in\?next=%2Faudit$/);
  await hydrated(page);
  await page.getByLabel("User name").fill("auditor");
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/audit$/);
  await expect(page.getByTestId("audit-log")).toContainText("auth/sign_in");
  // The newest page: how many older pages there are depends on the journeys run before.
  await expect(page.getByRole("button", { name: "Newer" })).toBeDisabled();
});

test("a next address that leaves the console is not followed", async ({ page }) => {
  await page.goto("/sign-in?next=%2F%09%2Fevil.example%2F");
  await hydrated(page);
  await page.getByLabel("User name").fill("auditor");
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("signed-in-as")).toContainText("(auditor)");
  await expect(page).toHaveURL(/^http:\/\/127\.0\.0\.1:\d+\/$/);
});

test("an auditor sees no edit controls and a forged call is refused", async ({ page }) => {
  await signIn(page, "auditor");
  await page.goto("/settings");
  await hydrated(page);
  await expect(page.getByRole("status")).toHaveText("Users, the run mode and webhooks are managed by admins.");
  await expect(page.getByRole("main").getByRole("button")).toHaveCount(0);
  await expect(page.getByRole("main").getByRole("textbox")).toHaveCount(0);

  const forged = await page.evaluate(async () => {
    const response = await fetch("/api/users/create", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        user: { username: "forged", display_name: "", role: "admin", password: "a forged password" },
      }),
    });
    return { status: response.status, body: await response.json() };
  });
  expect(forged.status).toBe(403);
  expect(forged.body.message).toBe("this needs the admin role");

  await page.goto("/audit");
  await hydrated(page);
  await page.getByLabel("Action").selectOption("users/create");
  await page.getByRole("button", { name: "Apply" }).click();
  const row = page.getByTestId("audit-log").locator("tbody tr").first();
  await expect(row).toContainText("auditor (auditor)");
  await expect(row).toContainText("refused");
  await expect(row).toContainText("this needs the admin role");
});

test("an admin creates a user, who must choose a new password at first sign-in", async ({ page, browser }) => {
  await signIn(page, "admin");
  await page.goto("/settings");
  await hydrated(page);
  const form = page.getByRole("form", { name: "Create a user" });
  await form.getByLabel("User name").fill("Bad Name");
  await form.getByLabel("One-time password").fill("short");
  await form.getByRole("button", { name: "Create user" }).click();
  await expect(form.locator('[data-field="username"]')).toContainText("lower-case");
  await expect(form.locator('[data-field="password"]')).toContainText("at least 10 characters");

  await form.getByLabel("User name").fill("chen.jie");
  await form.getByLabel("Full name").fill("Chen Jie");
  await form.getByLabel("Role").selectOption("reviewer");
  await form.getByLabel("One-time password").fill("first password 42");
  await form.getByRole("button", { name: "Create user" }).click();
  await expect(form.getByRole("status")).toHaveText("Created chen.jie.");
  await expect(page.getByTestId("users").locator('tr[data-username="chen.jie"]')).toContainText("one-time password");

  const other = await browser.newPage();
  await signIn(other, "chen.jie", "first password 42");
  await expect(other).toHaveURL(/\/account$/);
  await expect(other.getByRole("alert").first()).toContainText("Your password is one-time");
  await other.getByLabel("Current password").fill("first password 42");
  await other.getByLabel("New password", { exact: true }).fill("chen's own password");
  await other.getByLabel("Repeat the new password").fill("chen's own password");
  await other.getByRole("button", { name: "Change password" }).click();
  await expect(other.getByRole("status")).toContainText("Your password was changed.");
  await other.close();
});
