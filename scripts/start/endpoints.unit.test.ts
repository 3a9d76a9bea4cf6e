// Reading where NATS and Postgres are from their URLs.
import { describe, expect, it } from "vitest";
import { isLocalHost, natsEndpoint, postgresEndpoint, redactUrl } from "./endpoints.ts";

describe("endpoints", () => {
  it("reads the first server of a NATS_URL, with or without a scheme, defaulting the port", () => {
    expect(natsEndpoint("nats://127.0.0.1:4222")).toEqual({ host: "127.0.0.1", port: 4222 });
    expect(natsEndpoint("nats://a.example:5000, nats://b.example:5001")).toEqual({ host: "a.example", port: 5000 });
    expect(natsEndpoint("localhost:14222")).toEqual({ host: "localhost", port: 14222 });
    expect(natsEndpoint("nats://[::1]")).toEqual({ host: "::1", port: 4222 });
  });

  it("reads a DATABASE_URL's host and port, defaulting to 5432", () => {
    expect(postgresEndpoint("postgresql://postgres@127.0.0.1:55432/chorus")).toEqual({ host: "127.0.0.1", port: 55432 });
    expect(postgresEndpoint("postgres://u:p@db.internal/chorus")).toEqual({ host: "db.internal", port: 5432 });
  });

  it("treats only this machine's addresses as local", () => {
    expect(isLocalHost("LOCALHOST")).toBe(true);
    expect(isLocalHost("::1")).toBe(true);
    expect(isLocalHost("db.internal")).toBe(false);
  });

  it("hides a password in a URL it shows", () => {
    expect(redactUrl("postgresql://chorus:s3cret@db:5432/chorus")).toBe("postgresql://chorus:***@db:5432/chorus");
    expect(redactUrl("postgresql://postgres@db:5432/chorus")).toBe("postgresql://postgres@db:5432/chorus");
  });
});
