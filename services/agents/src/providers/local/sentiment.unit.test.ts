// Unit tests of the clause-level sentiment scorer on the behaviours it is built for:
// negation scope, contrast weighting, intensity, implicit cues, emotive words that only
// name a topic, and `mixed` only when both sides are strong. Real wink-nlp readings.
import { describe, expect, it } from "vitest";
import { analyzeSentiment } from "./index.ts";
import { judge, squash } from "./sentiment-score.ts";

const label = (text: string) => analyzeSentiment(text).label;

describe("analyzeSentiment", () => {
  it("reverses what a negator governs, and reads a negated negative as mild praise", () => {
    expect(label("The lamp is not good.")).toBe("negative");
    expect(label("Honestly, the ride was not bad.")).toBe("positive");
    expect(label("We never had a single problem with the van.")).toBe("positive");
    // The negation ends at the clause: the praise after the comma stands.
    expect(label("It isn't cheap, but the sound is wonderful.")).toBe("positive");
  });

  it("lets the clause after 'but' and the main clause of 'although' carry the point", () => {
    expect(label("The lobby is a little dated, but the rooms are lovely.")).toBe("positive");
    expect(label("Although the box looked fine, the kettle leaks.")).toBe("negative");
  });

  it("calls a text mixed only when each side is strong on its own", () => {
    expect(label("The views were stunning, but the food was terrible.")).toBe("mixed");
    expect(label("The lid is okay, but the mug cracked on day one.")).toBe("negative");
  });

  it("scales with intensifiers and downtoners", () => {
    const strong = analyzeSentiment("The staff were extremely rude.");
    const mild = analyzeSentiment("The staff were slightly rude.");
    expect(strong.label).toBe("negative");
    expect(strong.score).toBeLessThan(mild.score);
    expect(strong.confidence).toBeGreaterThan(mild.confidence);
  });

  it("reads implicit complaints and good news", () => {
    expect(label("The kettle stopped working after a month.")).toBe("negative");
    expect(label("Still waiting for a reply to my email.")).toBe("negative");
    expect(label("Operating costs rose sharply this year.")).toBe("negative");
    expect(label("Burglaries and crime in the valley fell last year.")).toBe("positive");
    expect(label("Heavy losses hit the insurer.")).toBe("negative");
    expect(label("The new line opened ahead of schedule.")).toBe("positive");
    expect(label("I can't thank the nurses enough.")).toBe("positive");
  });

  it("keeps facts neutral when emotive words name a topic, a title or a proper name", () => {
    expect(label("The lecture explains how anger and grief shape memory.")).toBe("neutral");
    expect(label('The play "Sweet Sorrow" opens in May.')).toBe("neutral");
    expect(label("The Lucky Star diner is on the corner.")).toBe("neutral");
    expect(label("The train leaves at 9:40 from platform 2.")).toBe("neutral");
  });

  it("asserts less in a question or behind a hedge", () => {
    expect(label("Is the new model any good?")).toBe("neutral");
    expect(label("It's fine, I suppose.")).toBe("neutral");
  });

  it("keeps score and confidence in range and is neutral on empty input", () => {
    const r = analyzeSentiment("Best. Trip. Ever! Absolutely wonderful, amazing, superb, fantastic people!!!");
    expect(r.score).toBeLessThanOrEqual(1);
    expect(r.confidence).toBeLessThanOrEqual(1);
    expect(analyzeSentiment("   ")).toEqual({ label: "neutral", score: 0, confidence: 0 });
  });
});

describe("judge", () => {
  it("weighs conceded clauses less and needs strength on both sides for mixed", () => {
    expect(judge([{ sum: 1.5, weight: 0.4 }, { sum: -2, weight: 1 }]).label).toBe("negative");
    expect(judge([{ sum: 3, weight: 0.4 }, { sum: -3, weight: 1 }]).label).toBe("mixed");
    expect(judge([]).label).toBe("neutral");
    expect(squash(3)).toBeCloseTo(0.61, 2);
  });
});
