// How `npm start` labels the lines of its children's output.
import { describe, expect, it } from "vitest";
import { label, serviceLabeller, takeLines, useColour } from "./lines.ts";

describe("takeLines", () => {
  it("returns whole lines and keeps a trailing partial line for the next chunk", () => {
    const first = takeLines("", "one\ntw");
    expect(first).toEqual({ lines: ["one"], pending: "tw" });
    const second = takeLines(first.pending, "o\r\nthree\n");
    expect(second).toEqual({ lines: ["two", "three"], pending: "" });
  });

  it("returns no line until a newline arrives", () => {
    expect(takeLines("par", "tial")).toEqual({ lines: [], pending: "partial" });
  });
});

describe("label", () => {
  it("pads the name so every prefix lines up, plain when colour is off", () => {
    expect(label("gateway", 12, null)).toBe("gateway      | ");
    expect(label("orchestrator", 12, null)).toBe("orchestrator | ");
  });

  it("wraps the prefix in an ANSI colour when colour is on", () => {
    expect(label("agents", 12, 0)).toBe("\x1b[36magents       | \x1b[0m");
  });
});

describe("useColour", () => {
  it("colours a terminal only, and never when NO_COLOR is set to something", () => {
    expect(useColour(true, undefined)).toBe(true);
    expect(useColour(true, "")).toBe(true);
    expect(useColour(true, "1")).toBe(false);
    expect(useColour(false, undefined)).toBe(false);
    expect(useColour(undefined, undefined)).toBe(false);
  });
});

describe("the lines of a process that runs several services", () => {
  it("go under the label of the service that wrote each, else the process's own", () => {
    const show = serviceLabeller({ gateway: (l) => `gateway | ${l}`, agents: (l) => `agents | ${l}` }, (l) => `gateway+agents | ${l}`);
    expect(show('{"level":30,"service":"agents","msg":"agents running"}')).toBe('agents | {"level":30,"service":"agents","msg":"agents running"}');
    expect(show('{"level":30,"service":"gateway","msg":"x"}')).toBe('gateway | {"level":30,"service":"gateway","msg":"x"}');
    expect(show("    at file:///x.ts:1:1")).toBe("gateway+agents |     at file:///x.ts:1:1");
    expect(show('{"service":"billing"}')).toBe('gateway+agents | {"service":"billing"}');
  });
});
