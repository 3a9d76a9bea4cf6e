// Unit tests of the evaluation measures, and of the corpus itself: every labelled span
// slices its paragraph back to the entity's text.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
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
  const read = (name: string) => JSON.parse(readFileSync(new URL(`./corpus/${name}`, import.meta.url), "utf8"));

  it("has enough labelled items of each kind, with exact entity spans", () => {
    const sentiment = read("sentiment.json") as Array<{ label: string }>;
    const entities = read("entities.json") as Array<{ text: string; entities: Array<{ text: string; start: number; end: number }> }>;
    const articles = read("articles.json") as Array<{ key_points: string[] }>;
    expect(sentiment.length).toBeGreaterThanOrEqual(60);
    expect(entities.length).toBeGreaterThanOrEqual(25);
    expect(articles.length).toBeGreaterThanOrEqual(10);
    for (const p of entities) for (const e of p.entities) expect(p.text.slice(e.start, e.end)).toBe(e.text);
  });
});
