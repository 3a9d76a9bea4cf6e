// Who may call Agent.Analyze: the bearer token's grammar, and closed without a token.
import { describe, expect, it } from "vitest";
import { callCredentialCheck } from "./call-credential.ts";

const TOKEN = "0123456789abcdef0123456789abcdef";

describe("the Agent.Analyze credential check", () => {
  it("admits the configured token in the bearer form, scheme in any case", () => {
    const admit = callCredentialCheck(TOKEN);
    expect(admit(`Bearer ${TOKEN}`)).toEqual({ admitted: true });
    expect(admit(`bearer  ${TOKEN} `)).toEqual({ admitted: true });
  });

  it("tells a missing or malformed credential from a wrong one", () => {
    const admit = callCredentialCheck(TOKEN);
    expect(admit(undefined)).toMatchObject({ admitted: false, reason: "missing" });
    expect(admit(TOKEN)).toMatchObject({ admitted: false, reason: "missing" });
    expect(admit(`Basic ${TOKEN}`)).toMatchObject({ admitted: false, reason: "missing" });
    expect(admit(`Bearer ${TOKEN} extra`)).toMatchObject({ admitted: false, reason: "missing" });
    expect(admit(`Bearer ${TOKEN.toUpperCase()}`)).toMatchObject({ admitted: false, reason: "invalid" });
    expect(admit(`Bearer ${TOKEN.slice(1)}`)).toMatchObject({ admitted: false, reason: "invalid" });
    expect(admit(`Bearer ${TOKEN}${TOKEN}`)).toMatchObject({ admitted: false, reason: "invalid" });
  });

  it("refuses everyone when no token is configured, saying how to open it", () => {
    const admit = callCredentialCheck(undefined);
    expect(admit(`Bearer ${TOKEN}`)).toMatchObject({ admitted: false, reason: "not_configured", message: expect.stringContaining("set AGENT_GRPC_TOKEN") });
    expect(admit(undefined)).toMatchObject({ admitted: false, reason: "not_configured" });
  });
});
