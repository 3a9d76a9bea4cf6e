// Unit tests of the evaluation measures, and of the corpus itself: labels placed on exact
// spans, both splits of useful size, and no test item leaking into the development set.
import { describe, expect, it } from "vitest";
import { loadSplit, placeEntities } from "./corpus.ts";
import { accuracy, entityScores, macroF1, rouge1 } from "./metrics.ts";

describe("evaluation measures", () => {
  it("computes accuracy and macro-F1 over labels, counting a never-predicted label as F1 0", () => {
    const pairs = [
      { gold: "a", predicted: "a" },
      { gold: "a", predicted: "b" },
      { gold: "b", predicted: "b" },
      { gold: "c", predicted: "b" },
    ];
    expect(accuracy(pairs)).toBe(0.5);
    const { macroF1: m, perLabel } = macroF1(pairs, ["a", "b", "c"]);
    expect(perLabel.a).toMatchObject({ precision: 1, recall: 0.5 });
    expect(perLabel.c?.f1).toBe(0);
    expect(m).toBeCloseTo((2 / 3 + 0.5 + 0) / 3, 10);
  });

  it("scores entities on exact spans per type", () => {
    const scores = entityScores(
      [{ gold: [{ type: "PERSON", start: 0, end: 8 }, { type: "LOCATION", start: 17, end: 23 }], predicted: [{ type: "PERSON", start: 0, end: 8 }, { type: "LOCATION", start: 17, end: 22 }] }],
      ["PERSON", "LOCATION"],
    );
    expect(scores.PERSON).toMatchObject({ precision: 1, recall: 1, f1: 1 });
    expect(scores.LOCATION).toMatchObject({ precision: 0, recall: 0 });
    expect(scores.ALL).toMatchObject({ precision: 0.5, recall: 0.5 });
  });

  it("computes ROUGE-1 on content words", () => {
    expect(rouge1("The budget was approved.", "Council approved the budget.").f1).toBeCloseTo(0.8, 10);
    expect(rouge1("", "anything").f1).toBe(0);
  });
});

describe("the corpus", () => {
  it("places entity labels on exact, whole-word spans in order of appearance", () => {
    const text = "BP and Shell met. Shell's Ann Shelley said so.";
    const spans = placeEntities(text, [["Shell", "ORGANIZATION"], ["Shell", "ORGANIZATION"], ["Ann Shelley", "PERSON"]]);
    expect(spans.map((s) => [s.start, s.end])).toEqual([[7, 12], [18, 23], [26, 37]]);
    for (const s of spans) expect(text.slice(s.start, s.end)).toBe(s.text);
    expect(() => placeEntities(text, [["Shel", "ORGANIZATION"]])).toThrow(/not found/);
  });

  it("has a development and a held-out test set large enough to mean something", () => {
    const dev = loadSplit("dev");
    const test = loadSplit("test");
    expect(dev.sentiment.length + test.sentiment.length).toBeGreaterThanOrEqual(150);
    expect(dev.entities.length + test.entities.length).toBeGreaterThanOrEqual(60);
    expect(dev.articles.length + test.articles.length).toBeGreaterThanOrEqual(15);
    // Held out means held out: no test text is also a development text.
    const devTexts = new Set([...dev.sentiment, ...dev.entities, ...dev.articles].map((x) => x.text));
    expect([...test.sentiment, ...test.entities, ...test.articles].filter((x) => devTexts.has(x.text))).toEqual([]);
  });
});
