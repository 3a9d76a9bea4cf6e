// The ports `npm start` gives each service and checks before it starts them.
import { describe, expect, it } from "vitest";
import { DEFAULT_PROCESSES, planProcesses, portsOf, portVariables, processName, processPortVariables, SERVICES } from "./services.ts";

const gateway = SERVICES.find((s) => s.name === "gateway")!;
const agents = SERVICES.find((s) => s.name === "agents")!;

describe("the services' ports", () => {
  it("never give two services the same port", () => {
    const ports = SERVICES.flatMap((s) => portsOf(s, {})).map((p) => p.port);
    expect(new Set(ports).size).toBe(ports.length);
    expect(ports).toEqual(expect.arrayContaining([8000, 50051, 9000, 8082, 50052]));
  });

  it("give the gateway its PORT, gRPC and operations ports, a person's own setting winning", () => {
    expect(portVariables(gateway, {})).toEqual({ PORT: "8000", GRPC_PORT: "50051", OPS_PORT: "9000" });
    expect(portVariables(gateway, { OPS_PORT: "9100", PORT: "1" })).toEqual({ PORT: "8000", GRPC_PORT: "50051", OPS_PORT: "9100" });
  });

  it("check the ports as they will be, skipping 0 (any free port)", () => {
    expect(portsOf(gateway, { OPS_PORT: "9100", GRPC_PORT: "0" })).toEqual([
      { port: 8000, what: "gateway" },
      { port: 9100, what: "gateway OPS_PORT" },
    ]);
    expect(portsOf(agents, {})).toEqual([
      { port: 8082, what: "agents" },
      { port: 50052, what: "agents GRPC_PORT" },
    ]);
  });
});

describe("the processes npm start runs", () => {
  const names = (plan: ReturnType<typeof planProcesses>) => ("error" in plan ? plan : { processes: plan.processes.map((p) => p.map((s) => s.name)), left: plan.left.map((s) => s.name) });

  it("are the gateway with the agents and the orchestrator with the projector and the webhooks, unless told otherwise", () => {
    expect(names(planProcesses(undefined, SERVICES))).toEqual({ processes: DEFAULT_PROCESSES, left: [] });
    expect(names(planProcesses("separate", SERVICES))).toEqual({ processes: SERVICES.map((s) => [s.name]), left: [] });
    expect(names(planProcesses("gateway+agents+orchestrator; projector,webhooks", SERVICES))).toEqual({
      processes: [["gateway", "agents", "orchestrator"], ["projector", "webhooks"]],
      left: [],
    });
  });

  it("leave out a service not named, and refuse one named twice or not a service", () => {
    expect(names(planProcesses("gateway,agents orchestrator", SERVICES))).toEqual({ processes: [["gateway", "agents"], ["orchestrator"]], left: ["projector", "webhooks"] });
    expect(planProcesses("gateway,agents agents", SERVICES)).toEqual({ error: "START_PROCESSES names agents twice" });
    expect(planProcesses("gateway,billing", SERVICES)).toMatchObject({ error: expect.stringMatching(/"billing", which is not a service/) });
  });

  it("give services sharing a process their ports as <SERVICE>_<VARIABLE>, and a service alone its plain ones", () => {
    expect(processPortVariables([gateway, agents], { GATEWAY_OPS_PORT: "9100", GRPC_PORT: "1" })).toEqual({
      PORT: undefined,
      GRPC_PORT: undefined,
      OPS_PORT: undefined,
      GATEWAY_PORT: "8000",
      GATEWAY_GRPC_PORT: "1",
      GATEWAY_OPS_PORT: "9100",
      AGENTS_PORT: "8082",
      AGENTS_GRPC_PORT: "1",
    });
    expect(processPortVariables([agents], { AGENTS_GRPC_PORT: "50060" })).toEqual({ PORT: "8082", GRPC_PORT: "50060" });
    expect(processName([gateway, agents])).toBe("gateway+agents");
  });
});
