import { describe, expect, it } from "vitest";
import { ChorusError } from "@chorus/platform";
import { correlationIdFrom } from "./correlation.ts";
import { allowedOrigin } from "./cors.ts";
import { ApiError } from "./errors.ts";
import { toApiError } from "./error-mapping.ts";

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

describe("toApiError", () => {
  it("keeps an ApiError as it is", () => {
    const e = new ApiError(422, "IdempotencyKeyReused", "m");
    expect(toApiError(e, limits)).toBe(e);
  });

  it("maps the body parser's errors: invalid JSON to 400, too large to 413", () => {
    const syntax = Object.assign(new SyntaxError("Unexpected end"), { status: 400, body: "{" });
    expect(toApiError(syntax, limits)).toMatchObject({ status: 400, error: "MalformedJSON" });
    const tooLarge = Object.assign(new Error("request entity too large"), { status: 413, type: "entity.too.large" });
    expect(toApiError(tooLarge, limits)).toMatchObject({ status: 413, error: "PayloadTooLarge", message: "request body is larger than 1024 bytes" });
  });

  it("turns anything unknown into a 500 that reveals nothing", () => {
    const e = toApiError(new TypeError("x is undefined at /srv/app.ts:12"), limits);
    expect(e.toBody()).toEqual({ error: "InternalError", message: "internal error" });
    expect(e.status).toBe(500);
  });

  it("maps platform ChorusErrors by code", () => {
    expect(toApiError(new ChorusError("Unavailable", "down"), limits)).toMatchObject({ status: 503, error: "Unavailable" });
    expect(toApiError(new ChorusError("Internal", "secret detail"), limits).toBody()).toEqual({ error: "InternalError", message: "internal error" });
  });
});
