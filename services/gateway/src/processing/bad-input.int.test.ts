import { beforeEach, describe, expect, it } from "vitest";
import { isolatedPerTest } from "@chorus/testing";
import { ErrorBody } from "../http/errors.ts";
import { acceptedCount, startTestGateway, unreachableDatabase } from "../gateway.fixtures.ts";

type TestGateway = Awaited<ReturnType<typeof startTestGateway>>;

const env = isolatedPerTest({ nats: true });
let gateway: TestGateway;

beforeEach(async () => {
  const database = unreachableDatabase();
  env.defer(() => database.close());
  gateway = await startTestGateway({ nats: env.nats, database, settings: { maxTextLength: 10_000, maxBodyBytes: 256 * 1024 } });
  env.defer(() => gateway.stop());
});

const TEXT = "Apple reported record earnings in Cupertino on Tuesday.";

async function expectError(res: Response, status: number, error: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  const body = ErrorBody.strict().parse(await res.json());
  expect(body.error).toBe(error);
  expect(body.message).not.toMatch(/\bat .*\.ts:\d+/); // no stack trace
  return body;
}

const invalidBodies: [string, unknown, string][] = [
  ["a body without text", { orchestration_mode: "parallel" }, "text"],
  ["a text of 9 characters", { text: "123456789" }, "text"],
  ["a text of 8 characters and an emoji (10 UTF-16 units)", { text: "12345678😀" }, "text"],
  ["a blank text", { text: "            " }, "text"],
  ["a number as text", { text: 123 }, "text"],
  ["an unknown orchestration mode", { text: TEXT, orchestration_mode: "random" }, "orchestration_mode"],
  ["an unknown agent", { text: TEXT, agents: ["summarizer", "translator"] }, "agents.1"],
  ["a repeated agent", { text: TEXT, agents: ["sentiment", "sentiment"] }, "agents"],
  ["an empty agent list", { text: TEXT, agents: [] }, "agents"],
  ["agents that are not a list", { text: TEXT, agents: "sentiment" }, "agents"],
  ["a webhook_url without webhook_secret", { text: TEXT, webhook_url: "https://example.com/hook" }, "webhook_secret"],
  ["a webhook_secret shorter than 16 characters", { text: TEXT, webhook_url: "https://example.com/hook", webhook_secret: "short" }, "webhook_secret"],
  ["a webhook_url that is not http(s)", { text: TEXT, webhook_url: "ftp://example.com/hook", webhook_secret: "0123456789abcdef" }, "webhook_url"],
  ["a webhook_url that is not a URL", { text: TEXT, webhook_url: "not a url", webhook_secret: "0123456789abcdef" }, "webhook_url"],
  // What delivery would refuse is refused here (more in webhooks/target.int.test.ts).
  ["a webhook_url with a user and password", { text: TEXT, webhook_url: "https://user:pass@example.com/hook", webhook_secret: "0123456789abcdef" }, "webhook_url"],
  ["a webhook_url with a newline", { text: TEXT, webhook_url: "https://exa\nmple.com/hook", webhook_secret: "0123456789abcdef" }, "webhook_url"],
  ["a webhook_url whose host ends in a dot", { text: TEXT, webhook_url: "https://localhost./hook", webhook_secret: "0123456789abcdef" }, "webhook_url"],
  ["a webhook_url at a cloud metadata name", { text: TEXT, webhook_url: "http://metadata.google.internal/computeMetadata/v1/", webhook_secret: "0123456789abcdef" }, "webhook_url"],
  ["a webhook_url on a port not allowed", { text: TEXT, webhook_url: "https://example.com:8443/hook", webhook_secret: "0123456789abcdef" }, "webhook_url"],
  ["a JSON array instead of an object", [TEXT], "body"],
  // Postgres cannot store U+0000, and a lone surrogate has no UTF-8 form: refused here rather than stuck downstream.
  ["a text with a NUL character", { text: `${TEXT}\u0000` }, "text"],
  ["a text with a lone high surrogate", { text: `${TEXT}\ud800` }, "text"],
  ["a text with a lone low surrogate", { text: `\udc00${TEXT}` }, "text"],
  ["a webhook_secret with a NUL character", { text: TEXT, webhook_url: "https://example.com/hook", webhook_secret: "0123456789abcdef\u0000" }, "webhook_secret"],
];

describe("POST /api/v1/process with bad input", () => {
  it.each(invalidBodies)("answers 422 ValidationError naming the field for %s, and publishes nothing", async (_name, body, field) => {
    const res = await gateway.post(body);
    const error = await expectError(res, 422, "ValidationError");
    expect(error.details?.map((d) => d.field)).toContain(field);
    expect(await acceptedCount(env.nats)).toBe(0);
  });

  it("lists every invalid field, each with its message", async () => {
    const res = await gateway.post({ text: "short", orchestration_mode: "random", agents: ["nope"] });
    const error = await expectError(res, 422, "ValidationError");
    expect(error.details?.map((d) => d.field).sort()).toEqual(["agents.0", "orchestration_mode", "text"]);
    for (const d of error.details ?? []) expect(d.message.length).toBeGreaterThan(0);
    expect(await acceptedCount(env.nats)).toBe(0);
  });

  it("answers 400 MalformedJSON for a body that is not JSON, with no stack trace", async () => {
    const res = await gateway.post('{"text": "unterminated');
    const body = await expectError(res, 400, "MalformedJSON");
    expect(JSON.stringify(body)).not.toContain("SyntaxError");
    expect(await acceptedCount(env.nats)).toBe(0);
  });

  it("answers 400 MalformedJSON for a bare JSON string", async () => {
    await expectError(await gateway.post(JSON.stringify(TEXT)), 400, "MalformedJSON");
    expect(await acceptedCount(env.nats)).toBe(0);
  });

  it("answers 413 PayloadTooLarge for a body over the limit", async () => {
    const res = await gateway.post({ text: "x".repeat(300 * 1024) });
    await expectError(res, 413, "PayloadTooLarge");
    expect(await acceptedCount(env.nats)).toBe(0);
  });

  it("answers 415 for a body that is not declared as JSON", async () => {
    const res = await gateway.post(JSON.stringify({ text: TEXT }), { "content-type": "text/plain" });
    await expectError(res, 415, "UnsupportedMediaType");
    const form = await gateway.post(`text=${encodeURIComponent(TEXT)}`, { "content-type": "application/x-www-form-urlencoded" });
    await expectError(form, 415, "UnsupportedMediaType");
    expect(await acceptedCount(env.nats)).toBe(0);
  });

  it("counts text length in code points: the maximum number of emoji passes, one more fails", async () => {
    const over = await gateway.post({ text: "😀".repeat(10_001) }, { prefer: "respond-async" });
    const error = await expectError(over, 422, "ValidationError");
    expect(error.details?.[0]?.message).toContain("got 10001");
    expect(await acceptedCount(env.nats)).toBe(0);
    const max = await gateway.post({ text: "😀".repeat(10_000) }, { prefer: "respond-async" });
    expect(max.status).toBe(202);
    expect(await acceptedCount(env.nats)).toBe(1);
  });

  it("names the problem for a NUL or a lone surrogate, and where it is", async () => {
    const nul = await expectError(await gateway.post(`{"text": "${TEXT}\\u0000 and more"}`), 422, "ValidationError");
    expect(nul.details?.[0]?.message).toBe(`must not contain the NUL character (U+0000), found at position ${TEXT.length}`);
    const lone = await expectError(await gateway.post(`{"text": "${TEXT} \\ud83d alone"}`), 422, "ValidationError");
    expect(lone.details?.[0]?.message).toContain("unpaired UTF-16 surrogate");
    expect(await acceptedCount(env.nats)).toBe(0);
  });

  it("accepts other control characters and a well-formed surrogate pair", async () => {
    const res = await gateway.post({ text: `${TEXT}\u0001\u001b[31m\t\u007f \ud83d\ude00` }, { prefer: "respond-async" });
    expect(res.status).toBe(202);
    expect(await acceptedCount(env.nats)).toBe(1);
  });

  it("accepts nine ASCII characters and an emoji: ten code points", async () => {
    const res = await gateway.post({ text: "123456789😀" }, { prefer: "respond-async" });
    expect(res.status).toBe(202);
    expect(await acceptedCount(env.nats)).toBe(1);
  });

  it("answers 422 for an Idempotency-Key that is too long", async () => {
    const res = await gateway.post({ text: TEXT }, { "idempotency-key": "k".repeat(256) });
    const error = await expectError(res, 422, "ValidationError");
    expect(error.details?.[0]?.field).toBe("Idempotency-Key");
    expect(await acceptedCount(env.nats)).toBe(0);
  });

  it("answers 404 NotFound in the error shape for an unknown route, and 405 for a wrong method", async () => {
    await expectError(await fetch(`${gateway.url}/api/v1/nothing`), 404, "NotFound");
    const wrong = await fetch(`${gateway.url}/api/v1/process`, { method: "GET" });
    await expectError(wrong, 405, "MethodNotAllowed");
    expect(wrong.headers.get("allow")).toContain("POST");
  });
});
