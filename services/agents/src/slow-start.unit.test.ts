// Unit tests of when a run's start is recorded, on fake timers: never for a run that ends
// within the threshold, once (with the instant the run began) for one that does not, and
// always with 0; and the result is handed back only after a recorded start is stored.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { runRecordingSlowStart } from "./slow-start.ts";

const BEGAN = new Date("2026-11-30T10:00:00.000Z");

type Deferred<T> = { promise: Promise<T>; resolve: (value: T) => void; reject: (error: Error) => void };
function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Whether the promise has settled, after letting every pending continuation run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  await vi.advanceTimersByTimeAsync(0);
  return done;
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(BEGAN);
});

afterEach(() => {
  vi.useRealTimers();
});

describe("runRecordingSlowStart", () => {
  it("records no start for a run that ends within the threshold, and hands back when it began", async () => {
    const call = deferred<string>();
    const recordStart = vi.fn(async () => undefined);
    const running = runRecordingSlowStart(() => call.promise, { afterMs: 250, recordStart });

    await vi.advanceTimersByTimeAsync(249);
    call.resolve("answer");
    expect(await running).toEqual({ result: "answer", startedAt: BEGAN.toISOString() });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(recordStart).not.toHaveBeenCalled();
  });

  it("records the start once, with the instant the run began, when the run is still going at the threshold", async () => {
    const call = deferred<string>();
    const recordStart = vi.fn(async (_startedAt: string) => undefined);
    const running = runRecordingSlowStart(() => call.promise, { afterMs: 250, recordStart });

    await vi.advanceTimersByTimeAsync(249);
    expect(recordStart).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(recordStart.mock.calls).toEqual([[BEGAN.toISOString()]]);
    await vi.advanceTimersByTimeAsync(5_000);
    call.resolve("late answer");
    expect(await running).toEqual({ result: "late answer", startedAt: BEGAN.toISOString() });
    expect(recordStart).toHaveBeenCalledTimes(1);
  });

  it("hands the result back only once the recorded start is stored, so the outcome comes after it", async () => {
    const call = deferred<string>();
    const stored = deferred<void>();
    const running = runRecordingSlowStart(() => call.promise, { afterMs: 250, recordStart: () => stored.promise });

    await vi.advanceTimersByTimeAsync(300);
    call.resolve("answer");
    expect(await settled(running)).toBe(false);
    stored.resolve();
    expect(await running).toMatchObject({ result: "answer" });
  });

  it("records every start with 0, before the run is called", async () => {
    const order: string[] = [];
    const result = await runRecordingSlowStart(
      async () => {
        order.push("run");
        return 42;
      },
      {
        afterMs: 0,
        recordStart: async (startedAt) => {
          order.push(`start at ${startedAt}`);
        },
      },
    );
    expect(result).toEqual({ result: 42, startedAt: BEGAN.toISOString() });
    expect(order).toEqual([`start at ${BEGAN.toISOString()}`, "run"]);
  });

  it("rejects with the recording's error when storing the start failed, even though the run succeeded", async () => {
    const call = deferred<string>();
    const running = runRecordingSlowStart(() => call.promise, {
      afterMs: 250,
      recordStart: () => Promise.reject(new Error("no JetStream ack")),
    });
    // Its failure while the run goes on is not an unhandled rejection (vitest fails the run on one).
    await vi.advanceTimersByTimeAsync(1_000);
    call.resolve("answer");
    await expect(running).rejects.toThrow("no JetStream ack");
  });

  it("turns a recorder that throws into a rejection, not an exception out of its timer", async () => {
    const call = deferred<string>();
    const running = runRecordingSlowStart(() => call.promise, {
      afterMs: 250,
      recordStart: () => {
        throw new Error("not connected");
      },
    });
    await vi.advanceTimersByTimeAsync(1_000);
    call.resolve("answer");
    await expect(running).rejects.toThrow("not connected");
  });

  it("passes a failing run's error on, without recording a start for it when it failed quickly", async () => {
    const recordStart = vi.fn(async () => undefined);
    await expect(runRecordingSlowStart(() => Promise.reject(new Error("provider down")), { afterMs: 250, recordStart })).rejects.toThrow("provider down");
    await vi.advanceTimersByTimeAsync(1_000);
    expect(recordStart).not.toHaveBeenCalled();
  });
});
