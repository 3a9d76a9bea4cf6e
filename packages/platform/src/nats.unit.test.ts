import { DiscardPolicy } from "@nats-io/jetstream";
import { errors } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { topology } from "@chorus/contracts";
import { isPermissionViolation, nanos, StreamAwaitedError, streamChanges, streamConfigs } from "./nats.ts";
import { isNatsUnavailable } from "./startup.ts";

const t = topology("chorus");
const [commands, events] = streamConfigs(t, { eventsMaxAgeMs: 0, duplicateWindowMs: 120_000 });
/** A stream as the server reports it: unset ages are 0. */
const stored = (config: typeof commands) => ({ ...config, max_age: config?.max_age ?? 0 });

describe("streamChanges", () => {
  it("leaves a stream that is configured as asked alone, unset max age and all", () => {
    expect(streamChanges(stored(commands), commands!)).toBeUndefined();
    expect(streamChanges(stored(events), events!)).toBeUndefined();
  });

  it("asks for the subjects, max age, duplicate window, size limit and discard policy when any of them differs", () => {
    const want = { subjects: events!.subjects, max_age: events!.max_age, duplicate_window: events!.duplicate_window, max_bytes: -1, discard: DiscardPolicy.New };
    expect(streamChanges({ ...stored(events), max_age: nanos(3_600_000) }, events!)).toEqual(want);
    expect(streamChanges({ ...stored(events), duplicate_window: nanos(60_000) }, events!)).toEqual(want);
    expect(streamChanges({ ...stored(events), subjects: ["chorus.ev.request.>"] }, events!)).toEqual(want);
    expect(streamChanges({ ...stored(events), max_bytes: 1_000_000 }, events!)).toEqual(want);
    // An event stream made by an earlier version dropped its oldest events at a limit.
    expect(streamChanges({ ...stored(events), discard: DiscardPolicy.Old }, events!)).toEqual(want);
  });

  it("refuses new events at the event stream's size limit rather than dropping old ones", () => {
    const [, limited] = streamConfigs(t, { eventsMaxAgeMs: 0, duplicateWindowMs: 120_000, eventsMaxBytes: 5_000_000 });
    expect(limited).toMatchObject({ max_bytes: 5_000_000, discard: DiscardPolicy.New });
    expect(events).toMatchObject({ max_bytes: -1, discard: DiscardPolicy.New });
  });
});

describe("isPermissionViolation", () => {
  const refused = new errors.PermissionViolationError("Permissions Violation for Publish to \"$JS.API.STREAM.CREATE.CHORUS_EVENTS\"", "publish", "$JS.API.STREAM.CREATE.CHORUS_EVENTS");

  it("says yes for a refused request however it is wrapped, and no for anything else", () => {
    expect(isPermissionViolation(new errors.RequestError(refused.message, { cause: refused }))).toBe(true);
    expect(isPermissionViolation(new errors.TimeoutError())).toBe(false);
  });

  it("makes a stream that may not be created something the start-up waits for", () => {
    expect(isNatsUnavailable(new StreamAwaitedError("stream CHORUS_EVENTS does not exist yet", { cause: refused }))).toBe(true);
    expect(isNatsUnavailable(refused)).toBe(false);
  });
});
