// Unit tests of google.protobuf.Struct conversion for Agent.Analyze.
import { describe, expect, it } from "vitest";
import { fromStruct, toStruct } from "./proto-struct.ts";

describe("Struct conversion", () => {
  it("round-trips an agent's output with nested lists, objects, numbers, booleans and null", () => {
    const output = { entities: [{ text: "Apple", type: "ORGANIZATION", start: 0, end: 5 }], ok: true, none: null, score: -0.5 };
    expect(fromStruct(toStruct(output))).toEqual(output);
  });

  it("reads values decoded with oneofs, which name their kind", () => {
    expect(fromStruct({ fields: { a: { kind: "stringValue", stringValue: "x", numberValue: 0 } } })).toEqual({ a: "x" });
    expect(fromStruct(null)).toEqual({});
  });
});
