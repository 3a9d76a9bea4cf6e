// Where the gRPC protos live and how Chorus's servers load them with @grpc/proto-loader:
// snake_case fields as in the JSON API, int64 as strings, enums by name.
import { fileURLToPath } from "node:url";

export const PROTO_ROOT = fileURLToPath(new URL("../../../proto/", import.meta.url));

export const PROTO_LOADER_OPTIONS = {
  includeDirs: [PROTO_ROOT],
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
};
