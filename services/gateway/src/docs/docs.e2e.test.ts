// /docs (Swagger UI) and /redoc (ReDoc) in headless Chromium (Debian's `chromium`,
// driven by playwright-core): both render the API's operations from /openapi.json with
// every asset from the gateway and no request leaving the machine.
import { beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type Page } from "playwright-core";
import { isolatedPerFile } from "@chorus/testing";
import { startTestGateway, unreachableDatabase } from "../gateway.fixtures.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

const env = isolatedPerFile({ nats: true });
let gateway: Awaited<ReturnType<typeof startTestGateway>>;
let browser: Browser;
const database = unreachableDatabase();

beforeAll(async () => {
  env.defer(() => database.close());
  gateway = await startTestGateway({ nats: env.nats, database });
  env.defer(() => gateway.stop());
  // No browser is a failure, not a skip: CI must install Debian's chromium package.
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  env.defer(() => browser.close());
});

/** Opens `path`, refusing and recording every request that is not to the gateway. */
async function open(path: string): Promise<{ page: Page; external: string[]; errors: string[] }> {
  const page = await browser.newPage();
  const external: string[] = [];
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(err.message));
  await page.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(gateway.url) || url.startsWith("data:") || url.startsWith("blob:")) return route.continue();
    external.push(url);
    return route.abort();
  });
  await page.goto(`${gateway.url}${path}`);
  return { page, external, errors };
}

const bodyText = (page: Page) => page.locator("body").innerText();

describe("the API documentation in a browser", () => {
  it("/docs shows Swagger UI with the API's operations, loaded from the gateway only", async () => {
    const { page, external, errors } = await open("/docs");
    await page.waitForSelector(".opblock-summary-path", { timeout: 30_000 });
    const paths = await page.$$eval(".opblock-summary-path", (els) => els.map((e) => e.getAttribute("data-path") ?? e.textContent?.trim()));
    expect(paths).toEqual(expect.arrayContaining(["/api/v1/process", "/api/v1/results/{request_id}", "/api/v1/results/{request_id}/events", "/api/v1/health"]));
    expect(await bodyText(page)).toContain("Chorus API");
    expect(external).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("/redoc shows ReDoc with the API's operations, loaded from the gateway only", async () => {
    const { page, external, errors } = await open("/redoc");
    await expect.poll(() => bodyText(page), { timeout: 30_000 }).toContain("Submit text for processing");
    const text = await bodyText(page);
    expect(text).toContain("Chorus API");
    expect(text).toContain("The request's events, live, as Server-Sent Events");
    expect(text).toContain("/api/v1/process");
    expect(external).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });
});
