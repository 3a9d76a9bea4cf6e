// The decider, as given events / when an input / then a decision.
import { describe, expect, it } from "vitest";
import { deadlineAgents, type AgentId, type AgentOutcomeEvent, type EndStatus } from "@chorus/contracts";
import { decide, outstandingDeadlines, outstandingTasks } from "./decide.ts";
import {
  accepted,
  acceptedV2,
  ALL_AGENTS,
  completed,
  ctxAt,
  deadlineCheck,
  dispatched,
  dispatches,
  ended,
  failed,
  given,
  iso,
  OUTPUTS,
  REQUEST_ID,
  sharedDeadline,
  started,
  stateOf,
  submit,
  timedOut,
  TIMEOUT_MS,
} from "./scenario.fixtures.ts";

describe("a request accepted by the gateway", () => {
  it("given its RequestAccepted in the stream, when it is handed over, then every agent of a parallel request is dispatched under the recorded timeout", () => {
    const acc = accepted("parallel", ["summarizer", "sentiment"], 0);
    // The timeout the request was accepted under, not the orchestrator's own setting.
    given(acc).when(acc, { ...ctxAt(3), agentTimeoutMs: 99_999 }).then(dispatches("parallel", ["summarizer", "sentiment"], 3));
  });

  it("given a sequential request accepted, when it is handed over, then only its first agent is dispatched", () => {
    const acc = accepted("sequential", ["entity_extractor", "summarizer"]);
    given(acc).when(acc, ctxAt(0)).then(dispatches("sequential", ["entity_extractor"], 0));
  });

  it("given a request whose load missed its own accept (a lagging read), when it is handed over, then the handed-over accept is used", () => {
    given().when(accepted("parallel", ["sentiment"]), ctxAt(0)).then(dispatches("parallel", ["sentiment"], 0));
  });

  it("given it was already dispatched, when the accept is handed over again, then nothing is decided", () => {
    const acc = accepted("parallel", ["summarizer", "sentiment"]);
    given(acc, dispatched("summarizer"), dispatched("sentiment")).when(acc, ctxAt(1)).thenNothing();
  });
});

describe("a request accepted by the gateway as version 2 (the accept is a parallel request's dispatch)", () => {
  it("given a parallel accept, when it is handed over, then only its agents' one deadline check is scheduled: no dispatch, no task", () => {
    const acc = acceptedV2("parallel", ["summarizer", "sentiment"], 0);
    // The deadline is the accept's (T0 + timeout), whenever the orchestrator gets to it.
    const check = sharedDeadline(["summarizer", "sentiment"], 3);
    given(acc).when(acc, ctxAt(3)).then({ deadlines: [{ ...check, data: { ...check.data, deadline_at: iso(TIMEOUT_MS) } }] });
  });

  it("given a sequential accept, when it is handed over, then its first agent is dispatched as before", () => {
    const acc = acceptedV2("sequential", ["entity_extractor", "summarizer"]);
    given(acc).when(acc, ctxAt(0)).then(dispatches("sequential", ["entity_extractor"], 0));
  });

  it("given every agent's outcome, when the last comes, then the request ends without any AgentDispatched in the stream", () => {
    const acc = acceptedV2("parallel", ["summarizer", "sentiment"]);
    const outcomes = [completed("summarizer"), failed("sentiment")];
    given(acc, ...outcomes)
      .when(outcomes[1]!, ctxAt(30))
      .then({ events: [ended(acc, outcomes, 30, "partial")] });
  });

  it("given an agent silent past the accept's deadline, when the check comes due, then it times out and the request ends", () => {
    const acc = acceptedV2("parallel", ["summarizer", "sentiment"]);
    const done = completed("summarizer");
    const d = decide(stateOf(acc, done), deadlineCheck("sentiment"), ctxAt(TIMEOUT_MS + 1));
    expect(d.events.map((e) => e.type)).toEqual(["AgentFailed", "RequestCompleted"]);
    expect(d.tasks).toEqual([]);
  });

  it("resends no task on a redelivered input (each agent's durable redelivers the accept), but its deadline check", () => {
    const state = stateOf(acceptedV2("parallel"), completed("sentiment"));
    expect(outstandingTasks(state, ctxAt(5))).toEqual([]);
    expect(outstandingDeadlines(state, ctxAt(5)).map((c) => deadlineAgents(c))).toEqual([["summarizer", "entity_extractor"]]);
  });
});

describe("submitting a request (a SubmitRequest of an earlier gateway)", () => {
  it("accepts a parallel request as its agents' dispatch (version 2), under one deadline check", () => {
    given().when(submit("parallel"), ctxAt(0)).then({ events: [acceptedV2("parallel")], deadlines: [sharedDeadline(ALL_AGENTS, 0)] });
  });

  it("accepts a sequential request and dispatches only the first agent", () => {
    given().when(submit("sequential"), ctxAt(0)).then({ events: [acceptedV2("sequential")] }, dispatches("sequential", ["summarizer"], 0));
  });

  it("runs only the agents asked for, in the order given", () => {
    const agents: AgentId[] = ["entity_extractor", "summarizer"];
    given().when(submit("sequential", agents), ctxAt(0)).then({ events: [acceptedV2("sequential", agents)] }, dispatches("sequential", ["entity_extractor"], 0));
    given().when(submit("parallel", ["sentiment"]), ctxAt(0)).then({ events: [acceptedV2("parallel", ["sentiment"])], deadlines: [sharedDeadline(["sentiment"], 0)] });
  });

  it("copies the submitted fields into RequestAccepted, each agent once, with the configured agent timeout", () => {
    const command = submit("sequential", ["sentiment", "summarizer", "sentiment"]);
    const decision = decide(stateOf(), command, { ...ctxAt(5), agentTimeoutMs: 1234 });
    const agents: AgentId[] = ["sentiment", "summarizer"];
    expect(decision.events[0]).toEqual({ ...acceptedV2("sequential", agents, 5), id: expect.any(String), data: { ...command.data, agents, agent_timeout_ms: 1234, dispatch: null } });
    expect(decision.tasks.map((t) => t.data.deadline_at)).toEqual([iso(5 + 1234)]);
  });

  it("does nothing for a retried submit of a request already accepted and dispatched", () => {
    given(accepted("parallel"), dispatched("summarizer"), dispatched("sentiment"), dispatched("entity_extractor")).when(submit("parallel"), ctxAt(10)).thenNothing();
  });

  it("dispatches what a crash between publishes left undone when the submit comes again", () => {
    given(accepted("parallel"), dispatched("summarizer")).when(submit("parallel"), ctxAt(10)).then(dispatches("parallel", ["sentiment", "entity_extractor"], 10));
  });
});

describe("a parallel request's agent outcomes", () => {
  it("waits while other agents have no outcome", () => {
    given(accepted("parallel"), dispatched("summarizer"), dispatched("sentiment"), dispatched("entity_extractor"), completed("sentiment"))
      .when(completed("sentiment"), ctxAt(100))
      .thenNothing();
  });

  it("ends completed when every agent succeeded, with every agent's result and the request's details", () => {
    const acc = accepted("parallel");
    const outcomes = [completed("summarizer"), completed("sentiment"), completed("entity_extractor", 400)] as const;
    const d = given(acc, dispatched("summarizer"), dispatched("sentiment"), dispatched("entity_extractor"), ...outcomes)
      .when(outcomes[2], ctxAt(420))
      .then({ events: [ended(acc, [...outcomes], 420, "completed")] });
    // Results in the order the agents were asked for, as the REST API and the webhook show them.
    const end = d.events[0] as ReturnType<typeof ended>;
    expect(end).toMatchObject({ type: "RequestCompleted", data: { status: "completed", duration_ms: 420 } });
    expect(Object.keys(end.data.results)).toEqual(["summarizer", "sentiment", "entity_extractor"]);
    expect(end.data.results.sentiment).toEqual({ status: "completed", provider: "local", model: "m", duration_ms: 12, usage: null, error: null, output: OUTPUTS.sentiment });
  });

  /** Given every agent dispatched and each outcome but the last recorded, the last one ends the request: that end. */
  function lastOutcomeEnds(status: EndStatus, ...outcomes: AgentOutcomeEvent[]) {
    const acc = accepted("parallel", outcomes.map((o) => o.data.agent));
    const last = outcomes.at(-1) as AgentOutcomeEvent;
    return given(acc, ...outcomes.map((o) => dispatched(o.data.agent)), ...outcomes)
      .when(last, ctxAt(50))
      .then({ events: [ended(acc, outcomes, 50, status)] }).events[0];
  }

  it("ends partial when some agents failed", () => {
    expect(lastOutcomeEnds("partial", completed("summarizer"), failed("sentiment"))).toMatchObject({ type: "RequestCompleted", data: { status: "partial" } });
  });

  it("ends failed, with RequestFailed, when no agent succeeded", () => {
    expect(lastOutcomeEnds("failed", failed("sentiment"), failed("summarizer"))).toMatchObject({ type: "RequestFailed", data: { status: "failed" } });
  });

  it("counts an outcome stored before the agent's AgentDispatched, and does not dispatch that agent again", () => {
    const acc = accepted("parallel", ["summarizer", "sentiment"]);
    const early = completed("summarizer");
    given(acc, early, dispatched("sentiment")).when(early, ctxAt(10)).thenNothing();
    const late = completed("sentiment");
    given(acc, early, started("sentiment"), late).when(late, ctxAt(20)).then({ events: [ended(acc, [early, late], 20, "completed")] });
  });
});

describe("a sequential request's agent outcomes", () => {
  const mode = "sequential";

  it("dispatches the next agent with the earlier output as context", () => {
    const first = completed("summarizer");
    given(accepted(mode), dispatched("summarizer"), first).when(first, ctxAt(100)).then(dispatches(mode, ["sentiment"], 100, { summarizer: OUTPUTS.summarizer }));
  });

  it("passes every earlier output to the third agent", () => {
    const second = completed("sentiment");
    given(accepted(mode), dispatched("summarizer"), completed("summarizer"), dispatched("sentiment", 0, ["summarizer"]), second)
      .when(second, ctxAt(200))
      .then(dispatches(mode, ["entity_extractor"], 200, { summarizer: OUTPUTS.summarizer, sentiment: OUTPUTS.sentiment }));
  });

  it("continues the chain after a failure, leaving the failed agent out of the context", () => {
    const second = failed("sentiment");
    given(accepted(mode), dispatched("summarizer"), completed("summarizer"), dispatched("sentiment"), second)
      .when(second, ctxAt(200))
      .then(dispatches(mode, ["entity_extractor"], 200, { summarizer: OUTPUTS.summarizer }));
  });

  it("ends after the last agent's outcome, partial when one failed", () => {
    const acc = accepted(mode);
    const last = completed("entity_extractor");
    given(acc, dispatched("summarizer"), failed("summarizer"), dispatched("sentiment"), completed("sentiment"), dispatched("entity_extractor"), last)
      .when(last, ctxAt(300))
      .then({ events: [ended(acc, [failed("summarizer"), completed("sentiment"), last], 300, "partial")] });
  });

  it("does not dispatch the next agent twice when the outcome comes again", () => {
    const first = completed("summarizer");
    given(accepted(mode), dispatched("summarizer"), first, dispatched("sentiment", 0, ["summarizer"])).when(first, ctxAt(100)).thenNothing();
  });
});

describe("outcomes that change nothing", () => {
  it("ignores a second outcome for the same agent: the first one stands in the results", () => {
    const acc = accepted("parallel", ["summarizer", "sentiment"]);
    const second = failed("summarizer");
    given(acc, dispatched("sentiment"), completed("summarizer"), second).when(second, ctxAt(10)).thenNothing();
    const last = completed("sentiment");
    given(acc, completed("summarizer"), second, last).when(last, ctxAt(20)).then({ events: [ended(acc, [completed("summarizer"), last], 20, "completed")] });
  });

  it("does nothing once the request has ended", () => {
    const acc = accepted("parallel", ["summarizer"]);
    const end = given(acc, dispatched("summarizer"), completed("summarizer"))
      .when(completed("summarizer"), ctxAt(10))
      .then({ events: [ended(acc, [completed("summarizer")], 10, "completed")] }).events;
    const late = failed("summarizer");
    given(acc, dispatched("summarizer"), completed("summarizer"), ...end, late).when(late, ctxAt(20)).thenNothing();
    given(acc, dispatched("summarizer"), completed("summarizer"), ...end, late).when(submit("parallel", ["summarizer"]), ctxAt(20)).thenNothing();
  });

  it("does nothing for an outcome of a request that was never accepted", () => {
    const orphan = completed("summarizer");
    given(orphan).when(orphan, ctxAt(10)).thenNothing();
  });
});

describe("agent deadlines", () => {
  it("records a timeout AgentFailed once the deadline has passed without an outcome, and ends the request failed", () => {
    const acc = accepted("parallel", ["summarizer"]);
    given(acc, dispatched("summarizer"))
      .when(deadlineCheck("summarizer"), ctxAt(TIMEOUT_MS))
      .then({ events: [timedOut("summarizer"), ended(acc, [timedOut("summarizer")], TIMEOUT_MS, "failed")] });
  });

  it("ends partial when the other agents succeeded", () => {
    const acc = accepted("parallel", ["summarizer", "sentiment"]);
    const at = TIMEOUT_MS + 5;
    given(acc, dispatched("summarizer"), dispatched("sentiment"), completed("sentiment"))
      .when(deadlineCheck("summarizer"), ctxAt(at))
      .then({ events: [timedOut("summarizer", at), ended(acc, [timedOut("summarizer", at), completed("sentiment")], at, "partial")] });
  });

  it("dispatches the next sequential agent after a timeout, without the timed-out agent in its context", () => {
    given(accepted("sequential"), dispatched("summarizer"))
      .when(deadlineCheck("summarizer"), ctxAt(TIMEOUT_MS))
      .then({ events: [timedOut("summarizer")] }, dispatches("sequential", ["sentiment"], TIMEOUT_MS));
  });

  it("times out, in one decision, every agent of a shared deadline that has no outcome", () => {
    const acc = accepted("parallel");
    const shared = { ...deadlineCheck("summarizer"), data: { agents: ["summarizer", "sentiment", "entity_extractor"] as AgentId[], deadline_at: iso(TIMEOUT_MS) } };
    given(acc, dispatched("summarizer"), dispatched("sentiment"), dispatched("entity_extractor"), completed("sentiment"))
      .when(shared, ctxAt(TIMEOUT_MS))
      .then({
        events: [timedOut("summarizer"), timedOut("entity_extractor"), ended(acc, [timedOut("summarizer"), completed("sentiment"), timedOut("entity_extractor")], TIMEOUT_MS, "partial")],
      });
  });

  it("still understands a check scheduled for one agent, the shape an earlier version used", () => {
    const acc = accepted("parallel", ["summarizer"]);
    const legacy = { ...deadlineCheck("summarizer"), data: { agent: "summarizer" as const, deadline_at: iso(TIMEOUT_MS) } };
    given(acc, dispatched("summarizer"))
      .when(legacy, ctxAt(TIMEOUT_MS))
      .then({ events: [timedOut("summarizer"), ended(acc, [timedOut("summarizer")], TIMEOUT_MS, "failed")] });
  });

  it("does nothing before the deadline", () => {
    given(accepted("parallel", ["summarizer"]), dispatched("summarizer")).when(deadlineCheck("summarizer"), ctxAt(TIMEOUT_MS - 1)).thenNothing();
  });

  it("does nothing when the agent already has an outcome and others are still running", () => {
    given(accepted("parallel", ["summarizer", "sentiment"]), dispatched("summarizer"), dispatched("sentiment"), completed("summarizer"))
      .when(deadlineCheck("summarizer"), ctxAt(TIMEOUT_MS))
      .thenNothing();
  });

  it("does nothing once the request has ended, or for a request never accepted", () => {
    const acc = accepted("parallel", ["summarizer", "sentiment"]);
    const timeouts = [timedOut("summarizer"), timedOut("sentiment")];
    const end = ended(acc, timeouts, TIMEOUT_MS, "failed");
    expect(stateOf(acc, ...timeouts, end).end?.type).toBe("RequestFailed");
    given(acc, dispatched("summarizer"), dispatched("sentiment"), ...timeouts, end).when(deadlineCheck("sentiment"), ctxAt(2 * TIMEOUT_MS)).thenNothing();
    given().when(deadlineCheck("sentiment"), ctxAt(2 * TIMEOUT_MS)).thenNothing();
  });
});

describe("resending tasks after a crash", () => {
  it("resends the task of an agent recorded as dispatched that shows no sign of running, with its original deadline and context", () => {
    const state = stateOf(accepted("sequential"), completed("summarizer", 10), dispatched("sentiment", 20, ["summarizer"]));
    const tasks = outstandingTasks(state, ctxAt(30));
    expect(tasks.map((t) => [t.data.agent, t.data.deadline_at, t.data.context])).toEqual([["sentiment", iso(20 + TIMEOUT_MS), { summarizer: OUTPUTS.summarizer }]]);
  });

  it("resends nothing for agents that started, have an outcome, or once the request ended", () => {
    const running = stateOf(accepted("parallel"), dispatched("summarizer", 1), started("summarizer", 2), dispatched("sentiment", 1), completed("sentiment", 3));
    expect(outstandingTasks(running, ctxAt(5))).toEqual([]);
  });

  it("schedules again the deadline of every dispatched agent without an outcome, started or not, one check per deadline", () => {
    const state = stateOf(accepted("parallel"), dispatched("summarizer", 1), started("summarizer", 2), dispatched("sentiment", 1), dispatched("entity_extractor", 4), completed("entity_extractor", 5));
    const checks = outstandingDeadlines(state, ctxAt(6));
    expect(checks.map((c) => [c.type, c.request_id, deadlineAgents(c), c.data.deadline_at])).toEqual([["CheckAgentDeadline", REQUEST_ID, ["summarizer", "sentiment"], iso(1 + TIMEOUT_MS)]]);
    expect(outstandingDeadlines(stateOf(accepted("parallel", ["sentiment"]), dispatched("sentiment", 1), completed("sentiment", 2)), ctxAt(3))).toEqual([]);
  });
});
