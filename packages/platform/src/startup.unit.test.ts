import { Writable } from "node:stream";
import { JetStreamApiError } from "@nats-io/jetstream";
import { errors } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { ConfigError } from "./errors.ts";
import { createLogger } from "./logger.ts";
import { isNatsUnavailable, retryWhileNatsUnavailable } from "./startup.ts";

const apiError = (err_code: number, code: number, description: string) => new JetStreamApiError({ err_code, code, description });

function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger("test", "info", sink), lines };
}

describe("isNatsUnavailable", () => {
  it.each([
    ["no server listening", new errors.ConnectionError("connection refused")],
    ["a request that timed out", new errors.TimeoutError()],
    ["a request with no responders", new errors.RequestError("no responders", { cause: new errors.NoRespondersError("$JS.API.INFO") })],
    ["no meta leader (10008)", apiError(10008, 503, "JetStream system temporarily unavailable")],
    ["replicas not placeable yet (10005)", apiError(10005, 400, "no suitable peers for placement")],
    ["a stream without a leader (10118)", apiError(10118, 500, "stream is offline")],
    ["any other 503", apiError(10039, 503, "JetStream not enabled for account")],
    ["an error that wraps a timeout", new Error("could not ensure the durable", { cause: new errors.TimeoutError() })],
  ])("says yes for %s", (_, err) => {
    expect(isNatsUnavailable(err)).toBe(true);
  });

  it.each([
    ["a conflicting stream (10058)", apiError(10058, 400, "stream name already in use with a different configuration")],
    ["overlapping subjects (10065)", apiError(10065, 400, "subjects overlap with an existing stream")],
    ["a configuration error", new ConfigError("NATS_URL: invalid")],
    ["a bug", new TypeError("cannot read properties of undefined")],
    ["something that is not an error", "timeout"],
  ])("says no for %s", (_, err) => {
    expect(isNatsUnavailable(err)).toBe(false);
  });
});

describe("retryWhileNatsUnavailable", () => {
  it("runs the step again while NATS is unavailable, logging one line per retry and saying why it waits", async () => {
    const { logger, lines } = capturedLogger();
    const waiting: string[] = [];
    let calls = 0;
    const result = await retryWhileNatsUnavailable(
      "ensuring streams",
      async () => {
        calls += 1;
        if (calls === 1) throw new errors.TimeoutError();
        if (calls === 2) throw apiError(10008, 503, "JetStream system temporarily unavailable");
        return "ready";
      },
      { logger, onWaiting: (reason) => waiting.push(reason), minDelayMs: 1, maxDelayMs: 2 },
    );
    expect(result).toBe("ready");
    expect(calls).toBe(3);
    expect(lines).toMatchObject([
      { level: 40, service: "test", step: "ensuring streams", attempt: 1, error: "TimeoutError: timeout", msg: "ensuring streams: NATS is not available yet; retrying" },
      { level: 40, step: "ensuring streams", attempt: 2, error: "JetStream system temporarily unavailable (10008)" },
    ]);
    expect(waiting).toEqual(["ensuring streams: TimeoutError: timeout", "ensuring streams: JetStream system temporarily unavailable (10008)"]);
  });

  it("fails at once, without a retry line, on an error that is not about NATS being unavailable", async () => {
    const { logger, lines } = capturedLogger();
    let calls = 0;
    const conflict = apiError(10058, 400, "stream name already in use with a different configuration");
    await expect(
      retryWhileNatsUnavailable(
        "ensuring streams",
        async () => {
          calls += 1;
          throw conflict;
        },
        { logger, minDelayMs: 1 },
      ),
    ).rejects.toBe(conflict);
    expect(calls).toBe(1);
    expect(lines).toEqual([]);
  });

  it("stops waiting when its signal aborts", async () => {
    const { logger } = capturedLogger();
    const stop = new AbortController();
    const stopped = new Error("stopping");
    const run = retryWhileNatsUnavailable(
      "connecting to NATS",
      async () => {
        stop.abort(stopped);
        throw new errors.ConnectionError("connection refused");
      },
      { logger, signal: stop.signal, minDelayMs: 1 },
    );
    await expect(run).rejects.toBe(stopped);
  });
});
