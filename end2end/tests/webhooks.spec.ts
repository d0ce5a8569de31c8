// Journey: an admin adds a webhook on the Settings page, sends it a test message, and sees
// the delivery recorded; the receiver (a tiny server in this test) checks the signature.
import { createHmac } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { test, expect, signIn, hydrated } from "./fixtures";

const SECRET = "a secret the receiver knows";

test("an admin adds a webhook, sends a test message and sees it delivered", async ({ page }) => {
  const received: { event: string; signed: boolean; body: any }[] = [];
  const receiver = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks);
      const expected = "sha256=" + createHmac("sha256", SECRET).update(body).digest("hex");
      received.push({
        event: String(request.headers["x-switchyard-event"]),
        signed: request.headers["x-switchyard-signature"] === expected,
        body: JSON.parse(body.toString("utf8")),
      });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((done) => receiver.listen(0, "127.0.0.1", done));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  try {
    await signIn(page, "admin");
    await page.goto("/settings");
    await hydrated(page);
    const form = page.getByRole("form", { name: "Webhook" });
    await form.getByLabel("Webhook name").fill("Duty pager");
    await form.getByLabel("URL").fill(url);
    await form.getByLabel("Secret").fill("short");
    await form.getByRole("button", { name: "Add webhook" }).click();
    await expect(form).toContainText("must be 16 to 200 characters");

    await form.getByLabel("Secret").fill(SECRET);
    await form.getByLabel("Plan needs attention").check();
    await form.getByRole("button", { name: "Add webhook" }).click();
    const row = page.getByTestId("webhooks").locator("tr", { hasText: "Duty pager" });
    await expect(row).toContainText("Plan needs attention");
    await expect(row).toContainText("enabled");
    await expect(page.getByTestId("webhooks")).not.toContainText(SECRET);

    await row.getByRole("button", { name: "Send a test message" }).click();
    await expect.poll(() => received.length).toBe(1);
    expect(received[0].event).toBe("ping");
    expect(received[0].signed).toBe(true);
    expect(received[0].body.text).toContain("Duty pager");

    const deliveries = page.getByTestId("deliveries");
    await expect(async () => {
      await page.getByRole("button", { name: "Refresh" }).click();
      await expect(deliveries.locator("tbody tr").first()).toContainText("Delivered", { timeout: 1000 });
    }).toPass();
    await expect(deliveries.locator("tbody tr").first()).toContainText("HTTP 204");
  } finally {
    receiver.close();
  }
});
