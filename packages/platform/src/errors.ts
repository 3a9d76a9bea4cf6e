// A configuration that is missing or malformed: the process cannot run with it, and
// exits 78 with one line naming every bad variable (crash.ts). The errors a client is told
// of are the gateway's (services/gateway/src/errors.ts): no other service answers clients.
export class ConfigError extends Error {
  override name = "ConfigError";
}
