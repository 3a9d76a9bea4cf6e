// gRPC surface of the agents service: Agent.Analyze and grpc.health.v1.
export { AGENT_SERVICE, startGrpcServer } from "./server.ts";
export type { AgentGrpcServer } from "./server.ts";
