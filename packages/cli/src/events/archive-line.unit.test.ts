import { describe, expect, it } from "vitest";
import { fromLine, toLine, type ArchivedMessage } from "./archive-line.ts";

const message = (payload: Uint8Array): ArchivedMessage => ({
  seq: 42,
  time: new Date("2026-11-30T10:00:00.000Z"),
  subject: "chorus.ev.request.r-1.accepted",
  headers: { "Nats-Msg-Id": ["accepted:r-1"], "Chorus-Event-Type": ["RequestAccepted"] },
  payload,
});

describe("an archive line", () => {
  it("keeps a JSON payload readable and gives back its very bytes", () => {
    const bytes = new TextEncoder().encode(JSON.stringify({ id: "e-1", type: "RequestAccepted", data: { text: "Grüße, \u2028 world" } }));
    const line = toLine(message(bytes));
    expect(JSON.parse(line)).toMatchObject({ seq: 42, data: { type: "RequestAccepted" } });
    expect(fromLine(line, 1)).toEqual(message(bytes));
  });

  it("carries anything else as base64, byte for byte", () => {
    for (const payload of [new Uint8Array([0xff, 0x00, 0x7b]), new TextEncoder().encode('{ "spaced": true }'), new Uint8Array()]) {
      const line = toLine(message(payload));
      expect(JSON.parse(line)).toHaveProperty("data_base64");
      expect(fromLine(line, 1).payload).toEqual(payload);
    }
  });

  it("names the line that is not an archived message", () => {
    expect(() => fromLine("{", 7)).toThrow(/line 7 is not JSON/);
    expect(() => fromLine(JSON.stringify({ seq: 1, subject: "x", headers: {} }), 8)).toThrow(/line 8 is not an archived message: time/);
    expect(() => fromLine(JSON.stringify({ seq: 1, time: "2026-11-30T10:00:00Z", subject: "x", headers: {}, data: 1, data_base64: "AA==" }), 9)).toThrow(/not both/);
  });
});
