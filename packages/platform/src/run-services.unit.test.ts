// Which variables each service of a shared process reads, and which services a list names.
import { describe, expect, it } from "vitest";
import { chooseServices, serviceEnv, type RunnableService } from "./run-services.ts";
import { ConfigError } from "./errors.ts";

const service = (name: string): RunnableService => ({ name, load: async () => () => ({}) as never });
const KNOWN = ["gateway", "orchestrator", "agents"].map(service);

describe("the variables of a service in a shared process", () => {
  it("are the process's own when the service runs alone, ports included", () => {
    expect(serviceEnv("gateway", { PORT: "9999", NATS_URL: "nats://x" }, true)).toEqual({ PORT: "9999", NATS_URL: "nats://x" });
  });

  it("take <SERVICE>_X as X for that service only", () => {
    const env = { NATS_URL: "nats://x", GATEWAY_PORT: "8000", AGENTS_PORT: "8082", AGENTS_GRPC_PORT: "50052", AGENTS_NATS_USER: "agents" };
    expect(serviceEnv("agents", env, false)).toMatchObject({ NATS_URL: "nats://x", PORT: "8082", GRPC_PORT: "50052", NATS_USER: "agents" });
    const gateway = serviceEnv("gateway", env, false);
    expect(gateway).toMatchObject({ PORT: "8000" });
    expect(gateway.GRPC_PORT).toBeUndefined();
    expect(gateway.NATS_USER).toBeUndefined();
  });

  it("refuse a port every service would share, naming what to set instead", () => {
    expect(() => serviceEnv("agents", { GRPC_PORT: "50052" }, false)).toThrow(ConfigError);
    expect(() => serviceEnv("agents", { PORT: "1", OPS_PORT: "2" }, false)).toThrow(/PORT, OPS_PORT .*AGENTS_PORT, AGENTS_OPS_PORT/);
    // Set but empty is left out: the service's own default applies.
    expect(serviceEnv("agents", { PORT: "", NATS_URL: "nats://x" }, false)).toEqual({ NATS_URL: "nats://x" });
  });
});

describe("the services a list names", () => {
  it("are taken in the order given", () => {
    expect(chooseServices(["agents", "gateway"], KNOWN).map((s) => s.name)).toEqual(["agents", "gateway"]);
  });

  it("must be known, named once, and at least one", () => {
    expect(() => chooseServices(["gateway", "billing"], KNOWN)).toThrow(/unknown service "billing": one of gateway, orchestrator, agents/);
    expect(() => chooseServices(["gateway", "gateway"], KNOWN)).toThrow(/named twice/);
    expect(() => chooseServices([], KNOWN)).toThrow(ConfigError);
  });
});
