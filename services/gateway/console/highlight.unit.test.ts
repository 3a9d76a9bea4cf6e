// Entity highlighting: the text cut around the entities at their UTF-16 offsets, every
// character kept once, and entities whose offsets do not match the text left out.
import { describe, expect, it } from "vitest";
import { entitySpans, type Entity } from "./highlight.js";

const TEXT = "Tim Cook met Angela in Berlin on Monday.";
const at = (text: string, type: string, from = 0): Entity => {
  const start = TEXT.indexOf(text, from);
  return { text, type, start, end: start + text.length };
};

describe("entitySpans", () => {
  it("cuts the text around the entities, in text order whatever the input order", () => {
    const { segments, unplaced } = entitySpans(TEXT, [at("Berlin", "LOCATION"), at("Tim Cook", "PERSON"), at("Monday", "DATE")]);
    expect(unplaced).toBe(0);
    expect(segments.map((s) => [s.text, s.entity?.type])).toEqual([
      ["Tim Cook", "PERSON"],
      [" met Angela in ", undefined],
      ["Berlin", "LOCATION"],
      [" on ", undefined],
      ["Monday", "DATE"],
      [".", undefined],
    ]);
    expect(segments.map((s) => s.text).join("")).toBe(TEXT);
  });

  it("leaves out an entity whose offsets do not name its text, and one overlapping an earlier one", () => {
    const wrong = { text: "Angela", type: "PERSON", start: 0, end: 6 };
    const overlapping = { text: "Cook", type: "PERSON", start: 4, end: 8 };
    const beyond = { text: "x", type: "DATE", start: 100, end: 101 };
    const { segments, unplaced } = entitySpans(TEXT, [at("Tim Cook", "PERSON"), wrong, overlapping, beyond]);
    expect(unplaced).toBe(3);
    expect(segments.filter((s) => s.entity).map((s) => s.text)).toEqual(["Tim Cook"]);
    expect(segments.map((s) => s.text).join("")).toBe(TEXT);
  });

  it("counts offsets in UTF-16 code units, as the API does", () => {
    const text = "😀 Zürich 👋 and Paris";
    const start = text.indexOf("Paris");
    const { segments } = entitySpans(text, [{ text: "Paris", type: "LOCATION", start, end: start + 5 }]);
    expect(segments).toEqual([{ text: "😀 Zürich 👋 and " }, { text: "Paris", entity: { text: "Paris", type: "LOCATION", start, end: start + 5 } }]);
  });

  it("gives the whole text as one piece when there is no entity", () => {
    expect(entitySpans(TEXT, [])).toEqual({ segments: [{ text: TEXT }], unplaced: 0 });
  });
});
