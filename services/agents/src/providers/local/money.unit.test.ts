// Unit tests of the money pattern: signs, codes and words, multipliers kept, and no
// amount read into times, percentages or plain numbers.
import { describe, expect, it } from "vitest";
import { findMoney } from "./money.ts";

const amounts = (text: string) => findMoney(text).map((m) => text.slice(m.start, m.end));

describe("findMoney", () => {
  it("finds amounts with a sign, a code or a currency word, with their multiplier", () => {
    expect(amounts("It paid £5,000, then €1.2 billion, $3bn, USD 300 and 80 million euros.")).toEqual([
      "£5,000", "€1.2 billion", "$3bn", "USD 300", "80 million euros",
    ]);
  });

  it("ignores percentages, times and bare numbers", () => {
    expect(amounts("Sales rose 7 percent by 5 p.m. on 12 May, to 4,000 units.")).toEqual([]);
  });
});
