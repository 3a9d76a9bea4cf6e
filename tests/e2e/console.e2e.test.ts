// The web console (/console) in headless Chromium against the whole pipeline as
// processes, the agents on a scripted OpenAI-compatible server (so there are models and
// tokens to show, and an answer can be held while the page shows the run in flight), and a
// webhook service that gives up after one attempt: a request submitted from the form is
// followed live to completed with its entities highlighted; a failing webhook is retried
// from its button; the table's filters, pages and live rows; deep links pasted into a fresh
// page; a phone, dark mode and the keyboard; a strict CSP and nothing loaded from elsewhere.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { AgentId, RequestView } from "@chorus/contracts";
import {
  completionReply,
  errorReply,
  launchChromium,
  watchedPages,
  postProcess,
  schemaNameOf,
  startOpenAiServer,
  startPipeline,
  startWebhookReceiver,
  type RunningPipeline,
  type ScriptedOpenAiServer,
  type WebhookReceiver,
} from "@chorus/testing";

const TEXT = "Apple opened a new office in Berlin on Monday, and Tim Cook said the $2 billion plan would create 500 jobs by 2027.";
const SECRET = "console-e2e-secret-0123456789";
const LONG = { timeout: 60_000 };

const MODEL = "console-model";
/** What each agent answers; the entity extractor places the entities in the text itself. */
const ANSWERS: Record<AgentId, unknown> = {
  summarizer: { summary: "Apple is opening an office in Berlin.", key_points: ["A new office in Berlin", "A $2 billion plan"] },
  sentiment: { label: "positive", score: 0.6, confidence: 0.9 },
  entity_extractor: {
    entities: [
      { text: "Apple", type: "ORGANIZATION" },
      { text: "Berlin", type: "LOCATION" },
      { text: "Tim Cook", type: "PERSON" },
      { text: "$2 billion", type: "MONEY" },
    ],
  },
};
const USAGE: Record<AgentId, { prompt_tokens: number; completion_tokens: number; total_tokens: number }> = {
  summarizer: { prompt_tokens: 311, completion_tokens: 57, total_tokens: 368 },
  sentiment: { prompt_tokens: 203, completion_tokens: 11, total_tokens: 214 },
  entity_extractor: { prompt_tokens: 425, completion_tokens: 38, total_tokens: 463 },
};

let pipeline: RunningPipeline;
let receiver: WebhookReceiver;
let llm: ScriptedOpenAiServer;
let browser: Browser;
const pages = watchedPages();
/** The summarizer's answers wait for this: a test holds it to see a run in flight. */
let summarizerGate: Promise<unknown> = Promise.resolve();

beforeAll(async () => {
  receiver = await startWebhookReceiver({ status: 500 });
  llm = await startOpenAiServer();
  llm.respondWith((request) => {
    const agent = schemaNameOf(request) as AgentId | undefined;
    if (!agent || !(agent in ANSWERS)) return errorReply(400, `no scripted answer for schema ${String(agent)}`);
    const reply = completionReply(ANSWERS[agent], { model: request.body?.model, usage: USAGE[agent] });
    return agent === "summarizer" ? { ...reply, heldUntil: summarizerGate } : reply;
  });
  pipeline = await startPipeline({
    env: { WEBHOOK_ALLOW_PRIVATE: "true" },
    agentsEnv: { AGENT_PROVIDER: "openai", OPENAI_API_KEY: "test", OPENAI_BASE_URL: llm.baseURL, OPENAI_MODEL: MODEL },
  });
  // One attempt a chain: a failing delivery is exhausted at once, so it can be retried by hand.
  await pipeline.startReplica("webhooks", { WEBHOOK_MAX_RETRIES: "0" });
  browser = await launchChromium();
});

afterAll(async () => {
  // Every page loaded from the gateway only, without a script error.
  expect(pages.problems()).toEqual({ external: [], errors: [] });
  await browser?.close();
  await pipeline?.stop();
  await receiver?.close();
  await llm?.close();
});

async function open(path: string, context?: BrowserContext): Promise<Page> {
  return pages.open(context ?? browser, pipeline.gateway.url, path);
}

async function submitted(body: Record<string, unknown>): Promise<RequestView> {
  const answer = await postProcess(pipeline.gateway.url, body);
  expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(300);
  return answer.body;
}

/** Presses Tab until the focused element matches `selector`; false if it never does within `most` presses. */
async function tabTo(page: Page, selector: string, most = 80): Promise<boolean> {
  for (let i = 0; i < most; i += 1) {
    await page.keyboard.press("Tab");
    if (await page.evaluate<boolean>(`document.activeElement?.matches(${JSON.stringify(selector)}) ?? false`)) return true;
  }
  return false;
}

const summaryStatus = (page: Page) => page.locator(".summary .facts .badge").first();
const rowIds = (page: Page) => page.locator("table.requests tbody tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-request-id")));

describe("the web console", () => {
  it("serves every deep link the same shell with a strict Content-Security-Policy, and its modules from the gateway", async () => {
    for (const path of ["/console", "/console/requests/3b24596a-6abe-494e-aa86-801c170f854c", "/console/submit", "/console/overview"]) {
      const res = await fetch(`${pipeline.gateway.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^text\/html/);
      const policy = res.headers.get("content-security-policy") ?? "";
      expect(policy).toContain("script-src 'self'");
      expect(policy).toContain("style-src 'self'");
      expect(policy).not.toContain("unsafe-inline");
      expect(await res.text()).toContain('src="/console/assets/app.js"');
    }
    const module = await fetch(`${pipeline.gateway.url}/console/assets/app.js`);
    expect(module.headers.get("content-type")).toMatch(/^text\/javascript/);
    for (const missing of ["/console/assets/nothing.js", "/console/assets/index.html", "/console/assets/timeline.unit.test.ts", "/console/assets/..%2Fsrc%2Fmain.ts"]) {
      expect((await fetch(`${pipeline.gateway.url}${missing}`)).status, missing).toBe(404);
    }
  });

  it("submits from the form and follows the new request live to completed, its entities highlighted in the text", async () => {
    let release = () => undefined as void;
    summarizerGate = new Promise<void>((resolve) => (release = resolve));
    const page = await open("/console/submit");
    try {
      // The API's validation answer is shown beside the form, which stays as it was.
      await page.getByLabel("Text").fill("too short");
      await page.getByRole("button", { name: "Submit" }).click();
      await expect.poll(() => page.locator(".submit-form [role=alert]").innerText(), LONG).toMatch(/^Not submitted: .*\ntext: must be \d+ to \d+ characters/s);
      expect(new URL(page.url()).pathname).toBe("/console/submit");
      // The detail is linked to its field, so a screen reader reads it there.
      const text = page.getByLabel("Text");
      expect(await text.getAttribute("aria-invalid")).toBe("true");
      const describedBy = (await text.getAttribute("aria-describedby")) ?? "";
      expect(await page.locator(`[id="${describedBy}"]`).innerText()).toMatch(/^text: must be/);
      await page.getByLabel("Text").fill(TEXT);
      await page.getByLabel(/^ sequential/).check();
      await page.getByRole("button", { name: "Submit" }).click();
      await page.waitForURL(/\/console\/requests\/[0-9a-f-]{36}$/, LONG);
      // Live: the first agent's run is shown in flight, the later ones not dispatched yet, while its answer is held.
      const lanes = () => page.locator(".lane").evaluateAll((els) => els.map((e) => [e.getAttribute("data-agent"), e.getAttribute("data-status")]));
      await expect.poll(lanes, LONG).toEqual([["summarizer", "running"]]);
      await expect.poll(() => summaryStatus(page).textContent(), LONG).toBe("processing");
    } finally {
      release();
      summarizerGate = Promise.resolve();
    }
    await expect.poll(() => summaryStatus(page).textContent(), LONG).toBe("completed");
    await expect.poll(() => page.locator(".summary").innerText(), LONG).toContain("sequential");

    const marks = () => page.locator(".highlighted mark.entity").evaluateAll((els) => els.map((e) => [e.firstChild?.textContent, e.getAttribute("data-type")]));
    await expect.poll(marks, LONG).toEqual([
      ["Apple", "ORGANIZATION"],
      ["Berlin", "LOCATION"],
      ["Tim Cook", "PERSON"],
      ["$2 billion", "MONEY"],
    ]);
    expect(await page.locator(".highlighted").innerText()).toContain("opened a new office in");
    // Sequential: the timeline's runs do not overlap; each agent's lane has completed.
    await expect.poll(() => page.locator(".lane").evaluateAll((els) => els.map((e) => e.getAttribute("data-status"))), LONG).toEqual(["completed", "completed", "completed"]);
    expect(await page.locator("figure.timeline").getAttribute("data-overlapping")).toBe("false");
    await expect.poll(() => page.locator(".event-list .event-type").allTextContents(), LONG).toEqual(expect.arrayContaining(["RequestAccepted", "AgentCompleted", "RequestCompleted"]));
    expect(await page.locator("[data-agent=sentiment] meter").getAttribute("value")).toBe("0.6");
    expect(await page.locator("[data-agent=summarizer] .summary-text").innerText()).toBe("Apple is opening an office in Berlin.");
    expect(await page.locator("[data-agent=summarizer] .key-points li").allInnerTexts()).toEqual(["A new office in Berlin", "A $2 billion plan"]);
    // Model and tokens per agent, and their sum.
    const usage = await page.locator("section[aria-labelledby=h-usage] table").innerText();
    // The time taken may read "870 ms", "1.20 s" or "1 min 3 s" on a loaded machine.
    expect(usage).toMatch(/summarizer\s+completed\s+openai\s+console-model\s+[\d.]+ (?:ms|s|min \d+ s)\s+311\s+57\s+368/);
    expect(usage).toMatch(/All agents\s+939\s+106\s+1045/);
    await page.close();
  });

  it("retries a failing webhook from its button, and shows the new attempt", async () => {
    receiver.respondWith({ status: 500 });
    const view = await submitted({ text: TEXT, webhook_url: receiver.url, webhook_secret: SECRET });
    const page = await open(`/console/requests/${view.request_id}`);
    const webhookStatus = page.locator(".webhook .facts .badge");
    await expect.poll(() => webhookStatus.textContent(), LONG).toBe("exhausted");
    await expect.poll(() => page.locator("table.attempts tbody tr").allInnerTexts(), LONG).toEqual([expect.stringContaining("500")]);

    receiver.respondWith({ status: 204 });
    // From the keyboard: the panel is drawn again as the new attempt comes, and the focus stays on the button.
    await page.getByRole("button", { name: "Retry delivery" }).focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => page.locator(".webhook [role=status]").textContent(), LONG).toContain("Redelivery requested");
    await expect.poll(() => webhookStatus.textContent(), LONG).toBe("delivered");
    await expect.poll(() => page.locator("table.attempts tbody tr").allInnerTexts(), LONG).toEqual([expect.stringContaining("500"), expect.stringContaining("204")]);
    expect(await page.evaluate<string | null>("document.activeElement?.getAttribute('data-focus-key') ?? null")).toBe("retry");
    expect(receiver.received.filter((r) => r.body.includes(view.request_id)).map((r) => r.answered)).toEqual([500, 204]);
    await page.close();
  });

  it("filters the table by mode, agent and status, keeps the filters in the URL, and shows new requests live", async () => {
    const sequential = await submitted({ text: TEXT, orchestration_mode: "sequential", agents: ["summarizer"] });
    const parallel = await submitted({ text: TEXT, agents: ["sentiment", "entity_extractor"] });
    const page = await open("/console?orchestration_mode=sequential");
    await expect.poll(() => rowIds(page), LONG).toContain(sequential.request_id);
    expect(await rowIds(page)).not.toContain(parallel.request_id);
    expect(await page.getByLabel("Mode").inputValue()).toBe("sequential");

    await page.getByLabel("Mode").selectOption("");
    await page.getByLabel("Agent").selectOption("sentiment");
    const onlyParallel = async () => {
      const ids = await rowIds(page);
      return ids.includes(parallel.request_id) && !ids.includes(sequential.request_id);
    };
    await expect.poll(onlyParallel, LONG).toBe(true);
    expect(new URL(page.url()).searchParams.get("agent")).toBe("sentiment");

    // Whether a request of this file failed (under load one may) is the API's to say: the table shows what it answers for the same filter.
    await page.getByLabel("Status").selectOption("failed");
    const failedIds = async () => {
      const res = await fetch(`${pipeline.gateway.url}/api/v1/results?status=failed&agent=sentiment&page_size=20`);
      return ((await res.json()) as { items: { request_id: string }[] }).items.map((r) => r.request_id);
    };
    await expect.poll(async () => JSON.stringify(await rowIds(page)) === JSON.stringify(await failedIds()) && !(await rowIds(page)).includes(parallel.request_id), LONG).toBe(true);
    if ((await failedIds()).length === 0) expect(await page.locator(".empty").textContent()).toContain("No requests match");

    // Live: a request submitted elsewhere shows up without a reload, and the row link that had the focus keeps it.
    await page.getByLabel("Status").selectOption("");
    await expect.poll(() => rowIds(page), LONG).toContain(parallel.request_id);
    const focusedLink = `a[data-focus-key="request:${parallel.request_id}"]`;
    await page.locator(focusedLink).focus();
    const later = await submitted({ text: TEXT, agents: ["sentiment"] });
    await expect.poll(() => rowIds(page), LONG).toContain(later.request_id);
    expect(await page.evaluate<boolean>(`document.activeElement?.matches(${JSON.stringify(focusedLink)}) ?? false`)).toBe(true);
    await page.close();
  });

  it("pages through the table, newest first, the page in the URL", async () => {
    for (let i = 0; i < 3; i += 1) await submitted({ text: TEXT, agents: ["sentiment"] });
    const page = await open("/console?page_size=2");
    await expect.poll(async () => (await rowIds(page)).length, LONG).toBe(2);
    const first = await rowIds(page);
    const pager = page.locator("nav.pager");
    expect(await pager.getByRole("button", { name: "← Newer" }).isDisabled()).toBe(true);
    const pages = Number(/Page 1 of (\d+) · \d+ requests/.exec(await pager.innerText())?.[1]);
    expect(pages).toBeGreaterThanOrEqual(2);
    await pager.getByRole("button", { name: "Older →" }).click();
    await expect.poll(() => page.locator("nav.pager").innerText(), LONG).toMatch(/Page 2 of/);
    await expect.poll(async () => (await rowIds(page)).filter((id) => first.includes(id)), LONG).toEqual([]);
    expect(await rowIds(page)).toHaveLength(2);
    expect(new URL(page.url()).searchParams.get("page")).toBe("2");
    expect(new URL(page.url()).searchParams.get("page_size")).toBe("2");
    await page.close();
  });

  it("opens a pasted deep link, finds a request by id, and says so when no request has the id", async () => {
    const view = await submitted({ text: TEXT });
    const page = await open(`/console/requests/${view.request_id}`);
    await expect.poll(() => page.locator("h1").innerText(), LONG).toContain(view.request_id);
    await expect.poll(() => summaryStatus(page).textContent(), LONG).toBe("completed");
    await page.reload();
    await expect.poll(() => summaryStatus(page).textContent(), LONG).toBe("completed");

    await page.goto(`${pipeline.gateway.url}/console`);
    await page.getByLabel("Find by id").fill(view.request_id.toUpperCase());
    await page.getByRole("button", { name: "Open" }).click();
    await page.waitForURL(`**/console/requests/${view.request_id}`, LONG);
    // Back to the table with the browser's back button: the History API, no reload.
    await page.goBack();
    await expect.poll(() => page.locator("h1").innerText(), LONG).toBe("Requests");

    await page.goto(`${pipeline.gateway.url}/console/requests/0b9f5c1e-4a8a-4d0c-9b56-3f1f0f2a9e11`);
    await expect.poll(() => page.locator("h1").innerText(), LONG).toBe("No such request");
    // Not a request id at all: the console's router does not ask the API.
    await page.goto(`${pipeline.gateway.url}/console/requests/not-a-request-id`);
    await expect.poll(() => page.locator("h1").innerText(), LONG).toBe("Not found");
    // A path that only starts like the console's is not the console's: the browser goes there (the API's 404).
    await page.evaluate(`document.querySelector("main").append(Object.assign(document.createElement("a"), { id: "elsewhere", href: "/consolefoo", textContent: "elsewhere" }))`);
    await page.locator("#elsewhere").click();
    await expect.poll(() => page.evaluate<string>("document.contentType"), LONG).toBe("application/json");
    expect(new URL(page.url()).pathname).toBe("/consolefoo");
    await page.close();
  });

  it("fits a phone, in dark mode, and works from the keyboard alone", async () => {
    const view = await submitted({ text: TEXT });
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, colorScheme: "dark" });
    const page = await open("/console", phone);
    await expect.poll(() => rowIds(page), LONG).toContain(view.request_id);
    // Under load the submission can be answered before the end: the row is tabbed to once it shows the end.
    await expect.poll(() => page.locator(`tr[data-request-id="${view.request_id}"] .badge`).first().textContent(), LONG).toBe("completed");
    const pageWidth = () => page.evaluate<number>("document.documentElement.scrollWidth");
    expect(await pageWidth()).toBeLessThanOrEqual(390);
    // The dark palette, from prefers-color-scheme.
    expect(await page.evaluate<string>("getComputedStyle(document.body).backgroundColor")).toBe("rgb(17, 19, 23)");

    // From the table to the request's page and into its first event, with Tab and Enter only.
    expect(await tabTo(page, `a[href="/console/requests/${view.request_id}"]`)).toBe(true);
    await page.keyboard.press("Enter");
    await page.waitForURL(`**/console/requests/${view.request_id}`, LONG);
    await expect.poll(() => summaryStatus(page).textContent(), LONG).toBe("completed");
    // Every event is in: the list is not growing while it is tabbed through.
    await expect.poll(() => page.locator("main [aria-live]").first().textContent(), LONG).toContain("The request has ended");
    expect(await pageWidth()).toBeLessThanOrEqual(390);
    expect(await tabTo(page, ".event-list summary")).toBe(true);
    await page.keyboard.press("Enter");
    expect(await page.locator(".event-list details").first().getAttribute("open")).not.toBeNull();
    await phone.close();

    const light = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: "light" });
    const wide = await open(`/console/requests/${view.request_id}`, light);
    await expect.poll(() => summaryStatus(wide).textContent(), LONG).toBe("completed");
    expect(await wide.evaluate<string>("getComputedStyle(document.body).backgroundColor")).toBe("rgb(247, 247, 248)");
    expect(await wide.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(1280);
    await light.close();
  });

  it("shows the readiness, health and the last hour's figures on the overview", async () => {
    const page = await open("/console/overview");
    await expect.poll(() => page.locator("main").innerText(), LONG).toContain("Latency, accept to end");
    // Read again every 10 s: a first read while the machine is loaded may not be ready yet.
    await expect.poll(() => page.locator("main").innerText(), LONG).toMatch(/Readiness\s*ok/);
    const text = await page.locator("main").innerText();
    expect(text).toMatch(/Submitted: [1-9]/);
    expect(text).toContain("API keys: off");
    expect(await page.locator("#key-status").innerText()).toContain("Open API (no key) · tenant default");
    expect(await page.locator("svg.chart-plot rect").count()).toBeGreaterThan(0);
    await page.close();
  });
});
