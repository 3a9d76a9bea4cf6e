// @chorus/orchestrator: the process manager that turns submitted requests into agent
// runs and a recorded end. main.ts runs it as a service; tests start it in-process.
export { startOrchestrator, type Orchestrator } from "./start-orchestrator.ts";
export { DURABLES } from "./durables.ts";
export { lastBySubjectLoader, type RequestLoader } from "./load-request.ts";
