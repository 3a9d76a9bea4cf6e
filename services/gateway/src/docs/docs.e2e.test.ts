// /docs (Swagger UI) and /redoc (ReDoc) in headless Chromium (Debian's `chromium`,
// driven by playwright-core): both render the API's operations from /openapi.json with
// every asset from the gateway and no request leaving the machine.
import { beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { isolatedPerFile, launchChromium, openWatched } from "@chorus/testing";
import { startTestGateway, unreachableDatabase } from "../gateway.fixtures.ts";

const env = isolatedPerFile({ nats: true });
let gateway: Awaited<ReturnType<typeof startTestGateway>>;
let browser: Browser;
const database = unreachableDatabase();

beforeAll(async () => {
  env.defer(() => database.close());
  gateway = await startTestGateway({ nats: env.nats, database });
  env.defer(() => gateway.stop());
  browser = await launchChromium();
  env.defer(() => browser.close());
});

/** Opens `path`, refusing and recording every request that is not to the gateway. */
const open = (path: string) => openWatched(browser, gateway.url, path);

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
