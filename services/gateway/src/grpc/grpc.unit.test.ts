import { describe, expect, it } from "vitest";
import { status } from "@grpc/grpc-js";
import { ApiError, notFound, unavailable, validationError } from "../errors.ts";
import { COMPLETED_VIEW_EXAMPLE, PENDING_VIEW_EXAMPLE } from "../openapi/examples.ts";
import { listQueryOf, processBodyOf, requestMessage } from "./messages.ts";
import { grpcFailure, submitWaitMs } from "./status.ts";
import { toStruct, toTimestamp } from "@chorus/contracts";

describe("gRPC statuses of the API's errors", () => {
  it("maps validation, not found, a reused key and unavailability, keeping REST's message", () => {
    expect(grpcFailure(validationError([{ field: "text", message: "too short" }]))).toEqual({ code: status.INVALID_ARGUMENT, details: "invalid request: text: too short" });
    expect(grpcFailure(notFound("no request x"))).toEqual({ code: status.NOT_FOUND, details: "no request x" });
    expect(grpcFailure(new ApiError("IdempotencyKeyReused", "reused")).code).toBe(status.ALREADY_EXISTS);
    expect(grpcFailure(unavailable("the database"))).toEqual({ code: status.UNAVAILABLE, details: "the database is unavailable; try again shortly" });
  });

  it("says nothing about the inside for anything else", () => {
    expect(grpcFailure(new Error("secret stack"))).toEqual({ code: status.INTERNAL, details: "internal error" });
    expect(grpcFailure(new ApiError("InternalError", "boom"))).toEqual({ code: status.INTERNAL, details: "internal error" });
  });
});

describe("how long a gRPC Submit waits", () => {
  it("waits the server's bound without a deadline, and leaves time to answer before one", () => {
    expect(submitWaitMs({ boundMs: 30_000, deadlineMs: undefined, nowMs: 0 })).toBe(30_000);
    expect(submitWaitMs({ boundMs: 30_000, deadlineMs: 5_000, nowMs: 0 })).toBe(4_500);
    expect(submitWaitMs({ boundMs: 30_000, deadlineMs: 100_000, nowMs: 0 })).toBe(30_000);
    expect(submitWaitMs({ boundMs: 30_000, deadlineMs: 40, nowMs: 0 })).toBe(0);
  });
});

describe("chorus.v1 messages", () => {
  it("read proto3's empty values in a Submit as not given", () => {
    const empty = { text: "hello there", orchestration_mode: "ORCHESTRATION_MODE_UNSPECIFIED", agents: [], webhook_url: "", webhook_secret: "", idempotency_key: "", respond_async: false };
    expect(processBodyOf(empty)).toEqual({ text: "hello there" });
    expect(processBodyOf({ ...empty, orchestration_mode: "ORCHESTRATION_MODE_SEQUENTIAL", agents: ["sentiment"], webhook_url: "https://x.test/h", webhook_secret: "s" })).toEqual({
      text: "hello there",
      orchestration_mode: "sequential",
      agents: ["sentiment"],
      webhook_url: "https://x.test/h",
      webhook_secret: "s",
    });
    expect(listQueryOf({ page: 0, page_size: 0, status: "" })).toEqual({});
    expect(listQueryOf({ page: 2, page_size: 5, status: "failed" })).toEqual({ page: 2, page_size: 5, status: "failed" });
  });

  it("carry a request's fields, times and outputs", () => {
    const m = requestMessage(COMPLETED_VIEW_EXAMPLE);
    expect(m.orchestration_mode).toBe("ORCHESTRATION_MODE_PARALLEL");
    expect(m.created_at).toEqual({ seconds: String(Date.parse("2026-11-24T10:00:00.000Z") / 1000), nanos: 0 });
    expect(m.completed_at).toEqual({ seconds: String(Date.parse("2026-11-24T10:00:00.000Z") / 1000), nanos: 420_000_000 });
    expect(m.results.sentiment?.output).toEqual(toStruct({ label: "positive", score: 0.62, confidence: 0.8 }));
    const pending = requestMessage(PENDING_VIEW_EXAMPLE);
    expect(pending.completed_at).toBeNull();
    expect(pending.results.summarizer).toEqual({ status: "pending", provider: "", model: "", usage: null, error: null, output: null });
    expect(pending.webhook).toEqual({ url: "https://example.com/hooks/chorus", status: "pending", attempts: 0, delivered_at: null });
  });

  it("encode nested JSON as a Struct and ISO times as Timestamps", () => {
    expect(toStruct({ a: [1, "x", null, { b: true }] })).toEqual({
      fields: { a: { listValue: { values: [{ numberValue: 1 }, { stringValue: "x" }, { nullValue: "NULL_VALUE" }, { structValue: { fields: { b: { boolValue: true } } } }] } } },
    });
    expect(toTimestamp("1970-01-01T00:00:01.5Z")).toEqual({ seconds: "1", nanos: 500_000_000 });
  });
});
