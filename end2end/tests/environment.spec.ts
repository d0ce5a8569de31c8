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
  // Journeys before this one may have run executions from Shanghai-A: they count too.
  await expect(page.getByRole("alert")).toHaveText(
    /^Shanghai-A is still used by 3 connection configs, 3 database clusters(, \d+ executions?)?; remove those first$/,
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

test("an operator builds a product group, sees its restart order, and is refused a cycle", async ({ page }) => {
  await signIn(page, "operator");
  await page.goto("/environment");
  await hydrated(page);
  await page.getByRole("tab", { name: "Product groups" }).click();
  await page.getByLabel("Search").fill("ledger");
  await expect(page.locator("[data-group]:visible")).toHaveCount(1);
  await page.getByLabel("Search").fill("");
  await expect(page.locator('[data-group="Payments"] [data-testid="restart-levels"]')).toHaveText(
    "Restart order: 1. ledger, risk-engine  →  2. payment-core  →  3. payment-gateway",
  );

  const form = page.getByRole("form", { name: "Product group" });
  await form.getByLabel("Group name").fill("Logistics");
  for (const name of ["tracker", "router", "db-proxy"]) {
    await form.getByRole("button", { name: "Add application" }).click();
    await form.getByLabel("Application name").last().fill(name);
  }
  const row = (n: number) => form.getByRole("group", { name: `Application ${n}` });
  await row(1).getByLabel("router").check();
  await row(2).getByLabel("db-proxy").check();
  await form.getByRole("button", { name: "Create product group" }).click();
  await expect(page.locator('[data-group="Logistics"] [data-testid="restart-levels"]')).toHaveText(
    "Restart order: 1. db-proxy  →  2. router  →  3. tracker",
  );

  await page.locator('[data-group="Logistics"]').getByRole("button", { name: "Edit" }).click();
  await expect(form.getByLabel("Group name")).toHaveValue("Logistics");
  // Stored applications come back by name: db-proxy, router, tracker.
  await expect(row(1).getByLabel("Application name")).toHaveValue("db-proxy");
  await row(1).getByLabel("tracker").check();
  await form.getByRole("button", { name: "Save" }).click();
  await expect(form.locator('[data-field="applications"]')).toHaveText(
    "dependency cycle: db-proxy → tracker → router → db-proxy",
  );
});

test("an auditor reads product groups and can change nothing", async ({ page }) => {
  await signIn(page, "auditor");
  await page.goto("/environment");
  await hydrated(page);
  await page.getByRole("tab", { name: "Product groups" }).click();
  await expect(page.locator('[data-group="Trading"]')).toBeVisible();
  await expect(page.getByRole("main").getByRole("button", { name: /Edit|Delete|Create|Add/ })).toHaveCount(0);
});

test("an operator moves a database cluster's primary; the primary must hold a copy", async ({ page }) => {
  await signIn(page, "operator");
  await page.goto("/environment");
  await hydrated(page);
  await page.getByRole("tab", { name: "Database clusters" }).click();
  const table = page.getByTestId("database-clusters");
  await expect(table.locator('tr[data-name="payments-db"]')).toContainText("Shanghai-A");

  await table.locator('tr[data-name="payments-db"]').getByRole("button", { name: "Edit" }).click();
  const form = page.getByRole("form", { name: "Database cluster" });
  await expect(form.getByLabel("Cluster name")).toHaveValue("payments-db");
  await form.getByLabel("Primary data center").selectOption({ label: "Beijing-C" });
  await form.getByRole("button", { name: "Save" }).click();
  await expect(form.locator('[data-field="primary"]')).toHaveText(
    "the primary must be one of the data centers holding a copy",
  );

  await form.getByLabel("Primary data center").selectOption({ label: "Hangzhou-B" });
  await form.getByRole("button", { name: "Save" }).click();
  await expect(table.locator('tr[data-name="payments-db"] td').nth(1)).toHaveText("Hangzhou-B");
});

test("an operator adds a connection config; the password is never shown back", async ({ page }) => {
  await signIn(page, "operator");
  await page.goto("/environment");
  await hydrated(page);
  await page.getByRole("tab", { name: "Connection configs" }).click();
  const table = page.getByTestId("connection-configs");
  await expect(table.locator("tbody tr")).toHaveCount(9);

  const form = page.getByRole("form", { name: "Connection config" });
  await form.getByLabel("Config name").fill("hz-gateway");
  await form.getByLabel("Data center").selectOption({ label: "Hangzhou-B" });
  await form.getByLabel("Host").fill("gw..bad");
  await form.getByLabel("Port").fill("443");
  await form.getByRole("button", { name: "Add connection config" }).click();
  await expect(form.locator('[data-field="host"]')).toHaveText("must be a domain name or an IP address");

  await form.getByLabel("Host").fill("gw.hz.example.com");
  await form.getByLabel("Username").fill("ops");
  await form.getByLabel("Password", { exact: true }).fill("very-secret-pw");
  await form.getByRole("button", { name: "Add connection config" }).click();
  const row = table.locator('tr[data-name="hz-gateway"]');
  await expect(row).toContainText("set");
  await expect(page.locator("body")).not.toContainText("very-secret-pw");

  await row.getByRole("button", { name: "Edit" }).click();
  await expect(form.getByLabel("Password", { exact: true })).toHaveValue("");
  await expect(form.getByTestId("password-state")).toHaveText(
    "A password is set; leave the field empty to keep it. Changing the kind, protocol, host, port or username needs it again.",
  );
  expect(await page.content()).not.toContain("very-secret-pw");
  // The stored password never follows the config to another host unless entered again.
  await form.getByLabel("Host").fill("listener.elsewhere.example");
  await form.getByRole("button", { name: "Save" }).click();
  await expect(form.locator('[data-field="password"]')).toContainText("enter the password again (or clear it): the host changed");
  await expect(row).toContainText("gw.hz.example.com");

  await form.getByRole("button", { name: "Cancel" }).click();
  await page.getByLabel("Search").fill("gw.hz");
  await expect(table.locator("tbody tr:visible")).toHaveCount(1);
  await row.getByRole("button", { name: "Delete" }).click();
  await page.getByRole("alertdialog", { name: "Confirm deletion" }).getByRole("button", { name: "Delete" }).click();
  await expect(table.locator("tbody tr:visible")).toHaveCount(0);
  await page.getByLabel("Search").fill("");

  const demo = table.locator('tr[data-name="Beijing-C gateway (simulator)"]');
  await demo.getByRole("button", { name: "Test connection" }).click();
  await expect(demo.getByTestId("test-result")).toHaveText(
    "reachable: the built-in simulator answers (platform API v1)",
  );
});

test("an auditor sees connection configs without usernames and changes nothing", async ({ page }) => {
  await signIn(page, "auditor");
  await page.goto("/environment");
  await hydrated(page);
  await page.getByRole("tab", { name: "Connection configs" }).click();
  const first = page.getByTestId("connection-configs").locator("tbody tr").first();
  await expect(first).toContainText("hidden");
  await expect(page.getByRole("main").getByRole("button", { name: /Test|Edit|Delete|Add/ })).toHaveCount(0);
});
