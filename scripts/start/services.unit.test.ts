// The ports `npm start` gives each service and checks before it starts them.
import { describe, expect, it } from "vitest";
import { portsOf, portVariables, SERVICES } from "./services.ts";

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
