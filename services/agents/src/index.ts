// @chorus/agents: the agents service's public surface — starting the agents (tests,
// main.ts) and the provider interface other providers implement.
export { startAgents } from "./start-agents.ts";
export type { Agents, AgentsDeps } from "./start-agents.ts";
export { parseAgentSelection } from "./agent-selection.ts";
export { durableName } from "./task-consumer.ts";
export { DEFAULT_RETRY_POLICY } from "./run-task.ts";
export type { RetryPolicy } from "./run-task.ts";
export { ProviderError } from "./providers/provider.ts";
export type { AgentContext, AgentProvider, AnalyzeRequest, AnalyzeResult, ProviderErrorOptions } from "./providers/provider.ts";
export { localProvider } from "./providers/local/provider.ts";
export { PROVIDER_SETTINGS, resolveProviderKind, selectProvider } from "./providers/select.ts";
export type { ProviderKind, ProviderSetting } from "./providers/select.ts";
