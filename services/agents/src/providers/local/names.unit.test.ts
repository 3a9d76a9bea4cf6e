// Unit tests of the name finder through extractEntities (real wink and compromise
// readings): the cues it types names by, and a text agreeing with itself.
import { describe, expect, it } from "vitest";
import { extractEntities } from "./index.ts";

function typed(text: string): string[] {
  const { entities } = extractEntities(text);
  for (const e of entities) expect(text.slice(e.start, e.end)).toBe(e.text);
  return entities.map((e) => `${e.type}:${e.text}`);
}

describe("names", () => {
  it("finds a brand that opens a sentence (the README's example)", () => {
    expect(typed("Apple opened a new office in Berlin on Monday, and investors cheered the $2 billion plan.")).toEqual([
      "ORGANIZATION:Apple", "LOCATION:Berlin", "DATE:Monday", "MONEY:$2 billion",
    ]);
  });

  it("types organisations by suffix, acronym and role", () => {
    const t = typed("Orbital Freight Ltd. hired a director from the ECB. The chief executive of Quillon, Rhea Castellanos, agreed.");
    expect(t).toEqual(expect.arrayContaining(["ORGANIZATION:Orbital Freight Ltd.", "ORGANIZATION:ECB", "ORGANIZATION:Quillon", "PERSON:Rhea Castellanos"]));
  });

  it("strips titles and nationalities, keeps initials and particles", () => {
    const t = typed("Prime Minister Ewa Nowak met German Chancellor Karl Brandt and Dr. R. J. Okonjo. Carla van der Berg joined them.");
    expect(t).toEqual(expect.arrayContaining(["PERSON:Ewa Nowak", "PERSON:Karl Brandt", "PERSON:R. J. Okonjo", "PERSON:Carla van der Berg"]));
    expect(t.some((x) => x.includes("German") || x.includes("Minister"))).toBe(false);
  });

  it("carries a person's type to their surname and possessive later in the text", () => {
    const t = typed("Marisol Quintero runs the bakery. Quintero's bread sells out, and Quintero plans a second shop.");
    expect(t.filter((x) => x === "PERSON:Quintero")).toHaveLength(2);
    expect(t).toContain("PERSON:Marisol Quintero");
  });

  it("reads places from the gazetteer, prepositions and 'X-based', and lists as one type", () => {
    const t = typed("The Lisbon-based studio opened offices in Porto and Braga, far from Mongolia.");
    expect(t).toEqual(expect.arrayContaining(["LOCATION:Lisbon", "LOCATION:Porto", "LOCATION:Braga", "LOCATION:Mongolia"]));
  });

  it("keeps dates absolute and without their lead-in words", () => {
    const t = typed("Sales will double by 2027, up from last year, after a slow quarter since 2019.");
    expect(t).toEqual(expect.arrayContaining(["DATE:2027", "DATE:2019"]));
    expect(t.some((x) => x.includes("last year") || x.includes("by 2027"))).toBe(false);
  });

  it("does not take sentence openers, events or lone nationalities for names", () => {
    const t = typed("Hello, thanks for the help. Congrats on the Winter Games! The Swiss team was happy.");
    expect(t).toEqual([]);
  });
});
