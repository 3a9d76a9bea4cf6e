// One input, end to end: load the request's state, decide, record the decision. A
// decision overtaken by a concurrent one (see publishDecision) is taken again on the
// fresh state, so every input converges on what the stream says, never on a guess.
import type { Topology } from "@chorus/contracts";
import type { JetStreamClient, Logger } from "@chorus/platform";
import type { RequestLoader } from "./load-request.ts";
import { publishDecision, publishTasks } from "./publish-decision.ts";
import { decide, isNothing, outstandingTasks, type DecisionInput } from "./request/index.ts";

export type HandleDeps = {
  js: JetStreamClient;
  topology: Topology;
  load: RequestLoader;
  clock: () => Date;
  newId: () => string;
  agentTimeoutMs: number;
  logger: Logger;
};

/** `unknown_request`: an agent outcome or deadline for a request with no RequestAccepted in the stream. */
export type HandleOutcome = "recorded" | "nothing_due" | "unknown_request";

/** Thrown when decisions keep being overtaken; the input is redelivered later. */
export class DecisionContentionError extends Error {
  override name = "DecisionContentionError";
}

const MAX_ATTEMPTS = 3;

/** `redelivered`: this input was handled before, and that handling may have died midway. */
export async function handleInput(deps: HandleDeps, input: DecisionInput, options: { redelivered?: boolean } = {}): Promise<HandleOutcome> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const state = await deps.load(input.request_id);
    if (input.type !== "SubmitRequest" && !state.accepted) return "unknown_request";
    if (options.redelivered && attempt === 1) await publishTasks(deps.js, deps.topology, outstandingTasks(state, { now: deps.clock(), newId: deps.newId }));
    const decision = decide(state, input, { now: deps.clock(), newId: deps.newId, agentTimeoutMs: deps.agentTimeoutMs });
    if (isNothing(decision)) return "nothing_due";
    const result = await publishDecision(deps.js, deps.topology, decision);
    deps.logger.debug(
      { request_id: input.request_id, correlation_id: input.correlation_id, input: input.type, events: decision.events.map((e) => e.type), result },
      "decided",
    );
    if (result === "recorded") return "recorded";
  }
  throw new DecisionContentionError(`decisions for request ${input.request_id} were overtaken ${MAX_ATTEMPTS} times in a row`);
}
