// The decider, as given events / when an input / then a decision.
import { describe, expect, it } from "vitest";
import { deadlineAgents, type AgentId, type EventOf } from "@chorus/contracts";
import { decide, outstandingDeadlines, outstandingTasks } from "./decide.ts";
import {
  accepted,
  completed,
  ctxAt,
  deadlineCheck,
  dispatched,
  failed,
  given,
  iso,
  OUTPUTS,
  REQUEST_ID,
  started,
  submit,
  TIMEOUT_MS,
  types,
  valid,
} from "./scenario.ts";

const endOf = (events: { type: string }[]) => events.find((e) => e.type === "RequestCompleted" || e.type === "RequestFailed") as
  | EventOf<"RequestCompleted">
  | EventOf<"RequestFailed">
  | undefined;

describe("a request accepted by the gateway", () => {
  it("given its RequestAccepted in the stream, when it is handed over, then every agent of a parallel request is dispatched under the recorded timeout", () => {
    const acc = accepted("parallel", ["summarizer", "sentiment"], 0);
    const d = valid(decide(given(acc), acc, { ...ctxAt(3), agentTimeoutMs: 99_999 }));
    expect(types(d)).toEqual(["AgentDispatched", "AgentDispatched"]);
    expect(d.tasks.map((t) => t.data.agent)).toEqual(["summarizer", "sentiment"]);
    // The timeout the request was accepted under, not the orchestrator's own setting.
    expect(d.deadlines.map((c) => [deadlineAgents(c), c.data.deadline_at])).toEqual([[["summarizer", "sentiment"], iso(3 + TIMEOUT_MS)]]);
  });

  it("given a sequential request accepted, when it is handed over, then only its first agent is dispatched", () => {
    const acc = accepted("sequential", ["entity_extractor", "summarizer"]);
    expect(valid(decide(given(acc), acc, ctxAt(0))).tasks.map((t) => t.data.agent)).toEqual(["entity_extractor"]);
  });

  it("given a request whose load missed its own accept (a lagging read), when it is handed over, then the handed-over accept is used", () => {
    const acc = accepted("parallel", ["sentiment"]);
    expect(types(decide(given(), acc, ctxAt(0)))).toEqual(["AgentDispatched"]);
  });

  it("given it was already dispatched, when the accept is handed over again, then nothing is decided", () => {
    const acc = accepted("parallel", ["summarizer", "sentiment"]);
    expect(decide(given(acc, dispatched("summarizer"), dispatched("sentiment")), acc, ctxAt(1))).toEqual({ events: [], tasks: [], deadlines: [] });
  });
});

describe("submitting a request (a SubmitRequest of an earlier gateway)", () => {
  it("accepts a parallel request and dispatches every agent at once, each with a task, under one deadline check", () => {
    const d = valid(decide(given(), submit("parallel"), ctxAt(0)));
    expect(types(d)).toEqual(["RequestAccepted", "AgentDispatched", "AgentDispatched", "AgentDispatched"]);
    expect(d.tasks.map((t) => t.data.agent)).toEqual(["summarizer", "sentiment", "entity_extractor"]);
    expect(d.deadlines.map(deadlineAgents)).toEqual([["summarizer", "sentiment", "entity_extractor"]]);
    for (const task of d.tasks) {
      expect(task.data.context).toEqual({});
      expect(task.data.deadline_at).toBe(iso(TIMEOUT_MS));
      expect(task.request_id).toBe(REQUEST_ID);
    }
    expect(d.deadlines.every((c) => c.data.deadline_at === iso(TIMEOUT_MS))).toBe(true);
  });

  it("accepts a sequential request and dispatches only the first agent", () => {
    const d = valid(decide(given(), submit("sequential"), ctxAt(0)));
    expect(types(d)).toEqual(["RequestAccepted", "AgentDispatched"]);
    expect(d.tasks.map((t) => t.data.agent)).toEqual(["summarizer"]);
    expect(d.deadlines.map(deadlineAgents)).toEqual([["summarizer"]]);
  });

  it("runs only the agents asked for, in the order given", () => {
    const d = valid(decide(given(), submit("sequential", ["entity_extractor", "summarizer"]), ctxAt(0)));
    expect(d.tasks.map((t) => t.data.agent)).toEqual(["entity_extractor"]);
    const parallel = decide(given(), submit("parallel", ["sentiment"]), ctxAt(0));
    expect(parallel.tasks.map((t) => t.data.agent)).toEqual(["sentiment"]);
  });

  it("copies the submitted fields into RequestAccepted, with the configured agent timeout", () => {
    const command = submit("sequential", ["sentiment", "summarizer", "sentiment"]);
    const d = decide(given(), command, { ...ctxAt(5), agentTimeoutMs: 1234 });
    const ev = d.events[0] as EventOf<"RequestAccepted">;
    expect(ev.type).toBe("RequestAccepted");
    expect(ev.data).toEqual({
      text: command.data.text,
      orchestration_mode: "sequential",
      agents: ["sentiment", "summarizer"],
      webhook: command.data.webhook,
      idempotency_key: "key-1",
      fingerprint: command.data.fingerprint,
      agent_timeout_ms: 1234,
    });
    expect(ev.occurred_at).toBe(iso(5));
    expect(ev.correlation_id).toBe(command.correlation_id);
    expect(d.tasks[0]?.data.deadline_at).toBe(iso(5 + 1234));
  });

  it("does nothing for a retried submit of a request already accepted and dispatched", () => {
    const state = given(accepted("parallel"), dispatched("summarizer"), dispatched("sentiment"), dispatched("entity_extractor"));
    expect(decide(state, submit("parallel"), ctxAt(10))).toEqual({ events: [], tasks: [], deadlines: [] });
  });

  it("dispatches what a crash between publishes left undone when the submit comes again", () => {
    const state = given(accepted("parallel"), dispatched("summarizer"));
    const d = valid(decide(state, submit("parallel"), ctxAt(10)));
    expect(types(d)).toEqual(["AgentDispatched", "AgentDispatched"]);
    expect(d.tasks.map((t) => t.data.agent)).toEqual(["sentiment", "entity_extractor"]);
  });
});

describe("a parallel request's agent outcomes", () => {
  it("waits while other agents have no outcome", () => {
    const state = given(accepted("parallel"), dispatched("summarizer"), dispatched("sentiment"), dispatched("entity_extractor"), completed("sentiment"));
    expect(decide(state, completed("sentiment"), ctxAt(100))).toEqual({ events: [], tasks: [], deadlines: [] });
  });

  it("ends completed when every agent succeeded, with every agent's result and the request's details", () => {
    const acc = accepted("parallel");
    const last = completed("entity_extractor", 400);
    const state = given(acc, dispatched("summarizer"), dispatched("sentiment"), dispatched("entity_extractor"), completed("summarizer"), completed("sentiment"), last);
    const d = valid(decide(state, last, ctxAt(420)));
    expect(types(d)).toEqual(["RequestCompleted"]);
    const end = endOf(d.events);
    expect(end?.data.status).toBe("completed");
    expect(end?.data.duration_ms).toBe(420);
    expect(end?.data.created_at).toBe(acc.occurred_at);
    expect(end?.data.webhook).toEqual(acc.data.webhook);
    expect(end?.data.orchestration_mode).toBe("parallel");
    expect(end?.data.agents).toEqual(["summarizer", "sentiment", "entity_extractor"]);
    expect(end?.data.results.sentiment).toEqual({
      status: "completed",
      provider: "local",
      model: "m",
      duration_ms: 12,
      usage: null,
      error: null,
      output: OUTPUTS.sentiment,
    });
    expect(Object.keys(end?.data.results ?? {})).toEqual(["summarizer", "sentiment", "entity_extractor"]);
    expect(d.tasks).toEqual([]);
  });

  it("ends partial when some agents failed", () => {
    const last = failed("sentiment");
    const state = given(accepted("parallel", ["summarizer", "sentiment"]), dispatched("summarizer"), dispatched("sentiment"), completed("summarizer"), last);
    const end = endOf(valid(decide(state, last, ctxAt(50))).events);
    expect(end?.type).toBe("RequestCompleted");
    expect(end?.data.status).toBe("partial");
    expect(end?.data.results.sentiment).toMatchObject({ status: "failed", output: null, error: { code: "provider_error", message: "it broke" } });
  });

  it("ends failed, with RequestFailed, when no agent succeeded", () => {
    const last = failed("summarizer");
    const state = given(accepted("parallel", ["sentiment", "summarizer"]), dispatched("sentiment"), dispatched("summarizer"), failed("sentiment"), last);
    const d = valid(decide(state, last, ctxAt(50)));
    expect(types(d)).toEqual(["RequestFailed"]);
    expect(endOf(d.events)?.data.status).toBe("failed");
  });

  it("counts an outcome stored before the agent's AgentDispatched, and does not dispatch that agent again", () => {
    const early = completed("summarizer");
    const state = given(accepted("parallel", ["summarizer", "sentiment"]), early, dispatched("sentiment"));
    expect(decide(state, early, ctxAt(10))).toEqual({ events: [], tasks: [], deadlines: [] });
    const late = completed("sentiment");
    const end = endOf(valid(decide(given(accepted("parallel", ["summarizer", "sentiment"]), early, started("sentiment"), late), late, ctxAt(20))).events);
    expect(end?.data.status).toBe("completed");
  });
});

describe("a sequential request's agent outcomes", () => {
  const mode = "sequential";

  it("dispatches the next agent with the earlier output as context", () => {
    const first = completed("summarizer");
    const state = given(accepted(mode), dispatched("summarizer"), first);
    const d = valid(decide(state, first, ctxAt(100)));
    expect(types(d)).toEqual(["AgentDispatched"]);
    expect(d.tasks).toHaveLength(1);
    expect(d.tasks[0]?.data.agent).toBe("sentiment");
    expect(d.tasks[0]?.data.context).toEqual({ summarizer: OUTPUTS.summarizer });
    expect(d.tasks[0]?.data.deadline_at).toBe(iso(100 + TIMEOUT_MS));
    expect((d.events[0] as EventOf<"AgentDispatched">).data.context_from).toEqual(["summarizer"]);
    expect(d.deadlines.map((c) => [deadlineAgents(c), c.data.deadline_at])).toEqual([[["sentiment"], iso(100 + TIMEOUT_MS)]]);
  });

  it("passes every earlier output to the third agent", () => {
    const second = completed("sentiment");
    const state = given(accepted(mode), dispatched("summarizer"), completed("summarizer"), dispatched("sentiment", 0, ["summarizer"]), second);
    const d = valid(decide(state, second, ctxAt(200)));
    expect(d.tasks[0]?.data.agent).toBe("entity_extractor");
    expect(d.tasks[0]?.data.context).toEqual({ summarizer: OUTPUTS.summarizer, sentiment: OUTPUTS.sentiment });
  });

  it("continues the chain after a failure, leaving the failed agent out of the context", () => {
    const second = failed("sentiment");
    const state = given(accepted(mode), dispatched("summarizer"), completed("summarizer"), dispatched("sentiment"), second);
    const d = valid(decide(state, second, ctxAt(200)));
    expect(d.tasks[0]?.data.agent).toBe("entity_extractor");
    expect(d.tasks[0]?.data.context).toEqual({ summarizer: OUTPUTS.summarizer });
  });

  it("ends after the last agent's outcome, partial when one failed", () => {
    const last = completed("entity_extractor");
    const state = given(
      accepted(mode),
      dispatched("summarizer"),
      failed("summarizer"),
      dispatched("sentiment"),
      completed("sentiment"),
      dispatched("entity_extractor"),
      last,
    );
    const d = valid(decide(state, last, ctxAt(300)));
    expect(types(d)).toEqual(["RequestCompleted"]);
    expect(d.tasks).toEqual([]);
    expect(endOf(d.events)?.data.status).toBe("partial");
    expect(endOf(d.events)?.data.orchestration_mode).toBe("sequential");
  });

  it("does not dispatch the next agent twice when the outcome comes again", () => {
    const first = completed("summarizer");
    const state = given(accepted(mode), dispatched("summarizer"), first, dispatched("sentiment", 0, ["summarizer"]));
    expect(decide(state, first, ctxAt(100))).toEqual({ events: [], tasks: [], deadlines: [] });
  });
});

describe("outcomes that change nothing", () => {
  it("ignores a second outcome for the same agent: the first one stands in the results", () => {
    const acc = accepted("parallel", ["summarizer", "sentiment"]);
    const second = failed("summarizer");
    expect(decide(given(acc, dispatched("sentiment"), completed("summarizer"), second), second, ctxAt(10))).toEqual({ events: [], tasks: [], deadlines: [] });
    const last = completed("sentiment");
    const end = endOf(valid(decide(given(acc, completed("summarizer"), second, last), last, ctxAt(20))).events);
    expect(end?.data.status).toBe("completed");
    expect(end?.data.results.summarizer?.status).toBe("completed");
  });

  it("does nothing once the request has ended", () => {
    const acc = accepted("parallel", ["summarizer"]);
    const ended = valid(decide(given(acc, dispatched("summarizer"), completed("summarizer")), completed("summarizer"), ctxAt(10))).events;
    expect(ended.map((e) => e.type)).toEqual(["RequestCompleted"]);
    const late = failed("summarizer");
    const state = given(acc, dispatched("summarizer"), completed("summarizer"), ...ended, late);
    expect(decide(state, late, ctxAt(20))).toEqual({ events: [], tasks: [], deadlines: [] });
    expect(decide(state, submit("parallel", ["summarizer"]), ctxAt(20))).toEqual({ events: [], tasks: [], deadlines: [] });
  });

  it("does nothing for an outcome of a request that was never accepted", () => {
    const orphan = completed("summarizer");
    expect(decide(given(orphan), orphan, ctxAt(10))).toEqual({ events: [], tasks: [], deadlines: [] });
  });
});

describe("agent deadlines", () => {
  it("records a timeout AgentFailed once the deadline has passed without an outcome, and ends the request failed", () => {
    const state = given(accepted("parallel", ["summarizer"]), dispatched("summarizer"));
    const d = valid(decide(state, deadlineCheck("summarizer"), ctxAt(TIMEOUT_MS)));
    expect(types(d)).toEqual(["AgentFailed", "RequestFailed"]);
    const timedOut = d.events[0] as EventOf<"AgentFailed">;
    expect(timedOut.data).toMatchObject({ agent: "summarizer", provider: null, model: null, error: { code: "timeout" } });
    expect(timedOut.data.error.message).toContain(String(TIMEOUT_MS));
    expect(endOf(d.events)?.data.results.summarizer).toMatchObject({ status: "failed", error: { code: "timeout" } });
  });

  it("ends partial when the other agents succeeded", () => {
    const state = given(accepted("parallel", ["summarizer", "sentiment"]), dispatched("summarizer"), dispatched("sentiment"), completed("sentiment"));
    const d = valid(decide(state, deadlineCheck("summarizer"), ctxAt(TIMEOUT_MS + 5)));
    expect(types(d)).toEqual(["AgentFailed", "RequestCompleted"]);
    expect(endOf(d.events)?.data.status).toBe("partial");
  });

  it("dispatches the next sequential agent after a timeout, without the timed-out agent in its context", () => {
    const state = given(accepted("sequential"), dispatched("summarizer"));
    const d = valid(decide(state, deadlineCheck("summarizer"), ctxAt(TIMEOUT_MS)));
    expect(types(d)).toEqual(["AgentFailed", "AgentDispatched"]);
    expect(d.tasks.map((t) => [t.data.agent, t.data.context])).toEqual([["sentiment", {}]]);
    expect(d.deadlines.map((c) => c.data.deadline_at)).toEqual([iso(2 * TIMEOUT_MS)]);
  });

  it("times out, in one decision, every agent of a shared deadline that has no outcome", () => {
    const state = given(accepted("parallel"), dispatched("summarizer"), dispatched("sentiment"), dispatched("entity_extractor"), completed("sentiment"));
    const shared = { ...deadlineCheck("summarizer"), data: { agents: ["summarizer", "sentiment", "entity_extractor"] as AgentId[], deadline_at: iso(TIMEOUT_MS) } };
    const d = valid(decide(state, shared, ctxAt(TIMEOUT_MS)));
    expect(types(d)).toEqual(["AgentFailed", "AgentFailed", "RequestCompleted"]);
    expect(d.events.slice(0, 2).map((e) => (e as EventOf<"AgentFailed">).data.agent)).toEqual(["summarizer", "entity_extractor"]);
    expect(endOf(d.events)?.data.status).toBe("partial");
  });

  it("still understands a check scheduled for one agent, the shape an earlier version used", () => {
    const state = given(accepted("parallel", ["summarizer"]), dispatched("summarizer"));
    const legacy = { ...deadlineCheck("summarizer"), data: { agent: "summarizer" as const, deadline_at: iso(TIMEOUT_MS) } };
    expect(types(valid(decide(state, legacy, ctxAt(TIMEOUT_MS))))).toEqual(["AgentFailed", "RequestFailed"]);
  });

  it("does nothing before the deadline", () => {
    const state = given(accepted("parallel", ["summarizer"]), dispatched("summarizer"));
    expect(decide(state, deadlineCheck("summarizer"), ctxAt(TIMEOUT_MS - 1))).toEqual({ events: [], tasks: [], deadlines: [] });
  });

  it("does nothing when the agent already has an outcome and others are still running", () => {
    const state = given(accepted("parallel", ["summarizer", "sentiment"]), dispatched("summarizer"), dispatched("sentiment"), completed("summarizer"));
    expect(decide(state, deadlineCheck("summarizer"), ctxAt(TIMEOUT_MS))).toEqual({ events: [], tasks: [], deadlines: [] });
  });

  it("does nothing once the request has ended, or for a request never accepted", () => {
    const acc = accepted("parallel", ["summarizer", "sentiment"]);
    const first = decide(given(acc, dispatched("summarizer"), dispatched("sentiment")), deadlineCheck("summarizer"), ctxAt(TIMEOUT_MS));
    const second = decide(given(acc, ...first.events), deadlineCheck("sentiment"), ctxAt(TIMEOUT_MS));
    const ended = given(acc, ...first.events, ...second.events);
    expect(ended.end?.type).toBe("RequestFailed");
    expect(decide(ended, deadlineCheck("sentiment"), ctxAt(2 * TIMEOUT_MS))).toEqual({ events: [], tasks: [], deadlines: [] });
    expect(decide(given(), deadlineCheck("sentiment"), ctxAt(2 * TIMEOUT_MS))).toEqual({ events: [], tasks: [], deadlines: [] });
  });
});

describe("resending tasks after a crash", () => {
  it("resends the task of an agent recorded as dispatched that shows no sign of running, with its original deadline and context", () => {
    const state = given(accepted("sequential"), completed("summarizer", 10), dispatched("sentiment", 20, ["summarizer"]));
    const tasks = outstandingTasks(state, ctxAt(30));
    expect(tasks.map((t) => t.data.agent)).toEqual(["sentiment"]);
    expect(tasks[0]?.data.deadline_at).toBe(iso(20 + TIMEOUT_MS));
    expect(tasks[0]?.data.context).toEqual({ summarizer: OUTPUTS.summarizer });
  });

  it("resends nothing for agents that started, have an outcome, or once the request ended", () => {
    const running = given(accepted("parallel"), dispatched("summarizer", 1), started("summarizer", 2), dispatched("sentiment", 1), completed("sentiment", 3));
    expect(outstandingTasks(running, ctxAt(5))).toEqual([]);
  });

  it("schedules again the deadline of every dispatched agent without an outcome, started or not, one check per deadline", () => {
    const state = given(accepted("parallel"), dispatched("summarizer", 1), started("summarizer", 2), dispatched("sentiment", 1), dispatched("entity_extractor", 4), completed("entity_extractor", 5));
    const checks = outstandingDeadlines(state, ctxAt(6));
    expect(checks.map((c) => [deadlineAgents(c), c.data.deadline_at])).toEqual([[["summarizer", "sentiment"], iso(1 + TIMEOUT_MS)]]);
    expect(checks[0]).toMatchObject({ type: "CheckAgentDeadline", request_id: REQUEST_ID });
    expect(outstandingDeadlines(given(accepted("parallel", ["sentiment"]), dispatched("sentiment", 1), completed("sentiment", 2)), ctxAt(3))).toEqual([]);
  });
});
