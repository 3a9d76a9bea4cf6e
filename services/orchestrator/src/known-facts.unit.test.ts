import { describe, expect, it } from "vitest";
import { knownFacts } from "./known-facts.ts";
import { decide, fold } from "./request/index.ts";
import { accepted, completed, ctxAt, dispatched, REQUEST_ID } from "./request/scenario.fixtures.ts";

describe("known facts", () => {
  it("keeps the first event seen on a subject, by subject suffix", () => {
    const facts = knownFacts();
    facts.remember(completed("summarizer", 5), 10);
    facts.remember(completed("summarizer", 9), 12);
    expect([...facts.of(REQUEST_ID).keys()]).toEqual(["agent.summarizer.completed"]);
    expect(facts.of(REQUEST_ID).get("agent.summarizer.completed")?.seq).toBe(10);
  });

  it("keeps only the end of a request that ended", () => {
    const facts = knownFacts();
    const start = [accepted("parallel", ["summarizer"]), dispatched("summarizer")];
    const end = decide(fold(start), completed("summarizer", 5), ctxAt(5)).events.find((e) => e.type === "RequestCompleted");
    start.forEach((event, i) => facts.remember(event, i + 1));
    expect(facts.of(REQUEST_ID).size).toBe(2);
    facts.remember(end!, 3);
    facts.remember(dispatched("summarizer"), 4);
    expect([...facts.of(REQUEST_ID).keys()]).toEqual(["completed"]);
  });

  it("drops the least recently used request beyond its bound", () => {
    const facts = knownFacts(2);
    const of = (id: string) => ({ ...accepted("parallel", ["summarizer"]), request_id: id });
    facts.remember(of("a"), 1);
    facts.remember(of("b"), 2);
    facts.remember({ ...dispatched("summarizer", 1), request_id: "a" }, 3);
    facts.remember(of("c"), 4);
    expect(facts.size()).toBe(2);
    expect(facts.of("b").size).toBe(0);
    expect(facts.of("a").size).toBe(2);
  });
});
