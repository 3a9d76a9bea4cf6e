// gRPC surface of the agents service: Agent.Analyze and grpc.health.v1.
export { startGrpcServer } from "./server.ts";
