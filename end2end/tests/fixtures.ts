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

/** Opens a path and waits until the WASM has hydrated it, so clicks and typing work. */
export async function openHydrated(page: Page, path: string) {
  await page.goto(path);
  await expect(page.locator(".console")).toHaveAttribute("data-hydrated", "true");
}

export { expect };
