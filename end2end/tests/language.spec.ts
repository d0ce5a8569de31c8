// Journey: the console in Chinese (中文) and in the reader's time zone. The language is
// chosen in the header, kept per browser (cookie) and per user (profile), and a Chinese
// browser gets Chinese from its very first server-rendered page.
import { Browser } from "@playwright/test";
import { test, expect, signIn, hydrated, openHydrated, DEMO_PASSWORD } from "./fixtures";

/** Leaves `username`'s profile following the browser again, as the journeys after this
 * one expect, whatever happened here. */
async function followTheBrowser(browser: Browser, username: string) {
  const context = await browser.newContext();
  const response = await context.request.post("/api/auth/sign_in", {
    data: { username, password: DEMO_PASSWORD },
  });
  expect(response.ok()).toBeTruthy();
  const reset = await context.request.post("/api/auth/preferences", {
    data: { preferences: { language: null, time_zone: null } },
  });
  expect(reset.ok()).toBeTruthy();
  await context.close();
}

test.afterAll(async ({ browser }) => {
  for (const username of ["operator", "reviewer", "admin"]) await followTheBrowser(browser, username);
});

test("a zh-CN browser with no cookie gets Chinese on its first server-rendered page", async ({ browser }) => {
  // No JavaScript: what shows is what the server wrote.
  const context = await browser.newContext({ locale: "zh-CN", javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto("/sign-in");
  await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("登录");
  await expect(page.getByLabel("用户名")).toBeVisible();
  await context.close();
});

test("an English browser gets English, and Chinese terms in it are marked as Chinese", async ({ page }) => {
  await signIn(page, "operator");
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await openHydrated(page, "/plans");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Plans");
  await expect(page.locator('.lede [lang="zh-CN"]')).toHaveText("容灾预案");
});

test("switching to 中文 holds across reloads and pages, live execution included", async ({ page, consoleErrors }) => {
  test.setTimeout(60_000);
  await signIn(page, "operator");
  await page.getByTestId("language-switch").click();
  await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
  const nav = page.getByRole("navigation", { name: "栏目" });
  await expect(nav.getByRole("link", { name: "容灾预案" })).toBeVisible();
  await expect(page.getByTestId("language-switch")).toHaveText("English");

  await page.reload();
  await hydrated(page);
  await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
  await expect(nav.getByRole("link", { name: "执行情况" })).toBeVisible();

  await nav.getByRole("link", { name: "容灾预案" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("容灾预案");
  await expect(page.getByTestId("plan-status").first()).toHaveText("生效");

  // An execution, live, in Chinese: created from the plan, then cancelled (removed).
  await page.locator('tr[data-plan="Data center power loss"]').getByRole("button", { name: "执行" }).click();
  const dialog = page.getByRole("dialog", { name: "新建预案执行单" });
  await dialog.getByLabel("故障机房").selectOption({ label: "Shanghai-A" });
  await dialog.getByLabel("应急机房").selectOption({ label: "Hangzhou-B" });
  await expect(dialog.getByTestId("pre-check").locator("tbody tr").first()).toBeVisible();
  await dialog.getByRole("button", { name: "创建预案执行单" }).click();
  await expect(page).toHaveURL(/\/executions\/\d+$/);
  await hydrated(page);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("预案执行单 #");
  await expect(page.getByRole("heading", { level: 1 }).getByTestId("execution-state")).toHaveText("已创建");
  await expect(page.getByTestId("live-status")).toHaveText("实时");
  await expect(page.getByRole("tab", { name: /容灾切换/ })).toHaveAttribute("aria-selected", "true");
  await page.getByRole("button", { name: "取消执行" }).click();
  await page.getByRole("alertdialog", { name: "确认取消" }).getByRole("button", { name: "取消执行" }).click();
  // One that never started is removed, and the page goes to the list.
  await expect(page).toHaveURL(/\/executions$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("执行情况");

  await nav.getByRole("link", { name: "环境" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("环境");
  await expect(page.getByRole("tab", { name: "机房" })).toHaveAttribute("aria-selected", "true");
  await expect(page.getByTestId("data-centers")).toContainText("区域");

  expect(consoleErrors).toEqual([]);
  await page.getByTestId("language-switch").click();
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
});

test("an admin reads the run mode in Chinese", async ({ browser }) => {
  const context = await browser.newContext({ locale: "zh-CN" });
  const page = await context.newPage();
  await openHydrated(page, "/sign-in");
  await page.getByLabel("用户名").fill("admin");
  await page.getByLabel("密码").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "登录" }).click();
  await expect(page.getByTestId("signed-in-as")).toContainText("管理员");
  await openHydrated(page, "/settings");
  const section = page.getByTestId("run-mode");
  await expect(section.getByRole("heading", { name: "运行模式" })).toBeVisible();
  await expect(section.getByTestId("run-mode-name")).toHaveText("正常模式");
  await expect(section.getByRole("button", { name: "切换到降级模式" })).toBeVisible();
  await context.close();
});

test("the profile's language follows the user to a browser that never chose one", async ({ page, browser }) => {
  await signIn(page, "reviewer");
  await openHydrated(page, "/account");
  const preferences = page.getByRole("form", { name: "Language and time zone" });
  await preferences.getByLabel("Language").selectOption("zh-CN");
  await preferences.getByRole("button", { name: "Save" }).click();
  await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");

  const elsewhere = await browser.newContext({ locale: "en-US" });
  const other = await elsewhere.newPage();
  await openHydrated(other, "/sign-in");
  await expect(other.getByRole("heading", { level: 1 })).toHaveText("Sign in");
  await other.getByLabel("User name").fill("reviewer");
  await other.getByLabel("Password").fill(DEMO_PASSWORD);
  await other.getByRole("button", { name: "Sign in" }).click();
  await expect(other.getByTestId("signed-in-as")).toContainText("审核员");
  await expect(other.locator("html")).toHaveAttribute("lang", "zh-CN");
  await elsewhere.close();

  // Back to following the browser.
  const back = page.getByRole("form", { name: "语言和时区" });
  await back.getByLabel("语言").selectOption("");
  await back.getByRole("button", { name: "保存" }).click();
  await expect(page.getByText("已保存")).toBeVisible();
});

test("times show in the browser's time zone, with UTC on hover", async ({ browser }) => {
  const context = await browser.newContext({ timezoneId: "Asia/Shanghai" });
  const page = await context.newPage();
  await signIn(page, "auditor");
  await openHydrated(page, "/audit");
  const first = page.getByTestId("audit-log").locator("tbody tr time").first();
  await expect(first).toContainText("UTC+8");
  await expect(first).toHaveAttribute("title", /UTC$/);
  await expect(page.getByTestId("zone-note")).toContainText("Asia/Shanghai");
  // The next page the server renders is in the same zone from the start.
  await page.reload();
  await expect(page.getByTestId("audit-log").locator("tbody tr time").first()).toContainText("UTC+8");
  await context.close();
});
