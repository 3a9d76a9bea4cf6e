// gRPC face of the gateway: chorus.v1.Orchestration with health and reflection.
export { startGrpcGateway, type GrpcGateway } from "./server.ts";
