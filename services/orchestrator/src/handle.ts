// One input, end to end: load the request's state, decide, record the decision. A
// decision overtaken by a concurrent one (see publishDecision) is taken again on the
// fresh state, so every input converges on what the stream says, never on a guess.
import type { Topology } from "@chorus/contracts";
import type { JetStreamClient, Logger } from "@chorus/platform";
import type { RequestLoader } from "./load-request.ts";
import { publishDeadlines, publishDecision, publishTasks } from "./publish-decision.ts";
import { decide, evolve, isNothing, outstandingDeadlines, outstandingTasks, type DecisionInput } from "./request/index.ts";

export type HandleDeps = {
  js: JetStreamClient;
  topology: Topology;
  /** Told of every event the input or a decision shows to be stored, so it need not read it again. */
  requests: RequestLoader;
  clock: () => Date;
  newId: () => string;
  agentTimeoutMs: number;
  /**
   * A RequestAccepted delivered for the first time and younger than this is decided on
   * what this process knows, without reading the stream; 0 reads always. Keep it well
   * inside JetStream's duplicate window (see handleInput).
   */
  freshAcceptMs: number;
  logger: Logger;
};

/** `unknown_request`: an agent outcome or deadline for a request with no RequestAccepted in the stream. */
export type HandleOutcome = "recorded" | "nothing_due" | "unknown_request";

/** Thrown when decisions keep being overtaken; the input is redelivered later. */
export class DecisionContentionError extends Error {
  override name = "DecisionContentionError";
}

const MAX_ATTEMPTS = 3;

export type InputDelivery = {
  /** This input was handled before, and that handling may have died midway. */
  redelivered?: boolean;
  /** The input's own stream sequence, when it is an event (it is then a known fact). */
  seq?: number;
};

export async function handleInput(deps: HandleDeps, input: DecisionInput, options: InputDelivery = {}): Promise<HandleOutcome> {
  if (options.seq !== undefined && input.type !== "SubmitRequest" && input.type !== "CheckAgentDeadline") deps.requests.remember(input, options.seq);
  // A new request's accept, seen for the first time, has nothing after it to read: its
  // first decision (the dispatches) is taken on the known facts alone, which spares the
  // 2 + 3 × agents subject reads of a load. Should the request have been advanced already
  // (an earlier version's submit path, on another replica), the decision repeats what was
  // recorded, under the same message ids, and JetStream drops it as a duplicate: hence
  // only while the accept is well inside the duplicate window. An older accept (a replay,
  // a consumer made on an old stream) and every retry are loaded in full.
  const fresh =
    input.type === "RequestAccepted" && options.redelivered !== true && deps.clock().getTime() - Date.parse(input.occurred_at) < deps.freshAcceptMs;
  // Likewise the end of a request accepted well inside the duplicate window is not read
  // (2 reads of every request): an end decided again is dropped by its message id.
  const endUnreadIfAcceptedAfter = deps.freshAcceptMs > 0 ? deps.clock().getTime() - deps.freshAcceptMs : undefined;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const resend = options.redelivered === true && attempt === 1;
    const loaded = await deps.requests.load(input.request_id, {
      includeStarted: resend,
      knownOnly: fresh && attempt === 1,
      // A deadline comes due long after most requests have ended, usually past what this process still holds of them.
      endFirst: input.type === "CheckAgentDeadline",
      ...(endUnreadIfAcceptedAfter !== undefined ? { endUnreadIfAcceptedAfter } : {}),
    });
    // A RequestAccepted was delivered from the stream: it is a stored fact whether or not the load saw it.
    const state = input.type === "RequestAccepted" ? evolve(loaded, input) : loaded;
    // Before the accept check: an ended request may load as its end alone (see KnownFacts).
    if (state.end) return "nothing_due";
    if (input.type !== "SubmitRequest" && !state.accepted) return "unknown_request";
    if (resend) {
      const now = { now: deps.clock(), newId: deps.newId };
      await Promise.all([publishDeadlines(deps.js, deps.topology, outstandingDeadlines(state, now)), publishTasks(deps.js, deps.topology, outstandingTasks(state, now))]);
    }
    const decision = decide(state, input, { now: deps.clock(), newId: deps.newId, agentTimeoutMs: deps.agentTimeoutMs });
    if (isNothing(decision)) return "nothing_due";
    const result = await publishDecision(deps.js, deps.topology, decision, (event, seq) => deps.requests.remember(event, seq));
    deps.logger.debug(
      { request_id: input.request_id, correlation_id: input.correlation_id, input: input.type, events: decision.events.map((e) => e.type), result },
      "decided",
    );
    if (result === "recorded") return "recorded";
  }
  throw new DecisionContentionError(`decisions for request ${input.request_id} were overtaken ${MAX_ATTEMPTS} times in a row`);
}
