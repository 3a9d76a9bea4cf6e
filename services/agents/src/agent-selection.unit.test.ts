// Unit tests of AGENT parsing: all, one, or a comma list of agents.
import { describe, expect, it } from "vitest";
import { parseAgentSelection } from "./agent-selection.ts";

describe("parseAgentSelection", () => {
  it("runs every agent for all", () => {
    expect(parseAgentSelection("all")).toEqual({ ok: true, agents: ["summarizer", "sentiment", "entity_extractor"] });
    expect(parseAgentSelection(" ALL ")).toEqual({ ok: true, agents: ["summarizer", "sentiment", "entity_extractor"] });
  });

  it("runs only the named agent", () => {
    expect(parseAgentSelection("summarizer")).toEqual({ ok: true, agents: ["summarizer"] });
  });

  it("reads a comma list with spaces and repeats, in the canonical order", () => {
    expect(parseAgentSelection("entity_extractor, summarizer,summarizer")).toEqual({ ok: true, agents: ["summarizer", "entity_extractor"] });
  });

  it("refuses an unknown agent and names it", () => {
    const r = parseAgentSelection("summarizer,translator");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain(`"translator"`);
  });

  it("refuses an empty list", () => {
    expect(parseAgentSelection(" , ").ok).toBe(false);
  });
});
