// The chorus.v1 protos as the gateway serves them, loaded once with proto-loader from
// the repository's proto/ folder (the same files clients build from).
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { protoPath as healthProtoPath } from "grpc-health-check";

import { PROTO_LOADER_OPTIONS } from "@chorus/contracts";

export const ORCHESTRATION_SERVICE = "chorus.v1.Orchestration";

/** The service, and for reflection every served proto (grpc.health.v1 too), so `grpcurl list` shows all. */
export function loadOrchestrationProto(): { packageDefinition: protoLoader.PackageDefinition; service: grpc.ServiceDefinition } {
  const packageDefinition = protoLoader.loadSync(["chorus/v1/orchestration.proto", healthProtoPath], PROTO_LOADER_OPTIONS);
  const loaded = grpc.loadPackageDefinition(packageDefinition) as unknown as { chorus: { v1: { Orchestration: grpc.ServiceClientConstructor } } };
  return { packageDefinition, service: loaded.chorus.v1.Orchestration.service };
}
