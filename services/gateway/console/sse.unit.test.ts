// The console's SSE parser on what the gateway sends (events/frame.ts) and on the
// stream's edge cases: chunks split anywhere, CRLF, comments, multi-line data.
import { describe, expect, it } from "vitest";
import { sseParser } from "./sse.js";

const frame = (id: number, type: string, data: object) => `id: ${id}\nevent: ${type}\ndata: ${JSON.stringify(data)}\n\n`;

describe("sseParser", () => {
  it("reads the gateway's frames and skips its keep-alive comments", () => {
    const parser = sseParser();
    const text = `${frame(3, "RequestAccepted", { a: 1 })}: keep-alive\n\n${frame(4, "AgentStarted", { b: "x" })}`;
    expect(parser.push(text)).toEqual([
      { id: "3", event: "RequestAccepted", data: '{"a":1}' },
      { id: "4", event: "AgentStarted", data: '{"b":"x"}' },
    ]);
  });

  it("gives the same messages however the stream is cut into chunks", () => {
    const text = `${frame(1, "A", { t: "é ✓" })}${frame(2, "B", { u: 2 })}`;
    const whole = sseParser().push(text);
    for (let cut = 1; cut < text.length; cut += 1) {
      const parser = sseParser();
      expect([...parser.push(text.slice(0, cut)), ...parser.push(text.slice(cut))]).toEqual(whole);
    }
  });

  it("takes CRLF and CR line ends, a CRLF split across chunks included", () => {
    const parser = sseParser();
    expect([...parser.push("id: 7\r\nevent: X\r\ndata: 1\r"), ...parser.push("\n\r\n"), ...parser.push("data: 2\r\rdata: 3\n\n")]).toEqual([
      { id: "7", event: "X", data: "1" },
      { id: "7", event: "message", data: "2" },
      { id: "7", event: "message", data: "3" },
    ]);
  });

  it("joins data lines with a newline and dispatches nothing without data", () => {
    const parser = sseParser();
    expect(parser.push("event: Empty\n\ndata: a\ndata:b\n\n")).toEqual([{ id: undefined, event: "message", data: "a\nb" }]);
  });
});
