import { describe, expect, it } from "vitest";
import { chooseTestServers, missingServers, serverAddress, unavailableMessage, type TestServerPlan } from "./test-servers.ts";

describe("chooseTestServers", () => {
  const configured = "configured" as const;
  const container = "container" as const;
  // [case, NATS answers, Postgres answers, a Docker engine answers, plan]
  const cases: [string, boolean, boolean, boolean, TestServerPlan][] = [
    ["uses both configured servers when both answer and Docker does", true, true, true, { kind: "ready", nats: configured, postgres: configured }],
    ["uses both configured servers when both answer and there is no Docker engine", true, true, false, { kind: "ready", nats: configured, postgres: configured }],
    ["starts both in containers when neither answers and Docker does", false, false, true, { kind: "ready", nats: container, postgres: container }],
    ["starts only Postgres when NATS answers and Docker does", true, false, true, { kind: "ready", nats: configured, postgres: container }],
    ["starts only NATS when Postgres answers and Docker does", false, true, true, { kind: "ready", nats: container, postgres: configured }],
    ["cannot run when neither answers and there is no Docker engine", false, false, false, { kind: "unavailable", missing: ["NATS", "Postgres"] }],
    ["cannot run when Postgres does not answer and there is no Docker engine", true, false, false, { kind: "unavailable", missing: ["Postgres"] }],
    ["cannot run when NATS does not answer and there is no Docker engine", false, true, false, { kind: "unavailable", missing: ["NATS"] }],
  ];

  it.each(cases)("%s", (_case, natsAnswers, postgresAnswers, dockerAvailable, plan) => {
    expect(chooseTestServers({ natsAnswers, postgresAnswers, dockerAvailable })).toEqual(plan);
  });

  it("needs to ask Docker only when a server does not answer", () => {
    expect(missingServers({ natsAnswers: true, postgresAnswers: true })).toEqual([]);
    expect(missingServers({ natsAnswers: false, postgresAnswers: false })).toEqual(["NATS", "Postgres"]);
  });
});

describe("unavailableMessage", () => {
  const looked = { nats: { host: "127.0.0.1", port: 4222 }, postgres: { host: "::1", port: 5432 } };

  it("names both servers, where it looked, and what to start when neither answers", () => {
    expect(unavailableMessage(["NATS", "Postgres"], looked)).toBe(
      "Integration and end-to-end tests need NATS with JetStream and Postgres, but no NATS at 127.0.0.1:4222 " +
        "and no Postgres at [::1]:5432 answers, and no Docker engine answers to start them in containers. " +
        "Start nats-server -js and Postgres 15 or later, set NATS_URL and DATABASE_URL to ones that run, or start Docker.",
    );
  });

  it("names only the server that is missing", () => {
    expect(unavailableMessage(["NATS"], looked)).toBe(
      "Integration and end-to-end tests need NATS with JetStream and Postgres, but no NATS at 127.0.0.1:4222 answers, " +
        "and no Docker engine answers to start it in a container. Start nats-server -js, set NATS_URL to one that runs, or start Docker.",
    );
  });
});

describe("serverAddress", () => {
  it("reads the first server of a NATS_URL, with or without a scheme, defaulting the port", () => {
    expect(serverAddress("nats://10.0.0.5:4333,nats://10.0.0.6:4222", 4222)).toEqual({ host: "10.0.0.5", port: 4333 });
    expect(serverAddress("localhost", 4222)).toEqual({ host: "localhost", port: 4222 });
  });

  it("reads a DATABASE_URL's host and port, without the brackets of an IPv6 address", () => {
    expect(serverAddress("postgresql://postgres@[::1]:5433/postgres", 5432)).toEqual({ host: "::1", port: 5433 });
    expect(serverAddress("postgres://db.internal/chorus", 5432)).toEqual({ host: "db.internal", port: 5432 });
  });
});
