// @chorus/orchestrator: the process manager that turns submitted requests into agent
// runs and a recorded end. main.ts runs it as a service; tests start it in-process.
export { startOrchestrator, UnknownRequestError } from "./orchestrator.ts";
export type { Orchestrator, OrchestratorDeps } from "./orchestrator.ts";
export { DURABLES } from "./consumers.ts";
export { lastBySubjectLoader, streamRequestLoader, UnreadableEventError } from "./load-request.ts";
export type { LoadOptions, RequestLoader } from "./load-request.ts";
export { knownFacts, type KnownFact, type KnownFacts } from "./known-facts.ts";
export * from "./request/index.ts";
