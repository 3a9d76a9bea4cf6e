import { describe, expect, it } from "vitest";
import { correlationIdFrom } from "./correlation.ts";
import { allowedOrigin } from "./cors.ts";
import { ApiError, unavailable } from "../errors.ts";
import { httpErrorOf } from "./error-mapping.ts";

const limits = { maxBodyBytes: 1024 };

describe("correlationIdFrom", () => {
  it("prefers X-Correlation-ID, then X-Request-ID, else makes one", () => {
    expect(correlationIdFrom({ "x-correlation-id": "c-1", "x-request-id": "r-1" })).toBe("c-1");
    expect(correlationIdFrom({ "x-request-id": "r-1" })).toBe("r-1");
    expect(correlationIdFrom({})).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("replaces a value that is too long or has spaces or control characters", () => {
    expect(correlationIdFrom({ "x-correlation-id": "x".repeat(201) })).toMatch(/^[0-9a-f-]{36}$/);
    expect(correlationIdFrom({ "x-correlation-id": "a b" })).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("allowedOrigin", () => {
  it("allows any origin with *, else only the listed ones", () => {
    expect(allowedOrigin(["*"], "https://x.example")).toBe("*");
    expect(allowedOrigin(["https://a.example"], "https://a.example")).toBe("https://a.example");
    expect(allowedOrigin(["https://a.example"], "https://b.example")).toBe("");
    expect(allowedOrigin(["https://a.example"], undefined)).toBe("");
  });
});

describe("httpErrorOf", () => {
  it("answers an ApiError with its code's status and its own message", () => {
    const e = new ApiError("IdempotencyKeyReused", "m", { requestId: "r-1" });
    expect(httpErrorOf(e, limits)).toEqual({ status: 422, headers: {}, body: { error: "IdempotencyKeyReused", message: "m", request_id: "r-1" } });
  });

  it("maps the body parser's errors: invalid JSON to 400, too large to 413", () => {
    const syntax = Object.assign(new SyntaxError("Unexpected end"), { status: 400, body: "{" });
    expect(httpErrorOf(syntax, limits)).toMatchObject({ status: 400, body: { error: "MalformedJSON" } });
    const tooLarge = Object.assign(new Error("request entity too large"), { status: 413, type: "entity.too.large" });
    expect(httpErrorOf(tooLarge, limits)).toMatchObject({ status: 413, body: { error: "PayloadTooLarge", message: "request body is larger than 1024 bytes" } });
  });

  it("turns anything unknown into a 500 that reveals nothing", () => {
    const e = httpErrorOf(new TypeError("x is undefined at /srv/app.ts:12"), limits);
    expect(e.body).toEqual({ error: "InternalError", message: "internal error" });
    expect(e.status).toBe(500);
  });

  it("asks for a retry only when one may succeed, and never shows an internal error's message", () => {
    expect(httpErrorOf(unavailable("the database"), limits)).toMatchObject({ status: 503, headers: { "Retry-After": "5" }, body: { error: "Unavailable" } });
    expect(httpErrorOf(new ApiError("Unavailable", "inbound webhooks are not configured"), limits).headers).toEqual({});
    expect(httpErrorOf(new ApiError("InternalError", "secret detail"), limits).body).toEqual({ error: "InternalError", message: "internal error" });
  });
});
