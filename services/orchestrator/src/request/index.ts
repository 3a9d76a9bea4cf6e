// The orchestrator's pure core: a request's state as a fold of its events, and the
// decisions taken on it. No I/O here; the shell around it loads, decides and publishes.
export { initialState, evolve, fold, runOf } from "./state.ts";
export type { RequestState } from "./state.ts";
export { decide, isNothing, outstandingDeadlines, outstandingTasks } from "./decide.ts";
export type { Decision, DecisionInput, CheckAgentDeadline } from "./decide.ts";
export { msUntilDeadline } from "./deadline.ts";
export { eventMessageId, taskMessageId, deadlineMessageId } from "./message-ids.ts";
