// Unit tests of the summariser's choices: a lead that carries the point, no repeated
// point (MMR), long texts through the linear centroid path, and TextRank's PageRank.
import { describe, expect, it } from "vitest";
import { summarize } from "./index.ts";
import { pageRank } from "./textrank.ts";

describe("summarize", () => {
  it("does not repeat a point that a near-identical sentence already made", () => {
    const text = [
      "The river flooded the old town on Tuesday night after three days of rain.",
      "After three days of rain, the river flooded the old town on Tuesday night.",
      "Two hundred residents spent the night in the sports hall.",
      "The mayor promised money to repair the damaged bridge.",
      "Engineers will inspect the flood walls next week.",
      "Schools stay closed until Friday.",
    ].join(" ");
    const { summary, key_points } = summarize(text);
    expect(summary).toContain("The river flooded the old town");
    expect(summary).not.toContain("After three days of rain, the river");
    expect(key_points[0]).toBe("The river flooded the old town on Tuesday night after three days of rain.");
    expect(new Set(key_points).size).toBe(key_points.length);
  });

  it("summarises a long text in a few of its own sentences", () => {
    const topics = ["harbour", "tram", "library", "stadium", "market", "bridge", "school", "museum"];
    const sentences = Array.from({ length: 400 }, (_, i) => `Report ${i} says the ${topics[i % topics.length]} project needs ${i + 3} more workers this season.`);
    const text = sentences.join(" ");
    const { summary, key_points } = summarize(text);
    const chosen = summary.match(/Report \d+/g) ?? [];
    expect(chosen.length).toBeGreaterThan(0);
    expect(chosen.length).toBeLessThanOrEqual(4);
    expect(key_points.length).toBe(5);
    for (const p of key_points) expect(text).toContain(p);
  });
});

describe("pageRank", () => {
  it("ranks the node most linked to others first and sums to one", () => {
    const sim = [
      [0, 0.9, 0.8, 0],
      [0.9, 0, 0.1, 0],
      [0.8, 0.1, 0, 0],
      [0, 0, 0, 0],
    ];
    const rank = pageRank(sim);
    expect(rank.indexOf(Math.max(...rank))).toBe(0);
    expect(rank.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(pageRank([])).toEqual([]);
  });
});
