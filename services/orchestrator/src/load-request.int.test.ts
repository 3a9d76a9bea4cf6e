// The state loader reads the real event stream; what it folds must equal a fold of every event.
import { describe, expect, it } from "vitest";
import type { ChorusEvent } from "@chorus/contracts";
import { publishEvent, type JetStreamManager } from "@chorus/platform";
import { isolatedPerTest } from "@chorus/testing";
import { lastBySubjectLoader } from "./load-request.ts";
import { accepted, acceptedV2, completed, dispatched, ended, failed, REQUEST_ID, started } from "./request/scenario.fixtures.ts";
import { fold, initialState } from "./request/index.ts";

const env = isolatedPerTest({ nats: true });

/** The test's NATS, counting the stream reads made through it. */
function countingReads(): { jsm: JetStreamManager; count: number } {
  const counter = {
    count: 0,
    jsm: {
      streams: {
        getMessage: (...args: Parameters<JetStreamManager["streams"]["getMessage"]>) => {
          counter.count++;
          return env.nats.jsm.streams.getMessage(...args);
        },
      },
    } as unknown as JetStreamManager,
  };
  return counter;
}

async function publishAll(events: ChorusEvent[]) {
  for (const [i, event] of events.entries()) await publishEvent(env.nats.js, env.nats.topology, event, { msgID: `${event.request_id}:${i}` });
}

describe("loading a request's state from the stream", () => {
  it("folds the same in-flight state by last-per-subject lookups as a fold of every event", async () => {
    const events = [
      accepted("sequential", ["summarizer", "sentiment", "entity_extractor"]),
      dispatched("summarizer", 1),
      started("summarizer", 2),
      started("summarizer", 3),
      completed("summarizer", 4),
      dispatched("sentiment", 5, ["summarizer"]),
      failed("sentiment", 6, "timeout"),
      dispatched("entity_extractor", 7, ["summarizer"]),
    ];
    await publishAll(events);
    const bySubject = await lastBySubjectLoader(env.nats.jsm, env.nats.topology).load(REQUEST_ID, { includeStarted: true });
    expect(bySubject.accepted?.data.agents).toEqual(["summarizer", "sentiment", "entity_extractor"]);
    expect(bySubject.runs.sentiment?.outcome?.type).toBe("AgentFailed");
    expect(bySubject.runs.entity_extractor?.dispatched?.context_from).toEqual(["summarizer"]);
    expect(bySubject).toEqual(fold(events));
  });

  it("sees an agent's outcome even when it was stored before its dispatch", async () => {
    const late = dispatched("summarizer", 2);
    await publishAll([accepted("parallel", ["summarizer"]), completed("summarizer", 1), late]);
    const state = await lastBySubjectLoader(env.nats.jsm, env.nats.topology).load(REQUEST_ID);
    expect(state.runs.summarizer?.outcome?.type).toBe("AgentCompleted");
    expect(state.runs.summarizer?.dispatched).toEqual(late.data);
  });

  it("gives the empty state for a request that was never accepted", async () => {
    expect(await lastBySubjectLoader(env.nats.jsm, env.nats.topology).load(REQUEST_ID)).toEqual(initialState);
  });

  it("leaves out whether agents started unless asked, since only resending tasks needs it", async () => {
    await publishAll([accepted("parallel", ["summarizer"]), dispatched("summarizer", 1), started("summarizer", 2)]);
    const { load } = lastBySubjectLoader(env.nats.jsm, env.nats.topology);
    expect((await load(REQUEST_ID)).runs.summarizer?.started).toBe(false);
    expect((await load(REQUEST_ID, { includeStarted: true })).runs.summarizer?.started).toBe(true);
  });

  it("reads again only what it has not seen stored, and still folds what a cold load folds", async () => {
    const reads = countingReads();
    const warm = lastBySubjectLoader(reads.jsm, env.nats.topology).load;
    const cold = lastBySubjectLoader(env.nats.jsm, env.nats.topology, { knownRequests: 0 }).load;
    const agents = ["summarizer", "sentiment"] as const;

    await publishAll([accepted("parallel", [...agents]), dispatched("summarizer", 1), dispatched("sentiment", 2)]);
    await warm(REQUEST_ID);
    // accepted + per agent dispatched, completed, failed; no end while an outcome is missing
    expect(reads.count).toBe(1 + 2 * 3);

    reads.count = 0;
    await publishEvent(env.nats.js, env.nats.topology, completed("summarizer", 3), { msgID: "summarizer-done" });
    const state = await warm(REQUEST_ID);
    // Known now: accepted and both dispatches; read again: both agents' outcomes.
    expect(reads.count).toBe(2 * 2);
    expect(state).toEqual(await cold(REQUEST_ID));
    expect(state.runs.summarizer?.outcome?.type).toBe("AgentCompleted");

    reads.count = 0;
    await warm(REQUEST_ID);
    // The summarizer's outcome is known: only the sentiment's outcomes are read.
    expect(reads.count).toBe(2);

    reads.count = 0;
    await publishEvent(env.nats.js, env.nats.topology, failed("sentiment", 4), { msgID: "sentiment-failed" });
    const last = await warm(REQUEST_ID);
    // Every outcome is in: the sentiment's, then both ends, in case another replica ended it.
    expect(reads.count).toBe(2 + 2);
    expect(last).toEqual(await cold(REQUEST_ID));
  });

  it("reads a version-2 parallel accept's agents without dispatches, and its end only for a request accepted before the given instant", async () => {
    const reads = countingReads();
    const acc = acceptedV2("parallel", ["summarizer", "sentiment"]);
    const events = [acc, completed("summarizer", 1), completed("sentiment", 2)];
    await publishAll(events);
    const acceptedAt = Date.parse(acc.occurred_at);

    const fresh = await lastBySubjectLoader(reads.jsm, env.nats.topology, { knownRequests: 0 }).load(REQUEST_ID, { endUnreadIfAcceptedAfter: acceptedAt - 1 });
    // accepted + per agent completed and failed: no dispatched subject (the accept is the dispatch), no end.
    expect(reads.count).toBe(1 + 2 * 2);
    expect(fresh).toEqual(fold(events));

    reads.count = 0;
    const old = await lastBySubjectLoader(reads.jsm, env.nats.topology, { knownRequests: 0 }).load(REQUEST_ID, { endUnreadIfAcceptedAfter: acceptedAt + 1 });
    expect(reads.count).toBe(1 + 2 * 2 + 2);
    expect(old.runs.sentiment?.outcome?.type).toBe("AgentCompleted");
  });

  it("reads the end first when asked, and stops there for a request that has ended", async () => {
    const reads = countingReads();
    const acc = acceptedV2("parallel", ["summarizer", "sentiment"]);
    const outcomes = [completed("summarizer", 1), failed("sentiment", 2)];
    await publishAll([acc, ...outcomes]);
    const acceptedAt = Date.parse(acc.occurred_at);
    const loader = () => lastBySubjectLoader(reads.jsm, env.nats.topology, { knownRequests: 0 });

    // No end yet: the end's two subjects, then the load as usual (which, for a request this fresh, leaves the end unread).
    const running = await loader().load(REQUEST_ID, { endFirst: true, endUnreadIfAcceptedAfter: acceptedAt - 1 });
    expect(reads.count).toBe(2 + 1 + 2 * 2);
    expect(running).toEqual(fold([acc, ...outcomes]));

    await publishEvent(env.nats.js, env.nats.topology, ended(acc, outcomes, 3, "partial"), { msgID: `${REQUEST_ID}:end` });
    reads.count = 0;
    const done = await loader().load(REQUEST_ID, { endFirst: true, endUnreadIfAcceptedAfter: acceptedAt - 1 });
    expect(reads.count).toBe(1);
    expect(done.end?.type).toBe("RequestCompleted");
  });

  it("reads an unknown request's end only once when asked for the end first", async () => {
    const reads = countingReads();
    const state = await lastBySubjectLoader(reads.jsm, env.nats.topology, { knownRequests: 0 }).load(REQUEST_ID, { endFirst: true });
    // completed, failed, accepted: the end is not read again for want of an accept.
    expect(reads.count).toBe(3);
    expect(state).toEqual(initialState);
  });

  it("reads a failed end on its own subject after the completed one, when asked for the end first", async () => {
    const reads = countingReads();
    const acc = acceptedV2("parallel", ["summarizer"]);
    const outcomes = [failed("summarizer", 1)];
    await publishAll([acc, ...outcomes]);
    await publishEvent(env.nats.js, env.nats.topology, ended(acc, outcomes, 2, "failed"), { msgID: `${REQUEST_ID}:end` });
    const done = await lastBySubjectLoader(reads.jsm, env.nats.topology, { knownRequests: 0 }).load(REQUEST_ID, { endFirst: true });
    expect(reads.count).toBe(2);
    expect(done.end?.type).toBe("RequestFailed");
  });
});
