// Takes the README's screenshots of the web console: a whole pipeline on an isolated NATS
// prefix and database (the test servers NATS_URL and DATABASE_URL name), the local
// provider, one sequential request whose webhook fails once and is retried from the
// page's button, then Chromium at 1280 px. Run: `node scripts/console-screenshots.ts`
// with NATS_URL and DATABASE_URL naming running test servers (default: the local ones).
import { fileURLToPath } from "node:url";
import { launchChromium, postProcess, startPipeline, startWebhookReceiver } from "@chorus/testing";
import type { RequestView } from "@chorus/contracts";

const DOCS = fileURLToPath(new URL("../docs/", import.meta.url));
const TEXT =
  "Apple opened a new office in Berlin on Monday, and Tim Cook said the $2 billion plan would create 500 jobs by 2027. " +
  "Investors in New York welcomed the news, though Reuters noted that Siemens had announced a similar plan in March.";

const receiver = await startWebhookReceiver({ status: 503 });
const pipeline = await startPipeline({ env: { AGENT_PROVIDER: "local", WEBHOOK_ALLOW_PRIVATE: "true" } });
const browser = await launchChromium();
try {
  await pipeline.startReplica("webhooks", { WEBHOOK_MAX_RETRIES: "0" });
  const url = pipeline.gateway.url;
  for (const agents of [["summarizer"], ["sentiment", "entity_extractor"]]) await postProcess(url, { text: TEXT, agents });
  const { body } = await postProcess<RequestView>(url, { text: TEXT, orchestration_mode: "sequential", webhook_url: receiver.url, webhook_secret: "screenshot-secret-0123456789" });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${url}/console/requests/${body.request_id}`);
  await page.locator(".webhook .badge-exhausted").waitFor({ timeout: 60_000 });
  receiver.respondWith({ status: 204 });
  await page.getByRole("button", { name: "Retry delivery" }).click();
  await page.locator(".webhook .badge-delivered").waitFor({ timeout: 60_000 });
  // The delivery's time is projected from the WebhookDelivered event, just after the status.
  const deliveredAt = page.locator(".webhook .facts div", { has: page.locator("dt", { hasText: /^Delivered$/ }) }).locator("dd");
  for (let tries = 0; (await deliveredAt.textContent()) === "—" && tries < 120; tries += 1) await page.waitForTimeout(500);
  await page.locator(".event-list details").first().locator("summary").click();
  await page.screenshot({ path: `${DOCS}console-request.png`, fullPage: true });
  await page.goto(`${url}/console`);
  await page.locator("table.requests tbody tr").nth(2).waitFor({ timeout: 60_000 });
  await page.screenshot({ path: `${DOCS}console-requests.png` });
  console.log(`wrote ${DOCS}console-request.png and ${DOCS}console-requests.png`);
} finally {
  await browser.close();
  await pipeline.stop();
  await receiver.close();
}
