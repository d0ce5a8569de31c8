// Shared test setup: every page must hydrate, and must not log errors to the console.
import { test as base, expect, Page } from "@playwright/test";

export const test = base.extend<{ consoleErrors: string[] }>({
  consoleErrors: async ({ page }, use) => {
    const errors: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(message.text());
    });
    page.on("pageerror", (error) => errors.push(error.message));
    await use(errors);
  },
});

/** The demo users' password (demo data only). */
export const DEMO_PASSWORD = "switchyard";

/** Waits until the WASM has hydrated the page, so clicks and typing work. */
export async function hydrated(page: Page) {
  await expect(page.locator(".console")).toHaveAttribute("data-hydrated", "true");
}

/** Opens a path and waits for hydration. */
export async function openHydrated(page: Page, path: string) {
  await page.goto(path);
  await hydrated(page);
}

/** Signs in through the sign-in page and waits for the console to show who is signed in. */
export async function signIn(page: Page, username: string, password = DEMO_PASSWORD) {
  await openHydrated(page, "/sign-in");
  await page.getByLabel("User name").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("signed-in-as")).toContainText(`(${username})`);
  await hydrated(page);
}

export { expect };
