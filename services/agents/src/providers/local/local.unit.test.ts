// Unit tests for the offline NLP provider: real package output, no mocks. The models
// load once per file (module-level memo), so only the first call pays for it.
import { beforeAll, describe, expect, it } from "vitest";
import { analyzeSentiment, extractEntities, LOCAL_MODELS, summarize } from "./index.ts";
import type { Entity } from "./index.ts";

const ARTICLE = [
  "The city council approved a new budget on Monday after months of debate.",
  "The budget increases funding for public transit by 12 percent.",
  "Council members said the transit funding would reduce traffic congestion downtown.",
  "Critics argued that the budget ignores rising housing costs.",
  "The mayor praised the council for reaching a compromise.",
  "Housing advocates plan to protest at the next council meeting.",
  "The budget also includes money for park maintenance.",
  "Several parks have been closed due to safety concerns.",
  "The new fiscal year begins in July.",
  "Officials expect the transit improvements to be finished within two years.",
].join(" ");

function expectOffsetsSliceBack(text: string, entities: Entity[]): void {
  for (const e of entities) {
    expect(text.slice(e.start, e.end)).toBe(e.text);
    expect(e.end).toBeGreaterThan(e.start);
  }
}

describe("extractEntities", () => {
  const text = "Apple Inc. hired Tim Cook in London on March 3, 2024 for $2 million.";
  let entities: Entity[] = [];
  // The first call also loads both models (~0.3 s), so it runs outside the tests' timing.
  beforeAll(() => {
    entities = extractEntities(text).entities;
  });
  const ofType = (type: Entity["type"]) => entities.filter((e) => e.type === type).map((e) => e.text);

  it("finds the organisation, person, place, date and money in a news sentence", () => {
    expect(ofType("ORGANIZATION").some((t) => t.includes("Apple"))).toBe(true);
    expect(ofType("PERSON")).toContain("Tim Cook");
    expect(ofType("LOCATION")).toContain("London");
    expect(ofType("DATE").some((t) => t.includes("March 3"))).toBe(true);
    expect(ofType("MONEY")).toContain("$2 million");
  });

  it("gives offsets that slice the original text back to each entity, sorted and non-overlapping", () => {
    expectOffsetsSliceBack(text, entities);
    for (let i = 1; i < entities.length; i += 1) {
      expect(entities[i]!.start).toBeGreaterThanOrEqual(entities[i - 1]!.end);
    }
  });

  it("drops honorifics from people and trailing punctuation from places", () => {
    const t = "Dr. Jane Doe met Mr. John Smith in Berlin.";
    const { entities: es } = extractEntities(t);
    const people = es.filter((e) => e.type === "PERSON").map((e) => e.text);
    expect(people).toEqual(["Jane Doe", "John Smith"]);
    expect(es.find((e) => e.type === "LOCATION")?.text).toBe("Berlin");
    expectOffsetsSliceBack(t, es);
  });

  it("keeps money multipliers and prefers the longer of overlapping spans", () => {
    const t = "The fund paid €5,000 in May and raised 3 billion dollars later.";
    const money = extractEntities(t).entities.filter((e) => e.type === "MONEY").map((e) => e.text);
    expect(money).toEqual(["€5,000", "3 billion dollars"]);
  });

  it("keeps UTF-16 offsets correct after emoji and accented letters", () => {
    const t = "🎉👩‍👩‍👧 José visited Angela Merkel in São Paulo 🇧🇷 on 5 May 2023 and paid $300.";
    const { entities: es } = extractEntities(t);
    expectOffsetsSliceBack(t, es);
    expect(es.map((e) => e.text)).toEqual(expect.arrayContaining(["Angela Merkel", "São Paulo", "$300"]));
  });

  it("returns no entities for empty or entity-free text", () => {
    expect(extractEntities("").entities).toEqual([]);
    expect(extractEntities("it was a quiet day.").entities).toEqual([]);
  });
});

describe("analyzeSentiment", () => {
  it("labels clearly positive text positive with a positive score", () => {
    const r = analyzeSentiment("I absolutely love this product. It works wonderfully and the support team was fantastic!");
    expect(r.label).toBe("positive");
    expect(r.score).toBeGreaterThan(0.2);
  });

  it("labels clearly negative text negative with a negative score", () => {
    const r = analyzeSentiment("This is the worst purchase I have ever made. Customer service was terrible.");
    expect(r.label).toBe("negative");
    expect(r.score).toBeLessThan(-0.2);
  });

  it("reads negation: 'not happy' is negative", () => {
    expect(analyzeSentiment("I am not happy with it.").label).toBe("negative");
  });

  it("labels text with a great part and an awful part mixed", () => {
    expect(analyzeSentiment("The hotel room was great and the staff were lovely. The food was awful.").label).toBe("mixed");
  });

  it("labels mixed within one sentence split by 'but'", () => {
    expect(analyzeSentiment("The phone is great but the battery is awful.").label).toBe("mixed");
  });

  it("labels a factual sentence neutral with a score near zero", () => {
    const r = analyzeSentiment("The meeting is scheduled for 3 pm on Tuesday in room 204.");
    expect(r.label).toBe("neutral");
    expect(Math.abs(r.score)).toBeLessThan(0.1);
  });

  it("keeps score in [-1, 1] and confidence in [0, 1], rounded to 3 decimals", () => {
    for (const t of ["Terrible, horrible, awful, worst ever!!!", "Best. Day. Ever. Love love love it!", "", "🙂🙂"]) {
      const r = analyzeSentiment(t);
      expect(r.score).toBeGreaterThanOrEqual(-1);
      expect(r.score).toBeLessThanOrEqual(1);
      expect(r.confidence).toBeGreaterThanOrEqual(0);
      expect(r.confidence).toBeLessThanOrEqual(1);
      expect(Math.round(r.score * 1000) / 1000).toBe(r.score);
      expect(Math.round(r.confidence * 1000) / 1000).toBe(r.confidence);
    }
  });

  it("calls empty text neutral with zero confidence", () => {
    expect(analyzeSentiment("   ")).toEqual({ label: "neutral", score: 0, confidence: 0 });
  });
});

describe("summarize", () => {
  it("returns fewer sentences than a 10-sentence article, each verbatim from it", () => {
    const { summary, key_points } = summarize(ARTICLE);
    const chosen = summary.match(/[^.]+\./g) ?? [];
    expect(chosen.length).toBeGreaterThan(0);
    expect(chosen.length).toBeLessThan(10);
    for (const s of chosen) expect(ARTICLE).toContain(s.trim());
    expect(key_points.length).toBeGreaterThan(0);
    expect(key_points.length).toBeLessThanOrEqual(5);
    for (const p of key_points) expect(ARTICLE).toContain(p);
  });

  it("keeps summary sentences in article order", () => {
    const { summary } = summarize(ARTICLE);
    const sentences = summary.match(/[^.]+\./g)!.map((s) => s.trim());
    const positions = sentences.map((s) => ARTICLE.indexOf(s));
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });

  it("prefers the sentences about the article's central topic over a side remark", () => {
    const { summary } = summarize(ARTICLE);
    expect(summary).toContain("budget");
    expect(summary).not.toContain("fiscal year begins in July");
  });

  it("is deterministic", () => {
    expect(summarize(ARTICLE)).toEqual(summarize(ARTICLE));
  });

  it("returns a one-sentence text as its own summary and key point", () => {
    const r = summarize("Just one sentence here.");
    expect(r).toEqual({ summary: "Just one sentence here.", key_points: ["Just one sentence here."] });
  });

  it("does not split at abbreviations like Dr. and U.S.", () => {
    const r = summarize("Dr. Smith went to Washington. He met the U.S. president.", { any: "context" });
    expect(r.key_points).toEqual(expect.arrayContaining(["Dr. Smith went to Washington.", "He met the U.S. president."]));
  });

  it("handles emoji and blank text without crashing", () => {
    expect(summarize("Great launch 🚀🚀 today. The team 👩‍💻 shipped it.").key_points.length).toBeGreaterThan(0);
    expect(summarize("  \n ")).toEqual({ summary: "", key_points: [] });
  });
});

describe("LOCAL_MODELS", () => {
  it("names the model behind each function", () => {
    expect(LOCAL_MODELS).toEqual({ summarizer: "textrank", sentiment: "wink-sentiment", entity_extractor: "compromise+wink" });
  });
});
