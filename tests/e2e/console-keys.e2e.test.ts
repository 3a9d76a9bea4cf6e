// The web console with API keys required, in headless Chromium against the whole
// pipeline: it asks for a key before anything else, refuses one the gateway does not
// accept, keeps the key in sessionStorage only (not in a cookie, localStorage or a URL),
// shows the key's tenant and what it may do (never more of the key than its public
// prefix, and nothing of the bootstrap admin key), follows a request's SSE stream with the key in a header,
// asks again once the key is forgotten or in a new browser session, and says so when a
// pasted link names an erased request (410).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { END_STATUSES } from "@chorus/contracts";
import { bearer, createApiKey, launchChromium, watchedPages, postProcess, startPipeline, type CreatedApiKey, type RunningPipeline } from "@chorus/testing";

const TEXT = "Angela Merkel visited Paris on Friday to discuss a $3 million fund with Siemens.";
const LONG = { timeout: 60_000 };

let pipeline: RunningPipeline;
let browser: Browser;
let reader: CreatedApiKey;
let writer: CreatedApiKey;
let eraser: CreatedApiKey;
const pages = watchedPages();

beforeAll(async () => {
  pipeline = await startPipeline({ auth: true, env: { AGENT_PROVIDER: "local" } });
  reader = await createApiKey(pipeline.gateway.url, pipeline.adminKey!, { tenant: "acme", scopes: ["requests:read"] });
  writer = await createApiKey(pipeline.gateway.url, pipeline.adminKey!, { tenant: "acme", scopes: ["requests:read", "requests:write", "webhooks:write"] });
  eraser = await createApiKey(pipeline.gateway.url, pipeline.adminKey!, { tenant: "acme", scopes: ["requests:read", "requests:write", "requests:erase"] });
  browser = await launchChromium();
});

afterAll(async () => {
  expect(pages.problems()).toEqual({ external: [], errors: [] });
  await browser?.close();
  await pipeline?.stop();
});

async function open(path: string, context?: Awaited<ReturnType<Browser["newContext"]>>): Promise<Page> {
  return pages.open(context ?? browser, pipeline.gateway.url, path);
}

async function enterKey(page: Page, key: string) {
  await page.getByLabel("API key").fill(key);
  await page.getByRole("button", { name: "Use this key" }).click();
}

type Stored = { session: string[]; local: number; cookie: string };
/** What the page keeps: sessionStorage's values, how many localStorage items, its cookies. Run in the page. */
const stored = (page: Page) => page.evaluate<Stored>("({ session: Object.values(sessionStorage), local: localStorage.length, cookie: document.cookie })");

describe("the web console with API keys required", () => {
  it("asks for a key first, refuses one the gateway does not accept, and shows what an accepted one may do", async () => {
    const context = await browser.newContext();
    const page = await open("/console", context);
    await expect.poll(() => page.locator("h1").innerText(), LONG).toBe("API key needed");
    expect(await page.locator("table").count()).toBe(0);

    await enterKey(page, `chorus_sk_${"A".repeat(43)}`);
    await expect.poll(() => page.locator("[role=alert]").innerText(), LONG).toContain("does not accept this key");
    expect((await stored(page)).session).toEqual([]);

    await enterKey(page, reader.key);
    await expect.poll(() => page.locator("h1").innerText(), LONG).toBe("Requests");
    expect(await page.locator("#key-status [data-scopes]").getAttribute("data-scopes")).toBe("requests:read");
    const header = await page.locator("#key-status").innerText();
    expect(header).toContain("may read requests");
    expect(header).toContain("tenant acme");
    // The public prefix only, as the admin API lists it: the rest of the key is its secret.
    expect(header).toContain(`${reader.key.slice(0, 16)}…`);
    expect(header).not.toContain(reader.key.slice(0, 17));
    expect(await stored(page)).toEqual({ session: [reader.key], local: 0, cookie: "" });
    expect(page.url()).not.toContain(reader.key);

    // Kept across a reload of the tab, forgotten on request.
    await page.reload();
    await expect.poll(() => page.locator("h1").innerText(), LONG).toBe("Requests");
    await page.getByRole("button", { name: "Forget key" }).click();
    await expect.poll(() => page.locator("h1").innerText(), LONG).toBe("API key needed");
    expect((await stored(page)).session).toEqual([]);
    await context.close();
  });

  it("submits and follows a request live with the key, and a new browser session asks for the key again", async () => {
    const context = await browser.newContext();
    const page = await open("/console/submit", context);
    await enterKey(page, writer.key);
    await expect.poll(() => page.locator("h1").innerText(), LONG).toBe("Submit text");
    expect(await page.locator("#key-status [data-scopes]").getAttribute("data-scopes")).toBe("requests:write requests:read webhooks:write");
    await page.getByLabel("Text").fill(TEXT);
    await page.getByRole("button", { name: "Submit" }).click();
    await page.waitForURL(/\/console\/requests\/[0-9a-f-]{36}$/, LONG);
    await expect.poll(() => page.locator(".summary .facts .badge").first().textContent(), LONG).toBe("completed");
    // The events came over the SSE stream, which needs the key: the history shows them.
    await expect.poll(() => page.locator(".event-list .event-type").allTextContents(), LONG).toEqual(expect.arrayContaining(["RequestAccepted", "RequestCompleted"]));
    expect(await page.locator(".event-list pre").first().textContent()).toContain('"tenant_id": "acme"');
    const link = page.url();
    await context.close();

    const fresh = await browser.newContext();
    const again = await open(new URL(link).pathname, fresh);
    await expect.poll(() => again.locator("h1").innerText(), LONG).toBe("API key needed");
    await fresh.close();
  });

  it("says a request was erased when its link is opened after the erasure", async () => {
    const { body } = await postProcess(pipeline.gateway.url, { text: TEXT }, bearer(eraser.key));
    // Under load the answer can be a 202 before the end, and a request is erased only once it has ended (else 409).
    const statusOf = async () => ((await (await fetch(`${pipeline.gateway.url}/api/v1/results/${body.request_id}`, { headers: bearer(eraser.key) })).json()) as { status: string }).status;
    await expect.poll(statusOf, LONG).toSatisfy((status: string) => (END_STATUSES as readonly string[]).includes(status));
    const erased = await fetch(`${pipeline.gateway.url}/api/v1/results/${body.request_id}`, { method: "DELETE", headers: bearer(eraser.key) });
    expect(erased.status, await erased.clone().text()).toBeLessThan(300);
    const context = await browser.newContext();
    const page = await open(`/console/requests/${body.request_id}`, context);
    await enterKey(page, eraser.key);
    await expect.poll(() => page.locator("h1").innerText(), LONG).toBe("Request erased");
    expect(await page.locator("main").innerText()).toContain("erased");
    expect(await page.locator("#key-status [data-scopes]").getAttribute("data-scopes")).toBe("requests:write requests:read requests:erase");
    await context.close();
  });

  it("asks again once the key is revoked while the page is open, and keeps the key when the gateway is only unreachable", async () => {
    const doomed = await createApiKey(pipeline.gateway.url, pipeline.adminKey!, { tenant: "acme", scopes: ["requests:read"] });
    const context = await browser.newContext();
    const page = await open("/console", context);
    await enterKey(page, doomed.key);
    await expect.poll(() => page.locator("h1").innerText(), LONG).toBe("Requests");

    // A network failure is not a refusal: the key stays, and is used again once the gateway answers.
    await page.route("**/api/v1/**", (route) => route.abort("connectionrefused"));
    await page.reload();
    await expect.poll(() => page.locator("main").innerText(), LONG).toContain("Could not read the requests");
    expect((await stored(page)).session).toEqual([doomed.key]);
    await page.unroute("**/api/v1/**");
    await page.reload();
    await expect.poll(() => page.locator("#key-status [data-scopes]").getAttribute("data-scopes"), LONG).toBe("requests:read");

    // Revoked: the table's next read is a 401, and the page asks for another key.
    const revoked = await fetch(`${pipeline.gateway.url}/api/v1/admin/keys/${doomed.id}`, { method: "DELETE", headers: bearer(pipeline.adminKey!) });
    expect(revoked.status).toBe(204);
    await expect.poll(() => page.locator("h1").innerText(), LONG).toBe("API key needed");
    expect(await page.locator("main").innerText()).toContain("did not accept the key");
    expect((await stored(page)).session).toEqual([]);
    await context.close();
  });

  it("names the bootstrap admin key only as such, never by any of its characters", async () => {
    const context = await browser.newContext();
    const page = await open("/console/overview", context);
    await enterKey(page, pipeline.adminKey!);
    await expect.poll(() => page.locator("#key-status [data-scopes]").getAttribute("data-scopes"), LONG).toBe("admin");
    const header = await page.locator("#key-status").innerText();
    expect(header).toContain("admin key");
    expect(header).not.toContain(pipeline.adminKey!.slice(0, 8));
    await context.close();
  });
});
