// Journey: an auditor opens more live pages in one session than it may hold. The page over
// the cap says it is not live and why (never just "Reconnecting…"), and goes live by
// itself once another tab closes.
import { test, expect, signIn, hydrated } from "./fixtures";

/** Live channels one session may hold (the server's default). */
const PER_SESSION = 16;

test("a tab over the session's live cap says so, and goes live when another closes", async ({ page, context }) => {
  test.setTimeout(90_000);
  await signIn(page, "auditor");
  const tabs = [page];
  await page.goto("/executions");
  await expect(page.getByTestId("live-status")).toHaveText("Live");
  for (let i = 1; i < PER_SESSION; i++) {
    const tab = await context.newPage();
    await tab.goto("/executions");
    await expect(tab.getByTestId("live-status")).toHaveText("Live");
    tabs.push(tab);
  }

  const over = await context.newPage();
  await over.goto("/executions");
  await hydrated(over);
  const status = over.getByTestId("live-status");
  await expect(status).toHaveAttribute("data-live", "refused");
  await expect(status).toContainText("Not live");
  await expect(status).toContainText("close another tab");

  await tabs.pop()!.close();
  await expect(status).toHaveText("Live", { timeout: 45_000 });
});
