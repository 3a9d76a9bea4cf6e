// How agent outcomes become a request's results and end status: the values the end event,
// the REST API and the webhook payload report.
import { describe, expect, it } from "vitest";
import { completed, failed, OUTPUTS, timedOut } from "./scenario.fixtures.ts";
import { agentResult, endStatus } from "./results.ts";

describe("agentResult", () => {
  it("carries a completed agent's output, with no error", () => {
    expect(agentResult(completed("sentiment"))).toEqual({
      status: "completed",
      provider: "local",
      model: "m",
      duration_ms: 12,
      usage: null,
      error: null,
      output: OUTPUTS.sentiment,
    });
  });

  it("carries a failed agent's error, with no output", () => {
    expect(agentResult(failed("summarizer", 0, "refused"))).toEqual({
      status: "failed",
      provider: "local",
      model: "m",
      duration_ms: 5,
      usage: null,
      error: { code: "refused", message: "it broke" },
      output: null,
    });
  });
});

describe("endStatus", () => {
  it("is completed when every agent succeeded, partial when some did, failed when none did", () => {
    expect(endStatus([completed("summarizer"), completed("sentiment")])).toBe("completed");
    expect(endStatus([completed("summarizer"), failed("sentiment")])).toBe("partial");
    expect(endStatus([timedOut("summarizer"), completed("sentiment")])).toBe("partial");
    expect(endStatus([failed("summarizer"), timedOut("sentiment")])).toBe("failed");
  });
});
